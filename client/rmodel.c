/* The report model: what every renderer of a consolidated report shares. */
#include "rmodel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "protonames.h"

const char *gt_rmodel_str(const char *s)
{
	return s != NULL ? s : "";
}

int gt_rmodel_has_text(const char *s)
{
	return s != NULL && s[0] != '\0';
}

const char *gt_rmodel_event_who(const Gtsync__V1__WorkflowEvent *ev)
{
	return gt_rmodel_has_text(ev->key_label) ? ev->key_label : gt_rmodel_str(ev->key_id);
}

const char *gt_rmodel_event_role(const Gtsync__V1__WorkflowEvent *ev)
{
	return ev->key_role != 0 ? gt_protonames_role((int)ev->key_role) : NULL;
}

const char *gt_rmodel_name(const struct gt_rmodel_names *names, const Gtsync__V1__ReportReply *rep,
                           const char *code)
{
	const char *n = names && names->name ? names->name(names->arg, code) : NULL;

	if (gt_rmodel_has_text(n))
		return n;
	for (size_t i = 0; rep != NULL && i < rep->n_children; i++)
		if (strcmp(gt_rmodel_str(rep->children[i]->org_unit), code) == 0 &&
		    rep->children[i]->name)
			return rep->children[i]->name;
	return NULL;
}

/* Whether v is the entry of (element, option). */
static int same_key(const Gtsync__V1__ReportValue *v, const char *element, const char *option)
{
	return strcmp(gt_rmodel_str(v->data_element), element) == 0 &&
	       strcmp(gt_rmodel_str(v->category_option_combo), option) == 0;
}

double gt_rmodel_withheld_value(void)
{
	return copysign(NAN, -1.0);
}

int gt_rmodel_is_withheld(double v)
{
	return isnan(v) && signbit(v);
}

double gt_rmodel_find(Gtsync__V1__ReportValue *const *values, size_t n, const char *element,
                      const char *option)
{
	double sum = NAN;

	for (size_t i = 0; i < n; i++) {
		if (!same_key(values[i], element, option))
			continue;
		if (values[i]->suppressed)
			return gt_rmodel_withheld_value(); /* no figure, not 0 (issue 14) */
		sum = isnan(sum) ? values[i]->value : sum + values[i]->value;
	}
	return sum;
}

/* The stored values the children of rep hold of (element, option), and their sum. */
static uint64_t children_count(const Gtsync__V1__ReportReply *rep, const char *element,
                               const char *option, double *sum)
{
	uint64_t count = 0;

	*sum = 0;
	for (size_t c = 0; c < rep->n_children; c++) {
		const Gtsync__V1__ChildReport *ch = rep->children[c];
		for (size_t i = 0; i < ch->n_values; i++) {
			if (same_key(ch->values[i], element, option)) {
				if (ch->values[i]->suppressed)
					return UINT64_MAX; /* withheld: no own part can be told */
				count += ch->values[i]->count;
				*sum += ch->values[i]->value;
			}
		}
	}
	return count;
}

/* Whether a total is a sum (aggregation "none" totals carry their text or count answers). */
static int summed(const Gtsync__V1__ReportValue *v)
{
	return !gt_rmodel_has_text(v->text);
}

int gt_rmodel_has_own(const Gtsync__V1__ReportReply *rep)
{
	if (rep->n_children == 0)
		return 0;
	for (size_t i = 0; i < rep->n_totals; i++) {
		const Gtsync__V1__ReportValue *v = rep->totals[i];
		double sum;
		if (summed(v) &&
		    v->count > children_count(rep, gt_rmodel_str(v->data_element),
		                              gt_rmodel_str(v->category_option_combo), &sum))
			return 1;
	}
	return 0;
}

double gt_rmodel_own(const Gtsync__V1__ReportReply *rep, const char *element, const char *option)
{
	for (size_t i = 0; i < rep->n_totals; i++) {
		const Gtsync__V1__ReportValue *v = rep->totals[i];
		double sum;
		if (!same_key(v, element, option))
			continue;
		if (v->suppressed || v->count <= children_count(rep, element, option, &sum))
			return NAN;
		return v->value - sum;
	}
	return NAN;
}

double gt_rmodel_get(const struct gt_rmodel_source *src, const char *element, const char *option)
{
	if (src->own)
		return gt_rmodel_own(src->rep, element, option);
	return gt_rmodel_find(src->values, src->n, element, option);
}

int gt_rmodel_group_start(const struct gt_meta_dataset *ds, size_t e)
{
	if (ds->elements[e]->aggregation != GT_META_AGG_SUM)
		return 0;
	for (size_t k = 0; k < e; k++)
		if (ds->elements[k]->combo == ds->elements[e]->combo &&
		    ds->elements[k]->aggregation == GT_META_AGG_SUM)
			return 0;
	return 1;
}

const Gtsync__V1__ReportValue *gt_rmodel_answer(Gtsync__V1__ReportValue *const *values, size_t n,
                                                const char *element)
{
	const Gtsync__V1__ReportValue *v = NULL;

	for (size_t k = 0; k < n; k++)
		if (strcmp(gt_rmodel_str(values[k]->data_element), element) == 0)
			v = values[k];
	return v;
}

/* ---- Rows ---- */

static long row_order(const struct gt_meta *meta, const struct gt_meta_dataset *ds,
                      const char *element, const char *coc, const struct gt_meta_element **e)
{
	long pos = 100000;
	int opt;

	*e = meta ? gt_meta_element_find(meta, element) : NULL;
	if (*e == NULL)
		return -1;
	if (ds != NULL)
		for (size_t i = 0; i < ds->nelements; i++)
			if (ds->elements[i] == *e)
				pos = (long)i;
	opt = gt_meta_element_option_index(*e, coc);
	return pos * 1000 + (opt >= 0 ? opt : 999);
}

static int row_cmp(const void *a, const void *b)
{
	const struct gt_rmodel_row *x = a, *y = b;
	int c;

	if (x->order >= 0 && y->order >= 0 && x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if ((x->order < 0) != (y->order < 0))
		return x->order < 0 ? 1 : -1;
	c = strcmp(x->element, y->element);
	return c ? c : strcmp(x->coc, y->coc);
}

int gt_rmodel_rows(const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                   struct gt_rmodel_row **out, size_t *n_out)
{
	const struct gt_meta_dataset *ds =
	    meta ? gt_meta_dataset_find(meta, gt_rmodel_str(rep->dataset)) : NULL;
	size_t cap = rep->n_totals + 1, n = 0;
	struct gt_rmodel_row *rows;

	*out = NULL;
	*n_out = 0;
	for (size_t c = 0; c < rep->n_children; c++)
		cap += rep->children[c]->n_values;
	rows = calloc(cap, sizeof(*rows));
	if (rows == NULL)
		return GT_ENOMEM;
	for (size_t c = 0; c <= rep->n_children; c++) {
		Gtsync__V1__ReportValue **vals =
		    c == 0 ? rep->totals : rep->children[c - 1]->values;
		size_t nv = c == 0 ? rep->n_totals : rep->children[c - 1]->n_values;
		for (size_t i = 0; i < nv; i++) {
			const char *el = gt_rmodel_str(vals[i]->data_element),
			           *coc = gt_rmodel_str(vals[i]->category_option_combo);
			size_t k;
			for (k = 0; k < n; k++)
				if (strcmp(rows[k].element, el) == 0 &&
				    strcmp(rows[k].coc, coc) == 0)
					break;
			if (k < n)
				continue;
			rows[n].element = el;
			rows[n].coc = coc;
			rows[n].order = row_order(meta, ds, el, coc, &rows[n].e);
			n++;
		}
	}
	qsort(rows, n, sizeof(*rows), row_cmp);
	*out = rows;
	*n_out = n;
	return GT_OK;
}

const Gtsync__V1__ReportValue *gt_rmodel_value(Gtsync__V1__ReportValue *const *vals, size_t n,
                                               const struct gt_rmodel_row *row)
{
	for (size_t i = 0; i < n; i++)
		if (same_key(vals[i], row->element, row->coc))
			return vals[i];
	return NULL;
}

/* ---- Numbers and times ---- */

const char *gt_rmodel_value_text(const Gtsync__V1__ReportValue *v, char num[GT_RMODEL_NUM_LEN])
{
	if (v->suppressed)
		return GT_RMODEL_WITHHELD;
	if (gt_rmodel_has_text(v->text))
		return v->text;
	gt_rmodel_number(v->value, num, GT_RMODEL_NUM_LEN);
	return num;
}

void gt_rmodel_number(double v, char *buf, size_t len)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "%s", isnan(v) ? "NaN" : (v > 0 ? "inf" : "-inf"));
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, len, "%.0f", v);
		if (strcmp(buf, "-0") == 0)
			snprintf(buf, len, "0");
		return;
	}
	snprintf(buf, len, "%.15g", v);
}

void gt_rmodel_time(int64_t ms, enum gt_rmodel_time_style style, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	size_t n = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (ms <= 0 || gmtime_r(&t, &tm) == NULL)
		return;
	switch (style) {
	case GT_RMODEL_TIME_ISO:
		n = strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
		break;
	case GT_RMODEL_TIME_MINUTE:
		n = strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
		break;
	case GT_RMODEL_TIME_MINUTE_UTC:
		n = strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
		break;
	}
	if (n == 0)
		buf[0] = '\0';
}
