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
	GT_RENDER_TEXT,      /* the chair's report as plain text (client/textreport.h) */
	GT_RENDER_HTML,      /* the chair's report as one HTML page (client/html.h) */
};

/* Names of org units that a report gives by code only (the units that did not report). */
struct gt_render_names {
	/* Returns code's name, or NULL when unknown; borrowed until the next call. */
	const char *(*name)(void *arg, const char *code);
	void *arg;
};

/* Parses "table", "csv", "json", "dhis2", "text" or "html"; GT_EINVAL otherwise. */
int gt_render_format_parse(const char *name, enum gt_render_format *out);

/* Writes rep (borrowed) to out in format f. meta (optional, borrowed) orders rows as the data
 * set lists its elements and gives the names in the table; names (optional, borrowed) names
 * the missing units in text and html. Returns 0 or GT_EIO. */
int gt_render_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                     const struct gt_render_names *names, enum gt_render_format f);

/* The name of code through names (either may be NULL), else the name of a child of rep with
 * that code, else NULL. Borrowed. */
const char *gt_render_name(const struct gt_render_names *names, const Gtsync__V1__ReportReply *rep,
                           const char *code);

/* The value of (element, option) among values[0..n) (entries of the same key added), or NAN
 * when there is none. */
double gt_render_find(Gtsync__V1__ReportValue *const *values, size_t n, const char *element,
                      const char *option);

/* Whether the report's own org unit holds figures of its own besides its children's (a
 * province that reports its own cases): some summed total counts more stored values than its
 * children together. Only meaningful for a report with its per-child breakdown. */
int gt_render_has_own(const Gtsync__V1__ReportReply *rep);

/* The org unit's own figure of (element, option): the total less its children's values, or
 * NAN when the unit stored none of that key. */
double gt_render_own(const Gtsync__V1__ReportReply *rep, const char *element, const char *option);

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
