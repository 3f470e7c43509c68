/* The approval chain's state machine: which workflow action may start from which report state,
 * and where it leads; the server applies it and every verifier replays it (one table). */
#ifndef GT_WFSTATE_H
#define GT_WFSTATE_H

/* What a transition needs besides the state it starts from. */
enum gt_wfstate_need {
	GT_WFSTATE_NEED_REASON = 1u << 0,      /* a reason that is not blank */
	GT_WFSTATE_NEED_PARENT_OPEN = 1u << 1, /* the parent has not approved over the unit */
	GT_WFSTATE_NEED_CHILDREN = 1u << 2,    /* every child expected to report it is accepted */
	GT_WFSTATE_NEED_DIGEST = 1u << 3,      /* the digest equals the server's */
	GT_WFSTATE_NEED_DATA = 1u << 4,        /* values, or a nil report declared */
	GT_WFSTATE_NEED_VALID = 1u << 5,       /* no error rule fails; warnings acknowledged */
	GT_WFSTATE_NEED_NO_DATA = 1u << 6,     /* no values of its own (a nil report) */
	GT_WFSTATE_NEED_UNTIL = 1u << 7,       /* a last day of late entry */
};

/* One row of the transition table (docs/SERVER.md, "The reporting chain"). */
struct gt_wfstate_transition {
	int kind;      /* WorkflowKind */
	unsigned from; /* the ApprovalStates it may start from, a bit (1u << state) each */
	int to;        /* the ApprovalState it leads to; 0: the state stays */
	unsigned need; /* enum gt_wfstate_need bits */
};

/* The row for a WorkflowKind, or NULL for an unknown kind. Static. */
const struct gt_wfstate_transition *gt_wfstate_transition(int kind);

/* The state a report in state cur is in after an action of kind: 0 and *next set when the
 * table allows kind from cur (the state stays for a kind that changes none); GT_ESTATE when
 * it does not; GT_EINVAL for an unknown kind. *next is cur on failure. */
int gt_wfstate_next(int kind, int cur, int *next);

#endif
