/* The client's local store (client.db, sqlite): the handle, its schema and statements,
 * transactions, settings, metadata files and org units. The outbox, batches, replica and
 * status queries are in cstore_outbox.c, cstore_batch.c, cstore_replica.c, cstore_query.c. */
#include "cstore_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "vec.h"

/* How long a writer waits for another gtsync process holding the store. */
#define CSTORE_BUSY_MS 10000

/* Version 1: settings, metadata, org units, the outbox of values, batches and the replica. */
static const char schema_v1[] =
    "CREATE TABLE config(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE meta_file(name TEXT PRIMARY KEY, content BLOB NOT NULL, sha256 BLOB);"
    "CREATE TABLE orgunit(code TEXT PRIMARY KEY, name TEXT NOT NULL, level INTEGER NOT NULL,"
    " parent TEXT NOT NULL);"
    "CREATE TABLE outbox(id INTEGER PRIMARY KEY, de TEXT NOT NULL, period TEXT NOT NULL,"
    " ou TEXT NOT NULL, coc TEXT NOT NULL, value TEXT NOT NULL, comment TEXT NOT NULL,"
    " dataset TEXT NOT NULL, deleted INTEGER NOT NULL, revision INTEGER NOT NULL,"
    " state INTEGER NOT NULL, batch_seq INTEGER, batch_pos INTEGER,"
    " queued_at_ms INTEGER NOT NULL, reason INTEGER NOT NULL DEFAULT 0,"
    " message TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX outbox_state ON outbox(state, id);"
    "CREATE INDEX outbox_key ON outbox(de, period, ou, coc, id);"
    "CREATE INDEX outbox_batch ON outbox(batch_seq, batch_pos);"
    "CREATE TABLE batch(seq INTEGER PRIMARY KEY, batch_id BLOB NOT NULL, bytes BLOB NOT NULL,"
    " signature BLOB NOT NULL, n_values INTEGER NOT NULL, created_at_ms INTEGER NOT NULL,"
    " state INTEGER NOT NULL, status INTEGER NOT NULL DEFAULT 0,"
    " refuse_code INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',"
    " tries INTEGER NOT NULL DEFAULT 0, done_at_ms INTEGER, log_index INTEGER,"
    " imported INTEGER, updated INTEGER, ignored INTEGER, deleted INTEGER);"
    "CREATE INDEX batch_state ON batch(state, seq);"
    "CREATE TABLE replica(de TEXT NOT NULL, period TEXT NOT NULL, ou TEXT NOT NULL,"
    " coc TEXT NOT NULL, value TEXT NOT NULL, comment TEXT NOT NULL,"
    " revision INTEGER NOT NULL, deleted INTEGER NOT NULL, origin_batch BLOB,"
    " updated_at_ms INTEGER NOT NULL, change_seq INTEGER NOT NULL,"
    " PRIMARY KEY(de, period, ou, coc));"
    "CREATE INDEX replica_ou ON replica(ou);"
    "CREATE TABLE replica_state(dataset TEXT NOT NULL, period TEXT NOT NULL, ou TEXT NOT NULL,"
    " state INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL, change_seq INTEGER NOT NULL,"
    " PRIMARY KEY(dataset, period, ou));"
    "CREATE TABLE pull_cursor(org TEXT PRIMARY KEY, cursor INTEGER NOT NULL);";

/* Version 2: workflow actions in the outbox, and their count per batch. */
static const char schema_v2[] =
    "ALTER TABLE batch ADD COLUMN n_actions INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE action(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, dataset TEXT NOT NULL,"
    " period TEXT NOT NULL, ou TEXT NOT NULL, reason TEXT NOT NULL, digest BLOB,"
    " n_digested INTEGER NOT NULL DEFAULT 0, state INTEGER NOT NULL, batch_seq INTEGER,"
    " batch_pos INTEGER, queued_at_ms INTEGER NOT NULL, status INTEGER NOT NULL DEFAULT 0,"
    " conflict INTEGER NOT NULL DEFAULT 0, code INTEGER NOT NULL DEFAULT 0,"
    " message TEXT NOT NULL DEFAULT '', done_at_ms INTEGER);"
    "CREATE INDEX action_state ON action(state, id);"
    "CREATE INDEX action_batch ON action(batch_seq, batch_pos);";

/* Version 3: a late-entry opening's last day, and the warning rules an action acknowledges
 * (codes joined by ","). */
static const char schema_v3[] =
    "ALTER TABLE action ADD COLUMN open_until TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE action ADD COLUMN acknowledged TEXT NOT NULL DEFAULT '';";

/* Version 4: the dashboard's cache of consolidated reports, one per org unit, data set and
 * period, with when it was fetched and when a page last asked for it. */
static const char schema_v4[] =
    "CREATE TABLE dash_report(org TEXT NOT NULL, dataset TEXT NOT NULL, period TEXT NOT NULL,"
    " reply BLOB, fetched_ms INTEGER NOT NULL DEFAULT 0, wanted_ms INTEGER NOT NULL DEFAULT 0,"
    " error TEXT NOT NULL DEFAULT '', PRIMARY KEY(org, dataset, period));";

/* Version 5: the transparency log (issue 14): the last tree head the client verified, the
 * alarms raised when the server's history did not extend it (kept until an operator
 * acknowledges them), and the leaf at which each acknowledged batch was proven included. */
static const char schema_v5[] =
    "CREATE TABLE tree_head(id INTEGER PRIMARY KEY CHECK(id = 1), size INTEGER NOT NULL,"
    " root BLOB NOT NULL, timestamp_ms INTEGER NOT NULL, signature BLOB NOT NULL,"
    " server_key BLOB NOT NULL, verified_at_ms INTEGER NOT NULL);"
    "CREATE TABLE tree_alarm(id INTEGER PRIMARY KEY, raised_at_ms INTEGER NOT NULL,"
    " held_size INTEGER NOT NULL, held_root BLOB NOT NULL, seen_size INTEGER NOT NULL,"
    " seen_root BLOB NOT NULL, what TEXT NOT NULL, acknowledged_at_ms INTEGER);"
    "ALTER TABLE batch ADD COLUMN leaf INTEGER;";

/* The org units' legal time zones ("WIB", "WITA", "WIT"; "" unknown), as the server sends
 * them, so the dashboard tells an office's times in its own zone. Version 6, after the
 * transparency log's 5. */
static const char schema_tz[] =
    "ALTER TABLE orgunit ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';";

/* The schema's history: entry v takes a store from version v to v + 1. */
static const struct gt_sqldb_migration migrations[] = {
    {"settings, metadata, outbox, batches and replica", schema_v1, NULL},
    {"workflow actions in the outbox", schema_v2, NULL},
    {"late entry and acknowledged warnings of workflow actions", schema_v3, NULL},
    {"the dashboard's cache of reports", schema_v4, NULL},
    {"the transparency log's tree head and alarms", schema_v5, NULL},
    {"the org units' time zones", schema_tz, NULL},
};

static const struct gt_sqldb_stmt sqls[Q_N] = {
    [Q_CFG_GET] = {"reading a setting", "SELECT value FROM config WHERE name=?1"},
    [Q_CFG_SET] = {"writing a setting", "INSERT INTO config(name, value) VALUES(?1, ?2)"
                                        " ON CONFLICT(name) DO UPDATE SET value=excluded.value"},
    [Q_MF_DEL] = {"replacing the metadata", "DELETE FROM meta_file"},
    [Q_MF_INS] = {"storing a metadata file",
                  "INSERT INTO meta_file(name, content, sha256) VALUES(?1, ?2, ?3)"},
    [Q_MF_ALL] = {"reading the metadata", "SELECT name, content FROM meta_file ORDER BY name"},
    [Q_OU_DEL] = {"replacing the org units", "DELETE FROM orgunit"},
    [Q_OU_INS] = {"storing an org unit", "INSERT OR REPLACE INTO orgunit(code, name, level,"
                                         " parent, time_zone) VALUES(?1,?2,?3,?4,?5)"},
    [Q_OU_GET] = {"reading an org unit",
                  "SELECT code, name, level, parent, time_zone FROM orgunit WHERE code=?1"},
    [Q_OU_COUNT] = {"counting the org units", "SELECT count(*) FROM orgunit"},
    [Q_KEY_LATEST] = {"reading the outbox",
                      "SELECT id, state, value, comment, dataset, deleted FROM outbox"
                      " WHERE de=?1 AND period=?2 AND ou=?3 AND coc=?4 ORDER BY id DESC"
                      " LIMIT 1"},
    [Q_KEY_MAXREV] = {"reading revisions",
                      "SELECT max(r) FROM (SELECT max(revision) AS r FROM outbox WHERE de=?1"
                      " AND period=?2 AND ou=?3 AND coc=?4 UNION ALL SELECT revision FROM"
                      " replica WHERE de=?1 AND period=?2 AND ou=?3 AND coc=?4)"},
    [Q_KEY_NUMBER] = {"reading a value",
                      "SELECT value, deleted FROM outbox WHERE de=?1 AND period=?2 AND ou=?3"
                      " AND coc=?4 AND state IN (0, 1, 2) ORDER BY id DESC LIMIT 1"},
    [Q_R_NUMBER] = {"reading a value", "SELECT value, deleted FROM replica WHERE de=?1 AND"
                                       " period=?2 AND ou=?3 AND coc=?4"},
    [Q_OB_UPDATE] = {"updating a queued value",
                     "UPDATE outbox SET value=?2, comment=?3, dataset=?4, deleted=?5,"
                     " revision=?6, queued_at_ms=?7, source=?8 WHERE id=?1"},
    [Q_OB_INSERT] = {"queueing a value",
                     "INSERT INTO outbox(de, period, ou, coc, value, comment, dataset, deleted,"
                     " revision, state, queued_at_ms, source)"
                     " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,0,?10,?11)"},
    [Q_OB_QUEUED] = {"reading queued values",
                     "SELECT id, de, period, ou, coc, value, comment, dataset, revision,"
                     " deleted FROM outbox WHERE state=0 ORDER BY id LIMIT ?1"},
    [Q_OB_BATCH] = {"marking a value batched", "UPDATE outbox SET state=1, batch_seq=?2,"
                                               " batch_pos=?3 WHERE id=?1 AND state=0"},
    [Q_OB_ACK] = {"acknowledging values",
                  "UPDATE outbox SET state=2 WHERE batch_seq=?1 AND state=1"},
    [Q_OB_CONFLICT] = {"recording a conflict", "UPDATE outbox SET state=3, reason=?3,"
                                               " message=?4 WHERE batch_seq=?1 AND"
                                               " batch_pos=?2"},
    [Q_OB_REQUEUE] = {"queueing the values of a refused batch again",
                      "UPDATE outbox SET state=0, batch_seq=NULL, batch_pos=NULL"
                      " WHERE batch_seq=?1 AND state=1"},
    [Q_OB_REFUSE] = {"marking the values of a refused batch",
                     "UPDATE outbox SET state=4, reason=?2, message=?3 WHERE batch_seq=?1 AND"
                     " state=1"},
    [Q_UNSENT] = {"counting unsent values", "SELECT count(*) FROM outbox WHERE state IN (0, 1)"},
    [Q_A_INSERT] = {"saving a workflow action",
                    "INSERT INTO action(kind, dataset, period, ou, reason, digest, n_digested,"
                    " state, queued_at_ms, open_until, acknowledged)"
                    " VALUES(?1,?2,?3,?4,?5,?6,?7,0,?8,?9,?10)"},
    [Q_A_QUEUED] = {"reading queued workflow actions",
                    "SELECT " GT__CSTORE_ACTION_COLS " FROM action WHERE state=0 ORDER BY id"
                    " LIMIT ?1"},
    [Q_A_BATCH] = {"marking a workflow action batched",
                   "UPDATE action SET state=1, batch_seq=?2, batch_pos=?3 WHERE id=?1 AND"
                   " state=0"},
    [Q_A_ACK] = {"acknowledging workflow actions",
                 "UPDATE action SET state=2, status=?2, message=?3, done_at_ms=?4"
                 " WHERE batch_seq=?1 AND state=1"},
    [Q_A_CONFLICT] = {"recording a skipped workflow action",
                      "UPDATE action SET state=3, conflict=?3, message=?4 WHERE batch_seq=?1"
                      " AND batch_pos=?2 AND state=2"},
    [Q_A_REQUEUE] = {"queueing the workflow actions of a refused batch again",
                     "UPDATE action SET state=0, batch_seq=NULL, batch_pos=NULL"
                     " WHERE batch_seq=?1 AND state=1"},
    [Q_A_REFUSE] = {"marking the workflow actions of a refused batch",
                    "UPDATE action SET state=4, code=?2, message=?3, done_at_ms=?4"
                    " WHERE batch_seq=?1 AND state=1"},
    [Q_A_GET] = {"reading a workflow action",
                 "SELECT " GT__CSTORE_ACTION_COLS " FROM action WHERE id=?1"},
    [Q_A_RECENT] = {"reading workflow actions",
                    "SELECT * FROM (SELECT " GT__CSTORE_ACTION_COLS " FROM action ORDER BY id"
                    " DESC LIMIT ?1) ORDER BY id"},
    [Q_SEQ_MAX] = {"reading the last batch sequence", "SELECT max(seq) FROM batch"},
    [Q_B_INS] = {"saving a batch",
                 "INSERT INTO batch(seq, batch_id, bytes, signature, n_values, created_at_ms,"
                 " state, n_actions) VALUES(?1,?2,?3,?4,?5,?6,0,?7)"},
    [Q_B_PENDING] = {"reading saved batches",
                     "SELECT seq, batch_id, bytes, signature, n_values, tries, n_actions"
                     " FROM batch WHERE state=0 ORDER BY seq"},
    [Q_B_ACK] = {"recording an acknowledgement",
                 "UPDATE batch SET state=1, status=?2, message=?3, done_at_ms=?4,"
                 " log_index=?5, imported=?6, updated=?7, ignored=?8, deleted=?9,"
                 " tries=tries+1 WHERE seq=?1 AND state=0"},
    [Q_B_RETRY] = {"recording a refusal", "UPDATE batch SET tries=tries+1, refuse_code=?2,"
                                          " message=?3 WHERE seq=?1 AND state=0"},
    [Q_B_REFUSE] = {"recording a refusal",
                    "UPDATE batch SET state=2, status=4, refuse_code=?2, message=?3,"
                    " done_at_ms=?4, tries=tries+1 WHERE seq=?1 AND state=0"},
    [Q_CUR_GET] = {"reading the pull cursor", "SELECT cursor FROM pull_cursor WHERE org=?1"},
    [Q_CUR_SET] = {"saving the pull cursor",
                   "INSERT INTO pull_cursor(org, cursor) VALUES(?1, ?2)"
                   " ON CONFLICT(org) DO UPDATE SET cursor=excluded.cursor"},
    [Q_R_UPSERT] = {"storing a pulled value",
                    "INSERT INTO replica(de, period, ou, coc, value, comment, revision,"
                    " deleted, origin_batch, updated_at_ms, change_seq) VALUES(?1,?2,?3,?4,"
                    "?5,?6,?7,?8,?9,?10,?11) ON CONFLICT(de, period, ou, coc) DO UPDATE SET"
                    " value=excluded.value, comment=excluded.comment,"
                    " revision=excluded.revision, deleted=excluded.deleted,"
                    " origin_batch=excluded.origin_batch,"
                    " updated_at_ms=excluded.updated_at_ms, change_seq=excluded.change_seq"},
    [Q_RS_UPSERT] = {"storing a pulled workflow state",
                     "INSERT INTO replica_state(dataset, period, ou, state, updated_at_ms,"
                     " change_seq) VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(dataset, period, ou)"
                     " DO UPDATE SET state=excluded.state,"
                     " updated_at_ms=excluded.updated_at_ms, change_seq=excluded.change_seq"},
    [Q_R_ALL] = {"reading the replica",
                 "SELECT de, period, ou, coc, value, comment, revision, deleted, change_seq"
                 " FROM replica ORDER BY de, period, ou, coc"},
    [Q_R_UNITS] = {"reading the replica",
                   "SELECT ou, count(*) FROM replica GROUP BY ou ORDER BY ou"},
    [Q_ST_VALUES] = {"counting values", "SELECT state, count(*) FROM outbox GROUP BY state"},
    [Q_ST_ACTIONS] = {"counting workflow actions",
                      "SELECT state, count(*) FROM action GROUP BY state"},
    [Q_ST_BATCHES] = {"counting batches", "SELECT state, count(*) FROM batch GROUP BY state"},
    [Q_ST_REPLICA] = {"counting the replica", "SELECT count(*), count(DISTINCT ou) FROM replica"},
    [Q_PROBLEMS] = {"reading conflicts",
                    "SELECT state, reason, message, de, period, ou, coc, value, source,"
                    " coalesce(batch_seq, 0) FROM outbox o WHERE state IN (3, 4) AND NOT"
                    " EXISTS (SELECT 1 FROM outbox n WHERE n.de=o.de AND n.period=o.period AND"
                    " n.ou=o.ou AND n.coc=o.coc AND n.id>o.id AND n.state IN (0, 1, 2))"
                    " ORDER BY state, reason, id"},
    [Q_D_GET] = {"reading the dashboard's cache",
                 "SELECT reply, fetched_ms, error FROM dash_report WHERE org=?1 AND dataset=?2"
                 " AND period=?3"},
    [Q_D_PUT] = {"saving a report in the dashboard's cache",
                 "INSERT INTO dash_report(org, dataset, period, reply, fetched_ms, wanted_ms)"
                 " VALUES(?1,?2,?3,?4,?5,?5) ON CONFLICT(org, dataset, period) DO UPDATE SET"
                 " reply=excluded.reply, fetched_ms=excluded.fetched_ms, error=''"},
    [Q_D_WANT] = {"asking for a report in the dashboard's cache",
                  "INSERT INTO dash_report(org, dataset, period, wanted_ms) VALUES(?1,?2,?3,?4)"
                  " ON CONFLICT(org, dataset, period) DO UPDATE SET"
                  " wanted_ms=max(wanted_ms, excluded.wanted_ms),"
                  " error=CASE WHEN reply IS NULL THEN '' ELSE error END"},
    [Q_D_TOUCH] = {"renewing a report's time in the dashboard's cache",
                   "UPDATE dash_report SET fetched_ms=?4, error='' WHERE org=?1 AND dataset=?2"
                   " AND period=?3 AND reply IS NOT NULL"},
    [Q_D_FAIL] = {"noting a failed fetch in the dashboard's cache",
                  "UPDATE dash_report SET error=?4 WHERE org=?1 AND dataset=?2 AND period=?3"},
    [Q_T_HEAD_GET] = {"reading the log's tree head",
                      "SELECT size, root, timestamp_ms, signature, server_key, verified_at_ms"
                      " FROM tree_head WHERE id=1"},
    [Q_T_HEAD_PUT] = {"saving the log's tree head",
                      "INSERT INTO tree_head(id, size, root, timestamp_ms, signature,"
                      " server_key, verified_at_ms) VALUES(1,?1,?2,?3,?4,?5,?6)"
                      " ON CONFLICT(id) DO UPDATE SET size=excluded.size, root=excluded.root,"
                      " timestamp_ms=excluded.timestamp_ms, signature=excluded.signature,"
                      " server_key=excluded.server_key, verified_at_ms=excluded.verified_at_ms"},
    [Q_T_HEAD_DEL] = {"forgetting the log's tree head", "DELETE FROM tree_head"},
    [Q_T_ALARM_GET] = {"reading the log's alarm",
                       "SELECT raised_at_ms, held_size, held_root, seen_size, seen_root, what"
                       " FROM tree_alarm WHERE acknowledged_at_ms IS NULL ORDER BY id LIMIT 1"},
    [Q_T_ALARM_INS] = {"raising the log's alarm",
                       "INSERT INTO tree_alarm(raised_at_ms, held_size, held_root, seen_size,"
                       " seen_root, what) VALUES(?1,?2,?3,?4,?5,?6)"},
    [Q_T_ALARM_ACK] = {"acknowledging the log's alarm",
                       "UPDATE tree_alarm SET acknowledged_at_ms=?1"
                       " WHERE acknowledged_at_ms IS NULL"},
    [Q_T_UNPROVEN] = {"reading the batches to prove",
                      "SELECT seq, bytes, signature FROM batch WHERE state=1 AND leaf IS NULL"
                      " AND length(bytes) > 0 ORDER BY seq LIMIT ?1"},
    [Q_T_PROVEN] = {"recording a batch's leaf", "UPDATE batch SET leaf=?2 WHERE seq=?1"},
    [Q_D_DUE] = {"listing the dashboard's reports to refresh",
                 "SELECT org, dataset, period FROM dash_report WHERE fetched_ms < ?1"
                 " AND (?3 OR error = '')"
                 " ORDER BY reply IS NOT NULL, wanted_ms DESC LIMIT ?2"},
};

/* ---- Opening ---- */

static int open_store(const char *path, unsigned flags, struct gt_cstore **out)
{
	const struct gt_sqldb_config cfg = {
	    .path = path,
	    .flags = flags,
	    .what = "gtsync client store",
	    .file_mode = 0600,
	    .busy_ms = CSTORE_BUSY_MS,
	    .stmts = sqls,
	    .n_stmts = Q_N,
	    .migrations = migrations,
	    .n_migrations = sizeof(migrations) / sizeof(migrations[0]),
	};
	struct gt_cstore *st;
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return GT_ENOMEM;
	rc = gt_sqldb_open(&cfg, &st->db, NULL, 0);
	if (rc != GT_OK) {
		free(st);
		return rc;
	}
	*out = st;
	return GT_OK;
}

int gt_cstore_create(const char *path, struct gt_cstore **out)
{
	return open_store(path, GT_SQLDB_CREATE_NEW, out);
}

int gt_cstore_open(const char *path, struct gt_cstore **out)
{
	int rc;

	*out = NULL;
	if (access(path, F_OK) != 0)
		return GT_ENOENT;
	rc = open_store(path, 0, out);
	/* The file is there: a store never initialized is not a client store either. */
	return rc == GT_ENOENT ? GT_ECORRUPT : rc;
}

void gt_cstore_close(struct gt_cstore *st)
{
	if (st == NULL)
		return;
	gt_sqldb_close(st->db);
	free(st);
}

const char *gt_cstore_errmsg(const struct gt_cstore *st)
{
	return gt_sqldb_errmsg(st != NULL ? st->db : NULL);
}

/* ---- Transactions ---- */

int gt_cstore_begin(struct gt_cstore *st)
{
	return gt_sqldb_begin(st->db);
}

int gt_cstore_commit(struct gt_cstore *st)
{
	return gt_sqldb_commit(st->db);
}

void gt_cstore_rollback(struct gt_cstore *st)
{
	if (st != NULL)
		gt_sqldb_rollback(st->db);
}

/* ---- Settings ---- */

int gt_cstore_config_get(struct gt_cstore *st, const char *name, char *buf, size_t len)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_CFG_GET);
	int rc;

	if (len > 0)
		buf[0] = '\0';
	if (s == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_text(s, 1, name);
	rc = gt_sqldb_step(st->db, s);
	if (rc == 0)
		return GT_ENOENT;
	if (rc < 0)
		return rc;
	const char *v = gt_sqldb_col_text(s, 0);
	size_t n = strlen(v);
	if (n >= len)
		rc = gt_sqldb_fail(st->db, GT_ETOOBIG, "setting %s is too long", name);
	else {
		memcpy(buf, v, n + 1);
		rc = GT_OK;
	}
	gt_sqldb_reset(s);
	return rc;
}

int gt_cstore_config_get_u64(struct gt_cstore *st, const char *name, uint64_t *v)
{
	char buf[32], *end;
	int rc = gt_cstore_config_get(st, name, buf, sizeof(buf));

	*v = 0;
	if (rc == GT_ENOENT)
		return GT_OK;
	if (rc != GT_OK)
		return rc;
	*v = strtoull(buf, &end, 10);
	if (*end != '\0')
		return gt_sqldb_fail(st->db, GT_ECORRUPT, "setting %s is not a number", name);
	return GT_OK;
}

int gt_cstore_config_set(struct gt_cstore *st, const char *name, const char *value)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_CFG_SET);

	if (s == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_text(s, 1, name);
	gt_sqldb_bind_text(s, 2, value);
	return gt_sqldb_run(st->db, s);
}

int gt_cstore_config_set_u64(struct gt_cstore *st, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return gt_cstore_config_set(st, name, buf);
}

/* ---- Metadata and org units ---- */

/* Replaces the stored metadata files with those of rep, and the version. */
static int save_files(struct gt_cstore *st, const Gtsync__V1__MetadataReply *rep)
{
	sqlite3_stmt *s;
	int rc = gt_sqldb_run_id(st->db, Q_MF_DEL);

	for (size_t i = 0; i < rep->n_files && rc == GT_OK; i++) {
		const Gtsync__V1__MetadataFile *f = rep->files[i];
		if ((s = gt_sqldb_stmt(st->db, Q_MF_INS)) == NULL)
			return GT_ESTORE;
		gt_sqldb_bind_text(s, 1, f->name);
		sqlite3_bind_blob64(s, 2, f->content.data ? (const void *)f->content.data : "",
		                    f->content.len, SQLITE_STATIC);
		sqlite3_bind_blob64(s, 3, f->sha256.data ? (const void *)f->sha256.data : "",
		                    f->sha256.len, SQLITE_STATIC);
		rc = gt_sqldb_run(st->db, s);
	}
	if (rc == GT_OK)
		rc = gt_cstore_config_set_u64(st, GT_CSTORE_CFG_MD_VERSION, rep->version);
	return rc;
}

/* Replaces the stored org units with those of rep. */
static int save_orgunits(struct gt_cstore *st, const Gtsync__V1__MetadataReply *rep)
{
	sqlite3_stmt *s;
	int rc = gt_sqldb_run_id(st->db, Q_OU_DEL);

	for (size_t i = 0; i < rep->n_org_units && rc == GT_OK; i++) {
		const Gtsync__V1__OrgUnit *u = rep->org_units[i];
		if ((s = gt_sqldb_stmt(st->db, Q_OU_INS)) == NULL)
			return GT_ESTORE;
		gt_sqldb_bind_text(s, 1, u->code);
		gt_sqldb_bind_text(s, 2, u->name);
		sqlite3_bind_int(s, 3, (int)u->level);
		gt_sqldb_bind_text(s, 4, u->parent);
		gt_sqldb_bind_text(s, 5, u->time_zone != NULL ? u->time_zone : "");
		rc = gt_sqldb_run(st->db, s);
	}
	return rc;
}

int gt_cstore_metadata_save(struct gt_cstore *st, const Gtsync__V1__MetadataReply *rep)
{
	struct gt_sqldb_scope sc;
	int rc = gt_sqldb_scope_enter(st->db, &sc);

	if (rc != GT_OK)
		return rc;
	if (!rep->unchanged)
		rc = save_files(st, rep);
	if (rc == GT_OK)
		rc = save_orgunits(st, rep);
	return gt_sqldb_scope_leave(st->db, &sc, rc);
}

/* The stored metadata files, as gt_meta_load_buffers() takes them. */
struct files {
	char **names;
	uint8_t **bufs;
	size_t *lens;
	size_t n, cap_names, cap_bufs, cap_lens;
};

static void files_free(struct files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->names[i]);
		free(f->bufs[i]);
	}
	free(f->names);
	free(f->bufs);
	free(f->lens);
}

/* Appends a copy of (name, blob[0..len)). */
static int files_add(struct files *f, const char *name, const void *blob, size_t len)
{
	if (GT_VEC_RESERVE(f->names, f->cap_names, f->n + 1) != GT_OK ||
	    GT_VEC_RESERVE(f->bufs, f->cap_bufs, f->n + 1) != GT_OK ||
	    GT_VEC_RESERVE(f->lens, f->cap_lens, f->n + 1) != GT_OK)
		return GT_ENOMEM;
	f->names[f->n] = strdup(name);
	f->bufs[f->n] = malloc(len ? len : 1);
	if (f->names[f->n] == NULL || f->bufs[f->n] == NULL) {
		free(f->names[f->n]);
		free(f->bufs[f->n]);
		return GT_ENOMEM;
	}
	if (len)
		memcpy(f->bufs[f->n], blob, len);
	f->lens[f->n++] = len;
	return GT_OK;
}

int gt_cstore_metadata_load(struct gt_cstore *st, struct gt_meta **out, struct gt_meta_errors *errs)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_MF_ALL);
	struct files f = {0};
	int rc;

	*out = NULL;
	if (s == NULL)
		return GT_ESTORE;
	while ((rc = gt_sqldb_step(st->db, s)) == 1) {
		rc = files_add(&f, gt_sqldb_col_text(s, 0), sqlite3_column_blob(s, 1),
		               (size_t)sqlite3_column_bytes(s, 1));
		if (rc != GT_OK) {
			gt_sqldb_reset(s);
			goto out;
		}
	}
	if (rc == 0)
		rc = f.n == 0 ? GT_ENOENT
		              : gt_meta_load_buffers((const char *const *)f.names,
		                                     (const uint8_t *const *)f.bufs, f.lens, f.n,
		                                     out, errs);
out:
	files_free(&f);
	return rc;
}

int gt_cstore_orgunit_get(struct gt_cstore *st, const char *code, struct gt_cstore_orgunit *out)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_OU_GET);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return GT_ESTORE;
	gt_sqldb_bind_text(s, 1, code);
	rc = gt_sqldb_step(st->db, s);
	if (rc == 0)
		return GT_ENOENT;
	if (rc < 0)
		return rc;
	snprintf(out->code, sizeof(out->code), "%s", gt_sqldb_col_text(s, 0));
	snprintf(out->name, sizeof(out->name), "%s", gt_sqldb_col_text(s, 1));
	out->level = sqlite3_column_int(s, 2);
	snprintf(out->parent, sizeof(out->parent), "%s", gt_sqldb_col_text(s, 3));
	snprintf(out->time_zone, sizeof(out->time_zone), "%s", gt_sqldb_col_text(s, 4));
	gt_sqldb_reset(s);
	return GT_OK;
}

int gt_cstore_orgunit_count(struct gt_cstore *st, uint64_t *n)
{
	return gt_sqldb_count(st->db, Q_OU_COUNT, n);
}
