/* Charts as inline SVG, each with its data table, for the dashboard and the chair's report. */
#ifndef GT_SVGCHART_H
#define GT_SVGCHART_H

#include <stddef.h>
#include <stdio.h>

/* Most labels (x positions) and series a chart draws; more are left out of the picture and
 * the table alike (the caller's own tables hold everything). */
#define GT_SVGCHART_MAX_LABELS 64u
#define GT_SVGCHART_MAX_SERIES 12u

/* One series: its name and one value per label (NAN: none). Borrowed. */
struct gt_svgchart_series {
	const char *name;
	const double *values;
	const char *code; /* optional: written as data-s on the table's cells, for checking */
};

/* A chart's data; borrowed. */
struct gt_svgchart {
	const char *id;    /* the figure's id (letters, digits, '-'), for links and tests */
	const char *title; /* the caption */
	const char *const *labels;
	size_t nlabels;
	const char *const *keys; /* optional, one per label: data-k on the table's rows */
	const struct gt_svgchart_series *series;
	size_t nseries;
};

/*
 * Each writes one <figure>: its caption, an inline <svg role="img"> readable without
 * JavaScript (no style attributes, so a strict Content-Security-Policy allows it), and a
 * <table> of the same numbers for screen readers and for checking. Every text is escaped.
 * Returns 0, or GT_EINVAL for a chart without labels or series.
 */

/* A line per series across the labels (months). */
int gt_svgchart_line(FILE *out, const struct gt_svgchart *c);

/* One bar per label, the series stacked in it (sex and age groups per region). */
int gt_svgchart_bars(FILE *out, const struct gt_svgchart *c);

/* A funnel of the first series: one bar per label, narrowing (law-enforcement stages). */
int gt_svgchart_funnel(FILE *out, const struct gt_svgchart *c);

#endif
