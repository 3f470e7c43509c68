/* Store rows as protocol messages: the one place the server fills DataValue, WorkflowState
 * and PulledCompletion from what the store read. */
#ifndef GT_PROTOCONV_H
#define GT_PROTOCONV_H

#include "store.h"
#include "wire.h"

/* Initialises dv from the stored value v. dv's strings are borrowed from v: v must outlive
 * dv's packing. */
void gt__protoconv_value(Gtsync__V1__DataValue *dv, const struct gt_store_value *v);

/* Initialises ws from the stored approval state s (without history); strings borrowed from s. */
void gt__protoconv_state(Gtsync__V1__WorkflowState *ws, const struct gt_store_wfstate *s);

/* Initialises cr and pc from the stored completion k, pc->registration pointing at cr;
 * strings and the origin batch borrowed from k. */
void gt__protoconv_completion(Gtsync__V1__PulledCompletion *pc,
                              Gtsync__V1__CompleteRegistration *cr,
                              const struct gt_store_completion *k);

/* A chunk's approval states and completions as messages (pull and export): states[0..n) and
 * completions[0..n) point into the arrays beside them. */
struct gt__protoconv_regs {
	Gtsync__V1__WorkflowState *ws, **states;
	Gtsync__V1__PulledCompletion *pc, **completions;
	Gtsync__V1__CompleteRegistration *cr;
};

/* Fills g from states[0..n_states) and completions[0..n_completions), whose strings it
 * borrows (they must outlive g's packing). Returns 0 or GT_ENOMEM; free g with
 * gt__protoconv_regs_free() either way. */
int gt__protoconv_regs(struct gt__protoconv_regs *g, const struct gt_store_wfstate *states,
                       size_t n_states, const struct gt_store_completion *completions,
                       size_t n_completions);

/* Frees what gt__protoconv_regs() allocated and zeroes g. */
void gt__protoconv_regs_free(struct gt__protoconv_regs *g);

#endif
