/* Store: pull (changes below an org unit since a cursor) and the report primitives. */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "orgunit.h"
#include "vec.h"

/* ---- An arena for pulled strings: blocks never move, so pointers stay valid. ------------ */

#define ARENA_BLOCK (64u * 1024u)

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	char data[];
};

struct gt_store_arena {
	struct arena_block *head;
};

static const char *arena_str(struct gt_store_arena *a, const unsigned char *s, size_t n)
{
	struct arena_block *b = a->head;

	if (b == NULL || b->cap - b->used < n + 1) {
		size_t cap = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;

		b = malloc(sizeof(*b) + cap);
		if (b == NULL)
			return NULL;
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
	}
	char *p = b->data + b->used;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	b->used += n + 1;
	return p;
}

static void arena_free(struct gt_store_arena *a)
{
	if (a == NULL)
		return;
	while (a->head != NULL) {
		struct arena_block *next = a->head->next;
		free(a->head);
		a->head = next;
	}
	free(a);
}

/* Copies text column i into the arena (NULL pointer: out of memory). */
static const char *col_str(struct gt_store_arena *a, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);

	return arena_str(a, t != NULL ? t : (const unsigned char *)"", t != NULL ? n : 0);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t != NULL ? (const char *)t : "";
}

static void col_hash(sqlite3_stmt *s, int i, uint8_t out[GT_SHA256_LEN])
{
	if (sqlite3_column_bytes(s, i) == GT_SHA256_LEN)
		memcpy(out, sqlite3_column_blob(s, i), GT_SHA256_LEN);
	else
		memset(out, 0, GT_SHA256_LEN);
}

/* Reads a DV_COLS row; strings borrowed from the statement, or copied to a when given. */
static int row_value(sqlite3_stmt *s, struct gt_store_arena *a, struct gt_store_value *v)
{
	if (a == NULL) {
		v->data_element = col_text(s, 0);
		v->coc = col_text(s, 1);
		v->org_unit = col_text(s, 2);
		v->period = col_text(s, 3);
		v->value = col_text(s, 4);
		v->comment = col_text(s, 5);
	} else {
		v->data_element = col_str(a, s, 0);
		v->coc = col_str(a, s, 1);
		v->org_unit = col_str(a, s, 2);
		v->period = col_str(a, s, 3);
		v->value = col_str(a, s, 4);
		v->comment = col_str(a, s, 5);
		if (!v->data_element || !v->coc || !v->org_unit || !v->period || !v->value ||
		    !v->comment)
			return GT_ENOMEM;
	}
	v->revision = (uint64_t)sqlite3_column_int64(s, 6);
	v->deleted = sqlite3_column_int(s, 7);
	col_hash(s, 8, v->origin_batch);
	v->created_at_ms = sqlite3_column_int64(s, 9);
	v->updated_at_ms = sqlite3_column_int64(s, 10);
	v->change_seq = (uint64_t)sqlite3_column_int64(s, 11);
	return 0;
}

void gt_store_pull_free(struct gt_store_pull_out *out)
{
	if (out == NULL)
		return;
	free(out->values);
	free(out->completions);
	free(out->states);
	arena_free(out->arena);
	memset(out, 0, sizeof(*out));
}

/* Binds the common pull parameters: cursor, subtree, filter, limit. */
static void bind_pull(sqlite3_stmt *s, uint64_t cursor, const struct gt__store_subtree *t,
                      const char *filter, uint32_t limit)
{
	sqlite3_bind_int64(s, 1, (sqlite3_int64)cursor);
	gt__store_bind_subtree(s, 2, t);
	if (filter != NULL)
		sqlite3_bind_text(s, 5, filter, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_int64(s, 6, limit);
}

static int pull_values(struct gt_store *st, sqlite3_stmt *s, struct gt_store_pull_out *out)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (GT_VEC_RESERVE(out->values, cap, out->n_values + 1) != GT_OK ||
		    row_value(s, out->arena, &out->values[out->n_values]) != 0)
			return gt__store_err(st, GT_ENOMEM, "out of memory");
		out->n_values++;
	}
	return rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "pulling values");
}

static int pull_completions(struct gt_store *st, sqlite3_stmt *s, struct gt_store_pull_out *out)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gt_store_completion *c;

		if (GT_VEC_RESERVE(out->completions, cap, out->n_completions + 1) != GT_OK)
			return gt__store_err(st, GT_ENOMEM, "out of memory");
		c = &out->completions[out->n_completions];
		c->dataset = col_str(out->arena, s, 0);
		c->period = col_str(out->arena, s, 1);
		c->org_unit = col_str(out->arena, s, 2);
		if (!c->dataset || !c->period || !c->org_unit)
			return gt__store_err(st, GT_ENOMEM, "out of memory");
		c->completed = sqlite3_column_int(s, 3);
		c->at_ms = sqlite3_column_int64(s, 4);
		col_hash(s, 5, c->origin_batch);
		c->change_seq = (uint64_t)sqlite3_column_int64(s, 6);
		out->n_completions++;
	}
	return rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "pulling completions");
}

static int pull_states(struct gt_store *st, sqlite3_stmt *s, struct gt_store_pull_out *out)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gt_store_wfstate *w;

		if (GT_VEC_RESERVE(out->states, cap, out->n_states + 1) != GT_OK)
			return gt__store_err(st, GT_ENOMEM, "out of memory");
		w = &out->states[out->n_states];
		w->dataset = col_str(out->arena, s, 0);
		w->period = col_str(out->arena, s, 1);
		w->org_unit = col_str(out->arena, s, 2);
		if (!w->dataset || !w->period || !w->org_unit)
			return gt__store_err(st, GT_ENOMEM, "out of memory");
		w->state = sqlite3_column_int(s, 3);
		w->updated_at_ms = sqlite3_column_int64(s, 4);
		w->change_seq = (uint64_t)sqlite3_column_int64(s, 5);
		out->n_states++;
	}
	return rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "pulling workflow states");
}

/* Runs one pull query with its reader; the statement is reset afterwards. */
static int pull_one(struct gt_store *st, enum gt__store_sql id, uint64_t cursor,
                    const struct gt__store_subtree *t, const char *filter, uint32_t limit,
                    struct gt_store_pull_out *out,
                    int (*reader)(struct gt_store *, sqlite3_stmt *, struct gt_store_pull_out *))
{
	sqlite3_stmt *s = gt__store_q(st, id);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	bind_pull(s, cursor, t, filter, limit);
	rc = reader(st, s, out);
	sqlite3_reset(s);
	return rc;
}

/* Keeps the max smallest change_seqs of the three sorted lists (each fetched up to max + 1),
 * which are a prefix of each list. */
static void pull_cut(struct gt_store_pull_out *out, uint64_t cursor, uint32_t max)
{
	size_t iv = 0, ic = 0, is = 0, taken = 0;
	size_t total = out->n_values + out->n_completions + out->n_states;
	uint64_t last = cursor;

	while (taken < max) {
		uint64_t best = UINT64_MAX;
		int which = -1;

		if (iv < out->n_values && out->values[iv].change_seq < best) {
			best = out->values[iv].change_seq;
			which = 0;
		}
		if (ic < out->n_completions && out->completions[ic].change_seq < best) {
			best = out->completions[ic].change_seq;
			which = 1;
		}
		if (is < out->n_states && out->states[is].change_seq < best) {
			best = out->states[is].change_seq;
			which = 2;
		}
		if (which < 0)
			break;
		if (which == 0)
			iv++;
		else if (which == 1)
			ic++;
		else
			is++;
		last = best;
		taken++;
	}
	out->n_values = iv;
	out->n_completions = ic;
	out->n_states = is;
	out->next_cursor = last;
	out->more = total > taken;
}

int gt_store_pull(struct gt_store *st, const char *org_root, uint64_t cursor, uint32_t max_items,
                  const struct gt_store_pull_filter *filter, struct gt_store_pull_out *out)
{
	struct gt__store_subtree t;
	const char *elements = NULL, *dataset = NULL;
	int own = 0, rc;

	memset(out, 0, sizeof(*out));
	out->next_cursor = cursor;
	if (max_items == 0 || max_items > GT_STORE_MAX_PULL_ITEMS)
		max_items = GT_STORE_MAX_PULL_ITEMS;
	if (cursor > INT64_MAX)
		return gt__store_err(st, GT_EINVAL, "cursor out of range");
	rc = gt__store_subtree(st, org_root, &t);
	if (rc != 0)
		return rc;
	if (filter != NULL) {
		rc = gt__store_json_list(st, 0, filter->elements, filter->n_elements, &elements);
		if (rc != 0)
			return rc;
		dataset = filter->dataset;
	}
	out->arena = calloc(1, sizeof(*out->arena));
	if (out->arena == NULL)
		return gt__store_err(st, GT_ENOMEM, "out of memory");
	rc = gt__store_read_begin(st, &own);
	if (rc == 0)
		rc = pull_one(st, Q_PULL_DV, cursor, &t, elements, max_items + 1, out, pull_values);
	if (rc == 0)
		rc = pull_one(st, Q_PULL_CO, cursor, &t, dataset, max_items + 1, out,
		              pull_completions);
	if (rc == 0)
		rc = pull_one(st, Q_PULL_WS, cursor, &t, dataset, max_items + 1, out, pull_states);
	gt__store_read_end(st, own);
	if (rc != 0) {
		gt_store_pull_free(out);
		out->next_cursor = cursor;
		return rc;
	}
	pull_cut(out, cursor, max_items);
	return 0;
}

/* ---- Report primitives ---------------------------------------------------------------- */

/* Prepares a report query: binds elements (?1), periods (?2) and the subtree (?3..?5). *empty
 * is set when the query cannot match anything. */
static sqlite3_stmt *report_stmt(struct gt_store *st, enum gt__store_sql id,
                                 const struct gt_store_report_query *q, struct gt__store_subtree *t,
                                 int *empty, int *rc)
{
	const char *elements = NULL, *periods = NULL;
	sqlite3_stmt *s;

	*empty = 0;
	if (q == NULL || q->elements == NULL || q->periods == NULL) {
		*rc = gt__store_err(st, GT_EINVAL, "report query without elements or periods");
		return NULL;
	}
	*rc = gt__store_subtree(st, q->org_root, t);
	if (*rc == 0)
		*rc = gt__store_json_list(st, 0, q->elements, q->n_elements, &elements);
	if (*rc == 0)
		*rc = gt__store_json_list(st, 1, q->periods, q->n_periods, &periods);
	if (*rc != 0)
		return NULL;
	if (q->n_elements == 0 || q->n_periods == 0) {
		*empty = 1;
		return NULL;
	}
	s = gt__store_q(st, id);
	if (s == NULL) {
		*rc = GT_ESTORE;
		return NULL;
	}
	sqlite3_bind_text(s, 1, elements, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, periods, -1, SQLITE_TRANSIENT);
	gt__store_bind_subtree(s, 3, t);
	return s;
}

int gt_store_sum(struct gt_store *st, const struct gt_store_report_query *q, gt_store_sum_cb cb,
                 void *arg)
{
	struct gt__store_subtree t;
	sqlite3_stmt *s;
	int empty, rc;

	if (cb == NULL)
		return gt__store_err(st, GT_EINVAL, "no callback");
	s = report_stmt(st, q != NULL && q->by_child ? Q_SUM_CHILD : Q_SUM, q, &t, &empty, &rc);
	if (s == NULL)
		return empty ? 0 : rc;
	if (q->by_child)
		sqlite3_bind_text(s, 6, q->org_root, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int c = q->by_child ? 3 : 2;

		rc = cb(arg, col_text(s, 0), col_text(s, 1), q->by_child ? col_text(s, 2) : NULL,
		        sqlite3_column_double(s, c), (uint32_t)sqlite3_column_int64(s, c + 1));
		if (rc != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "summing values");
out:
	sqlite3_reset(s);
	return rc;
}

int gt_store_values_foreach(struct gt_store *st, const struct gt_store_report_query *q,
                            gt_store_value_cb cb, void *arg)
{
	struct gt__store_subtree t;
	struct gt_store_value v;
	sqlite3_stmt *s;
	int empty, rc;

	if (cb == NULL)
		return gt__store_err(st, GT_EINVAL, "no callback");
	s = report_stmt(st, Q_VALUES, q, &t, &empty, &rc);
	if (s == NULL)
		return empty ? 0 : rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_value(s, NULL, &v);
		rc = cb(arg, &v);
		if (rc != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading values");
out:
	sqlite3_reset(s);
	return rc;
}

/* Steps a statement of report rows (the columns of Q_ROWS) bound by the caller, calling cb
 * with each row as a value of element, and resets it. */
static int step_rows(struct gt_store *st, sqlite3_stmt *s, const char *element, gt_store_row_cb cb,
                     void *arg)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gt_store_row row = {
		    .element = element,
		    .coc = col_text(s, 0),
		    .org_unit = col_text(s, 1),
		    .period = col_text(s, 7),
		    .has_num = sqlite3_column_type(s, 2) != SQLITE_NULL,
		    .updated_at_ms = sqlite3_column_int64(s, 3),
		    .created_at_ms = sqlite3_column_int64(s, 4),
		    .priv = s,
		};
		/* The text is read only for values that are not numbers. */
		if (row.has_num)
			row.num = sqlite3_column_double(s, 2);
		else
			row.text = col_text(s, 5);
		rc = cb(arg, &row);
		if (rc != 0)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = gt__store_sqlerr(st, rc, "reading report rows");
	sqlite3_reset(s);
	return rc;
}

int gt_store_report_rows(struct gt_store *st, const struct gt_store_report_query *q,
                         gt_store_row_cb cb, void *arg)
{
	struct gt__store_subtree t;
	const char *periods = NULL;
	sqlite3_stmt *s = NULL;
	int rc;

	if (cb == NULL || q == NULL || q->elements == NULL || q->periods == NULL)
		return gt__store_err(st, GT_EINVAL, "report query without elements or periods");
	rc = gt__store_subtree(st, q->org_root, &t);
	if (rc == 0)
		rc = gt__store_json_list(st, 1, q->periods, q->n_periods, &periods);
	if (rc != 0 || q->n_periods == 0)
		return rc;
	/* One range scan per element: the element is known, so it is neither read nor
	 * compared for each row. */
	for (size_t e = 0; e < q->n_elements && rc == 0; e++) {
		const char *el = q->elements[e];

		s = gt__store_q(st, Q_ROWS);
		if (s == NULL)
			return GT_ESTORE;
		sqlite3_bind_text(s, 1, el, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, periods, -1, SQLITE_STATIC);
		gt__store_bind_subtree(s, 3, &t);
		rc = step_rows(st, s, el, cb, arg);
	}
	return rc;
}

/* The range of org-unit codes of code's subtree, [lo, hi): every code for the root, else the
 * code itself and the codes below it ("53" and "53.xx"; '/' follows '.' in ASCII). */
static int subtree_range(struct gt_store *st, const char *code, char *lo, char *hi, size_t len)
{
	size_t n = strlen(code);

	if (gt_orgunit_valid(code) != 0)
		return gt__store_err(st, GT_EINVAL, "not an org-unit code");
	if (n + 2 > len)
		return gt__store_err(st, GT_EINVAL, "org-unit code too long");
	if (strcmp(code, GT_ORGUNIT_ROOT) == 0) {
		lo[0] = '\0';
		hi[0] = '\x7f'; /* above every code: codes are ASCII letters, digits and dots */
		hi[1] = '\0';
		return 0;
	}
	memcpy(lo, code, n + 1);
	memcpy(hi, code, n);
	hi[n] = '/';
	hi[n + 1] = '\0';
	return 0;
}

/* Statement id bound with a and b (borrowed until it is reset) and, as ?3 and ?4, the range
 * of org_root's subtree; NULL with *rc set on failure. */
static sqlite3_stmt *range_stmt(struct gt_store *st, enum gt__store_sql id, const char *a,
                                const char *b, const char *org_root, int *rc)
{
	char lo[GT_ORGUNIT_MAX_LEN + 2], hi[GT_ORGUNIT_MAX_LEN + 2];
	sqlite3_stmt *s;

	if (a == NULL || b == NULL || org_root == NULL) {
		*rc = gt__store_err(st, GT_EINVAL, "incomplete query");
		return NULL;
	}
	if ((*rc = subtree_range(st, org_root, lo, hi, sizeof(lo))) != 0)
		return NULL;
	if ((s = gt__store_q(st, id)) == NULL) {
		*rc = GT_ESTORE;
		return NULL;
	}
	sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, hi, -1, SQLITE_TRANSIENT);
	return s;
}

int gt_store_report_cell_rows(struct gt_store *st, const char *element, const char *period,
                              const char *org_root, gt_store_row_cb cb, void *arg)
{
	sqlite3_stmt *s;
	int rc;

	if (cb == NULL)
		return gt__store_err(st, GT_EINVAL, "no callback");
	if ((s = range_stmt(st, Q_ROWS_CELL, element, period, org_root, &rc)) == NULL)
		return rc;
	return step_rows(st, s, element, cb, arg);
}

int gt_store_unit_values(struct gt_store *st, const struct gt_store_report_query *q,
                         const char *org_unit, uint32_t *count, int64_t *first_ms)
{
	const char *elements = NULL, *periods = NULL;
	sqlite3_stmt *s;
	int rc;

	*count = 0;
	*first_ms = 0;
	if (q == NULL || q->elements == NULL || q->periods == NULL || org_unit == NULL)
		return gt__store_err(st, GT_EINVAL, "report query without elements or periods");
	if ((rc = gt__store_json_list(st, 0, q->elements, q->n_elements, &elements)) != 0 ||
	    (rc = gt__store_json_list(st, 1, q->periods, q->n_periods, &periods)) != 0)
		return rc;
	if ((s = gt__store_q(st, Q_UNIT_VALUES)) == NULL)
		return GT_ESTORE;
	sqlite3_bind_text(s, 1, elements, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, periods, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, org_unit, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		sqlite3_int64 c = sqlite3_column_int64(s, 0);
		*count = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
		*first_ms = sqlite3_column_int64(s, 1);
		rc = 0;
	} else {
		rc = gt__store_sqlerr(st, rc == SQLITE_DONE ? SQLITE_ERROR : rc, "counting values");
	}
	sqlite3_reset(s);
	return rc;
}

int gt_store_changed_values(struct gt_store *st, uint64_t since, const char *const *periods,
                            size_t n, gt_store_changed_cb cb, void *arg)
{
	const char *plist = NULL;
	sqlite3_stmt *s;
	int rc;

	if (cb == NULL || (periods == NULL && n > 0))
		return gt__store_err(st, GT_EINVAL, "change query without periods or callback");
	if ((rc = gt__store_json_list(st, 1, periods, n, &plist)) != 0)
		return rc;
	if ((s = gt__store_q(st, Q_CHANGED_KEYS)) == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, since > INT64_MAX ? INT64_MAX : (sqlite3_int64)since);
	sqlite3_bind_text(s, 2, plist != NULL ? plist : "[]", -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = cb(arg, col_text(s, 0), col_text(s, 1), col_text(s, 2))) != 0)
			break;
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = gt__store_sqlerr(st, rc, "reading changed values");
	sqlite3_reset(s);
	return rc;
}

int gt_store_workflow_states(struct gt_store *st, const char *dataset, const char *period,
                             const char *org_root, gt_store_state_cb cb, void *arg)
{
	sqlite3_stmt *s;
	int rc;

	if (cb == NULL)
		return gt__store_err(st, GT_EINVAL, "no callback");
	if ((s = range_stmt(st, Q_WS_SUBTREE, dataset, period, org_root, &rc)) == NULL)
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = cb(arg, col_text(s, 0), sqlite3_column_int(s, 1))) != 0)
			break;
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = gt__store_sqlerr(st, rc, "reading approval states");
	sqlite3_reset(s);
	return rc;
}

int gt_store_reading_begin(struct gt_store *st, int *own)
{
	return gt__store_read_begin(st, own);
}

void gt_store_reading_end(struct gt_store *st, int own)
{
	gt__store_read_end(st, own);
}

const char *gt_store_row_comment(const struct gt_store_row *row)
{
	return col_text((sqlite3_stmt *)row->priv, 6);
}

/* Steps a change probe bound by the caller: *changed is set when it finds a row. */
static int probe(struct gt_store *st, sqlite3_stmt *s, int *changed)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		*changed = 1;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE
	         ? 0
	         : gt__store_sqlerr(st, rc, "looking for changes");
	sqlite3_reset(s);
	return rc;
}

int gt_store_report_changed(struct gt_store *st, uint64_t since, const char *dataset,
                            const char *const *periods, size_t n, struct gt_store_stamp *now,
                            int *changed)
{
	static const enum gt__store_sql by_dataset[] = {Q_CHANGED_WE, Q_CHANGED_WS, Q_CHANGED_CO};
	const char *plist = NULL;
	sqlite3_stmt *s;
	int own, rc;

	memset(now, 0, sizeof(*now));
	*changed = 0;
	if (dataset == NULL || (periods == NULL && n > 0))
		return gt__store_err(st, GT_EINVAL, "change probe without data set or periods");
	rc = gt__store_read_begin(st, &own);
	if (rc != 0)
		return rc;
	if ((rc = gt_store_change_seq(st, &now->change_seq)) != 0 ||
	    (rc = gt_store_admin_seq(st, &now->admin_seq)) != 0)
		goto out;
	if (now->change_seq < since) {
		*changed = 1; /* the counter went back: derived tables were rebuilt */
		goto out;
	}
	if (now->change_seq == since)
		goto out;
	if ((rc = gt__store_json_list(st, 1, periods, n, &plist)) != 0)
		goto out;
	if ((s = gt__store_q(st, Q_CHANGED_DV)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
	sqlite3_bind_text(s, 2, plist, -1, SQLITE_STATIC);
	rc = probe(st, s, changed);
	for (size_t i = 0; rc == 0 && !*changed && i < sizeof(by_dataset) / sizeof(*by_dataset);
	     i++) {
		if ((s = gt__store_q(st, by_dataset[i])) == NULL) {
			rc = GT_ESTORE;
			break;
		}
		sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
		sqlite3_bind_text(s, 2, dataset, -1, SQLITE_STATIC);
		rc = probe(st, s, changed);
	}
out:
	gt__store_read_end(st, own);
	return rc;
}

void gt_store_attach(struct gt_store *st, void *p, void (*free_fn)(void *))
{
	if (st->attached_free != NULL)
		st->attached_free(st->attached);
	st->attached = p;
	st->attached_free = free_fn;
}

void *gt_store_attached(struct gt_store *st)
{
	return st->attached;
}

int gt_store_reported_units(struct gt_store *st, const struct gt_store_report_query *q,
                            gt_store_unit_cb cb, void *arg)
{
	struct gt__store_subtree t;
	sqlite3_stmt *s;
	int empty, rc;

	if (cb == NULL)
		return gt__store_err(st, GT_EINVAL, "no callback");
	s = report_stmt(st, Q_UNITS, q, &t, &empty, &rc);
	if (s == NULL)
		return empty ? 0 : rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rc = cb(arg, col_text(s, 0), (uint32_t)sqlite3_column_int64(s, 1),
		        sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3));
		if (rc != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading reporting units");
out:
	sqlite3_reset(s);
	return rc;
}

int gt_store_completed_units(struct gt_store *st, const struct gt_store_report_query *q,
                             const char *dataset, gt_store_completed_cb cb, void *arg)
{
	struct gt__store_subtree t;
	const char *periods = NULL;
	sqlite3_stmt *s;
	int rc;

	if (cb == NULL || dataset == NULL || q == NULL || q->periods == NULL)
		return gt__store_err(st, GT_EINVAL, "no data set, periods or callback");
	rc = gt__store_subtree(st, q->org_root, &t);
	if (rc == 0)
		rc = gt__store_json_list(st, 1, q->periods, q->n_periods, &periods);
	if (rc != 0 || q->n_periods == 0)
		return rc;
	s = gt__store_q(st, Q_COMPLETED);
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_text(s, 1, dataset, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, periods, -1, SQLITE_TRANSIENT);
	gt__store_bind_subtree(s, 3, &t);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rc = cb(arg, col_text(s, 0), col_text(s, 1), sqlite3_column_int64(s, 2));
		if (rc != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading completed units");
out:
	sqlite3_reset(s);
	return rc;
}

int gt_store_workflow_units(struct gt_store *st, const struct gt_store_report_query *q,
                            const char *dataset, int kind, gt_store_unit_period_cb cb, void *arg)
{
	struct gt__store_subtree t;
	const char *periods;
	sqlite3_stmt *s;
	int rc, stop = 0;

	if (q == NULL || dataset == NULL || cb == NULL)
		return gt__store_err(st, GT_EINVAL, "incomplete query");
	if ((rc = gt__store_subtree(st, q->org_root, &t)) != 0)
		return rc;
	if ((rc = gt__store_json_list(st, 0, q->periods, q->n_periods, &periods)) != 0)
		return rc;
	if ((s = gt__store_q(st, Q_WE_UNITS)) == NULL)
		return GT_ESTORE;
	sqlite3_bind_text(s, 1, dataset, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, kind);
	sqlite3_bind_text(s, 3, periods != NULL ? periods : "[]", -1, SQLITE_TRANSIENT);
	gt__store_bind_subtree(s, 4, &t);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((stop = cb(arg, col_text(s, 0), col_text(s, 1))) != 0)
			break;
	if (stop != 0)
		rc = stop;
	else
		rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading workflow units");
	sqlite3_reset(s);
	return rc;
}
