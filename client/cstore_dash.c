/* The dashboard's cache in the client store: consolidated reports as the server sent them. */
#include "cstore_dash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cstore_int.h"
#include "error.h"

/* Binds k's org, data set and period as parameters 1 to 3. */
static void bind_key(sqlite3_stmt *s, const struct gt_cstore_dash_key *k)
{
	gt_sqldb_bind_text(s, 1, k->org);
	gt_sqldb_bind_text(s, 2, k->dataset);
	gt_sqldb_bind_text(s, 3, k->period);
}

int gt_cstore_dash_get(struct gt_cstore *st, const struct gt_cstore_dash_key *k, uint8_t **bytes,
                       size_t *len, int64_t *fetched_ms, char *err, size_t err_len)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_D_GET);
	const void *blob;
	int rc, n;

	*bytes = NULL;
	*len = 0;
	*fetched_ms = 0;
	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, k);
	rc = gt_sqldb_step(st->db, s);
	if (rc == 0)
		return GT_ENOENT;
	if (rc < 0)
		return rc;
	rc = GT_OK;
	blob = sqlite3_column_blob(s, 0);
	n = sqlite3_column_bytes(s, 0);
	if (blob != NULL && n > 0) {
		if ((size_t)n > GT_CSTORE_DASH_MAX_REPLY)
			rc = GT_ETOOBIG;
		else if ((*bytes = malloc((size_t)n)) == NULL)
			rc = GT_ENOMEM;
		else {
			memcpy(*bytes, blob, (size_t)n);
			*len = (size_t)n;
		}
	}
	*fetched_ms = sqlite3_column_int64(s, 1);
	if (err != NULL && err_len > 0)
		snprintf(err, err_len, "%s", gt_sqldb_col_text(s, 2));
	gt_sqldb_reset(s);
	return rc;
}

int gt_cstore_dash_put(struct gt_cstore *st, const struct gt_cstore_dash_key *k,
                       const uint8_t *bytes, size_t len, int64_t now_ms)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_D_PUT);

	if (s == NULL)
		return GT_ESTORE;
	if (len > GT_CSTORE_DASH_MAX_REPLY)
		return GT_ETOOBIG;
	bind_key(s, k);
	sqlite3_bind_blob(s, 4, len ? bytes : (const void *)"", (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, now_ms);
	return gt_sqldb_run(st->db, s);
}

/* Runs statement q on the report's key and a time (parameters 1-3 and 4). */
static int run_key_at(struct gt_cstore *st, int q, const struct gt_cstore_dash_key *k,
                      int64_t now_ms)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, q);

	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, k);
	sqlite3_bind_int64(s, 4, now_ms);
	return gt_sqldb_run(st->db, s);
}

int gt_cstore_dash_touch(struct gt_cstore *st, const struct gt_cstore_dash_key *k, int64_t now_ms)
{
	return run_key_at(st, Q_D_TOUCH, k, now_ms);
}

int gt_cstore_dash_want(struct gt_cstore *st, const struct gt_cstore_dash_key *k, int64_t now_ms)
{
	return run_key_at(st, Q_D_WANT, k, now_ms);
}

int gt_cstore_dash_fail(struct gt_cstore *st, const struct gt_cstore_dash_key *k, const char *why)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_D_FAIL);

	if (s == NULL)
		return GT_ESTORE;
	bind_key(s, k);
	gt_sqldb_bind_text(s, 4, why != NULL ? why : "");
	return gt_sqldb_run(st->db, s);
}

int gt_cstore_dash_due(struct gt_cstore *st, int64_t older_ms, int with_failed, size_t max,
                       struct gt_cstore_dash_key **out, size_t *n)
{
	sqlite3_stmt *s = gt_sqldb_stmt(st->db, Q_D_DUE);
	struct gt_cstore_dash_key *keys = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return GT_ESTORE;
	if (max == 0)
		return GT_OK;
	if ((keys = calloc(max, sizeof(*keys))) == NULL)
		return GT_ENOMEM;
	sqlite3_bind_int64(s, 1, older_ms);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
	sqlite3_bind_int(s, 3, with_failed != 0);
	while ((rc = gt_sqldb_step(st->db, s)) == 1) {
		struct gt_cstore_dash_key *k = &keys[count];
		if (count == max) {
			gt_sqldb_reset(s);
			rc = 0;
			break;
		}
		snprintf(k->org, sizeof(k->org), "%s", gt_sqldb_col_text(s, 0));
		snprintf(k->dataset, sizeof(k->dataset), "%s", gt_sqldb_col_text(s, 1));
		snprintf(k->period, sizeof(k->period), "%s", gt_sqldb_col_text(s, 2));
		count++;
	}
	if (rc < 0) {
		free(keys);
		return rc;
	}
	*out = keys;
	*n = count;
	return GT_OK;
}
