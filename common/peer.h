/* A peer: envelopes in length-prefixed frames over one TLS connection, for server and client. */
#ifndef GT_PEER_H
#define GT_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "tls.h"
#include "wire.h"

struct gt_peer;

/* Callbacks of a peer. Every one may call gt_peer_close(). After gt_peer_close() none fires
 * except on_closed. */
struct gt_peer_cbs {
	/* TLS is up. Optional. */
	void (*on_open)(struct gt_peer *p);
	/* One envelope arrived; the callee owns env and frees it with gt_wire_envelope_free().
	 * Required. */
	void (*on_envelope)(struct gt_peer *p, gt_envelope *env);
	/* After each piece of plaintext: whether a frame has started but not arrived in full
	 * (for a deadline on slow senders). Optional. */
	void (*on_partial)(struct gt_peer *p, int pending);
	/* The connection failed or the peer sent something that is not a frame or envelope:
	 * err is a GT_E* code, why a sentence (borrowed for the call). The owner should close.
	 * Fires at most once. Required. */
	void (*on_error)(struct gt_peer *p, int err, const char *why);
	/* The connection is closed and released; the owner may free what embeds the peer.
	 * Fires exactly once after gt_peer_close(). Required. */
	void (*on_closed)(struct gt_peer *p);
};

/* A peer lives inside its owner's struct; its fields are private to peer.c. */
struct gt_peer {
	struct gt_tls_conn *tls;
	struct gt_frame_decoder dec;
	struct gt_peer_cbs cbs;
	void *arg;
	size_t max_frame;     /* largest envelope sent or received, fixed at creation */
	size_t in_max_fields; /* fields an incoming envelope may hold; 0: not counted */
	size_t in_push_above; /* a frame larger than this must hold a push; 0: no such rule */
	int in_checked;       /* the frame under way passed that rule */
	int failed;           /* an error was reported: no more input is processed */
	int tls_failed;       /* the transport failed: nothing can be sent */
	int closing;
};

/* Accepts a pending connection on listener as a server-side peer, with frames of at most
 * max_frame bytes (0: default). p is the caller's storage, borrowed until on_closed. On error
 * no callback fires and p need not be closed. */
int gt_peer_accept(struct gt_peer *p, struct gt_tls_ctx *ctx, uv_stream_t *listener,
                   size_t max_frame, const struct gt_peer_cbs *cbs, void *arg);

/* Connects a client-side peer to addr; errors (refused, certificate) come via on_error. p as
 * for gt_peer_accept(). */
int gt_peer_connect(struct gt_peer *p, uv_loop_t *loop, struct gt_tls_ctx *ctx,
                    const struct sockaddr *addr, size_t max_frame, const struct gt_peer_cbs *cbs,
                    void *arg);

/* Packs env (borrowed) into one frame and queues it. cb (optional) fires once the bytes are
 * handed to the kernel or the connection is closed first (see gt_tls_write_cb). Returns
 * GT_ETOOBIG for an envelope over the frame limit, GT_ESTATE when closed; cb then never
 * fires. */
int gt_peer_send(struct gt_peer *p, const gt_envelope *env, gt_tls_write_cb cb, void *cb_arg);

/* Sends an Error envelope (code, message, optional key id) with request id rid; cb as for
 * gt_peer_send(). Returns as gt_peer_send(). */
int gt_peer_send_error(struct gt_peer *p, uint64_t rid, int code, const char *message,
                       const char *key_id, gt_tls_write_cb cb, void *cb_arg);

/* Limits what p accepts from now on: frames of at most max_frame bytes (0: the limit given at
 * creation), whose envelope holds at most max_fields fields (0: not counted; see
 * gt_wire_envelope_shape()). A frame already under way keeps the frame limit it was checked
 * against. A frame over either limit fails the peer with GT_ETOOBIG before it is decoded.
 * Returns GT_EINVAL (changing nothing) if max_frame exceeds the creation limit. */
int gt_peer_set_in_limits(struct gt_peer *p, size_t max_frame, size_t max_fields);

/* From now on a frame of more than n bytes (0: no such rule) must be a PushRequest: its first
 * bytes are checked as they arrive (gt_wire_envelope_is_push()) and anything else fails the
 * peer with GT_ETOOBIG before the rest is received. */
void gt_peer_set_push_only_above(struct gt_peer *p, size_t n);

/* Derives the channel-binding value for the auth handshake (GT_EXPORTER_LEN bytes). */
int gt_peer_exporter(const struct gt_peer *p, uint8_t out[GT_EXPORTER_LEN]);

/* Returns the bytes queued for sending and not yet handed to the kernel. */
size_t gt_peer_queued(const struct gt_peer *p);

/* Stops or resumes reading (backpressure). */
void gt_peer_read_stop(struct gt_peer *p);
void gt_peer_read_start(struct gt_peer *p);

/* Returns the TLS layer's explanation of the last failure, or "" (borrowed). */
const char *gt_peer_tls_error(const struct gt_peer *p);

/* Returns the peer's address as "ip:port" in buf. */
void gt_peer_addr(const struct gt_peer *p, char *buf, size_t len);

/* Starts closing; on_closed follows. A second call is ignored. */
void gt_peer_close(struct gt_peer *p);

/* Returns the owner's arg given at creation. */
void *gt_peer_arg(const struct gt_peer *p);

#endif
