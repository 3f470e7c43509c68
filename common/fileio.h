/* Whole-file reads with a size limit, and durable whole-file writes. */
#ifndef GT_FILEIO_H
#define GT_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* Reads the file at path into a new buffer (NUL-terminated for convenience; *len excludes the
 * NUL). Refuses files over max bytes with GT_ETOOBIG before reading them. Caller frees *out.
 * GT_ENOENT, GT_EPERM, GT_EIO as the system says. */
int gt_file_read(const char *path, size_t max, uint8_t **out, size_t *len);

/* Writes data to path whole or not at all: through a new temporary file in the same directory
 * (made by mkstemp(), so nothing planted there is followed), fsynced, given mode (less the
 * umask) and renamed into place. An existing file (or a symbolic link) at path is replaced
 * only when replace is set, else GT_EEXIST. The temporary file never outlives the call. */
int gt_file_write(const char *path, const void *data, size_t len, int mode, int replace);

#endif
