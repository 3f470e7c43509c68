/* The report as JSON: the whole reply, or a DHIS2 dataValueSets document of the totals. Every
 * document is built as jansson values and written by jansson. */
#include "jsonreport.h"

#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "error.h"
#include "jsonout.h"
#include "protonames.h"

/* Sets obj[key] to the string s; rc carries the first failure through a run of calls. */
static void put_str(json_t *obj, const char *key, const char *s, int *rc)
{
	if (*rc == GT_OK)
		*rc = gt_jsonout_set(obj, key, gt_jsonout_string(s));
}

static void put(json_t *obj, const char *key, json_t *v, int *rc)
{
	if (*rc == GT_OK)
		*rc = gt_jsonout_set(obj, key, v);
	else
		json_decref(v);
}

static json_t *json_values(Gtsync__V1__ReportValue *const *vals, size_t n,
                           const struct gt_rmodel_row *rows, size_t nrows)
{
	json_t *arr = json_array();
	int rc = arr != NULL ? GT_OK : GT_ENOMEM;

	for (size_t i = 0; i < nrows && rc == GT_OK; i++) {
		const Gtsync__V1__ReportValue *v = gt_rmodel_value(vals, n, &rows[i]);
		json_t *o;
		if (v == NULL)
			continue;
		o = json_object();
		if (o == NULL) {
			rc = GT_ENOMEM;
			break;
		}
		put_str(o, "dataElement", rows[i].element, &rc);
		put_str(o, "categoryOptionCombo", rows[i].coc, &rc);
		/* A withheld cell has no figure at all (issue 14), not a 0. */
		put(o, "value",
		    v->suppressed                 ? json_null()
		    : gt_rmodel_has_text(v->text) ? gt_jsonout_string(v->text)
		                                  : gt_jsonout_number(v->value),
		    &rc);
		put(o, "count", json_integer(v->count), &rc);
		if (v->suppressed)
			put(o, "suppressed", json_true(), &rc);
		if (gt_rmodel_has_text(v->comment))
			put_str(o, "comment", v->comment, &rc);
		if (rc == GT_OK)
			rc = gt_jsonout_append(arr, o);
		else
			json_decref(o);
	}
	if (rc != GT_OK) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static json_t *json_completeness(const Gtsync__V1__Completeness *cp)
{
	json_t *o = json_object(), *missing = json_array();
	int rc = o != NULL && missing != NULL ? GT_OK : GT_ENOMEM;

	put(o, "expected", json_integer(cp ? cp->expected : 0), &rc);
	put(o, "reported", json_integer(cp ? cp->reported : 0), &rc);
	put(o, "onTime", json_integer(cp ? cp->on_time : 0), &rc);
	for (size_t i = 0; cp && i < cp->n_missing && rc == GT_OK; i++)
		rc = gt_jsonout_append(missing, gt_jsonout_string(cp->missing[i]));
	put(o, "missing", missing, &rc);
	if (rc != GT_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *json_child(const Gtsync__V1__ChildReport *ch, const struct gt_rmodel_row *rows,
                          size_t nrows)
{
	json_t *o = json_object();
	int rc = o != NULL ? GT_OK : GT_ENOMEM;

	put_str(o, "orgUnit", ch->org_unit, &rc);
	put_str(o, "name", ch->name, &rc);
	put(o, "reported", json_boolean(ch->reported), &rc);
	put(o, "onTime", json_boolean(ch->on_time), &rc);
	put(o, "expected", json_integer(ch->expected), &rc);
	put(o, "reportedUnits", json_integer(ch->reported_units), &rc);
	put(o, "onTimeUnits", json_integer(ch->on_time_units), &rc);
	put_str(o, "approvalState", gt_protonames_state((int)ch->state), &rc);
	put(o, "values", json_values(ch->values, ch->n_values, rows, nrows), &rc);
	if (rc != GT_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The signed approval history, oldest first: who (the key's label, else its id), in which
 * role, with the key id always there for checking. */
static json_t *json_history(const Gtsync__V1__ReportReply *rep)
{
	json_t *arr = json_array();
	int rc = arr != NULL ? GT_OK : GT_ENOMEM;
	char at[32];

	for (size_t i = 0; i < rep->n_history && rc == GT_OK; i++) {
		const Gtsync__V1__WorkflowEvent *ev = rep->history[i];
		const char *role = gt_rmodel_event_role(ev);
		json_t *o = json_object();

		if (o == NULL) {
			rc = GT_ENOMEM;
			break;
		}
		gt_rmodel_time(ev->at_ms, GT_RMODEL_TIME_ISO, at, sizeof(at));
		put_str(o, "action", gt_protonames_kind((int)ev->kind), &rc);
		put_str(o, "at", at, &rc);
		put_str(o, "by", gt_rmodel_event_who(ev), &rc);
		put_str(o, "keyId", ev->key_id, &rc);
		put_str(o, "keyLabel", ev->key_label, &rc);
		put_str(o, "role", role ? role : "", &rc);
		put_str(o, "reason", ev->reason, &rc);
		if (rc == GT_OK)
			rc = gt_jsonout_append(arr, o);
		else
			json_decref(o);
	}
	if (rc != GT_OK) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

int gt_json_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                   const struct gt_rmodel_names *names)
{
	struct gt_rmodel_row *rows = NULL;
	size_t nrows = 0;
	json_t *doc = NULL, *children = NULL;
	char when[32];
	int rc;
	(void)names;

	if ((rc = gt_rmodel_rows(rep, meta, &rows, &nrows)) != GT_OK)
		return rc;
	gt_rmodel_time(rep->generated_at_ms, GT_RMODEL_TIME_ISO, when, sizeof(when));
	doc = json_object();
	children = json_array();
	rc = doc != NULL && children != NULL ? GT_OK : GT_ENOMEM;
	put_str(doc, "orgUnit", rep->org_unit, &rc);
	put_str(doc, "orgUnitName", rep->org_name, &rc);
	put_str(doc, "dataSet", rep->dataset, &rc);
	put_str(doc, "period", rep->period, &rc);
	put_str(doc, "generatedAt", when, &rc);
	put_str(doc, "approvalState", gt_protonames_state((int)rep->state), &rc);
	put(doc, "completeness", json_completeness(rep->completeness), &rc);
	put(doc, "totals", json_values(rep->totals, rep->n_totals, rows, nrows), &rc);
	for (size_t c = 0; c < rep->n_children && rc == GT_OK; c++)
		rc = gt_jsonout_append(children, json_child(rep->children[c], rows, nrows));
	put(doc, "children", children, &rc);
	children = NULL;
	put(doc, "history", json_history(rep), &rc);
	if (rc == GT_OK)
		rc = gt_jsonout_dump(out, doc, 0);
	if (rc == GT_OK && fputc('\n', out) == EOF)
		rc = GT_EIO;
	json_decref(doc);
	free(rows);
	return rc;
}

int gt_dhis2_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                    const struct gt_rmodel_names *names)
{
	struct gt_rmodel_row *rows = NULL;
	size_t nrows = 0;
	char num[GT_RMODEL_NUM_LEN];
	json_t *doc = NULL, *dvs = NULL;
	int rc;
	(void)names;

	if ((rc = gt_rmodel_rows(rep, meta, &rows, &nrows)) != GT_OK)
		return rc;
	doc = json_object();
	dvs = json_array();
	rc = doc != NULL && dvs != NULL ? GT_OK : GT_ENOMEM;
	put_str(doc, "dataSet", rep->dataset, &rc);
	put_str(doc, "period", rep->period, &rc);
	put_str(doc, "orgUnit", rep->org_unit, &rc);
	for (size_t i = 0; i < nrows && rc == GT_OK; i++) {
		const Gtsync__V1__ReportValue *v =
		    gt_rmodel_value(rep->totals, rep->n_totals, &rows[i]);
		json_t *o;
		/* DHIS2 has no mark for a withheld figure: the cell is left out (issue 14). */
		if (v == NULL || v->suppressed)
			continue;
		o = json_object();
		rc = o != NULL ? GT_OK : GT_ENOMEM;
		put_str(o, "dataElement", rows[i].element, &rc);
		put_str(o, "categoryOptionCombo", rows[i].coc, &rc);
		/* DHIS2 carries every value as a string. */
		put_str(o, "value", gt_rmodel_value_text(v, num), &rc);
		put_str(o, "comment", v->comment, &rc);
		if (rc == GT_OK)
			rc = gt_jsonout_append(dvs, o);
		else
			json_decref(o);
	}
	put(doc, "dataValues", dvs, &rc);
	dvs = NULL;
	if (rc == GT_OK)
		rc = gt_jsonout_dump(out, doc, 0);
	if (rc == GT_OK && fputc('\n', out) == EOF)
		rc = GT_EIO;
	json_decref(doc);
	free(rows);
	return rc;
}

void gt_jsonreport_string(FILE *out, const char *s)
{
	json_t *v = gt_jsonout_string(s);

	if (v != NULL)
		(void)gt_jsonout_dump(out, v, 0);
	json_decref(v);
}
