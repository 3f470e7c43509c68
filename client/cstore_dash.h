/* The dashboard's cache in the client store: consolidated reports as the server sent them. */
#ifndef GT_CSTORE_DASH_H
#define GT_CSTORE_DASH_H

#include <stddef.h>
#include <stdint.h>

#include "cstore.h"
#include "gtlimits.h"
#include "orgunit.h"

/* Longest data set code and period the cache keeps (with the NUL). */
#define GT_CSTORE_DASH_DS_LEN 64u
#define GT_CSTORE_DASH_PE_LEN 16u
/* Largest cached reply the cache reads back. */
#define GT_CSTORE_DASH_MAX_REPLY (64u * 1024u * 1024u)

/* One cached report's key. */
struct gt_cstore_dash_key {
	char org[GT_ORGUNIT_MAX_LEN];
	char dataset[GT_CSTORE_DASH_DS_LEN];
	char period[GT_CSTORE_DASH_PE_LEN];
};

/* Reads the cached ReportReply bytes of (org, dataset, period): *bytes (caller frees; NULL
 * when only asked for), *len, *fetched_ms (0 when never fetched) and the last fetch's failure
 * into err[0..err_len) ("" when none; err may be NULL). GT_ENOENT when the key was never asked
 * for nor fetched. */
int gt_cstore_dash_get(struct gt_cstore *st, const struct gt_cstore_dash_key *k, uint8_t **bytes,
                       size_t *len, int64_t *fetched_ms, char *err, size_t err_len);

/* Saves a fetched reply (borrowed bytes) for k at now_ms, clearing a failure noted. */
int gt_cstore_dash_put(struct gt_cstore *st, const struct gt_cstore_dash_key *k,
                       const uint8_t *bytes, size_t len, int64_t now_ms);

/* Renews the time of k's cached reply to now_ms, clearing a failure noted: the server said it
 * is unchanged. */
int gt_cstore_dash_touch(struct gt_cstore *st, const struct gt_cstore_dash_key *k, int64_t now_ms);

/* Notes that a page wants k (at now_ms), so the refresher fetches it; a failure noted for a
 * key never fetched is cleared, so it is tried again. */
int gt_cstore_dash_want(struct gt_cstore *st, const struct gt_cstore_dash_key *k, int64_t now_ms);

/* Notes why fetching k failed (a sentence for a person). */
int gt_cstore_dash_fail(struct gt_cstore *st, const struct gt_cstore_dash_key *k, const char *why);

/* Lists up to max keys fetched before older_ms (never-fetched ones first, then the most
 * recently wanted), leaving out those whose last fetch failed unless with_failed is set.
 * Caller frees *out. */
int gt_cstore_dash_due(struct gt_cstore *st, int64_t older_ms, int with_failed, size_t max,
                       struct gt_cstore_dash_key **out, size_t *n);

#endif
