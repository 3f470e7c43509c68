/* Unit tests for client/vcomplete.c (issue 14): completeness, timeliness, nil reports and report
 * states recomputed from signed facts and compared with a report, including what the log cannot
 * tell (batches logged before leaves carried the time received: "not checked"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "i18n.h"
#include "vcomplete.h"

/* What the comparison said. */
struct heard {
	char text[4096];
	unsigned problems, notes;
};

static void hear(void *arg, int problem, const char *line)
{
	struct heard *h = arg;
	size_t n = strlen(h->text);

	snprintf(h->text + n, sizeof(h->text) - n, "%s%s\n", problem ? "P " : "N ", line);
	if (problem)
		h->problems++;
	else
		h->notes++;
}

/* Province 53 with its two districts; KK monthly, reported by provinces and districts, on time
 * up to 10 days after the month. */
struct fx {
	Gtsync__V1__OrgUnit ou[3];
	const Gtsync__V1__OrgUnit *ous[3];
	struct gt_meta_dataset ds;
	Gtsync__V1__ReportReply rep;
	Gtsync__V1__Completeness cp;
	Gtsync__V1__ChildReport ch[2];
	Gtsync__V1__ChildReport *chp[2];
	char *missing[3];
	struct heard h;
};

static void fx_init(struct fx *f)
{
	static const char *const codes[] = {"53", "53.71", "53.72"};

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 3; i++) {
		gtsync__v1__org_unit__init(&f->ou[i]);
		f->ou[i].code = (char *)codes[i];
		f->ou[i].level = i == 0 ? 2 : 3;
		f->ous[i] = &f->ou[i];
	}
	f->ds.code = "KK";
	f->ds.period_type = GT_PERIOD_MONTHLY;
	f->ds.levels = (1u << 2) | (1u << 3);
	f->ds.timely_days = 10;
	gtsync__v1__report_reply__init(&f->rep);
	gtsync__v1__completeness__init(&f->cp);
	f->rep.completeness = &f->cp;
	f->rep.state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN;
	for (int i = 0; i < 2; i++) {
		gtsync__v1__child_report__init(&f->ch[i]);
		f->ch[i].org_unit = (char *)codes[i + 1];
		f->ch[i].expected = 1;
		f->ch[i].state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN;
		f->chp[i] = &f->ch[i];
	}
	f->rep.children = f->chp;
	f->rep.n_children = 2;
	f->cp.expected = 3;
	f->missing[0] = "53";
	f->cp.missing = f->missing;
}

static struct gt_vcomplete *fx_new(struct fx *f, const char *period)
{
	struct gt_vcomplete *c = NULL;

	assert_int_equal(gt_vcomplete_new("53", &f->ds, period, f->ous, 3, hear, &f->h, &c), 0);
	return c;
}

/* 15 January 2024 and 1 March 2024, 00:00 UTC: before and after January's deadline. */
#define JAN15 1705276800000LL
#define MAR01 1709251200000LL

/* Both districts reported; 53.71's values came in a batch of a kind 1 leaf (no receive time):
 * whether it was on time is named as not checked, and the rest still compares. */
static void an_untimed_batch_is_not_checked(void **state)
{
	struct fx f;
	struct gt_vcomplete *c;
	(void)state;

	fx_init(&f);
	c = fx_new(&f, "202401");
	gt_vcomplete_value(c, "53.71", 0, 0);
	gt_vcomplete_value(c, "53.72", JAN15, 1);
	gt_vcomplete_value(c, "53.72", MAR01, 1);
	f.cp.reported = 2;
	f.cp.on_time = 2;
	f.cp.n_missing = 1;
	f.ch[0].reported_units = f.ch[1].reported_units = 1;
	f.ch[0].on_time_units = f.ch[1].on_time_units = 1;
	f.ch[1].first_arrival_ms = JAN15;
	gt_vcomplete_compare(c, &f.rep);
	if (f.h.problems != 0 || f.h.notes != 1 ||
	    strstr(f.h.text, "not checked: whether 1 units reported on time") == NULL)
		fail_msg("%s", f.h.text);
	/* A server that counts neither on time is below what the log shows for certain. */
	memset(&f.h, 0, sizeof(f.h));
	f.cp.on_time = 0;
	gt_vcomplete_compare(c, &f.rep);
	if (strstr(f.h.text, "counts 0 units as reported on time; the signed log shows 1") == NULL)
		fail_msg("%s", f.h.text);
	gt_vcomplete_free(c);
}

/* The province's yearly nil report counts it as reported in January; a report that lists it
 * missing differs, and so does one that lists a nil report nobody signed. */
static void nil_reports_are_checked_both_ways(void **state)
{
	Gtsync__V1__WorkflowAction a = GTSYNC__V1__WORKFLOW_ACTION__INIT;
	char *nils[1] = {"53.71"};
	struct gt_vcomplete *c;
	struct fx f;
	(void)state;

	fx_init(&f);
	c = fx_new(&f, "202401");
	a.kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_NIL_REPORT;
	a.dataset = "KK";
	a.period = "2024";
	a.org_unit = "53";
	gt_vcomplete_action(c, 3, &a);
	f.cp.n_missing = 1; /* 53, wrongly */
	f.cp.nil_reports = nils;
	f.cp.n_nil_reports = 1;
	f.cp.reported = 1;
	f.ch[0].reported_units = 1;
	f.missing[1] = "53.72";
	f.cp.n_missing = 2;
	gt_vcomplete_compare(c, &f.rep);
	if (strstr(f.h.text,
	           "counts 53 as not reported, but the signed log shows its nil report") == NULL ||
	    strstr(f.h.text, "holds a nil report of 53 for the period, which the server's report "
	                     "does not list") == NULL ||
	    strstr(f.h.text, "lists a nil report of 53.71, but the signed log holds no nil report "
	                     "of it for KK 202401") == NULL ||
	    strstr(f.h.text, "counts 53.71 as reported, but the signed log holds no value") == NULL)
		fail_msg("%s", f.h.text);
	gt_vcomplete_free(c);
}

/* States replay through common/wfstate.c: a district's report approved, then unapproved, is
 * open; an acceptance applied from open is a move the chain does not allow; a child's state
 * that differs is named. */
static void states_replay_the_chain(void **state)
{
	static const int kinds[] = {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT,
	                            GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE,
	                            GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_UNAPPROVE,
	                            GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT};
	Gtsync__V1__WorkflowAction a = GTSYNC__V1__WORKFLOW_ACTION__INIT;
	struct gt_vcomplete *c;
	struct fx f;
	(void)state;

	fx_init(&f);
	c = fx_new(&f, "202401");
	a.dataset = "KK";
	a.period = "202401";
	a.org_unit = "53.72";
	for (size_t i = 0; i < 3; i++) {
		a.kind = kinds[i];
		gt_vcomplete_action(c, i, &a);
	}
	assert_int_equal(f.h.problems, 0);
	a.kind = kinds[3];
	gt_vcomplete_action(c, 9, &a);
	if (strstr(f.h.text, "leaf 9: the server applied ") == NULL ||
	    strstr(f.h.text, "which the approval chain does not allow") == NULL)
		fail_msg("%s", f.h.text);
	assert_int_equal(f.h.problems, 1);
	/* Accepted now, whatever came before; the report says it is still open. */
	memset(&f.h, 0, sizeof(f.h));
	f.cp.reported = 1;
	f.cp.n_missing = 2;
	f.missing[1] = "53.71";
	f.ch[1].reported_units = 1;
	gt_vcomplete_compare(c, &f.rep);
	if (strstr(f.h.text, "says the report KK 202401 of 53.72 is ") == NULL || f.h.problems != 1)
		fail_msg("%s", f.h.text);
	gt_vcomplete_free(c);
}

/* The child toward a unit, and a period that does not parse. */
static void children_and_bad_periods(void **state)
{
	char out[GT_ORGUNIT_MAX_LEN];
	struct gt_vcomplete *c = NULL;
	struct fx f;
	(void)state;

	gt_vcomplete_child_of("ID", "53.71", out);
	assert_string_equal(out, "53");
	gt_vcomplete_child_of("53", "53.71", out);
	assert_string_equal(out, "53.71");
	gt_vcomplete_child_of("53", "53", out);
	assert_string_equal(out, "");
	gt_vcomplete_child_of("53", "36.01", out);
	assert_string_equal(out, "");
	fx_init(&f);
	assert_int_equal(gt_vcomplete_new("53", &f.ds, "2024X", f.ous, 3, hear, &f.h, &c),
	                 GT_EINVAL);
	assert_null(c);
	gt_vcomplete_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(an_untimed_batch_is_not_checked),
	    cmocka_unit_test(nil_reports_are_checked_both_ways),
	    cmocka_unit_test(states_replay_the_chain),
	    cmocka_unit_test(children_and_bad_periods),
	};
	gt_i18n_use(GT_LANG_EN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
