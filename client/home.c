/* A client's home directory: its store, key and pinned certificate, and logging in with them. */
#include "home.h"
#include "i18n.h"
#include "metapull.h"

#include "clock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "error.h"
#include "fileio.h"
#include "protonames.h"
#include "servermsg.h"
#include "termtext.h"
#include "tls.h"
#include "treelog.h"

static void say(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A line for a person on err, escaped for the terminal (termtext.h). */
static void say(FILE *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gt_termtext_vline(err, fmt, ap);
	va_end(ap);
}

void gt_home_say(struct gt_home *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gt_termtext_vline(h->err, fmt, ap);
	va_end(ap);
}

int gt_home_resolve(const char *opt, char *out, size_t len)
{
	const char *env = getenv(GT_HOME_ENV), *home = getenv("HOME");
	int n;

	if (len > 0)
		out[0] = '\0';
	if (opt != NULL && opt[0] != '\0')
		n = snprintf(out, len, "%s", opt);
	else if (env != NULL && env[0] != '\0')
		n = snprintf(out, len, "%s", env);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(out, len, "%s/%s", home, GT_HOME_DEFAULT);
	else
		return GT_ENOENT;
	if (n < 0 || (size_t)n >= len)
		return GT_ETOOBIG;
	return GT_OK;
}

/* Fills the paths of h from dir. */
static int set_paths(struct gt_home *h, const char *dir)
{
	int n = snprintf(h->dir, sizeof(h->dir), "%s", dir);
	if (n < 0 || (size_t)n >= sizeof(h->dir) - 16)
		return GT_ETOOBIG;
	snprintf(h->db_path, sizeof(h->db_path), "%s/%s", dir, GT_HOME_DB);
	snprintf(h->key_path, sizeof(h->key_path), "%s/%s", dir, GT_HOME_KEY);
	snprintf(h->pub_path, sizeof(h->pub_path), "%s/%s", dir, GT_HOME_PUB);
	snprintf(h->ca_path, sizeof(h->ca_path), "%s/%s", dir, GT_HOME_CA);
	return GT_OK;
}

/* What gt_home_init() has made so far, to undo on failure. */
struct made {
	int ca, key, pub, db;
};

/* Checks the arguments of init and that dir is not a home already; creates dir. */
static int init_check(struct gt_home *h, const char *dir, const char *server, const char *org,
                      FILE *err)
{
	struct sockaddr_storage ss;

	if (set_paths(h, dir) != GT_OK) {
		say(err, _("gtsync init: the home path is too long"));
		return GT_ETOOBIG;
	}
	if (gt_addr_parse(server, &ss) != GT_OK) {
		say(err,
		    _("gtsync init: --server must be HOST:PORT with HOST an IP address or "
		      "localhost (e.g. 127.0.0.1:7443), not '%s'"),
		    server);
		return GT_EINVAL;
	}
	if (gt_orgunit_valid(org) != GT_OK) {
		say(err,
		    _("gtsync init: --org must be an org-unit code: ID, a province (53) or a "
		      "district (53.71), not '%s'"),
		    org);
		return GT_EINVAL;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		int rc = gt_err_from_errno(errno);
		say(err, _("gtsync init: cannot create %s: %s"), dir, strerror(errno));
		return rc;
	}
	if (access(h->db_path, F_OK) == 0 || access(h->key_path, F_OK) == 0) {
		say(err,
		    _("gtsync init: %s is already a gtsync home; nothing was changed (use "
		      "another --home for another key)"),
		    dir);
		return GT_EEXIST;
	}
	return GT_OK;
}

/* Copies the pinned certificate (checked to be usable) and writes a new key. */
static int init_files(struct gt_home *h, const char *ca_file, struct gt_home_init_info *info,
                      struct made *made, FILE *err)
{
	struct gt_tls_ctx *tls = NULL;
	struct gt_key *k = NULL;
	uint8_t *ca = NULL;
	size_t ca_len = 0;
	int rc;

	rc = gt_file_read(ca_file, GT_HOME_MAX_CA, &ca, &ca_len);
	if (rc != GT_OK) {
		say(err, _("gtsync init: cannot read the server certificate %s: %s"), ca_file,
		    gt_error_text(rc));
		goto out;
	}
	if ((rc = gt_tls_client_ctx_new(ca_file, NULL, &tls)) != GT_OK) {
		say(err,
		    _("gtsync init: %s holds no usable certificate (expected the server's "
		      "tls-cert.pem)"),
		    ca_file);
		goto out;
	}
	if ((rc = gt_key_generate(&k)) != GT_OK || (rc = gt_key_id(k, info->key_id)) != GT_OK ||
	    (rc = gt_key_public_b64(k, info->pub_b64)) != GT_OK) {
		say(err, _("gtsync init: cannot generate a key: %s"), gt_error_text(rc));
		goto out;
	}
	if ((rc = gt_file_write(h->ca_path, ca, ca_len, 0644, 1)) != GT_OK) {
		say(err, _("gtsync init: cannot write %s: %s"), h->ca_path, gt_error_text(rc));
		goto out;
	}
	made->ca = 1;
	if ((rc = gt_key_save(k, h->key_path)) != GT_OK) {
		say(err, _("gtsync init: cannot write %s: %s"), h->key_path, gt_error_text(rc));
		goto out;
	}
	made->key = 1;
	if ((rc = gt_key_save_public(k, h->pub_path)) != GT_OK && rc != GT_EEXIST) {
		say(err, _("gtsync init: cannot write %s: %s"), h->pub_path, gt_error_text(rc));
		goto out;
	}
	made->pub = rc == GT_OK;
	rc = GT_OK;
out:
	gt_key_free(k);
	gt_tls_ctx_free(tls);
	free(ca);
	return rc;
}

/* Creates the store with the home's settings. */
static int init_store(struct gt_home *h, const char *server, const char *org,
                      const struct gt_home_init_info *info, struct made *made, FILE *err)
{
	struct gt_cstore *st = NULL;
	int rc;

	if ((rc = gt_cstore_create(h->db_path, &st)) != GT_OK) {
		say(err, _("gtsync init: cannot create %s: %s"), h->db_path, gt_error_text(rc));
		return rc;
	}
	made->db = 1;
	if ((rc = gt_cstore_begin(st)) != GT_OK ||
	    (rc = gt_cstore_config_set(st, GT_CSTORE_CFG_SERVER, server)) != GT_OK ||
	    (rc = gt_cstore_config_set(st, GT_CSTORE_CFG_ORG, org)) != GT_OK ||
	    (rc = gt_cstore_config_set(st, GT_CSTORE_CFG_KEY_ID, info->key_id)) != GT_OK ||
	    (rc = gt_cstore_config_set_u64(st, GT_CSTORE_CFG_NEXT_SEQ, 1)) != GT_OK ||
	    (rc = gt_cstore_commit(st)) != GT_OK)
		say(err, _("gtsync init: cannot write %s: %s"), h->db_path, gt_cstore_errmsg(st));
	gt_cstore_close(st);
	return rc;
}

/* Removes what a failed init made. */
static void init_undo(const struct gt_home *h, const struct made *made)
{
	if (made->db) {
		char side[GT_PATH_MAX + 8];
		(void)unlink(h->db_path);
		snprintf(side, sizeof(side), "%s-wal", h->db_path);
		(void)unlink(side);
		snprintf(side, sizeof(side), "%s-shm", h->db_path);
		(void)unlink(side);
	}
	if (made->pub)
		(void)unlink(h->pub_path);
	if (made->key)
		(void)unlink(h->key_path);
	if (made->ca)
		(void)unlink(h->ca_path);
}

int gt_home_init(const char *dir, const char *server, const char *org, const char *ca_file,
                 struct gt_home_init_info *info, FILE *err)
{
	struct gt_home *h = calloc(1, sizeof(*h));
	struct made made = {0};
	int rc;

	memset(info, 0, sizeof(*info));
	if (h == NULL)
		return GT_ENOMEM;
	rc = init_check(h, dir, server, org, err);
	if (rc == GT_OK)
		rc = init_files(h, ca_file, info, &made, err);
	if (rc == GT_OK)
		rc = init_store(h, server, org, info, &made, err);
	if (rc != GT_OK) {
		init_undo(h, &made);
		memset(info, 0, sizeof(*info));
	}
	free(h);
	return rc;
}

int gt_home_open(const char *dir, FILE *err, struct gt_home **out)
{
	struct gt_home *h;
	int rc;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return GT_ENOMEM;
	h->err = err;
	if ((rc = set_paths(h, dir)) != GT_OK) {
		say(err, _("gtsync: the home path is too long"));
		goto fail;
	}
	rc = gt_cstore_open(h->db_path, &h->st);
	if (rc == GT_ENOENT) {
		say(err,
		    _("gtsync: %s is not a gtsync home (no %s); run 'gtsync init --home %s "
		      "--server HOST:PORT --org CODE --ca CERT.pem' first, or set --home or %s"),
		    dir, GT_HOME_DB, dir, GT_HOME_ENV);
		goto fail;
	}
	if (rc != GT_OK) {
		say(err, _("gtsync: cannot open %s: %s"), h->db_path,
		    rc == GT_ECORRUPT  ? _("it is not a gtsync client store")
		    : rc == GT_ENOTSUP ? _("a newer version of gtsync wrote it; use that version")
		                       : gt_error_text(rc));
		goto fail;
	}
	if ((rc = gt_cstore_config_get(h->st, GT_CSTORE_CFG_SERVER, h->server,
	                               sizeof(h->server))) != GT_OK ||
	    (rc = gt_cstore_config_get(h->st, GT_CSTORE_CFG_ORG, h->org, sizeof(h->org))) !=
	        GT_OK ||
	    (rc = gt_cstore_config_get(h->st, GT_CSTORE_CFG_KEY_ID, h->key_id,
	                               sizeof(h->key_id))) != GT_OK) {
		say(err, _("gtsync: %s lacks its settings (%s); initialise a new home"), h->db_path,
		    gt_error_text(rc));
		rc = GT_ECORRUPT;
		goto fail;
	}
	rc = gt_cstore_config_get(h->st, GT_CSTORE_CFG_ROLE, h->role, sizeof(h->role));
	if (rc == GT_OK || rc == GT_ENOENT)
		rc = gt_cstore_config_get(h->st, GT_CSTORE_CFG_LANG, h->lang, sizeof(h->lang));
	if (rc == GT_OK && !gt_i18n_known(h->lang))
		h->lang[0] = '\0'; /* a language this version does not speak */
	if (rc != GT_OK && rc != GT_ENOENT) {
		say(err, _("gtsync: cannot read %s: %s"), h->db_path, gt_cstore_errmsg(h->st));
		goto fail;
	}
	*out = h;
	return GT_OK;
fail:
	gt_home_close(h);
	return rc;
}

void gt_home_zone(struct gt_home *h, char *out, size_t len)
{
	if (len == 0)
		return;
	if (gt_cstore_config_get(h->st, GT_CSTORE_CFG_ZONE, out, len) != GT_OK)
		out[0] = '\0';
}

int gt_home_set_lang(struct gt_home *h, const char *lang)
{
	int rc;

	if (!gt_i18n_known(lang))
		return GT_EINVAL;
	if ((rc = gt_cstore_begin(h->st)) != GT_OK)
		return rc;
	if ((rc = gt_cstore_config_set(h->st, GT_CSTORE_CFG_LANG, lang)) != GT_OK) {
		gt_cstore_rollback(h->st);
		return rc;
	}
	if ((rc = gt_cstore_commit(h->st)) == GT_OK)
		snprintf(h->lang, sizeof(h->lang), "%s", lang);
	return rc;
}

void gt_home_close(struct gt_home *h)
{
	if (h == NULL)
		return;
	gt_cstore_close(h->st);
	gt_key_free(h->key);
	free(h);
}

int gt_home_key(struct gt_home *h)
{
	const char *why = NULL;
	char id[GT_KEY_ID_LEN + 1];
	int rc;

	if (h->key != NULL)
		return GT_OK;
	rc = gt_key_load_why(h->key_path, &h->key, &why);
	if (rc != GT_OK) {
		say(h->err, _("gtsync: cannot use the key %s: %s"), h->key_path,
		    why ? why : gt_error_text(rc));
		return rc;
	}
	if (gt_key_id(h->key, id) != GT_OK || strcmp(id, h->key_id) != 0) {
		say(h->err,
		    _("gtsync: the key %s (id %s) is not the key this home was set up with "
		      "(id %s)"),
		    h->key_path, id, h->key_id);
		gt_key_free(h->key);
		h->key = NULL;
		return GT_EKEY;
	}
	return GT_OK;
}

int gt_home_connect(struct gt_home *h, uint32_t timeout_ms, struct gt_session **s,
                    gt_envelope **auth, struct gt_session_err *err)
{
	struct gt_session_opts o = {0};
	gt_envelope *res = NULL;
	int rc;

	*s = NULL;
	if (auth != NULL)
		*auth = NULL;
	memset(err, 0, sizeof(*err));
	if ((rc = gt_home_key(h)) != GT_OK) {
		err->code = rc;
		snprintf(err->message, sizeof(err->message),
		         "this home's key cannot be used (see "
		         "above)");
		return rc;
	}
	/* An open alarm about the server's log stops every exchange (issue 14). */
	if ((rc = gt_treelog_refuse(h, err)) != GT_OK)
		return rc;
	o.server = h->server;
	o.ca_path = h->ca_path;
	o.key = h->key;
	o.timeout_ms = timeout_ms;
	rc = gt_session_open(&o, s, &res, err);
	if (rc != GT_OK)
		return rc;
	/* Every session checks that the server's log extends what this office verified. */
	if ((rc = gt_treelog_check(h, *s, err)) != GT_OK) {
		gt_session_close(*s);
		*s = NULL;
		gt_wire_envelope_free(res);
		return rc;
	}
	const Gtsync__V1__AuthResult *ar = res->auth_result;
	char roles[GT_ROLESET_TEXT_MAX];
	unsigned set = gt_roleset_of_auth(ar);
	const char *role = set != 0 ? gt_roleset_format(set, roles, sizeof(roles)) : "";
	if (strcmp(role, h->role) != 0) {
		/* Best effort: a read-only store still lets a person read. */
		if (gt_cstore_config_set(h->st, GT_CSTORE_CFG_ROLE, role) == GT_OK)
			snprintf(h->role, sizeof(h->role), "%s", role);
	}
	if (ar->org_unit != NULL && strcmp(ar->org_unit, h->org) != 0)
		say(h->err,
		    _("gtsync: warning: the server registered this key for org unit %s, but this "
		      "home was set up for %s"),
		    ar->org_unit, h->org);
	if (auth != NULL)
		*auth = res;
	else
		gt_wire_envelope_free(res);
	return GT_OK;
}

int gt_home_request(struct gt_home *h, const char *what, uint32_t timeout_ms, gt_envelope *env,
                    int want, gt_envelope **reply)
{
	char sm[GT_SERVERMSG_MAX];
	struct gt_session *s = NULL;
	struct gt_session_err err;
	int rc;

	*reply = NULL;
	rc = gt_home_connect(h, timeout_ms, &s, NULL, &err);
	if (rc == GT_OK)
		rc = gt_session_call(s, env, reply, &err);
	gt_session_close(s);
	if (rc != GT_OK) {
		gt_home_explain(h, what, &err);
		return rc;
	}
	if ((int)(*reply)->body_case == want)
		return GT_OK;
	if ((*reply)->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR) {
		const Gtsync__V1__Error *e = (*reply)->error;
		say(h->err, _("%s: the server refused: %s"), what,
		    gt_servermsg_error(e->code, e->message, sm));
		rc = e->code < 0 && e->code >= GT_ERR_MIN ? e->code : GT_EPROTO;
		if (gt_home_transient(rc))
			rc = GT_EPROTO; /* a refusal, not a lost link */
	} else {
		say(h->err, _("%s: the server answered out of turn"), what);
		rc = GT_EPROTO;
	}
	gt_wire_envelope_free(*reply);
	*reply = NULL;
	return rc;
}

int gt_home_transient(int code)
{
	switch (code) {
	case GT_ECONNREFUSED:
	case GT_ENET:
	case GT_ETIMEDOUT:
	case GT_ECLOSED:
	case GT_EIO:
	case GT_EBUSY:
	case GT_ELIMIT:
	case GT_ECANCELED:
	case GT_ENOSPC:
	case GT_ESTORE:
	case GT_ENOMEM:
		return 1;
	default:
		return 0;
	}
}

void gt_home_explain(struct gt_home *h, const char *what, const struct gt_session_err *err)
{
	char b64[GT_KEY_PUB_B64_LEN + 1] = "";

	switch (err->code) {
	case GT_ECONNREFUSED:
	case GT_ENET:
	case GT_ETIMEDOUT:
	case GT_ECLOSED:
		say(h->err, _("%s: the server %s is unreachable (%s)"), what, h->server,
		    err->message[0] ? err->message : gt_error_text(err->code));
		break;
	case GT_ETLS:
		say(h->err,
		    _("%s: refused: the server at %s did not present the pinned certificate %s "
		      "(%s). "
		      "Nothing was sent. If the server's certificate was replaced, get its new "
		      "tls-cert.pem from the central administrator and copy it to %s."),
		    what, h->server, h->ca_path, err->message[0] ? err->message : _("TLS failure"),
		    h->ca_path);
		break;
	case GT_EKEY:
		if (h->key != NULL)
			(void)gt_key_public_b64(h->key, b64);
		say(h->err, _("%s: the server does not accept this key: %s."), what,
		    err->message[0] ? err->message : _("not registered or revoked"));
		say(h->err, _("Give the central administrator this key id: %s"),
		    err->key_id[0] ? err->key_id : h->key_id);
		say(h->err, _("and public key: %s"), b64[0] ? b64 : _("(see key.pub)"));
		say(h->err,
		    _("(they register it with: gtsync-server key add --org %s --role ROLE --pubkey "
		      "%s)"),
		    h->org, b64[0] ? b64 : "...");
		break;
	default:
		say(h->err, _("%s: cannot work with the server %s: %s"), what, h->server,
		    err->message[0] ? err->message : gt_error_text(err->code));
		break;
	}
}

int gt_home_meta(struct gt_home *h, const char *what, struct gt_meta **out)
{
	struct gt_meta_errors *errs = calloc(1, sizeof(*errs));
	int rc;

	*out = NULL;
	if (errs == NULL)
		return GT_ENOMEM;
	gt_meta_errors_init(errs);
	rc = gt_cstore_metadata_load(h->st, out, errs);
	if (rc == GT_ENOENT) {
		/* A home just enrolled fetches its state on first use: no step to remember. */
		struct gt_metapull_opts o = {.out = h->err};
		say(h->err, _("%s: no metadata yet; fetching it from the server"), what);
		if (gt_metapull_run(h, &o, NULL) == GT_OK) {
			gt_meta_errors_clear(errs);
			gt_meta_errors_init(errs);
			rc = gt_cstore_metadata_load(h->st, out, errs);
		}
	}
	if (rc == GT_ENOENT)
		say(h->err, _("%s: no metadata yet; run 'gtsync metadata pull' first"), what);
	else if (rc != GT_OK)
		say(h->err,
		    _("%s: the stored metadata cannot be read (%s%s%s); run 'gtsync metadata "
		      "pull' again"),
		    what, gt_error_text(rc), errs->count ? ": " : "",
		    errs->count ? errs->items[0].text : "");
	gt_meta_errors_clear(errs);
	free(errs);
	return rc;
}
