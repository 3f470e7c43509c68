/* Tests for common/addr.c: HOST:PORT parsing and formatting, IP literals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "error.h"

/* Parses s and formats it back. */
static int round_trip(const char *s, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	int rc = gt_addr_parse(s, &ss);

	if (rc == GT_OK)
		gt_addr_format((const struct sockaddr *)&ss, buf, len);
	return rc;
}

static void parses_and_formats(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(round_trip("127.0.0.1:7443", buf, sizeof(buf)), GT_OK);
	assert_string_equal(buf, "127.0.0.1:7443");
	assert_int_equal(round_trip("localhost:0", buf, sizeof(buf)), GT_OK);
	assert_string_equal(buf, "127.0.0.1:0");
	assert_int_equal(round_trip("[::1]:65535", buf, sizeof(buf)), GT_OK);
	assert_string_equal(buf, "[::1]:65535");
	assert_int_equal(round_trip(GT_DEFAULT_LISTEN, buf, sizeof(buf)), GT_OK);
	assert_string_equal(buf, GT_DEFAULT_LISTEN);
}

static void refuses_bad_addresses(void **state)
{
	struct sockaddr_storage ss;

	(void)state;
	assert_int_equal(gt_addr_parse(NULL, &ss), GT_EINVAL);
	assert_int_equal(gt_addr_parse("127.0.0.1", &ss), GT_EINVAL);
	assert_int_equal(gt_addr_parse("127.0.0.1:65536", &ss), GT_EINVAL);
	assert_int_equal(gt_addr_parse("127.0.0.1:-1", &ss), GT_EINVAL);
	assert_int_equal(gt_addr_parse(":7443", &ss), GT_EINVAL);
	assert_int_equal(gt_addr_parse("example.org:7443", &ss), GT_EINVAL);
	assert_int_equal(gt_addr_parse("[::1]7443", &ss), GT_EINVAL);
	assert_int_equal(gt_addr_parse("[]:7443", &ss), GT_EINVAL);
	assert_int_equal(gt_addr_parse("::1:7443", &ss), GT_EINVAL);
}

/* gt_addr_is_ip_literal decides whether a certificate names an IP or a DNS name (issue 16
 * moved it here from tls.c, for tlscert.c). */
static void ip_literals(void **state)
{
	(void)state;
	assert_int_equal(gt_addr_is_ip_literal("127.0.0.1"), 1);
	assert_int_equal(gt_addr_is_ip_literal("10.1.2.3"), 1);
	assert_int_equal(gt_addr_is_ip_literal("::1"), 1);
	assert_int_equal(gt_addr_is_ip_literal("fe80::1:2"), 1);
	assert_int_equal(gt_addr_is_ip_literal("localhost"), 0);
	assert_int_equal(gt_addr_is_ip_literal("[::1]"), 0);
	assert_int_equal(gt_addr_is_ip_literal("127.0.0.1:80"), 0);
	assert_int_equal(gt_addr_is_ip_literal("256.0.0.1"), 0);
	assert_int_equal(gt_addr_is_ip_literal(""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_and_formats),
	    cmocka_unit_test(refuses_bad_addresses),
	    cmocka_unit_test(ip_literals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
