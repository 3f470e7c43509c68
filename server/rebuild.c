/* Re-applying the signed batch log to a store, for `rebuild` and `verify`. */
#include "rebuild.h"

#include <stdint.h>

#include "error.h"
#include "ingest.h"
#include "snapshot.h"
#include "store.h"

struct rebuild {
	struct gt_store *st;
	struct gt_snapshot *snap;
	FILE *err;
	struct gt_rebuild_stats *stats;
};

static int rebuild_one(void *arg, const struct gt_store_log_entry *e)
{
	struct rebuild *r = arg;
	struct gt_store_key key;
	struct gt_principal p;
	struct gt_ingest_verdicts v;
	struct gt_store_batch_out out = {0};
	gt_batch *b = NULL;
	const char *why = NULL;
	int rc;

	rc = gt_store_key_get(r->st, e->key_id, &key);
	if (rc != GT_OK) {
		if (r->err)
			fprintf(r->err, "rebuild: batch %llu: key %s is not registered\n",
			        (unsigned long long)e->log_index, e->key_id);
		return GT_ECORRUPT;
	}
	p.key_id = key.key_id;
	p.org_unit = key.org_unit;
	p.role = key.role;
	/* Every logged batch is verified again; the log is the source of truth. */
	rc = gt_ingest_check(r->snap, &p, key.public_key, e->batch, e->len, e->signature,
	                     e->sig_len, UINT32_MAX, e->received_at_ms, &b, &v, &why);
	if (rc != GT_OK) {
		if (r->err)
			fprintf(r->err, "rebuild: batch %llu does not verify: %s\n",
			        (unsigned long long)e->log_index, why ? why : gt_strerror(rc));
		return GT_ECORRUPT;
	}
	struct gt_store_batch_in in = {
	    .bytes = e->batch,
	    .len = e->len,
	    .signature = e->signature,
	    .sig_len = e->sig_len,
	    .hash = e->hash,
	    .batch = b,
	    .received_at_ms = e->received_at_ms,
	    .value_verdicts = v.values,
	    .completion_verdicts = v.completions,
	    .replay = 1,
	    .log_index = e->log_index,
	};
	rc = gt_ingest_apply(r->st, r->snap, &in, v.actions, &out);
	r->stats->batches++;
	r->stats->values += b->n_values;
	gt_store_batch_out_free(&out);
	gt_ingest_verdicts_free(&v);
	gt_wire_batch_free(b);
	if (rc != GT_OK && r->err)
		fprintf(r->err, "rebuild: batch %llu: %s\n", (unsigned long long)e->log_index,
		        gt_store_errmsg(r->st));
	return rc;
}

int gt_rebuild_replay(struct gt_store *st, struct gt_snapshot *snap, FILE *err,
                      struct gt_rebuild_stats *stats)
{
	struct rebuild r = {.st = st, .snap = snap, .err = err, .stats = stats};

	stats->batches = stats->values = 0;
	return gt_store_log_foreach(st, 0, rebuild_one, &r);
}
