/* Reading the store for the PostgreSQL mirror: small tables whole, the log and derived rows by
 * range. */
#ifndef GT_STORE_MIRROR_H
#define GT_STORE_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The store's tables as the mirror copies them. */
enum gt_store_mirror_src {
	/* Read whole when the admin change counter moves. */
	GT_MIRROR_ORGUNITS,
	GT_MIRROR_KEYS,
	GT_MIRROR_META_FILES,
	/* Read by log index. */
	GT_MIRROR_LOG,
	/* Read by change sequence. */
	GT_MIRROR_DATAVALUES,
	GT_MIRROR_COMPLETIONS,
	GT_MIRROR_WF_EVENTS,
	GT_MIRROR_WF_STATE,
	GT_MIRROR_SRC_COUNT
};

/* The most columns a mirrored table has. */
#define GT_STORE_MIRROR_MAX_COLS 16

enum gt_store_mirror_type { GT_MCOL_NULL, GT_MCOL_INT, GT_MCOL_REAL, GT_MCOL_TEXT, GT_MCOL_BLOB };

/* One column of a row, borrowed for the duration of the row callback. */
struct gt_store_mirror_col {
	enum gt_store_mirror_type type;
	int64_t i;
	double r;
	const void *p; /* TEXT (NUL-terminated) and BLOB */
	size_t len;
};

/* Called per row; a non-zero return stops the scan and is returned by it. */
typedef int (*gt_store_mirror_row_fn)(void *arg, const struct gt_store_mirror_col *cols,
                                      size_t ncols);

/* The table's name and its columns, comma-separated, in the order rows are given: the
 * mirror's tables use the same names. Static strings. */
const char *gt_store_mirror_table(enum gt_store_mirror_src src);
const char *gt_store_mirror_columns(enum gt_store_mirror_src src);

/* The table's primary key columns, comma-separated (static). */
const char *gt_store_mirror_key(enum gt_store_mirror_src src);

/* Starts and ends one read snapshot on st (a read-only handle): every scan and position read
 * between them sees the same committed state. */
int gt_store_mirror_begin(struct gt_store *st);
void gt_store_mirror_end(struct gt_store *st);

/* The store's positions: the admin change counter, the last change sequence, the last log
 * index, the receipt time of the log entry after log_after and the update time of the value
 * changed after seq_after (each 0 when there is none). */
struct gt_store_mirror_pos {
	uint64_t admin_seq;
	int64_t change_seq;
	int64_t log_index;
	int64_t next_received_ms;
	int64_t next_changed_ms;
};
int gt_store_mirror_positions(struct gt_store *st, int64_t log_after, int64_t seq_after,
                              struct gt_store_mirror_pos *out);

/* Calls cb for every row of src: whole tables for the first three sources; for the log, the
 * entries with after < log_index <= upto; for the derived tables the rows with
 * after < change_seq <= upto. Rows come in index or sequence order. */
int gt_store_mirror_scan(struct gt_store *st, enum gt_store_mirror_src src, int64_t after,
                         int64_t upto, gt_store_mirror_row_fn cb, void *arg);

#endif
