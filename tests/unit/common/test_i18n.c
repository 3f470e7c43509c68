/* Tests of common/i18n: the language the environment asks for, and switching catalogues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "i18n.h"
#include "testutil.h"

static void clear_env(void)
{
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANG");
}

static void test_env_lang(void **state)
{
	(void)state;
	clear_env();
	assert_null(gt_i18n_env_lang());
	setenv("LANG", "id_ID.UTF-8", 1);
	assert_string_equal(gt_i18n_env_lang(), "id");
	setenv("LANG", "en_GB.UTF-8", 1);
	assert_string_equal(gt_i18n_env_lang(), "en");
	setenv("LANG", "fr_FR.UTF-8", 1);
	assert_string_equal(gt_i18n_env_lang(), "en");
	/* LC_MESSAGES comes before LANG; an empty one does not count. */
	setenv("LC_MESSAGES", "in_ID", 1);
	assert_string_equal(gt_i18n_env_lang(), "id");
	setenv("LC_MESSAGES", "", 1);
	assert_string_equal(gt_i18n_env_lang(), "en");
	/* LC_ALL before both; C means "not asked". */
	setenv("LC_ALL", "C.UTF-8", 1);
	assert_null(gt_i18n_env_lang());
	setenv("LANGUAGE", "id", 1);
	assert_string_equal(gt_i18n_env_lang(), "id");
	clear_env();
}

static void test_known(void **state)
{
	(void)state;
	assert_true(gt_i18n_known("id"));
	assert_true(gt_i18n_known("en"));
	assert_false(gt_i18n_known("fr"));
	assert_false(gt_i18n_known(""));
	assert_false(gt_i18n_known(NULL));
	assert_int_equal(gt_i18n_use("xx"), GT_EINVAL);
}

/* Writes a catalogue for lang with one message and compiles it with msgfmt. */
static void write_catalogue(const char *root, const char *lang, const char *msgstr)
{
	char cmd[1024], po[512];
	FILE *f;

	snprintf(po, sizeof(po), "%s/%s.po", root, lang);
	f = fopen(po, "w");
	assert_non_null(f);
	fprintf(f,
	        "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
	        "msgid \"Test message\"\nmsgstr \"%s\"\n",
	        msgstr);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
	         "mkdir -p %s/%s/LC_MESSAGES && msgfmt -o %s/%s/LC_MESSAGES/%s.mo %s", root, lang,
	         root, lang, GT_TEXTDOMAIN, po);
	assert_int_equal(system(cmd), 0);
}

static void test_switch(void **state)
{
	char *root = gt_test_tmpdir("i18n");
	(void)state;

	write_catalogue(root, "id", "Pesan uji");
	write_catalogue(root, "en", "Test message (en)");
	clear_env();
	setenv(GT_LOCALEDIR_ENV, root, 1);
	assert_int_equal(gt_i18n_setup(), GT_OK);

	assert_int_equal(gt_i18n_use("id"), GT_OK);
	assert_string_equal(gt_i18n_lang(), "id");
	assert_string_equal(_("Test message"), "Pesan uji");
	assert_int_equal(gt_i18n_use("en"), GT_OK);
	assert_string_equal(gt_i18n_lang(), "en");
	assert_string_equal(_("Test message"), "Test message (en)");
	/* Back again: gettext's cache must not keep the other language. */
	assert_int_equal(gt_i18n_use("id"), GT_OK);
	assert_string_equal(_("Test message"), "Pesan uji");
	/* A string with no translation comes back as it is. */
	assert_string_equal(_("Not in any catalogue"), "Not in any catalogue");
	gt_test_rmtree(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_env_lang),
	    cmocka_unit_test(test_known),
	    cmocka_unit_test(test_switch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
