/* Tests for server/store_batch.c and store_query.c: the log and outcomes, items, pull and sums
 * (batches go in through the rules; their semantics are tests/unit/server/test_rules.c). */
#define _GNU_SOURCE
/* Item tables name the leading fields only. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
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
#include "rules.h"
#include "snapshot.h"
#include "store.h"
#include "storefx.h"
#include "testbatch.h"
#include "testutil.h"
#include "wire.h"

#define REASON(x) GTSYNC__V1__CONFLICT_REASON__CONFLICT_##x
#define KIND(x)   GTSYNC__V1__ITEM_KIND__ITEM_##x
#define STATUS(x) GTSYNC__V1__PUSH_STATUS__PUSH_##x

/* Keys registered by the fixture, one per org unit. */
enum { K_5371, K_5301, K_53, K_1101, N_KEYS };
static const char *const key_org[N_KEYS] = {"53.71", "53.01", "53", "11.01"};

struct fixture {
	struct gt_storefx fx; /* the store and its directory */
	struct gt_snapshot *snap;
	char key[N_KEYS][GT_KEY_ID_LEN + 1];
};

static void prepare(struct gt_store *st, char key[N_KEYS][GT_KEY_ID_LEN + 1])
{
	const char *csv = "code,name,level\n53,Nusa Tenggara Timur,province\n"
	                  "53.71,Kota Kupang,district\n53.01,Kabupaten Kupang,district\n"
	                  "11,Aceh,province\n11.01,Kabupaten Simeulue,district\n";

	gt_storefx_units_keys(st, csv, key_org, N_KEYS, key);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	gt_storefx_open(&f->fx, "batch");
	prepare(f->fx.st, f->key);
	gt_test_store_metadata(f->fx.st);
	assert_int_equal(gt_snapshot_load(f->fx.st, &f->snap), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gt_snapshot_unref(f->snap);
	gt_storefx_close(&f->fx);
	free(f);
	return 0;
}

/* ---- Applying batches through the rules (without metadata checks) ------------------------ */

static int apply(struct fixture *f, struct gt_store *st, const struct gt_test_built *b, int64_t at,
                 struct gt_store_batch_out *out)
{
	struct gt_rules_batch in;

	gt_test_rules_in(&in, f->snap, b, at);
	return gt_rules_apply(st, &in, out);
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
	char *t = dump(f->fx.path, sql);
	long long v = atoll(t);

	free(t);
	return v;
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
	struct gt_test_val v[10];
	struct gt_test_built b;
	struct gt_store_batch_out out;
	int t = 0;
	const struct gt_test_comp c = {"KK", "202401", "53.71", 1};
	const struct gt_test_act a = {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT, "KK", "202401",
	                              "53.71", NULL};
	const int per_key[N_KEYS] = {10, 10, 3, 5};

	for (int k = 0; k < N_KEYS; k++) {
		for (int j = 0; j < per_key[k]; j++) {
			snprintf(texts[t], sizeof(texts[t]), "%d", t);
			v[j] = (struct gt_test_val){j % 2 ? "KK_LP" : "KK_KORBAN",
			                            months[j],
			                            key_org[k],
			                            "",
			                            texts[t],
			                            1,
			                            0};
			t++;
		}
		gt_test_build(&b, f->key[k], key_org[k], 1, 0, v, (size_t)per_key[k],
		              k == 0 ? &c : NULL, k == 0, k == 0 ? &a : NULL, k == 0);
		assert_int_equal(apply(f, f->fx.st, &b, 1000 + k, &out), 0);
		gt_store_batch_out_free(&out);
		gt_test_unbuild(&b);
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
	struct gt_test_built b;

	fill_pull_data(f);
	all = pull_all(f->fx.st, "53", NULL, &items);
	assert_int_equal(items, 10 + 10 + 3 + 1 + 1); /* values of 53.71, 53.01, 53, c, s */
	assert_null(strstr(all, "11.01"));
	assert_non_null(strstr(all, "c KK 202401 53.71=1"));
	assert_non_null(strstr(all, "s KK 202401 53.71=2"));
	everything = pull_all(f->fx.st, "ID", NULL, &items);
	assert_int_equal(items, 30);
	free(everything);

	do {
		assert_int_equal(gt_store_pull(f->fx.st, "53", cursor, 7, NULL, &out), 0);
		assert_true(out.n_values + out.n_completions + out.n_states <= 7);
		assert_true(out.next_cursor > cursor);
		pulled_take(&p, &out);
		cursor = out.next_cursor;
		chunks++;
		if (chunks == 1) {
			/* A value of chunk 1 changes: it must come again later. */
			const struct gt_test_val v[] = {
			    {"KK_KORBAN", "202401", "53.71", "", "changed", 2, 0}};

			assert_true(out.values[0].change_seq <=
			            3); /* after the action's event and state */
			assert_string_equal(out.values[0].org_unit, "53.71");
			gt_test_build(&b, f->key[K_5371], "53.71", 2, 0, v, 1, NULL, 0, NULL, 0);
			struct gt_store_batch_out o;
			assert_int_equal(apply(f, f->fx.st, &b, 5000, &o), 0);
			assert_int_equal(o.values.updated, 1);
			gt_store_batch_out_free(&o);
			gt_test_unbuild(&b);
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
	all = pull_all(f->fx.st, "53", NULL, &items);
	assert_string_equal(chunked, all);
	assert_non_null(strstr(all, "v KK_KORBAN 202401 53.71 =changed/2"));

	/* Nothing new: an empty chunk that keeps the cursor. */
	assert_int_equal(gt_store_pull(f->fx.st, "53", cursor, 7, NULL, &out), 0);
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
	t = pull_all(f->fx.st, "53.71", NULL, &items);
	assert_int_equal(items, 12);
	free(t);
	t = pull_all(f->fx.st, "53.71", &flt, &items);
	assert_int_equal(items, 5); /* KK_LP values only; no completion or state of "NONE" */
	assert_null(strstr(t, "KK_KORBAN"));
	free(t);
	flt.elements = weird;
	t = pull_all(f->fx.st, "ID", &flt, &items);
	assert_int_equal(items, 0);
	free(t);
	t = pull_all(f->fx.st, "11", NULL, &items);
	assert_int_equal(items, 5);
	free(t);
	t = pull_all(f->fx.st, "12", NULL, &items);
	assert_int_equal(items, 0);
	free(t);
	assert_int_equal(gt_store_pull(f->fx.st, "53.7", 0, 0, NULL, &out), GT_EINVAL);
	assert_int_equal(gt_store_pull(f->fx.st, "5", 0, 0, NULL, &out), GT_EINVAL);
	assert_int_equal(out.n_values, 0);
}

static void reader_sees_commits_only(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val v[] = {{"KK_LP", "202401", "53.71", "", "1", 1, 0}};
	struct gt_store *ro = NULL;
	struct gt_store_pull_out out;
	struct gt_store_batch_out bo;
	struct gt_test_built b;
	uint64_t seq;

	assert_int_equal(gt_store_open_readonly(f->fx.path, &ro), 0);
	gt_test_build(&b, f->key[K_5371], "53.71", 1, 0, v, 1, NULL, 0, NULL, 0);
	assert_int_equal(gt_store_begin(f->fx.st), 0);
	assert_int_equal(apply(f, f->fx.st, &b, 1000, &bo), 0);
	gt_store_batch_out_free(&bo);
	assert_int_equal(gt_store_pull(ro, "ID", 0, 0, NULL, &out), 0);
	assert_int_equal(out.n_values, 0);
	gt_store_pull_free(&out);
	assert_int_equal(gt_store_change_seq(ro, &seq), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(gt_store_commit(f->fx.st), 0);
	assert_int_equal(gt_store_pull(ro, "ID", 0, 0, NULL, &out), 0);
	assert_int_equal(out.n_values, 1);
	assert_string_equal(out.values[0].value, "1");
	assert_memory_equal(out.values[0].origin_batch, b.hash, GT_SHA256_LEN);
	assert_int_equal(out.values[0].updated_at_ms, 1000);
	gt_store_pull_free(&out);
	assert_int_equal(gt_store_change_seq(ro, &seq), 0);
	assert_int_equal(seq, 1);
	gt_store_close(ro);
	gt_test_unbuild(&b);
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
	const struct gt_test_val v71[] = {
	    {"KK_KORBAN", "202401", "53.71", "PD", "3", 1, 0},
	    {"KK_KORBAN", "202401", "53.71", "AP", "1", 1, 0},
	    {"KK_KORBAN", "202402", "53.71", "PD", "2", 1, 0},
	    {"KK_KORBAN", "202404", "53.71", "PD", "1000", 1, 0}, /* outside Q1 */
	    {"KK_KORBAN", "202403", "53.71", "AP", "abc", 1, 0},  /* not a number */
	    {"KK_LP", "202401", "53.71", "", "50", 1, 0},         /* other element */
	};
	const struct gt_test_val v01[] = {
	    {"KK_KORBAN", "202401", "53.01", "PD", "5", 1, 0},
	    {"KK_KORBAN", "202402", "53.01", "AP", "4", 1, 1}, /* deleted */
	};
	const struct gt_test_val v53[] = {{"KK_KORBAN", "202401", "53", "PD", "100", 1, 0}};
	const struct gt_test_val v11[] = {{"KK_KORBAN", "202403", "11.01", "PD", "7", 1, 0}};
	const struct gt_test_comp c71[] = {{"KK", "202401", "53.71", 1}};
	const struct gt_test_comp c01[] = {{"KK", "202401", "53.01", 0}};
	const char *elements[] = {"KK_KORBAN"};
	const char *q1[] = {"202401", "202402", "202403"};
	struct gt_store_report_query q = {"ID", elements, 1, q1, 3, 0};
	struct gt_test_built b[4];
	struct gt_store_batch_out out;
	struct sums s;

	gt_test_build(&b[0], f->key[K_5371], "53.71", 1, 0, v71, 6, c71, 1, NULL, 0);
	gt_test_build(&b[1], f->key[K_5301], "53.01", 1, 0, v01, 2, c01, 1, NULL, 0);
	gt_test_build(&b[2], f->key[K_53], "53", 1, 0, v53, 1, NULL, 0, NULL, 0);
	gt_test_build(&b[3], f->key[K_1101], "11.01", 1, 0, v11, 1, NULL, 0, NULL, 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(apply(f, f->fx.st, &b[i], 1000 * (i + 1), &out), 0);
		gt_store_batch_out_free(&out);
	}

	memset(&s, 0, sizeof(s));
	assert_int_equal(gt_store_sum(f->fx.st, &q, sum_cb, &s), 0);
	assert_string_equal(s.text, "KK_KORBAN AP - 1 1\nKK_KORBAN PD - 117 5\n");

	memset(&s, 0, sizeof(s));
	q.by_child = 1;
	assert_int_equal(gt_store_sum(f->fx.st, &q, sum_cb, &s), 0);
	assert_string_equal(s.text, "KK_KORBAN AP 53 1 1\nKK_KORBAN PD 11 7 1\n"
	                            "KK_KORBAN PD 53 110 4\n");

	memset(&s, 0, sizeof(s));
	q.org_root = "53";
	assert_int_equal(gt_store_sum(f->fx.st, &q, sum_cb, &s), 0);
	assert_string_equal(s.text, "KK_KORBAN AP 53.71 1 1\nKK_KORBAN PD 53 100 1\n"
	                            "KK_KORBAN PD 53.01 5 1\nKK_KORBAN PD 53.71 5 2\n");

	memset(&s, 0, sizeof(s));
	q.org_root = "53.71";
	q.by_child = 0;
	q.n_periods = 1;
	assert_int_equal(gt_store_sum(f->fx.st, &q, sum_cb, &s), 0);
	assert_string_equal(s.text, "KK_KORBAN AP - 1 1\nKK_KORBAN PD - 3 1\n");

	/* Nothing asked, nothing summed; a bad root is an error. */
	memset(&s, 0, sizeof(s));
	q.n_periods = 0;
	assert_int_equal(gt_store_sum(f->fx.st, &q, sum_cb, &s), 0);
	assert_int_equal(s.len, 0);
	q.org_root = "X";
	q.n_periods = 3;
	assert_int_equal(gt_store_sum(f->fx.st, &q, sum_cb, &s), GT_EINVAL);

	/* Which units reported (non-deleted values), when first and last. */
	memset(&s, 0, sizeof(s));
	q.org_root = "53";
	assert_int_equal(gt_store_reported_units(f->fx.st, &q, unit_cb, &s), 0);
	assert_string_equal(s.text, "53 1 3000 3000\n53.01 1 2000 2000\n53.71 4 1000 1000\n");

	memset(&s, 0, sizeof(s));
	assert_int_equal(gt_store_completed_units(f->fx.st, &q, "KK", completed_cb, &s), 0);
	assert_string_equal(s.text, "53.71 202401 1000\n");

	memset(&s, 0, sizeof(s));
	q.org_root = "53.71";
	assert_int_equal(gt_store_values_foreach(f->fx.st, &q, value_cb, &s), 0);
	assert_string_equal(s.text, "53.71 202401 AP 1\n53.71 202401 PD 3\n53.71 202402 PD 2\n"
	                            "53.71 202403 AP abc\n");
	for (int i = 0; i < 4; i++)
		gt_test_unbuild(&b[i]);
}

/* The store refuses what it cannot persist faithfully. */
static void bad_input(void **state)
{
	struct fixture *f = *state;
	uint8_t hash[GT_SHA256_LEN] = {1};
	uint64_t idx = 0;
	struct gt_store_log_in li = {hash, f->key[K_5371], 1, "53.71", NULL, 0, NULL, 0, 1};
	struct gt_store_value_in v = {"KK_LP", "202401", "53.71", "", "1", "", 1, 0, hash, 1};

	li.sequence = (uint64_t)INT64_MAX + 1;
	assert_int_equal(gt_store_log_append(f->fx.st, &li, &idx), GT_EINVAL);
	li.sequence = 1;
	li.len = 3; /* bytes missing */
	assert_int_equal(gt_store_log_append(f->fx.st, &li, &idx), GT_EINVAL);
	li.len = 0;
	li.hash = NULL;
	assert_int_equal(gt_store_log_append(f->fx.st, &li, &idx), GT_EINVAL);
	v.revision = (uint64_t)INT64_MAX + 1; /* stored as a signed 64-bit integer */
	assert_int_equal(gt_store_value_put(f->fx.st, &v), GT_EINVAL);
	v.revision = INT64_MAX;
	assert_int_equal(gt_store_value_put(f->fx.st, &v), 0);
	struct gt_store_value_head h;
	assert_int_equal(gt_store_value_head(f->fx.st, "KK_LP", "202401", "53.71", "", &h), 0);
	assert_int_equal(h.exists, 1);
	assert_int_equal(h.revision, INT64_MAX);
	assert_memory_equal(h.origin_batch, hash, GT_SHA256_LEN);
	assert_int_equal(gt_store_value_head(f->fx.st, "KK_LP", "202402", "53.71", "", &h), 0);
	assert_int_equal(h.exists, 0);
	assert_int_equal(scalar(f, "SELECT count(*) FROM batch_log"), 0);
}

/* A value put in place (the caller saw the key stored) leaves the same row as the upsert:
 * creation time kept until a delete, change numbers taken; a key that is gone after all is
 * still stored (issue 17). */
static void put_in_place(void **state)
{
	struct fixture *f = *state;
	uint8_t hash[GT_SHA256_LEN] = {3};
	static const char *const vals[] = {"5", "", "7", "8"};
	static const char *const periods[] = {"202401", "202402"};

	for (int p = 0; p < 2; p++)
		for (int i = 0; i < 4; i++) {
			struct gt_store_value_in v = {
			    "KK_LP",         periods[p], "53.71", "PD",         vals[i],        "c",
			    (uint64_t)i + 1, i == 1,     hash,    10 * (i + 1), p == 1 && i > 0};
			assert_int_equal(gt_store_value_put(f->fx.st, &v), 0);
		}
	assert_int_equal(scalar(f, "SELECT count(*) FROM datavalues a, datavalues b "
	                           "WHERE a.period = '202401' AND b.period = '202402' "
	                           "AND a.value = b.value AND a.comment = b.comment "
	                           "AND a.revision = b.revision AND a.deleted = b.deleted "
	                           "AND a.num IS b.num AND a.origin_batch = b.origin_batch "
	                           "AND a.created_at_ms = b.created_at_ms "
	                           "AND a.updated_at_ms = b.updated_at_ms AND a.value = '8' "
	                           "AND a.num = 8 AND a.created_at_ms = 30 AND a.revision = 4"),
	                 1);
	assert_int_equal(scalar(f, "SELECT count(DISTINCT change_seq) FROM datavalues"), 2);
	assert_int_equal(scalar(f, "SELECT max(change_seq) FROM datavalues "
	                           "WHERE period = '202402'"),
	                 8);
	struct gt_store_value_in gone = {"KK_LP", "202403", "53.71", "PD", "9", "",
	                                 1,       0,        hash,    50,   1};
	assert_int_equal(gt_store_value_put(f->fx.st, &gone), 0);
	assert_int_equal(
	    scalar(f, "SELECT created_at_ms + change_seq FROM datavalues WHERE period = '202403'"),
	    59);
}

/* An outcome survives the store: counts, groups, indexes kept as runs, messages; and a batch
 * of which nothing applied is logged with its hash and outcome only (issue 10 item 7). */
static void outcome_and_hash_only_log(void **state)
{
	struct fixture *f = *state;
	uint8_t hash[GT_SHA256_LEN] = {7}, bytes[5000];
	uint32_t idx_a[] = {0, 1, 2, 3, 9, 10, 4000}, idx_b[] = {5};
	struct gt_store_conflict cf[] = {
	    {GTSYNC__V1__CONFLICT_REASON__CONFLICT_LOCKED_PERIOD, GTSYNC__V1__ITEM_KIND__ITEM_VALUE,
	     idx_a, 7, "value \"3\" of KK_LP for 202507 at 36.04: locked by the approved report"},
	    {GTSYNC__V1__CONFLICT_REASON__CONFLICT_INVALID_TRANSITION,
	     GTSYNC__V1__ITEM_KIND__ITEM_ACTION, idx_b, 1, ""},
	};
	struct gt_store_batch_out in = {0}, out;
	uint64_t idx = 0, found = 0;
	in.values.ignored = 7;
	in.values.imported = 2;
	in.actions.ignored = 1;
	in.conflicts = cf;
	in.n_conflicts = 2;

	memset(bytes, 'x', sizeof(bytes));
	struct gt_store_log_in li = {hash, f->key[K_5371], 3, "53.71", NULL, 0, NULL, 0, 42};
	assert_int_equal(gt_store_log_append(f->fx.st, &li, &idx), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(gt_store_log_outcome_save(f->fx.st, idx, &in), 0);
	assert_int_equal(gt_store_log_lookup(f->fx.st, hash, &found), 0);
	assert_int_equal(found, 1);
	assert_int_equal(gt_store_log_by_sequence(f->fx.st, f->key[K_5371], 3, &found), 0);
	assert_int_equal(found, 1);
	assert_int_equal(gt_store_log_by_sequence(f->fx.st, f->key[K_5371], 4, &found), 0);
	assert_int_equal(found, 0);
	/* 7 indexes in 3 runs, one message: far below the bytes of the batch. */
	assert_true(scalar(f, "SELECT length(outcome) + length(batch) FROM batch_log") < 200);
	assert_int_equal(gt_store_log_outcome_load(f->fx.st, idx, &out), 0);
	assert_int_equal(out.values.ignored, 7);
	assert_int_equal(out.values.imported, 2);
	assert_int_equal(out.actions.ignored, 1);
	assert_int_equal(out.n_conflicts, 2);
	assert_int_equal(out.conflicts[0].n_indexes, 7);
	assert_memory_equal(out.conflicts[0].indexes, idx_a, sizeof(idx_a));
	assert_string_equal(out.conflicts[0].message, cf[0].message);
	assert_int_equal(out.conflicts[1].kind, GTSYNC__V1__ITEM_KIND__ITEM_ACTION);
	assert_int_equal(out.conflicts[1].indexes[0], 5);
	assert_string_equal(out.conflicts[1].message, "");
	gt_store_batch_out_free(&out);
	/* The same hash or sequence cannot be logged twice. */
	assert_int_not_equal(gt_store_log_append(f->fx.st, &li, &idx), 0);
	/* A kept batch keeps its bytes. */
	uint8_t hash2[GT_SHA256_LEN] = {8};
	struct gt_store_log_in kept = {hash2,         f->key[K_5371], 4,  "53.71", bytes,
	                               sizeof(bytes), bytes,          64, 43};
	assert_int_equal(gt_store_log_append(f->fx.st, &kept, &idx), 0);
	assert_int_equal(scalar(f, "SELECT length(batch) FROM batch_log WHERE log_index = 2"),
	                 (long long)sizeof(bytes));
	/* A malformed outcome reads as none. */
	assert_int_equal(gt_store_log_outcome_load(f->fx.st, 2, &out), 0);
	assert_int_equal(out.n_conflicts, 0);
	assert_int_equal(out.values.ignored, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(pull_chunks, setup, teardown),
	    cmocka_unit_test_setup_teardown(pull_filters_and_scope, setup, teardown),
	    cmocka_unit_test_setup_teardown(reader_sees_commits_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(sums_and_units, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_input, setup, teardown),
	    cmocka_unit_test_setup_teardown(put_in_place, setup, teardown),
	    cmocka_unit_test_setup_teardown(outcome_and_hash_only_log, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
