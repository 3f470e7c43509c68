/* A client's home directory: its store, key and pinned certificate, and logging in with them. */
#ifndef GT_HOME_H
#define GT_HOME_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "cstore.h"
#include "key.h"
#include "orgunit.h"
#include "roleset.h"
#include "session.h"

/* File names inside a home directory. */
#define GT_HOME_DB      "client.db"
#define GT_HOME_KEY     "key.pem" /* private key, mode 0600 */
#define GT_HOME_PUB     "key.pub" /* public key, one line of base64 */
#define GT_HOME_CA      "ca.pem"  /* the pinned server certificate */
#define GT_HOME_ENV     "GTSYNC_HOME"
#define GT_HOME_DEFAULT ".gtsync" /* under $HOME when neither --home nor GTSYNC_HOME is set */

/* Largest CA file accepted by init. */
#define GT_HOME_MAX_CA (1024u * 1024u)

/* An open home. Fields are read-only for callers. */
struct gt_home {
	char dir[GT_PATH_MAX];
	char db_path[GT_PATH_MAX];
	char key_path[GT_PATH_MAX];
	char pub_path[GT_PATH_MAX];
	char ca_path[GT_PATH_MAX];
	struct gt_cstore *st;
	struct gt_key *key; /* loaded by gt_home_key() */
	char server[256];
	char org[GT_ORGUNIT_MAX_LEN];
	char key_id[GT_KEY_ID_LEN + 1];
	char role[GT_ROLESET_TEXT_MAX]; /* roles at the last login ("operator,approver"); "" before
	                                 */
	char lang[8]; /* the language set by `gtsync init --lang` (id, en); "" when none */
	FILE *err;    /* where messages for a person go (borrowed; NULL: nowhere) */
};

/* Picks the home directory: opt (from --home) if set, else $GTSYNC_HOME, else $HOME/.gtsync.
 * Writes it to out[0..len). GT_ENOENT when none can be determined, GT_ETOOBIG. */
int gt_home_resolve(const char *opt, char *out, size_t len);

/* What gt_home_init() reports. */
struct gt_home_init_info {
	char key_id[GT_KEY_ID_LEN + 1];
	char pub_b64[GT_KEY_PUB_B64_LEN + 1];
};

/* Creates a home in dir (the directory is created with mode 0700 if missing): client.db with
 * the settings, a new Ed25519 key (key.pem, mode 0600; key.pub), and a copy of the pinned
 * certificate ca_file (checked to be a usable certificate). server is HOST:PORT, org the
 * key's org unit. Refuses an existing home with GT_EEXIST. On failure nothing is left behind
 * (except the directory) and a sentence goes to err. */
int gt_home_init(const char *dir, const char *server, const char *org, const char *ca_file,
                 struct gt_home_init_info *info, FILE *err);

/* Opens the home in dir. Caller frees *out with gt_home_close(). On failure a sentence goes
 * to err (borrowed; kept in the home for later messages). */
int gt_home_open(const char *dir, FILE *err, struct gt_home **out);

/* Closes a home; accepts NULL. */
void gt_home_close(struct gt_home *h);

/* Loads the private key (once). On failure a sentence goes to h->err. */
int gt_home_key(struct gt_home *h);

/* Connects and logs in to the home's server with the home's key, pinning ca.pem. On success
 * *s is the session (caller closes) and *auth (optional; caller frees with
 * gt_wire_envelope_free()) the AuthResult envelope; the role the server gave is saved. On
 * failure err says why; nothing is printed (see gt_home_explain()). */
int gt_home_connect(struct gt_home *h, uint32_t timeout_ms, struct gt_session **s,
                    gt_envelope **auth, struct gt_session_err *err);

/* Connects and logs in (gt_home_connect()), sends env (borrowed) and takes the reply, then
 * closes the session. On success *reply (caller frees with gt_wire_envelope_free()) has the
 * body want. Every failure is explained on h->err with what ("gtsync report"): the session's
 * (unreachable, certificate, key), a refusal by the server (its sentence; the code it gave, or
 * GT_EPROTO for one that would read as a lost link), an answer out of turn (GT_EPROTO). */
int gt_home_request(struct gt_home *h, const char *what, uint32_t timeout_ms, gt_envelope *env,
                    int want, gt_envelope **reply);

/* Returns 1 if a login or request failure with code may pass by itself (the server is
 * unreachable, busy or restarting), 0 if a person must act (certificate, key, protocol). */
int gt_home_transient(int code);

/* Prints a sentence about a failed login or request to h->err, prefixed by what ("gtsync
 * push"): unreachable server, certificate not matching the pin, key not registered or revoked
 * (with the key id and public key to give the administrator). */
void gt_home_explain(struct gt_home *h, const char *what, const struct gt_session_err *err);

/* Writes a line for a person to h->err (nowhere when NULL), escaped for the terminal as a
 * whole (termtext.h), with a newline. */
void gt_home_say(struct gt_home *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes the office's time zone ("WIB", "WITA", "WIT"), as the last metadata pull found it in
 * the org-unit list, into out; "" when not known (times are then shown in WIB). */
void gt_home_zone(struct gt_home *h, char *out, size_t len);

/* Stores lang ("id" or "en") as the home's language; GT_EINVAL for another. */
int gt_home_set_lang(struct gt_home *h, const char *lang);

/* Loads the metadata pulled into the store. GT_ENOENT (with a sentence) before the first
 * `gtsync metadata pull`. Caller frees *out with gt_meta_free(). */
int gt_home_meta(struct gt_home *h, const char *what, struct gt_meta **out);

#endif
