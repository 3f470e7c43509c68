/* Lookups in a loaded set: records by code, options, values, data set membership. */
#include "meta_int.h"

#include <string.h>

#include "error.h"

#define FIND(kind, type, arr)                                                                      \
	do {                                                                                       \
		uint32_t i_;                                                                       \
		if (m == NULL || code == NULL)                                                     \
			return NULL;                                                               \
		i_ = gt__meta_ktab_find(&m->index->tabs[kind], code);                              \
		return i_ == UINT32_MAX ? NULL : m->arr[i_];                                       \
	} while (0)

const struct gt_meta_combo *gt_meta_combo_find(const struct gt_meta *m, const char *code)
{
	FIND(K_COMBO, struct gt_meta_combo, combos);
}

const struct gt_meta_element *gt_meta_element_find(const struct gt_meta *m, const char *code)
{
	FIND(K_ELEMENT, struct gt_meta_element, elements);
}

const struct gt_meta_dataset *gt_meta_dataset_find(const struct gt_meta *m, const char *code)
{
	FIND(K_DATASET, struct gt_meta_dataset, datasets);
}

const struct gt_meta_rule *gt_meta_rule_find(const struct gt_meta *m, const char *code)
{
	FIND(K_RULE, struct gt_meta_rule, rules);
}

const struct gt_meta_plan *gt_meta_plan_find(const struct gt_meta *m, const char *code)
{
	FIND(K_PLAN, struct gt_meta_plan, plans);
}

const struct gt_meta_block *gt_meta_block_find(const struct gt_meta *m, const char *code)
{
	FIND(K_BLOCK, struct gt_meta_block, blocks);
}

const struct gt_meta_indicator *gt_meta_indicator_find(const struct gt_meta *m, const char *code)
{
	FIND(K_INDICATOR, struct gt_meta_indicator, indicators);
}

const struct gt_meta_action *gt_meta_action_find(const struct gt_meta *m, const char *code)
{
	FIND(K_ACTION, struct gt_meta_action, actions);
}

int gt_meta_element_option_index(const struct gt_meta_element *e, const char *coc)
{
	const struct gt_meta_combo *c;
	size_t lo = 0, hi;

	if (e == NULL || coc == NULL || e->combo == NULL)
		return GT_ENOENT;
	c = e->combo;
	hi = c->noptions;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t o = c->sorted[mid];
		int cmp = strcmp(coc, c->options[o].code);
		if (cmp == 0)
			return (int)o;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return GT_ENOENT;
}

int gt_meta_value_check(const struct gt_meta_element *e, const char *value)
{
	size_t len, i = 0;
	unsigned long long v = 0;

	if (e == NULL || value == NULL || value[0] == '\0')
		return GT_EINVAL;
	len = strlen(value);
	switch (e->type) {
	case GT_META_TYPE_INT0:
		if (len > 1 && value[0] == '0')
			return GT_EINVAL;
		for (const char *p = value; *p != '\0'; p++) {
			unsigned d = (unsigned)(*p - '0');
			if (*p < '0' || *p > '9')
				return GT_EINVAL;
			if (v > ((unsigned long long)INT64_MAX - d) / 10)
				return GT_EINVAL;
			v = v * 10 + d;
		}
		return 0;
	case GT_META_TYPE_NUMBER:
		return gt__meta_decimal_parse(value, true, NULL) ? 0 : GT_EINVAL;
	case GT_META_TYPE_BOOL:
		return strcmp(value, "true") == 0 || strcmp(value, "false") == 0 ? 0 : GT_EINVAL;
	case GT_META_TYPE_TEXT:
		if (len > e->max_length)
			return GT_ETOOBIG;
		while (i < len) {
			long cp = gt__meta_utf8_next((const unsigned char *)value, len, &i);
			if (cp < 0 ||
			    (gt__meta_is_control(cp) && cp != '\t' && cp != '\n' && cp != '\r'))
				return GT_EINVAL;
		}
		return 0;
	}
	return GT_EINVAL;
}

int gt_meta_dataset_has_code(const struct gt_meta_dataset *ds, const char *code)
{
	for (size_t i = 0; ds != NULL && code != NULL && i < ds->nelements; i++)
		if (strcmp(ds->elements[i]->code, code) == 0)
			return 1;
	return 0;
}

int gt_meta_dataset_has_element(const struct gt_meta_dataset *ds, const struct gt_meta_element *e)
{
	size_t lo = 0, hi;

	if (ds == NULL || e == NULL)
		return 0;
	hi = ds->nelements;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t x = ds->sorted[mid];
		if (x == e->index)
			return 1;
		if (e->index < x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

const struct gt_meta_dataset *gt_meta_dataset_for_element(const struct gt_meta_element *e)
{
	if (e == NULL || e->ndatasets != 1)
		return NULL;
	return e->datasets[0];
}

int gt_meta_dataset_reports_at(const struct gt_meta_dataset *ds, int level)
{
	if (ds == NULL || level < GT_ORGUNIT_LEVEL_NATIONAL || level > GT_ORGUNIT_LEVEL_DISTRICT)
		return 0;
	return (ds->levels & GT_META_LEVEL_BIT(level)) != 0;
}

int gt_meta_resolve(const struct gt_meta *m, const char *dataset, const char *element,
                    const char *coc, struct gt_meta_key *out, const char **why)
{
	const struct gt_meta_element *e;
	const struct gt_meta_dataset *ds;
	const char *reason = NULL;
	int opt, rc = 0;

	memset(out, 0, sizeof(*out));
	out->option = -1;
	e = gt_meta_element_find(m, element);
	if (e == NULL) {
		reason = "unknown data element";
		rc = GT_ENOENT;
		goto out;
	}
	opt = gt_meta_element_option_index(e, coc != NULL ? coc : "");
	if (opt < 0) {
		reason = "unknown category option combo for the data element";
		rc = GT_ENOENT;
		goto out;
	}
	if (dataset != NULL && dataset[0] != '\0') {
		ds = gt_meta_dataset_find(m, dataset);
		if (ds == NULL) {
			reason = "unknown data set";
			rc = GT_ENOENT;
			goto out;
		}
		if (!gt_meta_dataset_has_element(ds, e)) {
			reason = "the data element is not in the data set";
			rc = GT_EINVAL;
			goto out;
		}
	} else {
		ds = gt_meta_dataset_for_element(e);
		if (ds == NULL) {
			reason = e->ndatasets == 0 ? "the data element belongs to no data set"
			                           : "the data element belongs to several data "
			                             "sets; the value must name one";
			rc = GT_EINVAL;
			goto out;
		}
	}
	if (e->builtin && ds->plan != NULL && m->indicators[opt]->plan != ds->plan) {
		reason = "the indicator is not in the data set's plan";
		rc = GT_EINVAL;
		goto out;
	}
	out->dataset = ds;
	out->element = e;
	out->option = opt;
out:
	if (why != NULL)
		*why = reason;
	return rc;
}
