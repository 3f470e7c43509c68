/* The digest of a metadata set and the version derived from it. */
#include "meta_int.h"

#include <string.h>

#include "crypto.h"

int gt__meta_digest_set(struct ld *L, struct gt_meta_file *files, size_t n, uint8_t *out)
{
	static const char tag[] = "gtsync-metadata-1";
	size_t size = sizeof(tag), off = 0;
	uint8_t *buf;
	int rc;

	for (size_t i = 0; i < n; i++)
		size += 4 + strlen(files[i].name) + GT_SHA256_LEN;
	buf = gt__meta_arena_alloc(&L->ix->arena, size);
	if (buf == NULL)
		return gt__meta_nomem(L);
	memcpy(buf, tag, sizeof(tag));
	off = sizeof(tag);
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(files[i].name);
		buf[off++] = (uint8_t)(nl >> 24);
		buf[off++] = (uint8_t)(nl >> 16);
		buf[off++] = (uint8_t)(nl >> 8);
		buf[off++] = (uint8_t)nl;
		memcpy(buf + off, files[i].name, nl);
		off += nl;
		memcpy(buf + off, files[i].sha256, GT_SHA256_LEN);
		off += GT_SHA256_LEN;
	}
	rc = gt_crypto_sha256(buf, size, out);
	return rc;
}

uint64_t gt_meta_version(const struct gt_meta *m)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | m->digest[i];
	return v;
}
