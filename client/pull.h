/* Pull: a provincial aggregator's replica of its subtree's values, chunk by chunk. */
#ifndef GT_PULL_H
#define GT_PULL_H

#include <stdint.h>
#include <stdio.h>

#include "home.h"

/* Items asked for per chunk (the server caps it further). */
#define GT_PULL_CHUNK 5000

struct gt_pull_opts {
	const char *org;     /* root of the subtree; NULL: the key's own org unit */
	uint32_t max_items;  /* per chunk; 0: GT_PULL_CHUNK */
	uint32_t timeout_ms; /* 0: the session default */
	unsigned max_chunks; /* stop after this many chunks (a test hook); 0: no limit */
	FILE *progress;      /* where a progress bar goes if it is a terminal (NULL: none) */
	FILE *out;           /* the summary line (NULL: none) */
};

struct gt_pull_result {
	uint64_t chunks;
	uint64_t values;
	uint64_t states;
	uint64_t cursor; /* the saved cursor after the pull */
	int complete;    /* the server said nothing more is waiting */
};

/* Called with each chunk of a pull, in order (borrowed); a non-zero return stops the pull
 * and is returned. */
typedef int (*gt_pull_chunk_fn)(void *arg, const Gtsync__V1__PullChunk *chunk);

/* Pulls the changes below org since cursor on the open session s, chunk by chunk (o->max_items
 * per chunk, at most o->max_chunks chunks when set), calling cb with each, until the server
 * says nothing more is waiting. res (zeroed by the caller) counts the chunks, values and states
 * and holds the cursor after the last chunk cb took and whether the pull is complete. A
 * failure goes to h->err as a sentence starting with what ("gtsync pull"). */
int gt_pull_chunks(struct gt_home *h, struct gt_session *s, const char *what, const char *org,
                   uint64_t cursor, const struct gt_pull_opts *o, gt_pull_chunk_fn cb, void *arg,
                   struct gt_pull_result *res);

/* Pulls the changes below o->org (or the key's org unit) since the saved cursor, chunk by
 * chunk; each chunk is applied with its cursor in one transaction, so a pull cut at any point
 * resumes where it stopped. Returns 0, or the failure (sentences on h->err). */
int gt_pull_run(struct gt_home *h, const struct gt_pull_opts *o, struct gt_pull_result *r);

#endif
