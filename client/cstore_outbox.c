/* The client store's outbox: values and workflow actions queued, replaced and taken for
 * packing into batches. */
#include "cstore_int.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "vec.h"

/* Rows read per allocation step when packing (a batch holds thousands of values). */
#define TAKE_STEP 4096u

static void bind_key(sqlite3_stmt *s, const struct gt_cstore_value *v)
{
	gt_sqldb_bind_text(s, 1, v->data_element);
	gt_sqldb_bind_text(s, 2, v->period);
	gt_sqldb_bind_text(s, 3, v->org_unit);
	gt_sqldb_bind_text(s, 4, v->coc);
}

/* The latest change of v's key in the outbox: its id and state (-1 when none), and whether it
 * equals v. */
struct latest {
	int64_t id;
	int state;
	int same;
};

static int read_latest(struct gt_cstore *st, const struct gt_cstore_value *v, struct latest *l)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_KEY_LATEST);
	int rc;

	l->id = 0;
	l->state = -1;
	l->same = 0;
	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, v);
	rc = gt_sqldb_step(st->db, s);
	if (rc <= 0)
		return rc;
	l->id = sqlite3_column_int64(s, 0);
	l->state = sqlite3_column_int(s, 1);
	l->same = strcmp(gt_sqldb_col_text(s, 2), v->value ? v->value : "") == 0 &&
	          strcmp(gt_sqldb_col_text(s, 3), v->comment ? v->comment : "") == 0 &&
	          strcmp(gt_sqldb_col_text(s, 4), v->dataset ? v->dataset : "") == 0 &&
	          sqlite3_column_int(s, 5) == (v->deleted ? 1 : 0);
	gt_sqldb_reset(s);
	return GT_OK;
}

/* The revision for a new change of v's key: above every revision known for the key (outbox and
 * replica), and at least now_ms. */
static int next_revision(struct gt_cstore *st, const struct gt_cstore_value *v, int64_t now_ms,
                         uint64_t *rev)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_KEY_MAXREV);
	uint64_t known = 0;
	int rc;

	*rev = 0;
	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, v);
	rc = gt_sqldb_step(st->db, s);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		known = (uint64_t)sqlite3_column_int64(s, 0);
		gt_sqldb_reset(s);
	}
	*rev = known + 1;
	if (now_ms > 0 && (uint64_t)now_ms > *rev)
		*rev = (uint64_t)now_ms;
	if (*rev > INT64_MAX)
		return gt_sqldb_fail(st->db, GT_ETOOBIG, "revision out of range");
	return GT_OK;
}

/* Replaces the still-queued change id with v. */
static int replace_queued(struct gt_cstore *st, int64_t id, const struct gt_cstore_value *v,
                          uint64_t rev, int64_t now_ms)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_OB_UPDATE);

	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	gt_sqldb_bind_text(s, 2, v->value);
	gt_sqldb_bind_text(s, 3, v->comment);
	gt_sqldb_bind_text(s, 4, v->dataset);
	sqlite3_bind_int(s, 5, v->deleted ? 1 : 0);
	gt_sqldb_bind_u64(s, 6, rev);
	sqlite3_bind_int64(s, 7, now_ms);
	gt_sqldb_bind_text(s, 8, v->source);
	return gt_sqldb_run(st->db, s);
}

static int insert_queued(struct gt_cstore *st, const struct gt_cstore_value *v, uint64_t rev,
                         int64_t now_ms)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_OB_INSERT);

	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, v);
	gt_sqldb_bind_text(s, 5, v->value);
	gt_sqldb_bind_text(s, 6, v->comment);
	gt_sqldb_bind_text(s, 7, v->dataset);
	sqlite3_bind_int(s, 8, v->deleted ? 1 : 0);
	gt_sqldb_bind_u64(s, 9, rev);
	sqlite3_bind_int64(s, 10, now_ms);
	gt_sqldb_bind_text(s, 11, v->source);
	return gt_sqldb_run(st->db, s);
}

int gt_cstore_queue(struct gt_cstore *st, const struct gt_cstore_value *v, int64_t now_ms,
                    int *result)
{
	struct gt_sqldb_scope sc;
	struct latest l;
	uint64_t rev;
	int rc, what = GT_CSTORE_NEW;

	if (result != NULL)
		*result = GT_CSTORE_NEW;
	if ((rc = gt_sqldb_scope_enter(st->db, &sc)) != GT_OK)
		return rc;
	if ((rc = read_latest(st, v, &l)) != GT_OK)
		goto out;
	if (l.same && l.state >= GT_CSTORE_QUEUED && l.state <= GT_CSTORE_ACKED) {
		what = GT_CSTORE_UNCHANGED;
		goto out;
	}
	if ((rc = next_revision(st, v, now_ms, &rev)) != GT_OK)
		goto out;
	if (l.state == GT_CSTORE_QUEUED) {
		what = GT_CSTORE_REPLACED;
		rc = replace_queued(st, l.id, v, rev, now_ms);
	} else {
		rc = insert_queued(st, v, rev, now_ms);
	}
out:
	rc = gt_sqldb_scope_leave(st->db, &sc, rc);
	if (rc == GT_OK && result != NULL)
		*result = what;
	return rc;
}

/* Steps to the newest value of the cell, the outbox's own before the replica's: returns 1 with
 * *out on its row (value text, deleted flag; the caller resets it), 0 when neither holds the
 * cell, or a negative GT_E* code. */
static int latest_row(struct gt_cstore *st, const char *data_element, const char *period,
                      const char *org_unit, const char *coc, sqlite3_stmt **out)
{
	struct gt_cstore_value key = {
	    .data_element = data_element, .period = period, .org_unit = org_unit, .coc = coc};
	static const int ids[2] = {Q_KEY_NUMBER, Q_R_NUMBER};

	*out = NULL;
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *s = gt_sqldb_stmt(st->db, ids[i]);
		int rc;
		if (s == NULL)
			return GT_ESTORE;
		bind_key(s, &key);
		rc = gt_sqldb_step(st->db, s);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			*out = s;
			return 1;
		}
	}
	return 0;
}

int gt_cstore_latest_number(struct gt_cstore *st, const char *data_element, const char *period,
                            const char *org_unit, const char *coc, double *v)
{
	sqlite3_stmt *s;
	const char *t;
	char *end;
	int rc;

	*v = 0;
	rc = latest_row(st, data_element, period, org_unit, coc, &s);
	if (rc <= 0)
		return rc == 0 ? GT_ENOENT : rc;
	t = gt_sqldb_col_text(s, 0);
	*v = strtod(t, &end);
	rc = (sqlite3_column_int(s, 1) || *t == '\0' || *end != '\0') ? GT_ENOENT : GT_OK;
	gt_sqldb_reset(s);
	return rc;
}

int gt_cstore_latest_text(struct gt_cstore *st, const char *data_element, const char *period,
                          const char *org_unit, const char *coc, char *buf, size_t len)
{
	sqlite3_stmt *s;
	const char *t;
	size_t n;
	int rc;

	if (len > 0)
		buf[0] = '\0';
	rc = latest_row(st, data_element, period, org_unit, coc, &s);
	if (rc <= 0)
		return rc == 0 ? GT_ENOENT : rc;
	t = gt_sqldb_col_text(s, 0);
	n = strlen(t);
	if (sqlite3_column_int(s, 1))
		rc = GT_ENOENT;
	else if (n >= len)
		rc = GT_ETOOBIG;
	else {
		memcpy(buf, t, n + 1);
		rc = GT_OK;
	}
	gt_sqldb_reset(s);
	return rc;
}

void gt_cstore_outrows_free(struct gt_cstore_outrow *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(rows[i].data_element);
		free(rows[i].period);
		free(rows[i].org_unit);
		free(rows[i].coc);
		free(rows[i].value);
		free(rows[i].comment);
		free(rows[i].dataset);
	}
	free(rows);
}

/* Copies the current row of Q_OB_QUEUED into r. */
static int read_outrow(sqlite3_stmt *s, struct gt_cstore_outrow *r)
{
	r->id = sqlite3_column_int64(s, 0);
	r->data_element = strdup(gt_sqldb_col_text(s, 1));
	r->period = strdup(gt_sqldb_col_text(s, 2));
	r->org_unit = strdup(gt_sqldb_col_text(s, 3));
	r->coc = strdup(gt_sqldb_col_text(s, 4));
	r->value = strdup(gt_sqldb_col_text(s, 5));
	r->comment = strdup(gt_sqldb_col_text(s, 6));
	r->dataset = strdup(gt_sqldb_col_text(s, 7));
	r->revision = (uint64_t)sqlite3_column_int64(s, 8);
	r->deleted = sqlite3_column_int(s, 9);
	if (!r->data_element || !r->period || !r->org_unit || !r->coc || !r->value || !r->comment ||
	    !r->dataset)
		return GT_ENOMEM;
	return GT_OK;
}

int gt_cstore_queued_take(struct gt_cstore *st, size_t max_values, size_t max_bytes,
                          struct gt_cstore_outrow **out, size_t *n_out)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_OB_QUEUED);
	struct gt_cstore_outrow *rows = NULL;
	size_t n = 0, bytes = 0, cap;
	int rc;

	*out = NULL;
	*n_out = 0;
	if (s == NULL)
		return GT_ESTORE;
	if (max_values == 0)
		return GT_OK;
	cap = max_values < TAKE_STEP ? max_values : TAKE_STEP;
	rows = calloc(cap, sizeof(*rows));
	if (rows == NULL)
		return GT_ENOMEM;
	gt_sqldb_bind_u64(s, 1, max_values);
	while ((rc = gt_sqldb_step(st->db, s)) == 1) {
		size_t size = 0;
		for (int i = 1; i <= 7; i++)
			size += (size_t)sqlite3_column_bytes(s, i);
		if (n > 0 && bytes + size > max_bytes)
			break;
		if (GT_VEC_RESERVE(rows, cap, n + 1) != GT_OK) {
			rc = GT_ENOMEM;
			break;
		}
		memset(&rows[n], 0, sizeof(*rows));
		rc = read_outrow(s, &rows[n++]);
		if (rc != GT_OK)
			break;
		bytes += size;
	}
	gt_sqldb_reset(s);
	if (rc < 0) {
		gt_cstore_outrows_free(rows, n);
		return rc;
	}
	*out = rows;
	*n_out = n;
	return GT_OK;
}

/* ---- Workflow actions ---- */

int gt_cstore_action_queue(struct gt_cstore *st, const struct gt_cstore_action_in *a,
                           int64_t now_ms, int64_t *id)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_A_INSERT);
	int rc;

	if (id != NULL)
		*id = 0;
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int(s, 1, a->kind);
	gt_sqldb_bind_text(s, 2, a->dataset);
	gt_sqldb_bind_text(s, 3, a->period);
	gt_sqldb_bind_text(s, 4, a->org_unit);
	gt_sqldb_bind_text(s, 5, a->reason);
	if (a->digest != NULL)
		sqlite3_bind_blob(s, 6, a->digest, GT_SHA256_LEN, SQLITE_STATIC);
	gt_sqldb_bind_u64(s, 7, a->n_digested);
	sqlite3_bind_int64(s, 8, now_ms);
	gt_sqldb_bind_text(s, 9, a->open_until != NULL ? a->open_until : "");
	gt_sqldb_bind_text(s, 10, a->acknowledged != NULL ? a->acknowledged : "");
	rc = gt_sqldb_run(st->db, s);
	if (rc == GT_OK && id != NULL)
		*id = gt_sqldb_last_rowid(st->db);
	return rc;
}

void gt_cstore_action_clear(struct gt_cstore_action *a)
{
	if (a == NULL)
		return;
	free(a->dataset);
	free(a->period);
	free(a->org_unit);
	free(a->reason);
	free(a->message);
	free(a->open_until);
	free(a->acknowledged);
	memset(a, 0, sizeof(*a));
}

void gt_cstore_actions_free(struct gt_cstore_action *a, size_t n)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		gt_cstore_action_clear(&a[i]);
	free(a);
}

int gt__cstore_read_action(sqlite3_stmt *s, struct gt_cstore_action *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->kind = sqlite3_column_int(s, 1);
	a->dataset = strdup(gt_sqldb_col_text(s, 2));
	a->period = strdup(gt_sqldb_col_text(s, 3));
	a->org_unit = strdup(gt_sqldb_col_text(s, 4));
	a->reason = strdup(gt_sqldb_col_text(s, 5));
	if (sqlite3_column_bytes(s, 6) == GT_SHA256_LEN) {
		memcpy(a->digest, sqlite3_column_blob(s, 6), GT_SHA256_LEN);
		a->has_digest = 1;
	}
	a->n_digested = (uint64_t)sqlite3_column_int64(s, 7);
	a->state = sqlite3_column_int(s, 8);
	a->status = sqlite3_column_int(s, 9);
	a->conflict = sqlite3_column_int(s, 10);
	a->code = sqlite3_column_int(s, 11);
	a->message = strdup(gt_sqldb_col_text(s, 12));
	a->seq = (uint64_t)sqlite3_column_int64(s, 13);
	a->open_until = strdup(gt_sqldb_col_text(s, 14));
	a->acknowledged = strdup(gt_sqldb_col_text(s, 15));
	if (!a->dataset || !a->period || !a->org_unit || !a->reason || !a->message ||
	    !a->open_until || !a->acknowledged) {
		gt_cstore_action_clear(a);
		return GT_ENOMEM;
	}
	return GT_OK;
}

int gt__cstore_read_actions(struct gt_cstore *st, sqlite3_stmt *s, struct gt_cstore_action **out,
                            size_t *n_out)
{
	struct gt_cstore_action *a = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	while ((rc = gt_sqldb_step(st->db, s)) == 1) {
		if (GT_VEC_RESERVE(a, cap, n + 1) != GT_OK) {
			rc = GT_ENOMEM;
			break;
		}
		if ((rc = gt__cstore_read_action(s, &a[n])) != GT_OK)
			break;
		n++;
	}
	gt_sqldb_reset(s);
	if (rc < 0) {
		gt_cstore_actions_free(a, n);
		return rc;
	}
	*out = a;
	*n_out = n;
	return GT_OK;
}

int gt_cstore_actions_take(struct gt_cstore *st, size_t max, struct gt_cstore_action **out,
                           size_t *n)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_A_QUEUED);

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return GT_ESTORE;
	if (max == 0)
		return GT_OK;
	gt_sqldb_bind_u64(s, 1, max);
	return gt__cstore_read_actions(st, s, out, n);
}
