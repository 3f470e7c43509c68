/* Enrolment over the wire: an aggregator registers its districts' keys from request lines. */
#include "keyenrol.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "clock.h"
#include "enrol.h"
#include "error.h"
#include "i18n.h"
#include "keylabel.h"
#include "reply.h"
#include "roleset.h"
#include "server_int.h"
#include "store.h"
#include "writer.h"

struct enrol_job {
	struct gt_wjob wjob;
	struct gt__reply *r;
	uint64_t rid;
	struct gt_enrol req;
	char label[GT_KEYLABEL_MAX];
	char by[GT_KEY_ID_LEN + 1];
	int64_t now_ms;
	char errmsg[256];
};

static int apply_cb(struct gt_store *st, struct gt_wjob *w)
{
	struct enrol_job *j = (struct enrol_job *)((char *)w - offsetof(struct enrol_job, wjob));
	int rc = gt_store_key_register(st, j->req.public_key, j->req.org_unit, j->req.roles,
	                               j->label, j->now_ms, NULL);

	if (rc != GT_OK)
		snprintf(j->errmsg, sizeof(j->errmsg), "%s", gt_store_errmsg(st));
	return rc;
}

static void done_cb(struct gt_wjob *w, int commit_rc)
{
	struct enrol_job *j = (struct enrol_job *)((char *)w - offsetof(struct enrol_job, wjob));
	struct gt__reply *r = j->r;
	char roles_text[GT_ROLESET_TEXT_MAX];
	int rc = commit_rc != GT_OK ? commit_rc : w->rc;

	gt_roleset_format(j->req.roles, roles_text, sizeof(roles_text));
	gt_log_event(&r->srv->log, rc ? GT_LOG_WARN : GT_LOG_INFO, "key_enrol",
	             "by=%s key=%s org=%s roles=%s outcome=%s", j->by, j->req.key_id,
	             j->req.org_unit, roles_text, rc ? gt_strerror(rc) : "registered");
	if (rc == GT_EEXIST) {
		gt__reply_fail(r, j->rid, GT_EEXIST, N_("this key is already registered"), 0);
	} else if (rc != GT_OK) {
		gt__reply_fail(r, j->rid, rc,
		               commit_rc != GT_OK
		                   ? N_("the server could not store the key; try again "
		                        "later")
		               : j->errmsg[0] ? j->errmsg
		                              : gt_strerror(rc),
		               0);
	} else {
		Gtsync__V1__EnrolReply rep = GTSYNC__V1__ENROL_REPLY__INIT;
		Gtsync__V1__Role roles[GT_ROLESET_COUNT];

		rep.key_id = j->req.key_id;
		rep.org_unit = j->req.org_unit;
		rep.n_roles = gt_roleset_list(j->req.roles, roles);
		rep.roles = roles;
		rep.check = j->req.check;
		GT__REPLY_SEND_BODY(r, j->rid, ENROL_REPLY, enrol_reply, &rep);
	}
	gt__reply_done(r);
	free(j);
	gt__reply_unref(r);
}

void gt__enrol_submit(struct gt__reply *r, gt_envelope *env)
{
	const Gtsync__V1__EnrolRequest *rq = env->enrol_request;
	struct gt_principal p = {r->key_id, r->org_unit, r->roles};
	struct enrol_job *j = calloc(1, sizeof(*j));
	const char *why = NULL;
	const char *label = rq != NULL && rq->label != NULL ? rq->label : "";
	int rc = GT_ENOMEM;

	if (j == NULL)
		goto refuse;
	rc = GT_EINVAL;
	if (rq == NULL || rq->request == NULL ||
	    gt_enrol_parse(rq->request, strlen(rq->request), &j->req, &why) != GT_OK)
		goto refuse;
	if (gt_keylabel_check(label, &why) != GT_OK)
		goto refuse;
	rc = gt_authz_enrol(&p, j->req.org_unit, j->req.roles, &why);
	if (rc != GT_OK)
		goto refuse;
	snprintf(j->label, sizeof(j->label), "%s", label);
	memcpy(j->by, r->key_id, sizeof(j->by));
	j->r = r;
	j->rid = env->request_id;
	j->now_ms = gt_clock_wall_ms();
	j->wjob.apply = apply_cb;
	j->wjob.done = done_cb;
	j->wjob.weight = 1;
	gt__reply_ref(r);
	if (gt_writer_submit(r->srv->writer, &j->wjob) != GT_OK) {
		gt__reply_unref(r);
		rc = GT_EBUSY;
		why = N_("the server is shutting down; try again shortly");
		goto refuse;
	}
	gt_wire_envelope_free(env);
	return;
refuse:
	if (rc != GT_ENOMEM)
		gt_log_event(&r->srv->log, GT_LOG_WARN, "key_enrol",
		             "by=%s outcome=refused reason=%s", r->key_id,
		             why ? why : gt_strerror(rc));
	gt__reply_fail(r, env->request_id, rc, why, 0);
	gt__reply_done(r);
	free(j);
	gt_wire_envelope_free(env);
}
