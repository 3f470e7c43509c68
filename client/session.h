/* A client's authenticated session with the server: connect, prove the key, request, reply. */
#ifndef GT_SESSION_H
#define GT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"
#include "wire.h"

/* Seconds to connect and to wait for each reply unless told otherwise. */
#define GT_SESSION_DEFAULT_TIMEOUT_S 30

struct gt_session;

/* What the server said when it refused the session, for a person to read. */
struct gt_session_err {
	int code;          /* GT_E* */
	char message[512]; /* a sentence */
	char key_id[32];   /* for GT_EKEY: the key id to give the administrator */
};

/* Options of gt_session_open(); zero fields take defaults. */
struct gt_session_opts {
	const char *server;  /* "HOST:PORT"; HOST a literal IPv4/IPv6 address or "localhost" */
	const char *ca_path; /* pinned server certificate (PEM) */
	const struct gt_key *key;
	uint32_t timeout_ms; /* connect + handshake, and each wait for a reply (default 30 s) */
	uint32_t max_frame;  /* default GT_DEFAULT_MAX_FRAME */
	const char *hello_key_id; /* test hook: the key id Hello names (NULL: key's own) */
};

/* Connects, completes TLS (the server certificate must match the pinned CA) and authenticates
 * with opts->key. On success *out is the session (caller frees with gt_session_close()) and
 * *result (optional, caller frees with gt_wire_envelope_free()) the server's AuthResult
 * envelope. On failure *out is NULL and err says why: GT_ECONNREFUSED/GT_ENET/GT_ETIMEDOUT
 * (unreachable), GT_ETLS (certificate does not match the pin), GT_EKEY (key not registered or
 * revoked; err->key_id set), GT_EPROTO. Borrowed: opts and what it points to. */
int gt_session_open(const struct gt_session_opts *opts, struct gt_session **out,
                    gt_envelope **result, struct gt_session_err *err);

/* Copies the server's signing key (the raw Ed25519 key its AuthChallenge named, behind the
 * pinned TLS certificate) into out; GT_ENOENT when the challenge named none. */
int gt_session_server_key(const struct gt_session *s, uint8_t out[GT_ED25519_PUB_LEN]);

/* The request id the server's AuthChallenge carried (0, as the protocol says). */
uint64_t gt_session_challenge_rid(const struct gt_session *s);

/* Sends env (borrowed) with a fresh request id, returned in *rid. Does not wait. */
int gt_session_send(struct gt_session *s, gt_envelope *env, uint64_t *rid);

/* Waits up to the session timeout for the next envelope from the server; caller frees *out.
 * Returns GT_ETIMEDOUT, GT_ECLOSED (err says why if the server sent an Error first). */
int gt_session_recv(struct gt_session *s, gt_envelope **out, struct gt_session_err *err);

/* Sends env and waits for the reply with the same request id (other envelopes that arrive
 * first are dropped); caller frees *reply. An Error reply is returned as GT_EPROTO-free
 * envelope: check its body. */
int gt_session_call(struct gt_session *s, gt_envelope *env, gt_envelope **reply,
                    struct gt_session_err *err);

/* Runs the connection until everything sent so far is handed to the kernel, or it fails, or
 * the session timeout passes (GT_ETIMEDOUT). */
int gt_session_flush(struct gt_session *s);

/* Returns the authenticated key's id (borrowed). */
const char *gt_session_key_id(const struct gt_session *s);

/* Closes the connection and frees the session; accepts NULL. */
void gt_session_close(struct gt_session *s);

#endif
