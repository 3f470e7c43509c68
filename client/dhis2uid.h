/* DHIS2 UIDs derived deterministically from gtsync's codes, and the default combo's ids. */
#ifndef GT_DHIS2UID_H
#define GT_DHIS2UID_H

#include <stddef.h>

/* A DHIS2 UID: 11 characters (a letter, then letters or digits) and the NUL. */
#define GT_DHIS2UID_LEN 12

/* DHIS2's own default category option combo (and category, option, combo) UIDs and code. */
#define GT_DHIS2_DEFAULT_COC_UID   "HllvX50cXC0"
#define GT_DHIS2_DEFAULT_COMBO_UID "bjDvmb4bfuf"
#define GT_DHIS2_DEFAULT_CODE      "default"

/* The kinds of object a UID names; the kind is part of the derivation, so an element and an
 * org unit with the same code get different UIDs. */
enum gt_dhis2_kind {
	GT_DHIS2_ORGUNIT = 1,
	GT_DHIS2_DATAELEMENT,
	GT_DHIS2_DATASET,
	GT_DHIS2_CATEGORY,
	GT_DHIS2_CATEGORYOPTION,
	GT_DHIS2_CATEGORYCOMBO,
	GT_DHIS2_COC,
};

/* Writes the UID of (kind, code) into out: SHA-256 over "gtsync-dhis2-uid-v1", the kind and
 * the code, mapped onto DHIS2's alphabet (first character one of A-Za-z, the other ten of
 * A-Za-z0-9). The same code always gives the same UID. */
void gt_dhis2uid(enum gt_dhis2_kind kind, const char *code, char out[GT_DHIS2UID_LEN]);

/* Whether s is a well-formed DHIS2 UID (11 characters, a letter first, letters and digits). */
int gt_dhis2uid_valid(const char *s);

#endif
