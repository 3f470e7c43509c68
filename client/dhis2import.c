/* DHIS2 import: a dataValueSets JSON document (code or UID scheme) decoded, checked and queued
 * in the outbox, all or nothing, every error naming the JSON path of the bad value. */
#include "dhis2import.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dhis2uid.h"
#include "error.h"
#include "fileio.h"
#include "humanfmt.h"
#include "i18n.h"
#include "termtext.h"
#include "valcheck.h"
#include "vec.h"

#define error gt__dhis2import_error
#define keep  gt__dhis2import_keep

static void json_free_doc(void *doc)
{
	json_decref(doc);
}

void gt__dhis2import_error(struct gt_dhis2import *d, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	d->errors_total++;
	if (d->n_errors >= GT_DHIS2IMPORT_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->errors[d->n_errors] = strdup(msg);
	if (d->errors[d->n_errors] != NULL)
		d->n_errors++;
}

/* Keeps s (malloc'd) for the document's lifetime; NULL when out of memory (s is freed). */
const char *gt__dhis2import_keep(struct gt_dhis2import *d, char *s)
{
	if (s == NULL)
		return NULL;
	if (GT_VEC_RESERVE(d->own, d->cap_own, d->n_own + 1) != GT_OK) {
		free(s);
		return NULL;
	}
	d->own[d->n_own++] = s;
	return s;
}

/* The code an identifier names: the code itself when meta knows it (or when there is no
 * metadata), else the code whose derived UID it is; NULL when none. */
const char *gt__dhis2import_element(const struct gt_meta *m, const char *id)
{
	char uid[GT_DHIS2UID_LEN];

	if (m == NULL)
		return id;
	for (size_t i = 0; i < m->nelements; i++)
		if (strcmp(m->elements[i]->code, id) == 0)
			return m->elements[i]->code;
	if (!gt_dhis2uid_valid(id))
		return NULL;
	for (size_t i = 0; i < m->nelements; i++) {
		gt_dhis2uid(GT_DHIS2_DATAELEMENT, m->elements[i]->code, uid);
		if (strcmp(uid, id) == 0)
			return m->elements[i]->code;
	}
	return NULL;
}

/* The option code of a category option combo ("" for the default). */
const char *gt__dhis2import_coc(const struct gt_meta *m, const char *id)
{
	char uid[GT_DHIS2UID_LEN];

	if (id[0] == '\0' || strcmp(id, GT_DHIS2_DEFAULT_CODE) == 0 ||
	    strcmp(id, GT_DHIS2_DEFAULT_COC_UID) == 0)
		return "";
	if (m == NULL || !gt_dhis2uid_valid(id))
		return id;
	for (size_t c = 0; c < m->ncombos; c++)
		for (size_t o = 0; o < m->combos[c]->noptions; o++) {
			gt_dhis2uid(GT_DHIS2_COC, m->combos[c]->options[o].code, uid);
			if (strcmp(uid, id) == 0)
				return m->combos[c]->options[o].code;
		}
	return id; /* an option code that looks like a UID: the checker decides */
}

/* The org unit: the importing office's own code when id is it or its UID, else id. */
const char *gt__dhis2import_org(const char *own, const char *id)
{
	char uid[GT_DHIS2UID_LEN];

	if (own != NULL && gt_dhis2uid_valid(id)) {
		gt_dhis2uid(GT_DHIS2_ORGUNIT, own, uid);
		if (strcmp(uid, id) == 0)
			return own;
	}
	return id;
}

/* Reads member key of o as text into *out: a string as is, a whole number or a boolean as its
 * text when allow_scalar; absent leaves *out (the default). Returns 0 or -1 (recorded). */
static int text(struct gt_dhis2import *d, const json_t *o, const char *path, const char *key,
                int allow_scalar, const char **out)
{
	const json_t *v = json_object_get(o, key);
	char buf[32];

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		if (strlen(json_string_value(v)) != json_string_length(v)) {
			error(d, _("%s.%s: holds a NUL character"), path, key);
			return -1;
		}
		*out = json_string_value(v);
		return 0;
	}
	if (allow_scalar && json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*out = keep(d, strdup(buf));
		return *out != NULL ? 0 : -1;
	}
	if (allow_scalar && json_is_boolean(v)) {
		*out = json_is_true(v) ? "true" : "false";
		return 0;
	}
	error(d, _("%s.%s: must be a string%s"), path, key,
	      allow_scalar && json_is_real(v) ? _(" (write a fraction as text, e.g. \"2.5\")")
	                                      : "");
	return -1;
}

static void decode_value(struct gt_dhis2import *d, const json_t *dv, size_t i,
                         const struct gt_meta *meta, const char *own, const char *top_pe,
                         const char *top_ou)
{
	struct gt_dhis2import_value *v = &d->values[d->n_values];
	const char *de = NULL, *pe = top_pe, *ou = top_ou, *coc = "", *aoc = "", *val = NULL;
	const char *comment = "";
	int bad = 0;

	memset(v, 0, sizeof(*v));
	snprintf(v->path, sizeof(v->path), "dataValues[%zu]", i);
	if (!json_is_object(dv)) {
		error(d, _("%s: must be an object"), v->path);
		return;
	}
	bad |= text(d, dv, v->path, "dataElement", 0, &de);
	bad |= text(d, dv, v->path, "period", 0, &pe);
	bad |= text(d, dv, v->path, "orgUnit", 0, &ou);
	bad |= text(d, dv, v->path, "categoryOptionCombo", 0, &coc);
	bad |= text(d, dv, v->path, "attributeOptionCombo", 0, &aoc);
	bad |= text(d, dv, v->path, "value", 1, &val);
	bad |= text(d, dv, v->path, "comment", 0, &comment);
	const json_t *del = json_object_get(dv, "deleted");
	if (del != NULL && !json_is_boolean(del)) {
		error(d, _("%s.deleted: must be true or false"), v->path);
		bad = 1;
	}
	if (bad)
		return;
	v->deleted = del != NULL && json_is_true(del);
	if (de == NULL || pe == NULL || ou == NULL || (val == NULL && !v->deleted)) {
		error(d, _("%s: needs %s"), v->path,
		      de == NULL   ? "dataElement"
		      : pe == NULL ? _("period (here or at the top)")
		      : ou == NULL ? _("orgUnit (here or at the top)")
		                   : "value");
		return;
	}
	if (gt__dhis2import_coc(meta, aoc)[0] != '\0') {
		error(d,
		      _("%s.attributeOptionCombo: \"%s\": gtsync has only the default attribute "
		        "combo"),
		      v->path, aoc);
		return;
	}
	v->data_element = gt__dhis2import_element(meta, de);
	if (v->data_element == NULL) {
		error(d, _("%s.dataElement: \"%s\" is neither a data element's code nor its UID"),
		      v->path, de);
		return;
	}
	v->period = pe;
	v->org_unit = gt__dhis2import_org(own, ou);
	v->coc = gt__dhis2import_coc(meta, coc);
	v->value = val != NULL ? val : "";
	v->comment = comment;
	d->n_values++;
}

int gt_dhis2import_decode(const uint8_t *buf, size_t len, const struct gt_meta *meta,
                          const char *own_org, struct gt_dhis2import *out)
{
	json_error_t e;
	json_t *doc, *dvs;
	const char *top_pe = NULL, *top_ou = NULL, *top_ds = NULL;

	memset(out, 0, sizeof(*out));
	out->errors = calloc(GT_DHIS2IMPORT_MAX_ERRORS, sizeof(*out->errors));
	if (out->errors == NULL)
		return GT_ENOMEM;
	if (len > GT_DHIS2IMPORT_MAX_INPUT) {
		error(out, _("the document is larger than %u bytes"), GT_DHIS2IMPORT_MAX_INPUT);
		return GT_OK;
	}
	doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &e);
	if (doc == NULL) {
		error(out, _("line %d, column %d: not JSON: %s"), e.line, e.column, e.text);
		return GT_OK;
	}
	out->doc = doc;
	out->free_doc = json_free_doc;
	if (!json_is_object(doc)) {
		error(out, _("$: must be an object with dataValues"));
		return GT_OK;
	}
	if (text(out, doc, "$", "dataSet", 0, &top_ds) ||
	    text(out, doc, "$", "period", 0, &top_pe) || text(out, doc, "$", "orgUnit", 0, &top_ou))
		return GT_OK;
	(void)top_ds;
	dvs = json_object_get(doc, "dataValues");
	if (!json_is_array(dvs)) {
		error(out, _("$.dataValues: must be an array"));
		return GT_OK;
	}
	if (json_array_size(dvs) > GT_DHIS2IMPORT_MAX_VALUES) {
		error(out, _("$.dataValues: more than %u values"), GT_DHIS2IMPORT_MAX_VALUES);
		return GT_OK;
	}
	out->values = calloc(json_array_size(dvs) + 1, sizeof(*out->values));
	if (out->values == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < json_array_size(dvs); i++)
		decode_value(out, json_array_get(dvs, i), i, meta, own_org, top_pe, top_ou);
	return GT_OK;
}

void gt_dhis2import_free(struct gt_dhis2import *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n_errors; i++)
		free(d->errors[i]);
	free(d->errors);
	for (size_t i = 0; i < d->n_own; i++)
		free(d->own[i]);
	free(d->own);
	free(d->values);
	if (d->doc != NULL && d->free_doc != NULL)
		d->free_doc(d->doc);
	memset(d, 0, sizeof(*d));
}

/* Checks every decoded value as the server will, and that no key comes twice. */
static void check_all(struct gt_home *h, const struct gt_meta *meta, const char *dataset,
                      struct gt_dhis2import *d)
{
	struct gt_valcheck vc = {meta, h->org, dataset, gt_clock_wall_ms()};
	char why[GT_VALCHECK_MAX_WHY];

	for (size_t i = 0; i < d->n_values; i++) {
		const struct gt_dhis2import_value *v = &d->values[i];
		struct gt_valcheck_value cv = {v->data_element, v->period,  v->org_unit, v->coc,
		                               v->value,        v->deleted, v->comment};
		if (gt_valcheck_run(&vc, &cv, NULL, why) != GT_OK) {
			error(d, "%s: %s", v->path, why);
			continue;
		}
		/* A key twice: quadratic only over a document's values of one element, period. */
		for (size_t j = 0; j < i; j++) {
			const struct gt_dhis2import_value *w = &d->values[j];
			if (strcmp(w->data_element, v->data_element) == 0 &&
			    strcmp(w->period, v->period) == 0 && strcmp(w->coc, v->coc) == 0 &&
			    strcmp(w->org_unit, v->org_unit) == 0) {
				error(d, _("%s: the same value as %s"), v->path, w->path);
				break;
			}
		}
	}
}

static int queue_all(struct gt_home *h, const char *name, const char *dataset,
                     const struct gt_dhis2import *d, size_t *queued)
{
	char source[300];
	int rc, what;

	*queued = 0;
	if ((rc = gt_cstore_begin(h->st)) != GT_OK)
		return rc;
	for (size_t i = 0; i < d->n_values && rc == GT_OK; i++) {
		const struct gt_dhis2import_value *v = &d->values[i];
		struct gt_cstore_value cv = {
		    v->data_element,        v->period, v->org_unit, v->coc, v->value, v->comment,
		    dataset ? dataset : "", source,    v->deleted};
		snprintf(source, sizeof(source), "%s:%s", name, v->path);
		rc = gt_cstore_queue(h->st, &cv, gt_clock_wall_ms(), &what);
		if (rc == GT_OK && what != GT_CSTORE_UNCHANGED)
			(*queued)++;
	}
	if (rc == GT_OK)
		rc = gt_cstore_commit(h->st);
	else
		gt_cstore_rollback(h->st);
	if (rc != GT_OK)
		*queued = 0;
	return rc;
}

int gt_dhis2import_file(struct gt_home *h, const char *path, const char *dataset, FILE *out)
{
	return gt_dhis2import_run(h, path, dataset, gt_dhis2import_decode, out);
}

int gt_dhis2import_run(struct gt_home *h, const char *path, const char *dataset,
                       gt_dhis2import_decoder decode, FILE *out)
{
	struct gt_dhis2import d = {0};
	struct gt_meta *meta = NULL;
	char nv[GT_HUMAN_MAX], nq[GT_HUMAN_MAX];
	uint8_t *buf = NULL;
	size_t len = 0, queued = 0;
	int rc;

	rc = gt_file_read(path, GT_DHIS2IMPORT_MAX_INPUT, &buf, &len);
	if (rc != GT_OK) {
		gt_home_say(h, _("gtsync import: cannot read %s: %s"), path,
		            rc == GT_ETOOBIG ? _("the file is larger than the import limit")
		                             : gt_error_text(rc));
		return rc;
	}
	if ((rc = gt_home_meta(h, "gtsync import", &meta)) != GT_OK)
		goto out;
	if ((rc = decode(buf, len, meta, h->org, &d)) != GT_OK)
		goto out;
	if (d.errors_total == 0)
		check_all(h, meta, dataset, &d);
	if (d.errors_total > 0) {
		for (size_t i = 0; i < d.n_errors; i++)
			gt_home_say(h, "%s: %s", path, d.errors[i]);
		if (d.errors_total > d.n_errors)
			gt_home_say(h, _("%s: ... and %zu more errors"), path,
			            d.errors_total - d.n_errors);
		gt_home_say(
		    h,
		    P_("gtsync import: %s: %zu error; nothing from this file was queued. Fix "
		       "the values above and import the file again.",
		       "gtsync import: %s: %zu errors; nothing from this file was queued. Fix "
		       "the values above and import the file again.",
		       d.errors_total),
		    path, d.errors_total);
		rc = GT_EINVAL;
		goto out;
	}
	rc = queue_all(h, path, dataset, &d, &queued);
	if (rc != GT_OK) {
		gt_home_say(
		    h,
		    _("gtsync import: %s: cannot queue the values: %s. Nothing from this file "
		      "was queued; the outbox is unchanged."),
		    path, gt_cstore_errmsg(h->st));
		goto out;
	}
	/* The counts grouped as the language writes them ("1.200" in Indonesian). */
	gt_human_number((double)d.n_values, nv, sizeof(nv));
	gt_human_number((double)queued, nq, sizeof(nq));
	if (out != NULL)
		gt_termtext_line(out, _("import %s: %s values: %s queued%s"), path, nv, nq, "");
out:
	gt_dhis2import_free(&d);
	gt_meta_free(meta);
	free(buf);
	return rc;
}
