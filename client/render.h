/* The report formats: a table of {name, renderer}, above the renderers and the report model. */
#ifndef GT_RENDER_H
#define GT_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "metadata.h"
#include "rmodel.h"
#include "wire.h"

/*
 * Layers, each using only those below it:
 *
 *   render.c      the table of formats (this header): a name, a sentence, a renderer
 *   renderers     tablereport.c, csvreport.c, jsonreport.c (json, dhis2), textreport.c, html.c
 *   rmodel.c      the report model: rows, lookups, own figures, names, numbers, times
 *
 * Adding a format is one renderer (its .c and .h) and one line in the table in render.c; the
 * command's --help and its errors list the formats from the table.
 */

/* Writes rep (borrowed) to out. meta (optional, borrowed) names and orders the rows as the data
 * set lists its elements; names (optional, borrowed) names units the reply gives by code.
 * Returns 0, GT_ENOMEM or GT_EIO. */
typedef int (*gt_render_fn)(FILE *out, const Gtsync__V1__ReportReply *rep,
                            const struct gt_meta *meta, const struct gt_rmodel_names *names);

/* One report format. */
struct gt_render_format {
	const char *name; /* as --format spells it */
	const char *help; /* what it is, for --help ("the chair's report as one HTML page") */
	gt_render_fn render;
};

/* The format called name, or NULL. The first format of the table is the default
 * (gt_render_format_find(NULL)). */
const struct gt_render_format *gt_render_format_find(const char *name);

/* The format at index i of the table (0, 1, ...), or NULL past the last. */
const struct gt_render_format *gt_render_format_at(size_t i);

/* Writes the formats' names into buf[0..len) as "a, b, c or d" (with sep ", " and last " or "),
 * or with their help as "a (help), b (help) ..." when with_help is set. Cut to fit. */
void gt_render_format_list(char *buf, size_t len, int with_help);

/* Renders rep with format f and flushes out. Returns 0, GT_EINVAL (no format), GT_ENOMEM or
 * GT_EIO (the output could not be written). */
int gt_render_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                     const struct gt_rmodel_names *names, const struct gt_render_format *f);

#endif
