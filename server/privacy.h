/* What a reader key is served: consolidated figures only, without free text, history or
 * small cells (issue 14; docs/PRIVACY.md). */
#ifndef GT_PRIVACY_H
#define GT_PRIVACY_H

#include "wire.h"

struct gt_report;
struct gt_snapshot;
struct gt_store;

/* Whether a key with role set roles reads as a reader: it holds no role but reader (a key that
 * is also operator, approver, aggregator or secretariat reads raw figures in its scope). */
int gt_privacy_reader_only(unsigned roles);

/*
 * Turns r's reply, a report built for dataset and period, into what a reader may see, in place:
 * comments, text values, the history (reasons, key labels) and the rule violations (a unit's
 * values in words) are removed; the cells of elements with a disclosure threshold are
 * suppressed as docs/PRIVACY.md says (all of them for a period finer than a year; for a year,
 * the cells the suppression pattern of the whole org-unit tree hides), each marked suppressed
 * with its value and count zeroed; cells the report lacks are added, so that absence says
 * nothing. st and snap are read (borrowed); what is added lives in r; replaced strings point
 * to static storage or to snap's metadata (send the reply while snap is held). Returns 0 or a
 * GT_E* code (the report is then not to be sent).
 */
int gt_privacy_reader_report(struct gt_store *st, const struct gt_snapshot *snap,
                             const char *dataset, const char *period, struct gt_report *r);

#endif
