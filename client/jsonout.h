/* Writing JSON through jansson: strings made valid UTF-8, numbers as the reports write them. */
#ifndef GT_JSONOUT_H
#define GT_JSONOUT_H

#include <jansson.h>
#include <stdio.h>

/* Flags every gtsync JSON document is written with: members in insertion order, ", " and ": "
 * between items, 15 significant digits for fractions. */
#define GT_JSONOUT_FLAGS (JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* A new JSON string of s (NULL is ""): valid UTF-8 is kept, every byte of invalid UTF-8
 * becomes U+FFFD, so any C string makes a string jansson accepts. NULL when out of memory.
 * Caller owns the reference. */
json_t *gt_jsonout_string(const char *s);

/* A new JSON number: an integer for a whole value within 2^53, else a real; null for NaN and
 * the infinities. NULL when out of memory. Caller owns the reference. */
json_t *gt_jsonout_number(double v);

/* Sets obj[key] to v, taking v's reference (also on failure). Returns 0, or GT_ENOMEM when v is
 * NULL (a failed allocation above) or the member cannot be added. */
int gt_jsonout_set(json_t *obj, const char *key, json_t *v);

/* Appends v to arr, taking v's reference (also on failure). Returns 0 or GT_ENOMEM. */
int gt_jsonout_append(json_t *arr, json_t *v);

/* Writes v (borrowed) to out with GT_JSONOUT_FLAGS and extra_flags (JSON_INDENT(n), ...).
 * Returns 0 or GT_EIO. */
int gt_jsonout_dump(FILE *out, const json_t *v, size_t extra_flags);

#endif
