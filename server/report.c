/* Consolidated reports: totals over a subtree, per-child breakdown, completeness, timeliness. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "error.h"
#include "metadata.h"
#include "orgunit.h"
#include "period.h"
#include "roleset.h"
#include "rules.h"
#include "ruletext.h"
#include "snapshot.h"
#include "store.h"
#include "vec.h"

/* Every allocation of a report, released together. */
struct gt_report {
	Gtsync__V1__ReportReply reply;
	Gtsync__V1__Completeness completeness;
	void **ptrs;
	size_t nptrs, capptrs;
	int failed;
};

static void *rp_alloc(struct gt_report *r, size_t n)
{
	void *p;

	if (r->failed)
		return NULL;
	if (GT_VEC_RESERVE(r->ptrs, r->capptrs, r->nptrs + 1) != GT_OK) {
		r->failed = 1;
		return NULL;
	}
	p = calloc(1, n ? n : 1);
	if (p == NULL) {
		r->failed = 1;
		return NULL;
	}
	r->ptrs[r->nptrs++] = p;
	return p;
}

static char *rp_strdup(struct gt_report *r, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = rp_alloc(r, n);
	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* Grows a protobuf-c repeated field (pointer array) by one slot, returning the slot. */
static void **rp_push(struct gt_report *r, void ***arr, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void **np = rp_alloc(r, ncap * sizeof(*np));
		if (np == NULL)
			return NULL;
		if (*n)
			memcpy(np, *arr, *n * sizeof(*np));
		*arr = np;
		*cap = ncap;
	}
	return &(*arr)[(*n)++];
}

void gt_report_free(struct gt_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nptrs; i++)
		free(r->ptrs[i]);
	free(r->ptrs);
	free(r);
}

void *gt_report_alloc(struct gt_report *r, size_t n)
{
	void *p = rp_alloc(r, n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

Gtsync__V1__ReportReply *gt_report_reply(struct gt_report *r)
{
	return &r->reply;
}

/* Copies list[0..count) into a new array of strings *out (caller frees each and the array). */
static int dup_periods(char (*list)[GT_PERIOD_MAX_LEN + 1], size_t count, char ***out)
{
	char **dup = calloc(count + 1, sizeof(*dup));

	*out = NULL;
	if (dup == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		if ((dup[i] = strdup(list[i])) == NULL) {
			for (size_t k = 0; k < i; k++)
				free(dup[k]);
			free(dup);
			return GT_ENOMEM;
		}
	}
	*out = dup;
	return GT_OK;
}

int gt_report_periods(const char *type_name, const char *period, char ***periods, size_t *n)
{
	char list[GT_PERIOD_MAX_WITHIN][GT_PERIOD_MAX_LEN + 1];
	enum gt_period_type type;
	size_t count = 0;
	int rc;

	*periods = NULL;
	*n = 0;
	/* The list is common/period.c's, which every verifier uses too. */
	if (gt_period_type_parse(type_name, &type) != GT_OK ||
	    gt_period_within(type, period, list, &count) != GT_OK)
		return GT_EINVAL;
	if ((rc = dup_periods(list, count, periods)) == GT_OK)
		*n = count;
	return rc;
}

/* protobuf-c's allocator over a report's memory: what the decoder allocates is freed with the
 * report, so a decoded reply is owned like a built one. */
static void *unpack_alloc(void *data, size_t n)
{
	return rp_alloc(data, n);
}

static void unpack_free(void *data, void *p)
{
	(void)data;
	(void)p; /* freed with the report */
}

int gt__report_unpack(const uint8_t *buf, size_t len, int64_t now_ms, struct gt_report **out)
{
	struct gt_report *r = calloc(1, sizeof(*r));
	ProtobufCAllocator a = {unpack_alloc, unpack_free, r};
	Gtsync__V1__ReportReply *m;

	*out = NULL;
	if (r == NULL)
		return GT_ENOMEM;
	m = gtsync__v1__report_reply__unpack(&a, len, buf);
	if (m == NULL || r->failed) {
		int rc = r->failed ? GT_ENOMEM : GT_EPROTO;
		gt_report_free(r);
		return rc;
	}
	r->reply = *m;
	r->reply.generated_at_ms = now_ms;
	*out = r;
	return GT_OK;
}

/* ---- Building ---- */

/* A sum of values and how many contributed. */
struct agg {
	double sum;
	uint32_t count;
	const char *comment; /* the comment of a sum of one value (borrowed); NULL: none */
};

/*
 * Partial sums: the values of one element in one period for one bucket of the subtree (bucket
 * 0: the report's unit itself and any unit under no child; bucket 1 + k: child k and the units
 * below it). A report is assembled from them, in full or after only the partials whose values
 * changed were read again (the report cache keeps them between builds, issue 17): both ways
 * add the same partials in the same order, so they give the same bytes.
 */

/* One cell of a partial. */
struct psum {
	double sum;
	uint32_t count;
	/* The first value's comment when it has one (owned): shown while count is 1. */
	char *comment;
};

/* One option of an element aggregated "none" (yes/no, text) in a partial, in the order the
 * options first appear in it. */
struct pnone {
	char *coc;
	uint32_t count, ntrue;
	char *text, *comment; /* the bucket owner's own value (owned), or NULL */
};

struct pnones {
	struct pnone *v;
	size_t n, cap;
};

struct gt__report_sums {
	size_t nels, nperiods, nbuckets, ncells, nous; /* the shape they were made for */
	struct psum *cells;                            /* [period][bucket][cell] */
	struct pnones *nones; /* [element][period][bucket]; used for "none" elements only */
	uint32_t *unit_count; /* per snapshot unit: values seen */
	int64_t *unit_first;  /* per snapshot unit: when its first value was stored */
	size_t bytes;         /* memory held, about */
};

struct child {
	const struct gt_snap_ou *ou;
	Gtsync__V1__ChildReport *msg;
	size_t nvalues_cap;
};

/* One (element, option) of a sum element of the data set: a column of the report. */
struct cell {
	const struct gt_meta_element *e;
	const char *coc;
};

/*
 * A report is one pass over the stored values of its data set, periods and subtree (in
 * element, period, org unit, coc order) into partial sums (or a pass over only the partials
 * that changed), assembled here: totals and per-child sums per cell, and per org unit the
 * values seen and the first arrival (completeness and timeliness).
 */
struct build {
	struct gt_report *r;
	struct gt_store *st;
	const struct gt_snapshot *snap;
	const struct gt_snap_ou *root;
	/* The data set's elements in code order; base[i] is the first cell of element i, or -1
	 * for an element that is not summed. */
	const struct gt_meta_element **els;
	long *base;
	size_t nels;
	struct cell *cells; /* in (element code, option code) order */
	size_t ncells;
	struct agg *totals;     /* ncells */
	struct child *children; /* direct children of the root, in code order */
	size_t nchildren, capchildren;
	struct agg *child_aggs; /* nchildren x ncells */
	/* Per snapshot unit: its child's index; -1 for the root (or no child), -2 outside the
	 * subtree. */
	long *unit_child;
	const uint32_t *unit_count; /* per snapshot unit: values seen (the sums') */
	const int64_t *unit_first;  /* per snapshot unit: when its first value was stored */
	uint8_t *unit_nil;          /* per snapshot unit: a nil report declared */
	int *state;                 /* per snapshot unit: its approval state for the report */
	size_t ntotals_cap;         /* totals' capacity, shared with the none-aggregation pass */
	/* The partial sums, the periods they are kept for, and the partial a read fills. */
	struct gt__report_sums *sums;
	const char *const *periods;
	size_t nperiods, nbuckets;
	long scan_el, scan_bucket; /* -1: a full pass, which also counts the units' values */
	uint8_t *dirty;            /* per partial (element, period, bucket): to read again */
	uint8_t *dirty_unit;       /* per snapshot unit: its values to count again */
	size_t nchanged, ndirty;
	/* Lookup caches: consecutive rows share their element and period, often their unit. */
	long cur_el;
	long cur_period;
	long cur_unit;
	long last_cell;
	char cur_org[GT_ORGUNIT_MAX_LEN];
	/* Completeness */
	const struct gt_snap_ou **expected; /* subtree order */
	size_t nexpected, capexpected;
	int64_t deadline_ms;
};

static Gtsync__V1__ReportValue *new_value(struct gt_report *r, const char *element, const char *coc,
                                          double sum, uint32_t count)
{
	Gtsync__V1__ReportValue *v = rp_alloc(r, sizeof(*v));
	if (v == NULL)
		return NULL;
	gtsync__v1__report_value__init(v);
	v->data_element = rp_strdup(r, element);
	v->category_option_combo = rp_strdup(r, coc);
	v->value = sum;
	v->count = count;
	return v;
}

static int cmp_element(const void *a, const void *b)
{
	const struct gt_meta_element *x = *(const struct gt_meta_element *const *)a;
	const struct gt_meta_element *y = *(const struct gt_meta_element *const *)b;
	return strcmp(x->code, y->code);
}

static int cmp_child(const void *key, const void *elem)
{
	return strcmp(key, ((const struct child *)elem)->ou->code);
}

/* Lays out the cells: every option of every sum element, in code order. */
static int make_cells(struct build *b, const struct gt_meta_dataset *ds)
{
	size_t n = 0;

	b->els = calloc(ds->nelements ? ds->nelements : 1, sizeof(*b->els));
	b->base = calloc(ds->nelements ? ds->nelements : 1, sizeof(*b->base));
	if (b->els == NULL || b->base == NULL)
		return GT_ENOMEM;
	memcpy(b->els, ds->elements, ds->nelements * sizeof(*b->els));
	b->nels = ds->nelements;
	qsort(b->els, b->nels, sizeof(*b->els), cmp_element);
	for (size_t i = 0; i < b->nels; i++)
		if (b->els[i]->aggregation == GT_META_AGG_SUM)
			n += b->els[i]->combo->noptions;
	b->cells = calloc(n ? n : 1, sizeof(*b->cells));
	if (b->cells == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < b->nels; i++) {
		const struct gt_meta_combo *c = b->els[i]->combo;
		size_t first = b->ncells;

		b->base[i] = -1;
		if (b->els[i]->aggregation != GT_META_AGG_SUM)
			continue;
		b->base[i] = (long)first;
		/* Options in code order (insertion sort: combos are small). */
		for (size_t k = 0; k < c->noptions; k++) {
			size_t j = b->ncells++;
			while (j > first && strcmp(b->cells[j - 1].coc, c->options[k].code) > 0) {
				b->cells[j] = b->cells[j - 1];
				j--;
			}
			b->cells[j].e = b->els[i];
			b->cells[j].coc = c->options[k].code;
		}
	}
	return GT_OK;
}

/* The cell of (element index el, coc), or -1. The options of one org unit come in code order,
 * as the cells are: the cell after the last one found is tried first. */
static long find_cell(struct build *b, size_t el, const char *coc)
{
	long first = b->base[el];
	size_t n;

	if (first < 0)
		return -1;
	n = b->els[el]->combo->noptions;
	if (b->last_cell >= first && (size_t)(b->last_cell - first) + 1 < n &&
	    strcmp(b->cells[b->last_cell + 1].coc, coc) == 0)
		return ++b->last_cell;
	for (size_t k = 0; k < n; k++)
		if (strcmp(b->cells[(size_t)first + k].coc, coc) == 0)
			return b->last_cell = first + (long)k;
	return -1;
}

static long find_element(const struct build *b, const char *code)
{
	size_t lo = 0, hi = b->nels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(code, b->els[mid]->code);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Finds or adds the entry for (element, coc) in a repeated ReportValue field. */
static Gtsync__V1__ReportValue *value_slot(struct gt_report *r, Gtsync__V1__ReportValue ***arr,
                                           size_t *n, size_t *cap, const char *element,
                                           const char *coc)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*arr)[i]->data_element, element) == 0 &&
		    strcmp((*arr)[i]->category_option_combo, coc) == 0)
			return (*arr)[i];
	void **slot = rp_push(r, (void ***)arr, n, cap);
	if (slot == NULL || (*slot = new_value(r, element, coc, 0, 0)) == NULL)
		return NULL;
	((Gtsync__V1__ReportValue *)*slot)->text = "";
	return *slot;
}

/* ---- Partial sums ---- */

static char *sums_strdup(struct gt__report_sums *s, const char *text)
{
	size_t n = strlen(text) + 1;
	char *p = malloc(n);

	if (p != NULL) {
		memcpy(p, text, n);
		s->bytes += n;
	}
	return p;
}

static void sums_strfree(struct gt__report_sums *s, char **p)
{
	if (*p != NULL)
		s->bytes -= strlen(*p) + 1;
	free(*p);
	*p = NULL;
}

/* Empties the partial of element el (its cells, or its "none" options), period pi, bucket bk. */
static void part_reset(struct build *b, size_t el, size_t pi, size_t bk)
{
	struct gt__report_sums *s = b->sums;

	if (b->base[el] >= 0) {
		struct psum *p =
		    &s->cells[(pi * s->nbuckets + bk) * s->ncells + (size_t)b->base[el]];
		for (size_t k = 0; k < b->els[el]->combo->noptions; k++) {
			sums_strfree(s, &p[k].comment);
			memset(&p[k], 0, sizeof(p[k]));
		}
		return;
	}
	struct pnones *l = &s->nones[(el * s->nperiods + pi) * s->nbuckets + bk];
	for (size_t i = 0; i < l->n; i++) {
		sums_strfree(s, &l->v[i].coc);
		sums_strfree(s, &l->v[i].text);
		sums_strfree(s, &l->v[i].comment);
	}
	s->bytes -= l->cap * sizeof(*l->v);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void gt__report_sums_free(struct gt__report_sums *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; s->nones != NULL && i < s->nels * s->nperiods * s->nbuckets; i++) {
		for (size_t k = 0; k < s->nones[i].n; k++) {
			free(s->nones[i].v[k].coc);
			free(s->nones[i].v[k].text);
			free(s->nones[i].v[k].comment);
		}
		free(s->nones[i].v);
	}
	for (size_t i = 0; s->cells != NULL && i < s->nperiods * s->nbuckets * s->ncells; i++)
		free(s->cells[i].comment);
	free(s->cells);
	free(s->nones);
	free(s->unit_count);
	free(s->unit_first);
	free(s);
}

size_t gt__report_sums_bytes(const struct gt__report_sums *s)
{
	return s != NULL ? s->bytes : 0;
}

/* New empty sums of b's shape. */
static int sums_new(struct build *b, struct gt__report_sums **out)
{
	struct gt__report_sums *s = calloc(1, sizeof(*s));
	size_t nous = b->snap->nous, ncellsp, nparts;

	*out = NULL;
	if (s == NULL)
		return GT_ENOMEM;
	s->nels = b->nels;
	s->nperiods = b->nperiods;
	s->nbuckets = b->nbuckets;
	s->ncells = b->ncells;
	s->nous = nous;
	/* Bounded by the metadata and the snapshot, whose sizes are bounded; checked anyway. */
	if (s->nbuckets != 0 && s->nperiods > SIZE_MAX / s->nbuckets / (s->ncells + s->nels + 1)) {
		free(s);
		return GT_ETOOBIG;
	}
	ncellsp = s->nperiods * s->nbuckets * s->ncells;
	nparts = s->nels * s->nperiods * s->nbuckets;
	s->cells = calloc(ncellsp + 1, sizeof(*s->cells));
	s->nones = calloc(nparts + 1, sizeof(*s->nones));
	s->unit_count = calloc(nous + 1, sizeof(*s->unit_count));
	s->unit_first = calloc(nous + 1, sizeof(*s->unit_first));
	if (s->cells == NULL || s->nones == NULL || s->unit_count == NULL ||
	    s->unit_first == NULL) {
		gt__report_sums_free(s);
		return GT_ENOMEM;
	}
	s->bytes = sizeof(*s) + (ncellsp + 1) * sizeof(*s->cells) +
	           (nparts + 1) * sizeof(*s->nones) +
	           (nous + 1) * (sizeof(*s->unit_count) + sizeof(*s->unit_first));
	*out = s;
	return GT_OK;
}

/* Whether s was made for b's shape (the same snapshot and report give the same shape). */
static int sums_fit(const struct build *b, const struct gt__report_sums *s)
{
	return s->nels == b->nels && s->nperiods == b->nperiods && s->nbuckets == b->nbuckets &&
	       s->ncells == b->ncells && s->nous == b->snap->nous;
}

/* The unit whose own value a bucket's "none" options show: the report's unit for bucket 0,
 * the child's for a child's. */
static const char *bucket_owner(const struct build *b, size_t bk)
{
	return bk == 0 ? b->root->code : b->children[bk - 1].ou->code;
}

/* Adds a value of an element aggregated "none" (yes/no, text) to its partial: the number
 * counts the "true" answers; the owner's own value is the text, with its comment. */
static int pnone_add(struct gt__report_sums *s, struct pnones *l, const char *owner,
                     const struct gt_store_row *row)
{
	struct pnone *n = NULL;

	for (size_t i = 0; i < l->n && n == NULL; i++)
		if (strcmp(l->v[i].coc, row->coc) == 0)
			n = &l->v[i];
	if (n == NULL) {
		size_t cap = l->cap;
		if (GT_VEC_RESERVE(l->v, l->cap, l->n + 1) != GT_OK)
			return GT_ENOMEM;
		s->bytes += (l->cap - cap) * sizeof(*l->v);
		n = &l->v[l->n];
		memset(n, 0, sizeof(*n));
		if ((n->coc = sums_strdup(s, row->coc)) == NULL)
			return GT_ENOMEM;
		l->n++;
	}
	n->count++;
	if (strcmp(row->text, "true") == 0)
		n->ntrue++;
	if (strcmp(row->org_unit, owner) != 0)
		return GT_OK;
	/* The comment goes with the text it was entered with. */
	sums_strfree(s, &n->text);
	sums_strfree(s, &n->comment);
	if ((n->text = sums_strdup(s, row->text)) == NULL ||
	    (n->comment = sums_strdup(s, gt_store_row_comment(row))) == NULL)
		return GT_ENOMEM;
	return GT_OK;
}

/* Adds a number to a cell of a partial, keeping the first value's comment. */
static int psum_add(struct gt__report_sums *s, struct psum *p, const struct gt_store_row *row)
{
	const char *comment;

	p->sum += row->num;
	if (p->count++ != 0)
		return GT_OK;
	comment = gt_store_row_comment(row);
	if (comment[0] != '\0' && (p->comment = sums_strdup(s, comment)) == NULL)
		return GT_ENOMEM;
	return GT_OK;
}

/* The index of period in b->periods, or -1; rows come period by period, so the current one
 * is tried first. */
static long find_period(struct build *b, const char *period)
{
	if (b->cur_period >= 0 && strcmp(b->periods[b->cur_period], period) == 0)
		return b->cur_period;
	for (size_t i = 0; i < b->nperiods; i++)
		if (strcmp(b->periods[i], period) == 0)
			return b->cur_period = (long)i;
	return -1;
}

/* The snapshot index of a row's unit, or -1 when it is not in the snapshot. */
static long row_unit(struct build *b, const char *org_unit)
{
	if (strcmp(b->cur_org, org_unit) != 0) {
		const struct gt_snap_ou *ou = gt_snapshot_orgunit(b->snap, org_unit);
		size_t n = strlen(org_unit);

		b->cur_unit = ou != NULL ? ou - b->snap->ous : -1;
		/* A code too long to cache is looked up again each time (it is not a unit). */
		if (n >= sizeof(b->cur_org))
			n = 0;
		memcpy(b->cur_org, org_unit, n);
		b->cur_org[n] = '\0';
	}
	return b->cur_unit;
}

/* Adds a row of element el, unit u (of the subtree) to its partial. */
static int add_row(struct build *b, size_t el, size_t u, const struct gt_store_row *row)
{
	struct gt__report_sums *s = b->sums;
	size_t bk = (size_t)(b->unit_child[u] + 1);
	long pi = find_period(b, row->period), cell;

	if (pi < 0)
		return GT_OK;
	if (b->base[el] < 0) {
		if (row->text == NULL)
			return GT_OK;
		return pnone_add(s, &s->nones[(el * s->nperiods + (size_t)pi) * s->nbuckets + bk],
		                 bucket_owner(b, bk), row);
	}
	if (!row->has_num || (cell = find_cell(b, el, row->coc)) < 0)
		return GT_OK;
	return psum_add(s, &s->cells[((size_t)pi * s->nbuckets + bk) * s->ncells + (size_t)cell],
	                row);
}

/* A row of the full pass: counted for its unit (completeness, timeliness) and added to its
 * partial. */
static int on_row(void *arg, const struct gt_store_row *row)
{
	struct build *b = arg;
	long unit;
	size_t u;

	/* The store hands back the codes it was given: the same pointer means the same element. */
	if (b->cur_el < 0 || b->els[b->cur_el]->code != row->element)
		b->cur_el = find_element(b, row->element);
	unit = row_unit(b, row->org_unit);
	if (b->cur_el < 0 || unit < 0 || b->unit_child[unit] < -1)
		return 0; /* not in the metadata or the snapshot (a newer import): not reported */
	u = (size_t)unit;
	if (b->sums->unit_count[u]++ == 0 || row->created_at_ms < b->sums->unit_first[u])
		b->sums->unit_first[u] = row->created_at_ms;
	return add_row(b, (size_t)b->cur_el, u, row);
}

/* A row read again for the partial (b->scan_el, its period, b->scan_bucket): the units of
 * other buckets in the range read are left to their own partials. */
static int on_part_row(void *arg, const struct gt_store_row *row)
{
	struct build *b = arg;
	long unit = row_unit(b, row->org_unit);

	if (unit < 0 || b->unit_child[unit] + 1 != b->scan_bucket)
		return 0;
	return add_row(b, (size_t)b->scan_el, (size_t)unit, row);
}

/* Empties every partial and count, then reads every value of the report once. */
static int sums_fill(struct build *b)
{
	struct gt__report_sums *s = b->sums;
	const char **elements = calloc(b->nels + 1, sizeof(*elements));
	int rc;

	if (elements == NULL)
		return GT_ENOMEM;
	for (size_t el = 0; el < b->nels; el++)
		for (size_t pi = 0; pi < b->nperiods; pi++)
			for (size_t bk = 0; bk < b->nbuckets; bk++)
				part_reset(b, el, pi, bk);
	memset(s->unit_count, 0, s->nous * sizeof(*s->unit_count));
	memset(s->unit_first, 0, s->nous * sizeof(*s->unit_first));
	for (size_t i = 0; i < b->nels; i++)
		elements[i] = b->els[i]->code;
	struct gt_store_report_query q = {
	    .org_root = b->root->code,
	    .elements = elements,
	    .n_elements = b->nels,
	    .periods = b->periods,
	    .n_periods = b->nperiods,
	};
	b->scan_el = -1;
	rc = gt_store_report_rows(b->st, &q, on_row, b);
	free(elements);
	return rc;
}

/* A value changed since the sums were made: its partial and its unit's count are read again.
 * Past a bound (a large share of the report) the whole report is read instead. */
static int on_changed(void *arg, const char *element, const char *period, const char *org_unit)
{
	struct build *b = arg;
	long el, pi, unit;
	size_t part;

	if (++b->nchanged > b->nels * b->nperiods * b->nbuckets + 64)
		return GT_ETOOBIG;
	if ((el = find_element(b, element)) < 0 || (unit = row_unit(b, org_unit)) < 0 ||
	    b->unit_child[unit] < -1 || (pi = find_period(b, period)) < 0)
		return 0; /* another data set's value, or a unit outside the report */
	part = ((size_t)el * b->nperiods + (size_t)pi) * b->nbuckets +
	       (size_t)(b->unit_child[unit] + 1);
	b->ndirty += !b->dirty[part];
	b->dirty[part] = 1;
	b->dirty_unit[unit] = 1;
	return 0;
}

/* Brings the sums up to date with the values changed after change_seq since: only the partials
 * and units those values belong to are read again. */
static int sums_update(struct build *b, uint64_t since)
{
	size_t nparts = b->nels * b->nperiods * b->nbuckets;
	const char **elements = NULL;
	int rc;

	b->dirty = calloc(nparts + 1, 1);
	b->dirty_unit = calloc(b->snap->nous + 1, 1);
	if (b->dirty == NULL || b->dirty_unit == NULL)
		return GT_ENOMEM;
	rc = gt_store_changed_values(b->st, since, b->periods, b->nperiods, on_changed, b);
	/* Reading a partial costs a statement: past an eighth of them, one pass is cheaper. */
	if (rc == GT_ETOOBIG || (rc == GT_OK && b->ndirty > nparts / 8 + 1))
		return sums_fill(b);
	if (rc != GT_OK)
		return rc;
	for (size_t part = 0; part < nparts && rc == GT_OK; part++) {
		size_t bk = part % b->nbuckets, pi = part / b->nbuckets % b->nperiods,
		       el = part / b->nbuckets / b->nperiods;
		if (!b->dirty[part])
			continue;
		part_reset(b, el, pi, bk);
		b->scan_el = (long)el;
		b->scan_bucket = (long)bk;
		rc = gt_store_report_cell_rows(b->st, b->els[el]->code, b->periods[pi],
		                               bucket_owner(b, bk), on_part_row, b);
	}
	if (rc != GT_OK || (elements = calloc(b->nels + 1, sizeof(*elements))) == NULL)
		return rc != GT_OK ? rc : GT_ENOMEM;
	for (size_t i = 0; i < b->nels; i++)
		elements[i] = b->els[i]->code;
	struct gt_store_report_query q = {.elements = elements,
	                                  .n_elements = b->nels,
	                                  .periods = b->periods,
	                                  .n_periods = b->nperiods};
	for (size_t u = 0; u < b->snap->nous && rc == GT_OK; u++)
		if (b->dirty_unit[u])
			rc = gt_store_unit_values(b->st, &q, b->snap->ous[u].code,
			                          &b->sums->unit_count[u], &b->sums->unit_first[u]);
	free(elements);
	return rc;
}

/* Adds a partial's cell to a sum; the comment is kept while the sum holds one value. */
static void agg_merge(struct agg *a, const struct psum *p)
{
	a->sum += p->sum;
	a->count += p->count;
	if (p->count == 1 && p->comment != NULL)
		a->comment = p->comment;
}

/* Adds a partial's "none" options to a repeated field: their counts and, with_text, the
 * owner's text when the partial has it (the latest period's wins: periods come in order). */
static int none_merge(struct build *b, const struct pnones *l, const char *element, int with_text,
                      Gtsync__V1__ReportValue ***arr, size_t *n, size_t *cap)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct pnone *p = &l->v[i];
		Gtsync__V1__ReportValue *rv = value_slot(b->r, arr, n, cap, element, p->coc);

		if (rv == NULL)
			return GT_ENOMEM;
		rv->count += p->count;
		rv->value += p->ntrue;
		if (with_text && p->text != NULL &&
		    ((rv->text = rp_strdup(b->r, p->text)) == NULL ||
		     (rv->comment = rp_strdup(b->r, p->comment)) == NULL))
			return GT_ENOMEM;
	}
	return GT_OK;
}

/* The report's values from the partials: first the "none" elements' options, element by
 * element, in the order they appear (period by period, bucket by bucket); then the sums. The
 * totals show the report's unit's own text (bucket 0's), each child its own. */
static int sums_assemble(struct build *b)
{
	const struct gt__report_sums *s = b->sums;
	Gtsync__V1__ReportReply *rep = &b->r->reply;

	for (size_t el = 0; el < b->nels; el++) {
		const char *code = b->els[el]->code;
		if (b->base[el] >= 0)
			continue;
		for (size_t pi = 0; pi < s->nperiods; pi++) {
			for (size_t bk = 0; bk < s->nbuckets; bk++) {
				const struct pnones *l =
				    &s->nones[(el * s->nperiods + pi) * s->nbuckets + bk];
				struct child *c = bk > 0 ? &b->children[bk - 1] : NULL;
				int rc;
				if (l->n == 0)
					continue;
				rc = none_merge(b, l, code, bk == 0, &rep->totals, &rep->n_totals,
				                &b->ntotals_cap);
				if (rc == GT_OK && c != NULL)
					rc = none_merge(b, l, code, 1, &c->msg->values,
					                &c->msg->n_values, &c->nvalues_cap);
				if (rc != GT_OK)
					return rc;
			}
		}
	}
	for (size_t pi = 0; pi < s->nperiods; pi++) {
		for (size_t bk = 0; bk < s->nbuckets; bk++) {
			const struct psum *p = &s->cells[(pi * s->nbuckets + bk) * s->ncells];
			for (size_t cell = 0; cell < s->ncells; cell++) {
				if (p[cell].count == 0)
					continue;
				agg_merge(&b->totals[cell], &p[cell]);
				if (bk > 0)
					agg_merge(&b->child_aggs[(bk - 1) * s->ncells + cell],
					          &p[cell]);
			}
		}
	}
	return GT_OK;
}

/* Records the child of the root that contains unit u (the root itself has none). */
static int map_unit(void *arg, const struct gt_snap_ou *u)
{
	struct build *b = arg;
	char parent[GT_ORGUNIT_MAX_LEN];
	const char *code = u->code;
	struct child *c;

	if (u->level > b->root->level + 1) {
		if (gt_orgunit_parent(u->code, parent, sizeof(parent)) != GT_OK)
			return 0;
		code = parent;
	}
	c = u == b->root
	        ? NULL
	        : bsearch(code, b->children, b->nchildren, sizeof(*b->children), cmp_child);
	b->unit_child[u - b->snap->ous] = c != NULL ? c - b->children : -1;
	return 0;
}

static int collect_unit(void *arg, const struct gt_snap_ou *u)
{
	struct build *b = arg;

	if (GT_VEC_RESERVE(b->expected, b->capexpected, b->nexpected + 1) != GT_OK)
		return GT_ENOMEM;
	b->expected[b->nexpected++] = u;
	return 0;
}

/* Appends the non-empty cells of aggs to the repeated field (arr, n, cap). */
static int emit(struct build *b, const struct agg *aggs, Gtsync__V1__ReportValue ***arr, size_t *n,
                size_t *cap)
{
	for (size_t i = 0; i < b->ncells; i++) {
		void **slot;

		if (aggs[i].count == 0)
			continue;
		slot = rp_push(b->r, (void ***)arr, n, cap);
		if (slot == NULL || (*slot = new_value(b->r, b->cells[i].e->code, b->cells[i].coc,
		                                       aggs[i].sum, aggs[i].count)) == NULL)
			return GT_ENOMEM;
		if (aggs[i].count == 1 && aggs[i].comment != NULL &&
		    (((Gtsync__V1__ReportValue *)*slot)->comment =
		         rp_strdup(b->r, aggs[i].comment)) == NULL)
			return GT_ENOMEM;
	}
	return GT_OK;
}

static void build_free(struct build *b)
{
	free(b->els);
	free(b->base);
	free(b->cells);
	free(b->totals);
	free(b->children);
	free(b->child_aggs);
	free(b->unit_child);
	free(b->state);
	free(b->dirty);
	free(b->dirty_unit);
	free(b->unit_nil);
	free(b->expected);
}

/* The approval state of snapshot unit u for the report (read for the whole subtree at once). */
static int state_of(const struct build *b, const struct gt_snap_ou *u)
{
	return b->state[u - b->snap->ous];
}

static int on_state(void *arg, const char *org_unit, int state)
{
	struct build *b = arg;
	const struct gt_snap_ou *u = gt_snapshot_orgunit(b->snap, org_unit);

	if (u != NULL && state != 0)
		b->state[u - b->snap->ous] = state;
	return 0;
}

/* Reads the approval states of every unit of the subtree for the data set and period in one
 * range scan; a unit without one is open. */
static int load_states(struct build *b, const struct gt_meta_dataset *ds, const char *period)
{
	b->state = malloc((b->snap->nous + 1) * sizeof(*b->state));
	if (b->state == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < b->snap->nous; i++)
		b->state[i] = GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN;
	return gt_store_workflow_states(b->st, ds->code, period, b->root->code, on_state, b);
}

struct history {
	struct gt_report *r;
	struct gt_store *st;
	const char *org_unit; /* the report's unit: the events' */
	size_t cap;
};

/* Names the event's key for people: its label, and the role of those it held that allows the
 * action (a key of several roles acted in one of them). Unknown keys are left unnamed. */
static int name_key(struct history *h, Gtsync__V1__WorkflowEvent *ev)
{
	struct gt_store_key k;
	const char *why;

	if (gt_store_key_get(h->st, ev->key_id, &k) != GT_OK)
		return GT_OK;
	ev->key_label = rp_strdup(h->r, k.label);
	if (ev->key_label == NULL)
		return GT_ENOMEM;
	for (int role = GTSYNC__V1__ROLE__ROLE_OPERATOR; role <= GTSYNC__V1__ROLE__ROLE_READER;
	     role++) {
		struct gt_principal one = {k.key_id, k.org_unit, GT_ROLE_BIT(role)};
		if (gt_roleset_has(k.roles_held, role) &&
		    gt_authz_action(&one, (int)ev->kind, h->org_unit, &why) == GT_OK) {
			ev->key_role = (Gtsync__V1__Role)role;
			break;
		}
	}
	return GT_OK;
}

/* Splits the stored "A,B" list of acknowledged rules into the event's repeated field. */
static int split_acknowledged(struct gt_report *r, Gtsync__V1__WorkflowEvent *ev, const char *list)
{
	size_t n = 1;
	char *copy = rp_strdup(r, list);

	for (const char *c = list; *c; c++)
		n += *c == ',';
	ev->acknowledged_rules = rp_alloc(r, n * sizeof(char *));
	if (copy == NULL || ev->acknowledged_rules == NULL)
		return GT_ENOMEM;
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		ev->acknowledged_rules[ev->n_acknowledged_rules++] = t;
	return GT_OK;
}

static int on_event(void *arg, const struct gt_store_wfevent *e)
{
	struct history *h = arg;
	struct gt_report *r = h->r;
	Gtsync__V1__WorkflowEvent *ev = rp_alloc(r, sizeof(*ev));
	void **slot;

	if (ev == NULL)
		return GT_ENOMEM;
	gtsync__v1__workflow_event__init(ev);
	ev->kind = e->kind;
	ev->key_id = rp_strdup(r, e->key_id);
	if (ev->key_id == NULL || name_key(h, ev) != GT_OK)
		return GT_ENOMEM;
	ev->at_ms = e->at_ms;
	ev->reason = rp_strdup(r, e->reason ? e->reason : "");
	ev->open_until = rp_strdup(r, e->open_until ? e->open_until : "");
	if (e->acknowledged != NULL && e->acknowledged[0] != '\0' &&
	    split_acknowledged(r, ev, e->acknowledged) != GT_OK)
		return GT_ENOMEM;
	ev->origin_batch.data = rp_alloc(r, GT_SHA256_LEN);
	if (ev->origin_batch.data == NULL)
		return GT_ENOMEM;
	memcpy(ev->origin_batch.data, e->origin_batch, GT_SHA256_LEN);
	ev->origin_batch.len = GT_SHA256_LEN;
	if (e->data_digest != NULL) {
		ev->data_digest.data = rp_alloc(r, GT_SHA256_LEN);
		if (ev->data_digest.data == NULL)
			return GT_ENOMEM;
		memcpy(ev->data_digest.data, e->data_digest, GT_SHA256_LEN);
		ev->data_digest.len = GT_SHA256_LEN;
	}
	slot = rp_push(r, (void ***)&r->reply.history, &r->reply.n_history, &h->cap);
	if (slot == NULL)
		return GT_ENOMEM;
	*slot = ev;
	return 0;
}

/* Target, achievement and gap per indicator of an action-plan data set, for a yearly period:
 * the achievement is the total of the ACH values whose combo is the indicator's code. */
static int add_targets(struct gt_report *r, const struct gt_snapshot *snap,
                       const struct gt_meta_dataset *ds, const char *period)
{
	struct gt_period p;
	size_t cap = 0;

	if (ds->plan == NULL || gt_period_parse(period, &p) != GT_OK || p.type != GT_PERIOD_YEARLY)
		return GT_OK;
	for (size_t i = 0; i < snap->meta->nindicators; i++) {
		const struct gt_meta_indicator *ind = snap->meta->indicators[i];
		Gtsync__V1__TargetRow *row;
		void **slot;
		char raw[1024] = "";
		size_t used = 0;

		if (ind->plan != ds->plan)
			continue;
		row = rp_alloc(r, sizeof(*row));
		if (row == NULL)
			return GT_ENOMEM;
		gtsync__v1__target_row__init(row);
		row->indicator = rp_strdup(r, ind->code);
		row->name = rp_strdup(r, ind->name);
		row->year = rp_strdup(r, period);
		row->unit = "";
		for (size_t t = 0; t < ind->ntargets; t++) {
			const struct gt_meta_target *tg = &ind->targets[t];
			if ((int)tg->year != p.year)
				continue;
			if (tg->has_quantity) {
				row->target += tg->quantity;
				row->has_target = 1;
				if (row->unit[0] == '\0')
					row->unit = rp_strdup(r, tg->unit);
			}
			int n = snprintf(raw + used, sizeof(raw) - used, "%s%s", used ? "; " : "",
			                 tg->raw);
			if (n > 0 && (size_t)n < sizeof(raw) - used)
				used += (size_t)n;
		}
		row->target_raw = rp_strdup(r, raw);
		for (size_t k = 0; k < r->reply.n_totals; k++) {
			const Gtsync__V1__ReportValue *v = r->reply.totals[k];
			if (strcmp(v->data_element, GT_META_ACH_CODE) == 0 &&
			    strcmp(v->category_option_combo, ind->code) == 0)
				row->achieved += v->value;
		}
		row->gap = row->has_target ? row->target - row->achieved : 0;
		slot = rp_push(r, (void ***)&r->reply.targets, &r->reply.n_targets, &cap);
		if (slot == NULL)
			return GT_ENOMEM;
		*slot = row;
	}
	return r->failed ? GT_ENOMEM : GT_OK;
}

/* ---- The steps of a report ---- */

/* The reply's header: who, what, when, the report's own state and the latest history. */
static int add_header(struct build *b, const struct gt_meta_dataset *ds, const char *period,
                      int64_t now_ms)
{
	struct gt_report *r = b->r;
	struct history hist = {r, b->st, b->root->code, 0};
	uint64_t total = 0;
	int rc;

	gtsync__v1__report_reply__init(&r->reply);
	gtsync__v1__completeness__init(&r->completeness);
	r->reply.org_unit = rp_strdup(r, b->root->code);
	r->reply.org_name = rp_strdup(r, b->root->name);
	r->reply.dataset = rp_strdup(r, ds->code);
	r->reply.period = rp_strdup(r, period);
	r->reply.generated_at_ms = now_ms;
	r->reply.completeness = &r->completeness;
	r->reply.state = state_of(b, b->root);
	/* The latest events with the count of all: a history that stays readable. */
	rc = gt_store_workflow_events(b->st, ds->code, period, b->root->code, GT_RULES_HISTORY,
	                              &total, on_event, &hist);
	r->reply.history_total = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	return rc != GT_OK ? rc : r->failed ? GT_ENOMEM : GT_OK;
}

/* The direct children of the root, in code order (the snapshot is sorted by code), each with
 * its approval state; and the map from every unit of the subtree to its child. */
static int add_children(struct build *b, const struct gt_meta_dataset *ds, const char *period)
{
	const struct gt_snapshot *snap = b->snap;
	struct gt_report *r = b->r;
	int child_level = b->root->level + 1;
	size_t naggs;

	for (size_t i = 0; i < snap->nous; i++) {
		const struct gt_snap_ou *u = &snap->ous[i];
		char parent[GT_ORGUNIT_MAX_LEN];
		if (u->level != child_level ||
		    gt_orgunit_parent(u->code, parent, sizeof(parent)) != GT_OK ||
		    strcmp(parent, b->root->code) != 0)
			continue;
		if (GT_VEC_RESERVE(b->children, b->capchildren, b->nchildren + 1) != GT_OK)
			return GT_ENOMEM;
		struct child *c = &b->children[b->nchildren++];
		memset(c, 0, sizeof(*c));
		c->ou = u;
		if ((c->msg = rp_alloc(r, sizeof(*c->msg))) == NULL)
			return GT_ENOMEM;
		gtsync__v1__child_report__init(c->msg);
		c->msg->org_unit = rp_strdup(r, u->code);
		c->msg->name = rp_strdup(r, u->name);
		c->msg->state = state_of(b, u);
	}
	/* Bounded by the metadata and the snapshot, whose sizes are bounded; checked anyway (one
	 * more than the children's cells, so that none still allocates). */
	if (gt_vec_mul(b->ncells, b->nchildren, &naggs) != GT_OK || naggs == SIZE_MAX)
		return GT_ETOOBIG;
	b->totals = calloc(b->ncells ? b->ncells : 1, sizeof(*b->totals));
	b->child_aggs = calloc(naggs + 1, sizeof(*b->child_aggs));
	b->unit_child = calloc(snap->nous + 1, sizeof(*b->unit_child));
	if (!b->totals || !b->child_aggs || !b->unit_child)
		return GT_ENOMEM;
	b->nbuckets = b->nchildren + 1;
	for (size_t i = 0; i < snap->nous; i++)
		b->unit_child[i] = -2;
	return gt_snapshot_subtree(snap, b->root->code, 0, map_unit, b);
}

/* The values: the partial sums read in full, or brought up to date with the values changed
 * after change_seq since when b->sums holds an earlier build's of the same shape; then
 * assembled into the totals and each child's values. */
static int add_values(struct build *b, int per_child, uint64_t since)
{
	struct gt_report *r = b->r;
	int rc;

	if (b->sums != NULL && sums_fit(b, b->sums)) {
		rc = sums_update(b, since);
	} else {
		gt__report_sums_free(b->sums);
		b->sums = NULL;
		if ((rc = sums_new(b, &b->sums)) == GT_OK)
			rc = sums_fill(b);
	}
	if (rc != GT_OK)
		return rc;
	b->unit_count = b->sums->unit_count;
	b->unit_first = b->sums->unit_first;
	if ((rc = sums_assemble(b)) != GT_OK)
		return rc;
	if ((rc = emit(b, b->totals, &r->reply.totals, &r->reply.n_totals, &b->ntotals_cap)) !=
	    GT_OK)
		return rc;
	for (size_t i = 0; per_child && i < b->nchildren; i++) {
		struct child *c = &b->children[i];
		rc = emit(b, &b->child_aggs[i * b->ncells], &c->msg->values, &c->msg->n_values,
		          &c->nvalues_cap);
		if (rc != GT_OK)
			return rc;
	}
	return GT_OK;
}

/* Marks the units of the subtree that declared a nil report for a period overlapping the
 * report's (issue 10 item 17). */
static int on_nil(void *arg, const char *org_unit, const char *period)
{
	struct build *b = arg;
	const struct gt_snap_ou *u = gt_snapshot_orgunit(b->snap, org_unit);
	(void)period;

	if (u != NULL)
		b->unit_nil[u - b->snap->ous] = 1;
	return 0;
}

/* The periods a nil report may have been declared for: those of the data set's type or
 * coarser that overlap the report's (common/period.c, which verifiers use too). */
static int nil_periods(const struct gt_meta_dataset *ds, const char *period, char ***out, size_t *n)
{
	char list[GT_PERIOD_MAX_OVERLAP][GT_PERIOD_MAX_LEN + 1];
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (gt_period_overlapping(ds->period_type, period, list, &count) != GT_OK)
		return GT_EINVAL;
	if ((rc = dup_periods(list, count, out)) == GT_OK)
		*n = count;
	return rc;
}

/* Completeness and timeliness over the units expected to report the data set. A unit counts
 * as reported when it has values, declared a nil report, or has its report approved (its
 * acceptance of its children is then a statement too). */
static int add_completeness(struct build *b, const struct gt_meta_dataset *ds, const char *period)
{
	const struct gt_snapshot *snap = b->snap;
	struct gt_report *r = b->r;
	size_t nmissing_cap = 0, nnil_cap = 0;
	char **periods = NULL;
	size_t nperiods = 0;
	int rc;

	if ((rc = gt_snapshot_subtree(snap, b->root->code, ds->levels, collect_unit, b)) != GT_OK)
		return rc;
	b->unit_nil = calloc(snap->nous + 1, 1);
	if (b->unit_nil == NULL)
		return GT_ENOMEM;
	if ((rc = nil_periods(ds, period, &periods, &nperiods)) == GT_OK) {
		struct gt_store_report_query q = {.org_root = b->root->code,
		                                  .periods = (const char *const *)periods,
		                                  .n_periods = nperiods};
		rc = gt_store_workflow_units(
		    b->st, &q, ds->code, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_NIL_REPORT, on_nil, b);
	}
	for (size_t i = 0; i < nperiods; i++)
		free(periods[i]);
	free(periods);
	if (rc != GT_OK)
		return rc;
	r->completeness.expected = (uint32_t)b->nexpected;
	for (size_t i = 0; i < b->nexpected; i++) {
		const struct gt_snap_ou *u = b->expected[i];
		size_t k = (size_t)(u - snap->ous);
		long ch = b->unit_child[k];
		struct child *c = ch >= 0 ? &b->children[ch] : NULL;
		/* On time: the unit's report arrived by the deadline (later corrections do not
		 * make it late). */
		int on_time = b->unit_count[k] > 0 && b->unit_first[k] <= b->deadline_ms;
		int state = b->unit_count[k] > 0 || b->unit_nil[k] ? 0 : state_of(b, u);
		int reported = b->unit_count[k] > 0 || b->unit_nil[k] ||
		               state == GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED ||
		               state == GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED;

		if (c != NULL)
			c->msg->expected++;
		if (b->unit_nil[k]) {
			void **slot = rp_push(r, (void ***)&r->completeness.nil_reports,
			                      &r->completeness.n_nil_reports, &nnil_cap);
			if (slot == NULL || (*slot = rp_strdup(r, u->code)) == NULL)
				return GT_ENOMEM;
			if (c != NULL && c->ou == u)
				c->msg->nil_report = 1;
		}
		if (reported) {
			r->completeness.reported++;
			r->completeness.on_time += on_time ? 1 : 0;
			if (c != NULL) {
				c->msg->reported_units++;
				c->msg->on_time_units += on_time ? 1 : 0;
			}
			continue;
		}
		void **slot = rp_push(r, (void ***)&r->completeness.missing,
		                      &r->completeness.n_missing, &nmissing_cap);
		if (slot == NULL || (*slot = rp_strdup(r, u->code)) == NULL)
			return GT_ENOMEM;
	}
	return GT_OK;
}

/* Each child's first arrival: when the first value of its subtree for the period was stored
 * (the dashboard's completeness matrix shows it, issue 11). */
static int add_first_arrivals(struct build *b)
{
	for (size_t k = 0; k < b->snap->nous; k++) {
		long ch = b->unit_child[k];
		if (ch < 0 || b->unit_count[k] == 0)
			continue;
		Gtsync__V1__ChildReport *m = b->children[ch].msg;
		if (m->first_arrival_ms == 0 || b->unit_first[k] < m->first_arrival_ms)
			m->first_arrival_ms = b->unit_first[k];
	}
	return GT_OK;
}

/* The children's summary lines, in the reply when asked for. */
static int add_child_lines(struct build *b, int per_child)
{
	struct gt_report *r = b->r;
	size_t nchild_cap = 0;

	for (size_t i = 0; i < b->nchildren; i++) {
		struct child *c = &b->children[i];
		c->msg->reported = c->msg->reported_units > 0;
		c->msg->on_time =
		    c->msg->reported && c->msg->on_time_units == c->msg->reported_units;
		if (!per_child)
			continue;
		void **slot =
		    rp_push(r, (void ***)&r->reply.children, &r->reply.n_children, &nchild_cap);
		if (slot == NULL)
			return GT_ENOMEM;
		*slot = c->msg;
	}
	return GT_OK;
}

/* Units of the subtree whose approved (or accepted) data break a validation rule of the data
 * set (issue 10 item 16). */
struct violations {
	struct build *b;
	const char *org;
	size_t cap;
};

static int on_violation(void *arg, const struct gt_meta_rule *rule, const char *period,
                        const struct gt_meta_rule_result *res)
{
	struct violations *v = arg;
	struct gt_report *r = v->b->r;
	Gtsync__V1__RuleViolation *rv = rp_alloc(r, sizeof(*rv));
	char text[256];
	void **slot;

	if (rv == NULL)
		return GT_ENOMEM;
	gtsync__v1__rule_violation__init(rv);
	gt_ruletext_violation(rule, res, text, sizeof(text));
	rv->rule = rp_strdup(r, rule->code);
	rv->org_unit = rp_strdup(r, v->org);
	rv->period = rp_strdup(r, period);
	rv->text = rp_strdup(r, text);
	rv->warning = rule->severity == GT_META_SEVERITY_WARNING;
	rv->left = res->left;
	rv->right = res->right;
	slot = rp_push(r, (void ***)&r->reply.violations, &r->reply.n_violations, &v->cap);
	if (slot == NULL)
		return GT_ENOMEM;
	*slot = rv;
	return r->failed ? GT_ENOMEM : GT_OK;
}

static int add_violations(struct build *b, const struct gt_meta_dataset *ds, const char *period)
{
	struct violations v = {b, NULL, 0};
	int rc = GT_OK;

	for (size_t i = 0; i < b->nexpected && rc == GT_OK; i++) {
		const struct gt_snap_ou *u = b->expected[i];
		int state = state_of(b, u);
		if (state != GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED &&
		    state != GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED)
			continue;
		v.org = u->code;
		rc = gt_rules_validate(b->st, b->snap->meta, ds, period, u->code, on_violation, &v);
	}
	return rc;
}

int gt__report_build_sums(struct gt_store *st, const struct gt_snapshot *snap, const char *org_unit,
                          const char *dataset, const char *period, int per_child, int64_t now_ms,
                          uint64_t since, struct gt__report_sums **sums, struct gt_report **out,
                          const char **why)
{
	const struct gt_meta_dataset *ds = NULL;
	const struct gt_snap_ou *root;
	struct build b = {0};
	char **periods = NULL;
	size_t nperiods = 0;
	int rc;

	*out = NULL;
	*why = NULL;
	b.sums = *sums;
	*sums = NULL;
	if ((root = gt_snapshot_orgunit(snap, org_unit)) == NULL) {
		*why = "unknown org unit";
		rc = GT_ENOENT;
		goto out;
	}
	if (snap->meta == NULL || (ds = gt_meta_dataset_find(snap->meta, dataset)) == NULL) {
		*why = "unknown data set";
		rc = GT_ENOENT;
		goto out;
	}
	rc = gt_report_periods(gt_period_type_name(ds->period_type), period, &periods, &nperiods);
	if (rc != GT_OK) {
		*why = "the period is malformed or finer than the data set's period type";
		goto out;
	}
	if ((b.r = calloc(1, sizeof(*b.r))) == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	b.st = st;
	b.snap = snap;
	b.root = root;
	b.periods = (const char *const *)periods;
	b.nperiods = nperiods;
	b.cur_el = -1;
	b.cur_period = -1;
	b.cur_unit = -1;
	b.last_cell = -1;
	b.scan_el = -1;
	b.deadline_ms = gt_period_deadline_ms(period, ds->timely_days);
	if ((rc = load_states(&b, ds, period)) != GT_OK ||
	    (rc = add_header(&b, ds, period, now_ms)) != GT_OK ||
	    (rc = make_cells(&b, ds)) != GT_OK || (rc = add_children(&b, ds, period)) != GT_OK ||
	    (rc = add_values(&b, per_child, since)) != GT_OK ||
	    (rc = add_completeness(&b, ds, period)) != GT_OK ||
	    (rc = add_first_arrivals(&b)) != GT_OK ||
	    (rc = add_child_lines(&b, per_child)) != GT_OK ||
	    (rc = add_violations(&b, ds, period)) != GT_OK)
		goto out;
	rc = b.r->failed ? GT_ENOMEM : add_targets(b.r, snap, ds, period);
out:
	for (size_t i = 0; i < nperiods; i++)
		free(periods[i]);
	free(periods);
	build_free(&b);
	if (rc == GT_OK) {
		*out = b.r;
		*sums = b.sums;
	} else {
		gt_report_free(b.r);
		gt__report_sums_free(b.sums);
	}
	return rc;
}

int gt_report_build_full(struct gt_store *st, const struct gt_snapshot *snap, const char *org_unit,
                         const char *dataset, const char *period, int per_child, int64_t now_ms,
                         struct gt_report **out, const char **why)
{
	struct gt__report_sums *sums = NULL;
	int own, rc;

	*out = NULL;
	*why = NULL;
	if ((rc = gt_store_reading_begin(st, &own)) != GT_OK)
		return rc;
	rc = gt__report_build_sums(st, snap, org_unit, dataset, period, per_child, now_ms, 0, &sums,
	                           out, why);
	gt_store_reading_end(st, own);
	gt__report_sums_free(sums);
	return rc;
}
