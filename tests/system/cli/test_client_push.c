/* Integration: pushes that meet a dead server, a server that comes back, and a client killed
 * at any moment of a push; afterwards the server holds every value exactly once. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "clock.h"
#include "cstore.h"
#include "period.h"
#include "testserver.h"

static const char *const status_args[] = {"status", "--format", "plain", NULL};

/* Writes a CSV of n GT_CATATAN-free numeric values for 53.71 (KK_KORBAN over months of several
 * years back from this one, tagged so a second file changes every value) and imports it; the
 * years past KK's expiry are opened for late entry first, as the chain does. */
static void import_values(struct gt_testserver *ts, const char *home, int n, int tag)
{
	struct gt_clirun r;
	char path[4300], years[128] = "";
	size_t cap = (size_t)n * 40 + 64, used;
	char *text = malloc(cap);
	struct gt_date today;
	int months = (n + 3) / 4;

	assert_non_null(text);
	assert_int_equal(gt_date_from_days(gt_clock_wall_ms() / 86400000, &today), 0);
	for (int y = today.year - (months + 12) / 12; y <= today.year; y++)
		snprintf(years + strlen(years), sizeof(years) - strlen(years), "%d ", y);
	gt_testserver_open_late(ts, "53.71", years);
	used = (size_t)snprintf(text, cap, "dataelement,period,categoryoptioncombo,value\n");
	for (int i = 0; i < n; i++) {
		/* Four options per month, months back from this one. */
		static const char *const opts[] = {"PD", "AP", "LD", "AL"};
		int m = i / 4 + (12 - today.month);
		int year = today.year - m / 12, month = 12 - m % 12;
		used += (size_t)snprintf(text + used, cap - used, "KK_KORBAN,%04d%02d,%s,%d\n",
		                         year, month, opts[i % 4], tag * 1000 + i);
	}
	snprintf(path, sizeof(path), "%s/values-%d-%d.csv", ts->dir, n, tag);
	gt_clirun_write(path, text);
	free(text);
	const char *imp[] = {"import", path, NULL};
	gt_clirun(&r, home, NULL, 60, imp);
	if (r.status != 0)
		fail_msg("import failed: %s%s", r.out, r.err);
	gt_clirun_free(&r);
}

/* The server holds exactly what the client last entered for each value, each once, and the
 * server logged exactly the batches the client had acknowledged. */
static void check_exactly_once(struct gt_testserver *ts, const char *home, long long values)
{
	struct gt_clirun_values server;
	struct gt_clirun r;
	struct gt_cstore *st;
	struct gt_cstore_status s;
	char db[4300], key_id[32];

	gt_clirun(&r, home, NULL, 60, status_args);
	assert_int_equal(gt_clirun_kv_num(r.out, "queued"), 0);
	assert_int_equal(gt_clirun_kv_num(r.out, "batched"), 0);
	assert_int_equal(gt_clirun_kv_num(r.out, "batches_pending"), 0);
	assert_int_equal(gt_clirun_kv_num(r.out, "refused"), 0);
	assert_int_equal(gt_clirun_kv_num(r.out, "conflict"), 0);
	gt_clirun_free(&r);

	gt_clirun_server_values(ts, "53.71", &server);
	assert_int_equal((long long)server.n, values);
	/* Each server value is the latest the client entered (value column of the line). */
	snprintf(db, sizeof(db), "%s/client.db", home);
	assert_int_equal(gt_cstore_open(db, &st), 0);
	for (size_t i = 0; i < server.n; i++) {
		char ou[16], de[64], pe[16], coc[16], val[64];
		double want;
		if (sscanf(server.lines[i], "%15[^|]|%63[^|]|%15[^|]|%15[^|]|%63[^|]|", ou, de, pe,
		           coc, val) != 5)
			fail_msg("unexpected server line %s", server.lines[i]);
		assert_int_equal(gt_cstore_latest_number(st, de, pe, ou, coc, &want), 0);
		assert_true(atof(val) == want);
	}
	assert_int_equal(gt_cstore_status(st, &s), 0);
	gt_clirun_key_id(home, key_id, sizeof(key_id));
	assert_int_equal(gt_clirun_server_batches(ts, key_id),
	                 (unsigned long)s.batches[GT_CSTORE_BATCH_ACKED]);
	gt_cstore_close(st);
	gt_clirun_values_free(&server);
}

/* Connection refused: the values stay queued and the message says so; once the server is back
 * on the same address, the push goes through. */
static void test_server_down_then_up(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char home[GT_PATH_MAX], listen[64];

	gt_clirun_client(ts, "d1", "53.71", "operator", home, sizeof(home));
	import_values(ts, home, 40, 1);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", ts->port);
	assert_int_equal(gt_testserver_stop(ts), 0);

	const char *push1[] = {"push", "--no-retry", NULL};
	gt_clirun(&r, home, NULL, 60, push1);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "is unreachable (connection refused)"));
	assert_non_null(strstr(r.err, "40 values stay queued and go out with the next 'gtsync "
	                              "push'"));
	gt_clirun_free(&r);
	gt_clirun(&r, home, NULL, 60, status_args);
	assert_int_equal(gt_clirun_kv_num(r.out, "queued"), 40);
	assert_non_null(strstr(r.out, "last_error=\"connection refused\""));
	gt_clirun_free(&r);

	/* Retries with backoff: the server comes back during them. */
	const char *push2[] = {"push", "--retries", "20", "--retry-base-ms", "200", NULL};
	struct gt_clirun_bg bg;
	gt_clirun_spawn(&bg, ts->dir, home, NULL, push2);
	usleep(600 * 1000);
	const char *again[] = {"--listen", listen, NULL};
	gt_testserver_start(ts, again);
	gt_clirun_wait(&r, &bg, 120);
	if (r.status != 0)
		fail_msg("push after the server came back exited %d:\n%s%s", r.status, r.out,
		         r.err);
	assert_non_null(strstr(r.err, "retrying in"));
	assert_non_null(strstr(r.err, "(try 2 of 20)"));
	assert_non_null(strstr(r.out, "40 values acknowledged"));
	gt_clirun_free(&r);
	check_exactly_once(ts, home, 40);
}

/* GTSYNC_TEST_DIE_AFTER_SAVE / _SEND end the client like kill -9 right after a batch is saved,
 * or sent; the next push resends the saved batches and the server holds each value once. */
static void test_die_after_save_and_send(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char home[GT_PATH_MAX];

	gt_clirun_client(ts, "d1", "53.71", "operator", home, sizeof(home));
	import_values(ts, home, 60, 1);

	const char *push[] = {"push", "--no-retry", "--batch-values", "7", NULL};
	const char *die_save[] = {"GTSYNC_TEST_DIE_AFTER_SAVE=3", NULL};
	gt_clirun(&r, home, die_save, 60, push);
	assert_int_equal(r.status, 86);
	gt_clirun_free(&r);
	gt_clirun(&r, home, NULL, 60, status_args);
	assert_int_equal(gt_clirun_kv_num(r.out, "batches_pending"), 3);
	assert_int_equal(gt_clirun_kv_num(r.out, "batched"), 21);
	assert_int_equal(gt_clirun_kv_num(r.out, "queued"), 39);
	gt_clirun_free(&r);
	gt_clirun(&r, home, NULL, 60, push);
	if (r.status != 0)
		fail_msg("push exited %d:\n%s%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.out, "60 values acknowledged"));
	gt_clirun_free(&r);
	check_exactly_once(ts, home, 60);

	/* Die right after the 4th batch left: the server may hold batches the client never saw
	 * acknowledged; they come back as duplicates. */
	import_values(ts, home, 60, 2);
	const char *die_send[] = {"GTSYNC_TEST_DIE_AFTER_SEND=4", NULL};
	gt_clirun(&r, home, die_send, 60, push);
	assert_int_equal(r.status, 86);
	gt_clirun_free(&r);
	usleep(300 * 1000); /* let the server commit what it received */
	gt_clirun(&r, home, NULL, 60, push);
	if (r.status != 0)
		fail_msg("push exited %d:\n%s%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.out, "60 values acknowledged"));
	assert_null(strstr(r.out, "(0 new, 0 already")); /* something was resent */
	gt_clirun_free(&r);
	check_exactly_once(ts, home, 60);
}

/* A real kill -9 at arbitrary moments of a long push, then a push to finish. */
static void test_kill9_anywhere(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char home[GT_PATH_MAX];
	const unsigned delays_ms[] = {40, 90, 160, 250};
	int interrupted = 0;

	gt_clirun_client(ts, "d1", "53.71", "operator", home, sizeof(home));
	for (int round = 0; round < 4; round++) {
		struct gt_clirun_bg bg;
		import_values(ts, home, 400, round + 1);
		const char *push[] = {"push", "--no-retry", "--batch-values", "3", NULL};
		gt_clirun_spawn(&bg, ts->dir, home, NULL, push);
		usleep(delays_ms[round] * 1000);
		kill(bg.pid, SIGKILL);
		gt_clirun_wait(&r, &bg, 60);
		gt_clirun_free(&r);
		gt_clirun(&r, home, NULL, 60, status_args);
		fprintf(
		    stderr, "round %d: killed after %u ms: queued=%lld batched=%lld pending=%lld\n",
		    round, delays_ms[round], gt_clirun_kv_num(r.out, "queued"),
		    gt_clirun_kv_num(r.out, "batched"), gt_clirun_kv_num(r.out, "batches_pending"));
		if (gt_clirun_kv_num(r.out, "queued") + gt_clirun_kv_num(r.out, "batched") > 0)
			interrupted++;
		gt_clirun_free(&r);
		gt_clirun(&r, home, NULL, 120, push);
		if (r.status != 0)
			fail_msg("push after kill -9 exited %d:\n%s%s", r.status, r.out, r.err);
		gt_clirun_free(&r);
		check_exactly_once(ts, home, 400);
	}
	/* The kills did cut pushes short (else the test proves nothing). */
	assert_true(interrupted >= 2);
	assert_int_equal(gt_testserver_stop(ts), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_server_down_then_up, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(test_die_after_save_and_send, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(test_kill9_anywhere, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
