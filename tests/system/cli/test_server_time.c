/* The server tells clients its wall-clock time (Unix milliseconds) in AuthResult, so a client
 * can notice that its own clock is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include "key.h"
#include "session.h"
#include "testserver.h"

static void test_server_time_is_unix_ms(void **state)
{
	struct gt_testserver ts;
	struct gt_session *s = NULL;
	struct gt_session_err err;
	gt_envelope *auth = NULL;
	struct gt_key *k;
	int64_t now = (int64_t)time(NULL) * 1000, got;
	(void)state;

	gt_testserver_setup(&ts);
	gt_testserver_start(&ts, NULL);
	k = gt_testserver_key(&ts, "53.71", "operator");
	struct gt_session_opts o = {.server = ts.addr, .ca_path = ts.cert, .key = k};
	assert_int_equal(gt_session_open(&o, &s, &auth, &err), 0);
	got = auth->auth_result->server_time_ms;
	gt_wire_envelope_free(auth);
	gt_session_close(s);
	gt_key_free(k);
	gt_testserver_teardown(&ts);
	/* Within a day of this machine's clock (the server runs on the same machine). */
	if (got < now - 86400000 || got > now + 86400000)
		fail_msg("server_time_ms is %lld, the Unix time in ms is about %lld",
		         (long long)got, (long long)now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_server_time_is_unix_ms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
