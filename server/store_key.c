/* Store: registered keys, their role sets and labels. */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "roleset.h"
#include "vec.h"

static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? (const char *)src : "");
}

static void row_key(sqlite3_stmt *s, struct gt_store_key *k)
{
	memset(k, 0, sizeof(*k));
	copy_text(k->key_id, sizeof(k->key_id), sqlite3_column_text(s, 0));
	if (sqlite3_column_bytes(s, 1) == GT_ED25519_PUB_LEN)
		memcpy(k->public_key, sqlite3_column_blob(s, 1), GT_ED25519_PUB_LEN);
	copy_text(k->org_unit, sizeof(k->org_unit), sqlite3_column_text(s, 2));
	k->added_at_ms = sqlite3_column_int64(s, 4);
	k->revoked = sqlite3_column_type(s, 5) != SQLITE_NULL;
	k->revoked_at_ms = k->revoked ? sqlite3_column_int64(s, 5) : 0;
	k->roles = (unsigned)sqlite3_column_int64(s, 6) & GT_ROLESET_ALL;
	k->roles_held = ((unsigned)sqlite3_column_int64(s, 7) & GT_ROLESET_ALL) | k->roles;
	copy_text(k->label, sizeof(k->label), sqlite3_column_text(s, 8));
}

int gt_store_key_get(struct gt_store *st, const char *key_id, struct gt_store_key *out)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (key_id == NULL)
		return gt__store_err(st, GT_EINVAL, "no key id");
	s = gt__store_q(st, Q_KEY_GET);
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_text(s, 1, key_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_key(s, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = gt__store_err(st, GT_ENOENT, "no key %.16s", key_id);
	} else {
		rc = gt__store_sqlerr(st, rc, "reading a key");
	}
	sqlite3_reset(s);
	return rc;
}

int gt_store_key_register(struct gt_store *st, const uint8_t public_key[GT_ED25519_PUB_LEN],
                          const char *org_unit, unsigned roles, const char *label, int64_t now_ms,
                          char key_id_out[GT_KEY_ID_LEN + 1])
{
	char key_id[GT_KEY_ID_LEN + 1];
	struct gt_store_orgunit u;
	struct gt_store_key existing;
	struct gt_store_scope tx;
	const char *why;
	sqlite3_stmt *s;
	int rc;

	if (key_id_out != NULL)
		key_id_out[0] = '\0';
	if (public_key == NULL || org_unit == NULL)
		return gt__store_err(st, GT_EINVAL, "no public key or org unit");
	if (!gt_roleset_valid(roles))
		return gt__store_err(st, GT_EINVAL, "no role or an unknown role (set %#x)", roles);
	if (label == NULL)
		label = "";
	if (gt_keylabel_check(label, &why) != GT_OK)
		return gt__store_err(st, GT_EINVAL, "%s", why);
	rc = gt_key_id_from_public(public_key, key_id);
	if (rc != 0)
		return gt__store_err(st, rc, "deriving the key id: %s", gt_strerror(rc));
	rc = gt_store_scope_enter(st, &tx);
	if (rc != 0)
		return rc;
	rc = gt_store_orgunit_get(st, org_unit, &u);
	if (rc == GT_ENOENT)
		gt__store_err(st, rc, "no org unit %.16s: import it first", org_unit);
	if (rc != 0)
		goto out;
	rc = gt_store_key_get(st, key_id, &existing);
	if (rc == 0) {
		rc = gt__store_err(st, GT_EEXIST, "key %s is already registered%s", key_id,
		                   existing.revoked ? " (revoked)" : "");
		goto out;
	}
	if (rc != GT_ENOENT)
		goto out;
	s = gt__store_q(st, Q_KEY_INS);
	if (s == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_text(s, 1, key_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, public_key, GT_ED25519_PUB_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, u.code, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, gt_roleset_first(roles));
	sqlite3_bind_int64(s, 5, now_ms);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)roles);
	sqlite3_bind_text(s, 7, label, -1, SQLITE_STATIC);
	rc = gt__store_run(st, s, "storing a key");
	if (rc == 0)
		rc = gt__store_admin_bump(st);
	/* The registration is a signed record of the transparency log (issue 14). */
	if (rc == 0)
		rc = gt_store_key_get(st, key_id, &existing);
	if (rc == 0)
		rc = gt__store_tree_append_key(st, GTSYNC__V1__KEY_ACTION__KEY_REGISTERED,
		                               &existing, now_ms);
out:
	rc = gt_store_scope_leave(st, &tx, rc);
	if (rc == 0 && key_id_out != NULL)
		memcpy(key_id_out, key_id, sizeof(key_id));
	return rc;
}

int gt_store_key_add(struct gt_store *st, const uint8_t public_key[GT_ED25519_PUB_LEN],
                     const char *org_unit, int role, int64_t now_ms,
                     char key_id_out[GT_KEY_ID_LEN + 1])
{
	if (role < GTSYNC__V1__ROLE__ROLE_OPERATOR || role > GTSYNC__V1__ROLE__ROLE_READER) {
		if (key_id_out != NULL)
			key_id_out[0] = '\0';
		return gt__store_err(st, GT_EINVAL, "unknown role %d", role);
	}
	return gt_store_key_register(st, public_key, org_unit, GT_ROLE_BIT(role), "", now_ms,
	                             key_id_out);
}

/* Enters a transaction and reads key_id into k; with revoked_why set, a revoked key is refused
 * as "key ID revoked_why". On failure the transaction is already left. */
static int key_begin(struct gt_store *st, const char *key_id, const char *revoked_why,
                     struct gt_store_scope *tx, struct gt_store_key *k)
{
	int rc;

	if (key_id == NULL)
		return gt__store_err(st, GT_EINVAL, "no key id");
	rc = gt_store_scope_enter(st, tx);
	if (rc != 0)
		return rc;
	rc = gt_store_key_get(st, key_id, k);
	if (rc == 0 && revoked_why != NULL && k->revoked)
		rc = gt__store_err(st, GT_ESTATE, "key %s %s", k->key_id, revoked_why);
	if (rc != 0)
		return gt_store_scope_leave(st, tx, rc);
	return 0;
}

/* Runs a bound key update and tells the running server (admin_seq) in the same transaction. */
static int key_write(struct gt_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = gt__store_run(st, s, what);

	if (rc == 0)
		rc = gt__store_admin_bump(st);
	return rc;
}

/* Replaces the role set of a key that exists and is not revoked: add and drop are sets; the
 * change is logged at now_ms. */
static int change_roles(struct gt_store *st, const char *key_id, unsigned add, unsigned drop,
                        int64_t now_ms)
{
	char have[GT_ROLESET_TEXT_MAX];
	struct gt_store_key k;
	struct gt_store_scope tx;
	sqlite3_stmt *s;
	unsigned roles;
	int rc;

	rc = key_begin(st, key_id, "is revoked", &tx, &k);
	if (rc != 0)
		return rc;
	if ((drop & ~k.roles) != 0) {
		rc = gt__store_err(st, GT_ESTATE, "key %s holds only %s", k.key_id,
		                   gt_roleset_format(k.roles, have, sizeof(have)));
		goto out;
	}
	roles = (k.roles | add) & ~drop;
	if (roles == 0) {
		rc = gt__store_err(st, GT_ESTATE,
		                   "key %s would hold no role: revoke the key instead", k.key_id);
		goto out;
	}
	s = gt__store_q(st, Q_KEY_ROLES);
	if (s == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_text(s, 1, k.key_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)roles);
	sqlite3_bind_int(s, 3, gt_roleset_first(roles));
	rc = key_write(st, s, "changing a key's roles");
	/* The change is a signed record of the transparency log, at the time it is made. */
	if (rc == 0) {
		k.roles = roles;
		rc = gt__store_tree_append_key(st, GTSYNC__V1__KEY_ACTION__KEY_ROLES_CHANGED, &k,
		                               now_ms);
	}
out:
	return gt_store_scope_leave(st, &tx, rc);
}

int gt_store_key_grant(struct gt_store *st, const char *key_id, unsigned add, int64_t now_ms)
{
	if (!gt_roleset_valid(add))
		return gt__store_err(st, GT_EINVAL, "no role or an unknown role");
	return change_roles(st, key_id, add, 0, now_ms);
}

int gt_store_key_revoke_roles(struct gt_store *st, const char *key_id, unsigned drop,
                              int64_t now_ms)
{
	if (!gt_roleset_valid(drop))
		return gt__store_err(st, GT_EINVAL, "no role or an unknown role");
	return change_roles(st, key_id, 0, drop, now_ms);
}

int gt_store_key_set_label(struct gt_store *st, const char *key_id, const char *label,
                           int64_t now_ms)
{
	struct gt_store_key k;
	struct gt_store_scope tx;
	const char *why;
	sqlite3_stmt *s;
	int rc;

	if (key_id == NULL || label == NULL)
		return gt__store_err(st, GT_EINVAL, "no key id or label");
	if (gt_keylabel_check(label, &why) != GT_OK)
		return gt__store_err(st, GT_EINVAL, "%s", why);
	rc = key_begin(st, key_id, NULL, &tx, &k);
	if (rc != 0)
		return rc;
	s = gt__store_q(st, Q_KEY_LABEL);
	if (s == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_text(s, 1, k.key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, label, -1, SQLITE_STATIC);
	rc = key_write(st, s, "labelling a key");
	/* A new label is a signed record of the transparency log of its own (issue 14). */
	if (rc == 0 && strcmp(k.label, label) != 0) {
		snprintf(k.label, sizeof(k.label), "%s", label);
		rc = gt__store_tree_append_key(st, GTSYNC__V1__KEY_ACTION__KEY_LABEL_CHANGED, &k,
		                               now_ms);
	}
out:
	return gt_store_scope_leave(st, &tx, rc);
}

int gt_store_key_label(struct gt_store *st, const char *key_id, char *out, size_t cap)
{
	struct gt_store_key k;
	int rc;

	if (cap > 0)
		out[0] = '\0';
	rc = gt_store_key_get(st, key_id, &k);
	if (rc == GT_ENOENT || rc == GT_EINVAL)
		return GT_OK;
	if (rc != GT_OK)
		return rc;
	if (cap > 0)
		snprintf(out, cap, "%s", k.label);
	return GT_OK;
}

int gt_store_key_revoke(struct gt_store *st, const char *key_id, int64_t now_ms)
{
	struct gt_store_key k;
	struct gt_store_scope tx;
	sqlite3_stmt *s;
	int rc;

	rc = key_begin(st, key_id, "was already revoked", &tx, &k);
	if (rc != 0)
		return rc;
	s = gt__store_q(st, Q_KEY_REVOKE);
	if (s == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	sqlite3_bind_text(s, 1, key_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now_ms);
	rc = key_write(st, s, "revoking a key");
	if (rc == 0)
		rc = gt__store_tree_append_key(st, GTSYNC__V1__KEY_ACTION__KEY_REVOKED, &k, now_ms);
out:
	return gt_store_scope_leave(st, &tx, rc);
}

int gt_store_key_list(struct gt_store *st, gt_store_key_cb cb, void *arg)
{
	sqlite3_stmt *s = gt__store_q(st, Q_KEY_LIST);
	struct gt_store_key *keys = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (GT_VEC_RESERVE(keys, cap, n + 1) != GT_OK) {
			rc = gt__store_err(st, GT_ENOMEM, "out of memory");
			goto out;
		}
		row_key(s, &keys[n++]);
	}
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "listing keys");
	sqlite3_reset(s);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = cb(arg, &keys[i]);
out:
	sqlite3_reset(s);
	free(keys);
	return rc;
}

int gt_store_key_last_sequence(struct gt_store *st, const char *key_id, uint64_t *seq)
{
	sqlite3_stmt *s;
	int rc;

	*seq = 0;
	if (key_id == NULL)
		return gt__store_err(st, GT_EINVAL, "no key id");
	s = gt__store_q(st, Q_KEY_LASTSEQ);
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_text(s, 1, key_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(s, 0); /* NULL (no batch) reads as 0 */
		rc = 0;
	} else {
		rc = gt__store_sqlerr(st, rc, "reading the last sequence");
	}
	sqlite3_reset(s);
	return rc;
}
