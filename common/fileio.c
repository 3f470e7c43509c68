/* Whole-file reads with a size limit, and durable whole-file writes. */
#define _GNU_SOURCE
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "gtlimits.h"

int gt_file_read(const char *path, size_t max, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd, rc = GT_OK;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gt_err_from_errno(errno);
	if (fstat(fd, &st) != 0) {
		rc = gt_err_from_errno(errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = GT_EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		rc = GT_ETOOBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? gt_err_from_errno(errno) : GT_EIO;
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

/* The process's file mode mask, read without changing it (Linux 4.7 and later show it in
 * /proc/self/status); elsewhere set and restored at once. */
static mode_t current_umask(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	unsigned m;
	mode_t old;

	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (sscanf(line, "Umask: %o", &m) == 1) {
				fclose(f);
				return (mode_t)(m & 0777);
			}
		}
		fclose(f);
	}
	old = umask(077);
	umask(old);
	return old;
}

/* Writes data[0..len) to fd and makes it durable. */
static int write_all(int fd, const uint8_t *p, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gt_err_from_errno(errno);
		done += (size_t)n;
	}
	return fsync(fd) != 0 ? gt_err_from_errno(errno) : GT_OK;
}

/* Makes a rename or link in dir durable (best effort: some file systems refuse). */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int gt_file_write(const char *path, const void *data, size_t len, int mode, int replace)
{
	const char *slash = strrchr(path, '/');
	char tmp[GT_PATH_MAX], dir[GT_PATH_MAX];
	int fd, rc = GT_OK, n;

	/* The temporary file is a new name in the target's directory, made by mkstemp(): created
	 * with O_EXCL, so a file or a symbolic link planted there is never followed or reused. */
	if (slash == NULL)
		n = snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		n = snprintf(dir, sizeof(dir), "/");
	else
		n = snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return GT_ETOOBIG;
	n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, slash ? slash + 1 : path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return GT_ETOOBIG;
	if (!replace && access(path, F_OK) == 0)
		return GT_EEXIST;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return gt_err_from_errno(errno);
	if (fchmod(fd, (mode_t)mode & 0777 & ~current_umask()) != 0)
		rc = gt_err_from_errno(errno);
	if (rc == GT_OK)
		rc = write_all(fd, data, len);
	if (close(fd) != 0 && rc == GT_OK)
		rc = gt_err_from_errno(errno);
	/* Without replace, link() puts the file in place only if nothing is there yet. */
	if (rc == GT_OK && (replace ? rename(tmp, path) : link(tmp, path)) != 0)
		rc = gt_err_from_errno(errno);
	if (rc != GT_OK || !replace)
		unlink(tmp);
	if (rc == GT_OK)
		sync_dir(dir);
	return rc;
}
