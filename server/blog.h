/* The batch journal: an append-only file of the writer's groups, synced once per group. */
#ifndef GT_BLOG_H
#define GT_BLOG_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"

/*
 * File layout (little-endian; docs/SERVER.md, "The batch journal"):
 *   header (GT_BLOG_HEADER_LEN bytes): "GTSYNCJ1", u64 generation, u64 reserved (0),
 *     8 bytes: the first 8 bytes of SHA-256 over the 24 bytes before them;
 *   then frames, one per writer group: u32 magic GT_BLOG_FRAME_MAGIC, u32 payload length,
 *     8 bytes: the first 8 bytes of SHA-256 over the length (4 bytes) and the payload, and the
 *     payload: u32 entry count, then per entry: u8 kind (GT_BLOG_PUSH), i64 receive time (ms),
 *     u64 metadata version, u32 roles, u8 + key id, u8 + org unit, 32-byte public key,
 *     u32 + batch bytes, u8 + signature.
 */
#define GT_BLOG_HEADER_LEN  32u
#define GT_BLOG_FRAME_HEAD  16u
#define GT_BLOG_FRAME_MAGIC 0x464a5447u /* "GTJF" */
#define GT_BLOG_PUSH        1u

/* Largest frame payload, and entries per frame (a writer group holds at most 512 jobs). */
#define GT_BLOG_MAX_FRAME   (64u * 1024u * 1024u)
#define GT_BLOG_MAX_ENTRIES 4096u

/* The journal is started afresh (a new generation) once it exceeds this, after a commit that
 * sqlite synced: it stays under this plus one group's frame. */
#define GT_BLOG_ROTATE_BYTES (16u * 1024u * 1024u)

/* The journal is written with zeros ahead of its frames, this much at a time (a new journal:
 * its header and then zeros to this size): appends overwrite blocks the file has, and their
 * fdatasync commits a new file size once per this many bytes rather than once per group. The
 * end of the frames is where the zeros begin. */
#define GT_BLOG_PREALLOC_BYTES (1024u * 1024u)

/* One journalled push: what replay needs to check and apply it exactly as it was. Borrowed
 * pointers (into the job, or into the decoded payload). */
struct gt_blog_entry {
	int64_t received_ms;  /* the server's receive time, which the rules depend on */
	uint64_t md_version;  /* the metadata version it was checked against */
	uint32_t roles;       /* the principal's roles when it was checked */
	const char *key_id;   /* NUL-terminated */
	const char *org_unit; /* the principal's org unit, NUL-terminated */
	const uint8_t *pub;   /* GT_ED25519_PUB_LEN bytes */
	const uint8_t *batch;
	size_t batch_len;
	const uint8_t *sig;
	size_t sig_len;
};

/* A decoded frame: entries point into the payload, and into names (NUL-terminated copies). */
struct gt_blog_frame {
	struct gt_blog_entry *entries;
	size_t n;
	char *names; /* the key ids and org units */
};

struct gt_blog;

/* Opens the journal at path (borrowed) for reading and appending: GT_ENOENT when it does not
 * exist, GT_ECORRUPT (with why set) when its header is not a journal's. Caller closes with
 * gt_blog_close(). */
int gt_blog_open(const char *path, struct gt_blog **out, const char **why);

/* Creates (or replaces) the journal at path, empty, of generation gen, durably (the file and
 * its directory are synced), and opens it. Caller closes with gt_blog_close(). */
int gt_blog_create(const char *path, uint64_t gen, struct gt_blog **out);

/* Starts b afresh as generation gen (gt_blog_create() on its path); b stays as it was on
 * failure. */
int gt_blog_rotate(struct gt_blog *b, uint64_t gen);

/* The generation, and the end of the valid frames (where the next append goes; after
 * gt_blog_open() the file's size until gt_blog_settle()). */
uint64_t gt_blog_gen(const struct gt_blog *b);
uint64_t gt_blog_end(const struct gt_blog *b);

/* Appends one frame of the n entries (borrowed) and makes it durable with one fdatasync; *end
 * is the journal's new end. On failure nothing of the frame stays (the file is cut back). */
int gt_blog_append(struct gt_blog *b, const struct gt_blog_entry *e, size_t n, uint64_t *end);

/* Cuts the journal back to off (a frame boundary at or after the header): what follows is
 * overwritten with zeros, as preallocated, and synced. */
int gt_blog_truncate(struct gt_blog *b, uint64_t off);

/* Cuts the journal's file at off (a frame boundary at or after the header), zeros ahead
 * included, and syncs it: on a full disk, the space goes back to the store. */
int gt_blog_release(struct gt_blog *b, uint64_t off);

/* Makes valid_end (from gt_blog_scan()) the journal's end, where the next append goes: the
 * bytes after it that are not zeros (an append cut by a crash; *torn counts them, up to the
 * last) are overwritten with zeros and synced. */
int gt_blog_settle(struct gt_blog *b, uint64_t valid_end, uint64_t *torn);

/* Reads the frames from offset from (a frame boundary) to the end, calling cb with each decoded
 * frame and the offset just past it; stops at a non-zero return of cb (returned). A final
 * frame that is incomplete or fails its checksum while reaching the end of the file (an
 * append cut by a crash) ends the reading: *valid_end is where it starts, and the caller
 * truncates there. A frame failing its checksum with more data after it is GT_ECORRUPT, with
 * *valid_end at its start. */
int gt_blog_scan(struct gt_blog *b, uint64_t from,
                 int (*cb)(void *arg, const struct gt_blog_frame *f, uint64_t end), void *arg,
                 uint64_t *valid_end);

/* Checks one frame at the start of data[0..len): 0 with *frame_len (head and payload) when it
 * is whole and its checksum matches, GT_EAGAIN when data ends inside it, GT_ECORRUPT when
 * it is not a frame. */
int gt_blog_frame_check(const uint8_t *data, size_t len, size_t *frame_len);

/* Decodes a frame's payload (outside input: the file is read on start). Fills f, whose entries
 * borrow from payload; free with gt_blog_frame_free(). GT_EINVAL when malformed, GT_ETOOBIG
 * over the named limits. */
int gt_blog_decode(const uint8_t *payload, size_t len, struct gt_blog_frame *f);

/* Encodes n entries as a whole frame (head and payload) into a new buffer *out (caller frees). */
int gt_blog_encode(const struct gt_blog_entry *e, size_t n, uint8_t **out, size_t *len);

/* Frees what gt_blog_decode() filled; accepts a zeroed struct. */
void gt_blog_frame_free(struct gt_blog_frame *f);

/* Closes b; accepts NULL. */
void gt_blog_close(struct gt_blog *b);

#endif
