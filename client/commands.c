/* gtsync's commands: init, key, metadata pull, import, set, push, pull, status, report, and the
 * reporting chain's submit, approve, accept, return and unapprove. */
#include "commands.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adx.h"
#include "backoff.h"
#include "chain.h"
#include "cli.h"
#include "clock.h"
#include "cstore_tree.h"
#include "dashboard.h"
#include "dashcmd.h"
#include "dhis2export.h"
#include "dhis2import.h"
#include "dhis2meta.h"
#include "enrol.h"
#include "error.h"
#include "fetch.h"
#include "fileio.h"
#include "home.h"
#include "i18n.h"
#include "import.h"
#include "langask.h"
#include "metapull.h"
#include "pull.h"
#include "push.h"
#include "render.h"
#include "roleset.h"
#include "status.h"
#include "template.h"
#include "termtext.h"
#include "testhooks.h"
#include "treelog.h"
#include "verify.h"

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
		fprintf(stderr, _("gtsync %s: no home directory: give --home DIR or set %s\n"),
		        cmd->name, GT_HOME_ENV);
		return rc;
	}
	rc = gt_home_open(dir, stderr, h);
	/* The home's language, when `gtsync init --lang` set one, wins over the environment's. */
	if (rc == GT_OK && (*h)->lang[0] != '\0')
		gt_i18n_use((*h)->lang);
	return rc;
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
		fprintf(stderr, _("gtsync %s: --%s needs a whole number from 1 to %lu\n"),
		        cmd->name, name, max);
		return GT_EINVAL;
	}
	*out = n;
	return GT_OK;
}

/* ---- init ---- */

/* Checks init's options, reading the roles asked for into *roles and the home's directory into
 * dir (GT_PATH_MAX bytes); OK, or USAGE with what is wrong said. */
static int init_args(const struct gt_cli_cmd *cmd, unsigned *roles, char dir[GT_PATH_MAX])
{
	const char *roles_text = gt_cli_get(cmd, "role"), *lang = gt_cli_get(cmd, "lang");

	if (gt_cli_get(cmd, "server") == NULL || gt_cli_get(cmd, "org") == NULL ||
	    gt_cli_get(cmd, "ca") == NULL) {
		fprintf(stderr,
		        _("gtsync init: --server, --org and --ca are required (see --help)\n"));
		return USAGE;
	}
	if (gt_roleset_parse(roles_text != NULL ? roles_text : "operator", roles) != GT_OK) {
		fprintf(stderr, _("gtsync init: --role takes roles separated by commas (operator, "
		                  "approver, aggregator, secretariat, reader)\n"));
		return USAGE;
	}
	if (gt_home_resolve(gt_cli_get(cmd, "home"), dir, GT_PATH_MAX) != GT_OK) {
		fprintf(stderr, _("gtsync init: give --home DIR or set %s\n"), GT_HOME_ENV);
		return USAGE;
	}
	if (lang != NULL && !gt_i18n_known(lang)) {
		fprintf(stderr,
		        _("gtsync init: --lang is id (Bahasa Indonesia) or en (English)\n"));
		return USAGE;
	}
	return OK;
}

/* Keeps in the new home at dir the roles asked for, so that 'gtsync key' repeats the same
 * request before the first login tells the home what the key holds, and the language chosen
 * (when one was). */
static int init_settings(const char *dir, unsigned roles, const char *lang)
{
	struct gt_home *h = NULL;
	int rc;

	if ((rc = gt_home_open(dir, stderr, &h)) == GT_OK) {
		char asked[GT_ROLESET_TEXT_MAX];
		rc = gt_cstore_config_set(h->st, GT_CSTORE_CFG_ROLE_ASKED,
		                          gt_roleset_format(roles, asked, sizeof(asked)));
		if (rc == GT_OK && lang != NULL)
			rc = gt_home_set_lang(h, lang);
	}
	gt_home_close(h);
	return rc;
}

/* Says the new key and its enrolment request line for org with roles, and what to do with
 * it; OK, or FAIL when the line cannot be made. */
static int init_say_enrol(const struct gt_home_init_info *info, const char *org, unsigned roles)
{
	char line[GT_ENROL_LINE_MAX];
	uint8_t pub[GT_ED25519_PUB_LEN];
	struct gt_enrol req;

	gt_termtext_line(stdout, _("key id:     %s"), info->key_id);
	gt_termtext_line(stdout, _("public key: %s"), info->pub_b64);
	if (gt_key_public_from_b64(info->pub_b64, strlen(info->pub_b64), pub) != GT_OK ||
	    gt_enrol_make(pub, org, roles, &req) != GT_OK ||
	    gt_enrol_format(&req, line, sizeof(line)) != GT_OK) {
		fprintf(stderr, _("gtsync init: cannot write the enrolment request\n"));
		return FAIL;
	}
	gt_termtext_line(stdout, _("check:      %s"), req.check);
	gt_termtext_line(stdout,
	                 _("Send this enrolment request line to the centre (or your province):"));
	gt_termtext_line(stdout, "%s", line);
	gt_termtext_line(stdout, _("which enrols it with"));
	gt_termtext_line(stdout,
	                 _("  gtsync-server key enrol --data DIR --request 'LINE' --label TEXT"));
	gt_termtext_line(stdout,
	                 _("Read the check to them over the phone: the numbers they see must "
	                   "be these. 'gtsync key' shows the line again. Then run 'gtsync "
	                   "metadata pull'."));
	return OK;
}

static int cmd_init(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *server = gt_cli_get(cmd, "server"), *org = gt_cli_get(cmd, "org");
	const char *ca = gt_cli_get(cmd, "ca"), *lang = gt_cli_get(cmd, "lang");
	struct gt_home_init_info info;
	char dir[GT_PATH_MAX];
	unsigned roles;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if ((rc = init_args(cmd, &roles, dir)) != OK)
		return rc;
	/* A new home asks a person at a terminal (Bahasa Indonesia unless they choose English);
	 * elsewhere it asks nothing and the environment's language, else Indonesian, holds. */
	if (lang == NULL && isatty(fileno(stdin)))
		lang = gt_langask(stdin, stdout);
	rc = gt_home_init(dir, server, org, ca, &info, stderr);
	if (rc != GT_OK)
		return FAIL;
	if ((rc = init_settings(dir, roles, lang)) != GT_OK) {
		fprintf(stderr, _("gtsync init: cannot store the home's settings: %s\n"),
		        gt_error_text(rc));
		return FAIL;
	}
	if (lang != NULL)
		gt_i18n_use(lang);
	gt_termtext_line(stdout, _("gtsync home %s is ready for org unit %s, server %s"), dir, org,
	                 server);
	return init_say_enrol(&info, org, roles);
}

/* ---- key ---- */

/* The roles of the home's enrolment request: those the key holds once the server said so,
 * before that those gtsync init asked for (operator for a home made before they were kept). */
static const char *request_roles(const struct gt_home *h, char *buf, size_t cap)
{
	if (h->role[0] != '\0')
		return h->role;
	if (gt_cstore_config_get(h->st, GT_CSTORE_CFG_ROLE_ASKED, buf, cap) == GT_OK &&
	    buf[0] != '\0')
		return buf;
	return "operator";
}

/* Prints the home's enrolment request again (see request_roles()). */
static void print_request(const struct gt_home *h, const char *b64)
{
	char line[GT_ENROL_LINE_MAX], asked[GT_ROLESET_TEXT_MAX];
	uint8_t pub[GT_ED25519_PUB_LEN];
	struct gt_enrol req;
	unsigned roles;

	if (gt_roleset_parse(request_roles(h, asked, sizeof(asked)), &roles) != GT_OK ||
	    gt_key_public_from_b64(b64, strlen(b64), pub) != GT_OK ||
	    gt_enrol_make(pub, h->org, roles, &req) != GT_OK ||
	    gt_enrol_format(&req, line, sizeof(line)) != GT_OK)
		return;
	gt_termtext_line(stdout, _("enrolment:  %s"), line);
	gt_termtext_line(stdout, _("check:      %s"), req.check);
}

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
		gt_termtext_line(stdout, _("key id:     %s"), h->key_id);
		gt_termtext_line(stdout, _("public key: %s"), b64);
		gt_termtext_line(stdout, _("org unit:   %s"), h->org);
		char asked[GT_ROLESET_TEXT_MAX];
		if (h->role[0] != '\0')
			gt_termtext_line(stdout, _("role:       %s"), h->role);
		else
			gt_termtext_line(
			    stdout, _("role:       %s asked for (known after the first login)"),
			    request_roles(h, asked, sizeof(asked)));
		print_request(h, b64);
	}
	gt_home_close(h);
	return rc == GT_OK ? OK : FAIL;
}

/* ---- enrol ---- */

/* The largest request file read (a saved message holding the line). */
#define ENROL_FILE_MAX 65536u

/* A province's aggregator enrols one of its districts' keys from the line the district's
 * gtsync init printed; the server checks the line and the authority. */
static int cmd_enrol(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *request = gt_cli_get(cmd, "request"), *label = gt_cli_get(cmd, "label");
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__EnrolRequest req = GTSYNC__V1__ENROL_REQUEST__INIT;
	char roles[GT_ROLESET_TEXT_MAX];
	gt_envelope *reply = NULL;
	struct gt_enrol check;
	struct gt_home *h = NULL;
	uint8_t *file = NULL;
	const char *why;
	size_t len;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (request == NULL) {
		fprintf(stderr, _("gtsync enrol: --request LINE or FILE is required\n"));
		return USAGE;
	}
	if (strncmp(request, GT_ENROL_MAGIC, strlen(GT_ENROL_MAGIC)) != 0) {
		rc = gt_file_read(request, ENROL_FILE_MAX, &file, &len);
		if (rc != GT_OK) {
			fprintf(stderr, _("gtsync enrol: cannot read the request file %s: %s\n"),
			        request, gt_error_text(rc));
			return FAIL;
		}
		request = (const char *)file;
	}
	/* Read here first: a mistyped line is told before any connection. */
	if (gt_enrol_parse(request, strlen(request), &check, &why) != GT_OK) {
		fprintf(stderr, _("gtsync enrol: %s; nothing was sent\n"), why);
		rc = GT_EINVAL;
		goto out;
	}
	if ((rc = open_home(cmd, &h)) != GT_OK)
		goto out;
	req.request = (char *)request;
	req.label = (char *)(label != NULL ? label : "");
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_ENROL_REQUEST;
	env.enrol_request = &req;
	rc = gt_home_request(h, "gtsync enrol", 0, &env, GTSYNC__V1__ENVELOPE__BODY_ENROL_REPLY,
	                     &reply);
	if (rc == GT_OK) {
		const Gtsync__V1__EnrolReply *r = reply->enrol_reply;
		gt_roleset_format(gt_roleset_from_list(r->roles, r->n_roles), roles, sizeof(roles));
		gt_termtext_line(stdout, _("key %s enrolled for %s as %s; check %s"), r->key_id,
		                 r->org_unit, roles, r->check);
		gt_termtext_line(stdout,
		                 _("Read the check to the office: its 'gtsync init' printed "
		                   "the same numbers."));
	}
out:
	gt_wire_envelope_free(reply);
	gt_home_close(h);
	free(file);
	return rc == GT_EINVAL ? FAIL : exit_for(rc);
}

/* ---- metadata pull ---- */

static int cmd_metadata_pull(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_metapull_opts o = {.out = stdout};
	struct gt_home *h;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	rc = gt_metapull_run(h, &o, NULL);
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
	/* DHIS2's JSON has a module of its own (client/dhis2import.c). */
	const char *format = gt_cli_get(cmd, "format");
	if (format != NULL && strcmp(format, "dhis2") != 0 && strcmp(format, "adx") != 0 &&
	    strcmp(format, "csv") != 0) {
		fprintf(stderr, _("gtsync import: --format is csv, dhis2 or adx\n"));
		gt_home_close(h);
		return USAGE;
	}
	for (int i = 0; i < argc && rc == GT_OK; i++)
		rc = format != NULL && strcmp(format, "dhis2") == 0
		         ? gt_dhis2import_file(h, argv[i], o.dataset, stdout)
		     : format != NULL && strcmp(format, "adx") == 0
		         ? gt_dhis2import_run(h, argv[i], o.dataset, gt_adx_decode, stdout)
		         : gt_import_file(h, argv[i], &o, NULL);
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
		fprintf(stderr,
		        _("gtsync set: give DE PERIOD COC VALUE (COC \"\" for no breakdown), "
		          "or --delete\n"));
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

/* ---- template ---- */

static int cmd_template(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_template_opts o = {0};
	struct gt_home *h;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (gt_template_format_parse(gt_cli_get(cmd, "format"), &o.format) != GT_OK) {
		fprintf(stderr, _("gtsync template: --format is xlsx or csv\n"));
		return USAGE;
	}
	if (gt_cli_get(cmd, "dataset") == NULL || gt_cli_get(cmd, "period") == NULL) {
		fprintf(stderr, _("gtsync template: give --dataset DS and --period P\n"));
		return USAGE;
	}
	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	o.dataset = gt_cli_get(cmd, "dataset");
	o.period = gt_cli_get(cmd, "period");
	o.output = gt_cli_get(cmd, "output");
	/* --prefill: the period's own values; --prefill-from P: another period's. */
	o.prefill = gt_cli_get(cmd, "prefill-from");
	if (o.prefill == NULL && gt_cli_get(cmd, "prefill") != NULL)
		o.prefill = o.period;
	o.out = stdout;
	rc = gt_template_write(h, &o);
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
	struct gt_testhooks hooks;
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
	gt_testhooks_init(&hooks);
	o.hooks = &hooks;
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

static int cmd_status(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *fmt = gt_cli_get(cmd, "format");
	struct gt_home *h;
	int plain, rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (fmt != NULL && strcmp(fmt, "plain") != 0 && strcmp(fmt, "human") != 0) {
		fprintf(stderr, _("gtsync status: --format is human or plain\n"));
		return USAGE;
	}
	plain = fmt ? strcmp(fmt, "plain") == 0 : !isatty(fileno(stdout));
	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	rc = gt_status_print(h, stdout, plain);
	gt_home_close(h);
	return rc == GT_OK ? OK : FAIL;
}

/* ---- alarm (the server's transparency log, issue 14) ---- */

static int cmd_alarm(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_home *h;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	if (!gt_treelog_print_alarm(h, stdout)) {
		printf("%s\n", _("no alarm: the server's log extended what this office verified"));
		gt_home_close(h);
		return OK;
	}
	if (!gt_cli_get(cmd, "acknowledge")) {
		gt_home_close(h);
		return FAIL;
	}
	rc = gt_cstore_tree_alarm_ack(h->st, gt_clock_wall_ms());
	if (rc == GT_OK)
		printf("%s\n", _("alarm acknowledged: the next exchange starts again from the tree "
		                 "head the server shows then"));
	else
		fprintf(stderr, _("gtsync alarm: cannot acknowledge: %s\n"),
		        gt_cstore_errmsg(h->st));
	gt_home_close(h);
	return rc == GT_OK ? OK : FAIL;
}

/* ---- report ---- */

/* Reads the report a command names (--org, --dataset, --period); prints the usage error and
 * returns USAGE when --dataset or --period is missing, else OK. */
static int report_names(const struct gt_cli_cmd *cmd, const char **org, const char **dataset,
                        const char **period)
{
	*org = gt_cli_get(cmd, "org");
	*dataset = gt_cli_get(cmd, "dataset");
	*period = gt_cli_get(cmd, "period");
	if (*dataset == NULL || *period == NULL) {
		fprintf(stderr, _("gtsync %s: --dataset and --period are required (see --help)\n"),
		        cmd->name);
		return USAGE;
	}
	return OK;
}

static int cmd_report(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_fetch_opts o = {0};
	struct gt_home *h;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (report_names(cmd, &o.org, &o.dataset, &o.period) != OK)
		return USAGE;
	o.output = gt_cli_get(cmd, "output");
	o.per_child = gt_cli_get(cmd, "no-children") == NULL;
	o.public_view = gt_cli_get(cmd, "public") != NULL;
	o.format = gt_render_format_find(gt_cli_get(cmd, "format"));
	o.out = stdout;
	if (o.format == NULL) {
		char list[256];
		gt_render_format_list(list, sizeof(list), 0);
		fprintf(stderr, _("gtsync report: --format is %s\n"), list);
		return USAGE;
	}
	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	rc = gt_fetch_report(h, &o);
	gt_home_close(h);
	return exit_for(rc);
}

/* ---- verify (issue 14) ---- */

static int cmd_verify(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_verify_opts o = {0};
	unsigned long max = 0;
	struct gt_home *h;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (report_names(cmd, &o.org, &o.dataset, &o.period) != OK)
		return USAGE;
	o.out = stdout;
	if (opt_uint(cmd, "max-entries", GT_VERIFY_MAX_ENTRIES, &max) != GT_OK)
		return USAGE;
	o.max_entries = (uint32_t)max;
	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	rc = gt_verify_run(h, &o, NULL);
	gt_home_close(h);
	return exit_for(rc);
}

/* ---- export ---- */

static int cmd_export(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_dhis2export_opts o = {0};
	const char *format = gt_cli_get(cmd, "format"), *scheme = gt_cli_get(cmd, "id-scheme");
	unsigned long chunk = 0;
	struct gt_home *h;
	uint64_t n = 0;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	o.org = gt_cli_get(cmd, "org");
	o.dataset = gt_cli_get(cmd, "dataset");
	o.start = gt_cli_get(cmd, "start");
	o.end = gt_cli_get(cmd, "end");
	o.output = gt_cli_get(cmd, "output");
	o.out = stdout;
	o.public_view = gt_cli_get(cmd, "public") != NULL;
	o.scope = gt_cli_get(cmd, "descendants") ? GTSYNC__V1__EXPORT_SCOPE__EXPORT_DESCENDANTS
	          : gt_cli_get(cmd, "children")  ? GTSYNC__V1__EXPORT_SCOPE__EXPORT_CHILDREN
	                                         : GTSYNC__V1__EXPORT_SCOPE__EXPORT_SELF;
	if (format != NULL && strcmp(format, "dhis2-metadata") == 0) {
		if (open_home(cmd, &h) != GT_OK)
			return FAIL;
		rc = gt_dhis2meta_run(h, o.output, 0, stdout);
		gt_home_close(h);
		return exit_for(rc);
	}
	if (format == NULL || (strcmp(format, "dhis2") != 0 && strcmp(format, "adx") != 0)) {
		fprintf(stderr, _("gtsync export: --format is dhis2, dhis2-metadata or adx\n"));
		return USAGE;
	}
	o.adx = strcmp(format, "adx") == 0;
	if (scheme != NULL && strcmp(scheme, "code") != 0 && strcmp(scheme, "uid") != 0) {
		fprintf(stderr, _("gtsync export: --id-scheme is code or uid\n"));
		return USAGE;
	}
	o.scheme =
	    scheme && strcmp(scheme, "uid") == 0 ? GT_DHIS2_SCHEME_UID : GT_DHIS2_SCHEME_CODE;
	if (o.dataset == NULL || o.start == NULL || o.end == NULL) {
		fprintf(stderr, _("gtsync export: --dataset, --start and --end are required (see "
		                  "--help)\n"));
		return USAGE;
	}
	if (opt_uint(cmd, "chunk", 100000, &chunk) != GT_OK)
		return USAGE;
	o.chunk = (uint32_t)chunk;
	if (open_home(cmd, &h) != GT_OK)
		return FAIL;
	rc = gt_dhis2export_run(h, &o, &n);
	if (rc == GT_OK && o.output != NULL)
		printf(P_("%llu value written to %s\n", "%llu values written to %s\n",
		          (unsigned long)n),
		       (unsigned long long)n, o.output);
	gt_home_close(h);
	return exit_for(rc);
}

/* ---- The reporting chain ---- */

#define CHAIN_HELP                                                                                 \
	N_("The action is saved in the home's outbox, signed in a batch and sent like values "     \
	   "(a batch cut by a crash is resent by the next push or workflow command). The line "    \
	   "printed says whether the server applied it, skipped it (and why: not allowed in the "  \
	   "report's current approval state, not every child unit approved and accepted, the "     \
	   "digest not matching the stored data) or refused it (authorization). Exit status: 0 "   \
	   "applied, 1 skipped or refused, 2 usage, 3 the server could not be reached (the "       \
	   "action "                                                                               \
	   "stays saved and goes out with the next 'gtsync push').")

static int run_chain(const struct gt_cli_cmd *cmd, int kind)
{
	struct gt_chain_opts o = {0};
	struct gt_chain_result r;
	struct gt_home *h;
	unsigned long tries = 0, timeout = 0;
	struct gt_testhooks hooks;
	int rc;

	o.kind = kind;
	if (report_names(cmd, &o.org, &o.dataset, &o.period) != OK)
		return USAGE;
	o.reason = gt_cli_get(cmd, "reason");
	o.until = gt_cli_get(cmd, "until");
	o.acknowledge = gt_cli_get(cmd, "acknowledge");
	if ((kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT ||
	     kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN ||
	     kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE) &&
	    (o.org == NULL || o.org[0] == '\0')) {
		fprintf(stderr,
		        _("gtsync %s: --org is required: the child org unit whose report you %s\n"),
		        cmd->name, cmd->name);
		return USAGE;
	}
	if (kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN ||
	    kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE) {
		const char *p = o.reason ? o.reason : "";
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0') {
			fprintf(
			    stderr, _("gtsync %s: %s; nothing was sent\n"), cmd->name,
			    kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN
			        ? _("a return needs --reason TEXT, so the office knows what to "
			            "correct")
			        : _("an opening for late entry needs --reason TEXT, so the history "
			            "says why"));
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
	gt_testhooks_init(&hooks);
	o.hooks = &hooks;
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

static int cmd_nil_report(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)argv;
	(void)arg;
	return run_chain(cmd, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_NIL_REPORT);
}

static int cmd_open_late(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)argv;
	(void)arg;
	return run_chain(cmd, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE);
}

/* ---- The command table ---- */

/* The defaults the help texts name, as literals so the catalogues hold whole sentences. */
_Static_assert(GT_BACKOFF_TRIES == 5 && GT_BACKOFF_CAP_S == 30 && GT_BACKOFF_BASE_MS == 1000,
               "the help of --retries and --retry-base-ms names these defaults");
_Static_assert(GT_SESSION_DEFAULT_TIMEOUT_S == 30 && GT_PULL_CHUNK == 5000,
               "the help of --timeout and --chunk names these defaults");
_Static_assert(sizeof(GT_HOME_ENV) == sizeof("GTSYNC_HOME") &&
                   sizeof(GT_HOME_DEFAULT) == sizeof(".gtsync"),
               "the help of --home names $GTSYNC_HOME and ~/.gtsync");

#define HOME_OPT                                                                                   \
	{                                                                                          \
		"home", "DIR", N_("the client's home (default $GTSYNC_HOME or ~/.gtsync)"), NULL   \
	}

static struct gt_cli_opt init_opts[] = {
    HOME_OPT,
    {"server", "HOST:PORT", N_("the central server (e.g. 127.0.0.1:7443)"), NULL},
    {"org", "CODE", N_("the org unit this office reports for (53.71, 53, ID)"), NULL},
    {"ca", "CERT.pem", N_("the server's certificate (tls-cert.pem), pinned"), NULL},
    {"role", "ROLES",
     N_("the roles the enrolment request asks for, separated by commas (default operator)"), NULL},
    {"lang", "id|en", N_("the language of this home's messages and forms (default: LANG, else id)"),
     NULL},
    {0},
};
static struct gt_cli_opt home_opts[] = {HOME_OPT, {0}};
static struct gt_cli_opt enrol_opts[] = {
    HOME_OPT,
    {"request", "LINE|FILE", N_("the district's enrolment request line, or a file holding it"),
     NULL},
    {"label", "TEXT", N_("the office and person the key stands for"), NULL},
    {0},
};
static struct gt_cli_opt md_opts[] = {HOME_OPT, {0}};
static struct gt_cli_opt import_opts[] = {
    HOME_OPT,
    {"dataset", "DS", N_("the data set every value is entered for (KK, LY, GT)"), NULL},
    {"period", "PERIOD", N_("fills empty period cells; rows of another period are errors"), NULL},
    {"format", "FORMAT",
     N_("csv (the default), dhis2 (a DHIS2 dataValueSets JSON document) or adx (ADX XML)"), NULL},
    {0},
};
static struct gt_cli_opt set_opts[] = {
    HOME_OPT,
    {"comment", "TEXT", N_("a comment stored with the value"), NULL},
    {"dataset", "DS", N_("the data set the value is entered for"), NULL},
    {"delete", NULL, N_("delete the value instead of setting it"), NULL},
    {0},
};
static struct gt_cli_opt template_opts[] = {
    HOME_OPT,
    {"dataset", "DS", N_("the data set of the form (KK, LY, GT)"), NULL},
    {"period", "PERIOD", N_("the period the form is for (202611, 2026S2, 2026)"), NULL},
    {"format", "FORMAT", N_("xlsx (default) or csv (the same grid as a CSV file)"), NULL},
    {"output", "FILE", N_("the file to write (default DS-PERIOD-ORG.xlsx here; never replaced)"),
     NULL},
    {"prefill", NULL,
     N_("fill the cells with the values this home already has for the period (queued, sent "
        "or pulled), to correct them"),
     NULL},
    {"prefill-from", "PERIOD",
     N_("fill the cells with another period's values instead (the previous month's, to start "
        "from its figures)"),
     NULL},
    {0},
};
static struct gt_cli_opt push_opts[] = {
    HOME_OPT,
    {"retries", "N", N_("connection attempts in all before giving up for now (default 5)"), NULL},
    {"no-retry", NULL, N_("try once (same as --retries 1)"), NULL},
    {"retry-base-ms", "MS",
     N_("first delay between tries, doubled each time up to 30 s (default 1000)"), NULL},
    {"batch-values", "N", N_("most values per batch (default: the server's limit)"), NULL},
    {"timeout", "SECONDS", N_("connect and wait for each answer at most (default 30)"), NULL},
    {0},
};
static struct gt_cli_opt pull_opts[] = {
    HOME_OPT,
    {"org", "CODE", N_("root of the subtree to pull (default: the key's org unit)"), NULL},
    {"chunk", "N", N_("values asked for per chunk (default 5000; the server may send fewer)"),
     NULL},
    {"max-chunks", "N", N_("stop after N chunks (the next pull resumes)"), NULL},
    {0},
};
static struct gt_cli_opt status_opts[] = {
    HOME_OPT,
    {"format", "FORMAT", N_("human or plain key=value lines (default: human on a terminal)"), NULL},
    {0},
};
static struct gt_cli_opt alarm_opts[] = {
    HOME_OPT,
    {"acknowledge", NULL, "acknowledge the alarm, after the central secretariat explained it",
     NULL},
    {0},
};
static struct gt_cli_opt report_opts[] = {
    HOME_OPT,
    {"org", "CODE", N_("the org unit to report on (default: the key's)"), NULL},
    {"dataset", "DS", N_("the data set (KK, LY, GT)"), NULL},
    {"period", "PERIOD", N_("any DHIS2 period; finer periods roll up into it (2026Q3, 2026)"),
     NULL},
    {"format", "FORMAT", NULL /* the formats of render.c, set by gt_client_main() */, NULL},
    {"output", "FILE", N_("write the report to FILE (replaced whole) instead of the terminal"),
     NULL},
    {"no-children", NULL, N_("leave out the per-child breakdown"), NULL},
    {"public", NULL,
     N_("figures as a reader sees them, for publishing: small counts of victims withheld (*)"),
     NULL},
    {0},
};
static struct gt_cli_opt verify_opts[] = {
    HOME_OPT,
    {"org", "CODE", N_("the org unit whose report is verified (default: the key's)"), NULL},
    {"dataset", "DS", N_("the data set (KK, LY, GT)"), NULL},
    {"period", "PERIOD", N_("the report's period (2025 for a year of monthly reports)"), NULL},
    /* The number is GT_VERIFY_MAX_ENTRIES (a literal, for the catalogues). */
    {"max-entries", "N", N_("stop with an error past N log entries (default and most: 200000)"),
     NULL},
    {0},
};
static struct gt_cli_opt export_opts[] = {
    HOME_OPT,
    {"format", "FORMAT",
     N_("dhis2 (a dataValueSets JSON document), dhis2-metadata (a DHIS2 metadata package) or "
        "adx (ADX XML)"),
     NULL},
    {"org", "CODE", N_("the org unit (default: the key's)"), NULL},
    {"children", NULL, N_("also its direct children"), NULL},
    {"descendants", NULL, N_("also its whole subtree"), NULL},
    {"dataset", "DS", N_("the data set (KK, LY, GT)"), NULL},
    {"start", "PERIOD", N_("the first period of the range (202501)"), NULL},
    {"end", "PERIOD", N_("the last period of the range (202512)"), NULL},
    {"id-scheme", "SCHEME", N_("code (gtsync's codes, the default) or uid (derived UIDs)"), NULL},
    {"output", "FILE", N_("write to FILE (replaced only when complete) instead of the terminal"),
     NULL},
    {"chunk", "N", N_("values per request (default: the server's cap)"), NULL},
    {"public", NULL,
     N_("for publishing: leave out counts of victims (and every element with a disclosure "
        "threshold), text elements, comments and signers"),
     NULL},
    {0},
};
static struct gt_cli_opt chain_opts[] = {
    HOME_OPT,
    {"dataset", "DS", N_("the data set (KK, LY, GT)"), NULL},
    {"period", "PERIOD",
     N_("the report's period: the data set's period type or coarser (2025 for a year of monthly "
        "reports)"),
     NULL},
    {"org", "CODE",
     N_("the report's org unit: default the key's own (submit, approve, unapprove); the child's "
        "(accept, return)"),
     NULL},
    {"reason", "TEXT", N_("why (required for return and open-late; kept with the signed action)"),
     NULL},
    {"acknowledge", "RULE,...",
     N_("submit, approve: the failing warning rules the approver has seen and accepts"), NULL},
    {"until", "YYYY-MM-DD", N_("open-late: the last day of late entry (inclusive)"), NULL},
    {"retries", "N", N_("connection attempts in all before giving up for now (default 5)"), NULL},
    {"no-retry", NULL, N_("try once (same as --retries 1)"), NULL},
    {"timeout", "SECONDS", N_("connect and wait for each answer at most (default 30)"), NULL},
    {0},
};

static const struct gt_cli_cmd metadata_cmds[] = {
    {"pull", N_("fetch the data sets and the org units in the key's scope"), N_("[--home DIR]"),
     N_("Stores the server's metadata files (checked with the same loader the server uses) and "
        "the org units in the key's scope; import and set check values against them."),
     md_opts, 0, 0, cmd_metadata_pull, NULL},
    {0},
};

static const struct gt_cli_cmd client_cmds[] = {
    {"init", N_("set up a home: local store, key, pinned server certificate"),
     N_("--home DIR --server HOST:PORT --org CODE --ca CERT.pem [--role ROLES]"),
     N_("Creates DIR/client.db, a new Ed25519 key (DIR/key.pem, mode 0600; DIR/key.pub) and a "
        "copy of the server's certificate (DIR/ca.pem), and prints the key id and public key "
        "the central administrator registers. Every other command finds the home through "
        "--home or $GTSYNC_HOME."),
     init_opts, 0, 0, cmd_init, NULL},
    {"key", N_("show this home's key id and public key"), N_("[--home DIR]"), NULL, home_opts, 0, 0,
     cmd_key, NULL},
    {"enrol", N_("enrol a district's key from its request line (a province's aggregator)"),
     N_("--request LINE|FILE [--label TEXT]"),
     N_("Sends the line a district's 'gtsync init' printed to the server, which registers the "
        "key when this home is the aggregator of the district's province and the roles are "
        "operator and/or approver; anything else is refused. Prints the check to read back to "
        "the district."),
     enrol_opts, 0, 0, cmd_enrol, NULL},
    {"metadata", N_("fetch data-set definitions and org units"), N_("COMMAND"), NULL, NULL, 0, 0,
     NULL, metadata_cmds},
    {"import", N_("check a spreadsheet, CSV, DHIS2 or ADX file and queue its values"),
     N_("[--home DIR] [--dataset DS] [--period P] [--format FORMAT] FILE..."),
     N_("Reads a filled form of 'gtsync template' (.xlsx or its CSV grid), any sheet or CSV "
        "file with DHIS2's column names in any order (dataelement, period, orgunit, "
        "categoryoptioncombo, value, comment; others are ignored; separated by commas, "
        "semicolons or tabs; UTF-8, Windows-1252 or UTF-16), or with --format a DHIS2 "
        "dataValueSets JSON or ADX XML document. Every value is checked against the metadata; "
        "if any is bad, every error is shown with its line, cell or path and nothing from the "
        "file is queued. Empty orgunit cells mean this office's org unit. Validation rules that "
        "fail are shown as warnings. 'gtsync push' sends what is queued."),
     import_opts, 1, -1, cmd_import, NULL},
    {"set", N_("queue one value"), N_("[--home DIR] DE PERIOD COC VALUE [--comment TEXT]"),
     N_("COC is the category option combo (\"\" or default for an element without a "
        "breakdown). The value is checked like an import row."),
     set_opts, 3, 4, cmd_set, NULL},
    {"template", N_("write a spreadsheet form to fill in and import"),
     N_("[--home DIR] --dataset DS --period P [--format xlsx|csv] [--output FILE] "
        "[--prefill | --prefill-from PERIOD]"),
     N_("Writes the data set's form for this office and period: a sheet of instructions, then "
        "a sheet per part of the form with the data set's names, the cells to fill in unlocked "
        "and checked (whole numbers of 0 or more, Ya/Tidak lists), everything else locked, and "
        "the codes in hidden cells. Fill it in Excel or LibreOffice and give it to 'gtsync "
        "import'. --format csv writes the same grid as a CSV file, importable the same way. "
        "--prefill fills the cells with the values already entered or pulled for the period, "
        "--prefill-from with those of another period; importing the form unchanged queues "
        "nothing."),
     template_opts, 0, 0, cmd_template, NULL},
    {"push", N_("send queued values and workflow actions to the server"),
     N_("[--home DIR] [--no-retry] [--retries N]"),
     N_("Packs queued values (and workflow actions, in batches of their own) into signed "
        "batches, saves each with its sequence number before "
        "sending, sends, and records the server's answers; a push cut at any moment resends the "
        "same batches next time (the server acknowledges them as duplicates). When the server "
        "cannot be reached the values stay queued and the push retries with growing delays. "
        "Exit status 3: the server was unreachable and values stay queued."),
     push_opts, 0, 0, cmd_push, NULL},
    {"pull", N_("update the local replica of the subtree's values"),
     N_("[--home DIR] [--org CODE]"),
     N_("For provincial aggregators: pulls the values of the districts below, chunk by chunk "
        "from the saved cursor; each chunk is stored with the cursor in one transaction, so an "
        "interrupted pull resumes where it stopped."),
     pull_opts, 0, 0, cmd_pull, NULL},
    {"status", N_("show queued, sent, acknowledged and refused values, conflicts, last sync"),
     N_("[--home DIR] [--format human|plain]"),
     N_("Values the server skipped are listed grouped by reason. Not on a terminal (or with "
        "--format plain) the output is key=value lines."),
     status_opts, 0, 0, cmd_status, NULL},
    {"alarm", N_("show or acknowledge an alarm about the server's log"),
     N_("[--home DIR] [--acknowledge]"),
     N_("Every exchange checks that the server's signed log extends the one this office last "
        "verified and holds its acknowledged batches. When it does not, gtsync raises an alarm, "
        "shows both tree heads, and sends or takes nothing more. After the central secretariat "
        "explained what happened, --acknowledge clears the alarm; the next exchange then trusts "
        "the tree head the server shows. Exits 1 while an alarm is open."),
     alarm_opts, 0, 0, cmd_alarm, NULL},
    {"report", N_("show the server's consolidated report"),
     N_("[--home DIR] [--org CODE] --dataset DS --period P [--format FORMAT] [--output FILE] "
        "[--public]"),
     N_("Totals for the org unit's subtree with a column per child org unit, and which units "
        "reported. text and html are the chair's report: totals with the breakdowns (sex x "
        "age), a part per child, completeness and timeliness per child, the approval chain's "
        "state and signed history, the units that did not report, and for action-plan data "
        "sets target, achievement and gap; html is one self-contained page to open and print. "
        "csv writes one line per value (dataelement, period, orgunit, categoryoptioncombo, value, "
        "count, comment), texts in full, a cell a spreadsheet would take for a formula with a "
        "leading quote. dhis2 writes a dataValueSets JSON document (dataSet, period, orgUnit, "
        "dataValues with dataElement, categoryOptionCombo, value, comment) of the totals. With "
        "--output the file is written whole through a new temporary file beside it, or not at "
        "all. With --public (and always for a reader key) the server sends the reader's view, "
        "for publishing: no comments, text or history, and every small count of victims, and "
        "what would let one be computed, withheld (written *; left out of dhis2) "
        "(docs/PRIVACY.md)."),
     report_opts, 0, 0, cmd_report, NULL},
    {"verify", N_("check a report's figures against the signed batches behind them"),
     N_("[--home DIR] [--org CODE] --dataset DS --period P"),
     N_("Fetches the server's report and the entries of its transparency log behind it: the "
        "signed batches of the subtree's units with values or actions of the data set and "
        "period, and the key records of their keys. Checks each key record's signature by the "
        "server's key, each batch's bytes against the hash the log holds and its signature "
        "against the key valid at that point of the log (registered, not revoked, of the "
        "batch's unit and role), and each entry's inclusion in the tree head this office "
        "verified; then applies the revision rule again and recomputes every total and "
        "per-child figure. Prints 'verified: ...' with the counts, or each figure that differs "
        "and each check that fails, and exits 1. A reader key is refused: it never receives "
        "the batches."),
     verify_opts, 0, 0, cmd_verify, NULL},
    {"export", N_("export raw values for another system (DHIS2, ADX)"),
     N_("[--home DIR] --format dhis2|dhis2-metadata|adx [--org CODE] [--children|--descendants] "
        "--dataset DS --start P --end P [--id-scheme code|uid] [--public] [--output FILE]"),
     N_("Fetches the stored values of the data set for the org unit (with --children its "
        "direct children, with --descendants its whole subtree) and every period of the data "
        "set's type within the range, as each unit entered them: never consolidated totals. "
        "dhis2 writes one JSON document: dataValues as DHIS2's dataValueSets (storedBy is the "
        "key id that signed the value), completeDataSetRegistrations, and dataApprovals (wf, "
        "pe, ou, aoc, state). The document is streamed, so any size exports in bounded memory. "
        "dhis2-metadata writes the data sets, data elements, category options, categories, "
        "combos, option combos and the org units in the key's scope as one DHIS2 metadata "
        "package, each with a UID derived from its code (the uid id scheme's). adx writes the "
        "values as an ADX XML document (IHE's Aggregate Data Exchange). docs/DHIS2.md says how "
        "to import them into DHIS2. With --public (and always for a reader key) the server "
        "sends what may be published: no comments, signers or text values, no count of "
        "victims of a month, quarter or half year, and for each whole year of the range every "
        "unit's yearly count of victims that small-cell suppression shows; the rest is left "
        "out (docs/PRIVACY.md)."),
     export_opts, 0, 0, cmd_export, NULL},
    {"submit", N_("mark the office's report for a period as submitted (its approver's key)"),
     N_("[--home DIR] --dataset DS --period P [--org CODE]"), CHAIN_HELP, chain_opts, 0, 0,
     cmd_submit, NULL},
    {"approve", N_("approve a report: sign the digest of its data as the server holds it"),
     N_("[--home DIR] --dataset DS --period P [--org CODE] [--acknowledge RULE,...]"),
     N_("An approver key approves its own org unit's report once every child expected to report "
        "it is approved and accepted. The command first pulls the subtree's values for the data "
        "set and period from the server and prints how many values it signs and their SHA-256 "
        "digest (common/digest.h); the server applies the approval only if its data is still "
        "exactly that. An approval locks the values of the unit and its subtree for that data "
        "set and period. The server also runs the data set's validation rules on the unit's own "
        "values: a failing error rule refuses the approval with the rule in words; a failing "
        "warning rule must be acknowledged with --acknowledge RULE (so must it for submit). A "
        "report without any value needs a nil report first (gtsync nil-report). The central "
        "secretariat approves the national report (--org ID) once every province is "
        "accepted.") "\n\n" CHAIN_HELP,
     chain_opts, 0, 0, cmd_approve, NULL},
    {"accept", N_("accept a child's approved report (the parent's aggregator)"),
     N_("[--home DIR] --dataset DS --period P --org CHILD"), CHAIN_HELP, chain_opts, 0, 0,
     cmd_accept, NULL},
    {"return", N_("return a child's report for correction, with a reason (unlocks its data)"),
     N_("[--home DIR] --dataset DS --period P --org CHILD --reason TEXT"), CHAIN_HELP, chain_opts,
     0, 0, cmd_return, NULL},
    {"unapprove", N_("take back the office's approval before the parent accepts it"),
     N_("[--home DIR] --dataset DS --period P [--org CODE]"), CHAIN_HELP, chain_opts, 0, 0,
     cmd_unapprove, NULL},
    {"nil-report", N_("declare that the office has nothing to report (laporan nihil)"),
     N_("[--home DIR] --dataset DS --period P"), GT_CHAIN_HELP_NIL "\n\n" CHAIN_HELP, chain_opts, 0,
     0, cmd_nil_report, NULL},
    {"open-late", N_("open a unit's report for late entry past its expiry (the parent)"),
     N_("[--home DIR] --dataset DS --period P --org CODE --until YYYY-MM-DD --reason TEXT"),
     GT_CHAIN_HELP_LATE "\n\n" CHAIN_HELP, chain_opts, 0, 0, cmd_open_late, NULL},
    {"dashboard", GT_DASHCMD_SUMMARY, GT_DASHCMD_USAGE, GT_DASHCMD_HELP, gt_dashcmd_opts, 0, 0,
     gt_dashcmd_run, NULL},
    {0},
};

/* Sets the help of option name in opts. */
static void set_help(struct gt_cli_opt *opts, const char *name, const char *help)
{
	for (; opts->name != NULL; opts++)
		if (strcmp(opts->name, name) == 0)
			opts->help = help;
}

int gt_client_main(int argc, char **argv)
{
	char list[1024], formats[1100];

	/* The report formats come from their table, so a new one shows up here by itself. */
	gt_render_format_list(list, sizeof(list), 1);
	snprintf(formats, sizeof(formats), _("%s; default %s"), list,
	         gt_render_format_find(NULL)->name);
	set_help(report_opts, "format", formats);
	return gt_cli_main("gtsync",
	                   N_("The gtsync client for district and provincial task-force offices: "
	                      "it queues report values\nlocally, sends them as signed batches when "
	                      "the link allows, takes the reporting chain's signed\nsteps (submit, "
	                      "approve, accept, return, unapprove), and fetches consolidated "
	                      "reports."),
	                   client_cmds, argc, argv, NULL);
}
