/* Load generator: many simulated district clients over TLS on one libuv loop, and its set-up. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "addr.h"
#include "auth.h"
#include "benchdata.h"
#include "cli.h"
#include "clock.h"
#include "crypto.h"
#include "error.h"
#include "metadata.h"
#include "orgunit.h"
#include "peer.h"
#include "session.h"
#include "store.h"
#include "wire.h"

#define PROG "loadgen"
/* Request ids: the handshake uses 1 and 2, batch j goes as RID_BATCH + j. */
#define RID_HELLO 1u
#define RID_PROOF 2u
#define RID_BATCH 100u
/* Failures printed in full; the rest are only counted. */
#define MAX_PRINTED 10
/* Bounds of the options. */
#define MAX_CLIENTS  20000u
#define MAX_INFLIGHT 1024u
#define MAX_BATCHES  1000000u
#define MAX_REQUESTS 100000u
/* Defaults of the options, shown by --help (GT_CLI_STR): plain literals. */
#define DEF_SEED             "1"
#define DEF_CONNECT_PARALLEL 64
#define DEF_REQUESTS         50
#define DEF_WARMUP           3

/* ---- Options ---- */

/* Parses a loopback HOST:PORT; the benchmark never talks to anything else. */
static int parse_loopback(const char *s, struct sockaddr_storage *ss)
{
	if (s == NULL || gt_addr_parse(s, ss) != GT_OK) {
		fprintf(stderr, PROG ": --server needs IP:PORT\n");
		return -1;
	}
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		if ((ntohl(a->sin_addr.s_addr) >> 24) == 127)
			return 0;
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		if (memcmp(&a->sin6_addr, &in6addr_loopback, sizeof(a->sin6_addr)) == 0)
			return 0;
	}
	fprintf(stderr, PROG ": --server must be a loopback address (127.0.0.0/8 or [::1])\n");
	return -1;
}

/* ---- orgunits ---- */

static int cmd_orgunits(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *real = gt_cli_get(cmd, "real"), *out = gt_cli_get(cmd, "out");
	uint32_t want;
	size_t n = 0;
	(void)argc;
	(void)argv;
	(void)arg;

	if (real == NULL || out == NULL) {
		fprintf(stderr, PROG " orgunits: --real and --out are required\n");
		return GT_CLI_EXIT_USAGE;
	}
	if (gt_cli_get_u32(cmd, PROG, "districts", 0, 0, MAX_CLIENTS, &want))
		return GT_CLI_EXIT_USAGE;
	if (gt_bench_units_write(real, want, out, &n) != GT_OK)
		return GT_CLI_EXIT_FAIL;
	printf("%s: %zu districts\n", out, n);
	return GT_CLI_EXIT_OK;
}

/* ---- keys ---- */

/* Registers key (index, kind) for org with role in the open transaction; an existing key is
 * fine. */
static int register_key(struct gt_store *st, const char *seed, const char *kind, uint32_t index,
                        const char *org, int role)
{
	struct gt_key *k = NULL;
	uint8_t pub[GT_ED25519_PUB_LEN];
	int rc;

	rc = gt_bench_key(seed, kind, index, &k);
	if (rc == GT_OK)
		rc = gt_key_public(k, pub);
	if (rc == GT_OK)
		rc = gt_store_key_add(st, pub, org, role, 1, NULL);
	if (rc == GT_EEXIST)
		rc = GT_OK;
	if (rc != GT_OK)
		fprintf(stderr, PROG " keys: %s key %u for %s: %s (%s)\n", kind, index, org,
		        gt_strerror(rc), gt_store_errmsg(st));
	gt_key_free(k);
	return rc;
}

static int cmd_keys(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *data = gt_cli_get(cmd, "data"), *csv = gt_cli_get(cmd, "orgunits");
	const char *units = gt_cli_get_or(cmd, "units", "districts"),
	           *seed = gt_cli_get_or(cmd, "seed", DEF_SEED);
	struct gt_bench_units u = {0};
	struct gt_store *st = NULL;
	char db[GT_PATH_MAX];
	uint32_t n;
	int rc, which;
	(void)argc;
	(void)argv;
	(void)arg;

	if (data == NULL || csv == NULL) {
		fprintf(stderr, PROG " keys: --data and --orgunits are required\n");
		return GT_CLI_EXIT_USAGE;
	}
	if (strcmp(units, "districts") == 0)
		which = GT_BENCH_DISTRICTS;
	else if (strcmp(units, "all") == 0)
		which = GT_BENCH_UNITS;
	else {
		fprintf(stderr, PROG " keys: --units is districts or all\n");
		return GT_CLI_EXIT_USAGE;
	}
	if (gt_cli_get_u32(cmd, PROG, "clients", 0, 0, MAX_CLIENTS, &n))
		return GT_CLI_EXIT_USAGE;
	if (gt_bench_units_read(csv, which, &u) != GT_OK)
		return GT_CLI_EXIT_FAIL;
	if (n == 0)
		n = (uint32_t)u.n;
	if (n > u.n) {
		fprintf(stderr, PROG " keys: %s has %zu units, fewer than %u clients\n", csv, u.n,
		        n);
		gt_bench_units_free(&u);
		return GT_CLI_EXIT_FAIL;
	}
	snprintf(db, sizeof(db), "%s/gtsync.db", data);
	rc = gt_store_open(db, 0, &st);
	if (rc == GT_OK)
		rc = gt_store_begin(st);
	for (uint32_t i = 0; i < n && rc == GT_OK; i++)
		rc = register_key(st, seed, "client", i, u.codes[i],
		                  GTSYNC__V1__ROLE__ROLE_OPERATOR);
	if (rc == GT_OK && gt_cli_get(cmd, "reader") != NULL)
		rc = register_key(st, seed, "reader", 0, "ID", GTSYNC__V1__ROLE__ROLE_SECRETARIAT);
	if (rc == GT_OK)
		rc = gt_store_commit(st);
	if (rc != GT_OK)
		fprintf(stderr, PROG " keys: %s: %s\n", db, gt_strerror(rc));
	else
		printf("%u client keys registered (seed %s)%s\n", n, seed,
		       gt_cli_get(cmd, "reader") ? " and a secretariat reader for ID" : "");
	gt_store_close(st);
	gt_bench_units_free(&u);
	return rc == GT_OK ? GT_CLI_EXIT_OK : GT_CLI_EXIT_FAIL;
}

/* ---- stored ---- */

static int cmd_stored(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *data = gt_cli_get(cmd, "data");
	struct gt_store *st = NULL;
	uint64_t n = 0;
	char db[GT_PATH_MAX];
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (data == NULL) {
		fprintf(stderr, PROG " stored: --data is required\n");
		return GT_CLI_EXIT_USAGE;
	}
	snprintf(db, sizeof(db), "%s/gtsync.db", data);
	rc = gt_store_open_readonly(db, &st);
	if (rc == GT_OK)
		rc = gt_store_log_count(st, &n);
	gt_store_close(st);
	if (rc != GT_OK) {
		fprintf(stderr, PROG " stored: %s: %s\n", db, gt_strerror(rc));
		return GT_CLI_EXIT_FAIL;
	}
	printf("%llu\n", (unsigned long long)n);
	return GT_CLI_EXIT_OK;
}

/* ---- run: the load ---- */

enum cstate {
	C_IDLE = 0,
	C_CONNECTING, /* TCP + TLS */
	C_HELLO,      /* Hello sent, waiting for the challenge */
	C_PROOF,      /* proof sent, waiting for the result */
	C_READY,      /* authenticated, waiting for the push phase */
	C_PUSHING,
	C_DONE,
	C_FAILED,
};

enum phase {
	P_CONNECT = 0,
	P_HOLD,
	P_PUSH,
	P_CLOSING,
};

struct lg;

struct client {
	struct lg *lg;
	uint32_t idx;
	struct gt_peer peer;
	struct gt_key *key;
	char key_id[GT_KEY_ID_LEN + 1];
	enum cstate state;
	int peer_live, closing;
	char org[GT_ORGUNIT_MAX_LEN];
	uint64_t last_seq;
	uint64_t t0;
	struct gt_bench_batch *b;
	uint64_t *sent_at;
	uint32_t nb, next, acked, inflight;
	uv_timer_t pace; /* with --interval: when the next batch may go */
	int pace_open;
	uint64_t due; /* microseconds, gt_bench_now_us() */
};

struct lg {
	uv_loop_t loop;
	uv_timer_t deadline, hold;
	struct gt_tls_ctx *tls;
	struct sockaddr_storage addr;
	const struct gt_bench_work *work;
	const char *seed;
	struct client *clients;
	uint32_t n, first, batches, values, inflight, parallel, hold_ms, interval_ms;
	enum phase phase;
	uint32_t next_connect, connecting, ready, failed, finished, live;
	uint64_t t_connect0, t_connect1, t_push0, t_push1, t_build;
	uint64_t *lat, *conn_lat;
	size_t nlat, nconn;
	uint64_t batches_total, values_sent, values_applied;
	uint64_t acks_ok, acks_warning, acks_bad, batches_lost, conn_errors;
	int printed, timed_out, hold_open;
};

static void report_failure(struct lg *lg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void report_failure(struct lg *lg, const char *fmt, ...)
{
	va_list ap;

	if (lg->printed++ >= MAX_PRINTED) {
		if (lg->printed == MAX_PRINTED + 1)
			fprintf(stderr, PROG ": further failures are only counted\n");
		return;
	}
	va_start(ap, fmt);
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void start_connects(struct lg *lg);
static void maybe_advance(struct lg *lg);

static void close_client(struct client *c)
{
	if (c->peer_live && !c->closing) {
		c->closing = 1;
		gt_peer_close(&c->peer);
	}
}

static void client_fail(struct client *c, int code, const char *why)
{
	struct lg *lg = c->lg;

	if (c->state == C_FAILED || c->state == C_DONE)
		return;
	report_failure(lg, "client %u (%s): %s: %s", c->idx + lg->first, c->org[0] ? c->org : "-",
	               gt_errname(code), why ? why : gt_strerror(code));
	if (c->state < C_READY) {
		lg->connecting--;
		lg->conn_errors++;
	} else if (c->state == C_PUSHING) {
		lg->batches_lost += c->nb - c->acked;
	}
	lg->failed++;
	c->state = C_FAILED;
	close_client(c);
	maybe_advance(lg);
	start_connects(lg);
}

static void send_env(struct client *c, gt_envelope *env)
{
	int rc = gt_peer_send(&c->peer, env, NULL, NULL);
	if (rc != GT_OK)
		client_fail(c, rc, "sending");
}

static void pump(struct client *c);

static void on_pace(uv_timer_t *t)
{
	pump(t->data);
}

static void pump(struct client *c)
{
	struct lg *lg = c->lg;

	while (c->state == C_PUSHING && c->inflight < lg->inflight && c->next < c->nb) {
		gt_envelope env = GTSYNC__V1__ENVELOPE__INIT;
		Gtsync__V1__PushRequest pr = GTSYNC__V1__PUSH_REQUEST__INIT;
		struct gt_bench_batch *b = &c->b[c->next];
		uint64_t now = gt_bench_now_us();

		if (lg->interval_ms > 0) {
			/* Open loop: one batch per interval, whatever the acks do. */
			if (now < c->due) {
				uv_timer_start(&c->pace, on_pace, (c->due - now + 999) / 1000, 0);
				return;
			}
			c->due += (uint64_t)lg->interval_ms * 1000;
		}
		pr.batch.data = b->bytes;
		pr.batch.len = b->len;
		pr.signature.data = b->sig;
		pr.signature.len = sizeof(b->sig);
		env.request_id = RID_BATCH + c->next;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_PUSH;
		env.push = &pr;
		c->sent_at[c->next] = now;
		c->next++;
		c->inflight++;
		lg->values_sent += b->nvalues;
		send_env(c, &env);
	}
}

static void on_ack(struct client *c, const gt_envelope *env)
{
	struct lg *lg = c->lg;
	const Gtsync__V1__PushAck *a = env->push_ack;
	uint64_t j = env->request_id - RID_BATCH;
	uint64_t applied;

	if (env->request_id < RID_BATCH || j >= c->next || c->sent_at[j] == 0) {
		client_fail(c, GT_EPROTO, "an ack for a batch not in flight");
		return;
	}
	lg->lat[lg->nlat++] = gt_bench_now_us() - c->sent_at[j];
	c->sent_at[j] = 0;
	c->inflight--;
	c->acked++;
	applied = a->counts ? (uint64_t)a->counts->imported + a->counts->updated : 0;
	lg->values_applied += applied;
	if (a->status == GTSYNC__V1__PUSH_STATUS__PUSH_OK)
		lg->acks_ok++;
	else if (a->status == GTSYNC__V1__PUSH_STATUS__PUSH_WARNING)
		lg->acks_warning++;
	else
		lg->acks_bad++;
	if (a->status != GTSYNC__V1__PUSH_STATUS__PUSH_OK || applied != c->b[j].nvalues)
		report_failure(
		    lg, "client %u (%s) batch seq %llu: status %d applied %llu of %u: %s",
		    c->idx + lg->first, c->org, (unsigned long long)c->b[j].seq, (int)a->status,
		    (unsigned long long)applied, c->b[j].nvalues, a->message ? a->message : "");
	if (c->acked == c->nb) {
		c->state = C_DONE;
		lg->finished++;
		maybe_advance(lg);
		return;
	}
	pump(c);
}

static void send_hello(struct client *c)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__Hello hello = GTSYNC__V1__HELLO__INIT;

	hello.protocol_version = GTSYNC__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_1;
	hello.software = "gtsync-loadgen/0.1.0";
	hello.key_id = c->key_id;
	env.request_id = RID_HELLO;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_HELLO;
	env.hello = &hello;
	c->state = C_HELLO;
	send_env(c, &env);
}

static void on_challenge(struct client *c, const gt_envelope *env)
{
	gt_envelope out = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__AuthProof proof = GTSYNC__V1__AUTH_PROOF__INIT;
	uint8_t exporter[GT_EXPORTER_LEN], pub[GT_ED25519_PUB_LEN], sig[GT_ED25519_SIG_LEN];
	int rc;

	if (env->auth_challenge->nonce.len != GT_NONCE_LEN) {
		client_fail(c, GT_EPROTO, "malformed challenge");
		return;
	}
	if ((rc = gt_peer_exporter(&c->peer, exporter)) != GT_OK ||
	    (rc = gt_key_public(c->key, pub)) != GT_OK ||
	    (rc = gt_auth_sign(c->key, env->auth_challenge->nonce.data, exporter, sig)) != GT_OK) {
		client_fail(c, rc, "signing the challenge");
		return;
	}
	proof.public_key.data = pub;
	proof.public_key.len = sizeof(pub);
	proof.signature.data = sig;
	proof.signature.len = sizeof(sig);
	out.request_id = RID_PROOF;
	out.body_case = GTSYNC__V1__ENVELOPE__BODY_AUTH_PROOF;
	out.auth_proof = &proof;
	c->state = C_PROOF;
	send_env(c, &out);
}

static void on_result(struct client *c, const gt_envelope *env)
{
	struct lg *lg = c->lg;
	const Gtsync__V1__AuthResult *r = env->auth_result;

	snprintf(c->org, sizeof(c->org), "%s", r->org_unit ? r->org_unit : "");
	c->last_seq = r->last_sequence;
	lg->conn_lat[lg->nconn++] = gt_bench_now_us() - c->t0;
	if (r->max_in_flight < lg->inflight)
		report_failure(lg, "the server allows %u requests in flight, fewer than --inflight",
		               r->max_in_flight);
	c->state = C_READY;
	lg->connecting--;
	lg->ready++;
	start_connects(lg);
	maybe_advance(lg);
}

static void on_envelope(struct gt_peer *p, gt_envelope *env)
{
	struct client *c = gt_peer_arg(p);

	if (env->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR) {
		char why[600];
		snprintf(why, sizeof(why), "server error %d: %s", env->error->code,
		         env->error->message ? env->error->message : "");
		if (c->state == C_PUSHING && env->request_id >= RID_BATCH)
			c->lg->acks_bad++;
		client_fail(c, GT_EPROTO, why);
	} else if (c->state == C_HELLO &&
	           env->body_case == GTSYNC__V1__ENVELOPE__BODY_AUTH_CHALLENGE) {
		on_challenge(c, env);
	} else if (c->state == C_PROOF &&
	           env->body_case == GTSYNC__V1__ENVELOPE__BODY_AUTH_RESULT) {
		on_result(c, env);
	} else if (c->state == C_PUSHING && env->body_case == GTSYNC__V1__ENVELOPE__BODY_PUSH_ACK) {
		on_ack(c, env);
	} else if (c->state != C_FAILED && c->state != C_DONE) {
		client_fail(c, GT_EPROTO, "an unexpected message");
	}
	gt_wire_envelope_free(env);
}

static void on_open(struct gt_peer *p)
{
	struct client *c = gt_peer_arg(p);
	if (c->state == C_CONNECTING)
		send_hello(c);
}

static void on_error(struct gt_peer *p, int err, const char *why)
{
	struct client *c = gt_peer_arg(p);
	client_fail(c, err, why);
}

static void on_closed(struct gt_peer *p)
{
	struct client *c = gt_peer_arg(p);
	struct lg *lg = c->lg;

	c->peer_live = 0;
	lg->live--;
	if (lg->phase == P_CLOSING && lg->live == 0 && !uv_is_closing((uv_handle_t *)&lg->deadline))
		uv_close((uv_handle_t *)&lg->deadline, NULL);
}

static const struct gt_peer_cbs client_cbs = {
    .on_open = on_open,
    .on_envelope = on_envelope,
    .on_error = on_error,
    .on_closed = on_closed,
};

static void start_connects(struct lg *lg)
{
	while (lg->phase == P_CONNECT && lg->connecting < lg->parallel &&
	       lg->next_connect < lg->n) {
		struct client *c = &lg->clients[lg->next_connect++];
		int rc;

		c->t0 = gt_bench_now_us();
		c->state = C_CONNECTING;
		lg->connecting++;
		rc = gt_peer_connect(&c->peer, &lg->loop, lg->tls,
		                     (const struct sockaddr *)&lg->addr, 0, &client_cbs, c);
		if (rc != GT_OK) {
			client_fail(c, rc, "connecting");
			continue;
		}
		c->peer_live = 1;
		lg->live++;
	}
}

/* Builds and signs every batch of every ready client (not timed). */
static int build_batches(struct lg *lg)
{
	const struct gt_bench_work *w = lg->work;
	uint64_t t = gt_bench_now_us();

	for (uint32_t i = 0; i < lg->n; i++) {
		struct client *c = &lg->clients[i];
		uint32_t nb = lg->batches;

		if (c->state != C_READY)
			continue;
		if (nb == 0) /* cover the workload once */
			nb = (uint32_t)((w->nslots + lg->values - 1) / lg->values);
		c->b = calloc(nb, sizeof(*c->b));
		c->sent_at = calloc(nb, sizeof(*c->sent_at));
		if (c->b == NULL || c->sent_at == NULL)
			return GT_ENOMEM;
		for (uint32_t j = 0; j < nb; j++) {
			size_t first = ((size_t)j * lg->values) % w->nslots;
			size_t count = lg->values;
			int rc;

			if (lg->batches == 0 && first + count > w->nslots)
				count = w->nslots - first;
			rc = gt_bench_batch_build(w, c->key, c->key_id, c->org, c->last_seq + 1 + j,
			                          first, count, &c->b[j]);
			if (rc != GT_OK)
				return rc;
			lg->batches_total++;
		}
		c->nb = nb;
	}
	lg->t_build = gt_bench_now_us() - t;
	return GT_OK;
}

static void close_all(struct lg *lg)
{
	lg->phase = P_CLOSING;
	uv_timer_stop(&lg->deadline);
	if (lg->hold_open) {
		lg->hold_open = 0;
		uv_close((uv_handle_t *)&lg->hold, NULL);
	}
	for (uint32_t i = 0; i < lg->n; i++) {
		struct client *c = &lg->clients[i];
		if (c->pace_open) {
			c->pace_open = 0;
			uv_close((uv_handle_t *)&c->pace, NULL);
		}
		close_client(c);
	}
	if (lg->live == 0 && !uv_is_closing((uv_handle_t *)&lg->deadline))
		uv_close((uv_handle_t *)&lg->deadline, NULL);
}

static void start_push(struct lg *lg)
{
	lg->phase = P_PUSH;
	if (build_batches(lg) != GT_OK) {
		report_failure(lg, "cannot build the batches");
		close_all(lg);
		return;
	}
	lg->t_push0 = gt_bench_now_us();
	for (uint32_t i = 0; i < lg->n; i++) {
		struct client *c = &lg->clients[i];
		if (c->state != C_READY)
			continue;
		if (lg->interval_ms > 0) {
			/* Spread the clients' first sends over one interval. */
			uv_timer_init(&lg->loop, &c->pace);
			c->pace.data = c;
			c->pace_open = 1;
			c->due = lg->t_push0 + (uint64_t)lg->interval_ms * 1000 * i / lg->n;
		}
		c->state = C_PUSHING;
		pump(c);
	}
	maybe_advance(lg);
}

static void on_hold(uv_timer_t *t)
{
	struct lg *lg = t->data;
	lg->hold_open = 0;
	uv_close((uv_handle_t *)&lg->hold, NULL);
	if (lg->phase == P_HOLD)
		start_push(lg);
}

static void maybe_advance(struct lg *lg)
{
	if (lg->phase == P_CONNECT && lg->ready + lg->failed == lg->n) {
		lg->t_connect1 = gt_bench_now_us();
		if (lg->hold_ms > 0) {
			/* Every connection is up and idle: the time to sample the server's memory.
			 */
			printf("holding %u connections for %u ms\n", lg->ready, lg->hold_ms);
			fflush(stdout);
			lg->phase = P_HOLD;
			uv_timer_init(&lg->loop, &lg->hold);
			lg->hold_open = 1;
			lg->hold.data = lg;
			uv_timer_start(&lg->hold, on_hold, lg->hold_ms, 0);
			return;
		}
		start_push(lg);
		return;
	}
	if (lg->phase == P_PUSH && lg->finished + lg->failed == lg->n) {
		lg->t_push1 = gt_bench_now_us();
		close_all(lg);
	}
}

static void on_deadline(uv_timer_t *t)
{
	struct lg *lg = t->data;

	lg->timed_out = 1;
	report_failure(lg, "the run did not finish within --timeout");
	for (uint32_t i = 0; i < lg->n; i++) {
		struct client *c = &lg->clients[i];
		if (c->state == C_PUSHING)
			lg->batches_lost += c->nb - c->acked;
		if (c->state != C_DONE && c->state != C_FAILED) {
			c->state = C_FAILED;
			lg->failed++;
		}
	}
	if (lg->t_push1 == 0)
		lg->t_push1 = gt_bench_now_us();
	close_all(lg);
}

static double ms(uint64_t us)
{
	return (double)us / 1000.0;
}

static void print_results(struct lg *lg)
{
	double secs = lg->t_push1 > lg->t_push0 ? (double)(lg->t_push1 - lg->t_push0) / 1e6 : 0;
	uint64_t acked = lg->acks_ok + lg->acks_warning;
	uint64_t errors = lg->acks_bad + lg->batches_lost + lg->conn_errors +
	                  (lg->values_applied != lg->values_sent) + (uint64_t)lg->timed_out;
	double vps = secs > 0 ? (double)lg->values_applied / secs : 0;
	double bps = secs > 0 ? (double)acked / secs : 0;

	gt_bench_sort_u64(lg->lat, lg->nlat);
	gt_bench_sort_u64(lg->conn_lat, lg->nconn);
	printf("clients %u (connected %u), batches %llu of %u values, %u in flight per client\n",
	       lg->n, lg->ready, (unsigned long long)lg->batches_total, lg->values, lg->inflight);
	printf("connect+handshake: all in %.3f s, each p50 %.2f ms p99 %.2f ms max %.2f ms\n",
	       (double)(lg->t_connect1 - lg->t_connect0) / 1e6,
	       ms(gt_bench_percentile(lg->conn_lat, lg->nconn, 50)),
	       ms(gt_bench_percentile(lg->conn_lat, lg->nconn, 99)),
	       ms(gt_bench_percentile(lg->conn_lat, lg->nconn, 100)));
	printf("push: %.3f s, %.0f values/s, %.0f batches/s (batches built and signed "
	       "beforehand in %.3f s)\n",
	       secs, vps, bps, (double)lg->t_build / 1e6);
	printf("ack latency: p50 %.2f ms p99 %.2f ms max %.2f ms\n",
	       ms(gt_bench_percentile(lg->lat, lg->nlat, 50)),
	       ms(gt_bench_percentile(lg->lat, lg->nlat, 99)),
	       ms(gt_bench_percentile(lg->lat, lg->nlat, 100)));
	printf("acks: %llu ok, %llu warning, %llu bad; %llu batches lost; %llu connection "
	       "errors; values sent %llu, applied %llu\n",
	       (unsigned long long)lg->acks_ok, (unsigned long long)lg->acks_warning,
	       (unsigned long long)lg->acks_bad, (unsigned long long)lg->batches_lost,
	       (unsigned long long)lg->conn_errors, (unsigned long long)lg->values_sent,
	       (unsigned long long)lg->values_applied);
	printf("RESULT clients=%u values=%llu batches=%llu seconds=%.4f values_per_s=%.0f "
	       "batches_per_s=%.1f ack_p50_ms=%.3f ack_p99_ms=%.3f ack_max_ms=%.3f "
	       "connect_all_s=%.3f connect_p50_ms=%.3f connect_p99_ms=%.3f errors=%llu\n",
	       lg->n, (unsigned long long)lg->values_applied, (unsigned long long)acked, secs, vps,
	       bps, ms(gt_bench_percentile(lg->lat, lg->nlat, 50)),
	       ms(gt_bench_percentile(lg->lat, lg->nlat, 99)),
	       ms(gt_bench_percentile(lg->lat, lg->nlat, 100)),
	       (double)(lg->t_connect1 - lg->t_connect0) / 1e6,
	       ms(gt_bench_percentile(lg->conn_lat, lg->nconn, 50)),
	       ms(gt_bench_percentile(lg->conn_lat, lg->nconn, 99)), (unsigned long long)errors);
}

static int cmd_run(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *ca = gt_cli_get(cmd, "ca");
	const char *mddir = gt_cli_get_or(cmd, "metadata", GT_BENCH_DEF_METADATA);
	const char *datasets = gt_cli_get_or(cmd, "datasets", GT_BENCH_DEF_DATASETS);
	struct gt_bench_work *work = NULL;
	struct lg *lg;
	uint32_t timeout_s, last_year, years;
	size_t lat_cap = 0;
	int rc = GT_CLI_EXIT_FAIL, loop_ok = 0;
	(void)argc;
	(void)argv;
	(void)arg;

	lg = calloc(1, sizeof(*lg));
	if (lg == NULL)
		return GT_CLI_EXIT_FAIL;
	lg->seed = gt_cli_get_or(cmd, "seed", DEF_SEED);
	if (ca == NULL) {
		fprintf(stderr, PROG " run: --server and --ca are required\n");
		free(lg);
		return GT_CLI_EXIT_USAGE;
	}
	if (parse_loopback(gt_cli_get(cmd, "server"), &lg->addr) ||
	    gt_cli_get_u32(cmd, PROG, "clients", 1, 1, MAX_CLIENTS, &lg->n) ||
	    gt_cli_get_u32(cmd, PROG, "first", 0, 0, MAX_CLIENTS, &lg->first) ||
	    gt_cli_get_u32(cmd, PROG, "batches", GT_BENCH_DEF_BATCHES, 0, MAX_BATCHES,
	                   &lg->batches) ||
	    gt_cli_get_u32(cmd, PROG, "values", 0, 0, GT_DEFAULT_MAX_VALUES_PER_BATCH,
	                   &lg->values) ||
	    gt_cli_get_u32(cmd, PROG, "inflight", GT_BENCH_DEF_INFLIGHT, 1, MAX_INFLIGHT,
	                   &lg->inflight) ||
	    gt_cli_get_u32(cmd, PROG, "connect-parallel", DEF_CONNECT_PARALLEL, 1, MAX_CLIENTS,
	                   &lg->parallel) ||
	    gt_cli_get_u32(cmd, PROG, "timeout", GT_BENCH_DEF_TIMEOUT_S, 1, 86400, &timeout_s) ||
	    gt_cli_get_u32(cmd, PROG, "hold", 0, 0, 3600000, &lg->hold_ms) ||
	    gt_cli_get_u32(cmd, PROG, "interval", 0, 0, 3600000, &lg->interval_ms) ||
	    gt_cli_get_u32(cmd, PROG, "last-year", GT_BENCH_DEF_LAST_YEAR, 1900, 9999,
	                   &last_year) ||
	    gt_cli_get_u32(cmd, PROG, "years", GT_BENCH_DEF_YEARS, 1, 100, &years)) {
		free(lg);
		return GT_CLI_EXIT_USAGE;
	}
	if (gt_bench_work_new(mddir, datasets, (int)last_year, (int)years, &work) != GT_OK) {
		free(lg);
		return GT_CLI_EXIT_FAIL;
	}
	if (lg->values == 0)
		lg->values = (uint32_t)work->per_month;
	if (lg->values > work->nslots) {
		fprintf(stderr,
		        PROG " run: --values is at most %zu here (every slot of %u years)\n",
		        work->nslots, years);
		goto out_work;
	}
	lg->work = work;
	lat_cap = (size_t)lg->n *
	          (lg->batches ? lg->batches : (work->nslots + lg->values - 1) / lg->values);
	lg->clients = calloc(lg->n, sizeof(*lg->clients));
	lg->lat = calloc(lat_cap + 1, sizeof(*lg->lat));
	lg->conn_lat = calloc(lg->n, sizeof(*lg->conn_lat));
	if (lg->clients == NULL || lg->lat == NULL || lg->conn_lat == NULL)
		goto out_work;
	for (uint32_t i = 0; i < lg->n; i++) {
		struct client *c = &lg->clients[i];
		c->lg = lg;
		c->idx = i;
		if (gt_bench_key(lg->seed, "client", lg->first + i, &c->key) != GT_OK ||
		    gt_key_id(c->key, c->key_id) != GT_OK)
			goto out_clients;
	}
	if (gt_tls_client_ctx_new(ca, NULL, &lg->tls) != GT_OK) {
		fprintf(stderr, PROG " run: cannot read the pinned certificate %s\n", ca);
		goto out_clients;
	}
	signal(SIGPIPE, SIG_IGN);
	if (uv_loop_init(&lg->loop) != 0)
		goto out_clients;
	loop_ok = 1;
	uv_timer_init(&lg->loop, &lg->deadline);
	lg->deadline.data = lg;
	uv_timer_start(&lg->deadline, on_deadline, (uint64_t)timeout_s * 1000, 0);
	lg->t_connect0 = gt_bench_now_us();
	start_connects(lg);
	uv_run(&lg->loop, UV_RUN_DEFAULT);
	print_results(lg);
	rc = lg->acks_bad + lg->batches_lost + lg->conn_errors + (uint64_t)lg->timed_out == 0 &&
	             lg->values_applied == lg->values_sent
	         ? GT_CLI_EXIT_OK
	         : GT_CLI_EXIT_FAIL;
out_clients:
	if (loop_ok && uv_loop_close(&lg->loop) != 0)
		fprintf(stderr, PROG " run: the loop did not close cleanly\n");
	for (uint32_t i = 0; lg->clients != NULL && i < lg->n; i++) {
		struct client *c = &lg->clients[i];
		for (uint32_t j = 0; j < c->nb; j++)
			free(c->b[j].bytes);
		free(c->b);
		free(c->sent_at);
		gt_key_free(c->key);
	}
	gt_tls_ctx_free(lg->tls);
out_work:
	free(lg->clients);
	free(lg->lat);
	free(lg->conn_lat);
	gt_bench_work_free(work);
	free(lg);
	return rc;
}

/* ---- report: latency of consolidated reports ---- */

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211u;
	return h;
}

static uint64_t hash_values(uint64_t h, Gtsync__V1__ReportValue *const *v, size_t n)
{
	char line[256];

	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s|%s|%.6f|%u|%s;", v[i]->data_element,
		         v[i]->category_option_combo, v[i]->value, v[i]->count,
		         v[i]->text ? v[i]->text : "");
		h = fnv(h, line);
	}
	return h;
}

/* A digest of a report's content (not its generation time), to compare two servers. */
static uint64_t report_digest(const Gtsync__V1__ReportReply *r)
{
	uint64_t h = hash_values(1469598103934665603u, r->totals, r->n_totals);
	char line[256];

	for (size_t i = 0; i < r->n_children; i++) {
		const Gtsync__V1__ChildReport *c = r->children[i];
		snprintf(line, sizeof(line), "child %s %d %d %d %u %u %u;", c->org_unit, c->state,
		         c->reported, c->on_time, c->expected, c->reported_units, c->on_time_units);
		h = hash_values(fnv(h, line), c->values, c->n_values);
	}
	if (r->completeness != NULL) {
		snprintf(line, sizeof(line), "completeness %u %u %u;", r->completeness->expected,
		         r->completeness->reported, r->completeness->on_time);
		h = fnv(h, line);
		for (size_t i = 0; i < r->completeness->n_missing; i++)
			h = fnv(h, r->completeness->missing[i]);
	}
	return h;
}

/* Pushes a signed batch on s and waits for its ack; 0 when it was applied (OK), else prints
 * why (what names the caller and seq the batch) and fails. */
static int push_signed(struct gt_session *s, const uint8_t *bytes, size_t len, const uint8_t *sig,
                       const char *what, uint64_t seq)
{
	Gtsync__V1__PushRequest pr = GTSYNC__V1__PUSH_REQUEST__INIT;
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
	struct gt_session_err err;
	const Gtsync__V1__PushAck *ack;
	int rc;

	pr.batch.data = (uint8_t *)bytes;
	pr.batch.len = len;
	pr.signature.data = (uint8_t *)sig;
	pr.signature.len = GT_ED25519_SIG_LEN;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PUSH;
	env.push = &pr;
	if ((rc = gt_session_call(s, &env, &reply, &err)) != GT_OK) {
		fprintf(stderr, PROG " %s: batch %llu: %s\n", what, (unsigned long long)seq,
		        err.message);
		return rc;
	}
	ack = reply->body_case == GTSYNC__V1__ENVELOPE__BODY_PUSH_ACK ? reply->push_ack : NULL;
	if (ack == NULL || ack->status != GTSYNC__V1__PUSH_STATUS__PUSH_OK) {
		fprintf(stderr, PROG " %s: batch %llu not applied: %s\n", what,
		        (unsigned long long)seq,
		        ack == NULL        ? "no ack"
		        : ack->n_conflicts ? ack->conflicts[0]->message
		                           : ack->message);
		rc = GT_EINVAL;
	}
	gt_wire_envelope_free(reply);
	return rc;
}

/* Districts whose keys change the report's own values between requests (--churn): each
 * pushes, in turn, a new revision of one month of the report's data set and year. */
struct churn {
	struct gt_bench_work *work;
	struct gt_session **s;
	struct gt_key **k;
	char (*key_id)[GT_KEY_ID_LEN + 1];
	char (*org)[GT_ORGUNIT_MAX_LEN];
	uint64_t *seq;
	uint32_t n;
};

static void churn_free(struct churn *ch)
{
	for (uint32_t i = 0; i < ch->n; i++) {
		gt_session_close(ch->s[i]);
		gt_key_free(ch->k[i]);
	}
	free(ch->s);
	free(ch->k);
	free(ch->key_id);
	free(ch->org);
	free(ch->seq);
	gt_bench_work_free(ch->work);
}

/* Opens a session for each of the first n districts of the CSV (key i acts for unit i of the
 * list keys registered: districts, or all units with --units all). */
static int churn_open(const struct gt_cli_cmd *cmd, uint32_t n, struct churn *ch)
{
	const char *csv = gt_cli_get(cmd, "orgunits"),
	           *units = gt_cli_get_or(cmd, "units", "districts");
	const char *period = gt_cli_get_or(cmd, "period", GT_BENCH_DEF_PERIOD);
	struct gt_bench_units u = {0};
	int rc = GT_EINVAL;

	memset(ch, 0, sizeof(*ch));
	if (csv == NULL) {
		fprintf(stderr, PROG " report: --churn needs --orgunits\n");
		return GT_EINVAL;
	}
	ch->s = calloc(n, sizeof(*ch->s));
	ch->k = calloc(n, sizeof(*ch->k));
	ch->key_id = calloc(n, sizeof(*ch->key_id));
	ch->org = calloc(n, sizeof(*ch->org));
	ch->seq = calloc(n, sizeof(*ch->seq));
	if (ch->s == NULL || ch->k == NULL || ch->key_id == NULL || ch->org == NULL ||
	    ch->seq == NULL ||
	    gt_bench_work_new(gt_cli_get_or(cmd, "metadata", GT_BENCH_DEF_METADATA),
	                      gt_cli_get_or(cmd, "dataset", GT_BENCH_DEF_DATASET), atoi(period), 1,
	                      &ch->work) != GT_OK ||
	    gt_bench_units_read(
	        csv, strcmp(units, "all") == 0 ? GT_BENCH_UNITS : GT_BENCH_DISTRICTS, &u) != GT_OK)
		goto out;
	for (size_t i = 0; i < u.n && ch->n < n; i++) {
		struct gt_session_opts o = {0};
		struct gt_session_err err;
		gt_envelope *auth = NULL;
		uint32_t c = ch->n;

		if (gt_orgunit_level(u.codes[i]) != GT_ORGUNIT_LEVEL_DISTRICT)
			continue;
		if (gt_bench_key(gt_cli_get_or(cmd, "seed", DEF_SEED), "client", (uint32_t)i,
		                 &ch->k[c]) != GT_OK ||
		    gt_key_id(ch->k[c], ch->key_id[c]) != GT_OK)
			goto out;
		ch->n++;
		o.server = gt_cli_get(cmd, "server");
		o.ca_path = gt_cli_get(cmd, "ca");
		o.key = ch->k[c];
		o.timeout_ms = 60000;
		if (gt_session_open(&o, &ch->s[c], &auth, &err) != GT_OK) {
			fprintf(stderr, PROG " report: cannot open a session for %s: %s\n",
			        u.codes[i], err.message);
			goto out;
		}
		snprintf(ch->org[c], sizeof(ch->org[c]), "%s", u.codes[i]);
		ch->seq[c] = auth->auth_result->last_sequence;
		gt_wire_envelope_free(auth);
	}
	rc = ch->n == n ? GT_OK : GT_EINVAL;
	if (rc != GT_OK)
		fprintf(stderr, PROG " report: fewer than %u districts in %s\n", n, csv);
out:
	gt_bench_units_free(&u);
	return rc;
}

/* Before request i: district i mod n pushes a new revision of one month of the report's data
 * set (the months in turn), and waits for its ack. */
static int churn_push(struct churn *ch, uint32_t i)
{
	uint32_t c = i % ch->n;
	size_t per = ch->work->per_month, months = per ? ch->work->nslots / per : 0;
	struct gt_bench_batch b;
	int rc;

	if (months == 0)
		return GT_EINVAL;
	rc = gt_bench_batch_build(ch->work, ch->k[c], ch->key_id[c], ch->org[c], ++ch->seq[c],
	                          (i / ch->n % months) * per, per, &b);
	if (rc == GT_OK)
		rc = push_signed(ch->s[c], b.bytes, b.len, b.sig, "report --churn", b.seq);
	free(b.bytes);
	return rc;
}

static int cmd_report(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *server = gt_cli_get(cmd, "server"), *ca = gt_cli_get(cmd, "ca");
	struct gt_session_opts o = {0};
	struct gt_session_err err;
	struct gt_session *s = NULL;
	struct gt_key *k = NULL;
	struct sockaddr_storage ss;
	uint64_t *lat = NULL;
	uint32_t n, warm;
	size_t bytes = 0, children = 0, totals = 0;
	uint64_t digest = 0;
	uint32_t expected = 0, reported = 0, nchurn = 0;
	struct churn ch = {0};
	int rc = GT_CLI_EXIT_FAIL;
	(void)argc;
	(void)argv;
	(void)arg;

	if (ca == NULL || parse_loopback(server, &ss) ||
	    gt_cli_get_u32(cmd, PROG, "requests", DEF_REQUESTS, 1, MAX_REQUESTS, &n) ||
	    gt_cli_get_u32(cmd, PROG, "warmup", DEF_WARMUP, 0, MAX_REQUESTS, &warm) ||
	    gt_cli_get_u32(cmd, PROG, "churn", 0, 0, MAX_CLIENTS, &nchurn))
		return GT_CLI_EXIT_USAGE;
	if (nchurn > 0 && churn_open(cmd, nchurn, &ch) != GT_OK) {
		churn_free(&ch);
		return GT_CLI_EXIT_FAIL;
	}
	if (gt_bench_key(gt_cli_get_or(cmd, "seed", DEF_SEED), "reader", 0, &k) != GT_OK)
		return GT_CLI_EXIT_FAIL;
	lat = calloc(n, sizeof(*lat));
	o.server = server;
	o.ca_path = ca;
	o.key = k;
	o.timeout_ms = 60000;
	if (lat == NULL || gt_session_open(&o, &s, NULL, &err) != GT_OK) {
		fprintf(stderr, PROG " report: cannot open a session: %s\n",
		        lat ? err.message : "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < warm + n; i++) {
		gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
		Gtsync__V1__ReportRequest rq = GTSYNC__V1__REPORT_REQUEST__INIT;
		uint64_t t0;

		rq.org_unit = (char *)gt_cli_get_or(cmd, "org", GT_BENCH_DEF_ORG);
		rq.dataset = (char *)gt_cli_get_or(cmd, "dataset", GT_BENCH_DEF_DATASET);
		rq.period = (char *)gt_cli_get_or(cmd, "period", GT_BENCH_DEF_PERIOD);
		rq.per_child = gt_cli_get(cmd, "no-per-child") == NULL;
		/* The report's own values change between two requests (not timed). */
		if (nchurn > 0 && churn_push(&ch, i) != GT_OK)
			goto out;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST;
		env.report_request = &rq;
		t0 = gt_bench_now_us();
		if (gt_session_call(s, &env, &reply, &err) != GT_OK ||
		    reply->body_case != GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY) {
			fprintf(stderr, PROG " report: request %u failed: %s\n", i,
			        reply && reply->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR
			            ? reply->error->message
			            : err.message);
			gt_wire_envelope_free(reply);
			goto out;
		}
		if (i >= warm)
			lat[i - warm] = gt_bench_now_us() - t0;
		if (i == 0) {
			const Gtsync__V1__ReportReply *r = reply->report_reply;
			bytes = gtsync__v1__envelope__get_packed_size(reply);
			children = r->n_children;
			totals = r->n_totals;
			expected = r->completeness ? r->completeness->expected : 0;
			reported = r->completeness ? r->completeness->reported : 0;
			digest = report_digest(r);
		}
		gt_wire_envelope_free(reply);
	}
	gt_bench_sort_u64(lat, n);
	printf("report %s/%s/%s: %zu bytes, %zu totals, %zu children, units expected %u "
	       "reported %u, content digest %016llx\n",
	       gt_cli_get_or(cmd, "org", GT_BENCH_DEF_ORG),
	       gt_cli_get_or(cmd, "dataset", GT_BENCH_DEF_DATASET),
	       gt_cli_get_or(cmd, "period", GT_BENCH_DEF_PERIOD), bytes, totals, children, expected,
	       reported, (unsigned long long)digest);
	printf("RESULT requests=%u report_p50_ms=%.3f report_p99_ms=%.3f report_max_ms=%.3f "
	       "bytes=%zu expected=%u reported=%u churn=%u\n",
	       n, ms(gt_bench_percentile(lat, n, 50)), ms(gt_bench_percentile(lat, n, 99)),
	       ms(gt_bench_percentile(lat, n, 100)), bytes, expected, reported, nchurn);
	rc = GT_CLI_EXIT_OK;
out:
	churn_free(&ch);
	gt_session_close(s);
	gt_key_free(k);
	free(lat);
	return rc;
}

/* ---- Commands ---- */

static struct gt_cli_opt orgunits_opts[] = {
    {"real", "CSV", "the real org-unit list (code,name,level)", NULL},
    {"districts", "N", "add synthetic districts until there are at least N", NULL},
    {"out", "FILE", "the CSV to write (must not exist)", NULL},
    {0},
};
static struct gt_cli_opt keys_opts[] = {
    {"data", "DIR", "the server's data directory (org units imported)", NULL},
    {"orgunits", "CSV", "the org-unit CSV the data directory imported", NULL},
    {"clients", "N", "register keys 0..N-1 (default: one per unit)", NULL},
    {"units", "WHICH", "districts (default) or all: provinces and districts", NULL},
    {"reader", NULL, "also register the reader key as secretariat of ID", NULL},
    {"seed", "TEXT", "key seed (default " DEF_SEED ")", NULL},
    {0},
};
static struct gt_cli_opt stored_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {0},
};
static struct gt_cli_opt run_opts[] = {
    {"server", "IP:PORT", "the server (loopback only)", NULL},
    {"ca", "FILE", "the server's certificate (pinned)", NULL},
    {"clients", "N", "simultaneous clients, each with its own key (default 1)", NULL},
    {"first", "I", "index of the first client key (default 0)", NULL},
    {"batches", "M",
     "batches per client (default " GT_CLI_STR(
         GT_BENCH_DEF_BATCHES) "; 0: the whole workload once)",
     NULL},
    {"values", "K", "values per batch (default: one month of the data sets)", NULL},
    {"inflight", "P",
     "batches in flight per connection (default " GT_CLI_STR(GT_BENCH_DEF_INFLIGHT) ")", NULL},
    GT_BENCH_WORKLOAD_OPTS,
    {"connect-parallel", "N",
     "connections being set up at once (default " GT_CLI_STR(DEF_CONNECT_PARALLEL) ")", NULL},
    {"timeout", "SECONDS",
     "give up after this long (default " GT_CLI_STR(GT_BENCH_DEF_TIMEOUT_S) ")", NULL},
    {"interval", "MS",
     "open loop: each client sends one batch every MS (default 0: "
     "as fast as acks allow)",
     NULL},
    {"hold", "MS", "keep every connection idle this long before pushing (default 0)", NULL},
    {"seed", "TEXT", "key seed (default " DEF_SEED ")", NULL},
    {0},
};
static struct gt_cli_opt report_opts[] = {
    {"server", "IP:PORT", "the server (loopback only)", NULL},
    {"ca", "FILE", "the server's certificate (pinned)", NULL},
    {"org", "CODE", "org unit of the report (default " GT_BENCH_DEF_ORG ")", NULL},
    {"dataset", "CODE", "data set (default " GT_BENCH_DEF_DATASET ")", NULL},
    {"period", "ID", "period (default " GT_BENCH_DEF_PERIOD ")", NULL},
    {"no-per-child", NULL, "omit the per-child breakdown", NULL},
    {"requests", "N", "timed requests, one after another (default " GT_CLI_STR(DEF_REQUESTS) ")",
     NULL},
    {"warmup", "N", "untimed requests first (default " GT_CLI_STR(DEF_WARMUP) ")", NULL},
    {"churn", "N",
     "before each request one of N districts pushes a new revision of a month of the "
     "report's data set and year (default 0: none)",
     NULL},
    {"orgunits", "CSV", "with --churn: the org units, as given to keys", NULL},
    {"units", "districts|all", "with --churn: which units keys registered (default districts)",
     NULL},
    {"metadata", "DIR", "with --churn: the metadata directory (default metadata)", NULL},
    {"seed", "TEXT", "key seed (default " DEF_SEED ")", NULL},
    {0},
};

/* ---- open-late ---- */

/* Pushes one batch of actions signed by k on s; 0 when every action applied. */
static int push_actions(struct gt_session *s, const struct gt_key *k, const char *key_id,
                        uint64_t seq, Gtsync__V1__WorkflowAction **acts, size_t n)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	uint8_t id[GT_BATCH_ID_LEN], sig[GT_ED25519_SIG_LEN], *bytes = NULL;
	size_t len = 0;
	int rc;

	if ((rc = gt_crypto_random(id, sizeof(id))) != GT_OK)
		return rc;
	b.format_version = 1;
	b.batch_id.data = id;
	b.batch_id.len = sizeof(id);
	b.key_id = (char *)key_id;
	b.org_unit = GT_ORGUNIT_ROOT;
	b.sequence = seq;
	b.actions = acts;
	b.n_actions = n;
	if ((rc = gt_wire_batch_pack(&b, &bytes, &len)) == GT_OK &&
	    (rc = gt_key_sign(k, bytes, len, sig)) == GT_OK)
		rc = push_signed(s, bytes, len, sig, "open-late", seq);
	free(bytes);
	return rc;
}

/* The secretariat opens the benchmark's units for late entry in the workload's years: the
 * workload's periods are historical, and the server skips values past a data set's expiry
 * unless their unit is open (issue 10 item 13). */
static int cmd_open_late(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *server = gt_cli_get(cmd, "server"), *ca = gt_cli_get(cmd, "ca");
	const char *csv = gt_cli_get(cmd, "orgunits"),
	           *units = gt_cli_get_or(cmd, "units", "districts");
	const char *mddir = gt_cli_get_or(cmd, "metadata", GT_BENCH_DEF_METADATA);
	char *list = strdup(gt_cli_get_or(cmd, "datasets", "KK,LY,GT")), *save = NULL;
	struct gt_session_opts o = {0};
	struct gt_session_err err;
	struct gt_session *s = NULL;
	struct gt_bench_units u = {0};
	struct gt_meta *m = NULL;
	struct gt_key *k = NULL;
	struct sockaddr_storage ss;
	const struct gt_meta_dataset *sets[32];
	gt_envelope *auth = NULL;
	Gtsync__V1__WorkflowAction wa[GT_MAX_ACTIONS_PER_BATCH], *wap[GT_MAX_ACTIONS_PER_BATCH];
	char key_id[GT_KEY_ID_LEN + 1], until[16], years[GT_MAX_ACTIONS_PER_BATCH][8];
	uint32_t n, last_year, nyears;
	uint64_t seq, actions = 0;
	size_t nsets = 0, na = 0;
	struct gt_date d;
	int rc = GT_CLI_EXIT_FAIL;
	(void)argc;
	(void)argv;
	(void)arg;

	if (list == NULL || ca == NULL || csv == NULL || parse_loopback(server, &ss) ||
	    gt_cli_get_u32(cmd, PROG, "clients", 0, 0, MAX_CLIENTS, &n) ||
	    gt_cli_get_u32(cmd, PROG, "last-year", GT_BENCH_DEF_LAST_YEAR, 1900, 9999,
	                   &last_year) ||
	    gt_cli_get_u32(cmd, PROG, "years", GT_BENCH_DEF_YEARS, 1, 100, &nyears)) {
		free(list);
		return GT_CLI_EXIT_USAGE;
	}
	if (gt_meta_load_dir(mddir, &m, NULL) != GT_OK ||
	    gt_bench_units_read(csv,
	                        strcmp(units, "all") == 0 ? GT_BENCH_UNITS : GT_BENCH_DISTRICTS,
	                        &u) != GT_OK ||
	    gt_bench_key(gt_cli_get_or(cmd, "seed", DEF_SEED), "reader", 0, &k) != GT_OK ||
	    gt_key_id(k, key_id) != GT_OK ||
	    gt_date_from_days(gt_clock_wall_ms() / 86400000 + 30, &d) != GT_OK ||
	    gt_date_format(&d, until, sizeof(until)) != GT_OK)
		goto out;
	for (char *c = strtok_r(list, ",", &save); c != NULL && nsets < 32;
	     c = strtok_r(NULL, ",", &save))
		if ((sets[nsets] = gt_meta_dataset_find(m, c)) != NULL)
			nsets++;
	if (n == 0 || n > u.n)
		n = (uint32_t)u.n;
	o.server = server;
	o.ca_path = ca;
	o.key = k;
	o.timeout_ms = 60000;
	if (gt_session_open(&o, &s, &auth, &err) != GT_OK) {
		fprintf(stderr, PROG " open-late: cannot open a session: %s\n", err.message);
		goto out;
	}
	seq = auth->auth_result->last_sequence;
	for (uint32_t i = 0; i < n; i++) {
		for (size_t k2 = 0; k2 < nsets; k2++) {
			if (!gt_meta_dataset_reports_at(sets[k2], gt_orgunit_level(u.codes[i])))
				continue;
			for (uint32_t y = 0; y < nyears; y++) {
				gtsync__v1__workflow_action__init(&wa[na]);
				snprintf(years[na], sizeof(years[na]), "%u", last_year - y);
				wa[na].kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE;
				wa[na].dataset = (char *)sets[k2]->code;
				wa[na].period = years[na];
				wa[na].org_unit = u.codes[i];
				wa[na].reason = "benchmark workload of past years";
				wa[na].open_until = until;
				wap[na] = &wa[na];
				if (++na == GT_MAX_ACTIONS_PER_BATCH) {
					if (push_actions(s, k, key_id, ++seq, wap, na) != GT_OK)
						goto out;
					actions += na;
					na = 0;
				}
			}
		}
	}
	if (na > 0 && push_actions(s, k, key_id, ++seq, wap, na) != GT_OK)
		goto out;
	actions += na;
	printf("%llu late-entry openings for %u units until %s\n", (unsigned long long)actions, n,
	       until);
	rc = GT_CLI_EXIT_OK;
out:
	gt_wire_envelope_free(auth);
	gt_session_close(s);
	gt_key_free(k);
	gt_bench_units_free(&u);
	gt_meta_free(m);
	free(list);
	return rc;
}

static struct gt_cli_opt open_late_opts[] = {
    {"server", "IP:PORT", "the server (loopback only)", NULL},
    {"ca", "FILE", "the server's certificate (pinned)", NULL},
    {"orgunits", "CSV", "the org units, as given to keys", NULL},
    {"units", "districts|all", "which units of the CSV (default districts)", NULL},
    {"clients", "N", "the first N units (default all)", NULL},
    {"datasets", "LIST", "data sets, comma-separated (default KK,LY,GT)", NULL},
    {"last-year", "YEAR", "the workload's latest year (default 2024)", NULL},
    {"years", "N", "years, latest first (default 10)", NULL},
    {"metadata", "DIR", "the metadata directory (default metadata)", NULL},
    {"seed", "TEXT", "key seed (default 1)", NULL},
    {0},
};

static const struct gt_cli_cmd cmds[] = {
    {"orgunits", "write an org-unit CSV with enough districts",
     "--real CSV --districts N --out FILE",
     "Copies the real list and adds synthetic districts (PP.41 to PP.69) until there are at "
     "least N.",
     orgunits_opts, 0, 0, cmd_orgunits, NULL},
    {"keys", "register the benchmark's client keys in a data directory",
     "--data DIR --orgunits CSV [--clients N] [--units districts|all] [--reader]",
     "Key i is derived from the seed and acts for unit i of the CSV in code order, as an "
     "operator. Run while the server is stopped or running; existing keys are kept.",
     keys_opts, 0, 0, cmd_keys, NULL},
    {"run", "push batches from many clients at once and measure",
     "--server IP:PORT --ca FILE [--clients N] [--batches M] [--values K] [--inflight P]",
     "Connects every client (TLS and key proof), builds and signs every batch, then pushes "
     "them with up to P in flight per connection and waits for every durable ack. Prints "
     "values/s and batches/s from the first send to the last ack, ack latency, connection "
     "times, and a RESULT line. Exits 1 if any batch was not acknowledged OK or WARNING with "
     "all its values applied.",
     run_opts, 0, 0, cmd_run, NULL},
    {"report", "time consolidated report requests",
     "--server IP:PORT --ca FILE [--org ID] [--dataset KK] [--period 2024] [--requests N]",
     "Uses the reader key (see keys --reader) and sends the requests one after another on "
     "one connection.",
     report_opts, 0, 0, cmd_report, NULL},
    {"open-late", "open the workload's units and years for late entry (the secretariat)",
     "--server IP:PORT --ca FILE --orgunits CSV [--units districts|all] [--clients N] "
     "[--datasets LIST] [--last-year Y] [--years N]",
     "Uses the reader key (see keys --reader), registered as the central secretariat, to "
     "sign open-late actions for every data set reported at each unit's level and every "
     "year of the workload, until 30 days from now: the server skips values past a data "
     "set's expiry days otherwise.",
     open_late_opts, 0, 0, cmd_open_late, NULL},
    {"stored", "print the number of batches in a data directory's log", "--data DIR", NULL,
     stored_opts, 0, 0, cmd_stored, NULL},
    {0},
};

int main(int argc, char **argv)
{
	return gt_cli_main(PROG,
	                   "The gtsync load generator: simulated district clients over TLS, "
	                   "for benchmarks on loopback.",
	                   cmds, argc, argv, NULL);
}
