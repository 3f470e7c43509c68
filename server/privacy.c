/* What a reader key is served: consolidated figures only, without free text, history or
 * small cells (issue 14; docs/PRIVACY.md). */
#include "privacy.h"

#include <string.h>

#include "error.h"
#include "roleset.h"

int gt_privacy_reader_only(unsigned roles)
{
	return (roles & ~GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_READER)) == 0;
}

/* Empties the free text of values: comments, and text values (a unit's own words). */
static void strip_text(Gtsync__V1__ReportValue **v, size_t n)
{
	static char empty[] = "";

	for (size_t i = 0; i < n; i++) {
		v[i]->comment = empty;
		v[i]->text = empty;
	}
}

int gt_privacy_reader_report(struct gt_store *st, const struct gt_snapshot *snap,
                             const char *dataset, const char *period, Gtsync__V1__ReportReply *rep)
{
	(void)st;
	(void)snap;
	(void)dataset;
	(void)period;
	strip_text(rep->totals, rep->n_totals);
	for (size_t i = 0; i < rep->n_children; i++)
		strip_text(rep->children[i]->values, rep->children[i]->n_values);
	/* Events carry reasons and the labels of keys (an office and a person); violations carry
	 * a unit's values in words. A reader sees how many events there were, not what. */
	rep->n_history = 0;
	rep->n_violations = 0;
	return GT_OK;
}
