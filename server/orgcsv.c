/* Decodes the org-unit CSV (RFC 4180, header-driven) into validated rows with line errors. */
#include "orgcsv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"

/* Columns the header must name. */
enum { COL_CODE, COL_NAME, COL_LEVEL, COL_COUNT };
static const char *const col_names[COL_COUNT] = {"code", "name", "level"};

/* One record being read: fields unescaped into buf, as offsets and lengths. */
struct record {
	unsigned long line; /* line the record starts on */
	size_t n_fields;
	size_t off[GT_ORGCSV_MAX_FIELDS];
	size_t flen[GT_ORGCSV_MAX_FIELDS];
	char buf[GT_ORGCSV_MAX_LINE + 1];
	size_t used;         /* bytes of buf in use */
	size_t raw;          /* bytes of input the record spans */
	const char *problem; /* first problem found in the record, or NULL */
};

/* The reader's position in the input. */
struct reader {
	const uint8_t *p;
	const uint8_t *end;
	unsigned long line; /* line of *p */
};

void gt_orgcsv_add_error(struct gt_orgcsv *csv, unsigned long line, const char *fmt, ...)
{
	struct gt_orgcsv_error e;
	va_list ap;
	size_t pos;

	csv->errors_total++;
	if (csv->n_errors == GT_ORGCSV_MAX_ERRORS &&
	    csv->errors[GT_ORGCSV_MAX_ERRORS - 1].line <= line)
		return;
	e.line = line;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	if (csv->n_errors == GT_ORGCSV_MAX_ERRORS)
		csv->n_errors--; /* drop the latest line to keep the earliest ones */
	pos = csv->n_errors;
	while (pos > 0 && csv->errors[pos - 1].line > line)
		pos--;
	memmove(&csv->errors[pos + 1], &csv->errors[pos],
	        (csv->n_errors - pos) * sizeof(csv->errors[0]));
	csv->errors[pos] = e;
	csv->n_errors++;
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

static void note(struct record *r, const char *problem)
{
	if (r->problem == NULL)
		r->problem = problem;
}

static void put(struct record *r, char c)
{
	if (r->used < GT_ORGCSV_MAX_LINE)
		r->buf[r->used] = c;
	r->used++; /* counted past the end so the record is known to be too long */
}

static void end_field(struct record *r, size_t start)
{
	if (r->n_fields == GT_ORGCSV_MAX_FIELDS) {
		note(r, "too many fields");
		return;
	}
	r->off[r->n_fields] = start;
	r->flen[r->n_fields] = r->used - start;
	r->n_fields++;
}

/* Reads one record. Returns 1 when a record was read, 0 at the end of input, GT_EINVAL when
 * the input ends inside a quoted field (r->line says where the record started). */
static int read_record(struct reader *rd, struct record *r)
{
	const uint8_t *start = rd->p;
	size_t field_start = 0;
	int quoted = 0, after_quote = 0;

	if (rd->p == rd->end)
		return 0;
	r->line = rd->line;
	r->n_fields = 0;
	r->used = 0;
	r->problem = NULL;
	for (;;) {
		int c;

		if (rd->p == rd->end) {
			if (quoted)
				return GT_EINVAL;
			end_field(r, field_start);
			break;
		}
		c = *rd->p++;
		if (c == '\0')
			note(r, "NUL byte");
		if (quoted) {
			if (c == '"') {
				if (rd->p < rd->end && *rd->p == '"') {
					rd->p++;
					put(r, '"');
				} else {
					quoted = 0;
					after_quote = 1;
				}
				continue;
			}
			if (c == '\n')
				rd->line++;
			put(r, (char)c);
			continue;
		}
		if (c == ',') {
			end_field(r, field_start);
			field_start = r->used;
			after_quote = 0;
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (c == '\r') {
				if (rd->p < rd->end && *rd->p == '\n') {
					rd->p++;
				} else {
					note(r, "carriage return without line feed");
					continue;
				}
			}
			rd->line++;
			end_field(r, field_start);
			break;
		}
		if (c == '"') {
			if (r->used == field_start && !after_quote) {
				quoted = 1;
				continue;
			}
			note(r, "quote inside an unquoted field");
		} else if (after_quote) {
			note(r, "text after a closing quote");
			after_quote = 0;
		}
		put(r, (char)c);
	}
	r->raw = (size_t)(rd->p - start);
	if (r->used > GT_ORGCSV_MAX_LINE)
		note(r, "record longer than the line limit");
	return 1;
}

/* Returns the field's bytes without surrounding spaces and tabs. */
static const char *field(const struct record *r, size_t i, size_t *n)
{
	const char *s = r->buf + r->off[i];
	size_t len = r->flen[i];

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	*n = len;
	return s;
}

static int is_blank(const struct record *r)
{
	return r->n_fields == 1 && r->flen[0] == 0 && r->problem == NULL;
}

/* Checks that s[0..n) is UTF-8 without control characters. */
static int text_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		size_t need;
		unsigned cp;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i <= need)
			return 0;
		for (size_t k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0x80 && cp <= 0x9f))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* Maps the header's columns; returns 0 or GT_EINVAL after adding an error. */
static int read_header(struct gt_orgcsv *csv, const struct record *r, size_t col[COL_COUNT])
{
	char tmp[32];
	int rc = 0;

	for (int k = 0; k < COL_COUNT; k++)
		col[k] = SIZE_MAX;
	if (r->problem != NULL) {
		gt_orgcsv_add_error(csv, r->line, "header: %s", r->problem);
		return GT_EINVAL;
	}
	for (size_t i = 0; i < r->n_fields; i++) {
		size_t n;
		const char *s = field(r, i, &n);

		for (int k = 0; k < COL_COUNT; k++) {
			if (n != strlen(col_names[k]) || strncasecmp(s, col_names[k], n) != 0)
				continue;
			if (col[k] != SIZE_MAX) {
				gt_orgcsv_add_error(csv, r->line,
				                    "header: column \"%s\" appears twice",
				                    printable(s, n, tmp));
				rc = GT_EINVAL;
			}
			col[k] = i;
		}
	}
	for (int k = 0; k < COL_COUNT; k++) {
		if (col[k] == SIZE_MAX) {
			gt_orgcsv_add_error(csv, r->line, "header: no column \"%s\"", col_names[k]);
			rc = GT_EINVAL;
		}
	}
	return rc;
}

/* Validates one data record and appends it to csv->rows; errors are added to csv. */
static int add_row(struct gt_orgcsv *csv, const struct record *r, size_t n_header,
                   const size_t col[COL_COUNT], size_t *cap)
{
	struct gt_orgcsv_row *row;
	const char *code, *name, *level;
	size_t code_n, name_n, level_n;
	char tmp[32];
	int declared, actual;

	if (r->problem != NULL) {
		gt_orgcsv_add_error(csv, r->line, "%s", r->problem);
		return 0;
	}
	if (r->n_fields != n_header) {
		gt_orgcsv_add_error(csv, r->line, "%zu fields where the header has %zu",
		                    r->n_fields, n_header);
		return 0;
	}
	code = field(r, col[COL_CODE], &code_n);
	name = field(r, col[COL_NAME], &name_n);
	level = field(r, col[COL_LEVEL], &level_n);

	if (level_n == 8 && strncasecmp(level, "province", 8) == 0) {
		declared = GT_ORGUNIT_LEVEL_PROVINCE;
	} else if (level_n == 8 && strncasecmp(level, "district", 8) == 0) {
		declared = GT_ORGUNIT_LEVEL_DISTRICT;
	} else {
		gt_orgcsv_add_error(csv, r->line, "level \"%s\" is neither province nor district",
		                    printable(level, level_n, tmp));
		return 0;
	}
	if (code_n == 0 || code_n >= GT_ORGUNIT_MAX_LEN || memchr(code, '\0', code_n) != NULL) {
		gt_orgcsv_add_error(csv, r->line, "code \"%s\" is not a valid org-unit code",
		                    printable(code, code_n, tmp));
		return 0;
	}
	if (csv->n_rows == *cap) {
		size_t ncap = *cap == 0 ? 64 : *cap * 2;
		struct gt_orgcsv_row *nrows;

		if (ncap > GT_ORGCSV_MAX_ROWS)
			ncap = GT_ORGCSV_MAX_ROWS;
		nrows = realloc(csv->rows, ncap * sizeof(*nrows));
		if (nrows == NULL)
			return GT_ENOMEM;
		csv->rows = nrows;
		*cap = ncap;
	}
	row = &csv->rows[csv->n_rows];
	memset(row, 0, sizeof(*row));
	memcpy(row->code, code, code_n);
	row->code[code_n] = '\0';
	actual = gt_orgunit_level(row->code);
	if (actual < 0) {
		gt_orgcsv_add_error(csv, r->line, "code \"%s\" is not a valid org-unit code",
		                    printable(code, code_n, tmp));
		return 0;
	}
	if (actual != declared) {
		gt_orgcsv_add_error(
		    csv, r->line, "code \"%s\" is a %s code but the level says %s", row->code,
		    actual == GT_ORGUNIT_LEVEL_PROVINCE   ? "province"
		    : actual == GT_ORGUNIT_LEVEL_DISTRICT ? "district"
		                                          : "national",
		    declared == GT_ORGUNIT_LEVEL_PROVINCE ? "province" : "district");
		return 0;
	}
	if (name_n == 0) {
		gt_orgcsv_add_error(csv, r->line, "org unit %s has an empty name", row->code);
		return 0;
	}
	if (name_n > GT_ORGCSV_MAX_NAME) {
		gt_orgcsv_add_error(csv, r->line, "name of %s is longer than %u bytes", row->code,
		                    GT_ORGCSV_MAX_NAME);
		return 0;
	}
	if (!text_ok(name, name_n)) {
		gt_orgcsv_add_error(csv, r->line,
		                    "name of %s is not UTF-8 text without control characters",
		                    row->code);
		return 0;
	}
	if (gt_orgunit_parent(row->code, row->parent, sizeof(row->parent)) != 0) {
		gt_orgcsv_add_error(csv, r->line, "code %s has no parent", row->code);
		return 0;
	}
	row->line = r->line;
	row->level = declared;
	/* csv->text has room for every name: together they are never longer than the input. */
	if (name_n + 1 > csv->text_cap - csv->text_used) {
		gt_orgcsv_add_error(csv, r->line, "names longer than the input");
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
	struct reader rd;
	struct record *r = NULL;
	size_t col[COL_COUNT], n_header = 0, cap = 0, records = 0;
	int have_header = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	if (buf == NULL && len > 0)
		return GT_EINVAL;
	if (len > GT_ORGCSV_MAX_INPUT) {
		gt_orgcsv_add_error(out, 0, "input larger than %u bytes", GT_ORGCSV_MAX_INPUT);
		return GT_ETOOBIG;
	}
	r = malloc(sizeof(*r));
	out->text = malloc(len + 1);
	out->text_cap = len + 1;
	if (r == NULL || out->text == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	rd.p = buf;
	rd.end = buf + len;
	rd.line = 1;
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		rd.p += 3;
	for (;;) {
		int got = read_record(&rd, r);

		if (got == GT_EINVAL) {
			gt_orgcsv_add_error(out, r->line, "quoted field not closed before the end");
			break;
		}
		if (got == 0)
			break;
		if (is_blank(r))
			continue;
		if (!have_header) {
			if (read_header(out, r, col) != 0)
				break;
			have_header = 1;
			n_header = r->n_fields;
			continue;
		}
		if (records++ == GT_ORGCSV_MAX_ROWS) {
			gt_orgcsv_add_error(out, r->line, "more than %u rows", GT_ORGCSV_MAX_ROWS);
			break;
		}
		rc = add_row(out, r, n_header, col, &cap);
		if (rc != 0)
			goto out;
	}
	if (!have_header && out->errors_total == 0)
		gt_orgcsv_add_error(out, 1, "no header line (code,name,level)");
	rc = index_rows(out);
	if (rc != 0)
		goto out;
	rc = out->errors_total > 0 ? GT_EINVAL : 0;
out:
	free(r);
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
