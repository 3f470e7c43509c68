/* Bounded growable byte buffers: every size is checked against the maximum before use. */
#include "buf.h"

#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "vec.h"

void gt_buf_init(struct gt_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

int gt_buf_reserve(struct gt_buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;
	int rc;

	/* len + extra <= max, written so that nothing can wrap. */
	if (b->len > b->max || extra > b->max - b->len)
		return GT_ETOOBIG;
	need = b->len + extra;
	if (need <= b->cap)
		return GT_OK;
	/* Doubles up to max; more than PTRDIFF_MAX bytes is GT_ENOMEM, as no allocator gives it. */
	if ((rc = gt_vec_grow_cap(b->cap, need, 1, b->max, &cap)) != 0)
		return rc;
	p = realloc(b->data, cap);
	if (p == NULL)
		return GT_ENOMEM;
	b->data = p;
	b->cap = cap;
	return GT_OK;
}

int gt_buf_append(struct gt_buf *b, const void *p, size_t n)
{
	int rc;

	if (n == 0)
		return GT_OK;
	if (p == NULL)
		return GT_EINVAL;
	rc = gt_buf_reserve(b, n);
	if (rc != GT_OK)
		return rc;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return GT_OK;
}

int gt_buf_append_u32be(struct gt_buf *b, uint32_t v)
{
	uint8_t tmp[4];

	gt_buf_store_u32be(tmp, v);
	return gt_buf_append(b, tmp, sizeof(tmp));
}

int gt_buf_consume(struct gt_buf *b, size_t n)
{
	if (n > b->len)
		return GT_EINVAL;
	if (n == 0)
		return GT_OK;
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	return GT_OK;
}

void gt_buf_reset(struct gt_buf *b)
{
	b->len = 0;
}

void gt_buf_free(struct gt_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

uint32_t gt_buf_load_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

void gt_buf_store_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint64_t gt_buf_load_u64be(const uint8_t *p)
{
	return (uint64_t)gt_buf_load_u32be(p) << 32 | gt_buf_load_u32be(p + 4);
}

void gt_buf_store_u64be(uint8_t *p, uint64_t v)
{
	gt_buf_store_u32be(p, (uint32_t)(v >> 32));
	gt_buf_store_u32be(p + 4, (uint32_t)v);
}

uint32_t gt_buf_load_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void gt_buf_store_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

uint64_t gt_buf_load_u64le(const uint8_t *p)
{
	return (uint64_t)gt_buf_load_u32le(p) | (uint64_t)gt_buf_load_u32le(p + 4) << 32;
}

void gt_buf_store_u64le(uint8_t *p, uint64_t v)
{
	gt_buf_store_u32le(p, (uint32_t)v);
	gt_buf_store_u32le(p + 4, (uint32_t)(v >> 32));
}
