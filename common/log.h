/* Structured one-line logging ("<time> <level> <event> key=value ...") to a caller's FILE. */
#ifndef GT_LOG_H
#define GT_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

enum gt_log_level {
	GT_LOG_DEBUG = 0,
	GT_LOG_INFO,
	GT_LOG_WARN,
	GT_LOG_ERROR,
};

/* Longest value (after formatting, before escaping) written whole; longer ones are cut and
 * end in "...". */
#define GT_LOG_MAX_VALUE 2048u
/* Longest line; fields that would not fit are dropped and the line ends in "truncated=1". */
#define GT_LOG_MAX_LINE 32768u

/*
 * Where and what to log. The caller owns everything: out is borrowed (NULL logs nothing);
 * lines below level are dropped; now_ms returns Unix milliseconds for the timestamp (NULL:
 * the real-time clock), called with now_arg. A zeroed struct logs nothing.
 */
struct gt_log {
	FILE *out;
	enum gt_log_level level;
	int64_t (*now_ms)(void *arg);
	void *now_arg;
	/* Non-zero when out is systemd's journal: each line then starts with its syslog
	 * priority ("<6>" for info, sd-daemon(3)) instead of a timestamp, which the journal
	 * records itself. */
	int journal;
};

/* Sets log to write lines at or above level to out with the real-time clock. When out is
 * the stream systemd connected to the journal (JOURNAL_STREAM names its device and inode),
 * lines carry journald priorities instead of timestamps. */
void gt_log_init(struct gt_log *log, FILE *out, enum gt_log_level level);

/*
 * Writes one line: "2026-11-23T15:51:51.123Z info batch key=ab12 org=53.71 values=120\n".
 * fmt_kv is a printf format of space-separated "key=value" fields (a field without '=' is a
 * bare value), e.g. "key=%s org=%s values=%zu"; the compiler checks the arguments. Pass NULL
 * for a line without fields (the compiler warns about ""). %n and positional arguments are
 * not supported. Each value is formatted separately and written bare if it is made of printable
 * characters other than space, '"', '\\' and '='; otherwise it is written in double quotes
 * with \" \\ \n \r \t and \xHH escapes, so user data can never break or split a line.
 * Keys and the event name are written with any such character replaced by '_'. The line
 * is written with one fwrite and flushed. Returns 0; GT_EIO if writing failed; GT_EINVAL
 * if fmt_kv holds a conversion it cannot format (the line is still written, with the rest of
 * the format as text); GT_ENOMEM. log may be NULL (nothing is written).
 */
int gt_log_event(struct gt_log *log, enum gt_log_level level, const char *event, const char *fmt_kv,
                 ...) __attribute__((format(printf, 4, 5)));

/* As gt_log_event(), with a va_list (consumed). */
int gt_log_eventv(struct gt_log *log, enum gt_log_level level, const char *event,
                  const char *fmt_kv, va_list ap) __attribute__((format(printf, 4, 0)));

/* Returns "debug", "info", "warn" or "error"; "unknown" for other values; never NULL. */
const char *gt_log_level_name(enum gt_log_level level);

/* Parses a level name as gt_log_level_name() writes it; GT_EINVAL otherwise. */
int gt_log_level_parse(const char *name, enum gt_log_level *out);

#endif
