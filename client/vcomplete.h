/* `gtsync verify`'s second half: a report's completeness, timeliness, nil reports and report
 * states recomputed from the signed log and compared with the server's report. */
#ifndef GT_VCOMPLETE_H
#define GT_VCOMPLETE_H

#include <stddef.h>
#include <stdint.h>

#include "metadata.h"
#include "orgunit.h"
#include "wire.h"

struct gt_vcomplete;

/* Says one line of the comparison: problem 1 for a difference (a finding), 0 for a "not
 * checked" note. */
typedef void (*gt_vcomplete_say)(void *arg, int problem, const char *line);

/* Writes into out the child of root whose subtree holds org, "" for root itself or a unit
 * outside root's subtree. */
void gt_vcomplete_child_of(const char *root, const char *org, char out[GT_ORGUNIT_MAX_LEN]);

/* Starts a recomputation of the report of root, data set ds and period (borrowed for the
 * object's life) over the org-unit tree ous[0..nous) (the server's metadata, copied in: units
 * outside root's subtree are left out); say (with arg) hears each finding and note. *out gets
 * the object (free with gt_vcomplete_free()). GT_EINVAL for a period that does not parse,
 * GT_ENOMEM. */
int gt_vcomplete_new(const char *root, const struct gt_meta_dataset *ds, const char *period,
                     const Gtsync__V1__OrgUnit *const *ous, size_t nous, gt_vcomplete_say say,
                     void *arg, struct gt_vcomplete **out);

/* A value of the report that the revision rule kept and is not deleted, at org: its row was
 * created (by the first value written since the key last held none) at created_ms, which the
 * log covers when known is 1 (its batch's leaf is of kind 3) and not when 0. */
void gt_vcomplete_value(struct gt_vcomplete *c, const char *org, int64_t created_ms, int known);

/* A workflow action of the data set the server applied (not skipped), at leaf, of a batch
 * signed by a key of root's subtree, in leaf and batch order: a nil report marks its unit
 * for the periods that overlap the report's; an action for the report's period moves its
 * unit's report state by common/wfstate.h's table (a move the table does not allow is a
 * finding). a is borrowed for the call. */
void gt_vcomplete_action(struct gt_vcomplete *c, uint64_t leaf,
                         const Gtsync__V1__WorkflowAction *a);

/* Compares everything recomputed with rep: expected, reported and on-time units (in total and
 * per child), each unit the report lists as missing or as a nil report, each child's report
 * state and first arrival, and the root's state when it can be recomputed. */
void gt_vcomplete_compare(struct gt_vcomplete *c, const Gtsync__V1__ReportReply *rep);

/* Frees c; NULL is fine. */
void gt_vcomplete_free(struct gt_vcomplete *c);

#endif
