/* Tests for server/rules.c: item checks, the revision rule, duplicates and sequences, the
 * transition table against docs/SERVER.md, locks, expiry and late entry, nil reports,
 * validation at submission, conflict messages, and rebuild through the same rules. */
#define _GNU_SOURCE
/* Item tables name the leading fields only. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "crypto.h"
#include "digest.h"
#include "error.h"
#include "metadata.h"
#include "period.h"
#include "protonames.h"
#include "rules.h"
#include "snapshot.h"
#include "store.h"
#include "storefx.h"
#include "testbatch.h"
#include "testutil.h"
#include "wire.h"

#define REASON(x) GTSYNC__V1__CONFLICT_REASON__CONFLICT_##x
#define KIND(x)   GTSYNC__V1__ITEM_KIND__ITEM_##x
#define STATUS(x) GTSYNC__V1__PUSH_STATUS__PUSH_##x
#define WF(x)     GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_##x
#define STATE(x)  GTSYNC__V1__APPROVAL_STATE__APPROVAL_##x

/* Keys registered by the fixture (the log refers to them). */
enum { K_5371, K_5372, K_53, K_36, K_ID, N_KEYS };
static const char *const key_org[N_KEYS] = {"53.71", "53.72", "53", "36", "ID"};

struct fixture {
	struct gt_storefx fx; /* the store and its directory */
	struct gt_snapshot *snap;
	char key[N_KEYS][GT_KEY_ID_LEN + 1];
	uint64_t seq[N_KEYS];
};

/* Midday of a day, in Unix milliseconds. */
static int64_t day_ms(int y, int m, int d)
{
	struct gt_date date = {y, m, d};
	return gt_date_to_days(&date) * 86400000 + 43200000;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *csv = "code,name,level\n53,Nusa Tenggara Timur,province\n"
	                  "53.71,Kota Kupang,district\n53.72,Kota Dua,district\n"
	                  "36,Banten,province\n36.71,Kota Tangerang,district\n";

	gt_storefx_open(&f->fx, "rules");
	gt_storefx_units_keys(f->fx.st, csv, key_org, N_KEYS, f->key);
	gt_test_store_metadata(f->fx.st);
	assert_int_equal(gt_snapshot_load(f->fx.st, &f->snap), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gt_snapshot_unref(f->snap);
	gt_storefx_close(&f->fx);
	free(f);
	return 0;
}

/* Checks and applies a built batch received at at_ms, as ingest does. */
static int apply_built(struct fixture *f, const struct gt_test_built *b, int64_t at_ms,
                       struct gt_store_batch_out *out, char *why, size_t why_len)
{
	struct gt_rules_verdicts v;
	struct gt_rules_batch in;
	int rc;

	assert_int_equal(gt_rules_check(f->snap, b->dec, at_ms, &v), 0);
	gt_test_rules_in(&in, f->snap, b, at_ms);
	in.verdicts = &v;
	in.why = why;
	in.why_len = why_len;
	rc = gt_rules_apply(f->fx.st, &in, out);
	gt_rules_verdicts_free(&v);
	return rc;
}

/* Builds a batch of key k (next sequence) and applies it; returns the outcome. */
static struct gt_store_batch_out run(struct fixture *f, int k, int64_t at_ms,
                                     const struct gt_test_val *v, size_t nv,
                                     const struct gt_test_act *a, size_t na)
{
	struct gt_test_built b;
	struct gt_store_batch_out out;

	gt_test_build(&b, f->key[k], key_org[k], ++f->seq[k], 0, v, nv, NULL, 0, a, na);
	assert_int_equal(apply_built(f, &b, at_ms, &out, NULL, 0), 0);
	gt_test_unbuild(&b);
	return out;
}

/* The single conflict of out, which must have exactly one group. */
static const struct gt_store_conflict *only_conflict(const struct gt_store_batch_out *out)
{
	if (out->n_conflicts != 1)
		fail_msg("expected one conflict group, got %zu", out->n_conflicts);
	return &out->conflicts[0];
}

static void expect_reason(const struct gt_store_batch_out *out, int reason, const char *words)
{
	const struct gt_store_conflict *c = only_conflict(out);
	if (c->reason != reason)
		fail_msg("expected %s, got %s: %s", gt_protonames_conflict(reason),
		         gt_protonames_conflict(c->reason), c->message);
	if (words != NULL && strstr(c->message, words) == NULL)
		fail_msg("the message \"%s\" does not say \"%s\"", c->message, words);
}

static long long scalar(struct fixture *f, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long v = -1;

	assert_int_equal(sqlite3_open_v2(f->fx.path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Sets a report's approval state directly, as if the chain had got there. */
static void set_state(struct fixture *f, const char *ds, const char *pe, const char *ou, int state)
{
	struct gt_store_scope sc;
	assert_int_equal(gt_store_scope_enter(f->fx.st, &sc), 0);
	assert_int_equal(
	    gt_store_scope_leave(f->fx.st, &sc,
	                         gt_store_workflow_state_set(f->fx.st, ds, pe, ou, state, 1)),
	    0);
}

#define NOW day_ms(2025, 3, 10)

/* ---- The transition table is the one docs/SERVER.md shows ------------------------------- */

/* The states a cell of the docs' table names ("open, returned"; "any"); -1 on a word that
 * is not a state. */
static int states_of(const char *cell)
{
	char buf[256], *save = NULL;
	int bits = 0;

	snprintf(buf, sizeof(buf), "%s", cell);
	if (strstr(buf, "any") != NULL)
		return (int)(1u << STATE(OPEN) | 1u << STATE(SUBMITTED) | 1u << STATE(APPROVED) |
		             1u << STATE(ACCEPTED) | 1u << STATE(RETURNED));
	for (char *w = strtok_r(buf, ", ", &save); w != NULL; w = strtok_r(NULL, ", ", &save)) {
		int found = 0;
		for (int s = STATE(OPEN); s <= STATE(RETURNED); s++)
			if (strcmp(w, gt_protonames_state(s)) == 0)
				bits |= 1 << s, found = 1;
		if (!found)
			return -1;
	}
	return bits;
}

static void transitions_match_docs(void **state)
{
	size_t len = 0, rows = 0;
	char *doc = (char *)gt_test_read_file(GT_SOURCE_DIR "/docs/SERVER.md", &len);
	char *save = NULL;
	(void)state;

	assert_non_null(doc);
	for (char *line = strtok_r(doc, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char cells[6][256];
		int n = 0, kind;
		const char *p = line;

		if (line[0] != '|')
			continue;
		/* | action | who | allowed from | needs | then | */
		while (*p == '|' && n < 6) {
			const char *end = strchr(p + 1, '|');
			if (end == NULL)
				break;
			size_t l = (size_t)(end - p - 1);
			if (l >= sizeof(cells[n]))
				l = sizeof(cells[n]) - 1;
			memcpy(cells[n], p + 1, l);
			cells[n][l] = '\0';
			char *c = cells[n];
			while (*c == ' ')
				memmove(c, c + 1, strlen(c));
			while (*c && c[strlen(c) - 1] == ' ')
				c[strlen(c) - 1] = '\0';
			n++;
			p = end;
		}
		if (n != 5 || gt_protonames_kind_parse(cells[0], &kind) != GT_OK)
			continue;
		const struct gt_wfstate_transition *t = gt_wfstate_transition(kind);
		assert_non_null(t);
		if (states_of(cells[2]) != (int)t->from)
			fail_msg("docs/SERVER.md says %s is allowed from \"%s\"; the code differs",
			         cells[0], cells[2]);
		if (t->to == 0 ? strcmp(cells[4], "(unchanged)") != 0
		               : strcmp(cells[4], gt_protonames_state(t->to)) != 0)
			fail_msg("docs/SERVER.md says %s leads to \"%s\"; the code differs",
			         cells[0], cells[4]);
		rows++;
	}
	/* Every kind has its row. */
	assert_int_equal(rows, WF(OPEN_LATE));
	free(doc);
}

/* ---- Checks ----------------------------------------------------------------------------- */

/* issue 10 item 14: a value whose element belongs to another data set says so; messages name
 * the element, option, period and value. */
static void check_messages(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val v[] = {
	    {"KK_LP", "202501", "53.71", "", "3", 1, 0, "LY"},
	    {"KK_KORBAN", "202501", "53.71", "XX", "3", 1, 0},
	    {"KK_LP", "202501", "53.71", "", "-4", 1, 0},
	    {"KK_LP", "202704", "53.71", "", "4", 1, 0},
	    {"KK_LP", "2025", "53.71", "", "4", 1, 0},
	    {"NOPE", "202501", "53.71", "", "4", 1, 0},
	};
	struct gt_store_batch_out out = run(f, K_5371, NOW, v, 6, NULL, 0);

	assert_int_equal(out.values.ignored, 6);
	assert_int_equal(out.n_conflicts, 6);
	for (size_t i = 0; i < out.n_conflicts; i++) {
		const struct gt_store_conflict *c = &out.conflicts[i];
		switch (c->reason) {
		case REASON(ELEMENT_NOT_IN_DATASET):
			assert_string_equal(
			    c->message,
			    "value \"3\" of KK_LP for 202501 at 53.71: data element KK_LP "
			    "is not in data set LY; it belongs to KK");
			break;
		case REASON(UNKNOWN_CATEGORY_OPTION_COMBO):
			assert_non_null(strstr(c->message, "(option XX)"));
			break;
		case REASON(WRONG_VALUE_TYPE):
			assert_non_null(strstr(c->message, "value \"-4\" of KK_LP for 202501"));
			break;
		case REASON(FUTURE_PERIOD):
			assert_non_null(strstr(c->message, "starts on 2027-04-01"));
			break;
		case REASON(BAD_PERIOD):
			assert_non_null(
			    strstr(c->message, "KK is reported monthly; 2025 is yearly"));
			break;
		case REASON(UNKNOWN_DATA_ELEMENT):
			assert_non_null(strstr(c->message, "NOPE"));
			break;
		default:
			fail_msg("unexpected conflict %s", c->message);
		}
	}
	gt_store_batch_out_free(&out);
}

/* issue 10 item 5: comments and reasons with control characters are refused at the server
 * (a line feed in a comment is allowed); messages show them escaped. */
static void control_characters_refused(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val v[] = {
	    {"KK_LP", "202501", "53.71", "", "1", 1, 0, NULL, "baris satu\nbaris dua"},
	    {"KK_KORBAN", "202501", "53.71", "PD", "2", 1, 0, NULL, "\x1b]0;pwned\x07"},
	    {"KK_KORBAN", "202501", "53.71", "AP", "3", 1, 0, NULL, "tab\there"},
	    {"KK_KORBAN", "202501", "53.71", "LD", "4", 1, 0, NULL,
	     "c1 \xc2\x9b"
	     "31m"},
	    {"KK_KORBAN", "202501", "53.71", "AL", "5", 1, 0, NULL, "not utf-8 \xff"},
	};
	struct gt_store_batch_out out = run(f, K_5371, NOW, v, 5, NULL, 0);

	assert_int_equal(out.values.imported, 1);
	expect_reason(&out, REASON(BAD_TEXT), "U+001B");
	assert_int_equal(out.conflicts[0].n_indexes, 4);
	assert_null(strchr(out.conflicts[0].message, 0x1b));
	gt_store_batch_out_free(&out);

	const struct gt_test_act a[] = {
	    {WF(RETURN), "KK", "2025", "53.71", "salah\x1b[2J"},
	};
	out = run(f, K_53, NOW, NULL, 0, a, 1);
	expect_reason(&out, REASON(BAD_TEXT), "reason holds the control character U+001B");
	gt_store_batch_out_free(&out);
}

/* issue 14 (no identity in free text): the server itself refuses, whatever the client checked,
 * a comment on a count of victims, and a NIK, passport, phone number or e-mail address in a
 * comment, a text value or a workflow reason; regulation numbers, amounts and dates pass. */
static void identity_refused(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val v[] = {
	    {"KK_LP", "202501", "53.71", "", "1", 1, 0, NULL, "PP No. 22 Tahun 2021; Rp 1.500.000"},
	    {"KK_LP", "202502", "53.71", "", "1", 1, 0, NULL, "ibu korban 0812-3456-7890"},
	    {"KK_LP", "202503", "53.71", "", "1", 1, 0, NULL, "NIK 5371014507990003"},
	    {"KK_PELAKU", "202501", "53.71", "PERORANGAN", "1", 1, 0, NULL, "pelaku@contoh.co.id"},
	    {"GT_CATATAN", "2025S1", "53.71", "", "paspor A1234567 ditahan", 1, 0, NULL, NULL},
	    {"GT_CATATAN", "2024S2", "53.71", "", "Perpres 49/2023 dilaksanakan 31.12.2024", 1, 0,
	     NULL, NULL},
	    {"KK_KORBAN", "202501", "53.71", "AP", "1", 1, 0, NULL, "dua anak dari Kupang"},
	};
	struct gt_store_batch_out out = run(f, K_5371, NOW, v, 7, NULL, 0);

	assert_int_equal(out.values.imported, 2);
	assert_int_equal(out.n_conflicts, 1);
	assert_int_equal(out.conflicts[0].reason, REASON(BAD_TEXT));
	assert_int_equal(out.conflicts[0].n_indexes, 5);
	assert_non_null(strstr(out.conflicts[0].message, "a phone number"));
	/* The server's message does not repeat the number. */
	assert_null(strstr(out.conflicts[0].message, "3456"));
	gt_store_batch_out_free(&out);
	assert_int_equal(scalar(f, "SELECT count(*) FROM datavalues WHERE comment LIKE '%0812%' "
	                           "OR comment LIKE '%5371014%' OR value LIKE '%A1234567%'"),
	                 0);

	/* One at a time, each says what it saw. */
	const struct {
		struct gt_test_val v;
		const char *words;
	} one[] = {
	    {{"KK_LP", "202502", "53.71", "", "1", 1, 0, NULL, "NIK 5371014507990003"}, "a NIK"},
	    {{"KK_PELAKU", "202502", "53.71", "PERORANGAN", "1", 1, 0, NULL, "x@contoh.com"},
	     "an e-mail address"},
	    {{"GT_CATATAN", "2025S1", "53.71", "", "paspor A1234567", 1, 0, NULL, NULL},
	     "the value holds what looks like a passport number"},
	    {{"KK_KORBAN", "202502", "53.71", "PD", "1", 1, 0, NULL, "satu"},
	     "comments are not kept on KK_KORBAN: it counts victims"},
	};
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		out = run(f, K_5371, NOW, &one[i].v, 1, NULL, 0);
		expect_reason(&out, REASON(BAD_TEXT), one[i].words);
		gt_store_batch_out_free(&out);
	}

	const struct gt_test_act a[] = {
	    {WF(RETURN), "KK", "2025", "53.71", "hubungi operator di +62 812 3456 7890"},
	};
	set_state(f, "KK", "2025", "53.71", STATE(SUBMITTED));
	out = run(f, K_53, NOW, NULL, 0, a, 1);
	expect_reason(&out, REASON(BAD_TEXT), "the reason holds what looks like a phone number");
	gt_store_batch_out_free(&out);
	const struct gt_test_act ok[] = {
	    {WF(RETURN), "KK", "2025", "53.71", "angka Januari tidak sesuai PP No. 22 Tahun 2021"},
	};
	out = run(f, K_53, NOW, NULL, 0, ok, 1);
	assert_int_equal(out.status, STATUS(OK));
	gt_store_batch_out_free(&out);
}

/* issue 10 item 8: reasons are bounded. */
static void reasons_bounded(void **state)
{
	struct fixture *f = *state;
	char *longer = malloc(GT_RULES_MAX_REASON + 2);
	memset(longer, 'a', GT_RULES_MAX_REASON + 1);
	longer[GT_RULES_MAX_REASON + 1] = '\0';
	const struct gt_test_act a[] = {{WF(RETURN), "KK", "2025", "53.71", longer}};
	struct gt_store_batch_out out = run(f, K_53, NOW, NULL, 0, a, 1);

	expect_reason(&out, REASON(BAD_TEXT), "at most 500 are kept");
	gt_store_batch_out_free(&out);
	longer[GT_RULES_MAX_REASON] = '\0';
	set_state(f, "KK", "2025", "53.71", STATE(SUBMITTED));
	out = run(f, K_53, NOW, NULL, 0, a, 1);
	assert_int_equal(out.status, STATUS(OK));
	gt_store_batch_out_free(&out);
	free(longer);
}

/* issue 10 item 1: achievement values are checked against the plan's indicators and the
 * plan's province; naming another plan's data set does not write past its lock. */
static void achievement_plans(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val banten[] = {
	    {"ACH", "2025", "53.71", "RADBANTEN2017.REHSOS.01.P", "1", 1, 0, "ACH_RADBANTEN2017"},
	};
	const struct gt_test_val mixed[] = {
	    {"ACH", "2025", "53.71", "RADNTT2020.A1.A.01", "1", 1, 0, "ACH_RADBANTEN2017"},
	};
	const struct gt_test_val unnamed[] = {
	    {"ACH", "2025", "53.71", "RADNTT2020.A1.A.01", "2", 1, 0},
	};
	struct gt_store_batch_out out;

	/* An NTT district cannot store a Banten indicator. */
	out = run(f, K_5371, NOW, banten, 1, NULL, 0);
	expect_reason(&out, REASON(OUTSIDE_PLAN), "covers province 36 only; 53.71 is outside it");
	gt_store_batch_out_free(&out);
	/* An NTT indicator cannot be entered as Banten's. */
	out = run(f, K_5371, NOW, mixed, 1, NULL, 0);
	expect_reason(&out, REASON(OUTSIDE_PLAN), "belongs to plan RADNTT2020");
	gt_store_batch_out_free(&out);
	/* Without a data set, the indicator's plan decides. */
	out = run(f, K_5371, NOW, unnamed, 1, NULL, 0);
	assert_int_equal(out.status, STATUS(OK));
	gt_store_batch_out_free(&out);
}

/* issue 10 item 1: a cell is locked when any data set containing its element is approved for
 * the unit and period, whatever data set the value names. */
static void lock_whatever_the_value_names(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val ran[] = {
	    {"ACH", "2025", "53", "RAN2020.PENCEGAHAN.01", "5", 1, 0, "ACH_RAN2020"},
	};
	const struct gt_test_val kk[] = {{"KK_LP", "202501", "53.71", "", "7", 1, 0}};
	struct gt_store_batch_out out;

	set_state(f, "ACH_RADNTT2020", "2025", "53", STATE(APPROVED));
	out = run(f, K_53, NOW, ran, 1, NULL, 0);
	expect_reason(&out, REASON(LOCKED_PERIOD),
	              "locked by the approved report ACH_RADNTT2020 2025 of 53");
	assert_non_null(strstr(out.conflicts[0].message, "value \"5\" of ACH (option "
	                                                 "RAN2020.PENCEGAHAN.01) for 2025 at 53"));
	gt_store_batch_out_free(&out);

	/* A province's approval of a year locks its districts' months; accepted says who must
	 * act. */
	set_state(f, "KK", "2025", "53", STATE(ACCEPTED));
	out = run(f, K_5371, NOW, kk, 1, NULL, 0);
	expect_reason(&out, REASON(LOCKED_PERIOD), "accepted report KK 2025 of 53; the parent");
	gt_store_batch_out_free(&out);
}

/* ---- The revision rule ------------------------------------------------------------------- */

static void higher_revision_wins(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val hi[] = {{"KK_LP", "202501", "53.71", "", "5", 5, 0}};
	const struct gt_test_val lo[] = {
	    {"KK_LP", "202501", "53.71", "", "1", 1, 0},
	    {"KK_LP", "202501", "53.71", "", "3", 3, 0},
	};
	const struct gt_test_val up[] = {{"KK_LP", "202501", "53.71", "", "7", 7, 0}};
	struct gt_store_batch_out out;

	out = run(f, K_5371, NOW, hi, 1, NULL, 0);
	assert_int_equal(out.values.imported, 1);
	gt_store_batch_out_free(&out);
	out = run(f, K_5371, NOW, lo, 2, NULL, 0);
	expect_reason(&out, REASON(STALE_REVISION),
	              "a newer revision (5) is stored; this one is 1");
	assert_int_equal(out.conflicts[0].n_indexes, 2);
	assert_non_null(strstr(out.conflicts[0].message, "(and 1 more)"));
	gt_store_batch_out_free(&out);
	out = run(f, K_5371, NOW, up, 1, NULL, 0);
	assert_int_equal(out.values.updated, 1);
	gt_store_batch_out_free(&out);
	assert_int_equal(scalar(f, "SELECT value FROM datavalues"), 7);
}

/* An equal revision goes to the larger batch hash, whatever the arrival order. */
static void equal_revision_tie_break(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val va[] = {{"KK_LP", "202501", "53.71", "", "11", 4, 0}};
	const struct gt_test_val vb[] = {{"KK_LP", "202501", "53.71", "", "22", 4, 0}};
	struct gt_test_built a, b;
	struct gt_store_batch_out out;

	gt_test_build(&a, f->key[K_5371], "53.71", 1, 0, va, 1, NULL, 0, NULL, 0);
	gt_test_build(&b, f->key[K_5371], "53.71", 2, 0, vb, 1, NULL, 0, NULL, 0);
	int a_wins = memcmp(a.hash, b.hash, GT_SHA256_LEN) > 0;
	assert_int_equal(apply_built(f, &a, NOW, &out, NULL, 0), 0);
	gt_store_batch_out_free(&out);
	assert_int_equal(apply_built(f, &b, NOW, &out, NULL, 0), 0);
	assert_int_equal(out.values.ignored, a_wins ? 1 : 0);
	gt_store_batch_out_free(&out);
	assert_int_equal(scalar(f, "SELECT value FROM datavalues"), a_wins ? 11 : 22);
	gt_test_unbuild(&a);
	gt_test_unbuild(&b);
}

/* The same key twice in one batch goes to the later item; deletes are tombstones. */
static void same_batch_and_deletes(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val v[] = {
	    {"KK_LP", "202501", "53.71", "", "1", 2, 0},
	    {"KK_LP", "202501", "53.71", "", "2", 2, 0},
	    {"KK_LP", "202502", "53.71", "", "", 1, 1},
	};
	const struct gt_test_val again[] = {
	    {"KK_LP", "202502", "53.71", "", "9", 1, 0}, /* loses to the tombstone's hash? */
	    {"KK_LP", "202502", "53.71", "", "8", 2, 0}, /* a newer revision wins */
	};
	struct gt_store_batch_out out = run(f, K_5371, NOW, v, 3, NULL, 0);

	assert_int_equal(out.values.imported, 1);
	assert_int_equal(out.values.updated, 1);
	assert_int_equal(out.values.deleted, 1);
	gt_store_batch_out_free(&out);
	assert_int_equal(scalar(f, "SELECT value FROM datavalues WHERE period = '202501'"), 2);
	out = run(f, K_5371, NOW, again, 2, NULL, 0);
	assert_true(out.values.imported >= 1); /* written again after a delete */
	gt_store_batch_out_free(&out);
	assert_int_equal(scalar(f, "SELECT value FROM datavalues WHERE period = '202502'"), 8);
}

/* ---- Duplicates and sequences (issue 10 item 14) --------------------------------------------- */

static void duplicates_and_sequences(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val v[] = {{"KK_LP", "202501", "53.71", "", "1", 1, 0}};
	const struct gt_test_val w[] = {{"KK_LP", "202502", "53.71", "", "2", 1, 0}};
	struct gt_test_built b10, b10dup, b5, b11;
	struct gt_store_batch_out out;
	char why[256];

	gt_test_build(&b10, f->key[K_5371], "53.71", 10, 0, v, 1, NULL, 0, NULL, 0);
	gt_test_build(&b10dup, f->key[K_5371], "53.71", 10, 1, w, 1, NULL, 0, NULL, 0);
	gt_test_build(&b5, f->key[K_5371], "53.71", 5, 0, w, 1, NULL, 0, NULL, 0);
	gt_test_build(&b11, f->key[K_5371], "53.71", 11, 0, w, 1, NULL, 0, NULL, 0);
	assert_int_equal(apply_built(f, &b10, NOW, &out, why, sizeof(why)), 0);
	assert_int_equal(out.log_index, 1);
	gt_store_batch_out_free(&out);
	/* The same bytes: a duplicate repeating the first outcome. */
	assert_int_equal(apply_built(f, &b10, NOW + 5, &out, why, sizeof(why)), 0);
	assert_int_equal(out.status, STATUS(DUPLICATE));
	assert_int_equal(out.values.imported, 1);
	gt_store_batch_out_free(&out);
	/* Other bytes under sequence 10. */
	assert_int_equal(apply_built(f, &b10dup, NOW, &out, why, sizeof(why)), GT_ECONFLICT);
	assert_non_null(strstr(why, "another batch with sequence 10"));
	gt_store_batch_out_free(&out);
	/* Sequence 5 after 10: sequences only increase. */
	assert_int_equal(apply_built(f, &b5, NOW, &out, why, sizeof(why)), GT_ECONFLICT);
	assert_non_null(strstr(why, "sequence 5 is not above this key's last sequence 10"));
	assert_int_equal(out.status, STATUS(REFUSED));
	gt_store_batch_out_free(&out);
	assert_int_equal(scalar(f, "SELECT count(*) FROM batch_log"), 1);
	assert_int_equal(scalar(f, "SELECT count(*) FROM datavalues"), 1);
	assert_int_equal(apply_built(f, &b11, NOW, &out, why, sizeof(why)), 0);
	assert_int_equal(out.log_index, 2);
	gt_store_batch_out_free(&out);
	gt_test_unbuild(&b10);
	gt_test_unbuild(&b10dup);
	gt_test_unbuild(&b5);
	gt_test_unbuild(&b11);
}

/* ---- Refused material (issue 10 item 7) ---------------------------------------------------- */

static void nothing_applied_keeps_hash_only(void **state)
{
	struct fixture *f = *state;
	struct gt_test_val v[200];
	static char comment[2000];
	struct gt_store_batch_out out;

	memset(comment, 'k', sizeof(comment) - 1);
	for (int i = 0; i < 200; i++)
		v[i] =
		    (struct gt_test_val){"NOPE", "202501", "53.71", "", "1", 1, 0, NULL, comment};
	out = run(f, K_5371, NOW, v, 200, NULL, 0);
	assert_int_equal(out.values.ignored, 200);
	assert_int_equal(only_conflict(&out)->n_indexes, 200);
	gt_store_batch_out_free(&out);
	/* ~400 KB of batch: the log keeps its hash, header and a run of indexes. */
	assert_int_equal(scalar(f, "SELECT length(batch) + length(signature) FROM batch_log"), 0);
	assert_true(scalar(f, "SELECT length(outcome) FROM batch_log") < 600);
	/* The duplicate is still answered with the outcome. */
	struct gt_test_built b;
	gt_test_build(&b, f->key[K_5371], "53.71", f->seq[K_5371], 0, v, 200, NULL, 0, NULL, 0);
	assert_int_equal(apply_built(f, &b, NOW, &out, NULL, 0), 0);
	assert_int_equal(out.status, STATUS(DUPLICATE));
	expect_reason(&out, REASON(UNKNOWN_DATA_ELEMENT), "NOPE");
	gt_store_batch_out_free(&out);
	gt_test_unbuild(&b);
	/* A batch of which one value applied keeps its bytes. */
	v[0].de = "KK_LP";
	out = run(f, K_5371, NOW, v, 200, NULL, 0);
	assert_int_equal(out.values.imported, 1);
	gt_store_batch_out_free(&out);
	assert_true(scalar(f, "SELECT length(batch) FROM batch_log WHERE log_index = 2") > 300000);
}

/* ---- Expiry and late entry (issue 10 item 13) --------------------------------------------- */

static void expiry_and_late_entry(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val jan[] = {{"KK_LP", "202501", "53.71", "", "3", 1, 0}};
	const struct gt_test_act open[] = {
	    {WF(OPEN_LATE), "KK", "2025", "53.71", "laporan terlambat", NULL, "2026-01-31"}};
	const struct gt_test_act bad[] = {
	    {WF(OPEN_LATE), "KK", "2025", "53.71", "", NULL, "2026-01-31"},
	    {WF(OPEN_LATE), "KK", "2025", "53.71", "x", NULL, "31-01-2026"},
	};
	struct gt_store_batch_out out;

	/* KK closes 90 days after the month ends: January 2025 on 2025-05-01. */
	out = run(f, K_5371, day_ms(2025, 5, 1), jan, 1, NULL, 0);
	assert_int_equal(out.status, STATUS(OK));
	gt_store_batch_out_free(&out);
	out = run(f, K_5371, day_ms(2025, 12, 1), jan, 1, NULL, 0);
	expect_reason(&out, REASON(EXPIRED_PERIOD), "entry for KK 202501 closed after 2025-05-01");
	gt_store_batch_out_free(&out);
	/* An opening needs a reason and a day. */
	out = run(f, K_53, day_ms(2025, 12, 1), NULL, 0, bad, 2);
	assert_int_equal(out.actions.ignored, 2);
	gt_store_batch_out_free(&out);
	/* The parent opens the year for late entry: the value goes in, until the last day. */
	out = run(f, K_53, day_ms(2025, 12, 1), NULL, 0, open, 1);
	assert_int_equal(out.status, STATUS(OK));
	gt_store_batch_out_free(&out);
	out = run(f, K_5371, day_ms(2025, 12, 2), jan, 1, NULL, 0);
	assert_int_equal(out.status, STATUS(OK));
	gt_store_batch_out_free(&out);
	out = run(f, K_5371, day_ms(2026, 2, 1), jan, 1, NULL, 0);
	expect_reason(&out, REASON(EXPIRED_PERIOD), NULL);
	gt_store_batch_out_free(&out);
	/* Only that unit is open. */
	const struct gt_test_val other[] = {{"KK_LP", "202501", "53.72", "", "3", 1, 0}};
	out = run(f, K_5372, day_ms(2025, 12, 2), other, 1, NULL, 0);
	expect_reason(&out, REASON(EXPIRED_PERIOD), NULL);
	gt_store_batch_out_free(&out);
	/* The opening is in the history with its last day. */
	assert_int_equal(scalar(f, "SELECT count(*) FROM workflow_events WHERE kind = 7 AND "
	                           "open_until = '2026-01-31' AND reason = 'laporan terlambat'"),
	                 1);
}

/* ---- Nil reports and empty approvals (issue 10 item 17) ----------------------------------- */

static void nil_report(void **state)
{
	struct fixture *f = *state;
	uint8_t empty[GT_SHA256_LEN];
	struct gt_digest *d;
	struct gt_store_batch_out out;

	assert_int_equal(gt_digest_begin("KK", "2025", "53.72", &d), 0);
	assert_int_equal(gt_digest_end(d, empty, NULL), 0);
	gt_digest_free(d);
	const struct gt_test_act approve[] = {{WF(APPROVE), "KK", "2025", "53.72", NULL, empty}};
	const struct gt_test_act nil[] = {{WF(NIL_REPORT), "KK", "2025", "53.72"}};
	const struct gt_test_act nil71[] = {{WF(NIL_REPORT), "KK", "2025", "53.71"}};
	const struct gt_test_val v71[] = {{"KK_LP", "202501", "53.71", "", "3", 1, 0}};

	/* An empty report cannot be approved without the declaration. */
	out = run(f, K_5372, NOW, NULL, 0, approve, 1);
	expect_reason(&out, REASON(EMPTY_REPORT), "53.72 holds no values of KK for 2025");
	gt_store_batch_out_free(&out);
	/* With it, it can, and the nil report is in the history. */
	out = run(f, K_5372, NOW, NULL, 0, nil, 1);
	assert_int_equal(out.status, STATUS(OK));
	gt_store_batch_out_free(&out);
	out = run(f, K_5372, NOW, NULL, 0, approve, 1);
	assert_int_equal(out.status, STATUS(OK));
	gt_store_batch_out_free(&out);
	/* A unit with values cannot declare there are none. */
	out = run(f, K_5371, NOW, v71, 1, NULL, 0);
	gt_store_batch_out_free(&out);
	out = run(f, K_5371, NOW, NULL, 0, nil71, 1);
	expect_reason(&out, REASON(INVALID_TRANSITION), "53.71 holds 1 values of KK");
	gt_store_batch_out_free(&out);
}

/* ---- Validation at submission (issue 10 item 16) ------------------------------------------ */

static void validation_at_submission(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val kk[] = {
	    {"KK_KORBAN", "202501", "53.71", "PD", "2", 1, 0},
	    {"KK_KORBAN", "202501", "53.71", "AP", "1", 1, 0},
	    {"KK_KORBAN_TOTAL", "202501", "53.71", "", "5", 1, 0},
	};
	const struct gt_test_val fix[] = {{"KK_KORBAN_TOTAL", "202501", "53.71", "", "3", 2, 0}};
	const struct gt_test_act submit[] = {{WF(SUBMIT), "KK", "2025", "53.71"}};
	struct gt_store_batch_out out;

	out = run(f, K_5371, NOW, kk, 3, NULL, 0);
	gt_store_batch_out_free(&out);
	out = run(f, K_5371, NOW, NULL, 0, submit, 1);
	expect_reason(&out, REASON(VALIDATION_ERROR),
	              "rule KK_R_TOTAL fails for 202501: Korban TPPO teridentifikasi (3) ≠ "
	              "Jumlah korban TPPO teridentifikasi (5)");
	gt_store_batch_out_free(&out);
	out = run(f, K_5371, NOW, fix, 1, NULL, 0);
	gt_store_batch_out_free(&out);
	out = run(f, K_5371, NOW, NULL, 0, submit, 1);
	assert_int_equal(out.status, STATUS(OK));
	gt_store_batch_out_free(&out);

	/* A warning rule needs an acknowledgement: GT asks for a plenary each semester. */
	const struct gt_test_val gt[] = {{"GT_RAPAT_PLENO", "2025S1", "53.72", "", "0", 1, 0},
	                                 {"GT_RAPAT_SUBGT", "2025S1", "53.72", "", "3", 1, 0}};
	const struct gt_test_act gsub[] = {{WF(SUBMIT), "GT", "2025S1", "53.72"}};
	const struct gt_test_act gack[] = {
	    {WF(SUBMIT), "GT", "2025S1", "53.72", NULL, NULL, NULL, {"GT_R_PLENO"}}};
	out = run(f, K_5372, NOW, gt, 2, NULL, 0);
	gt_store_batch_out_free(&out);
	out = run(f, K_5372, NOW, NULL, 0, gsub, 1);
	expect_reason(&out, REASON(VALIDATION_WARNING), "acknowledge GT_R_PLENO to go ahead");
	gt_store_batch_out_free(&out);
	out = run(f, K_5372, NOW, NULL, 0, gack, 1);
	assert_int_equal(out.status, STATUS(OK));
	gt_store_batch_out_free(&out);
	assert_int_equal(scalar(f, "SELECT count(*) FROM workflow_events WHERE acknowledged = "
	                           "'GT_R_PLENO'"),
	                 1);
}

/* ---- The top of the chain (issue 10 item 18) ----------------------------------------------- */

static void national_approval(void **state)
{
	struct fixture *f = *state;
	uint8_t digest[GT_SHA256_LEN];
	const struct gt_test_val v[] = {{"KK_LP", "202501", "53", "", "3", 1, 0}};
	struct gt_store_batch_out out = run(f, K_53, NOW, v, 1, NULL, 0);
	gt_store_batch_out_free(&out);

	assert_int_equal(gt_rules_digest(f->fx.st, f->snap, "KK", "2025", "ID", digest, NULL), 0);
	const struct gt_test_act a[] = {{WF(APPROVE), "KK", "2025", "ID", NULL, digest}};
	/* KK is not reported at the national level, but its approval covers the provinces. */
	set_state(f, "KK", "2025", "53", STATE(ACCEPTED));
	out = run(f, K_ID, NOW, NULL, 0, a, 1);
	expect_reason(&out, REASON(CHILDREN_NOT_READY), "36's report KK 2025 is open");
	gt_store_batch_out_free(&out);
	set_state(f, "KK", "2025", "36", STATE(ACCEPTED));
	out = run(f, K_ID, NOW, NULL, 0, a, 1);
	assert_int_equal(out.status, STATUS(OK));
	gt_store_batch_out_free(&out);
	assert_int_equal(scalar(f, "SELECT state FROM workflow_state WHERE org_unit = 'ID'"),
	                 STATE(APPROVED));
}

/* ---- Rebuild goes through the same rules --------------------------------------------------------
 */

struct replay {
	struct fixture *f;
	size_t n;
};

static int replay_cb(void *arg, const struct gt_store_log_entry *e)
{
	struct replay *r = arg;
	struct gt_rules_verdicts v;
	struct gt_store_batch_out out;
	gt_batch *b = NULL;
	int rc;

	if (e->len == 0)
		return 0; /* nothing of it applied */
	assert_int_equal(gt_wire_batch_decode(e->batch, e->len, NULL, &b), 0);
	assert_int_equal(gt_rules_check(r->f->snap, b, e->received_at_ms, &v), 0);
	struct gt_rules_batch in = {
	    .snap = r->f->snap,
	    .batch = b,
	    .hash = e->hash,
	    .received_at_ms = e->received_at_ms,
	    .verdicts = &v,
	    .replay = 1,
	    .log_index = e->log_index,
	};
	rc = gt_rules_apply(r->f->fx.st, &in, &out);
	gt_store_batch_out_free(&out);
	gt_rules_verdicts_free(&v);
	gt_wire_batch_free(b);
	r->n++;
	return rc;
}

static char *dump(struct fixture *f, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	assert_int_equal(sqlite3_open_v2(f->fx.path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(s); i++) {
			const unsigned char *t = sqlite3_column_text(s, i);
			fprintf(m, "%s%s", i ? "|" : "", t != NULL ? (const char *)t : "NULL");
		}
		fputc('\n', m);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	fclose(m);
	return text;
}

#define DUMP_ALL                                                                                   \
	"SELECT 'v', data_element, period, org_unit, coc, value, revision, deleted, "              \
	"hex(origin_batch), created_at_ms, updated_at_ms, change_seq FROM datavalues UNION ALL "   \
	"SELECT 'e', dataset, period, org_unit, kind, key_id, at_ms, reason, open_until, "         \
	"acknowledged, hex(origin_batch), change_seq FROM workflow_events UNION ALL SELECT 's', "  \
	"dataset, period, org_unit, state, updated_at_ms, change_seq, '', '', '', '', '' FROM "    \
	"workflow_state ORDER BY 1, 2, 3, 4, 5, 12"

static void rebuild_equals(void **state)
{
	struct fixture *f = *state;
	const char *periods[] = {"202501", "202502", "202503"};
	struct replay r = {f, 0};
	char values[40][8];
	struct gt_store_batch_out out;

	/* Overlapping keys, rising and falling revisions, deletes, bad values, expired ones,
	 * an opening, a lock. */
	for (int i = 0; i < 40; i++) {
		struct gt_test_val v[3];
		snprintf(values[i], sizeof(values[i]), i % 9 == 0 ? "x%d" : "%d", i);
		for (int j = 0; j < 3; j++)
			v[j] = (struct gt_test_val){
			    "KK_LP",   periods[(i + j) % 3],        key_org[i % 2],   "",
			    values[i], (uint64_t)((i * 7 + j) % 5), (i + j) % 11 == 0};
		out = run(f, i % 2, day_ms(2025, 3 + i / 10, 1), v, 3, NULL, 0);
		gt_store_batch_out_free(&out);
		if (i == 20) {
			const struct gt_test_act a[] = {{WF(OPEN_LATE), "KK", "2025Q1", "53.71",
			                                 "terlambat", NULL, "2025-12-31"},
			                                {WF(SUBMIT), "KK", "202502", "53.72"}};
			out = run(f, K_53, day_ms(2025, 5, 1), NULL, 0, a, 2);
			gt_store_batch_out_free(&out);
		}
	}
	char *before = dump(f, DUMP_ALL);
	assert_true(strlen(before) > 1000);
	assert_int_equal(gt_store_rebuild_begin(f->fx.st), 0);
	assert_int_equal(gt_store_log_foreach(f->fx.st, 0, replay_cb, &r), 0);
	assert_int_equal(gt_store_commit(f->fx.st), 0);
	/* Batches of which nothing applied kept no bytes and are not replayed. */
	assert_int_equal(r.n, scalar(f, "SELECT count(*) FROM batch_log WHERE length(batch) > 0"));
	assert_true(r.n >= 10 && r.n < 41);
	char *after = dump(f, DUMP_ALL);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(transitions_match_docs),
	    cmocka_unit_test_setup_teardown(check_messages, setup, teardown),
	    cmocka_unit_test_setup_teardown(control_characters_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(identity_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(reasons_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(achievement_plans, setup, teardown),
	    cmocka_unit_test_setup_teardown(lock_whatever_the_value_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(higher_revision_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(equal_revision_tie_break, setup, teardown),
	    cmocka_unit_test_setup_teardown(same_batch_and_deletes, setup, teardown),
	    cmocka_unit_test_setup_teardown(duplicates_and_sequences, setup, teardown),
	    cmocka_unit_test_setup_teardown(nothing_applied_keeps_hash_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(expiry_and_late_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(nil_report, setup, teardown),
	    cmocka_unit_test_setup_teardown(validation_at_submission, setup, teardown),
	    cmocka_unit_test_setup_teardown(national_approval, setup, teardown),
	    cmocka_unit_test_setup_teardown(rebuild_equals, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
