/* Import: checks a data-value CSV file (or one value) against the metadata and queues it. */
#ifndef GT_IMPORT_H
#define GT_IMPORT_H

#include <stddef.h>
#include <stdio.h>

#include "home.h"

/* The input formats an import reads. A decoder of another format (DHIS2 JSON, ADX) adds its
 * value before GT_IMPORT_NFORMATS and its entry to the decoder table in import.c. */
enum gt_import_format {
	GT_IMPORT_AUTO, /* told by the content: a zip is a workbook, anything else CSV */
	GT_IMPORT_CSV,  /* DHIS2's columns, or a template's CSV grid (template.h) */
	GT_IMPORT_XLSX, /* an Excel workbook: a template, or sheets in DHIS2's columns */
	GT_IMPORT_NFORMATS
};

struct gt_import_opts {
	const char *dataset; /* every value is entered for this data set (NULL: implied) */
	const char *period;  /* fills empty period cells; other periods are errors (NULL: none) */
	FILE *progress;      /* where a progress bar goes if it is a terminal (NULL: none) */
	FILE *out;           /* the summary line (NULL: none) */
	enum gt_import_format format; /* GT_IMPORT_AUTO (0) unless the caller knows */
};

/* The format of buf[0..len) (borrowed) as GT_IMPORT_AUTO decides it; never GT_IMPORT_AUTO. */
enum gt_import_format gt_import_detect(const uint8_t *buf, size_t len);

struct gt_import_result {
	size_t rows;      /* data records read */
	size_t queued;    /* new changes queued */
	size_t replaced;  /* changes that replaced a still-queued change of the same value */
	size_t unchanged; /* equal to what was last entered: nothing queued */
	size_t errors;    /* all errors found (each printed with its line, up to a cap) */
	size_t warnings;  /* validation rules that fail (printed; they do not stop the import) */
};

/*
 * Reads the file at path, decodes it (csvimport.h, formimport.h; a CSV file in Windows-1252 or
 * UTF-16 is converted to UTF-8 with a warning; an old .xls or an .ods is refused with what to
 * do), checks every row against the metadata
 * pulled into h (valcheck.h), and rejects a value entered twice in the file. On any error,
 * every error is printed to h->err as "FILE:LINE: message" (a workbook's
 * as "FILE: Sheet 'S', cell D7: message") and nothing from the file is
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
