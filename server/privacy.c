/* What a reader key is served: consolidated figures only, without free text, history or
 * small cells (issue 14; docs/PRIVACY.md). */
#include "privacy.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "metadata.h"
#include "orgunit.h"
#include "period.h"
#include "report.h"
#include "roleset.h"
#include "snapshot.h"
#include "store.h"
#include "suppress.h"

int gt_privacy_reader_only(unsigned roles)
{
	return (roles & ~GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_READER)) == 0;
}

/* Empties the free text of values: comments, and text values (a unit's own words). */
static void strip_text(Gtsync__V1__ReportValue **v, size_t n)
{
	static char empty[] = "";

	for (size_t i = 0; i < n; i++) {
		v[i]->comment = empty;
		v[i]->text = empty;
	}
}

/* A column of the suppression: one option of an element with a disclosure threshold. */
struct column {
	const struct gt_meta_element *e;
	int option;
};

/* The data set's suppressed columns, and what the pass over the stored values fills. */
struct plan {
	const struct gt_snapshot *snap;
	const struct gt_meta_dataset *ds;
	struct column *cols;
	size_t ncols;
	const struct gt_meta_element **els; /* the elements of cols, each once */
	size_t nels;
	long *col_base;  /* per element of els: its first column */
	size_t nunits;   /* every org unit, national first, then provinces, then districts */
	long *unit_of;   /* per snapshot unit: its index here */
	size_t *snap_of; /* per unit here: its snapshot index */
	long *parent;
	uint8_t *own;
	double *values, *agg, *threshold;
	uint8_t *hidden;
};

static void plan_free(struct plan *p)
{
	free(p->cols);
	free(p->els);
	free(p->col_base);
	free(p->unit_of);
	free(p->snap_of);
	free(p->parent);
	free(p->own);
	free(p->values);
	free(p->agg);
	free(p->threshold);
	free(p->hidden);
}

/* The columns: every option of every sum element of ds with a disclosure threshold. */
static int plan_columns(struct plan *p)
{
	const struct gt_meta_dataset *ds = p->ds;
	size_t n = 0;

	for (size_t i = 0; i < ds->nelements; i++) {
		const struct gt_meta_element *e = ds->elements[i];
		if (e->disclosure > 0 && e->aggregation == GT_META_AGG_SUM)
			n += e->combo->noptions;
	}
	if (n == 0)
		return GT_OK;
	if (n > GT_SUPPRESS_MAX_COLS)
		return GT_ETOOBIG;
	p->cols = calloc(n, sizeof(*p->cols));
	p->threshold = calloc(n, sizeof(*p->threshold));
	p->els = calloc(ds->nelements, sizeof(*p->els));
	p->col_base = calloc(ds->nelements, sizeof(*p->col_base));
	if (!p->cols || !p->threshold || !p->els || !p->col_base)
		return GT_ENOMEM;
	for (size_t i = 0; i < ds->nelements; i++) {
		const struct gt_meta_element *e = ds->elements[i];
		if (e->disclosure == 0 || e->aggregation != GT_META_AGG_SUM)
			continue;
		p->col_base[p->nels] = (long)p->ncols;
		p->els[p->nels++] = e;
		for (size_t o = 0; o < e->combo->noptions; o++) {
			p->cols[p->ncols].e = e;
			p->cols[p->ncols].option = (int)o;
			p->threshold[p->ncols] = e->disclosure;
			p->ncols++;
		}
	}
	return GT_OK;
}

/* The units of the whole tree, parents before children: by level, then in code order. */
static int plan_units(struct plan *p)
{
	const struct gt_snapshot *s = p->snap;
	size_t n = s->nous, k = 0;

	if (n > GT_SUPPRESS_MAX_UNITS)
		return GT_ETOOBIG;
	p->unit_of = calloc(n + 1, sizeof(*p->unit_of));
	p->snap_of = calloc(n + 1, sizeof(*p->snap_of));
	p->parent = calloc(n + 1, sizeof(*p->parent));
	p->own = calloc(n + 1, sizeof(*p->own));
	p->hidden = calloc(n + 1, sizeof(*p->hidden));
	if (!p->unit_of || !p->snap_of || !p->parent || !p->own || !p->hidden)
		return GT_ENOMEM;
	for (int level = GT_ORGUNIT_LEVEL_NATIONAL; level <= GT_ORGUNIT_LEVEL_DISTRICT; level++)
		for (size_t i = 0; i < n; i++) {
			const struct gt_snap_ou *u = &s->ous[i];
			char up[GT_ORGUNIT_MAX_LEN];
			const struct gt_snap_ou *pu;
			if (u->level != level)
				continue;
			p->unit_of[i] = (long)k;
			p->snap_of[k] = i;
			p->own[k] = gt_meta_dataset_reports_at(p->ds, u->level) ? 1 : 0;
			p->parent[k] = -1;
			if (gt_orgunit_parent(u->code, up, sizeof(up)) == GT_OK &&
			    (pu = gt_snapshot_orgunit(s, up)) != NULL && pu->level < level)
				p->parent[k] = p->unit_of[pu - s->ous];
			k++;
		}
	p->nunits = k;
	p->values = calloc(k * p->ncols + 1, sizeof(*p->values));
	p->agg = calloc(k * p->ncols + 1, sizeof(*p->agg));
	return p->values && p->agg ? GT_OK : GT_ENOMEM;
}

static int on_row(void *arg, const struct gt_store_row *row)
{
	struct plan *p = arg;
	const struct gt_snap_ou *u;
	size_t el;
	int o;

	if (!row->has_num || (u = gt_snapshot_orgunit(p->snap, row->org_unit)) == NULL)
		return 0;
	for (el = 0; el < p->nels; el++)
		if (p->els[el]->code == row->element || strcmp(p->els[el]->code, row->element) == 0)
			break;
	if (el == p->nels || (o = gt_meta_element_option_index(p->els[el], row->coc)) < 0)
		return 0;
	p->values[(size_t)p->unit_of[u - p->snap->ous] * p->ncols + (size_t)p->col_base[el] +
	          (size_t)o] += row->num;
	return 0;
}

/* Reads the own values of the whole tree for the report's periods and decides. */
static int plan_decide(struct plan *p, struct gt_store *st, const char *period)
{
	char **periods = NULL;
	size_t nperiods = 0;
	const char **codes = calloc(p->nels + 1, sizeof(*codes));
	int rc;

	if (codes == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < p->nels; i++)
		codes[i] = p->els[i]->code;
	rc =
	    gt_report_periods(gt_period_type_name(p->ds->period_type), period, &periods, &nperiods);
	if (rc == GT_OK) {
		struct gt_store_report_query q = {
		    .org_root = GT_ORGUNIT_ROOT,
		    .elements = codes,
		    .n_elements = p->nels,
		    .periods = (const char *const *)periods,
		    .n_periods = nperiods,
		};
		rc = gt_store_report_rows(st, &q, on_row, p);
	}
	if (rc == GT_OK) {
		struct gt_suppress_tree t = {p->nunits, p->parent, p->own,
		                             p->ncols,  p->values, p->threshold};
		rc = gt_suppress_run(&t, p->agg, p->hidden);
	}
	for (size_t i = 0; i < nperiods; i++)
		free(periods[i]);
	free(periods);
	free(codes);
	return rc;
}

/* Marks every suppressed column's cell in the list (arr, n) withheld, adding the cells the
 * list lacks (an absent cell would say "nothing stored", which is a figure too). */
static int withhold(struct gt_report *r, const struct plan *p, Gtsync__V1__ReportValue ***arr,
                    size_t *n)
{
	static char empty[] = "";
	Gtsync__V1__ReportValue **na;
	size_t k = *n;

	na = gt_report_alloc(r, (*n + p->ncols + 1) * sizeof(*na));
	if (na == NULL)
		return GT_ENOMEM;
	if (*n > 0)
		memcpy(na, *arr, *n * sizeof(*na));
	for (size_t c = 0; c < p->ncols; c++) {
		const struct column *col = &p->cols[c];
		const char *coc = col->e->combo->options[col->option].code;
		Gtsync__V1__ReportValue *v = NULL;
		for (size_t i = 0; i < *n && v == NULL; i++)
			if (strcmp(na[i]->data_element, col->e->code) == 0 &&
			    strcmp(na[i]->category_option_combo, coc) == 0)
				v = na[i];
		if (v == NULL) {
			if ((v = gt_report_alloc(r, sizeof(*v))) == NULL)
				return GT_ENOMEM;
			gtsync__v1__report_value__init(v);
			v->data_element = (char *)col->e->code;
			v->category_option_combo = (char *)coc;
			na[k++] = v;
		}
		v->value = 0;
		v->count = 0;
		v->comment = empty;
		v->text = empty;
		v->suppressed = 1;
	}
	*arr = na;
	*n = k;
	return GT_OK;
}

/* Whether the unit of code is withheld (every cell of an unknown unit is). */
static int unit_hidden(const struct plan *p, const char *code)
{
	const struct gt_snap_ou *u = gt_snapshot_orgunit(p->snap, code);

	return u == NULL || p->hidden == NULL || p->hidden[p->unit_of[u - p->snap->ous]];
}

int gt_privacy_reader_report(struct gt_store *st, const struct gt_snapshot *snap,
                             const char *dataset, const char *period, struct gt_report *r)
{
	Gtsync__V1__ReportReply *rep = gt_report_reply(r);
	struct plan p = {0};
	struct gt_period per;
	int rc = GT_OK, all;

	strip_text(rep->totals, rep->n_totals);
	for (size_t i = 0; i < rep->n_children; i++)
		strip_text(rep->children[i]->values, rep->children[i]->n_values);
	/* Events carry reasons and the labels of keys (an office and a person); violations carry
	 * a unit's values in words. A reader sees how many events there were, not what. */
	rep->n_history = 0;
	rep->n_violations = 0;
	p.snap = snap;
	if (snap->meta == NULL || (p.ds = gt_meta_dataset_find(snap->meta, dataset)) == NULL)
		return GT_ENOENT;
	if ((rc = plan_columns(&p)) != GT_OK || p.ncols == 0)
		goto out;
	/* Only yearly figures are shown: a month, a quarter or a semester could be subtracted
	 * from its year (docs/PRIVACY.md). */
	all = gt_period_parse(period, &per) != GT_OK || per.type != GT_PERIOD_YEARLY;
	if (!all && ((rc = plan_units(&p)) != GT_OK || (rc = plan_decide(&p, st, period)) != GT_OK))
		goto out;
	if (all || unit_hidden(&p, rep->org_unit))
		if ((rc = withhold(r, &p, &rep->totals, &rep->n_totals)) != GT_OK)
			goto out;
	for (size_t i = 0; i < rep->n_children; i++) {
		Gtsync__V1__ChildReport *c = rep->children[i];
		if ((all || unit_hidden(&p, c->org_unit)) &&
		    (rc = withhold(r, &p, &c->values, &c->n_values)) != GT_OK)
			goto out;
	}
out:
	plan_free(&p);
	return rc;
}

int gt_privacy_public_year(struct gt_store *st, const struct gt_snapshot *snap,
                           const struct gt_meta_dataset *ds, const char *year,
                           const struct gt_privacy_sink *sink)
{
	struct plan p = {0};
	struct gt_period per;
	uint8_t *kid_hidden = NULL; /* per unit: whether one of its children is withheld */
	int rc;

	if (gt_period_parse(year, &per) != GT_OK || per.type != GT_PERIOD_YEARLY)
		return GT_EINVAL;
	p.snap = snap;
	p.ds = ds;
	if ((rc = plan_columns(&p)) != GT_OK || p.ncols == 0 || (rc = plan_units(&p)) != GT_OK ||
	    (rc = plan_decide(&p, st, year)) != GT_OK)
		goto out;
	if ((kid_hidden = calloc(p.nunits + 1, 1)) == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < p.nunits; k++)
		if (p.hidden[k] && p.parent[k] >= 0)
			kid_hidden[p.parent[k]] = 1;
	for (size_t k = 0; k < p.nunits && rc == GT_OK; k++) {
		const char *code = snap->ous[p.snap_of[k]].code;
		if (!p.own[k] || p.hidden[k] || kid_hidden[k] || !sink->keep(sink->arg, code))
			continue;
		for (size_t c = 0; c < p.ncols && rc == GT_OK; c++) {
			struct gt_privacy_cell cell = {
			    code, p.cols[c].e->code,
			    p.cols[c].e->combo->options[p.cols[c].option].code,
			    p.values[k * p.ncols + c]};
			if (cell.value != 0)
				rc = sink->emit(sink->arg, &cell);
		}
	}
out:
	free(kid_hidden);
	plan_free(&p);
	return rc;
}
