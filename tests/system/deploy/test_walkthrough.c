/* Issue 13, done-when: the README's deployment walk-through is followed literally. The test
 * takes the shell blocks of the README's "Deploying it, step by step" section, in order, and
 * runs them as one script in a fresh HOME: install into a staging prefix, a centre, a province
 * enrolled by the centre and two districts enrolled by the province from their enrolment
 * lines, figures pushed and approved, accepted by the province, a backup taken while the
 * server runs, restored elsewhere, verified, and the restored centre serving the same report. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define SECTION "## Deploying it, step by step"
/* The whole walk-through, under the sanitizers on a loaded machine. */
#define DEADLINE_S 600

/* The shell blocks of the README's walk-through, concatenated in order (caller frees), and
 * their number in *nblocks. */
static char *walkthrough_script(size_t *nblocks)
{
	size_t len, cap, used = 0;
	uint8_t *readme = gt_test_read_file(GT_SOURCE_DIR "/README.md", &len);
	char *script, *p, *end;

	*nblocks = 0;
	assert_non_null(readme);
	p = strstr((char *)readme, "\n" SECTION "\n");
	assert_non_null(p);
	p += strlen(SECTION) + 2;
	end = strstr(p, "\n## ");
	if (end == NULL)
		end = p + strlen(p);
	cap = (size_t)(end - p) + 1;
	script = calloc(1, cap);
	assert_non_null(script);
	while ((p = strstr(p, "```sh\n")) != NULL && p < end) {
		char *close = strstr(p + 6, "\n```\n");
		assert_non_null(close);
		assert_true(close < end);
		size_t n = (size_t)(close - (p + 6)) + 1;
		assert_true(used + n < cap);
		memcpy(script + used, p + 6, n);
		used += n;
		(*nblocks)++;
		p = close + 5;
	}
	free(readme);
	return script;
}

static int64_t mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec;
}

/* Runs the script with sh -eu in its own process group (HOME=dir, BUILD this build, PORT a
 * free port), output to dir/walk.out; returns its exit status. Whatever it left running (a
 * server, after a failure) is killed with the group. */
static int run_script(const char *dir, const char *script_path)
{
	char home[4200], build[4200], port[32], out[4200];
	int status = 0, done = 0;
	int64_t t0 = mono_s();
	pid_t pid;

	snprintf(home, sizeof(home), "HOME=%s", dir);
	snprintf(build, sizeof(build), "BUILD=%s", GT_BINARY_DIR);
	snprintf(port, sizeof(port), "PORT=%d", gt_test_free_port());
	snprintf(out, sizeof(out), "%s/walk.out", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		setpgid(0, 0);
		dup2(o, 1);
		dup2(o, 2);
		putenv(home);
		putenv(build);
		putenv(port);
		if (chdir(GT_SOURCE_DIR) != 0)
			_exit(126);
		execlp("sh", "sh", "-eu", script_path, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	while (!done && mono_s() - t0 < DEADLINE_S) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		assert_true(w >= 0);
		if (w == pid)
			done = 1;
		else
			usleep(200 * 1000);
	}
	kill(-pid, SIGKILL);
	if (!done) {
		assert_int_equal(waitpid(pid, &status, 0), pid);
		fprintf(stderr, "the walk-through took more than %d s\n", DEADLINE_S);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The value column of the CSV report's row for element, org unit and option ("" none). */
static long report_value(const char *csv, const char *de, const char *org, const char *coc)
{
	char prefix[128];
	const char *line = csv;

	while (line != NULL && *line != '\0') {
		snprintf(prefix, sizeof(prefix), "%s,", de);
		if (strncmp(line, prefix, strlen(prefix)) == 0) {
			const char *f = line + strlen(prefix);
			const char *c2 = strchr(f, ','); /* after the period */
			if (c2 != NULL) {
				char tail[128];
				snprintf(tail, sizeof(tail), "%s,%s,", org, coc);
				if (strncmp(c2 + 1, tail, strlen(tail)) == 0)
					return atol(c2 + 1 + strlen(tail));
			}
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return -1;
}

static void readme_walkthrough_runs_as_written(void **state)
{
	static const char *const steps[] = {
	    "cmake --install",      "gtsync-server init",    "gtsync-server orgunits import",
	    "gtsync-server run",    "gtsync init",           "gtsync-server key enrol",
	    "gtsync enrol",         "gtsync import",         "gtsync push",
	    "gtsync approve",       "gtsync pull",           "gtsync accept",
	    "gtsync-server backup", "gtsync-server restore", "gtsync-server verify",
	    "gtsync report",
	};
	char *dir = gt_test_tmpdir("walk");
	char path[4200];
	size_t nblocks, len;
	(void)state;

	char *script = walkthrough_script(&nblocks);
	assert_true(nblocks >= 8);
	/* The walk-through the issue asks for: each step is in the README's text. */
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (strstr(script, steps[i]) == NULL)
			fprintf(stderr, "the walk-through lacks '%s'\n", steps[i]);
		assert_non_null(strstr(script, steps[i]));
	}
	snprintf(path, sizeof(path), "%s/walk.sh", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(script, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);

	int rc = run_script(dir, path);
	snprintf(path, sizeof(path), "%s/walk.out", dir);
	uint8_t *out = gt_test_read_file(path, &len);
	if (rc != 0)
		fprintf(stderr, "the walk-through failed (%d); its output:\n%s\n", rc,
		        out != NULL ? (char *)out : "(none)");
	assert_int_equal(rc, 0);
	assert_non_null(out);
	assert_non_null(strstr((char *)out, "the restored centre agrees"));

	/* The province's consolidated report holds both districts' figures. */
	snprintf(path, sizeof(path), "%s/gtsync-rehearsal/report-after.csv", dir);
	uint8_t *csv = gt_test_read_file(path, &len);
	assert_non_null(csv);
	assert_int_equal(report_value((char *)csv, "KK_KORBAN_TOTAL", "53", ""), 6);
	assert_int_equal(report_value((char *)csv, "KK_KORBAN_TOTAL", "53.71", ""), 3);
	assert_int_equal(report_value((char *)csv, "KK_LP", "53", ""), 2);

	free(csv);
	free(out);
	free(script);
	gt_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(readme_walkthrough_runs_as_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
