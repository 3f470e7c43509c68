/* A client home in a temporary directory for the import and form tests: enrolled for 53.71
 * with a self-signed certificate, holding the project's metadata and a small scope, and its
 * messages to the person captured in memory. */
#ifndef GT_HOMEFX_H
#define GT_HOMEFX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gtsync.pb-c.h"
#include "home.h"

struct gt_homefx {
	char *dir;
	char home[1024]; /* dir/home */
	struct gt_home *h;
	char *err; /* what the home said to the person (fflush(errf) first) */
	size_t err_len;
	FILE *errf;
};

/* Makes the home in a new temporary directory named after name; returns 0 with *out set
 * (free with gt_homefx_close()), or -1 (cmocka's setup failure). */
int gt_homefx_open(const char *name, struct gt_homefx **out);

/* Closes the home and removes its directory; accepts NULL. */
void gt_homefx_close(struct gt_homefx *f);

/* Reads the project's metadata files names[0..n) (from metadata/) into mf[i], with mfp[i]
 * pointing at it, as a metadata reply carries them; data[i] holds the bytes, which the caller
 * frees. */
void gt_homefx_metadata_files(const char *const *names, size_t n, Gtsync__V1__MetadataFile *mf,
                              Gtsync__V1__MetadataFile **mfp, uint8_t **data);

/* Stores the project's metadata and a small scope (ID, 53, 53.71) in h, as `metadata pull`
 * would. */
void gt_homefx_store_metadata(struct gt_home *h);

#endif
