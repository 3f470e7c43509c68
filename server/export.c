/* The export request: a data set's raw values, completions and approvals in a key's scope. */
#include "export.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "i18n.h"
#include "metadata.h"
#include "orgunit.h"
#include "period.h"
#include "privacy.h"
#include "protoconv.h"
#include "reply.h"
#include "server_int.h"
#include "vec.h"

/* The first and last day of the range [start, end]; GT_EINVAL for a bad period or an empty
 * range. */
static int range_days(const char *start, const char *end, int64_t *first, int64_t *last)
{
	struct gt_period a, b;
	struct gt_date da, db;

	if (gt_period_parse(start, &a) != GT_OK || gt_period_parse(end, &b) != GT_OK ||
	    gt_period_start(&a, &da) != GT_OK || gt_period_end(&b, &db) != GT_OK)
		return GT_EINVAL;
	*first = gt_date_to_days(&da);
	*last = gt_date_to_days(&db);
	return *first <= *last ? GT_OK : GT_EINVAL;
}

/* Appends the periods of type that lie wholly in [first, last] to x->periods. */
static int add_periods(struct gt__export *x, enum gt_period_type type, int64_t first, int64_t last)
{
	struct gt_period p;
	struct gt_date d;

	if (gt_date_from_days(first, &d) != GT_OK || gt_period_from_date(type, &d, &p) != GT_OK)
		return GT_EINVAL;
	for (;;) {
		struct gt_date s, e;
		if (gt_period_start(&p, &s) != GT_OK || gt_period_end(&p, &e) != GT_OK)
			return GT_EINVAL;
		if (gt_date_to_days(&s) > last)
			return GT_OK;
		if (gt_date_to_days(&s) >= first && gt_date_to_days(&e) <= last) {
			if (x->n_state_periods >= GT_EXPORT_MAX_PERIODS)
				return GT_ETOOBIG;
			gt_period_format(&p, x->periods[x->n_state_periods], sizeof(x->periods[0]));
			x->n_state_periods++;
		}
		if (gt_period_next(&p, &p) != GT_OK)
			return GT_OK;
	}
}

/* What the published cells of a public export are gathered with: the cells from skip on, at
 * most max of them within budget bytes (the rest waits for the next chunk). */
struct cells {
	struct gt__export *x;
	const Gtsync__V1__ExportRequest *q;
	const char *period;
	uint64_t index, skip;
	size_t bytes, budget, max;
};

/* What keep_cell() returns to stop the walk when the chunk is full. */
#define CELLS_FULL 1

/* Whether the unit of code lies in the export's scope. */
static int in_scope(void *arg, const char *code)
{
	const Gtsync__V1__ExportRequest *q = ((struct cells *)arg)->q;
	char up[GT_ORGUNIT_MAX_LEN];

	if (strcmp(code, q->org_unit) == 0)
		return 1;
	if (q->scope == GTSYNC__V1__EXPORT_SCOPE__EXPORT_DESCENDANTS)
		return gt_orgunit_contains(q->org_unit, code);
	return q->scope == GTSYNC__V1__EXPORT_SCOPE__EXPORT_CHILDREN &&
	       gt_orgunit_parent(code, up, sizeof(up)) == GT_OK && strcmp(up, q->org_unit) == 0;
}

/* Keeps one published cell, unless it was sent before (index below skip); CELLS_FULL when the
 * chunk holds what it may (at least one cell). */
static int keep_cell(void *arg, const struct gt_privacy_cell *c)
{
	struct cells *k = arg;
	struct gt__export *x = k->x;
	struct gt__export_cell *e;
	size_t need;

	if (k->index < k->skip) {
		k->index++;
		return GT_OK;
	}
	/* The cell's encoded size with room for the field tags and lengths. */
	need = strlen(c->org_unit) + strlen(c->element) + strlen(c->coc) + GT_PERIOD_MAX_LEN +
	       sizeof(e->value) + 32;
	if (x->n_cells >= k->max || (x->n_cells > 0 && k->bytes + need > k->budget))
		return CELLS_FULL;
	if (GT_VEC_RESERVE(x->cells, x->cap_cells, x->n_cells + 1) != GT_OK)
		return GT_ENOMEM;
	e = &x->cells[x->n_cells++];
	e->org_unit = c->org_unit;
	e->element = c->element;
	e->coc = c->coc;
	snprintf(e->period, sizeof(e->period), "%s", k->period);
	snprintf(e->value, sizeof(e->value), "%.15g", c->value);
	k->bytes += need;
	k->index++;
	return GT_OK;
}

/* The published cells of a public export, after its stored values: for every whole year of
 * the range, the units' yearly figures of the elements with a disclosure threshold that the
 * year's suppression pattern shows (their values of finer periods are never published), from
 * the skip-th on, within budget bytes and max cells; x->cells_next is set when more remain. */
static int public_cells(struct gt_store *st, const struct gt_snapshot *snap,
                        const struct gt_meta_dataset *ds, const Gtsync__V1__ExportRequest *q,
                        struct gt__export *x, uint64_t skip, size_t budget, size_t max)
{
	struct cells k = {x, q, NULL, 0, skip, 0, budget, max};
	struct gt_privacy_sink sink = {in_scope, keep_cell, &k};
	struct gt_period per;
	int rc = GT_OK;

	for (size_t i = 0; i < x->n_state_periods && rc == GT_OK; i++)
		if (gt_period_parse(x->periods[i], &per) == GT_OK && per.type == GT_PERIOD_YEARLY) {
			k.period = x->periods[i];
			rc = gt_privacy_public_year(st, snap, ds, x->periods[i], &sink);
		}
	if (rc == CELLS_FULL) {
		snprintf(x->cells_next, sizeof(x->cells_next), "%" PRIu64, k.index);
		rc = GT_OK;
	}
	return rc;
}

/* Whether q continues a public export in its published cells: after = ("", "", "", N), the
 * cells from the N-th on (a stored value's element is never empty); *skip gets N. */
static int cells_cursor(const Gtsync__V1__ExportRequest *q, uint64_t *skip)
{
	char *end;

	*skip = 0;
	if (!q->public_view || q->n_after != 4 || q->after[0][0] != '\0')
		return 0;
	*skip = strtoull(q->after[3], &end, 10);
	return end != q->after[3] && *end == '\0';
}

/* What a stored value takes of a chunk's budget. */
static size_t value_bytes(const struct gt_store_value *v)
{
	return strlen(v->value) + strlen(v->comment) + strlen(v->data_element) + strlen(v->coc) +
	       strlen(v->org_unit) + 128;
}

/* Cuts the chunk's values where their text passes budget bytes (at least one stays). */
static void fit(struct gt_store_export_out *o, size_t budget)
{
	size_t used = 0;

	for (size_t i = 0; i < o->n_values; i++) {
		used += value_bytes(&o->values[i].v);
		if (used > budget && i > 0) {
			o->n_values = i;
			o->more = 1;
			return;
		}
	}
}

/* Makes the export of ds that q asks for, its elements chosen: *out (caller frees with
 * gt__export_free()) or GT_ENOMEM. */
static int export_new(const struct gt_meta_dataset *ds, const Gtsync__V1__ExportRequest *q,
                      struct gt__export **out)
{
	struct gt__export *x = calloc(1, sizeof(*x));

	*out = NULL;
	if (x != NULL) {
		x->elements = calloc(ds->nelements + 1, sizeof(*x->elements));
		x->periods = calloc(GT_EXPORT_MAX_PERIODS, sizeof(*x->periods));
		x->period_ptrs = calloc(GT_EXPORT_MAX_PERIODS, sizeof(*x->period_ptrs));
	}
	if (x == NULL || x->elements == NULL || x->periods == NULL || x->period_ptrs == NULL) {
		gt__export_free(x);
		return GT_ENOMEM;
	}
	/* A public export (issue 14) leaves out of the stored values those of counts with a
	 * disclosure threshold (a month, a quarter or a half year could be subtracted from its
	 * year; their yearly figures come suppressed below) and a unit's own words. */
	for (size_t i = 0; i < ds->nelements; i++)
		if (!q->public_view || (ds->elements[i]->disclosure == 0 &&
		                        ds->elements[i]->type != GT_META_TYPE_TEXT))
			x->elements[x->n_elements++] = ds->elements[i]->code;
	*out = x;
	return GT_OK;
}

/* Lists in x the periods of days first to last: the data set's own periods first, then the
 * coarser ones approvals may name; on failure *why says why. */
static int export_periods(struct gt__export *x, const struct gt_meta_dataset *ds, int64_t first,
                          int64_t last, const char **why)
{
	int rc = add_periods(x, ds->period_type, first, last);

	x->n_periods = x->n_state_periods;
	for (int t = (int)ds->period_type + 1; rc == GT_OK && t <= GT_PERIOD_YEARLY; t++)
		rc = add_periods(x, (enum gt_period_type)t, first, last);
	if (rc != GT_OK) {
		*why = rc == GT_ETOOBIG ? N_("the range holds too many periods")
		                        : N_("bad period range");
		return rc;
	}
	for (size_t i = 0; i < x->n_state_periods; i++)
		x->period_ptrs[i] = x->periods[i];
	return GT_OK;
}

/* Fills sq with the store's query for q over x's elements and periods of ds. */
static void store_query(const Gtsync__V1__ExportRequest *q, const struct gt_meta_dataset *ds,
                        const struct gt__export *x, struct gt_store_export_query *sq)
{
	sq->org_unit = q->org_unit;
	sq->scope = q->scope == GTSYNC__V1__EXPORT_SCOPE__EXPORT_CHILDREN ? GT_STORE_EXPORT_CHILDREN
	            : q->scope == GTSYNC__V1__EXPORT_SCOPE__EXPORT_DESCENDANTS
	                ? GT_STORE_EXPORT_DESCENDANTS
	                : GT_STORE_EXPORT_SELF;
	sq->dataset = ds->code;
	sq->elements = x->elements;
	sq->n_elements = x->n_elements;
	sq->periods = x->period_ptrs;
	sq->n_periods = x->n_periods;
	sq->state_periods = x->period_ptrs;
	sq->n_state_periods = x->n_state_periods;
	sq->after = q->n_after == 4 ? (const char *const *)q->after : NULL;
	sq->max_items = q->max_items;
	sq->with_registrations = q->n_after == 0;
}

/* Reads the stored values q asks for into x, within budget bytes; a public export's published
 * cells follow them while room is left of budget and of max items. On failure *why says
 * why. */
static int export_values(struct gt_store *st, const struct gt_snapshot *snap,
                         const struct gt_meta_dataset *ds, const Gtsync__V1__ExportRequest *q,
                         struct gt__export *x, size_t budget, size_t max, const char **why)
{
	struct gt_store_export_query sq = {0};
	size_t used = 0;
	int rc;

	store_query(q, ds, x, &sq);
	rc = gt_store_export(st, &sq, &x->out);
	if (rc != GT_OK) {
		*why = rc == GT_ETOOBIG ? gt_store_errmsg(st) : N_("the store could not be read");
		return rc;
	}
	fit(&x->out, budget);
	/* Full already (max values): the walk stops at the first cell and says where to go on. */
	if (!q->public_view || x->out.more)
		return GT_OK;
	for (size_t i = 0; i < x->out.n_values; i++)
		used += value_bytes(&x->out.values[i].v);
	rc = public_cells(st, snap, ds, q, x, 0, budget > used ? budget - used : 0,
	                  max > x->out.n_values ? max - x->out.n_values : 0);
	if (rc != GT_OK)
		*why = N_("the public figures could not be made");
	return rc;
}

int gt__export_run(struct gt_store *st, const struct gt_snapshot *snap,
                   const Gtsync__V1__ExportRequest *q, size_t budget, struct gt__export **out,
                   const char **why)
{
	const struct gt_meta_dataset *ds;
	struct gt__export *x = NULL;
	int64_t first, last;
	uint64_t skip;
	size_t max;
	int rc;

	*out = NULL;
	*why = NULL;
	ds = snap->meta ? gt_meta_dataset_find(snap->meta, q->dataset) : NULL;
	if (ds == NULL) {
		*why = N_("unknown data set");
		return GT_ENOENT;
	}
	if (range_days(q->start_period, q->end_period, &first, &last) != GT_OK) {
		*why = N_("the start and end must be DHIS2 periods, the start not after the end");
		return GT_EINVAL;
	}
	if (q->n_after != 0 && q->n_after != 4) {
		*why = N_("an export's 'after' holds four codes");
		return GT_EINVAL;
	}
	if ((rc = export_new(ds, q, &x)) != GT_OK ||
	    (rc = export_periods(x, ds, first, last, why)) != GT_OK)
		goto out;
	max = q->max_items == 0 || q->max_items > GT_STORE_EXPORT_MAX_ITEMS
	          ? GT_STORE_EXPORT_MAX_ITEMS
	          : q->max_items;
	/* A public export's published cells follow its stored values, paged by their place. */
	if (cells_cursor(q, &skip)) {
		rc = public_cells(st, snap, ds, q, x, skip, budget, max);
		if (rc != GT_OK)
			*why = N_("the public figures could not be made");
		goto out;
	}
	if (q->n_after == 4 && q->after[0][0] == '\0') {
		*why = N_("an export's 'after' names no value");
		rc = GT_EINVAL;
		goto out;
	}
	rc = export_values(st, snap, ds, q, x, budget, max, why);
out:
	if (rc != GT_OK) {
		gt__export_free(x);
		return rc;
	}
	x->public_view = q->public_view;
	*out = x;
	return GT_OK;
}

void gt__export_reply(struct gt__reply *r, uint64_t rid, const struct gt__export *x)
{
	const struct gt_store_export_out *o = &x->out;
	Gtsync__V1__ExportChunk chunk = GTSYNC__V1__EXPORT_CHUNK__INIT;
	size_t nv = x->n_cells + o->n_values;
	Gtsync__V1__ExportedValue *ev = calloc(nv + 1, sizeof(*ev));
	Gtsync__V1__ExportedValue **evp = calloc(nv + 1, sizeof(*evp));
	Gtsync__V1__DataValue *dv = calloc(nv + 1, sizeof(*dv));
	struct gt__protoconv_regs g = {0};
	char *after[4];

	if (!ev || !evp || !dv ||
	    gt__protoconv_regs(&g, o->states, o->n_states, o->completions, o->n_completions) !=
	        GT_OK) {
		gt__reply_fail(r, rid, GT_ENOMEM, NULL, 0);
		goto out;
	}
	/* Published yearly figures, after the stored values: a sum, so no revision, batch,
	 * signer or time of its own. */
	for (size_t j = 0; j < x->n_cells; j++) {
		const struct gt__export_cell *e = &x->cells[j];
		size_t i = o->n_values + j;
		gtsync__v1__data_value__init(&dv[i]);
		dv[i].data_element = (char *)e->element;
		dv[i].category_option_combo = (char *)e->coc;
		dv[i].org_unit = (char *)e->org_unit;
		dv[i].period = (char *)e->period;
		dv[i].value = (char *)e->value;
		gtsync__v1__exported_value__init(&ev[i]);
		ev[i].value = &dv[i];
		evp[i] = &ev[i];
	}
	for (size_t i = 0; i < o->n_values; i++) {
		const struct gt_store_value *v = &o->values[i].v;
		gt__protoconv_value(&dv[i], v);
		gtsync__v1__exported_value__init(&ev[i]);
		ev[i].value = &dv[i];
		if (x->public_view) {
			/* Published: no comment (free text about a case), no signer. */
			dv[i].comment = "";
		} else {
			ev[i].stored_by = (char *)o->values[i].key_id;
			ev[i].stored_by_label = (char *)o->values[i].key_label;
		}
		ev[i].created_at_ms = v->created_at_ms;
		ev[i].updated_at_ms = v->updated_at_ms;
		ev[i].origin_batch.data = (uint8_t *)v->origin_batch;
		ev[i].origin_batch.len = sizeof(v->origin_batch);
		evp[i] = &ev[i];
	}
	if (o->more && o->n_values > 0) {
		const struct gt_store_value *last = &o->values[o->n_values - 1].v;
		after[0] = (char *)last->data_element;
		after[1] = (char *)last->period;
		after[2] = (char *)last->org_unit;
		after[3] = (char *)last->coc;
		chunk.next_after = after;
		chunk.n_next_after = 4;
	} else if (x->cells_next[0] != '\0') {
		/* The published cells go on: after = ("", "", "", the next one's place). */
		after[0] = after[1] = after[2] = "";
		after[3] = (char *)x->cells_next;
		chunk.next_after = after;
		chunk.n_next_after = 4;
	}
	chunk.values = evp;
	chunk.n_values = nv;
	chunk.more = o->more || x->cells_next[0] != '\0';
	chunk.states = g.states;
	chunk.n_states = o->n_states;
	chunk.completions = g.completions;
	chunk.n_completions = o->n_completions;
	GT__REPLY_SEND_BODY(r, rid, EXPORT_CHUNK, export_chunk, &chunk);
out:
	free(ev);
	free(evp);
	free(dv);
	gt__protoconv_regs_free(&g);
}

void gt__export_free(struct gt__export *x)
{
	if (x == NULL)
		return;
	gt_store_export_free(&x->out);
	free(x->cells);
	free(x->elements);
	free(x->periods);
	free(x->period_ptrs);
	free(x);
}
