/* Internals shared by the store modules (server/store*.c) only: the handle, SQL, helpers. */
#ifndef GT_STORE_IMPL_H
#define GT_STORE_IMPL_H

#include "merkle.h"
#include "sqldb.h"
#include "store.h"

/* Every SQL statement of the store, prepared on first use and cached by the handle's sqldb
 * (transactions are sqldb's). */
enum gt__store_sql {
	/* change counter */
	Q_SEQ_GET,
	Q_SEQ_SET,
	Q_ADMIN_GET,
	Q_ADMIN_BUMP,
	/* org units */
	Q_OU_GET,
	Q_OU_ALL,
	Q_OU_CHILDREN,
	Q_OU_COUNT,
	Q_OU_UPSERT,
	/* keys */
	Q_KEY_INS,
	Q_KEY_GET,
	Q_KEY_LIST,
	Q_KEY_REVOKE,
	Q_KEY_ROLES,
	Q_KEY_LABEL,
	Q_KEY_LASTSEQ,
	/* batch log */
	Q_LOG_BY_HASH,
	Q_LOG_BY_KEYSEQ,
	Q_LOG_INS,
	Q_LOG_NEXT,
	Q_LOG_FIND,
	Q_LOG_COUNT,
	/* derived tables */
	Q_DV_UPSERT,
	Q_DV_UPDATE,
	Q_DV_HEAD,
	Q_DV_SUM,
	Q_CO_GET,
	Q_CO_UPSERT,
	Q_WE_INS,
	Q_WE_LIST,
	Q_WE_COUNT,
	Q_WE_LAST,
	Q_WE_UNITS,
	Q_WS_GET,
	Q_WS_UPSERT,
	/* pull and reports */
	Q_PULL_DV,
	Q_PULL_CO,
	Q_PULL_WS,
	Q_SUM,
	Q_SUM_CHILD,
	Q_VALUES,
	Q_UNITS,
	Q_ROWS,
	Q_COMPLETED,
	Q_CHANGED_DV,
	Q_CHANGED_WE,
	Q_CHANGED_WS,
	Q_CHANGED_CO,
	Q_CHANGED_KEYS,
	Q_ROWS_CELL,
	Q_UNIT_VALUES,
	Q_WS_SUBTREE,
	/* metadata */
	Q_META_VERSION,
	Q_META_DEL,
	Q_META_INS,
	Q_META_VER_INS,
	Q_META_FILES,
	Q_LOG_OUTCOME_SET,
	Q_LOG_OUTCOME_GET,
	/* transparency log (server/store_tree.c) */
	Q_TREE_SIZE,
	Q_TREE_NODES,
	Q_TREE_LEAF_INS,
	Q_TREE_LEAF_OF,
	Q_TREE_NODE_GET,
	Q_TREE_NODE_PUT,
	Q_TREE_ENTRY,
	Q_COUNT
};

struct gt_store {
	struct gt_sqldb *sdb; /* the connection, its statements and the last error's sentence */
	sqlite3 *db;          /* sdb's sqlite handle (borrowed), for what sqldb does not wrap */
	int readonly;
	const struct gt_key *signer; /* signs key records of the transparency log */
	struct gt_key *signer_owned; /* the same when the store owns it, else NULL */
	uint64_t change_seq;         /* last assigned; valid inside a write transaction */
	/* Reused buffers, so that steady-state work allocates nothing. */
	uint8_t *copy; /* log entries copied out of sqlite */
	size_t copy_cap;
	char *json[2]; /* filter lists as JSON arrays */
	size_t json_cap[2];
	/* What a reader of the handle keeps beside it (server/report_cache.c), freed with it. */
	void *attached;
	void (*attached_free)(void *);
};

/* Opens an empty in-memory database as a writable store handle, configured like any other
 * (functions, pragmas) but without a schema: the caller fills it (server/store_ops.c copies a
 * store into it). Caller closes with gt_store_close(). */
int gt__store_open_memory(struct gt_store **out);

/* Returns the cached statement id, reset and unbound, preparing it on first use; NULL with
 * the error as the last failure (gt_store_errmsg()). */
sqlite3_stmt *gt__store_q(struct gt_store *st, enum gt__store_sql id);

/* As gt__store_q(), but with the previous bindings left: the caller binds every parameter. */
sqlite3_stmt *gt__store_q_bound(struct gt_store *st, enum gt__store_sql id);

/* Records sqlite's message for a failed rc as the last error and returns the GT_E* code. */
int gt__store_sqlerr(struct gt_store *st, int rc, const char *what);

/* Records a message (printf-like) as the last error and returns code. */
int gt__store_err(struct gt_store *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Steps a statement that returns no row (or whose rows are ignored) and resets it. */
int gt__store_run(struct gt_store *st, sqlite3_stmt *s, const char *what);

/* Opens a read scope for a multi-statement read (BEGIN when no transaction is open), so
 * the statements see one snapshot; *own says whether gt__store_read_end() must end it. */
int gt__store_read_begin(struct gt_store *st, int *own);
void gt__store_read_end(struct gt_store *st, int own);

/* Writes the change counter to the store (inside a write scope). */
int gt__store_seq_save(struct gt_store *st);

/* Counts one more admin change (a key added or revoked, org units imported, metadata loaded)
 * inside the caller's transaction, so a running server notices it (gt_store_admin_seq()). */
int gt__store_admin_bump(struct gt_store *st);

/* Encodes strs[0..n) as a JSON array in the handle's buffer slot (0 or 1), for json_each();
 * *out is NULL when strs is NULL. Valid until the next call for that slot. */
int gt__store_json_list(struct gt_store *st, int slot, const char *const *strs, size_t n,
                        const char **out);

/* Subtree bounds for org_root: root is NULL for "ID" (everything), else the code; lo and hi
 * bound the codes strictly below it ("53." <= code < "53/"). */
struct gt__store_subtree {
	const char *root;
	char lo[GT_ORGUNIT_MAX_LEN + 1];
	char hi[GT_ORGUNIT_MAX_LEN + 1];
};

/* Fills t for org_root; GT_EINVAL for a malformed code. */
int gt__store_subtree(struct gt_store *st, const char *org_root, struct gt__store_subtree *t);

/* Binds t to parameters first, first + 1, first + 2 of s. */
int gt__store_bind_subtree(sqlite3_stmt *s, int first, const struct gt__store_subtree *t);

/* Runs cached query q, which returns one integer (a count), into *out; what names it in the
 * error message. */
int gt__store_count(struct gt_store *st, int q, const char *what, uint64_t *out);

/* Appends leaf number size (the tree's size) to the transparency log's tree inside the open
 * transaction: its row (kind, the batch's log_index or 0, the entry bytes for entries the log
 * does not hold, else NULL) and the complete-subtree nodes it closes. */
int gt__store_tree_append(struct gt_store *st, uint64_t size, int kind, uint64_t log_index,
                          const uint8_t *entry, size_t len,
                          const uint8_t leaf_hash[GT_MERKLE_HASH_LEN]);

/* Appends the leaf of logged batch log_index as leaf number size: a kind 3 entry of its hash,
 * the time the server received it and its signature (common/logleaf.h), all as the log
 * stores them, so that a replay of the log writes the same leaf. */
int gt__store_tree_append_batch(struct gt_store *st, uint64_t size, uint64_t log_index,
                                const uint8_t hash[GT_SHA256_LEN], int64_t received_at_ms,
                                const uint8_t *sig, size_t sig_len);

/* Appends a key record (action, the key as it is after the change, at_ms) to the
 * transparency log, signed by the store's signer (gt_store_set_signer()). */
int gt__store_tree_append_key(struct gt_store *st, int action, const struct gt_store_key *k,
                              int64_t at_ms);

/* Builds the tree over the whole batch log, in log order (the migration to schema 6). */
int gt__store_tree_build(struct gt_store *st);

#endif
