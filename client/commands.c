/* gtsync's commands: init, key, metadata pull, import, set, push, pull, status, report, and the
 * reporting chain's submit, approve, accept, return and unapprove. */
#include "commands.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "chain.h"
#include "cli.h"
#include "error.h"
#include "fileio.h"
#include "home.h"
#include "html.h"
#include "import.h"
#include "pull.h"
#include "push.h"
#include "render.h"

#define OK          GT_CLI_EXIT_OK
#define FAIL        GT_CLI_EXIT_FAIL
#define USAGE       GT_CLI_EXIT_USAGE
#define UNREACHABLE GT_CLIENT_EXIT_UNREACHABLE

/* The exit status for a failure code: 3 when the server could not be reached or was busy
 * (the data stays queued; try later), 1 for everything a person must look at. */
static int exit_for(int rc)
{
	switch (rc) {
	case GT_OK:
		return OK;
	case GT_ECONNREFUSED:
	case GT_ENET:
	case GT_ETIMEDOUT:
	case GT_ECLOSED:
	case GT_EBUSY:
	case GT_ELIMIT:
	case GT_ECANCELED:
		return UNREACHABLE;
	default:
		return FAIL;
	}
}

/* Opens the home named by --home, $GTSYNC_HOME or ~/.gtsync. */
static int open_home(const struct gt_cli_cmd *cmd, struct gt_home **h)
{
	char dir[GT_PATH_MAX];
	int rc = gt_home_resolve(gt_cli_get(cmd, "home"), dir, sizeof(dir));

	*h = NULL;
	if (rc != GT_OK) {
		fprintf(stderr, "gtsync %s: no home directory: give --home DIR or set %s\n",
		        cmd->name, GT_HOME_ENV);
		return rc;
	}
	return gt_home_open(dir, stderr, h);
}

/* Parses a positive whole number option; *out keeps its value when the option is absent. */
static int opt_uint(const struct gt_cli_cmd *cmd, const char *name, unsigned long max,
                    unsigned long *out)
{
	const char *v = gt_cli_get(cmd, name);
	char *end;
	unsigned long n;

	if (v == NULL)
		return GT_OK;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || end == v || n == 0 || n > max) {
		fprintf(stderr, "gtsync %s: --%s needs a whole number from 1 to %lu\n", cmd->name,
		        name, max);
		return GT_EINVAL;
	}
	*out = n;
	return GT_OK;
}

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

/* ---- init ---- */

static int cmd_init(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *server = gt_cli_get(cmd, "server"), *org = gt_cli_get(cmd, "org");
	const char *ca = gt_cli_get(cmd, "ca");
	struct gt_home_init_info info;
	char dir[GT_PATH_MAX];
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (server == NULL || org == NULL || ca == NULL) {
		fprintf(stderr,
		        "gtsync init: --server, --org and --ca are required (see --help)\n");
		return USAGE;
	}
	if (gt_home_resolve(gt_cli_get(cmd, "home"), dir, sizeof(dir)) != GT_OK) {
		fprintf(stderr, "gtsync init: give --home DIR or set %s\n", GT_HOME_ENV);
		return USAGE;
	}
	rc = gt_home_init(dir, server, org, ca, &info, stderr);
	if (rc != GT_OK)
		return FAIL;
	printf("gtsync home %s is ready for org unit %s, server %s\n", dir, org, server);
	printf("key id:     %s\n", info.key_id);
	printf("public key: %s\n", info.pub_b64);
	printf("Give the key id and public key to the central administrator, who registers "
	       "them with\n  gtsync-server key add --data DIR --org %s --role ROLE --pubkey %s\n"
	       "(the public key is also in %s/%s). Then run 'gtsync metadata pull'.\n",
	       org, info.pub_b64, dir, GT_HOME_PUB);
	return OK;
}

/* ---- key ---- */

static int cmd_key(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_home *h;
	char b64[GT_KEY_PUB_B64_LEN + 1];
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	rc = gt_home_key(h);
	if (rc == GT_OK)
		rc = gt_key_public_b64(h->key, b64);
	if (rc == GT_OK) {
		printf("key id:     %s\n", h->key_id);
		printf("public key: %s\n", b64);
		printf("org unit:   %s\n", h->org);
		printf("role:       %s\n",
		       h->role[0] ? h->role : "(not known until the first login)");
	}
	gt_home_close(h);
	return rc == GT_OK ? OK : FAIL;
}

/* ---- metadata pull ---- */

static int cmd_metadata_pull(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__MetadataRequest req = GTSYNC__V1__METADATA_REQUEST__INIT;
	struct gt_home *h;
	struct gt_session *s = NULL;
	struct gt_session_err err;
	gt_envelope *reply = NULL;
	struct gt_meta *meta = NULL, *have = NULL;
	struct gt_meta_errors *errs = NULL;
	uint64_t version = 0, nou = 0;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	/* Ask for the files only when the stored ones do not load or are another version. */
	if (gt_cstore_config_get_u64(h->st, GT_CSTORE_CFG_MD_VERSION, &version) == GT_OK &&
	    version != 0) {
		errs = calloc(1, sizeof(*errs));
		if (errs == NULL || gt_cstore_metadata_load(h->st, &have, errs) != GT_OK)
			version = 0;
		if (errs)
			gt_meta_errors_clear(errs);
		free(errs);
		errs = NULL;
	}
	rc = gt_home_connect(h, 0, &s, NULL, &err);
	if (rc != GT_OK) {
		gt_home_explain(h, "gtsync metadata pull", &err);
		goto out;
	}
	req.known_version = version;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_METADATA_REQUEST;
	env.metadata_request = &req;
	rc = gt_session_call(s, &env, &reply, &err);
	if (rc != GT_OK) {
		gt_home_explain(h, "gtsync metadata pull", &err);
		goto out;
	}
	if (reply->body_case != GTSYNC__V1__ENVELOPE__BODY_METADATA_REPLY) {
		const char *m = reply->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR
		                    ? reply->error->message
		                    : "an unexpected answer";
		fprintf(stderr, "gtsync metadata pull: the server refused: %s\n", m ? m : "");
		rc = GT_EPROTO;
		goto out;
	}
	const Gtsync__V1__MetadataReply *rep = reply->metadata_reply;
	if (!rep->unchanged) {
		const char **names = calloc(rep->n_files + 1, sizeof(*names));
		const uint8_t **bufs = calloc(rep->n_files + 1, sizeof(*bufs));
		size_t *lens = calloc(rep->n_files + 1, sizeof(*lens));
		errs = calloc(1, sizeof(*errs));
		if (!names || !bufs || !lens || !errs) {
			free(names);
			free(bufs);
			free(lens);
			rc = GT_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < rep->n_files; i++) {
			names[i] = rep->files[i]->name;
			bufs[i] = rep->files[i]->content.data ? rep->files[i]->content.data
			                                      : (const uint8_t *)"";
			lens[i] = rep->files[i]->content.len;
		}
		gt_meta_errors_init(errs);
		rc = rep->n_files == 0
		         ? GT_ENOENT
		         : gt_meta_load_buffers(names, bufs, lens, rep->n_files, &meta, errs);
		free(names);
		free(bufs);
		free(lens);
		if (rc != GT_OK) {
			if (rep->n_files == 0)
				fprintf(stderr,
				        "gtsync metadata pull: the server has no metadata loaded "
				        "yet (gtsync-server metadata load)\n");
			for (size_t i = 0; i < errs->count; i++)
				fprintf(stderr, "%s\n", errs->items[i].text);
			if (rep->n_files != 0)
				fprintf(stderr,
				        "gtsync metadata pull: the server's metadata does not "
				        "load here; nothing was stored\n");
			goto out;
		}
	}
	rc = gt_cstore_metadata_save(h->st, rep);
	if (rc != GT_OK) {
		fprintf(stderr, "gtsync metadata pull: cannot store the metadata: %s\n",
		        gt_cstore_errmsg(h->st));
		goto out;
	}
	(void)gt_cstore_orgunit_count(h->st, &nou);
	const struct gt_meta *m = meta ? meta : have;
	if (rep->unchanged)
		printf("metadata version %" PRIu64 " unchanged", rep->version);
	else
		printf("metadata version %" PRIu64 ": %zu files", rep->version, rep->n_files);
	if (m != NULL)
		printf(", %zu data sets, %zu data elements, %zu rules", m->ndatasets, m->nelements,
		       m->nrules);
	printf("; %" PRIu64 " org units in scope\n", nou);
out:
	if (errs)
		gt_meta_errors_clear(errs);
	free(errs);
	gt_meta_free(meta);
	gt_meta_free(have);
	gt_wire_envelope_free(reply);
	gt_session_close(s);
	gt_home_close(h);
	return exit_for(rc);
}

/* ---- import, set ---- */

static int cmd_import(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_import_opts o = {0};
	struct gt_home *h;
	int rc = GT_OK;
	(void)arg;

	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	o.dataset = gt_cli_get(cmd, "dataset");
	o.period = gt_cli_get(cmd, "period");
	o.progress = stderr;
	o.out = stdout;
	for (int i = 0; i < argc && rc == GT_OK; i++)
		rc = gt_import_file(h, argv[i], &o, NULL);
	gt_home_close(h);
	return rc == GT_OK ? OK : FAIL;
}

static int cmd_set(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_import_opts o = {0};
	struct gt_home *h;
	int del = gt_cli_get(cmd, "delete") != NULL, rc;
	(void)arg;

	if (!del && argc < 4) {
		fprintf(stderr, "gtsync set: give DE PERIOD COC VALUE (COC \"\" for no breakdown), "
		                "or --delete\n");
		return USAGE;
	}
	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	o.dataset = gt_cli_get(cmd, "dataset");
	o.out = stdout;
	rc = gt_import_one(h, argv[0], argv[1], argv[2], argc > 3 ? argv[3] : "",
	                   gt_cli_get(cmd, "comment"), del, &o);
	gt_home_close(h);
	return rc == GT_OK ? OK : FAIL;
}

/* ---- push, pull ---- */

static int cmd_push(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_push_opts o = {0};
	struct gt_push_result r;
	struct gt_home *h;
	unsigned long tries = GT_BACKOFF_TRIES, batch = 0, timeout = 0, base = 0;
	const char *env;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (opt_uint(cmd, "retries", 100, &tries) ||
	    opt_uint(cmd, "batch-values", UINT32_MAX, &batch) ||
	    opt_uint(cmd, "timeout", 3600, &timeout) ||
	    opt_uint(cmd, "retry-base-ms", 600000, &base))
		return USAGE;
	if (gt_cli_get(cmd, "no-retry"))
		tries = 1;
	o.tries = (unsigned)tries;
	o.batch_values = (uint32_t)batch;
	o.timeout_ms = (uint32_t)(timeout * 1000);
	o.backoff_base_ms = (uint32_t)base;
	o.progress = stderr;
	o.out = stdout;
	if ((env = getenv(GT_PUSH_ENV_DIE_AFTER_SAVE)) != NULL)
		o.die_after_save = (unsigned)strtoul(env, NULL, 10);
	if ((env = getenv(GT_PUSH_ENV_DIE_AFTER_SEND)) != NULL)
		o.die_after_send = (unsigned)strtoul(env, NULL, 10);
	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	rc = gt_push_run(h, &o, &r);
	gt_home_close(h);
	return exit_for(rc);
}

static int cmd_pull(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_pull_opts o = {0};
	struct gt_home *h;
	unsigned long chunk = 0, max_chunks = 0;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (opt_uint(cmd, "chunk", UINT32_MAX, &chunk) ||
	    opt_uint(cmd, "max-chunks", UINT32_MAX, &max_chunks))
		return USAGE;
	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	o.org = gt_cli_get(cmd, "org");
	o.max_items = (uint32_t)chunk;
	o.max_chunks = (unsigned)max_chunks;
	o.progress = stderr;
	o.out = stdout;
	rc = gt_pull_run(h, &o, NULL);
	gt_home_close(h);
	return exit_for(rc);
}

/* ---- status ---- */

/* Writes key=value, quoting the value when it holds spaces, quotes, '=' or controls. */
static void kv(const char *key, const char *value)
{
	int plain = value[0] != '\0';

	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '\\' || *p == '=' || *p == 0x7F)
			plain = 0;
	printf("%s=", key);
	if (plain) {
		fputs(value, stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p < ' ' || *p == 0x7F)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

struct problems {
	int plain;
	int last_state, last_reason;
	unsigned shown; /* values listed in the current group */
};

static int print_problem(void *arg, const struct gt_cstore_problem *p)
{
	struct problems *x = arg;
	const char *reason = p->state == GT_CSTORE_CONFLICT ? gt_chain_conflict_name(p->reason)
	                                                    : gt_errname(p->reason);

	if (x->plain) {
		printf("%s ", p->state == GT_CSTORE_CONFLICT ? "conflict" : "refused");
		kv("reason", reason);
		putchar(' ');
		kv("dataelement", p->data_element);
		putchar(' ');
		kv("period", p->period);
		putchar(' ');
		kv("orgunit", p->org_unit);
		putchar(' ');
		kv("categoryoptioncombo", p->coc);
		putchar(' ');
		kv("value", p->value);
		putchar(' ');
		kv("source", p->source);
		putchar(' ');
		kv("message", p->message);
		putchar('\n');
		return 0;
	}
	if (p->state != x->last_state || p->reason != x->last_reason) {
		if (x->last_state == GT_CSTORE_CONFLICT && p->state != GT_CSTORE_CONFLICT)
			printf("\n");
		printf("  %s %s: %s\n", p->state == GT_CSTORE_CONFLICT ? "conflict" : "refused",
		       reason, p->message);
		x->last_state = p->state;
		x->last_reason = p->reason;
		x->shown = 0;
	}
	if (x->shown++ < 50)
		printf("    %s %s %s %s = %s  (%s, batch %" PRIu64 ")\n", p->data_element,
		       p->period, p->org_unit, p->coc[0] ? p->coc : "-", p->value, p->source,
		       p->seq);
	else if (x->shown == 51)
		printf("    ... (more; 'gtsync status --format plain' lists all)\n");
	return 0;
}

static int print_unit(void *arg, const char *org, uint64_t n)
{
	int *plain = arg;
	if (*plain)
		printf("replica_unit orgunit=%s values=%" PRIu64 "\n", org, n);
	else
		printf("  %-8s %" PRIu64 " values\n", org, n);
	return 0;
}

/* The word for where a workflow action stands. */
static const char *action_outcome(const struct gt_cstore_action *a)
{
	switch (a->state) {
	case GT_CSTORE_QUEUED:
		return "queued";
	case GT_CSTORE_BATCHED:
		return "sent";
	case GT_CSTORE_ACKED:
		return a->status == GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE ? "duplicate"
		                                                            : "applied";
	case GT_CSTORE_CONFLICT:
		return "skipped";
	default:
		return "refused";
	}
}

/* Lists the workflow actions: counts, and the most recent ones with their outcome. */
static int print_actions(struct gt_home *h, const struct gt_cstore_status *st, int plain)
{
	struct gt_cstore_action *a = NULL;
	size_t n = 0;
	uint64_t all = 0;
	int rc;

	for (int k = 0; k < 5; k++)
		all += st->actions[k];
	if (plain)
		printf("actions_queued=%" PRIu64 "\nactions_sent=%" PRIu64
		       "\nactions_applied=%" PRIu64 "\nactions_skipped=%" PRIu64
		       "\nactions_refused=%" PRIu64 "\n",
		       st->actions[GT_CSTORE_QUEUED], st->actions[GT_CSTORE_BATCHED],
		       st->actions[GT_CSTORE_ACKED], st->actions[GT_CSTORE_CONFLICT],
		       st->actions[GT_CSTORE_REFUSED]);
	if (all == 0)
		return GT_OK;
	if ((rc = gt_cstore_actions_recent(h->st, plain ? 1000 : 20, &a, &n)) != GT_OK) {
		fprintf(stderr, "gtsync status: cannot read the workflow actions: %s\n",
		        gt_cstore_errmsg(h->st));
		return rc;
	}
	if (!plain)
		printf("\nWorkflow actions: %" PRIu64 " applied, %" PRIu64
		       " skipped by the server, %" PRIu64 " refused, %" PRIu64
		       " waiting to be sent or answered%s\n",
		       st->actions[GT_CSTORE_ACKED], st->actions[GT_CSTORE_CONFLICT],
		       st->actions[GT_CSTORE_REFUSED],
		       st->actions[GT_CSTORE_QUEUED] + st->actions[GT_CSTORE_BATCHED],
		       all > n ? " (the latest listed)" : "");
	for (size_t i = 0; i < n; i++) {
		const struct gt_cstore_action *x = &a[i];
		const char *why = x->state == GT_CSTORE_CONFLICT
		                      ? gt_chain_conflict_name(x->conflict)
		                  : x->state == GT_CSTORE_REFUSED ? gt_errname(x->code)
		                                                  : "";
		if (plain) {
			printf("action kind=%s dataset=%s period=%s orgunit=%s outcome=%s",
			       gt_chain_kind_name(x->kind), x->dataset, x->period, x->org_unit,
			       action_outcome(x));
			putchar(' ');
			kv("why", why);
			putchar(' ');
			kv("message", x->state >= GT_CSTORE_CONFLICT ? x->message : "");
			putchar(' ');
			kv("reason", x->reason);
			printf(" batch=%" PRIu64 " values=%" PRIu64 "\n", x->seq, x->n_digested);
			continue;
		}
		printf("  %-9s %s %s %s: %s", gt_chain_kind_name(x->kind), x->dataset, x->period,
		       x->org_unit, action_outcome(x));
		if (x->state >= GT_CSTORE_CONFLICT)
			printf(" (%s: %s)", why, x->message);
		if (x->reason[0])
			printf("; reason: %s", x->reason);
		if (x->has_digest)
			printf("; signed %" PRIu64 " values", x->n_digested);
		putchar('\n');
	}
	gt_cstore_actions_free(a, n);
	return GT_OK;
}

static int cmd_status(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *fmt = gt_cli_get(cmd, "format");
	struct gt_cstore_status st;
	struct gt_home *h;
	struct problems x = {0};
	uint64_t last_push = 0, last_pull = 0, last_try = 0, mdv = 0;
	char t_push[32], t_pull[32], t_try[32], last_error[GT_CSTORE_MAX_CONFIG] = "";
	int plain, rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (fmt != NULL && strcmp(fmt, "plain") != 0 && strcmp(fmt, "human") != 0) {
		fprintf(stderr, "gtsync status: --format is human or plain\n");
		return USAGE;
	}
	plain = fmt ? strcmp(fmt, "plain") == 0 : !isatty(fileno(stdout));
	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	rc = gt_cstore_status(h->st, &st);
	if (rc == GT_OK)
		rc = gt_cstore_config_get_u64(h->st, GT_CSTORE_CFG_LAST_PUSH, &last_push);
	if (rc == GT_OK)
		rc = gt_cstore_config_get_u64(h->st, GT_CSTORE_CFG_LAST_PULL, &last_pull);
	if (rc == GT_OK)
		rc = gt_cstore_config_get_u64(h->st, GT_CSTORE_CFG_LAST_ATTEMPT, &last_try);
	if (rc == GT_OK)
		rc = gt_cstore_config_get_u64(h->st, GT_CSTORE_CFG_MD_VERSION, &mdv);
	if (rc == GT_OK) {
		int r2 = gt_cstore_config_get(h->st, GT_CSTORE_CFG_LAST_ERROR, last_error,
		                              sizeof(last_error));
		if (r2 != GT_OK && r2 != GT_ENOENT)
			rc = r2;
	}
	if (rc != GT_OK) {
		fprintf(stderr, "gtsync status: cannot read %s: %s\n", h->db_path,
		        gt_cstore_errmsg(h->st));
		gt_home_close(h);
		return FAIL;
	}
	format_time(last_push, t_push, sizeof(t_push));
	format_time(last_pull, t_pull, sizeof(t_pull));
	format_time(last_try, t_try, sizeof(t_try));
	if (plain) {
		kv("home", h->dir);
		printf("\n");
		kv("server", h->server);
		printf("\norg=%s\nkey_id=%s\n", h->org, h->key_id);
		kv("role", h->role);
		printf("\nqueued=%" PRIu64 "\nbatched=%" PRIu64 "\nacknowledged=%" PRIu64
		       "\nconflict=%" PRIu64 "\nrefused=%" PRIu64 "\n",
		       st.values[GT_CSTORE_QUEUED], st.values[GT_CSTORE_BATCHED],
		       st.values[GT_CSTORE_ACKED], st.values[GT_CSTORE_CONFLICT],
		       st.values[GT_CSTORE_REFUSED]);
		printf("batches_pending=%" PRIu64 "\nbatches_acknowledged=%" PRIu64
		       "\nbatches_refused=%" PRIu64 "\n",
		       st.batches[GT_CSTORE_BATCH_PENDING], st.batches[GT_CSTORE_BATCH_ACKED],
		       st.batches[GT_CSTORE_BATCH_REFUSED]);
		printf("replica_values=%" PRIu64 "\nreplica_units=%" PRIu64 "\n", st.replica_values,
		       st.replica_units);
		printf("metadata_version=%" PRIu64
		       "\nlast_push=%s\nlast_attempt=%s\nlast_pull=%s\n",
		       mdv, t_push, t_try, t_pull);
		kv("last_error", last_error);
		printf("\n");
	} else {
		printf("gtsync home %s: org unit %s, key %s%s%s%s, server %s\n", h->dir, h->org,
		       h->key_id, h->role[0] ? " (" : "", h->role, h->role[0] ? ")" : "",
		       h->server);
		printf("Outbox:  %" PRIu64 " queued, %" PRIu64
		       " sent and waiting for an ack, %" PRIu64 " acknowledged, %" PRIu64
		       " in conflict, %" PRIu64 " refused\n",
		       st.values[GT_CSTORE_QUEUED], st.values[GT_CSTORE_BATCHED],
		       st.values[GT_CSTORE_ACKED], st.values[GT_CSTORE_CONFLICT],
		       st.values[GT_CSTORE_REFUSED]);
		printf("Batches: %" PRIu64 " waiting to be (re)sent, %" PRIu64
		       " acknowledged, %" PRIu64 " refused\n",
		       st.batches[GT_CSTORE_BATCH_PENDING], st.batches[GT_CSTORE_BATCH_ACKED],
		       st.batches[GT_CSTORE_BATCH_REFUSED]);
		printf("Last push that sent everything: %s; last attempt: %s%s%s\n", t_push, t_try,
		       last_error[0] ? "; last error: " : "", last_error);
		printf("Last pull: %s; replica: %" PRIu64 " values of %" PRIu64 " org units\n",
		       t_pull, st.replica_values, st.replica_units);
		printf("Metadata version: %" PRIu64 "%s\n", mdv,
		       mdv ? "" : " (none yet: run 'gtsync metadata pull')");
		if (st.values[GT_CSTORE_CONFLICT] + st.values[GT_CSTORE_REFUSED] > 0)
			printf("\nValues the server did not apply, by reason:\n");
	}
	x.plain = plain;
	x.last_state = -1;
	rc = gt_cstore_problems(h->st, print_problem, &x);
	if (rc == GT_OK)
		rc = print_actions(h, &st, plain);
	if (rc == GT_OK && st.replica_units > 0) {
		if (!plain)
			printf("\nReplica by org unit:\n");
		rc = gt_cstore_replica_units(h->st, print_unit, &plain);
	}
	gt_home_close(h);
	return rc == GT_OK ? OK : FAIL;
}

/* ---- report ---- */

/* Org-unit names from the home's pulled scope, for the units a report gives by code. */
struct ou_names {
	struct gt_home *h;
	struct gt_cstore_orgunit ou;
};

static const char *ou_name(void *arg, const char *code)
{
	struct ou_names *n = arg;
	if (gt_cstore_orgunit_get(n->h->st, code, &n->ou) != GT_OK)
		return NULL;
	return n->ou.name;
}

static int cmd_report(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__ReportRequest req = GTSYNC__V1__REPORT_REQUEST__INIT;
	const char *ds = gt_cli_get(cmd, "dataset"), *period = gt_cli_get(cmd, "period");
	const char *fmt = gt_cli_get(cmd, "format"), *output = gt_cli_get(cmd, "output");
	enum gt_render_format f = GT_RENDER_TABLE;
	struct gt_home *h;
	struct gt_session *s = NULL;
	struct gt_session_err err;
	gt_envelope *reply = NULL;
	struct gt_meta *meta = NULL;
	struct gt_meta_errors *errs = NULL;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (ds == NULL || period == NULL) {
		fprintf(stderr,
		        "gtsync report: --dataset and --period are required (see --help)\n");
		return USAGE;
	}
	if (fmt != NULL && gt_render_format_parse(fmt, &f) != GT_OK) {
		fprintf(stderr,
		        "gtsync report: --format is table, text, html, csv, json or dhis2\n");
		return USAGE;
	}
	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	/* The metadata, when pulled, names and orders the rows; the report works without. */
	errs = calloc(1, sizeof(*errs));
	if (errs != NULL) {
		gt_meta_errors_init(errs);
		(void)gt_cstore_metadata_load(h->st, &meta, errs);
		gt_meta_errors_clear(errs);
		free(errs);
	}
	rc = gt_home_connect(h, 0, &s, NULL, &err);
	if (rc != GT_OK) {
		gt_home_explain(h, "gtsync report", &err);
		goto out;
	}
	req.org_unit = (char *)(gt_cli_get(cmd, "org") ? gt_cli_get(cmd, "org") : h->org);
	req.dataset = (char *)ds;
	req.period = (char *)period;
	req.per_child = gt_cli_get(cmd, "no-children") == NULL;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST;
	env.report_request = &req;
	rc = gt_session_call(s, &env, &reply, &err);
	if (rc != GT_OK) {
		gt_home_explain(h, "gtsync report", &err);
		goto out;
	}
	if (reply->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR) {
		const Gtsync__V1__Error *e = reply->error;
		fprintf(stderr, "gtsync report: the server refused: %s\n",
		        e->message && e->message[0] ? e->message : gt_strerror(e->code));
		rc = e->code < 0 ? e->code : GT_EPROTO;
		if (gt_home_transient(rc))
			rc = GT_EPROTO; /* a refusal, not a lost link */
		goto out;
	}
	if (reply->body_case != GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY) {
		fprintf(stderr, "gtsync report: the server answered out of turn\n");
		rc = GT_EPROTO;
		goto out;
	}
	struct ou_names nm = {.h = h};
	struct gt_render_names names = {ou_name, &nm};
	if (output == NULL) {
		rc = gt_render_report(stdout, reply->report_reply, meta, &names, f);
		if (rc != GT_OK)
			fprintf(stderr, "gtsync report: cannot write the report: %s\n",
			        gt_strerror(rc));
		goto out;
	}
	/* A file is written whole or not at all: rendered in memory, then renamed into place. */
	char *doc = NULL;
	size_t doclen = 0;
	FILE *m = open_memstream(&doc, &doclen);
	rc = m == NULL ? GT_ENOMEM : gt_render_report(m, reply->report_reply, meta, &names, f);
	if (m != NULL && fclose(m) != 0 && rc == GT_OK)
		rc = GT_EIO;
	if (rc == GT_OK)
		rc = gt_file_write(output, doc, doclen, 0644, 1);
	free(doc);
	if (rc != GT_OK) {
		fprintf(stderr, "gtsync report: cannot write %s: %s\n", output, gt_strerror(rc));
		goto out;
	}
	printf("report: %s %s %s (%s) written to %s\n", reply->report_reply->dataset,
	       reply->report_reply->period, reply->report_reply->org_unit, fmt ? fmt : "table",
	       output);
out:
	gt_meta_free(meta);
	gt_wire_envelope_free(reply);
	gt_session_close(s);
	gt_home_close(h);
	return exit_for(rc);
}

/* ---- The reporting chain ---- */

#define CHAIN_HELP                                                                                 \
	"The action is saved in the home's outbox, signed in a batch and sent like values "        \
	"(a batch cut by a crash is resent by the next push or workflow command). The line "       \
	"printed says whether the server applied it, skipped it (and why: not allowed in the "     \
	"report's current approval state, not every child unit approved and accepted, the "        \
	"digest not matching the stored data) or refused it (authorization). Exit status: 0 "      \
	"applied, 1 skipped or refused, 2 usage, 3 the server could not be reached (the action "   \
	"stays saved and goes out with the next 'gtsync push')."

static int run_chain(const struct gt_cli_cmd *cmd, int kind)
{
	struct gt_chain_opts o = {0};
	struct gt_chain_result r;
	struct gt_home *h;
	unsigned long tries = 0, timeout = 0;
	const char *env;
	int rc;

	o.kind = kind;
	o.dataset = gt_cli_get(cmd, "dataset");
	o.period = gt_cli_get(cmd, "period");
	o.org = gt_cli_get(cmd, "org");
	o.reason = gt_cli_get(cmd, "reason");
	if (o.dataset == NULL || o.period == NULL) {
		fprintf(stderr, "gtsync %s: --dataset and --period are required (see --help)\n",
		        cmd->name);
		return USAGE;
	}
	if ((kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT ||
	     kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN) &&
	    (o.org == NULL || o.org[0] == '\0')) {
		fprintf(stderr,
		        "gtsync %s: --org is required: the child org unit whose report you %s\n",
		        cmd->name, cmd->name);
		return USAGE;
	}
	if (kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN) {
		const char *p = o.reason ? o.reason : "";
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0') {
			fprintf(stderr,
			        "gtsync return: a return needs --reason TEXT, so the office knows "
			        "what to correct; nothing was sent\n");
			return USAGE;
		}
	}
	if (opt_uint(cmd, "retries", 100, &tries) || opt_uint(cmd, "timeout", 3600, &timeout))
		return USAGE;
	if (gt_cli_get(cmd, "no-retry"))
		tries = 1;
	o.tries = (unsigned)tries;
	o.timeout_ms = (uint32_t)(timeout * 1000);
	o.out = stdout;
	o.pause_file = getenv(GT_CHAIN_ENV_PAUSE);
	if ((env = getenv(GT_PUSH_ENV_DIE_AFTER_SAVE)) != NULL)
		o.die_after_save = (unsigned)strtoul(env, NULL, 10);
	if ((env = getenv(GT_PUSH_ENV_DIE_AFTER_SEND)) != NULL)
		o.die_after_send = (unsigned)strtoul(env, NULL, 10);
	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	rc = gt_chain_run(h, &o, &r);
	gt_home_close(h);
	if (rc != GT_OK)
		return exit_for(rc);
	return r.outcome == GT_CHAIN_APPLIED || r.outcome == GT_CHAIN_DUPLICATE ? OK : FAIL;
}

static int cmd_submit(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)argv;
	(void)arg;
	return run_chain(cmd, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT);
}

static int cmd_approve(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)argv;
	(void)arg;
	return run_chain(cmd, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE);
}

static int cmd_accept(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)argv;
	(void)arg;
	return run_chain(cmd, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT);
}

static int cmd_return(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)argv;
	(void)arg;
	return run_chain(cmd, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN);
}

static int cmd_unapprove(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)argv;
	(void)arg;
	return run_chain(cmd, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_UNAPPROVE);
}

/* ---- The command table ---- */

#define HOME_OPT                                                                                   \
	{                                                                                          \
		"home", "DIR",                                                                     \
		    "the client's home (default $" GT_HOME_ENV " or ~/" GT_HOME_DEFAULT ")", NULL  \
	}

static struct gt_cli_opt init_opts[] = {
    HOME_OPT,
    {"server", "HOST:PORT", "the central server (e.g. 127.0.0.1:7443)", NULL},
    {"org", "CODE", "the org unit this office reports for (53.71, 53, ID)", NULL},
    {"ca", "CERT.pem", "the server's certificate (tls-cert.pem), pinned", NULL},
    {0},
};
static struct gt_cli_opt home_opts[] = {HOME_OPT, {0}};
static struct gt_cli_opt md_opts[] = {HOME_OPT, {0}};
static struct gt_cli_opt import_opts[] = {
    HOME_OPT,
    {"dataset", "DS", "the data set every value is entered for (KK, LY, GT)", NULL},
    {"period", "PERIOD", "fills empty period cells; rows of another period are errors", NULL},
    {0},
};
static struct gt_cli_opt set_opts[] = {
    HOME_OPT,
    {"comment", "TEXT", "a comment stored with the value", NULL},
    {"dataset", "DS", "the data set the value is entered for", NULL},
    {"delete", NULL, "delete the value instead of setting it", NULL},
    {0},
};
static struct gt_cli_opt push_opts[] = {
    HOME_OPT,
    {"retries", "N",
     "connection attempts in all before giving up for now (default " GT_CLI_STR(
         GT_BACKOFF_TRIES) ")",
     NULL},
    {"no-retry", NULL, "try once (same as --retries 1)", NULL},
    {"retry-base-ms", "MS",
     "first delay between tries, doubled each time up to " GT_CLI_STR(
         GT_BACKOFF_CAP_S) " s "
                           "(default " GT_CLI_STR(GT_BACKOFF_BASE_MS) ")",
     NULL},
    {"batch-values", "N", "most values per batch (default: the server's limit)", NULL},
    {"timeout", "SECONDS",
     "connect and wait for each answer at most (default " GT_CLI_STR(
         GT_SESSION_DEFAULT_TIMEOUT_S) ")",
     NULL},
    {0},
};
static struct gt_cli_opt pull_opts[] = {
    HOME_OPT,
    {"org", "CODE", "root of the subtree to pull (default: the key's org unit)", NULL},
    {"chunk", "N",
     "values asked for per chunk (default " GT_CLI_STR(
         GT_PULL_CHUNK) "; the server may send fewer)",
     NULL},
    {"max-chunks", "N", "stop after N chunks (the next pull resumes)", NULL},
    {0},
};
static struct gt_cli_opt status_opts[] = {
    HOME_OPT,
    {"format", "FORMAT", "human or plain key=value lines (default: human on a terminal)", NULL},
    {0},
};
static struct gt_cli_opt report_opts[] = {
    HOME_OPT,
    {"org", "CODE", "the org unit to report on (default: the key's)", NULL},
    {"dataset", "DS", "the data set (KK, LY, GT)", NULL},
    {"period", "PERIOD", "any DHIS2 period; finer periods roll up into it (2026Q3, 2026)", NULL},
    {"format", "FORMAT",
     "table, text (the chair's report for a terminal or printer), html (the chair's "
     "report as one page), csv, json or dhis2 (a dataValueSets document)",
     NULL},
    {"output", "FILE", "write the report to FILE (replaced whole) instead of the terminal", NULL},
    {"no-children", NULL, "leave out the per-child breakdown", NULL},
    {0},
};
static struct gt_cli_opt chain_opts[] = {
    HOME_OPT,
    {"dataset", "DS", "the data set (KK, LY, GT)", NULL},
    {"period", "PERIOD",
     "the report's period: the data set's period type or coarser (2025 for a year of monthly "
     "reports)",
     NULL},
    {"org", "CODE",
     "the report's org unit: default the key's own (submit, approve, unapprove); the child's "
     "(accept, return)",
     NULL},
    {"reason", "TEXT", "why (required for return; kept with the signed action)", NULL},
    {"retries", "N",
     "connection attempts in all before giving up for now (default " GT_CLI_STR(
         GT_BACKOFF_TRIES) ")",
     NULL},
    {"no-retry", NULL, "try once (same as --retries 1)", NULL},
    {"timeout", "SECONDS",
     "connect and wait for each answer at most (default " GT_CLI_STR(
         GT_SESSION_DEFAULT_TIMEOUT_S) ")",
     NULL},
    {0},
};

static const struct gt_cli_cmd metadata_cmds[] = {
    {"pull", "fetch the data sets and the org units in the key's scope", "[--home DIR]",
     "Stores the server's metadata files (checked with the same loader the server uses) and "
     "the org units in the key's scope; import and set check values against them.",
     md_opts, 0, 0, cmd_metadata_pull, NULL},
    {0},
};

static const struct gt_cli_cmd client_cmds[] = {
    {"init", "set up a home: local store, key, pinned server certificate",
     "--home DIR --server HOST:PORT --org CODE --ca CERT.pem",
     "Creates DIR/client.db, a new Ed25519 key (DIR/key.pem, mode 0600; DIR/key.pub) and a "
     "copy of the server's certificate (DIR/ca.pem), and prints the key id and public key "
     "the central administrator registers. Every other command finds the home through "
     "--home or $" GT_HOME_ENV ".",
     init_opts, 0, 0, cmd_init, NULL},
    {"key", "show this home's key id and public key", "[--home DIR]", NULL, home_opts, 0, 0,
     cmd_key, NULL},
    {"metadata", "fetch data-set definitions and org units", "COMMAND", NULL, NULL, 0, 0, NULL,
     metadata_cmds},
    {"import", "check a DHIS2-style CSV file and queue its values",
     "[--home DIR] [--dataset DS] [--period P] FILE.csv...",
     "Columns by DHIS2's names, in any order: dataelement, period, orgunit, "
     "categoryoptioncombo, value, comment (others are ignored; quoting as RFC 4180; UTF-8 "
     "with or without BOM; LF or CRLF). Every row is checked against the metadata; if any "
     "row is bad, every error is shown with its line number and nothing from the file is "
     "queued. Empty orgunit cells mean this office's org unit. Validation rules that fail are "
     "shown as warnings. 'gtsync push' sends what is queued.",
     import_opts, 1, -1, cmd_import, NULL},
    {"set", "queue one value", "[--home DIR] DE PERIOD COC VALUE [--comment TEXT]",
     "COC is the category option combo (\"\" or default for an element without a "
     "breakdown). The value is checked like an import row.",
     set_opts, 3, 4, cmd_set, NULL},
    {"push", "send queued values and workflow actions to the server",
     "[--home DIR] [--no-retry] [--retries N]",
     "Packs queued values (and workflow actions, in batches of their own) into signed "
     "batches, saves each with its sequence number before "
     "sending, sends, and records the server's answers; a push cut at any moment resends the "
     "same batches next time (the server acknowledges them as duplicates). When the server "
     "cannot be reached the values stay queued and the push retries with growing delays. "
     "Exit status 3: the server was unreachable and values stay queued. Test "
     "hooks: " GT_PUSH_ENV_DIE_AFTER_SAVE "=N or " GT_PUSH_ENV_DIE_AFTER_SEND
     "=N end the process like a kill -9 right after the Nth batch is saved, or sent.",
     push_opts, 0, 0, cmd_push, NULL},
    {"pull", "update the local replica of the subtree's values", "[--home DIR] [--org CODE]",
     "For provincial aggregators: pulls the values of the districts below, chunk by chunk "
     "from the saved cursor; each chunk is stored with the cursor in one transaction, so an "
     "interrupted pull resumes where it stopped.",
     pull_opts, 0, 0, cmd_pull, NULL},
    {"status", "show queued, sent, acknowledged and refused values, conflicts, last sync",
     "[--home DIR] [--format human|plain]",
     "Values the server skipped are listed grouped by reason. Not on a terminal (or with "
     "--format plain) the output is key=value lines.",
     status_opts, 0, 0, cmd_status, NULL},
    {"report", "show the server's consolidated report",
     "[--home DIR] [--org CODE] --dataset DS --period P "
     "[--format table|text|html|csv|json|dhis2] [--output FILE]",
     "Totals for the org unit's subtree with a column per child org unit, and which units "
     "reported. text and html are the chair's report: totals with the breakdowns (sex x "
     "age), a part per child, completeness and timeliness per child, the approval chain's "
     "state and signed history, the units that did not report, and for action-plan data "
     "sets target, achievement and gap; html is one self-contained page to open and print. "
     "dhis2 writes a dataValueSets JSON document (dataSet, period, orgUnit, dataValues with "
     "dataElement, categoryOptionCombo, value, comment) of the totals.",
     report_opts, 0, 0, cmd_report, NULL},
    {"submit", "mark the office's report for a period as submitted (its approver's key)",
     "[--home DIR] --dataset DS --period P [--org CODE]", CHAIN_HELP, chain_opts, 0, 0, cmd_submit,
     NULL},
    {"approve", "approve a report: sign the digest of its data as the server holds it",
     "[--home DIR] --dataset DS --period P [--org CODE]",
     "An approver key approves its own org unit's report once every child expected to report "
     "it is approved and accepted. The command first pulls the subtree's values for the data "
     "set and period from the server and prints how many values it signs and their SHA-256 "
     "digest (common/digest.h); the server applies the approval only if its data is still "
     "exactly that. An approval locks the values of the unit and its subtree for that data "
     "set and period. " CHAIN_HELP,
     chain_opts, 0, 0, cmd_approve, NULL},
    {"accept", "accept a child's approved report (the parent's aggregator)",
     "[--home DIR] --dataset DS --period P --org CHILD", CHAIN_HELP, chain_opts, 0, 0, cmd_accept,
     NULL},
    {"return", "return a child's report for correction, with a reason (unlocks its data)",
     "[--home DIR] --dataset DS --period P --org CHILD --reason TEXT", CHAIN_HELP, chain_opts, 0, 0,
     cmd_return, NULL},
    {"unapprove", "take back the office's approval before the parent accepts it",
     "[--home DIR] --dataset DS --period P [--org CODE]", CHAIN_HELP, chain_opts, 0, 0,
     cmd_unapprove, NULL},
    {0},
};

int gt_client_main(int argc, char **argv)
{
	return gt_cli_main("gtsync",
	                   "The gtsync client for district and provincial task-force offices: it "
	                   "queues report values\nlocally, sends them as signed batches when the "
	                   "link allows, takes the reporting chain's signed\nsteps (submit, "
	                   "approve, accept, return, unapprove), and fetches consolidated "
	                   "reports.",
	                   client_cmds, argc, argv, NULL);
}
