/* Ed25519 keys: generation, PKCS#8 key files, signing, verification and short key ids. */
#ifndef GT_KEY_H
#define GT_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"

/*
 * A key id names a public key in logs, batches and the server's key registry: the first 8
 * bytes of SHA-256(raw 32-byte Ed25519 public key), as 16 lowercase hex characters. It is
 * short and stable (it depends only on the public key), but as a 64-bit name it is not a
 * security boundary: a signature is always checked against the full registered public key.
 */
#define GT_KEY_ID_LEN 16
/* Length of a raw Ed25519 private key (the RFC 8032 secret, or seed). */
#define GT_KEY_SEED_LEN 32
/* Length of the padded base64 text of a raw public key (32 bytes). */
#define GT_KEY_PUB_B64_LEN 44
/* Largest key file gt_key_load() and gt_key_load_public() read. */
#define GT_KEY_FILE_MAX 16384u

/* An Ed25519 key: a private key (which includes its public key) or a public key only.
 * Opaque and immutable once created, so one key may be used from several threads. */
struct gt_key;

/* Generates a new private key. On success *out is set; caller frees with gt_key_free().
 * *out is NULL on failure. */
int gt_key_generate(struct gt_key **out);

/* Builds a private key from its raw 32-byte RFC 8032 secret (seed); the seed is borrowed and
 * not kept. Caller frees *out with gt_key_free(). Meant for test vectors and imports. */
int gt_key_from_private_raw(const uint8_t seed[GT_KEY_SEED_LEN], struct gt_key **out);

/* Builds a public-only key from a raw 32-byte public key. Caller frees *out with
 * gt_key_free(). The bytes are not checked to be a curve point (OpenSSL offers no such
 * check); a key that is not one never verifies anything. */
int gt_key_from_public(const uint8_t pub[GT_ED25519_PUB_LEN], struct gt_key **out);

/* Returns 1 if k holds a private key, 0 if it is public-only or NULL. */
int gt_key_has_private(const struct gt_key *k);

/* Writes the private key as PKCS#8 PEM ("BEGIN PRIVATE KEY", unencrypted, the format of
 * `openssl genpkey -algorithm ed25519`) to a new file at path, created with mode 0600 (set
 * explicitly, whatever the umask), written, fsynced, then the directory is fsynced. Refuses
 * an existing path with GT_EEXIST and a public-only key with GT_EINVAL; on failure no file
 * is left behind. The in-memory copy of the encoded key is wiped. */
int gt_key_save(const struct gt_key *k, const char *path);

/* Same as gt_key_load_why(path, out, NULL). */
int gt_key_load(const char *path, struct gt_key **out);

/* Loads a private Ed25519 key from a PKCS#8 (or any OpenSSL-readable, unencrypted) PEM file.
 * Caller frees *out with gt_key_free(); *out is NULL on failure. Returns GT_ENOENT for a
 * missing file, GT_EPERM for a file with any group or other permission bit (mode & 077; fix
 * with chmod 600), GT_ETOOBIG for a file over GT_KEY_FILE_MAX, GT_EINVAL for a file that is
 * not a regular file, not a PEM private key, encrypted, or not Ed25519. On failure *why
 * (optional) points to a static sentence saying what to fix. The file buffer is wiped. */
int gt_key_load_why(const char *path, struct gt_key **out, const char **why);

/* Copies the raw 32-byte public key of k into pub. */
int gt_key_public(const struct gt_key *k, uint8_t pub[GT_ED25519_PUB_LEN]);

/* Writes the key id of a raw public key (see GT_KEY_ID_LEN) and a NUL into out. */
int gt_key_id_from_public(const uint8_t pub[GT_ED25519_PUB_LEN], char out[GT_KEY_ID_LEN + 1]);

/* Writes the key id of k and a NUL into out. */
int gt_key_id(const struct gt_key *k, char out[GT_KEY_ID_LEN + 1]);

/* Signs msg[0..len) (pure Ed25519, no pre-hash) into sig. msg may be NULL only when len is 0.
 * Returns GT_EINVAL for a public-only key. */
int gt_key_sign(const struct gt_key *k, const void *msg, size_t len,
                uint8_t sig[GT_ED25519_SIG_LEN]);

/* Verifies sig over msg[0..len) with the raw public key pub. Returns 0 if it verifies,
 * GT_EBADSIG if it does not (including a pub that is not a valid curve point), GT_EINVAL
 * for NULL arguments. Keeps no shared state: safe to call concurrently from any thread. */
int gt_key_verify(const uint8_t pub[GT_ED25519_PUB_LEN], const void *msg, size_t len,
                  const uint8_t sig[GT_ED25519_SIG_LEN]);

/* Writes the padded base64 of k's raw public key and a NUL into out. */
int gt_key_public_b64(const struct gt_key *k, char out[GT_KEY_PUB_B64_LEN + 1]);

/* Parses the base64 text of a raw public key, text[0..len), into pub. One trailing "\n" or
 * "\r\n" is allowed (a line read from a file); anything else must be strict base64 of
 * exactly 32 bytes, or GT_EINVAL. */
int gt_key_public_from_b64(const char *text, size_t len, uint8_t pub[GT_ED25519_PUB_LEN]);

/* Writes k's public key as one line of base64 to a new file at path (mode 0644 minus the
 * umask); GT_EEXIST if path exists. This is what a client hands to the central
 * administrator for registration. */
int gt_key_save_public(const struct gt_key *k, const char *path);

/* Reads a public key file written by gt_key_save_public() into pub. */
int gt_key_load_public(const char *path, uint8_t pub[GT_ED25519_PUB_LEN]);

/* Frees a key, wiping its private part; accepts NULL. */
void gt_key_free(struct gt_key *k);

#endif
