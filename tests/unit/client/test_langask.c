/* The language question of a new home (issue 12, item 4): the answers it understands, the
 * default, asking again, and never waiting past the end of input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "i18n.h"
#include "langask.h"

/* Runs the question on input text; returns the choice, the question's output in out. */
static const char *ask(const char *text, char *out, size_t len)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	FILE *o = fmemopen(out, len, "w");
	const char *lang;

	assert_non_null(o);
	if (in == NULL) /* fmemopen refuses an empty buffer on some systems: no input at all */
		in = fopen("/dev/null", "r");
	assert_non_null(in);
	lang = gt_langask(in, o);
	fclose(in);
	fclose(o);
	return lang;
}

static void answers(void **state)
{
	(void)state;
	assert_string_equal(gt_langask_answer(""), GT_LANG_ID);
	assert_string_equal(gt_langask_answer("\n"), GT_LANG_ID);
	assert_string_equal(gt_langask_answer(" 1 \n"), GT_LANG_ID);
	assert_string_equal(gt_langask_answer("Bahasa Indonesia\n"), GT_LANG_ID);
	assert_string_equal(gt_langask_answer("ID"), GT_LANG_ID);
	assert_string_equal(gt_langask_answer("2\n"), GT_LANG_EN);
	assert_string_equal(gt_langask_answer("English\r\n"), GT_LANG_EN);
	assert_string_equal(gt_langask_answer("inggris"), GT_LANG_EN);
	assert_null(gt_langask_answer("3"));
	assert_null(gt_langask_answer("fr"));
	assert_null(gt_langask_answer("12"));
}

static void question(void **state)
{
	char out[2048];
	(void)state;

	/* Enter alone: Bahasa Indonesia, the default; the question names both. */
	assert_string_equal(ask("\n", out, sizeof(out)), GT_LANG_ID);
	assert_non_null(strstr(out, "Bahasa Indonesia (bawaan / default)"));
	assert_non_null(strstr(out, "English"));
	assert_non_null(strstr(out, "Pilih / Choose [1]: "));
	/* English chosen. */
	assert_string_equal(ask("2\n", out, sizeof(out)), GT_LANG_EN);
	/* A wrong answer asks again. */
	assert_string_equal(ask("x\nen\n", out, sizeof(out)), GT_LANG_EN);
	assert_non_null(strstr(out, "Answer 1 or 2"));
	/* Three wrong answers, then the default without asking a fourth time. */
	assert_string_equal(ask("x\ny\nz\n2\n", out, sizeof(out)), GT_LANG_ID);
	size_t n = 0;
	for (const char *p = out; (p = strstr(p, "Choose [1]")) != NULL; p++)
		n++;
	assert_int_equal(n, GT_LANGASK_TRIES);
	/* The end of input (a closed terminal): the default, no waiting. */
	assert_string_equal(ask("", out, sizeof(out)), GT_LANG_ID);
	assert_string_equal(ask("2", out, sizeof(out)), GT_LANG_EN);
	/* A line longer than any answer is no answer. */
	char longline[300];
	memset(longline, '2', 200);
	strcpy(longline + 200, "\n2\n");
	assert_string_equal(ask(longline, out, sizeof(out)), GT_LANG_EN);
	assert_non_null(strstr(out, "Choose [1]: Pilih"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(answers),
	    cmocka_unit_test(question),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
