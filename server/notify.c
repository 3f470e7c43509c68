/* sd_notify(3) messages to the service manager: ready, reloading, stopping. */
#include "notify.h"

#include <systemd/sd-daemon.h>

void gt_notify_ready(const char *listen_addr)
{
	(void)sd_notifyf(0, "READY=1\nSTATUS=serving on %s", listen_addr ? listen_addr : "?");
}

void gt_notify_reloading(void)
{
	(void)sd_notify(0, "RELOADING=1\nSTATUS=reloading");
}

void gt_notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1\nSTATUS=stopping: finishing commits in flight");
}
