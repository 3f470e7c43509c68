/* The client's local store (client.db, sqlite): settings, metadata, outbox, batches, replica. */
#include "cstore.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "error.h"

/* The schema version this module reads and writes; a store of version 1 or 2 is upgraded. */
#define CSTORE_SCHEMA 3
/* How long a writer waits for another gtsync process holding the store. */
#define CSTORE_BUSY_MS 10000

static const char *const schema_sql =
    "CREATE TABLE config(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE meta_file(name TEXT PRIMARY KEY, content BLOB NOT NULL, sha256 BLOB);"
    "CREATE TABLE orgunit(code TEXT PRIMARY KEY, name TEXT NOT NULL, level INTEGER NOT NULL,"
    " parent TEXT NOT NULL);"
    "CREATE TABLE outbox(id INTEGER PRIMARY KEY, de TEXT NOT NULL, period TEXT NOT NULL,"
    " ou TEXT NOT NULL, coc TEXT NOT NULL, value TEXT NOT NULL, comment TEXT NOT NULL,"
    " dataset TEXT NOT NULL, deleted INTEGER NOT NULL, revision INTEGER NOT NULL,"
    " state INTEGER NOT NULL, batch_seq INTEGER, batch_pos INTEGER,"
    " queued_at_ms INTEGER NOT NULL, reason INTEGER NOT NULL DEFAULT 0,"
    " message TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX outbox_state ON outbox(state, id);"
    "CREATE INDEX outbox_key ON outbox(de, period, ou, coc, id);"
    "CREATE INDEX outbox_batch ON outbox(batch_seq, batch_pos);"
    "CREATE TABLE batch(seq INTEGER PRIMARY KEY, batch_id BLOB NOT NULL, bytes BLOB NOT NULL,"
    " signature BLOB NOT NULL, n_values INTEGER NOT NULL, created_at_ms INTEGER NOT NULL,"
    " state INTEGER NOT NULL, status INTEGER NOT NULL DEFAULT 0,"
    " refuse_code INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',"
    " tries INTEGER NOT NULL DEFAULT 0, done_at_ms INTEGER, log_index INTEGER,"
    " imported INTEGER, updated INTEGER, ignored INTEGER, deleted INTEGER);"
    "CREATE INDEX batch_state ON batch(state, seq);"
    "CREATE TABLE replica(de TEXT NOT NULL, period TEXT NOT NULL, ou TEXT NOT NULL,"
    " coc TEXT NOT NULL, value TEXT NOT NULL, comment TEXT NOT NULL,"
    " revision INTEGER NOT NULL, deleted INTEGER NOT NULL, origin_batch BLOB,"
    " updated_at_ms INTEGER NOT NULL, change_seq INTEGER NOT NULL,"
    " PRIMARY KEY(de, period, ou, coc));"
    "CREATE INDEX replica_ou ON replica(ou);"
    "CREATE TABLE replica_state(dataset TEXT NOT NULL, period TEXT NOT NULL, ou TEXT NOT NULL,"
    " state INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL, change_seq INTEGER NOT NULL,"
    " PRIMARY KEY(dataset, period, ou));"
    "CREATE TABLE pull_cursor(org TEXT PRIMARY KEY, cursor INTEGER NOT NULL);";

/* Version 2: workflow actions in the outbox, and their count per batch. */
static const char *const schema_v2_sql =
    "ALTER TABLE batch ADD COLUMN n_actions INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE action(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, dataset TEXT NOT NULL,"
    " period TEXT NOT NULL, ou TEXT NOT NULL, reason TEXT NOT NULL, digest BLOB,"
    " n_digested INTEGER NOT NULL DEFAULT 0, state INTEGER NOT NULL, batch_seq INTEGER,"
    " batch_pos INTEGER, queued_at_ms INTEGER NOT NULL, status INTEGER NOT NULL DEFAULT 0,"
    " conflict INTEGER NOT NULL DEFAULT 0, code INTEGER NOT NULL DEFAULT 0,"
    " message TEXT NOT NULL DEFAULT '', done_at_ms INTEGER);"
    "CREATE INDEX action_state ON action(state, id);"
    "CREATE INDEX action_batch ON action(batch_seq, batch_pos);";

/* Version 3: a late-entry opening's last day, and the warning rules an action acknowledges
 * (codes joined by ","). */
static const char *const schema_v3_sql =
    "ALTER TABLE action ADD COLUMN open_until TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE action ADD COLUMN acknowledged TEXT NOT NULL DEFAULT '';";

enum q {
	Q_CFG_GET,
	Q_CFG_SET,
	Q_MF_DEL,
	Q_MF_INS,
	Q_MF_ALL,
	Q_OU_DEL,
	Q_OU_INS,
	Q_OU_GET,
	Q_OU_COUNT,
	Q_KEY_LATEST,
	Q_KEY_MAXREV,
	Q_KEY_NUMBER,
	Q_R_NUMBER,
	Q_OB_UPDATE,
	Q_OB_INSERT,
	Q_OB_QUEUED,
	Q_OB_BATCH,
	Q_SEQ_MAX,
	Q_B_INS,
	Q_B_PENDING,
	Q_B_ACK,
	Q_OB_ACK,
	Q_OB_CONFLICT,
	Q_B_RETRY,
	Q_B_REFUSE,
	Q_OB_REQUEUE,
	Q_OB_REFUSE,
	Q_UNSENT,
	Q_CUR_GET,
	Q_CUR_SET,
	Q_R_UPSERT,
	Q_RS_UPSERT,
	Q_R_ALL,
	Q_ST_VALUES,
	Q_ST_BATCHES,
	Q_ST_REPLICA,
	Q_PROBLEMS,
	Q_R_UNITS,
	Q_A_INSERT,
	Q_A_QUEUED,
	Q_A_BATCH,
	Q_A_ACK,
	Q_A_CONFLICT,
	Q_A_REQUEUE,
	Q_A_REFUSE,
	Q_A_GET,
	Q_A_RECENT,
	Q_ST_ACTIONS,
	Q_N
};

/* The columns read_action() reads, in its order. */
#define ACTION_COLS                                                                                \
	"id, kind, dataset, period, ou, reason, digest, n_digested, state, status, conflict,"      \
	" code, message, coalesce(batch_seq, 0), open_until, acknowledged"

static const char *const sqls[Q_N] = {
    [Q_CFG_GET] = "SELECT value FROM config WHERE name=?1",
    [Q_CFG_SET] = "INSERT INTO config(name, value) VALUES(?1, ?2)"
                  " ON CONFLICT(name) DO UPDATE SET value=excluded.value",
    [Q_MF_DEL] = "DELETE FROM meta_file",
    [Q_MF_INS] = "INSERT INTO meta_file(name, content, sha256) VALUES(?1, ?2, ?3)",
    [Q_MF_ALL] = "SELECT name, content FROM meta_file ORDER BY name",
    [Q_OU_DEL] = "DELETE FROM orgunit",
    [Q_OU_INS] = "INSERT OR REPLACE INTO orgunit(code, name, level, parent) VALUES(?1,?2,?3,?4)",
    [Q_OU_GET] = "SELECT code, name, level, parent FROM orgunit WHERE code=?1",
    [Q_OU_COUNT] = "SELECT count(*) FROM orgunit",
    [Q_KEY_LATEST] = "SELECT id, state, value, comment, dataset, deleted FROM outbox"
                     " WHERE de=?1 AND period=?2 AND ou=?3 AND coc=?4 ORDER BY id DESC LIMIT 1",
    [Q_KEY_MAXREV] = "SELECT max(r) FROM (SELECT max(revision) AS r FROM outbox WHERE de=?1 AND"
                     " period=?2 AND ou=?3 AND coc=?4 UNION ALL SELECT revision FROM replica"
                     " WHERE de=?1 AND period=?2 AND ou=?3 AND coc=?4)",
    [Q_KEY_NUMBER] = "SELECT value, deleted FROM outbox WHERE de=?1 AND period=?2 AND ou=?3 AND"
                     " coc=?4 AND state IN (0, 1, 2) ORDER BY id DESC LIMIT 1",
    [Q_R_NUMBER] = "SELECT value, deleted FROM replica WHERE de=?1 AND period=?2 AND ou=?3 AND"
                   " coc=?4",
    [Q_OB_UPDATE] = "UPDATE outbox SET value=?2, comment=?3, dataset=?4, deleted=?5,"
                    " revision=?6, queued_at_ms=?7, source=?8 WHERE id=?1",
    [Q_OB_INSERT] = "INSERT INTO outbox(de, period, ou, coc, value, comment, dataset, deleted,"
                    " revision, state, queued_at_ms, source)"
                    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,0,?10,?11)",
    [Q_OB_QUEUED] = "SELECT id, de, period, ou, coc, value, comment, dataset, revision, deleted"
                    " FROM outbox WHERE state=0 ORDER BY id LIMIT ?1",
    [Q_OB_BATCH] = "UPDATE outbox SET state=1, batch_seq=?2, batch_pos=?3 WHERE id=?1 AND"
                   " state=0",
    [Q_SEQ_MAX] = "SELECT max(seq) FROM batch",
    [Q_B_INS] = "INSERT INTO batch(seq, batch_id, bytes, signature, n_values, created_at_ms,"
                " state, n_actions) VALUES(?1,?2,?3,?4,?5,?6,0,?7)",
    [Q_B_PENDING] = "SELECT seq, batch_id, bytes, signature, n_values, tries, n_actions"
                    " FROM batch WHERE state=0 ORDER BY seq",
    [Q_B_ACK] = "UPDATE batch SET state=1, status=?2, message=?3, done_at_ms=?4, log_index=?5,"
                " imported=?6, updated=?7, ignored=?8, deleted=?9, tries=tries+1"
                " WHERE seq=?1 AND state=0",
    [Q_OB_ACK] = "UPDATE outbox SET state=2 WHERE batch_seq=?1 AND state=1",
    [Q_OB_CONFLICT] = "UPDATE outbox SET state=3, reason=?3, message=?4 WHERE batch_seq=?1 AND"
                      " batch_pos=?2",
    [Q_B_RETRY] = "UPDATE batch SET tries=tries+1, refuse_code=?2, message=?3 WHERE seq=?1 AND"
                  " state=0",
    [Q_B_REFUSE] = "UPDATE batch SET state=2, status=4, refuse_code=?2, message=?3,"
                   " done_at_ms=?4, tries=tries+1 WHERE seq=?1 AND state=0",
    [Q_OB_REQUEUE] = "UPDATE outbox SET state=0, batch_seq=NULL, batch_pos=NULL"
                     " WHERE batch_seq=?1 AND state=1",
    [Q_OB_REFUSE] = "UPDATE outbox SET state=4, reason=?2, message=?3 WHERE batch_seq=?1 AND"
                    " state=1",
    [Q_UNSENT] = "SELECT count(*) FROM outbox WHERE state IN (0, 1)",
    [Q_CUR_GET] = "SELECT cursor FROM pull_cursor WHERE org=?1",
    [Q_CUR_SET] = "INSERT INTO pull_cursor(org, cursor) VALUES(?1, ?2)"
                  " ON CONFLICT(org) DO UPDATE SET cursor=excluded.cursor",
    [Q_R_UPSERT] = "INSERT INTO replica(de, period, ou, coc, value, comment, revision, deleted,"
                   " origin_batch, updated_at_ms, change_seq) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,"
                   "?9,?10,?11) ON CONFLICT(de, period, ou, coc) DO UPDATE SET"
                   " value=excluded.value, comment=excluded.comment,"
                   " revision=excluded.revision, deleted=excluded.deleted,"
                   " origin_batch=excluded.origin_batch, updated_at_ms=excluded.updated_at_ms,"
                   " change_seq=excluded.change_seq",
    [Q_RS_UPSERT] = "INSERT INTO replica_state(dataset, period, ou, state, updated_at_ms,"
                    " change_seq) VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(dataset, period, ou)"
                    " DO UPDATE SET state=excluded.state, updated_at_ms=excluded.updated_at_ms,"
                    " change_seq=excluded.change_seq",
    [Q_R_ALL] = "SELECT de, period, ou, coc, value, comment, revision, deleted, change_seq"
                " FROM replica ORDER BY de, period, ou, coc",
    [Q_ST_VALUES] = "SELECT state, count(*) FROM outbox GROUP BY state",
    [Q_ST_BATCHES] = "SELECT state, count(*) FROM batch GROUP BY state",
    [Q_ST_REPLICA] = "SELECT count(*), count(DISTINCT ou) FROM replica",
    [Q_PROBLEMS] = "SELECT state, reason, message, de, period, ou, coc, value, source,"
                   " coalesce(batch_seq, 0) FROM outbox o WHERE state IN (3, 4) AND NOT EXISTS"
                   " (SELECT 1 FROM outbox n WHERE n.de=o.de AND n.period=o.period AND"
                   " n.ou=o.ou AND n.coc=o.coc AND n.id>o.id AND n.state IN (0, 1, 2))"
                   " ORDER BY state, reason, id",
    [Q_R_UNITS] = "SELECT ou, count(*) FROM replica GROUP BY ou ORDER BY ou",
    [Q_A_INSERT] = "INSERT INTO action(kind, dataset, period, ou, reason, digest, n_digested,"
                   " state, queued_at_ms, open_until, acknowledged)"
                   " VALUES(?1,?2,?3,?4,?5,?6,?7,0,?8,?9,?10)",
    [Q_A_QUEUED] = "SELECT " ACTION_COLS " FROM action WHERE state=0 ORDER BY id LIMIT ?1",
    [Q_A_BATCH] = "UPDATE action SET state=1, batch_seq=?2, batch_pos=?3 WHERE id=?1 AND"
                  " state=0",
    [Q_A_ACK] = "UPDATE action SET state=2, status=?2, message=?3, done_at_ms=?4"
                " WHERE batch_seq=?1 AND state=1",
    [Q_A_CONFLICT] = "UPDATE action SET state=3, conflict=?3, message=?4 WHERE batch_seq=?1"
                     " AND batch_pos=?2 AND state=2",
    [Q_A_REQUEUE] = "UPDATE action SET state=0, batch_seq=NULL, batch_pos=NULL"
                    " WHERE batch_seq=?1 AND state=1",
    [Q_A_REFUSE] = "UPDATE action SET state=4, code=?2, message=?3, done_at_ms=?4"
                   " WHERE batch_seq=?1 AND state=1",
    [Q_A_GET] = "SELECT " ACTION_COLS " FROM action WHERE id=?1",
    [Q_A_RECENT] = "SELECT * FROM (SELECT " ACTION_COLS " FROM action ORDER BY id DESC"
                   " LIMIT ?1) ORDER BY id",
    [Q_ST_ACTIONS] = "SELECT state, count(*) FROM action GROUP BY state",
};

struct gt_cstore {
	sqlite3 *db;
	sqlite3_stmt *stmt[Q_N];
	int in_tx; /* a caller's transaction is open */
	char errmsg[512];
};

static int fail(struct gt_cstore *st, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct gt_cstore *st, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->errmsg, sizeof(st->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

/* Translates an sqlite failure, keeping sqlite's explanation. */
static int sqlfail(struct gt_cstore *st, int src, const char *what)
{
	int rc = gt_err_from_sqlite(src);
	if (rc == GT_OK)
		rc = GT_ESTORE;
	if (src == SQLITE_FULL)
		return fail(st, GT_ENOSPC, "%s: the disk is full", what);
	if (src == SQLITE_READONLY || (src & 0xff) == SQLITE_READONLY)
		return fail(st, rc, "%s: the store is read-only (%s)", what,
		            sqlite3_errmsg(st->db));
	return fail(st, rc, "%s: %s", what, sqlite3_errmsg(st->db));
}

const char *gt_cstore_errmsg(const struct gt_cstore *st)
{
	return st->errmsg;
}

static sqlite3_stmt *q(struct gt_cstore *st, enum q id)
{
	int rc;

	if (st->stmt[id] != NULL)
		return st->stmt[id];
	rc = sqlite3_prepare_v2(st->db, sqls[id], -1, &st->stmt[id], NULL);
	if (rc != SQLITE_OK) {
		sqlfail(st, rc, "preparing a query");
		st->stmt[id] = NULL;
	}
	return st->stmt[id];
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_STATIC);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

/* Steps a statement that returns no rows, then resets it. */
static int run(struct gt_cstore *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return sqlfail(st, rc, what);
	return GT_OK;
}

static int exec(struct gt_cstore *st, const char *sql, const char *what)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? GT_OK : sqlfail(st, rc, what);
}

/* ---- Transactions ---- */

/* Opens an internal transaction unless the caller has one. *own says which. */
static int tx_enter(struct gt_cstore *st, int *own)
{
	int rc;

	*own = 0;
	if (st->in_tx)
		return GT_OK;
	rc = exec(st, "BEGIN IMMEDIATE", "starting a transaction");
	if (rc == GT_OK)
		*own = 1;
	return rc;
}

static int tx_leave(struct gt_cstore *st, int own, int rc)
{
	if (!own)
		return rc;
	if (rc == GT_OK) {
		rc = exec(st, "COMMIT", "committing");
		if (rc != GT_OK)
			(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int gt_cstore_begin(struct gt_cstore *st)
{
	int rc;

	if (st->in_tx)
		return fail(st, GT_ESTATE, "a transaction is already open");
	rc = exec(st, "BEGIN IMMEDIATE", "starting a transaction");
	if (rc == GT_OK)
		st->in_tx = 1;
	return rc;
}

int gt_cstore_commit(struct gt_cstore *st)
{
	int rc;

	if (!st->in_tx)
		return fail(st, GT_ESTATE, "no transaction is open");
	rc = exec(st, "COMMIT", "committing");
	if (rc != GT_OK)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
	return rc;
}

void gt_cstore_rollback(struct gt_cstore *st)
{
	if (st == NULL || !st->in_tx)
		return;
	(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

/* ---- Opening ---- */

static int open_db(const char *path, int create, struct gt_cstore **out)
{
	struct gt_cstore *st;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return GT_ENOMEM;
	rc = sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = gt_err_from_sqlite(rc);
		sqlite3_close(st->db);
		free(st);
		return rc ? rc : GT_ESTORE;
	}
	sqlite3_busy_timeout(st->db, CSTORE_BUSY_MS);
	sqlite3_extended_result_codes(st->db, 1);
	*out = st;
	return GT_OK;
}

static int set_pragmas(struct gt_cstore *st)
{
	int rc = exec(st, "PRAGMA journal_mode=WAL", "setting the journal mode");
	if (rc == GT_OK)
		rc = exec(st, "PRAGMA synchronous=FULL", "setting the sync mode");
	if (rc == GT_OK)
		rc = exec(st, "PRAGMA foreign_keys=ON", "setting foreign keys");
	return rc;
}

int gt_cstore_create(const char *path, struct gt_cstore **out)
{
	struct gt_cstore *st = NULL;
	char ver[32];
	int rc;

	*out = NULL;
	if (access(path, F_OK) == 0)
		return GT_EEXIST;
	rc = open_db(path, 1, &st);
	if (rc != GT_OK)
		return rc;
	(void)chmod(path, 0600);
	rc = set_pragmas(st);
	if (rc == GT_OK)
		rc = exec(st, "BEGIN IMMEDIATE", "starting a transaction");
	if (rc == GT_OK)
		rc = exec(st, schema_sql, "creating the tables");
	if (rc == GT_OK)
		rc = exec(st, schema_v2_sql, "creating the tables");
	if (rc == GT_OK)
		rc = exec(st, schema_v3_sql, "creating the tables");
	snprintf(ver, sizeof(ver), "PRAGMA user_version=%d", CSTORE_SCHEMA);
	if (rc == GT_OK)
		rc = exec(st, ver, "setting the schema version");
	if (rc == GT_OK)
		rc = exec(st, "COMMIT", "committing the new store");
	if (rc != GT_OK) {
		gt_cstore_close(st);
		(void)unlink(path);
		return rc;
	}
	*out = st;
	return GT_OK;
}

/* Upgrades a version 1 store (values only) or 2 (workflow actions) to version 3 (late entry,
 * acknowledged warnings) in one transaction. */
static int upgrade(struct gt_cstore *st, int from)
{
	char ver[32];
	int rc = exec(st, "BEGIN IMMEDIATE", "starting the upgrade of the store");

	snprintf(ver, sizeof(ver), "PRAGMA user_version=%d", CSTORE_SCHEMA);
	if (rc == GT_OK && from < 2)
		rc = exec(st, schema_v2_sql, "upgrading the store");
	if (rc == GT_OK)
		rc = exec(st, schema_v3_sql, "upgrading the store");
	if (rc == GT_OK)
		rc = exec(st, ver, "setting the schema version");
	if (rc == GT_OK)
		rc = exec(st, "COMMIT", "committing the upgrade");
	if (rc != GT_OK)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int gt_cstore_open(const char *path, struct gt_cstore **out)
{
	struct gt_cstore *st = NULL;
	sqlite3_stmt *s = NULL;
	int rc, ver = -1;

	*out = NULL;
	if (access(path, F_OK) != 0)
		return GT_ENOENT;
	rc = open_db(path, 0, &st);
	if (rc != GT_OK)
		return rc;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		ver = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (ver != CSTORE_SCHEMA && ver != 1 && ver != 2) {
		gt_cstore_close(st);
		return GT_ECORRUPT;
	}
	/* A read-only store still opens, so status can be shown; writes then fail cleanly. */
	(void)set_pragmas(st);
	if (ver != CSTORE_SCHEMA && (rc = upgrade(st, ver)) != GT_OK) {
		gt_cstore_close(st);
		return rc;
	}
	*out = st;
	return GT_OK;
}

void gt_cstore_close(struct gt_cstore *st)
{
	if (st == NULL)
		return;
	gt_cstore_rollback(st);
	for (int i = 0; i < Q_N; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
}

/* ---- Settings ---- */

int gt_cstore_config_get(struct gt_cstore *st, const char *name, char *buf, size_t len)
{
	sqlite3_stmt *s = q(st, Q_CFG_GET);
	int rc;

	if (len > 0)
		buf[0] = '\0';
	if (s == NULL)
		return GT_ESTORE;
	bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *v = col_text(s, 0);
		if (strlen(v) >= len)
			rc = fail(st, GT_ETOOBIG, "setting %s is too long", name);
		else {
			memcpy(buf, v, strlen(v) + 1);
			rc = GT_OK;
		}
	} else if (rc == SQLITE_DONE) {
		rc = GT_ENOENT;
	} else {
		rc = sqlfail(st, rc, "reading a setting");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

int gt_cstore_config_get_u64(struct gt_cstore *st, const char *name, uint64_t *v)
{
	char buf[32], *end;
	int rc = gt_cstore_config_get(st, name, buf, sizeof(buf));

	*v = 0;
	if (rc == GT_ENOENT)
		return GT_OK;
	if (rc != GT_OK)
		return rc;
	*v = strtoull(buf, &end, 10);
	if (*end != '\0')
		return fail(st, GT_ECORRUPT, "setting %s is not a number", name);
	return GT_OK;
}

int gt_cstore_config_set(struct gt_cstore *st, const char *name, const char *value)
{
	sqlite3_stmt *s = q(st, Q_CFG_SET);

	if (s == NULL)
		return GT_ESTORE;
	bind_text(s, 1, name);
	bind_text(s, 2, value);
	return run(st, s, "writing a setting");
}

int gt_cstore_config_set_u64(struct gt_cstore *st, const char *name, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return gt_cstore_config_set(st, name, buf);
}

/* ---- Metadata ---- */

int gt_cstore_metadata_save(struct gt_cstore *st, const Gtsync__V1__MetadataReply *rep)
{
	sqlite3_stmt *s;
	int own, rc;

	rc = tx_enter(st, &own);
	if (rc != GT_OK)
		return rc;
	if (!rep->unchanged) {
		if ((s = q(st, Q_MF_DEL)) == NULL) {
			rc = GT_ESTORE;
			goto out;
		}
		if ((rc = run(st, s, "replacing the metadata")) != GT_OK)
			goto out;
		for (size_t i = 0; i < rep->n_files; i++) {
			const Gtsync__V1__MetadataFile *f = rep->files[i];
			if ((s = q(st, Q_MF_INS)) == NULL) {
				rc = GT_ESTORE;
				goto out;
			}
			bind_text(s, 1, f->name);
			sqlite3_bind_blob64(s, 2,
			                    f->content.data ? (const void *)f->content.data : "",
			                    f->content.len, SQLITE_STATIC);
			sqlite3_bind_blob64(s, 3,
			                    f->sha256.data ? (const void *)f->sha256.data : "",
			                    f->sha256.len, SQLITE_STATIC);
			if ((rc = run(st, s, "storing a metadata file")) != GT_OK)
				goto out;
		}
		if ((rc = gt_cstore_config_set_u64(st, GT_CSTORE_CFG_MD_VERSION, rep->version)) !=
		    GT_OK)
			goto out;
	}
	if ((s = q(st, Q_OU_DEL)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	if ((rc = run(st, s, "replacing the org units")) != GT_OK)
		goto out;
	for (size_t i = 0; i < rep->n_org_units; i++) {
		const Gtsync__V1__OrgUnit *u = rep->org_units[i];
		if ((s = q(st, Q_OU_INS)) == NULL) {
			rc = GT_ESTORE;
			goto out;
		}
		bind_text(s, 1, u->code);
		bind_text(s, 2, u->name);
		sqlite3_bind_int(s, 3, (int)u->level);
		bind_text(s, 4, u->parent);
		if ((rc = run(st, s, "storing an org unit")) != GT_OK)
			goto out;
	}
out:
	return tx_leave(st, own, rc);
}

int gt_cstore_metadata_load(struct gt_cstore *st, struct gt_meta **out, struct gt_meta_errors *errs)
{
	sqlite3_stmt *s = q(st, Q_MF_ALL);
	char **names = NULL;
	uint8_t **bufs = NULL;
	size_t *lens = NULL, n = 0, cap = 0;
	int rc;

	*out = NULL;
	if (s == NULL)
		return GT_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(s, 1);
		const void *blob = sqlite3_column_blob(s, 1);
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			char **nn = realloc(names, ncap * sizeof(*nn));
			if (nn != NULL)
				names = nn;
			uint8_t **nb = realloc(bufs, ncap * sizeof(*nb));
			if (nb != NULL)
				bufs = nb;
			size_t *nl = realloc(lens, ncap * sizeof(*nl));
			if (nl != NULL)
				lens = nl;
			if (nn == NULL || nb == NULL || nl == NULL) {
				rc = GT_ENOMEM;
				goto out;
			}
			cap = ncap;
		}
		names[n] = strdup(col_text(s, 0));
		bufs[n] = malloc(len ? len : 1);
		if (names[n] == NULL || bufs[n] == NULL) {
			free(names[n]);
			free(bufs[n]);
			rc = GT_ENOMEM;
			goto out;
		}
		if (len)
			memcpy(bufs[n], blob, len);
		lens[n] = len;
		n++;
	}
	if (rc != SQLITE_DONE) {
		rc = sqlfail(st, rc, "reading the metadata");
		goto out;
	}
	sqlite3_reset(s);
	if (n == 0) {
		rc = GT_ENOENT;
		goto out;
	}
	rc = gt_meta_load_buffers((const char *const *)names, (const uint8_t *const *)bufs, lens, n,
	                          out, errs);
out:
	sqlite3_reset(s);
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		free(bufs[i]);
	}
	free(names);
	free(bufs);
	free(lens);
	return rc;
}

int gt_cstore_orgunit_get(struct gt_cstore *st, const char *code, struct gt_cstore_orgunit *out)
{
	sqlite3_stmt *s = q(st, Q_OU_GET);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return GT_ESTORE;
	bind_text(s, 1, code);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(out->code, sizeof(out->code), "%s", col_text(s, 0));
		snprintf(out->name, sizeof(out->name), "%s", col_text(s, 1));
		out->level = sqlite3_column_int(s, 2);
		snprintf(out->parent, sizeof(out->parent), "%s", col_text(s, 3));
		rc = GT_OK;
	} else if (rc == SQLITE_DONE) {
		rc = GT_ENOENT;
	} else {
		rc = sqlfail(st, rc, "reading an org unit");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* Runs a one-row, one-column count query. */
static int count1(struct gt_cstore *st, enum q id, uint64_t *n)
{
	sqlite3_stmt *s = q(st, id);
	int rc;

	*n = 0;
	if (s == NULL)
		return GT_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*n = (uint64_t)sqlite3_column_int64(s, 0);
		rc = GT_OK;
	} else {
		rc = sqlfail(st, rc, "counting");
	}
	sqlite3_reset(s);
	return rc;
}

int gt_cstore_orgunit_count(struct gt_cstore *st, uint64_t *n)
{
	return count1(st, Q_OU_COUNT, n);
}

/* ---- The outbox ---- */

static void bind_key(sqlite3_stmt *s, const struct gt_cstore_value *v)
{
	bind_text(s, 1, v->data_element);
	bind_text(s, 2, v->period);
	bind_text(s, 3, v->org_unit);
	bind_text(s, 4, v->coc);
}

int gt_cstore_queue(struct gt_cstore *st, const struct gt_cstore_value *v, int64_t now_ms,
                    int *result)
{
	sqlite3_stmt *s;
	int64_t latest_id = 0;
	int latest_state = -1, same = 0, rc, own;
	uint64_t known = 0, rev;

	if (result != NULL)
		*result = GT_CSTORE_NEW;
	rc = tx_enter(st, &own);
	if (rc != GT_OK)
		return rc;
	/* The latest change of this key, to replace or to compare with. */
	if ((s = q(st, Q_KEY_LATEST)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	bind_key(s, v);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		latest_id = sqlite3_column_int64(s, 0);
		latest_state = sqlite3_column_int(s, 1);
		same = strcmp(col_text(s, 2), v->value ? v->value : "") == 0 &&
		       strcmp(col_text(s, 3), v->comment ? v->comment : "") == 0 &&
		       strcmp(col_text(s, 4), v->dataset ? v->dataset : "") == 0 &&
		       sqlite3_column_int(s, 5) == (v->deleted ? 1 : 0);
		rc = GT_OK;
	} else if (rc == SQLITE_DONE) {
		rc = GT_OK;
	} else {
		rc = sqlfail(st, rc, "reading the outbox");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != GT_OK)
		goto out;
	if (same && latest_state >= GT_CSTORE_QUEUED && latest_state <= GT_CSTORE_ACKED) {
		if (result != NULL)
			*result = GT_CSTORE_UNCHANGED;
		goto out;
	}
	if ((s = q(st, Q_KEY_MAXREV)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	bind_key(s, v);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		known = (uint64_t)sqlite3_column_int64(s, 0);
		rc = GT_OK;
	} else {
		rc = sqlfail(st, rc, "reading revisions");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != GT_OK)
		goto out;
	rev = known + 1;
	if (now_ms > 0 && (uint64_t)now_ms > rev)
		rev = (uint64_t)now_ms;
	if (rev > INT64_MAX) {
		rc = fail(st, GT_ETOOBIG, "revision out of range");
		goto out;
	}
	if (latest_state == GT_CSTORE_QUEUED) {
		if ((s = q(st, Q_OB_UPDATE)) == NULL) {
			rc = GT_ESTORE;
			goto out;
		}
		sqlite3_bind_int64(s, 1, latest_id);
		bind_text(s, 2, v->value);
		bind_text(s, 3, v->comment);
		bind_text(s, 4, v->dataset);
		sqlite3_bind_int(s, 5, v->deleted ? 1 : 0);
		sqlite3_bind_int64(s, 6, (sqlite3_int64)rev);
		sqlite3_bind_int64(s, 7, now_ms);
		bind_text(s, 8, v->source);
		rc = run(st, s, "updating a queued value");
		if (result != NULL)
			*result = GT_CSTORE_REPLACED;
		goto out;
	}
	if ((s = q(st, Q_OB_INSERT)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	bind_key(s, v);
	bind_text(s, 5, v->value);
	bind_text(s, 6, v->comment);
	bind_text(s, 7, v->dataset);
	sqlite3_bind_int(s, 8, v->deleted ? 1 : 0);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)rev);
	sqlite3_bind_int64(s, 10, now_ms);
	bind_text(s, 11, v->source);
	rc = run(st, s, "queueing a value");
out:
	return tx_leave(st, own, rc);
}

int gt_cstore_latest_number(struct gt_cstore *st, const char *data_element, const char *period,
                            const char *org_unit, const char *coc, double *v)
{
	struct gt_cstore_value key = {
	    .data_element = data_element, .period = period, .org_unit = org_unit, .coc = coc};
	enum q ids[2] = {Q_KEY_NUMBER, Q_R_NUMBER};

	*v = 0;
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *s = q(st, ids[i]);
		int rc;
		if (s == NULL)
			return GT_ESTORE;
		bind_key(s, &key);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			char *end;
			const char *t = col_text(s, 0);
			int deleted = sqlite3_column_int(s, 1);
			*v = strtod(t, &end);
			rc = (deleted || *t == '\0' || *end != '\0') ? GT_ENOENT : GT_OK;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return rc;
		}
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_DONE)
			return sqlfail(st, rc, "reading a value");
	}
	return GT_ENOENT;
}

void gt_cstore_outrows_free(struct gt_cstore_outrow *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(rows[i].data_element);
		free(rows[i].period);
		free(rows[i].org_unit);
		free(rows[i].coc);
		free(rows[i].value);
		free(rows[i].comment);
		free(rows[i].dataset);
	}
	free(rows);
}

int gt_cstore_queued_take(struct gt_cstore *st, size_t max_values, size_t max_bytes,
                          struct gt_cstore_outrow **out, size_t *n_out)
{
	sqlite3_stmt *s = q(st, Q_OB_QUEUED);
	struct gt_cstore_outrow *rows = NULL;
	size_t n = 0, bytes = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	if (s == NULL)
		return GT_ESTORE;
	if (max_values == 0)
		return GT_OK;
	rows = calloc(max_values < 4096 ? max_values : 4096, sizeof(*rows));
	if (rows == NULL)
		return GT_ENOMEM;
	size_t cap = max_values < 4096 ? max_values : 4096;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)max_values);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t size = 0;
		for (int i = 1; i <= 7; i++)
			size += (size_t)sqlite3_column_bytes(s, i);
		if (n > 0 && bytes + size > max_bytes)
			break;
		if (n == cap) {
			struct gt_cstore_outrow *nr = realloc(rows, cap * 2 * sizeof(*nr));
			if (nr == NULL) {
				rc = GT_ENOMEM;
				goto fail;
			}
			rows = nr;
			memset(rows + cap, 0, cap * sizeof(*rows));
			cap *= 2;
		}
		struct gt_cstore_outrow *r = &rows[n];
		r->id = sqlite3_column_int64(s, 0);
		r->data_element = strdup(col_text(s, 1));
		r->period = strdup(col_text(s, 2));
		r->org_unit = strdup(col_text(s, 3));
		r->coc = strdup(col_text(s, 4));
		r->value = strdup(col_text(s, 5));
		r->comment = strdup(col_text(s, 6));
		r->dataset = strdup(col_text(s, 7));
		r->revision = (uint64_t)sqlite3_column_int64(s, 8);
		r->deleted = sqlite3_column_int(s, 9);
		n++;
		if (!r->data_element || !r->period || !r->org_unit || !r->coc || !r->value ||
		    !r->comment || !r->dataset) {
			rc = GT_ENOMEM;
			goto fail;
		}
		bytes += size;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = sqlfail(st, rc, "reading queued values");
		goto fail;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	*out = rows;
	*n_out = n;
	return GT_OK;
fail:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	gt_cstore_outrows_free(rows, n);
	return rc;
}

/* ---- Batches ---- */

int gt_cstore_next_sequence(struct gt_cstore *st, uint64_t server_last, uint64_t *seq)
{
	uint64_t next = 0, used = 0;
	int rc;

	*seq = 0;
	if ((rc = gt_cstore_config_get_u64(st, GT_CSTORE_CFG_NEXT_SEQ, &next)) != GT_OK)
		return rc;
	if ((rc = count1(st, Q_SEQ_MAX, &used)) != GT_OK)
		return rc;
	if (next <= used)
		next = used + 1;
	if (server_last >= next)
		next = server_last + 1;
	if (next == 0)
		next = 1;
	if (next > INT64_MAX)
		return fail(st, GT_ETOOBIG, "batch sequence out of range");
	*seq = next;
	return GT_OK;
}

/* Saves b and marks the rows ids[0..n) of the outbox (mark Q_OB_BATCH) or of the actions
 * (Q_A_BATCH) as batched, in one transaction. */
static int batch_save(struct gt_cstore *st, const struct gt_cstore_batch *b, const int64_t *ids,
                      size_t n, enum q mark, int64_t now_ms)
{
	sqlite3_stmt *s;
	int own, rc;

	rc = tx_enter(st, &own);
	if (rc != GT_OK)
		return rc;
	if ((s = q(st, Q_B_INS)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)b->seq);
	sqlite3_bind_blob(s, 2, b->batch_id, sizeof(b->batch_id), SQLITE_STATIC);
	sqlite3_bind_blob64(s, 3, b->bytes, b->len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 4, b->sig, sizeof(b->sig), SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, mark == Q_OB_BATCH ? (sqlite3_int64)n : 0);
	sqlite3_bind_int64(s, 6, now_ms);
	sqlite3_bind_int64(s, 7, mark == Q_A_BATCH ? (sqlite3_int64)n : 0);
	if ((rc = run(st, s, "saving a batch")) != GT_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if ((s = q(st, mark)) == NULL) {
			rc = GT_ESTORE;
			goto out;
		}
		sqlite3_bind_int64(s, 1, ids[i]);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)b->seq);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)i);
		if ((rc = run(st, s, "marking an item batched")) != GT_OK)
			goto out;
		if (sqlite3_changes(st->db) != 1) {
			rc = fail(st, GT_ESTATE, "an item was changed while it was being packed");
			goto out;
		}
	}
	rc = gt_cstore_config_set_u64(st, GT_CSTORE_CFG_NEXT_SEQ, b->seq + 1);
out:
	return tx_leave(st, own, rc);
}

int gt_cstore_batch_save(struct gt_cstore *st, const struct gt_cstore_batch *b,
                         const int64_t *row_ids, size_t n, int64_t now_ms)
{
	return batch_save(st, b, row_ids, n, Q_OB_BATCH, now_ms);
}

int gt_cstore_batch_save_actions(struct gt_cstore *st, const struct gt_cstore_batch *b,
                                 const int64_t *action_ids, size_t n, int64_t now_ms)
{
	return batch_save(st, b, action_ids, n, Q_A_BATCH, now_ms);
}

void gt_cstore_batches_free(struct gt_cstore_batch *b, size_t n)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(b[i].bytes);
	free(b);
}

int gt_cstore_batches_pending(struct gt_cstore *st, struct gt_cstore_batch **out, size_t *n_out)
{
	sqlite3_stmt *s = q(st, Q_B_PENDING);
	struct gt_cstore_batch *b = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	if (s == NULL)
		return GT_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(s, 2);
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct gt_cstore_batch *nb = realloc(b, ncap * sizeof(*nb));
			if (nb == NULL) {
				rc = GT_ENOMEM;
				goto fail;
			}
			b = nb;
			cap = ncap;
		}
		memset(&b[n], 0, sizeof(b[n]));
		if ((size_t)sqlite3_column_bytes(s, 1) != GT_BATCH_ID_LEN ||
		    (size_t)sqlite3_column_bytes(s, 3) != GT_ED25519_SIG_LEN || len == 0) {
			rc = fail(st, GT_ECORRUPT, "a saved batch is damaged");
			goto fail;
		}
		b[n].seq = (uint64_t)sqlite3_column_int64(s, 0);
		memcpy(b[n].batch_id, sqlite3_column_blob(s, 1), GT_BATCH_ID_LEN);
		b[n].bytes = malloc(len);
		if (b[n].bytes == NULL) {
			rc = GT_ENOMEM;
			goto fail;
		}
		memcpy(b[n].bytes, sqlite3_column_blob(s, 2), len);
		b[n].len = len;
		memcpy(b[n].sig, sqlite3_column_blob(s, 3), GT_ED25519_SIG_LEN);
		b[n].n_values = (uint32_t)sqlite3_column_int64(s, 4);
		b[n].tries = (unsigned)sqlite3_column_int(s, 5);
		b[n].n_actions = (uint32_t)sqlite3_column_int64(s, 6);
		n++;
	}
	if (rc != SQLITE_DONE) {
		rc = sqlfail(st, rc, "reading saved batches");
		goto fail;
	}
	sqlite3_reset(s);
	*out = b;
	*n_out = n;
	return GT_OK;
fail:
	sqlite3_reset(s);
	gt_cstore_batches_free(b, n);
	return rc;
}

int gt_cstore_batch_acked(struct gt_cstore *st, uint64_t seq, const Gtsync__V1__PushAck *ack,
                          int64_t now_ms, uint32_t *conflicts)
{
	const Gtsync__V1__ImportCount *c = ack->counts;
	sqlite3_stmt *s;
	uint32_t nconf = 0;
	int own, rc;

	if (conflicts != NULL)
		*conflicts = 0;
	rc = tx_enter(st, &own);
	if (rc != GT_OK)
		return rc;
	if ((s = q(st, Q_B_ACK)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
	sqlite3_bind_int(s, 2, (int)ack->status);
	bind_text(s, 3, ack->message);
	sqlite3_bind_int64(s, 4, now_ms);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)ack->log_index);
	sqlite3_bind_int64(s, 6, c ? c->imported : 0);
	sqlite3_bind_int64(s, 7, c ? c->updated : 0);
	sqlite3_bind_int64(s, 8, c ? c->ignored : 0);
	sqlite3_bind_int64(s, 9, c ? c->deleted : 0);
	if ((rc = run(st, s, "recording an acknowledgement")) != GT_OK)
		goto out;
	if (sqlite3_changes(st->db) == 0)
		goto out; /* already recorded (an ack for a batch sent twice) */
	if ((s = q(st, Q_OB_ACK)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
	if ((rc = run(st, s, "acknowledging values")) != GT_OK)
		goto out;
	if ((s = q(st, Q_A_ACK)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
	sqlite3_bind_int(s, 2, (int)ack->status);
	bind_text(s, 3, ack->message);
	sqlite3_bind_int64(s, 4, now_ms);
	if ((rc = run(st, s, "acknowledging workflow actions")) != GT_OK)
		goto out;
	for (size_t i = 0; i < ack->n_conflicts; i++) {
		const Gtsync__V1__Conflict *cf = ack->conflicts[i];
		int action = cf->kind == GTSYNC__V1__ITEM_KIND__ITEM_ACTION;
		if (cf->kind != GTSYNC__V1__ITEM_KIND__ITEM_VALUE && !action)
			continue;
		for (size_t k = 0; k < cf->n_indexes; k++) {
			if ((s = q(st, action ? Q_A_CONFLICT : Q_OB_CONFLICT)) == NULL) {
				rc = GT_ESTORE;
				goto out;
			}
			sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
			sqlite3_bind_int64(s, 2, cf->indexes[k]);
			sqlite3_bind_int(s, 3, (int)cf->reason);
			bind_text(s, 4, cf->message);
			if ((rc = run(st, s, "recording a conflict")) != GT_OK)
				goto out;
			if (!action)
				nconf += (uint32_t)sqlite3_changes(st->db);
		}
	}
	if (conflicts != NULL)
		*conflicts = nconf;
out:
	return tx_leave(st, own, rc);
}

int gt_cstore_batch_refused(struct gt_cstore *st, uint64_t seq, int code, const char *message,
                            int disposition, int64_t now_ms)
{
	sqlite3_stmt *s;
	int own, rc;

	rc = tx_enter(st, &own);
	if (rc != GT_OK)
		return rc;
	if (disposition == GT_CSTORE_RETRY) {
		if ((s = q(st, Q_B_RETRY)) == NULL) {
			rc = GT_ESTORE;
			goto out;
		}
		sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
		sqlite3_bind_int(s, 2, code);
		bind_text(s, 3, message);
		rc = run(st, s, "recording a refusal");
		goto out;
	}
	if ((s = q(st, Q_B_REFUSE)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
	sqlite3_bind_int(s, 2, code);
	bind_text(s, 3, message);
	sqlite3_bind_int64(s, 4, now_ms);
	if ((rc = run(st, s, "recording a refusal")) != GT_OK)
		goto out;
	if (sqlite3_changes(st->db) == 0)
		goto out;
	if ((s = q(st, disposition == GT_CSTORE_REQUEUE ? Q_OB_REQUEUE : Q_OB_REFUSE)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
	if (disposition != GT_CSTORE_REQUEUE) {
		sqlite3_bind_int(s, 2, code);
		bind_text(s, 3, message);
	}
	if ((rc = run(st, s, "updating the values of a refused batch")) != GT_OK)
		goto out;
	if ((s = q(st, disposition == GT_CSTORE_REQUEUE ? Q_A_REQUEUE : Q_A_REFUSE)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
	if (disposition != GT_CSTORE_REQUEUE) {
		sqlite3_bind_int(s, 2, code);
		bind_text(s, 3, message);
		sqlite3_bind_int64(s, 4, now_ms);
	}
	rc = run(st, s, "updating the workflow actions of a refused batch");
out:
	return tx_leave(st, own, rc);
}

int gt_cstore_unsent(struct gt_cstore *st, uint64_t *values)
{
	return count1(st, Q_UNSENT, values);
}

/* ---- Pull replica ---- */

int gt_cstore_pull_cursor(struct gt_cstore *st, const char *org, uint64_t *cursor)
{
	sqlite3_stmt *s = q(st, Q_CUR_GET);
	int rc;

	*cursor = 0;
	if (s == NULL)
		return GT_ESTORE;
	bind_text(s, 1, org);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*cursor = (uint64_t)sqlite3_column_int64(s, 0);
		rc = GT_OK;
	} else if (rc == SQLITE_DONE) {
		rc = GT_OK;
	} else {
		rc = sqlfail(st, rc, "reading the pull cursor");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

int gt_cstore_pull_apply(struct gt_cstore *st, const char *org, const Gtsync__V1__PullChunk *chunk,
                         int64_t now_ms)
{
	sqlite3_stmt *s;
	int own, rc;

	if (chunk->next_cursor > INT64_MAX)
		return fail(st, GT_EPROTO, "the server sent a cursor out of range");
	rc = tx_enter(st, &own);
	if (rc != GT_OK)
		return rc;
	for (size_t i = 0; i < chunk->n_values; i++) {
		const Gtsync__V1__PulledValue *pv = chunk->values[i];
		const Gtsync__V1__DataValue *v = pv->value;
		if (v == NULL)
			continue;
		if ((s = q(st, Q_R_UPSERT)) == NULL) {
			rc = GT_ESTORE;
			goto out;
		}
		bind_text(s, 1, v->data_element);
		bind_text(s, 2, v->period);
		bind_text(s, 3, v->org_unit);
		bind_text(s, 4, v->category_option_combo);
		bind_text(s, 5, v->value);
		bind_text(s, 6, v->comment);
		sqlite3_bind_int64(
		    s, 7, (sqlite3_int64)(v->revision > INT64_MAX ? INT64_MAX : v->revision));
		sqlite3_bind_int(s, 8, v->deleted ? 1 : 0);
		if (pv->origin_batch.len > 0)
			sqlite3_bind_blob(s, 9, pv->origin_batch.data, (int)pv->origin_batch.len,
			                  SQLITE_STATIC);
		sqlite3_bind_int64(s, 10, pv->updated_at_ms);
		sqlite3_bind_int64(
		    s, 11,
		    (sqlite3_int64)(pv->change_seq > INT64_MAX ? INT64_MAX : pv->change_seq));
		if ((rc = run(st, s, "storing a pulled value")) != GT_OK)
			goto out;
	}
	for (size_t i = 0; i < chunk->n_states; i++) {
		const Gtsync__V1__WorkflowState *w = chunk->states[i];
		if ((s = q(st, Q_RS_UPSERT)) == NULL) {
			rc = GT_ESTORE;
			goto out;
		}
		bind_text(s, 1, w->dataset);
		bind_text(s, 2, w->period);
		bind_text(s, 3, w->org_unit);
		sqlite3_bind_int(s, 4, (int)w->state);
		sqlite3_bind_int64(s, 5, w->updated_at_ms);
		sqlite3_bind_int64(
		    s, 6, (sqlite3_int64)(w->change_seq > INT64_MAX ? INT64_MAX : w->change_seq));
		if ((rc = run(st, s, "storing a pulled workflow state")) != GT_OK)
			goto out;
	}
	if ((s = q(st, Q_CUR_SET)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	bind_text(s, 1, org);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)chunk->next_cursor);
	if ((rc = run(st, s, "saving the pull cursor")) != GT_OK)
		goto out;
	rc = gt_cstore_config_set_u64(st, GT_CSTORE_CFG_LAST_PULL, (uint64_t)now_ms);
out:
	return tx_leave(st, own, rc);
}

int gt_cstore_replica_foreach(struct gt_cstore *st, const char *org,
                              int (*cb)(void *arg, const struct gt_cstore_replica_value *v),
                              void *arg)
{
	sqlite3_stmt *s = q(st, Q_R_ALL);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gt_cstore_replica_value v = {
		    .data_element = col_text(s, 0),
		    .period = col_text(s, 1),
		    .org_unit = col_text(s, 2),
		    .coc = col_text(s, 3),
		    .value = col_text(s, 4),
		    .comment = col_text(s, 5),
		    .revision = (uint64_t)sqlite3_column_int64(s, 6),
		    .deleted = sqlite3_column_int(s, 7),
		    .change_seq = (uint64_t)sqlite3_column_int64(s, 8),
		};
		int r;
		if (org != NULL && gt_orgunit_contains(org, v.org_unit) != 1)
			continue;
		r = cb(arg, &v);
		if (r != 0) {
			sqlite3_reset(s);
			return r;
		}
	}
	rc = rc == SQLITE_DONE ? GT_OK : sqlfail(st, rc, "reading the replica");
	sqlite3_reset(s);
	return rc;
}

/* ---- Status ---- */

/* Runs a (state, count) query into counts[0..n); states outside the range are ignored. */
static int count_states(struct gt_cstore *st, enum q query, uint64_t *counts, int n,
                        const char *what)
{
	sqlite3_stmt *s = q(st, query);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int k = sqlite3_column_int(s, 0);
		if (k >= 0 && k < n)
			counts[k] = (uint64_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? GT_OK : sqlfail(st, rc, what);
}

int gt_cstore_status(struct gt_cstore *st, struct gt_cstore_status *out)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = count_states(st, Q_ST_VALUES, out->values, 5, "counting values")) != GT_OK ||
	    (rc = count_states(st, Q_ST_BATCHES, out->batches, 3, "counting batches")) != GT_OK ||
	    (rc = count_states(st, Q_ST_ACTIONS, out->actions, 5, "counting workflow actions")) !=
	        GT_OK)
		return rc;
	if ((s = q(st, Q_ST_REPLICA)) == NULL)
		return GT_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->replica_values = (uint64_t)sqlite3_column_int64(s, 0);
		out->replica_units = (uint64_t)sqlite3_column_int64(s, 1);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? GT_OK : sqlfail(st, rc, "counting the replica");
}

int gt_cstore_problems(struct gt_cstore *st,
                       int (*cb)(void *arg, const struct gt_cstore_problem *p), void *arg)
{
	sqlite3_stmt *s = q(st, Q_PROBLEMS);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gt_cstore_problem p = {
		    .state = sqlite3_column_int(s, 0),
		    .reason = sqlite3_column_int(s, 1),
		    .message = col_text(s, 2),
		    .data_element = col_text(s, 3),
		    .period = col_text(s, 4),
		    .org_unit = col_text(s, 5),
		    .coc = col_text(s, 6),
		    .value = col_text(s, 7),
		    .source = col_text(s, 8),
		    .seq = (uint64_t)sqlite3_column_int64(s, 9),
		};
		int r = cb(arg, &p);
		if (r != 0) {
			sqlite3_reset(s);
			return r;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? GT_OK : sqlfail(st, rc, "reading conflicts");
}

int gt_cstore_replica_units(struct gt_cstore *st, int (*cb)(void *arg, const char *org, uint64_t n),
                            void *arg)
{
	sqlite3_stmt *s = q(st, Q_R_UNITS);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int r = cb(arg, col_text(s, 0), (uint64_t)sqlite3_column_int64(s, 1));
		if (r != 0) {
			sqlite3_reset(s);
			return r;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? GT_OK : sqlfail(st, rc, "reading the replica");
}

/* ---- Workflow actions ---- */

int gt_cstore_action_queue(struct gt_cstore *st, const struct gt_cstore_action_in *a,
                           int64_t now_ms, int64_t *id)
{
	sqlite3_stmt *s = q(st, Q_A_INSERT);
	int rc;

	if (id != NULL)
		*id = 0;
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int(s, 1, a->kind);
	bind_text(s, 2, a->dataset);
	bind_text(s, 3, a->period);
	bind_text(s, 4, a->org_unit);
	bind_text(s, 5, a->reason);
	if (a->digest != NULL)
		sqlite3_bind_blob(s, 6, a->digest, GT_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7,
	                   (sqlite3_int64)(a->n_digested > INT64_MAX ? INT64_MAX : a->n_digested));
	sqlite3_bind_int64(s, 8, now_ms);
	bind_text(s, 9, a->open_until != NULL ? a->open_until : "");
	bind_text(s, 10, a->acknowledged != NULL ? a->acknowledged : "");
	rc = run(st, s, "saving a workflow action");
	if (rc == GT_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

void gt_cstore_action_clear(struct gt_cstore_action *a)
{
	if (a == NULL)
		return;
	free(a->dataset);
	free(a->period);
	free(a->org_unit);
	free(a->reason);
	free(a->message);
	free(a->open_until);
	free(a->acknowledged);
	memset(a, 0, sizeof(*a));
}

void gt_cstore_actions_free(struct gt_cstore_action *a, size_t n)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		gt_cstore_action_clear(&a[i]);
	free(a);
}

/* Fills a from the current row of a query selecting ACTION_COLS. */
static int read_action(sqlite3_stmt *s, struct gt_cstore_action *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->kind = sqlite3_column_int(s, 1);
	a->dataset = strdup(col_text(s, 2));
	a->period = strdup(col_text(s, 3));
	a->org_unit = strdup(col_text(s, 4));
	a->reason = strdup(col_text(s, 5));
	if (sqlite3_column_bytes(s, 6) == GT_SHA256_LEN) {
		memcpy(a->digest, sqlite3_column_blob(s, 6), GT_SHA256_LEN);
		a->has_digest = 1;
	}
	a->n_digested = (uint64_t)sqlite3_column_int64(s, 7);
	a->state = sqlite3_column_int(s, 8);
	a->status = sqlite3_column_int(s, 9);
	a->conflict = sqlite3_column_int(s, 10);
	a->code = sqlite3_column_int(s, 11);
	a->message = strdup(col_text(s, 12));
	a->seq = (uint64_t)sqlite3_column_int64(s, 13);
	a->open_until = strdup(col_text(s, 14));
	a->acknowledged = strdup(col_text(s, 15));
	if (!a->dataset || !a->period || !a->org_unit || !a->reason || !a->message ||
	    !a->open_until || !a->acknowledged) {
		gt_cstore_action_clear(a);
		return GT_ENOMEM;
	}
	return GT_OK;
}

/* Reads the rows of s (bound by the caller) into a new array; resets s. */
static int read_actions(struct gt_cstore *st, sqlite3_stmt *s, struct gt_cstore_action **out,
                        size_t *n_out)
{
	struct gt_cstore_action *a = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct gt_cstore_action *na = realloc(a, ncap * sizeof(*na));
			if (na == NULL) {
				rc = GT_ENOMEM;
				goto fail;
			}
			a = na;
			cap = ncap;
		}
		if ((rc = read_action(s, &a[n])) != GT_OK)
			goto fail;
		n++;
	}
	if (rc != SQLITE_DONE) {
		rc = sqlfail(st, rc, "reading workflow actions");
		goto fail;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	*out = a;
	*n_out = n;
	return GT_OK;
fail:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	gt_cstore_actions_free(a, n);
	return rc;
}

int gt_cstore_actions_take(struct gt_cstore *st, size_t max, struct gt_cstore_action **out,
                           size_t *n)
{
	sqlite3_stmt *s = q(st, Q_A_QUEUED);

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return GT_ESTORE;
	if (max == 0)
		return GT_OK;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)(max > INT64_MAX ? INT64_MAX : max));
	return read_actions(st, s, out, n);
}

int gt_cstore_actions_recent(struct gt_cstore *st, size_t max, struct gt_cstore_action **out,
                             size_t *n)
{
	sqlite3_stmt *s = q(st, Q_A_RECENT);

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)(max > INT64_MAX ? INT64_MAX : max));
	return read_actions(st, s, out, n);
}

int gt_cstore_action_get(struct gt_cstore *st, int64_t id, struct gt_cstore_action *out)
{
	sqlite3_stmt *s = q(st, Q_A_GET);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = read_action(s, out);
	else if (rc == SQLITE_DONE)
		rc = fail(st, GT_ENOENT, "no workflow action %lld", (long long)id);
	else
		rc = sqlfail(st, rc, "reading a workflow action");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}
