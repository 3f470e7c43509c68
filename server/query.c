/* Read requests (pull, metadata, reports, exports), answered from read-only handles off the loop.
 */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "clock.h"
#include "error.h"
#include "export.h"
#include "i18n.h"
#include "logleaf.h"
#include "metadata.h"
#include "period.h"
#include "privacy.h"
#include "protoconv.h"
#include "readlog.h"
#include "readpool.h"
#include "reply.h"
#include "report.h"
#include "roleset.h"
#include "server_int.h"
#include "snapshot.h"
#include "store.h"
#include "timezone.h"

/* Bytes of a report cursor: the store's change and admin sequences and the metadata version
 * (big-endian), and the view. */
#define GT__REPORT_CURSOR_LEN 25

struct query_job {
	uv_work_t req;
	struct gt__reply *r;
	struct gt_snapshot *snap;
	struct gt_readpool *readers;
	gt_envelope *env;
	uint32_t pull_max;
	int reader_only; /* the key reads as a reader: reports in the reader's view */
	int64_t now_ms;
	int rc;
	const char *why;
	/* Results */
	struct gt_store_pull_out pull;
	const char **filter_elements;
	struct pulled_batch *batches;
	size_t nbatches;
	uint32_t max_frame;
	struct gt_report *report;
	uint8_t cursor[GT__REPORT_CURSOR_LEN]; /* the report's cursor (issue 11) */
	int unchanged;                         /* nothing changed since the request's cursor */
	struct gt__export *export;
};

/* A signed batch returned with a pull (include_batches). */
struct pulled_batch {
	uint8_t *bytes;
	size_t len;
	uint8_t sig[GT_ED25519_SIG_LEN];
	uint8_t pub[GT_ED25519_PUB_LEN];
	uint8_t hash[GT_SHA256_LEN];
	uint64_t log_index;
	int64_t received_at_ms; /* the time its leaf covers; 0 for a kind 1 leaf */
};

uint64_t gt__query_metadata_version(const struct gt_server *srv)
{
	return srv->snap ? srv->snap->md_version : 0;
}

struct found_batch {
	struct query_job *j;
	struct gt_store *st;
	size_t budget; /* bytes of batches the reply may still carry */
	int rc;
};

/* The receive time batch log_index's leaf covers, into *at: 0 for a leaf of kind 1 (logged
 * before leaves carried it) or a batch without a leaf. */
static int leaf_time(struct gt_store *st, uint64_t log_index, int64_t *at)
{
	struct gt_logleaf_batchinfo bi;
	uint8_t *entry = NULL;
	size_t len = 0;
	uint64_t leaf;
	int rc = gt_store_tree_leaf_of(st, log_index, &leaf);

	*at = 0;
	if (rc == GT_ENOENT)
		return GT_OK;
	if (rc == GT_OK)
		rc = gt_store_tree_entry(st, leaf, &entry, &len);
	if (rc == GT_OK && gt_logleaf_batch_parse(entry, len, &bi) == GT_OK && bi.timed)
		*at = bi.received_at_ms;
	free(entry);
	return rc;
}

static int keep_batch(void *arg, const struct gt_store_log_entry *e)
{
	struct found_batch *f = arg;
	struct query_job *j = f->j;
	struct pulled_batch *pb;
	struct gt_store_key key;

	if (e->len + 256 > f->budget || e->sig_len != GT_ED25519_SIG_LEN)
		return GT_ETOOBIG;
	if ((f->rc = gt_store_key_get(f->st, e->key_id, &key)) != GT_OK)
		return f->rc;
	pb = &j->batches[j->nbatches];
	pb->bytes = malloc(e->len ? e->len : 1);
	if (pb->bytes == NULL)
		return GT_ENOMEM;
	memcpy(pb->bytes, e->batch, e->len);
	pb->len = e->len;
	memcpy(pb->sig, e->signature, GT_ED25519_SIG_LEN);
	memcpy(pb->pub, key.public_key, GT_ED25519_PUB_LEN);
	memcpy(pb->hash, e->hash, GT_SHA256_LEN);
	pb->log_index = e->log_index;
	if ((f->rc = leaf_time(f->st, e->log_index, &pb->received_at_ms)) != GT_OK) {
		free(pb->bytes);
		return f->rc;
	}
	j->nbatches++;
	f->budget -= e->len + 256;
	return 0;
}

static int have_batch(const struct query_job *j, const uint8_t hash[GT_SHA256_LEN])
{
	for (size_t i = 0; i < j->nbatches; i++)
		if (memcmp(j->batches[i].hash, hash, GT_SHA256_LEN) == 0)
			return 1;
	return 0;
}

/* Adds the signed batches the chunk's values came from, within half the frame limit; when the
 * budget runs out, the chunk is cut before the first value whose batch did not fit. */
static int add_batches(struct query_job *j, struct gt_store *st)
{
	struct gt_store_pull_out *o = &j->pull;
	struct found_batch f = {j, st, j->max_frame / 2, 0};
	uint64_t cut = 0;

	j->batches = calloc(o->n_values + 1, sizeof(*j->batches));
	if (j->batches == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < o->n_values; i++) {
		const struct gt_store_value *v = &o->values[i];
		if (have_batch(j, v->origin_batch))
			continue;
		int rc = gt_store_log_find(st, v->origin_batch, keep_batch, &f);
		if (rc == GT_ETOOBIG && i > 0) {
			cut = v->change_seq;
			break;
		}
		if (rc != GT_OK)
			return rc;
	}
	if (cut == 0)
		return GT_OK;
	/* Keep only the changes before the cut; the client pulls the rest next. */
	size_t n = 0;
	while (n < o->n_values && o->values[n].change_seq < cut)
		n++;
	o->n_values = n;
	n = 0;
	for (size_t i = 0; i < o->n_completions; i++)
		if (o->completions[i].change_seq < cut)
			o->completions[n++] = o->completions[i];
	o->n_completions = n;
	n = 0;
	for (size_t i = 0; i < o->n_states; i++)
		if (o->states[i].change_seq < cut)
			o->states[n++] = o->states[i];
	o->n_states = n;
	o->next_cursor = cut - 1;
	o->more = 1;
	return GT_OK;
}

static void do_pull(struct query_job *j, struct gt_store *st)
{
	const Gtsync__V1__PullRequest *p = j->env->pull;
	uint32_t max = p->max_items && p->max_items < j->pull_max ? p->max_items : j->pull_max;
	struct gt_store_pull_filter filter = {0}, *fp = NULL;

	if (p->dataset != NULL && p->dataset[0] != '\0') {
		const struct gt_meta_dataset *ds =
		    j->snap->meta ? gt_meta_dataset_find(j->snap->meta, p->dataset) : NULL;
		if (ds == NULL) {
			j->rc = GT_ENOENT;
			j->why = N_("unknown data set");
			return;
		}
		j->filter_elements = calloc(ds->nelements + 1, sizeof(*j->filter_elements));
		if (j->filter_elements == NULL) {
			j->rc = GT_ENOMEM;
			return;
		}
		for (size_t i = 0; i < ds->nelements; i++)
			j->filter_elements[i] = ds->elements[i]->code;
		filter.elements = j->filter_elements;
		filter.n_elements = ds->nelements;
		filter.dataset = ds->code;
		fp = &filter;
	}
	j->rc = gt_store_pull(st, p->org_unit, p->cursor, max, fp, &j->pull);
	if (j->rc == GT_OK && p->include_batches)
		j->rc = add_batches(j, st);
	if (j->rc != GT_OK && j->why == NULL)
		j->why = N_("the store could not be read");
}

/* A report's cursor: the store's stamp (change and admin sequences), the metadata version and
 * the view, each read before the report is built (a change while it is built is newer). */
static void report_cursor(uint8_t out[GT__REPORT_CURSOR_LEN], const struct gt_store_stamp *now,
                          uint64_t md_version, int reader_view)
{
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(now->change_seq >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(now->admin_seq >> (56 - 8 * i));
		out[16 + i] = (uint8_t)(md_version >> (56 - 8 * i));
	}
	out[24] = reader_view ? 1 : 0;
}

/* Reads a cursor the client sent back; 0 when it is not one of this server's. */
static int read_cursor(const ProtobufCBinaryData *b, struct gt_store_stamp *at,
                       uint64_t *md_version, int *reader_view)
{
	memset(at, 0, sizeof(*at));
	*md_version = 0;
	*reader_view = 0;
	if (b->len != GT__REPORT_CURSOR_LEN || b->data[24] > 1)
		return 0;
	for (int i = 0; i < 8; i++) {
		at->change_seq = at->change_seq << 8 | b->data[i];
		at->admin_seq = at->admin_seq << 8 | b->data[8 + i];
		*md_version = *md_version << 8 | b->data[16 + i];
	}
	*reader_view = b->data[24];
	return 1;
}

/* Whether the report q asks for reads nothing changed since the cursor it sent back (the
 * probe of the server's report cache: the data set's values of the report's periods, its
 * workflow and completions, and the org units and keys), with *now the store's stamp either
 * way. The report cache (report_cache.c) relies on the same probe. */
static int report_unchanged(struct query_job *j, struct gt_store *st, int reader_view,
                            struct gt_store_stamp *now)
{
	const Gtsync__V1__ReportRequest *q = j->env->report_request;
	const struct gt_meta_dataset *ds = NULL;
	struct gt_store_stamp at;
	uint64_t md;
	char **periods = NULL;
	size_t n = 0;
	int view, changed = 1, rc;

	if (j->snap->meta != NULL)
		ds = gt_meta_dataset_find(j->snap->meta, q->dataset);
	if (ds == NULL || gt_snapshot_orgunit(j->snap, q->org_unit) == NULL ||
	    gt_report_periods(gt_period_type_name(ds->period_type), q->period, &periods, &n) != 0) {
		periods = NULL; /* an unknown report: the probe only reads the stamp */
		n = 0;
	}
	rc = gt_store_report_changed(st, UINT64_MAX, q->dataset != NULL ? q->dataset : "",
	                             (const char *const *)periods, n, now, &changed);
	if (rc == GT_OK && ds != NULL && periods != NULL &&
	    read_cursor(&q->since, &at, &md, &view) && md == j->snap->md_version &&
	    view == reader_view && at.admin_seq == now->admin_seq &&
	    at.change_seq <= now->change_seq)
		rc = gt_store_report_changed(st, at.change_seq, q->dataset,
		                             (const char *const *)periods, n, &at, &changed);
	else
		changed = 1;
	for (size_t i = 0; i < n; i++)
		free(periods[i]);
	free(periods);
	if (rc != GT_OK)
		return rc;
	return changed ? 0 : 1;
}

static void do_report(struct query_job *j, struct gt_store *st)
{
	const Gtsync__V1__ReportRequest *q = j->env->report_request;
	int reader_view = j->reader_only || q->public_view;
	struct gt_store_stamp now;
	int same;

	/* The cursor is read first: a change that lands while the report is built makes the
	 * next request's cursor differ, so a refresh never keeps a stale report. */
	if ((same = report_unchanged(j, st, reader_view, &now)) < 0) {
		j->rc = same;
		j->why = "the store could not be read";
		return;
	}
	report_cursor(j->cursor, &now, j->snap->md_version, reader_view);
	/* Unchanged: nothing the report reads changed since the cursor sent back (issue 11: per
	 * report, so a change elsewhere keeps this one). */
	if (same) {
		j->unchanged = 1;
		return;
	}
	j->rc = gt_report_build(st, j->snap, q->org_unit, q->dataset, q->period, q->per_child,
	                        j->now_ms, &j->report, &j->why);
	/* A reader key never receives the raw report, nor does a request for the public view:
	 * the reader's view is made here, off the loop, before anything is sent (issue 14). */
	if (j->rc == GT_OK && reader_view) {
		j->rc = gt_privacy_reader_report(st, j->snap, q->dataset, q->period, j->report);
		if (j->rc != GT_OK)
			j->why = N_("the reader's view of the report could not be made");
	}
}

static void work_cb(uv_work_t *req)
{
	struct query_job *j = req->data;
	struct gt_store *st = NULL;

	if (j->env->body_case == GTSYNC__V1__ENVELOPE__BODY_METADATA_REQUEST)
		return; /* answered from the snapshot */
	if ((j->rc = gt_readpool_get(j->readers, &st)) != GT_OK) {
		j->why = N_("the store could not be opened for reading");
		return;
	}
	if (j->env->body_case == GTSYNC__V1__ENVELOPE__BODY_PULL)
		do_pull(j, st);
	else if (j->env->body_case == GTSYNC__V1__ENVELOPE__BODY_EXPORT_REQUEST)
		j->rc = gt__export_run(st, j->snap, j->env->export_request, j->max_frame / 2,
		                       &j->export, &j->why);
	else
		do_report(j, st);
	gt_readpool_put(j->readers, st);
}

static void reply_pull(struct query_job *j)
{
	Gtsync__V1__PullChunk chunk = GTSYNC__V1__PULL_CHUNK__INIT;
	const struct gt_store_pull_out *o = &j->pull;
	Gtsync__V1__PulledValue *pv = calloc(o->n_values + 1, sizeof(*pv));
	Gtsync__V1__PulledValue **pvp = calloc(o->n_values + 1, sizeof(*pvp));
	Gtsync__V1__DataValue *dv = calloc(o->n_values + 1, sizeof(*dv));
	Gtsync__V1__SignedBatch *sb = calloc(j->nbatches + 1, sizeof(*sb));
	Gtsync__V1__SignedBatch **sbp = calloc(j->nbatches + 1, sizeof(*sbp));
	struct gt__protoconv_regs g = {0};

	if (!pv || !pvp || !dv || !sb || !sbp ||
	    gt__protoconv_regs(&g, o->states, o->n_states, o->completions, o->n_completions) !=
	        GT_OK) {
		gt__reply_fail(j->r, j->env->request_id, GT_ENOMEM, NULL, 0);
		goto out;
	}
	for (size_t i = 0; i < o->n_values; i++) {
		const struct gt_store_value *v = &o->values[i];
		gt__protoconv_value(&dv[i], v);
		gtsync__v1__pulled_value__init(&pv[i]);
		pv[i].value = &dv[i];
		pv[i].origin_batch.data = (uint8_t *)v->origin_batch;
		pv[i].origin_batch.len = sizeof(v->origin_batch);
		pv[i].updated_at_ms = v->updated_at_ms;
		pv[i].change_seq = v->change_seq;
		pvp[i] = &pv[i];
	}
	for (size_t i = 0; i < j->nbatches; i++) {
		struct pulled_batch *b = &j->batches[i];
		gtsync__v1__signed_batch__init(&sb[i]);
		sb[i].batch.data = b->bytes;
		sb[i].batch.len = b->len;
		sb[i].signature.data = b->sig;
		sb[i].signature.len = sizeof(b->sig);
		sb[i].public_key.data = b->pub;
		sb[i].public_key.len = sizeof(b->pub);
		sb[i].log_index = b->log_index;
		sb[i].received_at_ms = b->received_at_ms;
		sbp[i] = &sb[i];
	}
	chunk.completions = g.completions;
	chunk.n_completions = o->n_completions;
	chunk.batches = sbp;
	chunk.n_batches = j->nbatches;
	chunk.values = pvp;
	chunk.n_values = o->n_values;
	chunk.states = g.states;
	chunk.n_states = o->n_states;
	chunk.next_cursor = o->next_cursor;
	chunk.more = o->more;
	GT__REPLY_SEND_BODY(j->r, j->env->request_id, PULL_CHUNK, pull_chunk, &chunk);
out:
	free(pv);
	free(pvp);
	free(dv);
	gt__protoconv_regs_free(&g);
	free(sb);
	free(sbp);
}

static void reply_metadata(struct query_job *j)
{
	const struct gt_snapshot *s = j->snap;
	const Gtsync__V1__MetadataRequest *mr = j->env->metadata_request;
	Gtsync__V1__MetadataReply rep = GTSYNC__V1__METADATA_REPLY__INIT;
	Gtsync__V1__MetadataFile *f = calloc(s->nfiles + 1, sizeof(*f));
	Gtsync__V1__MetadataFile **fp = calloc(s->nfiles + 1, sizeof(*fp));
	Gtsync__V1__OrgUnit *ou = calloc(s->nous + 1, sizeof(*ou));
	Gtsync__V1__OrgUnit **oup = calloc(s->nous + 1, sizeof(*oup));
	char(*parents)[GT_ORGUNIT_MAX_LEN] = calloc(s->nous + 1, sizeof(*parents));
	size_t n = 0;

	if (!f || !fp || !ou || !oup || !parents) {
		gt__reply_fail(j->r, j->env->request_id, GT_ENOMEM, NULL, 0);
		goto out;
	}
	rep.version = s->md_version;
	if (mr->known_version != 0 && mr->known_version == s->md_version) {
		rep.unchanged = 1;
	} else {
		for (size_t i = 0; i < s->nfiles; i++) {
			gtsync__v1__metadata_file__init(&f[i]);
			f[i].name = s->file_names[i];
			f[i].content.data = s->file_data[i];
			f[i].content.len = s->file_lens[i];
			f[i].sha256.data = s->file_sha[i];
			f[i].sha256.len = 32;
			fp[i] = &f[i];
		}
		rep.files = fp;
		rep.n_files = s->nfiles;
	}
	/* Org units in the key's scope: its subtree and the chain above it. */
	for (size_t i = 0; i < s->nous; i++) {
		const struct gt_snap_ou *u = &s->ous[i];
		if (gt_orgunit_contains(j->r->org_unit, u->code) != 1 &&
		    gt_orgunit_contains(u->code, j->r->org_unit) != 1)
			continue;
		gtsync__v1__org_unit__init(&ou[n]);
		ou[n].code = (char *)u->code;
		ou[n].name = u->name;
		ou[n].level = (uint32_t)u->level;
		if (gt_orgunit_parent(u->code, parents[n], sizeof(parents[n])) != GT_OK)
			parents[n][0] = '\0';
		ou[n].parent = parents[n];
		ou[n].time_zone = (char *)gt_tz_name((enum gt_tz)u->tz);
		oup[n] = &ou[n];
		n++;
	}
	rep.org_units = oup;
	rep.n_org_units = n;
	GT__REPLY_SEND_BODY(j->r, j->env->request_id, METADATA_REPLY, metadata_reply, &rep);
out:
	free(f);
	free(fp);
	free(ou);
	free(oup);
	free(parents);
}

static const char *or_empty(const char *s);

/* Records a read that was served (issue 14): what, for which unit, how many values. */
static void note_read(struct query_job *j)
{
	const gt_envelope *e = j->env;
	struct gt__reply *r = j->r;
	char range[2 * GT_PERIOD_MAX_LEN + 4];
	uint64_t items = 0;

	switch (e->body_case) {
	case GTSYNC__V1__ENVELOPE__BODY_PULL:
		gt__reply_note_read(r, "pull", e->pull->org_unit, e->pull->dataset, "",
		                    j->pull.n_values);
		break;
	case GTSYNC__V1__ENVELOPE__BODY_EXPORT_REQUEST:
		snprintf(range, sizeof(range), "%.*s..%.*s", (int)GT_PERIOD_MAX_LEN,
		         or_empty(e->export_request->start_period), (int)GT_PERIOD_MAX_LEN,
		         or_empty(e->export_request->end_period));
		gt__reply_note_read(r, "export", e->export_request->org_unit,
		                    e->export_request->dataset, range,
		                    j->export ? j->export->out.n_values : 0);
		break;
	case GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST: {
		const Gtsync__V1__ReportReply *rr = j->report ? gt_report_reply(j->report) : NULL;
		items = rr ? rr->n_totals : 0;
		for (size_t i = 0; rr && i < rr->n_children; i++)
			items += rr->children[i]->n_values;
		gt__reply_note_read(r, "report", e->report_request->org_unit,
		                    e->report_request->dataset, e->report_request->period, items);
		break;
	}
	default:
		break;
	}
}

/* The report, or when nothing changed since the request's cursor only the request's names and
 * the cursor (issue 11: a dashboard's refresh of an unchanged report is a few dozen bytes). */
static void reply_report(struct query_job *j)
{
	const Gtsync__V1__ReportRequest *q = j->env->report_request;
	Gtsync__V1__ReportReply small = GTSYNC__V1__REPORT_REPLY__INIT;
	Gtsync__V1__ReportReply *r = &small;

	if (j->unchanged) {
		small.org_unit = q->org_unit;
		small.dataset = q->dataset;
		small.period = q->period;
		small.generated_at_ms = j->now_ms;
		small.unchanged = 1;
	} else {
		r = gt_report_reply(j->report);
	}
	r->cursor.data = j->cursor;
	r->cursor.len = sizeof(j->cursor);
	GT__REPLY_SEND_BODY(j->r, j->env->request_id, REPORT_REPLY, report_reply, r);
	/* The report's memory must not free the cursor, which lives in the job. */
	r->cursor.data = NULL;
	r->cursor.len = 0;
}

static void after_cb(uv_work_t *req, int status)
{
	struct query_job *j = req->data;
	struct gt__reply *r = j->r;
	uint64_t rid = j->env->request_id;

	if (status == 0 && j->env->body_case == GTSYNC__V1__ENVELOPE__BODY_METADATA_REQUEST) {
		reply_metadata(j);
	} else if (gt__reply_failed(r, rid, status, j->rc, j->why)) {
		/* Answered. */
	} else if (j->env->body_case == GTSYNC__V1__ENVELOPE__BODY_PULL) {
		reply_pull(j);
		note_read(j);
	} else if (j->env->body_case == GTSYNC__V1__ENVELOPE__BODY_EXPORT_REQUEST) {
		gt__export_reply(r, rid, j->export);
		note_read(j);
	} else {
		reply_report(j);
		note_read(j);
	}
	gt_store_pull_free(&j->pull);
	for (size_t i = 0; i < j->nbatches; i++)
		free(j->batches[i].bytes);
	free(j->batches);
	free(j->filter_elements);
	gt_report_free(j->report);
	gt__export_free(j->export);
	gt_snapshot_unref(j->snap);
	gt_wire_envelope_free(j->env);
	free(j);
	gt__reply_end(r);
}

/* s, or "" for NULL. */
static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* The org unit a read request names, for the scope check. */
static const char *request_org(const gt_envelope *env)
{
	switch (env->body_case) {
	case GTSYNC__V1__ENVELOPE__BODY_PULL:
		return env->pull->org_unit;
	case GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST:
		return env->report_request->org_unit;
	case GTSYNC__V1__ENVELOPE__BODY_EXPORT_REQUEST:
		return env->export_request->org_unit;
	default:
		return NULL;
	}
}

void gt__query_submit(struct gt__reply *r, gt_envelope *env)
{
	const char *why = NULL;
	struct query_job *j;

	/* A reader key's export is always the public one, whatever the request says: no values of
	 * finer periods of counts with a disclosure threshold, their yearly figures suppressed,
	 * no comments, text or signers (issue 14). */
	if (env->body_case == GTSYNC__V1__ENVELOPE__BODY_EXPORT_REQUEST &&
	    gt_privacy_reader_only(r->roles))
		env->export_request->public_view = 1;
	if (env->body_case == GTSYNC__V1__ENVELOPE__BODY_PULL && gt_privacy_reader_only(r->roles))
		why = N_("a reader key gets consolidated reports only: no pull of per-unit values, "
		         "comments or batches");
	if (gt__reply_read_allowed(r, env, request_org(env), why) != GT_OK)
		return;
	if ((j = gt__reply_job(r, env, sizeof(*j))) == NULL)
		return;
	j->req.data = j;
	j->r = r;
	j->env = env;
	j->snap = gt_snapshot_ref(r->srv->snap);
	j->readers = r->srv->readers;
	j->pull_max = r->srv->cfg.pull_max_items;
	j->max_frame = r->srv->cfg.max_frame;
	j->now_ms = gt_clock_wall_ms();
	j->reader_only = gt_privacy_reader_only(r->roles);
	if (gt__reply_queue(r, &j->req, work_cb, after_cb) != GT_OK) {
		gt_snapshot_unref(j->snap);
		free(j);
		gt__reply_refuse(r, env, GT_EBUSY, NULL);
	}
}
