/* DHIS2 export: the raw values of a data set fetched chunk by chunk and streamed out as one
 * dataValueSets document, with completeness registrations and approval states. */
#ifndef GT_DHIS2EXPORT_H
#define GT_DHIS2EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "home.h"
#include "wire.h"

/* How objects are named in the document. */
enum gt_dhis2_scheme {
	GT_DHIS2_SCHEME_CODE = 0, /* gtsync's codes; DHIS2 imports with idScheme=CODE */
	GT_DHIS2_SCHEME_UID,      /* UIDs derived from the codes (dhis2uid.h), as the metadata */
};

/* A document being written. */
struct gt_dhis2w;

/* Starts a document on out (borrowed; written as values come, never held whole). Caller
 * finishes with gt_dhis2w_close(). */
int gt_dhis2w_open(FILE *out, enum gt_dhis2_scheme scheme, struct gt_dhis2w **w);

/* Writes the values of chunk c (borrowed) and keeps its completions and approval states for the
 * end of the document. Returns 0, GT_ENOMEM or GT_EIO. */
int gt_dhis2w_chunk(struct gt_dhis2w *w, const Gtsync__V1__ExportChunk *c);

/* Values written so far. */
uint64_t gt_dhis2w_count(const struct gt_dhis2w *w);

/* Ends the document (the registrations and approvals after the values) and frees w; accepts
 * NULL. Returns 0 or GT_EIO (the output failed at any point). */
int gt_dhis2w_close(struct gt_dhis2w *w);

/* The DHIS2 approval state for a gtsync one (APPROVED_HERE, ACCEPTED_HERE,
 * UNAPPROVED_READY); static. */
const char *gt_dhis2_approval_state(int state);

/* What an export asks for. */
struct gt_dhis2export_opts {
	const char *org; /* NULL: the key's own */
	int scope;       /* Gtsync__V1__ExportScope */
	const char *dataset;
	const char *start, *end; /* DHIS2 periods */
	enum gt_dhis2_scheme scheme;
	int adx;             /* write ADX XML (adx.h) instead of DHIS2's JSON; codes only */
	const char *output;  /* a file, written through a temporary and renamed; NULL: out */
	uint32_t chunk;      /* values per request (0: the server's cap) */
	uint32_t timeout_ms; /* 0: the session default */
	int public_view;     /* for publishing: the server leaves out what a reader may not see */
	FILE *out;
};

/* Fetches the export from the server over one session and streams the document. With
 * o->output the document goes to a temporary file beside it, renamed over it only when whole.
 * Sentences for a person go to h->err; *count (optional) is the values written. Returns 0, the
 * session's failure, the server's refusal code, GT_EPROTO or GT_EIO. */
int gt_dhis2export_run(struct gt_home *h, const struct gt_dhis2export_opts *o, uint64_t *count);

#endif
