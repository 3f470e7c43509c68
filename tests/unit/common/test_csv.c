/* Tests for common/csv.c: records, quoting, line numbers, header lookup, limits, error list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "error.h"

/* A caller's error list, small enough to fill. */
struct elist {
	struct {
		unsigned long line;
		char msg[120];
	} errors[8];
	size_t n, total;
};

/* A reader over text with the columns a (required), b (required) and c (optional). */
struct fixture {
	struct elist el;
	struct gt_csv_errors errs;
	struct gt_csv_limits lim;
	struct gt_csv_reader *rd;
};

static const struct gt_csv_column abc[] = {{"a", 1}, {"b", 1}, {"c", 0}};

static const struct gt_csv_limits default_limits = {
    .max_input = 1u << 20,
    .max_record = 64,
    .max_fields = 8,
    .max_rows = 100,
};

static void open_len(struct fixture *f, const char *text, size_t len)
{
	memset(&f->el, 0, sizeof(f->el));
	f->errs = GT_CSV_ERRORS(f->el.errors, &f->el.n, &f->el.total);
	assert_int_equal(gt_csv_open(&f->rd, (const uint8_t *)text, len, &f->lim, abc, 3, &f->errs),
	                 0);
	assert_non_null(f->rd);
}

static void open_text(struct fixture *f, const char *text)
{
	open_len(f, text, strlen(text));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->lim = default_limits;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gt_csv_close(f->rd);
	free(f);
	return 0;
}

/* Reads the next data record, failing unless it is there on line with cells a, b and c. */
static void expect_row(struct fixture *f, unsigned long line, const char *a, const char *b,
                       const char *c)
{
	size_t n;

	assert_int_equal(gt_csv_next(f->rd), 1);
	assert_int_equal(gt_csv_line(f->rd), line);
	assert_string_equal(gt_csv_cell(f->rd, 0, &n), a);
	assert_int_equal(n, strlen(a));
	assert_string_equal(gt_csv_cell(f->rd, 1, NULL), b);
	assert_string_equal(gt_csv_cell(f->rd, 2, &n), c);
	assert_int_equal(n, strlen(c));
}

static void close_reader(struct fixture *f)
{
	gt_csv_close(f->rd);
	f->rd = NULL;
}

static void expect_end(struct fixture *f)
{
	assert_int_equal(gt_csv_next(f->rd), 0);
	assert_int_equal(gt_csv_next(f->rd), 0); /* and again */
}

/* Whether error i is on line and mentions needle. */
static void expect_error(const struct fixture *f, size_t i, unsigned long line, const char *needle)
{
	if (i >= f->el.n)
		fail_msg("no error %zu (only %zu)", i, f->el.n);
	if (f->el.errors[i].line != line || strstr(f->el.errors[i].msg, needle) == NULL)
		fail_msg("error %zu is \"%lu: %s\", expected line %lu with \"%s\"", i,
		         f->el.errors[i].line, f->el.errors[i].msg, line, needle);
}

static void header_any_order_extra_optional(void **state)
{
	struct fixture *f = *state;

	open_text(f, " B ,extra,\tA\n1,2,3\nx,y,z");
	expect_row(f, 2, "3", "1", "");
	assert_int_equal(gt_csv_column(f->rd, 0), 2);
	assert_int_equal(gt_csv_column(f->rd, 1), 0);
	assert_int_equal(gt_csv_column(f->rd, 2), -1);
	assert_int_equal(gt_csv_column(f->rd, 3), -1);
	expect_row(f, 3, "z", "x", ""); /* no line end after the last record */
	expect_end(f);
	assert_int_equal(f->el.total, 0);
}

static void quoting_bom_crlf_blank(void **state)
{
	struct fixture *f = *state;

	open_text(f, "\xef\xbb\xbf"
	             "a,b,c\r\n"
	             "\r\n"
	             " \t \n"
	             "\"x, \"\"y\"\"\",\"\",\" s \"\r\n"
	             "\"l1\r\nl2\nl3\",2,3\n"
	             "4,5,6\n"
	             "\n");
	assert_int_equal(gt_csv_column(f->rd, 0), -1); /* no header yet */
	expect_row(f, 4, "x, \"y\"", "", " s ");
	expect_row(f, 5, "l1\r\nl2\nl3", "2", "3");
	expect_row(f, 8, "4", "5", "6"); /* the quoted line breaks are counted */
	expect_end(f);
	assert_int_equal(f->el.total, 0);
}

/* A line of one quoted empty field is a record, not a blank line. */
static void quoted_empty_is_a_record(void **state)
{
	struct fixture *f = *state;

	open_text(f, "a,b\n\"\"\n1,2\n");
	expect_row(f, 3, "1", "2", "");
	expect_end(f);
	assert_int_equal(f->el.total, 1);
	expect_error(f, 0, 2, "1 fields, but the header has 2");
}

/* Each malformed record is named with the line it starts on, and reading carries on. */
static void malformed_records(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "a,b,c\n"             /* 1 */
	                           "1,2\0x,3\n"          /* 2: NUL in b */
	                           "1,2,3,4\0\n"         /* 3: NUL in a field past the header */
	                           "1,2\r,3\n"           /* 4: bare CR */
	                           "1,2\"2,3\n"          /* 5: quote inside an unquoted field */
	                           "1,\"2\"x,3\n"        /* 6: text after a closing quote */
	                           "\"m\nu\nl\",\"t\"\n" /* 7-9: two fields of three */
	                           "1,2,3,4,5,6,7,8,9\n" /* 10: more fields than the limit */
	                           "ok,ok,ok\n"          /* 11 */
	                           "1,\"open\n2,3\n";    /* 12: open to the end */

	open_len(f, text, sizeof(text) - 1);
	expect_row(f, 11, "ok", "ok", "ok");
	expect_end(f);
	assert_int_equal(f->el.total, 8);
	expect_error(f, 0, 2, "column b holds a NUL byte");
	expect_error(f, 1, 3, "field 4 holds a NUL byte");
	expect_error(f, 2, 4, "carriage return without a line feed");
	expect_error(f, 3, 5, "quote inside an unquoted field");
	expect_error(f, 4, 6, "text follows a closing quote");
	expect_error(f, 5, 7, "2 fields, but the header has 3");
	expect_error(f, 6, 10, "more than 8 fields");
	expect_error(f, 7, 12, "not closed before the end of the file");
}

/* The record limit counts the bytes after unquoting, so "" is one byte. */
static void record_limit(void **state)
{
	struct fixture *f = *state;
	char text[256];
	char a[40], b[40];

	memset(a, 'x', 31);
	a[31] = '\0';
	memset(b, 'y', 32);
	b[32] = '\0';
	/* 31 + 32 + 1 = 64 bytes: at the limit. Then 65 bytes, with a doubled quote. */
	snprintf(text, sizeof(text), "a,b,c\n%s,%s,z\n%s,\"%s\"\"\",z\nlast,1,2\n", a, b, a, b);
	open_text(f, text);
	expect_row(f, 2, a, b, "z");
	expect_row(f, 4, "last", "1", "2");
	expect_end(f);
	assert_int_equal(f->el.total, 1);
	expect_error(f, 0, 3, "the record is longer than 64 bytes");
	close_reader(f);

	/* An over-long header stops the reading. */
	memset(text, 'h', 100);
	text[100] = '\0';
	open_text(f, text);
	expect_end(f);
	assert_int_equal(f->el.total, 1);
	expect_error(f, 0, 1, "header: the record is longer");
}

static void row_limit(void **state)
{
	struct fixture *f = *state;

	f->lim.max_rows = 2;
	open_text(f, "a,b\n1,1\n\n\"bad\"x,2\n3,3\n4,4\n");
	expect_row(f, 2, "1", "1", "");
	/* The bad record counts as a row; the third row is one too many. */
	assert_int_equal(gt_csv_next(f->rd), GT_ETOOBIG);
	expect_end(f);
	assert_int_equal(f->el.total, 2);
	expect_error(f, 0, 4, "follows a closing quote");
	expect_error(f, 1, 5, "more than 2 records");
	close_reader(f);

	/* Exactly max_rows rows is fine. */
	open_text(f, "a,b\n1,1\n2,2\n");
	expect_row(f, 2, "1", "1", "");
	expect_row(f, 3, "2", "2", "");
	expect_end(f);
	assert_int_equal(f->el.total, 0);
}

static void input_limit(void **state)
{
	struct fixture *f = *state;
	struct gt_csv_reader *rd = (struct gt_csv_reader *)1;

	memset(&f->el, 0, sizeof(f->el));
	f->errs = GT_CSV_ERRORS(f->el.errors, &f->el.n, &f->el.total);
	/* Refused before anything is read: the buffer is far shorter than the length. */
	assert_int_equal(
	    gt_csv_open(&rd, (const uint8_t *)"a", f->lim.max_input + 1, &f->lim, abc, 3, &f->errs),
	    GT_ETOOBIG);
	assert_null(rd);
	expect_error(f, 0, 0, "larger than 1048576 bytes");
	assert_int_equal(f->el.total, 1);
}

static void bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct gt_csv_reader *rd = (struct gt_csv_reader *)1;
	struct gt_csv_limits lim = f->lim;
	struct gt_csv_column many[GT_CSV_MAX_COLUMNS + 1];

	memset(&f->el, 0, sizeof(f->el));
	f->errs = GT_CSV_ERRORS(f->el.errors, &f->el.n, &f->el.total);
	assert_int_equal(gt_csv_open(&rd, NULL, 1, &lim, abc, 3, &f->errs), GT_EINVAL);
	assert_null(rd);
	lim.max_fields = 0;
	assert_int_equal(gt_csv_open(&rd, NULL, 0, &lim, abc, 3, &f->errs), GT_EINVAL);
	lim.max_fields = GT_CSV_MAX_FIELDS + 1;
	assert_int_equal(gt_csv_open(&rd, NULL, 0, &lim, abc, 3, &f->errs), GT_EINVAL);
	lim.max_fields = 4;
	for (size_t k = 0; k < GT_CSV_MAX_COLUMNS + 1; k++)
		many[k] = abc[0];
	assert_int_equal(gt_csv_open(&rd, NULL, 0, &lim, many, GT_CSV_MAX_COLUMNS + 1, &f->errs),
	                 GT_EINVAL);
	assert_int_equal(gt_csv_open(&rd, NULL, 0, &lim, abc, 3, NULL), GT_EINVAL);
	assert_int_equal(gt_csv_open(NULL, NULL, 0, &lim, abc, 3, &f->errs), GT_EINVAL);
	assert_int_equal(f->el.total, 0);
	gt_csv_close(NULL);
}

static void header_errors(void **state)
{
	struct fixture *f = *state;

	/* A missing required column; an absent optional one is no error. */
	open_text(f, "a,x\n1,2\n");
	expect_end(f);
	assert_int_equal(f->el.total, 1);
	expect_error(f, 0, 1,
	             "header: no column \"b\" (the first line must name the columns a "
	             "and b, and may name c)");
	close_reader(f);

	/* Several missing: one error naming them all. */
	open_text(f, "\n\nx,y\n");
	expect_end(f);
	assert_int_equal(f->el.total, 1);
	expect_error(f, 0, 3, "no columns \"a\" and \"b\"");
	close_reader(f);

	/* A column named twice, in another case. */
	open_text(f, "a,b,A\n1,2,3\n");
	expect_end(f);
	assert_int_equal(f->el.total, 1);
	expect_error(f, 0, 1, "header: column \"a\" appears twice");
	close_reader(f);

	/* A malformed header stops the reading. */
	open_text(f, "a,\"b\"x\n1,2\n");
	expect_end(f);
	assert_int_equal(f->el.total, 1);
	expect_error(f, 0, 1, "header: text follows a closing quote");
	close_reader(f);

	static const char nul[] = "a,b\0\n1,2\n";
	open_len(f, nul, sizeof(nul) - 1);
	expect_end(f);
	expect_error(f, 0, 1, "header: field 2 holds a NUL byte");
	close_reader(f);

	/* An open quote in the header: the whole input is its record. */
	open_text(f, "a,\"b\n1,2\n");
	expect_end(f);
	assert_int_equal(f->el.total, 1);
	expect_error(f, 0, 1, "header: a quoted field is not closed");
	close_reader(f);
}

static void empty_input(void **state)
{
	struct fixture *f = *state;
	static const char *const empties[] = {"", "\xef\xbb\xbf", "\n", "\r\n \t\n\n"};

	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		open_text(f, empties[i]);
		expect_end(f);
		assert_int_equal(f->el.total, 1);
		expect_error(f, 0, 0,
		             "the file is empty: expected a header line that names the "
		             "columns a and b, and may name c");
		close_reader(f);
		f->rd = NULL;
	}
	/* A header alone is no error. */
	open_text(f, "a,b\n");
	expect_end(f);
	assert_int_equal(f->el.total, 0);
}

/* Errors are kept sorted by line, stably, keeping the earliest lines when full. */
static void error_list(void **state)
{
	struct elist el = {0};
	struct gt_csv_errors errs = GT_CSV_ERRORS(el.errors, &el.n, &el.total);
	char longmsg[300];
	(void)state;

	assert_int_equal(errs.cap, 8);
	assert_int_equal(errs.msg_size, 120);
	gt_csv_error(&errs, 5, "five");
	gt_csv_error(&errs, 2, "two-a");
	gt_csv_error(&errs, 9, "nine");
	gt_csv_error(&errs, 2, "two-b");
	gt_csv_error(&errs, 0, "whole %d", 1);
	assert_int_equal(el.n, 5);
	assert_string_equal(el.errors[0].msg, "whole 1");
	assert_string_equal(el.errors[1].msg, "two-a");
	assert_string_equal(el.errors[2].msg, "two-b");
	assert_string_equal(el.errors[3].msg, "five");
	assert_int_equal(el.errors[4].line, 9);
	for (unsigned long line = 10; line < 13; line++)
		gt_csv_error(&errs, line, "late %lu", line);
	assert_int_equal(el.n, 8);
	/* Full: a later line is only counted, an earlier one pushes out the latest. */
	gt_csv_error(&errs, 20, "dropped");
	assert_int_equal(el.n, 8);
	assert_int_equal(el.errors[7].line, 12);
	gt_csv_error(&errs, 12, "same line as the last: dropped");
	assert_int_equal(el.errors[7].line, 12);
	assert_string_equal(el.errors[7].msg, "late 12");
	gt_csv_error(&errs, 3, "three");
	assert_int_equal(el.n, 8);
	assert_string_equal(el.errors[3].msg, "three");
	assert_int_equal(el.errors[7].line, 11);
	assert_int_equal(el.total, 11);
	for (size_t i = 1; i < el.n; i++)
		assert_true(el.errors[i - 1].line <= el.errors[i].line);

	/* A message too long for an entry is cut, NUL-terminated. */
	memset(longmsg, 'm', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	gt_csv_error(&errs, 0, "%s", longmsg);
	assert_string_equal(el.errors[0].msg, "whole 1");
	assert_int_equal(strlen(el.errors[1].msg), sizeof(el.errors[1].msg) - 1);
}

static void trim(void **state)
{
	const char *s = " \t a b\t ";
	size_t n = strlen(s);
	(void)state;

	s = gt_csv_trim(s, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(s, "a b", 3);
	n = 3;
	gt_csv_trim(" \t ", &n);
	assert_int_equal(n, 0);
	n = 0;
	gt_csv_trim("", &n);
	assert_int_equal(n, 0);
}

static void check_text(void **state)
{
	static const struct {
		const char *s;
		int flags, want;
		unsigned ctl;
	} cases[] = {
	    {"plain ASCII ~", 0, GT_CSV_TEXT_OK, 0},
	    {"Ac\xc3\xa9h \xe2\x82\xac \xf0\x9f\x98\x80", 0, GT_CSV_TEXT_OK, 0},
	    {"\xef\xbf\xbf\xf4\x8f\xbf\xbf", 0, GT_CSV_TEXT_OK, 0},
	    {"tab\there", 0, GT_CSV_TEXT_CONTROL, '\t'},
	    {"tab\there\r\nline", GT_CSV_TEXT_BREAKS, GT_CSV_TEXT_OK, 0},
	    {"bell\a", GT_CSV_TEXT_BREAKS, GT_CSV_TEXT_CONTROL, 7},
	    {"del\x7f", GT_CSV_TEXT_BREAKS, GT_CSV_TEXT_CONTROL, 0x7f},
	    {"c1 \xc2\x85", GT_CSV_TEXT_BREAKS, GT_CSV_TEXT_CONTROL, 0x85},
	    {"nbsp \xc2\xa0", 0, GT_CSV_TEXT_OK, 0},
	    {"latin1 \xe9", 0, GT_CSV_TEXT_BAD_UTF8, 0},
	    {"overlong \xc0\xaf", 0, GT_CSV_TEXT_BAD_UTF8, 0},
	    {"overlong \xe0\x80\xaf", 0, GT_CSV_TEXT_BAD_UTF8, 0},
	    {"overlong \xf0\x80\x80\xaf", 0, GT_CSV_TEXT_BAD_UTF8, 0},
	    {"surrogate \xed\xa0\x80", 0, GT_CSV_TEXT_BAD_UTF8, 0},
	    {"too high \xf4\x90\x80\x80", 0, GT_CSV_TEXT_BAD_UTF8, 0},
	    {"cut \xe2\x82", 0, GT_CSV_TEXT_BAD_UTF8, 0},
	    {"stray \x80", 0, GT_CSV_TEXT_BAD_UTF8, 0},
	    {"bad continuation \xc3\x28", 0, GT_CSV_TEXT_BAD_UTF8, 0},
	    /* Invalid UTF-8 is reported before a control character found earlier. */
	    {"\x01 then \xff", 0, GT_CSV_TEXT_BAD_UTF8, 0},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned ctl = 12345;
		int got = gt_csv_check_text(cases[i].s, strlen(cases[i].s), cases[i].flags, &ctl);

		if (got != cases[i].want)
			fail_msg("case %zu: %d, expected %d", i, got, cases[i].want);
		if (got == GT_CSV_TEXT_CONTROL && ctl != cases[i].ctl)
			fail_msg("case %zu: control 0x%x, expected 0x%x", i, ctl, cases[i].ctl);
	}
	/* A NUL inside the length is a control character; ctl may be NULL. */
	assert_int_equal(gt_csv_check_text("a\0b", 3, GT_CSV_TEXT_BREAKS, NULL),
	                 GT_CSV_TEXT_CONTROL);
	assert_int_equal(gt_csv_check_text(NULL, 0, 0, NULL), GT_CSV_TEXT_OK);
}

/* Issue 12: a semicolon or tab separator (Excel on an Indonesian Windows machine), the other
 * separators kept as text; a spreadsheet's empty trailing columns and rows ignored. */
static void separators_and_spreadsheet_padding(void **state)
{
	struct fixture *f = *state;
	static const char semi[] = "a;b;c;;\r\n1;\"x;y\";3,5;;\r\n;;;;\r\n2;z;;\r\n";

	assert_int_equal(gt_csv_sniff_sep((const uint8_t *)semi, strlen(semi)), ';');
	assert_int_equal(gt_csv_sniff_sep((const uint8_t *)"a,b;c,d\n", 8), ',');
	assert_int_equal(gt_csv_sniff_sep((const uint8_t *)"\n\"a;b\"\tc\td\n", 13), '\t');
	assert_int_equal(gt_csv_sniff_sep((const uint8_t *)"", 0), ',');
	f->lim.sep = ';';
	open_text(f, semi);
	expect_row(f, 2, "1", "x;y", "3,5");
	expect_row(f, 4, "2", "z", "");
	expect_end(f);
	assert_int_equal(f->el.total, 0);
	close_reader(f);
	/* A non-empty cell past the header's columns is still an error. */
	open_text(f, "a;b\n1;2;3\n");
	assert_int_equal(gt_csv_next(f->rd), 0);
	expect_error(f, 0, 2, "3 fields, but the header has 2");
}

/* Issue 12: a raw reader returns every record with its own number of fields. */
static void raw_records(void **state)
{
	struct fixture *f = *state;
	size_t n;

	f->lim.raw = 1;
	memset(&f->el, 0, sizeof(f->el));
	f->errs = GT_CSV_ERRORS(f->el.errors, &f->el.n, &f->el.total);
	assert_int_equal(
	    gt_csv_open(&f->rd, (const uint8_t *)"x\n\n1,2,3\n,\n", 11, &f->lim, NULL, 0, &f->errs),
	    0);
	assert_int_equal(gt_csv_next(f->rd), 1);
	assert_int_equal(gt_csv_nfields(f->rd), 1);
	assert_int_equal(gt_csv_next(f->rd), 1);
	assert_int_equal(gt_csv_line(f->rd), 3);
	assert_int_equal(gt_csv_nfields(f->rd), 3);
	assert_string_equal(gt_csv_field(f->rd, 2, &n), "3");
	assert_string_equal(gt_csv_field(f->rd, 7, &n), "");
	assert_int_equal(n, 0);
	expect_end(f);
	assert_int_equal(f->el.total, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(header_any_order_extra_optional, setup, teardown),
	    cmocka_unit_test_setup_teardown(separators_and_spreadsheet_padding, setup, teardown),
	    cmocka_unit_test_setup_teardown(raw_records, setup, teardown),
	    cmocka_unit_test_setup_teardown(quoting_bom_crlf_blank, setup, teardown),
	    cmocka_unit_test_setup_teardown(quoted_empty_is_a_record, setup, teardown),
	    cmocka_unit_test_setup_teardown(malformed_records, setup, teardown),
	    cmocka_unit_test_setup_teardown(record_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(row_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(input_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(header_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(empty_input, setup, teardown),
	    cmocka_unit_test(error_list),
	    cmocka_unit_test(trim),
	    cmocka_unit_test(check_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
