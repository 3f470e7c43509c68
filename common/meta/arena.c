/* The metadata loader's arena: every string and array of a loaded set lives in it and is
 * freed at once. */
#include "meta_int.h"

#include <stdlib.h>
#include <string.h>

#include "vec.h"

#define ARENA_CHUNK (64u * 1024u)
#define ARENA_ALIGN 16u

struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

/* Returns n zeroed bytes from a, or NULL when out of memory. */
void *gt__meta_arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t size;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (n == 0)
		n = ARENA_ALIGN;
	if (c != NULL && c->cap - c->used >= n) {
		void *p = (unsigned char *)c->data + c->used;
		c->used += n;
		return p;
	}
	size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
	c = calloc(1, sizeof(*c) + size);
	if (c == NULL)
		return NULL;
	c->cap = size;
	c->used = n;
	if (a->head != NULL && n > ARENA_CHUNK / 2) {
		/* A big block gets its own chunk behind the current one, which stays in use. */
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = a->head;
		a->head = c;
	}
	return c->data;
}

void gt__meta_arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;

	while (c != NULL) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

char *gt__meta_arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = gt__meta_arena_alloc(a, len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* Returns arr if it has room for one more element, else a copy twice as large; NULL when out
 * of memory. The old block stays in the arena. */
void *gt__meta_vec_grow(struct arena *a, void *arr, uint32_t n, uint32_t *cap, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return arr;
	if (gt_vec_grow_cap(*cap, (size_t)n + 1, elem, UINT32_MAX, &ncap) != 0)
		return NULL;
	p = gt__meta_arena_alloc(a, ncap * elem);
	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, arr, (size_t)n * elem);
	*cap = (uint32_t)ncap;
	return p;
}
