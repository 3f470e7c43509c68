/* The single store writer: a thread that applies queued jobs in groups, one commit per group. */
#include "writer.h"

#include <stdlib.h>

#include "blog.h"
#include "error.h"
#include "store.h"
#include "vec.h"

struct gt_writer {
	uv_loop_t *loop;
	uv_thread_t thread;
	uv_mutex_t mu;
	uv_cond_t cv;
	uv_async_t async;
	struct gt_store *st;
	struct gt_wjob *in_head, *in_tail;     /* queued, guarded by mu */
	struct gt_wjob *done_head, *done_tail; /* committed, guarded by mu */
	size_t pending;                        /* guarded by mu */
	uint64_t commits;                      /* guarded by mu */
	int stop;                              /* guarded by mu */
	int broken; /* writer thread only: the store reported corruption; nothing more is written */
	int thread_running;
	int closing;
	/* The batch journal (writer thread only; NULL: every commit syncs sqlite). */
	struct gt_blog *blog;
	int rotate_due; /* the next group syncs sqlite and starts the journal afresh */
	int sync_full;  /* the store connection's sync mode now */
	struct gt_store_blog_marker *mark; /* records the journal's position in the store */
	struct gt_blog_entry *ents;        /* a group's journalled entries */
	size_t ents_cap;
	/* Admission (loop thread only). */
	size_t admitted_bytes, nwaiting, waiting_bytes;
	struct gt_writer_ticket *wait_head, *wait_tail;
	struct gt_writer_ticket *order_head, *order_tail; /* started, not yet passed on */
	void (*close_cb)(void *arg);
	void *close_arg;
};

static void push_list(struct gt_wjob **head, struct gt_wjob **tail, struct gt_wjob *first,
                      struct gt_wjob *last)
{
	if (*tail)
		(*tail)->next = first;
	else
		*head = first;
	*tail = last;
}

/* Whether group goes through the journal: every job journalled, and no rotation due. */
static int journalled(const struct gt_writer *w, const struct gt_wjob *group)
{
	if (w->blog == NULL || w->rotate_due)
		return 0;
	for (const struct gt_wjob *j = group; j != NULL; j = j->next)
		if (j->journal == NULL)
			return 0;
	return 1;
}

/* Sets the store connection's sync mode when it changes. */
static int sync_mode(struct gt_writer *w, int full)
{
	int rc = GT_OK;

	if (w->sync_full != full && (rc = gt_store_set_sync(w->st, full)) == GT_OK)
		w->sync_full = full;
	return rc;
}

/* Appends the jobs of group that applied to the journal, durably, and records the journal's new
 * end in the open transaction; *appended says whether the journal grew. */
static int journal_group(struct gt_writer *w, const struct gt_wjob *group, int *appended)
{
	size_t n = 0;
	uint64_t end;
	int rc;

	*appended = 0;
	for (const struct gt_wjob *j = group; j != NULL; j = j->next)
		if (j->rc == GT_OK && j->journal != NULL)
			n++;
	if (n == 0)
		return GT_OK;
	if ((rc = GT_VEC_RESERVE(w->ents, w->ents_cap, n)) != GT_OK)
		return rc;
	n = 0;
	for (const struct gt_wjob *j = group; j != NULL; j = j->next)
		if (j->rc == GT_OK && j->journal != NULL)
			w->ents[n++] = *j->journal;
	if ((rc = gt_blog_append(w->blog, w->ents, n, &end)) != GT_OK)
		return rc;
	*appended = 1;
	return gt_store_blog_marker_set(w->mark, gt_blog_gen(w->blog), end);
}

/* Applies one group in one transaction and hands it to the loop. A journalled group is
 * applied, appended to the journal and synced, then committed without syncing sqlite: an
 * ack (after the commit) means the batch is in the synced journal, and a start replays the
 * journal beyond the position the store recorded (docs/SERVER.md). */
static void apply_group(struct gt_writer *w, struct gt_wjob *group)
{
	struct gt_wjob *last = NULL;
	int full = !journalled(w, group), appended = 0, rotating = 0;
	uint64_t before = w->blog != NULL ? gt_blog_end(w->blog) : 0;
	/* After the first corruption error the store is not touched again (issue 10, item 12):
	 * every job fails with GT_ECORRUPT until the administrator restores the store. */
	int rc = w->broken ? GT_ECORRUPT : sync_mode(w, full);

	if (rc == GT_OK)
		rc = gt_store_begin(w->st);
	for (struct gt_wjob *j = group; j != NULL; j = j->next) {
		j->rc = rc == GT_OK ? j->apply(w->st, j) : rc;
		if (j->rc == GT_ECORRUPT && rc == GT_OK) {
			(void)gt_store_rollback(w->st);
			rc = GT_ECORRUPT;
		}
		last = j;
	}
	if (rc == GT_OK && !full) {
		rc = journal_group(w, group, &appended);
		/* Whatever a failed append left after the journal's end goes with the journal. */
		if (rc != GT_OK && !appended)
			w->rotate_due = 1;
	}
	if (rc == GT_OK && full && w->blog != NULL && w->rotate_due) {
		/* This commit syncs sqlite: the journal so far is no longer needed. */
		rc =
		    gt_store_blog_marker_set(w->mark, gt_blog_gen(w->blog) + 1, GT_BLOG_HEADER_LEN);
		rotating = rc == GT_OK;
	}
	if (rc != GT_OK && rc != GT_ECORRUPT && !w->broken)
		(void)gt_store_rollback(w->st);
	if (rc == GT_OK) {
		rc = gt_store_commit(w->st);
		if (rc != GT_OK)
			(void)gt_store_rollback(w->st);
	}
	/* What the journal holds beyond the store's position must have been applied. On a full
	 * disk its zeros ahead go back to the store too, and the next group syncs sqlite. */
	if (rc == GT_ENOSPC && w->blog != NULL && !full) {
		if (gt_blog_release(w->blog, before) != GT_OK && appended)
			(void)gt_blog_truncate(w->blog, before);
		w->rotate_due = 1;
	} else if (rc != GT_OK && appended && gt_blog_truncate(w->blog, before) != GT_OK) {
		w->rotate_due = 1;
	}
	if (rc == GT_OK && rotating && gt_blog_rotate(w->blog, gt_blog_gen(w->blog) + 1) == GT_OK)
		w->rotate_due = 0;
	if (w->blog != NULL && gt_blog_end(w->blog) >= GT_BLOG_ROTATE_BYTES)
		w->rotate_due = 1;
	if (rc == GT_ECORRUPT)
		w->broken = 1;
	for (struct gt_wjob *j = group; j != NULL; j = j->next)
		j->commit_rc = rc;
	uv_mutex_lock(&w->mu);
	push_list(&w->done_head, &w->done_tail, group, last);
	if (rc == GT_OK)
		w->commits++;
	uv_mutex_unlock(&w->mu);
	uv_async_send(&w->async);
}

static void writer_main(void *arg)
{
	struct gt_writer *w = arg;

	for (;;) {
		struct gt_wjob *group, *tail;
		size_t jobs = 0, items = 0;

		uv_mutex_lock(&w->mu);
		while (w->in_head == NULL && !w->stop)
			uv_cond_wait(&w->cv, &w->mu);
		if (w->in_head == NULL) {
			uv_mutex_unlock(&w->mu);
			return;
		}
		/* Everything queued together shares one commit, up to the group bounds. */
		group = tail = w->in_head;
		for (;;) {
			jobs++;
			items += tail->weight;
			if (tail->next == NULL || jobs >= GT_WRITER_MAX_GROUP_JOBS ||
			    items + tail->next->weight > GT_WRITER_MAX_GROUP_ITEMS)
				break;
			tail = tail->next;
		}
		w->in_head = tail->next;
		if (w->in_head == NULL)
			w->in_tail = NULL;
		tail->next = NULL;
		uv_mutex_unlock(&w->mu);
		apply_group(w, group);
	}
}

static void on_closed(uv_handle_t *h)
{
	struct gt_writer *w = h->data;
	void (*cb)(void *) = w->close_cb;
	void *arg = w->close_arg;

	uv_cond_destroy(&w->cv);
	uv_mutex_destroy(&w->mu);
	free(w);
	if (cb)
		cb(arg);
}

static void finish_close(struct gt_writer *w)
{
	if (w->thread_running) {
		uv_thread_join(&w->thread);
		w->thread_running = 0;
	}
	gt_store_blog_marker_close(w->mark);
	w->mark = NULL;
	gt_store_close(w->st);
	w->st = NULL;
	gt_blog_close(w->blog);
	w->blog = NULL;
	free(w->ents);
	w->ents = NULL;
	uv_close((uv_handle_t *)&w->async, on_closed);
}

static void on_async(uv_async_t *a)
{
	struct gt_writer *w = a->data;
	struct gt_wjob *done;
	size_t left;

	uv_mutex_lock(&w->mu);
	done = w->done_head;
	w->done_head = w->done_tail = NULL;
	uv_mutex_unlock(&w->mu);
	while (done != NULL) {
		struct gt_wjob *next = done->next;
		done->next = NULL;
		uv_mutex_lock(&w->mu);
		w->pending--;
		uv_mutex_unlock(&w->mu);
		done->done(done, done->commit_rc);
		done = next;
	}
	uv_mutex_lock(&w->mu);
	left = w->pending;
	uv_mutex_unlock(&w->mu);
	if (w->closing && left == 0)
		finish_close(w);
}

int gt_writer_open(uv_loop_t *loop, const char *db_path, const struct gt_key *signer,
                   struct gt_writer **out)
{
	return gt_writer_open_journal(loop, db_path, signer, NULL, out);
}

int gt_writer_open_journal(uv_loop_t *loop, const char *db_path, const struct gt_key *signer,
                           struct gt_blog *blog, struct gt_writer **out)
{
	struct gt_writer *w;
	int rc;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		gt_blog_close(blog);
		return GT_ENOMEM;
	}
	w->loop = loop;
	w->blog = blog;
	w->sync_full = 1; /* the store opens with synchronous = FULL */
	rc = gt_store_open(db_path, 0, &w->st);
	if (rc != GT_OK) {
		gt_blog_close(blog);
		free(w);
		return rc;
	}
	gt_store_set_signer(w->st, signer);
	if (blog != NULL && (rc = gt_store_blog_marker_open(w->st, &w->mark)) != GT_OK)
		goto fail_store;
	if (uv_mutex_init(&w->mu) != 0) {
		rc = GT_ENOMEM;
		goto fail_store;
	}
	if (uv_cond_init(&w->cv) != 0) {
		rc = GT_ENOMEM;
		goto fail_mu;
	}
	if ((rc = gt_err_from_uv(uv_async_init(loop, &w->async, on_async))) != GT_OK)
		goto fail_cv;
	w->async.data = w;
	if ((rc = gt_err_from_uv(uv_thread_create(&w->thread, writer_main, w))) != GT_OK) {
		/* The async handle is initialised; close it through the loop. */
		w->close_cb = NULL;
		finish_close(w);
		return rc;
	}
	w->thread_running = 1;
	*out = w;
	return GT_OK;
fail_cv:
	uv_cond_destroy(&w->cv);
fail_mu:
	uv_mutex_destroy(&w->mu);
fail_store:
	gt_store_blog_marker_close(w->mark);
	gt_store_close(w->st);
	gt_blog_close(w->blog);
	free(w);
	return rc;
}

int gt_writer_submit(struct gt_writer *w, struct gt_wjob *job)
{
	int rc = GT_OK;

	job->next = NULL;
	uv_mutex_lock(&w->mu);
	if (w->stop) {
		rc = GT_ESTATE;
	} else {
		push_list(&w->in_head, &w->in_tail, job, job);
		w->pending++;
		uv_cond_signal(&w->cv);
	}
	uv_mutex_unlock(&w->mu);
	return rc;
}

size_t gt_writer_pending(const struct gt_writer *w)
{
	size_t n;
	uv_mutex_lock((uv_mutex_t *)&w->mu);
	n = w->pending;
	uv_mutex_unlock((uv_mutex_t *)&w->mu);
	return n;
}

uint64_t gt_writer_commits(const struct gt_writer *w)
{
	uint64_t n;
	uv_mutex_lock((uv_mutex_t *)&w->mu);
	n = w->commits;
	uv_mutex_unlock((uv_mutex_t *)&w->mu);
	return n;
}

/* Starts an admitted ticket, last in the order of passing on. */
static void start_ticket(struct gt_writer *w, struct gt_writer_ticket *t)
{
	t->oprev = w->order_tail;
	t->onext = NULL;
	t->job = NULL;
	t->passed = 0;
	t->ordered = 1;
	if (w->order_tail != NULL)
		w->order_tail->onext = t;
	else
		w->order_head = t;
	w->order_tail = t;
	w->admitted_bytes += t->bytes;
	t->start(t); /* may pass and release it before returning */
}

static void unlink_ticket(struct gt_writer *w, struct gt_writer_ticket *t)
{
	if (t->oprev != NULL)
		t->oprev->onext = t->onext;
	else
		w->order_head = t->onext;
	if (t->onext != NULL)
		t->onext->oprev = t->oprev;
	else
		w->order_tail = t->oprev;
	t->oprev = t->onext = NULL;
	t->ordered = 0;
}

/* Hands the jobs of the passed tickets at the head of the order to the writer. */
static void flush_order(struct gt_writer *w)
{
	while (w->order_head != NULL && w->order_head->passed) {
		struct gt_writer_ticket *t = w->order_head;
		struct gt_wjob *job = t->job;

		unlink_ticket(w, t);
		if (job != NULL && gt_writer_submit(w, job) != GT_OK)
			job->done(job, GT_ESTATE);
	}
}

void gt_writer_pass(struct gt_writer *w, struct gt_writer_ticket *t, struct gt_wjob *job)
{
	if (!t->ordered || t->passed)
		return;
	t->passed = 1;
	t->job = job;
	flush_order(w);
}

void gt_writer_admit(struct gt_writer *w, struct gt_writer_ticket *t, size_t bytes)
{
	t->next = NULL;
	t->bytes = bytes;
	t->ordered = 0;
	if (w->wait_head == NULL &&
	    (w->admitted_bytes == 0 || w->admitted_bytes + bytes <= GT_WRITER_MAX_ADMITTED_BYTES)) {
		start_ticket(w, t);
		return;
	}
	if (w->wait_tail)
		w->wait_tail->next = t;
	else
		w->wait_head = t;
	w->wait_tail = t;
	w->nwaiting++;
	w->waiting_bytes += bytes;
}

void gt_writer_release(struct gt_writer *w, struct gt_writer_ticket *t)
{
	size_t bytes = t->bytes;

	/* A ticket released before it was passed on holds back no one. */
	if (t->ordered) {
		unlink_ticket(w, t);
		flush_order(w);
	}
	w->admitted_bytes = bytes <= w->admitted_bytes ? w->admitted_bytes - bytes : 0;
	while (w->wait_head != NULL &&
	       (w->admitted_bytes == 0 ||
	        w->admitted_bytes + w->wait_head->bytes <= GT_WRITER_MAX_ADMITTED_BYTES)) {
		struct gt_writer_ticket *n = w->wait_head;

		w->wait_head = n->next;
		if (w->wait_head == NULL)
			w->wait_tail = NULL;
		w->nwaiting--;
		w->waiting_bytes -= n->bytes;
		n->next = NULL;
		start_ticket(w, n); /* may release (and so start others) before returning */
	}
}

size_t gt_writer_waiting_bytes(const struct gt_writer *w)
{
	return w->waiting_bytes;
}

size_t gt_writer_waiting(const struct gt_writer *w)
{
	return w->nwaiting;
}

void gt_writer_close(struct gt_writer *w, void (*cb)(void *arg), void *arg)
{
	size_t left;

	if (w == NULL || w->closing)
		return;
	w->closing = 1;
	w->close_cb = cb;
	w->close_arg = arg;
	uv_mutex_lock(&w->mu);
	w->stop = 1;
	uv_cond_signal(&w->cv);
	left = w->pending;
	uv_mutex_unlock(&w->mu);
	if (left == 0)
		finish_close(w);
}
