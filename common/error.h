/* Error codes for every gtsync function, and the one place foreign codes are translated. */
#ifndef GT_ERROR_H
#define GT_ERROR_H

/*
 * Every function that can fail returns 0 or one of these negative codes. The values travel
 * on the wire (Error.code, PushAck.refuse_code): they are never renumbered, only appended.
 */
enum gt_err {
	GT_OK = 0,
	GT_EINVAL = -1,        /* malformed input or argument */
	GT_ENOMEM = -2,        /* out of memory */
	GT_EAGAIN = -3,        /* incremental decoder needs more input */
	GT_ETOOBIG = -4,       /* a named limit would be exceeded */
	GT_EIO = -5,           /* input/output error */
	GT_ENOENT = -6,        /* no such thing */
	GT_EEXIST = -7,        /* already exists */
	GT_EPERM = -8,         /* not authorized */
	GT_ECRYPTO = -9,       /* cryptographic library failure */
	GT_EBADSIG = -10,      /* signature does not verify */
	GT_ETLS = -11,         /* TLS failure */
	GT_ESTORE = -12,       /* store (database) failure */
	GT_EBUSY = -13,        /* resource busy, try later */
	GT_ECONFLICT = -14,    /* conflicts with what is already recorded */
	GT_ETIMEDOUT = -15,    /* a deadline passed */
	GT_ECLOSED = -16,      /* the peer closed the connection */
	GT_ENOSPC = -17,       /* no space left on the device */
	GT_EPROTO = -18,       /* protocol violation by the peer */
	GT_ENOTSUP = -19,      /* not supported */
	GT_ECONNREFUSED = -20, /* connection refused */
	GT_ECANCELED = -21,    /* operation canceled */
	GT_ELOCKED = -22,      /* period locked by approval */
	GT_ECORRUPT = -23,     /* stored data failed an integrity check */
	GT_ENET = -24,         /* network unreachable or name not resolved */
	GT_ESTATE = -25,       /* not allowed in the current workflow state */
	GT_EKEY = -26,         /* key unknown or revoked */
	GT_ELIMIT = -27,       /* too many connections or requests in flight */
};

/* The lowest (most negative) code defined; used by tests to walk every code. */
#define GT_ERR_MIN GT_ELIMIT

/* Returns a static English sentence for code; never NULL, even for unknown codes. */
const char *gt_strerror(int code);

/* Returns gt_strerror()'s sentence in the language of the messages (gettext), for a person;
 * logs and the protocol keep gt_strerror(). Static; never NULL. */
const char *gt_error_text(int code);

/* Returns the symbolic name ("GT_EINVAL") for code; "GT_E?" for unknown codes. */
const char *gt_errname(int code);

/* Translates a negative libuv error (UV_E*) to a GT_E* code; 0 stays 0. */
int gt_err_from_uv(int uverr);

/* Translates a positive errno value to a GT_E* code; 0 stays 0. */
int gt_err_from_errno(int err);

/* Translates an sqlite3 result code (primary or extended) to a GT_E* code; SQLITE_OK,
 * SQLITE_ROW and SQLITE_DONE become 0. */
int gt_err_from_sqlite(int rc);

/* Translates an OpenSSL error code (ERR_get_error()) to a GT_E* code; 0 becomes GT_ECRYPTO,
 * since the caller only asks after a failure. */
int gt_err_from_openssl(unsigned long err);

/* Translates the oldest error in this thread's OpenSSL queue (a system error by its errno,
 * else as gt_err_from_openssl()) and clears the queue. */
int gt_err_from_openssl_queue(void);

#endif
