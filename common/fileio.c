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

int gt_file_write(const char *path, const void *data, size_t len, int mode, int replace)
{
	char tmp[GT_PATH_MAX];
	const uint8_t *p = data;
	size_t done = 0;
	int fd, rc = GT_OK;

	if (!replace && access(path, F_OK) == 0)
		return GT_EEXIST;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return GT_ETOOBIG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return gt_err_from_errno(errno);
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = gt_err_from_errno(errno);
			break;
		}
		done += (size_t)n;
	}
	if (rc == GT_OK && fsync(fd) != 0)
		rc = gt_err_from_errno(errno);
	if (close(fd) != 0 && rc == GT_OK)
		rc = gt_err_from_errno(errno);
	if (rc == GT_OK && rename(tmp, path) != 0)
		rc = gt_err_from_errno(errno);
	if (rc != GT_OK)
		unlink(tmp);
	return rc;
}
