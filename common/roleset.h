/* A key's set of roles on its org unit: bits by Gtsync__V1__Role, parsed and named as lists. */
#ifndef GT_ROLESET_H
#define GT_ROLESET_H

#include <stddef.h>

#include "wire.h"

/* The bit of one role (ROLE_OPERATOR..ROLE_READER) in a role set. */
#define GT_ROLE_BIT(role) (1u << (unsigned)(role))

/* Every role a set may hold. */
#define GT_ROLESET_ALL                                                                             \
	(GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_OPERATOR) |                                            \
	 GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_APPROVER) |                                            \
	 GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_AGGREGATOR) |                                          \
	 GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_SECRETARIAT) |                                         \
	 GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_READER))

/* How many roles a set may hold. */
#define GT_ROLESET_COUNT 5

/* The longest text gt_roleset_format() writes, with its NUL. */
#define GT_ROLESET_TEXT_MAX 64

/* Whether set holds role (1) or not (0). */
int gt_roleset_has(unsigned set, int role);

/* Whether set is a non-empty set of known roles (1) or not (0). */
int gt_roleset_valid(unsigned set);

/* The lowest role of set (the one a single-role field names), or 0 for an empty set. */
int gt_roleset_first(unsigned set);

/* Parses a comma-separated list of role names ("operator,approver"; blanks around names are
 * allowed, repeats are harmless) into *set. GT_EINVAL for an empty list or an unknown name,
 * with *set 0. Borrowed: text. */
int gt_roleset_parse(const char *text, unsigned *set);

/* Writes set's role names, comma-separated in role order ("operator,approver"), into out
 * (cap bytes; GT_ROLESET_TEXT_MAX is always enough); "-" for an empty set. Returns out. */
const char *gt_roleset_format(unsigned set, char *out, size_t cap);

/* Writes set's roles, in role order, into out; returns how many (at most GT_ROLESET_COUNT).
 * For AuthResult.roles. */
size_t gt_roleset_list(unsigned set, Gtsync__V1__Role out[GT_ROLESET_COUNT]);

/* The set of the n roles at list (unknown values are left out): AuthResult.roles read back. */
unsigned gt_roleset_from_list(const Gtsync__V1__Role *list, size_t n);

/* The roles an AuthResult grants: its roles list, or its one role from a server before role
 * sets. Borrowed: ar. */
unsigned gt_roleset_of_auth(const Gtsync__V1__AuthResult *ar);

/* Whether a role list as gt_roleset_format() wrote it ("operator,approver") holds role; 0 for
 * text that is no list. */
int gt_roleset_text_has(const char *text, int role);

#endif
