/* The wall clock, in one place. */
#ifndef GT_CLOCK_H
#define GT_CLOCK_H

#include <stdint.h>

/* Returns the wall-clock time in Unix milliseconds (CLOCK_REALTIME). */
int64_t gt_clock_wall_ms(void);

#endif
