/* Tests for common/ruletext.c: a validation rule in words with its values (issue 10 item 16). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "metadata.h"
#include "ruletext.h"

static void words_of_rules(void **state)
{
	struct gt_meta *m = NULL;
	char buf[256];
	(void)state;

	assert_int_equal(gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &m, NULL), 0);
	const struct gt_meta_rule *total = gt_meta_rule_find(m, "KK_R_TOTAL");
	const struct gt_meta_rule *anak = gt_meta_rule_find(m, "LY_R_ANAK");
	const struct gt_meta_rule *pleno = gt_meta_rule_find(m, "GT_R_PLENO");
	assert_non_null(total);
	assert_non_null(anak);
	assert_non_null(pleno);

	struct gt_meta_rule_result res = {3, 5, 0, 1};
	gt_ruletext_violation(total, &res, buf, sizeof(buf));
	assert_string_equal(buf, "Korban TPPO teridentifikasi (3) ≠ Jumlah korban TPPO "
	                         "teridentifikasi (5)");
	/* Options by name, sums joined, the relation that holds instead. */
	res = (struct gt_meta_rule_result){4, 1.5, 0, 1};
	gt_ruletext_violation(anak, &res, buf, sizeof(buf));
	assert_non_null(strstr(buf, ", Anak perempuan + "));
	assert_non_null(strstr(buf, "(4) > "));
	assert_non_null(strstr(buf, "(1.5)"));
	/* A number operand, and the severity the file gives. */
	res = (struct gt_meta_rule_result){0, 1, 0, 1};
	gt_ruletext_violation(pleno, &res, buf, sizeof(buf));
	assert_string_equal(buf, "Rapat koordinasi pleno yang dilaksanakan (0) < 1");
	assert_int_equal(pleno->severity, GT_META_SEVERITY_WARNING);
	assert_int_equal(total->severity, GT_META_SEVERITY_ERROR);
	/* A short buffer is cut at a character boundary with an ellipsis. */
	res = (struct gt_meta_rule_result){3, 5, 0, 1};
	size_t n = gt_ruletext_violation(total, &res, buf, 24);
	assert_true(n < 24);
	assert_non_null(strstr(buf, "…"));
	assert_int_equal(gt_ruletext_side(total->left, total->nleft, buf, 8),
	                 strlen("Korban TPPO teridentifikasi"));
	assert_string_equal(gt_ruletext_op(GT_META_OP_LE), "≤");
	assert_string_equal(gt_ruletext_op_failed(GT_META_OP_GE), "<");
	gt_meta_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(words_of_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
