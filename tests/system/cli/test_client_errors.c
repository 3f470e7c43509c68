/* Integration: errors a person must understand: a certificate that is not the pinned one, a key
 * not registered or revoked, a refusal for good, a full disk; and --help everywhere. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "cstore.h"
#include "i18n.h"
#include "testserver.h"
#include "tlscert.h"

static const char *const status_args[] = {"status", "--format", "plain", NULL};

/* The large files below hold a note per semester of 1900-2025: the secretariat opens 53.71
 * for late entry in those years first, the chain's path past GT's expiry. */
static void open_old_years(struct gt_testserver *ts)
{
	char years[1024] = "";

	for (int y = 1900; y < 2026; y++)
		snprintf(years + strlen(years), sizeof(years) - strlen(years), "%d ", y);
	gt_testserver_open_late(ts, "53.71", years);
}

static void test_wrong_certificate(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char home[4200], cert[4300], key[4300];

	gt_clirun_client(ts, "d1", "53.71", "operator", home, sizeof(home));
	const char *set[] = {"set", "KK_LP", "202607", "", "3", NULL};
	gt_clirun(&r, home, NULL, 30, set);
	assert_int_equal(r.status, 0);
	gt_clirun_free(&r);
	/* Another server's certificate replaces the pin. */
	snprintf(cert, sizeof(cert), "%s/other-cert.pem", ts->dir);
	snprintf(key, sizeof(key), "%s/other-key.pem", ts->dir);
	assert_int_equal(gt_tlscert_make_self_signed(cert, key, "localhost", 30), 0);
	snprintf(key, sizeof(key), "%s/ca.pem", home);
	assert_int_equal(rename(cert, key), 0);
	const char *push[] = {"push", NULL}; /* with retries: a pin mismatch is not retried */
	gt_clirun(&r, home, NULL, 30, push);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "did not present the pinned certificate"));
	assert_non_null(strstr(r.err, "Nothing was sent"));
	assert_null(strstr(r.err, "retrying"));
	gt_clirun_free(&r);
	gt_clirun(&r, home, NULL, 30, status_args);
	assert_int_equal(gt_clirun_kv_num(r.out, "queued"), 1);
	gt_clirun_free(&r);
	char key_id[32], needle[64];
	gt_clirun_key_id(home, key_id, sizeof(key_id));
	snprintf(needle, sizeof(needle), "batch key=%s", key_id);
	assert_int_equal(gt_testserver_log_count(ts, needle), 0);
}

static void test_key_not_registered_or_revoked(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char home[4200], key_id[32], pub[4300], b64[64] = "";
	FILE *f;

	snprintf(home, sizeof(home), "%s/d1", ts->dir);
	const char *init[] = {"init",  "--home", home,   "--server", ts->addr,
	                      "--org", "53.71",  "--ca", ts->cert,   NULL};
	gt_clirun(&r, NULL, NULL, 30, init);
	assert_int_equal(r.status, 0);
	gt_clirun_key_id(home, key_id, sizeof(key_id));
	assert_non_null(strstr(r.out, key_id));
	gt_clirun_free(&r);
	snprintf(pub, sizeof(pub), "%s/key.pub", home);
	f = fopen(pub, "r");
	assert_non_null(f);
	assert_non_null(fgets(b64, sizeof(b64), f));
	fclose(f);
	b64[strcspn(b64, "\n")] = '\0';

	const char *md[] = {"metadata", "pull", NULL};
	gt_clirun(&r, home, NULL, 30, md);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "not registered"));
	assert_non_null(strstr(r.err, key_id));
	assert_non_null(strstr(r.err, b64));
	gt_clirun_free(&r);

	const char *add[] = {"key",      "add",           "--org", "53.71", "--role",
	                     "operator", "--pubkey-file", pub,     NULL};
	assert_int_equal(gt_testserver_admin(ts, add), 0);
	gt_clirun(&r, home, NULL, 30, md);
	assert_int_equal(r.status, 0);
	gt_clirun_free(&r);
	const char *revoke[] = {"key", "revoke", key_id, NULL};
	assert_int_equal(gt_testserver_admin(ts, revoke), 0);
	const char *set[] = {"set", "KK_LP", "202607", "", "3", NULL};
	gt_clirun(&r, home, NULL, 30, set);
	gt_clirun_free(&r);
	const char *push[] = {"push", NULL};
	gt_clirun(&r, home, NULL, 30, push);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "revoked"));
	assert_non_null(strstr(r.err, key_id));
	assert_null(strstr(r.err, "retrying"));
	gt_clirun_free(&r);
	gt_clirun(&r, home, NULL, 30, status_args);
	assert_int_equal(gt_clirun_kv_num(r.out, "queued"), 1);
	gt_clirun_free(&r);
}

/* A key registered for another org unit than the home's: the server refuses the batch for good;
 * the values are marked refused, shown in status, and not sent again. */
static void test_refused_for_good(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char home[4200], pub[4300];

	snprintf(home, sizeof(home), "%s/d2", ts->dir);
	const char *init[] = {"init",  "--home", home,   "--server", ts->addr,
	                      "--org", "53.72",  "--ca", ts->cert,   NULL};
	gt_clirun(&r, NULL, NULL, 30, init);
	assert_int_equal(r.status, 0);
	gt_clirun_free(&r);
	snprintf(pub, sizeof(pub), "%s/key.pub", home);
	const char *add[] = {"key",      "add",           "--org", "53.71", "--role",
	                     "operator", "--pubkey-file", pub,     NULL};
	assert_int_equal(gt_testserver_admin(ts, add), 0);
	const char *md[] = {"metadata", "pull", NULL};
	gt_clirun(&r, home, NULL, 30, md);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "registered this key for org unit 53.71"));
	gt_clirun_free(&r);
	/* The client itself refuses to queue for 53.72 now (not in the key's scope), so the value
	 * is queued as it would have been before the administrator's mistake. */
	const char *set[] = {"set", "KK_LP", "202607", "", "3", NULL};
	gt_clirun(&r, home, NULL, 30, set);
	assert_int_equal(r.status, 1);
	/* In the environment's language, Bahasa Indonesia when it names none (issue 12). */
	assert_true(strstr(r.err, "not among the org units the server sent") != NULL ||
	            strstr(r.err, "tidak termasuk unit organisasi yang dikirim server") != NULL);
	gt_clirun_free(&r);
	struct gt_cstore *st;
	snprintf(pub, sizeof(pub), "%s/client.db", home);
	assert_int_equal(gt_cstore_open(pub, &st), 0);
	struct gt_cstore_value v = {"KK_LP", "202607", "53.72", "", "3", "", "", "test", 0};
	assert_int_equal(gt_cstore_queue(st, &v, 1, NULL), 0);
	gt_cstore_close(st);
	const char *push[] = {"push", NULL};
	gt_clirun(&r, home, NULL, 30, push);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "refused batch 1 for good"));
	assert_non_null(strstr(r.err, "not sent again"));
	gt_clirun_free(&r);
	gt_clirun(&r, home, NULL, 30, status_args);
	assert_int_equal(gt_clirun_kv_num(r.out, "refused"), 1);
	assert_int_equal(gt_clirun_kv_num(r.out, "batches_refused"), 1);
	assert_non_null(strstr(r.out, "refused reason=GT_EPERM dataelement=KK_LP"));
	/* The server's sentence is English: in English the client shows it, in Bahasa Indonesia
	 * the catalogue's translation of that very sentence, specific rather than the code's
	 * generic one (issue 12, item 2, and what remained, item 4). */
	const char *m = strstr(r.out, " message=\"");
	char said[256];
	assert_non_null(m);
	m += strlen(" message=\"");
	snprintf(said, sizeof(said), "%.*s", (int)strcspn(m, "\""), m);
	assert_true(strlen(said) > 8);
	gt_clirun_free(&r);
	const char *human[] = {"status", "--format", "human", NULL};
	const char *env_id[] = {"LANGUAGE=id", NULL};
	gt_clirun(&r, home, NULL, 30, human);
	assert_non_null(strstr(r.out, said));
	gt_clirun_free(&r);
	gt_clirun(&r, home, env_id, 30, human);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, said));
	assert_int_equal(gt_i18n_setup(), 0);
	assert_int_equal(gt_i18n_use(GT_LANG_ID), 0);
	const char *translated = dgettext(GT_TEXTDOMAIN, said);
	assert_string_not_equal(translated, said);
	assert_non_null(strstr(r.out, translated));
	assert_null(strstr(r.out, "kata server"));
	assert_int_equal(gt_i18n_use(GT_LANG_EN), 0);
	assert_non_null(strstr(r.out, "Nilai yang tidak diterapkan server"));
	gt_clirun_free(&r);
	gt_clirun(&r, home, NULL, 30, push);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "nothing to send"));
	gt_clirun_free(&r);
}

/* The local disk fills during an import (a file-size limit on the process): the import stops,
 * says so, and the outbox is as it was. */
static void test_disk_full(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	struct rlimit old, lim;
	char home[4200], path[4300];
	char *text;
	size_t used = 0, cap = 4u << 20;

	gt_clirun_client(ts, "d1", "53.71", "operator", home, sizeof(home));
	open_old_years(ts);
	const char *set[] = {"set", "KK_LP", "202607", "", "3", NULL};
	gt_clirun(&r, home, NULL, 30, set);
	gt_clirun_free(&r);
	text = malloc(cap);
	assert_non_null(text);
	used = (size_t)snprintf(text, cap, "dataelement,period,value\n");
	for (int y = 1900; y < 2026; y++) /* 252 values of 2 kB */
		for (int s = 1; s <= 2; s++) {
			used +=
			    (size_t)snprintf(text + used, cap - used, "GT_CATATAN,%dS%d,", y, s);
			memset(text + used, 'x', 1990);
			used += 1990;
			text[used++] = '\n';
		}
	text[used] = '\0';
	snprintf(path, sizeof(path), "%s/big.csv", ts->dir);
	gt_clirun_write(path, text);
	free(text);

	/* The child inherits the limit; the client ignores SIGXFSZ so the write fails cleanly. The
	 * import needs some 500 kB of log; 128 kB is allowed. */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 128 * 1024;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	const char *imp[] = {"import", path, NULL};
	gt_clirun(&r, home, NULL, 60, imp);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(r.status, 1);
	assert_true(strstr(r.err, "the outbox is unchanged") != NULL ||
	            strstr(r.err, "kotak keluar tidak berubah") != NULL);
	gt_clirun_free(&r);
	gt_clirun(&r, home, NULL, 30, status_args);
	assert_int_equal(gt_clirun_kv_num(r.out, "queued"), 1);
	gt_clirun_free(&r);
	/* With room again the same file imports, and everything goes out. */
	gt_clirun(&r, home, NULL, 60, imp);
	assert_int_equal(r.status, 0);
	gt_clirun_free(&r);
	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun(&r, home, NULL, 60, push);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "253 values acknowledged"));
	gt_clirun_free(&r);
}

/* ---- The server's disk full: a refusal for a passing reason ---- */

struct small_fs {
	struct gt_testserver *ts;
	char mnt[4300];
	int mounted;
};

static int small_fs_setup(void **state)
{
	struct small_fs *f = calloc(1, sizeof(*f));
	void *ts = NULL;

	if (f == NULL || gt_clirun_server_setup(&ts) != 0)
		return -1;
	f->ts = ts;
	*state = f;
	return 0;
}

static int small_fs_teardown(void **state)
{
	struct small_fs *f = *state;
	void *ts = f->ts;

	if (f->ts->pid > 0)
		gt_testserver_stop(f->ts);
	if (f->mounted)
		umount2(f->mnt, MNT_DETACH);
	gt_clirun_server_teardown(&ts);
	free(f);
	return 0;
}

/* The server's store lives on a small file system that fills up: the server refuses the batch
 * as its disk is full, the client keeps it and retries with backoff, and once space is freed
 * the batch goes through, once. Needs permission to mount a tmpfs (skipped otherwise). */
static void test_server_disk_full(void **state)
{
	struct small_fs *f = *state;
	struct gt_testserver *ts = f->ts;
	struct gt_clirun r;
	struct gt_clirun_bg bg;
	char home[4200], moved[4400], filler[4400], listen[64], cmd[20000];
	struct statvfs vfs;

	snprintf(f->mnt, sizeof(f->mnt), "%s/small", ts->dir);
	assert_int_equal(mkdir(f->mnt, 0700), 0);
	if (mount("tmpfs", f->mnt, "tmpfs", 0, "size=4m") != 0)
		skip();
	f->mounted = 1;
	gt_clirun_client(ts, "d1", "53.71", "operator", home, sizeof(home));
	/* Move the server's data onto the small file system. */
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", ts->port);
	assert_int_equal(gt_testserver_stop(ts), 0);
	snprintf(moved, sizeof(moved), "%s/data", f->mnt);
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s' && rm -rf '%s' && ln -s '%s' '%s'", ts->data,
	         moved, ts->data, moved, ts->data);
	assert_int_equal(system(cmd), 0);
	const char *again[] = {"--listen", listen, NULL};
	gt_testserver_start(ts, again);
	open_old_years(ts);

	/* 252 values of 1.9 kB: some 500 kB for the server to store. */
	char path[4300];
	size_t cap = 1u << 20, used;
	char *text = malloc(cap);
	assert_non_null(text);
	used = (size_t)snprintf(text, cap, "dataelement,period,value\n");
	for (int y = 1900; y < 2026; y++)
		for (int h = 1; h <= 2; h++) {
			used +=
			    (size_t)snprintf(text + used, cap - used, "GT_CATATAN,%dS%d,", y, h);
			memset(text + used, 'c', 1900);
			used += 1900;
			text[used++] = '\n';
		}
	text[used] = '\0';
	snprintf(path, sizeof(path), "%s/notes.csv", ts->dir);
	gt_clirun_write(path, text);
	free(text);
	const char *imp[] = {"import", path, NULL};
	gt_clirun(&r, home, NULL, 60, imp);
	assert_int_equal(r.status, 0);
	gt_clirun_free(&r);

	/* Fill the file system but for 64 kB. */
	assert_int_equal(statvfs(f->mnt, &vfs), 0);
	snprintf(filler, sizeof(filler), "%s/filler", f->mnt);
	unsigned long long room = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	snprintf(cmd, sizeof(cmd), "head -c %llu /dev/zero > '%s' 2>/dev/null; true",
	         room > 65536 ? room - 65536 : 0, filler);
	assert_int_equal(system(cmd), 0);

	const char *push[] = {"push", "--retries", "30", "--retry-base-ms", "200", NULL};
	gt_clirun_spawn(&bg, ts->dir, home, NULL, push);
	/* Wait for the first refusal, then free the space. */
	for (int i = 0; i < 200 && gt_testserver_log_count(ts, "outcome=refused") == 0; i++)
		usleep(50 * 1000);
	assert_true(gt_testserver_log_count(ts, "outcome=refused") > 0);
	assert_int_equal(unlink(filler), 0);
	gt_clirun_wait(&r, &bg, 120);
	if (r.status != 0)
		fail_msg("push exited %d:\n%s%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.err, "could not take batch 1 now"));
	assert_non_null(strstr(r.err, "disk is full"));
	assert_non_null(strstr(r.err, "retrying in"));
	assert_non_null(strstr(r.out, "252 values acknowledged"));
	gt_clirun_free(&r);
	struct gt_clirun_values server;
	gt_clirun_server_values(ts, "53.71", &server);
	assert_int_equal(server.n, 252);
	gt_clirun_values_free(&server);
	assert_int_equal(gt_testserver_stop(ts), 0);
}

/* Writes dir/name: 1,200 values of KK_LP (every month of 1900-1999), each month's value plus
 * add. */
static void many_values(const char *dir, const char *name, int add, char *path, size_t len)
{
	size_t used, cap = 64u << 10;
	char *text = malloc(cap);

	assert_non_null(text);
	used = (size_t)snprintf(text, cap, "dataelement,period,value\n");
	for (int y = 1900; y < 2000; y++)
		for (int m = 1; m <= 12; m++)
			used += (size_t)snprintf(text + used, cap - used, "KK_LP,%d%02d,%d\n", y, m,
			                         m + add);
	snprintf(path, len, "%s/%s", dir, name);
	gt_clirun_write(path, text);
	free(text);
}

/* The push summary's counts grouped as the language writes them (issue 12, what remained, item
 * 2): 1,200 values read "1.200 nilai diakui" in Indonesian, and "1,200" in English. */
static void test_push_summary_grouped(void **state)
{
	struct gt_testserver *ts = *state;
	static const char *const id[] = {"LANGUAGE=id", NULL};
	struct gt_clirun r;
	char home[4200], path[4300];

	gt_clirun_client(ts, "grp", "53.71", "operator", home, sizeof(home));
	open_old_years(ts);
	many_values(ts->dir, "many-id.csv", 0, path, sizeof(path));
	const char *imp[] = {"import", path, NULL};
	gt_clirun(&r, home, id, 60, imp);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "1.200 nilai"));
	gt_clirun_free(&r);
	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun(&r, home, id, 60, push);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "1.200 nilai diakui, 0 konflik"));
	gt_clirun_free(&r);
	/* In English the same summary groups with commas. */
	many_values(ts->dir, "many-en.csv", 1, path, sizeof(path));
	gt_clirun(&r, home, NULL, 60, imp);
	assert_int_equal(r.status, 0);
	gt_clirun_free(&r);
	gt_clirun(&r, home, NULL, 60, push);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "1,200 values acknowledged, 0 in conflict"));
	gt_clirun_free(&r);
}

static void test_help_everywhere(void **state)
{
	static const char *const cmds[][3] = {
	    {"--help", NULL, NULL},         {"init", "--help", NULL},
	    {"key", "--help", NULL},        {"metadata", "--help", NULL},
	    {"metadata", "pull", "--help"}, {"import", "--help", NULL},
	    {"set", "--help", NULL},        {"push", "--help", NULL},
	    {"pull", "--help", NULL},       {"status", "--help", NULL},
	    {"report", "--help", NULL},
	};
	struct gt_clirun r;
	(void)state;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *args[4] = {cmds[i][0], cmds[i][1], cmds[i][2], NULL};
		gt_clirun(&r, NULL, NULL, 10, args);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "usage: gtsync"));
		/* The test hooks are for test builds and never part of the help. */
		assert_null(strstr(r.out, "GTSYNC_TEST"));
		gt_clirun_free(&r);
	}
	const char *bad[] = {"push", "--frobnicate", NULL};
	gt_clirun(&r, NULL, NULL, 10, bad);
	assert_int_equal(r.status, 2);
	gt_clirun_free(&r);
	const char *nohome[] = {"status", "--home", "/nonexistent/gtsync-home", NULL};
	gt_clirun(&r, NULL, NULL, 10, nohome);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "is not a gtsync home"));
	gt_clirun_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_wrong_certificate, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(test_key_not_registered_or_revoked,
	                                    gt_clirun_server_setup, gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(test_refused_for_good, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(test_disk_full, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(test_server_disk_full, small_fs_setup,
	                                    small_fs_teardown),
	    cmocka_unit_test_setup_teardown(test_push_summary_grouped, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test(test_help_everywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
