/* gtsync-server's commands: init, orgunits, metadata, key, rebuild, run. */
#include "admin.h"

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <uv.h>

#include "addr.h"
#include "admin_audit.h"
#include "admin_ops.h"
#include "authz.h"
#include "cli.h"
#include "clock.h"
#include "defaults.h"
#include "encode.h"
#include "error.h"
#include "fileio.h"
#include "ingest.h"
#include "key.h"
#include "keylabel.h"
#include "metadata.h"
#include "paths.h"
#include "protonames.h"
#include "rebuild.h"
#include "roleset.h"
#include "server.h"
#include "snapshot.h"
#include "store.h"
#include "tlscert.h"
#include "vec.h"

#define FAIL  GT_CLI_EXIT_FAIL
#define USAGE GT_CLI_EXIT_USAGE

/* Resolves --data into paths, printing a clear error. */
static int data_paths(const struct gt_cli_cmd *cmd, struct gt_paths *p)
{
	const char *dir = gt_cli_get(cmd, "data");

	if (dir == NULL) {
		fprintf(stderr, "gtsync-server %s: --data DIR is required\n", cmd->name);
		return GT_EINVAL;
	}
	if (gt_paths_init(p, dir) != GT_OK) {
		fprintf(stderr, "gtsync-server: data directory path too long\n");
		return GT_ETOOBIG;
	}
	return GT_OK;
}

/* Opens the store of an initialised data directory for writing. */
static int open_store(const struct gt_cli_cmd *cmd, struct gt_paths *p, struct gt_store **st)
{
	int rc;

	*st = NULL;
	if (data_paths(cmd, p) != GT_OK)
		return GT_EINVAL;
	rc = gt_store_open(p->db, 0, st);
	if (rc == GT_ENOENT)
		fprintf(stderr,
		        "gtsync-server: no store at %s; run 'gtsync-server init --data %s' first\n",
		        p->db, p->dir);
	else if (rc != GT_OK)
		fprintf(stderr, "gtsync-server: cannot open the store %s: %s\n", p->db,
		        gt_strerror(rc));
	/* Key records go into the transparency log signed with the centre's signing key. */
	if (rc == GT_OK) {
		struct gt_key *k = NULL;

		if (gt_key_load(p->signing_key, &k) == GT_OK)
			gt_store_take_signer(*st, k);
		else
			fprintf(
			    stderr,
			    "gtsync-server: warning: cannot read the signing key %s: key records "
			    "are logged unsigned\n",
			    p->signing_key);
	}
	return rc;
}

int gt__admin_data_paths(const struct gt_cli_cmd *cmd, struct gt_paths *p)
{
	return data_paths(cmd, p);
}

int gt__admin_open_store(const struct gt_cli_cmd *cmd, struct gt_paths *p, struct gt_store **st)
{
	return open_store(cmd, p, st);
}

/* ---- init ---- */

static int cmd_init(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *name = gt_cli_get(cmd, "name");
	struct gt_paths p;
	struct gt_store *st = NULL;
	struct gt_key *k = NULL;
	char key_id[GT_KEY_ID_LEN + 1];
	int rc, created = 0;
	(void)argc;
	(void)argv;
	(void)arg;

	if (data_paths(cmd, &p) != GT_OK)
		return USAGE;
	if (mkdir(p.dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "gtsync-server init: cannot create %s: %s\n", p.dir,
		        strerror(errno));
		return FAIL;
	}
	rc = gt_store_open(p.db, 0, &st);
	if (rc == GT_OK) {
		printf("store %s exists; kept\n", p.db);
	} else {
		rc = gt_store_open(p.db, 1, &st);
		if (rc != GT_OK) {
			fprintf(stderr, "gtsync-server init: cannot create the store %s: %s\n",
			        p.db, gt_strerror(rc));
			return FAIL;
		}
		printf("store %s created\n", p.db);
		created++;
	}
	gt_store_close(st);

	rc = gt_tlscert_make_self_signed(
	    p.tls_cert, p.tls_key, name ? name : GT_TLSCERT_DEFAULT_NAME, GT_TLSCERT_INIT_DAYS);
	if (rc == GT_EEXIST) {
		printf("TLS certificate %s exists; kept\n", p.tls_cert);
	} else if (rc != GT_OK) {
		fprintf(stderr, "gtsync-server init: cannot create the TLS certificate: %s\n",
		        gt_strerror(rc));
		return FAIL;
	} else {
		printf("TLS certificate %s created (give it to clients: gtsync init --ca)\n",
		       p.tls_cert);
		created++;
	}

	rc = gt_key_load(p.signing_key, &k);
	if (rc == GT_OK) {
		printf("signing key %s exists; kept\n", p.signing_key);
	} else if (rc == GT_ENOENT) {
		if ((rc = gt_key_generate(&k)) != GT_OK || (rc = gt_key_save(k, p.signing_key))) {
			fprintf(stderr, "gtsync-server init: cannot create the signing key: %s\n",
			        gt_strerror(rc));
			gt_key_free(k);
			return FAIL;
		}
		printf("signing key %s created\n", p.signing_key);
		created++;
	} else {
		fprintf(stderr, "gtsync-server init: cannot read the signing key %s: %s\n",
		        p.signing_key, gt_strerror(rc));
		return FAIL;
	}
	gt_key_id(k, key_id);
	gt_key_free(k);
	printf("server key id %s\n", key_id);
	if (created == 0)
		printf("nothing to do: %s is already initialised\n", p.dir);
	return 0;
}

/* ---- orgunits import ---- */

static int cmd_orgunits_import(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_paths p;
	struct gt_store *st;
	struct gt_store_import_result *res;
	char shipped[GT_PATH_MAX];
	const char *file = argc > 0 ? argv[0] : shipped;
	int rc;
	(void)arg;

	if (argc == 0 && gt_defaults_find(GT_DEFAULT_ORGUNITS, shipped, sizeof(shipped)) != GT_OK) {
		fprintf(stderr,
		        "gtsync-server orgunits import: the shipped org-unit list is not at %s; "
		        "name a CSV file\n",
		        shipped);
		return FAIL;
	}
	if (open_store(cmd, &p, &st) != GT_OK)
		return FAIL;
	res = calloc(1, sizeof(*res));
	if (res == NULL) {
		gt_store_close(st);
		return FAIL;
	}
	rc = gt_store_orgunit_import_file(st, file, res);
	if (rc != GT_OK) {
		for (size_t i = 0; i < res->n_errors; i++) {
			/* Line 0 is the file as a whole. */
			if (res->errors[i].line == 0)
				fprintf(stderr, "%s: %s\n", file, res->errors[i].msg);
			else
				fprintf(stderr, "%s:%lu: %s\n", file, res->errors[i].line,
				        res->errors[i].msg);
		}
		if (res->errors_total > res->n_errors)
			fprintf(stderr, "... and %zu more errors\n",
			        res->errors_total - res->n_errors);
		fprintf(stderr, "gtsync-server: %s: nothing imported (%s)\n", file,
		        gt_strerror(rc));
	} else {
		printf("org units from %s: %zu added, %zu updated (name or time zone), %zu "
		       "unchanged\n",
		       file, res->added, res->updated, res->unchanged);
	}
	free(res);
	gt_store_close(st);
	return rc == GT_OK ? 0 : FAIL;
}

/* ---- metadata load ---- */

struct mdfiles {
	char **names; /* base names, as stored */
	char **paths;
	uint8_t **data;
	size_t *lens;
	size_t n, cap_names, cap_paths, cap_data, cap_lens;
};

static void mdfiles_free(struct mdfiles *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->names[i]);
		free(f->paths[i]);
		free(f->data[i]);
	}
	free(f->names);
	free(f->paths);
	free(f->data);
	free(f->lens);
}

static int mdfiles_add(struct mdfiles *f, const char *path)
{
	const char *base = strrchr(path, '/');
	int rc;

	if (GT_VEC_RESERVE(f->names, f->cap_names, f->n + 1) != GT_OK ||
	    GT_VEC_RESERVE(f->paths, f->cap_paths, f->n + 1) != GT_OK ||
	    GT_VEC_RESERVE(f->data, f->cap_data, f->n + 1) != GT_OK ||
	    GT_VEC_RESERVE(f->lens, f->cap_lens, f->n + 1) != GT_OK)
		return GT_ENOMEM;
	rc = gt_file_read(path, GT_META_MAX_FILE, &f->data[f->n], &f->lens[f->n]);
	if (rc != GT_OK) {
		fprintf(stderr, "%s: cannot read: %s\n", path, gt_strerror(rc));
		return rc;
	}
	f->names[f->n] = strdup(base ? base + 1 : path);
	f->paths[f->n] = strdup(path);
	if (f->names[f->n] == NULL || f->paths[f->n] == NULL) {
		free(f->names[f->n]);
		free(f->paths[f->n]);
		free(f->data[f->n]);
		return GT_ENOMEM;
	}
	f->n++;
	return GT_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds path, or every *.gtm file of a directory in name order. */
static int mdfiles_collect(struct mdfiles *f, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **list = NULL;
	size_t n = 0, cap = 0;
	int rc = GT_OK;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return gt_err_from_errno(errno);
	}
	if (!S_ISDIR(st.st_mode))
		return mdfiles_add(f, path);
	if ((d = opendir(path)) == NULL)
		return gt_err_from_errno(errno);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".gtm") != 0)
			continue;
		if (GT_VEC_RESERVE(list, cap, n + 1) != GT_OK) {
			rc = GT_ENOMEM;
			break;
		}
		if (asprintf(&list[n], "%s/%s", path, e->d_name) < 0) {
			rc = GT_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == GT_OK)
		qsort(list, n, sizeof(*list), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (rc == GT_OK)
			rc = mdfiles_add(f, list[i]);
		free(list[i]);
	}
	free(list);
	if (rc == GT_OK && n == 0) {
		fprintf(stderr, "%s: no .gtm metadata files in this directory\n", path);
		rc = GT_ENOENT;
	}
	return rc;
}

static int cmd_metadata_load(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_paths p;
	struct gt_store *st = NULL;
	struct mdfiles f = {0};
	struct gt_meta *meta = NULL;
	struct gt_meta_errors *errs = NULL;
	struct gt_store_metafile *mf = NULL;
	uint64_t version = 0;
	int rc = FAIL;
	(void)arg;

	if (data_paths(cmd, &p) != GT_OK)
		return USAGE;
	if (argc == 0) {
		char shipped[GT_PATH_MAX];

		if (gt_defaults_find(GT_DEFAULT_METADATA, shipped, sizeof(shipped)) != GT_OK) {
			fprintf(stderr,
			        "gtsync-server metadata load: the shipped metadata is not at %s; "
			        "name a file or directory\n",
			        shipped);
			goto out;
		}
		printf("loading the shipped metadata from %s\n", shipped);
		if (mdfiles_collect(&f, shipped) != GT_OK)
			goto out;
	}
	for (int i = 0; i < argc; i++)
		if (mdfiles_collect(&f, argv[i]) != GT_OK)
			goto out;
	errs = calloc(1, sizeof(*errs));
	if (errs == NULL)
		goto out;
	gt_meta_errors_init(errs);
	if (gt_meta_load_buffers((const char *const *)f.paths, (const uint8_t *const *)f.data,
	                         f.lens, f.n, &meta, errs) != GT_OK) {
		for (size_t i = 0; i < errs->count; i++)
			fprintf(stderr, "%s\n", errs->items[i].text);
		if (errs->dropped)
			fprintf(stderr, "... and %zu more errors\n", errs->dropped);
		fprintf(stderr, "gtsync-server: metadata refused; nothing was loaded\n");
		goto out;
	}
	if (open_store(cmd, &p, &st) != GT_OK)
		goto out;
	mf = calloc(f.n, sizeof(*mf));
	if (mf == NULL)
		goto out;
	for (size_t i = 0; i < f.n; i++) {
		mf[i].name = f.names[i];
		mf[i].content = f.data[i];
		mf[i].len = f.lens[i];
	}
	if (gt_store_metadata_put(st, mf, f.n, meta->digest, gt_clock_wall_ms(), &version) !=
	    GT_OK) {
		fprintf(stderr, "gtsync-server: cannot store the metadata: %s\n",
		        gt_store_errmsg(st));
		goto out;
	}
	printf("metadata version %llu: %zu files, %zu data sets, %zu data elements, %zu "
	       "category combos, %zu rules, %zu plans, %zu indicators\n",
	       (unsigned long long)version, f.n, meta->ndatasets, meta->nelements, meta->ncombos,
	       meta->nrules, meta->nplans, meta->nindicators);
	printf("a running server serves the new version after a restart\n");
	rc = 0;
out:
	free(mf);
	gt_store_close(st);
	gt_meta_free(meta);
	if (errs)
		gt_meta_errors_clear(errs);
	free(errs);
	mdfiles_free(&f);
	return rc;
}

/* ---- key add / revoke / list ---- */

static int cmd_key_add(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *org = gt_cli_get(cmd, "org"), *role_name = gt_cli_get(cmd, "role");
	const char *b64 = gt_cli_get(cmd, "pubkey"), *file = gt_cli_get(cmd, "pubkey-file");
	const char *label = gt_cli_get(cmd, "label"), *why;
	uint8_t pub[GT_ED25519_PUB_LEN];
	char key_id[GT_KEY_ID_LEN + 1];
	char role_text[GT_ROLESET_TEXT_MAX];
	struct gt_paths p;
	struct gt_store *st;
	unsigned roles;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (org == NULL || role_name == NULL || (b64 == NULL) == (file == NULL)) {
		fprintf(stderr, "gtsync-server key add: --org, --role and one of --pubkey or "
		                "--pubkey-file are required\n");
		return USAGE;
	}
	if (gt__admin_parse_roles("key add", role_name, &roles) != GT_OK)
		return USAGE;
	if (label != NULL && gt_keylabel_check(label, &why) != GT_OK) {
		fprintf(stderr, "gtsync-server key add: %s\n", why);
		return USAGE;
	}
	rc = b64 ? gt_key_public_from_b64(b64, strlen(b64), pub) : gt_key_load_public(file, pub);
	if (rc != GT_OK) {
		fprintf(stderr, "gtsync-server key add: the public key is not a base64 Ed25519 key "
		                "(as printed by 'gtsync init')\n");
		return FAIL;
	}
	if (open_store(cmd, &p, &st) != GT_OK)
		return FAIL;
	rc = gt_store_key_register(st, pub, org, roles, label, gt_clock_wall_ms(), key_id);
	gt_store_close(st);
	if (rc == GT_EEXIST) {
		gt_key_id_from_public(pub, key_id);
		fprintf(stderr, "gtsync-server key add: key %s is already registered\n", key_id);
		return FAIL;
	}
	if (rc == GT_ENOENT) {
		fprintf(
		    stderr,
		    "gtsync-server key add: org unit '%s' is not known; import org units first\n",
		    org);
		return FAIL;
	}
	if (rc != GT_OK) {
		fprintf(stderr, "gtsync-server key add: %s\n", gt_strerror(rc));
		return FAIL;
	}
	printf("key %s registered for %s as %s\n", key_id, org,
	       gt_roleset_format(roles, role_text, sizeof(role_text)));
	return 0;
}

static int cmd_key_revoke(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_paths p;
	struct gt_store *st;
	int rc;
	(void)argc;
	(void)arg;

	if (open_store(cmd, &p, &st) != GT_OK)
		return FAIL;
	rc = gt_store_key_revoke(st, argv[0], gt_clock_wall_ms());
	gt_store_close(st);
	if (rc == GT_ENOENT) {
		fprintf(stderr, "gtsync-server key revoke: no registered key %s\n", argv[0]);
		return FAIL;
	}
	if (rc == GT_ESTATE) {
		fprintf(stderr, "gtsync-server key revoke: key %s was already revoked\n", argv[0]);
		return FAIL;
	}
	if (rc != GT_OK) {
		fprintf(stderr, "gtsync-server key revoke: %s\n", gt_strerror(rc));
		return FAIL;
	}
	printf("key %s revoked; a running server closes its connections within a second\n",
	       argv[0]);
	return 0;
}

/* ---- rebuild ---- */

static int cmd_rebuild(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_paths p;
	struct gt_store *st = NULL;
	struct gt_snapshot *snap = NULL;
	struct gt_rebuild_stats r = {0};
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (open_store(cmd, &p, &st) != GT_OK)
		return FAIL;
	/* The tables are rebuilt from the log, never the tree: a tree that disagrees with the
	 * log means the log changed since it was appended, which a rebuild must not hide. */
	{
		struct gt_store_tree_check tc;

		rc = gt_store_tree_check(st, &tc);
		if (rc != GT_OK) {
			fprintf(
			    stderr,
			    "gtsync-server rebuild: the transparency log does not agree with "
			    "the batch log: %s; nothing was changed (see gtsync-server verify)\n",
			    rc == GT_ECORRUPT ? tc.why : gt_store_errmsg(st));
			gt_store_close(st);
			return FAIL;
		}
		printf("transparency log: %llu leaves agree with the batch log\n",
		       (unsigned long long)tc.leaves);
	}
	rc = gt_snapshot_load(st, &snap);
	if (rc == GT_OK)
		rc = gt_store_rebuild_begin(st);
	if (rc == GT_OK)
		rc = gt_rebuild_replay(st, snap, stderr, &r);
	if (rc == GT_OK)
		rc = gt_store_commit(st);
	else
		(void)gt_store_rollback(st);
	if (rc == GT_OK)
		printf("rebuilt from the log: %llu batches, %llu values\n",
		       (unsigned long long)r.batches, (unsigned long long)r.values);
	if (rc == GT_OK && r.refused_now > 0)
		printf("%llu batches lost items that today's rules refuse (listed on stderr): "
		       "the tables no longer hold them\n",
		       (unsigned long long)r.refused_now);
	else
		fprintf(stderr,
		        "gtsync-server rebuild: failed (%s); the tables were kept as they "
		        "were\n",
		        gt_strerror(rc));
	gt_snapshot_unref(snap);
	gt_store_close(st);
	return rc == GT_OK ? 0 : FAIL;
}

/* ---- run ---- */

/* Ranges of run's numeric options: a frame must hold the handshake and a useful batch; counts
 * stay far below what 32 bits hold; a day is the longest timeout that makes sense. */
#define GT_RUN_MIN_FRAME     65536ul
#define GT_RUN_MAX_COUNT     1000000ul
#define GT_RUN_MAX_TIMEOUT_S 86400ul

/* Reads --name as a whole number within [min, max] into *out (unchanged when absent); every
 * numeric option of run is range-checked here (issue 10, item 11). */
static int opt_range(const struct gt_cli_cmd *cmd, const char *name, unsigned long min,
                     unsigned long max, uint32_t *out)
{
	const char *v = gt_cli_get(cmd, name);
	char *end;
	unsigned long n;

	if (v == NULL)
		return GT_OK;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || end == v || v[0] == '-' || n < min || n > max) {
		fprintf(stderr, "gtsync-server run: --%s needs a whole number from %lu to %lu\n",
		        name, min, max);
		return GT_EINVAL;
	}
	*out = (uint32_t)n;
	return GT_OK;
}

static int cmd_run(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_server_config cfg;
	const char *level = gt_cli_get(cmd, "log-level");
	uint32_t hs_s = 0, idle_s = 0, frame_s = 0;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	gt_server_config_defaults(&cfg);
	cfg.data_dir = gt_cli_get(cmd, "data");
	if (cfg.data_dir == NULL) {
		fprintf(stderr, "gtsync-server run: --data DIR is required\n");
		return USAGE;
	}
	if (gt_cli_get(cmd, "listen"))
		cfg.listen = gt_cli_get(cmd, "listen");
	if (opt_range(cmd, "max-frame", GT_RUN_MIN_FRAME, GT_MAX_FRAME_CEILING, &cfg.max_frame) ||
	    opt_range(cmd, "max-values", 1, GT_RUN_MAX_COUNT, &cfg.max_values_per_batch) ||
	    opt_range(cmd, "max-conns", 1, GT_RUN_MAX_COUNT, &cfg.max_conns) ||
	    opt_range(cmd, "max-conns-per-key", 1, GT_RUN_MAX_COUNT, &cfg.max_conns_per_key) ||
	    opt_range(cmd, "max-conns-per-addr", 1, GT_RUN_MAX_COUNT, &cfg.max_conns_per_addr) ||
	    opt_range(cmd, "max-handshakes", 1, GT_RUN_MAX_COUNT, &cfg.max_handshakes) ||
	    opt_range(cmd, "max-inflight", 1, GT_RUN_MAX_COUNT, &cfg.max_inflight) ||
	    opt_range(cmd, "max-waiting-mib", 1, 65536, &cfg.max_waiting_mib) ||
	    opt_range(cmd, "read-log-days", 0, GT_SERVER_MAX_READ_LOG_DAYS, &cfg.read_log_days) ||
	    opt_range(cmd, "handshake-timeout", 1, GT_RUN_MAX_TIMEOUT_S, &hs_s) ||
	    opt_range(cmd, "idle-timeout", 1, GT_RUN_MAX_TIMEOUT_S, &idle_s) ||
	    opt_range(cmd, "frame-deadline", 1, GT_RUN_MAX_TIMEOUT_S, &frame_s))
		return USAGE;
	cfg.read_log_off = gt_cli_get(cmd, "bench-no-read-log") != NULL;
	/* In range, so the products fit in 32 bits. */
	if (hs_s)
		cfg.handshake_timeout_ms = hs_s * 1000u;
	if (idle_s)
		cfg.idle_timeout_ms = idle_s * 1000u;
	if (frame_s)
		cfg.frame_deadline_ms = frame_s * 1000u;
	if (level && gt_log_level_parse(level, &cfg.log_level) != GT_OK) {
		fprintf(stderr, "gtsync-server run: unknown --log-level '%s'\n", level);
		return USAGE;
	}
	struct sockaddr_storage ss;
	if (gt_addr_parse(cfg.listen, &ss) != GT_OK) {
		fprintf(stderr, "gtsync-server run: --listen needs IP:PORT (e.g. %s)\n",
		        GT_DEFAULT_LISTEN);
		return USAGE;
	}
	rc = gt_server_run(&cfg);
	/* Joins libuv's pool threads so OpenSSL's per-thread state is released at exit. */
	uv_library_shutdown();
	if (rc != GT_OK) {
		fprintf(stderr, "gtsync-server run: %s (see the log lines above)\n",
		        gt_strerror(rc));
		return FAIL;
	}
	return 0;
}

/* ---- The command table ---- */

static struct gt_cli_opt init_opts[] = {
    {"data", "DIR", "the server's data directory (created if missing)", NULL},
    {"name", "NAME",
     "host name or IP for the TLS certificate (default " GT_TLSCERT_DEFAULT_NAME ")", NULL},
    {0},
};
static struct gt_cli_opt orgimport_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {0},
};
static struct gt_cli_opt mdload_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {0},
};
static struct gt_cli_opt keyadd_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"org", "CODE", "org unit the key acts for (ID, 53, 53.71)", NULL},
    {"role", "ROLES",
     "operator, approver, aggregator, secretariat or reader; several separated by commas", NULL},
    {"pubkey", "BASE64", "the public key printed by 'gtsync init'", NULL},
    {"pubkey-file", "FILE", "a file holding that public key", NULL},
    {"label", "TEXT", "the office and person the key stands for, shown in lists and reports", NULL},
    {0},
};
static struct gt_cli_opt keyrole_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"role", "ROLES", "one role or several separated by commas", NULL},
    {0},
};
static struct gt_cli_opt keyrevoke_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {0},
};
static struct gt_cli_opt rebuild_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {0},
};
static struct gt_cli_opt run_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"listen", "IP:PORT", "address to listen on (default " GT_DEFAULT_LISTEN ")", NULL},
    {"max-frame", "BYTES", "largest frame accepted (default " GT_CLI_STR(GT_DEFAULT_MAX_FRAME) ")",
     NULL},
    {"max-values", "N",
     "most values in one batch (default " GT_CLI_STR(GT_DEFAULT_MAX_VALUES_PER_BATCH) ")", NULL},
    {"max-conns", "N",
     "most connections at once (default " GT_CLI_STR(GT_SERVER_DEFAULT_MAX_CONNS) ")", NULL},
    {"max-conns-per-key", "N",
     "most connections per key (default " GT_CLI_STR(GT_SERVER_DEFAULT_MAX_CONNS_PER_KEY) ")",
     NULL},
    {"max-conns-per-addr", "N",
     "most connections from one IP address (default " GT_CLI_STR(
         GT_SERVER_DEFAULT_MAX_CONNS_PER_ADDR) ")",
     NULL},
    {"max-handshakes", "N",
     "most connections not yet authenticated (default " GT_CLI_STR(
         GT_SERVER_DEFAULT_MAX_HANDSHAKES) ")",
     NULL},
    {"max-waiting-mib", "MIB",
     "most pushes received and not yet admitted to verification, all connections together, "
     "in MiB (default " GT_CLI_STR(
         GT_SERVER_DEFAULT_MAX_WAITING_MIB) "); past it the server "
                                            "stops reading until half of it is free",
     NULL},
    {"max-inflight", "N",
     "most requests awaiting a reply per connection (default " GT_CLI_STR(
         GT_SERVER_DEFAULT_MAX_INFLIGHT) ")",
     NULL},
    {"handshake-timeout", "SECONDS",
     "TLS and key proof must finish within (default " GT_CLI_STR(GT_SERVER_DEFAULT_HANDSHAKE_S) ")",
     NULL},
    {"idle-timeout", "SECONDS",
     "close connections idle this long (default " GT_CLI_STR(GT_SERVER_DEFAULT_IDLE_S) ")", NULL},
    {"frame-deadline", "SECONDS",
     "a started frame must arrive within (default " GT_CLI_STR(
         GT_SERVER_DEFAULT_FRAME_DEADLINE_S) ")",
     NULL},
    {"read-log-days", "DAYS",
     "keep the record of reports, pulls and exports served this many days; 0 keeps it all "
     "(default " GT_CLI_STR(GT_SERVER_DEFAULT_READ_LOG_DAYS) ")",
     NULL},
    {"bench-no-read-log", NULL,
     "for benchmarks only (scripts/bench-readlog.sh): record no read, to measure what the read "
     "log costs; never in service, where every read served is recorded",
     NULL},
    {"log-level", "LEVEL", "debug, info, warn or error (default info)", NULL},
    {0},
};

static const struct gt_cli_cmd orgunit_cmds[] = {
    {"import", "load org units from a code,name,level[,timezone] CSV", "--data DIR [FILE.csv]",
     "Without FILE, imports the official list shipped with gtsync (Kemendagri 2025: 38 "
     "provinces, 514 districts, with time zones; see data/orgunits/README.md). Adds new units "
     "and updates names and zones; never deletes. Any bad row imports nothing and every error "
     "is listed with its line number.",
     orgimport_opts, 0, 1, cmd_orgunits_import, NULL},
    {"list", "list org units with their levels, parents and time zones",
     "--data DIR [--under CODE] [--level province|district] [--format table|csv]",
     "Reads the store (a running server is not disturbed). --format csv writes the import "
     "format, so a list can be edited and imported again.",
     gt__orgunits_list_opts, 0, 0, gt__cmd_orgunits_list, NULL},
    {0},
};
static const struct gt_cli_cmd metadata_cmds[] = {
    {"load", "validate and load data-set definitions", "--data DIR [PATH...]",
     "PATH is a .gtm file or a directory of them (see metadata/FORMAT.md); without PATH, the "
     "metadata shipped with gtsync is loaded. Everything is validated first; any error loads "
     "nothing and is shown with its file and line.",
     mdload_opts, 0, -1, cmd_metadata_load, NULL},
    {"show", "show the loaded metadata: version, files, data sets and elements",
     "--data DIR [--file NAME]",
     "Without --file, a summary of the version clients are served: when it was loaded, its "
     "digest, each file with its SHA-256, and each data set with its period type and "
     "elements. With --file NAME, that file's text exactly as stored.",
     gt__metadata_show_opts, 0, 0, gt__cmd_metadata_show, NULL},
    {0},
};
static const struct gt_cli_cmd key_cmds[] = {
    {"add", "register a client's public key for an org unit and its roles",
     "--data DIR --org CODE --role ROLE[,ROLE...] (--pubkey BASE64 | --pubkey-file FILE) "
     "[--label TEXT]",
     "A key may hold several roles on its org unit (a district's operator and approver on one "
     "machine: --role operator,approver). Separate keys per person remain possible and are "
     "recommended where the office has the staff.",
     keyadd_opts, 0, 0, cmd_key_add, NULL},
    {"enrol", "register a key from the enrolment request 'gtsync init' printed",
     "--data DIR --request LINE|FILE [--label TEXT]",
     "The request line carries the key id, org unit, roles, public key and a check: any "
     "field changed or mistyped is refused. Read the check printed here to the office over "
     "the phone; its 'gtsync init' printed the same numbers.",
     gt__key_enrol_opts, 0, 0, gt__cmd_key_enrol, NULL},
    {"revoke", "revoke a key (kept on record; its batches stay valid)", "--data DIR KEYID", NULL,
     keyrevoke_opts, 1, 1, cmd_key_revoke, NULL},
    {"grant", "give a key more roles on its org unit", "--data DIR --role ROLE[,ROLE...] KEYID",
     "A running server applies the new roles to the key's open connections within seconds.",
     keyrole_opts, 1, 1, gt__cmd_key_grant, NULL},
    {"revoke-role", "take roles from a key, keeping the key",
     "--data DIR --role ROLE[,ROLE...] KEYID",
     "Within seconds a running server refuses the key what the roles allowed, open connections "
     "included; the batches it signed with them stay valid. A key keeps at least one role: revoke "
     "the key instead.",
     keyrole_opts, 1, 1, gt__cmd_key_revoke_role, NULL},
    {"label", "set the label people see for a key", "--data DIR KEYID TEXT",
     "TEXT names the office and person, e.g. \"Sekretariat GT Kota Kupang - operator 1\"; "
     "an empty TEXT clears it.",
     keyrevoke_opts, 2, 2, gt__cmd_key_label, NULL},
    {"list", "list registered keys with their roles and labels",
     "--data DIR [--org CODE] [--role ROLE[,ROLE...]] [--active]", NULL, gt__key_list_opts, 0, 0,
     gt__cmd_key_list, NULL},
    {0},
};

static const struct gt_cli_cmd audit_cmds[] = {
    {"reads", "list the reports, pulls and exports served: which key, what, when",
     "--data DIR [--since YYYY-MM-DD] [--key KEYID]",
     "Every report, pull and export the server answers is recorded with the key (its org "
     "unit, roles and label), what was read (org unit, data set, period) and how many values, "
     "and kept for 'run --read-log-days' days (default " GT_CLI_STR(
         GT_SERVER_DEFAULT_READ_LOG_DAYS) "). Reads the store; a running server is not "
                                          "disturbed.",
     gt__audit_reads_opts, 0, 0, gt__cmd_audit_reads, NULL},
    {0},
};

static const struct gt_cli_cmd server_cmds[] = {
    {"init", "create the store, TLS certificate and signing key", "--data DIR [--name NAME]",
     "Creates what is missing and never overwrites what exists.", init_opts, 0, 0, cmd_init, NULL},
    {"orgunits", "manage org units", "COMMAND", NULL, NULL, 0, 0, NULL, orgunit_cmds},
    {"metadata", "manage data-set definitions", "COMMAND", NULL, NULL, 0, 0, NULL, metadata_cmds},
    {"key", "register, revoke and list client keys", "COMMAND", NULL, NULL, 0, 0, NULL, key_cmds},
    {"audit", "what was read, by whom and when", "COMMAND", NULL, NULL, 0, 0, NULL, audit_cmds},
    {"rebuild", "recompute every table from the signed batch log", "--data DIR",
     "Verifies every logged batch again and re-applies it in log order, in one transaction. "
     "Stop the server first.",
     rebuild_opts, 0, 0, cmd_rebuild, NULL},
    {"status", "show a running server's connections, the last batch per unit, sizes",
     "--data DIR [--units]",
     "Asks the running server on its status socket (DIR/control.sock) for its connections, "
     "and reads the store for the batch log, the last batch of each org unit and the sizes. "
     "When no server answers, says so and shows what the store holds.",
     gt__status_opts, 0, 0, gt__cmd_status, NULL},
    {"backup", "copy the store, consistent, while the server runs", "--data DIR --to FILE",
     "Copies the whole store (the signed batch log and every table derived from it, from one "
     "read snapshot) with sqlite's online backup API; the server goes on serving. The backup "
     "also carries the TLS certificate and key and the signing key (unless --no-keys), so a "
     "restore keeps clients' pins: keep it as safe as the data directory. FILE is created "
     "with mode 0600 and must not exist.",
     gt__backup_opts, 0, 0, gt__cmd_backup, NULL},
    {"restore", "restore a data directory from a backup", "--data DIR --from FILE [--force]",
     "Checks the backup first (integrity, every batch's hash and signature) and refuses a "
     "damaged one with the reason, changing nothing. The server must be stopped. An existing "
     "store (and key files that differ) are replaced only with --force, and are then kept "
     "beside as NAME.before-restore-TIME.",
     gt__restore_opts, 0, 0, gt__cmd_restore, NULL},
    {"verify", "check a store or a backup: integrity, signatures, derived tables",
     "(--data DIR | --file BACKUP)",
     "Runs sqlite's integrity check, verifies every logged batch's hash and signature "
     "against its key, rebuilds every derived table from the log in memory and compares it "
     "with the stored one, then prints a summary. Safe while the server runs (it reads one "
     "snapshot). Exits 1 if anything is wrong.",
     gt__verify_opts, 0, 0, gt__cmd_verify, NULL},
    {"run", "serve clients", "--data DIR [--listen IP:PORT] [limits]",
     "Serves until SIGINT or SIGTERM, then finishes commits in flight and exits 0. One "
     "structured log line per connection event and per batch goes to standard error.",
     run_opts, 0, 0, cmd_run, NULL},
    {"mirror", "keep a PostgreSQL copy of the store current, for analysis and replicas",
     "--data DIR --postgres CONNINFO [--once]",
     "Creates the schema gtsync in the database when missing (the signed batch log, org "
     "units, keys, metadata, every data value with the batch it came from, approvals, "
     "completeness, and views with names: v_values, v_report_states, v_workflow_history, "
     "v_completeness), then follows the store: each chunk is written in one PostgreSQL "
     "transaction together with the position mirrored, so a crash or restart of either side "
     "resumes without gaps or doubles. Runs beside the server (it only reads the store) until "
     "SIGINT or SIGTERM; waits for PostgreSQL when it is down. See docs/SCALE.md.",
     gt__mirror_opts, 0, 0, gt__cmd_mirror, NULL},
    {0},
};

int gt_admin_main(int argc, char **argv)
{
	return gt_cli_main(
	    "gtsync-server",
	    "The central gtsync server of the anti-trafficking task forces: it "
	    "receives signed report batches\nfrom district and provincial clients and "
	    "answers consolidated reports.",
	    server_cmds, argc, argv, NULL);
}
