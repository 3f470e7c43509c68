/* What the read handlers (query, logq, treeq) share around the reply interface. */
#include "reply.h"

#include <stdlib.h>

#include "authz.h"
#include "clock.h"
#include "error.h"
#include "i18n.h"
#include "readlog.h"
#include "server_int.h"

int gt__reply_read_allowed(struct gt__reply *r, gt_envelope *env, const char *org,
                           const char *refused)
{
	struct gt_principal p = {r->key_id, r->org_unit, r->roles};
	const char *why = refused;

	if (why == NULL && (org == NULL || gt_authz_read(&p, org, &why) == GT_OK))
		return GT_OK;
	gt_log_event(&r->srv->log, GT_LOG_WARN, "read_refused", "key=%s org=%s asked=%s", r->key_id,
	             r->org_unit, org != NULL ? org : "");
	gt__reply_refuse(r, env, GT_EPERM, why);
	return GT_EPERM;
}

void *gt__reply_job(struct gt__reply *r, gt_envelope *env, size_t size)
{
	void *j = calloc(1, size);

	if (j == NULL)
		gt__reply_refuse(r, env, GT_ENOMEM, NULL);
	return j;
}

int gt__reply_queue(struct gt__reply *r, uv_work_t *req, uv_work_cb work, uv_after_work_cb after)
{
	gt__reply_ref(r);
	if (uv_queue_work(r->srv->loop, req, work, after) != 0) {
		gt__reply_unref(r);
		return GT_EBUSY;
	}
	return GT_OK;
}

int gt__reply_failed(struct gt__reply *r, uint64_t rid, int status, int rc, const char *why)
{
	if (status != 0)
		gt__reply_fail(r, rid, GT_ECANCELED, N_("the server is shutting down"), 0);
	else if (rc != GT_OK)
		gt__reply_fail(r, rid, rc, why, 0);
	else
		return 0;
	return 1;
}

void gt__reply_end(struct gt__reply *r)
{
	gt__reply_done(r);
	gt__reply_unref(r);
}

void gt__reply_note_read(struct gt__reply *r, const char *kind, const char *org_unit,
                         const char *dataset, const char *period, uint64_t items)
{
	gt__readlog_note(r->srv, r->key_id, r->org_unit, r->roles, kind, org_unit, dataset, period,
	                 items, gt_clock_wall_ms());
}
