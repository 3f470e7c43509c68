/* Store: org units (CSV import, lookups, iteration). */
#include "store_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "vec.h"

static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? (const char *)src : "");
}

static void row_orgunit(sqlite3_stmt *s, struct gt_store_orgunit *u)
{
	copy_text(u->code, sizeof(u->code), sqlite3_column_text(s, 0));
	copy_text(u->name, sizeof(u->name), sqlite3_column_text(s, 1));
	u->level = sqlite3_column_int(s, 2);
	copy_text(u->parent, sizeof(u->parent), sqlite3_column_text(s, 3));
	u->tz = sqlite3_column_int(s, 4);
}

int gt_store_orgunit_get(struct gt_store *st, const char *code, struct gt_store_orgunit *out)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (code == NULL)
		return gt__store_err(st, GT_EINVAL, "no org-unit code");
	s = gt__store_q(st, Q_OU_GET);
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_orgunit(s, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = gt__store_err(st, GT_ENOENT, "no org unit %.16s", code);
	} else {
		rc = gt__store_sqlerr(st, rc, "reading an org unit");
	}
	sqlite3_reset(s);
	return rc;
}

/* Runs an org-unit query, collects the rows, then calls cb per row: the statement is done
 * before any callback runs, so callbacks may use the store freely (e.g. recurse). */
static int orgunit_iter(struct gt_store *st, sqlite3_stmt *s, gt_store_orgunit_cb cb, void *arg)
{
	struct gt_store_orgunit *units = NULL;
	size_t n = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (GT_VEC_RESERVE(units, cap, n + 1) != GT_OK) {
			rc = gt__store_err(st, GT_ENOMEM, "out of memory");
			goto out;
		}
		row_orgunit(s, &units[n++]);
	}
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading org units");
	sqlite3_reset(s);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = cb(arg, &units[i]);
out:
	sqlite3_reset(s);
	free(units);
	return rc;
}

int gt_store_orgunit_foreach(struct gt_store *st, gt_store_orgunit_cb cb, void *arg)
{
	sqlite3_stmt *s = gt__store_q(st, Q_OU_ALL);

	return s == NULL ? GT_ESTORE : orgunit_iter(st, s, cb, arg);
}

int gt_store_orgunit_children(struct gt_store *st, const char *parent, gt_store_orgunit_cb cb,
                              void *arg)
{
	sqlite3_stmt *s;

	if (parent == NULL)
		return gt__store_err(st, GT_EINVAL, "no org-unit code");
	s = gt__store_q(st, Q_OU_CHILDREN);
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_text(s, 1, parent, -1, SQLITE_STATIC);
	return orgunit_iter(st, s, cb, arg);
}

int gt_store_orgunit_count(struct gt_store *st, size_t *count)
{
	uint64_t n = 0;
	int rc = gt__store_count(st, Q_OU_COUNT, "counting org units", &n);
	*count = (size_t)n;
	return rc;
}

/* Looks up code's name (and zone, when tz is not NULL) in the store: 1 found (name copied),
 * 0 absent, or a GT_E* code. */
static int stored_name(struct gt_store *st, const char *code, char *name, size_t cap, int *tz)
{
	sqlite3_stmt *s = gt__store_q(st, Q_OU_GET);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		copy_text(name, cap, sqlite3_column_text(s, 1));
		if (tz != NULL)
			*tz = sqlite3_column_int(s, 4);
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = gt__store_sqlerr(st, rc, "reading an org unit");
	}
	sqlite3_reset(s);
	return rc;
}

/* Checks that every district's province is in the file or the store. */
static int check_parents(struct gt_store *st, struct gt_orgcsv *csv)
{
	char name[GT_STORE_MAX_NAME + 1];

	for (size_t i = 0; i < csv->n_rows; i++) {
		const struct gt_orgcsv_row *row = &csv->rows[i];
		int found;

		if (row->level != GT_ORGUNIT_LEVEL_DISTRICT || gt_orgcsv_find(csv, row->parent))
			continue;
		found = stored_name(st, row->parent, name, sizeof(name), NULL);
		if (found < 0)
			return found;
		if (found == 0)
			gt_orgcsv_add_error(csv, row->line,
			                    "district %s: province %s is neither in the file nor "
			                    "in the store",
			                    row->code, row->parent);
	}
	return 0;
}

/* Writes one level's rows (provinces before districts, for the parent references). */
static int write_level(struct gt_store *st, const struct gt_orgcsv *csv, int level,
                       struct gt_store_import_result *res)
{
	char name[GT_STORE_MAX_NAME + 1];

	for (size_t i = 0; i < csv->n_sorted; i++) {
		const struct gt_orgcsv_row *row = csv->sorted[i];
		sqlite3_stmt *s;
		int found, rc, tz = GT_TZ_NONE;

		if (row->level != level)
			continue;
		found = stored_name(st, row->code, name, sizeof(name), &tz);
		if (found < 0)
			return found;
		if (found && strcmp(name, row->name) == 0 &&
		    (row->tz == GT_TZ_NONE || (int)row->tz == tz)) {
			res->unchanged++;
			continue;
		}
		s = gt__store_q(st, Q_OU_UPSERT);
		if (s == NULL)
			return GT_ESTORE;
		sqlite3_bind_text(s, 1, row->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, row->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, row->level);
		sqlite3_bind_text(s, 4, row->parent, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 5, (int)row->tz);
		rc = gt__store_run(st, s, "storing an org unit");
		if (rc != 0)
			return rc;
		if (found)
			res->updated++;
		else
			res->added++;
	}
	return 0;
}

int gt_store_orgunit_import_buf(struct gt_store *st, const uint8_t *buf, size_t len,
                                struct gt_store_import_result *res)
{
	struct gt_orgcsv csv;
	struct gt_store_scope tx;
	int rc, prc;

	memset(res, 0, sizeof(*res));
	prc = gt_orgcsv_parse(buf, len, &csv);
	if (prc != 0 && prc != GT_EINVAL) {
		rc = prc;
		gt__store_err(st, rc, "reading the org-unit CSV: %s", gt_strerror(rc));
		goto out;
	}
	rc = gt_store_scope_enter(st, &tx);
	if (rc != 0)
		goto out;
	rc = check_parents(st, &csv);
	if (rc == 0 && csv.errors_total > 0)
		rc = gt__store_err(st, GT_EINVAL, "org-unit CSV has %zu errors; nothing imported",
		                   csv.errors_total);
	if (rc == 0)
		rc = write_level(st, &csv, GT_ORGUNIT_LEVEL_PROVINCE, res);
	if (rc == 0)
		rc = write_level(st, &csv, GT_ORGUNIT_LEVEL_DISTRICT, res);
	if (rc == 0 && res->added + res->updated > 0)
		rc = gt__store_admin_bump(st);
	rc = gt_store_scope_leave(st, &tx, rc);
	if (rc != 0) {
		res->added = res->updated = res->unchanged = 0;
	}
out:
	res->n_errors = csv.n_errors;
	res->errors_total = csv.errors_total;
	memcpy(res->errors, csv.errors, csv.n_errors * sizeof(csv.errors[0]));
	gt_orgcsv_free(&csv);
	return rc;
}

int gt_store_orgunit_import_file(struct gt_store *st, const char *path,
                                 struct gt_store_import_result *res)
{
	FILE *f;
	struct stat sb;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	if (path == NULL)
		return gt__store_err(st, GT_EINVAL, "no file name");
	f = fopen(path, "rb");
	if (f == NULL) {
		rc = gt_err_from_errno(errno);
		return gt__store_err(st, rc, "%s: %s", path, gt_strerror(rc));
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		rc = gt__store_err(st, GT_EINVAL, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)sb.st_size > GT_ORGCSV_MAX_INPUT) {
		rc = gt__store_err(st, GT_ETOOBIG, "%s: larger than %u bytes", path,
		                   GT_ORGCSV_MAX_INPUT);
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL) {
		rc = gt__store_err(st, GT_ENOMEM, "out of memory");
		goto out;
	}
	len = fread(buf, 1, (size_t)sb.st_size + 1, f);
	if (ferror(f) || len > (size_t)sb.st_size) {
		rc =
		    gt__store_err(st, GT_EIO, "%s: read error or file changed while reading", path);
		goto out;
	}
	rc = gt_store_orgunit_import_buf(st, buf, len, res);
out:
	free(buf);
	fclose(f);
	return rc;
}
