/* Tests for server/store_export.c (issue 15, a national export in chunks): paging through a
 * data set's values with the cursor returns every non-deleted value in scope exactly once, in
 * key order, whatever the chunk size and whichever elements and periods are asked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "error.h"
#include "store.h"
#include "store_export.h"
#include "testutil.h"

static const char *const elements[] = {"E1", "E2", "E3", "E4"};
static const char *const periods[] = {"202401", "202402", "202403"};
static const char *const units[] = {"53", "53.01", "53.71", "61.01"};
static const char *const cocs[] = {"A", "B"};

#define N(a)     (sizeof(a) / sizeof((a)[0]))
#define MAX_KEYS 256

/* Opens a store with two provinces and their districts and every combination of the codes
 * above as a value (every seventh deleted, E4 only in the last period), straight into the
 * table: the export reads nothing else. */
static struct gt_store *make_store(char *path, size_t size)
{
	static const char csv[] = "code,name,level\n53,Nusa Tenggara Timur,province\n"
	                          "53.01,Kabupaten Kupang,district\n53.71,Kota Kupang,district\n"
	                          "61,Kalimantan Barat,province\n61.01,Kabupaten Sambas,district\n";
	struct gt_store_import_result res;
	struct gt_store *st = NULL;
	char *dir = gt_test_tmpdir("store-export");
	sqlite3 *db = NULL;
	int seq = 0;

	snprintf(path, size, "%s/gtsync.db", dir);
	free(dir);
	assert_int_equal(gt_store_open(path, 1, &st), 0);
	assert_int_equal(gt_store_orgunit_import_buf(st, (const uint8_t *)csv, strlen(csv), &res),
	                 0);
	gt_store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	for (size_t e = 0; e < N(elements); e++)
		for (size_t p = 0; p < N(periods); p++)
			for (size_t u = 0; u < N(units); u++)
				for (size_t c = 0; c < N(cocs); c++) {
					char sql[512];
					if (e == 3 && p < 2)
						continue;
					seq++;
					snprintf(sql, sizeof(sql),
					         "INSERT INTO datavalues(data_element, period, "
					         "org_unit, "
					         "coc, value, comment, revision, deleted, num, "
					         "origin_batch, "
					         "created_at_ms, updated_at_ms, change_seq) "
					         "VALUES('%s', "
					         "'%s', '%s', '%s', '%d', '', 1, %d, %d, "
					         "zeroblob(32), 1, 1, "
					         "%d)",
					         elements[e], periods[p], units[u], cocs[c], seq,
					         seq % 7 == 0, seq, seq);
					assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
					                 SQLITE_OK);
				}
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(gt_store_open(path, 1, &st), 0);
	return st;
}

/* The keys an export should return, straight from sqlite, in key order, as one string each. */
static size_t expected(const char *path, const char *where, char keys[MAX_KEYS][64])
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char sql[512];
	size_t n = 0;

	snprintf(sql, sizeof(sql),
	         "SELECT data_element || '/' || period || '/' || org_unit || '/' || coc FROM "
	         "datavalues WHERE deleted = 0 AND %s ORDER BY data_element, period, org_unit, coc",
	         where);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		assert_true(n < MAX_KEYS);
		snprintf(keys[n++], 64, "%s", (const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* Pages through q with chunks of size, checking each value against want in turn; returns the
 * number of chunks. */
static size_t page(struct gt_store *st, struct gt_store_export_query q, uint32_t size,
                   char want[MAX_KEYS][64], size_t n_want)
{
	char last[4][16] = {"", "", "", ""};
	const char *after[4] = {last[0], last[1], last[2], last[3]};
	size_t got = 0, chunks = 0;
	int more = 1;

	q.max_items = size;
	while (more) {
		struct gt_store_export_out out;
		assert_true(chunks++ <= MAX_KEYS);
		q.after = chunks > 1 ? after : NULL;
		assert_int_equal(gt_store_export(st, &q, &out), 0);
		assert_true(out.n_values <= size);
		for (size_t i = 0; i < out.n_values; i++) {
			const struct gt_store_value *v = &out.values[i].v;
			char key[64];
			snprintf(key, sizeof(key), "%s/%s/%s/%s", v->data_element, v->period,
			         v->org_unit, v->coc);
			assert_true(got < n_want);
			assert_string_equal(key, want[got]);
			got++;
		}
		if (out.n_values > 0) {
			const struct gt_store_value *v = &out.values[out.n_values - 1].v;
			snprintf(last[0], sizeof(last[0]), "%s", v->data_element);
			snprintf(last[1], sizeof(last[1]), "%s", v->period);
			snprintf(last[2], sizeof(last[2]), "%s", v->org_unit);
			snprintf(last[3], sizeof(last[3]), "%s", v->coc);
		}
		more = out.more;
		assert_true(more || out.n_values < size || got == n_want);
		gt_store_export_free(&out);
	}
	assert_int_equal(got, n_want);
	return chunks;
}

static void every_chunk_size(void **state)
{
	char path[1200], want[MAX_KEYS][64];
	struct gt_store *st;
	struct gt_store_export_query q = {
	    .org_unit = "ID",
	    .scope = GT_STORE_EXPORT_DESCENDANTS,
	    .dataset = "KK",
	    .elements = elements,
	    .n_elements = N(elements),
	    .periods = periods,
	    .n_periods = N(periods),
	};
	size_t n;
	(void)state;

	st = make_store(path, sizeof(path));
	n = expected(path, "1", want);
	assert_true(n > 60);
	for (uint32_t size = 1; size <= n + 1; size++)
		page(st, q, size, want, n);
	/* One chunk per value when the chunk holds one. */
	assert_int_equal(page(st, q, 1, want, n), n);

	/* A province's subtree, two of the elements (listed out of order) and the last two
	 * periods. */
	static const char *const some_elements[] = {"E4", "E2"};
	q.org_unit = "53";
	q.elements = some_elements;
	q.n_elements = 2;
	q.periods = periods + 1;
	q.n_periods = 2;
	n = expected(path,
	             "org_unit IN ('53', '53.01', '53.71') AND data_element IN ('E2', 'E4') AND "
	             "period IN ('202402', '202403')",
	             want);
	assert_true(n > 10);
	for (uint32_t size = 1; size <= n + 1; size++)
		page(st, q, size, want, n);
	gt_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_chunk_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
