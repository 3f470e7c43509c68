/* Issue 13, the Debian package: `cpack -G DEB` builds one whose dependencies come from
 * dpkg-shlibdeps, which holds the programs, the units, the shipped data and the maintainer
 * scripts, installs under /usr, and passes lintian (when lintian is installed). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "testutil.h"

/* Runs a shell command and returns its output (caller frees); *status gets its exit code. */
static char *sh(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);

	assert_non_null(p);
	assert_non_null(buf);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n - 1, p);
		n += got;
		if (got == 0)
			break;
		if (n + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	buf[n] = '\0';
	*status = pclose(p);
	return buf;
}

static void debian_package(void **state)
{
	char *dir = gt_test_tmpdir("deb");
	char cmd[8192], deb[4400] = "";
	char *out;
	int st;
	DIR *d;
	struct dirent *e;
	(void)state;

	/* Built into a directory of the test's own, from the build tree the tests ran from. */
	snprintf(cmd, sizeof(cmd), "cd '%s' && cpack -G DEB -B '%s' 2>&1", GT_BINARY_DIR, dir);
	out = sh(cmd, &st);
	if (st != 0)
		fail_msg("cpack failed:\n%s", out);
	free(out);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".deb") != NULL)
			snprintf(deb, sizeof(deb), "%s/%s", dir, e->d_name);
	closedir(d);
	assert_true(deb[0] != '\0');

	/* Control: dependencies from shlibdeps, the maintainer scripts, the conffile. */
	snprintf(cmd, sizeof(cmd), "dpkg-deb --info '%s'", deb);
	out = sh(cmd, &st);
	assert_int_equal(st, 0);
	static const char *const control[] = {
	    "Package: gtsync", "Section: admin", "adduser",     "libuv1", "libsqlite3-0",
	    "libssl3",         "libprotobuf-c1", "libsystemd0", "libc6",  " postinst ",
	    " prerm ",         " postrm ",       " conffiles ",
	};
	for (size_t i = 0; i < sizeof(control) / sizeof(control[0]); i++)
		if (strstr(out, control[i]) == NULL)
			fail_msg("dpkg-deb --info lacks \"%s\":\n%s", control[i], out);
	free(out);
	snprintf(cmd, sizeof(cmd), "dpkg-deb --ctrl-tarfile '%s' | tar -xO ./conffiles ./postinst",
	         deb);
	out = sh(cmd, &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "/etc/default/gtsync-server"));
	assert_non_null(strstr(out, "adduser --system --group"));
	assert_non_null(strstr(out, "install -d -m 0700 -o gtsync -g gtsync \"$data\""));
	free(out);

	/* Contents, under /usr, with the units where Debian 12's systemd reads them. */
	snprintf(cmd, sizeof(cmd), "dpkg-deb --contents '%s'", deb);
	out = sh(cmd, &st);
	assert_int_equal(st, 0);
	static const char *const files[] = {
	    "./usr/sbin/gtsync-server",
	    "./usr/bin/gtsync",
	    "./usr/share/gtsync/orgunits/wilayah-kemendagri-2025.csv",
	    "./usr/share/gtsync/orgunits/LICENSE",
	    "./usr/share/gtsync/metadata/kasus.gtm",
	    "./usr/share/man/man8/gtsync-server.8.gz",
	    "./usr/share/man/man1/gtsync.1.gz",
	    "./usr/share/doc/gtsync/copyright",
	    "./usr/share/doc/gtsync/changelog.gz",
	    "./lib/systemd/system/gtsync-server.service",
	    "./lib/systemd/system/gtsync-backup.timer",
	    "./usr/lib/sysusers.d/gtsync.conf",
	    "./usr/libexec/gtsync/nightly-backup",
	    "./etc/default/gtsync-server",
	    "./usr/share/locale/id/LC_MESSAGES/gtsync.mo",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strstr(out, files[i]) == NULL)
			fail_msg("the package lacks %s:\n%s", files[i], out);
	assert_null(strstr(out, "/usr/local"));
	free(out);
	snprintf(
	    cmd, sizeof(cmd),
	    "dpkg-deb --fsys-tarfile '%s' | tar -xO ./lib/systemd/system/gtsync-server.service",
	    deb);
	out = sh(cmd, &st);
	assert_int_equal(st, 0);
	assert_non_null(
	    strstr(out, "ExecStart=/usr/sbin/gtsync-server run --data /var/lib/gtsync"));
	assert_non_null(strstr(out, "EnvironmentFile=-/etc/default/gtsync-server"));
	free(out);

	/* lintian, when installed. */
	if (system("command -v lintian >/dev/null 2>&1") != 0) {
		print_message("lintian is not installed: the package was NOT checked by lintian\n");
	} else {
		snprintf(cmd, sizeof(cmd), "lintian --tag-display-limit 0 '%s' 2>&1", deb);
		out = sh(cmd, &st);
		print_message("lintian: %s\n", out[0] ? out : "(no tags)");
		/* Errors and warnings fail the test; informational tags are only shown. */
		for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
			if (strncmp(l, "E: ", 3) == 0 || strncmp(l, "W: ", 3) == 0)
				fail_msg("lintian:\n%s", out);
		free(out);
	}
	gt_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(debian_package),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
