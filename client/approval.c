/* The approval digest as an approver computes it: over a fresh pull of the server's data. */
#include "approval.h"

#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "error.h"
#include "i18n.h"
#include "orgunit.h"
#include "period.h"
#include "pull.h"
#include "vec.h"

struct entry {
	char *e, *p, *o, *c, *v;
	uint64_t change_seq;
	int deleted;
};

struct gt_approval {
	const struct gt_meta *meta;
	const struct gt_meta_dataset *ds;
	struct gt_period period;
	char dataset[GT_MAX_CODE_LEN + 1];
	char period_id[GT_PERIOD_MAX_LEN];
	char org[GT_ORGUNIT_MAX_LEN];
	struct entry *v;
	size_t n, cap;
};

int gt_approval_begin(const struct gt_meta *meta, const char *dataset, const char *period,
                      const char *org_unit, struct gt_approval **out)
{
	const struct gt_meta_dataset *ds;
	struct gt_approval *a;
	struct gt_period p;

	*out = NULL;
	if (meta == NULL || dataset == NULL || (ds = gt_meta_dataset_find(meta, dataset)) == NULL)
		return GT_ENOENT;
	if (gt_period_parse(period, &p) != GT_OK || (int)p.type < (int)ds->period_type ||
	    org_unit == NULL || gt_orgunit_valid(org_unit) != GT_OK ||
	    strlen(org_unit) >= GT_ORGUNIT_MAX_LEN)
		return GT_EINVAL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return GT_ENOMEM;
	a->meta = meta;
	a->ds = ds;
	a->period = p;
	snprintf(a->dataset, sizeof(a->dataset), "%s", ds->code);
	(void)gt_period_format(&p, a->period_id, sizeof(a->period_id));
	snprintf(a->org, sizeof(a->org), "%s", org_unit);
	*out = a;
	return GT_OK;
}

static void entry_free(struct entry *x)
{
	free(x->e);
	free(x->p);
	free(x->o);
	free(x->c);
	free(x->v);
}

void gt_approval_free(struct gt_approval *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++)
		entry_free(&a->v[i]);
	free(a->v);
	free(a);
}

/* Whether a pulled value is one the approval covers (deleted or not). */
static int covers(const struct gt_approval *a, const Gtsync__V1__DataValue *v)
{
	const struct gt_meta_element *e;
	struct gt_period p;

	if (v->data_element == NULL || v->period == NULL || v->org_unit == NULL)
		return 0;
	e = gt_meta_element_find(a->meta, v->data_element);
	if (e == NULL || !gt_meta_dataset_has_element(a->ds, e))
		return 0;
	if (gt_period_parse(v->period, &p) != GT_OK || p.type != a->ds->period_type ||
	    gt_period_contains(&a->period, &p) != 1)
		return 0;
	return gt_orgunit_contains(a->org, v->org_unit) == 1;
}

static char *dup(const char *s)
{
	return strdup(s ? s : "");
}

int gt_approval_add(struct gt_approval *a, const Gtsync__V1__PullChunk *chunk)
{
	for (size_t i = 0; i < chunk->n_values; i++) {
		const Gtsync__V1__PulledValue *pv = chunk->values[i];
		const Gtsync__V1__DataValue *v = pv ? pv->value : NULL;
		struct entry *x;

		if (v == NULL || !covers(a, v))
			continue;
		if (a->n >= GT_APPROVAL_MAX_VALUES)
			return GT_ETOOBIG;
		if (GT_VEC_RESERVE(a->v, a->cap, a->n + 1) != GT_OK)
			return GT_ENOMEM;
		x = &a->v[a->n];
		x->e = dup(v->data_element);
		x->p = dup(v->period);
		x->o = dup(v->org_unit);
		x->c = dup(v->category_option_combo);
		x->v = dup(v->value);
		x->change_seq = pv->change_seq;
		x->deleted = v->deleted;
		if (!x->e || !x->p || !x->o || !x->c || !x->v) {
			entry_free(x);
			return GT_ENOMEM;
		}
		a->n++;
	}
	return GT_OK;
}

/* Canonical key order, and the latest change of a key first. */
static int entry_cmp(const void *l, const void *r)
{
	const struct entry *x = l, *y = r;
	int c = gt_digest_key_cmp(x->e, x->p, x->o, x->c, y->e, y->p, y->o, y->c);

	if (c != 0)
		return c;
	return x->change_seq > y->change_seq ? -1 : x->change_seq < y->change_seq;
}

int gt_approval_end(struct gt_approval *a, uint8_t out[GT_SHA256_LEN], uint64_t *count)
{
	struct gt_digest *d = NULL;
	int rc;

	if (count != NULL)
		*count = 0;
	if (a->n > 0)
		qsort(a->v, a->n, sizeof(*a->v), entry_cmp);
	rc = gt_digest_begin(a->dataset, a->period_id, a->org, &d);
	for (size_t i = 0; i < a->n && rc == GT_OK; i++) {
		const struct entry *x = &a->v[i];
		/* Only the latest change of each key counts. */
		if (i > 0 && gt_digest_key_cmp(x->e, x->p, x->o, x->c, a->v[i - 1].e, a->v[i - 1].p,
		                               a->v[i - 1].o, a->v[i - 1].c) == 0)
			continue;
		if (!x->deleted)
			rc = gt_digest_add(d, x->e, x->p, x->o, x->c, x->v);
	}
	if (rc == GT_OK)
		rc = gt_digest_end(d, out, count);
	gt_digest_free(d);
	return rc;
}

static int collect(void *arg, const Gtsync__V1__PullChunk *chunk)
{
	return gt_approval_add(arg, chunk);
}

int gt_approval_pull(struct gt_home *h, const struct gt_meta *meta, const char *dataset,
                     const char *period, const char *org_unit, uint32_t timeout_ms,
                     uint8_t out[GT_SHA256_LEN], uint64_t *count)
{
	struct gt_approval *a = NULL;
	struct gt_session *s = NULL;
	struct gt_session_err err;
	struct gt_pull_opts o = {.timeout_ms = timeout_ms};
	struct gt_pull_result res;
	int rc;

	*count = 0;
	rc = gt_approval_begin(meta, dataset, period, org_unit, &a);
	if (rc != GT_OK)
		return rc;
	rc = gt_home_connect(h, timeout_ms, &s, NULL, &err);
	if (rc != GT_OK) {
		gt_home_explain(h, "gtsync approve", &err);
		goto out;
	}
	memset(&res, 0, sizeof(res));
	rc = gt_pull_chunks(h, s, "gtsync approve", org_unit, 0, &o, collect, a, &res);
	if (rc == GT_ETOOBIG)
		gt_home_say(h, _("gtsync approve: the approval would cover more than %u values"),
		            GT_APPROVAL_MAX_VALUES);
	if (rc == GT_OK && !res.complete)
		rc = GT_EPROTO;
	if (rc == GT_OK)
		rc = gt_approval_end(a, out, count);
out:
	gt_session_close(s);
	gt_approval_free(a);
	return rc;
}

void gt_approval_hex(const uint8_t digest[GT_SHA256_LEN], char hex[2 * GT_SHA256_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < GT_SHA256_LEN; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[2 * GT_SHA256_LEN] = '\0';
}
