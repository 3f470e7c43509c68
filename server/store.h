/* The server's store: org units, keys, the signed batch log and the tables derived from it. */
#ifndef GT_STORE_H
#define GT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"
#include "key.h"
#include "keylabel.h"
#include "merkle.h"
#include "orgcsv.h"
#include "orgunit.h"
#include "wire.h"

/*
 * Threading: a struct gt_store is one sqlite connection and is used from one thread at a
 * time. The server has exactly one writer handle (the ingest thread); readers for pull and
 * reports open their own handles with gt_store_open_readonly(), which see committed data
 * only (WAL snapshots).
 *
 * Times are Unix milliseconds passed in by the caller, so that a rebuild from the log
 * reproduces the same tables. Strings handed out by the store are borrowed unless a
 * function says otherwise.
 */

struct gt_store;

/* The schema version this build writes, kept in PRAGMA user_version. */
#define GT_STORE_SCHEMA_VERSION 8
/* Milliseconds a connection waits for a lock held by another connection. */
#define GT_STORE_BUSY_TIMEOUT_MS 5000
/* Longest org-unit name the store accepts. */
#define GT_STORE_MAX_NAME GT_ORGCSV_MAX_NAME
/* Items one pull may return; a request for more (or for 0) is capped to this. */
#define GT_STORE_MAX_PULL_ITEMS 10000u
/* Metadata files in one set, and bytes in one file. */
#define GT_STORE_MAX_META_FILES 1000u
#define GT_STORE_MAX_META_FILE  (4u * 1024u * 1024u)
/* Elements or periods in one report or pull filter. */
#define GT_STORE_MAX_FILTER 10000u

/* ---- Opening and transactions ----------------------------------------------------- */

/* Opens the store at path for writing. With create non-zero a missing file is created and
 * initialized (schema and the national root "ID"); without it a missing file is GT_ENOENT.
 * An older schema is migrated; a newer one is GT_ENOTSUP. The connection uses WAL,
 * synchronous=FULL, foreign keys and a busy timeout. Caller closes *out with
 * gt_store_close(); *out is NULL on failure. */
int gt_store_open(const char *path, int create, struct gt_store **out);

/* Opens an existing store read-only (for pull and report readers on other threads). Write
 * functions on this handle fail with GT_EPERM. Caller closes with gt_store_close(). */
int gt_store_open_readonly(const char *path, struct gt_store **out);

/* Closes the store; an open transaction is rolled back. Accepts NULL. */
void gt_store_close(struct gt_store *st);

/* Returns a sentence describing the last failure on st, for logs; borrowed, valid until the
 * next call on st. Never NULL. */
const char *gt_store_errmsg(const struct gt_store *st);

/* Starts a write transaction (BEGIN IMMEDIATE). Calls that write while no transaction is
 * open run in their own transaction. GT_ESTATE if one is already open. */
int gt_store_begin(struct gt_store *st);

/* Commits the open transaction durably (synchronous=FULL). On failure the transaction is
 * rolled back and nothing of it is stored. */
int gt_store_commit(struct gt_store *st);

/* Rolls back the open transaction; a no-op (0) when none is open. */
int gt_store_rollback(struct gt_store *st);

/* ---- Org units ----------------------------------------------------------------------- */

struct gt_store_orgunit {
	char code[GT_ORGUNIT_MAX_LEN];
	char name[GT_STORE_MAX_NAME + 1];
	int level;                       /* GT_ORGUNIT_LEVEL_* */
	char parent[GT_ORGUNIT_MAX_LEN]; /* "" for the root */
	int tz;                          /* enum gt_tz as recorded; GT_TZ_NONE if none */
};

/* What an org-unit import did, or why it did nothing. */
struct gt_store_import_result {
	size_t added;     /* new units */
	size_t updated;   /* existing units whose name changed */
	size_t unchanged; /* existing units with the same name */
	size_t n_errors;  /* errors listed below (at most GT_ORGCSV_MAX_ERRORS) */
	size_t errors_total;
	struct gt_orgcsv_error errors[GT_ORGCSV_MAX_ERRORS];
};

/* Imports org units from CSV text (header code,name,level[,timezone]; see orgcsv.h). Every
 * district's province must be in the file or already in the store. All or nothing: with any error,
 * nothing is imported, the function returns GT_EINVAL and res lists the errors with their
 * line numbers. Re-import updates names and zones and adds units; it never deletes, and a
 * row without a zone keeps the zone recorded before. res is filled on
 * every return. */
int gt_store_orgunit_import_buf(struct gt_store *st, const uint8_t *buf, size_t len,
                                struct gt_store_import_result *res);

/* As gt_store_orgunit_import_buf(), reading the CSV from a file (at most GT_ORGCSV_MAX_INPUT
 * bytes, else GT_ETOOBIG). */
int gt_store_orgunit_import_file(struct gt_store *st, const char *path,
                                 struct gt_store_import_result *res);

/* Looks up one org unit; GT_ENOENT if unknown. */
int gt_store_orgunit_get(struct gt_store *st, const char *code, struct gt_store_orgunit *out);

/* Callback for org-unit iteration; u is borrowed for the call. Returning non-zero stops the
 * iteration, and the iterating function returns that value. The rows are read before the
 * first call, so the callback may use any store function (e.g. recurse into children). */
typedef int (*gt_store_orgunit_cb)(void *arg, const struct gt_store_orgunit *u);

/* Calls cb for every org unit, root first, then in code order. */
int gt_store_orgunit_foreach(struct gt_store *st, gt_store_orgunit_cb cb, void *arg);

/* Calls cb for each direct child of parent, in code order (none: returns 0 without calls). */
int gt_store_orgunit_children(struct gt_store *st, const char *parent, gt_store_orgunit_cb cb,
                              void *arg);

/* Number of org units, the root included. */
int gt_store_orgunit_count(struct gt_store *st, size_t *count);

/* ---- Keys ------------------------------------------------------------------------------ */

struct gt_store_key {
	char key_id[GT_KEY_ID_LEN + 1];
	uint8_t public_key[GT_ED25519_PUB_LEN];
	char org_unit[GT_ORGUNIT_MAX_LEN];
	unsigned roles;      /* the roles it holds now (roleset.h) */
	unsigned roles_held; /* every role it ever held: its logged batches are checked by these */
	char label[GT_KEYLABEL_MAX]; /* office and person, for people; "" none */
	int64_t added_at_ms;
	int revoked;
	int64_t revoked_at_ms; /* 0 unless revoked */
};

/* Registers a public key (raw 32 bytes) for org_unit (which must exist: else GT_ENOENT) with
 * the role set roles (a valid set, see gt_roleset_valid(), else GT_EINVAL) and label (NULL or
 * "" for none; gt_keylabel_check() must pass, else GT_EINVAL). The key id is derived with
 * gt_key_id_from_public() and copied to key_id_out (optional, GT_KEY_ID_LEN + 1 bytes). A key
 * already registered (even revoked) is GT_EEXIST. Borrowed: everything. */
int gt_store_key_register(struct gt_store *st, const uint8_t public_key[GT_ED25519_PUB_LEN],
                          const char *org_unit, unsigned roles, const char *label, int64_t now_ms,
                          char key_id_out[GT_KEY_ID_LEN + 1]);

/* gt_store_key_register() of one role (ROLE_OPERATOR..ROLE_READER) and no label. */
int gt_store_key_add(struct gt_store *st, const uint8_t public_key[GT_ED25519_PUB_LEN],
                     const char *org_unit, int role, int64_t now_ms,
                     char key_id_out[GT_KEY_ID_LEN + 1]);

/* Adds the roles of set add to a key's roles (GT_EINVAL for an invalid set), logging the
 * change at now_ms. GT_ENOENT for an unknown key, GT_ESTATE for a revoked one. Granting a role
 * the key holds is harmless. */
int gt_store_key_grant(struct gt_store *st, const char *key_id, unsigned add, int64_t now_ms);

/* Takes the roles of set drop from a key (GT_EINVAL for an invalid set). GT_ENOENT for an
 * unknown key; GT_ESTATE for a revoked key, for a role it does not hold, or when no role would
 * be left (revoke the key instead). The key keeps the roles in roles_held, so the batches it
 * signed while it held them still verify. The change is logged at now_ms. */
int gt_store_key_revoke_roles(struct gt_store *st, const char *key_id, unsigned drop,
                              int64_t now_ms);

/* Sets a key's label (gt_keylabel_check() must pass, else GT_EINVAL; "" clears it); works on
 * revoked keys too, whose batches are still named in histories. A label that changes is
 * logged at now_ms as a KEY_LABEL_CHANGED record of the transparency log. GT_ENOENT for an
 * unknown key. */
int gt_store_key_set_label(struct gt_store *st, const char *key_id, const char *label,
                           int64_t now_ms);

/* Copies the label of key_id into out (cap bytes, GT_KEYLABEL_MAX is enough): the name a
 * report, a history or an export (DHIS2 storedBy) gives the key. When the key is unknown or
 * has no label, out is "" and 0 is still returned; GT_ESTORE on a store failure. */
int gt_store_key_label(struct gt_store *st, const char *key_id, char *out, size_t cap);

/* Revokes a key; rows are never deleted. GT_ENOENT for an unknown key, GT_ESTATE for a key
 * already revoked (the first revocation time is kept). */
int gt_store_key_revoke(struct gt_store *st, const char *key_id, int64_t now_ms);

/* Looks up a key (revoked or not); GT_ENOENT if unknown. */
int gt_store_key_get(struct gt_store *st, const char *key_id, struct gt_store_key *out);

/* Callback for key iteration; k is borrowed for the call; non-zero stops and is returned.
 * The rows are read before the first call, so the callback may use any store function. */
typedef int (*gt_store_key_cb)(void *arg, const struct gt_store_key *k);

/* Calls cb for every key in key-id order, revoked keys included. */
int gt_store_key_list(struct gt_store *st, gt_store_key_cb cb, void *arg);

/* Runs sqlite's quick_check on st for at most max_ms (issue 10, item 12): GT_OK if it passed,
 * GT_ECORRUPT with its first finding in why if it found damage, GT_ETIMEDOUT if time ran out
 * before it finished (nothing is known then), or another error. why is always set. */
int gt_store_quick_check(struct gt_store *st, uint32_t max_ms, char *why, size_t why_len);

/* Reads the admin change counter into *seq (0 before the first change): it grows with every
 * key added or revoked, org-unit import and metadata load, and a running server polls it. */
int gt_store_admin_seq(struct gt_store *st, uint64_t *seq);

/* Highest batch sequence stored for key_id, 0 if none. */
int gt_store_key_last_sequence(struct gt_store *st, const char *key_id, uint64_t *seq);

/* ---- Batch log -------------------------------------------------------------------------- */

/*
 * The store persists; it decides nothing. What may be written and when (item checks, revision
 * precedence, transitions, locks, expiry) is server/rules.c, which calls the functions below
 * inside one scope per batch.
 */

/* A write scope for one batch: a SAVEPOINT inside the open transaction, or a transaction of
 * its own when none is open. */
struct gt_store_scope {
	int own;
	uint64_t saved_seq;
};

/* Enters a scope; every successful enter is paired with gt_store_scope_leave(). */
int gt_store_scope_enter(struct gt_store *st, struct gt_store_scope *sc);

/* Leaves the scope: keeps its writes when rc is 0, else undoes them (and the change counter):
 * other batches of the open transaction are untouched. Returns rc, or the commit's error. */
int gt_store_scope_leave(struct gt_store *st, struct gt_store_scope *sc, int rc);

/* Looks up a logged batch by the SHA-256 of its bytes: *log_index is its position, or 0 when
 * it is not in the log. */
int gt_store_log_lookup(struct gt_store *st, const uint8_t hash[GT_SHA256_LEN],
                        uint64_t *log_index);

/* Looks up the batch key_id logged with sequence: *log_index is its position, or 0. */
int gt_store_log_by_sequence(struct gt_store *st, const char *key_id, uint64_t sequence,
                             uint64_t *log_index);

/* One batch for the log. Borrowed for the call. */
struct gt_store_log_in {
	const uint8_t *hash; /* SHA-256 of the bytes, GT_SHA256_LEN bytes */
	const char *key_id;
	uint64_t sequence; /* 1 .. INT64_MAX */
	const char *org_unit;
	const uint8_t *bytes; /* the batch exactly as signed; NULL (len 0): keep the hash, the
	                       * header and the outcome only (a batch of which nothing applied) */
	size_t len;
	const uint8_t *signature;
	size_t sig_len;
	int64_t received_at_ms;
};

/* Appends a batch to the log; *log_index is its position. The same hash or (key, sequence)
 * twice is GT_EEXIST (the caller looks both up first). */
int gt_store_log_append(struct gt_store *st, const struct gt_store_log_in *in, uint64_t *log_index);

/* Import counts, DHIS2-style, for one kind of item. */
struct gt_store_counts {
	uint32_t imported; /* new key (or a deleted key written again) */
	uint32_t updated;  /* existing key changed */
	uint32_t deleted;  /* soft delete */
	uint32_t ignored;  /* skipped: see the conflicts */
};

/* Items of one kind skipped for one reason; indexes ascending into the batch's list. */
struct gt_store_conflict {
	int reason; /* Gtsync__V1__ConflictReason */
	int kind;   /* Gtsync__V1__ItemKind */
	uint32_t *indexes;
	size_t n_indexes;
	const char *message; /* the first item and the cause in words; "" when none was kept */
};

/* The outcome of applying a batch. conflicts, their indexes and messages are one allocation
 * owned by the struct (free with gt_store_batch_out_free()). */
struct gt_store_batch_out {
	int status; /* PUSH_OK, PUSH_WARNING, PUSH_DUPLICATE, or PUSH_REFUSED on error */
	uint64_t log_index;
	struct gt_store_counts values;
	struct gt_store_counts completions;
	struct gt_store_counts actions;      /* applied actions count as imported */
	struct gt_store_conflict *conflicts; /* grouped by kind, then reason */
	size_t n_conflicts;
};

/* Longest conflict message kept with an outcome, in bytes including the NUL. */
#define GT_STORE_MAX_CONFLICT_MESSAGE 512u

/* Keeps the outcome of a batch's first application with its log entry, so that a duplicate is
 * answered with it. Indexes are kept as runs, so a batch refused whole costs a few bytes. */
int gt_store_log_outcome_save(struct gt_store *st, uint64_t log_index,
                              const struct gt_store_batch_out *out);

/* Restores the kept outcome into out (counts, conflicts, messages); status and log_index are
 * the caller's. A missing or malformed outcome leaves out empty. Caller frees out. */
int gt_store_log_outcome_load(struct gt_store *st, uint64_t log_index,
                              struct gt_store_batch_out *out);

/* Frees the conflict lists of out and resets it; accepts NULL. */
void gt_store_batch_out_free(struct gt_store_batch_out *out);

/* ---- Items of a batch --------------------------------------------------------------------- */

/* What is stored under one value key, for the revision rule. */
struct gt_store_value_head {
	int exists;
	int deleted;
	uint64_t revision;
	uint8_t origin_batch[GT_SHA256_LEN];
};

/* Reads the head of the value key (element, period, org unit, combo); exists 0 when none. */
int gt_store_value_head(struct gt_store *st, const char *data_element, const char *period,
                        const char *org_unit, const char *coc, struct gt_store_value_head *out);

/* One value to store. Borrowed for the call. */
struct gt_store_value_in {
	const char *data_element;
	const char *period;
	const char *org_unit;
	const char *coc;
	const char *value;
	const char *comment;
	uint64_t revision; /* at most INT64_MAX, else GT_EINVAL */
	int deleted;
	const uint8_t *origin_batch; /* GT_SHA256_LEN bytes */
	int64_t at_ms;
	int exists; /* 1: the caller read the key's head in this transaction and found it stored,
	             * so the row is updated in place (one lookup fewer than the upsert) */
};

/* Stores the value under its key, replacing what was there, with the next change number;
 * the key's creation time is kept unless the stored value was deleted. */
int gt_store_value_put(struct gt_store *st, const struct gt_store_value_in *v);

/* Sums the non-deleted numeric values of element at (period, org_unit), over the option coc
 * or (coc NULL) over every option: *count is how many there are (0: none recorded). */
int gt_store_value_sum(struct gt_store *st, const char *data_element, const char *coc,
                       const char *period, const char *org_unit, double *sum, uint32_t *count);

/* Stores a completion registration (the last one stored wins); *existed says whether one was
 * stored for the key before. */
int gt_store_completion_put(struct gt_store *st, const char *dataset, const char *period,
                            const char *org_unit, int completed, const uint8_t *origin_batch,
                            int64_t at_ms, int *existed);

/* One workflow event to record; borrowed for the call. */
struct gt_store_wfevent_in {
	const char *dataset;
	const char *period;
	const char *org_unit;
	int kind; /* Gtsync__V1__WorkflowKind */
	const char *key_id;
	int64_t at_ms;
	const char *reason;
	const uint8_t *data_digest; /* NULL, or GT_SHA256_LEN bytes */
	const char *open_until;     /* "" or NULL when none */
	const char *acknowledged;   /* rule codes joined by ","; "" or NULL when none */
	const uint8_t *origin_batch;
};

/* Records a workflow event with the next change number. */
int gt_store_workflow_event_add(struct gt_store *st, const struct gt_store_wfevent_in *e);

/* Sets the ApprovalState of (dataset, period, org_unit). */
int gt_store_workflow_state_set(struct gt_store *st, const char *dataset, const char *period,
                                const char *org_unit, int state, int64_t at_ms);

/* Finds the latest event of kind for (dataset, period, org_unit): *found 1 and, for an
 * open-late event, its last day in open_until (YYYY-MM-DD; "" otherwise); *found 0 when none. */
int gt_store_workflow_last(struct gt_store *st, const char *dataset, const char *period,
                           const char *org_unit, int kind, int *found, char open_until[16]);

/* One log entry; pointers borrowed for the callback only. */
struct gt_store_log_entry {
	uint64_t log_index;
	const uint8_t *batch;
	size_t len;
	const uint8_t *signature;
	size_t sig_len;
	uint8_t hash[GT_SHA256_LEN];
	const char *key_id;
	uint64_t sequence;
	const char *org_unit;
	int64_t received_at_ms;
};

/* Callback for log iteration; non-zero stops and is returned. The callback may call any
 * store function on st (rebuild applies each entry again). An entry that kept only its hash
 * (nothing of it applied) has len 0. */
typedef int (*gt_store_log_cb)(void *arg, const struct gt_store_log_entry *e);

/* Calls cb for every log entry with log_index > after, in log order. */
int gt_store_log_foreach(struct gt_store *st, uint64_t after, gt_store_log_cb cb, void *arg);

/* Calls cb once for the logged batch with this hash; GT_ENOENT if none. */
int gt_store_log_find(struct gt_store *st, const uint8_t hash[GT_SHA256_LEN], gt_store_log_cb cb,
                      void *arg);

/* Number of logged batches. */
int gt_store_log_count(struct gt_store *st, uint64_t *count);

/* Starts a rebuild: opens a transaction (if none is open) and clears every table derived
 * from the log (values, completions, workflow events and state) and the change counter.
 * The caller then re-applies each logged batch and commits, or rolls back to keep the old
 * tables. */
int gt_store_rebuild_begin(struct gt_store *st);

/* ---- Transparency log (server/store_tree.c) ------------------------------------------ */

/*
 * The log is an RFC 9162 Merkle tree with one leaf per logged entry (a batch as it is
 * appended to the batch log, in the same transaction; a key record), specified in
 * docs/PROTOCOL.md. Sizes count leaves; a leaf's position starts at 0.
 */

/* Sets the key (borrowed, a private key; NULL for none) that signs the key records this
 * handle appends: the server's signing key. Without one, key records carry no signature. */
void gt_store_set_signer(struct gt_store *st, const struct gt_key *signer);

/* As gt_store_set_signer(), the store taking signer: gt_store_close() frees it. */
void gt_store_take_signer(struct gt_store *st, struct gt_key *signer);

/* Number of leaves in the tree. */
int gt_store_tree_size(struct gt_store *st, uint64_t *size);

/* The current size and root, from one read snapshot. */
int gt_store_tree_head(struct gt_store *st, uint64_t *size, uint8_t root[GT_MERKLE_HASH_LEN]);

/* The root of the tree's first size leaves; GT_EINVAL for a size beyond the tree. */
int gt_store_tree_root(struct gt_store *st, uint64_t size, uint8_t root[GT_MERKLE_HASH_LEN]);

/* The inclusion proof of leaf in the tree's first size leaves, into proof[0..*n). */
int gt_store_tree_inclusion(struct gt_store *st, uint64_t leaf, uint64_t size,
                            uint8_t proof[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN], size_t *n);

/* The consistency proof from the first old_size leaves to the first size, into
 * proof[0..*n). */
int gt_store_tree_consistency(struct gt_store *st, uint64_t old_size, uint64_t size,
                              uint8_t proof[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN], size_t *n);

/* The entry of leaf (its kind byte first) into a new buffer *entry of *len bytes; caller
 * frees. GT_ENOENT for a leaf beyond the tree, GT_ECORRUPT for one whose batch is gone. */
int gt_store_tree_entry(struct gt_store *st, uint64_t leaf, uint8_t **entry, size_t *len);

/* One leaf of the transparency log as gt_store_log_leaves() reads it. Borrowed for the
 * callback. A key record (kind 2) has its entry; a batch (kind 1) its org unit, log index,
 * hash, signature and bytes (its entry is gt_logleaf_batch() of hash and signature), or none
 * of them (hash NULL) when the log lost the batch behind the leaf. */
struct gt_store_leaf {
	uint64_t leaf;
	int kind; /* enum gt_logleaf_kind */
	const uint8_t *entry;
	size_t entry_len;
	const char *org_unit;
	uint64_t log_index;
	const uint8_t *hash; /* GT_SHA256_LEN bytes */
	const uint8_t *signature;
	size_t sig_len;
	const uint8_t *batch;
	size_t len;
	int64_t received_at_ms; /* a batch's: when the server received it */
};

/* Called for each leaf; returns 0 to go on, a positive number to stop, or a GT_E* code. */
typedef int (*gt_store_leaf_cb)(void *arg, const struct gt_store_leaf *e);

/* Calls cb, in leaf order, for the leaves from start to end (excluded) that are key records,
 * or batches kept with their bytes whose org unit is org_root or below it (the log behind a
 * subtree's figures, issue 14), or batches the log lost (whose unit is not known). One read
 * snapshot when none is open. 0 (also when cb stopped the walk), cb's error, or a store error. */
int gt_store_log_leaves(struct gt_store *st, const char *org_root, uint64_t start, uint64_t end,
                        gt_store_leaf_cb cb, void *arg);

/* The leaf of logged batch log_index; GT_ENOENT when it has none. */
int gt_store_tree_leaf_of(struct gt_store *st, uint64_t log_index, uint64_t *leaf);

/* What gt_store_tree_check() found. */
struct gt_store_tree_check {
	uint64_t leaves;  /* leaves read */
	uint64_t batches; /* of them batches */
	uint64_t keys;    /* of them key records */
	char why[192];    /* the first disagreement, or "" */
};

/* Recomputes the tree from the log: every leaf from the batch it names (or its own entry),
 * every node from its leaves, compared with the stored ones; every batch must have its leaf,
 * in log order. Returns 0 when all agree, GT_ECORRUPT with out->why when they do not. */
int gt_store_tree_check(struct gt_store *st, struct gt_store_tree_check *out);

/* ---- Workflow records (the rules live in server/rules.c) ------------------------------- */

/* Reads the ApprovalState of (dataset, period, org_unit); APPROVAL_OPEN when none stored. */
int gt_store_workflow_state_get(struct gt_store *st, const char *dataset, const char *period,
                                const char *org_unit, int *state);

/* One workflow event; strings borrowed for the callback. */
struct gt_store_wfevent {
	uint64_t id;
	const char *dataset;
	const char *period;
	const char *org_unit;
	int kind; /* Gtsync__V1__WorkflowKind */
	const char *key_id;
	int64_t at_ms;
	const char *reason;
	const uint8_t *data_digest; /* NULL when the action carried none */
	const char *open_until;     /* "" unless an open-late event */
	const char *acknowledged;   /* rule codes joined by ","; "" when none */
	uint8_t origin_batch[GT_SHA256_LEN];
	uint64_t change_seq;
};

/* Callback for events; non-zero stops and is returned. Like every callback below that is
 * called while its query runs (events, sums, values, units), it may call other store
 * functions on the handle, but not the function that called it. */
typedef int (*gt_store_wfevent_cb)(void *arg, const struct gt_store_wfevent *e);

/* Calls cb for the latest last events of (dataset, period, org_unit) (0: every event), oldest
 * first; *total (optional) is how many are recorded in all. */
int gt_store_workflow_events(struct gt_store *st, const char *dataset, const char *period,
                             const char *org_unit, uint32_t last, uint64_t *total,
                             gt_store_wfevent_cb cb, void *arg);

/* ---- Values, pull ---------------------------------------------------------------------- */

/* One stored data value. */
struct gt_store_value {
	const char *data_element;
	const char *coc;
	const char *org_unit;
	const char *period;
	const char *value;
	const char *comment;
	uint64_t revision;
	int deleted;
	uint8_t origin_batch[GT_SHA256_LEN];
	int64_t created_at_ms; /* when the key was first stored */
	int64_t updated_at_ms;
	uint64_t change_seq;
};

struct gt_store_completion {
	const char *dataset;
	const char *period;
	const char *org_unit;
	int completed;
	int64_t at_ms;
	uint8_t origin_batch[GT_SHA256_LEN];
	uint64_t change_seq;
};

struct gt_store_wfstate {
	const char *dataset;
	const char *period;
	const char *org_unit;
	int state; /* Gtsync__V1__ApprovalState */
	int64_t updated_at_ms;
	uint64_t change_seq;
};

/* Optional filters for a pull; NULL/0 fields filter nothing. */
struct gt_store_pull_filter {
	const char *const *elements; /* values of these data elements only */
	size_t n_elements;
	const char *dataset; /* completions and workflow states of this data set only */
};

struct gt_store_arena;

/* The result of a pull; everything it points to lives until gt_store_pull_free(). */
struct gt_store_pull_out {
	struct gt_store_value *values;
	size_t n_values;
	struct gt_store_completion *completions;
	size_t n_completions;
	struct gt_store_wfstate *states;
	size_t n_states;
	uint64_t next_cursor; /* pass back as cursor; equals cursor when nothing was returned */
	int more;             /* more changes are waiting after next_cursor */
	struct gt_store_arena *arena;
};

/* Returns the changes (values, completions, workflow states) whose org unit is org_root or
 * below it and whose change_seq is above cursor, in change_seq order, at most max_items of
 * them (0 or above GT_STORE_MAX_PULL_ITEMS: that limit). Reads one consistent snapshot.
 * filter may be NULL. Caller frees out with gt_store_pull_free(). */
int gt_store_pull(struct gt_store *st, const char *org_root, uint64_t cursor, uint32_t max_items,
                  const struct gt_store_pull_filter *filter, struct gt_store_pull_out *out);

/* Frees a pull result and resets it; accepts NULL. */
void gt_store_pull_free(struct gt_store_pull_out *out);

/* The highest change_seq assigned so far. */
int gt_store_change_seq(struct gt_store *st, uint64_t *seq);

/* ---- Report primitives ----------------------------------------------------------------- */

/* What a report asks for: an org subtree, data elements and the stored period ids that roll
 * up into the report period (the caller expands them, e.g. with gt_period_months). */
struct gt_store_report_query {
	const char *org_root;
	const char *const *elements;
	size_t n_elements;
	const char *const *periods;
	size_t n_periods;
	int by_child; /* group by the child of org_root (its own values: org_root itself) */
};

/* Callback for sums: child is NULL unless the query groups by child. Non-zero stops. */
typedef int (*gt_store_sum_cb)(void *arg, const char *element, const char *coc, const char *child,
                               double sum, uint32_t count);

/* Sums the non-deleted numeric values of the query, grouped by (element, coc[, child]), in
 * that order. Non-numeric values are not counted. */
int gt_store_sum(struct gt_store *st, const struct gt_store_report_query *q, gt_store_sum_cb cb,
                 void *arg);

/* Callback for value iteration; v is borrowed for the call. Non-zero stops. */
typedef int (*gt_store_value_cb)(void *arg, const struct gt_store_value *v);

/* Calls cb for each non-deleted value of the query (for elements aggregated "none"), in
 * (element, period, org unit, coc) order; by_child is ignored. */
int gt_store_values_foreach(struct gt_store *st, const struct gt_store_report_query *q,
                            gt_store_value_cb cb, void *arg);

/* Callback for reporting units: how many non-deleted values the unit has for the query,
 * when the first of them was first stored and the latest change. */
typedef int (*gt_store_unit_cb)(void *arg, const char *org_unit, uint32_t count,
                                int64_t first_at_ms, int64_t last_at_ms);

/* Calls cb for each org unit of the subtree that has any non-deleted value for the query's
 * elements and periods, in code order (for completeness and timeliness). */
int gt_store_reported_units(struct gt_store *st, const struct gt_store_report_query *q,
                            gt_store_unit_cb cb, void *arg);

/* One non-deleted value of a report pass; strings borrowed for the callback. */
struct gt_store_row {
	const char *element; /* the query's entry (borrowed from q) */
	const char *coc;
	const char *org_unit;
	const char *period;
	int has_num; /* 0 for a value that is not a number: num is then 0 */
	double num;
	const char *text;      /* the value as stored when has_num is 0, else NULL */
	int64_t created_at_ms; /* when the value's key was first stored */
	int64_t updated_at_ms;
	const void *priv; /* the store's, for gt_store_row_comment() */
};

/* The comment of row's value ("" for none), borrowed for the callback. Read only when asked: a
 * report takes it for the few cells that hold one value, not for every row. */
const char *gt_store_row_comment(const struct gt_store_row *row);

/* Callback for report rows; non-zero stops. */
typedef int (*gt_store_row_cb)(void *arg, const struct gt_store_row *row);

/* Calls cb for each non-deleted value of the query's elements, periods and subtree: element
 * by element in the order of q->elements (cb's element is that entry, borrowed from q), each
 * in (period, org unit, coc) order. This is the one pass a report needs, aggregated by the
 * caller; by_child is ignored. */
int gt_store_report_rows(struct gt_store *st, const struct gt_store_report_query *q,
                         gt_store_row_cb cb, void *arg);

/* Callback for completed units: one call per (org unit, period) registered complete. */
typedef int (*gt_store_completed_cb)(void *arg, const char *org_unit, const char *period,
                                     int64_t at_ms);

/* Calls cb for each (org unit in the subtree, period of the query) whose dataset is
 * registered complete, in (org unit, period) order. */
int gt_store_completed_units(struct gt_store *st, const struct gt_store_report_query *q,
                             const char *dataset, gt_store_completed_cb cb, void *arg);

/* Callback for units that have an event of some kind: one call per (org unit, period). */
typedef int (*gt_store_unit_period_cb)(void *arg, const char *org_unit, const char *period);

/* Calls cb once for each (org unit in the query's subtree, period of the query) with an event
 * of kind for dataset, in (org unit, period) order (the query's elements are not used). */
int gt_store_workflow_units(struct gt_store *st, const struct gt_store_report_query *q,
                            const char *dataset, int kind, gt_store_unit_period_cb cb, void *arg);

/* Where the store stood for a cached report: the change counter (values, completions,
 * workflow) and the admin counter (keys, org units, metadata), read in one snapshot. */
struct gt_store_stamp {
	uint64_t change_seq;
	uint64_t admin_seq;
};

/* Reads the store's stamp into *now and sets *changed when anything a report of dataset over
 * periods[0..n) reads may have changed since change_seq since: a value of one of those periods
 * (any element: validation rules may read others), a workflow event or state or a completion
 * of the data set (any period: nil reports of coarser periods count), or a change counter
 * that went back (a rebuild). The admin counter is only reported: the caller compares it.
 * Costs what changed since, not the size of the tables; since UINT64_MAX reads the stamp
 * alone (*changed is then set). */
int gt_store_report_changed(struct gt_store *st, uint64_t since, const char *dataset,
                            const char *const *periods, size_t n, struct gt_store_stamp *now,
                            int *changed);

/* Opens a read transaction on st when none is open, so that the reads until
 * gt_store_reading_end() see one state of the store (a report's many queries agree with the
 * stamp read first); *own says whether this call opened it. */
int gt_store_reading_begin(struct gt_store *st, int *own);

/* Ends the read transaction gt_store_reading_begin() opened, when own is set. */
void gt_store_reading_end(struct gt_store *st, int own);

/* Callback for changed values: the key of a value (strings borrowed for the call). Non-zero
 * stops, and is returned. */
typedef int (*gt_store_changed_cb)(void *arg, const char *element, const char *period,
                                   const char *org_unit);

/* Calls cb with the key of each value (deleted ones included) of one of periods[0..n) stored
 * or changed after change_seq since, in change order. Walks the change_seq index from since,
 * so it costs what changed since, not the size of the table. */
int gt_store_changed_values(struct gt_store *st, uint64_t since, const char *const *periods,
                            size_t n, gt_store_changed_cb cb, void *arg);

/* Calls cb for each non-deleted value of element in period whose org unit is org_root or
 * below it, in (org unit, coc) order, as gt_store_report_rows() gives rows (cb's element is
 * element): one period of one element's cells for one part of a subtree. */
int gt_store_report_cell_rows(struct gt_store *st, const char *element, const char *period,
                              const char *org_root, gt_store_row_cb cb, void *arg);

/* Sets *count to the number of non-deleted values org_unit itself (not the units below it) has
 * for q's elements and periods, and *first_ms to when the first of them was stored (0 for
 * none); q->org_root is not used. */
int gt_store_unit_values(struct gt_store *st, const struct gt_store_report_query *q,
                         const char *org_unit, uint32_t *count, int64_t *first_ms);

/* Callback for approval states: a unit and its state. Non-zero stops, and is returned. */
typedef int (*gt_store_state_cb)(void *arg, const char *org_unit, int state);

/* Calls cb with each approval state recorded for dataset and period at org_root or a unit
 * below it, in org-unit order: a subtree's states in one range scan. */
int gt_store_workflow_states(struct gt_store *st, const char *dataset, const char *period,
                             const char *org_root, gt_store_state_cb cb, void *arg);

/* Attaches p to the handle, freed by free_fn (may be NULL) when the handle is closed or
 * another is attached: a reader's cache lives as long as its handle. p is owned by st. */
void gt_store_attach(struct gt_store *st, void *p, void (*free_fn)(void *));

/* What is attached to the handle, or NULL; borrowed. */
void *gt_store_attached(struct gt_store *st);

/* ---- Metadata ---------------------------------------------------------------------------- */

struct gt_store_metafile {
	const char *name;
	const uint8_t *content;
	size_t len;
	uint8_t sha256[GT_SHA256_LEN]; /* filled by the store on get; ignored on put */
};

/* The stored metadata set; owned by the caller after gt_store_metadata_get(). */
struct gt_store_metadata {
	uint64_t version; /* 0: nothing loaded yet */
	uint8_t digest[GT_SHA256_LEN];
	int64_t loaded_at_ms;
	struct gt_store_metafile *files;
	size_t n_files;
};

/* Replaces the stored metadata files with files[0..n) (names unique and non-empty, else
 * GT_EINVAL) in one transaction, records digest (the caller's digest of the whole set) and
 * bumps the version, returned in *version. */
int gt_store_metadata_put(struct gt_store *st, const struct gt_store_metafile *files, size_t n,
                          const uint8_t digest[GT_SHA256_LEN], int64_t now_ms, uint64_t *version);

/* Reads the current metadata set (files in name order). version 0 and no files when none
 * was ever loaded. Caller frees out with gt_store_metadata_free(). */
int gt_store_metadata_get(struct gt_store *st, struct gt_store_metadata *out);

/* Frees what gt_store_metadata_get() returned and resets it; accepts NULL. */
void gt_store_metadata_free(struct gt_store_metadata *md);

/* ---- The batch journal (server/blog.h, server/store_blog.c) ---- */

/* The journal position the store has applied (0, 0 when none is recorded). */
int gt_store_blog_pos(struct gt_store *st, uint64_t *gen, uint64_t *off);

/* Records, inside the open transaction, that the journal of generation gen is applied up to
 * off. */
int gt_store_blog_mark(struct gt_store *st, uint64_t gen, uint64_t off);

/* The same with its statement prepared once, for the writer's every group: opened on st
 * (borrowed; close the marker before st). Close accepts NULL. */
struct gt_store_blog_marker;
int gt_store_blog_marker_open(struct gt_store *st, struct gt_store_blog_marker **out);
int gt_store_blog_marker_set(struct gt_store_blog_marker *m, uint64_t gen, uint64_t off);
void gt_store_blog_marker_close(struct gt_store_blog_marker *m);

/* Sets whether the next commits sync sqlite's WAL (full, the default) or leave it to the
 * next checkpoint (the journalled path: the batch journal was synced instead). Outside a
 * transaction. */
int gt_store_set_sync(struct gt_store *st, int full);

#endif
