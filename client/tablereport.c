/* The report as a table for a terminal: a row per element and option, a column per child. */
#include "tablereport.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "humanfmt.h"
#include "i18n.h"
#include "termtext.h"

/* Widest column of figures; longer texts are cut to it. */
#define MAX_COL 24
/* Units listed as not reported on the heading line before "and N more". */
#define MAX_MISSING 20

/* The cell of row among vals: the value's text escaped for the terminal, or "-". */
static const char *cell(Gtsync__V1__ReportValue *const *vals, size_t n,
                        const struct gt_rmodel_row *row, char *buf, size_t len)
{
	const Gtsync__V1__ReportValue *v = gt_rmodel_value(vals, n, row);
	char num[GT_RMODEL_NUM_LEN];

	if (v == NULL)
		snprintf(buf, len, "-");
	else
		gt_termtext_escape(buf, len, gt_rmodel_value_text(v, num), 0);
	return buf;
}

static size_t max_len(size_t w, const char *s)
{
	size_t n = strlen(s);
	return n > w ? n : w;
}

static void heading(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta)
{
	const Gtsync__V1__Completeness *cp = rep->completeness;
	const struct gt_meta_dataset *ds =
	    meta ? gt_meta_dataset_find(meta, gt_rmodel_str(rep->dataset)) : NULL;
	char period[GT_HUMAN_MAX];

	gt_termtext_put(out, ds ? ds->name : gt_rmodel_str(rep->dataset), 0);
	fputs(" (", out);
	gt_termtext_put(out, rep->dataset, 0);
	fputs("), ", out);
	gt_termtext_put(out, gt_rmodel_has_text(rep->org_name) ? rep->org_name : rep->org_unit, 0);
	if (gt_human_period(gt_rmodel_str(rep->period), period, sizeof(period)) != GT_OK)
		gt_termtext_escape(period, sizeof(period), rep->period, 0);
	fprintf(out, _(", period %s\n"), period);
	if (cp != NULL) {
		fprintf(
		    out,
		    _("Reporting units: %" PRIu32 " of %" PRIu32 " reported, %" PRIu32 " on time"),
		    cp->reported, cp->expected, cp->on_time);
		if (cp->n_missing > 0) {
			fputs(_("; not reported:"), out);
			for (size_t i = 0; i < cp->n_missing && i < MAX_MISSING; i++) {
				fputc(' ', out);
				gt_termtext_put(out, cp->missing[i], 0);
			}
			if (cp->n_missing > MAX_MISSING)
				fprintf(out, _(" and %zu more"), cp->n_missing - MAX_MISSING);
		}
		fprintf(out, "\n");
	}
	fprintf(out, "\n");
}

/* The element names of the rows, after the table. */
static void legend(FILE *out, const struct gt_rmodel_row *rows, size_t nrows, size_t wel)
{
	const char *last = NULL;

	fprintf(out, "\n");
	for (size_t i = 0; i < nrows; i++) {
		if (rows[i].e == NULL || (last && strcmp(last, rows[i].element) == 0))
			continue;
		last = rows[i].element;
		fputs("  ", out);
		gt_termtext_put(out, rows[i].element, 0);
		for (size_t k = strlen(rows[i].element); k < wel; k++)
			fputc(' ', out);
		fputc(' ', out);
		gt_termtext_put(out, rows[i].e->name, 0);
		fputc('\n', out);
	}
}

/* Each child's completeness, under the table. */
static void children(FILE *out, const Gtsync__V1__ReportReply *rep, size_t wcol)
{
	fprintf(out, "\n");
	for (size_t c = 0; c < rep->n_children; c++) {
		const Gtsync__V1__ChildReport *ch = rep->children[c];
		size_t n = strlen(gt_rmodel_str(ch->org_unit));
		fputs("  ", out);
		gt_termtext_put(out, ch->org_unit, 0);
		for (size_t k = n; k < wcol; k++)
			fputc(' ', out);
		fputc(' ', out);
		gt_termtext_put(out, ch->name, 0);
		fprintf(out, _(": %" PRIu32 " of %" PRIu32 " units reported%s\n"),
		        ch->reported_units, ch->expected,
		        ch->reported && !ch->on_time ? _(" (late)") : "");
	}
}

int gt_table_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                    const struct gt_rmodel_names *names)
{
	struct gt_rmodel_row *rows = NULL;
	size_t nrows = 0, wel = 12, wopt = 6, wcol = 5;
	char buf[4 * MAX_COL + 8], el[4 * GT_RMODEL_NUM_LEN], opt[4 * GT_RMODEL_NUM_LEN];
	int rc;
	(void)names;

	if ((rc = gt_rmodel_rows(rep, meta, &rows, &nrows)) != GT_OK)
		return rc;
	heading(out, rep, meta);
	if (nrows == 0) {
		fprintf(out, "%s\n", _("(no values reported for this period)"));
		free(rows);
		return GT_OK;
	}
	for (size_t i = 0; i < nrows; i++) {
		wel = max_len(wel, rows[i].element);
		wopt = max_len(wopt, rows[i].coc);
		wcol = max_len(wcol, cell(rep->totals, rep->n_totals, &rows[i], buf, sizeof(buf)));
		for (size_t c = 0; c < rep->n_children; c++) {
			const Gtsync__V1__ChildReport *ch = rep->children[c];
			wcol = max_len(wcol,
			               cell(ch->values, ch->n_values, &rows[i], buf, sizeof(buf)));
			wcol = max_len(wcol, gt_rmodel_str(ch->org_unit));
		}
	}
	if (wcol > MAX_COL)
		wcol = MAX_COL;
	fprintf(out, "%-*s  %-*s", (int)wel, _("Data element"), (int)wopt, _("Option"));
	for (size_t c = 0; c < rep->n_children; c++) {
		gt_termtext_escape(buf, sizeof(buf), rep->children[c]->org_unit, 0);
		fprintf(out, "  %*.*s", (int)wcol, (int)wcol, buf);
	}
	fprintf(out, "  %*s\n", (int)wcol, _("Total"));
	for (size_t i = 0; i < nrows; i++) {
		gt_termtext_escape(el, sizeof(el), rows[i].element, 0);
		gt_termtext_escape(opt, sizeof(opt), rows[i].coc[0] ? rows[i].coc : "-", 0);
		fprintf(out, "%-*s  %-*s", (int)wel, el, (int)wopt, opt);
		for (size_t c = 0; c < rep->n_children; c++) {
			const Gtsync__V1__ChildReport *ch = rep->children[c];
			cell(ch->values, ch->n_values, &rows[i], buf, sizeof(buf));
			fprintf(out, "  %*.*s", (int)wcol, (int)wcol, buf);
		}
		cell(rep->totals, rep->n_totals, &rows[i], buf, sizeof(buf));
		fprintf(out, "  %*.*s\n", (int)wcol, (int)wcol, buf);
	}
	if (rep->n_children > 0)
		children(out, rep, wcol);
	if (meta != NULL)
		legend(out, rows, nrows, wel);
	free(rows);
	return GT_OK;
}
