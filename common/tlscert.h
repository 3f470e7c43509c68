/* Self-signed certificates for the server (ECDSA P-256), written once and never overwritten. */
#ifndef GT_TLSCERT_H
#define GT_TLSCERT_H

/* Longest common name gt_tlscert_make_self_signed() accepts (X.509 allows 64, DNS labels 63). */
#define GT_TLSCERT_MAX_CN 63u
/* Longest validity it accepts, in days (a hundred years). */
#define GT_TLSCERT_MAX_DAYS 36500
/* The name the certificate `gtsync-server init` writes has unless given one. */
#define GT_TLSCERT_DEFAULT_NAME "localhost"
/* The validity of the certificate `gtsync-server init` writes, in days (ten years). */
#define GT_TLSCERT_INIT_DAYS 3650

/*
 * Writes a new ECDSA P-256 private key (PEM, PKCS#8, unencrypted, mode 0600) to key_path and a
 * self-signed X.509 v3 certificate for it (PEM, mode 0644) to cert_path, valid from a day ago
 * for `days` days (1..GT_TLSCERT_MAX_DAYS). The certificate has subject CN=common_name,
 * subjectAltName IP:127.0.0.1, DNS:localhost and common_name (as DNS, or as IP if it is an IP
 * literal), basicConstraints CA:TRUE (critical) so that it can be its own pinned trust anchor,
 * keyUsage digitalSignature + keyCertSign and extendedKeyUsage serverAuth. common_name must
 * be 1..GT_TLSCERT_MAX_CN characters of letters, digits, '.', '-', or an IPv4/IPv6 literal
 * (GT_EINVAL otherwise). Files are created with O_EXCL and never overwritten: if either exists,
 * returns GT_EEXIST and touches nothing. On any failure neither file is left behind. Both files are
 * fsynced.
 */
int gt_tlscert_make_self_signed(const char *cert_path, const char *key_path,
                                const char *common_name, int days);

#endif
