/* Replay of the batch journal's tail on start, through the ingest rules, before serving. */
#ifndef GT_REPLAY_H
#define GT_REPLAY_H

#include <stdint.h>

#include "log.h"

struct gt_store;
struct gt_snapshot;
struct gt_blog;

/*
 * Opens the batch journal at path (borrowed) for the writer and brings st (borrowed, writable,
 * with the server's signer) up to it: every batch the journal holds beyond the position st
 * recorded is checked and applied again, group by group, as the running server did (the
 * signature, the principal's authority as recorded, the rules against snap at the recorded
 * receive time), and the position is recorded with each group. A final frame cut by a crash
 * is truncated (logged); a damaged frame before the end, a journal newer than the store, or a
 * journal shorter than the recorded position is GT_ECORRUPT (logged with the fix). A missing
 * journal, or one the store is past (a rotation cut short), is started afresh. max_values is
 * the server's limit of values per batch (0: the default). *replayed counts the batches
 * applied again. Caller hands *out to gt_writer_open_journal().
 */
int gt_replay_journal(struct gt_store *st, const struct gt_snapshot *snap, const char *path,
                      uint32_t max_values, struct gt_log *log, struct gt_blog **out,
                      uint64_t *replayed);

#endif
