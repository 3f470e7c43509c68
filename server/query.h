/* Read requests (pull, metadata, reports), answered from read-only handles off the loop. */
#ifndef GT_QUERY_H
#define GT_QUERY_H

#include <stdint.h>

#include "wire.h"

struct gt__reply;
struct gt_server;

/* Handles a PullRequest, MetadataRequest or ReportRequest from an authenticated connection;
 * takes env. The reply is sent when ready. */
void gt__query_submit(struct gt__reply *r, gt_envelope *env);

/* The metadata version clients should hold (for AuthResult). */
uint64_t gt__query_metadata_version(const struct gt_server *srv);

#endif
