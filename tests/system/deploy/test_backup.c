/* Issue 13, backup/restore/verify: a backup taken while 50 clients push holds every batch
 * acknowledged before it began; it restores into a store that verifies; a damaged backup is
 * refused with a reason and changes nothing. The real server on 127.0.0.1, real TLS and keys. */
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "key.h"
#include "session.h"
#include "store.h"
#include "testserver.h"
#include "testutil.h"
#include "wire.h"

#define SERVER_BIN GT_BINARY_DIR "/server/gtsync-server"
#define NCLIENTS   50
/* Each client pushes at most this many batches, for at most LOAD_SECONDS. */
#define MAX_BATCHES  400
#define LOAD_SECONDS 6

static const char *const orgs[] = {"53.71", "53.72", "36.01", "36.71"};

struct fx {
	struct gt_testserver ts;
	struct gt_key *keys[NCLIENTS];
	char key_ids[NCLIENTS][GT_KEY_ID_LEN + 1];
	char backup[4200], restored[4200], out[4200], err[4200];
};

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Runs gtsync-server with args (NULL-terminated), output into f->out and f->err. */
static int server_cmd(struct fx *f, const char *const *args)
{
	char *argv[24];
	int n = 0, status = 0;
	pid_t pid;

	argv[n++] = SERVER_BIN;
	for (int i = 0; args[i] != NULL && n < 22; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(f->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(f->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *slurp(const char *path)
{
	size_t len;
	char *t = (char *)gt_test_read_file(path, &len);
	assert_non_null(t);
	return t;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&f->ts);
	for (int i = 0; i < NCLIENTS; i++) {
		f->keys[i] = gt_testserver_key(&f->ts, orgs[i % 4], "operator");
		gt_key_id(f->keys[i], f->key_ids[i]);
	}
	snprintf(f->backup, sizeof(f->backup), "%s/centre.backup", f->ts.dir);
	snprintf(f->restored, sizeof(f->restored), "%s/restored", f->ts.dir);
	snprintf(f->out, sizeof(f->out), "%s/cmd.out", f->ts.dir);
	snprintf(f->err, sizeof(f->err), "%s/cmd.err", f->ts.dir);
	gt_testserver_start(&f->ts, NULL);
	/* 2024 is past KK's expiry: it is opened for late entry (issue 10 item 13). */
	gt_testserver_open_late(&f->ts, "53.71 53.72 36.01 36.71", "2024");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	gt_testserver_teardown(&f->ts);
	for (int i = 0; i < NCLIENTS; i++)
		gt_key_free(f->keys[i]);
	free(f);
	return 0;
}

/* One client: pushes batches of 4 values with sequence 1, 2, ... and writes "SEQ NS" for each
 * acknowledged one (NS: CLOCK_MONOTONIC when the ack arrived) to its file. */
static void client_main(struct fx *f, int i, const char *path)
{
	FILE *log = fopen(path, "w");
	struct gt_session *s = gt_testserver_session(&f->ts, f->keys[i], NULL);
	int64_t end = mono_ns() + (int64_t)LOAD_SECONDS * 1000000000;
	static const char *const opts[] = {"PD", "AP", "LD", "AL"};

	if (log == NULL || s == NULL)
		_exit(3);
	for (uint64_t seq = 1; seq <= MAX_BATCHES && mono_ns() < end; seq++) {
		gt_batch b = GTSYNC__V1__BATCH__INIT;
		Gtsync__V1__DataValue v[4], *vp[4];
		char vals[4][16], period[8];
		struct gt_test_signed sb;
		gt_envelope *ack;
		int st;

		snprintf(period, sizeof(period), "2024%02d", (int)(seq % 12) + 1);
		for (int k = 0; k < 4; k++) {
			gtsync__v1__data_value__init(&v[k]);
			snprintf(vals[k], sizeof(vals[k]), "%d", i * 1000 + (int)seq);
			v[k].data_element = "KK_KORBAN";
			v[k].category_option_combo = (char *)opts[k];
			v[k].org_unit = (char *)orgs[i % 4];
			v[k].period = period;
			v[k].value = vals[k];
			v[k].revision = seq;
			vp[k] = &v[k];
		}
		b.values = vp;
		b.n_values = 4;
		gt_test_sign_batch(f->keys[i], orgs[i % 4], seq, &b, &sb);
		ack = gt_test_push(s, &sb);
		st = ack->push_ack->status;
		gt_wire_envelope_free(ack);
		free(sb.bytes);
		if (st != GTSYNC__V1__PUSH_STATUS__PUSH_OK &&
		    st != GTSYNC__V1__PUSH_STATUS__PUSH_WARNING)
			_exit(4);
		fprintf(log, "%llu %lld\n", (unsigned long long)seq, (long long)mono_ns());
		fflush(log);
	}
	gt_session_close(s);
	fclose(log);
	_exit(0);
}

/* The (key, sequence) pairs in a store's log. */
struct logset {
	char (*keys)[GT_KEY_ID_LEN + 1];
	uint64_t *seqs;
	size_t n, cap;
};

static int collect(void *arg, const struct gt_store_log_entry *e)
{
	struct logset *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->keys = realloc(l->keys, l->cap * sizeof(*l->keys));
		l->seqs = realloc(l->seqs, l->cap * sizeof(*l->seqs));
		assert_non_null(l->keys);
		assert_non_null(l->seqs);
	}
	snprintf(l->keys[l->n], sizeof(l->keys[l->n]), "%s", e->key_id);
	l->seqs[l->n++] = e->sequence;
	return 0;
}

static void read_log(const char *db, struct logset *l)
{
	struct gt_store *st = NULL;

	memset(l, 0, sizeof(*l));
	assert_int_equal(gt_store_open_readonly(db, &st), 0);
	assert_int_equal(gt_store_log_foreach(st, 0, collect, l), 0);
	gt_store_close(st);
}

static int has(const struct logset *l, const char *key, uint64_t seq)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->seqs[i] == seq && strcmp(l->keys[i], key) == 0)
			return 1;
	return 0;
}

static void backup_under_load(void **state)
{
	struct fx *f = *state;
	pid_t pids[NCLIENTS];
	char path[4300], db[4300], *text;
	int64_t t0;
	size_t acked = 0, before = 0;
	struct logset inbackup, live;

	for (int i = 0; i < NCLIENTS; i++) {
		snprintf(path, sizeof(path), "%s/client-%d.acks", f->ts.dir, i);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			client_main(f, i, path);
	}
	/* Let the load build up, then look at it and back up in the middle of it. */
	usleep(1500 * 1000);
	{
		const char *args[] = {"status", "--data", f->ts.data, NULL};
		assert_int_equal(server_cmd(f, args), 0);
		text = slurp(f->out);
		assert_non_null(strstr(text, "server: running"));
		assert_non_null(strstr(text, "role=operator state=ready"));
		free(text);
	}
	t0 = mono_ns();
	{
		const char *args[] = {"backup", "--data", f->ts.data, "--to", f->backup, NULL};
		assert_int_equal(server_cmd(f, args), 0);
	}
	for (int i = 0; i < NCLIENTS; i++) {
		int status = 0;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	struct stat sb;
	assert_int_equal(stat(f->backup, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	/* Restore into a new data directory, and check what it holds. */
	{
		const char *args[] = {"restore", "--data", f->restored, "--from", f->backup, NULL};
		int rc = server_cmd(f, args);
		if (rc != 0) {
			text = slurp(f->err);
			fail_msg("restore failed: %s", text);
		}
	}
	snprintf(db, sizeof(db), "%s/gtsync.db", f->restored);
	read_log(db, &inbackup);
	assert_int_equal(gt_testserver_stop(&f->ts), 0);
	snprintf(db, sizeof(db), "%s/gtsync.db", f->ts.data);
	read_log(db, &live);
	for (int i = 0; i < NCLIENTS; i++) {
		FILE *in;
		unsigned long long seq;
		long long ns;

		snprintf(path, sizeof(path), "%s/client-%d.acks", f->ts.dir, i);
		in = fopen(path, "r");
		assert_non_null(in);
		while (fscanf(in, "%llu %lld", &seq, &ns) == 2) {
			acked++;
			if (!has(&live, f->key_ids[i], seq))
				fail_msg("acknowledged batch %s/%llu is not in the live store",
				         f->key_ids[i], seq);
			if (ns < t0) {
				before++;
				if (!has(&inbackup, f->key_ids[i], seq))
					fail_msg("batch %s/%llu was acknowledged before the backup "
					         "began but is not in it",
					         f->key_ids[i], seq);
			}
		}
		fclose(in);
	}
	print_message("acknowledged %zu batches; %zu before the backup began, all in it; the "
	              "backup holds %zu, the live store %zu\n",
	              acked, before, inbackup.n, live.n);
	/* The backup was taken during the load, not before or after it. */
	assert_true(before > 0);
	assert_true(inbackup.n < live.n);
	free(inbackup.keys);
	free(inbackup.seqs);
	free(live.keys);
	free(live.seqs);

	/* The restored store and the backup file verify; the restored one serves. */
	{
		const char *a1[] = {"verify", "--data", f->restored, NULL};
		const char *a2[] = {"verify", "--file", f->backup, NULL};
		assert_int_equal(server_cmd(f, a1), 0);
		text = slurp(f->out);
		assert_non_null(strstr(text, "every derived table equals the stored one"));
		assert_non_null(strstr(text, "the tree agrees with the log"));
		free(text);
		assert_int_equal(server_cmd(f, a2), 0);
	}
	/* The carried keys: the restored centre has the same TLS certificate (clients' pins). */
	{
		char a[4300], b[4300];
		size_t la, lb;
		uint8_t *ca, *cb;

		snprintf(a, sizeof(a), "%s/tls-cert.pem", f->ts.data);
		snprintf(b, sizeof(b), "%s/tls-cert.pem", f->restored);
		ca = gt_test_read_file(a, &la);
		cb = gt_test_read_file(b, &lb);
		assert_non_null(ca);
		assert_non_null(cb);
		assert_int_equal(la, lb);
		assert_memory_equal(ca, cb, la);
		free(ca);
		free(cb);
		snprintf(b, sizeof(b), "%s/signing-key.pem", f->restored);
		assert_int_equal(stat(b, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
	/* Issue 14: a node of the transparency log changed behind the store's back: verify
	 * names it and exits 1, and rebuild refuses to go on (the tables stay as they were). */
	{
		const char *v[] = {"verify", "--data", f->restored, NULL};
		const char *r[] = {"rebuild", "--data", f->restored, NULL};
		char cmd[9000];

		snprintf(cmd, sizeof(cmd),
		         "sqlite3 '%s/gtsync.db' \"UPDATE log_tree SET hash = zeroblob(32) "
		         "WHERE id = 65\"",
		         f->restored);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(server_cmd(f, v), 1);
		text = slurp(f->err);
		if (strstr(text, "transparency log: tree node 1/0 differs") == NULL)
			fail_msg("verify of a tampered tree: %s", text);
		free(text);
		assert_int_equal(server_cmd(f, r), 1);
		text = slurp(f->err);
		if (strstr(text, "does not agree with the batch log") == NULL)
			fail_msg("rebuild over a tampered tree: %s", text);
		free(text);
	}
}

/* Writes a copy of the backup with len bytes at off replaced by junk. */
static void damaged_copy(struct fx *f, const char *to, long off, size_t len, long truncate_at)
{
	size_t n;
	uint8_t *data = gt_test_read_file(f->backup, &n);
	FILE *out;

	assert_non_null(data);
	for (size_t i = 0; i < len && (size_t)off + i < n; i++)
		data[off + (long)i] ^= 0x5a;
	if (truncate_at > 0)
		n = (size_t)truncate_at;
	out = fopen(to, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(data, 1, n, out), n);
	fclose(out);
	free(data);
}

/* The first logged batch's bytes, to find them in the backup file. */
static int first_batch(void *arg, const struct gt_store_log_entry *e)
{
	uint8_t **copy = arg;
	copy[0] = malloc(e->len);
	memcpy(copy[0], e->batch, e->len);
	copy[1] = (uint8_t *)(uintptr_t)e->len;
	return 1;
}

static void refused(struct fx *f, const char *file, const char *why)
{
	char dir[4300], *text;
	struct stat sb;

	snprintf(dir, sizeof(dir), "%s/never", f->ts.dir);
	const char *args[] = {"restore", "--data", dir, "--from", file, NULL};
	assert_int_equal(server_cmd(f, args), 1);
	text = slurp(f->err);
	if (strstr(text, "is not a usable backup") == NULL || strstr(text, why) == NULL ||
	    strstr(text, "nothing was changed") == NULL)
		fail_msg("restore of %s: expected a refusal naming \"%s\", got: %s", file, why,
		         text);
	free(text);
	/* Nothing was created. */
	assert_int_not_equal(stat(dir, &sb), 0);
}

static void damaged_backups_refused(void **state)
{
	struct fx *f = *state;
	char bad[4300], db[4300];
	uint8_t *batch[2] = {0};
	struct gt_store *st = NULL;
	struct gt_test_signed sb;
	gt_envelope *ack;
	struct gt_session *s;
	size_t n;
	uint8_t *data;

	/* A few batches, then a backup. */
	s = gt_testserver_session(&f->ts, f->keys[0], NULL);
	assert_non_null(s);
	for (uint64_t seq = 1; seq <= 3; seq++) {
		gt_batch b = GTSYNC__V1__BATCH__INIT;
		Gtsync__V1__DataValue v = GTSYNC__V1__DATA_VALUE__INIT, *vp = &v;
		v.data_element = "KK_KORBAN";
		v.category_option_combo = "PD";
		v.org_unit = (char *)orgs[0];
		v.period = "202401";
		v.value = "7";
		v.revision = seq;
		b.values = &vp;
		b.n_values = 1;
		gt_test_sign_batch(f->keys[0], orgs[0], seq, &b, &sb);
		ack = gt_test_push(s, &sb);
		gt_wire_envelope_free(ack);
		free(sb.bytes);
	}
	gt_session_close(s);
	const char *args[] = {"backup", "--data", f->ts.data, "--to", f->backup, NULL};
	assert_int_equal(server_cmd(f, args), 0);
	/* A second backup to the same name is refused: backups are never overwritten. */
	assert_int_equal(server_cmd(f, args), 1);

	/* Cut short. */
	snprintf(bad, sizeof(bad), "%s/short.backup", f->ts.dir);
	damaged_copy(f, bad, 0, 0, 20000);
	refused(f, bad, "integrity");
	/* Not a database at all (its header overwritten). */
	snprintf(bad, sizeof(bad), "%s/header.backup", f->ts.dir);
	damaged_copy(f, bad, 0, 64, 0);
	refused(f, bad, "backup");
	/* One byte of a signed batch changed: the b-tree is intact, the log is not. */
	snprintf(db, sizeof(db), "%s/gtsync.db", f->ts.data);
	assert_int_equal(gt_store_open_readonly(db, &st), 0);
	gt_store_log_foreach(st, 0, first_batch, batch);
	gt_store_close(st);
	assert_non_null(batch[0]);
	data = gt_test_read_file(f->backup, &n);
	assert_non_null(data);
	uint8_t *hit = memmem(data, n, batch[0], (size_t)(uintptr_t)batch[1]);
	assert_non_null(hit);
	snprintf(bad, sizeof(bad), "%s/flipped.backup", f->ts.dir);
	damaged_copy(f, bad, (long)(hit - data) + (long)(uintptr_t)batch[1] / 2, 1, 0);
	refused(f, bad, "do not match the recorded hash");
	/* verify --file says the same, and exits 1. */
	const char *v[] = {"verify", "--file", bad, NULL};
	assert_int_equal(server_cmd(f, v), 1);

	/* A derived table changed behind the log's back (the file and the log intact): verify's
	 * rebuild in memory finds the table that differs, and restore refuses the file. */
	char cmd[20000], *text;
	snprintf(bad, sizeof(bad), "%s/tampered.backup", f->ts.dir);
	snprintf(cmd, sizeof(cmd),
	         "cp '%s' '%s' && sqlite3 '%s' \"UPDATE datavalues SET value = '999', num = 999\"",
	         f->backup, bad, bad);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(server_cmd(f, v), 1);
	text = slurp(f->err);
	if (strstr(text, "table datavalues differs from a rebuild") == NULL)
		fail_msg("verify of a tampered table: %s", text);
	free(text);
	refused(f, bad, "does not verify");
	free(data);
	free(batch[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(backup_under_load, setup, teardown),
	    cmocka_unit_test_setup_teardown(damaged_backups_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
