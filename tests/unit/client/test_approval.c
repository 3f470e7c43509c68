/* Tests for client/approval.c: the approval digest over pulled chunks keeps exactly the values
 * the server digests (data set's elements, periods the approval period contains, the subtree,
 * the latest change of each key, deletions removed) and lists them in canonical order. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "approval.h"
#include "digest.h"
#include "error.h"
#include "metadata.h"

struct pv {
	Gtsync__V1__PulledValue p;
	Gtsync__V1__DataValue v;
};

static void fill(struct pv *x, const char *de, const char *period, const char *org, const char *coc,
                 const char *value, uint64_t seq, int deleted)
{
	gtsync__v1__pulled_value__init(&x->p);
	gtsync__v1__data_value__init(&x->v);
	x->v.data_element = (char *)de;
	x->v.period = (char *)period;
	x->v.org_unit = (char *)org;
	x->v.category_option_combo = (char *)coc;
	x->v.value = (char *)value;
	x->v.deleted = deleted;
	x->p.value = &x->v;
	x->p.change_seq = seq;
}

static void add_chunk(struct gt_approval *a, struct pv *vals, size_t n)
{
	Gtsync__V1__PullChunk c = GTSYNC__V1__PULL_CHUNK__INIT;
	Gtsync__V1__PulledValue *pp[32];

	for (size_t i = 0; i < n; i++)
		pp[i] = &vals[i].p;
	c.values = pp;
	c.n_values = n;
	assert_int_equal(gt_approval_add(a, &c), GT_OK);
}

static struct gt_meta *load(void)
{
	struct gt_meta *meta = NULL;
	assert_int_equal(gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &meta, NULL), 0);
	return meta;
}

static void begin_checks(void **state)
{
	struct gt_meta *meta = load();
	struct gt_approval *a = (struct gt_approval *)1;
	(void)state;

	assert_int_equal(gt_approval_begin(meta, "XX", "2025", "53", &a), GT_ENOENT);
	assert_null(a);
	assert_int_equal(gt_approval_begin(NULL, "KK", "2025", "53", &a), GT_ENOENT);
	assert_int_equal(gt_approval_begin(meta, "KK", "2025-01", "53", &a), GT_EINVAL);
	/* GT is six-monthly: a quarter is finer, so no approval period. */
	assert_int_equal(gt_approval_begin(meta, "GT", "2025Q1", "53", &a), GT_EINVAL);
	assert_int_equal(gt_approval_begin(meta, "KK", "2025", "53/71", &a), GT_EINVAL);
	assert_int_equal(gt_approval_begin(meta, "GT", "2025S2", "ID", &a), GT_OK);
	gt_approval_free(a);
	gt_approval_free(NULL);
	gt_meta_free(meta);
}

/* The digest of the listed values, computed directly. */
static void direct(const char *const rows[][5], size_t n, const char *ds, const char *period,
                   const char *org, uint8_t out[32])
{
	struct gt_digest *d;
	uint64_t count;
	assert_int_equal(gt_digest_begin(ds, period, org, &d), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(
		    gt_digest_add(d, rows[i][0], rows[i][1], rows[i][2], rows[i][3], rows[i][4]),
		    0);
	assert_int_equal(gt_digest_end(d, out, &count), 0);
	assert_int_equal(count, n);
	gt_digest_free(d);
}

static void filters_and_order(void **state)
{
	struct gt_meta *meta = load();
	struct gt_approval *a;
	struct pv c1[10], c2[4];
	uint8_t got[32], again[32], want[32];
	uint64_t count;
	char hex[65];
	(void)state;

	assert_int_equal(gt_approval_begin(meta, "KK", "2025Q1", "53", &a), GT_OK);
	/* Chunk 1, in change order (not key order). */
	fill(&c1[0], "KK_LP", "202502", "53.71", "", "3", 1, 0);
	fill(&c1[1], "KK_KORBAN", "202501", "53.72", "PD", "4", 2, 0);
	fill(&c1[2], "KK_KORBAN", "202501", "53.71", "PD", "2", 3, 0);
	fill(&c1[3], "KK_LP", "202504", "53.71", "", "9", 4, 0);       /* another quarter */
	fill(&c1[4], "LY_KORBAN", "202501", "53.71", "PD", "1", 5, 0); /* another data set */
	fill(&c1[5], "KK_LP", "202501", "36.01", "", "5", 6, 0);       /* another province */
	fill(&c1[6], "KK_LP", "202501", "53", "", "1", 7, 0);          /* the province's own */
	fill(&c1[7], "KK_LP", "202412", "53.71", "", "8", 8, 0);       /* another year */
	fill(&c1[8], "KK_KORBAN_TOTAL", "202503", "53.72", "", "6", 9, 0);
	fill(&c1[9], "KK_LP", "202503", "53.72", "", "2", 10, 0);
	add_chunk(a, c1, 10);
	/* Chunk 2: later changes of the same keys win; a deletion removes the value. */
	fill(&c2[0], "KK_LP", "202502", "53.71", "", "7", 11, 0);
	fill(&c2[1], "KK_LP", "202503", "53.72", "", "", 12, 1);
	fill(&c2[2], "KK_KORBAN", "202501", "53.72", "PD", "5", 13, 0);
	fill(&c2[3], "KK_LP", "202501", "53.71", "", "0", 14, 1); /* deleted, never there */
	add_chunk(a, c2, 4);
	assert_int_equal(gt_approval_end(a, got, &count), GT_OK);
	assert_int_equal(count, 5);
	static const char *const rows[][5] = {
	    {"KK_KORBAN", "202501", "53.71", "PD", "2"},
	    {"KK_KORBAN", "202501", "53.72", "PD", "5"},
	    {"KK_KORBAN_TOTAL", "202503", "53.72", "", "6"},
	    {"KK_LP", "202501", "53", "", "1"},
	    {"KK_LP", "202502", "53.71", "", "7"},
	};
	direct(rows, 5, "KK", "2025Q1", "53", want);
	assert_memory_equal(got, want, 32);
	/* Repeatable. */
	assert_int_equal(gt_approval_end(a, again, NULL), GT_OK);
	assert_memory_equal(again, want, 32);
	gt_approval_hex(got, hex);
	assert_int_equal(strlen(hex), 64);
	assert_int_equal(strspn(hex, "0123456789abcdef"), 64);
	gt_approval_free(a);

	/* The same values under another approval period or org unit give another digest. */
	assert_int_equal(gt_approval_begin(meta, "KK", "2025", "53", &a), GT_OK);
	add_chunk(a, c1, 10);
	add_chunk(a, c2, 4);
	assert_int_equal(gt_approval_end(a, got, &count), GT_OK);
	assert_int_equal(count, 6); /* 202504 is in the year */
	assert_memory_not_equal(got, want, 32);
	gt_approval_free(a);

	/* Nothing to approve is a digest too: of the header alone. */
	assert_int_equal(gt_approval_begin(meta, "KK", "2025", "53.72", &a), GT_OK);
	assert_int_equal(gt_approval_end(a, got, &count), GT_OK);
	assert_int_equal(count, 0);
	direct(NULL, 0, "KK", "2025", "53.72", want);
	assert_memory_equal(got, want, 32);
	gt_approval_free(a);
	gt_meta_free(meta);
}

/* A value holding a line break is listed escaped, and approvable. */
static void line_break_listed(void **state)
{
	struct gt_meta *meta = load();
	struct gt_approval *a;
	struct pv v[2];
	uint8_t out[32], flat[32];
	uint64_t count;
	(void)state;

	assert_int_equal(gt_approval_begin(meta, "GT", "2025", "53.71", &a), GT_OK);
	fill(&v[0], "GT_CATATAN", "2025S1", "53.71", "", "baris satu\nbaris dua", 1, 0);
	fill(&v[1], "GT_RAPAT_PLENO", "2025S1", "53.71", "", "2", 2, 0);
	add_chunk(a, v, 2);
	assert_int_equal(gt_approval_end(a, out, &count), GT_OK);
	assert_int_equal(count, 2);
	gt_approval_free(a);
	/* The same note on one line is another approval. */
	assert_int_equal(gt_approval_begin(meta, "GT", "2025", "53.71", &a), GT_OK);
	fill(&v[0], "GT_CATATAN", "2025S1", "53.71", "", "baris satu baris dua", 1, 0);
	add_chunk(a, v, 2);
	assert_int_equal(gt_approval_end(a, flat, &count), GT_OK);
	assert_memory_not_equal(out, flat, 32);
	gt_approval_free(a);
	gt_meta_free(meta);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(begin_checks),
	    cmocka_unit_test(filters_and_order),
	    cmocka_unit_test(line_break_listed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
