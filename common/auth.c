/* The authentication handshake's signed message: domain string, server nonce, TLS exporter. */
#include "auth.h"

#include <string.h>

#include "crypto.h"

void gt_auth_message(const uint8_t nonce[GT_NONCE_LEN], const uint8_t exporter[GT_EXPORTER_LEN],
                     uint8_t out[GT_AUTH_MSG_LEN])
{
	/* sizeof includes the terminating NUL, which is the 0x00 separator. */
	memcpy(out, GT_AUTH_DOMAIN, sizeof(GT_AUTH_DOMAIN));
	memcpy(out + sizeof(GT_AUTH_DOMAIN), nonce, GT_NONCE_LEN);
	memcpy(out + sizeof(GT_AUTH_DOMAIN) + GT_NONCE_LEN, exporter, GT_EXPORTER_LEN);
}

int gt_auth_sign(const struct gt_key *k, const uint8_t nonce[GT_NONCE_LEN],
                 const uint8_t exporter[GT_EXPORTER_LEN], uint8_t sig[GT_ED25519_SIG_LEN])
{
	uint8_t msg[GT_AUTH_MSG_LEN];

	gt_auth_message(nonce, exporter, msg);
	return gt_key_sign(k, msg, sizeof(msg), sig);
}

int gt_auth_verify(const uint8_t pub[GT_ED25519_PUB_LEN], const uint8_t nonce[GT_NONCE_LEN],
                   const uint8_t exporter[GT_EXPORTER_LEN], const uint8_t sig[GT_ED25519_SIG_LEN])
{
	uint8_t msg[GT_AUTH_MSG_LEN];

	gt_auth_message(nonce, exporter, msg);
	return gt_key_verify(pub, msg, sizeof(msg), sig);
}
