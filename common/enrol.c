/* Enrolment requests: the one line an office gives the centre instead of base64 typed by hand. */
#include "enrol.h"

#include <stdio.h>
#include <string.h>

#include "encode.h"
#include "error.h"
#include "i18n.h"
#include "roleset.h"

/* The fields of a request line, GT_ENROL_MAGIC included. */
#define ENROL_FIELDS 6

int gt_enrol_check(const uint8_t public_key[GT_ED25519_PUB_LEN], const char *org_unit,
                   unsigned roles, char check[GT_ENROL_CHECK_LEN + 1])
{
	char roles_text[GT_ROLESET_TEXT_MAX];
	uint8_t buf[sizeof(GT_ENROL_MAGIC) + GT_ORGUNIT_MAX_LEN + GT_ROLESET_TEXT_MAX +
	            GT_ED25519_PUB_LEN];
	uint8_t digest[GT_SHA256_LEN];
	size_t n = 0, ol, rl;
	uint64_t v = 0;
	int rc;

	check[0] = '\0';
	gt_roleset_format(roles, roles_text, sizeof(roles_text));
	ol = strlen(org_unit);
	rl = strlen(roles_text);
	if (ol >= GT_ORGUNIT_MAX_LEN)
		return GT_EINVAL;
	memcpy(buf, GT_ENROL_MAGIC, sizeof(GT_ENROL_MAGIC)); /* with its NUL */
	n = sizeof(GT_ENROL_MAGIC);
	memcpy(buf + n, org_unit, ol + 1);
	n += ol + 1;
	memcpy(buf + n, roles_text, rl + 1);
	n += rl + 1;
	memcpy(buf + n, public_key, GT_ED25519_PUB_LEN);
	n += GT_ED25519_PUB_LEN;
	rc = gt_crypto_sha256(buf, n, digest);
	if (rc != GT_OK)
		return rc;
	for (int i = 0; i < 8; i++)
		v = v << 8 | digest[i];
	v %= 1000000000000ULL;
	snprintf(check, GT_ENROL_CHECK_LEN + 1, "%04u-%04u-%04u", (unsigned)(v / 100000000ULL),
	         (unsigned)(v / 10000ULL % 10000ULL), (unsigned)(v % 10000ULL));
	return GT_OK;
}

int gt_enrol_make(const uint8_t public_key[GT_ED25519_PUB_LEN], const char *org_unit,
                  unsigned roles, struct gt_enrol *e)
{
	int rc;

	memset(e, 0, sizeof(*e));
	if (gt_orgunit_valid(org_unit) != GT_OK || !gt_roleset_valid(roles))
		return GT_EINVAL;
	rc = gt_key_id_from_public(public_key, e->key_id);
	if (rc == GT_OK)
		rc = gt_enrol_check(public_key, org_unit, roles, e->check);
	if (rc != GT_OK) {
		memset(e, 0, sizeof(*e));
		return rc;
	}
	memcpy(e->public_key, public_key, GT_ED25519_PUB_LEN);
	snprintf(e->org_unit, sizeof(e->org_unit), "%s", org_unit);
	e->roles = roles;
	return GT_OK;
}

int gt_enrol_format(const struct gt_enrol *e, char *out, size_t cap)
{
	char b64[GT_KEY_PUB_B64_LEN + 1];
	char roles[GT_ROLESET_TEXT_MAX];
	int n;

	gt_base64_encode(e->public_key, sizeof(e->public_key), b64, sizeof(b64));
	n = snprintf(out, cap, "%s %s %s %s %s %s", GT_ENROL_MAGIC, e->key_id, e->org_unit,
	             gt_roleset_format(e->roles, roles, sizeof(roles)), b64, e->check);
	return n < 0 || (size_t)n >= cap ? GT_ETOOBIG : GT_OK;
}

/* Finds the request line in text: its start and length, blanks trimmed; 0 if none. */
static int find_line(const char *text, size_t len, const char **line, size_t *n)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *stop = eol != NULL ? eol : end;
		while (p < stop && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(stop - p) >= strlen(GT_ENROL_MAGIC) &&
		    memcmp(p, GT_ENROL_MAGIC, strlen(GT_ENROL_MAGIC)) == 0) {
			while (stop > p &&
			       (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\r'))
				stop--;
			*line = p;
			*n = (size_t)(stop - p);
			return 1;
		}
		p = stop + 1;
	}
	return 0;
}

int gt_enrol_parse(const char *text, size_t len, struct gt_enrol *e, const char **why)
{
	char line[GT_ENROL_LINE_MAX], *field[ENROL_FIELDS], *save = NULL, *t;
	char check[GT_ENROL_CHECK_LEN + 1];
	char key_id[GT_KEY_ID_LEN + 1];
	const char *start;
	size_t n, nf = 0;
	int rc = GT_EINVAL;

	memset(e, 0, sizeof(*e));
	*why = NULL;
	if (text == NULL || !find_line(text, len, &start, &n)) {
		/* The magic is written out: a translated sentence cannot be pieced together. */
		*why = _("no enrolment request (a line starting with gtsync-enrol-1) was found");
		goto out;
	}
	if (n >= sizeof(line)) {
		*why = _("the enrolment request line is too long");
		goto out;
	}
	memcpy(line, start, n);
	line[n] = '\0';
	if (memchr(line, '\0', n) != NULL) {
		*why = _("the enrolment request holds a NUL byte");
		goto out;
	}
	for (t = strtok_r(line, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save)) {
		if (nf == ENROL_FIELDS) {
			*why = _("the enrolment request has more than six fields");
			goto out;
		}
		field[nf++] = t;
	}
	if (nf != ENROL_FIELDS || strcmp(field[0], GT_ENROL_MAGIC) != 0) {
		*why = _("the enrolment request needs six fields: gtsync-enrol-1 KEYID ORG ROLES "
		         "PUBLIC-KEY CHECK");
		goto out;
	}
	if (gt_orgunit_valid(field[2]) != GT_OK || strlen(field[2]) >= sizeof(e->org_unit)) {
		*why = _("the enrolment request's org unit is not a code (ID, 53, 53.71)");
		goto out;
	}
	if (gt_roleset_parse(field[3], &e->roles) != GT_OK) {
		*why = _("the enrolment request's roles are not a list of roles");
		goto out;
	}
	if (gt_key_public_from_b64(field[4], strlen(field[4]), e->public_key) != GT_OK) {
		*why = _("the enrolment request's public key is not a base64 Ed25519 key");
		goto out;
	}
	if (gt_key_id_from_public(e->public_key, key_id) != GT_OK ||
	    strcmp(key_id, field[1]) != 0) {
		*why =
		    _("the enrolment request's key id is not its public key's: it was changed or "
		      "mistyped");
		goto out;
	}
	if (gt_enrol_check(e->public_key, field[2], e->roles, check) != GT_OK ||
	    strcmp(check, field[5]) != 0) {
		*why = _("the enrolment request's check does not match: a field was changed or "
		         "mistyped");
		goto out;
	}
	memcpy(e->key_id, key_id, sizeof(key_id));
	snprintf(e->org_unit, sizeof(e->org_unit), "%s", field[2]);
	memcpy(e->check, check, sizeof(check));
	rc = GT_OK;
out:
	if (rc != GT_OK)
		memset(e, 0, sizeof(*e));
	return rc;
}
