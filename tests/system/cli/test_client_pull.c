/* Integration: a province pulls its districts' values chunk by chunk; an interrupted pull
 * (stopped or killed) resumes from its cursor; the replica equals the server's data. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "testserver.h"

/* Imports n values of KK_KORBAN (four options per month, back from 2026-09) and pushes. */
static void push_values(struct gt_testserver *ts, const char *home, int n, int tag)
{
	struct gt_clirun r;
	char path[4300];
	size_t cap = (size_t)n * 40 + 64, used;
	char *text = malloc(cap);
	static const char *const opts[] = {"PD", "AP", "LD", "AL"};

	assert_non_null(text);
	used = (size_t)snprintf(text, cap, "dataelement,period,categoryoptioncombo,value\n");
	for (int i = 0; i < n; i++) {
		int m = i / 4, year = 2026 - (m + 3) / 12, month = 12 - ((m + 3) % 12);
		used += (size_t)snprintf(text + used, cap - used, "KK_KORBAN,%04d%02d,%s,%d\n",
		                         year, month, opts[i % 4], tag * 1000 + i);
	}
	snprintf(path, sizeof(path), "%s/%s-%d.csv", ts->dir, strrchr(home, '/') + 1, tag);
	gt_clirun_write(path, text);
	free(text);
	const char *imp[] = {"import", path, NULL};
	gt_clirun_ok(&r, home, imp, 120);
	gt_clirun_free(&r);
	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun_ok(&r, home, push, 120);
	gt_clirun_free(&r);
}

static void expect_replica_equals_server(struct gt_testserver *ts, const char *prov)
{
	struct gt_clirun_values server, replica;

	gt_clirun_server_values(ts, "53", &server);
	gt_clirun_replica_values(prov, "53", &replica);
	assert_true(server.n > 0);
	assert_int_equal(replica.n, server.n);
	for (size_t i = 0; i < server.n; i++)
		assert_string_equal(replica.lines[i], server.lines[i]);
	gt_clirun_values_free(&server);
	gt_clirun_values_free(&replica);
}

static void test_resumable_pull(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char d1[4200], d2[4200], d3[4200], prov[4200];
	const char *status[] = {"status", "--format", "plain", NULL};

	gt_clirun_client(ts, "d1", "53.71", "operator", d1, sizeof(d1));
	gt_clirun_client(ts, "d2", "53.72", "operator", d2, sizeof(d2));
	gt_clirun_client(ts, "d3", "36.71", "operator", d3, sizeof(d3)); /* another province */
	gt_clirun_client(ts, "prov", "53", "aggregator", prov, sizeof(prov));
	push_values(ts, d1, 24, 1);
	push_values(ts, d2, 16, 1);
	push_values(ts, d3, 8, 1);

	/* Two chunks of five, then stop: the cursor is saved with them. */
	const char *pull_part[] = {"pull", "--chunk", "5", "--max-chunks", "2", NULL};
	gt_clirun_ok(&r, prov, pull_part, 120);
	assert_non_null(strstr(r.out, "10 values"));
	assert_non_null(strstr(r.out, "more is waiting"));
	gt_clirun_free(&r);
	gt_clirun_ok(&r, prov, status, 120);
	assert_int_equal(gt_clirun_kv_num(r.out, "replica_values"), 10);
	gt_clirun_free(&r);
	/* The rest, from the cursor. */
	const char *pull[] = {"pull", "--chunk", "5", NULL};
	gt_clirun_ok(&r, prov, pull, 120);
	assert_non_null(strstr(r.out, "30 values"));
	assert_non_null(strstr(r.out, "up to date"));
	gt_clirun_free(&r);
	expect_replica_equals_server(ts, prov);
	gt_clirun_ok(&r, prov, status, 120);
	assert_int_equal(gt_clirun_kv_num(r.out, "replica_values"), 40);
	assert_int_equal(gt_clirun_kv_num(r.out, "replica_units"), 2); /* not 36.71 */
	gt_clirun_free(&r);

	/* Nothing new: an empty pull. New values: only the changes come. */
	gt_clirun_ok(&r, prov, pull, 120);
	assert_non_null(strstr(r.out, "0 values"));
	gt_clirun_free(&r);
	push_values(ts, d1, 8, 2); /* changes 8 of d1's values */
	gt_clirun_ok(&r, prov, pull, 120);
	assert_non_null(strstr(r.out, "8 values"));
	gt_clirun_free(&r);
	expect_replica_equals_server(ts, prov);

	/* A pull killed at any moment resumes: the replica ends equal to the server. */
	push_values(ts, d2, 400, 3);
	for (int round = 0; round < 2; round++) {
		struct gt_clirun_bg bg;
		const char *slow[] = {"pull", "--chunk", "2", NULL};
		gt_clirun_spawn(&bg, ts->dir, prov, NULL, slow);
		usleep(round == 0 ? 30 * 1000 : 80 * 1000);
		kill(bg.pid, SIGKILL);
		gt_clirun_wait(&r, &bg, 60);
		gt_clirun_free(&r);
	}
	gt_clirun_ok(&r, prov, pull, 120);
	gt_clirun_free(&r);
	expect_replica_equals_server(ts, prov);

	/* A province may not pull another province. */
	const char *other[] = {"pull", "--org", "36", NULL};
	gt_clirun(&r, prov, NULL, 60, other);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "refused to send 36's data"));
	gt_clirun_free(&r);

	assert_int_equal(gt_testserver_stop(ts), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_resumable_pull, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
