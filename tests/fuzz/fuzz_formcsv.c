/* Fuzzes the CSV grid decoder of templates (and the separator sniffing under it): no crash,
 * bounded output, consistent results. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "csvimport.h"
#include "error.h"
#include "formimport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gt_csvimport c;
	char sep = gt_csv_sniff_sep(data, size);
	int rc;

	if (sep != ',' && sep != ';' && sep != '\t')
		abort();
	rc = gt_formimport_grid(data, size, &c);
	if (rc != GT_OK && rc != GT_EINVAL && rc != GT_ETOOBIG && rc != GT_ENOMEM)
		abort();
	if (rc == GT_EINVAL && c.errors_total == 0)
		abort();
	if (c.n_errors > GT_CSVIMPORT_MAX_ERRORS || c.n_errors > c.errors_total)
		abort();
	for (size_t i = 0; i < c.n_errors; i++)
		if (strlen(c.errors[i].msg) >= GT_CSVIMPORT_MAX_MSG)
			abort();
	for (size_t i = 0; i < c.n_rows; i++) {
		const struct gt_csvimport_row *r = &c.rows[i];
		if (gt_csvimport_where(&c, r->line) == NULL)
			abort();
		if (r->field[GT_CSV_DATAELEMENT][0] == '\0' || r->field[GT_CSV_VALUE][0] == '\0' ||
		    strlen(r->field[GT_CSV_VALUE]) > GT_CSVIMPORT_MAX_VALUE)
			abort();
	}
	gt_csvimport_free(&c);
	/* The same bytes through the DHIS2 CSV decoder, with its separator sniffing. */
	rc = gt_csvimport_parse(data, size, &c);
	if (rc != GT_OK && rc != GT_EINVAL && rc != GT_ETOOBIG && rc != GT_ENOMEM)
		abort();
	gt_csvimport_free(&c);
	return 0;
}
