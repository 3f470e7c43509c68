/* Ingest of signed batches: verify, authorize and check off the loop, apply in the writer. */
#include "ingest.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blog.h"
#include "clock.h"
#include "crypto.h"
#include "error.h"
#include "i18n.h"
#include "key.h"
#include "protonames.h"
#include "reply.h"
#include "server_int.h"
#include "snapshot.h"
#include "store.h"
#include "writer.h"

/* One push on its way: thread pool, then writer, then the loop. */
struct push_job {
	uv_work_t req;
	struct gt_writer_ticket ticket;
	int admitted; /* the ticket started: its weight is released in finish() */
	struct gt_wjob wjob;
	struct gt__reply *r;
	struct gt_snapshot *snap;
	gt_envelope *env; /* owns the batch bytes and signature */
	uint64_t rid;
	struct gt_principal p;
	char key_id[GT_KEY_ID_LEN + 1];
	char org_unit[GT_ORGUNIT_MAX_LEN];
	uint8_t pub[GT_ED25519_PUB_LEN];
	uint32_t max_values;
	uint64_t started_ms;
	int64_t now_ms;
	/* Results of the check. */
	int rc;
	uint8_t hash[GT_SHA256_LEN];
	struct gt_ingest_checked chk;
	/* Results of the apply. */
	struct gt_store_batch_out out;
	uint64_t tree_size; /* the transparency log's size once it held the batch */
	char errmsg[256];
	struct gt_blog_entry jent; /* what the batch journal keeps of it */
};

void gt_ingest_checked_free(struct gt_ingest_checked *c)
{
	gt_rules_verdicts_free(&c->verdicts);
	gt_wire_batch_free(c->batch);
	memset(c, 0, sizeof(*c));
}

/* Revisions are stored as signed 64-bit integers: a larger one is malformed. */
static int revisions_fit(const gt_batch *b)
{
	for (size_t i = 0; i < b->n_values; i++)
		if (b->values[i]->revision > INT64_MAX)
			return 0;
	return 1;
}

int gt_ingest_check(const struct gt_ingest_req *req, struct gt_ingest_checked *out)
{
	struct gt_limits lim = {.max_values_per_batch = req->max_values};
	int item, rc;

	memset(out, 0, sizeof(*out));
	if (req->sig_len != GT_ED25519_SIG_LEN) {
		out->why = N_("the signature is not 64 bytes");
		rc = GT_EBADSIG;
		goto refused;
	}
	if (gt_key_verify(req->pub, req->bytes, req->len, req->sig) != GT_OK) {
		out->why = N_("the batch signature does not verify with the connection's key");
		rc = GT_EBADSIG;
		goto refused;
	}
	rc = gt_wire_batch_decode(req->bytes, req->len, &lim, &out->batch);
	if (rc != GT_OK) {
		out->why = rc == GT_ETOOBIG
		               ? N_("the batch holds more items than the server allows")
		               : N_("the batch is malformed");
		goto refused;
	}
	out->batch_id_len = out->batch->batch_id.len;
	memcpy(out->batch_id, out->batch->batch_id.data, out->batch_id_len);
	out->sequence = out->batch->sequence;
	if (!revisions_fit(out->batch)) {
		out->why = N_("a value's revision is above 2^63 - 1");
		rc = GT_EINVAL;
		goto refused;
	}
	if ((rc = gt_authz_batch(req->principal, out->batch, &out->why, &item)) != GT_OK)
		goto refused;
	if ((rc = gt_rules_check(req->snap, out->batch, req->now_ms, &out->verdicts)) != GT_OK) {
		out->why = "out of memory";
		goto refused;
	}
	return GT_OK;
refused:
	/* A refused batch's ack still names it when its header can be read. */
	if (out->batch_id_len == 0)
		(void)gt_wire_batch_header(req->bytes, req->len, out->batch_id, &out->batch_id_len,
		                           &out->sequence);
	gt_rules_verdicts_free(&out->verdicts);
	gt_wire_batch_free(out->batch);
	out->batch = NULL;
	return rc;
}

/* ---- The push pipeline ---- */

static void job_free(struct push_job *j)
{
	gt_store_batch_out_free(&j->out);
	gt_ingest_checked_free(&j->chk);
	gt_wire_envelope_free(j->env);
	gt_snapshot_unref(j->snap);
	free(j);
}

/* Sends the ack for j: refused (code, message) when code != 0, else from j->out. */
static void send_ack(struct push_job *j, int code, const char *message)
{
	struct gt__reply *r = j->r;
	Gtsync__V1__PushAck ack = GTSYNC__V1__PUSH_ACK__INIT;
	Gtsync__V1__ImportCount counts = GTSYNC__V1__IMPORT_COUNT__INIT;
	Gtsync__V1__Conflict *cf = NULL, **cfp = NULL;
	uint64_t ms = uv_now(r->srv->loop) - j->started_ms;

	ack.counts = &counts;
	ack.batch_id.data = j->chk.batch_id;
	ack.batch_id.len = j->chk.batch_id_len;
	ack.sequence = j->chk.sequence;
	if (code != 0) {
		ack.status = GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED;
		ack.refuse_code = code;
		ack.message = (char *)message;
	} else {
		ack.status = j->out.status;
		ack.log_index = j->out.log_index;
		ack.tree_size = j->tree_size;
		counts.imported =
		    j->out.values.imported + j->out.completions.imported + j->out.actions.imported;
		counts.updated = j->out.values.updated + j->out.completions.updated;
		counts.deleted = j->out.values.deleted;
		counts.ignored =
		    j->out.values.ignored + j->out.completions.ignored + j->out.actions.ignored;
		ack.message = j->out.status == GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE
		                  ? N_("this batch was already stored; nothing was applied twice")
		                  : "stored";
		if (j->out.n_conflicts > 0) {
			cf = calloc(j->out.n_conflicts, sizeof(*cf));
			cfp = calloc(j->out.n_conflicts, sizeof(*cfp));
		}
		if (cf != NULL && cfp != NULL) {
			for (size_t i = 0; i < j->out.n_conflicts; i++) {
				const struct gt_store_conflict *sc = &j->out.conflicts[i];
				gtsync__v1__conflict__init(&cf[i]);
				cf[i].reason = sc->reason;
				cf[i].kind = sc->kind;
				cf[i].indexes = sc->indexes;
				cf[i].n_indexes = sc->n_indexes;
				cf[i].message =
				    (char *)(sc->message && sc->message[0]
				                 ? sc->message
				                 : gt_protonames_conflict_message(sc->reason));
				cfp[i] = &cf[i];
			}
			ack.conflicts = cfp;
			ack.n_conflicts = j->out.n_conflicts;
		}
	}
	GT__REPLY_SEND_BODY(r, j->rid, PUSH_ACK, push_ack, &ack);
	free(cf);
	free(cfp);

	if (code == 0) {
		r->batches++;
		r->values += j->chk.batch ? j->chk.batch->n_values : 0;
	}
	gt_log_event(
	    &r->srv->log, code ? GT_LOG_WARN : GT_LOG_INFO, "batch",
	    "key=%s org=%s seq=%llu outcome=%s values=%zu imported=%u updated=%u "
	    "ignored=%u ms=%llu reason=%s",
	    j->key_id, j->org_unit, (unsigned long long)j->chk.sequence,
	    gt_protonames_status(code ? GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED : j->out.status),
	    j->chk.batch ? j->chk.batch->n_values : 0, (unsigned)counts.imported,
	    (unsigned)counts.updated, (unsigned)counts.ignored, (unsigned long long)ms,
	    code ? message : "-");
}

static void finish(struct push_job *j)
{
	struct gt__reply *r = j->r;
	if (j->admitted)
		gt_writer_release(r->srv->writer, &j->ticket);
	gt__reply_released(r);
	gt__reply_done(r);
	job_free(j);
	gt__reply_unref(r);
}

static int apply_cb(struct gt_store *st, struct gt_wjob *w)
{
	struct push_job *j = (struct push_job *)((char *)w - offsetof(struct push_job, wjob));
	const Gtsync__V1__PushRequest *push = j->env->push;
	struct gt_rules_batch in = {
	    .snap = j->snap,
	    .batch = j->chk.batch,
	    .bytes = push->batch.data,
	    .len = push->batch.len,
	    .signature = push->signature.data,
	    .sig_len = push->signature.len,
	    .hash = j->hash,
	    .received_at_ms = j->now_ms,
	    .verdicts = &j->chk.verdicts,
	    .why = j->errmsg,
	    .why_len = sizeof(j->errmsg),
	};
	int rc = gt_rules_apply(st, &in, &j->out);
	uint64_t leaf = 0;

	/* The ack says which tree first holds the batch, for the client's inclusion proof. */
	if (rc == GT_OK && j->out.log_index != 0 &&
	    gt_store_tree_leaf_of(st, j->out.log_index, &leaf) == GT_OK)
		j->tree_size = leaf + 1;
	if (rc != GT_OK && j->errmsg[0] == '\0')
		snprintf(j->errmsg, sizeof(j->errmsg), "%s", gt_store_errmsg(st));
	/* A duplicate changed nothing: the journal need not keep it. */
	if (rc == GT_OK && j->out.status == GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE)
		w->journal = NULL;
	return rc;
}

/* What a client and the log are told once the store reported corruption (issue 10, item 12). */
#define GT_INGEST_CORRUPT_MSG                                                                      \
	N_("the server's store is damaged and takes no more data until the central administrator " \
	   "restores it; the batch was not stored, keep it queued and send it again later")
#define GT_INGEST_CORRUPT_LOG                                                                      \
	"the store reported corruption; nothing more is written. Stop the server, run "            \
	"gtsync-server verify, and restore the last good backup (gtsync-server restore)"

static void done_cb(struct gt_wjob *w, int commit_rc)
{
	struct push_job *j = (struct push_job *)((char *)w - offsetof(struct push_job, wjob));

	if (commit_rc == GT_ECORRUPT || w->rc == GT_ECORRUPT) {
		struct gt_server *srv = j->r->srv;
		if (!srv->store_corrupt) {
			srv->store_corrupt = 1;
			gt_log_event(&srv->log, GT_LOG_ERROR, "store_corrupt", "path=%s reason=%s",
			             srv->db_path, GT_INGEST_CORRUPT_LOG);
		}
		send_ack(j, GT_ECORRUPT, GT_INGEST_CORRUPT_MSG);
	} else if (commit_rc != GT_OK) {
		send_ack(j, commit_rc,
		         commit_rc == GT_ENOSPC
		             ? N_("the server's disk is full; the batch was not stored, keep it "
		                  "queued and send it again later")
		             : N_("the server could not store the batch; keep it queued and send "
		                  "it again later"));
	} else if (w->rc == GT_ECONFLICT) {
		send_ack(j, GT_ECONFLICT,
		         j->errmsg[0]
		             ? j->errmsg
		             : N_("this key already sent another batch with the same sequence "
		                  "number"));
	} else if (w->rc != GT_OK) {
		send_ack(j, w->rc,
		         w->rc == GT_ENOSPC ? N_("the server's disk is full")
		                            : N_("the server could not store the batch"));
	} else {
		send_ack(j, 0, NULL);
	}
	finish(j);
}

static void check_work_cb(uv_work_t *req)
{
	struct push_job *j = req->data;
	const Gtsync__V1__PushRequest *push = j->env->push;

	struct gt_ingest_req rq = {
	    .snap = j->snap,
	    .principal = &j->p,
	    .pub = j->pub,
	    .bytes = push->batch.data,
	    .len = push->batch.len,
	    .sig = push->signature.data,
	    .sig_len = push->signature.len,
	    .max_values = j->max_values,
	    .now_ms = j->now_ms,
	};

	gt_crypto_sha256(push->batch.data, push->batch.len, j->hash);
	j->rc = gt_ingest_check(&rq, &j->chk);
}

static void check_after_cb(uv_work_t *req, int status)
{
	struct push_job *j = req->data;
	size_t weight;

	if (status != 0) {
		send_ack(j, GT_ECANCELED, N_("the server is shutting down"));
		finish(j);
		return;
	}
	if (j->rc != GT_OK) {
		send_ack(j, j->rc, j->chk.why ? j->chk.why : "refused");
		finish(j);
		return;
	}
	weight = j->chk.batch->n_values + j->chk.batch->n_completions + j->chk.batch->n_actions;
	j->wjob.apply = apply_cb;
	j->wjob.done = done_cb;
	j->wjob.weight = weight;
	/* Everything replay needs to check and apply it again exactly so (server/replay.c). */
	j->jent = (struct gt_blog_entry){
	    .received_ms = j->now_ms,
	    .md_version = j->snap->md_version,
	    .roles = j->p.roles,
	    .key_id = j->key_id,
	    .org_unit = j->org_unit,
	    .pub = j->pub,
	    .batch = j->env->push->batch.data,
	    .batch_len = j->env->push->batch.len,
	    .sig = j->env->push->signature.data,
	    .sig_len = j->env->push->signature.len,
	};
	j->wjob.journal = &j->jent;
	/* In the order the batches were admitted (sequences only increase). */
	gt_writer_pass(j->r->srv->writer, &j->ticket, &j->wjob);
}

static void start_check(struct gt_writer_ticket *t)
{
	struct push_job *j = (struct push_job *)((char *)t - offsetof(struct push_job, ticket));

	j->admitted = 1;
	if (uv_queue_work(j->r->srv->loop, &j->req, check_work_cb, check_after_cb) != 0) {
		send_ack(j, GT_EBUSY, N_("the server is busy; send the batch again later"));
		finish(j);
	}
}

void gt__ingest_push(struct gt__reply *r, gt_envelope *env)
{
	struct push_job *j = gt__reply_job(r, env, sizeof(*j));

	if (j == NULL)
		return;
	j->req.data = j;
	j->r = r;
	j->env = env;
	j->rid = env->request_id;
	j->snap = gt_snapshot_ref(r->srv->snap);
	memcpy(j->key_id, r->key_id, sizeof(j->key_id));
	memcpy(j->org_unit, r->org_unit, sizeof(j->org_unit));
	memcpy(j->pub, r->pub, sizeof(j->pub));
	j->p.key_id = j->key_id;
	j->p.org_unit = j->org_unit;
	j->p.roles = r->roles;
	j->max_values = r->srv->cfg.max_values_per_batch;
	j->started_ms = uv_now(r->srv->loop);
	j->now_ms = gt_clock_wall_ms();
	j->ticket.start = start_check;
	gt__reply_ref(r);
	/* Verification decodes the batch: admission bounds how many decoded batches wait for
	 * the writer at once; the others wait here as the bytes that arrived. */
	gt_writer_admit(r->srv->writer, &j->ticket, env->push->batch.len + 1);
	gt__reply_admitted(r);
}
