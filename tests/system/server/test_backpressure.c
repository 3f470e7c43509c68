/* Issue 17, memory: received pushes that wait for admission are bounded for the whole server
 * (--max-waiting-mib). Sixteen clients push large batches at once against a bound of 1 MiB:
 * the server stops reading (reads_held), resumes when half is free (reads_resumed), and every
 * batch is still acknowledged: the bound slows senders down, it never refuses or loses. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <signal.h>

#include "error.h"
#include "testserver.h"

#define CLIENTS 16
#define BATCHES 4
/* Values per batch: about 300 KiB each, so that sixteen in flight are several MiB. */
#define VALUES 8000

struct client {
	struct gt_testserver *ts;
	struct gt_key *key;
	char org[16];
	int acked; /* batches acknowledged with a PushAck that is not a refusal */
	int failed;
};

static void *client_main(void *arg)
{
	struct client *cl = arg;
	struct gt_session *s = gt_testserver_session(cl->ts, cl->key, NULL);
	Gtsync__V1__DataValue *v = calloc(VALUES, sizeof(*v));
	Gtsync__V1__DataValue **vp = calloc(VALUES, sizeof(*vp));
	char(*vals)[16] = calloc(VALUES, sizeof(*vals));
	char(*periods)[8] = calloc(VALUES, sizeof(*periods));

	if (s == NULL || v == NULL || vp == NULL || vals == NULL || periods == NULL) {
		cl->failed = 1;
		goto out;
	}
	for (int b = 0; b < BATCHES; b++) {
		gt_batch batch = GTSYNC__V1__BATCH__INIT;
		struct gt_test_signed sb;
		for (int i = 0; i < VALUES; i++) {
			gtsync__v1__data_value__init(&v[i]);
			snprintf(vals[i], sizeof(vals[i]), "%d", i % 97);
			/* Periods far in the past: each value is skipped with a conflict (expired),
			 * which is work for the writer all the same. */
			snprintf(periods[i], sizeof(periods[i]), "%04d%02d", 1990 + i / 12 % 30,
			         i % 12 + 1);
			v[i].data_element = "KK_LP";
			v[i].category_option_combo = "";
			v[i].org_unit = cl->org;
			v[i].period = periods[i];
			v[i].value = vals[i];
			v[i].revision = (uint64_t)b + 1;
			vp[i] = &v[i];
		}
		batch.values = vp;
		batch.n_values = VALUES;
		gt_test_sign_batch(cl->key, cl->org, (uint64_t)b + 1, &batch, &sb);
		gt_envelope *ack = gt_test_push(s, &sb);
		free(sb.bytes);
		if (ack->push_ack->status != GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED)
			cl->acked++;
		gt_wire_envelope_free(ack);
	}
out:
	gt_session_close(s);
	free(v);
	free(vp);
	free(vals);
	free(periods);
	return NULL;
}

static void received_pushes_are_bounded_and_all_acknowledged(void **state)
{
	static const char *const orgs[] = {"53.71", "53.72", "36.01", "36.71"};
	const char *extra[] = {"--max-waiting-mib", "1", "--max-values", "20000", NULL};
	struct client cl[CLIENTS];
	pthread_t th[CLIENTS];
	struct gt_testserver ts;
	(void)state;

	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&ts);
	for (int i = 0; i < CLIENTS; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].ts = &ts;
		snprintf(cl[i].org, sizeof(cl[i].org), "%s", orgs[i % 4]);
		cl[i].key = gt_testserver_key(&ts, cl[i].org, "operator");
	}
	gt_testserver_start(&ts, extra);
	for (int i = 0; i < CLIENTS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, client_main, &cl[i]), 0);
	for (int i = 0; i < CLIENTS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < CLIENTS; i++) {
		assert_false(cl[i].failed);
		assert_int_equal(cl[i].acked, BATCHES);
	}
	assert_true(gt_testserver_log_count(&ts, "reads_held") >= 1);
	assert_true(gt_testserver_log_count(&ts, "reads_resumed") >= 1);
	assert_int_equal(gt_testserver_stop(&ts), 0);
	for (int i = 0; i < CLIENTS; i++)
		gt_key_free(cl[i].key);
	gt_testserver_teardown(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(received_pushes_are_bounded_and_all_acknowledged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
