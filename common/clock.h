/* The wall clock, in one place. */
#ifndef GT_CLOCK_H
#define GT_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Returns the wall-clock time in Unix milliseconds (CLOCK_REALTIME). */
int64_t gt_clock_wall_ms(void);

/* Writes Unix milliseconds ms as "2026-11-23T15:51:51Z" (UTC) into buf; "" for ms <= 0. */
void gt_clock_iso(int64_t ms, char *buf, size_t len);

#endif
