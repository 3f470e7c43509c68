/* The report as JSON: the whole reply, or a DHIS2 dataValueSets document of the totals. */
#include "jsonreport.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "error.h"
#include "protonames.h"
#include "utf8.h"

void gt_jsonreport_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', out);
	while (*p) {
		unsigned c = *p;
		uint32_t cp;
		size_t n;

		if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc((int)c, out);
			p++;
			continue;
		}
		if (c == '\n' || c == '\r' || c == '\t') {
			fputs(c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t", out);
			p++;
			continue;
		}
		if (c < 0x20 || c == 0x7F) {
			fprintf(out, "\\u%04x", c);
			p++;
			continue;
		}
		n = gt_utf8_decode(p, &cp);
		if (n == 0) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		fwrite(p, 1, n, out);
		p += n;
	}
	fputc('"', out);
}

/* Writes before, then "name": "value" (value as a JSON string). */
static void field(FILE *out, const char *before, const char *name, const char *value)
{
	fprintf(out, "%s\"%s\": ", before, name);
	gt_jsonreport_string(out, value);
}

static void json_number(FILE *out, double v)
{
	char num[GT_RMODEL_NUM_LEN];

	if (!isfinite(v)) {
		fputs("null", out);
		return;
	}
	gt_rmodel_number(v, num, sizeof(num));
	fputs(num, out);
}

static void json_values(FILE *out, Gtsync__V1__ReportValue *const *vals, size_t n,
                        const struct gt_rmodel_row *rows, size_t nrows, const char *indent)
{
	int first = 1;

	fputc('[', out);
	for (size_t i = 0; i < nrows; i++) {
		const Gtsync__V1__ReportValue *v = gt_rmodel_value(vals, n, &rows[i]);
		if (v == NULL)
			continue;
		fprintf(out, "%s\n%s  {", first ? "" : ",", indent);
		field(out, "", "dataElement", rows[i].element);
		field(out, ", ", "categoryOptionCombo", rows[i].coc);
		fputs(", \"value\": ", out);
		if (gt_rmodel_has_text(v->text))
			gt_jsonreport_string(out, v->text);
		else
			json_number(out, v->value);
		fprintf(out, ", \"count\": %" PRIu32, v->count);
		if (gt_rmodel_has_text(v->comment))
			field(out, ", ", "comment", v->comment);
		fputc('}', out);
		first = 0;
	}
	fprintf(out, "%s]", first ? "" : "\n  ");
}

static void json_completeness(FILE *out, const Gtsync__V1__Completeness *cp)
{
	fprintf(out,
	        ",\n  \"completeness\": {\"expected\": %" PRIu32 ", \"reported\": %" PRIu32
	        ", \"onTime\": %" PRIu32 ", \"missing\": [",
	        cp ? cp->expected : 0, cp ? cp->reported : 0, cp ? cp->on_time : 0);
	for (size_t i = 0; cp && i < cp->n_missing; i++) {
		if (i)
			fputs(", ", out);
		gt_jsonreport_string(out, cp->missing[i]);
	}
	fputs("]}", out);
}

static void json_child(FILE *out, const Gtsync__V1__ChildReport *ch,
                       const struct gt_rmodel_row *rows, size_t nrows)
{
	field(out, "\n    {", "orgUnit", ch->org_unit);
	field(out, ", ", "name", ch->name);
	fprintf(out,
	        ", \"reported\": %s, \"onTime\": %s, \"expected\": %" PRIu32
	        ", \"reportedUnits\": %" PRIu32 ", \"onTimeUnits\": %" PRIu32
	        ", \"approvalState\": ",
	        ch->reported ? "true" : "false", ch->on_time ? "true" : "false", ch->expected,
	        ch->reported_units, ch->on_time_units);
	gt_jsonreport_string(out, gt_protonames_state((int)ch->state));
	fputs(",\n     \"values\": ", out);
	json_values(out, ch->values, ch->n_values, rows, nrows, "     ");
	fputc('}', out);
}

/* The signed approval history, oldest first: who (the key's label, else its id), in which
 * role, with the key id always there for checking. */
static void json_history(FILE *out, const Gtsync__V1__ReportReply *rep)
{
	char at[32];

	fputs(",\n  \"history\": [", out);
	for (size_t i = 0; i < rep->n_history; i++) {
		const Gtsync__V1__WorkflowEvent *ev = rep->history[i];
		const char *role = gt_rmodel_event_role(ev);
		gt_rmodel_time(ev->at_ms, GT_RMODEL_TIME_ISO, at, sizeof(at));
		field(out, i ? ",\n    {" : "\n    {", "action", gt_protonames_kind((int)ev->kind));
		field(out, ", ", "at", at);
		field(out, ", ", "by", gt_rmodel_event_who(ev));
		field(out, ", ", "keyId", ev->key_id);
		field(out, ", ", "keyLabel", ev->key_label);
		field(out, ", ", "role", role ? role : "");
		field(out, ", ", "reason", ev->reason);
		fputc('}', out);
	}
	fprintf(out, "%s]", rep->n_history ? "\n  " : "");
}

int gt_json_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                   const struct gt_rmodel_names *names)
{
	struct gt_rmodel_row *rows = NULL;
	size_t nrows = 0;
	char when[32];
	int rc;
	(void)names;

	if ((rc = gt_rmodel_rows(rep, meta, &rows, &nrows)) != GT_OK)
		return rc;
	gt_rmodel_time(rep->generated_at_ms, GT_RMODEL_TIME_ISO, when, sizeof(when));
	field(out, "{\n  ", "orgUnit", rep->org_unit);
	field(out, ",\n  ", "orgUnitName", rep->org_name);
	field(out, ",\n  ", "dataSet", rep->dataset);
	field(out, ",\n  ", "period", rep->period);
	field(out, ",\n  ", "generatedAt", when);
	field(out, ",\n  ", "approvalState", gt_protonames_state((int)rep->state));
	json_completeness(out, rep->completeness);
	fputs(",\n  \"totals\": ", out);
	json_values(out, rep->totals, rep->n_totals, rows, nrows, "  ");
	fputs(",\n  \"children\": [", out);
	for (size_t c = 0; c < rep->n_children; c++) {
		if (c)
			fputc(',', out);
		json_child(out, rep->children[c], rows, nrows);
	}
	fprintf(out, "%s]", rep->n_children ? "\n  " : "");
	json_history(out, rep);
	fputs("\n}\n", out);
	free(rows);
	return GT_OK;
}

int gt_dhis2_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                    const struct gt_rmodel_names *names)
{
	struct gt_rmodel_row *rows = NULL;
	size_t nrows = 0;
	char num[GT_RMODEL_NUM_LEN];
	int rc, first = 1;
	(void)names;

	if ((rc = gt_rmodel_rows(rep, meta, &rows, &nrows)) != GT_OK)
		return rc;
	field(out, "{\n  ", "dataSet", rep->dataset);
	field(out, ",\n  ", "period", rep->period);
	field(out, ",\n  ", "orgUnit", rep->org_unit);
	fputs(",\n  \"dataValues\": [", out);
	for (size_t i = 0; i < nrows; i++) {
		const Gtsync__V1__ReportValue *v =
		    gt_rmodel_value(rep->totals, rep->n_totals, &rows[i]);
		if (v == NULL)
			continue;
		field(out, first ? "\n    {" : ",\n    {", "dataElement", rows[i].element);
		field(out, ", ", "categoryOptionCombo", rows[i].coc);
		/* DHIS2 carries every value as a string. */
		field(out, ", ", "value", gt_rmodel_value_text(v, num));
		field(out, ", ", "comment", v->comment);
		fputc('}', out);
		first = 0;
	}
	fprintf(out, "%s]\n}\n", first ? "" : "\n  ");
	free(rows);
	return GT_OK;
}
