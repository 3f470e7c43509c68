/* Tests of the sqlite layer: opening and creating, schema versions and migrations, statements
 * with named errors, transactions and savepoints, read-only handles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "sqldb.h"
#include "testutil.h"

enum { Q_INS, Q_GET, Q_COUNT, Q_ALL, Q_MAX, Q_BAD, Q_N };

static const struct gt_sqldb_stmt stmts[Q_N] = {
    [Q_INS] = {"saving a thing", "INSERT INTO thing(name, n) VALUES(?1, ?2)"},
    [Q_GET] = {"reading a thing", "SELECT n FROM thing WHERE name = ?1"},
    [Q_COUNT] = {"counting things", "SELECT count(*) FROM thing"},
    [Q_ALL] = {"listing things", "SELECT name, n FROM thing ORDER BY name"},
    [Q_MAX] = {"finding the largest", "SELECT max(n) FROM thing"},
    [Q_BAD] = {"reading a missing table", "SELECT x FROM no_such_table"},
};

static int fn_calls;

/* A migration step in C: records that it ran and adds a row. */
static int add_row(struct gt_sqldb *db, void *arg)
{
	(void)arg;
	fn_calls++;
	return sqlite3_exec(gt_sqldb_handle(db), "INSERT INTO thing(name, n) VALUES('seed', 1)",
	                    NULL, NULL, NULL) == SQLITE_OK
	           ? GT_OK
	           : GT_ESTORE;
}

static const struct gt_sqldb_migration v1[] = {
    {"the things", "CREATE TABLE thing(name TEXT PRIMARY KEY, n INTEGER NOT NULL);", NULL},
};
static const struct gt_sqldb_migration v2[] = {
    {"the things", "CREATE TABLE thing(name TEXT PRIMARY KEY, n INTEGER NOT NULL);", NULL},
    {"a note per thing and a seed", "ALTER TABLE thing ADD COLUMN note TEXT;", add_row},
};
static const struct gt_sqldb_migration v2_broken[] = {
    {"the things", "CREATE TABLE thing(name TEXT PRIMARY KEY, n INTEGER NOT NULL);", NULL},
    {"a broken step", "ALTER TABLE thing ADD COLUMN note TEXT; CREATE TABLE thing(x);", NULL},
};

struct fx {
	char *dir;
	char path[1024];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->dir = gt_test_tmpdir("sqldb");
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	fn_calls = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	gt_test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static struct gt_sqldb_config config(const char *path, unsigned flags,
                                     const struct gt_sqldb_migration *m, size_t nm)
{
	struct gt_sqldb_config c = {
	    .path = path,
	    .flags = flags,
	    .what = "test store",
	    .busy_ms = 1000,
	    .stmts = stmts,
	    .n_stmts = Q_N,
	    .migrations = m,
	    .n_migrations = nm,
	};
	return c;
}

static int64_t version_of(const char *path)
{
	sqlite3 *raw;
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(raw);
	return v;
}

static void insert(struct gt_sqldb *db, const char *name, int64_t n, int expect)
{
	sqlite3_stmt *s = gt_sqldb_stmt(db, Q_INS);

	assert_non_null(s);
	gt_sqldb_bind_text(s, 1, name);
	sqlite3_bind_int64(s, 2, n);
	assert_int_equal(gt_sqldb_run(db, s), expect);
}

static uint64_t count(struct gt_sqldb *db)
{
	uint64_t n = 99;

	assert_int_equal(gt_sqldb_count(db, Q_COUNT, &n), GT_OK);
	return n;
}

/* A new store: created 0600 whatever the umask, initialized to the newest version; a second
 * create of the same path is refused and leaves the file as it was. */
static void test_create(void **state)
{
	struct fx *f = *state;
	struct gt_sqldb_config c = config(f->path, GT_SQLDB_CREATE_NEW, v1, 1);
	struct gt_sqldb *db = NULL;
	struct stat st;
	char why[256];
	mode_t old = umask(0);

	assert_int_equal(gt_sqldb_open(&c, &db, why, sizeof(why)), GT_OK);
	umask(old);
	assert_string_equal(why, "");
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	insert(db, "a", 1, GT_OK);
	assert_int_equal(count(db), 1);
	assert_false(gt_sqldb_readonly(db));
	gt_sqldb_close(db);
	assert_int_equal(version_of(f->path), 1);

	assert_int_equal(gt_sqldb_open(&c, &db, why, sizeof(why)), GT_EEXIST);
	assert_null(db);
	assert_non_null(strstr(why, f->path));
	c.flags = 0;
	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	assert_int_equal(count(db), 1);
	gt_sqldb_close(db);
}

/* Opening: a missing file, a file that is not sqlite, an sqlite file of another program, an
 * empty file without the create flag. */
static void test_open_refusals(void **state)
{
	struct fx *f = *state;
	struct gt_sqldb_config c = config(f->path, 0, v1, 1);
	struct gt_sqldb *db = (struct gt_sqldb *)1;
	char why[256];
	sqlite3 *raw;
	FILE *fp;

	assert_int_equal(gt_sqldb_open(&c, &db, why, sizeof(why)), GT_ENOENT);
	assert_null(db);
	assert_int_equal(access(f->path, F_OK), -1);

	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(gt_sqldb_open(&c, &db, why, sizeof(why)), GT_ENOENT);
	assert_non_null(strstr(why, "not initialized"));
	/* With the create flag the same empty file is initialized. */
	c.flags = GT_SQLDB_CREATE;
	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	gt_sqldb_close(db);
	unlink(f->path);

	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("this is a text file, not a database, and it is long enough to have a header", fp);
	for (int i = 0; i < 100; i++)
		fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", fp);
	fclose(fp);
	c.flags = GT_SQLDB_CREATE;
	assert_int_equal(gt_sqldb_open(&c, &db, why, sizeof(why)), GT_ECORRUPT);
	/* A file it did not create is never removed. */
	assert_int_equal(access(f->path, F_OK), 0);
	unlink(f->path);

	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "CREATE TABLE other(x);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(gt_sqldb_open(&c, &db, why, sizeof(why)), GT_ECORRUPT);
	assert_string_equal(why, "the file is not a test store");
	/* A store may name its own code for another program's file. */
	c.foreign_code = GT_EINVAL;
	assert_int_equal(gt_sqldb_open(&c, &db, why, sizeof(why)), GT_EINVAL);
	assert_null(db);
	assert_string_equal(why, "the file is not a test store");
}

/* A store written by a newer program is refused, and says so. */
static void test_newer_version(void **state)
{
	struct fx *f = *state;
	struct gt_sqldb_config c = config(f->path, GT_SQLDB_CREATE_NEW, v2, 2);
	struct gt_sqldb *db;
	char why[256];

	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	gt_sqldb_close(db);
	c = config(f->path, 0, v1, 1);
	assert_int_equal(gt_sqldb_open(&c, &db, why, sizeof(why)), GT_ENOTSUP);
	assert_null(db);
	assert_non_null(strstr(why, "schema version 2, newer than this program's 1"));
}

/* An older store is migrated step by step (SQL, then the step's function); a read-only open
 * does not migrate. */
static void test_migrations(void **state)
{
	struct fx *f = *state;
	struct gt_sqldb_config c = config(f->path, GT_SQLDB_CREATE_NEW, v1, 1);
	struct gt_sqldb *db;
	char why[256];

	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	insert(db, "old", 7, GT_OK);
	gt_sqldb_close(db);

	c = config(f->path, GT_SQLDB_READONLY, v2, 2);
	assert_int_equal(gt_sqldb_open(&c, &db, why, sizeof(why)), GT_ENOTSUP);
	assert_non_null(strstr(why, "needs an upgrade"));
	assert_int_equal(fn_calls, 0);

	c = config(f->path, 0, v2, 2);
	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	assert_int_equal(fn_calls, 1);
	assert_int_equal(count(db), 2); /* the old row and the seed */
	assert_int_equal(
	    sqlite3_exec(gt_sqldb_handle(db), "UPDATE thing SET note = 'x'", NULL, NULL, NULL),
	    SQLITE_OK);
	gt_sqldb_close(db);
	assert_int_equal(version_of(f->path), 2);
	/* Opening again migrates nothing. */
	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	assert_int_equal(fn_calls, 1);
	gt_sqldb_close(db);
}

/* A failing step is rolled back whole: the version and the tables stay as they were, and the
 * sentence names the step. A store that fails its first creation is removed. */
static void test_failed_migration(void **state)
{
	struct fx *f = *state;
	struct gt_sqldb_config c = config(f->path, GT_SQLDB_CREATE_NEW, v1, 1);
	struct gt_sqldb *db;
	char why[512];

	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	insert(db, "old", 7, GT_OK);
	gt_sqldb_close(db);
	c = config(f->path, 0, v2_broken, 2);
	assert_int_not_equal(gt_sqldb_open(&c, &db, why, sizeof(why)), GT_OK);
	assert_null(db);
	assert_non_null(strstr(why, "schema version 2 (a broken step)"));
	assert_int_equal(version_of(f->path), 1);
	c = config(f->path, 0, v1, 1);
	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	/* The column the broken step added first is gone again. */
	assert_int_not_equal(
	    sqlite3_exec(gt_sqldb_handle(db), "UPDATE thing SET note = 'x'", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(count(db), 1);
	gt_sqldb_close(db);

	unlink(f->path);
	c = config(f->path, GT_SQLDB_CREATE_NEW, v2_broken, 2);
	assert_int_not_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	assert_int_equal(access(f->path, F_OK), -1);

	/* GT_SQLDB_KEEP_NEW keeps it, at the version of the last step that worked. */
	c.flags = GT_SQLDB_CREATE_NEW | GT_SQLDB_KEEP_NEW;
	assert_int_not_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	assert_null(db);
	assert_int_equal(access(f->path, F_OK), 0);
	assert_int_equal(version_of(f->path), 1);
}

/* An in-memory database: configured (the store's pragmas, the hook) but with no schema and
 * no file; the caller creates the tables. Read-only and create flags do not go with it. */
static void test_memory(void **state)
{
	struct fx *f = *state;
	struct gt_sqldb_config c = config(NULL, GT_SQLDB_MEMORY, v2, 2);
	struct gt_sqldb *db;
	int64_t v = -1;

	c.pragmas = "PRAGMA user_version = 5;";
	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	assert_int_equal(gt_sqldb_version(db, &v), GT_OK);
	assert_int_equal(v, 5); /* no migration ran over the pragma's version */
	assert_int_equal(fn_calls, 0);
	assert_null(gt_sqldb_stmt(db, Q_COUNT)); /* no table yet */
	assert_int_equal(sqlite3_exec(gt_sqldb_handle(db),
	                              "CREATE TABLE thing(name TEXT PRIMARY KEY, n INTEGER);", NULL,
	                              NULL, NULL),
	                 SQLITE_OK);
	insert(db, "a", 1, GT_OK);
	assert_int_equal(count(db), 1);
	gt_sqldb_close(db);
	assert_int_equal(access(f->path, F_OK), -1);
	c.flags = GT_SQLDB_MEMORY | GT_SQLDB_READONLY;
	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_EINVAL);
}

/* Statements: cached, stepped row by row, failures named after the statement. */
static void test_statements(void **state)
{
	struct fx *f = *state;
	struct gt_sqldb_config c = config(f->path, GT_SQLDB_CREATE_NEW, v1, 1);
	struct gt_sqldb *db;
	sqlite3_stmt *s, *again;
	uint64_t max = 9;
	int rc, rows = 0;

	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	assert_string_equal(gt_sqldb_errmsg(db), "no error");
	assert_int_equal(gt_sqldb_count(db, Q_MAX, &max), GT_OK);
	assert_int_equal(max, 0); /* NULL reads as 0 */
	insert(db, "b", 2, GT_OK);
	insert(db, "a", 1, GT_OK);
	assert_int_equal(gt_sqldb_changes(db), 1);
	assert_int_equal(gt_sqldb_last_rowid(db), 2);
	/* The same name again breaks the primary key: a conflict, named. */
	insert(db, "a", 3, GT_ECONFLICT);
	assert_non_null(strstr(gt_sqldb_errmsg(db), "saving a thing: "));

	s = gt_sqldb_stmt(db, Q_ALL);
	while ((rc = gt_sqldb_step(db, s)) == 1) {
		assert_string_equal(gt_sqldb_col_text(s, 0), rows == 0 ? "a" : "b");
		rows++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(rows, 2);
	/* The statement is kept, and handed out reset. */
	again = gt_sqldb_stmt(db, Q_ALL);
	assert_ptr_equal(s, again);
	assert_int_equal(gt_sqldb_step(db, again), 1);
	assert_string_equal(gt_sqldb_col_text(again, 0), "a");
	gt_sqldb_reset(again);
	assert_int_equal(gt_sqldb_count(db, Q_MAX, &max), GT_OK);
	assert_int_equal(max, 2);

	/* A statement that does not prepare says which one. */
	assert_null(gt_sqldb_stmt(db, Q_BAD));
	assert_non_null(strstr(gt_sqldb_errmsg(db), "preparing 'reading a missing table'"));
	assert_null(gt_sqldb_stmt(db, Q_N));
	assert_int_equal(gt_sqldb_run_id(db, Q_N), GT_ESTORE);
	/* NULL text binds as "", NULL columns read as "". */
	s = gt_sqldb_stmt(db, Q_INS);
	gt_sqldb_bind_text(s, 1, NULL);
	gt_sqldb_bind_u64(s, 2, UINT64_MAX);
	assert_int_equal(gt_sqldb_run(db, s), GT_OK);
	s = gt_sqldb_stmt(db, Q_GET);
	gt_sqldb_bind_text(s, 1, "");
	assert_int_equal(gt_sqldb_step(db, s), 1);
	assert_int_equal(sqlite3_column_int64(s, 0), INT64_MAX);
	gt_sqldb_reset(s);
	gt_sqldb_close(db);
	gt_sqldb_close(NULL);
	assert_string_equal(gt_sqldb_errmsg(NULL), "no store");
}

/* Transactions: one at a time; a scope inside a transaction is a savepoint whose failure undoes
 * only its own writes; a scope of its own commits or rolls back whole. */
static void test_transactions(void **state)
{
	struct fx *f = *state;
	struct gt_sqldb_config c = config(f->path, GT_SQLDB_CREATE_NEW, v1, 1);
	struct gt_sqldb_scope sc;
	struct gt_sqldb *db;
	int own;

	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	assert_int_equal(gt_sqldb_commit(db), GT_ESTATE);
	assert_int_equal(gt_sqldb_begin(db), GT_OK);
	assert_true(gt_sqldb_in_tx(db));
	assert_int_equal(gt_sqldb_begin(db), GT_ESTATE);
	insert(db, "outer", 1, GT_OK);
	assert_int_equal(gt_sqldb_scope_enter(db, &sc), GT_OK);
	assert_int_equal(sc.own, 0);
	insert(db, "inner", 2, GT_OK);
	insert(db, "outer", 3, GT_ECONFLICT);
	assert_int_equal(gt_sqldb_scope_leave(db, &sc, GT_ECONFLICT), GT_ECONFLICT);
	/* The first failure's sentence survives the cleanup. */
	assert_non_null(strstr(gt_sqldb_errmsg(db), "saving a thing"));
	assert_true(gt_sqldb_in_tx(db));
	assert_int_equal(count(db), 1);
	assert_int_equal(gt_sqldb_scope_enter(db, &sc), GT_OK);
	insert(db, "inner", 2, GT_OK);
	assert_int_equal(gt_sqldb_scope_leave(db, &sc, GT_OK), GT_OK);
	assert_int_equal(gt_sqldb_commit(db), GT_OK);
	assert_false(gt_sqldb_in_tx(db));
	assert_int_equal(count(db), 2);

	/* A scope of its own. */
	assert_int_equal(gt_sqldb_scope_enter(db, &sc), GT_OK);
	assert_int_equal(sc.own, 1);
	insert(db, "gone", 4, GT_OK);
	assert_int_equal(gt_sqldb_scope_leave(db, &sc, GT_EIO), GT_EIO);
	assert_false(gt_sqldb_in_tx(db));
	assert_int_equal(count(db), 2);
	assert_int_equal(gt_sqldb_begin(db), GT_OK);
	insert(db, "rolled back", 5, GT_OK);
	gt_sqldb_rollback(db);
	gt_sqldb_rollback(db);
	assert_int_equal(count(db), 2);

	/* A read spans several statements in one snapshot, and nests in a write. */
	assert_int_equal(gt_sqldb_read_begin(db, &own), GT_OK);
	assert_int_equal(own, 1);
	assert_int_equal(count(db), 2);
	gt_sqldb_read_end(db, own);
	assert_false(gt_sqldb_in_tx(db));
	assert_int_equal(gt_sqldb_begin(db), GT_OK);
	assert_int_equal(gt_sqldb_read_begin(db, &own), GT_OK);
	assert_int_equal(own, 0);
	gt_sqldb_read_end(db, own);
	assert_true(gt_sqldb_in_tx(db));
	/* Closing with a transaction open rolls it back. */
	insert(db, "never", 6, GT_OK);
	gt_sqldb_close(db);
	c.flags = 0;
	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	assert_int_equal(count(db), 2);
	gt_sqldb_close(db);
}

/* A read-only handle reads and refuses every write, and sees what a writer commits. */
static void test_readonly(void **state)
{
	struct fx *f = *state;
	struct gt_sqldb_config c = config(f->path, GT_SQLDB_CREATE_NEW, v1, 1);
	struct gt_sqldb_scope sc;
	struct gt_sqldb *w, *r;

	assert_int_equal(gt_sqldb_open(&c, &w, NULL, 0), GT_OK);
	insert(w, "a", 1, GT_OK);
	c.flags = GT_SQLDB_READONLY;
	assert_int_equal(gt_sqldb_open(&c, &r, NULL, 0), GT_OK);
	assert_true(gt_sqldb_readonly(r));
	assert_int_equal(count(r), 1);
	assert_int_equal(gt_sqldb_begin(r), GT_EPERM);
	assert_int_equal(gt_sqldb_scope_enter(r, &sc), GT_EPERM);
	insert(r, "b", 2, GT_EPERM);
	assert_non_null(strstr(gt_sqldb_errmsg(r), "saving a thing: the store is read-only"));
	insert(w, "c", 3, GT_OK);
	assert_int_equal(count(r), 2);
	gt_sqldb_close(r);
	gt_sqldb_close(w);
	/* Read-only and create do not go together. */
	c.flags = GT_SQLDB_READONLY | GT_SQLDB_CREATE;
	assert_int_equal(gt_sqldb_open(&c, &r, NULL, 0), GT_EINVAL);
}

/* The open hook runs before the schema check and can fail the open; extra pragmas apply. */
static int hook_calls;

static int hook(struct gt_sqldb *db, void *arg)
{
	hook_calls++;
	return *(int *)arg;
}

static void test_hook_and_pragmas(void **state)
{
	struct fx *f = *state;
	struct gt_sqldb_config c = config(f->path, GT_SQLDB_CREATE_NEW, v1, 1);
	struct gt_sqldb *db;
	sqlite3_stmt *s;
	int fail = GT_OK;

	c.on_open = hook;
	c.arg = &fail;
	c.pragmas = "PRAGMA cache_size = -1234;";
	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	assert_int_equal(hook_calls, 1);
	assert_int_equal(sqlite3_prepare_v2(gt_sqldb_handle(db), "PRAGMA cache_size", -1, &s, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), -1234);
	sqlite3_finalize(s);
	assert_int_equal(
	    sqlite3_prepare_v2(gt_sqldb_handle(db), "PRAGMA journal_mode", -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	assert_int_equal(
	    sqlite3_prepare_v2(gt_sqldb_handle(db), "PRAGMA synchronous", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 2); /* FULL */
	sqlite3_finalize(s);
	gt_sqldb_close(db);

	fail = GT_EIO;
	c.flags = 0;
	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_EIO);
	assert_null(db);
	assert_int_equal(hook_calls, 2);
}

/* Errors map to GT_E* codes with a sentence: a full disk says so. */
static void test_error_mapping(void **state)
{
	struct fx *f = *state;
	struct gt_sqldb_config c = config(f->path, GT_SQLDB_CREATE_NEW, v1, 1);
	struct gt_sqldb *db;

	assert_int_equal(gt_sqldb_open(&c, &db, NULL, 0), GT_OK);
	assert_int_equal(gt_sqldb_error(db, SQLITE_FULL, "saving"), GT_ENOSPC);
	assert_string_equal(gt_sqldb_errmsg(db), "saving: the disk is full");
	assert_int_equal(gt_sqldb_error(db, SQLITE_BUSY, "saving"), GT_EBUSY);
	assert_int_equal(gt_sqldb_error(db, SQLITE_CORRUPT, "reading"), GT_ECORRUPT);
	assert_int_equal(gt_sqldb_error(db, SQLITE_ERROR, "reading"), GT_ESTORE);
	assert_int_equal(gt_sqldb_fail(db, GT_EINVAL, "bad %s", "thing"), GT_EINVAL);
	assert_string_equal(gt_sqldb_errmsg(db), "bad thing");
	gt_sqldb_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_create, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_migration, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_statements, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hook_and_pragmas, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_error_mapping, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
