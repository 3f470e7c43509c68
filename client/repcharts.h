/* The charts of a consolidated report, shared by the dashboard and the chair's HTML report:
 * each unit's breakdown as stacked bars, the law-enforcement stages as a funnel, and the
 * summary matrix of units against the key figures. */
#ifndef GT_REPCHARTS_H
#define GT_REPCHARTS_H

#include <stdio.h>

#include "metadata.h"
#include "wire.h"

/* The category combo of the law-enforcement stages, drawn as a funnel. */
#define GT_REPCHARTS_FUNNEL_COMBO "TAHAP"
/* Most units a stacked bar chart draws (the summary matrix lists them all). */
#define GT_REPCHARTS_MAX_BARS 40u
/* Most key figures (columns) of the summary matrix. */
#define GT_REPCHARTS_MAX_COLS 6u

/* The sum of every numeric value of element among vals[0..n), NAN when there is none, or
 * gt_rmodel_withheld_value() when one is withheld (suppressed). */
double gt_repcharts_total(Gtsync__V1__ReportValue *const *vals, size_t n, const char *element);

/* The data set's summed numeric elements (the key figures), at most max, into out; the count. */
size_t gt_repcharts_summed(const struct gt_meta_dataset *ds, const struct gt_meta_element **out,
                           size_t max);

/* The first summed element of ds with a breakdown of its own (with combo's code when combo is
 * not NULL), or NULL. Borrowed. */
const struct gt_meta_element *gt_repcharts_broken_down(const struct gt_meta_dataset *ds,
                                                       const char *combo);

/* Writes the charts of rep (borrowed): the first broken-down element per unit below as
 * stacked bars, and the stages as a funnel, each with its table. ds (optional) names them;
 * without it nothing is written. */
void gt_repcharts_children(FILE *out, const Gtsync__V1__ReportReply *rep,
                           const struct gt_meta_dataset *ds);

/* Writes the summary matrix: a row per unit below (name, units reported of expected, state)
 * and a column per key figure, with the totals' row. */
void gt_repcharts_summary(FILE *out, const Gtsync__V1__ReportReply *rep,
                          const struct gt_meta_dataset *ds);

#endif
