/* Fuzzes the terminal escaping (client/termtext.c): whatever the text, what it writes holds no
 * control character, no C1, no bidirectional override and no byte that is not UTF-8; both entry
 * points agree; a short buffer gets a prefix; text that needs no escape passes unchanged. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "termtext.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s is safe for a terminal: valid UTF-8 without C0, DEL, C1 or bidirectional controls. */
static int safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp;
		size_t n = gt_utf8_decode(p, &cp);
		if (n == 0 || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
		    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
			return 0;
		p += n;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *out, *put = NULL, small[17];
	size_t need, len = 0;
	FILE *m;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (unsigned flags = 0; flags < 4; flags++) {
		need = gt_termtext_escape(NULL, 0, text, flags);
		out = malloc(need + 1);
		if (out == NULL)
			abort();
		if (gt_termtext_escape(out, need + 1, text, flags) != need || strlen(out) != need ||
		    !safe(out))
			abort();
		/* Text with nothing to escape comes back as it was. */
		if (flags == 0 && safe(text) && strcmp(out, text) != 0)
			abort();
		m = open_memstream(&put, &len);
		if (m == NULL)
			abort();
		gt_termtext_put(m, text, flags);
		fclose(m);
		if (len != need || strcmp(put, out) != 0)
			abort();
		free(put);
		put = NULL;
		/* A short buffer holds a prefix, cut between whole escapes, still safe. */
		gt_termtext_escape(small, sizeof(small), text, flags);
		if (strncmp(small, out, strlen(small)) != 0 || !safe(small))
			abort();
		free(out);
	}
	free(text);
	return 0;
}
