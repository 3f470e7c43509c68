/* The dashboard's test fixture: a server with a province's data, a secretariat home, and
 * `gtsync dashboard` running on 127.0.0.1 with an HTTP client (curl) to ask it. */
#ifndef GT_DASHFX_H
#define GT_DASHFX_H

#include <stddef.h>

#include "clirun.h"
#include "testserver.h"

/* The name of the district that tests hostile strings (53.73, expected, never reports). */
#define GT_DASHFX_HOSTILE "<script>alert(1)</script>\"><img src=x onerror=alert(2)>"

struct gt_dashfx {
	struct gt_testserver ts;
	char centre[GT_PATH_MAX]; /* the secretariat's home (ID) */
	char ag53[GT_PATH_MAX];   /* the province's aggregator (53) */
	char op71[GT_PATH_MAX];   /* 53.71's operator */
	struct gt_clirun_bg bg;
	int running;
	char url[128]; /* "http://127.0.0.1:PORT" (https with TLS) */
	int own_zone;  /* start without --zone WITA (the office's own zone) */
	/* When set: start with --open and BROWSER set to this program. */
	char browser[GT_PATH_MAX];
};

/* Starts the server, registers the homes, enters and pushes three months of 2025 KK figures
 * for 53.71 and 53.72, and 53.71's 2022 achievement of NTT's action plan (RADNTT2020.A1.A.01:
 * 1, RADNTT2020.A1.A.02: 3). Aborts the test on failure. */
void gt_dashfx_setup(struct gt_dashfx *f);

/* Starts the dashboard for home (period 2025) and waits for its address. */
void gt_dashfx_start(struct gt_dashfx *f, const char *home);

/* As gt_dashfx_start() with --tls: the address is https and login (the login address the
 * dashboard printed) is filled. */
void gt_dashfx_start_tls(struct gt_dashfx *f, const char *home, char *login, size_t len);

/* Stops the dashboard (SIGTERM) and checks it exited 0. */
void gt_dashfx_stop(struct gt_dashfx *f);

/* Stops what runs and removes the files. */
void gt_dashfx_teardown(struct gt_dashfx *f);

/* An HTTP answer. */
struct gt_dashfx_resp {
	int status;
	char *headers; /* caller frees both with gt_dashfx_resp_free() */
	char *body;
};

/* Asks the dashboard for path with curl; post (NULL for GET) is the form body; cookie (NULL:
 * none) is sent as the Cookie header. Aborts the test when curl cannot run. */
void gt_dashfx_http(struct gt_dashfx *f, const char *path, const char *post, const char *cookie,
                    struct gt_dashfx_resp *r);

void gt_dashfx_resp_free(struct gt_dashfx_resp *r);

/* The report of org as `gtsync report --format json` gives it to home (caller frees). */
char *gt_dashfx_report_json(const char *home, const char *org);

/* The same for KK in period pe (caller frees). */
char *gt_dashfx_report_json_pe(const char *home, const char *org, const char *pe);

#endif
