/* Checks one data value against the metadata as the server will, before it is queued. */
#include "valcheck.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "i18n.h"
#include "orgunit.h"
#include "period.h"
#include "piiscreen.h"

/* Whether period p has the period type of data set ds. */
static int period_fits(const struct gt_meta_dataset *ds, const struct gt_period *p)
{
	return ds->period_type == p->type;
}

/* Lists the element's option codes into buf, for a message. */
static void list_options(const struct gt_meta_element *e, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->combo->noptions && used + 1 < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		                 e->combo->options[i].code);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (used >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

/* Lists the period types of the element's data sets reported at level, for a message. */
static void list_period_types(const struct gt_meta_element *e, const struct gt_meta_dataset *only,
                              int level, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->ndatasets && used + 1 < len; i++) {
		const struct gt_meta_dataset *ds = e->datasets[i];
		int n;
		if ((only != NULL && ds != only) || !gt_meta_dataset_reports_at(ds, level))
			continue;
		n = snprintf(buf + used, len - used, "%s%s (%s)", used ? ", " : "",
		             gt_period_type_text(ds->period_type), ds->code);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Checks that coc is one of e's options. */
static int check_option(const struct gt_meta_element *e, const char *coc,
                        char why[GT_VALCHECK_MAX_WHY])
{
	char list[160];

	if (gt_meta_element_option_index(e, coc) >= 0)
		return GT_OK;
	if (e->combo->is_default) {
		snprintf(
		    why, GT_VALCHECK_MAX_WHY,
		    _("%s has no breakdown: its categoryoptioncombo must be empty, not \"%s\""),
		    e->code, coc);
	} else {
		list_options(e, list, sizeof(list));
		snprintf(why, GT_VALCHECK_MAX_WHY,
		         _("categoryoptioncombo \"%s\" is not one of %s's options (%s)"), coc,
		         e->code, list);
	}
	return GT_EINVAL;
}

/* Finds the data set e is entered for in period per at the org unit's level: the only one
 * c->dataset names, else each of e's that fits; *found is one that fits, *nfit how many. */
static int check_dataset(const struct gt_valcheck *c, const struct gt_meta_element *e,
                         const struct gt_valcheck_value *v, const struct gt_period *per,
                         const struct gt_meta_dataset **found, int *nfit,
                         char why[GT_VALCHECK_MAX_WHY])
{
	const struct gt_meta_dataset *only = NULL;
	int level = gt_orgunit_level(v->org_unit);
	char list[160];

	*found = NULL;
	*nfit = 0;
	if (c->dataset != NULL && c->dataset[0] != '\0') {
		only = gt_meta_dataset_find(c->meta, c->dataset);
		if (only == NULL) {
			snprintf(why, GT_VALCHECK_MAX_WHY, _("unknown data set \"%s\""),
			         c->dataset);
			return GT_EINVAL;
		}
		if (!gt_meta_dataset_has_element(only, e)) {
			snprintf(why, GT_VALCHECK_MAX_WHY,
			         _("data element %s is not in data set %s"), e->code, only->code);
			return GT_EINVAL;
		}
	}
	for (size_t i = 0; i < e->ndatasets; i++) {
		const struct gt_meta_dataset *ds = e->datasets[i];
		if (only != NULL && ds != only)
			continue;
		if (period_fits(ds, per) && gt_meta_dataset_reports_at(ds, level)) {
			*found = ds;
			(*nfit)++;
		}
	}
	if (*nfit > 0)
		return GT_OK;
	list_period_types(e, only, level, list, sizeof(list));
	if (list[0] == '\0')
		snprintf(why, GT_VALCHECK_MAX_WHY,
		         _("data element %s is not reported at this org unit's level"), e->code);
	else
		snprintf(why, GT_VALCHECK_MAX_WHY, _("period %s is %s, but %s is reported %s"),
		         v->period, gt_period_type_text(per->type), e->code, list);
	return GT_EINVAL;
}

/* Checks the value against e's type. */
static int check_value(const struct gt_meta_element *e, const char *value,
                       char why[GT_VALCHECK_MAX_WHY])
{
	const char *want = "";
	int rc = gt_meta_value_check(e, value);

	if (rc == GT_OK)
		return GT_OK;
	if (e->type == GT_META_TYPE_TEXT && rc == GT_ETOOBIG) {
		snprintf(why, GT_VALCHECK_MAX_WHY, _("value for %s is longer than %u bytes"),
		         e->code, e->max_length);
		return GT_EINVAL;
	}
	switch (e->type) {
	case GT_META_TYPE_INT0:
		want = _("a whole number of 0 or more, without sign or leading zeros");
		break;
	case GT_META_TYPE_NUMBER:
		want = _("a number, with '.' for decimals");
		break;
	case GT_META_TYPE_BOOL:
		want = _("true or false");
		break;
	case GT_META_TYPE_TEXT:
		want = _("text");
		break;
	}
	snprintf(why, GT_VALCHECK_MAX_WHY, _("value \"%.40s%s\" for %s must be %s"), value,
	         strlen(value) > 40 ? "..." : "", e->code, want);
	return GT_EINVAL;
}

int gt_valcheck_run(const struct gt_valcheck *c, const struct gt_valcheck_value *v,
                    const struct gt_meta_dataset **ds_out, char why[GT_VALCHECK_MAX_WHY])
{
	const struct gt_meta_element *e;
	const struct gt_meta_dataset *found = NULL;
	struct gt_period per;
	struct gt_date start;
	int nfit = 0;

	if (ds_out != NULL)
		*ds_out = NULL;
	why[0] = '\0';
	if ((e = gt_meta_element_find(c->meta, v->data_element)) == NULL) {
		snprintf(why, GT_VALCHECK_MAX_WHY, _("unknown data element \"%s\""),
		         v->data_element);
		return GT_EINVAL;
	}
	if (check_option(e, v->coc, why) != GT_OK)
		return GT_EINVAL;
	if (v->org_unit[0] == '\0' || strcmp(v->org_unit, c->own_org) != 0) {
		snprintf(
		    why, GT_VALCHECK_MAX_WHY,
		    _("org unit \"%s\" is not this office's (%s): a key writes only its own org "
		      "unit's data"),
		    v->org_unit, c->own_org);
		return GT_EINVAL;
	}
	if (gt_period_parse(v->period, &per) != GT_OK) {
		snprintf(why, GT_VALCHECK_MAX_WHY,
		         _("period \"%s\" is not a DHIS2 period id (2024, 2024S1, 2024Q1, 202401)"),
		         v->period);
		return GT_EINVAL;
	}
	if (check_dataset(c, e, v, &per, &found, &nfit, why) != GT_OK)
		return GT_EINVAL;
	if (gt_period_start(&per, &start) != GT_OK ||
	    gt_date_to_days(&start) > c->now_ms / 86400000) {
		snprintf(why, GT_VALCHECK_MAX_WHY, _("period %s has not started yet"), v->period);
		return GT_EINVAL;
	}
	if (!v->deleted && check_value(e, v->value, why) != GT_OK)
		return GT_EINVAL;
	if (v->comment != NULL && v->comment[0] != '\0' && !e->comments) {
		if (e->victims)
			snprintf(why, GT_VALCHECK_MAX_WHY,
			         _("%s counts victims: it takes no comment, since a comment could "
			           "identify a person"),
			         e->code);
		else
			snprintf(why, GT_VALCHECK_MAX_WHY,
			         _("%s takes no comment (its metadata says so)"), e->code);
		return GT_EINVAL;
	}
	if (gt_piiscreen_check(_("comment"), v->comment, why, GT_VALCHECK_MAX_WHY) != GT_OK)
		return GT_EINVAL;
	if (!v->deleted && e->type == GT_META_TYPE_TEXT &&
	    gt_piiscreen_check(_("value"), v->value, why, GT_VALCHECK_MAX_WHY) != GT_OK)
		return GT_EINVAL;
	if (ds_out != NULL && nfit == 1)
		*ds_out = found;
	return GT_OK;
}
