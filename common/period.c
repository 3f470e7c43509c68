/* DHIS2 period ids: parsing, formatting, calendar bounds, neighbours and containment. */
#include "period.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "i18n.h"

static const char *const type_names[] = {
    [GT_PERIOD_MONTHLY] = "monthly",
    [GT_PERIOD_QUARTERLY] = "quarterly",
    [GT_PERIOD_SIXMONTHLY] = "sixmonthly",
    [GT_PERIOD_YEARLY] = "yearly",
};

/* Months each period type covers, indexed by type. */
static const int type_months[] = {
    [GT_PERIOD_MONTHLY] = 1,
    [GT_PERIOD_QUARTERLY] = 3,
    [GT_PERIOD_SIXMONTHLY] = 6,
    [GT_PERIOD_YEARLY] = 12,
};

static int type_known(enum gt_period_type t)
{
	return t >= GT_PERIOD_MONTHLY && t <= GT_PERIOD_YEARLY;
}

/* Periods of a type in one year. */
static int per_year(enum gt_period_type t)
{
	return 12 / type_months[t];
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int gt_period_check(const struct gt_period *p)
{
	if (p == NULL || !type_known(p->type) || p->year < GT_PERIOD_YEAR_MIN ||
	    p->year > GT_PERIOD_YEAR_MAX || p->index < 1 || p->index > per_year(p->type))
		return GT_EINVAL;
	return GT_OK;
}

int gt_period_parse(const char *s, struct gt_period *out)
{
	struct gt_period p = {0};
	int rc = GT_EINVAL;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		goto out;
	for (int i = 0; i < 4; i++) {
		if (!is_digit(s[i]))
			goto out;
		p.year = p.year * 10 + (s[i] - '0');
	}
	if (s[4] == '\0') {
		p.type = GT_PERIOD_YEARLY;
		p.index = 1;
	} else if ((s[4] == 'S' || s[4] == 'Q') && is_digit(s[5]) && s[6] == '\0') {
		p.type = s[4] == 'S' ? GT_PERIOD_SIXMONTHLY : GT_PERIOD_QUARTERLY;
		p.index = s[5] - '0';
	} else if (is_digit(s[4]) && is_digit(s[5]) && s[6] == '\0') {
		p.type = GT_PERIOD_MONTHLY;
		p.index = (s[4] - '0') * 10 + (s[5] - '0');
	} else {
		goto out;
	}
	if (gt_period_check(&p) != GT_OK)
		goto out;
	*out = p;
	rc = GT_OK;
out:
	return rc;
}

int gt_period_format(const struct gt_period *p, char *buf, size_t len)
{
	char tmp[GT_PERIOD_MAX_LEN];
	int n;

	if (buf != NULL && len > 0)
		buf[0] = '\0';
	if (gt_period_check(p) != GT_OK || buf == NULL)
		return GT_EINVAL;
	switch (p->type) {
	case GT_PERIOD_MONTHLY:
		n = snprintf(tmp, sizeof(tmp), "%04d%02d", p->year, p->index);
		break;
	case GT_PERIOD_QUARTERLY:
		n = snprintf(tmp, sizeof(tmp), "%04dQ%d", p->year, p->index);
		break;
	case GT_PERIOD_SIXMONTHLY:
		n = snprintf(tmp, sizeof(tmp), "%04dS%d", p->year, p->index);
		break;
	default:
		n = snprintf(tmp, sizeof(tmp), "%04d", p->year);
		break;
	}
	if (n < 0 || (size_t)n >= len)
		return GT_ETOOBIG;
	memcpy(buf, tmp, (size_t)n + 1);
	return GT_OK;
}

/* First month (1..12) of a valid period. */
static int first_month(const struct gt_period *p)
{
	return (p->index - 1) * type_months[p->type] + 1;
}

int gt_period_start(const struct gt_period *p, struct gt_date *d)
{
	memset(d, 0, sizeof(*d));
	if (gt_period_check(p) != GT_OK)
		return GT_EINVAL;
	d->year = p->year;
	d->month = first_month(p);
	d->day = 1;
	return GT_OK;
}

int gt_period_end(const struct gt_period *p, struct gt_date *d)
{
	memset(d, 0, sizeof(*d));
	if (gt_period_check(p) != GT_OK)
		return GT_EINVAL;
	d->year = p->year;
	d->month = first_month(p) + type_months[p->type] - 1;
	d->day = month_days(d->year, d->month);
	return GT_OK;
}

/* Moves p by step (+1 or -1) periods of its type. */
static int step(const struct gt_period *p, int dir, struct gt_period *out)
{
	struct gt_period q;

	if (gt_period_check(p) != GT_OK)
		return GT_EINVAL;
	q = *p;
	q.index += dir;
	if (q.index > per_year(q.type)) {
		q.index = 1;
		q.year++;
	} else if (q.index < 1) {
		q.index = per_year(q.type);
		q.year--;
	}
	if (q.year < GT_PERIOD_YEAR_MIN || q.year > GT_PERIOD_YEAR_MAX)
		return GT_ENOENT;
	*out = q;
	return GT_OK;
}

int gt_period_next(const struct gt_period *p, struct gt_period *out)
{
	return step(p, 1, out);
}

int gt_period_prev(const struct gt_period *p, struct gt_period *out)
{
	return step(p, -1, out);
}

/* Months since year 0 of a valid period's first month. */
static int month_ordinal(const struct gt_period *p)
{
	return p->year * 12 + first_month(p) - 1;
}

int gt_period_contains(const struct gt_period *outer, const struct gt_period *inner)
{
	if (gt_period_check(outer) != GT_OK || gt_period_check(inner) != GT_OK)
		return GT_EINVAL;
	int os = month_ordinal(outer), is = month_ordinal(inner);
	int oe = os + type_months[outer->type], ie = is + type_months[inner->type];
	return os <= is && ie <= oe;
}

int gt_period_months(const struct gt_period *p, struct gt_period *first, int *count)
{
	memset(first, 0, sizeof(*first));
	*count = 0;
	if (gt_period_check(p) != GT_OK)
		return GT_EINVAL;
	first->type = GT_PERIOD_MONTHLY;
	first->year = p->year;
	first->index = first_month(p);
	*count = type_months[p->type];
	return GT_OK;
}

int gt_period_from_date(enum gt_period_type type, const struct gt_date *d, struct gt_period *out)
{
	memset(out, 0, sizeof(*out));
	if (!type_known(type) || gt_date_check(d) != GT_OK || d->year < GT_PERIOD_YEAR_MIN)
		return GT_EINVAL;
	out->type = type;
	out->year = d->year;
	out->index = (d->month - 1) / type_months[type] + 1;
	return GT_OK;
}

int gt_period_type_parse(const char *name, enum gt_period_type *out)
{
	*out = 0;
	if (name == NULL)
		return GT_EINVAL;
	for (int t = GT_PERIOD_MONTHLY; t <= GT_PERIOD_YEARLY; t++) {
		if (strcmp(name, type_names[t]) == 0) {
			*out = (enum gt_period_type)t;
			return GT_OK;
		}
	}
	return GT_EINVAL;
}

const char *gt_period_type_name(enum gt_period_type type)
{
	return type_known(type) ? type_names[type] : "unknown";
}

const char *gt_period_type_text(enum gt_period_type type)
{
	switch (type) {
	case GT_PERIOD_MONTHLY:
		return C_("period type", "monthly");
	case GT_PERIOD_QUARTERLY:
		return C_("period type", "quarterly");
	case GT_PERIOD_SIXMONTHLY:
		return C_("period type", "six-monthly");
	case GT_PERIOD_YEARLY:
		return C_("period type", "yearly");
	default:
		return C_("period type", "of an unknown type");
	}
}

int gt_date_check(const struct gt_date *d)
{
	if (d == NULL || d->year < 1 || d->year > 9999 || d->month < 1 || d->month > 12 ||
	    d->day < 1 || d->day > month_days(d->year, d->month))
		return GT_EINVAL;
	return GT_OK;
}

int gt_date_parse(const char *s, struct gt_date *d)
{
	int v[3] = {0, 0, 0}, widths[3] = {4, 2, 2};
	const char *p = s;

	memset(d, 0, sizeof(*d));
	if (s == NULL)
		return GT_EINVAL;
	for (int f = 0; f < 3; f++) {
		for (int i = 0; i < widths[f]; i++, p++) {
			if (*p < '0' || *p > '9')
				return GT_EINVAL;
			v[f] = v[f] * 10 + (*p - '0');
		}
		if (f < 2 && *p++ != '-')
			return GT_EINVAL;
	}
	if (*p != '\0')
		return GT_EINVAL;
	struct gt_date r = {v[0], v[1], v[2]};
	if (gt_date_check(&r) != GT_OK)
		return GT_EINVAL;
	*d = r;
	return GT_OK;
}

int gt_date_format(const struct gt_date *d, char *buf, size_t len)
{
	if (len > 0)
		buf[0] = '\0';
	if (gt_date_check(d) != GT_OK)
		return GT_EINVAL;
	if (len < 11)
		return GT_ETOOBIG;
	snprintf(buf, len, "%04d-%02d-%02d", d->year, d->month, d->day);
	return GT_OK;
}

/* Howard Hinnant's days_from_civil, in 64-bit arithmetic so no input overflows. */
int64_t gt_date_to_days(const struct gt_date *d)
{
	int64_t y = (int64_t)d->year - (d->month <= 2);
	int64_t m = d->month;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d->day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Days from 1970-01-01 to 0001-01-01 and to 9999-12-31. */
#define DAYS_MIN (-719162)
#define DAYS_MAX 2932896

int gt_date_from_days(int64_t days, struct gt_date *d)
{
	memset(d, 0, sizeof(*d));
	if (days < DAYS_MIN || days > DAYS_MAX)
		return GT_EINVAL;
	/* Howard Hinnant's civil_from_days; within the range every quantity is small. */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	d->year = (int)(yoe + era * 400 + (m <= 2));
	d->month = (int)m;
	d->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	return GT_OK;
}

int gt_period_within(enum gt_period_type type, const char *period,
                     char out[GT_PERIOD_MAX_WITHIN][GT_PERIOD_MAX_LEN + 1], size_t *n)
{
	struct gt_period outer, cur;
	struct gt_date start;
	size_t count = 0;

	*n = 0;
	if (period == NULL || gt_period_parse(period, &outer) != GT_OK ||
	    gt_period_start(&outer, &start) != GT_OK ||
	    gt_period_from_date(type, &start, &cur) != GT_OK)
		return GT_EINVAL;
	while (count < GT_PERIOD_MAX_WITHIN && gt_period_contains(&outer, &cur) == 1) {
		if (gt_period_format(&cur, out[count], GT_PERIOD_MAX_LEN + 1) != GT_OK)
			return GT_EINVAL;
		count++;
		if (gt_period_next(&cur, &cur) != GT_OK)
			break;
	}
	if (count == 0)
		return GT_EINVAL;
	*n = count;
	return GT_OK;
}

int gt_period_overlapping(enum gt_period_type finest, const char *period,
                          char out[GT_PERIOD_MAX_OVERLAP][GT_PERIOD_MAX_LEN + 1], size_t *n)
{
	char in[GT_PERIOD_MAX_WITHIN][GT_PERIOD_MAX_LEN + 1];
	struct gt_period p, enc;
	struct gt_date start;
	size_t count = 0;

	*n = 0;
	if (period == NULL || gt_period_parse(period, &p) != GT_OK ||
	    gt_period_start(&p, &start) != GT_OK)
		return GT_EINVAL;
	for (int t = (int)finest; t <= (int)GT_PERIOD_YEARLY; t++) {
		size_t nin = 0;

		if (t <= (int)p.type) {
			if (gt_period_within((enum gt_period_type)t, period, in, &nin) != GT_OK)
				return GT_EINVAL;
		} else if (gt_period_from_date((enum gt_period_type)t, &start, &enc) != GT_OK ||
		           gt_period_format(&enc, in[0], sizeof(in[0])) != GT_OK) {
			return GT_EINVAL;
		} else {
			nin = 1;
		}
		for (size_t i = 0; i < nin && count < GT_PERIOD_MAX_OVERLAP; i++)
			memcpy(out[count++], in[i], sizeof(in[i]));
	}
	*n = count;
	return GT_OK;
}

int64_t gt_period_deadline_ms(const char *period, unsigned timely_days)
{
	struct gt_period p;
	struct gt_date end;

	if (gt_period_parse(period, &p) != GT_OK || gt_period_end(&p, &end) != GT_OK)
		return 0;
	return (gt_date_to_days(&end) + 1 + (int64_t)timely_days) * 86400000;
}
