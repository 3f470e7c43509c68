/* What the server said, in the user's language: a client-side translation by code. */
#include "servermsg.h"

#include <string.h>

#include "error.h"
#include "i18n.h"
#include "protonames.h"

/* Whether the server's own (English) sentence may be shown as it is. */
static int show_as_said(const char *said)
{
	return said != NULL && said[0] != '\0' && strcmp(gt_i18n_lang(), GT_LANG_EN) == 0;
}

const char *gt_servermsg_error(int code, const char *said)
{
	return show_as_said(said) ? said : gt_error_text(code);
}

const char *gt_servermsg_conflict(int reason, const char *said)
{
	return show_as_said(said) ? said : _(gt_protonames_conflict_message(reason));
}
