/* Error strings and the translation of libuv, errno, sqlite and OpenSSL codes to GT_E*. */
#include "error.h"

#include <errno.h>
#include <openssl/err.h>
#include <sqlite3.h>
#include <uv.h>

#include "i18n.h"

static const struct {
	int code;
	const char *name;
	const char *text;
} gt_errors[] = {
    {GT_OK, "GT_OK", N_("success")},
    {GT_EINVAL, "GT_EINVAL", N_("malformed input")},
    {GT_ENOMEM, "GT_ENOMEM", N_("out of memory")},
    {GT_EAGAIN, "GT_EAGAIN", N_("more input needed")},
    {GT_ETOOBIG, "GT_ETOOBIG", N_("larger than the configured limit")},
    {GT_EIO, "GT_EIO", N_("input/output error")},
    {GT_ENOENT, "GT_ENOENT", N_("not found")},
    {GT_EEXIST, "GT_EEXIST", N_("already exists")},
    {GT_EPERM, "GT_EPERM", N_("not authorized")},
    {GT_ECRYPTO, "GT_ECRYPTO", N_("cryptographic operation failed")},
    {GT_EBADSIG, "GT_EBADSIG", N_("signature does not verify")},
    {GT_ETLS, "GT_ETLS", N_("TLS error")},
    {GT_ESTORE, "GT_ESTORE", N_("store error")},
    {GT_EBUSY, "GT_EBUSY", N_("busy, try again later")},
    {GT_ECONFLICT, "GT_ECONFLICT", N_("conflicts with what is already recorded")},
    {GT_ETIMEDOUT, "GT_ETIMEDOUT", N_("timed out")},
    {GT_ECLOSED, "GT_ECLOSED", N_("connection closed by the peer")},
    {GT_ENOSPC, "GT_ENOSPC", N_("no space left on the device")},
    {GT_EPROTO, "GT_EPROTO", N_("protocol violation")},
    {GT_ENOTSUP, "GT_ENOTSUP", N_("not supported")},
    {GT_ECONNREFUSED, "GT_ECONNREFUSED", N_("connection refused")},
    {GT_ECANCELED, "GT_ECANCELED", N_("canceled")},
    {GT_ELOCKED, "GT_ELOCKED", N_("period is locked by an approval")},
    {GT_ECORRUPT, "GT_ECORRUPT", N_("stored data is corrupt")},
    {GT_ENET, "GT_ENET", N_("network unreachable")},
    {GT_ESTATE, "GT_ESTATE", N_("not allowed in the current workflow state")},
    {GT_EKEY, "GT_EKEY", N_("key not registered or revoked")},
    {GT_ELIMIT, "GT_ELIMIT", N_("too many connections or requests")},
};

static int gt_err_index(int code)
{
	for (unsigned i = 0; i < sizeof(gt_errors) / sizeof(gt_errors[0]); i++)
		if (gt_errors[i].code == code)
			return (int)i;
	return -1;
}

const char *gt_strerror(int code)
{
	int i = gt_err_index(code);
	return i < 0 ? "unknown error" : gt_errors[i].text;
}

const char *gt_error_text(int code)
{
	int i = gt_err_index(code);
	return i < 0 ? _("unknown error") : _(gt_errors[i].text);
}

const char *gt_errname(int code)
{
	int i = gt_err_index(code);
	return i < 0 ? "GT_E?" : gt_errors[i].name;
}

int gt_err_from_errno(int err)
{
	switch (err) {
	case 0:
		return GT_OK;
	case EINVAL:
		return GT_EINVAL;
	case ENOMEM:
		return GT_ENOMEM;
	case EAGAIN:
		return GT_EBUSY;
	case ENOENT:
		return GT_ENOENT;
	case EEXIST:
		return GT_EEXIST;
	case EACCES:
	case EPERM:
		return GT_EPERM;
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return GT_ENOSPC;
	case ETIMEDOUT:
		return GT_ETIMEDOUT;
	case ECONNREFUSED:
		return GT_ECONNREFUSED;
	case ECONNRESET:
	case EPIPE:
		return GT_ECLOSED;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
		return GT_ENET;
	case ECANCELED:
		return GT_ECANCELED;
	case EMFILE:
	case ENFILE:
		return GT_ELIMIT;
	case EADDRINUSE:
	case EBUSY:
		return GT_EBUSY;
	case ENOTSUP:
		return GT_ENOTSUP;
	default:
		return GT_EIO;
	}
}

int gt_err_from_uv(int uverr)
{
	if (uverr >= 0)
		return GT_OK;
	switch (uverr) {
	case UV_EOF:
		return GT_ECLOSED;
	case UV_EAI_NONAME:
	case UV_EAI_AGAIN:
	case UV_EAI_FAIL:
	case UV_EAI_NODATA:
		return GT_ENET;
	case UV_ECANCELED:
		return GT_ECANCELED;
	default:
		/* On Unix, libuv codes are negated errno values. */
		return gt_err_from_errno(-uverr);
	}
}

int gt_err_from_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return GT_OK;
	case SQLITE_NOMEM:
		return GT_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return GT_EBUSY;
	case SQLITE_FULL:
		return GT_ENOSPC;
	case SQLITE_IOERR:
		/* A full disk sometimes surfaces as an I/O error on write. */
		return rc == SQLITE_IOERR_WRITE ? GT_ENOSPC : GT_EIO;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return GT_ECORRUPT;
	case SQLITE_CONSTRAINT:
		return GT_ECONFLICT;
	case SQLITE_CANTOPEN:
		return GT_ENOENT;
	case SQLITE_PERM:
	case SQLITE_READONLY:
	case SQLITE_AUTH:
		return GT_EPERM;
	case SQLITE_TOOBIG:
		return GT_ETOOBIG;
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
		return GT_EINVAL;
	default:
		return GT_ESTORE;
	}
}

int gt_err_from_openssl(unsigned long err)
{
	if (err == 0)
		return GT_ECRYPTO;
	if (ERR_GET_REASON(err) == ERR_R_MALLOC_FAILURE)
		return GT_ENOMEM;
	if (ERR_GET_LIB(err) == ERR_LIB_SSL)
		return GT_ETLS;
	return GT_ECRYPTO;
}

int gt_err_from_openssl_queue(void)
{
	unsigned long e = ERR_peek_error();
	int r;

	if (e != 0 && ERR_SYSTEM_ERROR(e))
		r = gt_err_from_errno(ERR_GET_REASON(e));
	else
		r = gt_err_from_openssl(e);
	ERR_clear_error();
	return r;
}
