/* Client connections: TLS, handshake, deadlines, and the dispatch of requests to handlers. */
#ifndef GT_CONN_H
#define GT_CONN_H

#include <stdint.h>
#include <uv.h>

#include "key.h"
#include "peer.h"
#include "reply.h"
#include "server_int.h"

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
	struct gt__reply rep; /* who is authenticated, and the request handlers' way back */
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
	char ip[64];                       /* addr without the port: the per-address limit's key */
	char hello_key[GT_KEY_ID_LEN + 1]; /* the key Hello named; the proof must be by it */
};

/* Sends an Error reply for request rid; then closes c if fatal. */
void gt__conn_error(struct gt_conn *c, uint64_t rid, int code, const char *msg, int fatal);

/* Closes every connection (shutdown). */
void gt__conn_close_all(struct gt_server *srv);

/* The listener's connection callback. */
void gt__conn_on_connection(uv_stream_t *listener, int status);

#endif
