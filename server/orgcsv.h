/* Decoder for the org-unit CSV (header code,name,level), independent of the store. */
#ifndef GT_ORGCSV_H
#define GT_ORGCSV_H

#include <stddef.h>
#include <stdint.h>

#include "orgunit.h"
#include "timezone.h"

/*
 * The input is RFC 4180 CSV as read by common/csv.h: fields separated by commas, optionally
 * double-quoted (a quote inside a quoted field is written twice), records ended by LF or CRLF,
 * an optional UTF-8 byte-order mark. The first non-blank record is the header; it must name
 * the columns code, name and level (any order, any case; other columns are ignored), and may
 * name timezone (WIB, WITA or WIT; empty or absent: not recorded). Each data
 * record has as many fields as the header; level is "province" or "district" and must match
 * the code's level; names are non-empty UTF-8 without control characters. Blank lines are
 * skipped. Errors carry the line on which their record starts.
 */

/* Bytes of one record's fields after unquoting (a record is one line unless a quoted field
 * spans lines). */
#define GT_ORGCSV_MAX_LINE 4096u
/* Data records in one file. */
#define GT_ORGCSV_MAX_ROWS 10000u
/* Fields in one record. */
#define GT_ORGCSV_MAX_FIELDS 64u
/* Bytes in one input. */
#define GT_ORGCSV_MAX_INPUT (16u * 1024u * 1024u)
/* Bytes in one org-unit name. */
#define GT_ORGCSV_MAX_NAME 200u
/* Errors kept (more are counted, not kept). */
#define GT_ORGCSV_MAX_ERRORS 50u
/* Bytes in one error message, with its NUL. */
#define GT_ORGCSV_MAX_MSG 160u

struct gt_orgcsv_error {
	unsigned long line; /* 1-based; 0 for the input as a whole */
	char msg[GT_ORGCSV_MAX_MSG];
};

struct gt_orgcsv_row {
	unsigned long line;
	char code[GT_ORGUNIT_MAX_LEN];
	char parent[GT_ORGUNIT_MAX_LEN];
	int level;        /* GT_ORGUNIT_LEVEL_PROVINCE or GT_ORGUNIT_LEVEL_DISTRICT */
	enum gt_tz tz;    /* GT_TZ_NONE when the file has no zone for the unit */
	const char *name; /* points into the decoder's own storage */
};

/* A decoded file. Fill with gt_orgcsv_parse(), release with gt_orgcsv_free(). */
struct gt_orgcsv {
	struct gt_orgcsv_row *rows; /* the valid rows, in file order */
	size_t n_rows;
	size_t n_errors;     /* entries in errors[], sorted by line */
	size_t errors_total; /* all errors found, kept or not */
	struct gt_orgcsv_error errors[GT_ORGCSV_MAX_ERRORS];
	/* Internal: storage for names, and the rows in code order for gt_orgcsv_find(). */
	char *text;
	size_t text_used;
	size_t text_cap;
	const struct gt_orgcsv_row **sorted;
	size_t n_sorted;
};

/* Decodes buf[0..len) (borrowed). Returns 0 when the file has no error; GT_EINVAL when it has
 * any (out lists them; rows holds only the valid rows); GT_ETOOBIG for input over
 * GT_ORGCSV_MAX_INPUT; GT_ENOMEM. out is reset first and must be freed with gt_orgcsv_free()
 * on every return. */
int gt_orgcsv_parse(const uint8_t *buf, size_t len, struct gt_orgcsv *out);

/* Finds the row with this code; NULL if absent. The result is borrowed from csv. */
const struct gt_orgcsv_row *gt_orgcsv_find(const struct gt_orgcsv *csv, const char *code);

/* Adds an error for line to csv (counted always; kept sorted by line, the earliest lines while
 * there is room). fmt is printf-like. */
void gt_orgcsv_add_error(struct gt_orgcsv *csv, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Releases what gt_orgcsv_parse() allocated and resets csv; accepts NULL. */
void gt_orgcsv_free(struct gt_orgcsv *csv);

#endif
