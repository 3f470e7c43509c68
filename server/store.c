/* The store's handle: opening, schema and migrations, statements, transactions, metadata. */
#include "store_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "error.h"
#include "vec.h"

/* The subtree condition on org_unit, with its three parameters starting at ?N. */
#define SUBTREE(a, b, c)                                                                           \
	"(?" #a " IS NULL OR org_unit = ?" #a " OR (org_unit >= ?" #b " AND org_unit < ?" #c "))"

#define DV_COLS                                                                                    \
	"data_element, coc, org_unit, period, value, comment, revision, deleted, origin_batch, "   \
	"created_at_ms, updated_at_ms, change_seq"

#define KEY_COLS                                                                                   \
	"key_id, public_key, org_unit, role, added_at_ms, revoked_at_ms, roles, roles_held, label"

static const struct gt_sqldb_stmt stmts[Q_COUNT] = {
    [Q_SEQ_GET] = {"reading the change counter",
                   "SELECT value FROM store_state WHERE name = 'change_seq'"},
    [Q_SEQ_SET] = {"saving the change counter",
                   "UPDATE store_state SET value = ?1 WHERE name = 'change_seq'"},
    [Q_ADMIN_GET] = {"reading the admin change counter",
                     "SELECT value FROM store_state WHERE name = 'admin_seq'"},
    [Q_ADMIN_BUMP] = {"counting an admin change",
                      "INSERT INTO store_state(name, value) VALUES('admin_seq', 1) "
                      "ON CONFLICT(name) DO UPDATE SET value = value + 1"},

    [Q_OU_GET] = {"reading an org unit",
                  "SELECT code, name, level, parent, time_zone FROM orgunits WHERE code = ?1"},
    [Q_OU_ALL] = {"listing org units", "SELECT code, name, level, parent, time_zone FROM orgunits "
                                       "ORDER BY level <> 1, code"},
    [Q_OU_CHILDREN] = {"listing an org unit's children",
                       "SELECT code, name, level, parent, time_zone FROM orgunits "
                       "WHERE parent = ?1 ORDER BY code"},
    [Q_OU_COUNT] = {"counting org units", "SELECT count(*) FROM orgunits"},
    /* A list without zones (time_zone 0) keeps the zones recorded before. */
    [Q_OU_UPSERT] = {"storing an org unit",
                     "INSERT INTO orgunits(code, name, level, parent, time_zone) "
                     "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(code) DO UPDATE SET "
                     "name = excluded.name, time_zone = CASE WHEN excluded.time_zone <> 0 "
                     "THEN excluded.time_zone ELSE time_zone END"},

    /* role keeps the lowest role of the set, for programs that read one role. */
    [Q_KEY_INS] = {"adding a key",
                   "INSERT INTO keys(key_id, public_key, org_unit, role, added_at_ms, roles, "
                   "roles_held, label) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)"},
    [Q_KEY_GET] = {"reading a key", "SELECT " KEY_COLS " FROM keys WHERE key_id = ?1"},
    [Q_KEY_LIST] = {"listing keys", "SELECT " KEY_COLS " FROM keys ORDER BY key_id"},
    [Q_KEY_ROLES] = {"changing a key's roles",
                     "UPDATE keys SET roles = ?2, roles_held = roles_held | ?2, role = ?3 "
                     "WHERE key_id = ?1"},
    [Q_KEY_LABEL] = {"labelling a key", "UPDATE keys SET label = ?2 WHERE key_id = ?1"},
    [Q_KEY_REVOKE] = {"revoking a key", "UPDATE keys SET revoked_at_ms = ?2 "
                                        "WHERE key_id = ?1 AND revoked_at_ms IS NULL"},
    [Q_KEY_LASTSEQ] = {"reading a key's last sequence",
                       "SELECT max(sequence) FROM batch_log WHERE key_id = ?1"},

    [Q_LOG_BY_HASH] = {"finding a batch by its hash",
                       "SELECT log_index FROM batch_log WHERE batch_hash = ?1"},
    [Q_LOG_BY_KEYSEQ] = {"finding a batch by its key and sequence",
                         "SELECT log_index FROM batch_log WHERE key_id = ?1 AND sequence = ?2"},
    [Q_LOG_INS] = {"logging a batch",
                   "INSERT INTO batch_log(batch_hash, key_id, sequence, org_unit, batch, "
                   "signature, received_at_ms, leaf) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
    [Q_LOG_NEXT] = {"reading the batch log",
                    "SELECT log_index, batch, signature, batch_hash, key_id, sequence, "
                    "org_unit, received_at_ms FROM batch_log WHERE log_index > ?1 "
                    "ORDER BY log_index LIMIT 1"},
    [Q_LOG_FIND] = {"reading a logged batch",
                    "SELECT log_index, batch, signature, batch_hash, key_id, sequence, "
                    "org_unit, received_at_ms FROM batch_log WHERE batch_hash = ?1"},
    [Q_LOG_COUNT] = {"counting logged batches", "SELECT count(*) FROM batch_log"},
    [Q_LOG_OUTCOME_SET] = {"recording a batch's outcome",
                           "UPDATE batch_log SET outcome = ?2 WHERE log_index = ?1"},
    [Q_LOG_OUTCOME_GET] = {"reading a batch's outcome",
                           "SELECT outcome FROM batch_log WHERE log_index = ?1"},

    [Q_DV_UPSERT] =
        {"storing a data value",
         "INSERT INTO datavalues(data_element, period, org_unit, coc, value, comment, revision, "
         "deleted, num, origin_batch, created_at_ms, updated_at_ms, change_seq) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12) "
         "ON CONFLICT(data_element, period, org_unit, coc) DO UPDATE SET "
         "value = excluded.value, comment = excluded.comment, revision = excluded.revision, "
         "deleted = excluded.deleted, num = excluded.num, "
         "origin_batch = excluded.origin_batch, updated_at_ms = excluded.updated_at_ms, "
         "change_seq = excluded.change_seq, "
         "created_at_ms = CASE WHEN deleted THEN excluded.created_at_ms ELSE created_at_ms END"},
    [Q_DV_UPDATE] =
        {"updating a data value",
         "UPDATE datavalues SET value = ?5, comment = ?6, revision = ?7, deleted = ?8, num = ?9, "
         "origin_batch = ?10, updated_at_ms = ?11, change_seq = ?12, "
         "created_at_ms = CASE WHEN deleted THEN ?11 ELSE created_at_ms END "
         "WHERE data_element = ?1 AND period = ?2 AND org_unit = ?3 AND coc = ?4"},
    [Q_DV_HEAD] = {"reading a data value's revision",
                   "SELECT revision, deleted, origin_batch FROM datavalues "
                   "WHERE data_element = ?1 AND period = ?2 AND org_unit = ?3 AND coc = ?4"},
    [Q_DV_SUM] = {"summing data values",
                  "SELECT sum(num), count(num) FROM datavalues WHERE data_element = ?1 "
                  "AND period = ?2 AND org_unit = ?3 AND (?4 IS NULL OR coc = ?4) "
                  "AND deleted = 0"},
    [Q_CO_GET] = {"reading a completion", "SELECT completed FROM completions "
                                          "WHERE dataset = ?1 AND period = ?2 AND org_unit = ?3"},
    [Q_CO_UPSERT] = {"storing a completion",
                     "INSERT INTO completions(dataset, period, org_unit, completed, at_ms, "
                     "origin_batch, change_seq) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                     "ON CONFLICT(dataset, period, org_unit) DO UPDATE SET "
                     "completed = excluded.completed, at_ms = excluded.at_ms, "
                     "origin_batch = excluded.origin_batch, change_seq = excluded.change_seq"},
    [Q_WE_INS] = {"recording a workflow event",
                  "INSERT INTO workflow_events(dataset, period, org_unit, kind, key_id, at_ms, "
                  "reason, data_digest, origin_batch, change_seq, open_until, acknowledged) "
                  "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"},
    [Q_WE_LIST] = {"listing workflow events",
                   "SELECT * FROM (SELECT id, dataset, period, org_unit, kind, key_id, at_ms, "
                   "reason, data_digest, origin_batch, change_seq, open_until, acknowledged "
                   "FROM workflow_events WHERE dataset = ?1 AND period = ?2 AND org_unit = ?3 "
                   "ORDER BY id DESC LIMIT ?4) ORDER BY id"},
    [Q_WE_COUNT] = {"counting workflow events",
                    "SELECT count(*) FROM workflow_events "
                    "WHERE dataset = ?1 AND period = ?2 AND org_unit = ?3"},
    [Q_WE_LAST] = {"reading the last workflow event",
                   "SELECT open_until FROM workflow_events WHERE dataset = ?1 AND period = ?2 "
                   "AND org_unit = ?3 AND kind = ?4 ORDER BY id DESC LIMIT 1"},
    [Q_WE_UNITS] = {"listing units with workflow events",
                    "SELECT DISTINCT org_unit, period FROM workflow_events WHERE dataset = ?1 "
                    "AND kind = ?2 AND period IN (SELECT value FROM json_each(?3)) AND " SUBTREE(
                        4, 5, 6) " ORDER BY org_unit, period"},
    [Q_WS_GET] = {"reading an approval state",
                  "SELECT state FROM workflow_state "
                  "WHERE dataset = ?1 AND period = ?2 AND org_unit = ?3"},
    [Q_WS_UPSERT] = {"storing an approval state",
                     "INSERT INTO workflow_state(dataset, period, org_unit, state, "
                     "updated_at_ms, change_seq) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
                     "ON CONFLICT(dataset, period, org_unit) DO UPDATE SET "
                     "state = excluded.state, updated_at_ms = excluded.updated_at_ms, "
                     "change_seq = excluded.change_seq"},

    [Q_PULL_DV] = {"reading changed data values",
                   "SELECT " DV_COLS " FROM datavalues WHERE change_seq > ?1 AND " SUBTREE(
                       2, 3,
                       4) " AND (?5 IS NULL OR data_element IN (SELECT value FROM json_each(?5))) "
                          "ORDER BY change_seq LIMIT ?6"},
    [Q_PULL_CO] = {"reading changed completions",
                   "SELECT dataset, period, org_unit, completed, at_ms, origin_batch, "
                   "change_seq FROM completions WHERE change_seq > ?1 AND " SUBTREE(
                       2, 3, 4) " AND (?5 IS NULL OR dataset = ?5) "
                                "ORDER BY change_seq LIMIT ?6"},
    [Q_PULL_WS] = {"reading changed approval states",
                   "SELECT dataset, period, org_unit, state, updated_at_ms, change_seq "
                   "FROM workflow_state WHERE change_seq > ?1 AND " SUBTREE(
                       2, 3, 4) " AND (?5 IS NULL OR dataset = ?5) "
                                "ORDER BY change_seq LIMIT ?6"},
    [Q_SUM] = {"summing a report's values",
               "SELECT data_element, coc, sum(num), count(num) FROM datavalues "
               "WHERE data_element IN (SELECT value FROM json_each(?1)) "
               "AND period IN (SELECT value FROM json_each(?2)) AND " SUBTREE(
                   3, 4, 5) " AND deleted = 0 AND num IS NOT NULL "
                            "GROUP BY data_element, coc ORDER BY data_element, coc"},
    [Q_SUM_CHILD] =
        {"summing a report's values by child",
         "SELECT d.data_element, d.coc, CASE WHEN d.org_unit = ?6 THEN ?6 "
         "WHEN o.parent = ?6 THEN o.code ELSE o.parent END AS child, sum(d.num), "
         "count(d.num) FROM datavalues AS d JOIN orgunits AS o ON o.code = d.org_unit "
         "WHERE d.data_element IN (SELECT value FROM json_each(?1)) "
         "AND d.period IN (SELECT value FROM json_each(?2)) "
         "AND (?3 IS NULL OR d.org_unit = ?3 OR (d.org_unit >= ?4 AND d.org_unit < ?5)) "
         "AND d.deleted = 0 AND d.num IS NOT NULL "
         "GROUP BY d.data_element, d.coc, child ORDER BY d.data_element, d.coc, child"},
    [Q_VALUES] = {"reading a report's values",
                  "SELECT " DV_COLS " FROM datavalues "
                  "WHERE data_element IN (SELECT value FROM json_each(?1)) "
                  "AND period IN (SELECT value FROM json_each(?2)) AND " SUBTREE(
                      3, 4, 5) " AND deleted = 0 ORDER BY data_element, period, org_unit, coc"},
    [Q_UNITS] = {"reading a report's units",
                 "SELECT org_unit, count(*), min(created_at_ms), max(updated_at_ms) "
                 "FROM datavalues WHERE data_element IN (SELECT value FROM json_each(?1)) "
                 "AND period IN (SELECT value FROM json_each(?2)) AND " SUBTREE(
                     3, 4, 5) " AND deleted = 0 GROUP BY org_unit ORDER BY org_unit"},
    [Q_ROWS] = {"reading a report's rows",
                "SELECT coc, org_unit, num, updated_at_ms, created_at_ms, value, comment, "
                "period FROM datavalues "
                "WHERE data_element = ?1 "
                "AND period IN (SELECT value FROM json_each(?2)) AND " SUBTREE(
                    3, 4, 5) " AND deleted = 0 ORDER BY period, org_unit, coc"},
    [Q_COMPLETED] = {"reading a report's completions",
                     "SELECT org_unit, period, at_ms FROM completions WHERE dataset = ?1 "
                     "AND period IN (SELECT value FROM json_each(?2)) AND " SUBTREE(
                         3, 4, 5) " AND completed = 1 ORDER BY org_unit, period"},
    /* Whether anything a report of (dataset, periods) reads changed after a change_seq: each
     * walks the change_seq index from there, so it costs what changed since, not the table. */
    [Q_CHANGED_DV] = {"checking for changed data values",
                      "SELECT 1 FROM datavalues INDEXED BY datavalues_seq WHERE change_seq > ?1 "
                      "AND period IN (SELECT value FROM json_each(?2)) LIMIT 1"},
    [Q_CHANGED_WE] = {"checking for changed workflow events",
                      "SELECT 1 FROM workflow_events INDEXED BY workflow_events_seq "
                      "WHERE change_seq > ?1 AND dataset = ?2 LIMIT 1"},
    [Q_CHANGED_WS] = {"checking for changed approval states",
                      "SELECT 1 FROM workflow_state INDEXED BY workflow_state_seq "
                      "WHERE change_seq > ?1 AND dataset = ?2 LIMIT 1"},
    [Q_CHANGED_CO] = {"checking for changed completions",
                      "SELECT 1 FROM completions INDEXED BY completions_seq "
                      "WHERE change_seq > ?1 AND dataset = ?2 LIMIT 1"},
    /* What an incremental report reads (server/report.c): the keys of the values changed
     * after a change_seq (the index covers them), one column of cells for one child, one
     * unit's count of values, and the approval states of a subtree, each a range of a key. */
    [Q_CHANGED_KEYS] = {"reading the keys of changed values",
                        "SELECT data_element, period, org_unit FROM datavalues "
                        "INDEXED BY datavalues_seq WHERE change_seq > ?1 "
                        "AND period IN (SELECT value FROM json_each(?2)) ORDER BY change_seq"},
    [Q_ROWS_CELL] = {"reading a report's cell",
                     "SELECT coc, org_unit, num, updated_at_ms, created_at_ms, value, comment, "
                     "period FROM datavalues WHERE data_element = ?1 AND period = ?2 "
                     "AND org_unit >= ?3 AND org_unit < ?4 AND deleted = 0 ORDER BY org_unit, coc"},
    [Q_UNIT_VALUES] = {"counting a unit's values",
                       "SELECT count(*), coalesce(min(created_at_ms), 0) FROM datavalues "
                       "WHERE data_element IN (SELECT value FROM json_each(?1)) "
                       "AND period IN (SELECT value FROM json_each(?2)) AND org_unit = ?3 "
                       "AND deleted = 0"},
    [Q_WS_SUBTREE] = {"reading a subtree's approval states",
                      "SELECT org_unit, state FROM workflow_state WHERE dataset = ?1 "
                      "AND period = ?2 AND org_unit >= ?3 AND org_unit < ?4 ORDER BY org_unit"},

    [Q_META_VERSION] = {"reading the metadata version",
                        "SELECT version, digest, loaded_at_ms FROM metadata_version "
                        "ORDER BY version DESC LIMIT 1"},
    [Q_META_DEL] = {"clearing metadata", "DELETE FROM metadata_files"},
    [Q_META_INS] = {"storing a metadata file",
                    "INSERT INTO metadata_files(name, content, sha256) VALUES(?1, ?2, ?3)"},
    [Q_META_VER_INS] = {"recording the metadata version",
                        "INSERT INTO metadata_version(version, digest, loaded_at_ms) "
                        "VALUES(?1, ?2, ?3)"},
    [Q_META_FILES] = {"reading metadata files",
                      "SELECT name, content, sha256 FROM metadata_files ORDER BY name"},

    [Q_TREE_SIZE] = {"reading the transparency log's size",
                     "SELECT coalesce((max(id) >> 6) + 1, 0) FROM log_tree"},
    [Q_TREE_NODES] = {"counting the transparency log's nodes", "SELECT count(*) FROM log_tree"},
    [Q_TREE_LEAF_INS] = {"adding a leaf to the transparency log",
                         "INSERT INTO log_tree(id, hash, kind, log_index, entry) "
                         "VALUES(?1, ?2, ?3, ?4, ?5)"},
    [Q_TREE_LEAF_OF] = {"reading a batch's leaf",
                        "SELECT leaf FROM batch_log WHERE log_index = ?1"},
    [Q_TREE_NODE_GET] = {"reading a transparency log node",
                         "SELECT hash FROM log_tree WHERE id = ?1"},
    [Q_TREE_NODE_PUT] = {"storing a transparency log node",
                         "INSERT INTO log_tree(id, hash) VALUES(?1, ?2)"},
    [Q_TREE_ENTRY] = {"reading a transparency log entry",
                      "SELECT t.kind, t.entry, b.batch_hash, b.signature, b.received_at_ms "
                      "FROM log_tree AS t "
                      "LEFT JOIN batch_log AS b ON b.log_index = t.log_index WHERE t.id = ?1"},
};

/*
 * Schema version 1. datavalues is WITHOUT ROWID, clustered on its key, which leads with
 * element and period: a report reads its rows as contiguous ranges of the table itself.
 * Measured with bench (scripts/bench.sh, docs/BENCHMARKS.md): a rowid table with a UNIQUE key
 * applies updates about 15% faster in bench/store_bench (the change_seq index then holds
 * (seq, rowid) rather than the whole key), but every report row becomes a random lookup into
 * the table: the national report of a year of KK took 3 times as long (200 ms against 70 ms).
 * change_seq indexes serve pull.
 */
static const char schema_v1[] =
    "CREATE TABLE orgunits("
    " code TEXT PRIMARY KEY NOT NULL,"
    " name TEXT NOT NULL,"
    " level INTEGER NOT NULL CHECK(level BETWEEN 1 AND 3),"
    " parent TEXT REFERENCES orgunits(code)"
    ") WITHOUT ROWID;"
    "CREATE INDEX orgunits_parent ON orgunits(parent, code);"
    "INSERT INTO orgunits(code, name, level, parent) VALUES('ID', 'Indonesia', 1, NULL);"
    "CREATE TABLE keys("
    " key_id TEXT PRIMARY KEY NOT NULL,"
    " public_key BLOB NOT NULL UNIQUE CHECK(length(public_key) = 32),"
    " org_unit TEXT NOT NULL REFERENCES orgunits(code),"
    " role INTEGER NOT NULL,"
    " added_at_ms INTEGER NOT NULL,"
    " revoked_at_ms INTEGER"
    ");"
    "CREATE TABLE batch_log("
    " log_index INTEGER PRIMARY KEY,"
    " batch_hash BLOB NOT NULL UNIQUE CHECK(length(batch_hash) = 32),"
    " key_id TEXT NOT NULL REFERENCES keys(key_id),"
    " sequence INTEGER NOT NULL,"
    " org_unit TEXT NOT NULL,"
    " batch BLOB NOT NULL,"
    " signature BLOB NOT NULL,"
    " received_at_ms INTEGER NOT NULL,"
    " UNIQUE(key_id, sequence)"
    ");"
    "CREATE TABLE datavalues("
    " data_element TEXT NOT NULL,"
    " period TEXT NOT NULL,"
    " org_unit TEXT NOT NULL,"
    " coc TEXT NOT NULL,"
    " value TEXT NOT NULL,"
    " comment TEXT NOT NULL,"
    " revision INTEGER NOT NULL,"
    " deleted INTEGER NOT NULL,"
    " num REAL,"
    " origin_batch BLOB NOT NULL,"
    " created_at_ms INTEGER NOT NULL,"
    " updated_at_ms INTEGER NOT NULL,"
    " change_seq INTEGER NOT NULL,"
    " PRIMARY KEY(data_element, period, org_unit, coc)"
    ") WITHOUT ROWID;"
    "CREATE UNIQUE INDEX datavalues_seq ON datavalues(change_seq);"
    "CREATE TABLE completions("
    " dataset TEXT NOT NULL,"
    " period TEXT NOT NULL,"
    " org_unit TEXT NOT NULL,"
    " completed INTEGER NOT NULL,"
    " at_ms INTEGER NOT NULL,"
    " origin_batch BLOB NOT NULL,"
    " change_seq INTEGER NOT NULL,"
    " PRIMARY KEY(dataset, period, org_unit)"
    ") WITHOUT ROWID;"
    "CREATE UNIQUE INDEX completions_seq ON completions(change_seq);"
    "CREATE TABLE workflow_events("
    " id INTEGER PRIMARY KEY,"
    " dataset TEXT NOT NULL,"
    " period TEXT NOT NULL,"
    " org_unit TEXT NOT NULL,"
    " kind INTEGER NOT NULL,"
    " key_id TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL,"
    " reason TEXT NOT NULL,"
    " data_digest BLOB,"
    " origin_batch BLOB NOT NULL,"
    " change_seq INTEGER NOT NULL"
    ");"
    "CREATE INDEX workflow_events_key ON workflow_events(dataset, period, org_unit, id);"
    "CREATE UNIQUE INDEX workflow_events_seq ON workflow_events(change_seq);"
    "CREATE TABLE workflow_state("
    " dataset TEXT NOT NULL,"
    " period TEXT NOT NULL,"
    " org_unit TEXT NOT NULL,"
    " state INTEGER NOT NULL,"
    " updated_at_ms INTEGER NOT NULL,"
    " change_seq INTEGER NOT NULL,"
    " PRIMARY KEY(dataset, period, org_unit)"
    ") WITHOUT ROWID;"
    "CREATE UNIQUE INDEX workflow_state_seq ON workflow_state(change_seq);"
    "CREATE TABLE metadata_files("
    " name TEXT PRIMARY KEY NOT NULL,"
    " content BLOB NOT NULL,"
    " sha256 BLOB NOT NULL"
    ");"
    "CREATE TABLE metadata_version("
    " version INTEGER PRIMARY KEY,"
    " digest BLOB NOT NULL,"
    " loaded_at_ms INTEGER NOT NULL"
    ");"
    "CREATE TABLE store_state("
    " name TEXT PRIMARY KEY NOT NULL,"
    " value INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "INSERT INTO store_state(name, value) VALUES('change_seq', 0);";

/* The store's sentences are its own (the server's messages, unchanged); sqldb keeps the last
 * one with its connection. */
int gt__store_err(struct gt_store *st, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gt_sqldb_fail(st->sdb, code, "%s", msg);
}

int gt__store_sqlerr(struct gt_store *st, int rc, const char *what)
{
	int code = gt_err_from_sqlite(rc);

	if (code == 0)
		code = GT_ESTORE;
	return gt_sqldb_fail(st->sdb, code, "%s: %s", what,
	                     st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
}

const char *gt_store_errmsg(const struct gt_store *st)
{
	return gt_sqldb_errmsg(st != NULL ? st->sdb : NULL);
}

sqlite3_stmt *gt__store_q(struct gt_store *st, enum gt__store_sql id)
{
	return gt_sqldb_stmt(st->sdb, (int)id);
}

sqlite3_stmt *gt__store_q_bound(struct gt_store *st, enum gt__store_sql id)
{
	return gt_sqldb_stmt_bound(st->sdb, (int)id);
}

int gt__store_run(struct gt_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(s);
		return 0;
	}
	rc = gt__store_sqlerr(st, rc, what);
	sqlite3_reset(s);
	return rc;
}

static int load_seq(struct gt_store *st)
{
	sqlite3_stmt *s = gt__store_q(st, Q_SEQ_GET);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? gt__store_err(st, GT_ECORRUPT, "change counter missing")
		                       : gt__store_sqlerr(st, rc, "reading the change counter");
		sqlite3_reset(s);
		return rc;
	}
	st->change_seq = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* sqlite's progress callback: interrupts the statement once the deadline passed. */
static int past_deadline(void *arg)
{
	return mono_ms() >= *(const int64_t *)arg;
}

int gt_store_quick_check(struct gt_store *st, uint32_t max_ms, char *why, size_t why_len)
{
	int64_t deadline = mono_ms() + max_ms;
	sqlite3_stmt *s = NULL;
	int rc;

	snprintf(why, why_len, "ok");
	sqlite3_progress_handler(st->db, 1000, past_deadline, &deadline);
	rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(s, 0);
		snprintf(why, why_len, "%s", r != NULL ? r : "?");
		rc = r != NULL && strcmp(r, "ok") == 0 ? GT_OK : GT_ECORRUPT;
	} else if (rc == SQLITE_INTERRUPT) {
		snprintf(why, why_len, "the check did not finish within %u ms", (unsigned)max_ms);
		rc = GT_ETIMEDOUT;
	} else {
		snprintf(why, why_len, "%s", sqlite3_errmsg(st->db));
		rc = gt_err_from_sqlite(rc);
		if (rc == GT_OK)
			rc = GT_ESTORE;
	}
	sqlite3_finalize(s);
	sqlite3_progress_handler(st->db, 0, NULL, NULL);
	return rc;
}

int gt__store_admin_bump(struct gt_store *st)
{
	sqlite3_stmt *s = gt__store_q(st, Q_ADMIN_BUMP);

	if (s == NULL)
		return GT_ESTORE;
	return gt__store_run(st, s, "counting an admin change");
}

int gt_store_admin_seq(struct gt_store *st, uint64_t *seq)
{
	sqlite3_stmt *s = gt__store_q(st, Q_ADMIN_GET);
	int rc;

	*seq = 0;
	if (s == NULL)
		return GT_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*seq = (uint64_t)sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE
	         ? 0
	         : gt__store_sqlerr(st, rc, "reading the admin change counter");
	sqlite3_reset(s);
	return rc;
}

int gt__store_seq_save(struct gt_store *st)
{
	sqlite3_stmt *s = gt__store_q(st, Q_SEQ_SET);

	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)st->change_seq);
	return gt__store_run(st, s, "saving the change counter");
}

/* Transactions are sqldb's; the store adds its change counter (read at the start of a write,
 * saved with the writes that used it) and its own sentence for a read-only handle. */
int gt_store_begin(struct gt_store *st)
{
	int rc;

	if (st->readonly)
		return gt__store_err(st, GT_EPERM, "store opened read-only");
	rc = gt_sqldb_begin(st->sdb);
	if (rc == 0) {
		rc = load_seq(st);
		if (rc != 0)
			gt_sqldb_rollback(st->sdb);
	}
	return rc;
}

int gt_store_commit(struct gt_store *st)
{
	return gt_sqldb_commit(st->sdb);
}

int gt_store_rollback(struct gt_store *st)
{
	gt_sqldb_rollback(st->sdb);
	return gt_sqldb_in_tx(st->sdb) ? gt__store_err(st, GT_ESTORE, "rolling back failed") : 0;
}

int gt_store_scope_enter(struct gt_store *st, struct gt_store_scope *tx)
{
	struct gt_sqldb_scope sc;
	int rc;

	tx->own = !gt_sqldb_in_tx(st->sdb);
	tx->saved_seq = st->change_seq;
	if (tx->own) {
		rc = gt_store_begin(st);
		tx->saved_seq = st->change_seq;
		return rc;
	}
	if (st->readonly)
		return gt__store_err(st, GT_EPERM, "store opened read-only");
	return gt_sqldb_scope_enter(st->sdb, &sc);
}

int gt_store_scope_leave(struct gt_store *st, struct gt_store_scope *tx, int rc)
{
	struct gt_sqldb_scope sc = {.own = tx->own};

	/* The change counter is kept with the writes that used it. */
	if (rc == 0 && st->change_seq != tx->saved_seq)
		rc = gt__store_seq_save(st);
	if (rc == 0)
		return gt_sqldb_scope_leave(st->sdb, &sc, 0);
	st->change_seq = tx->saved_seq;
	return gt_sqldb_scope_leave(st->sdb, &sc, rc);
}

int gt__store_read_begin(struct gt_store *st, int *own)
{
	return gt_sqldb_read_begin(st->sdb, own);
}

void gt__store_read_end(struct gt_store *st, int own)
{
	gt_sqldb_read_end(st->sdb, own);
}

int gt__store_json_list(struct gt_store *st, int slot, const char *const *strs, size_t n,
                        const char **out)
{
	size_t need = 3, k = 0;
	char *p;

	*out = NULL;
	if (strs == NULL)
		return 0;
	if (n > GT_STORE_MAX_FILTER)
		return gt__store_err(st, GT_ETOOBIG, "more than %u codes in a filter",
		                     GT_STORE_MAX_FILTER);
	for (size_t i = 0; i < n; i++) {
		size_t len;

		if (strs[i] == NULL)
			return gt__store_err(st, GT_EINVAL, "NULL code in a filter");
		len = strnlen(strs[i], GT_MAX_CODE_LEN + 1);
		if (len > GT_MAX_CODE_LEN)
			return gt__store_err(st, GT_ETOOBIG, "code in a filter too long");
		need += 6 * len + 3; /* worst case: every byte escaped as \u00XX, quotes, comma */
	}
	if (need > st->json_cap[slot]) {
		p = realloc(st->json[slot], need);
		if (p == NULL)
			return gt__store_err(st, GT_ENOMEM, "out of memory");
		st->json[slot] = p;
		st->json_cap[slot] = need;
	}
	p = st->json[slot];
	p[k++] = '[';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			p[k++] = ',';
		p[k++] = '"';
		for (const unsigned char *c = (const unsigned char *)strs[i]; *c; c++) {
			if (*c < 0x20 || *c == '"' || *c == '\\') {
				snprintf(p + k, 7, "\\u%04x", *c);
				k += 6;
			} else {
				p[k++] = (char)*c;
			}
		}
		p[k++] = '"';
	}
	p[k++] = ']';
	p[k] = '\0';
	*out = p;
	return 0;
}

int gt__store_subtree(struct gt_store *st, const char *org_root, struct gt__store_subtree *t)
{
	size_t n;

	memset(t, 0, sizeof(*t));
	if (gt_orgunit_valid(org_root) != 0)
		return gt__store_err(st, GT_EINVAL, "not an org-unit code");
	if (strcmp(org_root, GT_ORGUNIT_ROOT) == 0)
		return 0;
	n = strlen(org_root);
	if (n + 2 > sizeof(t->lo))
		return gt__store_err(st, GT_EINVAL, "org-unit code too long");
	t->root = org_root;
	memcpy(t->lo, org_root, n);
	memcpy(t->hi, org_root, n);
	t->lo[n] = '.'; /* codes below "53" are "53.xx"; '/' follows '.' in ASCII */
	t->hi[n] = '/';
	return 0;
}

int gt__store_bind_subtree(sqlite3_stmt *s, int first, const struct gt__store_subtree *t)
{
	if (t->root == NULL)
		return sqlite3_bind_null(s, first);
	sqlite3_bind_text(s, first, t->root, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, first + 1, t->lo, -1, SQLITE_STATIC);
	return sqlite3_bind_text(s, first + 2, t->hi, -1, SQLITE_STATIC);
}

/* The migration to schema 6 builds the transparency log's tree over the existing log. */
static int build_tree(struct gt_sqldb *db, void *arg)
{
	(void)db;
	return gt__store_tree_build(arg);
}

/* Migration steps: migrations[v] takes the schema from version v to v + 1, inside the
 * transaction that also sets the new user_version (common/sqldb.c). */
static const struct gt_sqldb_migration migrations[] = {
    /* Version 0 to 1: the initial schema and the national root. */
    {"creating the schema", schema_v1, NULL},
    /* Version 1 to 2: each logged batch keeps the outcome of its first application (counts
     * and conflicts), so a duplicate is answered with what happened the first time. */
    {"adding batch outcomes", "ALTER TABLE batch_log ADD COLUMN outcome BLOB", NULL},
    /* Version 2 to 3: each org unit's legal time zone (enum gt_tz; 0 not recorded). */
    {"adding org-unit time zones",
     "ALTER TABLE orgunits ADD COLUMN time_zone INTEGER NOT NULL DEFAULT 0", NULL},
    /* Version 3 to 4: a late-entry opening keeps its last day, and a submit or approve the
     * warning rules it acknowledged, with the event. */
    {"adding late entry and acknowledged warnings to workflow events",
     "ALTER TABLE workflow_events ADD COLUMN open_until TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE workflow_events ADD COLUMN acknowledged TEXT NOT NULL DEFAULT '';",
     NULL},
    /* Version 4 to 5: a key holds a set of roles on its org unit (bits by Gtsync__V1__Role,
     * see common/roleset.h), remembers every role it ever held (the log it signed is
     * re-checked against those), and has a label for people. A key of one role keeps that
     * role. */
    {"adding role sets and labels to keys",
     "ALTER TABLE keys ADD COLUMN roles INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE keys ADD COLUMN roles_held INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE keys ADD COLUMN label TEXT NOT NULL DEFAULT '';"
     "UPDATE keys SET roles = 1 << role, roles_held = 1 << role WHERE role BETWEEN 1 AND 5;",
     NULL},
    /* Version 5 to 6: the transparency log (issue 14). log_tree keeps the hash of every
     * complete subtree of the Merkle tree in one table, in the order appending creates them:
     * the nodes the append of leaf i closes have ids i * 64 + level (level 0 the leaf itself),
     * so an append writes at the table's end and a node is one primary-key read. A leaf's row
     * also says what it logs: a batch by its log_index (its entry is computed from the log),
     * any other entry by its bytes. batch_log.leaf is a batch's leaf. The tree is built over
     * the existing log, in order. */
    {"adding the transparency log",
     "ALTER TABLE batch_log ADD COLUMN leaf INTEGER;"
     "CREATE TABLE log_tree("
     " id INTEGER PRIMARY KEY,"
     " hash BLOB NOT NULL,"
     " kind INTEGER,"
     " log_index INTEGER,"
     " entry BLOB"
     ");",
     build_tree},
    /* The read log (issue 14): each report, pull and export served, with the key, its scope
     * and the time, so that reads of consolidated data are attributable; kept for a
     * configured number of days (server/store_reads.c). Its own step, whatever number it
     * takes in the sequence. */
    {"adding the read log",
     "CREATE TABLE read_log("
     " id INTEGER PRIMARY KEY,"
     " at_ms INTEGER NOT NULL,"
     " key_id TEXT NOT NULL,"
     " key_org TEXT NOT NULL,"
     " roles INTEGER NOT NULL,"
     " kind TEXT NOT NULL,"
     " org_unit TEXT NOT NULL,"
     " dataset TEXT NOT NULL,"
     " period TEXT NOT NULL,"
     " items INTEGER NOT NULL);"
     "CREATE INDEX read_log_at ON read_log(at_ms);",
     NULL},
    /* Version 7 to 8: the workflow events of a kind (the nil reports and late-entry openings
     * a report looks up), found without stepping over the events of other kinds. */
    {"adding the index of workflow events by kind",
     "CREATE INDEX IF NOT EXISTS workflow_events_kind ON workflow_events(dataset, kind, period, "
     "org_unit);",
     NULL},
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == GT_STORE_SCHEMA_VERSION,
               "one migration per schema version");

/* Called by sqldb once the connection is configured, before the schema check: the handle
 * takes the connection, so the migrations (build_tree) can use the store's statements. */
static int attach(struct gt_sqldb *db, void *arg)
{
	struct gt_store *st = arg;

	st->sdb = db;
	st->db = gt_sqldb_handle(db);
	return 0;
}

/*
 * Opens the store's connection through sqldb, with the decisions that keep the server's
 * behaviour (issue 16): a file holding another program's tables is GT_EINVAL (not sqldb's
 * GT_ECORRUPT); a file this open created is kept when a later step fails (GT_SQLDB_KEEP_NEW);
 * the pragmas the server adds to the project's (temp_store, cache_size) are the store's own
 * list, which a store may extend.
 */
static int open_store(const char *path, unsigned flags, struct gt_store **out)
{
	struct gt_sqldb_config cfg = {
	    .path = path,
	    .flags = flags | GT_SQLDB_KEEP_NEW,
	    .what = "gtsync store",
	    .file_mode = 0600,
	    .busy_ms = GT_STORE_BUSY_TIMEOUT_MS,
	    .pragmas = "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384;",
	    .stmts = stmts,
	    .n_stmts = Q_COUNT,
	    .migrations = migrations,
	    .n_migrations = GT_STORE_SCHEMA_VERSION,
	    .on_open = attach,
	    .foreign_code = GT_EINVAL,
	};
	struct gt_store *st;
	struct gt_sqldb *db = NULL;
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return GT_ENOMEM;
	st->readonly = (flags & GT_SQLDB_READONLY) != 0;
	cfg.arg = st;
	rc = gt_sqldb_open(&cfg, &db, NULL, 0);
	if (rc != 0) {
		/* sqldb closed the connection the handle took. */
		st->sdb = NULL;
		st->db = NULL;
		gt_store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

int gt_store_open(const char *path, int create, struct gt_store **out)
{
	int rc;

	*out = NULL;
	if (path == NULL)
		return GT_EINVAL;
	/* A new store is created private before sqlite opens it (its -wal and -shm files take
	 * its mode), whatever the umask and the directory's mode (issue 10, item 10). */
	rc = open_store(path, create ? GT_SQLDB_CREATE : 0, out);
	if (rc == 0 && (rc = load_seq(*out)) != 0) {
		gt_store_close(*out);
		*out = NULL;
	}
	return rc;
}

int gt_store_open_readonly(const char *path, struct gt_store **out)
{
	*out = NULL;
	if (path == NULL)
		return GT_EINVAL;
	return open_store(path, GT_SQLDB_READONLY, out);
}

int gt__store_open_memory(struct gt_store **out)
{
	return open_store(NULL, GT_SQLDB_MEMORY, out);
}

void gt_store_close(struct gt_store *st)
{
	if (st == NULL)
		return;
	gt_sqldb_close(st->sdb);
	gt_key_free(st->signer_owned);
	if (st->attached_free != NULL)
		st->attached_free(st->attached);
	free(st->copy);
	free(st->json[0]);
	free(st->json[1]);
	free(st);
}

int gt_store_change_seq(struct gt_store *st, uint64_t *seq)
{
	int own, rc;

	*seq = 0;
	if (gt_sqldb_in_tx(st->sdb) && !st->readonly) {
		*seq = st->change_seq;
		return 0;
	}
	rc = gt__store_read_begin(st, &own);
	if (rc == 0)
		rc = load_seq(st);
	if (rc == 0)
		*seq = st->change_seq;
	gt__store_read_end(st, own);
	return rc;
}

/* ---- Metadata ---------------------------------------------------------------------------- */

/* Refuses a set of metadata files that is too large, has a file without a name or too large,
 * or names a file twice. */
static int check_metafiles(struct gt_store *st, const struct gt_store_metafile *files, size_t n)
{
	if (files == NULL && n > 0)
		return gt__store_err(st, GT_EINVAL, "no metadata given");
	if (n > GT_STORE_MAX_META_FILES)
		return gt__store_err(st, GT_ETOOBIG, "more than %u metadata files",
		                     GT_STORE_MAX_META_FILES);
	for (size_t i = 0; i < n; i++) {
		if (files[i].name == NULL || files[i].name[0] == '\0' ||
		    (files[i].content == NULL && files[i].len > 0))
			return gt__store_err(st, GT_EINVAL, "metadata file without a name");
		if (files[i].len > GT_STORE_MAX_META_FILE)
			return gt__store_err(st, GT_ETOOBIG, "metadata file %s too large",
			                     files[i].name);
		for (size_t k = 0; k < i; k++)
			if (strcmp(files[k].name, files[i].name) == 0)
				return gt__store_err(st, GT_EINVAL, "metadata file %s given twice",
				                     files[i].name);
	}
	return 0;
}

/* Replaces the stored metadata files with files[0..n), each with its digest (inside the
 * caller's scope). */
static int write_metafiles(struct gt_store *st, const struct gt_store_metafile *files, size_t n)
{
	sqlite3_stmt *s = gt__store_q(st, Q_META_DEL);
	int rc = s == NULL ? GT_ESTORE : gt__store_run(st, s, "clearing metadata");

	for (size_t i = 0; i < n && rc == 0; i++) {
		uint8_t sum[GT_SHA256_LEN];

		rc = gt_crypto_sha256(files[i].content, files[i].len, sum);
		if (rc != 0) {
			gt__store_err(st, rc, "hashing metadata");
			break;
		}
		s = gt__store_q(st, Q_META_INS);
		if (s == NULL) {
			rc = GT_ESTORE;
			break;
		}
		sqlite3_bind_text(s, 1, files[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_blob64(s, 2, files[i].len > 0 ? (const void *)files[i].content : "",
		                    files[i].len, SQLITE_STATIC);
		sqlite3_bind_blob(s, 3, sum, sizeof(sum), SQLITE_TRANSIENT);
		rc = gt__store_run(st, s, "storing a metadata file");
	}
	return rc;
}

int gt_store_metadata_put(struct gt_store *st, const struct gt_store_metafile *files, size_t n,
                          const uint8_t digest[GT_SHA256_LEN], int64_t now_ms, uint64_t *version)
{
	struct gt_store_scope tx;
	sqlite3_stmt *s;
	uint64_t v = 0;
	int rc;

	*version = 0;
	if (digest == NULL)
		return gt__store_err(st, GT_EINVAL, "no metadata given");
	if ((rc = check_metafiles(st, files, n)) != 0)
		return rc;
	rc = gt_store_scope_enter(st, &tx);
	if (rc != 0)
		return rc;
	s = gt__store_q(st, Q_META_VERSION);
	if (s == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		v = (uint64_t)sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE
	         ? 0
	         : gt__store_sqlerr(st, rc, "reading the version");
	sqlite3_reset(s);
	if (rc != 0)
		goto out;
	if ((rc = write_metafiles(st, files, n)) != 0)
		goto out;
	s = gt__store_q(st, Q_META_VER_INS);
	if (s == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	v++;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)v);
	sqlite3_bind_blob(s, 2, digest, GT_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now_ms);
	rc = gt__store_run(st, s, "recording the metadata version");
	if (rc == 0)
		rc = gt__store_admin_bump(st);
out:
	rc = gt_store_scope_leave(st, &tx, rc);
	if (rc == 0)
		*version = v;
	return rc;
}

void gt_store_metadata_free(struct gt_store_metadata *md)
{
	if (md == NULL)
		return;
	for (size_t i = 0; i < md->n_files; i++) {
		free((char *)md->files[i].name);
		free((uint8_t *)md->files[i].content);
	}
	free(md->files);
	memset(md, 0, sizeof(*md));
}

static int read_files(struct gt_store *st, struct gt_store_metadata *md)
{
	sqlite3_stmt *s = gt__store_q(st, Q_META_FILES);
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gt_store_metafile *f;
		const void *blob = sqlite3_column_blob(s, 1);
		size_t len = (size_t)sqlite3_column_bytes(s, 1);
		const unsigned char *name = sqlite3_column_text(s, 0);
		uint8_t *content;
		char *dup;

		if (GT_VEC_RESERVE(md->files, cap, md->n_files + 1) != GT_OK) {
			rc = GT_ENOMEM;
			goto out;
		}
		content = malloc(len > 0 ? len : 1);
		dup = name != NULL ? strdup((const char *)name) : NULL;
		if (content == NULL || dup == NULL) {
			free(content);
			free(dup);
			rc = GT_ENOMEM;
			goto out;
		}
		if (len > 0)
			memcpy(content, blob, len);
		f = &md->files[md->n_files++];
		f->name = dup;
		f->content = content;
		f->len = len;
		if (sqlite3_column_bytes(s, 2) == GT_SHA256_LEN)
			memcpy(f->sha256, sqlite3_column_blob(s, 2), GT_SHA256_LEN);
		else
			memset(f->sha256, 0, GT_SHA256_LEN);
	}
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading metadata files");
out:
	if (rc == GT_ENOMEM)
		gt__store_err(st, rc, "out of memory");
	sqlite3_reset(s);
	return rc;
}

int gt_store_metadata_get(struct gt_store *st, struct gt_store_metadata *out)
{
	sqlite3_stmt *s;
	int own, rc;

	memset(out, 0, sizeof(*out));
	rc = gt__store_read_begin(st, &own);
	if (rc != 0)
		return rc;
	s = gt__store_q(st, Q_META_VERSION);
	if (s == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->version = (uint64_t)sqlite3_column_int64(s, 0);
		if (sqlite3_column_bytes(s, 1) == GT_SHA256_LEN)
			memcpy(out->digest, sqlite3_column_blob(s, 1), GT_SHA256_LEN);
		out->loaded_at_ms = sqlite3_column_int64(s, 2);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading the version");
	}
	sqlite3_reset(s);
	if (rc == 0 && out->version > 0)
		rc = read_files(st, out);
out:
	gt__store_read_end(st, own);
	if (rc != 0)
		gt_store_metadata_free(out);
	return rc;
}

int gt__store_count(struct gt_store *st, int q, const char *what, uint64_t *out)
{
	sqlite3_stmt *s = gt__store_q(st, q);
	int rc;

	*out = 0;
	if (s == NULL)
		return GT_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = (uint64_t)sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = gt__store_sqlerr(st, rc, what);
	}
	sqlite3_reset(s);
	return rc;
}
