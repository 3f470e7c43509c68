/* A new home asks for its language at a terminal (issue 12, item 4): the question appears on a
 * pseudo-terminal, Enter keeps Bahasa Indonesia, "2" chooses English and the home keeps it;
 * without a terminal init asks nothing and does not wait. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "testserver.h"

#define CLIENT_BIN GT_BINARY_DIR "/client/gtsync"

/* An environment that names no language: the client's default (Bahasa Indonesia) holds. */
static const char *const env_none[] = {"LANGUAGE=", "LC_ALL=", "LC_MESSAGES=", "LANG=C.UTF-8",
                                       NULL};

/* Reads from fd into buf (appending from *n) until want appears or the fd ends, for at most
 * 20 s; returns whether want appeared. */
static int read_until(int fd, char *buf, size_t len, size_t *n, const char *want)
{
	time_t end = time(NULL) + 20;

	while (time(NULL) < end) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t got;

		buf[*n] = '\0';
		if (want != NULL && strstr(buf, want) != NULL)
			return 1;
		if (poll(&p, 1, 500) <= 0)
			continue;
		got = read(fd, buf + *n, len - 1 - *n);
		if (got <= 0)
			break; /* EIO: the child closed the terminal */
		*n += (size_t)got;
	}
	buf[*n] = '\0';
	return want != NULL && strstr(buf, want) != NULL;
}

/* Runs gtsync init for a new home at a pseudo-terminal, answering the language question with
 * answer; returns the exit status, the terminal's text in out. */
static int init_at_terminal(struct gt_testserver *ts, const char *home, const char *answer,
                            char *out, size_t len)
{
	int fd, status = -1;
	size_t n = 0;
	pid_t pid = forkpty(&fd, NULL, NULL, NULL);

	assert_true(pid >= 0);
	if (pid == 0) {
		for (int i = 0; env_none[i] != NULL; i++)
			putenv((char *)env_none[i]);
		execl(CLIENT_BIN, CLIENT_BIN, "init", "--home", home, "--server", ts->addr, "--org",
		      "53.71", "--ca", ts->cert, (char *)NULL);
		_exit(127);
	}
	if (!read_until(fd, out, len, &n, "Choose [1]: ")) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(fd);
		fail_msg("no language question at the terminal:\n%s", out);
	}
	assert_int_equal(write(fd, answer, strlen(answer)), (ssize_t)strlen(answer));
	read_until(fd, out, len, &n, NULL);
	close(fd);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void enter_keeps_indonesian(void **state)
{
	struct gt_testserver *ts = *state;
	char home[4200], out[16384];
	struct gt_clirun r;

	snprintf(home, sizeof(home), "%s/enter", ts->dir);
	assert_int_equal(init_at_terminal(ts, home, "\r", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Bahasa Indonesia (bawaan / default)"));
	assert_non_null(strstr(out, "siap untuk unit organisasi 53.71"));
	/* The home keeps it, even where the environment asks for English. */
	const char *key[] = {"key", NULL};
	gt_clirun(&r, home, NULL, 30, key);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "kunci publik:"));
	gt_clirun_free(&r);
}

static void two_chooses_english(void **state)
{
	struct gt_testserver *ts = *state;
	char home[4200], out[16384];
	struct gt_clirun r;

	snprintf(home, sizeof(home), "%s/english", ts->dir);
	assert_int_equal(init_at_terminal(ts, home, "2\r", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "is ready for org unit 53.71"));
	assert_null(strstr(out, "siap untuk"));
	/* The environment names no language, which alone would mean Bahasa Indonesia. */
	const char *key[] = {"key", NULL};
	gt_clirun(&r, home, env_none, 30, key);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "public key:"));
	gt_clirun_free(&r);
}

/* Without a terminal (a script, a test): no question, no waiting, the environment decides. */
static void no_question_without_terminal(void **state)
{
	struct gt_testserver *ts = *state;
	char home[4200];
	struct gt_clirun r;

	snprintf(home, sizeof(home), "%s/script", ts->dir);
	const char *init[] = {"init",  "--home", home,   "--server", ts->addr,
	                      "--org", "53.71",  "--ca", ts->cert,   NULL};
	gt_clirun(&r, NULL, env_none, 30, init);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "Choose"));
	assert_non_null(strstr(r.out, "siap untuk unit organisasi 53.71"));
	gt_clirun_free(&r);
	/* Nothing stored: English where the environment asks for it. */
	const char *key[] = {"key", NULL};
	gt_clirun(&r, home, NULL, 30, key);
	assert_non_null(strstr(r.out, "public key:"));
	gt_clirun_free(&r);
	gt_clirun(&r, home, env_none, 30, key);
	assert_non_null(strstr(r.out, "kunci publik:"));
	gt_clirun_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(enter_keeps_indonesian),
	    cmocka_unit_test(two_chooses_english),
	    cmocka_unit_test(no_question_without_terminal),
	};
	return cmocka_run_group_tests(tests, gt_clirun_server_setup, gt_clirun_server_teardown);
}
