/* Intrusive containers: the struct that embeds a member, and a doubly linked list whose links
 * live inside the listed structs (a circular list with its head as sentinel, as in libuv's
 * queue and the Linux kernel's list_head). Header only. */
#ifndef GT_CONTAINER_H
#define GT_CONTAINER_H

#include <stddef.h>

/* The struct of the given type whose member ptr points to. */
#define GT_CONTAINER_OF(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* A link embedded in each listed struct, and the list's head (a link of no struct). */
struct gt_list {
	struct gt_list *prev, *next;
};

/* Makes h an empty list (or a link that is in no list). */
static inline void gt_list_init(struct gt_list *h)
{
	h->prev = h;
	h->next = h;
}

/* 1 when the list headed by h has no element (or link h is in no list). */
static inline int gt_list_empty(const struct gt_list *h)
{
	return h->next == h;
}

/* Links n (in no list) after at: at the front of the list when at is the head. */
static inline void gt_list_insert_after(struct gt_list *at, struct gt_list *n)
{
	n->prev = at;
	n->next = at->next;
	at->next->prev = n;
	at->next = n;
}

/* Links n (in no list) at the front of the list headed by h. */
static inline void gt_list_push_front(struct gt_list *h, struct gt_list *n)
{
	gt_list_insert_after(h, n);
}

/* Links n (in no list) at the back of the list headed by h. */
static inline void gt_list_push_back(struct gt_list *h, struct gt_list *n)
{
	gt_list_insert_after(h->prev, n);
}

/* Unlinks n from its list and leaves it in none, so that removing it again does nothing. */
static inline void gt_list_remove(struct gt_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	gt_list_init(n);
}

/* The first link of the list headed by h, or NULL when it is empty. */
static inline struct gt_list *gt_list_first(const struct gt_list *h)
{
	return h->next != h ? h->next : NULL;
}

/* The link after n in the list headed by h, or NULL when n is the last. */
static inline struct gt_list *gt_list_next(const struct gt_list *h, const struct gt_list *n)
{
	return n->next != h ? n->next : NULL;
}

/* Unlinks and returns the first link of the list headed by h, or NULL when it is empty. */
static inline struct gt_list *gt_list_pop_front(struct gt_list *h)
{
	struct gt_list *n = gt_list_first(h);

	if (n != NULL)
		gt_list_remove(n);
	return n;
}

/* Visits each link of the list headed by h in order, as pos; the body may remove pos (and
 * only pos): tmp holds the next link. */
#define GT_LIST_FOREACH(pos, tmp, h)                                                               \
	for ((pos) = (h)->next, (tmp) = (pos)->next; (pos) != (h);                                 \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif
