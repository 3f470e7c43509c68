/* A store damaged behind the running server's back (issue 10, item 12): the first corruption
 * error stops all writing, every push is refused with a clear sentence (so the client keeps the
 * batch queued), and the next start refuses the store after its integrity check. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "period.h"
#include "session.h"
#include "testserver.h"
#include "testutil.h"

/* Overwrites the root page of every table and index the writer uses for a push with 0xff
 * (an invalid page type); the server's start reads none of them. */
static void corrupt_roots(const char *db_path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int pages[64], n = 0, page_size = 0;

	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	page_size = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT rootpage FROM sqlite_master WHERE tbl_name IN "
	                                    "('batch_log', 'datavalues', 'completions', "
	                                    "'workflow_events', 'workflow_state') AND rootpage > 1",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW && n < 64)
		pages[n++] = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_true(n >= 5);

	uint8_t *junk = malloc((size_t)page_size);
	assert_non_null(junk);
	memset(junk, 0xff, (size_t)page_size);
	int fd = open(db_path, O_WRONLY);
	assert_true(fd >= 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(
		    pwrite(fd, junk, (size_t)page_size, (off_t)(pages[i] - 1) * page_size),
		    page_size);
	fsync(fd);
	close(fd);
	free(junk);
}

/* Pushes one value for this month as k; returns the ack (caller frees). */
static gt_envelope *push_one(struct gt_session *s, const struct gt_key *k, uint64_t seq)
{
	char this_month[GT_PERIOD_MAX_LEN];
	struct gt_date today;
	struct gt_period month;
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue v = GTSYNC__V1__DATA_VALUE__INIT, *vp = &v;
	struct gt_test_signed sb;

	assert_int_equal(gt_date_from_days(gt_clock_wall_ms() / 86400000, &today), 0);
	assert_int_equal(gt_period_from_date(GT_PERIOD_MONTHLY, &today, &month), 0);
	assert_int_equal(gt_period_format(&month, this_month, sizeof(this_month)), 0);
	v.data_element = "KK_LP";
	v.org_unit = "53.71";
	v.period = this_month;
	v.value = "1";
	v.revision = seq;
	b.values = &vp;
	b.n_values = 1;
	gt_test_sign_batch(k, "53.71", seq, &b, &sb);
	gt_envelope *ack = gt_test_push(s, &sb);
	free(sb.bytes);
	return ack;
}

static void corruption_stops_writing(void **state)
{
	struct gt_testserver ts;
	char db[GT_PATH_MAX + 16], path[GT_PATH_MAX];
	(void)state;

	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&ts);
	struct gt_key *op = gt_testserver_key(&ts, "53.71", "operator");
	gt_testserver_start(&ts, NULL);
	struct gt_session *s = gt_testserver_session(&ts, op, NULL);
	assert_non_null(s);

	snprintf(db, sizeof(db), "%s/gtsync.db", ts.data);
	corrupt_roots(db);
	for (uint64_t seq = 1; seq <= 3; seq++) {
		gt_envelope *ack = push_one(s, op, seq);
		assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED);
		assert_int_equal(ack->push_ack->refuse_code, GT_ECORRUPT);
		assert_non_null(strstr(ack->push_ack->message, "store is damaged"));
		assert_non_null(strstr(ack->push_ack->message, "keep it queued"));
		gt_wire_envelope_free(ack);
	}
	gt_session_close(s);
	/* Said once, with what to do. */
	assert_int_equal(gt_testserver_log_count(&ts, "store_corrupt"), 1);
	assert_int_equal(gt_testserver_log_count(&ts, "gtsync-server restore"), 1);
	(void)gt_testserver_stop(&ts);

	/* The next start checks the store and refuses it. */
	assert_int_equal(gt_testserver_run_briefly(&ts), 1);
	snprintf(path, sizeof(path), "%s/run.log", ts.dir);
	size_t len;
	char *out = (char *)gt_test_read_file(path, &len);
	assert_non_null(out);
	assert_non_null(strstr(out, "the store is damaged"));
	free(out);
	gt_key_free(op);
	gt_testserver_teardown(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(corruption_stops_writing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
