/* Runs the real gtsync binary for integration tests: arguments, home, environment, output. */
#ifndef GT_CLIRUN_H
#define GT_CLIRUN_H

#include <stddef.h>
#include <sys/types.h>

#include "testserver.h"

/* The outcome of one run: exit status (or 128 + signal) and what it wrote. */
struct gt_clirun {
	int status;
	char *out; /* stdout, NUL-terminated; caller frees with gt_clirun_free() */
	char *err; /* stderr */
};

/* Runs gtsync with args (NULL-terminated, without the program name) and GTSYNC_HOME=home
 * (NULL: unset), in English (LANG=en_US.UTF-8, LANGUAGE, LC_ALL and LC_MESSAGES empty) plus
 * env (NULL-terminated "NAME=value" list, which may set another language; may be NULL). The run is
 * killed after timeout_s seconds (then status is 128 + SIGKILL). Aborts the test on failure to run.
 */
void gt_clirun(struct gt_clirun *r, const char *home, const char *const *env, unsigned timeout_s,
               const char *const *args);

/* Runs gtsync like gt_clirun() in English, and fails the test, showing what it wrote, unless it
 * exits 0. r (caller frees) keeps the output; NULL: it is freed here. */
void gt_clirun_ok(struct gt_clirun *r, const char *home, const char *const *args,
                  unsigned timeout_s);

/* A run in the background. */
struct gt_clirun_bg {
	pid_t pid;
	char out[GT_PATH_MAX], err[GT_PATH_MAX]; /* where its output goes */
};

/* Starts gtsync in the background like gt_clirun(), its output in files in dir. Reap it with
 * gt_clirun_wait(). */
void gt_clirun_spawn(struct gt_clirun_bg *bg, const char *dir, const char *home,
                     const char *const *env, const char *const *args);

/* Waits up to timeout_s for a background run (killing it after) and fills r from its files. */
void gt_clirun_wait(struct gt_clirun *r, struct gt_clirun_bg *bg, unsigned timeout_s);

/* Frees what a run holds; the struct may be reused. */
void gt_clirun_free(struct gt_clirun *r);

/* Reads the value of key from `gtsync status --format plain` output ("" if absent); the
 * result is in buf. */
const char *gt_clirun_kv(const char *out, const char *key, char *buf, size_t len);

/* As gt_clirun_kv(), as a number (-1 if absent). */
long long gt_clirun_kv_num(const char *out, const char *key);

/* Sets up a client home for org with a fresh key registered on ts as role, and pulls the
 * metadata; home receives the path (under ts->dir, named name). Aborts the test on failure. */
void gt_clirun_client(struct gt_testserver *ts, const char *name, const char *org, const char *role,
                      char *home, size_t len);

/* Writes text to path; aborts on failure. */
void gt_clirun_write(const char *path, const char *text);

#endif

/* ---- What the server and a client store hold ---- */

/* A sorted list of value lines "orgunit|dataelement|period|coc|value|comment|revision|deleted". */
struct gt_clirun_values {
	char **lines;
	size_t n, cap;
};

/* Reads every value the server holds below root (its store, opened read-only). */
void gt_clirun_server_values(struct gt_testserver *ts, const char *root,
                             struct gt_clirun_values *out);

/* Reads every value of the replica of the client home below root. */
void gt_clirun_replica_values(const char *home, const char *root, struct gt_clirun_values *out);

/* Counts the batches the server logged for key_id. */
unsigned long gt_clirun_server_batches(struct gt_testserver *ts, const char *key_id);

/* Frees a value list. */
void gt_clirun_values_free(struct gt_clirun_values *v);

/* Reads the key id of a client home (from its key.pub). */
void gt_clirun_key_id(const char *home, char *out, size_t len);

/* cmocka fixtures: a server set up and started, in *state as a struct gt_testserver *; the
 * teardown stops it and removes its directory even when the test failed. */
int gt_clirun_server_setup(void **state);
int gt_clirun_server_teardown(void **state);

/* A CLI test's teardown: stops and removes ts (as gt_clirun_server_teardown()) and frees fx,
 * the test's fixture that held it. */
int gt_clirun_fx_teardown(struct gt_testserver *ts, void *fx);

/* Runs gtsync in home (in English) and fails the test unless it exits want and its output
 * (stdout or stderr) says needle. */
void gt_clirun_says(const char *home, int want, const char *needle, const char *const *args);
