/* A test-only sqlite VFS that models power loss: writes not followed by a sync are undone. */
#include "testvfs.h"

#include "error.h"

#ifdef GT_TEST_HOOKS
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gtlimits.h"
#include "vec.h"

#define VFS_NAME "gt_powerloss"

/* A file of the VFS: the default VFS's file follows it in the same allocation. */
struct pl_file {
	sqlite3_file base;
	int undo; /* the undo log's descriptor, or -1 for files whose writes are not tracked */
};

#define REAL(f) ((sqlite3_file *)((struct pl_file *)(f) + 1))

/* Appends one undo record: the off, how many old bytes follow, the old size, the bytes. */
static int undo_note(struct pl_file *p, sqlite3_int64 off, sqlite3_int64 len)
{
	sqlite3_file *r = REAL(p);
	sqlite3_int64 size = 0;
	uint64_t have = 0;
	uint8_t *rec;
	size_t total;
	int rc = r->pMethods->xFileSize(r, &size);

	if (rc != SQLITE_OK)
		return rc;
	if (off < size)
		have = (uint64_t)(len < size - off ? len : size - off);
	total = 24 + (size_t)have;
	rec = malloc(total);
	if (rec == NULL)
		return SQLITE_NOMEM;
	memcpy(rec, &off, 8);
	memcpy(rec + 8, &have, 8);
	memcpy(rec + 16, &size, 8);
	if (have > 0)
		(void)r->pMethods->xRead(r, rec + 24, (int)have, off);
	rc = write(p->undo, rec, total) == (ssize_t)total ? SQLITE_OK : SQLITE_IOERR_WRITE;
	free(rec);
	return rc;
}

static int pl_close(sqlite3_file *f)
{
	struct pl_file *p = (struct pl_file *)f;
	int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;

	if (p->undo >= 0)
		close(p->undo);
	p->undo = -1;
	return rc;
}

static int pl_read(sqlite3_file *f, void *b, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), b, n, off);
}

static int pl_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 off)
{
	struct pl_file *p = (struct pl_file *)f;
	int rc = p->undo >= 0 ? undo_note(p, off, n) : SQLITE_OK;

	return rc == SQLITE_OK ? REAL(f)->pMethods->xWrite(REAL(f), b, n, off) : rc;
}

static int pl_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct pl_file *p = (struct pl_file *)f;
	sqlite3_int64 now = 0;
	int rc = REAL(f)->pMethods->xFileSize(REAL(f), &now);

	if (rc == SQLITE_OK && p->undo >= 0 && now > size)
		rc = undo_note(p, size, now - size);
	return rc == SQLITE_OK ? REAL(f)->pMethods->xTruncate(REAL(f), size) : rc;
}

static int pl_sync(sqlite3_file *f, int flags)
{
	struct pl_file *p = (struct pl_file *)f;
	int rc = REAL(f)->pMethods->xSync(REAL(f), flags);

	/* Everything written to the file so far is durable now. */
	if (rc == SQLITE_OK && p->undo >= 0 && ftruncate(p->undo, 0) != 0)
		rc = SQLITE_IOERR_FSYNC;
	return rc;
}

static int pl_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int pl_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int pl_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int pl_check(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int pl_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int pl_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int pl_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int pl_shmmap(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}

static int pl_shmlock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void pl_shmbarrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int pl_shmunmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int pl_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int pl_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods pl_methods = {
    3,          pl_close,      pl_read,     pl_write, pl_truncate, pl_sync,    pl_size,
    pl_lock,    pl_unlock,     pl_check,    pl_fcntl, pl_sector,   pl_devchar, pl_shmmap,
    pl_shmlock, pl_shmbarrier, pl_shmunmap, pl_fetch, pl_unfetch,
};

static int pl_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *oflags)
{
	sqlite3_vfs *real = vfs->pAppData;
	struct pl_file *p = (struct pl_file *)f;
	int rc;

	p->undo = -1;
	p->base.pMethods = NULL;
	rc = real->xOpen(real, name, REAL(f), flags, oflags);
	if (rc != SQLITE_OK)
		return rc;
	if (name != NULL && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) &&
	    (flags & SQLITE_OPEN_READWRITE)) {
		char path[GT_PATH_MAX + 8];
		snprintf(path, sizeof(path), "%s-undo", name);
		p->undo = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	}
	p->base.pMethods = &pl_methods;
	return SQLITE_OK;
}

static int pl_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	sqlite3_vfs *real = vfs->pAppData;
	char path[GT_PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s-undo", name);
	(void)unlink(path);
	return real->xDelete(real, name, sync);
}

static int pl_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	sqlite3_vfs *real = vfs->pAppData;
	return real->xAccess(real, name, flags, out);
}

static int pl_full(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	sqlite3_vfs *real = vfs->pAppData;
	return real->xFullPathname(real, name, n, out);
}

static int pl_random(sqlite3_vfs *vfs, int n, char *out)
{
	sqlite3_vfs *real = vfs->pAppData;
	return real->xRandomness(real, n, out);
}

static int pl_sleep(sqlite3_vfs *vfs, int us)
{
	sqlite3_vfs *real = vfs->pAppData;
	return real->xSleep(real, us);
}

static int pl_time(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	sqlite3_vfs *real = vfs->pAppData;
	return real->xCurrentTimeInt64(real, out);
}

static int pl_lasterr(sqlite3_vfs *vfs, int n, char *out)
{
	sqlite3_vfs *real = vfs->pAppData;
	return real->xGetLastError(real, n, out);
}

int gt_testvfs_register(void)
{
	/* Test builds only: sqlite's VFS list is process-wide, and so is this entry in it. */
	static sqlite3_vfs vfs;
	sqlite3_vfs *real;

	if (sqlite3_vfs_find(VFS_NAME) != NULL)
		return GT_OK;
	if ((real = sqlite3_vfs_find(NULL)) == NULL)
		return GT_ESTORE;
	vfs.iVersion = 2;
	vfs.szOsFile = (int)sizeof(struct pl_file) + real->szOsFile;
	vfs.mxPathname = real->mxPathname;
	vfs.zName = VFS_NAME;
	vfs.pAppData = real;
	vfs.xOpen = pl_open;
	vfs.xDelete = pl_delete;
	vfs.xAccess = pl_access;
	vfs.xFullPathname = pl_full;
	vfs.xRandomness = pl_random;
	vfs.xSleep = pl_sleep;
	vfs.xGetLastError = pl_lasterr;
	vfs.xCurrentTimeInt64 = pl_time;
	return sqlite3_vfs_register(&vfs, 1) == SQLITE_OK ? GT_OK : GT_ESTORE;
}

/* Undoes the writes recorded in undo (read whole), last first, on target. */
static int roll_back(const char *target, const char *undo)
{
	FILE *f = fopen(undo, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, *starts = NULL, n = 0, scap = 0;
	int fd = -1, rc = GT_OK;

	if (f == NULL)
		return gt_err_from_errno(errno);
	for (;;) {
		if (len == cap && (rc = GT_VEC_RESERVE(data, cap, len + 65536)) != GT_OK)
			goto out;
		size_t got = fread(data + len, 1, cap - len, f);
		if (got == 0)
			break;
		len += got;
	}
	for (size_t pos = 0; pos + 24 <= len;) {
		uint64_t have;
		memcpy(&have, data + pos + 8, 8);
		if (have > len - pos - 24)
			break; /* a record cut by the kill: its write never happened */
		if ((rc = GT_VEC_RESERVE(starts, scap, n + 1)) != GT_OK)
			goto out;
		starts[n++] = pos;
		pos += 24 + (size_t)have;
	}
	if (n > 0 && (fd = open(target, O_WRONLY | O_CLOEXEC)) < 0) {
		rc = gt_err_from_errno(errno);
		goto out;
	}
	for (size_t i = n; i-- > 0 && rc == GT_OK;) {
		const uint8_t *r = data + starts[i];
		int64_t off, size;
		uint64_t have;
		memcpy(&off, r, 8);
		memcpy(&have, r + 8, 8);
		memcpy(&size, r + 16, 8);
		if ((have > 0 && pwrite(fd, r + 24, (size_t)have, off) != (ssize_t)have) ||
		    ftruncate(fd, size) != 0)
			rc = GT_EIO;
	}
out:
	if (fd >= 0)
		close(fd);
	fclose(f);
	free(data);
	free(starts);
	if (rc == GT_OK)
		(void)unlink(undo);
	return rc;
}

int gt_testvfs_power_off(const char *dir)
{
	static const char *const files[] = {"gtsync.db", "gtsync.db-wal"};
	char target[GT_PATH_MAX], undo[GT_PATH_MAX + 8], side[GT_PATH_MAX + 8];
	struct stat sb;
	int rc = GT_OK;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && rc == GT_OK; i++) {
		snprintf(target, sizeof(target), "%s/%s", dir, files[i]);
		snprintf(undo, sizeof(undo), "%s-undo", target);
		if (access(undo, F_OK) == 0)
			rc = roll_back(target, undo);
	}
	snprintf(target, sizeof(target), "%s/gtsync.db-shm", dir);
	(void)unlink(target);
	snprintf(target, sizeof(target), "%s/gtsync.journal", dir);
	snprintf(side, sizeof(side), "%s.synced", target);
	if (rc == GT_OK && stat(target, &sb) == 0) {
		uint64_t synced = 0;
		FILE *f = fopen(side, "rb");
		if (f == NULL || fread(&synced, 1, 8, f) != 8)
			synced = 0;
		if (f != NULL)
			fclose(f);
		/* What was not synced is lost: the preallocated zeros are back. */
		if ((uint64_t)sb.st_size > synced) {
			int fd = open(target, O_WRONLY | O_CLOEXEC);
			uint8_t zeros[4096] = {0};
			for (uint64_t off = synced; fd >= 0 && off < (uint64_t)sb.st_size;) {
				size_t n = (uint64_t)sb.st_size - off < sizeof(zeros)
				               ? (size_t)((uint64_t)sb.st_size - off)
				               : sizeof(zeros);
				if (pwrite(fd, zeros, n, (off_t)off) != (ssize_t)n)
					rc = GT_EIO;
				off += n;
			}
			if (fd < 0)
				rc = gt_err_from_errno(errno);
			else
				close(fd);
		}
	}
	return rc;
}

#else

int gt_testvfs_register(void)
{
	return GT_ENOTSUP;
}

int gt_testvfs_power_off(const char *dir)
{
	(void)dir;
	return GT_ENOTSUP;
}

#endif
