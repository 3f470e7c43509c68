/* DHIS2 import: a dataValueSets JSON document (code or UID scheme) decoded, checked and queued
 * in the outbox, all or nothing, every error naming the JSON path of the bad value. */
#ifndef GT_DHIS2IMPORT_H
#define GT_DHIS2IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "home.h"
#include "metadata.h"

/* Largest document, values in one document, and errors kept (the rest are counted). */
#define GT_DHIS2IMPORT_MAX_INPUT  (64u * 1024u * 1024u)
#define GT_DHIS2IMPORT_MAX_VALUES 1000000u
#define GT_DHIS2IMPORT_MAX_ERRORS 100u

/* One decoded value, in gtsync's codes; strings owned by the decoded document. */
struct gt_dhis2import_value {
	char path[48]; /* "dataValues[12]" */
	const char *data_element, *period, *org_unit, *coc, *value, *comment;
	int deleted;
};

/* A decoded document. */
struct gt_dhis2import {
	struct gt_dhis2import_value *values;
	size_t n_values;
	char **errors; /* "dataValues[3].value: ..." */
	size_t n_errors, errors_total;
	void *doc;                   /* the parsed document, owning the strings */
	void (*free_doc)(void *doc); /* how to free it */
	char **own;                  /* strings made for mapped identifiers */
	size_t n_own, cap_own;
};

/* A decoder of a document of one format (gt_dhis2import_decode(), gt_adx_decode()). */
typedef int (*gt_dhis2import_decoder)(const uint8_t *buf, size_t len, const struct gt_meta *meta,
                                      const char *own_org, struct gt_dhis2import *out);

/*
 * Decodes buf[0..len) (borrowed) as a DHIS2 dataValueSets document: top-level dataSet, period,
 * orgUnit (defaults for the values) and dataValues, each with dataElement, period, orgUnit,
 * categoryOptionCombo, attributeOptionCombo (only the default), value (a string; a whole
 * number or a boolean is taken as its text), comment, deleted; other DHIS2 fields (storedBy,
 * created, lastUpdated, followup) are ignored. Identifiers are gtsync's codes or the UIDs the
 * metadata export derives from them, mapped back with meta (borrowed; NULL: codes only).
 * Every problem is recorded in out->errors with its JSON path. Returns 0 (check
 * out->errors_total), or GT_ENOMEM. Caller frees out with gt_dhis2import_free().
 */
int gt_dhis2import_decode(const uint8_t *buf, size_t len, const struct gt_meta *meta,
                          const char *own_org, struct gt_dhis2import *out);

/* Frees a decoded document and resets it; accepts NULL. */
void gt_dhis2import_free(struct gt_dhis2import *d);

/* Reads the file at path, decodes it, checks every value against the metadata pulled into h
 * as the CSV import does, and queues them all in one transaction, or none: every error goes to
 * h->err as "FILE: PATH: message". A summary line goes to out (optional). Returns 0, GT_EINVAL
 * (errors; nothing queued), or the failure. */
int gt_dhis2import_file(struct gt_home *h, const char *path, const char *dataset, FILE *out);

/* As gt_dhis2import_file() with another format's decoder. */
int gt_dhis2import_run(struct gt_home *h, const char *path, const char *dataset,
                       gt_dhis2import_decoder decode, FILE *out);

/* For the decoders (adx.c): records an error; keeps s (malloc'd; freed on failure) for d's
 * lifetime; maps an element's, an option combo's and an org unit's identifier (code or
 * derived UID) to its code (NULL for an unknown element). */
void gt__dhis2import_error(struct gt_dhis2import *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *gt__dhis2import_keep(struct gt_dhis2import *d, char *s);
const char *gt__dhis2import_element(const struct gt_meta *m, const char *id);
const char *gt__dhis2import_coc(const struct gt_meta *m, const char *id);
const char *gt__dhis2import_org(const char *own, const char *id);

#endif
