/* An OpenDocument spreadsheet (.ods) given to import is answered with what to do, in the
 * user's language (issue 12, item 6): save it as .xlsx or CSV. The container is made here with
 * libzip the way LibreOffice lays it out (an uncompressed "mimetype" entry first). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ods_answered_in_both_languages),
	    cmocka_unit_test(other_zip_is_not_ods),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
