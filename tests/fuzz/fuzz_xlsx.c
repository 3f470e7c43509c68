/* Fuzzes the workbook reader and the form decoder over it (libzip, libxml2): no crash, bounded
 * output, consistent results. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvimport.h"
#include "error.h"
#include "formimport.h"
#include "xlsxread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gt_csvimport c;
	struct gt_xlsx x;
	int rc;

	rc = gt_xlsx_read(data, size, &x);
	if (rc != GT_OK && rc != GT_EINVAL && rc != GT_ETOOBIG && rc != GT_ENOMEM)
		abort();
	if ((rc == GT_EINVAL || rc == GT_ETOOBIG) && x.err[0] == '\0')
		abort();
	for (size_t i = 0; i < x.nsheets; i++) {
		const struct gt_xlsx_sheet *s = &x.sheets[i];
		for (size_t k = 0; k < s->ncells; k++) {
			const struct gt_xlsx_cell *cell = &s->cells[k];
			if (cell->text[0] == '\0' || strlen(cell->text) > GT_XLSX_MAX_TEXT ||
			    cell->row >= GT_XLSX_MAX_ROWS || cell->col >= GT_XLSX_MAX_COLS)
				abort();
			if (k > 0 &&
			    (s->cells[k - 1].row > cell->row || (s->cells[k - 1].row == cell->row &&
			                                         s->cells[k - 1].col >= cell->col)))
				abort();
			if (gt_xlsx_get(s, cell->row, cell->col) != cell->text)
				abort();
		}
	}
	gt_xlsx_free(&x);

	rc = gt_formimport_xlsx(data, size, &c);
	if (rc != GT_OK && rc != GT_EINVAL && rc != GT_ETOOBIG && rc != GT_ENOMEM)
		abort();
	if (rc == GT_EINVAL && c.errors_total == 0)
		abort();
	if (c.n_errors > GT_CSVIMPORT_MAX_ERRORS || c.n_errors > c.errors_total)
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
	return 0;
}
