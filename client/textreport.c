/* The chair's report as plain text, for a terminal or a printer. */
#include "textreport.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "chain.h"
#include "error.h"
#include "protonames.h"

/* Widest column of a figure, and of an option heading before it is cut. */
#define FIG_W 12

static const char *str(const char *s)
{
	return s ? s : "";
}

/* Writes s cut to at most w characters (UTF-8 aware), padded to w when pad is set. */
static void put_cut(FILE *out, const char *s, size_t w, int pad)
{
	size_t chars = 0;
	const unsigned char *p = (const unsigned char *)str(s);
	const unsigned char *end = p;

	/* Count characters, not bytes: continuation bytes do not take a column. */
	while (*end && chars < w) {
		end++;
		while ((*end & 0xC0) == 0x80)
			end++;
		chars++;
	}
	if (*end && w >= 3) {
		/* Too long: cut one character earlier and mark the cut. */
		const unsigned char *q = p;
		size_t k = 0;
		while (k + 1 < w) {
			q++;
			while ((*q & 0xC0) == 0x80)
				q++;
			k++;
		}
		fwrite(p, 1, (size_t)(q - p), out);
		fputc('~', out);
		chars = w;
	} else {
		fwrite(p, 1, (size_t)(end - p), out);
	}
	while (pad && chars++ < w)
		fputc(' ', out);
}

/* Characters in s (UTF-8). */
static size_t width(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)str(s); *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

static void fig(FILE *out, double v, int w)
{
	char buf[64];

	if (isnan(v))
		snprintf(buf, sizeof(buf), "-");
	else
		gt_render_number(v, buf, sizeof(buf));
	fprintf(out, " %*s", w, buf);
}

static void percent(char *buf, size_t len, uint32_t part, uint32_t whole)
{
	if (whole == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", 100.0 * part / whole);
}

static void heading(FILE *out, const char *title)
{
	size_t n = width(title);

	fprintf(out, "\n%s\n", title);
	for (size_t i = 0; i < n; i++)
		fputc('=', out);
	fputc('\n', out);
}

/* Where a table's figures come from. */
struct source {
	const Gtsync__V1__ReportReply *rep;
	Gtsync__V1__ReportValue *const *values;
	size_t n;
	int own; /* the unit's own figures (totals less children) */
};

static double get(const struct source *s, const char *element, const char *option)
{
	if (s->own)
		return gt_render_own(s->rep, element, option);
	return gt_render_find(s->values, s->n, element, option);
}

/* The tables of the summed elements: one per category combo, rows the elements in the form's
 * order, columns the options and a total. Without metadata, one line per value. */
static void tables(FILE *out, const struct gt_meta_dataset *ds, const struct source *src,
                   const char *indent)
{
	if (ds == NULL) {
		for (size_t i = 0; i < src->n; i++) {
			const Gtsync__V1__ReportValue *v = src->values[i];
			fprintf(out, "%s%-30s %-14s", indent, str(v->data_element),
			        str(v->category_option_combo));
			fig(out, v->value, FIG_W);
			fputc('\n', out);
		}
		return;
	}
	int tables_done = 0;
	for (size_t g = 0; g < ds->nelements; g++) {
		const struct gt_meta_combo *combo = ds->elements[g]->combo;
		size_t namew = 12, optw[64];
		int first = 1;

		for (size_t k = 0; k < g; k++)
			if (ds->elements[k]->combo == combo &&
			    ds->elements[k]->aggregation == GT_META_AGG_SUM)
				first = 0;
		if (!first || ds->elements[g]->aggregation != GT_META_AGG_SUM)
			continue;
		size_t nopt = combo->is_default ? 0 : combo->noptions;
		if (nopt > 64)
			nopt = 64;
		long room = (long)GT_TEXT_WIDTH - (long)strlen(indent) - (FIG_W + 1);
		for (size_t o = 0; o < nopt; o++) {
			optw[o] = width(combo->options[o].code);
			if (optw[o] < 7)
				optw[o] = 7;
			if (optw[o] > FIG_W)
				optw[o] = FIG_W;
			room -= (long)optw[o] + 1;
		}
		if (room < 24)
			room = 24; /* many options: the line grows rather than the names vanish */
		for (size_t e = g; e < ds->nelements; e++)
			if (ds->elements[e]->combo == combo &&
			    ds->elements[e]->aggregation == GT_META_AGG_SUM &&
			    width(ds->elements[e]->name) > namew)
				namew = width(ds->elements[e]->name);
		if (namew > (size_t)room)
			namew = (size_t)room;
		/* One heading line: the combo's name, the option codes, the total. */
		if (tables_done++)
			fputc('\n', out);
		fputs(indent, out);
		put_cut(out, combo->is_default ? "Data element" : combo->name, namew, 1);
		for (size_t o = 0; o < nopt; o++) {
			fputc(' ', out);
			for (size_t k = width(combo->options[o].code); k < optw[o]; k++)
				fputc(' ', out);
			put_cut(out, combo->options[o].code, optw[o], 0);
		}
		fprintf(out, " %*s\n", FIG_W, "Jumlah");
		for (size_t e = g; e < ds->nelements; e++) {
			const struct gt_meta_element *el = ds->elements[e];
			double total = 0;
			int seen = 0;
			if (el->combo != combo || el->aggregation != GT_META_AGG_SUM)
				continue;
			fputs(indent, out);
			put_cut(out, el->name, namew, 1);
			for (size_t o = 0; o < combo->noptions; o++) {
				double v = get(src, el->code, combo->options[o].code);
				if (!isnan(v)) {
					total += v;
					seen = 1;
				}
				if (o < nopt)
					fig(out, isnan(v) ? 0 : v, (int)optw[o]);
			}
			fig(out, seen ? total : 0, FIG_W);
			fputc('\n', out);
		}
		if (nopt > 0) {
			fprintf(out, "%s  (", indent);
			for (size_t o = 0; o < nopt; o++)
				fprintf(out, "%s%s %s", o ? ", " : "", combo->options[o].code,
				        combo->options[o].name);
			fputs(")\n", out);
		}
	}
}

/* The length of s[0..k) without a UTF-8 sequence cut at its end. */
static size_t whole_chars(const char *s, size_t k)
{
	size_t j = k;
	unsigned char lead;
	size_t need;

	while (j > 0 && ((unsigned char)s[j - 1] & 0xC0) == 0x80)
		j--;
	if (j == 0)
		return k;
	lead = (unsigned char)s[j - 1];
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	return j - 1 + need > k ? j - 1 : k;
}

/* The yes/no and text answers (elements aggregated "none"). */
static void answers(FILE *out, const struct gt_meta_dataset *ds,
                    Gtsync__V1__ReportValue *const *values, size_t n, const char *indent,
                    const char *own)
{
	int any = 0;

	for (size_t i = 0; ds != NULL && i < ds->nelements; i++) {
		const struct gt_meta_element *el = ds->elements[i];
		const Gtsync__V1__ReportValue *v = NULL;
		if (el->aggregation != GT_META_AGG_NONE)
			continue;
		for (size_t k = 0; k < n; k++)
			if (strcmp(str(values[k]->data_element), el->code) == 0)
				v = values[k];
		if (v == NULL || v->count == 0)
			continue;
		if (!any)
			fprintf(out, "\n%sOther answers:\n", indent);
		any = 1;
		fprintf(out, "%s  ", indent);
		put_cut(out, el->name, 48, 1);
		if (el->type == GT_META_TYPE_BOOL)
			fprintf(out, " yes in %.0f of %" PRIu32 " reports", v->value, v->count);
		else
			fprintf(out, " %" PRIu32 " %s", v->count,
			        v->count == 1 ? "report" : "reports");
		if (el->type != GT_META_TYPE_BOOL && v->text != NULL && v->text[0] != '\0') {
			/* One line: control characters become spaces; cut at a character. */
			char line[241];
			size_t k = 0;
			const char *p = v->text;
			for (; *p && k < sizeof(line) - 1; p++)
				line[k++] = (unsigned char)*p < ' ' ? ' ' : *p;
			if (*p != '\0')
				k = whole_chars(line, k);
			line[k] = '\0';
			fprintf(out, "\n%s    %s: ", indent, str(own));
			put_cut(out, line, GT_TEXT_WIDTH - 8 - width(own), 0);
		}
		fputc('\n', out);
	}
}

/* Writes ms as "2025-01-31 14:05", with " UTC" when zone is set. */
static void when(int64_t ms, char *buf, size_t len, int zone)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "-");
	else if (zone)
		strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
	else
		strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

int gt_text_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                   const struct gt_render_names *names)
{
	const struct gt_meta_dataset *ds =
	    meta ? gt_meta_dataset_find(meta, str(rep->dataset)) : NULL;
	const Gtsync__V1__Completeness *c = rep->completeness;
	char at[64], pct[32], pct2[32];

	when(rep->generated_at_ms, at, sizeof(at), 1);
	fprintf(out, "%s (%s)\n", ds ? ds->name : str(rep->dataset), str(rep->dataset));
	fprintf(out, "Gugus Tugas PP TPPO - %s (%s), period %s; generated %s\n",
	        *str(rep->org_name) ? rep->org_name : str(rep->org_unit), str(rep->org_unit),
	        str(rep->period), at);
	fprintf(out, "Approval state of this report: %s\n", gt_protonames_state((int)rep->state));

	heading(out, "Completeness and timeliness");
	if (c != NULL) {
		percent(pct, sizeof(pct), c->reported, c->expected);
		percent(pct2, sizeof(pct2), c->on_time, c->reported);
		fprintf(out,
		        "%" PRIu32 " of %" PRIu32 " reporting units reported (%s); %" PRIu32
		        " of them on time (%s)\n",
		        c->reported, c->expected, pct, c->on_time, pct2);
	}
	if (rep->n_children > 0) {
		fprintf(out, "\n  %-30s %-6s %8s %8s %7s %8s  %s\n", "Region", "Code", "Expected",
		        "Reported", "%", "On time", "Approval");
		for (size_t i = 0; i < rep->n_children; i++) {
			const Gtsync__V1__ChildReport *ch = rep->children[i];
			percent(pct, sizeof(pct), ch->reported_units, ch->expected);
			fputs("  ", out);
			put_cut(out, ch->name, 30, 1);
			fprintf(out, " %-6s %8" PRIu32 " %8" PRIu32 " %7s %8" PRIu32 "  %s\n",
			        str(ch->org_unit), ch->expected, ch->reported_units, pct,
			        ch->on_time_units, gt_protonames_state((int)ch->state));
		}
	}
	if (c != NULL) {
		if (c->n_missing == 0) {
			fputs("\nEvery unit expected to report has reported.\n", out);
		} else {
			fprintf(out, "\nNot reported (%zu):\n", c->n_missing);
			for (size_t i = 0; i < c->n_missing; i++) {
				const char *nm = gt_render_name(names, rep, str(c->missing[i]));
				fprintf(out, "  %-8s %s\n", str(c->missing[i]), nm ? nm : "");
			}
		}
	}
	if (c != NULL && c->n_nil_reports > 0) {
		fprintf(out, "\nNothing to report, declared (laporan nihil) (%zu):\n",
		        c->n_nil_reports);
		for (size_t i = 0; i < c->n_nil_reports; i++) {
			const char *nm = gt_render_name(names, rep, str(c->nil_reports[i]));
			fprintf(out, "  %-8s %s\n", str(c->nil_reports[i]), nm ? nm : "");
		}
	}
	if (rep->n_violations > 0) {
		heading(out, "Approved data that breaks a validation rule");
		for (size_t i = 0; i < rep->n_violations; i++) {
			const Gtsync__V1__RuleViolation *v = rep->violations[i];
			fprintf(out, "  %-8s %-7s %s: %s%s\n", str(v->org_unit), str(v->period),
			        str(v->rule), str(v->text),
			        v->warning ? " (warning, acknowledged)" : "");
		}
	}

	heading(out, "Totals");
	struct source src = {rep, rep->totals, rep->n_totals, 0};
	if (rep->n_totals == 0)
		fputs("No values were reported for this period.\n", out);
	tables(out, ds, &src, "");
	answers(out, ds, rep->totals, rep->n_totals, "",
	        *str(rep->org_name) ? rep->org_name : str(rep->org_unit));

	if (rep->n_targets > 0) {
		heading(out, "Targets, achievement and gap");
		fprintf(out, "%-40s %12s %12s %12s  %s\n", "Indicator", "Target", "Achieved", "Gap",
		        "Unit");
		for (size_t i = 0; i < rep->n_targets; i++) {
			const Gtsync__V1__TargetRow *t = rep->targets[i];
			char name[256];
			snprintf(name, sizeof(name), "%s %s", str(t->indicator), str(t->name));
			put_cut(out, name, 40, 1);
			if (t->has_target)
				fig(out, t->target, 12);
			else
				fprintf(out, " %12s", "-");
			fig(out, t->achieved, 12);
			if (t->has_target)
				fig(out, t->gap, 12);
			else
				fprintf(out, " %12s", "-");
			fprintf(out, "  %s\n", str(t->unit));
			if (!t->has_target && t->target_raw && t->target_raw[0]) {
				fputs("    target: ", out);
				put_cut(out, t->target_raw, GT_TEXT_WIDTH - 12, 0);
				fputc('\n', out);
			}
		}
	}

	for (size_t i = 0; i < rep->n_children; i++) {
		const Gtsync__V1__ChildReport *ch = rep->children[i];
		char title[512];
		snprintf(title, sizeof(title),
		         "%s (%s): %s, %" PRIu32 " of %" PRIu32 " units reported", str(ch->name),
		         str(ch->org_unit), gt_protonames_state((int)ch->state), ch->reported_units,
		         ch->expected);
		heading(out, title);
		if (ch->n_values == 0) {
			fputs("No data.\n", out);
			continue;
		}
		struct source cs = {rep, ch->values, ch->n_values, 0};
		tables(out, ds, &cs, "");
		answers(out, ds, ch->values, ch->n_values, "", str(ch->name));
	}
	if (gt_render_has_own(rep)) {
		char title[512];
		snprintf(title, sizeof(title), "%s (%s): its own figures",
		         *str(rep->org_name) ? rep->org_name : str(rep->org_unit),
		         str(rep->org_unit));
		heading(out, title);
		struct source os = {rep, NULL, 0, 1};
		tables(out, ds, &os, "");
	}

	if (rep->n_history > 0) {
		heading(out, "Signed approval history");
		for (size_t i = 0; i < rep->n_history; i++) {
			const Gtsync__V1__WorkflowEvent *ev = rep->history[i];
			when(ev->at_ms, at, sizeof(at), 0);
			fprintf(out, "  %s  %-9s key %s", at, gt_protonames_kind((int)ev->kind),
			        str(ev->key_id));
			if (ev->reason && ev->reason[0])
				fprintf(out, "  reason: %s", ev->reason);
			fputc('\n', out);
		}
	}
	fputs("\nEvery figure comes from signed batches of the reporting units.\n", out);
	return ferror(out) ? GT_EIO : GT_OK;
}
