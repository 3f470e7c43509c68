/* Tests for server/blog.c: frames appended and read back, a torn tail, damage, rotation. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "blog.h"
#include "error.h"
#include "testutil.h"

static const uint8_t pub[GT_ED25519_PUB_LEN] = {7, 7, 7};
static const uint8_t sig[GT_ED25519_SIG_LEN] = {9, 9};

/* Entry i of a test frame: its batch bytes say i. */
static struct gt_blog_entry entry(uint8_t *bytes, int i)
{
	bytes[0] = (uint8_t)i;
	return (struct gt_blog_entry){.received_ms = 1764900000000 + i,
	                              .md_version = 4,
	                              .roles = 2,
	                              .key_id = "803adf78ec035d9c",
	                              .org_unit = "53.71",
	                              .pub = pub,
	                              .batch = bytes,
	                              .batch_len = 1 + (size_t)i,
	                              .sig = sig,
	                              .sig_len = sizeof(sig)};
}

struct seen {
	int frames, entries;
	uint64_t last_end;
	int64_t last_ms;
};

static int count_frame(void *arg, const struct gt_blog_frame *f, uint64_t end)
{
	struct seen *s = arg;

	s->frames++;
	s->entries += (int)f->n;
	s->last_end = end;
	for (size_t i = 0; i < f->n; i++) {
		assert_string_equal(f->entries[i].org_unit, "53.71");
		assert_memory_equal(f->entries[i].pub, pub, sizeof(pub));
		assert_int_equal(f->entries[i].sig_len, sizeof(sig));
		s->last_ms = f->entries[i].received_ms;
	}
	return 0;
}

/* Writes three frames of 1, 2 and 3 entries; returns the journal's path (caller frees). */
static char *three_frames(char *dir, uint64_t ends[3])
{
	uint8_t bytes[3][8] = {{0}};
	struct gt_blog *b = NULL;
	char *path = NULL;

	assert_true(asprintf(&path, "%s/gtsync.journal", dir) > 0);
	assert_int_equal(gt_blog_create(path, 5, &b), 0);
	assert_int_equal(gt_blog_gen(b), 5);
	assert_int_equal(gt_blog_end(b), GT_BLOG_HEADER_LEN);
	for (int n = 1; n <= 3; n++) {
		struct gt_blog_entry e[3];
		for (int i = 0; i < n; i++)
			e[i] = entry(bytes[i], i);
		assert_int_equal(gt_blog_append(b, e, (size_t)n, &ends[n - 1]), 0);
		assert_int_equal(gt_blog_end(b), ends[n - 1]);
	}
	gt_blog_close(b);
	return path;
}

static void appended_frames_read_back(void **state)
{
	char *dir = gt_test_tmpdir("blog"), *path;
	uint64_t ends[3], valid = 0;
	struct gt_blog *b = NULL;
	struct seen s = {0};
	const char *why;
	(void)state;

	path = three_frames(dir, ends);
	assert_int_equal(gt_blog_open(path, &b, &why), 0);
	assert_int_equal(gt_blog_gen(b), 5);
	assert_int_equal(gt_blog_scan(b, GT_BLOG_HEADER_LEN, count_frame, &s, &valid), 0);
	assert_int_equal(s.frames, 3);
	assert_int_equal(s.entries, 6);
	assert_int_equal(s.last_ms, 1764900000002);
	assert_int_equal(valid, ends[2]);
	/* The preallocated zeros after the frames are the journal's clean end. */
	uint64_t torn = 1;
	assert_int_equal(gt_blog_settle(b, valid, &torn), 0);
	assert_int_equal(torn, 0);
	assert_int_equal(gt_blog_end(b), ends[2]);
	/* From a recorded position: the frames after it only. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(gt_blog_scan(b, ends[0], count_frame, &s, &valid), 0);
	assert_int_equal(s.frames, 2);
	/* Rotation starts an empty journal of the next generation. */
	assert_int_equal(gt_blog_rotate(b, 6), 0);
	assert_int_equal(gt_blog_gen(b), 6);
	assert_int_equal(gt_blog_end(b), GT_BLOG_HEADER_LEN);
	gt_blog_close(b);
	assert_int_equal(gt_blog_open(path, &b, &why), 0);
	assert_int_equal(gt_blog_gen(b), 6);
	gt_blog_close(b);
	free(path);
	gt_test_rmtree(dir);
	free(dir);
}

/* An append cut anywhere inside the last frame is found and left out, never read. */
static void torn_tail_is_cut(void **state)
{
	char *dir = gt_test_tmpdir("blog"), *path;
	uint64_t ends[3];
	(void)state;

	path = three_frames(dir, ends);
	for (uint64_t cut = ends[2] - 1; cut > ends[1]; cut -= cut - ends[1] > 7 ? 7 : 1) {
		struct gt_blog *b = NULL;
		struct seen s = {0};
		uint64_t valid = 0;
		const char *why;

		assert_int_equal(truncate(path, (off_t)cut), 0);
		assert_int_equal(gt_blog_open(path, &b, &why), 0);
		assert_int_equal(gt_blog_scan(b, GT_BLOG_HEADER_LEN, count_frame, &s, &valid), 0);
		assert_int_equal(s.frames, 2);
		assert_int_equal(valid, ends[1]);
		/* What the cut append left is zeroed, and reading again ends cleanly there. */
		uint64_t torn = 0;
		assert_int_equal(gt_blog_settle(b, valid, &torn), 0);
		/* The first cut leaves most of the frame; later ones cut what is zero now. */
		assert_true(cut < ends[2] - 1 || torn > 0);
		assert_true(torn <= cut - ends[1]);
		memset(&s, 0, sizeof(s));
		assert_int_equal(gt_blog_scan(b, GT_BLOG_HEADER_LEN, count_frame, &s, &valid), 0);
		assert_int_equal(s.frames, 2);
		assert_int_equal(gt_blog_settle(b, valid, &torn), 0);
		assert_int_equal(torn, 0);
		gt_blog_close(b);
	}
	free(path);
	gt_test_rmtree(dir);
	free(dir);
}

/* A damaged frame with more after it is an error, not skipped; a damaged last frame is a
 * torn tail; a file that is not a journal is refused. */
static void damage_is_an_error(void **state)
{
	char *dir = gt_test_tmpdir("blog"), *path;
	uint64_t ends[3], valid = 0;
	struct gt_blog *b = NULL;
	struct seen s = {0};
	const char *why;
	uint8_t x = 0x55;
	int fd;
	(void)state;

	path = three_frames(dir, ends);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &x, 1, (off_t)ends[0] + GT_BLOG_FRAME_HEAD + 3), 1);
	close(fd);
	assert_int_equal(gt_blog_open(path, &b, &why), 0);
	assert_int_equal(gt_blog_scan(b, GT_BLOG_HEADER_LEN, count_frame, &s, &valid), GT_ECORRUPT);
	assert_int_equal(s.frames, 1);
	assert_int_equal(valid, ends[0]);
	gt_blog_close(b);

	/* The same damage in the last frame: cut, as a crash mid-append leaves it. */
	assert_int_equal(truncate(path, (off_t)ends[1]), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(gt_blog_open(path, &b, &why), 0);
	assert_int_equal(gt_blog_scan(b, GT_BLOG_HEADER_LEN, count_frame, &s, &valid), 0);
	assert_int_equal(s.frames, 1);
	assert_int_equal(valid, ends[0]);
	assert_int_equal(gt_blog_truncate(b, valid), 0);
	gt_blog_close(b);

	fd = open(path, O_WRONLY);
	assert_int_equal(pwrite(fd, &x, 1, 2), 1);
	close(fd);
	assert_int_equal(gt_blog_open(path, &b, &why), GT_ECORRUPT);
	assert_non_null(why);
	free(path);
	gt_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(appended_frames_read_back),
	    cmocka_unit_test(torn_tail_is_cut),
	    cmocka_unit_test(damage_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
