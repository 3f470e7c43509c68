/* Tests for common/error.c: every code has a sentence and foreign codes translate. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <sqlite3.h>
#include <uv.h>

#include "error.h"

static void every_code_has_text(void **state)
{
	(void)state;
	for (int c = 0; c >= GT_ERR_MIN; c--) {
		assert_string_not_equal(gt_strerror(c), "unknown error");
		assert_string_not_equal(gt_errname(c), "GT_E?");
	}
	assert_string_equal(gt_strerror(GT_ERR_MIN - 1), "unknown error");
	assert_string_equal(gt_strerror(5), "unknown error");
	assert_string_equal(gt_errname(GT_EAGAIN), "GT_EAGAIN");
}

static void uv_translation(void **state)
{
	(void)state;
	assert_int_equal(gt_err_from_uv(0), GT_OK);
	assert_int_equal(gt_err_from_uv(UV_EOF), GT_ECLOSED);
	assert_int_equal(gt_err_from_uv(UV_ECONNREFUSED), GT_ECONNREFUSED);
	assert_int_equal(gt_err_from_uv(UV_ENOMEM), GT_ENOMEM);
	assert_int_equal(gt_err_from_uv(UV_ETIMEDOUT), GT_ETIMEDOUT);
	assert_int_equal(gt_err_from_uv(UV_ENOSPC), GT_ENOSPC);
	assert_int_equal(gt_err_from_uv(UV_EAI_NONAME), GT_ENET);
	assert_int_equal(gt_err_from_uv(UV_ECANCELED), GT_ECANCELED);
	assert_int_equal(gt_err_from_errno(EMFILE), GT_ELIMIT);
}

static void sqlite_translation(void **state)
{
	(void)state;
	assert_int_equal(gt_err_from_sqlite(SQLITE_OK), GT_OK);
	assert_int_equal(gt_err_from_sqlite(SQLITE_DONE), GT_OK);
	assert_int_equal(gt_err_from_sqlite(SQLITE_FULL), GT_ENOSPC);
	assert_int_equal(gt_err_from_sqlite(SQLITE_BUSY), GT_EBUSY);
	assert_int_equal(gt_err_from_sqlite(SQLITE_CORRUPT), GT_ECORRUPT);
	assert_int_equal(gt_err_from_sqlite(SQLITE_CONSTRAINT_UNIQUE), GT_ECONFLICT);
	assert_int_equal(gt_err_from_sqlite(SQLITE_IOERR_WRITE), GT_ENOSPC);
	assert_int_equal(gt_err_from_sqlite(SQLITE_IOERR_READ), GT_EIO);
}

static void openssl_translation(void **state)
{
	(void)state;
	assert_int_equal(gt_err_from_openssl(0), GT_ECRYPTO);
	assert_int_equal(gt_err_from_openssl(ERR_PACK(ERR_LIB_SSL, 0, 1)), GT_ETLS);
	assert_int_equal(gt_err_from_openssl(ERR_PACK(ERR_LIB_EVP, 0, 1)), GT_ECRYPTO);
}

/* The queue form (moved out of tls.c for tlscert.c, issue 16): a system error keeps its errno,
 * any other error translates as above, and the queue is empty afterwards. */
static void openssl_queue_translation(void **state)
{
	(void)state;
	ERR_clear_error();
	assert_int_equal(gt_err_from_openssl_queue(), GT_ECRYPTO);
	ERR_raise(ERR_LIB_SYS, ENOSPC);
	ERR_raise(ERR_LIB_SSL, 1);
	assert_int_equal(gt_err_from_openssl_queue(), GT_ENOSPC);
	assert_int_equal(ERR_peek_error(), 0);
	ERR_raise(ERR_LIB_SSL, 1);
	assert_int_equal(gt_err_from_openssl_queue(), GT_ETLS);
	assert_int_equal(ERR_peek_error(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_code_has_text),       cmocka_unit_test(uv_translation),
	    cmocka_unit_test(sqlite_translation),        cmocka_unit_test(openssl_translation),
	    cmocka_unit_test(openssl_queue_translation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
