/* The read log: each report, pull and export served, with the key, its scope and the time
 * (issue 14: reads of consolidated data are attributable). */
#ifndef GT_STORE_READS_H
#define GT_STORE_READS_H

#include <stdint.h>

struct gt_store;

/* One read served; strings borrowed. */
struct gt_store_read {
	int64_t at_ms;
	const char *key_id;
	const char *key_org;  /* the key's org unit */
	unsigned roles;       /* the key's role set (roleset.h) */
	const char *kind;     /* "report", "pull", "export" */
	const char *org_unit; /* what was read: the request's org unit */
	const char *dataset;  /* "" for all */
	const char *period;   /* "" for none (a pull, an export's range is in period) */
	uint64_t items;       /* values served */
};

/* Records r in the caller's write transaction, and forgets reads older than keep_from_ms
 * (0: keep all). Returns 0 or a GT_E* code with gt_store_errmsg(). */
int gt_store_read_record(struct gt_store *st, const struct gt_store_read *r, int64_t keep_from_ms);

/* Calls cb for each recorded read at or after since_ms, oldest first (r borrowed for the
 * call); key_id (optional) keeps one key's. A non-zero return from cb stops and is returned. */
int gt_store_reads_list(struct gt_store *st, int64_t since_ms, const char *key_id,
                        int (*cb)(void *arg, const struct gt_store_read *r), void *arg);

#endif
