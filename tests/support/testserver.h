/* Starts the real gtsync-server binary on 127.0.0.1 for integration tests, with keys. */
#ifndef GT_TESTSERVER_H
#define GT_TESTSERVER_H

#include <stdint.h>
#include <sys/types.h>

#include <sqlite3.h>

#include "gtlimits.h"
#include "key.h"
#include "session.h"
#include "wire.h"

struct gt_testserver {
	char *dir; /* temp dir; the data dir is dir/data */
	char data[2048];
	char cert[GT_PATH_MAX];
	char log[GT_PATH_MAX];
	char addr[64]; /* "127.0.0.1:PORT" once running */
	int port;
	pid_t pid;
	const char *wrapper; /* optional command prefix, e.g. "prlimit --fsize=N:unlimited" */
};

/* Creates a data dir: init, a small org-unit CSV (ID, 53 with 53.71 and 53.72, 36 with 36.01
 * and 36.71), metadata/ from the source tree. Aborts the test on failure. */
void gt_testserver_setup(struct gt_testserver *ts);

/* Imports more org units from CSV text (header code,name,level); aborts on failure. */
void gt_testserver_import(struct gt_testserver *ts, const char *csv_text);

/* Registers a new key for org and role (a name: "operator"); returns it (caller frees). */
struct gt_key *gt_testserver_key(struct gt_testserver *ts, const char *org, const char *role);

/* Runs a gtsync-server admin command with the data dir appended (--data DIR), e.g.
 * {"key", "revoke", id, NULL}. Returns the exit status. */
int gt_testserver_admin(struct gt_testserver *ts, const char *const *args);

/* Runs `gtsync-server run` on ts's data dir (not started by gt_testserver_start()), killed
 * after 10 s (a store it accepts would be served); returns its exit status and leaves its
 * output in ts->dir/run.log. */
int gt_testserver_run_briefly(struct gt_testserver *ts);

/* Starts `gtsync-server run` with extra arguments (NULL-terminated; may be NULL) and waits
 * until it listens. */
void gt_testserver_start(struct gt_testserver *ts, const char *const *extra);

/* Stops the server with SIGTERM and returns its exit status (-1 if it had to be killed). */
int gt_testserver_stop(struct gt_testserver *ts);

/* Changes the server's store behind its back: stops it, runs sql (may be NULL) and then fn
 * (may be NULL) on its sqlite file, checks that they changed something, and starts it again on
 * the same port. Aborts the test on failure. */
void gt_testserver_tamper(struct gt_testserver *ts, const char *sql, void (*fn)(sqlite3 *db));

/* Kills the server with SIGKILL and reaps it. */
void gt_testserver_kill(struct gt_testserver *ts);

/* Whether the server process is still running. */
int gt_testserver_alive(struct gt_testserver *ts);

/* Counts lines of the server log containing needle. */
int gt_testserver_log_count(struct gt_testserver *ts, const char *needle);

/* Stops the server if running and removes the temp dir. */
void gt_testserver_teardown(struct gt_testserver *ts);

/* Opens an authenticated session to ts as k (borrowed), with a 20 s timeout; NULL on failure
 * with err (optional) filled. Caller closes with gt_session_close(). */
struct gt_session *gt_testserver_session(struct gt_testserver *ts, const struct gt_key *k,
                                         struct gt_session_err *err);

/* A packed and signed batch; free bytes with free(). */
struct gt_test_signed {
	uint8_t *bytes;
	size_t len;
	uint8_t sig[GT_ED25519_SIG_LEN];
};

/* Fills b's header (format 1, a random batch id, k's key id, org, seq), packs b and signs the
 * bytes with k into out. b's items are the caller's. Aborts the test on failure. */
void gt_test_sign_batch(const struct gt_key *k, const char *org, uint64_t seq, gt_batch *b,
                        struct gt_test_signed *out);

/* Pushes a signed batch on s and returns the reply, which must be a PushAck (caller frees with
 * gt_wire_envelope_free()). */
gt_envelope *gt_test_push(struct gt_session *s, const struct gt_test_signed *sb);

/* Pushes sb on s without aborting, for tests that kill the server under load: 1 when the
 * server acknowledged it as stored or a duplicate (PUSH_OK, PUSH_DUPLICATE), 0 for any other
 * answer, -1 when the call failed (the session is then unusable; close it). */
int gt_test_push_try(struct gt_session *s, const struct gt_test_signed *sb);

/* Pushes one value of KK_KORBAN, option PD (org, period, value, revision seq) as k's batch seq
 * on s and aborts unless it was stored (PUSH_OK). Returns the ack's tree size; *sb (when not
 * NULL) keeps the signed batch (caller frees sb->bytes). */
uint64_t gt_test_push_value(struct gt_session *s, const struct gt_key *k, const char *org,
                            uint64_t seq, const char *period, const char *value,
                            struct gt_test_signed *sb);

/* The server's signing public key, from ts's data dir. Aborts on failure. */
void gt_testserver_signing_pub(const struct gt_testserver *ts, uint8_t pub[GT_ED25519_PUB_LEN]);

/* Opens every data set reported at each org unit's level for late entry in each period
 * (space-separated lists: "53.71 53.72", "2024 2025") until 90 days from now, as the central
 * secretariat does with a signed open-late action: tests with fixed historical periods go
 * past the data sets' expiry through the chain's own path. The server must be running.
 * Aborts on failure. */
void gt_testserver_open_late(struct gt_testserver *ts, const char *orgs, const char *periods);

#endif
