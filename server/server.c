/* The server context: configuration, listener, connections, writer, read pool, shutdown. */
#include "conn.h"
#include "server_int.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "blog.h"
#include "control.h"
#include "datadir.h"
#include "error.h"
#include "notify.h"
#include "paths.h"
#include "readlog.h"
#include "readpool.h"
#include "replay.h"
#include "snapshot.h"
#include "store.h"
#include "testvfs.h"
#include "tls.h"
#include "watch.h"
#include "writer.h"

void gt_server_config_defaults(struct gt_server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen = GT_DEFAULT_LISTEN;
	cfg->max_frame = GT_DEFAULT_MAX_FRAME;
	cfg->max_values_per_batch = GT_DEFAULT_MAX_VALUES_PER_BATCH;
	cfg->max_conns = GT_SERVER_DEFAULT_MAX_CONNS;
	cfg->max_conns_per_key = GT_SERVER_DEFAULT_MAX_CONNS_PER_KEY;
	cfg->max_conns_per_addr = GT_SERVER_DEFAULT_MAX_CONNS_PER_ADDR;
	cfg->max_handshakes = GT_SERVER_DEFAULT_MAX_HANDSHAKES;
	cfg->handshake_timeout_ms = GT_SERVER_DEFAULT_HANDSHAKE_MS;
	cfg->idle_timeout_ms = GT_SERVER_DEFAULT_IDLE_MS;
	cfg->frame_deadline_ms = GT_SERVER_DEFAULT_FRAME_DEADLINE_MS;
	cfg->max_inflight = GT_SERVER_DEFAULT_MAX_INFLIGHT;
	cfg->max_waiting_mib = GT_SERVER_DEFAULT_MAX_WAITING_MIB;
	cfg->pull_max_items = GT_SERVER_DEFAULT_PULL_ITEMS;
	cfg->read_log_days = GT_SERVER_DEFAULT_READ_LOG_DAYS;
	cfg->readers = GT_SERVER_DEFAULT_READERS;
	cfg->log_level = GT_LOG_INFO;
}

/* Loads the TLS certificate and the signing key named by paths into srv, logging which one
 * failed. */
static int open_keys(struct gt_server *srv, const struct gt_paths *paths)
{
	int rc;

	if ((rc = gt_tls_server_ctx_new(paths->tls_cert, paths->tls_key, &srv->tls)) != GT_OK) {
		gt_log_event(&srv->log, GT_LOG_ERROR, "open_failed", "what=%s path=%s reason=%s",
		             "TLS certificate", paths->tls_cert, gt_strerror(rc));
		return rc;
	}
	if ((rc = gt_key_load(paths->signing_key, &srv->signing_key)) != GT_OK ||
	    (rc = gt_key_public(srv->signing_key, srv->signing_pub)) != GT_OK)
		gt_log_event(&srv->log, GT_LOG_ERROR, "open_failed", "what=%s path=%s reason=%s",
		             "signing key", paths->signing_key, gt_strerror(rc));
	return rc;
}

/* Refuses a damaged store before anything is served from or written to it; an integrity check
 * that runs out of time is a warning only. */
static int check_store(struct gt_server *srv, struct gt_store *st)
{
	char why[256];
	int rc = gt_store_quick_check(st, GT_SERVER_QUICK_CHECK_MS, why, sizeof(why));

	if (rc == GT_ETIMEDOUT) {
		gt_log_event(
		    &srv->log, GT_LOG_WARN, "quick_check_incomplete", "path=%s reason=%s",
		    srv->db_path,
		    "the integrity check at start ran out of time; run gtsync-server verify "
		    "when convenient");
		rc = GT_OK;
	} else if (rc != GT_OK) {
		gt_log_event(
		    &srv->log, GT_LOG_ERROR, "open_failed", "what=%s path=%s finding=%s reason=%s",
		    "store", srv->db_path, why,
		    "the store is damaged (sqlite quick_check); restore the last good backup "
		    "with gtsync-server restore");
	}
	return rc;
}

/*
 * Opens the store once at start: checks it, reads the admin counter and the metadata snapshot
 * into srv, and applies again the journal's batches that sqlite had not synced (docs/SERVER.md,
 * "Durability"), before anything is served. On success *blog is the journal, open for the
 * writer (caller passes it on or closes it).
 */
static int open_store(struct gt_server *srv, const struct gt_paths *paths, struct gt_blog **blog)
{
	struct gt_store *st = NULL;
	uint64_t replayed = 0;
	int rc;

	*blog = NULL;
	/* The writer's handle checks the schema; the snapshot is read through it first. */
	if ((rc = gt_store_open(srv->db_path, 0, &st)) != GT_OK) {
		gt_log_event(&srv->log, GT_LOG_ERROR, "open_failed", "what=%s path=%s reason=%s",
		             "store", srv->db_path, gt_strerror(rc));
		return rc;
	}
	if ((rc = check_store(srv, st)) != GT_OK)
		goto out;
	rc = gt_store_admin_seq(st, &srv->admin_seq);
	if (rc == GT_OK)
		rc = gt_snapshot_load(st, &srv->snap);
	if (rc != GT_OK) {
		gt_log_event(&srv->log, GT_LOG_ERROR, "open_failed", "what=%s reason=%s",
		             "metadata", gt_strerror(rc));
		goto out;
	}
	gt_store_set_signer(st, srv->signing_key);
	rc = gt_replay_journal(st, srv->snap, paths->journal, srv->cfg.max_values_per_batch,
	                       &srv->log, blog, &replayed);
	if (rc != GT_OK) {
		gt_blog_close(*blog);
		*blog = NULL;
		gt_log_event(&srv->log, GT_LOG_ERROR, "open_failed", "what=%s path=%s reason=%s",
		             "batch journal", paths->journal, gt_strerror(rc));
	}
out:
	gt_store_close(st);
	return rc;
}

int gt_server_open(uv_loop_t *loop, const struct gt_server_config *cfg, struct gt_server **out)
{
	struct gt_server *srv;
	struct gt_paths paths;
	struct gt_blog *blog = NULL;
	int rc;

	*out = NULL;
	if (cfg->data_dir == NULL || cfg->max_frame == 0 || cfg->max_frame > GT_MAX_FRAME_CEILING)
		return GT_EINVAL;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return GT_ENOMEM;
	srv->loop = loop;
	srv->cfg = *cfg;
	gt_log_init(&srv->log, cfg->log_out ? cfg->log_out : stderr, cfg->log_level);
	if ((rc = gt_paths_init(&paths, cfg->data_dir)) != GT_OK)
		goto fail;
	/* A file-size limit must surface as a write error (disk full), not kill the server: from
	 * the start, which writes the batch journal. */
	signal(SIGXFSZ, SIG_IGN);
#ifdef GT_TEST_HOOKS
	/* The power-loss test: sqlite's unsynced writes can be undone after a kill -9. */
	if (getenv("GTSYNC_TEST_POWERLOSS") != NULL && (rc = gt_testvfs_register()) != GT_OK)
		goto fail;
#endif
	snprintf(srv->db_path, sizeof(srv->db_path), "%s", paths.db);
	if ((rc = gt_datadir_check(&paths, &srv->log)) != GT_OK ||
	    (rc = open_keys(srv, &paths)) != GT_OK ||
	    (rc = open_store(srv, &paths, &blog)) != GT_OK)
		goto fail;
	if ((rc = gt_readpool_new(srv->db_path, cfg->readers, &srv->readers)) != GT_OK) {
		gt_blog_close(blog);
		goto fail;
	}
	if ((rc = gt_writer_open_journal(loop, srv->db_path, srv->signing_key, blog,
	                                 &srv->writer)) != GT_OK)
		goto fail;
	*out = srv;
	return GT_OK;
fail:
	gt_server_free(srv);
	return rc;
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct gt_server *srv = h->data;
	gt_log_event(&srv->log, GT_LOG_INFO, "signal", "signal=%d action=%s", signum, "stop");
	gt_server_stop(srv);
}

/* Opens the status socket in the data directory; another server answering there is an
 * error (two servers must never share a store). */
static int start_control(struct gt_server *srv)
{
	struct gt_paths paths;
	int rc = gt_paths_init(&paths, srv->cfg.data_dir);

	if (rc == GT_OK)
		rc = gt_control_start(srv, paths.control, &srv->control);
	if (rc == GT_EBUSY) {
		gt_log_event(&srv->log, GT_LOG_ERROR, "start_failed", "reason=%s socket=%s",
		             "another gtsync-server is running on this data directory",
		             paths.control);
		return rc;
	}
	if (rc != GT_OK)
		gt_log_event(&srv->log, GT_LOG_WARN, "no_status_socket", "socket=%s reason=%s",
		             paths.control, gt_strerror(rc));
	return GT_OK;
}

int gt_server_start(struct gt_server *srv)
{
	struct sockaddr_storage addr;
	int namelen = sizeof(addr);
	int rc;

	if (gt_addr_parse(srv->cfg.listen, &addr) != GT_OK)
		return GT_EINVAL;
	if ((rc = start_control(srv)) != GT_OK)
		return rc;
	if ((rc = gt__readlog_open(srv, &srv->readlog)) != GT_OK)
		return rc;
	if ((rc = gt_err_from_uv(uv_tcp_init(srv->loop, &srv->listener))) != GT_OK)
		return rc;
	srv->listener.data = srv;
	srv->handles_open++;
	rc = gt_err_from_uv(uv_tcp_bind(&srv->listener, (const struct sockaddr *)&addr, 0));
	if (rc == GT_OK)
		rc = gt_err_from_uv(
		    uv_listen((uv_stream_t *)&srv->listener, 511, gt__conn_on_connection));
	if (rc != GT_OK) {
		gt_log_event(&srv->log, GT_LOG_ERROR, "listen_failed", "addr=%s reason=%s",
		             srv->cfg.listen, gt_strerror(rc));
		gt_server_stop(srv);
		return rc;
	}
	uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&addr, &namelen);
	gt_addr_format((const struct sockaddr *)&addr, srv->listen_addr, sizeof(srv->listen_addr));

	uv_signal_init(srv->loop, &srv->sigint);
	uv_signal_init(srv->loop, &srv->sigterm);
	srv->sigint.data = srv->sigterm.data = srv;
	srv->handles_open += 2;
	uv_signal_start(&srv->sigint, on_signal, SIGINT);
	uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
	/* Writes to a peer that reset the connection must fail, not kill the server. */
	signal(SIGPIPE, SIG_IGN);
	/* Keys, org units and metadata changed by the admin commands apply within a second. */
	if ((rc = gt_watch_start(srv, srv->admin_seq, &srv->watch)) != GT_OK) {
		gt_server_stop(srv);
		return rc;
	}
	gt_log_event(&srv->log, GT_LOG_INFO, "listening", "addr=%s max_conns=%u max_frame=%u",
	             srv->listen_addr, srv->cfg.max_conns, srv->cfg.max_frame);
	if (srv->cfg.read_log_off)
		gt_log_event(&srv->log, GT_LOG_WARN, "read_log_off",
		             "reads served are not recorded (a benchmark's switch)");
	gt_notify_ready(srv->listen_addr);
	return GT_OK;
}

static void on_handle_closed(uv_handle_t *h)
{
	struct gt_server *srv = h->data;
	srv->handles_open--;
}

static void on_writer_closed(void *arg)
{
	struct gt_server *srv = arg;
	srv->writer = NULL;
	gt_log_event(&srv->log, GT_LOG_INFO, "stopped", NULL);
}

static int inflight_total(const struct gt_server *srv)
{
	int n = 0;
	for (const struct gt_conn *c = srv->conns; c != NULL; c = c->next)
		n += (int)c->inflight;
	return n;
}

void gt__server_maybe_finish(struct gt_server *srv)
{
	if (!srv->stopping || srv->stopping > 1)
		return;
	/* Requests in flight finish first: their commits complete and their replies go out. */
	if (inflight_total(srv) > 0)
		return;
	srv->stopping = 2;
	gt__conn_close_all(srv);
	/* The reads still waiting go to the writer before it closes. */
	gt__readlog_close(srv->readlog);
	srv->readlog = NULL;
	gt_writer_close(srv->writer, on_writer_closed, srv);
}

void gt_server_stop(struct gt_server *srv)
{
	if (srv->stopping)
		return;
	srv->stopping = 1;
	gt_notify_stopping();
	gt_log_event(&srv->log, GT_LOG_INFO, "stopping", "conns=%u", srv->nconns);
	gt_control_close(srv->control);
	srv->control = NULL;
	gt_watch_stop(srv->watch);
	srv->watch = NULL;
	if (srv->handles_open > 0) {
		if (!uv_is_closing((uv_handle_t *)&srv->listener))
			uv_close((uv_handle_t *)&srv->listener, on_handle_closed);
		if (srv->handles_open > 1) {
			uv_close((uv_handle_t *)&srv->sigint, on_handle_closed);
			uv_close((uv_handle_t *)&srv->sigterm, on_handle_closed);
		}
	}
	gt__server_maybe_finish(srv);
}

void gt_server_free(struct gt_server *srv)
{
	if (srv == NULL)
		return;
	gt_readpool_free(srv->readers);
	gt_snapshot_unref(srv->snap);
	gt_key_free(srv->signing_key);
	gt_tls_ctx_free(srv->tls);
	free(srv);
}

int gt_server_run(const struct gt_server_config *cfg)
{
	uv_loop_t loop;
	struct gt_server *srv = NULL;
	int rc;

	if ((rc = gt_err_from_uv(uv_loop_init(&loop))) != GT_OK)
		return rc;
	rc = gt_server_open(&loop, cfg, &srv);
	if (rc == GT_OK)
		rc = gt_server_start(srv);
	if (rc != GT_OK && srv != NULL)
		gt_server_stop(srv);
	uv_run(&loop, UV_RUN_DEFAULT);
	gt_server_free(srv);
	if (uv_loop_close(&loop) != 0 && rc == GT_OK)
		rc = GT_EBUSY;
	return rc;
}
