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

/* One printf conversion as written: "%-12.3lld" is flags "-", width 12, precision 3,
 * length "ll", conversion 'd'. */
struct conv_spec {
	char flags[8];
	size_t nflags;
	int width, prec, left;
	char len[3];
	char conv;
};

/* Reads up to four digits at *f into *out (from 0); GT_EINVAL for a longer run, so that the
 * number cannot overflow. */
static int parse_digits(const char **f, int *out)
{
	int v = 0, k = 0;

	for (; **f >= '0' && **f <= '9'; k++, (*f)++) {
		if (k >= 4)
			return GT_EINVAL;
		v = v * 10 + (**f - '0');
	}
	*out = v;
	return GT_OK;
}

/* Reads the flags, width and precision after the '%' at f into cs (a '*' takes its value
 * from ap, a negative width meaning left-justified) and returns where the length starts, or
 * NULL for a width or precision of more than four digits. */
static const char *parse_flags_width_prec(const char *f, va_list *ap, struct conv_spec *cs)
{
	while (*f != '\0' && strchr("-+ #0", *f) != NULL) {
		if (*f == '-')
			cs->left = 1;
		if (cs->nflags < sizeof(cs->flags) - 1)
			cs->flags[cs->nflags++] = *f;
		f++;
	}
	cs->flags[cs->nflags] = '\0';
	if (*f == '*') {
		cs->width = va_arg(*ap, int);
		if (cs->width < 0) {
			cs->left = 1;
			cs->width = cs->width < -4096 ? 4096 : -cs->width;
		}
		f++;
	} else if (*f >= '0' && *f <= '9' && parse_digits(&f, &cs->width) != GT_OK) {
		return NULL;
	}
	if (*f == '.') {
		f++;
		cs->prec = 0;
		if (*f == '*') {
			cs->prec = va_arg(*ap, int);
			f++;
		} else if (parse_digits(&f, &cs->prec) != GT_OK) {
			return NULL;
		}
	}
	if (cs->width > 4096)
		cs->width = 4096;
	/* A negative '*' width means left-justified. */
	if (cs->left && strchr(cs->flags, '-') == NULL && cs->nflags < sizeof(cs->flags) - 1) {
		cs->flags[cs->nflags++] = '-';
		cs->flags[cs->nflags] = '\0';
	}
	return f;
}

/* Reads the conversion after the '%' at f into cs and returns the byte after it, or NULL
 * for a conversion this formatter does not support (a bad length, an unknown letter). */
static const char *parse_conv(const char *f, va_list *ap, struct conv_spec *cs)
{
	memset(cs, 0, sizeof(*cs));
	cs->width = -1;
	cs->prec = -1;
	f = parse_flags_width_prec(f, ap, cs);
	if (f == NULL)
		return NULL;
	for (int k = 0; k < 2 && *f != '\0' && strchr("hlzjtL", *f) != NULL; k++) {
		if (k == 1 && *f != cs->len[0])
			break;
		cs->len[k] = *f++;
	}
	if (cs->len[1] != '\0' && cs->len[0] != 'h' && cs->len[0] != 'l')
		return NULL;
	cs->conv = *f;
	if (cs->conv == '\0' || strchr("diouxXcspfFeEgGaA", cs->conv) == NULL)
		return NULL;
	if ((cs->conv == 's' || cs->conv == 'c' || cs->conv == 'p') && cs->len[0] != '\0')
		return NULL;
	if (strchr("fFeEgGaA", cs->conv) != NULL && cs->len[0] != '\0' &&
	    strcmp(cs->len, "l") != 0 && strcmp(cs->len, "L") != 0)
		return NULL;
	if (strchr("diouxX", cs->conv) != NULL && cs->len[0] == 'L')
		return NULL;
	return f + 1;
}

/* Formats a %s conversion: the string (NULL as "(null)"), cut at the precision, padded to
 * the width. */
static void format_string(const struct conv_spec *cs, const char *s, struct value *v)
{
	size_t sl;

	if (s == NULL)
		s = "(null)";
	sl = cs->prec >= 0 ? strnlen(s, (size_t)cs->prec) : strlen(s);
	if (!cs->left && cs->width > 0 && (size_t)cs->width > sl)
		value_pad(v, (size_t)cs->width - sl);
	value_put(v, s, sl);
	if (cs->left && cs->width > 0 && (size_t)cs->width > sl)
		value_pad(v, (size_t)cs->width - sl);
}

/* Formats a numeric, character or pointer conversion with snprintf, taking the argument of
 * the type its length says. Returns snprintf's result. */
static int format_number(const struct conv_spec *cs, va_list *ap, char *tmp, size_t size)
{
	const char *len = cs->len;
	char conv = cs->conv, spec[64];
	int n;

	/* The conversion with its numbers spelled out, e.g. "%-12.3lld". */
	n = snprintf(spec, sizeof(spec), "%%%s", cs->flags);
	if (cs->width >= 0)
		n += snprintf(spec + n, sizeof(spec) - (size_t)n, "%d", cs->width);
	if (cs->prec >= 0)
		n += snprintf(spec + n, sizeof(spec) - (size_t)n, ".%d", cs->prec);
	snprintf(spec + n, sizeof(spec) - (size_t)n, "%s%c", len, conv);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strchr("diouxXc", conv) != NULL) {
		int sign = strchr("di", conv) != NULL;
		if (len[0] == 'l' && len[1] == 'l')
			n = sign ? snprintf(tmp, size, spec, va_arg(*ap, long long))
			         : snprintf(tmp, size, spec, va_arg(*ap, unsigned long long));
		else if (len[0] == 'l')
			n = sign ? snprintf(tmp, size, spec, va_arg(*ap, long))
			         : snprintf(tmp, size, spec, va_arg(*ap, unsigned long));
		else if (len[0] == 'z')
			n = sign ? snprintf(tmp, size, spec, va_arg(*ap, ssize_t))
			         : snprintf(tmp, size, spec, va_arg(*ap, size_t));
		else if (len[0] == 'j')
			n = sign ? snprintf(tmp, size, spec, va_arg(*ap, intmax_t))
			         : snprintf(tmp, size, spec, va_arg(*ap, uintmax_t));
		else if (len[0] == 't')
			n = snprintf(tmp, size, spec, va_arg(*ap, ptrdiff_t));
		else
			/* int, and hh/h/c, which promote to int. */
			n = sign || conv == 'c'
			        ? snprintf(tmp, size, spec, va_arg(*ap, int))
			        : snprintf(tmp, size, spec, va_arg(*ap, unsigned int));
	} else if (conv == 'p') {
		n = snprintf(tmp, size, spec, va_arg(*ap, void *));
	} else if (len[0] == 'L') {
		n = snprintf(tmp, size, spec, va_arg(*ap, long double));
	} else {
		n = snprintf(tmp, size, spec, va_arg(*ap, double));
	}
#pragma GCC diagnostic pop
	return n;
}

/*
 * Formats the one conversion at *fp (pointing at '%') with its argument(s) from ap into v
 * and advances *fp past it. Returns GT_EINVAL, leaving *fp, for a conversion it does not
 * support; the caller then stops reading arguments.
 */
static int format_conv(const char **fp, va_list *ap, struct value *v)
{
	struct conv_spec cs;
	const char *next;
	char tmp[512];
	int n;

	if ((*fp)[1] == '%') {
		value_put(v, "%", 1);
		*fp += 2;
		return GT_OK;
	}
	next = parse_conv(*fp + 1, ap, &cs);
	if (next == NULL)
		return GT_EINVAL;
	*fp = next;
	if (cs.conv == 's') {
		format_string(&cs, va_arg(*ap, const char *), v);
		return GT_OK;
	}
	n = format_number(&cs, ap, tmp, sizeof(tmp));
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

/* Appends "TIME LEVEL EVENT", the head of every line ("<PRIORITY>LEVEL EVENT" for the
 * journal, which records the time itself). */
static int append_head(struct gt_buf *line, const struct gt_log *log, enum gt_log_level level,
                       const char *event)
{
	const char *name = gt_log_level_name(level);
	const char *e = event != NULL ? event : "";
	int rc;

	if (log->journal && level >= GT_LOG_DEBUG && level <= GT_LOG_ERROR)
		rc = gt_buf_append(line, journal_prefix[level], 3);
	else
		rc = append_time(line, log->now_ms != NULL ? log->now_ms(log->now_arg)
		                                           : gt_clock_wall_ms());
	if (rc == GT_OK && !log->journal)
		rc = gt_buf_append(line, " ", 1);
	if (rc == GT_OK)
		rc = gt_buf_append(line, name, strlen(name));
	if (rc == GT_OK)
		rc = gt_buf_append(line, " ", 1);
	if (rc == GT_OK)
		rc = append_name(line, e, strnlen(e, 256));
	return rc;
}

/*
 * Appends the fields of the template f ("key=%d value ..."), each formatted from ap into the
 * scratch value v. Fields that no longer fit are dropped and *truncated set. Returns GT_OK,
 * GT_EINVAL when a conversion could not be formatted (the fields before it are kept), or
 * another error of the buffer.
 */
static int append_fields(struct gt_buf *line, const char *f, va_list *ap, struct value *v,
                         int *truncated)
{
	int rc;

	*truncated = 0;
	while (*f != '\0') {
		const char *key = NULL, *q;
		size_t keylen = 0;
		int fmt_rc;

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
		fmt_rc = format_value(&f, ap, v);
		if (!*truncated) {
			rc = append_field(line, key, keylen, v);
			if (rc == GT_ETOOBIG)
				*truncated = 1;
			else if (rc != GT_OK)
				return rc;
		}
		if (fmt_rc != GT_OK)
			return GT_EINVAL;
	}
	return GT_OK;
}

int gt_log_eventv(struct gt_log *log, enum gt_log_level level, const char *event,
                  const char *fmt_kv, va_list ap)
{
	struct gt_buf line;
	struct value *v = NULL;
	int rc = GT_OK, fmt_rc, truncated;
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
	if ((rc = append_head(&line, log, level, event)) != GT_OK)
		goto out;
	fmt_rc = append_fields(&line, fmt_kv != NULL ? fmt_kv : "", &aq, v, &truncated);
	if (fmt_rc != GT_OK && fmt_rc != GT_EINVAL) {
		rc = fmt_rc;
		goto out;
	}
	line.max = GT_LOG_MAX_LINE;
	if (truncated)
		rc = gt_buf_append(&line, " truncated=1", 12);
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
