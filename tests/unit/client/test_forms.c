/* Tests of spreadsheet forms (issue 12): the Excel and CSV templates, reading them back,
 * workbooks saved by LibreOffice, DHIS2's long layout in a sheet, and what Excel on an
 * Indonesian Windows machine makes of a CSV file (separators, Windows-1252, UTF-16, numbers
 * with thousands separators, an .xls given as CSV). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "fileio.h"
#include "formimport.h"
#include "formlayout.h"
#include "home.h"
#include "homefx.h"
#include "import.h"
#include "template.h"
#include "testutil.h"
#include "tlscert.h"
#include "xlsxread.h"

static int setup(void **state)
{
	struct gt_homefx *f;

	if (gt_homefx_open("forms", &f) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	gt_homefx_close(*state);
	return 0;
}

static uint64_t queued(struct gt_homefx *f)
{
	struct gt_cstore_status s;
	assert_int_equal(gt_cstore_status(f->h->st, &s), GT_OK);
	return s.values[GT_CSTORE_QUEUED];
}

/* The value entered for a key, which must exist. */
static double entered(struct gt_homefx *f, const char *de, const char *period, const char *coc)
{
	double v = -1;
	assert_int_equal(gt_cstore_latest_number(f->h->st, de, period, "53.71", coc, &v), GT_OK);
	return v;
}

/* Whether the value entered for a key (of any type) is value: importing it again changes
 * nothing. */
static int holds(struct gt_homefx *f, const char *de, const char *period, const char *coc,
                 const char *value)
{
	struct gt_import_opts o = {0};
	struct gt_import_result r;
	char text[512];

	snprintf(text, sizeof(text),
	         "dataelement,period,categoryoptioncombo,value\n%s,%s,%s,\"%s\"\n", de, period, coc,
	         value);
	return gt_import_buffer(f->h, "check.csv", (const uint8_t *)text, strlen(text), &o, &r) ==
	           GT_OK &&
	       r.unchanged == 1;
}

/* Forgets what the import said so far. */
static void said_reset(struct gt_homefx *f)
{
	fflush(f->errf);
	rewind(f->errf);
	if (f->err != NULL)
		f->err[0] = '\0';
}

static int said(struct gt_homefx *f, const char *needle)
{
	fflush(f->errf);
	return f->err != NULL && strstr(f->err, needle) != NULL;
}

static int import_text(struct gt_homefx *f, const char *name, const void *buf, size_t len,
                       struct gt_import_result *r)
{
	struct gt_import_opts o = {0};
	int rc = gt_import_buffer(f->h, name, buf, len, &o, r);
	fflush(f->errf);
	return rc;
}

static int import_fixture(struct gt_homefx *f, const char *name, struct gt_import_result *r)
{
	char path[1024];
	struct gt_import_opts o = {0};
	int rc;

	snprintf(path, sizeof(path), "%s/tests/data/forms/%s", GT_SOURCE_DIR, name);
	rc = gt_import_file(f->h, path, &o, r);
	fflush(f->errf);
	return rc;
}

static void write_template(struct gt_homefx *f, const char *ds, const char *period,
                           enum gt_template_format fmt, char *path, size_t len)
{
	struct gt_template_opts o = {.dataset = ds, .period = period, .format = fmt};

	snprintf(path, len, "%s/%s-%s.%s", f->dir, ds, period,
	         fmt == GT_TEMPLATE_CSV ? "csv" : "xlsx");
	o.output = path;
	assert_int_equal(gt_template_write(f->h, &o), GT_OK);
}

/* Item 1: the Excel form has an instructions sheet and a sheet per breakdown, with the codes
 * in the hidden first row and column; it reads back to no values at all. */
static void test_template_xlsx(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_result r;
	struct gt_xlsx x;
	struct gt_template_opts o = {.dataset = "KK", .period = "202611"};
	char path[1100];
	uint8_t *buf;
	size_t len;

	write_template(f, "KK", "202611", GT_TEMPLATE_XLSX, path, sizeof(path));
	buf = gt_test_read_file(path, &len);
	assert_non_null(buf);
	assert_int_equal(gt_xlsx_read(buf, len, &x), GT_OK);
	/* Instructions, the totals, then SEXAGE, LOKASI, TAHAP, PELAKU. */
	assert_int_equal(x.nsheets, 6);
	assert_string_equal(gt_xlsx_get(&x.sheets[1], 0, 0), GT_FORM_MARK);
	assert_string_equal(gt_xlsx_get(&x.sheets[2], 0, 2), "KK");
	assert_string_equal(gt_xlsx_get(&x.sheets[2], 0, 3), "202611");
	assert_string_equal(gt_xlsx_get(&x.sheets[2], 0, 4), "53.71");
	assert_string_equal(x.sheets[2].name, "Jenis kelamin dan umur");
	assert_string_equal(gt_xlsx_get(&x.sheets[2], 5, 0), "KK_KORBAN");
	assert_string_equal(gt_xlsx_get(&x.sheets[2], 5, 1), "Korban TPPO teridentifikasi");
	assert_string_equal(gt_xlsx_get(&x.sheets[2], 1, 2), "PD");
	assert_string_equal(gt_xlsx_get(&x.sheets[2], 1, 5), "AL");
	assert_string_equal(gt_xlsx_get(&x.sheets[2], 4, 2), "Perempuan dewasa");
	assert_null(gt_xlsx_get(&x.sheets[2], 5, 2));
	assert_string_equal(gt_xlsx_get(&x.sheets[1], 1, 2), "default");
	gt_xlsx_free(&x);
	free(buf);
	/* An empty form imports as no values. */
	assert_int_equal(gt_import_file(f->h, path, &(struct gt_import_opts){0}, &r), GT_OK);
	assert_int_equal(r.rows, 0);
	assert_int_equal(queued(f), 0);
	/* The file is never replaced; a bad period or data set is said. */
	o.output = path;
	assert_int_equal(gt_template_write(f->h, &o), GT_EEXIST);
	assert_true(said(f, "already exists"));
	o.output = NULL;
	o.period = "2026Q4";
	assert_int_equal(gt_template_write(f->h, &o), GT_EINVAL);
	o.period = "202611";
	o.dataset = "NOPE";
	assert_int_equal(gt_template_write(f->h, &o), GT_EINVAL);
}

/* Item 1: the layout: the totals first, one section per breakdown, names within Excel's
 * limits and unique. */
static void test_layout(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_meta *meta = NULL;
	struct gt_form form;

	assert_int_equal(gt_home_meta(f->h, "test", &meta), GT_OK);
	assert_int_equal(gt_form_layout(meta, gt_meta_dataset_find(meta, "LY"), &form), GT_OK);
	/* LY: every element by sex and age, one grid of nine rows. */
	assert_int_equal(form.nsec, 1);
	assert_int_equal(gt_form_rows(&form.sec[0]), 9);
	assert_int_equal(gt_form_cols(&form.sec[0]), 4);
	assert_false(form.sec[0].transposed);
	gt_form_free(&form);
	assert_int_equal(gt_form_layout(meta, gt_meta_dataset_find(meta, "KK"), &form), GT_OK);
	assert_int_equal(form.nsec, 5);
	assert_true(form.sec[0].combo->is_default);
	for (size_t i = 0; i < form.nsec; i++) {
		assert_true(strlen(form.sec[i].sheet) <= GT_FORM_SHEET_CHARS);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(form.sec[i].sheet, form.sec[k].sheet);
	}
	gt_form_free(&form);
	gt_meta_free(meta);
}

/* Item 2: a template filled in LibreOffice and saved as .xlsx imports whole. */
static void test_filled_by_libreoffice(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_result r;

	assert_int_equal(import_fixture(f, "kk-filled-lo.xlsx", &r), GT_OK);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.rows, 13);
	assert_int_equal(r.queued, 13);
	assert_true(entered(f, "KK_KORBAN", "202611", "PD") == 3);
	assert_true(entered(f, "KK_KORBAN", "202611", "AP") == 1);
	assert_true(entered(f, "KK_KORBAN", "202611", "AL") == 0);
	assert_true(entered(f, "KK_KORBAN_TOTAL", "202611", "") == 6);
	assert_true(entered(f, "KK_LP", "202611", "") == 4);
	assert_true(entered(f, "KK_KORBAN_WNI", "202611", "DALAM_NEGERI") == 4);
	assert_true(entered(f, "KK_PELAKU", "202611", "PERORANGAN") == 3);
	/* Ya/Tidak, a decimal and a text of the GT form. */
	assert_int_equal(import_fixture(f, "gt-filled-lo.xlsx", &r), GT_OK);
	assert_int_equal(r.queued, 10);
	assert_true(holds(f, "GT_SK", "2026S2", "", "true"));
	assert_true(holds(f, "GT_RENCANA_AKSI", "2026S2", "", "false"));
	assert_true(holds(f, "GT_CATATAN", "2026S2", "", "Rapat pleno dua kali"));
	assert_true(entered(f, "GT_ANGGARAN_JUMLAH", "2026S2", "") == 125000000);
}

/* Item 2: bad cells are named by sheet and cell, and nothing is queued. */
static void test_bad_cells_named(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_result r;

	assert_int_equal(import_fixture(f, "kk-bad-lo.xlsx", &r), GT_EINVAL);
	assert_int_equal(queued(f), 0);
	assert_int_equal(r.errors, 2);
	assert_true(said(f, "Sheet 'Jenis kelamin dan umur', cell D6: value \"12,5\""));
	assert_true(said(f, "must be"));
	assert_true(said(f, "Sheet 'Jumlah', cell C6: value \"-1\""));
	assert_true(said(f, "nothing from this file was queued"));
}

/* Item 2: a sheet in DHIS2's long layout, made by LibreOffice from a semicolon CSV. */
static void test_long_layout_sheet(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_result r;

	assert_int_equal(import_fixture(f, "long-lo.xlsx", &r), GT_OK);
	assert_int_equal(r.queued, 2);
	assert_true(entered(f, "KK_LP", "202611", "") == 7);
	assert_true(entered(f, "KK_KORBAN", "202611", "PD") == 5);
}

/* Item 1/2: the CSV grid, filled by a script (each empty cell after a code gets a figure),
 * imports back; a figure outside the grid is named by its cell. */
static void test_template_csv_round_trip(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_result r;
	char path[1100];
	uint8_t *buf;
	size_t len, used = 0;
	char *out;

	write_template(f, "LY", "202611", GT_TEMPLATE_CSV, path, sizeof(path));
	buf = gt_test_read_file(path, &len);
	assert_non_null(buf);
	assert_true(gt_formimport_is_grid(buf, len));
	out = malloc(len * 2 + 64);
	/* Fill: each data line "LY_x,name,,,," becomes "LY_x,name,1,2,3,4". */
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && buf[e] != '\n')
			e++;
		if (e - i > 3 && memcmp(buf + i, "LY_", 3) == 0) {
			size_t k = e - 1, n = 0; /* before the CR */
			while (k > i && buf[k - 1] == ',')
				k--, n++;
			memcpy(out + used, buf + i, k - i);
			used += k - i;
			for (size_t c = 0; c < n; c++)
				used += (size_t)sprintf(out + used, ",%zu", c + 1);
			memcpy(out + used, "\r\n", 2);
			used += 2;
		} else {
			memcpy(out + used, buf + i, e - i + (e < len));
			used += e - i + (e < len);
		}
		i = e + 1;
	}
	assert_int_equal(import_text(f, "ly.csv", out, used, &r), GT_OK);
	assert_int_equal(r.queued, 36);
	assert_true(entered(f, "LY_KORBAN", "202611", "PD") == 1);
	assert_true(entered(f, "LY_RESTITUSI", "202611", "AL") == 4);
	/* A figure past the grid's columns. */
	said_reset(f);
	{
		const char *bad = "gtsync-form,1,LY,202611,53.71,x\r\n"
		                  "elements,Jenis,PD,AP\r\n"
		                  "LY_KORBAN,Korban,1,2,9\r\n";
		assert_int_equal(import_text(f, "ly.csv", bad, strlen(bad), &r), GT_EINVAL);
		assert_true(said(f, "ly.csv: cell E3 (line 3): a figure outside the form"));
	}
	free(out);
	free(buf);
}

/* Item 3: a semicolon CSV in Windows-1252 with Indonesian thousands separators and Ya/Tidak,
 * as Excel on an Indonesian Windows machine saves it; trailing empty columns and rows. */
static void test_excel_indonesia_csv(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_result r;
	/* "Kab. Kupang – catatan" with an en dash (0x96) and "é" (0xe9) in Windows-1252. */
	static const char text[] = "dataelement;period;categoryoptioncombo;value;comment;;\r\n"
	                           "KK_LP;202611;;4.330;polres \x96 caf\xe9;;\r\n"
	                           "GT_SK;2026S2;;Ya;;;\r\n"
	                           "GT_ANGGARAN_JUMLAH;2026S2;;1.250.000,5;;;\r\n"
	                           ";;;;;;\r\n";

	assert_int_equal(import_text(f, "excel.csv", text, sizeof(text) - 1, &r), GT_OK);
	assert_int_equal(r.queued, 3);
	assert_true(said(f, "Windows-1252"));
	assert_true(entered(f, "KK_LP", "202611", "") == 4330);
	assert_true(holds(f, "GT_SK", "2026S2", "", "true"));
	assert_true(entered(f, "GT_ANGGARAN_JUMLAH", "2026S2", "") == 1250000.5);
}

/* Item 3: numbers that cannot be told apart are refused with what to write. */
static void test_ambiguous_numbers(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_result r;
	static const char text[] = "dataelement,period,value\n"
	                           "GT_ANGGARAN_JUMLAH,2026S2,2.500\n"
	                           "KK_LP,202611,\"12,5\"\n"
	                           "KK_PELAKU,202611,\"1,234\"\n";

	assert_int_equal(import_text(f, "n.csv", text, sizeof(text) - 1, &r), GT_EINVAL);
	assert_true(said(f, "n.csv:2: \"2.500\" can be read two ways: 1.234 or 1,234? Write 2500"));
	assert_true(said(f, "n.csv:3: value \"12,5\" for KK_LP must be"));
	assert_int_equal(r.errors, 3); /* KK_PELAKU needs its breakdown */
	assert_int_equal(queued(f), 0);
}

/* Item 3: UTF-16 (Excel's "Unicode text", tab-separated) is read; an .xls, a PDF and a file
 * that is neither UTF-8 nor Windows-1252 are answered with what to do. */
static void test_not_plain_csv(void **state)
{
	struct gt_homefx *f = *state;
	struct gt_import_result r;
	static const char u16[] =
	    "\xff\xfe"
	    "d\0a\0t\0a\0e\0l\0e\0m\0e\0n\0t\0\t\0p\0e\0r\0i\0o\0d\0\t\0v\0a\0l\0u\0e\0\r\0\n\0"
	    "K\0K\0_\0L\0P\0\t\0"
	    "2\0"
	    "0\0"
	    "2\0"
	    "6\0"
	    "1\0"
	    "1\0\t\0"
	    "9\0\r\0\n\0";
	static const uint8_t xls[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0};
	static const char bad[] = "dataelement,period,value\nKK_LP,202611,\x81\n";

	assert_int_equal(import_text(f, "u16.txt", u16, sizeof(u16) - 1, &r), GT_OK);
	assert_true(entered(f, "KK_LP", "202611", "") == 9);
	assert_true(said(f, "UTF-16"));
	said_reset(f);
	assert_int_equal(import_text(f, "old.xls", xls, sizeof(xls), &r), GT_EINVAL);
	assert_true(said(f, "old.xls: this is an Excel 97-2003 workbook (.xls)"));
	assert_false(said(f, "NUL"));
	assert_int_equal(import_text(f, "x.pdf", "%PDF-1.4\n", 9, &r), GT_EINVAL);
	assert_true(said(f, "PDF"));
	assert_int_equal(import_text(f, "bad.csv", bad, sizeof(bad) - 1, &r), GT_EINVAL);
	assert_true(said(f, "neither UTF-8 nor Windows-1252"));
	/* A zip that is not a workbook. */
	assert_int_equal(import_text(f, "a.zip", "PK\3\4junk", 8, &r), GT_EINVAL);
	assert_true(said(f, "not a zip container"));
}

/* Item 4: the home keeps the language `gtsync init --lang` gave it. */
static void test_home_lang(void **state)
{
	struct gt_homefx *f = *state;

	assert_string_equal(f->h->lang, "");
	assert_int_equal(gt_home_set_lang(f->h, "fr"), GT_EINVAL);
	assert_int_equal(gt_home_set_lang(f->h, "en"), GT_OK);
	gt_home_close(f->h);
	f->h = NULL;
	assert_int_equal(gt_home_open(f->home, f->errf, &f->h), GT_OK);
	assert_string_equal(f->h->lang, "en");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_template_xlsx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filled_by_libreoffice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_cells_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_layout_sheet, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_template_csv_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_excel_indonesia_csv, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ambiguous_numbers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_plain_csv, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_home_lang, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
