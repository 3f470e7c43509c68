/* Keys and offices (issue 13): one key of several roles pushes values and approves over the
 * wire; a role taken from it is refused at its next login and given back with key grant;
 * labels name keys in key list; rebuild and verify still pass after the change of roles. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clirun.h"
#include "testserver.h"

#define SERVER_BIN GT_BINARY_DIR "/server/gtsync-server"
#define LABEL      "Sekretariat GT Kota Kupang \xe2\x80\x94 operator 1"

struct fx {
	struct gt_testserver *ts;
	char both[4200];
	char key_id[32];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	void *ts = NULL;

	if (f == NULL || gt_clirun_server_setup(&ts) != 0)
		return -1;
	f->ts = ts;
	gt_clirun_client(f->ts, "both", "53.71", "operator,approver", f->both, sizeof(f->both));
	gt_clirun_key_id(f->both, f->key_id, sizeof(f->key_id));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	return gt_clirun_fx_teardown(f->ts, f);
}

/* Runs gtsync-server CMD... --data DATA and returns its standard output and error (caller
 * frees) and its exit status in *status. */
static char *server_cmd(struct fx *f, const char *args, int *status)
{
	char *cmd = NULL, *out = NULL;
	size_t cap = 0, len = 0;
	FILE *p;

	assert_true(asprintf(&cmd, "%s %s --data '%s' 2>&1", SERVER_BIN, args, f->ts->data) > 0);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap * 2 + 8192;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		size_t n = fread(out + len, 1, 4096, p);
		len += n;
		if (n == 0)
			break;
	}
	out[len] = '\0';
	*status = pclose(p);
	free(cmd);
	return out;
}

/* gtsync-server ARGS must exit with want and say needle. */
static void server_says(struct fx *f, int want, const char *needle, const char *args)
{
	int status;
	char *out = server_cmd(f, args, &status);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != want || strstr(out, needle) == NULL)
		fail_msg("gtsync-server %s: status %d (expected exit %d), expected '%s' in:\n%s",
		         args, status, want, needle, out);
	free(out);
}

static void one_key_two_roles(void **state)
{
	struct fx *f = *state;
	char args[256];
	const char *set[] = {"set", "KK_LP", "202401", "", "3", NULL};
	const char *push[] = {"push", "--no-retry", NULL};
	const char *submit[] = {"submit", "--dataset",  "KK", "--period",
	                        "2024",   "--no-retry", NULL};
	const char *approve[] = {"approve", "--dataset",  "KK", "--period",
	                         "2024",    "--no-retry", NULL};
	const char *status[] = {"status", "--format", "plain", NULL};
	struct gt_clirun r;
	char buf[64];

	/* The one district machine enters its figures and submits its report. */
	gt_clirun_says(f->both, 0, "queued", set);
	gt_clirun_says(f->both, 0, "1 values acknowledged", push);
	gt_clirun(&r, f->both, NULL, 60, status);
	assert_string_equal(gt_clirun_kv(r.out, "role", buf, sizeof(buf)), "operator,approver");
	gt_clirun_free(&r);
	gt_clirun_says(f->both, 0, "submit KK 2024 53.71: applied", submit);

	/* The approver role is taken: the next login may still push, but not act. */
	snprintf(args, sizeof(args), "key revoke-role --role approver %s", f->key_id);
	server_says(f, 0, "now holds: operator", args);
	gt_clirun_says(f->both, 1, "refused by the server: only an approver key may submit",
	               approve);
	const char *set2[] = {"set", "KK_LP", "202402", "", "4", NULL};
	gt_clirun_says(f->both, 0, "queued", set2);
	gt_clirun_says(f->both, 0, "1 values acknowledged", push);
	/* The last role cannot be taken; a role it does not hold neither. */
	snprintf(args, sizeof(args), "key revoke-role --role operator %s", f->key_id);
	server_says(f, 1, "revoke the key instead", args);
	snprintf(args, sizeof(args), "key revoke-role --role approver %s", f->key_id);
	server_says(f, 1, "holds only operator", args);

	/* Given back, and the operator taken instead: it acts but writes no values. */
	snprintf(args, sizeof(args), "key grant --role approver %s", f->key_id);
	server_says(f, 0, "now holds: operator,approver", args);
	snprintf(args, sizeof(args), "key revoke-role --role operator %s", f->key_id);
	server_says(f, 0, "now holds: approver", args);
	gt_clirun_says(f->both, 0, "approve KK 2024 53.71: applied", approve);
	const char *set3[] = {"set", "KK_LP", "202403", "", "5", NULL};
	/* The client learnt the roles at that login: it queues nothing. */
	gt_clirun_says(f->both, 1, "registered as approver; only an operator key may write", set3);

	/* Labels and filters in key list. */
	snprintf(args, sizeof(args), "key label %s '" LABEL "'", f->key_id);
	server_says(f, 0, "is labelled", args);
	server_says(f, 0, LABEL, "key list --org 53 --role approver");
	server_says(f, 0, "(no key matches)", "key list --org 36 --role approver");
	server_says(f, 0, "(no key matches)", "key list --org 53.71 --role aggregator");
	server_says(f, 2, "not a list of roles", "key list --role boss");

	/* Reports name the keys of the history by label and role (issue 13, labels in reports),
	 * in text, JSON and HTML alike. */
	const char *text[] = {"report",   "--org", "53.71",    "--dataset", "KK",
	                      "--period", "2024",  "--format", "text",      NULL};
	gt_clirun_says(f->both, 0, "submit    " LABEL " (approver, key ", text);
	const char *json[] = {"report",   "--org", "53.71",    "--dataset", "KK",
	                      "--period", "2024",  "--format", "json",      NULL};
	gt_clirun_says(f->both, 0, "\"by\": \"" LABEL "\"", json);
	gt_clirun_says(f->both, 0, "\"role\": \"approver\"", json);

	/* The log signed under the roles held then still rebuilds and verifies. */
	assert_int_equal(gt_testserver_stop(f->ts), 0);
	server_says(f, 0, "", "rebuild");
	server_says(f, 0, "", "verify");
}

/* Copies the enrolment request line out of gtsync init's output into line. */
static void request_of(const char *out, char *line, size_t cap)
{
	const char *p = strstr(out, "\ngtsync-enrol-1 ");
	assert_non_null(p);
	p++;
	size_t n = strcspn(p, "\n");
	assert_true(n < cap);
	memcpy(line, p, n);
	line[n] = '\0';
}

/* Issue 13, enrolment: gtsync init prints a request line and its check; the centre enrols it
 * with one command (a mistyped copy is refused); the office then works with no further step. */
static void enrol_by_request(void **state)
{
	struct fx *f = *state;
	char home[4200], line[300], bad[300], args[4800], path[4300], check[32];
	struct gt_clirun r;
	int status;

	snprintf(home, sizeof(home), "%s/enrolled", f->ts->dir);
	const char *init[] = {
	    "init",  "--home", home,        "--server", f->ts->addr,         "--org",
	    "53.72", "--ca",   f->ts->cert, "--role",   "operator,approver", NULL};
	gt_clirun(&r, NULL, NULL, 30, init);
	assert_int_equal(r.status, 0);
	request_of(r.out, line, sizeof(line));
	const char *c = strstr(r.out, "check:      ");
	assert_non_null(c);
	snprintf(check, sizeof(check), "%.14s", c + strlen("check:      "));
	gt_clirun_free(&r);
	assert_non_null(strstr(line, " 53.72 operator,approver "));
	assert_non_null(strstr(line, check));

	/* Not enrolled yet: the server says so. */
	const char *md[] = {"metadata", "pull", NULL};
	gt_clirun_says(home, 1, "not registered", md);
	/* Before the first login, 'gtsync key' repeats the very request, roles included. */
	const char *key[] = {"key", NULL};
	gt_clirun_says(home, 0, line, key);
	gt_clirun_says(home, 0, "operator,approver asked for", key);

	/* One digit mistyped in the copy the centre got: refused, nothing registered. */
	snprintf(bad, sizeof(bad), "%s", line);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '1' ? '2' : '1';
	snprintf(path, sizeof(path), "%s/request.txt", f->ts->dir);
	char msg[400];
	snprintf(msg, sizeof(msg), "From the district office:\n%s\n", bad);
	gt_clirun_write(path, msg);
	snprintf(args, sizeof(args), "key enrol --request '%s'", path);
	server_says(f, 1, "check does not match", args);
	snprintf(args, sizeof(args), "key list --org 53.72");
	char *out = server_cmd(f, args, &status);
	assert_null(strstr(out, "operator,approver"));
	free(out);

	/* The right line: enrolled, and the centre reads the same check. */
	snprintf(args, sizeof(args),
	         "key enrol --request '%s' --label 'Kabupaten 53.72 - operator'", line);
	server_says(f, 0, check, args);
	server_says(f, 0, "Kabupaten 53.72 - operator", "key list --org 53.72 --role approver");
	snprintf(args, sizeof(args), "key enrol --request '%s'", line);
	server_says(f, 1, "already registered", args);

	/* The office works at once: its first command fetches the metadata. */
	const char *set[] = {"set", "KK_LP", "202401", "", "2", NULL};
	gt_clirun_says(home, 0, "queued", set);
	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun_says(home, 0, "1 values acknowledged", push);
}

/* Sets up a home for org asking for roles and returns its request line. */
static void new_office(struct fx *f, const char *name, const char *org, const char *roles,
                       char *home, size_t hlen, char *line, size_t llen)
{
	struct gt_clirun r;

	snprintf(home, hlen, "%s/%s", f->ts->dir, name);
	const char *init[] = {"init", "--home", home,        "--server", f->ts->addr, "--org",
	                      org,    "--ca",   f->ts->cert, "--role",   roles,       NULL};
	gt_clirun(&r, NULL, NULL, 30, init);
	assert_int_equal(r.status, 0);
	request_of(r.out, line, llen);
	gt_clirun_free(&r);
}

/* Issue 13, enrolment over the wire: a province's aggregator enrols its own district's
 * operator and approver key; another province's district, another role, or a key that is not
 * an aggregator's is refused, and nothing is registered. */
static void aggregator_enrols_its_districts(void **state)
{
	struct fx *f = *state;
	char ag53[4200], ag36[4200], home[4200], other[4200], line[300], line36[300], agline[300];
	int status;

	gt_clirun_client(f->ts, "ag53", "53", "aggregator", ag53, sizeof(ag53));
	gt_clirun_client(f->ts, "ag36", "36", "aggregator", ag36, sizeof(ag36));
	new_office(f, "d5372", "53.72", "operator,approver", home, sizeof(home), line,
	           sizeof(line));
	new_office(f, "d3601", "36.01", "operator", other, sizeof(other), line36, sizeof(line36));

	/* Banten's aggregator may not enrol a district of Nusa Tenggara Timur, nor NTT's one of
	 * Banten's. */
	const char *wrong[] = {"enrol", "--request", line, NULL};
	gt_clirun_says(ag36, 1, "only for its own province's districts", wrong);
	const char *wrong2[] = {"enrol", "--request", line36, NULL};
	gt_clirun_says(ag53, 1, "only for its own province's districts", wrong2);
	/* A district's own key may not enrol anyone. */
	gt_clirun_says(f->both, 1, "only a province's aggregator may enrol", wrong);
	/* Nor may an aggregator enrol another aggregator. */
	char agh[4200];
	new_office(f, "ag53b", "53", "aggregator", agh, sizeof(agh), agline, sizeof(agline));
	const char *wrong3[] = {"enrol", "--request", agline, NULL};
	gt_clirun_says(ag53, 1, "only for its own province's districts", wrong3);
	/* Nor a district key with a province's role. */
	char mixh[4200], mixline[300];
	new_office(f, "d5372x", "53.72", "operator,aggregator", mixh, sizeof(mixh), mixline,
	           sizeof(mixline));
	const char *wrong4[] = {"enrol", "--request", mixline, NULL};
	gt_clirun_says(ag53, 1, "only operator and approver keys", wrong4);
	char *out = server_cmd(f, "key list --org 53.72", &status);
	assert_non_null(strstr(out, "(no key matches)"));
	free(out);

	/* Its own district: enrolled with its label; the district works at once. */
	const char *right[] = {"enrol", "--request", line, "--label", "Kabupaten 53.72 - operator",
	                       NULL};
	gt_clirun_says(ag53, 0, "enrolled for 53.72 as operator,approver; check ", right);
	gt_clirun_says(ag53, 1, "already registered", right);
	server_says(f, 0, "Kabupaten 53.72 - operator", "key list --org 53 --role operator");
	const char *set[] = {"set", "KK_LP", "202401", "", "6", NULL};
	gt_clirun_says(home, 0, "queued", set);
	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun_says(home, 0, "1 values acknowledged", push);
	/* The server's log says who enrolled whom. */
	assert_true(gt_testserver_log_count(f->ts, "outcome=registered") == 1);
	assert_true(gt_testserver_log_count(f->ts, "outcome=refused") >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(one_key_two_roles, setup, teardown),
	    cmocka_unit_test_setup_teardown(enrol_by_request, setup, teardown),
	    cmocka_unit_test_setup_teardown(aggregator_enrols_its_districts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
