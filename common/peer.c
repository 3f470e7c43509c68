/* A peer: envelopes in length-prefixed frames over one TLS connection, for server and client. */
#include "peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "error.h"

static void peer_fail(struct gt_peer *p, int err, const char *why)
{
	if (p->failed || p->closing)
		return;
	p->failed = 1;
	p->cbs.on_error(p, err, why);
}

static void on_tls_handshake(struct gt_tls_conn *c)
{
	struct gt_peer *p = gt_tls_conn_arg(c);
	if (p->cbs.on_open != NULL && !p->closing)
		p->cbs.on_open(p);
}

static void on_tls_data(struct gt_tls_conn *c, const uint8_t *data, size_t len)
{
	struct gt_peer *p = gt_tls_conn_arg(c);

	while (len > 0 && !p->failed && !p->closing) {
		size_t used = 0;
		int rc = gt_frame_decoder_feed(&p->dec, data, len, &used);
		data += used;
		len -= used;
		if (rc == GT_EAGAIN) {
			const uint8_t *pre;
			size_t plen, declared;
			if (p->in_push_above != 0 && !p->in_checked &&
			    gt_frame_decoder_partial(&p->dec, &pre, &plen, &declared) &&
			    declared > p->in_push_above) {
				int prc = gt_wire_envelope_is_push(pre, plen);
				if (prc == GT_OK) {
					p->in_checked = 1;
				} else if (prc != GT_EAGAIN) {
					char why[128];
					snprintf(why, sizeof(why),
					         "only a push may be larger than %zu bytes",
					         p->in_push_above);
					peer_fail(p, GT_ETOOBIG, why);
					return;
				}
			}
			break;
		}
		p->in_checked = 0;
		if (rc != GT_OK) {
			char why[128];
			snprintf(why, sizeof(why), "frame larger than the limit of %zu bytes",
			         p->dec.max);
			peer_fail(p, rc == GT_ETOOBIG ? GT_ETOOBIG : GT_EPROTO,
			          rc == GT_ETOOBIG ? why : "frame could not be decoded");
			return;
		}
		const uint8_t *payload;
		size_t plen;
		if (gt_frame_decoder_next(&p->dec, &payload, &plen) != GT_OK)
			continue;
		gt_envelope *env = NULL;
		/* The decode's cost is bounded before protobuf-c allocates anything. */
		if (p->in_max_fields != 0) {
			rc = gt_wire_envelope_shape(payload, plen, p->in_max_fields);
			if (rc == GT_ELIMIT) {
				peer_fail(p, GT_ETOOBIG,
				          "the message holds more fields than this peer accepts");
				return;
			}
			if (rc != GT_OK) {
				peer_fail(p, GT_EPROTO, "frame does not hold a valid envelope");
				return;
			}
		}
		rc = gt_wire_envelope_decode(payload, plen, p->max_frame, &env);
		if (rc != GT_OK) {
			peer_fail(p, GT_EPROTO, "frame does not hold a valid envelope");
			return;
		}
		p->cbs.on_envelope(p, env);
	}
	if (p->cbs.on_partial != NULL && !p->failed && !p->closing)
		p->cbs.on_partial(p, gt_frame_decoder_pending(&p->dec));
}

static void on_tls_error(struct gt_tls_conn *c, int err)
{
	struct gt_peer *p = gt_tls_conn_arg(c);
	p->tls_failed = 1;
	peer_fail(p, err,
	          err == GT_ECLOSED         ? "connection closed by the peer"
	          : gt_tls_conn_error(c)[0] ? gt_tls_conn_error(c)
	                                    : gt_strerror(err));
}

static void on_tls_closed(struct gt_tls_conn *c, void *arg)
{
	struct gt_peer *p = arg;
	(void)c;
	p->tls = NULL;
	gt_frame_decoder_free(&p->dec);
	p->cbs.on_closed(p);
}

static const struct gt_tls_conn_cbs tls_cbs = {
    .on_handshake = on_tls_handshake,
    .on_data = on_tls_data,
    .on_error = on_tls_error,
};

static int peer_init(struct gt_peer *p, size_t max_frame, const struct gt_peer_cbs *cbs, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->cbs = *cbs;
	p->arg = arg;
	p->max_frame = max_frame == 0 ? GT_DEFAULT_MAX_FRAME : max_frame;
	return gt_frame_decoder_init(&p->dec, p->max_frame);
}

int gt_peer_accept(struct gt_peer *p, struct gt_tls_ctx *ctx, uv_stream_t *listener,
                   size_t max_frame, const struct gt_peer_cbs *cbs, void *arg)
{
	int rc = peer_init(p, max_frame, cbs, arg);
	if (rc != GT_OK)
		return rc;
	rc = gt_tls_conn_accept(ctx, listener, &tls_cbs, p, &p->tls);
	if (rc != GT_OK)
		gt_frame_decoder_free(&p->dec);
	return rc;
}

int gt_peer_connect(struct gt_peer *p, uv_loop_t *loop, struct gt_tls_ctx *ctx,
                    const struct sockaddr *addr, size_t max_frame, const struct gt_peer_cbs *cbs,
                    void *arg)
{
	int rc = peer_init(p, max_frame, cbs, arg);
	if (rc != GT_OK)
		return rc;
	rc = gt_tls_conn_connect(loop, ctx, addr, &tls_cbs, p, &p->tls);
	if (rc != GT_OK)
		gt_frame_decoder_free(&p->dec);
	return rc;
}

int gt_peer_send(struct gt_peer *p, const gt_envelope *env, gt_tls_write_cb cb, void *cb_arg)
{
	struct gt_buf out;
	uint8_t *payload = NULL;
	size_t plen = 0;
	int rc;

	if (p->closing || p->tls_failed || p->tls == NULL)
		return GT_ESTATE;
	rc = gt_wire_envelope_pack(env, p->max_frame, &payload, &plen);
	if (rc != GT_OK)
		return rc;
	gt_buf_init(&out, p->max_frame + GT_FRAME_HEADER_LEN);
	rc = gt_frame_encode(&out, payload, plen, p->max_frame);
	if (rc == GT_OK)
		rc = gt_tls_conn_write(p->tls, out.data, out.len, cb, cb_arg);
	gt_buf_free(&out);
	free(payload);
	return rc;
}

int gt_peer_send_error(struct gt_peer *p, uint64_t rid, int code, const char *message,
                       const char *key_id, gt_tls_write_cb cb, void *cb_arg)
{
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__Error err = GTSYNC__V1__ERROR__INIT;

	err.code = code;
	err.message = (char *)(message ? message : gt_strerror(code));
	if (key_id != NULL)
		err.key_id = (char *)key_id;
	env.request_id = rid;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_ERROR;
	env.error = &err;
	return gt_peer_send(p, &env, cb, cb_arg);
}

int gt_peer_set_in_limits(struct gt_peer *p, size_t max_frame, size_t max_fields)
{
	if (max_frame == 0)
		max_frame = p->max_frame;
	if (max_frame > p->max_frame)
		return GT_EINVAL;
	if (gt_frame_decoder_set_max(&p->dec, max_frame) != GT_OK)
		return GT_EINVAL;
	p->in_max_fields = max_fields;
	return GT_OK;
}

void gt_peer_set_push_only_above(struct gt_peer *p, size_t n)
{
	p->in_push_above = n;
}

int gt_peer_exporter(const struct gt_peer *p, uint8_t out[GT_EXPORTER_LEN])
{
	if (p->tls == NULL)
		return GT_ESTATE;
	return gt_tls_conn_exporter(p->tls, GT_TLS_EXPORTER_LABEL, out, GT_EXPORTER_LEN);
}

size_t gt_peer_queued(const struct gt_peer *p)
{
	return p->tls == NULL ? 0 : gt_tls_conn_write_queue_size(p->tls);
}

void gt_peer_read_stop(struct gt_peer *p)
{
	if (p->tls != NULL && !p->closing)
		gt_tls_conn_read_stop(p->tls);
}

void gt_peer_read_start(struct gt_peer *p)
{
	if (p->tls != NULL && !p->closing)
		gt_tls_conn_read_start(p->tls);
}

const char *gt_peer_tls_error(const struct gt_peer *p)
{
	return p->tls == NULL ? "" : gt_tls_conn_error(p->tls);
}

void gt_peer_addr(const struct gt_peer *p, char *buf, size_t len)
{
	struct sockaddr_storage ss;

	if (p->tls == NULL || gt_tls_conn_peer_addr(p->tls, &ss) != GT_OK) {
		snprintf(buf, len, "?");
		return;
	}
	gt_addr_format((const struct sockaddr *)&ss, buf, len);
}

void gt_peer_close(struct gt_peer *p)
{
	if (p->closing)
		return;
	p->closing = 1;
	if (p->tls != NULL)
		gt_tls_conn_close(p->tls, on_tls_closed);
}

void *gt_peer_arg(const struct gt_peer *p)
{
	return p->arg;
}
