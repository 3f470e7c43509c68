/* The report model: what every renderer of a consolidated report shares. */
#ifndef GT_RMODEL_H
#define GT_RMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "metadata.h"
#include "wire.h"

/*
 * The renderers of a report (tablereport.c, csvreport.c, jsonreport.c, textreport.c, html.c)
 * sit above this module and below render.c, which holds the table of formats: a renderer uses
 * the model and never another renderer. The model reads a ReportReply as the server sent it:
 * the rows in the data set's form order, the figure of a key among a list of values, a unit's
 * own figures besides its children's, the names of units, numbers and times as the reports
 * write them.
 */

/* How every report writes a cell withheld from a reader (docs/PRIVACY.md): the same mark for
 * every withheld cell, whatever its figure, so that the mark itself tells nothing. */
#define GT_RMODEL_WITHHELD "*"

/* Longest number gt_rmodel_number() writes, with its NUL. */
#define GT_RMODEL_NUM_LEN 64

/* Names of org units that a report gives by code only (the units that did not report). */
struct gt_rmodel_names {
	/* Returns code's name, or NULL when unknown; borrowed until the next call. */
	const char *(*name)(void *arg, const char *code);
	void *arg;
	/* The office's time zone ("WIB", "WITA", "WIT") for the times a person reads; NULL or
	 * "" for WIB. Borrowed. */
	const char *zone;
};

/* The name of code through names (either may be NULL), else the name of a child of rep with
 * that code, else NULL. Borrowed. */
const char *gt_rmodel_name(const struct gt_rmodel_names *names, const Gtsync__V1__ReportReply *rep,
                           const char *code);

/* The number a withheld cell stands as in charts and headline figures: a NaN with its sign set,
 * so it is "no number" to every arithmetic check, yet the writers tell it from a missing one
 * and write GT_RMODEL_WITHHELD rather than a dash (issue 14). */
double gt_rmodel_withheld_value(void);

/* Whether v is gt_rmodel_withheld_value(). */
int gt_rmodel_is_withheld(double v);

/* The value of (element, option) among values[0..n) (entries of the same key added), NAN when
 * there is none, or gt_rmodel_withheld_value() when it is withheld from a reader. */
double gt_rmodel_find(Gtsync__V1__ReportValue *const *values, size_t n, const char *element,
                      const char *option);

/* Whether the report's own org unit holds figures of its own besides its children's (a
 * province that reports its own cases): some summed total counts more stored values than its
 * children together. Only meaningful for a report with its per-child breakdown. */
int gt_rmodel_has_own(const Gtsync__V1__ReportReply *rep);

/* The org unit's own figure of (element, option): the total less its children's values, or
 * NAN when the unit stored none of that key or a figure is withheld from a reader. */
double gt_rmodel_own(const Gtsync__V1__ReportReply *rep, const char *element, const char *option);

/* Where a table of figures comes from: a list of values (the totals, a child's), or the unit's
 * own figures (own set: the totals less the children's). Borrowed. */
struct gt_rmodel_source {
	const Gtsync__V1__ReportReply *rep;
	Gtsync__V1__ReportValue *const *values;
	size_t n;
	int own;
};

/* The figure of (element, option) from src, or NAN. */
double gt_rmodel_get(const struct gt_rmodel_source *src, const char *element, const char *option);

/* Whether element e of ds starts a group: the first summed element of its category combo
 * (a table has one group per combo, its options as columns). */
int gt_rmodel_group_start(const struct gt_meta_dataset *ds, size_t e);

/* The answer of an element aggregated "none" among values[0..n) (the last entry with its
 * code), or NULL. Borrowed. */
const Gtsync__V1__ReportValue *gt_rmodel_answer(Gtsync__V1__ReportValue *const *values, size_t n,
                                                const char *element);

/* One row of a report: an (element, option) pair found in the totals or a child's values. */
struct gt_rmodel_row {
	const char *element; /* borrowed from the reply */
	const char *coc;
	long order; /* position in the data set, then option index; -1 when not in meta */
	const struct gt_meta_element *e; /* NULL when not in meta */
};

/* The distinct (element, option) pairs of rep's totals and children, in the data set's form
 * order when meta (optional) knows them, the others after them by code. Caller frees *rows. */
int gt_rmodel_rows(const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                   struct gt_rmodel_row **rows, size_t *n);

/* The entry of row's key among vals[0..n), or NULL. Borrowed. */
const Gtsync__V1__ReportValue *gt_rmodel_value(Gtsync__V1__ReportValue *const *vals, size_t n,
                                               const struct gt_rmodel_row *row);

/* The text of a value as the reports write it: GT_RMODEL_WITHHELD for a withheld cell, its
 * text in full for an answer (borrowed from v), else its number written into num. */
const char *gt_rmodel_value_text(const Gtsync__V1__ReportValue *v, char num[GT_RMODEL_NUM_LEN]);

/* Formats a report number: a whole number without decimals, else up to 15 significant digits;
 * "NaN" and "inf" for the non-finite (JSON writers write null instead). */
void gt_rmodel_number(double v, char *buf, size_t len);

/* How gt_rmodel_time() writes a time (always UTC). */
enum gt_rmodel_time_style {
	GT_RMODEL_TIME_ISO,        /* 2025-01-31T14:05:09Z */
	GT_RMODEL_TIME_MINUTE,     /* 2025-01-31 14:05 */
	GT_RMODEL_TIME_MINUTE_UTC, /* 2025-01-31 14:05 UTC */
};

/* Formats Unix milliseconds in style into buf; "" for 0 or a time out of range. */
void gt_rmodel_time(int64_t ms, enum gt_rmodel_time_style style, char *buf, size_t len);

/* Whether s holds anything but NULL or "". */
int gt_rmodel_has_text(const char *s);

/* s, or "" for NULL (protobuf-c gives NULL for an absent string in some paths). */
const char *gt_rmodel_str(const char *s);

/* Who took a workflow event, for people and exports (DHIS2 storedBy): the key's label when
 * the server sent one, else its key id. Borrowed from ev. */
const char *gt_rmodel_event_who(const Gtsync__V1__WorkflowEvent *ev);

/* The role the event's key acted in ("approver"), or NULL when the server did not say. */
const char *gt_rmodel_event_role(const Gtsync__V1__WorkflowEvent *ev);

#endif
