/* Growable arrays: one place that computes new capacities and checks them for overflow. */
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int gt_vec_grow_cap(size_t cap, size_t need, size_t elem, size_t max, size_t *out)
{
	size_t bytes_limit, limit, ncap;

	if (elem == 0)
		return GT_EINVAL;
	if (need > max)
		return GT_ETOOBIG;
	if (need <= cap) {
		*out = cap;
		return 0;
	}
	bytes_limit = (size_t)PTRDIFF_MAX / elem;
	if (need > bytes_limit)
		return GT_ENOMEM;
	limit = max < bytes_limit ? max : bytes_limit;
	ncap = cap > GT_VEC_MIN_BYTES / elem ? cap : GT_VEC_MIN_BYTES / elem;
	if (ncap == 0)
		ncap = 1;
	while (ncap < need) {
		if (ncap > limit / 2) {
			/* Doubling would pass the limit: up to the caller's maximum, or just what
			 * is needed when only the address space bounds the array. */
			ncap = limit == max ? limit : need;
			break;
		}
		ncap *= 2;
	}
	if (ncap > limit)
		ncap = limit;
	*out = ncap;
	return 0;
}

int gt_vec_mul(size_t a, size_t b, size_t *out)
{
	if (b != 0 && a > SIZE_MAX / b)
		return GT_ETOOBIG;
	*out = a * b;
	return 0;
}

int gt_vec_reserve(void *arrp, size_t *cap, size_t need, size_t elem)
{
	void *arr, *p;
	size_t ncap;
	int rc;

	if (need <= *cap)
		return 0;
	rc = gt_vec_grow_cap(*cap, need, elem, SIZE_MAX, &ncap);
	if (rc != 0)
		return rc == GT_EINVAL ? GT_EINVAL : GT_ENOMEM;
	/* arrp holds a T *; its bytes are read and written as a void *, which has the same
	 * representation on every platform gtsync runs on (POSIX requires it). */
	memcpy(&arr, arrp, sizeof(arr));
	p = realloc(arr, ncap * elem);
	if (p == NULL)
		return GT_ENOMEM;
	memcpy(arrp, &p, sizeof(p));
	*cap = ncap;
	return 0;
}
