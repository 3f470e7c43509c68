/* Tests for client/html.c: the chair's HTML report holds the figures and escapes everything. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "html.h"
#include "i18n.h"
#include "metadata.h"

static Gtsync__V1__ReportValue *val(Gtsync__V1__ReportValue *v, const char *de, const char *coc,
                                    double x)
{
	gtsync__v1__report_value__init(v);
	v->data_element = (char *)de;
	v->category_option_combo = (char *)coc;
	v->value = x;
	v->count = 1;
	return v;
}

static char *render_in(const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                       const struct gt_rmodel_names *names)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	assert_int_equal(gt_html_report(m, rep, meta, names), 0);
	fclose(m);
	return text;
}

static char *render(const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	assert_int_equal(gt_html_report(m, rep, meta, NULL), 0);
	fclose(m);
	return text;
}

static void national_report(void **state)
{
	struct gt_meta *meta = NULL;
	struct gt_meta_errors errs;
	Gtsync__V1__ReportReply rep = GTSYNC__V1__REPORT_REPLY__INIT;
	Gtsync__V1__Completeness comp = GTSYNC__V1__COMPLETENESS__INIT;
	Gtsync__V1__ReportValue tv[5], cv[1], *tp[5], *cp[1];
	Gtsync__V1__ChildReport ch[2], *chp[2];
	char *missing[] = {"36.71"};
	(void)state;

	gt_meta_errors_init(&errs);
	assert_int_equal(gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &meta, &errs), 0);
	tp[0] = val(&tv[0], "KK_KORBAN", "PD", 2047);
	tp[1] = val(&tv[1], "KK_KORBAN", "AP", 272);
	tp[2] = val(&tv[2], "KK_KORBAN", "LD", 318);
	tp[3] = val(&tv[3], "KK_KORBAN", "AL", 11);
	tp[4] = val(&tv[4], "KK_LP", "", 554);
	cp[0] = val(&cv[0], "KK_LP", "", 300);
	for (int i = 0; i < 2; i++) {
		gtsync__v1__child_report__init(&ch[i]);
		chp[i] = &ch[i];
	}
	ch[0].org_unit = "53";
	ch[0].name = "Nusa Tenggara Timur";
	ch[0].state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED;
	ch[0].values = cp;
	ch[0].n_values = 1;
	ch[0].expected = 3;
	ch[0].reported_units = 3;
	ch[1].org_unit = "36";
	ch[1].name = "Banten <script>alert(1)</script>";
	ch[1].state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN;
	ch[1].expected = 3;
	ch[1].reported_units = 2;
	comp.expected = 6;
	comp.reported = 5;
	comp.on_time = 4;
	comp.missing = missing;
	comp.n_missing = 1;
	rep.org_unit = "ID";
	rep.org_name = "Indonesia";
	rep.dataset = "KK";
	rep.period = "2024";
	rep.totals = tp;
	rep.n_totals = 5;
	rep.children = chp;
	rep.n_children = 2;
	rep.completeness = &comp;

	gt_i18n_use(GT_LANG_ID);
	char *html = render(&rep, meta);
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "Kasus dan korban TPPO"));
	/* The sex x age breakdown and its total: 2,047 + 272 + 318 + 11 = 2,648. */
	assert_non_null(strstr(html, "Perempuan dewasa"));
	/* Numbers grouped as Indonesian writes them (issue 12, what remained, item 1). */
	assert_non_null(strstr(html, "<td class=n>2.047</td>"));
	assert_non_null(strstr(html, "<td class=\"n total\">2.648</td>"));
	assert_non_null(strstr(html, "<th class=n>Jumlah</th>"));
	assert_non_null(strstr(html, "Belum melapor: 1</h3>"));
	assert_null(strstr(html, "not reported"));
	assert_non_null(strstr(html, "<td class=\"n total\">554</td>"));
	/* Completeness, states, missing units. */
	assert_non_null(strstr(html, "5 dari 6 unit melapor"));
	assert_non_null(strstr(html, ">diterima</span>"));
	/* One language at a time (issue 11, what remained, item 5): no English glosses, and the
	 * period as people say it (a year of a monthly data set). */
	assert_non_null(strstr(html, "<html lang=id>"));
	assert_null(strstr(html, "(accepted)"));
	assert_null(strstr(html, "(units reported"));
	assert_non_null(strstr(html, "Januari\xe2\x80\x93"
	                             "Desember 2024"));
	assert_non_null(strstr(html, "36.71"));
	/* A table per province. */
	assert_non_null(strstr(html, "<section class=child><h2>Nusa Tenggara Timur (53)"));
	assert_non_null(strstr(html, "<td class=\"n total\">300</td>"));
	/* Hostile text is escaped, never markup. */
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "&lt;script&gt;"));
	/* The summary matrix of provinces and the shared charts come before the detail (issue
	 * 11, item 5). */
	const char *summary = strstr(html, "<section class=\"summary\">");
	assert_non_null(summary);
	assert_true(summary < strstr(html, "<section class=child>"));
	assert_non_null(strstr(html, "<figure class=\"chart\""));
	assert_non_null(strstr(html, "@page{size:A4"));
	/* Self-contained: no external resources. */
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	free(html);

	/* The same report in English, without Indonesian words. */
	gt_i18n_use(GT_LANG_EN);
	html = render(&rep, meta);
	assert_non_null(strstr(html, "<html lang=en>"));
	assert_non_null(strstr(html, "5 of 6 units reported"));
	assert_non_null(strstr(html, ">accepted</span>"));
	assert_non_null(strstr(html, "January\xe2\x80\x93"
	                             "December 2024"));
	assert_non_null(strstr(html, "<td class=\"n total\">2,648</td>"));
	assert_non_null(strstr(html, "<th class=n>Total</th>"));
	assert_non_null(strstr(html, "Not reported yet: 1</h3>"));
	assert_null(strstr(html, "Belum"));
	assert_null(strstr(html, "<th class=n>Jumlah</th>"));
	assert_null(strstr(html, "unit melapor"));
	assert_null(strstr(html, ">diterima</span>"));
	free(html);
	gt_i18n_use(GT_LANG_ID);

	/* Without metadata it still renders every value, under Indonesian headings. */
	html = render(&rep, NULL);
	assert_non_null(strstr(html, "KK_KORBAN"));
	assert_non_null(strstr(html, "2.047"));
	assert_non_null(strstr(html, "<th>Elemen data</th>"));
	assert_null(strstr(html, "Data element"));
	free(html);

	/* Times in the office's zone, not UTC (issue 12, what remained, item 3): 2026-12-03
	 * 06:05 UTC is 14:05 WITA, 13:05 WIB. */
	Gtsync__V1__WorkflowEvent ev = GTSYNC__V1__WORKFLOW_EVENT__INIT, *evp = &ev;
	struct gt_rmodel_names wita = {NULL, NULL, "WITA"};
	ev.kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT;
	ev.at_ms = 1796277900000LL;
	rep.history = &evp;
	rep.n_history = 1;
	rep.generated_at_ms = 1796277900000LL;
	html = render_in(&rep, meta, &wita);
	assert_non_null(strstr(html, "3 Des 2026 14:05 WITA"));
	assert_null(strstr(html, "UTC"));
	free(html);
	html = render(&rep, meta);
	assert_non_null(strstr(html, "3 Des 2026 13:05 WIB"));
	assert_null(strstr(html, "UTC"));
	free(html);
	gt_meta_free(meta);
	gt_meta_errors_clear(&errs);
}

static void escaping(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	(void)state;
	gt_html_escape(m, "a<b>&\"c'");
	gt_html_escape(m, NULL);
	fclose(m);
	assert_string_equal(text, "a&lt;b&gt;&amp;&quot;c&#39;");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(national_report),
	    cmocka_unit_test(escaping),
	};

	gt_i18n_setup();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
