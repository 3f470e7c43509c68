/* Metadata pull: the server's data-set definitions and the org units in the key's scope,
 * checked with the server's own loader and stored in the home. */
#ifndef GT_METAPULL_H
#define GT_METAPULL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "home.h"

struct gt_metapull_opts {
	uint32_t timeout_ms; /* connect and wait for the reply (0: the session default) */
	FILE *out;           /* the summary line (NULL: none) */
};

struct gt_metapull_result {
	uint64_t version; /* the server's metadata version */
	int unchanged;    /* the stored files were that version already */
	size_t files;     /* files received (0 when unchanged) */
	size_t datasets, elements, rules;
	uint64_t org_units; /* org units in the key's scope, stored */
};

/*
 * Asks the server for its metadata, naming the version stored in h when the stored files still
 * load (so an unchanged set is not sent again). New files are loaded with gt_meta_load_buffers()
 * before anything is stored: files that do not load here are refused and nothing is stored
 * (their errors go to h->err). The files, their version and the org units in the key's scope
 * are then stored in one transaction. Sentences for a person go to h->err, the summary to o->out.
 * Returns 0, the session's failure (unreachable, certificate, key), GT_EPROTO (refused or an
 * unexpected answer), GT_ENOENT (the server has no metadata), the loader's code, or the store's.
 * r (optional) is filled in any case.
 */
int gt_metapull_run(struct gt_home *h, const struct gt_metapull_opts *o,
                    struct gt_metapull_result *r);

#endif
