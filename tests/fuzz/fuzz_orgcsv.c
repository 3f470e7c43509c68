/* Fuzz target for the org-unit CSV decoder (server/orgcsv.c), with its invariants checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "orgcsv.h"
#include "orgunit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gt_orgcsv csv;
	int rc = gt_orgcsv_parse(data, size, &csv);

	if (rc != 0 && rc != GT_EINVAL && rc != GT_ETOOBIG && rc != GT_ENOMEM)
		abort();
	if ((rc == 0) != (csv.errors_total == 0))
		abort();
	if (csv.n_errors > GT_ORGCSV_MAX_ERRORS || csv.n_errors > csv.errors_total)
		abort();
	for (size_t i = 0; i < csv.n_errors; i++) {
		if (i > 0 && csv.errors[i - 1].line > csv.errors[i].line)
			abort();
		if (memchr(csv.errors[i].msg, '\0', sizeof(csv.errors[i].msg)) == NULL)
			abort();
	}
	if (csv.n_rows > GT_ORGCSV_MAX_ROWS)
		abort();
	for (size_t i = 0; i < csv.n_rows; i++) {
		const struct gt_orgcsv_row *row = &csv.rows[i];
		const struct gt_orgcsv_row *found;
		char parent[GT_ORGUNIT_MAX_LEN];
		size_t n = strlen(row->name);

		if (gt_orgunit_level(row->code) != row->level ||
		    (row->level != GT_ORGUNIT_LEVEL_PROVINCE &&
		     row->level != GT_ORGUNIT_LEVEL_DISTRICT))
			abort();
		if (gt_orgunit_parent(row->code, parent, sizeof(parent)) != 0 ||
		    strcmp(parent, row->parent) != 0)
			abort();
		if (n == 0 || n > GT_ORGCSV_MAX_NAME || row->line == 0)
			abort();
		for (size_t k = 0; k < n; k++)
			if ((unsigned char)row->name[k] < 0x20)
				abort();
		found = gt_orgcsv_find(&csv, row->code);
		if (found == NULL || strcmp(found->code, row->code) != 0)
			abort();
	}
	gt_orgcsv_free(&csv);
	return 0;
}
