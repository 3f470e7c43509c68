/* The batch journal: an append-only file of the writer's groups, synced once per group. */
#include "blog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "crypto.h"
#include "error.h"
#include "fileio.h"

static const char magic[8] = {'G', 'T', 'S', 'Y', 'N', 'C', 'J', '1'};

struct gt_blog {
	int fd;
	uint64_t gen;
	uint64_t end;    /* the end of the valid frames */
	uint64_t zeroed; /* the file's size: zeros from end to there */
	char path[GT_PATH_MAX];
	/* Test hooks (GT_TEST_HOOKS builds, from the environment): skip the fdatasync; record the
	 * synced length in path.synced, so that a simulated power loss can cut what was not. */
	int nosync;
	int record_synced;
};

/* The first 8 bytes of SHA-256 over a and b. */
static int sum8(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t out[8])
{
	struct gt_crypto_sha256 *h = NULL;
	uint8_t d[GT_SHA256_LEN];
	int rc = gt_crypto_sha256_init(&h);

	if (rc == GT_OK)
		rc = gt_crypto_sha256_update(h, a, alen);
	if (rc == GT_OK && blen > 0)
		rc = gt_crypto_sha256_update(h, b, blen);
	if (rc == GT_OK)
		rc = gt_crypto_sha256_final(h, d);
	gt_crypto_sha256_free(h);
	if (rc == GT_OK)
		memcpy(out, d, 8);
	return rc;
}

/* ---- Encoding ---- */

static size_t entry_size(const struct gt_blog_entry *e)
{
	return 1 + 8 + 8 + 4 + 1 + strlen(e->key_id) + 1 + strlen(e->org_unit) +
	       GT_ED25519_PUB_LEN + 4 + e->batch_len + 1 + e->sig_len;
}

int gt_blog_encode(const struct gt_blog_entry *e, size_t n, uint8_t **out, size_t *len)
{
	size_t total = 4, pos;
	uint8_t *p;

	*out = NULL;
	*len = 0;
	if (n > GT_BLOG_MAX_ENTRIES)
		return GT_ETOOBIG;
	for (size_t i = 0; i < n; i++) {
		if (strlen(e[i].key_id) > UINT8_MAX || strlen(e[i].org_unit) > UINT8_MAX ||
		    e[i].sig_len > UINT8_MAX || e[i].batch_len > GT_BLOG_MAX_FRAME)
			return GT_ETOOBIG;
		total += entry_size(&e[i]);
		if (total > GT_BLOG_MAX_FRAME)
			return GT_ETOOBIG;
	}
	p = malloc(GT_BLOG_FRAME_HEAD + total);
	if (p == NULL)
		return GT_ENOMEM;
	pos = GT_BLOG_FRAME_HEAD;
	gt_buf_store_u32le(p + pos, (uint32_t)n);
	pos += 4;
	for (size_t i = 0; i < n; i++) {
		size_t kl = strlen(e[i].key_id), ol = strlen(e[i].org_unit);

		p[pos++] = GT_BLOG_PUSH;
		gt_buf_store_u64le(p + pos, (uint64_t)e[i].received_ms);
		gt_buf_store_u64le(p + pos + 8, e[i].md_version);
		gt_buf_store_u32le(p + pos + 16, e[i].roles);
		pos += 20;
		p[pos++] = (uint8_t)kl;
		memcpy(p + pos, e[i].key_id, kl);
		pos += kl;
		p[pos++] = (uint8_t)ol;
		memcpy(p + pos, e[i].org_unit, ol);
		pos += ol;
		memcpy(p + pos, e[i].pub, GT_ED25519_PUB_LEN);
		pos += GT_ED25519_PUB_LEN;
		gt_buf_store_u32le(p + pos, (uint32_t)e[i].batch_len);
		pos += 4;
		memcpy(p + pos, e[i].batch, e[i].batch_len);
		pos += e[i].batch_len;
		p[pos++] = (uint8_t)e[i].sig_len;
		memcpy(p + pos, e[i].sig, e[i].sig_len);
		pos += e[i].sig_len;
	}
	gt_buf_store_u32le(p, GT_BLOG_FRAME_MAGIC);
	gt_buf_store_u32le(p + 4, (uint32_t)total);
	if (sum8(p + 4, 4, p + GT_BLOG_FRAME_HEAD, total, p + 8) != GT_OK) {
		free(p);
		return GT_ECRYPTO;
	}
	*out = p;
	*len = pos;
	return GT_OK;
}

/* ---- Decoding ---- */

int gt_blog_frame_check(const uint8_t *data, size_t len, size_t *frame_len)
{
	uint8_t sum[8];
	uint32_t plen;

	*frame_len = 0;
	if (len < 8)
		return GT_EAGAIN;
	if (gt_buf_load_u32le(data) != GT_BLOG_FRAME_MAGIC)
		return GT_ECORRUPT;
	plen = gt_buf_load_u32le(data + 4);
	if (plen > GT_BLOG_MAX_FRAME || plen < 4)
		return GT_ECORRUPT;
	if (len < GT_BLOG_FRAME_HEAD || len - GT_BLOG_FRAME_HEAD < plen)
		return GT_EAGAIN;
	if (sum8(data + 4, 4, data + GT_BLOG_FRAME_HEAD, plen, sum) != GT_OK ||
	    memcmp(sum, data + 8, 8) != 0)
		return GT_ECORRUPT;
	*frame_len = GT_BLOG_FRAME_HEAD + (size_t)plen;
	return GT_OK;
}

void gt_blog_frame_free(struct gt_blog_frame *f)
{
	if (f == NULL)
		return;
	free(f->entries);
	free(f->names);
	memset(f, 0, sizeof(*f));
}

/* A reader over the payload: every take checks what is left first. */
struct rd {
	const uint8_t *p;
	size_t left;
};

static const uint8_t *take(struct rd *r, size_t n)
{
	const uint8_t *p = r->p;

	if (n > r->left)
		return NULL;
	r->p += n;
	r->left -= n;
	return p;
}

/* Copies a u8-length string into names at *used (NUL-terminated); NULL when malformed. */
static const char *take_str(struct rd *r, char *names, size_t *used)
{
	const uint8_t *lp = take(r, 1), *s;
	char *out;

	if (lp == NULL || (s = take(r, *lp)) == NULL || memchr(s, '\0', *lp) != NULL)
		return NULL;
	out = names + *used;
	memcpy(out, s, *lp);
	out[*lp] = '\0';
	*used += (size_t)*lp + 1;
	return out;
}

int gt_blog_decode(const uint8_t *payload, size_t len, struct gt_blog_frame *f)
{
	struct rd r = {payload, len};
	const uint8_t *np;
	size_t n, used = 0;
	int rc = GT_EINVAL;

	memset(f, 0, sizeof(*f));
	if (len > GT_BLOG_MAX_FRAME)
		return GT_ETOOBIG;
	if ((np = take(&r, 4)) == NULL)
		return GT_EINVAL;
	n = gt_buf_load_u32le(np);
	if (n > GT_BLOG_MAX_ENTRIES)
		return GT_ETOOBIG;
	/* Each entry takes at least its fixed fields: a count beyond that is malformed. */
	if (n > r.left / (1 + 20 + 2 + GT_ED25519_PUB_LEN + 4 + 1))
		return GT_EINVAL;
	if (n > 0) {
		f->entries = calloc(n, sizeof(*f->entries));
		/* Two strings of at most 255 bytes and their NULs per entry, bounded by the
		 * payload's own size. */
		f->names = malloc(len + 2 * n);
		if (f->entries == NULL || f->names == NULL) {
			rc = GT_ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct gt_blog_entry *e = &f->entries[i];
		const uint8_t *p = take(&r, 1 + 20), *blen, *slen;

		if (p == NULL || p[0] != GT_BLOG_PUSH)
			goto out;
		e->received_ms = (int64_t)gt_buf_load_u64le(p + 1);
		e->md_version = gt_buf_load_u64le(p + 9);
		e->roles = gt_buf_load_u32le(p + 17);
		if ((e->key_id = take_str(&r, f->names, &used)) == NULL ||
		    (e->org_unit = take_str(&r, f->names, &used)) == NULL ||
		    (e->pub = take(&r, GT_ED25519_PUB_LEN)) == NULL || (blen = take(&r, 4)) == NULL)
			goto out;
		e->batch_len = gt_buf_load_u32le(blen);
		if ((e->batch = take(&r, e->batch_len)) == NULL || (slen = take(&r, 1)) == NULL)
			goto out;
		e->sig_len = *slen;
		if ((e->sig = take(&r, e->sig_len)) == NULL)
			goto out;
	}
	if (r.left != 0)
		goto out;
	f->n = n;
	rc = GT_OK;
out:
	if (rc != GT_OK)
		gt_blog_frame_free(f);
	return rc;
}

/* ---- The file ---- */

static int write_at(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gt_err_from_errno(errno);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return GT_OK;
}

static int read_at(int fd, uint8_t *p, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gt_err_from_errno(errno);
		if (n == 0)
			return GT_EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return GT_OK;
}

/* Test hook: records that the journal is durable up to end (see struct gt_blog). */
static void note_synced(const struct gt_blog *b, uint64_t end)
{
#ifdef GT_TEST_HOOKS
	if (b->record_synced) {
		char side[GT_PATH_MAX + 8];
		uint8_t v[8];
		int fd;

		gt_buf_store_u64le(v, end);
		snprintf(side, sizeof(side), "%s.synced", b->path);
		fd = open(side, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0) {
			(void)write_at(fd, v, sizeof(v), 0);
			close(fd);
		}
	}
#else
	(void)b;
	(void)end;
#endif
}

/* Makes what was written durable (one fdatasync). */
static int sync_to(struct gt_blog *b, uint64_t end)
{
	if (b->nosync)
		return GT_OK; /* test hook: the sync skipped, nothing more is durable */
	if (fdatasync(b->fd) != 0)
		return gt_err_from_errno(errno);
	note_synced(b, end);
	return GT_OK;
}

static void hooks_init(struct gt_blog *b)
{
#ifdef GT_TEST_HOOKS
	b->nosync = getenv("GTSYNC_TEST_BLOG_NOSYNC") != NULL;
	b->record_synced = getenv("GTSYNC_TEST_POWERLOSS") != NULL;
#else
	(void)b;
#endif
}

static int header(uint64_t gen, uint8_t h[GT_BLOG_HEADER_LEN])
{
	memset(h, 0, GT_BLOG_HEADER_LEN);
	memcpy(h, magic, sizeof(magic));
	gt_buf_store_u64le(h + 8, gen);
	return sum8(h, 24, NULL, 0, h + 24);
}

int gt_blog_open(const char *path, struct gt_blog **out, const char **why)
{
	struct gt_blog *b;
	uint8_t h[GT_BLOG_HEADER_LEN], want[GT_BLOG_HEADER_LEN];
	struct stat sb;
	int rc;

	*out = NULL;
	*why = NULL;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return GT_ENOMEM;
	if (snprintf(b->path, sizeof(b->path), "%s", path) >= (int)sizeof(b->path)) {
		free(b);
		return GT_ETOOBIG;
	}
	hooks_init(b);
	b->fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (b->fd < 0) {
		rc = gt_err_from_errno(errno);
		free(b);
		return rc;
	}
	if (fstat(b->fd, &sb) != 0) {
		rc = gt_err_from_errno(errno);
		goto fail;
	}
	rc = (uint64_t)sb.st_size < GT_BLOG_HEADER_LEN ? GT_ECORRUPT
	                                               : read_at(b->fd, h, sizeof(h), 0);
	if (rc == GT_OK && (rc = header(gt_buf_load_u64le(h + 8), want)) == GT_OK &&
	    memcmp(h, want, sizeof(h)) != 0)
		rc = GT_ECORRUPT;
	if (rc == GT_ECORRUPT)
		*why = "its header is not a gtsync batch journal's";
	if (rc != GT_OK)
		goto fail;
	b->gen = gt_buf_load_u64le(h + 8);
	b->end = b->zeroed = (uint64_t)sb.st_size;
	*out = b;
	return GT_OK;
fail:
	close(b->fd);
	free(b);
	return rc;
}

int gt_blog_create(const char *path, uint64_t gen, struct gt_blog **out)
{
	uint8_t h[GT_BLOG_HEADER_LEN];
	const char *why;
	int rc;

	uint8_t *file;

	*out = NULL;
	/* Written whole, zeros after the header: an append then overwrites blocks the file
	 * already has, and its fdatasync need not commit the file's size (as PostgreSQL's
	 * pre-zeroed WAL segments). */
	file = calloc(1, GT_BLOG_PREALLOC_BYTES);
	if (file == NULL)
		return GT_ENOMEM;
	if ((rc = header(gen, h)) == GT_OK) {
		memcpy(file, h, sizeof(h));
		rc = gt_file_write(path, file, GT_BLOG_PREALLOC_BYTES, 0600, 1);
		/* Without room for the zeros (a disk nearly full), the journal grows by its
		 * appends instead. */
		if (rc != GT_OK)
			rc = gt_file_write(path, h, sizeof(h), 0600, 1);
	}
	free(file);
	if (rc == GT_OK)
		rc = gt_blog_open(path, out, &why);
	if (rc == GT_OK) {
		(*out)->end = GT_BLOG_HEADER_LEN;
		note_synced(*out, GT_BLOG_HEADER_LEN); /* gt_file_write() synced it */
	}
	return rc;
}

int gt_blog_rotate(struct gt_blog *b, uint64_t gen)
{
	struct gt_blog *n = NULL;
	int rc = gt_blog_create(b->path, gen, &n);

	if (rc != GT_OK)
		return rc;
	close(b->fd);
	b->fd = n->fd;
	b->gen = n->gen;
	b->end = n->end;
	b->zeroed = n->zeroed;
	free(n);
	return GT_OK;
}

uint64_t gt_blog_gen(const struct gt_blog *b)
{
	return b->gen;
}

uint64_t gt_blog_end(const struct gt_blog *b)
{
	return b->end;
}

/* Overwrites [off, to) with zeros (the preallocated state), without syncing. */
static int zero_fill(int fd, uint64_t off, uint64_t to)
{
	static const uint8_t zeros[4096];
	int rc = GT_OK;

	while (off < to && rc == GT_OK) {
		size_t n = to - off < sizeof(zeros) ? (size_t)(to - off) : sizeof(zeros);
		rc = write_at(fd, zeros, n, off);
		off += n;
	}
	return rc;
}

/* The file's size, or 0 when it cannot be read. */
static uint64_t file_size(int fd)
{
	struct stat sb;
	return fstat(fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

int gt_blog_truncate(struct gt_blog *b, uint64_t off)
{
	uint64_t size = file_size(b->fd);
	int rc;

	if (off < GT_BLOG_HEADER_LEN)
		return GT_EINVAL;
	if (size > off && (rc = zero_fill(b->fd, off, size)) != GT_OK)
		return rc;
	b->end = off;
	return sync_to(b, off);
}

int gt_blog_release(struct gt_blog *b, uint64_t off)
{
	if (off < GT_BLOG_HEADER_LEN)
		return GT_EINVAL;
	if (ftruncate(b->fd, (off_t)off) != 0)
		return gt_err_from_errno(errno);
	b->end = b->zeroed = off;
	return sync_to(b, off);
}

int gt_blog_settle(struct gt_blog *b, uint64_t valid_end, uint64_t *torn)
{
	uint8_t buf[4096];
	uint64_t size = file_size(b->fd), last = valid_end, off = valid_end;
	int rc;

	*torn = 0;
	if (valid_end < GT_BLOG_HEADER_LEN || valid_end > size)
		return GT_EINVAL;
	while (off < size) {
		size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		if ((rc = read_at(b->fd, buf, n, off)) != GT_OK)
			return rc;
		for (size_t i = 0; i < n; i++)
			if (buf[i] != 0)
				last = off + i + 1;
		off += n;
	}
	b->end = valid_end;
	if (last == valid_end)
		return GT_OK;
	*torn = last - valid_end;
	return gt_blog_truncate(b, valid_end);
}

int gt_blog_append(struct gt_blog *b, const struct gt_blog_entry *e, size_t n, uint64_t *end)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int rc;

	*end = b->end;
	if ((rc = gt_blog_encode(e, n, &frame, &len)) != GT_OK)
		return rc;
	/* Zeros ahead first, a chunk past the frame: the sync below commits the new size. */
	if (b->end + len > b->zeroed) {
		uint64_t to = b->end + len + GT_BLOG_PREALLOC_BYTES;
		if ((rc = zero_fill(b->fd, b->zeroed, to)) != GT_OK) {
			/* A full disk: the zeros ahead are given back too. */
			if (ftruncate(b->fd, (off_t)b->end) == 0)
				b->zeroed = b->end;
			free(frame);
			return rc;
		}
		b->zeroed = to;
	}
	rc = write_at(b->fd, frame, len, b->end);
	if (rc == GT_OK)
		rc = sync_to(b, b->end + len);
	if (rc == GT_OK) {
		b->end += len;
		*end = b->end;
	} else {
		/* Nothing of a failed append may be replayed. */
		(void)zero_fill(b->fd, b->end, b->end + len);
	}
	free(frame);
	return rc;
}

/* Whether the bytes of fd from off to size are all zero (a crash can leave a tail of zeros
 * where an append's data never reached the disk). */
static int zeros_to_end(int fd, uint64_t off, uint64_t size)
{
	uint8_t buf[4096];

	while (off < size) {
		size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		if (read_at(fd, buf, n, off) != GT_OK)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (buf[i] != 0)
				return 0;
		off += n;
	}
	return 1;
}

int gt_blog_scan(struct gt_blog *b, uint64_t from,
                 int (*cb)(void *arg, const struct gt_blog_frame *f, uint64_t end), void *arg,
                 uint64_t *valid_end)
{
	uint8_t head[GT_BLOG_FRAME_HEAD];
	uint8_t *buf = NULL;
	uint64_t off = from, size = file_size(b->fd);
	int rc = GT_OK;

	*valid_end = from;
	if (from < GT_BLOG_HEADER_LEN || from > size)
		return GT_ECORRUPT;
	while (off < size) {
		uint64_t left = size - off;
		struct gt_blog_frame f;
		size_t flen = 0, plen = 0;
		uint8_t *nb;

		if (left < GT_BLOG_FRAME_HEAD) {
			rc = GT_EAGAIN;
		} else if ((rc = read_at(b->fd, head, sizeof(head), off)) != GT_OK) {
			break;
		} else {
			plen = gt_buf_load_u32le(head + 4);
			if (gt_buf_load_u32le(head) != GT_BLOG_FRAME_MAGIC ||
			    plen > GT_BLOG_MAX_FRAME || plen < 4)
				rc = GT_ECORRUPT;
			else if (left - GT_BLOG_FRAME_HEAD < plen)
				rc = GT_EAGAIN;
			else if ((nb = realloc(buf, GT_BLOG_FRAME_HEAD + plen)) == NULL)
				rc = GT_ENOMEM;
			else if ((rc = read_at(b->fd, (buf = nb), GT_BLOG_FRAME_HEAD + plen,
			                       off)) == GT_OK)
				rc = gt_blog_frame_check(buf, GT_BLOG_FRAME_HEAD + plen, &flen);
			/* A bad frame with nothing but zeros after it was the last append, cut
			 * by a crash. */
			if (rc == GT_ECORRUPT && plen <= GT_BLOG_MAX_FRAME &&
			    zeros_to_end(b->fd, off + GT_BLOG_FRAME_HEAD + plen, size))
				rc = GT_EAGAIN;
		}
		if (rc == GT_ECORRUPT && zeros_to_end(b->fd, off, size))
			rc = GT_EAGAIN;
		if (rc == GT_EAGAIN) {
			rc = GT_OK; /* an append cut short: the caller truncates at *valid_end */
			break;
		}
		if (rc != GT_OK)
			break;
		if ((rc = gt_blog_decode(buf + GT_BLOG_FRAME_HEAD, flen - GT_BLOG_FRAME_HEAD,
		                         &f)) != GT_OK) {
			rc = GT_ECORRUPT; /* its checksum matched: written so by no server */
			break;
		}
		off += flen;
		rc = cb(arg, &f, off);
		gt_blog_frame_free(&f);
		if (rc != GT_OK)
			break;
		*valid_end = off;
	}
	free(buf);
	return rc;
}

void gt_blog_close(struct gt_blog *b)
{
	if (b == NULL)
		return;
	if (b->fd >= 0)
		close(b->fd);
	free(b);
}
