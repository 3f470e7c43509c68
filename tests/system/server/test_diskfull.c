/* Fault test: the real server under a file-size limit refuses clearly, stays intact, recovers. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "crypto.h"
#include "error.h"
#include "period.h"
#include "session.h"
#include "testserver.h"
#include "wire.h"

#define MAX_BATCHES 3000 /* bound on the pushes needed to fill the limit */

/* Batch seq of 12 KK_LP values with a long comment, so the limit fills quickly: this month's
 * value (past months expire) at revision seq, each batch logged whole. */
static void make_batch(const struct gt_key *k, uint64_t seq, struct gt_test_signed *out)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue v[12], *vp[12];
	char period[GT_PERIOD_MAX_LEN], comment[2048];
	struct gt_date today;
	struct gt_period month;

	assert_int_equal(gt_date_from_days(gt_clock_wall_ms() / 86400000, &today), 0);
	assert_int_equal(gt_period_from_date(GT_PERIOD_MONTHLY, &today, &month), 0);
	assert_int_equal(gt_period_format(&month, period, sizeof(period)), 0);
	memset(comment, 'x', sizeof(comment) - 1);
	comment[sizeof(comment) - 1] = '\0';
	for (int m = 0; m < 12; m++) {
		gtsync__v1__data_value__init(&v[m]);
		v[m].data_element = "KK_LP";
		v[m].org_unit = "53.71";
		v[m].period = period;
		v[m].value = "1";
		v[m].comment = comment;
		v[m].revision = seq;
		vp[m] = &v[m];
	}
	b.values = vp;
	b.n_values = 12;
	gt_test_sign_batch(k, "53.71", seq, &b, out);
}

static void integrity_ok(const char *db)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static void full_disk_refused_then_recovers(void **state)
{
	struct gt_testserver ts;
	struct gt_key *k;
	struct gt_session *s = NULL;
	struct gt_session_err err;
	struct gt_test_signed *b = calloc(MAX_BATCHES, sizeof(*b));
	char db[GT_PATH_MAX], wrapper[128], cmd[256];
	struct stat st;
	int acked = 0, refused_at = -1;
	(void)state;

	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&ts);
	k = gt_testserver_key(&ts, "53.71", "operator");
	snprintf(db, sizeof(db), "%s/gtsync.db", ts.data);
	assert_int_equal(stat(db, &st), 0);
	/* No file of the server may grow past 1 MiB more than the store is now. */
	snprintf(wrapper, sizeof(wrapper), "prlimit --fsize=%lld:unlimited",
	         (long long)st.st_size + 1024 * 1024);
	ts.wrapper = wrapper;
	gt_testserver_start(&ts, NULL);
	s = gt_testserver_session(&ts, k, &err);
	assert_non_null(s);

	for (int i = 0; i < MAX_BATCHES && refused_at < 0; i++) {
		make_batch(k, (uint64_t)i + 1, &b[i]);
		gt_envelope *ack = gt_test_push(s, &b[i]);
		if (ack->push_ack->status == GTSYNC__V1__PUSH_STATUS__PUSH_OK) {
			acked++;
		} else {
			assert_int_equal(ack->push_ack->status,
			                 GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED);
			assert_int_equal(ack->push_ack->refuse_code, GT_ENOSPC);
			assert_non_null(strstr(ack->push_ack->message, "disk is full"));
			refused_at = i;
		}
		gt_wire_envelope_free(ack);
	}
	assert_true(refused_at > 0);
	assert_true(gt_testserver_alive(&ts));
	/* The store is intact while the disk is full. */
	integrity_ok(db);

	/* Space returns: lift the limit on the running server; the same batch is accepted. */
	snprintf(cmd, sizeof(cmd), "prlimit --pid %d --fsize=unlimited:unlimited", (int)ts.pid);
	assert_int_equal(system(cmd), 0);
	gt_envelope *ack = gt_test_push(s, &b[refused_at]);
	assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_OK);
	gt_wire_envelope_free(ack);
	gt_session_close(s);
	assert_int_equal(gt_testserver_stop(&ts), 0);
	integrity_ok(db);

	/* Every batch acknowledged before, and the one after, is stored. */
	sqlite3 *h;
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM batch_log", -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), acked + 1);
	sqlite3_finalize(q);
	sqlite3_close(h);
	assert_true(gt_testserver_log_count(&ts, "disk is full") >= 1);

	for (int i = 0; i < MAX_BATCHES; i++)
		free(b[i].bytes);
	free(b);
	gt_key_free(k);
	gt_testserver_teardown(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(full_disk_refused_then_recovers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
