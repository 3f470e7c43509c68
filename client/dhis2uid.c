/* DHIS2 UIDs derived deterministically from gtsync's codes, and the default combo's ids. */
#include "dhis2uid.h"

#include <stdint.h>
#include <string.h>

#include "crypto.h"

/* DHIS2's UID alphabet (CodeGenerator): letters for the first character, then letters and
 * digits. */
static const char LETTERS[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char ALNUM[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

void gt_dhis2uid(enum gt_dhis2_kind kind, const char *code, char out[GT_DHIS2UID_LEN])
{
	static const char tag[] = "gtsync-dhis2-uid-v1";
	uint8_t buf[sizeof(tag) + 1 + 256], h[GT_SHA256_LEN];
	size_t n = strlen(code != NULL ? code : "");

	if (n > 256)
		n = 256; /* codes are at most 64 bytes; the cut only bounds the buffer */
	memcpy(buf, tag, sizeof(tag)); /* with its NUL as a separator */
	buf[sizeof(tag)] = (uint8_t)kind;
	if (n > 0)
		memcpy(buf + sizeof(tag) + 1, code, n);
	(void)gt_crypto_sha256(buf, sizeof(tag) + 1 + n, h);
	/* Two bytes per character keep the modulo bias under 0.1%. */
	out[0] = LETTERS[(((unsigned)h[0] << 8) | h[1]) % (sizeof(LETTERS) - 1)];
	for (int i = 1; i < 11; i++)
		out[i] = ALNUM[(((unsigned)h[2 * i] << 8) | h[2 * i + 1]) % (sizeof(ALNUM) - 1)];
	out[11] = '\0';
}

int gt_dhis2uid_valid(const char *s)
{
	if (s == NULL || strlen(s) != 11 || strchr(LETTERS, s[0]) == NULL || s[0] == '\0')
		return 0;
	for (int i = 1; i < 11; i++)
		if (s[i] == '\0' || strchr(ALNUM, s[i]) == NULL)
			return 0;
	return 1;
}
