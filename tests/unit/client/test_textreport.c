/* Tests for client/textreport.c and the report model (client/rmodel.c): the chair's report
 * as plain text holds the figures with their breakdowns, completeness per child, the approval
 * chain, what is missing (named), targets, answers and the unit's own figures. */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "i18n.h"

#include "error.h"
#include "metadata.h"
#include "render.h"
#include "testutil.h"
#include "textreport.h"

static Gtsync__V1__ReportValue *val(Gtsync__V1__ReportValue *v, const char *de, const char *coc,
                                    double x, uint32_t count)
{
	gtsync__v1__report_value__init(v);
	v->data_element = (char *)de;
	v->category_option_combo = (char *)coc;
	v->value = x;
	v->count = count;
	v->text = "";
	return v;
}

/* Renders rep into a new string (caller frees). Not inlined: GCC 12 at -O3 takes the string
 * for a pointer into this frame once open_memstream is inlined around it (a false
 * -Wdangling-pointer). */
static __attribute__((noinline)) char *render(const Gtsync__V1__ReportReply *rep,
                                              const struct gt_meta *meta,
                                              const struct gt_rmodel_names *names, const char *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	assert_int_equal(gt_render_report(m, rep, meta, names, gt_render_format_find(f)), 0);
	fclose(m);
	return text;
}

static const char *name_of(void *arg, const char *code)
{
	(void)arg;
	return strcmp(code, "36.71") == 0 ? "Kota Tangerang" : NULL;
}

/* A province's KK report: two districts, the province's own figures, one district missing. */
struct fx {
	Gtsync__V1__ReportReply rep;
	Gtsync__V1__Completeness comp;
	Gtsync__V1__ReportValue tv[6], cv[2][4], *tp[6], *cp[2][4];
	Gtsync__V1__ChildReport ch[2], *chp[2];
	Gtsync__V1__WorkflowEvent ev[2], *evp[2];
	char *missing[1];
};

static void province(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	gtsync__v1__report_reply__init(&f->rep);
	gtsync__v1__completeness__init(&f->comp);
	/* Totals: 53.01 (PD 5, LP 2) + 53.71 (PD 4, AP 1, LP 1) + the province's own PD 3. */
	f->tp[0] = val(&f->tv[0], "KK_KORBAN", "PD", 12, 3);
	f->tp[1] = val(&f->tv[1], "KK_KORBAN", "AP", 1, 1);
	f->tp[2] = val(&f->tv[2], "KK_KORBAN_TOTAL", "", 13, 2);
	f->tp[3] = val(&f->tv[3], "KK_LP", "", 3, 2);
	f->tp[4] = val(&f->tv[4], "KK_PELAKU", "PERORANGAN", 4, 2);
	f->tp[5] = val(&f->tv[5], "KK_PELAKU", "KORPORASI", 0, 2);
	f->cp[0][0] = val(&f->cv[0][0], "KK_KORBAN", "PD", 5, 1);
	f->cp[0][1] = val(&f->cv[0][1], "KK_LP", "", 2, 1);
	f->cp[0][2] = val(&f->cv[0][2], "KK_KORBAN_TOTAL", "", 5, 1);
	f->cp[1][0] = val(&f->cv[1][0], "KK_KORBAN", "PD", 4, 1);
	f->cp[1][1] = val(&f->cv[1][1], "KK_KORBAN", "AP", 1, 1);
	f->cp[1][2] = val(&f->cv[1][2], "KK_LP", "", 1, 1);
	f->cp[1][3] = val(&f->cv[1][3], "KK_KORBAN_TOTAL", "", 8, 1);
	for (int i = 0; i < 2; i++) {
		gtsync__v1__child_report__init(&f->ch[i]);
		f->chp[i] = &f->ch[i];
		f->ch[i].values = f->cp[i];
		f->ch[i].expected = 1;
		f->ch[i].reported_units = 1;
		f->ch[i].reported = 1;
	}
	f->ch[0].org_unit = "53.01";
	f->ch[0].name = "Kabupaten Kupang";
	f->ch[0].n_values = 3;
	f->ch[0].state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED;
	f->ch[0].on_time_units = 1;
	f->ch[1].org_unit = "53.71";
	f->ch[1].name = "Kota Kupang";
	f->ch[1].n_values = 4;
	f->ch[1].state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED;
	for (int i = 0; i < 2; i++) {
		gtsync__v1__workflow_event__init(&f->ev[i]);
		f->evp[i] = &f->ev[i];
		f->ev[i].key_id = "ab12cd34ef56ab78";
		f->ev[i].at_ms = 1767225600000LL + i * 60000; /* 2026-01-01 00:00 UTC */
	}
	f->ev[0].kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE;
	f->ev[1].kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN;
	f->ev[1].reason = "angka Juli perlu diperiksa";
	/* Issue 13: a labelled key is named by its label and role, its id kept for checking. */
	f->ev[1].key_label = "Sekretariat GT Provinsi NTT \xe2\x80\x94 agregator";
	f->ev[1].key_role = GTSYNC__V1__ROLE__ROLE_AGGREGATOR;
	f->missing[0] = "36.71";
	f->comp.expected = 4;
	f->comp.reported = 3;
	f->comp.on_time = 1;
	f->comp.missing = f->missing;
	f->comp.n_missing = 1;
	f->rep.org_unit = "53";
	f->rep.org_name = "Nusa Tenggara Timur";
	f->rep.dataset = "KK";
	f->rep.period = "2025";
	f->rep.state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED;
	f->rep.totals = f->tp;
	f->rep.n_totals = 6;
	f->rep.children = f->chp;
	f->rep.n_children = 2;
	f->rep.completeness = &f->comp;
	f->rep.history = f->evp;
	f->rep.n_history = 2;
	f->rep.generated_at_ms = 1767225600000LL;
}

static void text_report(void **state)
{
	struct gt_meta *meta = NULL;
	struct fx f;
	struct gt_rmodel_names names = {name_of, NULL, NULL};
	(void)state;

	assert_int_equal(gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &meta, NULL), 0);
	province(&f);
	assert_int_equal(gt_i18n_use(GT_LANG_EN), 0);
	char *t = render(&f.rep, meta, &names, "text");
	assert_non_null(strstr(t, "Kasus dan korban TPPO (KK)\n"));
	assert_non_null(
	    strstr(t, "Nusa Tenggara Timur (53), period 2025; generated 1 Jan 2026 07:00 WIB"));
	assert_non_null(strstr(t, "Approval state of this report: submitted"));
	/* Completeness per child, with states; the missing unit named. */
	assert_non_null(strstr(t, "3 of 4 reporting units reported (75%); 1 of them on time "
	                          "(33.3%)"));
	assert_non_null(strstr(t, "  Kabupaten Kupang               53.01         1        1  "
	                          "  100%        1  accepted\n"));
	assert_non_null(strstr(t, "  Kota Kupang                    53.71 "));
	assert_non_null(strstr(t, "returned\n"));
	assert_non_null(strstr(t, "Not reported (1):\n  36.71    Kota Tangerang\n"));
	/* The sex x age table: options as columns, the row total; the legend below. */
	assert_non_null(strstr(t, "Jenis kelamin dan umur           PD      AP      LD      AL"
	                          "        Total\n"
	                          "Korban TPPO teridentifikasi      12       1       0       0"
	                          "           13\n"));
	assert_non_null(strstr(t, "(PD Perempuan dewasa, AP Anak perempuan"));
	assert_non_null(strstr(t, "Laporan polisi yang diterima                  3\n"));
	/* A part per child, and the province's own figures (12 - 5 - 4 = 3 adult women). */
	assert_non_null(strstr(t, "Kabupaten Kupang (53.01): accepted, 1 of 1 units reported\n"));
	assert_non_null(strstr(t, "Nusa Tenggara Timur (53): its own figures\n"));
	const char *own = strstr(t, "its own figures");
	assert_non_null(strstr(own, "Korban TPPO teridentifikasi       3       0       0       0"));
	assert_non_null(strstr(own, "Laporan polisi yang diterima                  0\n"));
	/* The signed history. */
	assert_non_null(strstr(t, "1 Jan 2026 07:00 WIB  approve   key ab12cd34ef56ab78\n"));
	assert_non_null(strstr(t, "return    Sekretariat GT Provinsi NTT \xe2\x80\x94 agregator "
	                          "(aggregator, key ab12cd34ef56ab78)\n"
	                          "                     reason: angka Juli perlu diperiksa\n"));
	/* No line is wider than the page. */
	for (const char *p = t; *p;) {
		size_t n = strcspn(p, "\n");
		if (n > GT_TEXT_WIDTH + 30)
			fail_msg("line too long: %.*s", (int)n, p);
		p += n + (p[n] != '\0');
	}
	free(t);

	/* Without metadata or names: every value still appears; the missing code alone. */
	t = render(&f.rep, NULL, NULL, "text");
	assert_non_null(strstr(t, "KK_KORBAN                      PD                       12\n"));
	assert_non_null(strstr(t, "Not reported (1):\n  36.71    \n"));
	free(t);

	/* In Bahasa Indonesia (issue 12, item 3): the words, the period as people say it, the
	 * times in the office's zone with its name, thousands grouped with '.'. */
	assert_int_equal(gt_i18n_use(GT_LANG_ID), 0);
	names.zone = "WIT";
	f.tv[0].value = 4330;
	t = render(&f.rep, meta, &names, "text");
	assert_non_null(
	    strstr(t, "Nusa Tenggara Timur (53), periode 2025; dibuat 1 Jan 2026 09:00 WIT"));
	assert_non_null(strstr(t, "Status persetujuan laporan ini: diajukan"));
	assert_non_null(strstr(t, "Korban TPPO teridentifikasi   4.330"));
	assert_non_null(strstr(t, "1 Jan 2026 09:00 WIT  approve"));
	assert_non_null(strstr(t, "(33,3%)"));
	assert_null(strstr(t, "Completeness"));
	assert_null(strstr(t, "Totals"));
	free(t);
	/* Machine formats keep their forms in any language: plain numbers, ISO times. */
	t = render(&f.rep, meta, &names, "csv");
	assert_non_null(strstr(t, ",4330,"));
	assert_null(strstr(t, "4.330"));
	free(t);
	t = render(&f.rep, meta, &names, "json");
	assert_non_null(strstr(t, "4330"));
	assert_null(strstr(t, "4.330"));
	assert_non_null(strstr(t, "2026-01-01T00:00:00Z"));
	assert_null(strstr(t, "WIT"));
	free(t);
	assert_int_equal(gt_i18n_use(GT_LANG_EN), 0);
	gt_meta_free(meta);
}

/* Yes/no and text answers, targets, long and non-ASCII names cut at a character. */
static void answers_targets_and_cuts(void **state)
{
	struct gt_meta *meta = NULL;
	Gtsync__V1__ReportReply rep = GTSYNC__V1__REPORT_REPLY__INIT;
	Gtsync__V1__ReportValue tv[3], *tp[3];
	Gtsync__V1__TargetRow tr[2], *trp[2];
	Gtsync__V1__ChildReport ch, *chp = &ch;
	(void)state;

	assert_int_equal(gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &meta, NULL), 0);
	tp[0] = val(&tv[0], "GT_SK", "", 7, 8);
	tp[1] = val(&tv[1], "GT_CATATAN", "", 0, 3);
	tv[1].text = "Catatan \xC3\xA9 pusat\nbaris dua";
	tp[2] = val(&tv[2], "GT_RAPAT_PLENO", "", 14, 8);
	for (int i = 0; i < 2; i++) {
		gtsync__v1__target_row__init(&tr[i]);
		trp[i] = &tr[i];
	}
	tr[0].indicator = "RAN.1.1";
	tr[0].name = "Jumlah daerah yang melaporkan pelaksanaan gugus tugas";
	tr[0].target = 32;
	tr[0].achieved = 20;
	tr[0].gap = 12;
	tr[0].unit = "provinsi";
	tr[0].has_target = 1;
	tr[1].indicator = "RAN.1.2";
	tr[1].name = "Indikator tanpa angka";
	tr[1].target_raw = "meningkat";
	gtsync__v1__child_report__init(&ch);
	/* 40 characters of "é" (two bytes each): cut to the column, never inside one. */
	char longname[200] = "";
	for (int i = 0; i < 40; i++)
		strcat(longname, "\xC3\xA9");
	ch.name = longname;
	ch.org_unit = "53";
	rep.org_unit = "ID";
	rep.org_name = "Indonesia";
	rep.dataset = "GT";
	rep.period = "2025";
	rep.totals = tp;
	rep.n_totals = 3;
	rep.targets = trp;
	rep.n_targets = 2;
	rep.children = &chp;
	rep.n_children = 1;
	char *t = render(&rep, meta, NULL, "text");
	assert_non_null(strstr(t, "Other answers:\n"));
	assert_non_null(strstr(t, "yes in 7 of 8 reports\n"));
	assert_non_null(strstr(t, "3 reports\n    Indonesia: Catatan \xC3\xA9 pusat baris dua\n"));
	assert_non_null(strstr(t, "Rapat koordinasi pleno yang dilaksanakan"));
	assert_non_null(strstr(t, "RAN.1.1 Jumlah daerah yang melaporkan p~           32"
	                          "           20           12  provinsi\n"));
	assert_non_null(strstr(t, "    target: meningkat\n"));
	/* The child's name: 29 characters and the cut mark in a 30-column field. */
	char cut[200] = "  ";
	for (int i = 0; i < 29; i++)
		strcat(cut, "\xC3\xA9");
	strcat(cut, "~ 53");
	assert_non_null(strstr(t, cut));
	assert_non_null(strstr(t, "No data.\n"));
	free(t);
	gt_meta_free(meta);
}

/* Issue 10 item 5: reasons, names, codes and text values with ESC sequences, CR, BEL and C1
 * controls reach the text and table reports escaped; UTF-8 names pass unchanged. */
static void hostile_text_escaped(void **state)
{
	struct gt_meta *meta = NULL;
	struct fx f;
	(void)state;

	assert_int_equal(gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &meta, NULL), 0);
	province(&f);
	f.ev[1].reason = "ok\x1b[2J\x1b[H\rapproved by the chair\x07";
	f.ev[1].key_id = "k\x1b]0;title\x07";
	f.ch[0].name = "Kabupaten\x1b[31m Kupang\xc2\x9b"
	               "1m";
	f.ch[1].name = "Kota Kupang \xe2\x80\x94 caf\xc3\xa9";
	f.rep.org_name = "NTT\rFAKE";
	f.missing[0] = "36\x1b.71";
	for (int k = 0; k < 2; k++) {
		const char *fmt = k == 0 ? "text" : "table";
		char *t = render(&f.rep, meta, NULL, fmt);
		if (gt_test_has_controls(t))
			fail_msg("the %s report holds a control character:\n%s", fmt, t);
		assert_non_null(strstr(t, k == 0 ? "Kabupaten\\x1b[31m Kupang\\u009b1m"
		                                 : "Kabupaten\\x1b[31m Kupang\\u009b1m: 1 of 1"));
		assert_non_null(strstr(t, "Kota Kupang \xe2\x80\x94 caf\xc3\xa9"));
		if (k == 0) {
			assert_non_null(strstr(t, "reason: ok\\x1b[2J\\x1b[H\\rapproved by the "
			                          "chair\\x07\n"));
			assert_non_null(strstr(t, "key k\\x1b]0;title\\x07"));
			assert_non_null(strstr(t, "NTT\\rFAKE (53)"));
			assert_non_null(strstr(t, "  36\\x1b.71 "));
		} else {
			assert_non_null(strstr(t, "not reported: 36\\x1b.71"));
		}
		free(t);
	}
	gt_meta_free(meta);
}

static void helpers(void **state)
{
	struct fx f;
	struct gt_rmodel_names names = {name_of, NULL, NULL};
	(void)state;

	province(&f);
	assert_non_null(gt_render_format_find("text"));
	assert_non_null(gt_render_format_find("html"));
	assert_null(gt_render_format_find("TEXT"));
	assert_true(gt_rmodel_find(f.rep.totals, f.rep.n_totals, "KK_KORBAN", "PD") == 12);
	assert_true(isnan(gt_rmodel_find(f.rep.totals, f.rep.n_totals, "KK_KORBAN", "LD")));
	assert_true(gt_rmodel_has_own(&f.rep));
	assert_true(gt_rmodel_own(&f.rep, "KK_KORBAN", "PD") == 3);
	/* Keys the province did not report itself have no own figure. */
	assert_true(isnan(gt_rmodel_own(&f.rep, "KK_KORBAN", "AP")));
	assert_true(isnan(gt_rmodel_own(&f.rep, "KK_LP", "")));
	assert_true(isnan(gt_rmodel_own(&f.rep, "KK_PERKARA", "PUTUSAN")));
	/* The districts' PELAKU is in the totals only: counted 2, children 0. */
	assert_true(gt_rmodel_own(&f.rep, "KK_PELAKU", "PERORANGAN") == 4);
	assert_string_equal(gt_rmodel_name(&names, &f.rep, "36.71"), "Kota Tangerang");
	assert_string_equal(gt_rmodel_name(&names, &f.rep, "53.01"), "Kabupaten Kupang");
	assert_string_equal(gt_rmodel_name(NULL, &f.rep, "53.71"), "Kota Kupang");
	assert_null(gt_rmodel_name(NULL, &f.rep, "99"));
	/* Without the per-child breakdown nothing is the unit's own. */
	f.rep.n_children = 0;
	assert_false(gt_rmodel_has_own(&f.rep));
	/* Children that hold everything leave nothing own. */
	province(&f);
	f.tv[0].count = 2;
	f.tv[0].value = 9;
	f.rep.n_totals = 4;
	assert_false(gt_rmodel_has_own(&f.rep));
}

/* The catalogues of the build tree, English unless a test asks for Bahasa Indonesia. */
static int group_setup(void **state)
{
	(void)state;
	return gt_i18n_setup() || gt_i18n_use(GT_LANG_EN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(text_report),
	    cmocka_unit_test(answers_targets_and_cuts),
	    cmocka_unit_test(helpers),
	    cmocka_unit_test(hostile_text_escaped),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
