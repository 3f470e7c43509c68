/* Tests for server/report.c: totals, per-child sums, completeness and timeliness in one pass. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"
#include "error.h"
#include "metadata.h"
#include "report.h"
#include "rules.h"
#include "snapshot.h"
#include "store.h"
#include "storefx.h"
#include "testbatch.h"
#include "testutil.h"
#include "wire.h"

/* Day numbers: 2025-01-01 is before the deadline of 2024 for KK (15 days after the year),
 * 2025-02-01 after it. */
#define ON_TIME_MS (INT64_C(20089) * 86400000)
#define LATE_MS    (INT64_C(20120) * 86400000)

enum { K_5371, K_5301, K_53, K_1101, N_KEYS };
static const char *const key_org[N_KEYS] = {"53.71", "53.01", "53", "11.01"};

struct fixture {
	struct gt_storefx fx; /* the store and its directory */
	struct gt_snapshot *snap;
	char key[N_KEYS][GT_KEY_ID_LEN + 1];
	uint64_t seq;
};

struct val {
	const char *de, *pe, *coc, *value;
	int del;
};

/* Applies one batch of values for the key's org unit, received at at_ms; comments (NULL: none)
 * holds a comment per value. */
static void push_commented(struct fixture *f, int k, const struct val *v,
                           const char *const *comments, size_t nv, int64_t at_ms)
{
	struct gt_test_val tv[16];
	struct gt_test_built b;

	assert_true(nv <= 16);
	for (size_t i = 0; i < nv; i++)
		tv[i] = (struct gt_test_val){.de = v[i].de,
		                             .pe = v[i].pe,
		                             .ou = key_org[k],
		                             .coc = v[i].coc,
		                             .value = v[i].value,
		                             .rev = 1,
		                             .del = v[i].del,
		                             .comment = comments != NULL ? comments[i] : ""};
	gt_test_build(&b, f->key[k], key_org[k], ++f->seq, 0, tv, nv, NULL, 0, NULL, 0);
	gt_test_apply_plain(f->fx.st, &b, at_ms);
	gt_test_unbuild(&b);
}

static void push(struct fixture *f, int k, const struct val *v, size_t nv, int64_t at_ms)
{
	push_commented(f, k, v, NULL, nv, at_ms);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *csv = "code,name,level\n53,Nusa Tenggara Timur,province\n"
	                  "53.71,Kota Kupang,district\n53.01,Kabupaten Kupang,district\n"
	                  "11,Aceh,province\n11.01,Kabupaten Simeulue,district\n";

	assert_non_null(f);
	gt_storefx_open(&f->fx, "report");
	gt_storefx_units_keys(f->fx.st, csv, key_org, N_KEYS, f->key);
	gt_test_store_metadata(f->fx.st);

	const struct val v5371[] = {{"KK_KORBAN", "202401", "PD", "3", 0},
	                            {"KK_KORBAN", "202402", "AP", "2", 0},
	                            {"KK_LP", "202403", "", "5", 0},
	                            {"KK_LP", "202301", "", "100", 0}, /* another year */
	                            {"GT_RAPAT_PLENO", "2024S1", "", "2", 0},
	                            {"GT_CATATAN", "2024S1", "", "tidak ada kendala", 0}};
	const struct val v5301[] = {{"KK_KORBAN", "202401", "PD", "4", 0}};
	const struct val v53[] = {{"KK_LP", "202401", "", "7", 0}};
	const struct val v1101[] = {{"KK_KORBAN", "202412", "PD", "1", 0},
	                            {"KK_KORBAN", "202405", "LD", "9", 1}}; /* deleted */
	push(f, K_5371, v5371, 6, ON_TIME_MS);
	push(f, K_5301, v5301, 1, LATE_MS);
	push(f, K_53, v53, 1, ON_TIME_MS);
	push(f, K_1101, v1101, 2, ON_TIME_MS);
	/* Only a text value: reported, but nothing to sum. */
	const struct val v11gt[] = {{"GT_CATATAN", "2024S2", "", "rapat tertunda", 0}};
	push(f, K_1101, v11gt, 1, ON_TIME_MS);
	assert_int_equal(gt_snapshot_load(f->fx.st, &f->snap), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gt_snapshot_unref(f->snap);
	gt_storefx_close(&f->fx);
	free(f);
	return 0;
}

static void check_value(const Gtsync__V1__ReportValue *v, const char *de, const char *coc,
                        double sum, uint32_t count)
{
	assert_string_equal(v->data_element, de);
	assert_string_equal(v->category_option_combo, coc);
	assert_true(v->value == sum);
	assert_int_equal(v->count, count);
}

static const Gtsync__V1__ChildReport *child(const Gtsync__V1__ReportReply *r, size_t i,
                                            const char *code)
{
	assert_true(i < r->n_children);
	assert_string_equal(r->children[i]->org_unit, code);
	return r->children[i];
}

static struct gt_report *build(struct fixture *f, const char *org, const char *ds,
                               const char *period, int per_child)
{
	struct gt_report *r = NULL;
	const char *why = NULL;

	assert_int_equal(
	    gt_report_build(f->fx.st, f->snap, org, ds, period, per_child, 1, &r, &why), 0);
	assert_non_null(r);
	return r;
}

static void national_year_per_child(void **state)
{
	struct fixture *f = *state;
	struct gt_report *rep = build(f, "ID", "KK", "2024", 1);
	const Gtsync__V1__ReportReply *r = gt_report_reply(rep);
	const Gtsync__V1__ChildReport *c;

	assert_string_equal(r->org_unit, "ID");
	/* Totals in (element, option) code order; 2023 and the deleted value are left out. */
	assert_int_equal(r->n_totals, 3);
	check_value(r->totals[0], "KK_KORBAN", "AP", 2, 1);
	check_value(r->totals[1], "KK_KORBAN", "PD", 8, 3);
	check_value(r->totals[2], "KK_LP", "", 12, 2);
	/* Provinces in code order; a province's own values count in its child's sums. */
	assert_int_equal(r->n_children, 2);
	c = child(r, 0, "11");
	assert_string_equal(c->name, "Aceh");
	assert_int_equal(c->n_values, 1);
	check_value(c->values[0], "KK_KORBAN", "PD", 1, 1);
	assert_int_equal(c->expected, 2);
	assert_int_equal(c->reported_units, 1);
	assert_true(c->reported);
	assert_true(c->on_time);
	c = child(r, 1, "53");
	assert_int_equal(c->n_values, 3);
	check_value(c->values[0], "KK_KORBAN", "AP", 2, 1);
	check_value(c->values[1], "KK_KORBAN", "PD", 7, 2);
	check_value(c->values[2], "KK_LP", "", 12, 2);
	assert_int_equal(c->expected, 3);
	assert_int_equal(c->reported_units, 3);
	assert_int_equal(c->on_time_units, 2); /* 53.01 was late */
	assert_false(c->on_time);
	/* Completeness over provinces and districts. */
	assert_int_equal(r->completeness->expected, 5);
	assert_int_equal(r->completeness->reported, 4);
	assert_int_equal(r->completeness->on_time, 3);
	assert_int_equal(r->completeness->n_missing, 1);
	assert_string_equal(r->completeness->missing[0], "11");
	gt_report_free(rep);
}

static void province_quarter(void **state)
{
	struct fixture *f = *state;
	struct gt_report *rep = build(f, "53", "KK", "2024Q1", 1);
	const Gtsync__V1__ReportReply *r = gt_report_reply(rep);
	const Gtsync__V1__ChildReport *c;

	assert_int_equal(r->n_totals, 3);
	check_value(r->totals[0], "KK_KORBAN", "AP", 2, 1);
	check_value(r->totals[1], "KK_KORBAN", "PD", 7, 2);
	check_value(r->totals[2], "KK_LP", "", 12, 2);
	/* The province's own value is in the totals only. */
	assert_int_equal(r->n_children, 2);
	c = child(r, 0, "53.01");
	assert_int_equal(c->n_values, 1);
	check_value(c->values[0], "KK_KORBAN", "PD", 4, 1);
	c = child(r, 1, "53.71");
	assert_int_equal(c->n_values, 3);
	check_value(c->values[2], "KK_LP", "", 5, 1);
	assert_int_equal(r->completeness->expected, 3);
	assert_int_equal(r->completeness->reported, 3);
	assert_int_equal(r->completeness->n_missing, 0);
	gt_report_free(rep);

	/* A district: no children; another quarter: nothing reported. */
	rep = build(f, "53.71", "KK", "2024Q2", 1);
	r = gt_report_reply(rep);
	assert_int_equal(r->n_totals, 0);
	assert_int_equal(r->n_children, 0);
	assert_int_equal(r->completeness->expected, 1);
	assert_int_equal(r->completeness->reported, 0);
	assert_int_equal(r->completeness->n_missing, 1);
	gt_report_free(rep);
}

static void without_children_and_text_values(void **state)
{
	struct fixture *f = *state;
	struct gt_report *rep = build(f, "ID", "KK", "2024", 0);
	const Gtsync__V1__ReportReply *r = gt_report_reply(rep);

	assert_int_equal(r->n_children, 0);
	assert_int_equal(r->n_totals, 3);
	assert_int_equal(r->completeness->reported, 4);
	gt_report_free(rep);

	/* GT: text values are not summed; they are counted, carried as text for the unit that
	 * holds them, and make their unit a reporting one. */
	rep = build(f, "ID", "GT", "2024", 1);
	r = gt_report_reply(rep);
	assert_int_equal(r->n_totals, 2);
	const Gtsync__V1__ReportValue *note = NULL, *pleno = NULL;
	for (size_t i = 0; i < r->n_totals; i++) {
		if (strcmp(r->totals[i]->data_element, "GT_CATATAN") == 0)
			note = r->totals[i];
		if (strcmp(r->totals[i]->data_element, "GT_RAPAT_PLENO") == 0)
			pleno = r->totals[i];
	}
	assert_non_null(note);
	assert_non_null(pleno);
	check_value(pleno, "GT_RAPAT_PLENO", "", 2, 1);
	check_value(note, "GT_CATATAN", "", 0, 2); /* two units wrote a note, none is "true" */
	assert_string_equal(note->text, "");       /* the root wrote none itself */
	assert_int_equal(r->n_children, 2);
	assert_int_equal(r->children[0]->n_values, 1);
	check_value(r->children[0]->values[0], "GT_CATATAN", "", 0, 1);
	assert_int_equal(r->children[0]->reported_units, 1); /* 11.01, text only */
	/* GT is reported at every level: the root, 2 provinces, 3 districts. */
	assert_int_equal(r->completeness->expected, 6);
	assert_int_equal(r->completeness->reported, 2);
	gt_report_free(rep);

	/* A unit's own text comes back as the text of its report. */
	rep = build(f, "53.71", "GT", "2024S1", 0);
	r = gt_report_reply(rep);
	int seen = 0;
	for (size_t i = 0; i < r->n_totals; i++)
		if (strcmp(r->totals[i]->data_element, "GT_CATATAN") == 0) {
			assert_string_equal(r->totals[i]->text, "tidak ada kendala");
			seen++;
		}
	assert_int_equal(seen, 1);
	gt_report_free(rep);
}

/* Issue 10 item 6: a report value made of one stored value carries that value's comment (for
 * the CSV and DHIS2 exports); a sum of several carries none; a unit's own text answer carries
 * its comment. */
static void comments_of_single_values(void **state)
{
	struct fixture *f = *state;
	const struct val v[] = {{"KK_LP", "202501", "", "3", 0},
	                        {"KK_KORBAN", "202501", "PD", "2", 0}};
	const char *const vc[] = {"dari laporan polisi, =SUM(A1)", "catatan pertama"};
	const struct val w[] = {{"KK_KORBAN", "202501", "PD", "1", 0}};
	const char *const wc[] = {"catatan kedua"};
	const struct val t[] = {{"GT_CATATAN", "2025S1", "", "rapat ditunda", 0}};
	const char *const tc[] = {"lihat notulen"};
	struct gt_report *rep;
	const Gtsync__V1__ReportReply *r;

	push_commented(f, K_5371, v, vc, 2, ON_TIME_MS);
	push_commented(f, K_5301, w, wc, 1, ON_TIME_MS);
	push_commented(f, K_5371, t, tc, 1, ON_TIME_MS);
	rep = build(f, "53", "KK", "2025", 1);
	r = gt_report_reply(rep);
	assert_int_equal(r->n_totals, 2);
	check_value(r->totals[0], "KK_KORBAN", "PD", 3, 2);
	assert_string_equal(r->totals[0]->comment, ""); /* two values summed */
	check_value(r->totals[1], "KK_LP", "", 3, 1);
	assert_string_equal(r->totals[1]->comment, "dari laporan polisi, =SUM(A1)");
	/* Per child, each district's one value keeps its comment. */
	assert_string_equal(child(r, 0, "53.01")->values[0]->comment, "catatan kedua");
	assert_string_equal(child(r, 1, "53.71")->values[0]->comment, "catatan pertama");
	gt_report_free(rep);

	rep = build(f, "53.71", "GT", "2025S1", 0);
	r = gt_report_reply(rep);
	assert_int_equal(r->n_totals, 1);
	assert_string_equal(r->totals[0]->text, "rapat ditunda");
	assert_string_equal(r->totals[0]->comment, "lihat notulen");
	gt_report_free(rep);
}

static void refusals(void **state)
{
	struct fixture *f = *state;
	struct gt_report *r = NULL;
	const char *why = NULL;

	assert_int_equal(gt_report_build(f->fx.st, f->snap, "99", "KK", "2024", 1, 1, &r, &why),
	                 GT_ENOENT);
	assert_null(r);
	assert_non_null(why);
	assert_int_equal(gt_report_build(f->fx.st, f->snap, "ID", "NOPE", "2024", 1, 1, &r, &why),
	                 GT_ENOENT);
	/* A month is finer than GT's six months. */
	assert_int_equal(gt_report_build(f->fx.st, f->snap, "ID", "GT", "202401", 1, 1, &r, &why),
	                 GT_EINVAL);
	assert_int_equal(gt_report_build(f->fx.st, f->snap, "ID", "KK", "2024X", 1, 1, &r, &why),
	                 GT_EINVAL);
	assert_null(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(national_year_per_child),
	    cmocka_unit_test(province_quarter),
	    cmocka_unit_test(without_children_and_text_values),
	    cmocka_unit_test(comments_of_single_values),
	    cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
