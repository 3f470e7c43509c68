/* Helpers shared by the cmocka tests: temporary directories and file reading. */
#ifndef GT_TESTUTIL_H
#define GT_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Creates a fresh directory under $TMPDIR (or /tmp) and returns its path; caller frees
 * with gt_test_rmtree() then free(). Aborts the test program on failure. */
char *gt_test_tmpdir(const char *tag);

/* Removes a directory tree; accepts NULL. */
void gt_test_rmtree(const char *path);

/* Reads a whole file; caller frees. Returns NULL if it cannot be read. */
uint8_t *gt_test_read_file(const char *path, size_t *len);

/* A TCP port on 127.0.0.1 that was free a moment ago (for programs that take a port rather
 * than port 0). Aborts the test program on failure. */
int gt_test_free_port(void);

/* Returns 1 if ../shared (next to the source tree) is present. */
int gt_test_have_shared(void);

/* Whether s holds what a terminal acts on: a C0 control other than a newline, DEL, a C1
 * control, or a byte that is not UTF-8 (a raw C1 to some terminals). */
int gt_test_has_controls(const char *s);

#endif
