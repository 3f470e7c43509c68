/* The report as a table for a terminal: a row per element and option, a column per child. */
#ifndef GT_TABLEREPORT_H
#define GT_TABLEREPORT_H

#include <stdio.h>

#include "metadata.h"
#include "rmodel.h"
#include "wire.h"

/* Writes rep (borrowed) to out: a heading with completeness and the units that did not report,
 * one line per (element, option) with a column per child and the total, each child's
 * completeness, and the element names when meta (borrowed, optional) knows them. Text from the
 * reply is escaped for the terminal (termtext.h). names is unused. Returns 0, GT_ENOMEM or
 * GT_EIO. */
int gt_table_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                    const struct gt_rmodel_names *names);

#endif
