/* A client's authenticated session with the server: connect, prove the key, request, reply. */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "addr.h"
#include "auth.h"
#include "error.h"
#include "i18n.h"
#include "peer.h"
#include "servermsg.h"

/* Envelopes received but not yet taken by the caller. */
#define SESSION_MAX_QUEUED 4096u

struct queued {
	struct queued *next;
	gt_envelope *env;
};

struct gt_session {
	uv_loop_t loop;
	uv_timer_t timer;
	struct gt_tls_ctx *tls;
	struct gt_peer peer;
	const struct gt_key *key;
	uint32_t timeout_ms;
	uint64_t next_rid;
	char key_id[GT_KEY_ID_LEN + 1];
	const char *hello_key_id; /* test hook, borrowed from the opts */
	uint64_t challenge_rid;
	uint8_t server_key[GT_ED25519_PUB_LEN]; /* the server's signing key, from its challenge */
	int have_server_key;
	int peer_live; /* peer created and not yet closed */
	int opened;    /* TLS is up */
	int failed;    /* peer reported an error */
	int fail_code;
	char fail_why[256];
	int timed_out;
	struct queued *head, *tail;
	size_t nqueued;
};

static void set_err(struct gt_session_err *err, int code, const char *msg, const char *key_id)
{
	if (err == NULL)
		return;
	err->code = code;
	snprintf(err->message, sizeof(err->message), "%s", msg ? msg : gt_error_text(code));
	snprintf(err->key_id, sizeof(err->key_id), "%s", key_id ? key_id : "");
}

static void on_open(struct gt_peer *p)
{
	struct gt_session *s = gt_peer_arg(p);
	s->opened = 1;
}

static void on_envelope(struct gt_peer *p, gt_envelope *env)
{
	struct gt_session *s = gt_peer_arg(p);
	struct queued *q;

	if (s->nqueued >= SESSION_MAX_QUEUED || (q = malloc(sizeof(*q))) == NULL) {
		gt_wire_envelope_free(env);
		return;
	}
	q->next = NULL;
	q->env = env;
	if (s->tail)
		s->tail->next = q;
	else
		s->head = q;
	s->tail = q;
	s->nqueued++;
}

static void on_error(struct gt_peer *p, int err, const char *why)
{
	struct gt_session *s = gt_peer_arg(p);
	s->failed = 1;
	s->fail_code = err;
	snprintf(s->fail_why, sizeof(s->fail_why), "%s", why);
}

static void on_closed(struct gt_peer *p)
{
	struct gt_session *s = gt_peer_arg(p);
	s->peer_live = 0;
}

static const struct gt_peer_cbs session_cbs = {
    .on_open = on_open,
    .on_envelope = on_envelope,
    .on_error = on_error,
    .on_closed = on_closed,
};

static void on_timer(uv_timer_t *t)
{
	struct gt_session *s = t->data;
	s->timed_out = 1;
}

/* Runs the loop until cond(s) holds, the peer fails, or the timeout passes. */
static int run_until(struct gt_session *s, int (*cond)(struct gt_session *))
{
	s->timed_out = 0;
	uv_timer_start(&s->timer, on_timer, s->timeout_ms, 0);
	while (!cond(s) && !s->failed && !s->timed_out)
		uv_run(&s->loop, UV_RUN_ONCE);
	uv_timer_stop(&s->timer);
	if (cond(s))
		return GT_OK;
	return s->failed ? s->fail_code : GT_ETIMEDOUT;
}

static int cond_opened(struct gt_session *s)
{
	return s->opened;
}

static int cond_queued(struct gt_session *s)
{
	return s->head != NULL;
}

static int cond_flushed(struct gt_session *s)
{
	return gt_peer_queued(&s->peer) == 0;
}

int gt_session_flush(struct gt_session *s)
{
	return run_until(s, cond_flushed);
}

/* Takes q (after prev, NULL for the head) off the queue and returns its envelope. */
static gt_envelope *unqueue(struct gt_session *s, struct queued *prev, struct queued *q)
{
	gt_envelope *env = q->env;

	if (prev != NULL)
		prev->next = q->next;
	else
		s->head = q->next;
	if (s->tail == q)
		s->tail = prev;
	s->nqueued--;
	free(q);
	return env;
}

static gt_envelope *dequeue(struct gt_session *s)
{
	return s->head != NULL ? unqueue(s, NULL, s->head) : NULL;
}

/* Fills err from an Error envelope. */
static int error_from_envelope(const gt_envelope *env, struct gt_session_err *err)
{
	char sm[GT_SERVERMSG_MAX];
	const Gtsync__V1__Error *e = env->error;
	int code = e->code < 0 && e->code >= GT_ERR_MIN ? e->code : GT_EPROTO;
	set_err(err, code, gt_servermsg_error(code, e->message, sm), e->key_id);
	return code;
}

int gt_session_recv(struct gt_session *s, gt_envelope **out, struct gt_session_err *err)
{
	int rc;

	*out = NULL;
	rc = run_until(s, cond_queued);
	if (rc == GT_OK) {
		*out = dequeue(s);
		return GT_OK;
	}
	if (rc == GT_ETIMEDOUT)
		set_err(err, rc, _("the server did not answer in time"), NULL);
	else
		set_err(err, rc, s->fail_why, NULL);
	return rc;
}

int gt_session_send(struct gt_session *s, gt_envelope *env, uint64_t *rid)
{
	int rc;

	if (s->failed)
		return s->fail_code;
	env->request_id = ++s->next_rid;
	rc = gt_peer_send(&s->peer, env, NULL, NULL);
	if (rc == GT_OK && rid != NULL)
		*rid = env->request_id;
	return rc;
}

/* Takes the first received Error not answering a request (the server's reason for closing
 * the connection) off the queue, or NULL. */
static gt_envelope *take_closing_error(struct gt_session *s)
{
	struct queued *prev = NULL, *q;

	for (q = s->head; q != NULL; prev = q, q = q->next)
		if (q->env->request_id == 0 &&
		    q->env->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR)
			return unqueue(s, prev, q);
	return NULL;
}

int gt_session_call(struct gt_session *s, gt_envelope *env, gt_envelope **reply,
                    struct gt_session_err *err)
{
	uint64_t rid = 0;
	int rc;

	*reply = NULL;
	rc = gt_session_send(s, env, &rid);
	if (rc != GT_OK) {
		/* A connection the server closed with a reason answers with that reason. */
		if ((*reply = take_closing_error(s)) != NULL)
			return GT_OK;
		set_err(err, rc, NULL, NULL);
		return rc;
	}
	for (;;) {
		gt_envelope *r;
		rc = gt_session_recv(s, &r, err);
		if (rc != GT_OK)
			return rc;
		if (r->request_id == rid ||
		    (r->request_id == 0 && r->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR)) {
			*reply = r;
			return GT_OK;
		}
		gt_wire_envelope_free(r);
	}
}

/* Waits for the next envelope, turning an Error or an unexpected body into a failure. */
static int expect(struct gt_session *s, Gtsync__V1__Envelope__BodyCase want, gt_envelope **out,
                  struct gt_session_err *err)
{
	gt_envelope *env;
	int rc = gt_session_recv(s, &env, err);

	*out = NULL;
	if (rc != GT_OK)
		return rc;
	if (env->body_case == want) {
		*out = env;
		return GT_OK;
	}
	if (env->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR)
		rc = error_from_envelope(env, err);
	else {
		rc = GT_EPROTO;
		set_err(err, rc, _("the server answered out of turn"), NULL);
	}
	gt_wire_envelope_free(env);
	return rc;
}

static int authenticate(struct gt_session *s, gt_envelope **result, struct gt_session_err *err)
{
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__Hello hello = GTSYNC__V1__HELLO__INIT;
	Gtsync__V1__AuthProof proof = GTSYNC__V1__AUTH_PROOF__INIT;
	gt_envelope *challenge = NULL;
	uint8_t exporter[GT_EXPORTER_LEN], pub[GT_ED25519_PUB_LEN], sig[GT_ED25519_SIG_LEN];
	int rc;

	hello.protocol_version = GTSYNC__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_1;
	hello.software = "gtsync/0.1.0";
	hello.key_id = s->hello_key_id != NULL ? (char *)s->hello_key_id : s->key_id;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_HELLO;
	env.hello = &hello;
	if ((rc = gt_session_send(s, &env, NULL)) != GT_OK) {
		set_err(err, rc, NULL, NULL);
		goto out;
	}
	rc = expect(s, GTSYNC__V1__ENVELOPE__BODY_AUTH_CHALLENGE, &challenge, err);
	if (rc != GT_OK)
		goto out;
	s->challenge_rid = challenge->request_id;
	if (challenge->auth_challenge->server_public_key.len == GT_ED25519_PUB_LEN) {
		memcpy(s->server_key, challenge->auth_challenge->server_public_key.data,
		       GT_ED25519_PUB_LEN);
		s->have_server_key = 1;
	}
	if (challenge->auth_challenge->nonce.len != GT_NONCE_LEN) {
		rc = GT_EPROTO;
		set_err(err, rc, _("the server's challenge is malformed"), NULL);
		goto out;
	}
	if ((rc = gt_peer_exporter(&s->peer, exporter)) != GT_OK ||
	    (rc = gt_key_public(s->key, pub)) != GT_OK ||
	    (rc = gt_auth_sign(s->key, challenge->auth_challenge->nonce.data, exporter, sig)) !=
	        GT_OK) {
		set_err(err, rc, NULL, NULL);
		goto out;
	}
	proof.public_key.data = pub;
	proof.public_key.len = sizeof(pub);
	proof.signature.data = sig;
	proof.signature.len = sizeof(sig);
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_AUTH_PROOF;
	env.auth_proof = &proof;
	if ((rc = gt_session_send(s, &env, NULL)) != GT_OK) {
		set_err(err, rc, NULL, NULL);
		goto out;
	}
	rc = expect(s, GTSYNC__V1__ENVELOPE__BODY_AUTH_RESULT, result, err);
out:
	gt_wire_envelope_free(challenge);
	return rc;
}

int gt_session_open(const struct gt_session_opts *opts, struct gt_session **out,
                    gt_envelope **result, struct gt_session_err *err)
{
	struct gt_session *s;
	struct sockaddr_storage addr;
	gt_envelope *res = NULL;
	int rc;

	*out = NULL;
	if (result != NULL)
		*result = NULL;
	set_err(err, 0, "", NULL);
	if (gt_addr_parse(opts->server, &addr) != GT_OK) {
		set_err(err, GT_EINVAL, _("the server address is not HOST:PORT"), NULL);
		return GT_EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return GT_ENOMEM;
	s->key = opts->key;
	s->hello_key_id = opts->hello_key_id;
	s->timeout_ms = opts->timeout_ms ? opts->timeout_ms : GT_SESSION_DEFAULT_TIMEOUT_S * 1000u;
	if ((rc = gt_key_id(opts->key, s->key_id)) != GT_OK) {
		free(s);
		return rc;
	}
	if ((rc = gt_err_from_uv(uv_loop_init(&s->loop))) != GT_OK) {
		free(s);
		return rc;
	}
	uv_timer_init(&s->loop, &s->timer);
	s->timer.data = s;

	rc = gt_tls_client_ctx_new(opts->ca_path, NULL, &s->tls);
	if (rc != GT_OK) {
		set_err(err, rc, _("the pinned server certificate (--ca) cannot be read"), NULL);
		goto fail;
	}
	rc = gt_peer_connect(&s->peer, &s->loop, s->tls, (const struct sockaddr *)&addr,
	                     opts->max_frame, &session_cbs, s);
	if (rc != GT_OK) {
		set_err(err, rc, NULL, NULL);
		goto fail;
	}
	s->peer_live = 1;
	rc = run_until(s, cond_opened);
	if (rc != GT_OK) {
		if (rc == GT_ETIMEDOUT)
			set_err(err, rc, _("the server did not answer in time"), NULL);
		else if (rc == GT_ETLS)
			set_err(err, rc, s->fail_why, NULL);
		else
			set_err(err, rc, gt_error_text(rc), NULL);
		goto fail;
	}
	rc = authenticate(s, &res, err);
	s->hello_key_id = NULL; /* borrowed for the handshake only */
	if (rc != GT_OK) {
		if (rc == GT_EKEY && err != NULL && err->key_id[0] == '\0')
			snprintf(err->key_id, sizeof(err->key_id), "%s", s->key_id);
		goto fail;
	}
	if (result != NULL)
		*result = res;
	else
		gt_wire_envelope_free(res);
	*out = s;
	return GT_OK;
fail:
	gt_session_close(s);
	return rc;
}

int gt_session_server_key(const struct gt_session *s, uint8_t out[GT_ED25519_PUB_LEN])
{
	if (!s->have_server_key)
		return GT_ENOENT;
	memcpy(out, s->server_key, GT_ED25519_PUB_LEN);
	return GT_OK;
}

uint64_t gt_session_challenge_rid(const struct gt_session *s)
{
	return s->challenge_rid;
}

const char *gt_session_key_id(const struct gt_session *s)
{
	return s->key_id;
}

static void on_timer_closed(uv_handle_t *h)
{
	(void)h;
}

void gt_session_close(struct gt_session *s)
{
	gt_envelope *env;

	if (s == NULL)
		return;
	if (s->peer_live) {
		gt_peer_close(&s->peer);
		/* Bounded: the TLS layer closes the handle without waiting for the peer. */
		while (s->peer_live)
			uv_run(&s->loop, UV_RUN_ONCE);
	}
	uv_close((uv_handle_t *)&s->timer, on_timer_closed);
	uv_run(&s->loop, UV_RUN_DEFAULT);
	(void)uv_loop_close(&s->loop);
	while ((env = dequeue(s)) != NULL)
		gt_wire_envelope_free(env);
	gt_tls_ctx_free(s->tls);
	free(s);
}
