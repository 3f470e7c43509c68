/* Fuzzes the data-value CSV decoder: no crash, bounded output, consistent results. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvimport.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gt_csvimport c;
	unsigned long lines = 1;
	int rc;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	rc = gt_csvimport_parse(data, size, &c);
	if (rc != GT_OK && rc != GT_EINVAL && rc != GT_ETOOBIG && rc != GT_ENOMEM)
		abort();
	if (rc == GT_OK &&
	    (c.errors_total != 0 || c.col[GT_CSV_DATAELEMENT] < 0 || c.col[GT_CSV_VALUE] < 0))
		abort();
	if (rc == GT_EINVAL && c.errors_total == 0)
		abort();
	if (c.n_errors > GT_CSVIMPORT_MAX_ERRORS || c.n_errors > c.errors_total)
		abort();
	for (size_t i = 0; i < c.n_errors; i++)
		if (c.errors[i].line > lines || strlen(c.errors[i].msg) >= GT_CSVIMPORT_MAX_MSG)
			abort();
	for (size_t i = 0; i < c.n_rows; i++) {
		const struct gt_csvimport_row *r = &c.rows[i];
		if (r->line < 2 || r->line > lines || (i > 0 && r->line <= c.rows[i - 1].line))
			abort();
		for (int col = 0; col < GT_CSV_NCOLS; col++) {
			size_t n = strlen(r->field[col]);
			size_t max = col == GT_CSV_VALUE     ? GT_CSVIMPORT_MAX_VALUE
			             : col == GT_CSV_COMMENT ? GT_CSVIMPORT_MAX_COMMENT
			                                     : GT_CSVIMPORT_MAX_CODE;
			if (n > max || n > size)
				abort();
		}
		if (r->field[GT_CSV_DATAELEMENT][0] == '\0' || r->field[GT_CSV_VALUE][0] == '\0')
			abort();
	}
	gt_csvimport_free(&c);
	return 0;
}
