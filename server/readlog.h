/* Records each read served (report, pull, export, log entries) through the writer, off the
 * read path (issue 14: reads of consolidated data are attributable). */
#ifndef GT_READLOG_H
#define GT_READLOG_H

#include <stdint.h>

struct gt_server;
struct gt__readlog;

/* Longest text field kept in a read record (a request's codes are much shorter). */
#define GT_READLOG_MAX_FIELD 256u

/* Reads are handed to the writer as one job when this many wait, or this long after the first
 * one, whichever comes first, one job at a time: a commit per read would cost reports a quarter
 * of their rate (docs/BENCHMARKS.md). */
#define GT_READLOG_BATCH    512u
#define GT_READLOG_FLUSH_MS 200u

/* Reads waiting at most (while the writer is behind); more are logged as lost. */
#define GT_READLOG_MAX_WAITING 100000u

/* Starts the read log of srv on its loop (a timer). Loop thread only. Returns 0 or GT_ENOMEM;
 * the caller closes it with gt__readlog_close() before the writer closes. */
int gt__readlog_open(struct gt_server *srv, struct gt__readlog **out);

/* Hands what waits to the writer and closes the timer; the read log frees itself once its jobs
 * are done (the writer must still take jobs). Accepts NULL; idempotent. */
void gt__readlog_close(struct gt__readlog *rl);

/* Queues a record of a read served to the key key_id (of org unit key_org and role set roles)
 * of kind ("report", "pull", "export", "log") for org_unit, dataset and period (NULL: ""), items
 * values, at now_ms; the writer stores it with the next batch of reads (GT_READLOG_BATCH,
 * GT_READLOG_FLUSH_MS) and forgets reads older than the server's retention. Strings are copied.
 * Loop thread only. A record that cannot be queued is logged (GT_LOG_WARN "read_log_lost"), never
 * fatal to the read. */
void gt__readlog_note(struct gt_server *srv, const char *key_id, const char *key_org,
                      unsigned roles, const char *kind, const char *org_unit, const char *dataset,
                      const char *period, uint64_t items, int64_t now_ms);

#endif
