/* Records each read served (report, pull, export) through the writer, off the read path, many
 * reads to a job (issue 14: reads of consolidated data are attributable). */
#include "readlog.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "server_int.h"
#include "store_reads.h"
#include "vec.h"
#include "writer.h"

/* A read to record, with copies of its strings. */
struct row {
	struct gt_store_read r;
	char text[]; /* the strings, each NUL-terminated */
};

/* The reads waiting for the writer, on the loop thread. */
struct gt__readlog {
	struct gt_server *srv;
	uv_timer_t timer;
	struct row **rows;
	size_t n, cap;
	unsigned inflight; /* jobs submitted and not done */
	int closing;       /* gt__readlog_close() ran: no timer, free when the jobs are done */
	int timer_open;
};

/* One writer job: the rows it records, owned. */
struct read_job {
	struct gt_wjob job;
	struct gt__readlog *rl;
	struct row **rows;
	size_t n;
	int64_t keep_from_ms;
};

static void free_rows(struct row **rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
}

static void maybe_free(struct gt__readlog *rl)
{
	if (!rl->closing || rl->timer_open || rl->inflight > 0)
		return;
	free_rows(rl->rows, rl->n);
	free(rl);
}

/* Records every row, then forgets the reads older than the retention once. */
static int apply(struct gt_store *st, struct gt_wjob *job)
{
	struct read_job *j = (struct read_job *)job;
	int rc = GT_OK;

	for (size_t i = 0; i < j->n && rc == GT_OK; i++)
		rc = gt_store_read_record(st, &j->rows[i]->r, i + 1 == j->n ? j->keep_from_ms : 0);
	return rc;
}

static void flush(struct gt__readlog *rl);
static void on_timer(uv_timer_t *t);

static void done(struct gt_wjob *job, int commit_rc)
{
	struct read_job *j = (struct read_job *)job;
	struct gt__readlog *rl = j->rl;

	if (commit_rc != GT_OK || job->rc != GT_OK)
		gt_log_event(&rl->srv->log, GT_LOG_WARN, "read_log_lost",
		             "reads=%zu first_key=%s kind=%s rc=%d", j->n, j->rows[0]->r.key_id,
		             j->rows[0]->r.kind, commit_rc != GT_OK ? commit_rc : job->rc);
	free_rows(j->rows, j->n);
	free(j);
	rl->inflight--;
	if (rl->closing) {
		maybe_free(rl);
		return;
	}
	if (rl->n >= GT_READLOG_BATCH)
		flush(rl);
	else if (rl->n > 0 && !uv_is_active((uv_handle_t *)&rl->timer))
		uv_timer_start(&rl->timer, on_timer, GT_READLOG_FLUSH_MS, 0);
}

/* Hands every waiting row to the writer as one job. */
static void flush(struct gt__readlog *rl)
{
	struct gt_server *srv = rl->srv;
	struct read_job *j;

	if (rl->n == 0)
		return;
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		gt_log_event(&srv->log, GT_LOG_WARN, "read_log_lost", "reads=%zu rc=%d", rl->n,
		             GT_ENOMEM);
		free_rows(rl->rows, rl->n);
		goto out;
	}
	j->rl = rl;
	j->rows = rl->rows;
	j->n = rl->n;
	j->job.apply = apply;
	j->job.done = done;
	j->job.weight = rl->n;
	j->keep_from_ms =
	    srv->cfg.read_log_days == 0
	        ? 0
	        : j->rows[j->n - 1]->r.at_ms - (int64_t)srv->cfg.read_log_days * 86400000;
	if (gt_writer_submit(srv->writer, &j->job) != GT_OK) {
		gt_log_event(&srv->log, GT_LOG_WARN, "read_log_lost", "reads=%zu rc=%d", rl->n,
		             GT_ESTATE);
		free_rows(rl->rows, rl->n);
		free(j);
		goto out;
	}
	rl->inflight++;
out:
	rl->rows = NULL;
	rl->n = 0;
	rl->cap = 0;
}

static void on_timer(uv_timer_t *t)
{
	struct gt__readlog *rl = t->data;

	/* A job in flight flushes what waits when it is done. */
	if (rl->inflight == 0)
		flush(rl);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct gt__readlog *rl = h->data;

	rl->timer_open = 0;
	maybe_free(rl);
}

int gt__readlog_open(struct gt_server *srv, struct gt__readlog **out)
{
	struct gt__readlog *rl = calloc(1, sizeof(*rl));
	int rc;

	*out = NULL;
	if (rl == NULL)
		return GT_ENOMEM;
	rl->srv = srv;
	if ((rc = gt_err_from_uv(uv_timer_init(srv->loop, &rl->timer))) != GT_OK) {
		free(rl);
		return rc;
	}
	rl->timer.data = rl;
	rl->timer_open = 1;
	*out = rl;
	return GT_OK;
}

void gt__readlog_close(struct gt__readlog *rl)
{
	if (rl == NULL || rl->closing)
		return;
	rl->closing = 1;
	flush(rl);
	uv_close((uv_handle_t *)&rl->timer, on_timer_closed);
}

/* Copies s (NULL: "") to *p, advancing it; returns the copy. */
static const char *put(char **p, const char *s)
{
	size_t n = strlen(s != NULL ? s : "") + 1;
	char *out = *p;

	memcpy(out, s != NULL ? s : "", n);
	*p += n;
	return out;
}

void gt__readlog_note(struct gt_server *srv, const char *key_id, const char *key_org,
                      unsigned roles, const char *kind, const char *org_unit, const char *dataset,
                      const char *period, uint64_t items, int64_t now_ms)
{
	struct gt__readlog *rl = srv->readlog;
	const char *in[6] = {key_id, key_org, kind, org_unit, dataset, period};
	size_t len = 0;
	struct row *w;
	char *p;

	if (srv->cfg.read_log_off)
		return;
	for (int i = 0; i < 6; i++) {
		size_t n = strlen(in[i] != NULL ? in[i] : "");
		if (n > GT_READLOG_MAX_FIELD) {
			in[i] = "(too long)";
			n = strlen(in[i]);
		}
		len += n + 1;
	}
	if (rl == NULL || rl->closing || rl->n >= GT_READLOG_MAX_WAITING ||
	    (w = calloc(1, sizeof(*w) + len)) == NULL) {
		gt_log_event(&srv->log, GT_LOG_WARN, "read_log_lost", "key=%s kind=%s rc=%d",
		             key_id, kind,
		             rl == NULL || rl->closing         ? GT_ESTATE
		             : rl->n >= GT_READLOG_MAX_WAITING ? GT_EBUSY
		                                               : GT_ENOMEM);
		return;
	}
	if (GT_VEC_RESERVE(rl->rows, rl->cap, rl->n + 1) != GT_OK) {
		gt_log_event(&srv->log, GT_LOG_WARN, "read_log_lost", "key=%s kind=%s rc=%d",
		             key_id, kind, GT_ENOMEM);
		free(w);
		return;
	}
	p = w->text;
	w->r.at_ms = now_ms;
	w->r.key_id = put(&p, in[0]);
	w->r.key_org = put(&p, in[1]);
	w->r.roles = roles;
	w->r.kind = put(&p, in[2]);
	w->r.org_unit = put(&p, in[3]);
	w->r.dataset = put(&p, in[4]);
	w->r.period = put(&p, in[5]);
	w->r.items = items;
	rl->rows[rl->n++] = w;
	if (rl->inflight == 0 && rl->n >= GT_READLOG_BATCH)
		flush(rl);
	else if (!uv_is_active((uv_handle_t *)&rl->timer))
		uv_timer_start(&rl->timer, on_timer, GT_READLOG_FLUSH_MS, 0);
}
