/* Transparency-log requests (signed tree heads, inclusion and consistency proofs). */
#ifndef GT_TREEQ_H
#define GT_TREEQ_H

#include "wire.h"

struct gt__reply;

/* Most inclusion proofs one ProofRequest may ask for; a request for more is GT_ETOOBIG. */
#define GT_TREEQ_MAX_INCLUSIONS 256u

/* Handles a TreeHeadRequest or ProofRequest from an authenticated connection, off the loop;
 * takes env. Any key may ask: heads and proofs carry hashes, and leaf entries hold batch
 * hashes and signatures or key records, never values. */
void gt__treeq_submit(struct gt__reply *r, gt_envelope *env);

#endif
