/* Re-applying the signed batch log to a store, for `rebuild` and `verify`. */
#ifndef GT_REBUILD_H
#define GT_REBUILD_H

#include <stdint.h>
#include <stdio.h>

struct gt_store;
struct gt_snapshot;

/* What a replay did. */
struct gt_rebuild_stats {
	uint64_t batches, values;
	uint64_t refused_now; /* batches losing items the current rules refuse (each reported) */
};

/* Verifies every logged batch of st again (signature, authorization, checks against snap)
 * and re-applies it in log order with replay set. The caller has called
 * gt_store_rebuild_begin() and commits or rolls back afterwards. The first batch that fails
 * stops the replay with its error written to err (borrowed; may be NULL) naming its log
 * index. stats is reset first. */
int gt_rebuild_replay(struct gt_store *st, struct gt_snapshot *snap, FILE *err,
                      struct gt_rebuild_stats *stats);

#endif
