/* Import: checks a data-value CSV file (or one value) against the metadata and queues it. */
#ifndef GT_IMPORT_H
#define GT_IMPORT_H

#include <stddef.h>
#include <stdio.h>

#include "home.h"

struct gt_import_opts {
	const char *dataset; /* every value is entered for this data set (NULL: implied) */
	const char *period;  /* fills empty period cells; other periods are errors (NULL: none) */
	FILE *progress;      /* where a progress bar goes if it is a terminal (NULL: none) */
	FILE *out;           /* the summary line (NULL: none) */
};

struct gt_import_result {
	size_t rows;      /* data records read */
	size_t queued;    /* new changes queued */
	size_t replaced;  /* changes that replaced a still-queued change of the same value */
	size_t unchanged; /* equal to what was last entered: nothing queued */
	size_t errors;    /* all errors found (each printed with its line, up to a cap) */
	size_t warnings;  /* validation rules that fail (printed; they do not stop the import) */
};

/*
 * Reads the file at path, decodes it (csvimport.h), checks every row against the metadata
 * pulled into h (valcheck.h), and rejects a value entered twice in the file. On any error,
 * every error is printed to h->err as "FILE:LINE: message" and nothing from the file is
 * queued (GT_EINVAL). Otherwise every value is queued in one transaction: a failure (disk
 * full, read-only store) leaves the outbox as it was. The metadata's validation rules are then
 * evaluated for each period of the file (with values already entered) and failures printed as
 * warnings. r (optional) is filled in any case.
 */
int gt_import_file(struct gt_home *h, const char *path, const struct gt_import_opts *o,
                   struct gt_import_result *r);

/* As gt_import_file() for buf[0..len) (borrowed) named name in messages. */
int gt_import_buffer(struct gt_home *h, const char *name, const uint8_t *buf, size_t len,
                     const struct gt_import_opts *o, struct gt_import_result *r);

/* One value entered by hand (gtsync set): checked as an import row and queued. coc "" or
 * "default" is the default combo; deleted queues a deletion. Prints what happened to o->out
 * and errors to h->err. */
int gt_import_one(struct gt_home *h, const char *data_element, const char *period, const char *coc,
                  const char *value, const char *comment, int deleted,
                  const struct gt_import_opts *o);

#endif
