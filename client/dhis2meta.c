/* DHIS2 metadata export: the data sets, elements, combos and org units as one DHIS2 metadata
 * package, every object with a UID derived from its code (dhis2uid.h). */
#include "dhis2meta.h"

#include <stdlib.h>
#include <string.h>

#include "dhis2uid.h"
#include "error.h"
#include "fileio.h"
#include "i18n.h"
#include "jsonout.h"

#define WHAT "gtsync export"
/* DHIS2's longest short name. */
#define SHORT_NAME_MAX 50

/* An object {"id": uid(kind, code)}. */
static json_t *ref(enum gt_dhis2_kind kind, const char *code)
{
	char uid[GT_DHIS2UID_LEN];
	json_t *o = json_object();

	if (code == NULL || code[0] == '\0')
		strcpy(uid, kind == GT_DHIS2_CATEGORYCOMBO ? GT_DHIS2_DEFAULT_COMBO_UID
		                                           : GT_DHIS2_DEFAULT_COC_UID);
	else
		gt_dhis2uid(kind, code, uid);
	if (o != NULL && gt_jsonout_set(o, "id", json_string(uid)) != GT_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A named object: id, code, name and shortName (the code, cut to DHIS2's 50 characters). */
static json_t *named(enum gt_dhis2_kind kind, const char *code, const char *name, int *rc)
{
	char shortname[SHORT_NAME_MAX + 1];
	json_t *o = *rc == GT_OK ? ref(kind, code) : NULL;

	if (*rc == GT_OK && o == NULL)
		*rc = GT_ENOMEM;
	snprintf(shortname, sizeof(shortname), "%s", code);
	if (*rc == GT_OK)
		*rc = gt_jsonout_set(o, "code", gt_jsonout_string(code));
	if (*rc == GT_OK)
		*rc = gt_jsonout_set(o, "name", gt_jsonout_string(name && name[0] ? name : code));
	if (*rc == GT_OK)
		*rc = gt_jsonout_set(o, "shortName", gt_jsonout_string(shortname));
	return o;
}

static void add(json_t *arr, json_t *o, int *rc)
{
	if (*rc == GT_OK)
		*rc = gt_jsonout_append(arr, o);
	else
		json_decref(o);
}

static void set(json_t *o, const char *key, json_t *v, int *rc)
{
	if (*rc == GT_OK && o != NULL)
		*rc = gt_jsonout_set(o, key, v);
	else
		json_decref(v);
}

static const char *value_type(enum gt_meta_value_type t)
{
	switch (t) {
	case GT_META_TYPE_INT0:
		return "INTEGER_ZERO_OR_POSITIVE";
	case GT_META_TYPE_NUMBER:
		return "NUMBER";
	case GT_META_TYPE_BOOL:
		return "BOOLEAN";
	default:
		return "LONG_TEXT";
	}
}

static const char *period_type(enum gt_period_type t)
{
	switch (t) {
	case GT_PERIOD_MONTHLY:
		return "Monthly";
	case GT_PERIOD_QUARTERLY:
		return "Quarterly";
	case GT_PERIOD_SIXMONTHLY:
		return "SixMonthly";
	default:
		return "Yearly";
	}
}

/* Whether an option code was already written (one categoryOption and one category option
 * combo per code: the data export names option combos by the option's code). */
static int seen_option(const struct gt_meta *m, size_t ci, size_t oi)
{
	const char *code = m->combos[ci]->options[oi].code;

	for (size_t c = 0; c <= ci; c++) {
		size_t end = c == ci ? oi : m->combos[c]->noptions;
		for (size_t o = 0; o < end; o++)
			if (strcmp(m->combos[c]->options[o].code, code) == 0)
				return 1;
	}
	return 0;
}

static void combos(const struct gt_meta *m, json_t *opts, json_t *cats, json_t *ccs, json_t *cocs,
                   int *rc)
{
	for (size_t c = 0; c < m->ncombos && *rc == GT_OK; c++) {
		const struct gt_meta_combo *cb = m->combos[c];
		json_t *cat = named(GT_DHIS2_CATEGORY, cb->code, cb->name, rc);
		json_t *cc = named(GT_DHIS2_CATEGORYCOMBO, cb->code, cb->name, rc);
		json_t *cat_opts = json_array(), *cc_cats = json_array();

		if (*rc == GT_OK && (cat_opts == NULL || cc_cats == NULL))
			*rc = GT_ENOMEM;
		for (size_t o = 0; o < cb->noptions && *rc == GT_OK; o++) {
			const struct gt_meta_option *op = &cb->options[o];
			add(cat_opts, ref(GT_DHIS2_CATEGORYOPTION, op->code), rc);
			if (seen_option(m, c, o))
				continue;
			add(opts, named(GT_DHIS2_CATEGORYOPTION, op->code, op->name, rc), rc);
			json_t *coc = named(GT_DHIS2_COC, op->code, op->name, rc);
			json_t *coc_opts = json_array();
			set(coc, "categoryCombo", ref(GT_DHIS2_CATEGORYCOMBO, cb->code), rc);
			add(coc_opts, ref(GT_DHIS2_CATEGORYOPTION, op->code), rc);
			set(coc, "categoryOptions", coc_opts, rc);
			add(cocs, coc, rc);
		}
		set(cat, "dataDimensionType", json_string("DISAGGREGATION"), rc);
		set(cat, "categoryOptions", cat_opts, rc);
		add(cats, cat, rc);
		set(cc, "dataDimensionType", json_string("DISAGGREGATION"), rc);
		add(cc_cats, ref(GT_DHIS2_CATEGORY, cb->code), rc);
		set(cc, "categories", cc_cats, rc);
		add(ccs, cc, rc);
	}
}

static void elements(const struct gt_meta *m, json_t *des, int *rc)
{
	for (size_t i = 0; i < m->nelements && *rc == GT_OK; i++) {
		const struct gt_meta_element *e = m->elements[i];
		json_t *de = named(GT_DHIS2_DATAELEMENT, e->code, e->name, rc);
		set(de, "valueType", json_string(value_type(e->type)), rc);
		set(de, "aggregationType",
		    json_string(e->aggregation == GT_META_AGG_SUM ? "SUM" : "NONE"), rc);
		set(de, "domainType", json_string("AGGREGATE"), rc);
		set(de, "categoryCombo",
		    ref(GT_DHIS2_CATEGORYCOMBO, e->combo->is_default ? "" : e->combo->code), rc);
		if (e->description && e->description[0])
			set(de, "description", gt_jsonout_string(e->description), rc);
		add(des, de, rc);
	}
}

static void datasets(const struct gt_meta *m, Gtsync__V1__OrgUnit *const *ous, size_t n,
                     json_t *dss, int *rc)
{
	for (size_t i = 0; i < m->ndatasets && *rc == GT_OK; i++) {
		const struct gt_meta_dataset *d = m->datasets[i];
		json_t *ds = named(GT_DHIS2_DATASET, d->code, d->name, rc);
		json_t *dse = json_array(), *units = json_array();

		if (*rc == GT_OK && (dse == NULL || units == NULL))
			*rc = GT_ENOMEM;
		set(ds, "periodType", json_string(period_type(d->period_type)), rc);
		set(ds, "expiryDays", json_integer(d->expiry_days), rc);
		set(ds, "timelyDays", json_integer(d->timely_days), rc);
		set(ds, "categoryCombo", ref(GT_DHIS2_CATEGORYCOMBO, ""), rc);
		for (size_t k = 0; k < d->nelements && *rc == GT_OK; k++) {
			json_t *x = json_object();
			set(x, "dataElement", ref(GT_DHIS2_DATAELEMENT, d->elements[k]->code), rc);
			if (x == NULL && *rc == GT_OK)
				*rc = GT_ENOMEM;
			add(dse, x, rc);
		}
		for (size_t u = 0; u < n && *rc == GT_OK; u++)
			if (ous[u]->level < 32 && (d->levels & GT_META_LEVEL_BIT(ous[u]->level)))
				add(units, ref(GT_DHIS2_ORGUNIT, ous[u]->code), rc);
		set(ds, "dataSetElements", dse, rc);
		set(ds, "organisationUnits", units, rc);
		add(dss, ds, rc);
	}
}

static void orgunits(Gtsync__V1__OrgUnit *const *ous, size_t n, json_t *arr, int *rc)
{
	for (size_t i = 0; i < n && *rc == GT_OK; i++) {
		json_t *o = named(GT_DHIS2_ORGUNIT, ous[i]->code, ous[i]->name, rc);
		set(o, "openingDate", json_string("1970-01-01"), rc);
		if (ous[i]->parent && ous[i]->parent[0])
			set(o, "parent", ref(GT_DHIS2_ORGUNIT, ous[i]->parent), rc);
		add(arr, o, rc);
	}
}

int gt_dhis2meta_write(FILE *out, const struct gt_meta *meta, Gtsync__V1__OrgUnit *const *ous,
                       size_t n)
{
	static const char *const names[] = {
	    "categoryOptions", "categories", "categoryCombos",   "categoryOptionCombos",
	    "dataElements",    "dataSets",   "organisationUnits"};
	json_t *arr[7], *doc = json_object();
	int rc = doc != NULL ? GT_OK : GT_ENOMEM;

	for (int i = 0; i < 7; i++) {
		arr[i] = json_array();
		if (arr[i] == NULL)
			rc = GT_ENOMEM;
	}
	if (rc == GT_OK)
		combos(meta, arr[0], arr[1], arr[2], arr[3], &rc);
	if (rc == GT_OK)
		elements(meta, arr[4], &rc);
	if (rc == GT_OK)
		datasets(meta, ous, n, arr[5], &rc);
	if (rc == GT_OK)
		orgunits(ous, n, arr[6], &rc);
	for (int i = 0; i < 7; i++)
		set(doc, names[i], arr[i], &rc);
	if (rc == GT_OK)
		rc = gt_jsonout_dump(out, doc, JSON_INDENT(1));
	if (rc == GT_OK && fputc('\n', out) == EOF)
		rc = GT_EIO;
	json_decref(doc);
	return rc;
}

int gt_dhis2meta_run(struct gt_home *h, const char *output, uint32_t timeout_ms, FILE *out)
{
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__MetadataRequest req = GTSYNC__V1__METADATA_REQUEST__INIT;
	const Gtsync__V1__MetadataReply *rep;
	struct gt_meta_errors *errs = NULL;
	struct gt_meta *meta = NULL;
	gt_envelope *reply = NULL;
	const char **names = NULL;
	const uint8_t **bufs = NULL;
	size_t *lens = NULL;
	char *doc = NULL;
	size_t len = 0;
	FILE *m = NULL;
	int rc;

	env.body_case = GTSYNC__V1__ENVELOPE__BODY_METADATA_REQUEST;
	env.metadata_request = &req;
	rc = gt_home_request(h, WHAT, timeout_ms, &env, GTSYNC__V1__ENVELOPE__BODY_METADATA_REPLY,
	                     &reply);
	if (rc != GT_OK)
		return rc;
	rep = reply->metadata_reply;
	names = calloc(rep->n_files + 1, sizeof(*names));
	bufs = calloc(rep->n_files + 1, sizeof(*bufs));
	lens = calloc(rep->n_files + 1, sizeof(*lens));
	errs = calloc(1, sizeof(*errs));
	if (!names || !bufs || !lens || !errs) {
		rc = GT_ENOMEM;
		goto out;
	}
	gt_meta_errors_init(errs);
	for (size_t i = 0; i < rep->n_files; i++) {
		names[i] = rep->files[i]->name;
		bufs[i] = rep->files[i]->content.data;
		lens[i] = rep->files[i]->content.len;
	}
	rc = gt_meta_load_buffers(names, bufs, lens, rep->n_files, &meta, errs);
	gt_meta_errors_clear(errs);
	if (rc != GT_OK) {
		gt_home_say(h, _("%s: the server's metadata does not load"), WHAT);
		goto out;
	}
	if (output == NULL) {
		rc = gt_dhis2meta_write(out, meta, rep->org_units, rep->n_org_units);
		goto out;
	}
	m = open_memstream(&doc, &len);
	rc = m == NULL ? GT_ENOMEM : gt_dhis2meta_write(m, meta, rep->org_units, rep->n_org_units);
	if (m != NULL && fclose(m) != 0 && rc == GT_OK)
		rc = GT_EIO;
	if (rc == GT_OK)
		rc = gt_file_write(output, doc, len, 0644, 1);
	if (rc != GT_OK)
		gt_home_say(h, _("%s: cannot write %s: %s"), WHAT, output, gt_error_text(rc));
out:
	free(doc);
	gt_meta_free(meta);
	free(errs);
	free(names);
	free(bufs);
	free(lens);
	gt_wire_envelope_free(reply);
	return rc;
}
