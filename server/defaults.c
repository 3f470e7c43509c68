/* Where the files the project ships are found: installed, relocated or in the source tree. */
#include "defaults.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

#ifndef GT_INSTALL_DATADIR
#define GT_INSTALL_DATADIR "/usr/local/share/gtsync"
#endif
#ifndef GT_SOURCE_TREE
#define GT_SOURCE_TREE "."
#endif

/* Names as installed under share/gtsync/, and in the source tree. */
static const struct {
	const char *installed;
	const char *source;
} names[] = {
    [GT_DEFAULT_ORGUNITS] = {GT_DEFAULT_ORGUNITS_FILE, "data/orgunits/wilayah-kemendagri-2025.csv"},
    [GT_DEFAULT_METADATA] = {"metadata", "metadata"},
};

/* Writes dir/name into out (without "..", when it exists); 1 if it exists, 0 if not,
 * GT_ETOOBIG. */
static int try_path(char *out, size_t cap, const char *dir, const char *name)
{
	char real[PATH_MAX];
	struct stat sb;
	int n = snprintf(out, cap, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= cap)
		return GT_ETOOBIG;
	if (stat(out, &sb) != 0)
		return 0;
	if (realpath(out, real) != NULL && strlen(real) < cap)
		memcpy(out, real, strlen(real) + 1);
	return 1;
}

/* The directory of the running program, from /proc/self/exe; "" when unknown. */
static void exe_dir(char *out, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", out, cap - 1);
	char *slash;

	if (n <= 0 || (size_t)n >= cap - 1) {
		out[0] = '\0';
		return;
	}
	out[n] = '\0';
	slash = strrchr(out, '/');
	if (slash == NULL)
		out[0] = '\0';
	else
		*slash = '\0';
}

int gt_defaults_find(enum gt_default_file what, char *out, size_t cap)
{
	const char *env = getenv("GTSYNC_DATADIR");
	char dir[PATH_MAX + 32];
	int rc;

	if (cap == 0 || (unsigned)what >= sizeof(names) / sizeof(names[0]))
		return GT_EINVAL;
	if (env != NULL && env[0] != '\0' && (rc = try_path(out, cap, env, names[what].installed)))
		return rc > 0 ? 0 : rc;
	exe_dir(dir, PATH_MAX);
	if (dir[0] != '\0') {
		strcat(dir, "/../share/gtsync");
		if ((rc = try_path(out, cap, dir, names[what].installed)))
			return rc > 0 ? 0 : rc;
	}
	if ((rc = try_path(out, cap, GT_SOURCE_TREE, names[what].source)))
		return rc > 0 ? 0 : rc;
	if ((rc = try_path(out, cap, GT_INSTALL_DATADIR, names[what].installed)))
		return rc > 0 ? 0 : rc;
	return GT_ENOENT;
}
