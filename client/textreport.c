/* The chair's report as plain text, for a terminal or a printer. */
#include "textreport.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "chain.h"
#include "error.h"
#include "humanfmt.h"
#include "i18n.h"
#include "protonames.h"
#include "termtext.h"

/* Widest column of a figure, and of an option heading before it is cut. */
#define FIG_W 12
/* Room for the escaped text of a line: every character of GT_TEXT_WIDTH and one more may take
 * an escape of up to 6 bytes or a UTF-8 sequence of up to 4. */
#define LINE_BUF (8 * (GT_TEXT_WIDTH + 1) + 8)
/* Most option columns a table lays out. */
#define MAX_OPTS 64

/* Characters (not bytes) in the UTF-8 text s[0..). */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

/* The width s takes once escaped, up to a little more than a line. */
static size_t width(const char *s)
{
	char buf[LINE_BUF];

	gt_termtext_escape(buf, sizeof(buf), s, 0);
	return chars(buf);
}

/* Writes s escaped (flags as gt_termtext_escape()) and cut to at most w characters, the cut
 * marked with '~'; padded to w when pad is set. */
static void put_cut(FILE *out, const char *s, size_t w, int pad, unsigned flags)
{
	char buf[LINE_BUF];
	const unsigned char *p = (const unsigned char *)buf, *end = p;
	size_t n = 0;

	if (w > GT_TEXT_WIDTH)
		w = GT_TEXT_WIDTH;
	gt_termtext_escape(buf, sizeof(buf), s, flags);
	/* Count characters, not bytes: continuation bytes do not take a column. */
	while (*end && n < w) {
		end++;
		while ((*end & 0xC0) == 0x80)
			end++;
		n++;
	}
	if (*end && w >= 3) {
		/* Too long: cut one character earlier and mark the cut. */
		const unsigned char *q = p;
		for (size_t k = 0; k + 1 < w; k++) {
			q++;
			while ((*q & 0xC0) == 0x80)
				q++;
		}
		fwrite(p, 1, (size_t)(q - p), out);
		fputc('~', out);
		n = w;
	} else {
		fwrite(p, 1, (size_t)(end - p), out);
	}
	while (pad && n++ < w)
		fputc(' ', out);
}

/* Writes s escaped, whole. */
static void put(FILE *out, const char *s)
{
	gt_termtext_put(out, s, 0);
}

/* Writes s escaped, whole, padded with spaces to w characters. */
static void put_pad(FILE *out, const char *s, size_t w)
{
	char buf[LINE_BUF];

	gt_termtext_escape(buf, sizeof(buf), s, 0);
	if (strlen(buf) + 1 >= sizeof(buf)) {
		put(out, s); /* longer than a line: whole, no padding needed */
		return;
	}
	fputs(buf, out);
	for (size_t n = chars(buf); n < w; n++)
		fputc(' ', out);
}

static void fig(FILE *out, double v, int w)
{
	char buf[GT_HUMAN_MAX];

	/* Grouped as the language groups thousands: 4.330 in Bahasa Indonesia (issue 12). */
	if (isnan(v))
		snprintf(buf, sizeof(buf), "-");
	else if (gt_human_number(v, buf, sizeof(buf)) != GT_OK)
		gt_rmodel_number(v, buf, sizeof(buf));
	fprintf(out, " %*s", w, buf);
}

static void percent(char *buf, size_t len, uint32_t part, uint32_t whole)
{
	char num[GT_HUMAN_MAX];

	if (whole == 0)
		snprintf(buf, len, "-");
	else if (gt_human_number(round(1000.0 * part / whole) / 10.0, num, sizeof(num)) == GT_OK)
		snprintf(buf, len, "%s%%", num);
	else
		snprintf(buf, len, "%.1f%%", 100.0 * part / whole);
}

/* A heading underlined with '='; title is gtsync's own text, already escaped. */
static void heading(FILE *out, const char *title)
{
	size_t n = chars(title);

	fprintf(out, "\n%s\n", title);
	for (size_t i = 0; i < n; i++)
		fputc('=', out);
	fputc('\n', out);
}

/* Writes ms as people read it in the office's zone: "31 Jan 2025 21:05 WIB"; "-" when
 * unknown. zone is "WIB", "WITA", "WIT", or NULL or "" (WIB). */
static void when(int64_t ms, char *buf, size_t len, const char *zone)
{
	buf[0] = '\0';
	if (ms <= 0 || gt_human_time(ms, zone != NULL && zone[0] ? zone : NULL, buf, len) != GT_OK)
		buf[0] = '\0';
	if (buf[0] == '\0')
		snprintf(buf, len, "-");
}

/* The report's org unit for a person: its name, else its code (not escaped). */
static const char *org_label(const Gtsync__V1__ReportReply *rep)
{
	return gt_rmodel_has_text(rep->org_name) ? rep->org_name : gt_rmodel_str(rep->org_unit);
}

/* Without metadata: one line per value. */
static void plain_lines(FILE *out, const struct gt_rmodel_source *src, const char *indent)
{
	for (size_t i = 0; i < src->n; i++) {
		const Gtsync__V1__ReportValue *v = src->values[i];
		fputs(indent, out);
		put_pad(out, v->data_element, 30);
		fputc(' ', out);
		put_pad(out, v->category_option_combo, 14);
		fig(out, v->value, FIG_W);
		fputc('\n', out);
	}
}

/* The table of the summed elements of one category combo (the group starting at element g):
 * rows the elements in the form's order, columns the options and a total. */
static void group_table(FILE *out, const struct gt_meta_dataset *ds, size_t g,
                        const struct gt_rmodel_source *src, const char *indent)
{
	const struct gt_meta_combo *combo = ds->elements[g]->combo;
	size_t namew = 12, optw[MAX_OPTS];
	size_t nopt = combo->is_default ? 0 : combo->noptions;
	long room = (long)GT_TEXT_WIDTH - (long)strlen(indent) - (FIG_W + 1);

	if (nopt > MAX_OPTS)
		nopt = MAX_OPTS;
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
	fputs(indent, out);
	put_cut(out, combo->is_default ? _("Data element") : combo->name, namew, 1, 0);
	for (size_t o = 0; o < nopt; o++) {
		fputc(' ', out);
		for (size_t k = width(combo->options[o].code); k < optw[o]; k++)
			fputc(' ', out);
		put_cut(out, combo->options[o].code, optw[o], 0, 0);
	}
	fprintf(out, " %*s\n", FIG_W, _("Total"));
	for (size_t e = g; e < ds->nelements; e++) {
		const struct gt_meta_element *el = ds->elements[e];
		double total = 0;
		int seen = 0;
		if (el->combo != combo || el->aggregation != GT_META_AGG_SUM)
			continue;
		fputs(indent, out);
		put_cut(out, el->name, namew, 1, 0);
		for (size_t o = 0; o < combo->noptions; o++) {
			double v = gt_rmodel_get(src, el->code, combo->options[o].code);
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
		for (size_t o = 0; o < nopt; o++) {
			fputs(o ? ", " : "", out);
			put(out, combo->options[o].code);
			fputc(' ', out);
			put(out, combo->options[o].name);
		}
		fputs(")\n", out);
	}
}

/* The tables of the summed elements, one per category combo. Without metadata, one line per
 * value. */
static void tables(FILE *out, const struct gt_meta_dataset *ds, const struct gt_rmodel_source *src,
                   const char *indent)
{
	int done = 0;

	if (ds == NULL) {
		plain_lines(out, src, indent);
		return;
	}
	for (size_t g = 0; g < ds->nelements; g++) {
		if (!gt_rmodel_group_start(ds, g))
			continue;
		if (done++)
			fputc('\n', out);
		group_table(out, ds, g, src, indent);
	}
}

/* The yes/no and text answers (elements aggregated "none"); own names the unit whose own
 * answer a text is. */
static void answers(FILE *out, const struct gt_meta_dataset *ds,
                    Gtsync__V1__ReportValue *const *values, size_t n, const char *indent,
                    const char *own)
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
			fprintf(out, "\n%s%s\n", indent, _("Other answers:"));
		any = 1;
		fprintf(out, "%s  ", indent);
		put_cut(out, el->name, 48, 1, 0);
		if (el->type == GT_META_TYPE_BOOL)
			fprintf(out,
			        P_(" yes in %.0f of %" PRIu32 " report",
			           " yes in %.0f of %" PRIu32 " reports", v->count),
			        v->value, v->count);
		else
			fprintf(out, P_(" %" PRIu32 " report", " %" PRIu32 " reports", v->count),
			        v->count);
		if (el->type != GT_META_TYPE_BOOL && gt_rmodel_has_text(v->text)) {
			/* One line: line breaks and tabs become spaces; cut at a character. */
			fprintf(out, "\n%s    ", indent);
			put(out, own);
			fputs(": ", out);
			put_cut(out, v->text, GT_TEXT_WIDTH - 8 - width(own), 0, GT_TERMTEXT_FOLD);
		}
		fputc('\n', out);
	}
}

/* The title lines: the data set, the unit, the period, when, the approval state. */
static void title(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta_dataset *ds,
                  const char *zone)
{
	char at[GT_HUMAN_MAX], period[GT_HUMAN_MAX];

	when(rep->generated_at_ms, at, sizeof(at), zone);
	if (gt_human_period(gt_rmodel_str(rep->period), period, sizeof(period)) != GT_OK)
		gt_termtext_escape(period, sizeof(period), rep->period, 0);
	put(out, ds ? ds->name : rep->dataset);
	fputs(" (", out);
	put(out, rep->dataset);
	fputs(")\nGugus Tugas PP TPPO - ", out);
	put(out, org_label(rep));
	fputs(" (", out);
	put(out, rep->org_unit);
	fputs(")", out);
	fprintf(out, _(", period %s; generated %s\n"), period, at);
	fprintf(out, _("Approval state of this report: %s\n"),
	        _(gt_protonames_state((int)rep->state)));
}

/* Completeness and timeliness: in all, per child, and the units that did not report. */
static void completeness(FILE *out, const Gtsync__V1__ReportReply *rep,
                         const struct gt_rmodel_names *names)
{
	const Gtsync__V1__Completeness *c = rep->completeness;
	char pct[GT_HUMAN_MAX + 2], pct2[GT_HUMAN_MAX + 2];

	heading(out, _("Completeness and timeliness"));
	if (c != NULL) {
		percent(pct, sizeof(pct), c->reported, c->expected);
		percent(pct2, sizeof(pct2), c->on_time, c->reported);
		fprintf(out,
		        _("%" PRIu32 " of %" PRIu32 " reporting units reported (%s); %" PRIu32
		          " of them on time (%s)\n"),
		        c->reported, c->expected, pct, c->on_time, pct2);
	}
	if (rep->n_children > 0) {
		fprintf(out, "\n  %-30s %-6s %8s %8s %7s %8s  %s\n", _("Region"), _("Code"),
		        _("Expected"), _("Reported"), "%", _("On time"), _("Approval"));
		for (size_t i = 0; i < rep->n_children; i++) {
			const Gtsync__V1__ChildReport *ch = rep->children[i];
			percent(pct, sizeof(pct), ch->reported_units, ch->expected);
			fputs("  ", out);
			put_cut(out, ch->name, 30, 1, 0);
			fputc(' ', out);
			put_pad(out, ch->org_unit, 6);
			fprintf(out, " %8" PRIu32 " %8" PRIu32 " %7s %8" PRIu32 "  %s\n",
			        ch->expected, ch->reported_units, pct, ch->on_time_units,
			        _(gt_protonames_state((int)ch->state)));
		}
	}
	if (c == NULL)
		return;
	if (c->n_missing == 0) {
		fprintf(out, "\n%s\n", _("Every unit expected to report has reported."));
		return;
	}
	fprintf(out, _("\nNot reported (%zu):\n"), c->n_missing);
	for (size_t i = 0; i < c->n_missing; i++) {
		const char *nm = gt_rmodel_name(names, rep, gt_rmodel_str(c->missing[i]));
		fputs("  ", out);
		put_pad(out, c->missing[i], 8);
		fputc(' ', out);
		put(out, nm);
		fputc('\n', out);
	}
}

/* The units that declared nothing to report, and the approved data that breaks a validation
 * rule (issue 10 items 16 and 17). */
static void declarations(FILE *out, const Gtsync__V1__ReportReply *rep,
                         const struct gt_rmodel_names *names)
{
	const Gtsync__V1__Completeness *c = rep->completeness;

	if (c != NULL && c->n_nil_reports > 0) {
		fprintf(out, _("\nNothing to report, declared (laporan nihil) (%zu):\n"),
		        c->n_nil_reports);
		for (size_t i = 0; i < c->n_nil_reports; i++) {
			fputs("  ", out);
			put_pad(out, c->nil_reports[i], 8);
			fputc(' ', out);
			put(out, gt_rmodel_name(names, rep, gt_rmodel_str(c->nil_reports[i])));
			fputc('\n', out);
		}
	}
	if (rep->n_violations == 0)
		return;
	heading(out, _("Approved data that breaks a validation rule"));
	for (size_t i = 0; i < rep->n_violations; i++) {
		const Gtsync__V1__RuleViolation *v = rep->violations[i];
		fputs("  ", out);
		put_pad(out, v->org_unit, 8);
		fputc(' ', out);
		put_pad(out, v->period, 7);
		fputc(' ', out);
		put(out, v->rule);
		fputs(": ", out);
		put(out, v->text);
		if (v->warning)
			fputs(_(" (warning, acknowledged)"), out);
		fputc('\n', out);
	}
}

/* Target, achievement and gap per indicator of an action plan. */
static void targets(FILE *out, const Gtsync__V1__ReportReply *rep)
{
	if (rep->n_targets == 0)
		return;
	heading(out, _("Targets, achievement and gap"));
	fprintf(out, "%-40s %12s %12s %12s  %s\n", _("Indicator"), _("Target"), _("Achieved"),
	        _("Gap"), _("Unit"));
	for (size_t i = 0; i < rep->n_targets; i++) {
		const Gtsync__V1__TargetRow *t = rep->targets[i];
		char name[256];
		snprintf(name, sizeof(name), "%s %s", gt_rmodel_str(t->indicator),
		         gt_rmodel_str(t->name));
		put_cut(out, name, 40, 1, 0);
		if (t->has_target)
			fig(out, t->target, 12);
		else
			fprintf(out, " %12s", "-");
		fig(out, t->achieved, 12);
		if (t->has_target)
			fig(out, t->gap, 12);
		else
			fprintf(out, " %12s", "-");
		fputs("  ", out);
		put(out, t->unit);
		fputc('\n', out);
		if (!t->has_target && gt_rmodel_has_text(t->target_raw)) {
			fputs(_("    target: "), out);
			put_cut(out, t->target_raw, GT_TEXT_WIDTH - 12, 0, 0);
			fputc('\n', out);
		}
	}
}

/* A heading naming a unit: "NAME (CODE)SUFFIX", escaped. */
static void unit_heading(FILE *out, const char *name, const char *code, const char *suffix)
{
	char n[LINE_BUF], c[LINE_BUF], title[3 * LINE_BUF];

	gt_termtext_escape(n, sizeof(n), name, 0);
	gt_termtext_escape(c, sizeof(c), code, 0);
	snprintf(title, sizeof(title), "%s (%s)%s", n, c, suffix);
	heading(out, title);
}

/* The same tables per child, and for the unit's own figures. */
static void parts(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta_dataset *ds)
{
	for (size_t i = 0; i < rep->n_children; i++) {
		const Gtsync__V1__ChildReport *ch = rep->children[i];
		char suffix[128];
		snprintf(suffix, sizeof(suffix),
		         _(": %s, %" PRIu32 " of %" PRIu32 " units reported"),
		         _(gt_protonames_state((int)ch->state)), ch->reported_units, ch->expected);
		unit_heading(out, ch->name, ch->org_unit, suffix);
		if (ch->n_values == 0) {
			fprintf(out, "%s\n", _("No data."));
			continue;
		}
		struct gt_rmodel_source cs = {rep, ch->values, ch->n_values, 0};
		tables(out, ds, &cs, "");
		answers(out, ds, ch->values, ch->n_values, "", gt_rmodel_str(ch->name));
	}
	if (gt_rmodel_has_own(rep)) {
		struct gt_rmodel_source os = {rep, NULL, 0, 1};
		unit_heading(out, org_label(rep), rep->org_unit, _(": its own figures"));
		tables(out, ds, &os, "");
	}
}

/* The signed approval history, oldest first. */
static void history(FILE *out, const Gtsync__V1__ReportReply *rep, const char *zone)
{
	char at[GT_HUMAN_MAX];

	if (rep->n_history == 0)
		return;
	heading(out, _("Signed approval history"));
	for (size_t i = 0; i < rep->n_history; i++) {
		const Gtsync__V1__WorkflowEvent *ev = rep->history[i];
		when(ev->at_ms, at, sizeof(at), zone);
		const char *role = gt_rmodel_event_role(ev);
		fprintf(out, "  %s  %-9s ", at, gt_protonames_kind((int)ev->kind));
		if (gt_rmodel_has_text(ev->key_label)) {
			/* The label names the office and person; the key id stays for checking. */
			put(out, ev->key_label);
			fprintf(out, " (%s%s%s ", role ? role : "", role ? ", " : "", _("key"));
			put(out, ev->key_id);
			fputc(')', out);
		} else {
			fprintf(out, "%s ", _("key"));
			put(out, ev->key_id);
			if (role != NULL)
				fprintf(out, " (%s)", role);
		}
		if (gt_rmodel_has_text(ev->reason)) {
			/* After a label the reason gets its own line: the page stays narrow. */
			fputs(gt_rmodel_has_text(ev->key_label) ? "\n                     " : "  ",
			      out);
			fputs(_("reason: "), out);
			put(out, ev->reason);
		}
		fputc('\n', out);
	}
}

int gt_text_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                   const struct gt_rmodel_names *names)
{
	const struct gt_meta_dataset *ds =
	    meta ? gt_meta_dataset_find(meta, gt_rmodel_str(rep->dataset)) : NULL;
	struct gt_rmodel_source src = {rep, rep->totals, rep->n_totals, 0};

	const char *zone = names != NULL ? names->zone : NULL;

	title(out, rep, ds, zone);
	completeness(out, rep, names);
	declarations(out, rep, names);
	heading(out, _("Totals"));
	if (rep->n_totals == 0)
		fprintf(out, "%s\n", _("No values were reported for this period."));
	tables(out, ds, &src, "");
	answers(out, ds, rep->totals, rep->n_totals, "", org_label(rep));
	targets(out, rep);
	parts(out, rep, ds);
	history(out, rep, zone);
	fprintf(out, "\n%s\n", _("Every figure comes from signed batches of the reporting units."));
	return ferror(out) ? GT_EIO : GT_OK;
}
