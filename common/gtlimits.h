/* Named limits shared by the server, the client and the decoders, with their defaults. */
#ifndef GT_LIMITS_H
#define GT_LIMITS_H

#include <stddef.h>
#include <stdint.h>

/* Largest frame payload (one serialized Envelope) a peer may send. */
#define GT_DEFAULT_MAX_FRAME 4194304 /* 4 MiB */
/* Hard ceiling for any configured frame limit. */
#define GT_MAX_FRAME_CEILING (64u * 1024u * 1024u)
/* Largest frame a server accepts before the peer has proved its key: Hello and AuthProof are
 * a few hundred bytes, so anything larger is refused and the connection closed. */
#define GT_PREAUTH_MAX_FRAME 4096u
/* Fields (each repeated occurrence and unknown field counted) an envelope may hold before the
 * peer has proved its key, and after: every request a client sends has a handful, so this
 * bounds the cost of decoding any frame the server receives. */
#define GT_PREAUTH_MAX_FIELDS 32u
#define GT_MAX_REQUEST_FIELDS 256u
/* Largest frame a server takes that is not a push (pull, metadata, report, ping are a few
 * dozen bytes); only a PushRequest may be larger, and its first bytes must say so. */
#define GT_MAX_REQUEST_FRAME 4096u
/* Items of each kind (values, completions, actions) in one batch. */
#define GT_DEFAULT_MAX_VALUES_PER_BATCH 20000
/* Workflow actions in one batch: enough for a province's month of steps, few enough that a
 * batch cannot flood a report's history. */
#define GT_MAX_ACTIONS_PER_BATCH 100u
/* Length of identifiers and free text inside a batch. */
#define GT_MAX_CODE_LEN    64u
#define GT_MAX_VALUE_LEN   50000u
#define GT_MAX_COMMENT_LEN 50000u
#define GT_BATCH_ID_LEN    16u
#define GT_ED25519_PUB_LEN 32u
#define GT_ED25519_SIG_LEN 64u
#define GT_SHA256_LEN      32u
#define GT_NONCE_LEN       32u
#define GT_EXPORTER_LEN    32u
/* Size of a buffer for any file path the programs handle, with its NUL (Linux's PATH_MAX). */
#define GT_PATH_MAX 4096

/* Limits a decoder or a server enforces; a zero field means "use the default". */
struct gt_limits {
	uint32_t max_frame;
	uint32_t max_values_per_batch;
};

#endif
