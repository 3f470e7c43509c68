/* Text encodings: hex (exported as gt_hex_*) and base64 (exported as gt_base64_*). */
#ifndef GT_ENCODE_H
#define GT_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Module "encode". Hex output is lowercase; hex input may use either case (RFC 4648 base 16
 * is case-insensitive). Base64 is the RFC 4648 standard alphabet with '=' padding. Decoding
 * is strict: no whitespace, no line breaks, no missing or stray padding, and no non-zero
 * bits in the unused low bits of the last character, so every accepted base64 text is the
 * one text gt_base64_encode() would produce for its bytes. These functions do not run in
 * constant time: use them for public data (keys, ids, signatures, digests), never secrets.
 *
 * Encoders write a NUL-terminated string and need outlen >= encoded length + 1. Decoders
 * validate the whole input before writing anything: on any failure out is left untouched
 * and *written is 0. All functions return 0, GT_EINVAL for malformed input or arguments, or
 * GT_ETOOBIG when out is too small (or a length would overflow size_t).
 */

/* Number of characters (without the NUL) hex-encoding n bytes takes; 0 if 2n + 1 would
 * overflow size_t (gt_hex_encode() then refuses with GT_ETOOBIG). */
size_t gt_hex_encoded_len(size_t n);

/* Number of bytes a valid hex text of len characters decodes to (len / 2). */
size_t gt_hex_decoded_len(size_t len);

/* Writes the lowercase hex of in[0..n) and a NUL into out[0..outlen). in may be NULL only
 * when n is 0. */
int gt_hex_encode(const uint8_t *in, size_t n, char *out, size_t outlen);

/* Decodes the hex text in[0..len) into out[0..outlen) and sets *written to the number of
 * bytes written. Odd length or a non-hex character gives GT_EINVAL. */
int gt_hex_decode(const char *in, size_t len, uint8_t *out, size_t outlen, size_t *written);

/* Number of characters (without the NUL) base64-encoding n bytes takes, 4 * ceil(n / 3); 0 if
 * that plus the NUL would overflow size_t (gt_base64_encode() then refuses with
 * GT_ETOOBIG). */
size_t gt_base64_encoded_len(size_t n);

/* Upper bound of the bytes a base64 text of len characters decodes to (len / 4 * 3); the
 * exact count is up to two less, depending on padding. */
size_t gt_base64_decoded_max(size_t len);

/* Writes the padded base64 of in[0..n) and a NUL into out[0..outlen). in may be NULL only
 * when n is 0. */
int gt_base64_encode(const uint8_t *in, size_t n, char *out, size_t outlen);

/* Decodes the base64 text in[0..len) strictly (see above) into out[0..outlen) and sets
 * *written to the number of bytes written. */
int gt_base64_decode(const char *in, size_t len, uint8_t *out, size_t outlen, size_t *written);

#endif
