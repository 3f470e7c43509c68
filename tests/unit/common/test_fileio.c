/* Tests of common/fileio.c: whole-file reads with a limit, and writes that go through a new
 * temporary file and never follow a planted symbolic link (issue 10 item 9). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "fileio.h"
#include "testutil.h"

struct fx {
	char *dir;
	char path[1024], victim[1024];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->dir = gt_test_tmpdir("fileio");
	snprintf(f->path, sizeof(f->path), "%s/report.csv", f->dir);
	snprintf(f->victim, sizeof(f->victim), "%s/victim", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	gt_test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void expect_text(const char *path, const char *want)
{
	size_t len = 0;
	uint8_t *got = gt_test_read_file(path, &len);
	assert_non_null(got);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	free(got);
}

/* The entries of dir besides the ones named. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Issue 10 item 9: the old writer opened PATH.tmp.PID without O_EXCL or O_NOFOLLOW, so a link
 * planted under that name made it overwrite another file. The victim must stay as it was. */
static void test_planted_tmp_link(void **state)
{
	struct fx *f = *state;
	char planted[1100];
	struct stat sb;

	write_text(f->victim, "not yours\n");
	snprintf(planted, sizeof(planted), "%s.tmp.%ld", f->path, (long)getpid());
	assert_int_equal(symlink(f->victim, planted), 0);
	assert_int_equal(gt_file_write(f->path, "a,b\n", 4, 0644, 1), GT_OK);
	expect_text(f->victim, "not yours\n");
	expect_text(f->path, "a,b\n");
	assert_int_equal(lstat(f->path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	/* The victim, the planted link and the report: no temporary file left. */
	assert_int_equal(entries(f->dir), 3);
}

/* A link at the target itself is replaced by the file, never written through. */
static void test_link_at_target(void **state)
{
	struct fx *f = *state;
	struct stat sb;

	write_text(f->victim, "not yours\n");
	assert_int_equal(symlink(f->victim, f->path), 0);
	assert_int_equal(gt_file_write(f->path, "report\n", 7, 0644, 1), GT_OK);
	expect_text(f->victim, "not yours\n");
	assert_int_equal(lstat(f->path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	expect_text(f->path, "report\n");
	assert_int_equal(entries(f->dir), 2);
}

/* The mode asked for, less the umask; no replacement without replace; nothing left behind when
 * the write fails. */
static void test_mode_and_refusals(void **state)
{
	struct fx *f = *state;
	char missing[1100];
	struct stat sb;
	mode_t old = umask(022);

	assert_int_equal(gt_file_write(f->path, "x", 1, 0644, 1), GT_OK);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	umask(077);
	assert_int_equal(gt_file_write(f->path, "y", 1, 0644, 1), GT_OK);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	umask(old);
	expect_text(f->path, "y");
	assert_int_equal(gt_file_write(f->path, "z", 1, 0600, 0), GT_EEXIST);
	expect_text(f->path, "y");
	assert_int_equal(gt_file_write(f->victim, "new", 3, 0600, 0), GT_OK);
	expect_text(f->victim, "new");
	assert_int_equal(stat(f->victim, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(entries(f->dir), 2);
	snprintf(missing, sizeof(missing), "%s/no/such/dir/file", f->dir);
	assert_int_equal(gt_file_write(missing, "x", 1, 0644, 1), GT_ENOENT);
	assert_int_equal(entries(f->dir), 2);
}

static void test_read_limit(void **state)
{
	struct fx *f = *state;
	uint8_t *buf = NULL;
	size_t len = 0;

	write_text(f->path, "0123456789");
	assert_int_equal(gt_file_read(f->path, 10, &buf, &len), GT_OK);
	assert_int_equal(len, 10);
	assert_int_equal(buf[10], 0);
	free(buf);
	assert_int_equal(gt_file_read(f->path, 9, &buf, &len), GT_ETOOBIG);
	assert_int_equal(gt_file_read(f->victim, 9, &buf, &len), GT_ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_planted_tmp_link, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_link_at_target, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mode_and_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_limit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
