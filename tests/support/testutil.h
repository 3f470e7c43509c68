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

/* Returns 1 if ../shared (next to the source tree) is present. */
int gt_test_have_shared(void);

/* Whether s holds what a terminal acts on: a C0 control other than a newline, DEL, a C1
 * control, or a byte that is not UTF-8 (a raw C1 to some terminals). */
int gt_test_has_controls(const char *s);

#endif
