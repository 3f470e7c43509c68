/* Tests for common/crypto.c: SHA-256 vectors, incremental hashing, randomness, comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"
#include "encode.h"
#include "error.h"

/* Asserts that digest equals the 64-character hex text want. */
static void assert_digest(const uint8_t digest[32], const char *want)
{
	char hex[65];

	assert_int_equal(gt_hex_encode(digest, 32, hex, sizeof(hex)), GT_OK);
	assert_string_equal(hex, want);
}

static const char abc_sha256[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char empty_sha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/* FIPS 180-2 two-block message and its digest. */
static const char two_block[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char two_block_sha256[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

static void sha256_vectors(void **state)
{
	uint8_t d[32];

	(void)state;
	assert_int_equal(gt_crypto_sha256("abc", 3, d), GT_OK);
	assert_digest(d, abc_sha256);
	assert_int_equal(gt_crypto_sha256("", 0, d), GT_OK);
	assert_digest(d, empty_sha256);
	assert_int_equal(gt_crypto_sha256(NULL, 0, d), GT_OK);
	assert_digest(d, empty_sha256);
	assert_int_equal(gt_crypto_sha256(two_block, strlen(two_block), d), GT_OK);
	assert_digest(d, two_block_sha256);
}

static void sha256_bad_arguments(void **state)
{
	uint8_t d[32];

	(void)state;
	assert_int_equal(gt_crypto_sha256(NULL, 1, d), GT_EINVAL);
	assert_int_equal(gt_crypto_sha256("abc", 3, NULL), GT_EINVAL);
	assert_int_equal(gt_crypto_sha256_update(NULL, "a", 1), GT_EINVAL);
	assert_int_equal(gt_crypto_sha256_final(NULL, d), GT_EINVAL);
}

static void sha256_incremental(void **state)
{
	struct gt_crypto_sha256 *h = NULL;
	uint8_t d[32];

	(void)state;
	assert_int_equal(gt_crypto_sha256_init(&h), GT_OK);
	assert_non_null(h);
	/* Byte by byte, with empty updates in between. */
	for (size_t i = 0; i < strlen(two_block); i++) {
		assert_int_equal(gt_crypto_sha256_update(h, two_block + i, 1), GT_OK);
		assert_int_equal(gt_crypto_sha256_update(h, NULL, 0), GT_OK);
	}
	assert_int_equal(gt_crypto_sha256_final(h, d), GT_OK);
	assert_digest(d, two_block_sha256);
	/* final resets the context for a new message. */
	assert_int_equal(gt_crypto_sha256_update(h, "ab", 2), GT_OK);
	assert_int_equal(gt_crypto_sha256_update(h, "c", 1), GT_OK);
	assert_int_equal(gt_crypto_sha256_final(h, d), GT_OK);
	assert_digest(d, abc_sha256);
	assert_int_equal(gt_crypto_sha256_final(h, d), GT_OK);
	assert_digest(d, empty_sha256);
	assert_int_equal(gt_crypto_sha256_update(h, NULL, 1), GT_EINVAL);
	gt_crypto_sha256_free(h);
	gt_crypto_sha256_free(NULL);
}

static void sha256_incremental_matches_one_shot(void **state)
{
	struct gt_crypto_sha256 *h = NULL;
	uint8_t buf[10000], a[32], b[32];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	assert_int_equal(gt_crypto_sha256(buf, sizeof(buf), a), GT_OK);
	assert_int_equal(gt_crypto_sha256_init(&h), GT_OK);
	for (size_t off = 0, step = 1; off < sizeof(buf); off += step, step = step * 2 + 1) {
		size_t n = step < sizeof(buf) - off ? step : sizeof(buf) - off;
		assert_int_equal(gt_crypto_sha256_update(h, buf + off, n), GT_OK);
	}
	assert_int_equal(gt_crypto_sha256_final(h, b), GT_OK);
	assert_memory_equal(a, b, 32);
	gt_crypto_sha256_free(h);
}

static void random_bytes(void **state)
{
	uint8_t a[32], b[32], zero[32] = {0};

	(void)state;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_int_equal(gt_crypto_random(a, sizeof(a)), GT_OK);
	assert_int_equal(gt_crypto_random(b, sizeof(b)), GT_OK);
	/* Each equality has probability 2^-256. */
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_int_equal(gt_crypto_random(NULL, 0), GT_OK);
	assert_int_equal(gt_crypto_random(NULL, 1), GT_EINVAL);
}

static void equal_and_wipe(void **state)
{
	uint8_t a[16], b[16];

	(void)state;
	memset(a, 0x5a, sizeof(a));
	memset(b, 0x5a, sizeof(b));
	assert_int_equal(gt_crypto_equal(a, b, sizeof(a)), 1);
	b[15] ^= 0x01;
	assert_int_equal(gt_crypto_equal(a, b, sizeof(a)), 0);
	b[15] ^= 0x01;
	b[0] ^= 0x80;
	assert_int_equal(gt_crypto_equal(a, b, sizeof(a)), 0);
	assert_int_equal(gt_crypto_equal(a, b, 0), 1);
	gt_crypto_wipe(a, sizeof(a));
	for (size_t i = 0; i < sizeof(a); i++)
		assert_int_equal(a[i], 0);
	gt_crypto_wipe(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sha256_vectors),
	    cmocka_unit_test(sha256_bad_arguments),
	    cmocka_unit_test(sha256_incremental),
	    cmocka_unit_test(sha256_incremental_matches_one_shot),
	    cmocka_unit_test(random_bytes),
	    cmocka_unit_test(equal_and_wipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
