/* Tells the service manager (systemd, Type=notify) when the server is ready, reloading or
 * stopping; the one module that calls libsystemd. */
#ifndef GT_NOTIFY_H
#define GT_NOTIFY_H

/* Each call sends one sd_notify(3) message when the process was started with NOTIFY_SOCKET
 * (by systemd, or by a test), and does nothing otherwise. Failures are ignored: the service
 * manager's own timeout tells the operator. */

/* READY=1 with a STATUS= line naming the address served. */
void gt_notify_ready(const char *listen_addr);

/* RELOADING=1 before re-reading configuration on SIGHUP; send gt_notify_ready() after. */
void gt_notify_reloading(void);

/* STOPPING=1 when a shutdown begins. */
void gt_notify_stopping(void);

#endif
