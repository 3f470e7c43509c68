/* Store: the raw values, completions and approval states of a data set for an export. */
#include "store_export.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store_impl.h"
#include "vec.h"

/* The units of the scope: ?3 the scope, ?4 the org unit, ?5 and ?6 its subtree's bounds. */
#define SCOPE_SQL(col)                                                                             \
	"((?3 = 1 AND " col " = ?4) OR (?3 = 2 AND (" col " = ?4 OR " col                          \
	" IN (SELECT code FROM orgunits WHERE parent = ?4))) OR (?3 = 3 AND (?4 = 'ID' OR " col    \
	" = ?4 OR (" col " >= ?5 AND " col " < ?6))))"

static const char SQL_VALUES[] =
    "SELECT d.data_element, d.coc, d.org_unit, d.period, d.value, d.comment, d.revision, "
    "d.deleted, d.origin_batch, d.created_at_ms, d.updated_at_ms, d.change_seq, "
    "coalesce(b.key_id, ''), coalesce(k.label, '') FROM datavalues d LEFT JOIN batch_log b ON "
    "b.batch_hash = d.origin_batch LEFT JOIN keys k ON k.key_id = b.key_id WHERE d.deleted = 0 AND "
    "d.data_element IN (SELECT value FROM json_each(?1)) "
    "AND d.period IN (SELECT value FROM json_each(?2)) AND " SCOPE_SQL(
        "d.org_unit") " AND (d.data_element, d.period, d.org_unit, d.coc) > (?7, ?8, ?9, ?10) "
                      "ORDER BY d.data_element, d.period, d.org_unit, d.coc LIMIT ?11";

/* Completions, and nil reports ("laporan nihil": the unit had nothing to report) where the
 * unit has no completion of its own: DHIS2 records both as a complete registration. */
static const char SQL_COMPLETIONS[] =
    "SELECT dataset, period, org_unit, completed, at_ms, origin_batch, change_seq FROM ("
    "SELECT dataset, period, org_unit, completed, at_ms, origin_batch, change_seq FROM "
    "completions WHERE dataset = ?1 AND period IN (SELECT value FROM json_each(?2)) AND " SCOPE_SQL(
        "org_unit") " UNION ALL SELECT e.dataset, e.period, e.org_unit, 1, max(e.at_ms), "
                    "e.origin_batch, e.change_seq FROM workflow_events e WHERE e.kind = 6 AND "
                    "e.dataset = ?1 AND e.period IN (SELECT value FROM json_each(?2)) "
                    "AND " SCOPE_SQL(
                        "e.org_unit") " AND NOT EXISTS (SELECT 1 FROM completions c WHERE "
                                      "c.dataset = e.dataset AND c.period = e.period AND "
                                      "c.org_unit = e.org_unit) GROUP BY e.dataset, e.period, "
                                      "e.org_unit) ORDER BY org_unit, period LIMIT ?11";

static const char SQL_STATES[] =
    "SELECT dataset, period, org_unit, state, updated_at_ms, change_seq FROM workflow_state "
    "WHERE dataset = ?1 AND period IN (SELECT value FROM json_each(?2)) AND " SCOPE_SQL(
        "org_unit") " ORDER BY org_unit, period LIMIT ?11";

/* Copies the text columns cols[0..n) of s into one new block owned by out; strs[i] point
 * into it. */
static int copy_cols(struct gt_store_export_out *out, sqlite3_stmt *s, const int *cols, size_t n,
                     const char **strs)
{
	size_t need = 0, at = 0;
	char *blk;

	for (size_t i = 0; i < n; i++)
		need += (size_t)sqlite3_column_bytes(s, cols[i]) + 1;
	if (GT_VEC_RESERVE(out->blocks, out->cap_blocks, out->n_blocks + 1) != GT_OK)
		return GT_ENOMEM;
	blk = malloc(need ? need : 1);
	if (blk == NULL)
		return GT_ENOMEM;
	out->blocks[out->n_blocks++] = blk;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *t = sqlite3_column_text(s, cols[i]);
		size_t len = (size_t)sqlite3_column_bytes(s, cols[i]);
		if (t != NULL && len > 0)
			memcpy(blk + at, t, len);
		blk[at + len] = '\0';
		strs[i] = blk + at;
		at += len + 1;
	}
	return GT_OK;
}

static void col_hash(sqlite3_stmt *s, int i, uint8_t out[GT_SHA256_LEN])
{
	if (sqlite3_column_bytes(s, i) == GT_SHA256_LEN)
		memcpy(out, sqlite3_column_blob(s, i), GT_SHA256_LEN);
	else
		memset(out, 0, GT_SHA256_LEN);
}

static int read_value(struct gt_store_export_out *out, sqlite3_stmt *s)
{
	static const int cols[] = {0, 1, 2, 3, 4, 5, 12, 13};
	const char *strs[8];
	struct gt_store_export_value *e;
	int rc;

	if ((rc = GT_VEC_RESERVE(out->values, out->cap_values, out->n_values + 1)) != GT_OK)
		return rc;
	if ((rc = copy_cols(out, s, cols, 8, strs)) != GT_OK)
		return rc;
	e = &out->values[out->n_values++];
	memset(e, 0, sizeof(*e));
	e->v.data_element = strs[0];
	e->v.coc = strs[1];
	e->v.org_unit = strs[2];
	e->v.period = strs[3];
	e->v.value = strs[4];
	e->v.comment = strs[5];
	e->key_id = strs[6];
	e->key_label = strs[7];
	e->v.revision = (uint64_t)sqlite3_column_int64(s, 6);
	e->v.deleted = sqlite3_column_int(s, 7);
	col_hash(s, 8, e->v.origin_batch);
	e->v.created_at_ms = sqlite3_column_int64(s, 9);
	e->v.updated_at_ms = sqlite3_column_int64(s, 10);
	e->v.change_seq = (uint64_t)sqlite3_column_int64(s, 11);
	return GT_OK;
}

static int read_completion(struct gt_store_export_out *out, sqlite3_stmt *s)
{
	static const int cols[] = {0, 1, 2};
	const char *strs[3];
	struct gt_store_completion *c;
	int rc;

	if ((rc = GT_VEC_RESERVE(out->completions, out->cap_completions, out->n_completions + 1)) !=
	    GT_OK)
		return rc;
	if ((rc = copy_cols(out, s, cols, 3, strs)) != GT_OK)
		return rc;
	c = &out->completions[out->n_completions++];
	memset(c, 0, sizeof(*c));
	c->dataset = strs[0];
	c->period = strs[1];
	c->org_unit = strs[2];
	c->completed = sqlite3_column_int(s, 3);
	c->at_ms = sqlite3_column_int64(s, 4);
	col_hash(s, 5, c->origin_batch);
	c->change_seq = (uint64_t)sqlite3_column_int64(s, 6);
	return GT_OK;
}

static int read_state(struct gt_store_export_out *out, sqlite3_stmt *s)
{
	static const int cols[] = {0, 1, 2};
	const char *strs[3];
	struct gt_store_wfstate *w;
	int rc;

	if ((rc = GT_VEC_RESERVE(out->states, out->cap_states, out->n_states + 1)) != GT_OK)
		return rc;
	if ((rc = copy_cols(out, s, cols, 3, strs)) != GT_OK)
		return rc;
	w = &out->states[out->n_states++];
	memset(w, 0, sizeof(*w));
	w->dataset = strs[0];
	w->period = strs[1];
	w->org_unit = strs[2];
	w->state = sqlite3_column_int(s, 3);
	w->updated_at_ms = sqlite3_column_int64(s, 4);
	w->change_seq = (uint64_t)sqlite3_column_int64(s, 5);
	return GT_OK;
}

/* Runs sql with the query's bindings (list1 as ?1 or dataset, list2 as ?2), calling reader per
 * row, at most limit rows. */
static int run(struct gt_store *st, const char *sql, const struct gt_store_export_query *q,
               const struct gt__store_subtree *t, const char *first, const char *list,
               uint32_t limit, struct gt_store_export_out *out,
               int (*reader)(struct gt_store_export_out *, sqlite3_stmt *), size_t *rows)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	*rows = 0;
	if (rc != SQLITE_OK)
		return gt__store_sqlerr(st, rc, "prepare export");
	sqlite3_bind_text(s, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, list, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, (int)q->scope);
	sqlite3_bind_text(s, 4, q->org_unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, t->lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, t->hi, -1, SQLITE_STATIC);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_text(s, 7 + i, q->after ? q->after[i] : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int r = reader(out, s);
		if (r != GT_OK) {
			sqlite3_finalize(s);
			return gt__store_err(st, r, "out of memory");
		}
		(*rows)++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? GT_OK : gt__store_sqlerr(st, rc, "export");
}

/* Whether code is one of the n codes of list. */
static int listed(const char *const *list, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], code) == 0)
			return 1;
	return 0;
}

/* Appends to out the values of q after its cursor, at most limit. sqlite seeks each listed
 * (element, period) pair and only filters by the cursor, so the lists themselves start at the
 * cursor: first the cursor's element from the cursor's period on, then the elements after it.
 * Listing every element again would make each chunk step over all the rows already exported
 * (quadratic in a national export). */
static int export_values(struct gt_store *st, const struct gt_store_export_query *q,
                         const struct gt__store_subtree *t, uint32_t limit,
                         struct gt_store_export_out *out)
{
	size_t most = q->n_elements > q->n_periods ? q->n_elements : q->n_periods, n = 0, rows;
	const char *elements = NULL, *periods = NULL;
	const char **pick = NULL;
	int rc = GT_OK;

	if (q->elements == NULL || q->periods == NULL)
		return GT_OK;
	if ((pick = calloc(most ? most : 1, sizeof(*pick))) == NULL)
		return gt__store_err(st, GT_ENOMEM, "out of memory");
	if (q->after != NULL && listed(q->elements, q->n_elements, q->after[0])) {
		for (size_t i = 0; i < q->n_periods; i++)
			if (strcmp(q->periods[i], q->after[1]) >= 0)
				pick[n++] = q->periods[i];
		rc = gt__store_json_list(st, 0, &q->after[0], 1, &elements);
		if (rc == 0)
			rc = gt__store_json_list(st, 1, pick, n, &periods);
		if (rc == 0 && n > 0)
			rc = run(st, SQL_VALUES, q, t, elements, periods, limit, out, read_value,
			         &rows);
	}
	n = 0;
	for (size_t i = 0; i < q->n_elements; i++)
		if (q->after == NULL || strcmp(q->elements[i], q->after[0]) > 0)
			pick[n++] = q->elements[i];
	if (rc == 0)
		rc = gt__store_json_list(st, 0, pick, n, &elements);
	if (rc == 0)
		rc = gt__store_json_list(st, 1, q->periods, q->n_periods, &periods);
	if (rc == 0 && n > 0 && out->n_values < limit)
		rc = run(st, SQL_VALUES, q, t, elements, periods, limit - (uint32_t)out->n_values,
		         out, read_value, &rows);
	free(pick);
	return rc;
}

int gt_store_export(struct gt_store *st, const struct gt_store_export_query *q,
                    struct gt_store_export_out *out)
{
	struct gt__store_subtree t;
	uint32_t max = q->max_items;
	const char *periods = NULL;
	size_t rows = 0;
	int own = 0, rc;

	memset(out, 0, sizeof(*out));
	if (max == 0 || max > GT_STORE_EXPORT_MAX_ITEMS)
		max = GT_STORE_EXPORT_MAX_ITEMS;
	if (q->scope < GT_STORE_EXPORT_SELF || q->scope > GT_STORE_EXPORT_DESCENDANTS)
		return gt__store_err(st, GT_EINVAL, "unknown export scope");
	if ((rc = gt__store_subtree(st, q->org_unit, &t)) != 0)
		return rc;
	if ((rc = gt__store_read_begin(st, &own)) != 0)
		return rc;
	rc = export_values(st, q, &t, max + 1, out);
	if (rc == 0 && out->n_values > max) {
		out->n_values = max;
		out->more = 1;
	}
	if (rc == 0 && q->with_registrations) {
		rc = gt__store_json_list(st, 1, q->state_periods, q->n_state_periods, &periods);
		if (rc == 0 && periods != NULL)
			rc = run(st, SQL_COMPLETIONS, q, &t, q->dataset, periods,
			         GT_STORE_MAX_PULL_ITEMS + 1, out, read_completion, &rows);
		if (rc == 0 && rows > GT_STORE_MAX_PULL_ITEMS)
			rc = gt__store_err(st, GT_ETOOBIG,
			                   "too many completions: export a shorter range");
		if (rc == 0 && periods != NULL)
			rc = run(st, SQL_STATES, q, &t, q->dataset, periods,
			         GT_STORE_MAX_PULL_ITEMS + 1, out, read_state, &rows);
		if (rc == 0 && rows > GT_STORE_MAX_PULL_ITEMS)
			rc = gt__store_err(st, GT_ETOOBIG,
			                   "too many approvals: export a shorter range");
	}
	gt__store_read_end(st, own);
	if (rc != 0)
		gt_store_export_free(out);
	return rc;
}

void gt_store_export_free(struct gt_store_export_out *out)
{
	if (out == NULL)
		return;
	for (size_t i = 0; i < out->n_blocks; i++)
		free(out->blocks[i]);
	free(out->blocks);
	free(out->values);
	free(out->completions);
	free(out->states);
	memset(out, 0, sizeof(*out));
}
