/* Re-applying the signed batch log to a store, for `rebuild` and `verify`. */
#include "rebuild.h"

#include <stdint.h>

#include "error.h"
#include "ingest.h"
#include "rules.h"
#include "snapshot.h"
#include "store.h"

struct rebuild {
	struct gt_store *st;
	struct gt_snapshot *snap;
	FILE *err;
	struct gt_rebuild_stats *stats;
};

/* Items of conflict c's kind skipped for its reason in outcome o. */
static size_t skipped_like(const struct gt_store_batch_out *o, const struct gt_store_conflict *c)
{
	for (size_t i = 0; i < o->n_conflicts; i++)
		if (o->conflicts[i].kind == c->kind && o->conflicts[i].reason == c->reason)
			return o->conflicts[i].n_indexes;
	return 0;
}

/* Whether an outcome was kept: a logged batch with bytes applied something, so a kept outcome
 * counts it (stores from before outcomes were kept have none). */
static int outcome_kept(const struct gt_store_batch_out *o)
{
	const struct gt_store_counts *k[3] = {&o->values, &o->completions, &o->actions};

	for (int i = 0; i < 3; i++)
		if (k[i]->imported || k[i]->updated || k[i]->deleted || k[i]->ignored)
			return 1;
	return 0;
}

/* Reports a batch the current rules treat more strictly than the rules it was applied by
 * (e.g. free text they now refuse): items it had applied are skipped now, or, when its first
 * outcome was not kept, items are skipped at all. Returns 1 when it reported one. */
static int report_refused_now(struct rebuild *r, const struct gt_store_log_entry *e,
                              const struct gt_store_batch_out *was,
                              const struct gt_store_batch_out *now)
{
	const char *what = outcome_kept(was) ? "item(s) it had applied"
	                                     : "item(s) (its first outcome was not kept)";

	for (size_t i = 0; i < now->n_conflicts; i++) {
		const struct gt_store_conflict *c = &now->conflicts[i];
		size_t before = skipped_like(was, c);

		if (c->n_indexes <= before)
			continue;
		if (r->err)
			fprintf(
			    r->err,
			    "rebuild: batch %llu (key %s, %s): the current rules skip %zu %s: %s\n",
			    (unsigned long long)e->log_index, e->key_id, e->org_unit,
			    c->n_indexes - before, what,
			    c->message[0] ? c->message : "(no reason kept)");
		return 1;
	}
	return 0;
}

static int rebuild_one(void *arg, const struct gt_store_log_entry *e)
{
	struct rebuild *r = arg;
	struct gt_store_key key;
	struct gt_principal p;
	struct gt_ingest_checked chk;
	struct gt_store_batch_out out = {0}, was = {0};
	int rc;

	/* A batch of which nothing applied kept its hash and outcome only: nothing to redo. */
	if (e->len == 0)
		return GT_OK;
	rc = gt_store_key_get(r->st, e->key_id, &key);
	if (rc != GT_OK) {
		if (r->err)
			fprintf(r->err, "rebuild: batch %llu: key %s is not registered\n",
			        (unsigned long long)e->log_index, e->key_id);
		return GT_ECORRUPT;
	}
	p.key_id = key.key_id;
	p.org_unit = key.org_unit;
	/* The roles it held when it signed: a role taken since does not undo its batches. */
	p.roles = key.roles_held;
	/* Every logged batch is verified again; the log is the source of truth. */
	struct gt_ingest_req rq = {
	    .snap = r->snap,
	    .principal = &p,
	    .pub = key.public_key,
	    .bytes = e->batch,
	    .len = e->len,
	    .sig = e->signature,
	    .sig_len = e->sig_len,
	    .max_values = UINT32_MAX,
	    .now_ms = e->received_at_ms,
	};
	rc = gt_ingest_check(&rq, &chk);
	if (rc != GT_OK) {
		if (r->err)
			fprintf(r->err, "rebuild: batch %llu does not verify: %s\n",
			        (unsigned long long)e->log_index,
			        chk.why ? chk.why : gt_strerror(rc));
		return GT_ECORRUPT;
	}
	/* The same rules as at ingest, at the time the batch arrived. */
	struct gt_rules_batch in = {
	    .snap = r->snap,
	    .batch = chk.batch,
	    .bytes = e->batch,
	    .len = e->len,
	    .signature = e->signature,
	    .sig_len = e->sig_len,
	    .hash = e->hash,
	    .received_at_ms = e->received_at_ms,
	    .verdicts = &chk.verdicts,
	    .replay = 1,
	    .log_index = e->log_index,
	};
	/* The outcome of its first application, which the replay replaces. */
	if (gt_store_log_outcome_load(r->st, e->log_index, &was) != GT_OK)
		gt_store_batch_out_free(&was);
	rc = gt_rules_apply(r->st, &in, &out);
	r->stats->batches++;
	r->stats->values += chk.batch->n_values;
	if (rc == GT_OK && report_refused_now(r, e, &was, &out))
		r->stats->refused_now++;
	gt_store_batch_out_free(&was);
	gt_store_batch_out_free(&out);
	gt_ingest_checked_free(&chk);
	if (rc != GT_OK && r->err)
		fprintf(r->err, "rebuild: batch %llu: %s\n", (unsigned long long)e->log_index,
		        gt_store_errmsg(r->st));
	return rc;
}

int gt_rebuild_replay(struct gt_store *st, struct gt_snapshot *snap, FILE *err,
                      struct gt_rebuild_stats *stats)
{
	struct rebuild r = {.st = st, .snap = snap, .err = err, .stats = stats};

	stats->batches = stats->values = stats->refused_now = 0;
	return gt_store_log_foreach(st, 0, rebuild_one, &r);
}
