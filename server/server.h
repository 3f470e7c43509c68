/* The server's public face: configuration, defaults, open, start, stop, free, run. */
#ifndef GT_SERVER_H
#define GT_SERVER_H

#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "log.h"

struct gt_server;

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

/* Opens the server for data_dir on loop: TLS context, signing key, store, writer, readers,
 * metadata snapshot. Does not listen yet. Caller frees with gt_server_free() after the loop
 * has finished. cfg is copied; strings in it are borrowed for the server's life. */
int gt_server_open(uv_loop_t *loop, const struct gt_server_config *cfg, struct gt_server **out);

/* Binds and listens; installs SIGINT/SIGTERM handlers that call gt_server_stop(). Writes the
 * bound address (useful with port 0) into the server's listen_addr (server_int.h). */
int gt_server_start(struct gt_server *srv);

/* Stops accepting, lets requests in flight finish (commits complete and their acks are sent),
 * then closes every connection and the server's handles, so the loop ends. Idempotent. */
void gt_server_stop(struct gt_server *srv);

/* Frees the server after the loop has ended; accepts NULL. */
void gt_server_free(struct gt_server *srv);

/* Runs a server to completion on a fresh loop (the `run` command). */
int gt_server_run(const struct gt_server_config *cfg);

#endif
