/* Issue 15, the PostgreSQL mirror: `gtsync-server mirror` follows a running server's store into
 * a real PostgreSQL on loopback while districts push; the mirror is killed with SIGKILL and
 * PostgreSQL is crashed (pg_ctl -m immediate) during the load, both come back, and afterwards
 * every mirrored table equals the sqlite store's, row for row: no gap, no double. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "session.h"
#include "testserver.h"
#include "testutil.h"
#include "wire.h"

#define PGCLUSTER GT_SOURCE_DIR "/tests/support/pgcluster.sh"
/* Rounds of pushes; the mirror and PostgreSQL are disturbed between some of them. */
#define ROUNDS 12
/* How long the mirror may take to catch up at the end (sanitizers, a loaded machine). */
#define CATCHUP_S 120

struct fx {
	struct gt_testserver ts;
	char pgdir[64];
	char conninfo[256];
	int pgport;
	pid_t mirror;
	char mirror_log[4200];
};

/* Runs a shell command line, returning its exit status. */
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void pg_start(struct fx *f)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "sh %s start %s %d", PGCLUSTER, f->pgdir, f->pgport);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(f->conninfo, sizeof(f->conninfo), p));
	assert_int_equal(pclose(p), 0);
	f->conninfo[strcspn(f->conninfo, "\n")] = '\0';
}

static void mirror_start(struct fx *f)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(f->mirror_log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(o, 1);
		dup2(o, 2);
		execl(GT_BINARY_DIR "/server/gtsync-server", "gtsync-server", "mirror", "--data",
		      f->ts.data, "--postgres", f->conninfo, "--chunk", "40", "--interval-ms", "20",
		      (char *)NULL);
		_exit(127);
	}
	f->mirror = pid;
}

/* One batch of 16 KK_KORBAN values of org, in months m..m+3 of 2024, at revision rev. */
static void push_round(struct gt_session *s, const struct gt_key *k, const char *org, uint64_t seq,
                       int m, uint64_t rev)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue v[16], *vp[16];
	char vals[16][16], periods[16][8];
	static const char *const opts[] = {"PD", "AP", "LD", "AL"};
	struct gt_test_signed sb;

	for (int i = 0; i < 16; i++) {
		gtsync__v1__data_value__init(&v[i]);
		snprintf(vals[i], sizeof(vals[i]), "%d", (int)(rev * 7 + (uint64_t)i) % 50);
		snprintf(periods[i], sizeof(periods[i]), "2024%02d", (m + i / 4) % 12 + 1);
		v[i].data_element = "KK_KORBAN";
		v[i].category_option_combo = (char *)opts[i % 4];
		v[i].org_unit = (char *)org;
		v[i].period = periods[i];
		v[i].value = vals[i];
		v[i].revision = rev;
		vp[i] = &v[i];
	}
	b.values = vp;
	b.n_values = 16;
	gt_test_sign_batch(k, org, seq, &b, &sb);
	gt_envelope *ack = gt_test_push(s, &sb);
	assert_int_equal(ack->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_OK);
	gt_wire_envelope_free(ack);
	free(sb.bytes);
}

/* The rows of one table as text lines, in a fixed order: the same query text serves sqlite
 * and PostgreSQL (hex() is sqlite's; PostgreSQL gets a function of that name). */
static const char *const dumps[] = {
    "SELECT data_element || '|' || period || '|' || org_unit || '|' || coc || '|' || value || "
    "'|' || comment || '|' || revision || '|' || deleted || '|' || change_seq || '|' || "
    "hex(origin_batch) FROM datavalues ORDER BY change_seq",
    "SELECT log_index || '|' || hex(batch_hash) || '|' || key_id || '|' || sequence || '|' || "
    "org_unit || '|' || hex(batch) || '|' || hex(signature) || '|' || received_at_ms FROM "
    "batch_log ORDER BY log_index",
    "SELECT id || '|' || dataset || '|' || period || '|' || org_unit || '|' || kind || '|' || "
    "key_id || '|' || reason || '|' || change_seq || '|' || open_until FROM workflow_events "
    "ORDER BY id",
    "SELECT dataset || '|' || period || '|' || org_unit || '|' || state || '|' || change_seq "
    "FROM workflow_state ORDER BY change_seq",
    "SELECT key_id || '|' || org_unit || '|' || roles || '|' || label FROM keys ORDER BY key_id",
    "SELECT code || '|' || name || '|' || level FROM orgunits ORDER BY code",
};
#define NDUMPS (sizeof(dumps) / sizeof(dumps[0]))

/* Appends every row of sql on db to a growing string (caller frees). */
static char *sqlite_dump(sqlite3 *db, const char *sql, size_t *rows)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 4096, used = 0;
	char *out = calloc(1, cap);

	*rows = 0;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		size_t n = strlen(t);
		while (used + n + 2 > cap)
			out = realloc(out, cap *= 2);
		memcpy(out + used, t, n);
		used += n;
		out[used++] = '\n';
		out[used] = '\0';
		(*rows)++;
	}
	sqlite3_finalize(s);
	return out;
}

/* The same query through psql, in the mirror's schema (caller frees). PostgreSQL calls a
 * temporary function only by its qualified name: hex( becomes pg_temp.hex(. */
static char *pg_dump(struct fx *f, const char *sql)
{
	char path[4200], sqlpath[4200];
	size_t len;

	snprintf(sqlpath, sizeof(sqlpath), "%s/pgdump.sql", f->ts.dir);
	snprintf(path, sizeof(path), "%s/pgdump.out", f->ts.dir);
	FILE *q = fopen(sqlpath, "w");
	assert_non_null(q);
	fputs("SET search_path = gtsync;\n"
	      "CREATE FUNCTION pg_temp.hex(b bytea) RETURNS text LANGUAGE sql AS "
	      "$$ SELECT upper(encode(b, 'hex')) $$;\n",
	      q);
	for (const char *c = sql; *c != '\0'; c++) {
		if (strncmp(c, "hex(", 4) == 0)
			fputs("pg_temp.", q);
		fputc(*c, q);
	}
	fputs(";\n", q);
	assert_int_equal(fclose(q), 0);
	assert_int_equal(
	    sh("psql '%s' -X -q -At -v ON_ERROR_STOP=1 -f %s >%s", f->conninfo, sqlpath, path), 0);
	uint8_t *t = gt_test_read_file(path, &len);
	assert_non_null(t);
	return (char *)t;
}

/* The mirrored change sequence and log index, or -1 when PostgreSQL does not answer. */
static int64_t pg_position(struct fx *f, int64_t *log_index)
{
	char cmd[1024], buf[128] = "";
	snprintf(cmd, sizeof(cmd),
	         "psql '%s' -X -q -At -c 'SELECT change_seq, log_index FROM "
	         "gtsync.mirror_position' 2>/dev/null",
	         f->conninfo);
	FILE *p = popen(cmd, "r");
	long long seq = -1, li = -1;
	if (p != NULL) {
		if (fgets(buf, sizeof(buf), p) != NULL && sscanf(buf, "%lld|%lld", &seq, &li) != 2)
			seq = li = -1;
		pclose(p);
	}
	*log_index = li;
	return seq;
}

/* Waits (bounded) until the mirror has committed beyond change sequence after; returns the
 * mirrored sequence. */
static int64_t wait_progress(struct fx *f, int64_t after)
{
	int64_t seq = -1, li;
	time_t t0 = time(NULL);

	while (time(NULL) - t0 < CATCHUP_S && (seq = pg_position(f, &li)) <= after)
		usleep(20 * 1000);
	assert_true(seq > after);
	return seq;
}

static void store_position(sqlite3 *db, int64_t *seq, int64_t *log_index)
{
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT (SELECT value FROM store_state WHERE name = "
	                                    "'change_seq'), (SELECT max(log_index) FROM batch_log)",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	*seq = sqlite3_column_int64(s, 0);
	*log_index = sqlite3_column_int64(s, 1);
	sqlite3_finalize(s);
}

/* Whatever a failed run left: the mirror, the cluster and its directory. */
static int teardown(void **state)
{
	struct fx *f = *state;

	if (f == NULL)
		return 0;
	if (f->mirror > 0) {
		kill(f->mirror, SIGKILL);
		waitpid(f->mirror, NULL, 0);
	}
	if (f->pgdir[0] != '\0' && strstr(f->pgdir, "XXXXXX") == NULL) {
		sh("sh %s stop %s immediate", PGCLUSTER, f->pgdir);
		sh("rm -rf %s", f->pgdir);
	}
	free(f);
	return 0;
}

static void mirror_survives_crashes_and_equals_the_store(void **state)
{
	static const char *const orgs[] = {"53.71", "53.72", "36.01"};
	struct gt_key *keys[3];
	struct gt_session *sess[3];
	struct fx *f = calloc(1, sizeof(*f));
	uint64_t seq[3] = {0, 0, 0};

	*state = f;

	signal(SIGPIPE, SIG_IGN);
	assert_non_null(f);
	snprintf(f->pgdir, sizeof(f->pgdir), "/tmp/gtsync-pg-XXXXXX");
	assert_non_null(mkdtemp(f->pgdir));
	assert_int_equal(sh("sh %s init %s", PGCLUSTER, f->pgdir), 0);
	f->pgport = gt_test_free_port();
	pg_start(f);

	gt_testserver_setup(&f->ts);
	for (int i = 0; i < 3; i++)
		keys[i] = gt_testserver_key(&f->ts, orgs[i], "operator");
	gt_testserver_start(&f->ts, NULL);
	/* 2024 is past the data sets' expiry: opened for late entry (workflow rows to mirror). */
	gt_testserver_open_late(&f->ts, "53.71 53.72 36.01", "2024");
	for (int i = 0; i < 3; i++) {
		sess[i] = gt_testserver_session(&f->ts, keys[i], NULL);
		assert_non_null(sess[i]);
	}
	snprintf(f->mirror_log, sizeof(f->mirror_log), "%s/mirror.log", f->ts.dir);
	mirror_start(f);

	int64_t mirrored = 0, li;
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < 3; i++)
			push_round(sess[i], keys[i], orgs[i], ++seq[i], r, (uint64_t)r + 1);
		/* Each disturbance lands while the mirror is working, after it has made progress.
		 */
		if (r == 3 || r == 6 || r == 10)
			mirrored = wait_progress(f, mirrored);
		if (r == 3) {
			/* The mirror dies mid-stream, then starts again from its committed
			 * position. */
			kill(f->mirror, SIGKILL);
			assert_int_equal(waitpid(f->mirror, NULL, 0), f->mirror);
			mirror_start(f);
			/* The next disturbance waits for the new mirror's own progress. */
			mirrored = pg_position(f, &li);
		} else if (r == 6) {
			/* PostgreSQL crashes; the mirror waits for it and goes on. */
			assert_int_equal(sh("sh %s stop %s immediate", PGCLUSTER, f->pgdir), 0);
		} else if (r == 8) {
			pg_start(f);
			mirrored = pg_position(f, &li);
		} else if (r == 10) {
			kill(f->mirror, SIGKILL);
			assert_int_equal(waitpid(f->mirror, NULL, 0), f->mirror);
			mirror_start(f);
		}
	}

	/* Catch up, bounded; then a clean stop (SIGTERM: exit 0). */
	char dbpath[4200];
	sqlite3 *db = NULL;
	int64_t want_seq, want_log, got_seq = -1, got_log = -1;
	snprintf(dbpath, sizeof(dbpath), "%s/gtsync.db", f->ts.data);
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	store_position(db, &want_seq, &want_log);
	time_t t0 = time(NULL);
	while (time(NULL) - t0 < CATCHUP_S) {
		got_seq = pg_position(f, &got_log);
		if (got_seq == want_seq && got_log == want_log)
			break;
		usleep(100 * 1000);
	}
	if (got_seq != want_seq || got_log != want_log) {
		size_t len;
		uint8_t *log = gt_test_read_file(f->mirror_log, &len);
		fprintf(stderr, "mirror at %lld/%lld, store at %lld/%lld; its log:\n%s\n",
		        (long long)got_seq, (long long)got_log, (long long)want_seq,
		        (long long)want_log, log != NULL ? (char *)log : "");
		free(log);
	}
	assert_int_equal(got_seq, want_seq);
	assert_int_equal(got_log, want_log);
	int status = 0;
	kill(f->mirror, SIGTERM);
	assert_int_equal(waitpid(f->mirror, &status, 0), f->mirror);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	f->mirror = 0;

	/* Every table, row for row. */
	for (size_t d = 0; d < NDUMPS; d++) {
		size_t rows;
		char *want = sqlite_dump(db, dumps[d], &rows);
		char *got = pg_dump(f, dumps[d]);
		if (strcmp(want, got) != 0)
			fprintf(stderr,
			        "table %zu differs:\nsqlite:\n%.2000s\npostgres:\n%.2000s\n", d,
			        want, got);
		assert_string_equal(want, got);
		/* Open-late actions leave report states alone: that table may be empty. */
		if (strstr(dumps[d], "FROM workflow_state") == NULL)
			assert_true(rows > 0);
		free(want);
		free(got);
	}
	/* The mirror was disturbed and resumed (its log says so). */
	size_t len;
	char *log = (char *)gt_test_read_file(f->mirror_log, &len);
	assert_non_null(log);
	int resumed = strstr(log, "reconnecting") != NULL || strstr(log, "retrying") != NULL;
	if (!resumed)
		fprintf(stderr, "the mirror's log:\n%s\n", log);
	assert_true(resumed);
	free(log);

	sqlite3_close(db);
	for (int i = 0; i < 3; i++) {
		gt_session_close(sess[i]);
		gt_key_free(keys[i]);
	}
	assert_int_equal(gt_testserver_stop(&f->ts), 0);
	gt_testserver_teardown(&f->ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(mirror_survives_crashes_and_equals_the_store, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
