/* Applies the admin commands' changes to a running server within about a second. */
#ifndef GT_WATCH_H
#define GT_WATCH_H

#include <stdint.h>

struct gt_server;
struct gt_watch;

/* How often the store's admin change counter is read. */
#define GT_WATCH_INTERVAL_MS 1000u

/*
 * Starts polling srv's store (through its read pool, off the loop) every GT_WATCH_INTERVAL_MS
 * for the admin change counter (gt_store_admin_seq()). When it moved past seen, the metadata
 * and org units are loaded again and swapped in (work in flight keeps its snapshot), and every
 * authenticated connection of a key now revoked gets an Error GT_EKEY and is closed. srv is
 * borrowed for the watch's life; *out is freed by gt_watch_stop().
 */
int gt_watch_start(struct gt_server *srv, uint64_t seen, struct gt_watch **out);

/* Stops polling; the watch frees itself once its timer is closed and no work is in flight (a
 * result that arrives after the stop is dropped). Accepts NULL. */
void gt_watch_stop(struct gt_watch *w);

#endif
