/* Tests for common/encode.c: RFC 4648 vectors, strict decoding, sizes and overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "encode.h"
#include "error.h"

/* RFC 4648 section 10 test vectors. */
static const struct {
	const char *plain, *b64, *b16;
} rfc4648[] = {
    {"", "", ""},
    {"f", "Zg==", "66"},
    {"fo", "Zm8=", "666f"},
    {"foo", "Zm9v", "666f6f"},
    {"foob", "Zm9vYg==", "666f6f62"},
    {"fooba", "Zm9vYmE=", "666f6f6261"},
    {"foobar", "Zm9vYmFy", "666f6f626172"},
};

static void base64_vectors(void **state)
{
	char text[16];
	uint8_t bin[16];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		const char *p = rfc4648[i].plain, *b = rfc4648[i].b64;
		assert_int_equal(gt_base64_encoded_len(strlen(p)), strlen(b));
		assert_int_equal(
		    gt_base64_encode((const uint8_t *)p, strlen(p), text, sizeof(text)), GT_OK);
		assert_string_equal(text, b);
		n = 99;
		assert_int_equal(gt_base64_decode(b, strlen(b), bin, sizeof(bin), &n), GT_OK);
		assert_int_equal(n, strlen(p));
		assert_memory_equal(bin, p, n);
		assert_true(gt_base64_decoded_max(strlen(b)) >= n);
	}
}

static void hex_vectors(void **state)
{
	char text[16];
	uint8_t bin[16];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		const char *p = rfc4648[i].plain, *h = rfc4648[i].b16;
		assert_int_equal(gt_hex_encoded_len(strlen(p)), strlen(h));
		assert_int_equal(gt_hex_encode((const uint8_t *)p, strlen(p), text, sizeof(text)),
		                 GT_OK);
		assert_string_equal(text, h);
		assert_int_equal(gt_hex_decode(h, strlen(h), bin, sizeof(bin), &n), GT_OK);
		assert_int_equal(n, strlen(p));
		assert_int_equal(gt_hex_decoded_len(strlen(h)), n);
		assert_memory_equal(bin, p, n);
	}
}

static void hex_case_and_errors(void **state)
{
	uint8_t bin[4] = {1, 2, 3, 4};
	const uint8_t before[4] = {1, 2, 3, 4};
	uint8_t hi[2] = {0xab, 0xcd};
	char text[5];
	size_t n = 7;

	(void)state;
	assert_int_equal(gt_hex_encode(hi, 2, text, sizeof(text)), GT_OK);
	assert_string_equal(text, "abcd");
	assert_int_equal(gt_hex_decode("ABcd", 4, bin, sizeof(bin), &n), GT_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(bin, hi, 2);

	memcpy(bin, before, sizeof(bin));
	const char *bad[] = {"abc", "0g", "zz", " 0a", "0a\n", "0x00", "+1", "a"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 7;
		assert_int_equal(gt_hex_decode(bad[i], strlen(bad[i]), bin, sizeof(bin), &n),
		                 GT_EINVAL);
		assert_int_equal(n, 0);
		assert_memory_equal(bin, before, sizeof(bin));
	}
	/* An embedded NUL is not a hex digit. */
	assert_int_equal(gt_hex_decode("0\0", 2, bin, sizeof(bin), &n), GT_EINVAL);
	/* A valid text that does not fit leaves out untouched. */
	assert_int_equal(gt_hex_decode("0102030405", 10, bin, sizeof(bin), &n), GT_ETOOBIG);
	assert_int_equal(n, 0);
	assert_memory_equal(bin, before, sizeof(bin));
	/* The encoder needs room for the NUL. */
	assert_int_equal(gt_hex_encode(hi, 2, text, 4), GT_ETOOBIG);
	assert_int_equal(gt_hex_encode(NULL, 1, text, sizeof(text)), GT_EINVAL);
	assert_int_equal(gt_hex_decode(NULL, 2, bin, sizeof(bin), &n), GT_EINVAL);
	assert_int_equal(gt_hex_decode("", 0, NULL, 0, &n), GT_OK);
	assert_int_equal(n, 0);
}

static void base64_strictness(void **state)
{
	const char *bad[] = {
	    "Zg",          /* missing padding */
	    "Zg=",         /* short padding */
	    "Zg=a",        /* padding in the middle of a group */
	    "Z===",        /* three padding characters */
	    "====",        /* only padding */
	    "=Zg=",        /* leading padding */
	    "Zg==Zg==",    /* padding before the last group */
	    "Zh==",        /* non-zero bits dropped by the padding */
	    "Zm9=",        /* non-zero bits dropped by the padding */
	    "Zm9v\n",      /* trailing newline */
	    "Zm9v\r\n",    /* trailing CRLF */
	    " Zm9v",       /* leading space */
	    "Zm 9v",       /* inner space */
	    "Zm9v-_==",    /* URL-safe alphabet */
	    "Zm9v\x80===", /* high byte */
	    "Zm9vYmFy=",   /* stray padding after a full group */
	    "Zm9vY",       /* length not a multiple of four */
	};
	uint8_t bin[16];
	const uint8_t before[16] = {9, 9, 9};
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(bin, before, sizeof(bin));
		n = 7;
		assert_int_equal(gt_base64_decode(bad[i], strlen(bad[i]), bin, sizeof(bin), &n),
		                 GT_EINVAL);
		assert_int_equal(n, 0);
		assert_memory_equal(bin, before, sizeof(bin));
	}
	assert_int_equal(gt_base64_decode("Zm\0v", 4, bin, sizeof(bin), &n), GT_EINVAL);
	/* Exact fit succeeds, one byte short is refused without writing. */
	assert_int_equal(gt_base64_decode("Zm9vYg==", 8, bin, 4, &n), GT_OK);
	assert_int_equal(n, 4);
	memcpy(bin, before, sizeof(bin));
	assert_int_equal(gt_base64_decode("Zm9vYg==", 8, bin, 3, &n), GT_ETOOBIG);
	assert_int_equal(n, 0);
	assert_memory_equal(bin, before, sizeof(bin));
	assert_int_equal(gt_base64_decode(NULL, 4, bin, sizeof(bin), &n), GT_EINVAL);
	assert_int_equal(gt_base64_decode("", 0, NULL, 0, &n), GT_OK);
}

static void base64_all_bytes_round_trip(void **state)
{
	uint8_t in[256], back[256];
	char text[400];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	for (size_t len = 0; len <= sizeof(in); len += 1 + len / 8) {
		size_t want = gt_base64_encoded_len(len);
		assert_int_equal(gt_base64_encode(in, len, text, want + 1), GT_OK);
		assert_int_equal(strlen(text), want);
		if (want > 0)
			assert_int_equal(gt_base64_encode(in, len, text, want), GT_ETOOBIG);
		assert_int_equal(gt_base64_encode(in, len, text, want + 1), GT_OK);
		assert_int_equal(gt_base64_decode(text, want, back, sizeof(back), &n), GT_OK);
		assert_int_equal(n, len);
		assert_memory_equal(back, in, len);
	}
	assert_int_equal(gt_base64_encode(in, 3, text, sizeof(text)), GT_OK);
	assert_string_equal(text, "AAEC");
	uint8_t ff[3] = {0xff, 0xfe, 0xfb};
	assert_int_equal(gt_base64_encode(ff, 3, text, sizeof(text)), GT_OK);
	assert_string_equal(text, "//77");
}

static void sizes_do_not_overflow(void **state)
{
	char text[8];
	uint8_t one = 0;

	(void)state;
	assert_int_equal(gt_base64_encoded_len(0), 0);
	assert_int_equal(gt_base64_encoded_len(1), 4);
	assert_int_equal(gt_base64_encoded_len(3), 4);
	assert_int_equal(gt_base64_encoded_len(4), 8);
	assert_int_equal(gt_base64_encoded_len(SIZE_MAX), 0);
	/* The largest input whose encoding and NUL still fit in size_t, and one more. */
	assert_int_equal(gt_base64_encoded_len(SIZE_MAX / 4 * 3), SIZE_MAX - 3);
	assert_int_equal(gt_base64_encoded_len(SIZE_MAX / 4 * 3 + 1), 0);
	assert_int_equal(gt_base64_decoded_max(SIZE_MAX), SIZE_MAX / 4 * 3);
	assert_int_equal(gt_hex_encoded_len(SIZE_MAX / 2), SIZE_MAX - 1);
	assert_int_equal(gt_hex_encoded_len(SIZE_MAX / 2 + 1), 0);
	assert_int_equal(gt_hex_decoded_len(SIZE_MAX), SIZE_MAX / 2);
	/* A length whose encoding cannot be represented is refused, not wrapped. */
	assert_int_equal(gt_base64_encode(&one, SIZE_MAX, text, sizeof(text)), GT_ETOOBIG);
	assert_int_equal(gt_hex_encode(&one, SIZE_MAX, text, sizeof(text)), GT_ETOOBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(base64_vectors),
	    cmocka_unit_test(hex_vectors),
	    cmocka_unit_test(hex_case_and_errors),
	    cmocka_unit_test(base64_strictness),
	    cmocka_unit_test(base64_all_bytes_round_trip),
	    cmocka_unit_test(sizes_do_not_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
