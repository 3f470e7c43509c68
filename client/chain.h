/* The client's side of the reporting chain: one workflow action, saved, signed, sent, answered. */
#ifndef GT_CHAIN_H
#define GT_CHAIN_H

#include <stdint.h>
#include <stdio.h>

#include "gtlimits.h"
#include "home.h"
#include "i18n.h"
#include "testhooks.h"

/* Longest reason accepted (the server's limit, server/rules.h). */
#define GT_CHAIN_MAX_REASON 500u

/* What `gtsync nil-report --help` and `gtsync open-late --help` say. */
#define GT_CHAIN_HELP_NIL                                                                          \
	N_("A unit with nothing to report for a data set and period declares it with its "         \
	   "approver's "                                                                           \
	   "key: a signed \"laporan nihil\" that counts as reported in the reports' completeness " \
	   "and "                                                                                  \
	   "lets an empty report be approved (the server refuses to approve a report without any " \
	   "value otherwise). The period may be the data set's or coarser (2025 for a year of "    \
	   "monthly reports). The server refuses it when the unit holds values of the data set "   \
	   "for "                                                                                  \
	   "the period. It shows in the report's history.")
#define GT_CHAIN_HELP_LATE                                                                         \
	N_("Past a data set's expiry days the server skips values and completions as expired. "    \
	   "The "                                                                                  \
	   "parent opens a unit for late entry: the province's aggregator for its districts, the " \
	   "central secretariat for any unit. --org names the unit (that unit only), --period "    \
	   "the "                                                                                  \
	   "data set's period or a coarser one (2024 opens every month of 2024), --until the "     \
	   "last "                                                                                 \
	   "day entry stays open (YYYY-MM-DD, inclusive, UTC) and --reason why; all are "          \
	   "required. "                                                                            \
	   "The opening is a signed action in the report's history; it lifts expiry only (an "     \
	   "approved period stays locked). A later opening with another day replaces it.")

struct gt_chain_opts {
	int kind;                /* a WorkflowKind: submit, approve, accept, return, unapprove */
	const char *dataset;     /* KK */
	const char *period;      /* the data set's period type or coarser: 2025 for monthly KK */
	const char *org;         /* the report's org unit; NULL or "": the key's own */
	const char *reason;      /* required for return and open-late; NULL: none */
	const char *until;       /* open-late: the last day of late entry, YYYY-MM-DD */
	const char *acknowledge; /* submit, approve: warning rule codes joined by ",", or NULL */
	unsigned tries;          /* connection attempts for sending (0: the push default) */
	uint32_t timeout_ms;     /* connect and each wait (0: the session default) */
	uint32_t backoff_base_ms;
	struct gt_testhooks *hooks; /* test builds only (testhooks.h); NULL: none */
	FILE *out;                  /* the result lines (NULL: none) */
};

enum gt_chain_outcome {
	GT_CHAIN_UNSENT = 0, /* saved, not yet answered: it goes out with the next push */
	GT_CHAIN_APPLIED,    /* the server applied it */
	GT_CHAIN_DUPLICATE,  /* the server had this very batch already (sent before a crash) */
	GT_CHAIN_SKIPPED,    /* the server skipped it: not allowed in the report's state */
	GT_CHAIN_REFUSED,    /* the server refused the batch: authorization or shape */
};

struct gt_chain_result {
	int outcome;         /* enum gt_chain_outcome */
	int conflict;        /* the ConflictReason when skipped */
	int code;            /* the GT_E* code when refused */
	char message[512];   /* the server's sentence when skipped or refused */
	uint64_t n_digested; /* approve: the values the digest covers */
	uint8_t digest[GT_SHA256_LEN];
	int64_t action_id; /* the saved action in the home's store */
};

/*
 * Takes one workflow action as h's key: checks it against the pulled metadata (data set,
 * period, org unit), for approve computes the digest over a fresh pull of the org unit's
 * subtree from the server, saves the action in the outbox, and pushes (the same signed
 * batches, sequence numbers and resends as values; a crash after the save sends the same
 * batch next time). Lines for a person go to o->out (the digest, the outcome) and h->err.
 * Returns 0 when the server answered (r->outcome says how: applied, skipped or refused), or
 * the failure: GT_EINVAL (bad period or org unit; nothing saved), GT_ENOENT (unknown data set
 * or no metadata), unreachable codes (the action stays saved unless the digest could not be
 * computed), local store codes.
 */
int gt_chain_run(struct gt_home *h, const struct gt_chain_opts *o, struct gt_chain_result *r);

#endif
