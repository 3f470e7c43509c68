/* The `gtsync dashboard` command: its options and what runs it. */
#include "dashcmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "dashboard.h"
#include "error.h"
#include "home.h"
#include "humanfmt.h"
#include "i18n.h"

/* Longest background refresh interval, in seconds (a day). */
#define MAX_EVERY_S 86400ul
/* Deepest export below the office's unit (a nation's districts are two levels down). */
#define MAX_DEPTH 2ul

struct gt_cli_opt gt_dashcmd_opts[] = {
    {"home", "DIR", N_("the client's home (default $GTSYNC_HOME or ~/.gtsync)"), NULL},
    {"listen", "HOST:PORT", N_("where to serve the pages (default 127.0.0.1:8080)"), NULL},
    {"open", NULL, N_("open the dashboard in the desktop's browser"), NULL},
    {"dataset", "DS", N_("the data set the pages open with (default: the first, KK)"), NULL},
    {"period", "PERIOD", N_("the period the pages open with (default: last year)"), NULL},
    {"zone", "ZONE",
     N_("WIB, WITA or WIT: the time zone of the times shown (default: the office's own)"), NULL},
    {"every", "SECONDS", N_("refresh the reports in the background this often (default 300)"),
     NULL},
    {"tls-cert", "CERT.pem", N_("the certificate for an address other than loopback"), NULL},
    {"tls-key", "KEY.pem", N_("its private key"), NULL},
    {"tls", NULL, N_("serve over TLS with the login token on loopback too"), NULL},
    {"export", "DIR", N_("write the pages as a static site into DIR instead of serving them"),
     NULL},
    {"depth", "N",
     N_("with --export: the levels of units below the office's to include (default 1)"), NULL},
    {"public", NULL,
     N_("with --export: for publishing, every figure as a reader sees it (small counts of victims "
        "withheld), fetched afresh from the server"),
     NULL},
    {0},
};

int gt_dashcmd_run(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_dashboard_opts o = {.out = stdout, .err = stderr};
	const char *every = gt_cli_get(cmd, "every");
	const char *export = gt_cli_get(cmd, "export"), *depth_s = gt_cli_get(cmd, "depth");
	unsigned long depth = 1;
	char dir[GT_PATH_MAX];
	int minutes;
	(void)argc;
	(void)argv;
	(void)arg;

	if (gt_home_resolve(gt_cli_get(cmd, "home"), dir, sizeof(dir)) != GT_OK) {
		fprintf(stderr, "gtsync dashboard: no home directory: give --home DIR or set %s\n",
		        GT_HOME_ENV);
		return GT_CLI_EXIT_USAGE;
	}
	o.home = dir;
	o.listen = gt_cli_get(cmd, "listen");
	o.dataset = gt_cli_get(cmd, "dataset");
	o.period = gt_cli_get(cmd, "period");
	o.zone = gt_cli_get(cmd, "zone");
	o.tls_cert = gt_cli_get(cmd, "tls-cert");
	o.tls_key = gt_cli_get(cmd, "tls-key");
	o.open_browser = gt_cli_get(cmd, "open") != NULL;
	o.tls = gt_cli_get(cmd, "tls") != NULL;
	if (o.zone != NULL && gt_human_zone_offset(o.zone, &minutes) != GT_OK) {
		fprintf(stderr, "gtsync dashboard: --zone is WIB, WITA or WIT\n");
		return GT_CLI_EXIT_USAGE;
	}
	if ((o.tls_cert == NULL) != (o.tls_key == NULL)) {
		fprintf(stderr, "gtsync dashboard: --tls-cert and --tls-key go together\n");
		return GT_CLI_EXIT_USAGE;
	}
	if (every != NULL) {
		char *end;
		unsigned long n;
		errno = 0;
		n = strtoul(every, &end, 10);
		if (errno || *end || end == every || n == 0 || n > MAX_EVERY_S) {
			fprintf(stderr, "gtsync dashboard: --every needs seconds from 1 to %lu\n",
			        MAX_EVERY_S);
			return GT_CLI_EXIT_USAGE;
		}
		o.every_s = (unsigned)n;
	}
	if (depth_s != NULL) {
		char *end;
		errno = 0;
		depth = strtoul(depth_s, &end, 10);
		if (errno || *end || end == depth_s || depth > MAX_DEPTH || export == NULL) {
			fprintf(stderr,
			        "gtsync dashboard: --depth goes with --export and is 0 to %lu\n",
			        MAX_DEPTH);
			return GT_CLI_EXIT_USAGE;
		}
	}
	o.public_view = gt_cli_get(cmd, "public") != NULL;
	if (o.public_view && export == NULL) {
		fprintf(stderr, "gtsync dashboard: --public goes with --export\n");
		return GT_CLI_EXIT_USAGE;
	}
	if (export != NULL)
		return gt_dashboard_export(&o, export, (unsigned)depth) == GT_OK ? GT_CLI_EXIT_OK
		                                                                 : GT_CLI_EXIT_FAIL;
	return gt_dashboard_run(&o) == GT_OK ? GT_CLI_EXIT_OK : GT_CLI_EXIT_FAIL;
}
