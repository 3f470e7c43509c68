/* Builds batches for tests that apply them below the wire: values, completions, actions,
 * packed, decoded and hashed as a client would send them (signature not checked). */
#include "testbatch.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"
#include "metadata.h"
#include "rules.h"
#include "snapshot.h"
#include "store.h"

void gt_test_build(struct gt_test_built *out, const char *key_id, const char *org, uint64_t seq,
                   uint8_t salt, const struct gt_test_val *v, size_t nv,
                   const struct gt_test_comp *c, size_t nc, const struct gt_test_act *a, size_t na)
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
		dv[i].dataset = (char *)(v[i].ds != NULL ? v[i].ds : "");
		dv[i].comment = (char *)(v[i].comment != NULL ? v[i].comment : "");
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
		wa[i].open_until = (char *)(a[i].open_until != NULL ? a[i].open_until : "");
		if (a[i].digest != NULL) {
			wa[i].data_digest.data = (uint8_t *)a[i].digest;
			wa[i].data_digest.len = GT_SHA256_LEN;
		}
		while (wa[i].n_acknowledged_rules < 4 && a[i].acked[wa[i].n_acknowledged_rules])
			wa[i].n_acknowledged_rules++;
		wa[i].acknowledged_rules = (char **)a[i].acked;
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
	memset(out->sig, 0x5a, sizeof(out->sig));
	free(dv);
	free(dvp);
	free(cr);
	free(crp);
	free(wa);
	free(wap);
}

void gt_test_unbuild(struct gt_test_built *b)
{
	free(b->bytes);
	gt_wire_batch_free(b->dec);
	memset(b, 0, sizeof(*b));
}

void gt_test_rules_in(struct gt_rules_batch *in, const struct gt_snapshot *snap,
                      const struct gt_test_built *b, int64_t at_ms)
{
	memset(in, 0, sizeof(*in));
	in->snap = snap;
	in->batch = b->dec;
	in->bytes = b->bytes;
	in->len = b->len;
	in->signature = b->sig;
	in->sig_len = sizeof(b->sig);
	in->hash = b->hash;
	in->received_at_ms = at_ms;
}

void gt_test_apply_plain(struct gt_store *st, const struct gt_test_built *b, int64_t at_ms)
{
	static const struct gt_snapshot no_metadata;
	struct gt_rules_batch in;
	struct gt_store_batch_out out;

	gt_test_rules_in(&in, &no_metadata, b, at_ms);
	assert_int_equal(gt_rules_apply(st, &in, &out), 0);
	assert_int_equal(out.status, GTSYNC__V1__PUSH_STATUS__PUSH_OK);
	gt_store_batch_out_free(&out);
}

void gt_test_store_metadata(struct gt_store *st)
{
	struct gt_meta *m = NULL;
	struct gt_store_metafile files[64];
	uint64_t version = 0;

	assert_int_equal(gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &m, NULL), 0);
	assert_true(m->nfiles <= 64);
	for (size_t i = 0; i < m->nfiles; i++) {
		memset(&files[i], 0, sizeof(files[i]));
		files[i].name = m->files[i].name;
		files[i].content = m->files[i].content;
		files[i].len = m->files[i].len;
	}
	assert_int_equal(gt_store_metadata_put(st, files, m->nfiles, m->digest, 1, &version), 0);
	gt_meta_free(m);
}
