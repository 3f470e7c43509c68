/* Retry delays: exponential backoff with jitter, bounded. */
#include "backoff.h"

#include <time.h>

#include "crypto.h"
#include "error.h"

uint32_t gt_backoff_delay_ms(unsigned attempt, uint32_t base_ms, uint32_t cap_ms, uint32_t rnd)
{
	uint64_t d = base_ms;

	if (cap_ms < base_ms)
		cap_ms = base_ms;
	for (unsigned i = 0; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	if (d == 0)
		return 0;
	uint64_t half = d / 2;
	return (uint32_t)(half + (uint64_t)rnd % (d - half + 1));
}

uint32_t gt_backoff_random(void)
{
	uint32_t r;
	struct timespec ts;

	if (gt_crypto_random(&r, sizeof(r)) == GT_OK)
		return r;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec;
}
