/* The log entries behind a report (LogEntriesRequest): signed batches and key records. */
#ifndef GT_LOGQ_H
#define GT_LOGQ_H

#include "wire.h"

struct gt__reply;

/* Most entries one LogEntriesReply holds; a request for more gets this many. */
#define GT_LOGQ_MAX_ENTRIES 256u

/* Most leaves one request looks at: a reply past them says more, with the next leaf. */
#define GT_LOGQ_MAX_SCAN 65536u

/* Handles a LogEntriesRequest from an authenticated connection, off the loop; takes env. The
 * org unit must be in the key's scope, and a key that holds no role but reader is refused
 * (GT_EPERM): the entries carry the batches' raw values. Each reply is recorded in the read
 * log ("log"). */
void gt__logq_submit(struct gt__reply *r, gt_envelope *env);

#endif
