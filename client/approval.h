/* The approval digest as an approver computes it: over a fresh pull of the server's data. */
#ifndef GT_APPROVAL_H
#define GT_APPROVAL_H

#include <stdint.h>

#include "gtlimits.h"
#include "home.h"
#include "metadata.h"
#include "wire.h"

/* Most values one approval may cover (checked before growing the list). */
#define GT_APPROVAL_MAX_VALUES 5000000u

/*
 * An approve action signs the digest of common/digest.h: the non-deleted values of the data
 * set's elements, for org units in the approved unit's subtree, in the periods of the data
 * set's period type that the approval period contains, in canonical order. The approver
 * computes it over what it sees: the subtree's values pulled from the server at that moment
 * (not a replica that may be stale), so the server accepts the approval only if its data is
 * still exactly that.
 */
struct gt_approval;

/* Starts collecting for (dataset, period, org_unit). GT_ENOENT if meta (borrowed) has no such
 * data set, GT_EINVAL if the period is malformed or finer than the data set's period type or
 * the org unit is malformed. Caller frees *out with gt_approval_free(). */
int gt_approval_begin(const struct gt_meta *meta, const char *dataset, const char *period,
                      const char *org_unit, struct gt_approval **out);

/* Adds the values of one pulled chunk (borrowed) that the approval covers; a key pulled again
 * (a later change) replaces the earlier one, a deletion removes it. GT_ETOOBIG past
 * GT_APPROVAL_MAX_VALUES. */
int gt_approval_add(struct gt_approval *a, const Gtsync__V1__PullChunk *chunk);

/* Sorts the latest value of each key into canonical order and digests them: out receives the
 * SHA-256, *count (optional) the number of values. The collected values stay, so the call may
 * be repeated. */
int gt_approval_end(struct gt_approval *a, uint8_t out[GT_SHA256_LEN], uint64_t *count);

/* Frees a collection; accepts NULL. */
void gt_approval_free(struct gt_approval *a);

/* Connects as h's key, pulls org_unit's whole subtree from the server (cursor 0) and computes
 * the approval digest of (dataset, period, org_unit) with meta (borrowed) into out, the number
 * of values in *count. A failure is explained on h->err. */
int gt_approval_pull(struct gt_home *h, const struct gt_meta *meta, const char *dataset,
                     const char *period, const char *org_unit, uint32_t timeout_ms,
                     uint8_t out[GT_SHA256_LEN], uint64_t *count);

/* Writes the 64 hex digits of a digest and a NUL to hex. */
void gt_approval_hex(const uint8_t digest[GT_SHA256_LEN], char hex[2 * GT_SHA256_LEN + 1]);

#endif
