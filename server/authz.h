/* Authorization: what a key's roles and org unit allow it to write, act on and read. */
#ifndef GT_AUTHZ_H
#define GT_AUTHZ_H

#include "wire.h"

/* A key as the server knows it after the handshake; borrowed strings. */
struct gt_principal {
	const char *key_id;
	const char *org_unit;
	unsigned roles; /* a role set (roleset.h): what the key may do on its org unit */
};

/* Checks that principal may sign batch b as a whole: the batch names the principal's key and
 * org unit, every value and completion is for an org unit the role may write, every workflow
 * action is one the role may take on that org unit. Any failure refuses the whole batch:
 * returns GT_EPERM with *why (static sentence) and *item (index of the offending item, or
 * -1) set. Returns 0 when every item is within authority. Borrowed: everything. */
int gt_authz_batch(const struct gt_principal *p, const gt_batch *b, const char **why, int *item);

/* Checks that principal may take workflow action kind on org_unit; 0 or GT_EPERM with *why. */
int gt_authz_action(const struct gt_principal *p, int kind, const char *org_unit, const char **why);

/* Checks that principal may enrol a key for org_unit with the role set roles over the wire: a
 * province's aggregator, for a district of its own, as operator and/or approver; nobody else
 * (the centre enrols on its host). 0 or GT_EPERM with *why. */
int gt_authz_enrol(const struct gt_principal *p, const char *org_unit, unsigned roles,
                   const char **why);

/* Checks that principal may read data of org_unit's subtree (pull, reports); 0 or GT_EPERM. */
int gt_authz_read(const struct gt_principal *p, const char *org_unit, const char **why);

#endif
