/* Small-cell suppression over an org-unit tree: which published cells a reader may not see, so
 * that no figure from 1 to a threshold − 1 can be seen or computed (docs/PRIVACY.md). */
#include "suppress.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

int gt_suppress_sensitive(double v, double t)
{
	return v > 0 && v < t;
}

/* Withholds unit u and every unit below it (parents come before children). */
static void hide(const struct gt_suppress_tree *t, uint8_t *hidden, size_t u)
{
	hidden[u] = 1;
	for (size_t v = u + 1; v < t->nunits; v++)
		if (t->parent[v] >= 0 && hidden[t->parent[v]])
			hidden[v] = 1;
}

/* The withheld part of each column of p's children and own part, into s (ncols); returns the
 * number of withheld children. */
static size_t withheld(const struct gt_suppress_tree *t, const double *agg, const uint8_t *hidden,
                       const size_t *first, const size_t *kids, size_t p, double *s)
{
	size_t n = 0;

	memcpy(s, agg + p * t->ncols, t->ncols * sizeof(*s));
	for (size_t k = first[p]; k < first[p + 1]; k++) {
		size_t c = kids[k];
		if (hidden[c]) {
			n++;
			continue;
		}
		for (size_t j = 0; j < t->ncols; j++)
			s[j] -= agg[c * t->ncols + j];
	}
	return n;
}

/* Whether p's group needs another withheld part: a withheld child without a second part, or
 * a column whose withheld part is from 1 to its threshold − 1. */
static int deficient(const struct gt_suppress_tree *t, size_t nhidden, size_t p, const double *s)
{
	if (nhidden > 0 && nhidden + (t->own[p] ? 1 : 0) < 2)
		return 1;
	for (size_t j = 0; j < t->ncols; j++)
		if (gt_suppress_sensitive(s[j], t->threshold[j]))
			return 1;
	return 0;
}

/* The shown child of p whose withholding best mends its group: the one that lifts the most
 * deficient columns to their threshold, then the smallest; -1 when every child is withheld. */
static long pick(const struct gt_suppress_tree *t, const double *agg, const uint8_t *hidden,
                 const size_t *first, const size_t *kids, size_t p, const double *s)
{
	long best = -1;
	size_t best_cover = 0;
	double best_mass = 0;

	for (size_t k = first[p]; k < first[p + 1]; k++) {
		size_t c = kids[k], cover = 0;
		double mass = 0;
		if (hidden[c])
			continue;
		for (size_t j = 0; j < t->ncols; j++) {
			double v = agg[c * t->ncols + j];
			mass += v;
			if (gt_suppress_sensitive(s[j], t->threshold[j]) &&
			    s[j] + v >= t->threshold[j])
				cover++;
		}
		if (best < 0 || cover > best_cover || (cover == best_cover && mass < best_mass)) {
			best = (long)c;
			best_cover = cover;
			best_mass = mass;
		}
	}
	return best;
}

int gt_suppress_run(const struct gt_suppress_tree *t, double *agg, uint8_t *hidden)
{
	size_t n = t->nunits, m = t->ncols, *first = NULL, *kids = NULL, *fill = NULL;
	double *s = NULL;
	int rc = GT_OK, changed;

	if (n > GT_SUPPRESS_MAX_UNITS || m > GT_SUPPRESS_MAX_COLS)
		return GT_ETOOBIG;
	for (size_t u = 0; u < n; u++)
		if (t->parent[u] >= (long)u)
			return GT_EINVAL;
	for (size_t j = 0; j < m; j++)
		if (!(t->threshold[j] > 0))
			return GT_EINVAL;
	first = calloc(n + 2, sizeof(*first));
	kids = calloc(n + 1, sizeof(*kids));
	fill = calloc(n + 1, sizeof(*fill));
	s = calloc(m + 1, sizeof(*s));
	if (first == NULL || kids == NULL || fill == NULL || s == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	/* Children lists, and the subtree sums from the leaves up. */
	for (size_t u = 0; u < n; u++)
		if (t->parent[u] >= 0)
			first[t->parent[u] + 1]++;
	for (size_t u = 0; u < n; u++)
		first[u + 1] += first[u];
	for (size_t u = 0; u < n; u++)
		if (t->parent[u] >= 0) {
			size_t p = (size_t)t->parent[u];
			kids[first[p] + fill[p]++] = u;
		}
	if (n > 0 && m > 0)
		memcpy(agg, t->values, n * m * sizeof(*agg));
	for (size_t u = n; u-- > 0;)
		if (t->parent[u] >= 0)
			for (size_t j = 0; j < m; j++)
				agg[(size_t)t->parent[u] * m + j] += agg[u * m + j];
	/* Primary: every unit with a sensitive cell, and what lies below it. */
	memset(hidden, 0, n);
	for (size_t u = 0; u < n; u++)
		for (size_t j = 0; j < m && !hidden[u]; j++)
			if (gt_suppress_sensitive(agg[u * m + j], t->threshold[j]))
				hide(t, hidden, u);
	/* Secondary: mend each shown unit's group until none is deficient. Every step withholds
	 * one more unit, so this ends. */
	do {
		changed = 0;
		for (size_t p = 0; p < n; p++) {
			size_t nh;
			long c;
			if (hidden[p] || first[p] == first[p + 1])
				continue;
			nh = withheld(t, agg, hidden, first, kids, p, s);
			if (!deficient(t, nh, p, s))
				continue;
			c = pick(t, agg, hidden, first, kids, p, s);
			hide(t, hidden, c >= 0 ? (size_t)c : p);
			changed = 1;
		}
	} while (changed);
out:
	free(first);
	free(kids);
	free(fill);
	free(s);
	return rc;
}
