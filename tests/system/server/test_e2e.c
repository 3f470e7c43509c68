/* Integration tests: the real gtsync-server on 127.0.0.1 with real TLS, keys and sqlite. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto.h"
#include "error.h"
#include "logleaf.h"
#include "session.h"
#include "store.h"
#include "testserver.h"
#include "testutil.h"
#include "wire.h"

struct fx {
	struct gt_testserver ts;
	struct gt_key *op;   /* operator of 53.71 */
	struct gt_key *op2;  /* operator of 53.72 */
	struct gt_key *aggr; /* aggregator of 53 */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&f->ts);
	f->op = gt_testserver_key(&f->ts, "53.71", "operator");
	f->op2 = gt_testserver_key(&f->ts, "53.72", "operator");
	f->aggr = gt_testserver_key(&f->ts, "53", "aggregator");
	const char *extra[] = {"--frame-deadline", "2", "--handshake-timeout", "3", "--max-frame",
	                       "1048576",          NULL};
	gt_testserver_start(&f->ts, extra);
	/* The tests enter 2024: past KK's expiry, so the secretariat opens it for late entry. */
	gt_testserver_open_late(&f->ts, "53.71 53.72", "2024");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	gt_testserver_teardown(&f->ts);
	gt_key_free(f->op);
	gt_key_free(f->op2);
	gt_key_free(f->aggr);
	free(f);
	return 0;
}

static struct gt_session *open_session(struct fx *f, const struct gt_key *k,
                                       struct gt_session_err *err)
{
	return gt_testserver_session(&f->ts, k, err);
}

/* A batch of n KK_KORBAN values for org in months 202401.., value base+i. */
static void build_batch_rev(const struct gt_key *k, const char *org, uint64_t seq, int n, int base,
                            const char *value_org, uint64_t rev, struct gt_test_signed *out)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue v[16], *vp[16];
	char vals[16][16], periods[16][8];
	static const char *const opts[] = {"PD", "AP", "LD", "AL"};

	assert_true(n <= 16);
	for (int i = 0; i < n; i++) {
		gtsync__v1__data_value__init(&v[i]);
		snprintf(vals[i], sizeof(vals[i]), "%d", base + i);
		snprintf(periods[i], sizeof(periods[i]), "2024%02d", i / 4 + 1);
		v[i].data_element = "KK_KORBAN";
		v[i].category_option_combo = (char *)opts[i % 4];
		v[i].org_unit = (char *)(value_org ? value_org : org);
		v[i].period = periods[i];
		v[i].value = vals[i];
		v[i].revision = rev;
		vp[i] = &v[i];
	}
	b.values = vp;
	b.n_values = (size_t)n;
	gt_test_sign_batch(k, org, seq, &b, out);
}

static void build_batch(const struct gt_key *k, const char *org, uint64_t seq, int n, int base,
                        const char *value_org, struct gt_test_signed *out)
{
	build_batch_rev(k, org, seq, n, base, value_org, 1, out);
}

/* The server's total of KK_KORBAN for org over 2024 (from a report). */
static double report_total(struct fx *f, const char *org, uint32_t *count)
{
	struct gt_session *s = open_session(f, f->aggr, NULL);
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__ReportRequest rq = GTSYNC__V1__REPORT_REQUEST__INIT;
	gt_envelope *reply = NULL;
	struct gt_session_err err;
	double total = 0;

	assert_non_null(s);
	rq.org_unit = (char *)org;
	rq.dataset = "KK";
	rq.period = "2024";
	rq.per_child = 1;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST;
	env.report_request = &rq;
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY);
	*count = 0;
	for (size_t i = 0; i < reply->report_reply->n_totals; i++) {
		const Gtsync__V1__ReportValue *v = reply->report_reply->totals[i];
		if (strcmp(v->data_element, "KK_KORBAN") == 0) {
			total += v->value;
			*count += v->count;
		}
	}
	gt_wire_envelope_free(reply);
	gt_session_close(s);
	return total;
}

static void golden_duplicate_and_conflict(void **state)
{
	struct fx *f = *state;
	struct gt_session *s = open_session(f, f->op, NULL);
	struct gt_test_signed b1, b2;
	gt_envelope *ack;
	uint32_t count;

	assert_non_null(s);
	build_batch(f->op, "53.71", 1, 8, 10, NULL, &b1);
	ack = gt_test_push(s, &b1);
	assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_OK);
	assert_int_equal(ack->push_ack->counts->imported, 8);
	assert_int_equal(ack->push_ack->sequence, 1);
	gt_wire_envelope_free(ack);

	/* The same bytes again: a duplicate, nothing applied twice (the report below still
	 * counts each value once); the ack repeats the first application's outcome. */
	ack = gt_test_push(s, &b1);
	assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE);
	assert_int_equal(ack->push_ack->counts->imported, 8);
	gt_wire_envelope_free(ack);

	/* A batch with a value that cannot apply: the duplicate repeats its conflicts, so a client
	 * that lost the first ack still learns which value was skipped and why. */
	gt_batch wb = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue wv[2], *wvp[2] = {&wv[0], &wv[1]};
	struct gt_test_signed ws;
	for (int i = 0; i < 2; i++) {
		gtsync__v1__data_value__init(&wv[i]);
		wv[i].data_element = i == 0 ? "KK_LP" : "NO_SUCH_ELEMENT";
		wv[i].org_unit = "53.71";
		wv[i].period = "202402";
		wv[i].value = "1";
		wv[i].revision = 1;
	}
	wb.values = wvp;
	wb.n_values = 2;
	gt_test_sign_batch(f->op, "53.71", 2, &wb, &ws);
	for (int round = 0; round < 2; round++) {
		ack = gt_test_push(s, &ws);
		assert_int_equal(ack->push_ack->status,
		                 round == 0 ? GTSYNC__V1__PUSH_STATUS__PUSH_WARNING
		                            : GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE);
		assert_int_equal(ack->push_ack->n_conflicts, 1);
		assert_int_equal(ack->push_ack->conflicts[0]->reason,
		                 GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATA_ELEMENT);
		assert_int_equal(ack->push_ack->conflicts[0]->n_indexes, 1);
		assert_int_equal(ack->push_ack->conflicts[0]->indexes[0], 1);
		assert_int_equal(ack->push_ack->counts->ignored, 1);
		gt_wire_envelope_free(ack);
	}
	free(ws.bytes);

	/* The same sequence with other bytes: refused as a conflict. */
	build_batch(f->op, "53.71", 1, 8, 500, NULL, &b2);
	ack = gt_test_push(s, &b2);
	assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED);
	assert_int_equal(ack->push_ack->refuse_code, GT_ECONFLICT);
	gt_wire_envelope_free(ack);
	gt_session_close(s);

	/* 10+11+...+17 = 108, stored once. */
	assert_true(report_total(f, "53", &count) == 108.0);
	assert_int_equal(count, 8);
	free(b1.bytes);
	free(b2.bytes);
}

static void tampered_and_foreign_signatures(void **state)
{
	struct fx *f = *state;
	struct gt_session *s = open_session(f, f->op, NULL);
	struct gt_test_signed b;
	gt_envelope *ack;
	struct gt_test_signed forged;

	assert_non_null(s);
	/* Revision 2: these keys already hold revision 1 from the golden test. */
	build_batch_rev(f->op, "53.71", 10, 4, 1, NULL, 2, &b);
	/* One flipped bit in the batch bytes. */
	b.bytes[b.len / 2] ^= 0x01;
	ack = gt_test_push(s, &b);
	assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED);
	assert_int_equal(ack->push_ack->refuse_code, GT_EBADSIG);
	gt_wire_envelope_free(ack);
	b.bytes[b.len / 2] ^= 0x01;

	/* Signed by another registered key. */
	forged = b;
	assert_int_equal(gt_key_sign(f->op2, b.bytes, b.len, forged.sig), 0);
	ack = gt_test_push(s, &forged);
	assert_int_equal(ack->push_ack->refuse_code, GT_EBADSIG);
	gt_wire_envelope_free(ack);

	/* Untouched, it is accepted and updates the four values. */
	ack = gt_test_push(s, &b);
	assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_OK);
	assert_int_equal(ack->push_ack->counts->updated, 4);
	gt_wire_envelope_free(ack);
	gt_session_close(s);
	free(b.bytes);
}

static void outside_own_org_refused(void **state)
{
	struct fx *f = *state;
	struct gt_session *s = open_session(f, f->op, NULL);
	struct gt_test_signed b;
	gt_envelope *ack;

	assert_non_null(s);
	/* An operator of 53.71 writing 53.72's data. */
	build_batch(f->op, "53.71", 20, 4, 1, "53.72", &b);
	ack = gt_test_push(s, &b);
	assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED);
	assert_int_equal(ack->push_ack->refuse_code, GT_EPERM);
	assert_non_null(strstr(ack->push_ack->message, "own org unit"));
	gt_wire_envelope_free(ack);
	free(b.bytes);

	/* Claiming another org in the batch header. */
	build_batch(f->op, "53.72", 21, 4, 1, NULL, &b);
	ack = gt_test_push(s, &b);
	assert_int_equal(ack->push_ack->refuse_code, GT_EPERM);
	gt_wire_envelope_free(ack);
	free(b.bytes);
	gt_session_close(s);
	assert_true(gt_testserver_log_count(&f->ts, "outcome=refused") >= 2);
}

static void unknown_and_revoked_keys(void **state)
{
	struct fx *f = *state;
	struct gt_key *stranger = NULL, *revoked;
	struct gt_session_err err;
	char id[GT_KEY_ID_LEN + 1];

	assert_int_equal(gt_key_generate(&stranger), 0);
	gt_key_id(stranger, id);
	assert_null(open_session(f, stranger, &err));
	assert_int_equal(err.code, GT_EKEY);
	assert_string_equal(err.key_id, id);
	assert_non_null(strstr(err.message, "not registered"));

	revoked = gt_testserver_key(&f->ts, "36.01", "operator");
	struct gt_session *s = open_session(f, revoked, NULL);
	assert_non_null(s);
	gt_session_close(s);
	gt_key_id(revoked, id);
	const char *args[] = {"key", "revoke", id, NULL};
	assert_int_equal(gt_testserver_admin(&f->ts, args), 0);
	assert_null(open_session(f, revoked, &err));
	assert_int_equal(err.code, GT_EKEY);
	assert_non_null(strstr(err.message, "revoked"));
	gt_key_free(stranger);
	gt_key_free(revoked);
}

/* ---- Misbehaving peers, over raw sockets and raw OpenSSL ---- */

static int tcp_connect(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct timeval tv = {.tv_sec = 10};

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static SSL *tls_connect(SSL_CTX **ctx, int fd)
{
	SSL *ssl;
	*ctx = SSL_CTX_new(TLS_client_method());
	assert_non_null(*ctx);
	SSL_CTX_set_verify(*ctx, SSL_VERIFY_NONE, NULL);
	ssl = SSL_new(*ctx);
	SSL_set_fd(ssl, fd);
	assert_int_equal(SSL_connect(ssl), 1);
	return ssl;
}

/* Reads until the server closes; returns the bytes read (bounded by the socket timeout). */
static size_t read_until_close(SSL *ssl)
{
	uint8_t buf[4096];
	size_t total = 0;
	for (int i = 0; i < 1000; i++) {
		int n = SSL_read(ssl, buf, sizeof(buf));
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	return total;
}

static void oversize_frame_refused(void **state)
{
	struct fx *f = *state;
	SSL_CTX *ctx;
	int fd = tcp_connect(f->ts.port);
	SSL *ssl = tls_connect(&ctx, fd);
	/* A header declaring 100 MB, over the 1 MiB limit: refused before any allocation. */
	uint8_t hdr[4] = {0x05, 0xf5, 0xe1, 0x00};

	assert_int_equal(SSL_write(ssl, hdr, 4), 4);
	/* The server answers with an Error frame, then closes. */
	assert_true(read_until_close(ssl) > 4);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	assert_true(gt_testserver_log_count(&f->ts, "frame larger than the limit") >= 1);
	assert_true(gt_testserver_alive(&f->ts));
}

static void garbage_truncation_and_abandoned_handshakes(void **state)
{
	struct fx *f = *state;
	SSL_CTX *ctx;
	uint8_t junk[512];
	int fd;

	/* Plain-text garbage instead of TLS. */
	fd = tcp_connect(f->ts.port);
	assert_int_equal(write(fd, "GET / HTTP/1.0\r\n\r\n", 18), 18);
	close(fd);
	/* Random bytes after TLS. */
	fd = tcp_connect(f->ts.port);
	SSL *ssl = tls_connect(&ctx, fd);
	gt_crypto_random(junk, sizeof(junk));
	junk[0] = 0; /* a small declared length, so the garbage is decoded as an envelope */
	junk[1] = 0;
	junk[2] = 1;
	junk[3] = 0;
	SSL_write(ssl, junk, sizeof(junk));
	read_until_close(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	/* A truncated frame, then close. */
	fd = tcp_connect(f->ts.port);
	ssl = tls_connect(&ctx, fd);
	uint8_t part[6] = {0, 0, 0, 100, 1, 2};
	SSL_write(ssl, part, sizeof(part));
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	/* A TLS handshake abandoned half way: connect and say nothing; the server cuts it. */
	fd = tcp_connect(f->ts.port);
	char c;
	/* Bounded by SO_RCVTIMEO (10 s); the handshake timeout is 3 s. */
	assert_int_equal(read(fd, &c, 1), 0);
	close(fd);

	assert_true(gt_testserver_alive(&f->ts));
	/* Well-behaved clients are still served. */
	struct gt_session *s = open_session(f, f->op2, NULL);
	assert_non_null(s);
	gt_session_close(s);
	assert_true(gt_testserver_log_count(&f->ts, "handshake did not finish in time") >= 1);
}

static void slow_sender_cut_at_deadline(void **state)
{
	struct fx *f = *state;
	SSL_CTX *ctx;
	int fd = tcp_connect(f->ts.port);
	SSL *ssl = tls_connect(&ctx, fd);
	uint8_t hdr[4] = {0, 0, 0, 200};
	int sent = 0;

	/* One byte a second: the 2 s frame deadline cuts it within a few bytes. */
	assert_int_equal(SSL_write(ssl, hdr, 4), 4);
	for (int i = 0; i < 10; i++) {
		uint8_t b = 0;
		sleep(1);
		if (SSL_write(ssl, &b, 1) != 1)
			break;
		sent++;
	}
	read_until_close(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	assert_true(gt_testserver_log_count(&f->ts, "did not arrive in full") >= 1);
	assert_true(sent < 10);
}

/* Runs openssl s_client against the server with a protocol flag; returns its exit status and
 * whether it printed the negotiated TLS 1.3 protocol. */
static int s_client(struct fx *f, const char *flag, int *got13)
{
	char cmd[512], line[512];
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd),
	         "openssl s_client -connect 127.0.0.1:%d %s -brief </dev/null 2>&1", f->ts.port,
	         flag);
	p = popen(cmd, "r");
	assert_non_null(p);
	*got13 = 0;
	while (fgets(line, sizeof(line), p) != NULL)
		if (strstr(line, "Protocol version: TLSv1.3") != NULL)
			*got13 = 1;
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void only_tls13_offered(void **state)
{
	struct fx *f = *state;
	int got13;

	/* The real openssl client: TLS 1.3 connects (the control), TLS 1.2 is refused. */
	s_client(f, "-tls1_3", &got13);
	assert_true(got13);
	assert_int_not_equal(s_client(f, "-tls1_2", &got13), 0);
	assert_false(got13);
	assert_true(gt_testserver_alive(&f->ts));
}

/* The leaf entry the server proves for the batch of this hash (ProofRequest by hash). */
static void proven_entry(struct gt_session *s, const uint8_t hash[32], uint8_t *out, size_t *len)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
	Gtsync__V1__ProofRequest rq = GTSYNC__V1__PROOF_REQUEST__INIT;
	ProtobufCBinaryData h = {32, (uint8_t *)hash};
	struct gt_session_err err;

	rq.batch_hashes = &h;
	rq.n_batch_hashes = 1;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PROOF_REQUEST;
	env.proof_request = &rq;
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_PROOF_REPLY);
	assert_int_equal(reply->proof_reply->n_inclusions, 1);
	*len = reply->proof_reply->inclusions[0]->leaf_entry.len;
	assert_true(*len <= GT_LOGLEAF_BATCH_MAX);
	memcpy(out, reply->proof_reply->inclusions[0]->leaf_entry.data, *len);
	gt_wire_envelope_free(reply);
}

static gt_envelope *pull_once(struct gt_session *s, const char *org, const char *dataset,
                              int with_batches)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
	Gtsync__V1__PullRequest pr = GTSYNC__V1__PULL_REQUEST__INIT;
	struct gt_session_err err;

	pr.org_unit = (char *)org;
	pr.dataset = (char *)dataset;
	pr.include_batches = with_batches;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PULL;
	env.pull = &pr;
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	return reply;
}

static void pull_carries_signed_batches(void **state)
{
	struct fx *f = *state;
	struct gt_session *s;
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__CompleteRegistration cr = GTSYNC__V1__COMPLETE_REGISTRATION__INIT, *crp = &cr;
	struct gt_test_signed sb;

	/* A completion registration from the district, so pulls carry one. */
	s = open_session(f, f->op, NULL);
	cr.dataset = "KK";
	cr.period = "202401";
	cr.org_unit = "53.71";
	cr.completed = 1;
	b.completions = &crp;
	b.n_completions = 1;
	gt_test_sign_batch(f->op, "53.71", 30, &b, &sb);
	gt_envelope *ack = gt_test_push(s, &sb);
	assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_OK);
	gt_wire_envelope_free(ack);
	free(sb.bytes);
	gt_session_close(s);

	s = open_session(f, f->aggr, NULL);
	gt_envelope *r = pull_once(s, "53", "KK", 1);
	assert_int_equal(r->body_case, GTSYNC__V1__ENVELOPE__BODY_PULL_CHUNK);
	const Gtsync__V1__PullChunk *c = r->pull_chunk;
	assert_true(c->n_values > 0);
	assert_true(c->n_batches > 0);
	assert_int_equal(c->n_completions, 1);
	assert_string_equal(c->completions[0]->registration->org_unit, "53.71");
	/* issue 14: each returned batch says when the server received it, and its bytes,
	 * signature and that time give exactly the leaf entry the server proves (kind 3). */
	for (size_t k = 0; k < c->n_batches; k++) {
		const Gtsync__V1__SignedBatch *sbk = c->batches[k];
		uint8_t hash[32], want[GT_LOGLEAF_BATCH_MAX], got[GT_LOGLEAF_BATCH_MAX];
		size_t want_len = 0, got_len = 0;

		assert_true(sbk->received_at_ms > 1700000000000LL);
		gt_crypto_sha256(sbk->batch.data, sbk->batch.len, hash);
		assert_int_equal(gt_logleaf_batch(hash, &sbk->received_at_ms, sbk->signature.data,
		                                  sbk->signature.len, want, &want_len),
		                 0);
		proven_entry(s, hash, got, &got_len);
		assert_int_equal(got_len, want_len);
		assert_memory_equal(got, want, want_len);
	}
	/* Every value came from a returned batch whose signature verifies and that holds it. */
	for (size_t i = 0; i < c->n_values; i++) {
		int found = 0;
		for (size_t k = 0; k < c->n_batches && !found; k++) {
			const Gtsync__V1__SignedBatch *sbk = c->batches[k];
			uint8_t hash[32];
			gt_crypto_sha256(sbk->batch.data, sbk->batch.len, hash);
			if (memcmp(hash, c->values[i]->origin_batch.data, 32) != 0)
				continue;
			assert_int_equal(gt_key_verify(sbk->public_key.data, sbk->batch.data,
			                               sbk->batch.len, sbk->signature.data),
			                 0);
			gt_batch *dec = NULL;
			assert_int_equal(
			    gt_wire_batch_decode(sbk->batch.data, sbk->batch.len, NULL, &dec), 0);
			for (size_t v = 0; v < dec->n_values && !found; v++)
				found = strcmp(dec->values[v]->period,
				               c->values[i]->value->period) == 0 &&
				        strcmp(dec->values[v]->value, c->values[i]->value->value) ==
				            0 &&
				        strcmp(dec->values[v]->category_option_combo,
				               c->values[i]->value->category_option_combo) == 0;
			gt_wire_batch_free(dec);
		}
		assert_true(found);
	}
	gt_wire_envelope_free(r);
	/* The data-set filter: no KK values in a pull of LY. */
	r = pull_once(s, "53", "LY", 0);
	assert_int_equal(r->pull_chunk->n_values, 0);
	gt_wire_envelope_free(r);
	/* An unknown data set is an error, not an empty answer. */
	r = pull_once(s, "53", "NOPE", 0);
	assert_int_equal(r->body_case, GTSYNC__V1__ENVELOPE__BODY_ERROR);
	assert_int_equal(r->error->code, GT_ENOENT);
	gt_wire_envelope_free(r);
	/* Outside the key's scope: refused. */
	r = pull_once(s, "36", NULL, 0);
	assert_int_equal(r->body_case, GTSYNC__V1__ENVELOPE__BODY_ERROR);
	assert_int_equal(r->error->code, GT_EPERM);
	gt_wire_envelope_free(r);
	gt_session_close(s);
}

/* ---- Many clients at once ---- */

#define CLIENTS      100
#define BATCHES_EACH 3

struct client_arg {
	struct fx *f;
	struct gt_key *k;
	char org[8];
	int ok;
};

static void *client_main(void *p)
{
	struct client_arg *a = p;
	struct gt_session *s = NULL;

	/* Like a real client, retry a connection that failed (bounded: 5 tries). */
	for (int t = 0; t < 5 && s == NULL; t++)
		s = gt_testserver_session(&a->f->ts, a->k, NULL);
	if (s == NULL)
		return NULL;
	for (int i = 0; i < BATCHES_EACH; i++) {
		struct gt_test_signed b;
		build_batch(a->k, a->org, (uint64_t)i + 1, 4, 1, NULL, &b);
		gt_envelope *reply = gt_test_push(s, &b);
		if (reply->push_ack->status == GTSYNC__V1__PUSH_STATUS__PUSH_OK ||
		    reply->push_ack->status == GTSYNC__V1__PUSH_STATUS__PUSH_WARNING)
			a->ok++;
		gt_wire_envelope_free(reply);
		free(b.bytes);
	}
	gt_session_close(s);
	return NULL;
}

static void hundred_concurrent_clients(void **state)
{
	struct fx *f = *state;
	struct client_arg args[CLIENTS];
	pthread_t th[CLIENTS];
	int ok = 0;

	/* Each client its own key, all operators of 36.71; a key per client. */
	for (int i = 0; i < CLIENTS; i++) {
		args[i].f = f;
		args[i].k = gt_testserver_key(&f->ts, "36.71", "operator");
		strcpy(args[i].org, "36.71");
		args[i].ok = 0;
	}
	for (int i = 0; i < CLIENTS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, client_main, &args[i]), 0);
	for (int i = 0; i < CLIENTS; i++) {
		pthread_join(th[i], NULL);
		ok += args[i].ok;
		gt_key_free(args[i].k);
	}
	assert_int_equal(ok, CLIENTS * BATCHES_EACH);
	/* Every batch is in the log: count them through the store. */
	struct gt_store *st;
	uint64_t n = 0;
	char db[GT_PATH_MAX];
	snprintf(db, sizeof(db), "%s/gtsync.db", f->ts.data);
	assert_int_equal(gt_store_open_readonly(db, &st), 0);
	assert_int_equal(gt_store_log_count(st, &n), 0);
	gt_store_close(st);
	assert_true(n >= CLIENTS * BATCHES_EACH);
}

/* ---- Rebuild from the log, and a clean stop ---- */

struct dump {
	char *text;
	size_t len;
};

static void dump_values(const char *db, struct dump *d)
{
	struct gt_store *st;
	struct gt_store_pull_out out;
	uint64_t cursor = 0;
	FILE *m = open_memstream(&d->text, &d->len);

	assert_int_equal(gt_store_open_readonly(db, &st), 0);
	for (int guard = 0; guard < 10000; guard++) {
		memset(&out, 0, sizeof(out));
		assert_int_equal(gt_store_pull(st, "ID", cursor, 1000, NULL, &out), 0);
		for (size_t i = 0; i < out.n_values; i++) {
			const struct gt_store_value *v = &out.values[i];
			fprintf(m, "%s|%s|%s|%s|%s|%llu|%d\n", v->data_element, v->coc, v->org_unit,
			        v->period, v->value, (unsigned long long)v->revision, v->deleted);
		}
		cursor = out.next_cursor;
		int more = out.more;
		gt_store_pull_free(&out);
		if (!more)
			break;
	}
	gt_store_close(st);
	fclose(m);
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The dump's lines in sorted order (change order differs after a rebuild). */
static char *sorted(char *text)
{
	char *lines[20000];
	size_t n = 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l && n < 20000; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(*lines), cmp_lines);
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	for (size_t i = 0; i < n; i++)
		fprintf(m, "%s\n", lines[i]);
	fclose(m);
	return out;
}

static void rebuild_reproduces_tables(void **state)
{
	struct fx *f = *state;
	struct dump before = {0}, after = {0};
	char db[GT_PATH_MAX];

	snprintf(db, sizeof(db), "%s/gtsync.db", f->ts.data);
	/* SIGTERM: stop accepting, finish commits, exit 0. */
	assert_int_equal(gt_testserver_stop(&f->ts), 0);
	assert_true(gt_testserver_log_count(&f->ts, "stopped") >= 1);
	dump_values(db, &before);
	assert_true(before.len > 0);
	const char *args[] = {"rebuild", NULL};
	assert_int_equal(gt_testserver_admin(&f->ts, args), 0);
	dump_values(db, &after);
	char *a = sorted(before.text), *b = sorted(after.text);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(before.text);
	free(after.text);
	gt_testserver_start(&f->ts, NULL);
}

/* A batch the rules at its arrival applied, which today's rules refuse in part (here a comment
 * holding a phone number, with its stored outcome saying it applied everything, as it did
 * before free text was screened): rebuild re-applies today's rules and says which batch lost
 * what, instead of dropping it silently. */
static void rebuild_reports_what_todays_rules_refuse(void **state)
{
	struct fx *f = *state;
	struct gt_session *s = gt_testserver_session(&f->ts, f->op2, NULL);
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue v[2], *vp[2] = {&v[0], &v[1]};
	struct gt_test_signed sb;
	gt_envelope *ack;
	char path[GT_PATH_MAX];
	size_t len = 0;

	assert_non_null(s);
	for (int i = 0; i < 2; i++) {
		gtsync__v1__data_value__init(&v[i]);
		v[i].data_element = "KK_LP";
		v[i].org_unit = "53.72";
		v[i].period = i == 0 ? "202405" : "202406";
		v[i].value = "2";
		v[i].revision = 1;
	}
	v[1].comment = "pelapor dapat dihubungi di 0812-3456-7890";
	b.values = vp;
	b.n_values = 2;
	gt_test_sign_batch(f->op2, "53.72", 9000, &b, &sb);
	ack = gt_test_push(s, &sb);
	assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_WARNING);
	assert_int_equal(ack->push_ack->counts->ignored, 1);
	gt_wire_envelope_free(ack);
	free(sb.bytes);
	gt_session_close(s);

	/* The outcome kept says: 2 values imported, none skipped (format 2, the 12 counts, no
	 * conflict groups, no runs: 15 little-endian words). */
	gt_testserver_tamper(&f->ts,
	                     "UPDATE batch_log SET outcome = X'0200000002000000' || zeroblob(52) "
	                     "WHERE log_index = (SELECT MAX(log_index) FROM batch_log)",
	                     NULL);
	assert_int_equal(gt_testserver_stop(&f->ts), 0);
	const char *args[] = {"rebuild", NULL};
	assert_int_equal(gt_testserver_admin(&f->ts, args), 0);
	snprintf(path, sizeof(path), "%s/admin.log", f->ts.dir);
	char *log = (char *)gt_test_read_file(path, &len);
	assert_non_null(log);
	assert_non_null(strstr(log, "the current rules skip 1 item(s) it had applied"));
	assert_non_null(strstr(log, "phone"));
	assert_non_null(strstr(log, "1 batches lost items that today's rules refuse"));
	free(log);
	gt_testserver_start(&f->ts, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(golden_duplicate_and_conflict),
	    cmocka_unit_test(tampered_and_foreign_signatures),
	    cmocka_unit_test(outside_own_org_refused),
	    cmocka_unit_test(unknown_and_revoked_keys),
	    cmocka_unit_test(oversize_frame_refused),
	    cmocka_unit_test(garbage_truncation_and_abandoned_handshakes),
	    cmocka_unit_test(slow_sender_cut_at_deadline),
	    cmocka_unit_test(only_tls13_offered),
	    cmocka_unit_test(pull_carries_signed_batches),
	    cmocka_unit_test(hundred_concurrent_clients),
	    cmocka_unit_test(rebuild_reproduces_tables),
	    cmocka_unit_test(rebuild_reports_what_todays_rules_refuse),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
