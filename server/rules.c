/* What may be written, and when: item checks, the revision rule, the approval chain's
 * transitions, locks, expiry and late entry, validation at submission, in one module. */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "error.h"
#include "merge.h"
#include "metadata.h"
#include "orgunit.h"
#include "period.h"
#include "piiscreen.h"
#include "protonames.h"
#include "report.h"
#include "ruletext.h"
#include "snapshot.h"
#include "store.h"
#include "vec.h"

#define ST_OPEN      GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN
#define ST_SUBMITTED GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED
#define ST_APPROVED  GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED
#define ST_ACCEPTED  GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED
#define ST_RETURNED  GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED

#define K_SUBMIT    GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT
#define K_APPROVE   GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE
#define K_ACCEPT    GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT
#define K_RETURN    GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN
#define K_UNAPPROVE GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_UNAPPROVE
#define K_NIL       GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_NIL_REPORT
#define K_LATE      GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE

#define R_UNKNOWN_ELEMENT GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATA_ELEMENT
#define R_UNKNOWN_ORG     GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_ORG_UNIT
#define R_UNKNOWN_COC     GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_CATEGORY_OPTION_COMBO
#define R_BAD_PERIOD      GTSYNC__V1__CONFLICT_REASON__CONFLICT_BAD_PERIOD
#define R_VALUE_TYPE      GTSYNC__V1__CONFLICT_REASON__CONFLICT_WRONG_VALUE_TYPE
#define R_STALE           GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION
#define R_LOCKED          GTSYNC__V1__CONFLICT_REASON__CONFLICT_LOCKED_PERIOD
#define R_EXPIRED         GTSYNC__V1__CONFLICT_REASON__CONFLICT_EXPIRED_PERIOD
#define R_UNKNOWN_DATASET GTSYNC__V1__CONFLICT_REASON__CONFLICT_UNKNOWN_DATASET
#define R_INVALID         GTSYNC__V1__CONFLICT_REASON__CONFLICT_INVALID_TRANSITION
#define R_DIGEST          GTSYNC__V1__CONFLICT_REASON__CONFLICT_DIGEST_MISMATCH
#define R_CHILDREN        GTSYNC__V1__CONFLICT_REASON__CONFLICT_CHILDREN_NOT_READY
#define R_FUTURE          GTSYNC__V1__CONFLICT_REASON__CONFLICT_FUTURE_PERIOD
#define R_RULE_ERROR      GTSYNC__V1__CONFLICT_REASON__CONFLICT_VALIDATION_ERROR
#define R_RULE_WARNING    GTSYNC__V1__CONFLICT_REASON__CONFLICT_VALIDATION_WARNING
#define R_BAD_TEXT        GTSYNC__V1__CONFLICT_REASON__CONFLICT_BAD_TEXT
#define R_OUTSIDE_PLAN    GTSYNC__V1__CONFLICT_REASON__CONFLICT_OUTSIDE_PLAN
#define R_EMPTY           GTSYNC__V1__CONFLICT_REASON__CONFLICT_EMPTY_REPORT
#define R_NOT_IN_DATASET  GTSYNC__V1__CONFLICT_REASON__CONFLICT_ELEMENT_NOT_IN_DATASET

#define KIND_VALUE      GTSYNC__V1__ITEM_KIND__ITEM_VALUE
#define KIND_COMPLETION GTSYNC__V1__ITEM_KIND__ITEM_COMPLETION
#define KIND_ACTION     GTSYNC__V1__ITEM_KIND__ITEM_ACTION
#define KIND_MAX        KIND_ACTION

#define B(state) (1u << (state))

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Words --------------------------------------------------------------------------------- */

/* Appends printf-style text to buf[0..len) after what it holds. */
static void addf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void addf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* Sets buf to printf-style text; a no-op when buf is NULL (checks run without words). */
static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* The length of the UTF-8 sequence starting at p (at most n bytes), or 0 when it is not one;
 * *cp is its code point. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c = p[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, c &= 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, c &= 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Whether a code point is a control character a terminal may act on: C0, DEL, C1. */
static int is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* Writes s into buf[0..len) for a message: at most max bytes of it, control characters and
 * bytes that are not UTF-8 as \xNN, cut with "…". */
static void put_shown(char *buf, size_t len, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t n = strlen((const char *)p), used = strnlen(buf, len), shown = 0;

	for (size_t i = 0; i < n && used + 8 < len;) {
		uint32_t cp;
		size_t k = utf8_seq(p + i, n - i, &cp);

		if (shown >= max) {
			addf(buf, len, "…");
			return;
		}
		if (k == 0 || is_control(cp)) {
			addf(buf, len, "\\x%02X", p[i]);
			k = 1;
		} else {
			memcpy(buf + used, p + i, k);
			buf[used + k] = '\0';
		}
		used = strnlen(buf, len);
		shown += k;
		i += k;
	}
}

/* Checks free text: valid UTF-8, at most max bytes, no control characters (a line feed only
 * when newline_ok). Returns 1 when it is fit to show a person, else 0 with why filled. */
static int text_fit(const char *what, const char *s, size_t max, int newline_ok, char *why,
                    size_t len)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t n = strlen((const char *)p);

	if (n > max) {
		say(why, len, "the %s is %zu bytes long; at most %zu are kept", what, n, max);
		return 0;
	}
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_seq(p + i, n - i, &cp);
		if (k == 0) {
			say(why, len, "the %s is not UTF-8 text (byte %zu)", what, i + 1);
			return 0;
		}
		if (is_control(cp) && !(cp == '\n' && newline_ok)) {
			say(why, len,
			    "the %s holds the control character U+%04X at byte %zu; %s are "
			    "refused, "
			    "so that no terminal acts on them",
			    what, (unsigned)cp, i + 1,
			    newline_ok ? "control characters other than a line feed"
			               : "control characters");
			return 0;
		}
		i += k;
	}
	return 1;
}

/* ---- Periods -------------------------------------------------------------------------------- */

/* The ids of the periods of types from..yearly that contain p (p itself when from is its
 * type), into ids; returns how many. */
static size_t enclosing(const struct gt_period *p, int from, char ids[4][GT_PERIOD_MAX_LEN])
{
	struct gt_date start;
	size_t n = 0;

	if (gt_period_start(p, &start) != GT_OK)
		return 0;
	if (from < (int)p->type)
		from = (int)p->type;
	for (int t = from; t <= GT_PERIOD_YEARLY && n < 4; t++) {
		struct gt_period enc;
		if (gt_period_from_date((enum gt_period_type)t, &start, &enc) == GT_OK &&
		    gt_period_format(&enc, ids[n], GT_PERIOD_MAX_LEN) == GT_OK)
			n++;
	}
	return n;
}

static int64_t day_of(int64_t ms)
{
	return ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
}

static void format_day(int64_t day, char out[16])
{
	struct gt_date d;

	if (gt_date_from_days(day, &d) != GT_OK || gt_date_format(&d, out, 16) != GT_OK)
		snprintf(out, 16, "?");
}

/* ---- Checks against the metadata --------------------------------------------------------------
 */

static const char *level_name(int level)
{
	switch (level) {
	case GT_ORGUNIT_LEVEL_NATIONAL:
		return "national";
	case GT_ORGUNIT_LEVEL_PROVINCE:
		return "province";
	default:
		return "district";
	}
}

/* The data sets containing e, for a message: "KK, LY". */
static void list_datasets(const struct gt_meta_element *e, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < e->ndatasets && i < 4; i++)
		addf(buf, len, "%s%s", i ? ", " : "", e->datasets[i]->code);
	if (e->ndatasets > 4)
		addf(buf, len, ", ...");
}

/* Resolves the data set a value is entered for: the one it names, or the one data set that
 * contains its element (for ACH, the data set of the indicator's plan). Returns it, or NULL
 * with *reason and why set. */
static const struct gt_meta_dataset *value_dataset(const struct gt_meta *m,
                                                   const struct gt_meta_element *e, int option,
                                                   const char *named, uint8_t *reason, char *why,
                                                   size_t len)
{
	const struct gt_meta_dataset *found = NULL;
	size_t n = 0;
	char list[128];

	if (named != NULL && named[0] != '\0') {
		const struct gt_meta_dataset *ds = gt_meta_dataset_find(m, named);
		if (ds == NULL) {
			*reason = R_UNKNOWN_DATASET;
			say(why, len, "data set %s is not in the server's metadata", named);
			return NULL;
		}
		if (!gt_meta_dataset_has_element(ds, e)) {
			*reason = R_NOT_IN_DATASET;
			if (why != NULL)
				list_datasets(e, list, sizeof(list));
			say(why, len, "data element %s is not in data set %s; it belongs to %s",
			    e->code, ds->code, e->ndatasets ? list : "no data set");
			return NULL;
		}
		return ds;
	}
	for (size_t i = 0; i < e->ndatasets; i++) {
		const struct gt_meta_dataset *ds = e->datasets[i];
		if (e->builtin && ds->plan != NULL && m->indicators[option]->plan != ds->plan)
			continue;
		found = ds;
		n++;
	}
	if (n == 1)
		return found;
	*reason = R_UNKNOWN_DATASET;
	if (why != NULL)
		list_datasets(e, list, sizeof(list));
	if (n == 0)
		say(why, len, "data element %s belongs to no data set that could take it", e->code);
	else
		say(why, len,
		    "data element %s belongs to several data sets (%s); the value must name one",
		    e->code, list);
	return NULL;
}

/* Whether the unit lies in a plan's province (a national plan covers everyone). */
static int in_scope(const struct gt_meta_plan *plan, const char *org)
{
	size_t n;

	if (plan->scope_province == NULL)
		return 1;
	n = strlen(plan->scope_province);
	return strncmp(org, plan->scope_province, n) == 0 && (org[n] == '\0' || org[n] == '.');
}

/* The checks a value, completion or action shares: the period parses, is of the data set's
 * type (or coarser when coarser is set) and has started. */
static uint8_t check_period(const struct gt_meta_dataset *ds, const char *period, int coarser,
                            int64_t today, struct gt_period *per, char *why, size_t len)
{
	struct gt_date start;

	if (gt_period_parse(period, per) != GT_OK) {
		say(why, len, "%s is not a DHIS2 period (2025, 2025S1, 2025Q1, 202501)", period);
		return R_BAD_PERIOD;
	}
	if (coarser ? (int)per->type < (int)ds->period_type : per->type != ds->period_type) {
		say(why, len, "data set %s is reported %s%s; %s is %s", ds->code,
		    gt_period_type_name(ds->period_type), coarser ? " (or coarser)" : "", period,
		    gt_period_type_name(per->type));
		return R_BAD_PERIOD;
	}
	if (gt_period_start(per, &start) != GT_OK || gt_date_to_days(&start) > today) {
		char day[16];
		format_day(gt_date_to_days(&start), day);
		say(why, len, "the period %s has not started yet (it starts on %s)", period, day);
		return R_FUTURE;
	}
	return 0;
}

/* Whether values of ds for period per are past its expiry at today: 0, or R_EXPIRED with why.
 * Late entry may lift it when the batch is applied. */
static uint8_t check_expiry(const struct gt_meta_dataset *ds, const struct gt_period *per,
                            const char *period, int64_t today, char *why, size_t len)
{
	struct gt_date end;
	int64_t last;
	char day[16];

	if (ds->expiry_days == 0 || gt_period_end(per, &end) != GT_OK)
		return 0;
	last = gt_date_to_days(&end) + (int64_t)ds->expiry_days;
	if (today <= last)
		return 0;
	format_day(last, day);
	say(why, len,
	    "entry for %s %s closed after %s (%u days after the period ends); the parent can "
	    "open it for late entry",
	    ds->code, period, day, ds->expiry_days);
	return R_EXPIRED;
}

/* Whether free text named what holds what identifies a person (issue 14): 1 when it is free of
 * it, else 0 with why filled. The server's words are English, as its other reasons. */
static int identity_free(const char *what, const char *s, char *why, size_t len)
{
	struct gt_pii_hit hit;

	if (s == NULL || !gt_piiscreen_find(s, strlen(s), &hit))
		return 1;
	say(why, len,
	    "the %s holds what looks like %s (at byte %zu): gtsync keeps no detail that "
	    "identifies a person (NIK, passport, phone, e-mail)",
	    what, gt_piiscreen_kind_en(hit.kind), hit.offset + 1);
	return 0;
}

static uint8_t check_value(const struct gt_snapshot *snap, const Gtsync__V1__DataValue *v,
                           int64_t today, char *why, size_t len)
{
	const struct gt_meta *m = snap->meta;
	const struct gt_meta_element *e;
	const struct gt_meta_dataset *ds;
	const struct gt_snap_ou *ou;
	struct gt_period per;
	uint8_t reason = 0;
	int option;

	if (m == NULL || (e = gt_meta_element_find(m, v->data_element)) == NULL) {
		say(why, len, "data element %s is not in the server's metadata", v->data_element);
		return R_UNKNOWN_ELEMENT;
	}
	if ((option = gt_meta_element_option_index(e, v->category_option_combo)) < 0) {
		say(why, len, "%s is not an option of data element %s", v->category_option_combo,
		    e->code);
		return R_UNKNOWN_COC;
	}
	if ((ou = gt_snapshot_orgunit(snap, v->org_unit)) == NULL) {
		say(why, len, "org unit %s is not known to the server", v->org_unit);
		return R_UNKNOWN_ORG;
	}
	if ((ds = value_dataset(m, e, option, v->dataset, &reason, why, len)) == NULL)
		return reason;
	if (e->builtin && ds->plan != NULL) {
		const struct gt_meta_indicator *ind = m->indicators[option];
		if (ind->plan != ds->plan) {
			say(why, len, "indicator %s belongs to plan %s, not to %s's plan %s",
			    ind->code, ind->plan->code, ds->code, ds->plan->code);
			return R_OUTSIDE_PLAN;
		}
		if (!in_scope(ds->plan, v->org_unit)) {
			say(why, len, "plan %s covers province %s only; %s is outside it",
			    ds->plan->code, ds->plan->scope_province, v->org_unit);
			return R_OUTSIDE_PLAN;
		}
	}
	if (!gt_meta_dataset_reports_at(ds, ou->level)) {
		say(why, len, "data set %s is not reported at %s's level (%s)", ds->code, ou->code,
		    level_name(ou->level));
		return R_UNKNOWN_DATASET;
	}
	if ((reason = check_period(ds, v->period, 0, today, &per, why, len)) != 0)
		return reason;
	if (!v->deleted && gt_meta_value_check(e, v->value) != GT_OK) {
		say(why, len, "not a valid %s value for %s", gt_meta_type_name(e->type), e->code);
		return R_VALUE_TYPE;
	}
	if (!text_fit("comment", v->comment, GT_MAX_COMMENT_LEN, 1, why, len))
		return R_BAD_TEXT;
	if (v->comment != NULL && v->comment[0] != '\0' && !e->comments) {
		say(why, len, "comments are not kept on %s%s", e->code,
		    e->victims ? ": it counts victims, and a comment could identify one"
		               : " (its metadata says comments no)");
		return R_BAD_TEXT;
	}
	if (!identity_free("comment", v->comment, why, len))
		return R_BAD_TEXT;
	if (!v->deleted && e->type == GT_META_TYPE_TEXT &&
	    !identity_free("value", v->value, why, len))
		return R_BAD_TEXT;
	return check_expiry(ds, &per, v->period, today, why, len);
}

/* A completion's (data set, period, org unit), or an action's: the data set is reported at
 * the unit (own set), or at its level or one below (an approval covers the subtree). */
static uint8_t check_triple(const struct gt_snapshot *snap, const char *dataset, const char *period,
                            const char *org_unit, int own, int coarser, int64_t today,
                            const struct gt_meta_dataset **dsp, struct gt_period *per, char *why,
                            size_t len)
{
	const struct gt_meta_dataset *ds;
	const struct gt_snap_ou *ou;

	if (snap->meta == NULL || (ds = gt_meta_dataset_find(snap->meta, dataset)) == NULL) {
		say(why, len, "data set %s is not in the server's metadata", dataset);
		return R_UNKNOWN_DATASET;
	}
	if ((ou = gt_snapshot_orgunit(snap, org_unit)) == NULL) {
		say(why, len, "org unit %s is not known to the server", org_unit);
		return R_UNKNOWN_ORG;
	}
	if (own ? !gt_meta_dataset_reports_at(ds, ou->level) : (ds->levels >> ou->level) == 0) {
		say(why, len, "data set %s is not reported at %s's level (%s)%s", ds->code,
		    ou->code, level_name(ou->level), own ? "" : " nor below it");
		return R_UNKNOWN_DATASET;
	}
	*dsp = ds;
	return check_period(ds, period, coarser, today, per, why, len);
}

static uint8_t check_completion(const struct gt_snapshot *snap,
                                const Gtsync__V1__CompleteRegistration *c, int64_t today, char *why,
                                size_t len)
{
	const struct gt_meta_dataset *ds = NULL;
	struct gt_period per;
	uint8_t reason = check_triple(snap, c->dataset, c->period, c->org_unit, 1, 0, today, &ds,
	                              &per, why, len);

	return reason != 0 ? reason : check_expiry(ds, &per, c->period, today, why, len);
}

static uint8_t check_action(const struct gt_snapshot *snap, const Gtsync__V1__WorkflowAction *a,
                            int64_t today, char *why, size_t len)
{
	const struct gt_meta_dataset *ds = NULL;
	int own = a->kind == K_NIL || a->kind == K_LATE;
	struct gt_period per;
	struct gt_date until;
	uint8_t reason;

	if (gt_wfstate_transition(a->kind) == NULL) {
		say(why, len, "unknown workflow action %d", a->kind);
		return R_INVALID;
	}
	reason = check_triple(snap, a->dataset, a->period, a->org_unit, own, 1, today, &ds, &per,
	                      why, len);
	if (reason == R_FUTURE && a->kind == K_LATE)
		reason = 0; /* opening a period that has not started is pointless but harmless */
	if (reason != 0)
		return reason;
	if (!text_fit("reason", a->reason, GT_RULES_MAX_REASON, 0, why, len) ||
	    !identity_free("reason", a->reason, why, len))
		return R_BAD_TEXT;
	if (a->n_acknowledged_rules > GT_RULES_MAX_ACKNOWLEDGED) {
		say(why, len, "%zu rules acknowledged; at most %u", a->n_acknowledged_rules,
		    GT_RULES_MAX_ACKNOWLEDGED);
		return R_BAD_TEXT;
	}
	for (size_t i = 0; i < a->n_acknowledged_rules; i++) {
		const char *code = a->acknowledged_rules[i];
		if (code == NULL || code[0] == '\0' || strlen(code) > GT_MAX_CODE_LEN ||
		    strchr(code, ',') != NULL ||
		    !text_fit("acknowledged rule", code, GT_MAX_CODE_LEN, 0, NULL, 0)) {
			say(why, len, "acknowledged rule %zu is not a rule code", i + 1);
			return R_BAD_TEXT;
		}
	}
	if (a->kind == K_LATE && gt_date_parse(a->open_until, &until) != GT_OK) {
		say(why, len, "a late-entry opening needs its last day as YYYY-MM-DD, not \"%s\"",
		    a->open_until ? a->open_until : "");
		return R_BAD_TEXT;
	}
	return 0;
}

void gt_rules_verdicts_free(struct gt_rules_verdicts *v)
{
	free(v->values);
	free(v->completions);
	free(v->actions);
	memset(v, 0, sizeof(*v));
}

int gt_rules_check(const struct gt_snapshot *snap, const gt_batch *b, int64_t now_ms,
                   struct gt_rules_verdicts *v)
{
	int64_t today = day_of(now_ms);

	memset(v, 0, sizeof(*v));
	v->values = calloc(b->n_values ? b->n_values : 1, 1);
	v->completions = calloc(b->n_completions ? b->n_completions : 1, 1);
	v->actions = calloc(b->n_actions ? b->n_actions : 1, 1);
	if (!v->values || !v->completions || !v->actions) {
		gt_rules_verdicts_free(v);
		return GT_ENOMEM;
	}
	for (size_t i = 0; i < b->n_values; i++)
		v->values[i] = check_value(snap, b->values[i], today, NULL, 0);
	for (size_t i = 0; i < b->n_completions; i++)
		v->completions[i] = check_completion(snap, b->completions[i], today, NULL, 0);
	for (size_t i = 0; i < b->n_actions; i++)
		v->actions[i] = check_action(snap, b->actions[i], today, NULL, 0);
	return GT_OK;
}

/* ---- The batch's cache ------------------------------------------------------------------------
 */

enum cache_type {
	C_STATE = 1, /* ApprovalState of (data set, period, unit) */
	C_LATE,      /* last day of late entry of (data set, period, unit) */
	C_NIL,       /* a nil report of (data set, period, unit) */
	C_DIGEST,    /* approval digest of (data set, period, unit) */
	C_LOCK,      /* lock answer for (element or "#" data set, period, unit) */
};

struct centry {
	uint32_t hash;
	uint8_t type; /* 0: empty slot */
	const char *a, *b, *c;
	int ival;
	int64_t day;
	uint64_t count;
	uint8_t digest[GT_SHA256_LEN];
	const char *la, *lb, *lc; /* C_LOCK: the approval that locks */
	int lstate;
};

struct arena {
	struct arena *next;
	size_t used;
	char data[4096];
};

struct cache {
	struct centry *slots;
	size_t cap, n;
	struct arena *arena;
};

static uint32_t hash_key(int type, const char *a, const char *b, const char *c)
{
	uint32_t h = 2166136261u ^ (uint32_t)type;
	const char *parts[3] = {a, b, c};

	for (int i = 0; i < 3; i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++)
			h = (h ^ *p) * 16777619u;
		h = (h ^ 0xFF) * 16777619u;
	}
	return h;
}

static const char *intern(struct cache *c, const char *s)
{
	size_t n = strlen(s) + 1;
	struct arena *a = c->arena;

	if (n > sizeof(a->data))
		return NULL;
	if (a == NULL || sizeof(a->data) - a->used < n) {
		a = malloc(sizeof(*a));
		if (a == NULL)
			return NULL;
		a->next = c->arena;
		a->used = 0;
		c->arena = a;
	}
	memcpy(a->data + a->used, s, n);
	a->used += n;
	return a->data + a->used - n;
}

static void cache_free(struct cache *c)
{
	while (c->arena != NULL) {
		struct arena *next = c->arena->next;
		free(c->arena);
		c->arena = next;
	}
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

static int key_eq(const struct centry *e, uint32_t h, int type, const char *a, const char *b,
                  const char *c)
{
	return e->hash == h && e->type == type && strcmp(e->a, a) == 0 && strcmp(e->b, b) == 0 &&
	       strcmp(e->c, c) == 0;
}

/* The entry for the key, or NULL when the batch has not looked it up yet. */
static struct centry *cache_get(struct cache *c, int type, const char *a, const char *b,
                                const char *k)
{
	uint32_t h = hash_key(type, a, b, k);

	if (c->cap == 0)
		return NULL;
	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct centry *e = &c->slots[i];
		if (e->type == 0)
			return NULL;
		if (key_eq(e, h, type, a, b, k))
			return e;
	}
}

/* The entry for the key, added (zeroed) when absent; valid until the next cache_put(). */
static struct centry *cache_put(struct cache *c, int type, const char *a, const char *b,
                                const char *k)
{
	uint32_t h = hash_key(type, a, b, k);
	struct centry *e = cache_get(c, type, a, b, k);

	if (e != NULL)
		return e;
	if (2 * (c->n + 1) > c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 256;
		struct centry *ns = calloc(ncap, sizeof(*ns));
		if (ns == NULL)
			return NULL;
		for (size_t i = 0; i < c->cap; i++) {
			if (c->slots[i].type == 0)
				continue;
			size_t j = c->slots[i].hash & (ncap - 1);
			while (ns[j].type != 0)
				j = (j + 1) & (ncap - 1);
			ns[j] = c->slots[i];
		}
		free(c->slots);
		c->slots = ns;
		c->cap = ncap;
	}
	size_t i = h & (c->cap - 1);
	while (c->slots[i].type != 0)
		i = (i + 1) & (c->cap - 1);
	e = &c->slots[i];
	memset(e, 0, sizeof(*e));
	e->a = intern(c, a);
	e->b = intern(c, b);
	e->c = intern(c, k);
	if (e->a == NULL || e->b == NULL || e->c == NULL)
		return NULL;
	e->hash = h;
	e->type = (uint8_t)type;
	c->n++;
	return e;
}

/* ---- One batch being applied ------------------------------------------------------------------
 */

struct skip {
	uint8_t kind, reason;
	uint32_t index;
};

struct note {
	uint8_t kind, reason;
	char text[GT_STORE_MAX_CONFLICT_MESSAGE];
};

struct rb {
	struct gt_store *st;
	const struct gt_snapshot *snap;
	const struct gt_meta *meta;
	const struct gt_rules_batch *in;
	const gt_batch *b;
	struct gt_store_batch_out *out;
	int64_t today;
	struct cache cache;
	struct skip *skips;
	size_t nskips, capskips;
	struct note *notes; /* the first item of each (kind, reason) in words */
	size_t nnotes, capnotes;
	char why[384]; /* the cause of the decision being taken, for its message */
};

static int state_of(struct rb *r, const char *ds, const char *period, const char *org, int *state)
{
	struct centry *e = cache_get(&r->cache, C_STATE, ds, period, org);
	int rc;

	if (e != NULL) {
		*state = e->ival;
		return GT_OK;
	}
	if ((rc = gt_store_workflow_state_get(r->st, ds, period, org, state)) != GT_OK)
		return rc;
	if (*state == 0)
		*state = ST_OPEN;
	if ((e = cache_put(&r->cache, C_STATE, ds, period, org)) == NULL)
		return GT_ENOMEM;
	e->ival = *state;
	return GT_OK;
}

static int locking(int state)
{
	return state == ST_APPROVED || state == ST_ACCEPTED;
}

/* Whether ds's report is approved (or accepted) for a period containing per at org or one of
 * its ancestors; *by (when locked) is the cache entry of the approval. */
static int ds_locked(struct rb *r, const struct gt_meta_dataset *ds, const struct gt_period *per,
                     const char *org_unit, int *locked, struct centry **by)
{
	char ids[4][GT_PERIOD_MAX_LEN], org[GT_ORGUNIT_MAX_LEN], up[GT_ORGUNIT_MAX_LEN];
	size_t n = enclosing(per, (int)ds->period_type, ids);

	*locked = 0;
	for (size_t i = 0; i < n; i++) {
		snprintf(org, sizeof(org), "%s", org_unit);
		for (int depth = 0; depth < GT_ORGUNIT_MAX_DEPTH; depth++) {
			int state, rc = state_of(r, ds->code, ids[i], org, &state);
			if (rc != GT_OK)
				return rc;
			if (locking(state)) {
				*locked = 1;
				*by = cache_get(&r->cache, C_STATE, ds->code, ids[i], org);
				return GT_OK;
			}
			if (gt_orgunit_parent(org, up, sizeof(up)) != GT_OK)
				break;
			memcpy(org, up, sizeof(org));
		}
	}
	return GT_OK;
}

/* The lock rule: a cell is locked when any data set containing its element (for a completion:
 * its data set) has an approved or accepted report covering the unit and period, whatever
 * data set the value names. Sets r->why when locked. */
static int cell_locked(struct rb *r, const struct gt_meta_element *e,
                       const struct gt_meta_dataset *only, const char *period, const char *org,
                       int *locked)
{
	char key[GT_MAX_CODE_LEN + 2];
	struct centry *c, *by = NULL;
	struct gt_period per;
	int rc;

	*locked = 0;
	snprintf(key, sizeof(key), "%s%s", only != NULL ? "#" : "", only ? only->code : e->code);
	if ((c = cache_get(&r->cache, C_LOCK, key, period, org)) == NULL) {
		const char *la = NULL, *lb = NULL, *lc = NULL;
		int lstate = 0;
		if (gt_period_parse(period, &per) != GT_OK)
			return GT_OK;
		size_t nds = only != NULL ? 1 : e->ndatasets;
		for (size_t i = 0; i < nds && !*locked; i++) {
			const struct gt_meta_dataset *ds = only != NULL ? only : e->datasets[i];
			if ((rc = ds_locked(r, ds, &per, org, locked, &by)) != GT_OK)
				return rc;
			if (*locked && by != NULL) {
				la = by->a, lb = by->b, lc = by->c;
				lstate = by->ival;
			}
		}
		if ((c = cache_put(&r->cache, C_LOCK, key, period, org)) == NULL)
			return GT_ENOMEM;
		c->ival = *locked;
		c->la = la, c->lb = lb, c->lc = lc;
		c->lstate = lstate;
	}
	*locked = c->ival;
	if (*locked && c->la != NULL)
		say(r->why, sizeof(r->why), "locked by the %s report %s %s of %s; %s it first",
		    gt_protonames_state(c->lstate), c->la, c->lb, c->lc,
		    c->lstate == ST_ACCEPTED ? "the parent must return"
		                             : "the parent must return or its approver unapprove");
	return GT_OK;
}

/* The last day of late entry for (ds, a period containing per, org), or INT64_MIN. */
static int late_until(struct rb *r, const struct gt_meta_dataset *ds, const struct gt_period *per,
                      const char *org, int64_t *until)
{
	char ids[4][GT_PERIOD_MAX_LEN], day[16];
	size_t n = enclosing(per, (int)ds->period_type, ids);

	*until = INT64_MIN;
	for (size_t i = 0; i < n; i++) {
		struct centry *e = cache_get(&r->cache, C_LATE, ds->code, ids[i], org);
		if (e == NULL) {
			struct gt_date d;
			int found, rc;
			rc = gt_store_workflow_last(r->st, ds->code, ids[i], org, K_LATE, &found,
			                            day);
			if (rc != GT_OK)
				return rc;
			if ((e = cache_put(&r->cache, C_LATE, ds->code, ids[i], org)) == NULL)
				return GT_ENOMEM;
			e->day = found && gt_date_parse(day, &d) == GT_OK ? gt_date_to_days(&d)
			                                                  : INT64_MIN;
		}
		if (e->day > *until)
			*until = e->day;
	}
	return GT_OK;
}

/* Whether a nil report is declared for (ds, a period containing the action's, org). */
static int nil_declared(struct rb *r, const struct gt_meta_dataset *ds, const struct gt_period *per,
                        const char *org, int *yes)
{
	char ids[4][GT_PERIOD_MAX_LEN], day[16];
	size_t n = enclosing(per, (int)per->type, ids);

	*yes = 0;
	for (size_t i = 0; i < n && !*yes; i++) {
		struct centry *e = cache_get(&r->cache, C_NIL, ds->code, ids[i], org);
		if (e == NULL) {
			int found, rc;
			rc = gt_store_workflow_last(r->st, ds->code, ids[i], org, K_NIL, &found,
			                            day);
			if (rc != GT_OK)
				return rc;
			if ((e = cache_put(&r->cache, C_NIL, ds->code, ids[i], org)) == NULL)
				return GT_ENOMEM;
			e->ival = found;
		}
		*yes = e->ival;
	}
	return GT_OK;
}

/* The approval digest of (ds, period, org), computed once per batch. */
static int digest_of(struct rb *r, const char *ds, const char *period, const char *org,
                     const struct centry **out)
{
	struct centry *e = cache_get(&r->cache, C_DIGEST, ds, period, org);
	uint8_t d[GT_SHA256_LEN];
	uint64_t count = 0;
	int rc;

	if (e == NULL) {
		if ((rc = gt_rules_digest(r->st, r->snap, ds, period, org, d, &count)) != GT_OK)
			return rc;
		if ((e = cache_put(&r->cache, C_DIGEST, ds, period, org)) == NULL)
			return GT_ENOMEM;
		memcpy(e->digest, d, sizeof(d));
		e->count = count;
	}
	*out = e;
	return GT_OK;
}

/* Whether every child of org expected to report ds (the data set is reported at the child's
 * level or below) has been accepted for period; r->why names the first that has not. */
static int children_ready(struct rb *r, const struct gt_meta_dataset *ds, const char *period,
                          const char *org, int *ready)
{
	const struct gt_snap_ou *self = gt_snapshot_orgunit(r->snap, org);
	char parent[GT_ORGUNIT_MAX_LEN];
	size_t waiting = 0;
	int rc;

	*ready = 1;
	if (self == NULL)
		return GT_OK;
	for (size_t i = 0; i < r->snap->nous; i++) {
		const struct gt_snap_ou *u = &r->snap->ous[i];
		int state;
		if (u->level != self->level + 1 || (ds->levels >> u->level) == 0 ||
		    gt_orgunit_parent(u->code, parent, sizeof(parent)) != GT_OK ||
		    strcmp(parent, org) != 0)
			continue;
		if ((rc = state_of(r, ds->code, period, u->code, &state)) != GT_OK)
			return rc;
		if (state == ST_ACCEPTED)
			continue;
		if (waiting++ == 0)
			say(r->why, sizeof(r->why), "%s's report %s %s is %s, not yet accepted",
			    u->code, ds->code, period, gt_protonames_state(state));
		*ready = 0;
	}
	if (waiting > 1)
		addf(r->why, sizeof(r->why), " (and %zu more children)", waiting - 1);
	return GT_OK;
}

/* ---- Validation
 * ---------------------------------------------------------------------------------- */

struct vctx {
	struct gt_store *st;
	const char *period;
	const char *org;
};

static int rule_value(void *arg, const struct gt_meta_element *e, int option, double *value)
{
	struct vctx *v = arg;
	uint32_t count;
	int rc =
	    gt_store_value_sum(v->st, e->code, option >= 0 ? e->combo->options[option].code : NULL,
	                       v->period, v->org, value, &count);

	if (rc != GT_OK)
		return rc;
	return count > 0 ? GT_OK : GT_ENOENT;
}

int gt_rules_validate(struct gt_store *st, const struct gt_meta *m,
                      const struct gt_meta_dataset *ds, const char *period, const char *org_unit,
                      gt_rules_violation_cb cb, void *arg)
{
	char **periods = NULL;
	size_t nperiods = 0;
	int rc;

	rc = gt_report_periods(gt_period_type_name(ds->period_type), period, &periods, &nperiods);
	if (rc != GT_OK)
		return rc;
	for (size_t p = 0; p < nperiods && rc == GT_OK; p++) {
		struct vctx v = {st, periods[p], org_unit};
		for (size_t k = 0; k < m->nrules && rc == GT_OK; k++) {
			const struct gt_meta_rule *rule = m->rules[k];
			struct gt_meta_rule_result res;
			if (rule->dataset != ds)
				continue;
			rc = gt_meta_rule_eval(rule, rule_value, &v, &res);
			if (rc == GT_OK && res.violated)
				rc = cb(arg, rule, periods[p], &res);
		}
	}
	for (size_t i = 0; i < nperiods; i++)
		free(periods[i]);
	free(periods);
	return rc;
}

/* What validation found for one action. */
struct vfound {
	const Gtsync__V1__WorkflowAction *a;
	size_t errors, warnings; /* warnings not acknowledged */
	char first_error[256], first_warning[256], codes[256];
};

static int acknowledged(const Gtsync__V1__WorkflowAction *a, const char *code)
{
	for (size_t i = 0; i < a->n_acknowledged_rules; i++)
		if (strcmp(a->acknowledged_rules[i], code) == 0)
			return 1;
	return 0;
}

static int on_violation(void *arg, const struct gt_meta_rule *rule, const char *period,
                        const struct gt_meta_rule_result *res)
{
	struct vfound *f = arg;
	char text[200];
	int warning = rule->severity == GT_META_SEVERITY_WARNING;

	if (warning && acknowledged(f->a, rule->code))
		return 0;
	gt_ruletext_violation(rule, res, text, sizeof(text));
	if (!warning && f->errors++ == 0)
		snprintf(f->first_error, sizeof(f->first_error), "rule %s fails for %s: %s",
		         rule->code, period, text);
	if (warning) {
		if (f->warnings++ == 0)
			snprintf(f->first_warning, sizeof(f->first_warning),
			         "warning %s fails for %s: %s", rule->code, period, text);
		if (strstr(f->codes, rule->code) == NULL)
			addf(f->codes, sizeof(f->codes), "%s%s", f->codes[0] ? "," : "",
			     rule->code);
	}
	return 0;
}

/* ---- Conflicts and their words ----------------------------------------------------------------
 */

/* The item in words, for the start of its message. */
static void item_words(const struct rb *r, int kind, size_t i, char *buf, size_t len)
{
	buf[0] = '\0';
	if (kind == KIND_VALUE) {
		const Gtsync__V1__DataValue *v = r->b->values[i];
		if (v->deleted) {
			addf(buf, len, "deletion of ");
		} else {
			addf(buf, len, "value \"");
			put_shown(buf, len, v->value, 40);
			addf(buf, len, "\" of ");
		}
		put_shown(buf, len, v->data_element, GT_MAX_CODE_LEN);
		if (v->category_option_combo != NULL && v->category_option_combo[0] != '\0') {
			addf(buf, len, " (option ");
			put_shown(buf, len, v->category_option_combo, GT_MAX_CODE_LEN);
			addf(buf, len, ")");
		}
		addf(buf, len, " for ");
		put_shown(buf, len, v->period, GT_MAX_CODE_LEN);
		addf(buf, len, " at ");
		put_shown(buf, len, v->org_unit, GT_MAX_CODE_LEN);
	} else if (kind == KIND_COMPLETION) {
		const Gtsync__V1__CompleteRegistration *c = r->b->completions[i];
		addf(buf, len, "completion of ");
		put_shown(buf, len, c->dataset, GT_MAX_CODE_LEN);
		addf(buf, len, " for ");
		put_shown(buf, len, c->period, GT_MAX_CODE_LEN);
		addf(buf, len, " at ");
		put_shown(buf, len, c->org_unit, GT_MAX_CODE_LEN);
	} else {
		const Gtsync__V1__WorkflowAction *a = r->b->actions[i];
		addf(buf, len, "%s ", gt_protonames_kind(a->kind));
		put_shown(buf, len, a->dataset, GT_MAX_CODE_LEN);
		addf(buf, len, " ");
		put_shown(buf, len, a->period, GT_MAX_CODE_LEN);
		addf(buf, len, " ");
		put_shown(buf, len, a->org_unit, GT_MAX_CODE_LEN);
	}
}

/* Records item index of kind as skipped for reason. The first item of each (kind, reason) is
 * described in words: r->why when the decision set it, else the check's own words. */
static int skip(struct rb *r, int kind, int reason, size_t index)
{
	char why[sizeof(r->why)];
	struct note *n;

	if (GT_VEC_RESERVE(r->skips, r->capskips, r->nskips + 1) != GT_OK)
		return GT_ENOMEM;
	r->skips[r->nskips++] = (struct skip){(uint8_t)kind, (uint8_t)reason, (uint32_t)index};
	for (size_t i = 0; i < r->nnotes; i++)
		if (r->notes[i].kind == kind && r->notes[i].reason == reason)
			return GT_OK;
	if (GT_VEC_RESERVE(r->notes, r->capnotes, r->nnotes + 1) != GT_OK)
		return GT_ENOMEM;
	n = &r->notes[r->nnotes++];
	n->kind = (uint8_t)kind;
	n->reason = (uint8_t)reason;
	why[0] = '\0';
	if (r->why[0] != '\0')
		snprintf(why, sizeof(why), "%s", r->why);
	else if (kind == KIND_VALUE)
		check_value(r->snap, r->b->values[index], r->today, why, sizeof(why));
	else if (kind == KIND_COMPLETION)
		check_completion(r->snap, r->b->completions[index], r->today, why, sizeof(why));
	else
		check_action(r->snap, r->b->actions[index], r->today, why, sizeof(why));
	item_words(r, kind, index, n->text, sizeof(n->text));
	addf(n->text, sizeof(n->text), ": %s",
	     why[0] ? why : gt_protonames_conflict_message(reason));
	return GT_OK;
}

/* Groups the skipped items by (kind, reason) into out->conflicts, each with the words of its
 * first item and how many more share it: one allocation. */
static int build_conflicts(struct rb *r)
{
	uint32_t count[KIND_MAX + 1][256];
	uint32_t *fill[KIND_MAX + 1][256];
	size_t groups = 0, g = 0;
	struct gt_store_conflict *c;
	uint32_t *idx;
	char *text;

	if (r->nskips == 0)
		return GT_OK;
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < r->nskips; i++)
		if (count[r->skips[i].kind][r->skips[i].reason]++ == 0)
			groups++;
	c = malloc(groups * sizeof(*c) + r->nskips * sizeof(uint32_t) +
	           groups * GT_STORE_MAX_CONFLICT_MESSAGE);
	if (c == NULL)
		return GT_ENOMEM;
	idx = (uint32_t *)(c + groups);
	text = (char *)(idx + r->nskips);
	for (int k = 0; k <= KIND_MAX; k++) {
		for (int why = 0; why < 256; why++) {
			if (count[k][why] == 0)
				continue;
			c[g].reason = why;
			c[g].kind = k;
			c[g].indexes = idx;
			c[g].n_indexes = count[k][why];
			c[g].message = text;
			text[0] = '\0';
			for (size_t i = 0; i < r->nnotes; i++)
				if (r->notes[i].kind == k && r->notes[i].reason == why)
					snprintf(text, GT_STORE_MAX_CONFLICT_MESSAGE, "%s",
					         r->notes[i].text);
			if (count[k][why] > 1) {
				char more[48];
				snprintf(more, sizeof(more), " (and %u more)", count[k][why] - 1);
				size_t tl = strlen(text), ml = strlen(more);
				if (tl + ml >= GT_STORE_MAX_CONFLICT_MESSAGE)
					tl = GT_STORE_MAX_CONFLICT_MESSAGE - 1 - ml;
				memcpy(text + tl, more, ml + 1);
			}
			fill[k][why] = idx;
			idx += count[k][why];
			text += GT_STORE_MAX_CONFLICT_MESSAGE;
			g++;
		}
	}
	/* Items were skipped in index order, so each group's indexes come out ascending. */
	for (size_t i = 0; i < r->nskips; i++)
		*fill[r->skips[i].kind][r->skips[i].reason]++ = r->skips[i].index;
	r->out->conflicts = c;
	r->out->n_conflicts = groups;
	return GT_OK;
}

/* ---- Applying a batch -------------------------------------------------------------------------
 */

static const char *str(const char *s)
{
	return s != NULL ? s : "";
}

static int blank(const char *s)
{
	for (; s != NULL && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

/* How many values the unit itself holds for ds in period (its subtree's are not counted). */
struct own {
	const char *org;
	uint32_t count;
};

static int own_unit(void *arg, const char *org_unit, uint32_t count, int64_t first, int64_t last)
{
	struct own *o = arg;
	(void)first;
	(void)last;
	if (strcmp(org_unit, o->org) == 0)
		o->count = count;
	return 0;
}

static int own_values(struct rb *r, const struct gt_meta_dataset *ds, const char *period,
                      const char *org, uint32_t *count)
{
	char **periods = NULL;
	size_t nperiods = 0;
	const char **elements = calloc(ds->nelements + 1, sizeof(*elements));
	struct own o = {org, 0};
	int rc;

	*count = 0;
	if (elements == NULL)
		return GT_ENOMEM;
	rc = gt_report_periods(gt_period_type_name(ds->period_type), period, &periods, &nperiods);
	if (rc == GT_OK) {
		for (size_t i = 0; i < ds->nelements; i++)
			elements[i] = ds->elements[i]->code;
		struct gt_store_report_query q = {
		    org, elements, ds->nelements, (const char *const *)periods, nperiods, 0};
		rc = gt_store_reported_units(r->st, &q, own_unit, &o);
	}
	*count = o.count;
	for (size_t i = 0; i < nperiods; i++)
		free(periods[i]);
	free(periods);
	free(elements);
	return rc;
}

/* Joins an action's acknowledged rule codes with ",". */
static void join_acknowledged(const Gtsync__V1__WorkflowAction *a, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < a->n_acknowledged_rules; i++)
		addf(buf, len, "%s%s", i ? "," : "", a->acknowledged_rules[i]);
}

/* Checks the parts of an approval that look at the data: the digest, that there is data (or
 * a nil report), and the data set's validation rules. */
static int decide_data(struct rb *r, const Gtsync__V1__WorkflowAction *a,
                       const struct gt_wfstate_transition *t, const struct gt_meta_dataset *ds,
                       const struct gt_period *per, uint8_t *reason)
{
	const struct centry *d = NULL;
	int rc;

	if (t->need & (GT_WFSTATE_NEED_DIGEST | GT_WFSTATE_NEED_DATA)) {
		if ((rc = digest_of(r, ds->code, a->period, a->org_unit, &d)) != GT_OK)
			return rc;
	}
	if ((t->need & GT_WFSTATE_NEED_DIGEST) &&
	    (a->data_digest.len != GT_SHA256_LEN ||
	     memcmp(a->data_digest.data, d->digest, GT_SHA256_LEN) != 0)) {
		say(r->why, sizeof(r->why),
		    "the server holds %llu values with digest %02x%02x%02x%02x...; the approval "
		    "signed %s",
		    (unsigned long long)d->count, d->digest[0], d->digest[1], d->digest[2],
		    d->digest[3], a->data_digest.len == GT_SHA256_LEN ? "other data" : "no digest");
		*reason = R_DIGEST;
		return GT_OK;
	}
	if ((t->need & GT_WFSTATE_NEED_DATA) && d->count == 0) {
		int nil;
		if ((rc = nil_declared(r, ds, per, a->org_unit, &nil)) != GT_OK)
			return rc;
		if (!nil) {
			say(r->why, sizeof(r->why),
			    "%s holds no values of %s for %s; if there is nothing to report, its "
			    "approver declares a nil report first",
			    a->org_unit, ds->code, a->period);
			*reason = R_EMPTY;
			return GT_OK;
		}
	}
	if (t->need & GT_WFSTATE_NEED_VALID) {
		struct vfound f = {.a = a};
		rc =
		    gt_rules_validate(r->st, r->meta, ds, a->period, a->org_unit, on_violation, &f);
		if (rc != GT_OK)
			return rc;
		if (f.errors > 0) {
			say(r->why, sizeof(r->why), "%s", f.first_error);
			if (f.errors > 1)
				addf(r->why, sizeof(r->why), " (and %zu more failures)",
				     f.errors - 1);
			*reason = R_RULE_ERROR;
			return GT_OK;
		}
		if (f.warnings > 0) {
			say(r->why, sizeof(r->why), "%s; acknowledge %s to go ahead",
			    f.first_warning, f.codes);
			*reason = R_RULE_WARNING;
			return GT_OK;
		}
	}
	if (t->need & GT_WFSTATE_NEED_NO_DATA) {
		uint32_t n;
		if ((rc = own_values(r, ds, a->period, a->org_unit, &n)) != GT_OK)
			return rc;
		if (n > 0) {
			say(r->why, sizeof(r->why),
			    "%s holds %u values of %s for %s; a nil report declares there are none",
			    a->org_unit, n, ds->code, a->period);
			*reason = R_INVALID;
		}
	}
	return GT_OK;
}

/* Decides workflow action i through the transition table; *reason is 0 when it applies, with
 * r->why set when not. */
static int decide_action(struct rb *r, size_t i, uint8_t *reason)
{
	const Gtsync__V1__WorkflowAction *a = r->b->actions[i];
	const struct gt_wfstate_transition *t = gt_wfstate_transition(a->kind);
	const struct gt_meta_dataset *ds =
	    r->meta ? gt_meta_dataset_find(r->meta, a->dataset) : NULL;
	struct gt_period per;
	int cur, rc;

	*reason = 0;
	if (t == NULL || ds == NULL || gt_period_parse(a->period, &per) != GT_OK) {
		*reason = R_INVALID;
		return GT_OK;
	}
	if ((rc = state_of(r, ds->code, a->period, a->org_unit, &cur)) != GT_OK)
		return rc;
	if (!(t->from & B(cur))) {
		say(r->why, sizeof(r->why), "the report is %s; %s is not allowed from there",
		    gt_protonames_state(cur), gt_protonames_kind(a->kind));
		*reason = R_INVALID;
		return GT_OK;
	}
	if ((t->need & GT_WFSTATE_NEED_REASON) && blank(a->reason)) {
		say(r->why, sizeof(r->why), "a %s needs a reason", gt_protonames_kind(a->kind));
		*reason = R_INVALID;
		return GT_OK;
	}
	if (t->need & GT_WFSTATE_NEED_PARENT_OPEN) {
		char parent[GT_ORGUNIT_MAX_LEN];
		int ps = ST_OPEN;
		if (gt_orgunit_parent(a->org_unit, parent, sizeof(parent)) == GT_OK &&
		    (rc = state_of(r, ds->code, a->period, parent, &ps)) != GT_OK)
			return rc;
		if (locking(ps)) {
			say(r->why, sizeof(r->why),
			    "%s's own report %s %s is %s over it; its approver must unapprove it "
			    "first",
			    parent, ds->code, a->period, gt_protonames_state(ps));
			*reason = R_INVALID;
			return GT_OK;
		}
	}
	if (t->need & GT_WFSTATE_NEED_CHILDREN) {
		int ready;
		if ((rc = children_ready(r, ds, a->period, a->org_unit, &ready)) != GT_OK)
			return rc;
		if (!ready) {
			*reason = R_CHILDREN;
			return GT_OK;
		}
	}
	return decide_data(r, a, t, ds, &per, reason);
}

/* Applies workflow action i (its verdict is 0): the state, the event, and the cache. */
static int apply_action(struct rb *r, size_t i)
{
	const Gtsync__V1__WorkflowAction *a = r->b->actions[i];
	const struct gt_wfstate_transition *t = gt_wfstate_transition(a->kind);
	char acked[GT_RULES_MAX_ACKNOWLEDGED * (GT_MAX_CODE_LEN + 1) + 1];
	struct centry *e;
	struct gt_date until;
	int rc;

	join_acknowledged(a, acked, sizeof(acked));
	struct gt_store_wfevent_in ev = {
	    .dataset = a->dataset,
	    .period = a->period,
	    .org_unit = a->org_unit,
	    .kind = a->kind,
	    .key_id = r->b->key_id,
	    .at_ms = r->in->received_at_ms,
	    .reason = str(a->reason),
	    .data_digest = a->data_digest.len == GT_SHA256_LEN ? a->data_digest.data : NULL,
	    .open_until = a->kind == K_LATE ? a->open_until : "",
	    .acknowledged = acked,
	    .origin_batch = r->in->hash,
	};
	if ((rc = gt_store_workflow_event_add(r->st, &ev)) != GT_OK)
		return rc;
	if (t->to != 0) {
		rc = gt_store_workflow_state_set(r->st, a->dataset, a->period, a->org_unit, t->to,
		                                 r->in->received_at_ms);
		if (rc != GT_OK)
			return rc;
		if ((e = cache_put(&r->cache, C_STATE, a->dataset, a->period, a->org_unit)) == NULL)
			return GT_ENOMEM;
		/* Lock answers are asked for only once every action is applied (values come
		 * after actions), so none computed before this change is kept. */
		e->ival = t->to;
	}
	if (a->kind == K_NIL) {
		if ((e = cache_put(&r->cache, C_NIL, a->dataset, a->period, a->org_unit)) == NULL)
			return GT_ENOMEM;
		e->ival = 1;
	}
	if (a->kind == K_LATE && gt_date_parse(a->open_until, &until) == GT_OK) {
		if ((e = cache_put(&r->cache, C_LATE, a->dataset, a->period, a->org_unit)) == NULL)
			return GT_ENOMEM;
		e->day = gt_date_to_days(&until);
	}
	r->out->actions.imported++;
	return GT_OK;
}

/* Lifts an expiry when the unit is open for late entry today. */
static int late_lifts(struct rb *r, const struct gt_meta_dataset *ds, const char *period,
                      const char *org, int *lifted)
{
	struct gt_period per;
	int64_t until;
	int rc;

	*lifted = 0;
	if (ds == NULL || gt_period_parse(period, &per) != GT_OK)
		return GT_OK;
	if ((rc = late_until(r, ds, &per, org, &until)) != GT_OK)
		return rc;
	*lifted = until >= r->today;
	return GT_OK;
}

/* The data set a checked value is entered for (it resolved when it was checked). */
static const struct gt_meta_dataset *dataset_of(const struct rb *r, const Gtsync__V1__DataValue *v,
                                                const struct gt_meta_element *e)
{
	uint8_t reason;
	int option = gt_meta_element_option_index(e, v->category_option_combo);

	return option < 0 ? NULL : value_dataset(r->meta, e, option, v->dataset, &reason, NULL, 0);
}

/* The revision rule (common/merge.h), shared with every verifier: the higher revision wins; an
 * equal revision goes to the larger batch hash (bytewise), so the result does not depend on
 * arrival order; the same key twice in one batch goes to the later item (its hash is the
 * stored one). */
static int value_wins(const struct gt_store_value_head *h, uint64_t revision,
                      const uint8_t hash[GT_SHA256_LEN])
{
	struct gt_merge_held held = {h->exists, h->revision, {0}};

	memcpy(held.origin_batch, h->origin_batch, GT_SHA256_LEN);
	return gt_merge_wins(&held, revision, hash);
}

static int apply_value(struct rb *r, size_t i)
{
	const Gtsync__V1__DataValue *v = r->b->values[i];
	uint8_t reason = r->in->verdicts ? r->in->verdicts->values[i] : 0;
	const struct gt_meta_element *e = NULL;
	struct gt_store_value_head h;
	int rc, flag;

	r->why[0] = '\0';
	if (reason == 0 || reason == R_EXPIRED)
		e = r->meta ? gt_meta_element_find(r->meta, v->data_element) : NULL;
	if (reason == R_EXPIRED && e != NULL) {
		if ((rc = late_lifts(r, dataset_of(r, v, e), v->period, v->org_unit, &flag)) !=
		    GT_OK)
			return rc;
		if (flag)
			reason = 0;
	}
	if (reason == 0 && e != NULL) {
		if ((rc = cell_locked(r, e, NULL, v->period, v->org_unit, &flag)) != GT_OK)
			return rc;
		if (flag)
			reason = R_LOCKED;
	}
	if (reason == 0) {
		rc = gt_store_value_head(r->st, v->data_element, v->period, v->org_unit,
		                         str(v->category_option_combo), &h);
		if (rc != GT_OK)
			return rc;
		if (!value_wins(&h, v->revision, r->in->hash)) {
			if (h.revision > v->revision)
				say(r->why, sizeof(r->why),
				    "a newer revision (%llu) is stored; this one is %llu",
				    (unsigned long long)h.revision,
				    (unsigned long long)v->revision);
			else
				say(r->why, sizeof(r->why),
				    "another batch's value of the same revision (%llu) is stored "
				    "and "
				    "wins the tie (the larger batch hash)",
				    (unsigned long long)h.revision);
			reason = R_STALE;
		}
	}
	if (reason != 0) {
		r->out->values.ignored++;
		return skip(r, KIND_VALUE, reason, i);
	}
	struct gt_store_value_in in = {
	    .data_element = v->data_element,
	    .period = v->period,
	    .org_unit = v->org_unit,
	    .coc = str(v->category_option_combo),
	    .value = str(v->value),
	    .comment = str(v->comment),
	    .revision = v->revision,
	    .deleted = v->deleted,
	    .origin_batch = r->in->hash,
	    .at_ms = r->in->received_at_ms,
	    .exists = h.exists,
	};
	if ((rc = gt_store_value_put(r->st, &in)) != GT_OK)
		return rc;
	if (v->deleted)
		r->out->values
		    .deleted++; /* a tombstone too, so that an older revision cannot win */
	else if (h.exists && !h.deleted)
		r->out->values.updated++;
	else
		r->out->values.imported++; /* a new key, or one written again after a delete */
	return GT_OK;
}

static int apply_completion(struct rb *r, size_t i)
{
	const Gtsync__V1__CompleteRegistration *c = r->b->completions[i];
	uint8_t reason = r->in->verdicts ? r->in->verdicts->completions[i] : 0;
	const struct gt_meta_dataset *ds =
	    r->meta ? gt_meta_dataset_find(r->meta, c->dataset) : NULL;
	int rc, flag, existed;

	r->why[0] = '\0';
	if (reason == R_EXPIRED) {
		if ((rc = late_lifts(r, ds, c->period, c->org_unit, &flag)) != GT_OK)
			return rc;
		if (flag)
			reason = 0;
	}
	if (reason == 0 && ds != NULL) {
		if ((rc = cell_locked(r, NULL, ds, c->period, c->org_unit, &flag)) != GT_OK)
			return rc;
		if (flag)
			reason = R_LOCKED;
	}
	if (reason != 0) {
		r->out->completions.ignored++;
		return skip(r, KIND_COMPLETION, reason, i);
	}
	rc = gt_store_completion_put(r->st, c->dataset, c->period, c->org_unit, c->completed,
	                             r->in->hash, r->in->received_at_ms, &existed);
	if (rc != GT_OK)
		return rc;
	if (!c->completed)
		r->out->completions.deleted++;
	else if (existed)
		r->out->completions.updated++;
	else
		r->out->completions.imported++;
	return GT_OK;
}

/* Refuses a batch whose (key, sequence) is taken, or whose sequence is not above the key's
 * highest: sequences are strictly increasing per key (proto/gtsync.proto). */
static int check_sequence(struct rb *r)
{
	const gt_batch *b = r->b;
	uint64_t other = 0, last = 0;
	int rc;

	if ((rc = gt_store_log_by_sequence(r->st, b->key_id, b->sequence, &other)) != GT_OK)
		return rc;
	if (other != 0) {
		say(r->in->why, r->in->why_len,
		    "this key already sent another batch with sequence %llu (log index %llu)",
		    (unsigned long long)b->sequence, (unsigned long long)other);
		return GT_ECONFLICT;
	}
	if ((rc = gt_store_key_last_sequence(r->st, b->key_id, &last)) != GT_OK)
		return rc;
	if (b->sequence <= last) {
		say(r->in->why, r->in->why_len,
		    "sequence %llu is not above this key's last sequence %llu; sequences only "
		    "increase",
		    (unsigned long long)b->sequence, (unsigned long long)last);
		return GT_ECONFLICT;
	}
	return GT_OK;
}

static int applied_anything(const struct gt_store_batch_out *o)
{
	return o->values.imported + o->values.updated + o->values.deleted +
	           o->completions.imported + o->completions.updated + o->completions.deleted +
	           o->actions.imported >
	       0;
}

/* The batch's items, actions first (within a batch, workflow actions take effect before its
 * values). */
static int apply_items(struct rb *r)
{
	int rc = GT_OK;

	for (size_t i = 0; i < r->b->n_actions && rc == GT_OK; i++) {
		uint8_t reason = r->in->verdicts ? r->in->verdicts->actions[i] : 0;
		r->why[0] = '\0';
		if (reason == 0)
			rc = decide_action(r, i, &reason);
		if (rc != GT_OK)
			break;
		if (reason != 0) {
			r->out->actions.ignored++;
			rc = skip(r, KIND_ACTION, reason, i);
		} else {
			rc = apply_action(r, i);
		}
	}
	for (size_t i = 0; i < r->b->n_values && rc == GT_OK; i++)
		rc = apply_value(r, i);
	for (size_t i = 0; i < r->b->n_completions && rc == GT_OK; i++)
		rc = apply_completion(r, i);
	return rc;
}

/* Answers a batch logged before at log_index with what happened the first time and leaves
 * scope (entered by the caller); nothing is applied again. */
static int answer_duplicate(struct gt_store *st, struct gt_store_scope *scope, uint64_t log_index,
                            struct gt_store_batch_out *out)
{
	int rc = gt_store_log_outcome_load(st, log_index, out);

	rc = gt_store_scope_leave(st, scope, rc);
	if (rc != GT_OK) {
		gt_store_batch_out_free(out);
		out->status = GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED;
		return rc;
	}
	out->status = GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE;
	out->log_index = log_index;
	return GT_OK;
}

/* Appends the batch to the log, its index into *log_index. A batch of which nothing applied
 * keeps its hash, header and outcome only: a key whose every item is refused cannot make the
 * server keep its bytes. */
static int log_batch(struct rb *r, uint64_t *log_index)
{
	const struct gt_rules_batch *in = r->in;
	int keep = applied_anything(r->out);
	struct gt_store_log_in li = {
	    .hash = in->hash,
	    .key_id = r->b->key_id,
	    .sequence = r->b->sequence,
	    .org_unit = r->b->org_unit,
	    .bytes = keep ? in->bytes : NULL,
	    .len = keep ? in->len : 0,
	    .signature = keep ? in->signature : NULL,
	    .sig_len = keep ? in->sig_len : 0,
	    .received_at_ms = in->received_at_ms,
	};

	return gt_store_log_append(r->st, &li, log_index);
}

int gt_rules_apply(struct gt_store *st, const struct gt_rules_batch *in,
                   struct gt_store_batch_out *out)
{
	struct gt_store_scope scope;
	struct rb r = {0};
	uint64_t log_index = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->status = GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED;
	if (in->why != NULL && in->why_len > 0)
		in->why[0] = '\0';
	if (in->batch == NULL || in->hash == NULL || in->batch->key_id == NULL ||
	    in->batch->org_unit == NULL || in->snap == NULL)
		return GT_EINVAL;
	r.st = st;
	r.snap = in->snap;
	r.meta = in->snap->meta;
	r.in = in;
	r.b = in->batch;
	r.out = out;
	r.today = day_of(in->received_at_ms);
	if ((rc = gt_store_scope_enter(st, &scope)) != GT_OK)
		return rc;
	if (in->replay) {
		log_index = in->log_index;
	} else {
		if ((rc = gt_store_log_lookup(st, in->hash, &log_index)) != GT_OK)
			goto out;
		if (log_index != 0)
			return answer_duplicate(st, &scope, log_index, out);
		if ((rc = check_sequence(&r)) != GT_OK)
			goto out;
	}
	if ((rc = apply_items(&r)) != GT_OK)
		goto out;
	if (!in->replay && (rc = log_batch(&r, &log_index)) != GT_OK)
		goto out;
	if ((rc = build_conflicts(&r)) != GT_OK)
		goto out;
	rc = gt_store_log_outcome_save(st, log_index, out);
out:
	rc = gt_store_scope_leave(st, &scope, rc);
	cache_free(&r.cache);
	free(r.skips);
	free(r.notes);
	if (rc != GT_OK) {
		gt_store_batch_out_free(out);
		out->status = GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED;
		return rc;
	}
	out->log_index = log_index;
	out->status = out->n_conflicts > 0 ? GTSYNC__V1__PUSH_STATUS__PUSH_WARNING
	                                   : GTSYNC__V1__PUSH_STATUS__PUSH_OK;
	return GT_OK;
}

/* ---- The approval digest ------------------------------------------------------------------------
 */

struct digest_arg {
	struct gt_digest *d;
	int rc;
};

static int digest_value(void *arg, const struct gt_store_value *v)
{
	struct digest_arg *a = arg;
	a->rc = gt_digest_add(a->d, v->data_element, v->period, v->org_unit, v->coc, v->value);
	return a->rc;
}

int gt_rules_digest(struct gt_store *st, const struct gt_snapshot *snap, const char *dataset,
                    const char *period, const char *org_unit, uint8_t out[GT_SHA256_LEN],
                    uint64_t *count)
{
	const struct gt_meta_dataset *ds;
	struct digest_arg a = {0};
	char **periods = NULL;
	size_t nperiods = 0;
	const char **elements = NULL;
	int rc;

	if (snap->meta == NULL || (ds = gt_meta_dataset_find(snap->meta, dataset)) == NULL)
		return GT_ENOENT;
	rc = gt_report_periods(gt_period_type_name(ds->period_type), period, &periods, &nperiods);
	if (rc != GT_OK)
		return rc;
	elements = calloc(ds->nelements ? ds->nelements : 1, sizeof(*elements));
	if (elements == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < ds->nelements; i++)
		elements[i] = ds->elements[i]->code;
	if ((rc = gt_digest_begin(dataset, period, org_unit, &a.d)) != GT_OK)
		goto out;
	struct gt_store_report_query q = {
	    .org_root = org_unit,
	    .elements = elements,
	    .n_elements = ds->nelements,
	    .periods = (const char *const *)periods,
	    .n_periods = nperiods,
	};
	rc = gt_store_values_foreach(st, &q, digest_value, &a);
	if (rc == GT_OK)
		rc = a.rc;
	if (rc == GT_OK)
		rc = gt_digest_end(a.d, out, count);
out:
	gt_digest_free(a.d);
	free(elements);
	for (size_t i = 0; i < nperiods; i++)
		free(periods[i]);
	free(periods);
	return rc;
}
