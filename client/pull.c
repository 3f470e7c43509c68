/* Pull: a provincial aggregator's replica of its subtree's values, chunk by chunk. */
#include "pull.h"
#include "clock.h"

#include <inttypes.h>
#include <string.h>

#include "error.h"
#include "i18n.h"
#include "progress.h"
#include "roleset.h"
#include "servermsg.h"
#include "termtext.h"

int gt_pull_chunks(struct gt_home *h, struct gt_session *s, const char *what, const char *org,
                   uint64_t cursor, const struct gt_pull_opts *o, gt_pull_chunk_fn cb, void *arg,
                   struct gt_pull_result *res)
{
	char sm[GT_SERVERMSG_MAX];
	struct gt_session_err err;
	int rc = GT_OK;

	res->cursor = cursor;
	for (;;) {
		Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
		Gtsync__V1__PullRequest req = GTSYNC__V1__PULL_REQUEST__INIT;
		gt_envelope *reply = NULL;

		req.org_unit = (char *)org;
		req.cursor = cursor;
		req.max_items = o->max_items ? o->max_items : GT_PULL_CHUNK;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_PULL;
		env.pull = &req;
		rc = gt_session_call(s, &env, &reply, &err);
		if (rc != GT_OK) {
			gt_home_explain(h, what, &err);
			break;
		}
		if (reply->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR) {
			const Gtsync__V1__Error *e = reply->error;
			err.code = e->code < 0 && e->code >= GT_ERR_MIN ? e->code : GT_EPROTO;
			snprintf(err.message, sizeof(err.message), "%s",
			         gt_servermsg_error(err.code, e->message, sm));
			snprintf(err.key_id, sizeof(err.key_id), "%s", e->key_id ? e->key_id : "");
			gt_wire_envelope_free(reply);
			if (err.code == GT_EPERM)
				gt_home_say(h, _("%s: the server refused to send %s's data: %s"),
				            what, org, err.message);
			else
				gt_home_explain(h, what, &err);
			rc = err.code;
			break;
		}
		if (reply->body_case != GTSYNC__V1__ENVELOPE__BODY_PULL_CHUNK) {
			gt_wire_envelope_free(reply);
			gt_home_say(h, _("%s: the server answered out of turn"), what);
			rc = GT_EPROTO;
			break;
		}
		const Gtsync__V1__PullChunk *c = reply->pull_chunk;
		if (c->next_cursor < cursor) {
			gt_wire_envelope_free(reply);
			gt_home_say(h, _("%s: the server sent a cursor that goes back"), what);
			rc = GT_EPROTO;
			break;
		}
		rc = cb(arg, c);
		if (rc != GT_OK) {
			gt_wire_envelope_free(reply);
			break;
		}
		res->chunks++;
		res->values += c->n_values;
		res->states += c->n_states;
		cursor = res->cursor = c->next_cursor;
		int more = c->more && c->next_cursor > req.cursor;
		gt_wire_envelope_free(reply);
		if (!more) {
			res->complete = 1;
			break;
		}
		if (o->max_chunks && res->chunks >= o->max_chunks)
			break;
	}
	return rc;
}

struct replica_arg {
	struct gt_home *h;
	const char *org;
	struct gt_progress bar;
	uint64_t values;
};

/* Stores one chunk with its cursor in the replica. */
static int apply_chunk(void *arg, const Gtsync__V1__PullChunk *c)
{
	struct replica_arg *a = arg;
	int rc = gt_cstore_pull_apply(a->h->st, a->org, c, gt_clock_wall_ms());

	if (rc != GT_OK) {
		gt_home_say(a->h,
		            _("gtsync pull: cannot store the chunk: %s; the replica keeps what "
		              "it had, and the next pull resumes from there"),
		            gt_cstore_errmsg(a->h->st));
		return rc;
	}
	a->values += c->n_values;
	gt_progress_set(&a->bar, a->values, c->total_estimate ? a->values + c->total_estimate : 0);
	return GT_OK;
}

/* Whether the key held no role but reader at its last login (the server refuses its pulls). */
static int reader_only(const struct gt_home *h)
{
	unsigned roles = 0;

	return h->role[0] != '\0' && gt_roleset_parse(h->role, &roles) == GT_OK &&
	       roles == GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_READER);
}

int gt_pull_run(struct gt_home *h, const struct gt_pull_opts *o, struct gt_pull_result *res)
{
	struct gt_pull_result local;
	struct gt_session *s = NULL;
	struct gt_session_err err;
	struct replica_arg a = {h, o->org && o->org[0] ? o->org : h->org, {0}, 0};
	uint64_t cursor = 0;
	int rc;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (reader_only(h)) {
		gt_home_say(h,
		            _("gtsync pull: this is a reader key: it receives consolidated reports "
		              "only ('gtsync report'), not the per-unit values, comments or "
		              "batches a pull brings"));
		return GT_EPERM;
	}
	if ((rc = gt_cstore_pull_cursor(h->st, a.org, &cursor)) != GT_OK) {
		gt_home_say(h, _("gtsync pull: cannot read the cursor: %s"),
		            gt_cstore_errmsg(h->st));
		return rc;
	}
	res->cursor = cursor;
	rc = gt_home_connect(h, o->timeout_ms, &s, NULL, &err);
	if (rc != GT_OK) {
		gt_home_explain(h, "gtsync pull", &err);
		return rc;
	}
	gt_progress_start(&a.bar, o->progress, 0, C_("progress", "pull"), _("values"), 0);
	rc = gt_pull_chunks(h, s, "gtsync pull", a.org, cursor, o, apply_chunk, &a, res);
	gt_progress_end(&a.bar);
	gt_session_close(s);
	if (rc == GT_OK)
		gt_termtext_line(o->out,
		                 _("pull: %" PRIu64 " values and %" PRIu64
		                   " report states in %" PRIu64 " chunks for %s; %s"),
		                 res->values, res->states, res->chunks, a.org,
		                 res->complete ? _("the replica is up to date")
		                               : _("more is waiting"));
	return rc;
}
