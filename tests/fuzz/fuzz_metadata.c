/* Fuzz target: the metadata loader on one file's bytes, then lookups on what it loaded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "metadata.h"

/* Exercises the lookups and rule evaluation of a loaded set with every value missing but
 * one, so that what loads is also walked. */
static int lookup(void *ctx, const struct gt_meta_element *e, int option, double *value)
{
	(void)e;
	if (option != 0)
		return -6; /* GT_ENOENT */
	*value = *(const double *)ctx;
	return 0;
}

static void walk(const struct gt_meta *m)
{
	double one = 1;

	for (size_t i = 0; i < m->nelements; i++) {
		const struct gt_meta_element *e = m->elements[i];
		struct gt_meta_key k;
		if (gt_meta_element_find(m, e->code) != e)
			__builtin_trap();
		for (size_t o = 0; o < e->combo->noptions; o++) {
			if (gt_meta_element_option_index(e, e->combo->options[o].code) != (int)o)
				__builtin_trap();
			gt_meta_resolve(m, NULL, e->code, e->combo->options[o].code, &k, NULL);
		}
		gt_meta_value_check(e, "1");
		for (size_t d = 0; d < e->ndatasets; d++)
			if (!gt_meta_dataset_has_element(e->datasets[d], e))
				__builtin_trap();
	}
	for (size_t i = 0; i < m->nrules; i++) {
		struct gt_meta_rule_result res;
		gt_meta_rule_eval(m->rules[i], lookup, &one, &res);
	}
	for (size_t i = 0; i < m->ndatasets; i++)
		if (gt_meta_dataset_find(m, m->datasets[i]->code) != m->datasets[i])
			__builtin_trap();
	for (size_t i = 0; i < m->nindicators; i++)
		if (gt_meta_indicator_find(m, m->indicators[i]->code) != m->indicators[i])
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name = "fuzz.gtm";
	struct gt_meta_errors errs;
	struct gt_meta *m = NULL;

	if (gt_meta_load_buffers(&name, &data, &size, 1, &m, &errs) == 0) {
		if (errs.count != 0)
			__builtin_trap();
		walk(m);
		gt_meta_free(m);
	} else if (m != NULL || errs.count + errs.dropped == 0) {
		__builtin_trap(); /* a refusal always says why and loads nothing */
	}
	gt_meta_errors_clear(&errs);
	return 0;
}
