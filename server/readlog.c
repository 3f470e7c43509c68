/* Records each read served (report, pull, export) through the writer, off the read path
 * (issue 14: reads of consolidated data are attributable). */
#include "readlog.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "server.h"
#include "store_reads.h"
#include "writer.h"

/* A read to record: the writer's job and copies of its strings. */
struct read_job {
	struct gt_wjob job;
	struct gt_server *srv;
	struct gt_store_read r;
	int64_t keep_from_ms;
	char text[]; /* the strings, each NUL-terminated */
};

static int apply(struct gt_store *st, struct gt_wjob *job)
{
	struct read_job *j = (struct read_job *)job;

	return gt_store_read_record(st, &j->r, j->keep_from_ms);
}

static void done(struct gt_wjob *job, int commit_rc)
{
	struct read_job *j = (struct read_job *)job;

	if (commit_rc != GT_OK || job->rc != GT_OK)
		gt_log_event(&j->srv->log, GT_LOG_WARN, "read_log_lost",
		             "key=%s kind=%s org=%s rc=%d", j->r.key_id, j->r.kind, j->r.org_unit,
		             commit_rc != GT_OK ? commit_rc : job->rc);
	free(j);
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
	const char *in[6] = {key_id, key_org, kind, org_unit, dataset, period};
	size_t len = 0;
	struct read_job *j;
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
	j = calloc(1, sizeof(*j) + len);
	if (j == NULL) {
		gt_log_event(&srv->log, GT_LOG_WARN, "read_log_lost", "key=%s kind=%s rc=%d",
		             key_id, kind, GT_ENOMEM);
		return;
	}
	p = j->text;
	j->srv = srv;
	j->job.apply = apply;
	j->job.done = done;
	j->job.weight = 1;
	j->r.at_ms = now_ms;
	j->r.key_id = put(&p, in[0]);
	j->r.key_org = put(&p, in[1]);
	j->r.roles = roles;
	j->r.kind = put(&p, in[2]);
	j->r.org_unit = put(&p, in[3]);
	j->r.dataset = put(&p, in[4]);
	j->r.period = put(&p, in[5]);
	j->r.items = items;
	j->keep_from_ms =
	    srv->cfg.read_log_days == 0 ? 0 : now_ms - (int64_t)srv->cfg.read_log_days * 86400000;
	if (gt_writer_submit(srv->writer, &j->job) != GT_OK) {
		gt_log_event(&srv->log, GT_LOG_WARN, "read_log_lost", "key=%s kind=%s rc=%d",
		             key_id, kind, GT_ESTATE);
		free(j);
	}
}
