/* Checks one data value against the metadata as the server will, before it is queued. */
#ifndef GT_VALCHECK_H
#define GT_VALCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "metadata.h"

/* What a value is checked against; everything borrowed. */
struct gt_valcheck {
	const struct gt_meta *meta;
	const char *own_org; /* the key's org unit: an operator writes only its own */
	const char *dataset; /* "" or NULL: any data set of the element; else this one */
	int64_t now_ms;      /* values for periods that have not started are refused */
};

/* A value to check; borrowed. coc "" is the default combo. */
struct gt_valcheck_value {
	const char *data_element;
	const char *period;
	const char *org_unit;
	const char *coc;
	const char *value;
	int deleted;         /* a deletion carries no value to check */
	const char *comment; /* NULL or "": none */
};

/* Longest explanation gt_valcheck_run() writes, with its NUL. */
#define GT_VALCHECK_MAX_WHY 512u

/*
 * Checks v as the server does: the data element exists; the category option combo is one of
 * the element's options ("" for the default combo); the org unit is the key's own; the period
 * is a valid DHIS2 id of the period type of a data set that holds the element and is reported
 * at the org unit's level (c->dataset, if set, must be such a data set); the period has
 * started; the value matches the element's type; a comment is allowed on the element, and
 * neither the comment nor a text value holds what identifies a person. Returns 0, or GT_EINVAL with
 * a sentence for a person in why[0..GT_VALCHECK_MAX_WHY). On success *ds (optional) is the data set
 * the value belongs to when exactly one fits, else NULL.
 */
int gt_valcheck_run(const struct gt_valcheck *c, const struct gt_valcheck_value *v,
                    const struct gt_meta_dataset **ds, char why[GT_VALCHECK_MAX_WHY]);

#endif
