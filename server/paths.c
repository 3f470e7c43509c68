/* The layout of the server's data directory, named in one place. */
#include "paths.h"

#include <stdio.h>

#include "error.h"

static int join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, GT_PATH_MAX, "%s/%s", dir, name);
	return n < 0 || n >= GT_PATH_MAX ? GT_ETOOBIG : GT_OK;
}

int gt_paths_init(struct gt_paths *p, const char *dir)
{
	int n = snprintf(p->dir, sizeof(p->dir), "%s", dir);

	if (n < 0 || n >= (int)sizeof(p->dir))
		return GT_ETOOBIG;
	if (join(p->db, dir, "gtsync.db") != GT_OK || join(p->tls_cert, dir, "tls-cert.pem") ||
	    join(p->tls_key, dir, "tls-key.pem") || join(p->signing_key, dir, "signing-key.pem") ||
	    join(p->control, dir, "control.sock") || join(p->journal, dir, "gtsync.journal"))
		return GT_ETOOBIG;
	return GT_OK;
}
