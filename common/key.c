/* Ed25519 keys through OpenSSL's EVP API, their PKCS#8 PEM files and their short ids. */
#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto.h"
#include "encode.h"
#include "error.h"

struct gt_key {
	EVP_PKEY *pkey;
	int has_private;
	uint8_t pub[GT_ED25519_PUB_LEN];
};

/* Wraps an Ed25519 EVP_PKEY (ownership taken, also on failure) into a new gt_key. */
static int key_wrap(EVP_PKEY *pkey, int has_private, struct gt_key **out)
{
	struct gt_key *k = NULL;
	size_t n = GT_ED25519_PUB_LEN;
	int rc;

	*out = NULL;
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	if (EVP_PKEY_get_raw_public_key(pkey, k->pub, &n) != 1 || n != GT_ED25519_PUB_LEN) {
		rc = gt_crypto_take_error();
		goto out;
	}
	k->pkey = pkey;
	k->has_private = has_private;
	pkey = NULL;
	*out = k;
	k = NULL;
	rc = GT_OK;
out:
	EVP_PKEY_free(pkey);
	free(k);
	return rc;
}

int gt_key_generate(struct gt_key **out)
{
	EVP_PKEY *pkey;

	*out = NULL;
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (pkey == NULL)
		return gt_crypto_take_error();
	return key_wrap(pkey, 1, out);
}

int gt_key_from_private_raw(const uint8_t seed[GT_KEY_SEED_LEN], struct gt_key **out)
{
	EVP_PKEY *pkey;

	*out = NULL;
	if (seed == NULL)
		return GT_EINVAL;
	pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL, seed, GT_KEY_SEED_LEN);
	if (pkey == NULL)
		return gt_crypto_take_error();
	return key_wrap(pkey, 1, out);
}

int gt_key_from_public(const uint8_t pub[GT_ED25519_PUB_LEN], struct gt_key **out)
{
	EVP_PKEY *pkey;

	*out = NULL;
	if (pub == NULL)
		return GT_EINVAL;
	pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, pub, GT_ED25519_PUB_LEN);
	if (pkey == NULL)
		return gt_crypto_take_error();
	return key_wrap(pkey, 0, out);
}

int gt_key_has_private(const struct gt_key *k)
{
	return k != NULL && k->has_private;
}

/* Writes all of data[0..len) to fd, retrying short writes and interruptions. */
static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return gt_err_from_errno(errno);
		}
		p += n;
		len -= (size_t)n;
	}
	return GT_OK;
}

/* Makes a new file's directory entry durable; best effort, since some file systems refuse
 * to fsync a directory and the file itself is already on disk. */
static void fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	int fd;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Creates path (which must not exist) with data[0..len), fsyncs it and its directory. With
 * exact_mode the file gets exactly mode, whatever the umask. On failure no file is left. */
static int write_new_file(const char *path, const void *data, size_t len, mode_t mode,
                          int exact_mode)
{
	int fd, rc;

	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return gt_err_from_errno(errno);
	if (exact_mode && fchmod(fd, mode) != 0) {
		rc = gt_err_from_errno(errno);
		goto out;
	}
	rc = write_all(fd, data, len);
	if (rc != GT_OK)
		goto out;
	if (fsync(fd) != 0) {
		rc = gt_err_from_errno(errno);
		goto out;
	}
out:
	if (close(fd) != 0 && rc == GT_OK)
		rc = gt_err_from_errno(errno);
	if (rc != GT_OK)
		unlink(path);
	else
		fsync_parent(path);
	return rc;
}

int gt_key_save(const struct gt_key *k, const char *path)
{
	BIO *bio = NULL;
	char *pem = NULL;
	long n = 0;
	int rc;

	if (k == NULL || path == NULL || !k->has_private)
		return GT_EINVAL;
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	/* OpenSSL 3 writes private keys as unencrypted PKCS#8 ("BEGIN PRIVATE KEY"). */
	if (PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		rc = gt_crypto_take_error();
		goto out;
	}
	n = BIO_get_mem_data(bio, &pem);
	if (n <= 0 || pem == NULL) {
		rc = GT_ECRYPTO;
		goto out;
	}
	rc = write_new_file(path, pem, (size_t)n, 0600, 1);
out:
	if (pem != NULL && n > 0)
		gt_crypto_wipe(pem, (size_t)n);
	BIO_free(bio);
	return rc;
}

/* Refuses to ask for a pass phrase: encrypted key files are not supported, and a library
 * must never prompt on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Reads a whole regular file of at most GT_KEY_FILE_MAX bytes. With private_file, refuses a
 * file with group or other permission bits. Caller wipes and frees *buf. */
static int read_key_file(const char *path, int private_file, char **buf, size_t *len,
                         const char **why)
{
	struct stat st;
	char *p = NULL;
	size_t have = 0;
	int fd, rc;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = gt_err_from_errno(errno);
		*why = rc == GT_ENOENT ? "key file not found" : "key file cannot be opened";
		return rc;
	}
	/* Check the file actually opened, so it cannot be swapped between check and read. */
	if (fstat(fd, &st) != 0) {
		rc = gt_err_from_errno(errno);
		*why = "key file cannot be examined";
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = GT_EINVAL;
		*why = "key file is not a regular file";
		goto out;
	}
	if (private_file && (st.st_mode & 077) != 0) {
		rc = GT_EPERM;
		*why = "private key file is accessible to group or others; run chmod 600 on it";
		goto out;
	}
	if (st.st_size > (off_t)GT_KEY_FILE_MAX) {
		rc = GT_ETOOBIG;
		*why = "key file is too large to be a key";
		goto out;
	}
	p = malloc(GT_KEY_FILE_MAX + 1);
	if (p == NULL) {
		rc = GT_ENOMEM;
		*why = "out of memory";
		goto out;
	}
	/* Read to the end even if the file grew since fstat, within the limit. */
	for (;;) {
		ssize_t n = read(fd, p + have, GT_KEY_FILE_MAX + 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = gt_err_from_errno(errno);
			*why = "key file cannot be read";
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have > GT_KEY_FILE_MAX) {
			rc = GT_ETOOBIG;
			*why = "key file is too large to be a key";
			goto out;
		}
	}
	*buf = p;
	*len = have;
	p = NULL;
	rc = GT_OK;
out:
	if (p != NULL) {
		gt_crypto_wipe(p, have);
		free(p);
	}
	close(fd);
	return rc;
}

int gt_key_load_why(const char *path, struct gt_key **out, const char **why)
{
	const char *unused;
	char *buf = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	int rc;

	*out = NULL;
	if (why == NULL)
		why = &unused;
	*why = NULL;
	if (path == NULL) {
		*why = "no key file named";
		return GT_EINVAL;
	}
	rc = read_key_file(path, 1, &buf, &len, why);
	if (rc != GT_OK)
		goto out;
	bio = BIO_new_mem_buf(buf, (int)len);
	if (bio == NULL) {
		rc = GT_ENOMEM;
		*why = "out of memory";
		goto out;
	}
	pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase, NULL, NULL, NULL);
	if (pkey == NULL) {
		ERR_clear_error();
		rc = GT_EINVAL;
		*why = "key file is not an unencrypted PEM private key";
		goto out;
	}
	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		rc = GT_EINVAL;
		*why = "key file holds a key that is not Ed25519";
		goto out;
	}
	rc = key_wrap(pkey, 1, out);
	pkey = NULL;
	if (rc != GT_OK)
		*why = "key cannot be used";
out:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	if (buf != NULL) {
		gt_crypto_wipe(buf, len);
		free(buf);
	}
	return rc;
}

int gt_key_load(const char *path, struct gt_key **out)
{
	return gt_key_load_why(path, out, NULL);
}

int gt_key_public(const struct gt_key *k, uint8_t pub[GT_ED25519_PUB_LEN])
{
	if (k == NULL || pub == NULL)
		return GT_EINVAL;
	memcpy(pub, k->pub, GT_ED25519_PUB_LEN);
	return GT_OK;
}

int gt_key_id_from_public(const uint8_t pub[GT_ED25519_PUB_LEN], char out[GT_KEY_ID_LEN + 1])
{
	uint8_t digest[GT_SHA256_LEN];
	int rc;

	if (pub == NULL || out == NULL)
		return GT_EINVAL;
	rc = gt_crypto_sha256(pub, GT_ED25519_PUB_LEN, digest);
	if (rc != GT_OK)
		return rc;
	return gt_hex_encode(digest, GT_KEY_ID_LEN / 2, out, GT_KEY_ID_LEN + 1);
}

int gt_key_id(const struct gt_key *k, char out[GT_KEY_ID_LEN + 1])
{
	if (k == NULL)
		return GT_EINVAL;
	return gt_key_id_from_public(k->pub, out);
}

int gt_key_sign(const struct gt_key *k, const void *msg, size_t len,
                uint8_t sig[GT_ED25519_SIG_LEN])
{
	static const uint8_t empty[1];
	EVP_MD_CTX *md = NULL;
	size_t n = GT_ED25519_SIG_LEN;
	int rc;

	if (k == NULL || sig == NULL || (msg == NULL && len > 0) || !k->has_private)
		return GT_EINVAL;
	if (msg == NULL)
		msg = empty;
	md = EVP_MD_CTX_new();
	if (md == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	/* Ed25519 hashes internally: no digest is named, and the message goes in one call. */
	if (EVP_DigestSignInit_ex(md, NULL, NULL, NULL, NULL, k->pkey, NULL) != 1 ||
	    EVP_DigestSign(md, sig, &n, msg, len) != 1) {
		rc = gt_crypto_take_error();
		goto out;
	}
	rc = n == GT_ED25519_SIG_LEN ? GT_OK : GT_ECRYPTO;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int gt_key_verify(const uint8_t pub[GT_ED25519_PUB_LEN], const void *msg, size_t len,
                  const uint8_t sig[GT_ED25519_SIG_LEN])
{
	static const uint8_t empty[1];
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	int rc, ok;

	if (pub == NULL || sig == NULL || (msg == NULL && len > 0))
		return GT_EINVAL;
	if (msg == NULL)
		msg = empty;
	/* A fresh key and context per call: nothing is shared between threads. */
	pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, pub, GT_ED25519_PUB_LEN);
	if (pkey == NULL) {
		rc = gt_crypto_take_error();
		goto out;
	}
	md = EVP_MD_CTX_new();
	if (md == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(md, NULL, NULL, NULL, NULL, pkey, NULL) != 1) {
		rc = gt_crypto_take_error();
		goto out;
	}
	ok = EVP_DigestVerify(md, sig, GT_ED25519_SIG_LEN, msg, len);
	if (ok == 1) {
		rc = GT_OK;
	} else if (ok == 0) {
		/* A signature that does not verify (or an invalid point) is not a library error. */
		ERR_clear_error();
		rc = GT_EBADSIG;
	} else {
		rc = gt_crypto_take_error();
	}
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return rc;
}

int gt_key_public_b64(const struct gt_key *k, char out[GT_KEY_PUB_B64_LEN + 1])
{
	if (k == NULL || out == NULL)
		return GT_EINVAL;
	return gt_base64_encode(k->pub, GT_ED25519_PUB_LEN, out, GT_KEY_PUB_B64_LEN + 1);
}

int gt_key_public_from_b64(const char *text, size_t len, uint8_t pub[GT_ED25519_PUB_LEN])
{
	uint8_t tmp[GT_ED25519_PUB_LEN];
	size_t n = 0;
	int rc;

	if (text == NULL || pub == NULL)
		return GT_EINVAL;
	if (len > 0 && text[len - 1] == '\n') {
		len--;
		if (len > 0 && text[len - 1] == '\r')
			len--;
	}
	if (len != GT_KEY_PUB_B64_LEN)
		return GT_EINVAL;
	rc = gt_base64_decode(text, len, tmp, sizeof(tmp), &n);
	if (rc != GT_OK)
		return GT_EINVAL;
	if (n != GT_ED25519_PUB_LEN)
		return GT_EINVAL;
	memcpy(pub, tmp, GT_ED25519_PUB_LEN);
	return GT_OK;
}

int gt_key_save_public(const struct gt_key *k, const char *path)
{
	char line[GT_KEY_PUB_B64_LEN + 2];
	int rc;

	if (k == NULL || path == NULL)
		return GT_EINVAL;
	rc = gt_key_public_b64(k, line);
	if (rc != GT_OK)
		return rc;
	line[GT_KEY_PUB_B64_LEN] = '\n';
	line[GT_KEY_PUB_B64_LEN + 1] = '\0';
	return write_new_file(path, line, GT_KEY_PUB_B64_LEN + 1, 0644, 0);
}

int gt_key_load_public(const char *path, uint8_t pub[GT_ED25519_PUB_LEN])
{
	const char *why;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (path == NULL || pub == NULL)
		return GT_EINVAL;
	rc = read_key_file(path, 0, &buf, &len, &why);
	if (rc != GT_OK)
		return rc;
	rc = gt_key_public_from_b64(buf, len, pub);
	free(buf);
	return rc;
}

void gt_key_free(struct gt_key *k)
{
	if (k == NULL)
		return;
	/* OpenSSL wipes the private key when the EVP_PKEY is freed. */
	EVP_PKEY_free(k->pkey);
	free(k);
}
