/* Ingest of signed batches: verify, authorize and check off the loop, apply in the writer. */
#ifndef GT_INGEST_H
#define GT_INGEST_H

#include <stdint.h>

#include "authz.h"
#include "wire.h"

struct gt_conn;
struct gt_snapshot;
struct gt_store;

/* Verdicts for every item of a batch: a ConflictReason per value and completion, 0 to apply. */
struct gt_ingest_verdicts {
	uint8_t *values;
	uint8_t *completions;
	uint8_t *actions;
};

/* Handles a PushRequest envelope from an authenticated connection; takes env. The reply (a
 * PushAck) is sent once the batch is durable, or at once when it is refused. */
void gt__ingest_push(struct gt_conn *c, gt_envelope *env);

/* Checks a signed batch as the server does before applying it: the signature by pub over the
 * exact bytes, the shape, the principal's authority, and every item against the snapshot.
 * On success *out is the decoded batch (caller frees with gt_wire_batch_free()), v holds the
 * verdicts (caller frees with gt_ingest_verdicts_free()). On refusal returns GT_EBADSIG,
 * GT_EINVAL, GT_ETOOBIG or GT_EPERM with *why set to a sentence. Thread-safe: snap and p are
 * read only. Used by ingest and by `rebuild`. */
int gt_ingest_check(const struct gt_snapshot *snap, const struct gt_principal *p,
                    const uint8_t pub[GT_ED25519_PUB_LEN], const uint8_t *bytes, size_t len,
                    const uint8_t *sig, size_t sig_len, uint32_t max_values, int64_t now_ms,
                    gt_batch **out, struct gt_ingest_verdicts *v, const char **why);

struct gt_store_batch_in;
struct gt_store_batch_out;

/* Applies a checked batch inside the caller's transaction (writer thread, or rebuild): the
 * workflow rules first (they may set action_verdicts), then the values, completions and
 * actions with the approval locks enforced. in's workflow fields are filled here. Borrowed:
 * everything; out is the caller's (free with gt_store_batch_out_free()). */
int gt_ingest_apply(struct gt_store *st, const struct gt_snapshot *snap,
                    struct gt_store_batch_in *in, uint8_t *action_verdicts,
                    struct gt_store_batch_out *out);

/* Frees verdict arrays; accepts a zeroed struct. */
void gt_ingest_verdicts_free(struct gt_ingest_verdicts *v);

#endif
