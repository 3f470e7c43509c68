/* The transparency log in the client store: the last verified tree head, alarms, proven batches. */
#include "cstore_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "cstore_int.h"
#include "error.h"

/* Copies blob column i into out when it has exactly len bytes; else zeroes out. */
static int col_blob(sqlite3_stmt *s, int i, void *out, size_t len)
{
	if ((size_t)sqlite3_column_bytes(s, i) != len) {
		memset(out, 0, len);
		return 0;
	}
	memcpy(out, sqlite3_column_blob(s, i), len);
	return 1;
}

int gt_cstore_tree_head_get(struct gt_cstore *st, struct gt_cstore_tree_head *out)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_T_HEAD_GET);
	int rc, ok;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return GT_ESTORE;
	rc = gt_sqldb_step(st->db, s);
	if (rc <= 0)
		return rc == 0 ? GT_ENOENT : rc;
	out->head.size = (uint64_t)sqlite3_column_int64(s, 0);
	ok = col_blob(s, 1, out->head.root, sizeof(out->head.root));
	out->head.timestamp_ms = sqlite3_column_int64(s, 2);
	ok &= col_blob(s, 3, out->head.signature, sizeof(out->head.signature));
	ok &= col_blob(s, 4, out->server_key, sizeof(out->server_key));
	out->verified_at_ms = sqlite3_column_int64(s, 5);
	gt_sqldb_reset(s);
	return ok ? GT_OK : gt_sqldb_fail(st->db, GT_ECORRUPT, "the stored tree head is malformed");
}

int gt_cstore_tree_head_put(struct gt_cstore *st, const struct gt_cstore_tree_head *h)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_T_HEAD_PUT);

	if (s == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_u64(s, 1, h->head.size);
	sqlite3_bind_blob(s, 2, h->head.root, sizeof(h->head.root), SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, h->head.timestamp_ms);
	sqlite3_bind_blob(s, 4, h->head.signature, sizeof(h->head.signature), SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 5, h->server_key, sizeof(h->server_key), SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, h->verified_at_ms);
	return gt_sqldb_run(st->db, s);
}

int gt_cstore_tree_alarm_get(struct gt_cstore *st, struct gt_cstore_tree_alarm *out)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_T_ALARM_GET);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return GT_ESTORE;
	rc = gt_sqldb_step(st->db, s);
	if (rc <= 0)
		return rc == 0 ? GT_ENOENT : rc;
	out->raised_at_ms = sqlite3_column_int64(s, 0);
	out->held_size = (uint64_t)sqlite3_column_int64(s, 1);
	(void)col_blob(s, 2, out->held_root, sizeof(out->held_root));
	out->seen_size = (uint64_t)sqlite3_column_int64(s, 3);
	(void)col_blob(s, 4, out->seen_root, sizeof(out->seen_root));
	snprintf(out->what, sizeof(out->what), "%s", gt_sqldb_col_text(s, 5));
	gt_sqldb_reset(s);
	return GT_OK;
}

int gt_cstore_tree_alarm_raise(struct gt_cstore *st, const struct gt_cstore_tree_alarm *a)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_T_ALARM_INS);

	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, a->raised_at_ms);
	gt_sqldb_bind_u64(s, 2, a->held_size);
	sqlite3_bind_blob(s, 3, a->held_root, sizeof(a->held_root), SQLITE_TRANSIENT);
	gt_sqldb_bind_u64(s, 4, a->seen_size);
	sqlite3_bind_blob(s, 5, a->seen_root, sizeof(a->seen_root), SQLITE_TRANSIENT);
	gt_sqldb_bind_text(s, 6, a->what);
	return gt_sqldb_run(st->db, s);
}

int gt_cstore_tree_alarm_ack(struct gt_cstore *st, int64_t now_ms)
{
	sqlite3_stmt *s;
	int rc = gt_sqldb_begin(st->db);

	if (rc != GT_OK)
		return rc;
	s = gt_sqldb_stmt(st->db, Q_T_ALARM_ACK);
	if (s == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(s, 1, now_ms);
	rc = gt_sqldb_run(st->db, s);
	if (rc == GT_OK && gt_sqldb_changes(st->db) == 0)
		rc = GT_ENOENT;
	if (rc == GT_OK)
		rc = gt_sqldb_run_id(st->db, Q_T_HEAD_DEL);
out:
	if (rc == GT_OK)
		return gt_sqldb_commit(st->db);
	gt_sqldb_rollback(st->db);
	return rc;
}

int gt_cstore_tree_unproven(struct gt_cstore *st, size_t max, struct gt_cstore_unproven **out,
                            size_t *n)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_T_UNPROVEN);
	struct gt_cstore_unproven *list;
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return GT_ESTORE;
	list = calloc(max + 1, sizeof(*list));
	if (list == NULL)
		return GT_ENOMEM;
	gt_sqldb_bind_u64(s, 1, max);
	while ((rc = gt_sqldb_step(st->db, s)) == 1) {
		struct gt_cstore_unproven *u = &list[*n];
		int len = sqlite3_column_bytes(s, 1);
		int sig_len = sqlite3_column_bytes(s, 2);

		if (*n >= max || sig_len < 0 || (size_t)sig_len > sizeof(u->sig))
			continue;
		u->seq = (uint64_t)sqlite3_column_int64(s, 0);
		rc = gt_crypto_sha256(sqlite3_column_blob(s, 1), (size_t)len, u->hash);
		if (rc != GT_OK) {
			gt_sqldb_reset(s);
			break;
		}
		if (sig_len > 0)
			memcpy(u->sig, sqlite3_column_blob(s, 2), (size_t)sig_len);
		u->sig_len = (size_t)sig_len;
		(*n)++;
	}
	if (rc < 0) {
		free(list);
		*n = 0;
		return rc;
	}
	*out = list;
	return GT_OK;
}

int gt_cstore_tree_proven(struct gt_cstore *st, uint64_t seq, uint64_t leaf)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_T_PROVEN);

	if (s == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_u64(s, 1, seq);
	gt_sqldb_bind_u64(s, 2, leaf);
	return gt_sqldb_run(st->db, s);
}
