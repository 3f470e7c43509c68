/* The PostgreSQL mirror: follows the store's signed log and derived tables into PostgreSQL, exactly
 * once. */
/*
 * libpq is the one way into PostgreSQL (the project's only user of it). The mirror reads the
 * store through its own read-only handle, in chunks, each chunk from one sqlite read
 * snapshot, and writes each chunk in one PostgreSQL transaction that also stores the mirrored
 * positions (log index, change sequence, admin counter). A crash of either side therefore
 * resumes from the last committed chunk: no row is lost or counted twice, and every write is
 * an upsert by the store's own primary key, so a chunk applied again changes nothing. Rows go
 * in with COPY into a temporary staging table per table, then one INSERT ... ON CONFLICT from
 * it: PostgreSQL's fastest way in, a statement per table instead of one per row.
 */
#include "mirror.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "clock.h"
#include "error.h"
#include "metadata.h"
#include "period.h"
#include "snapshot.h"
#include "store.h"
#include "store_mirror.h"

/* The longest wait between reconnection attempts to PostgreSQL. */
#define MIRROR_RETRY_MAX_MS 5000
/* The length of one generated SQL statement. */
#define MIRROR_SQL_MAX 2048

/* The tables and views, created when missing. Times stay Unix milliseconds as in the store;
 * the views give timestamps and names for analysis tools. */
static const char schema_sql[] =
    "CREATE SCHEMA IF NOT EXISTS gtsync;"
    "CREATE TABLE IF NOT EXISTS gtsync.mirror_position("
    " id integer PRIMARY KEY CHECK (id = 1),"
    " log_index bigint NOT NULL, change_seq bigint NOT NULL, admin_seq bigint NOT NULL,"
    " mirrored_at timestamptz NOT NULL);"
    "CREATE TABLE IF NOT EXISTS gtsync.orgunits("
    " code text PRIMARY KEY, name text NOT NULL, level integer NOT NULL, parent text,"
    " time_zone integer NOT NULL);"
    "CREATE TABLE IF NOT EXISTS gtsync.keys("
    " key_id text PRIMARY KEY, public_key bytea NOT NULL, org_unit text NOT NULL,"
    " roles integer NOT NULL, roles_held integer NOT NULL, label text NOT NULL,"
    " added_at_ms bigint NOT NULL, revoked_at_ms bigint);"
    "CREATE TABLE IF NOT EXISTS gtsync.metadata_files("
    " name text PRIMARY KEY, content bytea NOT NULL, sha256 bytea NOT NULL);"
    "CREATE TABLE IF NOT EXISTS gtsync.batch_log("
    " log_index bigint PRIMARY KEY, batch_hash bytea NOT NULL UNIQUE, key_id text NOT NULL,"
    " sequence bigint NOT NULL, org_unit text NOT NULL, batch bytea NOT NULL,"
    " signature bytea NOT NULL, received_at_ms bigint NOT NULL);"
    "CREATE TABLE IF NOT EXISTS gtsync.datavalues("
    " data_element text, period text, org_unit text, coc text, value text NOT NULL,"
    " comment text NOT NULL, revision bigint NOT NULL, deleted integer NOT NULL,"
    " num double precision, origin_batch bytea NOT NULL, created_at_ms bigint NOT NULL,"
    " updated_at_ms bigint NOT NULL, change_seq bigint NOT NULL,"
    " PRIMARY KEY(data_element, period, org_unit, coc));"
    "CREATE TABLE IF NOT EXISTS gtsync.completions("
    " dataset text, period text, org_unit text, completed integer NOT NULL,"
    " at_ms bigint NOT NULL, origin_batch bytea NOT NULL, change_seq bigint NOT NULL,"
    " PRIMARY KEY(dataset, period, org_unit));"
    "CREATE TABLE IF NOT EXISTS gtsync.workflow_events("
    " id bigint PRIMARY KEY, dataset text NOT NULL, period text NOT NULL,"
    " org_unit text NOT NULL, kind integer NOT NULL, key_id text NOT NULL,"
    " at_ms bigint NOT NULL, reason text NOT NULL, data_digest bytea,"
    " origin_batch bytea NOT NULL, change_seq bigint NOT NULL, open_until text NOT NULL,"
    " acknowledged text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS gtsync.workflow_state("
    " dataset text, period text, org_unit text, state integer NOT NULL,"
    " updated_at_ms bigint NOT NULL, change_seq bigint NOT NULL,"
    " PRIMARY KEY(dataset, period, org_unit));"
    "CREATE TABLE IF NOT EXISTS gtsync.data_sets("
    " code text PRIMARY KEY, name text NOT NULL, period_type text NOT NULL,"
    " timely_days integer NOT NULL, expiry_days integer NOT NULL);"
    "CREATE TABLE IF NOT EXISTS gtsync.data_elements("
    " code text PRIMARY KEY, name text NOT NULL, description text NOT NULL,"
    " category_combo text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS gtsync.data_set_elements("
    " data_set text, data_element text, PRIMARY KEY(data_set, data_element));"
    "CREATE TABLE IF NOT EXISTS gtsync.category_options("
    " category_combo text, code text, name text NOT NULL, sort_order integer NOT NULL,"
    " PRIMARY KEY(category_combo, code));"
    "CREATE OR REPLACE VIEW gtsync.v_values AS"
    " SELECT v.period, v.org_unit, o.name AS org_unit_name, o.level AS org_unit_level,"
    "  p.code AS province, p.name AS province_name,"
    "  v.data_element, e.name AS data_element_name,"
    "  v.coc AS category_option, co.name AS category_option_name,"
    "  v.value, v.num, v.comment, lg.key_id AS stored_by_key, k.label AS stored_by,"
    "  to_timestamp(v.created_at_ms / 1000.0) AS created,"
    "  to_timestamp(v.updated_at_ms / 1000.0) AS last_updated"
    " FROM gtsync.datavalues v"
    " LEFT JOIN gtsync.orgunits o ON o.code = v.org_unit"
    " LEFT JOIN gtsync.orgunits p ON p.code = CASE o.level WHEN 3 THEN o.parent"
    "  WHEN 2 THEN o.code END"
    " LEFT JOIN gtsync.data_elements e ON e.code = v.data_element"
    " LEFT JOIN gtsync.category_options co ON co.category_combo = e.category_combo"
    "  AND co.code = v.coc"
    " LEFT JOIN gtsync.batch_log lg ON lg.batch_hash = v.origin_batch"
    " LEFT JOIN gtsync.keys k ON k.key_id = lg.key_id"
    " WHERE v.deleted = 0;"
    "CREATE OR REPLACE VIEW gtsync.v_report_states AS"
    " SELECT s.dataset, d.name AS dataset_name, s.period, s.org_unit, o.name AS org_unit_name,"
    "  CASE s.state WHEN 1 THEN 'open' WHEN 2 THEN 'submitted' WHEN 3 THEN 'approved'"
    "  WHEN 4 THEN 'accepted' WHEN 5 THEN 'returned' ELSE 'unknown' END AS state,"
    "  to_timestamp(s.updated_at_ms / 1000.0) AS updated"
    " FROM gtsync.workflow_state s"
    " LEFT JOIN gtsync.data_sets d ON d.code = s.dataset"
    " LEFT JOIN gtsync.orgunits o ON o.code = s.org_unit;"
    "CREATE OR REPLACE VIEW gtsync.v_workflow_history AS"
    " SELECT w.id, w.dataset, w.period, w.org_unit, o.name AS org_unit_name,"
    "  CASE w.kind WHEN 1 THEN 'submit' WHEN 2 THEN 'approve' WHEN 3 THEN 'accept'"
    "  WHEN 4 THEN 'return' WHEN 5 THEN 'unapprove' WHEN 6 THEN 'nil report'"
    "  WHEN 7 THEN 'open late' ELSE 'unknown' END AS action,"
    "  w.key_id, k.label AS key_label, w.reason, to_timestamp(w.at_ms / 1000.0) AS at"
    " FROM gtsync.workflow_events w"
    " LEFT JOIN gtsync.orgunits o ON o.code = w.org_unit"
    " LEFT JOIN gtsync.keys k ON k.key_id = w.key_id;"
    "CREATE OR REPLACE VIEW gtsync.v_completeness AS"
    " SELECT c.dataset, d.name AS dataset_name, c.period, c.org_unit,"
    "  o.name AS org_unit_name, c.completed = 1 AS complete,"
    "  to_timestamp(c.at_ms / 1000.0) AS at"
    " FROM gtsync.completions c"
    " LEFT JOIN gtsync.data_sets d ON d.code = c.dataset"
    " LEFT JOIN gtsync.orgunits o ON o.code = c.org_unit;";

/* The mirror's state between chunks. */
struct mirror {
	const struct gt_mirror_cfg *cfg;
	FILE *out;
	PGconn *pg;
	struct gt_store *st;
	sigset_t stop_sigs;
	/* The positions committed in PostgreSQL. */
	int64_t log_index, change_seq;
	uint64_t admin_seq;
	int have_admin; /* admin_seq was read from PostgreSQL (0 for a fresh mirror) */
	int caught_up;  /* the mirror has been level with the store once: lag counts from then */
	struct gt_mirror_stats stats;
	char errmsg[512];
};

static int pg_fail(struct mirror *m, const char *what, const PGresult *res)
{
	const char *msg = res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(m->pg);
	size_t n;

	snprintf(m->errmsg, sizeof(m->errmsg), "%s: %s", what,
	         msg != NULL && msg[0] != '\0' ? msg : "PostgreSQL failed");
	n = strlen(m->errmsg);
	while (n > 0 && (m->errmsg[n - 1] == '\n' || m->errmsg[n - 1] == ' '))
		m->errmsg[--n] = '\0';
	return GT_ENET;
}

/* Runs sql (no parameters). */
static int pg_exec(struct mirror *m, const char *sql, const char *what)
{
	PGresult *res = PQexec(m->pg, sql);
	int ok = res != NULL && (PQresultStatus(res) == PGRES_COMMAND_OK ||
	                         PQresultStatus(res) == PGRES_TUPLES_OK);
	int rc = ok ? GT_OK : pg_fail(m, what, res);

	PQclear(res);
	return rc;
}

/* Runs a prepared statement with text parameters, outside COPY. */
static int pg_exec_prepared(struct mirror *m, const char *stmt, int n, const char *const *vals,
                            const char *what)
{
	PGresult *res = PQexecPrepared(m->pg, stmt, n, vals, NULL, NULL, 0);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? GT_OK : pg_fail(m, what, res);

	PQclear(res);
	return rc;
}

/* Counts the comma-separated names of list. */
static int count_names(const char *list)
{
	int n = 1;

	for (const char *p = list; *p != '\0'; p++)
		n += *p == ',';
	return n;
}

/* Whether name is one of the comma-separated names of list. */
static int in_list(const char *list, const char *name, size_t len)
{
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == len && strncmp(p, name, len) == 0)
			return 1;
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

/* The upsert of one table: INSERT ... ON CONFLICT (key) DO UPDATE SET every other column,
 * from parameters ($1..$n) or, with staged, from the table's staging table. */
static int upsert_sql(const char *table, const char *cols, const char *key, int staged, char *out,
                      size_t cap)
{
	size_t used;
	int n = staged ? snprintf(out, cap, "INSERT INTO gtsync.%s (%s) SELECT %s FROM stage_%s",
	                          table, cols, cols, table)
	               : snprintf(out, cap, "INSERT INTO gtsync.%s (%s) VALUES (", table, cols);
	int ncols = count_names(cols), updates = 0;

	if (n < 0 || (size_t)n >= cap)
		return GT_ETOOBIG;
	used = (size_t)n;
	for (int i = 1; !staged && i <= ncols; i++) {
		n = snprintf(out + used, cap - used, "%s$%d", i > 1 ? "," : "", i);
		if (n < 0 || (size_t)n >= cap - used)
			return GT_ETOOBIG;
		used += (size_t)n;
	}
	n = snprintf(out + used, cap - used, "%s ON CONFLICT (%s) DO ", staged ? "" : ")", key);
	if (n < 0 || (size_t)n >= cap - used)
		return GT_ETOOBIG;
	used += (size_t)n;
	for (const char *p = cols;;) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (!in_list(key, p, len)) {
			n = snprintf(out + used, cap - used, "%s%.*s = EXCLUDED.%.*s",
			             updates++ == 0 ? "UPDATE SET " : ", ", (int)len, p, (int)len,
			             p);
			if (n < 0 || (size_t)n >= cap - used)
				return GT_ETOOBIG;
			used += (size_t)n;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (updates == 0) {
		n = snprintf(out + used, cap - used, "NOTHING");
		if (n < 0 || (size_t)n >= cap - used)
			return GT_ETOOBIG;
	}
	return GT_OK;
}

/* The statements of the metadata's named tables, in the order of names_tables[]. */
static const char *const names_tables[][3] = {
    {"data_sets", "code,name,period_type,timely_days,expiry_days", "code"},
    {"data_elements", "code,name,description,category_combo", "code"},
    {"data_set_elements", "data_set,data_element", "data_set,data_element"},
    {"category_options", "category_combo,code,name,sort_order", "category_combo,code"},
};
#define NNAMES (sizeof(names_tables) / sizeof(names_tables[0]))

/* Prepares the upserts from the staging tables ("s0".."s7"), the named tables' upserts
 * ("n0".."n3") and the position update ("pos"), and creates the staging tables (temporary,
 * emptied at each commit). */
static int prepare(struct mirror *m)
{
	char sql[MIRROR_SQL_MAX], name[16];
	int rc = GT_OK;

	for (int s = 0; s < GT_MIRROR_SRC_COUNT && rc == GT_OK; s++) {
		const char *table = gt_store_mirror_table((enum gt_store_mirror_src)s);
		snprintf(sql, sizeof(sql),
		         "CREATE TEMPORARY TABLE stage_%s (LIKE gtsync.%s) ON COMMIT DELETE ROWS",
		         table, table);
		rc = pg_exec(m, sql, "creating staging tables");
	}
	for (int s = 0; s < GT_MIRROR_SRC_COUNT + (int)NNAMES && rc == GT_OK; s++) {
		if (s < GT_MIRROR_SRC_COUNT) {
			enum gt_store_mirror_src src = (enum gt_store_mirror_src)s;
			rc = upsert_sql(gt_store_mirror_table(src), gt_store_mirror_columns(src),
			                gt_store_mirror_key(src), 1, sql, sizeof(sql));
			snprintf(name, sizeof(name), "s%d", s);
		} else {
			const char *const *t = names_tables[s - GT_MIRROR_SRC_COUNT];
			rc = upsert_sql(t[0], t[1], t[2], 0, sql, sizeof(sql));
			snprintf(name, sizeof(name), "n%d", s - GT_MIRROR_SRC_COUNT);
		}
		if (rc != GT_OK)
			break;
		PGresult *res = PQprepare(m->pg, name, sql, 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = pg_fail(m, "preparing statements", res);
		PQclear(res);
	}
	if (rc == GT_OK) {
		PGresult *res =
		    PQprepare(m->pg, "pos",
		              "INSERT INTO gtsync.mirror_position(id, log_index, "
		              "change_seq, admin_seq, mirrored_at) VALUES (1, $1, $2, $3, "
		              "now()) ON CONFLICT (id) DO UPDATE SET log_index = $1, "
		              "change_seq = $2, admin_seq = $3, mirrored_at = now()",
		              3, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = pg_fail(m, "preparing statements", res);
		PQclear(res);
	}
	return rc;
}

/* Connects, creates the schema when missing, prepares the statements and reads the
 * positions already mirrored. */
static int pg_connect(struct mirror *m)
{
	PGresult *res = NULL;
	int rc;

	PQfinish(m->pg);
	m->pg = PQconnectdb(m->cfg->conninfo);
	if (m->pg == NULL || PQstatus(m->pg) != CONNECTION_OK) {
		rc = pg_fail(m, "connecting to PostgreSQL", NULL);
		goto out;
	}
	rc = pg_exec(m, "SET client_min_messages = warning", "configuring the session");
	if (rc == GT_OK)
		rc = pg_exec(m, schema_sql, "creating the mirror's tables");
	if (rc == GT_OK)
		rc = prepare(m);
	if (rc != GT_OK)
		goto out;
	res = PQexec(m->pg, "SELECT log_index, change_seq, admin_seq FROM gtsync.mirror_position");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_fail(m, "reading the mirrored position", res);
		goto out;
	}
	m->log_index = m->change_seq = 0;
	m->admin_seq = 0;
	m->have_admin = 0;
	if (PQntuples(res) == 1) {
		m->log_index = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		m->change_seq = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		m->admin_seq = strtoull(PQgetvalue(res, 0, 2), NULL, 10);
		m->have_admin = 1;
	}
out:
	PQclear(res);
	if (rc != GT_OK) {
		PQfinish(m->pg);
		m->pg = NULL;
	}
	return rc;
}

/* Rows of one table in COPY's text format, sent to PostgreSQL in pieces. */
struct copy_ctx {
	struct mirror *m;
	char *buf;
	size_t len, cap;
	uint64_t rows;
};

/* The COPY data gathered before it is handed to libpq. */
#define MIRROR_COPY_PIECE (256u * 1024u)
/* The largest column COPY text may take (4 MiB of metadata file, twice as hex). */
#define MIRROR_COPY_FIELD_MAX (16u * 1024u * 1024u)

static int copy_flush(struct copy_ctx *c)
{
	if (c->len == 0)
		return GT_OK;
	if (c->len > INT32_MAX || PQputCopyData(c->m->pg, c->buf, (int)c->len) != 1)
		return pg_fail(c->m, "sending rows", NULL);
	c->len = 0;
	return GT_OK;
}

/* Makes room for need more bytes (flushing first when the piece is full). */
static int copy_room(struct copy_ctx *c, size_t need)
{
	if (need > MIRROR_COPY_FIELD_MAX)
		return GT_ETOOBIG;
	if (c->len + need > MIRROR_COPY_PIECE) {
		int rc = copy_flush(c);
		if (rc != GT_OK)
			return rc;
	}
	if (c->len + need > c->cap) {
		size_t cap = c->cap == 0 ? MIRROR_COPY_PIECE : c->cap;
		while (cap < c->len + need)
			cap *= 2;
		char *p = realloc(c->buf, cap);
		if (p == NULL)
			return GT_ENOMEM;
		c->buf = p;
		c->cap = cap;
	}
	return GT_OK;
}

/* Appends one field in COPY's text format: \N for NULL, text with backslash, tab, newline
 * and carriage return escaped, bytea as \\x and hex. */
static int copy_field(struct copy_ctx *c, const struct gt_store_mirror_col *col)
{
	static const char hex[] = "0123456789abcdef";
	int rc, n;

	switch (col->type) {
	case GT_MCOL_NULL:
		if ((rc = copy_room(c, 2)) != GT_OK)
			return rc;
		memcpy(c->buf + c->len, "\\N", 2);
		c->len += 2;
		return GT_OK;
	case GT_MCOL_INT:
	case GT_MCOL_REAL:
		if ((rc = copy_room(c, 32)) != GT_OK)
			return rc;
		n = col->type == GT_MCOL_INT ? snprintf(c->buf + c->len, 32, "%" PRId64, col->i)
		                             : snprintf(c->buf + c->len, 32, "%.17g", col->r);
		if (n < 0 || n >= 32)
			return GT_EINVAL;
		c->len += (size_t)n;
		return GT_OK;
	case GT_MCOL_BLOB:
		if (col->len > MIRROR_COPY_FIELD_MAX / 2)
			return GT_ETOOBIG;
		if ((rc = copy_room(c, 3 + col->len * 2)) != GT_OK)
			return rc;
		memcpy(c->buf + c->len, "\\\\x", 3);
		c->len += 3;
		for (size_t i = 0; i < col->len; i++) {
			uint8_t b = ((const uint8_t *)col->p)[i];
			c->buf[c->len++] = hex[b >> 4];
			c->buf[c->len++] = hex[b & 15];
		}
		return GT_OK;
	case GT_MCOL_TEXT:
		if (col->len > MIRROR_COPY_FIELD_MAX / 2)
			return GT_ETOOBIG;
		if ((rc = copy_room(c, col->len * 2)) != GT_OK)
			return rc;
		for (size_t i = 0; i < col->len; i++) {
			char ch = ((const char *)col->p)[i];
			char esc = ch == '\\'   ? '\\'
			           : ch == '\t' ? 't'
			           : ch == '\n' ? 'n'
			           : ch == '\r' ? 'r'
			                        : 0;
			if (esc != 0) {
				c->buf[c->len++] = '\\';
				c->buf[c->len++] = esc;
			} else {
				c->buf[c->len++] = ch;
			}
		}
		return GT_OK;
	}
	return GT_EINVAL;
}

static int copy_row(void *arg, const struct gt_store_mirror_col *cols, size_t n)
{
	struct copy_ctx *c = arg;
	int rc = GT_OK;

	for (size_t i = 0; i < n && rc == GT_OK; i++) {
		rc = copy_field(c, &cols[i]);
		if (rc == GT_OK && (rc = copy_room(c, 1)) == GT_OK)
			c->buf[c->len++] = i + 1 < n ? '\t' : '\n';
	}
	c->rows++;
	return rc;
}

/* Copies src's rows (whole, or in (after, upto]) into its staging table with COPY, then
 * upserts them into the mirror's table; a whole table is emptied first. */
static int copy_src(struct mirror *m, enum gt_store_mirror_src src, int64_t after, int64_t upto,
                    uint64_t *rows)
{
	struct copy_ctx c = {.m = m};
	char sql[MIRROR_SQL_MAX], stmt[16];
	PGresult *res = NULL;
	int rc, scan;

	snprintf(sql, sizeof(sql), "COPY stage_%s (%s) FROM STDIN", gt_store_mirror_table(src),
	         gt_store_mirror_columns(src));
	res = PQexec(m->pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = pg_fail(m, "starting a copy", res);
		goto out;
	}
	PQclear(res);
	res = NULL;
	scan = gt_store_mirror_scan(m->st, src, after, upto, copy_row, &c);
	if (scan == GT_OK)
		scan = copy_flush(&c);
	/* A failed scan aborts the copy: nothing of it reaches the table. */
	if (PQputCopyEnd(m->pg, scan == GT_OK ? NULL : "the store could not be read") != 1) {
		rc = pg_fail(m, "ending a copy", NULL);
		goto out;
	}
	res = PQgetResult(m->pg);
	rc = PQresultStatus(res) == PGRES_COMMAND_OK ? GT_OK : pg_fail(m, "copying rows", res);
	PQclear(res);
	while ((res = PQgetResult(m->pg)) != NULL)
		PQclear(res);
	if (scan != GT_OK) {
		rc = scan;
		goto out;
	}
	if (rc != GT_OK)
		goto out;
	if (src < GT_MIRROR_LOG) {
		snprintf(sql, sizeof(sql), "DELETE FROM gtsync.%s", gt_store_mirror_table(src));
		if ((rc = pg_exec(m, sql, "replacing a table")) != GT_OK)
			goto out;
	}
	snprintf(stmt, sizeof(stmt), "s%d", (int)src);
	rc = pg_exec_prepared(m, stmt, 0, NULL, "applying rows");
	*rows += c.rows;
out:
	free(c.buf);
	return rc;
}

/* Upserts one named-table row of text fields. */
static int send_names(struct mirror *m, int table, const char *const *vals, int n)
{
	char stmt[16];

	snprintf(stmt, sizeof(stmt), "n%d", table);
	return pg_exec_prepared(m, stmt, n, vals, "writing names");
}

static const char *period_type_name(enum gt_period_type t)
{
	switch (t) {
	case GT_PERIOD_MONTHLY:
		return "monthly";
	case GT_PERIOD_QUARTERLY:
		return "quarterly";
	case GT_PERIOD_SIXMONTHLY:
		return "sixmonthly";
	case GT_PERIOD_YEARLY:
		return "yearly";
	default:
		return "unknown";
	}
}

/* The metadata's names (data sets, elements, their options) for the views. */
static int copy_names(struct mirror *m, uint64_t *rows)
{
	struct gt_snapshot *snap = NULL;
	char sql[64], a[16], b[16];
	int rc;

	for (size_t t = 0; t < NNAMES; t++) {
		snprintf(sql, sizeof(sql), "DELETE FROM gtsync.%s", names_tables[t][0]);
		if ((rc = pg_exec(m, sql, "clearing names")) != GT_OK)
			return rc;
	}
	rc = gt_snapshot_load(m->st, &snap);
	if (rc != GT_OK || snap->meta == NULL)
		goto out;
	const struct gt_meta *md = snap->meta;
	for (size_t i = 0; i < md->ndatasets && rc == GT_OK; i++) {
		const struct gt_meta_dataset *d = md->datasets[i];
		snprintf(a, sizeof(a), "%u", d->timely_days);
		snprintf(b, sizeof(b), "%u", d->expiry_days);
		const char *v[] = {d->code, d->name, period_type_name(d->period_type), a, b};
		rc = send_names(m, 0, v, 5);
		for (size_t j = 0; j < d->nelements && rc == GT_OK; j++) {
			const char *de[] = {d->code, d->elements[j]->code};
			rc = send_names(m, 2, de, 2);
		}
		*rows += 1 + d->nelements;
	}
	for (size_t i = 0; i < md->nelements && rc == GT_OK; i++) {
		const struct gt_meta_element *e = md->elements[i];
		const char *v[] = {e->code, e->name, e->description, e->combo->code};
		rc = send_names(m, 1, v, 4);
		(*rows)++;
	}
	/* The default combo's single option has the code "" like the store's rows. */
	for (size_t i = 0; i <= md->ncombos && rc == GT_OK; i++) {
		const struct gt_meta_combo *c = i < md->ncombos ? md->combos[i] : md->default_combo;
		for (size_t j = 0; j < c->noptions && rc == GT_OK; j++) {
			snprintf(a, sizeof(a), "%u", c->options[j].index);
			const char *v[] = {c->code, c->options[j].code, c->options[j].name, a};
			rc = send_names(m, 3, v, 4);
			(*rows)++;
		}
	}
out:
	gt_snapshot_unref(snap);
	return rc;
}

/* Applies one chunk: everything up to the given positions, in one PostgreSQL transaction with
 * the positions themselves. */
static int apply_chunk(struct mirror *m, const struct gt_store_mirror_pos *pos, int64_t log_upto,
                       int64_t seq_upto, int admin)
{
	char a[32], b[32], c[32];
	uint64_t rows = 0;
	int rc;

	rc = pg_exec(m, "BEGIN", "starting a transaction");
	if (rc != GT_OK)
		return rc;
	if (admin)
		rc = copy_names(m, &rows);
	for (int s = 0; s < GT_MIRROR_SRC_COUNT && rc == GT_OK; s++) {
		enum gt_store_mirror_src src = (enum gt_store_mirror_src)s;
		if (src < GT_MIRROR_LOG) {
			if (admin)
				rc = copy_src(m, src, 0, 0, &rows);
		} else if (src == GT_MIRROR_LOG) {
			if (log_upto > m->log_index)
				rc = copy_src(m, src, m->log_index, log_upto, &rows);
		} else if (seq_upto > m->change_seq) {
			rc = copy_src(m, src, m->change_seq, seq_upto, &rows);
		}
	}
	if (rc == GT_OK) {
		snprintf(a, sizeof(a), "%" PRId64, log_upto);
		snprintf(b, sizeof(b), "%" PRId64, seq_upto);
		snprintf(c, sizeof(c), "%" PRIu64, admin ? pos->admin_seq : m->admin_seq);
		const char *v[] = {a, b, c};
		rc = pg_exec_prepared(m, "pos", 3, v, "recording the position");
	}
	if (rc == GT_OK)
		rc = pg_exec(m, "COMMIT", "committing");
	else if (PQstatus(m->pg) == CONNECTION_OK)
		PQclear(PQexec(m->pg, "ROLLBACK"));
	if (rc == GT_OK) {
		m->log_index = log_upto;
		m->change_seq = seq_upto;
		if (admin) {
			m->admin_seq = pos->admin_seq;
			m->have_admin = 1;
		}
		m->stats.chunks++;
		m->stats.rows += rows;
	}
	return rc;
}

/* Whether SIGINT or SIGTERM is pending (they are blocked while the mirror runs). */
static int stop_requested(struct mirror *m)
{
	sigset_t pend;

	if (sigpending(&pend) != 0)
		return 0;
	return sigismember(&pend, SIGINT) == 1 || sigismember(&pend, SIGTERM) == 1;
}

/* Sleeps ms or until a stop signal arrives (1 then). */
static int nap(struct mirror *m, int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	int sig = sigtimedwait(&m->stop_sigs, NULL, &ts);

	return sig == SIGINT || sig == SIGTERM;
}

/* One round: reads the store's positions and applies what is new, in chunks. Sets *idle when
 * nothing was left to apply. */
static int round_once(struct mirror *m, int *idle)
{
	struct gt_store_mirror_pos pos;
	int rc;

	*idle = 0;
	rc = gt_store_mirror_begin(m->st);
	if (rc != GT_OK)
		return rc;
	rc = gt_store_mirror_positions(m->st, m->log_index, m->change_seq, &pos);
	if (rc != GT_OK)
		goto out;
	if (pos.log_index < m->log_index || pos.change_seq < m->change_seq) {
		snprintf(m->errmsg, sizeof(m->errmsg),
		         "PostgreSQL holds more than the store (log index %" PRId64
		         " against %" PRId64 ", change %" PRId64 " against %" PRId64
		         "): was the store restored from an older backup? Mirror into a new "
		         "database, or drop the schema gtsync first",
		         m->log_index, pos.log_index, m->change_seq, pos.change_seq);
		rc = GT_ECONFLICT;
		goto out;
	}
	int admin = !m->have_admin || pos.admin_seq != m->admin_seq;
	if (!admin && pos.log_index == m->log_index && pos.change_seq == m->change_seq) {
		*idle = 1;
		m->caught_up = 1;
		goto out;
	}
	/* The lag: the age of the oldest batch, or changed value, not yet in PostgreSQL. */
	int64_t oldest = pos.next_received_ms;
	if (pos.next_changed_ms > 0 && (oldest == 0 || pos.next_changed_ms < oldest))
		oldest = pos.next_changed_ms;
	if (m->caught_up && oldest > 0) {
		int64_t lag = gt_clock_wall_ms() - oldest;
		if (lag > m->stats.max_lag_ms)
			m->stats.max_lag_ms = lag;
	}
	int64_t chunk = (int64_t)m->cfg->chunk_rows;
	int64_t log_upto =
	    pos.log_index - m->log_index > chunk ? m->log_index + chunk : pos.log_index;
	int64_t seq_upto =
	    pos.change_seq - m->change_seq > chunk ? m->change_seq + chunk : pos.change_seq;
	rc = apply_chunk(m, &pos, log_upto, seq_upto, admin);
out:
	gt_store_mirror_end(m->st);
	return rc;
}

/* reconnect()'s answers besides GT_OK and a failure: try again, or stop (a signal came). */
#define MIRROR_RETRY 1
#define MIRROR_STOP  2

/* Connects to PostgreSQL when not connected, saying so (and once that it is down). Returns
 * GT_OK when connected; MIRROR_RETRY when it is down and the wait before the next try (*retry_ms,
 * doubled up to MIRROR_RETRY_MAX_MS) is over; MIRROR_STOP when a stop signal came while
 * waiting; with cfg->once, the connection's failure. */
static int reconnect(struct mirror *m, int64_t *retry_ms, int *said_down)
{
	int rc;

	if (m->pg != NULL)
		return GT_OK;
	rc = pg_connect(m);
	if (rc != GT_OK) {
		if (m->cfg->once)
			return rc;
		if (!*said_down)
			fprintf(m->out, "mirror: PostgreSQL unavailable (%s); retrying\n",
			        m->errmsg);
		*said_down = 1;
		if (nap(m, *retry_ms))
			return MIRROR_STOP;
		*retry_ms =
		    *retry_ms * 2 > MIRROR_RETRY_MAX_MS ? MIRROR_RETRY_MAX_MS : *retry_ms * 2;
		return MIRROR_RETRY;
	}
	if (*said_down)
		m->stats.reconnects++;
	*said_down = 0;
	*retry_ms = 100;
	fprintf(m->out,
	        "mirror: connected; mirrored up to log index %" PRId64 ", change %" PRId64 "\n",
	        m->log_index, m->change_seq);
	fflush(m->out);
	return GT_OK;
}

int gt_mirror_run(const struct gt_mirror_cfg *cfg, FILE *out, struct gt_mirror_stats *stats)
{
	struct mirror m;
	sigset_t old;
	int64_t retry_ms = 100;
	int rc, idle = 0, said_down = 0;

	memset(&m, 0, sizeof(m));
	memset(stats, 0, sizeof(*stats));
	m.cfg = cfg;
	m.out = out;
	if (cfg->chunk_rows == 0 || cfg->chunk_rows > GT_MIRROR_MAX_CHUNK)
		return GT_EINVAL;
	sigemptyset(&m.stop_sigs);
	sigaddset(&m.stop_sigs, SIGINT);
	sigaddset(&m.stop_sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &m.stop_sigs, &old);
	rc = gt_store_open_readonly(cfg->db_path, &m.st);
	if (rc != GT_OK) {
		snprintf(m.errmsg, sizeof(m.errmsg), "cannot open the store %s: %s", cfg->db_path,
		         gt_strerror(rc));
		goto out;
	}
	for (;;) {
		if (stop_requested(&m))
			break;
		if ((rc = reconnect(&m, &retry_ms, &said_down)) == MIRROR_RETRY)
			continue;
		if (rc == MIRROR_STOP)
			break;
		if (rc != GT_OK)
			goto out;
		rc = round_once(&m, &idle);
		if (rc == GT_ENET) {
			/* PostgreSQL went away mid-chunk: its transaction rolled back; resume. */
			fprintf(out, "mirror: %s; reconnecting\n", m.errmsg);
			PQfinish(m.pg);
			m.pg = NULL;
			if (cfg->once)
				goto out;
			continue;
		}
		if (rc != GT_OK)
			goto out;
		if (idle) {
			if (cfg->once)
				break;
			if (nap(&m, cfg->interval_ms))
				break;
		}
	}
	rc = GT_OK;
	fprintf(out,
	        "mirror: stopped at log index %" PRId64 ", change %" PRId64 "; %" PRIu64
	        " rows in %" PRIu64 " transactions, largest lag %" PRId64 " ms\n",
	        m.log_index, m.change_seq, m.stats.rows, m.stats.chunks, m.stats.max_lag_ms);
out:
	if (rc != GT_OK && m.errmsg[0] == '\0')
		snprintf(m.errmsg, sizeof(m.errmsg), "%s", gt_strerror(rc));
	if (rc != GT_OK)
		fprintf(stderr, "gtsync-server mirror: %s\n", m.errmsg);
	m.stats.log_index = m.log_index;
	m.stats.change_seq = m.change_seq;
	*stats = m.stats;
	PQfinish(m.pg);
	gt_store_close(m.st);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
