/* Rendering of the server's consolidated reports: a table, CSV, JSON, DHIS2 dataValueSets. */
#ifndef GT_RENDER_H
#define GT_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "metadata.h"
#include "wire.h"

enum gt_render_format {
	GT_RENDER_TABLE = 0, /* for a person: one row per element and option, a column per child */
	GT_RENDER_CSV,       /* dataelement,period,orgunit,categoryoptioncombo,value,count */
	GT_RENDER_JSON,      /* the whole reply: totals, children, completeness */
	GT_RENDER_DHIS2,     /* a DHIS2 dataValueSets document of the totals */
};

/* Parses "table", "csv", "json" or "dhis2"; GT_EINVAL otherwise. */
int gt_render_format_parse(const char *name, enum gt_render_format *out);

/* Writes rep (borrowed) to out in format f. meta (optional, borrowed) orders rows as the data
 * set lists its elements and gives the names in the table. Returns 0 or GT_EIO. */
int gt_render_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                     enum gt_render_format f);

/* Writes s as a JSON string (with the quotes): '"', '\\' and control characters escaped,
 * valid UTF-8 copied, every byte of invalid UTF-8 written as \ufffd, so the output is always
 * valid JSON. NULL is written as "". */
void gt_render_json_string(FILE *out, const char *s);

/* Writes s as one CSV field, quoted (quotes doubled) when it holds a comma, a quote, a line
 * break or leading/trailing space. NULL is written as nothing. */
void gt_render_csv_field(FILE *out, const char *s);

/* Formats a report number: a whole number without decimals, else up to 15 significant digits;
 * "NaN"/"inf" never occur in JSON (callers write null). */
void gt_render_number(double v, char *buf, size_t len);

#endif
