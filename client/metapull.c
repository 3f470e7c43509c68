/* Metadata pull: the server's data-set definitions and the org units in the key's scope,
 * checked with the server's own loader and stored in the home. */
#include "metapull.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "i18n.h"
#include "termtext.h"

#define WHAT "gtsync metadata pull"

/* The stored version to name in the request: 0 when none is stored or the stored files no
 * longer load (then the server sends them again). *have (caller frees) holds them loaded. */
static uint64_t stored_version(struct gt_home *h, struct gt_meta **have)
{
	struct gt_meta_errors *errs;
	uint64_t version = 0;

	*have = NULL;
	if (gt_cstore_config_get_u64(h->st, GT_CSTORE_CFG_MD_VERSION, &version) != GT_OK ||
	    version == 0)
		return 0;
	errs = calloc(1, sizeof(*errs));
	if (errs == NULL)
		return 0;
	gt_meta_errors_init(errs);
	if (gt_cstore_metadata_load(h->st, have, errs) != GT_OK)
		version = 0;
	gt_meta_errors_clear(errs);
	free(errs);
	return version;
}

/* Sends the MetadataRequest and takes the reply; *reply (caller frees) is a MetadataReply. */
static int ask(struct gt_home *h, const struct gt_metapull_opts *o, uint64_t version,
               gt_envelope **reply)
{
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__MetadataRequest req = GTSYNC__V1__METADATA_REQUEST__INIT;

	req.known_version = version;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_METADATA_REQUEST;
	env.metadata_request = &req;
	return gt_home_request(h, WHAT, o->timeout_ms, &env,
	                       GTSYNC__V1__ENVELOPE__BODY_METADATA_REPLY, reply);
}

/* Loads the files of rep as the server did; on failure says why on h->err. */
static int check_files(struct gt_home *h, const Gtsync__V1__MetadataReply *rep,
                       struct gt_meta **meta)
{
	const char **names = calloc(rep->n_files + 1, sizeof(*names));
	const uint8_t **bufs = calloc(rep->n_files + 1, sizeof(*bufs));
	size_t *lens = calloc(rep->n_files + 1, sizeof(*lens));
	struct gt_meta_errors *errs = calloc(1, sizeof(*errs));
	int rc = GT_ENOMEM;

	*meta = NULL;
	if (!names || !bufs || !lens || !errs)
		goto out;
	gt_meta_errors_init(errs);
	if (rep->n_files == 0) {
		if (h->err != NULL)
			fprintf(h->err, _("gtsync metadata pull: the server has no metadata loaded "
			                  "yet (gtsync-server metadata load)\n"));
		rc = GT_ENOENT;
		goto out;
	}
	for (size_t i = 0; i < rep->n_files; i++) {
		names[i] = rep->files[i]->name;
		bufs[i] =
		    rep->files[i]->content.data ? rep->files[i]->content.data : (const uint8_t *)"";
		lens[i] = rep->files[i]->content.len;
	}
	rc = gt_meta_load_buffers(names, bufs, lens, rep->n_files, meta, errs);
	if (rc != GT_OK && h->err != NULL) {
		for (size_t i = 0; i < errs->count; i++) {
			gt_termtext_put(h->err, errs->items[i].text, 0);
			fputc('\n', h->err);
		}
		fprintf(h->err, _("gtsync metadata pull: the server's metadata does not load here; "
		                  "nothing was stored\n"));
	}
out:
	if (errs != NULL)
		gt_meta_errors_clear(errs);
	free(errs);
	free(names);
	free(bufs);
	free(lens);
	return rc;
}

static void summary(FILE *out, const struct gt_metapull_result *r, int known)
{
	if (out == NULL)
		return;
	if (r->unchanged)
		fprintf(out, _("metadata version %" PRIu64 " unchanged"), r->version);
	else
		fprintf(out, _("metadata version %" PRIu64 ": %zu files"), r->version, r->files);
	if (known)
		fprintf(out, _(", %zu data sets, %zu data elements, %zu rules"), r->datasets,
		        r->elements, r->rules);
	fprintf(out, _("; %" PRIu64 " org units in scope\n"), r->org_units);
}

/* The time zone of org unit code in the reply: its own, else its nearest ancestor's (a
 * district listed without one takes its province's); "" when none is known. */
static const char *zone_of(const Gtsync__V1__MetadataReply *rep, const char *code)
{
	/* Org units are at most three levels deep (ID, province, district). */
	for (int depth = 0; depth < 4 && code != NULL && code[0] != '\0'; depth++) {
		const Gtsync__V1__OrgUnit *u = NULL;
		for (size_t i = 0; i < rep->n_org_units && u == NULL; i++)
			if (rep->org_units[i]->code != NULL &&
			    strcmp(rep->org_units[i]->code, code) == 0)
				u = rep->org_units[i];
		if (u == NULL)
			return "";
		if (u->time_zone != NULL && u->time_zone[0] != '\0')
			return u->time_zone;
		code = u->parent;
	}
	return "";
}

int gt_metapull_run(struct gt_home *h, const struct gt_metapull_opts *o,
                    struct gt_metapull_result *r)
{
	struct gt_metapull_result local;
	struct gt_meta *meta = NULL, *have = NULL;
	const struct gt_meta *m;
	gt_envelope *reply = NULL;
	const Gtsync__V1__MetadataReply *rep;
	int rc;

	if (r == NULL)
		r = &local;
	memset(r, 0, sizeof(*r));
	if ((rc = ask(h, o, stored_version(h, &have), &reply)) != GT_OK)
		goto out;
	rep = reply->metadata_reply;
	if (!rep->unchanged && (rc = check_files(h, rep, &meta)) != GT_OK)
		goto out;
	if ((rc = gt_cstore_metadata_save(h->st, rep)) != GT_OK) {
		if (h->err != NULL)
			fprintf(h->err, _("gtsync metadata pull: cannot store the metadata: %s\n"),
			        gt_cstore_errmsg(h->st));
		goto out;
	}
	(void)gt_cstore_orgunit_count(h->st, &r->org_units);
	/* Times are shown to this office in its zone (issue 12). */
	if (zone_of(rep, h->org)[0] != '\0')
		(void)gt_cstore_config_set(h->st, GT_CSTORE_CFG_ZONE, zone_of(rep, h->org));
	m = meta != NULL ? meta : have;
	r->version = rep->version;
	r->unchanged = rep->unchanged;
	r->files = rep->unchanged ? 0 : rep->n_files;
	if (m != NULL) {
		r->datasets = m->ndatasets;
		r->elements = m->nelements;
		r->rules = m->nrules;
	}
	summary(o->out, r, m != NULL);
out:
	gt_meta_free(meta);
	gt_meta_free(have);
	gt_wire_envelope_free(reply);
	return rc;
}
