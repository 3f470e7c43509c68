/* Import: checks a data-value CSV file (or one value) against the metadata and queues it. */
#include "import.h"
#include "clock.h"

#include <stdlib.h>
#include <string.h>

#include "csvimport.h"
#include "error.h"
#include "fileio.h"
#include "period.h"
#include "progress.h"
#include "valcheck.h"

/* Errors printed for one file; the rest are counted. */
#define IMPORT_MAX_PRINTED GT_CSVIMPORT_MAX_ERRORS

/* A row's key after defaults: where its period and org unit come from. */
struct resolved {
	const char *period;
	const char *org_unit;
};

/* Open addressing over row indexes, keyed by (element, period, org unit, option). */
struct keymap {
	size_t *slot; /* row index + 1; 0 is empty */
	size_t cap;   /* a power of two */
};

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	h ^= 0x1f; /* a separator no field holds */
	h *= 1099511628211ull;
	return h;
}

static uint64_t key_hash(const char *de, const char *period, const char *ou, const char *coc)
{
	return fnv(fnv(fnv(fnv(14695981039346656037ull, de), period), ou), coc);
}

static int keymap_init(struct keymap *m, size_t n)
{
	m->cap = 16;
	while (m->cap < n * 2 + 1)
		m->cap *= 2;
	m->slot = calloc(m->cap, sizeof(*m->slot));
	return m->slot ? GT_OK : GT_ENOMEM;
}

/* Inserts row i, or returns the earlier row with the same key (index + 1). */
static size_t keymap_put(struct keymap *m, const struct gt_csvimport *c, const struct resolved *res,
                         size_t i)
{
	const char *const *f = c->rows[i].field;
	size_t k =
	    (size_t)key_hash(f[GT_CSV_DATAELEMENT], res[i].period, res[i].org_unit, f[GT_CSV_COC]) &
	    (m->cap - 1);

	while (m->slot[k] != 0) {
		size_t j = m->slot[k] - 1;
		const char *const *g = c->rows[j].field;
		if (strcmp(f[GT_CSV_DATAELEMENT], g[GT_CSV_DATAELEMENT]) == 0 &&
		    strcmp(res[i].period, res[j].period) == 0 &&
		    strcmp(res[i].org_unit, res[j].org_unit) == 0 &&
		    strcmp(f[GT_CSV_COC], g[GT_CSV_COC]) == 0)
			return j + 1;
		k = (k + 1) & (m->cap - 1);
	}
	m->slot[k] = i + 1;
	return 0;
}

/* ---- Validation rules ---- */

struct rule_ctx {
	struct gt_home *h;
	const char *period;
};

static int rule_get(void *arg, const struct gt_meta_element *e, int option, double *value)
{
	struct rule_ctx *x = arg;
	return gt_cstore_latest_number(x->h->st, e->code, x->period, x->h->org,
	                               e->combo->options[option].code, value);
}

static int rule_mentions(const struct gt_meta_rule *r, const unsigned char *present)
{
	for (size_t i = 0; i < r->nleft; i++)
		if (r->left[i].element != NULL && present[r->left[i].element->index])
			return 1;
	for (size_t i = 0; i < r->nright; i++)
		if (r->right[i].element != NULL && present[r->right[i].element->index])
			return 1;
	return 0;
}

/* Evaluates the rules that involve the file's elements, for each period of the file. */
static size_t check_rules(struct gt_home *h, const char *name, const struct gt_meta *meta,
                          const struct gt_csvimport *c, const struct resolved *res)
{
	unsigned char *present = calloc(meta->nelements ? meta->nelements : 1, 1);
	const char **periods = calloc(c->n_rows ? c->n_rows : 1, sizeof(*periods));
	size_t np = 0, warnings = 0;

	if (present == NULL || periods == NULL)
		goto out;
	for (size_t i = 0; i < c->n_rows; i++) {
		size_t k;
		for (k = 0; k < np; k++)
			if (strcmp(periods[k], res[i].period) == 0)
				break;
		if (k == np)
			periods[np++] = res[i].period;
	}
	for (size_t k = 0; k < np; k++) {
		struct rule_ctx x = {h, periods[k]};
		memset(present, 0, meta->nelements ? meta->nelements : 1);
		for (size_t i = 0; i < c->n_rows; i++) {
			const struct gt_meta_element *e;
			if (strcmp(res[i].period, periods[k]) != 0)
				continue;
			e = gt_meta_element_find(meta, c->rows[i].field[GT_CSV_DATAELEMENT]);
			if (e != NULL)
				present[e->index] = 1;
		}
		for (size_t ri = 0; ri < meta->nrules; ri++) {
			const struct gt_meta_rule *r = meta->rules[ri];
			struct gt_meta_rule_result out;
			char l[64], rt[64];
			if (!rule_mentions(r, present))
				continue;
			if (gt_meta_rule_eval(r, rule_get, &x, &out) != GT_OK || out.skipped ||
			    !out.violated)
				continue;
			warnings++;
			if (h->err == NULL)
				continue;
			snprintf(l, sizeof(l), "%g", out.left);
			snprintf(rt, sizeof(rt), "%g", out.right);
			fprintf(h->err,
			        "%s: warning: period %s: rule %s \"%s\" does not hold (%s %s %s); "
			        "the values are queued, check them\n",
			        name, periods[k], r->code, r->name, l, gt_meta_op_name(r->op), rt);
		}
	}
out:
	free(present);
	free(periods);
	return warnings;
}

/* ---- Import ---- */

static int org_check(struct gt_home *h, const char *what)
{
	struct gt_cstore_orgunit ou;
	int rc;

	if (h->role[0] != '\0' && strcmp(h->role, "operator") != 0) {
		if (h->err)
			fprintf(
			    h->err,
			    "%s: this key is registered as %s; only an operator key may write data "
			    "values. Nothing was queued.\n",
			    what, h->role);
		return GT_EPERM;
	}
	rc = gt_cstore_orgunit_get(h->st, h->org, &ou);
	if (rc == GT_ENOENT) {
		if (h->err)
			fprintf(h->err,
			        "%s: org unit %s is not among the org units the server sent; check "
			        "the home's --org and run 'gtsync metadata pull'\n",
			        what, h->org);
		return GT_EINVAL;
	}
	return rc;
}

int gt_import_buffer(struct gt_home *h, const char *name, const uint8_t *buf, size_t len,
                     const struct gt_import_opts *o, struct gt_import_result *r)
{
	struct gt_import_result local;
	struct gt_csvimport *c = calloc(1, sizeof(*c));
	struct gt_meta *meta = NULL;
	struct resolved *res = NULL;
	struct keymap km = {0};
	struct gt_progress bar;
	struct gt_valcheck vc;
	struct gt_period per;
	char why[GT_VALCHECK_MAX_WHY];
	int rc, prc;

	if (r == NULL)
		r = &local;
	memset(r, 0, sizeof(*r));
	if (c == NULL)
		return GT_ENOMEM;
	if ((rc = gt_home_meta(h, "gtsync import", &meta)) != GT_OK)
		goto out;
	if ((rc = org_check(h, "gtsync import")) != GT_OK)
		goto out;
	if (o->period != NULL && o->period[0] != '\0' &&
	    gt_period_parse(o->period, &per) != GT_OK) {
		if (h->err)
			fprintf(h->err,
			        "gtsync import: --period %s is not a DHIS2 period id (2024, "
			        "2024S1, 2024Q1, 202401)\n",
			        o->period);
		rc = GT_EINVAL;
		goto out;
	}
	if (o->dataset != NULL && o->dataset[0] != '\0' &&
	    gt_meta_dataset_find(meta, o->dataset) == NULL) {
		if (h->err)
			fprintf(h->err,
			        "gtsync import: --dataset %s is not a data set of the metadata\n",
			        o->dataset);
		rc = GT_EINVAL;
		goto out;
	}
	prc = gt_csvimport_parse(buf, len, c);
	if (prc == GT_ENOMEM) {
		rc = prc;
		goto out;
	}
	r->rows = c->n_rows;
	res = calloc(c->n_rows ? c->n_rows : 1, sizeof(*res));
	if (res == NULL || keymap_init(&km, c->n_rows) != GT_OK) {
		rc = GT_ENOMEM;
		goto out;
	}
	vc.meta = meta;
	vc.own_org = h->org;
	vc.dataset = o->dataset;
	vc.now_ms = gt_clock_wall_ms();
	gt_progress_start(&bar, o->progress, 0, "check", "rows", c->n_rows);
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct gt_csvimport_row *row = &c->rows[i];
		const char *const *f = row->field;
		struct gt_valcheck_value v;
		size_t dup;

		gt_progress_set(&bar, i + 1, 0);
		res[i].period =
		    f[GT_CSV_PERIOD][0] ? f[GT_CSV_PERIOD] : (o->period ? o->period : "");
		res[i].org_unit = f[GT_CSV_ORGUNIT][0] ? f[GT_CSV_ORGUNIT] : h->org;
		if (res[i].period[0] == '\0') {
			gt_csvimport_error(c, row->line,
			                   "no period: add a period column or give --period");
			continue;
		}
		if (o->period && o->period[0] && strcmp(res[i].period, o->period) != 0) {
			gt_csvimport_error(c, row->line,
			                   "period %s, but the import is for --period %s",
			                   res[i].period, o->period);
			continue;
		}
		v.data_element = f[GT_CSV_DATAELEMENT];
		v.period = res[i].period;
		v.org_unit = res[i].org_unit;
		v.coc = f[GT_CSV_COC];
		v.value = f[GT_CSV_VALUE];
		v.deleted = 0;
		if (gt_valcheck_run(&vc, &v, NULL, why) != GT_OK) {
			gt_csvimport_error(c, row->line, "%s", why);
			continue;
		}
		if ((dup = keymap_put(&km, c, res, i)) != 0)
			gt_csvimport_error(c, row->line,
			                   "%s %s%s%s is entered twice: also on line %lu",
			                   v.data_element, v.period, v.coc[0] ? " " : "", v.coc,
			                   c->rows[dup - 1].line);
	}
	gt_progress_end(&bar);
	r->errors = c->errors_total;
	if (c->errors_total > 0 || prc != GT_OK) {
		gt_csvimport_sort_errors(c);
		for (size_t i = 0; h->err && i < c->n_errors; i++) {
			if (c->errors[i].line)
				fprintf(h->err, "%s:%lu: %s\n", name, c->errors[i].line,
				        c->errors[i].msg);
			else
				fprintf(h->err, "%s: %s\n", name, c->errors[i].msg);
		}
		if (h->err && c->errors_total > c->n_errors)
			fprintf(h->err, "%s: ... and %zu more errors\n", name,
			        c->errors_total - c->n_errors);
		if (h->err)
			fprintf(h->err,
			        "gtsync import: %s: %zu %s; nothing from this file was queued. Fix "
			        "the lines above and import the file again.\n",
			        name, c->errors_total, c->errors_total == 1 ? "error" : "errors");
		rc = prc == GT_ETOOBIG ? GT_ETOOBIG : GT_EINVAL;
		goto out;
	}
	/* Every row is good: queue them all, or none. */
	if ((rc = gt_cstore_begin(h->st)) != GT_OK)
		goto store_failed;
	gt_progress_start(&bar, o->progress, 0, "queue", "values", c->n_rows);
	for (size_t i = 0; i < c->n_rows; i++) {
		const char *const *f = c->rows[i].field;
		char source[300];
		int what;
		snprintf(source, sizeof(source), "%s:%lu", name, c->rows[i].line);
		struct gt_cstore_value v = {
		    .data_element = f[GT_CSV_DATAELEMENT],
		    .period = res[i].period,
		    .org_unit = res[i].org_unit,
		    .coc = f[GT_CSV_COC],
		    .value = f[GT_CSV_VALUE],
		    .comment = f[GT_CSV_COMMENT],
		    .dataset = o->dataset ? o->dataset : "",
		    .source = source,
		};
		if ((rc = gt_cstore_queue(h->st, &v, gt_clock_wall_ms(), &what)) != GT_OK) {
			gt_progress_end(&bar);
			gt_cstore_rollback(h->st);
			goto store_failed;
		}
		if (what == GT_CSTORE_UNCHANGED)
			r->unchanged++;
		else if (what == GT_CSTORE_REPLACED)
			r->replaced++;
		else
			r->queued++;
		gt_progress_set(&bar, i + 1, 0);
	}
	gt_progress_end(&bar);
	if ((rc = gt_cstore_commit(h->st)) != GT_OK)
		goto store_failed;
	r->warnings = check_rules(h, name, meta, c, res);
	if (o->out != NULL) {
		fprintf(o->out, "import %s: %zu values: %zu queued", name, r->rows, r->queued);
		if (r->replaced)
			fprintf(o->out, ", %zu replacing values still queued", r->replaced);
		if (r->unchanged)
			fprintf(o->out, ", %zu unchanged (already entered)", r->unchanged);
		if (r->warnings)
			fprintf(o->out, "; %zu validation rule %s (see above)", r->warnings,
			        r->warnings == 1 ? "warning" : "warnings");
		fputc('\n', o->out);
	}
	goto out;
store_failed:
	r->queued = r->replaced = r->unchanged = 0;
	if (h->err)
		fprintf(
		    h->err,
		    "gtsync import: %s: cannot queue the values: %s. Nothing from this file was "
		    "queued; the outbox is unchanged.\n",
		    name, gt_cstore_errmsg(h->st));
out:
	free(km.slot);
	free(res);
	gt_csvimport_free(c);
	free(c);
	gt_meta_free(meta);
	return rc;
}

int gt_import_file(struct gt_home *h, const char *path, const struct gt_import_opts *o,
                   struct gt_import_result *r)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (r != NULL)
		memset(r, 0, sizeof(*r));
	rc = gt_file_read(path, GT_CSVIMPORT_MAX_INPUT, &buf, &len);
	if (rc != GT_OK) {
		if (h->err)
			fprintf(h->err, "gtsync import: cannot read %s: %s\n", path,
			        rc == GT_ETOOBIG ? "the file is larger than the import limit"
			                         : gt_strerror(rc));
		return rc;
	}
	rc = gt_import_buffer(h, path, buf, len, o, r);
	free(buf);
	return rc;
}

int gt_import_one(struct gt_home *h, const char *data_element, const char *period, const char *coc,
                  const char *value, const char *comment, int deleted,
                  const struct gt_import_opts *o)
{
	struct gt_meta *meta = NULL;
	struct gt_valcheck vc;
	struct gt_valcheck_value v;
	char why[GT_VALCHECK_MAX_WHY];
	int rc, what = 0;

	if (strcmp(coc, "default") == 0)
		coc = "";
	if ((rc = gt_home_meta(h, "gtsync set", &meta)) != GT_OK)
		return rc;
	if ((rc = org_check(h, "gtsync set")) != GT_OK)
		goto out;
	vc.meta = meta;
	vc.own_org = h->org;
	vc.dataset = o->dataset;
	vc.now_ms = gt_clock_wall_ms();
	v.data_element = data_element;
	v.period = period;
	v.org_unit = h->org;
	v.coc = coc;
	v.value = value ? value : "";
	v.deleted = deleted;
	if (!deleted && (value == NULL || value[0] == '\0')) {
		if (h->err)
			fprintf(h->err,
			        "gtsync set: give a VALUE, or --delete to delete the value\n");
		rc = GT_EINVAL;
		goto out;
	}
	if (gt_valcheck_run(&vc, &v, NULL, why) != GT_OK) {
		if (h->err)
			fprintf(h->err, "gtsync set: %s; nothing was queued\n", why);
		rc = GT_EINVAL;
		goto out;
	}
	struct gt_cstore_value cv = {
	    .data_element = data_element,
	    .period = period,
	    .org_unit = h->org,
	    .coc = coc,
	    .value = deleted ? "" : value,
	    .comment = comment ? comment : "",
	    .dataset = o->dataset ? o->dataset : "",
	    .source = "set",
	    .deleted = deleted,
	};
	rc = gt_cstore_queue(h->st, &cv, gt_clock_wall_ms(), &what);
	if (rc != GT_OK) {
		if (h->err)
			fprintf(h->err,
			        "gtsync set: cannot queue the value: %s; the outbox is "
			        "unchanged\n",
			        gt_cstore_errmsg(h->st));
		goto out;
	}
	if (o->out != NULL) {
		const char *label = what == GT_CSTORE_UNCHANGED ? "unchanged (already entered)"
		                    : what == GT_CSTORE_REPLACED
		                        ? "queued (replacing a queued value)"
		                        : "queued";
		fprintf(o->out, "set %s %s %s %s: %s\n", data_element, period, coc[0] ? coc : "-",
		        deleted ? "(delete)" : value, label);
	}
out:
	gt_meta_free(meta);
	return rc;
}
