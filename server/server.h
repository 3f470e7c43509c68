/* The server context: configuration, listener, connections, writer, read pool, shutdown. */
#ifndef GT_SERVER_H
#define GT_SERVER_H

#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "authz.h"
#include "key.h"
#include "log.h"
#include "orgunit.h"
#include "peer.h"

struct gt_writer;
struct gt_readpool;
struct gt_control;
struct gt_snapshot;
struct gt_watch;

/* Configuration of a running server; every limit is configurable and has a default. */
struct gt_server_config {
	const char *data_dir;
	const char *listen; /* "IP:PORT"; default GT_DEFAULT_LISTEN */
	uint32_t max_frame; /* bytes */
	uint32_t max_values_per_batch;
	uint32_t max_conns; /* global */
	uint32_t max_conns_per_key;
	uint32_t max_conns_per_addr;   /* from one IP address, in any state */
	uint32_t max_handshakes;       /* not yet authenticated, in total */
	uint32_t handshake_timeout_ms; /* TLS + authentication */
	uint32_t idle_timeout_ms;      /* no request, nothing in flight */
	uint32_t frame_deadline_ms;    /* a started frame must arrive in full */
	uint32_t max_inflight;         /* requests per connection awaiting a reply */
	uint32_t max_waiting_mib;      /* received pushes not yet admitted, all connections */
	uint32_t pull_max_items;       /* per chunk */
	uint32_t readers;              /* read-only store handles */
	uint32_t read_log_days;        /* days reads are kept in the read log; 0: forever */
	int read_log_off;              /* benchmarks only: record no read (its cost, issue 14) */
	FILE *log_out;                 /* default stderr */
	enum gt_log_level log_level;
};

/* Plain literals, so that `run --help` shows them (GT_CLI_STR); timeouts in seconds. */
#define GT_SERVER_DEFAULT_MAX_CONNS          2048
#define GT_SERVER_DEFAULT_MAX_CONNS_PER_KEY  8
#define GT_SERVER_DEFAULT_MAX_CONNS_PER_ADDR 256
#define GT_SERVER_DEFAULT_MAX_HANDSHAKES     512
#define GT_SERVER_DEFAULT_HANDSHAKE_S        10
#define GT_SERVER_DEFAULT_IDLE_S             120
#define GT_SERVER_DEFAULT_FRAME_DEADLINE_S   30
#define GT_SERVER_DEFAULT_MAX_INFLIGHT       32
#define GT_SERVER_DEFAULT_MAX_WAITING_MIB    64
#define GT_SERVER_DEFAULT_READ_LOG_DAYS      730
#define GT_SERVER_MAX_READ_LOG_DAYS          36500
#define GT_SERVER_DEFAULT_HANDSHAKE_MS       (GT_SERVER_DEFAULT_HANDSHAKE_S * 1000u)
#define GT_SERVER_DEFAULT_IDLE_MS            (GT_SERVER_DEFAULT_IDLE_S * 1000u)
#define GT_SERVER_DEFAULT_FRAME_DEADLINE_MS  (GT_SERVER_DEFAULT_FRAME_DEADLINE_S * 1000u)
#define GT_SERVER_DEFAULT_PULL_ITEMS         5000u
#define GT_SERVER_DEFAULT_READERS            4u
/* The most the integrity check at start may take; a larger store is checked in part and the
 * log says to run `verify`. */
#define GT_SERVER_QUICK_CHECK_MS 10000u
/* Connections over the global limit that still get TLS and an explicit refusal; past this
 * many, further ones are closed without a word. */
#define GT_SERVER_MAX_REFUSING 64u

/* Fills cfg with the defaults (data_dir stays NULL). */
void gt_server_config_defaults(struct gt_server_config *cfg);

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
	struct gt__readlog *readlog; /* reads waiting for the writer (readlog.h) */
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

/* Opens the server for data_dir on loop: TLS context, signing key, store, writer, readers,
 * metadata snapshot. Does not listen yet. Caller frees with gt_server_free() after the loop
 * has finished. cfg is copied; strings in it are borrowed for the server's life. */
int gt_server_open(uv_loop_t *loop, const struct gt_server_config *cfg, struct gt_server **out);

/* Binds and listens; installs SIGINT/SIGTERM handlers that call gt_server_stop(). Writes the
 * bound address (useful with port 0) into srv->listen_addr. */
int gt_server_start(struct gt_server *srv);

/* Stops accepting, lets requests in flight finish (commits complete and their acks are sent),
 * then closes every connection and the server's handles, so the loop ends. Idempotent. */
void gt_server_stop(struct gt_server *srv);

/* Frees the server after the loop has ended; accepts NULL. */
void gt_server_free(struct gt_server *srv);

/* Runs a server to completion on a fresh loop (the `run` command). */
int gt_server_run(const struct gt_server_config *cfg);

/* ---- Internal to the server library (conn.c, ingest.c, query.c) ---- */

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
