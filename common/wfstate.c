/* The approval chain's state machine, shared by the server's rules and every verifier. */
#include "wfstate.h"

#include <stddef.h>

#include "error.h"
#include "gtsync.pb-c.h"

#define ST_OPEN      GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN
#define ST_SUBMITTED GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED
#define ST_APPROVED  GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED
#define ST_ACCEPTED  GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED
#define ST_RETURNED  GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED

#define B(state)  (1u << (state))
#define ANY_STATE (B(ST_OPEN) | B(ST_SUBMITTED) | B(ST_APPROVED) | B(ST_ACCEPTED) | B(ST_RETURNED))

/* docs/SERVER.md's table, row for row (tests/unit/server/test_rules.c compares the two). */
static const struct gt_wfstate_transition transitions[] = {
    {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT, B(ST_OPEN) | B(ST_RETURNED), ST_SUBMITTED,
     GT_WFSTATE_NEED_VALID},
    {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE, B(ST_OPEN) | B(ST_RETURNED) | B(ST_SUBMITTED),
     ST_APPROVED,
     GT_WFSTATE_NEED_CHILDREN | GT_WFSTATE_NEED_DIGEST | GT_WFSTATE_NEED_DATA |
         GT_WFSTATE_NEED_VALID},
    {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT, B(ST_APPROVED), ST_ACCEPTED, 0},
    {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN, B(ST_SUBMITTED) | B(ST_APPROVED) | B(ST_ACCEPTED),
     ST_RETURNED, GT_WFSTATE_NEED_REASON | GT_WFSTATE_NEED_PARENT_OPEN},
    {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_UNAPPROVE, B(ST_APPROVED), ST_OPEN, 0},
    {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_NIL_REPORT, B(ST_OPEN) | B(ST_RETURNED) | B(ST_SUBMITTED),
     0, GT_WFSTATE_NEED_NO_DATA},
    {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE, ANY_STATE, 0,
     GT_WFSTATE_NEED_REASON | GT_WFSTATE_NEED_UNTIL},
};

const struct gt_wfstate_transition *gt_wfstate_transition(int kind)
{
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (transitions[i].kind == kind)
			return &transitions[i];
	return NULL;
}

int gt_wfstate_next(int kind, int cur, int *next)
{
	const struct gt_wfstate_transition *t = gt_wfstate_transition(kind);

	*next = cur;
	if (t == NULL)
		return GT_EINVAL;
	if (cur < 0 || cur > 31 || !(t->from & B(cur)))
		return GT_ESTATE;
	if (t->to != 0)
		*next = t->to;
	return GT_OK;
}
