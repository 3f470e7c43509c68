/* Store: the raw values, completions and approval states of a data set for an export. */
#ifndef GT_STORE_EXPORT_H
#define GT_STORE_EXPORT_H

#include "store.h"

/* Which units an export covers around its org unit. */
enum gt_store_export_scope {
	GT_STORE_EXPORT_SELF = 1,        /* the unit alone */
	GT_STORE_EXPORT_CHILDREN = 2,    /* the unit and its direct children */
	GT_STORE_EXPORT_DESCENDANTS = 3, /* the unit and its whole subtree */
};

/* Values one export chunk may return; a request for more (or 0) is capped to this. */
#define GT_STORE_EXPORT_MAX_ITEMS 5000u

/* What an export asks for. elements and periods are borrowed. after (4 codes: element,
 * period, org unit, option) is the key of the last value already exported, or NULL. */
struct gt_store_export_query {
	const char *org_unit;
	enum gt_store_export_scope scope;
	const char *dataset;
	const char *const *elements;
	size_t n_elements;
	const char *const *periods; /* the data set's periods in the range */
	size_t n_periods;
	const char *const *state_periods; /* periods of any type coarser or equal in the range */
	size_t n_state_periods;
	const char *const *after; /* NULL or 4 strings */
	uint32_t max_items;
	int with_registrations; /* also completions and approval states (the first chunk) */
};

/* One exported value: the stored value and the key that signed its batch. */
struct gt_store_export_value {
	struct gt_store_value v;
	const char *key_id;    /* "" when the batch is not in the log */
	const char *key_label; /* the key's label; "" when it has none */
};

/* An export chunk; every string lives until gt_store_export_free(). */
struct gt_store_export_out {
	struct gt_store_export_value *values;
	size_t n_values, cap_values;
	struct gt_store_completion *completions;
	size_t n_completions, cap_completions;
	struct gt_store_wfstate *states;
	size_t n_states, cap_states;
	int more; /* values remain after the last one */
	char **blocks;
	size_t n_blocks, cap_blocks;
};

/* Reads one chunk of q's non-deleted values in (element, period, org unit, option) order, at
 * most q->max_items (capped), and with q->with_registrations the completions and approval
 * states of the data set in scope (GT_ETOOBIG when over GT_STORE_MAX_PULL_ITEMS each). All in
 * one read snapshot. Caller frees out with gt_store_export_free(). */
int gt_store_export(struct gt_store *st, const struct gt_store_export_query *q,
                    struct gt_store_export_out *out);

/* Frees an export chunk and resets it; accepts NULL. */
void gt_store_export_free(struct gt_store_export_out *out);

#endif
