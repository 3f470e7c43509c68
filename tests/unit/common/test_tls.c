/* Tests for common/tls.c: certificates, pinned TLS 1.3 over loopback, large data, refusals. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
/* The test (not the library) uses raw OpenSSL: to inspect certificates and to play a TLS 1.2
 * client. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <uv.h>

#include "error.h"
#include "testutil.h"
#include "tls.h"
#include "tlscert.h"

/* ---- Certificates shared by the tests of this program ---- */

struct certs {
	char *dir;
	char cert_a[GT_PATH_MAX], key_a[GT_PATH_MAX];
	char cert_b[GT_PATH_MAX], key_b[GT_PATH_MAX];
	char garbage[GT_PATH_MAX];
};

static int group_setup(void **state)
{
	struct certs *c = calloc(1, sizeof(*c));
	FILE *f;

	if (c == NULL)
		return -1;
	c->dir = gt_test_tmpdir("tls");
	snprintf(c->cert_a, sizeof(c->cert_a), "%s/a.crt", c->dir);
	snprintf(c->key_a, sizeof(c->key_a), "%s/a.key", c->dir);
	snprintf(c->cert_b, sizeof(c->cert_b), "%s/b.crt", c->dir);
	snprintf(c->key_b, sizeof(c->key_b), "%s/b.key", c->dir);
	snprintf(c->garbage, sizeof(c->garbage), "%s/garbage.pem", c->dir);
	if (gt_tlscert_make_self_signed(c->cert_a, c->key_a, "gtsync-test-a", 30) != 0 ||
	    gt_tlscert_make_self_signed(c->cert_b, c->key_b, "gtsync-test-b", 30) != 0)
		return -1;
	f = fopen(c->garbage, "w");
	if (f == NULL)
		return -1;
	fputs("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n", f);
	fclose(f);
	*state = c;
	return 0;
}

static int group_teardown(void **state)
{
	struct certs *c = *state;

	if (c != NULL) {
		gt_test_rmtree(c->dir);
		free(c->dir);
		free(c);
	}
	return 0;
}

/* ---- A server and a client on one loop ---- */

struct pair;

struct side {
	struct pair *p;
	struct gt_tls_conn *conn;
	int handshakes;
	int errors;
	int err;
	char reason[256];
	uint8_t *rx;
	size_t rx_len, rx_cap;
	size_t chunks, max_chunk;
	uint8_t exporter[GT_EXPORTER_LEN];
	int closed;
	int writes_done;
	int write_status;   /* the first non-zero write status */
	size_t input_alloc; /* the TLS input's allocation when the last write completed */
	int writes_before_close;
};

struct pair {
	uv_loop_t loop;
	uv_tcp_t listener;
	uv_timer_t watchdog;
	uv_timer_t resume;
	struct sockaddr_in addr;
	struct gt_tls_ctx *sctx, *cctx;
	struct side srv, cli;
	int pending; /* peers that must close before the listener closes */
	int listener_closed;
	int accepts;
	/* Scenario. */
	const uint8_t *cli_msg;
	size_t cli_msg_len;
	size_t srv_expect;
	const uint8_t *srv_reply;
	size_t srv_reply_len;
	int srv_reply_pieces;
	size_t cli_expect;
	int close_cli_on_accept;
	int srv_pause_at[2];
	size_t paused_chunks;
	int pauses;
	int srv_pause_on_handshake;
	size_t cli_big_write;
	int cli_close_after_write;
	int srv_pause_every;
};

static void on_listener_closed(uv_handle_t *h)
{
	struct pair *p = h->data;

	p->listener_closed = 1;
}

static void peer_done(struct pair *p)
{
	if (--p->pending == 0 && !p->listener_closed)
		uv_close((uv_handle_t *)&p->listener, on_listener_closed);
}

static void side_append(struct side *s, const uint8_t *data, size_t len)
{
	if (s->rx_len + len > s->rx_cap) {
		size_t cap = s->rx_cap ? s->rx_cap : 4096;
		while (cap < s->rx_len + len)
			cap *= 2;
		s->rx = realloc(s->rx, cap);
		assert_non_null(s->rx);
		s->rx_cap = cap;
	}
	memcpy(s->rx + s->rx_len, data, len);
	s->rx_len += len;
	s->chunks++;
	if (len > s->max_chunk)
		s->max_chunk = len;
}

static void side_handshake(struct side *s, struct gt_tls_conn *conn)
{
	assert_ptr_equal(conn, s->conn);
	assert_int_equal(gt_tls_conn_handshake_done(conn), 1);
	s->handshakes++;
	assert_int_equal(
	    gt_tls_conn_exporter(conn, GT_TLS_EXPORTER_LABEL, s->exporter, sizeof(s->exporter)), 0);
}

static void side_error(struct side *s, int err, gt_tls_close_cb close_cb)
{
	s->errors++;
	s->err = err;
	snprintf(s->reason, sizeof(s->reason), "%s", gt_tls_conn_error(s->conn));
	print_message("  %s: %s: %s\n", s == &s->p->srv ? "server" : "client", gt_errname(err),
	              s->reason);
	/* A failed connection refuses writes. */
	assert_int_equal(gt_tls_conn_write(s->conn, (const uint8_t *)"x", 1, NULL, NULL),
	                 GT_ESTATE);
	gt_tls_conn_close(s->conn, close_cb);
}

static void on_cli_closed(struct gt_tls_conn *conn, void *arg);

static void on_write_done(struct gt_tls_conn *conn, int status, void *arg)
{
	struct side *s = arg;

	assert_ptr_equal(conn, s->conn);
	s->writes_done++;
	s->input_alloc = gt__tls_conn_input_alloc(conn);
	if (status != 0 && s->write_status == 0)
		s->write_status = status;
	if (s == &s->p->cli && s->p->cli_close_after_write)
		gt_tls_conn_close(conn, on_cli_closed);
}

static void on_srv_closed(struct gt_tls_conn *conn, void *arg)
{
	struct side *s = arg;

	assert_ptr_equal(gt_tls_conn_arg(conn), s);
	s->closed++;
	s->writes_before_close = s->writes_done;
	s->conn = NULL;
	peer_done(s->p);
}

static void on_cli_closed(struct gt_tls_conn *conn, void *arg)
{
	struct side *s = arg;
	struct pair *p = s->p;

	assert_ptr_equal(gt_tls_conn_arg(conn), s);
	s->closed++;
	s->writes_before_close = s->writes_done;
	s->conn = NULL;
	/* A paused server never notices the end: close it here. */
	if (p->srv_pause_on_handshake && p->srv.conn != NULL)
		gt_tls_conn_close(p->srv.conn, on_srv_closed);
	peer_done(p);
}

static void on_resume(uv_timer_t *t)
{
	struct pair *p = t->data;

	/* Nothing was delivered while reading was stopped. */
	assert_int_equal(p->srv.chunks, p->paused_chunks);
	gt_tls_conn_read_start(p->srv.conn);
	/* A second start is harmless. */
	gt_tls_conn_read_start(p->srv.conn);
}

static void srv_on_handshake(struct gt_tls_conn *conn)
{
	struct side *s = gt_tls_conn_arg(conn);
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	side_handshake(s, conn);
	assert_int_equal(gt_tls_conn_peer_addr(conn, &ss), 0);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
	if (s->p->srv_pause_on_handshake)
		gt_tls_conn_read_stop(conn);
}

static void srv_reply(struct pair *p)
{
	size_t off = 0, piece;

	for (int i = 0; i < p->srv_reply_pieces; i++) {
		/* Uneven pieces: 1 byte, then halves of the rest, then the remainder. */
		if (i == p->srv_reply_pieces - 1)
			piece = p->srv_reply_len - off;
		else if (i == 0)
			piece = 1;
		else
			piece = (p->srv_reply_len - off) / 2;
		assert_int_equal(gt_tls_conn_write(p->srv.conn, p->srv_reply + off, piece,
		                                   on_write_done, &p->srv),
		                 0);
		off += piece;
	}
	assert_int_equal(off, p->srv_reply_len);
}

static void srv_on_data(struct gt_tls_conn *conn, const uint8_t *data, size_t len)
{
	struct side *s = gt_tls_conn_arg(conn);
	struct pair *p = s->p;

	assert_true(len > 0 && len <= GT_TLS_READ_CHUNK);
	side_append(s, data, len);
	for (int i = 0; i < 2; i++) {
		if (p->srv_pause_every ||
		    (p->srv_pause_at[i] != 0 && s->chunks == (size_t)p->srv_pause_at[i])) {
			gt_tls_conn_read_stop(conn);
			gt_tls_conn_read_stop(conn);
			p->paused_chunks = s->chunks;
			p->pauses++;
			assert_int_equal(uv_timer_start(&p->resume, on_resume, 1, 0), 0);
			break;
		}
	}
	if (p->srv_reply != NULL && s->rx_len == p->srv_expect)
		srv_reply(p);
}

static void srv_on_error(struct gt_tls_conn *conn, int err)
{
	side_error(gt_tls_conn_arg(conn), err, on_srv_closed);
}

static const struct gt_tls_conn_cbs srv_cbs = {srv_on_handshake, srv_on_data, srv_on_error};

static void cli_on_handshake(struct gt_tls_conn *conn)
{
	struct side *s = gt_tls_conn_arg(conn);
	struct pair *p = s->p;
	uint8_t *big;

	side_handshake(s, conn);
	if (p->cli_msg != NULL)
		assert_int_equal(
		    gt_tls_conn_write(conn, p->cli_msg, p->cli_msg_len, on_write_done, s), 0);
	if (p->cli_big_write != 0) {
		big = calloc(1, p->cli_big_write);
		assert_non_null(big);
		assert_int_equal(gt_tls_conn_write(conn, big, p->cli_big_write, on_write_done, s),
		                 0);
		free(big); /* The data was copied. */
		/* The peer does not read: the rest waits in the queue. */
		assert_true(gt_tls_conn_write_queue_size(conn) > 0);
		gt_tls_conn_close(conn, on_cli_closed);
		assert_int_equal(s->writes_done, 0);
	}
}

static void cli_on_data(struct gt_tls_conn *conn, const uint8_t *data, size_t len)
{
	struct side *s = gt_tls_conn_arg(conn);

	assert_true(len > 0 && len <= GT_TLS_READ_CHUNK);
	side_append(s, data, len);
	if (s->rx_len == s->p->cli_expect) {
		gt_tls_conn_close(conn, on_cli_closed);
		/* After close: writes are refused, a second close is ignored. */
		assert_int_equal(gt_tls_conn_write(conn, data, len, on_write_done, s), GT_ESTATE);
		gt_tls_conn_close(conn, on_cli_closed);
	}
}

static void cli_on_error(struct gt_tls_conn *conn, int err)
{
	side_error(gt_tls_conn_arg(conn), err, on_cli_closed);
}

static const struct gt_tls_conn_cbs cli_cbs = {cli_on_handshake, cli_on_data, cli_on_error};

static void on_listen(uv_stream_t *l, int status)
{
	struct pair *p = l->data;

	assert_int_equal(status, 0);
	assert_null(p->srv.conn);
	assert_int_equal(gt_tls_conn_accept(p->sctx, l, &srv_cbs, &p->srv, &p->srv.conn), 0);
	p->accepts++;
	if (p->close_cli_on_accept && p->cli.conn != NULL)
		gt_tls_conn_close(p->cli.conn, on_cli_closed);
}

static void on_watchdog(uv_timer_t *t)
{
	fail_msg("the loop did not finish within 120 s");
}

/* Sets up a loop, a listener on 127.0.0.1 port 0 and the contexts; pin/name for the client. */
static void pair_init(struct pair *p, const char *cert, const char *key, const char *pin,
                      const char *name, int pending)
{
	int len = sizeof(p->addr);

	memset(p, 0, sizeof(*p));
	p->srv.p = p;
	p->cli.p = p;
	p->pending = pending;
	assert_int_equal(uv_loop_init(&p->loop), 0);
	assert_int_equal(gt_tls_server_ctx_new(cert, key, &p->sctx), 0);
	assert_int_equal(gt_tls_client_ctx_new(pin, name, &p->cctx), 0);
	assert_int_equal(uv_tcp_init(&p->loop, &p->listener), 0);
	p->listener.data = p;
	assert_int_equal(uv_ip4_addr("127.0.0.1", 0, &p->addr), 0);
	assert_int_equal(uv_tcp_bind(&p->listener, (const struct sockaddr *)&p->addr, 0), 0);
	assert_int_equal(uv_listen((uv_stream_t *)&p->listener, 16, on_listen), 0);
	assert_int_equal(uv_tcp_getsockname(&p->listener, (struct sockaddr *)&p->addr, &len), 0);
	assert_int_not_equal(ntohs(p->addr.sin_port), 0);
	assert_int_equal(uv_timer_init(&p->loop, &p->watchdog), 0);
	assert_int_equal(uv_timer_start(&p->watchdog, on_watchdog, 120000, 0), 0);
	uv_unref((uv_handle_t *)&p->watchdog);
	assert_int_equal(uv_timer_init(&p->loop, &p->resume), 0);
	p->resume.data = p;
	uv_unref((uv_handle_t *)&p->resume);
}

static void pair_connect(struct pair *p)
{
	uint8_t ex[GT_EXPORTER_LEN];

	assert_int_equal(gt_tls_conn_connect(&p->loop, p->cctx, (struct sockaddr *)&p->addr,
	                                     &cli_cbs, &p->cli, &p->cli.conn),
	                 0);
	/* Nothing may be written or exported before the handshake. */
	assert_int_equal(gt_tls_conn_handshake_done(p->cli.conn), 0);
	assert_int_equal(
	    gt_tls_conn_write(p->cli.conn, (const uint8_t *)"x", 1, on_write_done, &p->cli),
	    GT_ESTATE);
	assert_int_equal(gt_tls_conn_exporter(p->cli.conn, GT_TLS_EXPORTER_LABEL, ex, sizeof(ex)),
	                 GT_ESTATE);
}

/* Runs the loop until everything closed, checks that the loop closes cleanly and frees the
 * contexts; the received data stays for the checks (pair_free). */
static void pair_run(struct pair *p)
{
	assert_int_equal(uv_run(&p->loop, UV_RUN_DEFAULT), 0);
	assert_true(p->listener_closed);
	uv_close((uv_handle_t *)&p->watchdog, NULL);
	uv_close((uv_handle_t *)&p->resume, NULL);
	assert_int_equal(uv_run(&p->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&p->loop), 0);
	gt_tls_ctx_free(p->sctx);
	gt_tls_ctx_free(p->cctx);
	p->sctx = p->cctx = NULL;
}

/* Frees what the peers received; call after the checks. */
static void pair_free(struct pair *p)
{
	free(p->srv.rx);
	free(p->cli.rx);
	p->srv.rx = p->cli.rx = NULL;
}

static int all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* ---- Tests: a successful exchange ---- */

static void echo_both_ways(void **state)
{
	struct certs *c = *state;
	static const char ping[] = "laporan dari kabupaten";
	static const char pong[] = "diterima oleh pusat";
	struct pair p;

	pair_init(&p, c->cert_a, c->key_a, c->cert_a, NULL, 2);
	p.cli_msg = (const uint8_t *)ping;
	p.cli_msg_len = strlen(ping);
	p.srv_expect = strlen(ping);
	p.srv_reply = (const uint8_t *)pong;
	p.srv_reply_len = strlen(pong);
	p.srv_reply_pieces = 1;
	p.cli_expect = strlen(pong);
	pair_connect(&p);
	/* Connections keep what they need from their context. */
	gt_tls_ctx_free(p.cctx);
	p.cctx = NULL;
	pair_run(&p);

	assert_int_equal(p.accepts, 1);
	assert_int_equal(p.srv.handshakes, 1);
	assert_int_equal(p.cli.handshakes, 1);
	assert_int_equal(p.srv.rx_len, strlen(ping));
	assert_memory_equal(p.srv.rx, ping, strlen(ping));
	assert_int_equal(p.cli.rx_len, strlen(pong));
	assert_memory_equal(p.cli.rx, pong, strlen(pong));
	/* Channel binding: both ends derive the same value. */
	assert_false(all_zero(p.cli.exporter, sizeof(p.cli.exporter)));
	assert_memory_equal(p.cli.exporter, p.srv.exporter, sizeof(p.cli.exporter));
	/* Each write completed once, successfully, before its connection closed. */
	assert_int_equal(p.cli.writes_done, 1);
	assert_int_equal(p.cli.write_status, 0);
	assert_int_equal(p.srv.writes_done, 1);
	assert_int_equal(p.srv.write_status, 0);
	/* The client closed cleanly; the server learned it from close_notify. */
	assert_int_equal(p.cli.errors, 0);
	assert_int_equal(p.srv.errors, 1);
	assert_int_equal(p.srv.err, GT_ECLOSED);
	assert_non_null(strstr(p.srv.reason, "close_notify"));
	assert_null(strstr(p.srv.reason, "without"));
	assert_int_equal(p.srv.closed, 1);
	assert_int_equal(p.cli.closed, 1);
	pair_free(&p);
}

/* The exporter depends on the label and differs between connections. */
static void exporter_values(void **state)
{
	struct certs *c = *state;
	uint8_t first[GT_EXPORTER_LEN];
	struct pair p;

	pair_init(&p, c->cert_a, c->key_a, c->cert_a, "localhost", 2);
	p.cli_msg = (const uint8_t *)"a";
	p.cli_msg_len = 1;
	p.srv_expect = 1;
	p.srv_reply = (const uint8_t *)"b";
	p.srv_reply_len = 1;
	p.srv_reply_pieces = 1;
	p.cli_expect = 1;
	pair_connect(&p);
	pair_run(&p);
	assert_memory_equal(p.cli.exporter, p.srv.exporter, sizeof(first));
	memcpy(first, p.cli.exporter, sizeof(first));
	pair_free(&p);

	pair_init(&p, c->cert_a, c->key_a, c->cert_a, "localhost", 2);
	p.cli_msg = (const uint8_t *)"a";
	p.cli_msg_len = 1;
	p.srv_expect = 1;
	p.srv_reply = (const uint8_t *)"b";
	p.srv_reply_len = 1;
	p.srv_reply_pieces = 1;
	p.cli_expect = 1;
	pair_connect(&p);
	pair_run(&p);
	assert_memory_equal(p.cli.exporter, p.srv.exporter, sizeof(first));
	assert_memory_not_equal(p.cli.exporter, first, sizeof(first));
	pair_free(&p);
}

/* 1 MiB each way arrives intact in pieces, with reading paused and resumed twice. */
static void large_message(void **state)
{
	struct certs *c = *state;
	const size_t n = 1024 * 1024;
	uint8_t *up = malloc(n), *down = malloc(n);
	struct pair p;

	assert_non_null(up);
	assert_non_null(down);
	for (size_t i = 0; i < n; i++) {
		up[i] = (uint8_t)(i * 7 + (i >> 11));
		down[i] = (uint8_t)(i * 13 + (i >> 9) + 1);
	}
	pair_init(&p, c->cert_a, c->key_a, c->cert_a, NULL, 2);
	p.cli_msg = up;
	p.cli_msg_len = n;
	p.srv_expect = n;
	p.srv_reply = down;
	p.srv_reply_len = n;
	p.srv_reply_pieces = 4;
	p.cli_expect = n;
	p.srv_pause_at[0] = 1;
	p.srv_pause_at[1] = 20;
	pair_connect(&p);
	pair_run(&p);

	assert_int_equal(p.pauses, 2);
	assert_int_equal(p.srv.rx_len, n);
	assert_memory_equal(p.srv.rx, up, n);
	assert_int_equal(p.cli.rx_len, n);
	assert_memory_equal(p.cli.rx, down, n);
	assert_true(p.srv.chunks >= n / GT_TLS_READ_CHUNK);
	assert_true(p.cli.chunks >= n / GT_TLS_READ_CHUNK);
	assert_true(p.srv.max_chunk <= GT_TLS_READ_CHUNK);
	assert_true(p.cli.max_chunk <= GT_TLS_READ_CHUNK);
	assert_int_equal(p.cli.writes_done, 1);
	assert_int_equal(p.cli.write_status, 0);
	assert_int_equal(p.srv.writes_done, 4);
	assert_int_equal(p.srv.write_status, 0);
	/* The server read 1 MiB in full records, then had nothing left to read: its TLS input
	 * gave back the buffer those reads grew (issue 17). */
	assert_true(p.srv.input_alloc <= 4096);
	assert_int_equal(p.srv.err, GT_ECLOSED);
	assert_int_equal(p.cli.errors, 0);
	free(up);
	free(down);
	pair_free(&p);
}

/* Data sent just before close_notify is all delivered, in order, before GT_ECLOSED, even while
 * the receiver stops and resumes reading. */
static void data_then_close(void **state)
{
	struct certs *c = *state;
	const size_t n = 200 * 1000;
	uint8_t *up = malloc(n);
	struct pair p;

	assert_non_null(up);
	for (size_t i = 0; i < n; i++)
		up[i] = (uint8_t)(i * 31 + (i >> 8));
	pair_init(&p, c->cert_a, c->key_a, c->cert_a, NULL, 2);
	p.cli_msg = up;
	p.cli_msg_len = n;
	p.cli_close_after_write = 1;
	p.srv_pause_at[0] = 1;
	p.srv_pause_at[1] = 3;
	pair_connect(&p);
	pair_run(&p);

	assert_int_equal(p.pauses, 2);
	assert_int_equal(p.cli.writes_done, 1);
	assert_int_equal(p.cli.write_status, 0);
	assert_int_equal(p.srv.rx_len, n);
	assert_memory_equal(p.srv.rx, up, n);
	assert_int_equal(p.srv.errors, 1);
	assert_int_equal(p.srv.err, GT_ECLOSED);
	assert_non_null(strstr(p.srv.reason, "close_notify"));
	free(up);
	pair_free(&p);
}

/* Reading stopped after every piece: what was already received is delivered on resume even
 * though no more data arrives. */
static void pause_every_chunk(void **state)
{
	struct certs *c = *state;
	const size_t n = 50000;
	uint8_t *up = malloc(n);
	struct pair p;

	assert_non_null(up);
	for (size_t i = 0; i < n; i++)
		up[i] = (uint8_t)(i * 17 + (i >> 10));
	pair_init(&p, c->cert_a, c->key_a, c->cert_a, NULL, 2);
	p.cli_msg = up;
	p.cli_msg_len = n;
	p.srv_pause_every = 1;
	p.srv_expect = n;
	p.srv_reply = (const uint8_t *)"ok";
	p.srv_reply_len = 2;
	p.srv_reply_pieces = 1;
	p.cli_expect = 2;
	pair_connect(&p);
	pair_run(&p);

	assert_int_equal(p.srv.rx_len, n);
	assert_memory_equal(p.srv.rx, up, n);
	assert_true(p.srv.chunks >= 4);
	assert_int_equal((size_t)p.pauses, p.srv.chunks);
	assert_int_equal(p.cli.rx_len, 2);
	assert_int_equal(p.srv.err, GT_ECLOSED);
	free(up);
	pair_free(&p);
}

/* A peer that does not read makes the write queue grow; closing cancels what is queued. */
static void backpressure_and_cancel(void **state)
{
	struct certs *c = *state;
	struct pair p;

	pair_init(&p, c->cert_a, c->key_a, c->cert_a, NULL, 2);
	p.srv_pause_on_handshake = 1;
	p.cli_big_write = 48u * 1024u * 1024u;
	pair_connect(&p);
	pair_run(&p);

	assert_int_equal(p.cli.handshakes, 1);
	assert_int_equal(p.cli.writes_done, 1);
	assert_int_equal(p.cli.write_status, GT_ECANCELED);
	/* The write callback came before the close callback. */
	assert_int_equal(p.cli.writes_before_close, 1);
	assert_int_equal(p.cli.errors, 0);
	assert_int_equal(p.srv.errors, 0);
	assert_int_equal(p.srv.rx_len, 0);
	assert_int_equal(p.srv.closed, 1);
	pair_free(&p);
}

/* ---- Tests: refusals ---- */

static void wrong_pin_fails(void **state)
{
	struct certs *c = *state;
	struct pair p;

	pair_init(&p, c->cert_a, c->key_a, c->cert_b, NULL, 2);
	p.cli_msg = (const uint8_t *)"secret";
	p.cli_msg_len = 6;
	pair_connect(&p);
	pair_run(&p);

	assert_int_equal(p.cli.handshakes, 0);
	assert_int_equal(p.cli.errors, 1);
	assert_int_equal(p.cli.err, GT_ETLS);
	assert_non_null(strstr(p.cli.reason, "verification failed"));
	assert_non_null(strstr(p.cli.reason, "pinned"));
	assert_int_equal(p.srv.handshakes, 0);
	assert_int_equal(p.srv.errors, 1);
	assert_int_equal(p.srv.err, GT_ETLS);
	assert_non_null(strstr(p.srv.reason, "alert"));
	assert_int_equal(p.srv.rx_len, 0);
	pair_free(&p);
}

static void expected_name_one(const struct certs *c, const char *name, int ok)
{
	struct pair p;

	pair_init(&p, c->cert_a, c->key_a, c->cert_a, name, 2);
	p.cli_msg = (const uint8_t *)"x";
	p.cli_msg_len = 1;
	p.srv_expect = 1;
	p.srv_reply = (const uint8_t *)"y";
	p.srv_reply_len = 1;
	p.srv_reply_pieces = 1;
	p.cli_expect = 1;
	pair_connect(&p);
	pair_run(&p);
	if (ok) {
		assert_int_equal(p.cli.handshakes, 1);
		assert_int_equal(p.cli.errors, 0);
		assert_int_equal(p.cli.rx_len, 1);
	} else {
		assert_int_equal(p.cli.handshakes, 0);
		assert_int_equal(p.cli.err, GT_ETLS);
		assert_non_null(strstr(p.cli.reason, "verification failed"));
		assert_non_null(strstr(p.cli.reason, "does not name"));
		assert_int_equal(p.srv.handshakes, 0);
	}
	pair_free(&p);
}

static void expected_name(void **state)
{
	struct certs *c = *state;

	expected_name_one(c, "localhost", 1);
	expected_name_one(c, "127.0.0.1", 1);
	expected_name_one(c, "gtsync-test-a", 1);
	expected_name_one(c, "gtsync-test-b", 0);
	expected_name_one(c, "10.0.0.1", 0);
}

/* A raw TCP peer: sends bytes, then reads until the end or closes at once. */
struct raw {
	struct pair *p;
	uv_tcp_t tcp;
	uv_connect_t creq;
	uv_write_t wreq;
	const char *send;
	size_t send_len;
	int close_after_write;
	size_t got;
	int ended;
	char buf[4096];
};

static void raw_closed(uv_handle_t *h)
{
	struct raw *r = h->data;

	peer_done(r->p);
}

static void raw_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct raw *r = h->data;

	*buf = uv_buf_init(r->buf, sizeof(r->buf));
}

static void raw_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct raw *r = s->data;

	if (nread > 0)
		r->got += (size_t)nread;
	if (nread < 0) {
		r->ended = 1;
		uv_close((uv_handle_t *)&r->tcp, raw_closed);
	}
}

static void raw_written(uv_write_t *req, int status)
{
	struct raw *r = req->data;

	assert_int_equal(status, 0);
	if (r->close_after_write)
		uv_close((uv_handle_t *)&r->tcp, raw_closed);
}

static void raw_connected(uv_connect_t *req, int status)
{
	struct raw *r = req->data;
	uv_buf_t b = uv_buf_init((char *)r->send, (unsigned)r->send_len);

	assert_int_equal(status, 0);
	r->wreq.data = r;
	assert_int_equal(uv_write(&r->wreq, (uv_stream_t *)&r->tcp, &b, 1, raw_written), 0);
	if (!r->close_after_write)
		assert_int_equal(uv_read_start((uv_stream_t *)&r->tcp, raw_alloc, raw_read), 0);
}

static void raw_start(struct pair *p, struct raw *r, const char *send, size_t len, int close)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->send = send;
	r->send_len = len;
	r->close_after_write = close;
	assert_int_equal(uv_tcp_init(&p->loop, &r->tcp), 0);
	r->tcp.data = r;
	r->creq.data = r;
	assert_int_equal(
	    uv_tcp_connect(&r->creq, &r->tcp, (struct sockaddr *)&p->addr, raw_connected), 0);
}

static void plaintext_peer_refused(void **state)
{
	struct certs *c = *state;
	static const char get[] = "GET / HTTP/1.0\r\n\r\n";
	struct raw raw;
	struct pair p;

	pair_init(&p, c->cert_a, c->key_a, c->cert_a, NULL, 2);
	raw_start(&p, &raw, get, strlen(get), 0);
	pair_run(&p);

	assert_int_equal(p.srv.handshakes, 0);
	assert_int_equal(p.srv.errors, 1);
	assert_int_equal(p.srv.err, GT_ETLS);
	assert_non_null(strstr(p.srv.reason, "handshake failed"));
	assert_int_equal(p.srv.closed, 1);
	assert_int_equal(p.srv.rx_len, 0);
	assert_true(raw.ended);
	pair_free(&p);
}

static void peer_closes_mid_handshake(void **state)
{
	struct certs *c = *state;
	/* A record header announcing a 512-byte ClientHello, and only its start. */
	static const char partial[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
	struct raw raw;
	struct pair p;

	pair_init(&p, c->cert_a, c->key_a, c->cert_a, NULL, 2);
	raw_start(&p, &raw, partial, sizeof(partial) - 1, 1);
	pair_run(&p);

	assert_int_equal(p.srv.handshakes, 0);
	assert_int_equal(p.srv.errors, 1);
	assert_int_equal(p.srv.err, GT_ECLOSED);
	assert_non_null(strstr(p.srv.reason, "during the handshake"));
	assert_int_equal(p.srv.closed, 1);
	pair_free(&p);
}

/* Our own client closes while the server is in the handshake. */
static void client_closes_mid_handshake(void **state)
{
	struct certs *c = *state;
	struct pair p;

	pair_init(&p, c->cert_a, c->key_a, c->cert_a, NULL, 2);
	p.close_cli_on_accept = 1;
	pair_connect(&p);
	pair_run(&p);

	assert_int_equal(p.accepts, 1);
	assert_int_equal(p.cli.handshakes, 0);
	assert_int_equal(p.cli.errors, 0); /* Closed by its owner: no error callback. */
	assert_int_equal(p.cli.closed, 1);
	assert_int_equal(p.srv.handshakes, 0);
	assert_int_equal(p.srv.errors, 1);
	assert_true(p.srv.err == GT_ECLOSED || p.srv.err == GT_ETLS);
	assert_true(strlen(p.srv.reason) > 0);
	assert_int_equal(p.srv.closed, 1);
	pair_free(&p);
}

/* A TLS 1.2-only client (raw OpenSSL, blocking, in a thread) is refused. */
struct tls12 {
	uint16_t port;
	int connect_rc;
	int socket_ok;
};

static void *tls12_client(void *arg)
{
	struct tls12 *t = arg;
	struct sockaddr_in sin;
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;

	t->connect_rc = 99;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(t->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	t->socket_ok = 1;
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx != NULL && SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) == 1) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		ssl = SSL_new(ctx);
		if (ssl != NULL && SSL_set_fd(ssl, fd) == 1)
			t->connect_rc = SSL_connect(ssl);
		SSL_free(ssl);
	}
	SSL_CTX_free(ctx);
	ERR_clear_error();
	close(fd);
	return NULL;
}

static void tls12_client_refused(void **state)
{
	struct certs *c = *state;
	struct tls12 t = {0};
	pthread_t th;
	struct pair p;

	pair_init(&p, c->cert_a, c->key_a, c->cert_a, NULL, 1);
	t.port = ntohs(p.addr.sin_port);
	assert_int_equal(pthread_create(&th, NULL, tls12_client, &t), 0);
	pair_run(&p);
	assert_int_equal(pthread_join(th, NULL), 0);

	assert_int_equal(t.socket_ok, 1);
	assert_true(t.connect_rc <= 0);
	assert_int_equal(p.srv.handshakes, 0);
	assert_int_equal(p.srv.errors, 1);
	assert_int_equal(p.srv.err, GT_ETLS);
	assert_non_null(strstr(p.srv.reason, "protocol"));
	pair_free(&p);
}

static void connection_refused(void **state)
{
	struct certs *c = *state;
	struct sockaddr_in dead;
	uv_tcp_t bound;
	int len = sizeof(dead);
	struct pair p;

	pair_init(&p, c->cert_a, c->key_a, c->cert_a, NULL, 1);
	/* A bound socket that does not listen: connecting to it is refused. */
	assert_int_equal(uv_tcp_init(&p.loop, &bound), 0);
	assert_int_equal(uv_ip4_addr("127.0.0.1", 0, &dead), 0);
	assert_int_equal(uv_tcp_bind(&bound, (struct sockaddr *)&dead, 0), 0);
	assert_int_equal(uv_tcp_getsockname(&bound, (struct sockaddr *)&dead, &len), 0);
	p.addr = dead;
	pair_connect(&p);
	assert_int_equal(uv_run(&p.loop, UV_RUN_DEFAULT), 0);
	uv_close((uv_handle_t *)&bound, NULL);
	pair_run(&p);

	assert_int_equal(p.cli.errors, 1);
	assert_int_equal(p.cli.err, GT_ECONNREFUSED);
	assert_non_null(strstr(p.cli.reason, "connect"));
	assert_int_equal(p.cli.closed, 1);
	assert_int_equal(p.accepts, 0);
	pair_free(&p);
}

/* A call that fails synchronously never calls back, and the loop still closes cleanly. */
static void failed_calls_never_call_back(void **state)
{
	struct certs *c = *state;
	struct sockaddr_in bcast;
	struct sockaddr_un_like {
		sa_family_t family;
		char path[32];
	} unix_addr = {AF_UNIX, "x"};
	struct gt_tls_conn *conn = (struct gt_tls_conn *)&bcast;
	struct pair p;

	pair_init(&p, c->cert_a, c->key_a, c->cert_a, NULL, 0);
	/* Wrong context kinds and address families. */
	assert_int_equal(gt_tls_conn_connect(&p.loop, p.sctx, (struct sockaddr *)&p.addr, &cli_cbs,
	                                     &p.cli, &conn),
	                 GT_EINVAL);
	assert_null(conn);
	assert_int_equal(
	    gt_tls_conn_accept(p.cctx, (uv_stream_t *)&p.listener, &srv_cbs, &p.srv, &conn),
	    GT_EINVAL);
	assert_int_equal(gt_tls_conn_connect(&p.loop, p.cctx, (struct sockaddr *)&unix_addr,
	                                     &cli_cbs, &p.cli, &conn),
	                 GT_EINVAL);
	/* TCP to the broadcast address fails inside connect(2). */
	assert_int_equal(uv_ip4_addr("255.255.255.255", 9, &bcast), 0);
	assert_true(gt_tls_conn_connect(&p.loop, p.cctx, (struct sockaddr *)&bcast, &cli_cbs,
	                                &p.cli, &conn) < 0);
	assert_null(conn);
	uv_close((uv_handle_t *)&p.listener, on_listener_closed);
	pair_run(&p);
	assert_int_equal(p.cli.errors, 0);
	assert_int_equal(p.cli.handshakes, 0);
	assert_int_equal(p.cli.closed, 0);
	pair_free(&p);
}

/* ---- Tests: contexts ---- */

static void context_errors(void **state)
{
	struct certs *c = *state;
	struct gt_tls_ctx *ctx = (struct gt_tls_ctx *)c;
	char missing[GT_PATH_MAX];

	snprintf(missing, sizeof(missing), "%s/missing.pem", c->dir);
	assert_int_equal(gt_tls_server_ctx_new(missing, c->key_a, &ctx), GT_ENOENT);
	assert_null(ctx);
	assert_int_equal(gt_tls_server_ctx_new(c->cert_a, missing, &ctx), GT_ENOENT);
	assert_int_equal(gt_tls_server_ctx_new(NULL, c->key_a, &ctx), GT_EINVAL);
	assert_int_equal(gt_tls_server_ctx_new(c->cert_a, c->key_a, NULL), GT_EINVAL);
	/* A key that does not belong to the certificate. */
	assert_int_equal(gt_tls_server_ctx_new(c->cert_a, c->key_b, &ctx), GT_ECRYPTO);
	assert_null(ctx);
	assert_int_equal(gt_tls_server_ctx_new(c->garbage, c->key_a, &ctx), GT_ECRYPTO);
	/* A certificate where a key is expected. */
	assert_int_equal(gt_tls_server_ctx_new(c->cert_a, c->cert_a, &ctx), GT_ECRYPTO);
	assert_null(ctx);

	assert_int_equal(gt_tls_client_ctx_new(missing, NULL, &ctx), GT_ENOENT);
	assert_int_equal(gt_tls_client_ctx_new(c->garbage, NULL, &ctx), GT_ECRYPTO);
	assert_int_equal(gt_tls_client_ctx_new(c->key_a, NULL, &ctx), GT_ECRYPTO);
	assert_int_equal(gt_tls_client_ctx_new(c->cert_a, "", &ctx), GT_EINVAL);
	assert_int_equal(gt_tls_client_ctx_new(NULL, NULL, &ctx), GT_EINVAL);
	assert_null(ctx);

	assert_int_equal(gt_tls_server_ctx_new(c->cert_a, c->key_a, &ctx), 0);
	assert_non_null(ctx);
	gt_tls_ctx_free(ctx);
	assert_int_equal(gt_tls_client_ctx_new(c->cert_a, "::1", &ctx), 0);
	gt_tls_ctx_free(ctx);
	gt_tls_ctx_free(NULL);
	assert_int_equal(ERR_peek_error(), 0);
}

/* ---- Tests: certificate generation ---- */

static mode_t file_mode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void check_cert(const char *cert_path, const char *key_path, const char *cn, int is_ip)
{
	FILE *f;
	X509 *x;
	EVP_PKEY *key;
	char group[64];
	size_t glen = 0;

	f = fopen(cert_path, "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	f = fopen(key_path, "r");
	assert_non_null(f);
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(key);

	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	assert_true(EVP_PKEY_is_a(key, "EC"));
	assert_int_equal(EVP_PKEY_get_group_name(key, group, sizeof(group), &glen), 1);
	assert_string_equal(group, "prime256v1");
	assert_int_equal(X509_check_private_key(x, key), 1);
	/* Self-signed, and usable as its own trust anchor. */
	assert_int_equal(X509_verify(x, key), 1);
	assert_int_equal(X509_check_issued(x, x), X509_V_OK);
	assert_int_equal(X509_check_ca(x), 1);
	assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	if (is_ip)
		assert_int_equal(X509_check_ip_asc(x, cn, 0), 1);
	else
		assert_int_equal(X509_check_host(x, cn, 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(x, "other.example", 0, 0, NULL), 0);
	assert_true(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
	assert_true(X509_cmp_current_time(X509_get0_notAfter(x)) > 0);
	EVP_PKEY_free(key);
	X509_free(x);
}

static void make_self_signed(void **state)
{
	struct certs *c = *state;
	char *dir = gt_test_tmpdir("tls-gen");
	char cert[GT_PATH_MAX], key[GT_PATH_MAX], other[GT_PATH_MAX];
	uint8_t *before, *after;
	size_t blen, alen;
	mode_t old;

	(void)c;
	snprintf(cert, sizeof(cert), "%s/server.crt", dir);
	snprintf(key, sizeof(key), "%s/server.key", dir);
	snprintf(other, sizeof(other), "%s/other", dir);

	/* Modes are exact whatever the umask. */
	old = umask(0);
	assert_int_equal(gt_tlscert_make_self_signed(cert, key, "centre.gtsync.example", 3650), 0);
	umask(old);
	assert_int_equal(file_mode(key), 0600);
	assert_int_equal(file_mode(cert), 0644);
	check_cert(cert, key, "centre.gtsync.example", 0);

	/* Never overwrite: the files stay as they were. */
	before = gt_test_read_file(key, &blen);
	assert_non_null(before);
	assert_int_equal(gt_tlscert_make_self_signed(cert, key, "centre.gtsync.example", 30),
	                 GT_EEXIST);
	assert_int_equal(gt_tlscert_make_self_signed(other, key, "x", 30), GT_EEXIST);
	assert_false(exists(other));
	assert_int_equal(gt_tlscert_make_self_signed(cert, other, "x", 30), GT_EEXIST);
	assert_false(exists(other));
	after = gt_test_read_file(key, &alen);
	assert_non_null(after);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	free(before);
	free(after);
	unlink(cert);
	unlink(key);

	/* An IP literal as the name, under a restrictive umask. */
	old = umask(077);
	assert_int_equal(gt_tlscert_make_self_signed(cert, key, "10.1.2.3", 1), 0);
	umask(old);
	assert_int_equal(file_mode(key), 0600);
	assert_int_equal(file_mode(cert), 0644);
	check_cert(cert, key, "10.1.2.3", 1);
	unlink(cert);
	unlink(key);

	/* Bad arguments create nothing. */
	assert_int_equal(gt_tlscert_make_self_signed(cert, key, "", 30), GT_EINVAL);
	assert_int_equal(gt_tlscert_make_self_signed(cert, key, "two words", 30), GT_EINVAL);
	assert_int_equal(gt_tlscert_make_self_signed(cert, key, "a,DNS:evil.example", 30),
	                 GT_EINVAL);
	assert_int_equal(gt_tlscert_make_self_signed(cert, key, "-leading", 30), GT_EINVAL);
	assert_int_equal(gt_tlscert_make_self_signed(cert, key,
	                                             "a234567890123456789012345678901234567890"
	                                             "123456789012345678901234",
	                                             30),
	                 GT_EINVAL);
	assert_int_equal(gt_tlscert_make_self_signed(cert, key, "ok", 0), GT_EINVAL);
	assert_int_equal(gt_tlscert_make_self_signed(cert, key, "ok", 36501), GT_EINVAL);
	assert_int_equal(gt_tlscert_make_self_signed(cert, cert, "ok", 30), GT_EINVAL);
	assert_int_equal(gt_tlscert_make_self_signed(NULL, key, "ok", 30), GT_EINVAL);
	assert_int_equal(gt_tlscert_make_self_signed(cert, key, NULL, 30), GT_EINVAL);
	assert_false(exists(cert));
	assert_false(exists(key));

	/* A missing directory: nothing is left behind. */
	snprintf(other, sizeof(other), "%s/no/such.crt", dir);
	assert_int_equal(gt_tlscert_make_self_signed(other, key, "ok", 30), GT_ENOENT);
	assert_false(exists(key));

	gt_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(make_self_signed),
	    cmocka_unit_test(context_errors),
	    cmocka_unit_test(echo_both_ways),
	    cmocka_unit_test(exporter_values),
	    cmocka_unit_test(large_message),
	    cmocka_unit_test(data_then_close),
	    cmocka_unit_test(pause_every_chunk),
	    cmocka_unit_test(backpressure_and_cancel),
	    cmocka_unit_test(wrong_pin_fails),
	    cmocka_unit_test(expected_name),
	    cmocka_unit_test(plaintext_peer_refused),
	    cmocka_unit_test(peer_closes_mid_handshake),
	    cmocka_unit_test(client_closes_mid_handshake),
	    cmocka_unit_test(tls12_client_refused),
	    cmocka_unit_test(connection_refused),
	    cmocka_unit_test(failed_calls_never_call_back),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
