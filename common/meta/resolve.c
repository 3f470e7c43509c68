/* Resolution: references, required attributes and cross-record checks of a parsed set. */
#include "meta_int.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

#define ERR_REC(L, w, line, ...) gt__meta_err_at((L), (w)->h.fidx, (line), __VA_ARGS__)

static void *find_rec(struct ld *L, enum kind k, const char *code)
{
	uint32_t i = gt__meta_ktab_find(&L->ix->tabs[k], code);

	return i == UINT32_MAX ? NULL : L->ix->tabs[k].recs[i];
}

static void texts_final(const struct tlist *tl, struct gt_meta_texts *out)
{
	out->items = tl->items;
	out->n = tl->n;
}

static int years_final(struct ld *L, const struct ylist *yl, struct gt_meta_years *out,
                       uint32_t fidx, const struct gt_meta_plan *plan)
{
	uint16_t *ys = gt__meta_arena_alloc(&L->ix->arena, (size_t)yl->n * sizeof(*ys));

	if (ys == NULL)
		return gt__meta_nomem(L);
	for (uint32_t i = 0; i < yl->n; i++) {
		ys[i] = yl->items[i].year;
		if (plan != NULL && (ys[i] < plan->first_year || ys[i] > plan->last_year))
			gt__meta_err_at(L, fidx, yl->items[i].line,
			                "schedule year %u is outside plan %s's years %u-%u", ys[i],
			                plan->code, plan->first_year, plan->last_year);
	}
	out->items = ys;
	out->n = yl->n;
	return 0;
}

struct code_idx {
	const char *code;
	uint32_t idx;
};

static int code_idx_cmp(const void *a, const void *b)
{
	const struct code_idx *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void resolve_combos(struct ld *L)
{
	struct ktab *t = &L->ix->tabs[K_COMBO];

	for (uint32_t i = 0; i < t->n && !L->stop; i++) {
		struct w_combo *w = t->recs[i];
		struct gt_meta_option *opts;
		struct code_idx *ci;
		uint32_t *sorted;

		w->pub.index = i;
		if (w->nopts == 0 && !w->h.broken) {
			ERR_REC(L, w, w->pub.line, "category combo %s has no options", w->pub.code);
			continue;
		}
		opts = gt__meta_arena_alloc(&L->ix->arena, (size_t)w->nopts * sizeof(*opts));
		ci = gt__meta_arena_alloc(&L->ix->arena, (size_t)w->nopts * sizeof(*ci));
		sorted = gt__meta_arena_alloc(&L->ix->arena, (size_t)w->nopts * sizeof(*sorted));
		if (opts == NULL || ci == NULL || sorted == NULL) {
			gt__meta_nomem(L);
			return;
		}
		for (uint32_t o = 0; o < w->nopts; o++) {
			opts[o] = w->opts[o].pub;
			ci[o].code = opts[o].code;
			ci[o].idx = o;
		}
		qsort(ci, w->nopts, sizeof(*ci), code_idx_cmp);
		for (uint32_t o = 0; o < w->nopts; o++) {
			sorted[o] = ci[o].idx;
			if (o > 0 && strcmp(ci[o].code, ci[o - 1].code) == 0)
				ERR_REC(
				    L, w, w->opts[ci[o].idx].line,
				    "option %s listed twice in category combo %s (first at line "
				    "%u)",
				    ci[o].code, w->pub.code, w->opts[ci[o - 1].idx].line);
		}
		w->pub.options = opts;
		w->pub.noptions = w->nopts;
		w->pub.sorted = sorted;
	}
}

/* An indicator's block (and through it its plan), its targets (within the plan's years) and
 * its schedule. Non-zero when the load stops. */
static int resolve_indicator(struct ld *L, struct w_indicator *w)
{
	const struct gt_meta_plan *plan = NULL;
	struct gt_meta_target *tg;
	struct w_block *b;

	texts_final(&w->resp, &w->pub.responsible);
	texts_final(&w->coord, &w->pub.coordinators);
	texts_final(&w->impl, &w->pub.implementers);
	if (w->block.code == NULL) {
		if (!w->h.broken)
			ERR_REC(L, w, w->pub.line, "indicator %s has no block", w->pub.code);
	} else if ((b = find_rec(L, K_BLOCK, w->block.code)) == NULL) {
		ERR_REC(L, w, w->block.line, "indicator %s names unknown block \"%s\"", w->pub.code,
		        w->block.code);
	} else {
		w->pub.block = &b->pub;
		w->pub.plan = plan = b->pub.plan;
	}
	tg = gt__meta_arena_alloc(&L->ix->arena, (size_t)w->ntargets * sizeof(*tg));
	if (tg == NULL) {
		gt__meta_nomem(L);
		return 1;
	}
	for (uint32_t k = 0; k < w->ntargets; k++) {
		tg[k] = w->targets[k].pub;
		if (plan != NULL && (w->targets[k].pub.year < plan->first_year ||
		                     w->targets[k].pub.year > plan->last_year))
			ERR_REC(L, w, w->targets[k].line,
			        "target year %u is outside plan %s's years %u-%u",
			        w->targets[k].pub.year, plan->code, plan->first_year,
			        plan->last_year);
	}
	w->pub.targets = tg;
	w->pub.ntargets = w->ntargets;
	return years_final(L, &w->sched, &w->pub.schedule, w->h.fidx, plan) != 0;
}

/* An action's indicator (and through it its plan) and its schedule. Non-zero when the load
 * stops. */
static int resolve_action(struct ld *L, struct w_action *w)
{
	const struct gt_meta_plan *plan = NULL;
	struct w_indicator *ind;

	texts_final(&w->resp, &w->pub.responsible);
	texts_final(&w->coord, &w->pub.coordinators);
	texts_final(&w->impl, &w->pub.implementers);
	if (w->indicator.code == NULL) {
		if (!w->h.broken)
			ERR_REC(L, w, w->pub.line, "action %s has no indicator", w->pub.code);
	} else if ((ind = find_rec(L, K_INDICATOR, w->indicator.code)) == NULL) {
		ERR_REC(L, w, w->indicator.line, "action %s names unknown indicator \"%s\"",
		        w->pub.code, w->indicator.code);
	} else {
		w->pub.indicator = &ind->pub;
		plan = ind->pub.plan;
	}
	return years_final(L, &w->sched, &w->pub.schedule, w->h.fidx, plan) != 0;
}

static void resolve_catalogue(struct ld *L)
{
	struct ktab *tp = &L->ix->tabs[K_PLAN], *tb = &L->ix->tabs[K_BLOCK];
	struct ktab *ti = &L->ix->tabs[K_INDICATOR], *ta = &L->ix->tabs[K_ACTION];

	for (uint32_t i = 0; i < tp->n; i++) {
		struct w_plan *w = tp->recs[i];
		w->pub.index = i;
		if (!(w->h.seen & (1u << A_YEARS)) && !w->h.broken)
			ERR_REC(L, w, w->pub.line, "plan %s has no years", w->pub.code);
		if (!(w->h.seen & (1u << A_SCOPE)) && !w->h.broken)
			ERR_REC(L, w, w->pub.line, "plan %s has no scope", w->pub.code);
	}
	for (uint32_t i = 0; i < tb->n && !L->stop; i++) {
		struct w_block *w = tb->recs[i];
		struct w_plan *p;
		w->pub.index = i;
		texts_final(&w->coord, &w->pub.coordinators);
		if (w->plan.code == NULL) {
			if (!w->h.broken)
				ERR_REC(L, w, w->pub.line, "block %s has no plan", w->pub.code);
			continue;
		}
		p = find_rec(L, K_PLAN, w->plan.code);
		if (p == NULL)
			ERR_REC(L, w, w->plan.line, "block %s names unknown plan \"%s\"",
			        w->pub.code, w->plan.code);
		else
			w->pub.plan = &p->pub;
	}
	for (uint32_t i = 0; i < ti->n && !L->stop; i++) {
		struct w_indicator *w = ti->recs[i];
		w->pub.index = i;
		if (resolve_indicator(L, w) != 0)
			return;
	}
	for (uint32_t i = 0; i < ta->n && !L->stop; i++) {
		struct w_action *w = ta->recs[i];
		w->pub.index = i;
		if (resolve_action(L, w) != 0)
			return;
	}
}

/* Adds the builtin ACH combo (options: every indicator) and element when plans exist. */
static void add_achievement(struct ld *L)
{
	struct ktab *ti = &L->ix->tabs[K_INDICATOR];
	struct w_combo *c;
	struct w_element *e;
	struct gt_meta_option *opts;
	struct code_idx *ci;
	uint32_t *sorted;
	uint32_t n = ti->n;

	if (L->ix->tabs[K_PLAN].n == 0 || L->stop)
		return;
	c = gt__meta_arena_alloc(&L->ix->arena, sizeof(*c));
	e = gt__meta_arena_alloc(&L->ix->arena, sizeof(*e));
	opts = gt__meta_arena_alloc(&L->ix->arena, (size_t)n * sizeof(*opts));
	ci = gt__meta_arena_alloc(&L->ix->arena, (size_t)n * sizeof(*ci));
	sorted = gt__meta_arena_alloc(&L->ix->arena, (size_t)n * sizeof(*sorted));
	if (c == NULL || e == NULL || opts == NULL || ci == NULL || sorted == NULL) {
		gt__meta_nomem(L);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct w_indicator *ind = ti->recs[i];
		opts[i].code = ind->pub.code;
		opts[i].name = ind->pub.name;
		opts[i].index = i;
		ci[i].code = ind->pub.code;
		ci[i].idx = i;
	}
	qsort(ci, n, sizeof(*ci), code_idx_cmp);
	for (uint32_t i = 0; i < n; i++)
		sorted[i] = ci[i].idx;
	c->pub.code = GT_META_ACH_CODE;
	c->pub.name = "Indikator rencana aksi";
	c->pub.file = "";
	c->pub.builtin = 1;
	c->pub.options = opts;
	c->pub.noptions = n;
	c->pub.sorted = sorted;
	c->pub.index = L->ix->tabs[K_COMBO].n;
	e->pub.code = GT_META_ACH_CODE;
	e->pub.name = "Capaian rencana aksi";
	e->pub.description = "Capaian per indikator rencana aksi; opsi: kode indikator";
	e->pub.file = "";
	e->pub.builtin = 1;
	e->pub.type = GT_META_TYPE_NUMBER;
	e->pub.aggregation = GT_META_AGG_SUM;
	e->pub.max_length = GT_META_MAX_TEXT;
	e->pub.comments = 1;
	e->pub.combo = &c->pub;
	e->h.seen = (1u << A_TYPE);
	if (gt__meta_ktab_add(&L->ix->arena, &L->ix->tabs[K_COMBO], c->pub.code, c) != 0 ||
	    gt__meta_ktab_add(&L->ix->arena, &L->ix->tabs[K_ELEMENT], e->pub.code, e) != 0)
		gt__meta_nomem(L);
}

static void resolve_elements(struct ld *L)
{
	struct ktab *t = &L->ix->tabs[K_ELEMENT];

	for (uint32_t i = 0; i < t->n && !L->stop; i++) {
		struct w_element *w = t->recs[i];
		bool numeric;

		w->pub.index = i;
		if (w->pub.builtin)
			continue;
		if (!(w->h.seen & (1u << A_TYPE)) && !w->h.broken)
			ERR_REC(L, w, w->pub.line, "element %s has no type", w->pub.code);
		numeric = w->pub.type == GT_META_TYPE_INT0 || w->pub.type == GT_META_TYPE_NUMBER;
		if (!(w->h.seen & (1u << A_AGGREGATION)))
			w->pub.aggregation = numeric ? GT_META_AGG_SUM : GT_META_AGG_NONE;
		else if (!numeric && w->pub.aggregation == GT_META_AGG_SUM)
			ERR_REC(L, w, w->agg_line,
			        "element %s: aggregation sum needs type int0 or number",
			        w->pub.code);
		if ((w->h.seen & (1u << A_MAXLENGTH)) && w->pub.type != GT_META_TYPE_TEXT)
			ERR_REC(L, w, w->maxlen_line, "element %s: maxlength needs type text",
			        w->pub.code);
		if (w->pub.victims && !numeric)
			ERR_REC(L, w, w->victims_line,
			        "element %s: victims yes needs type int0 or number (a count)",
			        w->pub.code);
		if ((w->h.seen & (1u << A_EDISCLOSURE)) && w->pub.disclosure > 0 && !numeric)
			ERR_REC(L, w, w->disclosure_line,
			        "element %s: a disclosure threshold needs type int0 or number",
			        w->pub.code);
		if (!(w->h.seen & (1u << A_COMMENTS)))
			w->pub.comments = !w->pub.victims;
		if (w->combo.code == NULL) {
			w->pub.combo = &L->ix->default_combo;
		} else {
			struct w_combo *c = find_rec(L, K_COMBO, w->combo.code);
			if (c == NULL || c->pub.builtin) {
				ERR_REC(L, w, w->combo.line,
				        "element %s names unknown category combo \"%s\"",
				        w->pub.code, w->combo.code);
				w->pub.combo = &L->ix->default_combo;
			} else {
				w->pub.combo = &c->pub;
			}
		}
	}
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* A data set's period type, levels and plan (a plan's data set must be yearly). */
static void resolve_dataset_head(struct ld *L, struct w_dataset *w)
{
	struct w_plan *p;

	if (!(w->h.seen & (1u << A_PERIOD)) && !w->h.broken)
		ERR_REC(L, w, w->pub.line, "data set %s has no period type", w->pub.code);
	if (!(w->h.seen & (1u << A_LEVELS)) && !w->h.broken)
		ERR_REC(L, w, w->pub.line, "data set %s has no levels", w->pub.code);
	if (w->plan.code != NULL) {
		p = find_rec(L, K_PLAN, w->plan.code);
		if (p == NULL)
			ERR_REC(L, w, w->plan.line, "data set %s names unknown plan \"%s\"",
			        w->pub.code, w->plan.code);
		else
			w->pub.plan = &p->pub;
		if ((w->h.seen & (1u << A_PERIOD)) && w->pub.period_type != GT_PERIOD_YEARLY)
			ERR_REC(L, w, w->plan.line,
			        "data set %s reports plan achievement and must be yearly",
			        w->pub.code);
	} else if (w->nelems == 0 && !w->h.broken) {
		ERR_REC(L, w, w->pub.line, "data set %s has no elements", w->pub.code);
	}
}

/* A data set's elements, in its order and sorted by index (each once), with the plan
 * achievement element ach added to a plan's data set that does not list it. Non-zero when out
 * of memory. */
static int resolve_dataset_elements(struct ld *L, struct w_dataset *w, struct w_element *ach)
{
	struct ktab *te = &L->ix->tabs[K_ELEMENT];
	const struct gt_meta_element **els;
	uint32_t *sorted, n = 0;
	bool has_ach = false;

	els = gt__meta_arena_alloc(&L->ix->arena, ((size_t)w->nelems + 1) * sizeof(*els));
	sorted = gt__meta_arena_alloc(&L->ix->arena, ((size_t)w->nelems + 1) * sizeof(*sorted));
	if (els == NULL || sorted == NULL) {
		gt__meta_nomem(L);
		return 1;
	}
	for (uint32_t k = 0; k < w->nelems; k++) {
		const struct ref *r = &w->elems[k];
		struct w_element *e = find_rec(L, K_ELEMENT, r->code);
		if (e == NULL) {
			ERR_REC(L, w, r->line, "data set %s names unknown element \"%s\"",
			        w->pub.code, r->code);
			continue;
		}
		if (e->pub.builtin) {
			if (w->pub.plan == NULL && w->plan.code == NULL) {
				ERR_REC(L, w, r->line,
				        "element %s belongs only in a plan's achievement data "
				        "set (add \"plan CODE\")",
				        r->code);
				continue;
			}
			has_ach = true;
		}
		els[n] = &e->pub;
		sorted[n] = e->pub.index;
		n++;
	}
	if (w->pub.plan != NULL && !has_ach && ach != NULL) {
		els[n] = &ach->pub;
		sorted[n] = ach->pub.index;
		n++;
	}
	qsort(sorted, n, sizeof(*sorted), u32_cmp);
	for (uint32_t k = 1; k < n; k++)
		if (sorted[k] == sorted[k - 1])
			ERR_REC(L, w, w->pub.line, "data set %s lists element %s twice",
			        w->pub.code, ((struct w_element *)te->recs[sorted[k]])->pub.code);
	w->pub.elements = els;
	w->pub.nelements = n;
	w->pub.sorted = sorted;
	return 0;
}

/* Each element's data sets, in data set order. */
static void resolve_element_datasets(struct ld *L)
{
	struct ktab *t = &L->ix->tabs[K_DATASET], *te = &L->ix->tabs[K_ELEMENT];
	uint32_t *counts;

	counts = gt__meta_arena_alloc(&L->ix->arena, ((size_t)te->n + 1) * sizeof(*counts));
	if (counts == NULL) {
		gt__meta_nomem(L);
		return;
	}
	for (uint32_t i = 0; i < t->n; i++) {
		const struct w_dataset *w = t->recs[i];
		for (size_t k = 0; k < w->pub.nelements; k++)
			counts[w->pub.elements[k]->index]++;
	}
	for (uint32_t i = 0; i < te->n; i++) {
		struct w_element *e = te->recs[i];
		const struct gt_meta_dataset **ds;
		ds = gt__meta_arena_alloc(&L->ix->arena, ((size_t)counts[i] + 1) * sizeof(*ds));
		if (ds == NULL) {
			gt__meta_nomem(L);
			return;
		}
		e->pub.datasets = ds;
	}
	for (uint32_t i = 0; i < t->n; i++) {
		const struct w_dataset *w = t->recs[i];
		for (size_t k = 0; k < w->pub.nelements; k++) {
			struct w_element *e = te->recs[w->pub.elements[k]->index];
			((const struct gt_meta_dataset **)e->pub.datasets)[e->pub.ndatasets++] =
			    &w->pub;
		}
	}
}

static void resolve_datasets(struct ld *L)
{
	struct ktab *t = &L->ix->tabs[K_DATASET];
	struct w_element *ach = find_rec(L, K_ELEMENT, GT_META_ACH_CODE);

	for (uint32_t i = 0; i < t->n && !L->stop; i++) {
		struct w_dataset *w = t->recs[i];

		w->pub.index = i;
		resolve_dataset_head(L, w);
		if (resolve_dataset_elements(L, w, ach) != 0)
			return;
	}
	if (L->stop)
		return;
	resolve_element_datasets(L);
}

/* Each element's disclosure threshold when it gives none: the largest its data sets give, else
 * GT_META_DEFAULT_DISCLOSURE for a count of victims and 0 for anything else. Text and bool
 * values are never suppressed (they are not published as cells). */
static void resolve_disclosure(struct ld *L)
{
	struct ktab *te = &L->ix->tabs[K_ELEMENT];

	for (uint32_t i = 0; i < te->n; i++) {
		struct w_element *e = te->recs[i];
		unsigned d = 0;
		bool given = false;

		if (e->pub.builtin || (e->h.seen & (1u << A_EDISCLOSURE)))
			continue;
		if (e->pub.type != GT_META_TYPE_INT0 && e->pub.type != GT_META_TYPE_NUMBER)
			continue;
		for (size_t k = 0; k < e->pub.ndatasets; k++) {
			const struct w_dataset *w = (const struct w_dataset *)e->pub.datasets[k];
			if (!(w->h.seen & (1u << A_DDISCLOSURE)))
				continue;
			given = true;
			if (w->pub.disclosure > d)
				d = w->pub.disclosure;
		}
		e->pub.disclosure = given ? d : e->pub.victims ? GT_META_DEFAULT_DISCLOSURE : 0;
	}
}

/* Resolves one operand text: a number, ELEMENT, or ELEMENT.OPTION. */
static int resolve_operand(struct ld *L, struct w_rule *w, const struct w_operand *o,
                           struct gt_meta_operand *out)
{
	char buf[2 * GT_META_MAX_CODE + 2];
	size_t len = strlen(o->text);
	struct w_element *e;

	out->sign = o->sign;
	out->option = -1;
	if (gt__meta_decimal_parse(o->text, true, &out->number))
		return 0;
	e = find_rec(L, K_ELEMENT, o->text);
	if (e == NULL && len < sizeof(buf)) {
		memcpy(buf, o->text, len + 1);
		for (size_t k = 0; k < len && e == NULL; k++) {
			int opt;
			struct w_element *pe;
			if (buf[k] != '.')
				continue;
			buf[k] = '\0';
			pe = find_rec(L, K_ELEMENT, buf);
			buf[k] = '.';
			if (pe == NULL || pe->pub.combo == NULL)
				continue;
			opt = gt_meta_element_option_index(&pe->pub, buf + k + 1);
			if (opt >= 0) {
				e = pe;
				out->option = opt;
			}
		}
	}
	if (e == NULL) {
		ERR_REC(L, w, o->line, "rule %s names unknown element or option \"%s\"",
		        w->pub.code, gt__meta_show(L, o->text));
		return -1;
	}
	if (e->pub.type != GT_META_TYPE_INT0 && e->pub.type != GT_META_TYPE_NUMBER) {
		ERR_REC(L, w, o->line, "rule %s: element %s is not a number (type %s)", w->pub.code,
		        e->pub.code, gt_meta_type_name(e->pub.type));
		return -1;
	}
	out->element = &e->pub;
	return 0;
}

static void resolve_rules(struct ld *L)
{
	struct ktab *t = &L->ix->tabs[K_RULE];

	for (uint32_t i = 0; i < t->n && !L->stop; i++) {
		struct w_rule *w = t->recs[i];
		static const unsigned need[3] = {A_LEFT, A_OP, A_RIGHT};

		w->pub.index = i;
		for (int k = 0; k < 3; k++)
			if (!(w->h.seen & (1u << need[k])) && !w->h.broken)
				ERR_REC(L, w, w->pub.line, "rule %s has no \"%s\"", w->pub.code,
				        gt__meta_kw_tables[K_RULE][need[k]].word);
		if (w->dataset.code != NULL) {
			struct w_dataset *d = find_rec(L, K_DATASET, w->dataset.code);
			if (d == NULL)
				ERR_REC(L, w, w->dataset.line,
				        "rule %s names unknown data set \"%s\"", w->pub.code,
				        w->dataset.code);
			else
				w->pub.dataset = &d->pub;
		}
		for (int s = 0; s < 2; s++) {
			struct gt_meta_operand *ops;
			ops = gt__meta_arena_alloc(&L->ix->arena,
			                           ((size_t)w->nside[s] + 1) * sizeof(*ops));
			if (ops == NULL) {
				gt__meta_nomem(L);
				return;
			}
			for (uint32_t k = 0; k < w->nside[s]; k++)
				resolve_operand(L, w, &w->side[s][k], &ops[k]);
			if (s == 0) {
				w->pub.left = ops;
				w->pub.nleft = w->nside[s];
			} else {
				w->pub.right = ops;
				w->pub.nright = w->nside[s];
			}
		}
	}
}

/* Resolves every record of a parsed set, in the order the kinds depend on each other. */
void gt__meta_resolve_all(struct ld *L)
{
	resolve_combos(L);
	resolve_catalogue(L);
	add_achievement(L);
	resolve_elements(L);
	resolve_datasets(L);
	if (!L->stop)
		resolve_disclosure(L);
	resolve_rules(L);
}
