/* Polls the store's admin change counter and applies keys, org units and metadata live. */
#include "watch.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "error.h"
#include "i18n.h"
#include "readpool.h"
#include "snapshot.h"
#include "store.h"
#include "vec.h"

/* Tells a revoked key's open connections why they are closed. */
#define GT_WATCH_REVOKED_MSG                                                                       \
	N_("this key has been revoked; the connection is closed. Ask the central administrator "   \
	   "for "                                                                                  \
	   "a new key")

/* What a live connection needs to know of its key after an admin change. */
struct watch_key {
	char key_id[GT_KEY_ID_LEN + 1];
	unsigned roles;
	int revoked;
};

struct gt_watch {
	struct gt_server *srv;
	uv_timer_t timer;
	uv_work_t req;
	int busy;         /* a poll is on the thread pool */
	int stopped;      /* gt_watch_stop() was called */
	int timer_closed; /* the timer's close callback ran */
	uint64_t seen;    /* the counter value last applied */
	/* The poll's results, read on the loop once it is done. */
	int rc;
	uint64_t seq;
	struct gt_snapshot *snap;
	struct watch_key *keys; /* every registered key, sorted by key id */
	size_t nkeys, capkeys;
};

static void maybe_free(struct gt_watch *w)
{
	if (w->stopped && w->timer_closed && !w->busy) {
		free(w->keys);
		free(w);
	}
}

static int collect_key(void *arg, const struct gt_store_key *k)
{
	struct gt_watch *w = arg;

	if (GT_VEC_RESERVE(w->keys, w->capkeys, w->nkeys + 1) != GT_OK)
		return GT_ENOMEM;
	snprintf(w->keys[w->nkeys].key_id, sizeof(w->keys[0].key_id), "%s", k->key_id);
	w->keys[w->nkeys].roles = k->roles;
	w->keys[w->nkeys].revoked = k->revoked;
	w->nkeys++;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct watch_key *)a)->key_id, ((const struct watch_key *)b)->key_id);
}

static void poll_work(uv_work_t *req)
{
	struct gt_watch *w = req->data;
	struct gt_store *st = NULL;

	w->snap = NULL;
	w->nkeys = 0;
	if ((w->rc = gt_readpool_get(w->srv->readers, &st)) != GT_OK)
		return;
	w->rc = gt_store_admin_seq(st, &w->seq);
	if (w->rc == GT_OK && w->seq != w->seen) {
		w->rc = gt_snapshot_load(st, &w->snap);
		if (w->rc == GT_OK)
			w->rc = gt_store_key_list(st, collect_key, w);
		if (w->rc == GT_OK && w->nkeys > 1)
			qsort(w->keys, w->nkeys, sizeof(*w->keys), cmp_key);
	}
	gt_readpool_put(w->srv->readers, st);
}

/* The key's current record, or NULL when the store no longer lists it (treated as revoked). */
static const struct watch_key *find_key(const struct gt_watch *w, const char *key_id)
{
	struct watch_key probe;

	snprintf(probe.key_id, sizeof(probe.key_id), "%s", key_id);
	return bsearch(&probe, w->keys, w->nkeys, sizeof(*w->keys), cmp_key);
}

static void apply(struct gt_watch *w)
{
	struct gt_server *srv = w->srv;
	struct gt_conn *c, *next;
	unsigned closed = 0, changed = 0;

	gt_snapshot_unref(srv->snap);
	srv->snap = w->snap;
	w->snap = NULL;
	w->seen = w->seq;
	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state != GT_CONN_READY || c->doomed)
			continue;
		const struct watch_key *k = find_key(w, c->rep.key_id);
		if (k == NULL || k->revoked) {
			gt__conn_error(c, 0, GT_EKEY, GT_WATCH_REVOKED_MSG, 1);
			closed++;
		} else if (k->roles != c->rep.roles) {
			/* A role granted or taken away applies to the next request of a live
			 * connection; requests already admitted keep the roles they were checked
			 * by. */
			c->rep.roles = k->roles;
			changed++;
		}
	}
	gt_log_event(&srv->log, GT_LOG_INFO, "admin_change",
	             "change=%llu metadata_version=%llu orgunits=%zu revoked_conns_closed=%u "
	             "role_changes=%u",
	             (unsigned long long)w->seen, (unsigned long long)srv->snap->md_version,
	             srv->snap->nous, closed, changed);
}

static void poll_done(uv_work_t *req, int status)
{
	struct gt_watch *w = req->data;

	w->busy = 0;
	if (w->stopped || status != 0) {
		gt_snapshot_unref(w->snap);
		w->snap = NULL;
		maybe_free(w);
		return;
	}
	if (w->rc != GT_OK) {
		/* Logged once per change; the server goes on with what it has. */
		if (w->seq != w->seen)
			gt_log_event(&w->srv->log, GT_LOG_WARN, "admin_change_failed",
			             "change=%llu reason=%s", (unsigned long long)w->seq,
			             gt_strerror(w->rc));
		gt_snapshot_unref(w->snap);
		w->snap = NULL;
		w->seen = w->seq;
		return;
	}
	if (w->snap != NULL)
		apply(w);
}

static void on_tick(uv_timer_t *t)
{
	struct gt_watch *w = t->data;

	if (w->busy || w->stopped)
		return;
	w->busy = 1;
	if (uv_queue_work(w->srv->loop, &w->req, poll_work, poll_done) != 0)
		w->busy = 0;
}

int gt_watch_start(struct gt_server *srv, uint64_t seen, struct gt_watch **out)
{
	struct gt_watch *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (w == NULL)
		return GT_ENOMEM;
	w->srv = srv;
	w->seen = seen;
	w->req.data = w;
	if (uv_timer_init(srv->loop, &w->timer) != 0) {
		free(w);
		return GT_EINVAL;
	}
	w->timer.data = w;
	uv_timer_start(&w->timer, on_tick, GT_WATCH_INTERVAL_MS, GT_WATCH_INTERVAL_MS);
	*out = w;
	return GT_OK;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct gt_watch *w = h->data;
	w->timer_closed = 1;
	maybe_free(w);
}

void gt_watch_stop(struct gt_watch *w)
{
	if (w == NULL || w->stopped)
		return;
	w->stopped = 1;
	uv_timer_stop(&w->timer);
	uv_close((uv_handle_t *)&w->timer, on_timer_closed);
}
