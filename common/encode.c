/* Hex and base64 encoders and strict decoders with overflow-safe length checks. */
#include "encode.h"

#include <stdint.h>

#include "error.h"

static const char hex_digits[] = "0123456789abcdef";

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of a hex digit, or -1. */
static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Value of a base64 alphabet character, or -1 (also for '='). */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

size_t gt_hex_encoded_len(size_t n)
{
	if (n > (SIZE_MAX - 1) / 2)
		return 0;
	return n * 2;
}

size_t gt_hex_decoded_len(size_t len)
{
	return len / 2;
}

int gt_hex_encode(const uint8_t *in, size_t n, char *out, size_t outlen)
{
	size_t need = gt_hex_encoded_len(n);

	if ((in == NULL && n > 0) || out == NULL)
		return GT_EINVAL;
	if ((need == 0 && n > 0) || outlen < need + 1)
		return GT_ETOOBIG;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_digits[in[i] >> 4];
		out[2 * i + 1] = hex_digits[in[i] & 0x0f];
	}
	out[need] = '\0';
	return GT_OK;
}

int gt_hex_decode(const char *in, size_t len, uint8_t *out, size_t outlen, size_t *written)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = len / 2;

	*written = 0;
	if ((in == NULL && len > 0) || (out == NULL && outlen > 0))
		return GT_EINVAL;
	if (len % 2 != 0)
		return GT_EINVAL;
	for (size_t i = 0; i < len; i++)
		if (hex_value(s[i]) < 0)
			return GT_EINVAL;
	if (outlen < n)
		return GT_ETOOBIG;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(hex_value(s[2 * i]) << 4 | hex_value(s[2 * i + 1]));
	*written = n;
	return GT_OK;
}

size_t gt_base64_encoded_len(size_t n)
{
	size_t groups = n / 3 + (n % 3 != 0);

	if (groups > (SIZE_MAX - 1) / 4)
		return 0;
	return groups * 4;
}

size_t gt_base64_decoded_max(size_t len)
{
	return len / 4 * 3;
}

int gt_base64_encode(const uint8_t *in, size_t n, char *out, size_t outlen)
{
	size_t need = gt_base64_encoded_len(n);
	size_t i = 0, o = 0;

	if ((in == NULL && n > 0) || out == NULL)
		return GT_EINVAL;
	if ((need == 0 && n > 0) || outlen < need + 1)
		return GT_ETOOBIG;
	for (; n - i >= 3; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 0x3f];
		out[o++] = b64_alphabet[(v >> 6) & 0x3f];
		out[o++] = b64_alphabet[v & 0x3f];
	}
	if (n - i > 0) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (n - i == 2)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 0x3f];
		out[o++] = n - i == 2 ? b64_alphabet[(v >> 6) & 0x3f] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return GT_OK;
}

/* Checks a base64 text strictly; on success *n is the number of bytes it decodes to. */
static int b64_validate(const unsigned char *s, size_t len, size_t *n)
{
	size_t pad = 0;

	if (len % 4 != 0)
		return GT_EINVAL;
	if (len == 0) {
		*n = 0;
		return GT_OK;
	}
	if (s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < len - pad; i++)
		if (b64_value(s[i]) < 0)
			return GT_EINVAL;
	/* The bits the padding drops must be zero, or two texts would decode to one value. */
	if (pad == 2 && (b64_value(s[len - 3]) & 0x0f) != 0)
		return GT_EINVAL;
	if (pad == 1 && (b64_value(s[len - 2]) & 0x03) != 0)
		return GT_EINVAL;
	*n = len / 4 * 3 - pad;
	return GT_OK;
}

int gt_base64_decode(const char *in, size_t len, uint8_t *out, size_t outlen, size_t *written)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = 0, o = 0;
	int rc;

	*written = 0;
	if ((in == NULL && len > 0) || (out == NULL && outlen > 0))
		return GT_EINVAL;
	rc = b64_validate(s, len, &n);
	if (rc != GT_OK)
		return rc;
	if (outlen < n)
		return GT_ETOOBIG;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = (uint32_t)b64_value(s[i]) << 18 | (uint32_t)b64_value(s[i + 1]) << 12;
		out[o++] = (uint8_t)(v >> 16);
		if (s[i + 2] == '=')
			break;
		v |= (uint32_t)b64_value(s[i + 2]) << 6;
		out[o++] = (uint8_t)(v >> 8);
		if (s[i + 3] == '=')
			break;
		v |= (uint32_t)b64_value(s[i + 3]);
		out[o++] = (uint8_t)v;
	}
	*written = o;
	return GT_OK;
}
