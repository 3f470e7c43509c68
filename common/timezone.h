/* Indonesia's three legal time zones (WIB, WITA, WIT), as org units carry them. */
#ifndef GT_TIMEZONE_H
#define GT_TIMEZONE_H

#include <stddef.h>

/*
 * Keppres No 41 Tahun 1987 divides Indonesia into three zones, none with daylight saving:
 *   WIB  Waktu Indonesia Barat   UTC+7  (IANA Asia/Jakarta)
 *   WITA Waktu Indonesia Tengah  UTC+8  (IANA Asia/Makassar)
 *   WIT  Waktu Indonesia Timur   UTC+9  (IANA Asia/Jayapura)
 * GT_TZ_NONE is "not recorded" (an org unit imported from a list without the column).
 */
enum gt_tz {
	GT_TZ_NONE = 0,
	GT_TZ_WIB = 1,
	GT_TZ_WITA = 2,
	GT_TZ_WIT = 3,
};

/* Bytes of the longest zone name with its NUL ("WITA"). */
#define GT_TZ_NAME_MAX 5

/* Parses "WIB", "WITA" or "WIT" (any case) from s[0..n) into *out; "" is GT_TZ_NONE.
 * Returns 0, or GT_EINVAL for anything else (*out is then GT_TZ_NONE). Borrowed: s. */
int gt_tz_parse(const char *s, size_t n, enum gt_tz *out);

/* Returns "WIB", "WITA", "WIT", or "" for GT_TZ_NONE and unknown values; never NULL. */
const char *gt_tz_name(enum gt_tz tz);

/* Returns the IANA zone ("Asia/Jakarta"...), or "" for GT_TZ_NONE; never NULL. */
const char *gt_tz_iana(enum gt_tz tz);

/* Returns the offset from UTC in minutes (420, 480, 540), or 0 for GT_TZ_NONE. */
int gt_tz_offset_minutes(enum gt_tz tz);

#endif
