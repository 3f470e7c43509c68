/* Tests for server/store_batch.c and store_query.c: apply, merge, rebuild, pull and sums. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "crypto.h"
#include "error.h"
#include "store.h"
#include "testutil.h"
#include "wire.h"

#define REASON(x) GTSYNC__V1__CONFLICT_REASON__CONFLICT_##x
#define KIND(x)   GTSYNC__V1__ITEM_KIND__ITEM_##x
#define STATUS(x) GTSYNC__V1__PUSH_STATUS__PUSH_##x

/* Keys registered by the fixture, one per org unit. */
enum { K_5371, K_5301, K_53, K_1101, N_KEYS };
static const char *const key_org[N_KEYS] = {"53.71", "53.01", "53", "11.01"};

struct fixture {
	char *dir;
	char *path;
	struct gt_store *st;
	char key[N_KEYS][GT_KEY_ID_LEN + 1];
};

static void prepare(struct gt_store *st, char key[N_KEYS][GT_KEY_ID_LEN + 1])
{
	struct gt_store_import_result res;
	const char *csv = "code,name,level\n53,Nusa Tenggara Timur,province\n"
	                  "53.71,Kota Kupang,district\n53.01,Kabupaten Kupang,district\n"
	                  "11,Aceh,province\n11.01,Kabupaten Simeulue,district\n";
	uint8_t pub[32];

	assert_int_equal(gt_store_orgunit_import_buf(st, (const uint8_t *)csv, strlen(csv), &res),
	                 0);
	for (int i = 0; i < N_KEYS; i++) {
		memset(pub, i + 1, sizeof(pub));
		assert_int_equal(gt_store_key_add(st, pub, key_org[i],
		                                  GTSYNC__V1__ROLE__ROLE_OPERATOR, 1, key[i]),
		                 0);
	}
}

static struct gt_store *open_store(const char *dir, const char *name, char **path_out)
{
	struct gt_store *st = NULL;
	char *path = NULL;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	assert_int_equal(gt_store_open(path, 1, &st), 0);
	if (path_out != NULL)
		*path_out = path;
	else
		free(path);
	return st;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = gt_test_tmpdir("batch");
	f->st = open_store(f->dir, "gtsync.db", &f->path);
	prepare(f->st, f->key);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gt_store_close(f->st);
	gt_test_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* ---- Building batches as a client does ------------------------------------------------ */

struct val {
	const char *de, *pe, *ou, *coc, *value;
	uint64_t rev;
	int del;
};

struct comp {
	const char *ds, *pe, *ou;
	int done;
};

struct act {
	int kind;
	const char *ds, *pe, *ou, *reason;
};

struct built {
	uint8_t *bytes;
	size_t len;
	gt_batch *dec;
	uint8_t hash[GT_SHA256_LEN];
	uint8_t sig[GT_ED25519_SIG_LEN];
};

static void build(struct built *out, const char *key_id, const char *org, uint64_t seq,
                  uint8_t salt, const struct val *v, size_t nv, const struct comp *c, size_t nc,
                  const struct act *a, size_t na)
{
	Gtsync__V1__Batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue *dv = calloc(nv + 1, sizeof(*dv));
	Gtsync__V1__DataValue **dvp = calloc(nv + 1, sizeof(*dvp));
	Gtsync__V1__CompleteRegistration *cr = calloc(nc + 1, sizeof(*cr));
	Gtsync__V1__CompleteRegistration **crp = calloc(nc + 1, sizeof(*crp));
	Gtsync__V1__WorkflowAction *wa = calloc(na + 1, sizeof(*wa));
	Gtsync__V1__WorkflowAction **wap = calloc(na + 1, sizeof(*wap));
	uint8_t id[GT_BATCH_ID_LEN];

	assert_true(dv && dvp && cr && crp && wa && wap);
	memset(id, salt, sizeof(id));
	memcpy(id, &seq, sizeof(seq));
	b.format_version = 1;
	b.batch_id.data = id;
	b.batch_id.len = sizeof(id);
	b.key_id = (char *)key_id;
	b.org_unit = (char *)org;
	b.sequence = seq;
	b.created_at_ms = 1700000000000 + (int64_t)seq;
	for (size_t i = 0; i < nv; i++) {
		gtsync__v1__data_value__init(&dv[i]);
		dv[i].data_element = (char *)v[i].de;
		dv[i].period = (char *)v[i].pe;
		dv[i].org_unit = (char *)v[i].ou;
		dv[i].category_option_combo = (char *)(v[i].coc != NULL ? v[i].coc : "");
		dv[i].value = (char *)v[i].value;
		dv[i].revision = v[i].rev;
		dv[i].deleted = v[i].del;
		dvp[i] = &dv[i];
	}
	for (size_t i = 0; i < nc; i++) {
		gtsync__v1__complete_registration__init(&cr[i]);
		cr[i].dataset = (char *)c[i].ds;
		cr[i].period = (char *)c[i].pe;
		cr[i].org_unit = (char *)c[i].ou;
		cr[i].completed = c[i].done;
		crp[i] = &cr[i];
	}
	for (size_t i = 0; i < na; i++) {
		gtsync__v1__workflow_action__init(&wa[i]);
		wa[i].kind = a[i].kind;
		wa[i].dataset = (char *)a[i].ds;
		wa[i].period = (char *)a[i].pe;
		wa[i].org_unit = (char *)a[i].ou;
		wa[i].reason = (char *)(a[i].reason != NULL ? a[i].reason : "");
		wap[i] = &wa[i];
	}
	b.n_values = nv;
	b.values = dvp;
	b.n_completions = nc;
	b.completions = crp;
	b.n_actions = na;
	b.actions = wap;
	memset(out, 0, sizeof(*out));
	assert_int_equal(gt_wire_batch_pack(&b, &out->bytes, &out->len), 0);
	assert_int_equal(gt_wire_batch_decode(out->bytes, out->len, NULL, &out->dec), 0);
	assert_int_equal(gt_crypto_sha256(out->bytes, out->len, out->hash), 0);
	memset(out->sig, 0x5a, sizeof(out->sig)); /* the store does not verify signatures */
	free(dv);
	free(dvp);
	free(cr);
	free(crp);
	free(wa);
	free(wap);
}

static void unbuild(struct built *b)
{
	free(b->bytes);
	gt_wire_batch_free(b->dec);
	memset(b, 0, sizeof(*b));
}

static void fill_in(struct gt_store_batch_in *in, const struct built *b, int64_t at)
{
	memset(in, 0, sizeof(*in));
	in->bytes = b->bytes;
	in->len = b->len;
	in->signature = b->sig;
	in->sig_len = sizeof(b->sig);
	in->hash = b->hash;
	in->batch = b->dec;
	in->received_at_ms = at;
}

static int apply(struct gt_store *st, const struct built *b, int64_t at,
                 struct gt_store_batch_out *out)
{
	struct gt_store_batch_in in;

	fill_in(&in, b, at);
	return gt_store_batch_apply(st, &in, out);
}

/* Dumps a table in key order with a separate connection; caller frees. */
static char *dump(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	assert_non_null(m);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(s); i++) {
			const unsigned char *t = sqlite3_column_text(s, i);
			fprintf(m, "%s%s", i ? "|" : "", t != NULL ? (const char *)t : "NULL");
		}
		fputc('\n', m);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	fclose(m);
	return text;
}

#define DUMP_VALUES_FULL                                                                           \
	"SELECT data_element, period, org_unit, coc, value, comment, revision, deleted, num, "     \
	"hex(origin_batch), created_at_ms, updated_at_ms, change_seq FROM datavalues "             \
	"ORDER BY data_element, period, org_unit, coc"
#define DUMP_VALUES_CONTENT                                                                        \
	"SELECT data_element, period, org_unit, coc, value, revision, deleted, "                   \
	"hex(origin_batch) FROM datavalues ORDER BY data_element, period, org_unit, coc"
#define DUMP_DERIVED                                                                               \
	"SELECT 'c', dataset, period, org_unit, completed, at_ms, hex(origin_batch), "             \
	"change_seq, '', '', '' FROM completions UNION ALL SELECT 'e', dataset, period, "          \
	"org_unit, kind, key_id, at_ms, reason, hex(data_digest), hex(origin_batch), "             \
	"change_seq FROM workflow_events UNION ALL SELECT 's', dataset, period, org_unit, "        \
	"state, updated_at_ms, change_seq, '', '', '', '' FROM workflow_state ORDER BY 1, 2, "     \
	"3, 4, 11"

static long long scalar(struct fixture *f, const char *sql)
{
	char *t = dump(f->path, sql);
	long long v = atoll(t);

	free(t);
	return v;
}

/* ---- Apply ---------------------------------------------------------------------------- */

static void apply_counts_and_log(void **state)
{
	struct fixture *f = *state;
	const struct val v1[] = {
	    {"KK_KORBAN", "202401", "53.71", "PD", "3", 1, 0},
	    {"KK_KORBAN", "202401", "53.71", "AP", "1", 1, 0},
	    {"KK_LP", "202401", "53.71", "", "2", 1, 0},
	};
	const struct val v2[] = {
	    {"KK_KORBAN", "202401", "53.71", "PD", "4", 2, 0}, /* update */
	    {"KK_LP", "202402", "53.71", "", "9", 1, 0},       /* new */
	};
	struct built b1, b2;
	struct gt_store_batch_out out;
	uint64_t seq, count;

	build(&b1, f->key[K_5371], "53.71", 1, 0, v1, 3, NULL, 0, NULL, 0);
	build(&b2, f->key[K_5371], "53.71", 5, 0, v2, 2, NULL, 0, NULL, 0);
	assert_int_equal(apply(f->st, &b1, 1000, &out), 0);
	assert_int_equal(out.status, STATUS(OK));
	assert_int_equal(out.log_index, 1);
	assert_int_equal(out.values.imported, 3);
	assert_int_equal(out.values.updated + out.values.ignored + out.values.deleted, 0);
	assert_int_equal(out.n_conflicts, 0);
	gt_store_batch_out_free(&out);

	assert_int_equal(apply(f->st, &b2, 2000, &out), 0);
	assert_int_equal(out.status, STATUS(OK));
	assert_int_equal(out.log_index, 2);
	assert_int_equal(out.values.imported, 1);
	assert_int_equal(out.values.updated, 1);
	gt_store_batch_out_free(&out);

	assert_int_equal(gt_store_key_last_sequence(f->st, f->key[K_5371], &seq), 0);
	assert_int_equal(seq, 5); /* gaps are allowed */
	assert_int_equal(gt_store_log_count(f->st, &count), 0);
	assert_int_equal(count, 2);
	assert_int_equal(gt_store_change_seq(f->st, &seq), 0);
	assert_int_equal(seq, 5);
	char *t = dump(f->path, "SELECT value, revision, created_at_ms, updated_at_ms, num "
	                        "FROM datavalues WHERE coc = 'PD'");
	assert_string_equal(t, "4|2|1000|2000|4.0\n");
	free(t);
	unbuild(&b1);
	unbuild(&b2);
}

struct logcheck {
	const struct built *expect[4];
	size_t n;
};

static int log_cb(void *arg, const struct gt_store_log_entry *e)
{
	struct logcheck *c = arg;
	const struct built *b = c->expect[c->n++];

	assert_int_equal(e->log_index, c->n);
	assert_int_equal(e->len, b->len);
	assert_memory_equal(e->batch, b->bytes, b->len);
	assert_int_equal(e->sig_len, GT_ED25519_SIG_LEN);
	assert_memory_equal(e->signature, b->sig, GT_ED25519_SIG_LEN);
	assert_memory_equal(e->hash, b->hash, GT_SHA256_LEN);
	assert_string_equal(e->key_id, b->dec->key_id);
	assert_int_equal(e->sequence, b->dec->sequence);
	assert_string_equal(e->org_unit, b->dec->org_unit);
	return 0;
}

static void duplicate_and_sequence_reuse(void **state)
{
	struct fixture *f = *state;
	const struct val v1[] = {{"KK_LP", "202401", "53.71", "", "2", 1, 0}};
	const struct val v2[] = {{"KK_LP", "202401", "53.71", "", "7", 9, 0}};
	struct built b1, b2, b3;
	struct gt_store_batch_out out;
	struct logcheck lc = {{&b1, &b3}, 0};
	char *before, *after;
	uint64_t count, seq;

	build(&b1, f->key[K_5371], "53.71", 1, 0, v1, 1, NULL, 0, NULL, 0);
	build(&b2, f->key[K_5371], "53.71", 1, 1, v2, 1, NULL, 0, NULL, 0); /* same seq */
	build(&b3, f->key[K_5371], "53.71", 2, 0, v1, 1, NULL, 0, NULL, 0);
	assert_int_equal(apply(f->st, &b1, 1000, &out), 0);
	gt_store_batch_out_free(&out);
	before = dump(f->path, DUMP_VALUES_FULL);

	/* The same bytes again: a duplicate, nothing applied twice; the answer repeats the
	 * outcome of the first application. */
	assert_int_equal(apply(f->st, &b1, 1500, &out), 0);
	assert_int_equal(out.status, STATUS(DUPLICATE));
	assert_int_equal(out.log_index, 1);
	assert_int_equal(out.values.imported, 1);
	assert_int_equal(out.values.updated, 0);
	gt_store_batch_out_free(&out);

	/* Other bytes under the same (key, sequence): refused, nothing stored. */
	assert_int_equal(apply(f->st, &b2, 2000, &out), GT_ECONFLICT);
	assert_int_equal(out.status, STATUS(REFUSED));
	assert_int_equal(out.n_conflicts, 0);
	assert_non_null(strstr(gt_store_errmsg(f->st), "sequence 1"));
	gt_store_batch_out_free(&out);
	after = dump(f->path, DUMP_VALUES_FULL);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(gt_store_log_count(f->st, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(gt_store_change_seq(f->st, &seq), 0);
	assert_int_equal(seq, 1);

	/* The same values under a new sequence are a new batch (equal revision, same key:
	 * the larger hash decides). */
	assert_int_equal(apply(f->st, &b3, 3000, &out), 0);
	assert_int_equal(out.log_index, 2);
	gt_store_batch_out_free(&out);
	assert_int_equal(gt_store_log_foreach(f->st, 0, log_cb, &lc), 0);
	assert_int_equal(lc.n, 2);
	lc.n = 1;
	assert_int_equal(gt_store_log_foreach(f->st, 1, log_cb, &lc), 0);
	assert_int_equal(lc.n, 2);
	lc.n = 0;
	assert_int_equal(gt_store_log_find(f->st, b1.hash, log_cb, &lc), 0);
	assert_int_equal(gt_store_log_find(f->st, b2.hash, log_cb, &lc), GT_ENOENT);
	free(before);
	unbuild(&b1);
	unbuild(&b2);
	unbuild(&b3);
}

static void higher_revision_wins(void **state)
{
	struct fixture *f = *state;
	const struct val hi[] = {{"KK_LP", "202401", "53.71", "", "five", 5, 0}};
	const struct val lo[] = {
	    {"KK_LP", "202401", "53.71", "", "new key", 1, 0},
	    {"KK_LP", "202401", "53.71", "", "three", 3, 0},
	};
	const struct val lo2[] = {{"KK_LP", "202401", "53.71", "", "seven", 7, 0}};
	struct built b1, b2, b3;
	struct gt_store_batch_out out;
	char *t;

	build(&b1, f->key[K_5371], "53.71", 1, 0, hi, 1, NULL, 0, NULL, 0);
	build(&b2, f->key[K_5371], "53.71", 2, 0, lo, 2, NULL, 0, NULL, 0);
	build(&b3, f->key[K_5371], "53.71", 3, 0, lo2, 1, NULL, 0, NULL, 0);
	assert_int_equal(apply(f->st, &b1, 1000, &out), 0);
	gt_store_batch_out_free(&out);
	assert_int_equal(apply(f->st, &b2, 2000, &out), 0);
	assert_int_equal(out.status, STATUS(WARNING));
	assert_int_equal(out.values.ignored, 2);
	assert_int_equal(out.n_conflicts, 1);
	assert_int_equal(out.conflicts[0].reason, REASON(STALE_REVISION));
	assert_int_equal(out.conflicts[0].kind, KIND(VALUE));
	assert_int_equal(out.conflicts[0].n_indexes, 2);
	assert_int_equal(out.conflicts[0].indexes[0], 0);
	assert_int_equal(out.conflicts[0].indexes[1], 1);
	gt_store_batch_out_free(&out);
	t = dump(f->path, "SELECT value, revision FROM datavalues");
	assert_string_equal(t, "five|5\n");
	free(t);
	assert_int_equal(apply(f->st, &b3, 3000, &out), 0);
	assert_int_equal(out.values.updated, 1);
	gt_store_batch_out_free(&out);
	t = dump(f->path, "SELECT value, revision FROM datavalues");
	assert_string_equal(t, "seven|7\n");
	free(t);
	unbuild(&b1);
	unbuild(&b2);
	unbuild(&b3);
}

static void equal_revision_tie_break(void **state)
{
	struct fixture *f = *state;
	const struct val va[] = {
	    {"KK_LP", "202401", "53.71", "", "from A", 4, 0},
	    {"KK_LP", "202402", "53.71", "", "only A", 1, 0},
	};
	const struct val vb[] = {
	    {"KK_LP", "202401", "53.71", "", "from B", 4, 0},
	    {"KK_LP", "202403", "53.71", "", "only B", 1, 0},
	};
	struct built a, b;
	struct gt_store_batch_out out;
	struct gt_store *st2;
	char key2[N_KEYS][GT_KEY_ID_LEN + 1];
	char *path2 = NULL, *d1, *d2, *winner;
	const struct built *big;

	st2 = open_store(f->dir, "second.db", &path2);
	prepare(st2, key2);
	build(&a, f->key[K_5371], "53.71", 1, 0, va, 2, NULL, 0, NULL, 0);
	build(&b, f->key[K_5371], "53.71", 2, 0, vb, 2, NULL, 0, NULL, 0);
	big = memcmp(a.hash, b.hash, GT_SHA256_LEN) > 0 ? &a : &b;

	assert_int_equal(apply(f->st, &a, 1000, &out), 0);
	gt_store_batch_out_free(&out);
	assert_int_equal(apply(f->st, &b, 1000, &out), 0);
	assert_int_equal(out.values.ignored, big == &a ? 1 : 0);
	gt_store_batch_out_free(&out);
	assert_int_equal(apply(st2, &b, 1000, &out), 0);
	gt_store_batch_out_free(&out);
	assert_int_equal(apply(st2, &a, 1000, &out), 0);
	assert_int_equal(out.values.ignored, big == &b ? 1 : 0);
	gt_store_batch_out_free(&out);

	d1 = dump(f->path, DUMP_VALUES_CONTENT);
	d2 = dump(path2, DUMP_VALUES_CONTENT);
	assert_string_equal(d1, d2);
	winner = dump(f->path, "SELECT value FROM datavalues WHERE period = '202401'");
	assert_string_equal(winner, big == &a ? "from A\n" : "from B\n");
	free(d1);
	free(d2);
	free(winner);
	gt_store_close(st2);
	free(path2);
	unbuild(&a);
	unbuild(&b);
}

static void soft_delete(void **state)
{
	struct fixture *f = *state;
	const struct val v1[] = {
	    {"KK_LP", "202401", "53.71", "", "2", 1, 0},
	    {"KK_LP", "202402", "53.71", "", "", 1, 1}, /* delete of an unknown key */
	};
	const struct val v2[] = {{"KK_LP", "202401", "53.71", "", "", 2, 1}};
	const struct val v3[] = {
	    {"KK_LP", "202401", "53.71", "", "5", 3, 0},
	    {"KK_LP", "202402", "53.71", "", "8", 1, 0}, /* loses to the tombstone? same rev */
	};
	struct built b1, b2, b3;
	struct gt_store_batch_out out;
	char *t;

	build(&b1, f->key[K_5371], "53.71", 1, 0, v1, 2, NULL, 0, NULL, 0);
	build(&b2, f->key[K_5371], "53.71", 2, 0, v2, 1, NULL, 0, NULL, 0);
	build(&b3, f->key[K_5371], "53.71", 3, 0, v3, 2, NULL, 0, NULL, 0);
	assert_int_equal(apply(f->st, &b1, 1000, &out), 0);
	assert_int_equal(out.values.imported, 1);
	assert_int_equal(out.values.deleted, 1);
	gt_store_batch_out_free(&out);
	assert_int_equal(apply(f->st, &b2, 2000, &out), 0);
	assert_int_equal(out.values.deleted, 1);
	gt_store_batch_out_free(&out);
	t = dump(f->path, "SELECT period, deleted, revision FROM datavalues ORDER BY period");
	assert_string_equal(t, "202401|1|2\n202402|1|1\n");
	free(t);
	/* Writing a deleted key again with a newer revision counts as imported. */
	assert_int_equal(apply(f->st, &b3, 3000, &out), 0);
	assert_int_equal(out.values.imported + out.values.ignored, 2);
	assert_true(out.values.imported >= 1);
	gt_store_batch_out_free(&out);
	t = dump(f->path,
	         "SELECT value, deleted, revision FROM datavalues WHERE period = '202401'");
	assert_string_equal(t, "5|0|3\n");
	free(t);
	unbuild(&b1);
	unbuild(&b2);
	unbuild(&b3);
}

/* A lock hook that locks data set "LOCKED" and period 202412 for every unit. */
static int lock_hook(void *arg, int kind, const char *dataset, const char *de, const char *period,
                     const char *ou)
{
	int *calls = arg;

	(*calls)++;
	(void)ou;
	assert_true(kind == KIND(VALUE) || kind == KIND(COMPLETION));
	assert_true(kind == KIND(VALUE) ? de != NULL : de == NULL);
	return strcmp(dataset, "LOCKED") == 0 || strcmp(period, "202412") == 0;
}

static void verdicts_grouped(void **state)
{
	struct fixture *f = *state;
	const struct val v[] = {
	    {"KK_LP", "202401", "53.71", "", "1", 1, 0},   /* 0 ok */
	    {"XX", "202401", "53.71", "", "1", 1, 0},      /* 1 unknown element */
	    {"KK_LP", "2024X1", "53.71", "", "1", 1, 0},   /* 2 bad period */
	    {"KK_LP", "202402", "53.71", "", "abc", 1, 0}, /* 3 wrong type */
	    {"YY", "202401", "53.71", "", "1", 1, 0},      /* 4 unknown element */
	    {"KK_LP", "202412", "53.71", "", "1", 1, 0},   /* 5 locked by the hook */
	    {"KK_LP", "202403", "53.71", "", "1", 1, 0},   /* 6 ok */
	};
	const uint8_t vv[] = {0,
	                      REASON(UNKNOWN_DATA_ELEMENT),
	                      REASON(BAD_PERIOD),
	                      REASON(WRONG_VALUE_TYPE),
	                      REASON(UNKNOWN_DATA_ELEMENT),
	                      0,
	                      0};
	const struct comp c[] = {
	    {"KK", "202401", "53.71", 1},
	    {"KK", "202412", "53.71", 1}, /* locked */
	    {"ZZ", "202401", "53.71", 1}, /* unknown data set */
	};
	const uint8_t cv[] = {0, 0, REASON(UNKNOWN_DATASET)};
	const struct act a[] = {
	    {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT, "KK", "202401", "53.71", NULL},
	    {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE, "KK", "202401", "53.71", NULL},
	};
	const uint8_t av[] = {0, REASON(INVALID_TRANSITION)};
	struct built b;
	struct gt_store_batch_in in;
	struct gt_store_batch_out out;
	int calls = 0;

	build(&b, f->key[K_5371], "53.71", 1, 0, v, 7, c, 3, a, 2);
	fill_in(&in, &b, 1000);
	in.value_verdicts = vv;
	in.completion_verdicts = cv;
	in.action_verdicts = av;
	in.locked = lock_hook;
	in.lock_arg = &calls;
	assert_int_equal(gt_store_batch_apply(f->st, &in, &out), 0);
	assert_int_equal(calls, 3 + 2); /* only items not already skipped are asked about */
	assert_int_equal(out.status, STATUS(WARNING));
	assert_int_equal(out.values.imported, 2);
	assert_int_equal(out.values.ignored, 5);
	assert_int_equal(out.completions.imported, 1);
	assert_int_equal(out.completions.ignored, 2);
	assert_int_equal(out.actions.imported, 1);
	assert_int_equal(out.actions.ignored, 1);
	/* Grouped by kind, then reason, indexes ascending. */
	assert_int_equal(out.n_conflicts, 7);
	assert_int_equal(out.conflicts[0].kind, KIND(VALUE));
	assert_int_equal(out.conflicts[0].reason, REASON(UNKNOWN_DATA_ELEMENT));
	assert_int_equal(out.conflicts[0].n_indexes, 2);
	assert_int_equal(out.conflicts[0].indexes[0], 1);
	assert_int_equal(out.conflicts[0].indexes[1], 4);
	assert_int_equal(out.conflicts[1].reason, REASON(BAD_PERIOD));
	assert_int_equal(out.conflicts[1].indexes[0], 2);
	assert_int_equal(out.conflicts[2].reason, REASON(WRONG_VALUE_TYPE));
	assert_int_equal(out.conflicts[2].indexes[0], 3);
	assert_int_equal(out.conflicts[3].reason, REASON(LOCKED_PERIOD));
	assert_int_equal(out.conflicts[3].n_indexes, 1);
	assert_int_equal(out.conflicts[3].indexes[0], 5);
	assert_int_equal(out.conflicts[4].kind, KIND(COMPLETION));
	assert_int_equal(out.conflicts[4].reason, REASON(LOCKED_PERIOD));
	assert_int_equal(out.conflicts[4].indexes[0], 1);
	assert_int_equal(out.conflicts[5].kind, KIND(COMPLETION));
	assert_int_equal(out.conflicts[5].reason, REASON(UNKNOWN_DATASET));
	assert_int_equal(out.conflicts[5].indexes[0], 2);
	assert_int_equal(out.conflicts[6].kind, KIND(ACTION));
	assert_int_equal(out.conflicts[6].reason, REASON(INVALID_TRANSITION));
	assert_int_equal(out.conflicts[6].indexes[0], 1);
	gt_store_batch_out_free(&out);
	gt_store_batch_out_free(NULL);
	assert_int_equal(scalar(f, "SELECT count(*) FROM datavalues"), 2);
	assert_int_equal(scalar(f, "SELECT count(*) FROM completions"), 1);
	assert_int_equal(scalar(f, "SELECT count(*) FROM workflow_events"), 1);
	unbuild(&b);
}

static void savepoint_isolation(void **state)
{
	struct fixture *f = *state;
	const struct val va[] = {{"KK_LP", "202401", "53.71", "", "a", 1, 0}};
	const struct val vb[] = {{"KK_LP", "202402", "53.71", "", "b", 1, 0}};
	const struct val vc[] = {{"KK_LP", "202403", "53.01", "", "c", 1, 0}};
	struct built a, b, c, u;
	struct gt_store_batch_out out;
	char *t;

	build(&a, f->key[K_5371], "53.71", 1, 0, va, 1, NULL, 0, NULL, 0);
	build(&b, f->key[K_5371], "53.71", 1, 9, vb, 1, NULL, 0, NULL, 0);     /* reuses seq 1 */
	build(&u, "ffffffffffffffff", "53.71", 1, 0, vb, 1, NULL, 0, NULL, 0); /* unknown key */
	build(&c, f->key[K_5301], "53.01", 1, 0, vc, 1, NULL, 0, NULL, 0);
	assert_int_equal(gt_store_begin(f->st), 0);
	assert_int_equal(apply(f->st, &a, 1000, &out), 0);
	gt_store_batch_out_free(&out);
	assert_int_equal(apply(f->st, &b, 1000, &out), GT_ECONFLICT);
	gt_store_batch_out_free(&out);
	assert_int_equal(apply(f->st, &u, 1000, &out), GT_ECONFLICT); /* foreign key */
	gt_store_batch_out_free(&out);
	assert_int_equal(apply(f->st, &a, 1000, &out), 0); /* duplicate within the group */
	assert_int_equal(out.status, STATUS(DUPLICATE));
	gt_store_batch_out_free(&out);
	assert_int_equal(apply(f->st, &c, 1000, &out), 0);
	assert_int_equal(out.log_index, 2);
	gt_store_batch_out_free(&out);
	assert_int_equal(gt_store_commit(f->st), 0);
	t = dump(f->path, "SELECT value, change_seq FROM datavalues ORDER BY change_seq");
	assert_string_equal(t, "a|1\nc|2\n"); /* no change_seq lost to the refused batches */
	free(t);
	assert_int_equal(scalar(f, "SELECT count(*) FROM batch_log"), 2);

	/* A rolled-back group leaves nothing and the counter resumes where it was. */
	const struct val vd[] = {{"KK_LP", "202404", "53.01", "", "d", 1, 0}};
	struct built d;
	build(&d, f->key[K_5301], "53.01", 2, 0, vd, 1, NULL, 0, NULL, 0);
	assert_int_equal(gt_store_begin(f->st), 0);
	assert_int_equal(apply(f->st, &d, 1000, &out), 0);
	gt_store_batch_out_free(&out);
	assert_int_equal(gt_store_rollback(f->st), 0);
	assert_int_equal(scalar(f, "SELECT count(*) FROM datavalues"), 2);
	assert_int_equal(apply(f->st, &d, 1000, &out), 0);
	assert_int_equal(out.log_index, 3);
	gt_store_batch_out_free(&out);
	assert_int_equal(scalar(f, "SELECT max(change_seq) FROM datavalues"), 3);
	unbuild(&a);
	unbuild(&b);
	unbuild(&c);
	unbuild(&d);
	unbuild(&u);
}

static int event_cb(void *arg, const struct gt_store_wfevent *e)
{
	int *n = arg;

	assert_string_equal(e->dataset, "KK");
	assert_string_equal(e->org_unit, "53.71");
	if (*n == 0) {
		assert_int_equal(e->kind, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT);
		assert_null(e->data_digest);
	} else {
		assert_int_equal(e->kind, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN);
		assert_string_equal(e->reason, "angka tidak cocok");
	}
	(*n)++;
	return 0;
}

static void completions_and_actions(void **state)
{
	struct fixture *f = *state;
	const struct comp c1[] = {{"KK", "202401", "53.71", 1}};
	const struct comp c2[] = {{"KK", "202401", "53.71", 1}, {"KK", "202402", "53.71", 0}};
	const struct act a1[] = {
	    {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT, "KK", "202401", "53.71", NULL}};
	const struct act a2[] = {{GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN, "KK", "202401",
	                          "53.71", "angka tidak cocok"}};
	const uint8_t st1[] = {GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED};
	const uint8_t st2[] = {GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED};
	struct built b1, b2, b3;
	struct gt_store_batch_in in;
	struct gt_store_batch_out out;
	int state_v = 0, n = 0;

	build(&b1, f->key[K_5371], "53.71", 1, 0, NULL, 0, c1, 1, a1, 1);
	build(&b2, f->key[K_5371], "53.71", 2, 0, NULL, 0, c2, 2, NULL, 0);
	build(&b3, f->key[K_53], "53", 1, 0, NULL, 0, NULL, 0, a2, 1);
	assert_int_equal(gt_store_workflow_state_get(f->st, "KK", "202401", "53.71", &state_v), 0);
	assert_int_equal(state_v, GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN);

	fill_in(&in, &b1, 1000);
	in.action_states = st1;
	assert_int_equal(gt_store_batch_apply(f->st, &in, &out), 0);
	assert_int_equal(out.completions.imported, 1);
	assert_int_equal(out.actions.imported, 1);
	gt_store_batch_out_free(&out);
	assert_int_equal(gt_store_workflow_state_get(f->st, "KK", "202401", "53.71", &state_v), 0);
	assert_int_equal(state_v, GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED);

	assert_int_equal(apply(f->st, &b2, 2000, &out), 0);
	assert_int_equal(out.completions.updated, 1);
	assert_int_equal(out.completions.deleted, 1);
	gt_store_batch_out_free(&out);

	fill_in(&in, &b3, 3000);
	in.action_states = st2;
	assert_int_equal(gt_store_batch_apply(f->st, &in, &out), 0);
	gt_store_batch_out_free(&out);
	assert_int_equal(gt_store_workflow_state_get(f->st, "KK", "202401", "53.71", &state_v), 0);
	assert_int_equal(state_v, GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED);
	assert_int_equal(gt_store_workflow_events(f->st, "KK", "202401", "53.71", event_cb, &n), 0);
	assert_int_equal(n, 2);
	unbuild(&b1);
	unbuild(&b2);
	unbuild(&b3);
}

/* ---- Rebuild --------------------------------------------------------------------------- */

/* The caller's verdicts, recomputed the same way on rebuild: "bad" is a wrong value type. */
static uint8_t *verdicts_for(const gt_batch *b)
{
	uint8_t *v = calloc(b->n_values + 1, 1);

	assert_non_null(v);
	for (size_t i = 0; i < b->n_values; i++)
		if (strcmp(b->values[i]->value, "bad") == 0)
			v[i] = REASON(WRONG_VALUE_TYPE);
	return v;
}

static uint8_t *states_for(const gt_batch *b)
{
	uint8_t *s = calloc(b->n_actions + 1, 1);

	assert_non_null(s);
	for (size_t i = 0; i < b->n_actions; i++)
		s[i] = (uint8_t)(b->actions[i]->kind + 1);
	return s;
}

static int apply_with_rules(struct gt_store *st, const struct built *b, int64_t at)
{
	struct gt_store_batch_in in;
	struct gt_store_batch_out out;
	int rc;

	fill_in(&in, b, at);
	in.value_verdicts = verdicts_for(b->dec);
	in.action_states = states_for(b->dec);
	rc = gt_store_batch_apply(st, &in, &out);
	free((void *)in.value_verdicts);
	free((void *)in.action_states);
	gt_store_batch_out_free(&out);
	return rc;
}

struct replay {
	struct gt_store *st;
	size_t n;
};

static int replay_cb(void *arg, const struct gt_store_log_entry *e)
{
	struct replay *r = arg;
	struct gt_store_batch_in in;
	struct gt_store_batch_out out;
	uint8_t hash[GT_SHA256_LEN];
	gt_batch *b = NULL;
	int rc;

	assert_int_equal(gt_crypto_sha256(e->batch, e->len, hash), 0);
	assert_memory_equal(hash, e->hash, GT_SHA256_LEN);
	assert_int_equal(gt_wire_batch_decode(e->batch, e->len, NULL, &b), 0);
	memset(&in, 0, sizeof(in));
	in.hash = e->hash;
	in.batch = b;
	in.received_at_ms = e->received_at_ms;
	in.replay = 1;
	in.log_index = e->log_index;
	in.value_verdicts = verdicts_for(b);
	in.action_states = states_for(b);
	rc = gt_store_batch_apply(r->st, &in, &out);
	assert_int_equal(out.log_index, e->log_index);
	free((void *)in.value_verdicts);
	free((void *)in.action_states);
	gt_store_batch_out_free(&out);
	gt_wire_batch_free(b);
	r->n++;
	return rc;
}

static void rebuild_equals(void **state)
{
	struct fixture *f = *state;
	enum { N = 24 };
	const char *elements[] = {"KK_KORBAN", "KK_LP", "KK_SIDIK"};
	const char *periods[] = {"202401", "202402", "202403"};
	const char *cocs[] = {"PD", "AP", "LD", "AL"};
	struct built b[N];
	struct val v[16];
	char values[N][16][16];
	struct replay r = {f->st, 0};
	char *before, *before_d, *after, *after_d;
	uint64_t count;

	/* Overlapping keys, rising and falling revisions, deletes, bad values, actions. */
	for (int i = 0; i < N; i++) {
		int k = i % N_KEYS;
		struct comp c = {"KK", periods[i % 3], key_org[k], i % 2};
		struct act a = {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT + i % 5, "KK",
		                periods[i % 3], key_org[k], "alasan"};

		for (int j = 0; j < 16; j++) {
			snprintf(values[i][j], sizeof(values[i][j]), "%d", i * 100 + j);
			v[j] = (struct val){elements[j % 3],  periods[(i + j) % 3],
			                    key_org[k],       cocs[j % 4],
			                    values[i][j],     (uint64_t)((i * 7 + j) % 5),
			                    (i + j) % 11 == 0};
			if ((i + j) % 13 == 0)
				v[j].value = "bad";
		}
		build(&b[i], f->key[k], key_org[k], (uint64_t)(i / N_KEYS + 1), 0, v, 16, &c, 1, &a,
		      1);
	}
	assert_int_equal(gt_store_begin(f->st), 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(apply_with_rules(f->st, &b[i], 1000 + i * 10), 0);
	assert_int_equal(gt_store_commit(f->st), 0);
	before = dump(f->path, DUMP_VALUES_FULL);
	before_d = dump(f->path, DUMP_DERIVED);
	assert_true(strlen(before) > 100);
	assert_non_null(strstr(before_d, "\ne|"));
	assert_non_null(strstr(before_d, "\ns|"));

	/* A rebuild rolled back keeps the tables. */
	assert_int_equal(gt_store_rebuild_begin(f->st), 0);
	assert_int_equal(gt_store_rollback(f->st), 0);
	after = dump(f->path, DUMP_VALUES_FULL);
	assert_string_equal(before, after);
	free(after);

	assert_int_equal(gt_store_rebuild_begin(f->st), 0);
	assert_int_equal(gt_store_log_foreach(f->st, 0, replay_cb, &r), 0);
	assert_int_equal(gt_store_commit(f->st), 0);
	assert_int_equal(r.n, N);
	after = dump(f->path, DUMP_VALUES_FULL);
	after_d = dump(f->path, DUMP_DERIVED);
	assert_string_equal(before, after);
	assert_string_equal(before_d, after_d);
	assert_int_equal(gt_store_log_count(f->st, &count), 0);
	assert_int_equal(count, N); /* replay does not append */
	free(before);
	free(before_d);
	free(after);
	free(after_d);
	for (int i = 0; i < N; i++)
		unbuild(&b[i]);
}

/* ---- Pull ------------------------------------------------------------------------------ */

/* Accumulates pulled items as text lines "seq kind key=value", latest per key wins. */
struct pulled {
	char *lines[256];
	size_t n;
	uint64_t last_seq;
};

static void pulled_add(struct pulled *p, const char *key, const char *val, uint64_t seq)
{
	char *line = NULL;

	assert_true(seq > p->last_seq); /* change_seq order */
	p->last_seq = seq;
	assert_true(asprintf(&line, "%s=%s", key, val) > 0);
	for (size_t i = 0; i < p->n; i++) {
		if (strncmp(p->lines[i], key, strlen(key)) == 0 &&
		    p->lines[i][strlen(key)] == '=') {
			free(p->lines[i]);
			p->lines[i] = line;
			return;
		}
	}
	assert_true(p->n < 256);
	p->lines[p->n++] = line;
}

static void pulled_take(struct pulled *p, const struct gt_store_pull_out *out)
{
	size_t iv = 0, ic = 0, is = 0;
	char key[128], val[64];

	/* Walk the three lists merged by change_seq, as a server would send them. */
	for (;;) {
		uint64_t best = UINT64_MAX;
		int which = -1;

		if (iv < out->n_values && out->values[iv].change_seq < best)
			best = out->values[iv].change_seq, which = 0;
		if (ic < out->n_completions && out->completions[ic].change_seq < best)
			best = out->completions[ic].change_seq, which = 1;
		if (is < out->n_states && out->states[is].change_seq < best)
			best = out->states[is].change_seq, which = 2;
		if (which < 0)
			break;
		if (which == 0) {
			const struct gt_store_value *v = &out->values[iv++];
			snprintf(key, sizeof(key), "v %s %s %s %s", v->data_element, v->period,
			         v->org_unit, v->coc);
			snprintf(val, sizeof(val), "%s/%llu", v->value,
			         (unsigned long long)v->revision);
		} else if (which == 1) {
			const struct gt_store_completion *c = &out->completions[ic++];
			snprintf(key, sizeof(key), "c %s %s %s", c->dataset, c->period,
			         c->org_unit);
			snprintf(val, sizeof(val), "%d", c->completed);
		} else {
			const struct gt_store_wfstate *w = &out->states[is++];
			snprintf(key, sizeof(key), "s %s %s %s", w->dataset, w->period,
			         w->org_unit);
			snprintf(val, sizeof(val), "%d", w->state);
		}
		pulled_add(p, key, val, best);
	}
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns the accumulated set as one sorted string; caller frees. */
static char *pulled_text(struct pulled *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	qsort(p->lines, p->n, sizeof(p->lines[0]), cmp_line);
	for (size_t i = 0; i < p->n; i++) {
		fprintf(m, "%s\n", p->lines[i]);
		free(p->lines[i]);
	}
	fclose(m);
	p->n = 0;
	p->last_seq = 0;
	return text;
}

static void fill_pull_data(struct fixture *f)
{
	static char texts[64][16];
	static const char *const months[10] = {"202401", "202402", "202403", "202404", "202405",
	                                       "202406", "202407", "202408", "202409", "202410"};
	struct val v[10];
	struct built b;
	struct gt_store_batch_out out;
	int t = 0;
	const struct comp c = {"KK", "202401", "53.71", 1};
	const struct act a = {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT, "KK", "202401", "53.71",
	                      NULL};
	const uint8_t st1[] = {GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED};
	const int per_key[N_KEYS] = {10, 10, 3, 5};

	for (int k = 0; k < N_KEYS; k++) {
		struct gt_store_batch_in in;

		for (int j = 0; j < per_key[k]; j++) {
			snprintf(texts[t], sizeof(texts[t]), "%d", t);
			v[j] = (struct val){j % 2 ? "KK_LP" : "KK_KORBAN",
			                    months[j],
			                    key_org[k],
			                    "",
			                    texts[t],
			                    1,
			                    0};
			t++;
		}
		build(&b, f->key[k], key_org[k], 1, 0, v, (size_t)per_key[k], k == 0 ? &c : NULL,
		      k == 0, k == 0 ? &a : NULL, k == 0);
		fill_in(&in, &b, 1000 + k);
		in.action_states = k == 0 ? st1 : NULL;
		assert_int_equal(gt_store_batch_apply(f->st, &in, &out), 0);
		gt_store_batch_out_free(&out);
		unbuild(&b);
	}
}

static char *pull_all(struct gt_store *st, const char *root, const struct gt_store_pull_filter *flt,
                      size_t *items)
{
	struct pulled p = {0};
	struct gt_store_pull_out out;

	assert_int_equal(gt_store_pull(st, root, 0, 0, flt, &out), 0);
	assert_false(out.more);
	*items = out.n_values + out.n_completions + out.n_states;
	pulled_take(&p, &out);
	gt_store_pull_free(&out);
	return pulled_text(&p);
}

static void pull_chunks(void **state)
{
	struct fixture *f = *state;
	struct pulled p = {0};
	struct gt_store_pull_out out;
	uint64_t cursor = 0;
	size_t items, chunks = 0;
	char *all, *chunked, *everything;
	struct built b;

	fill_pull_data(f);
	all = pull_all(f->st, "53", NULL, &items);
	assert_int_equal(items, 10 + 10 + 3 + 1 + 1); /* values of 53.71, 53.01, 53, c, s */
	assert_null(strstr(all, "11.01"));
	assert_non_null(strstr(all, "c KK 202401 53.71=1"));
	assert_non_null(strstr(all, "s KK 202401 53.71=2"));
	everything = pull_all(f->st, "ID", NULL, &items);
	assert_int_equal(items, 30);
	free(everything);

	do {
		assert_int_equal(gt_store_pull(f->st, "53", cursor, 7, NULL, &out), 0);
		assert_true(out.n_values + out.n_completions + out.n_states <= 7);
		assert_true(out.next_cursor > cursor);
		pulled_take(&p, &out);
		cursor = out.next_cursor;
		chunks++;
		if (chunks == 1) {
			/* A value of chunk 1 changes: it must come again later. */
			const struct val v[] = {
			    {"KK_KORBAN", "202401", "53.71", "", "changed", 2, 0}};

			assert_int_equal(out.values[0].change_seq, 1);
			assert_string_equal(out.values[0].org_unit, "53.71");
			build(&b, f->key[K_5371], "53.71", 2, 0, v, 1, NULL, 0, NULL, 0);
			struct gt_store_batch_out o;
			assert_int_equal(apply(f->st, &b, 5000, &o), 0);
			assert_int_equal(o.values.updated, 1);
			gt_store_batch_out_free(&o);
			unbuild(&b);
		}
		if (!out.more)
			assert_true(out.n_values + out.n_completions + out.n_states <= 7);
		int more = out.more;
		gt_store_pull_free(&out);
		if (!more)
			break;
	} while (chunks < 20);
	assert_int_equal(chunks, 4); /* 26 changes in chunks of 7 */
	chunked = pulled_text(&p);
	free(all);
	all = pull_all(f->st, "53", NULL, &items);
	assert_string_equal(chunked, all);
	assert_non_null(strstr(all, "v KK_KORBAN 202401 53.71 =changed/2"));

	/* Nothing new: an empty chunk that keeps the cursor. */
	assert_int_equal(gt_store_pull(f->st, "53", cursor, 7, NULL, &out), 0);
	assert_int_equal(out.n_values + out.n_completions + out.n_states, 0);
	assert_int_equal(out.next_cursor, cursor);
	assert_false(out.more);
	gt_store_pull_free(&out);
	gt_store_pull_free(NULL);
	free(all);
	free(chunked);
}

static void pull_filters_and_scope(void **state)
{
	struct fixture *f = *state;
	const char *only_lp[] = {"KK_LP"};
	const char *weird[] = {"a\"b\\c"};
	struct gt_store_pull_filter flt = {only_lp, 1, "NONE"};
	struct gt_store_pull_out out;
	size_t items;
	char *t;

	fill_pull_data(f);
	t = pull_all(f->st, "53.71", NULL, &items);
	assert_int_equal(items, 12);
	free(t);
	t = pull_all(f->st, "53.71", &flt, &items);
	assert_int_equal(items, 5); /* KK_LP values only; no completion or state of "NONE" */
	assert_null(strstr(t, "KK_KORBAN"));
	free(t);
	flt.elements = weird;
	t = pull_all(f->st, "ID", &flt, &items);
	assert_int_equal(items, 0);
	free(t);
	t = pull_all(f->st, "11", NULL, &items);
	assert_int_equal(items, 5);
	free(t);
	t = pull_all(f->st, "12", NULL, &items);
	assert_int_equal(items, 0);
	free(t);
	assert_int_equal(gt_store_pull(f->st, "53.7", 0, 0, NULL, &out), GT_EINVAL);
	assert_int_equal(gt_store_pull(f->st, "5", 0, 0, NULL, &out), GT_EINVAL);
	assert_int_equal(out.n_values, 0);
}

static void reader_sees_commits_only(void **state)
{
	struct fixture *f = *state;
	const struct val v[] = {{"KK_LP", "202401", "53.71", "", "1", 1, 0}};
	struct gt_store *ro = NULL;
	struct gt_store_pull_out out;
	struct gt_store_batch_out bo;
	struct built b;
	uint64_t seq;

	assert_int_equal(gt_store_open_readonly(f->path, &ro), 0);
	build(&b, f->key[K_5371], "53.71", 1, 0, v, 1, NULL, 0, NULL, 0);
	assert_int_equal(gt_store_begin(f->st), 0);
	assert_int_equal(apply(f->st, &b, 1000, &bo), 0);
	gt_store_batch_out_free(&bo);
	assert_int_equal(gt_store_pull(ro, "ID", 0, 0, NULL, &out), 0);
	assert_int_equal(out.n_values, 0);
	gt_store_pull_free(&out);
	assert_int_equal(gt_store_change_seq(ro, &seq), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(gt_store_commit(f->st), 0);
	assert_int_equal(gt_store_pull(ro, "ID", 0, 0, NULL, &out), 0);
	assert_int_equal(out.n_values, 1);
	assert_string_equal(out.values[0].value, "1");
	assert_memory_equal(out.values[0].origin_batch, b.hash, GT_SHA256_LEN);
	assert_int_equal(out.values[0].updated_at_ms, 1000);
	gt_store_pull_free(&out);
	assert_int_equal(gt_store_change_seq(ro, &seq), 0);
	assert_int_equal(seq, 1);
	gt_store_close(ro);
	unbuild(&b);
}

/* ---- Report primitives ------------------------------------------------------------------ */

struct sums {
	char text[1024];
	size_t len;
};

static int sum_cb(void *arg, const char *de, const char *coc, const char *child, double sum,
                  uint32_t count)
{
	struct sums *s = arg;

	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s %s %s %g %u\n",
	                           de, coc, child != NULL ? child : "-", sum, count);
	return 0;
}

static int unit_cb(void *arg, const char *ou, uint32_t count, int64_t first, int64_t last)
{
	struct sums *s = arg;

	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s %u %lld %lld\n",
	                           ou, count, (long long)first, (long long)last);
	return 0;
}

static int completed_cb(void *arg, const char *ou, const char *pe, int64_t at)
{
	struct sums *s = arg;

	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s %s %lld\n", ou,
	                           pe, (long long)at);
	return 0;
}

static int value_cb(void *arg, const struct gt_store_value *v)
{
	struct sums *s = arg;

	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s %s %s %s\n",
	                           v->org_unit, v->period, v->coc, v->value);
	return 0;
}

static void sums_and_units(void **state)
{
	struct fixture *f = *state;
	const struct val v71[] = {
	    {"KK_KORBAN", "202401", "53.71", "PD", "3", 1, 0},
	    {"KK_KORBAN", "202401", "53.71", "AP", "1", 1, 0},
	    {"KK_KORBAN", "202402", "53.71", "PD", "2", 1, 0},
	    {"KK_KORBAN", "202404", "53.71", "PD", "1000", 1, 0}, /* outside Q1 */
	    {"KK_KORBAN", "202403", "53.71", "AP", "abc", 1, 0},  /* not a number */
	    {"KK_LP", "202401", "53.71", "", "50", 1, 0},         /* other element */
	};
	const struct val v01[] = {
	    {"KK_KORBAN", "202401", "53.01", "PD", "5", 1, 0},
	    {"KK_KORBAN", "202402", "53.01", "AP", "4", 1, 1}, /* deleted */
	};
	const struct val v53[] = {{"KK_KORBAN", "202401", "53", "PD", "100", 1, 0}};
	const struct val v11[] = {{"KK_KORBAN", "202403", "11.01", "PD", "7", 1, 0}};
	const struct comp c71[] = {{"KK", "202401", "53.71", 1}};
	const struct comp c01[] = {{"KK", "202401", "53.01", 0}};
	const char *elements[] = {"KK_KORBAN"};
	const char *q1[] = {"202401", "202402", "202403"};
	struct gt_store_report_query q = {"ID", elements, 1, q1, 3, 0};
	struct built b[4];
	struct gt_store_batch_out out;
	struct sums s;

	build(&b[0], f->key[K_5371], "53.71", 1, 0, v71, 6, c71, 1, NULL, 0);
	build(&b[1], f->key[K_5301], "53.01", 1, 0, v01, 2, c01, 1, NULL, 0);
	build(&b[2], f->key[K_53], "53", 1, 0, v53, 1, NULL, 0, NULL, 0);
	build(&b[3], f->key[K_1101], "11.01", 1, 0, v11, 1, NULL, 0, NULL, 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(apply(f->st, &b[i], 1000 * (i + 1), &out), 0);
		gt_store_batch_out_free(&out);
	}

	memset(&s, 0, sizeof(s));
	assert_int_equal(gt_store_sum(f->st, &q, sum_cb, &s), 0);
	assert_string_equal(s.text, "KK_KORBAN AP - 1 1\nKK_KORBAN PD - 117 5\n");

	memset(&s, 0, sizeof(s));
	q.by_child = 1;
	assert_int_equal(gt_store_sum(f->st, &q, sum_cb, &s), 0);
	assert_string_equal(s.text, "KK_KORBAN AP 53 1 1\nKK_KORBAN PD 11 7 1\n"
	                            "KK_KORBAN PD 53 110 4\n");

	memset(&s, 0, sizeof(s));
	q.org_root = "53";
	assert_int_equal(gt_store_sum(f->st, &q, sum_cb, &s), 0);
	assert_string_equal(s.text, "KK_KORBAN AP 53.71 1 1\nKK_KORBAN PD 53 100 1\n"
	                            "KK_KORBAN PD 53.01 5 1\nKK_KORBAN PD 53.71 5 2\n");

	memset(&s, 0, sizeof(s));
	q.org_root = "53.71";
	q.by_child = 0;
	q.n_periods = 1;
	assert_int_equal(gt_store_sum(f->st, &q, sum_cb, &s), 0);
	assert_string_equal(s.text, "KK_KORBAN AP - 1 1\nKK_KORBAN PD - 3 1\n");

	/* Nothing asked, nothing summed; a bad root is an error. */
	memset(&s, 0, sizeof(s));
	q.n_periods = 0;
	assert_int_equal(gt_store_sum(f->st, &q, sum_cb, &s), 0);
	assert_int_equal(s.len, 0);
	q.org_root = "X";
	q.n_periods = 3;
	assert_int_equal(gt_store_sum(f->st, &q, sum_cb, &s), GT_EINVAL);

	/* Which units reported (non-deleted values), when first and last. */
	memset(&s, 0, sizeof(s));
	q.org_root = "53";
	assert_int_equal(gt_store_reported_units(f->st, &q, unit_cb, &s), 0);
	assert_string_equal(s.text, "53 1 3000 3000\n53.01 1 2000 2000\n53.71 4 1000 1000\n");

	memset(&s, 0, sizeof(s));
	assert_int_equal(gt_store_completed_units(f->st, &q, "KK", completed_cb, &s), 0);
	assert_string_equal(s.text, "53.71 202401 1000\n");

	memset(&s, 0, sizeof(s));
	q.org_root = "53.71";
	assert_int_equal(gt_store_values_foreach(f->st, &q, value_cb, &s), 0);
	assert_string_equal(s.text, "53.71 202401 AP 1\n53.71 202401 PD 3\n53.71 202402 PD 2\n"
	                            "53.71 202403 AP abc\n");
	for (int i = 0; i < 4; i++)
		unbuild(&b[i]);
}

static void bad_input(void **state)
{
	struct fixture *f = *state;
	const struct val v[] = {{"KK_LP", "202401", "53.71", "", "1", 1, 0}};
	struct built b;
	struct gt_store_batch_in in;
	struct gt_store_batch_out out;

	build(&b, f->key[K_5371], "53.71", 1, 0, v, 1, NULL, 0, NULL, 0);
	fill_in(&in, &b, 1);
	in.hash = NULL;
	assert_int_equal(gt_store_batch_apply(f->st, &in, &out), GT_EINVAL);
	assert_int_equal(out.status, STATUS(REFUSED));
	fill_in(&in, &b, 1);
	in.signature = NULL;
	assert_int_equal(gt_store_batch_apply(f->st, &in, &out), GT_EINVAL);
	fill_in(&in, &b, 1);
	b.dec->sequence = (uint64_t)INT64_MAX + 1;
	assert_int_equal(gt_store_batch_apply(f->st, &in, &out), GT_EINVAL);
	b.dec->sequence = 1;
	b.dec->values[0]->revision = (uint64_t)INT64_MAX + 1; /* sqlite compares signed */
	assert_int_equal(gt_store_batch_apply(f->st, &in, &out), GT_EINVAL);
	b.dec->values[0]->revision = INT64_MAX;
	assert_int_equal(gt_store_batch_apply(f->st, &in, &out), 0);
	assert_int_equal(out.values.imported, 1);
	gt_store_batch_out_free(&out);
	assert_int_equal(gt_store_batch_apply(f->st, NULL, &out), GT_EINVAL);
	assert_int_equal(scalar(f, "SELECT count(*) FROM batch_log"), 1);
	unbuild(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(apply_counts_and_log, setup, teardown),
	    cmocka_unit_test_setup_teardown(duplicate_and_sequence_reuse, setup, teardown),
	    cmocka_unit_test_setup_teardown(higher_revision_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(equal_revision_tie_break, setup, teardown),
	    cmocka_unit_test_setup_teardown(soft_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(verdicts_grouped, setup, teardown),
	    cmocka_unit_test_setup_teardown(savepoint_isolation, setup, teardown),
	    cmocka_unit_test_setup_teardown(completions_and_actions, setup, teardown),
	    cmocka_unit_test_setup_teardown(rebuild_equals, setup, teardown),
	    cmocka_unit_test_setup_teardown(pull_chunks, setup, teardown),
	    cmocka_unit_test_setup_teardown(pull_filters_and_scope, setup, teardown),
	    cmocka_unit_test_setup_teardown(reader_sees_commits_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(sums_and_units, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_input, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
