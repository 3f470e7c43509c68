/* The transparency log in the client store: the last verified tree head, alarms, proven batches. */
#ifndef GT_CSTORE_TREE_H
#define GT_CSTORE_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "cstore.h"
#include "gtlimits.h"
#include "treehead.h"

/* Longest alarm text kept, in bytes with the NUL. */
#define GT_CSTORE_TREE_WHAT_MAX 512u

/* A tree head the client verified, with the server key that signed it. */
struct gt_cstore_tree_head {
	struct gt_treehead head;
	uint8_t server_key[GT_ED25519_PUB_LEN];
	int64_t verified_at_ms;
};

/* An alarm: the server showed a history that does not extend the head the client held. */
struct gt_cstore_tree_alarm {
	int64_t raised_at_ms;
	uint64_t held_size;
	uint8_t held_root[GT_SHA256_LEN];
	uint64_t seen_size;
	uint8_t seen_root[GT_SHA256_LEN];
	char what[GT_CSTORE_TREE_WHAT_MAX]; /* what did not check, for a person */
};

/* An acknowledged batch whose inclusion in the log is not proven yet. */
struct gt_cstore_unproven {
	uint64_t seq;
	uint8_t hash[GT_SHA256_LEN]; /* SHA-256 of its bytes */
	uint8_t sig[GT_ED25519_SIG_LEN];
	size_t sig_len;
};

/* The last verified head into out; GT_ENOENT before the first. */
int gt_cstore_tree_head_get(struct gt_cstore *st, struct gt_cstore_tree_head *out);

/* Saves h as the last verified head. */
int gt_cstore_tree_head_put(struct gt_cstore *st, const struct gt_cstore_tree_head *h);

/* The alarm not yet acknowledged into out; GT_ENOENT when there is none. */
int gt_cstore_tree_alarm_get(struct gt_cstore *st, struct gt_cstore_tree_alarm *out);

/* Records an alarm (kept until acknowledged). */
int gt_cstore_tree_alarm_raise(struct gt_cstore *st, const struct gt_cstore_tree_alarm *a);

/* Acknowledges the open alarm at now_ms and forgets the held head, so that the next sync
 * starts from the head the server shows then. GT_ENOENT when no alarm is open. */
int gt_cstore_tree_alarm_ack(struct gt_cstore *st, int64_t now_ms);

/* Up to max acknowledged batches not yet proven included, oldest first, into a new array *out
 * of *n (caller frees with free()). */
int gt_cstore_tree_unproven(struct gt_cstore *st, size_t max, struct gt_cstore_unproven **out,
                            size_t *n);

/* Records that batch seq was proven included as leaf. */
int gt_cstore_tree_proven(struct gt_cstore *st, uint64_t seq, uint64_t leaf);

#endif
