/* Fuzzes period ids: whatever parses formats back to the same text, and the calendar
 * operations agree with each other; arbitrary structs are checked consistently. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "period.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks the operations on a valid period. */
static void check_valid(const struct gt_period *p)
{
	struct gt_period q, r, first;
	struct gt_date s, e;
	char buf[GT_PERIOD_MAX_LEN];
	int count;

	if (gt_period_format(p, buf, sizeof(buf)) != GT_OK)
		abort();
	if (gt_period_parse(buf, &q) != GT_OK || memcmp(&q, p, sizeof(q)) != 0)
		abort();
	if (gt_period_contains(p, p) != 1)
		abort();
	if (gt_period_start(p, &s) != GT_OK || gt_period_end(p, &e) != GT_OK ||
	    gt_date_check(&s) != GT_OK || gt_date_check(&e) != GT_OK ||
	    gt_date_to_days(&s) > gt_date_to_days(&e))
		abort();
	if (gt_period_from_date(p->type, &s, &q) != GT_OK || memcmp(&q, p, sizeof(q)) != 0)
		abort();
	if (gt_period_from_date(p->type, &e, &q) != GT_OK || memcmp(&q, p, sizeof(q)) != 0)
		abort();
	if (gt_period_months(p, &first, &count) != GT_OK || gt_period_contains(p, &first) != 1 ||
	    (count != 1 && gt_period_contains(&first, p) != 0))
		abort();
	if (gt_period_next(p, &q) == GT_OK) {
		struct gt_date ns;
		if (gt_period_prev(&q, &r) != GT_OK || memcmp(&r, p, sizeof(r)) != 0)
			abort();
		if (gt_period_start(&q, &ns) != GT_OK ||
		    gt_date_to_days(&ns) != gt_date_to_days(&e) + 1)
			abort();
		if (gt_period_contains(p, &q) != 0)
			abort();
	} else if (p->year != GT_PERIOD_YEAR_MAX) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[32];
	struct gt_period p;

	/* As text: a C string ends at the first NUL. */
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	int rc = gt_period_parse(text, &p);
	if (rc == GT_OK) {
		char buf[GT_PERIOD_MAX_LEN];
		if (gt_period_format(&p, buf, sizeof(buf)) != GT_OK || strcmp(buf, text) != 0)
			abort();
		check_valid(&p);
	} else if (rc != GT_EINVAL || p.type != 0 || p.year != 0 || p.index != 0) {
		abort();
	}

	/* As a day (a late-entry opening's last day): what parses formats back the same. */
	struct gt_date day;
	char daytext[16];
	if (gt_date_parse(text, &day) == GT_OK) {
		if (gt_date_check(&day) != GT_OK ||
		    gt_date_format(&day, daytext, sizeof(daytext)) != GT_OK ||
		    strcmp(daytext, text) != 0)
			abort();
	} else if (day.year != 0 || day.month != 0 || day.day != 0) {
		abort();
	}

	/* As a struct: check() decides, and every operation follows it. */
	if (size >= 9) {
		int32_t y, i;
		memcpy(&y, data + 1, 4);
		memcpy(&i, data + 5, 4);
		p.type = (enum gt_period_type)(data[0] % 7);
		p.year = y;
		p.index = i;
		if (gt_period_check(&p) == GT_OK) {
			check_valid(&p);
		} else {
			char buf[GT_PERIOD_MAX_LEN];
			struct gt_date d;
			struct gt_period q;
			if (gt_period_format(&p, buf, sizeof(buf)) != GT_EINVAL ||
			    gt_period_start(&p, &d) != GT_EINVAL ||
			    gt_period_next(&p, &q) != GT_EINVAL ||
			    gt_period_contains(&p, &p) != GT_EINVAL)
				abort();
		}
		/* Day numbers round-trip wherever they are accepted. */
		int64_t days;
		struct gt_date d;
		memcpy(&days, data + 1, sizeof(days));
		if (gt_date_from_days(days, &d) == GT_OK &&
		    (gt_date_check(&d) != GT_OK || gt_date_to_days(&d) != days))
			abort();
	}
	return 0;
}
