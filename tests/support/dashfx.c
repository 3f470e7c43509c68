/* The dashboard's test fixture: a server with a province's data, a secretariat home, and
 * `gtsync dashboard` running on 127.0.0.1 with an HTTP client (curl) to ask it. */
#include "dashfx.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

/* Writes and pushes three months of KK for org; base varies the figures. */
static void enter(struct gt_dashfx *f, const char *home, const char *org, int base)
{
	char csv[2048], path[GT_PATH_MAX];
	size_t used;
	struct gt_clirun r;

	used = (size_t)snprintf(csv, sizeof(csv),
	                        "dataelement,period,orgunit,categoryoptioncombo,value,comment\n");
	for (int m = 1; m <= 3; m++) {
		int v = base + m - 1;
		used += (size_t)snprintf(csv + used, sizeof(csv) - used,
		                         "KK_KORBAN,2025%02d,%s,PD,%d,\n"
		                         "KK_KORBAN,2025%02d,%s,AP,1,\n"
		                         "KK_KORBAN_TOTAL,2025%02d,%s,,%d,\n"
		                         "KK_LP,2025%02d,%s,,1,\n",
		                         m, org, v, m, org, m, org, v + 1, m, org);
	}
	snprintf(path, sizeof(path), "%s/kk-%s.csv", f->ts.dir, org);
	gt_clirun_write(path, csv);
	const char *imp[] = {"import", path, NULL};
	gt_clirun(&r, home, NULL, 60, imp);
	if (r.status != 0)
		fail_msg("import failed:\n%s%s", r.out, r.err);
	gt_clirun_free(&r);
	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun(&r, home, NULL, 60, push);
	if (r.status != 0)
		fail_msg("push failed:\n%s%s", r.out, r.err);
	gt_clirun_free(&r);
}

/* Writes and pushes 53.71's achievement of two indicators of NTT's action plan in 2022 (the
 * plan page's figures: A1.A.01 reaches its target of 1, A1.A.02 passes it with 3). */
static void enter_plan(struct gt_dashfx *f, const char *home)
{
	char path[GT_PATH_MAX];
	struct gt_clirun r;

	snprintf(path, sizeof(path), "%s/ach-53.71.csv", f->ts.dir);
	gt_clirun_write(path, "dataelement,period,orgunit,categoryoptioncombo,value,comment\n"
	                      "ACH,2022,53.71,RADNTT2020.A1.A.01,1,\n"
	                      "ACH,2022,53.71,RADNTT2020.A1.A.02,3,\n");
	const char *imp[] = {"import", path, NULL};
	gt_clirun(&r, home, NULL, 60, imp);
	if (r.status != 0)
		fail_msg("import failed:\n%s%s", r.out, r.err);
	gt_clirun_free(&r);
	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun(&r, home, NULL, 60, push);
	if (r.status != 0)
		fail_msg("push failed:\n%s%s", r.out, r.err);
	gt_clirun_free(&r);
}

void gt_dashfx_setup(struct gt_dashfx *f)
{
	char op72[GT_PATH_MAX];

	memset(f, 0, sizeof(*f));
	gt_testserver_setup(&f->ts);
	/* A district whose name is hostile markup: every page must show it as text. NTT's zone
	 * (WITA), for the age told in the office's own zone. */
	gt_testserver_import(&f->ts,
	                     "code,name,level,timezone\n53,Nusa Tenggara Timur,province,WITA\n"
	                     "53.73,\"<script>alert(1)</script>\"\"><img src=x onerror=alert(2)>\","
	                     "district,WITA\n");
	gt_testserver_start(&f->ts, NULL);
	/* 2022: the plan page's achievement year, long past its 365 days of expiry. */
	gt_testserver_open_late(&f->ts, "53.71 53.72", "2022 2025");
	gt_clirun_client(&f->ts, "op71", "53.71", "operator", f->op71, sizeof(f->op71));
	gt_clirun_client(&f->ts, "op72", "53.72", "operator", op72, sizeof(op72));
	gt_clirun_client(&f->ts, "centre", "ID", "secretariat", f->centre, sizeof(f->centre));
	gt_clirun_client(&f->ts, "ag53", "53", "aggregator", f->ag53, sizeof(f->ag53));
	enter(f, f->op71, "53.71", 4);
	enter(f, op72, "53.72", 7);
	enter_plan(f, f->op71);
}

/* Starts the dashboard and waits for the line with its address; with tls the login line too. */
static void start(struct gt_dashfx *f, const char *home, int tls, char *login, size_t len)
{
	const char *args[] = {"dashboard", "--listen",  "127.0.0.1:0", "--period",
	                      "2025",      "--dataset", "KK",          NULL,
	                      NULL,        NULL,        NULL};
	size_t n = 7;
	char browser_env[GT_PATH_MAX + 16];
	const char *env[] = {NULL, NULL};

	/* Without --zone the dashboard tells times in the office's own zone. */
	if (!f->own_zone) {
		args[n++] = "--zone";
		args[n++] = "WITA";
	}
	if (tls)
		args[n++] = "--tls";
	if (f->browser[0]) {
		snprintf(browser_env, sizeof(browser_env), "BROWSER=%s", f->browser);
		env[0] = browser_env;
		args[n++] = "--open";
	}
	char line[256];
	unsigned port = 0;
	int have_login = !tls;

	gt_clirun_spawn(&f->bg, f->ts.dir, home, env, args);
	f->running = 1;
	for (int i = 0; i < 200 && (port == 0 || !have_login); i++) {
		FILE *out = fopen(f->bg.out, "r");
		while (out != NULL && fgets(line, sizeof(line), out) != NULL) {
			unsigned pt;
			if ((tls ? sscanf(line, "dashboard: https://127.0.0.1:%u/", &pt)
			         : sscanf(line, "dashboard: http://127.0.0.1:%u/", &pt)) == 1)
				port = pt;
			if (tls && strncmp(line, "login: ", 7) == 0) {
				snprintf(login, len, "%s", line + 7);
				login[strcspn(login, "\n")] = '\0';
				have_login = 1;
			}
		}
		if (out != NULL)
			fclose(out);
		if (port == 0 || !have_login) {
			struct timespec ts = {0, 50 * 1000 * 1000};
			if (waitpid(f->bg.pid, NULL, WNOHANG) == f->bg.pid) {
				f->running = 0;
				fail_msg("gtsync dashboard exited before listening (see %s)",
				         f->bg.err);
			}
			nanosleep(&ts, NULL);
		}
	}
	if (port == 0 || !have_login)
		fail_msg("gtsync dashboard printed no address (see %s)", f->bg.out);
	snprintf(f->url, sizeof(f->url), "%s://127.0.0.1:%u", tls ? "https" : "http", port);
}

void gt_dashfx_start(struct gt_dashfx *f, const char *home)
{
	start(f, home, 0, NULL, 0);
}

void gt_dashfx_start_tls(struct gt_dashfx *f, const char *home, char *login, size_t len)
{
	start(f, home, 1, login, len);
}

void gt_dashfx_stop(struct gt_dashfx *f)
{
	struct gt_clirun r;

	if (!f->running)
		return;
	kill(f->bg.pid, SIGTERM);
	gt_clirun_wait(&r, &f->bg, 20);
	f->running = 0;
	if (r.status != 0)
		fail_msg("gtsync dashboard exited with %d:\n%s", r.status, r.err);
	gt_clirun_free(&r);
}

void gt_dashfx_teardown(struct gt_dashfx *f)
{
	if (f->running) {
		struct gt_clirun r;
		kill(f->bg.pid, SIGKILL);
		gt_clirun_wait(&r, &f->bg, 10);
		gt_clirun_free(&r);
		f->running = 0;
	}
	gt_testserver_teardown(&f->ts);
}

/* Reads a whole file (caller frees); "" when it is missing. */
static char *slurp(const char *path)
{
	FILE *in = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;

	while (in != NULL && (c = fgetc(in)) != EOF)
		fputc(c, m);
	if (in != NULL)
		fclose(in);
	fclose(m);
	return buf;
}

void gt_dashfx_http(struct gt_dashfx *f, const char *path, const char *post, const char *cookie,
                    struct gt_dashfx_resp *r)
{
	char hdr[GT_PATH_MAX + 16], body[GT_PATH_MAX + 16], code[GT_PATH_MAX + 16], url[1024];
	pid_t pid;
	int st;

	snprintf(hdr, sizeof(hdr), "%s/http.hdr", f->ts.dir);
	snprintf(body, sizeof(body), "%s/http.body", f->ts.dir);
	snprintf(code, sizeof(code), "%s/http.code", f->ts.dir);
	snprintf(url, sizeof(url), "%s%s", f->url, path);
	unlink(hdr);
	unlink(body);
	pid = fork();
	if (pid < 0)
		fail_msg("fork failed");
	if (pid == 0) {
		const char *argv[20];
		int n = 0;
		FILE *c = freopen(code, "w", stdout);
		(void)c;
		argv[n++] = "curl";
		argv[n++] = "-s";
		argv[n++] = "--max-time";
		argv[n++] = "30";
		argv[n++] = "-D";
		argv[n++] = hdr;
		argv[n++] = "-o";
		argv[n++] = body;
		argv[n++] = "-w";
		argv[n++] = "%{http_code}";
		/* The dashboard's own certificate, made for this run: not checked here. */
		if (strncmp(url, "https:", 6) == 0)
			argv[n++] = "-k";
		if (post != NULL) {
			argv[n++] = "--data-raw";
			argv[n++] = post;
		}
		if (cookie != NULL) {
			argv[n++] = "-b";
			argv[n++] = cookie;
		}
		argv[n++] = url;
		argv[n] = NULL;
		execvp("curl", (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) == 127)
		fail_msg("curl did not run (is it installed?)");
	char *c = slurp(code);
	r->status = atoi(c);
	free(c);
	r->headers = slurp(hdr);
	r->body = slurp(body);
}

void gt_dashfx_resp_free(struct gt_dashfx_resp *r)
{
	free(r->headers);
	free(r->body);
	r->headers = r->body = NULL;
}

char *gt_dashfx_report_json(const char *home, const char *org)
{
	return gt_dashfx_report_json_pe(home, org, "2025");
}

char *gt_dashfx_report_json_pe(const char *home, const char *org, const char *pe)
{
	struct gt_clirun r;
	const char *args[] = {"report",   "--org", org,        "--dataset", "KK",
	                      "--period", pe,      "--format", "json",      NULL};
	char *out;

	gt_clirun(&r, home, NULL, 60, args);
	if (r.status != 0)
		fail_msg("report failed:\n%s%s", r.out, r.err);
	out = r.out;
	r.out = NULL;
	gt_clirun_free(&r);
	return out;
}
