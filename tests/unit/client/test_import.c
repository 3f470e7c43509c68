/* Tests of home set-up and import: all-or-nothing files, line-numbered errors, set, rules. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "fileio.h"
#include "home.h"
#include "homefx.h"
#include "import.h"
#include "testutil.h"
#include "tlscert.h"

static int setup(void **state)
{
	struct gt_homefx *f;

	if (gt_homefx_open("import", &f) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	gt_homefx_close(*state);
	return 0;
}

static int import(struct gt_homefx *f, const char *text, const char *period,
                  struct gt_import_result *r)
{
	struct gt_import_opts o = {.period = period};
	int rc = gt_import_buffer(f->h, "test.csv", (const uint8_t *)text, strlen(text), &o, r);
	fflush(f->errf);
	return rc;
}

static uint64_t queued(struct gt_homefx *f)
{
	struct gt_cstore_status s;
	assert_int_equal(gt_cstore_status(f->h->st, &s), GT_OK);
	return s.values[GT_CSTORE_QUEUED];
}

static void test_home_init(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_home_init_info info;
	struct stat sb;
	char path[1200];
	(void)state;

	/* The key file is private, the settings stored, a second init refused. */
	snprintf(path, sizeof(path), "%s/key.pem", f->home);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_string_equal(f->h->server, "127.0.0.1:7443");
	assert_string_equal(f->h->org, "53.71");
	assert_int_equal(strlen(f->h->key_id), GT_KEY_ID_LEN);
	assert_int_equal(gt_home_key(f->h), GT_OK);
	snprintf(path, sizeof(path), "%s/ca.pem", f->home);
	assert_int_equal(gt_home_init(f->home, "127.0.0.1:7443", "53.71", path, &info, NULL),
	                 GT_EEXIST);
	/* Bad arguments leave nothing behind. */
	snprintf(path, sizeof(path), "%s/other", f->dir);
	assert_int_equal(gt_home_init(path, "nowhere", "53.71", "/dev/null", &info, NULL),
	                 GT_EINVAL);
	assert_int_equal(gt_home_init(path, "127.0.0.1:1", "53-71", "/dev/null", &info, NULL),
	                 GT_EINVAL);
	assert_int_not_equal(
	    gt_home_init(path, "127.0.0.1:1", "53.71", "/nonexistent.pem", &info, NULL), GT_OK);
	snprintf(path, sizeof(path), "%s/other/client.db", f->dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/other/key.pem", f->dir);
	assert_int_not_equal(access(path, F_OK), 0);
}

static void test_good_file(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_result r;

	assert_int_equal(import(f,
	                        "dataelement,period,orgunit,categoryoptioncombo,value,comment\n"
	                        "KK_KORBAN,202607,53.71,PD,4,\n"
	                        "KK_KORBAN,202607,,AP,2,\n"
	                        "KK_KORBAN_TOTAL,202607,53.71,,6,\n"
	                        "GT_SK,2026S1,53.71,,true,\"SK Bupati, 2026\"\n",
	                        NULL, &r),
	                 GT_OK);
	assert_int_equal(r.rows, 4);
	assert_int_equal(r.queued, 4);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.warnings, 0);
	assert_int_equal(queued(f), 4);
	/* The same file again queues nothing; a changed value replaces the queued one. */
	assert_int_equal(import(f,
	                        "dataelement,period,categoryoptioncombo,value\n"
	                        "KK_KORBAN,202607,PD,4\n"
	                        "KK_KORBAN,202607,AP,3\n",
	                        NULL, &r),
	                 GT_OK);
	assert_int_equal(r.unchanged, 1);
	assert_int_equal(r.replaced, 1);
	assert_int_equal(queued(f), 4);
	/* KK_KORBAN now sums to 7 against a total of 6: rule KK_R_TOTAL warns. */
	assert_int_equal(r.warnings, 1);
	assert_non_null(strstr(f->err, "KK_R_TOTAL"));
	/* issue 14: a comment on a count of victims, or one with a phone number, is refused
	 * with its line, and nothing of the file is queued. */
	assert_int_not_equal(import(f,
	                            "dataelement,period,categoryoptioncombo,value,comment\n"
	                            "KK_KORBAN,202608,PD,1,\"dua, anak\"\n"
	                            "KK_LP,202608,,1,pelapor 0812 3456 7890\n",
	                            NULL, &r),
	                     GT_OK);
	assert_int_equal(r.errors, 2);
	assert_non_null(strstr(f->err, ":2: KK_KORBAN counts victims"));
	assert_non_null(strstr(f->err, ":3: the comment holds what looks like a phone number"));
	assert_null(strstr(f->err, "3456"));
	assert_int_equal(queued(f), 4);
}

static void test_bad_file_queues_nothing(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_result r;

	assert_int_equal(import(f,
	                        "dataelement,period,orgunit,categoryoptioncombo,value,comment\n"
	                        "KK_KORBAN,202607,53.71,PD,4,\n"  /* 2: fine */
	                        "KK_KORBAN,202607,53.71,XX,4,\n"  /* 3 */
	                        "KK_NOPE,202607,53.71,,4,\n"      /* 4 */
	                        "KK_LP,202607,53.01,,4,\n"        /* 5 */
	                        "KK_LP,2026Q3,53.71,,4,\n"        /* 6 */
	                        "KK_LP,202607,53.71,,-4,\n"       /* 7 */
	                        "KK_LP,203001,53.71,,4,\n"        /* 8 */
	                        "KK_KORBAN,202607,53.71,PD,5,\n"  /* 9: twice */
	                        "KK_LP,202607,53.71,,4\n"         /* 10: short */
	                        "GT_SK,2026S1,53.71,,mungkin,\n", /* 11 (ya is yes: issue 12) */
	                        NULL, &r),
	                 GT_EINVAL);
	assert_int_equal(r.errors, 9);
	assert_int_equal(r.queued, 0);
	assert_int_equal(queued(f), 0);
	assert_non_null(strstr(f->err, "test.csv:3: categoryoptioncombo \"XX\""));
	assert_non_null(strstr(f->err, "test.csv:4: unknown data element"));
	assert_non_null(strstr(f->err, "test.csv:5: org unit \"53.01\""));
	assert_non_null(strstr(f->err, "test.csv:6: period 2026Q3 is quarterly"));
	assert_non_null(strstr(f->err, "test.csv:7: value \"-4\""));
	assert_non_null(strstr(f->err, "test.csv:8: period 203001 has not started"));
	assert_non_null(strstr(f->err, "test.csv:9: KK_KORBAN 202607 PD is entered twice: also on "
	                               "line 2"));
	assert_non_null(strstr(f->err, "test.csv:10: 5 fields"));
	assert_non_null(strstr(f->err, "test.csv:11: value \"mungkin\""));
	assert_non_null(strstr(f->err, "9 errors; nothing from this file was queued"));
	/* The errors are in line order. */
	assert_true(strstr(f->err, "test.csv:3:") < strstr(f->err, "test.csv:11:"));
}

static void test_period_option(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_result r;

	/* --period fills empty cells; a row of another period is an error. */
	assert_int_equal(import(f, "dataelement,value\nKK_LP,3\n", "202607", &r), GT_OK);
	assert_int_equal(r.queued, 1);
	assert_int_equal(import(f, "dataelement,period,value\nKK_LP,202608,3\n", "202607", &r),
	                 GT_EINVAL);
	assert_non_null(strstr(f->err, "test.csv:2: period 202608, but the import is for --period "
	                               "202607"));
	assert_int_equal(import(f, "dataelement,value\nKK_LP,3\n", NULL, &r), GT_EINVAL);
	assert_non_null(strstr(f->err, "no period"));
	assert_int_equal(import(f, "dataelement,value\nKK_LP,3\n", "July", &r), GT_EINVAL);
	assert_int_equal(queued(f), 1);
}

static void test_set_and_role(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_opts o = {0};
	char *out = NULL;
	size_t len = 0;

	o.out = open_memstream(&out, &len);
	assert_int_equal(gt_import_one(f->h, "KK_LP", "202607", "", "3", "dari polres", 0, &o),
	                 GT_OK);
	assert_int_equal(
	    gt_import_one(f->h, "KK_LP", "202607", "default", "3", "dari polres", 0, &o), GT_OK);
	assert_int_equal(gt_import_one(f->h, "KK_LP", "202607", "", "x", NULL, 0, &o), GT_EINVAL);
	assert_int_equal(gt_import_one(f->h, "KK_LP", "202607", "", NULL, NULL, 0, &o), GT_EINVAL);
	assert_int_equal(gt_import_one(f->h, "KK_LP", "202607", "", NULL, NULL, 1, &o), GT_OK);
	fclose(o.out);
	assert_non_null(strstr(out, "set KK_LP 202607 - 3: queued\n"));
	assert_non_null(strstr(out, "unchanged"));
	assert_non_null(strstr(out, "(delete): queued (replacing a queued value)"));
	free(out);
	assert_int_equal(queued(f), 1);

	/* A key the server registered as an aggregator does not write values. */
	snprintf(f->h->role, sizeof(f->h->role), "aggregator");
	o.out = NULL;
	assert_int_equal(gt_import_one(f->h, "KK_LP", "202608", "", "3", NULL, 0, &o), GT_EPERM);
	fflush(f->errf);
	assert_non_null(strstr(f->err, "registered as aggregator"));
	assert_int_equal(queued(f), 1);
}

/* Disk full during the import's transaction: the outbox is as it was. */
static void test_disk_full(void **state)
{
	struct gt_homefx *f = *state;
	struct stat sb;
	char *text;
	size_t used = 0, cap = 2u << 20;
	int status;
	pid_t pid;

	assert_int_equal(import(f, "dataelement,period,value\nKK_LP,202601,1\n", NULL, NULL),
	                 GT_OK);
	/* A file of many long text values: far more than the room the limit below leaves, whatever
	 * the size of the new store (issue 11 made it a table larger). */
	text = malloc(cap);
	assert_non_null(text);
	used = (size_t)snprintf(text, cap, "dataelement,period,value\n");
	for (int y = 1950; y < 2026 && used + 4200 < cap; y++)
		for (int s = 1; s <= 2 && used + 4200 < cap; s++) {
			used +=
			    (size_t)snprintf(text + used, cap - used, "GT_CATATAN,%dS%d,", y, s);
			memset(text + used, 'x', 1900);
			used += 1900;
			text[used++] = '\n';
		}
	text[used] = '\0';
	gt_home_close(f->h);
	f->h = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct gt_home *h;
		struct rlimit rl;
		struct gt_import_opts o = {0};
		char db[1200];
		int rc;
		signal(SIGXFSZ, SIG_IGN);
		snprintf(db, sizeof(db), "%s/client.db", f->home);
		if (gt_home_open(f->home, NULL, &h) != GT_OK || stat(db, &sb) != 0)
			_exit(10);
		rl.rlim_cur = rl.rlim_max = (rlim_t)sb.st_size + 16 * 1024;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(11);
		rc = gt_import_buffer(h, "big.csv", (const uint8_t *)text, used, &o, NULL);
		gt_home_close(h);
		_exit(rc == GT_ENOSPC || rc == GT_EIO || rc == GT_ESTORE ? 0 : 12);
	}
	free(text);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(gt_home_open(f->home, f->errf, &f->h), GT_OK);
	assert_int_equal(queued(f), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_home_init, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_good_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_file_queues_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_period_option, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_set_and_role, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
