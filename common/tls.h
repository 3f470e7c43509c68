/* TLS 1.3 over libuv TCP streams (OpenSSL memory BIOs), pinned trust (certificates: tlscert.h). */
#ifndef GT_TLS_H
#define GT_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "gtlimits.h"

/*
 * The only module that includes OpenSSL's SSL headers. A context (struct gt_tls_ctx) holds the
 * configuration of one side: the server's certificate and key, or the client's pinned trust
 * anchor. A connection (struct gt_tls_conn) owns its TCP handle and its SSL object; it reads
 * with uv_read_start, feeds ciphertext to OpenSSL through a memory BIO and hands the ciphertext
 * OpenSSL produces to uv_write.
 *
 * Only TLS 1.3 is spoken; there are no session tickets, no resumption, no compression and no
 * renegotiation. The server does not ask for client certificates: clients prove who they are
 * inside the protocol, bound to the TLS session with gt_tls_conn_exporter().
 *
 * All functions run on the loop's thread. libuv writes with write(2), so the process must
 * ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) or a peer that resets the connection kills it.
 */

struct gt_tls_ctx;
struct gt_tls_conn;

/* Largest plaintext one gt_tls_conn_write() accepts: one frame at the ceiling with its
 * header, with room to spare. */
#define GT_TLS_MAX_WRITE (GT_MAX_FRAME_CEILING + 64u)
/* Largest plaintext piece one on_data callback delivers (one TLS record's worth). */
#define GT_TLS_READ_CHUNK 16384u
/* Longest exporter output gt_tls_conn_exporter() produces. */
#define GT_TLS_MAX_EXPORTER 1024u
/* Label and length of the channel-binding value the authentication handshake signs. */
#define GT_TLS_EXPORTER_LABEL "EXPORTER-gtsync-auth"

/* ---- Contexts ---- */

/* Creates a server context from a PEM certificate (chain) file and a PEM private key file,
 * checks that they belong together, and restricts it to TLS 1.3. Returns GT_ENOENT or
 * GT_EPERM if a file cannot be opened, GT_ECRYPTO/GT_ETLS if OpenSSL refuses the contents.
 * On success *out is set; caller frees with gt_tls_ctx_free(). *out is NULL on failure. */
int gt_tls_server_ctx_new(const char *cert_pem_path, const char *key_pem_path,
                          struct gt_tls_ctx **out);

/* Creates a client context that trusts only the certificates in ca_pem_path (the pin: for a
 * self-signed server this is the server certificate itself; several certificates may be
 * listed, e.g. during a rotation). The system trust store is never consulted. If
 * expected_name_or_NULL is not NULL, the server certificate must also name it: a DNS name is
 * matched against the DNS subjectAltNames, an IPv4/IPv6 literal against the IP ones. Returns
 * GT_ENOENT or GT_EPERM if the file cannot be opened, GT_ECRYPTO/GT_ETLS if it holds no usable
 * certificate, GT_EINVAL for an empty name. Caller frees *out with gt_tls_ctx_free(). */
int gt_tls_client_ctx_new(const char *ca_pem_path, const char *expected_name_or_NULL,
                          struct gt_tls_ctx **out);

/* Frees a context; accepts NULL. Connections made from it keep what they need, so a context
 * may be freed while its connections are still open. */
void gt_tls_ctx_free(struct gt_tls_ctx *ctx);

/* ---- Connections ---- */

/*
 * Callbacks a connection makes; arg (given at creation) is available via gt_tls_conn_arg().
 * Callbacks run from the loop, never from inside a gt_tls_* call. Every callback may call any
 * gt_tls_conn_* function on its own connection, including gt_tls_conn_close(). Once
 * gt_tls_conn_close() has been called, none of these fires again.
 */
struct gt_tls_conn_cbs {
	/* The handshake completed (on a client: the server certificate matched the pin and
	 * the expected name). Fires at most once. Optional (NULL). */
	void (*on_handshake)(struct gt_tls_conn *conn);
	/* Plaintext arrived: len (1..GT_TLS_READ_CHUNK) bytes, borrowed for the duration of the
	 * call. A long message arrives in several calls. Required. */
	void (*on_data)(struct gt_tls_conn *conn, const uint8_t *data, size_t len);
	/* The connection is over, in any phase (connect, handshake, data): err is GT_ETLS for a
	 * TLS failure (gt_tls_conn_error() says why), GT_ECLOSED when the peer closed (with or
	 * without close_notify), GT_ECONNREFUSED/GT_ENET/GT_ETIMEDOUT/... from the socket.
	 * Fires at most once; afterwards nothing is read and writes are refused; the owner must
	 * still call gt_tls_conn_close(). Required. */
	void (*on_error)(struct gt_tls_conn *conn, int err);
};

/* Write completion: status 0 means all ciphertext of that write has been handed to the
 * kernel (written to the socket), not that the peer received or read it; GT_ECANCELED means
 * the connection was closed first; other codes come from the socket. arg is the one given to
 * gt_tls_conn_write(). */
typedef void (*gt_tls_write_cb)(struct gt_tls_conn *conn, int status, void *arg);

/* Close completion: the TCP handle is closed and no other callback will fire. The connection
 * is freed by the library right after this returns; conn must not be used afterwards. arg is
 * the connection's arg (gt_tls_conn_arg()). */
typedef void (*gt_tls_close_cb)(struct gt_tls_conn *conn, void *arg);

/*
 * Accepts a pending connection from listener (call from its uv_connection_cb with status 0)
 * and starts the server handshake. cbs is copied; ctx must be a server context and is borrowed
 * only for the call. On success *out is set and the connection must eventually be closed with
 * gt_tls_conn_close() (the only way to release it). On failure *out is NULL, no callback fires,
 * and any resources are released asynchronously by the loop. If the connection object itself
 * cannot be made (out of memory), the pending connection stays in the listener and libuv
 * accepts nothing more until it is taken: the caller should retry later.
 */
int gt_tls_conn_accept(struct gt_tls_ctx *ctx, uv_stream_t *listener,
                       const struct gt_tls_conn_cbs *cbs, void *arg, struct gt_tls_conn **out);

/*
 * Connects to addr (IPv4 or IPv6) on loop and starts the client handshake once connected; a
 * failed connect is reported through on_error. ctx must be a client context and is borrowed
 * only for the call; cbs is copied; addr is borrowed for the call. Ownership as for
 * gt_tls_conn_accept().
 */
int gt_tls_conn_connect(uv_loop_t *loop, struct gt_tls_ctx *ctx, const struct sockaddr *addr,
                        const struct gt_tls_conn_cbs *cbs, void *arg, struct gt_tls_conn **out);

/* Returns the arg given at creation (borrowed). */
void *gt_tls_conn_arg(const struct gt_tls_conn *conn);

/* Replaces the arg given at creation. */
void gt_tls_conn_set_arg(struct gt_tls_conn *conn, void *arg);

/*
 * Encrypts data[0..len) (copied before returning; 1..GT_TLS_MAX_WRITE bytes) and queues the
 * ciphertext on the socket in order after earlier writes. cb (optional) fires exactly once
 * with the outcome (see gt_tls_write_cb), in the order of the writes, always before the close
 * callback. Returns GT_ESTATE before the handshake completed, after on_error fired or after
 * gt_tls_conn_close(); GT_EINVAL/GT_ETOOBIG for bad arguments. Any other error means the
 * connection failed: on_error follows from the loop (unless it is closed first). In every
 * error case cb never fires.
 */
int gt_tls_conn_write(struct gt_tls_conn *conn, const uint8_t *data, size_t len, gt_tls_write_cb cb,
                      void *arg);

/* Returns the number of ciphertext bytes queued but not yet handed to the kernel (libuv's write
 * queue plus anything still inside the connection). A server stops reading a peer's requests
 * while this is high, i.e. while the peer does not read its answers. */
size_t gt_tls_conn_write_queue_size(const struct gt_tls_conn *conn);

/* The bytes the connection's TLS input holds allocated (buffered ciphertext and room), for
 * tests: an empty input gives back a large buffer (issue 17). */
size_t gt__tls_conn_input_alloc(const struct gt_tls_conn *conn);

/* Stops delivering plaintext (on_data) and stops reading the socket, so that TCP pushes back on
 * the peer. Takes effect immediately, even inside on_data. Reading is on after creation. The
 * handshake does not progress while reading is stopped. */
void gt_tls_conn_read_stop(struct gt_tls_conn *conn);

/* Resumes reading after gt_tls_conn_read_stop(). Plaintext already received is delivered from
 * the loop shortly after, never from inside this call. */
void gt_tls_conn_read_start(struct gt_tls_conn *conn);

/* Returns 1 once the handshake has completed (on_handshake fired), else 0. A caller enforcing a
 * handshake deadline with its own timer checks this when the timer fires. */
int gt_tls_conn_handshake_done(const struct gt_tls_conn *conn);

/* Returns a sentence explaining the error last reported by on_error (e.g. "certificate
 * verification failed: certificate does not match the pinned CA: self-signed certificate"),
 * or "" if there was none. Borrowed; valid until the connection is freed. */
const char *gt_tls_conn_error(const struct gt_tls_conn *conn);

/* Derives len (1..GT_TLS_MAX_EXPORTER) bytes of keying material for label (RFC 8446 section
 * 7.5, empty context) into out (caller's buffer). Both ends of one connection get the same
 * bytes; another connection gets different ones. Returns GT_ESTATE before the handshake
 * completed. */
int gt_tls_conn_exporter(const struct gt_tls_conn *conn, const char *label, uint8_t *out,
                         size_t len);

/* Writes the peer's address into *out (caller's storage). */
int gt_tls_conn_peer_addr(const struct gt_tls_conn *conn, struct sockaddr_storage *out);

/*
 * Starts closing: stops reading, sends close_notify if the handshake completed and it can be
 * written without waiting, then closes the TCP handle. Pending writes whose ciphertext has not
 * reached the kernel complete with GT_ECANCELED (wait for a write's callback before closing to
 * be sure it was handed over). cb (optional) fires exactly once, from the loop, after the
 * handle is closed; the connection is freed right after cb returns (see gt_tls_close_cb).
 * Call exactly once per connection; a second call is ignored.
 */
void gt_tls_conn_close(struct gt_tls_conn *conn, gt_tls_close_cb cb);

#endif
