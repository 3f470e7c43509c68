/* Tests of the client store's handle: creating and opening, settings, metadata and org units,
 * schema upgrades. */
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
#include <sqlite3.h>

#include "cstore.h"
#include "cstorefx.h"
#include "error.h"
#include "fileio.h"
#include "homefx.h"

static void test_open_and_settings(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore *other = NULL;
	char buf[64], bad[1024];
	uint64_t v = 99;
	FILE *fp;

	assert_int_equal(gt_cstore_create(f->path, &other), GT_EEXIST);
	assert_null(other);
	assert_int_equal(gt_cstore_open("/nonexistent/client.db", &other), GT_ENOENT);
	snprintf(bad, sizeof(bad), "%s/bad.db", f->dir);
	fp = fopen(bad, "w");
	fputs("this is not a database, but it is long enough to look like a file header....", fp);
	fclose(fp);
	assert_int_not_equal(gt_cstore_open(bad, &other), GT_OK);
	assert_null(other);

	assert_int_equal(gt_cstore_config_get(f->st, "server", buf, sizeof(buf)), GT_ENOENT);
	assert_string_equal(buf, "");
	assert_int_equal(gt_cstore_config_get_u64(f->st, "n", &v), GT_OK);
	assert_int_equal(v, 0);
	assert_int_equal(gt_cstore_config_set(f->st, "server", "127.0.0.1:7443"), GT_OK);
	assert_int_equal(gt_cstore_config_set_u64(f->st, "n", 1234567890123ull), GT_OK);
	gt_cstore_close(f->st);
	assert_int_equal(gt_cstore_open(f->path, &f->st), GT_OK);
	assert_int_equal(gt_cstore_config_get(f->st, "server", buf, sizeof(buf)), GT_OK);
	assert_string_equal(buf, "127.0.0.1:7443");
	assert_int_equal(gt_cstore_config_get(f->st, "server", buf, 5), GT_ETOOBIG);
	assert_int_equal(gt_cstore_config_get_u64(f->st, "n", &v), GT_OK);
	assert_int_equal(v, 1234567890123ull);
	assert_int_equal(gt_cstore_config_get_u64(f->st, "server", &v), GT_ECORRUPT);
}

static void test_metadata(void **state)
{
	struct gt_cstorefx *f = *state;
	static const char *const names[] = {"combos.gtm", "kasus.gtm"};
	Gtsync__V1__MetadataFile mf[2], *mfp[2];
	Gtsync__V1__OrgUnit ou[2], *oup[2];
	uint8_t *data[2];
	struct gt_meta *m = NULL;
	struct gt_cstore_orgunit u;
	uint64_t n = 0, ver = 0;

	assert_int_equal(gt_cstore_metadata_load(f->st, &m, NULL), GT_ENOENT);
	gt_homefx_metadata_files(names, 2, mf, mfp, data);
	for (int i = 0; i < 2; i++) {
		gtsync__v1__org_unit__init(&ou[i]);
		oup[i] = &ou[i];
	}
	ou[0].code = "53";
	ou[0].name = "Nusa Tenggara Timur";
	ou[0].level = 2;
	ou[0].parent = "ID";
	ou[1].code = "53.71";
	ou[1].name = "Kota Kupang";
	ou[1].level = 3;
	ou[1].parent = "53";
	Gtsync__V1__MetadataReply rep = GTSYNC__V1__METADATA_REPLY__INIT;
	rep.version = 4;
	rep.files = mfp;
	rep.n_files = 2;
	rep.org_units = oup;
	rep.n_org_units = 2;
	assert_int_equal(gt_cstore_metadata_save(f->st, &rep), GT_OK);
	assert_int_equal(gt_cstore_metadata_load(f->st, &m, NULL), GT_OK);
	assert_non_null(gt_meta_dataset_find(m, "KK"));
	gt_meta_free(m);
	assert_int_equal(gt_cstore_config_get_u64(f->st, GT_CSTORE_CFG_MD_VERSION, &ver), GT_OK);
	assert_int_equal(ver, 4);
	assert_int_equal(gt_cstore_orgunit_get(f->st, "53.71", &u), GT_OK);
	assert_string_equal(u.name, "Kota Kupang");
	assert_int_equal(u.level, 3);
	assert_string_equal(u.parent, "53");
	assert_int_equal(gt_cstore_orgunit_get(f->st, "36", &u), GT_ENOENT);
	/* "Unchanged" keeps the files and replaces the org units. */
	rep.unchanged = 1;
	rep.n_files = 0;
	rep.n_org_units = 1;
	assert_int_equal(gt_cstore_metadata_save(f->st, &rep), GT_OK);
	assert_int_equal(gt_cstore_orgunit_count(f->st, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(gt_cstore_metadata_load(f->st, &m, NULL), GT_OK);
	gt_meta_free(m);
	free(data[0]);
	free(data[1]);
}

/* A store written by the first version (values only) is upgraded when opened. */
static void test_upgrade_from_v1(void **state)
{
	struct gt_cstorefx *f = *state;
	sqlite3 *db;
	struct gt_cstore_batch *p;
	size_t n;

	gt_cstorefx_make_batch(f->st, 1, 2, "v");
	gt_cstore_close(f->st);
	f->st = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "DROP TABLE action; ALTER TABLE batch DROP COLUMN n_actions;"
	                              "DROP TABLE dash_report;"
	                              "DROP TABLE tree_head; DROP TABLE tree_alarm;"
	                              "ALTER TABLE batch DROP COLUMN leaf;"
	                              "ALTER TABLE orgunit DROP COLUMN time_zone;"
	                              "PRAGMA user_version=1;",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(gt_cstore_open(f->path, &f->st), GT_OK);
	assert_int_equal(gt_cstore_batches_pending(f->st, &p, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].n_values, 2);
	assert_int_equal(p[0].n_actions, 0);
	gt_cstore_batches_free(p, n);
	gt_cstorefx_make_action_batch(f->st, 2, 1, 1);
	/* A store of a newer version is refused as such. */
	gt_cstore_close(f->st);
	f->st = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(gt_cstore_open(f->path, &f->st), GT_ENOTSUP);
	assert_null(f->st);
}

/* A new store is created 0600 whatever the umask; an existing empty file is not a store; a
 * store from a newer program is refused as such. */
static void test_file_and_versions(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore *other = NULL;
	char path[1100];
	struct stat sb;
	mode_t old;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/open.db", f->dir);
	old = umask(0);
	assert_int_equal(gt_cstore_create(path, &other), GT_OK);
	umask(old);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	gt_cstore_close(other);

	snprintf(path, sizeof(path), "%s/empty.db", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(gt_cstore_open(path, &other), GT_ECORRUPT);
	assert_null(other);
}

/* Inside a caller's transaction a failing call undoes only its own writes: here a batch whose
 * value was never queued fails after the batch row is written, and the caller's earlier value
 * is committed without that batch. The sentence names the statement that failed. */
static void test_savepoint_in_caller_tx(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore_value v = gt_cstorefx_val("KK_LP", "202607", "", "5");
	struct gt_cstore_batch b = {.seq = 7, .len = 3, .n_values = 1};
	struct gt_cstore_status s;
	int64_t no_such_row = 999;

	b.bytes = (uint8_t *)"abc";
	assert_int_equal(gt_cstore_begin(f->st), GT_OK);
	assert_int_equal(gt_cstore_queue(f->st, &v, GT_CSTOREFX_NOW, NULL), GT_OK);
	assert_int_equal(gt_cstore_batch_save(f->st, &b, &no_such_row, 1, GT_CSTOREFX_NOW),
	                 GT_ESTATE);
	assert_non_null(strstr(gt_cstore_errmsg(f->st), "changed while it was being packed"));
	assert_int_equal(gt_cstore_commit(f->st), GT_OK);
	gt_cstorefx_status(f->st, &s);
	assert_int_equal(s.values[GT_CSTORE_QUEUED], 1);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_PENDING], 0);

	/* A statement that fails is named in the sentence: a batch number used twice. */
	gt_cstorefx_make_batch(f->st, 8, 1, "x");
	b.seq = 8;
	assert_int_equal(gt_cstore_batch_save(f->st, &b, NULL, 0, GT_CSTOREFX_NOW), GT_ECONFLICT);
	assert_non_null(strstr(gt_cstore_errmsg(f->st), "saving a batch: "));
	/* Transactions are one at a time. */
	assert_int_equal(gt_cstore_begin(f->st), GT_OK);
	assert_int_equal(gt_cstore_begin(f->st), GT_ESTATE);
	gt_cstore_rollback(f->st);
	assert_int_equal(gt_cstore_commit(f->st), GT_ESTATE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_and_settings, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_metadata, gt_cstorefx_setup, gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_upgrade_from_v1, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_file_and_versions, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_savepoint_in_caller_tx, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
