/* Text from outside (server messages, reasons, comments, names, values) made safe for a
 * terminal: one escaping function for every line gtsync prints. */
#include "termtext.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Whether a code point is a C1 control or a bidirectional embedding, override or isolate. */
static int hidden_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* The escape of the text at *p: writes it to esc (at most 7 bytes, not NUL-terminated) and
 * returns its length, or copies the character itself to esc; advances *p. */
static size_t next(const unsigned char **p, char esc[8], unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	unsigned c = **p;
	uint32_t cp = 0;
	size_t n;

	if (c < 0x20 || c == 0x7F) {
		(*p)++;
		if ((flags & GT_TERMTEXT_FOLD) && (c == '\n' || c == '\r' || c == '\t')) {
			esc[0] = ' ';
			return 1;
		}
		esc[0] = '\\';
		if (c == '\n' || c == '\r' || c == '\t') {
			esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			return 2;
		}
		esc[1] = 'x';
		esc[2] = hex[c >> 4];
		esc[3] = hex[c & 15];
		return 4;
	}
	if (c < 0x80) {
		(*p)++;
		if ((flags & GT_TERMTEXT_QUOTE) && (c == '"' || c == '\\')) {
			esc[0] = '\\';
			esc[1] = (char)c;
			return 2;
		}
		esc[0] = (char)c;
		return 1;
	}
	n = gt_utf8_decode(*p, &cp);
	if (n == 0) {
		(*p)++;
		esc[0] = '\\';
		esc[1] = 'x';
		esc[2] = hex[c >> 4];
		esc[3] = hex[c & 15];
		return 4;
	}
	if (hidden_control(cp)) {
		*p += n;
		esc[0] = '\\';
		esc[1] = 'u';
		for (int i = 0; i < 4; i++)
			esc[2 + i] = hex[(cp >> (12 - 4 * i)) & 15];
		return 6;
	}
	memcpy(esc, *p, n);
	*p += n;
	return n;
}

size_t gt_termtext_escape(char *dst, size_t len, const char *src, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)(src != NULL ? src : "");
	size_t need = 0, used = 0;
	int cut = len == 0;
	char esc[8];

	while (*p) {
		size_t k = next(&p, esc, flags);
		if (!cut && used + k < len) {
			memcpy(dst + used, esc, k);
			used += k;
		} else {
			cut = 1;
		}
		need += k;
	}
	if (len > 0)
		dst[used] = '\0';
	return need;
}

void gt_termtext_put(FILE *out, const char *src, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)(src != NULL ? src : "");
	char esc[8];

	while (*p) {
		/* Runs of plain ASCII go out in one call. */
		size_t run = 0;
		while (p[run] >= 0x20 && p[run] < 0x7F &&
		       !((flags & GT_TERMTEXT_QUOTE) && (p[run] == '"' || p[run] == '\\')))
			run++;
		if (run > 0) {
			fwrite(p, 1, run, out);
			p += run;
			continue;
		}
		fwrite(esc, 1, next(&p, esc, flags), out);
	}
}

void gt_termtext_vline(FILE *out, const char *fmt, va_list ap)
{
	char buf[1024], *text = buf;
	va_list again;
	int n;

	if (out == NULL)
		return;
	va_copy(again, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf) && (text = malloc((size_t)n + 1)) != NULL)
		vsnprintf(text, (size_t)n + 1, fmt, again);
	va_end(again);
	if (n < 0)
		buf[0] = '\0';
	/* Out of memory for a long line: its first part is shown. */
	gt_termtext_put(out, text != NULL ? text : buf, 0);
	fputc('\n', out);
	fflush(out);
	if (text != buf)
		free(text);
}

void gt_termtext_line(FILE *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gt_termtext_vline(out, fmt, ap);
	va_end(ap);
}

const char *gt_termtext_str(struct gt_termtext *t, const char *src)
{
	size_t need;
	char *s;

	if (t->n >= GT_TERMTEXT_SLOTS)
		return "(?)";
	need = gt_termtext_escape(NULL, 0, src, 0);
	s = malloc(need + 1);
	if (s == NULL)
		return "(?)";
	gt_termtext_escape(s, need + 1, src, 0);
	t->s[t->n++] = s;
	return s;
}

void gt_termtext_clear(struct gt_termtext *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->s[i]);
	t->n = 0;
}
