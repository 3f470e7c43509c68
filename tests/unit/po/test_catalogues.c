/* The translation catalogues against the sources (issue 12): every string the sources mark for
 * translation (_(), N_(), P_(), C_()) is in po/id.po and po/en.po, translated, and not fuzzy.
 * xgettext collects the strings as scripts/update-po.sh does; msgcmp and msgattrib compare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "testutil.h"

struct fx {
	char *dir;
	char pot[1100];
};

/* Runs cmd with sh; returns its exit status, its output (first bytes) in out. */
static int run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int st;

	assert_non_null(p);
	while (n + 1 < len) {
		size_t got = fread(out + n, 1, len - 1 - n, p);
		if (got == 0)
			break;
		n += got;
	}
	out[n] = '\0';
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char cmd[4096], out[8192];

	f->dir = gt_test_tmpdir("po");
	snprintf(f->pot, sizeof(f->pot), "%s/sources.pot", f->dir);
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && find common server client -name '*.[ch]' | LC_ALL=C sort >'%s/files' "
	         "&& xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ "
	         "--keyword=P_:1,2 --keyword=C_:1c,2 --no-wrap --files-from='%s/files' -o '%s' "
	         "2>&1",
	         GT_SOURCE_DIR, f->dir, f->dir, f->pot);
	if (run(cmd, out, sizeof(out)) != 0) {
		fprintf(stderr, "xgettext failed: %s\n", out);
		return -1;
	}
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

static void check_catalogue(struct fx *f, const char *lang)
{
	char cmd[4096], out[16384];

	/* Every marked string of the sources has an entry. */
	snprintf(cmd, sizeof(cmd), "msgcmp '%s/po/%s.po' '%s' 2>&1", GT_SOURCE_DIR, lang, f->pot);
	if (run(cmd, out, sizeof(out)) != 0)
		fail_msg("po/%s.po lacks strings of the sources (run scripts/update-po.sh and "
		         "translate them):\n%s",
		         lang, out);
	/* Every entry is translated and none is fuzzy. */
	snprintf(cmd, sizeof(cmd),
	         "msgattrib --untranslated --no-obsolete '%s/po/%s.po' | grep '^msgid ' | "
	         "grep -v '^msgid \"\"$'; msgattrib --only-fuzzy --no-obsolete '%s/po/%s.po' | "
	         "grep '^msgid ' | grep -v '^msgid \"\"$'",
	         GT_SOURCE_DIR, lang, GT_SOURCE_DIR, lang);
	run(cmd, out, sizeof(out));
	if (out[0] != '\0')
		fail_msg("po/%s.po has strings without a translation (or fuzzy):\n%s", lang, out);
}

static void test_id_complete(void **state)
{
	check_catalogue(*state, "id");
}

static void test_en_complete(void **state)
{
	check_catalogue(*state, "en");
}

/* Lists the entries of a catalogue whose translation is the English msgid itself while the
 * msgid is an English sentence (it holds " the ", " is ", " of "...): copied, not translated. */
static int copied_english(const char *po, char *out, size_t len)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
	         "msgcat --no-wrap '%s' | awk '/^msgid \"/ { id = substr($0, 7); next } "
	         "/^msgstr \"/ { s = substr($0, 8); if (s == id && id ~ / (the|is|are|of|and|"
	         "not|to|with) /) print id; id = \"\" }'",
	         po);
	return run(cmd, out, len);
}

/* The Indonesian catalogue holds no English sentence passed off as its translation. */
static void test_id_not_copied(void **state)
{
	char po[1100], out[8192];
	(void)state;

	snprintf(po, sizeof(po), "%s/po/id.po", GT_SOURCE_DIR);
	copied_english(po, out, sizeof(out));
	if (out[0] != '\0')
		fail_msg("po/id.po keeps English text as its translation:\n%s", out);
	/* The check can fail: the English catalogue is exactly that. */
	snprintf(po, sizeof(po), "%s/po/en.po", GT_SOURCE_DIR);
	copied_english(po, out, sizeof(out));
	assert_true(out[0] != '\0');
}

/* The check can fail: a catalogue without one of the sources' strings is caught. */
static void test_missing_string_caught(void **state)
{
	struct fx *f = *state;
	char cmd[4096], out[8192];

	snprintf(
	    cmd, sizeof(cmd),
	    "msggrep --invert-match --msgid --fixed-strings --regexp='Not accepted' '%s/po/id.po' "
	    "-o '%s/cut.po' && msgcmp '%s/cut.po' '%s' 2>&1",
	    GT_SOURCE_DIR, f->dir, f->dir, f->pot);
	assert_int_not_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "used but not defined"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_complete),
	    cmocka_unit_test(test_en_complete),
	    cmocka_unit_test(test_id_not_copied),
	    cmocka_unit_test(test_missing_string_caught),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
