/* gtsync dashboard --export: the dashboard's pages written as a static site (for an intranet,
 * a handover or printing), by following the pages' own links from the overview. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "cstore_dash.h"
#include "dashboard.h"
#include "dashpage.h"
#include "error.h"
#include "fetch.h"
#include "fileio.h"
#include "gtlimits.h"
#include "i18n.h"
#include "orgunit.h"
#include "vec.h"

/* Most files one export writes (the pages past it are not linked to a file of their own). */
#define MAX_FILES 5000u
/* Longest value of a page's parameter kept (as the pages accept them). */
#define PARAM_LEN GT_DASHPAGE_MAX_PARAM

/* One page to write: its file and its request's values. */
struct item {
	char file[GT_DASHPAGE_FILE_LEN];
	char path[32];
	char org[PARAM_LEN], ds[PARAM_LEN], pe[PARAM_LEN], from[PARAM_LEN], to[PARAM_LEN];
	char block[PARAM_LEN], sort[PARAM_LEN], format[8];
	unsigned has; /* bit i: the i-th value of org..format is given */
};

/* A report fetched for a public export: the reply's bytes, or why there is none. */
struct fetched {
	struct gt_cstore_dash_key k;
	uint8_t *bytes; /* NULL: not available */
	size_t len;
	int64_t at_ms;
	char err[256];
};

struct export
{
	struct gt_home *h;
	int public_view; /* every report the reader's view, from the server (issue 14) */
	struct fetched *fetched;
	size_t nfetched, capfetched;
	unsigned depth;
	int home_level;
	int unreachable; /* the server did not answer: no more fetches */
	struct item *items;
	size_t n, cap;
	int nomem;
	size_t missing; /* pages whose report was not available */
};

/* A public export's way to a report: the reader's view, asked of the server once per report
 * and kept in memory only, so that no raw figure of the cache can reach a published page. */
static int get_public(struct export *x, const struct gt_cstore_dash_key *k,
                      Gtsync__V1__ReportReply **rep, int64_t *fetched_ms, char *err, size_t err_len)
{
	struct fetched *f = NULL;

	for (size_t i = 0; i < x->nfetched && f == NULL; i++)
		if (memcmp(&x->fetched[i].k, k, sizeof(*k)) == 0)
			f = &x->fetched[i];
	if (f == NULL) {
		struct gt_fetch_opts fo = {0};
		gt_envelope *reply = NULL;
		int rc;
		if (GT_VEC_RESERVE(x->fetched, x->capfetched, x->nfetched + 1) != GT_OK)
			return GT_ENOMEM;
		f = &x->fetched[x->nfetched++];
		memset(f, 0, sizeof(*f));
		f->k = *k;
		fo.org = k->org;
		fo.dataset = k->dataset;
		fo.period = k->period;
		fo.per_child = 1;
		fo.public_view = 1;
		rc = x->unreachable ? GT_ECONNREFUSED : gt_fetch_reply(x->h, &fo, &reply);
		if (rc == GT_OK) {
			f->len = gtsync__v1__report_reply__get_packed_size(reply->report_reply);
			if ((f->bytes = malloc(f->len ? f->len : 1)) == NULL)
				rc = GT_ENOMEM;
			else
				gtsync__v1__report_reply__pack(reply->report_reply, f->bytes);
			f->at_ms = gt_clock_wall_ms();
		} else {
			if (gt_home_transient(rc))
				x->unreachable = 1;
			snprintf(f->err, sizeof(f->err), "%s", gt_strerror(rc));
		}
		gt_wire_envelope_free(reply);
		if (rc == GT_ENOMEM)
			return rc;
	}
	*fetched_ms = f->at_ms;
	if (err != NULL && err_len > 0)
		snprintf(err, err_len, "%s", f->err);
	if (f->bytes == NULL)
		return GT_ENOENT;
	*rep = gtsync__v1__report_reply__unpack(NULL, f->len, f->bytes);
	return *rep != NULL ? GT_OK : GT_ECORRUPT;
}

/* The export's way to a report: the cache, else one fetch while the server answers. */
static int get(void *arg, const struct gt_cstore_dash_key *k, int wait,
               Gtsync__V1__ReportReply **rep, int64_t *fetched_ms, char *err, size_t err_len)
{
	struct export *x = arg;
	uint8_t *bytes = NULL;
	size_t len = 0;
	int rc;
	(void)wait;

	*rep = NULL;
	if (x->public_view) {
		*fetched_ms = 0;
		return get_public(x, k, rep, fetched_ms, err, err_len);
	}
	rc = gt_cstore_dash_get(x->h->st, k, &bytes, &len, fetched_ms, err, err_len);
	if (rc != GT_OK && rc != GT_ENOENT)
		return rc;
	if (bytes == NULL && !x->unreachable) {
		int f = gt__dashboard_fetch(x->h, k, NULL);
		if (f != GT_OK && gt_home_transient(f))
			x->unreachable = 1;
		rc = gt_cstore_dash_get(x->h->st, k, &bytes, &len, fetched_ms, err, err_len);
		if (rc != GT_OK && rc != GT_ENOENT)
			return rc;
	}
	if (bytes == NULL)
		return GT_ENOENT;
	*rep = gtsync__v1__report_reply__unpack(NULL, len, bytes);
	free(bytes);
	return *rep != NULL ? GT_OK : GT_ECORRUPT;
}

static void copy(char *dst, size_t cap, const char *src, unsigned bit, unsigned *has)
{
	if (src == NULL)
		return;
	snprintf(dst, cap, "%s", src);
	*has |= bit;
}

/* Queues a page linked to (once per file). */
static void linked(void *arg, const char *file, const struct gt_dashpage_req *req)
{
	struct export *x = arg;
	struct item *it;

	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->items[i].file, file) == 0)
			return;
	if (x->n >= MAX_FILES)
		return;
	if (GT_VEC_RESERVE(x->items, x->cap, x->n + 1) != GT_OK) {
		x->nomem = 1;
		return;
	}
	it = &x->items[x->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->file, sizeof(it->file), "%s", file);
	snprintf(it->path, sizeof(it->path), "%s", req->path);
	copy(it->org, sizeof(it->org), req->org, 1u << 0, &it->has);
	copy(it->ds, sizeof(it->ds), req->ds, 1u << 1, &it->has);
	copy(it->pe, sizeof(it->pe), req->pe, 1u << 2, &it->has);
	copy(it->from, sizeof(it->from), req->from, 1u << 3, &it->has);
	copy(it->to, sizeof(it->to), req->to, 1u << 4, &it->has);
	copy(it->block, sizeof(it->block), req->block, 1u << 5, &it->has);
	copy(it->sort, sizeof(it->sort), req->sort, 1u << 6, &it->has);
	copy(it->format, sizeof(it->format), req->format, 1u << 7, &it->has);
}

/* Whether the unit of a page lies within the export's depth below the home's unit. */
static int within(const struct export *x, const struct item *it)
{
	int level = (it->has & 1u) ? gt_orgunit_level(it->org) : x->home_level;

	return level > 0 && level - x->home_level <= (int)x->depth;
}

/* A page outside the export: it says so, with the way back to the first page. */
static int outside(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (f == NULL)
		return GT_ENOMEM;
	fprintf(f,
	        "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><link "
	        "rel=\"icon\" href=\"data:,\"><title>gtsync</title><link rel=\"stylesheet\" "
	        "href=\"" GT_DASHPAGE_CSS_FILE "\"></head><body><header><b>gtsync</b></header>"
	        "<main><h1>%s</h1><p id=\"problem\">%s</p><p><a href=\"" GT_DASHPAGE_INDEX_FILE
	        "\">%s</a></p></main></body></html>\n",
	        gt_i18n_lang(), _("Not in this export"),
	        _("This page lies deeper than the export went: open it in the dashboard itself, or "
	          "export again with a larger --depth."),
	        _("Back to the overview of your office"));
	if (fclose(f) != 0) {
		free(buf);
		return GT_ENOMEM;
	}
	rc = gt_file_write(path, buf, len, 0644, 1);
	free(buf);
	return rc;
}

/* Writes the page of item it into dir: rendered with env (at the time now) when the export
 * reaches it, else the page saying it lies deeper. */
static int export_page(struct export *x, const struct gt_dashpage_env *base, const char *dir,
                       const struct item *it)
{
	struct gt_dashpage_env env = *base;
	struct gt_dashpage_req req = {
	    .path = it->path,
	    .org = (it->has & 1u << 0) ? it->org : NULL,
	    .ds = (it->has & 1u << 1) ? it->ds : NULL,
	    .pe = (it->has & 1u << 2) ? it->pe : NULL,
	    .from = (it->has & 1u << 3) ? it->from : NULL,
	    .to = (it->has & 1u << 4) ? it->to : NULL,
	    .block = (it->has & 1u << 5) ? it->block : NULL,
	    .sort = (it->has & 1u << 6) ? it->sort : NULL,
	    .format = (it->has & 1u << 7) ? it->format : NULL,
	    .self = it->file,
	};
	struct gt_dashpage_out out;
	char path[GT_PATH_MAX];
	int rc;

	if (strchr(it->file, '/') != NULL || it->file[0] == '.')
		return GT_EINVAL;
	snprintf(path, sizeof(path), "%s/%s", dir, it->file);
	if (!within(x, it))
		return outside(path);
	env.now_ms = gt_clock_wall_ms();
	if ((rc = gt_dashpage_render(&env, &req, &out)) != GT_OK)
		return rc;
	if (out.status != 200)
		x->missing++;
	rc = gt_file_write(path, out.body, out.len, 0644, 1);
	free(out.body);
	return rc;
}

int gt_dashboard_export(const struct gt_dashboard_opts *o, const char *dir, unsigned depth)
{
	struct export x = {.depth = depth, .public_view = o->public_view};
	struct gt_meta *meta = NULL;
	char ds[GT_CSTORE_DASH_DS_LEN], pe[GT_CSTORE_DASH_PE_LEN], path[GT_PATH_MAX];
	char zone_buf[GT_TZ_NAME_MAX];
	struct gt_dashpage_env env = {.csrf = "", .get = get, .linked = linked};
	const char *css = gt_dashpage_css();
	int rc;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(o->err, "gtsync dashboard: cannot make %s: %s\n", dir, strerror(errno));
		return GT_EIO;
	}
	if ((rc = gt_home_open(o->home, o->err, &x.h)) != GT_OK)
		return rc;
	if ((rc = gt_home_meta(x.h, "gtsync dashboard", &meta)) != GT_OK)
		goto out;
	gt__dashboard_defaults(o, meta, ds, pe);
	x.home_level = gt_orgunit_level(x.h->org);
	env.st = x.h->st;
	env.meta = meta;
	env.home_org = x.h->org;
	env.zone = gt__dashboard_zone(o, x.h, zone_buf);
	env.role = x.h->role;
	env.default_ds = ds;
	env.default_pe = pe;
	env.get_arg = &x;
	env.linked_arg = &x;
	{
		struct gt_dashpage_req first = {
		    .path = "/ringkasan", .org = x.h->org, .ds = ds, .pe = pe};
		linked(&x, GT_DASHPAGE_INDEX_FILE, &first);
	}
	snprintf(path, sizeof(path), "%s/" GT_DASHPAGE_CSS_FILE, dir);
	if ((rc = gt_file_write(path, css, strlen(css), 0644, 1)) != GT_OK)
		goto told;
	for (size_t i = 0; i < x.n && !x.nomem; i++) {
		struct item it = x.items[i]; /* a copy: linked() may move the array */
		if ((rc = export_page(&x, &env, dir, &it)) != GT_OK)
			goto told;
	}
	if (x.nomem) {
		rc = GT_ENOMEM;
		goto told;
	}
	fprintf(o->out, _("dashboard: wrote %zu pages; open %s/%s\n"), x.n, dir,
	        GT_DASHPAGE_INDEX_FILE);
	if (x.missing > 0)
		fprintf(o->out, _("dashboard: %zu of them say their report is not available: %s\n"),
		        x.missing,
		        x.unreachable ? _("the server could not be reached")
		                      : _("the server did not give it"));
	rc = GT_OK;
	goto out;
told:
	fprintf(o->err, "gtsync dashboard: the export into %s failed: %s\n", dir, gt_strerror(rc));
out:
	for (size_t i = 0; i < x.nfetched; i++)
		free(x.fetched[i].bytes);
	free(x.fetched);
	free(x.items);
	gt_meta_free(meta);
	gt_home_close(x.h);
	return rc;
}
