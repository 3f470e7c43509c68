/* The frame codec: a 4-byte big-endian payload length, then the payload. */
#ifndef GT_FRAME_H
#define GT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Bytes of the length header before each payload. */
#define GT_FRAME_HEADER_LEN 4u

/* After a frame whose buffer grew past this many bytes is released, the decoder frees the
 * buffer, so an idle connection does not keep a large allocation. */
#define GT_FRAME_KEEP_CAP (64u * 1024u)

/*
 * Appends one frame (header and payload[0..len)) to out. max_payload is the largest payload
 * allowed (0: GT_DEFAULT_MAX_FRAME). Returns GT_ETOOBIG if len exceeds it or does not fit
 * in out's maximum, GT_EINVAL for a NULL payload with len > 0, GT_ENOMEM; on failure out is
 * unchanged. Zero-length payloads are valid frames.
 */
int gt_frame_encode(struct gt_buf *out, const uint8_t *payload, size_t len, size_t max_payload);

/*
 * Incremental decoder for a byte stream of frames. It copies the bytes of one frame at a time
 * into its own buffer, which grows with the bytes that actually arrive (never up front to the
 * declared length) and never holds more than max + GT_FRAME_HEADER_LEN bytes. A declared
 * length over max is refused as soon as the 4 header bytes are seen. Zero-length frames are
 * valid (the payload layer decides what an empty payload means). After any error the decoder
 * stays in that error. Fields are private.
 */
struct gt_frame_decoder {
	struct gt_buf buf; /* header and payload of the current frame */
	size_t max;        /* largest payload accepted */
	size_t frame_len;  /* header + declared payload, once the header is complete; else 0 */
	int ready;         /* a complete frame waits for gt_frame_decoder_next() */
	int taken;         /* the frame last returned by next() is released on the next feed */
	int err;           /* sticky error, or 0 */
};

/* Initialises dec for payloads of at most max bytes (0: GT_DEFAULT_MAX_FRAME). Returns
 * GT_EINVAL if max exceeds GT_MAX_FRAME_CEILING. Allocates nothing. */
int gt_frame_decoder_init(struct gt_frame_decoder *dec, size_t max);

/* Changes the largest payload accepted to max (0: GT_DEFAULT_MAX_FRAME) for every frame whose
 * 4 header bytes have not yet been read; a frame already under way keeps the limit it was
 * checked against. Returns GT_EINVAL (and changes nothing) if max exceeds
 * GT_MAX_FRAME_CEILING. */
int gt_frame_decoder_set_max(struct gt_frame_decoder *dec, size_t max);

/*
 * Takes bytes from data[0..len) up to the end of the current frame and sets *consumed to how
 * many it took (the caller passes the rest to a later call). Returns 0 when a complete frame
 * is ready (take it with gt_frame_decoder_next() before feeding again: while one is waiting,
 * feed consumes nothing and returns 0), GT_EAGAIN when all len bytes were taken and the
 * frame is still incomplete, GT_ETOOBIG for a declared length over the maximum, GT_ENOMEM.
 * Feeding releases the payload last returned by next(). data is borrowed.
 */
int gt_frame_decoder_feed(struct gt_frame_decoder *dec, const uint8_t *data, size_t len,
                          size_t *consumed);

/* If a complete frame is ready, sets *payload and *len to it (borrowed: valid until the next
 * feed or free) and returns 0; otherwise sets them to NULL/0 and returns GT_EAGAIN, or the
 * sticky error. */
int gt_frame_decoder_next(struct gt_frame_decoder *dec, const uint8_t **payload, size_t *len);

/* Returns 1 if the decoder holds bytes of a frame that is not yet complete (a peer is part
 * way through sending one), 0 otherwise: also 0 while a complete frame waits or after one
 * was taken, and 0 after an error. */
int gt_frame_decoder_pending(const struct gt_frame_decoder *dec);

/* While a frame is under way with its header read, sets *payload and *len to the payload
 * bytes received so far (borrowed: valid until the next feed), *declared to its declared length,
 * and returns 1; otherwise returns 0. */
int gt_frame_decoder_partial(const struct gt_frame_decoder *dec, const uint8_t **payload,
                             size_t *len, size_t *declared);

/* Frees the decoder's buffer; accepts NULL. The decoder must be initialised again before
 * reuse. */
void gt_frame_decoder_free(struct gt_frame_decoder *dec);

#endif
