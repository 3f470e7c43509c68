/* The approval digest: SHA-256 over a canonical listing of the values an approver approves. */
#include "digest.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "error.h"

#define DIGEST_DOMAIN "gtsync-approval-v1\n"

struct gt_digest {
	struct gt_crypto_sha256 *h;
	/* The previous key, for the order check. */
	char prev[4][GT_MAX_CODE_LEN + 1];
	int have_prev;
	int failed;
	uint64_t count;
};

static int field_ok(const char *s)
{
	return strpbrk(s, "\t\n\r") == NULL;
}

static int feed(struct gt_digest *d, const char *s, char end)
{
	int rc = gt_crypto_sha256_update(d->h, s, strlen(s));
	if (rc == GT_OK)
		rc = gt_crypto_sha256_update(d->h, &end, 1);
	return rc;
}

/* Feeds a value, escaping backslash, tab, line feed and carriage return, then a newline. */
static int feed_value(struct gt_digest *d, const char *v)
{
	const char *run = v;
	int rc = GT_OK;

	for (const char *p = v; *p != '\0' && rc == GT_OK; p++) {
		const char *esc = *p == '\\'   ? "\\\\"
		                  : *p == '\t' ? "\\t"
		                  : *p == '\n' ? "\\n"
		                  : *p == '\r' ? "\\r"
		                               : NULL;
		if (esc == NULL)
			continue;
		rc = gt_crypto_sha256_update(d->h, run, (size_t)(p - run));
		if (rc == GT_OK)
			rc = gt_crypto_sha256_update(d->h, esc, 2);
		run = p + 1;
	}
	if (rc == GT_OK)
		rc = gt_crypto_sha256_update(d->h, run, strlen(run));
	if (rc == GT_OK)
		rc = gt_crypto_sha256_update(d->h, "\n", 1);
	return rc;
}

int gt_digest_begin(const char *dataset, const char *period, const char *org_unit,
                    struct gt_digest **out)
{
	struct gt_digest *d;
	int rc;

	*out = NULL;
	if (!field_ok(dataset) || !field_ok(period) || !field_ok(org_unit))
		return GT_EINVAL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return GT_ENOMEM;
	if ((rc = gt_crypto_sha256_init(&d->h)) != GT_OK ||
	    (rc = gt_crypto_sha256_update(d->h, DIGEST_DOMAIN, strlen(DIGEST_DOMAIN))) ||
	    (rc = feed(d, dataset, '\t')) || (rc = feed(d, period, '\t')) ||
	    (rc = feed(d, org_unit, '\n'))) {
		gt_digest_free(d);
		return rc;
	}
	*out = d;
	return GT_OK;
}

int gt_digest_key_cmp(const char *e1, const char *p1, const char *o1, const char *c1,
                      const char *e2, const char *p2, const char *o2, const char *c2)
{
	int c;
	if ((c = strcmp(e1, e2)) != 0 || (c = strcmp(p1, p2)) != 0 || (c = strcmp(o1, o2)) != 0)
		return c;
	return strcmp(c1, c2);
}

int gt_digest_add(struct gt_digest *d, const char *element, const char *period,
                  const char *org_unit, const char *combo, const char *value)
{
	const char *key[4] = {element, period, org_unit, combo};
	int rc;

	if (d->failed)
		return GT_EINVAL;
	for (int i = 0; i < 4; i++) {
		if (!field_ok(key[i]) || strlen(key[i]) > GT_MAX_CODE_LEN) {
			d->failed = 1;
			return GT_EINVAL;
		}
	}
	if ((d->have_prev && gt_digest_key_cmp(d->prev[0], d->prev[1], d->prev[2], d->prev[3],
	                                       element, period, org_unit, combo) >= 0)) {
		d->failed = 1;
		return GT_EINVAL;
	}
	for (int i = 0; i < 4; i++)
		strcpy(d->prev[i], key[i]);
	d->have_prev = 1;
	if ((rc = feed(d, element, '\t')) || (rc = feed(d, period, '\t')) ||
	    (rc = feed(d, org_unit, '\t')) || (rc = feed(d, combo, '\t')) ||
	    (rc = feed_value(d, value))) {
		d->failed = 1;
		return rc;
	}
	d->count++;
	return GT_OK;
}

int gt_digest_end(struct gt_digest *d, uint8_t out[GT_SHA256_LEN], uint64_t *count)
{
	if (d->failed)
		return GT_EINVAL;
	if (count != NULL)
		*count = d->count;
	return gt_crypto_sha256_final(d->h, out);
}

void gt_digest_free(struct gt_digest *d)
{
	if (d == NULL)
		return;
	gt_crypto_sha256_free(d->h);
	free(d);
}
