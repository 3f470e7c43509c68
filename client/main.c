/* gtsync: the district and provincial client; the commands live in the client library. */
#include <signal.h>

#include "commands.h"
#include "i18n.h"

int main(int argc, char **argv)
{
	/* A server that resets the connection must not kill the client (libuv writes with
	 * write(2)), and a file size limit must fail a write rather than end the process, so
	 * the store rolls back cleanly. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	gt_i18n_setup();
	/* The language the environment asks for (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else
	 * Bahasa Indonesia: the offices' language. */
	gt_i18n_use(gt_i18n_env_lang() ? gt_i18n_env_lang() : GT_LANG_DEFAULT);
	return gt_client_main(argc, argv);
}
