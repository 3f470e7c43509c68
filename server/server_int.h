/* The server's private structs and cross-file functions: connections and the server context. */
#ifndef GT_SERVER_INT_H
#define GT_SERVER_INT_H

#include <stdint.h>
#include <uv.h>

#include "authz.h"
#include "key.h"
#include "log.h"
#include "orgunit.h"
#include "peer.h"
#include "server.h"
#include "wire.h"

struct gt_writer;
struct gt_readpool;
struct gt_control;
struct gt_snapshot;
struct gt_watch;

enum gt_conn_state {
	GT_CONN_TLS = 0,  /* TLS handshake under way */
	GT_CONN_HELLO,    /* waiting for Hello */
	GT_CONN_PROOF,    /* challenge sent, waiting for AuthProof */
	GT_CONN_CHECKING, /* proof being checked off the loop */
	GT_CONN_READY,    /* authenticated */
	GT_CONN_CLOSING,
};

/* One client connection; lives until its peer is closed and no work refers to it. */
struct gt_conn {
	struct gt_server *srv;
	struct gt_conn *prev, *next;
	struct gt_peer peer;
	uv_timer_t timer; /* the earliest of the handshake, frame and idle deadlines */
	enum gt_conn_state state;
	int refs;       /* the peer, the timer, and each work item in flight */
	int partial;    /* a frame has started and not arrived in full */
	int doomed;     /* a fatal error is being sent; close when written */
	int over_limit; /* accepted over the global limit only to be told so */
	int unauth;     /* counted in the server's connections not yet authenticated */
	int held;       /* not read while the server's received pushes are over their bound */
	uint64_t hs_deadline, frame_deadline, idle_deadline; /* loop ms; 0: none */
	uint32_t inflight;
	uint8_t nonce[GT_NONCE_LEN];
	char addr[64];
	char ip[64]; /* addr without the port: the per-address limit's key */
	char key_id[GT_KEY_ID_LEN + 1];
	char hello_key[GT_KEY_ID_LEN + 1]; /* the key Hello named; the proof must be by it */
	char org_unit[GT_ORGUNIT_MAX_LEN];
	unsigned roles; /* roleset.h */
	uint8_t pub[GT_ED25519_PUB_LEN];
	uint64_t batches, values;
};

struct gt_server {
	uv_loop_t *loop;
	struct gt_server_config cfg;
	struct gt_log log;
	uv_tcp_t listener;
	uv_signal_t sigint, sigterm;
	struct gt_tls_ctx *tls;
	struct gt_key *signing_key;
	uint8_t signing_pub[GT_ED25519_PUB_LEN];
	char db_path[GT_PATH_MAX];
	struct gt_writer *writer;
	struct gt_readpool *readers;
	struct gt_snapshot *snap;
	struct gt_conn *conns;
	uint32_t nconns;    /* connections within the limit */
	uint32_t nheld;     /* connections with held reads (struct gt_conn.held) */
	uint32_t nrefusing; /* over-limit connections being told to come back later */
	uint32_t nunauth;   /* connections not yet authenticated (the handshake budget) */
	int stopping;
	int handles_open; /* listener, signals: closed on stop */
	char listen_addr[64];
	struct gt_control *control; /* the status socket (control.c); NULL if none */
	struct gt_watch *watch;     /* applies admin changes live (watch.c); NULL when stopped */
	uint64_t admin_seq;         /* the store's admin change counter when opened */
	int store_corrupt;          /* the writer reported corruption (logged once) */
};

/* Takes and drops a reference on a connection; the last drop frees it. */
void gt__conn_ref(struct gt_conn *c);
void gt__conn_unref(struct gt_conn *c);

/* Sends a reply envelope on c if it is still open; borrowed. */
void gt__conn_reply(struct gt_conn *c, gt_envelope *env);

/* Sends an Error reply for request rid; then closes c if fatal. */
void gt__conn_error(struct gt_conn *c, uint64_t rid, int code, const char *msg, int fatal);

/* Marks one request of c done (in-flight count), re-arming the idle deadline. */
void gt__conn_request_done(struct gt_conn *c);

/* Answers the request env with an error (code, why: NULL for the code's own words), ends it
 * and frees env: a request handler's way to refuse before any work is queued. */
void gt__conn_refuse(struct gt_conn *c, gt_envelope *env, int code, const char *why);

/* The global bound on received, not yet admitted pushes (issue 17): after c's push joined the
 * admission queue, stops reading c while the queue weighs more than --max-waiting-mib; after a
 * release, reads again on every held connection once the queue is down to half of it. */
void gt__conn_hold_if_full(struct gt_conn *c);
void gt__server_resume_held(struct gt_server *srv);

/* Closes every connection (shutdown). */
void gt__conn_close_all(struct gt_server *srv);

/* The listener's connection callback. */
void gt__conn_on_connection(uv_stream_t *listener, int status);

/* Whether the server finished draining and may close everything (called by the writer). */
void gt__server_maybe_finish(struct gt_server *srv);

#endif
