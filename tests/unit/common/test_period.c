/* Tests for common/period.c: DHIS2 period ids, calendar bounds, neighbours, containment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "period.h"

static struct gt_period P(const char *s) {
	struct gt_period p;
	if (gt_period_parse(s, &p) != GT_OK)
		fail_msg("cannot parse \"%s\"", s);
	return p;
}

static void
parse_valid(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		enum gt_period_type type;
		int year, index;
	} cases[] = {
	    {"2024", GT_PERIOD_YEARLY, 2024, 1},       {"1900", GT_PERIOD_YEARLY, 1900, 1},
	    {"9999", GT_PERIOD_YEARLY, 9999, 1},       {"2024S1", GT_PERIOD_SIXMONTHLY, 2024, 1},
	    {"2024S2", GT_PERIOD_SIXMONTHLY, 2024, 2}, {"2024Q1", GT_PERIOD_QUARTERLY, 2024, 1},
	    {"2024Q4", GT_PERIOD_QUARTERLY, 2024, 4},  {"202401", GT_PERIOD_MONTHLY, 2024, 1},
	    {"202412", GT_PERIOD_MONTHLY, 2024, 12},   {"190001", GT_PERIOD_MONTHLY, 1900, 1},
	    {"999912", GT_PERIOD_MONTHLY, 9999, 12},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gt_period p;
		char buf[GT_PERIOD_MAX_LEN];
		assert_int_equal(gt_period_parse(cases[i].s, &p), GT_OK);
		assert_int_equal(p.type, cases[i].type);
		assert_int_equal(p.year, cases[i].year);
		assert_int_equal(p.index, cases[i].index);
		assert_int_equal(gt_period_check(&p), GT_OK);
		assert_int_equal(gt_period_format(&p, buf, sizeof(buf)), GT_OK);
		assert_string_equal(buf, cases[i].s);
	}
}

static void parse_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "2024Q5",   "202413",  "202400",  "24Q1",    "2024S3",  "2024Q0",    "2024q1",
	    "2024s1",   "2024Q1x", "2024x",   " 2024",   "2024 ",   "",          "1899",
	    "189912",   "0000",    "0999",    "10000",   "2024Q",   "2024S",     "20241",
	    "2024011",  "2024S0",  "2024W1",  "2024B1",  "2024-01", "2024Q10",   "2024S12",
	    "+2024",    "-2024",   "2024Q+1", "2024Q-1", "2O24",    "2024April", "2024\n",
	    "２０２４", "2024\t",  "\t2024",  "2024Q1 ", "20240",   "2024QQ",    "2024SQ",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gt_period p = {GT_PERIOD_YEARLY, 7, 7};
		if (gt_period_parse(bad[i], &p) != GT_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(p.type, 0);
		assert_int_equal(p.year, 0);
		assert_int_equal(p.index, 0);
	}
	struct gt_period p;
	assert_int_equal(gt_period_parse(NULL, &p), GT_EINVAL);
	/* Characters after an embedded NUL are not part of the C string. */
	assert_int_equal(gt_period_parse("2024\0Q1", &p), GT_OK);
	assert_int_equal(p.type, GT_PERIOD_YEARLY);
	assert_int_equal(gt_period_parse("2024Q\0"
	                                 "1",
	                                 &p),
	                 GT_EINVAL);
}

/* Every id of every type over a range of years survives parse → format → parse. */
static void round_trip_exhaustive(void **state)
{
	(void)state;
	for (int y = 1900; y <= 9999; y += (y < 2100 ? 1 : 97)) {
		for (int t = GT_PERIOD_MONTHLY; t <= GT_PERIOD_YEARLY; t++) {
			int n = t == GT_PERIOD_MONTHLY      ? 12
			        : t == GT_PERIOD_QUARTERLY  ? 4
			        : t == GT_PERIOD_SIXMONTHLY ? 2
			                                    : 1;
			for (int i = 0; i <= n + 1; i++) {
				struct gt_period p = {(enum gt_period_type)t, y, i}, q;
				char buf[GT_PERIOD_MAX_LEN];
				int want = i >= 1 && i <= n ? GT_OK : GT_EINVAL;
				assert_int_equal(gt_period_check(&p), want);
				assert_int_equal(gt_period_format(&p, buf, sizeof(buf)), want);
				if (want != GT_OK) {
					assert_string_equal(buf, "");
					continue;
				}
				assert_int_equal(gt_period_parse(buf, &q), GT_OK);
				assert_memory_equal(&p, &q, sizeof(p));
			}
		}
	}
}

static void format_errors(void **state)
{
	(void)state;
	struct gt_period p = P("2024Q1"), y = P("2024");
	char buf[GT_PERIOD_MAX_LEN] = "junk";

	assert_int_equal(gt_period_format(&p, buf, 7), GT_OK);
	assert_string_equal(buf, "2024Q1");
	assert_int_equal(gt_period_format(&p, buf, 6), GT_ETOOBIG);
	assert_string_equal(buf, "");
	assert_int_equal(gt_period_format(&y, buf, 5), GT_OK);
	assert_string_equal(buf, "2024");
	assert_int_equal(gt_period_format(&y, buf, 4), GT_ETOOBIG);
	assert_int_equal(gt_period_format(&y, buf, 0), GT_ETOOBIG);
	assert_int_equal(gt_period_format(&y, NULL, 0), GT_EINVAL);
	assert_int_equal(gt_period_format(NULL, buf, sizeof(buf)), GT_EINVAL);
	struct gt_period bad[] = {
	    {0, 2024, 1},
	    {5, 2024, 1},
	    {GT_PERIOD_YEARLY, 1899, 1},
	    {GT_PERIOD_YEARLY, 10000, 1},
	    {GT_PERIOD_YEARLY, 2024, 2},
	    {GT_PERIOD_SIXMONTHLY, 2024, 3},
	    {GT_PERIOD_QUARTERLY, 2024, 0},
	    {GT_PERIOD_MONTHLY, 2024, 13},
	    {GT_PERIOD_MONTHLY, -2024, 1},
	    {GT_PERIOD_MONTHLY, 2024, -1},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(buf, "junk");
		assert_int_equal(gt_period_format(&bad[i], buf, sizeof(buf)), GT_EINVAL);
		assert_string_equal(buf, "");
		assert_int_equal(gt_period_check(&bad[i]), GT_EINVAL);
	}
}

static void assert_date(const struct gt_date *d, int y, int m, int day)
{
	assert_int_equal(d->year, y);
	assert_int_equal(d->month, m);
	assert_int_equal(d->day, day);
}

static void bounds(void **state)
{
	(void)state;
	struct gt_date d;
	struct gt_period p;

	p = P("202402");
	assert_int_equal(gt_period_start(&p, &d), GT_OK);
	assert_date(&d, 2024, 2, 1);
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2024, 2, 29);
	p = P("202302");
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2023, 2, 28);
	p = P("210002");
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2100, 2, 28);
	p = P("200002");
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2000, 2, 29);
	p = P("190002");
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 1900, 2, 28);
	p = P("202404");
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2024, 4, 30);
	p = P("202412");
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2024, 12, 31);

	p = P("2024Q1");
	assert_int_equal(gt_period_start(&p, &d), GT_OK);
	assert_date(&d, 2024, 1, 1);
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2024, 3, 31);
	p = P("2024Q2");
	assert_int_equal(gt_period_start(&p, &d), GT_OK);
	assert_date(&d, 2024, 4, 1);
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2024, 6, 30);
	p = P("2024Q3");
	assert_int_equal(gt_period_start(&p, &d), GT_OK);
	assert_date(&d, 2024, 7, 1);
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2024, 9, 30);
	p = P("2024Q4");
	assert_int_equal(gt_period_start(&p, &d), GT_OK);
	assert_date(&d, 2024, 10, 1);
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2024, 12, 31);
	p = P("2024S1");
	assert_int_equal(gt_period_start(&p, &d), GT_OK);
	assert_date(&d, 2024, 1, 1);
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2024, 6, 30);
	p = P("2024S2");
	assert_int_equal(gt_period_start(&p, &d), GT_OK);
	assert_date(&d, 2024, 7, 1);
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2024, 12, 31);
	p = P("2024");
	assert_int_equal(gt_period_start(&p, &d), GT_OK);
	assert_date(&d, 2024, 1, 1);
	assert_int_equal(gt_period_end(&p, &d), GT_OK);
	assert_date(&d, 2024, 12, 31);

	/* Days covered: a leap year has 366, a quarter 90..92. */
	struct gt_date s, e;
	p = P("2024");
	gt_period_start(&p, &s);
	gt_period_end(&p, &e);
	assert_int_equal(gt_date_to_days(&e) - gt_date_to_days(&s) + 1, 366);
	p = P("2023");
	gt_period_start(&p, &s);
	gt_period_end(&p, &e);
	assert_int_equal(gt_date_to_days(&e) - gt_date_to_days(&s) + 1, 365);
	p = P("2023Q1");
	gt_period_start(&p, &s);
	gt_period_end(&p, &e);
	assert_int_equal(gt_date_to_days(&e) - gt_date_to_days(&s) + 1, 90);

	struct gt_period bad = {GT_PERIOD_MONTHLY, 2024, 13};
	d.year = 5;
	assert_int_equal(gt_period_start(&bad, &d), GT_EINVAL);
	assert_int_equal(d.year, 0);
	d.year = 5;
	assert_int_equal(gt_period_end(&bad, &d), GT_EINVAL);
	assert_int_equal(d.year, 0);
}

/* The end of a period is the day before the start of the next one, for every month of a
 * range of years. */
static void end_meets_next_start(void **state)
{
	(void)state;
	for (int t = GT_PERIOD_MONTHLY; t <= GT_PERIOD_YEARLY; t++) {
		struct gt_period p = {(enum gt_period_type)t, 1900, 1}, n;
		while (p.year < 2401) {
			struct gt_date e, s;
			assert_int_equal(gt_period_next(&p, &n), GT_OK);
			assert_int_equal(gt_period_end(&p, &e), GT_OK);
			assert_int_equal(gt_period_start(&n, &s), GT_OK);
			assert_int_equal(gt_date_to_days(&e) + 1, gt_date_to_days(&s));
			assert_int_equal(gt_date_check(&e), GT_OK);
			p = n;
		}
	}
}

static void neighbours(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
	    {"2024Q4", "2025Q1"}, {"2024Q1", "2024Q2"}, {"202312", "202401"},
	    {"202401", "202402"}, {"2024S2", "2025S1"}, {"2024S1", "2024S2"},
	    {"2024", "2025"},     {"199912", "200001"}, {"999911", "999912"},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct gt_period a = P(pairs[i][0]), b = P(pairs[i][1]), o;
		assert_int_equal(gt_period_next(&a, &o), GT_OK);
		assert_memory_equal(&o, &b, sizeof(o));
		assert_int_equal(gt_period_prev(&b, &o), GT_OK);
		assert_memory_equal(&o, &a, sizeof(o));
	}
	/* In place. */
	struct gt_period p = P("202401");
	assert_int_equal(gt_period_prev(&p, &p), GT_OK);
	char buf[GT_PERIOD_MAX_LEN];
	gt_period_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "202312");

	/* Off the supported years: refused, out unchanged. */
	struct gt_period o = P("2000");
	p = P("999912");
	assert_int_equal(gt_period_next(&p, &o), GT_ENOENT);
	assert_int_equal(o.year, 2000);
	p = P("9999");
	assert_int_equal(gt_period_next(&p, &o), GT_ENOENT);
	p = P("1900Q1");
	assert_int_equal(gt_period_prev(&p, &o), GT_ENOENT);
	p = P("190001");
	assert_int_equal(gt_period_prev(&p, &o), GT_ENOENT);
	assert_int_equal(o.year, 2000);
	struct gt_period bad = {GT_PERIOD_QUARTERLY, 2024, 5};
	assert_int_equal(gt_period_next(&bad, &o), GT_EINVAL);
	assert_int_equal(gt_period_prev(&bad, &o), GT_EINVAL);
	assert_int_equal(gt_period_next(NULL, &o), GT_EINVAL);
}

static int contains(const char *a, const char *b)
{
	struct gt_period x = P(a), y = P(b);
	return gt_period_contains(&x, &y);
}

static void containment(void **state)
{
	(void)state;
	assert_int_equal(contains("2024Q3", "202408"), 1);
	assert_int_equal(contains("2024Q3", "202407"), 1);
	assert_int_equal(contains("2024Q3", "202409"), 1);
	assert_int_equal(contains("2024Q3", "202406"), 0);
	assert_int_equal(contains("2024Q3", "202410"), 0);
	assert_int_equal(contains("2024", "2024S2"), 1);
	assert_int_equal(contains("2024", "2024Q4"), 1);
	assert_int_equal(contains("2024", "202412"), 1);
	assert_int_equal(contains("2024", "202501"), 0);
	assert_int_equal(contains("2024", "2023Q4"), 0);
	assert_int_equal(contains("2024S1", "2024Q3"), 0);
	assert_int_equal(contains("2024S1", "2024Q2"), 1);
	assert_int_equal(contains("2024S2", "2024Q3"), 1);
	assert_int_equal(contains("2024S2", "202406"), 0);
	assert_int_equal(contains("2024S1", "2025Q1"), 0);
	assert_int_equal(contains("2024Q1", "2024S1"), 0);
	assert_int_equal(contains("202401", "2024Q1"), 0);
	assert_int_equal(contains("202401", "2024"), 0);
	assert_int_equal(contains("2024S1", "2024"), 0);
	static const char *const self[] = {"2024", "2024S1", "2024Q2", "202405"};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(contains(self[i], self[i]), 1);
	assert_int_equal(contains("202401", "202402"), 0);
	assert_int_equal(contains("202401", "202301"), 0);

	struct gt_period ok = P("2024"), bad = {GT_PERIOD_MONTHLY, 2024, 0};
	assert_int_equal(gt_period_contains(&ok, &bad), GT_EINVAL);
	assert_int_equal(gt_period_contains(&bad, &ok), GT_EINVAL);
	assert_int_equal(gt_period_contains(NULL, &ok), GT_EINVAL);
}

static void months(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int first, count;
	} cases[] = {
	    {"2024", 1, 12},  {"2024S1", 1, 6},  {"2024S2", 7, 6}, {"2024Q1", 1, 3},
	    {"2024Q3", 7, 3}, {"2024Q4", 10, 3}, {"202405", 5, 1}, {"202412", 12, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gt_period p = P(cases[i].s), first, m;
		int count;
		assert_int_equal(gt_period_months(&p, &first, &count), GT_OK);
		assert_int_equal(first.type, GT_PERIOD_MONTHLY);
		assert_int_equal(first.year, 2024);
		assert_int_equal(first.index, cases[i].first);
		assert_int_equal(count, cases[i].count);
		/* Walking count months from first stays inside p and ends at p's end. */
		m = first;
		for (int k = 0; k < count; k++) {
			assert_int_equal(gt_period_contains(&p, &m), 1);
			if (k + 1 < count)
				assert_int_equal(gt_period_next(&m, &m), GT_OK);
		}
		struct gt_date e1, e2;
		gt_period_end(&p, &e1);
		gt_period_end(&m, &e2);
		assert_memory_equal(&e1, &e2, sizeof(e1));
	}
	struct gt_period bad = {GT_PERIOD_SIXMONTHLY, 2024, 3}, first = P("2024");
	int count = 5;
	assert_int_equal(gt_period_months(&bad, &first, &count), GT_EINVAL);
	assert_int_equal(count, 0);
	assert_int_equal(first.type, 0);
}

static void from_date(void **state)
{
	(void)state;
	struct gt_date d = {2024, 8, 15};
	struct gt_period p;
	char buf[GT_PERIOD_MAX_LEN];

	assert_int_equal(gt_period_from_date(GT_PERIOD_MONTHLY, &d, &p), GT_OK);
	gt_period_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "202408");
	assert_int_equal(gt_period_from_date(GT_PERIOD_QUARTERLY, &d, &p), GT_OK);
	gt_period_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "2024Q3");
	assert_int_equal(gt_period_from_date(GT_PERIOD_SIXMONTHLY, &d, &p), GT_OK);
	gt_period_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "2024S2");
	assert_int_equal(gt_period_from_date(GT_PERIOD_YEARLY, &d, &p), GT_OK);
	gt_period_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "2024");
	d.month = 6;
	d.day = 30;
	assert_int_equal(gt_period_from_date(GT_PERIOD_SIXMONTHLY, &d, &p), GT_OK);
	assert_int_equal(p.index, 1);
	assert_int_equal(gt_period_from_date(GT_PERIOD_QUARTERLY, &d, &p), GT_OK);
	assert_int_equal(p.index, 2);

	struct gt_date bad[] = {{2023, 2, 29},  {2024, 13, 1}, {2024, 4, 31},
	                        {1899, 12, 31}, {2024, 0, 1},  {2024, 1, 0}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(gt_period_from_date(GT_PERIOD_MONTHLY, &bad[i], &p), GT_EINVAL);
	d = (struct gt_date){2024, 1, 1};
	assert_int_equal(gt_period_from_date(0, &d, &p), GT_EINVAL);
	assert_int_equal(gt_period_from_date(5, &d, &p), GT_EINVAL);
}

static void type_names(void **state)
{
	(void)state;
	static const char *const names[] = {"monthly", "quarterly", "sixmonthly", "yearly"};
	enum gt_period_type t;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(gt_period_type_parse(names[i], &t), GT_OK);
		assert_int_equal(t, GT_PERIOD_MONTHLY + i);
		assert_string_equal(gt_period_type_name(t), names[i]);
	}
	static const char *const bad[] = {"Monthly", "SixMonthly", "six-monthly", "weekly",
	                                  "",        "yearly ",    " yearly",     "month"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(gt_period_type_parse(bad[i], &t), GT_EINVAL);
	assert_int_equal(gt_period_type_parse(NULL, &t), GT_EINVAL);
	assert_string_equal(gt_period_type_name(0), "unknown");
	assert_string_equal(gt_period_type_name(5), "unknown");
	assert_string_equal(gt_period_type_name((enum gt_period_type) - 1), "unknown");
}

static void dates(void **state)
{
	(void)state;
	struct gt_date d;
	static const struct {
		struct gt_date d;
		int64_t days;
	} known[] = {
	    {{1970, 1, 1}, 0},      {{1970, 1, 2}, 1},      {{1969, 12, 31}, -1},
	    {{2000, 3, 1}, 11017},  {{2024, 2, 29}, 19782}, {{2026, 11, 23}, 20780},
	    {{1900, 1, 1}, -25567}, {{1, 1, 1}, -719162},   {{9999, 12, 31}, 2932896},
	    {{2100, 3, 1}, 47541},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_int_equal(gt_date_check(&known[i].d), GT_OK);
		assert_int_equal(gt_date_to_days(&known[i].d), known[i].days);
		assert_int_equal(gt_date_from_days(known[i].days, &d), GT_OK);
		assert_memory_equal(&d, &known[i].d, sizeof(d));
	}
	/* Every day of 1899..2101 round-trips and is a real day, in order. */
	struct gt_date prev = {0};
	for (int64_t n = -25932; n <= 48211; n++) {
		assert_int_equal(gt_date_from_days(n, &d), GT_OK);
		assert_int_equal(gt_date_check(&d), GT_OK);
		assert_int_equal(gt_date_to_days(&d), n);
		if (prev.year != 0) {
			int next_day =
			    d.year == prev.year && d.month == prev.month && d.day == prev.day + 1;
			int next_month =
			    d.year == prev.year && d.month == prev.month + 1 && d.day == 1;
			int next_year = d.year == prev.year + 1 && d.month == 1 && d.day == 1 &&
			                prev.month == 12 && prev.day == 31;
			assert_true(next_day || next_month || next_year);
		}
		prev = d;
	}
	d.year = 7;
	assert_int_equal(gt_date_from_days(-719163, &d), GT_EINVAL);
	assert_int_equal(d.year, 0);
	assert_int_equal(gt_date_from_days(2932897, &d), GT_EINVAL);
	assert_int_equal(gt_date_from_days(INT64_MIN, &d), GT_EINVAL);
	assert_int_equal(gt_date_from_days(INT64_MAX, &d), GT_EINVAL);

	struct gt_date bad[] = {{2023, 2, 29}, {2100, 2, 29}, {2024, 2, 30}, {2024, 4, 31},
	                        {2024, 13, 1}, {2024, 0, 1},  {2024, 1, 0},  {2024, 1, 32},
	                        {0, 1, 1},     {10000, 1, 1}, {-1, 1, 1}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(gt_date_check(&bad[i]), GT_EINVAL);
	assert_int_equal(gt_date_check(NULL), GT_EINVAL);
	struct gt_date leap = {2000, 2, 29};
	assert_int_equal(gt_date_check(&leap), GT_OK);
	/* Nonsense dates give a number without undefined behaviour (checked under UBSan). */
	struct gt_date wild = {INT32_MAX, INT32_MIN, INT32_MAX};
	(void)gt_date_to_days(&wild);
	wild = (struct gt_date){INT32_MIN, INT32_MAX, INT32_MIN};
	(void)gt_date_to_days(&wild);
}

/* Days as people write them (late-entry openings end on one). */
static void date_text(void **state)
{
	struct gt_date d;
	char buf[11];
	(void)state;
	assert_int_equal(gt_date_parse("2027-01-31", &d), 0);
	assert_date(&d, 2027, 1, 31);
	assert_int_equal(gt_date_format(&d, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2027-01-31");
	assert_int_equal(gt_date_parse("2024-02-29", &d), 0);
	const char *bad[] = {"2023-02-29", "2027-1-31",  "2027-01-31 ", "27-01-31",   "2027/01/31",
	                     "",           "2027-13-01", "2027-00-10",  "+027-01-31", "2027-01-3a"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(gt_date_parse(bad[i], &d), GT_EINVAL);
	assert_int_equal(gt_date_parse(NULL, &d), GT_EINVAL);
	assert_int_equal(gt_date_format(&d, buf, 10), GT_EINVAL);
	d = (struct gt_date){2027, 1, 31};
	assert_int_equal(gt_date_format(&d, buf, 10), GT_ETOOBIG);
}

/* The periods of a type within another, as reports sum them and verifiers check them
 * (issue 14): months of a year, quarters of a half, a month of itself; none finer. */
static void periods_within(void **state)
{
	char list[GT_PERIOD_MAX_WITHIN][GT_PERIOD_MAX_LEN + 1];
	size_t n = 99;
	(void)state;

	assert_int_equal(gt_period_within(GT_PERIOD_MONTHLY, "2025", list, &n), GT_OK);
	assert_int_equal(n, 12);
	assert_string_equal(list[0], "202501");
	assert_string_equal(list[11], "202512");
	assert_int_equal(gt_period_within(GT_PERIOD_QUARTERLY, "2025S2", list, &n), GT_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0], "2025Q3");
	assert_string_equal(list[1], "2025Q4");
	assert_int_equal(gt_period_within(GT_PERIOD_MONTHLY, "202503", list, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0], "202503");
	assert_int_equal(gt_period_within(GT_PERIOD_YEARLY, "202503", list, &n), GT_EINVAL);
	assert_int_equal(n, 0);
	assert_int_equal(gt_period_within(GT_PERIOD_MONTHLY, "2025X", list, &n), GT_EINVAL);
	assert_int_equal(gt_period_within(GT_PERIOD_MONTHLY, NULL, list, &n), GT_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_valid),
	    cmocka_unit_test(parse_malformed),
	    cmocka_unit_test(round_trip_exhaustive),
	    cmocka_unit_test(format_errors),
	    cmocka_unit_test(bounds),
	    cmocka_unit_test(end_meets_next_start),
	    cmocka_unit_test(neighbours),
	    cmocka_unit_test(containment),
	    cmocka_unit_test(months),
	    cmocka_unit_test(from_date),
	    cmocka_unit_test(type_names),
	    cmocka_unit_test(dates),
	    cmocka_unit_test(date_text),
	    cmocka_unit_test(periods_within),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
