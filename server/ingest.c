/* Ingest of signed batches: verify, authorize and check off the loop, apply in the writer. */
#include "ingest.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "crypto.h"
#include "error.h"
#include "key.h"
#include "metadata.h"
#include "period.h"
#include "server.h"
#include "snapshot.h"
#include "store.h"
#include "workflow.h"
#include "writer.h"

/* One push on its way: thread pool, then writer, then the loop. */
struct push_job {
	uv_work_t req;
	struct gt_writer_ticket ticket;
	int admitted; /* the ticket started: its weight is released in finish() */
	struct gt_wjob wjob;
	struct gt_conn *c;
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
	const char *why;
	uint8_t hash[GT_SHA256_LEN];
	gt_batch *batch;
	struct gt_ingest_verdicts v;
	/* Results of the apply. */
	struct gt_store_batch_out out;
	char errmsg[256];
};

void gt_ingest_verdicts_free(struct gt_ingest_verdicts *v)
{
	free(v->values);
	free(v->completions);
	free(v->actions);
	memset(v, 0, sizeof(*v));
}

/* Whether period p has the period type of data set ds. */
static int period_fits(const struct gt_meta_dataset *ds, const struct gt_period *p)
{
	return ds->period_type == p->type;
}

/* Whether period p has started by now (values for future periods are refused). */
static int period_started(const struct gt_period *p, int64_t now_ms)
{
	struct gt_date start;
	if (gt_period_start(p, &start) != GT_OK)
		return 0;
	return gt_date_to_days(&start) <= now_ms / 86400000;
}

static uint8_t check_value(const struct gt_snapshot *snap, const Gtsync__V1__DataValue *v,
                           int64_t now_ms)
{
	const struct gt_meta_element *e;
	const struct gt_snap_ou *ou;
	struct gt_period per;
	int fits = 0;

	if (snap->meta == NULL || (e = gt_meta_element_find(snap->meta, v->data_element)) == NULL)
		return GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATA_ELEMENT;
	if (gt_meta_element_option_index(e, v->category_option_combo) < 0)
		return GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_CATEGORY_OPTION_COMBO;
	if ((ou = gt_snapshot_orgunit(snap, v->org_unit)) == NULL)
		return GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_ORG_UNIT;
	if (gt_period_parse(v->period, &per) != GT_OK)
		return GTSYNC__V1__CONFLICT_REASON__CONFLICT_BAD_PERIOD;
	if (v->dataset != NULL && v->dataset[0] != '\0') {
		const struct gt_meta_dataset *ds = gt_meta_dataset_find(snap->meta, v->dataset);
		if (ds == NULL || !gt_meta_dataset_has_element(ds, e))
			return GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATASET;
		fits = period_fits(ds, &per) && gt_meta_dataset_reports_at(ds, ou->level);
	} else {
		for (size_t i = 0; i < e->ndatasets && !fits; i++)
			fits = period_fits(e->datasets[i], &per) &&
			       gt_meta_dataset_reports_at(e->datasets[i], ou->level);
	}
	if (!fits)
		return GTSYNC__V1__CONFLICT_REASON__CONFLICT_BAD_PERIOD;
	if (!period_started(&per, now_ms))
		return GTSYNC__V1__CONFLICT_REASON__CONFLICT_FUTURE_PERIOD;
	if (!v->deleted && gt_meta_value_check(e, v->value) != GT_OK)
		return GTSYNC__V1__CONFLICT_REASON__CONFLICT_WRONG_VALUE_TYPE;
	return 0;
}

/* Checks a (data set, period, org unit) triple of a completion or, with coarser set, of a
 * workflow action, whose period may be coarser than the data set's (approving a year of
 * monthly reports). */
static uint8_t check_dpo(const struct gt_snapshot *snap, const char *dataset, const char *period,
                         const char *org_unit, int coarser)
{
	const struct gt_meta_dataset *ds;
	const struct gt_snap_ou *ou;
	struct gt_period per;

	if (snap->meta == NULL || (ds = gt_meta_dataset_find(snap->meta, dataset)) == NULL)
		return GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATASET;
	if ((ou = gt_snapshot_orgunit(snap, org_unit)) == NULL)
		return GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_ORG_UNIT;
	if (gt_period_parse(period, &per) != GT_OK ||
	    !(coarser ? (int)per.type >= (int)ds->period_type : period_fits(ds, &per)))
		return GTSYNC__V1__CONFLICT_REASON__CONFLICT_BAD_PERIOD;
	if (!gt_meta_dataset_reports_at(ds, ou->level))
		return GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATASET;
	return 0;
}

int gt_ingest_check(const struct gt_snapshot *snap, const struct gt_principal *p,
                    const uint8_t pub[GT_ED25519_PUB_LEN], const uint8_t *bytes, size_t len,
                    const uint8_t *sig, size_t sig_len, uint32_t max_values, int64_t now_ms,
                    gt_batch **out, struct gt_ingest_verdicts *v, const char **why)
{
	struct gt_limits lim = {.max_values_per_batch = max_values};
	gt_batch *b = NULL;
	int item, rc;

	*out = NULL;
	memset(v, 0, sizeof(*v));
	*why = NULL;
	if (sig_len != GT_ED25519_SIG_LEN) {
		*why = "the signature is not 64 bytes";
		return GT_EBADSIG;
	}
	if (gt_key_verify(pub, bytes, len, sig) != GT_OK) {
		*why = "the batch signature does not verify with the connection's key";
		return GT_EBADSIG;
	}
	rc = gt_wire_batch_decode(bytes, len, &lim, &b);
	if (rc != GT_OK) {
		*why = rc == GT_ETOOBIG ? "the batch holds more items than the server allows"
		                        : "the batch is malformed";
		return rc;
	}
	if ((rc = gt_authz_batch(p, b, why, &item)) != GT_OK)
		goto fail;
	v->values = calloc(b->n_values ? b->n_values : 1, 1);
	v->completions = calloc(b->n_completions ? b->n_completions : 1, 1);
	v->actions = calloc(b->n_actions ? b->n_actions : 1, 1);
	if (!v->values || !v->completions || !v->actions) {
		rc = GT_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < b->n_values; i++)
		v->values[i] = check_value(snap, b->values[i], now_ms);
	for (size_t i = 0; i < b->n_completions; i++) {
		const Gtsync__V1__CompleteRegistration *c = b->completions[i];
		v->completions[i] = check_dpo(snap, c->dataset, c->period, c->org_unit, 0);
	}
	for (size_t i = 0; i < b->n_actions; i++) {
		const Gtsync__V1__WorkflowAction *a = b->actions[i];
		v->actions[i] = check_dpo(snap, a->dataset, a->period, a->org_unit, 1);
	}
	*out = b;
	return GT_OK;
fail:
	gt_ingest_verdicts_free(v);
	gt_wire_batch_free(b);
	return rc;
}

/* ---- The push pipeline ---- */

static void job_free(struct push_job *j)
{
	gt_store_batch_out_free(&j->out);
	gt_ingest_verdicts_free(&j->v);
	gt_wire_batch_free(j->batch);
	gt_wire_envelope_free(j->env);
	gt_snapshot_unref(j->snap);
	free(j);
}

static const char *status_name(int status)
{
	switch (status) {
	case GTSYNC__V1__PUSH_STATUS__PUSH_OK:
		return "ok";
	case GTSYNC__V1__PUSH_STATUS__PUSH_WARNING:
		return "warning";
	case GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE:
		return "duplicate";
	default:
		return "refused";
	}
}

static const char *conflict_message(int reason)
{
	switch (reason) {
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATA_ELEMENT:
		return "data element not in the server's metadata";
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_ORG_UNIT:
		return "org unit not known to the server";
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_CATEGORY_OPTION_COMBO:
		return "category option combo not valid for the data element";
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_BAD_PERIOD:
		return "period malformed or of the wrong type for the data set or org unit level";
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_WRONG_VALUE_TYPE:
		return "value does not match the data element's value type";
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION:
		return "a newer revision of the value is already stored";
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_LOCKED_PERIOD:
		return "the period is approved and locked; it must be returned or unapproved first";
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATASET:
		return "data set unknown, or not reported at this org unit's level";
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_FUTURE_PERIOD:
		return "the period has not started yet";
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_INVALID_TRANSITION:
		return "not allowed in the report's current approval state";
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_DIGEST_MISMATCH:
		return "the approval's digest does not match the stored data";
	case GTSYNC__V1__CONFLICT_REASON__CONFLICT_CHILDREN_NOT_READY:
		return "not every child unit is approved and accepted";
	default:
		return "item not applied";
	}
}

/* Sends the ack for j: refused (code, message) when code != 0, else from j->out. */
static void send_ack(struct push_job *j, int code, const char *message)
{
	struct gt_conn *c = j->c;
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__PushAck ack = GTSYNC__V1__PUSH_ACK__INIT;
	Gtsync__V1__ImportCount counts = GTSYNC__V1__IMPORT_COUNT__INIT;
	Gtsync__V1__Conflict *cf = NULL, **cfp = NULL;
	uint64_t ms = uv_now(c->srv->loop) - j->started_ms;

	ack.counts = &counts;
	if (j->batch != NULL) {
		ack.batch_id = j->batch->batch_id;
		ack.sequence = j->batch->sequence;
	}
	if (code != 0) {
		ack.status = GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED;
		ack.refuse_code = code;
		ack.message = (char *)message;
	} else {
		ack.status = j->out.status;
		ack.log_index = j->out.log_index;
		counts.imported =
		    j->out.values.imported + j->out.completions.imported + j->out.actions.imported;
		counts.updated = j->out.values.updated + j->out.completions.updated;
		counts.deleted = j->out.values.deleted;
		counts.ignored =
		    j->out.values.ignored + j->out.completions.ignored + j->out.actions.ignored;
		ack.message = j->out.status == GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE
		                  ? "this batch was already stored; nothing was applied twice"
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
				cf[i].message = (char *)conflict_message(sc->reason);
				cfp[i] = &cf[i];
			}
			ack.conflicts = cfp;
			ack.n_conflicts = j->out.n_conflicts;
		}
	}
	env.request_id = j->rid;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PUSH_ACK;
	env.push_ack = &ack;
	gt__conn_reply(c, &env);
	free(cf);
	free(cfp);

	if (code == 0) {
		c->batches++;
		c->values += j->batch ? j->batch->n_values : 0;
	}
	gt_log_event(
	    &c->srv->log, code ? GT_LOG_WARN : GT_LOG_INFO, "batch",
	    "key=%s org=%s seq=%llu outcome=%s values=%zu imported=%u updated=%u "
	    "ignored=%u ms=%llu reason=%s",
	    j->key_id, j->org_unit, (unsigned long long)(j->batch ? j->batch->sequence : 0),
	    status_name(code ? GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED : j->out.status),
	    j->batch ? j->batch->n_values : 0, (unsigned)counts.imported, (unsigned)counts.updated,
	    (unsigned)counts.ignored, (unsigned long long)ms, code ? message : "-");
}

static void finish(struct push_job *j)
{
	struct gt_conn *c = j->c;
	if (j->admitted)
		gt_writer_release(c->srv->writer, j->ticket.bytes);
	gt__conn_request_done(c);
	job_free(j);
	gt__conn_unref(c);
}

/*
 * The lock hook's answers for one batch. Every value asks whether its (data set, period, org
 * unit) is locked, and each answer costs the workflow a dozen state look-ups (every enclosing
 * period, every ancestor); the values of a batch share a few such triples, so the answers are
 * kept while the batch is applied (the states are settled by gt_workflow_eval() before).
 * Strings are borrowed from the batch being applied.
 */
#define LOCK_MEMO 8

struct lock_memo {
	struct gt_workflow *wf;
	struct {
		const char *ds, *el, *period, *org;
		int locked;
	} e[LOCK_MEMO];
	unsigned n, next, last;
};

static int memo_match(const struct lock_memo *m, unsigned i, const char *ds, const char *el,
                      const char *period, const char *org)
{
	return strcmp(m->e[i].period, period) == 0 && strcmp(m->e[i].org, org) == 0 &&
	       strcmp(m->e[i].ds, ds) == 0 && strcmp(m->e[i].el, el) == 0;
}

static int memo_locked(void *arg, int kind, const char *dataset, const char *data_element,
                       const char *period, const char *org_unit)
{
	struct lock_memo *m = arg;
	const char *ds = dataset != NULL ? dataset : "";
	/* With a data set the element does not change the answer (see gt_workflow_locked). */
	const char *el = ds[0] != '\0' || data_element == NULL ? "" : data_element;
	unsigned slot;
	int locked;

	if (m->n > 0 && memo_match(m, m->last, ds, el, period, org_unit))
		return m->e[m->last].locked;
	for (unsigned i = 0; i < m->n; i++)
		if (memo_match(m, i, ds, el, period, org_unit))
			return m->e[m->last = i].locked;
	locked = gt_workflow_locked(m->wf, kind, dataset, data_element, period, org_unit);
	slot = m->n < LOCK_MEMO ? m->n++ : m->next++ % LOCK_MEMO;
	m->e[slot].ds = ds;
	m->e[slot].el = el;
	m->e[slot].period = period;
	m->e[slot].org = org_unit;
	m->e[slot].locked = locked;
	m->last = slot;
	return locked;
}

int gt_ingest_apply(struct gt_store *st, const struct gt_snapshot *snap,
                    struct gt_store_batch_in *in, uint8_t *action_verdicts,
                    struct gt_store_batch_out *out)
{
	struct gt_workflow wf;
	struct lock_memo memo = {.wf = &wf};
	uint8_t *states = calloc(in->batch->n_actions + 1, 1);
	int rc;

	if (states == NULL)
		return GT_ENOMEM;
	/* Within a batch, workflow actions take effect before its values. */
	gt_workflow_init(&wf, st, snap);
	rc = gt_workflow_eval(&wf, in->batch, action_verdicts, states);
	if (rc == GT_OK) {
		in->action_verdicts = action_verdicts;
		in->action_states = states;
		in->locked = memo_locked;
		in->lock_arg = &memo;
		rc = gt_store_batch_apply(st, in, out);
		in->locked = NULL;
		in->lock_arg = NULL;
		in->action_states = NULL;
	}
	free(states);
	return rc;
}

static int apply_cb(struct gt_store *st, struct gt_wjob *w)
{
	struct push_job *j = (struct push_job *)((char *)w - offsetof(struct push_job, wjob));
	const Gtsync__V1__PushRequest *push = j->env->push;
	struct gt_store_batch_in in = {
	    .bytes = push->batch.data,
	    .len = push->batch.len,
	    .signature = push->signature.data,
	    .sig_len = push->signature.len,
	    .hash = j->hash,
	    .batch = j->batch,
	    .received_at_ms = j->now_ms,
	    .value_verdicts = j->v.values,
	    .completion_verdicts = j->v.completions,
	};
	int rc = gt_ingest_apply(st, j->snap, &in, j->v.actions, &j->out);
	if (rc != GT_OK)
		snprintf(j->errmsg, sizeof(j->errmsg), "%s", gt_store_errmsg(st));
	return rc;
}

static void done_cb(struct gt_wjob *w, int commit_rc)
{
	struct push_job *j = (struct push_job *)((char *)w - offsetof(struct push_job, wjob));

	if (commit_rc != GT_OK) {
		send_ack(j, commit_rc,
		         commit_rc == GT_ENOSPC
		             ? "the server's disk is full; the batch was not stored, keep it "
		               "queued and send it again later"
		             : "the server could not store the batch; keep it queued and send "
		               "it again later");
	} else if (w->rc == GT_ECONFLICT) {
		send_ack(j, GT_ECONFLICT,
		         "this key already sent another batch with the same sequence number");
	} else if (w->rc != GT_OK) {
		send_ack(j, w->rc,
		         w->rc == GT_ENOSPC ? "the server's disk is full"
		                            : "the server could not store the batch");
	} else {
		send_ack(j, 0, NULL);
	}
	finish(j);
}

static void check_work_cb(uv_work_t *req)
{
	struct push_job *j = req->data;
	const Gtsync__V1__PushRequest *push = j->env->push;

	gt_crypto_sha256(push->batch.data, push->batch.len, j->hash);
	j->rc = gt_ingest_check(j->snap, &j->p, j->pub, push->batch.data, push->batch.len,
	                        push->signature.data, push->signature.len, j->max_values, j->now_ms,
	                        &j->batch, &j->v, &j->why);
}

static void check_after_cb(uv_work_t *req, int status)
{
	struct push_job *j = req->data;
	size_t weight;

	if (status != 0) {
		send_ack(j, GT_ECANCELED, "the server is shutting down");
		finish(j);
		return;
	}
	if (j->rc != GT_OK) {
		send_ack(j, j->rc == GT_EBADSIG ? GT_EBADSIG : j->rc, j->why ? j->why : "refused");
		finish(j);
		return;
	}
	weight = j->batch->n_values + j->batch->n_completions + j->batch->n_actions;
	j->wjob.apply = apply_cb;
	j->wjob.done = done_cb;
	j->wjob.weight = weight;
	if (gt_writer_submit(j->c->srv->writer, &j->wjob) != GT_OK) {
		send_ack(j, GT_EBUSY, "the server is shutting down; send the batch again later");
		finish(j);
	}
}

static void start_check(struct gt_writer_ticket *t)
{
	struct push_job *j = (struct push_job *)((char *)t - offsetof(struct push_job, ticket));

	j->admitted = 1;
	if (uv_queue_work(j->c->srv->loop, &j->req, check_work_cb, check_after_cb) != 0) {
		send_ack(j, GT_EBUSY, "the server is busy; send the batch again later");
		finish(j);
	}
}

void gt__ingest_push(struct gt_conn *c, gt_envelope *env)
{
	struct push_job *j = calloc(1, sizeof(*j));

	if (j == NULL) {
		gt__conn_error(c, env->request_id, GT_ENOMEM, NULL, 0);
		gt__conn_request_done(c);
		gt_wire_envelope_free(env);
		return;
	}
	j->req.data = j;
	j->c = c;
	j->env = env;
	j->rid = env->request_id;
	j->snap = gt_snapshot_ref(c->srv->snap);
	memcpy(j->key_id, c->key_id, sizeof(j->key_id));
	memcpy(j->org_unit, c->org_unit, sizeof(j->org_unit));
	memcpy(j->pub, c->pub, sizeof(j->pub));
	j->p.key_id = j->key_id;
	j->p.org_unit = j->org_unit;
	j->p.role = c->role;
	j->max_values = c->srv->cfg.max_values_per_batch;
	j->started_ms = uv_now(c->srv->loop);
	j->now_ms = gt_clock_wall_ms();
	j->ticket.start = start_check;
	gt__conn_ref(c);
	/* Verification decodes the batch: admission bounds how many decoded batches wait for
	 * the writer at once; the others wait here as the bytes that arrived. */
	gt_writer_admit(c->srv->writer, &j->ticket, env->push->batch.len + 1);
}
