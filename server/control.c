/* The server's local status socket: one status text per connection, nothing read. */
#define _GNU_SOURCE
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "conn.h"
#include "error.h"
#include "protonames.h"
#include "roleset.h"
#include "snapshot.h"

struct gt_control {
	struct gt_server *srv;
	uv_pipe_t pipe;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int64_t started_ms;
	int closing;
	unsigned replies; /* replies being written; c is freed when 0 and closed */
};

/* One reply being written. */
struct reply {
	struct gt_control *c;
	uv_pipe_t pipe;
	uv_write_t req;
	struct gt_buf text;
};

static const char *const state_names[] = {
    [GT_CONN_TLS] = "tls",           [GT_CONN_HELLO] = "hello", [GT_CONN_PROOF] = "proof",
    [GT_CONN_CHECKING] = "checking", [GT_CONN_READY] = "ready", [GT_CONN_CLOSING] = "closing",
};

static void maybe_free(struct gt_control *c)
{
	if (c->closing == 2 && c->replies == 0)
		free(c);
}

/* Appends printf output to b; a reply that would pass the limit is cut (the caller checks). */
static void put(struct gt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct gt_buf *b, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)gt_buf_append(b, line,
		                    (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* Writes the status text of c's server into b. */
static void status_text(struct gt_control *c, struct gt_buf *b)
{
	const struct gt_server *srv = c->srv;
	int64_t now = gt_clock_wall_ms();
	char when[32];

	put(b, "pid=%ld\n", (long)getpid());
	put(b, "listen=%s\n", srv->listen_addr);
	put(b, "data=%s\n", srv->cfg.data_dir);
	gt_clock_iso(c->started_ms, when, sizeof(when));
	put(b, "started=%s\n", when);
	put(b, "uptime_s=%lld\n", (long long)((now - c->started_ms) / 1000));
	put(b, "stopping=%d\n", srv->stopping ? 1 : 0);
	put(b, "connections=%u\n", srv->nconns);
	put(b, "refusing=%u\n", srv->nrefusing);
	put(b, "max_conns=%u\n", srv->cfg.max_conns);
	put(b, "max_conns_per_key=%u\n", srv->cfg.max_conns_per_key);
	put(b, "max_conns_per_addr=%u\n", srv->cfg.max_conns_per_addr);
	put(b, "max_handshakes=%u\n", srv->cfg.max_handshakes);
	put(b, "unauthenticated=%u\n", srv->nunauth);
	put(b, "metadata_version=%llu\n",
	    (unsigned long long)(srv->snap != NULL ? srv->snap->md_version : 0));
	for (const struct gt_conn *k = srv->conns; k != NULL; k = k->next) {
		unsigned st = (unsigned)k->state;

		char roles[GT_ROLESET_TEXT_MAX];

		put(b, "conn addr=%s key=%s org=%s role=%s state=%s batches=%llu values=%llu\n",
		    k->addr, k->rep.key_id[0] ? k->rep.key_id : "-",
		    k->rep.org_unit[0] ? k->rep.org_unit : "-",
		    k->state == GT_CONN_READY
		        ? gt_roleset_format(k->rep.roles, roles, sizeof(roles))
		        : "-",
		    st < sizeof(state_names) / sizeof(state_names[0]) ? state_names[st] : "?",
		    (unsigned long long)k->rep.batches, (unsigned long long)k->rep.values);
	}
	put(b, "end=1\n");
}

static void on_reply_closed(uv_handle_t *h)
{
	struct reply *r = h->data;
	struct gt_control *c = r->c;

	gt_buf_free(&r->text);
	free(r);
	c->replies--;
	maybe_free(c);
}

static void on_written(uv_write_t *req, int status)
{
	struct reply *r = req->data;
	(void)status;
	uv_close((uv_handle_t *)&r->pipe, on_reply_closed);
}

static void on_connection(uv_stream_t *server, int status)
{
	struct gt_control *c = server->data;
	struct reply *r;
	uv_buf_t buf;

	if (status < 0 || c->closing)
		return;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return;
	r->c = c;
	if (uv_pipe_init(server->loop, &r->pipe, 0) != 0) {
		free(r);
		return;
	}
	r->pipe.data = r;
	r->req.data = r;
	c->replies++;
	if (uv_accept(server, (uv_stream_t *)&r->pipe) != 0) {
		uv_close((uv_handle_t *)&r->pipe, on_reply_closed);
		return;
	}
	gt_buf_init(&r->text, GT_CONTROL_MAX_REPLY);
	status_text(c, &r->text);
	buf = uv_buf_init((char *)r->text.data, (unsigned)r->text.len);
	if (uv_write(&r->req, (uv_stream_t *)&r->pipe, &buf, 1, on_written) != 0)
		uv_close((uv_handle_t *)&r->pipe, on_reply_closed);
}

/* Connects a blocking socket to path; the fd, or a negative GT_E* code. */
static int connect_to(const char *path, unsigned timeout_ms)
{
	struct sockaddr_un sa;
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return GT_ETOOBIG;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return gt_err_from_errno(errno);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int err = errno;

		close(fd);
		return err == ENOENT         ? GT_ENOENT
		       : err == ECONNREFUSED ? GT_ECONNREFUSED
		                             : gt_err_from_errno(err);
	}
	return fd;
}

static void on_pipe_closed(uv_handle_t *h)
{
	struct gt_control *c = h->data;

	c->closing = 2;
	maybe_free(c);
}

int gt_control_start(struct gt_server *srv, const char *path, struct gt_control **out)
{
	struct gt_control *c;
	int fd, rc;

	*out = NULL;
	if (strlen(path) >= sizeof(c->path))
		return GT_ETOOBIG;
	fd = connect_to(path, 1000);
	if (fd >= 0) {
		close(fd);
		return GT_EBUSY;
	}
	/* Nobody answers: a socket file left by a server that died is stale. */
	(void)unlink(path);
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return GT_ENOMEM;
	c->srv = srv;
	c->started_ms = gt_clock_wall_ms();
	memcpy(c->path, path, strlen(path) + 1);
	rc = gt_err_from_uv(uv_pipe_init(srv->loop, &c->pipe, 0));
	if (rc != GT_OK) {
		free(c);
		return rc;
	}
	c->pipe.data = c;
	{
		/* Created with mode 0600: the umask applies to bind(2). */
		mode_t old = umask(0177);
		rc = gt_err_from_uv(uv_pipe_bind(&c->pipe, path));
		umask(old);
	}
	if (rc == GT_OK)
		rc = gt_err_from_uv(uv_listen((uv_stream_t *)&c->pipe, 16, on_connection));
	if (rc != GT_OK) {
		/* c is freed by the close callback, on the loop's next turn. */
		c->closing = 1;
		uv_close((uv_handle_t *)&c->pipe, on_pipe_closed);
		return rc;
	}
	*out = c;
	return GT_OK;
}

void gt_control_close(struct gt_control *c)
{
	if (c == NULL || c->closing)
		return;
	c->closing = 1;
	(void)unlink(c->path);
	uv_close((uv_handle_t *)&c->pipe, on_pipe_closed);
}

int gt_control_query(const char *path, unsigned timeout_ms, char **text)
{
	struct gt_buf b;
	char chunk[16384];
	int fd, rc = GT_OK;

	*text = NULL;
	fd = connect_to(path, timeout_ms);
	if (fd < 0)
		return fd;
	gt_buf_init(&b, GT_CONTROL_MAX_REPLY);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = errno == EAGAIN || errno == EWOULDBLOCK ? GT_ETIMEDOUT
			                                             : gt_err_from_errno(errno);
			break;
		}
		rc = gt_buf_append(&b, chunk, (size_t)n);
		if (rc != GT_OK)
			break;
	}
	close(fd);
	if (rc == GT_OK)
		rc = gt_buf_append(&b, "", 1);
	if (rc != GT_OK) {
		gt_buf_free(&b);
		return rc;
	}
	*text = (char *)b.data;
	return GT_OK;
}
