/* The merge rule every copy of the data applies: the revision rule and the numbers reports sum. */
#include "merge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int gt_merge_wins(const struct gt_merge_held *held, uint64_t revision,
                  const uint8_t hash[GT_SHA256_LEN])
{
	if (!held->exists || revision > held->revision)
		return 1;
	return revision == held->revision && memcmp(hash, held->origin_batch, GT_SHA256_LEN) >= 0;
}

int gt_merge_number(const char *text, double *out)
{
	const char *p = text;
	char *end;
	int digits = 0;
	double whole = 0;

	*out = 0;
	if (p == NULL)
		return 0;
	if (*p == '+' || *p == '-')
		p++;
	while (*p >= '0' && *p <= '9') {
		whole = whole * 10 + (*p - '0');
		p++;
		digits++;
	}
	/* A plain integer of at most 15 digits is exact in a double, so it is the value strtod
	 * would give (the common case of the store's apply, which skips strtod; issue 17). */
	if (*p == '\0' && digits > 0 && digits <= 15) {
		*out = *text == '-' ? -whole : whole;
		return 1;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits++;
		}
	}
	if (digits == 0)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p != '\0')
		return 0;
	*out = strtod(text, &end);
	if (*end != '\0' || !isfinite(*out)) {
		*out = 0;
		return 0;
	}
	return 1;
}
