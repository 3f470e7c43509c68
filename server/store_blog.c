/* The store's side of the batch journal: the applied position, and the commit's sync mode. */
#include "store_impl.h"

#include <stdlib.h>

#include "error.h"

/* The applied position is one store_state row: generation << 40 | offset. */
#define POS_SHIFT 40

int gt_store_blog_pos(struct gt_store *st, uint64_t *gen, uint64_t *off)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*gen = 0;
	*off = 0;
	rc = sqlite3_prepare_v2(st->db, "SELECT value FROM store_state WHERE name = 'journal'", -1,
	                        &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t v = (uint64_t)sqlite3_column_int64(s, 0);
		*gen = v >> POS_SHIFT;
		*off = v & ((UINT64_C(1) << POS_SHIFT) - 1);
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
	                                           : gt__store_sqlerr(st, rc,
	                                                              "reading the journal "
	                                                              "position");
	sqlite3_finalize(s);
	return rc;
}

struct gt_store_blog_marker {
	struct gt_store *st;
	sqlite3_stmt *s;
};

int gt_store_blog_marker_open(struct gt_store *st, struct gt_store_blog_marker **out)
{
	struct gt_store_blog_marker *m;
	int rc;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return GT_ENOMEM;
	m->st = st;
	rc = sqlite3_prepare_v3(st->db,
	                        "INSERT INTO store_state(name, value) VALUES('journal', ?1) "
	                        "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
	                        -1, SQLITE_PREPARE_PERSISTENT, &m->s, NULL);
	if (rc != SQLITE_OK) {
		rc = gt__store_sqlerr(st, rc, "preparing the journal position");
		gt_store_blog_marker_close(m);
		return rc;
	}
	*out = m;
	return GT_OK;
}

int gt_store_blog_marker_set(struct gt_store_blog_marker *m, uint64_t gen, uint64_t off)
{
	int rc;

	if (gen >= (UINT64_C(1) << (63 - POS_SHIFT)) || off >= (UINT64_C(1) << POS_SHIFT))
		return gt__store_err(m->st, GT_ETOOBIG, "journal position out of range");
	sqlite3_bind_int64(m->s, 1, (sqlite3_int64)(gen << POS_SHIFT | off));
	rc = sqlite3_step(m->s);
	sqlite3_reset(m->s);
	return rc == SQLITE_DONE ? 0
	                         : gt__store_sqlerr(m->st, rc, "recording the journal position");
}

void gt_store_blog_marker_close(struct gt_store_blog_marker *m)
{
	if (m == NULL)
		return;
	sqlite3_finalize(m->s);
	free(m);
}

int gt_store_blog_mark(struct gt_store *st, uint64_t gen, uint64_t off)
{
	struct gt_store_blog_marker *m = NULL;
	int rc = gt_store_blog_marker_open(st, &m);

	if (rc == GT_OK)
		rc = gt_store_blog_marker_set(m, gen, off);
	gt_store_blog_marker_close(m);
	return rc;
}

int gt_store_set_sync(struct gt_store *st, int full)
{
	int rc =
	    sqlite3_exec(st->db, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
	                 NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : gt__store_sqlerr(st, rc, "setting the sync mode");
}
