/* `gtsync verify`: a report's figures checked against the signed batches behind them. */
#ifndef GT_VERIFY_H
#define GT_VERIFY_H

#include <stdint.h>
#include <stdio.h>

#include "home.h"

/* Entries asked for in one LogEntriesRequest (the server caps it at 256). */
#define GT_VERIFY_PAGE 256u

/* Log entries (batches and key records) one verification takes at most: a national year is a
 * few thousand batches; past this the client stops, before keeping more in memory. */
#define GT_VERIFY_MAX_ENTRIES 200000

struct gt_verify_opts {
	const char *org;      /* the report's org unit; NULL: the key's own */
	const char *dataset;  /* KK */
	const char *period;   /* any DHIS2 period of the data set's type or coarser */
	uint32_t max_entries; /* log entries taken at most; 0: GT_VERIFY_MAX_ENTRIES */
	FILE *out;            /* the verdict and each difference */
};

/* What one verification found (for tests and benchmarks). */
struct gt_verify_result {
	uint64_t batches;   /* signed batches behind the figures */
	uint64_t units;     /* org units that signed them */
	uint64_t entries;   /* log entries fetched (batches and key records) */
	uint64_t bytes;     /* bytes of log entries fetched */
	uint64_t tree_size; /* the tree head the entries were proven in */
	uint64_t problems;  /* differences and failed checks */
	uint64_t approvals; /* approvals whose signed digest the batches give */
	uint64_t uncovered; /* approvals of a coarser period, not checked (named in the output) */
	double victims;     /* the report's count of victims (or sum of its figures) */
};

/*
 * Logs in (checking the server's log against the head this office verified), fetches the
 * server's report of o's org unit, data set and period and the log entries behind it
 * (LogEntriesRequest, docs/PROTOCOL.md), checks every key record's signature by the server's
 * key, every batch's bytes against its logged hash and its signature against the key record
 * valid at its leaf (registered, not revoked, of the batch's unit, with the role its items
 * need), every entry's inclusion in the verified tree head, re-applies the revision rule
 * (common/merge.h) and recomputes every total and per-child figure, then compares them with
 * the report. Writes "verified: ..." or each difference to o->out, and names each approval
 * of the subtree that covers more than the report's period (its digest needs values verify did
 * not fetch: not checked). Returns 0 when everything checks; GT_ECORRUPT when something
 * differs; GT_ETOOBIG past o->max_entries log entries; GT_EPERM for a reader key (it may not have
 * the batches); else the session's or the server's failure (explained on h->err). *res
 * (optional) gets the figures.
 */
int gt_verify_run(struct gt_home *h, const struct gt_verify_opts *o, struct gt_verify_result *res);

#endif
