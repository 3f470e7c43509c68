/* A progress bar for long work on a terminal; silent when the output is not one. */
#ifndef GT_PROGRESS_H
#define GT_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

/* Least time between two redraws, in milliseconds. */
#define GT_PROGRESS_REDRAW_MS 100
/* Width of the bar in characters. */
#define GT_PROGRESS_WIDTH 30

struct gt_progress {
	FILE *out; /* borrowed; NULL or not a terminal: nothing is drawn */
	int enabled;
	const char *label; /* borrowed */
	const char *unit;  /* borrowed, e.g. "values" */
	uint64_t total;    /* 0: unknown, only the count is shown */
	uint64_t done;
	int64_t last_ms;
	int drawn;
};

/* Starts a bar on out (typically stderr) if it is a terminal, or if force is set. */
void gt_progress_start(struct gt_progress *p, FILE *out, int force, const char *label,
                       const char *unit, uint64_t total);

/* Sets the amount done (and the total, when known later; 0 keeps it) and redraws at most
 * every GT_PROGRESS_REDRAW_MS. */
void gt_progress_set(struct gt_progress *p, uint64_t done, uint64_t total);

/* Draws the final state and ends the line; the bar is then finished. */
void gt_progress_end(struct gt_progress *p);

/* Writes the bar for done/total into buf[0..len), without a line ending ("label [####   ]
 * 12/40 values"), the counts grouped as the language in use writes them ("12.000/40.000" in
 * Indonesian); for tests and for the drawing itself. */
void gt_progress_format(char *buf, size_t len, const char *label, const char *unit, uint64_t done,
                        uint64_t total);

#endif
