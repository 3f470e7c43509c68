/* Rendering of the server's consolidated reports: a table, CSV, JSON, DHIS2 dataValueSets. */
#include "render.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain.h"
#include "error.h"
#include "html.h"
#include "protonames.h"
#include "textreport.h"

int gt_render_format_parse(const char *name, enum gt_render_format *out)
{
	static const char *const names[] = {"table", "csv", "json", "dhis2", "text", "html"};

	for (int i = 0; i < 6; i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum gt_render_format)i;
			return GT_OK;
		}
	}
	return GT_EINVAL;
}

void gt_render_number(double v, char *buf, size_t len)
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

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t k;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		k = 1;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		k = 2;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		k = 3;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t j = 1; j <= k; j++) {
		if ((s[j] & 0xC0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[j] & 0x3F);
	}
	if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return k + 1;
}

void gt_render_json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', out);
	while (*p) {
		unsigned c = *p;
		size_t n;

		switch (c) {
		case '"':
			fputs("\\\"", out);
			p++;
			continue;
		case '\\':
			fputs("\\\\", out);
			p++;
			continue;
		case '\n':
			fputs("\\n", out);
			p++;
			continue;
		case '\r':
			fputs("\\r", out);
			p++;
			continue;
		case '\t':
			fputs("\\t", out);
			p++;
			continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7F) {
			fprintf(out, "\\u%04x", c);
			p++;
			continue;
		}
		n = utf8_len(p);
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

void gt_render_csv_field(FILE *out, const char *s)
{
	size_t n;

	if (s == NULL)
		return;
	n = strlen(s);
	if (strpbrk(s, ",\"\r\n") == NULL &&
	    !(n > 0 && (s[0] == ' ' || s[n - 1] == ' ' || s[0] == '\t' || s[n - 1] == '\t'))) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

/* ---- Rows: the (element, option) pairs of a report, in form order ---- */

struct row {
	const char *element;
	const char *coc;
	long order; /* position in the data set, then option index */
	const struct gt_meta_element *e;
};

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
	const struct row *x = a, *y = b;
	int c;

	if (x->order >= 0 && y->order >= 0 && x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if ((x->order < 0) != (y->order < 0))
		return x->order < 0 ? 1 : -1;
	c = strcmp(x->element, y->element);
	return c ? c : strcmp(x->coc, y->coc);
}

static const char *str(const char *s)
{
	return s ? s : "";
}

/* Collects the distinct (element, option) pairs of the totals and the children. */
static int collect_rows(const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                        struct row **out, size_t *n_out)
{
	const struct gt_meta_dataset *ds =
	    meta ? gt_meta_dataset_find(meta, str(rep->dataset)) : NULL;
	size_t cap = rep->n_totals + 1, n = 0;
	struct row *rows;

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
			const char *el = str(vals[i]->data_element),
			           *coc = str(vals[i]->category_option_combo);
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

static const Gtsync__V1__ReportValue *find_value(Gtsync__V1__ReportValue **vals, size_t n,
                                                 const struct row *r)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(str(vals[i]->data_element), r->element) == 0 &&
		    strcmp(str(vals[i]->category_option_combo), r->coc) == 0)
			return vals[i];
	return NULL;
}

/* The text of a value: its text for a non-summed element, else its number. */
static void value_text(const Gtsync__V1__ReportValue *v, char *buf, size_t len)
{
	if (v == NULL)
		snprintf(buf, len, "-");
	else if (v->text != NULL && v->text[0] != '\0')
		snprintf(buf, len, "%s", v->text);
	else
		gt_render_number(v->value, buf, len);
}

static void iso_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "%s", "");
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- Table ---- */

static int render_table(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta)
{
	const Gtsync__V1__Completeness *cp = rep->completeness;
	const struct gt_meta_dataset *ds =
	    meta ? gt_meta_dataset_find(meta, str(rep->dataset)) : NULL;
	struct row *rows = NULL;
	size_t nrows = 0, wel = 12, wopt = 6, wcol = 5;
	char num[64];
	int rc;

	if ((rc = collect_rows(rep, meta, &rows, &nrows)) != GT_OK)
		return rc;
	fprintf(out, "%s (%s), %s, period %s\n", ds ? ds->name : str(rep->dataset),
	        str(rep->dataset), *str(rep->org_name) ? rep->org_name : str(rep->org_unit),
	        str(rep->period));
	if (cp != NULL) {
		fprintf(out,
		        "Reporting units: %" PRIu32 " of %" PRIu32 " reported, %" PRIu32 " on time",
		        cp->reported, cp->expected, cp->on_time);
		if (cp->n_missing > 0) {
			fprintf(out, "; not reported:");
			for (size_t i = 0; i < cp->n_missing && i < 20; i++)
				fprintf(out, " %s", str(cp->missing[i]));
			if (cp->n_missing > 20)
				fprintf(out, " and %zu more", cp->n_missing - 20);
		}
		fprintf(out, "\n");
	}
	fprintf(out, "\n");
	if (nrows == 0) {
		fprintf(out, "(no values reported for this period)\n");
		free(rows);
		return GT_OK;
	}
	for (size_t i = 0; i < nrows; i++) {
		if (strlen(rows[i].element) > wel)
			wel = strlen(rows[i].element);
		if (strlen(rows[i].coc) > wopt)
			wopt = strlen(rows[i].coc);
		value_text(find_value(rep->totals, rep->n_totals, &rows[i]), num, sizeof(num));
		if (strlen(num) > wcol)
			wcol = strlen(num);
		for (size_t c = 0; c < rep->n_children; c++) {
			const Gtsync__V1__ChildReport *ch = rep->children[c];
			value_text(find_value(ch->values, ch->n_values, &rows[i]), num,
			           sizeof(num));
			if (strlen(num) > wcol)
				wcol = strlen(num);
			if (strlen(str(ch->org_unit)) > wcol)
				wcol = strlen(str(ch->org_unit));
		}
	}
	if (wcol > 24)
		wcol = 24;
	fprintf(out, "%-*s  %-*s", (int)wel, "Data element", (int)wopt, "Option");
	for (size_t c = 0; c < rep->n_children; c++)
		fprintf(out, "  %*s", (int)wcol, str(rep->children[c]->org_unit));
	fprintf(out, "  %*s\n", (int)wcol, "Total");
	for (size_t i = 0; i < nrows; i++) {
		fprintf(out, "%-*s  %-*s", (int)wel, rows[i].element, (int)wopt,
		        rows[i].coc[0] ? rows[i].coc : "-");
		for (size_t c = 0; c < rep->n_children; c++) {
			const Gtsync__V1__ChildReport *ch = rep->children[c];
			value_text(find_value(ch->values, ch->n_values, &rows[i]), num,
			           sizeof(num));
			fprintf(out, "  %*.*s", (int)wcol, (int)wcol, num);
		}
		value_text(find_value(rep->totals, rep->n_totals, &rows[i]), num, sizeof(num));
		fprintf(out, "  %*.*s\n", (int)wcol, (int)wcol, num);
	}
	if (rep->n_children > 0) {
		fprintf(out, "\n");
		for (size_t c = 0; c < rep->n_children; c++) {
			const Gtsync__V1__ChildReport *ch = rep->children[c];
			fprintf(out, "  %-*s %s: %" PRIu32 " of %" PRIu32 " units reported%s\n",
			        (int)wcol, str(ch->org_unit), str(ch->name), ch->reported_units,
			        ch->expected, ch->reported && !ch->on_time ? " (late)" : "");
		}
	}
	if (meta != NULL) {
		const char *last = NULL;
		fprintf(out, "\n");
		for (size_t i = 0; i < nrows; i++) {
			if (rows[i].e == NULL || (last && strcmp(last, rows[i].element) == 0))
				continue;
			last = rows[i].element;
			fprintf(out, "  %-*s %s\n", (int)wel, rows[i].element, rows[i].e->name);
		}
	}
	free(rows);
	return GT_OK;
}

/* ---- CSV ---- */

static void csv_values(FILE *out, const Gtsync__V1__ReportReply *rep, const char *org,
                       Gtsync__V1__ReportValue **vals, size_t n, const struct row *rows,
                       size_t nrows)
{
	char num[64];

	for (size_t i = 0; i < nrows; i++) {
		const Gtsync__V1__ReportValue *v = find_value(vals, n, &rows[i]);
		if (v == NULL)
			continue;
		value_text(v, num, sizeof(num));
		gt_render_csv_field(out, rows[i].element);
		fputc(',', out);
		gt_render_csv_field(out, str(rep->period));
		fputc(',', out);
		gt_render_csv_field(out, org);
		fputc(',', out);
		gt_render_csv_field(out, rows[i].coc);
		fputc(',', out);
		gt_render_csv_field(out, num);
		fprintf(out, ",%" PRIu32 "\n", v->count);
	}
}

static int render_csv(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta)
{
	struct row *rows = NULL;
	size_t nrows = 0;
	int rc;

	if ((rc = collect_rows(rep, meta, &rows, &nrows)) != GT_OK)
		return rc;
	fprintf(out, "dataelement,period,orgunit,categoryoptioncombo,value,count\n");
	csv_values(out, rep, str(rep->org_unit), rep->totals, rep->n_totals, rows, nrows);
	for (size_t c = 0; c < rep->n_children; c++)
		csv_values(out, rep, str(rep->children[c]->org_unit), rep->children[c]->values,
		           rep->children[c]->n_values, rows, nrows);
	free(rows);
	return GT_OK;
}

/* ---- JSON ---- */

static void json_number(FILE *out, double v)
{
	char num[64];

	if (!isfinite(v)) {
		fputs("null", out);
		return;
	}
	gt_render_number(v, num, sizeof(num));
	fputs(num, out);
}

static void json_values(FILE *out, Gtsync__V1__ReportValue **vals, size_t n, const struct row *rows,
                        size_t nrows, const char *indent)
{
	int first = 1;

	fputc('[', out);
	for (size_t i = 0; i < nrows; i++) {
		const Gtsync__V1__ReportValue *v = find_value(vals, n, &rows[i]);
		if (v == NULL)
			continue;
		fprintf(out, "%s\n%s  {\"dataElement\": ", first ? "" : ",", indent);
		gt_render_json_string(out, rows[i].element);
		fputs(", \"categoryOptionCombo\": ", out);
		gt_render_json_string(out, rows[i].coc);
		fputs(", \"value\": ", out);
		if (v->text != NULL && v->text[0] != '\0')
			gt_render_json_string(out, v->text);
		else
			json_number(out, v->value);
		fprintf(out, ", \"count\": %" PRIu32 "}", v->count);
		first = 0;
	}
	fprintf(out, "%s]", first ? "" : "\n  ");
}

static int render_json(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta)
{
	const Gtsync__V1__Completeness *cp = rep->completeness;
	struct row *rows = NULL;
	size_t nrows = 0;
	char when[32];
	int rc;

	if ((rc = collect_rows(rep, meta, &rows, &nrows)) != GT_OK)
		return rc;
	iso_time(rep->generated_at_ms, when, sizeof(when));
	fputs("{\n  \"orgUnit\": ", out);
	gt_render_json_string(out, rep->org_unit);
	fputs(",\n  \"orgUnitName\": ", out);
	gt_render_json_string(out, rep->org_name);
	fputs(",\n  \"dataSet\": ", out);
	gt_render_json_string(out, rep->dataset);
	fputs(",\n  \"period\": ", out);
	gt_render_json_string(out, rep->period);
	fputs(",\n  \"generatedAt\": ", out);
	gt_render_json_string(out, when);
	fputs(",\n  \"approvalState\": ", out);
	gt_render_json_string(out, gt_protonames_state((int)rep->state));
	fprintf(out,
	        ",\n  \"completeness\": {\"expected\": %" PRIu32 ", \"reported\": %" PRIu32
	        ", \"onTime\": %" PRIu32 ", \"missing\": [",
	        cp ? cp->expected : 0, cp ? cp->reported : 0, cp ? cp->on_time : 0);
	for (size_t i = 0; cp && i < cp->n_missing; i++) {
		if (i)
			fputs(", ", out);
		gt_render_json_string(out, cp->missing[i]);
	}
	fputs("]},\n  \"totals\": ", out);
	json_values(out, rep->totals, rep->n_totals, rows, nrows, "  ");
	fputs(",\n  \"children\": [", out);
	for (size_t c = 0; c < rep->n_children; c++) {
		const Gtsync__V1__ChildReport *ch = rep->children[c];
		fprintf(out, "%s\n    {\"orgUnit\": ", c ? "," : "");
		gt_render_json_string(out, ch->org_unit);
		fputs(", \"name\": ", out);
		gt_render_json_string(out, ch->name);
		fprintf(out,
		        ", \"reported\": %s, \"onTime\": %s, \"expected\": %" PRIu32
		        ", \"reportedUnits\": %" PRIu32 ", \"onTimeUnits\": %" PRIu32
		        ", \"approvalState\": ",
		        ch->reported ? "true" : "false", ch->on_time ? "true" : "false",
		        ch->expected, ch->reported_units, ch->on_time_units);
		gt_render_json_string(out, gt_protonames_state((int)ch->state));
		fputs(",\n     \"values\": ", out);
		json_values(out, ch->values, ch->n_values, rows, nrows, "     ");
		fputc('}', out);
	}
	fprintf(out, "%s]\n}\n", rep->n_children ? "\n  " : "");
	free(rows);
	return GT_OK;
}

/* ---- DHIS2 dataValueSets ---- */

static int render_dhis2(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta)
{
	struct row *rows = NULL;
	size_t nrows = 0;
	char num[64];
	int rc, first = 1;

	if ((rc = collect_rows(rep, meta, &rows, &nrows)) != GT_OK)
		return rc;
	fputs("{\n  \"dataSet\": ", out);
	gt_render_json_string(out, rep->dataset);
	fputs(",\n  \"period\": ", out);
	gt_render_json_string(out, rep->period);
	fputs(",\n  \"orgUnit\": ", out);
	gt_render_json_string(out, rep->org_unit);
	fputs(",\n  \"dataValues\": [", out);
	for (size_t i = 0; i < nrows; i++) {
		const Gtsync__V1__ReportValue *v = find_value(rep->totals, rep->n_totals, &rows[i]);
		if (v == NULL)
			continue;
		value_text(v, num, sizeof(num));
		fprintf(out, "%s\n    {\"dataElement\": ", first ? "" : ",");
		gt_render_json_string(out, rows[i].element);
		fputs(", \"categoryOptionCombo\": ", out);
		gt_render_json_string(out, rows[i].coc);
		/* DHIS2 carries every value as a string. */
		fputs(", \"value\": ", out);
		gt_render_json_string(out, num);
		fputs(", \"comment\": \"\"}", out);
		first = 0;
	}
	fprintf(out, "%s]\n}\n", first ? "" : "\n  ");
	free(rows);
	return GT_OK;
}

const char *gt_render_name(const struct gt_render_names *names, const Gtsync__V1__ReportReply *rep,
                           const char *code)
{
	const char *n = names && names->name ? names->name(names->arg, code) : NULL;

	if (n != NULL && n[0] != '\0')
		return n;
	for (size_t i = 0; rep != NULL && i < rep->n_children; i++)
		if (strcmp(str(rep->children[i]->org_unit), code) == 0 && rep->children[i]->name)
			return rep->children[i]->name;
	return NULL;
}

double gt_render_find(Gtsync__V1__ReportValue *const *values, size_t n, const char *element,
                      const char *option)
{
	double sum = NAN;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(str(values[i]->data_element), element) != 0 ||
		    strcmp(str(values[i]->category_option_combo), option) != 0)
			continue;
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
			const Gtsync__V1__ReportValue *v = ch->values[i];
			if (strcmp(str(v->data_element), element) == 0 &&
			    strcmp(str(v->category_option_combo), option) == 0) {
				count += v->count;
				*sum += v->value;
			}
		}
	}
	return count;
}

/* Whether a total is a sum (aggregation "none" totals carry their text or count answers). */
static int summed(const Gtsync__V1__ReportValue *v)
{
	return v->text == NULL || v->text[0] == '\0';
}

int gt_render_has_own(const Gtsync__V1__ReportReply *rep)
{
	if (rep->n_children == 0)
		return 0;
	for (size_t i = 0; i < rep->n_totals; i++) {
		const Gtsync__V1__ReportValue *v = rep->totals[i];
		double sum;
		if (summed(v) && v->count > children_count(rep, str(v->data_element),
		                                           str(v->category_option_combo), &sum))
			return 1;
	}
	return 0;
}

double gt_render_own(const Gtsync__V1__ReportReply *rep, const char *element, const char *option)
{
	for (size_t i = 0; i < rep->n_totals; i++) {
		const Gtsync__V1__ReportValue *v = rep->totals[i];
		double sum;
		if (strcmp(str(v->data_element), element) != 0 ||
		    strcmp(str(v->category_option_combo), option) != 0)
			continue;
		if (v->count <= children_count(rep, element, option, &sum))
			return NAN;
		return v->value - sum;
	}
	return NAN;
}

int gt_render_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                     const struct gt_render_names *names, enum gt_render_format f)
{
	int rc;

	switch (f) {
	case GT_RENDER_TEXT:
		rc = gt_text_report(out, rep, meta, names);
		break;
	case GT_RENDER_HTML:
		rc = gt_html_report(out, rep, meta, names);
		break;
	case GT_RENDER_TABLE:
		rc = render_table(out, rep, meta);
		break;
	case GT_RENDER_CSV:
		rc = render_csv(out, rep, meta);
		break;
	case GT_RENDER_JSON:
		rc = render_json(out, rep, meta);
		break;
	case GT_RENDER_DHIS2:
		rc = render_dhis2(out, rep, meta);
		break;
	default:
		return GT_EINVAL;
	}
	if (rc == GT_OK && (fflush(out) != 0 || ferror(out)))
		rc = GT_EIO;
	return rc;
}
