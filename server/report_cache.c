/* Rendered reports kept per read handle, reused until the store changes what they read, then
 * brought up to date from their partial sums. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "metadata.h"
#include "period.h"
#include "snapshot.h"
#include "store.h"

/* Reports kept per read handle, and the bytes they may take together with their partial
 * sums: a national report of a year is 18-47 KiB packed with 0.2-0.5 MiB of sums (a
 * province's about 0.3 MiB), so the budget holds 14 to 32 of them. */
#define GT_REPORT_CACHE_ENTRIES 32
#define GT_REPORT_CACHE_BYTES   (8u << 20)
/* The partial sums one report may keep (a national year of LY, by province, holds 0.5 MiB); a
 * report with more is kept packed only, and computed in full when it changes. */
#define GT_REPORT_CACHE_SUMS_BYTES (GT_REPORT_CACHE_BYTES / 4)

/*
 * Whatever gt_report_build_full() reads must be covered here: the request in the key, the
 * snapshot by identity, the store's tables by gt_store_report_changed(). A report that comes
 * to read more (another table, a field of the request) must widen the key or the probe.
 *
 * One report as it was built (before any reader's view), packed, with what it was built
 * from: the request, the snapshot and the store's stamp, and its partial sums. checked is the
 * change_seq up to which the store is known to hold nothing new for the report: it moves
 * forward at each look-up that finds nothing relevant, so that the next look-up walks only
 * newer changes. When something relevant changed, the report is built again from its partial
 * sums, reading only the values changed after checked (gt__report_build_sums()).
 */
struct entry {
	char *key; /* org unit, data set, period and per_child, separated by '\n' */
	const struct gt_snapshot *snap;
	uint64_t snap_admin_seq;
	uint64_t admin_seq;
	uint64_t checked;
	uint8_t *packed;
	size_t len;
	struct gt__report_sums *sums; /* NULL: none kept */
	size_t bytes;                 /* the packed report and the sums */
	uint64_t used;                /* the cache's clock at the last hit, for eviction */
};

struct gt_report_cache {
	struct entry e[GT_REPORT_CACHE_ENTRIES];
	size_t bytes;
	uint64_t clock;
	uint64_t hits;
	uint64_t updates;
};

static void entry_clear(struct gt_report_cache *c, struct entry *e)
{
	c->bytes -= e->bytes;
	free(e->key);
	free(e->packed);
	gt__report_sums_free(e->sums);
	memset(e, 0, sizeof(*e));
}

static void cache_free(void *p)
{
	struct gt_report_cache *c = p;

	for (size_t i = 0; c != NULL && i < GT_REPORT_CACHE_ENTRIES; i++)
		entry_clear(c, &c->e[i]);
	free(c);
}

static char *make_key(const char *org, const char *dataset, const char *period, int per_child)
{
	size_t n = strlen(org) + strlen(dataset) + strlen(period) + 5;
	char *k = malloc(n);

	if (k != NULL) {
		strcpy(k, org);
		strcat(k, "\n");
		strcat(k, dataset);
		strcat(k, "\n");
		strcat(k, period);
		strcat(k, per_child ? "\n1" : "\n0");
	}
	return k;
}

static struct entry *find(struct gt_report_cache *c, const char *key,
                          const struct gt_snapshot *snap)
{
	for (size_t i = 0; i < GT_REPORT_CACHE_ENTRIES; i++) {
		struct entry *e = &c->e[i];
		if (e->key != NULL && e->snap == snap && e->snap_admin_seq == snap->admin_seq &&
		    strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

/* Keeps a packed copy of r and its sums (taken: freed here when not kept) under key, evicting
 * the least recently used entries to make room. Nothing is kept when the report alone exceeds
 * the budget or memory runs out: the cache is only ever an optimisation. */
static void keep(struct gt_report_cache *c, char *key, const struct gt_snapshot *snap,
                 const struct gt_store_stamp *stamp, struct gt_report *r,
                 struct gt__report_sums *sums)
{
	const Gtsync__V1__ReportReply *m = gt_report_reply(r);
	size_t len = gtsync__v1__report_reply__get_packed_size(m), bytes;
	struct entry *slot = NULL;
	uint8_t *buf;

	if (gt__report_sums_bytes(sums) > GT_REPORT_CACHE_SUMS_BYTES) {
		gt__report_sums_free(sums);
		sums = NULL;
	}
	bytes = len + gt__report_sums_bytes(sums);
	if (bytes > GT_REPORT_CACHE_BYTES || (buf = malloc(len ? len : 1)) == NULL) {
		gt__report_sums_free(sums);
		free(key);
		return;
	}
	gtsync__v1__report_reply__pack(m, buf);
	for (;;) {
		struct entry *old = NULL;
		slot = NULL;
		for (size_t i = 0; i < GT_REPORT_CACHE_ENTRIES; i++) {
			struct entry *e = &c->e[i];
			if (e->key == NULL && slot == NULL)
				slot = e;
			if (e->key != NULL && (old == NULL || e->used < old->used))
				old = e;
		}
		if (slot != NULL && c->bytes + bytes <= GT_REPORT_CACHE_BYTES)
			break;
		entry_clear(c, old); /* old is set: the cache is full or over budget */
	}
	slot->key = key;
	slot->snap = snap;
	slot->snap_admin_seq = snap->admin_seq;
	slot->admin_seq = stamp->admin_seq;
	slot->checked = stamp->change_seq;
	slot->packed = buf;
	slot->len = len;
	slot->sums = sums;
	slot->bytes = bytes;
	slot->used = ++c->clock;
	c->bytes += bytes;
}

/* The periods the store is probed for: those the report reads (its data set's type). */
static int report_periods(const struct gt_snapshot *snap, const char *dataset, const char *period,
                          char ***periods, size_t *n)
{
	const struct gt_meta_dataset *ds;

	*periods = NULL;
	*n = 0;
	if (snap->meta == NULL || (ds = gt_meta_dataset_find(snap->meta, dataset)) == NULL)
		return GT_ENOENT;
	return gt_report_periods(gt_period_type_name(ds->period_type), period, periods, n);
}

uint64_t gt__report_cache_hits(struct gt_store *st)
{
	const struct gt_report_cache *c = gt_store_attached(st);

	return c != NULL ? c->hits : 0;
}

uint64_t gt__report_cache_updates(struct gt_store *st)
{
	const struct gt_report_cache *c = gt_store_attached(st);

	return c != NULL ? c->updates : 0;
}

/* Looks key up in c: a hit sets *out; a changed entry hands its partial sums and their
 * change_seq to *sums and *since (for an update) unless they cannot be brought up to date
 * (a rebuild moved the counter back, or the admin counter moved); the entry is dropped. */
static int lookup(struct gt_report_cache *c, struct gt_store *st, const char *key,
                  const struct gt_snapshot *snap, const char *dataset, char **periods,
                  size_t nperiods, int64_t now_ms, struct gt_report **out,
                  struct gt__report_sums **sums, uint64_t *since)
{
	struct gt_store_stamp stamp = {0};
	struct entry *e = find(c, key, snap);
	int changed = 1, rc;

	if (e == NULL)
		return GT_ENOENT;
	rc = gt_store_report_changed(st, e->checked, dataset, (const char *const *)periods,
	                             nperiods, &stamp, &changed);
	if (rc == GT_OK && !changed && stamp.admin_seq == e->admin_seq) {
		e->checked = stamp.change_seq;
		e->used = ++c->clock;
		if (gt__report_unpack(e->packed, e->len, now_ms, out) == GT_OK) {
			c->hits++;
			return GT_OK;
		}
	}
	if (rc == GT_OK && changed && stamp.admin_seq == e->admin_seq &&
	    stamp.change_seq >= e->checked && e->sums != NULL) {
		*sums = e->sums;
		*since = e->checked;
		c->bytes -= gt__report_sums_bytes(e->sums);
		e->bytes -= gt__report_sums_bytes(e->sums);
		e->sums = NULL;
	}
	entry_clear(c, e);
	return GT_ENOENT;
}

int gt_report_build(struct gt_store *st, const struct gt_snapshot *snap, const char *org_unit,
                    const char *dataset, const char *period, int per_child, int64_t now_ms,
                    struct gt_report **out, const char **why)
{
	struct gt_report_cache *c = gt_store_attached(st);
	struct gt_store_stamp stamp = {0};
	struct gt__report_sums *sums = NULL;
	char **periods = NULL;
	size_t nperiods = 0;
	char *key = NULL;
	uint64_t since = 0;
	int changed, own, rc;

	*out = NULL;
	*why = NULL;
	/* Whatever the cache cannot vouch for is computed in full, errors included. */
	if (snap->admin_known && report_periods(snap, dataset, period, &periods, &nperiods) == 0 &&
	    (key = make_key(org_unit, dataset, period, per_child)) != NULL && c == NULL) {
		if ((c = calloc(1, sizeof(*c))) != NULL) {
			gt_store_attach(st, c, cache_free);
		} else {
			free(key);
			key = NULL;
		}
	}
	if (key != NULL && lookup(c, st, key, snap, dataset, periods, nperiods, now_ms, out, &sums,
	                          &since) == GT_OK) {
		rc = GT_OK;
		goto out;
	}
	/* One read transaction: the stamp and every value read agree, so the sums kept are
	 * exactly those of the stamp's change_seq, and the next update starts from there. The
	 * stamp is read first: a change committed meanwhile is newer, and the next look-up sees
	 * it. */
	if ((rc = gt_store_reading_begin(st, &own)) != GT_OK)
		goto out;
	if (key != NULL &&
	    gt_store_report_changed(st, UINT64_MAX, dataset, (const char *const *)periods, nperiods,
	                            &stamp, &changed) != GT_OK) {
		free(key);
		key = NULL;
	}
	if (sums != NULL)
		c->updates++;
	rc = gt__report_build_sums(st, snap, org_unit, dataset, period, per_child, now_ms, since,
	                           &sums, out, why);
	gt_store_reading_end(st, own);
	if (rc == GT_OK && key != NULL) {
		keep(c, key, snap, &stamp, *out, sums);
		key = NULL;
		sums = NULL;
	}
out:
	gt__report_sums_free(sums);
	free(key);
	for (size_t i = 0; i < nperiods; i++)
		free(periods[i]);
	free(periods);
	return rc;
}
