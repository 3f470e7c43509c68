/* Org-unit codes: the national root "ID", provinces "53" and districts "53.71". */
#ifndef GT_ORGUNIT_H
#define GT_ORGUNIT_H

#include <stddef.h>

/*
 * A code is one of:
 *   "ID"     the national root, level 1;
 *   "PP"     a province, level 2: two digits forming 11..99 (Kemendagri code);
 *   "PP.DD"  a district (kabupaten/kota), level 3: a province code, a dot and two digits
 *            forming 01..99.
 * Nothing else is accepted: no spaces, no lower case, no other separator, no extra digits.
 */
#define GT_ORGUNIT_ROOT "ID"

/* Size of a buffer that holds any valid code with its terminating NUL ("53.71" needs 6). */
#define GT_ORGUNIT_MAX_LEN 8

/* Levels of the tree. */
#define GT_ORGUNIT_LEVEL_NATIONAL 1
#define GT_ORGUNIT_LEVEL_PROVINCE 2
#define GT_ORGUNIT_LEVEL_DISTRICT 3

/* The most org units on the path from a unit up to the root, the unit included. */
#define GT_ORGUNIT_MAX_DEPTH GT_ORGUNIT_LEVEL_DISTRICT

/* Returns 0 if code (borrowed, NUL-terminated) is a well-formed code, GT_EINVAL otherwise
 * (also for NULL). */
int gt_orgunit_valid(const char *code);

/* Returns the level of code (1 national, 2 province, 3 district), or GT_EINVAL if code is
 * malformed or NULL. */
int gt_orgunit_level(const char *code);

/* Writes the parent's code of code into out[0..outlen) (NUL-terminated): a district's
 * province, a province's "ID". Returns GT_ENOENT for "ID" (the root has no parent),
 * GT_EINVAL for a malformed code or NULL out, GT_ETOOBIG if outlen cannot hold the parent;
 * on any failure out is the empty string when outlen > 0. */
int gt_orgunit_parent(const char *code, char *out, size_t outlen);

/* Returns 1 if ancestor equals code or is an ancestor of code ("ID" contains everything,
 * "53" contains "53.71"), 0 if not, GT_EINVAL if either is malformed. Both borrowed. */
int gt_orgunit_contains(const char *ancestor, const char *code);

#endif
