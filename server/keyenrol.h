/* Enrolment over the wire: an aggregator registers its districts' keys from request lines. */
#ifndef GT_KEYENROL_H
#define GT_KEYENROL_H

#include "wire.h"

struct gt_conn;

/* Handles an EnrolRequest on c (an authenticated connection): checks the line and the
 * connection's authority (gt_authz_enrol()), registers the key through the writer and answers
 * EnrolReply or an Error. Takes env (freed when done). */
void gt__enrol_submit(struct gt_conn *c, gt_envelope *env);

#endif
