/* Tests for server/writer.c: group commits through the loop, and admission by weight. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "blog.h"
#include "error.h"
#include "store.h"
#include "testutil.h"
#include "writer.h"

struct fixture {
	char *dir;
	char *path;
	uv_loop_t loop;
	struct gt_writer *w;
	int closed;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct gt_store *st = NULL;

	assert_non_null(f);
	f->dir = gt_test_tmpdir("writer");
	assert_true(asprintf(&f->path, "%s/gtsync.db", f->dir) > 0);
	assert_int_equal(gt_store_open(f->path, 1, &st), 0);
	gt_store_close(st);
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_int_equal(gt_writer_open(&f->loop, f->path, NULL, &f->w), 0);
	*state = f;
	return 0;
}

static void on_closed(void *arg)
{
	struct fixture *f = arg;
	f->closed = 1;
}

static void on_closed_flag(void *arg)
{
	*(int *)arg = 1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gt_writer_close(f->w, on_closed, f);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_true(f->closed);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	gt_test_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* ---- Jobs ---- */

struct job {
	struct gt_wjob w;
	int applied, done, commit_rc;
	int fail;
};

static int job_apply(struct gt_store *st, struct gt_wjob *w)
{
	struct job *j = (struct job *)w;
	(void)st;
	j->applied++;
	return j->fail ? GT_EINVAL : 0;
}

static void job_done(struct gt_wjob *w, int commit_rc)
{
	struct job *j = (struct job *)w;
	j->done++;
	j->commit_rc = commit_rc;
}

static void jobs_commit_and_complete(void **state)
{
	struct fixture *f = *state;
	struct job jobs[20];

	memset(jobs, 0, sizeof(jobs));
	jobs[3].fail = 1; /* a failing job does not fail the others of its group */
	for (int i = 0; i < 20; i++) {
		jobs[i].w.apply = job_apply;
		jobs[i].w.done = job_done;
		jobs[i].w.weight = 10;
		assert_int_equal(gt_writer_submit(f->w, &jobs[i].w), 0);
	}
	/* Bounded: every job completes through the loop. */
	for (int k = 0; k < 1000 && gt_writer_pending(f->w) > 0; k++)
		uv_run(&f->loop, UV_RUN_ONCE);
	assert_int_equal(gt_writer_pending(f->w), 0);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(jobs[i].applied, 1);
		assert_int_equal(jobs[i].done, 1);
		assert_int_equal(jobs[i].commit_rc, 0);
		assert_int_equal(jobs[i].w.rc, i == 3 ? GT_EINVAL : 0);
	}
	assert_true(gt_writer_commits(f->w) >= 1);
	assert_true(gt_writer_commits(f->w) <= 20);
}

/* ---- Admission ---- */

struct ticket {
	struct gt_writer_ticket t;
	int started;
	int order;
	int *counter;        /* shared by a test's tickets: the start order */
	struct gt_writer *w; /* for a start that releases at once */
};

static void ticket_start(struct gt_writer_ticket *t)
{
	struct ticket *k = (struct ticket *)t;
	k->started++;
	if (k->counter != NULL)
		k->order = ++*k->counter;
}

static void admission_bounds_weight_in_order(void **state)
{
	struct fixture *f = *state;
	const size_t third = GT_WRITER_MAX_ADMITTED_BYTES / 3;
	struct ticket k[6];
	int counter = 0;

	memset(k, 0, sizeof(k));
	for (int i = 0; i < 6; i++) {
		k[i].t.start = ticket_start;
		k[i].counter = &counter;
		gt_writer_admit(f->w, &k[i].t, third);
	}
	/* Three thirds fit; the rest wait, in order. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(k[i].started, 1);
	for (int i = 3; i < 6; i++)
		assert_int_equal(k[i].started, 0);
	assert_int_equal(gt_writer_waiting(f->w), 3);
	gt_writer_release(f->w, &k[0].t);
	assert_int_equal(k[3].started, 1);
	assert_int_equal(k[4].started, 0);
	assert_int_equal(gt_writer_waiting(f->w), 2);
	gt_writer_release(f->w, &k[1].t);
	gt_writer_release(f->w, &k[2].t);
	assert_int_equal(k[4].started, 1);
	assert_int_equal(k[5].started, 1);
	for (int i = 0; i < 6; i++)
		assert_int_equal(k[i].order, i + 1);
	assert_int_equal(gt_writer_waiting(f->w), 0);
	for (int i = 3; i < 6; i++)
		gt_writer_release(f->w, &k[i].t);
}

static void admission_takes_an_oversized_ticket_alone(void **state)
{
	struct fixture *f = *state;
	struct ticket big, small;

	memset(&big, 0, sizeof(big));
	memset(&small, 0, sizeof(small));
	big.t.start = ticket_start;
	small.t.start = ticket_start;
	/* More than the bound, with nothing admitted: it goes, and the next one waits. */
	gt_writer_admit(f->w, &big.t, GT_WRITER_MAX_ADMITTED_BYTES * 2);
	assert_int_equal(big.started, 1);
	gt_writer_admit(f->w, &small.t, 1);
	assert_int_equal(small.started, 0);
	gt_writer_release(f->w, &big.t);
	assert_int_equal(small.started, 1);
	gt_writer_release(f->w, &small.t);
	assert_int_equal(gt_writer_waiting(f->w), 0);
}

/* A start that fails at once releases from inside the start callback. */
static void start_and_release(struct gt_writer_ticket *t)
{
	struct ticket *k = (struct ticket *)t;
	k->started++;
	gt_writer_release(k->w, t);
}

static void admission_release_inside_start(void **state)
{
	struct fixture *f = *state;
	const size_t half = GT_WRITER_MAX_ADMITTED_BYTES / 2;
	struct ticket hold, k[4];

	memset(&hold, 0, sizeof(hold));
	memset(k, 0, sizeof(k));
	hold.t.start = ticket_start;
	gt_writer_admit(f->w, &hold.t, GT_WRITER_MAX_ADMITTED_BYTES);
	for (int i = 0; i < 4; i++) {
		k[i].t.start = start_and_release;
		k[i].w = f->w;
		gt_writer_admit(f->w, &k[i].t, half);
	}
	assert_int_equal(gt_writer_waiting(f->w), 4);
	gt_writer_release(f->w, &hold.t);
	for (int i = 0; i < 4; i++)
		assert_int_equal(k[i].started, 1);
	assert_int_equal(gt_writer_waiting(f->w), 0);
	/* Everything was released: a full-weight ticket goes at once. */
	memset(&hold, 0, sizeof(hold));
	hold.t.start = ticket_start;
	gt_writer_admit(f->w, &hold.t, GT_WRITER_MAX_ADMITTED_BYTES);
	assert_int_equal(hold.started, 1);
	gt_writer_release(f->w, &hold.t);
}

/* issue 10 item 14: batches whose checks finish out of order reach the writer in the order
 * they were admitted (sequences only increase); a ticket released unpassed holds no one. */
struct ordered_job {
	struct gt_wjob w;
	int *next; /* the writer's apply counter */
	int at, done;
};

static int ordered_apply(struct gt_store *st, struct gt_wjob *w)
{
	struct ordered_job *j = (struct ordered_job *)w;
	(void)st;
	j->at = ++*j->next;
	return 0;
}

static void ordered_done(struct gt_wjob *w, int commit_rc)
{
	struct ordered_job *j = (struct ordered_job *)w;
	assert_int_equal(commit_rc, 0);
	j->done = 1;
}

static void jobs_pass_in_admission_order(void **state)
{
	struct fixture *f = *state;
	struct ticket k[4];
	struct ordered_job j[4];
	int next = 0;

	memset(k, 0, sizeof(k));
	memset(j, 0, sizeof(j));
	for (int i = 0; i < 4; i++) {
		k[i].t.start = ticket_start;
		j[i].w.apply = ordered_apply;
		j[i].w.done = ordered_done;
		j[i].w.weight = 1;
		j[i].next = &next;
		gt_writer_admit(f->w, &k[i].t, 10);
	}
	/* Checks finish 3, 2, (1 refused), 0: nothing goes before 0 is passed. */
	gt_writer_pass(f->w, &k[3].t, &j[3].w);
	gt_writer_pass(f->w, &k[2].t, &j[2].w);
	gt_writer_release(f->w, &k[1].t);
	for (int n = 0; n < 20; n++)
		uv_run(&f->loop, UV_RUN_NOWAIT);
	assert_int_equal(next, 0);
	assert_int_equal(gt_writer_pending(f->w), 0);
	gt_writer_pass(f->w, &k[0].t, &j[0].w);
	for (int n = 0; n < 1000 && gt_writer_pending(f->w) > 0; n++)
		uv_run(&f->loop, UV_RUN_ONCE);
	assert_int_equal(j[0].at, 1);
	assert_int_equal(j[2].at, 2);
	assert_int_equal(j[3].at, 3);
	for (int i = 0; i < 4; i++)
		if (i != 1) {
			assert_int_equal(j[i].done, 1);
			gt_writer_release(f->w, &k[i].t);
		}
}

/* ---- The batch journal ---- */

static int count_frames(void *arg, const struct gt_blog_frame *f, uint64_t end)
{
	(void)f;
	(void)end;
	(*(int *)arg)++;
	return 0;
}

/* Runs the loop until the writer has nothing pending (bounded). */
static void drain(uv_loop_t *loop, struct gt_writer *w)
{
	for (int k = 0; k < 100000 && gt_writer_pending(w) > 0; k++)
		uv_run(loop, UV_RUN_ONCE);
	assert_int_equal(gt_writer_pending(w), 0);
}

/* A journalled group lands in the journal and the store records the journal's end with it; a
 * job that is not journalled appends nothing; past GT_BLOG_ROTATE_BYTES a group syncs sqlite,
 * the store records the next generation and the journal starts afresh. */
static void journal_records_and_rotates(void **state)
{
	enum { N = 20, MIB = 1024 * 1024 };
	static const uint8_t pub[GT_ED25519_PUB_LEN] = {1}, sig[GT_ED25519_SIG_LEN] = {2};
	char *dir = gt_test_tmpdir("writer-journal"), *db = NULL, *jpath = NULL;
	uint8_t *big = calloc(1, MIB);
	struct gt_blog_entry ents[N];
	struct job jobs[N];
	struct gt_store *st = NULL;
	struct gt_blog *b = NULL;
	struct gt_writer *w = NULL;
	uv_loop_t loop;
	uint64_t gen = 0, off = 0, valid = 0, first_end = 0;
	const char *why;
	int closed = 0, frames = 0;
	(void)state;

	assert_non_null(big);
	assert_true(asprintf(&db, "%s/gtsync.db", dir) > 0);
	assert_true(asprintf(&jpath, "%s/gtsync.journal", dir) > 0);
	assert_int_equal(gt_store_open(db, 1, &st), 0);
	gt_store_close(st);
	assert_int_equal(gt_blog_create(jpath, 1, &b), 0);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(gt_writer_open_journal(&loop, db, NULL, b, &w), 0);
	memset(jobs, 0, sizeof(jobs));
	for (int i = 0; i < N; i++) {
		ents[i] = (struct gt_blog_entry){.received_ms = i,
		                                 .key_id = "803adf78ec035d9c",
		                                 .org_unit = "53.71",
		                                 .pub = pub,
		                                 .batch = big,
		                                 .batch_len = MIB,
		                                 .sig = sig,
		                                 .sig_len = sizeof(sig)};
		jobs[i].w.apply = job_apply;
		jobs[i].w.done = job_done;
		jobs[i].w.weight = 1;
		jobs[i].w.journal = i == 0 ? NULL : &ents[i];
		assert_int_equal(gt_writer_submit(w, &jobs[i].w), 0);
		drain(&loop, w);
		assert_int_equal(jobs[i].commit_rc, 0);
		assert_int_equal(gt_store_open_readonly(db, &st), 0);
		assert_int_equal(gt_store_blog_pos(st, &gen, &off), 0);
		gt_store_close(st);
		if (i == 0) /* not journalled: nothing recorded */
			assert_int_equal(off, 0);
		if (i == 1) {
			assert_int_equal(gen, 1);
			assert_true(off > GT_BLOG_HEADER_LEN + MIB);
			first_end = off;
		}
	}
	gt_writer_close(w, on_closed_flag, &closed);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_true(closed);
	assert_int_equal(uv_loop_close(&loop), 0);
	/* 16 frames of 1 MiB reach the bound; the 17th group rotated; the last ones are in the
	 * second generation, up to the position the store recorded. */
	assert_int_equal(gen, 2);
	assert_int_equal(gt_blog_open(jpath, &b, &why), 0);
	assert_int_equal(gt_blog_gen(b), 2);
	assert_int_equal(gt_blog_scan(b, GT_BLOG_HEADER_LEN, count_frames, &frames, &valid), 0);
	assert_int_equal(valid, off);
	assert_int_equal(frames,
	                 (int)((off - GT_BLOG_HEADER_LEN) / (first_end - GT_BLOG_HEADER_LEN)));
	assert_true(frames >= 1 && frames < N - 16);
	gt_blog_close(b);
	free(big);
	free(db);
	free(jpath);
	gt_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(jobs_commit_and_complete, setup, teardown),
	    cmocka_unit_test_setup_teardown(admission_bounds_weight_in_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(admission_takes_an_oversized_ticket_alone, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(admission_release_inside_start, setup, teardown),
	    cmocka_unit_test_setup_teardown(jobs_pass_in_admission_order, setup, teardown),
	    cmocka_unit_test(journal_records_and_rotates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
