/* One client connection: deadlines, the key handshake, and dispatch of authenticated requests. */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "clock.h"
#include "conn.h"
#include "container.h"
#include "crypto.h"
#include "error.h"
#include "i18n.h"
#include "ingest.h"
#include "keyenrol.h"
#include "logq.h"
#include "protonames.h"
#include "query.h"
#include "readpool.h"
#include "roleset.h"
#include "store.h"
#include "treeq.h"
#include "writer.h"

#include <time.h>

/* Stop reading a peer's requests while this much of our output waits for it to read. */
#define CONN_BACKLOG_HIGH (8u * 1024u * 1024u)

static void conn_close(struct gt_conn *c);
static void conn_arm(struct gt_conn *c);

static void conn_ref(struct gt_conn *c)
{
	c->refs++;
}

static void conn_unref(struct gt_conn *c)
{
	struct gt_server *srv = c->srv;

	if (--c->refs > 0)
		return;
	free(c);
	gt__server_maybe_finish(srv);
}

static uint64_t now_ms(const struct gt_conn *c)
{
	return uv_now(c->srv->loop);
}

static void log_conn(struct gt_conn *c, enum gt_log_level lvl, const char *event, const char *why)
{
	gt_log_event(&c->srv->log, lvl, event, "peer=%s key=%s org=%s reason=%s", c->addr,
	             c->rep.key_id[0] ? c->rep.key_id : "-",
	             c->rep.org_unit[0] ? c->rep.org_unit : "-", why ? why : "-");
}

static void on_reply_written(struct gt_tls_conn *tc, int status, void *arg)
{
	struct gt_conn *c = arg;
	(void)tc;
	(void)status;
	if (c->state != GT_CONN_CLOSING && !c->doomed && !c->held &&
	    gt_peer_queued(&c->peer) < CONN_BACKLOG_HIGH / 2)
		gt_peer_read_start(&c->peer);
	conn_unref(c);
}

static void conn_reply(struct gt_conn *c, gt_envelope *env)
{
	int rc;

	if (c->state == GT_CONN_CLOSING || c->doomed)
		return;
	conn_ref(c);
	rc = gt_peer_send(&c->peer, env, on_reply_written, c);
	if (rc != GT_OK) {
		conn_unref(c);
		if (rc == GT_ETOOBIG)
			gt__conn_error(c, env->request_id, GT_ETOOBIG,
			               N_("the reply is larger than the frame limit"), 0);
		return;
	}
	if (gt_peer_queued(&c->peer) >= CONN_BACKLOG_HIGH)
		gt_peer_read_stop(&c->peer);
}

/* Bounds how long a doomed connection waits for its error frame to be written. */
#define CONN_DOOM_GRACE_MS 2000u

static void on_fatal_written(struct gt_tls_conn *tc, int status, void *arg)
{
	struct gt_conn *c = arg;
	(void)tc;
	(void)status;
	conn_close(c);
	conn_unref(c);
}

void gt__conn_error(struct gt_conn *c, uint64_t rid, int code, const char *msg, int fatal)
{
	const char *key_id = code == GT_EKEY ? c->rep.key_id : NULL;

	if (c->state == GT_CONN_CLOSING || c->doomed)
		return;
	if (!fatal) {
		(void)gt_peer_send_error(&c->peer, rid, code, msg, key_id, NULL, NULL);
		return;
	}
	log_conn(c, GT_LOG_WARN, "conn_refused", msg ? msg : gt_strerror(code));
	c->doomed = 1;
	gt_peer_read_stop(&c->peer);
	conn_ref(c);
	if (gt_peer_send_error(&c->peer, rid, code, msg, key_id, on_fatal_written, c) != GT_OK) {
		conn_unref(c);
		conn_close(c);
		return;
	}
	/* A peer that does not read its error frame is closed after a grace period. */
	c->hs_deadline = now_ms(c) + CONN_DOOM_GRACE_MS;
	c->frame_deadline = c->idle_deadline = 0;
	conn_arm(c);
}

/* The bound in bytes. */
static size_t waiting_bound(const struct gt_server *srv)
{
	return (size_t)srv->cfg.max_waiting_mib * 1024u * 1024u;
}

static void conn_hold_if_full(struct gt_conn *c)
{
	struct gt_server *srv = c->srv;

	if (c->held || c->state == GT_CONN_CLOSING ||
	    gt_writer_waiting_bytes(srv->writer) <= waiting_bound(srv))
		return;
	c->held = 1;
	if (srv->nheld++ == 0)
		gt_log_event(&srv->log, GT_LOG_INFO, "reads_held", "waiting_bytes=%zu bound=%zu",
		             gt_writer_waiting_bytes(srv->writer), waiting_bound(srv));
	gt_peer_read_stop(&c->peer);
}

static void server_resume_held(struct gt_server *srv)
{
	struct gt_conn *c;

	if (srv->nheld == 0 || gt_writer_waiting_bytes(srv->writer) > waiting_bound(srv) / 2)
		return;
	gt_log_event(&srv->log, GT_LOG_INFO, "reads_resumed", "connections=%u waiting_bytes=%zu",
	             srv->nheld, gt_writer_waiting_bytes(srv->writer));
	for (c = srv->conns; c != NULL && srv->nheld > 0; c = c->next) {
		if (!c->held)
			continue;
		c->held = 0;
		srv->nheld--;
		if (c->partial) {
			/* The frame's sender gets its full time again from now. */
			c->frame_deadline = now_ms(c) + srv->cfg.frame_deadline_ms;
			conn_arm(c);
		}
		if (!c->doomed && gt_peer_queued(&c->peer) < CONN_BACKLOG_HIGH / 2)
			gt_peer_read_start(&c->peer);
	}
}

static void conn_request_done(struct gt_conn *c)
{
	if (c->inflight > 0)
		c->inflight--;
	if (c->inflight == 0 && c->state == GT_CONN_READY) {
		c->idle_deadline = now_ms(c) + c->srv->cfg.idle_timeout_ms;
		conn_arm(c);
	}
	gt__server_maybe_finish(c->srv);
}

/* ---- The reply interface the request handlers answer through (reply.h) ---- */

static struct gt_conn *conn_of(struct gt__reply *r)
{
	return GT_CONTAINER_OF(r, struct gt_conn, rep);
}

static void rep_ref(struct gt__reply *r)
{
	conn_ref(conn_of(r));
}

static void rep_unref(struct gt__reply *r)
{
	conn_unref(conn_of(r));
}

static void rep_send(struct gt__reply *r, gt_envelope *env)
{
	conn_reply(conn_of(r), env);
}

static void rep_fail(struct gt__reply *r, uint64_t rid, int code, const char *msg, int fatal)
{
	gt__conn_error(conn_of(r), rid, code, msg, fatal);
}

static void rep_done(struct gt__reply *r)
{
	conn_request_done(conn_of(r));
}

static void rep_admitted(struct gt__reply *r)
{
	conn_hold_if_full(conn_of(r));
}

static void rep_released(struct gt__reply *r)
{
	server_resume_held(r->srv);
}

static const struct gt__reply_ops conn_reply_ops = {
    .ref = rep_ref,
    .unref = rep_unref,
    .send = rep_send,
    .error = rep_fail,
    .done = rep_done,
    .admitted = rep_admitted,
    .released = rep_released,
};

/* ---- Deadlines ---- */

static void on_timer(uv_timer_t *t)
{
	struct gt_conn *c = t->data;
	uint64_t now = now_ms(c);

	if (c->state == GT_CONN_CLOSING)
		return;
	if (c->doomed) {
		if (c->hs_deadline && now >= c->hs_deadline)
			conn_close(c);
		else
			conn_arm(c);
		return;
	}
	if (c->hs_deadline && now >= c->hs_deadline) {
		gt__conn_error(c, 0, GT_ETIMEDOUT, N_("the handshake did not finish in time"), 1);
		return;
	}
	if (c->frame_deadline && !c->held && now >= c->frame_deadline) {
		gt__conn_error(c, 0, GT_ETIMEDOUT,
		               N_("a frame did not arrive in full before the deadline"), 1);
		return;
	}
	if (c->idle_deadline && now >= c->idle_deadline && c->inflight == 0) {
		gt__conn_error(c, 0, GT_ETIMEDOUT, N_("the connection was idle too long"), 1);
		return;
	}
	conn_arm(c);
}

static void conn_arm(struct gt_conn *c)
{
	uint64_t next = 0;
	/* A held connection's frame is late through the server's doing: no deadline then. */
	uint64_t d[3] = {c->hs_deadline, c->held ? 0 : c->frame_deadline,
	                 c->inflight == 0 ? c->idle_deadline : 0};
	uint64_t now = now_ms(c);

	if (c->state == GT_CONN_CLOSING)
		return;
	for (int i = 0; i < 3; i++)
		if (d[i] && (next == 0 || d[i] < next))
			next = d[i];
	if (next == 0) {
		uv_timer_stop(&c->timer);
		return;
	}
	uv_timer_start(&c->timer, on_timer, next > now ? next - now : 0, 0);
}

/* ---- Closing ---- */

static void on_timer_closed(uv_handle_t *h)
{
	conn_unref(h->data);
}

static void unlink_conn(struct gt_conn *c)
{
	struct gt_server *srv = c->srv;

	if (c->prev)
		c->prev->next = c->next;
	else if (srv->conns == c)
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	if (c->unauth) {
		c->unauth = 0;
		srv->nunauth--;
	}
	if (c->over_limit)
		srv->nrefusing--;
	else
		srv->nconns--;
}

static void conn_close(struct gt_conn *c)
{
	if (c->state == GT_CONN_CLOSING)
		return;
	c->state = GT_CONN_CLOSING;
	unlink_conn(c);
	if (c->held) {
		c->held = 0;
		c->srv->nheld--;
	}
	gt_log_event(&c->srv->log, GT_LOG_INFO, "conn_close",
	             "peer=%s key=%s batches=%llu values=%llu", c->addr,
	             c->rep.key_id[0] ? c->rep.key_id : "-", (unsigned long long)c->rep.batches,
	             (unsigned long long)c->rep.values);
	uv_timer_stop(&c->timer);
	uv_close((uv_handle_t *)&c->timer, on_timer_closed);
	gt_peer_close(&c->peer);
}

/* Closes every connection (shutdown). */
void gt__conn_close_all(struct gt_server *srv)
{
	while (srv->conns != NULL)
		conn_close(srv->conns);
}

/* ---- Authentication ---- */

struct auth_work {
	uv_work_t req;
	struct gt_conn *c;
	uint64_t rid;
	uint8_t pub[GT_ED25519_PUB_LEN];
	uint8_t sig[GT_ED25519_SIG_LEN];
	uint8_t exporter[GT_EXPORTER_LEN];
	uint8_t nonce[GT_NONCE_LEN];
	struct gt_readpool *readers;
	int rc;
	const char *why;
	struct gt_store_key key;
	uint64_t last_seq;
};

static void auth_work_cb(uv_work_t *req)
{
	struct auth_work *w = req->data;
	struct gt_store *st = NULL;
	char key_id[GT_KEY_ID_LEN + 1];

	w->rc = gt_auth_verify(w->pub, w->nonce, w->exporter, w->sig);
	if (w->rc != GT_OK) {
		w->why = N_("the key's proof does not verify");
		return;
	}
	if ((w->rc = gt_key_id_from_public(w->pub, key_id)) != GT_OK)
		return;
	if ((w->rc = gt_readpool_get(w->readers, &st)) != GT_OK) {
		w->why = N_("the store cannot be read");
		return;
	}
	w->rc = gt_store_key_get(st, key_id, &w->key);
	if (w->rc == GT_ENOENT) {
		w->rc = GT_EKEY;
		w->why =
		    N_("this key is not registered; give its key id to the central administrator");
	} else if (w->rc == GT_OK && w->key.revoked) {
		w->rc = GT_EKEY;
		w->why =
		    N_("this key has been revoked; ask the central administrator for a new one");
	} else if (w->rc == GT_OK && !gt_crypto_equal(w->key.public_key, w->pub, sizeof(w->pub))) {
		w->rc = GT_EKEY;
		w->why = N_("this key does not match the registered key");
	} else if (w->rc == GT_OK) {
		w->rc = gt_store_key_last_sequence(st, key_id, &w->last_seq);
	}
	gt_readpool_put(w->readers, st);
}

static uint32_t count_key_conns(struct gt_server *srv, const char *key_id)
{
	uint32_t n = 0;
	for (struct gt_conn *o = srv->conns; o != NULL; o = o->next)
		if (o->state == GT_CONN_READY && strcmp(o->rep.key_id, key_id) == 0)
			n++;
	return n;
}

static void auth_after_cb(uv_work_t *req, int status)
{
	struct auth_work *w = req->data;
	struct gt_conn *c = w->c;
	struct gt_server *srv = c->srv;

	if (c->state != GT_CONN_CHECKING)
		goto out;
	gt_key_id_from_public(w->pub, c->rep.key_id);
	if (status == 0 && w->rc == GT_OK && strcmp(c->hello_key, c->rep.key_id) != 0) {
		w->rc = GT_EKEY;
		w->why = N_("the key proved is not the key named in Hello");
	}
	if (status != 0 || w->rc != GT_OK) {
		int code = status != 0 ? GT_ECANCELED : w->rc;
		gt__conn_error(c, w->rid, code == GT_EBADSIG ? GT_EKEY : code,
		               w->why ? w->why : gt_strerror(code), 1);
		goto out;
	}
	if (count_key_conns(srv, c->rep.key_id) >= srv->cfg.max_conns_per_key) {
		gt__conn_error(c, w->rid, GT_ELIMIT, N_("too many connections for this key"), 1);
		goto out;
	}
	/* Authenticated: requests up to the full frame limit, each still bounded in shape. */
	if (gt_peer_set_in_limits(&c->peer, 0, GT_MAX_REQUEST_FIELDS) != GT_OK) {
		gt__conn_error(c, w->rid, GT_EINVAL, NULL, 1);
		goto out;
	}
	gt_peer_set_push_only_above(&c->peer, GT_MAX_REQUEST_FRAME);
	if (c->unauth) {
		c->unauth = 0;
		srv->nunauth--;
	}
	memcpy(c->rep.pub, w->pub, sizeof(c->rep.pub));
	snprintf(c->rep.org_unit, sizeof(c->rep.org_unit), "%s", w->key.org_unit);
	c->rep.roles = w->key.roles;
	c->state = GT_CONN_READY;
	c->hs_deadline = 0;
	c->idle_deadline = now_ms(c) + srv->cfg.idle_timeout_ms;
	conn_arm(c);

	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__AuthResult res = GTSYNC__V1__AUTH_RESULT__INIT;
	Gtsync__V1__Role roles[GT_ROLESET_COUNT];
	char rtext[GT_ROLESET_TEXT_MAX];
	res.key_id = c->rep.key_id;
	res.org_unit = c->rep.org_unit;
	res.role = (Gtsync__V1__Role)gt_roleset_first(c->rep.roles);
	res.n_roles = gt_roleset_list(c->rep.roles, roles);
	res.roles = roles;
	res.last_sequence = w->last_seq;
	res.max_frame_bytes = srv->cfg.max_frame;
	res.max_values_per_batch = srv->cfg.max_values_per_batch;
	res.max_in_flight = srv->cfg.max_inflight;
	res.server_time_ms = gt_clock_wall_ms();
	res.metadata_version = gt__query_metadata_version(srv);
	env.request_id = w->rid;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_AUTH_RESULT;
	env.auth_result = &res;
	conn_reply(c, &env);
	log_conn(c, GT_LOG_INFO, "auth_ok", gt_roleset_format(c->rep.roles, rtext, sizeof(rtext)));
out:
	gt_crypto_wipe(w, sizeof(*w));
	free(w);
	conn_unref(c);
}

static void on_hello(struct gt_conn *c, gt_envelope *env)
{
	Gtsync__V1__Envelope out = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__AuthChallenge ch = GTSYNC__V1__AUTH_CHALLENGE__INIT;

	if (env->hello->protocol_version != GTSYNC__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_1) {
		gt__conn_error(c, env->request_id, GT_ENOTSUP,
		               N_("this server speaks protocol version 1; update the client"), 1);
		return;
	}
	if (gt_crypto_random(c->nonce, sizeof(c->nonce)) != GT_OK) {
		gt__conn_error(c, env->request_id, GT_ECRYPTO, NULL, 1);
		return;
	}
	snprintf(c->hello_key, sizeof(c->hello_key), "%s", env->hello->key_id);
	ch.protocol_version = GTSYNC__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_1;
	ch.nonce.data = c->nonce;
	ch.nonce.len = sizeof(c->nonce);
	ch.server_name = "gtsync";
	ch.server_public_key.data = c->srv->signing_pub;
	ch.server_public_key.len = sizeof(c->srv->signing_pub);
	out.request_id = 0; /* server-initiated (proto/gtsync.proto) */
	out.body_case = GTSYNC__V1__ENVELOPE__BODY_AUTH_CHALLENGE;
	out.auth_challenge = &ch;
	c->state = GT_CONN_PROOF;
	conn_reply(c, &out);
}

static void on_proof(struct gt_conn *c, gt_envelope *env)
{
	const Gtsync__V1__AuthProof *p = env->auth_proof;
	struct auth_work *w;

	if (p->public_key.len != GT_ED25519_PUB_LEN || p->signature.len != GT_ED25519_SIG_LEN) {
		gt__conn_error(c, env->request_id, GT_EPROTO, N_("malformed key proof"), 1);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		gt__conn_error(c, env->request_id, GT_ENOMEM, NULL, 1);
		return;
	}
	w->req.data = w;
	w->c = c;
	w->rid = env->request_id;
	w->readers = c->srv->readers;
	memcpy(w->pub, p->public_key.data, sizeof(w->pub));
	memcpy(w->sig, p->signature.data, sizeof(w->sig));
	memcpy(w->nonce, c->nonce, sizeof(w->nonce));
	if (gt_peer_exporter(&c->peer, w->exporter) != GT_OK) {
		free(w);
		gt__conn_error(c, env->request_id, GT_ETLS, N_("no channel binding available"), 1);
		return;
	}
	/* A nonce answers one proof only. */
	gt_crypto_wipe(c->nonce, sizeof(c->nonce));
	c->state = GT_CONN_CHECKING;
	conn_ref(c);
	if (uv_queue_work(c->srv->loop, &w->req, auth_work_cb, auth_after_cb) != 0) {
		free(w);
		conn_unref(c);
		gt__conn_error(c, env->request_id, GT_EBUSY, NULL, 1);
	}
}

/* ---- Requests ---- */

static void on_request(struct gt_conn *c, gt_envelope *env)
{
	struct gt_server *srv = c->srv;

	if (env->body_case == GTSYNC__V1__ENVELOPE__BODY_PING) {
		Gtsync__V1__Envelope out = GTSYNC__V1__ENVELOPE__INIT;
		Gtsync__V1__Pong pong = GTSYNC__V1__PONG__INIT;
		pong.sent_at_ms = env->ping->sent_at_ms;
		out.request_id = env->request_id;
		out.body_case = GTSYNC__V1__ENVELOPE__BODY_PONG;
		out.pong = &pong;
		conn_reply(c, &out);
		gt_wire_envelope_free(env);
		return;
	}
	if (srv->stopping) {
		gt__conn_error(c, env->request_id, GT_EBUSY,
		               N_("the server is shutting down; try again shortly"), 0);
		gt_wire_envelope_free(env);
		return;
	}
	if (c->inflight >= srv->cfg.max_inflight) {
		gt__conn_error(c, env->request_id, GT_ELIMIT,
		               N_("too many requests in flight on this connection"), 0);
		gt_wire_envelope_free(env);
		return;
	}
	c->inflight++;
	c->idle_deadline = 0;
	conn_arm(c);
	switch (env->body_case) {
	case GTSYNC__V1__ENVELOPE__BODY_PUSH:
		gt__ingest_push(&c->rep, env);
		return;
	case GTSYNC__V1__ENVELOPE__BODY_PULL:
	case GTSYNC__V1__ENVELOPE__BODY_METADATA_REQUEST:
	case GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST:
	case GTSYNC__V1__ENVELOPE__BODY_EXPORT_REQUEST:
		gt__query_submit(&c->rep, env);
		return;
	case GTSYNC__V1__ENVELOPE__BODY_ENROL_REQUEST:
		gt__enrol_submit(&c->rep, env);
		return;
	case GTSYNC__V1__ENVELOPE__BODY_TREE_HEAD_REQUEST:
	case GTSYNC__V1__ENVELOPE__BODY_PROOF_REQUEST:
		gt__treeq_submit(&c->rep, env);
		return;
	case GTSYNC__V1__ENVELOPE__BODY_LOG_ENTRIES_REQUEST:
		gt__logq_submit(&c->rep, env);
		return;
	default:
		conn_request_done(c);
		gt__conn_error(c, env->request_id, GT_EPROTO, N_("unexpected message"), 1);
		gt_wire_envelope_free(env);
		return;
	}
}

/* ---- Peer callbacks ---- */

static void on_envelope(struct gt_peer *p, gt_envelope *env)
{
	struct gt_conn *c = gt_peer_arg(p);
	Gtsync__V1__Envelope__BodyCase bc = env->body_case;

	if (c->doomed) {
		gt_wire_envelope_free(env);
		return;
	}
	switch (c->state) {
	case GT_CONN_HELLO:
		if (bc == GTSYNC__V1__ENVELOPE__BODY_HELLO)
			on_hello(c, env);
		else
			gt__conn_error(c, env->request_id, GT_EPROTO, N_("expected Hello first"),
			               1);
		break;
	case GT_CONN_PROOF:
		if (bc == GTSYNC__V1__ENVELOPE__BODY_AUTH_PROOF)
			on_proof(c, env);
		else
			gt__conn_error(c, env->request_id, GT_EPROTO, N_("expected the key proof"),
			               1);
		break;
	case GT_CONN_READY:
		on_request(c, env);
		return; /* on_request owns env */
	case GT_CONN_CHECKING:
		gt__conn_error(c, env->request_id, GT_EPROTO,
		               N_("request sent before authentication finished"), 1);
		break;
	default:
		break;
	}
	gt_wire_envelope_free(env);
}

static void on_open(struct gt_peer *p)
{
	struct gt_conn *c = gt_peer_arg(p);
	if (c->state != GT_CONN_TLS)
		return;
	c->state = GT_CONN_HELLO;
	if (c->over_limit)
		gt__conn_error(
		    c, 0, GT_ELIMIT,
		    N_("the server has too many connections; your data stays queued, try "
		       "again in a minute"),
		    1);
}

static void on_partial(struct gt_peer *p, int pending)
{
	struct gt_conn *c = gt_peer_arg(p);

	if (pending && !c->partial) {
		c->partial = 1;
		c->frame_deadline = now_ms(c) + c->srv->cfg.frame_deadline_ms;
		conn_arm(c);
	} else if (!pending && c->partial) {
		c->partial = 0;
		c->frame_deadline = 0;
		conn_arm(c);
	}
}

static void on_error(struct gt_peer *p, int err, const char *why)
{
	struct gt_conn *c = gt_peer_arg(p);

	if (err == GT_ETOOBIG || err == GT_EPROTO) {
		/* Tell the peer what was wrong before closing. */
		gt__conn_error(c, 0, err, why, 1);
		return;
	}
	if (err != GT_ECLOSED)
		log_conn(c, GT_LOG_WARN, "conn_error", why);
	conn_close(c);
}

static void on_closed(struct gt_peer *p)
{
	struct gt_conn *c = gt_peer_arg(p);
	conn_unref(c);
}

static const struct gt_peer_cbs conn_cbs = {
    .on_open = on_open,
    .on_envelope = on_envelope,
    .on_partial = on_partial,
    .on_error = on_error,
    .on_closed = on_closed,
};

static void on_rejected_closed(uv_handle_t *h)
{
	free(h);
}

/* Accepts and immediately closes a connection over the global limit. */
static void reject_conn(struct gt_server *srv)
{
	uv_tcp_t *t = malloc(sizeof(*t));

	if (t == NULL || uv_tcp_init(srv->loop, t) != 0) {
		free(t);
		return;
	}
	if (uv_accept((uv_stream_t *)&srv->listener, (uv_stream_t *)t) == 0)
		gt_log_event(&srv->log, GT_LOG_WARN, "conn_rejected", "reason=%s conns=%u",
		             "too many connections", srv->nconns);
	uv_close((uv_handle_t *)t, on_rejected_closed);
}

/* Copies addr ("IP:PORT" or "[IP]:PORT") without its port into ip. */
static void addr_ip(const char *addr, char *ip, size_t len)
{
	const char *colon = strrchr(addr, ':');
	size_t n = colon != NULL ? (size_t)(colon - addr) : strlen(addr);

	if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') {
		addr++;
		n -= 2;
	}
	snprintf(ip, len, "%.*s", (int)n, addr);
}

static uint32_t count_addr_conns(struct gt_server *srv, const char *ip)
{
	uint32_t n = 0;
	for (struct gt_conn *o = srv->conns; o != NULL; o = o->next)
		if (strcmp(o->ip, ip) == 0)
			n++;
	return n;
}

/* The listener's connection callback. */
void gt__conn_on_connection(uv_stream_t *listener, int status)
{
	struct gt_server *srv = listener->data;
	struct gt_conn *c;
	int rc;

	if (status != 0) {
		gt_log_event(&srv->log, GT_LOG_WARN, "accept_error", "reason=%s",
		             gt_strerror(gt_err_from_uv(status)));
		return;
	}
	int over = srv->nconns >= srv->cfg.max_conns;
	if (srv->stopping || (over && srv->nrefusing >= GT_SERVER_MAX_REFUSING)) {
		reject_conn(srv);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		reject_conn(srv);
		return;
	}
	c->srv = srv;
	c->rep.ops = &conn_reply_ops;
	c->rep.srv = srv;
	rc = gt_peer_accept(&c->peer, srv->tls, listener, srv->cfg.max_frame, &conn_cbs, c);
	if (rc != GT_OK) {
		gt_log_event(&srv->log, GT_LOG_WARN, "accept_error", "reason=%s", gt_strerror(rc));
		free(c);
		return;
	}
	c->over_limit = over;
	c->refs = 2; /* the peer and the timer */
	uv_timer_init(srv->loop, &c->timer);
	c->timer.data = c;
	gt_peer_addr(&c->peer, c->addr, sizeof(c->addr));
	addr_ip(c->addr, c->ip, sizeof(c->ip));
	/* Until the key is proved, only handshake-sized frames of a handshake's shape. */
	(void)gt_peer_set_in_limits(&c->peer, GT_PREAUTH_MAX_FRAME, GT_PREAUTH_MAX_FIELDS);
	const char *refuse = NULL;
	if (srv->nunauth >= srv->cfg.max_handshakes)
		refuse = N_("too many connections still in the handshake");
	else if (count_addr_conns(srv, c->ip) >= srv->cfg.max_conns_per_addr)
		refuse = N_("too many connections from this address");
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	if (over)
		srv->nrefusing++;
	else
		srv->nconns++;
	c->unauth = 1;
	srv->nunauth++;
	if (refuse != NULL) {
		/* Closed before TLS starts, so the refusal costs the server next to nothing. */
		gt_log_event(&srv->log, GT_LOG_WARN, "conn_rejected", "peer=%s reason=%s", c->addr,
		             refuse);
		conn_close(c);
		return;
	}
	c->hs_deadline = now_ms(c) + srv->cfg.handshake_timeout_ms;
	conn_arm(c);
}
