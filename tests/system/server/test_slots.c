/* Connection slots and run's numeric options (issue 10, items 4 and 11): a per-address limit,
 * a budget for connections still in the handshake, and every number range-checked. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "session.h"
#include "testserver.h"
#include "testutil.h"

/* A bare TCP connection from source address src (any 127.0.0.0/8 address is loopback), with
 * a 1 s read timeout. */
static int connect_from(const char *src, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct sockaddr_in from = {.sin_family = AF_INET};
	struct timeval tv = {.tv_sec = 1};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(inet_pton(AF_INET, src, &from.sin_addr), 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* 1 if the server closed fd at once (well within the 30 s handshake timeout), 0 if it still
 * holds it after the 1 s read timeout. */
static int closed_at_once(int fd)
{
	char c;
	ssize_t n = read(fd, &c, 1);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Item 4: bare sockets from one address cannot take every slot, nor can sockets that never
 * finish the handshake; authenticated connections do not count against the handshake budget. */
static void per_address_limit_and_handshake_budget(void **state)
{
	struct gt_testserver ts;
	int held[4], fd;
	(void)state;

	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&ts);
	struct gt_key *k = gt_testserver_key(&ts, "53.71", "operator");
	const char *extra[] = {"--max-conns-per-addr",
	                       "3",
	                       "--max-handshakes",
	                       "4",
	                       "--handshake-timeout",
	                       "30",
	                       NULL};
	gt_testserver_start(&ts, extra);

	/* Three silent sockets from 127.0.0.2 are held; a fourth from there is closed at once. */
	for (int i = 0; i < 3; i++)
		held[i] = connect_from("127.0.0.2", ts.port);
	fd = connect_from("127.0.0.2", ts.port);
	assert_true(closed_at_once(fd));
	close(fd);
	assert_false(closed_at_once(held[0]));
	assert_int_equal(gt_testserver_log_count(&ts, "too many connections from this address"), 1);

	/* One more from 127.0.0.3 fills the handshake budget of 4; the next, from yet another
	 * address, is closed at once. */
	held[3] = connect_from("127.0.0.3", ts.port);
	fd = connect_from("127.0.0.4", ts.port);
	assert_true(closed_at_once(fd));
	close(fd);
	assert_false(closed_at_once(held[3]));
	assert_int_equal(
	    gt_testserver_log_count(&ts, "too many connections still in the handshake"), 1);
	for (int i = 0; i < 4; i++)
		close(held[i]);

	/* Authenticated sessions from 127.0.0.1 leave the handshake budget free... */
	struct gt_session *s[3];
	for (int i = 0; i < 3; i++) {
		s[i] = NULL;
		for (int t = 0; t < 20 && s[i] == NULL; t++) {
			s[i] = gt_testserver_session(&ts, k, NULL);
			if (s[i] == NULL)
				usleep(100 *
				       1000); /* the closed sockets are still being released */
		}
		assert_non_null(s[i]);
	}
	for (int i = 0; i < 4; i++)
		held[i] = connect_from(i < 2 ? "127.0.0.5" : "127.0.0.6", ts.port);
	for (int i = 0; i < 4; i++)
		assert_false(closed_at_once(held[i]));
	/* ...but count against their address's limit. */
	struct gt_session_err err;
	assert_null(gt_testserver_session(&ts, k, &err));
	for (int i = 0; i < 4; i++)
		close(held[i]);
	for (int i = 0; i < 3; i++)
		gt_session_close(s[i]);

	assert_true(gt_testserver_alive(&ts));
	assert_int_equal(gt_testserver_stop(&ts), 0);
	gt_key_free(k);
	gt_testserver_teardown(&ts);
}

/* Whether the admin log of ts holds needle. */
static int admin_log_has(struct gt_testserver *ts, const char *needle)
{
	char path[GT_PATH_MAX], buf[8192];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/admin.log", ts->dir);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

/* Item 11: a number that would overflow in milliseconds (4294968 s is 2^32 ms + 704 ms) and
 * every other out-of-range number are refused with the range in words. The bad --listen
 * makes today's code stop too (after accepting the number), instead of serving. */
static void numeric_options_range_checked(void **state)
{
	struct gt_testserver ts;
	static const char *const cases[][2] = {
	    {"--idle-timeout", "4294968"},   {"--handshake-timeout", "4294968"},
	    {"--frame-deadline", "4294968"}, {"--max-conns", "4294967296"},
	    {"--max-frame", "100"},          {"--max-conns-per-key", "-1"},
	    {"--max-inflight", "0"},         {"--max-values", "99999999999"},
	};
	(void)state;

	gt_testserver_setup(&ts);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[128];
		const char *args[] = {"run", "--listen", "nowhere", cases[i][0], cases[i][1], NULL};
		char path[GT_PATH_MAX];
		snprintf(path, sizeof(path), "%s/admin.log", ts.dir);
		unlink(path);
		assert_int_equal(gt_testserver_admin(&ts, args), 2);
		snprintf(want, sizeof(want), "%s needs a whole number from", cases[i][0]);
		if (!admin_log_has(&ts, want))
			fail_msg("%s %s was not refused with its range", cases[i][0], cases[i][1]);
	}
	gt_testserver_teardown(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(per_address_limit_and_handshake_budget),
	    cmocka_unit_test(numeric_options_range_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
