/* The merge rule every copy of the data applies: which of two values of one key is kept, and
 * which stored texts count as numbers in a report's sums. */
#ifndef GT_MERGE_H
#define GT_MERGE_H

#include <stdint.h>

#include "gtlimits.h"

/* The value held for a key, as far as the revision rule needs it. */
struct gt_merge_held {
	int exists;
	uint64_t revision;
	uint8_t origin_batch[GT_SHA256_LEN]; /* SHA-256 of the batch it came from */
};

/* The revision rule (docs/PROTOCOL.md): a value of revision from the batch whose SHA-256 is
 * hash replaces the held one when nothing is held, its revision is higher, or the revisions are
 * equal and hash is bytewise not below the held value's batch hash (so the result does not
 * depend on arrival order, and the later of two items of one batch wins). Returns 1 when it
 * does, else 0. Borrowed. */
int gt_merge_wins(const struct gt_merge_held *held, uint64_t revision,
                  const uint8_t hash[GT_SHA256_LEN]);

/* Whether text is a plain decimal number ([+-]digits[.digits][e[+-]digits], finite) that a
 * report sums; anything else (text, hex, inf, nan, spaces) is not. Returns 1 and sets *out
 * when it is, else 0 (*out 0). */
int gt_merge_number(const char *text, double *out);

#endif
