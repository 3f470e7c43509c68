/* A key's set of roles on its org unit: bits by Gtsync__V1__Role, parsed and named as lists. */
#include "roleset.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "protonames.h"

/* The longest role name accepted in a list, with its NUL. */
#define ROLE_NAME_MAX 32

int gt_roleset_has(unsigned set, int role)
{
	if (role < GTSYNC__V1__ROLE__ROLE_OPERATOR || role > GTSYNC__V1__ROLE__ROLE_READER)
		return 0;
	return (set & GT_ROLE_BIT(role)) != 0;
}

int gt_roleset_valid(unsigned set)
{
	return set != 0 && (set & ~GT_ROLESET_ALL) == 0;
}

int gt_roleset_first(unsigned set)
{
	for (int r = GTSYNC__V1__ROLE__ROLE_OPERATOR; r <= GTSYNC__V1__ROLE__ROLE_READER; r++)
		if (gt_roleset_has(set, r))
			return r;
	return 0;
}

int gt_roleset_parse(const char *text, unsigned *set)
{
	unsigned acc = 0;
	const char *p = text;

	*set = 0;
	if (text == NULL)
		return GT_EINVAL;
	for (;;) {
		char name[ROLE_NAME_MAX];
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		int role;

		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0 || n >= sizeof(name))
			return GT_EINVAL;
		memcpy(name, p, n);
		name[n] = '\0';
		if (gt_protonames_role_parse(name, &role) != GT_OK)
			return GT_EINVAL;
		acc |= GT_ROLE_BIT(role);
		if (end == NULL)
			break;
		p = end + 1;
	}
	*set = acc;
	return GT_OK;
}

const char *gt_roleset_format(unsigned set, char *out, size_t cap)
{
	size_t used = 0;

	if (cap == 0)
		return out;
	out[0] = '\0';
	for (int r = GTSYNC__V1__ROLE__ROLE_OPERATOR; r <= GTSYNC__V1__ROLE__ROLE_READER; r++) {
		if (!gt_roleset_has(set, r))
			continue;
		int n = snprintf(out + used, cap - used, "%s%s", used > 0 ? "," : "",
		                 gt_protonames_role(r));
		if (n < 0 || (size_t)n >= cap - used) {
			out[used] = '\0';
			break;
		}
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(out, cap, "-");
	return out;
}

size_t gt_roleset_list(unsigned set, Gtsync__V1__Role out[GT_ROLESET_COUNT])
{
	size_t n = 0;

	for (int r = GTSYNC__V1__ROLE__ROLE_OPERATOR; r <= GTSYNC__V1__ROLE__ROLE_READER; r++)
		if (gt_roleset_has(set, r) && n < GT_ROLESET_COUNT)
			out[n++] = (Gtsync__V1__Role)r;
	return n;
}

unsigned gt_roleset_from_list(const Gtsync__V1__Role *list, size_t n)
{
	unsigned set = 0;

	for (size_t i = 0; i < n; i++)
		if (gt_roleset_has(GT_ROLESET_ALL, (int)list[i]))
			set |= GT_ROLE_BIT(list[i]);
	return set;
}

unsigned gt_roleset_of_auth(const Gtsync__V1__AuthResult *ar)
{
	unsigned set = gt_roleset_from_list(ar->roles, ar->n_roles);

	if (set == 0 && gt_roleset_has(GT_ROLESET_ALL, (int)ar->role))
		set = GT_ROLE_BIT(ar->role);
	return set;
}

int gt_roleset_text_has(const char *text, int role)
{
	unsigned set;

	if (gt_roleset_parse(text, &set) != GT_OK)
		return 0;
	return gt_roleset_has(set, role);
}
