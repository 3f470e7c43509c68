/* RFC 4180 CSV reading shared by the CSV decoders: records, header, limits, line errors. */
#ifndef GT_CSV_H
#define GT_CSV_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The input is RFC 4180 CSV: fields separated by commas, optionally double-quoted (a quote
 * inside a quoted field is written twice; a quoted field may span lines), records ended by LF
 * or CRLF (the last one may lack it), an optional UTF-8 byte-order mark. The first non-blank
 * record is the header; it names the columns in any order and any case, with surrounding
 * spaces and tabs ignored; columns the reader does not know are ignored. Every data record has
 * as many fields as the header. A blank line (nothing but spaces and tabs, unquoted) is
 * skipped. NUL bytes, a carriage return without a line feed outside quotes, a quote inside an
 * unquoted field, text after a closing quote, a quoted field left open, and records over the
 * limits are errors. Every error names the 1-based line on which its record starts (line
 * breaks inside quoted fields are counted); line 0 means the input as a whole. After an error
 * in a data record the reader carries on with the next record; an error in the header stops
 * it.
 */

/* Fields in one record that a reader can be set up to accept. */
#define GT_CSV_MAX_FIELDS 1024u
/* Known columns that a reader can look up. */
#define GT_CSV_MAX_COLUMNS 32u

/* The limits of one reader; each decoder passes its own named limits. */
struct gt_csv_limits {
	size_t max_input;  /* bytes of input, the byte-order mark included */
	size_t max_record; /* bytes of one record's fields after unquoting */
	size_t max_fields; /* fields in one record, 1..GT_CSV_MAX_FIELDS */
	size_t max_rows;   /* data records (blank lines and the header not counted) */
	char sep;          /* the field separator: ',' (also when 0), ';' or '\t' */
	int raw;           /* no header: every record is returned, with any number of fields */
};

/* A column the header may name. */
struct gt_csv_column {
	const char *name; /* matched ignoring ASCII case and surrounding spaces and tabs */
	int required;     /* a header without it is an error */
};

/*
 * An error list held by the caller: an array of entries that have the members
 * `unsigned long line` and `char msg[]`, a count of entries in use and a count of all errors
 * reported. The entries are kept sorted by line (stably); when the array is full the errors of
 * the earliest lines are kept and the others only counted. Build one with GT_CSV_ERRORS().
 */
struct gt_csv_errors {
	void *base;      /* the array (borrowed) */
	size_t size;     /* bytes from one entry to the next */
	size_t line_off; /* offset of the line member in an entry */
	size_t msg_off;  /* offset of the msg member in an entry */
	size_t msg_size; /* bytes of the msg member */
	size_t cap;      /* entries in the array */
	size_t *n;       /* entries in use (borrowed) */
	size_t *total;   /* errors reported, kept or not (borrowed) */
};

/* The entries of the array arr; a pointer in place of an array does not compile. */
#define GT__CSV_ARRAY_LEN(arr)                                                                     \
	(sizeof(arr) / sizeof((arr)[0]) +                                                          \
	 0 * sizeof(struct {                                                                       \
		 int not_an_array : 1 -                                                            \
		     2 * __builtin_types_compatible_p(__typeof__(arr), __typeof__(&(arr)[0]));     \
	 }))

/* Describes the array member arr (entries with `unsigned long line` and `char msg[]`) and the
 * counters at n_ptr and total_ptr. */
#define GT_CSV_ERRORS(arr, n_ptr, total_ptr)                                                       \
	((struct gt_csv_errors){                                                                   \
	    .base = (arr),                                                                         \
	    .size = sizeof((arr)[0]),                                                              \
	    .line_off = _Generic(&(arr)[0].line,                                                   \
	                         unsigned long *: offsetof(__typeof__((arr)[0]), line)),           \
	    .msg_off = offsetof(__typeof__((arr)[0]), msg),                                        \
	    .msg_size = sizeof((arr)[0].msg),                                                      \
	    .cap = GT__CSV_ARRAY_LEN(arr),                                                         \
	    .n = (n_ptr),                                                                          \
	    .total = (total_ptr),                                                                  \
	})

/* Adds an error on line to the list (always counted; kept while it is among the earliest
 * lines that fit, after the errors already on that line). fmt is printf-like; a message too
 * long for an entry is cut. */
void gt_csv_error(const struct gt_csv_errors *errs, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As gt_csv_error(), with a va_list. */
void gt_csv_verror(const struct gt_csv_errors *errs, unsigned long line, const char *fmt,
                   va_list ap) __attribute__((format(printf, 3, 0)));

/* A reader of one input; opaque. */
struct gt_csv_reader;

/*
 * Sets up a reader of buf[0..len) (borrowed until gt_csv_close()) that looks up the n_cols
 * columns cols (borrowed; at most GT_CSV_MAX_COLUMNS) in the header, within the limits lim
 * (copied), and reports errors to errs (copied; the list it describes is borrowed). Returns 0
 * with *out set (free with gt_csv_close()); GT_ETOOBIG, with an error on line 0, when len is
 * over lim->max_input; GT_EINVAL for bad arguments; GT_ENOMEM. *out is NULL on failure.
 */
int gt_csv_open(struct gt_csv_reader **out, const uint8_t *buf, size_t len,
                const struct gt_csv_limits *lim, const struct gt_csv_column *cols, size_t n_cols,
                const struct gt_csv_errors *errs);

/*
 * Reads up to the next well-formed data record, reporting the header's and the skipped
 * records' errors on the way. Returns 1 with that record current; 0 at the end of the input,
 * or after an error that stops the reading (in the header, or a quoted field left open); 0
 * again on later calls; GT_ETOOBIG, with an error on that record's line, at the data record
 * past lim->max_rows (reading stops). An input without a header gets an error on line 0.
 */
int gt_csv_next(struct gt_csv_reader *rd);

/* Returns the line on which the current record starts (1-based). */
unsigned long gt_csv_line(const struct gt_csv_reader *rd);

/* Returns the header position (0-based) of known column k, or -1 if the header does not name
 * it (or no header was read yet, or k is out of range). */
int gt_csv_column(const struct gt_csv_reader *rd, size_t k);

/* Returns the current record's field under known column k, NUL-terminated and as written
 * (unquoted, not trimmed), borrowed until the next gt_csv_next(); "" when the header does not
 * name the column. Sets *n to its length when n is not NULL. */
const char *gt_csv_cell(const struct gt_csv_reader *rd, size_t k, size_t *n);

/* The current record's fields (a raw reader's records have any number). */
size_t gt_csv_nfields(const struct gt_csv_reader *rd);

/* The current record's field i (0-based), as gt_csv_cell(); "" past the record's fields. */
const char *gt_csv_field(const struct gt_csv_reader *rd, size_t i, size_t *n);

/* The separator buf[0..len) most likely uses: of ',', ';' and tab, the one found most often
 * outside quotes on its first non-blank line (',' when none is). */
char gt_csv_sniff_sep(const uint8_t *buf, size_t len);

/* Releases a reader; accepts NULL. */
void gt_csv_close(struct gt_csv_reader *rd);

/* Returns s[0..*n) without leading spaces and tabs, and sets *n to the length without the
 * surrounding ones. The result points into s (borrowed). */
const char *gt_csv_trim(const char *s, size_t *n);

/* Results of gt_csv_check_text(). */
enum {
	GT_CSV_TEXT_OK = 0,
	GT_CSV_TEXT_BAD_UTF8 = 1, /* not valid UTF-8 (overlong, surrogate, past U+10FFFF, cut) */
	GT_CSV_TEXT_CONTROL = 2,  /* a control character (C0, DEL or C1) */
};

/* Flags of gt_csv_check_text(). */
#define GT_CSV_TEXT_BREAKS 1 /* tab, CR and LF are allowed */

/* Checks that s[0..n) is valid UTF-8 without control characters (with flags, tab and line
 * breaks allowed). Returns GT_CSV_TEXT_OK, GT_CSV_TEXT_BAD_UTF8, or GT_CSV_TEXT_CONTROL with
 * the first such code point in *ctl when ctl is not NULL. */
int gt_csv_check_text(const char *s, size_t n, int flags, unsigned *ctl);

#endif
