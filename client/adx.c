/* ADX (IHE Aggregate Data Exchange) documents: a streamed writer of exported values, and a
 * decoder for import. XML is written and read by libxml2. */
#include "adx.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "i18n.h"
#include "period.h"
#include "rmodel.h"

struct gt_adxw {
	FILE *out;
	xmlTextWriterPtr x;
	const struct gt_meta *meta;
	uint64_t count;
	char org[GT_ORGUNIT_MAX_LEN + 1], period[GT_PERIOD_MAX_LEN]; /* the open group's */
	int in_group, failed;
};

/* libxml2 output callbacks onto a FILE. */
static int write_cb(void *ctx, const char *buf, int len)
{
	return fwrite(buf, 1, (size_t)len, ctx) == (size_t)len ? len : -1;
}

static int close_cb(void *ctx)
{
	(void)ctx;
	return 0;
}

int gt_adx_period(const char *dhis2, char *buf, size_t len)
{
	struct gt_period p;
	struct gt_date d;
	const char *dur;

	if (gt_period_parse(dhis2, &p) != GT_OK || gt_period_start(&p, &d) != GT_OK)
		return GT_EINVAL;
	dur = p.type == GT_PERIOD_MONTHLY      ? "P1M"
	      : p.type == GT_PERIOD_QUARTERLY  ? "P3M"
	      : p.type == GT_PERIOD_SIXMONTHLY ? "P6M"
	                                       : "P1Y";
	if ((size_t)snprintf(buf, len, "%04d-%02d-%02d/%s", d.year, d.month, d.day, dur) >= len)
		return GT_EINVAL;
	return GT_OK;
}

int gt_adx_period_parse(const char *adx, char *buf, size_t len)
{
	static const struct {
		const char *dur;
		enum gt_period_type type;
	} durs[] = {{"P1M", GT_PERIOD_MONTHLY},
	            {"P3M", GT_PERIOD_QUARTERLY},
	            {"P6M", GT_PERIOD_SIXMONTHLY},
	            {"P1Y", GT_PERIOD_YEARLY}};
	char day[11], check[24];
	struct gt_date d;
	struct gt_period p;

	if (adx == NULL || strlen(adx) != 14 || adx[10] != '/')
		return GT_EINVAL;
	memcpy(day, adx, 10);
	day[10] = '\0';
	if (gt_date_parse(day, &d) != GT_OK)
		return GT_EINVAL;
	for (size_t i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		if (strcmp(adx + 11, durs[i].dur) != 0)
			continue;
		if (gt_period_from_date(durs[i].type, &d, &p) != GT_OK ||
		    gt_period_format(&p, buf, len) != GT_OK)
			return GT_EINVAL;
		/* The day must be the period's first. */
		if (gt_adx_period(buf, check, sizeof(check)) != GT_OK || strcmp(check, adx) != 0)
			return GT_EINVAL;
		return GT_OK;
	}
	return GT_EINVAL;
}

int gt_adxw_open(FILE *out, const struct gt_meta *meta, struct gt_adxw **w)
{
	struct gt_adxw *n = calloc(1, sizeof(*n));
	xmlOutputBufferPtr ob;
	char when[40];

	*w = NULL;
	if (n == NULL)
		return GT_ENOMEM;
	ob = xmlOutputBufferCreateIO(write_cb, close_cb, out, NULL);
	n->x = ob != NULL ? xmlNewTextWriter(ob) : NULL;
	if (n->x == NULL) {
		if (ob != NULL)
			xmlOutputBufferClose(ob);
		free(n);
		return GT_ENOMEM;
	}
	n->out = out;
	n->meta = meta;
	gt_rmodel_time(gt_clock_wall_ms(), GT_RMODEL_TIME_ISO, when, sizeof(when));
	if (xmlTextWriterSetIndent(n->x, 1) < 0 ||
	    xmlTextWriterStartDocument(n->x, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(n->x, NULL, BAD_CAST "adx", BAD_CAST GT_ADX_NS) < 0 ||
	    xmlTextWriterWriteAttribute(n->x, BAD_CAST "exported", BAD_CAST when) < 0)
		n->failed = 1;
	*w = n;
	return GT_OK;
}

static int attr(struct gt_adxw *w, const char *name, const char *value)
{
	return xmlTextWriterWriteAttribute(w->x, BAD_CAST name, BAD_CAST value) < 0 ? GT_EIO
	                                                                            : GT_OK;
}

static int write_value(struct gt_adxw *w, const char *dataset, const Gtsync__V1__ExportedValue *ev)
{
	const Gtsync__V1__DataValue *v = ev->value;
	const struct gt_meta_element *e;
	char period[24];

	if (v == NULL)
		return GT_EPROTO;
	e = gt_meta_element_find(w->meta, v->data_element);
	if (e == NULL || gt_adx_period(v->period, period, sizeof(period)) != GT_OK)
		return GT_EINVAL;
	if (!w->in_group || strcmp(w->org, v->org_unit) != 0 || strcmp(w->period, v->period) != 0) {
		if (w->in_group && xmlTextWriterEndElement(w->x) < 0)
			return GT_EIO;
		w->in_group = 0;
		if (xmlTextWriterStartElement(w->x, BAD_CAST "group") < 0 ||
		    attr(w, "orgUnit", v->org_unit) || attr(w, "period", period) ||
		    attr(w, "dataSet", dataset))
			return GT_EIO;
		snprintf(w->org, sizeof(w->org), "%s", v->org_unit);
		snprintf(w->period, sizeof(w->period), "%s", v->period);
		w->in_group = 1;
	}
	if (xmlTextWriterStartElement(w->x, BAD_CAST "dataValue") < 0 ||
	    attr(w, "dataElement", v->data_element))
		return GT_EIO;
	if (!e->combo->is_default && attr(w, e->combo->code, v->category_option_combo))
		return GT_EIO;
	if (attr(w, "value", v->value))
		return GT_EIO;
	if (v->comment != NULL && v->comment[0] != '\0' &&
	    xmlTextWriterWriteElement(w->x, BAD_CAST "annotation", BAD_CAST v->comment) < 0)
		return GT_EIO;
	if (xmlTextWriterEndElement(w->x) < 0)
		return GT_EIO;
	w->count++;
	return GT_OK;
}

int gt_adxw_chunk(struct gt_adxw *w, const char *dataset, const Gtsync__V1__ExportChunk *c)
{
	int rc = w->failed ? GT_EIO : GT_OK;

	for (size_t i = 0; i < c->n_values && rc == GT_OK; i++)
		rc = write_value(w, dataset, c->values[i]);
	if (rc == GT_EIO)
		w->failed = 1;
	return rc;
}

uint64_t gt_adxw_count(const struct gt_adxw *w)
{
	return w->count;
}

int gt_adxw_close(struct gt_adxw *w)
{
	int rc;

	if (w == NULL)
		return GT_OK;
	rc = w->failed ? GT_EIO : GT_OK;
	if (rc == GT_OK && xmlTextWriterEndDocument(w->x) < 0)
		rc = GT_EIO;
	xmlFreeTextWriter(w->x);
	if (rc == GT_OK && (fflush(w->out) != 0 || ferror(w->out)))
		rc = GT_EIO;
	free(w);
	return rc;
}

/* ---- Decoding ---- */

static void free_xml(void *doc)
{
	xmlFreeDoc(doc);
}

/* The attribute name of n as a kept string, or NULL when absent. */
static const char *prop(struct gt_dhis2import *d, xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
	char *s;

	if (v == NULL)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return gt__dhis2import_keep(d, s);
}

static int is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static void decode_value(struct gt_dhis2import *d, xmlNodePtr n, const char *where,
                         const struct gt_meta *meta, const char *own, const char *org,
                         const char *period, size_t cap)
{
	struct gt_dhis2import_value *v;
	const char *de = prop(d, n, "dataElement"), *val = prop(d, n, "value"), *coc = "";
	const char *comment = "";
	int others = 0;

	if (de == NULL || val == NULL) {
		gt__dhis2import_error(d, _("%s: needs %s"), where,
		                      de == NULL ? "@dataElement" : "@value");
		return;
	}
	for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
		const char *an = (const char *)a->name;
		if (strcmp(an, "dataElement") == 0 || strcmp(an, "value") == 0)
			continue;
		if (others++ > 0) {
			gt__dhis2import_error(d, _("%s@%s: gtsync's combos have one category"),
			                      where, an);
			return;
		}
		coc = prop(d, n, an);
	}
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (is(c, "annotation")) {
			xmlChar *t = xmlNodeGetContent(c);
			comment = t ? gt__dhis2import_keep(d, strdup((const char *)t)) : "";
			xmlFree(t);
		}
	if (coc == NULL || comment == NULL || d->n_values >= cap)
		return;
	v = &d->values[d->n_values];
	memset(v, 0, sizeof(*v));
	snprintf(v->path, sizeof(v->path), "%s", where);
	v->data_element = gt__dhis2import_element(meta, de);
	if (v->data_element == NULL) {
		gt__dhis2import_error(
		    d, _("%s@dataElement: \"%s\" is neither a data element's code nor its UID"),
		    where, de);
		return;
	}
	v->period = period;
	v->org_unit = gt__dhis2import_org(own, org);
	v->coc = gt__dhis2import_coc(meta, coc);
	v->value = val;
	v->comment = comment;
	d->n_values++;
}

int gt_adx_decode(const uint8_t *buf, size_t len, const struct gt_meta *meta, const char *own_org,
                  struct gt_dhis2import *out)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	size_t cap = 0, g = 0;

	memset(out, 0, sizeof(*out));
	out->errors = calloc(GT_DHIS2IMPORT_MAX_ERRORS, sizeof(*out->errors));
	if (out->errors == NULL)
		return GT_ENOMEM;
	if (len > GT_DHIS2IMPORT_MAX_INPUT || len > INT32_MAX) {
		gt__dhis2import_error(out, _("the document is larger than %u bytes"),
		                      GT_DHIS2IMPORT_MAX_INPUT);
		return GT_OK;
	}
	/* No network, no entity substitution, no DTD loading: only the document's own text. */
	doc = xmlReadMemory((const char *)buf, (int)len, "adx.xml", NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		const xmlError *e = xmlGetLastError();
		gt__dhis2import_error(out, _("line %d: not well-formed XML"), e ? e->line : 0);
		return GT_OK;
	}
	out->doc = doc;
	out->free_doc = free_xml;
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is(root, "adx") || root->ns == NULL ||
	    strcmp((const char *)root->ns->href, GT_ADX_NS) != 0) {
		gt__dhis2import_error(out, _("/: the root must be adx in the namespace %s"),
		                      GT_ADX_NS);
		return GT_OK;
	}
	for (xmlNodePtr gn = root->children; gn != NULL; gn = gn->next)
		if (is(gn, "group"))
			for (xmlNodePtr v = gn->children; v != NULL; v = v->next)
				if (is(v, "dataValue") && cap < GT_DHIS2IMPORT_MAX_VALUES)
					cap++;
	out->values = calloc(cap + 1, sizeof(*out->values));
	if (out->values == NULL)
		return GT_ENOMEM;
	for (xmlNodePtr gn = root->children; gn != NULL; gn = gn->next) {
		char where[48], pe[GT_PERIOD_MAX_LEN];
		const char *org, *period, *dpe;
		size_t k = 0;

		if (!is(gn, "group"))
			continue;
		g++;
		snprintf(where, sizeof(where), "group[%zu]", g);
		org = prop(out, gn, "orgUnit");
		period = prop(out, gn, "period");
		if (org == NULL || period == NULL) {
			gt__dhis2import_error(out, _("%s: needs %s"), where,
			                      org == NULL ? "@orgUnit" : "@period");
			continue;
		}
		if (gt_adx_period_parse(period, pe, sizeof(pe)) != GT_OK) {
			gt__dhis2import_error(
			    out, _("%s@period: \"%s\" is not an ADX period (2026-07-01/P1M)"),
			    where, period);
			continue;
		}
		dpe = gt__dhis2import_keep(out, strdup(pe));
		if (dpe == NULL)
			return GT_ENOMEM;
		for (xmlNodePtr v = gn->children; v != NULL; v = v->next) {
			char vw[48];
			if (!is(v, "dataValue"))
				continue;
			snprintf(vw, sizeof(vw), "group[%zu]/dataValue[%zu]", g, ++k);
			decode_value(out, v, vw, meta, own_org, org, dpe, cap);
		}
	}
	return GT_OK;
}
