/* Fuzzes the ADX decoder (issue 15): no crash, bounded errors, every decoded value complete
 * with a DHIS2 period and a place. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adx.h"
#include "error.h"
#include "period.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gt_dhis2import d;
	struct gt_period p;
	int rc = gt_adx_decode(data, size, NULL, "53.71", &d);

	if (rc != GT_OK && rc != GT_ENOMEM)
		abort();
	if (d.n_errors > GT_DHIS2IMPORT_MAX_ERRORS || d.n_errors > d.errors_total)
		abort();
	for (size_t i = 0; i < d.n_values; i++) {
		const struct gt_dhis2import_value *v = &d.values[i];
		if (!v->data_element || !v->org_unit || !v->coc || !v->value || !v->comment ||
		    gt_period_parse(v->period, &p) != GT_OK || strncmp(v->path, "group[", 6) != 0)
			abort();
	}
	gt_dhis2import_free(&d);
	return 0;
}
