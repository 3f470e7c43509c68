/* The chair's report: one self-contained, printable HTML page of a consolidated report. */
#include "html.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "error.h"

static const char style[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;color:#111;font-size:11pt}"
    "h1{font-size:18pt;margin-bottom:0}h2{font-size:14pt;margin-top:1.6em;"
    "border-bottom:2px solid #333}h3{font-size:12pt;margin-bottom:.3em}"
    ".meta{color:#444}table{border-collapse:collapse;margin:.4em 0 1em}"
    "th,td{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top}"
    "td.n,th.n{text-align:right}th{background:#eee}"
    ".ok{color:#060}.warn{color:#a50}.bad{color:#b00}"
    ".state{font-weight:bold}.small{font-size:9pt;color:#555}"
    "@media print{body{margin:1cm}h2{page-break-before:auto}"
    "section.child{page-break-inside:avoid}}";

void gt_html_escape(FILE *out, const char *s)
{
	if (s == NULL)
		return;
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static void number(FILE *out, double v)
{
	if (!isfinite(v))
		fputs("&ndash;", out);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(out, "%.0f", v);
	else
		fprintf(out, "%.2f", v);
}

static const char *state_name(int state)
{
	switch (state) {
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED:
		return "diajukan (submitted)";
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED:
		return "disetujui (approved)";
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED:
		return "diterima (accepted)";
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED:
		return "dikembalikan (returned)";
	default:
		return "terbuka (open)";
	}
}

static const char *state_class(int state)
{
	switch (state) {
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED:
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED:
		return "ok";
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED:
		return "bad";
	default:
		return "warn";
	}
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT:
		return "submit";
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE:
		return "approve";
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT:
		return "accept";
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN:
		return "return";
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_UNAPPROVE:
		return "unapprove";
	default:
		return "?";
	}
}

/* Finds the value of (element, option) among values; NAN when absent. */
static double find_value(Gtsync__V1__ReportValue *const *values, size_t n, const char *element,
                         const char *option)
{
	double sum = NAN;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(values[i]->data_element, element) != 0 ||
		    strcmp(values[i]->category_option_combo, option) != 0)
			continue;
		sum = isnan(sum) ? values[i]->value : sum + values[i]->value;
	}
	return sum;
}

/* One table per combo group: rows are the data set's sum elements sharing a combo, columns
 * the combo's options and a total. Without metadata, one row per (element, option). */
static void values_tables(FILE *out, const struct gt_meta_dataset *ds,
                          Gtsync__V1__ReportValue *const *values, size_t n)
{
	if (ds == NULL) {
		fputs(
		    "<table><tr><th>Data element</th><th>Option</th><th class=n>Value</th></tr>\n",
		    out);
		for (size_t i = 0; i < n; i++) {
			fputs("<tr><td>", out);
			gt_html_escape(out, values[i]->data_element);
			fputs("</td><td>", out);
			gt_html_escape(out, values[i]->category_option_combo);
			fputs("</td><td class=n>", out);
			number(out, values[i]->value);
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
		return;
	}
	/* Elements in data-set order, grouped by combo in order of first appearance. */
	for (size_t g = 0; g < ds->nelements; g++) {
		const struct gt_meta_combo *combo = ds->elements[g]->combo;
		int first = 1;
		for (size_t k = 0; k < g; k++)
			if (ds->elements[k]->combo == combo)
				first = 0;
		if (!first || ds->elements[g]->aggregation != GT_META_AGG_SUM)
			continue;
		fputs("<table><tr><th>", out);
		gt_html_escape(out, combo->is_default ? "Data element" : combo->name);
		fputs("</th>", out);
		if (!combo->is_default) {
			for (size_t o = 0; o < combo->noptions; o++) {
				fputs("<th class=n>", out);
				gt_html_escape(out, combo->options[o].name);
				fputs("</th>", out);
			}
		}
		fputs("<th class=n>Jumlah (total)</th></tr>\n", out);
		for (size_t e = g; e < ds->nelements; e++) {
			const struct gt_meta_element *el = ds->elements[e];
			double total = 0;
			int any = 0;
			if (el->combo != combo || el->aggregation != GT_META_AGG_SUM)
				continue;
			fputs("<tr><td>", out);
			gt_html_escape(out, el->name);
			fputs(" <span class=small>", out);
			gt_html_escape(out, el->code);
			fputs("</span></td>", out);
			for (size_t o = 0; o < combo->noptions; o++) {
				double v = find_value(values, n, el->code, combo->options[o].code);
				if (!isnan(v)) {
					total += v;
					any = 1;
				}
				if (!combo->is_default) {
					fputs("<td class=n>", out);
					number(out, isnan(v) ? 0 : v);
					fputs("</td>", out);
				}
			}
			fputs("<td class=n><b>", out);
			if (any)
				number(out, total);
			else
				fputs("0", out);
			fputs("</b></td></tr>\n", out);
		}
		fputs("</table>\n", out);
	}
}

static void percent(FILE *out, uint32_t part, uint32_t whole)
{
	if (whole == 0)
		fputs("&ndash;", out);
	else
		fprintf(out, "%.1f%%", 100.0 * part / whole);
}

int gt_html_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta)
{
	const struct gt_meta_dataset *ds = meta ? gt_meta_dataset_find(meta, rep->dataset) : NULL;
	const Gtsync__V1__Completeness *c = rep->completeness;
	char when[64] = "";
	time_t t = (time_t)(rep->generated_at_ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	fputs("<!DOCTYPE html>\n<html lang=id><head><meta charset=utf-8>\n<title>", out);
	gt_html_escape(out, ds ? ds->name : rep->dataset);
	fputs(" &mdash; ", out);
	gt_html_escape(out, rep->org_name);
	fputs(" ", out);
	gt_html_escape(out, rep->period);
	fprintf(out, "</title>\n<style>%s</style></head><body>\n", style);

	fputs("<h1>", out);
	gt_html_escape(out, ds ? ds->name : rep->dataset);
	fputs("</h1>\n<p class=meta>Gugus Tugas PP TPPO &middot; ", out);
	gt_html_escape(out, rep->org_name);
	fputs(" (", out);
	gt_html_escape(out, rep->org_unit);
	fputs(") &middot; periode ", out);
	gt_html_escape(out, rep->period);
	fputs(" &middot; dibuat ", out);
	gt_html_escape(out, when);
	fputs("</p>\n<p>Status persetujuan: <span class=\"state ", out);
	fputs(state_class(rep->state), out);
	fputs("\">", out);
	fputs(state_name(rep->state), out);
	fputs("</span></p>\n", out);

	/* Completeness: which regions reported. */
	fputs("<h2>Kelengkapan dan ketepatan waktu (completeness and timeliness)</h2>\n", out);
	if (c != NULL) {
		fprintf(out, "<p>%u dari %u unit melapor (", c->reported, c->expected);
		percent(out, c->reported, c->expected);
		fprintf(out, "), %u tepat waktu (", c->on_time);
		percent(out, c->on_time, c->reported);
		fputs(").</p>\n", out);
	}
	if (rep->n_children > 0) {
		fputs("<table><tr><th>Wilayah</th><th>Kode</th><th class=n>Diharapkan</th>"
		      "<th class=n>Melapor</th><th class=n>%</th><th class=n>Tepat waktu</th>"
		      "<th>Status persetujuan</th></tr>\n",
		      out);
		for (size_t i = 0; i < rep->n_children; i++) {
			const Gtsync__V1__ChildReport *ch = rep->children[i];
			fputs("<tr><td>", out);
			gt_html_escape(out, ch->name);
			fputs("</td><td>", out);
			gt_html_escape(out, ch->org_unit);
			fprintf(out, "</td><td class=n>%u</td><td class=n>%u</td><td class=n>",
			        ch->expected, ch->reported_units);
			percent(out, ch->reported_units, ch->expected);
			fprintf(out,
			        "</td><td class=n>%u</td><td class=\"state %s\">%s</td></tr>\n",
			        ch->on_time_units, state_class(ch->state), state_name(ch->state));
		}
		fputs("</table>\n", out);
	}
	if (c != NULL && c->n_missing > 0) {
		fprintf(out, "<h3>Belum melapor (missing): %zu</h3>\n<p>", c->n_missing);
		for (size_t i = 0; i < c->n_missing; i++) {
			if (i)
				fputs(", ", out);
			gt_html_escape(out, c->missing[i]);
		}
		fputs("</p>\n", out);
	}

	fputs("<h2>Jumlah (totals)</h2>\n", out);
	values_tables(out, ds, rep->totals, rep->n_totals);

	if (rep->n_targets > 0) {
		fputs("<h2>Target, capaian dan selisih (target, achievement, gap)</h2>\n"
		      "<table><tr><th>Indikator</th><th class=n>Target</th><th>Satuan</th>"
		      "<th class=n>Capaian</th><th class=n>Selisih</th></tr>\n",
		      out);
		for (size_t i = 0; i < rep->n_targets; i++) {
			const Gtsync__V1__TargetRow *tr = rep->targets[i];
			fputs("<tr><td>", out);
			gt_html_escape(out, tr->name);
			fputs(" <span class=small>", out);
			gt_html_escape(out, tr->indicator);
			fputs("</span></td><td class=n>", out);
			if (tr->has_target)
				number(out, tr->target);
			else
				gt_html_escape(out, tr->target_raw);
			fputs("</td><td>", out);
			gt_html_escape(out, tr->unit);
			fputs("</td><td class=n>", out);
			number(out, tr->achieved);
			fputs("</td><td class=n>", out);
			if (tr->has_target)
				number(out, tr->gap);
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
	}

	for (size_t i = 0; i < rep->n_children; i++) {
		const Gtsync__V1__ChildReport *ch = rep->children[i];
		fputs("<section class=child><h2>", out);
		gt_html_escape(out, ch->name);
		fputs(" (", out);
		gt_html_escape(out, ch->org_unit);
		fprintf(out,
		        ")</h2>\n<p>Status: <span class=\"state %s\">%s</span> &middot; "
		        "%u dari %u unit melapor</p>\n",
		        state_class(ch->state), state_name(ch->state), ch->reported_units,
		        ch->expected);
		if (ch->n_values == 0)
			fputs("<p class=warn>Belum ada data (no data).</p>\n", out);
		else
			values_tables(out, ds, ch->values, ch->n_values);
		fputs("</section>\n", out);
	}

	if (rep->n_history > 0) {
		fputs("<h2>Riwayat persetujuan (signed history)</h2>\n<table><tr><th>Waktu</th>"
		      "<th>Tindakan</th><th>Kunci</th><th>Alasan</th></tr>\n",
		      out);
		for (size_t i = 0; i < rep->n_history; i++) {
			const Gtsync__V1__WorkflowEvent *ev = rep->history[i];
			time_t et = (time_t)(ev->at_ms / 1000);
			char ew[64] = "";
			if (gmtime_r(&et, &tm) != NULL)
				strftime(ew, sizeof(ew), "%Y-%m-%d %H:%M", &tm);
			fprintf(out, "<tr><td>%s</td><td>%s</td><td>", ew, kind_name(ev->kind));
			gt_html_escape(out, ev->key_id);
			fputs("</td><td>", out);
			gt_html_escape(out, ev->reason);
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
	}
	fputs("<p class=small>gtsync &middot; laporan ini berasal dari batch yang ditandatangani "
	      "(every figure comes from signed batches)</p>\n</body></html>\n",
	      out);
	return ferror(out) ? GT_EIO : GT_OK;
}
