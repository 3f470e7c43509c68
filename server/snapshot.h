/* An immutable view of metadata and org units, shared by the loop and the thread pool. */
#ifndef GT_SNAPSHOT_H
#define GT_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"
#include "orgunit.h"

struct gt_meta;
struct gt_store;

struct gt_snap_ou {
	char code[GT_ORGUNIT_MAX_LEN];
	char *name;
	int level;
	int tz; /* enum gt_tz: the unit's own, else its province's; GT_TZ_NONE if neither */
};

/* Reference-counted on the loop thread; read-only everywhere, so work in the thread pool may
 * read a snapshot it holds a reference to. */
struct gt_snapshot {
	int refs;
	uint64_t md_version; /* the store's metadata version; 0 when none is loaded */
	/* The store's admin counter when the snapshot was loaded; valid when admin_known (the
	 * counter did not move during the load), so that cached reports know their snapshot. */
	uint64_t admin_seq;
	int admin_known;
	struct gt_meta *meta;   /* NULL when no metadata is loaded */
	struct gt_snap_ou *ous; /* sorted by code */
	size_t nous;
	/* The stored metadata files, served verbatim to clients. */
	char **file_names;
	uint8_t **file_data;
	size_t *file_lens;
	uint8_t (*file_sha)[GT_SHA256_LEN];
	size_t nfiles;
};

/* Loads the metadata and org units from st (borrowed). Caller drops with gt_snapshot_unref().
 * Stored metadata that no longer loads is GT_ECORRUPT. */
int gt_snapshot_load(struct gt_store *st, struct gt_snapshot **out);

/* Takes a reference (loop thread). */
struct gt_snapshot *gt_snapshot_ref(struct gt_snapshot *s);

/* Drops a reference (loop thread); frees at zero. Accepts NULL. */
void gt_snapshot_unref(struct gt_snapshot *s);

/* Finds an org unit by code, or NULL; borrowed. */
const struct gt_snap_ou *gt_snapshot_orgunit(const struct gt_snapshot *s, const char *code);

/* Calls cb for each org unit in the subtree of root (root itself first, then in code order)
 * whose level is in levels (a bit per level, 1 << level; 0: all). Stops at a non-zero return. */
int gt_snapshot_subtree(const struct gt_snapshot *s, const char *root, unsigned levels,
                        int (*cb)(void *arg, const struct gt_snap_ou *u), void *arg);

#endif
