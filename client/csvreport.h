/* The report as CSV: one line per value of the totals and of each child, for spreadsheets. */
#ifndef GT_CSVREPORT_H
#define GT_CSVREPORT_H

#include <stdio.h>

#include "metadata.h"
#include "rmodel.h"
#include "wire.h"

/* Writes rep (borrowed) to out as CSV (RFC 4180): a header line
 * "dataelement,period,orgunit,categoryoptioncombo,value,count,comment", then one line per value
 * of the totals (orgunit: the report's unit) and of each child, in the form's order when meta
 * (borrowed, optional) knows it. Text values and comments are written in full, every field
 * through gt_csvreport_field(). names is unused. Returns 0, GT_ENOMEM or GT_EIO. */
int gt_csv_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                  const struct gt_rmodel_names *names);

/* Writes s as one CSV field: quoted (quotes doubled) when it holds a comma, a quote, a line
 * break or leading or trailing white space. A field a spreadsheet would take as a formula
 * (starting with '=', '+', '-', '@', a tab or a CR) and that is not a plain number gets a
 * leading single quote and is quoted, as OWASP's guidance on CSV injection says; a plain number
 * ("-3", "2.5e3") is written as it is. NULL is written as nothing. */
void gt_csvreport_field(FILE *out, const char *s);

#endif
