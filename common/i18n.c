/* Translations through GNU gettext: the catalogues' place, and switching between id and en. */
#include "i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "gtlimits.h"

/* Where the build tree keeps its compiled catalogues and the install puts them; set by CMake. */
#ifndef GT_BUILD_DIR
#define GT_BUILD_DIR ""
#endif
#ifndef GT_BUILD_LOCALEDIR
#define GT_BUILD_LOCALEDIR ""
#endif
#ifndef GT_INSTALL_LOCALEDIR
#define GT_INSTALL_LOCALEDIR "/usr/local/share/locale"
#endif

/* Whether the running program is one of the build tree's (its path starts with GT_BUILD_DIR). */
static int running_from_build_tree(void)
{
	char self[GT_PATH_MAX];
	size_t n = strlen(GT_BUILD_DIR);
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len <= 0 || n == 0)
		return 0;
	self[len] = '\0';
	return strncmp(self, GT_BUILD_DIR, n) == 0 && self[n] == '/';
}

/* Whether a locale category is the plain C one, in which gettext ignores LANGUAGE. */
static int category_is_c(int category)
{
	const char *cur = setlocale(category, NULL);
	return cur == NULL || strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0;
}

int gt_i18n_setup(void)
{
	const char *dir = getenv(GT_LOCALEDIR_ENV);

	/* Text and messages follow the environment; numbers never do (machine formats). */
	if (setlocale(LC_CTYPE, "") == NULL || category_is_c(LC_CTYPE))
		setlocale(LC_CTYPE, "C.UTF-8");
	if (setlocale(LC_MESSAGES, "") == NULL || category_is_c(LC_MESSAGES))
		setlocale(LC_MESSAGES, "C.UTF-8");
	if (dir == NULL || dir[0] == '\0')
		dir = running_from_build_tree() ? GT_BUILD_LOCALEDIR : GT_INSTALL_LOCALEDIR;
	bindtextdomain(GT_TEXTDOMAIN, dir);
	bind_textdomain_codeset(GT_TEXTDOMAIN, "UTF-8");
	return GT_OK;
}

const char *gt_i18n_env_lang(void)
{
	static const char *const vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v == NULL || v[0] == '\0')
			continue;
		if (strcmp(v, "C") == 0 || strcmp(v, "POSIX") == 0 || strncmp(v, "C.", 2) == 0)
			return NULL;
		/* "in" is the old ISO 639 code of Bahasa Indonesia, still seen in some systems. */
		if (strncmp(v, "id", 2) == 0 || strncmp(v, "in", 2) == 0)
			return GT_LANG_ID;
		return GT_LANG_EN;
	}
	return NULL;
}

int gt_i18n_known(const char *lang)
{
	return lang != NULL && (strcmp(lang, GT_LANG_ID) == 0 || strcmp(lang, GT_LANG_EN) == 0);
}

int gt_i18n_use(const char *lang)
{
	if (!gt_i18n_known(lang))
		return GT_EINVAL;
	if (category_is_c(LC_MESSAGES))
		setlocale(LC_MESSAGES, "C.UTF-8");
	/* gettext's choice of language is per process (LANGUAGE); it is also what
	 * gt_i18n_lang() reads back, so gtsync keeps no copy of its own. */
	setenv("LANGUAGE", lang, 1);
	/* gettext caches translations until the catalogue counter moves; this moves it. */
	textdomain(textdomain(NULL));
	return GT_OK;
}

const char *gt_i18n_lang(void)
{
	const char *v = getenv("LANGUAGE");
	if (v != NULL && strcmp(v, GT_LANG_EN) == 0)
		return GT_LANG_EN;
	if (v != NULL && strcmp(v, GT_LANG_ID) == 0)
		return GT_LANG_ID;
	return GT_LANG_DEFAULT;
}

const char *gt_i18n_pgettext(const char *key, const char *fallback)
{
	const char *t = dgettext(GT_TEXTDOMAIN, key);
	return t == key ? fallback : t;
}
