/* Human forms of periods, numbers and times, as people write them in the language in use. */
#include "humanfmt.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "i18n.h"
#include "timezone.h"

/* The months' names; translated at use (id: Januari ... Desember). */
static const char *month_name(int m)
{
	switch (m) {
	case 1:
		return C_("month", "January");
	case 2:
		return C_("month", "February");
	case 3:
		return C_("month", "March");
	case 4:
		return C_("month", "April");
	case 5:
		return C_("month", "May");
	case 6:
		return C_("month", "June");
	case 7:
		return C_("month", "July");
	case 8:
		return C_("month", "August");
	case 9:
		return C_("month", "September");
	case 10:
		return C_("month", "October");
	case 11:
		return C_("month", "November");
	case 12:
		return C_("month", "December");
	default:
		return "?";
	}
}

/* The months' short names (id: Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des). */
static const char *month_abbr(int m)
{
	switch (m) {
	case 1:
		return C_("month abbreviation", "Jan");
	case 2:
		return C_("month abbreviation", "Feb");
	case 3:
		return C_("month abbreviation", "Mar");
	case 4:
		return C_("month abbreviation", "Apr");
	case 5:
		return C_("month abbreviation", "May");
	case 6:
		return C_("month abbreviation", "Jun");
	case 7:
		return C_("month abbreviation", "Jul");
	case 8:
		return C_("month abbreviation", "Aug");
	case 9:
		return C_("month abbreviation", "Sep");
	case 10:
		return C_("month abbreviation", "Oct");
	case 11:
		return C_("month abbreviation", "Nov");
	case 12:
		return C_("month abbreviation", "Dec");
	default:
		return "?";
	}
}

/* snprintf into out[0..len) that reports truncation as GT_ETOOBIG. */
static int put(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len == 0)
		return GT_ETOOBIG;
	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		out[0] = '\0';
		return GT_EINVAL;
	}
	return (size_t)n < len ? GT_OK : GT_ETOOBIG;
}

int gt_human_zone_offset(const char *zone, int *minutes)
{
	enum gt_tz tz;

	*minutes = gt_tz_offset_minutes(GT_TZ_WIB);
	/* The names exactly as the org-unit list writes them (common/timezone.h). */
	if (zone == NULL || gt_tz_parse(zone, strlen(zone), &tz) != 0 || tz == GT_TZ_NONE ||
	    strcmp(zone, gt_tz_name(tz)) != 0)
		return GT_EINVAL;
	*minutes = gt_tz_offset_minutes(tz);
	return GT_OK;
}

int gt_human_period(const char *id, char *out, size_t len)
{
	struct gt_period p;

	if (gt_period_parse(id, &p) != GT_OK)
		return put(out, len, "%s", id != NULL ? id : "");
	switch (p.type) {
	case GT_PERIOD_MONTHLY:
		return put(out, len, "%s %d", month_name(p.index), p.year);
	case GT_PERIOD_QUARTERLY:
		/* TRANSLATORS: a quarter of a year, "Triwulan 3 2026": the quarter, then the year.
		 */
		return put(out, len, _("Quarter %d %d"), p.index, p.year);
	case GT_PERIOD_SIXMONTHLY:
		/* TRANSLATORS: a half year, "Semester 2 2025": the half, then the year. */
		return put(out, len, _("Semester %d %d"), p.index, p.year);
	case GT_PERIOD_YEARLY:
	default:
		return put(out, len, "%d", p.year);
	}
}

int gt_human_period_range(const char *start, const char *end, char *out, size_t len)
{
	struct gt_period a, b, first, last;
	int n;

	if (len > 0)
		out[0] = '\0';
	if (gt_period_parse(start, &a) != GT_OK || gt_period_parse(end, &b) != GT_OK)
		return GT_EINVAL;
	if (gt_period_months(&a, &first, &n) != GT_OK || gt_period_months(&b, &last, &n) != GT_OK)
		return GT_EINVAL;
	last.index += n - 1;
	if (first.year * 12 + first.index > last.year * 12 + last.index)
		return GT_EINVAL;
	if (first.year == last.year && first.index == last.index)
		return put(out, len, "%s %d", month_name(first.index), first.year);
	if (first.year == last.year)
		return put(out, len, "%s\u2013%s %d", month_name(first.index),
		           month_name(last.index), last.year);
	return put(out, len, "%s %d\u2013%s %d", month_name(first.index), first.year,
	           month_name(last.index), last.year);
}

/* Inserts the grouping mark every three digits of the integer part in digits (ASCII digits
 * only, no sign), writing into out. */
static int group_digits(const char *digits, char mark, char *out, size_t len)
{
	size_t n = strlen(digits), o = 0;

	for (size_t i = 0; i < n; i++) {
		if (o + 2 >= len)
			return GT_ETOOBIG;
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = mark;
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return GT_OK;
}

int gt_human_number(double v, char *out, size_t len)
{
	int id = strcmp(gt_i18n_lang(), GT_LANG_ID) == 0;
	char group = id ? '.' : ',', point = id ? ',' : '.';
	char plain[64], intpart[64];
	const char *frac;
	char *dot;
	int rc;

	if (len > 0)
		out[0] = '\0';
	if (!isfinite(v) || fabs(v) >= 1e15)
		return put(out, len, "%g", v);
	if (v == 0)
		v = 0; /* -0 becomes 0 */
	snprintf(plain, sizeof(plain), "%.6f", fabs(v));
	/* Drop trailing zeros of the fraction, and the point itself if nothing is left. */
	for (size_t n = strlen(plain); n > 0 && plain[n - 1] == '0'; n--)
		plain[n - 1] = '\0';
	if (plain[strlen(plain) - 1] == '.')
		plain[strlen(plain) - 1] = '\0';
	dot = strchr(plain, '.');
	frac = dot != NULL ? dot + 1 : NULL;
	if (dot != NULL)
		*dot = '\0';
	if ((rc = group_digits(plain, group, intpart, sizeof(intpart))) != GT_OK)
		return rc;
	if (strcmp(intpart, "0") == 0 && frac == NULL)
		return put(out, len, "0");
	if (frac != NULL)
		return put(out, len, "%s%s%c%s", v < 0 ? "-" : "", intpart, point, frac);
	return put(out, len, "%s%s", v < 0 ? "-" : "", intpart);
}

int gt_human_time(int64_t unix_ms, const char *zone, char *out, size_t len)
{
	int offset;
	time_t t;
	struct tm tm;

	if (gt_human_zone_offset(zone, &offset) != GT_OK)
		zone = GT_ZONE_WIB;
	t = (time_t)(unix_ms / 1000) + (time_t)offset * 60;
	if (gmtime_r(&t, &tm) == NULL) {
		if (len > 0)
			out[0] = '\0';
		return GT_EINVAL;
	}
	return put(out, len, "%d %s %d %02d:%02d %s", tm.tm_mday, month_abbr(tm.tm_mon + 1),
	           tm.tm_year + 1900, tm.tm_hour, tm.tm_min, zone);
}

int gt_human_date(const struct gt_date *d, char *out, size_t len)
{
	if (d == NULL || d->month < 1 || d->month > 12) {
		if (len > 0)
			out[0] = '\0';
		return GT_EINVAL;
	}
	return put(out, len, "%d %s %d", d->day, month_name(d->month), d->year);
}
