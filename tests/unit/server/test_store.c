/* Tests for server/store.c and store_org.c: opening, schema, transactions, keys, metadata. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "crypto.h"
#include "error.h"
#include "key.h"
#include "logleaf.h"
#include "roleset.h"
#include "store.h"
#include "storefx.h"
#include "testutil.h"

/* Reads one integer with a separate sqlite connection (the test's own view of the file). */
static long long peek_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Returns 1 if the file's journal mode is WAL. */
static int is_wal(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int wal = 0;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		wal = strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
	sqlite3_finalize(s);
	sqlite3_close(db);
	return wal;
}

static void add_province(struct gt_store *st)
{
	struct gt_store_import_result res;
	const char *csv = "code,name,level\n53,Nusa Tenggara Timur,province\n"
	                  "53.71,Kota Kupang,district\n";

	assert_int_equal(gt_store_orgunit_import_buf(st, (const uint8_t *)csv, strlen(csv), &res),
	                 0);
}

static void open_missing_and_create(void **state)
{
	char *dir = gt_test_tmpdir("store-open");
	char *path = NULL;
	struct gt_store *st = (struct gt_store *)1;

	(void)state;
	assert_true(asprintf(&path, "%s/gtsync.db", dir) > 0);
	assert_int_equal(gt_store_open(path, 0, &st), GT_ENOENT);
	assert_null(st);
	assert_int_equal(gt_store_open_readonly(path, &st), GT_ENOENT);
	assert_int_equal(gt_store_open(path, 1, &st), 0);
	assert_non_null(st);
	gt_store_close(st);
	assert_int_equal(peek_int(path, "PRAGMA user_version"), GT_STORE_SCHEMA_VERSION);
	assert_true(is_wal(path));
	assert_int_equal(peek_int(path, "SELECT count(*) FROM orgunits WHERE code = 'ID'"), 1);
	gt_store_close(NULL);
	gt_test_rmtree(dir);
	free(dir);
	free(path);
}

static void open_refuses_foreign_files(void **state)
{
	char *dir = gt_test_tmpdir("store-foreign");
	char *path = NULL, *path2 = NULL;
	struct gt_store *st = NULL;
	sqlite3 *db = NULL;
	FILE *fp;

	(void)state;
	/* A file that is not sqlite at all. */
	assert_true(asprintf(&path, "%s/junk.db", dir) > 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("this is not a database, just some text that is long enough to be a header.....", fp);
	fclose(fp);
	assert_int_equal(gt_store_open(path, 1, &st), GT_ECORRUPT);
	assert_null(st);

	/* A sqlite file with someone else's tables. */
	assert_true(asprintf(&path2, "%s/other.db", dir) > 0);
	assert_int_equal(sqlite3_open(path2, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(gt_store_open(path2, 1, &st), GT_EINVAL);

	/* A newer schema than this program knows. */
	assert_int_equal(sqlite3_open(path2, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(gt_store_open(path2, 0, &st), GT_ENOTSUP);
	assert_int_equal(gt_store_open_readonly(path2, &st), GT_ENOTSUP);
	gt_test_rmtree(dir);
	free(dir);
	free(path);
	free(path2);
}

static void reopen_keeps_data(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store_orgunit u;
	uint8_t pub[32];
	char id[GT_KEY_ID_LEN + 1];
	struct gt_store_key k;

	add_province(f->st);
	memset(pub, 0x42, sizeof(pub));
	assert_int_equal(
	    gt_store_key_add(f->st, pub, "53.71", GTSYNC__V1__ROLE__ROLE_OPERATOR, 1000, id), 0);
	gt_store_close(f->st);
	f->st = NULL;
	assert_int_equal(gt_store_open(f->path, 0, &f->st), 0);
	assert_int_equal(gt_store_orgunit_get(f->st, "53.71", &u), 0);
	assert_string_equal(u.name, "Kota Kupang");
	assert_int_equal(gt_store_key_get(f->st, id, &k), 0);
	assert_memory_equal(k.public_key, pub, 32);
}

static void readonly_handle(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store *ro = NULL;
	struct gt_store_orgunit u;
	uint8_t pub[32];

	assert_int_equal(gt_store_open_readonly(f->path, &ro), 0);
	assert_int_equal(gt_store_orgunit_get(ro, "ID", &u), 0);
	memset(pub, 1, sizeof(pub));
	assert_int_equal(gt_store_key_add(ro, pub, "ID", GTSYNC__V1__ROLE__ROLE_READER, 1, NULL),
	                 GT_EPERM);
	assert_int_equal(gt_store_begin(ro), GT_EPERM);
	/* The reader sees what the writer commits. */
	add_province(f->st);
	assert_int_equal(gt_store_orgunit_get(ro, "53", &u), 0);
	gt_store_close(ro);
}

static void transactions(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store_orgunit u;

	assert_int_equal(gt_store_rollback(f->st), 0); /* none open: no-op */
	assert_int_equal(gt_store_commit(f->st), GT_ESTATE);
	assert_int_equal(gt_store_begin(f->st), 0);
	assert_int_equal(gt_store_begin(f->st), GT_ESTATE);
	add_province(f->st);
	assert_int_equal(gt_store_rollback(f->st), 0);
	assert_int_equal(gt_store_orgunit_get(f->st, "53", &u), GT_ENOENT);
	assert_non_null(strstr(gt_store_errmsg(f->st), "53"));

	assert_int_equal(gt_store_begin(f->st), 0);
	add_province(f->st);
	assert_int_equal(gt_store_commit(f->st), 0);
	assert_int_equal(gt_store_orgunit_get(f->st, "53", &u), 0);
	assert_int_equal(peek_int(f->path, "SELECT count(*) FROM orgunits"), 3);
}

struct keylist {
	size_t n, revoked;
	char first[GT_KEY_ID_LEN + 1];
};

static int key_cb(void *arg, const struct gt_store_key *k)
{
	struct keylist *l = arg;

	if (l->n == 0)
		memcpy(l->first, k->key_id, sizeof(l->first));
	l->n++;
	l->revoked += k->revoked ? 1 : 0;
	return 0;
}

static void keys(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_key *key = NULL;
	uint8_t pub[32], pub2[32];
	char id[GT_KEY_ID_LEN + 1], expect[GT_KEY_ID_LEN + 1], id2[GT_KEY_ID_LEN + 1];
	struct gt_store_key k;
	struct keylist l = {0};
	uint64_t seq = 99;

	add_province(f->st);
	assert_int_equal(gt_key_generate(&key), 0);
	assert_int_equal(gt_key_public(key, pub), 0);
	assert_int_equal(gt_key_id(key, expect), 0);

	assert_int_equal(gt_store_key_add(f->st, pub, "99", GTSYNC__V1__ROLE__ROLE_OPERATOR, 5, id),
	                 GT_ENOENT);
	assert_int_equal(gt_store_key_add(f->st, pub, "53.71", 0, 5, id), GT_EINVAL);
	assert_int_equal(gt_store_key_add(f->st, pub, "53.71", 6, 5, id), GT_EINVAL);
	assert_int_equal(
	    gt_store_key_add(f->st, pub, "53.71", GTSYNC__V1__ROLE__ROLE_OPERATOR, 5000, id), 0);
	assert_string_equal(id, expect);
	assert_int_equal(
	    gt_store_key_add(f->st, pub, "53", GTSYNC__V1__ROLE__ROLE_APPROVER, 6, id2), GT_EEXIST);

	assert_int_equal(gt_store_key_get(f->st, id, &k), 0);
	assert_string_equal(k.key_id, expect);
	assert_string_equal(k.org_unit, "53.71");
	assert_int_equal(k.roles, GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_OPERATOR));
	assert_int_equal(k.roles_held, k.roles);
	assert_string_equal(k.label, "");
	assert_int_equal(k.added_at_ms, 5000);
	assert_false(k.revoked);
	assert_int_equal(gt_store_key_get(f->st, "0000000000000000", &k), GT_ENOENT);

	memset(pub2, 7, sizeof(pub2));
	assert_int_equal(
	    gt_store_key_add(f->st, pub2, "53", GTSYNC__V1__ROLE__ROLE_AGGREGATOR, 7, id2), 0);
	assert_int_equal(gt_store_key_list(f->st, key_cb, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.revoked, 0);
	assert_string_equal(l.first, strcmp(id, id2) < 0 ? id : id2);

	assert_int_equal(gt_store_key_revoke(f->st, id, 9000), 0);
	assert_int_equal(gt_store_key_revoke(f->st, id, 9999), GT_ESTATE);
	assert_int_equal(gt_store_key_revoke(f->st, "ffffffffffffffff", 9999), GT_ENOENT);
	assert_int_equal(gt_store_key_get(f->st, id, &k), 0);
	assert_true(k.revoked);
	assert_int_equal(k.revoked_at_ms, 9000);
	/* A revoked key stays registered: adding it again is still a duplicate. */
	assert_int_equal(
	    gt_store_key_add(f->st, pub, "53.71", GTSYNC__V1__ROLE__ROLE_OPERATOR, 1, NULL),
	    GT_EEXIST);
	l = (struct keylist){0};
	assert_int_equal(gt_store_key_list(f->st, key_cb, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.revoked, 1);

	assert_int_equal(gt_store_key_last_sequence(f->st, id, &seq), 0);
	assert_int_equal(seq, 0);
	gt_key_free(key);
}

/* Issue 13 (keys and offices): roles granted and taken on a key, labels, and the roles it
 * ever held kept for the log's sake. */
/* The record of the newest leaf of st's log, which must be a key record. */
static void last_key_record(struct gt_store *st, struct gt_logleaf_keyinfo *k)
{
	uint64_t size = 0;
	uint8_t *entry = NULL;
	size_t len = 0;

	assert_int_equal(gt_store_tree_size(st, &size), 0);
	assert_true(size > 0);
	assert_int_equal(gt_store_tree_entry(st, size - 1, &entry, &len), 0);
	assert_int_equal(gt_logleaf_key_parse(entry, len, k), 0);
	free(entry);
}

static void key_roles_and_labels(void **state)
{
	struct gt_storefx *f = *state;
	const unsigned op = GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_OPERATOR);
	const unsigned appr = GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_APPROVER);
	uint8_t pub[32];
	char id[GT_KEY_ID_LEN + 1], label[GT_KEYLABEL_MAX];
	struct gt_store_key k;
	struct gt_logleaf_keyinfo rec;

	add_province(f->st);
	memset(pub, 0x33, sizeof(pub));
	assert_int_equal(gt_store_key_register(f->st, pub, "53.71", 0, NULL, 1, id), GT_EINVAL);
	assert_int_equal(gt_store_key_register(f->st, pub, "53.71", 1u << 9, NULL, 1, id),
	                 GT_EINVAL);
	assert_int_equal(gt_store_key_register(f->st, pub, "53.71", op, "bad\nlabel", 1, id),
	                 GT_EINVAL);
	assert_int_equal(gt_store_key_register(f->st, pub, "53.71", op | appr,
	                                       "Sekretariat GT Kota Kupang \xe2\x80\x94 operator 1",
	                                       1, id),
	                 0);
	assert_int_equal(gt_store_key_get(f->st, id, &k), 0);
	assert_int_equal(k.roles, op | appr);
	assert_string_equal(k.label, "Sekretariat GT Kota Kupang \xe2\x80\x94 operator 1");
	assert_int_equal(gt_store_key_label(f->st, id, label, sizeof(label)), 0);
	assert_string_equal(label, k.label);
	assert_int_equal(gt_store_key_label(f->st, "0000000000000000", label, sizeof(label)), 0);
	assert_string_equal(label, "");

	/* Taking the approver role leaves the operator; the role stays among those held. */
	assert_int_equal(gt_store_key_revoke_roles(f->st, id, appr, 1234), 0);
	assert_int_equal(gt_store_key_get(f->st, id, &k), 0);
	assert_int_equal(k.roles, op);
	assert_int_equal(k.roles_held, op | appr);
	/* The change is logged at the time the caller gives (issue 14), with the key's label. */
	last_key_record(f->st, &rec);
	assert_int_equal(rec.action, GTSYNC__V1__KEY_ACTION__KEY_ROLES_CHANGED);
	assert_int_equal(rec.roles, op);
	assert_int_equal(rec.at_ms, 1234);
	assert_string_equal(rec.label, k.label);
	assert_int_equal(gt_store_key_revoke_roles(f->st, id, appr, 5), GT_ESTATE);
	/* The last role is not taken: the key is revoked instead. */
	assert_int_equal(gt_store_key_revoke_roles(f->st, id, op, 5), GT_ESTATE);
	assert_non_null(strstr(gt_store_errmsg(f->st), "revoke the key"));
	assert_int_equal(
	    gt_store_key_grant(f->st, id, GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_READER), 5678), 0);
	assert_int_equal(gt_store_key_get(f->st, id, &k), 0);
	assert_int_equal(k.roles, op | GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_READER));
	last_key_record(f->st, &rec);
	assert_int_equal(rec.at_ms, 5678);
	assert_int_equal(gt_store_key_grant(f->st, "ffffffffffffffff", op, 5), GT_ENOENT);
	assert_int_equal(gt_store_key_grant(f->st, id, 0, 5), GT_EINVAL);

	assert_int_equal(gt_store_key_set_label(f->st, id, "Kota Kupang, operator 2", 1000), 0);
	assert_int_equal(gt_store_key_set_label(f->st, id, "\x1b[31m", 1000), GT_EINVAL);
	assert_int_equal(gt_store_key_get(f->st, id, &k), 0);
	assert_string_equal(k.label, "Kota Kupang, operator 2");
	/* A new label is a record of its own (issue 14), at the caller's time; the same label
	 * again logs nothing. */
	last_key_record(f->st, &rec);
	assert_int_equal(rec.action, GTSYNC__V1__KEY_ACTION__KEY_LABEL_CHANGED);
	assert_string_equal(rec.label, "Kota Kupang, operator 2");
	assert_int_equal(rec.at_ms, 1000);
	assert_int_equal(rec.roles, k.roles);
	assert_int_equal(gt_store_key_set_label(f->st, id, "Kota Kupang, operator 2", 2000), 0);
	last_key_record(f->st, &rec);
	assert_int_equal(rec.at_ms, 1000);

	/* A revoked key gains no role, but may still be labelled. */
	assert_int_equal(gt_store_key_revoke(f->st, id, 9), 0);
	assert_int_equal(gt_store_key_grant(f->st, id, appr, 5), GT_ESTATE);
	assert_int_equal(gt_store_key_set_label(f->st, id, "", 3000), 0);
	last_key_record(f->st, &rec);
	assert_int_equal(rec.action, GTSYNC__V1__KEY_ACTION__KEY_LABEL_CHANGED);
	assert_string_equal(rec.label, "");
	assert_int_equal(rec.at_ms, 3000);
}

/* Issue 13 (keys and offices): a store of schema version 4 (one role per key) migrates; its
 * keys keep their one role and have no label. */
static void migrates_single_role_keys(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store_key k;
	sqlite3 *db = NULL;

	add_province(f->st);
	gt_store_close(f->st);
	f->st = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "DROP TABLE log_tree;"
	                 "ALTER TABLE batch_log DROP COLUMN leaf;"
	                 "ALTER TABLE keys DROP COLUMN roles;"
	                 "ALTER TABLE keys DROP COLUMN roles_held;"
	                 "ALTER TABLE keys DROP COLUMN label;"
	                 "DROP TABLE read_log;" /* added at a later version (issue 14) */
	                 "INSERT INTO keys(key_id, public_key, org_unit, role, added_at_ms) "
	                 "VALUES('00000000000000aa', zeroblob(32), '53.71', 2, 5);"
	                 "PRAGMA user_version = 4;",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(gt_store_open(f->path, 0, &f->st), 0);
	assert_int_equal(peek_int(f->path, "PRAGMA user_version"), GT_STORE_SCHEMA_VERSION);
	assert_int_equal(gt_store_key_get(f->st, "00000000000000aa", &k), 0);
	assert_int_equal(k.roles, GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_APPROVER));
	assert_int_equal(k.roles_held, k.roles);
	assert_string_equal(k.label, "");
}

static void metadata(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store_metadata md;
	struct gt_store_metafile files[2] = {
	    {.name = "kasus.gtm", .content = (const uint8_t *)"gtsync-metadata 1\n", .len = 18},
	    {.name = "a.gtm", .content = (const uint8_t *)"", .len = 0},
	};
	struct gt_store_metafile dup[2] = {files[0], files[0]};
	uint8_t digest[32], sum[32];
	uint64_t version = 0;

	memset(digest, 0xab, sizeof(digest));
	assert_int_equal(gt_store_metadata_get(f->st, &md), 0);
	assert_int_equal(md.version, 0);
	assert_int_equal(md.n_files, 0);
	gt_store_metadata_free(&md);

	assert_int_equal(gt_store_metadata_put(f->st, files, 2, digest, 100, &version), 0);
	assert_int_equal(version, 1);
	assert_int_equal(gt_store_metadata_get(f->st, &md), 0);
	assert_int_equal(md.version, 1);
	assert_int_equal(md.loaded_at_ms, 100);
	assert_memory_equal(md.digest, digest, 32);
	assert_int_equal(md.n_files, 2);
	assert_string_equal(md.files[0].name, "a.gtm"); /* name order */
	assert_int_equal(md.files[0].len, 0);
	assert_string_equal(md.files[1].name, "kasus.gtm");
	assert_int_equal(md.files[1].len, 18);
	assert_memory_equal(md.files[1].content, "gtsync-metadata 1\n", 18);
	assert_int_equal(gt_crypto_sha256("gtsync-metadata 1\n", 18, sum), 0);
	assert_memory_equal(md.files[1].sha256, sum, 32);
	gt_store_metadata_free(&md);
	gt_store_metadata_free(NULL);

	/* A replacement set drops the old files and bumps the version. */
	assert_int_equal(gt_store_metadata_put(f->st, files, 1, digest, 200, &version), 0);
	assert_int_equal(version, 2);
	assert_int_equal(gt_store_metadata_get(f->st, &md), 0);
	assert_int_equal(md.version, 2);
	assert_int_equal(md.n_files, 1);
	gt_store_metadata_free(&md);

	assert_int_equal(gt_store_metadata_put(f->st, dup, 2, digest, 300, &version), GT_EINVAL);
	assert_int_equal(version, 0);
	assert_int_equal(gt_store_metadata_get(f->st, &md), 0);
	assert_int_equal(md.version, 2);
	gt_store_metadata_free(&md);
	assert_int_equal(peek_int(f->path, "SELECT count(*) FROM metadata_version"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(open_missing_and_create),
	    cmocka_unit_test(open_refuses_foreign_files),
	    GT_STOREFX_TEST(reopen_keeps_data),
	    GT_STOREFX_TEST(readonly_handle),
	    GT_STOREFX_TEST(transactions),
	    GT_STOREFX_TEST(keys),
	    GT_STOREFX_TEST(key_roles_and_labels),
	    GT_STOREFX_TEST(migrates_single_role_keys),
	    GT_STOREFX_TEST(metadata),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
