/* Tests of the client store: settings, outbox revisions, batches, acks, refusals, replica. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cstore.h"
#include "error.h"
#include "fileio.h"
#include "testutil.h"

#define NOW 1795435200000LL

struct fx {
	char *dir;
	char path[1024];
	struct gt_cstore *st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->dir = gt_test_tmpdir("cstore");
	snprintf(f->path, sizeof(f->path), "%s/client.db", f->dir);
	if (gt_cstore_create(f->path, &f->st) != GT_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	gt_cstore_close(f->st);
	gt_test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static struct gt_cstore_value val(const char *de, const char *period, const char *coc,
                                  const char *value)
{
	struct gt_cstore_value v = {de, period, "53.71", coc, value, "", "", "test", 0};
	return v;
}

static void status(struct gt_cstore *st, struct gt_cstore_status *s)
{
	assert_int_equal(gt_cstore_status(st, s), GT_OK);
}

static void test_open_and_settings(void **state)
{
	struct fx *f = *state;
	struct gt_cstore *other = NULL;
	char buf[64], bad[1024];
	uint64_t v = 99;
	FILE *fp;

	assert_int_equal(gt_cstore_create(f->path, &other), GT_EEXIST);
	assert_null(other);
	assert_int_equal(gt_cstore_open("/nonexistent/client.db", &other), GT_ENOENT);
	snprintf(bad, sizeof(bad), "%s/bad.db", f->dir);
	fp = fopen(bad, "w");
	fputs("this is not a database, but it is long enough to look like a file header....", fp);
	fclose(fp);
	assert_int_not_equal(gt_cstore_open(bad, &other), GT_OK);
	assert_null(other);

	assert_int_equal(gt_cstore_config_get(f->st, "server", buf, sizeof(buf)), GT_ENOENT);
	assert_string_equal(buf, "");
	assert_int_equal(gt_cstore_config_get_u64(f->st, "n", &v), GT_OK);
	assert_int_equal(v, 0);
	assert_int_equal(gt_cstore_config_set(f->st, "server", "127.0.0.1:7443"), GT_OK);
	assert_int_equal(gt_cstore_config_set_u64(f->st, "n", 1234567890123ull), GT_OK);
	gt_cstore_close(f->st);
	assert_int_equal(gt_cstore_open(f->path, &f->st), GT_OK);
	assert_int_equal(gt_cstore_config_get(f->st, "server", buf, sizeof(buf)), GT_OK);
	assert_string_equal(buf, "127.0.0.1:7443");
	assert_int_equal(gt_cstore_config_get(f->st, "server", buf, 5), GT_ETOOBIG);
	assert_int_equal(gt_cstore_config_get_u64(f->st, "n", &v), GT_OK);
	assert_int_equal(v, 1234567890123ull);
	assert_int_equal(gt_cstore_config_get_u64(f->st, "server", &v), GT_ECORRUPT);
}

/* Revisions rise above what is known and at least to the clock; a queued change of the same
 * key is replaced; an unchanged value queues nothing. */
static void test_queue_revisions(void **state)
{
	struct fx *f = *state;
	struct gt_cstore_value v = val("KK_LP", "202607", "", "3");
	struct gt_cstore_outrow *rows;
	struct gt_cstore_status s;
	size_t n;
	int what;

	assert_int_equal(gt_cstore_queue(f->st, &v, NOW, &what), GT_OK);
	assert_int_equal(what, GT_CSTORE_NEW);
	assert_int_equal(gt_cstore_queue(f->st, &v, NOW + 1, &what), GT_OK);
	assert_int_equal(what, GT_CSTORE_UNCHANGED);
	v.value = "4";
	assert_int_equal(gt_cstore_queue(f->st, &v, 5, &what), GT_OK); /* a clock gone back */
	assert_int_equal(what, GT_CSTORE_REPLACED);
	status(f->st, &s);
	assert_int_equal(s.values[GT_CSTORE_QUEUED], 1);
	assert_int_equal(gt_cstore_queued_take(f->st, 10, 1000, &rows, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].value, "4");
	assert_int_equal(rows[0].revision, NOW + 1); /* above the replaced revision */
	struct gt_cstore_batch b = {.seq = 1, .bytes = (uint8_t *)"x", .len = 1, .n_values = 1};
	assert_int_equal(gt_cstore_batch_save(f->st, &b, &rows[0].id, 1, NOW), GT_OK);
	gt_cstore_outrows_free(rows, n);
	/* Once batched, a new value is a new change with a higher revision. */
	v.value = "5";
	assert_int_equal(gt_cstore_queue(f->st, &v, NOW, &what), GT_OK);
	assert_int_equal(what, GT_CSTORE_NEW);
	assert_int_equal(gt_cstore_queued_take(f->st, 10, 1000, &rows, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].revision, NOW + 2);
	gt_cstore_outrows_free(rows, n);
	/* The same as the batched value: unchanged. */
	v.value = "4";
	assert_int_equal(gt_cstore_queue(f->st, &v, NOW, &what), GT_OK);
	assert_int_equal(what, GT_CSTORE_REPLACED); /* the queued 5 becomes 4 again */
	status(f->st, &s);
	assert_int_equal(s.values[GT_CSTORE_QUEUED], 1);
	assert_int_equal(s.values[GT_CSTORE_BATCHED], 1);
	assert_int_equal(gt_cstore_unsent(f->st, &s.replica_values), GT_OK);
	assert_int_equal(s.replica_values, 2);
}

static void test_take_limits(void **state)
{
	struct fx *f = *state;
	struct gt_cstore_outrow *rows;
	char period[8];
	size_t n;

	for (int m = 1; m <= 9; m++) {
		snprintf(period, sizeof(period), "20260%d", m);
		struct gt_cstore_value v = val("KK_LP", period, "", "1234567890");
		assert_int_equal(gt_cstore_queue(f->st, &v, NOW, NULL), GT_OK);
	}
	assert_int_equal(gt_cstore_queued_take(f->st, 4, 1 << 20, &rows, &n), GT_OK);
	assert_int_equal(n, 4);
	assert_string_equal(rows[0].period, "202601");
	assert_string_equal(rows[3].period, "202604");
	gt_cstore_outrows_free(rows, n);
	/* Each row holds 5+6+5+0+10 = 26 bytes of text: a budget of 60 takes two. */
	assert_int_equal(gt_cstore_queued_take(f->st, 100, 60, &rows, &n), GT_OK);
	assert_int_equal(n, 2);
	gt_cstore_outrows_free(rows, n);
	/* The first row is taken even when over the budget. */
	assert_int_equal(gt_cstore_queued_take(f->st, 100, 1, &rows, &n), GT_OK);
	assert_int_equal(n, 1);
	gt_cstore_outrows_free(rows, n);
	assert_int_equal(gt_cstore_queued_take(f->st, 0, 1, &rows, &n), GT_OK);
	assert_int_equal(n, 0);
	assert_null(rows);
}

/* Queues n values and saves them as batch seq; returns nothing. */
static void make_batch(struct gt_cstore *st, uint64_t seq, int n, const char *tag)
{
	struct gt_cstore_outrow *rows;
	int64_t ids[64];
	size_t got;
	char period[8], value[32];

	for (int i = 0; i < n; i++) {
		/* Each batch its own year, so batches never share a key. */
		snprintf(period, sizeof(period), "%04d%02d", 2000 + (int)seq, i + 1);
		snprintf(value, sizeof(value), "%s%d", tag, i);
		struct gt_cstore_value v = val("GT_CATATAN", period, "", value);
		assert_int_equal(gt_cstore_queue(st, &v, NOW, NULL), GT_OK);
	}
	assert_int_equal(gt_cstore_queued_take(st, (size_t)n, 1 << 20, &rows, &got), GT_OK);
	assert_int_equal(got, (size_t)n);
	for (size_t i = 0; i < got; i++)
		ids[i] = rows[i].id;
	struct gt_cstore_batch b = {.seq = seq, .len = 3, .n_values = (uint32_t)n};
	b.bytes = (uint8_t *)"abc";
	memset(b.batch_id, (int)seq, sizeof(b.batch_id));
	memset(b.sig, 0x5a, sizeof(b.sig));
	assert_int_equal(gt_cstore_batch_save(st, &b, ids, got, NOW), GT_OK);
	gt_cstore_outrows_free(rows, got);
}

static void test_sequences_and_batches(void **state)
{
	struct fx *f = *state;
	struct gt_cstore_batch *p;
	struct gt_cstore_status s;
	uint64_t seq;
	size_t n;

	assert_int_equal(gt_cstore_next_sequence(f->st, 0, &seq), GT_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(gt_cstore_next_sequence(f->st, 10, &seq), GT_OK);
	assert_int_equal(seq, 11);
	make_batch(f->st, 11, 3, "a");
	/* Never reused: above the saved batch even when the server knows less. */
	assert_int_equal(gt_cstore_next_sequence(f->st, 5, &seq), GT_OK);
	assert_int_equal(seq, 12);
	make_batch(f->st, 12, 2, "b");
	assert_int_equal(gt_cstore_batches_pending(f->st, &p, &n), GT_OK);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].seq, 11);
	assert_int_equal(p[0].n_values, 3);
	assert_int_equal(p[0].len, 3);
	assert_memory_equal(p[0].bytes, "abc", 3);
	assert_int_equal(p[0].batch_id[0], 11);
	assert_int_equal(p[1].seq, 12);
	gt_cstore_batches_free(p, n);
	status(f->st, &s);
	assert_int_equal(s.values[GT_CSTORE_BATCHED], 5);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_PENDING], 2);
	/* A batch number used twice is refused by the store itself. */
	struct gt_cstore_batch dup = {.seq = 12, .bytes = (uint8_t *)"z", .len = 1};
	assert_int_not_equal(gt_cstore_batch_save(f->st, &dup, NULL, 0, NOW), GT_OK);
	status(f->st, &s);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_PENDING], 2);
}

struct seen {
	int n;
	int reasons[16];
	char values[16][32];
};

static int on_problem(void *arg, const struct gt_cstore_problem *p)
{
	struct seen *s = arg;
	if (s->n < 16) {
		s->reasons[s->n] = p->state == GT_CSTORE_CONFLICT ? p->reason : 1000 + (-p->reason);
		snprintf(s->values[s->n], sizeof(s->values[0]), "%s", p->value);
	}
	s->n++;
	return 0;
}

static void test_acks_and_refusals(void **state)
{
	struct fx *f = *state;
	struct gt_cstore_status s;
	struct gt_cstore_batch *p;
	struct seen seen = {0};
	uint32_t conflicts = 99, idx[2] = {0, 2};
	size_t n;

	make_batch(f->st, 1, 3, "a");
	make_batch(f->st, 2, 2, "b");
	make_batch(f->st, 3, 2, "c");
	make_batch(f->st, 4, 1, "d");

	/* Batch 1: two values skipped as stale. */
	Gtsync__V1__Conflict cf = GTSYNC__V1__CONFLICT__INIT, *cfp = &cf;
	cf.reason = GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION;
	cf.kind = GTSYNC__V1__ITEM_KIND__ITEM_VALUE;
	cf.indexes = idx;
	cf.n_indexes = 2;
	cf.message = "a newer revision of the value is already stored";
	Gtsync__V1__PushAck ack = GTSYNC__V1__PUSH_ACK__INIT;
	ack.status = GTSYNC__V1__PUSH_STATUS__PUSH_WARNING;
	ack.conflicts = &cfp;
	ack.n_conflicts = 1;
	assert_int_equal(gt_cstore_batch_acked(f->st, 1, &ack, NOW, &conflicts), GT_OK);
	assert_int_equal(conflicts, 2);
	/* The same ack again changes nothing. */
	assert_int_equal(gt_cstore_batch_acked(f->st, 1, &ack, NOW, &conflicts), GT_OK);
	assert_int_equal(conflicts, 0);

	/* Batch 2: the server's disk was full: kept, to send again. */
	assert_int_equal(
	    gt_cstore_batch_refused(f->st, 2, GT_ENOSPC, "disk full", GT_CSTORE_RETRY, NOW), GT_OK);
	/* Batch 3: a sequence reused: its values go back to the queue. */
	assert_int_equal(
	    gt_cstore_batch_refused(f->st, 3, GT_ECONFLICT, "reused", GT_CSTORE_REQUEUE, NOW),
	    GT_OK);
	/* Batch 4: not authorized: refused for good. */
	assert_int_equal(
	    gt_cstore_batch_refused(f->st, 4, GT_EPERM, "not yours", GT_CSTORE_REFUSE, NOW), GT_OK);
	status(f->st, &s);
	assert_int_equal(s.values[GT_CSTORE_ACKED], 1);
	assert_int_equal(s.values[GT_CSTORE_CONFLICT], 2);
	assert_int_equal(s.values[GT_CSTORE_BATCHED], 2);
	assert_int_equal(s.values[GT_CSTORE_QUEUED], 2);
	assert_int_equal(s.values[GT_CSTORE_REFUSED], 1);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_PENDING], 1);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_ACKED], 1);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_REFUSED], 2);
	assert_int_equal(gt_cstore_batches_pending(f->st, &p, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].seq, 2);
	assert_int_equal(p[0].tries, 1);
	gt_cstore_batches_free(p, n);

	/* Conflicts first, grouped by reason, then refusals. */
	assert_int_equal(gt_cstore_problems(f->st, on_problem, &seen), GT_OK);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.reasons[0], GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION);
	assert_string_equal(seen.values[0], "a0");
	assert_string_equal(seen.values[1], "a2");
	assert_int_equal(seen.reasons[2], 1000 + (-GT_EPERM));
	assert_string_equal(seen.values[2], "d0");
	/* Re-entering a value in conflict hides the old conflict. */
	struct gt_cstore_value v = val("GT_CATATAN", "200101", "", "a0-fixed");
	assert_int_equal(gt_cstore_queue(f->st, &v, NOW, NULL), GT_OK);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(gt_cstore_problems(f->st, on_problem, &seen), GT_OK);
	assert_int_equal(seen.n, 2);
}

/* A transaction cut by the file-size limit (the disk full) leaves the outbox as it was. */
static void test_failed_transaction_keeps_outbox(void **state)
{
	struct fx *f = *state;
	struct gt_cstore_status before, after;
	struct stat sb;
	pid_t pid;
	int status_code;

	make_batch(f->st, 1, 2, "kept");
	status(f->st, &before);
	/* A rollback by the caller. */
	assert_int_equal(gt_cstore_begin(f->st), GT_OK);
	struct gt_cstore_value v = val("KK_LP", "202607", "", "9");
	assert_int_equal(gt_cstore_queue(f->st, &v, NOW, NULL), GT_OK);
	gt_cstore_rollback(f->st);
	status(f->st, &after);
	assert_memory_equal(&before, &after, sizeof(before));

	/* A child process writes a large transaction under a tight file-size limit. */
	gt_cstore_close(f->st);
	f->st = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct gt_cstore *st;
		struct rlimit rl;
		char big[4000], period[8];
		int rc = GT_OK;
		signal(SIGXFSZ, SIG_IGN);
		if (stat(f->path, &sb) != 0 || gt_cstore_open(f->path, &st) != GT_OK)
			_exit(10);
		rl.rlim_cur = rl.rlim_max = (rlim_t)sb.st_size + 64 * 1024;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(11);
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		if (gt_cstore_begin(st) != GT_OK)
			_exit(12);
		for (int i = 0; i < 2000 && rc == GT_OK; i++) {
			snprintf(period, sizeof(period), "%04d%02d", 2000 + i / 12, i % 12 + 1);
			struct gt_cstore_value w = val("GT_CATATAN", period, "", big);
			rc = gt_cstore_queue(st, &w, NOW, NULL);
		}
		if (rc == GT_OK)
			rc = gt_cstore_commit(st);
		else
			gt_cstore_rollback(st);
		gt_cstore_close(st);
		_exit(rc == GT_ENOSPC || rc == GT_EIO || rc == GT_ESTORE ? 0 : 13);
	}
	assert_int_equal(waitpid(pid, &status_code, 0), pid);
	assert_true(WIFEXITED(status_code));
	assert_int_equal(WEXITSTATUS(status_code), 0);
	assert_int_equal(gt_cstore_open(f->path, &f->st), GT_OK);
	status(f->st, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	/* And the store still works. */
	assert_int_equal(gt_cstore_queue(f->st, &v, NOW, NULL), GT_OK);
	status(f->st, &after);
	assert_int_equal(after.values[GT_CSTORE_QUEUED], before.values[GT_CSTORE_QUEUED] + 1);
}

struct collect {
	int n;
	char keys[16][64];
};

static int on_replica(void *arg, const struct gt_cstore_replica_value *v)
{
	struct collect *c = arg;
	if (c->n < 16)
		snprintf(c->keys[c->n], sizeof(c->keys[0]), "%s/%s/%s=%s%s", v->org_unit,
		         v->data_element, v->period, v->value, v->deleted ? "(deleted)" : "");
	c->n++;
	return 0;
}

static void test_pull_replica(void **state)
{
	struct fx *f = *state;
	Gtsync__V1__DataValue dv[3];
	Gtsync__V1__PulledValue pv[3], *pvp[3];
	const char *ous[3] = {"53.71", "53.72", "36.71"};
	struct collect c = {0};
	uint64_t cursor = 7;
	double num;

	for (int i = 0; i < 3; i++) {
		gtsync__v1__data_value__init(&dv[i]);
		dv[i].data_element = "KK_LP";
		dv[i].period = "202607";
		dv[i].org_unit = (char *)ous[i];
		dv[i].category_option_combo = "";
		dv[i].value = "3";
		dv[i].comment = "";
		dv[i].revision = 5;
		gtsync__v1__pulled_value__init(&pv[i]);
		pv[i].value = &dv[i];
		pv[i].change_seq = (uint64_t)i + 1;
		pvp[i] = &pv[i];
	}
	Gtsync__V1__PullChunk chunk = GTSYNC__V1__PULL_CHUNK__INIT;
	chunk.values = pvp;
	chunk.n_values = 3;
	chunk.next_cursor = 3;
	assert_int_equal(gt_cstore_pull_cursor(f->st, "53", &cursor), GT_OK);
	assert_int_equal(cursor, 0);
	assert_int_equal(gt_cstore_pull_apply(f->st, "53", &chunk, NOW), GT_OK);
	assert_int_equal(gt_cstore_pull_cursor(f->st, "53", &cursor), GT_OK);
	assert_int_equal(cursor, 3);
	/* A later change replaces the stored value. */
	dv[0].value = "4";
	dv[1].deleted = 1;
	chunk.n_values = 2;
	chunk.next_cursor = 9;
	assert_int_equal(gt_cstore_pull_apply(f->st, "53", &chunk, NOW), GT_OK);
	assert_int_equal(gt_cstore_replica_foreach(f->st, "53", on_replica, &c), GT_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.keys[0], "53.71/KK_LP/202607=4");
	assert_string_equal(c.keys[1], "53.72/KK_LP/202607=3(deleted)");
	memset(&c, 0, sizeof(c));
	assert_int_equal(gt_cstore_replica_foreach(f->st, NULL, on_replica, &c), GT_OK);
	assert_int_equal(c.n, 3);
	memset(&c, 0, sizeof(c));
	assert_int_equal(gt_cstore_replica_foreach(f->st, "ID", on_replica, &c), GT_OK);
	assert_int_equal(c.n, 3);
	assert_int_equal(gt_cstore_latest_number(f->st, "KK_LP", "202607", "53.71", "", &num),
	                 GT_OK);
	assert_true(num == 4.0);
	assert_int_equal(gt_cstore_latest_number(f->st, "KK_LP", "202607", "53.72", "", &num),
	                 GT_ENOENT);
	/* A cursor out of range is refused and nothing is applied. */
	chunk.next_cursor = UINT64_MAX;
	assert_int_equal(gt_cstore_pull_apply(f->st, "53", &chunk, NOW), GT_EPROTO);
	assert_int_equal(gt_cstore_pull_cursor(f->st, "53", &cursor), GT_OK);
	assert_int_equal(cursor, 9);
}

static void test_metadata(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = {"combos.gtm", "kasus.gtm"};
	Gtsync__V1__MetadataFile mf[2], *mfp[2];
	Gtsync__V1__OrgUnit ou[2], *oup[2];
	uint8_t *data[2];
	size_t lens[2];
	struct gt_meta *m = NULL;
	struct gt_cstore_orgunit u;
	uint64_t n = 0, ver = 0;
	char path[512];

	assert_int_equal(gt_cstore_metadata_load(f->st, &m, NULL), GT_ENOENT);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/metadata/%s", GT_SOURCE_DIR, names[i]);
		assert_int_equal(gt_file_read(path, 1 << 22, &data[i], &lens[i]), GT_OK);
		gtsync__v1__metadata_file__init(&mf[i]);
		mf[i].name = (char *)names[i];
		mf[i].content.data = data[i];
		mf[i].content.len = lens[i];
		mfp[i] = &mf[i];
		gtsync__v1__org_unit__init(&ou[i]);
		oup[i] = &ou[i];
	}
	ou[0].code = "53";
	ou[0].name = "Nusa Tenggara Timur";
	ou[0].level = 2;
	ou[0].parent = "ID";
	ou[1].code = "53.71";
	ou[1].name = "Kota Kupang";
	ou[1].level = 3;
	ou[1].parent = "53";
	Gtsync__V1__MetadataReply rep = GTSYNC__V1__METADATA_REPLY__INIT;
	rep.version = 4;
	rep.files = mfp;
	rep.n_files = 2;
	rep.org_units = oup;
	rep.n_org_units = 2;
	assert_int_equal(gt_cstore_metadata_save(f->st, &rep), GT_OK);
	assert_int_equal(gt_cstore_metadata_load(f->st, &m, NULL), GT_OK);
	assert_non_null(gt_meta_dataset_find(m, "KK"));
	gt_meta_free(m);
	assert_int_equal(gt_cstore_config_get_u64(f->st, GT_CSTORE_CFG_MD_VERSION, &ver), GT_OK);
	assert_int_equal(ver, 4);
	assert_int_equal(gt_cstore_orgunit_get(f->st, "53.71", &u), GT_OK);
	assert_string_equal(u.name, "Kota Kupang");
	assert_int_equal(u.level, 3);
	assert_string_equal(u.parent, "53");
	assert_int_equal(gt_cstore_orgunit_get(f->st, "36", &u), GT_ENOENT);
	/* "Unchanged" keeps the files and replaces the org units. */
	rep.unchanged = 1;
	rep.n_files = 0;
	rep.n_org_units = 1;
	assert_int_equal(gt_cstore_metadata_save(f->st, &rep), GT_OK);
	assert_int_equal(gt_cstore_orgunit_count(f->st, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(gt_cstore_metadata_load(f->st, &m, NULL), GT_OK);
	gt_meta_free(m);
	free(data[0]);
	free(data[1]);
}

/* Queues n approvals (KK of 53.71, a year each) and saves every queued action, take of them,
 * as batch seq. */
static void make_action_batch(struct gt_cstore *st, uint64_t seq, int n, size_t take)
{
	struct gt_cstore_action *rows;
	int64_t ids[16];
	size_t got;
	uint8_t digest[32];
	char period[8];

	for (int i = 0; i < n; i++) {
		memset(digest, i + 1, sizeof(digest));
		snprintf(period, sizeof(period), "%04d", 2000 + (int)seq * 10 + i);
		struct gt_cstore_action_in a = {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE,
		                                "KK",
		                                period,
		                                "53.71",
		                                "",
		                                digest,
		                                12,
		                                NULL,
		                                NULL};
		assert_int_equal(gt_cstore_action_queue(st, &a, NOW, NULL), GT_OK);
	}
	assert_int_equal(gt_cstore_actions_take(st, 16, &rows, &got), GT_OK);
	assert_int_equal(got, take);
	for (size_t i = 0; i < got; i++) {
		ids[i] = rows[i].id;
		assert_int_equal(rows[i].state, GT_CSTORE_QUEUED);
		if (i + (size_t)n >= got) {
			assert_true(rows[i].has_digest);
			assert_int_equal(rows[i].digest[0], (int)(i + (size_t)n - got) + 1);
		}
	}
	gt_cstore_actions_free(rows, got);
	struct gt_cstore_batch b = {.seq = seq, .len = 3};
	b.bytes = (uint8_t *)"xyz";
	memset(b.batch_id, (int)seq, sizeof(b.batch_id));
	assert_int_equal(gt_cstore_batch_save_actions(st, &b, ids, got, NOW), GT_OK);
}

/* Workflow actions go through the outbox's states like values: queued, batched (in a batch of
 * their own), then applied, skipped with the server's reason, requeued or refused. */
static void test_actions(void **state)
{
	struct fx *f = *state;
	struct gt_cstore_status s;
	struct gt_cstore_action a, *list;
	struct gt_cstore_batch *p;
	size_t n;
	int64_t id;

	/* Taking from an empty queue, or zero, is nothing. */
	assert_int_equal(gt_cstore_actions_take(f->st, 0, &list, &n), GT_OK);
	assert_int_equal(n, 0);
	assert_null(list);
	/* Two approvals (with their digests) in batch 1. */
	make_action_batch(f->st, 1, 2, 2);
	/* A return with its reason, no digest, queued after it. */
	struct gt_cstore_action_in in = {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN,
	                                 "KK",
	                                 "2025",
	                                 "53.71",
	                                 "angka Juli perlu diperiksa",
	                                 NULL,
	                                 0,
	                                 NULL,
	                                 NULL};
	assert_int_equal(gt_cstore_action_queue(f->st, &in, NOW, &id), GT_OK);
	assert_true(id > 0);
	assert_int_equal(gt_cstore_action_get(f->st, id, &a), GT_OK);
	assert_int_equal(a.kind, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN);
	assert_string_equal(a.reason, "angka Juli perlu diperiksa");
	assert_string_equal(a.org_unit, "53.71");
	assert_false(a.has_digest);
	assert_int_equal(a.state, GT_CSTORE_QUEUED);
	assert_int_equal(a.seq, 0);
	gt_cstore_action_clear(&a);
	gt_cstore_action_clear(NULL);
	assert_int_equal(gt_cstore_action_get(f->st, id + 100, &a), GT_ENOENT);
	assert_int_equal(gt_cstore_actions_recent(f->st, 10, &list, &n), GT_OK);
	assert_int_equal(n, 3);
	assert_int_equal(list[0].state, GT_CSTORE_BATCHED);
	assert_int_equal(list[0].seq, 1);
	assert_int_equal(list[2].id, id);
	assert_int_equal(list[2].state, GT_CSTORE_QUEUED);
	gt_cstore_actions_free(list, n);
	gt_cstore_actions_free(NULL, 0);

	/* The batch is pending with its actions counted, and no values. */
	assert_int_equal(gt_cstore_batches_pending(f->st, &p, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].n_actions, 2);
	assert_int_equal(p[0].n_values, 0);
	gt_cstore_batches_free(p, n);

	/* Ack: the second action was skipped (children not ready). */
	uint32_t idx[1] = {1}, conflicts = 7;
	Gtsync__V1__Conflict cf = GTSYNC__V1__CONFLICT__INIT, *cfp = &cf;
	cf.reason = GTSYNC__V1__CONFLICT_REASON__CONFLICT_CHILDREN_NOT_READY;
	cf.kind = GTSYNC__V1__ITEM_KIND__ITEM_ACTION;
	cf.indexes = idx;
	cf.n_indexes = 1;
	cf.message = "not every child unit is approved and accepted";
	Gtsync__V1__PushAck ack = GTSYNC__V1__PUSH_ACK__INIT;
	ack.status = GTSYNC__V1__PUSH_STATUS__PUSH_WARNING;
	ack.conflicts = &cfp;
	ack.n_conflicts = 1;
	assert_int_equal(gt_cstore_batch_acked(f->st, 1, &ack, NOW, &conflicts), GT_OK);
	assert_int_equal(conflicts, 0); /* counts values only */
	status(f->st, &s);
	assert_int_equal(s.actions[GT_CSTORE_ACKED], 1);
	assert_int_equal(s.actions[GT_CSTORE_CONFLICT], 1);
	assert_int_equal(s.actions[GT_CSTORE_QUEUED], 1);
	assert_int_equal(s.values[GT_CSTORE_CONFLICT], 0);
	assert_int_equal(gt_cstore_actions_recent(f->st, 3, &list, &n), GT_OK);
	assert_int_equal(n, 3); /* the latest three, oldest first */
	assert_int_equal(list[0].state, GT_CSTORE_ACKED);
	assert_int_equal(list[0].status, GTSYNC__V1__PUSH_STATUS__PUSH_WARNING);
	assert_int_equal(list[1].state, GT_CSTORE_CONFLICT);
	assert_int_equal(list[1].conflict,
	                 GTSYNC__V1__CONFLICT_REASON__CONFLICT_CHILDREN_NOT_READY);
	assert_string_equal(list[1].message, "not every child unit is approved and accepted");
	assert_int_equal(list[1].n_digested, 12);
	gt_cstore_actions_free(list, n);

	/* Batch 2 (the return): reused sequence, requeued; then batch 3 refused for good. */
	make_action_batch(f->st, 2, 0, 1);
	assert_int_equal(gt_cstore_action_get(f->st, id, &a), GT_OK);
	assert_int_equal(a.state, GT_CSTORE_BATCHED);
	assert_int_equal(a.seq, 2);
	gt_cstore_action_clear(&a);
	assert_int_equal(
	    gt_cstore_batch_refused(f->st, 2, GT_ECONFLICT, "reused", GT_CSTORE_REQUEUE, NOW),
	    GT_OK);
	assert_int_equal(gt_cstore_action_get(f->st, id, &a), GT_OK);
	assert_int_equal(a.state, GT_CSTORE_QUEUED);
	assert_int_equal(a.seq, 0);
	gt_cstore_action_clear(&a);
	make_action_batch(f->st, 3, 1, 2);
	assert_int_equal(gt_cstore_batch_refused(f->st, 3, GT_EPERM,
	                                         "only the province's aggregator may accept",
	                                         GT_CSTORE_REFUSE, NOW),
	                 GT_OK);
	assert_int_equal(gt_cstore_action_get(f->st, id, &a), GT_OK);
	assert_int_equal(a.state, GT_CSTORE_REFUSED);
	assert_int_equal(a.code, GT_EPERM);
	assert_string_equal(a.message, "only the province's aggregator may accept");
	gt_cstore_action_clear(&a);
	status(f->st, &s);
	assert_int_equal(s.actions[GT_CSTORE_REFUSED], 2);
	assert_int_equal(s.actions[GT_CSTORE_QUEUED], 0);
	/* A duplicate ack applies the actions of a batch sent before a crash. */
	make_action_batch(f->st, 4, 1, 1);
	Gtsync__V1__PushAck dup = GTSYNC__V1__PUSH_ACK__INIT;
	dup.status = GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE;
	assert_int_equal(gt_cstore_batch_acked(f->st, 4, &dup, NOW, NULL), GT_OK);
	assert_int_equal(gt_cstore_actions_recent(f->st, 1, &list, &n), GT_OK);
	assert_int_equal(list[0].state, GT_CSTORE_ACKED);
	assert_int_equal(list[0].status, GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE);
	gt_cstore_actions_free(list, n);
}

/* A store written by the first version (values only) is upgraded when opened. */
static void test_upgrade_from_v1(void **state)
{
	struct fx *f = *state;
	sqlite3 *db;
	struct gt_cstore_batch *p;
	size_t n;

	make_batch(f->st, 1, 2, "v");
	gt_cstore_close(f->st);
	f->st = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "DROP TABLE action; ALTER TABLE batch DROP COLUMN n_actions;"
	                              "PRAGMA user_version=1;",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(gt_cstore_open(f->path, &f->st), GT_OK);
	assert_int_equal(gt_cstore_batches_pending(f->st, &p, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].n_values, 2);
	assert_int_equal(p[0].n_actions, 0);
	gt_cstore_batches_free(p, n);
	make_action_batch(f->st, 2, 1, 1);
	/* Another version is refused. */
	gt_cstore_close(f->st);
	f->st = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=4;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(gt_cstore_open(f->path, &f->st), GT_ECORRUPT);
	assert_null(f->st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_and_settings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_queue_revisions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_take_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sequences_and_batches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acks_and_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_transaction_keeps_outbox, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pull_replica, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_metadata, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_actions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upgrade_from_v1, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
