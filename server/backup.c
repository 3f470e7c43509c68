/* gtsync-server's backup, restore and verify commands. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin_ops.h"
#include "clock.h"
#include "control.h"
#include "crypto.h"
#include "error.h"
#include "fileio.h"
#include "gtlimits.h"
#include "key.h"
#include "rebuild.h"
#include "snapshot.h"
#include "store.h"
#include "store_ops.h"
#include "wire.h"

#define FAIL  GT_CLI_EXIT_FAIL
#define USAGE GT_CLI_EXIT_USAGE

/* Batch-log problems printed one by one; more are counted. */
#define MAX_LOG_PROBLEMS 20u

/* The files of a data directory a backup carries, and their modes. */
static const struct {
	const char *name;
	unsigned mode;
	int secret;
} carried[] = {
    {"tls-cert.pem", 0644, 0},
    {"tls-key.pem", 0600, 1},
    {"signing-key.pem", 0600, 1},
};
#define NCARRIED (sizeof(carried) / sizeof(carried[0]))

/* ---- The batch log, verified entry by entry ---- */

struct logcheck {
	struct gt_store *st;
	const char *label; /* "verify" or "restore" */
	uint64_t batches, problems;
};

static void log_problem(struct logcheck *lc, uint64_t index, const char *what)
{
	if (lc->problems++ < MAX_LOG_PROBLEMS)
		fprintf(stderr, "%s: batch %llu: %s\n", lc->label, (unsigned long long)index, what);
}

static int check_entry(void *arg, const struct gt_store_log_entry *e)
{
	static const struct gt_limits any = {GT_MAX_FRAME_CEILING, UINT32_MAX};
	struct logcheck *lc = arg;
	struct gt_store_key key;
	uint8_t hash[GT_SHA256_LEN];
	gt_batch *b = NULL;
	int rc;

	lc->batches++;
	if (e->len == 0)
		return 0; /* nothing of it applied: only its hash was kept (docs/SERVER.md) */
	if (gt_crypto_sha256(e->batch, e->len, hash) != GT_OK ||
	    memcmp(hash, e->hash, GT_SHA256_LEN) != 0) {
		log_problem(lc, e->log_index, "its bytes do not match the recorded hash");
		return 0;
	}
	rc = gt_store_key_get(lc->st, e->key_id, &key);
	if (rc != GT_OK) {
		log_problem(lc, e->log_index, "its key is not registered");
		return rc == GT_ENOENT ? 0 : rc;
	}
	if (e->sig_len != GT_ED25519_SIG_LEN ||
	    gt_key_verify(key.public_key, e->batch, e->len, e->signature) != GT_OK) {
		log_problem(lc, e->log_index, "the signature does not verify with its key");
		return 0;
	}
	if (gt_wire_batch_decode(e->batch, e->len, &any, &b) != GT_OK) {
		log_problem(lc, e->log_index, "the signed bytes are not a well-formed batch");
		return 0;
	}
	if (strcmp(b->key_id, e->key_id) != 0 || strcmp(b->org_unit, e->org_unit) != 0 ||
	    b->sequence != e->sequence)
		log_problem(lc, e->log_index,
		            "the log's key, org unit or sequence differ from the signed batch's");
	gt_wire_batch_free(b);
	return 0;
}

/* Verifies every logged batch of st: hash, key, signature, header. */
static int check_log(struct gt_store *st, const char *label, struct logcheck *lc)
{
	int rc;

	memset(lc, 0, sizeof(*lc));
	lc->st = st;
	lc->label = label;
	rc = gt_store_log_foreach(st, 0, check_entry, lc);
	if (lc->problems > MAX_LOG_PROBLEMS)
		fprintf(stderr, "%s: ... and %llu more problems in the batch log\n", label,
		        (unsigned long long)(lc->problems - MAX_LOG_PROBLEMS));
	return rc;
}

/* ---- backup ---- */

struct gt_cli_opt gt__backup_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"to", "FILE", "the backup file to create (must not exist)", NULL},
    {"no-keys", NULL, "leave the private keys out (the TLS certificate is still carried)", NULL},
    {0},
};

int gt__cmd_backup(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *to = gt_cli_get(cmd, "to");
	int no_keys = gt_cli_get(cmd, "no-keys") != NULL;
	struct gt_store_backup_file files[NCARRIED];
	uint8_t *data[NCARRIED] = {0};
	size_t lens[NCARRIED] = {0};
	struct gt_store_backup_info info;
	struct gt_paths p;
	struct gt_store *st = NULL;
	size_t n = 0;
	char when[32];
	int rc = FAIL;
	(void)argc;
	(void)argv;
	(void)arg;

	if (to == NULL) {
		fprintf(stderr, "gtsync-server backup: --to FILE is required\n");
		return USAGE;
	}
	if (gt__admin_open_store_ro(cmd, &p, &st) != GT_OK)
		return FAIL;
	for (size_t i = 0; i < NCARRIED; i++) {
		char path[GT_PATH_MAX + 32];
		int frc;

		if (no_keys && carried[i].secret)
			continue;
		snprintf(path, sizeof(path), "%s/%s", p.dir, carried[i].name);
		frc = gt_file_read(path, GT_STORE_BACKUP_MAX_FILE, &data[i], &lens[i]);
		if (frc == GT_ENOENT)
			continue;
		if (frc != GT_OK) {
			fprintf(stderr, "gtsync-server backup: cannot read %s: %s\n", path,
			        gt_strerror(frc));
			goto out;
		}
		files[n].name = carried[i].name;
		files[n].content = data[i];
		files[n].len = lens[i];
		files[n].mode = carried[i].mode;
		n++;
	}
	printf("copying %s to %s ...\n", p.db, to);
	fflush(stdout);
	if (gt_store_backup(st, to, files, n, gt_clock_wall_ms(), &info) != GT_OK) {
		fprintf(stderr, "gtsync-server backup: %s; no backup was written\n",
		        gt_store_errmsg(st));
		goto out;
	}
	gt_clock_iso(info.taken_at_ms, when, sizeof(when));
	printf("backup %s: %llu batches (log index up to %llu), %llu bytes, schema %d, taken "
	       "%s\n",
	       to, (unsigned long long)info.batches, (unsigned long long)info.last_index,
	       (unsigned long long)info.bytes, info.schema, when);
	printf("carries:");
	for (size_t i = 0; i < n; i++)
		printf(" %s", files[i].name);
	printf(n ? "\n" : " no files\n");
	if (!no_keys)
		printf("the backup holds private keys: keep it as safe as %s\n", p.dir);
	rc = 0;
out:
	for (size_t i = 0; i < NCARRIED; i++) {
		gt_crypto_wipe(data[i], data[i] != NULL ? lens[i] : 0);
		free(data[i]);
	}
	gt_store_close(st);
	return rc;
}

/* ---- verify ---- */

struct gt_cli_opt gt__verify_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"file", "BACKUP", "check a backup file instead", NULL},
    {0},
};

static void print_problem(void *arg, const char *problem)
{
	(void)arg;
	fprintf(stderr, "verify: integrity: %s\n", problem);
}

/* Rebuilds a copy of st in memory and compares each derived table; returns the number of
 * tables that differ, or a negative GT_E* code. */
static int compare_rebuild(struct gt_store *st, struct gt_rebuild_stats *rs, uint64_t *rows)
{
	struct gt_store *copy = NULL;
	struct gt_snapshot *snap = NULL;
	char **tables = NULL;
	int rc, differ = 0;

	*rows = 0;
	rc = gt_store_snapshot_begin(st);
	if (rc == GT_OK)
		rc = gt_store_copy_to_memory(st, &copy);
	if (rc == GT_OK)
		rc = gt_snapshot_load(copy, &snap);
	if (rc == GT_OK)
		rc = gt_store_rebuild_begin(copy);
	if (rc == GT_OK)
		rc = gt_store_empty_tables(copy, &tables);
	if (rc == GT_OK)
		rc = gt_rebuild_replay(copy, snap, stderr, rs);
	if (rc == GT_OK)
		rc = gt_store_commit(copy);
	if (rc != GT_OK) {
		fprintf(stderr, "verify: the rebuild in memory failed (%s): %s\n", gt_strerror(rc),
		        rc == GT_ECORRUPT && snap == NULL
		            ? "the stored metadata does not load"
		            : (copy ? gt_store_errmsg(copy) : gt_store_errmsg(st)));
		goto out;
	}
	for (size_t i = 0; tables[i] != NULL; i++) {
		struct gt_store_table_diff d;

		rc = gt_store_compare_table(st, copy, tables[i], &d);
		if (rc != GT_OK) {
			fprintf(stderr, "verify: comparing %s: %s\n", tables[i],
			        gt_store_errmsg(st));
			goto out;
		}
		*rows += d.rows_a;
		if (d.only_a || d.only_b) {
			differ++;
			fprintf(stderr,
			        "verify: table %s differs from a rebuild: %llu rows stored, %llu "
			        "rebuilt; %llu only in the store, %llu only in the rebuild\n",
			        tables[i], (unsigned long long)d.rows_a,
			        (unsigned long long)d.rows_b, (unsigned long long)d.only_a,
			        (unsigned long long)d.only_b);
		} else {
			printf("  %-16s %llu rows, equal to the rebuild\n", tables[i],
			       (unsigned long long)d.rows_a);
		}
	}
out:
	gt_store_snapshot_end(st);
	gt_store_names_free(tables);
	gt_snapshot_unref(snap);
	gt_store_close(copy);
	return rc != GT_OK ? rc : differ;
}

/* What a verification found. */
struct verify_sum {
	size_t problems;  /* integrity */
	uint64_t batches; /* in the log */
	uint64_t bad;     /* log entries that do not verify */
	uint64_t rows;    /* derived rows compared */
	int differ;       /* derived tables that differ from a rebuild */
	int failed;       /* something could not be checked */
};

/* Runs every check on st (integrity, the batch log, a rebuild in memory compared with the
 * derived tables), printing each step; returns 0 when all pass. */
static int verify_all(struct gt_store *st, const char *label, struct verify_sum *v)
{
	struct logcheck lc = {0};
	struct gt_rebuild_stats rs = {0};
	int rc;

	memset(v, 0, sizeof(*v));
	rc = gt_store_integrity(st, 0, print_problem, NULL, &v->problems);
	if (rc != GT_OK) {
		fprintf(stderr, "%s: %s\n", label, gt_store_errmsg(st));
		v->failed = 1;
		return FAIL;
	}
	printf("  integrity: %s\n", v->problems ? "PROBLEMS (see above)" : "ok");
	fflush(stdout);
	rc = check_log(st, label, &lc);
	v->batches = lc.batches;
	v->bad = lc.problems;
	if (rc != GT_OK) {
		fprintf(stderr, "%s: reading the batch log: %s\n", label, gt_store_errmsg(st));
		v->failed = 1;
		return FAIL;
	}
	printf("  batch log: %llu batches; %s\n", (unsigned long long)lc.batches,
	       lc.problems ? "PROBLEMS (see above)" : "every hash and signature verifies");
	fflush(stdout);
	/* The transparency log's tree, recomputed from the log (issue 14). */
	{
		struct gt_store_tree_check tc;

		rc = gt_store_tree_check(st, &tc);
		if (rc == GT_ECORRUPT) {
			fprintf(stderr, "%s: transparency log: %s\n", label, tc.why);
			v->bad++;
		} else if (rc != GT_OK) {
			fprintf(stderr, "%s: reading the transparency log: %s\n", label,
			        gt_store_errmsg(st));
			v->failed = 1;
			return FAIL;
		}
		printf("  transparency log: %llu leaves (%llu batches, %llu key records); %s\n",
		       (unsigned long long)tc.leaves, (unsigned long long)tc.batches,
		       (unsigned long long)tc.keys,
		       rc == GT_OK ? "the tree agrees with the log" : "DIFFERS (see above)");
		fflush(stdout);
		if (rc != GT_OK)
			lc.problems++;
	}
	if (lc.problems != 0 || v->problems != 0) {
		printf("  rebuild: not tried (the problems above come first)\n");
		return FAIL;
	}
	v->differ = compare_rebuild(st, &rs, &v->rows);
	if (v->differ < 0) {
		v->failed = 1;
		return FAIL;
	}
	printf("  rebuild: %llu batches re-applied in memory; %s\n", (unsigned long long)rs.batches,
	       v->differ ? "derived tables DIFFER (see above)"
	                 : "every derived table equals the stored one");
	return v->differ ? FAIL : 0;
}

/* ---- restore ---- */

struct gt_cli_opt gt__restore_opts[] = {
    {"data", "DIR", "the data directory to restore into (created if missing)", NULL},
    {"from", "FILE", "the backup file (from 'gtsync-server backup')", NULL},
    {"force", NULL, "replace an existing store and differing key files (kept beside)", NULL},
    {0},
};

/* One carried file and what restoring it means for the data directory. */
struct restore_file {
	char name[64];
	uint8_t *content;
	size_t len;
	unsigned mode;
	int exists, same;
};

struct restore_files {
	struct restore_file f[GT_STORE_BACKUP_MAX_FILES];
	size_t n;
	const char *dir;
};

static int collect_file(void *arg, const struct gt_store_backup_file *f)
{
	struct restore_files *rf = arg;
	struct restore_file *r;
	char path[GT_PATH_MAX + 80];
	uint8_t *cur = NULL;
	size_t curlen = 0;

	if (rf->n == GT_STORE_BACKUP_MAX_FILES || strlen(f->name) >= sizeof(r->name))
		return GT_ECORRUPT;
	r = &rf->f[rf->n];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", f->name);
	r->content = malloc(f->len ? f->len : 1);
	if (r->content == NULL)
		return GT_ENOMEM;
	if (f->len > 0)
		memcpy(r->content, f->content, f->len);
	r->len = f->len;
	r->mode = f->mode;
	rf->n++;
	snprintf(path, sizeof(path), "%s/%s", rf->dir, f->name);
	if (gt_file_read(path, GT_STORE_BACKUP_MAX_FILE, &cur, &curlen) == GT_OK) {
		r->exists = 1;
		r->same = curlen == f->len && gt_crypto_equal(cur, f->content, f->len);
		gt_crypto_wipe(cur, curlen);
		free(cur);
	}
	return 0;
}

static void restore_files_free(struct restore_files *rf)
{
	for (size_t i = 0; i < rf->n; i++) {
		gt_crypto_wipe(rf->f[i].content, rf->f[i].len);
		free(rf->f[i].content);
	}
}

/* Renames path to path.before-restore-STAMP; 0 or a GT_E* code (printed). */
static int keep_aside(const char *path, const char *stamp)
{
	char aside[GT_PATH_MAX + 160];

	snprintf(aside, sizeof(aside), "%s.before-restore-%s", path, stamp);
	if (rename(path, aside) != 0) {
		fprintf(stderr, "gtsync-server restore: cannot move %s aside: %s\n", path,
		        strerror(errno));
		return gt_err_from_errno(errno);
	}
	printf("kept the old %s as %s\n", path, aside);
	return GT_OK;
}

/* Step 1: the backup must be sound before anything changes; one of the current schema is
 * verified now, an older one after the restore migrated it. 0 or FAIL (printed). */
static int restore_check(const char *from, struct gt_store_backup_info *info)
{
	struct gt_store *st = NULL;
	struct verify_sum v;
	int rc = 0;

	printf("checking %s ...\n", from);
	fflush(stdout);
	if (gt_store_backup_check(from, info) != GT_OK) {
		fprintf(stderr,
		        "gtsync-server restore: %s is not a usable backup: %s; nothing was "
		        "changed\n",
		        from, info->problem);
		return FAIL;
	}
	if (info->schema != GT_STORE_SCHEMA_VERSION) {
		printf("the backup has store schema %d; it is migrated to %d and verified after "
		       "the restore\n",
		       info->schema, GT_STORE_SCHEMA_VERSION);
		return 0;
	}
	if (gt_store_open_readonly(from, &st) != GT_OK || verify_all(st, "restore", &v) != 0) {
		fprintf(stderr,
		        "gtsync-server restore: %s is not a usable backup: it does not "
		        "verify (see above); nothing was changed\n",
		        from);
		rc = FAIL;
	}
	gt_store_close(st);
	return rc;
}

/* Step 2: no server may be using the data directory, which is created if missing; the
 * backup's carried files are read into rf and, without force, neither a store nor a differing
 * file may be there. *have_store says whether a store is. 0 or FAIL (printed). */
static int restore_admit(const struct gt_paths *p, const char *from, int force,
                         struct restore_files *rf, int *have_store)
{
	struct stat sb;
	char *live = NULL;
	int clash;

	*have_store = 0;
	if (gt_control_query(p->control, 2000, &live) == GT_OK) {
		free(live);
		fprintf(stderr,
		        "gtsync-server restore: a server is running on %s (it answered on %s); "
		        "stop it first (systemctl stop gtsync-server); nothing was changed\n",
		        p->dir, p->control);
		return FAIL;
	}
	if (mkdir(p->dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "gtsync-server restore: cannot create %s: %s\n", p->dir,
		        strerror(errno));
		return FAIL;
	}
	*have_store = stat(p->db, &sb) == 0;
	rf->dir = p->dir;
	if (gt_store_backup_files(from, collect_file, rf) != GT_OK) {
		fprintf(stderr,
		        "gtsync-server restore: %s carries malformed files; nothing was "
		        "changed\n",
		        from);
		return FAIL;
	}
	if (force)
		return 0;
	clash = *have_store;
	if (*have_store)
		fprintf(stderr, "gtsync-server restore: %s already holds a store\n", p->dir);
	for (size_t i = 0; i < rf->n; i++) {
		if (rf->f[i].exists && !rf->f[i].same) {
			fprintf(stderr, "gtsync-server restore: %s/%s differs from the backup's\n",
			        p->dir, rf->f[i].name);
			clash = 1;
		}
	}
	if (clash) {
		fprintf(stderr, "gtsync-server restore: nothing was changed; --force replaces "
		                "them (the old ones are kept beside)\n");
		return FAIL;
	}
	return 0;
}

/* The time now as a file-name friendly stamp: 20261123T155151Z. */
static void restore_stamp(char *stamp, size_t len)
{
	char when[32];
	size_t k = 0;

	gt_clock_iso(gt_clock_wall_ms(), when, sizeof(when));
	for (const char *c = when; *c && k + 1 < len; c++)
		if (*c != '-' && *c != ':')
			stamp[k++] = *c;
	stamp[k] = '\0';
}

/* Step 3, the store: a copy of the current one (if any) is kept beside, then the backup's
 * replaces it; opening it for writing migrates an older schema, which is verified then.
 * 0 or FAIL (printed). */
static int restore_store(const char *from, const struct gt_paths *p, const char *stamp,
                         int have_store, const struct gt_store_backup_info *info)
{
	const char *db = p->db;
	struct gt_store *st = NULL;
	char errbuf[256];
	int rc = FAIL;

	if (have_store) {
		char aside[GT_PATH_MAX + 64];
		struct gt_store_backup_info ai;

		snprintf(aside, sizeof(aside), "%s.before-restore-%s", db, stamp);
		if (gt_store_open(db, 0, &st) != GT_OK ||
		    gt_store_backup(st, aside, NULL, 0, gt_clock_wall_ms(), &ai) != GT_OK) {
			fprintf(stderr,
			        "gtsync-server restore: cannot keep a copy of the current store: "
			        "%s; nothing was changed\n",
			        st ? gt_store_errmsg(st) : "cannot open it");
			goto out;
		}
		gt_store_close(st);
		st = NULL;
		printf("kept a copy of the old store as %s\n", aside);
	}
	if (gt_store_restore(from, db, errbuf, sizeof(errbuf)) != GT_OK) {
		fprintf(stderr, "gtsync-server restore: %s\n", errbuf);
		goto out;
	}
	/* The batch journal belongs to the store just replaced: kept beside it, never replayed
	 * onto the backup (docs/SERVER.md, "Durability and idempotency"). */
	if (access(p->journal, F_OK) == 0 && keep_aside(p->journal, stamp) != GT_OK)
		goto out;
	if (gt_store_open(db, 0, &st) != GT_OK) {
		fprintf(stderr, "gtsync-server restore: the restored store does not open\n");
		goto out;
	}
	if (info->schema != GT_STORE_SCHEMA_VERSION) {
		struct verify_sum v;

		if (verify_all(st, "restore", &v) != 0)
			fprintf(stderr,
			        "gtsync-server restore: WARNING: the restored store does not "
			        "verify (see above)%s\n",
			        have_store ? "; the old store was kept beside" : "");
	}
	rc = 0;
out:
	gt_store_close(st);
	return rc;
}

/* Step 3, the carried files: each that differs replaces the directory's, which is kept
 * beside. 0 or FAIL (printed). */
static int restore_carried(const struct restore_files *rf, const char *stamp)
{
	for (size_t i = 0; i < rf->n; i++) {
		char path[GT_PATH_MAX + 80];

		if (rf->f[i].same)
			continue;
		snprintf(path, sizeof(path), "%s/%s", rf->dir, rf->f[i].name);
		if (rf->f[i].exists && keep_aside(path, stamp) != GT_OK)
			return FAIL;
		if (gt_file_write(path, rf->f[i].content, rf->f[i].len, (int)rf->f[i].mode, 1) !=
		    GT_OK) {
			fprintf(stderr, "gtsync-server restore: cannot write %s\n", path);
			return FAIL;
		}
	}
	return 0;
}

int gt__cmd_restore(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *from = gt_cli_get(cmd, "from");
	int force = gt_cli_get(cmd, "force") != NULL;
	struct gt_store_backup_info info;
	struct restore_files rf = {0};
	struct gt_paths p;
	char stamp[32], when[32];
	int have_store, rc = FAIL;
	(void)argc;
	(void)argv;
	(void)arg;

	if (from == NULL) {
		fprintf(stderr, "gtsync-server restore: --from FILE is required\n");
		return USAGE;
	}
	if (gt__admin_data_paths(cmd, &p) != GT_OK)
		return USAGE;
	if (restore_check(from, &info) != 0 ||
	    restore_admit(&p, from, force, &rf, &have_store) != 0)
		goto out;
	/* 3. Replace: old files aside first, then the store, then the carried files. */
	restore_stamp(stamp, sizeof(stamp));
	if (restore_store(from, &p, stamp, have_store, &info) != 0 ||
	    restore_carried(&rf, stamp) != 0)
		goto out;
	gt_clock_iso(info.taken_at_ms, when, sizeof(when));
	printf("restored %s into %s: %llu batches (log index up to %llu), taken %s\n", from, p.dir,
	       (unsigned long long)info.batches, (unsigned long long)info.last_index,
	       when[0] ? when : "(time unknown)");
	printf("files:");
	for (size_t i = 0; i < rf.n; i++)
		printf(" %s%s", rf.f[i].name, rf.f[i].same ? " (unchanged)" : "");
	printf(rf.n ? "\n" : " none carried; the data directory's own were kept\n");
	printf("next: gtsync-server verify --data %s, then start the server\n", p.dir);
	rc = 0;
out:
	restore_files_free(&rf);
	return rc;
}

/* ---- verify (the command) ---- */

int gt__cmd_verify(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *file = gt_cli_get(cmd, "file");
	struct gt_paths p;
	struct gt_store *st = NULL;
	struct verify_sum v;
	const char *what;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if ((file == NULL) == (gt_cli_get(cmd, "data") == NULL)) {
		fprintf(stderr, "gtsync-server verify: give --data DIR or --file BACKUP\n");
		return USAGE;
	}
	if (file != NULL) {
		struct gt_store_backup_info info;

		what = file;
		if (gt_store_backup_check(file, &info) != GT_OK) {
			fprintf(stderr, "verify: %s is not a usable backup: %s\n", file,
			        info.problem);
			printf("verify %s: FAILED\n", file);
			return FAIL;
		}
		if (info.schema != GT_STORE_SCHEMA_VERSION) {
			fprintf(
			    stderr,
			    "verify: %s has store schema %d (this program's is %d): restore it, "
			    "then verify the data directory\n",
			    file, info.schema, GT_STORE_SCHEMA_VERSION);
			return FAIL;
		}
		rc = gt_store_open_readonly(file, &st);
		if (rc != GT_OK) {
			fprintf(stderr, "verify: cannot open %s: %s\n", file, gt_strerror(rc));
			return FAIL;
		}
	} else {
		if (gt__admin_open_store_ro(cmd, &p, &st) != GT_OK)
			return FAIL;
		what = p.db;
	}
	printf("verify %s\n", what);
	fflush(stdout);
	rc = verify_all(st, "verify", &v);
	gt_store_close(st);
	if (rc != 0) {
		printf("verify %s: FAILED\n", what);
		return FAIL;
	}
	printf("verify %s: ok (%llu batches, %llu derived rows)\n", what,
	       (unsigned long long)v.batches, (unsigned long long)v.rows);
	return 0;
}
