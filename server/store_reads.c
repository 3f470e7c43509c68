/* The read log: each report, pull and export served, with the key, its scope and the time
 * (issue 14: reads of consolidated data are attributable). */
#include "store_reads.h"

#include "error.h"
#include "store_impl.h"

static const char ins_sql[] =
    "INSERT INTO read_log(at_ms, key_id, key_org, roles, kind, org_unit, dataset, period, "
    "items) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char old_sql[] = "DELETE FROM read_log WHERE at_ms < ?";
static const char list_sql[] =
    "SELECT at_ms, key_id, key_org, roles, kind, org_unit, dataset, period, items "
    "FROM read_log WHERE at_ms >= ? AND (?2 IS NULL OR key_id = ?2) ORDER BY at_ms, id";

/* Prepares sql on st's handle; NULL with the error recorded. */
static sqlite3_stmt *prepare(struct gt_store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK) {
		gt__store_sqlerr(st, rc, "preparing a read-log statement");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

int gt_store_read_record(struct gt_store *st, const struct gt_store_read *r, int64_t keep_from_ms)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((s = prepare(st, ins_sql)) == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, r->at_ms);
	sqlite3_bind_text(s, 2, r->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->key_org, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)r->roles);
	sqlite3_bind_text(s, 5, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->org_unit ? r->org_unit : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, r->dataset ? r->dataset : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, r->period ? r->period : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)r->items);
	rc = gt__store_run(st, s, "recording a read");
	sqlite3_finalize(s);
	if (rc != GT_OK || keep_from_ms <= 0)
		return rc;
	if ((s = prepare(st, old_sql)) == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, keep_from_ms);
	rc = gt__store_run(st, s, "forgetting old reads");
	sqlite3_finalize(s);
	return rc;
}

static const char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL ? (const char *)t : "";
}

int gt_store_reads_list(struct gt_store *st, int64_t since_ms, const char *key_id,
                        int (*cb)(void *arg, const struct gt_store_read *r), void *arg)
{
	sqlite3_stmt *s = prepare(st, list_sql);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, since_ms);
	if (key_id != NULL)
		sqlite3_bind_text(s, 2, key_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gt_store_read r = {
		    .at_ms = sqlite3_column_int64(s, 0),
		    .key_id = col(s, 1),
		    .key_org = col(s, 2),
		    .roles = (unsigned)sqlite3_column_int64(s, 3),
		    .kind = col(s, 4),
		    .org_unit = col(s, 5),
		    .dataset = col(s, 6),
		    .period = col(s, 7),
		    .items = (uint64_t)sqlite3_column_int64(s, 8),
		};
		int stop = cb(arg, &r);
		if (stop != 0) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? GT_OK : gt__store_sqlerr(st, rc, "listing reads");
	sqlite3_finalize(s);
	return rc;
}
