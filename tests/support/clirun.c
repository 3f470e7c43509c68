/* Runs the real gtsync binary for integration tests: arguments, home, environment, output. */
#define _GNU_SOURCE
#include "clirun.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cstore.h"
#include "key.h"
#include "store.h"
#include "testutil.h"
#include "vec.h"

#define CLIENT_BIN GT_BINARY_DIR "/client/gtsync"

static void die(const char *what)
{
	fprintf(stderr, "clirun: %s: %s\n", what, strerror(errno));
	abort();
}

static pid_t spawn(const char *outp, const char *errp, const char *home, const char *const *env,
                   const char *const *args)
{
	char *argv[64];
	int n = 0;
	pid_t pid;

	argv[n++] = CLIENT_BIN;
	for (int i = 0; args[i] != NULL && n < 62; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o < 0 || e < 0)
			_exit(126);
		/* No terminal on stdin: a run never waits for a person (gtsync init asks for
		 * the language only at a terminal). */
		int in = open("/dev/null", O_RDONLY);
		if (in >= 0) {
			dup2(in, 0);
			close(in);
		}
		dup2(o, 1);
		dup2(e, 2);
		close(o);
		close(e);
		if (home != NULL)
			setenv("GTSYNC_HOME", home, 1);
		else
			unsetenv("GTSYNC_HOME");
		/* English unless the test asks for another language: the client speaks Indonesian
		 * by default, and most tests match its English text. */
		setenv("LANGUAGE", "", 1);
		unsetenv("LC_ALL");
		unsetenv("LC_MESSAGES");
		setenv("LANG", "en_US.UTF-8", 1);
		for (int i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static char *slurp(const char *path)
{
	size_t len;
	uint8_t *t = gt_test_read_file(path, &len);
	if (t == NULL)
		return strdup("");
	return (char *)t;
}

/* Waits for pid up to timeout_s seconds, then kills it. Returns the status as documented. */
static int wait_bounded(pid_t pid, unsigned timeout_s)
{
	int status = 0;

	for (unsigned i = 0; i < timeout_s * 50u; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (r < 0 && errno != EINTR)
			die("waitpid");
		usleep(20 * 1000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	fprintf(stderr, "clirun: a gtsync run took longer than %u s and was killed\n", timeout_s);
	return 128 + SIGKILL;
}

static void make_file(char *path, size_t len, const char *dir, const char *suffix)
{
	int fd;
	snprintf(path, len, "%s/run-XXXXXX%s", dir, suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	if (fd < 0)
		die("mkstemps");
	close(fd);
}

void gt_clirun_spawn(struct gt_clirun_bg *bg, const char *dir, const char *home,
                     const char *const *env, const char *const *args)
{
	make_file(bg->out, sizeof(bg->out), dir, ".out");
	make_file(bg->err, sizeof(bg->err), dir, ".err");
	bg->pid = spawn(bg->out, bg->err, home, env, args);
}

void gt_clirun_wait(struct gt_clirun *r, struct gt_clirun_bg *bg, unsigned timeout_s)
{
	memset(r, 0, sizeof(*r));
	r->status = wait_bounded(bg->pid, timeout_s);
	bg->pid = 0;
	r->out = slurp(bg->out);
	r->err = slurp(bg->err);
	unlink(bg->out);
	unlink(bg->err);
}

void gt_clirun(struct gt_clirun *r, const char *home, const char *const *env, unsigned timeout_s,
               const char *const *args)
{
	char *dir = gt_test_tmpdir("run");
	char outp[GT_PATH_MAX], errp[GT_PATH_MAX];
	pid_t pid;

	memset(r, 0, sizeof(*r));
	snprintf(outp, sizeof(outp), "%s/out", dir);
	snprintf(errp, sizeof(errp), "%s/err", dir);
	pid = spawn(outp, errp, home, env, args);
	r->status = wait_bounded(pid, timeout_s);
	r->out = slurp(outp);
	r->err = slurp(errp);
	gt_test_rmtree(dir);
	free(dir);
}

void gt_clirun_ok(struct gt_clirun *r, const char *home, const char *const *args,
                  unsigned timeout_s)
{
	struct gt_clirun mine;

	if (r == NULL)
		r = &mine;
	gt_clirun(r, home, NULL, timeout_s, args);
	if (r->status != 0)
		fail_msg("gtsync %s %s exited %d:\n%s%s", args[0],
		         args[0] && args[1] ? args[1] : "", r->status, r->out, r->err);
	if (r == &mine)
		gt_clirun_free(r);
}

void gt_clirun_free(struct gt_clirun *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

const char *gt_clirun_kv(const char *out, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	const char *p = out;

	buf[0] = '\0';
	while (p != NULL && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t n = strcspn(v, "\n");
			if (n >= len)
				n = len - 1;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return buf;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return buf;
}

long long gt_clirun_kv_num(const char *out, const char *key)
{
	char buf[64];
	gt_clirun_kv(out, key, buf, sizeof(buf));
	return buf[0] ? atoll(buf) : -1;
}

void gt_clirun_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		die(path);
}

void gt_clirun_client(struct gt_testserver *ts, const char *name, const char *org, const char *role,
                      char *home, size_t len)
{
	struct gt_clirun r;
	char pub[4300];

	snprintf(home, len, "%s/%s", ts->dir, name);
	const char *init[] = {"init",  "--home", home,   "--server", ts->addr,
	                      "--org", org,      "--ca", ts->cert,   NULL};
	gt_clirun(&r, NULL, NULL, 30, init);
	if (r.status != 0) {
		fprintf(stderr, "%s%s", r.out, r.err);
		die("gtsync init failed");
	}
	gt_clirun_free(&r);
	snprintf(pub, sizeof(pub), "%s/key.pub", home);
	const char *add[] = {"key", "add",           "--org", org, "--role",
	                     role,  "--pubkey-file", pub,     NULL};
	if (gt_testserver_admin(ts, add) != 0)
		die("key add failed");
	const char *md[] = {"metadata", "pull", NULL};
	gt_clirun(&r, home, NULL, 30, md);
	if (r.status != 0) {
		fprintf(stderr, "%s%s", r.out, r.err);
		die("gtsync metadata pull failed");
	}
	gt_clirun_free(&r);
}

/* ---- What the server and a client store hold ---- */

static void add_line(struct gt_clirun_values *v, const char *ou, const char *de, const char *pe,
                     const char *coc, const char *value, const char *comment, uint64_t rev,
                     int deleted)
{
	char *line;

	if (GT_VEC_RESERVE(v->lines, v->cap, v->n + 1) != 0 ||
	    asprintf(&line, "%s|%s|%s|%s|%s|%s|%llu|%d", ou, de, pe, coc, value, comment,
	             (unsigned long long)rev, deleted) < 0)
		die("out of memory");
	v->lines[v->n++] = line;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void gt_clirun_server_values(struct gt_testserver *ts, const char *root,
                             struct gt_clirun_values *out)
{
	struct gt_store *st = NULL;
	char db[GT_PATH_MAX];
	uint64_t cursor = 0;

	memset(out, 0, sizeof(*out));
	snprintf(db, sizeof(db), "%s/gtsync.db", ts->data);
	if (gt_store_open_readonly(db, &st) != 0)
		die("cannot open the server store");
	for (;;) {
		struct gt_store_pull_out po;
		if (gt_store_pull(st, root, cursor, 0, NULL, &po) != 0)
			die("cannot read the server store");
		for (size_t i = 0; i < po.n_values; i++) {
			const struct gt_store_value *v = &po.values[i];
			add_line(out, v->org_unit, v->data_element, v->period, v->coc, v->value,
			         v->comment, v->revision, v->deleted);
		}
		cursor = po.next_cursor;
		int more = po.more;
		gt_store_pull_free(&po);
		if (!more)
			break;
	}
	gt_store_close(st);
	qsort(out->lines, out->n, sizeof(*out->lines), cmp_line);
}

static int on_replica(void *arg, const struct gt_cstore_replica_value *v)
{
	add_line(arg, v->org_unit, v->data_element, v->period, v->coc, v->value, v->comment,
	         v->revision, v->deleted);
	return 0;
}

void gt_clirun_replica_values(const char *home, const char *root, struct gt_clirun_values *out)
{
	struct gt_cstore *st = NULL;
	char db[GT_PATH_MAX];

	memset(out, 0, sizeof(*out));
	snprintf(db, sizeof(db), "%s/client.db", home);
	if (gt_cstore_open(db, &st) != 0 || gt_cstore_replica_foreach(st, root, on_replica, out))
		die("cannot read the client replica");
	gt_cstore_close(st);
	qsort(out->lines, out->n, sizeof(*out->lines), cmp_line);
}

struct count_key {
	const char *key_id;
	unsigned long n;
};

static int on_log(void *arg, const struct gt_store_log_entry *e)
{
	struct count_key *c = arg;
	if (strcmp(e->key_id, c->key_id) == 0)
		c->n++;
	return 0;
}

unsigned long gt_clirun_server_batches(struct gt_testserver *ts, const char *key_id)
{
	struct gt_store *st = NULL;
	struct count_key c = {key_id, 0};
	char db[GT_PATH_MAX];

	snprintf(db, sizeof(db), "%s/gtsync.db", ts->data);
	if (gt_store_open_readonly(db, &st) != 0 || gt_store_log_foreach(st, 0, on_log, &c) != 0)
		die("cannot read the server's batch log");
	gt_store_close(st);
	return c.n;
}

void gt_clirun_values_free(struct gt_clirun_values *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->lines[i]);
	free(v->lines);
	memset(v, 0, sizeof(*v));
}

void gt_clirun_key_id(const char *home, char *out, size_t len)
{
	uint8_t pub[GT_ED25519_PUB_LEN];
	char path[GT_PATH_MAX], id[GT_KEY_ID_LEN + 1];

	snprintf(path, sizeof(path), "%s/key.pub", home);
	if (gt_key_load_public(path, pub) != 0 || gt_key_id_from_public(pub, id) != 0)
		die("cannot read the home's public key");
	snprintf(out, len, "%s", id);
}

int gt_clirun_server_setup(void **state)
{
	struct gt_testserver *ts = calloc(1, sizeof(*ts));
	if (ts == NULL)
		return -1;
	gt_testserver_setup(ts);
	gt_testserver_start(ts, NULL);
	/* The tests' figures are of 2024 to 2026, past the data sets' expiry: the secretariat
	 * opens every unit for late entry, the chain's signed path for historical entry. */
	gt_testserver_open_late(ts, "ID 53 53.71 53.72 36 36.01 36.71", "2024 2025 2026");
	*state = ts;
	return 0;
}

int gt_clirun_server_teardown(void **state)
{
	struct gt_testserver *ts = *state;
	if (ts == NULL)
		return 0;
	gt_testserver_teardown(ts);
	free(ts);
	*state = NULL;
	return 0;
}

int gt_clirun_fx_teardown(struct gt_testserver *ts, void *fx)
{
	void *state = ts;

	gt_clirun_server_teardown(&state);
	free(fx);
	return 0;
}

void gt_clirun_says(const char *home, int want, const char *needle, const char *const *args)
{
	struct gt_clirun r;

	gt_clirun(&r, home, NULL, 60, args);
	if (r.status != want || (strstr(r.out, needle) == NULL && strstr(r.err, needle) == NULL))
		fail_msg("gtsync %s: exit %d (expected %d), expected '%s' in:\n%s%s", args[0],
		         r.status, want, needle, r.out, r.err);
	gt_clirun_free(&r);
}
