/* A client store in a temporary directory for the store's unit tests, with helpers that fill
 * it. */
#ifndef GT_CSTOREFX_H
#define GT_CSTOREFX_H

#include <stdint.h>

#include "cstore.h"

/* The clock the store tests pass: 2026-11-24T00:00:00Z. */
#define GT_CSTOREFX_NOW 1795435200000LL

struct gt_cstorefx {
	char *dir;
	char path[1024]; /* dir/client.db */
	struct gt_cstore *st;
};

/* cmocka setup and teardown: a new store in a new directory; *state is the fixture. */
int gt_cstorefx_setup(void **state);
int gt_cstorefx_teardown(void **state);

/* A value of 53.71 to queue (borrowed strings). */
struct gt_cstore_value gt_cstorefx_val(const char *de, const char *period, const char *coc,
                                       const char *value);

/* The store's counts; fails the test if they cannot be read. */
void gt_cstorefx_status(struct gt_cstore *st, struct gt_cstore_status *s);

/* Queues n values (GT_CATATAN, every month of the year 2000 + seq, values tag0, tag1...) and
 * saves them as batch seq (bytes "abc"). */
void gt_cstorefx_make_batch(struct gt_cstore *st, uint64_t seq, int n, const char *tag);

/* Queues n approvals (KK of 53.71, a year each, digests filled with 1, 2...) and saves every
 * queued action, which must be take of them, as batch seq (bytes "xyz"). */
void gt_cstorefx_make_action_batch(struct gt_cstore *st, uint64_t seq, int n, size_t take);

/* Applies a WARNING ack of batch seq whose one conflict (reason, kind, message) names the items
 * idx[0..n); returns what gt_cstore_batch_acked() returns, the values in conflict in
 * *conflicts. */
int gt_cstorefx_ack_conflict(struct gt_cstore *st, uint64_t seq, int reason, int kind,
                             uint32_t *idx, size_t n, const char *message, uint32_t *conflicts);

#endif
