/* The client store's replica: the values and report states pulled from the server for an
 * org unit's subtree, with the cursor to resume from. */
#include "cstore_int.h"

#include <string.h>

#include "error.h"

int gt_cstore_pull_cursor(struct gt_cstore *st, const char *org, uint64_t *cursor)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_CUR_GET);
	int rc;

	*cursor = 0;
	if (s == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_text(s, 1, org);
	rc = gt_sqldb_step(st->db, s);
	if (rc <= 0)
		return rc;
	*cursor = (uint64_t)sqlite3_column_int64(s, 0);
	gt_sqldb_reset(s);
	return GT_OK;
}

static int store_value(struct gt_cstore *st, const Gtsync__V1__PulledValue *pv)
{
	const Gtsync__V1__DataValue *v = pv->value;
	sqlite3_stmt *s;

	if (v == NULL)
		return GT_OK;
	if ((s = gt_sqldb_stmt(st->db, Q_R_UPSERT)) == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_text(s, 1, v->data_element);
	gt_sqldb_bind_text(s, 2, v->period);
	gt_sqldb_bind_text(s, 3, v->org_unit);
	gt_sqldb_bind_text(s, 4, v->category_option_combo);
	gt_sqldb_bind_text(s, 5, v->value);
	gt_sqldb_bind_text(s, 6, v->comment);
	gt_sqldb_bind_u64(s, 7, v->revision);
	sqlite3_bind_int(s, 8, v->deleted ? 1 : 0);
	if (pv->origin_batch.len > 0)
		sqlite3_bind_blob(s, 9, pv->origin_batch.data, (int)pv->origin_batch.len,
		                  SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, pv->updated_at_ms);
	gt_sqldb_bind_u64(s, 11, pv->change_seq);
	return gt_sqldb_run(st->db, s);
}

static int store_state(struct gt_cstore *st, const Gtsync__V1__WorkflowState *w)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_RS_UPSERT);

	if (s == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_text(s, 1, w->dataset);
	gt_sqldb_bind_text(s, 2, w->period);
	gt_sqldb_bind_text(s, 3, w->org_unit);
	sqlite3_bind_int(s, 4, (int)w->state);
	sqlite3_bind_int64(s, 5, w->updated_at_ms);
	gt_sqldb_bind_u64(s, 6, w->change_seq);
	return gt_sqldb_run(st->db, s);
}

int gt_cstore_pull_apply(struct gt_cstore *st, const char *org, const Gtsync__V1__PullChunk *chunk,
                         int64_t now_ms)
{
	struct gt_sqldb_scope sc;
	sqlite3_stmt *s;
	int rc;

	if (chunk->next_cursor > INT64_MAX)
		return gt_sqldb_fail(st->db, GT_EPROTO, "the server sent a cursor out of range");
	if ((rc = gt_sqldb_scope_enter(st->db, &sc)) != GT_OK)
		return rc;
	for (size_t i = 0; i < chunk->n_values && rc == GT_OK; i++)
		rc = store_value(st, chunk->values[i]);
	for (size_t i = 0; i < chunk->n_states && rc == GT_OK; i++)
		rc = store_state(st, chunk->states[i]);
	if (rc == GT_OK && (s = gt_sqldb_stmt(st->db, Q_CUR_SET)) == NULL)
		rc = GT_ESTORE;
	if (rc == GT_OK) {
		gt_sqldb_bind_text(s, 1, org);
		gt_sqldb_bind_u64(s, 2, chunk->next_cursor);
		rc = gt_sqldb_run(st->db, s);
	}
	if (rc == GT_OK)
		rc = gt_cstore_config_set_u64(st, GT_CSTORE_CFG_LAST_PULL, (uint64_t)now_ms);
	return gt_sqldb_scope_leave(st->db, &sc, rc);
}

int gt_cstore_replica_foreach(struct gt_cstore *st, const char *org,
                              int (*cb)(void *arg, const struct gt_cstore_replica_value *v),
                              void *arg)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_R_ALL);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	while ((rc = gt_sqldb_step(st->db, s)) == 1) {
		struct gt_cstore_replica_value v = {
		    .data_element = gt_sqldb_col_text(s, 0),
		    .period = gt_sqldb_col_text(s, 1),
		    .org_unit = gt_sqldb_col_text(s, 2),
		    .coc = gt_sqldb_col_text(s, 3),
		    .value = gt_sqldb_col_text(s, 4),
		    .comment = gt_sqldb_col_text(s, 5),
		    .revision = (uint64_t)sqlite3_column_int64(s, 6),
		    .deleted = sqlite3_column_int(s, 7),
		    .change_seq = (uint64_t)sqlite3_column_int64(s, 8),
		};
		int r;
		if (org != NULL && gt_orgunit_contains(org, v.org_unit) != 1)
			continue;
		if ((r = cb(arg, &v)) != 0) {
			gt_sqldb_reset(s);
			return r;
		}
	}
	return rc;
}

int gt_cstore_replica_units(struct gt_cstore *st, int (*cb)(void *arg, const char *org, uint64_t n),
                            void *arg)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_R_UNITS);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	while ((rc = gt_sqldb_step(st->db, s)) == 1) {
		int r = cb(arg, gt_sqldb_col_text(s, 0), (uint64_t)sqlite3_column_int64(s, 1));
		if (r != 0) {
			gt_sqldb_reset(s);
			return r;
		}
	}
	return rc;
}
