/* Indonesia's three legal time zones: names, IANA zones and UTC offsets. */
#include "timezone.h"

#include <strings.h>

#include "error.h"

static const struct {
	const char *name;
	const char *iana;
	int offset_min;
} zones[] = {
    [GT_TZ_NONE] = {"", "", 0},
    [GT_TZ_WIB] = {"WIB", "Asia/Jakarta", 7 * 60},
    [GT_TZ_WITA] = {"WITA", "Asia/Makassar", 8 * 60},
    [GT_TZ_WIT] = {"WIT", "Asia/Jayapura", 9 * 60},
};

#define NZONES (sizeof(zones) / sizeof(zones[0]))

int gt_tz_parse(const char *s, size_t n, enum gt_tz *out)
{
	*out = GT_TZ_NONE;
	if (s == NULL || n == 0)
		return 0;
	for (size_t i = 1; i < NZONES; i++) {
		size_t len = 0;

		while (zones[i].name[len] != '\0')
			len++;
		if (len == n && strncasecmp(s, zones[i].name, n) == 0) {
			*out = (enum gt_tz)i;
			return 0;
		}
	}
	return GT_EINVAL;
}

const char *gt_tz_name(enum gt_tz tz)
{
	return (unsigned)tz < NZONES ? zones[tz].name : "";
}

const char *gt_tz_iana(enum gt_tz tz)
{
	return (unsigned)tz < NZONES ? zones[tz].iana : "";
}

int gt_tz_offset_minutes(enum gt_tz tz)
{
	return (unsigned)tz < NZONES ? zones[tz].offset_min : 0;
}
