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
	return gt_client_main(argc, argv);
}
