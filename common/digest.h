/* The approval digest: SHA-256 over a canonical listing of the values an approver approves. */
#ifndef GT_DIGEST_H
#define GT_DIGEST_H

#include <stdint.h>

#include "gtlimits.h"

/*
 * An approve action carries the digest of exactly the values it approves: every non-deleted
 * value of the data set's elements, for org units in the approved unit's subtree, in periods
 * the approval period contains. The canonical listing is
 *
 *   "gtsync-approval-v1\n" DATASET "\t" PERIOD "\t" ORGUNIT "\n"
 *   then one line per value: ELEMENT "\t" PERIOD "\t" ORGUNIT "\t" COMBO "\t" VALUE "\n"
 *
 * with the value lines in ascending bytewise order of (element, period, org unit, combo),
 * each field compared as a whole (strcmp). The digest is SHA-256 of those bytes. Codes never
 * contain tabs or line breaks (they are refused); in a VALUE, a backslash is written as two
 * backslashes and a tab, line feed and carriage return as \t, \n and \r, so a text value of
 * several lines is listed on one line and can be approved.
 */
struct gt_digest;

/* Starts a digest for (dataset, period, org_unit); caller frees with gt_digest_free(). */
int gt_digest_begin(const char *dataset, const char *period, const char *org_unit,
                    struct gt_digest **out);

/* Adds one value; values must come in canonical order: GT_EINVAL if one is out of order, a
 * duplicate key, or a code holds a tab or line break (the digest is then unusable). The value
 * is escaped as described above. Strings borrowed. */
int gt_digest_add(struct gt_digest *d, const char *element, const char *period,
                  const char *org_unit, const char *combo, const char *value);

/* Finishes the digest into out and reports the number of values added. */
int gt_digest_end(struct gt_digest *d, uint8_t out[GT_SHA256_LEN], uint64_t *count);

/* Frees a digest; accepts NULL. */
void gt_digest_free(struct gt_digest *d);

/* Compares two value keys in canonical order (<0, 0, >0); for callers that sort first. */
int gt_digest_key_cmp(const char *e1, const char *p1, const char *o1, const char *c1,
                      const char *e2, const char *p2, const char *o2, const char *c2);

#endif
