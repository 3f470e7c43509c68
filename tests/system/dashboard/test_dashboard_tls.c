/* The dashboard beyond loopback (issue 11, item 1): with TLS (here forced on loopback with
 * --tls, as any other address gets it) it serves over HTTPS with a certificate it makes in the
 * home, answers nothing but a login prompt without the token it printed, refuses a wrong
 * token, and sets a Secure, HttpOnly cookie for the right one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dashfx.h"

static struct gt_dashfx fx;

static int setup(void **state)
{
	gt_dashfx_setup(&fx);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gt_dashfx_teardown(&fx);
	return 0;
}

static void test_tls_and_login(void **state)
{
	struct gt_dashfx_resp r;
	char login[256], path[512], cookie[128], cert[GT_PATH_MAX + 32];
	const char *tok, *at;
	(void)state;

	gt_dashfx_start_tls(&fx, fx.centre, login, sizeof(login));
	assert_int_equal(strncmp(fx.url, "https://", 8), 0);
	snprintf(cert, sizeof(cert), "%s/dashboard-cert.pem", fx.centre);
	assert_int_equal(access(cert, R_OK), 0);
	tok = strstr(login, "/masuk?token=");
	assert_non_null(tok);
	assert_int_equal(strlen(tok + strlen("/masuk?token=")), 32);

	/* Without the token: only the way to log in. */
	gt_dashfx_http(&fx, "/ringkasan", NULL, NULL, &r);
	assert_int_equal(r.status, 401);
	assert_null(strstr(r.body, "Indonesia"));
	gt_dashfx_resp_free(&r);
	gt_dashfx_http(&fx, "/masuk?token=00112233445566778899aabbccddeeff", NULL, NULL, &r);
	assert_int_equal(r.status, 403);
	gt_dashfx_resp_free(&r);
	gt_dashfx_http(&fx, "/ringkasan", NULL, "gttoken=00112233445566778899aabbccddeeff", &r);
	assert_int_equal(r.status, 401);
	gt_dashfx_resp_free(&r);

	/* The printed token logs in with a cookie only HTTPS carries. */
	gt_dashfx_http(&fx, tok, NULL, NULL, &r);
	assert_int_equal(r.status, 303);
	at = strstr(r.headers, "Set-Cookie: gttoken=");
	assert_non_null(at);
	assert_non_null(strstr(at, "Secure"));
	assert_non_null(strstr(at, "HttpOnly"));
	sscanf(at + strlen("Set-Cookie: "), "%127[^;]", cookie);
	gt_dashfx_resp_free(&r);
	snprintf(path, sizeof(path), "/ringkasan");
	gt_dashfx_http(&fx, path, NULL, cookie, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Indonesia"));
	gt_dashfx_resp_free(&r);
	gt_dashfx_stop(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls_and_login),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
