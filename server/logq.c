/* The log entries behind a report: the signed batches of a subtree's units that hold values or
 * actions of a data set within a period, and the key records of those units' keys, in leaf
 * order from one read snapshot, paged (issue 14, `gtsync verify`). */
#include "logq.h"

#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "clock.h"
#include "error.h"
#include "logleaf.h"
#include "metadata.h"
#include "orgunit.h"
#include "privacy.h"
#include "readlog.h"
#include "readpool.h"
#include "reply.h"
#include "report.h"
#include "server_int.h"
#include "snapshot.h"
#include "store.h"
#include "store_ops.h"

/* One entry found, its bytes owned. */
struct found {
	uint64_t leaf;
	uint8_t *entry;
	size_t entry_len;
	uint8_t *batch;
	size_t len;
	uint32_t *skipped; /* values, then actions */
	size_t n_skipped_values, n_skipped_actions;
};

struct logq_job {
	uv_work_t req;
	struct gt__reply *r;
	struct gt_snapshot *snap;
	struct gt_readpool *readers;
	gt_envelope *env;
	size_t budget; /* bytes of batches one reply may carry (after its first) */
	int rc;
	const char *why;
	/* The request, resolved */
	const struct gt_meta_dataset *ds;
	char **periods;
	size_t nperiods;
	uint32_t max;
	/* Scanning */
	struct gt_store *st;
	uint64_t scanned_to; /* the leaf after the last one looked at */
	int stopped;         /* the reply filled before the walk's end */
	size_t bytes;
	size_t n_batches;
	/* Results */
	uint64_t tree_size;
	struct found *found;
	size_t n_found;
	int more;
};

static int is_period(const struct logq_job *j, const char *p)
{
	for (size_t i = 0; p != NULL && i < j->nperiods; i++)
		if (strcmp(j->periods[i], p) == 0)
			return 1;
	return 0;
}

/* Whether batch b holds a value of the data set's elements in one of its periods, or a
 * completion or action of the data set. */
static int relevant(const struct logq_job *j, const gt_batch *b)
{
	const char *code = j->ds->code;

	for (size_t i = 0; i < b->n_values; i++)
		if (is_period(j, b->values[i]->period) &&
		    gt_meta_dataset_has_code(j->ds, b->values[i]->data_element))
			return 1;
	for (size_t i = 0; i < b->n_completions; i++)
		if (b->completions[i]->dataset && strcmp(b->completions[i]->dataset, code) == 0)
			return 1;
	for (size_t i = 0; i < b->n_actions; i++)
		if (b->actions[i]->dataset && strcmp(b->actions[i]->dataset, code) == 0)
			return 1;
	return 0;
}

/* The indexes of the values and actions the server skipped, from the batch's outcome. */
static int add_skipped(struct logq_job *j, struct found *f, uint64_t log_index)
{
	struct gt_store_batch_out out;
	size_t n = 0, k = 0;
	int rc = gt_store_log_outcome_load(j->st, log_index, &out);

	if (rc != GT_OK)
		return rc;
	for (size_t g = 0; g < out.n_conflicts; g++)
		n += out.conflicts[g].n_indexes;
	f->skipped = calloc(n + 1, sizeof(*f->skipped));
	if (f->skipped == NULL) {
		gt_store_batch_out_free(&out);
		return GT_ENOMEM;
	}
	for (int pass = 0; pass < 2; pass++) {
		int kind = pass == 0 ? GTSYNC__V1__ITEM_KIND__ITEM_VALUE
		                     : GTSYNC__V1__ITEM_KIND__ITEM_ACTION;
		for (size_t g = 0; g < out.n_conflicts; g++) {
			if (out.conflicts[g].kind != kind)
				continue;
			memcpy(&f->skipped[k], out.conflicts[g].indexes,
			       out.conflicts[g].n_indexes * sizeof(*f->skipped));
			k += out.conflicts[g].n_indexes;
			if (pass == 0)
				f->n_skipped_values += out.conflicts[g].n_indexes;
			else
				f->n_skipped_actions += out.conflicts[g].n_indexes;
		}
	}
	gt_store_batch_out_free(&out);
	return GT_OK;
}

static int take_batch(struct logq_job *j, struct found *f, const struct gt_store_leaf *e)
{
	static const struct gt_limits any = {GT_MAX_FRAME_CEILING, UINT32_MAX};
	gt_batch *b = NULL;
	int rc, keep;

	/* A leaf whose batch the log lost is returned without an entry: the verifier says so. */
	if (e->hash == NULL)
		return 1;
	/* Bytes that do not decode are still returned: the verifier says so. */
	keep = gt_wire_batch_decode(e->batch, e->len, &any, &b) != GT_OK || relevant(j, b);
	gt_wire_batch_free(b);
	if (!keep)
		return 0;
	f->entry = malloc(GT_LOGLEAF_BATCH_MAX);
	f->batch = malloc(e->len);
	if (f->entry == NULL || f->batch == NULL)
		return GT_ENOMEM;
	rc = gt_logleaf_batch(e->hash, e->kind == GT_LOGLEAF_TIMED ? &e->received_at_ms : NULL,
	                      e->signature, e->sig_len, f->entry, &f->entry_len);
	if (rc != GT_OK)
		return rc;
	memcpy(f->batch, e->batch, e->len);
	f->len = e->len;
	if ((rc = add_skipped(j, f, e->log_index)) != GT_OK)
		return rc;
	j->bytes += e->len;
	j->n_batches++;
	return 1;
}

static int take_key(struct logq_job *j, struct found *f, const struct gt_store_leaf *e)
{
	struct gt_logleaf_keyinfo k;
	const char *root = j->env->log_entries_request->org_unit;

	/* Only the records of keys of the subtree's units: those that sign its batches. */
	if (gt_logleaf_key_parse(e->entry, e->entry_len, &k) != GT_OK ||
	    gt_orgunit_contains(root, k.org_unit) != 1)
		return 0;
	f->entry = malloc(e->entry_len);
	if (f->entry == NULL)
		return GT_ENOMEM;
	memcpy(f->entry, e->entry, e->entry_len);
	f->entry_len = e->entry_len;
	j->bytes += e->entry_len;
	return 1;
}

static int on_leaf(void *arg, const struct gt_store_leaf *e)
{
	struct logq_job *j = arg;
	struct found *f;
	int rc;

	/* A full reply stops before the leaf, which the next request starts with. */
	if (j->n_found == j->max || (j->n_found > 0 && j->bytes >= j->budget)) {
		j->stopped = 1;
		return 1;
	}
	f = &j->found[j->n_found];
	memset(f, 0, sizeof(*f));
	f->leaf = e->leaf;
	rc = gt_logleaf_is_batch(e->kind) ? take_batch(j, f, e) : take_key(j, f, e);
	if (rc < 0) {
		free(f->entry);
		free(f->batch);
		free(f->skipped);
		return rc;
	}
	if (rc == 1)
		j->n_found++;
	else {
		free(f->entry);
		free(f->batch);
		free(f->skipped);
	}
	j->scanned_to = e->leaf + 1;
	return 0;
}

static int do_entries(struct logq_job *j)
{
	const Gtsync__V1__LogEntriesRequest *q = j->env->log_entries_request;
	uint64_t have = 0, end;
	int rc = gt_store_tree_size(j->st, &have);

	if (rc != GT_OK)
		return rc;
	if (q->tree_size > have) {
		j->why = "the transparency log is not that large";
		return GT_EINVAL;
	}
	j->tree_size = q->tree_size != 0 ? q->tree_size : have;
	if (q->start_leaf >= j->tree_size) {
		j->scanned_to = j->tree_size;
		return GT_OK;
	}
	end = j->tree_size - q->start_leaf > GT_LOGQ_MAX_SCAN ? q->start_leaf + GT_LOGQ_MAX_SCAN
	                                                      : j->tree_size;
	j->found = calloc(j->max + 1, sizeof(*j->found));
	if (j->found == NULL)
		return GT_ENOMEM;
	j->scanned_to = q->start_leaf;
	rc = gt_store_log_leaves(j->st, q->org_unit, q->start_leaf, end, on_leaf, j);
	/* A walk stopped by a full reply resumes at the first leaf it did not look at. */
	if (!j->stopped)
		j->scanned_to = end;
	j->more = j->scanned_to < j->tree_size;
	return rc;
}

static void work_cb(uv_work_t *req)
{
	struct logq_job *j = req->data;

	if ((j->rc = gt_readpool_get(j->readers, &j->st)) != GT_OK) {
		j->why = "the store could not be opened for reading";
		return;
	}
	j->rc = gt_store_snapshot_begin(j->st);
	if (j->rc == GT_OK) {
		j->rc = do_entries(j);
		gt_store_snapshot_end(j->st);
	}
	if (j->rc != GT_OK && j->why == NULL)
		j->why = "the transparency log could not be read";
	gt_readpool_put(j->readers, j->st);
	j->st = NULL;
}

static void reply(struct logq_job *j)
{
	Gtsync__V1__LogEntriesReply rep = GTSYNC__V1__LOG_ENTRIES_REPLY__INIT;
	Gtsync__V1__LogEntry *e = calloc(j->n_found + 1, sizeof(*e));
	Gtsync__V1__LogEntry **ep = calloc(j->n_found + 1, sizeof(*ep));

	if (e == NULL || ep == NULL) {
		gt__reply_fail(j->r, j->env->request_id, GT_ENOMEM, NULL, 0);
		goto out;
	}
	for (size_t i = 0; i < j->n_found; i++) {
		struct found *f = &j->found[i];

		gtsync__v1__log_entry__init(&e[i]);
		e[i].leaf_index = f->leaf;
		e[i].leaf_entry.data = f->entry;
		e[i].leaf_entry.len = f->entry_len;
		e[i].batch.data = f->batch;
		e[i].batch.len = f->len;
		e[i].skipped_values = f->skipped;
		e[i].n_skipped_values = f->n_skipped_values;
		e[i].skipped_actions = f->skipped != NULL ? f->skipped + f->n_skipped_values : NULL;
		e[i].n_skipped_actions = f->n_skipped_actions;
		ep[i] = &e[i];
	}
	rep.tree_size = j->tree_size;
	rep.entries = ep;
	rep.n_entries = j->n_found;
	rep.next_leaf = j->scanned_to;
	rep.more = j->more != 0;
	GT__REPLY_SEND_BODY(j->r, j->env->request_id, LOG_ENTRIES_REPLY, log_entries_reply, &rep);
out:
	free(e);
	free(ep);
}

static void job_free(struct logq_job *j)
{
	for (size_t i = 0; i < j->n_found; i++) {
		free(j->found[i].entry);
		free(j->found[i].batch);
		free(j->found[i].skipped);
	}
	free(j->found);
	for (size_t i = 0; i < j->nperiods; i++)
		free(j->periods[i]);
	free(j->periods);
	gt_snapshot_unref(j->snap);
	gt_wire_envelope_free(j->env);
	free(j);
}

static void after_cb(uv_work_t *req, int status)
{
	struct logq_job *j = req->data;
	struct gt__reply *r = j->r;
	const Gtsync__V1__LogEntriesRequest *q = j->env->log_entries_request;

	if (!gt__reply_failed(r, j->env->request_id, status, j->rc, j->why)) {
		reply(j);
		/* Batches carry raw values: the read is recorded like a pull's. */
		gt__reply_note_read(r, "log", q->org_unit, q->dataset, q->period, j->n_batches);
	}
	job_free(j);
	gt__reply_end(r);
}

void gt__logq_submit(struct gt__reply *r, gt_envelope *env)
{
	const Gtsync__V1__LogEntriesRequest *q = env->log_entries_request;
	struct logq_job *j;
	int rc;

	if (gt_privacy_reader_only(r->roles)) {
		gt__reply_refuse(
		    r, env, GT_EPERM,
		    "a reader key gets consolidated reports only: no log entries, which "
		    "carry the batches' values");
		return;
	}
	if (gt__reply_read_allowed(r, env, q->org_unit, NULL) != GT_OK)
		return;
	if ((j = gt__reply_job(r, env, sizeof(*j))) == NULL)
		return;
	j->snap = gt_snapshot_ref(r->srv->snap);
	j->ds = j->snap != NULL && j->snap->meta != NULL
	            ? gt_meta_dataset_find(j->snap->meta, q->dataset)
	            : NULL;
	if (j->ds == NULL) {
		gt_snapshot_unref(j->snap);
		free(j);
		gt__reply_refuse(r, env, GT_ENOENT, "unknown data set");
		return;
	}
	rc = gt_report_periods(gt_period_type_name(j->ds->period_type), q->period, &j->periods,
	                       &j->nperiods);
	if (rc != GT_OK) {
		gt_snapshot_unref(j->snap);
		free(j);
		gt__reply_refuse(
		    r, env, rc, "the period is malformed or finer than the data set's period type");
		return;
	}
	j->req.data = j;
	j->r = r;
	j->env = env;
	j->readers = r->srv->readers;
	j->budget = r->srv->cfg.max_frame / 2;
	j->max = q->max_entries == 0 || q->max_entries > GT_LOGQ_MAX_ENTRIES ? GT_LOGQ_MAX_ENTRIES
	                                                                     : q->max_entries;
	if (gt__reply_queue(r, &j->req, work_cb, after_cb) != GT_OK) {
		j->env = NULL;
		job_free(j);
		gt__reply_refuse(r, env, GT_EBUSY, NULL);
	}
}
