/* Self-signed certificates for the server: a new P-256 key and its certificate, written
 * durably, never over an existing file. */
#include "tlscert.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "addr.h"
#include "error.h"

/* Returns 1 for a host name, 2 for an IP literal, 0 for anything else. */
static int cn_kind(const char *cn)
{
	size_t n = strnlen(cn, GT_TLSCERT_MAX_CN + 1);

	if (n == 0 || n > GT_TLSCERT_MAX_CN)
		return 0;
	if (gt_addr_is_ip_literal(cn))
		return 2;
	if (cn[0] == '.' || cn[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = cn[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-'))
			return 0;
	}
	return 1;
}

static int add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
	int ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* Builds the key and the self-signed certificate as PEM in two memory BIOs. */
static int make_pem(const char *cn, int kind, int days, BIO **cert_pem, BIO **key_pem)
{
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	BIGNUM *serial = NULL;
	BIO *cb = NULL, *kb = NULL;
	X509V3_CTX v3;
	char san[32 + 2 * GT_TLSCERT_MAX_CN];
	int r = 0;

	*cert_pem = NULL;
	*key_pem = NULL;
	if (strcmp(cn, "localhost") == 0 || strcmp(cn, "127.0.0.1") == 0)
		snprintf(san, sizeof(san), "IP:127.0.0.1,DNS:localhost");
	else
		snprintf(san, sizeof(san), "IP:127.0.0.1,DNS:localhost,%s:%s",
		         kind == 2 ? "IP" : "DNS", cn);
	ERR_clear_error();
	pkey = EVP_EC_gen("P-256");
	x = X509_new();
	serial = BN_new();
	cb = BIO_new(BIO_s_mem());
	kb = BIO_new(BIO_s_mem());
	if (pkey == NULL || x == NULL || serial == NULL || cb == NULL || kb == NULL)
		goto fail;
	/* A random positive 127-bit serial, as RFC 5280 asks for at most 20 octets. */
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -86400L) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL ||
	    X509_set_pubkey(x, pkey) != 1 ||
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	                               (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(x)) != 1)
		goto fail;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if (add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    add_ext(x, &v3, NID_key_usage, "critical,digitalSignature,keyCertSign") < 0 ||
	    add_ext(x, &v3, NID_ext_key_usage, "serverAuth") < 0 ||
	    add_ext(x, &v3, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, &v3, NID_authority_key_identifier, "keyid:always") < 0 ||
	    add_ext(x, &v3, NID_subject_alt_name, san) < 0)
		goto fail;
	if (X509_sign(x, pkey, EVP_sha256()) <= 0 || PEM_write_bio_X509(cb, x) != 1 ||
	    PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL) != 1)
		goto fail;
	*cert_pem = cb;
	*key_pem = kb;
	cb = kb = NULL;
	goto out;
fail:
	r = gt_err_from_openssl_queue();
out:
	BIO_free(cb);
	BIO_free(kb); /* A memory BIO clears its buffer when freed. */
	BN_free(serial);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return r;
}

/* Creates path (which must not exist) with exactly mode, writes the BIO's bytes and fsyncs. */
static int write_new_file(const char *path, mode_t mode, BIO *pem, int *created)
{
	char *data = NULL;
	long n = BIO_get_mem_data(pem, &data);
	size_t off = 0;
	int fd, r = 0;

	*created = 0;
	if (n <= 0)
		return GT_ECRYPTO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return gt_err_from_errno(errno);
	*created = 1;
	/* The umask may have taken bits away; set exactly the mode asked for. */
	if (fchmod(fd, mode) < 0) {
		r = gt_err_from_errno(errno);
		goto out;
	}
	while (off < (size_t)n) {
		ssize_t w = write(fd, data + off, (size_t)n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = w < 0 ? gt_err_from_errno(errno) : GT_EIO;
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0)
		r = gt_err_from_errno(errno);
out:
	if (close(fd) < 0 && r == 0)
		r = gt_err_from_errno(errno);
	return r;
}

/* Makes the new directory entry of path durable; best effort, as some file systems refuse. */
static void fsync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (copy == NULL)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int gt_tlscert_make_self_signed(const char *cert_path, const char *key_path,
                                const char *common_name, int days)
{
	BIO *cert_pem = NULL, *key_pem = NULL;
	int kind, key_created = 0, cert_created = 0;
	struct stat st;
	int r;

	if (cert_path == NULL || key_path == NULL || common_name == NULL || *cert_path == '\0' ||
	    *key_path == '\0' || strcmp(cert_path, key_path) == 0 || days < 1 ||
	    days > GT_TLSCERT_MAX_DAYS)
		return GT_EINVAL;
	kind = cn_kind(common_name);
	if (kind == 0)
		return GT_EINVAL;
	/* Refuse early so that nothing is created when either file is there; O_EXCL below
	 * still guards against a file appearing meanwhile. */
	if (lstat(key_path, &st) == 0 || lstat(cert_path, &st) == 0)
		return GT_EEXIST;
	r = make_pem(common_name, kind, days, &cert_pem, &key_pem);
	if (r < 0)
		goto out;
	r = write_new_file(key_path, 0600, key_pem, &key_created);
	if (r < 0)
		goto out;
	r = write_new_file(cert_path, 0644, cert_pem, &cert_created);
	if (r < 0)
		goto out;
	fsync_parent(key_path);
	fsync_parent(cert_path);
out:
	if (r < 0) {
		if (key_created)
			unlink(key_path);
		if (cert_created)
			unlink(cert_path);
	}
	if (key_pem != NULL) {
		char *data = NULL;
		long n = BIO_get_mem_data(key_pem, &data);
		if (n > 0)
			OPENSSL_cleanse(data, (size_t)n);
	}
	BIO_free(key_pem);
	BIO_free(cert_pem);
	return r;
}
