/* Internals shared by the client store's modules (client/cstore*.c) only: the handle, the
 * statements, helpers. */
#ifndef GT_CSTORE_INT_H
#define GT_CSTORE_INT_H

#include "cstore.h"
#include "sqldb.h"

/* Every statement of the client store, prepared on first use (the SQL is in cstore.c). */
enum gt__cstore_sql {
	/* settings, metadata, org units */
	Q_CFG_GET,
	Q_CFG_SET,
	Q_MF_DEL,
	Q_MF_INS,
	Q_MF_ALL,
	Q_OU_DEL,
	Q_OU_INS,
	Q_OU_GET,
	Q_OU_COUNT,
	/* the outbox of values */
	Q_KEY_LATEST,
	Q_KEY_MAXREV,
	Q_KEY_NUMBER,
	Q_R_NUMBER,
	Q_OB_UPDATE,
	Q_OB_INSERT,
	Q_OB_QUEUED,
	Q_OB_BATCH,
	Q_OB_ACK,
	Q_OB_CONFLICT,
	Q_OB_REQUEUE,
	Q_OB_REFUSE,
	Q_UNSENT,
	/* workflow actions */
	Q_A_INSERT,
	Q_A_QUEUED,
	Q_A_BATCH,
	Q_A_ACK,
	Q_A_CONFLICT,
	Q_A_REQUEUE,
	Q_A_REFUSE,
	Q_A_GET,
	Q_A_RECENT,
	/* batches */
	Q_SEQ_MAX,
	Q_B_INS,
	Q_B_PENDING,
	Q_B_ACK,
	Q_B_RETRY,
	Q_B_REFUSE,
	/* the pull replica */
	Q_CUR_GET,
	Q_CUR_SET,
	Q_R_UPSERT,
	Q_RS_UPSERT,
	Q_R_ALL,
	Q_R_UNITS,
	/* status */
	Q_ST_VALUES,
	Q_ST_ACTIONS,
	Q_ST_BATCHES,
	Q_ST_REPLICA,
	Q_PROBLEMS,
	/* the dashboard's cache */
	Q_D_GET,
	Q_D_PUT,
	Q_D_WANT,
	Q_D_FAIL,
	Q_D_DUE,
	Q_D_TOUCH,
	/* the transparency log (cstore_tree.c) */
	Q_T_HEAD_GET,
	Q_T_HEAD_PUT,
	Q_T_HEAD_DEL,
	Q_T_ALARM_GET,
	Q_T_ALARM_INS,
	Q_T_ALARM_ACK,
	Q_T_UNPROVEN,
	Q_T_PROVEN,
	Q_N
};

/* The columns gt__cstore_read_action() reads, in its order. */
#define GT__CSTORE_ACTION_COLS                                                                     \
	"id, kind, dataset, period, ou, reason, digest, n_digested, state, status, conflict,"      \
	" code, message, coalesce(batch_seq, 0), open_until, acknowledged"

struct gt_cstore {
	struct gt_sqldb *db;
};

/* Fills a from the current row of a statement selecting GT__CSTORE_ACTION_COLS. */
int gt__cstore_read_action(sqlite3_stmt *s, struct gt_cstore_action *a);

/* Reads the rows of s (bound by the caller) into a new array of actions; s is reset. */
int gt__cstore_read_actions(struct gt_cstore *st, sqlite3_stmt *s, struct gt_cstore_action **out,
                            size_t *n);

#endif
