/* Tests for server/store_tree.c: the transparency log kept with the batch log (issue 14):
 * its root and proofs agree with the definition, it is built when an older store migrates,
 * it rolls back with the batch, and its check finds a log or a tree changed behind it. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "error.h"
#include "key.h"
#include "logleaf.h"
#include "merkle.h"
#include "store.h"
#include "storefx.h"
#include "testutil.h"

#define N_BATCHES 37u
#define H         GT_MERKLE_HASH_LEN

struct fixture {
	struct gt_storefx fx; /* the store and its directory */
	char key[GT_KEY_ID_LEN + 1];
	struct gt_key *centre; /* the server's signing key, signing key records */
	uint8_t centre_pub[GT_ED25519_PUB_LEN];
	/* The leaf hash of each leaf, computed here: the key's registration, then the batches. */
	uint8_t leaves[N_BATCHES + 1][H];
};

/* Batch i: its hash and signature are made up (the store does not verify them); every fifth
 * is logged without its bytes, as a batch of which nothing applied is. */
static void append_batch(struct fixture *f, unsigned i)
{
	uint8_t hash[GT_SHA256_LEN], sig[GT_ED25519_SIG_LEN], bytes[16];
	uint64_t idx = 0;
	int kept = i % 5 != 4;

	memset(hash, 0, sizeof(hash));
	hash[0] = (uint8_t)i;
	hash[1] = 0xa5;
	memset(sig, (int)(i * 3 + 1), sizeof(sig));
	memset(bytes, 'b', sizeof(bytes));
	struct gt_store_log_in li = {hash,
	                             f->key,
	                             i + 1,
	                             "53.71",
	                             kept ? bytes : NULL,
	                             kept ? sizeof(bytes) : 0,
	                             kept ? sig : NULL,
	                             kept ? sizeof(sig) : 0,
	                             1000 + i};
	assert_int_equal(gt_store_log_append(f->fx.st, &li, &idx), 0);
	assert_int_equal(idx, i + 1);
	/* The leaf covers the time the server received the batch (kind 3). */
	assert_int_equal(gt_logleaf_batch_hash(hash, &li.received_at_ms, kept ? sig : NULL,
	                                       kept ? sizeof(sig) : 0, f->leaves[i + 1]),
	                 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct gt_store_import_result res;
	const char *csv = "code,name,level\n53,Nusa Tenggara Timur,province\n"
	                  "53.71,Kota Kupang,district\n";
	uint8_t pub[32];

	assert_non_null(f);
	gt_storefx_open(&f->fx, "tree");
	assert_int_equal(
	    gt_store_orgunit_import_buf(f->fx.st, (const uint8_t *)csv, strlen(csv), &res), 0);
	assert_int_equal(gt_key_generate(&f->centre), 0);
	assert_int_equal(gt_key_public(f->centre, f->centre_pub), 0);
	gt_store_set_signer(f->fx.st, f->centre);
	memset(pub, 7, sizeof(pub));
	assert_int_equal(
	    gt_store_key_add(f->fx.st, pub, "53.71", GTSYNC__V1__ROLE__ROLE_OPERATOR, 1, f->key),
	    0);
	/* The registration is leaf 0, a key record signed by the centre. */
	{
		uint8_t *entry = NULL;
		size_t len = 0;

		assert_int_equal(gt_store_tree_entry(f->fx.st, 0, &entry, &len), 0);
		assert_int_equal(entry[0], GT_LOGLEAF_KEY);
		assert_int_equal(gt_logleaf_key_verify(entry, len, f->centre_pub), 0);
		entry[len - 1] ^= 1;
		assert_int_equal(gt_logleaf_key_verify(entry, len, f->centre_pub), GT_EBADSIG);
		entry[len - 1] ^= 1;
		assert_int_equal(gt_merkle_leaf_hash(entry, len, f->leaves[0]), 0);
		free(entry);
	}
	for (unsigned i = 0; i < N_BATCHES; i++)
		append_batch(f, i);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gt_key_free(f->centre);
	gt_storefx_close(&f->fx);
	free(f);
	return 0;
}

/* Leaf hashes kept in memory, read as complete subtrees (computed from their leaves). */
static int mem_get(void *arg, unsigned level, uint64_t index, uint8_t out[H])
{
	const uint8_t(*l)[H] = arg;
	uint8_t a[H], b[H];

	if (level == 0) {
		memcpy(out, l[index], H);
		return 0;
	}
	mem_get(arg, level - 1, index * 2, a);
	mem_get(arg, level - 1, index * 2 + 1, b);
	return gt_merkle_node_hash(a, b, out);
}

static void exec_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void roots_and_proofs_agree_with_the_definition(void **state)
{
	struct fixture *f = *state;
	uint8_t root[H], want[H], proof[GT_MERKLE_MAX_PROOF][H];
	const uint8_t(*p)[H] = (const uint8_t(*)[H])proof;
	uint64_t size = 0, leaf = 0;
	size_t n;

	assert_int_equal(gt_store_tree_head(f->fx.st, &size, root), 0);
	assert_int_equal(size, N_BATCHES + 1);
	assert_int_equal(gt_merkle_root(N_BATCHES + 1, mem_get, f->leaves, want), 0);
	assert_memory_equal(root, want, H);
	for (uint64_t s = 1; s <= N_BATCHES + 1; s++) {
		uint8_t r[H];

		assert_int_equal(gt_store_tree_root(f->fx.st, s, r), 0);
		assert_int_equal(gt_merkle_root(s, mem_get, f->leaves, want), 0);
		assert_memory_equal(r, want, H);
		for (uint64_t m = 0; m < s; m++) {
			assert_int_equal(gt_store_tree_inclusion(f->fx.st, m, s, proof, &n), 0);
			assert_int_equal(gt_merkle_inclusion_verify(m, s, f->leaves[m], p, n, r),
			                 0);
		}
		assert_int_equal(gt_store_tree_consistency(f->fx.st, s, N_BATCHES + 1, proof, &n),
		                 0);
		assert_int_equal(gt_merkle_consistency_verify(s, N_BATCHES + 1, r, root, p, n), 0);
	}
	/* Batch log_index i is leaf i here (after the key's registration). */
	assert_int_equal(gt_store_tree_leaf_of(f->fx.st, 9, &leaf), 0);
	assert_int_equal(leaf, 9);
	assert_int_equal(gt_store_tree_leaf_of(f->fx.st, 99, &leaf), GT_ENOENT);
	/* No proof or root beyond the tree. */
	assert_int_equal(gt_store_tree_root(f->fx.st, N_BATCHES + 2, root), GT_EINVAL);
	assert_int_equal(gt_store_tree_inclusion(f->fx.st, 0, N_BATCHES + 2, proof, &n), GT_EINVAL);
	assert_int_equal(gt_store_tree_consistency(f->fx.st, 3, N_BATCHES + 2, proof, &n),
	                 GT_EINVAL);
}

/* A batch rolled back takes its leaf with it. */
static void the_leaf_rolls_back_with_its_batch(void **state)
{
	struct fixture *f = *state;
	struct gt_store_tree_check c;
	uint8_t hash[GT_SHA256_LEN] = {0xee};
	uint64_t idx = 0, size = 0;
	struct gt_store_log_in li = {hash, f->key, 999, "53.71", NULL, 0, NULL, 0, 5};

	assert_int_equal(gt_store_begin(f->fx.st), 0);
	assert_int_equal(gt_store_log_append(f->fx.st, &li, &idx), 0);
	assert_int_equal(gt_store_tree_size(f->fx.st, &size), 0);
	assert_int_equal(size, N_BATCHES + 2);
	assert_int_equal(gt_store_rollback(f->fx.st), 0);
	assert_int_equal(gt_store_tree_size(f->fx.st, &size), 0);
	assert_int_equal(size, N_BATCHES + 1);
	if (gt_store_tree_check(f->fx.st, &c) != 0)
		fail_msg("%s", gt_store_errmsg(f->fx.st));
	assert_int_equal(c.leaves, N_BATCHES + 1);
	assert_int_equal(c.batches, N_BATCHES);
	assert_int_equal(c.keys, 1);
}

/* A store of schema 5 (no tree) migrates: the tree is built over its log, in order. */
static void an_older_store_gets_its_tree(void **state)
{
	struct fixture *f = *state;
	struct gt_store_tree_check c;
	uint8_t before[H], after[H];
	uint64_t size = 0;

	uint8_t *entry = NULL;
	size_t len = 0;

	gt_store_close(f->fx.st);
	f->fx.st = NULL;
	exec_sql(f->fx.path, "DROP TABLE log_tree; ALTER TABLE batch_log DROP COLUMN leaf; "
	                     "DROP TABLE read_log; PRAGMA user_version = 5;");
	assert_int_equal(gt_store_open(f->fx.path, 0, &f->fx.st), 0);
	assert_int_equal(gt_store_tree_head(f->fx.st, &size, after), 0);
	/* The key a schema-5 store held is recorded first, unsigned (a migration has no signing
	 * key at hand), then the batches in log order. */
	assert_int_equal(size, N_BATCHES + 1);
	assert_int_equal(gt_store_tree_entry(f->fx.st, 0, &entry, &len), 0);
	assert_int_equal(entry[0], GT_LOGLEAF_KEY);
	assert_int_equal(gt_logleaf_key_verify(entry, len, f->centre_pub), GT_EBADSIG);
	assert_int_equal(gt_merkle_leaf_hash(entry, len, f->leaves[0]), 0);
	free(entry);
	assert_int_equal(gt_merkle_root(N_BATCHES + 1, mem_get, f->leaves, before), 0);
	assert_memory_equal(before, after, H);
	assert_int_equal(gt_store_tree_check(f->fx.st, &c), 0);
}

/* Rewrites a store's tree nodes from the leaf hashes f->leaves (as a store of an older version
 * wrote them): the last left child of each level in memory, every node above the leaves
 * written. */
struct renode {
	sqlite3 *db;
	uint8_t edge[64][H];
};

static int renode_get(void *arg, unsigned level, uint64_t index, uint8_t out[H])
{
	struct renode *r = arg;
	(void)index;

	memcpy(out, r->edge[level], H);
	return 0;
}

static int renode_put(void *arg, unsigned level, uint64_t index, const uint8_t hash[H])
{
	struct renode *r = arg;
	sqlite3_stmt *s = NULL;
	int rc;

	if ((index & 1) == 0)
		memcpy(r->edge[level], hash, H);
	if (level == 0)
		return 0;
	assert_int_equal(
	    sqlite3_prepare_v2(r->db, "UPDATE log_tree SET hash = ?2 WHERE id = ?1", -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)(((((index + 1) << level) - 1) << 6) | level));
	sqlite3_bind_blob(s, 2, hash, H, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE && sqlite3_changes(r->db) == 1 ? 0 : GT_ESTORE;
}

/* A batch logged before leaves carried the receive time has a leaf of kind 1: it stays valid
 * (the check passes, its entry reads back as kind 1) next to the kind 3 leaves after it. */
static void a_kind_1_leaf_stays_valid(void **state)
{
	struct fixture *f = *state;
	struct gt_store_tree_check c;
	struct gt_logleaf_batchinfo bi;
	struct renode r;
	uint8_t hash[GT_SHA256_LEN], sig[GT_ED25519_SIG_LEN], root[H], want[H];
	uint8_t *entry = NULL;
	sqlite3_stmt *s = NULL;
	uint64_t size = 0;
	size_t len = 0;

	/* Batch 0 of append_batch(), leaf 1, as a kind 1 leaf. */
	memset(hash, 0, sizeof(hash));
	hash[1] = 0xa5;
	memset(sig, 1, sizeof(sig));
	assert_int_equal(gt_logleaf_batch_hash(hash, NULL, sig, sizeof(sig), f->leaves[1]), 0);
	gt_store_close(f->fx.st);
	f->fx.st = NULL;
	memset(&r, 0, sizeof(r));
	assert_int_equal(sqlite3_open(f->fx.path, &r.db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(r.db,
	                                    "UPDATE log_tree SET kind = 1, hash = ?1 WHERE id = 64",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	sqlite3_bind_blob(s, 1, f->leaves[1], H, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	for (uint64_t n = 0; n < N_BATCHES + 1; n++)
		assert_int_equal(gt_merkle_append(n, f->leaves[n], renode_get, renode_put, &r), 0);
	sqlite3_close(r.db);

	assert_int_equal(gt_store_open(f->fx.path, 0, &f->fx.st), 0);
	assert_int_equal(gt_store_tree_check(f->fx.st, &c), 0);
	assert_int_equal(gt_store_tree_head(f->fx.st, &size, root), 0);
	assert_int_equal(gt_merkle_root(N_BATCHES + 1, mem_get, f->leaves, want), 0);
	assert_memory_equal(root, want, H);
	assert_int_equal(gt_store_tree_entry(f->fx.st, 1, &entry, &len), 0);
	assert_int_equal(gt_logleaf_batch_parse(entry, len, &bi), 0);
	assert_int_equal(bi.kind, GT_LOGLEAF_BATCH);
	assert_int_equal(bi.timed, 0);
	assert_int_equal(len, 1 + GT_SHA256_LEN + GT_ED25519_SIG_LEN);
	free(entry);
	assert_int_equal(gt_store_tree_entry(f->fx.st, 2, &entry, &len), 0);
	assert_int_equal(gt_logleaf_batch_parse(entry, len, &bi), 0);
	assert_int_equal(bi.kind, GT_LOGLEAF_TIMED);
	assert_int_equal(bi.received_at_ms, 1001);
	free(entry);
}

/* Each change made behind the store's back is found, and named. */
static void the_check_finds_changes_behind_its_back(void **state)
{
	static const struct {
		const char *sql, *says;
	} cases[] = {
	    /* A log entry rewritten (another signature). */
	    {"UPDATE batch_log SET signature = zeroblob(64) WHERE log_index = 5", "differs"},
	    /* A batch removed from the log. */
	    {"DELETE FROM batch_log WHERE log_index = 37", "not in the log"},
	    /* A node of the tree rewritten. */
	    {"UPDATE log_tree SET hash = zeroblob(32) WHERE id = ((4 << 2) - 1) * 64 + 2",
	     "tree node 2/3 differs"},
	    /* A leaf removed from the tree. */
	    {"DELETE FROM log_tree WHERE id = 37 * 64", "batches but the tree"},
	    /* A leaf in the middle removed. */
	    {"DELETE FROM log_tree WHERE id = 20 * 64", "leaf 20 is missing"},
	    /* A batch's leaf renamed. */
	    {"UPDATE batch_log SET leaf = 3 WHERE log_index = 5", "does not name leaf 5"},
	    /* A node added. */
	    {"INSERT INTO log_tree(id, hash) VALUES(9 * 64 + 9, zeroblob(32))", "nodes where"},
	    /* The time the server received a batch changed: its leaf (kind 3) covers it. */
	    {"UPDATE batch_log SET received_at_ms = 1 WHERE log_index = 5", "differs"},
	};
	struct fixture *f = *state;
	struct gt_store_tree_check c;

	assert_int_equal(gt_store_tree_check(f->fx.st, &c), 0);
	assert_string_equal(c.why, "");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *copy = NULL;

		/* Each case on its own copy of the store. */
		gt_store_close(f->fx.st);
		f->fx.st = NULL;
		assert_true(asprintf(&copy, "%s/copy%zu.db", f->fx.dir, i) > 0);
		exec_sql(f->fx.path, "PRAGMA wal_checkpoint(TRUNCATE)");
		{
			char *cmd = NULL;
			assert_true(asprintf(&cmd, "cp '%s' '%s'", f->fx.path, copy) > 0);
			assert_int_equal(system(cmd), 0);
			free(cmd);
		}
		exec_sql(copy, cases[i].sql);
		assert_int_equal(gt_store_open(copy, 0, &f->fx.st), 0);
		assert_int_equal(gt_store_tree_check(f->fx.st, &c), GT_ECORRUPT);
		if (strstr(c.why, cases[i].says) == NULL)
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, c.why, cases[i].says);
		assert_non_null(strstr(gt_store_errmsg(f->fx.st), cases[i].says));
		gt_store_close(f->fx.st);
		f->fx.st = NULL;
		free(copy);
		assert_int_equal(gt_store_open(f->fx.path, 0, &f->fx.st), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(roots_and_proofs_agree_with_the_definition, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(the_leaf_rolls_back_with_its_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(an_older_store_gets_its_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_kind_1_leaf_stays_valid, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_check_finds_changes_behind_its_back, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
