/* The client store's answers for a person: counts by state, the values the server did not
 * apply, the workflow actions and their outcome. */
#include "cstore_int.h"

#include <string.h>

#include "error.h"

/* Runs a (state, count) query into counts[0..n); states outside the range are ignored. */
static int count_states(struct gt_cstore *st, int query, uint64_t *counts, int n)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, query);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	while ((rc = gt_sqldb_step(st->db, s)) == 1) {
		int k = sqlite3_column_int(s, 0);
		if (k >= 0 && k < n)
			counts[k] = (uint64_t)sqlite3_column_int64(s, 1);
	}
	return rc;
}

int gt_cstore_status(struct gt_cstore *st, struct gt_cstore_status *out)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = count_states(st, Q_ST_VALUES, out->values, 5)) != GT_OK ||
	    (rc = count_states(st, Q_ST_BATCHES, out->batches, 3)) != GT_OK ||
	    (rc = count_states(st, Q_ST_ACTIONS, out->actions, 5)) != GT_OK)
		return rc;
	if ((s = gt_sqldb_stmt(st->db, Q_ST_REPLICA)) == NULL)
		return GT_ESTORE;
	rc = gt_sqldb_step(st->db, s);
	if (rc == 1) {
		out->replica_values = (uint64_t)sqlite3_column_int64(s, 0);
		out->replica_units = (uint64_t)sqlite3_column_int64(s, 1);
		gt_sqldb_reset(s);
		rc = GT_OK;
	}
	return rc;
}

int gt_cstore_problems(struct gt_cstore *st,
                       int (*cb)(void *arg, const struct gt_cstore_problem *p), void *arg)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_PROBLEMS);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	while ((rc = gt_sqldb_step(st->db, s)) == 1) {
		struct gt_cstore_problem p = {
		    .state = sqlite3_column_int(s, 0),
		    .reason = sqlite3_column_int(s, 1),
		    .message = gt_sqldb_col_text(s, 2),
		    .data_element = gt_sqldb_col_text(s, 3),
		    .period = gt_sqldb_col_text(s, 4),
		    .org_unit = gt_sqldb_col_text(s, 5),
		    .coc = gt_sqldb_col_text(s, 6),
		    .value = gt_sqldb_col_text(s, 7),
		    .source = gt_sqldb_col_text(s, 8),
		    .seq = (uint64_t)sqlite3_column_int64(s, 9),
		};
		int r = cb(arg, &p);
		if (r != 0) {
			gt_sqldb_reset(s);
			return r;
		}
	}
	return rc;
}

int gt_cstore_actions_recent(struct gt_cstore *st, size_t max, struct gt_cstore_action **out,
                             size_t *n)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_A_RECENT);

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_u64(s, 1, max);
	return gt__cstore_read_actions(st, s, out, n);
}

int gt_cstore_action_get(struct gt_cstore *st, int64_t id, struct gt_cstore_action *out)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_A_GET);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	rc = gt_sqldb_step(st->db, s);
	if (rc == 0)
		return gt_sqldb_fail(st->db, GT_ENOENT, "no workflow action %lld", (long long)id);
	if (rc < 0)
		return rc;
	rc = gt__cstore_read_action(s, out);
	gt_sqldb_reset(s);
	return rc;
}
