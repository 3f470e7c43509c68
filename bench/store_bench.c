/* Measures the store's apply rate against plain sqlite upserts of the same rows and durability. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crypto.h"
#include "error.h"
#include "rules.h"
#include "snapshot.h"
#include "store.h"
#include "store_impl.h" /* --log-first sets the experiment's connection to synchronous=NORMAL */
#include "wire.h"

/* Org units of the benchmark: one province and its districts, one key per district. */
#define BENCH_DISTRICTS 20

struct opts {
	unsigned batches;
	unsigned values;
	unsigned group;
	unsigned rounds;
	const char *dir;
	int keep;
	int rollup;   /* also apply through a store that maintains rollups by trigger */
	int logfirst; /* also apply log-first: the batches appended to a file synced once per
	               * group, then applied by a store with synchronous=NORMAL */
};

struct batch {
	uint8_t *bytes;
	size_t len;
	gt_batch *dec;
	uint8_t hash[GT_SHA256_LEN];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "store_bench: %s: %s\n", what, gt_strerror(rc));
	exit(1);
}

static void check_sql(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "store_bench: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

/* Builds batch number i of round r: values with distinct keys within the round, the same
 * keys in every round with revision r + 1. */
static void build(struct batch *out, const struct opts *o, unsigned i, unsigned r,
                  char keys[BENCH_DISTRICTS][GT_KEY_ID_LEN + 1])
{
	static const char *const cocs[4] = {"PD", "AP", "LD", "AL"};
	Gtsync__V1__Batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue *dv = calloc(o->values, sizeof(*dv));
	Gtsync__V1__DataValue **dvp = calloc(o->values, sizeof(*dvp));
	char *text = malloc((size_t)o->values * 32);
	unsigned d = i % BENCH_DISTRICTS, p = i / BENCH_DISTRICTS;
	char org[16], period[16];
	uint8_t id[GT_BATCH_ID_LEN];
	int rc;

	if (dv == NULL || dvp == NULL || text == NULL)
		die("allocating", GT_ENOMEM);
	snprintf(org, sizeof(org), "53.%02u", d + 1);
	snprintf(period, sizeof(period), "%04u%02u", 2000 + p / 12, p % 12 + 1);
	memset(id, (int)r, sizeof(id));
	memcpy(id, &i, sizeof(i));
	b.format_version = 1;
	b.batch_id.data = id;
	b.batch_id.len = sizeof(id);
	b.key_id = keys[d];
	b.org_unit = org;
	b.sequence = (uint64_t)r * o->batches + i + 1;
	b.created_at_ms = 1700000000000;
	for (unsigned j = 0; j < o->values; j++) {
		char *el = text + (size_t)j * 32, *val = el + 16;

		gtsync__v1__data_value__init(&dv[j]);
		snprintf(el, 16, "E%05u", j / 4);
		snprintf(val, 16, "%u", (i * 7 + j + r) % 1000);
		dv[j].data_element = el;
		dv[j].period = period;
		dv[j].org_unit = org;
		dv[j].category_option_combo = (char *)cocs[j % 4];
		dv[j].value = val;
		dv[j].revision = r + 1;
		dvp[j] = &dv[j];
	}
	b.n_values = o->values;
	b.values = dvp;
	rc = gt_wire_batch_pack(&b, &out->bytes, &out->len);
	if (rc == 0)
		rc = gt_wire_batch_decode(out->bytes, out->len, NULL, &out->dec);
	if (rc == 0)
		rc = gt_crypto_sha256(out->bytes, out->len, out->hash);
	if (rc != 0)
		die("building a batch", rc);
	free(dv);
	free(dvp);
	free(text);
}

static void setup_store(struct gt_store *st, char keys[BENCH_DISTRICTS][GT_KEY_ID_LEN + 1])
{
	struct gt_store_import_result res;
	char csv[4096];
	size_t n = 0;
	uint8_t pub[GT_ED25519_PUB_LEN];
	int rc;

	n += (size_t)snprintf(csv, sizeof(csv),
	                      "code,name,level\n53,Nusa Tenggara Timur,province\n");
	for (int d = 1; d <= BENCH_DISTRICTS; d++)
		n += (size_t)snprintf(csv + n, sizeof(csv) - n, "53.%02d,District %d,district\n", d,
		                      d);
	rc = gt_store_orgunit_import_buf(st, (const uint8_t *)csv, n, &res);
	if (rc != 0)
		die("importing org units", rc);
	for (int d = 0; d < BENCH_DISTRICTS; d++) {
		char org[8];

		memset(pub, d + 1, sizeof(pub));
		snprintf(org, sizeof(org), "53.%02d", d + 1);
		rc = gt_store_key_add(st, pub, org, GTSYNC__V1__ROLE__ROLE_OPERATOR, 1, keys[d]);
		if (rc != 0)
			die("adding a key", rc);
	}
}

/* Applies batches [first, end) through the store in one transaction; returns seconds. */
/* Not inlined: scripts/perfguard.sh counts the instructions of this function and of
 * direct_group() by name. */
__attribute__((noinline)) static double store_group(struct gt_store *st, struct batch *bs,
                                                    unsigned first, unsigned end, uint64_t *applied)
{
	static const uint8_t sig[GT_ED25519_SIG_LEN];
	/* Without metadata the rules check nothing but the log and the revision rule: the
	 * store's ceiling with the rules' reads. */
	static const struct gt_snapshot no_metadata;
	double t0 = now_s();
	int rc;

	rc = gt_store_begin(st);
	if (rc != 0)
		die(gt_store_errmsg(st), rc);
	for (unsigned k = first; k < end; k++) {
		struct gt_rules_batch in = {0};
		struct gt_store_batch_out out;

		in.snap = &no_metadata;
		in.bytes = bs[k].bytes;
		in.len = bs[k].len;
		in.signature = sig;
		in.sig_len = sizeof(sig);
		in.hash = bs[k].hash;
		in.batch = bs[k].dec;
		in.received_at_ms = 1700000000000 + k;
		rc = gt_rules_apply(st, &in, &out);
		if (rc != 0)
			die(gt_store_errmsg(st), rc);
		*applied += out.values.imported + out.values.updated;
		gt_store_batch_out_free(&out);
	}
	rc = gt_store_commit(st);
	if (rc != 0)
		die(gt_store_errmsg(st), rc);
	return now_s() - t0;
}

/*
 * Log-first durability, an experiment (issue 17): a group's batches are appended to a batch
 * file and made durable with one fdatasync (what an ack would wait for), then applied by a
 * store whose connection runs synchronous=NORMAL (its commits write the WAL without syncing;
 * checkpoints still sync). Recovery would replay the file's tail beyond the position the
 * store recorded; recording that position (one small row per commit) is not measured here.
 */
__attribute__((noinline)) static double logfirst_group(struct gt_store *st, int fd,
                                                       struct batch *bs, unsigned first,
                                                       unsigned end, uint64_t *applied)
{
	double t0 = now_s();
	size_t len = 0, off = 0;
	uint8_t *buf;

	for (unsigned k = first; k < end; k++)
		len += 4 + bs[k].len + GT_SHA256_LEN;
	if ((buf = malloc(len ? len : 1)) == NULL)
		die("allocating the group's log record", GT_ENOMEM);
	for (unsigned k = first; k < end; k++) {
		uint32_t n = (uint32_t)bs[k].len;
		memcpy(buf + off, &n, 4);
		memcpy(buf + off + 4, bs[k].bytes, bs[k].len);
		memcpy(buf + off + 4 + bs[k].len, bs[k].hash, GT_SHA256_LEN);
		off += 4 + bs[k].len + GT_SHA256_LEN;
	}
	if (write(fd, buf, len) != (ssize_t)len || fdatasync(fd) != 0)
		die("appending to the batch file", GT_EIO);
	free(buf);
	return now_s() - t0 + store_group(st, bs, first, end, applied);
}

static sqlite3 *open_direct(const char *path)
{
	sqlite3 *db = NULL;

	check_sql(db, sqlite3_open(path, &db), "opening the direct database");
	check_sql(
	    db,
	    sqlite3_exec(db,
	                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	                 "PRAGMA cache_size = -16384;"
	                 "CREATE TABLE datavalues(data_element TEXT NOT NULL, period TEXT "
	                 "NOT NULL, org_unit TEXT NOT NULL, coc TEXT NOT NULL, value TEXT NOT "
	                 "NULL, comment TEXT NOT NULL, revision INTEGER NOT NULL, deleted "
	                 "INTEGER NOT NULL, origin_batch BLOB NOT NULL, updated_at_ms INTEGER "
	                 "NOT NULL, UNIQUE(data_element, period, org_unit, coc));",
	                 NULL, NULL, NULL),
	    "creating the direct table");
	return db;
}

static sqlite3_stmt *prepare_upsert(sqlite3 *db)
{
	sqlite3_stmt *up = NULL;

	check_sql(
	    db,
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO datavalues VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	                       "?9, ?10) ON CONFLICT DO UPDATE SET value = excluded.value, "
	                       "comment = excluded.comment, revision = excluded.revision, "
	                       "deleted = excluded.deleted, origin_batch = "
	                       "excluded.origin_batch, updated_at_ms = excluded.updated_at_ms",
	                       -1, &up, NULL),
	    "preparing the upsert");
	return up;
}

/* Upserts the rows of batches [first, end) straight into a plain table in one transaction,
 * with the same durability; returns seconds. */
__attribute__((noinline)) static double direct_group(sqlite3 *db, sqlite3_stmt *up,
                                                     struct batch *bs, unsigned first, unsigned end)
{
	double t0 = now_s();

	check_sql(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), "BEGIN");
	for (unsigned k = first; k < end; k++) {
		const gt_batch *b = bs[k].dec;

		for (size_t j = 0; j < b->n_values; j++) {
			const Gtsync__V1__DataValue *v = b->values[j];

			sqlite3_bind_text(up, 1, v->data_element, -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 2, v->period, -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 3, v->org_unit, -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 4, v->category_option_combo, -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 5, v->value, -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 6, v->comment, -1, SQLITE_STATIC);
			sqlite3_bind_int64(up, 7, (sqlite3_int64)v->revision);
			sqlite3_bind_int(up, 8, v->deleted);
			sqlite3_bind_blob(up, 9, bs[k].hash, GT_SHA256_LEN, SQLITE_STATIC);
			sqlite3_bind_int64(up, 10, 1700000000000 + k);
			check_sql(db, sqlite3_step(up), "upserting");
			sqlite3_reset(up);
		}
	}
	check_sql(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "COMMIT");
	return now_s() - t0;
}

/*
 * What writer-maintained rollups would cost on apply (issue 17), measured rather than guessed:
 * triggers keep a sum and a count per (element, period, coc, org unit) for the unit and each
 * of its ancestors (district, province, nation) in the same transaction as the value, the old
 * value subtracted when a value is replaced. It is a lower bound for the real thing, which
 * would also keep per-unit counts and first arrival for completeness and timeliness.
 */
static const char rollup_sql[] =
    "CREATE TABLE rollups(de TEXT NOT NULL, pe TEXT NOT NULL, ou TEXT NOT NULL,"
    " coc TEXT NOT NULL, sum REAL NOT NULL, cnt INTEGER NOT NULL,"
    " PRIMARY KEY(de, pe, ou, coc)) WITHOUT ROWID;"
    "CREATE TRIGGER rollup_ins AFTER INSERT ON datavalues"
    " WHEN NEW.deleted = 0 AND NEW.num IS NOT NULL BEGIN"
    " INSERT INTO rollups(de, pe, ou, coc, sum, cnt)"
    " SELECT NEW.data_element, NEW.period, a.ou, NEW.coc, NEW.num, 1 FROM ("
    "  SELECT NEW.org_unit AS ou UNION ALL"
    "  SELECT substr(NEW.org_unit, 1, instr(NEW.org_unit, '.') - 1)"
    "   WHERE instr(NEW.org_unit, '.') > 0 UNION ALL SELECT 'ID') AS a WHERE 1"
    " ON CONFLICT(de, pe, ou, coc) DO UPDATE SET sum = sum + excluded.sum,"
    " cnt = cnt + excluded.cnt; END;"
    "CREATE TRIGGER rollup_upd AFTER UPDATE ON datavalues BEGIN"
    " INSERT INTO rollups(de, pe, ou, coc, sum, cnt)"
    " SELECT NEW.data_element, NEW.period, a.ou, NEW.coc,"
    "  (CASE WHEN NEW.deleted = 0 THEN coalesce(NEW.num, 0) ELSE 0 END) -"
    "  (CASE WHEN OLD.deleted = 0 THEN coalesce(OLD.num, 0) ELSE 0 END),"
    "  (NEW.deleted = 0 AND NEW.num IS NOT NULL) - (OLD.deleted = 0 AND OLD.num IS NOT NULL)"
    " FROM (SELECT NEW.org_unit AS ou UNION ALL"
    "  SELECT substr(NEW.org_unit, 1, instr(NEW.org_unit, '.') - 1)"
    "   WHERE instr(NEW.org_unit, '.') > 0 UNION ALL SELECT 'ID') AS a WHERE 1"
    " ON CONFLICT(de, pe, ou, coc) DO UPDATE SET sum = sum + excluded.sum,"
    " cnt = cnt + excluded.cnt; END;";

static void add_rollups(const char *path)
{
	sqlite3 *db = NULL;

	check_sql(db, sqlite3_open(path, &db), "opening the rollup store");
	check_sql(db, sqlite3_exec(db, rollup_sql, NULL, NULL, NULL), "creating rollups");
	sqlite3_close(db);
}

/* Checks that the triggers kept the national sums of the values: the probe measured rollups
 * that work. */
static void check_rollups(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	check_sql(db, sqlite3_open(path, &db), "opening the rollup store");
	check_sql(db,
	          sqlite3_prepare_v2(db,
	                             "SELECT (SELECT total(sum) FROM rollups WHERE ou = 'ID'),"
	                             " (SELECT total(num) FROM datavalues WHERE deleted = 0),"
	                             " (SELECT total(cnt) FROM rollups WHERE ou = '53'),"
	                             " (SELECT count(num) FROM datavalues WHERE deleted = 0)",
	                             -1, &s, NULL),
	          "preparing the rollup check");
	check_sql(db, sqlite3_step(s), "checking rollups");
	if (sqlite3_column_double(s, 0) != sqlite3_column_double(s, 1) ||
	    sqlite3_column_double(s, 2) != sqlite3_column_double(s, 3)) {
		fprintf(stderr, "store_bench: the rollups do not match the values\n");
		exit(1);
	}
	printf("rollups checked: national sum %.0f over %.0f values\n", sqlite3_column_double(s, 0),
	       sqlite3_column_double(s, 3));
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: store_bench [--batches N] [--values K] [--group G] [--rounds R] "
	        "[--dir DIR] [--keep] [--rollups]\n"
	        "Applies N batches of K values through the store, G batches per commit, R rounds\n"
	        "(round 1 writes new keys, later rounds the same keys at higher revisions), then\n"
	        "upserts the same rows straight into sqlite with the same commits (WAL,\n"
	        "synchronous=FULL) and prints both rates and their ratio. With --rollups, also\n"
	        "through a second store whose values maintain rollups per (element, period, coc,\n"
	        "unit and ancestor) by trigger, and its rate over the plain store's. With\n"
	        "--log-first, also log-first: each group appended to a batch file with one\n"
	        "fdatasync, then applied by a store with synchronous=NORMAL (an experiment).\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"batches", required_argument, NULL, 'n'}, {"values", required_argument, NULL, 'k'},
	    {"group", required_argument, NULL, 'g'},   {"rounds", required_argument, NULL, 'r'},
	    {"dir", required_argument, NULL, 'd'},     {"keep", no_argument, NULL, 'K'},
	    {"rollups", no_argument, NULL, 'R'},       {"log-first", no_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	struct opts o = {200, 500, 1, 2, NULL, 0, 0, 0};
	char keys[BENCH_DISTRICTS][GT_KEY_ID_LEN + 1];
	char dirbuf[256], store_path[512], direct_path[512], rollup_path[512], log_path[512];
	struct gt_store *st = NULL, *st2 = NULL;
	sqlite3 *db;
	sqlite3_stmt *up;
	int c, rc, fd = -1;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.batches = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			o.values = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'g':
			o.group = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o.rounds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'K':
			o.keep = 1;
			break;
		case 'R':
			o.rollup = 1;
			break;
		case 'L':
			o.logfirst = 1;
			break;
		default:
			usage();
			return c == 'h' ? 0 : 2;
		}
	}
	if (o.batches == 0 || o.values == 0 || o.values > GT_DEFAULT_MAX_VALUES_PER_BATCH ||
	    o.group == 0 || o.rounds == 0 || o.batches / BENCH_DISTRICTS > 12 * 100 ||
	    (o.rollup && o.logfirst)) {
		usage();
		return 2;
	}
	if (o.dir == NULL) {
		const char *tmp = getenv("TMPDIR");

		snprintf(dirbuf, sizeof(dirbuf), "%s/gtsync-bench-XXXXXX",
		         tmp != NULL && *tmp ? tmp : "/tmp");
		if (mkdtemp(dirbuf) == NULL) {
			perror("mkdtemp");
			return 1;
		}
		o.dir = dirbuf;
	}
	snprintf(store_path, sizeof(store_path), "%s/store.db", o.dir);
	snprintf(direct_path, sizeof(direct_path), "%s/direct.db", o.dir);
	snprintf(rollup_path, sizeof(rollup_path), "%s/rollup.db", o.dir);
	snprintf(log_path, sizeof(log_path), "%s/batches.log", o.dir);
	rc = gt_store_open(store_path, 1, &st);
	if (rc != 0)
		die(store_path, rc);
	setup_store(st, keys);
	if (o.rollup || o.logfirst) {
		/* The second store: the same keys, so that the same batches apply. */
		char keys2[BENCH_DISTRICTS][GT_KEY_ID_LEN + 1];

		if ((rc = gt_store_open(rollup_path, 1, &st2)) != 0)
			die(rollup_path, rc);
		setup_store(st2, keys2);
		if (memcmp(keys, keys2, sizeof(keys)) != 0)
			die("the two stores' keys differ", GT_ESTATE);
	}
	if (o.rollup)
		add_rollups(rollup_path);
	if (o.logfirst) {
		check_sql(st2->db,
		          sqlite3_exec(st2->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL),
		          "setting synchronous=NORMAL");
		fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
		if (fd < 0)
			die(log_path, GT_EIO);
	}
	db = open_direct(direct_path);
	up = prepare_upsert(db);

	printf("store_bench: %u batches x %u values, %u batch(es) per commit, WAL, "
	       "synchronous=FULL, in %s\n",
	       o.batches, o.values, o.group, o.dir);
	if (o.rollup)
		printf("%-6s %14s %14s %7s %14s %13s\n", "round", "store v/s", "direct v/s",
		       "ratio", "rollups v/s", "rollups/store");
	else if (o.logfirst)
		printf("%-6s %14s %14s %7s %14s %13s\n", "round", "store v/s", "direct v/s",
		       "ratio", "logfirst v/s", "logfirst/store");
	else
		printf("%-6s %14s %14s %7s\n", "round", "store v/s", "direct v/s", "ratio");
	for (unsigned r = 0; r < o.rounds; r++) {
		struct batch *bs = calloc(o.batches, sizeof(*bs));
		uint64_t applied = 0, applied2 = 0;
		double ts, td, tr, total = (double)o.batches * o.values;

		if (bs == NULL)
			die("allocating", GT_ENOMEM);
		for (unsigned i = 0; i < o.batches; i++)
			build(&bs[i], &o, i, r, keys);
		/* Alternate the two sides group by group, so that load from other processes
		 * on the machine falls on both alike. */
		ts = td = tr = 0;
		for (unsigned i = 0; i < o.batches; i += o.group) {
			unsigned end = i + o.group < o.batches ? i + o.group : o.batches;

			ts += store_group(st, bs, i, end, &applied);
			td += direct_group(db, up, bs, i, end);
			if (o.rollup)
				tr += store_group(st2, bs, i, end, &applied2);
			else if (o.logfirst)
				tr += logfirst_group(st2, fd, bs, i, end, &applied2);
		}
		if (applied != (uint64_t)o.batches * o.values) {
			fprintf(stderr, "store_bench: applied %llu values, expected %.0f\n",
			        (unsigned long long)applied, total);
			return 1;
		}
		if (st2 != NULL && applied2 != applied) {
			fprintf(stderr,
			        "store_bench: the second store applied %llu values, not %llu\n",
			        (unsigned long long)applied2, (unsigned long long)applied);
			return 1;
		}
		if (st2 != NULL)
			printf("%-6u %14.0f %14.0f %7.2f %14.0f %13.2f\n", r + 1, total / ts,
			       total / td, td / ts, total / tr, ts / tr);
		else
			printf("%-6u %14.0f %14.0f %7.2f\n", r + 1, total / ts, total / td,
			       td / ts);
		for (unsigned i = 0; i < o.batches; i++) {
			free(bs[i].bytes);
			gt_wire_batch_free(bs[i].dec);
		}
		free(bs);
	}
	gt_store_close(st);
	gt_store_close(st2);
	if (fd >= 0)
		close(fd);
	if (o.rollup)
		check_rollups(rollup_path);
	sqlite3_finalize(up);
	sqlite3_close(db);
	if (!o.keep) {
		char p[600];
		const char *const files[] = {"store.db",   "store.db-wal",  "store.db-shm",
		                             "direct.db",  "direct.db-wal", "direct.db-shm",
		                             "rollup.db",  "rollup.db-wal", "rollup.db-shm",
		                             "batches.log"};

		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(p, sizeof(p), "%s/%s", o.dir, files[i]);
			unlink(p);
		}
		if (o.dir == dirbuf)
			rmdir(o.dir);
	}
	return 0;
}
