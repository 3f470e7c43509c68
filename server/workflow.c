/* The reporting chain as state: submit, approve, accept, return, unapprove, and the locks. */
#include "workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "error.h"
#include "metadata.h"
#include "orgunit.h"
#include "period.h"
#include "report.h"
#include "snapshot.h"
#include "store.h"

#define ST_OPEN      GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN
#define ST_SUBMITTED GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED
#define ST_APPROVED  GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED
#define ST_ACCEPTED  GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED
#define ST_RETURNED  GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED

#define R_INVALID  GTSYNC__V1__CONFLICT_REASON__CONFLICT_INVALID_TRANSITION
#define R_DIGEST   GTSYNC__V1__CONFLICT_REASON__CONFLICT_DIGEST_MISMATCH
#define R_CHILDREN GTSYNC__V1__CONFLICT_REASON__CONFLICT_CHILDREN_NOT_READY

void gt_workflow_init(struct gt_workflow *w, struct gt_store *st, const struct gt_snapshot *snap)
{
	memset(w, 0, sizeof(*w));
	w->st = st;
	w->snap = snap;
}

const char *gt_workflow_state_name(int state)
{
	switch (state) {
	case ST_SUBMITTED:
		return "submitted";
	case ST_APPROVED:
		return "approved";
	case ST_ACCEPTED:
		return "accepted";
	case ST_RETURNED:
		return "returned";
	default:
		return "open";
	}
}

int gt_workflow_period_fits(int ds_period_type, const char *period)
{
	struct gt_period p;
	return gt_period_parse(period, &p) == GT_OK && (int)p.type >= ds_period_type;
}

/* The stored state of (dataset, period, org), through the cache; ST_OPEN when none. The cache
 * is invalidated by gt_workflow_eval when an action changes a state. */
static int state_of(struct gt_workflow *w, const char *ds, const char *period, const char *org,
                    int *state)
{
	char key[sizeof(w->cache[0].key)];
	int rc;

	snprintf(key, sizeof(key), "%s\t%s\t%s", ds, period, org);
	for (unsigned i = 0; i < w->ncache; i++) {
		if (strcmp(w->cache[i].key, key) == 0) {
			*state = w->cache[i].state;
			return GT_OK;
		}
	}
	*state = ST_OPEN;
	rc = gt_store_workflow_state_get(w->st, ds, period, org, state);
	if (rc == GT_ENOENT) {
		*state = ST_OPEN;
		rc = GT_OK;
	}
	if (rc != GT_OK)
		return rc;
	if (*state == 0)
		*state = ST_OPEN;
	unsigned slot = w->ncache < GT_WORKFLOW_CACHE ? w->ncache++ : w->next++ % GT_WORKFLOW_CACHE;
	memcpy(w->cache[slot].key, key, sizeof(key));
	w->cache[slot].state = *state;
	return GT_OK;
}

static void cache_set(struct gt_workflow *w, const char *ds, const char *period, const char *org,
                      int state)
{
	char key[sizeof(w->cache[0].key)];

	snprintf(key, sizeof(key), "%s\t%s\t%s", ds, period, org);
	for (unsigned i = 0; i < w->ncache; i++) {
		if (strcmp(w->cache[i].key, key) == 0) {
			w->cache[i].state = state;
			return;
		}
	}
	unsigned slot = w->ncache < GT_WORKFLOW_CACHE ? w->ncache++ : w->next++ % GT_WORKFLOW_CACHE;
	memcpy(w->cache[slot].key, key, sizeof(key));
	w->cache[slot].state = state;
}

static int is_locking(int state)
{
	return state == ST_APPROVED || state == ST_ACCEPTED;
}

/* Whether ds is locked for a value of period at org: an approval of any period containing it
 * (of the data set's type or coarser), at org or any ancestor. */
static int ds_locked(struct gt_workflow *w, const struct gt_meta_dataset *ds, const char *period,
                     const char *org_unit)
{
	struct gt_period p;
	struct gt_date start;
	char org[GT_ORGUNIT_MAX_LEN], up[GT_ORGUNIT_MAX_LEN];

	if (gt_period_parse(period, &p) != GT_OK || gt_period_start(&p, &start) != GT_OK)
		return 0;
	for (int t = (int)ds->period_type; t <= GT_PERIOD_YEARLY; t++) {
		struct gt_period enc;
		char pid[GT_PERIOD_MAX_LEN + 1];
		if ((int)p.type > t || gt_period_from_date((enum gt_period_type)t, &start, &enc) ||
		    gt_period_format(&enc, pid, sizeof(pid)) != GT_OK)
			continue;
		snprintf(org, sizeof(org), "%s", org_unit);
		for (int depth = 0; depth < GT_ORGUNIT_MAX_DEPTH; depth++) {
			int state;
			if (state_of(w, ds->code, pid, org, &state) != GT_OK)
				return 1; /* unreadable: refuse rather than write past a lock */
			if (is_locking(state))
				return 1;
			if (gt_orgunit_parent(org, up, sizeof(up)) != GT_OK)
				break;
			memcpy(org, up, sizeof(org));
		}
	}
	return 0;
}

int gt_workflow_locked(void *arg, int kind, const char *dataset, const char *data_element,
                       const char *period, const char *org_unit)
{
	struct gt_workflow *w = arg;
	const struct gt_meta *m = w->snap->meta;
	(void)kind;

	if (m == NULL)
		return 0;
	if (dataset != NULL && dataset[0] != '\0') {
		const struct gt_meta_dataset *ds = gt_meta_dataset_find(m, dataset);
		return ds != NULL && ds_locked(w, ds, period, org_unit);
	}
	const struct gt_meta_element *e =
	    data_element ? gt_meta_element_find(m, data_element) : NULL;
	if (e == NULL)
		return 0;
	for (size_t i = 0; i < e->ndatasets; i++)
		if (ds_locked(w, e->datasets[i], period, org_unit))
			return 1;
	return 0;
}

struct digest_arg {
	struct gt_digest *d;
	int rc;
};

static int digest_value(void *arg, const struct gt_store_value *v)
{
	struct digest_arg *a = arg;
	a->rc = gt_digest_add(a->d, v->data_element, v->period, v->org_unit, v->coc, v->value);
	return a->rc;
}

int gt_workflow_digest(struct gt_store *st, const struct gt_snapshot *snap, const char *dataset,
                       const char *period, const char *org_unit, uint8_t out[GT_SHA256_LEN],
                       uint64_t *count)
{
	const struct gt_meta_dataset *ds;
	struct digest_arg a = {0};
	char **periods = NULL;
	size_t nperiods = 0;
	const char **elements = NULL;
	int rc;

	if (snap->meta == NULL || (ds = gt_meta_dataset_find(snap->meta, dataset)) == NULL)
		return GT_ENOENT;
	rc = gt_report_periods(gt_period_type_name(ds->period_type), period, &periods, &nperiods);
	if (rc != GT_OK)
		return rc;
	elements = calloc(ds->nelements ? ds->nelements : 1, sizeof(*elements));
	if (elements == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < ds->nelements; i++)
		elements[i] = ds->elements[i]->code;
	if ((rc = gt_digest_begin(dataset, period, org_unit, &a.d)) != GT_OK)
		goto out;
	struct gt_store_report_query q = {
	    .org_root = org_unit,
	    .elements = elements,
	    .n_elements = ds->nelements,
	    .periods = (const char *const *)periods,
	    .n_periods = nperiods,
	};
	rc = gt_store_values_foreach(st, &q, digest_value, &a);
	if (rc == GT_OK)
		rc = a.rc;
	if (rc == GT_OK)
		rc = gt_digest_end(a.d, out, count);
out:
	gt_digest_free(a.d);
	free(elements);
	for (size_t i = 0; i < nperiods; i++)
		free(periods[i]);
	free(periods);
	return rc;
}

/* Whether every child of org expected to report ds has been accepted for period. */
static int children_ready(struct gt_workflow *w, const struct gt_meta_dataset *ds,
                          const char *period, const char *org, int *ready)
{
	const struct gt_snap_ou *self = gt_snapshot_orgunit(w->snap, org);
	char parent[GT_ORGUNIT_MAX_LEN];

	*ready = 1;
	if (self == NULL)
		return GT_OK;
	for (size_t i = 0; i < w->snap->nous; i++) {
		const struct gt_snap_ou *u = &w->snap->ous[i];
		int state;
		if (u->level != self->level + 1 || !gt_meta_dataset_reports_at(ds, u->level) ||
		    gt_orgunit_parent(u->code, parent, sizeof(parent)) != GT_OK ||
		    strcmp(parent, org) != 0)
			continue;
		int rc = state_of(w, ds->code, period, u->code, &state);
		if (rc != GT_OK)
			return rc;
		if (state != ST_ACCEPTED) {
			*ready = 0;
			return GT_OK;
		}
	}
	return GT_OK;
}

int gt_workflow_eval(struct gt_workflow *w, const gt_batch *b, uint8_t *verdicts, uint8_t *states)
{
	for (size_t i = 0; i < b->n_actions; i++) {
		const Gtsync__V1__WorkflowAction *a = b->actions[i];
		const struct gt_meta_dataset *ds;
		int cur, next = 0, rc;

		states[i] = 0;
		if (verdicts[i] != 0)
			continue;
		ds = w->snap->meta ? gt_meta_dataset_find(w->snap->meta, a->dataset) : NULL;
		if (ds == NULL) {
			verdicts[i] = GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATASET;
			continue;
		}
		if ((rc = state_of(w, a->dataset, a->period, a->org_unit, &cur)) != GT_OK)
			return rc;
		switch (a->kind) {
		case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT:
			if (cur == ST_OPEN || cur == ST_RETURNED)
				next = ST_SUBMITTED;
			break;
		case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE: {
			int ready;
			uint8_t digest[GT_SHA256_LEN];
			if (cur != ST_OPEN && cur != ST_RETURNED && cur != ST_SUBMITTED)
				break;
			if ((rc = children_ready(w, ds, a->period, a->org_unit, &ready)) != GT_OK)
				return rc;
			if (!ready) {
				verdicts[i] = R_CHILDREN;
				continue;
			}
			rc = gt_workflow_digest(w->st, w->snap, a->dataset, a->period, a->org_unit,
			                        digest, NULL);
			if (rc != GT_OK)
				return rc;
			if (a->data_digest.len != GT_SHA256_LEN ||
			    memcmp(a->data_digest.data, digest, GT_SHA256_LEN) != 0) {
				verdicts[i] = R_DIGEST;
				continue;
			}
			next = ST_APPROVED;
			break;
		}
		case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT:
			if (cur == ST_APPROVED)
				next = ST_ACCEPTED;
			break;
		case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN: {
			char parent[GT_ORGUNIT_MAX_LEN];
			int pstate = ST_OPEN;
			if (a->reason == NULL || a->reason[0] == '\0')
				break;
			if (cur != ST_SUBMITTED && cur != ST_APPROVED && cur != ST_ACCEPTED)
				break;
			/* The parent must not have approved over it: unapprove that first. */
			if (gt_orgunit_parent(a->org_unit, parent, sizeof(parent)) == GT_OK &&
			    (rc = state_of(w, a->dataset, a->period, parent, &pstate)) != GT_OK)
				return rc;
			if (!is_locking(pstate))
				next = ST_RETURNED;
			break;
		}
		case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_UNAPPROVE:
			if (cur == ST_APPROVED)
				next = ST_OPEN;
			break;
		default:
			break;
		}
		if (next == 0) {
			verdicts[i] = R_INVALID;
			continue;
		}
		states[i] = (uint8_t)next;
		cache_set(w, a->dataset, a->period, a->org_unit, next);
	}
	return GT_OK;
}
