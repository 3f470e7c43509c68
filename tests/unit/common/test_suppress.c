/* Tests for common/suppress.c (issue 14, small-cell suppression): an auditor solves, with GLPK,
 * the linear constraints of every table a reader can be shown over the tree — cells >= 0, each
 * shown cell equal to the sum of the own values below it, a national total with its provinces
 * and each province with its districts — and checks that every withheld cell's feasible range
 * is at least the threshold wide (or the cell is 0 and shown to be 0, which discloses no one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glpk.h>

#include "error.h"
#include "suppress.h"

#define MAXU 64
#define MAXC 6

struct table {
	size_t n, m;
	long parent[MAXU];
	uint8_t own[MAXU];
	double values[MAXU * MAXC];
	double threshold[MAXC];
	double agg[MAXU * MAXC];
	uint8_t hidden[MAXU];
	const char *name[MAXU];
};

static void add_unit(struct table *t, const char *name, long parent, int own)
{
	t->name[t->n] = name;
	t->parent[t->n] = parent;
	t->own[t->n] = (uint8_t)own;
	t->n++;
}

static void run(struct table *t)
{
	struct gt_suppress_tree tr = {t->n, t->parent, t->own, t->m, t->values, t->threshold};
	assert_int_equal(gt_suppress_run(&tr, t->agg, t->hidden), GT_OK);
}

/* Whether v lies in the subtree of u. */
static int below(const struct table *t, size_t v, size_t u)
{
	for (long w = (long)v; w >= 0; w = t->parent[w])
		if ((size_t)w == u)
			return 1;
	return 0;
}

/* The LP of what a reader sees: one variable per own part (unit, column) that exists, >= 0;
 * one equality per shown cell. GLPK indexes from 1. */
static glp_prob *published_lp(const struct table *t, const uint8_t *hidden, int *col_of)
{
	glp_prob *lp = glp_create_prob();
	int ncols = 0, nrows = 0;
	int *ia = calloc(MAXU * MAXU * MAXC + 1, sizeof(int));
	int *ja = calloc(MAXU * MAXU * MAXC + 1, sizeof(int));
	double *ar = calloc(MAXU * MAXU * MAXC + 1, sizeof(double));
	int ne = 0;

	for (size_t u = 0; u < t->n; u++)
		for (size_t j = 0; j < t->m; j++)
			col_of[u * t->m + j] = t->own[u] ? ++ncols : 0;
	if (ncols > 0)
		glp_add_cols(lp, ncols);
	for (int c = 1; c <= ncols; c++)
		glp_set_col_bnds(lp, c, GLP_LO, 0.0, 0.0);
	for (size_t u = 0; u < t->n; u++) {
		if (hidden[u])
			continue;
		for (size_t j = 0; j < t->m; j++) {
			int r = glp_add_rows(lp, 1);
			nrows++;
			glp_set_row_bnds(lp, r, GLP_FX, t->agg[u * t->m + j], t->agg[u * t->m + j]);
			for (size_t v = 0; v < t->n; v++)
				if (col_of[v * t->m + j] && below(t, v, u)) {
					ne++;
					ia[ne] = r;
					ja[ne] = col_of[v * t->m + j];
					ar[ne] = 1.0;
				}
		}
	}
	if (ne > 0)
		glp_load_matrix(lp, ne, ia, ja, ar);
	(void)nrows;
	free(ia);
	free(ja);
	free(ar);
	return lp;
}

/* Minimizes (dir GLP_MIN) or maximizes the sum of the own parts below u in column j (only the
 * own part of u itself when own_only). Returns 0 with *val, or 1 when unbounded. */
static int extreme(glp_prob *lp, const struct table *t, const int *col_of, size_t u, size_t j,
                   int own_only, int dir, double *val)
{
	glp_smcp parm;
	int n = glp_get_num_cols(lp), st;

	if (n == 0) { /* no own part anywhere: every sum is 0 */
		*val = 0;
		return 0;
	}
	for (int c = 1; c <= n; c++)
		glp_set_obj_coef(lp, c, 0.0);
	for (size_t v = 0; v < t->n; v++)
		if (col_of[v * t->m + j] && (own_only ? v == u : below(t, v, u)))
			glp_set_obj_coef(lp, col_of[v * t->m + j], 1.0);
	glp_set_obj_dir(lp, dir);
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	assert_int_equal(glp_simplex(lp, &parm), 0);
	st = glp_get_status(lp);
	if (st == GLP_UNBND)
		return 1;
	assert_int_equal(st, GLP_OPT);
	*val = glp_get_obj_val(lp);
	return 0;
}

/*
 * The auditor: returns how many cells a reader could pin down tighter than the threshold —
 * withheld cells, and the own parts of shown units (never shown, but computable) that are
 * sensitive. A withheld cell of 0 whose range is exactly [0, 0] counts as safe.
 */
static int audit(const struct table *t, const uint8_t *hidden, int verbose)
{
	int col_of[MAXU * MAXC], leaks = 0;
	glp_prob *lp = published_lp(t, hidden, col_of);

	for (size_t u = 0; u < t->n; u++) {
		int has_kids = 0;
		for (size_t v = 0; v < t->n; v++)
			if (t->parent[v] == (long)u)
				has_kids = 1;
		for (size_t j = 0; j < t->m; j++) {
			double lo = 0, hi = 0, truth = t->agg[u * t->m + j];
			int own_only = !hidden[u];
			if (own_only &&
			    !(t->own[u] && has_kids &&
			      gt_suppress_sensitive(t->values[u * t->m + j], t->threshold[j])))
				continue;
			if (own_only)
				truth = t->values[u * t->m + j];
			assert_int_equal(extreme(lp, t, col_of, u, j, own_only, GLP_MIN, &lo), 0);
			if (extreme(lp, t, col_of, u, j, own_only, GLP_MAX, &hi) == 1)
				continue; /* unbounded */
			assert_true(lo <= truth + 1e-6 && truth <= hi + 1e-6);
			if (hi - lo >= t->threshold[j] - 1e-6 || (truth == 0 && hi < 1e-6))
				continue;
			leaks++;
			if (verbose)
				fprintf(stderr, "  %s%s column %zu (value %g) lies in [%g, %g]\n",
				        t->name[u] ? t->name[u] : "?",
				        own_only ? " (own part)" : "", j, truth, lo, hi);
		}
	}
	glp_delete_prob(lp);
	return leaks;
}

/* A national total with two provinces, each with its districts; provinces report their own
 * figures too (KK's levels); four options of victims by sex and age and the total. */
static void two_provinces(struct table *t)
{
	memset(t, 0, sizeof(*t));
	t->m = 5;
	for (size_t j = 0; j < t->m; j++)
		t->threshold[j] = 5;
	add_unit(t, "ID", -1, 0);
	add_unit(t, "53", 0, 1);
	add_unit(t, "53.71", 1, 1);
	add_unit(t, "53.72", 1, 1);
	add_unit(t, "53.01", 1, 1);
	add_unit(t, "36", 0, 1);
	add_unit(t, "36.71", 5, 1);
	add_unit(t, "36.01", 5, 1);
}

static void set_row(struct table *t, size_t u, double pd, double ap, double ld, double al)
{
	double *v = &t->values[u * t->m];
	v[0] = pd;
	v[1] = ap;
	v[2] = ld;
	v[3] = al;
	v[4] = pd + ap + ld + al;
}

/* "1 girl, 14-17" in one district: her district is withheld, and so much else that neither
 * the province's total nor the national one gives her away. */
static void one_girl(void **state)
{
	struct table t;
	(void)state;

	two_provinces(&t);
	set_row(&t, 2, 12, 1, 9, 6); /* 53.71: one girl */
	set_row(&t, 3, 20, 8, 15, 7);
	set_row(&t, 4, 11, 6, 10, 5);
	set_row(&t, 6, 30, 12, 25, 9);
	set_row(&t, 7, 18, 7, 14, 6);
	run(&t);
	assert_true(t.hidden[2]);
	assert_int_equal(t.hidden[3] + t.hidden[4], 1); /* one partner in the same province */
	assert_false(t.hidden[0]);                      /* the national figures stay */
	assert_false(t.hidden[1]);
	assert_false(t.hidden[5]);
	assert_int_equal(audit(&t, t.hidden, 1), 0);
	/* The auditor can fail: with the girl's district alone withheld, the province's total
	 * less the other districts (and its own part) gives her back. */
	uint8_t primary[MAXU] = {0};
	primary[2] = 1;
	assert_true(audit(&t, primary, 0) > 0);
}

/* A province whose own part is small (its police reported 2 boys itself) is protected too,
 * though no reader is ever shown an own part. */
static void small_own_part(void **state)
{
	struct table t;
	(void)state;

	two_provinces(&t);
	set_row(&t, 1, 0, 0, 0, 2); /* 53's own figures */
	set_row(&t, 2, 12, 5, 9, 6);
	set_row(&t, 3, 20, 8, 15, 7);
	set_row(&t, 4, 11, 6, 10, 5);
	set_row(&t, 6, 30, 12, 25, 9);
	set_row(&t, 7, 18, 7, 14, 6);
	run(&t);
	assert_int_equal(t.hidden[2] + t.hidden[3] + t.hidden[4], 1);
	assert_int_equal(audit(&t, t.hidden, 1), 0);
	uint8_t none[MAXU] = {0};
	assert_true(audit(&t, none, 0) > 0);
}

/* A small province: withheld with a partner province, and with both their districts. */
static void small_province(void **state)
{
	struct table t;
	(void)state;

	two_provinces(&t);
	add_unit(&t, "61", 0, 1);
	add_unit(&t, "61.71", 8, 1);
	set_row(&t, 2, 12, 5, 9, 6);
	set_row(&t, 3, 20, 8, 15, 7);
	set_row(&t, 4, 11, 6, 10, 5);
	set_row(&t, 6, 0, 3, 0, 0); /* 36 has 3 girls in all */
	set_row(&t, 7, 0, 0, 0, 0);
	set_row(&t, 9, 25, 9, 12, 8);
	run(&t);
	assert_true(t.hidden[5] && t.hidden[6] && t.hidden[7]);
	assert_false(t.hidden[0]);
	assert_int_equal(t.hidden[1] + t.hidden[8], 1);
	assert_int_equal(audit(&t, t.hidden, 1), 0);
}

/* Nothing small: nothing withheld. Zeros are not small. */
static void nothing_small(void **state)
{
	struct table t;
	(void)state;

	two_provinces(&t);
	set_row(&t, 2, 12, 5, 0, 6);
	set_row(&t, 3, 20, 8, 15, 0);
	set_row(&t, 4, 11, 6, 10, 5);
	set_row(&t, 6, 30, 12, 25, 9);
	set_row(&t, 7, 18, 7, 14, 6);
	run(&t);
	for (size_t u = 0; u < t.n; u++)
		assert_false(t.hidden[u]);
}

static unsigned long rng = 0x2545F4914F6CDD1DUL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Random trees of the shapes gtsync publishes, with many small and zero cells and mixed
 * thresholds: the auditor finds nothing to pin down in any of them. */
static void random_trees(void **state)
{
	static struct table t;
	size_t withheld = 0, cells = 0;
	(void)state;

	for (int iter = 0; iter < 150; iter++) {
		size_t nprov = 1 + rnd(5);
		memset(&t, 0, sizeof(t));
		t.m = 1 + rnd(5);
		for (size_t j = 0; j < t.m; j++)
			t.threshold[j] = j == 0 ? 5 : 2 + rnd(9);
		add_unit(&t, "ID", -1, rnd(4) == 0);
		for (size_t p = 0; p < nprov && t.n < MAXU - 8; p++) {
			long pi = (long)t.n;
			size_t nd = rnd(7);
			add_unit(&t, "province", 0, rnd(2));
			for (size_t d = 0; d < nd; d++)
				add_unit(&t, "district", pi, 1);
		}
		for (size_t u = 0; u < t.n; u++)
			for (size_t j = 0; j < t.m; j++)
				t.values[u * t.m + j] = !t.own[u] || rnd(3) == 0
				                            ? 0
				                            : (double)(rnd(4) ? rnd(6) : rnd(40));
		run(&t);
		if (audit(&t, t.hidden, 1) != 0)
			fail_msg("tree %d leaks", iter);
		for (size_t u = 0; u < t.n; u++) {
			withheld += t.hidden[u];
			cells++;
		}
	}
	fprintf(stderr, "random trees: %zu of %zu rows withheld\n", withheld, cells);
	assert_true(withheld > 0 && withheld < cells);
}

static void refuses_bad_input(void **state)
{
	long parent[2] = {1, -1};
	uint8_t own[2] = {1, 1}, hidden[2];
	double values[2] = {1, 2}, thr[1] = {5}, agg[2];
	struct gt_suppress_tree tr = {2, parent, own, 1, values, thr};
	(void)state;

	assert_int_equal(gt_suppress_run(&tr, agg, hidden), GT_EINVAL);
	parent[0] = -1;
	parent[1] = 0;
	thr[0] = 0;
	assert_int_equal(gt_suppress_run(&tr, agg, hidden), GT_EINVAL);
	thr[0] = 5;
	assert_int_equal(gt_suppress_run(&tr, agg, hidden), GT_OK);
	assert_true(agg[0] == 3.0);
	assert_true(hidden[0] && hidden[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(one_girl),       cmocka_unit_test(small_own_part),
	    cmocka_unit_test(small_province), cmocka_unit_test(nothing_small),
	    cmocka_unit_test(random_trees),   cmocka_unit_test(refuses_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
