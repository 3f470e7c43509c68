/* The workbook reader: an OpenDocument spreadsheet (.ods) given to import is answered with
 * what to do, in the user's language (issue 12, item 6); the XML parts are read through
 * libxml2 (issue 15: one XML library) with shared strings, inline strings, entities in text and
 * attributes, parts longer than one read chunk, and hostile or broken XML refused with a clear
 * message. Containers are made here with libzip (an uncompressed "mimetype" entry first, the
 * way LibreOffice lays an .ods out). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zip.h>

#include "error.h"
#include "i18n.h"
#include "xlsxread.h"

/* Writes a zip holding name = text for each pair of entries[] into *buf (caller frees). */
static void make_zip(const char *const *entries, size_t n, uint8_t **buf, size_t *len)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	zip_stat_t st;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	for (size_t i = 0; i + 1 < n; i += 2) {
		zip_source_t *s = zip_source_buffer(z, entries[i + 1], strlen(entries[i + 1]), 0);
		assert_non_null(s);
		zip_int64_t idx = zip_file_add(z, entries[i], s, ZIP_FL_ENC_UTF_8);
		assert_true(idx >= 0);
		if (strcmp(entries[i], "mimetype") == 0)
			assert_int_equal(
			    zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0), 0);
	}
	assert_int_equal(zip_close(z), 0);
	assert_int_equal(zip_source_stat(src, &st), 0);
	*len = (size_t)st.size;
	*buf = malloc(*len);
	assert_non_null(*buf);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(zip_source_read(src, *buf, *len), (zip_int64_t)*len);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
}

static const char *const ods[] = {
    "mimetype",
    "application/vnd.oasis.opendocument.spreadsheet",
    "content.xml",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content "
    "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"/>",
    "META-INF/manifest.xml",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest/>"};

static int setup(void **state)
{
	(void)state;
	return gt_i18n_setup();
}

static void ods_answered_in_both_languages(void **state)
{
	struct gt_xlsx x;
	uint8_t *buf;
	size_t len;
	(void)state;

	make_zip(ods, sizeof(ods) / sizeof(ods[0]), &buf, &len);
	assert_int_equal(gt_i18n_use(GT_LANG_EN), GT_OK);
	assert_int_equal(gt_xlsx_read(buf, len, &x), GT_EINVAL);
	assert_non_null(strstr(x.err, "OpenDocument spreadsheet (.ods"));
	assert_non_null(strstr(x.err, "Excel workbook (.xlsx) or as CSV"));
	gt_xlsx_free(&x);
	assert_int_equal(gt_i18n_use(GT_LANG_ID), GT_OK);
	assert_int_equal(gt_xlsx_read(buf, len, &x), GT_EINVAL);
	assert_non_null(strstr(x.err, ".ods"));
	assert_non_null(strstr(x.err, "Simpan Sebagai"));
	assert_null(strstr(x.err, "does not read"));
	gt_xlsx_free(&x);
	free(buf);
}

/* A zip that is neither: still the plain answer that it is not a workbook. */
static void other_zip_is_not_ods(void **state)
{
	static const char *const other[] = {"mimetype", "application/epub+zip", "a.txt", "x"};
	struct gt_xlsx x;
	uint8_t *buf;
	size_t len;
	(void)state;

	make_zip(other, 4, &buf, &len);
	assert_int_equal(gt_i18n_use(GT_LANG_EN), GT_OK);
	assert_int_equal(gt_xlsx_read(buf, len, &x), GT_EINVAL);
	assert_null(strstr(x.err, ".ods"));
	assert_non_null(strstr(x.err, "not an Excel workbook"));
	gt_xlsx_free(&x);
	free(buf);
}

/* The parts of a minimal workbook with one sheet, "Korban", whose part is sheet. */
static void workbook(const char *sheet, const char *strings, uint8_t **buf, size_t *len)
{
	const char *entries[] = {
	    "xl/workbook.xml",
	    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
	    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
	    "<sheets><sheet name=\"Korban &amp; Pelaku\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
	    "</workbook>",
	    "xl/_rels/workbook.xml.rels",
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Relationships "
	    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	    "<Relationship Id=\"rId1\" Type=\"x\" Target=\"worksheets/sheet1.xml\"/>"
	    "</Relationships>",
	    "xl/worksheets/sheet1.xml",
	    sheet,
	    "xl/sharedStrings.xml",
	    strings,
	};
	make_zip(entries, strings != NULL ? 8 : 6, buf, len);
}

#define SHEET_HEAD                                                                                 \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet "                                  \
	"xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
#define SHEET_TAIL "</sheetData></worksheet>"

/* Shared strings (with a phonetic run left out), inline strings, numbers, booleans and
 * entities in text and attributes come out as the cells' texts. */
static void reads_cells(void **state)
{
	static const char sheet[] = SHEET_HEAD
	    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
	    "</row><row r=\"7\"><c r=\"D7\"><v>12</v></c><c r=\"E7\" t=\"b\"><v>1</v></c>"
	    "<c r=\"F7\" t=\"inlineStr\"><is><t>a &lt; b &#x26; c</t></is></c></row>"
	    "<row><c><v>3</v></c></row>" SHEET_TAIL;
	static const char strings[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst "
	    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	    "<si><t>Jumlah korban</t></si><si><r><t>Laki-</t></r><r><t>laki</t></r>"
	    "<rPh><t>x</t></rPh></si></sst>";
	struct gt_xlsx x;
	uint8_t *buf;
	size_t len;
	(void)state;

	workbook(sheet, strings, &buf, &len);
	assert_int_equal(gt_xlsx_read(buf, len, &x), GT_OK);
	assert_int_equal(x.nsheets, 1);
	assert_string_equal(x.sheets[0].name, "Korban & Pelaku");
	assert_string_equal(gt_xlsx_get(&x.sheets[0], 0, 0), "Jumlah korban");
	assert_string_equal(gt_xlsx_get(&x.sheets[0], 0, 1), "Laki-laki");
	assert_string_equal(gt_xlsx_get(&x.sheets[0], 6, 3), "12");
	assert_string_equal(gt_xlsx_get(&x.sheets[0], 6, 4), "TRUE");
	assert_string_equal(gt_xlsx_get(&x.sheets[0], 6, 5), "a < b & c");
	assert_string_equal(gt_xlsx_get(&x.sheets[0], 7, 0), "3");
	assert_null(gt_xlsx_get(&x.sheets[0], 6, 2));
	gt_xlsx_free(&x);
	free(buf);
}

/* A sheet part several times longer than one read from the zip: text split across chunks is
 * gathered whole, and every row is kept. */
static void reads_parts_longer_than_a_chunk(void **state)
{
	enum { ROWS = 6000 };
	size_t cap = ROWS * 96 + 512, n = 0;
	char *sheet = malloc(cap);
	struct gt_xlsx x;
	uint8_t *buf;
	size_t len;
	(void)state;

	assert_non_null(sheet);
	n += (size_t)snprintf(sheet + n, cap - n, "%s", SHEET_HEAD);
	for (int i = 0; i < ROWS; i++)
		n += (size_t)snprintf(sheet + n, cap - n,
		                      "<row r=\"%d\"><c r=\"B%d\" t=\"inlineStr\"><is><t>baris "
		                      "nomor %d</t></is></c></row>",
		                      i + 1, i + 1, i);
	n += (size_t)snprintf(sheet + n, cap - n, "%s", SHEET_TAIL);
	assert_true(n < cap && n > 4 * 65536);
	workbook(sheet, NULL, &buf, &len);
	assert_int_equal(gt_xlsx_read(buf, len, &x), GT_OK);
	assert_int_equal(x.sheets[0].ncells, ROWS);
	for (int i = 0; i < ROWS; i += 997) {
		char want[32];
		snprintf(want, sizeof(want), "baris nomor %d", i);
		assert_string_equal(gt_xlsx_get(&x.sheets[0], (uint32_t)i, 1), want);
	}
	gt_xlsx_free(&x);
	free(buf);
	free(sheet);
}

/* A document type (the way to entity bombs and external entities) is refused before any
 * entity is expanded, and broken XML is named with its part and line. */
static void refuses_doctype_and_broken_xml(void **state)
{
	static const char bomb[] =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY ext SYSTEM \"file:///etc/passwd\">]>\n<worksheet "
	    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
	    "<row r=\"1\"><c r=\"A1\" "
	    "t=\"inlineStr\"><is><t>&c;&ext;</t></is></c></row>" SHEET_TAIL;
	static const char broken[] =
	    SHEET_HEAD "<row r=\"1\">\n<c r=\"A1\"><v>1</c></row>" SHEET_TAIL;
	struct gt_xlsx x;
	uint8_t *buf;
	size_t len;
	(void)state;

	assert_int_equal(gt_i18n_use(GT_LANG_EN), GT_OK);
	workbook(bomb, NULL, &buf, &len);
	assert_int_equal(gt_xlsx_read(buf, len, &x), GT_EINVAL);
	assert_non_null(strstr(x.err, "declares a document type"));
	gt_xlsx_free(&x);
	free(buf);

	workbook(broken, NULL, &buf, &len);
	assert_int_equal(gt_xlsx_read(buf, len, &x), GT_EINVAL);
	assert_non_null(strstr(x.err, "xl/worksheets/sheet1.xml is not well-formed XML (line 3)"));
	gt_xlsx_free(&x);
	free(buf);

	/* A part that ends early is not well-formed either. */
	workbook(SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c>", NULL, &buf, &len);
	assert_int_equal(gt_xlsx_read(buf, len, &x), GT_EINVAL);
	assert_non_null(strstr(x.err, "is not well-formed XML"));
	gt_xlsx_free(&x);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ods_answered_in_both_languages),
	    cmocka_unit_test(other_zip_is_not_ods),
	    cmocka_unit_test(reads_cells),
	    cmocka_unit_test(reads_parts_longer_than_a_chunk),
	    cmocka_unit_test(refuses_doctype_and_broken_xml),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
