/* The client's watch over the server's transparency log: every session checks that the
 * server's history extends the last tree head this office verified, and that its
 * acknowledged batches are in it; a failure is an alarm that stops the office until an
 * operator acknowledges it. */
#ifndef GT_TREELOG_H
#define GT_TREELOG_H

#include "home.h"
#include "session.h"

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

#endif
