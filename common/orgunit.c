/* Org-unit code validation and the national → province → district hierarchy. */
#include "orgunit.h"

#include <string.h>

#include "error.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parses a code; returns its level and sets *prov (11..99, 0 for the root) and *dist
 * (1..99, 0 above district level), or returns GT_EINVAL. */
static int parse(const char *code, int *prov, int *dist)
{
	*prov = 0;
	*dist = 0;
	if (code == NULL)
		return GT_EINVAL;
	if (code[0] == 'I' && code[1] == 'D' && code[2] == '\0')
		return GT_ORGUNIT_LEVEL_NATIONAL;
	if (!is_digit(code[0]) || !is_digit(code[1]))
		return GT_EINVAL;
	int p = (code[0] - '0') * 10 + (code[1] - '0');
	if (p < 11)
		return GT_EINVAL;
	if (code[2] == '\0') {
		*prov = p;
		return GT_ORGUNIT_LEVEL_PROVINCE;
	}
	if (code[2] != '.' || !is_digit(code[3]) || !is_digit(code[4]) || code[5] != '\0')
		return GT_EINVAL;
	int d = (code[3] - '0') * 10 + (code[4] - '0');
	if (d < 1)
		return GT_EINVAL;
	*prov = p;
	*dist = d;
	return GT_ORGUNIT_LEVEL_DISTRICT;
}

int gt_orgunit_valid(const char *code)
{
	int p, d;
	return parse(code, &p, &d) < 0 ? GT_EINVAL : GT_OK;
}

int gt_orgunit_level(const char *code)
{
	int p, d;
	return parse(code, &p, &d);
}

int gt_orgunit_parent(const char *code, char *out, size_t outlen)
{
	int p, d, level;
	size_t n;
	int rc;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	level = parse(code, &p, &d);
	if (level < 0 || out == NULL) {
		rc = GT_EINVAL;
		goto out;
	}
	if (level == GT_ORGUNIT_LEVEL_NATIONAL) {
		rc = GT_ENOENT;
		goto out;
	}
	/* The parent is a prefix: "ID" for a province, the first two characters otherwise. */
	n = level == GT_ORGUNIT_LEVEL_PROVINCE ? strlen(GT_ORGUNIT_ROOT) : 2;
	if (outlen < n + 1) {
		rc = GT_ETOOBIG;
		goto out;
	}
	memcpy(out, level == GT_ORGUNIT_LEVEL_PROVINCE ? GT_ORGUNIT_ROOT : code, n);
	out[n] = '\0';
	rc = GT_OK;
out:
	return rc;
}

int gt_orgunit_contains(const char *ancestor, const char *code)
{
	int ap, ad, cp, cd;
	int al = parse(ancestor, &ap, &ad);
	int cl = parse(code, &cp, &cd);

	if (al < 0 || cl < 0)
		return GT_EINVAL;
	if (al > cl)
		return 0;
	switch (al) {
	case GT_ORGUNIT_LEVEL_NATIONAL:
		return 1;
	case GT_ORGUNIT_LEVEL_PROVINCE:
		return ap == cp;
	default:
		return ap == cp && ad == cd;
	}
}
