/* A growable byte buffer with a hard maximum, and big-endian integer helpers. */
#ifndef GT_BUF_H
#define GT_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * data[0..len) holds the bytes; cap is the allocated size; max is the most bytes the buffer
 * may ever hold (len never exceeds it, and growth never allocates beyond it). The fields may
 * be read directly; change them only through these functions (a codec may lower or raise
 * max between uses). A zeroed struct is an empty buffer with max 0.
 */
struct gt_buf {
	uint8_t *data;
	size_t len, cap, max;
};

/* Initialises an empty buffer that will hold at most max bytes; allocates nothing. */
void gt_buf_init(struct gt_buf *b, size_t max);

/* Makes room for extra more bytes after len (cap - len >= extra), growing geometrically but
 * never past max. Returns GT_ETOOBIG if len + extra would exceed max, GT_ENOMEM if the
 * allocation fails; on failure the buffer is unchanged. */
int gt_buf_reserve(struct gt_buf *b, size_t extra);

/* Appends n bytes from p (copied; p may be NULL when n is 0). GT_ETOOBIG or GT_ENOMEM as
 * gt_buf_reserve(); on failure the buffer is unchanged. */
int gt_buf_append(struct gt_buf *b, const void *p, size_t n);

/* Appends v as 4 big-endian bytes; errors as gt_buf_append(). */
int gt_buf_append_u32be(struct gt_buf *b, uint32_t v);

/* Drops the first n bytes, moving the rest to the front. GT_EINVAL if n > len (then
 * nothing is dropped). */
int gt_buf_consume(struct gt_buf *b, size_t n);

/* Empties the buffer (len = 0) and keeps its allocation. */
void gt_buf_reset(struct gt_buf *b);

/* Frees the allocation and empties the buffer; max is kept, so the buffer can be reused.
 * Accepts NULL. */
void gt_buf_free(struct gt_buf *b);

/* Reads 4 big-endian bytes at p. */
uint32_t gt_buf_load_u32be(const uint8_t *p);

/* Writes v as 4 big-endian bytes at p. */
void gt_buf_store_u32be(uint8_t *p, uint32_t v);

/* Reads 8 big-endian bytes at p. */
uint64_t gt_buf_load_u64be(const uint8_t *p);

/* Writes v as 8 big-endian bytes at p. */
void gt_buf_store_u64be(uint8_t *p, uint64_t v);

/* Reads 4 little-endian bytes at p. */
uint32_t gt_buf_load_u32le(const uint8_t *p);

/* Writes v as 4 little-endian bytes at p. */
void gt_buf_store_u32le(uint8_t *p, uint32_t v);

/* Reads 8 little-endian bytes at p. */
uint64_t gt_buf_load_u64le(const uint8_t *p);

/* Writes v as 8 little-endian bytes at p. */
void gt_buf_store_u64le(uint8_t *p, uint64_t v);

#endif
