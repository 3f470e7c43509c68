/* What the server said, in the user's language: the server's sentence looked up in the
 * catalogue, else the client's sentence for the code with the server's words after it. */
#include "servermsg.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "i18n.h"
#include "protonames.h"

/* The sentence for said, whose generic meaning in the language in use is generic. */
static const char *shown(const char *generic, const char *said, char buf[GT_SERVERMSG_MAX])
{
	const char *t;

	if (said == NULL || said[0] == '\0')
		return generic;
	if (strcmp(gt_i18n_lang(), GT_LANG_EN) == 0)
		return said;
	/* The server's sentences are the catalogue's msgids (server/ marks them N_()): the exact
	 * sentence found is shown translated. */
	t = dgettext(GT_TEXTDOMAIN, said);
	if (t != said && strcmp(t, said) != 0)
		return t;
	snprintf(buf, GT_SERVERMSG_MAX, _("%s; the server's words: \"%s\""), generic, said);
	return buf;
}

const char *gt_servermsg_error(int code, const char *said, char buf[GT_SERVERMSG_MAX])
{
	return shown(gt_error_text(code), said, buf);
}

const char *gt_servermsg_conflict(int reason, const char *said, char buf[GT_SERVERMSG_MAX])
{
	return shown(_(gt_protonames_conflict_message(reason)), said, buf);
}
