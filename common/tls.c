/* TLS 1.3 over libuv TCP streams through OpenSSL memory BIOs, and self-signed certificates. */
#define _GNU_SOURCE
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "addr.h"
#include "error.h"

/* Room for one full TLS record (16 KiB of data plus header and expansion) per socket read. */
#define GT_TLS_READ_BUF (16384u + 2048u)
/* The TLS input's buffer an empty connection may keep; a larger one is given back. */
#define GT_TLS_INPUT_KEEP 4096u
#define GT_TLS_REASON_LEN 256u

struct gt_tls_ctx {
	SSL_CTX *ssl_ctx;
	int is_server;
};

struct gt_tls_conn {
	uv_tcp_t tcp;
	uv_idle_t idle; /* runs deferred work: delivery after read_start, deferred on_error */
	uv_connect_t connect_req;
	SSL *ssl;
	BIO *rbio; /* ciphertext from the peer; owned by ssl */
	BIO *wbio; /* ciphertext for the peer; owned by ssl */
	struct gt_tls_conn_cbs cbs;
	void *arg;
	gt_tls_close_cb close_cb;
	int closes_pending;          /* handles whose close callback is still due */
	unsigned connected : 1;      /* the TCP connection is established */
	unsigned reading : 1;        /* uv_read_start is in effect */
	unsigned paused : 1;         /* the owner called gt_tls_conn_read_stop() */
	unsigned eof : 1;            /* the peer shut down its side of the TCP connection */
	unsigned hs_done : 1;        /* the handshake completed */
	unsigned failed : 1;         /* the connection failed: no more reading or writing */
	unsigned notify_pending : 1; /* on_error is due from the idle callback */
	unsigned fatal : 1;          /* OpenSSL saw a fatal error: no close_notify */
	unsigned closing : 1;        /* gt_tls_conn_close() was called */
	int err;
	/* A write the peer's reset refused (a libuv status, 0 none): reported once what the peer
	 * sent before it went has been read, since that may say why it went. */
	int write_status;
	char reason[GT_TLS_REASON_LEN];
	/* No read buffers live here: the socket's is allocated for one read (on_alloc to
	 * on_read) and the plaintext's is on the stack of conn_process(), so an idle
	 * connection holds neither (issue 17). */
};

/* One uv_write of ciphertext with the owner's completion; freed in its callback. */
struct gt_tls_wreq {
	uv_write_t req;
	struct gt_tls_conn *conn;
	gt_tls_write_cb cb;
	void *arg;
	size_t len;
	uint8_t data[];
};

/* ---- Errors ---- */

/* Describes the oldest queued OpenSSL error for a reason string. */
static const char *openssl_reason(void)
{
	unsigned long e = ERR_peek_error();
	const char *s = e != 0 ? ERR_reason_error_string(e) : NULL;

	return s != NULL ? s : "unknown OpenSSL error";
}

/* ---- Contexts ---- */

static int no_password(char *buf, int size, int rwflag, void *u)
{
	/* A key file needing a password is refused instead of prompting on a terminal. */
	return 0;
}

static int file_readable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return gt_err_from_errno(errno);
	close(fd);
	return 0;
}

/* Creates an SSL_CTX restricted to TLS 1.3 without tickets, compression or renegotiation. */
static int ctx_base(const SSL_METHOD *method, int is_server, struct gt_tls_ctx **out)
{
	struct gt_tls_ctx *x = calloc(1, sizeof(*x));
	int r = 0;

	*out = NULL;
	if (x == NULL)
		return GT_ENOMEM;
	ERR_clear_error();
	x->is_server = is_server;
	x->ssl_ctx = SSL_CTX_new(method);
	if (x->ssl_ctx == NULL || SSL_CTX_set_min_proto_version(x->ssl_ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(x->ssl_ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_num_tickets(x->ssl_ctx, 0) != 1) {
		r = gt_err_from_openssl_queue();
		goto out;
	}
	SSL_CTX_set_options(x->ssl_ctx,
	                    SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(x->ssl_ctx, SSL_SESS_CACHE_OFF);
	/* An idle connection keeps no record buffers: OpenSSL frees them between records
	 * (issue 17, memory per idle connection). */
	SSL_CTX_set_mode(x->ssl_ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_default_passwd_cb(x->ssl_ctx, no_password);
	*out = x;
	x = NULL;
out:
	gt_tls_ctx_free(x);
	return r;
}

int gt_tls_server_ctx_new(const char *cert_pem_path, const char *key_pem_path,
                          struct gt_tls_ctx **out)
{
	struct gt_tls_ctx *x = NULL;
	int r;

	if (out != NULL)
		*out = NULL;
	if (cert_pem_path == NULL || key_pem_path == NULL || out == NULL)
		return GT_EINVAL;
	r = file_readable(cert_pem_path);
	if (r == 0)
		r = file_readable(key_pem_path);
	if (r == 0)
		r = ctx_base(TLS_server_method(), 1, &x);
	if (r < 0)
		goto out;
	ERR_clear_error();
	if (SSL_CTX_use_certificate_chain_file(x->ssl_ctx, cert_pem_path) != 1 ||
	    SSL_CTX_use_PrivateKey_file(x->ssl_ctx, key_pem_path, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(x->ssl_ctx) != 1) {
		r = gt_err_from_openssl_queue();
		goto out;
	}
	SSL_CTX_set_verify(x->ssl_ctx, SSL_VERIFY_NONE, NULL);
	*out = x;
	x = NULL;
out:
	gt_tls_ctx_free(x);
	return r;
}

int gt_tls_client_ctx_new(const char *ca_pem_path, const char *expected_name_or_NULL,
                          struct gt_tls_ctx **out)
{
	const char *name = expected_name_or_NULL;
	struct gt_tls_ctx *x = NULL;
	X509_VERIFY_PARAM *param;
	int r;

	if (out != NULL)
		*out = NULL;
	if (ca_pem_path == NULL || out == NULL || (name != NULL && *name == '\0'))
		return GT_EINVAL;
	r = file_readable(ca_pem_path);
	if (r == 0)
		r = ctx_base(TLS_client_method(), 0, &x);
	if (r < 0)
		goto out;
	ERR_clear_error();
	/* The pinned file is the only trust anchor: no default verify paths are loaded. */
	if (SSL_CTX_load_verify_locations(x->ssl_ctx, ca_pem_path, NULL) != 1) {
		r = gt_err_from_openssl_queue();
		goto out;
	}
	param = SSL_CTX_get0_param(x->ssl_ctx);
	/* A pinned certificate is trusted as it is, even if it is not self-signed. */
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	if (name != NULL) {
		X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (gt_addr_is_ip_literal(name)
		        ? X509_VERIFY_PARAM_set1_ip_asc(param, name) != 1
		        : X509_VERIFY_PARAM_set1_host(param, name, 0) != 1) {
			r = gt_err_from_openssl_queue();
			goto out;
		}
	}
	SSL_CTX_set_verify(x->ssl_ctx, SSL_VERIFY_PEER, NULL);
	*out = x;
	x = NULL;
out:
	gt_tls_ctx_free(x);
	return r;
}

void gt_tls_ctx_free(struct gt_tls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	free(ctx);
}

/* ---- Connections: plumbing ---- */

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);
static void on_idle(uv_idle_t *idle);
static void conn_process(struct gt_tls_conn *c);

static int want_reading(const struct gt_tls_conn *c)
{
	return c->connected && !c->paused && !c->failed && !c->closing && !c->eof;
}

/*
 * Marks the connection failed with err and a reason, stops reading and tells the owner: now
 * (from a loop callback) or from the idle callback (when called from inside an owner's call).
 * Only the first failure counts; nothing is reported after gt_tls_conn_close().
 */
__attribute__((format(printf, 4, 5))) static void conn_fail(struct gt_tls_conn *c, int err, int now,
                                                            const char *fmt, ...)
{
	va_list ap;

	if (c->failed || c->closing)
		return;
	c->failed = 1;
	c->err = err;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
	if (c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = 0;
	}
	if (now) {
		uv_idle_stop(&c->idle);
		c->cbs.on_error(c, err);
	} else {
		c->notify_pending = 1;
		uv_idle_start(&c->idle, on_idle);
	}
}

/* Starts or stops reading the socket to match the connection's state. */
static void update_reading(struct gt_tls_conn *c, int now)
{
	int r;

	if (want_reading(c) && !c->reading) {
		r = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
		if (r < 0)
			conn_fail(c, gt_err_from_uv(r), now, "cannot read from the socket: %s",
			          uv_strerror(r));
		else
			c->reading = 1;
	} else if (!want_reading(c) && c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = 0;
	}
}

/* The buffer of one socket read, freed by on_read (libuv then gives UV_ENOBUFS when the
 * allocation failed). */
static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	char *p = malloc(GT_TLS_READ_BUF);

	(void)handle;
	(void)suggested;
	*buf = uv_buf_init(p, p != NULL ? GT_TLS_READ_BUF : 0);
}

static void on_write(uv_write_t *req, int status)
{
	struct gt_tls_wreq *w = (struct gt_tls_wreq *)req;
	struct gt_tls_conn *c = w->conn;
	gt_tls_write_cb cb = w->cb;
	void *arg = w->arg;

	free(w);
	if (cb != NULL)
		cb(c, gt_err_from_uv(status), arg);
	if (status >= 0 || status == UV_ECANCELED)
		return;
	if ((status == UV_EPIPE || status == UV_ECONNRESET) && c->reading && !c->failed &&
	    !c->closing) {
		/* The peer is gone, but its last frames (an error saying why) may still wait in
		 * the socket: the read that follows delivers them, then reports the end. */
		if (c->write_status == 0)
			c->write_status = status;
		return;
	}
	conn_fail(c, gt_err_from_uv(status), 1, "cannot write to the socket: %s",
	          uv_strerror(status));
}

/* Reports a write failure held back for reading (on_write()) once reading stops. */
static void conn_fail_held_write(struct gt_tls_conn *c, int now)
{
	if (c->write_status != 0 && !c->reading)
		conn_fail(c, gt_err_from_uv(c->write_status), now, "cannot write to the socket: %s",
		          uv_strerror(c->write_status));
}

/*
 * Moves all ciphertext OpenSSL has produced to one uv_write; cb (with arg) completes with it.
 * Returns 0 without writing (and without cb) when there is nothing to send.
 */
static int conn_flush(struct gt_tls_conn *c, gt_tls_write_cb cb, void *arg)
{
	size_t pending = BIO_ctrl_pending(c->wbio), got = 0;
	struct gt_tls_wreq *w;
	uv_buf_t buf;
	int r;

	if (pending == 0)
		return 0;
	if (pending > UINT_MAX || pending > SIZE_MAX - sizeof(*w))
		return GT_ETOOBIG;
	w = malloc(sizeof(*w) + pending);
	if (w == NULL)
		return GT_ENOMEM;
	while (got < pending) {
		size_t left = pending - got;
		int n = BIO_read(c->wbio, w->data + got, left > INT_MAX ? INT_MAX : (int)left);
		if (n <= 0) {
			free(w);
			return GT_ETLS;
		}
		got += (size_t)n;
	}
	w->conn = c;
	w->cb = cb;
	w->arg = arg;
	w->len = pending;
	buf = uv_buf_init((char *)w->data, (unsigned)pending);
	r = uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write);
	if (r < 0) {
		free(w);
		return gt_err_from_uv(r);
	}
	return 0;
}

/* Flushes from a loop callback; a failure fails the connection. Returns 0 or the error. */
static int conn_flush_or_fail(struct gt_tls_conn *c)
{
	int r = conn_flush(c, NULL, NULL);

	if (r < 0)
		conn_fail(c, r, 1, "cannot send: %s", gt_strerror(r));
	return r;
}

/* Reports a fatal OpenSSL error of the handshake or of the record layer. */
static void conn_fail_ssl(struct gt_tls_conn *c, const char *phase)
{
	long v = SSL_get_verify_result(c->ssl);
	unsigned long e = ERR_peek_error();
	int err = (e != 0 && gt_err_from_openssl(e) == GT_ENOMEM) ? GT_ENOMEM : GT_ETLS;
	char why[GT_TLS_REASON_LEN];

	if (!c->hs_done && v == X509_V_ERR_HOSTNAME_MISMATCH)
		snprintf(why, sizeof(why),
		         "certificate verification failed: the certificate does not name the "
		         "expected host (%s)",
		         X509_verify_cert_error_string(v));
	else if (!c->hs_done && v == X509_V_ERR_IP_ADDRESS_MISMATCH)
		snprintf(why, sizeof(why),
		         "certificate verification failed: the certificate does not name the "
		         "expected IP address (%s)",
		         X509_verify_cert_error_string(v));
	else if (!c->hs_done && v != X509_V_OK)
		snprintf(why, sizeof(why),
		         "certificate verification failed: certificate does not match the pinned "
		         "CA: %s",
		         X509_verify_cert_error_string(v));
	else
		snprintf(why, sizeof(why), "%s: %s", phase, openssl_reason());
	ERR_clear_error();
	c->fatal = 1;
	/* Send the alert OpenSSL queued, so that the peer learns why. */
	(void)conn_flush(c, NULL, NULL);
	conn_fail(c, err, 1, "%s", why);
}

/* Reports the end of the peer's data once everything before it has been delivered. */
static void conn_check_eof(struct gt_tls_conn *c)
{
	if (!c->eof || c->paused || c->failed || c->closing)
		return;
	if (!c->hs_done)
		conn_fail(c, GT_ECLOSED, 1, "the peer closed the connection during the handshake");
	else
		conn_fail(c, GT_ECLOSED, 1, "the peer closed the connection without close_notify");
}

/*
 * Gives back the TLS input's buffer once everything in it was read: a memory BIO keeps the
 * largest buffer it ever grew to (about 24 KiB after one full socket read), which 1,000
 * connections under load held together at the server's peak (issue 17). An empty input
 * with a large buffer is replaced by a new empty one; nothing is lost, and a failure to
 * allocate keeps the old one.
 */
static void conn_shrink_input(struct gt_tls_conn *c)
{
	BUF_MEM *bm = NULL;
	BIO *nb;

	if (BIO_ctrl_pending(c->rbio) != 0 || BIO_get_mem_ptr(c->rbio, &bm) != 1 || bm == NULL ||
	    bm->max <= GT_TLS_INPUT_KEEP)
		return;
	if ((nb = BIO_new(BIO_s_mem())) == NULL) {
		ERR_clear_error();
		return;
	}
	BIO_set_mem_eof_return(nb, -1);
	SSL_set0_rbio(c->ssl, nb); /* frees the old input */
	c->rbio = nb;
}

/* Drives the handshake, then delivers plaintext while the owner reads. */
static void conn_process(struct gt_tls_conn *c)
{
	uint8_t pbuf[GT_TLS_READ_CHUNK];
	size_t n;
	int r, se;

	if (c->failed || c->closing)
		return;
	if (!c->hs_done) {
		ERR_clear_error();
		r = SSL_do_handshake(c->ssl);
		if (r != 1) {
			se = SSL_get_error(c->ssl, r);
			if (se != SSL_ERROR_WANT_READ && se != SSL_ERROR_WANT_WRITE) {
				conn_fail_ssl(c, "TLS handshake failed");
				return;
			}
			if (conn_flush_or_fail(c) == 0)
				conn_check_eof(c);
			return;
		}
		c->hs_done = 1;
		if (conn_flush_or_fail(c) < 0)
			return;
		if (c->cbs.on_handshake != NULL)
			c->cbs.on_handshake(c);
	}
	while (!c->paused && !c->failed && !c->closing) {
		ERR_clear_error();
		if (SSL_read_ex(c->ssl, pbuf, sizeof(pbuf), &n) == 1) {
			c->cbs.on_data(c, pbuf, n);
			continue;
		}
		se = SSL_get_error(c->ssl, 0);
		if (se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE)
			break;
		if (se == SSL_ERROR_ZERO_RETURN) {
			conn_fail(c, GT_ECLOSED, 1,
			          "the peer closed the connection (close_notify)");
			return;
		}
		conn_fail_ssl(c, "TLS error");
		return;
	}
	if (!c->paused && !c->failed && !c->closing)
		conn_shrink_input(c);
	/* Reading may have produced records to send (e.g. a key update answer). */
	if (!c->failed && !c->closing && conn_flush_or_fail(c) == 0)
		conn_check_eof(c);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct gt_tls_conn *c = stream->data;
	int taken = 0;

	/* The ciphertext goes into the TLS input at once, so the read's buffer is freed before
	 * the plaintext is processed; a read that is not wanted is dropped with it. */
	if (nread > 0 && !c->failed && !c->closing)
		taken = BIO_write(c->rbio, buf->base, (int)nread) == (int)nread;
	free(buf->base);
	if (nread == 0 || c->failed || c->closing)
		return;
	if (nread == UV_EOF) {
		c->eof = 1;
		update_reading(c, 1);
		conn_process(c);
		return;
	}
	if (nread < 0) {
		conn_fail(c, gt_err_from_uv((int)nread), 1, "cannot read from the socket: %s",
		          uv_strerror((int)nread));
		return;
	}
	if (!taken) {
		ERR_clear_error();
		conn_fail(c, GT_ENOMEM, 1, "cannot buffer received data");
		return;
	}
	conn_process(c);
}

static void on_idle(uv_idle_t *idle)
{
	struct gt_tls_conn *c = idle->data;

	uv_idle_stop(idle);
	if (c->closing)
		return;
	if (c->notify_pending) {
		c->notify_pending = 0;
		c->cbs.on_error(c, c->err);
		return;
	}
	conn_process(c);
}

static void on_connect(uv_connect_t *req, int status)
{
	struct gt_tls_conn *c = req->data;

	if (c->closing || c->failed)
		return;
	if (status < 0) {
		conn_fail(c, gt_err_from_uv(status), 1, "cannot connect: %s", uv_strerror(status));
		return;
	}
	c->connected = 1;
	(void)uv_tcp_nodelay(&c->tcp, 1);
	(void)uv_tcp_keepalive(&c->tcp, 1, 60);
	update_reading(c, 1);
	conn_process(c);
}

static void conn_free(struct gt_tls_conn *c)
{
	SSL_free(c->ssl); /* Frees both BIOs. */
	free(c);
}

static void on_handle_closed(uv_handle_t *handle)
{
	struct gt_tls_conn *c = handle->data;

	if (--c->closes_pending > 0)
		return;
	if (c->close_cb != NULL)
		c->close_cb(c, c->arg);
	conn_free(c);
}

static void conn_close_handles(struct gt_tls_conn *c)
{
	c->closes_pending = 2;
	uv_idle_stop(&c->idle);
	uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
	uv_close((uv_handle_t *)&c->idle, on_handle_closed);
}

/* Creates a connection with its SSL object and its (not yet connected) handles. */
static int conn_new(uv_loop_t *loop, struct gt_tls_ctx *ctx, const struct gt_tls_conn_cbs *cbs,
                    void *arg, struct gt_tls_conn **out)
{
	struct gt_tls_conn *c;
	BIO *rbio = NULL, *wbio = NULL;
	int r = 0;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return GT_ENOMEM;
	ERR_clear_error();
	c->ssl = SSL_new(ctx->ssl_ctx);
	rbio = BIO_new(BIO_s_mem());
	wbio = BIO_new(BIO_s_mem());
	if (c->ssl == NULL || rbio == NULL || wbio == NULL) {
		r = gt_err_from_openssl_queue();
		goto out;
	}
	/* An empty memory BIO means "wait for more", not end of file. */
	BIO_set_mem_eof_return(rbio, -1);
	BIO_set_mem_eof_return(wbio, -1);
	SSL_set_bio(c->ssl, rbio, wbio);
	c->rbio = rbio;
	c->wbio = wbio;
	rbio = wbio = NULL;
	if (ctx->is_server)
		SSL_set_accept_state(c->ssl);
	else
		SSL_set_connect_state(c->ssl);
	r = gt_err_from_uv(uv_tcp_init(loop, &c->tcp));
	if (r < 0)
		goto out;
	/* uv_idle_init() cannot fail on Unix. */
	(void)uv_idle_init(loop, &c->idle);
	c->tcp.data = c;
	c->idle.data = c;
	c->connect_req.data = c;
	c->cbs = *cbs;
	c->arg = arg;
	*out = c;
	c = NULL;
out:
	BIO_free(rbio);
	BIO_free(wbio);
	if (c != NULL) {
		SSL_free(c->ssl);
		free(c);
	}
	return r;
}

/* Releases a connection whose creation failed after its handles were initialized; no
 * callback fires. */
static void conn_abandon(struct gt_tls_conn *c)
{
	c->closing = 1;
	c->close_cb = NULL;
	conn_close_handles(c);
}

static int cbs_valid(const struct gt_tls_conn_cbs *cbs)
{
	return cbs != NULL && cbs->on_data != NULL && cbs->on_error != NULL;
}

/* ---- Connections: the owner's calls ---- */

int gt_tls_conn_accept(struct gt_tls_ctx *ctx, uv_stream_t *listener,
                       const struct gt_tls_conn_cbs *cbs, void *arg, struct gt_tls_conn **out)
{
	struct gt_tls_conn *c = NULL;
	int r;

	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || !ctx->is_server || listener == NULL || !cbs_valid(cbs) || out == NULL)
		return GT_EINVAL;
	r = conn_new(listener->loop, ctx, cbs, arg, &c);
	if (r < 0)
		return r;
	r = gt_err_from_uv(uv_accept(listener, (uv_stream_t *)&c->tcp));
	if (r < 0) {
		conn_abandon(c);
		return r;
	}
	c->connected = 1;
	(void)uv_tcp_nodelay(&c->tcp, 1);
	(void)uv_tcp_keepalive(&c->tcp, 1, 60);
	update_reading(c, 0);
	*out = c;
	return 0;
}

int gt_tls_conn_connect(uv_loop_t *loop, struct gt_tls_ctx *ctx, const struct sockaddr *addr,
                        const struct gt_tls_conn_cbs *cbs, void *arg, struct gt_tls_conn **out)
{
	struct gt_tls_conn *c = NULL;
	int r;

	if (out != NULL)
		*out = NULL;
	if (loop == NULL || ctx == NULL || ctx->is_server || addr == NULL ||
	    (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) || !cbs_valid(cbs) ||
	    out == NULL)
		return GT_EINVAL;
	r = conn_new(loop, ctx, cbs, arg, &c);
	if (r < 0)
		return r;
	r = gt_err_from_uv(uv_tcp_connect(&c->connect_req, &c->tcp, addr, on_connect));
	if (r < 0) {
		conn_abandon(c);
		return r;
	}
	*out = c;
	return 0;
}

void *gt_tls_conn_arg(const struct gt_tls_conn *conn)
{
	return conn != NULL ? conn->arg : NULL;
}

void gt_tls_conn_set_arg(struct gt_tls_conn *conn, void *arg)
{
	if (conn != NULL)
		conn->arg = arg;
}

int gt_tls_conn_write(struct gt_tls_conn *conn, const uint8_t *data, size_t len, gt_tls_write_cb cb,
                      void *arg)
{
	struct gt_tls_conn *c = conn;
	size_t done = 0;
	int r;

	if (c == NULL || data == NULL || len == 0)
		return GT_EINVAL;
	if (len > GT_TLS_MAX_WRITE)
		return GT_ETOOBIG;
	if (!c->hs_done || c->failed || c->closing)
		return GT_ESTATE;
	ERR_clear_error();
	if (SSL_write_ex(c->ssl, data, len, &done) != 1 || done != len) {
		unsigned long e = ERR_peek_error();
		r = (e != 0 && gt_err_from_openssl(e) == GT_ENOMEM) ? GT_ENOMEM : GT_ETLS;
		c->fatal = 1;
		conn_fail(c, r, 0, "cannot encrypt: %s", openssl_reason());
		ERR_clear_error();
		return r;
	}
	if (BIO_ctrl_pending(c->wbio) == 0) {
		/* Cannot happen: written plaintext always makes a record. */
		conn_fail(c, GT_ETLS, 0, "cannot encrypt: no record produced");
		return GT_ETLS;
	}
	r = conn_flush(c, cb, arg);
	if (r < 0)
		conn_fail(c, r, 0, "cannot send: %s", gt_strerror(r));
	return r;
}

size_t gt_tls_conn_write_queue_size(const struct gt_tls_conn *conn)
{
	if (conn == NULL)
		return 0;
	return uv_stream_get_write_queue_size((const uv_stream_t *)&conn->tcp) +
	       BIO_ctrl_pending(conn->wbio);
}

size_t gt__tls_conn_input_alloc(const struct gt_tls_conn *conn)
{
	BUF_MEM *bm = NULL;

	if (conn == NULL || BIO_get_mem_ptr(conn->rbio, &bm) != 1 || bm == NULL)
		return 0;
	return bm->max;
}

void gt_tls_conn_read_stop(struct gt_tls_conn *conn)
{
	if (conn == NULL || conn->paused)
		return;
	conn->paused = 1;
	update_reading(conn, 0);
	conn_fail_held_write(conn, 0);
}

void gt_tls_conn_read_start(struct gt_tls_conn *conn)
{
	if (conn == NULL || !conn->paused)
		return;
	conn->paused = 0;
	if (conn->failed || conn->closing)
		return;
	update_reading(conn, 0);
	/* Deliver what is already buffered (and notice an end of file) from the loop. */
	if (!conn->failed)
		uv_idle_start(&conn->idle, on_idle);
}

int gt_tls_conn_handshake_done(const struct gt_tls_conn *conn)
{
	return conn != NULL && conn->hs_done;
}

const char *gt_tls_conn_error(const struct gt_tls_conn *conn)
{
	return conn != NULL ? conn->reason : "";
}

int gt_tls_conn_exporter(const struct gt_tls_conn *conn, const char *label, uint8_t *out,
                         size_t len)
{
	if (conn == NULL || label == NULL || out == NULL || len == 0 || len > GT_TLS_MAX_EXPORTER)
		return GT_EINVAL;
	if (!conn->hs_done)
		return GT_ESTATE;
	ERR_clear_error();
	if (SSL_export_keying_material(conn->ssl, out, len, label, strlen(label), NULL, 0, 0) != 1)
		return gt_err_from_openssl_queue();
	return 0;
}

int gt_tls_conn_peer_addr(const struct gt_tls_conn *conn, struct sockaddr_storage *out)
{
	int namelen = (int)sizeof(*out);

	if (conn == NULL || out == NULL)
		return GT_EINVAL;
	memset(out, 0, sizeof(*out));
	return gt_err_from_uv(uv_tcp_getpeername(&conn->tcp, (struct sockaddr *)out, &namelen));
}

/* Sends close_notify if it fits into the socket right now; never waits. */
static void conn_send_close_notify(struct gt_tls_conn *c)
{
	uint8_t rec[256];
	uv_buf_t buf;
	int n;

	ERR_clear_error();
	if (SSL_shutdown(c->ssl) < 0 || BIO_ctrl_pending(c->wbio) > sizeof(rec)) {
		ERR_clear_error();
		return;
	}
	n = BIO_read(c->wbio, rec, (int)sizeof(rec));
	if (n > 0) {
		buf = uv_buf_init((char *)rec, (unsigned)n);
		(void)uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);
	}
	ERR_clear_error();
}

void gt_tls_conn_close(struct gt_tls_conn *conn, gt_tls_close_cb cb)
{
	struct gt_tls_conn *c = conn;

	if (c == NULL || c->closing)
		return;
	c->closing = 1;
	c->close_cb = cb;
	update_reading(c, 0);
	if (c->connected && c->hs_done && !c->fatal)
		conn_send_close_notify(c);
	conn_close_handles(c);
}
