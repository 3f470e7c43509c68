/* The client's watch over the server's transparency log: every session checks that the
 * server's history extends the last tree head this office verified, and that its
 * acknowledged batches are in it; a failure is an alarm that stops the office until an
 * operator acknowledges it. */
#ifndef GT_TREELOG_H
#define GT_TREELOG_H

#include "cstore_tree.h"
#include "home.h"
#include "session.h"

/* Leaves whose inclusion one proof request asks for (the server's limit). */
#define GT_TREELOG_PROVE_LEAVES 256u

/* Batches whose inclusion one session proves at most (the rest wait for the next one). */
#define GT_TREELOG_PROVE_MAX 64u

/* Refuses (GT_ECORRUPT, the alarm's sentence in err) while an alarm is open; else 0. */
int gt_treelog_refuse(struct gt_home *h, struct gt_session_err *err);

/* On the logged-in session s: fetches the server's signed tree head with a consistency proof
 * from the head held and inclusion proofs of acknowledged batches not yet proven, checks
 * them and keeps the new head. Returns 0; GT_ECORRUPT after raising an alarm (the sentence in
 * err, the alarm kept in the store); or the session's error for a failed request. A server
 * that does not speak the log (an older version) is not checked. */
int gt_treelog_check(struct gt_home *h, struct gt_session *s, struct gt_session_err *err);

/* Writes the open alarm for a person to out (both heads in full), or nothing; returns 1 when
 * there is one. */
int gt_treelog_print_alarm(struct gt_home *h, FILE *out);

/* Proves that the leaves leaves[0..n) with entries entries[0..n) (borrowed) are in the tree of
 * the head held, which the session's login verified (gt_treelog_check()): asks the server for
 * their inclusion proofs against a tree of held's size (at most GT_TREELOG_PROVE_LEAVES at a
 * time), checks the signed head it answers with (the held one's size, root and signing key)
 * and every audit path (RFC 9162 2.1.3.2). Returns 0; GT_EBADSIG with the sentence in why and
 * *bad the index of the first leaf that is not proven; or the session's error (err). */
int gt_treelog_prove_leaves(struct gt_session *s, const struct gt_cstore_tree_head *held,
                            const uint64_t *leaves, const ProtobufCBinaryData *entries, size_t n,
                            size_t *bad, char *why, size_t why_len, struct gt_session_err *err);

#endif
