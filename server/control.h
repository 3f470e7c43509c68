/* The server's local status socket: `gtsync-server status` reads a running server's state. */
#ifndef GT_CONTROL_H
#define GT_CONTROL_H

#include <stddef.h>

struct gt_server;
struct gt_control;

/* Longest status text a server writes and `status` reads. */
#define GT_CONTROL_MAX_REPLY (4u * 1024u * 1024u)

/*
 * The socket is a Unix stream socket in the data directory (DIR/control.sock, mode 0600, so
 * only the server's user and root reach it). A connection gets one reply and is closed: lines
 * "name=value" about the server (pid, listen address, connections, limits), then one line per
 * connection "conn addr=... key=... org=... role=... state=... batches=N values=N". Nothing is
 * read from the peer, so the socket cannot be used to change anything.
 */

/* Listens on path for srv's loop. If a server already answers there, GT_EBUSY (two servers
 * must never share a data directory); a stale socket file is removed. GT_ETOOBIG when path
 * does not fit a socket address. Caller closes with gt_control_close(). */
int gt_control_start(struct gt_server *srv, const char *path, struct gt_control **out);

/* Stops listening, removes the socket file and frees c once its handles are closed (loop
 * thread). Accepts NULL. */
void gt_control_close(struct gt_control *c);

/* Connects to the socket at path and reads the reply into *text (NUL-terminated; caller
 * frees), waiting at most timeout_ms. GT_ECONNREFUSED or GT_ENOENT when no server answers
 * there; GT_ETIMEDOUT; GT_ETOOBIG. */
int gt_control_query(const char *path, unsigned timeout_ms, char **text);

#endif
