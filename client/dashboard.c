/* gtsync dashboard: the consolidated picture in a browser, served from the home's store.
 *
 * HTTP is libmicrohttpd's (Debian libmicrohttpd-dev): a small, maintained C library of the GNU
 * project that parses requests and serves TLS through GnuTLS, runs its own thread beside our
 * refresher, and needs no event loop of ours; the dashboard never parses HTTP itself.
 *
 * Two threads, each with its own connection to the store (sqlite in WAL mode lets them read and
 * write side by side): libmicrohttpd's thread renders every page from the cache, one request
 * at a time (so gettext's language switch per request is safe); the main thread fetches
 * reports from the server through the home's signed session (gt_fetch_reply()), in the
 * background every few minutes and at once when a page asks (SIGUSR1) or a person presses
 * "Refresh" (SIGUSR2), and saves them in the cache. A page whose report was never fetched, and
 * a workflow form waiting for the server's answer, never block the page thread: the connection
 * is suspended (libmicrohttpd's suspend and resume) while the other requests go on, and the
 * main thread resumes it after each round, when the page is rendered again. With the server out
 * of reach the pages keep serving what the cache holds and say how old it is.
 *
 * The provenance page (Asal angka) asks the main thread to verify a report (gt_verify_run():
 * the signed batches behind it, their signatures and inclusion proofs, the figures recomputed)
 * and reloads itself while the verification runs; the last result of each report is kept in
 * memory, under its own lock, which the page thread holds while it renders that page. */
#include "dashboard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "addr.h"
#include "chain.h"
#include "clock.h"
#include "crypto.h"
#include "cstore_dash.h"
#include "dashpage.h"
#include "error.h"
#include "fetch.h"
#include "fileio.h"
#include "home.h"
#include "html.h"
#include "i18n.h"
#include "protonames.h"
#include "tlscert.h"
#include "verify.h"

/* How long a page waits for a first fetch of its report. */
#define WAIT_FIRST_MS 8000
/* How long one fetch may take. */
#define FETCH_TIMEOUT_MS 15000
/* Most reports fetched in one round. */
#define MAX_ROUND 64
/* Longest report cursor kept for a refresh (the server's are 17 bytes). */
#define MAX_CURSOR 64
/* Largest form a POST may send. */
#define MAX_FORM 4096
/* The bytes of the CSRF and login tokens (written as hex). */
#define TOKEN_LEN 16
/* How long a form waits for its workflow action to be answered. */
#define ACTION_WAIT_S 90
/* Most connections suspended at once while they wait (the connection limit). */
#define MAX_HELD 64
/* The cookies the dashboard sets. */
#define COOKIE_LANG  "gtlang"
#define COOKIE_TOKEN "gttoken"
/* Most reports whose last verification the provenance page keeps. */
#define MAX_PROVS 16
/* Files of the certificate made for an address other than loopback, in the home. */
#define DASH_CERT "dashboard-cert.pem"
#define DASH_KEY  "dashboard-key.pem"

static const char csp[] = "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/* A workflow action a form asks the main thread to take; guarded by struct dash's lock. */
struct action {
	int pending, done;
	int kind; /* a WorkflowKind */
	char org[GT_ORGUNIT_MAX_LEN];
	char ds[GT_CSTORE_DASH_DS_LEN];
	char pe[GT_CSTORE_DASH_PE_LEN];
	char reason[GT_CHAIN_MAX_REASON + 1];
	int rc;                        /* gt_chain_run()'s */
	struct gt_chain_result result; /* when rc is 0 */
	char said[512];                /* what the chain told a person, on failure */
};

/* A report's verification for the provenance page: asked for, running, and its last result;
 * guarded by struct dash's prov_lock. */
struct provrun {
	int used;
	struct gt_cstore_dash_key k;
	int asked, running;
	int64_t asked_ms, touched_ms;
	int has_res, verified;
	int64_t done_ms;
	struct gt_verify_result res; /* owned */
	char *said;                  /* owned: what the verification wrote */
	int failed_rc, failed_offline;
	char failed_why[512];
	int64_t failed_ms;
};

struct dash {
	const struct gt_dashboard_opts *o;
	pthread_mutex_t lock;
	pthread_cond_t answered;
	struct action act;
	struct gt_home *web;     /* the page thread's home (its own store connection) */
	struct gt_home *fetcher; /* the main thread's home */
	struct gt_meta *meta;
	char csrf[2 * TOKEN_LEN + 1];
	char login[2 * TOKEN_LEN + 1]; /* "" on loopback: no login needed */
	char ds[GT_CSTORE_DASH_DS_LEN];
	char pe[GT_CSTORE_DASH_PE_LEN];
	const char *zone;
	char zone_buf[GT_TZ_NAME_MAX];
	pid_t self;
	/* Connections suspended while their page or action waits; guarded by lock. */
	struct MHD_Connection *held[MAX_HELD];
	size_t nheld;
	pthread_mutex_t prov_lock;
	struct provrun provs[MAX_PROVS];
};

/* A request in progress: a POST's form, and for every request how long it may wait. */
struct post {
	int64_t deadline_ms; /* until when a page waits for a first fetch, an action its answer */
	int renders;         /* how often the page was rendered (0: never) */
	int acting;          /* the form's action was handed to the main thread */
	struct MHD_PostProcessor *pp;
	char csrf[2 * TOKEN_LEN + 1];
	char next[512];
	char kind[16];
	char org[GT_ORGUNIT_MAX_LEN];
	char ds[GT_CSTORE_DASH_DS_LEN];
	char pe[GT_CSTORE_DASH_PE_LEN];
	char reason[GT_CHAIN_MAX_REASON + 1];
	int too_big;
};

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int token(char out[2 * TOKEN_LEN + 1])
{
	uint8_t b[TOKEN_LEN];
	int rc = gt_crypto_random(b, sizeof(b));

	if (rc == GT_OK)
		hex(b, sizeof(b), out);
	gt_crypto_wipe(b, sizeof(b));
	return rc;
}

/* Whether two tokens are equal, in constant time. */
static int token_eq(const char *a, const char *b)
{
	size_t n = strlen(b);

	return a != NULL && strlen(a) == n && n > 0 && gt_crypto_equal(a, b, n);
}

/* One rendering of a page: whether it asks for what is missing, and whether it has to wait. */
struct render {
	struct dash *d;
	int first;   /* the request's first rendering: asks for what is missing */
	int pending; /* a report the page waits for has not been fetched yet */
};

/* Suspends c until the main thread's next round (then the page is rendered again). Returns 0,
 * or GT_EBUSY when too many connections wait already. */
static int hold(struct dash *d, struct MHD_Connection *c)
{
	int rc = GT_EBUSY;

	pthread_mutex_lock(&d->lock);
	if (d->nheld < MAX_HELD) {
		MHD_suspend_connection(c);
		d->held[d->nheld++] = c;
		rc = GT_OK;
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

/* Resumes every suspended connection (the main thread, after a round). */
static void release(struct dash *d)
{
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->nheld; i++)
		MHD_resume_connection(d->held[i]);
	d->nheld = 0;
	pthread_mutex_unlock(&d->lock);
}

/* The page thread's way to a report: the cache; when it has none, a first fetch asked of the
 * main thread (on the request's first rendering), and with wait the rendering marked pending,
 * so the request is suspended and rendered again after the fetch. */
static int get_report(void *arg, const struct gt_cstore_dash_key *k, int wait,
                      Gtsync__V1__ReportReply **rep, int64_t *fetched_ms, char *err, size_t err_len)
{
	struct render *r = arg;
	struct gt_cstore *st = r->d->web->st;
	uint8_t *bytes = NULL;
	size_t len = 0;
	int rc;
	char why[256];

	*rep = NULL;
	*fetched_ms = 0;
	why[0] = '\0';
	rc = gt_cstore_dash_get(st, k, &bytes, &len, fetched_ms, why, sizeof(why));
	if (rc != GT_OK && rc != GT_ENOENT)
		return rc;
	if (rc == GT_ENOENT)
		why[0] = '\0';
	if (bytes == NULL && (rc == GT_ENOENT || r->first)) {
		/* Asked again: a failure noted for a report never fetched is cleared. */
		if ((rc = gt_cstore_dash_want(st, k, gt_clock_wall_ms())) != GT_OK)
			return rc;
		kill(r->d->self, SIGUSR1);
		why[0] = '\0';
	}
	if (err != NULL && err_len > 0)
		snprintf(err, err_len, "%s", why);
	if (bytes == NULL) {
		/* A first fetch that failed says so at once: it is not waited for again. */
		if (wait && !why[0])
			r->pending = 1;
		return GT_ENOENT;
	}
	*rep = gtsync__v1__report_reply__unpack(NULL, len, bytes);
	free(bytes);
	return *rep != NULL ? GT_OK : GT_ECORRUPT;
}

/* The slot of k's verification, made (in place of the one asked for longest ago that does not
 * run) when create is set; NULL when none. prov_lock held. */
static struct provrun *prov_slot(struct dash *d, const struct gt_cstore_dash_key *k, int create)
{
	struct provrun *free_slot = NULL;

	for (size_t i = 0; i < MAX_PROVS; i++) {
		struct provrun *r = &d->provs[i];
		if (r->used && strcmp(r->k.org, k->org) == 0 &&
		    strcmp(r->k.dataset, k->dataset) == 0 && strcmp(r->k.period, k->period) == 0)
			return r;
		if (!r->used && free_slot == NULL)
			free_slot = r;
	}
	if (!create)
		return NULL;
	for (size_t i = 0; free_slot == NULL && i < MAX_PROVS; i++) {
		struct provrun *r = &d->provs[i];
		if (!r->running && !r->asked &&
		    (free_slot == NULL || r->touched_ms < free_slot->touched_ms))
			free_slot = r;
	}
	if (free_slot == NULL)
		return NULL;
	gt_verify_result_free(&free_slot->res);
	free(free_slot->said);
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = 1;
	free_slot->k = *k;
	return free_slot;
}

/* Asks the main thread to verify r's report (unless it is already asked for). prov_lock held. */
static void prov_ask(struct dash *d, struct provrun *r)
{
	if (r->asked || r->running)
		return;
	r->asked = 1;
	r->asked_ms = gt_clock_wall_ms();
	kill(d->self, SIGUSR1);
}

/* The provenance page's way to a verification (gt_dashpage_prov_fn); the page thread holds
 * prov_lock while it renders the page, so what *out borrows stays put. */
static int get_prov(void *arg, const struct gt_cstore_dash_key *k, struct gt_dashpage_prov *out)
{
	struct dash *d = arg;
	struct provrun *r = prov_slot(d, k, 0);

	memset(out, 0, sizeof(*out));
	if (r == NULL) {
		if ((r = prov_slot(d, k, 1)) == NULL) {
			/* Every slot runs or waits: the page says it is checking and reloads. */
			out->running = 1;
			out->started_ms = gt_clock_wall_ms();
			return GT_OK;
		}
		prov_ask(d, r);
	}
	r->touched_ms = gt_clock_wall_ms();
	out->running = r->asked || r->running;
	out->started_ms = r->asked_ms;
	out->res = r->has_res ? &r->res : NULL;
	out->verified = r->verified;
	out->done_ms = r->done_ms;
	out->said = r->said != NULL ? r->said : "";
	out->failed_rc = r->failed_rc;
	out->failed_offline = r->failed_offline;
	out->failed_why = r->failed_why;
	out->failed_ms = r->failed_ms;
	return GT_OK;
}

/* Runs the verifications the provenance page asked for, one after the other (the main
 * thread), keeping each one's result; a failed one keeps the last result and notes why. */
static void run_provs(struct dash *d)
{
	for (;;) {
		struct gt_verify_opts vo = {0};
		struct gt_verify_result res;
		struct gt_cstore_dash_key k;
		struct provrun *r = NULL;
		char *said = NULL;
		size_t said_len = 0;
		FILE *out, *saved = d->fetcher->err;
		int rc;

		pthread_mutex_lock(&d->prov_lock);
		for (size_t i = 0; i < MAX_PROVS && r == NULL; i++)
			if (d->provs[i].used && d->provs[i].asked && !d->provs[i].running)
				r = &d->provs[i];
		if (r != NULL) {
			r->asked = 0;
			r->running = 1;
			k = r->k;
		}
		pthread_mutex_unlock(&d->prov_lock);
		if (r == NULL)
			return;
		vo.org = k.org;
		vo.dataset = k.dataset;
		vo.period = k.period;
		out = open_memstream(&said, &said_len);
		vo.out = out;
		d->fetcher->err = out;
		rc = gt_verify_run(d->fetcher, &vo, &res);
		d->fetcher->err = saved;
		if (out != NULL)
			fclose(out);
		pthread_mutex_lock(&d->prov_lock);
		r->running = 0;
		if (rc == GT_OK || rc == GT_ECORRUPT) {
			gt_verify_result_free(&r->res);
			free(r->said);
			r->res = res;
			r->said = said;
			said = NULL;
			r->has_res = 1;
			r->verified = rc == GT_OK;
			r->done_ms = gt_clock_wall_ms();
			r->failed_rc = 0;
			r->failed_why[0] = '\0';
		} else {
			gt_verify_result_free(&res);
			r->failed_rc = rc;
			r->failed_offline = gt_home_transient(rc);
			r->failed_ms = gt_clock_wall_ms();
			/* The sentence without its trailing newline. */
			if (said != NULL && said_len > 0 && said[said_len - 1] == '\n')
				said[said_len - 1] = '\0';
			snprintf(r->failed_why, sizeof(r->failed_why), "%s",
			         said != NULL && said[0] ? said : gt_strerror(rc));
		}
		pthread_mutex_unlock(&d->prov_lock);
		free(said);
	}
}

/* Queues resp with the headers every answer carries, and frees it. */
static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result r;

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type,
                                 const char *text)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);

	if (resp != NULL)
		MHD_add_response_header(resp, "Content-Type", type);
	return respond(c, status, resp);
}

/* A redirect to next when it is a path of this site, else to "/". */
static enum MHD_Result redirect(struct MHD_Connection *c, const char *next, const char *cookie)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	int ok = next != NULL && next[0] == '/' && next[1] != '/' && next[1] != '\\' &&
	         strpbrk(next, "\r\n") == NULL;

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Location", ok ? next : "/");
	if (cookie != NULL)
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	return respond(c, MHD_HTTP_SEE_OTHER, resp);
}

/* The request's path and query as the page links it back ("/ringkasan?org=..."). */
static void self_url(struct MHD_Connection *c, const char *url, char *out, size_t len)
{
	static const char *const names[] = {"org",  "ds",   "pe", "from", "to",
	                                    "blok", "urut", "de", "coc",  "unit"};
	size_t used = (size_t)snprintf(out, len, "%s", url);
	char sep = '?';

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && used < len; i++) {
		const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, names[i]);
		if (v == NULL)
			continue;
		used += (size_t)snprintf(out + used, len - used, "%c%s=", sep, names[i]);
		sep = '&';
		for (; *v && used + 4 < len; v++) {
			unsigned char ch = (unsigned char)*v;
			if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_')
				out[used++] = (char)ch;
			else
				used += (size_t)snprintf(out + used, len - used, "%%%02X", ch);
		}
		out[used < len ? used : len - 1] = '\0';
	}
}

static enum MHD_Result page(struct dash *d, struct MHD_Connection *c, const char *url,
                            struct post *st)
{
	struct render r = {.d = d, .first = st->renders == 0};
	struct gt_dashpage_env env = {
	    .st = d->web->st,
	    .meta = d->meta,
	    .home_org = d->web->org,
	    .zone = d->zone,
	    .csrf = d->csrf,
	    .role = d->web->role,
	    .default_ds = d->ds,
	    .default_pe = d->pe,
	    .now_ms = gt_clock_wall_ms(),
	    .get = get_report,
	    .get_arg = &r,
	    .prov = get_prov,
	    .prov_arg = d,
	};
	struct gt_dashpage_req req = {.path = url};
	struct gt_dashpage_out out;
	struct MHD_Response *resp;
	char self[1024];
	int rc;

	self_url(c, url, self, sizeof(self));
	req.self = self;
	req.org = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "org");
	req.ds = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ds");
	req.pe = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "pe");
	req.from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	req.to = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to");
	req.block = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "blok");
	req.sort = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "urut");
	req.format = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	req.element = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "de");
	req.coc = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "coc");
	req.unit = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "unit");
	/* The provenance page borrows the verifications' results while it renders. */
	pthread_mutex_lock(&d->prov_lock);
	rc = gt_dashpage_render(&env, &req, &out);
	pthread_mutex_unlock(&d->prov_lock);
	if (rc != GT_OK)
		return send_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
		                 _("The dashboard ran out of memory; try again."));
	st->renders++;
	/* A first fetch to wait for: the connection waits aside, the other requests go on. */
	if (r.pending && gt_clock_wall_ms() < st->deadline_ms && hold(d, c) == GT_OK) {
		free(out.body);
		return MHD_YES;
	}
	resp = MHD_create_response_from_buffer(out.len, out.body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(out.body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", out.type);
	if (out.filename[0]) {
		char disp[200];
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", out.filename);
		MHD_add_response_header(resp, "Content-Disposition", disp);
	}
	return respond(c, out.status, resp);
}

/* Collects the fields of a POST form. */
static enum MHD_Result post_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *filename, const char *type, const char *enc,
                                  const char *data, uint64_t off, size_t size)
{
	struct post *p = cls;
	char *dst = NULL;
	size_t cap = 0, have;
	(void)kind;
	(void)filename;
	(void)type;
	(void)enc;

	if (strcmp(key, "csrf") == 0) {
		dst = p->csrf;
		cap = sizeof(p->csrf);
	} else if (strcmp(key, "next") == 0) {
		dst = p->next;
		cap = sizeof(p->next);
	} else if (strcmp(key, "kind") == 0) {
		dst = p->kind;
		cap = sizeof(p->kind);
	} else if (strcmp(key, "org") == 0) {
		dst = p->org;
		cap = sizeof(p->org);
	} else if (strcmp(key, "ds") == 0) {
		dst = p->ds;
		cap = sizeof(p->ds);
	} else if (strcmp(key, "pe") == 0) {
		dst = p->pe;
		cap = sizeof(p->pe);
	} else if (strcmp(key, "reason") == 0) {
		dst = p->reason;
		cap = sizeof(p->reason);
	} else {
		return MHD_YES;
	}
	have = strlen(dst);
	if (off != have || size >= cap - have) {
		p->too_big = 1;
		return MHD_YES;
	}
	memcpy(dst + have, data, size);
	dst[have + size] = '\0';
	return MHD_YES;
}

/* Writes an action's outcome page (status 200 when applied, else 409 or 503) into a response. */
static enum MHD_Result action_page(struct MHD_Connection *c, const struct post *p,
                                   const struct action *a, int timed_out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned status = MHD_HTTP_OK;
	const char *title, *detail = "";
	struct MHD_Response *resp;

	if (f == NULL)
		return MHD_NO;
	if (timed_out) {
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
		title = _("The action is saved and waits for the server");
	} else if (a->rc != GT_OK) {
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
		title = a->rc == GT_EINVAL || a->rc == GT_ENOENT
		            ? _("The action was not taken")
		            : _("The action is saved and goes out when the server can be reached");
		detail = a->said;
	} else if (a->result.outcome == GT_CHAIN_APPLIED ||
	           a->result.outcome == GT_CHAIN_DUPLICATE) {
		title = _("Done: the server applied the action");
	} else {
		status = MHD_HTTP_CONFLICT;
		title = _("The server did not apply the action");
		detail = a->result.message;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"", f);
	gt_html_escape(f, gt_i18n_lang());
	fputs("\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>", f);
	gt_html_escape(f, title);
	fputs("</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body><header><b>"
	      "gtsync</b></header><main><h1 id=\"outcome\" data-status=\"",
	      f);
	fprintf(f, "%u\">", status);
	gt_html_escape(f, title);
	fputs("</h1><p>", f);
	gt_html_escape(f, p->kind);
	fputs(" &middot; ", f);
	gt_html_escape(f, p->org);
	fputs(" &middot; ", f);
	gt_html_escape(f, p->ds);
	fputs(" &middot; ", f);
	gt_html_escape(f, p->pe);
	if (p->reason[0]) {
		fputs("</p><p id=\"reason\">", f);
		gt_html_escape(f, p->reason);
	}
	fputs("</p>", f);
	if (detail != NULL && detail[0]) {
		fputs("<p id=\"detail\">", f);
		gt_html_escape(f, detail);
		fputs("</p>", f);
	}
	fputs("<p><a id=\"back\" href=\"", f);
	gt_html_escape(f, p->next[0] == '/' && p->next[1] != '/' ? p->next : "/");
	fprintf(f, "\">%s</a></p></main></body></html>\n", _("Back to the page"));
	if (fclose(f) != 0) {
		free(buf);
		return MHD_NO;
	}
	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
	return respond(c, status, resp);
}

/* Whether the key's role may take workflow actions from the dashboard (a reader may not). */
static int may_act(const struct dash *d)
{
	return strcmp(d->web->role, "aggregator") == 0 ||
	       strcmp(d->web->role, "secretariat") == 0 || strcmp(d->web->role, "approver") == 0;
}

/* Hands a form's workflow action to the main thread, then (the request suspended meanwhile)
 * answers with the outcome once the main thread has it, or after ACTION_WAIT_S. */
static enum MHD_Result take_action(struct dash *d, struct MHD_Connection *c, struct post *p)
{
	struct action *a = &d->act;
	struct action copy;
	int kind, answered;

	if (p->acting) {
		pthread_mutex_lock(&d->lock);
		answered = a->done;
		copy = *a;
		/* A late answer is still recorded in the outbox; the slot frees itself when it
		 * comes. */
		if (answered)
			a->pending = 0;
		pthread_mutex_unlock(&d->lock);
		if (!answered && gt_clock_wall_ms() < p->deadline_ms && hold(d, c) == GT_OK)
			return MHD_YES;
		return action_page(c, p, &copy, !answered);
	}
	if (strcmp(p->kind, "accept") == 0)
		kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT;
	else if (strcmp(p->kind, "return") == 0)
		kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN;
	else if (strcmp(p->kind, "approve") == 0)
		kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE;
	else
		return send_text(c, MHD_HTTP_BAD_REQUEST, "text/plain; charset=utf-8",
		                 _("The dashboard takes accept, return and approve only."));
	if (!may_act(d))
		return send_text(c, MHD_HTTP_FORBIDDEN, "text/plain; charset=utf-8",
		                 _("This office's key may only read: it cannot accept, return or "
		                   "approve reports."));
	if (!p->org[0] || !p->ds[0] || !p->pe[0] ||
	    (kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN &&
	     strspn(p->reason, " \t\r\n") == strlen(p->reason)))
		return send_text(
		    c, MHD_HTTP_BAD_REQUEST, "text/plain; charset=utf-8",
		    _("A return needs a reason, so the office knows what to correct."));
	pthread_mutex_lock(&d->lock);
	/* A slot whose answer came after its form stopped waiting is free again. */
	if (a->pending && !a->done) {
		pthread_mutex_unlock(&d->lock);
		return send_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
		                 _("Another action is being sent; try again in a moment."));
	}
	memset(a, 0, sizeof(*a));
	a->pending = 1;
	a->kind = kind;
	snprintf(a->org, sizeof(a->org), "%s", p->org);
	snprintf(a->ds, sizeof(a->ds), "%s", p->ds);
	snprintf(a->pe, sizeof(a->pe), "%s", p->pe);
	snprintf(a->reason, sizeof(a->reason), "%s", p->reason);
	pthread_mutex_unlock(&d->lock);
	p->acting = 1;
	p->deadline_ms = gt_clock_wall_ms() + (int64_t)ACTION_WAIT_S * 1000;
	kill(d->self, SIGUSR1);
	if (hold(d, c) == GT_OK)
		return MHD_YES;
	memset(&copy, 0, sizeof(copy));
	return action_page(c, p, &copy, 1);
}

/* The provenance page's "Verify again": asks the main thread for a new verification of the
 * form's report, then back to the page (which shows it running). A reader's key is refused by
 * the server; its page says so without asking. */
static enum MHD_Result verify_again(struct dash *d, struct MHD_Connection *c, const struct post *p)
{
	struct gt_cstore_dash_key k;
	struct provrun *r;

	if (!p->org[0] || !p->ds[0] || !p->pe[0])
		return send_text(c, MHD_HTTP_BAD_REQUEST, "text/plain; charset=utf-8",
		                 _("The form does not name a report."));
	snprintf(k.org, sizeof(k.org), "%s", p->org);
	snprintf(k.dataset, sizeof(k.dataset), "%s", p->ds);
	snprintf(k.period, sizeof(k.period), "%s", p->pe);
	pthread_mutex_lock(&d->prov_lock);
	if ((r = prov_slot(d, &k, 1)) != NULL)
		prov_ask(d, r);
	pthread_mutex_unlock(&d->prov_lock);
	return redirect(c, p->next, NULL);
}

/* The request's language from its cookie, else the default. */
static void use_lang(struct MHD_Connection *c)
{
	const char *l = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_LANG);

	gt_i18n_use(l != NULL && gt_i18n_known(l) ? l : GT_LANG_DEFAULT);
}

/* Whether the request may see the dashboard: always on loopback, else with the login cookie. */
static int logged_in(struct dash *d, struct MHD_Connection *c)
{
	if (!d->login[0])
		return 1;
	return token_eq(MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_TOKEN), d->login);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
	struct dash *d = cls;
	(void)version;

	use_lang(c);
	if (strcmp(method, "POST") == 0) {
		struct post *p = *con_cls;
		if (p == NULL) {
			if ((p = calloc(1, sizeof(*p))) == NULL)
				return MHD_NO;
			p->pp = MHD_create_post_processor(c, MAX_FORM, post_field, p);
			*con_cls = p;
			return MHD_YES;
		}
		if (*upload_size != 0) {
			if (p->pp == NULL ||
			    MHD_post_process(p->pp, upload, *upload_size) != MHD_YES)
				p->too_big = 1;
			*upload_size = 0;
			return MHD_YES;
		}
		if (!logged_in(d, c) || p->too_big || !token_eq(p->csrf, d->csrf))
			return send_text(
			    c, MHD_HTTP_FORBIDDEN, "text/plain; charset=utf-8",
			    _("This form has expired or did not come from the dashboard: "
			      "go back, reload the page and try again."));
		if (strcmp(url, "/segarkan") == 0) {
			kill(d->self, SIGUSR2);
			return redirect(c, p->next, NULL);
		}
		if (strcmp(url, "/tindakan") == 0)
			return take_action(d, c, p);
		if (strcmp(url, "/periksa") == 0)
			return verify_again(d, c, p);
		return send_text(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
		                 _("The dashboard has no such form."));
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
		                 _("The dashboard only shows pages and takes its own forms."));
	if (*con_cls == NULL) {
		struct post *g = calloc(1, sizeof(*g));
		if (g == NULL)
			return MHD_NO;
		g->deadline_ms = gt_clock_wall_ms() + WAIT_FIRST_MS;
		*con_cls = g;
	}
	if (strcmp(url, "/masuk") == 0) {
		const char *t = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
		char cookie[128];
		if (!d->login[0] || !token_eq(t, d->login))
			return send_text(c, MHD_HTTP_FORBIDDEN, "text/plain; charset=utf-8",
			                 _("This login token is not the one the dashboard printed "
			                   "when it started."));
		snprintf(cookie, sizeof(cookie),
		         COOKIE_TOKEN "=%s; Path=/; HttpOnly; Secure; SameSite=Strict", d->login);
		return redirect(c, "/", cookie);
	}
	if (!logged_in(d, c))
		return send_text(c, MHD_HTTP_UNAUTHORIZED, "text/plain; charset=utf-8",
		                 _("Open the login address the dashboard printed when it started "
		                   "(/masuk?token=...)."));
	if (strcmp(url, "/style.css") == 0)
		return send_text(c, MHD_HTTP_OK, "text/css; charset=utf-8", gt_dashpage_css());
	if (strcmp(url, "/favicon.ico") == 0)
		return send_text(c, MHD_HTTP_NO_CONTENT, "text/plain", "");
	if (strcmp(url, "/bahasa") == 0) {
		const char *l = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "l");
		char cookie[96];
		if (l == NULL || !gt_i18n_known(l))
			l = GT_LANG_DEFAULT;
		snprintf(cookie, sizeof(cookie),
		         COOKIE_LANG "=%s; Path=/; Max-Age=31536000; SameSite=Strict", l);
		return redirect(c, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "next"),
		                cookie);
	}
	if (strcmp(url, "/") == 0)
		return redirect(c, "/ringkasan", NULL);
	return page(d, c, url, *con_cls);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	struct post *p = *con_cls;
	(void)cls;
	(void)c;
	(void)toe;

	if (p == NULL)
		return;
	if (p->pp != NULL)
		MHD_destroy_post_processor(p->pp);
	free(p);
	*con_cls = NULL;
}

/* Copies the cursor of the cached reply bytes (old, len) into cur; *cur_len is 0 without one. */
static void cached_cursor(const uint8_t *old, size_t len, uint8_t *cur, size_t cap, size_t *cur_len)
{
	Gtsync__V1__ReportReply *rep;

	*cur_len = 0;
	if (old == NULL || (rep = gtsync__v1__report_reply__unpack(NULL, len, old)) == NULL)
		return;
	if (rep->cursor.len > 0 && rep->cursor.len <= cap) {
		memcpy(cur, rep->cursor.data, rep->cursor.len);
		*cur_len = rep->cursor.len;
	}
	gtsync__v1__report_reply__free_unpacked(rep, NULL);
}

int gt__dashboard_fetch(struct gt_home *h, const struct gt_cstore_dash_key *k,
                        struct gt__dash_fetched *got)
{
	struct gt_fetch_opts fo = {0};
	gt_envelope *reply = NULL;
	uint8_t *buf = NULL, *old = NULL, cur[MAX_CURSOR];
	char *why = NULL;
	size_t why_len = 0, len, old_len = 0, cur_len = 0;
	int64_t old_ms = 0;
	FILE *err;
	FILE *saved = h->err;
	int rc;

	if (got != NULL)
		memset(got, 0, sizeof(*got));
	/* The cached report's cursor: the server answers "unchanged" while it is current. */
	if (gt_cstore_dash_get(h->st, k, &old, &old_len, &old_ms, NULL, 0) == GT_OK)
		cached_cursor(old, old_len, cur, sizeof(cur), &cur_len);
	fo.org = k->org;
	fo.dataset = k->dataset;
	fo.period = k->period;
	fo.per_child = 1;
	fo.timeout_ms = FETCH_TIMEOUT_MS;
	fo.since = cur_len > 0 ? cur : NULL;
	fo.since_len = cur_len;
	err = open_memstream(&why, &why_len);
	h->err = err;
	rc = gt_fetch_reply(h, &fo, &reply);
	h->err = saved;
	if (err != NULL)
		fclose(err);
	if (rc == GT_OK) {
		const Gtsync__V1__ReportReply *rep = reply->report_reply;
		if (got != NULL)
			got->reply_bytes = gtsync__v1__envelope__get_packed_size(reply);
		if (rep->unchanged && cur_len > 0) {
			/* The cached report stands: only its time is renewed. */
			if (got != NULL)
				got->unchanged = 1;
			rc = gt_cstore_dash_touch(h->st, k, gt_clock_wall_ms());
		} else if (rep->unchanged) {
			rc = GT_EPROTO; /* unchanged against a cursor never sent */
			(void)gt_cstore_dash_fail(h->st, k, gt_strerror(rc));
		} else {
			len = gtsync__v1__report_reply__get_packed_size(rep);
			if ((buf = malloc(len ? len : 1)) == NULL)
				rc = GT_ENOMEM;
			else {
				gtsync__v1__report_reply__pack(rep, buf);
				rc = gt_cstore_dash_put(h->st, k, buf, len, gt_clock_wall_ms());
			}
		}
	} else {
		/* The sentence without its trailing newline. */
		if (why != NULL && why_len > 0 && why[why_len - 1] == '\n')
			why[why_len - 1] = '\0';
		(void)gt_cstore_dash_fail(h->st, k, why != NULL && why[0] ? why : gt_strerror(rc));
	}
	free(buf);
	free(old);
	free(why);
	gt_wire_envelope_free(reply);
	return rc;
}

/* Fetches k and saves it in the cache, or notes why it failed. */
static int fetch_one(struct dash *d, const struct gt_cstore_dash_key *k)
{
	return gt__dashboard_fetch(d->fetcher, k, NULL);
}

/* Fetches up to MAX_ROUND reports fetched before older_ms (with those whose last fetch failed
 * when with_failed is set); stops at the first unreachable
 * server (the rest wait for the next round). */
static void refresh(struct dash *d, int64_t older_ms, int with_failed)
{
	struct gt_cstore_dash_key *keys = NULL;
	size_t n = 0;

	if (gt_cstore_dash_due(d->fetcher->st, older_ms, with_failed, MAX_ROUND, &keys, &n) !=
	    GT_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		int rc = fetch_one(d, &keys[i]);
		if (rc != GT_OK && gt_home_transient(rc)) {
			/* Note the same failure on the others, so their pages say it at once. */
			for (size_t j = i + 1; j < n; j++)
				(void)gt_cstore_dash_fail(d->fetcher->st, &keys[j],
				                          _("the server could not be reached"));
			break;
		}
	}
	free(keys);
}

/* Takes the action a form handed over (if any) as the home's key, through the outbox like the
 * CLI, then refreshes the report it changed. */
static void run_action(struct dash *d)
{
	struct action *a = &d->act;
	struct gt_chain_opts co = {0};
	struct gt_chain_result r;
	struct gt_cstore_dash_key k;
	char *said = NULL;
	size_t said_len = 0;
	FILE *err;
	FILE *saved = d->fetcher->err;
	int rc;

	pthread_mutex_lock(&d->lock);
	if (!a->pending || a->done) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	co.kind = a->kind;
	co.org = a->org;
	co.dataset = a->ds;
	co.period = a->pe;
	co.reason = a->reason[0] ? a->reason : NULL;
	co.tries = 1;
	co.timeout_ms = FETCH_TIMEOUT_MS;
	pthread_mutex_unlock(&d->lock);
	err = open_memstream(&said, &said_len);
	d->fetcher->err = err;
	co.out = err;
	memset(&r, 0, sizeof(r));
	rc = gt_chain_run(d->fetcher, &co, &r);
	d->fetcher->err = saved;
	if (err != NULL)
		fclose(err);
	pthread_mutex_lock(&d->lock);
	a->rc = rc;
	a->result = r;
	snprintf(a->said, sizeof(a->said), "%s", said != NULL ? said : "");
	a->done = 1;
	pthread_cond_broadcast(&d->answered);
	pthread_mutex_unlock(&d->lock);
	free(said);
	/* The page the form came from and the unit's own report show the new state. */
	snprintf(k.dataset, sizeof(k.dataset), "%s", co.dataset);
	snprintf(k.period, sizeof(k.period), "%s", co.period);
	snprintf(k.org, sizeof(k.org), "%s", d->fetcher->org);
	(void)fetch_one(d, &k);
	snprintf(k.org, sizeof(k.org), "%s", co.org);
	(void)fetch_one(d, &k);
}

/* The certificate and key (PEM) for TLS: the options' files, else ones made in the home. */
static int tls_files(struct dash *d, const char *host, char **cert, char **key)
{
	const struct gt_dashboard_opts *o = d->o;
	char cpath[GT_PATH_MAX], kpath[GT_PATH_MAX];
	size_t len;
	int rc;

	*cert = *key = NULL;
	if (o->tls_cert != NULL && o->tls_key != NULL) {
		snprintf(cpath, sizeof(cpath), "%s", o->tls_cert);
		snprintf(kpath, sizeof(kpath), "%s", o->tls_key);
	} else {
		snprintf(cpath, sizeof(cpath), "%s/" DASH_CERT, o->home);
		snprintf(kpath, sizeof(kpath), "%s/" DASH_KEY, o->home);
		if (access(cpath, F_OK) != 0) {
			rc = gt_tlscert_make_self_signed(cpath, kpath, host, GT_TLSCERT_INIT_DAYS);
			if (rc != GT_OK)
				return rc;
			fprintf(o->out, "dashboard: made a certificate for %s in %s\n", host,
			        cpath);
		}
	}
	if ((rc = gt_file_read(cpath, GT_PATH_MAX * 64, (uint8_t **)cert, &len)) != GT_OK)
		return rc;
	if ((rc = gt_file_read(kpath, GT_PATH_MAX * 64, (uint8_t **)key, &len)) != GT_OK) {
		free(*cert);
		*cert = NULL;
	}
	return rc;
}

void gt__dashboard_defaults(const struct gt_dashboard_opts *o, const struct gt_meta *meta,
                            char ds[GT_CSTORE_DASH_DS_LEN], char pe[GT_CSTORE_DASH_PE_LEN])
{
	time_t now = time(NULL);
	struct tm tm;

	snprintf(ds, GT_CSTORE_DASH_DS_LEN, "%s",
	         o->dataset != NULL                    ? o->dataset
	         : meta != NULL && meta->ndatasets > 0 ? meta->datasets[0]->code
	                                               : "KK");
	if (o->period != NULL) {
		snprintf(pe, GT_CSTORE_DASH_PE_LEN, "%s", o->period);
		return;
	}
	gmtime_r(&now, &tm);
	snprintf(pe, GT_CSTORE_DASH_PE_LEN, "%d", tm.tm_year + 1900 - 1);
}

const char *gt__dashboard_zone(const struct gt_dashboard_opts *o, struct gt_home *h,
                               char buf[GT_TZ_NAME_MAX])
{
	struct gt_cstore_orgunit ou;

	if (o->zone != NULL)
		return o->zone;
	if (gt_cstore_orgunit_get(h->st, h->org, &ou) == GT_OK && ou.time_zone[0]) {
		snprintf(buf, GT_TZ_NAME_MAX, "%s", ou.time_zone);
		return buf;
	}
	return "WIB";
}

/* The host of a HOST:PORT address (without brackets). */
static void host_of(const char *listen, char *out, size_t len)
{
	const char *colon = strrchr(listen, ':');
	size_t n = colon != NULL ? (size_t)(colon - listen) : strlen(listen);

	if (n > 0 && listen[0] == '[' && listen[n - 1] == ']') {
		listen++;
		n -= 2;
	}
	snprintf(out, len, "%.*s", (int)n, listen);
}

/* Opens url in the desktop's browser: $BROWSER's first command when set (the convention of a
 * colon-separated list), else xdg-open. A grandchild runs it, so no child is left to reap. */
static void open_browser(const char *url)
{
	const char *b = getenv("BROWSER");
	char cmd[GT_PATH_MAX];
	pid_t pid;

	if (b != NULL && b[0]) {
		size_t n = strcspn(b, ":");
		snprintf(cmd, sizeof(cmd), "%.*s", (int)n, b);
	} else {
		snprintf(cmd, sizeof(cmd), "xdg-open");
	}
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		if (fork() == 0) {
			int null = open("/dev/null", O_RDWR);
			sigset_t none;
			sigemptyset(&none);
			pthread_sigmask(SIG_SETMASK, &none, NULL);
			if (null >= 0) {
				dup2(null, 0);
				dup2(null, 1);
				dup2(null, 2);
			}
			execlp(cmd, cmd, url, (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
	(void)waitpid(pid, NULL, 0);
}

static int is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}

/* Opens the dashboard's two home handles (the fetcher's and the web's) and the metadata, picks
 * the defaults and makes the form token; with tls, the login token and the certificate and key
 * (PEM, the caller frees them) for the listening address's host. */
static int dash_prepare(struct dash *d, const char *listen, int tls, char **cert, char **key)
{
	const struct gt_dashboard_opts *o = d->o;
	char host[256];
	int rc;

	if ((rc = gt_home_open(o->home, o->err, &d->fetcher)) != GT_OK ||
	    (rc = gt_home_open(o->home, o->err, &d->web)) != GT_OK)
		return rc;
	if ((rc = gt_home_meta(d->fetcher, "gtsync dashboard", &d->meta)) != GT_OK)
		return rc;
	gt__dashboard_defaults(o, d->meta, d->ds, d->pe);
	d->zone = gt__dashboard_zone(o, d->web, d->zone_buf);
	if ((rc = token(d->csrf)) != GT_OK || !tls)
		return rc;
	host_of(listen, host, sizeof(host));
	if ((rc = token(d->login)) != GT_OK)
		return rc;
	if ((rc = tls_files(d, host, cert, key)) != GT_OK)
		fprintf(o->err,
		        "gtsync dashboard: an address other than 127.0.0.1 needs TLS, and its "
		        "certificate could not be read or made: %s\n",
		        gt_strerror(rc));
	return rc;
}

/* Says where the dashboard listens (and the login address with TLS), and opens the browser
 * when asked. */
static void dash_announce(struct dash *d, const char *listen, const struct sockaddr_storage *ss,
                          int tls, unsigned port)
{
	const struct gt_dashboard_opts *o = d->o;
	char url[400], host[256];
	int v6 = ss->ss_family == AF_INET6;

	host_of(listen, host, sizeof(host));
	snprintf(url, sizeof(url), "%s://%s%s%s:%u/", tls ? "https" : "http", v6 ? "[" : "", host,
	         v6 ? "]" : "", port);
	fprintf(o->out, "dashboard: %s\n", url);
	if (tls)
		fprintf(o->out, "login: %smasuk?token=%s\n", url, d->login);
	fprintf(o->out, "dashboard: data set %s, period %s; stop with Ctrl-C\n", d->ds, d->pe);
	fflush(o->out);
	if (o->open_browser)
		open_browser(url);
}

/* The fetcher's loop, until SIGINT or SIGTERM: the action and checks pages asked for, a
 * refresh of every report each `every` seconds (at once on SIGUSR2), else of the reports
 * pages asked for; then the pages that waited are rendered again. */
static void dash_loop(struct dash *d, const sigset_t *set, unsigned every)
{
	int64_t last_round = 0;

	for (;;) {
		struct timespec wait = {1, 0};
		int64_t now;
		int sig = sigtimedwait(set, NULL, &wait);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		run_action(d);
		run_provs(d);
		now = gt_clock_wall_ms();
		if (sig == SIGUSR2) {
			refresh(d, now + 1, 1);
			last_round = now;
		} else if (now - last_round >= (int64_t)every * 1000) {
			refresh(d, now - (int64_t)every * 1000 + 1, 1);
			last_round = now;
		} else {
			/* Reports a page asked for and never fetched. */
			refresh(d, 1, 0);
		}
		/* The pages and forms that waited are rendered again. */
		release(d);
	}
}

int gt_dashboard_run(const struct gt_dashboard_opts *o)
{
	struct dash d = {.o = o,
	                 .lock = PTHREAD_MUTEX_INITIALIZER,
	                 .answered = PTHREAD_COND_INITIALIZER,
	                 .prov_lock = PTHREAD_MUTEX_INITIALIZER,
	                 .self = getpid()};
	const char *listen = o->listen != NULL ? o->listen : GT_DASHBOARD_LISTEN;
	struct sockaddr_storage ss;
	struct MHD_Daemon *mhd = NULL;
	const union MHD_DaemonInfo *info;
	char *cert = NULL, *key = NULL;
	sigset_t set, old;
	int rc, tls;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGPIPE);
	if ((rc = gt_addr_parse(listen, &ss)) != GT_OK) {
		fprintf(o->err,
		        "gtsync dashboard: --listen %s is not HOST:PORT with an IP address\n",
		        listen);
		return rc;
	}
	tls = o->tls || !is_loopback(&ss);
	if ((rc = dash_prepare(&d, listen, tls, &cert, &key)) != GT_OK)
		goto out;
	/* Every thread (libmicrohttpd's included) leaves these signals to sigtimedwait below. */
	pthread_sigmask(SIG_BLOCK, &set, &old);
	mhd = MHD_start_daemon(
	    MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | (tls ? MHD_USE_TLS : 0), 0,
	    NULL, NULL, handle, &d, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, &d, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
	    MHD_OPTION_END);
	if (mhd == NULL) {
		fprintf(o->err, "gtsync dashboard: cannot listen on %s: %s\n", listen,
		        strerror(errno ? errno : EADDRINUSE));
		rc = GT_EIO;
		goto unmask;
	}
	info = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT);
	dash_announce(&d, listen, &ss, tls, info != NULL ? (unsigned)info->port : 0u);
	dash_loop(&d, &set, o->every_s ? o->every_s : GT_DASHBOARD_EVERY_S);
	rc = GT_OK;
	/* libmicrohttpd stops only with no connection suspended. */
	release(&d);
	MHD_stop_daemon(mhd);
unmask:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
out:
	if (key != NULL) {
		gt_crypto_wipe(key, strlen(key));
		free(key);
	}
	free(cert);
	for (size_t i = 0; i < MAX_PROVS; i++) {
		gt_verify_result_free(&d.provs[i].res);
		free(d.provs[i].said);
	}
	gt_meta_free(d.meta);
	gt_home_close(d.web);
	gt_home_close(d.fetcher);
	return rc;
}
