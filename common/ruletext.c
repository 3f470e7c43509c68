/* Validation rules in words a person understands, with the values they were evaluated with. */
#include "ruletext.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const ops[] = {"=", "≠", "≤", "<", "≥", ">"};
static const char *const failed[] = {"≠", "=", ">", "≥", "<", "≤"};

const char *gt_ruletext_op(enum gt_meta_op op)
{
	return (unsigned)op < sizeof(ops) / sizeof(ops[0]) ? ops[op] : "?";
}

const char *gt_ruletext_op_failed(enum gt_meta_op op)
{
	return (unsigned)op < sizeof(failed) / sizeof(failed[0]) ? failed[op] : "?";
}

/* A text being written into a fixed buffer; need counts what the whole text takes. */
struct out {
	char *buf;
	size_t len, used, need;
};

static void put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	o->need += n;
	if (o->len == 0 || o->used >= o->len - 1)
		return;
	if (n > o->len - 1 - o->used)
		n = o->len - 1 - o->used;
	memcpy(o->buf + o->used, s, n);
	o->used += n;
	o->buf[o->used] = '\0';
}

static void put_number(struct out *o, double v)
{
	char num[64];

	if (isfinite(v) && fabs(v) < 1e15 && v == floor(v))
		snprintf(num, sizeof(num), "%.0f", v);
	else
		snprintf(num, sizeof(num), "%.6g", v);
	put(o, num);
}

static void put_side(struct out *o, const struct gt_meta_operand *ops_, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct gt_meta_operand *op = &ops_[i];

		if (i > 0)
			put(o, op->sign < 0 ? " − " : " + ");
		else if (op->sign < 0)
			put(o, "− ");
		if (op->element == NULL) {
			put_number(o, op->number);
			continue;
		}
		put(o, op->element->name[0] ? op->element->name : op->element->code);
		if (op->option >= 0 && (size_t)op->option < op->element->combo->noptions) {
			const struct gt_meta_option *opt = &op->element->combo->options[op->option];
			put(o, ", ");
			put(o, opt->name != NULL && opt->name[0] ? opt->name : opt->code);
		}
	}
	if (n == 0)
		put(o, "0");
}

size_t gt_ruletext_side(const struct gt_meta_operand *ops_, size_t n, char *buf, size_t len)
{
	struct out o = {buf, len, 0, 0};

	if (len > 0)
		buf[0] = '\0';
	put_side(&o, ops_, n);
	return o.need;
}

/* Ends a cut text with "…" at a UTF-8 character boundary. */
static void mark_cut(struct out *o)
{
	static const char ell[] = "…";
	size_t e = sizeof(ell) - 1;

	if (o->len < e + 1)
		return;
	if (o->used > o->len - 1 - e)
		o->used = o->len - 1 - e;
	while (o->used > 0 && ((unsigned char)o->buf[o->used] & 0xC0) == 0x80)
		o->used--;
	memcpy(o->buf + o->used, ell, e);
	o->used += e;
	o->buf[o->used] = '\0';
}

/* Whether a side names an element (a side of numbers only is its own value). */
static int names_element(const struct gt_meta_operand *ops_, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ops_[i].element != NULL)
			return 1;
	return 0;
}

/* One side in words and, unless it is only numbers, its value in parentheses. */
static void put_valued(struct out *o, const struct gt_meta_operand *ops_, size_t n, double v)
{
	put_side(o, ops_, n);
	if (!names_element(ops_, n))
		return;
	put(o, " (");
	put_number(o, v);
	put(o, ")");
}

size_t gt_ruletext_violation(const struct gt_meta_rule *r, const struct gt_meta_rule_result *res,
                             char *buf, size_t len)
{
	struct out o = {buf, len, 0, 0};

	if (len > 0)
		buf[0] = '\0';
	put_valued(&o, r->left, r->nleft, res->left);
	put(&o, " ");
	put(&o, gt_ruletext_op_failed(r->op));
	put(&o, " ");
	put_valued(&o, r->right, r->nright, res->right);
	if (o.need > o.used)
		mark_cut(&o);
	return o.used;
}
