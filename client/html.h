/* The chair's report: one self-contained, printable HTML page of a consolidated report. */
#ifndef GT_HTML_H
#define GT_HTML_H

#include <stdio.h>

#include "metadata.h"
#include "rmodel.h"
#include "wire.h"

/* Writes rep (borrowed) as one HTML document to out: the totals as tables (one row per data
 * element, one column per category option, e.g. the sex x age breakdown), one such table per
 * child (province or district), completeness and timeliness per child, the approval state of
 * the unit and of each child with the unit's signed history, what is missing, and for
 * action-plan data sets target, achievement and gap per indicator, the yes/no and text answers,
 * and the unit's own figures when it reports some besides its children's. meta (borrowed,
 * optional) gives names and the order of elements and options; names (borrowed, optional)
 * names the missing units. Everything is escaped; no external resources are referenced.
 * Returns 0 or GT_EIO. */
int gt_html_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                   const struct gt_rmodel_names *names);

/* Writes s with &, <, >, " and ' escaped for HTML text and attributes; NULL writes nothing. */
void gt_html_escape(FILE *out, const char *s);

#endif
