/* Decodes the org-unit CSV (code,name,level) into validated rows with line errors. */
#include "orgcsv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "error.h"
#include "timezone.h"
#include "vec.h"

/* Columns the header must name. */
enum { COL_CODE, COL_NAME, COL_LEVEL, COL_TZ, COL_COUNT };
static const struct gt_csv_column columns[COL_COUNT] = {
    [COL_CODE] = {"code", 1},
    [COL_NAME] = {"name", 1},
    [COL_LEVEL] = {"level", 1},
    /* Optional: lists written before the column existed still import. */
    [COL_TZ] = {"timezone", 0},
};

static const struct gt_csv_limits limits = {
    .max_input = GT_ORGCSV_MAX_INPUT,
    .max_record = GT_ORGCSV_MAX_LINE,
    .max_fields = GT_ORGCSV_MAX_FIELDS,
    .max_rows = GT_ORGCSV_MAX_ROWS,
};

void gt_orgcsv_add_error(struct gt_orgcsv *csv, unsigned long line, const char *fmt, ...)
{
	struct gt_csv_errors errs = GT_CSV_ERRORS(csv->errors, &csv->n_errors, &csv->errors_total);
	va_list ap;

	va_start(ap, fmt);
	gt_csv_verror(&errs, line, fmt, ap);
	va_end(ap);
}

/* Copies an outside string for a message: at most 24 bytes, non-printables as '?'. */
static const char *printable(const char *s, size_t n, char out[32])
{
	size_t i, k = 0;

	for (i = 0; i < n && k < 24; i++)
		out[k++] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"') ? s[i] : '?';
	if (i < n) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
	return out;
}

/* Returns the trimmed field under column k of the current record. */
static const char *cell(const struct gt_csv_reader *rd, int k, size_t *n)
{
	const char *s = gt_csv_cell(rd, (size_t)k, n);

	return gt_csv_trim(s, n);
}

/* The org-unit level a "level" cell names (province or district, any case); -1 for neither. */
static int level_of(const char *level, size_t n)
{
	if (n == 8 && strncasecmp(level, "province", 8) == 0)
		return GT_ORGUNIT_LEVEL_PROVINCE;
	if (n == 8 && strncasecmp(level, "district", 8) == 0)
		return GT_ORGUNIT_LEVEL_DISTRICT;
	return -1;
}

/* Whether unit code's name (n bytes) is not empty, not too long, and UTF-8 text without
 * control characters; else adds the error to csv. */
static int name_ok(struct gt_orgcsv *csv, unsigned long line, const char *code, const char *name,
                   size_t n)
{
	if (n == 0) {
		gt_orgcsv_add_error(csv, line, "org unit %s has an empty name", code);
		return 0;
	}
	if (n > GT_ORGCSV_MAX_NAME) {
		gt_orgcsv_add_error(csv, line, "name of %s is longer than %u bytes", code,
		                    GT_ORGCSV_MAX_NAME);
		return 0;
	}
	if (gt_csv_check_text(name, n, 0, NULL) != GT_CSV_TEXT_OK) {
		gt_orgcsv_add_error(
		    csv, line, "name of %s is not UTF-8 text without control characters", code);
		return 0;
	}
	return 1;
}

/* Validates the current record and appends it to csv->rows; errors are added to csv. */
static int add_row(struct gt_orgcsv *csv, const struct gt_csv_reader *rd, size_t *cap)
{
	unsigned long line = gt_csv_line(rd);
	struct gt_orgcsv_row *row;
	const char *code, *name, *level, *tz;
	size_t code_n, name_n, level_n, tz_n;
	enum gt_tz zone;
	char tmp[32];
	int declared, actual;

	code = cell(rd, COL_CODE, &code_n);
	name = cell(rd, COL_NAME, &name_n);
	level = cell(rd, COL_LEVEL, &level_n);
	tz = cell(rd, COL_TZ, &tz_n);

	if ((declared = level_of(level, level_n)) < 0) {
		gt_orgcsv_add_error(csv, line, "level \"%s\" is neither province nor district",
		                    printable(level, level_n, tmp));
		return 0;
	}
	if (gt_tz_parse(tz, tz_n, &zone) != 0) {
		gt_orgcsv_add_error(csv, line, "time zone \"%s\" is none of WIB, WITA, WIT",
		                    printable(tz, tz_n, tmp));
		return 0;
	}
	if (code_n == 0 || code_n >= GT_ORGUNIT_MAX_LEN) {
		gt_orgcsv_add_error(csv, line, "code \"%s\" is not a valid org-unit code",
		                    printable(code, code_n, tmp));
		return 0;
	}
	if (gt_vec_reserve(&csv->rows, cap, csv->n_rows + 1, sizeof(*csv->rows)) != GT_OK)
		return GT_ENOMEM;
	row = &csv->rows[csv->n_rows];
	memset(row, 0, sizeof(*row));
	memcpy(row->code, code, code_n);
	row->code[code_n] = '\0';
	actual = gt_orgunit_level(row->code);
	if (actual < 0) {
		gt_orgcsv_add_error(csv, line, "code \"%s\" is not a valid org-unit code",
		                    printable(code, code_n, tmp));
		return 0;
	}
	if (actual != declared) {
		gt_orgcsv_add_error(
		    csv, line, "code \"%s\" is a %s code but the level says %s", row->code,
		    actual == GT_ORGUNIT_LEVEL_PROVINCE   ? "province"
		    : actual == GT_ORGUNIT_LEVEL_DISTRICT ? "district"
		                                          : "national",
		    declared == GT_ORGUNIT_LEVEL_PROVINCE ? "province" : "district");
		return 0;
	}
	if (!name_ok(csv, line, row->code, name, name_n))
		return 0;
	if (gt_orgunit_parent(row->code, row->parent, sizeof(row->parent)) != 0) {
		gt_orgcsv_add_error(csv, line, "code %s has no parent", row->code);
		return 0;
	}
	row->line = line;
	row->level = declared;
	row->tz = zone;
	/* csv->text has room for every name: together they are never longer than the input. */
	if (name_n + 1 > csv->text_cap - csv->text_used) {
		gt_orgcsv_add_error(csv, line, "names longer than the input");
		return 0;
	}
	memcpy(csv->text + csv->text_used, name, name_n);
	csv->text[csv->text_used + name_n] = '\0';
	row->name = csv->text + csv->text_used;
	csv->text_used += name_n + 1;
	csv->n_rows++;
	return 0;
}

static int cmp_code(const void *a, const void *b)
{
	const struct gt_orgcsv_row *x = *(const struct gt_orgcsv_row *const *)a;
	const struct gt_orgcsv_row *y = *(const struct gt_orgcsv_row *const *)b;
	int c = strcmp(x->code, y->code);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Sorts the rows by code for lookups and reports duplicates (the index keeps the first). */
static int index_rows(struct gt_orgcsv *csv)
{
	size_t k = 0;

	if (csv->n_rows == 0)
		return 0;
	csv->sorted = malloc(csv->n_rows * sizeof(*csv->sorted));
	if (csv->sorted == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < csv->n_rows; i++)
		csv->sorted[i] = &csv->rows[i];
	qsort(csv->sorted, csv->n_rows, sizeof(*csv->sorted), cmp_code);
	for (size_t i = 0; i < csv->n_rows; i++) {
		const struct gt_orgcsv_row *row = csv->sorted[i];

		if (k > 0 && strcmp(csv->sorted[k - 1]->code, row->code) == 0) {
			gt_orgcsv_add_error(csv, row->line, "code %s already on line %lu",
			                    row->code, csv->sorted[k - 1]->line);
			continue;
		}
		csv->sorted[k++] = row;
	}
	csv->n_sorted = k;
	return 0;
}

int gt_orgcsv_parse(const uint8_t *buf, size_t len, struct gt_orgcsv *out)
{
	struct gt_csv_errors errs = GT_CSV_ERRORS(out->errors, &out->n_errors, &out->errors_total);
	struct gt_csv_reader *rd = NULL;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = gt_csv_open(&rd, buf, len, &limits, columns, COL_COUNT, &errs);
	if (rc != 0)
		goto out;
	out->text = malloc(len + 1);
	out->text_cap = len + 1;
	if (out->text == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	/* Past the row limit (GT_ETOOBIG) the reading stops with an error on that line. */
	while (gt_csv_next(rd) == 1) {
		rc = add_row(out, rd, &cap);
		if (rc != 0)
			goto out;
	}
	rc = index_rows(out);
	if (rc != 0)
		goto out;
	rc = out->errors_total > 0 ? GT_EINVAL : 0;
out:
	gt_csv_close(rd);
	return rc;
}

static int find_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct gt_orgcsv_row *const *)elem)->code);
}

const struct gt_orgcsv_row *gt_orgcsv_find(const struct gt_orgcsv *csv, const char *code)
{
	const struct gt_orgcsv_row *const *hit;

	if (csv->sorted == NULL || code == NULL)
		return NULL;
	hit = bsearch(code, csv->sorted, csv->n_sorted, sizeof(*csv->sorted), find_cmp);
	return hit == NULL ? NULL : *hit;
}

void gt_orgcsv_free(struct gt_orgcsv *csv)
{
	if (csv == NULL)
		return;
	free(csv->rows);
	free(csv->text);
	free(csv->sorted);
	memset(csv, 0, sizeof(*csv));
}
