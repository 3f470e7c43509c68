/* A test-only sqlite VFS that models power loss: writes not followed by a sync are undone. */
#ifndef GT_TESTVFS_H
#define GT_TESTVFS_H

/*
 * In builds with GT_TEST_HOOKS, registers the VFS "gt_powerloss" as sqlite's default for the
 * process (once): it passes everything to the default VFS, and before each write or
 * truncation of a store or WAL file it appends the bytes about to be overwritten (and the
 * file's size) to FILE-undo, which a sync of the file empties. After kill -9,
 * gt_testvfs_power_off() undoes what was written since the last sync, as a power loss
 * would. Without GT_TEST_HOOKS it returns GT_ENOTSUP.
 */
int gt_testvfs_register(void);

/*
 * Simulates the power loss after a kill -9 of a server on data directory dir (borrowed): the
 * store's and its WAL's unsynced writes are undone (their -undo files), the shared-memory
 * index is removed, and the batch journal is cut to the length it last synced (recorded in
 * gtsync.journal.synced by GT_TEST_HOOKS builds run with GTSYNC_TEST_POWERLOSS set). Test
 * builds only (GT_ENOTSUP otherwise).
 */
int gt_testvfs_power_off(const char *dir);

#endif
