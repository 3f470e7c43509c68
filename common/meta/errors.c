/* The loader's error messages: each names its file and line, at most GT_META_MAX_ERRORS. */
#define _GNU_SOURCE
#include "meta_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Ends s (at least len bytes long) at len bytes or less, at a character boundary. */
static void cut_utf8(char *s, size_t len)
{
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	s[len] = '\0';
}

void gt__meta_err_at(struct ld *L, uint32_t fidx, unsigned line, const char *fmt, ...)
{
	char msg[GT_META_MAX_ERROR_LEN];
	const char *fname =
	    fidx < L->nsrcs ? L->srcs[fidx].name : (L->setname != NULL ? L->setname : "metadata");
	struct err_item *e;
	va_list ap;
	int n;

	if (L->nerrs >= GT_META_MAX_ERRORS) {
		L->dropped++;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
	else if ((size_t)n >= sizeof(msg))
		cut_utf8(msg, sizeof(msg) - 1);
	e = &L->errs[L->nerrs];
	if (line > 0)
		n = asprintf(&e->text, "%s:%u: %s", fname, line, msg);
	else
		n = asprintf(&e->text, "%s: %s", fname, msg);
	if (n < 0) {
		e->text = NULL;
		L->nomem = true;
		L->stop = true;
		L->dropped++;
		return;
	}
	if ((size_t)n >= GT_META_MAX_ERROR_LEN)
		cut_utf8(e->text, GT_META_MAX_ERROR_LEN - 1);
	e->line = line;
	e->fidx = fidx;
	e->seq = L->seq++;
	L->nerrs++;
}
void gt__meta_set_rc(struct ld *L, int rc)
{
	if (L->rc == 0)
		L->rc = rc;
}

int gt__meta_nomem(struct ld *L)
{
	L->nomem = true;
	L->stop = true;
	return GT_ENOMEM;
}

/* A short printable form of s for messages (at most SHOW_LEN bytes, cut at a character). */
const char *gt__meta_show(struct ld *L, const char *s)
{
	char *buf = L->show[L->show_next];
	size_t n = strlen(s);

	L->show_next ^= 1;
	if (n <= SHOW_LEN)
		return s;
	n = SHOW_LEN;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(buf, s, n);
	memcpy(buf + n, "...", 4);
	return buf;
}
