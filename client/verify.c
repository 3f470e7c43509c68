/* `gtsync verify`: fetches the signed log entries behind a report, checks them down to the
 * verified tree head, re-applies the merge rule, recomputes the figures and compares. */
#include "verify.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "cstore_tree.h"
#include "digest.h"
#include "error.h"
#include "humanfmt.h"
#include "i18n.h"
#include "key.h"
#include "logleaf.h"
#include "merge.h"
#include "metadata.h"
#include "orgunit.h"
#include "period.h"
#include "roleset.h"
#include "servermsg.h"
#include "session.h"
#include "termtext.h"
#include "treelog.h"
#include "vcomplete.h"
#include "vec.h"
#include "wire.h"

#define WHAT "gtsync verify"

/* A key as the log's key records say it is at the leaf being read. */
struct vkey {
	char id[GT_KEY_ID_LEN + 1];
	uint8_t pub[GT_ED25519_PUB_LEN];
	char org[GT_ORGUNIT_MAX_LEN];
	unsigned roles;
	int revoked;
	char label[GT_KEYLABEL_MAX]; /* from its latest key record; "" when that has none */
};

/* A value of the report's cells found in a signed batch, in log order. */
struct vval {
	const Gtsync__V1__DataValue *v; /* borrowed from a decoded batch */
	size_t batch;                   /* its batch's place in verify.batches */
	uint64_t order;                 /* leaf * 2^32 + item index */
	size_t rv;                      /* its place in res.values */
};

/* An applied approval of the data set whose periods all lie within the report's: its digest is
 * recomputed from the batches before it. */
struct vappr {
	uint64_t leaf;
	const Gtsync__V1__WorkflowAction *a; /* borrowed from a decoded batch */
	char periods[GT_PERIOD_MAX_WITHIN][GT_PERIOD_MAX_LEN + 1];
	size_t nperiods;
};

/* A figure: a total (scope "") or a child's, of one (element, option). */
struct vcell {
	const char *scope;
	const char *element;
	const char *coc;
	double value;
	uint32_t count;
	int seen; /* matched with the server's */
};

struct verify {
	struct gt_home *h;
	const struct gt_verify_opts *o;
	FILE *out;
	const char *root;
	struct gt_meta *meta;
	const struct gt_meta_dataset *ds;
	char periods[GT_PERIOD_MAX_WITHIN][GT_PERIOD_MAX_LEN + 1];
	size_t nperiods;
	struct gt_cstore_tree_head held;
	/* Keys, as of the leaf being read */
	struct vkey *keys;
	size_t nkeys, capkeys;
	/* Batches decoded (kept: values point into them), their hashes, and when the server
	 * received them as their leaves say (timed 0: a kind 1 leaf, which does not say) */
	gt_batch **batches;
	uint8_t (*hashes)[GT_SHA256_LEN];
	int64_t *recv;
	uint8_t *timed;
	size_t nbatches, capbatches, caphashes, caprecv, captimed;
	/* Completeness, timeliness and report states recomputed */
	struct gt_vcomplete *comp;
	/* Units that signed a batch behind the figures */
	char (*units)[GT_ORGUNIT_MAX_LEN];
	size_t nunits, capunits;
	/* Values of the report's cells */
	struct vval *vals;
	size_t nvals, capvals;
	/* Leaves to prove and their entries (owned copies) */
	uint64_t *leaves;
	ProtobufCBinaryData *entries;
	size_t nleaves, capleaves, capentries;
	/* Approvals to check */
	struct vappr *apprs;
	size_t napprs, capapprs;
	uint64_t approvals_ok;
	/* Figures recomputed */
	struct vcell *cells;
	size_t ncells, capcells;
	struct gt_verify_result res;
	size_t nlist_cap, nvalues_cap, ndiffs_cap; /* res's arrays' capacities */
	struct gt_termtext tt;
};

/* One problem found: a line for a person. */
static void problem(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct verify *v, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(v->out, "  %s\n", gt_termtext_str(&v->tt, line));
	gt_termtext_clear(&v->tt);
	v->res.problems++;
}

static struct vkey *key_find(struct verify *v, const char *id)
{
	for (size_t i = 0; id != NULL && i < v->nkeys; i++)
		if (strcmp(v->keys[i].id, id) == 0)
			return &v->keys[i];
	return NULL;
}

/* How a problem names key k: its id, then its label when its key record gives one. */
static const char *key_named(const struct vkey *k, char *buf, size_t n)
{
	if (k->label[0] == '\0')
		return k->id;
	snprintf(buf, n, "%s (%s)", k->id, k->label);
	return buf;
}

static int keep_leaf(struct verify *v, uint64_t leaf, const ProtobufCBinaryData *entry)
{
	uint8_t *copy;

	if (GT_VEC_RESERVE(v->leaves, v->capleaves, v->nleaves + 1) != GT_OK)
		return GT_ENOMEM;
	if (GT_VEC_RESERVE(v->entries, v->capentries, v->nleaves + 1) != GT_OK)
		return GT_ENOMEM;
	copy = malloc(entry->len + 1);
	if (copy == NULL)
		return GT_ENOMEM;
	memcpy(copy, entry->data, entry->len);
	v->leaves[v->nleaves] = leaf;
	v->entries[v->nleaves].data = copy;
	v->entries[v->nleaves].len = entry->len;
	v->nleaves++;
	return GT_OK;
}

/* A key record: its signature by the server's key, then the key as it is from this leaf on. */
static int on_key(struct verify *v, const Gtsync__V1__LogEntry *e)
{
	struct gt_logleaf_keyinfo k;
	struct vkey *vk;

	if (gt_logleaf_key_verify(e->leaf_entry.data, e->leaf_entry.len, v->held.server_key) !=
	        GT_OK ||
	    gt_logleaf_key_parse(e->leaf_entry.data, e->leaf_entry.len, &k) != GT_OK) {
		problem(v, _("the key record of leaf %llu is not signed by the server's key"),
		        (unsigned long long)e->leaf_index);
		return GT_OK;
	}
	if ((vk = key_find(v, k.key_id)) == NULL) {
		if (GT_VEC_RESERVE(v->keys, v->capkeys, v->nkeys + 1) != GT_OK)
			return GT_ENOMEM;
		vk = &v->keys[v->nkeys++];
		memset(vk, 0, sizeof(*vk));
		memcpy(vk->id, k.key_id, sizeof(vk->id));
	}
	memcpy(vk->pub, k.public_key, sizeof(vk->pub));
	memcpy(vk->org, k.org_unit, sizeof(vk->org));
	vk->roles = k.roles;
	/* A label change leaves a revoked key revoked. */
	if (k.action != GTSYNC__V1__KEY_ACTION__KEY_LABEL_CHANGED)
		vk->revoked = k.action == GTSYNC__V1__KEY_ACTION__KEY_REVOKED;
	/* Records written before key records carried labels keep the label known so far; a
	 * label change sets it, also to none. */
	if (k.label[0] != '\0' || k.action == GTSYNC__V1__KEY_ACTION__KEY_LABEL_CHANGED)
		memcpy(vk->label, k.label, sizeof(vk->label));
	return keep_leaf(v, e->leaf_index, &e->leaf_entry);
}

static int is_period(const struct verify *v, const char *p)
{
	for (size_t i = 0; p != NULL && i < v->nperiods; i++)
		if (strcmp(v->periods[i], p) == 0)
			return 1;
	return 0;
}

static int skipped(const uint32_t *list, size_t n, size_t i)
{
	for (size_t k = 0; k < n; k++)
		if (list[k] == i)
			return 1;
	return 0;
}

static int add_unit(struct verify *v, const char *org)
{
	for (size_t i = 0; i < v->nunits; i++)
		if (strcmp(v->units[i], org) == 0)
			return GT_OK;
	if (GT_VEC_RESERVE(v->units, v->capunits, v->nunits + 1) != GT_OK)
		return GT_ENOMEM;
	snprintf(v->units[v->nunits++], GT_ORGUNIT_MAX_LEN, "%s", org);
	return GT_OK;
}

/* Lists a decoded batch in the result (signature not yet checked); *at gets its place. */
static int list_batch(struct verify *v, const Gtsync__V1__LogEntry *e, const gt_batch *b,
                      size_t *at)
{
	struct gt_verify_batch *lb;
	size_t cap = v->nlist_cap;

	if (GT_VEC_RESERVE(v->res.list, cap, v->res.nlist + 1) != GT_OK)
		return GT_ENOMEM;
	v->nlist_cap = cap;
	lb = &v->res.list[v->res.nlist];
	memset(lb, 0, sizeof(*lb));
	lb->leaf = e->leaf_index;
	lb->sequence = b->sequence;
	lb->created_ms = b->created_at_ms;
	snprintf(lb->org, sizeof(lb->org), "%s", b->org_unit != NULL ? b->org_unit : "");
	snprintf(lb->key_id, sizeof(lb->key_id), "%s", b->key_id != NULL ? b->key_id : "");
	*at = v->res.nlist++;
	return GT_OK;
}

/* Lists value dv of the batch listed at lb in the result; *at gets its place. */
static int list_value(struct verify *v, const Gtsync__V1__DataValue *dv, size_t lb, size_t *at)
{
	struct gt_verify_value *rv;
	size_t cap = v->nvalues_cap;
	double num = NAN;

	if (GT_VEC_RESERVE(v->res.values, cap, v->res.nvalues + 1) != GT_OK)
		return GT_ENOMEM;
	v->nvalues_cap = cap;
	rv = &v->res.values[v->res.nvalues];
	memset(rv, 0, sizeof(*rv));
	rv->element = strdup(dv->data_element);
	rv->coc = strdup(dv->category_option_combo ? dv->category_option_combo : "");
	if (rv->element == NULL || rv->coc == NULL) {
		free(rv->element);
		free(rv->coc);
		return GT_ENOMEM;
	}
	snprintf(rv->org, sizeof(rv->org), "%s", dv->org_unit);
	if (!gt_merge_number(dv->value, &num))
		num = NAN;
	rv->number = num;
	rv->batch = lb;
	v->res.list[lb].nvalues++;
	*at = v->res.nvalues++;
	return GT_OK;
}

/* Keeps the batch's applied approvals of the data set whose periods lie within the report's,
 * for units of the subtree: their digests can be recomputed from what was fetched. */
static int add_approvals(struct verify *v, const Gtsync__V1__LogEntry *e, const gt_batch *b)
{
	for (size_t i = 0; i < b->n_actions; i++) {
		const Gtsync__V1__WorkflowAction *a = b->actions[i];
		struct vappr *ap;
		int within = 0;

		if (a->kind != GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE ||
		    skipped(e->skipped_actions, e->n_skipped_actions, i) || a->dataset == NULL ||
		    strcmp(a->dataset, v->ds->code) != 0 || a->data_digest.len != GT_SHA256_LEN ||
		    a->org_unit == NULL || gt_orgunit_contains(v->root, a->org_unit) != 1)
			continue;
		if (GT_VEC_RESERVE(v->apprs, v->capapprs, v->napprs + 1) != GT_OK)
			return GT_ENOMEM;
		ap = &v->apprs[v->napprs];
		if (gt_period_within(v->ds->period_type, a->period, ap->periods, &ap->nperiods) !=
		    GT_OK)
			continue;
		for (size_t k = 0; k < ap->nperiods; k++)
			within += is_period(v, ap->periods[k]);
		if (within == 0)
			continue; /* another period's: it covers none of the report's values */
		if ((size_t)within < ap->nperiods) {
			/* Its digest covers values of periods that were not fetched: named, not
			 * checked, so that "verified" never seems to vouch for it. */
			fprintf(
			    v->out,
			    _("  not checked: the approval of %s %s at %s (leaf %llu) covers more "
			      "than %s; verify %s to check its digest\n"),
			    a->dataset, a->period, a->org_unit, (unsigned long long)e->leaf_index,
			    v->o->period, a->period);
			v->res.uncovered++;
			continue;
		}
		ap->leaf = e->leaf_index;
		ap->a = a;
		v->napprs++;
	}
	return GT_OK;
}

/* Hands the batch's applied workflow actions of the data set, for units of the subtree, to
 * the recomputation of completeness and report states, in batch order. */
static void add_actions(struct verify *v, const Gtsync__V1__LogEntry *e, const gt_batch *b)
{
	for (size_t i = 0; i < b->n_actions; i++) {
		const Gtsync__V1__WorkflowAction *a = b->actions[i];

		if (skipped(e->skipped_actions, e->n_skipped_actions, i) || a->dataset == NULL ||
		    strcmp(a->dataset, v->ds->code) != 0 || a->org_unit == NULL ||
		    gt_orgunit_contains(v->root, a->org_unit) != 1)
			continue;
		gt_vcomplete_action(v->comp, e->leaf_index, a);
	}
}

/* Checks that the leaf entry e holds a signed batch's and that the batch's bytes are those
 * whose hash was logged, reading the entry into bi and the bytes' hash into hash; 1 (with the
 * problem said) when it does not, else 0. */
static int entry_refused(struct verify *v, const Gtsync__V1__LogEntry *e,
                         struct gt_logleaf_batchinfo *bi, uint8_t hash[GT_SHA256_LEN])
{
	unsigned long long leaf = (unsigned long long)e->leaf_index;

	if (e->leaf_entry.len == 0) {
		problem(v,
		        _("leaf %llu: the server's log lost the batch behind it (a batch was "
		          "removed from the store)"),
		        leaf);
		return 1;
	}
	if (gt_logleaf_batch_parse(e->leaf_entry.data, e->leaf_entry.len, bi) != GT_OK ||
	    bi->sig == NULL) {
		problem(v, _("leaf %llu: its entry is not a signed batch's"), leaf);
		return 1;
	}
	if (gt_crypto_sha256(e->batch.data, e->batch.len, hash) != GT_OK ||
	    memcmp(hash, bi->hash, GT_SHA256_LEN) != 0) {
		problem(
		    v,
		    _("leaf %llu: the batch's bytes were rewritten: they are not the bytes whose "
		      "hash was logged"),
		    leaf);
		return 1;
	}
	return 0;
}

/* Checks batch b's signer as the log shows it at leaf e: registered and not revoked, its
 * signature sig verifying, allowed to write the batch's values for its unit. Gives the listed
 * batch at the key's roles; 1 (with the problem said) when the signer fails, else 0. */
static int signer_refused(struct verify *v, const Gtsync__V1__LogEntry *e, const gt_batch *b,
                          const uint8_t *sig, size_t at)
{
	unsigned long long leaf = (unsigned long long)e->leaf_index;
	char kname[GT_KEY_ID_LEN + GT_KEYLABEL_MAX + 4];
	struct vkey *k = key_find(v, b->key_id);

	v->res.list[at].roles = k != NULL ? k->roles : 0;
	if (k == NULL || k->revoked) {
		problem(v,
		        _("leaf %llu: batch %llu is signed by key %s, which the log does not show "
		          "registered and not revoked at that point"),
		        leaf, (unsigned long long)b->sequence,
		        k != NULL ? key_named(k, kname, sizeof(kname)) : b->key_id);
		return 1;
	}
	if (gt_key_verify(k->pub, e->batch.data, e->batch.len, sig) != GT_OK) {
		problem(v, _("leaf %llu: the signature of batch %llu does not verify with key %s"),
		        leaf, (unsigned long long)b->sequence, key_named(k, kname, sizeof(kname)));
		return 1;
	}
	if (strcmp(k->org, b->org_unit) != 0 ||
	    (b->n_values > 0 && !gt_roleset_has(k->roles, GTSYNC__V1__ROLE__ROLE_OPERATOR))) {
		problem(v, _("leaf %llu: key %s may not write batch %llu's values for %s"), leaf,
		        key_named(k, kname, sizeof(kname)), (unsigned long long)b->sequence,
		        b->org_unit);
		return 1;
	}
	return 0;
}

/* Keeps batch b's values of the report's cells (b to be kept as the next of v's batches,
 * listed at at), counting them in *kept. */
static int keep_values(struct verify *v, const Gtsync__V1__LogEntry *e, const gt_batch *b,
                       size_t at, size_t *kept)
{
	int rc;

	for (size_t i = 0; i < b->n_values; i++) {
		const Gtsync__V1__DataValue *dv = b->values[i];

		if (skipped(e->skipped_values, e->n_skipped_values, i) ||
		    !gt_meta_dataset_has_code(v->ds, dv->data_element) ||
		    !is_period(v, dv->period) || gt_orgunit_contains(v->root, dv->org_unit) != 1)
			continue;
		if (GT_VEC_RESERVE(v->vals, v->capvals, v->nvals + 1) != GT_OK)
			return GT_ENOMEM;
		v->vals[v->nvals].v = dv;
		v->vals[v->nvals].batch = v->nbatches;
		v->vals[v->nvals].order = (uint64_t)e->leaf_index << 32 | (uint64_t)i;
		if ((rc = list_value(v, dv, at, &v->vals[v->nvals].rv)) != GT_OK)
			return rc;
		v->nvals++;
		(*kept)++;
	}
	return GT_OK;
}

/* Checks a signed batch's entry, bytes, key and signature; keeps its values of the report's
 * cells. */
static int on_batch(struct verify *v, const Gtsync__V1__LogEntry *e)
{
	static const struct gt_limits any = {GT_MAX_FRAME_CEILING, UINT32_MAX};
	unsigned long long leaf = (unsigned long long)e->leaf_index;
	struct gt_logleaf_batchinfo bi;
	uint8_t hash[GT_SHA256_LEN];
	gt_batch *b = NULL;
	size_t kept = 0, at = 0;
	int rc;

	if (entry_refused(v, e, &bi, hash))
		return GT_OK;
	if ((rc = keep_leaf(v, e->leaf_index, &e->leaf_entry)) != GT_OK)
		return rc;
	if (gt_wire_batch_decode(e->batch.data, e->batch.len, &any, &b) != GT_OK) {
		problem(v, _("leaf %llu: the signed bytes are not a well-formed batch"), leaf);
		return GT_OK;
	}
	if ((rc = list_batch(v, e, b, &at)) != GT_OK)
		goto fail;
	if (signer_refused(v, e, b, bi.sig, at)) {
		rc = GT_OK;
		goto fail;
	}
	if (GT_VEC_RESERVE(v->batches, v->capbatches, v->nbatches + 1) != GT_OK ||
	    GT_VEC_RESERVE(v->hashes, v->caphashes, v->nbatches + 1) != GT_OK ||
	    GT_VEC_RESERVE(v->recv, v->caprecv, v->nbatches + 1) != GT_OK ||
	    GT_VEC_RESERVE(v->timed, v->captimed, v->nbatches + 1) != GT_OK) {
		rc = GT_ENOMEM;
		goto fail;
	}
	memcpy(v->hashes[v->nbatches], hash, GT_SHA256_LEN);
	v->recv[v->nbatches] = bi.received_at_ms;
	v->timed[v->nbatches] = (uint8_t)bi.timed;
	v->res.list[at].received_ms = bi.received_at_ms;
	v->res.list[at].timed = bi.timed;
	add_actions(v, e, b);
	v->res.list[at].signature_ok = 1;
	if ((rc = keep_values(v, e, b, at, &kept)) != GT_OK ||
	    (rc = add_approvals(v, e, b)) != GT_OK)
		goto fail;
	v->batches[v->nbatches++] = b;
	v->res.batches++;
	return kept > 0 ? add_unit(v, b->org_unit) : GT_OK;
fail:
	/* A batch refused, or a failure: it is not kept. */
	gt_wire_batch_free(b);
	return rc;
}

static void num_text(double x, char out[GT_HUMAN_MAX])
{
	if (gt_human_number(x, out, GT_HUMAN_MAX) != GT_OK)
		snprintf(out, GT_HUMAN_MAX, "%g", x);
}

/* Sends env on the session and takes a reply of body want into *reply (caller frees); an
 * error reply or another body is said on h->err and returned as its code or GT_EPROTO. */
static int call(struct verify *v, struct gt_session *s, gt_envelope *env, int want,
                gt_envelope **reply)
{
	struct gt_session_err err;
	int rc;

	memset(&err, 0, sizeof(err));
	if ((rc = gt_session_call(s, env, reply, &err)) != GT_OK) {
		gt_home_explain(v->h, WHAT, &err);
		return rc;
	}
	if ((int)(*reply)->body_case == want)
		return GT_OK;
	if ((*reply)->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR) {
		char sm[GT_SERVERMSG_MAX];
		gt_home_say(
		    v->h, _("%s: the server refused: %s"), WHAT,
		    gt_servermsg_error((*reply)->error->code, (*reply)->error->message, sm));
		rc = (*reply)->error->code < 0 && (*reply)->error->code >= GT_ERR_MIN
		         ? (*reply)->error->code
		         : GT_EPROTO;
	} else {
		gt_home_say(v->h, _("%s: the server answered out of turn"), WHAT);
		rc = GT_EPROTO;
	}
	return rc;
}

/* Fetches the entries page by page, in leaf order, reading each as it comes, at most the
 * options' cap (GT_ETOOBIG before a page would pass it). */
static int fetch_entries(struct verify *v, struct gt_session *s)
{
	uint64_t max = v->o->max_entries ? v->o->max_entries : GT_VERIFY_MAX_ENTRIES;
	uint64_t start = 0;
	int more = 1, rc = GT_OK;

	while (more && rc == GT_OK) {
		gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
		Gtsync__V1__LogEntriesRequest rq = GTSYNC__V1__LOG_ENTRIES_REQUEST__INIT;
		const Gtsync__V1__LogEntriesReply *r;

		rq.org_unit = (char *)v->root;
		rq.dataset = (char *)v->o->dataset;
		rq.period = (char *)v->o->period;
		rq.tree_size = v->held.head.size;
		rq.start_leaf = start;
		rq.max_entries = GT_VERIFY_PAGE;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_LOG_ENTRIES_REQUEST;
		env.log_entries_request = &rq;
		if ((rc = call(v, s, &env, GTSYNC__V1__ENVELOPE__BODY_LOG_ENTRIES_REPLY, &reply)) !=
		    GT_OK) {
			gt_wire_envelope_free(reply);
			return rc;
		}
		if (reply->log_entries_reply->tree_size != v->held.head.size ||
		    reply->log_entries_reply->next_leaf <= start) {
			gt_home_say(v->h, _("%s: the server answered out of turn"), WHAT);
			gt_wire_envelope_free(reply);
			return GT_EPROTO;
		}
		r = reply->log_entries_reply;
		if (r->n_entries > max - v->res.entries) {
			char n1[GT_HUMAN_MAX];
			num_text((double)max, n1);
			gt_home_say(
			    v->h,
			    _("%s: the log holds more than %s entries behind this report, the "
			      "most one verification takes: verify a smaller unit or a shorter "
			      "period"),
			    WHAT, n1);
			gt_wire_envelope_free(reply);
			return GT_ETOOBIG;
		}
		for (size_t i = 0; i < r->n_entries && rc == GT_OK; i++) {
			const Gtsync__V1__LogEntry *e = r->entries[i];

			v->res.entries++;
			v->res.bytes += e->leaf_entry.len + e->batch.len;
			if (e->leaf_index < start || e->leaf_index >= r->next_leaf) {
				problem(v, _("leaf %llu came out of order"),
				        (unsigned long long)e->leaf_index);
				continue;
			}
			if (e->leaf_entry.len > 0 && e->leaf_entry.data[0] == GT_LOGLEAF_KEY)
				rc = on_key(v, e);
			else
				rc = on_batch(v, e);
		}
		start = r->next_leaf;
		more = r->more;
		/* Values point into the batches, not into the reply: the reply can go. */
		gt_wire_envelope_free(reply);
	}
	return rc;
}

static int cmp_val(const void *a, const void *b)
{
	const struct vval *x = a, *y = b;
	int c = strcmp(x->v->data_element, y->v->data_element);

	if (c == 0)
		c = strcmp(x->v->period, y->v->period);
	if (c == 0)
		c = strcmp(x->v->org_unit, y->v->org_unit);
	if (c == 0)
		c = strcmp(x->v->category_option_combo ? x->v->category_option_combo : "",
		           y->v->category_option_combo ? y->v->category_option_combo : "");
	if (c == 0)
		c = x->order < y->order ? -1 : x->order > y->order;
	return c;
}

static int same_key(const struct vval *x, const struct vval *y)
{
	const char *xc = x->v->category_option_combo ? x->v->category_option_combo : "";
	const char *yc = y->v->category_option_combo ? y->v->category_option_combo : "";

	return strcmp(x->v->data_element, y->v->data_element) == 0 &&
	       strcmp(x->v->period, y->v->period) == 0 &&
	       strcmp(x->v->org_unit, y->v->org_unit) == 0 && strcmp(xc, yc) == 0;
}

static struct vcell *cell(struct verify *v, const char *scope, const char *element, const char *coc)
{
	for (size_t i = 0; i < v->ncells; i++)
		if (strcmp(v->cells[i].scope, scope) == 0 &&
		    strcmp(v->cells[i].element, element) == 0 && strcmp(v->cells[i].coc, coc) == 0)
			return &v->cells[i];
	if (GT_VEC_RESERVE(v->cells, v->capcells, v->ncells + 1) != GT_OK)
		return NULL;
	memset(&v->cells[v->ncells], 0, sizeof(v->cells[0]));
	v->cells[v->ncells].scope = scope;
	v->cells[v->ncells].element = element;
	v->cells[v->ncells].coc = coc;
	return &v->cells[v->ncells++];
}

/* Adds a winning value to its total and its child's figure, by the report's rules: a sum
 * element's option with a number; an element aggregated "none" counts its texts, "true" as 1. */
static int add_value(struct verify *v, const Gtsync__V1__DataValue *dv, char (*child)[8])
{
	const struct gt_meta_element *e = gt_meta_element_find(v->meta, dv->data_element);
	const char *coc = dv->category_option_combo ? dv->category_option_combo : "";
	const char *scopes[2] = {"", NULL};
	double num = 0;
	int is_num = gt_merge_number(dv->value, &num);

	if (e == NULL)
		return GT_OK;
	gt_vcomplete_child_of(v->root, dv->org_unit, *child);
	if ((*child)[0] != '\0')
		scopes[1] = *child;
	if (e->aggregation == GT_META_AGG_SUM) {
		if (!is_num || gt_meta_element_option_index(e, coc) < 0)
			return GT_OK;
	} else if (is_num) {
		return GT_OK;
	} else {
		num = dv->value != NULL && strcmp(dv->value, "true") == 0;
	}
	for (int i = 0; i < 2 && scopes[i] != NULL; i++) {
		struct vcell *c = cell(v, scopes[i], e->code, coc);

		if (c == NULL)
			return GT_ENOMEM;
		c->value += num;
		c->count++;
	}
	return GT_OK;
}

/* Re-applies the revision rule per value key (common/merge.h), in log order, and adds each
 * key's winner. Children's codes live in a table as long as the cells. */
static int recompute(struct verify *v, char (**children)[8])
{
	size_t i = 0;

	if (v->nvals > 0) /* no values: vals may be NULL, which qsort() does not take */
		qsort(v->vals, v->nvals, sizeof(*v->vals), cmp_val);
	*children = calloc(v->nvals + 1, sizeof(**children));
	if (*children == NULL)
		return GT_ENOMEM;
	while (i < v->nvals) {
		struct gt_merge_held held = {0, 0, {0}};
		const struct vval *win = NULL;
		size_t k = i, created = 0;

		for (; k < v->nvals && same_key(&v->vals[i], &v->vals[k]); k++) {
			const struct vval *c = &v->vals[k];
			const uint8_t *hash = v->hashes[c->batch];

			if (!gt_merge_wins(&held, c->v->revision, hash))
				continue;
			/* The row is created again by the first value written over none or over a
			 * deletion (its creation time is when the server received that one). */
			if (win == NULL || win->v->deleted)
				created = c->batch;
			held.exists = 1;
			held.revision = c->v->revision;
			memcpy(held.origin_batch, hash, GT_SHA256_LEN);
			win = c;
		}
		if (win != NULL && !win->v->deleted) {
			int rc = add_value(v, win->v, &(*children)[i]);
			if (rc != GT_OK)
				return rc;
			gt_vcomplete_value(v->comp, win->v->org_unit, v->recv[created],
			                   v->timed[created]);
			v->res.values[win->rv].won = 1;
			v->res.list[v->res.values[win->rv].batch].nwon++;
		}
		i = k;
	}
	return GT_OK;
}

/* Recomputes the digest of approval ap from the values of the batches logged before it (an
 * action takes effect before its own batch's values), v->vals sorted in canonical order. */
static int check_approval(struct verify *v, const struct vappr *ap)
{
	const Gtsync__V1__WorkflowAction *a = ap->a;
	struct gt_digest *d = NULL;
	uint8_t got[GT_SHA256_LEN];
	uint64_t count = 0, before = ap->leaf << 32;
	size_t i = 0;
	int rc = gt_digest_begin(a->dataset, a->period, a->org_unit, &d);

	while (rc == GT_OK && i < v->nvals) {
		struct gt_merge_held held = {0, 0, {0}};
		const struct vval *win = NULL;
		size_t k = i;
		int in = 0;

		for (; k < v->nvals && same_key(&v->vals[i], &v->vals[k]); k++) {
			const struct vval *c = &v->vals[k];
			const uint8_t *hash = v->hashes[c->batch];

			if (c->order >= before || !gt_merge_wins(&held, c->v->revision, hash))
				continue;
			held.exists = 1;
			held.revision = c->v->revision;
			memcpy(held.origin_batch, hash, GT_SHA256_LEN);
			win = c;
		}
		for (size_t p = 0; win != NULL && p < ap->nperiods; p++)
			in |= strcmp(ap->periods[p], win->v->period) == 0;
		if (win != NULL && !win->v->deleted && in &&
		    gt_orgunit_contains(a->org_unit, win->v->org_unit) == 1)
			rc = gt_digest_add(
			    d, win->v->data_element, win->v->period, win->v->org_unit,
			    win->v->category_option_combo ? win->v->category_option_combo : "",
			    win->v->value ? win->v->value : "");
		i = k;
	}
	if (rc == GT_OK)
		rc = gt_digest_end(d, got, &count);
	gt_digest_free(d);
	if (rc != GT_OK && rc != GT_EINVAL)
		return rc;
	if (rc == GT_EINVAL || memcmp(got, a->data_digest.data, GT_SHA256_LEN) != 0)
		problem(v,
		        _("leaf %llu: the approval of %s %s at %s signed a digest that the signed "
		          "batches before it do not give"),
		        (unsigned long long)ap->leaf, a->dataset, a->period, a->org_unit);
	else
		v->approvals_ok++;
	return GT_OK;
}

/* Notes a differing figure in the result (the problem line says it to a person). */
static void add_diff(struct verify *v, const char *scope, const char *element, const char *coc,
                     const Gtsync__V1__ReportValue *rv, const struct vcell *c)
{
	struct gt_verify_diff *d;
	size_t cap = v->ndiffs_cap;

	if (GT_VEC_RESERVE(v->res.diffs, cap, v->res.ndiffs + 1) != GT_OK)
		return; /* the problem line still says it */
	v->ndiffs_cap = cap;
	d = &v->res.diffs[v->res.ndiffs];
	memset(d, 0, sizeof(*d));
	d->element = strdup(element);
	d->coc = strdup(coc);
	if (d->element == NULL || d->coc == NULL) {
		free(d->element);
		free(d->coc);
		return;
	}
	snprintf(d->scope, sizeof(d->scope), "%s", scope);
	d->in_report = rv != NULL;
	d->reported = rv != NULL ? rv->value : 0;
	d->reported_count = rv != NULL ? rv->count : 0;
	d->recomputed = c->value;
	d->recomputed_count = c->count;
	v->res.ndiffs++;
}

/* Compares one figure of the server's report with the recomputed one. */
static void compare_one(struct verify *v, const char *scope, const Gtsync__V1__ReportValue *rv)
{
	const char *coc = rv->category_option_combo ? rv->category_option_combo : "";
	struct vcell *c = cell(v, scope, rv->data_element ? rv->data_element : "", coc);
	char a[GT_HUMAN_MAX], b[GT_HUMAN_MAX];
	const char *where = scope[0] != '\0' ? scope : v->root;

	if (c == NULL) {
		v->res.problems++;
		return;
	}
	c->seen = 1;
	if (rv->suppressed)
		return;
	if (fabs(c->value - rv->value) > 1e-9 || c->count != rv->count) {
		add_diff(v, scope, rv->data_element ? rv->data_element : "", coc, rv, c);
		num_text(rv->value, a);
		num_text(c->value, b);
		problem(
		    v,
		    _("differs: %s %s at %s%s: the server's report says %s (%u values), the signed "
		      "batches give %s (%u values)"),
		    rv->data_element, coc[0] != '\0' ? coc : "-", where,
		    scope[0] != '\0' ? "" : _(" (total)"), a, rv->count, b, c->count);
	}
}

static void compare(struct verify *v, const Gtsync__V1__ReportReply *rep)
{
	char b[GT_HUMAN_MAX];

	for (size_t i = 0; i < rep->n_totals; i++)
		compare_one(v, "", rep->totals[i]);
	for (size_t i = 0; i < rep->n_children; i++)
		for (size_t k = 0; k < rep->children[i]->n_values; k++)
			compare_one(v, rep->children[i]->org_unit ? rep->children[i]->org_unit : "",
			            rep->children[i]->values[k]);
	for (size_t i = 0; i < v->ncells; i++) {
		const struct vcell *c = &v->cells[i];

		if (c->seen || c->count == 0)
			continue;
		add_diff(v, c->scope, c->element, c->coc, NULL, c);
		num_text(c->value, b);
		problem(
		    v,
		    _("differs: %s %s at %s%s: the server's report does not show it, the signed "
		      "batches give %s (%u values)"),
		    c->element, c->coc[0] != '\0' ? c->coc : "-",
		    c->scope[0] != '\0' ? c->scope : v->root,
		    c->scope[0] != '\0' ? "" : _(" (total)"), b, c->count);
	}
}

/* The report's count of victims: the largest total of its victims elements (each counts the
 * same persons, whole or by a breakdown, or a part of them); *found 0 when it counts none (then
 * every total is summed). */
static double victims(const struct verify *v, const Gtsync__V1__ReportReply *rep, int *found)
{
	double best = 0, all = 0;

	*found = 0;
	for (size_t i = 0; i < v->ds->nelements; i++) {
		const struct gt_meta_element *e = v->ds->elements[i];
		double sum = 0;

		if (!e->victims || e->aggregation != GT_META_AGG_SUM)
			continue;
		*found = 1;
		for (size_t k = 0; k < rep->n_totals; k++)
			if (strcmp(rep->totals[k]->data_element, e->code) == 0)
				sum += rep->totals[k]->value;
		if (sum > best)
			best = sum;
	}
	for (size_t k = 0; k < rep->n_totals; k++)
		all += rep->totals[k]->value;
	return *found ? best : all;
}

/* Asks for the server's report (with the per-child part) on the session. */
static int ask_report(struct verify *v, struct gt_session *s, gt_envelope **reply)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__ReportRequest rq = GTSYNC__V1__REPORT_REQUEST__INIT;

	rq.org_unit = (char *)v->root;
	rq.dataset = (char *)v->o->dataset;
	rq.period = (char *)v->o->period;
	rq.per_child = 1;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST;
	env.report_request = &rq;
	return call(v, s, &env, GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY, reply);
}

/* Says a line of the completeness comparison: a finding, or a figure not checked. */
static void comp_say(void *arg, int is_problem, const char *line)
{
	struct verify *v = arg;

	if (is_problem) {
		problem(v, "%s", line);
		return;
	}
	fprintf(v->out, "  %s\n", gt_termtext_str(&v->tt, line));
	gt_termtext_clear(&v->tt);
	v->res.unchecked++;
}

/* Asks for the server's org-unit tree as it is now (its metadata, the key's scope) and starts
 * the recomputation of completeness over it. */
static int ask_orgunits(struct verify *v, struct gt_session *s)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
	Gtsync__V1__MetadataRequest rq = GTSYNC__V1__METADATA_REQUEST__INIT;
	const Gtsync__V1__MetadataReply *m;
	int rc;

	env.body_case = GTSYNC__V1__ENVELOPE__BODY_METADATA_REQUEST;
	env.metadata_request = &rq;
	if ((rc = call(v, s, &env, GTSYNC__V1__ENVELOPE__BODY_METADATA_REPLY, &reply)) == GT_OK) {
		m = reply->metadata_reply;
		rc = gt_vcomplete_new(v->root, v->ds, v->o->period,
		                      (const Gtsync__V1__OrgUnit *const *)m->org_units,
		                      m->n_org_units, comp_say, v, &v->comp);
	}
	gt_wire_envelope_free(reply);
	return rc;
}

/* Logs in and reads the head the login verified; refuses a reader key. */
static int login(struct verify *v, struct gt_session **s)
{
	struct gt_session_err err;
	gt_envelope *auth = NULL;
	unsigned roles;
	int rc;

	memset(&err, 0, sizeof(err));
	if ((rc = gt_home_connect(v->h, 0, s, &auth, &err)) != GT_OK) {
		gt_home_explain(v->h, WHAT, &err);
		return rc;
	}
	roles = gt_roleset_of_auth(auth->auth_result);
	gt_wire_envelope_free(auth);
	if (roles == 1u << GTSYNC__V1__ROLE__ROLE_READER) {
		gt_home_say(
		    v->h,
		    _("%s: a reader key cannot verify a report: it gets consolidated figures "
		      "only, never the signed batches behind them (docs/PRIVACY.md). Ask an "
		      "aggregator or the secretariat of the unit to run it."),
		    WHAT);
		return GT_EPERM;
	}
	rc = gt_cstore_tree_head_get(v->h->st, &v->held);
	if (rc != GT_OK) {
		gt_home_say(
		    v->h,
		    _("%s: this office holds no verified tree head of the server's log (the "
		      "server signs none): nothing to verify against"),
		    WHAT);
		return rc == GT_ENOENT ? GT_ENOTSUP : rc;
	}
	return GT_OK;
}

static void verify_free(struct verify *v)
{
	for (size_t i = 0; i < v->nbatches; i++)
		gt_wire_batch_free(v->batches[i]);
	free(v->batches);
	free(v->hashes);
	free(v->recv);
	free(v->timed);
	gt_vcomplete_free(v->comp);
	for (size_t i = 0; i < v->nleaves; i++)
		free(v->entries[i].data);
	free(v->entries);
	free(v->leaves);
	free(v->keys);
	free(v->units);
	free(v->vals);
	free(v->cells);
	free(v->apprs);
	gt_meta_free(v->meta);
	gt_termtext_clear(&v->tt);
}

/* Marks the listed batches whose leaves come before the first unproven one (the leaves kept
 * in leaf order, first_bad their count when every one is proven) as included. */
static void mark_proven(struct verify *v, size_t first_bad)
{
	uint64_t limit = first_bad < v->nleaves ? v->leaves[first_bad] : UINT64_MAX;

	for (size_t i = 0; i < v->res.nlist; i++)
		v->res.list[i].included = v->res.list[i].leaf < limit;
}

/* Gives the listed batches' keys the labels of their latest key records; keys whose records
 * carry none (written before records carried labels) the labels the report's history shows. */
static void label_keys(struct verify *v, const Gtsync__V1__ReportReply *rep)
{
	for (size_t i = 0; i < v->res.nlist; i++) {
		const struct vkey *vk = key_find(v, v->res.list[i].key_id);
		if (vk != NULL)
			memcpy(v->res.list[i].key_label, vk->label, sizeof(vk->label));
	}
	for (size_t i = 0; i < v->res.nlist; i++)
		for (size_t k = 0; k < rep->n_history && v->res.list[i].key_label[0] == '\0'; k++) {
			const Gtsync__V1__WorkflowEvent *ev = rep->history[k];
			if (ev->key_id != NULL && ev->key_label != NULL && ev->key_label[0] &&
			    strcmp(ev->key_id, v->res.list[i].key_id) == 0)
				snprintf(v->res.list[i].key_label, sizeof(v->res.list[i].key_label),
				         "%s", ev->key_label);
		}
}

void gt_verify_result_free(struct gt_verify_result *res)
{
	if (res == NULL)
		return;
	for (size_t i = 0; i < res->nvalues; i++) {
		free(res->values[i].element);
		free(res->values[i].coc);
	}
	for (size_t i = 0; i < res->ndiffs; i++) {
		free(res->diffs[i].element);
		free(res->diffs[i].coc);
	}
	free(res->values);
	free(res->diffs);
	free(res->list);
	memset(res, 0, sizeof(*res));
}

/* Finds the data set asked for in the home's metadata and checks the period and org unit
 * asked for, saying what is wrong. */
static int check_request(struct verify *v)
{
	struct gt_home *h = v->h;
	const struct gt_verify_opts *o = v->o;
	int rc;

	if ((rc = gt_home_meta(h, WHAT, &v->meta)) != GT_OK)
		return rc;
	if ((v->ds = gt_meta_dataset_find(v->meta, o->dataset)) == NULL) {
		gt_home_say(h, _("%s: no data set %s in the metadata"), WHAT, o->dataset);
		return GT_ENOENT;
	}
	if (gt_period_within(v->ds->period_type, o->period, v->periods, &v->nperiods) != GT_OK) {
		gt_home_say(h, _("%s: %s is not a period of the data set's type or coarser"), WHAT,
		            o->period);
		return GT_EINVAL;
	}
	if (gt_orgunit_valid(v->root) != 0) {
		gt_home_say(h, _("%s: %s is not an org-unit code"), WHAT, v->root);
		return GT_EINVAL;
	}
	return GT_OK;
}

/* Proves the kept leaves in the held tree head on the session and marks the listed batches
 * proven; a leaf that does not prove is a problem, a failure to ask is said. */
static int prove(struct verify *v, struct gt_session *s)
{
	struct gt_session_err err;
	char why[256];
	size_t bad = 0, proven = v->nleaves;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = gt_treelog_prove_leaves(s, &v->held, v->leaves, v->entries, v->nleaves, &bad, why,
	                             sizeof(why), &err);
	if (rc == GT_EBADSIG) {
		problem(v, "%s", why);
		proven = bad;
		rc = GT_OK;
	} else if (rc != GT_OK) {
		gt_home_explain(v->h, WHAT, &err);
		return rc;
	}
	mark_proven(v, proven);
	return GT_OK;
}

/* Says the verdict: the count of problems found (GT_ECORRUPT), else what was verified (found:
 * the victims' figure was the report's own). */
static int say_verdict(struct verify *v, int found)
{
	char n1[GT_HUMAN_MAX], n2[GT_HUMAN_MAX], n3[GT_HUMAN_MAX], n4[GT_HUMAN_MAX];

	if (v->res.problems > 0) {
		fprintf(
		    v->out,
		    P_("NOT verified: %llu difference between the server's report and its signed "
		       "log (above)\n",
		       "NOT verified: %llu differences between the server's report and its signed "
		       "log (above)\n",
		       (unsigned long)v->res.problems),
		    (unsigned long long)v->res.problems);
		return GT_ECORRUPT;
	}
	num_text(v->res.victims, n1);
	num_text((double)v->res.batches, n2);
	num_text((double)v->res.units, n3);
	num_text((double)v->res.tree_size, n4);
	if (found)
		fprintf(v->out,
		        _("verified: %s victims = %s signed batches from %s units, tree head %s\n"),
		        n1, n2, n3, n4);
	else
		fprintf(v->out,
		        _("verified: figures summing to %s = %s signed batches from %s units, tree "
		          "head "
		          "%s\n"),
		        n1, n2, n3, n4);
	if (v->approvals_ok > 0) {
		num_text((double)v->approvals_ok, n1);
		fprintf(v->out,
		        P_("approvals: %s signed digest matches the signed batches\n",
		           "approvals: %s signed digests match the signed batches\n",
		           (unsigned long)v->approvals_ok),
		        n1);
	}
	return GT_OK;
}

int gt_verify_run(struct gt_home *h, const struct gt_verify_opts *o, struct gt_verify_result *res)
{
	struct verify v;
	struct gt_session *s = NULL;
	gt_envelope *report = NULL;
	char(*children)[8] = NULL;
	int rc, found;

	memset(&v, 0, sizeof(v));
	if (res != NULL)
		memset(res, 0, sizeof(*res));
	v.h = h;
	v.o = o;
	v.out = o->out != NULL ? o->out : stdout;
	v.root = o->org != NULL ? o->org : h->org;
	if ((rc = check_request(&v)) != GT_OK || (rc = login(&v, &s)) != GT_OK ||
	    (rc = ask_report(&v, s, &report)) != GT_OK || (rc = ask_orgunits(&v, s)) != GT_OK ||
	    (rc = fetch_entries(&v, s)) != GT_OK || (rc = prove(&v, s)) != GT_OK)
		goto out;
	label_keys(&v, report->report_reply);
	if ((rc = recompute(&v, &children)) != GT_OK)
		goto out;
	for (size_t i = 0; i < v.napprs; i++)
		if ((rc = check_approval(&v, &v.apprs[i])) != GT_OK)
			goto out;
	compare(&v, report->report_reply);
	gt_vcomplete_compare(v.comp, report->report_reply);
	v.res.units = v.nunits;
	v.res.tree_size = v.held.head.size;
	v.res.victims = victims(&v, report->report_reply, &found);
	v.res.victims_found = found;
	rc = say_verdict(&v, found);
out:
	v.res.approvals = v.approvals_ok;
	if (res != NULL)
		*res = v.res;
	else
		gt_verify_result_free(&v.res);
	free(children);
	gt_wire_envelope_free(report);
	gt_session_close(s);
	verify_free(&v);
	return rc;
}
