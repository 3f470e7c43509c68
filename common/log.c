/* Structured log lines: a timestamp, a level, an event and escaped key=value fields. */
#include "log.h"

#include "clock.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "period.h"

static const char *const level_names[] = {
    [GT_LOG_DEBUG] = "debug",
    [GT_LOG_INFO] = "info",
    [GT_LOG_WARN] = "warn",
    [GT_LOG_ERROR] = "error",
};

#define MS_PER_DAY 86400000

/* Room kept at the end of every line for " truncated=1\n". */
#define TAIL_ROOM 16u

/* One value being formatted: at most GT_LOG_MAX_VALUE bytes; cut records an overflow. */
struct value {
	char data[GT_LOG_MAX_VALUE + 3];
	size_t len;
	int cut;
};

/* Whether fd is the journal stream systemd set up: JOURNAL_STREAM is "DEVICE:INODE" of it
 * (systemd.exec(5)); a stream redirected elsewhere no longer matches. */
static int is_journal(FILE *out)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	if (out == NULL || env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(fileno(out), &sb) != 0)
		return 0;
	return (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
}

void gt_log_init(struct gt_log *log, FILE *out, enum gt_log_level level)
{
	log->out = out;
	log->level = level;
	log->now_ms = NULL;
	log->now_arg = NULL;
	log->journal = is_journal(out);
}

/* syslog priorities of the levels, for the journal. */
static const char *const journal_prefix[] = {
    [GT_LOG_DEBUG] = "<7>",
    [GT_LOG_INFO] = "<6>",
    [GT_LOG_WARN] = "<4>",
    [GT_LOG_ERROR] = "<3>",
};

const char *gt_log_level_name(enum gt_log_level level)
{
	if (level < GT_LOG_DEBUG || level > GT_LOG_ERROR)
		return "unknown";
	return level_names[level];
}

int gt_log_level_parse(const char *name, enum gt_log_level *out)
{
	*out = GT_LOG_INFO;
	if (name == NULL)
		return GT_EINVAL;
	for (int l = GT_LOG_DEBUG; l <= GT_LOG_ERROR; l++) {
		if (strcmp(name, level_names[l]) == 0) {
			*out = (enum gt_log_level)l;
			return GT_OK;
		}
	}
	return GT_EINVAL;
}

/* Appends "YYYY-MM-DDTHH:MM:SS.mmmZ" for Unix milliseconds ms. */
static int append_time(struct gt_buf *line, int64_t ms)
{
	int64_t days = ms / MS_PER_DAY, rem = ms % MS_PER_DAY;
	struct gt_date d;
	char tmp[32];
	int n;

	if (rem < 0) {
		rem += MS_PER_DAY;
		days--;
	}
	if (gt_date_from_days(days, &d) != GT_OK) {
		d = (struct gt_date){0, 0, 0};
		rem = 0;
	}
	n = snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month,
	             d.day, (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
	             (int)(rem % 1000));
	return gt_buf_append(line, tmp, (size_t)n);
}

/* Bytes that force a value into quotes. */
static int is_special(unsigned char c)
{
	return c <= 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '=';
}

/* Appends a key or event name, with special bytes replaced by '_' ("_" if empty). */
static int append_name(struct gt_buf *line, const char *s, size_t n)
{
	int rc;

	if (n == 0)
		return gt_buf_append(line, "_", 1);
	rc = gt_buf_reserve(line, n);
	if (rc != GT_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char c = is_special((unsigned char)s[i]) ? '_' : s[i];
		gt_buf_append(line, &c, 1);
	}
	return GT_OK;
}

/* Appends a value, bare or quoted and escaped; all of it or nothing. */
static int append_value(struct gt_buf *line, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t need = 2;
	int quote = n == 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		quote |= is_special(c);
		if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t')
			need += 2;
		else if (c < 0x20 || c == 0x7f)
			need += 4;
		else
			need += 1;
	}
	if (!quote)
		return gt_buf_append(line, s, n);
	rc = gt_buf_reserve(line, need);
	if (rc != GT_OK)
		return rc;
	gt_buf_append(line, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[4] = {'\\', 0, 0, 0};
		size_t len = 2;
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				esc[1] = 'x';
				esc[2] = hex[c >> 4];
				esc[3] = hex[c & 15];
				len = 4;
			} else {
				esc[0] = (char)c;
				len = 1;
			}
		}
		gt_buf_append(line, esc, len);
	}
	gt_buf_append(line, "\"", 1);
	return GT_OK;
}

/* Adds n bytes to a value, cutting at GT_LOG_MAX_VALUE. */
static void value_put(struct value *v, const char *s, size_t n)
{
	size_t room = GT_LOG_MAX_VALUE - v->len;

	if (n > room) {
		n = room;
		v->cut = 1;
	}
	memcpy(v->data + v->len, s, n);
	v->len += n;
}

static void value_pad(struct value *v, size_t n)
{
	while (n-- > 0 && !v->cut)
		value_put(v, " ", 1);
}

/*
 * Formats the one conversion at *fp (pointing at '%') with its argument(s) from ap into v
 * and advances *fp past it. Returns GT_EINVAL, leaving *fp, for a conversion it does not
 * support; the caller then stops reading arguments.
 */
static int format_conv(const char **fp, va_list *ap, struct value *v)
{
	const char *f = *fp + 1;
	char flags[8];
	size_t nflags = 0;
	int width = -1, prec = -1, left = 0;
	char len[3] = "";
	char spec[64], tmp[512];
	int n = 0;

	if (*f == '%') {
		value_put(v, "%", 1);
		*fp = f + 1;
		return GT_OK;
	}
	while (*f != '\0' && strchr("-+ #0", *f) != NULL) {
		if (*f == '-')
			left = 1;
		if (nflags < sizeof(flags) - 1)
			flags[nflags++] = *f;
		f++;
	}
	flags[nflags] = '\0';
	/* Digit runs are bounded, so numbers cannot overflow. */
	if (*f == '*') {
		width = va_arg(*ap, int);
		if (width < 0) {
			left = 1;
			width = width < -4096 ? 4096 : -width;
		}
		f++;
	} else {
		for (int k = 0; *f >= '0' && *f <= '9'; k++, f++) {
			if (k >= 4)
				return GT_EINVAL;
			width = (width < 0 ? 0 : width * 10) + (*f - '0');
		}
	}
	if (*f == '.') {
		f++;
		prec = 0;
		if (*f == '*') {
			prec = va_arg(*ap, int);
			f++;
		} else {
			for (int k = 0; *f >= '0' && *f <= '9'; k++, f++) {
				if (k >= 4)
					return GT_EINVAL;
				prec = prec * 10 + (*f - '0');
			}
		}
	}
	if (width > 4096)
		width = 4096;
	/* A negative '*' width means left-justified. */
	if (left && strchr(flags, '-') == NULL && nflags < sizeof(flags) - 1) {
		flags[nflags++] = '-';
		flags[nflags] = '\0';
	}
	for (int k = 0; k < 2 && *f != '\0' && strchr("hlzjtL", *f) != NULL; k++) {
		if (k == 1 && *f != len[0])
			break;
		len[k] = *f++;
	}
	if (len[1] != '\0' && len[0] != 'h' && len[0] != 'l')
		return GT_EINVAL;

	char conv = *f;
	if (conv == '\0' || strchr("diouxXcspfFeEgGaA", conv) == NULL)
		return GT_EINVAL;
	if ((conv == 's' || conv == 'c' || conv == 'p') && len[0] != '\0')
		return GT_EINVAL;
	if (strchr("fFeEgGaA", conv) != NULL && len[0] != '\0' && strcmp(len, "l") != 0 &&
	    strcmp(len, "L") != 0)
		return GT_EINVAL;
	if (strchr("diouxX", conv) != NULL && len[0] == 'L')
		return GT_EINVAL;
	*fp = f + 1;

	if (conv == 's') {
		const char *s = va_arg(*ap, const char *);
		size_t sl;
		if (s == NULL)
			s = "(null)";
		sl = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
		if (!left && width > 0 && (size_t)width > sl)
			value_pad(v, (size_t)width - sl);
		value_put(v, s, sl);
		if (left && width > 0 && (size_t)width > sl)
			value_pad(v, (size_t)width - sl);
		return GT_OK;
	}

	/* One conversion with its numbers spelled out, e.g. "%-12.3lld". */
	n = snprintf(spec, sizeof(spec), "%%%s", flags);
	if (width >= 0)
		n += snprintf(spec + n, sizeof(spec) - (size_t)n, "%d", width);
	if (prec >= 0)
		n += snprintf(spec + n, sizeof(spec) - (size_t)n, ".%d", prec);
	snprintf(spec + n, sizeof(spec) - (size_t)n, "%s%c", len, conv);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strchr("diouxXc", conv) != NULL) {
		int sign = strchr("di", conv) != NULL;
		if (len[0] == 'l' && len[1] == 'l')
			n = sign
			        ? snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, long long))
			        : snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, unsigned long long));
		else if (len[0] == 'l')
			n = sign ? snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, long))
			         : snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, unsigned long));
		else if (len[0] == 'z')
			n = sign ? snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, ssize_t))
			         : snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, size_t));
		else if (len[0] == 'j')
			n = sign ? snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, intmax_t))
			         : snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, uintmax_t));
		else if (len[0] == 't')
			n = snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, ptrdiff_t));
		else
			/* int, and hh/h/c, which promote to int. */
			n = sign || conv == 'c'
			        ? snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, int))
			        : snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, unsigned int));
	} else if (conv == 'p') {
		n = snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, void *));
	} else if (len[0] == 'L') {
		n = snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, long double));
	} else {
		n = snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, double));
	}
#pragma GCC diagnostic pop
	if (n < 0)
		return GT_EINVAL;
	value_put(v, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
	return GT_OK;
}

/* Formats the value template at *fp up to the next space or the end. A conversion it cannot
 * format ends the template; the rest of the format is then kept as text. */
static int format_value(const char **fp, va_list *ap, struct value *v)
{
	const char *f = *fp;
	int rc = GT_OK;

	v->len = 0;
	v->cut = 0;
	while (*f != '\0' && *f != ' ') {
		if (*f != '%') {
			value_put(v, f++, 1);
			continue;
		}
		rc = format_conv(&f, ap, v);
		if (rc != GT_OK) {
			value_put(v, f, strlen(f));
			f += strlen(f);
			break;
		}
	}
	if (v->cut) {
		memcpy(v->data + v->len, "...", 3);
		v->len += 3;
	}
	*fp = f;
	return rc;
}

/* Appends one " key=value" (or " value") field whole; GT_ETOOBIG if it does not fit. */
static int append_field(struct gt_buf *line, const char *key, size_t keylen, const struct value *v)
{
	size_t mark = line->len;
	int rc = gt_buf_append(line, " ", 1);

	if (rc == GT_OK && key != NULL) {
		rc = append_name(line, key, keylen);
		if (rc == GT_OK)
			rc = gt_buf_append(line, "=", 1);
	}
	if (rc == GT_OK)
		rc = append_value(line, v->data, v->len);
	if (rc != GT_OK)
		line->len = mark;
	return rc;
}

int gt_log_eventv(struct gt_log *log, enum gt_log_level level, const char *event,
                  const char *fmt_kv, va_list ap)
{
	struct gt_buf line;
	struct value *v = NULL;
	const char *f = fmt_kv != NULL ? fmt_kv : "";
	int rc = GT_OK, fmt_rc = GT_OK;
	va_list aq;

	if (log == NULL || log->out == NULL || level < log->level)
		return GT_OK;
	va_copy(aq, ap);
	gt_buf_init(&line, GT_LOG_MAX_LINE);
	v = malloc(sizeof(*v));
	if (v == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	/* The line's maximum leaves room for the tail, added after the fields. */
	line.max = GT_LOG_MAX_LINE - TAIL_ROOM;
	if (log->journal && level >= GT_LOG_DEBUG && level <= GT_LOG_ERROR)
		rc = gt_buf_append(&line, journal_prefix[level], 3);
	else
		rc = append_time(&line, log->now_ms != NULL ? log->now_ms(log->now_arg)
		                                            : gt_clock_wall_ms());
	if (rc == GT_OK && !log->journal)
		rc = gt_buf_append(&line, " ", 1);
	if (rc == GT_OK) {
		const char *name = gt_log_level_name(level);
		rc = gt_buf_append(&line, name, strlen(name));
	}
	if (rc == GT_OK)
		rc = gt_buf_append(&line, " ", 1);
	if (rc == GT_OK) {
		const char *e = event != NULL ? event : "";
		rc = append_name(&line, e, strnlen(e, 256));
	}
	if (rc != GT_OK)
		goto out;

	int truncated = 0;
	while (*f != '\0') {
		const char *key = NULL, *q;
		size_t keylen = 0;

		if (*f == ' ') {
			f++;
			continue;
		}
		for (q = f; *q != '\0' && *q != ' ' && *q != '=' && *q != '%'; q++)
			;
		if (*q == '=') {
			key = f;
			keylen = (size_t)(q - f);
			f = q + 1;
		}
		if (format_value(&f, &aq, v) != GT_OK)
			fmt_rc = GT_EINVAL;
		if (!truncated) {
			rc = append_field(&line, key, keylen, v);
			if (rc == GT_ETOOBIG)
				truncated = 1;
			else if (rc != GT_OK)
				goto out;
		}
		if (fmt_rc != GT_OK)
			break;
	}
	line.max = GT_LOG_MAX_LINE;
	if (truncated)
		rc = gt_buf_append(&line, " truncated=1", 12);
	else
		rc = GT_OK;
	if (rc == GT_OK)
		rc = gt_buf_append(&line, "\n", 1);
	if (rc != GT_OK)
		goto out;
	if (fwrite(line.data, 1, line.len, log->out) != line.len || fflush(log->out) != 0) {
		rc = GT_EIO;
		goto out;
	}
	rc = fmt_rc;
out:
	va_end(aq);
	free(v);
	gt_buf_free(&line);
	return rc;
}

int gt_log_event(struct gt_log *log, enum gt_log_level level, const char *event, const char *fmt_kv,
                 ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt_kv);
	rc = gt_log_eventv(log, level, event, fmt_kv, ap);
	va_end(ap);
	return rc;
}
