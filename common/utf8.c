/* UTF-8 decoding, one sequence at a time, as the checkers and escapers need it. */
#include "utf8.h"

size_t gt_utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned c = s[0];
	size_t k;
	uint32_t v;

	*cp = c;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		k = 1;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		k = 2;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		k = 3;
		v = c & 0x07;
	} else {
		return 0;
	}
	for (size_t j = 1; j <= k; j++) {
		if ((s[j] & 0xC0) != 0x80) /* also stops at the NUL */
			return 0;
		v = (v << 6) | (s[j] & 0x3F);
	}
	if ((k == 2 && v < 0x800) || (k == 3 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return k + 1;
}
