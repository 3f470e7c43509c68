/* Starts the real gtsync-server binary on 127.0.0.1 for integration tests, with keys. */
#define _GNU_SOURCE
#include "testserver.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "crypto.h"
#include "encode.h"
#include "metadata.h"
#include "orgunit.h"
#include "period.h"
#include "testutil.h"

extern char **environ;

#define SERVER_BIN GT_BINARY_DIR "/server/gtsync-server"

static const char orgunits_csv[] = "code,name,level\n"
                                   "53,Nusa Tenggara Timur,province\n"
                                   "53.71,Kota Kupang,district\n"
                                   "53.72,Kabupaten Kupang (test),district\n"
                                   "36,Banten,province\n"
                                   "36.01,Kabupaten Pandeglang,district\n"
                                   "36.71,Kota Tangerang,district\n";

static void die(const char *what)
{
	fprintf(stderr, "testserver: %s\n", what);
	abort();
}

/* Runs argv with stdout/stderr appended to log; returns the exit status. */
static int run_cmd(const char *log, char *const argv[])
{
	pid_t pid = fork();
	int status = 0;

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int gt_testserver_admin(struct gt_testserver *ts, const char *const *args)
{
	char *argv[32];
	int n = 0;
	char admin_log[GT_PATH_MAX];

	snprintf(admin_log, sizeof(admin_log), "%s/admin.log", ts->dir);
	argv[n++] = SERVER_BIN;
	for (; args[n - 1] != NULL && n < 28; n++)
		argv[n] = (char *)args[n - 1];
	argv[n++] = "--data";
	argv[n++] = ts->data;
	argv[n] = NULL;
	return run_cmd(admin_log, argv);
}

void gt_testserver_setup(struct gt_testserver *ts)
{
	char csv[GT_PATH_MAX];
	FILE *f;

	memset(ts, 0, sizeof(*ts));
	ts->dir = gt_test_tmpdir("srv");
	if (strlen(ts->dir) > 1024)
		die("temp dir path too long");
	snprintf(ts->data, sizeof(ts->data), "%s/data", ts->dir);
	snprintf(ts->cert, sizeof(ts->cert), "%s/tls-cert.pem", ts->data);
	snprintf(ts->log, sizeof(ts->log), "%s/server.log", ts->dir);
	snprintf(csv, sizeof(csv), "%s/orgunits.csv", ts->dir);
	f = fopen(csv, "w");
	if (f == NULL || fputs(orgunits_csv, f) < 0 || fclose(f) != 0)
		die("cannot write the org-unit CSV");
	const char *init[] = {"init", NULL};
	const char *imp[] = {"orgunits", "import", csv, NULL};
	const char *md[] = {"metadata", "load", GT_SOURCE_DIR "/metadata", NULL};
	if (gt_testserver_admin(ts, init) != 0 || gt_testserver_admin(ts, imp) != 0 ||
	    gt_testserver_admin(ts, md) != 0)
		die("server set-up failed; see admin.log in the test's temp dir");
}

void gt_testserver_import(struct gt_testserver *ts, const char *csv_text)
{
	char csv[GT_PATH_MAX];
	FILE *f;

	snprintf(csv, sizeof(csv), "%s/more-orgunits.csv", ts->dir);
	f = fopen(csv, "w");
	if (f == NULL || fputs(csv_text, f) < 0 || fclose(f) != 0)
		die("cannot write the org-unit CSV");
	const char *imp[] = {"orgunits", "import", csv, NULL};
	if (gt_testserver_admin(ts, imp) != 0)
		die("org-unit import failed; see admin.log");
}

struct gt_key *gt_testserver_key(struct gt_testserver *ts, const char *org, const char *role)
{
	struct gt_key *k = NULL;
	char b64[GT_KEY_PUB_B64_LEN + 1];

	if (gt_key_generate(&k) != 0 || gt_key_public_b64(k, b64) != 0)
		die("key generation");
	const char *args[] = {"key", "add", "--org", org, "--role", role, "--pubkey", b64, NULL};
	if (gt_testserver_admin(ts, args) != 0)
		die("key add failed");
	return k;
}

static int find_port(const char *log)
{
	size_t len;
	uint8_t *text = gt_test_read_file(log, &len);
	const char *p;
	int port = 0;

	if (text == NULL)
		return 0;
	p = strstr((const char *)text, "listening addr=127.0.0.1:");
	if (p != NULL)
		port = atoi(p + strlen("listening addr=127.0.0.1:"));
	free(text);
	return port;
}

void gt_testserver_start(struct gt_testserver *ts, const char *const *extra)
{
	char *argv[48];
	int n = 0;

	char *wrap = NULL;
	if (truncate(ts->log, 0) != 0 && errno != ENOENT)
		die("cannot reset the server log");
	/* An optional wrapper (a test hook or valgrind from GT_TEST_SERVER_WRAPPER). */
	const char *w = ts->wrapper ? ts->wrapper : getenv("GT_TEST_SERVER_WRAPPER");
	if (w != NULL && *w != '\0') {
		wrap = strdup(w);
		char *save = NULL;
		for (char *t = strtok_r(wrap, " ", &save); t && n < 16;
		     t = strtok_r(NULL, " ", &save))
			argv[n++] = t;
	}
	argv[n++] = SERVER_BIN;
	argv[n++] = "run";
	argv[n++] = "--data";
	argv[n++] = ts->data;
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	for (int i = 0; extra != NULL && extra[i] != NULL && n < 46; i++)
		argv[n++] = (char *)extra[i];
	argv[n] = NULL;
	ts->pid = fork();
	if (ts->pid < 0)
		die("fork");
	if (ts->pid == 0) {
		int fd = open(ts->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	free(wrap);
	/* Bounded wait for the listening line: 60 s (valgrind starts slowly). */
	for (int i = 0; i < 1200; i++) {
		if ((ts->port = find_port(ts->log)) > 0)
			break;
		if (!gt_testserver_alive(ts))
			die("the server exited during start-up; see server.log");
		usleep(50 * 1000);
	}
	if (ts->port <= 0)
		die("the server did not start listening");
	snprintf(ts->addr, sizeof(ts->addr), "127.0.0.1:%d", ts->port);
}

int gt_testserver_alive(struct gt_testserver *ts)
{
	int status;
	if (ts->pid <= 0)
		return 0;
	if (waitpid(ts->pid, &status, WNOHANG) == ts->pid) {
		ts->pid = 0;
		return 0;
	}
	return 1;
}

int gt_testserver_stop(struct gt_testserver *ts)
{
	int status = 0;

	if (ts->pid <= 0)
		return -1;
	kill(ts->pid, SIGTERM);
	/* Bounded: 15 s, then SIGKILL. */
	for (int i = 0; i < 300; i++) {
		if (waitpid(ts->pid, &status, WNOHANG) == ts->pid) {
			ts->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		usleep(50 * 1000);
	}
	gt_testserver_kill(ts);
	return -1;
}

void gt_testserver_tamper(struct gt_testserver *ts, const char *sql, void (*fn)(sqlite3 *db))
{
	char path[GT_PATH_MAX], listen[64];
	const char *again[] = {"--listen", listen, NULL};
	sqlite3 *db = NULL;
	char *msg = NULL;

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", ts->port);
	if (gt_testserver_stop(ts) != 0)
		die("tamper: the server did not stop cleanly");
	snprintf(path, sizeof(path), "%s/gtsync.db", ts->data);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("tamper: cannot open the server's store");
	if (sql != NULL && sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "tampering: %s\n", msg != NULL ? msg : "?");
		die("tamper: the SQL failed");
	}
	if (fn != NULL)
		fn(db);
	if (sqlite3_changes(db) <= 0)
		die("tamper: nothing was changed");
	sqlite3_close(db);
	gt_testserver_start(ts, again);
}

void gt_testserver_kill(struct gt_testserver *ts)
{
	int status;
	if (ts->pid <= 0)
		return;
	kill(ts->pid, SIGKILL);
	waitpid(ts->pid, &status, 0);
	ts->pid = 0;
}

int gt_testserver_log_count(struct gt_testserver *ts, const char *needle)
{
	size_t len;
	uint8_t *text = gt_test_read_file(ts->log, &len);
	int n = 0;

	if (text == NULL)
		return 0;
	for (const char *p = (const char *)text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(text);
	return n;
}

void gt_testserver_teardown(struct gt_testserver *ts)
{
	if (ts->pid > 0)
		gt_testserver_stop(ts);
	if (getenv("GT_TEST_KEEP") == NULL)
		gt_test_rmtree(ts->dir);
	free(ts->dir);
	ts->dir = NULL;
}

struct gt_session *gt_testserver_session(struct gt_testserver *ts, const struct gt_key *k,
                                         struct gt_session_err *err)
{
	struct gt_session_opts o = {
	    .server = ts->addr, .ca_path = ts->cert, .key = k, .timeout_ms = 20000};
	struct gt_session *s = NULL;
	struct gt_session_err e;

	if (gt_session_open(&o, &s, NULL, err ? err : &e) != 0)
		return NULL;
	return s;
}

void gt_test_sign_batch(const struct gt_key *k, const char *org, uint64_t seq, gt_batch *b,
                        struct gt_test_signed *out)
{
	uint8_t id[GT_BATCH_ID_LEN];
	char key_id[GT_KEY_ID_LEN + 1];

	if (gt_key_id(k, key_id) != 0 || gt_crypto_random(id, sizeof(id)) != 0)
		die("key id or randomness");
	b->format_version = 1;
	b->batch_id.data = id;
	b->batch_id.len = sizeof(id);
	b->key_id = key_id;
	b->org_unit = (char *)org;
	b->sequence = seq;
	if (gt_wire_batch_pack(b, &out->bytes, &out->len) != 0 ||
	    gt_key_sign(k, out->bytes, out->len, out->sig) != 0)
		die("batch pack or sign");
	/* The header pointed at this frame's storage. */
	b->batch_id.data = NULL;
	b->key_id = NULL;
}

/* Sends sb as a PushRequest on s: gt_session_call()'s result, the reply in *reply. */
static int push_call(struct gt_session *s, const struct gt_test_signed *sb, gt_envelope **reply,
                     struct gt_session_err *err)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__PushRequest pr = GTSYNC__V1__PUSH_REQUEST__INIT;

	pr.batch.data = sb->bytes;
	pr.batch.len = sb->len;
	pr.signature.data = (uint8_t *)sb->sig;
	pr.signature.len = sizeof(sb->sig);
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PUSH;
	env.push = &pr;
	return gt_session_call(s, &env, reply, err);
}

gt_envelope *gt_test_push(struct gt_session *s, const struct gt_test_signed *sb)
{
	gt_envelope *reply = NULL;
	struct gt_session_err err;

	if (push_call(s, sb, &reply, &err) != 0) {
		fprintf(stderr, "testserver: push failed: %s\n", err.message);
		abort();
	}
	if (reply->body_case != GTSYNC__V1__ENVELOPE__BODY_PUSH_ACK)
		die("push answered with something else than an ack");
	return reply;
}

int gt_test_push_try(struct gt_session *s, const struct gt_test_signed *sb)
{
	gt_envelope *reply = NULL;
	struct gt_session_err err;
	int st;

	if (push_call(s, sb, &reply, &err) != 0)
		return -1;
	st = reply->body_case == GTSYNC__V1__ENVELOPE__BODY_PUSH_ACK ? (int)reply->push_ack->status
	                                                             : -1;
	gt_wire_envelope_free(reply);
	return st == GTSYNC__V1__PUSH_STATUS__PUSH_OK ||
	       st == GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE;
}

uint64_t gt_test_push_value(struct gt_session *s, const struct gt_key *k, const char *org,
                            uint64_t seq, const char *period, const char *value,
                            struct gt_test_signed *sb)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue v = GTSYNC__V1__DATA_VALUE__INIT, *vp = &v;
	struct gt_test_signed mine;
	gt_envelope *ack;
	uint64_t size;

	v.data_element = "KK_KORBAN";
	v.category_option_combo = "PD";
	v.org_unit = (char *)org;
	v.period = (char *)period;
	v.value = (char *)value;
	v.revision = seq;
	b.values = &vp;
	b.n_values = 1;
	gt_test_sign_batch(k, org, seq, &b, &mine);
	ack = gt_test_push(s, &mine);
	if (ack->push_ack->status != GTSYNC__V1__PUSH_STATUS__PUSH_OK)
		die("the value was not stored");
	size = ack->push_ack->tree_size;
	gt_wire_envelope_free(ack);
	if (sb != NULL)
		*sb = mine;
	else
		free(mine.bytes);
	return size;
}

void gt_testserver_signing_pub(const struct gt_testserver *ts, uint8_t pub[GT_ED25519_PUB_LEN])
{
	struct gt_key *sk = NULL;
	char path[4200];

	snprintf(path, sizeof(path), "%s/signing-key.pem", ts->data);
	if (gt_key_load(path, &sk) != 0 || gt_key_public(sk, pub) != 0)
		die("reading the server's signing key");
	gt_key_free(sk);
}

void gt_testserver_open_late(struct gt_testserver *ts, const char *orgs, const char *periods)
{
	struct gt_meta *m = NULL;
	struct gt_key *k = gt_testserver_key(ts, GT_ORGUNIT_ROOT, "secretariat");
	Gtsync__V1__WorkflowAction *wa = calloc(5000, sizeof(*wa));
	Gtsync__V1__WorkflowAction **wap = calloc(5000, sizeof(*wap));
	char olist[512], *plist = NULL, *os = NULL, until[16];
	struct gt_date d;
	uint64_t seq = 0;
	size_t n = 0;

	if (wa == NULL || wap == NULL ||
	    gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &m, NULL) != 0 ||
	    gt_date_from_days(gt_clock_wall_ms() / 86400000 + 90, &d) != 0 ||
	    gt_date_format(&d, until, sizeof(until)) != 0)
		die("metadata or date");
	snprintf(olist, sizeof(olist), "%s", orgs);
	for (char *o = strtok_r(olist, " ", &os); o != NULL; o = strtok_r(NULL, " ", &os)) {
		char *ps = NULL;
		free(plist);
		if ((plist = strdup(periods)) == NULL)
			die("out of memory");
		for (char *p = strtok_r(plist, " ", &ps); p != NULL; p = strtok_r(NULL, " ", &ps)) {
			for (size_t i = 0; i < m->ndatasets && n < 5000; i++) {
				if (!gt_meta_dataset_reports_at(m->datasets[i],
				                                gt_orgunit_level(o)))
					continue;
				gtsync__v1__workflow_action__init(&wa[n]);
				wa[n].kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE;
				wa[n].dataset = strdup(m->datasets[i]->code);
				wa[n].period = strdup(p);
				wa[n].org_unit = strdup(o);
				wa[n].reason = "the test enters past periods";
				wa[n].open_until = until;
				wap[n] = &wa[n];
				n++;
			}
		}
	}
	/* Up to 100 actions a batch. */
	for (size_t first = 0; first < n; first += 100) {
		gt_batch b = GTSYNC__V1__BATCH__INIT;
		struct gt_test_signed sb;
		struct gt_session *s = gt_testserver_session(ts, k, NULL);

		if (s == NULL)
			die("session for late entry");
		b.actions = &wap[first];
		b.n_actions = n - first < 100 ? n - first : 100;
		gt_test_sign_batch(k, GT_ORGUNIT_ROOT, ++seq, &b, &sb);
		gt_envelope *ack = gt_test_push(s, &sb);
		if (ack->push_ack->status != GTSYNC__V1__PUSH_STATUS__PUSH_OK) {
			fprintf(stderr, "testserver: late entry: %s\n",
			        ack->push_ack->n_conflicts ? ack->push_ack->conflicts[0]->message
			                                   : ack->push_ack->message);
			abort();
		}
		gt_wire_envelope_free(ack);
		free(sb.bytes);
		gt_session_close(s);
	}
	for (size_t i = 0; i < n; i++) {
		free(wa[i].dataset);
		free(wa[i].period);
		free(wa[i].org_unit);
	}
	free(plist);
	free(wa);
	free(wap);
	gt_key_free(k);
	gt_meta_free(m);
}

int gt_testserver_run_briefly(struct gt_testserver *ts)
{
	char log[GT_PATH_MAX];
	char *argv[] = {"timeout",  "10",          GT_BINARY_DIR "/server/gtsync-server",
	                "run",      "--data",      ts->data,
	                "--listen", "127.0.0.1:0", NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;

	snprintf(log, sizeof(log), "%s/run.log", ts->dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawnp(&pid, "timeout", &fa, NULL, argv, environ) != 0)
		die("spawning gtsync-server run");
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) != pid)
		die("waiting for gtsync-server run");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
