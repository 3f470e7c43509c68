/* Small-cell suppression over an org-unit tree: which published cells a reader may not see, so
 * that no figure from 1 to a threshold − 1 can be seen or computed (docs/PRIVACY.md). */
#ifndef GT_SUPPRESS_H
#define GT_SUPPRESS_H

#include <stddef.h>
#include <stdint.h>

/* Largest tree and table gt_suppress_run() takes. */
#define GT_SUPPRESS_MAX_UNITS 100000u
#define GT_SUPPRESS_MAX_COLS  4096u

/* The figures of a data set's suppressed columns over a tree of units; all borrowed. */
struct gt_suppress_tree {
	size_t nunits;           /* units 0..nunits-1, every parent before its children */
	const long *parent;      /* each unit's parent, -1 for a root */
	const uint8_t *own;      /* whether a unit's own values exist (its level reports the set) */
	size_t ncols;            /* columns: (element, option) pairs with a threshold */
	const double *values;    /* nunits x ncols: each unit's own stored values, 0 when none */
	const double *threshold; /* ncols: cells in (0, threshold) are sensitive; > 0 */
};

/*
 * Decides which units' rows are withheld, jointly for every column: a unit whose cell in any
 * column is from 1 to its threshold − 1 (primary), with every unit below it, and then, until
 * nothing changes, for each shown unit whose children are partly withheld, more of its
 * children (or, when none is left, the unit itself) until the withheld part of each column is 0
 * or at least the threshold and at least two parts are withheld (secondary). agg receives the
 * subtree sums (nunits x ncols) and hidden, per unit, 1 when its row is withheld. Returns 0,
 * GT_EINVAL for a parent that does not come before its child or a threshold that is not
 * positive, GT_ETOOBIG over the limits, GT_ENOMEM.
 */
int gt_suppress_run(const struct gt_suppress_tree *t, double *agg, uint8_t *hidden);

/* Whether a cell of value v is sensitive under threshold t: 0 < v < t. */
int gt_suppress_sensitive(double v, double t);

#endif
