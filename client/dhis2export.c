/* DHIS2 export: the raw values of a data set fetched chunk by chunk and streamed out as one
 * dataValueSets document, with completeness registrations and approval states. Every object is
 * built and written by jansson; only the document's outer punctuation is written between them,
 * so that a national year never sits in memory. */
#include "dhis2export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adx.h"
#include "dhis2uid.h"
#include "error.h"
#include "i18n.h"
#include "jsonout.h"
#include "protonames.h"
#include "rmodel.h"
#include "servermsg.h"

#define WHAT "gtsync export"
/* Mode of an export file: the directory decides who reads it. */
#define EXPORT_MODE 0644

struct gt_dhis2w {
	FILE *out;
	enum gt_dhis2_scheme scheme;
	uint64_t count;
	json_t *completions; /* completeDataSetRegistrations, kept for the end */
	json_t *approvals;   /* dataApprovals, kept for the end */
	int failed;
};

const char *gt_dhis2_approval_state(int state)
{
	switch (state) {
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED:
		return "APPROVED_HERE";
	case GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED:
		return "ACCEPTED_HERE";
	default:
		/* Open, submitted and returned reports may be approved: DHIS2 has no submit. */
		return "UNAPPROVED_READY";
	}
}

/* The identifier of (kind, code) in the document's scheme, in buf. The empty option is DHIS2's
 * default combo. */
static const char *ident(const struct gt_dhis2w *w, enum gt_dhis2_kind kind, const char *code,
                         char buf[GT_DHIS2UID_LEN])
{
	if (code == NULL || code[0] == '\0')
		return w->scheme == GT_DHIS2_SCHEME_UID ? GT_DHIS2_DEFAULT_COC_UID
		                                        : GT_DHIS2_DEFAULT_CODE;
	if (w->scheme == GT_DHIS2_SCHEME_CODE)
		return code;
	gt_dhis2uid(kind, code, buf);
	return buf;
}

static void put_str(json_t *o, const char *key, const char *s, int *rc)
{
	if (*rc == GT_OK)
		*rc = gt_jsonout_set(o, key, gt_jsonout_string(s));
}

static void put_time(json_t *o, const char *key, int64_t ms, int *rc)
{
	char when[40];

	gt_rmodel_time(ms, GT_RMODEL_TIME_ISO, when, sizeof(when));
	put_str(o, key, when, rc);
}

int gt_dhis2w_open(FILE *out, enum gt_dhis2_scheme scheme, struct gt_dhis2w **w)
{
	struct gt_dhis2w *n;

	*w = NULL;
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return GT_ENOMEM;
	n->out = out;
	n->scheme = scheme;
	n->completions = json_array();
	n->approvals = json_array();
	if (n->completions == NULL || n->approvals == NULL) {
		json_decref(n->completions);
		json_decref(n->approvals);
		free(n);
		return GT_ENOMEM;
	}
	if (fputs("{\"dataValues\": [", out) == EOF)
		n->failed = 1;
	*w = n;
	return GT_OK;
}

static int write_value(struct gt_dhis2w *w, const Gtsync__V1__ExportedValue *ev)
{
	const Gtsync__V1__DataValue *v = ev->value;
	char b[GT_DHIS2UID_LEN];
	json_t *o = json_object();
	int rc = o != NULL ? GT_OK : GT_ENOMEM;

	if (v == NULL) {
		json_decref(o);
		return GT_EPROTO;
	}
	put_str(o, "dataElement", ident(w, GT_DHIS2_DATAELEMENT, v->data_element, b), &rc);
	put_str(o, "period", v->period, &rc);
	put_str(o, "orgUnit", ident(w, GT_DHIS2_ORGUNIT, v->org_unit, b), &rc);
	put_str(o, "categoryOptionCombo", ident(w, GT_DHIS2_COC, v->category_option_combo, b), &rc);
	put_str(o, "attributeOptionCombo", ident(w, GT_DHIS2_COC, "", b), &rc);
	/* DHIS2 carries every value as a string. */
	put_str(o, "value", v->value, &rc);
	/* Who stored it, as people know the key (its label), else the key id. */
	put_str(o, "storedBy",
	        ev->stored_by_label != NULL && ev->stored_by_label[0] != '\0' ? ev->stored_by_label
	                                                                      : ev->stored_by,
	        &rc);
	put_time(o, "created", ev->created_at_ms, &rc);
	put_time(o, "lastUpdated", ev->updated_at_ms, &rc);
	put_str(o, "comment", v->comment, &rc);
	if (rc == GT_OK)
		rc = gt_jsonout_set(o, "followup", json_false());
	if (rc == GT_OK && fputs(w->count ? ",\n" : "\n", w->out) == EOF)
		rc = GT_EIO;
	if (rc == GT_OK)
		rc = gt_jsonout_dump(w->out, o, 0);
	json_decref(o);
	if (rc == GT_OK)
		w->count++;
	return rc;
}

static int keep_completion(struct gt_dhis2w *w, const Gtsync__V1__PulledCompletion *pc)
{
	const Gtsync__V1__CompleteRegistration *r = pc->registration;
	char b[GT_DHIS2UID_LEN];
	json_t *o;
	int rc;

	if (r == NULL)
		return GT_EPROTO;
	o = json_object();
	rc = o != NULL ? GT_OK : GT_ENOMEM;
	put_str(o, "dataSet", ident(w, GT_DHIS2_DATASET, r->dataset, b), &rc);
	put_str(o, "period", r->period, &rc);
	put_str(o, "organisationUnit", ident(w, GT_DHIS2_ORGUNIT, r->org_unit, b), &rc);
	put_str(o, "attributeOptionCombo", ident(w, GT_DHIS2_COC, "", b), &rc);
	put_time(o, "date", pc->at_ms, &rc);
	if (rc == GT_OK)
		rc = gt_jsonout_set(o, "completed", json_boolean(r->completed));
	if (rc == GT_OK)
		return gt_jsonout_append(w->completions, o);
	json_decref(o);
	return rc;
}

static int keep_state(struct gt_dhis2w *w, const Gtsync__V1__WorkflowState *s)
{
	char b[GT_DHIS2UID_LEN];
	json_t *o = json_object();
	int rc = o != NULL ? GT_OK : GT_ENOMEM;

	/* The fields of DHIS2's GET /api/dataApprovals/multiple answer: wf, pe, ou, aoc, state. */
	put_str(o, "wf", ident(w, GT_DHIS2_DATASET, s->dataset, b), &rc);
	put_str(o, "pe", s->period, &rc);
	put_str(o, "ou", ident(w, GT_DHIS2_ORGUNIT, s->org_unit, b), &rc);
	put_str(o, "aoc", ident(w, GT_DHIS2_COC, "", b), &rc);
	put_str(o, "state", gt_dhis2_approval_state((int)s->state), &rc);
	put_str(o, "gtsyncState", gt_protonames_state((int)s->state), &rc);
	put_time(o, "lastUpdated", s->updated_at_ms, &rc);
	if (rc == GT_OK)
		return gt_jsonout_append(w->approvals, o);
	json_decref(o);
	return rc;
}

int gt_dhis2w_chunk(struct gt_dhis2w *w, const Gtsync__V1__ExportChunk *c)
{
	int rc = GT_OK;

	for (size_t i = 0; i < c->n_values && rc == GT_OK; i++)
		rc = write_value(w, c->values[i]);
	for (size_t i = 0; i < c->n_completions && rc == GT_OK; i++)
		rc = keep_completion(w, c->completions[i]);
	for (size_t i = 0; i < c->n_states && rc == GT_OK; i++)
		rc = keep_state(w, c->states[i]);
	if (rc == GT_EIO)
		w->failed = 1;
	return rc;
}

uint64_t gt_dhis2w_count(const struct gt_dhis2w *w)
{
	return w->count;
}

int gt_dhis2w_close(struct gt_dhis2w *w)
{
	int rc;

	if (w == NULL)
		return GT_OK;
	rc = w->failed ? GT_EIO : GT_OK;
	if (rc == GT_OK && fputs(w->count ? "\n],\n\"completeDataSetRegistrations\": "
	                                  : "],\n\"completeDataSetRegistrations\": ",
	                         w->out) == EOF)
		rc = GT_EIO;
	if (rc == GT_OK)
		rc = gt_jsonout_dump(w->out, w->completions, 0);
	if (rc == GT_OK && fputs(",\n\"dataApprovals\": ", w->out) == EOF)
		rc = GT_EIO;
	if (rc == GT_OK)
		rc = gt_jsonout_dump(w->out, w->approvals, 0);
	if (rc == GT_OK && fputs("}\n", w->out) == EOF)
		rc = GT_EIO;
	if (rc == GT_OK && (fflush(w->out) != 0 || ferror(w->out)))
		rc = GT_EIO;
	json_decref(w->completions);
	json_decref(w->approvals);
	free(w);
	return rc;
}

/* Turns an Error reply into err and a sentence. */
static int refused(struct gt_home *h, gt_envelope *reply, const char *org)
{
	const Gtsync__V1__Error *e = reply->error;
	int code = e->code < 0 && e->code >= GT_ERR_MIN ? e->code : GT_EPROTO;
	char sm[GT_SERVERMSG_MAX];

	/* The server's sentence in the user's language (client/servermsg.h). */
	gt_home_say(h, _("%s: the server refused the export of %s: %s"), WHAT, org,
	            gt_servermsg_error(code, e->message, sm));
	return code;
}

/* The document being written: DHIS2's JSON or ADX. */
struct writer {
	struct gt_dhis2w *json;
	struct gt_adxw *adx;
	const char *dataset;
};

static int writer_chunk(struct writer *w, const Gtsync__V1__ExportChunk *c)
{
	return w->adx != NULL ? gt_adxw_chunk(w->adx, w->dataset, c) : gt_dhis2w_chunk(w->json, c);
}

/* Requests chunk after chunk on s and hands each to w. */
static int fetch(struct gt_home *h, struct gt_session *s, const struct gt_dhis2export_opts *o,
                 const char *org, struct writer *w)
{
	char *after[4] = {NULL, NULL, NULL, NULL};
	size_t n_after = 0;
	int rc = GT_OK;

	for (;;) {
		Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
		Gtsync__V1__ExportRequest req = GTSYNC__V1__EXPORT_REQUEST__INIT;
		struct gt_session_err err;
		gt_envelope *reply = NULL;
		const Gtsync__V1__ExportChunk *c;

		req.org_unit = (char *)org;
		req.dataset = (char *)o->dataset;
		req.start_period = (char *)o->start;
		req.end_period = (char *)o->end;
		req.scope = (Gtsync__V1__ExportScope)o->scope;
		req.after = after;
		req.n_after = n_after;
		req.max_items = o->chunk;
		req.public_view = o->public_view != 0;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_EXPORT_REQUEST;
		env.export_request = &req;
		rc = gt_session_call(s, &env, &reply, &err);
		if (rc != GT_OK) {
			gt_home_explain(h, WHAT, &err);
			break;
		}
		if (reply->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR) {
			rc = refused(h, reply, org);
			gt_wire_envelope_free(reply);
			break;
		}
		if (reply->body_case != GTSYNC__V1__ENVELOPE__BODY_EXPORT_CHUNK ||
		    (reply->export_chunk->more && reply->export_chunk->n_next_after != 4)) {
			gt_wire_envelope_free(reply);
			gt_home_say(h, _("%s: the server answered out of turn"), WHAT);
			rc = GT_EPROTO;
			break;
		}
		c = reply->export_chunk;
		rc = writer_chunk(w, c);
		for (size_t i = 0; i < 4; i++) {
			free(after[i]);
			after[i] = NULL;
		}
		n_after = 0;
		if (rc == GT_OK && c->more) {
			for (size_t i = 0; i < 4; i++)
				if ((after[i] = strdup(c->next_after[i] ? c->next_after[i] : "")) ==
				    NULL)
					rc = GT_ENOMEM;
			n_after = 4;
		}
		int more = c->more;
		gt_wire_envelope_free(reply);
		if (rc != GT_OK || !more)
			break;
	}
	for (size_t i = 0; i < 4; i++)
		free(after[i]);
	return rc;
}

int gt_dhis2export_run(struct gt_home *h, const struct gt_dhis2export_opts *o, uint64_t *count)
{
	const char *org = o->org != NULL && o->org[0] ? o->org : h->org;
	struct gt_session *s = NULL;
	struct gt_session_err err;
	struct writer w = {NULL, NULL, o->dataset};
	struct gt_meta *meta = NULL;
	char *tmp = NULL;
	FILE *f = o->out;
	int rc, fd = -1;

	if (count != NULL)
		*count = 0;
	if (o->output != NULL) {
		size_t n = strlen(o->output) + sizeof(".XXXXXX");
		tmp = malloc(n);
		if (tmp == NULL)
			return GT_ENOMEM;
		snprintf(tmp, n, "%s.XXXXXX", o->output);
		fd = mkstemp(tmp);
		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (f == NULL) {
			gt_home_say(h, _("%s: cannot write %s: %s"), WHAT, o->output,
			            strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			free(tmp);
			return GT_EIO;
		}
	}
	rc = gt_home_connect(h, o->timeout_ms, &s, NULL, &err);
	if (rc != GT_OK)
		gt_home_explain(h, WHAT, &err);
	if (rc == GT_OK && o->adx && (rc = gt_home_meta(h, WHAT, &meta)) == GT_OK)
		rc = gt_adxw_open(f, meta, &w.adx);
	else if (rc == GT_OK && !o->adx)
		rc = gt_dhis2w_open(f, o->scheme, &w.json);
	if (rc == GT_OK)
		rc = fetch(h, s, o, org, &w);
	if (count != NULL)
		*count = w.adx ? gt_adxw_count(w.adx) : w.json ? gt_dhis2w_count(w.json) : 0;
	if (w.json != NULL || w.adx != NULL) {
		int crc = w.adx ? gt_adxw_close(w.adx) : gt_dhis2w_close(w.json);
		if (rc == GT_OK)
			rc = crc;
	}
	gt_meta_free(meta);
	gt_session_close(s);
	if (tmp != NULL) {
		if (fflush(f) != 0 || fsync(fileno(f)) != 0)
			rc = rc == GT_OK ? GT_EIO : rc;
		if (fclose(f) != 0 && rc == GT_OK)
			rc = GT_EIO;
		if (rc == GT_OK && (chmod(tmp, EXPORT_MODE) != 0 || rename(tmp, o->output) != 0))
			rc = GT_EIO;
		if (rc != GT_OK)
			unlink(tmp);
		if (rc == GT_EIO)
			gt_home_say(h, _("%s: cannot write %s"), WHAT, o->output);
		free(tmp);
	}
	return rc;
}
