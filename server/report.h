/* Consolidated reports: totals over a subtree, per-child breakdown, completeness, timeliness. */
#ifndef GT_REPORT_H
#define GT_REPORT_H

#include <stdint.h>

#include "wire.h"

struct gt_snapshot;
struct gt_store;
struct gt_report;

/* Computes the report for org_unit, dataset and period (any period of the data set's type or
 * coarser: months roll up into quarters, semesters and years for sum elements) from st and
 * snap (both borrowed, read only). now_ms is the wall clock, for timeliness of periods not yet
 * due. On success *out holds the report; its message is gt_report_reply(*out); caller frees
 * with gt_report_free(). Returns GT_ENOENT for an unknown org unit or data set (with *why),
 * GT_EINVAL for a malformed period or one finer than the data set's. */
int gt_report_build(struct gt_store *st, const struct gt_snapshot *snap, const char *org_unit,
                    const char *dataset, const char *period, int per_child, int64_t now_ms,
                    struct gt_report **out, const char **why);

/* The same report always computed in full from the stored values, bypassing the cache that
 * gt_report_build() keeps on st (server/report_cache.c): the reference the cache is tested
 * and measured against. Same arguments, ownership and results. */
int gt_report_build_full(struct gt_store *st, const struct gt_snapshot *snap, const char *org_unit,
                         const char *dataset, const char *period, int per_child, int64_t now_ms,
                         struct gt_report **out, const char **why);

/* How many reports st's cache has served unchanged, and how many it brought up to date from
 * their partial sums (for tests). */
uint64_t gt__report_cache_hits(struct gt_store *st);
uint64_t gt__report_cache_updates(struct gt_store *st);

/* A report's partial sums (server/report.c): what the cache keeps to bring a report up to date
 * by reading again only what changed. */
struct gt__report_sums;

/* Builds the report as gt_report_build_full() does, from partial sums: when *sums is NULL
 * they are read in full; otherwise *sums must be those of an earlier build of the same report
 * on the same snapshot, made when the store's change_seq was since, and only the values
 * changed after since are read again (sums of another shape are read in full). On success
 * *sums holds the sums of this build (owned by the caller: gt__report_sums_free()); on
 * failure they are freed and *sums is NULL. The caller holds a read transaction
 * (gt_store_reading_begin()) so that every read sees the store at one change_seq. */
int gt__report_build_sums(struct gt_store *st, const struct gt_snapshot *snap, const char *org_unit,
                          const char *dataset, const char *period, int per_child, int64_t now_ms,
                          uint64_t since, struct gt__report_sums **sums, struct gt_report **out,
                          const char **why);

/* The memory partial sums hold, about; 0 for NULL. */
size_t gt__report_sums_bytes(const struct gt__report_sums *s);

/* Frees partial sums; accepts NULL. */
void gt__report_sums_free(struct gt__report_sums *s);

/* Makes a report from a packed ReportReply (a cached one) with generated_at_ms set to now_ms;
 * the bytes are borrowed for the call. Caller frees *out with gt_report_free(). GT_EPROTO
 * when the bytes do not decode. */
int gt__report_unpack(const uint8_t *buf, size_t len, int64_t now_ms, struct gt_report **out);

/* The report as a wire message; borrowed from r. */
Gtsync__V1__ReportReply *gt_report_reply(struct gt_report *r);

/* n zeroed bytes that live as long as r (freed by gt_report_free()), for what is added to its
 * reply after it is built; NULL when out of memory. */
void *gt_report_alloc(struct gt_report *r, size_t n);

/* Frees a report; accepts NULL. */
void gt_report_free(struct gt_report *r);

/* Lists, into periods (caller frees each and the array), the stored periods of type
 * type_name ("monthly", ...) that make up period; GT_EINVAL when period is finer. */
int gt_report_periods(const char *type_name, const char *period, char ***periods, size_t *n);

#endif
