/* The chair's report as plain text, for a terminal or a printer. */
#ifndef GT_TEXTREPORT_H
#define GT_TEXTREPORT_H

#include <stdio.h>

#include "metadata.h"
#include "rmodel.h"
#include "wire.h"

/* Widest line the text report writes, in characters (names are cut to fit). */
#define GT_TEXT_WIDTH 100

/* Writes rep (borrowed) as plain text to out: the approval state and its signed history,
 * completeness and timeliness per child with each child's approval state, the units that did
 * not report (named through names, optional), the totals as tables (one row per data element,
 * one column per category option, e.g. the sex x age breakdown, and a total), the yes/no and
 * text answers, the same tables per child and for the unit's own figures, and for action-plan
 * data sets target, achievement and gap per indicator. meta (borrowed, optional) gives names
 * and the form's order. Every text from the reply or the metadata is escaped for the terminal
 * (termtext.h). Returns 0 or GT_EIO. */
int gt_text_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                   const struct gt_rmodel_names *names);

#endif
