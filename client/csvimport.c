/* Decoder for data-value CSV files in DHIS2's column names; no store, no metadata. */
#include "csvimport.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "error.h"
#include "i18n.h"
#include "vec.h"

static const struct gt_csv_column columns[GT_CSV_NCOLS] = {
    [GT_CSV_DATAELEMENT] = {"dataelement", 1},
    [GT_CSV_PERIOD] = {"period", 0},
    [GT_CSV_ORGUNIT] = {"orgunit", 0},
    [GT_CSV_COC] = {"categoryoptioncombo", 0},
    [GT_CSV_VALUE] = {"value", 1},
    [GT_CSV_COMMENT] = {"comment", 0},
};

static const struct gt_csv_limits limits = {
    .max_input = GT_CSVIMPORT_MAX_INPUT,
    .max_record = GT_CSVIMPORT_MAX_RECORD,
    .max_fields = GT_CSVIMPORT_MAX_FIELDS,
    .max_rows = GT_CSVIMPORT_MAX_ROWS,
};

const char *gt_csvimport_col_name(int col)
{
	if (col < 0 || col >= GT_CSV_NCOLS)
		return "?";
	return columns[col].name;
}

void gt_csvimport_error(struct gt_csvimport *c, unsigned long line, const char *fmt, ...)
{
	struct gt_csv_errors errs = GT_CSV_ERRORS(c->errors, &c->n_errors, &c->errors_total);
	va_list ap;

	va_start(ap, fmt);
	gt_csv_verror(&errs, line, fmt, ap);
	va_end(ap);
}

void gt_csvimport_sort_errors(struct gt_csvimport *c)
{
	/* gt_csv_verror() keeps the list sorted by line as errors are added. */
	(void)c;
}

void gt_csvimport_free(struct gt_csvimport *c)
{
	if (c == NULL)
		return;
	free(c->rows);
	free(c->text);
	free(c->offs);
	free(c->where);
	memset(c, 0, sizeof(*c));
}

int gt_csvimport_place(struct gt_csvimport *c, unsigned long *line, const char *fmt, ...)
{
	va_list ap;

	*line = 0;
	if (c->n_where == GT_CSVIMPORT_MAX_ROWS)
		return GT_ETOOBIG;
	if (GT_VEC_RESERVE(c->where, c->where_cap, c->n_where + 1) != GT_OK)
		return GT_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(c->where[c->n_where], sizeof(c->where[0]), fmt, ap);
	va_end(ap);
	*line = ++c->n_where;
	return GT_OK;
}

const char *gt_csvimport_where(const struct gt_csvimport *c, unsigned long line)
{
	if (c->where == NULL || line == 0 || line > c->n_where)
		return NULL;
	return c->where[line - 1];
}

/* Appends s[0..n) and a NUL to the text; sets *off to where it starts. */
static int store_text(struct gt_csvimport *c, const char *s, size_t n, size_t *off)
{
	if (n >= SIZE_MAX - c->text_used)
		return GT_ETOOBIG;
	if (GT_VEC_RESERVE(c->text, c->text_cap, c->text_used + n + 1) != GT_OK)
		return GT_ENOMEM;
	memcpy(c->text + c->text_used, s, n);
	c->text[c->text_used + n] = '\0';
	*off = c->text_used;
	c->text_used += n + 1;
	return GT_OK;
}

void gt_csvimport_begin(struct gt_csvimport *c)
{
	size_t empty;

	memset(c, 0, sizeof(*c));
	for (int col = 0; col < GT_CSV_NCOLS; col++)
		c->col[col] = -1;
	/* Offset 0 is the empty string of absent columns (a failure is met again at the first
	 * row). */
	(void)store_text(c, "", 0, &empty);
}

void gt_csvimport_end(struct gt_csvimport *c)
{
	for (size_t i = 0; i < c->n_rows; i++)
		for (int col = 0; col < GT_CSV_NCOLS; col++)
			c->rows[i].field[col] = c->text + c->offs[i][col];
}

int gt_csvimport_add(struct gt_csvimport *c, unsigned long line, const char *const *fv,
                     const size_t *nv)
{
	size_t off[GT_CSV_NCOLS];
	int bad = 0, rc;

	if (c->text == NULL)
		return GT_ENOMEM;
	if (c->n_rows == GT_CSVIMPORT_MAX_ROWS) {
		gt_csvimport_error(c, line, _("the file holds more than %u records"),
		                   GT_CSVIMPORT_MAX_ROWS);
		return GT_ETOOBIG;
	}
	for (int col = 0; col < GT_CSV_NCOLS; col++) {
		const char *name = columns[col].name, *f = fv[col];
		int text = col == GT_CSV_COMMENT;
		size_t n = nv[col], max;
		unsigned ctl = 0;

		off[col] = 0; /* the storage's leading NUL: "" */
		if (f == NULL)
			continue;
		if (!text)
			f = gt_csv_trim(f, &n);
		max = col == GT_CSV_VALUE     ? GT_CSVIMPORT_MAX_VALUE
		      : col == GT_CSV_COMMENT ? GT_CSVIMPORT_MAX_COMMENT
		                              : GT_CSVIMPORT_MAX_CODE;
		if (n > max) {
			gt_csvimport_error(c, line, _("column %s is longer than %zu bytes"), name,
			                   max);
			bad = 1;
			continue;
		}
		switch (gt_csv_check_text(f, n, text ? GT_CSV_TEXT_BREAKS : 0, &ctl)) {
		case GT_CSV_TEXT_OK:
			break;
		case GT_CSV_TEXT_BAD_UTF8:
			gt_csvimport_error(
			    c, line, _("column %s is not valid UTF-8 (save the file as UTF-8)"),
			    name);
			bad = 1;
			continue;
		default:
			gt_csvimport_error(
			    c, line, _("column %s holds a control character (0x%02x)"), name, ctl);
			bad = 1;
			continue;
		}
		if (n == 0 && columns[col].required) {
			gt_csvimport_error(c, line, _("column %s is empty"), name);
			bad = 1;
			continue;
		}
		if ((rc = store_text(c, f, n, &off[col])) != GT_OK)
			return rc;
	}
	if (bad)
		return GT_EINVAL;
	if (GT_VEC_RESERVE(c->offs, c->offs_cap, c->n_rows + 1) != GT_OK ||
	    GT_VEC_RESERVE(c->rows, c->rows_cap, c->n_rows + 1) != GT_OK)
		return GT_ENOMEM;
	memcpy(c->offs[c->n_rows], off, sizeof(off));
	memset(&c->rows[c->n_rows], 0, sizeof(c->rows[0]));
	c->rows[c->n_rows].line = line;
	c->n_rows++;
	return GT_OK;
}

/* Checks the current record's known fields and stores them as a row. */
static int take_row(struct gt_csvimport *c, const struct gt_csv_reader *rd)
{
	const char *f[GT_CSV_NCOLS];
	size_t n[GT_CSV_NCOLS];

	for (int col = 0; col < GT_CSV_NCOLS; col++) {
		f[col] = NULL;
		n[col] = 0;
		if (gt_csv_column(rd, (size_t)col) >= 0)
			f[col] = gt_csv_cell(rd, (size_t)col, &n[col]);
	}
	return gt_csvimport_add(c, gt_csv_line(rd), f, n);
}

int gt_csvimport_parse(const uint8_t *buf, size_t len, struct gt_csvimport *c)
{
	struct gt_csv_errors errs = GT_CSV_ERRORS(c->errors, &c->n_errors, &c->errors_total);
	struct gt_csv_limits lim = limits;
	struct gt_csv_reader *rd = NULL;
	int rc, r;

	gt_csvimport_begin(c);
	/* An input over the limit is refused by gt_csv_open() before any byte is read. */
	lim.sep = len <= lim.max_input ? gt_csv_sniff_sep(buf, len) : ',';
	rc = gt_csv_open(&rd, buf, len, &lim, columns, GT_CSV_NCOLS, &errs);
	if (rc != GT_OK)
		return rc;
	while ((r = gt_csv_next(rd)) == 1) {
		r = take_row(c, rd);
		if (r != GT_OK && r != GT_EINVAL) {
			rc = r;
			goto out;
		}
	}
	rc = r; /* 0, or GT_ETOOBIG past the row limit */
out:
	for (int col = 0; col < GT_CSV_NCOLS; col++)
		c->col[col] = gt_csv_column(rd, (size_t)col);
	gt_csv_close(rd);
	gt_csvimport_end(c);
	if (rc == GT_OK && c->errors_total > 0)
		rc = GT_EINVAL;
	return rc;
}
