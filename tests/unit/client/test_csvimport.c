/* Tests of the data-value CSV decoder: header, quoting, line numbers, limits, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csvimport.h"
#include "error.h"

static int parse(const char *text, struct gt_csvimport *c)
{
	return gt_csvimport_parse((const uint8_t *)text, strlen(text), c);
}

/* Whether an error on line mentions needle. */
static int has_error(const struct gt_csvimport *c, unsigned long line, const char *needle)
{
	for (size_t i = 0; i < c->n_errors; i++)
		if (c->errors[i].line == line && strstr(c->errors[i].msg, needle) != NULL)
			return 1;
	return 0;
}

static void test_basic(void **state)
{
	struct gt_csvimport c;
	(void)state;

	assert_int_equal(parse("dataelement,period,orgunit,categoryoptioncombo,value,comment\n"
	                       "KK_KORBAN,202607,53.71,PD,4,\n"
	                       "KK_LP,202607,53.71,,3,dari polres\n",
	                       &c),
	                 GT_OK);
	assert_int_equal(c.n_rows, 2);
	assert_int_equal(c.n_errors, 0);
	assert_int_equal(c.rows[0].line, 2);
	assert_string_equal(c.rows[0].field[GT_CSV_DATAELEMENT], "KK_KORBAN");
	assert_string_equal(c.rows[0].field[GT_CSV_PERIOD], "202607");
	assert_string_equal(c.rows[0].field[GT_CSV_ORGUNIT], "53.71");
	assert_string_equal(c.rows[0].field[GT_CSV_COC], "PD");
	assert_string_equal(c.rows[0].field[GT_CSV_VALUE], "4");
	assert_string_equal(c.rows[0].field[GT_CSV_COMMENT], "");
	assert_string_equal(c.rows[1].field[GT_CSV_COC], "");
	assert_string_equal(c.rows[1].field[GT_CSV_COMMENT], "dari polres");
	assert_int_equal(c.rows[1].line, 3);
	gt_csvimport_free(&c);
	gt_csvimport_free(&c); /* a cleared struct may be freed again */
	gt_csvimport_free(NULL);
}

/* Columns in any order and case, extra columns ignored, optional columns absent. */
static void test_header_any_order(void **state)
{
	struct gt_csvimport c;
	(void)state;

	assert_int_equal(parse("StoredBy,Value,DataElement, Period ,followup\n"
	                       "ani,12,KK_LP,202607,false\n",
	                       &c),
	                 GT_OK);
	assert_int_equal(c.n_rows, 1);
	assert_int_equal(c.col[GT_CSV_VALUE], 1);
	assert_int_equal(c.col[GT_CSV_DATAELEMENT], 2);
	assert_int_equal(c.col[GT_CSV_PERIOD], 3);
	assert_int_equal(c.col[GT_CSV_ORGUNIT], -1);
	assert_int_equal(c.col[GT_CSV_COC], -1);
	assert_string_equal(c.rows[0].field[GT_CSV_VALUE], "12");
	assert_string_equal(c.rows[0].field[GT_CSV_DATAELEMENT], "KK_LP");
	assert_string_equal(c.rows[0].field[GT_CSV_ORGUNIT], "");
	assert_string_equal(c.rows[0].field[GT_CSV_COMMENT], "");
	gt_csvimport_free(&c);
}

/* A byte-order mark, CRLF line ends, blank lines, quoted fields with commas, doubled quotes
 * and line breaks; line numbers count physical lines. */
static void test_quoting_bom_crlf(void **state)
{
	struct gt_csvimport c;
	(void)state;

	assert_int_equal(parse("\xEF\xBB\xBF"
	                       "dataelement,period,value,comment\r\n"
	                       "\r\n"
	                       "KK_LP,202607,3,\"a, b \"\"c\"\"\"\r\n"
	                       "KK_LP,202608,\" 4 \",\"line one\r\nline two\"\r\n"
	                       "KK_LP,202609,5,x\r\n"
	                       "\n",
	                       &c),
	                 GT_OK);
	assert_int_equal(c.n_rows, 3);
	assert_int_equal(c.rows[0].line, 3);
	assert_string_equal(c.rows[0].field[GT_CSV_COMMENT], "a, b \"c\"");
	assert_int_equal(c.rows[1].line, 4);
	assert_string_equal(c.rows[1].field[GT_CSV_VALUE], "4"); /* trimmed */
	assert_string_equal(c.rows[1].field[GT_CSV_COMMENT], "line one\r\nline two");
	assert_int_equal(c.rows[2].line, 6);
	assert_string_equal(c.rows[2].field[GT_CSV_PERIOD], "202609");
	gt_csvimport_free(&c);
}

/* The last record may lack a line end. */
static void test_no_final_newline(void **state)
{
	struct gt_csvimport c;
	(void)state;

	assert_int_equal(parse("dataelement,value\nA,1\nB,2", &c), GT_OK);
	assert_int_equal(c.n_rows, 2);
	assert_string_equal(c.rows[1].field[GT_CSV_VALUE], "2");
	gt_csvimport_free(&c);
}

static void test_bad_header(void **state)
{
	struct gt_csvimport c;
	(void)state;

	assert_int_equal(parse("element,period,value\nKK_LP,202607,3\n", &c), GT_EINVAL);
	assert_true(has_error(&c, 1, "header"));
	assert_int_equal(c.n_rows, 0);
	gt_csvimport_free(&c);

	assert_int_equal(parse("dataelement,value,Value\nKK_LP,3,4\n", &c), GT_EINVAL);
	assert_true(has_error(&c, 1, "twice"));
	gt_csvimport_free(&c);

	/* A header-less file in DHIS2's fixed order is refused, not guessed at. */
	assert_int_equal(parse("KK_LP,202607,53.71,,3,\n", &c), GT_EINVAL);
	assert_true(has_error(&c, 1, "header"));
	gt_csvimport_free(&c);

	assert_int_equal(parse("", &c), GT_EINVAL);
	assert_true(has_error(&c, 0, "empty"));
	gt_csvimport_free(&c);

	assert_int_equal(parse("\n\r\n  \n", &c), GT_EINVAL);
	assert_true(has_error(&c, 0, "empty"));
	gt_csvimport_free(&c);
}

/* Every bad record is named with its line; the good ones are kept; decoding goes on. */
static void test_bad_records(void **state)
{
	struct gt_csvimport c;
	(void)state;

	assert_int_equal(parse("dataelement,period,value,comment\n" /* 1 */
	                       "A,202607,1,ok\n"                    /* 2 */
	                       "B,202607,2\n"                       /* 3: too few fields */
	                       "C,202607,3,x,y\n"                   /* 4: too many */
	                       "D,20\"26,4,\n"                      /* 5: stray quote */
	                       "E,202607,\"5\"x,\n"                 /* 6: text after quote */
	                       ",202607,6,\n"                       /* 7: empty element */
	                       "G,202607,,\n"                       /* 8: empty value */
	                       "H,202607,\xff,\n"                   /* 9: not UTF-8 */
	                       "I,2026\x01,9,\n"                    /* 10: control character */
	                       "J,202607,10,\"tab\there\"\n"        /* 11: fine */
	                       "K,202607,11,\"open\n"               /* 12: unterminated */
	                       "L,202607,12,\n",
	                       &c),
	                 GT_EINVAL);
	assert_true(has_error(&c, 3, "3 fields, but the header has 4"));
	assert_true(has_error(&c, 4, "5 fields"));
	assert_true(has_error(&c, 5, "quote inside an unquoted field"));
	assert_true(has_error(&c, 6, "follows a closing quote"));
	assert_true(has_error(&c, 7, "dataelement is empty"));
	assert_true(has_error(&c, 8, "value is empty"));
	assert_true(has_error(&c, 9, "UTF-8"));
	assert_true(has_error(&c, 10, "control character"));
	assert_true(has_error(&c, 12, "not closed"));
	assert_int_equal(c.errors_total, 9);
	assert_int_equal(c.n_rows, 2);
	assert_string_equal(c.rows[0].field[GT_CSV_DATAELEMENT], "A");
	assert_string_equal(c.rows[1].field[GT_CSV_DATAELEMENT], "J");
	assert_string_equal(c.rows[1].field[GT_CSV_COMMENT], "tab\there");
	gt_csvimport_free(&c);
}

/* A NUL byte inside a field is an error, not a silent cut. */
static void test_nul_byte(void **state)
{
	static const uint8_t text[] = "dataelement,value\nKK_LP,3\0"
	                              "4\n";
	struct gt_csvimport c;
	(void)state;

	assert_int_equal(gt_csvimport_parse(text, sizeof(text) - 1, &c), GT_EINVAL);
	assert_true(has_error(&c, 2, "NUL"));
	assert_int_equal(c.n_rows, 0);
	gt_csvimport_free(&c);
}

/* Codes longer than the limit, and a record over the record limit. */
static void test_limits(void **state)
{
	struct gt_csvimport c;
	size_t n = GT_CSVIMPORT_MAX_RECORD + 100;
	char *big = malloc(n + 64);
	char code[GT_CSVIMPORT_MAX_CODE + 2];
	char text[256];
	(void)state;

	memset(code, 'X', sizeof(code) - 1);
	code[sizeof(code) - 1] = '\0';
	snprintf(text, sizeof(text), "dataelement,value\n%s,1\nOK,2\n", code);
	assert_int_equal(parse(text, &c), GT_EINVAL);
	assert_true(has_error(&c, 2, "longer than 64"));
	assert_int_equal(c.n_rows, 1);
	gt_csvimport_free(&c);

	assert_non_null(big);
	strcpy(big, "dataelement,value,comment\nA,1,");
	size_t used = strlen(big);
	memset(big + used, 'y', n);
	strcpy(big + used + n, "\nB,2,z\n");
	assert_int_equal(parse(big, &c), GT_EINVAL);
	assert_true(has_error(&c, 2, "longer"));
	assert_int_equal(c.n_rows, 1);
	assert_string_equal(c.rows[0].field[GT_CSV_DATAELEMENT], "B");
	assert_int_equal(c.rows[0].line, 3);
	gt_csvimport_free(&c);
	free(big);

	/* Over the input limit: refused before reading. */
	assert_int_equal(gt_csvimport_parse((const uint8_t *)"x", GT_CSVIMPORT_MAX_INPUT + 1u, &c),
	                 GT_ETOOBIG);
	assert_int_equal(c.n_rows, 0);
	gt_csvimport_free(&c);
}

/* Errors over the cap are counted, not kept; the sort keeps lines in order. */
static void test_error_cap_and_sort(void **state)
{
	struct gt_csvimport c;
	size_t rows = GT_CSVIMPORT_MAX_ERRORS + 50;
	char *text = malloc(rows * 8 + 64);
	size_t used;
	(void)state;

	assert_non_null(text);
	strcpy(text, "dataelement,value\n");
	used = strlen(text);
	for (size_t i = 0; i < rows; i++) {
		memcpy(text + used, "A,1,2\n", 6);
		used += 6;
	}
	text[used] = '\0';
	assert_int_equal(parse(text, &c), GT_EINVAL);
	assert_int_equal(c.n_errors, GT_CSVIMPORT_MAX_ERRORS);
	assert_int_equal(c.errors_total, rows);
	/* Errors added later for earlier lines sort before them, stably. */
	gt_csvimport_free(&c);
	assert_int_equal(parse("dataelement,value\nA,1\nB,2\n", &c), GT_OK);
	gt_csvimport_error(&c, 3, "third");
	gt_csvimport_error(&c, 2, "second-a");
	gt_csvimport_error(&c, 2, "second-b");
	gt_csvimport_sort_errors(&c);
	assert_int_equal(c.errors[0].line, 2);
	assert_string_equal(c.errors[0].msg, "second-a");
	assert_string_equal(c.errors[1].msg, "second-b");
	assert_int_equal(c.errors[2].line, 3);
	gt_csvimport_free(&c);
	free(text);
	assert_string_equal(gt_csvimport_col_name(GT_CSV_COC), "categoryoptioncombo");
	assert_string_equal(gt_csvimport_col_name(99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_header_any_order),
	    cmocka_unit_test(test_quoting_bom_crlf),
	    cmocka_unit_test(test_no_final_newline),
	    cmocka_unit_test(test_bad_header),
	    cmocka_unit_test(test_bad_records),
	    cmocka_unit_test(test_nul_byte),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_error_cap_and_sort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
