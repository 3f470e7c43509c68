/* The dashboard's pages: overview (Ringkasan), drill-down (Wilayah), completeness
 * (Kelengkapan), trends over a period range (Tren), the action plans' targets against
 * achievement (Rencana aksi) and where a figure comes from (Asal angka) as HTML and CSV, from
 * cached consolidated reports and the dashboard's own verifications. */
#include "dashpage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "html.h"
#include "humanfmt.h"
#include "i18n.h"
#include "orgunit.h"
#include "period.h"
#include "protonames.h"
#include "repcharts.h"
#include "rmodel.h"
#include "roleset.h"
#include "svgchart.h"

/* Most summed elements the overview shows as headline figures. */
#define MAX_HEADLINE 4
/* Most columns of element totals a child table shows. */
#define MAX_CHILD_COLS 6
/* Deepest breadcrumb followed up the org-unit tree. */
#define MAX_DEPTH 8
/* Most periods a completeness matrix lays out (the months of a year). */
#define MAX_PERIODS 12
/* Most periods the trend page lays out (three years of months). */
#define MAX_TREND 36
/* Most figures without breakdown the trend page draws as lines. */
#define MAX_TREND_LINES 4

static const char css[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;color:#111;font-size:15px;"
    "line-height:1.4}"
    "header{background:#7a1020;color:#fff;padding:.6em 1em;display:flex;flex-wrap:wrap;"
    "gap:1em;align-items:baseline}header a{color:#fff}header b{font-size:1.2em}"
    "nav a{margin-right:.8em}main{padding:0 1em 2em;max-width:70em}"
    ".age{color:#333;margin:.5em 0}.age .bad{color:#a00}"
    "h1{font-size:1.5em;margin:.6em 0 .2em}h2{font-size:1.15em;margin:1.4em 0 .4em;"
    "border-bottom:2px solid #7a1020}"
    "table{border-collapse:collapse;margin:.3em 0 1em}"
    "th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#eee}"
    ".cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #bbb;padding:.5em .8em;"
    "min-width:10em;background:#fafafa}.card b{display:block;font-size:1.6em}"
    ".up{color:#a00}.down{color:#060}"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(9em,1fr));gap:.4em;"
    "padding:0;list-style:none}.tiles a{display:block;padding:.5em;border:1px solid #888;"
    "color:#000;text-decoration:none;min-height:3.2em}.tiles a:focus,.tiles a:hover{"
    "outline:3px solid #7a1020}"
    ".c0{background:#f4c7c3}.c1{background:#fce8b2}.c2{background:#fff3c4}"
    ".c3{background:#d9ead3}.c4{background:#b7e1cd}.cn{background:#eee}"
    "ol.pipe{display:flex;flex-wrap:wrap;gap:.4em;list-style:none;padding:0}"
    "ol.pipe li{border:1px solid #888;padding:.4em .8em;background:#f4f4f4}"
    "ol.pipe li b{display:block;font-size:1.4em}"
    ".crumbs{margin:.6em 0}.crumbs a{margin-right:.3em}"
    "td.cell{min-width:3.5em;text-align:center;position:relative}"
    "td.cell .tip{display:none;position:absolute;left:0;top:100%;z-index:2;width:16em;"
    "background:#fff;border:1px solid #333;padding:.3em;text-align:left;font-size:.85em}"
    "td.cell:hover .tip,td.cell:focus .tip{display:block}"
    "form.inline{display:inline}button{font:inherit}form.act{display:inline-block;"
    "margin:0 .3em .2em 0}form.act input[type=text]{width:10em}"
    "figure.chart{margin:1em 0;max-width:44em}figure.chart svg{width:100%;height:auto}"
    "figcaption{font-weight:bold}table.chartdata{font-size:.85em}"
    "nav.filter{margin:.4em 0}nav.filter a{margin-right:.6em}"
    "nav.filter a[aria-current]{font-weight:bold;color:#000}"
    ".lang{margin-left:auto}"
    ".verdict{font-weight:bold;padding:.4em .6em;border:1px solid #888}.verdict.ok{"
    "background:#d9ead3}.verdict.bad{background:#f4c7c3}.verdict.wait{background:#fff3c4}"
    "td.ok{color:#060}td.bad{color:#a00;font-weight:bold}tr.this td{background:#f4c7c3}"
    "a.prov{color:inherit}details pre{white-space:pre-wrap}"
    "@media print{header,nav,form,form.inline,form.act,.lang,.csv{display:none}body{font-size:10pt}"
    "main{max-width:none}a{color:#000;text-decoration:none}"
    "@page{size:A4;margin:15mm}}";

const char *gt_dashpage_css(void)
{
	return css;
}

void gt_dashpage_file(const struct gt_dashpage_req *req, char *out, size_t len)
{
	const char *const vals[] = {req->org,   req->ds,   req->pe,      req->from, req->to,
	                            req->block, req->sort, req->element, req->coc,  req->unit};
	const char *ext = req->format != NULL && strcmp(req->format, "csv") == 0 ? ".csv" : ".html";
	size_t used = 0, elen = strlen(ext);

	if (len == 0)
		return;
	for (const char *c = req->path[0] == '/' ? req->path + 1 : req->path;
	     *c && used + elen + 1 < len; c++)
		out[used++] = *c;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		if (vals[i] == NULL || !vals[i][0])
			continue;
		if (used + elen + 2 < len)
			out[used++] = '_';
		for (const char *c = vals[i]; *c && used + elen + 1 < len; c++)
			out[used++] = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			                      (*c >= '0' && *c <= '9') || *c == '.' || *c == '-'
			                  ? *c
			                  : '-';
	}
	snprintf(out + used, len - used, "%s", ext);
}

/* A page under construction. */
struct page {
	const struct gt_dashpage_env *env;
	const struct gt_dashpage_req *req;
	FILE *f;
	char *buf;
	size_t len;
	const char *org, *ds, *pe;
	const struct gt_meta_dataset *dset;
	struct gt_cstore_orgunit ou;
	/* A page that chooses its own org unit and period (the plan page) keeps them here. */
	char org_buf[GT_ORGUNIT_MAX_LEN];
	char pe_buf[GT_CSTORE_DASH_PE_LEN];
	int refresh_s; /* the page reloads itself after this many seconds (0: never) */
};

static int matrix_periods(struct page *p, char pes[MAX_PERIODS][GT_CSTORE_DASH_PE_LEN]);

static void esc(struct page *p, const char *s)
{
	gt_html_escape(p->f, s);
}

/* Writes s percent-encoded for a URL query (then safe in an HTML attribute as well). */
static void urlenc(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_')
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

/* Writes the address of the page t: its URL (with its query, escaped for an attribute), or in a
 * static export its file's name, which is told to the exporter so it writes that page too. */
static void href(struct page *p, const struct gt_dashpage_req *t)
{
	const char *const vals[] = {t->org,   t->ds,   t->pe,      t->from, t->to,
	                            t->block, t->sort, t->element, t->coc,  t->unit};
	static const char *const names[] = {"org",  "ds",   "pe", "from", "to",
	                                    "blok", "urut", "de", "coc",  "unit"};
	char sep = '?';

	if (p->env->linked != NULL) {
		char file[GT_DASHPAGE_FILE_LEN];
		gt_dashpage_file(t, file, sizeof(file));
		esc(p, file);
		p->env->linked(p->env->linked_arg, file, t);
		return;
	}
	fputs(t->path, p->f);
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		if (vals[i] == NULL || !vals[i][0])
			continue;
		fprintf(p->f, "%s%s=", sep == '?' ? "?" : "&amp;", names[i]);
		sep = '&';
		urlenc(p->f, vals[i]);
	}
	if (t->format != NULL)
		fprintf(p->f, "%sformat=%s", sep == '?' ? "?" : "&amp;", t->format);
}

/* Writes the address of page path for org, data set and period (any may be NULL: the page's),
 * as CSV when csv is set. */
static void link(struct page *p, const char *path, const char *org, const char *pe, int csv)
{
	struct gt_dashpage_req t = {.path = path,
	                            .org = org != NULL ? org : p->org,
	                            .ds = p->ds,
	                            .pe = pe != NULL ? pe : p->pe,
	                            .format = csv ? "csv" : NULL};

	href(p, &t);
}

/* A hidden field of a form: name (static) and its value, escaped. */
static void hidden(struct page *p, const char *name, const char *value)
{
	fprintf(p->f, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	esc(p, value);
	fputs("\">", p->f);
}

/* The hidden fields of a form on the page's report: the CSRF token, the org unit, data set and
 * period (org NULL: the page's), and the page to come back to. */
static void report_fields(struct page *p, const char *org)
{
	hidden(p, "csrf", p->env->csrf);
	hidden(p, "org", org != NULL ? org : p->org);
	hidden(p, "ds", p->ds);
	hidden(p, "pe", p->pe);
	hidden(p, "next", p->req->self);
}

/* Opens a link to the provenance page of a figure (its element, option and unit, each NULL:
 * any) when the dashboard serves that page; returns whether it did (the caller closes it). */
static int prov_link(struct page *p, const char *element, const char *coc, const char *unit)
{
	struct gt_dashpage_req t = {.path = "/asal",
	                            .org = p->org,
	                            .ds = p->ds,
	                            .pe = p->pe,
	                            .element = element,
	                            .coc = coc,
	                            .unit = unit};

	if (p->env->prov == NULL)
		return 0;
	fprintf(p->f, "<a class=\"prov\" title=\"%s\" href=\"", _("Where this figure comes from"));
	href(p, &t);
	fputs("\">", p->f);
	return 1;
}

/* Whether a value of element among vals is withheld (a reader's or a public view, issue 14). */
static int withheld(Gtsync__V1__ReportValue *const *vals, size_t n, const char *element)
{
	for (size_t i = 0; i < n; i++)
		if (vals[i]->suppressed && vals[i]->data_element != NULL &&
		    strcmp(vals[i]->data_element, element) == 0)
			return 1;
	return 0;
}

/* Writes a number as people write it in the language in use; a dash for none, the withheld
 * mark for a withheld one. */
static void num(struct page *p, double v)
{
	char buf[GT_HUMAN_MAX];

	if (gt_rmodel_is_withheld(v)) {
		fputs(GT_RMODEL_WITHHELD, p->f);
		return;
	}
	if (!isfinite(v)) {
		fputs("&ndash;", p->f);
		return;
	}
	gt_human_number(v, buf, sizeof(buf));
	esc(p, buf);
}

/* The raw number for a data attribute and CSV. */
static void rawnum(FILE *f, double v)
{
	char buf[GT_RMODEL_NUM_LEN];

	if (!isfinite(v))
		return;
	gt_rmodel_number(v, buf, sizeof(buf));
	fputs(buf, f);
}

/* The name of an org unit from the store, else its code. */
static const char *ou_name(struct page *p, const char *code, struct gt_cstore_orgunit *ou)
{
	if (gt_cstore_orgunit_get(p->env->st, code, ou) == GT_OK && ou->name[0])
		return ou->name;
	return code;
}

/* A completeness class c0..c4 (cn: nothing expected). */
static const char *cclass(uint32_t reported, uint32_t expected)
{
	double r;

	if (expected == 0)
		return "cn";
	r = (double)reported / (double)expected;
	if (r >= 1.0)
		return "c4";
	if (r >= 0.8)
		return "c3";
	if (r >= 0.5)
		return "c2";
	if (r > 0)
		return "c1";
	return "c0";
}

/* A state's name for a person; a unit with no state yet has not started. */
static const char *state_text(int state)
{
	if (state == GTSYNC__V1__APPROVAL_STATE__APPROVAL_STATE_UNSPECIFIED)
		return _("not started");
	return _(gt_protonames_state(state));
}

static void head(struct page *p, const char *title)
{
	char pe[GT_HUMAN_MAX];

	fputs("<!DOCTYPE html>\n<html lang=\"", p->f);
	esc(p, gt_i18n_lang());
	fputs("\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
	      "content=\"width=device-width,initial-scale=1\"><link rel=\"icon\" "
	      "href=\"data:,\">",
	      p->f);
	if (p->refresh_s > 0)
		fprintf(p->f, "<meta http-equiv=\"refresh\" content=\"%d\">", p->refresh_s);
	fputs("<title>", p->f);
	esc(p, title);
	fprintf(p->f,
	        " &ndash; gtsync</title><link rel=\"stylesheet\" href=\"%s\"></head><body>"
	        "<header><b>gtsync</b>",
	        p->env->linked != NULL ? GT_DASHPAGE_CSS_FILE : "/style.css");
	if (p->org != NULL && p->ds != NULL && p->pe != NULL) {
		gt_human_period(p->pe, pe, sizeof(pe));
		fputs("<nav><a href=\"", p->f);
		link(p, "/ringkasan", NULL, NULL, 0);
		fprintf(p->f, "\">%s</a><a href=\"", _("Overview"));
		link(p, "/wilayah", NULL, NULL, 0);
		fprintf(p->f, "\">%s</a><a href=\"", _("Regions"));
		link(p, "/tren", NULL, NULL, 0);
		fprintf(p->f, "\">%s</a><a href=\"", _("Trends"));
		link(p, "/kelengkapan", NULL, NULL, 0);
		fprintf(p->f, "\">%s</a><a href=\"", _("Completeness"));
		link(p, "/rencana", NULL, NULL, 0);
		fprintf(p->f, "\">%s</a></nav><span>", _("Action plans"));
		esc(p, p->ds);
		fputs(" &middot; ", p->f);
		esc(p, pe);
		fputs("</span>", p->f);
	}
	/* A static export is in one language: it has no switch. */
	if (p->env->linked != NULL) {
		fputs("</header><main>", p->f);
		return;
	}
	fputs("<span class=\"lang\"><a href=\"/bahasa?l=id&amp;next=", p->f);
	urlenc(p->f, p->req->self);
	fputs("\" lang=\"id\">Bahasa Indonesia</a> | <a href=\"/bahasa?l=en&amp;next=", p->f);
	urlenc(p->f, p->req->self);
	fputs("\" lang=\"en\">English</a></span></header><main>", p->f);
}

static void foot(struct page *p)
{
	fputs("</main></body></html>\n", p->f);
}

/* The data's age, the refresh form and the last fetch's failure. */
static void age(struct page *p, int64_t fetched_ms, const char *err)
{
	char when[GT_HUMAN_MAX];

	gt_human_time(fetched_ms, p->env->zone, when, sizeof(when));
	fputs("<div class=\"age\" id=\"age\">", p->f);
	fprintf(p->f, "%s <time>", _("data per"));
	esc(p, when);
	fputs("</time>", p->f);
	if (err != NULL && err[0]) {
		fprintf(p->f, " <span class=\"bad\">%s ", _("(the last refresh failed:"));
		esc(p, err);
		fputs(")</span>", p->f);
	}
	if (p->env->linked != NULL) {
		fputs("</div>", p->f);
		return;
	}
	fputs(" <form class=\"inline\" method=\"post\" action=\"/segarkan\">", p->f);
	hidden(p, "csrf", p->env->csrf);
	hidden(p, "next", p->req->self);
	fprintf(p->f, "<button type=\"submit\">%s</button></form></div>", _("Refresh now"));
}

/* A friendly page for what cannot be shown, with links back; status 404 or 503. */
static void problem(struct page *p, unsigned *status, unsigned code, const char *title,
                    const char *what, const char *detail)
{
	*status = code;
	head(p, title);
	fputs("<h1>", p->f);
	esc(p, title);
	fputs("</h1><p id=\"problem\">", p->f);
	esc(p, what);
	if (detail != NULL && detail[0]) {
		fputs(" <q>", p->f);
		esc(p, detail);
		fputs("</q>", p->f);
	}
	fprintf(p->f, "</p><p><a href=\"%s\">%s</a>",
	        p->env->linked != NULL ? GT_DASHPAGE_INDEX_FILE : "/",
	        _("Back to the overview of your office"));
	if (p->org != NULL && p->ds != NULL && p->pe != NULL) {
		fputs(" &middot; <a href=\"", p->f);
		link(p, p->req->path, NULL, NULL, 0);
		fprintf(p->f, "\">%s</a>", _("Try again"));
	}
	fputs("</p>", p->f);
	foot(p);
}

/* The breadcrumb from the key's org unit down to the page's: the parents follow from the codes
 * (a district's province, a province's nation). */
static void crumbs(struct page *p, const char *path)
{
	char chain[MAX_DEPTH][GT_ORGUNIT_MAX_LEN];
	struct gt_cstore_orgunit ou;
	int n = 0;

	snprintf(chain[n++], sizeof(chain[0]), "%s", p->org);
	while (n < MAX_DEPTH && strcmp(chain[n - 1], p->env->home_org) != 0 &&
	       gt_orgunit_parent(chain[n - 1], chain[n], sizeof(chain[0])) == GT_OK)
		n++;
	fprintf(p->f, "<nav class=\"crumbs\" aria-label=\"%s\">", _("breadcrumb"));
	for (int i = n - 1; i >= 0; i--) {
		if (i > 0) {
			fputs("<a href=\"", p->f);
			link(p, path, chain[i], NULL, 0);
			fputs("\">", p->f);
			esc(p, ou_name(p, chain[i], &ou));
			fputs("</a> &rsaquo; ", p->f);
		} else {
			fputs("<span aria-current=\"page\">", p->f);
			esc(p, ou_name(p, chain[i], &ou));
			fputs("</span>", p->f);
		}
	}
	fputs("</nav>", p->f);
}

/* Headline figures with the change against the previous period (when cached). */
static void headline(struct page *p, const Gtsync__V1__ReportReply *rep,
                     const Gtsync__V1__ReportReply *prev)
{
	const struct gt_meta_element *els[MAX_HEADLINE];
	size_t n = gt_repcharts_summed(p->dset, els, MAX_HEADLINE);

	fprintf(p->f, "<h2>%s</h2><div class=\"cards\">", _("Headline figures"));
	for (size_t i = 0; i < n; i++) {
		double v = gt_repcharts_total(rep->totals, rep->n_totals, els[i]->code);
		double pv =
		    prev ? gt_repcharts_total(prev->totals, prev->n_totals, els[i]->code) : NAN;
		fputs("<div class=\"card\"><span>", p->f);
		esc(p, els[i]->name);
		fputs("</span><b data-de=\"", p->f);
		esc(p, els[i]->code);
		fputs("\" data-v=\"", p->f);
		rawnum(p->f, v);
		if (withheld(rep->totals, rep->n_totals, els[i]->code)) {
			/* A part withheld (issue 14): the mark the tables show, not a dash. */
			fputs("\" data-withheld=\"1\">" GT_RMODEL_WITHHELD "</b>", p->f);
		} else {
			int a;
			fputs("\">", p->f);
			a = isfinite(v) && prov_link(p, els[i]->code, NULL, NULL);
			num(p, v);
			fputs(a ? "</a></b>" : "</b>", p->f);
		}
		if (isfinite(v) && isfinite(pv)) {
			double d = v - pv;
			fprintf(p->f, "<span class=\"%s\">%s",
			        d > 0   ? "up"
			        : d < 0 ? "down"
			                : "",
			        d > 0 ? "+" : "");
			num(p, d);
			if (pv != 0) {
				fputs(" (", p->f);
				num(p, round(d / pv * 1000.0) / 10.0);
				fputs("%)", p->f);
			}
			fprintf(p->f, " %s</span>", _("against the previous period"));
		} else {
			fprintf(p->f, "<span>%s</span>", _("previous period not available"));
		}
		fputs("</div>", p->f);
	}
	if (n == 0)
		fprintf(p->f, "<p>%s</p>", _("This data set has no summed figures."));
	fputs("</div>", p->f);
}

/* The children as tiles coloured by completeness, each linking to its own page. */
static void tiles(struct page *p, const Gtsync__V1__ReportReply *rep)
{
	fprintf(p->f, "<h2>%s</h2><ul class=\"tiles\" id=\"tiles\">", _("Completeness by region"));
	for (size_t i = 0; i < rep->n_children; i++) {
		const Gtsync__V1__ChildReport *c = rep->children[i];
		fprintf(p->f, "<li><a class=\"%s\" data-org=\"",
		        cclass(c->reported_units, c->expected));
		esc(p, c->org_unit);
		fputs("\" href=\"", p->f);
		link(p, "/wilayah", c->org_unit, NULL, 0);
		fputs("\">", p->f);
		esc(p, c->name);
		fprintf(p->f, "<br><small>%u / %u %s</small></a></li>", c->reported_units,
		        c->expected, _("reported"));
	}
	fputs("</ul>", p->f);
	fprintf(p->f,
	        "<p class=\"small\">%s <span class=\"c4\">100%%</span> <span class=\"c3\">&ge;80%%"
	        "</span> <span class=\"c2\">&ge;50%%</span> <span class=\"c1\">&gt;0%%</span> "
	        "<span class=\"c0\">0%%</span></p>",
	        _("Share of expected units that reported:"));
}

/* How many children stand at each step of the chain. */
static void pipeline(struct page *p, const Gtsync__V1__ReportReply *rep)
{
	static const int order[] = {
	    GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN,
	    GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED,
	    GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED,
	    GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED,
	    GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED,
	};
	fprintf(p->f, "<h2>%s</h2><ol class=\"pipe\" id=\"pipeline\">", _("Reporting chain"));
	for (size_t s = 0; s < sizeof(order) / sizeof(order[0]); s++) {
		unsigned n = 0;
		for (size_t i = 0; i < rep->n_children; i++) {
			int st = (int)rep->children[i]->state;
			if (st == order[s] ||
			    (order[s] == GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN &&
			     st == GTSYNC__V1__APPROVAL_STATE__APPROVAL_STATE_UNSPECIFIED))
				n++;
		}
		fprintf(p->f, "<li data-state=\"%s\"><b>%u</b>%s</li>",
		        gt_protonames_state(order[s]), n, state_text(order[s]));
	}
	fputs("</ol>", p->f);
}

/* Charts of the page's report: the key figures by month (from the months' cached reports),
 * then the charts it shares with the chair's report (repcharts.h). Each carries its table. */
static void charts(struct page *p, const Gtsync__V1__ReportReply *rep)
{
	const struct gt_meta_element *els[2];
	size_t ne = gt_repcharts_summed(p->dset, els, 2);
	char pes[MAX_PERIODS][GT_CSTORE_DASH_PE_LEN], labels_buf[MAX_PERIODS][GT_HUMAN_MAX];
	const char *labels[MAX_PERIODS];
	double month_vals[2][MAX_PERIODS];
	int np = matrix_periods(p, pes);

	fprintf(p->f, "<h2>%s</h2><div class=\"charts\">", _("Trends"));
	if (ne > 0 && np > 1) {
		struct gt_svgchart_series ser[2] = {{0}};
		struct gt_svgchart c = {.id = "chart-months", .title = _("By month")};
		for (int j = 0; j < np; j++) {
			struct gt_cstore_dash_key k;
			Gtsync__V1__ReportReply *m = NULL;
			int64_t at;
			snprintf(k.org, sizeof(k.org), "%s", p->org);
			snprintf(k.dataset, sizeof(k.dataset), "%s", p->ds);
			_Static_assert(sizeof(k.period) == sizeof(pes[j]), "period buffers differ");
			memcpy(k.period, pes[j], sizeof(k.period));
			(void)p->env->get(p->env->get_arg, &k, 0, &m, &at, NULL, 0);
			for (size_t e = 0; e < ne; e++)
				month_vals[e][j] =
				    m != NULL
				        ? gt_repcharts_total(m->totals, m->n_totals, els[e]->code)
				        : NAN;
			if (m != NULL)
				gtsync__v1__report_reply__free_unpacked(m, NULL);
			gt_human_period(pes[j], labels_buf[j], sizeof(labels_buf[j]));
			labels_buf[j][3] = '\0'; /* "Jan", "Feb": the year is the page's */
			labels[j] = labels_buf[j];
		}
		for (size_t e = 0; e < ne; e++) {
			ser[e].name = els[e]->name;
			ser[e].values = month_vals[e];
			ser[e].code = els[e]->code;
		}
		c.labels = labels;
		c.nlabels = (size_t)np;
		c.series = ser;
		c.nseries = ne;
		gt_svgchart_line(p->f, &c);
	}
	gt_repcharts_children(p->f, rep, p->dset);
	fputs("</div>", p->f);
}

/* The units expected that did not report, and the children that reported late. */
static void missing(struct page *p, const Gtsync__V1__ReportReply *rep)
{
	const Gtsync__V1__Completeness *cp = rep->completeness;
	struct gt_cstore_orgunit ou;
	size_t late = 0;

	fprintf(p->f, "<h2>%s</h2><ul id=\"missing\">", _("Late and missing"));
	for (size_t i = 0; cp != NULL && i < cp->n_missing; i++) {
		fputs("<li>", p->f);
		esc(p, ou_name(p, cp->missing[i], &ou));
		fprintf(p->f, " &ndash; %s</li>", _("not reported"));
	}
	for (size_t i = 0; i < rep->n_children; i++) {
		const Gtsync__V1__ChildReport *c = rep->children[i];
		if (c->reported_units > c->on_time_units) {
			fputs("<li>", p->f);
			esc(p, c->name);
			fprintf(p->f, " &ndash; %u %s</li>", c->reported_units - c->on_time_units,
			        _("reported late"));
			late++;
		}
	}
	if ((cp == NULL || cp->n_missing == 0) && late == 0)
		fprintf(p->f, "<li>%s</li>", _("Every expected unit reported on time."));
	fputs("</ul>", p->f);
}

/* A workflow form for org: kind ("accept", "return", "approve") with its button; a return
 * asks for its reason. */
static void action_form(struct page *p, const char *kind, const char *org, const char *button)
{
	fputs("<form class=\"act\" method=\"post\" action=\"/tindakan\">", p->f);
	hidden(p, "kind", kind);
	report_fields(p, org);
	if (strcmp(kind, "return") == 0)
		fprintf(p->f,
		        "<input type=\"text\" name=\"reason\" required maxlength=\"500\" "
		        "aria-label=\"%s\" placeholder=\"%s\">",
		        _("reason for the return"), _("reason"));
	fprintf(p->f, "<button type=\"submit\" data-kind=\"%s\">%s</button></form>", kind, button);
}

/* Whether the key may act on the page's units: an aggregator, approver or the secretariat, on
 * its own unit's page (a reader never). */
static int acts(const struct page *p)
{
	const char *r = p->env->role != NULL ? p->env->role : "";

	return p->env->linked == NULL && strcmp(p->org, p->env->home_org) == 0 &&
	       (strcmp(r, "aggregator") == 0 || strcmp(r, "secretariat") == 0 ||
	        strcmp(r, "approver") == 0);
}

/* The children's table: completeness, state and the summed elements' totals. */
static void child_table(struct page *p, const Gtsync__V1__ReportReply *rep)
{
	const struct gt_meta_element *els[MAX_CHILD_COLS];
	size_t n = gt_repcharts_summed(p->dset, els, MAX_CHILD_COLS);

	fprintf(p->f, "<h2>%s</h2><p class=\"csv\"><a href=\"", _("Units below"));
	link(p, p->req->path, NULL, NULL, 1);
	fprintf(p->f, "\" download>%s</a></p>", _("Download as CSV"));
	fprintf(p->f,
	        "<table id=\"children\"><thead><tr><th>%s</th><th class=\"n\">%s</th>"
	        "<th class=\"n\">%s</th><th>%s</th>",
	        _("Unit"), _("Reported"), _("On time"), _("State"));
	for (size_t j = 0; j < n; j++) {
		fputs("<th class=\"n\">", p->f);
		esc(p, els[j]->name);
		fputs("</th>", p->f);
	}
	if (acts(p))
		fprintf(p->f, "<th class=\"act\">%s</th>", _("Action"));
	fputs("</tr></thead><tbody>", p->f);
	for (size_t i = 0; i < rep->n_children; i++) {
		const Gtsync__V1__ChildReport *c = rep->children[i];
		fputs("<tr data-org=\"", p->f);
		esc(p, c->org_unit);
		fputs("\"><td><a href=\"", p->f);
		link(p, "/wilayah", c->org_unit, NULL, 0);
		fputs("\">", p->f);
		esc(p, c->name);
		fprintf(
		    p->f,
		    "</a></td><td class=\"n %s\">%u / %u</td><td class=\"n\">%u</td><td>%s</td>",
		    cclass(c->reported_units, c->expected), c->reported_units, c->expected,
		    c->on_time_units, state_text((int)c->state));
		for (size_t j = 0; j < n; j++) {
			double v = gt_repcharts_total(c->values, c->n_values, els[j]->code);
			int a;
			fputs("<td class=\"n\" data-de=\"", p->f);
			esc(p, els[j]->code);
			if (withheld(c->values, c->n_values, els[j]->code)) {
				fputs("\" data-v=\"\" data-withheld=\"1\">" GT_RMODEL_WITHHELD
				      "</td>",
				      p->f);
				continue;
			}
			fputs("\" data-v=\"", p->f);
			rawnum(p->f, v);
			fputs("\">", p->f);
			a = isfinite(v) && prov_link(p, els[j]->code, NULL, c->org_unit);
			num(p, v);
			fputs(a ? "</a></td>" : "</td>", p->f);
		}
		if (acts(p)) {
			int st = (int)c->state;
			fputs("<td class=\"act\">", p->f);
			if (st == GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED)
				action_form(p, "accept", c->org_unit, _("Accept"));
			if (st == GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED ||
			    st == GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED)
				action_form(p, "return", c->org_unit, _("Return"));
			fputs("</td>", p->f);
		}
		fputs("</tr>", p->f);
	}
	if (rep->n_children == 0)
		fprintf(p->f, "<tr><td colspan=\"%zu\">%s</td></tr>", 4 + n,
		        _("This unit has no units below it."));
	fputs("</tbody></table>", p->f);
}

/* Every figure of the report: one row per (element, option), the total as the server sent it. */
static int figures(struct page *p, const Gtsync__V1__ReportReply *rep)
{
	struct gt_rmodel_row *rows = NULL;
	size_t n = 0;
	int rc = gt_rmodel_rows(rep, p->env->meta, &rows, &n);

	if (rc != GT_OK)
		return rc;
	fprintf(p->f,
	        "<h2>%s</h2><table id=\"figures\"><thead><tr><th>%s</th><th>%s</th>"
	        "<th class=\"n\">%s</th></tr></thead><tbody>",
	        _("Figures"), _("Data element"), _("Breakdown"), _("Value"));
	for (size_t i = 0; i < n; i++) {
		const Gtsync__V1__ReportValue *v =
		    gt_rmodel_value(rep->totals, rep->n_totals, &rows[i]);
		int opt = rows[i].e ? gt_meta_element_option_index(rows[i].e, rows[i].coc) : -1;
		if (v == NULL)
			continue;
		fputs("<tr><td>", p->f);
		esc(p, rows[i].e ? rows[i].e->name : rows[i].element);
		fputs("</td><td>", p->f);
		if (opt >= 0 && !rows[i].e->combo->is_default)
			esc(p, rows[i].e->combo->options[opt].name);
		else
			esc(p, rows[i].coc);
		fputs("</td><td class=\"n\" data-de=\"", p->f);
		esc(p, rows[i].element);
		fputs("\" data-coc=\"", p->f);
		esc(p, rows[i].coc);
		fputs("\" data-v=\"", p->f);
		if (v->suppressed) {
			/* Withheld from a reader or a public output (issue 14): the mark, no
			 * figure. */
			fputs("\" data-withheld=\"1\">" GT_RMODEL_WITHHELD, p->f);
		} else if (gt_rmodel_has_text(v->text)) {
			esc(p, v->text);
			fputs("\">", p->f);
			esc(p, v->text);
		} else {
			int a;
			rawnum(p->f, v->value);
			fputs("\">", p->f);
			a = prov_link(p, rows[i].element, rows[i].coc, NULL);
			num(p, v->value);
			if (a)
				fputs("</a>", p->f);
		}
		fputs("</td></tr>", p->f);
	}
	if (n == 0)
		fprintf(p->f, "<tr><td colspan=\"3\">%s</td></tr>", _("No figures yet."));
	fputs("</tbody></table>", p->f);
	free(rows);
	return GT_OK;
}

/* Writes s as one CSV field. */
static void csvf(FILE *f, const char *s)
{
	if (s == NULL)
		s = "";
	/* A leading =, +, - or @ would be a formula in a spreadsheet: quote it as text. */
	if (strpbrk(s, ",\"\r\n") == NULL && strchr("=+-@", s[0]) == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (strchr("=+-@", s[0]) != NULL && s[0])
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* The children's table as CSV. */
static void child_csv(struct page *p, const Gtsync__V1__ReportReply *rep)
{
	const struct gt_meta_element *els[MAX_CHILD_COLS];
	size_t n = gt_repcharts_summed(p->dset, els, MAX_CHILD_COLS);

	fputs("org_unit,name,reported_units,expected,on_time_units,state", p->f);
	for (size_t j = 0; j < n; j++) {
		fputc(',', p->f);
		csvf(p->f, els[j]->code);
	}
	fputs("\r\n", p->f);
	for (size_t i = 0; i < rep->n_children; i++) {
		const Gtsync__V1__ChildReport *c = rep->children[i];
		csvf(p->f, c->org_unit);
		fputc(',', p->f);
		csvf(p->f, c->name);
		fprintf(p->f, ",%u,%u,%u,%s", c->reported_units, c->expected, c->on_time_units,
		        gt_protonames_state((int)c->state));
		for (size_t j = 0; j < n; j++) {
			fputc(',', p->f);
			if (withheld(c->values, c->n_values, els[j]->code))
				fputs(GT_RMODEL_WITHHELD, p->f);
			else
				rawnum(p->f,
				       gt_repcharts_total(c->values, c->n_values, els[j]->code));
		}
		fputs("\r\n", p->f);
	}
}

/* Gets the page's report; on failure renders the page that says why. */
static int get_report(struct page *p, unsigned *status, Gtsync__V1__ReportReply **rep,
                      int64_t *fetched_ms, char *err, size_t err_len)
{
	struct gt_cstore_dash_key k;
	int rc;

	snprintf(k.org, sizeof(k.org), "%s", p->org);
	snprintf(k.dataset, sizeof(k.dataset), "%s", p->ds);
	snprintf(k.period, sizeof(k.period), "%s", p->pe);
	rc = p->env->get(p->env->get_arg, &k, 1, rep, fetched_ms, err, err_len);
	if (rc == GT_ENOMEM)
		return rc;
	if (rc != GT_OK && err[0]) {
		/* The server was asked and the fetch failed: say why, not that it is coming. */
		problem(p, status, 503, _("The report could not be fetched"),
		        _("The dashboard asked the server for this report and did not get it. The "
		          "dashboard asks again at its next refresh; the server said:"),
		        err);
		return GT_ENOENT;
	}
	if (rc != GT_OK) {
		problem(
		    p, status, 503, _("The report is still being fetched"),
		    _("The dashboard is asking the server for this report. Reload the page in a "
		      "moment."),
		    NULL);
		return GT_ENOENT;
	}
	return GT_OK;
}

/* The previous period's report, from the cache only (asked for when missing). */
static Gtsync__V1__ReportReply *previous(struct page *p)
{
	struct gt_cstore_dash_key k;
	struct gt_period pe, prev;
	Gtsync__V1__ReportReply *rep = NULL;
	int64_t at;

	if (gt_period_parse(p->pe, &pe) != GT_OK || gt_period_prev(&pe, &prev) != GT_OK)
		return NULL;
	snprintf(k.org, sizeof(k.org), "%s", p->org);
	snprintf(k.dataset, sizeof(k.dataset), "%s", p->ds);
	if (gt_period_format(&prev, k.period, sizeof(k.period)) != GT_OK)
		return NULL;
	if (p->env->get(p->env->get_arg, &k, 0, &rep, &at, NULL, 0) != GT_OK)
		return NULL;
	return rep;
}

static int page_overview(struct page *p, unsigned *status, int csv)
{
	Gtsync__V1__ReportReply *rep = NULL, *prev = NULL;
	char err[256];
	int64_t at;
	int rc = get_report(p, status, &rep, &at, err, sizeof(err));

	if (rc != GT_OK)
		return rc == GT_ENOENT ? GT_OK : rc;
	if (csv) {
		child_csv(p, rep);
		goto out;
	}
	prev = previous(p);
	head(p, _("Overview"));
	fputs("<h1>", p->f);
	fprintf(p->f, "%s: ", _("Overview"));
	esc(p, rep->org_name && rep->org_name[0] ? rep->org_name : p->org);
	fputs("</h1>", p->f);
	age(p, at, err);
	headline(p, rep, prev);
	tiles(p, rep);
	pipeline(p, rep);
	missing(p, rep);
	charts(p, rep);
	foot(p);
out:
	if (prev != NULL)
		gtsync__v1__report_reply__free_unpacked(prev, NULL);
	gtsync__v1__report_reply__free_unpacked(rep, NULL);
	return GT_OK;
}

static int page_region(struct page *p, unsigned *status, int csv)
{
	Gtsync__V1__ReportReply *rep = NULL;
	char err[256];
	int64_t at;
	int rc = get_report(p, status, &rep, &at, err, sizeof(err));

	if (rc != GT_OK)
		return rc == GT_ENOENT ? GT_OK : rc;
	if (csv) {
		child_csv(p, rep);
		goto out;
	}
	head(p, rep->org_name && rep->org_name[0] ? rep->org_name : p->org);
	crumbs(p, "/wilayah");
	fputs("<h1 id=\"title\">", p->f);
	esc(p, rep->org_name && rep->org_name[0] ? rep->org_name : p->org);
	fputs("</h1>", p->f);
	age(p, at, err);
	fprintf(p->f, "<p>%s: %u / %u &middot; %s: %s</p>", _("Units reported"),
	        rep->completeness ? rep->completeness->reported : 0,
	        rep->completeness ? rep->completeness->expected : 0, _("State"),
	        state_text((int)rep->state));
	if (acts(p) && p->env->role != NULL && strcmp(p->env->role, "aggregator") != 0 &&
	    rep->state != GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED &&
	    rep->state != GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED)
		action_form(p, "approve", p->org, _("Approve this report"));
	child_table(p, rep);
	rc = figures(p, rep);
	foot(p);
out:
	gtsync__v1__report_reply__free_unpacked(rep, NULL);
	return rc;
}

/* The periods of the matrix: the months of the page's period when it spans several, else the
 * period itself. */
static int matrix_periods(struct page *p, char pes[MAX_PERIODS][GT_CSTORE_DASH_PE_LEN])
{
	struct gt_period pe, m;
	int count = 0;

	if (gt_period_parse(p->pe, &pe) != GT_OK)
		return 0;
	if (p->dset == NULL || p->dset->period_type != GT_PERIOD_MONTHLY ||
	    gt_period_months(&pe, &m, &count) != GT_OK || count < 1) {
		snprintf(pes[0], GT_CSTORE_DASH_PE_LEN, "%s", p->pe);
		return 1;
	}
	if (count > MAX_PERIODS)
		count = MAX_PERIODS;
	for (int i = 0; i < count; i++) {
		if (gt_period_format(&m, pes[i], GT_CSTORE_DASH_PE_LEN) != GT_OK)
			return i;
		if (gt_period_next(&m, &m) != GT_OK)
			return i + 1;
	}
	return count;
}

/* One cell of the completeness matrix: reported of expected, coloured, and on hover or focus
 * (a tooltip of its own, also its accessible description) the counts and when the child's
 * first value for the period arrived, in the office's zone (issue 11 item 4). */
static void matrix_cell(struct page *p, const Gtsync__V1__ChildReport *cc, size_t row, int col)
{
	char when[GT_HUMAN_MAX], tip[GT_HUMAN_MAX + 256];

	snprintf(tip, sizeof(tip), "%u %s, %u %s", cc->reported_units, _("reported"),
	         cc->on_time_units, _("on time"));
	if (cc->first_arrival_ms > 0 &&
	    gt_human_time(cc->first_arrival_ms, p->env->zone, when, sizeof(when)) == GT_OK) {
		size_t used = strlen(tip);
		snprintf(tip + used, sizeof(tip) - used, "; %s %s", _("first arrived"), when);
	}
	fprintf(p->f,
	        "<td class=\"cell %s\" tabindex=\"0\" aria-describedby=\"tip-%zu-%d\" title=\"",
	        cclass(cc->reported_units, cc->expected), row, col);
	esc(p, tip);
	fprintf(p->f, "\">%u/%u<span class=\"tip\" role=\"tooltip\" id=\"tip-%zu-%d\">",
	        cc->reported_units, cc->expected, row, col);
	esc(p, tip);
	fputs("</span></td>", p->f);
}

/* The matrix's head: the CSV header line, or the page's heading, its age, the CSV link and the
 * table's head with a column per period. */
static void matrix_head(struct page *p, int csv, char pes[][GT_CSTORE_DASH_PE_LEN], int np,
                        int64_t at, const char *err)
{
	char human[GT_HUMAN_MAX];

	if (csv) {
		fputs("org_unit,name", p->f);
		for (int j = 0; j < np; j++)
			fprintf(p->f, ",%s", pes[j]);
		fputs("\r\n", p->f);
		return;
	}
	head(p, _("Completeness"));
	crumbs(p, "/kelengkapan");
	fprintf(p->f, "<h1>%s</h1>", _("Completeness"));
	age(p, at, err);
	fprintf(p->f, "<p class=\"csv\"><a href=\"");
	link(p, "/kelengkapan", NULL, NULL, 1);
	fprintf(p->f, "\" download>%s</a></p><table id=\"matrix\"><thead><tr><th>%s</th>",
	        _("Download as CSV"), _("Unit"));
	for (int j = 0; j < np; j++) {
		gt_human_period(pes[j], human, sizeof(human));
		fputs("<th>", p->f);
		esc(p, human);
		fputs("</th>", p->f);
	}
	fputs("</tr></thead><tbody>", p->f);
}

/* Child c's row (number i): its completeness in each period's report cols[0..np) (NULL: not
 * fetched yet). */
static void matrix_row(struct page *p, int csv, const Gtsync__V1__ChildReport *c, size_t i,
                       Gtsync__V1__ReportReply *const *cols, int np)
{
	if (csv) {
		csvf(p->f, c->org_unit);
		fputc(',', p->f);
		csvf(p->f, c->name);
	} else {
		fputs("<tr><th scope=\"row\"><a href=\"", p->f);
		link(p, "/kelengkapan", c->org_unit, NULL, 0);
		fputs("\">", p->f);
		esc(p, c->name);
		fputs("</a></th>", p->f);
	}
	for (int j = 0; j < np; j++) {
		const Gtsync__V1__ChildReport *cc = NULL;
		for (size_t k = 0; cols[j] != NULL && k < cols[j]->n_children; k++)
			if (strcmp(cols[j]->children[k]->org_unit, c->org_unit) == 0)
				cc = cols[j]->children[k];
		if (csv) {
			if (cc != NULL)
				fprintf(p->f, ",%u/%u", cc->reported_units, cc->expected);
			else
				fputc(',', p->f);
			continue;
		}
		if (cc == NULL) {
			fprintf(p->f, "<td class=\"cell cn\" title=\"%s\">&hellip;</td>",
			        _("not fetched yet"));
			continue;
		}
		matrix_cell(p, cc, i, j);
	}
	fputs(csv ? "\r\n" : "</tr>", p->f);
}

static int page_matrix(struct page *p, unsigned *status, int csv)
{
	Gtsync__V1__ReportReply *rep = NULL, *cols[MAX_PERIODS] = {0};
	char pes[MAX_PERIODS][GT_CSTORE_DASH_PE_LEN];
	char err[256];
	int64_t at, cat;
	int np, rc = get_report(p, status, &rep, &at, err, sizeof(err));

	if (rc != GT_OK)
		return rc == GT_ENOENT ? GT_OK : rc;
	np = matrix_periods(p, pes);
	for (int j = 0; j < np; j++) {
		struct gt_cstore_dash_key k;
		snprintf(k.org, sizeof(k.org), "%s", p->org);
		snprintf(k.dataset, sizeof(k.dataset), "%s", p->ds);
		_Static_assert(sizeof(k.period) == sizeof(pes[j]), "period buffers differ");
		memcpy(k.period, pes[j], sizeof(k.period));
		(void)p->env->get(p->env->get_arg, &k, 0, &cols[j], &cat, NULL, 0);
	}
	matrix_head(p, csv, pes, np, at, err);
	for (size_t i = 0; i < rep->n_children; i++)
		matrix_row(p, csv, rep->children[i], i, cols, np);
	if (!csv) {
		fputs("</tbody></table>", p->f);
		foot(p);
	}
	for (int j = 0; j < np; j++)
		if (cols[j] != NULL)
			gtsync__v1__report_reply__free_unpacked(cols[j], NULL);
	gtsync__v1__report_reply__free_unpacked(rep, NULL);
	return GT_OK;
}

/* Whether s is a plausible parameter: present, short and of printable ASCII. */
static int param_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n >= GT_DASHPAGE_MAX_PARAM)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* The trend page's periods: every period of the data set's type from the start of the range's
 * first period to the end of its last (the page's period when the range is not given). */
struct trend {
	int n;
	char pes[MAX_TREND][GT_CSTORE_DASH_PE_LEN];
	char labels[MAX_TREND][GT_HUMAN_MAX];
	const char *lp[MAX_TREND], *kp[MAX_TREND];
	Gtsync__V1__ReportReply *rep[MAX_TREND];
	int missing; /* periods not fetched yet */
};

/* Lays out the range's periods into t; GT_EINVAL when the range is not one (unparsable, end
 * before start, or longer than MAX_TREND periods). */
static int trend_range(struct page *p, const char *from, const char *to, struct trend *t)
{
	enum gt_period_type type = p->dset != NULL ? p->dset->period_type : GT_PERIOD_MONTHLY;
	struct gt_period a, b, cur, last;
	struct gt_date da, db;

	t->n = 0;
	if (!param_ok(from) || !param_ok(to) || gt_period_parse(from, &a) != GT_OK ||
	    gt_period_parse(to, &b) != GT_OK || gt_period_start(&a, &da) != GT_OK ||
	    gt_period_end(&b, &db) != GT_OK || gt_period_from_date(type, &da, &cur) != GT_OK ||
	    gt_period_from_date(type, &db, &last) != GT_OK)
		return GT_EINVAL;
	for (;;) {
		if (t->n >= MAX_TREND)
			return GT_EINVAL;
		if (gt_period_format(&cur, t->pes[t->n], GT_CSTORE_DASH_PE_LEN) != GT_OK)
			return GT_EINVAL;
		t->n++;
		if (cur.year == last.year && cur.index == last.index)
			break;
		if (cur.year > last.year || (cur.year == last.year && cur.index > last.index) ||
		    gt_period_next(&cur, &cur) != GT_OK) {
			t->n = 0;
			return GT_EINVAL;
		}
	}
	return GT_OK;
}

/* Gets the reports of the range's periods: those cached at once, then (while the server
 * answers) a wait for the first fetch of the others, which the refresher takes together. */
static void trend_get(struct page *p, struct trend *t)
{
	int wait = 1;

	for (int pass = 0; pass < 2; pass++) {
		for (int j = 0; j < t->n; j++) {
			struct gt_cstore_dash_key k;
			char err[256] = "";
			int64_t at;
			if (t->rep[j] != NULL)
				continue;
			snprintf(k.org, sizeof(k.org), "%s", p->org);
			snprintf(k.dataset, sizeof(k.dataset), "%s", p->ds);
			memcpy(k.period, t->pes[j], sizeof(k.period));
			int rc = p->env->get(p->env->get_arg, &k, pass == 1 && wait, &t->rep[j],
			                     &at, err, sizeof(err));
			/* A server that does not answer in time is not waited for again. */
			if (pass == 1 && rc != GT_OK)
				wait = 0;
		}
	}
	t->missing = 0;
	for (int j = 0; j < t->n; j++)
		t->missing += t->rep[j] == NULL;
}

/* Short labels: "Jan" when the range lies in one year, else "Jan 2025"; other types as
 * people say them. */
static void trend_labels(struct page *p, struct trend *t)
{
	int one_year = t->n > 0 && strncmp(t->pes[0], t->pes[t->n - 1], 4) == 0;

	for (int j = 0; j < t->n; j++) {
		gt_human_period(t->pes[j], t->labels[j], sizeof(t->labels[j]));
		if (p->dset != NULL && p->dset->period_type == GT_PERIOD_MONTHLY) {
			char *sp = strrchr(t->labels[j], ' ');
			if (one_year || sp == NULL)
				t->labels[j][3] = '\0';
			else
				memmove(t->labels[j] + 3, sp, strlen(sp) + 1);
		}
		t->lp[j] = t->labels[j];
		t->kp[j] = t->pes[j];
	}
}

/* The charts of the range: the data set's summed figures without breakdown as lines, each
 * breakdown as stacked bars per period, the law-enforcement stages as a funnel of the range. */
/* One line chart of the data set's summed elements without options, a line each. */
static void trend_lines(struct page *p, struct trend *t)
{
	const struct gt_meta_element *els[MAX_TREND_LINES];
	double vals[GT_SVGCHART_MAX_SERIES][MAX_TREND];
	struct gt_svgchart_series ser[GT_SVGCHART_MAX_SERIES];
	size_t ne = 0;

	for (size_t i = 0; p->dset != NULL && i < p->dset->nelements && ne < MAX_TREND_LINES; i++) {
		const struct gt_meta_element *e = p->dset->elements[i];
		if (e->aggregation == GT_META_AGG_SUM && !e->builtin && e->combo->is_default)
			els[ne++] = e;
	}
	if (ne == 0)
		return;
	struct gt_svgchart c = {.id = "chart-trend",
	                        .title = _("By period"),
	                        .labels = t->lp,
	                        .nlabels = (size_t)t->n,
	                        .keys = t->kp,
	                        .series = ser,
	                        .nseries = ne};
	for (size_t e = 0; e < ne; e++) {
		for (int j = 0; j < t->n; j++)
			vals[e][j] = t->rep[j] != NULL
			                 ? gt_repcharts_total(t->rep[j]->totals,
			                                      t->rep[j]->n_totals, els[e]->code)
			                 : NAN;
		ser[e] = (struct gt_svgchart_series){els[e]->name, vals[e], els[e]->code};
	}
	gt_svgchart_line(p->f, &c);
}

/* Element e's funnel: its first no options (the stages) over the whole range, one value per
 * stage. */
static void trend_funnel(struct page *p, const struct trend *t, const struct gt_meta_element *e,
                         const char *id, const char *title, size_t no)
{
	const struct gt_meta_combo *cb = e->combo;
	const char *labels[GT_SVGCHART_MAX_SERIES];
	double sum[GT_SVGCHART_MAX_SERIES];
	struct gt_svgchart_series one = {e->name, sum, e->code};
	struct gt_svgchart c = {.id = id,
	                        .title = title,
	                        .labels = labels,
	                        .nlabels = no,
	                        .series = &one,
	                        .nseries = 1};

	for (size_t o = 0; o < no; o++) {
		labels[o] = cb->options[o].name;
		sum[o] = NAN;
		for (int j = 0; j < t->n; j++) {
			double v = t->rep[j] != NULL
			               ? gt_rmodel_find(t->rep[j]->totals, t->rep[j]->n_totals,
			                                e->code, cb->options[o].code)
			               : NAN;
			if (isfinite(v))
				sum[o] = isfinite(sum[o]) ? sum[o] + v : v;
		}
	}
	gt_svgchart_funnel(p->f, &c);
}

/* Summed element e with options: a funnel for the funnel's combination, else bars of each
 * option per period. */
static void trend_options(struct page *p, struct trend *t, const struct gt_meta_element *e)
{
	const struct gt_meta_combo *cb = e->combo;
	double vals[GT_SVGCHART_MAX_SERIES][MAX_TREND];
	struct gt_svgchart_series ser[GT_SVGCHART_MAX_SERIES];
	char id[GT_HUMAN_MAX + 8], title[2 * GT_HUMAN_MAX];
	size_t no = cb->noptions < GT_SVGCHART_MAX_SERIES ? cb->noptions : GT_SVGCHART_MAX_SERIES;

	snprintf(id, sizeof(id), "chart-%s", e->code);
	for (char *c = id; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9')))
			*c = '-';
	snprintf(title, sizeof(title), "%s (%s)", e->name, cb->name);
	if (strcmp(cb->code, GT_REPCHARTS_FUNNEL_COMBO) == 0) {
		trend_funnel(p, t, e, id, title, no);
		return;
	}
	struct gt_svgchart c = {.id = id,
	                        .title = title,
	                        .labels = t->lp,
	                        .nlabels = (size_t)t->n,
	                        .keys = t->kp,
	                        .series = ser,
	                        .nseries = no};
	for (size_t o = 0; o < no; o++) {
		for (int j = 0; j < t->n; j++)
			vals[o][j] = t->rep[j] != NULL
			                 ? gt_rmodel_find(t->rep[j]->totals, t->rep[j]->n_totals,
			                                  e->code, cb->options[o].code)
			                 : NAN;
		ser[o] =
		    (struct gt_svgchart_series){cb->options[o].name, vals[o], cb->options[o].code};
	}
	gt_svgchart_bars(p->f, &c);
}

static void trend_charts(struct page *p, struct trend *t)
{
	trend_lines(p, t);
	for (size_t i = 0; p->dset != NULL && i < p->dset->nelements; i++) {
		const struct gt_meta_element *e = p->dset->elements[i];
		if (e->aggregation != GT_META_AGG_SUM || e->builtin || e->combo->is_default)
			continue;
		trend_options(p, t, e);
	}
}

/* The range form: from and to as period ids, the page's org unit, data set and period kept. */
static void trend_form(struct page *p, const char *from, const char *to)
{
	fputs("<form class=\"range\" id=\"range\" method=\"get\" action=\"/tren\">"
	      "<input type=\"hidden\" name=\"org\" value=\"",
	      p->f);
	esc(p, p->org);
	fputs("\"><input type=\"hidden\" name=\"ds\" value=\"", p->f);
	esc(p, p->ds);
	fputs("\"><input type=\"hidden\" name=\"pe\" value=\"", p->f);
	esc(p, p->pe);
	fprintf(p->f, "\"><label>%s <input type=\"text\" name=\"from\" size=\"8\" value=\"",
	        _("from"));
	esc(p, from);
	fprintf(p->f, "\"></label> <label>%s <input type=\"text\" name=\"to\" size=\"8\" value=\"",
	        _("to"));
	esc(p, to);
	fprintf(p->f, "\"></label> <button type=\"submit\">%s</button> <small>%s</small></form>",
	        _("Show"), _("(periods as 202401, 2024Q1 or 2024)"));
}

/* The trend's totals as CSV, a line per period and figure. */
static void trend_csv(struct page *p, const struct trend *t)
{
	fputs("period,data_element,category_option_combo,value\r\n", p->f);
	for (int j = 0; j < t->n; j++) {
		for (size_t i = 0; t->rep[j] != NULL && i < t->rep[j]->n_totals; i++) {
			const Gtsync__V1__ReportValue *v = t->rep[j]->totals[i];
			if (gt_rmodel_has_text(v->text) || !isfinite(v->value))
				continue;
			fprintf(p->f, "%s,", t->pes[j]);
			csvf(p->f, v->data_element);
			fputc(',', p->f);
			csvf(p->f, v->category_option_combo);
			fputc(',', p->f);
			if (v->suppressed)
				fputs(GT_RMODEL_WITHHELD, p->f);
			else
				rawnum(p->f, v->value);
			fputs("\r\n", p->f);
		}
	}
}

/* Above the charts: the range form (in the running dashboard), how many periods are still
 * asked of the server, and the CSV link. */
static void trend_notes(struct page *p, const struct trend *t, const char *from, const char *to)
{
	struct gt_dashpage_req csvreq = {.path = "/tren",
	                                 .org = p->org,
	                                 .ds = p->ds,
	                                 .pe = p->pe,
	                                 .from = from,
	                                 .to = to,
	                                 .format = "csv"};

	if (p->env->linked == NULL)
		trend_form(p, from, to);
	if (t->missing > 0)
		fprintf(
		    p->f, "<p class=\"age\" id=\"pending\" data-missing=\"%d\">%d %s</p>",
		    t->missing, t->missing,
		    _("of the periods have not reached the dashboard yet: they are asked of the "
		      "server now; reload the page in a moment."));
	fputs("<p class=\"csv\"><a href=\"", p->f);
	href(p, &csvreq);
	fprintf(p->f, "\" download>%s</a></p>", _("Download as CSV"));
}

static int page_trend(struct page *p, unsigned *status, int csv)
{
	struct trend *t = calloc(1, sizeof(*t));
	const char *from = p->req->from != NULL ? p->req->from : p->pe;
	const char *to = p->req->to != NULL ? p->req->to : p->pe;
	char human[2 * GT_HUMAN_MAX];

	if (t == NULL)
		return GT_ENOMEM;
	if (trend_range(p, from, to, t) != GT_OK) {
		char bad[2 * GT_DASHPAGE_MAX_PARAM + 8];
		snprintf(bad, sizeof(bad), "%s .. %s", from != NULL ? from : "",
		         to != NULL ? to : "");
		problem(
		    p, status, 404, _("Unknown period range"),
		    _("This is not a range of periods the trend page can show (the start before "
		      "the end, at most 36 periods):"),
		    bad);
		free(t);
		return GT_OK;
	}
	trend_get(p, t);
	trend_labels(p, t);
	if (csv) {
		trend_csv(p, t);
		goto out;
	}
	head(p, _("Trends"));
	crumbs(p, "/tren");
	if (gt_human_period_range(t->pes[0], t->pes[t->n - 1], human, sizeof(human)) != GT_OK)
		snprintf(human, sizeof(human), "%s", from);
	fprintf(p->f, "<h1>%s: ", _("Trends"));
	esc(p, ou_name(p, p->org, &p->ou));
	fputs("</h1><p id=\"range-human\">", p->f);
	esc(p, human);
	fputs("</p>", p->f);
	trend_notes(p, t, from, to);
	trend_charts(p, t);
	foot(p);
out:
	for (int j = 0; j < t->n; j++)
		if (t->rep[j] != NULL)
			gtsync__v1__report_reply__free_unpacked(t->rep[j], NULL);
	free(t);
	return GT_OK;
}

/* Whether the key's office sees plan: a national plan always, a province's plan when the
 * office contains the province or lies in it. */
static int plan_visible(const struct page *p, const struct gt_meta_plan *plan)
{
	const char *home = p->env->home_org;

	return plan->scope_province == NULL ||
	       gt_orgunit_contains(home, plan->scope_province) == 1 ||
	       gt_orgunit_contains(plan->scope_province, home) == 1;
}

/* The link to the plan page for data set ds, org unit org, year and block (any NULL: none),
 * as CSV when csv is set. */
static void plan_link(struct page *p, const char *ds, const char *org, const char *year,
                      const char *block, const char *sort, int csv)
{
	struct gt_dashpage_req t = {.path = "/rencana",
	                            .org = org,
	                            .ds = ds,
	                            .pe = year,
	                            .block = block,
	                            .sort = sort,
	                            .format = csv ? "csv" : NULL};

	href(p, &t);
}

/* Sorting of target rows by gap, largest first; rows without a target after them, each in
 * catalogue order. */
struct plan_row {
	const Gtsync__V1__TargetRow *r;
	const struct gt_meta_indicator *ind;
	size_t order;
};

static int by_gap(const void *a, const void *b)
{
	const struct plan_row *x = a, *y = b;

	if (x->r->has_target != y->r->has_target)
		return x->r->has_target ? -1 : 1;
	if (x->r->has_target && x->r->gap != y->r->gap)
		return x->r->gap > y->r->gap ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* A number for a data attribute: the raw number, "" when there is none. */
static void plan_num(struct page *p, const char *de, double v, int has)
{
	fprintf(p->f, "<td class=\"n\" data-c=\"%s\" data-v=\"", de);
	if (has)
		rawnum(p->f, v);
	fputs("\">", p->f);
	if (has)
		num(p, v);
	else
		fputs("&ndash;", p->f);
	fputs("</td>", p->f);
}

/* What the plan page shows: the plan and year chosen, the block and sort kept from the
 * request when they are valid, and the report's target rows in the order shown. */
struct plan_view {
	const struct gt_meta_plan *plan;
	int year;
	const char *block, *sort;
	struct plan_row *rows;
	size_t n, with_target, reached;
};

/* Chooses the plan (the data set's, else the first the office sees), the plan's year nearest
 * the page's period and the unit the plan is read at, and keeps the request's block and sort
 * when they belong to it. 1 when a problem page was written instead. */
static int plan_choose(struct page *p, unsigned *status, struct plan_view *v)
{
	const struct gt_meta *m = p->env->meta;
	const struct gt_meta_plan *plan;
	struct gt_period pe;

	if (m == NULL || p->dset == NULL) {
		problem(p, status, 503, _("No action plans yet"),
		        _("The dashboard has no metadata yet: run gtsync metadata pull."), NULL);
		return 1;
	}
	/* Another data set than a plan's: the first plan the office sees. */
	if (p->dset->plan == NULL || !plan_visible(p, p->dset->plan)) {
		const struct gt_meta_dataset *first = NULL;
		for (size_t i = 0; i < m->ndatasets && first == NULL; i++)
			if (m->datasets[i]->plan != NULL && plan_visible(p, m->datasets[i]->plan))
				first = m->datasets[i];
		if (first == NULL) {
			problem(p, status, 404, _("No action plans yet"),
			        _("No action plan in the metadata covers your office."), NULL);
			return 1;
		}
		p->dset = first;
		p->ds = first->code;
	}
	plan = v->plan = p->dset->plan;
	/* The plan's year nearest the page's period. */
	if (gt_period_parse(p->pe, &pe) != GT_OK)
		pe.year = (int)plan->last_year;
	if (pe.year < (int)plan->first_year)
		pe.year = (int)plan->first_year;
	if (pe.year > (int)plan->last_year)
		pe.year = (int)plan->last_year;
	v->year = pe.year;
	snprintf(p->pe_buf, sizeof(p->pe_buf), "%d", pe.year);
	p->pe = p->pe_buf;
	/* A province's plan is read at the province when the page's unit lies outside it. */
	snprintf(p->org_buf, sizeof(p->org_buf), "%s", p->org);
	if (plan->scope_province != NULL && gt_orgunit_contains(plan->scope_province, p->org) != 1)
		snprintf(p->org_buf, sizeof(p->org_buf), "%s", plan->scope_province);
	p->org = p->org_buf;
	v->block = p->req->block;
	v->sort = p->req->sort;
	if (v->block != NULL && (!param_ok(v->block) || gt_meta_block_find(m, v->block) == NULL ||
	                         gt_meta_block_find(m, v->block)->plan != plan))
		v->block = NULL;
	if (v->sort != NULL && strcmp(v->sort, "selisih") != 0)
		v->sort = NULL;
	return 0;
}

/* The report's target rows of the chosen block (all without one), counted and sorted. */
static int plan_rows(struct page *p, const Gtsync__V1__ReportReply *rep, struct plan_view *v)
{
	if (rep->n_targets > 0 && (v->rows = calloc(rep->n_targets, sizeof(*v->rows))) == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < rep->n_targets; i++) {
		const Gtsync__V1__TargetRow *r = rep->targets[i];
		const struct gt_meta_indicator *ind =
		    gt_meta_indicator_find(p->env->meta, r->indicator);
		if (v->block != NULL && (ind == NULL || strcmp(ind->block->code, v->block) != 0))
			continue;
		v->rows[v->n].r = r;
		v->rows[v->n].ind = ind;
		v->rows[v->n].order = i;
		v->with_target += r->has_target;
		v->reached += r->has_target && r->achieved >= r->target;
		v->n++;
	}
	if (v->sort != NULL && v->n > 1)
		qsort(v->rows, v->n, sizeof(*v->rows), by_gap);
	return GT_OK;
}

/* The rows as CSV. */
static void plan_csv(struct page *p, const struct plan_view *v)
{
	fputs("indicator,name,block,year,target,unit,achieved,gap,target_text\r\n", p->f);
	for (size_t i = 0; i < v->n; i++) {
		const Gtsync__V1__TargetRow *r = v->rows[i].r;
		csvf(p->f, r->indicator);
		fputc(',', p->f);
		csvf(p->f, r->name);
		fputc(',', p->f);
		csvf(p->f, v->rows[i].ind != NULL ? v->rows[i].ind->block->code : "");
		fprintf(p->f, ",%s,", p->pe);
		if (r->has_target)
			rawnum(p->f, r->target);
		fputc(',', p->f);
		csvf(p->f, r->unit);
		fputc(',', p->f);
		rawnum(p->f, r->achieved);
		fputc(',', p->f);
		if (r->has_target)
			rawnum(p->f, r->gap);
		fputc(',', p->f);
		csvf(p->f, r->target_raw);
		fputs("\r\n", p->f);
	}
}

/* The filters: the plans the office sees (the national plan and the provinces' plans), the
 * plan's years and its blocks. */
static void plan_filters(struct page *p, const struct plan_view *v)
{
	const struct gt_meta *m = p->env->meta;
	const char *year = p->pe;

	fprintf(p->f, "<nav class=\"filter\" id=\"plans\" aria-label=\"%s\">%s: ", _("plans"),
	        _("Plan"));
	for (size_t i = 0; i < m->ndatasets; i++) {
		const struct gt_meta_dataset *d = m->datasets[i];
		if (d->plan == NULL || !plan_visible(p, d->plan))
			continue;
		fputs("<a data-ds=\"", p->f);
		esc(p, d->code);
		fputs("\" href=\"", p->f);
		plan_link(p, d->code,
		          d->plan->scope_province != NULL ? d->plan->scope_province
		                                          : p->env->home_org,
		          year, NULL, v->sort, 0);
		fprintf(p->f, "\"%s>", d == p->dset ? " aria-current=\"page\"" : "");
		esc(p, d->plan->code);
		fputs("</a> ", p->f);
	}
	fprintf(p->f, "</nav><nav class=\"filter\" id=\"years\" aria-label=\"%s\">%s: ", _("years"),
	        _("Year"));
	for (unsigned y = v->plan->first_year; y <= v->plan->last_year; y++) {
		char ys[16];
		snprintf(ys, sizeof(ys), "%u", y);
		fputs("<a href=\"", p->f);
		plan_link(p, p->ds, p->org, ys, v->block, v->sort, 0);
		fprintf(p->f, "\"%s>%u</a> ", (int)y == v->year ? " aria-current=\"page\"" : "", y);
	}
	fprintf(p->f, "</nav><nav class=\"filter\" id=\"blocks\" aria-label=\"%s\">%s: <a href=\"",
	        _("blocks"), _("Block"));
	plan_link(p, p->ds, p->org, year, NULL, v->sort, 0);
	fprintf(p->f, "\"%s>%s</a> ", v->block == NULL ? " aria-current=\"page\"" : "", _("all"));
	for (size_t i = 0; i < m->nblocks; i++) {
		const struct gt_meta_block *b = m->blocks[i];
		if (b->plan != v->plan)
			continue;
		fputs("<a data-block=\"", p->f);
		esc(p, b->code);
		fputs("\" href=\"", p->f);
		plan_link(p, p->ds, p->org, year, b->code, v->sort, 0);
		fprintf(p->f, "\"%s>",
		        v->block != NULL && strcmp(v->block, b->code) == 0
		            ? " aria-current=\"page\""
		            : "");
		esc(p, b->name);
		fputs("</a> ", p->f);
	}
	fputs("</nav>", p->f);
}

/* The summary, the CSV link and the table of targets. */
static void plan_table(struct page *p, const struct plan_view *v)
{
	const char *year = p->pe;

	fprintf(p->f, "<p id=\"plan-summary\">%zu %s, %zu %s, %zu %s</p>", v->n, _("indicators"),
	        v->with_target, _("with a target this year"), v->reached,
	        _("reached their target"));
	fputs("<p class=\"csv\"><a href=\"", p->f);
	plan_link(p, p->ds, p->org, year, v->block, v->sort, 1);
	fprintf(p->f, "\" download>%s</a></p>", _("Download as CSV"));
	fprintf(p->f,
	        "<table id=\"plan\"><thead><tr><th>%s</th><th>%s</th><th class=\"n\">%s</th>"
	        "<th>%s</th><th class=\"n\">%s</th><th class=\"n\"><a id=\"sort-gap\" href=\"",
	        _("Indicator"), _("Block"), _("Target"), _("Unit"), _("Achievement"));
	plan_link(p, p->ds, p->org, year, v->block, v->sort != NULL ? NULL : "selisih", 0);
	fprintf(p->f, "\">%s %s</a></th></tr></thead><tbody>", _("Gap"),
	        v->sort != NULL ? "&darr;" : "&#8597;");
	for (size_t i = 0; i < v->n; i++) {
		const Gtsync__V1__TargetRow *r = v->rows[i].r;
		fputs("<tr data-ind=\"", p->f);
		esc(p, r->indicator);
		fputs("\"><td>", p->f);
		esc(p, r->name);
		fputs(" <small>", p->f);
		esc(p, r->indicator);
		fputs("</small></td><td>", p->f);
		esc(p, v->rows[i].ind != NULL ? v->rows[i].ind->block->name : "");
		fputs("</td>", p->f);
		plan_num(p, "target", r->target, r->has_target);
		fputs("<td>", p->f);
		esc(p, r->has_target ? r->unit : r->target_raw);
		fputs("</td>", p->f);
		plan_num(p, "achieved", r->achieved, 1);
		plan_num(p, "gap", r->gap, r->has_target);
		fputs("</tr>", p->f);
	}
	if (v->n == 0)
		fprintf(p->f, "<tr><td colspan=\"6\">%s</td></tr>", _("No indicators."));
	fputs("</tbody></table>", p->f);
}

static int page_plan(struct page *p, unsigned *status, int csv)
{
	Gtsync__V1__ReportReply *rep = NULL;
	struct plan_view v = {0};
	char err[256];
	int64_t at;
	int rc;

	if (plan_choose(p, status, &v) != 0)
		return GT_OK;
	if ((rc = get_report(p, status, &rep, &at, err, sizeof(err))) != GT_OK)
		return rc == GT_ENOENT ? GT_OK : rc;
	if ((rc = plan_rows(p, rep, &v)) != GT_OK)
		goto out;
	if (csv) {
		plan_csv(p, &v);
		goto out;
	}
	head(p, _("Action plans"));
	fprintf(p->f, "<h1>%s</h1><p id=\"plan-name\">", _("Action plans"));
	esc(p, v.plan->name);
	fputs(" &middot; ", p->f);
	esc(p, ou_name(p, p->org, &p->ou));
	fputs("</p>", p->f);
	age(p, at, err);
	plan_filters(p, &v);
	plan_table(p, &v);
	foot(p);
out:
	free(v.rows);
	gtsync__v1__report_reply__free_unpacked(rep, NULL);
	return rc;
}

/* Whether value rv of a verification belongs to the provenance page's figure: of its element,
 * option and unit, each when the page names one. */
static int prov_match(const struct page *p, const struct gt_verify_value *rv)
{
	const struct gt_dashpage_req *r = p->req;

	return (r->element == NULL || strcmp(rv->element, r->element) == 0) &&
	       (r->coc == NULL || strcmp(rv->coc, r->coc) == 0) &&
	       (r->unit == NULL || gt_orgunit_contains(r->unit, rv->org) == 1);
}

/* Whether diff d is a cell of the provenance page's figure. */
static int prov_diff_match(const struct page *p, const struct gt_verify_diff *d)
{
	const struct gt_dashpage_req *r = p->req;

	return (r->element == NULL || strcmp(d->element, r->element) == 0) &&
	       (r->coc == NULL || strcmp(d->coc, r->coc) == 0) &&
	       (r->unit == NULL ? d->scope[0] == '\0' : strcmp(d->scope, r->unit) == 0);
}

static int cmp_org(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The provenance page's figure out of a verification: which listed batches hold its values
 * (shown[i], counted[i] of them counting), its value, and how many batches and units it comes
 * from. */
struct prov_fig {
	unsigned char *shown;
	size_t *counted;
	double value;
	size_t batches, units;
	int numeric;
};

static int prov_figure(struct page *p, const struct gt_verify_result *res, struct prov_fig *fig)
{
	const char **orgs = NULL;
	int all = p->req->element == NULL && p->req->coc == NULL && p->req->unit == NULL;

	memset(fig, 0, sizeof(*fig));
	fig->shown = calloc(res->nlist + 1, 1);
	fig->counted = calloc(res->nlist + 1, sizeof(*fig->counted));
	orgs = calloc(res->nlist + 1, sizeof(*orgs));
	if (fig->shown == NULL || fig->counted == NULL || orgs == NULL) {
		free(orgs);
		return GT_ENOMEM;
	}
	for (size_t i = 0; i < res->nlist && all; i++)
		fig->shown[i] = 1;
	for (size_t i = 0; i < res->nvalues; i++) {
		const struct gt_verify_value *rv = &res->values[i];
		if (!prov_match(p, rv))
			continue;
		fig->shown[rv->batch] = 1;
		if (!rv->won)
			continue;
		fig->counted[rv->batch]++;
		if (isfinite(rv->number)) {
			fig->value += rv->number;
			fig->numeric = 1;
		}
	}
	for (size_t i = 0; i < res->nlist; i++)
		if (fig->counted[i] > 0)
			orgs[fig->batches++] = res->list[i].org;
	qsort(orgs, fig->batches, sizeof(*orgs), cmp_org);
	for (size_t i = 0; i < fig->batches; i++)
		fig->units += i == 0 || strcmp(orgs[i], orgs[i - 1]) != 0;
	free(orgs);
	return GT_OK;
}

/* The label of the key that signed b: the one the server gave, else its unit's name. */
static const char *prov_key_label(struct page *p, const struct gt_verify_batch *b,
                                  struct gt_cstore_orgunit *ou)
{
	return b->key_label[0] ? b->key_label : ou_name(p, b->org, ou);
}

/* The provenance page's batches as CSV. */
static void prov_csv(struct page *p, const struct gt_verify_result *res, const struct prov_fig *fig)
{
	struct gt_cstore_orgunit ou;
	char roles[GT_ROLESET_TEXT_MAX], when[GT_RMODEL_NUM_LEN];

	fputs("leaf,org_unit,unit_name,key_id,key_label,key_roles,signed_at,sequence,"
	      "signature_verified,in_tree_head,values,values_counted\r\n",
	      p->f);
	for (size_t i = 0; i < res->nlist; i++) {
		const struct gt_verify_batch *b = &res->list[i];
		if (!fig->shown[i])
			continue;
		fprintf(p->f, "%llu,", (unsigned long long)b->leaf);
		csvf(p->f, b->org);
		fputc(',', p->f);
		csvf(p->f, ou_name(p, b->org, &ou));
		fputc(',', p->f);
		csvf(p->f, b->key_id);
		fputc(',', p->f);
		csvf(p->f, b->key_label);
		fputc(',', p->f);
		csvf(p->f, gt_roleset_format(b->roles, roles, sizeof(roles)));
		gt_rmodel_time(b->created_ms, GT_RMODEL_TIME_ISO, when, sizeof(when));
		fprintf(p->f, ",%s,%llu,%d,%d,%zu,%zu\r\n", when, (unsigned long long)b->sequence,
		        b->signature_ok, b->included, b->nvalues, fig->counted[i]);
	}
}

/* The verdict of the provenance page: the whole report's, as `gtsync verify` says it, then
 * the figure's own. */
static void prov_verdict(struct page *p, const struct gt_dashpage_prov *pv,
                         const struct prov_fig *fig)
{
	const struct gt_verify_result *res = pv->res;
	char n1[GT_HUMAN_MAX], n2[GT_HUMAN_MAX], n3[GT_HUMAN_MAX], n4[GT_HUMAN_MAX];
	char when[GT_HUMAN_MAX];

	gt_human_number((double)res->batches, n2, sizeof(n2));
	gt_human_number((double)res->units, n3, sizeof(n3));
	gt_human_number((double)res->tree_size, n4, sizeof(n4));
	gt_human_number(res->victims, n1, sizeof(n1));
	fprintf(p->f, "<p class=\"verdict %s\" id=\"verdict\" data-state=\"%s\">",
	        pv->verified ? "ok" : "bad", pv->verified ? "verified" : "differs");
	if (pv->verified && res->victims_found)
		fprintf(p->f,
		        _("verified: %s victims = %s signed batches from %s units, tree head %s"),
		        n1, n2, n3, n4);
	else if (pv->verified)
		fprintf(p->f,
		        _("verified: figures summing to %s = %s signed batches from %s units, tree "
		          "head %s"),
		        n1, n2, n3, n4);
	else
		fprintf(p->f,
		        P_("NOT verified: %llu difference between the server's report and its "
		           "signed log",
		           "NOT verified: %llu differences between the server's report and its "
		           "signed log",
		           (unsigned long)res->problems),
		        (unsigned long long)res->problems);
	fputs("</p>", p->f);
	if (p->req->element != NULL || p->req->unit != NULL) {
		gt_human_number(fig->value, n1, sizeof(n1));
		gt_human_number((double)fig->batches, n2, sizeof(n2));
		gt_human_number((double)fig->units, n3, sizeof(n3));
		fprintf(p->f, "<p id=\"figure-verdict\" data-v=\"");
		rawnum(p->f, fig->numeric ? fig->value : NAN);
		fprintf(p->f, "\" data-batches=\"%zu\" data-units=\"%zu\">", fig->batches,
		        fig->units);
		fprintf(p->f, _("This figure: %s = %s signed batches from %s units"),
		        fig->numeric ? n1 : "&ndash;", n2, n3);
		fputs("</p>", p->f);
	}
	gt_human_time(pv->done_ms, p->env->zone, when, sizeof(when));
	fprintf(p->f, "<p class=\"age\">%s <time id=\"verified-at\">",
	        _("checked by this dashboard at"));
	esc(p, when);
	fputs("</time></p>", p->f);
}

/* The cells that differ between the server's report and the signed batches. */
static void prov_diffs(struct page *p, const struct gt_verify_result *res)
{
	struct gt_cstore_orgunit ou;

	if (res->ndiffs == 0)
		return;
	fprintf(p->f,
	        "<h2>%s</h2><table id=\"diffs\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
	        "<th class=\"n\">%s</th><th class=\"n\">%s</th></tr></thead><tbody>",
	        _("Cells that differ"), _("Data element"), _("Breakdown"), _("Unit"),
	        _("The server's report"), _("The signed batches"));
	for (size_t i = 0; i < res->ndiffs; i++) {
		const struct gt_verify_diff *d = &res->diffs[i];
		const struct gt_meta_element *e =
		    p->env->meta != NULL ? gt_meta_element_find(p->env->meta, d->element) : NULL;
		int opt = e != NULL ? gt_meta_element_option_index(e, d->coc) : -1;
		fputs("<tr data-de=\"", p->f);
		esc(p, d->element);
		fputs("\" data-coc=\"", p->f);
		esc(p, d->coc);
		fputs("\" data-scope=\"", p->f);
		esc(p, d->scope);
		fprintf(p->f, "\"%s><td>", prov_diff_match(p, d) ? " class=\"this\"" : "");
		esc(p, e != NULL ? e->name : d->element);
		fputs("</td><td>", p->f);
		esc(p, opt >= 0 && !e->combo->is_default ? e->combo->options[opt].name : d->coc);
		fputs("</td><td>", p->f);
		esc(p, ou_name(p, d->scope[0] ? d->scope : p->org, &ou));
		if (!d->scope[0])
			fprintf(p->f, " (%s)", _("total"));
		fputs("</td><td class=\"n\" data-v=\"", p->f);
		if (d->in_report)
			rawnum(p->f, d->reported);
		fputs("\">", p->f);
		if (d->in_report)
			num(p, d->reported);
		else
			fprintf(p->f, "%s", _("not shown"));
		fputs("</td><td class=\"n\" data-v=\"", p->f);
		rawnum(p->f, d->recomputed);
		fputs("\">", p->f);
		num(p, d->recomputed);
		fputs("</td></tr>", p->f);
	}
	fputs("</tbody></table>", p->f);
}

/* The signed batches the figure comes from. */
static void prov_batches(struct page *p, const struct gt_verify_result *res,
                         const struct prov_fig *fig)
{
	struct gt_cstore_orgunit ou;
	char roles[GT_ROLESET_TEXT_MAX], when[GT_HUMAN_MAX];
	size_t shown = 0;

	fprintf(p->f, "<h2>%s</h2><p class=\"csv\"><a href=\"", _("Signed batches"));
	{
		struct gt_dashpage_req t = *p->req;
		t.org = p->org;
		t.ds = p->ds;
		t.pe = p->pe;
		t.format = "csv";
		href(p, &t);
	}
	fprintf(p->f, "\" download>%s</a></p>", _("Download as CSV"));
	fprintf(p->f,
	        "<table id=\"batches\"><thead><tr><th class=\"n\">%s</th><th>%s</th><th>%s</th>"
	        "<th>%s</th><th class=\"n\">%s</th><th>%s</th><th>%s</th><th class=\"n\">%s</th>"
	        "</tr></thead><tbody>",
	        _("Leaf"), _("Unit"), _("Signing key"), _("Signed at"), _("Sequence"),
	        _("Signature"), _("In the tree head"), _("Values counted / in the batch"));
	for (size_t i = 0; i < res->nlist; i++) {
		const struct gt_verify_batch *b = &res->list[i];
		if (!fig->shown[i])
			continue;
		shown++;
		fprintf(p->f, "<tr data-leaf=\"%llu\" data-org=\"", (unsigned long long)b->leaf);
		esc(p, b->org);
		fprintf(p->f, "\" data-sig=\"%d\" data-incl=\"%d\"><td class=\"n\">%llu</td><td>",
		        b->signature_ok, b->included, (unsigned long long)b->leaf);
		esc(p, ou_name(p, b->org, &ou));
		fputs(" <small>", p->f);
		esc(p, b->org);
		fputs("</small></td><td>", p->f);
		esc(p, prov_key_label(p, b, &ou));
		fputs(" &middot; ", p->f);
		esc(p, gt_roleset_format(b->roles, roles, sizeof(roles)));
		fputs(" <small><code>", p->f);
		esc(p, b->key_id);
		fputs("</code></small></td><td>", p->f);
		gt_human_time(b->created_ms, p->env->zone, when, sizeof(when));
		esc(p, when);
		fprintf(p->f, "</td><td class=\"n\">%llu</td>", (unsigned long long)b->sequence);
		fprintf(p->f, "<td class=\"%s\">%s</td>", b->signature_ok ? "ok" : "bad",
		        b->signature_ok ? _("verified") : _("NOT verified"));
		fprintf(p->f, "<td class=\"%s\">%s</td>", b->included ? "ok" : "bad",
		        b->included ? _("included") : _("NOT proven"));
		fprintf(p->f, "<td class=\"n\">%zu / %zu</td></tr>", fig->counted[i], b->nvalues);
	}
	if (shown == 0)
		fprintf(p->f, "<tr><td colspan=\"8\">%s</td></tr>",
		        _("No signed batch holds a value of this figure."));
	fputs("</tbody></table>", p->f);
}

/* A note on the provenance page instead of a verdict: state (data-state) and a sentence. */
static void prov_note(struct page *p, const char *state, const char *text, const char *detail)
{
	fprintf(p->f, "<p class=\"verdict wait\" id=\"verdict\" data-state=\"%s\">", state);
	esc(p, text);
	if (detail != NULL && detail[0]) {
		fputs(" <q>", p->f);
		esc(p, detail);
		fputs("</q>", p->f);
	}
	fputs("</p>", p->f);
}

/* The "verify again" form. */
static void prov_again(struct page *p)
{
	fputs("<form class=\"inline\" method=\"post\" action=\"/periksa\">", p->f);
	report_fields(p, NULL);
	fprintf(p->f, "<button type=\"submit\" id=\"verify-again\">%s</button></form>",
	        _("Verify again"));
}

/* Asal angka: the signed batches a figure comes from, checked by the dashboard itself. */
/* Refuses an address that names no figure, and the page in a static export; 1 when a problem
 * page was written. */
static int prov_refused(struct page *p, unsigned *status)
{
	if ((p->req->element != NULL && !param_ok(p->req->element)) ||
	    (p->req->coc != NULL && !param_ok(p->req->coc)) ||
	    (p->req->unit != NULL && gt_orgunit_valid(p->req->unit) != 0)) {
		problem(p, status, 404, _("Unknown figure"),
		        _("This address does not name a figure of the report."), NULL);
		return 1;
	}
	if (p->env->prov == NULL) {
		problem(p, status, 404, _("Not in a static export"),
		        _("Where a figure comes from is checked by the running dashboard against "
		          "the server; a static export cannot check it."),
		        NULL);
		return 1;
	}
	return 0;
}

/* The heading: the figure (element and option, or every figure), its unit, data set and
 * period. */
static void prov_heading(struct page *p)
{
	struct gt_cstore_orgunit ou;
	char pe[GT_HUMAN_MAX];

	fprintf(p->f, "<h1>%s</h1><p id=\"figure\">", _("Where the figure comes from"));
	if (p->req->element != NULL) {
		const struct gt_meta_element *e =
		    p->env->meta != NULL ? gt_meta_element_find(p->env->meta, p->req->element)
		                         : NULL;
		int opt = e != NULL && p->req->coc != NULL
		              ? gt_meta_element_option_index(e, p->req->coc)
		              : -1;
		fputs("<b>", p->f);
		esc(p, e != NULL ? e->name : p->req->element);
		if (opt >= 0 && !e->combo->is_default) {
			fputs(" &middot; ", p->f);
			esc(p, e->combo->options[opt].name);
		}
		fputs("</b> &middot; ", p->f);
	} else {
		fprintf(p->f, "<b>%s</b> &middot; ", _("every figure of the report"));
	}
	esc(p, ou_name(p, p->req->unit != NULL ? p->req->unit : p->org, &ou));
	fputs(" &middot; ", p->f);
	esc(p, p->ds);
	fputs(" &middot; ", p->f);
	gt_human_period(p->pe, pe, sizeof(pe));
	esc(p, pe);
	fputs("</p>", p->f);
}

/* Whether a check runs (and for how long), else the button to check again; then why the last
 * check failed, if it did. */
static void prov_state(struct page *p, const struct gt_dashpage_prov *pv)
{
	fputs("<div class=\"age\">", p->f);
	if (pv->running) {
		char secs[32];
		snprintf(secs, sizeof(secs), "%lld",
		         (long long)((p->env->now_ms - pv->started_ms) / 1000));
		fprintf(p->f, "<p class=\"verdict wait\" id=\"checking\" role=\"status\">%s <span>",
		        _("Checking the signed batches with the server\xe2\x80\xa6"));
		esc(p, secs);
		fprintf(p->f, " %s</span></p>", _("seconds"));
	} else {
		prov_again(p);
	}
	fputs("</div>", p->f);
	if (pv->failed_rc == GT_EPERM)
		prov_note(p, "refused",
		          _("The server does not let this office's key fetch the signed batches: "
		            "only the units' aggregators and the secretariat can check where a "
		            "figure comes from."),
		          NULL);
	else if (pv->failed_rc != 0 && !pv->running && pv->failed_offline)
		prov_note(
		    p, "unreachable",
		    _("The server cannot be reached, so the figures could not be checked now: "
		      "checking needs the server, and the dashboard cannot verify offline."),
		    pv->failed_why);
	else if (pv->failed_rc != 0 && !pv->running)
		prov_note(p, "failed", _("The figures could not be checked:"), pv->failed_why);
}

/* The last verification's result: its verdict, differences and batches, and what it
 * checked. */
static void prov_result(struct page *p, const struct gt_dashpage_prov *pv,
                        const struct prov_fig *fig)
{
	if (pv->failed_rc != 0) {
		char when[GT_HUMAN_MAX];
		gt_human_time(pv->done_ms, p->env->zone, when, sizeof(when));
		fprintf(p->f, "<p id=\"last\">%s ", _("The last verification, made at"));
		esc(p, when);
		fputs(":</p>", p->f);
	}
	prov_verdict(p, pv, fig);
	prov_diffs(p, pv->res);
	prov_batches(p, pv->res, fig);
	fprintf(p->f, "<details><summary>%s</summary><p>%s</p>", _("What was checked"),
	        _("The dashboard fetched the log entries behind the report from the server, "
	          "checked every key record's signature by the server's key, every batch's "
	          "bytes against its logged hash and its signature against the key valid at "
	          "its leaf, every entry's inclusion in the tree head this office verified, "
	          "then re-applied the revision rule and recomputed every figure."));
	if (pv->said != NULL && pv->said[0]) {
		fputs("<pre id=\"said\">", p->f);
		esc(p, pv->said);
		fputs("</pre>", p->f);
	}
	fputs("</details>", p->f);
}

static int page_prov(struct page *p, unsigned *status, int csv)
{
	struct gt_dashpage_prov pv;
	struct gt_cstore_dash_key k;
	struct prov_fig fig;
	const char *r = p->env->role != NULL ? p->env->role : "";
	int rc;

	memset(&pv, 0, sizeof(pv));
	memset(&fig, 0, sizeof(fig));
	if (prov_refused(p, status))
		return GT_OK;
	if (strcmp(r, "reader") != 0) {
		snprintf(k.org, sizeof(k.org), "%s", p->org);
		snprintf(k.dataset, sizeof(k.dataset), "%s", p->ds);
		snprintf(k.period, sizeof(k.period), "%s", p->pe);
		if ((rc = p->env->prov(p->env->prov_arg, &k, &pv)) != GT_OK)
			return rc;
	}
	if (pv.res != NULL && (rc = prov_figure(p, pv.res, &fig)) != GT_OK)
		return rc;
	if (csv) {
		if (pv.res != NULL)
			prov_csv(p, pv.res, &fig);
		else
			*status = 503;
		goto out;
	}
	if (pv.running)
		p->refresh_s = 2;
	head(p, _("Where the figure comes from"));
	prov_heading(p);
	if (strcmp(r, "reader") == 0) {
		prov_note(
		    p, "refused",
		    _("This office's key is a reader's: it sees consolidated figures only, never "
		      "the signed batches behind them (docs/PRIVACY.md), so the dashboard cannot "
		      "check where a figure comes from. The province's aggregator or the "
		      "secretariat can."),
		    NULL);
		foot(p);
		goto out;
	}
	prov_state(p, &pv);
	if (pv.res == NULL) {
		if (!pv.running && pv.failed_rc == 0)
			prov_note(p, "none", _("Not checked yet."), NULL);
	} else {
		prov_result(p, &pv, &fig);
	}
	foot(p);
out:
	free(fig.shown);
	free(fig.counted);
	return GT_OK;
}

/* Checks the page's org unit, data set and period; renders the page saying which is unknown. */
static int check_params(struct page *p, unsigned *status)
{
	struct gt_period pe;

	if (!param_ok(p->org) || gt_cstore_orgunit_get(p->env->st, p->org, &p->ou) != GT_OK) {
		const char *bad = p->org;
		p->org = NULL;
		problem(p, status, 404, _("Unknown org unit"),
		        _("There is no org unit with this code in your office's scope:"), bad);
		return 0;
	}
	if (!param_ok(p->ds) || (p->env->meta != NULL &&
	                         (p->dset = gt_meta_dataset_find(p->env->meta, p->ds)) == NULL)) {
		const char *bad = p->ds;
		p->ds = NULL;
		problem(p, status, 404, _("Unknown data set"),
		        _("There is no data set with this code:"), bad);
		return 0;
	}
	if (!param_ok(p->pe) || strlen(p->pe) >= GT_CSTORE_DASH_PE_LEN ||
	    gt_period_parse(p->pe, &pe) != GT_OK) {
		const char *bad = p->pe;
		p->pe = NULL;
		problem(p, status, 404, _("Unknown period"),
		        _("This is not a period (write 2025, 2025Q3 or 202511):"), bad);
		return 0;
	}
	return 1;
}

int gt_dashpage_render(const struct gt_dashpage_env *env, const struct gt_dashpage_req *req,
                       struct gt_dashpage_out *out)
{
	struct page p = {.env = env, .req = req};
	int csv = req->format != NULL && strcmp(req->format, "csv") == 0;
	unsigned status = 200;
	int rc = GT_OK;

	memset(out, 0, sizeof(*out));
	if ((p.f = open_memstream(&p.buf, &p.len)) == NULL)
		return GT_ENOMEM;
	p.org = req->org != NULL ? req->org : env->home_org;
	p.ds = req->ds != NULL ? req->ds : env->default_ds;
	p.pe = req->pe != NULL ? req->pe : env->default_pe;
	if (strcmp(req->path, "/ringkasan") == 0 || strcmp(req->path, "/wilayah") == 0 ||
	    strcmp(req->path, "/kelengkapan") == 0 || strcmp(req->path, "/tren") == 0 ||
	    strcmp(req->path, "/rencana") == 0 || strcmp(req->path, "/asal") == 0) {
		if (check_params(&p, &status)) {
			if (strcmp(req->path, "/ringkasan") == 0)
				rc = page_overview(&p, &status, csv);
			else if (req->path[1] == 'w')
				rc = page_region(&p, &status, csv);
			else if (req->path[1] == 't')
				rc = page_trend(&p, &status, csv);
			else if (req->path[1] == 'r' && req->path[2] == 'e')
				rc = page_plan(&p, &status, csv);
			else if (req->path[1] == 'a')
				rc = page_prov(&p, &status, csv);
			else
				rc = page_matrix(&p, &status, csv);
			if (csv && status == 200)
				snprintf(out->filename, sizeof(out->filename), "%s-%s-%s-%s.csv",
				         req->path + 1, p.org, p.ds, p.pe);
		} else {
			csv = 0;
		}
	} else {
		p.org = p.ds = p.pe = NULL;
		problem(&p, &status, 404, _("Page not found"), _("The dashboard has no page at"),
		        req->path);
	}
	if (fclose(p.f) != 0 && rc == GT_OK)
		rc = GT_ENOMEM;
	if (rc != GT_OK) {
		free(p.buf);
		return rc;
	}
	out->status = status;
	out->type = csv && status == 200 ? "text/csv; charset=utf-8" : "text/html; charset=utf-8";
	out->body = p.buf;
	out->len = p.len;
	if (status != 200)
		out->filename[0] = '\0';
	return GT_OK;
}
