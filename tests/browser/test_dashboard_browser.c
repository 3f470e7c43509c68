/* The dashboard in a real browser (issue 11, items 3 and 4): the fixture's server and
 * dashboard, and tests/browser/dashboard.mjs driving Debian's chromium through playwright-core:
 * the secretariat's pages online (the trend page over a period range among them), a province's
 * aggregator returning a district's report and following a figure to the signed batches it
 * comes from (the provenance page, verified by the dashboard, then a tamper caught), its pages
 * exported as a static site and opened from the files, the cached pages with the server
 * stopped, and a reader's dashboard (no verification; withheld parts marked). Skipped (exit 77,
 * which ctest reports as skipped) only when chromium is absent; a missing playwright-core is a
 * failure (setup.sh --test installs it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dashfx.h"
#include "key.h"

#define SKIP 77

static const char *chromium(void)
{
	const char *c = getenv("GT_CHROMIUM");

	if (c != NULL && access(c, X_OK) == 0)
		return c;
	return access("/usr/bin/chromium", X_OK) == 0 ? "/usr/bin/chromium" : NULL;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Runs the browser script in mode; fails the test when a check failed. */
static void run_browser_at(struct gt_dashfx *f, const char *base, const char *mode,
                           const char *id_json, const char *prov_json)
{
	char cmd[8192];
	int n, st;

	n = snprintf(cmd, sizeof(cmd),
	             "node '%s/tests/browser/dashboard.mjs' %s '%s' '%s/browser-shots' '%s' '%s' "
	             "'%s/53-months.json'",
	             GT_SOURCE_DIR, mode, base, GT_BINARY_DIR, id_json, prov_json, f->ts.dir);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		fail_msg("the browser command does not fit in %zu bytes", sizeof(cmd));
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		/* What the dashboard itself said, for the diagnosis. */
		FILE *e = fopen(f->bg.err, "r");
		int c;
		int ws = 0;
		if (f->running && waitpid(f->bg.pid, &ws, WNOHANG) == f->bg.pid) {
			f->running = 0;
			fprintf(stderr, "--- gtsync dashboard ended: %s %d\n",
			        WIFSIGNALED(ws) ? "signal" : "exit status",
			        WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
		}
		fprintf(stderr, "--- gtsync dashboard's standard error:\n");
		while (e != NULL && (c = fgetc(e)) != EOF)
			fputc(c, stderr);
		if (e != NULL)
			fclose(e);
		fail_msg("the browser checks (%s) failed: see above", mode);
	}
}

static void run_browser(struct gt_dashfx *f, const char *mode, const char *id_json,
                        const char *prov_json)
{
	run_browser_at(f, f->url, mode, id_json, prov_json);
}

static struct gt_dashfx f;

static int setup(void **state)
{
	gt_dashfx_setup(&f);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gt_dashfx_teardown(&f);
	return 0;
}

static void test_dashboard_in_browser(void **state)
{
	char id_json[GT_PATH_MAX + 16], prov_json[GT_PATH_MAX + 16], ap71[GT_PATH_MAX];
	const char *approve[] = {"approve", "--dataset",  "KK", "--period",
	                         "2025",    "--no-retry", NULL};
	struct gt_clirun r;
	char *json;
	(void)state;

	gt_dashfx_start(&f, f.centre);
	snprintf(id_json, sizeof(id_json), "%s/ID.json", f.ts.dir);
	snprintf(prov_json, sizeof(prov_json), "%s/53.json", f.ts.dir);
	json = gt_dashfx_report_json(f.centre, "ID");
	write_file(id_json, json);
	free(json);
	json = gt_dashfx_report_json(f.centre, "53");
	write_file(prov_json, json);
	free(json);
	/* The province's months, for the trend page: {"202501": report, ...}. */
	{
		static const char *const months[] = {"202412", "202501", "202502", "202503"};
		char months_json[GT_PATH_MAX + 16];
		FILE *m;
		snprintf(months_json, sizeof(months_json), "%s/53-months.json", f.ts.dir);
		m = fopen(months_json, "w");
		assert_non_null(m);
		for (size_t i = 0; i < sizeof(months) / sizeof(months[0]); i++) {
			json = gt_dashfx_report_json_pe(f.centre, "53", months[i]);
			fprintf(m, "%s\"%s\": %s", i ? ",\n" : "{", months[i], json);
			free(json);
		}
		fputs("}\n", m);
		assert_int_equal(fclose(m), 0);
	}
	run_browser(&f, "online", id_json, prov_json);
	gt_dashfx_stop(&f);

	/* The province's aggregator acts on an approved district (item 4). */
	gt_clirun_client(&f.ts, "ap71", "53.71", "approver", ap71, sizeof(ap71));
	gt_clirun(&r, ap71, NULL, 60, approve);
	if (r.status != 0)
		fail_msg("approve failed:\n%s%s", r.out, r.err);
	gt_clirun_free(&r);
	gt_dashfx_start(&f, f.ag53);
	run_browser(&f, "actions", id_json, prov_json);
	/* Where a figure comes from (Asal angka), verified by the dashboard itself. 53.71's
	 * operator key gets a new label first: a signed record of its own (KEY_LABEL_CHANGED,
	 * issue 14), which the page names the key by. */
	{
		char id[GT_KEY_ID_LEN + 1];
		const char *name[] = {"key", "label", id, "Kota Kupang, operator baru", NULL};

		gt_clirun_key_id(f.op71, id, sizeof(id));
		assert_int_equal(gt_testserver_admin(&f.ts, name), 0);
	}
	run_browser(&f, "provenance", id_json, prov_json);

	/* The aggregator's pages as a static site (item 3 of what remained), opened from the files
	 * themselves: `gtsync dashboard --export DIR` beside the running dashboard. */
	{
		char dir[GT_PATH_MAX], base[GT_PATH_MAX + 16];
		const char *exp[] = {"dashboard", "--export", dir,      "--period", "2025",
		                     "--dataset", "KK",       "--zone", "WITA",     NULL};
		snprintf(dir, sizeof(dir), "%s/export", f.ts.dir);
		gt_clirun(&r, f.ag53, NULL, 240, exp);
		if (r.status != 0 || strstr(r.out, "index.html") == NULL)
			fail_msg("the export failed (%d):\n%s%s", r.status, r.out, r.err);
		gt_clirun_free(&r);
		snprintf(base, sizeof(base), "file://%s/", dir);
		run_browser_at(&f, base, "export", id_json, prov_json);
	}

	/* The aggregator's cached pages with the server stopped. */
	assert_int_equal(gt_testserver_stop(&f.ts), 0);
	run_browser(&f, "offline", id_json, prov_json);
	run_browser(&f, "prov-offline", id_json, prov_json);

	/* A value changed in the server's store behind its back: the provenance page shows the
	 * cell that differs (as tests/system/cli/test_verify.c does for the CLI). */
	{
		char listen[64];
		const char *again[] = {"--listen", listen, NULL};
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", f.ts.port);
		gt_testserver_start(&f.ts, again);
	}
	gt_testserver_tamper(
	    &f.ts,
	    "UPDATE datavalues SET value = CAST(num + 90 AS INTEGER), num = num + 90 "
	    "WHERE data_element = 'KK_KORBAN_TOTAL' AND org_unit = '53.71' AND "
	    "period = '202501'",
	    NULL);
	run_browser(&f, "tampered", id_json, prov_json);
	gt_dashfx_stop(&f);

	/* A reader's dashboard: the provenance page says it cannot verify; withheld parts show
	 * as the tables show them. */
	{
		char rd[GT_PATH_MAX], rd_json[GT_PATH_MAX + 16];
		gt_clirun_client(&f.ts, "rd53", "53", "reader", rd, sizeof(rd));
		snprintf(rd_json, sizeof(rd_json), "%s/53-reader.json", f.ts.dir);
		json = gt_dashfx_report_json(rd, "53");
		write_file(rd_json, json);
		free(json);
		gt_dashfx_start(&f, rd);
		run_browser(&f, "reader", id_json, rd_json);
		gt_dashfx_stop(&f);
	}
}

int main(void)
{
	char pw[GT_PATH_MAX];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dashboard_in_browser, setup, teardown),
	};

	if (chromium() == NULL) {
		printf(
		    "SKIP: chromium is not installed (sh scripts/setup.sh --test installs it)\n");
		return SKIP;
	}
	snprintf(pw, sizeof(pw), "%s/tests/browser/node_modules/playwright-core/index.mjs",
	         GT_SOURCE_DIR);
	if (access(pw, R_OK) != 0) {
		fprintf(stderr,
		        "playwright-core is missing from tests/browser/node_modules: run sh "
		        "scripts/setup.sh --test\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
