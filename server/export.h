/* The export request: a data set's raw values, completions and approvals in a key's scope. */
#ifndef GT_EXPORT_H
#define GT_EXPORT_H

#include "period.h"
#include "snapshot.h"
#include "store_export.h"
#include "wire.h"

struct gt__reply;

/* Periods one export may cover (of all types together). */
#define GT_EXPORT_MAX_PERIODS 2000u

/* A published yearly figure of an element with a disclosure threshold (a public export's last
 * chunks; docs/PRIVACY.md). The codes point into the snapshot's metadata and units. */
struct gt__export_cell {
	const char *org_unit, *element, *coc;
	char period[GT_PERIOD_MAX_LEN];
	char value[32];
};

/* One answered export chunk, between the reading thread and the reply. */
struct gt__export {
	struct gt_store_export_out out;
	struct gt__export_cell *cells; /* sent after out's values (a public export's last) */
	size_t n_cells, cap_cells;
	char cells_next[24];   /* the next published cell's place when more remain, else "" */
	const char **elements; /* the elements exported (a public export leaves some out) */
	size_t n_elements;
	int public_view; /* for publishing: no comments, no signers (issue 14) */
	char (*periods)[GT_PERIOD_MAX_LEN];
	const char **period_ptrs;
	size_t n_periods, n_state_periods;
};

/* Reads the chunk q asks for from st with snap's metadata (both borrowed; x's cells point into
 * snap, so hold it until the reply is sent), its values' text within about budget bytes (so
 * the reply fits a frame). On success *out (caller frees with
 * gt__export_free()) holds it; on failure *why is a sentence for the client (static or the
 * store's). */
int gt__export_run(struct gt_store *st, const struct gt_snapshot *snap,
                   const Gtsync__V1__ExportRequest *q, size_t budget, struct gt__export **out,
                   const char **why);

/* Fills env (request id rid) with the ExportChunk of x and sends it on c. */
void gt__export_reply(struct gt__reply *r, uint64_t rid, const struct gt__export *x);

/* Frees x; accepts NULL. */
void gt__export_free(struct gt__export *x);

#endif
