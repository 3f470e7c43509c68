/* Ingest of signed batches: verify, authorize and check off the loop, apply in the writer. */
#ifndef GT_INGEST_H
#define GT_INGEST_H

#include <stdint.h>

#include "authz.h"
#include "rules.h"
#include "wire.h"

struct gt__reply;
struct gt_snapshot;

/* Handles a PushRequest envelope from an authenticated connection; takes env. The reply (a
 * PushAck) is sent once the batch is durable, or at once when it is refused. */
void gt__ingest_push(struct gt__reply *r, gt_envelope *env);

/* A signed batch to check as the server does before applying it. Borrowed. */
struct gt_ingest_req {
	const struct gt_snapshot *snap;
	const struct gt_principal *principal; /* the key the connection proved */
	const uint8_t *pub;                   /* its raw Ed25519 public key (32 bytes) */
	const uint8_t *bytes;                 /* the batch exactly as signed */
	size_t len;
	const uint8_t *sig;
	size_t sig_len;
	uint32_t max_values; /* values per batch; 0: the default */
	int64_t now_ms;      /* when it arrived (rebuild: when it arrived first) */
};

/* What the check found; free with gt_ingest_checked_free(). */
struct gt_ingest_checked {
	gt_batch *batch; /* the decoded batch (NULL when the bytes do not decode) */
	struct gt_rules_verdicts verdicts;
	const char *why;                   /* on refusal: a sentence (static) */
	uint8_t batch_id[GT_BATCH_ID_LEN]; /* the header, also for a refused batch when readable */
	size_t batch_id_len;
	uint64_t sequence;
};

/* Checks a signed batch: the signature by req->pub over the exact bytes, the shape, the
 * principal's authority, and every item against the snapshot (server/rules.h). Returns 0 with
 * out->batch and out->verdicts set, or GT_EBADSIG, GT_EINVAL, GT_ETOOBIG, GT_EPERM or
 * GT_ENOMEM with out->why set (and the header when it could be read). Thread-safe. Used by
 * ingest and by `rebuild`. */
int gt_ingest_check(const struct gt_ingest_req *req, struct gt_ingest_checked *out);

/* Frees what gt_ingest_check() filled; accepts a zeroed struct. */
void gt_ingest_checked_free(struct gt_ingest_checked *c);

#endif
