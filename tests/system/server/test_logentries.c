/* Integration (issue 14, gtsync verify): the real server answers LogEntriesRequest with the
 * signed batches of a subtree's units that hold values of a data set within a period and the
 * key records of those units' keys, in leaf order and paged; each entry is the leaf the tree
 * hashes; the key's scope is enforced on the server, reader keys are refused, and every page
 * served is in the read log. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <signal.h>

#include "crypto.h"
#include "error.h"
#include "key.h"
#include "logleaf.h"
#include "session.h"
#include "testserver.h"
#include "wire.h"

struct fx {
	struct gt_testserver ts;
	struct gt_key *op1, *op2, *agg, *reader, *other;
	uint8_t server_pub[GT_ED25519_PUB_LEN];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&f->ts);
	f->op1 = gt_testserver_key(&f->ts, "53.71", "operator");
	f->op2 = gt_testserver_key(&f->ts, "53.72", "operator");
	f->agg = gt_testserver_key(&f->ts, "53", "aggregator");
	f->reader = gt_testserver_key(&f->ts, "53", "reader");
	f->other = gt_testserver_key(&f->ts, "36.01", "operator");
	gt_testserver_signing_pub(&f->ts, f->server_pub);
	gt_testserver_start(&f->ts, NULL);
	gt_testserver_open_late(&f->ts, "53.71 53.72 36.01", "2024");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	gt_testserver_teardown(&f->ts);
	gt_key_free(f->op1);
	gt_key_free(f->op2);
	gt_key_free(f->agg);
	gt_key_free(f->reader);
	gt_key_free(f->other);
	free(f);
	return 0;
}

/* Pushes one KK_KORBAN value of period for org as k's batch seq. */
static void push_one(struct gt_testserver *ts, const struct gt_key *k, const char *org,
                     uint64_t seq, const char *period)
{
	struct gt_session *s = gt_testserver_session(ts, k, NULL);

	gt_test_push_value(s, k, org, seq, period, "2", NULL);
	gt_session_close(s);
}

/* Asks k's session for a page; returns the reply (caller frees). */
static gt_envelope *ask(struct gt_session *s, const char *org, const char *ds, const char *period,
                        uint64_t tree_size, uint64_t start, uint32_t max)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
	Gtsync__V1__LogEntriesRequest rq = GTSYNC__V1__LOG_ENTRIES_REQUEST__INIT;
	struct gt_session_err err;

	rq.org_unit = (char *)org;
	rq.dataset = (char *)ds;
	rq.period = (char *)period;
	rq.tree_size = tree_size;
	rq.start_leaf = start;
	rq.max_entries = max;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_LOG_ENTRIES_REQUEST;
	env.log_entries_request = &rq;
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	return reply;
}

static void refused(struct gt_session *s, const char *org, const char *ds, const char *period,
                    uint64_t tree_size, int code)
{
	gt_envelope *r = ask(s, org, ds, period, tree_size, 0, 0);

	assert_int_equal(r->body_case, GTSYNC__V1__ENVELOPE__BODY_ERROR);
	assert_int_equal(r->error->code, code);
	gt_wire_envelope_free(r);
}

/* What a walk over every page found. */
struct walk {
	uint64_t leaves[64];
	size_t n, batches, keys, pages;
};

static void walk(struct gt_session *s, const char *period, uint32_t max, struct walk *w,
                 const uint8_t server_pub[GT_ED25519_PUB_LEN])
{
	uint64_t start = 0;
	int more = 1;

	memset(w, 0, sizeof(*w));
	while (more) {
		gt_envelope *r = ask(s, "53", "KK", period, 0, start, max);
		const Gtsync__V1__LogEntriesReply *lr;

		assert_int_equal(r->body_case, GTSYNC__V1__ENVELOPE__BODY_LOG_ENTRIES_REPLY);
		lr = r->log_entries_reply;
		assert_true(lr->n_entries <= max);
		assert_true(lr->next_leaf > start);
		for (size_t i = 0; i < lr->n_entries; i++) {
			const Gtsync__V1__LogEntry *e = lr->entries[i];
			struct gt_logleaf_keyinfo k;
			uint8_t hash[GT_SHA256_LEN];

			assert_true(w->n == 0 || e->leaf_index > w->leaves[w->n - 1]);
			assert_true(e->leaf_index >= start && e->leaf_index < lr->next_leaf);
			assert_true(w->n < 64);
			w->leaves[w->n++] = e->leaf_index;
			assert_true(e->leaf_entry.len > 0);
			if (e->leaf_entry.data[0] == GT_LOGLEAF_KEY) {
				/* Only the subtree's keys, each signed by the centre. */
				assert_int_equal(gt_logleaf_key_verify(e->leaf_entry.data,
				                                       e->leaf_entry.len,
				                                       server_pub),
				                 0);
				assert_int_equal(
				    gt_logleaf_key_parse(e->leaf_entry.data, e->leaf_entry.len, &k),
				    0);
				assert_int_equal(gt_orgunit_contains("53", k.org_unit), 1);
				w->keys++;
				continue;
			}
			/* A batch: its bytes are the ones whose hash the entry holds. */
			assert_int_equal(e->leaf_entry.len, GT_LOGLEAF_BATCH_MAX);
			assert_int_equal(gt_crypto_sha256(e->batch.data, e->batch.len, hash), 0);
			assert_memory_equal(hash, e->leaf_entry.data + 1, GT_SHA256_LEN);
			w->batches++;
		}
		more = lr->more;
		start = lr->next_leaf;
		w->pages++;
		gt_wire_envelope_free(r);
	}
}

static void entries_paged_and_scoped(void **state)
{
	struct fx *f = *state;
	struct gt_session *s;
	struct walk all, paged, jan;
	char id[GT_KEY_ID_LEN + 1], cmd[4600], line[512];
	int found = 0;

	push_one(&f->ts, f->op1, "53.71", 1, "202401");
	push_one(&f->ts, f->op1, "53.71", 2, "202402");
	push_one(&f->ts, f->op2, "53.72", 1, "202401");
	push_one(&f->ts, f->other, "36.01", 1, "202401"); /* another province */
	s = gt_testserver_session(&f->ts, f->agg, NULL);
	walk(s, "2024", 256, &all, f->server_pub);
	/* The three batches of 53's units, the four keys of 53's units; not 36.01's. */
	assert_int_equal(all.batches, 3);
	assert_int_equal(all.keys, 4);
	/* One entry a page: the same entries, in the same order. */
	walk(s, "2024", 1, &paged, f->server_pub);
	assert_int_equal(paged.n, all.n);
	assert_memory_equal(paged.leaves, all.leaves, all.n * sizeof(all.leaves[0]));
	assert_true(paged.pages >= all.n);
	/* A month: only the batches with its values. */
	walk(s, "202401", 256, &jan, f->server_pub);
	assert_int_equal(jan.batches, 2);
	/* Errors: a tree beyond the log, an unknown data set, a period finer than the set's. */
	refused(s, "53", "KK", "2024", 100000, GT_EINVAL);
	refused(s, "53", "XX", "2024", 0, GT_ENOENT);
	refused(s, "53", "KK", "2024W01", 0, GT_EINVAL);
	/* Outside the aggregator's subtree. */
	refused(s, "36", "KK", "2024", 0, GT_EPERM);
	gt_session_close(s);
	/* A district's operator reads its own unit only. */
	s = gt_testserver_session(&f->ts, f->op1, NULL);
	refused(s, "53", "KK", "2024", 0, GT_EPERM);
	gt_wire_envelope_free(ask(s, "53.71", "KK", "2024", 0, 0, 0));
	gt_session_close(s);
	/* A reader key gets consolidated reports only, whatever its client does. */
	s = gt_testserver_session(&f->ts, f->reader, NULL);
	refused(s, "53", "KK", "2024", 0, GT_EPERM);
	gt_session_close(s);
	/* Every page served is in the read log, as kind "log". */
	assert_int_equal(gt_key_id(f->agg, id), 0);
	snprintf(cmd, sizeof(cmd), "%s/server/gtsync-server audit reads --data '%s' --key %s",
	         GT_BINARY_DIR, f->ts.data, id);
	for (int tries = 0; tries < 50 && !found; tries++) {
		FILE *p = popen(cmd, "r");

		assert_non_null(p);
		while (fgets(line, sizeof(line), p) != NULL)
			if (strstr(line, id) != NULL && strstr(line, " log ") != NULL &&
			    strstr(line, "KK") != NULL && strstr(line, "2024") != NULL)
				found = 1;
		assert_int_equal(pclose(p), 0);
		if (!found)
			usleep(100000);
	}
	assert_true(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(entries_paged_and_scoped, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
