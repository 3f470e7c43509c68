/* Tests of client/status.c: the status for a person and for a script, issue 10 item 5: server
 * messages, reasons, values and sources with control characters reach the terminal escaped. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cstorefx.h"
#include "error.h"
#include "home.h"
#include "i18n.h"
#include "status.h"
#include "testutil.h"

static __attribute__((noinline)) char *status_of(struct gt_home *h, int plain)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	assert_non_null(m);
	assert_int_equal(gt_status_print(h, m, plain), GT_OK);
	fclose(m);
	return out;
}

/* A home around the fixture's store, with hostile text in every place status shows. */
static void fill(struct gt_cstorefx *f, struct gt_home *h)
{
	struct gt_cstore_value v = gt_cstorefx_val("KK_LP", "202601", "", "\x1b[2J5");
	struct gt_cstore_outrow *rows;
	struct gt_cstore_action *acts;
	uint32_t idx = 0, conflicts;
	int64_t id;
	size_t n;

	memset(h, 0, sizeof(*h));
	h->st = f->st;
	snprintf(h->dir, sizeof(h->dir), "%s", f->dir);
	snprintf(h->db_path, sizeof(h->db_path), "%s", f->path);
	snprintf(h->server, sizeof(h->server), "127.0.0.1:7443");
	snprintf(h->org, sizeof(h->org), "53.71");
	snprintf(h->key_id, sizeof(h->key_id), "ab12cd34ef56ab78");
	snprintf(h->role, sizeof(h->role), "operator");
	v.source = "file\r.csv:2";
	assert_int_equal(gt_cstore_queue(f->st, &v, GT_CSTOREFX_NOW, NULL), GT_OK);
	assert_int_equal(gt_cstore_queued_take(f->st, 10, 1 << 20, &rows, &n), GT_OK);
	struct gt_cstore_batch b = {.seq = 1, .len = 3, .n_values = 1};
	b.bytes = (uint8_t *)"abc";
	assert_int_equal(gt_cstore_batch_save(f->st, &b, &rows[0].id, 1, GT_CSTOREFX_NOW), GT_OK);
	gt_cstore_outrows_free(rows, n);
	assert_int_equal(
	    gt_cstorefx_ack_conflict(f->st, 1, GTSYNC__V1__CONFLICT_REASON__CONFLICT_LOCKED_PERIOD,
	                             GTSYNC__V1__ITEM_KIND__ITEM_VALUE, &idx, 1,
	                             "locked\x1b]0;owned\x07 by \xc2\x9b"
	                             "53",
	                             &conflicts),
	    GT_OK);
	struct gt_cstore_action_in a = {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN,
	                                "KK",
	                                "2026",
	                                "53.71",
	                                "fix July\rAPPROVED\x07",
	                                NULL,
	                                0,
	                                NULL,
	                                NULL};
	assert_int_equal(gt_cstore_action_queue(f->st, &a, GT_CSTOREFX_NOW, &id), GT_OK);
	assert_int_equal(gt_cstore_actions_take(f->st, 10, &acts, &n), GT_OK);
	gt_cstore_actions_free(acts, n);
	assert_int_equal(gt_cstore_config_set(f->st, GT_CSTORE_CFG_LAST_ERROR, "busy\x1b[5m"),
	                 GT_OK);
}

static void test_escaped(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_home h;
	char *s;

	/* In English the server's own words are shown (escaped); in Indonesian the client's
	 * translation of their code (test_servermsg). */
	gt_i18n_use(GT_LANG_EN);

	fill(f, &h);
	s = status_of(&h, 0);
	if (gt_test_has_controls(s))
		fail_msg("the status holds a control character:\n%s", s);
	assert_non_null(strstr(s, "  conflict locked_period: locked\\x1b]0;owned\\x07 by "
	                          "\\u009b53\n"));
	assert_non_null(strstr(s, "    KK_LP 202601 53.71 - = \\x1b[2J5  (file\\r.csv:2, batch "
	                          "1)\n"));
	assert_non_null(strstr(s, "; reason: fix July\\rAPPROVED\\x07\n"));
	assert_non_null(strstr(s, "last error: busy\\x1b[5m\n"));
	free(s);

	s = status_of(&h, 1);
	if (gt_test_has_controls(s))
		fail_msg("the plain status holds a control character:\n%s", s);
	assert_non_null(strstr(s, "conflict reason=locked_period dataelement=KK_LP period=202601 "
	                          "orgunit=53.71 categoryoptioncombo=\"\" value=\"\\x1b[2J5\" "
	                          "source=\"file\\r.csv:2\" message=\"locked\\x1b]0;owned\\x07 "
	                          "by \\u009b53\"\n"));
	assert_non_null(strstr(s, "reason=\"fix July\\rAPPROVED\\x07\""));
	assert_non_null(strstr(s, "last_error=\"busy\\x1b[5m\"\n"));
	assert_non_null(strstr(s, "org=53.71\nkey_id=ab12cd34ef56ab78\nrole=operator\n"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_escaped, gt_cstorefx_setup, gt_cstorefx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
