/* PostgreSQL baseline: the load generator's rows as batched INSERT ... ON CONFLICT over libpq. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include <libpq-fe.h>

#include "benchdata.h"
#include "buf.h"
#include "cli.h"
#include "crypto.h"
#include "error.h"

#define PROG         "pg_load"
#define MAX_PRINTED  10
#define MAX_CLIENTS  5000u
#define MAX_INFLIGHT 1024u
#define MAX_BATCHES  1000000u

/* The table: the store's datavalues without the change counter; the key is the value key. */
static const char create_sql[] =
    "CREATE TABLE IF NOT EXISTS datavalues("
    " data_element text NOT NULL, period text NOT NULL, org_unit text NOT NULL,"
    " coc text NOT NULL, value text NOT NULL, comment text NOT NULL, revision bigint NOT NULL,"
    " deleted boolean NOT NULL, num double precision, origin_batch bytea NOT NULL,"
    " created_at_ms bigint NOT NULL, updated_at_ms bigint NOT NULL,"
    " PRIMARY KEY(data_element, period, org_unit, coc))";

/* One batch is one statement, in its own transaction: the rows come as arrays. The merge rule
 * is the store's: a higher revision wins, ties go to the larger batch hash. */
static const char upsert_sql[] =
    "INSERT INTO datavalues(data_element, period, org_unit, coc, value, comment, revision, "
    "deleted, num, origin_batch, created_at_ms, updated_at_ms) "
    "SELECT de, pe, $3, co, va, '', $6, false, nu, $7, $8, $8 "
    "FROM unnest($1::text[], $2::text[], $4::text[], $5::text[], $9::float8[]) "
    "AS t(de, pe, co, va, nu) "
    "ON CONFLICT (data_element, period, org_unit, coc) DO UPDATE SET "
    "value = excluded.value, comment = excluded.comment, revision = excluded.revision, "
    "deleted = excluded.deleted, num = excluded.num, origin_batch = excluded.origin_batch, "
    "updated_at_ms = excluded.updated_at_ms "
    "WHERE excluded.revision > datavalues.revision OR (excluded.revision = datavalues.revision "
    "AND excluded.origin_batch >= datavalues.origin_batch)";

#define NPARAMS 9

struct pgb {
	char *params[NPARAMS];
	uint32_t nvalues;
};

struct pl;

struct pclient {
	struct pl *pl;
	uint32_t idx;
	PGconn *conn;
	uv_poll_t poll;
	int poll_open, writable_wait, done, failed;
	const char *org;
	struct pgb *b;
	uint64_t *sent_at;
	uint32_t nb, next, acked, inflight;
	int got_rows; /* the current statement's rows were counted */
};

struct pl {
	uv_loop_t loop;
	uv_timer_t deadline;
	const struct gt_bench_work *work;
	struct pclient *clients;
	uint32_t n, batches, values, inflight, open_polls;
	uint64_t *lat, *conn_lat;
	size_t nlat, nconn;
	uint64_t t_connect, t_push0, t_push1;
	uint64_t values_sent, values_applied, acked, bad, lost;
	uint32_t finished;
	int printed, timed_out, closing;
};

static void report_failure(struct pl *pl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void report_failure(struct pl *pl, const char *fmt, ...)
{
	va_list ap;

	if (pl->printed++ >= MAX_PRINTED)
		return;
	va_start(ap, fmt);
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Appends s as one element of a PostgreSQL array literal (quoted, backslash-escaped). */
static int arr_add(struct gt_buf *b, const char *s, int first)
{
	int rc = first ? 0 : gt_buf_append(b, ",", 1);
	if (rc == 0)
		rc = gt_buf_append(b, "\"", 1);
	for (; rc == 0 && *s; s++) {
		if (*s == '"' || *s == '\\')
			rc = gt_buf_append(b, "\\", 1);
		if (rc == 0)
			rc = gt_buf_append(b, s, 1);
	}
	if (rc == 0)
		rc = gt_buf_append(b, "\"", 1);
	return rc;
}

/* Takes the NUL-terminated contents of b as a new string. */
static char *buf_take(struct gt_buf *b)
{
	char *s = malloc(b->len + 1);
	if (s != NULL) {
		memcpy(s, b->data, b->len);
		s[b->len] = '\0';
	}
	gt_buf_free(b);
	return s;
}

/* Returns v in decimal as a new string, or NULL. */
static char *fmt_u64(uint64_t v)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	return strdup(tmp);
}

/* Builds the parameters of batch j of a client, the rows the load generator would send. */
static int build_batch(const struct gt_bench_work *w, const char *org, uint64_t rev, size_t first,
                       size_t count, struct pgb *out)
{
	struct gt_buf arr[5];
	uint8_t hash[GT_SHA256_LEN];
	char hex[2 * GT_SHA256_LEN + 3], num[64];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < 5; i++) {
		gt_buf_init(&arr[i], 16u * 1024u * 1024u);
		if (rc == 0)
			rc = gt_buf_append(&arr[i], "{", 1);
	}
	for (size_t i = 0; i < count && rc == 0; i++) {
		size_t idx = (first + i) % w->nslots;
		const struct gt_bench_slot *s = &w->slots[idx];
		char val[32];

		gt_bench_value(s, idx, rev, val, sizeof(val));
		rc = arr_add(&arr[0], s->element, i == 0);
		if (rc == 0)
			rc = arr_add(&arr[1], s->period, i == 0);
		if (rc == 0)
			rc = arr_add(&arr[2], s->coc, i == 0);
		if (rc == 0)
			rc = arr_add(&arr[3], val, i == 0);
		if (rc == 0) {
			int numeric =
			    s->type == GT_META_TYPE_INT0 || s->type == GT_META_TYPE_NUMBER;
			snprintf(num, sizeof(num), "%s%s", i == 0 ? "" : ",",
			         numeric ? val : "NULL");
			rc = gt_buf_append(&arr[4], num, strlen(num));
		}
	}
	for (int i = 0; i < 5; i++)
		if (rc == 0)
			rc = gt_buf_append(&arr[i], "}", 1);
	if (rc == 0)
		rc = gt_crypto_random(hash, sizeof(hash));
	if (rc != 0) {
		for (int i = 0; i < 5; i++)
			gt_buf_free(&arr[i]);
		return GT_ENOMEM;
	}
	out->params[0] = buf_take(&arr[0]);
	out->params[1] = buf_take(&arr[1]);
	out->params[2] = strdup(org);
	out->params[3] = buf_take(&arr[2]);
	out->params[4] = buf_take(&arr[3]);
	out->params[5] = fmt_u64(rev);
	hex[0] = '\\';
	hex[1] = 'x';
	for (size_t i = 0; i < sizeof(hash); i++)
		snprintf(hex + 2 + 2 * i, 3, "%02x", hash[i]);
	out->params[6] = strdup(hex);
	out->params[7] = fmt_u64((uint64_t)time(NULL) * 1000);
	out->params[8] = buf_take(&arr[4]);
	out->nvalues = (uint32_t)count;
	for (int i = 0; i < NPARAMS; i++)
		if (out->params[i] == NULL)
			return GT_ENOMEM;
	return GT_OK;
}

static void on_poll(uv_poll_t *h, int status, int events);

static void on_poll_closed(uv_handle_t *h)
{
	struct pclient *c = h->data;
	struct pl *pl = c->pl;

	pl->open_polls--;
	if (pl->open_polls == 0 && !uv_is_closing((uv_handle_t *)&pl->deadline))
		uv_close((uv_handle_t *)&pl->deadline, NULL);
}

static void close_all(struct pl *pl)
{
	pl->closing = 1;
	uv_timer_stop(&pl->deadline);
	for (uint32_t i = 0; i < pl->n; i++) {
		struct pclient *c = &pl->clients[i];
		if (c->poll_open) {
			c->poll_open = 0;
			uv_poll_stop(&c->poll);
			uv_close((uv_handle_t *)&c->poll, on_poll_closed);
		}
	}
	if (pl->open_polls == 0 && !uv_is_closing((uv_handle_t *)&pl->deadline))
		uv_close((uv_handle_t *)&pl->deadline, NULL);
}

static void client_finished(struct pclient *c)
{
	struct pl *pl = c->pl;

	pl->finished++;
	if (pl->finished == pl->n) {
		pl->t_push1 = gt_bench_now_us();
		close_all(pl);
	}
}

static void client_fail(struct pclient *c, const char *what)
{
	struct pl *pl = c->pl;

	if (c->done || c->failed)
		return;
	report_failure(pl, "client %u (%s): %s: %s", c->idx, c->org, what, PQerrorMessage(c->conn));
	c->failed = 1;
	pl->lost += c->nb - c->acked;
	if (c->poll_open)
		uv_poll_stop(&c->poll);
	client_finished(c);
}

static void set_events(struct pclient *c)
{
	int ev = UV_READABLE | (c->writable_wait ? UV_WRITABLE : 0);
	if (c->poll_open && !c->done && !c->failed)
		uv_poll_start(&c->poll, ev, on_poll);
}

static void flush(struct pclient *c)
{
	int r = PQflush(c->conn);
	if (r < 0) {
		client_fail(c, "sending");
		return;
	}
	c->writable_wait = r == 1;
	set_events(c);
}

static void pump(struct pclient *c)
{
	struct pl *pl = c->pl;

	while (!c->failed && c->inflight < pl->inflight && c->next < c->nb) {
		struct pgb *b = &c->b[c->next];

		c->sent_at[c->next] = gt_bench_now_us();
		if (!PQsendQueryPrepared(c->conn, "up", NPARAMS, (const char *const *)b->params,
		                         NULL, NULL, 0) ||
		    !PQpipelineSync(c->conn)) {
			client_fail(c, "queueing a statement");
			return;
		}
		pl->values_sent += b->nvalues;
		c->next++;
		c->inflight++;
	}
	flush(c);
}

/* Reads every complete result: a statement's result, its NULL, then the pipeline sync that
 * marks the end of its transaction. */
static void drain(struct pclient *c)
{
	struct pl *pl = c->pl;

	if (!PQconsumeInput(c->conn)) {
		client_fail(c, "reading");
		return;
	}
	while (!c->failed && !c->done && !PQisBusy(c->conn)) {
		PGresult *r = PQgetResult(c->conn);
		uint32_t j = c->acked;

		if (r == NULL) {
			/* The end of one statement's results; with nothing left in the pipeline,
			 * libpq would return NULL again forever. */
			if (c->inflight == 0)
				break;
			continue;
		}
		switch (PQresultStatus(r)) {
		case PGRES_COMMAND_OK: {
			unsigned long rows = strtoul(PQcmdTuples(r), NULL, 10);
			pl->values_applied += rows;
			if (rows != c->b[j].nvalues) {
				pl->bad++;
				report_failure(pl, "client %u: batch %u applied %lu of %u rows",
				               c->idx, j, rows, c->b[j].nvalues);
			}
			break;
		}
		case PGRES_PIPELINE_SYNC:
			pl->lat[pl->nlat++] = gt_bench_now_us() - c->sent_at[j];
			pl->acked++;
			c->acked++;
			c->inflight--;
			if (c->acked == c->nb) {
				c->done = 1;
				uv_poll_stop(&c->poll);
				client_finished(c);
			}
			break;
		default:
			pl->bad++;
			report_failure(pl, "client %u: batch %u: %s", c->idx, j,
			               PQresultErrorMessage(r));
			break;
		}
		PQclear(r);
	}
	if (!c->failed && !c->done)
		pump(c);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct pclient *c = h->data;

	if (status < 0) {
		client_fail(c, "polling");
		return;
	}
	if (events & UV_WRITABLE)
		flush(c);
	if (!c->failed && (events & UV_READABLE))
		drain(c);
}

static void on_deadline(uv_timer_t *t)
{
	struct pl *pl = t->data;

	pl->timed_out = 1;
	report_failure(pl, "the run did not finish within --timeout");
	for (uint32_t i = 0; i < pl->n; i++) {
		struct pclient *c = &pl->clients[i];
		if (!c->done && !c->failed)
			pl->lost += c->nb - c->acked;
	}
	pl->t_push1 = gt_bench_now_us();
	close_all(pl);
}

static int connect_client(struct pl *pl, struct pclient *c, const char *conninfo, int setup)
{
	PGresult *r;
	uint64_t t0 = gt_bench_now_us();

	c->conn = PQconnectdb(conninfo);
	if (PQstatus(c->conn) != CONNECTION_OK) {
		report_failure(pl, "client %u: connecting: %s", c->idx, PQerrorMessage(c->conn));
		return -1;
	}
	if (setup) {
		r = PQexec(c->conn, create_sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			report_failure(pl, "creating the table: %s", PQresultErrorMessage(r));
			PQclear(r);
			return -1;
		}
		PQclear(r);
	}
	r = PQprepare(c->conn, "up", upsert_sql, NPARAMS, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		report_failure(pl, "client %u: preparing: %s", c->idx, PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	pl->conn_lat[pl->nconn++] = gt_bench_now_us() - t0;
	if (PQsetnonblocking(c->conn, 1) != 0 || !PQenterPipelineMode(c->conn)) {
		report_failure(pl, "client %u: pipeline mode: %s", c->idx, PQerrorMessage(c->conn));
		return -1;
	}
	return 0;
}

static double ms(uint64_t us)
{
	return (double)us / 1000.0;
}

static int cmd_run(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *conninfo = gt_cli_get(cmd, "conninfo"), *csv = gt_cli_get(cmd, "orgunits");
	struct gt_bench_work *work = NULL;
	struct gt_bench_units units = {0};
	struct pl *pl = NULL;
	uint32_t timeout_s, last_year, years, first;
	uint64_t rev0, batches_total = 0, errors;
	int rc = GT_CLI_EXIT_FAIL, loop_ok = 0;
	(void)argc;
	(void)argv;
	(void)arg;

	if (conninfo == NULL || csv == NULL) {
		fprintf(stderr, PROG " run: --conninfo and --orgunits are required\n");
		return GT_CLI_EXIT_USAGE;
	}
	pl = calloc(1, sizeof(*pl));
	if (pl == NULL)
		return GT_CLI_EXIT_FAIL;
	if (gt_cli_get_u32(cmd, PROG, "clients", 1, 1, MAX_CLIENTS, &pl->n) ||
	    gt_cli_get_u32(cmd, PROG, "first", 0, 0, MAX_CLIENTS, &first) ||
	    gt_cli_get_u32(cmd, PROG, "batches", GT_BENCH_DEF_BATCHES, 1, MAX_BATCHES,
	                   &pl->batches) ||
	    gt_cli_get_u32(cmd, PROG, "values", 0, 0, GT_DEFAULT_MAX_VALUES_PER_BATCH,
	                   &pl->values) ||
	    gt_cli_get_u32(cmd, PROG, "inflight", GT_BENCH_DEF_INFLIGHT, 1, MAX_INFLIGHT,
	                   &pl->inflight) ||
	    gt_cli_get_u32(cmd, PROG, "timeout", GT_BENCH_DEF_TIMEOUT_S, 1, 86400, &timeout_s) ||
	    gt_cli_get_u32(cmd, PROG, "last-year", GT_BENCH_DEF_LAST_YEAR, 1900, 9999,
	                   &last_year) ||
	    gt_cli_get_u32(cmd, PROG, "years", GT_BENCH_DEF_YEARS, 1, 100, &years)) {
		free(pl);
		return GT_CLI_EXIT_USAGE;
	}
	if (gt_bench_units_read(csv, GT_BENCH_DISTRICTS, &units) != GT_OK)
		goto out;
	if (first + pl->n > units.n) {
		fprintf(stderr, PROG " run: %s has %zu districts, fewer than the clients\n", csv,
		        units.n);
		goto out;
	}
	if (gt_bench_work_new(gt_cli_get_or(cmd, "metadata", GT_BENCH_DEF_METADATA),
	                      gt_cli_get_or(cmd, "datasets", GT_BENCH_DEF_DATASETS), (int)last_year,
	                      (int)years, &work) != GT_OK)
		goto out;
	if (pl->values == 0)
		pl->values = (uint32_t)work->per_month;
	if (pl->values > work->nslots) {
		fprintf(stderr, PROG " run: --values is at most %zu here\n", work->nslots);
		goto out;
	}
	pl->work = work;
	pl->clients = calloc(pl->n, sizeof(*pl->clients));
	pl->lat = calloc((size_t)pl->n * pl->batches, sizeof(*pl->lat));
	pl->conn_lat = calloc(pl->n, sizeof(*pl->conn_lat));
	if (pl->clients == NULL || pl->lat == NULL || pl->conn_lat == NULL)
		goto out;
	if (uv_loop_init(&pl->loop) != 0)
		goto out;
	loop_ok = 1;

	/* Connect (one after another: PostgreSQL forks a backend for each), then build the
	 * statements' parameters; neither is timed as throughput. */
	pl->t_connect = gt_bench_now_us();
	for (uint32_t i = 0; i < pl->n; i++) {
		struct pclient *c = &pl->clients[i];
		c->pl = pl;
		c->idx = first + i;
		c->org = units.codes[first + i];
		if (connect_client(pl, c, conninfo, i == 0 && gt_cli_get(cmd, "setup")) != 0)
			goto out;
	}
	pl->t_connect = gt_bench_now_us() - pl->t_connect;
	/* Revisions grow from run to run, as a client's sequence numbers do. */
	{
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		rev0 = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	}
	for (uint32_t i = 0; i < pl->n; i++) {
		struct pclient *c = &pl->clients[i];
		c->b = calloc(pl->batches, sizeof(*c->b));
		c->sent_at = calloc(pl->batches, sizeof(*c->sent_at));
		if (c->b == NULL || c->sent_at == NULL)
			goto out;
		for (uint32_t j = 0; j < pl->batches; j++) {
			size_t s0 = ((size_t)j * pl->values) % work->nslots;
			if (build_batch(work, c->org, rev0 + j, s0, pl->values, &c->b[j]) != GT_OK)
				goto out;
			batches_total++;
		}
		c->nb = pl->batches;
		if (uv_poll_init(&pl->loop, &c->poll, PQsocket(c->conn)) != 0)
			goto out;
		c->poll.data = c;
		c->poll_open = 1;
		pl->open_polls++;
	}
	uv_timer_init(&pl->loop, &pl->deadline);
	pl->deadline.data = pl;
	uv_timer_start(&pl->deadline, on_deadline, (uint64_t)timeout_s * 1000, 0);
	pl->t_push0 = gt_bench_now_us();
	for (uint32_t i = 0; i < pl->n; i++)
		pump(&pl->clients[i]);
	uv_run(&pl->loop, UV_RUN_DEFAULT);

	{
		double secs = (double)(pl->t_push1 - pl->t_push0) / 1e6;
		double vps = secs > 0 ? (double)pl->values_applied / secs : 0;
		double bps = secs > 0 ? (double)pl->acked / secs : 0;

		errors = pl->bad + pl->lost + (uint64_t)pl->timed_out +
		         (pl->values_applied != pl->values_sent);
		gt_bench_sort_u64(pl->lat, pl->nlat);
		gt_bench_sort_u64(pl->conn_lat, pl->nconn);
		printf("clients %u, batches %llu of %u values, %u in flight per connection "
		       "(pipeline mode)\n",
		       pl->n, (unsigned long long)batches_total, pl->values, pl->inflight);
		printf("connect: all in %.3f s\n", (double)pl->t_connect / 1e6);
		printf("push: %.3f s, %.0f values/s, %.0f batches/s\n", secs, vps, bps);
		printf("commit latency: p50 %.2f ms p99 %.2f ms max %.2f ms\n",
		       ms(gt_bench_percentile(pl->lat, pl->nlat, 50)),
		       ms(gt_bench_percentile(pl->lat, pl->nlat, 99)),
		       ms(gt_bench_percentile(pl->lat, pl->nlat, 100)));
		printf("RESULT clients=%u values=%llu batches=%llu seconds=%.4f values_per_s=%.0f "
		       "batches_per_s=%.1f ack_p50_ms=%.3f ack_p99_ms=%.3f ack_max_ms=%.3f "
		       "connect_all_s=%.3f errors=%llu\n",
		       pl->n, (unsigned long long)pl->values_applied, (unsigned long long)pl->acked,
		       secs, vps, bps, ms(gt_bench_percentile(pl->lat, pl->nlat, 50)),
		       ms(gt_bench_percentile(pl->lat, pl->nlat, 99)),
		       ms(gt_bench_percentile(pl->lat, pl->nlat, 100)), (double)pl->t_connect / 1e6,
		       (unsigned long long)errors);
		rc = errors == 0 ? GT_CLI_EXIT_OK : GT_CLI_EXIT_FAIL;
	}
out:
	if (pl->clients != NULL && pl->open_polls > 0) {
		close_all(pl);
		uv_run(&pl->loop, UV_RUN_DEFAULT);
	}
	if (loop_ok && uv_loop_close(&pl->loop) != 0)
		fprintf(stderr, PROG " run: the loop did not close cleanly\n");
	for (uint32_t i = 0; pl->clients != NULL && i < pl->n; i++) {
		struct pclient *c = &pl->clients[i];
		for (uint32_t j = 0; c->b != NULL && j < c->nb; j++)
			for (int k = 0; k < NPARAMS; k++)
				free(c->b[j].params[k]);
		free(c->b);
		free(c->sent_at);
		PQfinish(c->conn);
	}
	free(pl->clients);
	free(pl->lat);
	free(pl->conn_lat);
	free(pl);
	gt_bench_work_free(work);
	gt_bench_units_free(&units);
	return rc;
}

static struct gt_cli_opt run_opts[] = {
    {"conninfo", "TEXT", "libpq connection string (loopback)", NULL},
    {"orgunits", "CSV", "the org-unit CSV the load generator's keys were made from", NULL},
    {"setup", NULL, "create the table if missing", NULL},
    {"clients", "N", "connections, each acting for its own district (default 1)", NULL},
    {"first", "I", "index of the first client (default 0)", NULL},
    {"batches", "M", "batches per client (default " GT_CLI_STR(GT_BENCH_DEF_BATCHES) ")", NULL},
    {"values", "K", "values per batch (default: one month of the data sets)", NULL},
    {"inflight", "P",
     "statements in flight per connection, pipelined (default " GT_CLI_STR(
         GT_BENCH_DEF_INFLIGHT) ")",
     NULL},
    GT_BENCH_WORKLOAD_OPTS,
    {"timeout", "SECONDS",
     "give up after this long (default " GT_CLI_STR(GT_BENCH_DEF_TIMEOUT_S) ")", NULL},
    {0},
};

static const struct gt_cli_cmd cmds[] = {
    {"run", "upsert the load generator's rows into PostgreSQL and measure",
     "--conninfo TEXT --orgunits CSV [--setup] [--clients N] [--batches M] [--values K]",
     "Client i upserts the rows loadgen's client i would push, one statement and one "
     "transaction per batch (INSERT ... SELECT FROM unnest ... ON CONFLICT DO UPDATE), with "
     "up to P in flight per connection in libpq's pipeline mode. Prints values/s from the "
     "first statement to the last commit, commit latency, and a RESULT line.",
     run_opts, 0, 0, cmd_run, NULL},
    {0},
};

int main(int argc, char **argv)
{
	return gt_cli_main(PROG, "The PostgreSQL baseline of the gtsync benchmarks.", cmds, argc,
	                   argv, NULL);
}
