/* The reply interface: who asked a request and how its handler answers, without conn.c. */
#ifndef GT_REPLY_H
#define GT_REPLY_H

#include <stdint.h>
#include <uv.h>

#include "gtlimits.h"
#include "key.h"
#include "orgunit.h"
#include "wire.h"

struct gt_server;
struct gt__reply;

/* What the asker's transport does for a handler (conn.c provides them for a connection). */
struct gt__reply_ops {
	/* Takes and drops a reference; the last drop may free the asker. */
	void (*ref)(struct gt__reply *r);
	void (*unref)(struct gt__reply *r);
	/* Sends a reply envelope (borrowed) if the asker is still there. */
	void (*send)(struct gt__reply *r, gt_envelope *env);
	/* Sends an Error reply for request rid; then closes the asker if fatal. */
	void (*error)(struct gt__reply *r, uint64_t rid, int code, const char *msg, int fatal);
	/* Marks one request done (the in-flight count), re-arming the idle deadline. */
	void (*done)(struct gt__reply *r);
	/* A push joined the admission queue: stops reading the asker while the queue is over its
	 * bound (issue 17). */
	void (*admitted)(struct gt__reply *r);
	/* A push left the admission queue: resumes every held asker once it is down to half. */
	void (*released)(struct gt__reply *r);
};

/* Who asks: the authenticated key, its unit and roles, and the server it asked. Embedded in
 * the connection; a handler borrows it and holds a reference (ops->ref) while work for it is
 * in flight. roles may change between requests (an admin change applied live). */
struct gt__reply {
	const struct gt__reply_ops *ops;
	struct gt_server *srv;
	char key_id[GT_KEY_ID_LEN + 1];
	char org_unit[GT_ORGUNIT_MAX_LEN];
	unsigned roles; /* roleset.h */
	uint8_t pub[GT_ED25519_PUB_LEN];
	uint64_t batches, values; /* accepted from this asker */
};

static inline void gt__reply_ref(struct gt__reply *r)
{
	r->ops->ref(r);
}

static inline void gt__reply_unref(struct gt__reply *r)
{
	r->ops->unref(r);
}

static inline void gt__reply_send(struct gt__reply *r, gt_envelope *env)
{
	r->ops->send(r, env);
}

/* Sends msg (borrowed) as the body of the reply to request rid: member is the envelope's field
 * for it (pull_chunk) and kind its body case without the prefix (PULL_CHUNK). */
#define GT__REPLY_SEND_BODY(r, rid, kind, member, msg)                                             \
	do {                                                                                       \
		gt_envelope env_ = GTSYNC__V1__ENVELOPE__INIT;                                     \
		env_.request_id = (rid);                                                           \
		env_.body_case = GTSYNC__V1__ENVELOPE__BODY_##kind;                                \
		env_.member = (msg);                                                               \
		gt__reply_send((r), &env_);                                                        \
	} while (0)

static inline void gt__reply_fail(struct gt__reply *r, uint64_t rid, int code, const char *msg,
                                  int fatal)
{
	r->ops->error(r, rid, code, msg, fatal);
}

static inline void gt__reply_done(struct gt__reply *r)
{
	r->ops->done(r);
}

static inline void gt__reply_admitted(struct gt__reply *r)
{
	r->ops->admitted(r);
}

static inline void gt__reply_released(struct gt__reply *r)
{
	r->ops->released(r);
}

/* Answers the request env with an error (code, why: NULL for the code's own words), ends it
 * and frees env: a request handler's way to refuse before any work is queued. */
static inline void gt__reply_refuse(struct gt__reply *r, gt_envelope *env, int code,
                                    const char *why)
{
	r->ops->error(r, env->request_id, code, why, 0);
	r->ops->done(r);
	gt_wire_envelope_free(env);
}

/* The shared steps of a read handler (reply.c). */

/* Whether r may read org (NULL: the request names no unit); refused, when not NULL, is a
 * reason decided before (a reader key asking for raw values). On refusal logs "read_refused",
 * answers env with GT_EPERM and frees it, and returns GT_EPERM; else returns GT_OK. */
int gt__reply_read_allowed(struct gt__reply *r, gt_envelope *env, const char *org,
                           const char *refused);

/* A new request job of size bytes, zeroed; on failure answers env with GT_ENOMEM, ends the
 * request, frees env and returns NULL. The caller frees the job with free(). */
void *gt__reply_job(struct gt__reply *r, gt_envelope *env, size_t size);

/* Queues req's work off the loop holding a reference on r for after to drop (through
 * gt__reply_end()). Returns GT_OK, or GT_EBUSY with nothing queued and nothing held: the
 * caller then refuses the request. */
int gt__reply_queue(struct gt__reply *r, uv_work_t *req, uv_work_cb work, uv_after_work_cb after);

/* Answers request rid when its work off the loop was cancelled (status != 0: the server is
 * stopping) or failed (rc with why, NULL for the code's own words) and returns 1; returns 0
 * when the work succeeded and the caller replies. */
int gt__reply_failed(struct gt__reply *r, uint64_t rid, int status, int rc, const char *why);

/* Ends a request queued by gt__reply_queue(): marks it done and drops the reference. */
void gt__reply_end(struct gt__reply *r);

/* Records a read served to r in the read log (readlog.h), now. */
void gt__reply_note_read(struct gt__reply *r, const char *kind, const char *org_unit,
                         const char *dataset, const char *period, uint64_t items);

#endif
