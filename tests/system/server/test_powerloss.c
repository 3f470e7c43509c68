/* Power-loss test: kill -9 of the real server under load, then what it wrote without a sync is
 * undone (the test VFS, the journal's synced length) before it starts again. */
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
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "error.h"
#include "merkle.h"
#include "session.h"
#include "store.h"
#include "testserver.h"
#include "testvfs.h"
#include "wire.h"

#define CLIENTS    8
#define MAX_ACKS   4096 /* per client, over every round */
#define PER_ROUND  60   /* acknowledgements awaited before each kill */
#define DEADLINE_S 60   /* per round */

struct shared {
	pthread_mutex_t mu;
	char addr[64];
	char cert[GT_PATH_MAX];
	int acks; /* this round */
	int stop;
};

struct pclient {
	struct shared *sh;
	struct gt_key *key;
	char org[8];
	char period[8]; /* a month of 2024 of its own, so that no two clients share a value */
	uint64_t seq;   /* the next batch's sequence */
	struct gt_test_signed cur; /* the batch being sent (kept until acknowledged) */
	int have_cur;
	uint8_t (*acked)[GT_SHA256_LEN]; /* the hashes acknowledged, guarded by sh->mu */
	size_t nacked;
};

/* Makes the client's next batch: one value of KK_KORBAN, its revision the sequence. */
static void next_batch(struct pclient *c)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue v = GTSYNC__V1__DATA_VALUE__INIT, *vp = &v;
	char val[24];

	snprintf(val, sizeof(val), "%llu", (unsigned long long)c->seq);
	v.data_element = "KK_KORBAN";
	v.category_option_combo = "PD";
	v.org_unit = c->org;
	v.period = c->period;
	v.value = val;
	v.revision = c->seq;
	b.values = &vp;
	b.n_values = 1;
	gt_test_sign_batch(c->key, c->org, c->seq, &b, &c->cur);
	c->have_cur = 1;
}

/* Sends batches one after the other on one connection until it fails (the kill) or the round
 * stops; a batch not acknowledged is sent again, unchanged, in the next round. */
static void *client_main(void *arg)
{
	struct pclient *c = arg;
	struct gt_session_opts o = {.ca_path = c->sh->cert, .key = c->key, .timeout_ms = 5000};
	struct gt_session_err err;
	struct gt_session *s = NULL;

	o.server = c->sh->addr;
	if (gt_session_open(&o, &s, NULL, &err) != 0)
		return NULL;
	for (;;) {
		int stop;

		pthread_mutex_lock(&c->sh->mu);
		stop = c->sh->stop;
		pthread_mutex_unlock(&c->sh->mu);
		if (stop || c->nacked == MAX_ACKS)
			break;
		if (!c->have_cur)
			next_batch(c);
		if (gt_test_push_try(s, &c->cur) != 1)
			break;
		pthread_mutex_lock(&c->sh->mu);
		gt_crypto_sha256(c->cur.bytes, c->cur.len, c->acked[c->nacked++]);
		c->sh->acks++;
		pthread_mutex_unlock(&c->sh->mu);
		free(c->cur.bytes);
		c->have_cur = 0;
		c->seq++;
	}
	gt_session_close(s);
	return NULL;
}

static int count_found(void *arg, const struct gt_store_log_entry *e)
{
	(void)e;
	(*(int *)arg)++;
	return 0;
}

/* The acknowledged batches that the store on disk does not hold. */
static int missing_acked(const char *db, struct pclient *cl)
{
	struct gt_store *st;
	int missing = 0;

	assert_int_equal(gt_store_open_readonly(db, &st), 0);
	for (int i = 0; i < CLIENTS; i++) {
		for (size_t j = 0; j < cl[i].nacked; j++) {
			int n = 0, rc = gt_store_log_find(st, cl[i].acked[j], count_found, &n);
			assert_true(rc == GT_OK || rc == GT_ENOENT);
			missing += rc == GT_ENOENT || n == 0;
		}
	}
	gt_store_close(st);
	return missing;
}

/* Whether the store's tree still has root at size, and its head extends it. */
static int tree_extends(const char *db, uint64_t size, const uint8_t root[GT_MERKLE_HASH_LEN])
{
	uint8_t now[GT_MERKLE_HASH_LEN], head[GT_MERKLE_HASH_LEN];
	uint8_t proof[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN];
	uint64_t hsize = 0;
	size_t n = 0;
	struct gt_store *st;
	int ok;

	assert_int_equal(gt_store_open_readonly(db, &st), 0);
	ok = gt_store_tree_head(st, &hsize, head) == GT_OK && hsize >= size &&
	     gt_store_tree_root(st, size, now) == GT_OK && memcmp(now, root, sizeof(now)) == 0 &&
	     gt_store_tree_consistency(st, size, hsize, proof, &n) == GT_OK &&
	     gt_merkle_consistency_verify(size, hsize, root, head, (const uint8_t(*)[32])proof,
	                                  n) == GT_OK;
	gt_store_close(st);
	return ok;
}

/* Runs rounds of load, kill -9 and power loss with the environment's hooks (env, NULL
 * terminated name=value pairs) and returns the acknowledged batches missing afterwards in
 * the worst round; *tree_ok says whether every tree head read at a kill was kept. */
static int power_loss_rounds(int rounds, const char *const *env, int *tree_ok, int *replays)
{
	struct gt_testserver ts;
	struct shared sh = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct pclient *cl = calloc(CLIENTS, sizeof(*cl));
	static const char *const orgs[] = {"53.71", "53.72", "36.01", "36.71"};
	char db[GT_PATH_MAX];
	unsigned seed = (unsigned)getpid();
	int worst = 0;

	signal(SIGPIPE, SIG_IGN);
	setenv("GTSYNC_TEST_POWERLOSS", "1", 1);
	for (const char *const *e = env; *e != NULL; e += 2)
		setenv(e[0], e[1], 1);
	gt_testserver_setup(&ts);
	snprintf(db, sizeof(db), "%s/gtsync.db", ts.data);
	snprintf(sh.cert, sizeof(sh.cert), "%s", ts.cert);
	for (int i = 0; i < CLIENTS; i++) {
		cl[i].sh = &sh;
		cl[i].seq = 1;
		snprintf(cl[i].org, sizeof(cl[i].org), "%s", orgs[i % 4]);
		snprintf(cl[i].period, sizeof(cl[i].period), "2024%02d", i + 1);
		cl[i].key = gt_testserver_key(&ts, cl[i].org, "operator");
		cl[i].acked = calloc(MAX_ACKS, GT_SHA256_LEN);
	}
	*tree_ok = 1;
	gt_testserver_start(&ts, NULL);
	/* 2024 is past KK's expiry: opened for late entry, so that every value applies. */
	gt_testserver_open_late(&ts, "53.71 53.72 36.01 36.71", "2024");
	for (int r = 0; r < rounds; r++) {
		pthread_t th[CLIENTS];
		uint8_t root[GT_MERKLE_HASH_LEN];
		uint64_t size = 0;
		time_t start = time(NULL);
		struct gt_store *st;
		int missing;

		snprintf(sh.addr, sizeof(sh.addr), "%s", ts.addr);
		sh.acks = 0;
		sh.stop = 0;
		for (int i = 0; i < CLIENTS; i++)
			assert_int_equal(pthread_create(&th[i], NULL, client_main, &cl[i]), 0);
		/* A random moment while batches are being acknowledged. */
		for (int acks = 0; acks < PER_ROUND && time(NULL) - start < DEADLINE_S;) {
			usleep(1000);
			pthread_mutex_lock(&sh.mu);
			acks = sh.acks;
			pthread_mutex_unlock(&sh.mu);
		}
		usleep((useconds_t)(rand_r(&seed) % 20) * 1000);
		gt_testserver_kill(&ts);
		pthread_mutex_lock(&sh.mu);
		sh.stop = 1;
		pthread_mutex_unlock(&sh.mu);
		for (int i = 0; i < CLIENTS; i++)
			pthread_join(th[i], NULL);
		/* The newest tree any reader (or a signed head) could have seen. */
		assert_int_equal(gt_store_open_readonly(db, &st), 0);
		assert_int_equal(gt_store_tree_head(st, &size, root), 0);
		gt_store_close(st);
		assert_int_equal(gt_testvfs_power_off(ts.data), 0);
		gt_testserver_start(&ts, NULL);
		missing = missing_acked(db, cl);
		if (!tree_extends(db, size, root))
			*tree_ok = 0;
		fprintf(stderr, "round %d: %d acknowledged this round, %d missing, tree %s\n",
		        r + 1, sh.acks, missing, *tree_ok ? "kept" : "NOT kept");
		if (missing > worst)
			worst = missing;
	}
	*replays = gt_testserver_log_count(&ts, "journal_replayed");
	assert_int_equal(gt_testserver_stop(&ts), 0);
	for (int i = 0; i < CLIENTS; i++) {
		if (cl[i].have_cur)
			free(cl[i].cur.bytes);
		free(cl[i].acked);
		gt_key_free(cl[i].key);
	}
	free(cl);
	gt_testserver_teardown(&ts);
	for (const char *const *e = env; *e != NULL; e += 2)
		unsetenv(e[0]);
	unsetenv("GTSYNC_TEST_POWERLOSS");
	return worst;
}

/* Every acknowledged batch survives, the tree byte for byte, and the journal did the work:
 * the power losses undid sqlite commits that replay brought back. */
static void acked_batches_survive_power_loss(void **state)
{
	static const char *const env[] = {NULL};
	int tree_ok = 0, replays = 0;
	(void)state;

	assert_int_equal(power_loss_rounds(4, env, &tree_ok, &replays), 0);
	assert_true(tree_ok);
	assert_true(replays > 0);
	fprintf(stderr, "replays after power loss: %d\n", replays);
}

/* Whether a one-round run with the hooks env loses acknowledged batches, in one of three
 * tries: a kill right after one of sqlite's checkpoints (which sync) may find nothing unsynced
 * to lose. */
static int lost_in_one_of_three(const char *const *env, int *tree_ok, int *replays)
{
	for (int i = 0; i < 3; i++) {
		*tree_ok = 1;
		if (power_loss_rounds(1, env, tree_ok, replays) > 0)
			return 1;
	}
	return 0;
}

/* The controls: without replay, or without the journal's fdatasync, the same power loss loses
 * acknowledged batches, so the test above can fail. */
static void without_replay_batches_are_lost(void **state)
{
	static const char *const env[] = {"GTSYNC_TEST_NOREPLAY", "1", NULL};
	int tree_ok = 1, replays = 0;
	(void)state;

	assert_true(lost_in_one_of_three(env, &tree_ok, &replays));
	assert_false(tree_ok);
	assert_int_equal(replays, 0);
}

static void without_fdatasync_batches_are_lost(void **state)
{
	static const char *const env[] = {"GTSYNC_TEST_BLOG_NOSYNC", "1", NULL};
	int tree_ok = 1, replays = 0;
	(void)state;

	assert_true(lost_in_one_of_three(env, &tree_ok, &replays));
	assert_false(tree_ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(acked_batches_survive_power_loss),
	    cmocka_unit_test(without_replay_batches_are_lost),
	    cmocka_unit_test(without_fdatasync_batches_are_lost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
