/* The data directory's permission checks at start: secrets refused, open modes warned about. */
#include "datadir.h"

#include <stdio.h>
#include <sys/stat.h>

#include "error.h"

/* Group and other permission bits. */
#define GT_DATADIR_OPEN_BITS 077u

static int open_mode(const char *path, unsigned *mode)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return 0;
	*mode = (unsigned)sb.st_mode & 0777u;
	return (*mode & GT_DATADIR_OPEN_BITS) != 0;
}

int gt_datadir_check(const struct gt_paths *p, struct gt_log *log)
{
	static const char *const sidecars[] = {"", "-wal", "-shm"};
	char path[GT_PATH_MAX + 8];
	unsigned mode = 0;

	if (open_mode(p->tls_key, &mode)) {
		gt_log_event(log, GT_LOG_ERROR, "open_failed", "what=%s path=%s mode=0%o reason=%s",
		             "TLS key", p->tls_key, mode,
		             "the TLS private key is readable by other users; run chmod 600 on it");
		return GT_EPERM;
	}
	if (open_mode(p->dir, &mode))
		gt_log_event(log, GT_LOG_WARN, "data_dir_open", "path=%s mode=0%o reason=%s",
		             p->dir, mode,
		             "WARNING: other users can enter the data directory, which holds the "
		             "reports and the keys; run chmod 700 on it");
	for (size_t i = 0; i < sizeof(sidecars) / sizeof(sidecars[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", p->db, sidecars[i]);
		if (open_mode(path, &mode))
			gt_log_event(
			    log, GT_LOG_WARN, "store_file_open", "path=%s mode=0%o reason=%s", path,
			    mode, "WARNING: other users may read the store; run chmod 600 on it");
	}
	return GT_OK;
}
