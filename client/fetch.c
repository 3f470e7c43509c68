/* Fetching a consolidated report from the server and writing it in a chosen format. */
#include "fetch.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fileio.h"
#include "i18n.h"
#include "termtext.h"
#include "timezone.h"

#define WHAT "gtsync report"
/* Mode of a report file: a report holds no secret, and the directory decides who reads it. */
#define REPORT_MODE 0644

/* Org-unit names from the home's pulled scope, for the units a report gives by code. */
struct ou_names {
	struct gt_home *h;
	struct gt_cstore_orgunit ou;
};

static const char *ou_name(void *arg, const char *code)
{
	struct ou_names *n = arg;

	if (gt_cstore_orgunit_get(n->h->st, code, &n->ou) != GT_OK)
		return NULL;
	return n->ou.name;
}

/* The pulled metadata, or NULL: it names and orders the rows, and the report works without. */
static struct gt_meta *load_meta(struct gt_home *h)
{
	struct gt_meta_errors *errs = calloc(1, sizeof(*errs));
	struct gt_meta *meta = NULL;

	if (errs == NULL)
		return NULL;
	gt_meta_errors_init(errs);
	(void)gt_cstore_metadata_load(h->st, &meta, errs);
	gt_meta_errors_clear(errs);
	free(errs);
	return meta;
}

/* Asks for the report; *reply (caller frees) is a ReportReply on success. */
static int ask(struct gt_home *h, const struct gt_fetch_opts *o, gt_envelope **reply)
{
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__ReportRequest req = GTSYNC__V1__REPORT_REQUEST__INIT;

	req.org_unit = (char *)(o->org != NULL ? o->org : h->org);
	req.dataset = (char *)o->dataset;
	req.period = (char *)o->period;
	req.per_child = o->per_child != 0;
	req.public_view = o->public_view != 0;
	if (o->since != NULL) {
		req.since.data = (uint8_t *)o->since;
		req.since.len = o->since_len;
	}
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST;
	env.report_request = &req;
	return gt_home_request(h, WHAT, o->timeout_ms, &env,
	                       GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY, reply);
}

/* Renders rep in memory and writes it to path whole, or not at all. */
static int write_file(struct gt_home *h, const struct gt_fetch_opts *o,
                      const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                      const struct gt_rmodel_names *names)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&doc, &len);
	int rc;

	rc = m == NULL ? GT_ENOMEM : gt_render_report(m, rep, meta, names, o->format);
	if (m != NULL && fclose(m) != 0 && rc == GT_OK)
		rc = GT_EIO;
	if (rc == GT_OK)
		rc = gt_file_write(o->output, doc, len, REPORT_MODE, 1);
	free(doc);
	if (rc != GT_OK && h->err != NULL)
		fprintf(h->err, _("gtsync report: cannot write %s: %s\n"), o->output,
		        gt_error_text(rc));
	return rc;
}

int gt_fetch_reply(struct gt_home *h, const struct gt_fetch_opts *o, gt_envelope **reply)
{
	*reply = NULL;
	return ask(h, o, reply);
}

int gt_fetch_report(struct gt_home *h, const struct gt_fetch_opts *o)
{
	struct gt_meta *meta = load_meta(h);
	struct ou_names nm = {.h = h};
	char zone[GT_TZ_NAME_MAX];
	struct gt_rmodel_names names = {ou_name, &nm, zone};
	const Gtsync__V1__ReportReply *rep;
	gt_envelope *reply = NULL;
	struct gt_termtext t = {0};
	int rc;

	gt_home_zone(h, zone, sizeof(zone));
	if ((rc = ask(h, o, &reply)) != GT_OK)
		goto out;
	rep = reply->report_reply;
	if (o->output == NULL) {
		rc = gt_render_report(o->out, rep, meta, &names, o->format);
		if (rc != GT_OK && h->err != NULL)
			fprintf(h->err, _("gtsync report: cannot write the report: %s\n"),
			        gt_error_text(rc));
		goto out;
	}
	if ((rc = write_file(h, o, rep, meta, &names)) != GT_OK)
		goto out;
	if (o->out != NULL)
		fprintf(o->out, _("report: %s %s %s (%s) written to %s\n"),
		        gt_termtext_str(&t, rep->dataset), gt_termtext_str(&t, rep->period),
		        gt_termtext_str(&t, rep->org_unit), o->format->name,
		        gt_termtext_str(&t, o->output));
	gt_termtext_clear(&t);
out:
	gt_meta_free(meta);
	gt_wire_envelope_free(reply);
	return rc;
}
