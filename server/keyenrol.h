/* Enrolment over the wire: an aggregator registers its districts' keys from request lines. */
#ifndef GT_KEYENROL_H
#define GT_KEYENROL_H

#include "wire.h"

struct gt__reply;

/* Handles an EnrolRequest on c (an authenticated connection): checks the line and the
 * connection's authority (gt_authz_enrol()), registers the key through the writer and answers
 * EnrolReply or an Error. Takes env (freed when done). */
void gt__enrol_submit(struct gt__reply *r, gt_envelope *env);

#endif
