/* Replay of the batch journal's tail on start, through the ingest rules, before serving. */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "crypto.h"
#include "error.h"
#include "ingest.h"
#include "rules.h"
#include "snapshot.h"
#include "store.h"

struct replay {
	struct gt_store *st;
	const struct gt_snapshot *snap;
	struct gt_log *log;
	uint32_t max_values;
	uint64_t gen;
	uint64_t replayed, refused, other_metadata;
};

/* Whether rc is a rule's refusal (the batch is not applied, the store is fine). */
static int refusal(int rc)
{
	return rc == GT_ECONFLICT || rc == GT_EINVAL || rc == GT_EPERM || rc == GT_ELOCKED ||
	       rc == GT_ESTATE || rc == GT_EBADSIG || rc == GT_ETOOBIG || rc == GT_EKEY;
}

/* Checks and applies one journalled batch inside the open transaction. */
static int replay_entry(struct replay *r, const struct gt_blog_entry *e)
{
	struct gt_principal p = {e->key_id, e->org_unit, e->roles};
	struct gt_ingest_req rq = {
	    .snap = r->snap,
	    .principal = &p,
	    .pub = e->pub,
	    .bytes = e->batch,
	    .len = e->batch_len,
	    .sig = e->sig,
	    .sig_len = e->sig_len,
	    .max_values = r->max_values,
	    .now_ms = e->received_ms,
	};
	struct gt_ingest_checked chk;
	struct gt_store_batch_out out = {0};
	uint8_t hash[GT_SHA256_LEN];
	char why[256] = "";
	int rc;

	if (e->md_version != r->snap->md_version)
		r->other_metadata++;
	if ((rc = gt_crypto_sha256(e->batch, e->batch_len, hash)) != GT_OK)
		return rc;
	rc = gt_ingest_check(&rq, &chk);
	if (rc == GT_OK) {
		struct gt_rules_batch in = {
		    .snap = r->snap,
		    .batch = chk.batch,
		    .bytes = e->batch,
		    .len = e->batch_len,
		    .signature = e->sig,
		    .sig_len = e->sig_len,
		    .hash = hash,
		    .received_at_ms = e->received_ms,
		    .verdicts = &chk.verdicts,
		    .why = why,
		    .why_len = sizeof(why),
		};
		rc = gt_rules_apply(r->st, &in, &out);
	}
	if (rc == GT_OK) {
		r->replayed++;
	} else if (refusal(rc)) {
		/* Applied before the crash, refused now: only a change of metadata between the two
		 * can do that; the client still holds the batch and is told when it resends. */
		r->refused++;
		gt_log_event(r->log, GT_LOG_ERROR, "journal_replay_refused",
		             "key=%s org=%s seq=%llu reason=%s", e->key_id, e->org_unit,
		             (unsigned long long)chk.sequence,
		             why[0]    ? why
		             : chk.why ? chk.why
		                       : gt_strerror(rc));
		rc = GT_OK;
	}
	gt_store_batch_out_free(&out);
	gt_ingest_checked_free(&chk);
	return rc;
}

/* Replays one frame (a writer group) in one transaction, with the position past it. */
static int replay_frame(void *arg, const struct gt_blog_frame *f, uint64_t end)
{
	struct replay *r = arg;
	int rc = gt_store_begin(r->st);

	for (size_t i = 0; i < f->n && rc == GT_OK; i++)
		rc = replay_entry(r, &f->entries[i]);
	if (rc == GT_OK)
		rc = gt_store_blog_mark(r->st, r->gen, end);
	if (rc == GT_OK)
		rc = gt_store_commit(r->st);
	if (rc != GT_OK)
		(void)gt_store_rollback(r->st);
	return rc;
}

/* Starts the journal afresh as generation gen, after the store recorded it (synced). */
static int start_afresh(struct gt_store *st, const char *path, uint64_t gen, struct gt_blog **out)
{
	int rc = gt_store_begin(st);

	if (rc == GT_OK)
		rc = gt_store_blog_mark(st, gen, GT_BLOG_HEADER_LEN);
	if (rc == GT_OK)
		rc = gt_store_commit(st);
	else
		(void)gt_store_rollback(st);
	return rc == GT_OK ? gt_blog_create(path, gen, out) : rc;
}

static int corrupt(struct gt_log *log, const char *path, const char *finding)
{
	gt_log_event(log, GT_LOG_ERROR, "journal_damaged", "path=%s finding=%s reason=%s", path,
	             finding,
	             "the batch journal does not match the store; stop, keep a copy of the data "
	             "directory, and move the journal aside only if the store was restored "
	             "deliberately (batches acknowledged since the last backup are in it)");
	return GT_ECORRUPT;
}

int gt_replay_journal(struct gt_store *st, const struct gt_snapshot *snap, const char *path,
                      uint32_t max_values, struct gt_log *log, struct gt_blog **out,
                      uint64_t *replayed)
{
	struct replay r = {.st = st, .snap = snap, .log = log, .max_values = max_values};
	struct gt_blog *b = NULL;
	uint64_t sgen, soff, valid_end = 0, torn = 0;
	const char *why = NULL;
	int rc;

	*out = NULL;
	*replayed = 0;
	if ((rc = gt_store_blog_pos(st, &sgen, &soff)) != GT_OK)
		return rc;
	rc = gt_blog_open(path, &b, &why);
	if (rc == GT_ENOENT) {
		if (sgen != 0)
			gt_log_event(log, GT_LOG_WARN, "journal_missing", "path=%s generation=%llu",
			             path, (unsigned long long)sgen);
		return start_afresh(st, path, sgen + 1, out);
	}
	if (rc == GT_ECORRUPT)
		return corrupt(log, path, why);
	if (rc != GT_OK)
		return rc;
	r.gen = gt_blog_gen(b);
	if (r.gen > sgen) {
		rc = corrupt(log, path, "the journal is of a later generation than the store");
		goto out;
	}
#ifdef GT_TEST_HOOKS
	/* The power-loss test's control: without replay, acknowledged batches are lost. */
	if (getenv("GTSYNC_TEST_NOREPLAY") != NULL && r.gen == sgen)
		sgen++;
#endif
	if (r.gen < sgen) {
		/* The store synced past this journal (a rotation cut short): nothing to replay. */
		gt_blog_close(b);
		b = NULL;
		rc = start_afresh(st, path, sgen, &b);
		goto out;
	}
	if (soff < GT_BLOG_HEADER_LEN || soff > gt_blog_end(b)) {
		rc = corrupt(log, path, "the journal ends before the position the store applied");
		goto out;
	}
	rc = gt_blog_scan(b, soff, replay_frame, &r, &valid_end);
	if (rc == GT_ECORRUPT) {
		gt_log_event(log, GT_LOG_ERROR, "journal_damaged", "path=%s offset=%llu", path,
		             (unsigned long long)valid_end);
		rc = corrupt(log, path, "a frame before the journal's end fails its checksum");
		goto out;
	}
	if (rc != GT_OK)
		goto out;
	if ((rc = gt_blog_settle(b, valid_end, &torn)) != GT_OK)
		goto out;
	if (torn > 0)
		gt_log_event(log, GT_LOG_WARN, "journal_torn_tail",
		             "path=%s offset=%llu bytes=%llu", path, (unsigned long long)valid_end,
		             (unsigned long long)torn);
	if (r.replayed + r.refused > 0)
		gt_log_event(log, r.refused ? GT_LOG_WARN : GT_LOG_INFO, "journal_replayed",
		             "batches=%llu refused=%llu other_metadata=%llu",
		             (unsigned long long)r.replayed, (unsigned long long)r.refused,
		             (unsigned long long)r.other_metadata);
	*replayed = r.replayed;
out:
	if (rc != GT_OK) {
		gt_blog_close(b);
		return rc;
	}
	*out = b;
	return GT_OK;
}
