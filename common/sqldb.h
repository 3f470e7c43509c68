/* One sqlite layer for the stores: opening with the project's pragmas, statements cached by an
 * enum, transactions and savepoints, errors as GT_E* codes naming the statement, schema
 * versions and migrations. */
#ifndef GT_SQLDB_H
#define GT_SQLDB_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/*
 * A store (the server's store, the client's store) declares what it needs once: its statements
 * as a table indexed by its own enum, each with a name for a person ("saving a batch"), and its
 * schema as a list of migrations. sqldb opens the file with the project's settings (WAL,
 * synchronous=FULL so a commit survives a crash, foreign keys, a busy timeout, extended result
 * codes), creates or migrates the schema (PRAGMA user_version), prepares each statement on
 * first use and keeps it, and turns every sqlite failure into a GT_E* code with a sentence
 * that names the statement ("saving a batch: the disk is full").
 *
 * The stores bind parameters and read columns with sqlite's own functions on the statement
 * they get (the stores are the only modules that include sqlite3.h, through this header).
 *
 * A struct gt_sqldb is one connection used from one thread at a time.
 */

struct gt_sqldb;

/* A statement of a store's table: name says what it does, for messages ("reading a setting");
 * sql is one SQL statement. */
struct gt_sqldb_stmt {
	const char *name;
	const char *sql;
};

/* One schema migration, from version v to v + 1 (entry v of the list; entry 0 creates the
 * first schema in an empty file). sql (may be NULL) runs first, then fn (may be NULL) with the
 * open's arg; both inside the transaction that also sets the new user_version. */
struct gt_sqldb_migration {
	const char *name; /* what the step does, for messages ("adding workflow actions") */
	const char *sql;
	int (*fn)(struct gt_sqldb *db, void *arg);
};

/* Flags of struct gt_sqldb_config. */
#define GT_SQLDB_CREATE     0x1 /* create and initialize a missing file (else GT_ENOENT) */
#define GT_SQLDB_CREATE_NEW 0x2 /* create a new file; an existing one is GT_EEXIST */
#define GT_SQLDB_READONLY   0x4 /* open read-only: writes fail with GT_EPERM, no migration */
#define GT_SQLDB_KEEP_NEW   0x8 /* keep a file this open created when a later step fails */
/* An empty in-memory database (path ignored): configured like a file, without WAL and without
 * a schema check or migrations; the caller fills it. */
#define GT_SQLDB_MEMORY 0x10

/* How to open a store. Everything is borrowed for the life of the handle. */
struct gt_sqldb_config {
	const char *path;
	unsigned flags;      /* GT_SQLDB_* */
	const char *what;    /* the store for a person ("gtsync client store") */
	int file_mode;       /* mode of a file this open creates (0: 0600) */
	unsigned busy_ms;    /* wait for another connection's lock at most this long */
	const char *pragmas; /* more PRAGMA statements after the project's (NULL: none) */
	const struct gt_sqldb_stmt *stmts; /* the store's statements, indexed by its enum */
	size_t n_stmts;
	const struct gt_sqldb_migration *migrations; /* the schema's history, oldest first */
	size_t n_migrations;                         /* = the schema version this program writes */
	/* Called once the connection is configured, before the schema check (register SQL
	 * functions here); NULL: none. A non-zero return fails the open with that code. */
	int (*on_open)(struct gt_sqldb *db, void *arg);
	void *arg;
	/* The code for a file that holds tables but no schema version (another program's file);
	 * 0: GT_ECORRUPT. */
	int foreign_code;
};

/*
 * Opens (and, with GT_SQLDB_CREATE or GT_SQLDB_CREATE_NEW, creates) the store cfg->path. A new
 * file is created with O_EXCL and cfg->file_mode before sqlite opens it, so neither it nor its
 * -wal and -shm files are ever readable by others. The connection gets the project's pragmas
 * (journal_mode=WAL, synchronous=FULL, foreign_keys=ON) and then cfg->pragmas; on a file the
 * system lets us read but not write, pragmas that would write are skipped so the store can
 * still be read (writes then fail with GT_ESTORE and a sentence).
 *
 * The schema version (PRAGMA user_version) is checked: a newer one than n_migrations is
 * GT_ENOTSUP; an older one is migrated step by step, each step in its own transaction (a
 * read-only open cannot migrate: GT_ENOTSUP); version 0 in a file that holds tables is not
 * this store (cfg->foreign_code, by default GT_ECORRUPT); version 0 in an empty file is
 * initialized with the create flags, else GT_ENOENT. A file this call created is removed again
 * when the open fails, unless GT_SQLDB_KEEP_NEW says to keep it. GT_SQLDB_MEMORY opens an
 * empty in-memory database instead of a file (no schema check).
 *
 * *out is NULL on failure, and why[0..why_len) (optional) holds a sentence about it ("" on
 * success). Caller closes *out with gt_sqldb_close().
 */
int gt_sqldb_open(const struct gt_sqldb_config *cfg, struct gt_sqldb **out, char *why,
                  size_t why_len);

/* Closes the connection: an open transaction is rolled back, the statements finalized.
 * Accepts NULL. */
void gt_sqldb_close(struct gt_sqldb *db);

/* The sqlite connection (borrowed), for what sqldb does not wrap (sqlite3_changes(),
 * sqlite3_create_function()). */
sqlite3 *gt_sqldb_handle(struct gt_sqldb *db);

/* Whether the handle was opened with GT_SQLDB_READONLY. */
int gt_sqldb_readonly(const struct gt_sqldb *db);

/* ---- Errors ---- */

/* A sentence about the last failure (borrowed, valid until the next call on db); "no error"
 * when none, "no store" for NULL. */
const char *gt_sqldb_errmsg(const struct gt_sqldb *db);

/* Records a sentence (printf-like) as the last failure and returns code. */
int gt_sqldb_fail(struct gt_sqldb *db, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records sqlite's failure src while doing what ("reading the outbox") as the last failure and
 * returns its GT_E* code: GT_ENOSPC ("the disk is full"), GT_EBUSY, GT_ENOMEM, GT_ECORRUPT,
 * GT_EIO, GT_EPERM..., and GT_ESTORE for the rest; a read-only store says so. */
int gt_sqldb_error(struct gt_sqldb *db, int src, const char *what);

/* ---- Statements ---- */

/* The store's statement id, prepared on first use (and kept), reset and with no bindings;
 * NULL on failure, with the reason as the last failure. */
sqlite3_stmt *gt_sqldb_stmt(struct gt_sqldb *db, int id);

/* As gt_sqldb_stmt(), but the previous bindings stay: only for a caller that binds every
 * parameter of the statement itself (a hot path saves clearing them). */
sqlite3_stmt *gt_sqldb_stmt_bound(struct gt_sqldb *db, int id);

/* Steps a statement from gt_sqldb_stmt(): 1 for a row (read the columns, then step again),
 * 0 when done, a negative GT_E* code on failure, recorded with the statement's name. After 0
 * or a failure the statement is reset; a caller that stops before 0 calls
 * gt_sqldb_reset(). */
int gt_sqldb_step(struct gt_sqldb *db, sqlite3_stmt *s);

/* Runs a statement whose rows (if any) are not wanted, and resets it. 0 or a GT_E* code. */
int gt_sqldb_run(struct gt_sqldb *db, sqlite3_stmt *s);

/* Runs the statement id without parameters, as gt_sqldb_run(). */
int gt_sqldb_run_id(struct gt_sqldb *db, int id);

/* Runs the statement id without parameters, which returns one integer (a count, a maximum;
 * NULL reads as 0), into *out. */
int gt_sqldb_count(struct gt_sqldb *db, int id, uint64_t *out);

/* Resets a statement a caller stopped reading early and drops its bindings. Accepts NULL. */
void gt_sqldb_reset(sqlite3_stmt *s);

/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t gt_sqldb_changes(struct gt_sqldb *db);

/* The rowid of the last INSERT. */
int64_t gt_sqldb_last_rowid(struct gt_sqldb *db);

/* Binds text (NULL binds ""), borrowed until the statement is reset. */
void gt_sqldb_bind_text(sqlite3_stmt *s, int i, const char *v);

/* Binds a count or a sequence number, capped at INT64_MAX. */
void gt_sqldb_bind_u64(sqlite3_stmt *s, int i, uint64_t v);

/* The text of column i of the current row, "" for NULL (borrowed until the next step). */
const char *gt_sqldb_col_text(sqlite3_stmt *s, int i);

/* ---- Transactions ---- */

/* Starts a write transaction (BEGIN IMMEDIATE): GT_ESTATE if one is open, GT_EPERM on a
 * read-only handle. */
int gt_sqldb_begin(struct gt_sqldb *db);

/* Commits the open transaction; on failure it is rolled back and nothing of it is stored.
 * GT_ESTATE if none is open. */
int gt_sqldb_commit(struct gt_sqldb *db);

/* Rolls back the open transaction, if any, keeping the last failure's sentence. */
void gt_sqldb_rollback(struct gt_sqldb *db);

/* Whether a transaction is open. */
int gt_sqldb_in_tx(struct gt_sqldb *db);

/* A write scope: a transaction of its own when none is open, else a savepoint inside the
 * caller's. */
struct gt_sqldb_scope {
	int own; /* 1: BEGIN ... COMMIT; 0: SAVEPOINT ... RELEASE */
};

/* Enters a write scope (GT_EPERM on a read-only handle). */
int gt_sqldb_scope_enter(struct gt_sqldb *db, struct gt_sqldb_scope *sc);

/* Leaves a scope: commits (or releases) when rc is 0, else rolls back what the scope wrote,
 * keeping the first failure's sentence. Returns rc, or the commit's failure. */
int gt_sqldb_scope_leave(struct gt_sqldb *db, struct gt_sqldb_scope *sc, int rc);

/* Opens a read transaction (BEGIN) when none is open, so several statements see one
 * snapshot; *own says whether gt_sqldb_read_end() ends it. */
int gt_sqldb_read_begin(struct gt_sqldb *db, int *own);
void gt_sqldb_read_end(struct gt_sqldb *db, int own);

/* ---- Schema ---- */

/* The schema version of the open file (PRAGMA user_version) into *version. */
int gt_sqldb_version(struct gt_sqldb *db, int64_t *version);

#endif
