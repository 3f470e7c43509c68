/* DHIS2 metadata export: the data sets, elements, combos and org units as one DHIS2 metadata
 * package, every object with a UID derived from its code (dhis2uid.h). */
#ifndef GT_DHIS2META_H
#define GT_DHIS2META_H

#include <stdio.h>

#include "home.h"
#include "metadata.h"
#include "wire.h"

/* Writes the package for meta and the org units ous[0..n) (both borrowed) to out: the arrays
 * categoryOptions, categories, categoryCombos, categoryOptionCombos, dataElements, dataSets
 * and organisationUnits, in the fields of DHIS2's /api/metadata. Returns 0, GT_ENOMEM or
 * GT_EIO. */
int gt_dhis2meta_write(FILE *out, const struct gt_meta *meta, Gtsync__V1__OrgUnit *const *ous,
                       size_t n);

/* Fetches the metadata and the org units in the key's scope from the server and writes the
 * package to output (a file written whole, or out when NULL). Sentences go to h->err. */
int gt_dhis2meta_run(struct gt_home *h, const char *output, uint32_t timeout_ms, FILE *out);

#endif
