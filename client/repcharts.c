/* The charts of a consolidated report, shared by the dashboard and the chair's HTML report:
 * each unit's breakdown as stacked bars, the law-enforcement stages as a funnel, and the
 * summary matrix of units against the key figures. */
#include "repcharts.h"

#include <math.h>
#include <string.h>

#include "html.h"
#include "humanfmt.h"
#include "i18n.h"
#include "rmodel.h"
#include "svgchart.h"

double gt_repcharts_total(Gtsync__V1__ReportValue *const *vals, size_t n, const char *element)
{
	double sum = NAN;

	for (size_t i = 0; i < n; i++) {
		if (vals[i]->data_element == NULL || strcmp(vals[i]->data_element, element) != 0 ||
		    gt_rmodel_has_text(vals[i]->text) || !isfinite(vals[i]->value))
			continue;
		if (vals[i]->suppressed)
			return gt_rmodel_withheld_value(); /* a part withheld (issue 14) */
		sum = isfinite(sum) ? sum + vals[i]->value : vals[i]->value;
	}
	return sum;
}

size_t gt_repcharts_summed(const struct gt_meta_dataset *ds, const struct gt_meta_element **out,
                           size_t max)
{
	size_t n = 0;

	for (size_t i = 0; ds != NULL && i < ds->nelements && n < max; i++) {
		const struct gt_meta_element *e = ds->elements[i];
		if (e->aggregation == GT_META_AGG_SUM && !e->builtin)
			out[n++] = e;
	}
	return n;
}

const struct gt_meta_element *gt_repcharts_broken_down(const struct gt_meta_dataset *ds,
                                                       const char *combo)
{
	for (size_t i = 0; ds != NULL && i < ds->nelements; i++) {
		const struct gt_meta_element *e = ds->elements[i];
		if (e->aggregation != GT_META_AGG_SUM || e->builtin || e->combo->is_default)
			continue;
		if (combo == NULL || strcmp(e->combo->code, combo) == 0)
			return e;
	}
	return NULL;
}

void gt_repcharts_children(FILE *out, const Gtsync__V1__ReportReply *rep,
                           const struct gt_meta_dataset *ds)
{
	const struct gt_meta_element *bd = gt_repcharts_broken_down(ds, NULL);
	const struct gt_meta_element *fn = gt_repcharts_broken_down(ds, GT_REPCHARTS_FUNNEL_COMBO);
	const char *labels[GT_REPCHARTS_MAX_BARS];

	if (bd != NULL && rep->n_children > 0) {
		size_t nc = rep->n_children < GT_REPCHARTS_MAX_BARS ? rep->n_children
		                                                    : GT_REPCHARTS_MAX_BARS;
		size_t no = bd->combo->noptions < GT_SVGCHART_MAX_SERIES ? bd->combo->noptions
		                                                         : GT_SVGCHART_MAX_SERIES;
		struct gt_svgchart_series ser[GT_SVGCHART_MAX_SERIES] = {{0}};
		double vals[GT_SVGCHART_MAX_SERIES][GT_REPCHARTS_MAX_BARS];
		struct gt_svgchart c = {.id = "chart-breakdown", .title = bd->name};
		for (size_t o = 0; o < no; o++) {
			ser[o].name = bd->combo->options[o].name;
			ser[o].code = bd->combo->options[o].code;
			ser[o].values = vals[o];
			for (size_t i = 0; i < nc; i++)
				vals[o][i] = gt_rmodel_find(rep->children[i]->values,
				                            rep->children[i]->n_values, bd->code,
				                            bd->combo->options[o].code);
		}
		for (size_t i = 0; i < nc; i++)
			labels[i] = rep->children[i]->name;
		c.labels = labels;
		c.nlabels = nc;
		c.series = ser;
		c.nseries = no;
		gt_svgchart_bars(out, &c);
	}
	if (fn != NULL) {
		size_t no = fn->combo->noptions < GT_REPCHARTS_MAX_BARS ? fn->combo->noptions
		                                                        : GT_REPCHARTS_MAX_BARS;
		double vals[GT_REPCHARTS_MAX_BARS];
		struct gt_svgchart_series ser = {
		    .name = fn->name, .values = vals, .code = fn->code};
		struct gt_svgchart c = {.id = "chart-stages", .title = fn->name};
		for (size_t o = 0; o < no; o++) {
			labels[o] = fn->combo->options[o].name;
			vals[o] = gt_rmodel_find(rep->totals, rep->n_totals, fn->code,
			                         fn->combo->options[o].code);
		}
		c.labels = labels;
		c.nlabels = no;
		c.series = &ser;
		c.nseries = 1;
		gt_svgchart_funnel(out, &c);
	}
}

static void num(FILE *out, double v)
{
	char buf[GT_HUMAN_MAX];

	if (gt_rmodel_is_withheld(v)) {
		fputs(GT_RMODEL_WITHHELD, out);
		return;
	}
	if (!isfinite(v)) {
		fputs("&ndash;", out);
		return;
	}
	gt_human_number(v, buf, sizeof(buf));
	gt_html_escape(out, buf);
}

void gt_repcharts_summary(FILE *out, const Gtsync__V1__ReportReply *rep,
                          const struct gt_meta_dataset *ds)
{
	const struct gt_meta_element *els[GT_REPCHARTS_MAX_COLS];
	size_t n = gt_repcharts_summed(ds, els, GT_REPCHARTS_MAX_COLS);

	if (rep->n_children == 0 || n == 0)
		return;
	fprintf(out,
	        "<section class=\"summary\"><h2>%s</h2><table class=\"summary\"><thead><tr>"
	        "<th>%s</th><th class=\"n\">%s</th>",
	        _("Summary by unit"), _("Unit"), _("Reported"));
	for (size_t j = 0; j < n; j++) {
		fputs("<th class=\"n\">", out);
		gt_html_escape(out, els[j]->name);
		fputs("</th>", out);
	}
	fputs("</tr></thead><tbody>", out);
	for (size_t i = 0; i < rep->n_children; i++) {
		const Gtsync__V1__ChildReport *c = rep->children[i];
		fputs("<tr><th scope=\"row\">", out);
		gt_html_escape(out, c->name);
		fprintf(out, "</th><td class=\"n\">%u / %u</td>", c->reported_units, c->expected);
		for (size_t j = 0; j < n; j++) {
			fputs("<td class=\"n\">", out);
			num(out, gt_repcharts_total(c->values, c->n_values, els[j]->code));
			fputs("</td>", out);
		}
		fputs("</tr>", out);
	}
	fprintf(out, "</tbody><tfoot><tr><th scope=\"row\">%s</th><td class=\"n\">%u / %u</td>",
	        _("Total"), rep->completeness ? rep->completeness->reported : 0,
	        rep->completeness ? rep->completeness->expected : 0);
	for (size_t j = 0; j < n; j++) {
		fputs("<td class=\"n\">", out);
		num(out, gt_repcharts_total(rep->totals, rep->n_totals, els[j]->code));
		fputs("</td>", out);
	}
	fputs("</tr></tfoot></table>", out);
	gt_repcharts_children(out, rep, ds);
	fputs("</section>\n", out);
}
