/* Tests for server/orgcsv.c and the store's org-unit import, lookups and iteration. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "orgcsv.h"
#include "snapshot.h"
#include "store.h"
#include "storefx.h"
#include "testutil.h"
#include "timezone.h"

static int parse(const char *text, struct gt_orgcsv *csv)
{
	return gt_orgcsv_parse((const uint8_t *)text, strlen(text), csv);
}

static int import(struct gt_storefx *f, const char *text, struct gt_store_import_result *res)
{
	return gt_store_orgunit_import_buf(f->st, (const uint8_t *)text, strlen(text), res);
}

/* Asserts that the errors of res are exactly on the given lines (0-terminated list). */
static void assert_error_lines(const struct gt_orgcsv_error *errors, size_t n, ...)
{
	va_list ap;
	size_t i = 0;
	unsigned long line;

	va_start(ap, n);
	while ((line = va_arg(ap, unsigned long)) != 0) {
		assert_true(i < n);
		if (errors[i].line != line)
			fail_msg("error %zu on line %lu, expected %lu: %s", i, errors[i].line, line,
			         errors[i].msg);
		i++;
	}
	va_end(ap);
	assert_int_equal(i, n);
}

static size_t count_units(struct gt_storefx *f)
{
	size_t n = 0;

	assert_int_equal(gt_store_orgunit_count(f->st, &n), 0);
	return n;
}

/* ---- The decoder alone ---------------------------------------------------------------- */

static void csv_quoted_fields(void **state)
{
	struct gt_orgcsv csv;

	(void)state;
	assert_int_equal(parse("code,name,level\n\"11\",\"Aceh, \"\"Darussalam\"\"\",province\n"
	                       "11.01,\"Kabupaten Simeulue\",\"district\"\n",
	                       &csv),
	                 0);
	assert_int_equal(csv.n_rows, 2);
	assert_string_equal(csv.rows[0].code, "11");
	assert_string_equal(csv.rows[0].name, "Aceh, \"Darussalam\"");
	assert_int_equal(csv.rows[0].level, GT_ORGUNIT_LEVEL_PROVINCE);
	assert_string_equal(csv.rows[0].parent, "ID");
	assert_string_equal(csv.rows[1].name, "Kabupaten Simeulue");
	assert_string_equal(csv.rows[1].parent, "11");
	assert_int_equal(csv.rows[1].line, 3);
	assert_non_null(gt_orgcsv_find(&csv, "11.01"));
	assert_null(gt_orgcsv_find(&csv, "11.02"));
	gt_orgcsv_free(&csv);
}

static void csv_crlf_bom_order_extra(void **state)
{
	struct gt_orgcsv csv;

	(void)state;
	assert_int_equal(parse("\xef\xbb\xbf"
	                       "Level,extra,CODE,Name\r\n"
	                       "province,x,53,Nusa Tenggara Timur\r\n"
	                       "\r\n"
	                       "district,,53.71, Kota Kupang \r\n",
	                       &csv),
	                 0);
	assert_int_equal(csv.n_rows, 2);
	assert_string_equal(csv.rows[0].code, "53");
	assert_string_equal(csv.rows[0].name, "Nusa Tenggara Timur");
	assert_string_equal(csv.rows[1].code, "53.71");
	assert_string_equal(csv.rows[1].name, "Kota Kupang");
	assert_int_equal(csv.rows[1].line, 4); /* the blank line still counts */
	gt_orgcsv_free(&csv);

	/* No newline at the end of the last line. */
	assert_int_equal(parse("code,name,level\n53,NTT,province", &csv), 0);
	assert_int_equal(csv.n_rows, 1);
	gt_orgcsv_free(&csv);
}

static void csv_row_errors_with_lines(void **state)
{
	struct gt_orgcsv csv;

	(void)state;
	assert_int_equal(parse("code,name,level\n"
	                       "11,Aceh,province\n"          /* 2 ok */
	                       "1x,Bad,province\n"           /* 3 bad code */
	                       "11.01,Simeulue,province\n"   /* 4 level mismatch */
	                       "12,Sumut,kecamatan\n"        /* 5 unknown level */
	                       "13,,province\n"              /* 6 empty name */
	                       "14,Riau\n"                   /* 7 field count */
	                       "11,Aceh again,province\n"    /* 8 duplicate of 2 */
	                       "15,Ja\"mbi,province\n"       /* 9 stray quote */
	                       "16,\"Sumsel\"x,province\n"   /* 10 text after quote */
	                       "17,Beng\rkulu,province\n"    /* 11 bare CR */
	                       "ID,Indonesia,province\n"     /* 12 national code */
	                       "18,\"Lam\npung\",province\n" /* 13-14 control character */
	                       "19,Babel,province\n",        /* 15 ok */
	                       &csv),
	                 GT_EINVAL);
	assert_error_lines(csv.errors, csv.n_errors, 3ul, 4ul, 5ul, 6ul, 7ul, 8ul, 9ul, 10ul, 11ul,
	                   12ul, 13ul, 0ul);
	assert_int_equal(csv.errors_total, 11);
	assert_non_null(strstr(csv.errors[5].msg, "already on line 2"));
	assert_non_null(strstr(csv.errors[1].msg, "province"));
	assert_non_null(gt_orgcsv_find(&csv, "19"));
	assert_int_equal(gt_orgcsv_find(&csv, "19")->line, 15);
	gt_orgcsv_free(&csv);
}

static void csv_header_errors(void **state)
{
	struct gt_orgcsv csv;

	(void)state;
	assert_int_equal(parse("code,name\n11,Aceh\n", &csv), GT_EINVAL);
	assert_int_equal(csv.n_errors, 1);
	assert_int_equal(csv.errors[0].line, 1);
	assert_non_null(strstr(csv.errors[0].msg, "level"));
	gt_orgcsv_free(&csv);

	assert_int_equal(parse("\n\ncode,name,level,code\n", &csv), GT_EINVAL);
	assert_int_equal(csv.errors[0].line, 3);
	assert_non_null(strstr(csv.errors[0].msg, "twice"));
	gt_orgcsv_free(&csv);

	assert_int_equal(parse("", &csv), GT_EINVAL);
	assert_int_equal(csv.n_errors, 1);
	gt_orgcsv_free(&csv);

	/* A header alone is a valid, empty file. */
	assert_int_equal(parse("code,name,level\n", &csv), 0);
	assert_int_equal(csv.n_rows, 0);
	gt_orgcsv_free(&csv);
}

static void csv_structural_limits(void **state)
{
	struct gt_orgcsv csv;
	char *big;
	size_t n = 0;

	(void)state;
	/* An unterminated quote is reported at the line where its record starts. */
	assert_int_equal(parse("code,name,level\n11,Aceh,province\n12,\"Sumut,province\n", &csv),
	                 GT_EINVAL);
	assert_int_equal(csv.n_errors, 1);
	assert_int_equal(csv.errors[0].line, 3);
	assert_int_equal(csv.n_rows, 1);
	gt_orgcsv_free(&csv);

	/* A record longer than the limit is an error, and the next line is still read. */
	big = malloc(GT_ORGCSV_MAX_LINE + 200);
	assert_non_null(big);
	n += (size_t)sprintf(big, "code,name,level\n11,");
	memset(big + n, 'A', GT_ORGCSV_MAX_LINE);
	n += GT_ORGCSV_MAX_LINE;
	n += (size_t)sprintf(big + n, ",province\n12,B,provinces\n");
	assert_int_equal(gt_orgcsv_parse((uint8_t *)big, n, &csv), GT_EINVAL);
	assert_error_lines(csv.errors, csv.n_errors, 2ul, 3ul, 0ul);
	assert_non_null(strstr(csv.errors[0].msg, "longer"));
	gt_orgcsv_free(&csv);
	free(big);

	/* A name over the name limit. */
	big = malloc(GT_ORGCSV_MAX_NAME + 100);
	assert_non_null(big);
	n = (size_t)sprintf(big, "code,name,level\n11,");
	memset(big + n, 'N', GT_ORGCSV_MAX_NAME + 1);
	n += GT_ORGCSV_MAX_NAME + 1;
	n += (size_t)sprintf(big + n, ",province\n");
	assert_int_equal(gt_orgcsv_parse((uint8_t *)big, n, &csv), GT_EINVAL);
	assert_int_equal(csv.errors[0].line, 2);
	gt_orgcsv_free(&csv);
	free(big);

	/* NUL bytes and invalid UTF-8 in names. */
	assert_int_equal(
	    gt_orgcsv_parse((const uint8_t *)"code,name,level\n11,A\0b,province\n", 32, &csv),
	    GT_EINVAL);
	assert_int_equal(csv.errors[0].line, 2);
	gt_orgcsv_free(&csv);
	assert_int_equal(parse("code,name,level\n11,Ac\xc3\x28h,province\n", &csv), GT_EINVAL);
	gt_orgcsv_free(&csv);
	assert_int_equal(parse("code,name,level\n11,Acéh,province\n", &csv), 0);
	gt_orgcsv_free(&csv);
}

static void csv_error_cap(void **state)
{
	struct gt_orgcsv csv;
	char *text = malloc(64 * 100);
	size_t n = 0;

	(void)state;
	assert_non_null(text);
	n += (size_t)sprintf(text, "code,name,level\n");
	for (int i = 0; i < 60; i++)
		n += (size_t)sprintf(text + n, "x%d,Bad,province\n", i);
	assert_int_equal(gt_orgcsv_parse((uint8_t *)text, n, &csv), GT_EINVAL);
	assert_int_equal(csv.n_errors, GT_ORGCSV_MAX_ERRORS);
	assert_int_equal(csv.errors_total, 60);
	assert_int_equal(csv.errors[0].line, 2);
	assert_int_equal(csv.errors[GT_ORGCSV_MAX_ERRORS - 1].line, GT_ORGCSV_MAX_ERRORS + 1);
	gt_orgcsv_free(&csv);
	free(text);
}

static void csv_row_limit(void **state)
{
	const char *line = "11,Aceh,province\n";
	size_t n = strlen("code,name,level\n") + (GT_ORGCSV_MAX_ROWS + 5) * strlen(line);
	char *text = malloc(n + 1), *p;
	struct gt_orgcsv csv;

	(void)state;
	assert_non_null(text);
	p = text + sprintf(text, "code,name,level\n");
	for (unsigned i = 0; i < GT_ORGCSV_MAX_ROWS + 5; i++)
		p += sprintf(p, "%s", line);
	assert_int_equal(gt_orgcsv_parse((uint8_t *)text, (size_t)(p - text), &csv), GT_EINVAL);
	assert_int_equal(csv.errors_total, GT_ORGCSV_MAX_ROWS); /* duplicates, then the limit */
	assert_int_equal(csv.errors[0].line, 3);
	gt_orgcsv_free(&csv);
	/* Over the input limit: refused before reading. */
	assert_int_equal(gt_orgcsv_parse((uint8_t *)text, GT_ORGCSV_MAX_INPUT + 1, &csv),
	                 GT_ETOOBIG);
	gt_orgcsv_free(&csv);
	free(text);
}

/* ---- Import into the store ------------------------------------------------------------- */

static void root_exists(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store_orgunit u;

	assert_int_equal(gt_store_orgunit_get(f->st, "ID", &u), 0);
	assert_string_equal(u.name, "Indonesia");
	assert_int_equal(u.level, GT_ORGUNIT_LEVEL_NATIONAL);
	assert_string_equal(u.parent, "");
	assert_int_equal(gt_store_orgunit_get(f->st, "53", &u), GT_ENOENT);
	assert_int_equal(count_units(f), 1);
}

static void import_small_and_reimport(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store_import_result res;
	struct gt_store_orgunit u;

	assert_int_equal(
	    import(f,
	           "code,name,level\n53.71,Kota Kupang,district\n"
	           "53,Nusa Tenggara Timur,province\n53.01,Kabupaten Kupang,district\n",
	           &res),
	    0);
	assert_int_equal(res.added, 3);
	assert_int_equal(res.n_errors, 0);
	assert_int_equal(count_units(f), 4);
	assert_int_equal(gt_store_orgunit_get(f->st, "53.71", &u), 0);
	assert_string_equal(u.name, "Kota Kupang");
	assert_string_equal(u.parent, "53");
	assert_int_equal(u.level, GT_ORGUNIT_LEVEL_DISTRICT);

	/* Re-import: a renamed unit, a new unit (its province in the store), one unit absent. */
	assert_int_equal(import(f,
	                        "code,name,level\n53.71,KOTA KUPANG,district\n"
	                        "53.02,Kabupaten Timor Tengah Selatan,district\n"
	                        "53,Nusa Tenggara Timur,province\n",
	                        &res),
	                 0);
	assert_int_equal(res.added, 1);
	assert_int_equal(res.updated, 1);
	assert_int_equal(res.unchanged, 1);
	assert_int_equal(count_units(f), 5);
	assert_int_equal(gt_store_orgunit_get(f->st, "53.71", &u), 0);
	assert_string_equal(u.name, "KOTA KUPANG");
	assert_int_equal(gt_store_orgunit_get(f->st, "53.01", &u), 0); /* never deleted */
}

static void import_all_or_nothing(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store_import_result res;
	struct gt_store_orgunit u;

	/* An orphan district (province 12 neither in the file nor in the store). */
	assert_int_equal(import(f,
	                        "code,name,level\n11,Aceh,province\n11.01,Simeulue,district\n"
	                        "12.01,Nias,district\n",
	                        &res),
	                 GT_EINVAL);
	assert_int_equal(res.n_errors, 1);
	assert_int_equal(res.errors[0].line, 4);
	assert_non_null(strstr(res.errors[0].msg, "12"));
	assert_int_equal(res.added, 0);
	assert_int_equal(count_units(f), 1);
	assert_int_equal(gt_store_orgunit_get(f->st, "11", &u), GT_ENOENT);

	/* Parse errors and an orphan together: every error listed, in line order. */
	assert_int_equal(import(f,
	                        "code,name,level\n12.01,Nias,district\n11,Aceh,province\n"
	                        "11.1,Bad,district\n",
	                        &res),
	                 GT_EINVAL);
	assert_int_equal(res.n_errors, 2);
	assert_int_equal(res.errors[0].line, 2);
	assert_int_equal(res.errors[1].line, 4);
	assert_int_equal(count_units(f), 1);

	/* With the province in the store, the district is accepted. */
	assert_int_equal(import(f, "code,name,level\n12,Sumatera Utara,province\n", &res), 0);
	assert_int_equal(import(f, "code,name,level\n12.01,Nias,district\n", &res), 0);
	assert_int_equal(count_units(f), 3);
}

struct collect {
	char codes[16][GT_ORGUNIT_MAX_LEN];
	size_t n;
	struct gt_store *st;
	size_t grandchildren;
};

static int collect_cb(void *arg, const struct gt_store_orgunit *u)
{
	struct collect *c = arg;

	if (c->n < 16)
		snprintf(c->codes[c->n], sizeof(c->codes[0]), "%s", u->code);
	c->n++;
	return 0;
}

static int count_cb(void *arg, const struct gt_store_orgunit *u)
{
	(void)u;
	(*(size_t *)arg)++;
	return 0;
}

/* Recurses into the store from inside a callback. */
static int recurse_cb(void *arg, const struct gt_store_orgunit *u)
{
	struct collect *c = arg;

	return gt_store_orgunit_children(c->st, u->code, count_cb, &c->grandchildren);
}

static int stop_cb(void *arg, const struct gt_store_orgunit *u)
{
	(void)u;
	return ++*(int *)arg == 2 ? 7 : 0;
}

static void iterate(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store_import_result res;
	struct collect c = {.st = f->st};
	int calls = 0;

	assert_int_equal(import(f,
	                        "code,name,level\n53,NTT,province\n53.71,Kupang,district\n"
	                        "53.01,Kab Kupang,district\n11,Aceh,province\n",
	                        &res),
	                 0);
	assert_int_equal(gt_store_orgunit_foreach(f->st, collect_cb, &c), 0);
	assert_int_equal(c.n, 5);
	assert_string_equal(c.codes[0], "ID");
	assert_string_equal(c.codes[1], "11");
	assert_string_equal(c.codes[2], "53");
	assert_string_equal(c.codes[3], "53.01");
	assert_string_equal(c.codes[4], "53.71");

	c.n = 0;
	assert_int_equal(gt_store_orgunit_children(f->st, "53", collect_cb, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.codes[0], "53.01");
	c.n = 0;
	assert_int_equal(gt_store_orgunit_children(f->st, "53.71", collect_cb, &c), 0);
	assert_int_equal(c.n, 0);

	assert_int_equal(gt_store_orgunit_children(f->st, "ID", recurse_cb, &c), 0);
	assert_int_equal(c.grandchildren, 2);

	assert_int_equal(gt_store_orgunit_foreach(f->st, stop_cb, &calls), 7);
	assert_int_equal(calls, 2);
}

struct real_check {
	struct gt_store *st;
	size_t provinces, districts, bad;
};

static int real_cb(void *arg, const struct gt_store_orgunit *u)
{
	struct real_check *r = arg;
	struct gt_store_orgunit parent;

	if (u->level == GT_ORGUNIT_LEVEL_PROVINCE) {
		r->provinces++;
		if (strcmp(u->parent, "ID") != 0)
			r->bad++;
	} else if (u->level == GT_ORGUNIT_LEVEL_DISTRICT) {
		r->districts++;
		if (gt_store_orgunit_get(r->st, u->parent, &parent) != 0 ||
		    parent.level != GT_ORGUNIT_LEVEL_PROVINCE ||
		    strncmp(u->code, u->parent, 2) != 0)
			r->bad++;
	}
	return 0;
}

static void import_real_list(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store_import_result res;
	struct gt_store_orgunit u;
	struct real_check r = {.st = f->st};
	char *path = NULL;

	if (!gt_test_have_shared())
		skip();
	assert_true(asprintf(&path, "%s/data/wilayah-kemendagri-2025.csv", GT_SHARED_DIR) > 0);
	assert_int_equal(gt_store_orgunit_import_file(f->st, path, &res), 0);
	assert_int_equal(res.added, 552);
	assert_int_equal(count_units(f), 553);
	assert_int_equal(gt_store_orgunit_foreach(f->st, real_cb, &r), 0);
	assert_int_equal(r.provinces, 38);
	assert_int_equal(r.districts, 514);
	assert_int_equal(r.bad, 0);
	assert_int_equal(gt_store_orgunit_get(f->st, "53.71", &u), 0);
	assert_string_equal(u.parent, "53");
	assert_int_equal(gt_store_orgunit_get(f->st, "53", &u), 0);
	assert_string_equal(u.name, "Nusa Tenggara Timur");

	/* Importing the same file again changes nothing. */
	assert_int_equal(gt_store_orgunit_import_file(f->st, path, &res), 0);
	assert_int_equal(res.added, 0);
	assert_int_equal(res.unchanged, 552);
	free(path);
}

static void import_file_errors(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store_import_result res;
	char *path = NULL;

	assert_int_equal(gt_store_orgunit_import_file(f->st, "/nonexistent/x.csv", &res),
	                 GT_ENOENT);
	assert_int_equal(gt_store_orgunit_import_file(f->st, f->dir, &res), GT_EINVAL);
	assert_true(asprintf(&path, "%s/x.csv", f->dir) > 0);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("code,name,level\n53,NTT,province\n", fp);
	fclose(fp);
	assert_int_equal(gt_store_orgunit_import_file(f->st, path, &res), 0);
	assert_int_equal(res.added, 1);
	free(path);
}

/* Issue 13: the org-unit CSV may carry a timezone column (WIB, WITA, WIT); files without it
 * still import, a bad zone is an error on its line, and a re-import without zones keeps them. */
static void csv_timezone_column(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_orgcsv csv;
	struct gt_store_import_result res;
	struct gt_store_orgunit u;
	struct gt_snapshot *snap = NULL;
	const struct gt_snap_ou *su;

	assert_int_equal(parse("code,name,level,timezone\n"
	                       "51,Bali,province,WITA\n"
	                       "51.71,Kota Denpasar,district,wita\n"
	                       "31,Jakarta,province,WIB\n"
	                       "91,Papua,province,WIT\n"
	                       "91.01,Kabupaten Merauke,district,\n",
	                       &csv),
	                 0);
	assert_int_equal(csv.n_rows, 5);
	assert_int_equal(csv.rows[0].tz, GT_TZ_WITA);
	assert_int_equal(csv.rows[1].tz, GT_TZ_WITA);
	assert_int_equal(csv.rows[2].tz, GT_TZ_WIB);
	assert_int_equal(csv.rows[3].tz, GT_TZ_WIT);
	assert_int_equal(csv.rows[4].tz, GT_TZ_NONE);
	gt_orgcsv_free(&csv);

	assert_int_equal(parse("code,name,level,timezone\n"
	                       "51,Bali,province,CET\n"
	                       "52,Nusa Tenggara Barat,province,UTC+8\n",
	                       &csv),
	                 GT_EINVAL);
	assert_error_lines(csv.errors, csv.n_errors, 2ul, 3ul, 0ul);
	assert_non_null(strstr(csv.errors[0].msg, "none of WIB, WITA, WIT"));
	gt_orgcsv_free(&csv);

	/* Old lists (no column) import with no zone. */
	assert_int_equal(import(f, "code,name,level\n53,Nusa Tenggara Timur,province\n", &res), 0);
	assert_int_equal(gt_store_orgunit_get(f->st, "53", &u), 0);
	assert_int_equal(u.tz, GT_TZ_NONE);
	/* Setting a zone is an update; a list without zones afterwards keeps it. */
	assert_int_equal(import(f,
	                        "code,name,level,timezone\n53,Nusa Tenggara Timur,province,WITA\n"
	                        "53.71,Kota Kupang,district,\n",
	                        &res),
	                 0);
	assert_int_equal(res.updated, 1);
	assert_int_equal(res.added, 1);
	assert_int_equal(import(f, "code,name,level\n53,Nusa Tenggara Timur,province\n", &res), 0);
	assert_int_equal(res.unchanged, 1);
	assert_int_equal(gt_store_orgunit_get(f->st, "53", &u), 0);
	assert_int_equal(u.tz, GT_TZ_WITA);
	assert_int_equal(gt_store_orgunit_get(f->st, "53.71", &u), 0);
	assert_int_equal(u.tz, GT_TZ_NONE);

	/* The snapshot (what clients are served) gives a district its province's zone. */
	assert_int_equal(gt_snapshot_load(f->st, &snap), 0);
	su = gt_snapshot_orgunit(snap, "53.71");
	assert_non_null(su);
	assert_int_equal(su->tz, GT_TZ_WITA);
	assert_string_equal(gt_tz_name((enum gt_tz)su->tz), "WITA");
	assert_int_equal(gt_tz_offset_minutes((enum gt_tz)su->tz), 480);
	assert_string_equal(gt_tz_iana((enum gt_tz)su->tz), "Asia/Makassar");
	gt_snapshot_unref(snap);
}

struct zone_check {
	size_t provinces, districts, no_zone;
	char zones[100][GT_TZ_NAME_MAX]; /* by province number */
};

static int zone_cb(void *arg, const struct gt_store_orgunit *u)
{
	struct zone_check *z = arg;

	if (u->level == GT_ORGUNIT_LEVEL_PROVINCE) {
		z->provinces++;
		snprintf(z->zones[atoi(u->code) % 100], GT_TZ_NAME_MAX, "%s",
		         gt_tz_name((enum gt_tz)u->tz));
	} else if (u->level == GT_ORGUNIT_LEVEL_DISTRICT) {
		z->districts++;
	}
	if (u->level != GT_ORGUNIT_LEVEL_NATIONAL && u->tz == GT_TZ_NONE)
		z->no_zone++;
	return 0;
}

/* Issue 13: the official list ships in the repository (data/orgunits/) with a zone for every
 * province, and is the default of `orgunits import`. */
static void shipped_list_zones(void **state)
{
	struct gt_storefx *f = *state;
	struct gt_store_import_result res;
	struct zone_check *z = calloc(1, sizeof(*z));
	static const struct {
		const char *code, *zone;
	} expect[] = {
	    {"31", "WIB"},  {"11", "WIB"},  {"36", "WIB"},  {"61", "WIB"},  {"62", "WIB"},
	    {"19", "WIB"},  {"21", "WIB"},  {"51", "WITA"}, {"52", "WITA"}, {"53", "WITA"},
	    {"63", "WITA"}, {"64", "WITA"}, {"65", "WITA"}, {"71", "WITA"}, {"75", "WITA"},
	    {"76", "WITA"}, {"81", "WIT"},  {"82", "WIT"},  {"91", "WIT"},  {"92", "WIT"},
	    {"93", "WIT"},  {"94", "WIT"},  {"95", "WIT"},  {"96", "WIT"},
	};

	assert_non_null(z);
	assert_int_equal(
	    gt_store_orgunit_import_file(
	        f->st, GT_SOURCE_DIR "/data/orgunits/wilayah-kemendagri-2025.csv", &res),
	    0);
	assert_int_equal(res.added, 552);
	assert_int_equal(gt_store_orgunit_foreach(f->st, zone_cb, z), 0);
	assert_int_equal(z->provinces, 38);
	assert_int_equal(z->districts, 514);
	assert_int_equal(z->no_zone, 0);
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		if (strcmp(z->zones[atoi(expect[i].code)], expect[i].zone) != 0)
			fail_msg("province %s is %s, expected %s", expect[i].code,
			         z->zones[atoi(expect[i].code)], expect[i].zone);
	}
	free(z);
}

/* The shipped list has exactly the codes and names of the reference list in ../shared (when
 * it is there), with the zone column added. */
static void shipped_list_matches_reference(void **state)
{
	size_t alen = 0, blen = 0;
	uint8_t *a, *b;
	struct gt_orgcsv ca, cb;
	(void)state;

	if (!gt_test_have_shared()) {
		print_message("skipped: ../shared is not beside the clone\n");
		skip();
	}
	a = gt_test_read_file(GT_SOURCE_DIR "/data/orgunits/wilayah-kemendagri-2025.csv", &alen);
	b = gt_test_read_file(GT_SHARED_DIR "/data/wilayah-kemendagri-2025.csv", &blen);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(gt_orgcsv_parse(a, alen, &ca), 0);
	assert_int_equal(gt_orgcsv_parse(b, blen, &cb), 0);
	assert_int_equal(ca.n_rows, cb.n_rows);
	for (size_t i = 0; i < ca.n_rows; i++) {
		assert_string_equal(ca.rows[i].code, cb.rows[i].code);
		assert_string_equal(ca.rows[i].name, cb.rows[i].name);
		assert_int_equal(ca.rows[i].level, cb.rows[i].level);
	}
	gt_orgcsv_free(&ca);
	gt_orgcsv_free(&cb);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(csv_quoted_fields),
	    cmocka_unit_test(csv_crlf_bom_order_extra),
	    cmocka_unit_test(csv_row_errors_with_lines),
	    cmocka_unit_test(csv_header_errors),
	    cmocka_unit_test(csv_structural_limits),
	    cmocka_unit_test(csv_error_cap),
	    cmocka_unit_test(csv_row_limit),
	    GT_STOREFX_TEST(root_exists),
	    GT_STOREFX_TEST(import_small_and_reimport),
	    GT_STOREFX_TEST(import_all_or_nothing),
	    GT_STOREFX_TEST(iterate),
	    GT_STOREFX_TEST(import_real_list),
	    GT_STOREFX_TEST(import_file_errors),
	    GT_STOREFX_TEST(csv_timezone_column),
	    GT_STOREFX_TEST(shipped_list_zones),
	    cmocka_unit_test(shipped_list_matches_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
