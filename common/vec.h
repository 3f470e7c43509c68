/* Growable arrays: the caller keeps a pointer, a count and a capacity; growth doubles, and every
 * size is checked for overflow before anything is allocated. */
#ifndef GT_VEC_H
#define GT_VEC_H

#include <stddef.h>

/* The smallest first allocation, in bytes (at least one element). */
#define GT_VEC_MIN_BYTES 64u

/*
 * Computes the capacity, in elements of elem bytes, that an array of capacity cap grows to so
 * that need elements fit: cap doubled (first at least GT_VEC_MIN_BYTES) until need fits,
 * never more than max elements nor PTRDIFF_MAX bytes (no allocator hands out more). Returns 0
 * with *out >= need, GT_ETOOBIG when need > max, GT_ENOMEM when need elements of elem bytes
 * exceed PTRDIFF_MAX, GT_EINVAL when elem is 0; *out is unchanged on error. When need <= cap
 * the answer is cap.
 */
int gt_vec_grow_cap(size_t cap, size_t need, size_t elem, size_t max, size_t *out);

/*
 * Makes room for need elements of elem bytes in the heap array whose address is arrp (a T **
 * for an array of T, NULL while empty) and whose capacity is *cap: reallocates with
 * gt_vec_grow_cap() when need > *cap. Returns 0, or GT_ENOMEM (out of memory, or need * elem
 * would overflow) leaving the array and *cap unchanged. The caller frees the array with free().
 */
int gt_vec_reserve(void *arrp, size_t *cap, size_t need, size_t elem);

/* Sets *out to a * b (a count of elements, e.g. of an a-by-b table) when the product fits in a
 * size_t. Returns 0, or GT_ETOOBIG leaving *out unchanged when it would overflow. */
int gt_vec_mul(size_t a, size_t b, size_t *out);

/* gt_vec_reserve() for a typed array and its size_t capacity, e.g.
 * GT_VEC_RESERVE(v->items, v->cap, v->n + 1). */
#define GT_VEC_RESERVE(arr, cap, need) gt_vec_reserve(&(arr), &(cap), (need), sizeof(*(arr)))

#endif
