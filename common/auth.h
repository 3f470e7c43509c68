/* The authentication handshake's signed message: domain string, server nonce, TLS exporter. */
#ifndef GT_AUTH_H
#define GT_AUTH_H

#include <stdint.h>

#include "gtlimits.h"
#include "key.h"

/* Domain separation: a signature over this message can never be mistaken for a batch's. */
#define GT_AUTH_DOMAIN  "gtsync-auth-v1"
#define GT_AUTH_MSG_LEN (sizeof(GT_AUTH_DOMAIN) + GT_NONCE_LEN + GT_EXPORTER_LEN)

/* Builds DOMAIN || 0x00 || nonce || exporter into out (GT_AUTH_MSG_LEN bytes). */
void gt_auth_message(const uint8_t nonce[GT_NONCE_LEN], const uint8_t exporter[GT_EXPORTER_LEN],
                     uint8_t out[GT_AUTH_MSG_LEN]);

/* Signs the handshake message with k (borrowed) into sig. */
int gt_auth_sign(const struct gt_key *k, const uint8_t nonce[GT_NONCE_LEN],
                 const uint8_t exporter[GT_EXPORTER_LEN], uint8_t sig[GT_ED25519_SIG_LEN]);

/* Verifies a handshake signature by pub; 0 or GT_EBADSIG. */
int gt_auth_verify(const uint8_t pub[GT_ED25519_PUB_LEN], const uint8_t nonce[GT_NONCE_LEN],
                   const uint8_t exporter[GT_EXPORTER_LEN], const uint8_t sig[GT_ED25519_SIG_LEN]);

#endif
