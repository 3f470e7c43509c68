/* Push: packs queued values into signed batches, saves them, sends them and applies the acks. */
#include "push.h"
#include "clock.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "crypto.h"
#include "error.h"
#include "humanfmt.h"
#include "i18n.h"
#include "progress.h"
#include "protonames.h"
#include "roleset.h"
#include "servermsg.h"
#include "termtext.h"

#define SOFTWARE "gtsync/0.1.0"

struct inflight {
	uint64_t rid;
	uint64_t seq;
	uint32_t n_values;
	uint32_t n_actions;
};

struct pusher {
	struct gt_home *h;
	const struct gt_push_opts *o;
	struct gt_push_result *r;
	struct gt_session *s;
	/* From AuthResult. */
	uint64_t server_last_seq;
	uint32_t max_values;
	size_t frame_budget;
	uint32_t window;
	/* Saved batches to (re)send, in sequence order. */
	struct gt_cstore_batch *pending;
	size_t npending, next_pending;
	struct inflight *inflight;
	size_t ninflight;
	int queue_empty; /* nothing queued is left to pack in this session */
	int local;       /* the local store failed: stop, do not retry */
	unsigned requeues;
	/* A passing refusal seen in this session: the push must be tried again. */
	int retry_code;
	char retry_msg[256];
	/* Progress, in values. */
	struct gt_progress bar;
	uint64_t total, done;
};

static void say(struct gt_home *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A line for a person on h->err, escaped for the terminal: the server's sentences reach it. */
static void say(struct gt_home *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gt_termtext_vline(h->err, fmt, ap);
	va_end(ap);
}

/* Ends the bar's line before a message, so the two do not mix. */
static void bar_break(struct pusher *p)
{
	if (p->bar.enabled && p->bar.drawn) {
		fputc('\n', p->bar.out);
		p->bar.drawn = 0;
	}
}

/* A refusal code the server may not give next time. */
static int refusal_passes(int code)
{
	switch (code) {
	case GT_ENOSPC:
	case GT_EIO:
	case GT_ESTORE:
	case GT_ECORRUPT: /* the server's store is damaged until restored (issue 10, item 12) */
	case GT_EBUSY:
	case GT_ECANCELED:
	case GT_ELIMIT:
	case GT_ENOMEM:
	case GT_ETIMEDOUT:
		return 1;
	default:
		return 0;
	}
}

static void progress(struct pusher *p, uint64_t values)
{
	p->done += values;
	gt_progress_set(&p->bar, p->done, p->total);
}

/* ---- Packing ---- */

/* Completes the batch header (a random id, the key, the org, seq), packs the batch and signs
 * its bytes into b. */
static int seal(struct pusher *p, gt_batch *batch, uint64_t seq, struct gt_cstore_batch *b)
{
	int rc;

	if ((rc = gt_crypto_random(b->batch_id, sizeof(b->batch_id))) != GT_OK)
		return rc;
	batch->format_version = 1;
	batch->batch_id.data = b->batch_id;
	batch->batch_id.len = sizeof(b->batch_id);
	batch->key_id = p->h->key_id;
	batch->org_unit = p->h->org;
	batch->sequence = seq;
	batch->created_at_ms = gt_clock_wall_ms();
	batch->software = SOFTWARE;
	if ((rc = gt_wire_batch_pack(batch, &b->bytes, &b->len)) != GT_OK)
		return rc;
	if ((rc = gt_key_sign(p->h->key, b->bytes, b->len, b->sig)) != GT_OK)
		return rc;
	b->seq = seq;
	return GT_OK;
}

/* Packs and signs the queued rows[0..n) as batch seq; on success b holds the bytes. */
static int pack(struct pusher *p, const struct gt_cstore_outrow *rows, size_t n, uint64_t seq,
                struct gt_cstore_batch *b)
{
	gt_batch batch = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue *dv = calloc(n, sizeof(*dv));
	Gtsync__V1__DataValue **dvp = calloc(n, sizeof(*dvp));
	int rc;

	memset(b, 0, sizeof(*b));
	if (dv == NULL || dvp == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		gtsync__v1__data_value__init(&dv[i]);
		dv[i].data_element = rows[i].data_element;
		dv[i].period = rows[i].period;
		dv[i].org_unit = rows[i].org_unit;
		dv[i].category_option_combo = rows[i].coc;
		dv[i].value = rows[i].value;
		dv[i].comment = rows[i].comment;
		dv[i].revision = rows[i].revision;
		dv[i].deleted = rows[i].deleted != 0;
		dv[i].dataset = rows[i].dataset;
		dvp[i] = &dv[i];
	}
	batch.values = dvp;
	batch.n_values = n;
	if ((rc = seal(p, &batch, seq, b)) != GT_OK)
		goto out;
	b->n_values = (uint32_t)n;
out:
	if (rc != GT_OK) {
		free(b->bytes);
		b->bytes = NULL;
	}
	free(dv);
	free(dvp);
	return rc;
}

/* Splits rule codes joined by "," (the saved form) into a's acknowledged_rules; *copy holds
 * the strings (caller frees it and the array). */
static int split_codes(const char *joined, char **copy, Gtsync__V1__WorkflowAction *a)
{
	size_t n = 1;

	*copy = NULL;
	if (joined == NULL || joined[0] == '\0')
		return GT_OK;
	for (const char *c = joined; *c; c++)
		n += *c == ',';
	if ((*copy = strdup(joined)) == NULL ||
	    (a->acknowledged_rules = calloc(n, sizeof(char *))) == NULL)
		return GT_ENOMEM;
	for (char *save = NULL, *t = strtok_r(*copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		a->acknowledged_rules[a->n_acknowledged_rules++] = t;
	return GT_OK;
}

/* Packs and signs the queued actions rows[0..n) as batch seq; on success b holds the bytes. */
static int pack_actions(struct pusher *p, const struct gt_cstore_action *rows, size_t n,
                        uint64_t seq, struct gt_cstore_batch *b)
{
	gt_batch batch = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__WorkflowAction *wa = calloc(n, sizeof(*wa));
	Gtsync__V1__WorkflowAction **wap = calloc(n, sizeof(*wap));
	char **acked = calloc(n, sizeof(*acked));
	int rc;

	memset(b, 0, sizeof(*b));
	if (wa == NULL || wap == NULL || acked == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		gtsync__v1__workflow_action__init(&wa[i]);
		wa[i].kind = (Gtsync__V1__WorkflowKind)rows[i].kind;
		wa[i].dataset = rows[i].dataset;
		wa[i].period = rows[i].period;
		wa[i].org_unit = rows[i].org_unit;
		wa[i].reason = rows[i].reason;
		if (rows[i].has_digest) {
			wa[i].data_digest.data = (uint8_t *)rows[i].digest;
			wa[i].data_digest.len = GT_SHA256_LEN;
		}
		wa[i].open_until = rows[i].open_until;
		if ((rc = split_codes(rows[i].acknowledged, &acked[i], &wa[i])) != GT_OK)
			goto out;
		wap[i] = &wa[i];
	}
	batch.actions = wap;
	batch.n_actions = n;
	if ((rc = seal(p, &batch, seq, b)) != GT_OK)
		goto out;
	b->n_actions = (uint32_t)n;
out:
	if (rc != GT_OK) {
		free(b->bytes);
		b->bytes = NULL;
	}
	for (size_t i = 0; acked != NULL && wa != NULL && i < n; i++) {
		free(acked[i]);
		free(wa[i].acknowledged_rules);
	}
	free(acked);
	free(wa);
	free(wap);
	return rc;
}

/* The two packers, over untyped rows, for pack_fitting(). */
static int pack_values_any(struct pusher *p, const void *rows, size_t n, uint64_t seq,
                           struct gt_cstore_batch *b)
{
	return pack(p, rows, n, seq, b);
}

static int pack_actions_any(struct pusher *p, const void *rows, size_t n, uint64_t seq,
                            struct gt_cstore_batch *b)
{
	return pack_actions(p, rows, n, seq, b);
}

/* Packs the first *n rows with packer, halving *n until the batch fits the frame budget (or
 * holds one row, which the caller then checks against the budget). */
static int pack_fitting(struct pusher *p,
                        int (*packer)(struct pusher *, const void *, size_t, uint64_t,
                                      struct gt_cstore_batch *),
                        const void *rows, size_t *n, uint64_t seq, struct gt_cstore_batch *b)
{
	for (;;) {
		int rc = packer(p, rows, *n, seq, b);
		if (rc != GT_OK || b->len <= p->frame_budget || *n == 1)
			return rc;
		free(b->bytes);
		b->bytes = NULL;
		*n = (*n + 1) / 2;
	}
}

/* Packs the queued workflow actions (up to GT_PUSH_MAX_ACTIONS) into batch b, in the caller's
 * transaction; *ids[0..*nids) are the actions packed (caller frees). GT_ENOENT when no action
 * is queued. */
static int pack_action_batch(struct pusher *p, struct gt_cstore_batch *b, int64_t **ids_out,
                             size_t *nids)
{
	struct gt_cstore_action *rows = NULL;
	int64_t *ids = NULL;
	size_t n = 0, taken = 0;
	uint64_t seq;
	int rc;

	*ids_out = NULL;
	*nids = 0;
	rc = gt_cstore_actions_take(p->h->st, GT_PUSH_MAX_ACTIONS, &rows, &n);
	taken = n;
	if (rc != GT_OK) {
		p->local = 1;
		bar_break(p);
		say(p->h, _("gtsync push: cannot read the saved workflow actions: %s"),
		    gt_cstore_errmsg(p->h->st));
		goto out;
	}
	if (n == 0) {
		rc = GT_ENOENT;
		goto out;
	}
	if ((rc = gt_cstore_next_sequence(p->h->st, p->server_last_seq, &seq)) != GT_OK) {
		p->local = 1;
		goto out;
	}
	/* Reasons are bounded by the server's limits; halve the batch until it fits a frame. */
	if ((rc = pack_fitting(p, pack_actions_any, rows, &n, seq, b)) != GT_OK)
		goto out;
	if (b->len > p->frame_budget) {
		bar_break(p);
		say(p->h,
		    _("gtsync push: a workflow action is too large for the server's frame limit"));
		rc = GT_ETOOBIG;
		goto out;
	}
	ids = calloc(n, sizeof(*ids));
	if (ids == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = rows[i].id;
	*ids_out = ids;
	*nids = n;
out:
	if (rc != GT_OK) {
		free(b->bytes);
		b->bytes = NULL;
	}
	gt_cstore_actions_free(rows, taken);
	return rc;
}

/* Packs the next batch from the queue, saves it, and returns it in *b (caller frees bytes).
 * Reading the queue, packing and saving run in one write transaction, so another gtsync
 * process cannot change a value between its packing and its marking as batched. Returns
 * GT_ENOENT when nothing is queued. */
/* Packs the queued values rows[0..*n) into batch b under the next sequence number (*seq),
 * fewer (*n) when they do not fit in a frame, and lists their outbox ids (*ids, the caller
 * frees). */
static int pack_values_batch(struct pusher *p, struct gt_cstore_batch *b,
                             const struct gt_cstore_outrow *rows, size_t *n, uint64_t *seq,
                             int64_t **ids)
{
	int rc;

	if ((rc = gt_cstore_next_sequence(p->h->st, p->server_last_seq, seq)) != GT_OK) {
		p->local = 1;
		return rc;
	}
	/* The byte budget is an estimate; halve the batch until it fits in a frame. */
	if ((rc = pack_fitting(p, pack_values_any, rows, n, *seq, b)) != GT_OK)
		return rc;
	if (b->len > p->frame_budget) {
		bar_break(p);
		say(p->h,
		    _("gtsync push: value %s %s %s is too large for the server's frame limit"),
		    rows[0].data_element, rows[0].period, rows[0].coc);
		return GT_ETOOBIG;
	}
	if ((*ids = calloc(*n, sizeof(**ids))) == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < *n; i++)
		(*ids)[i] = rows[i].id;
	return GT_OK;
}

static int make_batch(struct pusher *p, struct gt_cstore_batch *b)
{
	struct gt_cstore_outrow *rows = NULL;
	int64_t *ids = NULL;
	size_t n = 0, taken = 0;
	uint64_t seq;
	int rc;

	memset(b, 0, sizeof(*b));
	if ((rc = gt_cstore_begin(p->h->st)) != GT_OK) {
		p->local = 1;
		bar_break(p);
		say(p->h, _("gtsync push: cannot use the outbox: %s"), gt_cstore_errmsg(p->h->st));
		return rc;
	}
	rc = gt_cstore_queued_take(p->h->st, p->max_values, p->frame_budget / 2, &rows, &n);
	if (rc != GT_OK) {
		p->local = 1;
		bar_break(p);
		say(p->h, _("gtsync push: cannot read the outbox: %s"), gt_cstore_errmsg(p->h->st));
		goto out;
	}
	taken = n;
	if (n == 0) {
		/* No values left: the workflow actions go in batches of their own. */
		rc = pack_action_batch(p, b, &ids, &n);
		if (rc != GT_OK)
			goto out;
		seq = b->seq;
		rc = gt_cstore_batch_save_actions(p->h->st, b, ids, n, gt_clock_wall_ms());
		goto saved;
	}
	if ((rc = pack_values_batch(p, b, rows, &n, &seq, &ids)) != GT_OK)
		goto out;
	/* Saved, with its values marked batched, before a single byte is sent. */
	rc = gt_cstore_batch_save(p->h->st, b, ids, n, gt_clock_wall_ms());
saved:
	if (rc == GT_OK)
		rc = gt_cstore_commit(p->h->st);
	if (rc != GT_OK) {
		p->local = 1;
		bar_break(p);
		say(p->h,
		    _("gtsync push: cannot save batch %" PRIu64 ": %s. Nothing of it was sent and "
		      "the outbox is unchanged."),
		    seq, gt_cstore_errmsg(p->h->st));
		goto out;
	}
	p->r->batches_made++;
	if (gt_testhooks_at(p->o->hooks, GT_TESTHOOK_SAVED))
		gt_testhooks_die();
out:
	if (rc != GT_OK) {
		gt_cstore_rollback(p->h->st);
		free(b->bytes);
		b->bytes = NULL;
	}
	free(ids);
	gt_cstore_outrows_free(rows, taken);
	return rc;
}

/* ---- Sending and acks ---- */

static int refused(struct pusher *p, const struct inflight *f, int code, const char *msg);

static int send_batch(struct pusher *p, const struct gt_cstore_batch *b)
{
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__PushRequest req = GTSYNC__V1__PUSH_REQUEST__INIT;
	uint64_t rid = 0;
	int rc;

	req.batch.data = b->bytes;
	req.batch.len = b->len;
	req.signature.data = (uint8_t *)b->sig;
	req.signature.len = sizeof(b->sig);
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PUSH;
	env.push = &req;
	rc = gt_session_send(p->s, &env, &rid);
	if (rc == GT_ETOOBIG) {
		/* Saved under a larger limit than the server's now: its values go in new batches.
		 */
		struct inflight f = {0, b->seq, b->n_values, b->n_actions};
		return refused(p, &f, GT_ETOOBIG, "the batch is larger than the frame limit");
	}
	if (rc != GT_OK) {
		bar_break(p);
		say(p->h, _("gtsync push: the connection to %s was lost while sending"),
		    p->h->server);
		return GT_ECLOSED;
	}
	p->inflight[p->ninflight].rid = rid;
	p->inflight[p->ninflight].seq = b->seq;
	p->inflight[p->ninflight].n_values = b->n_values;
	p->inflight[p->ninflight].n_actions = b->n_actions;
	p->ninflight++;
	p->r->batches_sent++;
	if (gt_testhooks_at(p->o->hooks, GT_TESTHOOK_SENT)) {
		(void)gt_session_flush(p->s);
		gt_testhooks_die();
	}
	return GT_OK;
}

/* Sends the next saved batch, or a new one. Returns GT_ENOENT when there is nothing more. */
static int send_next(struct pusher *p)
{
	struct gt_cstore_batch b;
	int rc;

	if (p->next_pending < p->npending)
		return send_batch(p, &p->pending[p->next_pending++]);
	if (p->queue_empty)
		return GT_ENOENT;
	rc = make_batch(p, &b);
	if (rc == GT_ENOENT) {
		p->queue_empty = 1;
		return rc;
	}
	if (rc != GT_OK)
		return rc;
	rc = send_batch(p, &b);
	free(b.bytes);
	return rc;
}

/* Applies a refusal of a batch (an ack REFUSED, or an Error reply to its request). Returns 0,
 * or a code that ends the session. */
static int refused(struct pusher *p, const struct inflight *f, int code, const char *msg)
{
	char sm[GT_SERVERMSG_MAX];
	int64_t now = gt_clock_wall_ms();
	const char *shown;
	int disp, rc;

	if (code >= 0 || code < GT_ERR_MIN)
		code = GT_EPROTO;
	if (msg == NULL || msg[0] == '\0')
		msg = gt_strerror(code);
	/* The store keeps the server's words; a person reads them in their language. */
	shown = gt_servermsg_error(code, msg, sm);
	if (refusal_passes(code))
		disp = GT_CSTORE_RETRY;
	else if ((code == GT_ETOOBIG || code == GT_ECONFLICT) && p->requeues < GT_PUSH_MAX_REQUEUES)
		disp = GT_CSTORE_REQUEUE;
	else
		disp = GT_CSTORE_REFUSE;
	rc = gt_cstore_batch_refused(p->h->st, f->seq, code, msg, disp, now);
	if (rc != GT_OK) {
		p->local = 1;
		bar_break(p);
		say(p->h, _("gtsync push: cannot record the refusal of batch %" PRIu64 ": %s"),
		    f->seq, gt_cstore_errmsg(p->h->st));
		return rc;
	}
	bar_break(p);
	switch (disp) {
	case GT_CSTORE_RETRY:
		p->r->batches_retry++;
		p->retry_code = code;
		snprintf(p->retry_msg, sizeof(p->retry_msg), "%s", shown);
		say(p->h,
		    _("gtsync push: the server could not take batch %" PRIu64 " now (%s); it "
		      "stays saved and is sent again"),
		    f->seq, shown);
		break;
	case GT_CSTORE_REQUEUE:
		p->requeues++;
		p->queue_empty = 0;
		if (f->n_actions > 0)
			say(p->h,
			    _("gtsync push: the server refused batch %" PRIu64 " (%s); its %" PRIu32
			      " workflow actions are queued again in a new batch"),
			    f->seq, shown, f->n_actions);
		else
			say(p->h,
			    _("gtsync push: the server refused batch %" PRIu64 " (%s); its %" PRIu32
			      " values are queued again in a new batch"),
			    f->seq, shown, f->n_values);
		break;
	default:
		p->r->batches_refused++;
		p->r->values_refused += f->n_values;
		p->r->actions_refused += f->n_actions;
		progress(p, f->n_values);
		if (f->n_actions > 0)
			say(p->h,
			    _("gtsync push: the server refused batch %" PRIu64
			      " for good: %s. Its %" PRIu32
			      " workflow actions are marked refused (see 'gtsync status')."),
			    f->seq, shown, f->n_actions);
		else
			say(p->h,
			    _("gtsync push: the server refused batch %" PRIu64
			      " for good: %s. Its %" PRIu32 " values are marked refused (see "
			      "'gtsync status') and are not sent again."),
			    f->seq, shown, f->n_values);
		break;
	}
	return GT_OK;
}

/* Handles one envelope from the server. Returns 0, or a code that ends the session. */
static int on_reply(struct pusher *p, gt_envelope *env)
{
	char sm[GT_SERVERMSG_MAX];
	struct inflight f;
	size_t i;
	uint32_t conflicts = 0;
	int rc;

	for (i = 0; i < p->ninflight; i++)
		if (p->inflight[i].rid == env->request_id)
			break;
	if (i == p->ninflight) {
		if (env->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR) {
			/* The server gave up on the connection as a whole. */
			const Gtsync__V1__Error *e = env->error;
			int code = e->code < 0 && e->code >= GT_ERR_MIN ? e->code : GT_EPROTO;
			bar_break(p);
			say(p->h, _("gtsync push: the server closed the connection: %s"),
			    gt_servermsg_error(code, e->message, sm));
			return gt_home_transient(code) ? code : GT_EPROTO;
		}
		return GT_OK; /* not ours to handle */
	}
	f = p->inflight[i];
	p->inflight[i] = p->inflight[--p->ninflight];
	if (env->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR) {
		const Gtsync__V1__Error *e = env->error;
		return refused(p, &f, e->code, e->message);
	}
	if (env->body_case != GTSYNC__V1__ENVELOPE__BODY_PUSH_ACK) {
		bar_break(p);
		say(p->h, _("gtsync push: the server answered a batch with something else"));
		return GT_EPROTO;
	}
	const Gtsync__V1__PushAck *ack = env->push_ack;
	switch (ack->status) {
	case GTSYNC__V1__PUSH_STATUS__PUSH_OK:
	case GTSYNC__V1__PUSH_STATUS__PUSH_WARNING:
	case GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE:
		rc = gt_cstore_batch_acked(p->h->st, f.seq, ack, gt_clock_wall_ms(), &conflicts);
		if (rc != GT_OK) {
			p->local = 1;
			bar_break(p);
			say(p->h,
			    _("gtsync push: batch %" PRIu64 " was %s, but that cannot be recorded "
			      "here (%s); it will be sent again and acknowledged as a duplicate"),
			    f.seq, gt_protonames_status((int)ack->status),
			    gt_cstore_errmsg(p->h->st));
			return rc;
		}
		if (ack->status == GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE) {
			p->r->batches_dup++;
			p->r->actions_dup += f.n_actions;
		} else {
			uint32_t skipped = 0;
			p->r->batches_acked++;
			for (size_t k = 0; k < ack->n_conflicts; k++)
				if (ack->conflicts[k]->kind == GTSYNC__V1__ITEM_KIND__ITEM_ACTION)
					skipped += (uint32_t)ack->conflicts[k]->n_indexes;
			if (skipped > f.n_actions)
				skipped = f.n_actions;
			p->r->actions_skipped += skipped;
			p->r->actions_applied += f.n_actions - skipped;
		}
		p->r->values_conflict += conflicts;
		p->r->values_acked += f.n_values - (conflicts <= f.n_values ? conflicts : 0);
		progress(p, f.n_values);
		return GT_OK;
	case GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED:
		return refused(p, &f, ack->refuse_code, ack->message);
	default:
		bar_break(p);
		say(p->h,
		    _("gtsync push: the server answered batch %" PRIu64 " with an unknown "
		      "status"),
		    f.seq);
		return GT_EPROTO;
	}
}

/* ---- One connection ---- */

/* Takes the session's limits from the server's AuthResult and the options. */
static void session_limits(struct pusher *p, const Gtsync__V1__AuthResult *ar)
{
	size_t frame = ar->max_frame_bytes ? ar->max_frame_bytes : GT_DEFAULT_MAX_FRAME;

	p->server_last_seq = ar->last_sequence;
	p->max_values =
	    ar->max_values_per_batch ? ar->max_values_per_batch : GT_DEFAULT_MAX_VALUES_PER_BATCH;
	if (p->o->batch_values && p->o->batch_values < p->max_values)
		p->max_values = p->o->batch_values;
	if (frame > GT_PUSH_MAX_FRAME)
		frame = GT_PUSH_MAX_FRAME;
	p->frame_budget = frame > 2 * GT_PUSH_FRAME_SLACK ? frame - GT_PUSH_FRAME_SLACK : frame / 2;
	p->window = p->o->window ? p->o->window : GT_PUSH_WINDOW;
	if (ar->max_in_flight && ar->max_in_flight < p->window)
		p->window = ar->max_in_flight;
}

/* Checks what the login said before anything is sent: a metadata version other than the
 * client's (a note), a key that may not write values while values wait (GT_EPERM). */
static int session_checks(struct pusher *p, const Gtsync__V1__AuthResult *ar)
{
	struct gt_home *h = p->h;
	uint64_t mdv = 0, values_unsent = 0;
	int rc;

	if (gt_cstore_config_get_u64(h->st, GT_CSTORE_CFG_MD_VERSION, &mdv) == GT_OK &&
	    ar->metadata_version != 0 && mdv != ar->metadata_version) {
		bar_break(p);
		say(h,
		    _("gtsync push: note: the server has metadata version %" PRIu64
		      " and this client %" PRIu64
		      "; run 'gtsync metadata pull' to check values against the server's"),
		    ar->metadata_version, mdv);
	}
	if ((rc = gt_cstore_unsent(h->st, &values_unsent)) != GT_OK) {
		p->local = 1;
		return rc;
	}
	if (!gt_roleset_has(gt_roleset_of_auth(ar), GTSYNC__V1__ROLE__ROLE_OPERATOR) &&
	    values_unsent > 0) {
		bar_break(p);
		say(h,
		    _("gtsync push: this key is registered as %s for %s; only an operator key may "
		      "write data values. Nothing was sent; the values stay queued."),
		    h->role[0] ? h->role : _("another role"), ar->org_unit ? ar->org_unit : "?");
		return GT_EPERM;
	}
	return GT_OK;
}

/* Sends batches while the window has room and applies the answers, until nothing is in flight
 * and nothing is left to send. */
static int exchange(struct pusher *p)
{
	for (;;) {
		gt_envelope *env = NULL;
		struct gt_session_err rerr;
		int rc;

		while (p->ninflight < p->window) {
			rc = send_next(p);
			if (rc == GT_ENOENT)
				break;
			if (rc != GT_OK)
				return rc;
		}
		if (p->ninflight == 0)
			return GT_OK;
		rc = gt_session_recv(p->s, &env, &rerr);
		if (rc != GT_OK) {
			bar_break(p);
			gt_home_explain(p->h, "gtsync push", &rerr);
			(void)gt_cstore_config_set(p->h->st, GT_CSTORE_CFG_LAST_ERROR,
			                           rerr.message);
			return rc;
		}
		rc = on_reply(p, env);
		gt_wire_envelope_free(env);
		if (rc != GT_OK)
			return rc;
	}
}

static int session_once(struct pusher *p)
{
	struct gt_home *h = p->h;
	struct gt_session_err err;
	gt_envelope *auth = NULL;
	int rc;

	p->retry_code = 0;
	p->queue_empty = 0;
	p->ninflight = 0;
	gt_cstore_batches_free(p->pending, p->npending);
	p->pending = NULL;
	p->npending = p->next_pending = 0;

	(void)gt_cstore_config_set_u64(h->st, GT_CSTORE_CFG_LAST_ATTEMPT,
	                               (uint64_t)gt_clock_wall_ms());
	p->r->tries++;
	rc = gt_home_connect(h, p->o->timeout_ms, &p->s, &auth, &err);
	if (rc != GT_OK) {
		bar_break(p);
		gt_home_explain(h, "gtsync push", &err);
		(void)gt_cstore_config_set(h->st, GT_CSTORE_CFG_LAST_ERROR,
		                           err.message[0] ? err.message : gt_error_text(rc));
		return rc;
	}
	session_limits(p, auth->auth_result);
	if ((rc = session_checks(p, auth->auth_result)) != GT_OK)
		goto out;
	rc = gt_cstore_batches_pending(h->st, &p->pending, &p->npending);
	if (rc != GT_OK) {
		p->local = 1;
		bar_break(p);
		say(h, _("gtsync push: cannot read the saved batches: %s"),
		    gt_cstore_errmsg(h->st));
		goto out;
	}
	p->inflight = calloc(p->window, sizeof(*p->inflight));
	if (p->inflight == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	rc = exchange(p);
	if (rc == GT_OK && p->retry_code != 0) {
		(void)gt_cstore_config_set(h->st, GT_CSTORE_CFG_LAST_ERROR, p->retry_msg);
		rc = GT_EBUSY; /* the server's passing refusal, whatever its code */
	}
out:
	free(p->inflight);
	p->inflight = NULL;
	gt_session_close(p->s);
	p->s = NULL;
	gt_wire_envelope_free(auth);
	return rc;
}

static void sleep_ms(uint32_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Writes a count as the language groups it (Indonesian "4.330", English "4,330"); returns buf. */
static const char *count(uint64_t v, char buf[GT_HUMAN_MAX])
{
	gt_human_number((double)v, buf, GT_HUMAN_MAX);
	return buf;
}

/* Runs sessions until one ends well, or a failure is not transient, or the tries are spent
 * (progress on the way counts the tries afresh), waiting the backoff between them. */
static int push_tries(struct pusher *p)
{
	const struct gt_push_opts *o = p->o;
	struct gt_push_result *res = p->r;
	unsigned tries = o->tries ? o->tries : GT_BACKOFF_TRIES;
	uint32_t base = o->backoff_base_ms ? o->backoff_base_ms : GT_BACKOFF_BASE_MS;
	uint32_t cap = o->backoff_cap_ms ? o->backoff_cap_ms : GT_BACKOFF_CAP_MS;
	char n[GT_HUMAN_MAX];
	unsigned attempt = 0;
	int rc;

	for (;;) {
		uint64_t before = res->values_acked + res->values_conflict + res->values_refused +
		                  res->batches_dup;
		rc = session_once(p);
		if (rc == GT_OK)
			break;
		if (p->local || !gt_home_transient(rc))
			break;
		if (res->values_acked + res->values_conflict + res->values_refused +
		        res->batches_dup >
		    before)
			attempt = 0; /* progress: the link works, count tries afresh */
		attempt++;
		if (attempt >= tries)
			break;
		uint32_t d = gt_backoff_delay_ms(attempt - 1, base, cap, gt_backoff_random());
		uint64_t left = 0;
		(void)gt_cstore_unsent(p->h->st, &left);
		bar_break(p);
		say(p->h,
		    _("gtsync push: %s values stay queued; retrying in %.1f s (try %u of %u)"),
		    count(left, n), d / 1000.0, attempt + 1, tries);
		sleep_ms(d);
	}
	return rc;
}

/* The summary of what a push did, on o->out. */
static void push_summary(const struct gt_push_opts *o, const struct gt_push_result *res)
{
	char n[7][GT_HUMAN_MAX];

	if (o->out == NULL)
		return;
	fprintf(o->out,
	        P_("push: %s batch sent (%s new, %s already on the server), %s values "
	           "acknowledged, %s in conflict, %s refused, %s left to send\n",
	           "push: %s batches sent (%s new, %s already on the server), %s values "
	           "acknowledged, %s in conflict, %s refused, %s left to send\n",
	           (unsigned long)res->batches_sent),
	        count(res->batches_sent, n[0]), count(res->batches_made, n[1]),
	        count(res->batches_dup, n[2]), count(res->values_acked, n[3]),
	        count(res->values_conflict, n[4]), count(res->values_refused, n[5]),
	        count(res->values_left, n[6]));
	if (res->actions_applied + res->actions_skipped + res->actions_refused + res->actions_dup >
	    0)
		fprintf(o->out,
		        _("push: workflow actions: %s applied, %s skipped by the server, %s "
		          "refused, %s already on the server (see 'gtsync status')\n"),
		        count(res->actions_applied, n[0]), count(res->actions_skipped, n[1]),
		        count(res->actions_refused, n[2]), count(res->actions_dup, n[3]));
}

int gt_push_run(struct gt_home *h, const struct gt_push_opts *o, struct gt_push_result *res)
{
	char n[GT_HUMAN_MAX];
	struct gt_push_result local;
	struct pusher p;
	struct gt_cstore_status st;
	int rc;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	memset(&p, 0, sizeof(p));
	p.h = h;
	p.o = o;
	p.r = res;
	if ((rc = gt_cstore_status(h->st, &st)) != GT_OK) {
		say(h, _("gtsync push: cannot read the outbox: %s"), gt_cstore_errmsg(h->st));
		return rc;
	}
	p.total = st.values[GT_CSTORE_QUEUED] + st.values[GT_CSTORE_BATCHED];
	if (p.total == 0 && st.actions[GT_CSTORE_QUEUED] == 0 &&
	    st.batches[GT_CSTORE_BATCH_PENDING] == 0) {
		if (o->out != NULL)
			fprintf(o->out, _("push: nothing to send\n"));
		return GT_OK;
	}
	gt_progress_start(&p.bar, o->progress, 0, C_("progress", "push"), _("values"), p.total);
	rc = push_tries(&p);
	gt_progress_end(&p.bar);
	gt_cstore_batches_free(p.pending, p.npending);
	(void)gt_cstore_unsent(h->st, &res->values_left);
	if (rc == GT_OK) {
		(void)gt_cstore_config_set_u64(h->st, GT_CSTORE_CFG_LAST_PUSH,
		                               (uint64_t)gt_clock_wall_ms());
		(void)gt_cstore_config_set(h->st, GT_CSTORE_CFG_LAST_ERROR, "");
	} else if (!p.local && gt_home_transient(rc)) {
		say(h,
		    P_("gtsync push: gave up for now after %u try; %s values stay queued and go "
		       "out with the next 'gtsync push'",
		       "gtsync push: gave up for now after %u tries; %s values stay queued and go "
		       "out with the next 'gtsync push'",
		       res->tries),
		    res->tries, count(res->values_left, n));
	}
	push_summary(o, res);
	if (rc == GT_OK && res->batches_refused > 0)
		rc = GT_EPERM;
	return rc;
}
