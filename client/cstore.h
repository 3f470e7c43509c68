/* The client's local store (client.db, sqlite): settings, metadata, outbox, batches, replica. */
#ifndef GT_CSTORE_H
#define GT_CSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"
#include "metadata.h"
#include "orgunit.h"
#include "timezone.h"
#include "wire.h"

/*
 * One sqlite file in WAL mode with synchronous=FULL, so a committed transaction survives a
 * crash. Every function that changes several rows does so in one transaction and leaves the
 * store as it was when it fails (disk full, read-only file, I/O error): the outbox is never
 * half-updated. Functions marked "in the caller's transaction" run inside gt_cstore_begin()
 * ... gt_cstore_commit() when the caller opened one (and on their own otherwise); inside a
 * caller's transaction every function works in a savepoint, so a failed call undoes its own
 * writes and leaves the caller's earlier ones for the caller to commit or roll back.
 *
 * The store is built on common/sqldb.h; its modules: cstore.c (the handle, schema, statements,
 * settings, metadata and org units), cstore_outbox.c (values and workflow actions queued),
 * cstore_batch.c (batches saved, acknowledged, refused), cstore_replica.c (the pull replica),
 * cstore_query.c (status, problems, actions for a person).
 *
 * The outbox holds every value entered, with its state: queued (waiting to be packed), batched
 * (packed into a saved, signed batch not yet acknowledged), acknowledged, in conflict (the
 * server skipped it and said why) or refused (its batch was refused for good). Workflow
 * actions (submit, approve, accept, return, unapprove) go through the same states in their own
 * table and their own batches. A batch is saved with its exact bytes, signature and sequence
 * number before it is sent, so a resend after a crash sends the same bytes and the server
 * answers DUPLICATE.
 */

/* Settings kept in the store (gt_cstore_config_get/set). */
#define GT_CSTORE_CFG_SERVER       "server" /* HOST:PORT */
#define GT_CSTORE_CFG_ORG          "org"    /* the key's org unit */
#define GT_CSTORE_CFG_KEY_ID       "key_id"
#define GT_CSTORE_CFG_ROLE         "role"           /* as the server said at the last login */
#define GT_CSTORE_CFG_ROLE_ASKED   "role_requested" /* what gtsync init's request asked for */
#define GT_CSTORE_CFG_NEXT_SEQ     "next_sequence"  /* the lowest batch sequence never used */
#define GT_CSTORE_CFG_MD_VERSION   "metadata_version"
#define GT_CSTORE_CFG_LAST_PUSH    "last_push_ms" /* last push that left nothing to send */
#define GT_CSTORE_CFG_LAST_PULL    "last_pull_ms"
#define GT_CSTORE_CFG_LAST_ATTEMPT "last_attempt_ms" /* last push attempt, successful or not */
#define GT_CSTORE_CFG_LAST_ERROR   "last_error"      /* why the last push attempt failed, or "" */
#define GT_CSTORE_CFG_LANG         "lang" /* the home's language (id, en); unset: the environment's */
/* The office's time zone (WIB, WITA, WIT), from the org-unit list at metadata pull. */
#define GT_CSTORE_CFG_ZONE "zone"

/* Longest setting value, with its NUL. */
#define GT_CSTORE_MAX_CONFIG 512u

enum gt_cstore_state {
	GT_CSTORE_QUEUED = 0,
	GT_CSTORE_BATCHED = 1,
	GT_CSTORE_ACKED = 2,
	GT_CSTORE_CONFLICT = 3,
	GT_CSTORE_REFUSED = 4,
};

enum gt_cstore_batch_state {
	GT_CSTORE_BATCH_PENDING = 0, /* saved, to be sent (again) */
	GT_CSTORE_BATCH_ACKED = 1,
	GT_CSTORE_BATCH_REFUSED = 2, /* refused for good, or its values were queued again */
};

struct gt_cstore;

/* Creates a new store at path, mode 0600 (GT_EEXIST if the file exists). Caller closes *out. */
int gt_cstore_create(const char *path, struct gt_cstore **out);

/* Opens an existing store, upgrading an older schema (GT_ENOENT if there is none; GT_ECORRUPT
 * if the file is not a gtsync client store; GT_ENOTSUP if a newer gtsync wrote it). Caller
 * closes *out with gt_cstore_close(). */
int gt_cstore_open(const char *path, struct gt_cstore **out);

/* Closes the store; accepts NULL. */
void gt_cstore_close(struct gt_cstore *st);

/* A sentence about the last failure (borrowed, valid until the next call). */
const char *gt_cstore_errmsg(const struct gt_cstore *st);

/* Opens, commits or rolls back a write transaction. */
int gt_cstore_begin(struct gt_cstore *st);
int gt_cstore_commit(struct gt_cstore *st);
void gt_cstore_rollback(struct gt_cstore *st);

/* Reads a setting into buf[0..len); GT_ENOENT if unset, GT_ETOOBIG if it does not fit. */
int gt_cstore_config_get(struct gt_cstore *st, const char *name, char *buf, size_t len);
/* Reads a numeric setting; 0 when unset. */
int gt_cstore_config_get_u64(struct gt_cstore *st, const char *name, uint64_t *v);
/* Writes a setting (in the caller's transaction). */
int gt_cstore_config_set(struct gt_cstore *st, const char *name, const char *value);
int gt_cstore_config_set_u64(struct gt_cstore *st, const char *name, uint64_t v);

/* ---- Metadata ---- */

/* Stores what a MetadataReply carries, in one transaction: the files (unless the reply says
 * they are unchanged) and the version, and the org units in the key's scope (replacing those
 * stored). The files are not parsed here; the caller checks them first. */
int gt_cstore_metadata_save(struct gt_cstore *st, const Gtsync__V1__MetadataReply *rep);

/* Loads the stored metadata files with gt_meta_load_buffers(). GT_ENOENT when none were
 * pulled yet. Caller frees *out with gt_meta_free(); errs as for gt_meta_load_buffers(). */
int gt_cstore_metadata_load(struct gt_cstore *st, struct gt_meta **out,
                            struct gt_meta_errors *errs);

struct gt_cstore_orgunit {
	char code[GT_ORGUNIT_MAX_LEN];
	char name[256];
	int level;
	char parent[GT_ORGUNIT_MAX_LEN];
	char time_zone[GT_TZ_NAME_MAX]; /* "WIB", "WITA", "WIT"; "" when the server gave none */
};

/* Looks up a stored org unit; GT_ENOENT if not in the pulled scope. */
int gt_cstore_orgunit_get(struct gt_cstore *st, const char *code, struct gt_cstore_orgunit *out);

/* Counts the stored org units. */
int gt_cstore_orgunit_count(struct gt_cstore *st, uint64_t *n);

/* ---- The outbox ---- */

/* A value to queue; borrowed. */
struct gt_cstore_value {
	const char *data_element;
	const char *period;
	const char *org_unit;
	const char *coc;
	const char *value;
	const char *comment;
	const char *dataset; /* "" when the element's data set is implied */
	const char *source;  /* where it came from, for a person: "file.csv:12", "set" */
	int deleted;
};

enum gt_cstore_queue_result {
	GT_CSTORE_NEW = 0,      /* a new queued change */
	GT_CSTORE_REPLACED = 1, /* replaced a change of the same key that was still queued */
	GT_CSTORE_UNCHANGED = 2 /* the same as the latest change of the key: nothing queued */
};

/* Queues a change (in the caller's transaction). Its revision is above every revision the
 * store knows for the key (outbox and replica) and at least now_ms, so a later entry wins
 * also across reinstalls and between two machines of one office. *result (optional) says
 * what happened. */
int gt_cstore_queue(struct gt_cstore *st, const struct gt_cstore_value *v, int64_t now_ms,
                    int *result);

/* Reads the latest value entered for a key that is queued, batched or acknowledged (else the
 * replica's), as a number, for rule checks. GT_ENOENT when there is none, it is deleted, or it
 * is not a number. */
int gt_cstore_latest_number(struct gt_cstore *st, const char *data_element, const char *period,
                            const char *org_unit, const char *coc, double *v);

/* Reads the latest value entered for a key as gt_cstore_latest_number() finds it, as its text
 * into buf[0..len) ("" on any failure). GT_ENOENT when there is none or it is deleted;
 * GT_ETOOBIG when it does not fit. */
int gt_cstore_latest_text(struct gt_cstore *st, const char *data_element, const char *period,
                          const char *org_unit, const char *coc, char *buf, size_t len);

/* A queued change read back for packing. */
struct gt_cstore_outrow {
	int64_t id;
	char *data_element, *period, *org_unit, *coc, *value, *comment, *dataset;
	uint64_t revision;
	int deleted;
};

/* Reads queued changes in queue order, at most max_values of them and, after the first, no
 * more than max_bytes of field text in all. Caller frees *rows with gt_cstore_outrows_free().
 * *n is 0 when nothing is queued. */
int gt_cstore_queued_take(struct gt_cstore *st, size_t max_values, size_t max_bytes,
                          struct gt_cstore_outrow **rows, size_t *n);

/* Frees rows from gt_cstore_queued_take(); accepts NULL. */
void gt_cstore_outrows_free(struct gt_cstore_outrow *rows, size_t n);

/* ---- Batches ---- */

struct gt_cstore_batch {
	uint64_t seq;
	uint8_t batch_id[GT_BATCH_ID_LEN];
	uint8_t *bytes; /* the exact signed bytes */
	size_t len;
	uint8_t sig[GT_ED25519_SIG_LEN];
	uint32_t n_values;
	uint32_t n_actions; /* workflow actions; a batch holds values or actions */
	unsigned tries;
};

/* The sequence number for a new batch: above every sequence this store used, above what the
 * server holds for the key (server_last, from AuthResult), and at least 1. */
int gt_cstore_next_sequence(struct gt_cstore *st, uint64_t server_last, uint64_t *seq);

/* Saves a signed batch and marks the queued changes rows[0..n) (ids, in batch order) as
 * batched, in one transaction that also moves the next sequence past b->seq. Borrowed: b. */
int gt_cstore_batch_save(struct gt_cstore *st, const struct gt_cstore_batch *b,
                         const int64_t *row_ids, size_t n, int64_t now_ms);

/* As gt_cstore_batch_save(), for a batch of the workflow actions action_ids[0..n) (from
 * gt_cstore_actions_take(), in batch order). */
int gt_cstore_batch_save_actions(struct gt_cstore *st, const struct gt_cstore_batch *b,
                                 const int64_t *action_ids, size_t n, int64_t now_ms);

/* Reads the batches still to send, in sequence order. Caller frees *out with
 * gt_cstore_batches_free(). */
int gt_cstore_batches_pending(struct gt_cstore *st, struct gt_cstore_batch **out, size_t *n);

/* Frees batches from gt_cstore_batches_pending(); accepts NULL. */
void gt_cstore_batches_free(struct gt_cstore_batch *b, size_t n);

/* Applies an OK, WARNING or DUPLICATE ack of batch seq in one transaction: the batch is
 * acknowledged, its values and actions acknowledged except those named by a conflict, which
 * are marked in conflict with the reason and the server's sentence. *conflicts (optional) is
 * the number of values in conflict. */
int gt_cstore_batch_acked(struct gt_cstore *st, uint64_t seq, const Gtsync__V1__PushAck *ack,
                          int64_t now_ms, uint32_t *conflicts);

/* What to do with a refused batch. */
enum gt_cstore_refusal {
	GT_CSTORE_RETRY = 0,   /* transient: keep the batch pending and send it again later */
	GT_CSTORE_REQUEUE = 1, /* the batch is dropped and its values queued again (new batch) */
	GT_CSTORE_REFUSE = 2,  /* permanent: the batch and its values are refused */
};

/* Records a refusal of batch seq (code a GT_E*, message the server's sentence) in one
 * transaction, as disposition says, for its values and actions alike. */
int gt_cstore_batch_refused(struct gt_cstore *st, uint64_t seq, int code, const char *message,
                            int disposition, int64_t now_ms);

/* Counts the changes still queued or batched (not yet acknowledged). */
int gt_cstore_unsent(struct gt_cstore *st, uint64_t *values);

/* ---- Pull replica ---- */

/* The cursor of the replica of org's subtree (0 before the first pull). */
int gt_cstore_pull_cursor(struct gt_cstore *st, const char *org, uint64_t *cursor);

/* Applies one pulled chunk in one transaction: its values and workflow states replace the
 * stored ones of the same key, and org's cursor becomes chunk->next_cursor. */
int gt_cstore_pull_apply(struct gt_cstore *st, const char *org, const Gtsync__V1__PullChunk *chunk,
                         int64_t now_ms);

/* One replica value; borrowed for the callback. */
struct gt_cstore_replica_value {
	const char *data_element, *period, *org_unit, *coc, *value, *comment;
	uint64_t revision;
	int deleted;
	uint64_t change_seq;
};

/* Calls cb for every replica value in org's subtree (NULL: all), in key order; a non-zero
 * return stops and is returned. */
int gt_cstore_replica_foreach(struct gt_cstore *st, const char *org,
                              int (*cb)(void *arg, const struct gt_cstore_replica_value *v),
                              void *arg);

/* ---- Status ---- */

struct gt_cstore_status {
	uint64_t values[5];  /* by enum gt_cstore_state */
	uint64_t actions[5]; /* workflow actions, by enum gt_cstore_state */
	uint64_t batches[3]; /* by enum gt_cstore_batch_state */
	uint64_t replica_values;
	uint64_t replica_units;
};

/* Counts what the store holds. */
int gt_cstore_status(struct gt_cstore *st, struct gt_cstore_status *out);

/* A value in conflict or refused; borrowed for the callback. */
struct gt_cstore_problem {
	int state;  /* GT_CSTORE_CONFLICT or GT_CSTORE_REFUSED */
	int reason; /* a ConflictReason, or for a refusal the GT_E* code */
	const char *message;
	const char *data_element, *period, *org_unit, *coc, *value, *source;
	uint64_t seq;
};

/* Calls cb for each value in conflict or refused, grouped: conflicts first, by reason, then
 * refusals by code; a non-zero return stops and is returned. */
int gt_cstore_problems(struct gt_cstore *st,
                       int (*cb)(void *arg, const struct gt_cstore_problem *p), void *arg);

/* Calls cb with each org unit of the replica and its value count, in code order. */
int gt_cstore_replica_units(struct gt_cstore *st, int (*cb)(void *arg, const char *org, uint64_t n),
                            void *arg);

/* ---- Workflow actions ---- */

/* A workflow action to save; borrowed. */
struct gt_cstore_action_in {
	int kind; /* a WorkflowKind */
	const char *dataset, *period, *org_unit;
	const char *reason;       /* "" for none */
	const uint8_t *digest;    /* GT_SHA256_LEN bytes for approve; NULL otherwise */
	uint64_t n_digested;      /* the number of values the digest covers, for a person */
	const char *open_until;   /* open-late: the last day (YYYY-MM-DD); NULL or "" otherwise */
	const char *acknowledged; /* submit, approve: warning rule codes joined by ","; or NULL */
};

/* A saved workflow action read back; free its strings with gt_cstore_action_clear(). */
struct gt_cstore_action {
	int64_t id;
	int kind;
	char *dataset, *period, *org_unit, *reason;
	uint8_t digest[GT_SHA256_LEN];
	int has_digest;
	uint64_t n_digested;
	int state;          /* enum gt_cstore_state: queued, batched, acknowledged (applied), in
	                     * conflict (skipped by the server) or refused (its batch refused) */
	int status;         /* the PushStatus of the ack, once acknowledged or in conflict */
	int conflict;       /* the ConflictReason, when in conflict */
	int code;           /* the GT_E* code, when refused */
	char *message;      /* the server's sentence, when in conflict or refused */
	uint64_t seq;       /* its batch, 0 while queued */
	char *open_until;   /* "" unless open-late */
	char *acknowledged; /* "" or rule codes joined by "," */
};

/* Saves a workflow action to send, queued (in the caller's transaction); *id (optional) is
 * its id. */
int gt_cstore_action_queue(struct gt_cstore *st, const struct gt_cstore_action_in *a,
                           int64_t now_ms, int64_t *id);

/* Reads up to max queued actions in queue order. Caller frees *out with
 * gt_cstore_actions_free(). */
int gt_cstore_actions_take(struct gt_cstore *st, size_t max, struct gt_cstore_action **out,
                           size_t *n);

/* Reads the max most recent actions, oldest first. Caller frees *out with
 * gt_cstore_actions_free(). */
int gt_cstore_actions_recent(struct gt_cstore *st, size_t max, struct gt_cstore_action **out,
                             size_t *n);

/* Reads the action id; GT_ENOENT if there is none. Caller clears *out with
 * gt_cstore_action_clear(). */
int gt_cstore_action_get(struct gt_cstore *st, int64_t id, struct gt_cstore_action *out);

/* Frees the strings of an action read back and zeroes it; accepts NULL. */
void gt_cstore_action_clear(struct gt_cstore_action *a);

/* Frees an array of actions; accepts NULL. */
void gt_cstore_actions_free(struct gt_cstore_action *a, size_t n);

#endif
