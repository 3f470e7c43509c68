/* The only callers of protobuf-c's generated pack/unpack: envelopes and batches. */
#ifndef GT_WIRE_H
#define GT_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"
#include "gtsync.pb-c.h"

typedef Gtsync__V1__Envelope gt_envelope;
typedef Gtsync__V1__Batch gt_batch;

/* Decodes one Envelope from buf[0..len). Refuses len over max_len (0: the default frame
 * limit) with GT_ETOOBIG before decoding, malformed bytes with GT_EINVAL, and an envelope with
 * no body with GT_EPROTO. On success *out is set; caller frees with gt_wire_envelope_free().
 * *out is NULL on failure. */
int gt_wire_envelope_decode(const uint8_t *buf, size_t len, size_t max_len, gt_envelope **out);

/* Bounds what decoding would cost before anything is allocated: walks the protobuf wire format
 * of an Envelope in buf[0..len) (nested messages through their descriptors, to at most
 * GT_WIRE_MAX_DEPTH levels) and counts its fields, each occurrence of a repeated field and each
 * unknown field included. Returns GT_OK if there are at most max_fields, GT_ELIMIT past that
 * (the walk stops there, so its own cost is bounded by max_fields), GT_EINVAL for bytes that
 * are not well-formed wire format. buf is borrowed. */
int gt_wire_envelope_shape(const uint8_t *buf, size_t len, size_t max_fields);

/* Looks at the first bytes of a serialized Envelope (prefix[0..len)): GT_OK if its body is a
 * PushRequest (after at most the request id, as every encoder writes them), GT_EAGAIN if len
 * is too short to tell, GT_EPROTO otherwise. Lets a server refuse a large frame that cannot be
 * a push before receiving it. */
int gt_wire_envelope_is_push(const uint8_t *prefix, size_t len);

/* As gt_wire_envelope_shape(), for a serialized Batch. */
int gt_wire_batch_shape(const uint8_t *buf, size_t len, size_t max_fields);

/* Nesting the shape walk follows; the schema nests far less deeply. */
#define GT_WIRE_MAX_DEPTH 8

/* Frees a decoded envelope; accepts NULL. */
void gt_wire_envelope_free(gt_envelope *env);

/* Serializes env into a new buffer; *out (caller frees with free()) and *len are set on
 * success, NULL/0 on failure. Refuses an envelope larger than max_len (0: the default frame
 * limit) with GT_ETOOBIG. */
int gt_wire_envelope_pack(const gt_envelope *env, size_t max_len, uint8_t **out, size_t *len);

/* Decodes a Batch and checks its shape against lim (NULL: defaults): format version 1, a
 * 16-byte batch id, non-empty key id and org unit, a non-zero sequence, item counts within
 * limits, every code and text within its length limit. Returns GT_EINVAL for malformed bytes
 * or shape, GT_ETOOBIG for a count or length over a limit. Caller frees *out with
 * gt_wire_batch_free(); *out is NULL on failure. */
int gt_wire_batch_decode(const uint8_t *buf, size_t len, const struct gt_limits *lim,
                         gt_batch **out);

/* Checks an in-memory batch's shape as gt_wire_batch_decode() does; borrowed. On failure,
 * *why (optional) points to a static sentence naming the problem. */
int gt_wire_batch_check(const gt_batch *b, const struct gt_limits *lim, const char **why);

/* Reads only the header of a batch that failed its checks (for the refusal's ack): copies its
 * id (at most GT_BATCH_ID_LEN bytes) and sequence. GT_EINVAL when buf is not a batch at all. */
int gt_wire_batch_header(const uint8_t *buf, size_t len, uint8_t id[GT_BATCH_ID_LEN],
                         size_t *id_len, uint64_t *sequence);

/* Frees a decoded batch; accepts NULL. Only for batches from gt_wire_batch_decode(). */
void gt_wire_batch_free(gt_batch *b);

/* Serializes a batch into a new buffer (caller frees with free()). */
int gt_wire_batch_pack(const gt_batch *b, uint8_t **out, size_t *len);

#endif
