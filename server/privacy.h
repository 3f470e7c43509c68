/* What a reader key is served: consolidated figures only, without free text, history or
 * small cells (issue 14; docs/PRIVACY.md). */
#ifndef GT_PRIVACY_H
#define GT_PRIVACY_H

#include "wire.h"

struct gt_meta_dataset;
struct gt_report;
struct gt_snapshot;
struct gt_store;

/* A cell a public export publishes: a unit's own figure for a year of an element with a
 * disclosure threshold. The strings point into the snapshot's metadata and units. */
struct gt_privacy_cell {
	const char *org_unit;
	const char *element;
	const char *coc;
	double value;
};

/* What gt_privacy_public_year() asks of its caller: keep says whether a unit's code is in the
 * export's scope; emit receives each published cell (a nonzero return stops with that code). */
struct gt_privacy_sink {
	int (*keep)(void *arg, const char *org_unit);
	int (*emit)(void *arg, const struct gt_privacy_cell *cell);
	void *arg;
};

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

/*
 * The cells of ds's elements with a disclosure threshold that a public export of the yearly
 * period year publishes (docs/PRIVACY.md): for every unit sink->keep accepts, its own figure for
 * the year (the sum of its stored values of the year's periods), when the suppression pattern
 * of the whole tree, the one the year's reader reports use, shows the unit and none of its
 * children (a shown unit's own part is then its shown figure less its children's, which the
 * pattern already protects); cells of 0 are left out, as an export leaves out what is not
 * stored. st and snap are read (borrowed). Returns 0, a GT_E* code, or what emit returned.
 */
int gt_privacy_public_year(struct gt_store *st, const struct gt_snapshot *snap,
                           const struct gt_meta_dataset *ds, const char *year,
                           const struct gt_privacy_sink *sink);

#endif
