/* Store: the append-only batch log with each batch's outcome, the items of a batch (values,
 * completions, workflow events and states) as the rules decided them, and rebuild. */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "merge.h"

static const char *str(const char *s)
{
	return s != NULL ? s : "";
}

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, str(v), -1, SQLITE_STATIC);
}

/* Binds a key's three leading columns (data set or element, period, org unit) to ?1..?3. */
static void bind_key(sqlite3_stmt *s, const char *a, const char *period, const char *org_unit)
{
	bind_str(s, 1, a);
	bind_str(s, 2, period);
	bind_str(s, 3, org_unit);
}

/* ---- Outcomes ------------------------------------------------------------------------ */

/*
 * The stored outcome of a batch, in little-endian 32-bit words. Format 2: the format (2), the
 * twelve counts, the number of conflict groups and of index runs, then per group (reason,
 * kind, runs, message length), then every run (first index, count), then the messages' bytes
 * padded to a word. Format 1 (older stores) listed every index instead of runs and kept no
 * messages; it is still read.
 */
#define OUTCOME_FORMAT_1 1u
#define OUTCOME_FORMAT_2 2u
#define OUTCOME_HEAD     15u

static void out_counts(struct gt_store_batch_out *out, uint32_t *c[12])
{
	struct gt_store_counts *k[3] = {&out->values, &out->completions, &out->actions};
	for (int i = 0; i < 3; i++) {
		c[i * 4 + 0] = &k[i]->imported;
		c[i * 4 + 1] = &k[i]->updated;
		c[i * 4 + 2] = &k[i]->deleted;
		c[i * 4 + 3] = &k[i]->ignored;
	}
}

/* Runs of consecutive indexes in a group. */
static size_t runs_of(const struct gt_store_conflict *c)
{
	size_t runs = 0;
	for (size_t i = 0; i < c->n_indexes; i++)
		if (i == 0 || c->indexes[i] != c->indexes[i - 1] + 1)
			runs++;
	return runs;
}

static size_t message_len(const struct gt_store_conflict *c)
{
	size_t n = c->message != NULL ? strlen(c->message) : 0;
	return n < GT_STORE_MAX_CONFLICT_MESSAGE ? n : GT_STORE_MAX_CONFLICT_MESSAGE - 1;
}

int gt_store_log_outcome_save(struct gt_store *st, uint64_t log_index,
                              const struct gt_store_batch_out *out)
{
	sqlite3_stmt *s = gt__store_q(st, Q_LOG_OUTCOME_SET);
	struct gt_store_batch_out tmp = *out;
	uint32_t *c[12];
	size_t runs = 0, text = 0, words, w = 0;
	uint8_t *buf, *tp;
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	for (size_t g = 0; g < out->n_conflicts; g++) {
		runs += runs_of(&out->conflicts[g]);
		text += message_len(&out->conflicts[g]);
	}
	words = OUTCOME_HEAD + 4 * out->n_conflicts + 2 * runs + (text + 3) / 4;
	buf = calloc(words, 4);
	if (buf == NULL)
		return gt__store_err(st, GT_ENOMEM, "out of memory");
	out_counts(&tmp, c);
	gt_buf_store_u32le(buf + 4 * w++, OUTCOME_FORMAT_2);
	for (int i = 0; i < 12; i++)
		gt_buf_store_u32le(buf + 4 * w++, *c[i]);
	gt_buf_store_u32le(buf + 4 * w++, (uint32_t)out->n_conflicts);
	gt_buf_store_u32le(buf + 4 * w++, (uint32_t)runs);
	for (size_t g = 0; g < out->n_conflicts; g++) {
		gt_buf_store_u32le(buf + 4 * w++, (uint32_t)out->conflicts[g].reason);
		gt_buf_store_u32le(buf + 4 * w++, (uint32_t)out->conflicts[g].kind);
		gt_buf_store_u32le(buf + 4 * w++, (uint32_t)runs_of(&out->conflicts[g]));
		gt_buf_store_u32le(buf + 4 * w++, (uint32_t)message_len(&out->conflicts[g]));
	}
	for (size_t g = 0; g < out->n_conflicts; g++) {
		const struct gt_store_conflict *cf = &out->conflicts[g];
		for (size_t i = 0; i < cf->n_indexes;) {
			size_t k = i + 1;
			while (k < cf->n_indexes && cf->indexes[k] == cf->indexes[k - 1] + 1)
				k++;
			gt_buf_store_u32le(buf + 4 * w++, cf->indexes[i]);
			gt_buf_store_u32le(buf + 4 * w++, (uint32_t)(k - i));
			i = k;
		}
	}
	tp = buf + 4 * w;
	for (size_t g = 0; g < out->n_conflicts; g++) {
		size_t n = message_len(&out->conflicts[g]);
		if (n > 0)
			memcpy(tp, out->conflicts[g].message, n);
		tp += n;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)log_index);
	sqlite3_bind_blob(s, 2, buf, (int)(words * 4), SQLITE_STATIC);
	rc = sqlite3_step(s);
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "saving a batch outcome");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	free(buf);
	return rc;
}

/* Checks that an outcome of words words in format, with ngroups conflict groups and nruns
 * runs (format 2; indexes in format 1), has exactly the size these say, and counts its indexes
 * (*nidx) and its messages' bytes with their terminators (*text). -1 when malformed. */
static int outcome_sizes(const uint8_t *p, size_t words, uint32_t format, uint32_t ngroups,
                         uint32_t nruns, size_t *nidx, size_t *text)
{
	size_t per = format == OUTCOME_FORMAT_1 ? 3 : 4;

	*nidx = 0;
	*text = 0;
	if (ngroups > words || nruns > words || OUTCOME_HEAD + per * (uint64_t)ngroups > words)
		return -1;
	/* Every index is an ignored item: the expansion is bounded by the counts. */
	if (format == OUTCOME_FORMAT_1) {
		*nidx = nruns;
		return (uint64_t)OUTCOME_HEAD + 3ull * ngroups + *nidx != words ? -1 : 0;
	}
	const uint8_t *rp = p + 4 * (OUTCOME_HEAD + 4 * (size_t)ngroups);
	if ((uint64_t)OUTCOME_HEAD + 4ull * ngroups + 2ull * nruns > words)
		return -1;
	for (uint32_t r = 0; r < nruns; r++)
		*nidx += gt_buf_load_u32le(rp + 8 * (size_t)r + 4);
	for (uint32_t g = 0; g < ngroups; g++)
		*text += gt_buf_load_u32le(p + 4 * (OUTCOME_HEAD + 4 * (size_t)g + 3)) + 1;
	if (OUTCOME_HEAD + 4 * (size_t)ngroups + 2 * (size_t)nruns + (*text - ngroups + 3) / 4 !=
	    words)
		return -1;
	return 0;
}

/* Fills the ngroups conflict groups cf[] of an outcome whose sizes outcome_sizes() checked:
 * their nidx indexes and their messages follow cf[] in the same allocation. -1 when a group
 * claims more than the outcome holds. */
static int outcome_groups(const uint8_t *p, uint32_t format, uint32_t ngroups, uint32_t nruns,
                          size_t nidx, struct gt_store_conflict *cf)
{
	size_t per = format == OUTCOME_FORMAT_1 ? 3 : 4;
	uint32_t *idx = (uint32_t *)(cf + ngroups);
	char *msg = (char *)(idx + nidx);
	const uint8_t *gp = p + 4 * OUTCOME_HEAD;
	const uint8_t *xp = gp + 4 * per * (size_t)ngroups;
	const uint8_t *mp = xp + 8 * (size_t)nruns;
	size_t used = 0, run = 0;

	for (uint32_t g = 0; g < ngroups; g++) {
		cf[g].reason = (int)gt_buf_load_u32le(gp + 4 * per * g);
		cf[g].kind = (int)gt_buf_load_u32le(gp + 4 * per * g + 4);
		cf[g].indexes = idx + used;
		cf[g].message = "";
		if (format == OUTCOME_FORMAT_1) {
			cf[g].n_indexes = gt_buf_load_u32le(gp + 12 * g + 8);
			if (cf[g].n_indexes > nidx - used)
				return -1;
			for (size_t i = 0; i < cf[g].n_indexes; i++)
				idx[used + i] = gt_buf_load_u32le(xp + 4 * (used + i));
			used += cf[g].n_indexes;
			continue;
		}
		uint32_t gruns = gt_buf_load_u32le(gp + 16 * g + 8),
		         mlen = gt_buf_load_u32le(gp + 16 * g + 12);
		if (gruns > nruns - run || mlen >= GT_STORE_MAX_CONFLICT_MESSAGE)
			return -1;
		for (uint32_t r = 0; r < gruns; r++, run++) {
			uint32_t first = gt_buf_load_u32le(xp + 8 * run),
			         n = gt_buf_load_u32le(xp + 8 * run + 4);
			if (n > nidx - used)
				return -1;
			for (uint32_t i = 0; i < n; i++)
				idx[used++] = first + i;
		}
		cf[g].n_indexes = (size_t)(idx + used - cf[g].indexes);
		memcpy(msg, mp, mlen);
		msg[mlen] = '\0';
		cf[g].message = msg;
		msg += mlen + 1;
		mp += mlen;
	}
	return 0;
}

/* Decodes a stored outcome of len bytes into out; 0 with out empty when it is malformed. */
static int decode_outcome(struct gt_store *st, const uint8_t *p, size_t len,
                          struct gt_store_batch_out *out)
{
	size_t words = len / 4, nidx = 0, text = 0;
	uint32_t format, ngroups, nruns, *c[12];
	struct gt_store_conflict *cf;
	uint64_t ignored;

	if (p == NULL || len % 4 != 0 || words < OUTCOME_HEAD)
		return 0;
	format = gt_buf_load_u32le(p);
	if (format != OUTCOME_FORMAT_1 && format != OUTCOME_FORMAT_2)
		return 0;
	out_counts(out, c);
	for (int i = 0; i < 12; i++)
		*c[i] = gt_buf_load_u32le(p + 4 * (1 + i));
	ngroups = gt_buf_load_u32le(p + 4 * 13);
	nruns = gt_buf_load_u32le(p + 4 * 14);
	ignored = (uint64_t)out->values.ignored + out->completions.ignored + out->actions.ignored;
	if (outcome_sizes(p, words, format, ngroups, nruns, &nidx, &text) != 0 || nidx != ignored)
		goto bad;
	if (ngroups == 0)
		return 0;
	cf = calloc(1, ngroups * sizeof(*cf) + nidx * sizeof(uint32_t) + text + 1);
	if (cf == NULL)
		return gt__store_err(st, GT_ENOMEM, "out of memory");
	if (outcome_groups(p, format, ngroups, nruns, nidx, cf) != 0) {
		free(cf);
		goto bad;
	}
	out->conflicts = cf;
	out->n_conflicts = ngroups;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return 0;
}

int gt_store_log_outcome_load(struct gt_store *st, uint64_t log_index,
                              struct gt_store_batch_out *out)
{
	sqlite3_stmt *s = gt__store_q(st, Q_LOG_OUTCOME_GET);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)log_index);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = decode_outcome(st, sqlite3_column_blob(s, 0),
		                    (size_t)sqlite3_column_bytes(s, 0), out);
	else
		rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading a batch outcome");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

void gt_store_batch_out_free(struct gt_store_batch_out *out)
{
	if (out == NULL)
		return;
	free(out->conflicts);
	memset(out, 0, sizeof(*out));
}

/* ---- The log ------------------------------------------------------------------------- */

/* Runs query id (bound by the caller through bind) expecting at most one integer: *out is it,
 * or 0 without a row. */
static int one_int(struct gt_store *st, sqlite3_stmt *s, const char *what, uint64_t *out)
{
	int rc = sqlite3_step(s);

	*out = 0;
	if (rc == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, what);
	sqlite3_reset(s);
	return rc;
}

int gt_store_log_lookup(struct gt_store *st, const uint8_t hash[GT_SHA256_LEN], uint64_t *log_index)
{
	sqlite3_stmt *s = gt__store_q(st, Q_LOG_BY_HASH);

	*log_index = 0;
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_blob(s, 1, hash, GT_SHA256_LEN, SQLITE_STATIC);
	return one_int(st, s, "looking up a batch", log_index);
}

int gt_store_log_by_sequence(struct gt_store *st, const char *key_id, uint64_t sequence,
                             uint64_t *log_index)
{
	sqlite3_stmt *s = gt__store_q(st, Q_LOG_BY_KEYSEQ);

	*log_index = 0;
	if (s == NULL)
		return GT_ESTORE;
	if (sequence > INT64_MAX)
		return 0;
	bind_str(s, 1, key_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)sequence);
	return one_int(st, s, "looking up a sequence", log_index);
}

int gt_store_log_append(struct gt_store *st, const struct gt_store_log_in *in, uint64_t *log_index)
{
	sqlite3_stmt *s;
	uint64_t leaf = 0;
	int rc;

	*log_index = 0;
	if (in->hash == NULL || in->key_id == NULL || in->org_unit == NULL)
		return gt__store_err(st, GT_EINVAL, "batch hash, key or org unit missing");
	if (in->sequence == 0 || in->sequence > INT64_MAX)
		return gt__store_err(st, GT_EINVAL, "batch sequence out of range");
	if ((in->bytes == NULL) != (in->len == 0) || (in->len > 0 && in->signature == NULL))
		return gt__store_err(st, GT_EINVAL, "batch bytes or signature missing");
	/* The batch's leaf in the transparency log is the tree's next one. */
	if ((rc = gt_store_tree_size(st, &leaf)) != 0)
		return rc;
	if ((s = gt__store_q(st, Q_LOG_INS)) == NULL)
		return GT_ESTORE;
	sqlite3_bind_blob(s, 1, in->hash, GT_SHA256_LEN, SQLITE_STATIC);
	bind_str(s, 2, in->key_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)in->sequence);
	bind_str(s, 4, in->org_unit);
	sqlite3_bind_blob64(s, 5, in->len > 0 ? (const void *)in->bytes : "", in->len,
	                    SQLITE_STATIC);
	sqlite3_bind_blob64(s, 6, in->len > 0 ? (const void *)in->signature : "",
	                    in->len > 0 ? in->sig_len : 0, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, in->received_at_ms);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)leaf);
	rc = gt__store_run(st, s, "appending to the batch log");
	if (rc == GT_EEXIST || rc == GT_ECONFLICT)
		rc = gt__store_err(st, GT_EEXIST, "the batch or its sequence is already logged");
	if (rc == 0)
		*log_index = (uint64_t)sqlite3_last_insert_rowid(st->db);
	/* Its leaf in the transparency log, in the same transaction (issue 14). */
	if (rc == 0)
		rc = gt__store_tree_append_batch(st, leaf, *log_index, in->hash, in->received_at_ms,
		                                 in->len > 0 ? in->signature : NULL,
		                                 in->len > 0 ? in->sig_len : 0);
	if (rc != 0)
		*log_index = 0;
	return rc;
}

/* ---- Items --------------------------------------------------------------------------- */

int gt_store_value_head(struct gt_store *st, const char *data_element, const char *period,
                        const char *org_unit, const char *coc, struct gt_store_value_head *out)
{
	sqlite3_stmt *s = gt__store_q_bound(st, Q_DV_HEAD); /* binds ?1..?4 */
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, data_element, period, org_unit);
	bind_str(s, 4, coc);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->exists = 1;
		out->revision = (uint64_t)sqlite3_column_int64(s, 0);
		out->deleted = sqlite3_column_int(s, 1) != 0;
		if (sqlite3_column_bytes(s, 2) == GT_SHA256_LEN)
			memcpy(out->origin_batch, sqlite3_column_blob(s, 2), GT_SHA256_LEN);
	}
	rc =
	    rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading a value");
	sqlite3_reset(s);
	return rc;
}

/* Runs statement id (the upsert or the in-place update, which take the same parameters) for
 * v; *written says whether it wrote a row (the update writes none when the key is not stored). */
static int value_write(struct gt_store *st, enum gt__store_sql id,
                       const struct gt_store_value_in *v, int *written)
{
	sqlite3_stmt *s;
	double num;
	int rc;

	*written = 0;
	if ((s = gt__store_q_bound(st, id)) == NULL) /* binds ?1..?12 */
		return GT_ESTORE;
	bind_key(s, v->data_element, v->period, v->org_unit);
	bind_str(s, 4, v->coc);
	bind_str(s, 5, v->value);
	bind_str(s, 6, v->comment);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)v->revision);
	sqlite3_bind_int(s, 8, v->deleted ? 1 : 0);
	if (gt_merge_number(str(v->value), &num))
		sqlite3_bind_double(s, 9, num);
	else
		sqlite3_bind_null(s, 9);
	sqlite3_bind_blob(s, 10, v->origin_batch, GT_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 11, v->at_ms);
	sqlite3_bind_int64(s, 12, (sqlite3_int64)(st->change_seq + 1));
	rc = gt__store_run(st, s, "storing a value");
	if (rc == 0)
		*written = sqlite3_changes(st->db) > 0;
	return rc;
}

int gt_store_value_put(struct gt_store *st, const struct gt_store_value_in *v)
{
	int rc, written = 0;

	if (v->revision > INT64_MAX)
		return gt__store_err(st, GT_EINVAL, "revision out of range");
	if (v->origin_batch == NULL)
		return gt__store_err(st, GT_EINVAL, "value without its batch");
	/* A key known to be stored is updated in place; the upsert covers every other case, and
	 * the key the caller saw but that is gone. */
	rc = v->exists ? value_write(st, Q_DV_UPDATE, v, &written) : 0;
	if (rc == 0 && !written)
		rc = value_write(st, Q_DV_UPSERT, v, &written);
	if (rc == 0)
		st->change_seq++;
	return rc;
}

int gt_store_value_sum(struct gt_store *st, const char *data_element, const char *coc,
                       const char *period, const char *org_unit, double *sum, uint32_t *count)
{
	sqlite3_stmt *s = gt__store_q(st, Q_DV_SUM);
	int rc;

	*sum = 0;
	*count = 0;
	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, data_element, period, org_unit);
	if (coc != NULL)
		bind_str(s, 4, coc);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*sum = sqlite3_column_double(s, 0);
		*count = (uint32_t)sqlite3_column_int64(s, 1);
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "summing values");
	sqlite3_reset(s);
	return rc;
}

int gt_store_completion_put(struct gt_store *st, const char *dataset, const char *period,
                            const char *org_unit, int completed, const uint8_t *origin_batch,
                            int64_t at_ms, int *existed)
{
	sqlite3_stmt *s = gt__store_q(st, Q_CO_GET);
	int rc;

	*existed = 0;
	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, dataset, period, org_unit);
	rc = sqlite3_step(s);
	*existed = rc == SQLITE_ROW;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE
	         ? 0
	         : gt__store_sqlerr(st, rc, "reading a completion");
	sqlite3_reset(s);
	if (rc != 0)
		return rc;
	if ((s = gt__store_q(st, Q_CO_UPSERT)) == NULL)
		return GT_ESTORE;
	bind_key(s, dataset, period, org_unit);
	sqlite3_bind_int(s, 4, completed ? 1 : 0);
	sqlite3_bind_int64(s, 5, at_ms);
	sqlite3_bind_blob(s, 6, origin_batch, GT_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)(st->change_seq + 1));
	rc = gt__store_run(st, s, "storing a completion");
	if (rc == 0)
		st->change_seq++;
	return rc;
}

int gt_store_workflow_state_set(struct gt_store *st, const char *dataset, const char *period,
                                const char *org_unit, int state, int64_t at_ms)
{
	sqlite3_stmt *s = gt__store_q(st, Q_WS_UPSERT);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, dataset, period, org_unit);
	sqlite3_bind_int(s, 4, state);
	sqlite3_bind_int64(s, 5, at_ms);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)(st->change_seq + 1));
	rc = gt__store_run(st, s, "storing a workflow state");
	if (rc == 0)
		st->change_seq++;
	return rc;
}

int gt_store_workflow_event_add(struct gt_store *st, const struct gt_store_wfevent_in *e)
{
	sqlite3_stmt *s = gt__store_q(st, Q_WE_INS);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	if (e->origin_batch == NULL)
		return gt__store_err(st, GT_EINVAL, "event without its batch");
	bind_key(s, e->dataset, e->period, e->org_unit);
	sqlite3_bind_int(s, 4, e->kind);
	bind_str(s, 5, e->key_id);
	sqlite3_bind_int64(s, 6, e->at_ms);
	bind_str(s, 7, e->reason);
	if (e->data_digest != NULL)
		sqlite3_bind_blob(s, 8, e->data_digest, GT_SHA256_LEN, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 8);
	sqlite3_bind_blob(s, 9, e->origin_batch, GT_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, (sqlite3_int64)(st->change_seq + 1));
	bind_str(s, 11, e->open_until);
	bind_str(s, 12, e->acknowledged);
	rc = gt__store_run(st, s, "storing a workflow event");
	if (rc == 0)
		st->change_seq++;
	return rc;
}

int gt_store_workflow_last(struct gt_store *st, const char *dataset, const char *period,
                           const char *org_unit, int kind, int *found, char open_until[16])
{
	sqlite3_stmt *s = gt__store_q(st, Q_WE_LAST);
	int rc;

	*found = 0;
	open_until[0] = '\0';
	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, dataset, period, org_unit);
	sqlite3_bind_int(s, 4, kind);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		*found = 1;
		snprintf(open_until, 16, "%s", t != NULL ? (const char *)t : "");
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
	                                           : gt__store_sqlerr(st, rc, "reading an event");
	sqlite3_reset(s);
	return rc;
}

/* ---- Log reading --------------------------------------------------------------------- */

/* Copies the current row of a log query into st->copy and fills e from it, so that the
 * statement can be reset before the callback runs. */
static int copy_entry(struct gt_store *st, sqlite3_stmt *s, struct gt_store_log_entry *e)
{
	size_t blen = (size_t)sqlite3_column_bytes(s, 1);
	size_t slen = (size_t)sqlite3_column_bytes(s, 2);
	size_t klen = (size_t)sqlite3_column_bytes(s, 4);
	size_t olen = (size_t)sqlite3_column_bytes(s, 6);
	size_t need = blen + slen + klen + olen + 2;
	uint8_t *p;

	if (need > st->copy_cap) {
		p = realloc(st->copy, need);
		if (p == NULL)
			return gt__store_err(st, GT_ENOMEM, "out of memory");
		st->copy = p;
		st->copy_cap = need;
	}
	p = st->copy;
	memset(e, 0, sizeof(*e));
	e->log_index = (uint64_t)sqlite3_column_int64(s, 0);
	if (blen > 0)
		memcpy(p, sqlite3_column_blob(s, 1), blen);
	e->batch = p;
	e->len = blen;
	p += blen;
	if (slen > 0)
		memcpy(p, sqlite3_column_blob(s, 2), slen);
	e->signature = p;
	e->sig_len = slen;
	p += slen;
	if (sqlite3_column_bytes(s, 3) != GT_SHA256_LEN)
		return gt__store_err(st, GT_ECORRUPT, "logged batch hash is not 32 bytes");
	memcpy(e->hash, sqlite3_column_blob(s, 3), GT_SHA256_LEN);
	if (klen > 0)
		memcpy(p, sqlite3_column_text(s, 4), klen);
	p[klen] = '\0';
	e->key_id = (const char *)p;
	p += klen + 1;
	e->sequence = (uint64_t)sqlite3_column_int64(s, 5);
	if (olen > 0)
		memcpy(p, sqlite3_column_text(s, 6), olen);
	p[olen] = '\0';
	e->org_unit = (const char *)p;
	e->received_at_ms = sqlite3_column_int64(s, 7);
	return 0;
}

int gt_store_log_foreach(struct gt_store *st, uint64_t after, gt_store_log_cb cb, void *arg)
{
	struct gt_store_log_entry e;
	uint64_t pos = after;
	int rc;

	if (cb == NULL)
		return gt__store_err(st, GT_EINVAL, "no callback");
	for (;;) {
		sqlite3_stmt *s = gt__store_q(st, Q_LOG_NEXT);

		if (s == NULL)
			return GT_ESTORE;
		sqlite3_bind_int64(s, 1, (sqlite3_int64)pos);
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE) {
			sqlite3_reset(s);
			return 0;
		}
		if (rc != SQLITE_ROW) {
			rc = gt__store_sqlerr(st, rc, "reading the batch log");
			sqlite3_reset(s);
			return rc;
		}
		rc = copy_entry(st, s, &e);
		sqlite3_reset(s);
		if (rc != 0)
			return rc;
		pos = e.log_index;
		rc = cb(arg, &e);
		if (rc != 0)
			return rc;
	}
}

int gt_store_log_find(struct gt_store *st, const uint8_t hash[GT_SHA256_LEN], gt_store_log_cb cb,
                      void *arg)
{
	struct gt_store_log_entry e;
	sqlite3_stmt *s;
	int rc;

	if (hash == NULL || cb == NULL)
		return gt__store_err(st, GT_EINVAL, "no hash or callback");
	s = gt__store_q(st, Q_LOG_FIND);
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_blob(s, 1, hash, GT_SHA256_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = copy_entry(st, s, &e);
	else if (rc == SQLITE_DONE)
		rc = gt__store_err(st, GT_ENOENT, "no such batch in the log");
	else
		rc = gt__store_sqlerr(st, rc, "reading the batch log");
	sqlite3_reset(s);
	return rc != 0 ? rc : cb(arg, &e);
}

int gt_store_log_count(struct gt_store *st, uint64_t *count)
{
	return gt__store_count(st, Q_LOG_COUNT, "counting the batch log", count);
}

int gt_store_rebuild_begin(struct gt_store *st)
{
	char *msg = NULL;
	int rc;

	if (sqlite3_get_autocommit(st->db)) {
		rc = gt_store_begin(st);
		if (rc != 0)
			return rc;
	}
	rc = sqlite3_exec(st->db,
	                  "DELETE FROM datavalues; DELETE FROM completions;"
	                  "DELETE FROM workflow_events; DELETE FROM workflow_state;",
	                  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		rc = gt__store_sqlerr(st, rc, "clearing derived tables");
		sqlite3_free(msg);
		return rc;
	}
	st->change_seq = 0;
	return gt__store_seq_save(st);
}

/* ---- Workflow records ------------------------------------------------------------------ */

int gt_store_workflow_state_get(struct gt_store *st, const char *dataset, const char *period,
                                const char *org_unit, int *state)
{
	sqlite3_stmt *s;
	int rc;

	*state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN;
	if (dataset == NULL || period == NULL || org_unit == NULL)
		return gt__store_err(st, GT_EINVAL, "incomplete workflow key");
	s = gt__store_q(st, Q_WS_GET);
	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, dataset, period, org_unit);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*state = sqlite3_column_int(s, 0);
	rc =
	    rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading a state");
	sqlite3_reset(s);
	return rc;
}

int gt_store_workflow_events(struct gt_store *st, const char *dataset, const char *period,
                             const char *org_unit, uint32_t last, uint64_t *total,
                             gt_store_wfevent_cb cb, void *arg)
{
	struct gt_store_wfevent e;
	sqlite3_stmt *s;
	int own, rc, stop = 0;

	if (total != NULL)
		*total = 0;
	if (dataset == NULL || period == NULL || org_unit == NULL || cb == NULL)
		return gt__store_err(st, GT_EINVAL, "incomplete workflow key");
	if ((rc = gt__store_read_begin(st, &own)) != 0)
		return rc;
	if (total != NULL) {
		if ((s = gt__store_q(st, Q_WE_COUNT)) == NULL) {
			rc = GT_ESTORE;
			goto out;
		}
		bind_str(s, 1, dataset);
		bind_str(s, 2, period);
		bind_str(s, 3, org_unit);
		if ((rc = one_int(st, s, "counting workflow events", total)) != 0)
			goto out;
	}
	if ((s = gt__store_q(st, Q_WE_LIST)) == NULL) {
		rc = GT_ESTORE;
		goto out;
	}
	bind_key(s, dataset, period, org_unit);
	sqlite3_bind_int64(s, 4, last > 0 ? (sqlite3_int64)last : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.id = (uint64_t)sqlite3_column_int64(s, 0);
		e.dataset = (const char *)sqlite3_column_text(s, 1);
		e.period = (const char *)sqlite3_column_text(s, 2);
		e.org_unit = (const char *)sqlite3_column_text(s, 3);
		e.kind = sqlite3_column_int(s, 4);
		e.key_id = (const char *)sqlite3_column_text(s, 5);
		e.at_ms = sqlite3_column_int64(s, 6);
		e.reason = (const char *)sqlite3_column_text(s, 7);
		if (sqlite3_column_bytes(s, 8) == GT_SHA256_LEN)
			e.data_digest = sqlite3_column_blob(s, 8);
		if (sqlite3_column_bytes(s, 9) == GT_SHA256_LEN)
			memcpy(e.origin_batch, sqlite3_column_blob(s, 9), GT_SHA256_LEN);
		e.change_seq = (uint64_t)sqlite3_column_int64(s, 10);
		e.open_until = str((const char *)sqlite3_column_text(s, 11));
		e.acknowledged = str((const char *)sqlite3_column_text(s, 12));
		if ((stop = cb(arg, &e)) != 0)
			break;
	}
	if (stop != 0)
		rc = stop;
	else
		rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading workflow events");
	sqlite3_reset(s);
out:
	gt__store_read_end(st, own);
	return rc;
}
