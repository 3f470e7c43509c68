/* Fuzzes enrolment requests (issue 13): any bytes either are refused with a sentence or give a
 * request that writes back to a line reading as the same request. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrol.h"
#include "error.h"
#include "roleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[GT_ENROL_LINE_MAX];
	struct gt_enrol e, back;
	const char *why = NULL;

	if (gt_enrol_parse((const char *)data, size, &e, &why) != GT_OK) {
		if (why == NULL || e.roles != 0 || e.key_id[0] != '\0')
			abort();
		return 0;
	}
	if (!gt_roleset_valid(e.roles) || gt_orgunit_valid(e.org_unit) != GT_OK)
		abort();
	if (gt_enrol_format(&e, line, sizeof(line)) != GT_OK ||
	    gt_enrol_parse(line, strlen(line), &back, &why) != GT_OK ||
	    memcmp(&e, &back, sizeof(e)) != 0)
		abort();
	return 0;
}
