/* Fuzzes org-unit codes: whatever is valid rebuilds from its parent, and the level, parent
 * and containment answers agree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "orgunit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[32], parent[GT_ORGUNIT_MAX_LEN], rebuilt[GT_ORGUNIT_MAX_LEN * 2];

	/* As text: a C string ends at the first NUL. */
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';

	int level = gt_orgunit_level(text);
	int valid = gt_orgunit_valid(text);
	if ((level < 0) != (valid != GT_OK))
		abort();
	if (level < 0) {
		if (level != GT_EINVAL || gt_orgunit_contains("ID", text) != GT_EINVAL ||
		    gt_orgunit_parent(text, parent, sizeof(parent)) != GT_EINVAL ||
		    parent[0] != '\0')
			abort();
		return 0;
	}
	if (level > GT_ORGUNIT_LEVEL_DISTRICT || strlen(text) >= GT_ORGUNIT_MAX_LEN)
		abort();
	if (gt_orgunit_contains(text, text) != 1 || gt_orgunit_contains("ID", text) != 1)
		abort();
	int prc = gt_orgunit_parent(text, parent, sizeof(parent));
	if (level == GT_ORGUNIT_LEVEL_NATIONAL) {
		if (prc != GT_ENOENT || strcmp(text, "ID") != 0)
			abort();
		return 0;
	}
	if (prc != GT_OK || gt_orgunit_level(parent) != level - 1 ||
	    gt_orgunit_contains(parent, text) != 1 || gt_orgunit_contains(text, parent) != 0)
		abort();
	/* The code is its parent's code followed by its own two digits. */
	if (level == GT_ORGUNIT_LEVEL_PROVINCE)
		snprintf(rebuilt, sizeof(rebuilt), "%.2s", text);
	else
		snprintf(rebuilt, sizeof(rebuilt), "%s.%.2s", parent, text + 3);
	if (strcmp(rebuilt, text) != 0)
		abort();
	/* A sibling differing in the last digit is never contained. */
	char sib[GT_ORGUNIT_MAX_LEN];
	memcpy(sib, text, strlen(text) + 1);
	size_t last = strlen(sib) - 1;
	sib[last] = sib[last] == '9' ? '8' : (char)(sib[last] + 1);
	if (gt_orgunit_valid(sib) == GT_OK &&
	    (gt_orgunit_contains(text, sib) != 0 || gt_orgunit_contains(sib, text) != 0))
		abort();
	return 0;
}
