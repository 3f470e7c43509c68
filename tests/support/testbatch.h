/* Builds batches for tests that apply them below the wire: values, completions, actions,
 * packed, decoded and hashed as a client would send them (signature not checked). */
#ifndef GT_TESTBATCH_H
#define GT_TESTBATCH_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"
#include "wire.h"

struct gt_test_val {
	const char *de, *pe, *ou, *coc, *value;
	uint64_t rev;
	int del;
	const char *ds;      /* optional data set */
	const char *comment; /* optional */
};

struct gt_test_comp {
	const char *ds, *pe, *ou;
	int done;
};

struct gt_test_act {
	int kind;
	const char *ds, *pe, *ou, *reason;
	const uint8_t *digest;  /* optional, 32 bytes */
	const char *open_until; /* open-late */
	const char *acked[4];   /* acknowledged rules, NULL-terminated */
};

struct gt_test_built {
	uint8_t *bytes;
	size_t len;
	gt_batch *dec;
	uint8_t hash[GT_SHA256_LEN];
	uint8_t sig[GT_ED25519_SIG_LEN];
};

/* Packs a batch of key_id for org with sequence seq (salt varies the batch id, so the same
 * items make other bytes), decodes it again and hashes it into out. Aborts on failure; free
 * with gt_test_unbuild(). */
void gt_test_build(struct gt_test_built *out, const char *key_id, const char *org, uint64_t seq,
                   uint8_t salt, const struct gt_test_val *v, size_t nv,
                   const struct gt_test_comp *c, size_t nc, const struct gt_test_act *a, size_t na);

/* Frees a built batch; accepts a zeroed one. */
void gt_test_unbuild(struct gt_test_built *b);

struct gt_store;
struct gt_snapshot;
struct gt_rules_batch;

/* Fills in for applying b received at at_ms with snap's metadata (both borrowed), as ingest
 * does; the caller adds verdicts and why when it has them. */
void gt_test_rules_in(struct gt_rules_batch *in, const struct gt_snapshot *snap,
                      const struct gt_test_built *b, int64_t at_ms);

/* Applies b to st through the rules, received at at_ms, with no metadata (so no rules but the
 * log and revisions), and asserts that it was stored (PUSH_OK). */
void gt_test_apply_plain(struct gt_store *st, const struct gt_test_built *b, int64_t at_ms);

/* Loads the source tree's metadata/ into st as `metadata load` does. Aborts on failure. */
void gt_test_store_metadata(struct gt_store *st);

#endif
