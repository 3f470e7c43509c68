/* Reads RFC 4180 CSV records, maps the header's columns and keeps the line errors. */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "i18n.h"

/* ---- The error list ---- */

static unsigned long entry_line(const struct gt_csv_errors *errs, size_t i)
{
	unsigned long line;

	memcpy(&line, (const char *)errs->base + i * errs->size + errs->line_off, sizeof(line));
	return line;
}

void gt_csv_verror(const struct gt_csv_errors *errs, unsigned long line, const char *fmt,
                   va_list ap)
{
	char *base = errs->base, *entry;
	size_t n = *errs->n, pos;

	(*errs->total)++;
	if (errs->cap == 0)
		return;
	if (n == errs->cap) {
		if (entry_line(errs, n - 1) <= line)
			return;
		n--; /* drop the latest line to keep the earliest ones */
	}
	pos = n;
	while (pos > 0 && entry_line(errs, pos - 1) > line)
		pos--;
	memmove(base + (pos + 1) * errs->size, base + pos * errs->size, (n - pos) * errs->size);
	entry = base + pos * errs->size;
	memcpy(entry + errs->line_off, &line, sizeof(line));
	vsnprintf(entry + errs->msg_off, errs->msg_size, fmt, ap);
	*errs->n = n + 1;
}

void gt_csv_error(const struct gt_csv_errors *errs, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gt_csv_verror(errs, line, fmt, ap);
	va_end(ap);
}

/* ---- Text helpers ---- */

const char *gt_csv_trim(const char *s, size_t *n)
{
	size_t len = *n;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	*n = len;
	return s;
}

int gt_csv_check_text(const char *s, size_t n, int flags, unsigned *ctl)
{
	const unsigned char *p = (const unsigned char *)s;
	int control = 0;
	unsigned first = 0;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i], cp;
		size_t need;

		if (c < 0x80) {
			if ((c < 0x20 || c == 0x7f) && !control &&
			    !((flags & GT_CSV_TEXT_BREAKS) &&
			      (c == '\t' || c == '\n' || c == '\r'))) {
				control = 1;
				first = c;
			}
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
			return GT_CSV_TEXT_BAD_UTF8;
		}
		if (n - i <= need)
			return GT_CSV_TEXT_BAD_UTF8;
		for (size_t k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return GT_CSV_TEXT_BAD_UTF8;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return GT_CSV_TEXT_BAD_UTF8;
		if (cp <= 0x9f && !control) {
			control = 1;
			first = cp;
		}
		i += need + 1;
	}
	if (!control)
		return GT_CSV_TEXT_OK;
	if (ctl != NULL)
		*ctl = first;
	return GT_CSV_TEXT_CONTROL;
}

/* ---- The reader ---- */

/* Problems of a record; the first one found is reported. */
enum problem { P_NONE, P_NUL, P_CR, P_QUOTE, P_AFTER, P_OPEN, P_LONG, P_FIELDS };

static const char *const problem_text[] = {
    [P_CR] = N_("a carriage return without a line feed (lines end with LF or CRLF)"),
    [P_QUOTE] = N_("a quote inside an unquoted field (quote the whole field and write the "
                   "quote twice)"),
    [P_AFTER] = N_("text follows a closing quote (a quote inside a field is written twice)"),
    [P_OPEN] = N_("a quoted field is not closed before the end of the file"),
};

/* Byte classes of the scanner: the bytes that end a run of plain text. */
enum { C_TEXT, C_COMMA, C_LF, C_CR, C_QUOTE, C_NUL };
static const uint8_t byte_class[256] = {
    [','] = C_COMMA, [';'] = C_COMMA, ['\t'] = C_COMMA, ['\n'] = C_LF,
    ['\r'] = C_CR,   ['"'] = C_QUOTE, ['\0'] = C_NUL,
};

struct gt_csv_reader {
	const uint8_t *p, *end;
	uint8_t sep;        /* the field separator */
	unsigned long line; /* the line of *p */
	struct gt_csv_limits lim;
	const struct gt_csv_column *cols;
	size_t n_cols;
	struct gt_csv_errors errs;
	size_t total_at_open; /* *errs.total when the reader was set up */
	int col[GT_CSV_MAX_COLUMNS];
	size_t header_n; /* fields in the header; 0 before it is read */
	size_t rows;     /* data records met */
	int done;
	/* The current record: its fields unquoted into buf, each NUL-terminated. */
	unsigned long rec_line;
	size_t n_fields;      /* may pass lim.max_fields, when P_FIELDS is set */
	int quoted;           /* a field was quoted */
	enum problem problem; /* the first problem */
	size_t problem_field; /* the field it was found in */
	size_t room;          /* bytes the record may still hold under lim.max_record */
	size_t used;          /* bytes of buf in use */
	size_t *off, *len;    /* per field, lim.max_fields of each */
	char *buf;
};

static void note(struct gt_csv_reader *rd, enum problem problem)
{
	if (rd->problem != P_NONE)
		return;
	rd->problem = problem;
	rd->problem_field = rd->n_fields;
}

/* Appends src[0..n) to the current field. */
static void put(struct gt_csv_reader *rd, const uint8_t *src, size_t n)
{
	if (n > rd->room) {
		rd->room = 0;
		note(rd, P_LONG);
		return;
	}
	rd->room -= n;
	if (rd->n_fields >= rd->lim.max_fields || rd->problem == P_LONG)
		return;
	memcpy(rd->buf + rd->used, src, n);
	rd->used += n;
}

static void end_field(struct gt_csv_reader *rd, size_t start)
{
	if (rd->n_fields < rd->lim.max_fields) {
		rd->off[rd->n_fields] = start;
		rd->len[rd->n_fields] = rd->used - start;
		rd->buf[rd->used++] = '\0';
	} else {
		note(rd, P_FIELDS);
	}
	rd->n_fields++;
}

/* Reads the quoted part of a field, from after its opening quote to after its closing one. */
static const uint8_t *read_quoted(struct gt_csv_reader *rd, const uint8_t *p)
{
	const uint8_t *end = rd->end;

	for (;;) {
		const uint8_t *q = p;
		int c = C_TEXT;

		while (q < end && (c = byte_class[*q]) != C_QUOTE && c != C_LF && c != C_NUL)
			q++;
		put(rd, p, (size_t)(q - p));
		if (q == end) {
			note(rd, P_OPEN);
			return q;
		}
		if (c == C_LF) {
			rd->line++;
			put(rd, q, 1);
		} else if (c == C_NUL) {
			note(rd, P_NUL);
		} else if (q + 1 < end && q[1] == '"') {
			put(rd, q, 1);
			q++;
		} else {
			return q + 1;
		}
		p = q + 1;
	}
}

/* Starts a field at p: reads its quoted part if it has one, and returns what follows. */
static const uint8_t *start_field(struct gt_csv_reader *rd, const uint8_t *p)
{
	if (p == rd->end || *p != '"')
		return p;
	rd->quoted = 1;
	p = read_quoted(rd, p + 1);
	if (p < rd->end && *p != rd->sep && *p != '\n' && *p != '\r')
		note(rd, P_AFTER);
	return p;
}

/* Reads one record into rd's current record. Returns 1, or 0 at the end of the input. */
static int read_record(struct gt_csv_reader *rd)
{
	const uint8_t *p = rd->p, *end = rd->end;
	size_t start = 0;

	if (p == end)
		return 0;
	rd->rec_line = rd->line;
	rd->n_fields = 0;
	rd->quoted = 0;
	rd->problem = P_NONE;
	rd->room = rd->lim.max_record;
	rd->used = 0;
	p = start_field(rd, p);
	for (;;) {
		const uint8_t *q = p;

		while (q < end &&
		       (byte_class[*q] == C_TEXT || (byte_class[*q] == C_COMMA && *q != rd->sep)))
			q++;
		put(rd, p, (size_t)(q - p));
		p = q;
		if (p == end) {
			end_field(rd, start);
			break;
		}
		if (*p == rd->sep) {
			end_field(rd, start);
			start = rd->used;
			p = start_field(rd, p + 1);
			continue;
		}
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
			p += *p == '\r' ? 2 : 1;
			rd->line++;
			end_field(rd, start);
			break;
		}
		if (*p == '\r') {
			note(rd, P_CR);
		} else if (*p == '"') {
			note(rd, P_QUOTE);
			put(rd, p, 1);
		} else {
			note(rd, P_NUL);
		}
		p++;
	}
	rd->p = p;
	return 1;
}

/* Adds the current record's problem as an error, after prefix. */
static void report_problem(struct gt_csv_reader *rd, const char *prefix)
{
	unsigned long line = rd->rec_line;

	switch (rd->problem) {
	case P_NUL:
		for (size_t k = 0; rd->header_n > 0 && k < rd->n_cols; k++) {
			if (rd->col[k] >= 0 && (size_t)rd->col[k] == rd->problem_field) {
				gt_csv_error(&rd->errs, line, _("%scolumn %s holds a NUL byte"),
				             prefix, rd->cols[k].name);
				return;
			}
		}
		gt_csv_error(&rd->errs, line, _("%sfield %zu holds a NUL byte"), prefix,
		             rd->problem_field + 1);
		return;
	case P_LONG:
		gt_csv_error(&rd->errs, line, _("%sthe record is longer than %zu bytes"), prefix,
		             rd->lim.max_record);
		return;
	case P_FIELDS:
		gt_csv_error(&rd->errs, line, _("%sthe record has more than %zu fields"), prefix,
		             rd->lim.max_fields);
		return;
	default:
		gt_csv_error(&rd->errs, line, "%s%s", prefix, _(problem_text[rd->problem]));
		return;
	}
}

/* Which columns list_names() lists. */
enum pick { PICK_MISSING, PICK_REQUIRED, PICK_OPTIONAL };

static int picked(const struct gt_csv_reader *rd, size_t k, enum pick pick)
{
	switch (pick) {
	case PICK_MISSING:
		return rd->cols[k].required && rd->col[k] < 0;
	case PICK_REQUIRED:
		return rd->cols[k].required;
	default:
		return !rd->cols[k].required;
	}
}

/* Writes the picked column names as "a, b and c" (each in quotes when quoted is set) into
 * out[0..cap); returns how many were picked. */
static size_t list_names(const struct gt_csv_reader *rd, enum pick pick, int quoted, char *out,
                         size_t cap)
{
	size_t count = 0, done = 0, used = 0;

	out[0] = '\0';
	for (size_t k = 0; k < rd->n_cols; k++)
		count += (size_t)picked(rd, k, pick);
	for (size_t k = 0; k < rd->n_cols; k++) {
		const char *sep = done == 0 ? "" : done + 1 == count ? _(" and ") : ", ";
		int w;

		if (!picked(rd, k, pick))
			continue;
		w = snprintf(out + used, cap - used, quoted ? "%s\"%s\"" : "%s%s", sep,
		             rd->cols[k].name);
		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
		done++;
	}
	return count;
}

/* Writes what the header must name: "a, b and c", or "a and b, and may name c and d". */
static void header_hint(const struct gt_csv_reader *rd, char *out, size_t cap)
{
	char req[240], opt[240];

	list_names(rd, PICK_REQUIRED, 0, req, sizeof(req));
	if (list_names(rd, PICK_OPTIONAL, 0, opt, sizeof(opt)) == 0)
		snprintf(out, cap, "%s", req);
	else
		snprintf(out, cap, _("%s, and may name %s"), req, opt);
}

static int ascii_case_equal(const char *s, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n && name[i] != '\0'; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)name[i];

		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return i == n && name[i] == '\0';
}

/* Whether fields from..n_fields of the current record are all empty (spaces and tabs). */
static int empty_from(const struct gt_csv_reader *rd, size_t from)
{
	for (size_t i = from; i < rd->n_fields && i < rd->lim.max_fields; i++) {
		size_t n = rd->len[i];
		gt_csv_trim(rd->buf + rd->off[i], &n);
		if (n > 0)
			return 0;
	}
	return 1;
}

/* Maps the header's columns. Returns 0, or GT_EINVAL after adding errors. */
static int read_header(struct gt_csv_reader *rd)
{
	char missing[512], hint[512];
	size_t n_missing;
	int rc = 0;

	if (rd->problem != P_NONE) {
		report_problem(rd, _("header: "));
		return GT_EINVAL;
	}
	for (size_t i = 0; i < rd->n_fields; i++) {
		size_t n = rd->len[i];
		const char *s = gt_csv_trim(rd->buf + rd->off[i], &n);

		for (size_t k = 0; k < rd->n_cols; k++) {
			if (!ascii_case_equal(s, n, rd->cols[k].name))
				continue;
			if (rd->col[k] >= 0) {
				gt_csv_error(&rd->errs, rd->rec_line,
				             _("header: column \"%s\" appears twice"),
				             rd->cols[k].name);
				rc = GT_EINVAL;
			}
			rd->col[k] = (int)i;
		}
	}
	n_missing = list_names(rd, PICK_MISSING, 1, missing, sizeof(missing));
	if (n_missing > 0) {
		header_hint(rd, hint, sizeof(hint));
		gt_csv_error(&rd->errs, rd->rec_line,
		             P_("header: no column %s (the first line must name the columns %s)",
		                "header: no columns %s (the first line must name the columns %s)",
		                n_missing),
		             missing, hint);
		rc = GT_EINVAL;
	}
	/* Empty names at the end are a spreadsheet's unused columns. */
	rd->header_n = rd->n_fields;
	while (rd->header_n > 1 && empty_from(rd, rd->header_n - 1))
		rd->header_n--;
	return rc;
}

/* A blank line, or a record of empty fields only (a spreadsheet's empty row: ";;;"). */
static int is_blank(const struct gt_csv_reader *rd)
{
	if (rd->quoted || rd->problem != P_NONE)
		return 0;
	return empty_from(rd, 0);
}

int gt_csv_open(struct gt_csv_reader **out, const uint8_t *buf, size_t len,
                const struct gt_csv_limits *lim, const struct gt_csv_column *cols, size_t n_cols,
                const struct gt_csv_errors *errs)
{
	struct gt_csv_reader *rd;
	size_t content, bytes;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || (buf == NULL && len > 0) || lim == NULL || lim->max_fields == 0 ||
	    lim->max_fields > GT_CSV_MAX_FIELDS || (cols == NULL && n_cols > 0) ||
	    n_cols > GT_CSV_MAX_COLUMNS || errs == NULL)
		return GT_EINVAL;
	if (len > lim->max_input) {
		gt_csv_error(errs, 0, _("the file is larger than %zu bytes"), lim->max_input);
		return GT_ETOOBIG;
	}
	/* A record's fields hold at most the input's bytes, and one NUL each. */
	content = lim->max_record < len ? lim->max_record : len;
	bytes = sizeof(*rd) + 2 * lim->max_fields * sizeof(size_t);
	if (content > SIZE_MAX - bytes - lim->max_fields - 1)
		return GT_ETOOBIG;
	rd = malloc(bytes + content + lim->max_fields + 1);
	if (rd == NULL)
		return GT_ENOMEM;
	memset(rd, 0, sizeof(*rd));
	rd->off = (size_t *)(rd + 1);
	rd->len = rd->off + lim->max_fields;
	rd->buf = (char *)(rd->len + lim->max_fields);
	rd->p = buf;
	rd->end = buf + len;
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		rd->p += 3;
	rd->line = 1;
	rd->lim = *lim;
	rd->sep = lim->sep == ';' || lim->sep == '\t' ? (uint8_t)lim->sep : (uint8_t)',';
	rd->cols = cols;
	rd->n_cols = n_cols;
	rd->errs = *errs;
	rd->total_at_open = *errs->total;
	for (size_t k = 0; k < GT_CSV_MAX_COLUMNS; k++)
		rd->col[k] = -1;
	*out = rd;
	return 0;
}

int gt_csv_next(struct gt_csv_reader *rd)
{
	while (!rd->done) {
		if (!read_record(rd)) {
			rd->done = 1;
			if (!rd->lim.raw && rd->header_n == 0 &&
			    *rd->errs.total == rd->total_at_open) {
				char hint[512];

				header_hint(rd, hint, sizeof(hint));
				gt_csv_error(
				    &rd->errs, 0,
				    _("the file is empty: expected a header line that names "
				      "the columns %s"),
				    hint);
			}
			break;
		}
		if (is_blank(rd))
			continue;
		if (rd->lim.raw) {
			if (rd->rows == rd->lim.max_rows) {
				gt_csv_error(&rd->errs, rd->rec_line,
				             _("the file holds more than %zu records"),
				             rd->lim.max_rows);
				rd->done = 1;
				return GT_ETOOBIG;
			}
			rd->rows++;
			if (rd->problem != P_NONE) {
				report_problem(rd, "");
				continue;
			}
			return 1;
		}
		if (rd->header_n == 0) {
			if (read_header(rd) != 0)
				rd->done = 1;
			continue;
		}
		if (rd->rows == rd->lim.max_rows) {
			gt_csv_error(&rd->errs, rd->rec_line,
			             _("the file holds more than %zu records"), rd->lim.max_rows);
			rd->done = 1;
			return GT_ETOOBIG;
		}
		rd->rows++;
		if (rd->problem != P_NONE) {
			report_problem(rd, "");
			continue;
		}
		if (rd->n_fields != rd->header_n &&
		    !(rd->n_fields > rd->header_n && empty_from(rd, rd->header_n))) {
			gt_csv_error(&rd->errs, rd->rec_line,
			             _("%zu fields, but the header has %zu"), rd->n_fields,
			             rd->header_n);
			continue;
		}
		return 1;
	}
	return 0;
}

unsigned long gt_csv_line(const struct gt_csv_reader *rd)
{
	return rd->rec_line;
}

int gt_csv_column(const struct gt_csv_reader *rd, size_t k)
{
	if (k >= rd->n_cols || rd->header_n == 0)
		return -1;
	return rd->col[k];
}

const char *gt_csv_cell(const struct gt_csv_reader *rd, size_t k, size_t *n)
{
	int i = gt_csv_column(rd, k);

	if (i < 0 || (size_t)i >= rd->n_fields) {
		if (n != NULL)
			*n = 0;
		return "";
	}
	if (n != NULL)
		*n = rd->len[i];
	return rd->buf + rd->off[i];
}

size_t gt_csv_nfields(const struct gt_csv_reader *rd)
{
	return rd->n_fields < rd->lim.max_fields ? rd->n_fields : rd->lim.max_fields;
}

const char *gt_csv_field(const struct gt_csv_reader *rd, size_t i, size_t *n)
{
	if (i >= gt_csv_nfields(rd)) {
		if (n != NULL)
			*n = 0;
		return "";
	}
	if (n != NULL)
		*n = rd->len[i];
	return rd->buf + rd->off[i];
}

char gt_csv_sniff_sep(const uint8_t *buf, size_t len)
{
	static const char seps[] = {',', ';', '\t'};
	size_t count[3] = {0, 0, 0}, i = 0, best = 0;
	int quoted = 0, seen = 0;

	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		i = 3;
	for (; i < len; i++) {
		uint8_t ch = buf[i];
		if (ch == '"') {
			quoted = !quoted;
			seen = 1;
		} else if (!quoted && ch == '\n') {
			if (seen)
				break;
		} else if (!quoted) {
			for (size_t k = 0; k < 3; k++)
				if (ch == (uint8_t)seps[k])
					count[k]++;
			if (ch != ' ' && ch != '\r')
				seen = 1;
		}
	}
	for (size_t k = 1; k < 3; k++)
		if (count[k] > count[best])
			best = k;
	return seps[best];
}

void gt_csv_close(struct gt_csv_reader *rd)
{
	free(rd);
}
