/* Lexical checks (UTF-8, codes, numbers) and the tokenizer of .gtm lines. */
#include "meta_int.h"

#include <string.h>

/* Decodes one UTF-8 character at s[*i]; returns the code point or -1 if malformed. */
long gt__meta_utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	size_t k = *i;
	unsigned b0 = s[k], need;
	unsigned long cp;

	if (b0 < 0x80) {
		*i = k + 1;
		return b0;
	}
	if (b0 < 0xC2)
		return -1;
	if (b0 < 0xE0) {
		need = 1;
		cp = b0 & 0x1F;
	} else if (b0 < 0xF0) {
		need = 2;
		cp = b0 & 0x0F;
	} else if (b0 < 0xF5) {
		need = 3;
		cp = b0 & 0x07;
	} else {
		return -1;
	}
	if (len - k <= need)
		return -1;
	for (unsigned j = 1; j <= need; j++) {
		unsigned b = s[k + j];
		if ((b & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (b & 0x3F);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*i = k + need + 1;
	return (long)cp;
}

bool gt__meta_is_control(long cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

static bool is_bare(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == '/' || c == ':' || c == '+' || c == '%';
}

bool gt__meta_code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > GT_META_MAX_CODE)
		return false;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* Checks a decimal: optional "-" (when neg_ok), "0" or digits not starting with 0, then an
 * optional "." and digits; at most GT_META_MAX_NUMBER_LEN bytes. Sets *out (optional). */
bool gt__meta_decimal_parse(const char *s, bool neg_ok, double *out)
{
	const char *p = s;
	double v = 0, scale = 1;
	bool neg = false;

	if (strlen(s) > GT_META_MAX_NUMBER_LEN)
		return false;
	if (*p == '-' && neg_ok) {
		neg = true;
		p++;
	}
	if (*p < '0' || *p > '9')
		return false;
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return false;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p++ - '0');
			scale *= 10;
		}
	}
	if (*p != '\0')
		return false;
	if (out != NULL)
		*out = (neg ? -v : v) / scale;
	return true;
}

/* Parses digits only (no sign) into *out, refusing values above max. */
bool gt__meta_uint_parse(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

/* Splits line[0..len) (no control characters but tabs, valid UTF-8) into L->toks. Returns 0,
 * or -1 after reporting an error. */
int gt__meta_tokenize(struct ld *L, const char *line, size_t len)
{
	char *out = L->scratch;
	size_t i = 0;

	L->ntoks = 0;
	for (;;) {
		struct tok *t;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			return 0;
		if (L->ntoks == MAX_TOKENS) {
			ERR(L, "too many words on one line");
			return -1;
		}
		t = &L->toks[L->ntoks];
		t->s = out;
		if (line[i] == '"') {
			t->quoted = true;
			i++;
			for (;;) {
				if (i == len) {
					ERR(L, "unterminated string");
					return -1;
				}
				if (line[i] == '"') {
					i++;
					break;
				}
				if (line[i] == '\\') {
					if (i + 1 < len &&
					    (line[i + 1] == '"' || line[i + 1] == '\\')) {
						*out++ = line[i + 1];
						i += 2;
						continue;
					}
					ERR(L, "unknown escape in string (only \\\" and \\\\ are "
					       "allowed)");
					return -1;
				}
				*out++ = line[i++];
			}
			if (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#') {
				ERR(L, "expected a space after the closing quote");
				return -1;
			}
		} else if (is_bare((unsigned char)line[i])) {
			t->quoted = false;
			while (i < len && is_bare((unsigned char)line[i]))
				*out++ = line[i++];
			if (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#') {
				if ((unsigned char)line[i] < 0x80)
					ERR(L,
					    "unexpected character '%c' (quote text that holds it)",
					    line[i]);
				else
					ERR(L, "unexpected non-ASCII character outside quotes");
				return -1;
			}
		} else {
			if ((unsigned char)line[i] < 0x80)
				ERR(L, "unexpected character '%c' (quote text that holds it)",
				    line[i]);
			else
				ERR(L, "unexpected non-ASCII character outside quotes");
			return -1;
		}
		t->len = (size_t)(out - t->s);
		*out++ = '\0';
		L->ntoks++;
	}
}
