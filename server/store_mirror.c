/* Reading the store for the PostgreSQL mirror: small tables whole, the log and derived rows by
 * range. */
#include "store_mirror.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "store_impl.h"

struct src_def {
	const char *table;
	const char *columns;
	const char *key;
	const char *where; /* the range condition on ?1 and ?2, or NULL for the whole table */
	const char *order;
};

static const struct src_def srcs[GT_MIRROR_SRC_COUNT] = {
    [GT_MIRROR_ORGUNITS] = {"orgunits", "code,name,level,parent,time_zone", "code", NULL, "code"},
    [GT_MIRROR_KEYS] = {"keys",
                        "key_id,public_key,org_unit,roles,roles_held,label,added_at_ms,"
                        "revoked_at_ms",
                        "key_id", NULL, "key_id"},
    [GT_MIRROR_META_FILES] = {"metadata_files", "name,content,sha256", "name", NULL, "name"},
    [GT_MIRROR_LOG] = {"batch_log",
                       "log_index,batch_hash,key_id,sequence,org_unit,batch,signature,"
                       "received_at_ms",
                       "log_index", "log_index > ?1 AND log_index <= ?2", "log_index"},
    [GT_MIRROR_DATAVALUES] = {"datavalues",
                              "data_element,period,org_unit,coc,value,comment,revision,deleted,"
                              "num,origin_batch,created_at_ms,updated_at_ms,change_seq",
                              "data_element,period,org_unit,coc",
                              "change_seq > ?1 AND change_seq <= ?2", "change_seq"},
    [GT_MIRROR_COMPLETIONS] = {"completions",
                               "dataset,period,org_unit,completed,at_ms,origin_batch,change_seq",
                               "dataset,period,org_unit", "change_seq > ?1 AND change_seq <= ?2",
                               "change_seq"},
    [GT_MIRROR_WF_EVENTS] = {"workflow_events",
                             "id,dataset,period,org_unit,kind,key_id,at_ms,reason,data_digest,"
                             "origin_batch,change_seq,open_until,acknowledged",
                             "id", "change_seq > ?1 AND change_seq <= ?2", "change_seq"},
    [GT_MIRROR_WF_STATE] = {"workflow_state",
                            "dataset,period,org_unit,state,updated_at_ms,change_seq",
                            "dataset,period,org_unit", "change_seq > ?1 AND change_seq <= ?2",
                            "change_seq"},
};

const char *gt_store_mirror_table(enum gt_store_mirror_src src)
{
	return srcs[src].table;
}

const char *gt_store_mirror_columns(enum gt_store_mirror_src src)
{
	return srcs[src].columns;
}

const char *gt_store_mirror_key(enum gt_store_mirror_src src)
{
	return srcs[src].key;
}

int gt_store_mirror_begin(struct gt_store *st)
{
	int rc = sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);

	return rc == SQLITE_OK ? GT_OK : gt__store_sqlerr(st, rc, "starting a read snapshot");
}

void gt_store_mirror_end(struct gt_store *st)
{
	if (st != NULL && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

/* Runs one query of a single integer (NULL reads as 0), binding ?1 to arg. */
static int one_int(struct gt_store *st, const char *sql, int64_t arg, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	*out = 0;
	if (rc == SQLITE_OK && strstr(sql, "?1") != NULL)
		rc = sqlite3_bind_int64(s, 1, arg);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? GT_OK : gt__store_sqlerr(st, rc, "reading the store's positions");
}

int gt_store_mirror_positions(struct gt_store *st, int64_t log_after, int64_t seq_after,
                              struct gt_store_mirror_pos *out)
{
	uint64_t admin = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = gt_store_admin_seq(st, &admin);
	if (rc == GT_OK)
		rc = one_int(st, "SELECT value FROM store_state WHERE name = 'change_seq'", 0,
		             &out->change_seq);
	if (rc == GT_OK)
		rc = one_int(st, "SELECT max(log_index) FROM batch_log", 0, &out->log_index);
	if (rc == GT_OK)
		rc = one_int(st,
		             "SELECT received_at_ms FROM batch_log WHERE log_index > ?1 "
		             "ORDER BY log_index LIMIT 1",
		             log_after, &out->next_received_ms);
	if (rc == GT_OK)
		rc = one_int(st,
		             "SELECT updated_at_ms FROM datavalues WHERE change_seq > ?1 "
		             "ORDER BY change_seq LIMIT 1",
		             seq_after, &out->next_changed_ms);
	if (rc == GT_OK)
		out->admin_seq = admin;
	else
		memset(out, 0, sizeof(*out));
	return rc;
}

int gt_store_mirror_scan(struct gt_store *st, enum gt_store_mirror_src src, int64_t after,
                         int64_t upto, gt_store_mirror_row_fn cb, void *arg)
{
	struct gt_store_mirror_col cols[GT_STORE_MIRROR_MAX_COLS];
	const struct src_def *d = &srcs[src];
	sqlite3_stmt *s = NULL;
	char sql[512];
	int rc, n;

	n = snprintf(sql, sizeof(sql), "SELECT %s FROM %s%s%s ORDER BY %s", d->columns, d->table,
	             d->where != NULL ? " WHERE " : "", d->where != NULL ? d->where : "", d->order);
	if (n < 0 || (size_t)n >= sizeof(sql))
		return GT_ETOOBIG;
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		rc = gt__store_sqlerr(st, rc, "preparing a mirror read");
		goto out;
	}
	if (d->where != NULL) {
		sqlite3_bind_int64(s, 1, after);
		sqlite3_bind_int64(s, 2, upto);
	}
	n = sqlite3_column_count(s);
	if (n > GT_STORE_MIRROR_MAX_COLS) {
		rc = GT_ETOOBIG;
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int c = 0; c < n; c++) {
			memset(&cols[c], 0, sizeof(cols[c]));
			switch (sqlite3_column_type(s, c)) {
			case SQLITE_INTEGER:
				cols[c].type = GT_MCOL_INT;
				cols[c].i = sqlite3_column_int64(s, c);
				break;
			case SQLITE_FLOAT:
				cols[c].type = GT_MCOL_REAL;
				cols[c].r = sqlite3_column_double(s, c);
				break;
			case SQLITE_TEXT:
				cols[c].type = GT_MCOL_TEXT;
				cols[c].p = sqlite3_column_text(s, c);
				cols[c].len = (size_t)sqlite3_column_bytes(s, c);
				break;
			case SQLITE_BLOB:
				cols[c].type = GT_MCOL_BLOB;
				cols[c].p = sqlite3_column_blob(s, c);
				cols[c].len = (size_t)sqlite3_column_bytes(s, c);
				if (cols[c].p == NULL)
					cols[c].p = "";
				break;
			default:
				cols[c].type = GT_MCOL_NULL;
				break;
			}
		}
		if ((rc = cb(arg, cols, (size_t)n)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? GT_OK : gt__store_sqlerr(st, rc, "reading rows to mirror");
out:
	sqlite3_finalize(s);
	return rc;
}
