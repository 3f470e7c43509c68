/* Store: backup and restore with sqlite's online backup API, integrity, statistics, compare. */
#define _GNU_SOURCE
#include "store_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "store_impl.h"
#include "vec.h"

/* The table a backup carries its files and facts in; never in a live store. */
#define BACKUP_TABLE "gt_backup"
/* The row of BACKUP_TABLE that holds when the backup was made (mode 0: not a file). */
#define TAKEN_AT_ROW ".taken-at"

static void fmt_err(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fmt_err(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Runs SQL text on a raw connection; the message goes to errbuf. */
static int exec_raw(sqlite3 *db, const char *sql, char *errbuf, size_t errlen)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		fmt_err(errbuf, errlen, "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		rc = gt_err_from_sqlite(rc);
		return rc != 0 ? rc : GT_ESTORE;
	}
	return 0;
}

/* Reads one integer from a query on a raw connection; GT_ENOENT when it returns no row. */
static int int_raw(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	*out = 0;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return GT_ENOENT;
	if (rc != SQLITE_OK) {
		int code = gt_err_from_sqlite(rc);
		return code != 0 ? code : GT_ESTORE;
	}
	return 0;
}

/* Copies every page of src into dst in one step (one read snapshot of src). */
static int copy_pages(sqlite3 *dst, sqlite3 *src, char *errbuf, size_t errlen)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc;

	if (b == NULL) {
		fmt_err(errbuf, errlen, "starting the copy: %s", sqlite3_errmsg(dst));
		return GT_ESTORE;
	}
	/* -1: all pages at once. Copying in steps would restart whenever the server commits. */
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		int code = gt_err_from_sqlite(rc);

		fmt_err(errbuf, errlen, "copying the pages: %s", sqlite3_errstr(rc));
		return code != 0 ? code : GT_ESTORE;
	}
	rc = sqlite3_errcode(dst);
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		fmt_err(errbuf, errlen, "copying the pages: %s", sqlite3_errmsg(dst));
		return GT_ESTORE;
	}
	return 0;
}

/* Syncs the directory holding path, so that a rename into it is durable. */
static void sync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (copy == NULL)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

static int put_row(sqlite3 *db, const char *name, const void *content, size_t len, unsigned mode,
                   char *errbuf, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(
	    db, "INSERT INTO " BACKUP_TABLE "(name, content, mode) VALUES(?1, ?2, ?3)", -1, &s,
	    NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_blob64(s, 2, len ? content : "", len, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, (int)mode);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (rc != SQLITE_OK)
		fmt_err(errbuf, errlen, "storing %s in the backup: %s", name, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : GT_ESTORE;
}

/* Stores the carried files and the time in the copy, and makes it self-contained. */
static int finish_copy(sqlite3 *d, const struct gt_store_backup_file *files, size_t n,
                       int64_t now_ms, char *errbuf, size_t errlen)
{
	char stamp[32];
	int rc;

	rc = exec_raw(d,
	              "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; BEGIN;"
	              "CREATE TABLE " BACKUP_TABLE "(name TEXT PRIMARY KEY NOT NULL,"
	              " content BLOB NOT NULL, mode INTEGER NOT NULL)",
	              errbuf, errlen);
	snprintf(stamp, sizeof(stamp), "%lld", (long long)now_ms);
	if (rc == 0)
		rc = put_row(d, TAKEN_AT_ROW, stamp, strlen(stamp), 0, errbuf, errlen);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = put_row(d, files[i].name, files[i].content, files[i].len, files[i].mode,
		             errbuf, errlen);
	if (rc == 0)
		rc = exec_raw(d, "COMMIT", errbuf, errlen);
	return rc;
}

int gt_store_backup(struct gt_store *src, const char *dst_path,
                    const struct gt_store_backup_file *files, size_t n, int64_t now_ms,
                    struct gt_store_backup_info *info)
{
	char *tmp = NULL, why[512] = "";
	sqlite3 *d = NULL;
	struct stat sb;
	int fd, rc;

	if (info != NULL)
		memset(info, 0, sizeof(*info));
	if (dst_path == NULL || (files == NULL && n > 0) || n > GT_STORE_BACKUP_MAX_FILES)
		return gt__store_err(src, GT_EINVAL, "no backup file name, or too many files");
	for (size_t i = 0; i < n; i++)
		if (files[i].len > GT_STORE_BACKUP_MAX_FILE || files[i].name == NULL ||
		    files[i].name[0] == '\0' || files[i].name[0] == '.')
			return gt__store_err(src, GT_EINVAL,
			                     "a carried file is unnamed or too large");
	if (stat(dst_path, &sb) == 0)
		return gt__store_err(src, GT_EEXIST, "%s exists; name a new file", dst_path);
	if (asprintf(&tmp, "%s.partial", dst_path) < 0)
		return gt__store_err(src, GT_ENOMEM, "out of memory");
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = gt_err_from_errno(errno);
		gt__store_err(src, rc, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	close(fd);
	rc = sqlite3_open_v2(tmp, &d, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		rc = gt__store_err(src, GT_EIO, "cannot open %s: %s", tmp, sqlite3_errstr(rc));
		goto out;
	}
	rc = copy_pages(d, src->db, why, sizeof(why));
	if (rc == 0)
		rc = finish_copy(d, files, n, now_ms, why, sizeof(why));
	if (rc != 0)
		gt__store_err(src, rc, "%s", why);
	sqlite3_close(d);
	d = NULL;
	if (rc != 0)
		goto out;
	/* The copy is read back before it is given its name. */
	{
		struct gt_store_backup_info check;

		rc = gt_store_backup_check(tmp, &check);
		if (rc != 0) {
			gt__store_err(src, rc, "the copy does not check: %s", check.problem);
			goto out;
		}
		if (info != NULL)
			*info = check;
	}
	if (rename(tmp, dst_path) != 0) {
		rc = gt_err_from_errno(errno);
		gt__store_err(src, rc, "cannot rename %s: %s", tmp, strerror(errno));
		goto out;
	}
	sync_dir_of(dst_path);
out:
	if (d != NULL)
		sqlite3_close(d);
	if (rc != 0)
		(void)unlink(tmp);
	free(tmp);
	return rc;
}

/* Collects integrity_check lines; *problems counts them. */
static int integrity_raw(sqlite3 *db, int quick, void (*cb)(void *, const char *), void *arg,
                         size_t *problems)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*problems = 0;
	rc = sqlite3_prepare_v2(db, quick ? "PRAGMA quick_check" : "PRAGMA integrity_check", -1, &s,
	                        NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(s, 0);

		rc = SQLITE_OK;
		if (line != NULL && strcmp(line, "ok") == 0)
			continue;
		if (cb != NULL && *problems < GT_STORE_MAX_PROBLEMS)
			cb(arg, line != NULL ? line : "(no text)");
		(*problems)++;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE || rc == SQLITE_OK)
		return 0;
	/* A file too damaged to check is a problem of the file, reported as such. */
	if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) {
		if (cb != NULL)
			cb(arg, sqlite3_errstr(rc));
		(*problems)++;
		return 0;
	}
	rc = gt_err_from_sqlite(rc);
	return rc != 0 ? rc : GT_ESTORE;
}

int gt_store_integrity(struct gt_store *st, int quick, void (*cb)(void *arg, const char *problem),
                       void *arg, size_t *problems)
{
	int rc = integrity_raw(st->db, quick, cb, arg, problems);

	if (rc != 0)
		gt__store_err(st, rc, "the integrity check could not run: %s",
		              sqlite3_errmsg(st->db));
	return rc;
}

struct first_problem {
	char *buf;
	size_t len;
};

static void keep_first(void *arg, const char *problem)
{
	struct first_problem *p = arg;

	if (p->buf[0] == '\0')
		fmt_err(p->buf, p->len, "integrity check: %s", problem);
}

int gt_store_backup_check(const char *path, struct gt_store_backup_info *info)
{
	sqlite3 *db = NULL;
	struct stat sb;
	struct first_problem fp = {info->problem, sizeof(info->problem)};
	size_t problems = 0;
	int64_t v = 0;
	int rc;

	memset(info, 0, sizeof(*info));
	if (stat(path, &sb) != 0) {
		fmt_err(info->problem, sizeof(info->problem), "%s", strerror(errno));
		return gt_err_from_errno(errno);
	}
	if (!S_ISREG(sb.st_mode)) {
		fmt_err(info->problem, sizeof(info->problem), "not a regular file");
		return GT_ECORRUPT;
	}
	info->bytes = (uint64_t)sb.st_size;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		fmt_err(info->problem, sizeof(info->problem), "cannot open: %s",
		        sqlite3_errstr(rc));
		rc = GT_ECORRUPT;
		goto out;
	}
	rc = integrity_raw(db, 0, keep_first, &fp, &problems);
	if (rc != 0 || problems > 0) {
		if (rc != 0)
			fmt_err(info->problem, sizeof(info->problem), "not an sqlite file: %s",
			        sqlite3_errmsg(db));
		rc = GT_ECORRUPT;
		goto out;
	}
	rc = int_raw(db, "PRAGMA user_version", &v);
	if (rc != 0 || v < 1 || v > GT_STORE_SCHEMA_VERSION) {
		fmt_err(info->problem, sizeof(info->problem),
		        rc != 0 ? "not an sqlite file"
		        : v < 1
		            ? "not a gtsync store"
		            : "made by a newer gtsync (store schema %lld; this program reads up "
		              "to %d)",
		        (long long)v, GT_STORE_SCHEMA_VERSION);
		rc = v > GT_STORE_SCHEMA_VERSION ? GT_ENOTSUP : GT_ECORRUPT;
		goto out;
	}
	info->schema = (int)v;
	if (int_raw(db, "SELECT count(*) FROM batch_log", &v) != 0) {
		fmt_err(info->problem, sizeof(info->problem), "not a gtsync store (no batch log)");
		rc = GT_ECORRUPT;
		goto out;
	}
	info->batches = (uint64_t)v;
	(void)int_raw(db, "SELECT coalesce(max(log_index), 0) FROM batch_log", &v);
	info->last_index = (uint64_t)v;
	if (int_raw(db,
	            "SELECT CAST(content AS TEXT) FROM " BACKUP_TABLE " WHERE name = '" TAKEN_AT_ROW
	            "'",
	            &v) == 0)
		info->taken_at_ms = v;
	if (int_raw(db, "SELECT count(*) FROM " BACKUP_TABLE " WHERE mode <> 0", &v) == 0)
		info->n_files = (size_t)v;
	rc = 0;
out:
	sqlite3_close(db);
	return rc;
}

int gt_store_backup_files(const char *path, gt_store_backup_file_cb cb, void *arg)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
		                        "SELECT name, content, mode FROM " BACKUP_TABLE
		                        " WHERE mode <> 0 ORDER BY name",
		                        -1, &s, NULL);
	if (rc != SQLITE_OK) {
		/* A backup without the table carries no files. */
		rc = rc == SQLITE_ERROR ? 0 : GT_ECORRUPT;
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gt_store_backup_file f = {
		    .name = (const char *)sqlite3_column_text(s, 0),
		    .content = sqlite3_column_blob(s, 1),
		    .len = (size_t)sqlite3_column_bytes(s, 1),
		    .mode = (unsigned)sqlite3_column_int(s, 2) & 0777u,
		};
		if (f.name == NULL || f.name[0] == '\0' || strchr(f.name, '/') != NULL ||
		    f.name[0] == '.' || f.len > GT_STORE_BACKUP_MAX_FILE) {
			rc = GT_ECORRUPT;
			goto out;
		}
		rc = cb(arg, &f);
		if (rc != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : GT_ECORRUPT;
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return rc;
}

int gt_store_restore(const char *backup_path, const char *db_path, char *errbuf, size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	int fd, rc;

	fd = open(db_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fmt_err(errbuf, errlen, "cannot create %s: %s", db_path, strerror(errno));
		return gt_err_from_errno(errno);
	}
	close(fd);
	rc = sqlite3_open_v2(backup_path, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		fmt_err(errbuf, errlen, "cannot open %s: %s", backup_path, sqlite3_errstr(rc));
		rc = GT_ECORRUPT;
		goto out;
	}
	rc = sqlite3_open_v2(db_path, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		fmt_err(errbuf, errlen, "cannot open %s: %s", db_path, sqlite3_errstr(rc));
		rc = GT_EIO;
		goto out;
	}
	sqlite3_busy_timeout(dst, GT_STORE_BUSY_TIMEOUT_MS);
	rc = copy_pages(dst, src, errbuf, errlen);
	if (rc == 0)
		rc = exec_raw(dst,
		              "PRAGMA synchronous = FULL; DROP TABLE IF EXISTS " BACKUP_TABLE ";"
		              "PRAGMA journal_mode = WAL;",
		              errbuf, errlen);
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc;
}

/* ---- Statistics ------------------------------------------------------------------------- */

static int count_q(struct gt_store *st, const char *sql, uint64_t *out)
{
	int64_t v = 0;
	int rc = int_raw(st->db, sql, &v);

	*out = (uint64_t)v;
	if (rc == GT_ENOENT)
		rc = 0;
	if (rc != 0)
		gt__store_err(st, rc, "%s: %s", sql, sqlite3_errmsg(st->db));
	return rc;
}

int gt_store_stats_get(struct gt_store *st, struct gt_store_stats *out)
{
	uint64_t at = 0;
	int own, rc;

	memset(out, 0, sizeof(*out));
	rc = gt__store_read_begin(st, &own);
	if (rc != 0)
		return rc;
	if ((rc = count_q(st, "PRAGMA page_size", &out->page_size)) ||
	    (rc = count_q(st, "PRAGMA page_count", &out->page_count)) ||
	    (rc = count_q(st, "PRAGMA freelist_count", &out->free_pages)) ||
	    /* length() of a blob reads its size from the record header, not its pages. */
	    (rc = count_q(st, "SELECT count(*) FROM batch_log", &out->batches)) ||
	    (rc = count_q(st,
	                  "SELECT coalesce(sum(length(batch)) + sum(length(signature)), 0) "
	                  "FROM batch_log",
	                  &out->log_bytes)) ||
	    (rc = count_q(st, "SELECT coalesce(max(log_index), 0) FROM batch_log",
	                  &out->last_index)) ||
	    (rc = count_q(st, "SELECT count(*) FROM datavalues", &out->values)) ||
	    (rc = count_q(st, "SELECT count(*) FROM keys", &out->keys)) ||
	    (rc = count_q(st, "SELECT count(revoked_at_ms) FROM keys", &out->keys_revoked)) ||
	    (rc = count_q(st, "SELECT count(*) FROM orgunits", &out->orgunits)) ||
	    (rc = count_q(st, "SELECT coalesce(max(version), 0) FROM metadata_version",
	                  &out->metadata_version)))
		goto out;
	if (out->last_index > 0) {
		char sql[96];

		snprintf(sql, sizeof(sql),
		         "SELECT received_at_ms FROM batch_log WHERE log_index = %llu",
		         (unsigned long long)out->last_index);
		rc = count_q(st, sql, &at);
		out->last_at_ms = (int64_t)at;
	}
out:
	gt__store_read_end(st, own);
	return rc;
}

struct unit_last {
	char org[GT_ORGUNIT_MAX_LEN];
	uint64_t batches, last;
	int64_t at;
};

int gt_store_last_batches(struct gt_store *st, gt_store_unit_last_cb cb, void *arg)
{
	static const char sql[] =
	    "SELECT org_unit, n, last, (SELECT received_at_ms FROM batch_log WHERE log_index = "
	    "last) "
	    "FROM (SELECT org_unit, count(*) AS n, max(log_index) AS last FROM batch_log "
	    "GROUP BY org_unit) ORDER BY org_unit";
	struct unit_last *units = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		rc = SQLITE_OK;
		if (GT_VEC_RESERVE(units, cap, n + 1) != GT_OK) {
			rc = SQLITE_NOMEM;
			break;
		}
		snprintf(units[n].org, sizeof(units[n].org), "%s",
		         sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
		units[n].batches = (uint64_t)sqlite3_column_int64(s, 1);
		units[n].last = (uint64_t)sqlite3_column_int64(s, 2);
		units[n].at = sqlite3_column_int64(s, 3);
		n++;
	}
	if (rc != SQLITE_DONE)
		rc = gt__store_sqlerr(st, rc, "reading the last batches");
	else
		rc = 0;
	sqlite3_finalize(s);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = cb(arg, units[i].org, units[i].batches, units[i].last, units[i].at);
	free(units);
	return rc;
}

/* ---- Copies and comparisons ---------------------------------------------------------------- */

int gt_store_snapshot_begin(struct gt_store *st)
{
	int64_t v;
	char why[512];
	int rc;

	if (!sqlite3_get_autocommit(st->db))
		return gt__store_err(st, GT_ESTATE, "a transaction is already open");
	rc = exec_raw(st->db, "BEGIN", why, sizeof(why));
	if (rc != 0)
		return gt__store_err(st, rc, "%s", why);
	/* BEGIN is deferred: the first read fixes the snapshot. */
	if (rc == 0)
		rc = int_raw(st->db, "SELECT count(*) FROM sqlite_schema", &v);
	return rc;
}

void gt_store_snapshot_end(struct gt_store *st)
{
	if (st != NULL && !sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

int gt_store_copy_to_memory(struct gt_store *st, struct gt_store **out)
{
	struct gt_store *m = NULL;
	char why[512];
	int rc;

	*out = NULL;
	rc = gt__store_open_memory(&m);
	if (rc != 0)
		return gt__store_err(st, rc, "cannot open an in-memory database");
	rc = copy_pages(m->db, st->db, why, sizeof(why));
	if (rc != 0) {
		gt_store_close(m);
		return gt__store_err(st, rc, "%s", why);
	}
	*out = m;
	return 0;
}

void gt_store_names_free(char **names)
{
	if (names == NULL)
		return;
	for (size_t i = 0; names[i] != NULL; i++)
		free(names[i]);
	free(names);
}

/* Writes "SELECT * FROM "table"" with the name quoted; NULL on overflow. */
static char *select_all(const char *table, const char *tail)
{
	char *q = malloc(strlen(table) * 2 + strlen(tail) + 32), *p;

	if (q == NULL)
		return NULL;
	p = q + sprintf(q, "SELECT * FROM \"");
	for (const char *c = table; *c; c++) {
		if (*c == '"')
			*p++ = '"';
		*p++ = *c;
	}
	sprintf(p, "\"%s", tail);
	return q;
}

int gt_store_empty_tables(struct gt_store *st, char ***names)
{
	sqlite3_stmt *s = NULL;
	char **list = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*names = NULL;
	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT name FROM sqlite_schema WHERE type = 'table' "
	                        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
	                        -1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		char *q = name ? select_all(name, " LIMIT 1") : NULL;
		sqlite3_stmt *one = NULL;
		int has;

		rc = SQLITE_NOMEM;
		if (q == NULL)
			break;
		rc = sqlite3_prepare_v2(st->db, q, -1, &one, NULL);
		free(q);
		if (rc != SQLITE_OK)
			break;
		has = sqlite3_step(one);
		sqlite3_finalize(one);
		if (has == SQLITE_DONE) {
			if (GT_VEC_RESERVE(list, cap, n + 2) != GT_OK)
				break;
			list[n] = strdup(name);
			list[n + 1] = NULL;
			if (list[n] == NULL)
				break;
			n++;
		} else if (has != SQLITE_ROW) {
			rc = has;
			break;
		}
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		rc = rc == SQLITE_NOMEM ? gt__store_err(st, GT_ENOMEM, "out of memory")
		                        : gt__store_sqlerr(st, rc, "listing tables");
		sqlite3_finalize(s);
		gt_store_names_free(list);
		return rc;
	}
	sqlite3_finalize(s);
	if (list == NULL) {
		list = calloc(1, sizeof(*list));
		if (list == NULL)
			return gt__store_err(st, GT_ENOMEM, "out of memory");
	}
	*names = list;
	return 0;
}

/* Orders two column values as ORDER BY does with the BINARY collation: NULL, numbers, text,
 * blobs. */
static int cmp_value(sqlite3_stmt *a, sqlite3_stmt *b, int i)
{
	int ta = sqlite3_column_type(a, i), tb = sqlite3_column_type(b, i);
	int ca = ta == SQLITE_NULL ? 0 : ta == SQLITE_TEXT ? 2 : ta == SQLITE_BLOB ? 3 : 1;
	int cb = tb == SQLITE_NULL ? 0 : tb == SQLITE_TEXT ? 2 : tb == SQLITE_BLOB ? 3 : 1;

	if (ca != cb)
		return ca < cb ? -1 : 1;
	if (ca == 0)
		return 0;
	if (ca == 1) {
		if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER) {
			sqlite3_int64 x = sqlite3_column_int64(a, i),
			              y = sqlite3_column_int64(b, i);
			return x < y ? -1 : x > y;
		}
		double x = sqlite3_column_double(a, i), y = sqlite3_column_double(b, i);
		return x < y ? -1 : x > y;
	}
	{
		const void *x =
		    ca == 2 ? (const void *)sqlite3_column_text(a, i) : sqlite3_column_blob(a, i);
		const void *y =
		    ca == 2 ? (const void *)sqlite3_column_text(b, i) : sqlite3_column_blob(b, i);
		int nx = sqlite3_column_bytes(a, i), ny = sqlite3_column_bytes(b, i);
		int c = memcmp(x ? x : "", y ? y : "", (size_t)(nx < ny ? nx : ny));

		if (c != 0)
			return c < 0 ? -1 : 1;
		return nx < ny ? -1 : nx > ny;
	}
}

static int cmp_row(sqlite3_stmt *a, sqlite3_stmt *b, int ncols)
{
	for (int i = 0; i < ncols; i++) {
		int c = cmp_value(a, b, i);
		if (c != 0)
			return c;
	}
	return 0;
}

/* Prepares SELECT * of table ordered by every column; *ncols receives the column count. */
static int prepare_ordered(sqlite3 *db, const char *table, sqlite3_stmt **out, int *ncols)
{
	char *q = select_all(table, ""), *full = NULL;
	sqlite3_stmt *s = NULL;
	size_t len;
	int rc;

	*out = NULL;
	if (q == NULL)
		return SQLITE_NOMEM;
	rc = sqlite3_prepare_v2(db, q, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		free(q);
		return rc;
	}
	*ncols = sqlite3_column_count(s);
	sqlite3_finalize(s);
	len = strlen(q) + 16 + (size_t)*ncols * 8;
	full = malloc(len);
	if (full == NULL) {
		free(q);
		return SQLITE_NOMEM;
	}
	size_t k = (size_t)snprintf(full, len, "%s ORDER BY ", q);
	for (int i = 1; i <= *ncols; i++)
		k += (size_t)snprintf(full + k, len - k, "%s%d", i > 1 ? "," : "", i);
	free(q);
	rc = sqlite3_prepare_v2(db, full, -1, out, NULL);
	free(full);
	return rc;
}

int gt_store_compare_table(struct gt_store *a, struct gt_store *b, const char *table,
                           struct gt_store_table_diff *d)
{
	sqlite3_stmt *sa = NULL, *sb = NULL;
	int na = 0, nb = 0, ra, rb, rc;

	memset(d, 0, sizeof(*d));
	rc = prepare_ordered(a->db, table, &sa, &na);
	if (rc != SQLITE_OK) {
		rc = gt__store_sqlerr(a, rc, "reading a table");
		goto out;
	}
	rc = prepare_ordered(b->db, table, &sb, &nb);
	if (rc != SQLITE_OK) {
		rc = gt__store_sqlerr(a, rc, "reading a table of the copy");
		goto out;
	}
	if (na != nb) {
		rc = gt__store_err(a, GT_ECORRUPT,
		                   "table %s has %d columns in one store, %d in the other", table,
		                   na, nb);
		goto out;
	}
	ra = sqlite3_step(sa);
	rb = sqlite3_step(sb);
	while (ra == SQLITE_ROW || rb == SQLITE_ROW) {
		int c = ra != SQLITE_ROW ? 1 : rb != SQLITE_ROW ? -1 : cmp_row(sa, sb, na);

		if (c <= 0) {
			d->rows_a++;
			if (c < 0)
				d->only_a++;
			ra = sqlite3_step(sa);
		}
		if (c >= 0) {
			d->rows_b++;
			if (c > 0)
				d->only_b++;
			rb = sqlite3_step(sb);
		}
	}
	if (ra != SQLITE_DONE || rb != SQLITE_DONE)
		rc = gt__store_sqlerr(a, ra != SQLITE_DONE ? ra : rb, "comparing a table");
	else
		rc = 0;
out:
	sqlite3_finalize(sa);
	sqlite3_finalize(sb);
	return rc;
}
