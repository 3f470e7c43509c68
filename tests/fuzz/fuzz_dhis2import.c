/* Fuzzes the DHIS2 dataValueSets decoder (issue 15): no crash, bounded errors, every decoded
 * value complete and every error naming where it is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhis2import.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gt_dhis2import d;
	int rc = gt_dhis2import_decode(data, size, NULL, "53.71", &d);

	if (rc != GT_OK && rc != GT_ENOMEM)
		abort();
	if (d.n_errors > GT_DHIS2IMPORT_MAX_ERRORS || d.n_errors > d.errors_total)
		abort();
	for (size_t i = 0; i < d.n_errors; i++)
		if (d.errors[i] == NULL || d.errors[i][0] == '\0')
			abort();
	for (size_t i = 0; i < d.n_values; i++) {
		const struct gt_dhis2import_value *v = &d.values[i];
		if (!v->data_element || !v->period || !v->org_unit || !v->coc || !v->value ||
		    !v->comment || strncmp(v->path, "dataValues[", 11) != 0)
			abort();
		if (strlen(v->value) > size || strlen(v->comment) > size)
			abort();
	}
	gt_dhis2import_free(&d);
	return 0;
}
