/* Validation rules: both sides summed from the values at hand and compared. */
#include "meta_int.h"

#include <string.h>

#include "error.h"

struct side_sum {
	double value;
	size_t present;
	size_t missing;
};

static int side_eval(const struct gt_meta_operand *ops, size_t n, gt_meta_value_fn get, void *ctx,
                     struct side_sum *s)
{
	for (size_t i = 0; i < n; i++) {
		const struct gt_meta_operand *o = &ops[i];
		size_t first, last;
		if (o->element == NULL) {
			s->value += o->sign * o->number;
			continue;
		}
		first = o->option >= 0 ? (size_t)o->option : 0;
		last = o->option >= 0 ? (size_t)o->option + 1 : o->element->combo->noptions;
		for (size_t k = first; k < last; k++) {
			double v = 0;
			int rc = get(ctx, o->element, (int)k, &v);
			if (rc == GT_ENOENT) {
				s->missing++;
				continue;
			}
			if (rc != 0)
				return rc;
			s->present++;
			s->value += o->sign * v;
		}
	}
	return 0;
}

static double absd(double x)
{
	return x < 0 ? -x : x;
}

int gt_meta_rule_eval(const struct gt_meta_rule *r, gt_meta_value_fn get, void *ctx,
                      struct gt_meta_rule_result *res)
{
	struct side_sum l = {0, 0, 0}, rt = {0, 0, 0};
	double d, tol, big;
	int rc, ok = 1;

	memset(res, 0, sizeof(*res));
	if (r == NULL || get == NULL)
		return GT_EINVAL;
	if ((rc = side_eval(r->left, r->nleft, get, ctx, &l)) != 0)
		return rc;
	if ((rc = side_eval(r->right, r->nright, get, ctx, &rt)) != 0)
		return rc;
	res->left = l.value;
	res->right = rt.value;
	if (r->missing == GT_META_MISSING_SKIP_ALL && l.present + rt.present == 0 &&
	    l.missing + rt.missing > 0) {
		res->skipped = 1;
		return 0;
	}
	if (r->missing == GT_META_MISSING_SKIP_ANY && l.missing + rt.missing > 0) {
		res->skipped = 1;
		return 0;
	}
	d = l.value - rt.value;
	big = absd(l.value) > absd(rt.value) ? absd(l.value) : absd(rt.value);
	tol = 1e-9 * (big > 1 ? big : 1);
	switch (r->op) {
	case GT_META_OP_EQ:
		ok = absd(d) <= tol;
		break;
	case GT_META_OP_NE:
		ok = absd(d) > tol;
		break;
	case GT_META_OP_LE:
		ok = d <= tol;
		break;
	case GT_META_OP_LT:
		ok = d < -tol;
		break;
	case GT_META_OP_GE:
		ok = d >= -tol;
		break;
	case GT_META_OP_GT:
		ok = d > tol;
		break;
	}
	res->violated = !ok;
	return 0;
}
