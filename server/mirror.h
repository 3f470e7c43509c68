/* The PostgreSQL mirror: follows the store's signed log and derived tables into PostgreSQL, exactly
 * once. */
#ifndef GT_MIRROR_H
#define GT_MIRROR_H

#include <stdint.h>
#include <stdio.h>

/* The most rows (log entries, and changes) one PostgreSQL transaction carries. */
#define GT_MIRROR_MAX_CHUNK           100000u
#define GT_MIRROR_DEFAULT_CHUNK       5000u
#define GT_MIRROR_DEFAULT_INTERVAL_MS 200

struct gt_mirror_cfg {
	const char *db_path;  /* the store (borrowed) */
	const char *conninfo; /* libpq connection string (borrowed) */
	unsigned chunk_rows;  /* 1..GT_MIRROR_MAX_CHUNK */
	int64_t interval_ms;  /* the pause when nothing is new */
	int once;             /* catch up, then return (instead of following) */
};

struct gt_mirror_stats {
	uint64_t rows;       /* rows written */
	uint64_t chunks;     /* transactions committed */
	uint64_t reconnects; /* PostgreSQL connections re-established */
	int64_t max_lag_ms;  /* the oldest unmirrored batch's age at its largest, once caught up */
	int64_t log_index;   /* mirrored up to here at the end */
	int64_t change_seq;
};

/* Mirrors the store at cfg->db_path into the PostgreSQL database of cfg->conninfo: creates
 * the schema gtsync when missing, then applies the batch log and every derived row in chunks,
 * each chunk in one transaction with the mirrored positions, and (unless cfg->once) follows
 * new batches until SIGINT or SIGTERM. PostgreSQL going away is waited out (reconnecting
 * with backoff) unless cfg->once. Progress lines go to out; the error, if any, to stderr.
 * Returns 0 or a negative GT_E* code; *stats is set either way. Borrowed: everything. */
int gt_mirror_run(const struct gt_mirror_cfg *cfg, FILE *out, struct gt_mirror_stats *stats);

#endif
