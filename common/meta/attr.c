/* Attribute lines: the keywords of each record kind, their arguments and their checks. */
#include "meta_int.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

/* ------------------------------------------------------------------------------------------ */
/* Keywords per kind (the A_* names in meta_int.h index them) and the words of values. */

static const char *const type_words[] = {"int0", "number", "text", "bool", NULL};
static const char *const agg_words[] = {"sum", "none", NULL};
static const char *const level_words[] = {"national", "province", "district", NULL};
static const char *const op_words[] = {"eq", "ne", "le", "lt", "ge", "gt", NULL};
static const char *const missing_words[] = {"skip-all", "skip-any", "never", NULL};
static const char *const severity_words[] = {"error", "warning", NULL};
static const char *const yes_no_words[] = {"no", "yes", NULL};
static const char *const kind_ind_words[] = {"", "process", "result", "output", "outcome", NULL};

static const struct kwdef kw_combo[] = {{"option", 1, 2, true}, {NULL, 0, 0, false}};

static const struct kwdef kw_element[] = {
    {"type", 1, 1, false},        {"aggregation", 1, 1, false}, {"combo", 1, 1, false},
    {"description", 1, 1, false}, {"maxlength", 1, 1, false},   {"victims", 1, 1, false},
    {"comments", 1, 1, false},    {"disclosure", 1, 1, false},  {NULL, 0, 0, false},
};

static const struct kwdef kw_dataset[] = {
    {"period", 1, 1, false},      {"levels", 1, 0, false},     {"timely", 1, 1, false},
    {"expiry", 1, 1, false},      {"elements", 1, 0, true},    {"plan", 1, 1, false},
    {"description", 1, 1, false}, {"disclosure", 1, 1, false}, {NULL, 0, 0, false},
};

static const struct kwdef kw_rule[] = {
    {"dataset", 1, 1, false},  {"left", 1, 0, false},    {"op", 1, 1, false},
    {"right", 1, 0, false},    {"missing", 1, 1, false}, {"description", 1, 1, false},
    {"severity", 1, 1, false}, {NULL, 0, 0, false},
};

static const struct kwdef kw_plan[] = {
    {"years", 2, 2, false},
    {"scope", 1, 2, false},
    {"source", 1, 1, false},
    {NULL, 0, 0, false},
};

static const struct kwdef kw_block[] = {
    {"plan", 1, 1, false}, {"lead", 1, 1, false}, {"coordinator", 1, 0, true},
    {"line", 1, 1, false}, {NULL, 0, 0, false},
};

static const struct kwdef kw_indicator[] = {
    {"block", 1, 1, false},      {"target", 4, 4, true},      {"schedule", 1, 0, true},
    {"responsible", 1, 0, true}, {"coordinator", 1, 0, true}, {"implementer", 1, 0, true},
    {"group", 1, 1, false},      {"challenge", 1, 1, false},  {"objective", 1, 1, false},
    {"kind", 1, 1, false},       {"line", 1, 1, false},       {NULL, 0, 0, false},
};

static const struct kwdef kw_action[] = {
    {"indicator", 1, 1, false},  {"responsible", 1, 0, true}, {"coordinator", 1, 0, true},
    {"implementer", 1, 0, true}, {"schedule", 1, 0, true},    {"group", 1, 1, false},
    {"line", 1, 1, false},       {NULL, 0, 0, false},
};

const struct kwdef *const gt__meta_kw_tables[K_COUNT] = {
    kw_combo, kw_element, kw_dataset, kw_rule, kw_plan, kw_block, kw_indicator, kw_action,
};

/* ------------------------------------------------------------------------------------------ */
/* Arguments. */

const char *gt__meta_tok_dup(struct ld *L, const struct tok *t)
{
	const char *p = gt__meta_arena_strndup(&L->ix->arena, t->s, t->len);

	if (p == NULL)
		gt__meta_nomem(L);
	return p;
}

/* Copies a code argument after checking its syntax; NULL after an error. */
const char *gt__meta_code_arg(struct ld *L, const struct tok *t, const char *what)
{
	if (!gt__meta_code_ok(t->s)) {
		ERR(L,
		    "invalid %s code \"%s\" (1 to 64 of A-Z 0-9 _ . -, starting with a letter "
		    "or digit)",
		    what, gt__meta_show(L, t->s));
		return NULL;
	}
	return gt__meta_tok_dup(L, t);
}

static int ref_arg(struct ld *L, const struct tok *t, const char *what, struct ref *r)
{
	r->code = gt__meta_code_arg(L, t, what);
	r->line = L->line;
	return r->code != NULL ? 0 : -1;
}

static int text_arg(struct ld *L, const struct tok *t, const char **out)
{
	*out = gt__meta_tok_dup(L, t);
	return *out != NULL ? 0 : -1;
}

static int tlist_add(struct ld *L, struct tlist *tl, const struct tok *a, size_t na)
{
	for (size_t i = 0; i < na; i++) {
		const char *s = gt__meta_tok_dup(L, &a[i]);
		if (s == NULL || !VEC_ROOM(L, tl->items, tl->n, tl->cap))
			return gt__meta_nomem(L);
		tl->items[tl->n++] = s;
	}
	return 0;
}

static bool year_parse(const char *s, unsigned *out)
{
	unsigned long v;

	if (!gt__meta_uint_parse(s, GT_META_YEAR_MAX, &v) || v < GT_META_YEAR_MIN)
		return false;
	*out = (unsigned)v;
	return true;
}

static int ylist_add(struct ld *L, struct ylist *yl, const struct tok *a, size_t na)
{
	for (size_t i = 0; i < na; i++) {
		unsigned y;
		if (!year_parse(a[i].s, &y)) {
			ERR(L, "invalid year \"%s\" (%u to %u)", gt__meta_show(L, a[i].s),
			    GT_META_YEAR_MIN, GT_META_YEAR_MAX);
			return -1;
		}
		if (!VEC_ROOM(L, yl->items, yl->n, yl->cap))
			return gt__meta_nomem(L);
		yl->items[yl->n].year = (uint16_t)y;
		yl->items[yl->n].line = L->line;
		yl->n++;
	}
	return 0;
}

static int source_line_arg(struct ld *L, const struct tok *t, unsigned *out)
{
	unsigned long v;

	if (!gt__meta_uint_parse(t->s, GT_META_MAX_SOURCE_LINE, &v) || v == 0) {
		ERR(L, "invalid line number \"%s\" (1 to %u)", gt__meta_show(L, t->s),
		    GT_META_MAX_SOURCE_LINE);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* Finds word in a NULL-terminated list of names; returns its index or -1. */
static int word_index(const char *const *words, const char *w)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], w) == 0)
			return i;
	return -1;
}

/* A disclosure threshold: 0 (none) to GT_META_MAX_DISCLOSURE. */
static int disclosure_arg(struct ld *L, const struct tok *t, unsigned *out)
{
	unsigned long v;

	if (!gt__meta_uint_parse(t->s, GT_META_MAX_DISCLOSURE, &v)) {
		ERR(L, "invalid disclosure \"%s\" (a threshold from 0, none, to %u)",
		    gt__meta_show(L, t->s), GT_META_MAX_DISCLOSURE);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* yes or no into *out. */
static int yes_no_arg(struct ld *L, const struct tok *t, const char *what, int *out)
{
	int i = word_index(yes_no_words, t->s);

	if (i < 0) {
		ERR(L, "%s takes yes or no, not \"%s\"", what, gt__meta_show(L, t->s));
		return -1;
	}
	*out = i;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Attributes of each kind. a[0..na) are the arguments after the keyword. */

static int attr_combo(struct ld *L, struct w_combo *w, int kw, const struct tok *a, size_t na)
{
	struct w_option *o;
	const char *code;

	(void)kw;
	code = gt__meta_code_arg(L, &a[0], "option");
	if (code == NULL)
		return -1;
	if (!VEC_ROOM(L, w->opts, w->nopts, w->capopts))
		return gt__meta_nomem(L);
	o = &w->opts[w->nopts];
	o->pub.code = code;
	o->pub.name = code;
	o->line = L->line;
	if (na == 2 && text_arg(L, &a[1], &o->pub.name) != 0)
		return -1;
	o->pub.index = w->nopts++;
	return 0;
}

static int attr_element(struct ld *L, struct w_element *w, int kw, const struct tok *a, size_t na)
{
	unsigned long v;
	int i;

	(void)na;
	switch (kw) {
	case A_TYPE:
		i = word_index(type_words, a[0].s);
		if (i < 0) {
			ERR(L, "unknown value type \"%s\" (int0, number, text or bool)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		w->pub.type = (enum gt_meta_value_type)i;
		w->type_line = L->line;
		return 0;
	case A_AGGREGATION:
		i = word_index(agg_words, a[0].s);
		if (i < 0) {
			ERR(L, "unknown aggregation \"%s\" (sum or none)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		w->pub.aggregation = (enum gt_meta_aggregation)i;
		w->agg_line = L->line;
		return 0;
	case A_COMBO:
		return ref_arg(L, &a[0], "category combo", &w->combo);
	case A_EDESCRIPTION:
		return text_arg(L, &a[0], &w->pub.description);
	case A_MAXLENGTH:
		if (!gt__meta_uint_parse(a[0].s, GT_META_MAX_TEXT, &v) || v == 0) {
			ERR(L, "invalid maxlength \"%s\" (1 to %u bytes)", gt__meta_show(L, a[0].s),
			    GT_META_MAX_TEXT);
			return -1;
		}
		w->pub.max_length = (uint32_t)v;
		w->maxlen_line = L->line;
		return 0;
	case A_VICTIMS:
		w->victims_line = L->line;
		return yes_no_arg(L, &a[0], "victims", &w->pub.victims);
	case A_COMMENTS:
		return yes_no_arg(L, &a[0], "comments", &w->pub.comments);
	case A_EDISCLOSURE:
		w->disclosure_line = L->line;
		return disclosure_arg(L, &a[0], &w->pub.disclosure);
	}
	return 0;
}

static int attr_dataset(struct ld *L, struct w_dataset *w, int kw, const struct tok *a, size_t na)
{
	unsigned long v;
	int i;

	switch (kw) {
	case A_PERIOD:
		if (gt_period_type_parse(a[0].s, &w->pub.period_type) != 0) {
			ERR(L,
			    "unknown period type \"%s\" (yearly, sixmonthly, quarterly or monthly)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		return 0;
	case A_LEVELS:
		for (size_t k = 0; k < na; k++) {
			unsigned bit;
			i = word_index(level_words, a[k].s);
			if (i < 0) {
				ERR(L, "unknown level \"%s\" (national, province or district)",
				    gt__meta_show(L, a[k].s));
				return -1;
			}
			bit = GT_META_LEVEL_BIT(i + GT_ORGUNIT_LEVEL_NATIONAL);
			if (w->pub.levels & bit) {
				ERR(L, "level \"%s\" listed twice", a[k].s);
				return -1;
			}
			w->pub.levels |= bit;
		}
		return 0;
	case A_TIMELY:
	case A_EXPIRY:
		if (!gt__meta_uint_parse(a[0].s, GT_META_MAX_DAYS, &v)) {
			ERR(L, "invalid %s \"%s\" (a whole number of days from 0 to %u)",
			    kw == A_TIMELY ? "timely" : "expiry", gt__meta_show(L, a[0].s),
			    GT_META_MAX_DAYS);
			return -1;
		}
		if (kw == A_TIMELY)
			w->pub.timely_days = (unsigned)v;
		else
			w->pub.expiry_days = (unsigned)v;
		return 0;
	case A_ELEMENTS:
		for (size_t k = 0; k < na; k++) {
			struct ref r;
			if (ref_arg(L, &a[k], "element", &r) != 0)
				return -1;
			if (!VEC_ROOM(L, w->elems, w->nelems, w->capelems))
				return gt__meta_nomem(L);
			w->elems[w->nelems++] = r;
		}
		return 0;
	case A_DPLAN:
		return ref_arg(L, &a[0], "plan", &w->plan);
	case A_DDESCRIPTION:
		return text_arg(L, &a[0], &w->pub.description);
	case A_DDISCLOSURE:
		return disclosure_arg(L, &a[0], &w->pub.disclosure);
	}
	return 0;
}

/* Parses "OPERAND (+|- OPERAND)*" into one side of a rule. */
static int rule_side(struct ld *L, struct w_rule *w, int side, const struct tok *a, size_t na)
{
	int sign = 1;

	for (size_t k = 0; k < na; k++) {
		bool is_op = !a[k].quoted && (strcmp(a[k].s, "+") == 0 || strcmp(a[k].s, "-") == 0);
		if (k % 2 == 1) {
			if (!is_op) {
				ERR(L, "expected + or - between operands, found \"%s\"",
				    gt__meta_show(L, a[k].s));
				return -1;
			}
			sign = a[k].s[0] == '-' ? -1 : 1;
			continue;
		}
		if (is_op || a[k].quoted) {
			ERR(L,
			    "expected an operand (ELEMENT, ELEMENT.OPTION or a number), found "
			    "\"%s\"",
			    gt__meta_show(L, a[k].s));
			return -1;
		}
		if (!VEC_ROOM(L, w->side[side], w->nside[side], w->capside[side]))
			return gt__meta_nomem(L);
		w->side[side][w->nside[side]].sign = sign;
		w->side[side][w->nside[side]].line = L->line;
		if ((w->side[side][w->nside[side]].text = gt__meta_tok_dup(L, &a[k])) == NULL)
			return GT_ENOMEM;
		w->nside[side]++;
	}
	if (na % 2 == 0) {
		ERR(L, "expected an operand after the last + or -");
		return -1;
	}
	return 0;
}

static int attr_rule(struct ld *L, struct w_rule *w, int kw, const struct tok *a, size_t na)
{
	int i;

	switch (kw) {
	case A_RDATASET:
		return ref_arg(L, &a[0], "data set", &w->dataset);
	case A_LEFT:
		return rule_side(L, w, 0, a, na);
	case A_RIGHT:
		return rule_side(L, w, 1, a, na);
	case A_OP:
		i = word_index(op_words, a[0].s);
		if (i < 0) {
			ERR(L, "unknown operator \"%s\" (eq, ne, le, lt, ge or gt)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		w->pub.op = (enum gt_meta_op)i;
		return 0;
	case A_MISSING:
		i = word_index(missing_words, a[0].s);
		if (i < 0) {
			ERR(L,
			    "unknown missing-value strategy \"%s\" (skip-all, skip-any or never)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		w->pub.missing = (enum gt_meta_missing)i;
		return 0;
	case A_RDESCRIPTION:
		return text_arg(L, &a[0], &w->pub.description);
	case A_SEVERITY:
		if ((i = word_index(severity_words, a[0].s)) < 0) {
			ERR(L, "unknown severity \"%s\" (error or warning)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		w->pub.severity = (enum gt_meta_severity)i;
		return 0;
	}
	return 0;
}

static int attr_plan(struct ld *L, struct w_plan *w, int kw, const struct tok *a, size_t na)
{
	unsigned y0, y1;

	switch (kw) {
	case A_YEARS:
		if (!year_parse(a[0].s, &y0) || !year_parse(a[1].s, &y1)) {
			ERR(L, "invalid plan years \"%s %s\" (two years from %u to %u)",
			    gt__meta_show(L, a[0].s), gt__meta_show(L, a[1].s), GT_META_YEAR_MIN,
			    GT_META_YEAR_MAX);
			return -1;
		}
		if (y0 > y1) {
			ERR(L, "plan years run backwards: %u is after %u", y0, y1);
			return -1;
		}
		w->pub.first_year = y0;
		w->pub.last_year = y1;
		return 0;
	case A_SCOPE:
		if (na == 1 && strcmp(a[0].s, "national") == 0) {
			w->pub.scope_province = NULL;
			return 0;
		}
		if (na == 2 && strcmp(a[0].s, "province") == 0) {
			if (gt_orgunit_level(a[1].s) != GT_ORGUNIT_LEVEL_PROVINCE) {
				ERR(L, "invalid province code \"%s\" (two digits, 11 to 99)",
				    gt__meta_show(L, a[1].s));
				return -1;
			}
			return text_arg(L, &a[1], &w->pub.scope_province);
		}
		ERR(L, "scope is \"national\" or \"province CODE\"");
		return -1;
	case A_SOURCE:
		return text_arg(L, &a[0], &w->pub.source);
	}
	return 0;
}

static int attr_block(struct ld *L, struct w_block *w, int kw, const struct tok *a, size_t na)
{
	switch (kw) {
	case A_BPLAN:
		return ref_arg(L, &a[0], "plan", &w->plan);
	case A_LEAD:
		return text_arg(L, &a[0], &w->pub.lead);
	case A_BCOORDINATOR:
		return tlist_add(L, &w->coord, a, na);
	case A_BLINE:
		return source_line_arg(L, &a[0], &w->pub.source_line);
	}
	return 0;
}

static int attr_target(struct ld *L, struct w_indicator *w, const struct tok *a)
{
	struct w_target *t;
	unsigned y;
	double q = 0;
	bool has_q;

	if (!year_parse(a[0].s, &y)) {
		ERR(L, "invalid target year \"%s\" (%u to %u)", gt__meta_show(L, a[0].s),
		    GT_META_YEAR_MIN, GT_META_YEAR_MAX);
		return -1;
	}
	has_q = !(strcmp(a[1].s, "-") == 0 && !a[1].quoted);
	if (has_q && !gt__meta_decimal_parse(a[1].s, false, &q)) {
		ERR(L, "invalid target quantity \"%s\" (a number such as 230 or 2.5, or -)",
		    gt__meta_show(L, a[1].s));
		return -1;
	}
	if (!VEC_ROOM(L, w->targets, w->ntargets, w->captargets))
		return gt__meta_nomem(L);
	t = &w->targets[w->ntargets];
	t->pub.year = y;
	t->pub.has_quantity = has_q;
	t->pub.quantity = q;
	t->line = L->line;
	if (text_arg(L, &a[1], &t->pub.quantity_text) != 0 ||
	    text_arg(L, &a[2], &t->pub.unit) != 0 || text_arg(L, &a[3], &t->pub.raw) != 0)
		return GT_ENOMEM;
	w->ntargets++;
	return 0;
}

static int attr_indicator(struct ld *L, struct w_indicator *w, int kw, const struct tok *a,
                          size_t na)
{
	int i;

	switch (kw) {
	case A_IBLOCK:
		return ref_arg(L, &a[0], "block", &w->block);
	case A_TARGET:
		return attr_target(L, w, a);
	case A_ISCHEDULE:
		return ylist_add(L, &w->sched, a, na);
	case A_IRESPONSIBLE:
		return tlist_add(L, &w->resp, a, na);
	case A_ICOORDINATOR:
		return tlist_add(L, &w->coord, a, na);
	case A_IIMPLEMENTER:
		return tlist_add(L, &w->impl, a, na);
	case A_IGROUP:
		return text_arg(L, &a[0], &w->pub.group);
	case A_CHALLENGE:
		return text_arg(L, &a[0], &w->pub.challenge);
	case A_OBJECTIVE:
		return text_arg(L, &a[0], &w->pub.objective);
	case A_KIND:
		i = word_index(kind_ind_words, a[0].s);
		if (i <= 0) {
			ERR(L, "unknown indicator kind \"%s\" (process, result, output or outcome)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		w->pub.kind = (enum gt_meta_indicator_kind)i;
		return 0;
	case A_ILINE:
		return source_line_arg(L, &a[0], &w->pub.source_line);
	}
	return 0;
}

static int attr_action(struct ld *L, struct w_action *w, int kw, const struct tok *a, size_t na)
{
	switch (kw) {
	case A_AINDICATOR:
		return ref_arg(L, &a[0], "indicator", &w->indicator);
	case A_ARESPONSIBLE:
		return tlist_add(L, &w->resp, a, na);
	case A_ACOORDINATOR:
		return tlist_add(L, &w->coord, a, na);
	case A_AIMPLEMENTER:
		return tlist_add(L, &w->impl, a, na);
	case A_ASCHEDULE:
		return ylist_add(L, &w->sched, a, na);
	case A_AGROUP:
		return text_arg(L, &a[0], &w->pub.group);
	case A_ALINE:
		return source_line_arg(L, &a[0], &w->pub.source_line);
	}
	return 0;
}

/* Lists the keywords of a kind for an error message. */
static void kw_list(const struct kwdef *defs, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; defs[i].word != NULL && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", defs[i].word);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* The attribute kwt names in defs, after checking its number of arguments (na) and that it
 * is not given twice where once is the rule; -1 after an error. */
static int attribute_keyword(struct ld *L, const struct kwdef *defs, const struct tok *kwt,
                             size_t na)
{
	int kw = -1;

	for (int i = 0; defs[i].word != NULL; i++)
		if (strcmp(defs[i].word, kwt->s) == 0)
			kw = i;
	if (kw < 0) {
		char list[256];
		kw_list(defs, list, sizeof(list));
		ERR(L, "unknown attribute \"%s\" for %s (expected %s)", gt__meta_show(L, kwt->s),
		    gt__meta_kind_text[L->cur_kind], list);
		return -1;
	}
	if (na < defs[kw].min || (defs[kw].max != 0 && na > defs[kw].max)) {
		if (defs[kw].max == 0)
			ERR(L, "\"%s\" takes at least %u argument%s", defs[kw].word, defs[kw].min,
			    defs[kw].min == 1 ? "" : "s");
		else if (defs[kw].min == defs[kw].max)
			ERR(L, "\"%s\" takes %u argument%s", defs[kw].word, defs[kw].min,
			    defs[kw].min == 1 ? "" : "s");
		else
			ERR(L, "\"%s\" takes %u to %u arguments", defs[kw].word, defs[kw].min,
			    defs[kw].max);
		return -1;
	}
	if (!defs[kw].repeat && (L->cur_head->seen & (1u << kw))) {
		ERR(L, "attribute \"%s\" given twice", defs[kw].word);
		return -1;
	}
	return kw;
}

void gt__meta_attribute_line(struct ld *L)
{
	const struct kwdef *defs;
	const struct tok *kwt = &L->toks[0];
	size_t na = L->ntoks - 1;
	int kw, rc = -1;
	bool was_broken;

	if (L->cur_state == 2)
		return;
	if (L->cur_state == 0) {
		ERR(L, "indented attribute line before any record");
		return;
	}
	defs = gt__meta_kw_tables[L->cur_kind];
	was_broken = L->cur_head->broken;
	L->cur_head->broken = true; /* until the attribute is taken */
	if (kwt->quoted) {
		ERR(L, "expected an attribute keyword, found a quoted string");
		return;
	}
	if ((kw = attribute_keyword(L, defs, kwt, na)) < 0)
		return;
	L->cur_head->seen |= 1u << kw;
	switch (L->cur_kind) {
	case K_COMBO:
		rc = attr_combo(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_ELEMENT:
		rc = attr_element(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_DATASET:
		rc = attr_dataset(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_RULE:
		rc = attr_rule(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_PLAN:
		rc = attr_plan(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_BLOCK:
		rc = attr_block(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_INDICATOR:
		rc = attr_indicator(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_ACTION:
		rc = attr_action(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_COUNT:
		break;
	}
	if (rc == 0)
		L->cur_head->broken = was_broken;
}

/* ------------------------------------------------------------------------------------------ */
/* Names. */

const char *gt_meta_type_name(enum gt_meta_value_type t)
{
	return (unsigned)t < 4 ? type_words[t] : "?";
}

const char *gt_meta_op_name(enum gt_meta_op op)
{
	return (unsigned)op < 6 ? op_words[op] : "?";
}
