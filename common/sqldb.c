/* One sqlite layer for the stores: opening with the project's pragmas, statements cached by an
 * enum, transactions and savepoints, errors as GT_E* codes naming the statement, schema
 * versions and migrations. */
#include "sqldb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "gtlimits.h"

/* The project's settings for every connection that may write: a committed transaction
 * survives a crash (WAL with synchronous=FULL) and references hold. */
#define SQLDB_PRAGMAS "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"

struct gt_sqldb {
	sqlite3 *db;
	const struct gt_sqldb_stmt *stmts;
	size_t n_stmts;
	sqlite3_stmt **q;       /* n_stmts prepared statements, NULL until first used */
	sqlite3_stmt *scope[2]; /* SAVEPOINT and RELEASE of a nested scope, prepared on first
	                         * use: a writer opens one per batch (issue 17) */
	const char *what;
	int readonly;
	char errmsg[512];
};

/* ---- Errors ---- */

const char *gt_sqldb_errmsg(const struct gt_sqldb *db)
{
	if (db == NULL)
		return "no store";
	return db->errmsg[0] != '\0' ? db->errmsg : "no error";
}

int gt_sqldb_fail(struct gt_sqldb *db, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

int gt_sqldb_error(struct gt_sqldb *db, int src, const char *what)
{
	int code = gt_err_from_sqlite(src);

	if (code == GT_OK)
		code = GT_ESTORE;
	if ((src & 0xff) == SQLITE_FULL)
		return gt_sqldb_fail(db, GT_ENOSPC, "%s: the disk is full", what);
	if ((src & 0xff) == SQLITE_READONLY)
		return gt_sqldb_fail(db, code, "%s: the store is read-only (%s)", what,
		                     sqlite3_errmsg(db->db));
	return gt_sqldb_fail(db, code, "%s: %s", what,
	                     db->db != NULL ? sqlite3_errmsg(db->db) : sqlite3_errstr(src));
}

/* The name of a statement for messages, found from its handle. */
static const char *stmt_name(const struct gt_sqldb *db, const sqlite3_stmt *s)
{
	for (size_t i = 0; i < db->n_stmts; i++)
		if (db->q[i] == s)
			return db->stmts[i].name != NULL ? db->stmts[i].name : "a statement";
	return "a statement";
}

/* Runs SQL text (one or more statements) without caching it. */
static int exec(struct gt_sqldb *db, const char *sql, const char *what)
{
	int rc = sqlite3_exec(db->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? GT_OK : gt_sqldb_error(db, rc, what);
}

/* Runs the nested scope's statement which (0 SAVEPOINT, 1 RELEASE), prepared once rather than
 * parsed on every call as sqlite3_exec would. */
static int exec_scope(struct gt_sqldb *db, int which, const char *what)
{
	static const char *const sql[2] = {"SAVEPOINT gt_sqldb", "RELEASE gt_sqldb"};
	int rc = SQLITE_OK;

	if (db->scope[which] == NULL)
		rc = sqlite3_prepare_v3(db->db, sql[which], -1, SQLITE_PREPARE_PERSISTENT,
		                        &db->scope[which], NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(db->scope[which]);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
		else
			rc = gt_sqldb_error(db, rc, what);
		sqlite3_reset(db->scope[which]);
		return rc;
	}
	return gt_sqldb_error(db, rc, what);
}

/* Runs SQL text that must not disturb the last failure's sentence (cleanup after a failure). */
static void exec_quiet(struct gt_sqldb *db, const char *sql)
{
	(void)sqlite3_exec(db->db, sql, NULL, NULL, NULL);
}

/* ---- Statements ---- */

/* The statement id, reset, and with its bindings cleared when clear says so. */
static sqlite3_stmt *stmt_get(struct gt_sqldb *db, int id, int clear)
{
	sqlite3_stmt *s;
	int rc;

	if (id < 0 || (size_t)id >= db->n_stmts || db->stmts[id].sql == NULL) {
		gt_sqldb_fail(db, GT_EINVAL, "no statement %d in the %s", id, db->what);
		return NULL;
	}
	s = db->q[id];
	if (s != NULL) {
		sqlite3_reset(s);
		if (clear)
			sqlite3_clear_bindings(s);
		return s;
	}
	rc = sqlite3_prepare_v3(db->db, db->stmts[id].sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK) {
		char what[160];

		snprintf(what, sizeof(what), "preparing '%s'", db->stmts[id].name);
		gt_sqldb_error(db, rc, what);
		return NULL;
	}
	db->q[id] = s;
	return s;
}

sqlite3_stmt *gt_sqldb_stmt(struct gt_sqldb *db, int id)
{
	return stmt_get(db, id, 1);
}

sqlite3_stmt *gt_sqldb_stmt_bound(struct gt_sqldb *db, int id)
{
	return stmt_get(db, id, 0);
}

int gt_sqldb_step(struct gt_sqldb *db, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		gt_sqldb_reset(s);
		return 0;
	}
	rc = gt_sqldb_error(db, rc, stmt_name(db, s));
	gt_sqldb_reset(s);
	return rc;
}

int gt_sqldb_run(struct gt_sqldb *db, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		gt_sqldb_reset(s);
		return GT_OK;
	}
	rc = gt_sqldb_error(db, rc, stmt_name(db, s));
	gt_sqldb_reset(s);
	return rc;
}

int gt_sqldb_run_id(struct gt_sqldb *db, int id)
{
	sqlite3_stmt *s = gt_sqldb_stmt(db, id);

	return s == NULL ? GT_ESTORE : gt_sqldb_run(db, s);
}

int gt_sqldb_count(struct gt_sqldb *db, int id, uint64_t *out)
{
	sqlite3_stmt *s = gt_sqldb_stmt(db, id);
	int rc;

	*out = 0;
	if (s == NULL)
		return GT_ESTORE;
	rc = gt_sqldb_step(db, s);
	if (rc == 1) {
		int64_t v = sqlite3_column_int64(s, 0);
		*out = v > 0 ? (uint64_t)v : 0;
		gt_sqldb_reset(s);
		return GT_OK;
	}
	if (rc == 0)
		return gt_sqldb_fail(db, GT_ESTORE, "%s: no row", stmt_name(db, s));
	return rc;
}

void gt_sqldb_reset(sqlite3_stmt *s)
{
	if (s == NULL)
		return;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

int64_t gt_sqldb_changes(struct gt_sqldb *db)
{
	return sqlite3_changes64(db->db);
}

int64_t gt_sqldb_last_rowid(struct gt_sqldb *db)
{
	return sqlite3_last_insert_rowid(db->db);
}

void gt_sqldb_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v != NULL ? v : "", -1, SQLITE_STATIC);
}

void gt_sqldb_bind_u64(sqlite3_stmt *s, int i, uint64_t v)
{
	sqlite3_bind_int64(s, i, (sqlite3_int64)(v > INT64_MAX ? INT64_MAX : v));
}

const char *gt_sqldb_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL ? (const char *)t : "";
}

/* ---- Transactions ---- */

int gt_sqldb_in_tx(struct gt_sqldb *db)
{
	return !sqlite3_get_autocommit(db->db);
}

int gt_sqldb_begin(struct gt_sqldb *db)
{
	if (db->readonly)
		return gt_sqldb_fail(db, GT_EPERM, "the %s is open read-only", db->what);
	if (gt_sqldb_in_tx(db))
		return gt_sqldb_fail(db, GT_ESTATE, "a transaction is already open");
	return exec(db, "BEGIN IMMEDIATE", "starting a transaction");
}

int gt_sqldb_commit(struct gt_sqldb *db)
{
	int rc;

	if (!gt_sqldb_in_tx(db))
		return gt_sqldb_fail(db, GT_ESTATE, "no transaction is open");
	rc = exec(db, "COMMIT", "committing");
	if (rc != GT_OK && gt_sqldb_in_tx(db))
		exec_quiet(db, "ROLLBACK");
	return rc;
}

void gt_sqldb_rollback(struct gt_sqldb *db)
{
	if (db != NULL && gt_sqldb_in_tx(db))
		exec_quiet(db, "ROLLBACK");
}

int gt_sqldb_scope_enter(struct gt_sqldb *db, struct gt_sqldb_scope *sc)
{
	sc->own = !gt_sqldb_in_tx(db);
	if (sc->own)
		return gt_sqldb_begin(db);
	if (db->readonly)
		return gt_sqldb_fail(db, GT_EPERM, "the %s is open read-only", db->what);
	return exec_scope(db, 0, "opening a savepoint");
}

int gt_sqldb_scope_leave(struct gt_sqldb *db, struct gt_sqldb_scope *sc, int rc)
{
	if (sc->own) {
		if (rc == GT_OK)
			return gt_sqldb_commit(db);
		gt_sqldb_rollback(db);
		return rc;
	}
	if (rc == GT_OK)
		return exec_scope(db, 1, "releasing a savepoint");
	/* A failed statement may have ended the caller's transaction already (sqlite rolls back
	 * on some errors); then there is nothing left to undo. */
	if (gt_sqldb_in_tx(db)) {
		exec_quiet(db, "ROLLBACK TO gt_sqldb");
		exec_quiet(db, "RELEASE gt_sqldb");
	}
	return rc;
}

int gt_sqldb_read_begin(struct gt_sqldb *db, int *own)
{
	*own = !gt_sqldb_in_tx(db);
	if (!*own)
		return GT_OK;
	return exec(db, "BEGIN", "starting a read");
}

void gt_sqldb_read_end(struct gt_sqldb *db, int own)
{
	if (own && gt_sqldb_in_tx(db))
		exec_quiet(db, "COMMIT");
}

/* ---- Schema ---- */

/* Runs a query that returns one integer. */
static int query_int(struct gt_sqldb *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db->db, sql, -1, &s, NULL);

	*out = 0;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(s, 0);
			rc = SQLITE_DONE;
		}
	}
	rc = rc == SQLITE_DONE ? GT_OK : gt_sqldb_error(db, rc, sql);
	sqlite3_finalize(s);
	return rc;
}

int gt_sqldb_version(struct gt_sqldb *db, int64_t *version)
{
	return query_int(db, "PRAGMA user_version", version);
}

/* Takes the schema from version v to v + 1 in one transaction. */
static int migrate_step(struct gt_sqldb *db, const struct gt_sqldb_config *cfg, size_t v)
{
	const struct gt_sqldb_migration *m = &cfg->migrations[v];
	char what[256], sql[64];
	int rc;

	snprintf(what, sizeof(what), "bringing the %s to schema version %zu (%s)", db->what, v + 1,
	         m->name != NULL ? m->name : "migration");
	rc = exec(db, "BEGIN IMMEDIATE", what);
	if (rc != GT_OK)
		return rc;
	if (m->sql != NULL)
		rc = exec(db, m->sql, what);
	if (rc == GT_OK && m->fn != NULL)
		rc = m->fn(db, cfg->arg);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu", v + 1);
	if (rc == GT_OK)
		rc = exec(db, sql, what);
	if (rc == GT_OK)
		rc = exec(db, "COMMIT", what);
	if (rc != GT_OK)
		gt_sqldb_rollback(db);
	return rc;
}

/* Checks the schema version, initializing or migrating the schema as the flags allow. */
static int check_schema(struct gt_sqldb *db, const struct gt_sqldb_config *cfg)
{
	int64_t version = 0, tables = 0;
	int rc;

	if ((rc = gt_sqldb_version(db, &version)) != GT_OK)
		return rc;
	if (version < 0 || (uint64_t)version > cfg->n_migrations)
		return gt_sqldb_fail(db, GT_ENOTSUP,
		                     "the %s has schema version %lld, newer than this program's "
		                     "%zu: a newer version of the program wrote it",
		                     db->what, (long long)version, cfg->n_migrations);
	if ((uint64_t)version == cfg->n_migrations)
		return GT_OK;
	if (version == 0) {
		if ((rc = query_int(db, "SELECT count(*) FROM sqlite_schema", &tables)) != GT_OK)
			return rc;
		if (tables > 0)
			return gt_sqldb_fail(db,
			                     cfg->foreign_code ? cfg->foreign_code : GT_ECORRUPT,
			                     "the file is not a %s", db->what);
		if (!(cfg->flags & (GT_SQLDB_CREATE | GT_SQLDB_CREATE_NEW)))
			return gt_sqldb_fail(db, GT_ENOENT, "the %s is not initialized", db->what);
	}
	if (db->readonly)
		return gt_sqldb_fail(db, GT_ENOTSUP,
		                     "the %s has schema version %lld and needs an upgrade by a "
		                     "program that may write it",
		                     db->what, (long long)version);
	for (size_t v = (size_t)version; v < cfg->n_migrations; v++)
		if ((rc = migrate_step(db, cfg, v)) != GT_OK)
			return rc;
	return GT_OK;
}

/* Configures a new connection: busy timeout, extended codes, the caller's hook, pragmas. */
static int configure(struct gt_sqldb *db, const struct gt_sqldb_config *cfg)
{
	int rc;

	sqlite3_extended_result_codes(db->db, 1);
	rc = sqlite3_busy_timeout(db->db, (int)cfg->busy_ms);
	if (rc != SQLITE_OK)
		return gt_sqldb_error(db, rc, "setting the busy timeout");
	if (cfg->on_open != NULL && (rc = cfg->on_open(db, cfg->arg)) != GT_OK)
		return rc;
	/* A file the system lets us read but not write still opens: the pragmas that write are
	 * skipped, and writes fail later with a sentence. */
	if (!db->readonly && !(cfg->flags & GT_SQLDB_MEMORY) &&
	    sqlite3_db_readonly(db->db, "main") == 0 &&
	    (rc = exec(db, "PRAGMA journal_mode = WAL", "switching to WAL")) != GT_OK)
		return rc;
	if ((rc = exec(db, SQLDB_PRAGMAS, "configuring the connection")) != GT_OK)
		return rc;
	if (cfg->pragmas != NULL &&
	    (rc = exec(db, cfg->pragmas, "configuring the connection")) != GT_OK)
		return rc;
	return GT_OK;
}

/* Creates the file (exclusively) with its mode, before sqlite opens it. *made says whether this
 * call created it. */
static int create_file(const struct gt_sqldb_config *cfg, int *made, char *why, size_t why_len)
{
	int fd;

	*made = 0;
	fd = open(cfg->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	          cfg->file_mode ? cfg->file_mode : 0600);
	if (fd >= 0) {
		close(fd);
		*made = 1;
		return GT_OK;
	}
	if (errno == EEXIST && !(cfg->flags & GT_SQLDB_CREATE_NEW))
		return GT_OK;
	if (why != NULL)
		snprintf(why, why_len, "cannot create %s: %s", cfg->path, strerror(errno));
	return gt_err_from_errno(errno);
}

/* Removes a file this open created, with the sidecar files sqlite may have made. */
static void remove_created(const char *path)
{
	static const char *const side[] = {"", "-wal", "-shm", "-journal"};
	char p[GT_PATH_MAX + 8];

	for (size_t i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
		int n = snprintf(p, sizeof(p), "%s%s", path, side[i]);
		if (n > 0 && (size_t)n < sizeof(p))
			(void)unlink(p);
	}
}

int gt_sqldb_open(const struct gt_sqldb_config *cfg, struct gt_sqldb **out, char *why,
                  size_t why_len)
{
	struct gt_sqldb *db = NULL;
	int rc, made = 0, flags;

	*out = NULL;
	if (why != NULL && why_len > 0)
		why[0] = '\0';
	if (cfg == NULL || (cfg->path == NULL && !(cfg->flags & GT_SQLDB_MEMORY)) ||
	    (cfg->n_stmts > 0 && cfg->stmts == NULL) ||
	    (cfg->n_migrations > 0 && cfg->migrations == NULL))
		return GT_EINVAL;
	if ((cfg->flags & GT_SQLDB_READONLY) &&
	    (cfg->flags & (GT_SQLDB_CREATE | GT_SQLDB_CREATE_NEW | GT_SQLDB_MEMORY)))
		return GT_EINVAL;
	if (cfg->flags & GT_SQLDB_MEMORY) {
		/* Nothing on disk to create or find. */
	} else if (cfg->flags & (GT_SQLDB_CREATE | GT_SQLDB_CREATE_NEW)) {
		if ((rc = create_file(cfg, &made, why, why_len)) != GT_OK)
			return rc;
	} else if (access(cfg->path, F_OK) != 0) {
		if (why != NULL)
			snprintf(why, why_len, "%s: %s", cfg->path, strerror(errno));
		return errno == ENOENT ? GT_ENOENT : gt_err_from_errno(errno);
	}
	rc = GT_ENOMEM;
	db = calloc(1, sizeof(*db));
	if (db == NULL || (db->q = calloc(cfg->n_stmts ? cfg->n_stmts : 1, sizeof(*db->q))) == NULL)
		goto fail;
	db->stmts = cfg->stmts;
	db->n_stmts = cfg->n_stmts;
	db->what = cfg->what != NULL ? cfg->what : "store";
	db->readonly = (cfg->flags & GT_SQLDB_READONLY) != 0;
	flags = (db->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
	if (cfg->flags & GT_SQLDB_MEMORY)
		flags |= SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY;
	rc = sqlite3_open_v2(cfg->flags & GT_SQLDB_MEMORY ? ":memory:" : cfg->path, &db->db, flags,
	                     NULL);
	if (rc != SQLITE_OK) {
		rc = gt_sqldb_error(db, rc, "opening the file");
		goto fail;
	}
	if ((rc = configure(db, cfg)) != GT_OK)
		goto fail;
	if (!(cfg->flags & GT_SQLDB_MEMORY) && (rc = check_schema(db, cfg)) != GT_OK)
		goto fail;
	*out = db;
	return GT_OK;
fail:
	if (why != NULL && db != NULL)
		snprintf(why, why_len, "%s", gt_sqldb_errmsg(db));
	else if (why != NULL)
		snprintf(why, why_len, "%s", gt_strerror(rc));
	gt_sqldb_close(db);
	if (made && !(cfg->flags & GT_SQLDB_KEEP_NEW))
		remove_created(cfg->path);
	return rc;
}

void gt_sqldb_close(struct gt_sqldb *db)
{
	if (db == NULL)
		return;
	if (db->db != NULL)
		gt_sqldb_rollback(db);
	for (size_t i = 0; db->q != NULL && i < db->n_stmts; i++)
		sqlite3_finalize(db->q[i]);
	free(db->q);
	sqlite3_finalize(db->scope[0]);
	sqlite3_finalize(db->scope[1]);
	sqlite3_close(db->db);
	free(db);
}

sqlite3 *gt_sqldb_handle(struct gt_sqldb *db)
{
	return db->db;
}

int gt_sqldb_readonly(const struct gt_sqldb *db)
{
	return db->readonly;
}
