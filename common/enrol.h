/* Enrolment requests: the one line an office gives the centre instead of base64 typed by hand. */
#ifndef GT_ENROL_H
#define GT_ENROL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "key.h"
#include "orgunit.h"

/* The line's first word; a reader refuses any other (a later format gets a new word). */
#define GT_ENROL_MAGIC "gtsync-enrol-1"

/* The check people read over the phone: three groups of four digits, "4821-0937-5512". */
#define GT_ENROL_CHECK_LEN 14

/* The longest request line accepted, with its NUL; longer input is refused before parsing. */
#define GT_ENROL_LINE_MAX 256

/* A request: which key asks for which roles on which org unit. */
struct gt_enrol {
	char key_id[GT_KEY_ID_LEN + 1];
	uint8_t public_key[GT_ED25519_PUB_LEN];
	char org_unit[GT_ORGUNIT_MAX_LEN];
	unsigned roles; /* roleset.h */
	char check[GT_ENROL_CHECK_LEN + 1];
};

/* Computes the check of (public key, org unit, roles) into check: digits from SHA-256 over
 * "gtsync-enrol-1", the org unit, the role list as gt_roleset_format() writes it and the raw
 * key, NUL-separated. Returns 0 or a GT_E* code. */
int gt_enrol_check(const uint8_t public_key[GT_ED25519_PUB_LEN], const char *org_unit,
                   unsigned roles, char check[GT_ENROL_CHECK_LEN + 1]);

/* Fills e for a key, org unit and roles (a valid set), its key id and check computed. */
int gt_enrol_make(const uint8_t public_key[GT_ED25519_PUB_LEN], const char *org_unit,
                  unsigned roles, struct gt_enrol *e);

/* Writes e as its line, without a newline:
 *   gtsync-enrol-1 KEYID ORG ROLES PUBLIC-KEY-BASE64 CHECK
 * into out (cap bytes; GT_ENROL_LINE_MAX is enough). Returns 0 or GT_ETOOBIG. */
int gt_enrol_format(const struct gt_enrol *e, char *out, size_t cap);

/* Reads a request from text (len bytes; any bytes): the first line that starts with
 * GT_ENROL_MAGIC, blanks around it ignored, so a whole message or file may be given. Checks
 * every field: the org unit code, the role list, the key, that the key id is the key's and that
 * the check matches (a word or digit mistyped is caught). Returns 0 with e filled, or
 * GT_EINVAL with *why a static sentence in the language in use (e zeroed). Borrowed: text. */
int gt_enrol_parse(const char *text, size_t len, struct gt_enrol *e, const char **why);

#endif
