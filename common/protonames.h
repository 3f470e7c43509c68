/* One table per protocol enum: the names of approval states, workflow kinds, conflict reasons
 * (with their sentences), roles and push statuses, for the server and the client alike. */
#ifndef GT_PROTONAMES_H
#define GT_PROTONAMES_H

/* Every function returns a static string, never NULL; a value outside the enum gets the
 * fallback each function names. */

/* An ApprovalState's name ("approved"); "open" for APPROVAL_STATE_UNSPECIFIED and unknown
 * values (a report nobody acted on is open). */
const char *gt_protonames_state(int state);

/* A WorkflowKind's word as the commands spell it ("approve", "nil-report", "open-late");
 * "?" for unknown values. */
const char *gt_protonames_kind(int kind);

/* Parses a WorkflowKind's word into *kind; GT_EINVAL for an unknown word. */
int gt_protonames_kind_parse(const char *name, int *kind);

/* The ApprovalState a report reaches when an action of kind applies; 0 for kinds that leave
 * the state as it is (nil-report, open-late) and unknown values. */
int gt_protonames_kind_state(int kind);

/* A ConflictReason's snake_case name ("locked_period"), for lines a script reads; "other" for
 * unknown values. */
const char *gt_protonames_conflict(int reason);

/* A ConflictReason's sentence for a person ("the period is approved and locked; ..."); "item
 * not applied" for unknown values. */
const char *gt_protonames_conflict_message(int reason);

/* A Role's name ("operator"); "unknown" for unknown values. */
const char *gt_protonames_role(int role);

/* Parses a role name into *role; GT_EINVAL for an unknown name. */
int gt_protonames_role_parse(const char *name, int *role);

/* A PushStatus's name ("ok", "warning", "duplicate", "refused"); "refused" for unknown values
 * (nothing was applied). */
const char *gt_protonames_status(int status);

#endif
