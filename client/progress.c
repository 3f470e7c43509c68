/* A progress bar for long work on a terminal; silent when the output is not one. */
#include "progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "humanfmt.h"

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void gt_progress_format(char *buf, size_t len, const char *label, const char *unit, uint64_t done,
                        uint64_t total)
{
	char bar[GT_PROGRESS_WIDTH + 1], d[GT_HUMAN_MAX], t[GT_HUMAN_MAX];

	if (len == 0)
		return;
	if (total != 0 && done > total)
		done = total;
	/* The counts grouped as the language writes them (12.000 in Indonesian). */
	gt_human_number((double)done, d, sizeof(d));
	gt_human_number((double)total, t, sizeof(t));
	if (total == 0) {
		snprintf(buf, len, "%s %s %s", label, d, unit);
		return;
	}
	size_t fill = (size_t)((double)done / (double)total * GT_PROGRESS_WIDTH);
	memset(bar, '#', fill);
	memset(bar + fill, ' ', GT_PROGRESS_WIDTH - fill);
	bar[GT_PROGRESS_WIDTH] = '\0';
	snprintf(buf, len, "%s [%s] %s/%s %s", label, bar, d, t, unit);
}

static void draw(struct gt_progress *p)
{
	char line[256];

	gt_progress_format(line, sizeof(line), p->label, p->unit, p->done, p->total);
	/* \r returns to the line start; \033[K clears what a longer earlier line left. */
	fprintf(p->out, "\r%s\033[K", line);
	fflush(p->out);
	p->drawn = 1;
}

void gt_progress_start(struct gt_progress *p, FILE *out, int force, const char *label,
                       const char *unit, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->label = label;
	p->unit = unit;
	p->total = total;
	p->enabled = out != NULL && (force || isatty(fileno(out)));
	p->last_ms = 0;
}

void gt_progress_set(struct gt_progress *p, uint64_t done, uint64_t total)
{
	int64_t now;

	p->done = done;
	if (total != 0)
		p->total = total;
	if (!p->enabled)
		return;
	now = mono_ms();
	if (p->drawn && now - p->last_ms < GT_PROGRESS_REDRAW_MS)
		return;
	p->last_ms = now;
	draw(p);
}

void gt_progress_end(struct gt_progress *p)
{
	if (!p->enabled)
		return;
	draw(p);
	fputc('\n', p->out);
	fflush(p->out);
	p->enabled = 0;
}
