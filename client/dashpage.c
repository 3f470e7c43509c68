/* The dashboard's pages: overview (Ringkasan), drill-down (Wilayah) and completeness
 * (Kelengkapan) as HTML and CSV, from cached consolidated reports. */
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
#include "svgchart.h"

/* Most summed elements the overview shows as headline figures. */
#define MAX_HEADLINE 4
/* Most columns of element totals a child table shows. */
#define MAX_CHILD_COLS 6
/* Deepest breadcrumb followed up the org-unit tree. */
#define MAX_DEPTH 8
/* Most periods a completeness matrix lays out (the months of a year). */
#define MAX_PERIODS 12

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
    "td.cell{min-width:3.5em;text-align:center}"
    "form.inline{display:inline}button{font:inherit}form.act{display:inline-block;"
    "margin:0 .3em .2em 0}form.act input[type=text]{width:10em}"
    "figure.chart{margin:1em 0;max-width:44em}figure.chart svg{width:100%;height:auto}"
    "figcaption{font-weight:bold}table.chartdata{font-size:.85em}"
    ".lang{margin-left:auto}"
    "@media print{header,nav,form,.lang,.csv{display:none}body{font-size:10pt}"
    "main{max-width:none}a{color:#000;text-decoration:none}"
    "@page{size:A4;margin:15mm}}";

const char *gt_dashpage_css(void)
{
	return css;
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

/* Writes the URL of page path for org, data set and period (any may be NULL: the page's). */
static void link(struct page *p, const char *path, const char *org, const char *pe,
                 const char *extra)
{
	fputs(path, p->f);
	fputs("?org=", p->f);
	urlenc(p->f, org != NULL ? org : p->org);
	fputs("&amp;ds=", p->f);
	urlenc(p->f, p->ds);
	fputs("&amp;pe=", p->f);
	urlenc(p->f, pe != NULL ? pe : p->pe);
	if (extra != NULL)
		fputs(extra, p->f);
}

/* Writes a number as people write it in the language in use; a dash for none. */
static void num(struct page *p, double v)
{
	char buf[GT_HUMAN_MAX];

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

/* A state's name for a person. */
static const char *state_text(int state)
{
	switch (state) {
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN:
		return _("open");
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED:
		return _("submitted");
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED:
		return _("approved");
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED:
		return _("accepted");
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED:
		return _("returned");
	default:
		return _("not started");
	}
}

static void head(struct page *p, const char *title)
{
	char pe[GT_HUMAN_MAX];

	fputs("<!DOCTYPE html>\n<html lang=\"", p->f);
	esc(p, gt_i18n_lang());
	fputs("\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
	      "content=\"width=device-width,initial-scale=1\"><link rel=\"icon\" "
	      "href=\"data:,\"><title>",
	      p->f);
	esc(p, title);
	fputs(" &ndash; gtsync</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>"
	      "<header><b>gtsync</b>",
	      p->f);
	if (p->org != NULL && p->ds != NULL && p->pe != NULL) {
		gt_human_period(p->pe, pe, sizeof(pe));
		fputs("<nav><a href=\"", p->f);
		link(p, "/ringkasan", NULL, NULL, NULL);
		fprintf(p->f, "\">%s</a><a href=\"", _("Overview"));
		link(p, "/wilayah", NULL, NULL, NULL);
		fprintf(p->f, "\">%s</a><a href=\"", _("Regions"));
		link(p, "/kelengkapan", NULL, NULL, NULL);
		fprintf(p->f, "\">%s</a></nav><span>", _("Completeness"));
		esc(p, p->ds);
		fputs(" &middot; ", p->f);
		esc(p, pe);
		fputs("</span>", p->f);
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
	fputs(" <form class=\"inline\" method=\"post\" action=\"/segarkan\">"
	      "<input type=\"hidden\" name=\"csrf\" value=\"",
	      p->f);
	esc(p, p->env->csrf);
	fputs("\"><input type=\"hidden\" name=\"next\" value=\"", p->f);
	esc(p, p->req->self);
	fprintf(p->f, "\"><button type=\"submit\">%s</button></form></div>", _("Refresh now"));
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
	fprintf(p->f, "</p><p><a href=\"/\">%s</a>", _("Back to the overview of your office"));
	if (p->org != NULL && p->ds != NULL && p->pe != NULL) {
		fputs(" &middot; <a href=\"", p->f);
		link(p, p->req->path, NULL, NULL, NULL);
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
			link(p, path, chain[i], NULL, NULL);
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
		fputs("\">", p->f);
		num(p, v);
		fputs("</b>", p->f);
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
		link(p, "/wilayah", c->org_unit, NULL, NULL);
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
		struct gt_svgchart_series ser[2];
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
	fputs("<form class=\"act\" method=\"post\" action=\"/tindakan\">"
	      "<input type=\"hidden\" name=\"csrf\" value=\"",
	      p->f);
	esc(p, p->env->csrf);
	fprintf(p->f, "\"><input type=\"hidden\" name=\"kind\" value=\"%s\">", kind);
	fputs("<input type=\"hidden\" name=\"org\" value=\"", p->f);
	esc(p, org);
	fputs("\"><input type=\"hidden\" name=\"ds\" value=\"", p->f);
	esc(p, p->ds);
	fputs("\"><input type=\"hidden\" name=\"pe\" value=\"", p->f);
	esc(p, p->pe);
	fputs("\"><input type=\"hidden\" name=\"next\" value=\"", p->f);
	esc(p, p->req->self);
	fputs("\">", p->f);
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

	return strcmp(p->org, p->env->home_org) == 0 &&
	       (strcmp(r, "aggregator") == 0 || strcmp(r, "secretariat") == 0 ||
	        strcmp(r, "approver") == 0);
}

/* The children's table: completeness, state and the summed elements' totals. */
static void child_table(struct page *p, const Gtsync__V1__ReportReply *rep)
{
	const struct gt_meta_element *els[MAX_CHILD_COLS];
	size_t n = gt_repcharts_summed(p->dset, els, MAX_CHILD_COLS);

	fprintf(p->f, "<h2>%s</h2><p class=\"csv\"><a href=\"", _("Units below"));
	link(p, p->req->path, NULL, NULL, "&amp;format=csv");
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
		link(p, "/wilayah", c->org_unit, NULL, NULL);
		fputs("\">", p->f);
		esc(p, c->name);
		fprintf(
		    p->f,
		    "</a></td><td class=\"n %s\">%u / %u</td><td class=\"n\">%u</td><td>%s</td>",
		    cclass(c->reported_units, c->expected), c->reported_units, c->expected,
		    c->on_time_units, state_text((int)c->state));
		for (size_t j = 0; j < n; j++) {
			double v = gt_repcharts_total(c->values, c->n_values, els[j]->code);
			fputs("<td class=\"n\" data-de=\"", p->f);
			esc(p, els[j]->code);
			fputs("\" data-v=\"", p->f);
			rawnum(p->f, v);
			fputs("\">", p->f);
			num(p, v);
			fputs("</td>", p->f);
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
		if (gt_rmodel_has_text(v->text)) {
			esc(p, v->text);
			fputs("\">", p->f);
			esc(p, v->text);
		} else {
			rawnum(p->f, v->value);
			fputs("\">", p->f);
			num(p, v->value);
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
			rawnum(p->f, gt_repcharts_total(c->values, c->n_values, els[j]->code));
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
	if (rc != GT_OK) {
		problem(
		    p, status, 503, _("Not available yet"),
		    _("This report has not reached the dashboard yet, and the server could not be "
		      "asked for it now. Try again once the link is back."),
		    err);
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

static int page_matrix(struct page *p, unsigned *status, int csv)
{
	Gtsync__V1__ReportReply *rep = NULL, *cols[MAX_PERIODS] = {0};
	char pes[MAX_PERIODS][GT_CSTORE_DASH_PE_LEN];
	char err[256], human[GT_HUMAN_MAX];
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
	if (csv) {
		fputs("org_unit,name", p->f);
		for (int j = 0; j < np; j++)
			fprintf(p->f, ",%s", pes[j]);
		fputs("\r\n", p->f);
	} else {
		head(p, _("Completeness"));
		crumbs(p, "/kelengkapan");
		fprintf(p->f, "<h1>%s</h1>", _("Completeness"));
		age(p, at, err);
		fprintf(p->f, "<p class=\"csv\"><a href=\"");
		link(p, "/kelengkapan", NULL, NULL, "&amp;format=csv");
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
	for (size_t i = 0; i < rep->n_children; i++) {
		const Gtsync__V1__ChildReport *c = rep->children[i];
		if (csv) {
			csvf(p->f, c->org_unit);
			fputc(',', p->f);
			csvf(p->f, c->name);
		} else {
			fputs("<tr><th scope=\"row\"><a href=\"", p->f);
			link(p, "/kelengkapan", c->org_unit, NULL, NULL);
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
			fprintf(p->f,
			        "<td class=\"cell %s\" tabindex=\"0\" title=\"%u %s, %u "
			        "%s\">%u/%u</td>",
			        cclass(cc->reported_units, cc->expected), cc->reported_units,
			        _("reported"), cc->on_time_units, _("on time"), cc->reported_units,
			        cc->expected);
		}
		fputs(csv ? "\r\n" : "</tr>", p->f);
	}
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
	    strcmp(req->path, "/kelengkapan") == 0) {
		if (check_params(&p, &status)) {
			if (req->path[1] == 'r')
				rc = page_overview(&p, &status, csv);
			else if (req->path[1] == 'w')
				rc = page_region(&p, &status, csv);
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
