/* Fault test: a connection flood, silent connections and slow senders are cut by the limits
 * while a well-behaved client keeps being served (its ack latencies are printed). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "period.h"
#include "testserver.h"

#define FLOOD  300 /* silent TCP connections, over the limit of 100 */
#define PUSHES 30  /* the good client's batches during the flood */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int tcp_connect(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static void flood_does_not_starve_good_clients(void **state)
{
	struct gt_testserver ts;
	struct rlimit rl;
	int fds[FLOOD], nflood = 0;
	int64_t lat[PUSHES];
	(void)state;

	signal(SIGPIPE, SIG_IGN);
	/* Enough descriptors for the flood in this process. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < FLOOD + 64) {
		rl.rlim_cur = rl.rlim_max < FLOOD + 64 ? rl.rlim_max : FLOOD + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	gt_testserver_setup(&ts);
	struct gt_key *good = gt_testserver_key(&ts, "53.71", "operator");
	const char *extra[] = {"--max-conns", "100", "--handshake-timeout", "2", "--frame-deadline",
	                       "2",           NULL};
	gt_testserver_start(&ts, extra);

	/* The flood: silent connections that never start TLS, far over the limit. */
	for (int i = 0; i < FLOOD; i++) {
		int fd = tcp_connect(ts.port);
		if (fd >= 0)
			fds[nflood++] = fd;
	}
	assert_true(nflood > 100);

	/* The good client connects during the flood (retrying while the limit is full) and
	 * pushes, one batch at a time. */
	struct gt_session *s = NULL;
	for (int t = 0; t < 50 && s == NULL; t++) {
		s = gt_testserver_session(&ts, good, NULL);
		if (s == NULL)
			usleep(200 * 1000);
	}
	assert_non_null(s);
	char this_month[GT_PERIOD_MAX_LEN];
	struct gt_date today;
	struct gt_period month;
	assert_int_equal(gt_date_from_days(gt_clock_wall_ms() / 86400000, &today), 0);
	assert_int_equal(gt_period_from_date(GT_PERIOD_MONTHLY, &today, &month), 0);
	assert_int_equal(gt_period_format(&month, this_month, sizeof(this_month)), 0);
	for (int i = 0; i < PUSHES; i++) {
		gt_batch b = GTSYNC__V1__BATCH__INIT;
		Gtsync__V1__DataValue v = GTSYNC__V1__DATA_VALUE__INIT, *vp = &v;
		struct gt_test_signed sb;
		/* This month's value, a newer revision each time (past months expire). */
		v.data_element = "KK_LP";
		v.org_unit = "53.71";
		v.period = this_month;
		v.value = "1";
		v.revision = (uint64_t)i + 1;
		b.values = &vp;
		b.n_values = 1;
		gt_test_sign_batch(good, "53.71", (uint64_t)i + 1, &b, &sb);
		int64_t t0 = mono_ms();
		gt_envelope *ack = gt_test_push(s, &sb);
		lat[i] = mono_ms() - t0;
		assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_OK);
		gt_wire_envelope_free(ack);
		free(sb.bytes);
	}
	gt_session_close(s);
	qsort(lat, PUSHES, sizeof(lat[0]), cmp_i64);
	fprintf(stderr,
	        "good client during a flood of %d connections: ack latency p50 %lld ms, "
	        "max %lld ms\n",
	        nflood, (long long)lat[PUSHES / 2], (long long)lat[PUSHES - 1]);

	/* The silent connections were cut by the handshake deadline: each read sees the close
	 * (bounded: 10 s per socket at most, the deadline is 2 s). */
	int closed = 0;
	for (int i = 0; i < nflood; i++) {
		struct timeval tv = {.tv_sec = 10};
		char c;
		setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (read(fds[i], &c, 1) <= 0)
			closed++;
		close(fds[i]);
	}
	assert_int_equal(closed, nflood);
	assert_true(gt_testserver_log_count(&ts, "handshake did not finish in time") >= 1);
	assert_true(gt_testserver_alive(&ts));
	assert_int_equal(gt_testserver_stop(&ts), 0);
	gt_key_free(good);
	gt_testserver_teardown(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(flood_does_not_starve_good_clients),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
