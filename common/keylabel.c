/* A key's label: the office and person a key stands for, as people read it in lists and reports. */
#include "keylabel.h"

#include <stdint.h>
#include <string.h>

#include "error.h"
#include "utf8.h"

int gt_keylabel_check(const char *text, const char **why)
{
	const unsigned char *p = (const unsigned char *)text;

	*why = NULL;
	if (text == NULL) {
		*why = "no label";
		return GT_EINVAL;
	}
	if (strnlen(text, GT_KEYLABEL_MAX) >= GT_KEYLABEL_MAX) {
		*why = "the label is too long (at most 127 bytes)";
		return GT_EINVAL;
	}
	while (*p != '\0') {
		uint32_t cp;
		size_t n = gt_utf8_decode(p, &cp);
		if (n == 0) {
			*why = "the label is not valid UTF-8";
			return GT_EINVAL;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			*why = "the label holds a control character";
			return GT_EINVAL;
		}
		p += n;
	}
	return GT_OK;
}
