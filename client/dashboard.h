/* gtsync dashboard: the consolidated picture in a browser, served from the home's store. */
#ifndef GT_DASHBOARD_H
#define GT_DASHBOARD_H

#include <stdint.h>
#include <stdio.h>

#include "cstore_dash.h"
#include "home.h"
#include "metadata.h"
#include "timezone.h"

/* Seconds between background refreshes by default. */
#define GT_DASHBOARD_EVERY_S 300u
/* The address the dashboard listens on by default. */
#define GT_DASHBOARD_LISTEN "127.0.0.1:8080"

struct gt_dashboard_opts {
	const char *home;     /* the home directory (resolved) */
	const char *listen;   /* HOST:PORT; NULL: GT_DASHBOARD_LISTEN */
	const char *dataset;  /* the pages' default data set; NULL: the first known */
	const char *period;   /* the pages' default period; NULL: last year */
	const char *zone;     /* "WIB", "WITA" or "WIT" for times; NULL: the office's own zone */
	const char *tls_cert; /* PEM files for an address other than loopback; NULL: made */
	const char *tls_key;
	unsigned every_s; /* background refresh interval; 0: GT_DASHBOARD_EVERY_S */
	int open_browser; /* run xdg-open on the address */
	int tls;          /* TLS and the login token on loopback too */
	int public_view;  /* the export is for publishing: every report the reader's view, fetched
	                   * afresh from the server (never the raw cache; issue 14) */
	FILE *out;        /* the address and token lines */
	FILE *err;        /* sentences for a person */
};

/* Serves the dashboard until SIGINT or SIGTERM: pages from the store's cache, refreshed from
 * the server in the background and on request. Returns 0 after a signal, or the failure that
 * kept it from starting (told on o->err). */
int gt_dashboard_run(const struct gt_dashboard_opts *o);

/* Writes the pages as a static site into dir (made when missing): the overview as index.html,
 * then every page linked from it for the home's unit and the units down to depth levels below
 * it, from the cache, with what it lacks fetched from the server while it answers; one language
 * (the one in use), no forms. Returns 0, or the failure told on o->err. */
int gt_dashboard_export(const struct gt_dashboard_opts *o, const char *dir, unsigned depth);

/* Internal to the dashboard's files (dashboard.c, dashexport.c). */

/* What one fetch brought: whether the server said the cached report is unchanged (its cursor
 * still current) and the bytes of the reply. */
struct gt__dash_fetched {
	int unchanged;
	size_t reply_bytes;
};

/* Fetches k with h's signed session and saves it in h's cache, or notes there why it failed.
 * The cached report's cursor goes along: when the server says nothing changed, the cache
 * keeps its report and only its time is renewed. got (may be NULL) says what came. */
int gt__dashboard_fetch(struct gt_home *h, const struct gt_cstore_dash_key *k,
                        struct gt__dash_fetched *got);

/* The pages' default data set (o's, else the first the metadata lists) and period (o's, else
 * last year). meta may be NULL. */
/* The zone the pages tell times in: o's, else the office's org unit's as the server gave it,
 * else WIB (the capital's). Borrowed from o, or written into buf. */
const char *gt__dashboard_zone(const struct gt_dashboard_opts *o, struct gt_home *h,
                               char buf[GT_TZ_NAME_MAX]);

void gt__dashboard_defaults(const struct gt_dashboard_opts *o, const struct gt_meta *meta,
                            char ds[GT_CSTORE_DASH_DS_LEN], char pe[GT_CSTORE_DASH_PE_LEN]);

#endif
