/* One table per protocol enum: the names of approval states, workflow kinds, conflict reasons
 * (with their sentences), roles and push statuses, for the server and the client alike. */
#include "protonames.h"

#include <string.h>

#include "error.h"
#include "i18n.h"
#include "wire.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Looks v up in a table indexed by enum value; fallback when absent. */
static const char *lookup(const char *const *table, size_t n, int v, const char *fallback)
{
	if (v < 0 || (size_t)v >= n || table[v] == NULL)
		return fallback;
	return table[v];
}

/* The index of name in table, or -1; index 0 (the UNSPECIFIED value) never matches. */
static int find(const char *const *table, size_t n, const char *name)
{
	for (size_t i = 1; name != NULL && i < n; i++)
		if (table[i] != NULL && strcmp(table[i], name) == 0)
			return (int)i;
	return -1;
}

static const char *const states[] = {
    [GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN] = N_("open"),
    [GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED] = N_("submitted"),
    [GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED] = N_("approved"),
    [GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED] = N_("accepted"),
    [GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED] = N_("returned"),
};

const char *gt_protonames_state(int state)
{
	return lookup(states, NELEM(states), state, "open");
}

static const struct {
	const char *word;
	int state; /* the ApprovalState the kind leads to, 0: none */
} kinds[] = {
    [GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT] = {"submit",
                                                    GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED},
    [GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE] = {"approve",
                                                     GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED},
    [GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT] = {"accept",
                                                    GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED},
    [GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN] = {"return",
                                                    GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED},
    [GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_UNAPPROVE] = {"unapprove",
                                                       GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN},
    [GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_NIL_REPORT] = {"nil-report", 0},
    [GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE] = {"open-late", 0},
};

const char *gt_protonames_kind(int kind)
{
	if (kind <= 0 || (size_t)kind >= NELEM(kinds) || kinds[kind].word == NULL)
		return "?";
	return kinds[kind].word;
}

int gt_protonames_kind_parse(const char *name, int *kind)
{
	*kind = 0;
	for (size_t i = 1; name != NULL && i < NELEM(kinds); i++) {
		if (kinds[i].word != NULL && strcmp(kinds[i].word, name) == 0) {
			*kind = (int)i;
			return GT_OK;
		}
	}
	return GT_EINVAL;
}

int gt_protonames_kind_state(int kind)
{
	if (kind <= 0 || (size_t)kind >= NELEM(kinds))
		return 0;
	return kinds[kind].state;
}

static const struct {
	const char *name;
	const char *message;
} conflicts[] = {
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATA_ELEMENT] =
        {"unknown_data_element", N_("data element not in the server's metadata")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_ORG_UNIT] =
        {"unknown_org_unit", N_("org unit not known to the server")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_CATEGORY_OPTION_COMBO] =
        {"unknown_category_option_combo",
         N_("category option combo not valid for the data element")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_BAD_PERIOD] =
        {"bad_period", N_("period malformed or of the wrong type for the data set")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_WRONG_VALUE_TYPE] =
        {"wrong_value_type", N_("value does not match the data element's value type")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION] =
        {"stale_revision", N_("a newer revision of the value is already stored")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_LOCKED_PERIOD] =
        {"locked_period",
         N_("the period is approved and locked; it must be returned or unapproved first")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_EXPIRED_PERIOD] =
        {"expired_period", N_("the period is past the data set's expiry days and not opened for "
                              "late entry")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATASET] =
        {"unknown_dataset", N_("data set unknown, or not reported at this org unit's level")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_INVALID_TRANSITION] =
        {"invalid_transition", N_("not allowed in the report's current approval state")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_DIGEST_MISMATCH] =
        {"digest_mismatch", N_("the approval's digest does not match the stored data")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_CHILDREN_NOT_READY] =
        {"children_not_ready", N_("not every child unit is approved and accepted")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_FUTURE_PERIOD] = {"future_period",
                                                             N_("the period has not started yet")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_VALIDATION_ERROR] =
        {"validation_error", N_("a validation rule of the data set fails")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_VALIDATION_WARNING] =
        {"validation_warning", N_("a warning rule of the data set fails and was not acknowledged")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_BAD_TEXT] =
        {"bad_text", N_("a comment or reason holds control characters, is not UTF-8, is too long, "
                        "is not allowed there or holds what identifies a person")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_OUTSIDE_PLAN] =
        {"outside_plan",
         N_("the indicator is not in the data set's plan, or the org unit is outside "
            "the plan's province")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_EMPTY_REPORT] =
        {"empty_report", N_("the report holds no values and no nil report was declared")},
    [GTSYNC__V1__CONFLICT_REASON__CONFLICT_ELEMENT_NOT_IN_DATASET] =
        {"element_not_in_dataset", N_("the data element belongs to another data set")},
};

const char *gt_protonames_conflict(int reason)
{
	if (reason <= 0 || (size_t)reason >= NELEM(conflicts) || conflicts[reason].name == NULL)
		return "other";
	return conflicts[reason].name;
}

const char *gt_protonames_conflict_message(int reason)
{
	if (reason <= 0 || (size_t)reason >= NELEM(conflicts) || conflicts[reason].message == NULL)
		return N_("item not applied");
	return conflicts[reason].message;
}

static const char *const roles[] = {
    [GTSYNC__V1__ROLE__ROLE_OPERATOR] = "operator",
    [GTSYNC__V1__ROLE__ROLE_APPROVER] = "approver",
    [GTSYNC__V1__ROLE__ROLE_AGGREGATOR] = "aggregator",
    [GTSYNC__V1__ROLE__ROLE_SECRETARIAT] = "secretariat",
    [GTSYNC__V1__ROLE__ROLE_READER] = "reader",
};

const char *gt_protonames_role(int role)
{
	return lookup(roles, NELEM(roles), role, "unknown");
}

int gt_protonames_role_parse(const char *name, int *role)
{
	int r = find(roles, NELEM(roles), name);

	*role = r > 0 ? r : 0;
	return r > 0 ? GT_OK : GT_EINVAL;
}

static const char *const statuses[] = {
    [GTSYNC__V1__PUSH_STATUS__PUSH_OK] = "ok",
    [GTSYNC__V1__PUSH_STATUS__PUSH_WARNING] = "warning",
    [GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE] = "duplicate",
    [GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED] = "refused",
};

const char *gt_protonames_status(int status)
{
	return lookup(statuses, NELEM(statuses), status, "refused");
}
