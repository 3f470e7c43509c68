/* Tests of the client store's batches: sequence numbers, saved batches, acknowledgements,
 * conflicts and refusals, and transactions that fail. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cstore.h"
#include "cstorefx.h"
#include "error.h"

static void test_sequences_and_batches(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore_batch *p;
	struct gt_cstore_status s;
	uint64_t seq;
	size_t n;

	assert_int_equal(gt_cstore_next_sequence(f->st, 0, &seq), GT_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(gt_cstore_next_sequence(f->st, 10, &seq), GT_OK);
	assert_int_equal(seq, 11);
	gt_cstorefx_make_batch(f->st, 11, 3, "a");
	/* Never reused: above the saved batch even when the server knows less. */
	assert_int_equal(gt_cstore_next_sequence(f->st, 5, &seq), GT_OK);
	assert_int_equal(seq, 12);
	gt_cstorefx_make_batch(f->st, 12, 2, "b");
	assert_int_equal(gt_cstore_batches_pending(f->st, &p, &n), GT_OK);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].seq, 11);
	assert_int_equal(p[0].n_values, 3);
	assert_int_equal(p[0].len, 3);
	assert_memory_equal(p[0].bytes, "abc", 3);
	assert_int_equal(p[0].batch_id[0], 11);
	assert_int_equal(p[1].seq, 12);
	gt_cstore_batches_free(p, n);
	gt_cstorefx_status(f->st, &s);
	assert_int_equal(s.values[GT_CSTORE_BATCHED], 5);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_PENDING], 2);
	/* A batch number used twice is refused by the store itself. */
	struct gt_cstore_batch dup = {.seq = 12, .bytes = (uint8_t *)"z", .len = 1};
	assert_int_not_equal(gt_cstore_batch_save(f->st, &dup, NULL, 0, GT_CSTOREFX_NOW), GT_OK);
	gt_cstorefx_status(f->st, &s);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_PENDING], 2);
}

struct seen {
	int n;
	int reasons[16];
	char values[16][32];
};

static int on_problem(void *arg, const struct gt_cstore_problem *p)
{
	struct seen *s = arg;
	if (s->n < 16) {
		s->reasons[s->n] = p->state == GT_CSTORE_CONFLICT ? p->reason : 1000 + (-p->reason);
		snprintf(s->values[s->n], sizeof(s->values[0]), "%s", p->value);
	}
	s->n++;
	return 0;
}

static void test_acks_and_refusals(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore_status s;
	struct gt_cstore_batch *p;
	struct seen seen = {0};
	uint32_t conflicts = 99, idx[2] = {0, 2};
	size_t n;

	gt_cstorefx_make_batch(f->st, 1, 3, "a");
	gt_cstorefx_make_batch(f->st, 2, 2, "b");
	gt_cstorefx_make_batch(f->st, 3, 2, "c");
	gt_cstorefx_make_batch(f->st, 4, 1, "d");

	/* Batch 1: two values skipped as stale. */
	assert_int_equal(
	    gt_cstorefx_ack_conflict(f->st, 1, GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION,
	                             GTSYNC__V1__ITEM_KIND__ITEM_VALUE, idx, 2,
	                             "a newer revision of the value is already stored", &conflicts),
	    GT_OK);
	assert_int_equal(conflicts, 2);
	/* The same ack again changes nothing. */
	assert_int_equal(
	    gt_cstorefx_ack_conflict(f->st, 1, GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION,
	                             GTSYNC__V1__ITEM_KIND__ITEM_VALUE, idx, 2,
	                             "a newer revision of the value is already stored", &conflicts),
	    GT_OK);
	assert_int_equal(conflicts, 0);

	/* Batch 2: the server's disk was full: kept, to send again. */
	assert_int_equal(gt_cstore_batch_refused(f->st, 2, GT_ENOSPC, "disk full", GT_CSTORE_RETRY,
	                                         GT_CSTOREFX_NOW),
	                 GT_OK);
	/* Batch 3: a sequence reused: its values go back to the queue. */
	assert_int_equal(gt_cstore_batch_refused(f->st, 3, GT_ECONFLICT, "reused",
	                                         GT_CSTORE_REQUEUE, GT_CSTOREFX_NOW),
	                 GT_OK);
	/* Batch 4: not authorized: refused for good. */
	assert_int_equal(gt_cstore_batch_refused(f->st, 4, GT_EPERM, "not yours", GT_CSTORE_REFUSE,
	                                         GT_CSTOREFX_NOW),
	                 GT_OK);
	gt_cstorefx_status(f->st, &s);
	assert_int_equal(s.values[GT_CSTORE_ACKED], 1);
	assert_int_equal(s.values[GT_CSTORE_CONFLICT], 2);
	assert_int_equal(s.values[GT_CSTORE_BATCHED], 2);
	assert_int_equal(s.values[GT_CSTORE_QUEUED], 2);
	assert_int_equal(s.values[GT_CSTORE_REFUSED], 1);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_PENDING], 1);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_ACKED], 1);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_REFUSED], 2);
	assert_int_equal(gt_cstore_batches_pending(f->st, &p, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].seq, 2);
	assert_int_equal(p[0].tries, 1);
	gt_cstore_batches_free(p, n);

	/* Conflicts first, grouped by reason, then refusals. */
	assert_int_equal(gt_cstore_problems(f->st, on_problem, &seen), GT_OK);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.reasons[0], GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION);
	assert_string_equal(seen.values[0], "a0");
	assert_string_equal(seen.values[1], "a2");
	assert_int_equal(seen.reasons[2], 1000 + (-GT_EPERM));
	assert_string_equal(seen.values[2], "d0");
	/* Re-entering a value in conflict hides the old conflict. */
	struct gt_cstore_value v = gt_cstorefx_val("GT_CATATAN", "200101", "", "a0-fixed");
	assert_int_equal(gt_cstore_queue(f->st, &v, GT_CSTOREFX_NOW, NULL), GT_OK);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(gt_cstore_problems(f->st, on_problem, &seen), GT_OK);
	assert_int_equal(seen.n, 2);
}

/* A transaction cut by the file-size limit (the disk full) leaves the outbox as it was. */
static void test_failed_transaction_keeps_outbox(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore_status before, after;
	struct stat sb;
	pid_t pid;
	int status_code;

	gt_cstorefx_make_batch(f->st, 1, 2, "kept");
	gt_cstorefx_status(f->st, &before);
	/* A rollback by the caller. */
	assert_int_equal(gt_cstore_begin(f->st), GT_OK);
	struct gt_cstore_value v = gt_cstorefx_val("KK_LP", "202607", "", "9");
	assert_int_equal(gt_cstore_queue(f->st, &v, GT_CSTOREFX_NOW, NULL), GT_OK);
	gt_cstore_rollback(f->st);
	gt_cstorefx_status(f->st, &after);
	assert_memory_equal(&before, &after, sizeof(before));

	/* A child process writes a large transaction under a tight file-size limit. */
	gt_cstore_close(f->st);
	f->st = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct gt_cstore *st;
		struct rlimit rl;
		char big[4000], period[8];
		int rc = GT_OK;
		signal(SIGXFSZ, SIG_IGN);
		if (stat(f->path, &sb) != 0 || gt_cstore_open(f->path, &st) != GT_OK)
			_exit(10);
		rl.rlim_cur = rl.rlim_max = (rlim_t)sb.st_size + 64 * 1024;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(11);
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		if (gt_cstore_begin(st) != GT_OK)
			_exit(12);
		for (int i = 0; i < 2000 && rc == GT_OK; i++) {
			snprintf(period, sizeof(period), "%04d%02d", 2000 + i / 12, i % 12 + 1);
			struct gt_cstore_value w = gt_cstorefx_val("GT_CATATAN", period, "", big);
			rc = gt_cstore_queue(st, &w, GT_CSTOREFX_NOW, NULL);
		}
		if (rc == GT_OK)
			rc = gt_cstore_commit(st);
		else
			gt_cstore_rollback(st);
		gt_cstore_close(st);
		_exit(rc == GT_ENOSPC || rc == GT_EIO || rc == GT_ESTORE ? 0 : 13);
	}
	assert_int_equal(waitpid(pid, &status_code, 0), pid);
	assert_true(WIFEXITED(status_code));
	assert_int_equal(WEXITSTATUS(status_code), 0);
	assert_int_equal(gt_cstore_open(f->path, &f->st), GT_OK);
	gt_cstorefx_status(f->st, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	/* And the store still works. */
	assert_int_equal(gt_cstore_queue(f->st, &v, GT_CSTOREFX_NOW, NULL), GT_OK);
	gt_cstorefx_status(f->st, &after);
	assert_int_equal(after.values[GT_CSTORE_QUEUED], before.values[GT_CSTORE_QUEUED] + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sequences_and_batches, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_acks_and_refusals, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_failed_transaction_keeps_outbox, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
