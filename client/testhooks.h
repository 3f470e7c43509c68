/* The client's test hooks: points where a command dies like kill -9 or waits, for the crash and
 * race tests, set by environment variables in test builds only. */
#ifndef GT_TESTHOOKS_H
#define GT_TESTHOOKS_H

/*
 * The hooks are compiled only into builds made with GT_TEST_HOOKS (CMake turns it on in builds
 * that build the tests). Elsewhere gt_testhooks_init() reads nothing, the other functions do
 * nothing, and no command mentions them:
 *
 *   GTSYNC_TEST_DIE_AFTER_SAVE=N      end the process with _exit(86), as a kill -9 would, right
 *                                     after the Nth new batch is saved (before it is sent);
 *   GTSYNC_TEST_DIE_AFTER_SEND=N      the same right after the Nth batch sent was handed to the
 *                                     kernel (before its ack);
 *   GTSYNC_TEST_PAUSE_AFTER_DIGEST=F  approve creates F.digested once its digest is computed,
 *                                     then waits (up to GT_TESTHOOKS_PAUSE_MAX_MS) until F
 *                                     exists, so a test can change the server's data in
 *                                     between.
 */

/* The exit status of a death a hook asked for. */
#define GT_TESTHOOKS_DIE_STATUS 86
/* Longest pause after the digest. */
#define GT_TESTHOOKS_PAUSE_MAX_MS 60000u

/* The points a command passes. */
enum gt_testhook_point {
	GT_TESTHOOK_SAVED,    /* a new batch is saved */
	GT_TESTHOOK_SENT,     /* a batch is handed to the kernel */
	GT_TESTHOOK_DIGESTED, /* approve computed its digest */
};

/* The hooks of one command run, and how often each point was passed. */
struct gt_testhooks {
	unsigned die_after_save, die_after_send; /* 0: off */
	const char *pause_file;                  /* NULL: off (borrowed from the environment) */
	unsigned saves, sends;
};

/* Reads the hooks from the environment; all off in a build without GT_TEST_HOOKS. */
void gt_testhooks_init(struct gt_testhooks *t);

/* Records that point was passed; returns 1 when the hook says the process dies here (the
 * caller then finishes what a kill -9 would not undo, e.g. flushing what it sent, and calls
 * gt_testhooks_die()), 0 otherwise. Waits at GT_TESTHOOK_DIGESTED when asked to. t may be
 * NULL (no hooks). */
int gt_testhooks_at(struct gt_testhooks *t, enum gt_testhook_point point);

/* Ends the process at once with GT_TESTHOOKS_DIE_STATUS. */
void gt_testhooks_die(void) __attribute__((noreturn));

#endif
