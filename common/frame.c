/* Frame encoding, and a bounded incremental frame decoder that allocates as bytes arrive. */
#include "frame.h"

#include "error.h"
#include "gtlimits.h"

int gt_frame_encode(struct gt_buf *out, const uint8_t *payload, size_t len, size_t max_payload)
{
	size_t max = max_payload == 0 ? GT_DEFAULT_MAX_FRAME : max_payload;
	int rc;

	if (payload == NULL && len > 0)
		return GT_EINVAL;
	if (len > max || len > UINT32_MAX)
		return GT_ETOOBIG;
	if (len > SIZE_MAX - GT_FRAME_HEADER_LEN)
		return GT_ETOOBIG;
	/* Reserve the whole frame first, so the appends cannot fail half-way. */
	rc = gt_buf_reserve(out, GT_FRAME_HEADER_LEN + len);
	if (rc != GT_OK)
		return rc;
	gt_buf_append_u32be(out, (uint32_t)len);
	gt_buf_append(out, payload, len);
	return GT_OK;
}

int gt_frame_decoder_init(struct gt_frame_decoder *dec, size_t max)
{
	if (max == 0)
		max = GT_DEFAULT_MAX_FRAME;
	if (max > GT_MAX_FRAME_CEILING)
		return GT_EINVAL;
	gt_buf_init(&dec->buf, GT_FRAME_HEADER_LEN);
	dec->max = max;
	dec->frame_len = 0;
	dec->ready = 0;
	dec->taken = 0;
	dec->err = 0;
	return GT_OK;
}

int gt_frame_decoder_set_max(struct gt_frame_decoder *dec, size_t max)
{
	if (max == 0)
		max = GT_DEFAULT_MAX_FRAME;
	if (max > GT_MAX_FRAME_CEILING)
		return GT_EINVAL;
	dec->max = max;
	return GT_OK;
}

/* Forgets the frame returned by next(), and its buffer if that grew large. */
static void release(struct gt_frame_decoder *dec)
{
	if (dec->buf.cap > GT_FRAME_KEEP_CAP)
		gt_buf_free(&dec->buf);
	gt_buf_reset(&dec->buf);
	dec->buf.max = GT_FRAME_HEADER_LEN;
	dec->frame_len = 0;
	dec->taken = 0;
}

/* Copies up to want bytes; returns the count taken or a negative error. */
static int take(struct gt_frame_decoder *dec, const uint8_t *data, size_t avail, size_t want,
                size_t *used)
{
	size_t n = avail < want ? avail : want;
	int rc = gt_buf_append(&dec->buf, data, n);
	if (rc == GT_OK)
		*used += n;
	return rc;
}

int gt_frame_decoder_feed(struct gt_frame_decoder *dec, const uint8_t *data, size_t len,
                          size_t *consumed)
{
	size_t used = 0;
	int rc;

	*consumed = 0;
	if (dec->err != 0)
		return dec->err;
	if (dec->ready)
		return GT_OK;
	if (data == NULL && len > 0)
		return GT_EINVAL;
	if (dec->taken)
		release(dec);
	if (len == 0)
		return GT_EAGAIN;

	if (dec->frame_len == 0) {
		rc = take(dec, data, len, GT_FRAME_HEADER_LEN - dec->buf.len, &used);
		if (rc != GT_OK)
			goto fail;
		if (dec->buf.len < GT_FRAME_HEADER_LEN) {
			rc = GT_EAGAIN;
			goto out;
		}
		uint32_t declared = gt_buf_load_u32be(dec->buf.data);
		if (declared > dec->max) {
			rc = GT_ETOOBIG;
			goto fail;
		}
		dec->frame_len = GT_FRAME_HEADER_LEN + (size_t)declared;
		/* The buffer may now grow to exactly this frame, and only as bytes arrive. */
		dec->buf.max = dec->frame_len;
	}
	rc = take(dec, data + used, len - used, dec->frame_len - dec->buf.len, &used);
	if (rc != GT_OK)
		goto fail;
	if (dec->buf.len < dec->frame_len) {
		rc = GT_EAGAIN;
		goto out;
	}
	dec->ready = 1;
	rc = GT_OK;
	goto out;
fail:
	dec->err = rc;
out:
	*consumed = used;
	return rc;
}

int gt_frame_decoder_next(struct gt_frame_decoder *dec, const uint8_t **payload, size_t *len)
{
	*payload = NULL;
	*len = 0;
	if (dec->err != 0)
		return dec->err;
	if (!dec->ready)
		return GT_EAGAIN;
	*payload = dec->buf.data + GT_FRAME_HEADER_LEN;
	*len = dec->frame_len - GT_FRAME_HEADER_LEN;
	dec->ready = 0;
	dec->taken = 1;
	return GT_OK;
}

int gt_frame_decoder_partial(const struct gt_frame_decoder *dec, const uint8_t **payload,
                             size_t *len, size_t *declared)
{
	if (!gt_frame_decoder_pending(dec) || dec->frame_len == 0)
		return 0;
	*payload = dec->buf.data + GT_FRAME_HEADER_LEN;
	*len = dec->buf.len - GT_FRAME_HEADER_LEN;
	*declared = dec->frame_len - GT_FRAME_HEADER_LEN;
	return 1;
}

int gt_frame_decoder_pending(const struct gt_frame_decoder *dec)
{
	return dec->err == 0 && !dec->ready && !dec->taken && dec->buf.len > 0;
}

void gt_frame_decoder_free(struct gt_frame_decoder *dec)
{
	if (dec == NULL)
		return;
	gt_buf_free(&dec->buf);
	dec->frame_len = 0;
	dec->ready = 0;
	dec->taken = 0;
}
