/* Writing JSON through jansson: strings made valid UTF-8, numbers as the reports write them. */
#include "jsonout.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "utf8.h"

/* The UTF-8 of U+FFFD, the replacement character. */
static const char REPLACEMENT[] = "\xef\xbf\xbd";

json_t *gt_jsonout_string(const char *s)
{
	const unsigned char *p;
	size_t n, cap;
	char *buf, *w;
	json_t *v;

	if (s == NULL)
		s = "";
	n = strlen(s);
	v = json_stringn(s, n);
	if (v != NULL)
		return v;
	/* Invalid UTF-8 (or an allocation that failed): rebuild with replacements. Each input
	 * byte becomes at most 3 output bytes. */
	if (n > (SIZE_MAX - 1) / 3)
		return NULL;
	cap = n * 3 + 1;
	buf = malloc(cap);
	if (buf == NULL)
		return NULL;
	w = buf;
	p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		size_t k = gt_utf8_decode(p, &cp);
		if (k == 0) {
			memcpy(w, REPLACEMENT, 3);
			w += 3;
			p++;
			continue;
		}
		memcpy(w, p, k);
		w += k;
		p += k;
	}
	v = json_stringn(buf, (size_t)(w - buf));
	free(buf);
	return v;
}

json_t *gt_jsonout_number(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) <= 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

int gt_jsonout_set(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL)
		return GT_ENOMEM;
	return json_object_set_new(obj, key, v) == 0 ? GT_OK : GT_ENOMEM;
}

int gt_jsonout_append(json_t *arr, json_t *v)
{
	if (v == NULL)
		return GT_ENOMEM;
	return json_array_append_new(arr, v) == 0 ? GT_OK : GT_ENOMEM;
}

int gt_jsonout_dump(FILE *out, const json_t *v, size_t extra_flags)
{
	if (json_dumpf(v, out, GT_JSONOUT_FLAGS | JSON_ENCODE_ANY | extra_flags) != 0)
		return GT_EIO;
	return ferror(out) ? GT_EIO : GT_OK;
}
