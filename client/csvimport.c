/* Decoder for data-value CSV files in DHIS2's column names; no store, no metadata. */
#include "csvimport.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static const char *const col_names[GT_CSV_NCOLS] = {
    [GT_CSV_DATAELEMENT] = "dataelement", [GT_CSV_PERIOD] = "period", [GT_CSV_ORGUNIT] = "orgunit",
    [GT_CSV_COC] = "categoryoptioncombo", [GT_CSV_VALUE] = "value",   [GT_CSV_COMMENT] = "comment",
};

const char *gt_csvimport_col_name(int col)
{
	if (col < 0 || col >= GT_CSV_NCOLS)
		return "?";
	return col_names[col];
}

void gt_csvimport_error(struct gt_csvimport *c, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	c->errors_total++;
	if (c->n_errors >= GT_CSVIMPORT_MAX_ERRORS)
		return;
	c->errors[c->n_errors].line = line;
	va_start(ap, fmt);
	vsnprintf(c->errors[c->n_errors].msg, sizeof(c->errors[0].msg), fmt, ap);
	va_end(ap);
	c->n_errors++;
}

void gt_csvimport_sort_errors(struct gt_csvimport *c)
{
	/* Insertion sort: stable, and the list is short and mostly sorted. */
	for (size_t i = 1; i < c->n_errors; i++) {
		struct gt_csvimport_error e = c->errors[i];
		size_t j = i;
		while (j > 0 && c->errors[j - 1].line > e.line) {
			c->errors[j] = c->errors[j - 1];
			j--;
		}
		c->errors[j] = e;
	}
}

void gt_csvimport_free(struct gt_csvimport *c)
{
	if (c == NULL)
		return;
	free(c->rows);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

/* ---- Growable byte storage ---- */

struct bytes {
	char *p;
	size_t used, cap;
};

static int bytes_reserve(struct bytes *b, size_t more)
{
	size_t need, cap;
	char *np;

	if (more > SIZE_MAX - b->used)
		return GT_ETOOBIG;
	need = b->used + more;
	if (need <= b->cap)
		return GT_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	np = realloc(b->p, cap);
	if (np == NULL)
		return GT_ENOMEM;
	b->p = np;
	b->cap = cap;
	return GT_OK;
}

static int bytes_put(struct bytes *b, const void *data, size_t n)
{
	int rc = bytes_reserve(b, n);
	if (rc != GT_OK)
		return rc;
	memcpy(b->p + b->used, data, n);
	b->used += n;
	return GT_OK;
}

/* ---- Checks on one field ---- */

/* Returns 1 if s[0..n) is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			k = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* Returns the first control character of s[0..n) that is not allowed, or -1. Line breaks and
 * tabs are allowed only when text is set. */
static int bad_control(const unsigned char *s, size_t n, int text)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == 0x7F)
			return s[i];
		if (s[i] >= 0x20)
			continue;
		if (text && (s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
			continue;
		return s[i];
	}
	return -1;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* ---- The decoder ---- */

struct dec {
	const uint8_t *buf;
	size_t len, pos;
	unsigned long line;
	struct bytes rec;             /* the current record's fields, each NUL-terminated */
	size_t *fields;               /* offsets into rec */
	size_t *flens;                /* lengths of the fields, without their NUL */
	size_t nfields;               /* fields in the current record */
	int quoted;                   /* the current record has a quoted field */
	int header_n;                 /* fields in the header, 0 before it is read */
	struct bytes text;            /* storage of accepted fields */
	size_t (*offs)[GT_CSV_NCOLS]; /* per row, offsets into text */
	size_t rows_cap;
};

/* Skips the rest of a physical line after an error. */
static void skip_line(struct dec *d)
{
	while (d->pos < d->len && d->buf[d->pos] != '\n')
		d->pos++;
	if (d->pos < d->len) {
		d->pos++;
		d->line++;
	}
}

/* Reads one record into d->rec/d->fields. Returns 1 for a record, 0 at the end of input, or a
 * negative code; on a format error *why is set (the line is skipped) and 1 is returned. */
static int read_record(struct dec *d, const char **why)
{
	*why = NULL;
	d->rec.used = 0;
	d->nfields = 0;
	d->quoted = 0;
	if (d->pos >= d->len)
		return 0;
	for (;;) {
		size_t start = d->rec.used;
		int rc;

		if (d->nfields >= GT_CSVIMPORT_MAX_FIELDS) {
			*why = "more fields than the decoder accepts";
			skip_line(d);
			return 1;
		}
		if (d->pos < d->len && d->buf[d->pos] == '"') {
			d->quoted = 1;
			d->pos++;
			for (;;) {
				uint8_t ch;
				if (d->pos >= d->len) {
					*why = "a quoted field is not closed before the end of the "
					       "file";
					return 1;
				}
				ch = d->buf[d->pos];
				if (ch == '"') {
					if (d->pos + 1 < d->len && d->buf[d->pos + 1] == '"') {
						d->pos += 2;
					} else {
						d->pos++;
						break;
					}
				} else {
					if (ch == '\n')
						d->line++;
					d->pos++;
				}
				if (d->rec.used >= GT_CSVIMPORT_MAX_RECORD) {
					*why = "the record is longer than the decoder accepts";
					skip_line(d);
					return 1;
				}
				if ((rc = bytes_put(&d->rec, &ch, 1)) != GT_OK)
					return rc;
			}
			if (d->pos < d->len && d->buf[d->pos] != ',' && d->buf[d->pos] != '\n' &&
			    !(d->buf[d->pos] == '\r' && d->pos + 1 < d->len &&
			      d->buf[d->pos + 1] == '\n')) {
				*why = "text follows a closing quote (a quote inside a field is "
				       "written twice)";
				skip_line(d);
				return 1;
			}
		} else {
			while (d->pos < d->len) {
				uint8_t ch = d->buf[d->pos];
				if (ch == ',' || ch == '\n')
					break;
				if (ch == '\r' && d->pos + 1 < d->len && d->buf[d->pos + 1] == '\n')
					break;
				if (ch == '"') {
					*why = "a quote inside an unquoted field (quote the whole "
					       "field and write the quote twice)";
					skip_line(d);
					return 1;
				}
				if (d->rec.used >= GT_CSVIMPORT_MAX_RECORD) {
					*why = "the record is longer than the decoder accepts";
					skip_line(d);
					return 1;
				}
				if ((rc = bytes_put(&d->rec, &ch, 1)) != GT_OK)
					return rc;
				d->pos++;
			}
		}
		d->flens[d->nfields] = d->rec.used - start;
		if ((rc = bytes_put(&d->rec, "", 1)) != GT_OK)
			return rc;
		d->fields[d->nfields++] = start;
		if (d->pos < d->len && d->buf[d->pos] == ',') {
			d->pos++;
			continue;
		}
		if (d->pos < d->len && d->buf[d->pos] == '\r')
			d->pos++;
		if (d->pos < d->len && d->buf[d->pos] == '\n') {
			d->pos++;
			d->line++;
		}
		return 1;
	}
}

static const char *field(const struct dec *d, size_t i)
{
	return d->rec.p + d->fields[i];
}

static int blank_field(const char *f)
{
	while (is_blank(*f))
		f++;
	return *f == '\0';
}

/* Reads the header record. Returns 0 or GT_EINVAL (errors added). */
static int read_header(struct dec *d, struct gt_csvimport *c, unsigned long line)
{
	int bad = 0;

	for (size_t i = 0; i < d->nfields; i++) {
		char name[32];
		const char *f = field(d, i);
		size_t n;

		while (is_blank(*f))
			f++;
		n = strlen(f);
		while (n > 0 && is_blank(f[n - 1]))
			n--;
		if (n >= sizeof(name))
			continue; /* longer than any known name: an ignored column */
		for (size_t k = 0; k < n; k++)
			name[k] = (f[k] >= 'A' && f[k] <= 'Z') ? (char)(f[k] - 'A' + 'a') : f[k];
		name[n] = '\0';
		for (int col = 0; col < GT_CSV_NCOLS; col++) {
			if (strcmp(name, col_names[col]) != 0)
				continue;
			if (c->col[col] >= 0) {
				gt_csvimport_error(c, line, "the header names column %s twice",
				                   col_names[col]);
				bad = 1;
			}
			c->col[col] = (int)i;
		}
	}
	if (c->col[GT_CSV_DATAELEMENT] < 0 || c->col[GT_CSV_VALUE] < 0) {
		gt_csvimport_error(
		    c, line,
		    "the first line must be a header naming the columns, with at "
		    "least dataelement and value (DHIS2's names: dataelement, period, "
		    "orgunit, categoryoptioncombo, value, comment)");
		bad = 1;
	}
	d->header_n = (int)d->nfields;
	return bad ? GT_EINVAL : GT_OK;
}

/* Checks one data record and stores its known fields. Returns 0, GT_EINVAL (errors added) or
 * a resource error. */
static int take_row(struct dec *d, struct gt_csvimport *c, unsigned long line)
{
	size_t off[GT_CSV_NCOLS];
	int bad = 0, rc;

	if ((int)d->nfields != d->header_n) {
		gt_csvimport_error(c, line, "%zu fields, but the header has %d", d->nfields,
		                   d->header_n);
		return GT_EINVAL;
	}
	for (int col = 0; col < GT_CSV_NCOLS; col++) {
		const char *f;
		size_t n, max;
		int text = col == GT_CSV_COMMENT, ctl;

		off[col] = 0; /* the arena's leading NUL: "" */
		if (c->col[col] < 0)
			continue;
		f = field(d, (size_t)c->col[col]);
		n = strlen(f);
		if (n != d->flens[c->col[col]]) {
			gt_csvimport_error(c, line, "column %s holds a NUL byte", col_names[col]);
			bad = 1;
			continue;
		}
		if (!text) {
			while (is_blank(*f)) {
				f++;
				n--;
			}
			while (n > 0 && is_blank(f[n - 1]))
				n--;
		}
		max = col == GT_CSV_VALUE     ? GT_CSVIMPORT_MAX_VALUE
		      : col == GT_CSV_COMMENT ? GT_CSVIMPORT_MAX_COMMENT
		                              : GT_CSVIMPORT_MAX_CODE;
		if (n > max) {
			gt_csvimport_error(c, line, "column %s is longer than %zu bytes",
			                   col_names[col], max);
			bad = 1;
			continue;
		}
		if (!utf8_valid((const unsigned char *)f, n)) {
			gt_csvimport_error(c, line,
			                   "column %s is not valid UTF-8 (save the file as UTF-8)",
			                   col_names[col]);
			bad = 1;
			continue;
		}
		if ((ctl = bad_control((const unsigned char *)f, n, text)) >= 0) {
			gt_csvimport_error(c, line, "column %s holds a control character (0x%02x)",
			                   col_names[col], (unsigned)ctl);
			bad = 1;
			continue;
		}
		if (n == 0 && (col == GT_CSV_DATAELEMENT || col == GT_CSV_VALUE)) {
			gt_csvimport_error(c, line, "column %s is empty", col_names[col]);
			bad = 1;
			continue;
		}
		off[col] = d->text.used;
		if ((rc = bytes_put(&d->text, f, n)) != GT_OK || (rc = bytes_put(&d->text, "", 1)))
			return rc;
	}
	if (bad)
		return GT_EINVAL;
	if (c->n_rows == d->rows_cap) {
		size_t cap = d->rows_cap ? d->rows_cap * 2 : 64;
		void *np = realloc(d->offs, cap * sizeof(*d->offs));
		if (np == NULL)
			return GT_ENOMEM;
		d->offs = np;
		np = realloc(c->rows, cap * sizeof(*c->rows));
		if (np == NULL)
			return GT_ENOMEM;
		c->rows = np;
		d->rows_cap = cap;
	}
	memcpy(d->offs[c->n_rows], off, sizeof(off));
	c->rows[c->n_rows].line = line;
	c->n_rows++;
	return GT_OK;
}

int gt_csvimport_parse(const uint8_t *buf, size_t len, struct gt_csvimport *c)
{
	struct dec d = {0};
	size_t records = 0;
	int rc = GT_OK, bad = 0;

	memset(c, 0, sizeof(*c));
	for (int col = 0; col < GT_CSV_NCOLS; col++)
		c->col[col] = -1;
	if (len > GT_CSVIMPORT_MAX_INPUT) {
		gt_csvimport_error(c, 0, "the file is larger than %u bytes",
		                   GT_CSVIMPORT_MAX_INPUT);
		return GT_ETOOBIG;
	}
	d.buf = buf;
	d.len = len;
	d.line = 1;
	if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
		d.pos = 3;
	d.fields = calloc(GT_CSVIMPORT_MAX_FIELDS, sizeof(*d.fields));
	d.flens = calloc(GT_CSVIMPORT_MAX_FIELDS, sizeof(*d.flens));
	if (d.fields == NULL || d.flens == NULL || bytes_put(&d.text, "", 1) != GT_OK) {
		rc = GT_ENOMEM;
		goto out;
	}
	for (;;) {
		unsigned long line = d.line;
		const char *why;
		int r = read_record(&d, &why);

		if (r < 0) {
			rc = r;
			goto out;
		}
		if (r == 0)
			break;
		if (why != NULL) {
			gt_csvimport_error(c, line, "%s", why);
			bad = 1;
			if (d.header_n == 0) /* a broken header: nothing else can be read */
				break;
			continue;
		}
		if (d.nfields == 1 && !d.quoted && blank_field(field(&d, 0)))
			continue; /* a blank line (a quoted empty field is a record) */
		if (d.header_n == 0) {
			if (read_header(&d, c, line) != GT_OK) {
				bad = 1;
				break;
			}
			continue;
		}
		if (++records > GT_CSVIMPORT_MAX_ROWS) {
			gt_csvimport_error(c, line, "the file holds more than %u records",
			                   GT_CSVIMPORT_MAX_ROWS);
			rc = GT_ETOOBIG;
			goto out;
		}
		r = take_row(&d, c, line);
		if (r == GT_EINVAL)
			bad = 1;
		else if (r != GT_OK) {
			rc = r;
			goto out;
		}
	}
	if (d.header_n == 0 && !bad) {
		gt_csvimport_error(c, 0, "the file is empty: expected a header line and values");
		bad = 1;
	}
out:
	/* The rows now point into the final storage. */
	c->text = d.text.p;
	c->text_used = d.text.used;
	c->text_cap = d.text.cap;
	for (size_t i = 0; i < c->n_rows; i++)
		for (int col = 0; col < GT_CSV_NCOLS; col++)
			c->rows[i].field[col] = c->text + d.offs[i][col];
	free(d.offs);
	free(d.fields);
	free(d.flens);
	free(d.rec.p);
	if (rc == GT_OK && bad)
		rc = GT_EINVAL;
	return rc;
}
