/* Translations through GNU gettext: the _() and N_() markers, the catalogues' place, the language.
 */
#ifndef GT_I18N_H
#define GT_I18N_H

#include <libintl.h>

/* The gettext domain of gtsync's catalogues (po/<lang>.po, installed as <lang>/gtsync.mo). */
#define GT_TEXTDOMAIN "gtsync"

/* Marks a string for translation and translates it. */
#define _(s) dgettext(GT_TEXTDOMAIN, s)
/* Marks a string for translation without translating it (tables; translate at use with _()).
 * It expands to the bare literal, so marked pieces concatenate: N_("a") "\n\n" N_("b"). */
#define N_(s) s
/* Marks and translates a string within a context (msgctxt), for short words that mean
 * different things in different places ("Mar" the month); falls back to s untranslated. */
#define C_(ctx, s) gt_i18n_pgettext(ctx "\004" s, s)
/* A translated string with a plural form chosen by n. */
#define P_(s, p, n) dngettext(GT_TEXTDOMAIN, s, p, n)

/* The languages gtsync speaks: Bahasa Indonesia (the default) and English. */
#define GT_LANG_ID      "id"
#define GT_LANG_EN      "en"
#define GT_LANG_DEFAULT GT_LANG_ID

/* Environment variable naming another catalogue folder (tests, relocated installs). */
#define GT_LOCALEDIR_ENV "GTSYNC_LOCALEDIR"

/* Sets up translations once, at a program's start: the character type and message categories
 * follow the environment (LC_NUMERIC stays "C", so machine formats keep '.' decimals), and the
 * gtsync domain is bound to its catalogues: $GTSYNC_LOCALEDIR if set, else the build tree's
 * when the program runs from it, else the installed folder. gettext's state is per process by
 * its nature; this is the one place that sets it. Returns 0 (a missing catalogue only means
 * untranslated text). */
int gt_i18n_setup(void);

/* The language the environment asks for, from LANGUAGE, LC_ALL, LC_MESSAGES and LANG in that
 * order (the first one set and not empty decides): GT_LANG_ID for "id..." / "in...",
 * GT_LANG_EN for any other language, NULL when the first one set is "C" or "POSIX" or none is
 * set. The result is a static string. */
const char *gt_i18n_env_lang(void);

/* Whether lang is a language gtsync speaks ("id" or "en"). */
int gt_i18n_known(const char *lang);

/* Switches the messages to lang ("id" or "en") for what follows; returns GT_EINVAL for any
 * other. Not thread-safe: call it where only one thread translates (program start, or a server
 * loop that renders one request at a time). */
int gt_i18n_use(const char *lang);

/* The translation of key ("context\004msgid") in the gtsync domain, or fallback when the
 * catalogue has none; for C_(). Borrowed result. */
const char *gt_i18n_pgettext(const char *key, const char *fallback);

/* The language set by the last gt_i18n_use() ("id" or "en"), else GT_LANG_DEFAULT. Static. */
const char *gt_i18n_lang(void);

#endif
