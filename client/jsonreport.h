/* The report as JSON: the whole reply, or a DHIS2 dataValueSets document of the totals. */
#ifndef GT_JSONREPORT_H
#define GT_JSONREPORT_H

#include <stdio.h>

#include "metadata.h"
#include "rmodel.h"
#include "wire.h"

/* Writes rep (borrowed) to out as one JSON object: orgUnit, orgUnitName, dataSet, period,
 * generatedAt, approvalState, completeness, totals and children with their values (in the
 * form's order when meta, borrowed and optional, knows it). names is unused. Returns 0,
 * GT_ENOMEM or GT_EIO. */
int gt_json_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                   const struct gt_rmodel_names *names);

/* Writes the totals of rep as a DHIS2 dataValueSets document: dataSet, period, orgUnit and
 * dataValues with dataElement, categoryOptionCombo, value (a string, as DHIS2 carries every
 * value) and comment. names is unused. */
int gt_dhis2_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                    const struct gt_rmodel_names *names);

/* Writes s as a JSON string (with the quotes): '"', '\\' and control characters escaped,
 * valid UTF-8 copied, every byte of invalid UTF-8 written as \ufffd, so the output is always
 * valid JSON. NULL is written as "". */
void gt_jsonreport_string(FILE *out, const char *s);

#endif
