/* Charts as inline SVG, each with its data table, for the dashboard and the chair's report. */
#include "svgchart.h"

#include <math.h>
#include <string.h>

#include "error.h"
#include "html.h"
#include "humanfmt.h"
#include "rmodel.h"

/* The drawing's size in user units, and its margins. */
#define W      640
#define H      260
#define LEFT   56
#define RIGHT  12
#define TOP    12
#define BOTTOM 44

/* Colours of the series, told apart also in greyscale print. */
static const char *const colours[] = {"#7a1020", "#1f5fa8", "#e0a100", "#2e8b57",
                                      "#8e44ad", "#d35400", "#555555", "#16a085",
                                      "#c0392b", "#2c3e50", "#7f8c8d", "#b7950b"};

static size_t nlabels(const struct gt_svgchart *c)
{
	return c->nlabels < GT_SVGCHART_MAX_LABELS ? c->nlabels : GT_SVGCHART_MAX_LABELS;
}

static size_t nseries(const struct gt_svgchart *c)
{
	return c->nseries < GT_SVGCHART_MAX_SERIES ? c->nseries : GT_SVGCHART_MAX_SERIES;
}

static double val(const struct gt_svgchart *c, size_t s, size_t i)
{
	double v = c->series[s].values[i];

	return isfinite(v) ? v : 0;
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

/* A round top for the axis at or above max (1, 2 or 5 times a power of ten). */
static double nice_top(double max)
{
	double p;

	if (!(max > 0))
		return 1;
	p = pow(10, floor(log10(max)));
	if (max <= p)
		return p;
	if (max <= 2 * p)
		return 2 * p;
	if (max <= 5 * p)
		return 5 * p;
	return 10 * p;
}

static void open_figure(FILE *out, const struct gt_svgchart *c, const char *kind)
{
	fputs("<figure class=\"chart\" id=\"", out);
	gt_html_escape(out, c->id);
	fputs("\"><figcaption>", out);
	gt_html_escape(out, c->title);
	fprintf(out,
	        "</figcaption><svg viewBox=\"0 0 %d %d\" role=\"img\" class=\"%s\" "
	        "aria-label=\"",
	        W, H, kind);
	gt_html_escape(out, c->title);
	fputs("\">", out);
}

/* The value axis: four grid lines with their numbers. */
static void axis(FILE *out, double top)
{
	for (int g = 0; g <= 4; g++) {
		double y = TOP + (H - TOP - BOTTOM) * (1.0 - g / 4.0);
		fprintf(out,
		        "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ccc\"/>"
		        "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">",
		        LEFT, W - RIGHT, y, y, LEFT - 4, y + 4);
		num(out, top * g / 4.0);
		fputs("</text>", out);
	}
}

/* The labels under the x positions (every one when they fit, else every few). */
static void xlabels(FILE *out, const struct gt_svgchart *c, double x0, double step)
{
	size_t n = nlabels(c), every = n > 12 ? (n + 11) / 12 : 1;

	for (size_t i = 0; i < n; i += every) {
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">",
		        x0 + step * (double)i, H - BOTTOM + 16);
		gt_html_escape(out, c->labels[i]);
		fputs("</text>", out);
	}
}

/* The legend under the drawing, then the data table, and the figure's end. */
static void close_figure(FILE *out, const struct gt_svgchart *c, int legend)
{
	size_t ns = nseries(c), n = nlabels(c);

	/* The first three series' colours; the table names every series. */
	for (size_t s = 0; legend && s < ns && s < 3; s++) {
		double x = LEFT + (double)s * 200;
		fprintf(out,
		        "<rect x=\"%.1f\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
		        "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">",
		        x, H - 23, colours[s % (sizeof(colours) / sizeof(colours[0]))], x + 14,
		        H - 14);
		gt_html_escape(out, c->series[s].name);
		fputs("</text>", out);
	}
	fputs("</svg><table class=\"chartdata\"><thead><tr><th></th>", out);
	for (size_t s = 0; s < ns; s++) {
		fputs("<th class=\"n\">", out);
		gt_html_escape(out, c->series[s].name);
		fputs("</th>", out);
	}
	fputs("</tr></thead><tbody>", out);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr", out);
		if (c->keys != NULL) {
			fputs(" data-k=\"", out);
			gt_html_escape(out, c->keys[i]);
			fputc('"', out);
		}
		fputs("><th scope=\"row\">", out);
		gt_html_escape(out, c->labels[i]);
		fputs("</th>", out);
		for (size_t s = 0; s < ns; s++) {
			double v = c->series[s].values[i];
			char raw[GT_RMODEL_NUM_LEN] = "";
			if (isfinite(v))
				gt_rmodel_number(v, raw, sizeof(raw));
			fputs("<td class=\"n\"", out);
			if (c->series[s].code != NULL) {
				fputs(" data-s=\"", out);
				gt_html_escape(out, c->series[s].code);
				fputc('"', out);
			}
			fprintf(out, " data-v=\"%s\"%s>", raw,
			        gt_rmodel_is_withheld(v) ? " data-withheld=\"1\"" : "");
			num(out, v);
			fputs("</td>", out);
		}
		fputs("</tr>", out);
	}
	fputs("</tbody></table></figure>", out);
}

int gt_svgchart_line(FILE *out, const struct gt_svgchart *c)
{
	size_t n = nlabels(c), ns = nseries(c);
	double max = 0, top, step, x0 = LEFT + 16;

	if (n == 0 || ns == 0)
		return GT_EINVAL;
	for (size_t s = 0; s < ns; s++)
		for (size_t i = 0; i < n; i++)
			max = fmax(max, val(c, s, i));
	top = nice_top(max);
	step = n > 1 ? (W - RIGHT - 16 - x0) / (double)(n - 1) : 0;
	open_figure(out, c, "line");
	axis(out, top);
	for (size_t s = 0; s < ns; s++) {
		const char *col = colours[s % (sizeof(colours) / sizeof(colours[0]))];
		/* A label without a value (a month not reported) is a gap: the line breaks there
		 * instead of falling to 0, one polyline per run of values. */
		for (size_t i = 0; i < n; i++) {
			if (!isfinite(c->series[s].values[i]))
				continue;
			size_t end = i;
			while (end + 1 < n && isfinite(c->series[s].values[end + 1]))
				end++;
			if (end > i) {
				fprintf(out,
				        "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
				        "points=\"",
				        col);
				for (size_t k = i; k <= end; k++)
					fprintf(out, "%s%.1f,%.1f", k > i ? " " : "",
					        x0 + step * (double)k,
					        TOP + (H - TOP - BOTTOM) *
					                  (1.0 - val(c, s, k) / top));
				fputs("\"/>", out);
			}
			i = end;
		}
		for (size_t i = 0; i < n; i++)
			if (isfinite(c->series[s].values[i]))
				fprintf(out,
				        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
				        x0 + step * (double)i,
				        TOP + (H - TOP - BOTTOM) * (1.0 - val(c, s, i) / top), col);
	}
	xlabels(out, c, x0, step);
	close_figure(out, c, 1);
	return GT_OK;
}

int gt_svgchart_bars(FILE *out, const struct gt_svgchart *c)
{
	size_t n = nlabels(c), ns = nseries(c);
	double max = 0, top, slot, bw;

	if (n == 0 || ns == 0)
		return GT_EINVAL;
	for (size_t i = 0; i < n; i++) {
		double sum = 0;
		for (size_t s = 0; s < ns; s++)
			sum += fmax(0, val(c, s, i));
		max = fmax(max, sum);
	}
	top = nice_top(max);
	slot = (W - RIGHT - LEFT) / (double)n;
	bw = slot * 0.7;
	open_figure(out, c, "bars");
	axis(out, top);
	for (size_t i = 0; i < n; i++) {
		double y = H - BOTTOM;
		for (size_t s = 0; s < ns; s++) {
			double h = (H - TOP - BOTTOM) * fmax(0, val(c, s, i)) / top;
			y -= h;
			fprintf(out,
			        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			        "fill=\"%s\"/>",
			        LEFT + slot * (double)i + (slot - bw) / 2, y, bw, h,
			        colours[s % (sizeof(colours) / sizeof(colours[0]))]);
		}
	}
	xlabels(out, c, LEFT + slot / 2, slot);
	close_figure(out, c, 1);
	return GT_OK;
}

int gt_svgchart_funnel(FILE *out, const struct gt_svgchart *c)
{
	size_t n = nlabels(c);
	double max = 0, rh;

	if (n == 0 || nseries(c) == 0)
		return GT_EINVAL;
	for (size_t i = 0; i < n; i++)
		max = fmax(max, val(c, 0, i));
	if (!(max > 0))
		max = 1;
	rh = (H - TOP - 8) / (double)n;
	open_figure(out, c, "funnel");
	for (size_t i = 0; i < n; i++) {
		double w = (W - 2 * LEFT - 120) * val(c, 0, i) / max;
		double x = LEFT + 120 + ((W - 2 * LEFT - 120) - w) / 2;
		double y = TOP + rh * (double)i;
		fprintf(out,
		        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>"
		        "<text x=\"%d\" y=\"%.1f\" font-size=\"11\">",
		        x, y + 2, w, rh - 4, colours[0], 4, y + rh / 2 + 4);
		gt_html_escape(out, c->labels[i]);
		fprintf(out,
		        "</text><text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">",
		        W - 4, y + rh / 2 + 4);
		num(out, c->series[0].values[i]);
		fputs("</text>", out);
	}
	close_figure(out, c, 0);
	return GT_OK;
}
