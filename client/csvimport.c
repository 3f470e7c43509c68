/* Decoder for data-value CSV files in DHIS2's column names; no store, no metadata. */
#include "csvimport.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "error.h"

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
	memset(c, 0, sizeof(*c));
}

/* The storage being filled: the accepted fields, and per row their offsets into it. */
struct store {
	char *text;
	size_t used, cap;
	size_t (*offs)[GT_CSV_NCOLS];
	size_t rows_cap;
};

/* Appends s[0..n) and a NUL to the text; sets *off to where it starts. */
static int store_text(struct store *st, const char *s, size_t n, size_t *off)
{
	if (n >= SIZE_MAX - st->used)
		return GT_ETOOBIG;
	if (st->used + n + 1 > st->cap) {
		size_t cap = st->cap ? st->cap : 4096;
		char *np;

		while (cap < st->used + n + 1)
			cap = cap > SIZE_MAX / 2 ? st->used + n + 1 : cap * 2;
		np = realloc(st->text, cap);
		if (np == NULL)
			return GT_ENOMEM;
		st->text = np;
		st->cap = cap;
	}
	memcpy(st->text + st->used, s, n);
	st->text[st->used + n] = '\0';
	*off = st->used;
	st->used += n + 1;
	return GT_OK;
}

/* Checks the current record's known fields and stores them as a row. Returns 0, GT_EINVAL
 * (errors added) or a resource error. */
static int take_row(struct store *st, struct gt_csvimport *c, const struct gt_csv_reader *rd)
{
	unsigned long line = gt_csv_line(rd);
	size_t off[GT_CSV_NCOLS];
	int bad = 0, rc;

	for (int col = 0; col < GT_CSV_NCOLS; col++) {
		const char *name = columns[col].name, *f;
		int text = col == GT_CSV_COMMENT;
		size_t n, max;
		unsigned ctl = 0;

		off[col] = 0; /* the storage's leading NUL: "" */
		if (gt_csv_column(rd, (size_t)col) < 0)
			continue;
		f = gt_csv_cell(rd, (size_t)col, &n);
		if (!text)
			f = gt_csv_trim(f, &n);
		max = col == GT_CSV_VALUE     ? GT_CSVIMPORT_MAX_VALUE
		      : col == GT_CSV_COMMENT ? GT_CSVIMPORT_MAX_COMMENT
		                              : GT_CSVIMPORT_MAX_CODE;
		if (n > max) {
			gt_csvimport_error(c, line, "column %s is longer than %zu bytes", name,
			                   max);
			bad = 1;
			continue;
		}
		switch (gt_csv_check_text(f, n, text ? GT_CSV_TEXT_BREAKS : 0, &ctl)) {
		case GT_CSV_TEXT_OK:
			break;
		case GT_CSV_TEXT_BAD_UTF8:
			gt_csvimport_error(
			    c, line, "column %s is not valid UTF-8 (save the file as UTF-8)", name);
			bad = 1;
			continue;
		default:
			gt_csvimport_error(c, line, "column %s holds a control character (0x%02x)",
			                   name, ctl);
			bad = 1;
			continue;
		}
		if (n == 0 && columns[col].required) {
			gt_csvimport_error(c, line, "column %s is empty", name);
			bad = 1;
			continue;
		}
		if ((rc = store_text(st, f, n, &off[col])) != GT_OK)
			return rc;
	}
	if (bad)
		return GT_EINVAL;
	if (c->n_rows == st->rows_cap) {
		size_t cap = st->rows_cap ? st->rows_cap * 2 : 64;
		void *np = realloc(st->offs, cap * sizeof(*st->offs));

		if (np == NULL)
			return GT_ENOMEM;
		st->offs = np;
		np = realloc(c->rows, cap * sizeof(*c->rows));
		if (np == NULL)
			return GT_ENOMEM;
		c->rows = np;
		st->rows_cap = cap;
	}
	memcpy(st->offs[c->n_rows], off, sizeof(off));
	c->rows[c->n_rows].line = line;
	c->n_rows++;
	return GT_OK;
}

int gt_csvimport_parse(const uint8_t *buf, size_t len, struct gt_csvimport *c)
{
	struct gt_csv_errors errs = GT_CSV_ERRORS(c->errors, &c->n_errors, &c->errors_total);
	struct gt_csv_reader *rd = NULL;
	struct store st = {0};
	size_t empty;
	int rc, r;

	memset(c, 0, sizeof(*c));
	for (int col = 0; col < GT_CSV_NCOLS; col++)
		c->col[col] = -1;
	rc = gt_csv_open(&rd, buf, len, &limits, columns, GT_CSV_NCOLS, &errs);
	if (rc != GT_OK)
		return rc;
	if ((rc = store_text(&st, "", 0, &empty)) != GT_OK)
		goto out;
	while ((r = gt_csv_next(rd)) == 1) {
		r = take_row(&st, c, rd);
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
	/* The rows now point into the final storage. */
	c->text = st.text;
	c->text_used = st.used;
	c->text_cap = st.cap;
	for (size_t i = 0; i < c->n_rows; i++)
		for (int col = 0; col < GT_CSV_NCOLS; col++)
			c->rows[i].field[col] = c->text + st.offs[i][col];
	free(st.offs);
	if (rc == GT_OK && c->errors_total > 0)
		rc = GT_EINVAL;
	return rc;
}
