/* DHIS2 period ids (2024, 2024S1, 2024Q1, 202401) and the calendar arithmetic behind them. */
#ifndef GT_PERIOD_H
#define GT_PERIOD_H

#include <stddef.h>
#include <stdint.h>

/* Period types, finest first. The values are stable (they may be stored). */
enum gt_period_type {
	GT_PERIOD_MONTHLY = 1,
	GT_PERIOD_QUARTERLY,
	GT_PERIOD_SIXMONTHLY,
	GT_PERIOD_YEARLY,
};

/* Supported years, inclusive. */
#define GT_PERIOD_YEAR_MIN 1900
#define GT_PERIOD_YEAR_MAX 9999

/* Size of a buffer that holds any period id with its terminating NUL ("202401" needs 7). */
#define GT_PERIOD_MAX_LEN 8

/* One period: index is 1-based within the year (month 1..12, quarter 1..4, half 1..2, and 1
 * for a yearly period). */
struct gt_period {
	enum gt_period_type type;
	int year;
	int index;
};

/* A day of the proleptic Gregorian calendar. */
struct gt_date {
	int year;
	int month; /* 1..12 */
	int day;   /* 1..31 */
};

/* Parses a DHIS2 period id: "2024" yearly, "2024S1".."2024S2" six-monthly, "2024Q1".."2024Q4"
 * quarterly, "202401".."202412" monthly; years GT_PERIOD_YEAR_MIN..MAX. Anything else
 * (lower case, leading or trailing characters, NULL) is GT_EINVAL. *out is zeroed on
 * failure. s is borrowed. */
int gt_period_parse(const char *s, struct gt_period *out);

/* Returns 0 if p is a valid period (known type, year in range, index within the year),
 * GT_EINVAL otherwise (also for NULL). */
int gt_period_check(const struct gt_period *p);

/* Writes p's id into buf[0..len), NUL-terminated. Returns GT_EINVAL for an invalid period,
 * GT_ETOOBIG if len is too small (GT_PERIOD_MAX_LEN always suffices); on failure buf is
 * the empty string when len > 0. */
int gt_period_format(const struct gt_period *p, char *buf, size_t len);

/* Sets *d to the first day of p. GT_EINVAL for an invalid period. */
int gt_period_start(const struct gt_period *p, struct gt_date *d);

/* Sets *d to the last day of p, inclusive (202402 ends on 2024-02-29). GT_EINVAL for an
 * invalid period. */
int gt_period_end(const struct gt_period *p, struct gt_date *d);

/* Sets *out to the period of the same type that follows (2024Q4 → 2025Q1) or precedes
 * (202401 → 202312) p. GT_EINVAL for an invalid period, GT_ENOENT if the result would leave
 * the supported years. out may equal p. */
int gt_period_next(const struct gt_period *p, struct gt_period *out);
int gt_period_prev(const struct gt_period *p, struct gt_period *out);

/* Returns 1 if every month of inner lies in outer (2024Q3 contains 202408, 2024 contains
 * 2024S2, a period contains itself), 0 if not, GT_EINVAL if either is invalid. */
int gt_period_contains(const struct gt_period *outer, const struct gt_period *inner);

/* Sets *first to the first month of p (as a monthly period) and *count to the number of
 * months p covers (1, 3, 6 or 12). GT_EINVAL for an invalid period. */
int gt_period_months(const struct gt_period *p, struct gt_period *first, int *count);

/* Sets *out to the period of the given type that contains day d. GT_EINVAL for an unknown
 * type or an invalid date or one outside the supported years. */
int gt_period_from_date(enum gt_period_type type, const struct gt_date *d, struct gt_period *out);

/* Parses a period type name: "monthly", "quarterly", "sixmonthly" or "yearly" (exactly,
 * lower case). GT_EINVAL otherwise. */
int gt_period_type_parse(const char *name, enum gt_period_type *out);

/* Returns the static name of a period type ("monthly"...), or "unknown" for a value outside
 * the enum; never NULL. */
const char *gt_period_type_name(enum gt_period_type type);

/* The period type as a person reads it in a sentence, in the language in use ("monthly",
 * Indonesian "bulanan"); gt_period_type_name() stays the machine name. Static; never NULL. */
const char *gt_period_type_text(enum gt_period_type type);

/* Returns 0 if d is a real day (month 1..12, day within the month, year 1..9999), GT_EINVAL
 * otherwise. */
int gt_date_check(const struct gt_date *d);

/* Parses a day written YYYY-MM-DD (exactly ten characters, a real day) into *d; GT_EINVAL
 * otherwise (*d zeroed). */
int gt_date_parse(const char *s, struct gt_date *d);

/* Writes d as YYYY-MM-DD into buf[0..len); GT_EINVAL for an invalid day, GT_ETOOBIG when len
 * is under 11. */
int gt_date_format(const struct gt_date *d, char *buf, size_t len);

/* Returns the number of days from 1970-01-01 to d (negative before it). d must pass
 * gt_date_check(); other inputs give a meaningless number but no undefined behaviour. */
int64_t gt_date_to_days(const struct gt_date *d);

/* Sets *d to the day days after 1970-01-01. GT_EINVAL if that day falls outside years
 * 1..9999. */
int gt_date_from_days(int64_t days, struct gt_date *d);

/* Most periods of one type within another: the twelve months of a year. */
#define GT_PERIOD_MAX_WITHIN 12

/* Writes the periods of type that lie within period (a DHIS2 id of that type or coarser), in
 * order, into out[0..*n): "2025" of monthly is 202501..202512. GT_EINVAL when period does not
 * parse or is finer than type (no period of type lies within it). */
int gt_period_within(enum gt_period_type type, const char *period,
                     char out[GT_PERIOD_MAX_WITHIN][GT_PERIOD_MAX_LEN + 1], size_t *n);

/* The end of the last day on which a report of period counts as on time, in ms since the
 * epoch: the period's last day (inclusive), then timely_days more, ending at midnight UTC.
 * A value first stored at or before it is on time. 0 for a period that does not parse. */
int64_t gt_period_deadline_ms(const char *period, unsigned timely_days);

/* Most periods of one type or coarser that overlap a period: a year's twelve months, four
 * quarters, two halves and itself. */
#define GT_PERIOD_MAX_OVERLAP 19

/* Writes the periods of type finest or coarser that overlap period into out[0..*n), finest
 * type first: those of a type no coarser than period's lie within it, the coarser ones contain
 * it ("2025Q1" of monthly: 202501..202503, 2025Q1, 2025S1, 2025). What a nil report of a data
 * set of type finest may have been declared for. GT_EINVAL when period does not parse. */
int gt_period_overlapping(enum gt_period_type finest, const char *period,
                          char out[GT_PERIOD_MAX_OVERLAP][GT_PERIOD_MAX_LEN + 1], size_t *n);

#endif
