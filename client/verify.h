/* `gtsync verify`: a report's figures checked against the signed batches behind them. */
#ifndef GT_VERIFY_H
#define GT_VERIFY_H

#include <stdint.h>
#include <stdio.h>

#include "home.h"
#include "key.h"
#include "keylabel.h"
#include "orgunit.h"

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

/* A value of the report's cells in a signed batch (the provenance page filters by it). */
struct gt_verify_value {
	char *element; /* owned */
	char *coc;     /* owned; "" for the default option */
	char org[GT_ORGUNIT_MAX_LEN];
	double number; /* its number; NAN for a text */
	size_t batch;  /* its batch's place in gt_verify_result.list */
	int won;       /* the revision rule kept it: it counts in the figures */
};

/* A signed batch behind the figures, as the dashboard's provenance page lists it. */
struct gt_verify_batch {
	uint64_t leaf;      /* its leaf in the log */
	uint64_t sequence;  /* the signing key's sequence number */
	int64_t created_ms; /* when the unit signed it (the unit's clock) */
	char org[GT_ORGUNIT_MAX_LEN];
	char key_id[GT_KEY_ID_LEN + 1];
	char key_label[GT_KEYLABEL_MAX]; /* its latest key record's, else the history's; "" */
	unsigned roles;      /* the key's roles at its leaf (common/roleset.h); 0 when unknown */
	int signature_ok;    /* its signature verified with the key valid at its leaf */
	int timed;           /* its leaf covers when the server received it (kind 3) */
	int64_t received_ms; /* then: when the server received it */
	int included;        /* its entry proven in the verified tree head */
	size_t nvalues;      /* its values of the report's cells, and how many counted */
	size_t nwon;
};

/* A figure of the server's report that the signed batches do not give. */
struct gt_verify_diff {
	char *element;                  /* owned */
	char *coc;                      /* owned; "" for the default option */
	char scope[GT_ORGUNIT_MAX_LEN]; /* the child's org unit; "" for the total */
	int in_report;                  /* the server's report shows it */
	double reported, recomputed;
	uint32_t reported_count, recomputed_count;
};

/* What one verification found (for tests, benchmarks and the dashboard). The arrays are owned
 * by the result: gt_verify_result_free() frees them. */
struct gt_verify_result {
	uint64_t batches;   /* signed batches behind the figures */
	uint64_t units;     /* org units that signed them */
	uint64_t entries;   /* log entries fetched (batches and key records) */
	uint64_t bytes;     /* bytes of log entries fetched */
	uint64_t tree_size; /* the tree head the entries were proven in */
	uint64_t problems;  /* differences and failed checks */
	uint64_t approvals; /* approvals whose signed digest the batches give */
	uint64_t uncovered; /* approvals of a coarser period, not checked (named in the output) */
	uint64_t unchecked; /* other figures not checked (named in the output, with why) */
	double victims;     /* the report's count of victims (or sum of its figures) */
	int victims_found;  /* the data set counts victims (else victims sums every total) */
	struct gt_verify_batch *list; /* every signed batch fetched, in leaf order */
	size_t nlist;
	struct gt_verify_value *values; /* their values of the report's cells */
	size_t nvalues;
	struct gt_verify_diff *diffs; /* the figures that differ */
	size_t ndiffs;
};

/*
 * Logs in (checking the server's log against the head this office verified), fetches the
 * server's report of o's org unit, data set and period and the log entries behind it
 * (LogEntriesRequest, docs/PROTOCOL.md), checks every key record's signature by the server's
 * key, every batch's bytes against its logged hash and its signature against the key record
 * valid at its leaf (registered, not revoked, of the batch's unit, with the role its items
 * need), every entry's inclusion in the verified tree head, re-applies the revision rule
 * (common/merge.h) and recomputes every total and per-child figure, then compares them with
 * the report; over the server's org-unit tree (a MetadataRequest) it recomputes completeness,
 * on time, nil reports, first arrivals and report states (client/vcomplete.h) and compares
 * them too. Writes "verified: ..." or each difference to o->out, and names what it cannot check
 * (an approval of the subtree that covers more than the report's period, whose digest needs
 * values verify did not fetch; on time for batches whose leaves do not carry the receive
 * time).
 * Returns 0 when everything checks; GT_ECORRUPT when something differs; GT_ETOOBIG past
 * o->max_entries log entries; GT_EPERM for a reader key (it may not have the batches); else the
 * session's or the server's failure (explained on h->err). *res (optional) gets the figures, the
 * batches and the differences, also when the verification failed part way (free it with
 * gt_verify_result_free() in every case).
 */
int gt_verify_run(struct gt_home *h, const struct gt_verify_opts *o, struct gt_verify_result *res);

/* Frees what a result owns and zeroes it; NULL is fine. */
void gt_verify_result_free(struct gt_verify_result *res);

#endif
