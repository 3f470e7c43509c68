/* Integration (issue 14): an office's gtsync checks the server's transparency log on every
 * exchange. When the centre's store is rewritten behind the server's back (a log entry
 * rewritten and the tree recomputed, or an acknowledged batch removed), the next exchange
 * raises an alarm with both tree heads, every exchange is refused and `gtsync status` shows
 * it until an operator acknowledges it with `gtsync alarm --acknowledge`. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clirun.h"
#include "testserver.h"

/* Runs args, which must fail with the alarm on stderr. */
static void run_alarm(const char *home, const char *const *args, const char *says)
{
	struct gt_clirun r;

	gt_clirun(&r, home, NULL, 60, args);
	if (r.status == 0 || strstr(r.err, "ALARM: the server's history changed") == NULL ||
	    strstr(r.err, says) == NULL)
		fail_msg("gtsync %s: expected the alarm (%s), got %d: %s%s", args[0], says,
		         r.status, r.out, r.err);
	gt_clirun_free(&r);
}

static long long client_scalar(const char *home, const char *sql)
{
	char cmd[4600], buf[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sqlite3 '%s/client.db' \"%s\"", home, sql);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(buf, sizeof(buf), p) == NULL)
		buf[0] = '\0';
	pclose(p);
	return buf[0] ? atoll(buf) : -1;
}

/* Stops the server, runs sql on its store, makes it rebuild its tree from the (changed) log
 * as an older store's migration does, and starts it again: a history rewritten and its tree
 * recomputed to match (its key records recomputed too, in another order). */
static void rewrite_history(struct gt_testserver *ts, const char *sql)
{
	char cmd[8000], listen[64];
	const char *again[] = {"--listen", listen, NULL};

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", ts->port);
	assert_int_equal(gt_testserver_stop(ts), 0);
	snprintf(cmd, sizeof(cmd),
	         "sqlite3 '%s/gtsync.db' \"%s; DROP TABLE log_tree; "
	         "ALTER TABLE batch_log DROP COLUMN leaf; DROP TABLE read_log; PRAGMA user_version "
	         "= 5;\"",
	         ts->data, sql);
	assert_int_equal(system(cmd), 0);
	gt_testserver_start(ts, again);
}

static const char *const pull[] = {"pull", NULL};
static const char *const push[] = {"push", "--no-retry", NULL};
static const char *const status[] = {"status", NULL};
static const char *const alarm[] = {"alarm", NULL};
static const char *const ack[] = {"alarm", "--acknowledge", NULL};

static void set_value(const char *home, const char *value)
{
	const char *const set[] = {"set",    "--dataset", "KK",  "KK_KORBAN",
	                           "202401", "PD",        value, NULL};
	gt_clirun_ok(NULL, home, set, 60);
}

/* A log entry rewritten: the consistency proof from the office's head fails. */
static void a_rewritten_history_raises_the_alarm(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char home[4200];

	gt_clirun_client(ts, "d1", "53.71", "operator", home, sizeof(home));
	set_value(home, "3");
	gt_clirun_ok(NULL, home, push, 60);
	gt_clirun_ok(NULL, home, pull, 60);
	/* The office holds a verified head, and its batch was proven included. */
	assert_true(client_scalar(home, "SELECT size FROM tree_head") >= 2);
	assert_int_equal(client_scalar(home, "SELECT count(*) FROM batch WHERE leaf IS NULL"), 0);
	assert_int_equal(client_scalar(home, "SELECT count(*) FROM batch"), 1);

	rewrite_history(ts, "UPDATE batch_log SET signature = zeroblob(64) WHERE log_index = 1");
	run_alarm(home, pull, "does not extend the history this office verified");
	/* Every exchange is refused while the alarm is open, and status shows both heads. */
	set_value(home, "5");
	run_alarm(home, push, "does not extend");
	/* In Bahasa Indonesia where the office speaks it (the default). */
	{
		const char *const env_id[] = {"LANGUAGE=", "LC_ALL=", "LC_MESSAGES=", "LANG=C",
		                              NULL};

		gt_clirun(&r, home, env_id, 60, pull);
		assert_int_not_equal(r.status, 0);
		if (strstr(r.err, "ALARM: riwayat server berubah") == NULL)
			fail_msg("the alarm in Bahasa Indonesia: %s", r.err);
		gt_clirun_free(&r);
	}
	gt_clirun(&r, home, NULL, 60, status);
	assert_non_null(strstr(r.out, "ALARM (raised"));
	assert_non_null(strstr(r.out, "tree head this office verified:"));
	assert_non_null(strstr(r.out, "tree head the server showed:"));
	gt_clirun_free(&r);
	gt_clirun(&r, home, NULL, 60, alarm);
	assert_int_equal(r.status, 1);
	gt_clirun_free(&r);
	/* An operator acknowledges it: exchanges resume from the server's head. */
	gt_clirun_ok(NULL, home, ack, 60);
	gt_clirun_ok(NULL, home, pull, 60);
	gt_clirun(&r, home, NULL, 60, status);
	assert_null(strstr(r.out, "ALARM (raised"));
	gt_clirun_free(&r);
	gt_clirun_ok(NULL, home, alarm, 60);
}

/* An acknowledged batch removed from the log (and its tree recomputed): its inclusion proof
 * is refused, and that is the alarm. */
static void a_removed_batch_raises_the_alarm(void **state)
{
	struct gt_testserver *ts = *state;
	char home[4200];

	gt_clirun_client(ts, "d2", "53.72", "operator", home, sizeof(home));
	gt_clirun_ok(NULL, home, pull, 60);
	set_value(home, "4");
	gt_clirun_ok(NULL, home, push, 60);
	/* Not proven yet: it was acknowledged after this session's check. */
	assert_int_equal(client_scalar(home, "SELECT count(*) FROM batch WHERE leaf IS NULL"), 1);
	/* The batch and its leaf with the nodes its append made, the rest of the tree kept. */
	{
		char cmd[8000], listen[64];
		const char *again[] = {"--listen", listen, NULL};

		snprintf(listen, sizeof(listen), "127.0.0.1:%d", ts->port);
		assert_int_equal(gt_testserver_stop(ts), 0);
		snprintf(
		    cmd, sizeof(cmd),
		    "sqlite3 '%s/gtsync.db' \"DELETE FROM log_tree WHERE id >= 64 * (SELECT "
		    "leaf FROM batch_log ORDER BY log_index DESC LIMIT 1); DELETE FROM batch_log "
		    "WHERE log_index = (SELECT max(log_index) FROM batch_log);\"",
		    ts->data);
		assert_int_equal(system(cmd), 0);
		gt_testserver_start(ts, again);
	}
	run_alarm(home, pull, "batch 1, which it acknowledged, is not in its log");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(a_rewritten_history_raises_the_alarm,
	                                    gt_clirun_server_setup, gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_removed_batch_raises_the_alarm,
	                                    gt_clirun_server_setup, gt_clirun_server_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
