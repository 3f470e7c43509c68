/* Records each read served (report, pull, export, log entries) through the writer, off the
 * read path (issue 14: reads of consolidated data are attributable). */
#ifndef GT_READLOG_H
#define GT_READLOG_H

#include <stdint.h>

struct gt_server;

/* Longest text field kept in a read record (a request's codes are much shorter). */
#define GT_READLOG_MAX_FIELD 256u

/* Queues a record of a read served to the key key_id (of org unit key_org and role set roles)
 * of kind ("report", "pull", "export", "log") for org_unit, dataset and period (NULL: ""), items
 * values, at now_ms; the writer stores it with its next group and forgets reads older than the
 * server's retention. Strings are copied. Loop thread only. A record that cannot be queued
 * is logged (GT_LOG_WARN "read_log_lost"), never fatal to the read. */
void gt__readlog_note(struct gt_server *srv, const char *key_id, const char *key_org,
                      unsigned roles, const char *kind, const char *org_unit, const char *dataset,
                      const char *period, uint64_t items, int64_t now_ms);

#endif
