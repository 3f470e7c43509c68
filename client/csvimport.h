/* Decoder for data-value CSV files in DHIS2's column names; no store, no metadata. */
#ifndef GT_CSVIMPORT_H
#define GT_CSVIMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"

/*
 * The input is RFC 4180 CSV as read by common/csv.h: fields separated by commas, optionally
 * double-quoted (a quote inside a quoted field is written twice; a quoted field may span
 * lines), records ended by LF or CRLF, an optional UTF-8 byte-order mark. The first non-blank
 * record is the header: it names the columns, in any order and any case, with DHIS2's names
 * dataelement, period, orgunit, categoryoptioncombo, value and comment. dataelement and value
 * are required; the others may be absent (their cells then read as ""); other columns
 * (storedby, lastupdated, followup, ...) are ignored. Each data record has as many fields as
 * the header. Blank lines are skipped. Codes and the value are trimmed of surrounding spaces
 * and tabs; the comment is kept as written. Every field is UTF-8; codes and the value hold no
 * control characters, the comment none but tab and line breaks. Errors carry the line on which
 * their record starts; after an error the decoder carries on with the next record, so every
 * bad line is named.
 */

/* Bytes in one input. */
#define GT_CSVIMPORT_MAX_INPUT (64u * 1024u * 1024u)
/* Data records in one input. */
#define GT_CSVIMPORT_MAX_ROWS 1000000u
/* Fields in one record. */
#define GT_CSVIMPORT_MAX_FIELDS 64u
/* Bytes of one record's fields after unquoting. */
#define GT_CSVIMPORT_MAX_RECORD (GT_MAX_VALUE_LEN + GT_MAX_COMMENT_LEN + 4096u)
/* Bytes in a code field (data element, period, org unit, category option combo). */
#define GT_CSVIMPORT_MAX_CODE GT_MAX_CODE_LEN
/* Bytes in the value and the comment. */
#define GT_CSVIMPORT_MAX_VALUE   GT_MAX_VALUE_LEN
#define GT_CSVIMPORT_MAX_COMMENT GT_MAX_COMMENT_LEN
/* Errors kept (more are counted, not kept). */
#define GT_CSVIMPORT_MAX_ERRORS 200u
/* Bytes in one error message, with its NUL. */
#define GT_CSVIMPORT_MAX_MSG 200u
/* Bytes in a place named in messages in place of a line ("Sheet 'Korban', cell D7"). */
#define GT_CSVIMPORT_MAX_WHERE 160u

/* The columns the decoder knows, as indexes into gt_csvimport.col. */
enum gt_csvimport_col {
	GT_CSV_DATAELEMENT,
	GT_CSV_PERIOD,
	GT_CSV_ORGUNIT,
	GT_CSV_COC,
	GT_CSV_VALUE,
	GT_CSV_COMMENT,
	GT_CSV_NCOLS
};

struct gt_csvimport_error {
	unsigned long line; /* 1-based; 0 for the input as a whole */
	char msg[GT_CSVIMPORT_MAX_MSG];
};

/* One data record. The strings point into the decoder's storage and are NUL-terminated. */
struct gt_csvimport_row {
	unsigned long line;
	const char *field[GT_CSV_NCOLS]; /* indexed by enum gt_csvimport_col; "" when absent */
};

/* A decoded input. Fill with gt_csvimport_parse(), release with gt_csvimport_free(). */
struct gt_csvimport {
	struct gt_csvimport_row *rows; /* the well-formed records, in input order */
	size_t n_rows;
	int col[GT_CSV_NCOLS]; /* the header position of each known column, -1 if absent */
	size_t n_errors;       /* entries in errors[] */
	size_t errors_total;   /* all errors found, kept or not */
	struct gt_csvimport_error errors[GT_CSVIMPORT_MAX_ERRORS];
	/* For inputs without lines (a workbook, a grid): the place of each row and error, by
	 * "line" (1-based index into where; NULL for a CSV file, whose lines are real). */
	char (*where)[GT_CSVIMPORT_MAX_WHERE];
	size_t n_where, where_cap;
	/* A warning about the whole input (the character set it was converted from), or "". */
	char note[GT_CSVIMPORT_MAX_MSG];
	/* Internal: storage of the fields, and per row their offsets into it while filling. */
	char *text;
	size_t text_used, text_cap;
	size_t (*offs)[GT_CSV_NCOLS];
	size_t rows_cap, offs_cap;
};

/* Decodes buf[0..len) (borrowed) into *c, which is cleared first. Returns 0 when the input is
 * well-formed, GT_EINVAL when any error was found (c->errors says which; the rows that were
 * well-formed are kept), GT_ETOOBIG for an input over GT_CSVIMPORT_MAX_INPUT or more than
 * GT_CSVIMPORT_MAX_ROWS records, GT_ENOMEM. In every case c must be freed with
 * gt_csvimport_free(). */
int gt_csvimport_parse(const uint8_t *buf, size_t len, struct gt_csvimport *c);

/*
 * Filling c from another decoder (a workbook, a grid): gt_csvimport_begin() clears c,
 * gt_csvimport_add() checks and adds one row whose fields f[col][0..n[col]) (borrowed; f[col]
 * NULL for an absent column) are checked as a CSV record's are (errors added on line),
 * gt_csvimport_end() makes the rows' field pointers valid. gt_csvimport_add() returns 0,
 * GT_EINVAL (errors added), GT_ETOOBIG past GT_CSVIMPORT_MAX_ROWS, GT_ENOMEM.
 */
void gt_csvimport_begin(struct gt_csvimport *c);
int gt_csvimport_add(struct gt_csvimport *c, unsigned long line, const char *const *f,
                     const size_t *n);
void gt_csvimport_end(struct gt_csvimport *c);

/* Records a place (printf-like) and sets *line to the "line" that names it in rows and errors
 * (1-based). Returns 0, GT_ETOOBIG past GT_CSVIMPORT_MAX_ROWS places, GT_ENOMEM. */
int gt_csvimport_place(struct gt_csvimport *c, unsigned long *line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The place named by line: the recorded place, or NULL when c has none (a CSV file). */
const char *gt_csvimport_where(const struct gt_csvimport *c, unsigned long line);

/* Adds an error on line to c (always counted; kept sorted by line, the earliest lines while
 * there is room for GT_CSVIMPORT_MAX_ERRORS); for the checks that follow decoding, so all errors
 * of a file are listed together. */
void gt_csvimport_error(struct gt_csvimport *c, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Leaves the kept errors sorted by line, in the order they were added on the same line. They
 * are kept so as they are added, so this does nothing; it stays for the callers. */
void gt_csvimport_sort_errors(struct gt_csvimport *c);

/* Returns the DHIS2 name of a column ("dataelement", ...); "?" for an unknown index. */
const char *gt_csvimport_col_name(int col);

/* Releases what c holds and clears it; accepts NULL and a cleared struct. */
void gt_csvimport_free(struct gt_csvimport *c);

#endif
