/* The server context, private to the server library (connections are in conn.h). */
#ifndef GT_SERVER_INT_H
#define GT_SERVER_INT_H

#include <stdint.h>
#include <uv.h>

#include "gtlimits.h"
#include "log.h"
#include "server.h"

struct gt_writer;
struct gt_readpool;
struct gt_control;
struct gt_snapshot;
struct gt_watch;
struct gt_conn;
struct gt_key;
struct gt_tls_ctx;

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

/* Whether the server finished draining and may close everything (called by the writer). */
void gt__server_maybe_finish(struct gt_server *srv);

#endif
