/* What may be written, and when: item checks, the revision rule, the approval chain's
 * transitions, locks, expiry and late entry, validation at submission, in one module. */
#ifndef GT_RULES_H
#define GT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"
#include "wfstate.h"
#include "wire.h"

struct gt_meta;
struct gt_meta_dataset;
struct gt_meta_rule;
struct gt_meta_rule_result;
struct gt_snapshot;
struct gt_store;
struct gt_store_batch_out;

/*
 * A newcomer who wants to change a conflict rule reads this file's contract and rules.c:
 *
 *  - gt_rules_check() checks every item of a batch against the metadata snapshot alone (any
 *    thread): known codes, the element in the value's data set, the plan's indicators and
 *    province, the period type, future periods, the value type, text of comments and reasons,
 *    expiry (which late entry may lift later).
 *  - gt_rules_apply() applies a checked batch on the writer thread (or in `rebuild`), inside
 *    one store scope: duplicates and sequences, then the workflow actions in order through the
 *    transition table below, then the values (late entry, locks, the revision rule) and the
 *    completions. The store persists what the rules decided and decides nothing itself.
 *  - One cache per batch remembers approval states, late-entry openings, nil reports,
 *    approval digests and lock answers while the batch is applied.
 */

/* Longest workflow reason, in bytes: enough for a sentence or two, short enough that a
 * report's history stays readable. */
#define GT_RULES_MAX_REASON 500u
/* Most rule codes one action may acknowledge. */
#define GT_RULES_MAX_ACKNOWLEDGED 64u
/* Events a report carries in its history (the latest ones; ReportReply.history_total counts
 * them all). */
#define GT_RULES_HISTORY 50u

/* ---- Checks against the metadata --------------------------------------------------------- */

/* Verdicts for every item of a batch: a ConflictReason per item, 0 to apply. */
struct gt_rules_verdicts {
	uint8_t *values;
	uint8_t *completions;
	uint8_t *actions;
};

/* Checks every item of b (decoded and authorized) against snap at now_ms into v (caller frees
 * with gt_rules_verdicts_free()). A value or completion past its data set's expiry gets
 * CONFLICT_EXPIRED_PERIOD, which gt_rules_apply() lifts when the unit is open for late entry.
 * Returns 0 or GT_ENOMEM. Thread-safe: snap and b are read only. */
int gt_rules_check(const struct gt_snapshot *snap, const gt_batch *b, int64_t now_ms,
                   struct gt_rules_verdicts *v);

/* Frees verdict arrays; accepts a zeroed struct. */
void gt_rules_verdicts_free(struct gt_rules_verdicts *v);

/* ---- The approval chain's transitions ------------------------------------------------------ */

/* The transition table is common/wfstate.h's (gt_wfstate_transition()), which verifiers
 * replay too. */

/* ---- Applying a batch ----------------------------------------------------------------------- */

/* One checked batch to apply. Everything is borrowed for the call. */
struct gt_rules_batch {
	const struct gt_snapshot *snap;
	const gt_batch *batch; /* the bytes decoded */
	const uint8_t *bytes;  /* the batch exactly as signed */
	size_t len;
	const uint8_t *signature;
	size_t sig_len;
	const uint8_t *hash; /* SHA-256 of bytes */
	int64_t received_at_ms;
	const struct gt_rules_verdicts *verdicts; /* from gt_rules_check(); NULL: all 0 */
	/* Rebuild: the batch is already in the log at log_index; no duplicate or sequence
	 * checks, nothing appended. */
	int replay;
	uint64_t log_index;
	char *why; /* optional: a sentence when the batch is refused whole */
	size_t why_len;
};

/*
 * Applies a checked batch inside the caller's transaction (in a scope of its own: on failure
 * nothing of it stays, and other batches of the transaction are untouched):
 *  - the same hash already logged: PUSH_DUPLICATE with the first application's outcome;
 *  - the same (key, sequence) logged with another hash, or a sequence not above the key's
 *    highest logged one: GT_ECONFLICT (in->why says which), nothing stored;
 *  - otherwise the actions in order, then the values and completions, each applied or
 *    skipped with a ConflictReason; the batch is logged (with its bytes when anything
 *    applied, its hash, header and outcome only when nothing did) with its outcome.
 * out is always reset first; caller frees it with gt_store_batch_out_free().
 */
int gt_rules_apply(struct gt_store *st, const struct gt_rules_batch *in,
                   struct gt_store_batch_out *out);

/* ---- Shared with reports ------------------------------------------------------------------- */

/* Computes the approval digest (common/digest.h) of dataset, period and org_unit from st;
 * *count (optional) is the number of values it covers. */
int gt_rules_digest(struct gt_store *st, const struct gt_snapshot *snap, const char *dataset,
                    const char *period, const char *org_unit, uint8_t out[GT_SHA256_LEN],
                    uint64_t *count);

/* Called for each failing rule: the data set's period it failed for and the evaluation. */
typedef int (*gt_rules_violation_cb)(void *arg, const struct gt_meta_rule *r, const char *period,
                                     const struct gt_meta_rule_result *res);

/* Evaluates ds's validation rules for org_unit's own values in every period of ds's type
 * within period, calling cb for each failure (in period, then rule order). Returns 0, cb's
 * non-zero return, or a store error. */
int gt_rules_validate(struct gt_store *st, const struct gt_meta *m,
                      const struct gt_meta_dataset *ds, const char *period, const char *org_unit,
                      gt_rules_violation_cb cb, void *arg);

#endif
