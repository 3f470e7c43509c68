/* Tests of the retry delays and the progress bar's text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backoff.h"
#include "i18n.h"
#include "progress.h"

static void test_delays_grow_and_cap(void **state)
{
	(void)state;
	/* The lowest jitter (rnd 0) gives half the step, rnd at the top the whole step. */
	assert_int_equal(gt_backoff_delay_ms(0, 1000, 30000, 0), 500);
	assert_int_equal(gt_backoff_delay_ms(0, 1000, 30000, 500), 1000);
	assert_int_equal(gt_backoff_delay_ms(1, 1000, 30000, 0), 1000);
	assert_int_equal(gt_backoff_delay_ms(2, 1000, 30000, 0), 2000);
	assert_int_equal(gt_backoff_delay_ms(4, 1000, 30000, 0), 8000);
	assert_int_equal(gt_backoff_delay_ms(5, 1000, 30000, 0), 15000);
	assert_int_equal(gt_backoff_delay_ms(6, 1000, 30000, 0), 15000);
	assert_int_equal(gt_backoff_delay_ms(6, 1000, 30000, 15000), 30000);
	/* Huge attempts neither overflow nor pass the cap. */
	for (unsigned a = 0; a < 200; a += 7)
		for (uint32_t r = 0; r < 5; r++) {
			uint32_t d = gt_backoff_delay_ms(a, 1000, 30000, r * 0x9e3779b9u);
			assert_true(d <= 30000);
			assert_true(d >= 500);
		}
	assert_true(gt_backoff_delay_ms(40, UINT32_MAX, UINT32_MAX, UINT32_MAX) <= UINT32_MAX);
	assert_int_equal(gt_backoff_delay_ms(3, 0, 0, 12345), 0);
	/* A cap below the base is the base. */
	assert_true(gt_backoff_delay_ms(3, 2000, 10, 0) == 1000);
	/* Jitter spreads: different random bits give different delays. */
	assert_int_not_equal(gt_backoff_delay_ms(3, 1000, 30000, 1),
	                     gt_backoff_delay_ms(3, 1000, 30000, 2000));
	(void)gt_backoff_random();
}

static void test_progress_text(void **state)
{
	char buf[128];
	struct gt_progress p;
	(void)state;

	gt_progress_format(buf, sizeof(buf), "push", "values", 0, 40);
	assert_string_equal(buf, "push [                              ] 0/40 values");
	gt_progress_format(buf, sizeof(buf), "push", "values", 20, 40);
	assert_string_equal(buf, "push [###############               ] 20/40 values");
	gt_progress_format(buf, sizeof(buf), "push", "values", 50, 40);
	assert_string_equal(buf, "push [##############################] 40/40 values");
	gt_progress_format(buf, sizeof(buf), "pull", "values", 7, 0);
	assert_string_equal(buf, "pull 7 values");
	/* The counts grouped as the language writes them (issue 12, what remained, item 1). */
	gt_i18n_use(GT_LANG_ID);
	gt_progress_format(buf, sizeof(buf), "kirim", "nilai", 12000, 40000);
	assert_string_equal(buf, "kirim [#########                     ] 12.000/40.000 nilai");
	gt_i18n_use(GT_LANG_EN);
	gt_progress_format(buf, sizeof(buf), "push", "values", 12000, 0);
	assert_string_equal(buf, "push 12,000 values");

	/* Not a terminal: nothing is drawn. */
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	gt_progress_start(&p, f, 0, "push", "values", 10);
	gt_progress_set(&p, 5, 0);
	gt_progress_end(&p);
	fclose(f);
	assert_int_equal(len, 0);
	free(out);
	/* Forced: the bar is drawn and ends its line. */
	out = NULL;
	f = open_memstream(&out, &len);
	gt_progress_start(&p, f, 1, "push", "values", 10);
	gt_progress_set(&p, 10, 0);
	gt_progress_end(&p);
	fclose(f);
	assert_non_null(strstr(out, "10/10 values"));
	assert_int_equal(out[len - 1], '\n');
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_delays_grow_and_cap),
	    cmocka_unit_test(test_progress_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
