/* Consolidated reports: totals over a subtree, per-child breakdown, completeness, timeliness. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "metadata.h"
#include "orgunit.h"
#include "period.h"
#include "snapshot.h"
#include "store.h"

/* Every allocation of a report, released together. */
struct gt_report {
	Gtsync__V1__ReportReply reply;
	Gtsync__V1__Completeness completeness;
	void **ptrs;
	size_t nptrs, capptrs;
	int failed;
};

static void *rp_alloc(struct gt_report *r, size_t n)
{
	void *p;

	if (r->failed)
		return NULL;
	if (r->nptrs == r->capptrs) {
		size_t cap = r->capptrs ? r->capptrs * 2 : 64;
		void **np = realloc(r->ptrs, cap * sizeof(*np));
		if (np == NULL) {
			r->failed = 1;
			return NULL;
		}
		r->ptrs = np;
		r->capptrs = cap;
	}
	p = calloc(1, n ? n : 1);
	if (p == NULL) {
		r->failed = 1;
		return NULL;
	}
	r->ptrs[r->nptrs++] = p;
	return p;
}

static char *rp_strdup(struct gt_report *r, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = rp_alloc(r, n);
	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* Grows a protobuf-c repeated field (pointer array) by one slot, returning the slot. */
static void **rp_push(struct gt_report *r, void ***arr, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void **np = rp_alloc(r, ncap * sizeof(*np));
		if (np == NULL)
			return NULL;
		if (*n)
			memcpy(np, *arr, *n * sizeof(*np));
		*arr = np;
		*cap = ncap;
	}
	return &(*arr)[(*n)++];
}

void gt_report_free(struct gt_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nptrs; i++)
		free(r->ptrs[i]);
	free(r->ptrs);
	free(r);
}

Gtsync__V1__ReportReply *gt_report_reply(struct gt_report *r)
{
	return &r->reply;
}

int gt_report_periods(const char *type_name, const char *period, char ***periods, size_t *n)
{
	enum gt_period_type type;
	struct gt_period outer, cur;
	struct gt_date start;
	char **list = NULL;
	size_t count = 0;
	int rc;

	*periods = NULL;
	*n = 0;
	if (gt_period_type_parse(type_name, &type) != GT_OK || gt_period_parse(period, &outer) ||
	    gt_period_start(&outer, &start) || gt_period_from_date(type, &start, &cur))
		return GT_EINVAL;
	/* At most 12 months in the coarsest period. */
	list = calloc(12, sizeof(*list));
	if (list == NULL)
		return GT_ENOMEM;
	while (count < 12 && gt_period_contains(&outer, &cur) == 1) {
		list[count] = malloc(GT_PERIOD_MAX_LEN + 1);
		if (list[count] == NULL) {
			rc = GT_ENOMEM;
			goto fail;
		}
		gt_period_format(&cur, list[count], GT_PERIOD_MAX_LEN + 1);
		count++;
		if (gt_period_next(&cur, &cur) != GT_OK)
			break;
	}
	if (count == 0) {
		rc = GT_EINVAL;
		goto fail;
	}
	*periods = list;
	*n = count;
	return GT_OK;
fail:
	for (size_t i = 0; i < count; i++)
		free(list[i]);
	free(list);
	return rc;
}

/* ---- Building ---- */

struct child {
	const struct gt_snap_ou *ou;
	Gtsync__V1__ChildReport *msg;
	size_t nvalues_cap;
};

struct build {
	struct gt_report *r;
	const struct gt_snapshot *snap;
	const char *root;
	struct child *children;
	size_t nchildren;
	size_t ntotals_cap;
	/* Completeness */
	const char **expected; /* codes, subtree order */
	size_t nexpected, capexpected;
	int64_t deadline_ms;
};

static Gtsync__V1__ReportValue *new_value(struct gt_report *r, const char *element, const char *coc,
                                          double sum, uint32_t count)
{
	Gtsync__V1__ReportValue *v = rp_alloc(r, sizeof(*v));
	if (v == NULL)
		return NULL;
	gtsync__v1__report_value__init(v);
	v->data_element = rp_strdup(r, element);
	v->category_option_combo = rp_strdup(r, coc);
	v->value = sum;
	v->count = count;
	return v;
}

static struct child *find_child(struct build *b, const char *code)
{
	for (size_t i = 0; i < b->nchildren; i++)
		if (strcmp(b->children[i].ou->code, code) == 0)
			return &b->children[i];
	return NULL;
}

static int on_total(void *arg, const char *element, const char *coc, const char *child, double sum,
                    uint32_t count)
{
	struct build *b = arg;
	Gtsync__V1__ReportReply *rep = &b->r->reply;
	void **slot = rp_push(b->r, (void ***)&rep->totals, &rep->n_totals, &b->ntotals_cap);
	(void)child;
	if (slot == NULL || (*slot = new_value(b->r, element, coc, sum, count)) == NULL)
		return GT_ENOMEM;
	return 0;
}

static int on_child_value(void *arg, const char *element, const char *coc, const char *child,
                          double sum, uint32_t count)
{
	struct build *b = arg;
	struct child *c = find_child(b, child);
	void **slot;

	if (c == NULL)
		return 0; /* the root's own values are in the totals */
	slot = rp_push(b->r, (void ***)&c->msg->values, &c->msg->n_values, &c->nvalues_cap);
	if (slot == NULL || (*slot = new_value(b->r, element, coc, sum, count)) == NULL)
		return GT_ENOMEM;
	return 0;
}

struct subtree_arg {
	struct build *b;
	int direct_children; /* collect children rather than expected units */
};

static int collect_unit(void *arg, const struct gt_snap_ou *u)
{
	struct subtree_arg *a = arg;
	struct build *b = a->b;

	if (b->nexpected == b->capexpected) {
		size_t cap = b->capexpected ? b->capexpected * 2 : 64;
		const char **np = realloc(b->expected, cap * sizeof(*np));
		if (np == NULL)
			return GT_ENOMEM;
		b->expected = np;
		b->capexpected = cap;
	}
	b->expected[b->nexpected++] = u->code;
	return 0;
}

/* The child of root that contains code, or NULL when code is root itself. */
static struct child *child_of(struct build *b, const char *code)
{
	for (size_t i = 0; i < b->nchildren; i++)
		if (gt_orgunit_contains(b->children[i].ou->code, code) == 1)
			return &b->children[i];
	return NULL;
}

struct unit_seen {
	struct build *b;
	char **codes; /* reported units */
	int *on_time;
	size_t n, cap;
};

static int on_reported(void *arg, const char *org_unit, uint32_t count, int64_t first_at_ms,
                       int64_t last_at_ms)
{
	struct unit_seen *s = arg;
	(void)count;
	(void)last_at_ms;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **nc = realloc(s->codes, cap * sizeof(*nc));
		if (nc == NULL)
			return GT_ENOMEM;
		s->codes = nc;
		int *no = realloc(s->on_time, cap * sizeof(*no));
		if (no == NULL)
			return GT_ENOMEM;
		s->on_time = no;
		s->cap = cap;
	}
	s->codes[s->n] = rp_strdup(s->b->r, org_unit);
	if (s->codes[s->n] == NULL)
		return GT_ENOMEM;
	/* On time: the unit's report arrived by the deadline (later corrections do not make
	 * it late). */
	s->on_time[s->n] = first_at_ms <= s->b->deadline_ms;
	s->n++;
	return 0;
}

static int seen_index(const struct unit_seen *s, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->codes[i], code) == 0)
			return (int)i;
	return -1;
}

static int64_t deadline_for(const char *period, unsigned timely_days)
{
	struct gt_period p;
	struct gt_date end;

	if (gt_period_parse(period, &p) != GT_OK || gt_period_end(&p, &end) != GT_OK)
		return 0;
	/* The end date is inclusive: the deadline is the end of that day plus the timely days. */
	return (gt_date_to_days(&end) + 1 + (int64_t)timely_days) * 86400000;
}

/* Finds or adds the entry for (element, coc) in a repeated ReportValue field. */
static Gtsync__V1__ReportValue *value_slot(struct gt_report *r, Gtsync__V1__ReportValue ***arr,
                                           size_t *n, size_t *cap, const char *element,
                                           const char *coc)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*arr)[i]->data_element, element) == 0 &&
		    strcmp((*arr)[i]->category_option_combo, coc) == 0)
			return (*arr)[i];
	void **slot = rp_push(r, (void ***)arr, n, cap);
	if (slot == NULL || (*slot = new_value(r, element, coc, 0, 0)) == NULL)
		return NULL;
	((Gtsync__V1__ReportValue *)*slot)->text = "";
	return *slot;
}

/* Adds a value of an element aggregated "none" (yes/no, text): the unit's own value is the
 * text; the number counts the "true" answers in the subtree. */
static int add_none(struct gt_report *r, Gtsync__V1__ReportValue *rv, const char *owner,
                    const struct gt_store_value *v)
{
	rv->count++;
	if (strcmp(v->value, "true") == 0)
		rv->value += 1;
	if (strcmp(v->org_unit, owner) == 0 && (rv->text = rp_strdup(r, v->value)) == NULL)
		return GT_ENOMEM;
	return 0;
}

static int on_none_value(void *arg, const struct gt_store_value *v)
{
	struct build *b = arg;
	Gtsync__V1__ReportReply *rep = &b->r->reply;
	Gtsync__V1__ReportValue *rv = value_slot(b->r, &rep->totals, &rep->n_totals,
	                                         &b->ntotals_cap, v->data_element, v->coc);
	if (rv == NULL || add_none(b->r, rv, b->root, v) != 0)
		return GT_ENOMEM;
	struct child *c = child_of(b, v->org_unit);
	if (c == NULL)
		return 0;
	rv = value_slot(b->r, &c->msg->values, &c->msg->n_values, &c->nvalues_cap, v->data_element,
	                v->coc);
	if (rv == NULL || add_none(b->r, rv, c->ou->code, v) != 0)
		return GT_ENOMEM;
	return 0;
}

static int state_of(struct gt_store *st, const char *ds, const char *period, const char *org)
{
	int state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN;
	if (gt_store_workflow_state_get(st, ds, period, org, &state) != GT_OK || state == 0)
		state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN;
	return state;
}

struct history {
	struct gt_report *r;
	size_t cap;
};

static int on_event(void *arg, const struct gt_store_wfevent *e)
{
	struct history *h = arg;
	struct gt_report *r = h->r;
	Gtsync__V1__WorkflowEvent *ev = rp_alloc(r, sizeof(*ev));
	void **slot;

	if (ev == NULL)
		return GT_ENOMEM;
	gtsync__v1__workflow_event__init(ev);
	ev->kind = e->kind;
	ev->key_id = rp_strdup(r, e->key_id);
	ev->at_ms = e->at_ms;
	ev->reason = rp_strdup(r, e->reason ? e->reason : "");
	ev->origin_batch.data = rp_alloc(r, GT_SHA256_LEN);
	if (ev->origin_batch.data == NULL)
		return GT_ENOMEM;
	memcpy(ev->origin_batch.data, e->origin_batch, GT_SHA256_LEN);
	ev->origin_batch.len = GT_SHA256_LEN;
	if (e->data_digest != NULL) {
		ev->data_digest.data = rp_alloc(r, GT_SHA256_LEN);
		if (ev->data_digest.data == NULL)
			return GT_ENOMEM;
		memcpy(ev->data_digest.data, e->data_digest, GT_SHA256_LEN);
		ev->data_digest.len = GT_SHA256_LEN;
	}
	slot = rp_push(r, (void ***)&r->reply.history, &r->reply.n_history, &h->cap);
	if (slot == NULL)
		return GT_ENOMEM;
	*slot = ev;
	return 0;
}

/* Target, achievement and gap per indicator of an action-plan data set, for a yearly period:
 * the achievement is the total of the ACH values whose combo is the indicator's code. */
static int add_targets(struct gt_report *r, const struct gt_snapshot *snap,
                       const struct gt_meta_dataset *ds, const char *period)
{
	struct gt_period p;
	size_t cap = 0;

	if (ds->plan == NULL || gt_period_parse(period, &p) != GT_OK || p.type != GT_PERIOD_YEARLY)
		return GT_OK;
	for (size_t i = 0; i < snap->meta->nindicators; i++) {
		const struct gt_meta_indicator *ind = snap->meta->indicators[i];
		Gtsync__V1__TargetRow *row;
		void **slot;
		char raw[1024] = "";
		size_t used = 0;

		if (ind->plan != ds->plan)
			continue;
		row = rp_alloc(r, sizeof(*row));
		if (row == NULL)
			return GT_ENOMEM;
		gtsync__v1__target_row__init(row);
		row->indicator = rp_strdup(r, ind->code);
		row->name = rp_strdup(r, ind->name);
		row->year = rp_strdup(r, period);
		row->unit = "";
		for (size_t t = 0; t < ind->ntargets; t++) {
			const struct gt_meta_target *tg = &ind->targets[t];
			if ((int)tg->year != p.year)
				continue;
			if (tg->has_quantity) {
				row->target += tg->quantity;
				row->has_target = 1;
				if (row->unit[0] == '\0')
					row->unit = rp_strdup(r, tg->unit);
			}
			int n = snprintf(raw + used, sizeof(raw) - used, "%s%s", used ? "; " : "",
			                 tg->raw);
			if (n > 0 && (size_t)n < sizeof(raw) - used)
				used += (size_t)n;
		}
		row->target_raw = rp_strdup(r, raw);
		for (size_t k = 0; k < r->reply.n_totals; k++) {
			const Gtsync__V1__ReportValue *v = r->reply.totals[k];
			if (strcmp(v->data_element, GT_META_ACH_CODE) == 0 &&
			    strcmp(v->category_option_combo, ind->code) == 0)
				row->achieved += v->value;
		}
		row->gap = row->has_target ? row->target - row->achieved : 0;
		slot = rp_push(r, (void ***)&r->reply.targets, &r->reply.n_targets, &cap);
		if (slot == NULL)
			return GT_ENOMEM;
		*slot = row;
	}
	return r->failed ? GT_ENOMEM : GT_OK;
}

int gt_report_build(struct gt_store *st, const struct gt_snapshot *snap, const char *org_unit,
                    const char *dataset, const char *period, int per_child, int64_t now_ms,
                    struct gt_report **out, const char **why)
{
	const struct gt_meta_dataset *ds = NULL;
	const struct gt_snap_ou *root;
	struct gt_report *r;
	struct build b = {0};
	struct unit_seen seen = {0};
	char **periods = NULL;
	size_t nperiods = 0, nchild_cap = 0, nmissing_cap = 0;
	const char **elements = NULL;
	int rc;

	*out = NULL;
	*why = NULL;
	if ((root = gt_snapshot_orgunit(snap, org_unit)) == NULL) {
		*why = "unknown org unit";
		return GT_ENOENT;
	}
	if (snap->meta == NULL || (ds = gt_meta_dataset_find(snap->meta, dataset)) == NULL) {
		*why = "unknown data set";
		return GT_ENOENT;
	}
	rc = gt_report_periods(gt_period_type_name(ds->period_type), period, &periods, &nperiods);
	if (rc != GT_OK) {
		*why = "the period is malformed or finer than the data set's period type";
		return rc;
	}
	r = calloc(1, sizeof(*r));
	elements = calloc(ds->nelements ? ds->nelements : 1, sizeof(*elements));
	if (r == NULL || elements == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	b.r = r;
	seen.b = &b;
	b.snap = snap;
	b.root = org_unit;
	b.deadline_ms = deadline_for(period, ds->timely_days);
	gtsync__v1__report_reply__init(&r->reply);
	gtsync__v1__completeness__init(&r->completeness);
	r->reply.org_unit = rp_strdup(r, root->code);
	r->reply.org_name = rp_strdup(r, root->name);
	r->reply.dataset = rp_strdup(r, ds->code);
	r->reply.period = rp_strdup(r, period);
	r->reply.generated_at_ms = now_ms;
	r->reply.completeness = &r->completeness;
	r->reply.state = state_of(st, ds->code, period, root->code);
	struct history hist = {r, 0};
	if ((rc = gt_store_workflow_events(st, ds->code, period, root->code, on_event, &hist)) !=
	    GT_OK)
		goto out;

	size_t nel = 0;
	for (size_t i = 0; i < ds->nelements; i++)
		if (ds->elements[i]->aggregation == GT_META_AGG_SUM)
			elements[nel++] = ds->elements[i]->code;

	/* Direct children of the root, in code order. */
	int child_level = root->level + 1;
	for (size_t i = 0; i < snap->nous; i++) {
		const struct gt_snap_ou *u = &snap->ous[i];
		char parent[GT_ORGUNIT_MAX_LEN];
		if (u->level != child_level ||
		    gt_orgunit_parent(u->code, parent, sizeof(parent)) != GT_OK ||
		    strcmp(parent, root->code) != 0)
			continue;
		struct child *nc = realloc(b.children, (b.nchildren + 1) * sizeof(*nc));
		if (nc == NULL) {
			rc = GT_ENOMEM;
			goto out;
		}
		b.children = nc;
		struct child *c = &b.children[b.nchildren++];
		memset(c, 0, sizeof(*c));
		c->ou = u;
		c->msg = rp_alloc(r, sizeof(*c->msg));
		if (c->msg == NULL) {
			rc = GT_ENOMEM;
			goto out;
		}
		gtsync__v1__child_report__init(c->msg);
		c->msg->org_unit = rp_strdup(r, u->code);
		c->msg->name = rp_strdup(r, u->name);
		c->msg->state = state_of(st, ds->code, period, u->code);
	}

	struct gt_store_report_query q = {
	    .org_root = root->code,
	    .elements = elements,
	    .n_elements = nel,
	    .periods = (const char *const *)periods,
	    .n_periods = nperiods,
	};
	if (nel > 0) {
		if ((rc = gt_store_sum(st, &q, on_total, &b)) != GT_OK)
			goto out;
		if (per_child && b.nchildren > 0) {
			q.by_child = 1;
			if ((rc = gt_store_sum(st, &q, on_child_value, &b)) != GT_OK)
				goto out;
			q.by_child = 0;
		}
	}

	/* Elements aggregated "none": their own values as text, "true" answers counted. */
	q.n_elements = 0;
	for (size_t i = 0; i < ds->nelements; i++)
		if (ds->elements[i]->aggregation != GT_META_AGG_SUM)
			elements[q.n_elements++] = ds->elements[i]->code;
	if (q.n_elements > 0 && (rc = gt_store_values_foreach(st, &q, on_none_value, &b)) != GT_OK)
		goto out;

	/* Completeness and timeliness over the units expected to report the data set. */
	struct subtree_arg sa = {&b, 0};
	if ((rc = gt_snapshot_subtree(snap, root->code, ds->levels, collect_unit, &sa)) != GT_OK)
		goto out;
	q.elements = (const char *const *)elements;
	q.n_elements = 0;
	for (size_t i = 0; i < ds->nelements; i++)
		elements[q.n_elements++] = ds->elements[i]->code;
	if ((rc = gt_store_reported_units(st, &q, on_reported, &seen)) != GT_OK)
		goto out;
	r->completeness.expected = (uint32_t)b.nexpected;
	for (size_t i = 0; i < b.nexpected; i++) {
		int k = seen_index(&seen, b.expected[i]);
		struct child *c = child_of(&b, b.expected[i]);
		if (c != NULL)
			c->msg->expected++;
		if (k >= 0) {
			r->completeness.reported++;
			r->completeness.on_time += seen.on_time[k] ? 1 : 0;
			if (c != NULL) {
				c->msg->reported_units++;
				c->msg->on_time_units += seen.on_time[k] ? 1 : 0;
			}
			continue;
		}
		void **slot = rp_push(r, (void ***)&r->completeness.missing,
		                      &r->completeness.n_missing, &nmissing_cap);
		if (slot == NULL || (*slot = rp_strdup(r, b.expected[i])) == NULL) {
			rc = GT_ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < b.nchildren; i++) {
		struct child *c = &b.children[i];
		c->msg->reported = c->msg->reported_units > 0;
		c->msg->on_time =
		    c->msg->reported && c->msg->on_time_units == c->msg->reported_units;
		if (!per_child)
			continue;
		void **slot =
		    rp_push(r, (void ***)&r->reply.children, &r->reply.n_children, &nchild_cap);
		if (slot == NULL) {
			rc = GT_ENOMEM;
			goto out;
		}
		*slot = c->msg;
	}
	rc = r->failed ? GT_ENOMEM : add_targets(r, snap, ds, period);
out:
	for (size_t i = 0; i < nperiods; i++)
		free(periods[i]);
	free(periods);
	free(elements);
	free(b.children);
	free(b.expected);
	free(seen.codes);
	free(seen.on_time);
	if (rc == GT_OK)
		*out = r;
	else
		gt_report_free(r);
	return rc;
}
