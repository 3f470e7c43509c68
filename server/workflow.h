/* The reporting chain as state: submit, approve, accept, return, unapprove, and the locks. */
#ifndef GT_WORKFLOW_H
#define GT_WORKFLOW_H

#include <stdint.h>

#include "gtlimits.h"
#include "wire.h"

struct gt_snapshot;
struct gt_store;

/* Entries a lock cache remembers per batch. */
#define GT_WORKFLOW_CACHE 64u

/* Context of the lock hook and the rules for one batch, on the writer thread. */
struct gt_workflow {
	struct gt_store *st;
	const struct gt_snapshot *snap;
	struct {
		char key[3 * (GT_MAX_CODE_LEN + 1)];
		int state;
	} cache[GT_WORKFLOW_CACHE];
	unsigned ncache, next;
};

/* Prepares w for a batch applied through st (borrowed) with snapshot snap (borrowed). */
void gt_workflow_init(struct gt_workflow *w, struct gt_store *st, const struct gt_snapshot *snap);

/* Evaluates the batch's workflow actions in order against the stored states (and the effect
 * of earlier actions of the same batch): for each action whose verdict is still 0, sets its
 * verdict to a ConflictReason when the transition is not allowed (invalid in the current
 * state, children not all accepted, digest not matching the stored data), else its new
 * ApprovalState in states. Returns 0, or a store error. */
int gt_workflow_eval(struct gt_workflow *w, const gt_batch *b, uint8_t *verdicts, uint8_t *states);

/* The store's lock hook (gt_store_lock_fn): 1 when the value or completion falls in a period
 * approved (or accepted) for its org unit or an ancestor, else 0. arg is a gt_workflow. */
int gt_workflow_locked(void *arg, int kind, const char *dataset, const char *data_element,
                       const char *period, const char *org_unit);

/* Computes the approval digest (common/digest.h) of dataset, period and org_unit from the
 * store. */
int gt_workflow_digest(struct gt_store *st, const struct gt_snapshot *snap, const char *dataset,
                       const char *period, const char *org_unit, uint8_t out[GT_SHA256_LEN],
                       uint64_t *count);

/* Whether period fits an action on data set ds: of its period type or coarser. */
int gt_workflow_period_fits(int ds_period_type, const char *period);

#endif
