/* The dashboard's pages: overview, drill-down, completeness, trends, action plans and where a
 * figure comes from, as HTML and CSV, from cached consolidated reports and verifications. */
#ifndef GT_DASHPAGE_H
#define GT_DASHPAGE_H

#include <stddef.h>
#include <stdint.h>

#include "cstore.h"
#include "cstore_dash.h"
#include "metadata.h"
#include "verify.h"
#include "wire.h"

/* Largest query parameter a page accepts (longer ones are "unknown"). */
#define GT_DASHPAGE_MAX_PARAM 64u

/*
 * Gets the report of k for a page: *rep (caller frees with
 * gtsync__v1__report_reply__free_unpacked()) and when it was fetched. wait says whether the
 * page may wait a few seconds for a first fetch. Returns 0, GT_ENOENT (not fetched yet, or the
 * fetch failed: err says why when known) or another failure.
 */
typedef int (*gt_dashpage_get_fn)(void *arg, const struct gt_cstore_dash_key *k, int wait,
                                  Gtsync__V1__ReportReply **rep, int64_t *fetched_ms, char *err,
                                  size_t err_len);

struct gt_dashpage_req;

/* What the provenance page (Asal angka) knows of the verification of a report; borrowed for
 * the rendering. */
struct gt_dashpage_prov {
	int running;                        /* a verification is asked for or under way */
	int64_t started_ms;                 /* when it was asked for */
	const struct gt_verify_result *res; /* the last verification that ran through, or NULL */
	int verified;                       /* res found everything in order */
	int64_t done_ms;                    /* when res was made */
	const char *said;                   /* what the verification wrote ("" none) */
	int failed_rc;                      /* the last attempt's failure (0: none) */
	int failed_offline;                 /* it failed for want of the server */
	const char *failed_why;             /* its sentence ("" none) */
	int64_t failed_ms;
};

/*
 * The provenance page's way to the verification of k: fills *out (borrowed until the page is
 * rendered) and, when none was ever asked for, asks for one (run off the page's thread).
 * Returns 0 or GT_ENOMEM.
 */
typedef int (*gt_dashpage_prov_fn)(void *arg, const struct gt_cstore_dash_key *k,
                                   struct gt_dashpage_prov *out);

/*
 * In a static export (gtsync dashboard --export), told the file of every page a page links to
 * and the page's request (borrowed for the call), so the exporter writes it in turn.
 */
typedef void (*gt_dashpage_link_fn)(void *arg, const char *file, const struct gt_dashpage_req *req);

/* A static export's file names: the first page, the style sheet. */
#define GT_DASHPAGE_INDEX_FILE "index.html"
#define GT_DASHPAGE_CSS_FILE   "style.css"
/* Size of a buffer for a page's file name. */
#define GT_DASHPAGE_FILE_LEN 512u

/* What every page needs; borrowed. */
struct gt_dashpage_env {
	struct gt_cstore *st;       /* org-unit names and parents */
	const struct gt_meta *meta; /* data sets and elements; NULL before a metadata pull */
	const char *home_org;       /* the key's org unit: the top of the breadcrumb */
	const char *zone;           /* "WIB", "WITA", "WIT" for times */
	const char *csrf;           /* the token forms carry */
	const char *role; /* the key's role ("aggregator", "reader"...): which forms show */
	const char *default_ds;
	const char *default_pe;
	int64_t now_ms;
	gt_dashpage_get_fn get;
	void *get_arg;
	/* The provenance page's verifications; NULL in a static export (the page and its links
	 * are left out: a verification needs the server). */
	gt_dashpage_prov_fn prov;
	void *prov_arg;
	/* Set for a static export: links name files, and the forms (refresh, actions, the
	 * language switch, the trend range) are left out. NULL when serving. */
	gt_dashpage_link_fn linked;
	void *linked_arg;
};

/* A request as a page sees it: the path and its query parameters (NULL when absent). */
struct gt_dashpage_req {
	const char *path; /* "/ringkasan" */
	const char *org, *ds, *pe;
	const char *from, *to; /* the trend page's range (periods of any type), or NULL */
	const char *block;     /* the plan page's block filter, or NULL */
	const char *sort;      /* the plan page's order ("selisih": by gap), or NULL */
	const char *element;   /* the provenance page's figure: its element, option and unit */
	const char *coc;       /* (each NULL: any) */
	const char *unit;
	const char *format; /* "csv" or NULL */
	const char *self;   /* the request's path and query, for the language switch and back */
};

/* A page: HTTP status, content type (static) and the body (caller frees). */
struct gt_dashpage_out {
	unsigned status;
	const char *type;
	char *body;
	size_t len;
	char filename[128]; /* for a CSV download; "" otherwise */
};

/* Renders the page req asks for in the language in use. Unknown pages, org units, data sets
 * and periods give a page that says so with links back (status 404), never a failure.
 * Returns 0 or GT_ENOMEM. */
int gt_dashpage_render(const struct gt_dashpage_env *env, const struct gt_dashpage_req *req,
                       struct gt_dashpage_out *out);

/* Writes the name of the file that holds the page req asks for in a static export
 * ("wilayah_53.71_KK_2025.html"; ".csv" for a CSV): the path and every parameter given, each
 * character other than a letter, digit, '.' or '-' written as '-'; cut to len. */
void gt_dashpage_file(const struct gt_dashpage_req *req, char *out, size_t len);

/* The dashboard's style sheet (static, NUL-terminated). */
const char *gt_dashpage_css(void);

#endif
