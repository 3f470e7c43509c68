/* Tests of client/termtext.c, issue 10 item 5: text from outside reaches a terminal with every
 * control character escaped (ESC sequences, CR, BEL, DEL, C1 controls, bytes that are not
 * UTF-8, bidirectional overrides), and valid UTF-8 passes unchanged. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "termtext.h"

/* src escaped with flags, through both entry points, which must agree. */
static char *esc(const char *src, unsigned flags)
{
	size_t need = gt_termtext_escape(NULL, 0, src, flags), len = 0;
	char *a = malloc(need + 1), *b = NULL;
	FILE *m = open_memstream(&b, &len);

	assert_non_null(a);
	assert_non_null(m);
	assert_int_equal(gt_termtext_escape(a, need + 1, src, flags), need);
	gt_termtext_put(m, src, flags);
	fclose(m);
	assert_string_equal(a, b);
	free(b);
	return a;
}

static void expect(const char *src, unsigned flags, const char *want)
{
	char *got = esc(src, flags);
	if (strcmp(got, want) != 0)
		fail_msg("escaping gave '%s', want '%s'", got, want);
	/* Nothing a terminal acts on is left: no C0, no DEL, no raw C1 byte. */
	for (const unsigned char *p = (const unsigned char *)got; *p; p++)
		assert_false(*p < 0x20 || *p == 0x7F);
	free(got);
}

static void test_controls(void **state)
{
	(void)state;
	/* A colour, a cursor move and a window title, as an attacker's reason would carry. */
	expect("\x1b[31mred\x1b[0m", 0, "\\x1b[31mred\\x1b[0m");
	expect("a\x1b[2J\x1b[Hb", 0, "a\\x1b[2J\\x1b[Hb");
	expect("\x1b]0;owned\x07", 0, "\\x1b]0;owned\\x07");
	/* CR would overwrite the line: "approved" over "returned". */
	expect("returned\rapproved", 0, "returned\\rapproved");
	expect("bell\x07 del\x7f nl\n tab\t", 0, "bell\\x07 del\\x7f nl\\n tab\\t");
	expect("\x01\x1f", 0, "\\x01\\x1f");
	/* C1 controls: U+009B (CSI) and U+0085 as UTF-8, and the raw bytes 0x9B and 0x85. */
	expect("x\xc2\x9b"
	       "31my",
	       0, "x\\u009b31my");
	expect("\xc2\x85", 0, "\\u0085");
	expect("x\x9b"
	       "31my",
	       0, "x\\x9b31my");
	/* Bytes that are not UTF-8: a stray continuation, an overlong form, a surrogate, a cut
	 * sequence. */
	expect("\x80", 0, "\\x80");
	expect("\xc0\xaf", 0, "\\xc0\\xaf");
	expect("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
	expect("\xe2\x82", 0, "\\xe2\\x82");
	/* Bidirectional overrides and isolates. */
	expect("abc\xe2\x80\xae"
	       "fed",
	       0, "abc\\u202efed");
	expect("\xe2\x81\xa6x\xe2\x81\xa9", 0, "\\u2066x\\u2069");
	expect(NULL, 0, "");
}

static void test_utf8_untouched(void **state)
{
	static const char *const ok[] = {
	    "Kabupaten Kupang",
	    "Laporan nihil: tidak ada kasus pada periode ini.",
	    "caf\xc3\xa9 \xc3\xb1 \xc3\x9c",                  /* café ñ Ü */
	    "\xe2\x80\x94 \xe2\x80\x9cquoted\xe2\x80\x9d",    /* — “quoted” */
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",           /* 日本語 */
	    "\xe2\x98\x95 \xf0\x9d\x84\x9e \xf0\x9f\x98\x80", /* ☕ 𝄞 😀 */
	    "\xc2\xa0no-break \xc2\xbf",                      /* U+00A0, U+00BF: above C1 */
	    "path\\with \"quotes\" = ok",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		expect(ok[i], 0, ok[i]);
}

static void test_flags(void **state)
{
	(void)state;
	/* A one-line preview: line breaks and tabs fold to spaces, other controls still escape. */
	expect("line one\nline two\r\tend\x1b", GT_TERMTEXT_FOLD, "line one line two  end\\x1b");
	/* Inside a quoted key="value" field, quotes and backslashes escape too. */
	expect("say \"hi\" \\ there", GT_TERMTEXT_QUOTE, "say \\\"hi\\\" \\\\ there");
	expect("say \"hi\"", 0, "say \"hi\"");
}

/* Like snprintf: the needed length is returned, and a short buffer is cut between whole
 * escapes and whole characters, never inside one. */
static void test_cut(void **state)
{
	char buf[8];
	(void)state;

	assert_int_equal(gt_termtext_escape(buf, sizeof(buf),
	                                    "abc\x1b"
	                                    "def",
	                                    0),
	                 10);
	assert_string_equal(buf, "abc\\x1b");
	assert_int_equal(gt_termtext_escape(buf, 6,
	                                    "abc\x1b"
	                                    "def",
	                                    0),
	                 10);
	assert_string_equal(buf, "abc"); /* "\x1b" does not fit after "abc" in 5 bytes */
	assert_int_equal(gt_termtext_escape(buf, 3, "\xc3\xa9\xc3\xa9", 0), 4);
	assert_string_equal(buf, "\xc3\xa9");
	assert_int_equal(gt_termtext_escape(buf, 1, "abc", 0), 3);
	assert_string_equal(buf, "");
}

/* Escaped copies for one printf: each valid until the clear; a full set says "(?)" rather
 * than show text raw. */
static void test_arena(void **state)
{
	struct gt_termtext t = {0};
	const char *first;
	(void)state;

	first = gt_termtext_str(&t, "a\x1b");
	assert_string_equal(first, "a\\x1b");
	for (int i = 1; i < GT_TERMTEXT_SLOTS; i++)
		assert_string_equal(gt_termtext_str(&t, "x"), "x");
	assert_string_equal(gt_termtext_str(&t, "\x1b[31m"), "(?)");
	assert_string_equal(first, "a\\x1b");
	gt_termtext_clear(&t);
	assert_int_equal(t.n, 0);
	assert_string_equal(gt_termtext_str(&t, NULL), "");
	gt_termtext_clear(&t);
	gt_termtext_clear(NULL);
}

/* A line for a person: the formatted text escaped as a whole, newline added, however long. */
static void test_line(void **state)
{
	char *out = NULL, *big = malloc(5001);
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	(void)state;

	assert_non_null(big);
	memset(big, 'x', 5000);
	big[4998] = '\x1b';
	big[5000] = '\0';
	gt_termtext_line(m, "%s: skipped by the server: %s (%d)", "gtsync return",
	                 "bad\rreason\x07", 14);
	gt_termtext_line(m, "%s", big);
	gt_termtext_line(NULL, "%s", "nowhere");
	fclose(m);
	assert_non_null(strstr(out, "gtsync return: skipped by the server: bad\\rreason\\x07 "
	                            "(14)\n"));
	assert_int_equal(len, strlen("gtsync return: skipped by the server: bad\\rreason\\x07 "
	                             "(14)\n") +
	                          5000 + 3 + 1);
	assert_non_null(strstr(out, "x\\x1bx\n"));
	free(out);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_controls), cmocka_unit_test(test_utf8_untouched),
	    cmocka_unit_test(test_flags),    cmocka_unit_test(test_cut),
	    cmocka_unit_test(test_arena),    cmocka_unit_test(test_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
