/* Retry delays: exponential backoff with jitter, bounded. */
#ifndef GT_BACKOFF_H
#define GT_BACKOFF_H

#include <stdint.h>

/* Defaults: tries in all, the first delay and the largest delay. */
#define GT_BACKOFF_TRIES   5
#define GT_BACKOFF_BASE_MS 1000
#define GT_BACKOFF_CAP_S   30
#define GT_BACKOFF_CAP_MS  (GT_BACKOFF_CAP_S * 1000u)

/* The delay before retry number attempt (0 for the first retry): d = min(cap, base * 2^attempt),
 * then a jitter picks a delay in [d/2, d] from rnd (any 32 random bits), so many clients that
 * failed together do not retry together. Never overflows; base 0 gives 0. */
uint32_t gt_backoff_delay_ms(unsigned attempt, uint32_t base_ms, uint32_t cap_ms, uint32_t rnd);

/* Draws 32 random bits for the jitter (from the CSPRNG; a clock-based value if it fails). */
uint32_t gt_backoff_random(void);

#endif
