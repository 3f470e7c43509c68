/* Where the files the project ships are found: the official org-unit list and the metadata. */
#ifndef GT_DEFAULTS_H
#define GT_DEFAULTS_H

#include <stddef.h>

/* The shipped files a command uses when none is named. */
enum gt_default_file {
	GT_DEFAULT_ORGUNITS, /* the official org-unit list (Kemendagri 2025, with time zones) */
	GT_DEFAULT_METADATA, /* the directory of .gtm data-set definitions */
};

/* The name under share/gtsync/ of the installed org-unit list. */
#define GT_DEFAULT_ORGUNITS_FILE "orgunits/wilayah-kemendagri-2025.csv"

/*
 * Finds a shipped file and writes its path into out[0..cap). Places tried, in order:
 *  1. $GTSYNC_DATADIR/<name> when the variable is set (its files are laid out as installed);
 *  2. <the program's directory>/../share/gtsync/<name>, so an installed tree works wherever
 *     it is put (a --prefix, a staging DESTDIR, a Debian package);
 *  3. the source tree the program was built from (data/orgunits/, metadata/), for a program
 *     run from its build directory;
 *  4. the install prefix's share/gtsync/<name> compiled in.
 * Returns 0; GT_ENOENT when none exists (out then names the place of step 4, for a message);
 * GT_ETOOBIG if a path does not fit.
 */
int gt_defaults_find(enum gt_default_file what, char *out, size_t cap);

#endif
