/* Authorization: what a key's roles and org unit allow it to write, act on and read. */
#include "authz.h"

#include <string.h>

#include "error.h"
#include "i18n.h"
#include "orgunit.h"
#include "roleset.h"

/* Whether org_unit is the principal's parent-level responsibility: the aggregator of a
 * province accepts its districts; the central secretariat accepts provinces. */
static int is_parent_of(const struct gt_principal *p, const char *org_unit)
{
	char parent[GT_ORGUNIT_MAX_LEN];

	if (gt_orgunit_parent(org_unit, parent, sizeof(parent)) != GT_OK)
		return 0;
	return strcmp(parent, p->org_unit) == 0;
}

int gt_authz_action(const struct gt_principal *p, int kind, const char *org_unit, const char **why)
{
	*why = NULL;
	if (gt_orgunit_valid(org_unit) != GT_OK) {
		*why = N_("workflow action names a malformed org unit");
		return GT_EPERM;
	}
	switch (kind) {
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT:
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE:
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_UNAPPROVE:
		/* The national report has no approver above the secretariat: it approves it. */
		if (gt_roleset_has(p->roles, GTSYNC__V1__ROLE__ROLE_SECRETARIAT) &&
		    strcmp(org_unit, GT_ORGUNIT_ROOT) == 0 &&
		    strcmp(p->org_unit, GT_ORGUNIT_ROOT) == 0)
			return GT_OK;
		/* fall through */
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_NIL_REPORT:
		if (!gt_roleset_has(p->roles, GTSYNC__V1__ROLE__ROLE_APPROVER)) {
			*why =
			    N_("only an approver key may submit, approve or unapprove (or declare "
			       "a nil "
			       "report); the secretariat approves the national report");
			return GT_EPERM;
		}
		if (strcmp(org_unit, p->org_unit) != 0) {
			*why = N_("an approver may act only on its own org unit's reports");
			return GT_EPERM;
		}
		return GT_OK;
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT:
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN: {
		int level = gt_orgunit_level(org_unit);
		int want = level == GT_ORGUNIT_LEVEL_PROVINCE ? GTSYNC__V1__ROLE__ROLE_SECRETARIAT
		                                              : GTSYNC__V1__ROLE__ROLE_AGGREGATOR;
		if (level < GT_ORGUNIT_LEVEL_PROVINCE) {
			*why = N_("the national report has no parent to accept or return it");
			return GT_EPERM;
		}
		if (!gt_roleset_has(p->roles, want) || !is_parent_of(p, org_unit)) {
			*why = level == GT_ORGUNIT_LEVEL_PROVINCE
			           ? "only the central secretariat may accept or return a "
			             "province's report"
			           : "only the province's aggregator may accept or return a "
			             "district's report";
			return GT_EPERM;
		}
		return GT_OK;
	}
	case GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE:
		/* The parent opens its districts for late entry; the secretariat any unit. */
		if (gt_roleset_has(p->roles, GTSYNC__V1__ROLE__ROLE_SECRETARIAT) &&
		    strcmp(p->org_unit, GT_ORGUNIT_ROOT) == 0)
			return GT_OK;
		if (gt_roleset_has(p->roles, GTSYNC__V1__ROLE__ROLE_AGGREGATOR) &&
		    gt_orgunit_level(org_unit) == 3 && is_parent_of(p, org_unit))
			return GT_OK;
		*why =
		    "only the province's aggregator (for its districts) or the central secretariat "
		    "may open a report for late entry";
		return GT_EPERM;
	default:
		*why = N_("unknown workflow action");
		return GT_EPERM;
	}
}

int gt_authz_enrol(const struct gt_principal *p, const char *org_unit, unsigned roles,
                   const char **why)
{
	const unsigned office = GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_OPERATOR) |
	                        GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_APPROVER);

	*why = NULL;
	if (!gt_roleset_has(p->roles, GTSYNC__V1__ROLE__ROLE_AGGREGATOR) ||
	    gt_orgunit_level(p->org_unit) != GT_ORGUNIT_LEVEL_PROVINCE) {
		*why = N_("only a province's aggregator may enrol keys over the wire; the centre "
		          "enrols with gtsync-server key enrol");
		return GT_EPERM;
	}
	if (gt_orgunit_valid(org_unit) != GT_OK ||
	    gt_orgunit_level(org_unit) != GT_ORGUNIT_LEVEL_DISTRICT || !is_parent_of(p, org_unit)) {
		*why = N_("an aggregator may enrol keys only for its own province's districts");
		return GT_EPERM;
	}
	if (roles == 0 || (roles & ~office) != 0) {
		*why = N_("an aggregator may enrol only operator and approver keys");
		return GT_EPERM;
	}
	return GT_OK;
}

int gt_authz_read(const struct gt_principal *p, const char *org_unit, const char **why)
{
	*why = NULL;
	if (gt_orgunit_contains(p->org_unit, org_unit) != 1) {
		*why = N_("the org unit is outside the key's scope");
		return GT_EPERM;
	}
	return GT_OK;
}

static int may_write_values(const struct gt_principal *p, const char *org_unit, const char **why)
{
	if (!gt_roleset_has(p->roles, GTSYNC__V1__ROLE__ROLE_OPERATOR)) {
		*why = N_("only an operator key may write data values");
		return GT_EPERM;
	}
	if (strcmp(org_unit, p->org_unit) != 0) {
		*why = N_("an operator may write only its own org unit's data");
		return GT_EPERM;
	}
	return GT_OK;
}

int gt_authz_batch(const struct gt_principal *p, const gt_batch *b, const char **why, int *item)
{
	int rc = GT_EPERM;

	*why = NULL;
	*item = -1;
	if (strcmp(b->key_id, p->key_id) != 0) {
		*why = N_("the batch names another key than the connection's");
		goto out;
	}
	if (strcmp(b->org_unit, p->org_unit) != 0) {
		*why = N_("the batch names another org unit than the key's");
		goto out;
	}
	for (size_t i = 0; i < b->n_values; i++) {
		if (may_write_values(p, b->values[i]->org_unit, why) != GT_OK) {
			*item = (int)i;
			goto out;
		}
	}
	for (size_t i = 0; i < b->n_completions; i++) {
		const char *ou = b->completions[i]->org_unit;
		int role_ok = gt_roleset_has(p->roles, GTSYNC__V1__ROLE__ROLE_OPERATOR) ||
		              gt_roleset_has(p->roles, GTSYNC__V1__ROLE__ROLE_APPROVER);
		if (!role_ok || strcmp(ou, p->org_unit) != 0) {
			*why = N_(
			    "only the org unit's operator or approver may register completeness");
			*item = (int)i;
			goto out;
		}
	}
	for (size_t i = 0; i < b->n_actions; i++) {
		const Gtsync__V1__WorkflowAction *a = b->actions[i];
		if (gt_authz_action(p, (int)a->kind, a->org_unit, why) != GT_OK) {
			*item = (int)i;
			goto out;
		}
	}
	rc = GT_OK;
out:
	return rc;
}
