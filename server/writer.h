/* The single store writer: a thread that applies queued jobs in groups, one commit per group. */
#ifndef GT_WRITER_H
#define GT_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct gt_store;
struct gt_key;
struct gt_writer;
struct gt_blog;
struct gt_blog_entry;

/* A unit of work for the writer, embedded in the caller's own job struct. */
struct gt_wjob {
	struct gt_wjob *next;
	/* Runs on the writer thread inside the group's transaction; its return value is kept
	 * in rc. A failing job must leave the transaction usable (the store's batch apply
	 * uses a savepoint per batch). */
	int (*apply)(struct gt_store *st, struct gt_wjob *job);
	/* Runs on the loop thread after the group's commit: commit_rc is 0 when the group is
	 * durable, else the commit's error (the job's effects are gone). After the first
	 * corruption error (GT_ECORRUPT from a job, the begin or the commit) the writer touches
	 * the store no more: that group and every later job fail with GT_ECORRUPT unapplied. */
	void (*done)(struct gt_wjob *job, int commit_rc);
	int rc;        /* what apply returned */
	int commit_rc; /* what the group's begin/commit returned */
	size_t weight; /* items, for sizing groups */
	/* What the batch journal keeps of the job (borrowed until done), or NULL: a job that is
	 * not journalled makes its group's commit sync sqlite (server/blog.h). The apply callback
	 * may clear it when its job changed nothing (a duplicate). */
	const struct gt_blog_entry *journal;
};

/* A piece of work waiting for admission to the pipeline that ends in the writer (see
 * gt_writer_admit()), embedded in the caller's struct. */
struct gt_writer_ticket {
	struct gt_writer_ticket *next;
	size_t bytes;                              /* what it weighs while admitted */
	void (*start)(struct gt_writer_ticket *t); /* called once, on the loop thread */
	/* Internal: the started tickets in admission order, until each is passed on. */
	struct gt_writer_ticket *oprev, *onext;
	struct gt_wjob *job;
	int ordered, passed;
};

/* Bytes of work admitted at once (see gt_writer_admit()): encoded batches, which decode to a
 * few times their size. */
#define GT_WRITER_MAX_ADMITTED_BYTES (1024u * 1024u)

/* Largest group: batches and items per commit. */
#define GT_WRITER_MAX_GROUP_JOBS  512u
#define GT_WRITER_MAX_GROUP_ITEMS 200000u

/* Opens the writer's store handle on db_path (borrowed) and starts its thread; jobs complete
 * through loop. signer (borrowed for the writer's life; NULL for none) signs the key records
 * the writer appends to the transparency log. Caller stops it with gt_writer_close(). */
int gt_writer_open(uv_loop_t *loop, const char *db_path, const struct gt_key *signer,
                   struct gt_writer **out);

/* The same with the batch journal blog (taken, also on failure; NULL for none): a group whose
 * jobs are all journalled is applied, appended to the journal and made durable by one
 * fdatasync, and then committed without syncing sqlite, recording the journal position in
 * the same transaction; any other group commits with sqlite's sync. Once the journal exceeds
 * GT_BLOG_ROTATE_BYTES, the next group commits with sqlite's sync and the journal starts
 * afresh. */
int gt_writer_open_journal(uv_loop_t *loop, const char *db_path, const struct gt_key *signer,
                           struct gt_blog *blog, struct gt_writer **out);

/* Queues job (borrowed until its done callback). Thread-safe; returns GT_ESTATE after
 * gt_writer_close() started, and then done never fires. */
int gt_writer_submit(struct gt_writer *w, struct gt_wjob *job);

/* Admits t (borrowed until its start callback) weighing bytes: its start callback runs now
 * when the admitted work weighs less than GT_WRITER_MAX_ADMITTED_BYTES with it (or nothing
 * else is admitted), otherwise once enough admitted work is released, in the order of
 * admission. This bounds the memory of work between the socket and the commit whatever the
 * number of connections. Every started ticket must be released with gt_writer_release().
 * Loop thread only. */
void gt_writer_admit(struct gt_writer *w, struct gt_writer_ticket *t, size_t bytes);

/* Passes a started ticket on with its job for the writer (NULL: nothing to write, it was
 * refused): jobs reach the writer in the order their tickets were admitted, so batches a
 * client sent in order are applied in order whatever the order their checks finish in. A job
 * passed while the writer is closing gets its done callback with GT_ESTATE. Loop thread
 * only. */
void gt_writer_pass(struct gt_writer *w, struct gt_writer_ticket *t, struct gt_wjob *job);

/* Releases a started ticket (passing it on empty if it was not) and its weight, and starts
 * the tickets that now fit; t is no longer used after. Loop thread only. */
void gt_writer_release(struct gt_writer *w, struct gt_writer_ticket *t);

/* Number of tickets waiting for admission. */
size_t gt_writer_waiting(const struct gt_writer *w);

/* The weight (received batch bytes) of the tickets waiting for admission. */
size_t gt_writer_waiting_bytes(const struct gt_writer *w);

/* Number of jobs queued or being applied, and not yet completed on the loop. */
size_t gt_writer_pending(const struct gt_writer *w);

/* Commits done so far (for logs and tests). */
uint64_t gt_writer_commits(const struct gt_writer *w);

/* Finishes every queued job (their done callbacks run), stops the thread, closes the store and
 * the async handle; cb(arg) fires on the loop when everything is released and w is freed.
 * Accepts NULL (cb is then not called). */
void gt_writer_close(struct gt_writer *w, void (*cb)(void *arg), void *arg);

#endif
