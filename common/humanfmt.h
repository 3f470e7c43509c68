/* Human forms of periods, numbers and times, as people write them in the language in use. */
#ifndef GT_HUMANFMT_H
#define GT_HUMANFMT_H

#include <stddef.h>
#include <stdint.h>

#include "period.h"

/* A buffer that holds any human period, range, number or time these functions write. */
#define GT_HUMAN_MAX 96

/* Indonesia's three time zones, as the org-unit list names them, with their UTC offsets. */
#define GT_ZONE_WIB  "WIB"  /* UTC+7: Sumatra, Java, West and Central Kalimantan */
#define GT_ZONE_WITA "WITA" /* UTC+8: Bali, Nusa Tenggara, the rest of Kalimantan, Sulawesi */
#define GT_ZONE_WIT  "WIT"  /* UTC+9: Maluku and Papua */

/* The UTC offset in minutes of zone ("WIB", "WITA", "WIT"); GT_EINVAL for any other name. */
int gt_human_zone_offset(const char *zone, int *minutes);

/* Writes period id as people say it, in the language in use (common/i18n.h): "November 2026",
 * "Triwulan 3 2026" (en "Quarter 3 2026"), "Semester 2 2025", "2025". An id that does not
 * parse is written as it is. Returns GT_ETOOBIG when len is too small (GT_HUMAN_MAX always
 * suffices); out is always NUL-terminated when len > 0. */
int gt_human_period(const char *id, char *out, size_t len);

/* Writes the months from start to end (both periods, of any type; start's first month to
 * end's last) as people say a range: "Januari–Desember 2025", "November 2025–Februari 2026",
 * "Maret 2026" for one month. GT_EINVAL when either does not parse or end is before start. */
int gt_human_period_range(const char *start, const char *end, char *out, size_t len);

/* Writes v with the language's grouping and decimal mark: Indonesian "4.330" and "2,5",
 * English "4,330" and "2.5"; at most 6 decimals, trailing zeros dropped, -0 as 0; values
 * beyond 1e15 in exponent form. */
int gt_human_number(double v, char *out, size_t len);

/* Writes the instant unix_ms in zone (a gt_human_zone_offset name; NULL or unknown: WIB)
 * as "3 Des 2026 14:05 WITA" (en "3 Dec 2026 14:05 WITA"). */
int gt_human_time(int64_t unix_ms, const char *zone, char *out, size_t len);

/* Writes the day d as "3 Desember 2026" (en "3 December 2026"). GT_EINVAL for a month out of
 * range. */
int gt_human_date(const struct gt_date *d, char *out, size_t len);

#endif
