/* Tests for server/store_reads.c (issue 14, attributable reads): reads are recorded in the
 * caller's transaction, listed from a time on and by key, and forgotten after the retention. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "store.h"
#include "store_reads.h"
#include "testutil.h"

struct seen {
	size_t n;
	char kinds[8][16];
	int64_t at[8];
};

static int collect(void *arg, const struct gt_store_read *r)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->kinds[s->n], sizeof(s->kinds[0]), "%s", r->kind);
		s->at[s->n] = r->at_ms;
	}
	s->n++;
	return 0;
}

static void record_list_forget(void **state)
{
	char *dir = gt_test_tmpdir("reads"), path[1200];
	struct gt_store *st = NULL;
	struct seen s = {0};
	(void)state;

	snprintf(path, sizeof(path), "%s/gtsync.db", dir);
	assert_int_equal(gt_store_open(path, 1, &st), 0);
	struct gt_store_read r = {
	    1000, "KEYREADER0000001", "53", 1u << 5, "report", "53", "KK", "2025", 42};
	assert_int_equal(gt_store_begin(st), 0);
	assert_int_equal(gt_store_read_record(st, &r, 0), 0);
	r.at_ms = 2000;
	r.kind = "pull";
	r.key_id = "KEYAGGREGATOR001";
	assert_int_equal(gt_store_read_record(st, &r, 0), 0);
	assert_int_equal(gt_store_commit(st), 0);

	assert_int_equal(gt_store_reads_list(st, 0, NULL, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.kinds[0], "report");
	assert_string_equal(s.kinds[1], "pull");
	memset(&s, 0, sizeof(s));
	assert_int_equal(gt_store_reads_list(st, 1500, NULL, collect, &s), 0);
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(gt_store_reads_list(st, 0, "KEYREADER0000001", collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.kinds[0], "report");

	/* A read at 5000 with a retention from 1500 forgets the one at 1000. */
	r.at_ms = 5000;
	r.kind = "export";
	assert_int_equal(gt_store_begin(st), 0);
	assert_int_equal(gt_store_read_record(st, &r, 1500), 0);
	assert_int_equal(gt_store_commit(st), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(gt_store_reads_list(st, 0, NULL, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_true(s.at[0] == 2000 && s.at[1] == 5000);
	gt_store_close(st);
	gt_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(record_list_forget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
