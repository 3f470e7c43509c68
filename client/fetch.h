/* Fetching a consolidated report from the server and writing it in a chosen format. */
#ifndef GT_FETCH_H
#define GT_FETCH_H

#include <stdint.h>
#include <stdio.h>

#include "home.h"
#include "render.h"

struct gt_fetch_opts {
	const char *org;      /* the report's org unit; NULL: the key's own */
	const char *dataset;  /* KK */
	const char *period;   /* any DHIS2 period; finer periods roll up into it */
	int per_child;        /* ask for the per-child breakdown */
	int public_view;      /* ask for the reader's (suppressed) view, as published (issue 14) */
	const uint8_t *since; /* the cursor of the reply the caller holds (borrowed); NULL: none */
	size_t since_len;
	const struct gt_render_format *format;
	const char *output;  /* a file to write (replaced whole); NULL: o->out */
	uint32_t timeout_ms; /* connect and wait for the reply (0: the session default) */
	FILE *out;           /* the report, or the line saying where it was written */
};

/*
 * Asks the server for the report and renders it with o->format, naming units from the org units
 * pulled into h and ordering rows with its metadata when there is some (the report works
 * without). With o->output the report is rendered in memory and written whole through a new
 * temporary file in the target's directory (gt_file_write()), or not at all. Sentences for a
 * person go to h->err. Returns 0, the session's failure (unreachable, certificate, key),
 * GT_EPROTO (the server refused: its sentence is shown; or it answered out of turn), GT_EIO or
 * the file's failure.
 */
int gt_fetch_report(struct gt_home *h, const struct gt_fetch_opts *o);

/* Asks the server for the report of o's org, data set, period and per_child (o's format and
 * outputs are unused); *reply (caller frees with gt_wire_envelope_free()) holds the
 * ReportReply. Errs as gt_fetch_report(). */
int gt_fetch_reply(struct gt_home *h, const struct gt_fetch_opts *o, gt_envelope **reply);

#endif
