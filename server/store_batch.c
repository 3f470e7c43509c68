/* Store: the append-only batch log, applying batches with the merge rule, and rebuild. */
#include "store_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define KIND_VALUE      GTSYNC__V1__ITEM_KIND__ITEM_VALUE
#define KIND_COMPLETION GTSYNC__V1__ITEM_KIND__ITEM_COMPLETION
#define KIND_ACTION     GTSYNC__V1__ITEM_KIND__ITEM_ACTION
#define KIND_MAX        KIND_ACTION

static const char *str(const char *s)
{
	return s != NULL ? s : "";
}

/* Parses a plain decimal number ([+-]digits[.digits][e[+-]digits]) for report sums; anything
 * else (text, hex, inf, nan, spaces) is not a number. Returns 1 and sets *out if it is. */
static int parse_num(const char *s, double *out)
{
	const char *p = s;
	char *end;
	int digits = 0;

	if (*p == '+' || *p == '-')
		p++;
	while (*p >= '0' && *p <= '9') {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits++;
		}
	}
	if (digits == 0)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p != '\0')
		return 0;
	*out = strtod(s, &end);
	return *end == '\0' && isfinite(*out);
}

static int skip(struct gt_store *st, int kind, int reason, size_t index)
{
	if (st->n_skips == st->skips_cap) {
		size_t ncap = st->skips_cap == 0 ? 64 : st->skips_cap * 2;
		struct gt__store_skip *p = realloc(st->skips, ncap * sizeof(*p));

		if (p == NULL)
			return gt__store_err(st, GT_ENOMEM, "out of memory");
		st->skips = p;
		st->skips_cap = ncap;
	}
	st->skips[st->n_skips].kind = (uint8_t)kind;
	st->skips[st->n_skips].reason = (uint8_t)reason;
	st->skips[st->n_skips].index = (uint32_t)index;
	st->n_skips++;
	return 0;
}

/* Groups the skipped items by (kind, reason) into out->conflicts: one allocation. */
static int build_conflicts(struct gt_store *st, struct gt_store_batch_out *out)
{
	uint32_t count[KIND_MAX + 1][256];
	uint32_t *fill[KIND_MAX + 1][256];
	size_t groups = 0, g = 0;
	struct gt_store_conflict *c;
	uint32_t *idx;

	if (st->n_skips == 0)
		return 0;
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < st->n_skips; i++)
		if (count[st->skips[i].kind][st->skips[i].reason]++ == 0)
			groups++;
	c = malloc(groups * sizeof(*c) + st->n_skips * sizeof(uint32_t));
	if (c == NULL)
		return gt__store_err(st, GT_ENOMEM, "out of memory");
	idx = (uint32_t *)(c + groups);
	for (int k = 0; k <= KIND_MAX; k++) {
		for (int r = 0; r < 256; r++) {
			if (count[k][r] == 0)
				continue;
			c[g].reason = r;
			c[g].kind = k;
			c[g].indexes = idx;
			c[g].n_indexes = 0;
			fill[k][r] = idx;
			idx += count[k][r];
			g++;
		}
	}
	/* Items were skipped in index order, so each group's indexes come out ascending. */
	for (size_t i = 0; i < st->n_skips; i++)
		*fill[st->skips[i].kind][st->skips[i].reason]++ = st->skips[i].index;
	for (size_t i = 0; i < groups; i++)
		c[i].n_indexes = count[c[i].kind][c[i].reason];
	out->conflicts = c;
	out->n_conflicts = groups;
	return 0;
}

/* The stored outcome of a batch: little-endian 32-bit words: format (1), the twelve counts,
 * the number of conflict groups, the number of indexes, then (reason, kind, count) per group,
 * then every index. */
#define OUTCOME_FORMAT 1u
#define OUTCOME_HEAD   15u

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t *out_counts(struct gt_store_batch_out *out, uint32_t *c[12])
{
	struct gt_store_counts *k[3] = {&out->values, &out->completions, &out->actions};
	for (int i = 0; i < 3; i++) {
		c[i * 4 + 0] = &k[i]->imported;
		c[i * 4 + 1] = &k[i]->updated;
		c[i * 4 + 2] = &k[i]->deleted;
		c[i * 4 + 3] = &k[i]->ignored;
	}
	return c[0];
}

static int save_outcome(struct gt_store *st, uint64_t log_index, struct gt_store_batch_out *out)
{
	sqlite3_stmt *s = gt__store_q(st, Q_LOG_OUTCOME_SET);
	uint32_t *c[12];
	size_t nidx = 0, words, w = 0;
	uint8_t *buf;
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	for (size_t g = 0; g < out->n_conflicts; g++)
		nidx += out->conflicts[g].n_indexes;
	words = OUTCOME_HEAD + 3 * out->n_conflicts + nidx;
	buf = malloc(words * 4);
	if (buf == NULL)
		return gt__store_err(st, GT_ENOMEM, "out of memory");
	out_counts(out, c);
	put32(buf + 4 * w++, OUTCOME_FORMAT);
	for (int i = 0; i < 12; i++)
		put32(buf + 4 * w++, *c[i]);
	put32(buf + 4 * w++, (uint32_t)out->n_conflicts);
	put32(buf + 4 * w++, (uint32_t)nidx);
	for (size_t g = 0; g < out->n_conflicts; g++) {
		put32(buf + 4 * w++, (uint32_t)out->conflicts[g].reason);
		put32(buf + 4 * w++, (uint32_t)out->conflicts[g].kind);
		put32(buf + 4 * w++, (uint32_t)out->conflicts[g].n_indexes);
	}
	for (size_t g = 0; g < out->n_conflicts; g++)
		for (size_t i = 0; i < out->conflicts[g].n_indexes; i++)
			put32(buf + 4 * w++, out->conflicts[g].indexes[i]);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)log_index);
	sqlite3_bind_blob(s, 2, buf, (int)(words * 4), SQLITE_STATIC);
	rc = sqlite3_step(s);
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "saving a batch outcome");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	free(buf);
	return rc;
}

/* Restores a stored outcome into out; a missing or malformed one leaves out empty (the batch
 * predates stored outcomes). */
static int load_outcome(struct gt_store *st, uint64_t log_index, struct gt_store_batch_out *out)
{
	sqlite3_stmt *s = gt__store_q(st, Q_LOG_OUTCOME_GET);
	uint32_t *c[12];
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)log_index);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const uint8_t *p = sqlite3_column_blob(s, 0);
		size_t len = (size_t)sqlite3_column_bytes(s, 0), words = len / 4;
		uint32_t ngroups, nidx;
		rc = 0;
		if (p == NULL || len % 4 != 0 || words < OUTCOME_HEAD || get32(p) != OUTCOME_FORMAT)
			goto done;
		ngroups = get32(p + 4 * 13);
		nidx = get32(p + 4 * 14);
		if ((uint64_t)OUTCOME_HEAD + 3ull * ngroups + nidx != words)
			goto done;
		out_counts(out, c);
		for (int i = 0; i < 12; i++)
			*c[i] = get32(p + 4 * (1 + i));
		if (ngroups == 0)
			goto done;
		struct gt_store_conflict *cf =
		    malloc(ngroups * sizeof(*cf) + (size_t)nidx * sizeof(uint32_t));
		if (cf == NULL) {
			rc = gt__store_err(st, GT_ENOMEM, "out of memory");
			goto done;
		}
		uint32_t *idx = (uint32_t *)(cf + ngroups);
		const uint8_t *gp = p + 4 * OUTCOME_HEAD, *ip = gp + 12 * (size_t)ngroups;
		size_t used = 0;
		for (uint32_t g = 0; g < ngroups; g++) {
			cf[g].reason = (int)get32(gp + 12 * g);
			cf[g].kind = (int)get32(gp + 12 * g + 4);
			cf[g].n_indexes = get32(gp + 12 * g + 8);
			cf[g].indexes = idx + used;
			if (cf[g].n_indexes > nidx - used) {
				free(cf);
				memset(out, 0, sizeof(*out));
				goto done;
			}
			used += cf[g].n_indexes;
		}
		for (uint32_t i = 0; i < nidx; i++)
			idx[i] = get32(ip + 4 * (size_t)i);
		out->conflicts = cf;
		out->n_conflicts = ngroups;
	} else {
		rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading a batch outcome");
	}
done:
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

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, str(v), -1, SQLITE_STATIC);
}

/*
 * Applies one value under the merge rule, in one statement: the row is inserted, or updated
 * when the value wins (higher revision, or equal revision and a hash not smaller: the same
 * key twice in one batch goes to the later item). No change means the value lost. The update
 * branch calls gt_merge_note(), which says whether the key existed and was deleted.
 */
static int apply_value(struct gt_store *st, const struct gt_store_batch_in *in, size_t i,
                       struct gt_store_batch_out *out)
{
	const Gtsync__V1__DataValue *v = in->batch->values[i];
	int reason = in->value_verdicts != NULL ? in->value_verdicts[i] : 0;
	sqlite3_stmt *s;
	double num;
	int rc;

	if (reason == 0 && in->locked != NULL &&
	    in->locked(in->lock_arg, KIND_VALUE, str(v->dataset), str(v->data_element),
	               str(v->period), str(v->org_unit)))
		reason = GTSYNC__V1__CONFLICT_REASON__CONFLICT_LOCKED_PERIOD;
	if (reason != 0) {
		out->values.ignored++;
		return skip(st, KIND_VALUE, reason, i);
	}
	s = gt__store_q(st, Q_DV_UPSERT);
	if (s == NULL)
		return GT_ESTORE;
	bind_str(s, 1, v->data_element);
	bind_str(s, 2, v->period);
	bind_str(s, 3, v->org_unit);
	bind_str(s, 4, v->category_option_combo);
	bind_str(s, 5, v->value);
	bind_str(s, 6, v->comment);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)v->revision);
	sqlite3_bind_int(s, 8, v->deleted ? 1 : 0);
	if (parse_num(str(v->value), &num))
		sqlite3_bind_double(s, 9, num);
	else
		sqlite3_bind_null(s, 9);
	sqlite3_bind_blob(s, 10, in->hash, GT_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 11, in->received_at_ms);
	sqlite3_bind_int64(s, 12, (sqlite3_int64)(st->change_seq + 1));
	st->merge_note = 0;
	rc = gt__store_run(st, s, "storing a value");
	if (rc != 0)
		return rc;
	if (sqlite3_changes(st->db) == 0) {
		out->values.ignored++;
		return skip(st, KIND_VALUE, GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION,
		            i);
	}
	st->change_seq++;
	if (v->deleted)
		out->values.deleted++; /* a tombstone too, so that an older revision cannot win */
	else if (st->merge_note == 1)
		out->values.updated++;
	else
		out->values.imported++; /* a new key, or one written again after a delete */
	return 0;
}

/* Applies one completion registration: the last applied wins. */
static int apply_completion(struct gt_store *st, const struct gt_store_batch_in *in, size_t i,
                            struct gt_store_batch_out *out)
{
	const Gtsync__V1__CompleteRegistration *c = in->batch->completions[i];
	int reason = in->completion_verdicts != NULL ? in->completion_verdicts[i] : 0;
	sqlite3_stmt *s;
	int rc, exists;

	if (reason == 0 && in->locked != NULL &&
	    in->locked(in->lock_arg, KIND_COMPLETION, str(c->dataset), NULL, str(c->period),
	               str(c->org_unit)))
		reason = GTSYNC__V1__CONFLICT_REASON__CONFLICT_LOCKED_PERIOD;
	if (reason != 0) {
		out->completions.ignored++;
		return skip(st, KIND_COMPLETION, reason, i);
	}
	s = gt__store_q(st, Q_CO_GET);
	if (s == NULL)
		return GT_ESTORE;
	bind_str(s, 1, c->dataset);
	bind_str(s, 2, c->period);
	bind_str(s, 3, c->org_unit);
	rc = sqlite3_step(s);
	exists = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = gt__store_sqlerr(st, rc, "reading a completion");
	else
		rc = 0;
	sqlite3_reset(s);
	if (rc != 0)
		return rc;
	s = gt__store_q(st, Q_CO_UPSERT);
	if (s == NULL)
		return GT_ESTORE;
	bind_str(s, 1, c->dataset);
	bind_str(s, 2, c->period);
	bind_str(s, 3, c->org_unit);
	sqlite3_bind_int(s, 4, c->completed ? 1 : 0);
	sqlite3_bind_int64(s, 5, in->received_at_ms);
	sqlite3_bind_blob(s, 6, in->hash, GT_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)++st->change_seq);
	rc = gt__store_run(st, s, "storing a completion");
	if (rc != 0)
		return rc;
	if (!c->completed)
		out->completions.deleted++;
	else if (exists)
		out->completions.updated++;
	else
		out->completions.imported++;
	return 0;
}

static int set_state(struct gt_store *st, const char *dataset, const char *period,
                     const char *org_unit, int state, int64_t at_ms)
{
	sqlite3_stmt *s = gt__store_q(st, Q_WS_UPSERT);

	if (s == NULL)
		return GT_ESTORE;
	bind_str(s, 1, dataset);
	bind_str(s, 2, period);
	bind_str(s, 3, org_unit);
	sqlite3_bind_int(s, 4, state);
	sqlite3_bind_int64(s, 5, at_ms);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)++st->change_seq);
	return gt__store_run(st, s, "storing a workflow state");
}

/* Records one workflow action as an event, and the state the rules gave it, if any. */
static int apply_action(struct gt_store *st, const struct gt_store_batch_in *in, size_t i,
                        struct gt_store_batch_out *out)
{
	const Gtsync__V1__WorkflowAction *a = in->batch->actions[i];
	int reason = in->action_verdicts != NULL ? in->action_verdicts[i] : 0;
	int state = in->action_states != NULL ? in->action_states[i] : 0;
	sqlite3_stmt *s;
	int rc;

	if (reason != 0) {
		out->actions.ignored++;
		return skip(st, KIND_ACTION, reason, i);
	}
	s = gt__store_q(st, Q_WE_INS);
	if (s == NULL)
		return GT_ESTORE;
	bind_str(s, 1, a->dataset);
	bind_str(s, 2, a->period);
	bind_str(s, 3, a->org_unit);
	sqlite3_bind_int(s, 4, a->kind);
	bind_str(s, 5, in->batch->key_id);
	sqlite3_bind_int64(s, 6, in->received_at_ms);
	bind_str(s, 7, a->reason);
	if (a->data_digest.len > 0)
		sqlite3_bind_blob(s, 8, a->data_digest.data, (int)a->data_digest.len,
		                  SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 8);
	sqlite3_bind_blob(s, 9, in->hash, GT_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, (sqlite3_int64)++st->change_seq);
	rc = gt__store_run(st, s, "storing a workflow event");
	if (rc == 0 && state != 0)
		rc = set_state(st, a->dataset, a->period, a->org_unit, state, in->received_at_ms);
	if (rc == 0)
		out->actions.imported++;
	return rc;
}

/* Looks up a logged hash: 1 and *log_index if present, 0 if not, or a GT_E* code. */
static int find_hash(struct gt_store *st, const uint8_t *hash, uint64_t *log_index)
{
	sqlite3_stmt *s = gt__store_q(st, Q_LOG_BY_HASH);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_blob(s, 1, hash, GT_SHA256_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*log_index = (uint64_t)sqlite3_column_int64(s, 0);
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = gt__store_sqlerr(st, rc, "looking up a batch");
	}
	sqlite3_reset(s);
	return rc;
}

/* Refuses a (key, sequence) already used, then appends the batch to the log. */
static int append_log(struct gt_store *st, const struct gt_store_batch_in *in, uint64_t *log_index)
{
	const gt_batch *b = in->batch;
	sqlite3_stmt *s = gt__store_q(st, Q_LOG_BY_KEYSEQ);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	bind_str(s, 1, b->key_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)b->sequence);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		unsigned long long other = (unsigned long long)sqlite3_column_int64(s, 0);

		sqlite3_reset(s);
		return gt__store_err(st, GT_ECONFLICT,
		                     "key %.16s already used sequence %llu for another batch "
		                     "(log index %llu)",
		                     b->key_id, (unsigned long long)b->sequence, other);
	}
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "looking up a sequence");
	sqlite3_reset(s);
	if (rc != 0)
		return rc;
	s = gt__store_q(st, Q_LOG_INS);
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_blob(s, 1, in->hash, GT_SHA256_LEN, SQLITE_STATIC);
	bind_str(s, 2, b->key_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)b->sequence);
	bind_str(s, 4, b->org_unit);
	sqlite3_bind_blob64(s, 5, in->bytes, in->len, SQLITE_STATIC);
	sqlite3_bind_blob64(s, 6, in->signature, in->sig_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, in->received_at_ms);
	rc = gt__store_run(st, s, "appending to the batch log");
	if (rc == 0)
		*log_index = (uint64_t)sqlite3_last_insert_rowid(st->db);
	return rc;
}

static int check_in(struct gt_store *st, const struct gt_store_batch_in *in)
{
	const gt_batch *b = in->batch;

	if (b == NULL || in->hash == NULL)
		return gt__store_err(st, GT_EINVAL, "batch or hash missing");
	if (!in->replay &&
	    (in->bytes == NULL || in->len == 0 || in->signature == NULL || in->sig_len == 0))
		return gt__store_err(st, GT_EINVAL, "batch bytes or signature missing");
	if (b->key_id == NULL || b->org_unit == NULL)
		return gt__store_err(st, GT_EINVAL, "batch without key or org unit");
	if (b->sequence == 0 || b->sequence > INT64_MAX)
		return gt__store_err(st, GT_EINVAL, "batch sequence out of range");
	if (b->n_values > UINT32_MAX || b->n_completions > UINT32_MAX || b->n_actions > UINT32_MAX)
		return gt__store_err(st, GT_ETOOBIG, "too many items");
	/* Revisions are compared by sqlite as signed 64-bit integers. */
	for (size_t i = 0; i < b->n_values; i++)
		if (b->values[i]->revision > INT64_MAX)
			return gt__store_err(st, GT_EINVAL, "value %zu: revision out of range", i);
	return 0;
}

int gt_store_batch_apply(struct gt_store *st, const struct gt_store_batch_in *in,
                         struct gt_store_batch_out *out)
{
	struct gt__store_tx tx;
	uint64_t log_index = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->status = GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED;
	if (in == NULL)
		return gt__store_err(st, GT_EINVAL, "no batch");
	rc = check_in(st, in);
	if (rc != 0)
		return rc;
	rc = gt__store_tx_enter(st, &tx);
	if (rc != 0)
		return rc;
	if (in->replay) {
		log_index = in->log_index;
	} else {
		rc = find_hash(st, in->hash, &log_index);
		if (rc == 1) {
			/* Answer with what happened the first time; nothing is applied again. */
			rc = load_outcome(st, log_index, out);
			out->status = GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE;
			out->log_index = log_index;
			rc = gt__store_tx_leave(st, &tx, rc);
			if (rc != 0)
				gt_store_batch_out_free(out);
			return rc;
		}
		if (rc == 0)
			rc = append_log(st, in, &log_index);
		if (rc != 0)
			goto out;
	}
	st->n_skips = 0;
	for (size_t i = 0; i < in->batch->n_values && rc == 0; i++)
		rc = apply_value(st, in, i, out);
	for (size_t i = 0; i < in->batch->n_completions && rc == 0; i++)
		rc = apply_completion(st, in, i, out);
	for (size_t i = 0; i < in->batch->n_actions && rc == 0; i++)
		rc = apply_action(st, in, i, out);
	if (rc == 0)
		rc = gt__store_seq_save(st);
	if (rc == 0)
		rc = build_conflicts(st, out);
	if (rc == 0)
		rc = save_outcome(st, log_index, out);
out:
	rc = gt__store_tx_leave(st, &tx, rc);
	if (rc != 0) {
		gt_store_batch_out_free(out);
		out->status = GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED;
		return rc;
	}
	out->log_index = log_index;
	out->status = out->n_conflicts > 0 ? GTSYNC__V1__PUSH_STATUS__PUSH_WARNING
	                                   : GTSYNC__V1__PUSH_STATUS__PUSH_OK;
	return 0;
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
	bind_str(s, 1, dataset);
	bind_str(s, 2, period);
	bind_str(s, 3, org_unit);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*state = sqlite3_column_int(s, 0);
	rc =
	    rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading a state");
	sqlite3_reset(s);
	return rc;
}

int gt_store_workflow_events(struct gt_store *st, const char *dataset, const char *period,
                             const char *org_unit, gt_store_wfevent_cb cb, void *arg)
{
	struct gt_store_wfevent e;
	sqlite3_stmt *s;
	int rc;

	if (dataset == NULL || period == NULL || org_unit == NULL || cb == NULL)
		return gt__store_err(st, GT_EINVAL, "incomplete workflow key");
	s = gt__store_q(st, Q_WE_LIST);
	if (s == NULL)
		return GT_ESTORE;
	bind_str(s, 1, dataset);
	bind_str(s, 2, period);
	bind_str(s, 3, org_unit);
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
		rc = cb(arg, &e);
		if (rc != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading workflow events");
out:
	sqlite3_reset(s);
	return rc;
}
