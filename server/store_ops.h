/* The store's operations for the centre's operator: backup, restore, integrity, statistics. */
#ifndef GT_STORE_OPS_H
#define GT_STORE_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/*
 * A backup is one sqlite file: a consistent copy of the whole store (the signed batch log and
 * every table derived from it, from one read snapshot) made with sqlite's online backup API
 * while the server goes on writing, in rollback-journal mode so that it is self-contained,
 * and mode 0600. It may also carry files of the data directory (the TLS certificate and key,
 * the signing key) in a table of its own, so that a restore gives a centre whose clients'
 * pins still hold.
 */

/* Most files a backup carries, and bytes in one. */
#define GT_STORE_BACKUP_MAX_FILES 16u
#define GT_STORE_BACKUP_MAX_FILE  (1u * 1024u * 1024u)
/* Problems of an integrity check kept for the report (more are counted). */
#define GT_STORE_MAX_PROBLEMS 20u

/* A file carried in a backup; borrowed. */
struct gt_store_backup_file {
	const char *name; /* base name in the data directory: "tls-cert.pem" */
	const uint8_t *content;
	size_t len;
	unsigned mode; /* permission bits to restore it with */
};

/* What a backup holds, read back from it. */
struct gt_store_backup_info {
	int schema;          /* the store's schema version */
	int64_t taken_at_ms; /* when the backup was made; 0 if unknown */
	uint64_t batches;    /* batches in its log */
	uint64_t last_index; /* the highest log index, 0 for an empty log */
	uint64_t bytes;      /* size of the file */
	size_t n_files;      /* files carried */
	char problem[256];   /* why the file is not a usable backup ("" when it is) */
};

/* Copies src (any open handle; a read-only one does not stop the server's writer) into a new
 * file dst_path with the online backup API in one step, so the copy is one consistent
 * snapshot. files[0..n) are stored with it. The copy is written to dst_path.partial (mode
 * 0600), checked (quick_check), synced and renamed into place; dst_path must not exist
 * (GT_EEXIST). On failure nothing is left at dst_path and the reason is in
 * gt_store_errmsg(src). info (optional) is filled with what the backup holds. */
int gt_store_backup(struct gt_store *src, const char *dst_path,
                    const struct gt_store_backup_file *files, size_t n, int64_t now_ms,
                    struct gt_store_backup_info *info);

/* Checks a backup file without changing it: it opens as sqlite, passes integrity_check, is a
 * gtsync store of a schema this program can read (older ones are migrated on restore), and
 * its carried files are well-formed. Returns 0 with info filled; GT_ECORRUPT (or GT_ENOENT,
 * GT_ENOTSUP) with the reason in info->problem. */
int gt_store_backup_check(const char *path, struct gt_store_backup_info *info);

/* Callback for the files carried in a backup; borrowed for the call; non-zero stops. */
typedef int (*gt_store_backup_file_cb)(void *arg, const struct gt_store_backup_file *f);

/* Calls cb for each file carried in the backup at path, in name order. */
int gt_store_backup_files(const char *path, gt_store_backup_file_cb cb, void *arg);

/* Replaces (or creates, mode 0600) the store at db_path with the backup at backup_path using
 * the online backup API, then drops the carried files from it and switches it to WAL. The
 * caller makes sure no server uses db_path, and opens it with gt_store_open() afterwards (an
 * older schema is migrated then). errbuf receives the reason on failure. */
int gt_store_restore(const char *backup_path, const char *db_path, char *errbuf, size_t errlen);

/* Runs sqlite's integrity_check on st (quick_check when quick is non-zero). *problems counts
 * the problems found (0: the file is sound); the first GT_STORE_MAX_PROBLEMS are passed to cb
 * (may be NULL). Returns 0 whether or not problems were found; a GT_E* code if the check
 * could not run. */
int gt_store_integrity(struct gt_store *st, int quick, void (*cb)(void *arg, const char *problem),
                       void *arg, size_t *problems);

/* Sizes and counts of a store, for `status`. */
struct gt_store_stats {
	uint64_t page_size, page_count, free_pages;
	uint64_t batches;    /* in the log */
	uint64_t log_bytes;  /* batch bytes and signatures in the log */
	uint64_t last_index; /* highest log index; 0 for an empty log */
	int64_t last_at_ms;  /* when that batch was received */
	uint64_t values;     /* data values stored (deleted ones included) */
	uint64_t keys, keys_revoked;
	uint64_t orgunits; /* the root included */
	uint64_t metadata_version;
};

/* Reads the statistics of st in one read snapshot. */
int gt_store_stats_get(struct gt_store *st, struct gt_store_stats *out);

/* Callback for the latest batch of an org unit: how many batches it has in the log, the
 * highest log index and when that batch was received. Non-zero stops. */
typedef int (*gt_store_unit_last_cb)(void *arg, const char *org_unit, uint64_t batches,
                                     uint64_t last_index, int64_t last_at_ms);

/* Calls cb for each org unit that has logged batches, in code order. */
int gt_store_last_batches(struct gt_store *st, gt_store_unit_last_cb cb, void *arg);

/* Opens a read transaction on st and reads from it, so that what follows (a copy, then
 * comparisons) sees one snapshot while a server goes on writing; end it with
 * gt_store_snapshot_end(). */
int gt_store_snapshot_begin(struct gt_store *st);
void gt_store_snapshot_end(struct gt_store *st);

/* Copies st whole into a new in-memory store (caller closes with gt_store_close()), e.g. to
 * rebuild it there and compare. */
int gt_store_copy_to_memory(struct gt_store *st, struct gt_store **out);

/* Lists the tables of st that hold no row, in name order, into names (a NULL-terminated
 * array; caller frees with gt_store_names_free()). Right after gt_store_rebuild_begin() they
 * are the tables derived from the log. */
int gt_store_empty_tables(struct gt_store *st, char ***names);

/* Frees a list from gt_store_empty_tables(); accepts NULL. */
void gt_store_names_free(char **names);

/* How a table differs between two stores: rows of each, and rows found in one only (a row
 * that changed counts once on each side). */
struct gt_store_table_diff {
	uint64_t rows_a, rows_b;
	uint64_t only_a, only_b;
};

/* Compares table (a name from gt_store_empty_tables()) between a and b, row by row in the
 * order of all its columns. */
int gt_store_compare_table(struct gt_store *a, struct gt_store *b, const char *table,
                           struct gt_store_table_diff *d);

#endif
