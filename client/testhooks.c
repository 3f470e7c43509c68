/* The client's test hooks: points where a command dies like kill -9 or waits, for the crash and
 * race tests, set by environment variables in test builds only. */
#include "testhooks.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef GT_TEST_HOOKS
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "fileio.h"
#include "gtlimits.h"

static unsigned env_uint(const char *name)
{
	const char *v = getenv(name);
	return v != NULL ? (unsigned)strtoul(v, NULL, 10) : 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Says the digest is computed, then waits for the go-ahead file. */
static void pause_at(const char *file)
{
	char ready[GT_PATH_MAX + 16];
	unsigned waited = 0;

	snprintf(ready, sizeof(ready), "%s.digested", file);
	(void)gt_file_write(ready, "", 0, 0644, 1);
	while (access(file, F_OK) != 0 && waited < GT_TESTHOOKS_PAUSE_MAX_MS) {
		sleep_ms(10);
		waited += 10;
	}
}
#endif

void gt_testhooks_init(struct gt_testhooks *t)
{
	memset(t, 0, sizeof(*t));
#ifdef GT_TEST_HOOKS
	t->die_after_save = env_uint("GTSYNC_TEST_DIE_AFTER_SAVE");
	t->die_after_send = env_uint("GTSYNC_TEST_DIE_AFTER_SEND");
	t->pause_file = getenv("GTSYNC_TEST_PAUSE_AFTER_DIGEST");
#endif
}

int gt_testhooks_at(struct gt_testhooks *t, enum gt_testhook_point point)
{
	if (t == NULL)
		return 0;
#ifdef GT_TEST_HOOKS
	switch (point) {
	case GT_TESTHOOK_SAVED:
		return t->die_after_save != 0 && ++t->saves >= t->die_after_save;
	case GT_TESTHOOK_SENT:
		return t->die_after_send != 0 && ++t->sends >= t->die_after_send;
	case GT_TESTHOOK_DIGESTED:
		if (t->pause_file != NULL)
			pause_at(t->pause_file);
		return 0;
	}
#else
	(void)point;
#endif
	return 0;
}

void gt_testhooks_die(void)
{
	_exit(GT_TESTHOOKS_DIE_STATUS);
}
