/* The layout of the server's data directory, named in one place. */
#ifndef GT_PATHS_H
#define GT_PATHS_H

#include "gtlimits.h"

/* Files under --data DIR. */
struct gt_paths {
	char dir[GT_PATH_MAX];
	char db[GT_PATH_MAX];          /* DIR/gtsync.db */
	char tls_cert[GT_PATH_MAX];    /* DIR/tls-cert.pem: give this file to clients (--ca) */
	char tls_key[GT_PATH_MAX];     /* DIR/tls-key.pem, mode 0600 */
	char signing_key[GT_PATH_MAX]; /* DIR/signing-key.pem, mode 0600 */
	char control[GT_PATH_MAX];     /* DIR/control.sock: a running server's status socket */
	char journal[GT_PATH_MAX];     /* DIR/gtsync.journal: the batch journal (server/blog.h) */
};

/* Fills p for data directory dir (borrowed). GT_ETOOBIG if a path would not fit. */
int gt_paths_init(struct gt_paths *p, const char *dir);

#endif
