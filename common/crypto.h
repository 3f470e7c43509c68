/* SHA-256, randomness, constant-time comparison and wiping, through OpenSSL's EVP API. */
#ifndef GT_CRYPTO_H
#define GT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"

/* An incremental SHA-256 computation; opaque, created by gt_crypto_sha256_init(). */
struct gt_crypto_sha256;

/* Computes SHA-256 of data[0..len) into out. data may be NULL only when len is 0. Returns 0,
 * GT_EINVAL for bad arguments or GT_ECRYPTO/GT_ENOMEM from OpenSSL. */
int gt_crypto_sha256(const void *data, size_t len, uint8_t out[GT_SHA256_LEN]);

/* Starts an incremental SHA-256 computation. On success *out is set; caller frees it with
 * gt_crypto_sha256_free(). *out is NULL on failure. */
int gt_crypto_sha256_init(struct gt_crypto_sha256 **out);

/* Feeds data[0..len) into h; data may be NULL only when len is 0. After a failure the
 * digest of h is undefined until the next gt_crypto_sha256_final(). */
int gt_crypto_sha256_update(struct gt_crypto_sha256 *h, const void *data, size_t len);

/* Writes the digest of everything fed since the last init or final into out, then resets h
 * so it can hash a new message. */
int gt_crypto_sha256_final(struct gt_crypto_sha256 *h, uint8_t out[GT_SHA256_LEN]);

/* Frees an incremental computation; accepts NULL. */
void gt_crypto_sha256_free(struct gt_crypto_sha256 *h);

/* Fills out[0..len) with bytes from OpenSSL's CSPRNG (RAND_bytes). len 0 is a no-op. */
int gt_crypto_random(void *out, size_t len);

/* Compares a[0..n) and b[0..n) in time independent of their contents (CRYPTO_memcmp).
 * Returns 1 if they are equal (also when n is 0), 0 otherwise. */
int gt_crypto_equal(const void *a, const void *b, size_t n);

/* Overwrites p[0..n) with zeros in a way the compiler cannot elide (OPENSSL_cleanse).
 * Accepts NULL when n is 0. */
void gt_crypto_wipe(void *p, size_t n);

/* Takes the oldest error from this thread's OpenSSL error queue, clears the rest of the queue
 * and returns the matching GT_E* code (GT_ECRYPTO if the queue was empty). For libgtcommon
 * modules that call OpenSSL after a failed call. */
int gt_crypto_take_error(void);

#endif
