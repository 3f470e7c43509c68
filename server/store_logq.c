/* Store: the leaves of the transparency log behind a subtree's figures, read in leaf order
 * (the signed batches of the subtree's units with their bytes, and every key record). */
#include "store_impl.h"

#include <string.h>

#include "error.h"
#include "logleaf.h"

/* Leaves from ?1 to ?2 (node ids of level 0): key records; a batch's leaf when the batch kept
 * its bytes and its org unit is in the subtree bound to ?3..?5, or when the log lost the batch
 * (its row is gone). */
static const char leaves_sql[] =
    "SELECT t.id >> 6, t.kind, t.entry, b.org_unit, b.log_index, b.batch_hash, b.signature, "
    "b.batch, b.received_at_ms FROM log_tree AS t LEFT JOIN batch_log AS b ON b.log_index = "
    "t.log_index "
    "WHERE t.id >= ?1 AND t.id < ?2 AND (t.id & 63) = 0 AND (t.kind = 2 OR "
    "(t.kind IN (1, 3) AND (b.log_index IS NULL OR length(b.batch) > 0 AND (?3 IS NULL OR "
    "b.org_unit = "
    "?3 OR "
    "(b.org_unit >= ?4 AND b.org_unit < ?5))))) ORDER BY t.id";

/* Fills e from the current row; 0, or GT_ECORRUPT for a batch row whose hash or signature
 * has the wrong length. */
static int row_entry(struct gt_store *st, sqlite3_stmt *s, struct gt_store_leaf *e)
{
	memset(e, 0, sizeof(*e));
	e->leaf = (uint64_t)sqlite3_column_int64(s, 0);
	e->kind = sqlite3_column_int(s, 1);
	if (!gt_logleaf_is_batch(e->kind)) {
		e->entry = sqlite3_column_blob(s, 2);
		e->entry_len = (size_t)sqlite3_column_bytes(s, 2);
		return 0;
	}
	if (sqlite3_column_type(s, 4) == SQLITE_NULL)
		return 0; /* the log lost the batch: no hash, no bytes */
	e->org_unit = (const char *)sqlite3_column_text(s, 3);
	e->log_index = (uint64_t)sqlite3_column_int64(s, 4);
	if (sqlite3_column_bytes(s, 5) != GT_SHA256_LEN ||
	    sqlite3_column_bytes(s, 6) > (int)GT_ED25519_SIG_LEN)
		return gt__store_err(st, GT_ECORRUPT, "leaf %llu names a batch the log lacks",
		                     (unsigned long long)e->leaf);
	e->hash = sqlite3_column_blob(s, 5);
	e->signature = sqlite3_column_blob(s, 6);
	e->sig_len = (size_t)sqlite3_column_bytes(s, 6);
	e->batch = sqlite3_column_blob(s, 7);
	e->len = (size_t)sqlite3_column_bytes(s, 7);
	e->received_at_ms = sqlite3_column_int64(s, 8);
	return 0;
}

int gt_store_log_leaves(struct gt_store *st, const char *org_root, uint64_t start, uint64_t end,
                        gt_store_leaf_cb cb, void *arg)
{
	struct gt__store_subtree t;
	struct gt_store_leaf e;
	sqlite3_stmt *s = NULL;
	int rc, own;

	if (cb == NULL || org_root == NULL)
		return gt__store_err(st, GT_EINVAL, "no subtree or callback");
	if (end > ((uint64_t)1 << 56))
		end = (uint64_t)1 << 56;
	if (start >= end)
		return 0;
	if ((rc = gt__store_subtree(st, org_root, &t)) != 0)
		return rc;
	if ((rc = gt__store_read_begin(st, &own)) != 0)
		return rc;
	rc = sqlite3_prepare_v2(st->db, leaves_sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		rc = gt__store_sqlerr(st, rc, "reading the transparency log");
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)(start << 6));
	sqlite3_bind_int64(s, 2, (sqlite3_int64)(end << 6));
	gt__store_bind_subtree(s, 3, &t);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop = row_entry(st, s, &e);

		if (stop == 0)
			stop = cb(arg, &e);
		if (stop != 0) {
			rc = stop > 0 ? 0 : stop; /* positive: the callback stopped the walk */
			goto out;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading the transparency log");
out:
	sqlite3_finalize(s);
	gt__store_read_end(st, own);
	return rc;
}
