/* The chair's report: one self-contained, printable HTML page of a consolidated report, in the
 * language in use (common/i18n.h), one language at a time. */
#include "html.h"

#include <math.h>
#include <string.h>

#include "chain.h"
#include "error.h"
#include "humanfmt.h"
#include "i18n.h"
#include "protonames.h"
#include "repcharts.h"

/* Most option columns a values table lays out (wider combos get a row per option). */
#define MAX_COLS 8

static const char style[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em auto;max-width:60em;"
    "color:#111;font-size:10.5pt;line-height:1.35}"
    "h1{font-size:18pt;margin:0 0 .2em}h2{font-size:13.5pt;margin:1.6em 0 .5em;"
    "border-bottom:2px solid #333;padding-bottom:.1em}"
    "h3{font-size:11pt;margin:1em 0 .3em}"
    ".meta{color:#444;margin:0 0 1em}"
    "table{border-collapse:collapse;margin:.3em 0 1em;width:100%}"
    "table.values{table-layout:fixed}table.narrow{width:52%}"
    "th,td{border:1px solid #aaa;padding:.25em .45em;text-align:left;vertical-align:top}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "th{background:#eee;font-weight:bold}tr.group th{background:#e4e9f0}"
    "td.total{font-weight:bold;background:#f6f6f6}td.blank{background:#fcfcfc}"
    ".code{font-size:8pt;color:#666}"
    ".ok{color:#060}.warn{color:#a50}.bad{color:#b00}.state{font-weight:bold}"
    ".small{font-size:9pt;color:#555}"
    ".cards{display:flex;gap:.8em;margin:1em 0}"
    ".card{flex:1;border:1px solid #aaa;padding:.5em .7em;background:#fafafa}"
    ".card b{display:block;font-size:16pt}"
    "figure.chart{margin:1em 0;page-break-inside:avoid}figure.chart svg{width:100%;height:auto}"
    "figcaption{font-weight:bold}table.chartdata{font-size:8.5pt}"
    "@page{size:A4;margin:15mm 12mm;@bottom-right{content:counter(page)}}"
    "@media print{body{margin:0;max-width:none;font-size:9.5pt}"
    "section.child,tr{page-break-inside:avoid}h2{page-break-after:avoid}"
    ".card{background:none}}";

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

/* Writes a figure as the language writes it (common/humanfmt.h): Indonesian "4.330" and
 * "2,5", English "4,330" and "2.5", as the summary table and the charts do (issue 12). */
static void number(FILE *out, double v)
{
	char buf[GT_HUMAN_MAX];

	if (!isfinite(v)) {
		fputs("&ndash;", out);
		return;
	}
	gt_human_number(v, buf, sizeof(buf));
	gt_html_escape(out, buf);
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

static void state_span(FILE *out, int state)
{
	fprintf(out, "<span class=\"state %s\">%s</span>", state_class(state),
	        _(gt_protonames_state(state)));
}

/* The option columns a combo takes in the values table (0 for the default combo). */
static size_t combo_cols(const struct gt_meta_combo *c)
{
	return c->is_default || c->noptions > MAX_COLS ? 0 : c->noptions;
}

/* One table of the summed elements: a group of rows per category combo (its options as the
 * group's column headings, e.g. the sex x age breakdown), the row total in the last column.
 * Without metadata, one row per (element, option). */
static void values_table(FILE *out, const struct gt_meta_dataset *ds,
                         const struct gt_rmodel_source *src)
{
	size_t cols = 0;

	if (ds == NULL) {
		fprintf(out, "<table><tr><th>%s</th><th>%s</th><th class=n>%s</th></tr>\n",
		        _("Data element"), _("Option"), _("Value"));
		for (size_t i = 0; i < src->n; i++) {
			fputs("<tr><td>", out);
			gt_html_escape(out, src->values[i]->data_element);
			fputs("</td><td>", out);
			gt_html_escape(out, src->values[i]->category_option_combo);
			fputs("</td><td class=n>", out);
			number(out, src->values[i]->value);
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
		return;
	}
	for (size_t g = 0; g < ds->nelements; g++)
		if (gt_rmodel_group_start(ds, g) && combo_cols(ds->elements[g]->combo) > cols)
			cols = combo_cols(ds->elements[g]->combo);
	fprintf(out, "<table class=\"values%s\"><colgroup><col style=\"width:%s\">",
	        cols ? "" : " narrow", cols ? "36%" : "70%");
	for (size_t c = 0; c <= cols; c++)
		fputs("<col>", out);
	fputs("</colgroup>\n", out);
	for (size_t g = 0; g < ds->nelements; g++) {
		const struct gt_meta_combo *combo = ds->elements[g]->combo;
		size_t nc = combo_cols(combo);
		if (!gt_rmodel_group_start(ds, g))
			continue;
		fputs("<tr class=group><th>", out);
		gt_html_escape(out, nc ? combo->name : _("Data element"));
		fputs("</th>", out);
		for (size_t c = 0; c < nc; c++) {
			fputs("<th class=n>", out);
			gt_html_escape(out, combo->options[c].name);
			fputs("</th>", out);
		}
		if (nc < cols)
			fprintf(out, "<th colspan=%zu></th>", cols - nc);
		fprintf(out, "<th class=n>%s</th></tr>\n", _("Total"));
		for (size_t e = g; e < ds->nelements; e++) {
			const struct gt_meta_element *el = ds->elements[e];
			double total = 0;
			if (el->combo != combo || el->aggregation != GT_META_AGG_SUM)
				continue;
			fputs("<tr><td>", out);
			gt_html_escape(out, el->name);
			fputs(" <span class=code>", out);
			gt_html_escape(out, el->code);
			fputs("</span></td>", out);
			for (size_t o = 0; o < combo->noptions; o++) {
				double v = gt_rmodel_get(src, el->code, combo->options[o].code);
				if (!isnan(v))
					total += v;
				if (o < nc) {
					fputs("<td class=n>", out);
					number(out, isnan(v) ? 0 : v);
					fputs("</td>", out);
				}
			}
			if (nc < cols)
				fprintf(out, "<td colspan=%zu class=blank></td>", cols - nc);
			fputs("<td class=\"n total\">", out);
			number(out, total);
			fputs("</td></tr>\n", out);
		}
	}
	fputs("</table>\n", out);
}

/* The yes/no and text answers (elements aggregated "none"); own names whose own answer a
 * value's text is. */
static void answers(FILE *out, const struct gt_meta_dataset *ds,
                    Gtsync__V1__ReportValue *const *values, size_t n, const char *own)
{
	int any = 0;

	for (size_t i = 0; ds != NULL && i < ds->nelements; i++) {
		const struct gt_meta_element *el = ds->elements[i];
		const Gtsync__V1__ReportValue *v;
		if (el->aggregation != GT_META_AGG_NONE)
			continue;
		v = gt_rmodel_answer(values, n, el->code);
		if (v == NULL || v->count == 0)
			continue;
		if (!any)
			fprintf(out,
			        "<table><colgroup><col style=\"width:36%%\"><col></colgroup>\n"
			        "<tr class=group><th>%s</th><th>%s</th></tr>\n",
			        _("Question"), _("Answers"));
		any = 1;
		fputs("<tr><td>", out);
		gt_html_escape(out, el->name);
		fputs(" <span class=code>", out);
		gt_html_escape(out, el->code);
		fputs("</span></td><td>", out);
		if (el->type == GT_META_TYPE_BOOL) {
			fprintf(out, _("yes in <b>%.0f</b> of %u reports"), v->value, v->count);
		} else {
			fprintf(out, _("%u reports"), v->count);
			if (v->text != NULL && v->text[0] != '\0') {
				fputs("; ", out);
				gt_html_escape(out, own);
				fputs(": &ldquo;", out);
				gt_html_escape(out, v->text);
				fputs("&rdquo;", out);
			}
		}
		fputs("</td></tr>\n", out);
	}
	if (any)
		fputs("</table>\n", out);
}

static void percent(FILE *out, uint32_t part, uint32_t whole)
{
	if (whole == 0)
		fputs("&ndash;", out);
	else
		fprintf(out, "%.1f%%", 100.0 * part / whole);
}

/* Writes ms in the office's zone ("3 Des 2026 14:05 WITA"; zone NULL or "": WIB), as the
 * text report and the dashboard do (issue 12); "-" when unknown. */
static void when(int64_t ms, const char *zone, char *buf, size_t len)
{
	buf[0] = '\0';
	if (ms <= 0 || gt_human_time(ms, zone != NULL && zone[0] ? zone : NULL, buf, len) != GT_OK)
		snprintf(buf, len, "-");
}

/* The headline figures: units reported, on time, children accepted. */
static void cards(FILE *out, const Gtsync__V1__ReportReply *rep)
{
	const Gtsync__V1__Completeness *c = rep->completeness;
	uint32_t accepted = 0;

	if (c == NULL)
		return;
	for (size_t i = 0; i < rep->n_children; i++)
		accepted +=
		    rep->children[i]->state == GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED;
	fprintf(out, "<div class=cards><div class=card><b class=%s>%u / %u</b>%s (",
	        c->reported < c->expected ? "bad" : "ok", c->reported, c->expected,
	        _("units reported"));
	percent(out, c->reported, c->expected);
	fprintf(out, ")</div><div class=card><b class=%s>%u / %u</b>%s (",
	        c->on_time < c->reported ? "warn" : "ok", c->on_time, c->reported, _("on time"));
	percent(out, c->on_time, c->reported);
	fputs(")</div>", out);
	if (rep->n_children > 0)
		fprintf(out, "<div class=card><b class=%s>%u / %zu</b>%s</div>",
		        accepted < rep->n_children ? "warn" : "ok", accepted, rep->n_children,
		        _("regional reports accepted"));
	fputs("</div>\n", out);
}

static void completeness(FILE *out, const Gtsync__V1__ReportReply *rep,
                         const struct gt_meta_dataset *ds, const struct gt_rmodel_names *names)
{
	const Gtsync__V1__Completeness *c = rep->completeness;

	fprintf(out, "<section><h2>%s</h2>\n", _("Completeness and timeliness"));
	if (c != NULL) {
		fputs("<p>", out);
		fprintf(out, _("%u of %u units reported"), c->reported, c->expected);
		fputs(" (", out);
		percent(out, c->reported, c->expected);
		fprintf(out, "), %u %s (", c->on_time, _("on time"));
		percent(out, c->on_time, c->reported);
		fputs(").", out);
		if (ds != NULL) {
			fputs(" <span class=small>", out);
			fprintf(out,
			        _("On time: the first data received at most %u days after the "
			          "period ends."),
			        ds->timely_days);
			fputs("</span>", out);
		}
		fputs("</p>\n", out);
	}
	if (rep->n_children > 0) {
		fprintf(out,
		        "<table><tr><th>%s</th><th>%s</th><th class=n>%s</th><th class=n>%s</th>"
		        "<th class=n>%%</th><th class=n>%s</th><th>%s</th></tr>\n",
		        _("Region"), _("Code"), _("Expected"), _("Reporting"), _("On time"),
		        _("Approval state"));
		for (size_t i = 0; i < rep->n_children; i++) {
			const Gtsync__V1__ChildReport *ch = rep->children[i];
			fputs("<tr><td>", out);
			gt_html_escape(out, ch->name);
			fputs("</td><td>", out);
			gt_html_escape(out, ch->org_unit);
			fprintf(out, "</td><td class=n>%u</td><td class=n>%u</td><td class=n>",
			        ch->expected, ch->reported_units);
			percent(out, ch->reported_units, ch->expected);
			fprintf(out, "</td><td class=n>%u</td><td>", ch->on_time_units);
			state_span(out, ch->state);
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
	}
	if (c != NULL && c->n_missing > 0) {
		fprintf(out, "<h3 class=bad>%s: %zu</h3>\n<p>", _("Not reported yet"),
		        c->n_missing);
		for (size_t i = 0; i < c->n_missing; i++) {
			const char *nm = gt_rmodel_name(names, rep, c->missing[i]);
			if (i)
				fputs(", ", out);
			gt_html_escape(out, c->missing[i]);
			if (nm != NULL) {
				fputs(" ", out);
				gt_html_escape(out, nm);
			}
		}
		fputs("</p>\n", out);
	} else if (c != NULL) {
		fprintf(out, "<p class=ok>%s</p>\n",
		        _("Every unit expected to report has reported."));
	}
	fputs("</section>\n", out);
}

static void targets(FILE *out, const Gtsync__V1__ReportReply *rep)
{
	if (rep->n_targets == 0)
		return;
	fprintf(out,
	        "<section><h2>%s</h2>\n<table><tr><th>%s</th><th class=n>%s</th><th>%s</th>"
	        "<th class=n>%s</th><th class=n>%s</th></tr>\n",
	        _("Target, achievement and gap"), _("Indicator"), _("Target"), _("Unit of measure"),
	        _("Achievement"), _("Gap"));
	for (size_t i = 0; i < rep->n_targets; i++) {
		const Gtsync__V1__TargetRow *tr = rep->targets[i];
		fputs("<tr><td>", out);
		gt_html_escape(out, tr->name);
		fputs(" <span class=code>", out);
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
	fputs("</table></section>\n", out);
}

/* A workflow step as a person names it. */
static const char *kind_text(int kind)
{
	switch (kind) {
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT:
		return _("submitted");
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE:
		return _("approved");
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT:
		return _("accepted");
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN:
		return _("returned");
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_UNAPPROVE:
		return _("approval withdrawn");
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_NIL_REPORT:
		return _("nothing to report declared");
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE:
		return _("opened for late entry");
	default:
		return gt_protonames_kind(kind);
	}
}

static void history(FILE *out, const Gtsync__V1__ReportReply *rep, const char *zone)
{
	if (rep->n_history == 0)
		return;
	fprintf(out,
	        "<section><h2>%s</h2>\n<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	        "</tr>\n",
	        _("Signed approval history"), _("Time"), _("Action"), _("Key"), _("Reason"));
	for (size_t i = 0; i < rep->n_history; i++) {
		const Gtsync__V1__WorkflowEvent *ev = rep->history[i];
		char at[GT_HUMAN_MAX];
		when(ev->at_ms, zone, at, sizeof(at));
		fprintf(out, "<tr><td>%s</td><td>", at);
		gt_html_escape(out, kind_text(ev->kind));
		fputs("</td><td>", out);
		const char *role = gt_rmodel_event_role(ev);
		gt_html_escape(out, gt_rmodel_event_who(ev));
		if (role != NULL) {
			fputs(" (", out);
			gt_html_escape(out, role);
			fputc(')', out);
		}
		if (gt_rmodel_has_text(ev->key_label)) {
			fputs("<br><small>", out);
			gt_html_escape(out, ev->key_id);
			fputs("</small>", out);
		}
		fputs("</td><td>", out);
		gt_html_escape(out, ev->reason);
		fputs("</td></tr>\n", out);
	}
	fputs("</table></section>\n", out);
}

/* The report's heading: the data set, the unit, the period as people say it (pe), when it was
 * generated (at) and its approval state. */
static void heading(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta_dataset *ds,
                    const char *pe, const char *at)
{
	fputs("<h1>", out);
	gt_html_escape(out, ds ? ds->name : rep->dataset);
	fputs("</h1>\n<p class=meta>Gugus Tugas PP TPPO &middot; <b>", out);
	gt_html_escape(out, rep->org_name);
	fputs("</b> (", out);
	gt_html_escape(out, rep->org_unit);
	fprintf(out, ") &middot; %s <b>", _("period"));
	gt_html_escape(out, pe);
	fprintf(out, "</b> &middot; %s ", _("data set"));
	gt_html_escape(out, rep->dataset);
	fprintf(out, " &middot; %s ", _("generated"));
	gt_html_escape(out, at);
	fprintf(out, "<br>%s: ", _("This report's approval state"));
	state_span(out, rep->state);
	fputs("</p>\n", out);
}

/* A child's section: its approval state, how many of its units reported, and its values. */
static void child_section(FILE *out, const Gtsync__V1__ReportReply *rep,
                          const Gtsync__V1__ChildReport *ch, const struct gt_meta_dataset *ds)
{
	fputs("<section class=child><h2>", out);
	gt_html_escape(out, ch->name);
	fputs(" (", out);
	gt_html_escape(out, ch->org_unit);
	fprintf(out, ")</h2>\n<p>%s: ", _("Approval state"));
	state_span(out, ch->state);
	fputs(" &middot; ", out);
	fprintf(out, _("%u of %u units reported"), ch->reported_units, ch->expected);
	fputs("</p>\n", out);
	if (ch->n_values == 0) {
		fprintf(out, "<p class=warn>%s</p>\n", _("No data yet."));
	} else {
		struct gt_rmodel_source cs = {rep, ch->values, ch->n_values, 0};
		values_table(out, ds, &cs);
		answers(out, ds, ch->values, ch->n_values, ch->name);
	}
	fputs("</section>\n", out);
}

int gt_html_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                   const struct gt_rmodel_names *names)
{
	const struct gt_meta_dataset *ds = meta ? gt_meta_dataset_find(meta, rep->dataset) : NULL;
	const char *zone = names != NULL ? names->zone : NULL;
	char at[GT_HUMAN_MAX], pe[GT_HUMAN_MAX];

	when(rep->generated_at_ms, zone, at, sizeof(at));
	/* The period as people say it: "Januari–Desember 2025" for a year of monthly reports. */
	if (ds == NULL || ds->period_type != GT_PERIOD_MONTHLY ||
	    gt_human_period_range(rep->period, rep->period, pe, sizeof(pe)) != GT_OK)
		gt_human_period(rep->period, pe, sizeof(pe));
	fprintf(out, "<!DOCTYPE html>\n<html lang=%s><head><meta charset=utf-8>\n<title>",
	        gt_i18n_lang());
	gt_html_escape(out, ds ? ds->name : rep->dataset);
	fputs(" &mdash; ", out);
	gt_html_escape(out, rep->org_name);
	fputs(" ", out);
	gt_html_escape(out, pe);
	fprintf(out, "</title>\n<style>%s</style></head><body>\n", style);
	heading(out, rep, ds, pe, at);
	cards(out, rep);
	completeness(out, rep, ds, names);

	fprintf(out, "<section><h2>%s</h2>\n", _("Totals"));
	struct gt_rmodel_source src = {rep, rep->totals, rep->n_totals, 0};
	if (rep->n_totals == 0)
		fprintf(out, "<p class=warn>%s</p>\n", _("No values for this period yet."));
	else
		values_table(out, ds, &src);
	answers(out, ds, rep->totals, rep->n_totals, rep->org_name);
	fputs("</section>\n", out);
	targets(out, rep);
	/* The summary matrix of units against the key figures, with the charts, before the
	 * per-unit detail. */
	gt_repcharts_summary(out, rep, ds);

	for (size_t i = 0; i < rep->n_children; i++)
		child_section(out, rep, rep->children[i], ds);
	if (gt_rmodel_has_own(rep)) {
		struct gt_rmodel_source os = {rep, NULL, 0, 1};
		fputs("<section class=child><h2>", out);
		gt_html_escape(out, rep->org_name);
		fputs(" (", out);
		gt_html_escape(out, rep->org_unit);
		fprintf(out, "): %s</h2>\n", _("its own figures"));
		values_table(out, ds, &os);
		fputs("</section>\n", out);
	}
	history(out, rep, zone);
	fprintf(out, "<p class=small>gtsync &middot; %s</p>\n</body></html>\n",
	        _("every figure comes from signed batches of the reporting units"));
	return ferror(out) ? GT_EIO : GT_OK;
}
