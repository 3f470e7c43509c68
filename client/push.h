/* Push: packs queued values into signed batches, saves them, sends them and applies the acks. */
#ifndef GT_PUSH_H
#define GT_PUSH_H

#include <stdint.h>
#include <stdio.h>

#include "home.h"
#include "testhooks.h"

/* Batches sent ahead of their acks on one connection (also capped by the server's limit). */
#define GT_PUSH_WINDOW 8u
/* Largest frame the client builds, whatever larger limit the server announces. */
#define GT_PUSH_MAX_FRAME (4u * 1024u * 1024u)
/* Room left in a frame for the envelope around a batch (request id, signature, tags). */
#define GT_PUSH_FRAME_SLACK 4096u
/* Most workflow actions packed into one batch. */
#define GT_PUSH_MAX_ACTIONS 100u
/* How often one push sends the values of refused batches again in new batches. */
#define GT_PUSH_MAX_REQUEUES 3u

struct gt_push_opts {
	unsigned tries; /* connection attempts in all (0: GT_BACKOFF_TRIES; 1: no retry) */
	uint32_t backoff_base_ms;   /* 0: GT_BACKOFF_BASE_MS */
	uint32_t backoff_cap_ms;    /* 0: GT_BACKOFF_CAP_MS */
	uint32_t batch_values;      /* most values per batch (0: the server's limit) */
	uint32_t window;            /* 0: GT_PUSH_WINDOW */
	uint32_t timeout_ms;        /* connect and each wait for a reply (0: the session default) */
	struct gt_testhooks *hooks; /* test builds only (testhooks.h); NULL: none */
	FILE *progress;             /* where a progress bar goes if it is a terminal (NULL: none) */
	FILE *out;                  /* the summary line (NULL: none) */
};

struct gt_push_result {
	uint64_t batches_made;    /* new batches saved */
	uint64_t batches_sent;    /* sends, resends included */
	uint64_t batches_acked;   /* OK or WARNING */
	uint64_t batches_dup;     /* DUPLICATE: the server had them already */
	uint64_t batches_refused; /* refused for good */
	uint64_t batches_retry;   /* refused for a passing reason: sent again later */
	uint64_t values_acked;
	uint64_t values_conflict;
	uint64_t values_refused;
	uint64_t values_left; /* queued or batched after the push */
	uint64_t actions_applied;
	uint64_t actions_skipped; /* not allowed in the report's state (see 'gtsync status') */
	uint64_t actions_refused; /* their batch refused for good */
	uint64_t actions_dup;     /* in batches the server had already */
	unsigned tries;           /* connection attempts made */
};

/*
 * Sends everything queued in h's outbox (values, then workflow actions in batches of their
 * own), and every saved batch not yet acknowledged. Each new
 * batch takes the next sequence number, is signed over its exact bytes and saved with its
 * values marked batched in one transaction before it is sent. Acks are applied as they come:
 * OK, WARNING and DUPLICATE acknowledge (value conflicts are kept for `status`); a refusal for
 * a passing reason (the server's disk full, busy) keeps the batch for a later resend; a
 * refusal for good marks the batch and its values refused; a batch refused as too big or for
 * a reused sequence has its values queued again. When the server cannot be reached, or a
 * passing refusal remains, the push waits (exponential backoff with jitter) and tries again,
 * up to o->tries attempts, saying on h->err when it will retry.
 *
 * Returns 0 when nothing is left to send; the code of the last failure otherwise (sentences
 * for a person are on h->err): GT_ECONNREFUSED/GT_ENET/GT_ETIMEDOUT (unreachable: the values
 * stay queued), GT_ETLS (certificate not the pinned one), GT_EKEY (key not registered or
 * revoked), GT_EPERM (batches refused for good, or a key that may not write values),
 * GT_EBUSY (the server kept refusing for a passing reason, e.g. its disk full),
 * GT_ENOSPC/GT_ESTORE/GT_EIO (the local store could not be written; the outbox is unchanged;
 * not retried). r (optional) is filled in any case.
 */
int gt_push_run(struct gt_home *h, const struct gt_push_opts *o, struct gt_push_result *r);

#endif
