/* The client store's batches: saved with their exact signed bytes before they are sent, then
 * acknowledged or refused with their values and workflow actions. */
#include "cstore_int.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "vec.h"

int gt_cstore_next_sequence(struct gt_cstore *st, uint64_t server_last, uint64_t *seq)
{
	uint64_t next = 0, used = 0;
	int rc;

	*seq = 0;
	if ((rc = gt_cstore_config_get_u64(st, GT_CSTORE_CFG_NEXT_SEQ, &next)) != GT_OK)
		return rc;
	if ((rc = gt_sqldb_count(st->db, Q_SEQ_MAX, &used)) != GT_OK)
		return rc;
	if (next <= used)
		next = used + 1;
	if (server_last >= next)
		next = server_last + 1;
	if (next == 0)
		next = 1;
	if (next > INT64_MAX)
		return gt_sqldb_fail(st->db, GT_ETOOBIG, "batch sequence out of range");
	*seq = next;
	return GT_OK;
}

/* Marks the items ids[0..n) batched in b with statement mark (Q_OB_BATCH or Q_A_BATCH). */
static int mark_batched(struct gt_cstore *st, const struct gt_cstore_batch *b, const int64_t *ids,
                        size_t n, int mark)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *s = gt_sqldb_stmt(st->db, mark);
		int rc;
		if (s == NULL)
			return GT_ESTORE;
		sqlite3_bind_int64(s, 1, ids[i]);
		gt_sqldb_bind_u64(s, 2, b->seq);
		gt_sqldb_bind_u64(s, 3, i);
		if ((rc = gt_sqldb_run(st->db, s)) != GT_OK)
			return rc;
		if (gt_sqldb_changes(st->db) != 1)
			return gt_sqldb_fail(st->db, GT_ESTATE,
			                     "an item was changed while it was being packed");
	}
	return GT_OK;
}

/* Saves b and marks the rows ids[0..n) of the outbox (mark Q_OB_BATCH) or of the actions
 * (Q_A_BATCH) as batched, in one transaction. */
static int batch_save(struct gt_cstore *st, const struct gt_cstore_batch *b, const int64_t *ids,
                      size_t n, int mark, int64_t now_ms)
{
	struct gt_sqldb_scope sc;
	sqlite3_stmt *s;
	int rc;

	if ((rc = gt_sqldb_scope_enter(st->db, &sc)) != GT_OK)
		return rc;
	if ((s = gt_sqldb_stmt(st->db, Q_B_INS)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	gt_sqldb_bind_u64(s, 1, b->seq);
	sqlite3_bind_blob(s, 2, b->batch_id, sizeof(b->batch_id), SQLITE_STATIC);
	sqlite3_bind_blob64(s, 3, b->bytes, b->len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 4, b->sig, sizeof(b->sig), SQLITE_STATIC);
	gt_sqldb_bind_u64(s, 5, mark == Q_OB_BATCH ? n : 0);
	sqlite3_bind_int64(s, 6, now_ms);
	gt_sqldb_bind_u64(s, 7, mark == Q_A_BATCH ? n : 0);
	if ((rc = gt_sqldb_run(st->db, s)) != GT_OK)
		goto out;
	if ((rc = mark_batched(st, b, ids, n, mark)) != GT_OK)
		goto out;
	rc = gt_cstore_config_set_u64(st, GT_CSTORE_CFG_NEXT_SEQ, b->seq + 1);
out:
	return gt_sqldb_scope_leave(st->db, &sc, rc);
}

int gt_cstore_batch_save(struct gt_cstore *st, const struct gt_cstore_batch *b,
                         const int64_t *row_ids, size_t n, int64_t now_ms)
{
	return batch_save(st, b, row_ids, n, Q_OB_BATCH, now_ms);
}

int gt_cstore_batch_save_actions(struct gt_cstore *st, const struct gt_cstore_batch *b,
                                 const int64_t *action_ids, size_t n, int64_t now_ms)
{
	return batch_save(st, b, action_ids, n, Q_A_BATCH, now_ms);
}

void gt_cstore_batches_free(struct gt_cstore_batch *b, size_t n)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(b[i].bytes);
	free(b);
}

/* Copies the current row of Q_B_PENDING into b. */
static int read_batch(struct gt_cstore *st, sqlite3_stmt *s, struct gt_cstore_batch *b)
{
	size_t len = (size_t)sqlite3_column_bytes(s, 2);

	memset(b, 0, sizeof(*b));
	if ((size_t)sqlite3_column_bytes(s, 1) != GT_BATCH_ID_LEN ||
	    (size_t)sqlite3_column_bytes(s, 3) != GT_ED25519_SIG_LEN || len == 0)
		return gt_sqldb_fail(st->db, GT_ECORRUPT, "a saved batch is damaged");
	b->bytes = malloc(len);
	if (b->bytes == NULL)
		return GT_ENOMEM;
	b->seq = (uint64_t)sqlite3_column_int64(s, 0);
	memcpy(b->batch_id, sqlite3_column_blob(s, 1), GT_BATCH_ID_LEN);
	memcpy(b->bytes, sqlite3_column_blob(s, 2), len);
	b->len = len;
	memcpy(b->sig, sqlite3_column_blob(s, 3), GT_ED25519_SIG_LEN);
	b->n_values = (uint32_t)sqlite3_column_int64(s, 4);
	b->tries = (unsigned)sqlite3_column_int(s, 5);
	b->n_actions = (uint32_t)sqlite3_column_int64(s, 6);
	return GT_OK;
}

int gt_cstore_batches_pending(struct gt_cstore *st, struct gt_cstore_batch **out, size_t *n_out)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_B_PENDING);
	struct gt_cstore_batch *b = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	if (s == NULL)
		return GT_ESTORE;
	while ((rc = gt_sqldb_step(st->db, s)) == 1) {
		if (GT_VEC_RESERVE(b, cap, n + 1) != GT_OK) {
			rc = GT_ENOMEM;
			break;
		}
		if ((rc = read_batch(st, s, &b[n])) != GT_OK)
			break;
		n++;
	}
	gt_sqldb_reset(s);
	if (rc < 0) {
		gt_cstore_batches_free(b, n);
		return rc;
	}
	*out = b;
	*n_out = n;
	return GT_OK;
}

/* Marks the batch seq acknowledged as ack says; *changed says whether it was still pending. */
static int ack_batch(struct gt_cstore *st, uint64_t seq, const Gtsync__V1__PushAck *ack,
                     int64_t now_ms, int *changed)
{
	const Gtsync__V1__ImportCount *c = ack->counts;
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_B_ACK);
	int rc;

	*changed = 0;
	if (s == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_u64(s, 1, seq);
	sqlite3_bind_int(s, 2, (int)ack->status);
	gt_sqldb_bind_text(s, 3, ack->message);
	sqlite3_bind_int64(s, 4, now_ms);
	gt_sqldb_bind_u64(s, 5, ack->log_index);
	sqlite3_bind_int64(s, 6, c ? c->imported : 0);
	sqlite3_bind_int64(s, 7, c ? c->updated : 0);
	sqlite3_bind_int64(s, 8, c ? c->ignored : 0);
	sqlite3_bind_int64(s, 9, c ? c->deleted : 0);
	rc = gt_sqldb_run(st->db, s);
	if (rc == GT_OK)
		*changed = gt_sqldb_changes(st->db) > 0;
	return rc;
}

/* Acknowledges the values and workflow actions of batch seq. */
static int ack_items(struct gt_cstore *st, uint64_t seq, const Gtsync__V1__PushAck *ack,
                     int64_t now_ms)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_OB_ACK);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_u64(s, 1, seq);
	if ((rc = gt_sqldb_run(st->db, s)) != GT_OK)
		return rc;
	if ((s = gt_sqldb_stmt(st->db, Q_A_ACK)) == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_u64(s, 1, seq);
	sqlite3_bind_int(s, 2, (int)ack->status);
	gt_sqldb_bind_text(s, 3, ack->message);
	sqlite3_bind_int64(s, 4, now_ms);
	return gt_sqldb_run(st->db, s);
}

/* Marks the values and actions an ack's conflicts name; *nconf counts the values. */
static int mark_conflicts(struct gt_cstore *st, uint64_t seq, const Gtsync__V1__PushAck *ack,
                          uint32_t *nconf)
{
	for (size_t i = 0; i < ack->n_conflicts; i++) {
		const Gtsync__V1__Conflict *cf = ack->conflicts[i];
		int action = cf->kind == GTSYNC__V1__ITEM_KIND__ITEM_ACTION;
		if (cf->kind != GTSYNC__V1__ITEM_KIND__ITEM_VALUE && !action)
			continue;
		for (size_t k = 0; k < cf->n_indexes; k++) {
			sqlite3_stmt *s =
			    gt_sqldb_stmt(st->db, action ? Q_A_CONFLICT : Q_OB_CONFLICT);
			int rc;
			if (s == NULL)
				return GT_ESTORE;
			gt_sqldb_bind_u64(s, 1, seq);
			sqlite3_bind_int64(s, 2, cf->indexes[k]);
			sqlite3_bind_int(s, 3, (int)cf->reason);
			gt_sqldb_bind_text(s, 4, cf->message);
			if ((rc = gt_sqldb_run(st->db, s)) != GT_OK)
				return rc;
			if (!action)
				*nconf += (uint32_t)gt_sqldb_changes(st->db);
		}
	}
	return GT_OK;
}

int gt_cstore_batch_acked(struct gt_cstore *st, uint64_t seq, const Gtsync__V1__PushAck *ack,
                          int64_t now_ms, uint32_t *conflicts)
{
	struct gt_sqldb_scope sc;
	uint32_t nconf = 0;
	int rc, changed = 0;

	if (conflicts != NULL)
		*conflicts = 0;
	if ((rc = gt_sqldb_scope_enter(st->db, &sc)) != GT_OK)
		return rc;
	rc = ack_batch(st, seq, ack, now_ms, &changed);
	/* Not changed: already recorded (an ack for a batch sent twice). */
	if (rc == GT_OK && changed)
		rc = ack_items(st, seq, ack, now_ms);
	if (rc == GT_OK && changed)
		rc = mark_conflicts(st, seq, ack, &nconf);
	rc = gt_sqldb_scope_leave(st->db, &sc, rc);
	if (rc == GT_OK && conflicts != NULL)
		*conflicts = nconf;
	return rc;
}

/* Runs one of the refusal statements for batch seq; with_code binds code and message (and
 * now_ms when with_time). */
static int refuse_items(struct gt_cstore *st, int id, uint64_t seq, int with_code, int code,
                        const char *message, int with_time, int64_t now_ms)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, id);

	if (s == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_u64(s, 1, seq);
	if (with_code) {
		sqlite3_bind_int(s, 2, code);
		gt_sqldb_bind_text(s, 3, message);
	}
	if (with_time)
		sqlite3_bind_int64(s, 4, now_ms);
	return gt_sqldb_run(st->db, s);
}

int gt_cstore_batch_refused(struct gt_cstore *st, uint64_t seq, int code, const char *message,
                            int disposition, int64_t now_ms)
{
	int requeue = disposition == GT_CSTORE_REQUEUE;
	struct gt_sqldb_scope sc;
	int rc;

	if ((rc = gt_sqldb_scope_enter(st->db, &sc)) != GT_OK)
		return rc;
	if (disposition == GT_CSTORE_RETRY) {
		rc = refuse_items(st, Q_B_RETRY, seq, 1, code, message, 0, 0);
		goto out;
	}
	if ((rc = refuse_items(st, Q_B_REFUSE, seq, 1, code, message, 1, now_ms)) != GT_OK ||
	    gt_sqldb_changes(st->db) == 0)
		goto out;
	rc = refuse_items(st, requeue ? Q_OB_REQUEUE : Q_OB_REFUSE, seq, !requeue, code, message, 0,
	                  0);
	if (rc == GT_OK)
		rc = refuse_items(st, requeue ? Q_A_REQUEUE : Q_A_REFUSE, seq, !requeue, code,
		                  message, !requeue, now_ms);
out:
	return gt_sqldb_scope_leave(st->db, &sc, rc);
}

int gt_cstore_unsent(struct gt_cstore *st, uint64_t *values)
{
	return gt_sqldb_count(st->db, Q_UNSENT, values);
}
