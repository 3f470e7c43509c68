/* gtsync-server's key commands beyond add and revoke: enrolment requests, roles granted and
 * taken, labels, lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ops.h"
#include "clock.h"
#include "encode.h"
#include "enrol.h"
#include "error.h"
#include "fileio.h"
#include "keylabel.h"
#include "orgunit.h"
#include "protonames.h"
#include "roleset.h"
#include "store.h"

#define FAIL  GT_CLI_EXIT_FAIL
#define USAGE GT_CLI_EXIT_USAGE

int gt__admin_parse_roles(const char *cmdname, const char *text, unsigned *set)
{
	if (gt_roleset_parse(text, set) != GT_OK) {
		fprintf(stderr,
		        "gtsync-server %s: '%s' is not a list of roles (operator, approver, "
		        "aggregator, secretariat, reader; several separated by commas)\n",
		        cmdname, text != NULL ? text : "");
		return GT_EINVAL;
	}
	return GT_OK;
}

/* Says why a change to key_id failed, in the words of the command. */
static int key_failed(const char *cmdname, struct gt_store *st, const char *key_id, int rc)
{
	if (rc == GT_ENOENT)
		fprintf(stderr, "gtsync-server %s: no registered key %s\n", cmdname, key_id);
	else if (rc == GT_ESTATE || rc == GT_EINVAL)
		fprintf(stderr, "gtsync-server %s: %s\n", cmdname, gt_store_errmsg(st));
	else
		fprintf(stderr, "gtsync-server %s: %s\n", cmdname, gt_strerror(rc));
	return FAIL;
}

/* key grant and key revoke-role: one body, the direction by arg. */
static int change_roles(const struct gt_cli_cmd *cmd, char **argv, int grant)
{
	const char *cmdname = grant ? "key grant" : "key revoke-role";
	char roles[GT_ROLESET_TEXT_MAX];
	struct gt_store_key k;
	struct gt_paths p;
	struct gt_store *st = NULL;
	unsigned set;
	int rc;

	if (gt__admin_parse_roles(cmdname, gt_cli_get(cmd, "role"), &set) != GT_OK)
		return USAGE;
	if (gt__admin_open_store(cmd, &p, &st) != GT_OK)
		return FAIL;
	rc = grant ? gt_store_key_grant(st, argv[0], set, gt_clock_wall_ms())
	           : gt_store_key_revoke_roles(st, argv[0], set, gt_clock_wall_ms());
	if (rc == GT_OK)
		rc = gt_store_key_get(st, argv[0], &k);
	if (rc != GT_OK) {
		rc = key_failed(cmdname, st, argv[0], rc);
		goto out;
	}
	printf("key %s of %s now holds: %s; a running server applies this to the key's open "
	       "connections within seconds\n",
	       k.key_id, k.org_unit, gt_roleset_format(k.roles, roles, sizeof(roles)));
out:
	gt_store_close(st);
	return rc;
}

int gt__cmd_key_grant(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)arg;
	return change_roles(cmd, argv, 1);
}

int gt__cmd_key_revoke_role(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)arg;
	return change_roles(cmd, argv, 0);
}

int gt__cmd_key_label(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_paths p;
	struct gt_store *st = NULL;
	const char *why;
	int rc;
	(void)argc;
	(void)arg;

	if (gt_keylabel_check(argv[1], &why) != GT_OK) {
		fprintf(stderr, "gtsync-server key label: %s\n", why);
		return USAGE;
	}
	if (gt__admin_open_store(cmd, &p, &st) != GT_OK)
		return FAIL;
	rc = gt_store_key_set_label(st, argv[0], argv[1], gt_clock_wall_ms());
	if (rc != GT_OK) {
		rc = key_failed("key label", st, argv[0], rc);
		goto out;
	}
	if (argv[1][0] == '\0')
		printf("key %s has no label now\n", argv[0]);
	else
		printf("key %s is labelled \"%s\"\n", argv[0], argv[1]);
out:
	gt_store_close(st);
	return rc;
}

/* What key list shows: everything, or the keys that match every filter given. */
struct key_filter {
	const char *org; /* the org unit's subtree; NULL any */
	unsigned roles;  /* keys holding any of these; 0 any */
	int active_only; /* leave revoked keys out */
	unsigned shown;
};

static int print_key(void *arg, const struct gt_store_key *k)
{
	struct key_filter *f = arg;
	char b64[GT_KEY_PUB_B64_LEN + 1];
	char roles[GT_ROLESET_TEXT_MAX];

	if (f->org != NULL && gt_orgunit_contains(f->org, k->org_unit) != 1)
		return 0;
	if (f->roles != 0 && (k->roles & f->roles) == 0)
		return 0;
	if (f->active_only && k->revoked)
		return 0;
	gt_base64_encode(k->public_key, sizeof(k->public_key), b64, sizeof(b64));
	printf("%-16s  %-6s  %-22s  %-7s  %s  %s\n", k->key_id, k->org_unit,
	       gt_roleset_format(k->roles, roles, sizeof(roles)), k->revoked ? "revoked" : "active",
	       b64, k->label[0] ? k->label : "-");
	f->shown++;
	return 0;
}

struct gt_cli_opt gt__key_list_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"org", "CODE", "only keys of this org unit and the units under it", NULL},
    {"role", "ROLES", "only keys holding one of these roles (comma-separated)", NULL},
    {"active", NULL, "leave revoked keys out", NULL},
    {0},
};

int gt__cmd_key_list(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct key_filter f = {0};
	const char *role = gt_cli_get(cmd, "role");
	struct gt_paths p;
	struct gt_store *st;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	f.org = gt_cli_get(cmd, "org");
	f.active_only = gt_cli_get(cmd, "active") != NULL;
	if (f.org != NULL && gt_orgunit_valid(f.org) != GT_OK) {
		fprintf(stderr,
		        "gtsync-server key list: '%s' is not an org unit code (ID, 53, 53.71)\n",
		        f.org);
		return USAGE;
	}
	if (role != NULL && gt__admin_parse_roles("key list", role, &f.roles) != GT_OK)
		return USAGE;
	if (gt__admin_open_store_ro(cmd, &p, &st) != GT_OK)
		return FAIL;
	printf("%-16s  %-6s  %-22s  %-7s  %-44s  %s\n", "KEY ID", "ORG", "ROLES", "STATUS",
	       "PUBLIC KEY", "LABEL");
	rc = gt_store_key_list(st, print_key, &f);
	gt_store_close(st);
	if (rc == GT_OK && f.shown == 0 && (f.org != NULL || f.roles != 0 || f.active_only))
		printf("(no key matches)\n");
	return rc == GT_OK ? 0 : FAIL;
}

/* The largest request file read (a saved message holding the line). */
#define ENROL_FILE_MAX 65536u

struct gt_cli_opt gt__key_enrol_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"request", "LINE|FILE",
     "the enrolment request line 'gtsync init' printed, or a file holding it", NULL},
    {"label", "TEXT", "the office and person the key stands for", NULL},
    {0},
};

int gt__cmd_key_enrol(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *request = gt_cli_get(cmd, "request"), *label = gt_cli_get(cmd, "label"), *why;
	char roles[GT_ROLESET_TEXT_MAX];
	char key_id[GT_KEY_ID_LEN + 1];
	struct gt_enrol e;
	struct gt_paths p;
	struct gt_store *st = NULL;
	uint8_t *file = NULL;
	size_t len;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (request == NULL) {
		fprintf(stderr, "gtsync-server key enrol: --request LINE or FILE is required\n");
		return USAGE;
	}
	if (label != NULL && gt_keylabel_check(label, &why) != GT_OK) {
		fprintf(stderr, "gtsync-server key enrol: %s\n", why);
		return USAGE;
	}
	if (strncmp(request, GT_ENROL_MAGIC, strlen(GT_ENROL_MAGIC)) == 0) {
		rc = gt_enrol_parse(request, strlen(request), &e, &why);
	} else {
		rc = gt_file_read(request, ENROL_FILE_MAX, &file, &len);
		if (rc != GT_OK) {
			fprintf(stderr,
			        "gtsync-server key enrol: cannot read the request file %s: %s\n",
			        request, gt_strerror(rc));
			return FAIL;
		}
		rc = gt_enrol_parse((const char *)file, len, &e, &why);
		free(file);
	}
	if (rc != GT_OK) {
		fprintf(stderr, "gtsync-server key enrol: %s; nothing was registered\n", why);
		return FAIL;
	}
	if (gt__admin_open_store(cmd, &p, &st) != GT_OK)
		return FAIL;
	rc = gt_store_key_register(st, e.public_key, e.org_unit, e.roles, label, gt_clock_wall_ms(),
	                           key_id);
	if (rc == GT_EEXIST)
		fprintf(stderr, "gtsync-server key enrol: key %s is already registered\n",
		        e.key_id);
	else if (rc == GT_ENOENT)
		fprintf(stderr,
		        "gtsync-server key enrol: org unit '%s' is not known; import org units "
		        "first\n",
		        e.org_unit);
	else if (rc != GT_OK)
		fprintf(stderr, "gtsync-server key enrol: %s\n", gt_store_errmsg(st));
	gt_store_close(st);
	if (rc != GT_OK)
		return FAIL;
	printf("key %s enrolled for %s as %s; check %s (the office reads the same numbers)\n",
	       key_id, e.org_unit, gt_roleset_format(e.roles, roles, sizeof(roles)), e.check);
	return 0;
}
