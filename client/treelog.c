/* The client's watch over the server's transparency log: heads, consistency and inclusion. */
#include "treelog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cstore_tree.h"
#include "error.h"
#include "i18n.h"
#include "logleaf.h"
#include "merkle.h"

/* The first 8 bytes of h as hex, for a sentence; the full hash is in the store. */
static const char *short_hex(const uint8_t *h, char out[17])
{
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	return out;
}

static void full_hex(const uint8_t *h, char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* The alarm's sentence into err. */
static void alarm_sentence(const struct gt_cstore_tree_alarm *a, struct gt_session_err *err)
{
	char held[17], seen[17];

	err->code = GT_ECORRUPT;
	snprintf(err->message, sizeof(err->message),
	         _("ALARM: the server's history changed: this office verified its log at %llu "
	           "entries (root %s), and the server now shows %llu entries (root %s): %s. "
	           "Nothing more is sent or taken until an operator acts: tell the central "
	           "secretariat, then run 'gtsync alarm --acknowledge'"),
	         (unsigned long long)a->held_size, short_hex(a->held_root, held),
	         (unsigned long long)a->seen_size, short_hex(a->seen_root, seen), a->what);
}

int gt_treelog_refuse(struct gt_home *h, struct gt_session_err *err)
{
	struct gt_cstore_tree_alarm a;
	int rc = gt_cstore_tree_alarm_get(h->st, &a);

	if (rc == GT_ENOENT)
		return GT_OK;
	if (rc != GT_OK) {
		err->code = rc;
		snprintf(err->message, sizeof(err->message), "%s", gt_cstore_errmsg(h->st));
		return rc;
	}
	alarm_sentence(&a, err);
	return GT_ECORRUPT;
}

/* Raises an alarm: the held head (if any) against the head seen, with what did not check. */
static int raise_alarm(struct gt_home *h, const struct gt_cstore_tree_head *held, int have_held,
                       const struct gt_treehead *seen, const char *what, struct gt_session_err *err)
{
	struct gt_cstore_tree_alarm a;

	memset(&a, 0, sizeof(a));
	a.raised_at_ms = gt_clock_wall_ms();
	if (have_held) {
		a.held_size = held->head.size;
		memcpy(a.held_root, held->head.root, sizeof(a.held_root));
	}
	a.seen_size = seen->size;
	memcpy(a.seen_root, seen->root, sizeof(a.seen_root));
	snprintf(a.what, sizeof(a.what), "%s", what);
	(void)gt_cstore_tree_alarm_raise(h->st, &a);
	alarm_sentence(&a, err);
	return GT_ECORRUPT;
}

/* Whether entry is the leaf entry of batch u (with its signature, or without when the server
 * kept only the hash of a batch of which nothing applied; with the time the server received
 * it or, logged before leaves carried it, without). */
static int entry_is_batch(const ProtobufCBinaryData *entry, const struct gt_cstore_unproven *u)
{
	struct gt_logleaf_batchinfo bi;

	if (gt_logleaf_batch_parse(entry->data, entry->len, &bi) != GT_OK ||
	    memcmp(bi.hash, u->hash, GT_SHA256_LEN) != 0)
		return 0;
	return bi.sig_len == 0 ||
	       (bi.sig_len == u->sig_len && memcmp(bi.sig, u->sig, bi.sig_len) == 0);
}

/* Sends a ProofRequest for the current tree from old_size, with inclusion proofs of us. */
static int ask(struct gt_session *s, uint64_t old_size, const struct gt_cstore_unproven *us,
               size_t n, gt_envelope **reply, struct gt_session_err *err)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__ProofRequest rq = GTSYNC__V1__PROOF_REQUEST__INIT;
	ProtobufCBinaryData hashes[GT_TREELOG_PROVE_MAX];

	for (size_t i = 0; i < n; i++) {
		hashes[i].data = (uint8_t *)us[i].hash;
		hashes[i].len = GT_SHA256_LEN;
	}
	rq.old_size = old_size;
	rq.batch_hashes = hashes;
	rq.n_batch_hashes = n;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PROOF_REQUEST;
	env.proof_request = &rq;
	return gt_session_call(s, &env, reply, err);
}

/* Copies repeated 32-byte nodes into out; 0, or -1 when one is malformed or too many. */
static int nodes(const ProtobufCBinaryData *in, size_t n,
                 uint8_t out[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN])
{
	if (n > GT_MERKLE_MAX_PROOF)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (in[i].len != GT_MERKLE_HASH_LEN)
			return -1;
		memcpy(out[i], in[i].data, GT_MERKLE_HASH_LEN);
	}
	return 0;
}

/* Finds which of us the server does not hold, by asking for each alone; raises the alarm for
 * the first missing one. */
static int find_missing(struct gt_home *h, struct gt_session *s,
                        const struct gt_cstore_tree_head *held, int have_held,
                        const struct gt_cstore_unproven *us, size_t n, struct gt_session_err *err)
{
	for (size_t i = 0; i < n; i++) {
		gt_envelope *reply = NULL;
		int rc = ask(s, 0, &us[i], 1, &reply, err);

		if (rc != GT_OK)
			return rc;
		if (reply->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR &&
		    reply->error->code == GT_ENOENT) {
			char what[160];
			struct gt_treehead none;

			memset(&none, 0, sizeof(none));
			if (have_held)
				none = held->head;
			snprintf(what, sizeof(what),
			         _("batch %llu, which it acknowledged, is not in its log"),
			         (unsigned long long)us[i].seq);
			gt_wire_envelope_free(reply);
			return raise_alarm(h, held, have_held, &none, what, err);
		}
		gt_wire_envelope_free(reply);
	}
	return GT_OK;
}

/* Answers a server that refused the proof request: nothing to check when it is older than
 * the request, the missing batch found when it lacks one, an alarm when the held head is beyond
 * its log, else its error as the session's. */
static int refused(struct gt_home *h, struct gt_session *s, const struct gt_cstore_tree_head *held,
                   int have_held, const struct gt_cstore_unproven *us, size_t n,
                   const Gtsync__V1__Error *e, struct gt_session_err *err)
{
	int code = e->code, rc;

	/* A server of an older version does not know the request: nothing to check. */
	if (code == GT_EPROTO) {
		rc = GT_OK;
	} else if (code == GT_ENOENT && n > 0) {
		rc = find_missing(h, s, held, have_held, us, n, err);
	} else if (code == GT_EINVAL && have_held) {
		/* The held head is beyond the server's log: the history shrank. */
		struct gt_treehead none;

		memset(&none, 0, sizeof(none));
		rc = raise_alarm(h, held, have_held, &none,
		                 _("its log is shorter than the one this office verified"), err);
	} else {
		rc = code < 0 && code >= GT_ERR_MIN ? code : GT_EPROTO;
		err->code = rc;
		snprintf(err->message, sizeof(err->message), "%s",
		         e->message ? e->message : gt_strerror(rc));
	}
	return rc;
}

/* Reads the reply's tree head into now and checks it: well formed, signed by the key held
 * before with a signature that verifies, extending the held head. NULL when it checks, else
 * what did not. path is room for GT_MERKLE_MAX_PROOF nodes. */
static const char *head_fault(const struct gt_cstore_tree_head *held, int have_held,
                              const Gtsync__V1__ProofReply *pr, struct gt_cstore_tree_head *now,
                              uint8_t (*path)[GT_MERKLE_HASH_LEN])
{
	now->head.size = pr->head->tree_size;
	now->head.timestamp_ms = pr->head->timestamp_ms;
	if (pr->head->root_hash.len != GT_MERKLE_HASH_LEN ||
	    pr->head->signature.len != GT_ED25519_SIG_LEN)
		return _("its tree head is malformed");
	memcpy(now->head.root, pr->head->root_hash.data, GT_MERKLE_HASH_LEN);
	memcpy(now->head.signature, pr->head->signature.data, GT_ED25519_SIG_LEN);
	if (have_held && memcmp(held->server_key, now->server_key, GT_ED25519_PUB_LEN) != 0)
		return _("it now signs with another signing key");
	if (gt_treehead_verify(now->server_key, &now->head) != GT_OK)
		return _("its tree head's signature does not verify");
	if (have_held && (nodes(pr->consistency, pr->n_consistency, path) != 0 ||
	                  gt_merkle_consistency_verify(
	                      held->head.size, now->head.size, held->head.root, now->head.root,
	                      (const uint8_t(*)[32])path, pr->n_consistency) != GT_OK))
		return _("it does not extend the history this office verified");
	return NULL;
}

/* Checks that the reply proves each of us in the tree of head: NULL when it does, else what
 * did not (in what, of what_len bytes, when it names a batch). path is room for
 * GT_MERKLE_MAX_PROOF nodes. */
static const char *inclusion_fault(const Gtsync__V1__ProofReply *pr,
                                   const struct gt_cstore_unproven *us, size_t n,
                                   const struct gt_treehead *head,
                                   uint8_t (*path)[GT_MERKLE_HASH_LEN], char *what, size_t what_len)
{
	if (pr->n_inclusions != n)
		return _("it did not prove every batch asked about");
	for (size_t i = 0; i < n; i++) {
		const Gtsync__V1__InclusionProof *ip = pr->inclusions[i];
		uint8_t leaf[GT_MERKLE_HASH_LEN];
		size_t n_path = ip->n_path;

		if (!entry_is_batch(&ip->leaf_entry, &us[i]) ||
		    nodes(ip->path, n_path, path) != 0 ||
		    gt_merkle_leaf_hash(ip->leaf_entry.data, ip->leaf_entry.len, leaf) != GT_OK ||
		    gt_merkle_inclusion_verify(ip->leaf_index, head->size, leaf,
		                               (const uint8_t(*)[32])path, n_path,
		                               head->root) != GT_OK) {
			snprintf(what, what_len,
			         _("batch %llu, which it acknowledged, is not in its log as sent"),
			         (unsigned long long)us[i].seq);
			return what;
		}
	}
	return NULL;
}

/* Keeps the new head and the proven batches together. Best effort: a home opened read-only
 * still checks, and checks again next time. */
static void keep_proven(struct gt_home *h, const struct gt_cstore_unproven *us, size_t n,
                        const Gtsync__V1__ProofReply *pr, struct gt_cstore_tree_head *now)
{
	int rc;

	now->verified_at_ms = gt_clock_wall_ms();
	rc = gt_cstore_begin(h->st);
	for (size_t i = 0; i < n && rc == GT_OK; i++)
		rc = gt_cstore_tree_proven(h->st, us[i].seq, pr->inclusions[i]->leaf_index);
	if (rc == GT_OK)
		rc = gt_cstore_tree_head_put(h->st, now);
	if (rc == GT_OK)
		(void)gt_cstore_commit(h->st);
	else
		gt_cstore_rollback(h->st);
}

int gt_treelog_check(struct gt_home *h, struct gt_session *s, struct gt_session_err *err)
{
	struct gt_cstore_tree_head held, now;
	struct gt_cstore_unproven *us = NULL;
	uint8_t(*path)[GT_MERKLE_HASH_LEN] = NULL;
	gt_envelope *reply = NULL;
	const Gtsync__V1__ProofReply *pr;
	const char *fault;
	char what[160];
	size_t n = 0;
	int have_held, rc;

	memset(&now, 0, sizeof(now));
	if (gt_session_server_key(s, now.server_key) != GT_OK)
		return GT_OK; /* a server without a signing key to check against */
	rc = gt_cstore_tree_head_get(h->st, &held);
	if (rc != GT_OK && rc != GT_ENOENT)
		goto store_failed;
	have_held = rc == GT_OK;
	rc = gt_cstore_tree_unproven(h->st, GT_TREELOG_PROVE_MAX, &us, &n);
	if (rc != GT_OK)
		goto store_failed;
	path = malloc(GT_MERKLE_MAX_PROOF * GT_MERKLE_HASH_LEN);
	if (path == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	rc = ask(s, have_held ? held.head.size : 0, us, n, &reply, err);
	if (rc != GT_OK)
		goto out;
	if (reply->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR) {
		rc = refused(h, s, &held, have_held, us, n, reply->error, err);
		goto out;
	}
	if (reply->body_case != GTSYNC__V1__ENVELOPE__BODY_PROOF_REPLY ||
	    reply->proof_reply->head == NULL) {
		rc = err->code = GT_EPROTO;
		snprintf(err->message, sizeof(err->message), "%s",
		         _("the server answered a proof request out of turn"));
		goto out;
	}
	pr = reply->proof_reply;
	fault = head_fault(&held, have_held, pr, &now, path);
	if (fault == NULL)
		fault = inclusion_fault(pr, us, n, &now.head, path, what, sizeof(what));
	if (fault != NULL) {
		rc = raise_alarm(h, &held, have_held, &now.head, fault, err);
		goto out;
	}
	keep_proven(h, us, n, pr, &now);
	rc = GT_OK;
	goto out;
store_failed:
	err->code = rc;
	snprintf(err->message, sizeof(err->message), _("cannot keep the server's tree head: %s"),
	         gt_cstore_errmsg(h->st));
out:
	free(path);
	free(us);
	gt_wire_envelope_free(reply);
	return rc;
}

int gt_treelog_print_alarm(struct gt_home *h, FILE *out)
{
	struct gt_cstore_tree_alarm a;
	char held[65], seen[65], when[40];

	if (gt_cstore_tree_alarm_get(h->st, &a) != GT_OK)
		return 0;
	full_hex(a.held_root, held);
	full_hex(a.seen_root, seen);
	gt_clock_iso(a.raised_at_ms, when, sizeof(when));
	fprintf(out, _("ALARM (raised %s): the server's history changed: %s.\n"), when, a.what);
	fprintf(out, _("  tree head this office verified: %llu entries, root %s\n"),
	        (unsigned long long)a.held_size, held);
	fprintf(out, _("  tree head the server showed:    %llu entries, root %s\n"),
	        (unsigned long long)a.seen_size, seen);
	fprintf(
	    out, "%s\n",
	    _("  Nothing is sent or taken until an operator acts: tell the central secretariat, "
	      "then run 'gtsync alarm --acknowledge'."));
	return 1;
}

/* Checks one ProofReply against the held head and the entries asked (n of them). */
static int check_leaves(const Gtsync__V1__ProofReply *pr, const struct gt_cstore_tree_head *held,
                        const uint64_t *leaves, const ProtobufCBinaryData *entries, size_t n,
                        size_t *bad, char *why, size_t why_len)
{
	uint8_t path[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN];
	struct gt_treehead head;

	*bad = 0;
	memset(&head, 0, sizeof(head));
	if (pr->head == NULL || pr->head->root_hash.len != GT_MERKLE_HASH_LEN ||
	    pr->head->signature.len != GT_ED25519_SIG_LEN) {
		snprintf(why, why_len, "%s", _("the server's tree head is malformed"));
		return GT_EBADSIG;
	}
	head.size = pr->head->tree_size;
	head.timestamp_ms = pr->head->timestamp_ms;
	memcpy(head.root, pr->head->root_hash.data, GT_MERKLE_HASH_LEN);
	memcpy(head.signature, pr->head->signature.data, GT_ED25519_SIG_LEN);
	if (gt_treehead_verify(held->server_key, &head) != GT_OK || head.size != held->head.size ||
	    memcmp(head.root, held->head.root, GT_MERKLE_HASH_LEN) != 0) {
		snprintf(why, why_len, "%s",
		         _("the server proved against a tree head other than the one this office "
		           "verified"));
		return GT_EBADSIG;
	}
	if (pr->n_inclusions != n) {
		snprintf(why, why_len, "%s", _("the server did not prove every entry asked about"));
		return GT_EBADSIG;
	}
	for (size_t i = 0; i < n; i++) {
		const Gtsync__V1__InclusionProof *ip = pr->inclusions[i];
		uint8_t leaf[GT_MERKLE_HASH_LEN];

		if (ip->leaf_index != leaves[i] || ip->leaf_entry.len != entries[i].len ||
		    (entries[i].len > 0 &&
		     memcmp(ip->leaf_entry.data, entries[i].data, entries[i].len) != 0) ||
		    nodes(ip->path, ip->n_path, path) != 0 ||
		    gt_merkle_leaf_hash(entries[i].data, entries[i].len, leaf) != GT_OK ||
		    gt_merkle_inclusion_verify(leaves[i], held->head.size, leaf,
		                               (const uint8_t(*)[32])path, ip->n_path,
		                               held->head.root) != GT_OK) {
			*bad = i;
			snprintf(
			    why, why_len,
			    _("the entry of leaf %llu is not in the tree this office verified"),
			    (unsigned long long)leaves[i]);
			return GT_EBADSIG;
		}
	}
	return GT_OK;
}

int gt_treelog_prove_leaves(struct gt_session *s, const struct gt_cstore_tree_head *held,
                            const uint64_t *leaves, const ProtobufCBinaryData *entries, size_t n,
                            size_t *bad, char *why, size_t why_len, struct gt_session_err *err)
{
	int rc = GT_OK;

	*bad = 0;
	for (size_t done = 0; done < n && rc == GT_OK;) {
		size_t k = n - done > GT_TREELOG_PROVE_LEAVES ? GT_TREELOG_PROVE_LEAVES : n - done;
		gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
		Gtsync__V1__ProofRequest rq = GTSYNC__V1__PROOF_REQUEST__INIT;

		rq.tree_size = held->head.size;
		rq.leaf_indexes = (uint64_t *)&leaves[done];
		rq.n_leaf_indexes = k;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_PROOF_REQUEST;
		env.proof_request = &rq;
		if ((rc = gt_session_call(s, &env, &reply, err)) != GT_OK)
			return rc;
		if (reply->body_case == GTSYNC__V1__ENVELOPE__BODY_PROOF_REPLY) {
			rc = check_leaves(reply->proof_reply, held, &leaves[done], &entries[done],
			                  k, bad, why, why_len);
			*bad += done;
		} else {
			*bad = done;
			snprintf(why, why_len,
			         _("the server refused to prove leaves %llu and on: %s"),
			         (unsigned long long)leaves[done],
			         reply->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR &&
			                 reply->error->message != NULL
			             ? reply->error->message
			             : "?");
			rc = GT_EBADSIG;
		}
		gt_wire_envelope_free(reply);
		done += k;
	}
	return rc;
}
