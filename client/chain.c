/* The client's side of the reporting chain: one workflow action, saved, signed, sent, answered. */
#include "chain.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "approval.h"
#include "clock.h"
#include "error.h"
#include "fileio.h"
#include "i18n.h"
#include "orgunit.h"
#include "period.h"
#include "piiscreen.h"
#include "protonames.h"
#include "push.h"
#include "servermsg.h"
#include "termtext.h"

/* Checks the action against the pulled metadata; sentences on h->err. */
/* Checks what only some actions carry: the last day of a late-entry opening, the warning rules
 * an approval acknowledges (each a rule of the data set). */
static int check_extras(struct gt_home *h, const char *what, const struct gt_meta *meta,
                        const struct gt_meta_dataset *ds, const struct gt_chain_opts *o)
{
	struct gt_date until;
	char codes[1024], *save = NULL;

	if (o->kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE &&
	    (o->until == NULL || gt_date_parse(o->until, &until) != GT_OK)) {
		gt_home_say(h, _("%s: --until needs the last day of late entry as YYYY-MM-DD"),
		            what);
		return GT_EINVAL;
	}
	if (o->acknowledge == NULL || o->acknowledge[0] == '\0')
		return GT_OK;
	if (strlen(o->acknowledge) >= sizeof(codes)) {
		gt_home_say(h, _("%s: --acknowledge lists too many rules"), what);
		return GT_EINVAL;
	}
	snprintf(codes, sizeof(codes), "%s", o->acknowledge);
	for (char *c = strtok_r(codes, ",", &save); c != NULL; c = strtok_r(NULL, ",", &save)) {
		const struct gt_meta_rule *r = gt_meta_rule_find(meta, c);
		if (r == NULL || r->dataset != ds) {
			gt_home_say(
			    h,
			    _("%s: %s is not a validation rule of data set %s (see the server's "
			      "message for the rules to acknowledge)"),
			    what, c, ds->code);
			return GT_EINVAL;
		}
	}
	return GT_OK;
}

static int check(struct gt_home *h, const char *what, const struct gt_meta *meta,
                 const struct gt_chain_opts *o, const char *org)
{
	const struct gt_meta_dataset *ds = gt_meta_dataset_find(meta, o->dataset);
	struct gt_period p;
	char why[512];

	if (ds == NULL) {
		gt_home_say(h,
		            _("%s: data set %s is not in the pulled metadata (run 'gtsync metadata "
		              "pull' if it is new)"),
		            what, o->dataset);
		return GT_ENOENT;
	}
	if (gt_period_parse(o->period, &p) != GT_OK) {
		gt_home_say(h, _("%s: %s is not a DHIS2 period (2025, 2025S1, 2025Q1, 202501)"),
		            what, o->period);
		return GT_EINVAL;
	}
	if ((int)p.type < (int)ds->period_type) {
		gt_home_say(h,
		            _("%s: data set %s is reported %s; a report is approved for a %s "
		              "period or a coarser one (e.g. the year), not %s"),
		            what, ds->code, gt_period_type_text(ds->period_type),
		            gt_period_type_text(ds->period_type), o->period);
		return GT_EINVAL;
	}
	if (gt_orgunit_valid(org) != GT_OK) {
		gt_home_say(h, _("%s: %s is not an org unit code (53, 53.71, ID)"), what, org);
		return GT_EINVAL;
	}
	if (o->reason != NULL && strlen(o->reason) > GT_CHAIN_MAX_REASON) {
		gt_home_say(h, _("%s: the reason is longer than %u bytes"), what,
		            GT_CHAIN_MAX_REASON);
		return GT_EINVAL;
	}
	if (gt_piiscreen_check(_("reason"), o->reason, why, sizeof(why)) != GT_OK) {
		gt_home_say(h, _("%s: %s; nothing was queued"), what, why);
		return GT_EINVAL;
	}
	return check_extras(h, what, meta, ds, o);
}

/* The server's words for a skipped action start with the action, which the line names
 * already: the cause alone. */
static const char *cause_of(const struct gt_cstore_action *a)
{
	char prefix[300];
	int n = snprintf(prefix, sizeof(prefix), "%s %s %s %s: ", gt_protonames_kind(a->kind),
	                 a->dataset, a->period, a->org_unit);

	if (n > 0 && (size_t)n < sizeof(prefix) && strncmp(a->message, prefix, (size_t)n) == 0)
		return a->message + n;
	return a->message;
}

/* Fills r from the saved action and prints the outcome. */
static int report_outcome(struct gt_home *h, const char *what, const struct gt_chain_opts *o,
                          struct gt_chain_result *r)
{
	char sm[GT_SERVERMSG_MAX];
	struct gt_cstore_action a;
	int rc = gt_cstore_action_get(h->st, r->action_id, &a);

	if (rc != GT_OK) {
		gt_home_say(h, _("%s: cannot read the action back: %s"), what,
		            gt_cstore_errmsg(h->st));
		return rc;
	}
	snprintf(r->message, sizeof(r->message), "%s", a.message);
	switch (a.state) {
	case GT_CSTORE_ACKED:
		if (a.status == GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE) {
			r->outcome = GT_CHAIN_DUPLICATE;
			gt_termtext_line(
			    o->out,
			    _("%s %s %s %s: the server already had this action (batch "
			      "%" PRIu64
			      ", sent before); 'gtsync report' shows the report's state"),
			    gt_protonames_kind(a.kind), a.dataset, a.period, a.org_unit, a.seq);
		} else {
			r->outcome = GT_CHAIN_APPLIED;
			if (gt_protonames_kind_state(a.kind) == 0)
				gt_termtext_line(
				    o->out,
				    _("%s %s %s %s: applied; it is in the report's history "
				      "(batch %" PRIu64 ")"),
				    gt_protonames_kind(a.kind), a.dataset, a.period, a.org_unit,
				    a.seq);
			else
				gt_termtext_line(
				    o->out,
				    _("%s %s %s %s: applied; the report is now %s (batch %" PRIu64
				      ")"),
				    gt_protonames_kind(a.kind), a.dataset, a.period, a.org_unit,
				    _(gt_protonames_state(gt_protonames_kind_state(a.kind))),
				    a.seq);
		}
		break;
	case GT_CSTORE_CONFLICT:
		r->outcome = GT_CHAIN_SKIPPED;
		r->conflict = a.conflict;
		gt_home_say(h, _("%s: %s %s %s: skipped by the server: %s (%s)"), what, a.dataset,
		            a.period, a.org_unit,
		            gt_servermsg_conflict(a.conflict, cause_of(&a), sm),
		            gt_protonames_conflict(a.conflict));
		break;
	case GT_CSTORE_REFUSED:
		r->outcome = GT_CHAIN_REFUSED;
		r->code = a.code;
		gt_home_say(h, _("%s: %s %s %s: refused by the server: %s"), what, a.dataset,
		            a.period, a.org_unit, gt_servermsg_error(a.code, a.message, sm));
		break;
	default:
		r->outcome = GT_CHAIN_UNSENT;
		gt_home_say(h,
		            _("%s: %s %s %s: saved but not answered yet; it goes out with the next "
		              "'gtsync push'"),
		            what, a.dataset, a.period, a.org_unit);
		break;
	}
	gt_cstore_action_clear(&a);
	return GT_OK;
}

int gt_chain_run(struct gt_home *h, const struct gt_chain_opts *o, struct gt_chain_result *r)
{
	const char *org = o->org && o->org[0] ? o->org : h->org;
	struct gt_chain_result local;
	struct gt_meta *meta = NULL;
	struct gt_push_opts po = {0};
	struct gt_push_result pr;
	char what[64], hex[2 * GT_SHA256_LEN + 1];
	int approve = o->kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE;
	int rc, prc;

	if (r == NULL)
		r = &local;
	memset(r, 0, sizeof(*r));
	snprintf(what, sizeof(what), "gtsync %s", gt_protonames_kind(o->kind));
	if ((rc = gt_home_meta(h, what, &meta)) != GT_OK)
		goto out;
	if ((rc = check(h, what, meta, o, org)) != GT_OK)
		goto out;
	if ((rc = gt_home_key(h)) != GT_OK)
		goto out;
	if (approve) {
		/* The approval signs what the server holds now, as this key sees it. */
		rc = gt_approval_pull(h, meta, o->dataset, o->period, org, o->timeout_ms, r->digest,
		                      &r->n_digested);
		if (rc != GT_OK)
			goto out;
		gt_approval_hex(r->digest, hex);
		gt_termtext_line(o->out,
		                 P_("approve: %" PRIu64 " value of %s for %s in %s's subtree, as "
		                    "the server holds them now; signing SHA-256 %s",
		                    "approve: %" PRIu64 " values of %s for %s in %s's subtree, as "
		                    "the server holds them now; signing SHA-256 %s",
		                    (unsigned long)r->n_digested),
		                 r->n_digested, o->dataset, o->period, org, hex);
		(void)gt_testhooks_at(o->hooks, GT_TESTHOOK_DIGESTED);
	}
	struct gt_cstore_action_in in = {
	    .kind = o->kind,
	    .dataset = o->dataset,
	    .period = o->period,
	    .org_unit = org,
	    .reason = o->reason ? o->reason : "",
	    .digest = approve ? r->digest : NULL,
	    .n_digested = r->n_digested,
	    .open_until = o->until,
	    .acknowledged = o->acknowledge,
	};
	/* Saved before anything is sent: a crash from here on sends it next time. */
	rc = gt_cstore_action_queue(h->st, &in, gt_clock_wall_ms(), &r->action_id);
	if (rc != GT_OK) {
		gt_home_say(h, _("%s: cannot save the action: %s; nothing was sent"), what,
		            gt_cstore_errmsg(h->st));
		goto out;
	}
	po.tries = o->tries;
	po.timeout_ms = o->timeout_ms;
	po.backoff_base_ms = o->backoff_base_ms;
	po.hooks = o->hooks;
	po.progress = NULL;
	po.out = NULL;
	prc = gt_push_run(h, &po, &pr);
	rc = report_outcome(h, what, o, r);
	if (rc == GT_OK && r->outcome == GT_CHAIN_UNSENT)
		rc = prc != GT_OK ? prc : GT_EAGAIN;
	if (rc == GT_OK &&
	    pr.actions_applied + pr.actions_skipped + pr.actions_refused + pr.actions_dup > 1 &&
	    o->out)
		fprintf(o->out,
		        _("(%" PRIu64 " earlier workflow actions of this office went out too; "
		          "'gtsync status' lists them)\n"),
		        pr.actions_applied + pr.actions_skipped + pr.actions_refused +
		            pr.actions_dup - 1);
out:
	gt_meta_free(meta);
	return rc;
}
