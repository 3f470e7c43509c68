/* What a home holds, for a person or a script: the outbox, batches, the values the server did
 * not apply, workflow actions, the replica, the last sync. */
#include "status.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain.h"
#include "error.h"
#include "humanfmt.h"
#include "i18n.h"
#include "protonames.h"
#include "servermsg.h"
#include "termtext.h"
#include "timezone.h"
#include "treelog.h"

/* The settings status shows, and their times as a person reads them. */
struct settings {
	uint64_t last_push, last_pull, last_try, md_version;
	char last_error[GT_CSTORE_MAX_CONFIG];
	char t_push[32], t_pull[32], t_try[32];
};

/* Writes ms as an ISO time, or "never". */
static void format_time(uint64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "never");
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A time for a person: "3 Des 2026 14:05 WITA" in the office's zone, or "never", in the
 * language in use; buf holds GT_HUMAN_MAX bytes. */
static const char *human_time(uint64_t ms, const char *zone, char *buf)
{
	if (ms == 0 ||
	    gt_human_time((int64_t)ms, zone[0] ? zone : NULL, buf, GT_HUMAN_MAX) != GT_OK)
		return _("never");
	return buf;
}

/* A count for a person, grouped as the language groups thousands ("4.330", "4,330"); buf
 * holds GT_HUMAN_MAX bytes. */
static const char *human_count(uint64_t n, char *buf)
{
	if (gt_human_number((double)n, buf, GT_HUMAN_MAX) != GT_OK)
		snprintf(buf, GT_HUMAN_MAX, "%" PRIu64, n);
	return buf;
}

/* Writes key=value, quoting the value (quotes and backslashes escaped) when it is empty or
 * holds spaces, quotes, '=' or anything the terminal escape changes. */
static void kv(FILE *out, const char *key, const char *value)
{
	int plain = value[0] != '\0' && strpbrk(value, " \"\\=") == NULL &&
	            gt_termtext_escape(NULL, 0, value, 0) == strlen(value);

	fprintf(out, "%s=", key);
	if (plain) {
		fputs(value, out);
		return;
	}
	fputc('"', out);
	gt_termtext_put(out, value, GT_TERMTEXT_QUOTE);
	fputc('"', out);
}

/* Writes " key=value" for each pair, then a newline. */
static void kv_line(FILE *out, const char *const *pairs, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		fputc(' ', out);
		kv(out, pairs[i], pairs[i + 1]);
	}
	fputc('\n', out);
}

/* ---- The values the server did not apply ---- */

struct problems {
	FILE *out;
	int plain;
	int last_state, last_reason;
	unsigned shown; /* values listed in the current group */
};

static const char *problem_reason(const struct gt_cstore_problem *p)
{
	return p->state == GT_CSTORE_CONFLICT ? gt_protonames_conflict(p->reason)
	                                      : gt_errname(p->reason);
}

static int print_problem(void *arg, const struct gt_cstore_problem *p)
{
	char sm[GT_SERVERMSG_MAX];
	struct problems *x = arg;
	FILE *out = x->out;
	const char *word = p->state == GT_CSTORE_CONFLICT ? N_("conflict") : N_("refused");
	struct gt_termtext t = {0};

	if (x->plain) {
		const char *pairs[] = {"reason",        problem_reason(p), "dataelement",
		                       p->data_element, "period",          p->period,
		                       "orgunit",       p->org_unit,       "categoryoptioncombo",
		                       p->coc,          "value",           p->value,
		                       "source",        p->source,         "message",
		                       p->message};
		fputs(word, out);
		kv_line(out, pairs, sizeof(pairs) / sizeof(pairs[0]));
		return 0;
	}
	if (p->state != x->last_state || p->reason != x->last_reason) {
		if (x->last_state == GT_CSTORE_CONFLICT && p->state != GT_CSTORE_CONFLICT)
			fprintf(out, "\n");
		fprintf(out, "  %s %s: %s\n", _(word), problem_reason(p),
		        gt_termtext_str(&t, p->state == GT_CSTORE_CONFLICT
		                                ? gt_servermsg_conflict(p->reason, p->message, sm)
		                                : gt_servermsg_error(p->reason, p->message, sm)));
		x->last_state = p->state;
		x->last_reason = p->reason;
		x->shown = 0;
	}
	if (x->shown++ < GT_STATUS_MAX_LISTED)
		fprintf(out, _("    %s %s %s %s = %s  (%s, batch %" PRIu64 ")\n"),
		        gt_termtext_str(&t, p->data_element), gt_termtext_str(&t, p->period),
		        gt_termtext_str(&t, p->org_unit),
		        gt_termtext_str(&t, p->coc[0] ? p->coc : "-"),
		        gt_termtext_str(&t, p->value), gt_termtext_str(&t, p->source), p->seq);
	else if (x->shown == GT_STATUS_MAX_LISTED + 1)
		fprintf(out, "%s\n", _("    ... (more; 'gtsync status --format plain' lists all)"));
	gt_termtext_clear(&t);
	return 0;
}

/* ---- Workflow actions ---- */

/* The word for where a workflow action stands. */
static const char *action_outcome(const struct gt_cstore_action *a)
{
	switch (a->state) {
	case GT_CSTORE_QUEUED:
		return N_("queued");
	case GT_CSTORE_BATCHED:
		return N_("sent");
	case GT_CSTORE_ACKED:
		return a->status == GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE ? N_("duplicate")
		                                                            : N_("applied");
	case GT_CSTORE_CONFLICT:
		return N_("skipped");
	default:
		return N_("refused");
	}
}

static const char *action_why(const struct gt_cstore_action *x)
{
	return x->state == GT_CSTORE_CONFLICT  ? gt_protonames_conflict(x->conflict)
	       : x->state == GT_CSTORE_REFUSED ? gt_errname(x->code)
	                                       : "";
}

static void print_action(FILE *out, const struct gt_cstore_action *x, int plain)
{
	char sm[GT_SERVERMSG_MAX];
	struct gt_termtext t = {0};

	if (plain) {
		char batch[32], values[32];
		snprintf(batch, sizeof(batch), "%" PRIu64, x->seq);
		snprintf(values, sizeof(values), "%" PRIu64, x->n_digested);
		const char *pairs[] = {"kind",    gt_protonames_kind(x->kind),
		                       "dataset", x->dataset,
		                       "period",  x->period,
		                       "orgunit", x->org_unit,
		                       "outcome", action_outcome(x),
		                       "why",     action_why(x),
		                       "message", x->state >= GT_CSTORE_CONFLICT ? x->message : "",
		                       "reason",  x->reason,
		                       "batch",   batch,
		                       "values",  values};
		fputs("action", out);
		kv_line(out, pairs, sizeof(pairs) / sizeof(pairs[0]));
		return;
	}
	fprintf(out, "  %-9s %s %s %s: %s", gt_protonames_kind(x->kind),
	        gt_termtext_str(&t, x->dataset), gt_termtext_str(&t, x->period),
	        gt_termtext_str(&t, x->org_unit), _(action_outcome(x)));
	if (x->state >= GT_CSTORE_CONFLICT)
		fprintf(out, " (%s: %s)", action_why(x),
		        gt_termtext_str(&t, x->state == GT_CSTORE_CONFLICT
		                                ? gt_servermsg_conflict(x->conflict, x->message, sm)
		                                : gt_servermsg_error(x->code, x->message, sm)));
	if (x->reason[0])
		fprintf(out, _("; reason: %s"), gt_termtext_str(&t, x->reason));
	if (x->has_digest)
		fprintf(out,
		        P_("; signed %" PRIu64 " value", "; signed %" PRIu64 " values",
		           (unsigned long)x->n_digested),
		        x->n_digested);
	fputc('\n', out);
	gt_termtext_clear(&t);
}

/* Lists the workflow actions: counts, and the most recent ones with their outcome. */
static int print_actions(struct gt_home *h, FILE *out, const struct gt_cstore_status *st, int plain)
{
	struct gt_cstore_action *a = NULL;
	size_t n = 0;
	uint64_t all = 0;
	int rc;

	for (int k = 0; k < 5; k++)
		all += st->actions[k];
	if (plain)
		fprintf(out,
		        "actions_queued=%" PRIu64 "\nactions_sent=%" PRIu64
		        "\nactions_applied=%" PRIu64 "\nactions_skipped=%" PRIu64
		        "\nactions_refused=%" PRIu64 "\n",
		        st->actions[GT_CSTORE_QUEUED], st->actions[GT_CSTORE_BATCHED],
		        st->actions[GT_CSTORE_ACKED], st->actions[GT_CSTORE_CONFLICT],
		        st->actions[GT_CSTORE_REFUSED]);
	if (all == 0)
		return GT_OK;
	rc = gt_cstore_actions_recent(
	    h->st, plain ? GT_STATUS_ACTIONS_PLAIN : GT_STATUS_ACTIONS_HUMAN, &a, &n);
	if (rc != GT_OK) {
		if (h->err != NULL)
			fprintf(h->err, _("gtsync status: cannot read the workflow actions: %s\n"),
			        gt_cstore_errmsg(h->st));
		return rc;
	}
	if (!plain)
		fprintf(out,
		        _("\nWorkflow actions: %" PRIu64 " applied, %" PRIu64
		          " skipped by the server, %" PRIu64 " refused, %" PRIu64
		          " waiting to be sent or answered%s\n"),
		        st->actions[GT_CSTORE_ACKED], st->actions[GT_CSTORE_CONFLICT],
		        st->actions[GT_CSTORE_REFUSED],
		        st->actions[GT_CSTORE_QUEUED] + st->actions[GT_CSTORE_BATCHED],
		        all > n ? _(" (the latest listed)") : "");
	for (size_t i = 0; i < n; i++)
		print_action(out, &a[i], plain);
	gt_cstore_actions_free(a, n);
	return GT_OK;
}

/* ---- The replica ---- */

struct units {
	FILE *out;
	int plain;
};

static int print_unit(void *arg, const char *org, uint64_t n)
{
	struct units *u = arg;

	if (u->plain) {
		fputs("replica_unit", u->out);
		fputc(' ', u->out);
		kv(u->out, "orgunit", org);
		fprintf(u->out, " values=%" PRIu64 "\n", n);
	} else {
		fputs("  ", u->out);
		gt_termtext_put(u->out, org, 0);
		for (size_t k = strlen(org); k < 8; k++)
			fputc(' ', u->out);
		fprintf(u->out,
		        P_(" %" PRIu64 " value\n", " %" PRIu64 " values\n", (unsigned long)n), n);
	}
	return 0;
}

/* ---- The whole status ---- */

static int read_settings(struct gt_home *h, struct settings *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = gt_cstore_config_get_u64(h->st, GT_CSTORE_CFG_LAST_PUSH, &s->last_push)) !=
	        GT_OK ||
	    (rc = gt_cstore_config_get_u64(h->st, GT_CSTORE_CFG_LAST_PULL, &s->last_pull)) !=
	        GT_OK ||
	    (rc = gt_cstore_config_get_u64(h->st, GT_CSTORE_CFG_LAST_ATTEMPT, &s->last_try)) !=
	        GT_OK ||
	    (rc = gt_cstore_config_get_u64(h->st, GT_CSTORE_CFG_MD_VERSION, &s->md_version)) !=
	        GT_OK)
		return rc;
	rc = gt_cstore_config_get(h->st, GT_CSTORE_CFG_LAST_ERROR, s->last_error,
	                          sizeof(s->last_error));
	format_time(s->last_push, s->t_push, sizeof(s->t_push));
	format_time(s->last_pull, s->t_pull, sizeof(s->t_pull));
	format_time(s->last_try, s->t_try, sizeof(s->t_try));
	return rc == GT_ENOENT ? GT_OK : rc;
}

static void header_plain(FILE *out, struct gt_home *h, const struct gt_cstore_status *st,
                         const struct settings *s)
{

	kv(out, "home", h->dir);
	fputc('\n', out);
	kv(out, "server", h->server);
	fputc('\n', out);
	kv(out, "org", h->org);
	fputc('\n', out);
	kv(out, "key_id", h->key_id);
	fputc('\n', out);
	kv(out, "role", h->role);
	fprintf(out,
	        "\nqueued=%" PRIu64 "\nbatched=%" PRIu64 "\nacknowledged=%" PRIu64
	        "\nconflict=%" PRIu64 "\nrefused=%" PRIu64 "\n",
	        st->values[GT_CSTORE_QUEUED], st->values[GT_CSTORE_BATCHED],
	        st->values[GT_CSTORE_ACKED], st->values[GT_CSTORE_CONFLICT],
	        st->values[GT_CSTORE_REFUSED]);
	fprintf(out,
	        "batches_pending=%" PRIu64 "\nbatches_acknowledged=%" PRIu64
	        "\nbatches_refused=%" PRIu64 "\n",
	        st->batches[GT_CSTORE_BATCH_PENDING], st->batches[GT_CSTORE_BATCH_ACKED],
	        st->batches[GT_CSTORE_BATCH_REFUSED]);
	fprintf(out, "replica_values=%" PRIu64 "\nreplica_units=%" PRIu64 "\n", st->replica_values,
	        st->replica_units);
	fprintf(out, "metadata_version=%" PRIu64 "\nlast_push=%s\nlast_attempt=%s\nlast_pull=%s\n",
	        s->md_version, s->t_push, s->t_try, s->t_pull);
	kv(out, "last_error", s->last_error);
	fputc('\n', out);
}

static void header_human(FILE *out, struct gt_home *h, const struct gt_cstore_status *st,
                         const struct settings *s)
{
	struct gt_termtext t = {0};
	char zone[GT_TZ_NAME_MAX], n[5][GT_HUMAN_MAX];

	gt_home_zone(h, zone, sizeof(zone));
	fprintf(out, _("gtsync home %s: org unit %s, key %s%s%s%s, server %s\n"),
	        gt_termtext_str(&t, h->dir), gt_termtext_str(&t, h->org),
	        gt_termtext_str(&t, h->key_id), h->role[0] ? " (" : "",
	        gt_termtext_str(&t, h->role), h->role[0] ? ")" : "",
	        gt_termtext_str(&t, h->server));
	fprintf(out,
	        _("Outbox:  %s queued, %s sent and waiting for an ack, %s acknowledged, %s in "
	          "conflict, %s refused\n"),
	        human_count(st->values[GT_CSTORE_QUEUED], n[0]),
	        human_count(st->values[GT_CSTORE_BATCHED], n[1]),
	        human_count(st->values[GT_CSTORE_ACKED], n[2]),
	        human_count(st->values[GT_CSTORE_CONFLICT], n[3]),
	        human_count(st->values[GT_CSTORE_REFUSED], n[4]));
	fprintf(out, _("Batches: %s waiting to be (re)sent, %s acknowledged, %s refused\n"),
	        human_count(st->batches[GT_CSTORE_BATCH_PENDING], n[0]),
	        human_count(st->batches[GT_CSTORE_BATCH_ACKED], n[1]),
	        human_count(st->batches[GT_CSTORE_BATCH_REFUSED], n[2]));
	fprintf(out, _("Last push that sent everything: %s; last attempt: %s%s%s\n"),
	        human_time(s->last_push, zone, n[0]), human_time(s->last_try, zone, n[1]),
	        s->last_error[0] ? _("; last error: ") : "", gt_termtext_str(&t, s->last_error));
	fprintf(out, _("Last pull: %s; replica: %s values of %s org units\n"),
	        human_time(s->last_pull, zone, n[0]), human_count(st->replica_values, n[1]),
	        human_count(st->replica_units, n[2]));
	fprintf(out, _("Metadata version: %" PRIu64 "%s\n"), s->md_version,
	        s->md_version ? "" : _(" (none yet: run 'gtsync metadata pull')"));
	if (st->values[GT_CSTORE_CONFLICT] + st->values[GT_CSTORE_REFUSED] > 0)
		fprintf(out, "\n%s\n", _("Values the server did not apply, by reason:"));
	gt_termtext_clear(&t);
}

int gt_status_print(struct gt_home *h, FILE *out, int plain)
{
	struct gt_cstore_status st;
	struct settings s;
	struct problems x = {out, plain, -1, 0, 0};
	struct units u = {out, plain};
	int rc;

	rc = gt_cstore_status(h->st, &st);
	if (rc == GT_OK)
		rc = read_settings(h, &s);
	if (rc != GT_OK) {
		if (h->err != NULL)
			fprintf(h->err, _("gtsync status: cannot read %s: %s\n"), h->db_path,
			        gt_cstore_errmsg(h->st));
		return rc;
	}
	/* An alarm about the server's log comes first, until an operator acknowledges it. */
	if (gt_treelog_print_alarm(h, out) && !plain)
		fprintf(out, "\n");
	if (plain)
		header_plain(out, h, &st, &s);
	else
		header_human(out, h, &st, &s);
	rc = gt_cstore_problems(h->st, print_problem, &x);
	if (rc == GT_OK)
		rc = print_actions(h, out, &st, plain);
	if (rc == GT_OK && st.replica_units > 0) {
		if (!plain)
			fprintf(out, "\n%s\n", _("Replica by org unit:"));
		rc = gt_cstore_replica_units(h->st, print_unit, &u);
	}
	return rc;
}
