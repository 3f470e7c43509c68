/* A pool of read-only store handles for work in libuv's thread pool (auth, pull, reports). */
#ifndef GT_READPOOL_H
#define GT_READPOOL_H

#include <stddef.h>

struct gt_store;
struct gt_readpool;

/* Creates a pool that keeps up to keep handles on db_path (borrowed; copied). Handles are
 * opened on first use. Caller frees with gt_readpool_free(). */
int gt_readpool_new(const char *db_path, size_t keep, struct gt_readpool **out);

/* Takes a read-only handle (opening one if none is idle); return it with gt_readpool_put().
 * Thread-safe. */
int gt_readpool_get(struct gt_readpool *pool, struct gt_store **out);

/* Returns a handle taken with gt_readpool_get(); NULL is ignored. Thread-safe. */
void gt_readpool_put(struct gt_readpool *pool, struct gt_store *st);

/* Closes every idle handle and frees the pool; all handles must have been returned. Accepts
 * NULL. */
void gt_readpool_free(struct gt_readpool *pool);

#endif
