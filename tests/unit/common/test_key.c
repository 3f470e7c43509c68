/* Tests for common/key.c: RFC 8032 vectors, tampering, key files, ids and base64 public keys. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "encode.h"
#include "error.h"
#include "key.h"
#include "testutil.h"

/* Decodes a hex literal into out, which must be exactly its size. */
static void unhex(const char *hex, uint8_t *out, size_t len)
{
	size_t n = 0;

	assert_int_equal(gt_hex_decode(hex, strlen(hex), out, len, &n), GT_OK);
	assert_int_equal(n, len);
}

/* RFC 8032 section 7.1, tests 1 and 2. */
static const struct {
	const char *secret, *public, *message, *signature;
} rfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
     "b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1"
     "1d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

static void rfc8032_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc8032) / sizeof(rfc8032[0]); i++) {
		uint8_t seed[32], pub[32], want_pub[32], sig[64], want_sig[64], msg[1];
		size_t mlen = strlen(rfc8032[i].message) / 2;
		struct gt_key *k = NULL;

		unhex(rfc8032[i].secret, seed, sizeof(seed));
		unhex(rfc8032[i].public, want_pub, sizeof(want_pub));
		unhex(rfc8032[i].signature, want_sig, sizeof(want_sig));
		unhex(rfc8032[i].message, msg, mlen);
		assert_int_equal(gt_key_from_private_raw(seed, &k), GT_OK);
		assert_true(gt_key_has_private(k));
		assert_int_equal(gt_key_public(k, pub), GT_OK);
		assert_memory_equal(pub, want_pub, 32);
		assert_int_equal(gt_key_sign(k, msg, mlen, sig), GT_OK);
		assert_memory_equal(sig, want_sig, 64);
		assert_int_equal(gt_key_verify(want_pub, msg, mlen, want_sig), GT_OK);
		gt_key_free(k);
	}
}

static void empty_message_may_be_null(void **state)
{
	uint8_t seed[32], pub[32], sig[64], want_sig[64];
	struct gt_key *k = NULL;

	(void)state;
	unhex(rfc8032[0].secret, seed, sizeof(seed));
	unhex(rfc8032[0].public, pub, sizeof(pub));
	unhex(rfc8032[0].signature, want_sig, sizeof(want_sig));
	assert_int_equal(gt_key_from_private_raw(seed, &k), GT_OK);
	assert_int_equal(gt_key_sign(k, NULL, 0, sig), GT_OK);
	assert_memory_equal(sig, want_sig, 64);
	assert_int_equal(gt_key_verify(pub, NULL, 0, sig), GT_OK);
	assert_int_equal(gt_key_sign(k, NULL, 1, sig), GT_EINVAL);
	assert_int_equal(gt_key_verify(pub, NULL, 1, sig), GT_EINVAL);
	gt_key_free(k);
}

static void key_id_definition(void **state)
{
	uint8_t pub[32];
	char id[GT_KEY_ID_LEN + 1];
	struct gt_key *k = NULL;

	(void)state;
	unhex(rfc8032[0].public, pub, sizeof(pub));
	/* First 8 bytes of SHA-256 of the raw public key, computed independently. */
	assert_int_equal(gt_key_id_from_public(pub, id), GT_OK);
	assert_string_equal(id, "21fe31dfa154a261");
	assert_int_equal(gt_key_from_public(pub, &k), GT_OK);
	memset(id, 'x', sizeof(id));
	assert_int_equal(gt_key_id(k, id), GT_OK);
	assert_string_equal(id, "21fe31dfa154a261");
	assert_int_equal(strlen(id), GT_KEY_ID_LEN);
	gt_key_free(k);
}

static void tampering_fails(void **state)
{
	struct gt_key *a = NULL, *b = NULL;
	uint8_t pa[32], pb[32], sig[64], sigb[64];
	uint8_t msg[100];

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7);
	assert_int_equal(gt_key_generate(&a), GT_OK);
	assert_int_equal(gt_key_generate(&b), GT_OK);
	assert_int_equal(gt_key_public(a, pa), GT_OK);
	assert_int_equal(gt_key_public(b, pb), GT_OK);
	assert_memory_not_equal(pa, pb, 32);
	assert_int_equal(gt_key_sign(a, msg, sizeof(msg), sig), GT_OK);
	assert_int_equal(gt_key_verify(pa, msg, sizeof(msg), sig), GT_OK);

	/* Every single flipped bit of the signature is caught. */
	for (size_t bit = 0; bit < 64 * 8; bit++) {
		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(gt_key_verify(pa, msg, sizeof(msg), sig), GT_EBADSIG);
		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* A flipped bit of the message, at either end, is caught. */
	msg[0] ^= 0x01;
	assert_int_equal(gt_key_verify(pa, msg, sizeof(msg), sig), GT_EBADSIG);
	msg[0] ^= 0x01;
	msg[99] ^= 0x80;
	assert_int_equal(gt_key_verify(pa, msg, sizeof(msg), sig), GT_EBADSIG);
	msg[99] ^= 0x80;
	/* A shorter message is caught. */
	assert_int_equal(gt_key_verify(pa, msg, sizeof(msg) - 1, sig), GT_EBADSIG);
	/* Another key's signature, and this signature under another key, fail. */
	assert_int_equal(gt_key_sign(b, msg, sizeof(msg), sigb), GT_OK);
	assert_int_equal(gt_key_verify(pa, msg, sizeof(msg), sigb), GT_EBADSIG);
	assert_int_equal(gt_key_verify(pb, msg, sizeof(msg), sig), GT_EBADSIG);
	assert_int_equal(gt_key_verify(pb, msg, sizeof(msg), sigb), GT_OK);
	/* The untouched signature still verifies. */
	assert_int_equal(gt_key_verify(pa, msg, sizeof(msg), sig), GT_OK);
	gt_key_free(a);
	gt_key_free(b);
}

static void malformed_public_keys(void **state)
{
	uint8_t bad[32], sig[64];

	(void)state;
	/* Arbitrary bytes as a key (0xff... is not even a canonical field element) and an all-zero
	 * signature: a refusal, never a library error. */
	memset(bad, 0, sizeof(bad));
	bad[0] = 2;
	memset(sig, 0, sizeof(sig));
	assert_int_equal(gt_key_verify(bad, "m", 1, sig), GT_EBADSIG);
	memset(bad, 0xff, sizeof(bad));
	assert_int_equal(gt_key_verify(bad, "m", 1, sig), GT_EBADSIG);
	assert_int_equal(gt_key_verify(NULL, "m", 1, sig), GT_EINVAL);
	assert_int_equal(gt_key_verify(bad, "m", 1, NULL), GT_EINVAL);
}

static void public_only_cannot_sign(void **state)
{
	struct gt_key *k = NULL, *p = NULL;
	uint8_t pub[32], pub2[32], sig[64];
	char *dir = gt_test_tmpdir("key-pub");
	char *path = NULL;

	(void)state;
	assert_int_equal(gt_key_generate(&k), GT_OK);
	assert_int_equal(gt_key_public(k, pub), GT_OK);
	assert_int_equal(gt_key_from_public(pub, &p), GT_OK);
	assert_false(gt_key_has_private(p));
	assert_false(gt_key_has_private(NULL));
	assert_int_equal(gt_key_public(p, pub2), GT_OK);
	assert_memory_equal(pub, pub2, 32);
	memset(sig, 0x11, sizeof(sig));
	assert_int_equal(gt_key_sign(p, "m", 1, sig), GT_EINVAL);
	assert_int_equal(asprintf(&path, "%s/pub.key", dir) > 0, 1);
	assert_int_equal(gt_key_save(p, path), GT_EINVAL);
	struct stat st;
	assert_int_equal(stat(path, &st), -1);
	gt_key_free(p);
	gt_key_free(k);
	gt_key_free(NULL);
	free(path);
	gt_test_rmtree(dir);
	free(dir);
}

/* Writes text to dir/name with mode; returns the path (caller frees). */
static char *write_file(const char *dir, const char *name, const void *text, size_t len,
                        mode_t mode)
{
	char *path = NULL;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void save_and_load(void **state)
{
	char *dir = gt_test_tmpdir("key-save");
	char *path = NULL;
	struct gt_key *k = NULL, *l = NULL;
	uint8_t pk[32], pl[32], sig[64];
	struct stat st;
	uint8_t *before, *after;
	size_t blen, alen;
	const char *why = "unset";

	(void)state;
	assert_true(asprintf(&path, "%s/district.key", dir) > 0);
	assert_int_equal(gt_key_generate(&k), GT_OK);
	assert_int_equal(gt_key_save(k, path), GT_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	before = gt_test_read_file(path, &blen);
	assert_non_null(before);
	assert_true(blen > 28);
	assert_memory_equal(before, "-----BEGIN PRIVATE KEY-----\n", 28);

	/* Saving again refuses to overwrite and leaves the file as it was. */
	struct gt_key *other = NULL;
	assert_int_equal(gt_key_generate(&other), GT_OK);
	assert_int_equal(gt_key_save(other, path), GT_EEXIST);
	after = gt_test_read_file(path, &alen);
	assert_non_null(after);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);

	assert_int_equal(gt_key_load_why(path, &l, &why), GT_OK);
	assert_null(why);
	assert_true(gt_key_has_private(l));
	assert_int_equal(gt_key_public(k, pk), GT_OK);
	assert_int_equal(gt_key_public(l, pl), GT_OK);
	assert_memory_equal(pk, pl, 32);
	assert_int_equal(gt_key_sign(l, "batch", 5, sig), GT_OK);
	assert_int_equal(gt_key_verify(pk, "batch", 5, sig), GT_OK);
	gt_key_free(l);
	l = NULL;

	/* Readable by others: refused with a reason. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(gt_key_load_why(path, &l, &why), GT_EPERM);
	assert_null(l);
	assert_non_null(why);
	assert_non_null(strstr(why, "chmod 600"));
	assert_int_equal(gt_key_load(path, &l), GT_EPERM);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(gt_key_load(path, &l), GT_EPERM);
	assert_int_equal(chmod(path, 0602), 0);
	assert_int_equal(gt_key_load(path, &l), GT_EPERM);
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(gt_key_load(path, &l), GT_OK);
	gt_key_free(l);

	free(before);
	free(after);
	gt_key_free(other);
	gt_key_free(k);
	free(path);
	gt_test_rmtree(dir);
	free(dir);
}

static void load_interoperates_with_openssl_pkcs8(void **state)
{
	/* `openssl pkey` output for the RFC 8032 test 1 secret key. */
	static const char pem[] =
	    "-----BEGIN PRIVATE KEY-----\n"
	    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
	    "-----END PRIVATE KEY-----\n";
	char *dir = gt_test_tmpdir("key-pkcs8");
	char *path = write_file(dir, "rfc.key", pem, strlen(pem), 0600);
	char *saved = NULL;
	struct gt_key *k = NULL;
	uint8_t pub[32], want[32];
	uint8_t *text;
	size_t len;

	(void)state;
	assert_int_equal(gt_key_load(path, &k), GT_OK);
	assert_int_equal(gt_key_public(k, pub), GT_OK);
	unhex(rfc8032[0].public, want, sizeof(want));
	assert_memory_equal(pub, want, 32);
	/* Saving writes the same bytes OpenSSL's own tools do. */
	assert_true(asprintf(&saved, "%s/again.key", dir) > 0);
	assert_int_equal(gt_key_save(k, saved), GT_OK);
	text = gt_test_read_file(saved, &len);
	assert_non_null(text);
	assert_int_equal(len, strlen(pem));
	assert_memory_equal(text, pem, len);
	free(text);
	gt_key_free(k);
	free(saved);
	free(path);
	gt_test_rmtree(dir);
	free(dir);
}

/* Writes pkey as PEM into a new string (caller frees); encrypted with a pass phrase if asked. */
static char *pem_of(EVP_PKEY *pkey, int encrypted, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *copy;
	long n;

	assert_non_null(bio);
	if (encrypted)
		assert_int_equal(PEM_write_bio_PrivateKey(bio, pkey, EVP_aes_256_cbc(),
		                                          (unsigned char *)"secret", 6, NULL, NULL),
		                 1);
	else
		assert_int_equal(PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(bio, &data);
	assert_true(n > 0);
	copy = malloc((size_t)n);
	assert_non_null(copy);
	memcpy(copy, data, (size_t)n);
	*len = (size_t)n;
	BIO_free(bio);
	return copy;
}

static void load_refuses_bad_files(void **state)
{
	char *dir = gt_test_tmpdir("key-bad");
	struct gt_key *k = (struct gt_key *)(uintptr_t)1;
	const char *why = NULL;
	char *path;
	size_t len;

	(void)state;
	/* Missing file. */
	assert_true(asprintf(&path, "%s/missing.key", dir) > 0);
	assert_int_equal(gt_key_load_why(path, &k, &why), GT_ENOENT);
	assert_null(k);
	assert_non_null(why);
	free(path);

	/* A directory. */
	assert_int_equal(gt_key_load(dir, &k), GT_EINVAL);

	/* Garbage, empty and public-key-only files. */
	path = write_file(dir, "garbage.key", "not a key\n", 10, 0600);
	assert_int_equal(gt_key_load_why(path, &k, &why), GT_EINVAL);
	assert_non_null(why);
	free(path);
	path = write_file(dir, "empty.key", "", 0, 0600);
	assert_int_equal(gt_key_load(path, &k), GT_EINVAL);
	free(path);
	static const char pub_pem[] =
	    "-----BEGIN PUBLIC KEY-----\n"
	    "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
	    "-----END PUBLIC KEY-----\n";
	path = write_file(dir, "public.pem", pub_pem, strlen(pub_pem), 0600);
	assert_int_equal(gt_key_load(path, &k), GT_EINVAL);
	free(path);

	/* A P-256 key is not Ed25519. */
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(ec);
	char *pem = pem_of(ec, 0, &len);
	path = write_file(dir, "ec.key", pem, len, 0600);
	assert_int_equal(gt_key_load_why(path, &k, &why), GT_EINVAL);
	assert_non_null(strstr(why, "Ed25519"));
	free(path);
	free(pem);
	EVP_PKEY_free(ec);

	/* An encrypted Ed25519 key is refused without asking for a pass phrase. */
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(ed);
	pem = pem_of(ed, 1, &len);
	assert_non_null(memmem(pem, len, "ENCRYPTED", 9));
	path = write_file(dir, "encrypted.key", pem, len, 0600);
	assert_int_equal(gt_key_load(path, &k), GT_EINVAL);
	free(path);
	free(pem);
	EVP_PKEY_free(ed);

	/* Too large to be a key: refused before reading it. */
	char *big = calloc(1, GT_KEY_FILE_MAX + 1);
	assert_non_null(big);
	memset(big, 'A', GT_KEY_FILE_MAX + 1);
	path = write_file(dir, "big.key", big, GT_KEY_FILE_MAX + 1, 0600);
	assert_int_equal(gt_key_load(path, &k), GT_ETOOBIG);
	free(path);
	free(big);

	assert_null(k);
	assert_int_equal(gt_key_load(NULL, &k), GT_EINVAL);
	gt_test_rmtree(dir);
	free(dir);
}

static void public_key_base64(void **state)
{
	char *dir = gt_test_tmpdir("key-b64");
	char *path = NULL;
	struct gt_key *k = NULL;
	uint8_t seed[32], pub[32], want[32];
	char b64[GT_KEY_PUB_B64_LEN + 1], line[GT_KEY_PUB_B64_LEN + 3];
	uint8_t *text;
	size_t len;
	struct stat st;

	(void)state;
	unhex(rfc8032[0].secret, seed, sizeof(seed));
	unhex(rfc8032[0].public, want, sizeof(want));
	assert_int_equal(gt_key_from_private_raw(seed, &k), GT_OK);
	assert_int_equal(gt_key_public_b64(k, b64), GT_OK);
	assert_string_equal(b64, "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
	assert_int_equal(gt_key_public_from_b64(b64, strlen(b64), pub), GT_OK);
	assert_memory_equal(pub, want, 32);
	snprintf(line, sizeof(line), "%s\r\n", b64);
	assert_int_equal(gt_key_public_from_b64(line, strlen(line), pub), GT_OK);
	/* Truncated, extended, or bytes of the wrong length are refused. */
	memset(pub, 0, sizeof(pub));
	assert_int_equal(gt_key_public_from_b64(b64, strlen(b64) - 4, pub), GT_EINVAL);
	assert_int_equal(gt_key_public_from_b64("Zm9v", 4, pub), GT_EINVAL);
	snprintf(line, sizeof(line), "%s\n\n", b64);
	assert_int_equal(gt_key_public_from_b64(line, strlen(line), pub), GT_EINVAL);
	snprintf(line, sizeof(line), " %s", b64);
	assert_int_equal(gt_key_public_from_b64(line, strlen(line), pub), GT_EINVAL);
	b64[42] = 'p'; /* Sets bits the padding drops. */
	assert_int_equal(gt_key_public_from_b64(b64, strlen(b64), pub), GT_EINVAL);
	for (size_t i = 0; i < sizeof(pub); i++)
		assert_int_equal(pub[i], 0);

	/* The public key file: one line, world-readable is fine, no overwrite. */
	assert_true(asprintf(&path, "%s/district.pub", dir) > 0);
	assert_int_equal(gt_key_save_public(k, path), GT_OK);
	text = gt_test_read_file(path, &len);
	assert_non_null(text);
	assert_int_equal(len, GT_KEY_PUB_B64_LEN + 1);
	assert_memory_equal(text, "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n", len);
	free(text);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(gt_key_load_public(path, pub), GT_OK);
	assert_memory_equal(pub, want, 32);
	assert_int_equal(gt_key_save_public(k, path), GT_EEXIST);
	gt_key_free(k);
	free(path);
	gt_test_rmtree(dir);
	free(dir);
}

struct verify_job {
	const uint8_t *pub, *sig, *msg;
	size_t len;
	int failures;
};

static void *verify_many(void *arg)
{
	struct verify_job *job = arg;
	uint8_t sig[64];

	memcpy(sig, job->sig, sizeof(sig));
	for (int i = 0; i < 200; i++) {
		if (gt_key_verify(job->pub, job->msg, job->len, sig) != GT_OK)
			job->failures++;
		sig[i % 64] ^= 0x04;
		if (gt_key_verify(job->pub, job->msg, job->len, sig) != GT_EBADSIG)
			job->failures++;
		sig[i % 64] ^= 0x04;
	}
	return NULL;
}

static void verify_concurrently(void **state)
{
	struct gt_key *k = NULL;
	uint8_t pub[32], sig[64];
	static const char msg[] = "2024S1 53.71 report";
	pthread_t th[4];
	struct verify_job jobs[4];

	(void)state;
	assert_int_equal(gt_key_generate(&k), GT_OK);
	assert_int_equal(gt_key_public(k, pub), GT_OK);
	assert_int_equal(gt_key_sign(k, msg, strlen(msg), sig), GT_OK);
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct verify_job){pub, sig, (const uint8_t *)msg, strlen(msg), 0};
		assert_int_equal(pthread_create(&th[i], NULL, verify_many, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].failures, 0);
	}
	gt_key_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc8032_vectors),
	    cmocka_unit_test(empty_message_may_be_null),
	    cmocka_unit_test(key_id_definition),
	    cmocka_unit_test(tampering_fails),
	    cmocka_unit_test(malformed_public_keys),
	    cmocka_unit_test(public_only_cannot_sign),
	    cmocka_unit_test(save_and_load),
	    cmocka_unit_test(load_interoperates_with_openssl_pkcs8),
	    cmocka_unit_test(load_refuses_bad_files),
	    cmocka_unit_test(public_key_base64),
	    cmocka_unit_test(verify_concurrently),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
