/* Crash test: kill -9 of the real server at random moments during a 50-client load, 20 times. */
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
#include <unistd.h>

#include "crypto.h"
#include "error.h"
#include "session.h"
#include "store.h"
#include "testserver.h"
#include "wire.h"

#define CLIENTS    50
#define BATCHES    24 /* per client */
#define VALUES     12 /* per batch: one per month of a year */
#define KILLS      20
#define DEADLINE_S 240 /* the whole test, bounded */

struct batch {
	struct gt_test_signed sb;
	uint8_t hash[32];
	int acked;
};

struct shared {
	pthread_mutex_t mu;
	char addr[64];
	char cert[GT_PATH_MAX];
	int stop;
};

struct client {
	struct shared *sh;
	struct gt_key *key;
	char org[8];
	struct batch b[BATCHES];
	int next; /* first batch not yet acknowledged */
	int reconnects;
};

/* Batch i of a client: KK_LP for its org, one value per month of year 2000+i. */
static void make_batch(struct client *c, int i)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue v[VALUES], *vp[VALUES];
	char periods[VALUES][8], vals[VALUES][8];
	struct batch *out = &c->b[i];

	for (int m = 0; m < VALUES; m++) {
		gtsync__v1__data_value__init(&v[m]);
		snprintf(periods[m], sizeof(periods[m]), "%d%02d", 2000 + i, m + 1);
		snprintf(vals[m], sizeof(vals[m]), "%d", i + m + 1);
		v[m].data_element = "KK_LP";
		v[m].org_unit = c->org;
		v[m].period = periods[m];
		v[m].value = vals[m];
		v[m].revision = 1;
		vp[m] = &v[m];
	}
	b.values = vp;
	b.n_values = VALUES;
	gt_test_sign_batch(c->key, c->org, (uint64_t)i + 1, &b, &out->sb);
	gt_crypto_sha256(out->sb.bytes, out->sb.len, out->hash);
}

/* Pushes every batch in order until each is acknowledged, reconnecting after any failure,
 * like a district client that keeps its saved batches and resends them. */
static void *client_main(void *arg)
{
	struct client *c = arg;
	struct gt_session *s = NULL;

	for (int attempt = 0; attempt < 100000 && c->next < BATCHES; attempt++) {
		struct gt_session_err err;
		if (s == NULL) {
			struct gt_session_opts o = {
			    .ca_path = c->sh->cert, .key = c->key, .timeout_ms = 5000};
			char addr[64];
			pthread_mutex_lock(&c->sh->mu);
			snprintf(addr, sizeof(addr), "%s", c->sh->addr);
			int stop = c->sh->stop;
			pthread_mutex_unlock(&c->sh->mu);
			if (stop)
				break;
			o.server = addr;
			if (gt_session_open(&o, &s, NULL, &err) != 0) {
				s = NULL;
				usleep(20 * 1000);
				continue;
			}
			c->reconnects++;
		}
		struct batch *b = &c->b[c->next];
		int acked = gt_test_push_try(s, &b->sb);
		if (acked < 0) {
			gt_session_close(s);
			s = NULL;
			continue;
		}
		if (acked) {
			pthread_mutex_lock(&c->sh->mu);
			b->acked = 1;
			pthread_mutex_unlock(&c->sh->mu);
			c->next++;
		} else {
			/* Anything else (a refusal during shutdown) is retried. */
			usleep(10 * 1000);
		}
	}
	gt_session_close(s);
	return NULL;
}

struct found {
	int n;
};

static int count_found(void *arg, const struct gt_store_log_entry *e)
{
	(void)e;
	((struct found *)arg)->n++;
	return 0;
}

static int count_client_batches(void *arg, const struct gt_store_log_entry *e)
{
	if (strcmp(e->org_unit, "ID") != 0)
		((struct found *)arg)->n++;
	return 0;
}

/* Every batch acknowledged so far is in the log on disk. */
static void check_acked_present(const char *db, struct client *cl, struct shared *sh)
{
	struct gt_store *st;
	int checked = 0;

	assert_int_equal(gt_store_open_readonly(db, &st), 0);
	for (int i = 0; i < CLIENTS; i++) {
		for (int j = 0; j < BATCHES; j++) {
			pthread_mutex_lock(&sh->mu);
			int acked = cl[i].b[j].acked;
			pthread_mutex_unlock(&sh->mu);
			if (!acked)
				continue;
			struct found f = {0};
			assert_int_equal(gt_store_log_find(st, cl[i].b[j].hash, count_found, &f),
			                 0);
			assert_int_equal(f.n, 1);
			checked++;
		}
	}
	gt_store_close(st);
	(void)checked;
}

static void kill9_during_load(void **state)
{
	struct gt_testserver ts;
	struct shared sh = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct client *cl = calloc(CLIENTS, sizeof(*cl));
	pthread_t th[CLIENTS];
	char db[GT_PATH_MAX];
	time_t start = time(NULL);
	unsigned seed = (unsigned)getpid();
	int mid_load = 0, late = 0;
	(void)state;

	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&ts);
	snprintf(db, sizeof(db), "%s/gtsync.db", ts.data);
	snprintf(sh.cert, sizeof(sh.cert), "%s", ts.cert);
	static const char *const orgs[] = {"53.71", "53.72", "36.01", "36.71"};
	for (int i = 0; i < CLIENTS; i++) {
		cl[i].sh = &sh;
		snprintf(cl[i].org, sizeof(cl[i].org), "%s", orgs[i % 4]);
		cl[i].key = gt_testserver_key(&ts, cl[i].org, "operator");
		for (int j = 0; j < BATCHES; j++)
			make_batch(&cl[i], j);
		cl[i].b[0].acked = 0;
	}
	const char *extra[] = {"--max-conns-per-key", "4", NULL};
	gt_testserver_start(&ts, extra);
	/* The batches carry 2000-2023, past KK's expiry: opened for late entry, so that every
	 * value applies (the chain's signed path for historical entry). */
	char years[256] = "";
	for (int y = 2000; y < 2000 + BATCHES; y++)
		snprintf(years + strlen(years), sizeof(years) - strlen(years), "%d ", y);
	gt_testserver_open_late(&ts, "53.71 53.72 36.01 36.71", years);
	pthread_mutex_lock(&sh.mu);
	snprintf(sh.addr, sizeof(sh.addr), "%s", ts.addr);
	pthread_mutex_unlock(&sh.mu);
	for (int i = 0; i < CLIENTS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, client_main, &cl[i]), 0);

	for (int k = 0; k < KILLS; k++) {
		/* A random moment while the load runs: once a further slice of the batches is
		 * acknowledged, plus 0 to 30 ms. */
		int target = (k + 1) * CLIENTS * BATCHES / (KILLS + 2), acked = 0;
		while (time(NULL) - start < DEADLINE_S) {
			acked = 0;
			pthread_mutex_lock(&sh.mu);
			for (int i = 0; i < CLIENTS; i++)
				for (int j = 0; j < BATCHES; j++)
					acked += cl[i].b[j].acked;
			pthread_mutex_unlock(&sh.mu);
			if (acked >= target)
				break;
			usleep(2 * 1000);
		}
		usleep((useconds_t)(rand_r(&seed) % 30) * 1000);
		gt_testserver_kill(&ts);
		acked = 0;
		pthread_mutex_lock(&sh.mu);
		for (int i = 0; i < CLIENTS; i++)
			for (int j = 0; j < BATCHES; j++)
				acked += cl[i].b[j].acked;
		pthread_mutex_unlock(&sh.mu);
		if (acked < CLIENTS * BATCHES)
			mid_load++;
		fprintf(stderr, "kill %d: %d of %d batches acknowledged\n", k + 1, acked,
		        CLIENTS * BATCHES);
		/* After the crash, every acknowledged batch is on disk. */
		check_acked_present(db, cl, &sh);
		gt_testserver_start(&ts, extra);
		pthread_mutex_lock(&sh.mu);
		snprintf(sh.addr, sizeof(sh.addr), "%s", ts.addr);
		pthread_mutex_unlock(&sh.mu);
		if (time(NULL) - start >= DEADLINE_S) {
			late = 1; /* checked once the client threads are joined */
			break;
		}
	}
	/* Clients resume and finish (bounded by the deadline). */
	for (int i = 0; i < CLIENTS; i++) {
		while (cl[i].next < BATCHES && time(NULL) - start < DEADLINE_S)
			usleep(50 * 1000);
	}
	pthread_mutex_lock(&sh.mu);
	sh.stop = 1;
	pthread_mutex_unlock(&sh.mu);
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(th[i], NULL);
	/* Asserted only now: a failed assertion leaves the test, and the client threads must not
	 * outlive the fixture they use. */
	assert_false(late);
	/* The kills landed while batches were still being sent. */
	assert_true(mid_load >= KILLS - 2);
	for (int i = 0; i < CLIENTS; i++)
		assert_int_equal(cl[i].next, BATCHES);
	assert_int_equal(gt_testserver_stop(&ts), 0);

	/* Exactly once: the log holds the clients' CLIENTS * BATCHES batches, each once (and the
	 * secretariat's openings, signed at ID). */
	struct gt_store *st;
	struct found clients = {0};
	assert_int_equal(gt_store_open_readonly(db, &st), 0);
	assert_int_equal(gt_store_log_foreach(st, 0, count_client_batches, &clients), 0);
	assert_int_equal(clients.n, CLIENTS * BATCHES);
	gt_store_close(st);
	check_acked_present(db, cl, &sh);
	/* Every logged signature verifies again, and the tables rebuild from the log. */
	const char *rebuild[] = {"rebuild", NULL};
	assert_int_equal(gt_testserver_admin(&ts, rebuild), 0);

	for (int i = 0; i < CLIENTS; i++) {
		for (int j = 0; j < BATCHES; j++)
			free(cl[i].b[j].sb.bytes);
		gt_key_free(cl[i].key);
	}
	free(cl);
	gt_testserver_teardown(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kill9_during_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
