/* gtsync-server's read-only commands for the centre's operator: orgunits list, metadata show,
 * status. */
#include "admin_ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "control.h"
#include "encode.h"
#include "error.h"
#include "metadata.h"
#include "orgunit.h"
#include "period.h"
#include "store.h"
#include "store_ops.h"
#include "timezone.h"
#include "vec.h"

#define FAIL  GT_CLI_EXIT_FAIL
#define USAGE GT_CLI_EXIT_USAGE

/* How long `status` waits for a running server's answer. */
#define STATUS_TIMEOUT_MS 3000u

int gt__admin_open_store_ro(const struct gt_cli_cmd *cmd, struct gt_paths *p, struct gt_store **st)
{
	struct stat sb;
	int rc;

	*st = NULL;
	if (gt__admin_data_paths(cmd, p) != GT_OK)
		return GT_EINVAL;
	if (stat(p->db, &sb) != 0) {
		fprintf(stderr,
		        "gtsync-server: no store at %s; run 'gtsync-server init --data %s' first\n",
		        p->db, p->dir);
		return GT_ENOENT;
	}
	rc = gt_store_open_readonly(p->db, st);
	if (rc != GT_OK)
		fprintf(stderr, "gtsync-server: cannot open the store %s: %s\n", p->db,
		        gt_strerror(rc));
	return rc;
}

/* ---- orgunits list ---- */

struct gt_cli_opt gt__orgunits_list_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"under", "CODE", "only this unit and the units below it (e.g. 53)", NULL},
    {"level", "LEVEL", "only provinces or only districts (province, district)", NULL},
    {"format", "FORMAT", "table (default) or csv (the import format, with time zones)", NULL},
    {0},
};

struct oulist {
	const char *under;
	int level; /* 0: any */
	int csv;
	int zones[100]; /* recorded zone of each province, by number */
	size_t shown;
};

static const char *level_name(int level)
{
	return level == GT_ORGUNIT_LEVEL_NATIONAL   ? "national"
	       : level == GT_ORGUNIT_LEVEL_PROVINCE ? "province"
	                                            : "district";
}

/* Writes s as a CSV field (quoted when it holds a comma, quote or line break). */
static void csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static int list_one(void *arg, const struct gt_store_orgunit *u)
{
	struct oulist *l = arg;
	int tz = u->tz;

	if (u->level == GT_ORGUNIT_LEVEL_PROVINCE)
		l->zones[atoi(u->code) % 100] = u->tz;
	/* A district without a zone of its own is in its province's (root first, then codes in
	 * order: a province comes before its districts). */
	if (tz == GT_TZ_NONE && u->level == GT_ORGUNIT_LEVEL_DISTRICT)
		tz = l->zones[atoi(u->code) % 100];
	if (l->under != NULL && gt_orgunit_contains(l->under, u->code) != 1)
		return 0;
	if (l->level != 0 && u->level != l->level)
		return 0;
	if (l->csv) {
		if (u->level == GT_ORGUNIT_LEVEL_NATIONAL)
			return 0; /* the root is not imported: every store has it */
		csv_field(u->code);
		putchar(',');
		csv_field(u->name);
		printf(",%s,%s\n", level_name(u->level), gt_tz_name((enum gt_tz)tz));
	} else {
		printf("%-6s  %-8s  %-6s  %-4s  %s\n", u->code, level_name(u->level), u->parent,
		       gt_tz_name((enum gt_tz)tz), u->name);
	}
	l->shown++;
	return 0;
}

int gt__cmd_orgunits_list(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *level = gt_cli_get(cmd, "level"), *format = gt_cli_get(cmd, "format");
	struct oulist l = {.under = gt_cli_get(cmd, "under")};
	struct gt_paths p;
	struct gt_store *st;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (level != NULL) {
		if (strcmp(level, "province") == 0)
			l.level = GT_ORGUNIT_LEVEL_PROVINCE;
		else if (strcmp(level, "district") == 0)
			l.level = GT_ORGUNIT_LEVEL_DISTRICT;
		else {
			fprintf(stderr, "gtsync-server orgunits list: --level is province or "
			                "district\n");
			return USAGE;
		}
	}
	if (format != NULL && strcmp(format, "table") != 0 && strcmp(format, "csv") != 0) {
		fprintf(stderr, "gtsync-server orgunits list: --format is table or csv\n");
		return USAGE;
	}
	l.csv = format != NULL && strcmp(format, "csv") == 0;
	if (l.under != NULL && gt_orgunit_valid(l.under) != GT_OK) {
		fprintf(stderr,
		        "gtsync-server orgunits list: '%s' is not an org-unit code (ID, 53, "
		        "53.71)\n",
		        l.under);
		return USAGE;
	}
	if (gt__admin_open_store_ro(cmd, &p, &st) != GT_OK)
		return FAIL;
	if (l.csv)
		printf("code,name,level,timezone\n");
	else
		printf("%-6s  %-8s  %-6s  %-4s  %s\n", "CODE", "LEVEL", "PARENT", "ZONE", "NAME");
	rc = gt_store_orgunit_foreach(st, list_one, &l);
	if (rc != GT_OK)
		fprintf(stderr, "gtsync-server orgunits list: %s\n", gt_store_errmsg(st));
	else if (!l.csv)
		printf("%zu org units\n", l.shown);
	gt_store_close(st);
	return rc == GT_OK ? 0 : FAIL;
}

/* ---- metadata show ---- */

struct gt_cli_opt gt__metadata_show_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"file", "NAME", "print this stored file (e.g. kasus.gtm) as it is", NULL},
    {0},
};

static void print_digest(const char *label, const uint8_t d[GT_SHA256_LEN])
{
	char hex[2 * GT_SHA256_LEN + 1];

	if (gt_hex_encode(d, GT_SHA256_LEN, hex, sizeof(hex)) != GT_OK)
		hex[0] = '\0';
	printf("%s%s\n", label, hex);
}

/* Writes the stored file named want to stdout; 0, or FAIL (printed) when none is. */
static int show_file(const struct gt_store_metadata *md, const char *want)
{
	for (size_t i = 0; i < md->n_files; i++) {
		if (strcmp(md->files[i].name, want) == 0) {
			fwrite(md->files[i].content, 1, md->files[i].len, stdout);
			return 0;
		}
	}
	fprintf(stderr,
	        "gtsync-server metadata show: no stored file '%s' (see the list "
	        "without --file)\n",
	        want);
	return FAIL;
}

/* The stored version, its digest and its files. */
static void print_stored(const struct gt_store_metadata *md)
{
	char when[32];

	gt_clock_iso(md->loaded_at_ms, when, sizeof(when));
	printf("metadata version %llu, loaded %s\n", (unsigned long long)md->version, when);
	print_digest("digest  ", md->digest);
	printf("files (%zu):\n", md->n_files);
	for (size_t i = 0; i < md->n_files; i++) {
		char hex[2 * GT_SHA256_LEN + 1];

		if (gt_hex_encode(md->files[i].sha256, GT_SHA256_LEN, hex, sizeof(hex)) != GT_OK)
			hex[0] = '\0';
		printf("  %-28s %8zu bytes  sha256 %.16s...\n", md->files[i].name, md->files[i].len,
		       hex);
	}
}

/* Loads the stored files with this program's loader; NULL when they no longer load (or
 * memory ran out). Caller frees with gt_meta_free(). */
static struct gt_meta *load_stored(const struct gt_store_metadata *md)
{
	struct gt_meta *meta = NULL;
	struct gt_meta_errors *errs = calloc(1, sizeof(*errs));
	const char **names = calloc(md->n_files + 1, sizeof(*names));
	const uint8_t **data = calloc(md->n_files + 1, sizeof(*data));
	size_t *lens = calloc(md->n_files + 1, sizeof(*lens));

	if (errs != NULL && names && data && lens) {
		gt_meta_errors_init(errs);
		for (size_t i = 0; i < md->n_files; i++) {
			names[i] = md->files[i].name;
			data[i] = md->files[i].content;
			lens[i] = md->files[i].len;
		}
		(void)gt_meta_load_buffers(names, data, lens, md->n_files, &meta, errs);
		gt_meta_errors_clear(errs);
	}
	free(names);
	free(data);
	free(lens);
	free(errs);
	return meta;
}

int gt__cmd_metadata_show(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *want = gt_cli_get(cmd, "file");
	struct gt_paths p;
	struct gt_store *st = NULL;
	struct gt_store_metadata md = {0};
	struct gt_meta *meta = NULL;
	int rc = FAIL;
	(void)argc;
	(void)argv;
	(void)arg;

	if (gt__admin_open_store_ro(cmd, &p, &st) != GT_OK)
		return FAIL;
	if (gt_store_metadata_get(st, &md) != GT_OK) {
		fprintf(stderr, "gtsync-server metadata show: %s\n", gt_store_errmsg(st));
		goto out;
	}
	if (md.version == 0) {
		printf("no metadata loaded; run 'gtsync-server metadata load --data %s'\n", p.dir);
		rc = 0;
		goto out;
	}
	if (want != NULL) {
		rc = show_file(&md, want);
		goto out;
	}
	print_stored(&md);
	if ((meta = load_stored(&md)) == NULL) {
		fprintf(stderr, "gtsync-server metadata show: the stored metadata no longer loads "
		                "with this program; load it again\n");
		goto out;
	}
	printf("data sets (%zu):\n", meta->ndatasets);
	for (size_t i = 0; i < meta->ndatasets; i++) {
		const struct gt_meta_dataset *ds = meta->datasets[i];

		printf("  %-8s %-12s %3zu elements  timely %u days  %s\n", ds->code,
		       gt_period_type_name(ds->period_type), ds->nelements, ds->timely_days,
		       ds->name);
	}
	printf("%zu data elements, %zu category combos, %zu rules, %zu plans, %zu indicators\n",
	       meta->nelements, meta->ncombos, meta->nrules, meta->nplans, meta->nindicators);
	rc = 0;
out:
	gt_meta_free(meta);
	gt_store_metadata_free(&md);
	gt_store_close(st);
	return rc;
}

/* ---- status ---- */

struct gt_cli_opt gt__status_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"units", NULL, "list every org unit that has sent batches (default: the 20 latest)", NULL},
    {0},
};

/* Size of a file, 0 if absent. */
static uint64_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static void human_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

struct unit_row {
	char org[GT_ORGUNIT_MAX_LEN];
	uint64_t batches, last;
	int64_t at;
};

struct unit_rows {
	struct unit_row *rows;
	size_t n, cap;
};

static int collect_unit(void *arg, const char *org, uint64_t batches, uint64_t last_index,
                        int64_t last_at_ms)
{
	struct unit_rows *u = arg;

	if (GT_VEC_RESERVE(u->rows, u->cap, u->n + 1) != GT_OK)
		return GT_ENOMEM;
	snprintf(u->rows[u->n].org, sizeof(u->rows[u->n].org), "%s", org);
	u->rows[u->n].batches = batches;
	u->rows[u->n].last = last_index;
	u->rows[u->n].at = last_at_ms;
	u->n++;
	return 0;
}

static int by_latest(const void *a, const void *b)
{
	const struct unit_row *x = a, *y = b;
	return x->last < y->last ? 1 : x->last > y->last ? -1 : 0;
}

/* Prints the running server's answer, lines "name=value" and "conn ..." lines. */
static void print_live(const char *text)
{
	const char *line = text;
	unsigned conns = 0;

	printf("server: running\n");
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);

		if (n > 5 && strncmp(line, "conn ", 5) == 0) {
			if (conns++ == 0)
				printf("connections:\n");
			printf("  %.*s\n", (int)(n - 5), line + 5);
		} else if (n > 0 && strncmp(line, "end=", 4) != 0) {
			printf("  %.*s\n", (int)n, line);
		}
		line += n + (end != NULL);
	}
}

int gt__cmd_status(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_paths p;
	struct gt_store *st = NULL;
	struct gt_store_stats s;
	struct unit_rows units = {0};
	char *live = NULL, when[32], a[32], b[32], c[32];
	uint64_t db_bytes, wal_bytes;
	int rc, qrc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (gt__admin_data_paths(cmd, &p) != GT_OK)
		return USAGE;
	qrc = gt_control_query(p.control, STATUS_TIMEOUT_MS, &live);
	if (qrc == GT_OK)
		print_live(live);
	else if (qrc == GT_ENOENT || qrc == GT_ECONNREFUSED)
		printf("server: not running (nothing answers on %s); what the store holds:\n",
		       p.control);
	else
		printf("server: no answer on %s (%s); what the store holds:\n", p.control,
		       gt_strerror(qrc));
	free(live);
	if (gt__admin_open_store_ro(cmd, &p, &st) != GT_OK)
		return FAIL;
	rc = gt_store_stats_get(st, &s);
	if (rc == GT_OK)
		rc = gt_store_last_batches(st, collect_unit, &units);
	if (rc != GT_OK) {
		fprintf(stderr, "gtsync-server status: %s\n", gt_store_errmsg(st));
		goto out;
	}
	db_bytes = file_size(p.db);
	{
		char wal[GT_PATH_MAX + 8];
		snprintf(wal, sizeof(wal), "%s-wal", p.db);
		wal_bytes = file_size(wal);
	}
	human_bytes(db_bytes, a, sizeof(a));
	human_bytes(wal_bytes, b, sizeof(b));
	human_bytes(s.free_pages * s.page_size, c, sizeof(c));
	printf("store: %s  %s (+ %s write-ahead log; %s free inside)\n", p.db, a, b, c);
	human_bytes(s.log_bytes, a, sizeof(a));
	gt_clock_iso(s.last_at_ms, when, sizeof(when));
	printf("batch log: %llu batches, %s signed bytes; last index %llu%s%s\n",
	       (unsigned long long)s.batches, a, (unsigned long long)s.last_index,
	       s.last_index ? " received " : "", s.last_index ? when : "");
	printf("values: %llu  keys: %llu (%llu revoked)  org units: %llu  metadata version: "
	       "%llu\n",
	       (unsigned long long)s.values, (unsigned long long)s.keys,
	       (unsigned long long)s.keys_revoked, (unsigned long long)s.orgunits,
	       (unsigned long long)s.metadata_version);
	if (units.n > 1)
		qsort(units.rows, units.n, sizeof(*units.rows), by_latest);
	printf("org units that sent batches: %zu\n", units.n);
	if (units.n > 0)
		printf("  %-6s  %9s  %10s  %s\n", "ORG", "BATCHES", "LAST INDEX", "LAST RECEIVED");
	for (size_t i = 0; i < units.n; i++) {
		if (i == 20 && gt_cli_get(cmd, "units") == NULL) {
			printf("  ... %zu more (--units lists them all)\n", units.n - 20);
			break;
		}
		gt_clock_iso(units.rows[i].at, when, sizeof(when));
		printf("  %-6s  %9llu  %10llu  %s\n", units.rows[i].org,
		       (unsigned long long)units.rows[i].batches,
		       (unsigned long long)units.rows[i].last, when);
	}
out:
	free(units.rows);
	gt_store_close(st);
	return rc == GT_OK ? 0 : FAIL;
}
