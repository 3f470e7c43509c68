/* `gtsync verify`: completeness, timeliness, nil reports and report states recomputed from the
 * signed log the way server/report.c counts them, and compared with the server's report. */
#include "vcomplete.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "humanfmt.h"
#include "i18n.h"
#include "period.h"
#include "protonames.h"
#include "vec.h"
#include "wfstate.h"

#define ST_OPEN     GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN
#define ST_APPROVED GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED
#define ST_ACCEPTED GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED

/* A unit of root's subtree, as the signed log shows it for the report. */
struct vunit {
	char code[GT_ORGUNIT_MAX_LEN];
	char child[GT_ORGUNIT_MAX_LEN]; /* root's child whose subtree holds it; "" for root */
	int expected;                   /* its level reports the data set */
	uint32_t values;                /* its values that count */
	int64_t first;                  /* the earliest creation of those the log covers */
	int has_first;                  /* first is set */
	int unknown;                    /* some of its values' creations the log does not cover */
	int nil;                        /* a nil report of a period overlapping the report's */
	int state;                      /* its report's state, replayed */
	int state_known;                /* every action that moves it is among the entries */
};

/* What a set of units counts (the total, or a child's). */
struct tally {
	uint32_t expected, reported, on_time, on_time_unknown;
	int64_t first; /* the first arrival over every unit, expected or not */
	int has_first, first_unknown;
};

struct gt_vcomplete {
	const char *root;
	const struct gt_meta_dataset *ds;
	const char *period;
	char nil_periods[GT_PERIOD_MAX_OVERLAP][GT_PERIOD_MAX_LEN + 1];
	size_t nnil_periods;
	int64_t deadline_ms;
	struct vunit *units; /* sorted by code */
	size_t nunits, capunits;
	gt_vcomplete_say say;
	void *arg;
};

static void say(struct gt_vcomplete *c, int problem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(struct gt_vcomplete *c, int problem, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->say(c->arg, problem, line);
}

void gt_vcomplete_child_of(const char *root, const char *org, char out[GT_ORGUNIT_MAX_LEN])
{
	int lr = gt_orgunit_level(root), lo = gt_orgunit_level(org);

	out[0] = '\0';
	if (lo <= lr || gt_orgunit_contains(root, org) != 1)
		return;
	snprintf(out, GT_ORGUNIT_MAX_LEN, "%s", org);
	while (lo > lr + 1) {
		char up[GT_ORGUNIT_MAX_LEN];

		/* gt_orgunit_parent() writes its answer over its output first: not in place. */
		if (gt_orgunit_parent(out, up, sizeof(up)) != GT_OK)
			break;
		memcpy(out, up, sizeof(up));
		lo--;
	}
}

static int cmp_unit(const void *a, const void *b)
{
	return strcmp(((const struct vunit *)a)->code, ((const struct vunit *)b)->code);
}

static struct vunit *unit(struct gt_vcomplete *c, const char *code)
{
	struct vunit key;

	if (code == NULL || strlen(code) >= sizeof(key.code) || c->nunits == 0)
		return NULL;
	snprintf(key.code, sizeof(key.code), "%s", code);
	return bsearch(&key, c->units, c->nunits, sizeof(*c->units), cmp_unit);
}

int gt_vcomplete_new(const char *root, const struct gt_meta_dataset *ds, const char *period,
                     const Gtsync__V1__OrgUnit *const *ous, size_t nous, gt_vcomplete_say say_fn,
                     void *arg, struct gt_vcomplete **out)
{
	char parent[GT_ORGUNIT_MAX_LEN];
	struct gt_vcomplete *c;
	int rc = GT_OK;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return GT_ENOMEM;
	c->root = root;
	c->ds = ds;
	c->period = period;
	c->say = say_fn;
	c->arg = arg;
	c->deadline_ms = gt_period_deadline_ms(period, ds->timely_days);
	if (gt_period_overlapping(ds->period_type, period, c->nil_periods, &c->nnil_periods) !=
	    GT_OK) {
		rc = GT_EINVAL;
		goto out;
	}
	for (size_t i = 0; i < nous; i++) {
		const Gtsync__V1__OrgUnit *o = ous[i];
		struct vunit *u;

		if (o->code == NULL || strlen(o->code) >= GT_ORGUNIT_MAX_LEN ||
		    gt_orgunit_contains(root, o->code) != 1)
			continue;
		if (GT_VEC_RESERVE(c->units, c->capunits, c->nunits + 1) != GT_OK) {
			rc = GT_ENOMEM;
			goto out;
		}
		u = &c->units[c->nunits++];
		memset(u, 0, sizeof(*u));
		snprintf(u->code, sizeof(u->code), "%s", o->code);
		gt_vcomplete_child_of(root, o->code, u->child);
		u->expected = ds->levels == 0 || (o->level < 32 && (ds->levels & (1u << o->level)));
		u->state = ST_OPEN;
		/* A return or acceptance of root's own report is signed above it: not fetched. */
		u->state_known = strcmp(o->code, root) != 0 ||
		                 gt_orgunit_parent(root, parent, sizeof(parent)) != GT_OK;
	}
	if (c->nunits > 0)
		qsort(c->units, c->nunits, sizeof(*c->units), cmp_unit);
out:
	if (rc != GT_OK) {
		gt_vcomplete_free(c);
		return rc;
	}
	*out = c;
	return GT_OK;
}

void gt_vcomplete_value(struct gt_vcomplete *c, const char *org, int64_t created_ms, int known)
{
	struct vunit *u = unit(c, org);

	if (u == NULL)
		return; /* not in the org-unit tree: the server does not count it either */
	u->values++;
	if (!known) {
		u->unknown = 1;
	} else if (!u->has_first || created_ms < u->first) {
		u->first = created_ms;
		u->has_first = 1;
	}
}

static int is_nil_period(const struct gt_vcomplete *c, const char *p)
{
	for (size_t i = 0; p != NULL && i < c->nnil_periods; i++)
		if (strcmp(c->nil_periods[i], p) == 0)
			return 1;
	return 0;
}

void gt_vcomplete_action(struct gt_vcomplete *c, uint64_t leaf, const Gtsync__V1__WorkflowAction *a)
{
	struct vunit *u = unit(c, a->org_unit);
	int next;

	if (u == NULL)
		return;
	if (a->kind == GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_NIL_REPORT &&
	    is_nil_period(c, a->period))
		u->nil = 1;
	if (a->period == NULL || strcmp(a->period, c->period) != 0)
		return;
	if (gt_wfstate_next(a->kind, u->state, &next) == GT_ESTATE && u->state_known) {
		say(c, 1,
		    _("leaf %llu: the server applied %s to the report %s %s of %s while it was %s, "
		      "which the approval chain does not allow"),
		    (unsigned long long)leaf, gt_protonames_kind(a->kind), a->dataset, a->period,
		    a->org_unit, gt_protonames_state(u->state));
	}
	/* An action the server applied moved the state, allowed or not by what was fetched. */
	if (gt_wfstate_transition(a->kind) != NULL && gt_wfstate_transition(a->kind)->to != 0)
		next = gt_wfstate_transition(a->kind)->to;
	u->state = next;
}

/* Whether u counts as reported (the server's rule: values, a nil report, or its report
 * approved or accepted); *known 0 when that rests on a state the entries cannot show: root's
 * report approved by its own key may since have been accepted or returned above it (neither
 * can make an unapproved report approved). */
static int reported(const struct vunit *u, int *known)
{
	int approved = u->state == ST_APPROVED || u->state == ST_ACCEPTED;

	*known = 1;
	if (u->values > 0 || u->nil)
		return 1;
	*known = u->state_known || !approved;
	return approved;
}

/* Whether u's first value arrived by the deadline; *known 0 when the log does not cover the
 * time of a value that could have been first. */
static int on_time(const struct gt_vcomplete *c, const struct vunit *u, int *known)
{
	*known = 1;
	if (u->values == 0)
		return 0;
	if (u->has_first && u->first <= c->deadline_ms)
		return 1;
	*known = !u->unknown;
	return 0;
}

static int listed(char **list, size_t n, const char *code);

/* Adds u to t; a unit whose reporting the log cannot tell counts as the server's report
 * (cp) says (a note names it). */
static void count(const struct gt_vcomplete *c, const Gtsync__V1__Completeness *cp,
                  const struct vunit *u, struct tally *t)
{
	int rk, ok;

	if (u->values > 0) {
		if (u->unknown)
			t->first_unknown = 1;
		if (u->has_first && (!t->has_first || u->first < t->first)) {
			t->first = u->first;
			t->has_first = 1;
		}
	}
	if (!u->expected)
		return;
	t->expected++;
	if (!reported(u, &rk) && (rk || listed(cp->missing, cp->n_missing, u->code)))
		return;
	t->reported++;
	t->on_time += on_time(c, u, &ok) && ok;
	t->on_time_unknown += !ok;
}

static int listed(char **list, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] != NULL && strcmp(list[i], code) == 0)
			return 1;
	return 0;
}

/* Whether the server's figure lies among those the log allows (sure + up to unsure more). */
static int agrees(uint32_t server, uint32_t sure, uint32_t unsure)
{
	return server >= sure && server - sure <= unsure;
}

/* Each unit the report lists as missing or as a nil report, against the log; each expected
 * unit the log shows reported or not, against the report's list. */
static void compare_units(struct gt_vcomplete *c, const Gtsync__V1__Completeness *cp)
{
	char parent[GT_ORGUNIT_MAX_LEN];

	for (size_t i = 0; i < c->nunits; i++) {
		const struct vunit *u = &c->units[i];
		int known, rep, missing, nil_listed;

		if (!u->expected)
			continue;
		rep = reported(u, &known);
		missing = listed(cp->missing, cp->n_missing, u->code);
		nil_listed = listed(cp->nil_reports, cp->n_nil_reports, u->code);
		if (!known)
			say(c, 0,
			    _("not checked: whether %s reported: its approved report may since "
			      "have "
			      "been accepted or returned by %s, whose actions are not among the "
			      "entries"),
			    u->code,
			    gt_orgunit_parent(u->code, parent, sizeof(parent)) == GT_OK ? parent
			                                                                : "-");
		else if (rep && missing)
			say(c, 1,
			    _("differs: the server's report counts %s as not reported, but the "
			      "signed "
			      "log shows %s"),
			    u->code,
			    u->values > 0 ? _("its values for the period")
			    : u->nil      ? _("its nil report for the period")
			                  : _("its report approved"));
		else if (!rep && !missing)
			say(c, 1,
			    _("differs: the server's report counts %s as reported, but the signed "
			      "log "
			      "holds no value, nil report or approval of it for the period"),
			    u->code);
		if (u->nil && !nil_listed)
			say(c, 1,
			    _("differs: the signed log holds a nil report of %s for the period, "
			      "which "
			      "the server's report does not list"),
			    u->code);
	}
	for (size_t i = 0; i < cp->n_nil_reports; i++) {
		const struct vunit *u = unit(c, cp->nil_reports[i]);
		if (u == NULL || !u->nil)
			say(c, 1,
			    _("differs: the server's report lists a nil report of %s, but the "
			      "signed "
			      "log holds no nil report of it for %s %s"),
			    cp->nil_reports[i] ? cp->nil_reports[i] : "-", c->ds->code, c->period);
	}
}

/* A unit's report state as the server's report gives it (0: not given) against the replay. */
static void compare_state(struct gt_vcomplete *c, const struct vunit *u, int server)
{
	if (u == NULL || !u->state_known || server == 0 || server == u->state)
		return;
	say(c, 1,
	    _("differs: the server's report says the report %s %s of %s is %s; the signed "
	      "workflow actions leave it %s"),
	    c->ds->code, c->period, u->code, gt_protonames_state(server),
	    gt_protonames_state(u->state));
}

static void time_text(int64_t ms, char out[GT_HUMAN_MAX])
{
	if (gt_human_time(ms, NULL, out, GT_HUMAN_MAX) != GT_OK)
		snprintf(out, GT_HUMAN_MAX, "%lld", (long long)ms);
}

/* A child's line of the report against what the log gives for its subtree. */
static void compare_child(struct gt_vcomplete *c, const Gtsync__V1__Completeness *cp,
                          const Gtsync__V1__ChildReport *ch)
{
	struct tally t;
	const struct vunit *cu = unit(c, ch->org_unit);
	char a[GT_HUMAN_MAX], b[GT_HUMAN_MAX];

	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < c->nunits; i++)
		if (ch->org_unit != NULL && strcmp(c->units[i].child, ch->org_unit) == 0)
			count(c, cp, &c->units[i], &t);
	if (ch->expected != t.expected || ch->reported_units != t.reported ||
	    !agrees(ch->on_time_units, t.on_time, t.on_time_unknown))
		say(c, 1,
		    _("differs: at %s the server's report counts %u of %u units as reported, %u on "
		      "time; the signed log shows %u of %u, %u on time"),
		    ch->org_unit, ch->reported_units, ch->expected, ch->on_time_units, t.reported,
		    t.expected, t.on_time);
	compare_state(c, cu, (int)ch->state);
	if (t.first_unknown)
		return;
	if (t.has_first ? ch->first_arrival_ms == t.first : ch->first_arrival_ms == 0)
		return;
	time_text(ch->first_arrival_ms, a);
	time_text(t.first, b);
	if (!t.has_first)
		say(c, 1,
		    _("differs: the server's report says the first value of %s arrived %s; the "
		      "signed log holds none"),
		    ch->org_unit, a);
	else if (ch->first_arrival_ms == 0)
		say(c, 1,
		    _("differs: the server's report shows no value of %s arrived; the signed log "
		      "says the first arrived %s"),
		    ch->org_unit, b);
	else
		say(c, 1,
		    _("differs: the server's report says the first value of %s arrived %s; the "
		      "signed log says %s"),
		    ch->org_unit, a, b);
}

void gt_vcomplete_compare(struct gt_vcomplete *c, const Gtsync__V1__ReportReply *rep)
{
	static const Gtsync__V1__Completeness none = GTSYNC__V1__COMPLETENESS__INIT;
	const Gtsync__V1__Completeness *cp = rep->completeness ? rep->completeness : &none;
	const struct vunit *root = unit(c, c->root);
	struct tally t;

	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < c->nunits; i++)
		count(c, cp, &c->units[i], &t);
	if (cp->expected != t.expected)
		say(c, 1,
		    _("differs: the server's report expects %u units to report %s; the org-unit "
		      "tree and the data set's levels give %u"),
		    cp->expected, c->ds->code, t.expected);
	if (cp->reported != t.reported)
		say(c, 1,
		    _("differs: the server's report counts %u of %u units as reported; the signed "
		      "log shows %u"),
		    cp->reported, cp->expected, t.reported);
	if (!agrees(cp->on_time, t.on_time, t.on_time_unknown))
		say(c, 1,
		    _("differs: the server's report counts %u units as reported on time; the "
		      "signed "
		      "log shows %u"),
		    cp->on_time, t.on_time);
	else if (t.on_time_unknown > 0)
		say(c, 0,
		    _("not checked: whether %u units reported on time: their first values came in "
		      "batches logged before the log recorded when the server received a batch"),
		    t.on_time_unknown);
	compare_units(c, cp);
	for (size_t i = 0; i < rep->n_children; i++)
		if (rep->children[i]->org_unit != NULL)
			compare_child(c, cp, rep->children[i]);
	compare_state(c, root, (int)rep->state);
}

void gt_vcomplete_free(struct gt_vcomplete *c)
{
	if (c == NULL)
		return;
	free(c->units);
	free(c);
}
