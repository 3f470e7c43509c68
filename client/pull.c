/* Pull: a provincial aggregator's replica of its subtree's values, chunk by chunk. */
#include "clock.h"
#include "pull.h"

#include <inttypes.h>
#include <string.h>

#include "error.h"
#include "progress.h"

int gt_pull_run(struct gt_home *h, const struct gt_pull_opts *o, struct gt_pull_result *res)
{
	struct gt_pull_result local;
	struct gt_session *s = NULL;
	struct gt_session_err err;
	struct gt_progress bar;
	const char *org = o->org && o->org[0] ? o->org : h->org;
	uint64_t cursor = 0;
	int rc;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	gt_progress_start(&bar, o->progress, 0, "pull", "values", 0);
	if ((rc = gt_cstore_pull_cursor(h->st, org, &cursor)) != GT_OK) {
		if (h->err)
			fprintf(h->err, "gtsync pull: cannot read the cursor: %s\n",
			        gt_cstore_errmsg(h->st));
		return rc;
	}
	rc = gt_home_connect(h, o->timeout_ms, &s, NULL, &err);
	if (rc != GT_OK) {
		gt_home_explain(h, "gtsync pull", &err);
		return rc;
	}
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
			gt_home_explain(h, "gtsync pull", &err);
			break;
		}
		if (reply->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR) {
			const Gtsync__V1__Error *e = reply->error;
			err.code = e->code < 0 && e->code >= GT_ERR_MIN ? e->code : GT_EPROTO;
			snprintf(err.message, sizeof(err.message), "%s",
			         e->message ? e->message : gt_strerror(err.code));
			snprintf(err.key_id, sizeof(err.key_id), "%s", e->key_id ? e->key_id : "");
			gt_wire_envelope_free(reply);
			if (err.code == GT_EPERM && h->err)
				fprintf(h->err,
				        "gtsync pull: the server refused to send %s's data: %s\n",
				        org, err.message);
			else
				gt_home_explain(h, "gtsync pull", &err);
			rc = err.code;
			break;
		}
		if (reply->body_case != GTSYNC__V1__ENVELOPE__BODY_PULL_CHUNK) {
			gt_wire_envelope_free(reply);
			if (h->err)
				fprintf(h->err, "gtsync pull: the server answered out of turn\n");
			rc = GT_EPROTO;
			break;
		}
		const Gtsync__V1__PullChunk *c = reply->pull_chunk;
		if (c->next_cursor < cursor) {
			gt_wire_envelope_free(reply);
			if (h->err)
				fprintf(h->err,
				        "gtsync pull: the server sent a cursor that goes back\n");
			rc = GT_EPROTO;
			break;
		}
		rc = gt_cstore_pull_apply(h->st, org, c, gt_clock_wall_ms());
		if (rc != GT_OK) {
			if (h->err)
				fprintf(h->err,
				        "gtsync pull: cannot store the chunk: %s; the replica "
				        "keeps what "
				        "it had, and the next pull resumes from there\n",
				        gt_cstore_errmsg(h->st));
			gt_wire_envelope_free(reply);
			break;
		}
		res->chunks++;
		res->values += c->n_values;
		res->states += c->n_states;
		cursor = c->next_cursor;
		gt_progress_set(&bar, res->values,
		                c->total_estimate ? res->values + c->total_estimate : 0);
		int more = c->more && c->next_cursor > req.cursor;
		gt_wire_envelope_free(reply);
		if (!more) {
			res->complete = 1;
			break;
		}
		if (o->max_chunks && res->chunks >= o->max_chunks)
			break;
	}
	gt_progress_end(&bar);
	gt_session_close(s);
	res->cursor = cursor;
	if (rc == GT_OK && o->out != NULL)
		fprintf(o->out,
		        "pull: %" PRIu64 " values and %" PRIu64 " report states in %" PRIu64
		        " chunks for %s; %s\n",
		        res->values, res->states, res->chunks, org,
		        res->complete ? "the replica is up to date" : "more is waiting");
	return rc;
}
