/* SHA-256, randomness, constant-time comparison and wiping on top of OpenSSL 3 EVP. */
#include "crypto.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "error.h"
#include "gtlimits.h"

struct gt_crypto_sha256 {
	EVP_MD_CTX *md;
};

int gt_crypto_take_error(void)
{
	int rc = gt_err_from_openssl(ERR_get_error());

	ERR_clear_error();
	return rc;
}

int gt_crypto_sha256(const void *data, size_t len, uint8_t out[GT_SHA256_LEN])
{
	static const uint8_t empty[1];
	unsigned int n = 0;

	if ((data == NULL && len > 0) || out == NULL)
		return GT_EINVAL;
	if (data == NULL)
		data = empty;
	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1)
		return gt_crypto_take_error();
	if (n != GT_SHA256_LEN)
		return GT_ECRYPTO;
	return GT_OK;
}

int gt_crypto_sha256_init(struct gt_crypto_sha256 **out)
{
	struct gt_crypto_sha256 *h = NULL;
	int rc;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	h->md = EVP_MD_CTX_new();
	if (h->md == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	if (EVP_DigestInit_ex2(h->md, EVP_sha256(), NULL) != 1) {
		rc = gt_crypto_take_error();
		goto out;
	}
	*out = h;
	h = NULL;
	rc = GT_OK;
out:
	gt_crypto_sha256_free(h);
	return rc;
}

int gt_crypto_sha256_update(struct gt_crypto_sha256 *h, const void *data, size_t len)
{
	if (h == NULL || (data == NULL && len > 0))
		return GT_EINVAL;
	if (len == 0)
		return GT_OK;
	if (EVP_DigestUpdate(h->md, data, len) != 1)
		return gt_crypto_take_error();
	return GT_OK;
}

int gt_crypto_sha256_final(struct gt_crypto_sha256 *h, uint8_t out[GT_SHA256_LEN])
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (h == NULL || out == NULL)
		return GT_EINVAL;
	if (EVP_DigestFinal_ex(h->md, digest, &n) != 1 || n != GT_SHA256_LEN)
		return gt_crypto_take_error();
	/* Restart at once so h is ready for the next message. */
	if (EVP_DigestInit_ex2(h->md, NULL, NULL) != 1)
		return gt_crypto_take_error();
	memcpy(out, digest, GT_SHA256_LEN);
	return GT_OK;
}

void gt_crypto_sha256_free(struct gt_crypto_sha256 *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->md);
	free(h);
}

int gt_crypto_random(void *out, size_t len)
{
	uint8_t *p = out;

	if (out == NULL && len > 0)
		return GT_EINVAL;
	/* RAND_bytes takes an int length; draw large requests in pieces. */
	while (len > 0) {
		int n = len > INT_MAX ? INT_MAX : (int)len;
		if (RAND_bytes(p, n) != 1)
			return gt_crypto_take_error();
		p += n;
		len -= (size_t)n;
	}
	return GT_OK;
}

int gt_crypto_equal(const void *a, const void *b, size_t n)
{
	if (n == 0)
		return 1;
	return CRYPTO_memcmp(a, b, n) == 0;
}

void gt_crypto_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}
