/* Envelope and batch encoding through protobuf-c's generated code, with limits checked. */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Largest field number protobuf allows. */
#define GT_PROTO_MAX_FIELD 536870911u

/*
 * protobuf-c keeps unknown fields whose number no encoder can produce (0, or one truncated
 * from an over-long tag varint); packed again, they turn into different bytes that it then
 * refuses. Returns 1 if m and every message inside it are free of such fields.
 */
static int unknown_fields_ok(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *base = (const char *)m;

	for (unsigned i = 0; i < m->n_unknown_fields; i++) {
		uint32_t tag = m->unknown_fields[i].tag;
		if (tag == 0 || tag > GT_PROTO_MAX_FIELD)
			return 0;
	}
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + f->quantifier_offset);
			ProtobufCMessage *const *a =
			    *(ProtobufCMessage *const *const *)(base + f->offset);
			for (size_t k = 0; k < n; k++)
				if (!unknown_fields_ok(a[k]))
					return 0;
			continue;
		}
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
		    *(const uint32_t *)(base + f->quantifier_offset) != f->id)
			continue;
		const ProtobufCMessage *sub = *(ProtobufCMessage *const *)(base + f->offset);
		if (sub != NULL && !unknown_fields_ok(sub))
			return 0;
	}
	return 1;
}

/* Reads one varint at *pos; returns 0 if it is truncated or longer than 10 bytes. */
static int read_varint(const uint8_t *buf, size_t len, size_t *pos, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (*pos >= len)
			return 0;
		uint8_t b = buf[(*pos)++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*out = v;
			return 1;
		}
	}
	return 0;
}

/* The shape walk of gt_wire_envelope_shape(); *budget counts down the fields still allowed. */
static int shape_walk(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len,
                      unsigned depth, size_t *budget)
{
	size_t pos = 0;

	while (pos < len) {
		uint64_t tag, n;
		if (!read_varint(buf, len, &pos, &tag))
			return GT_EINVAL;
		if (*budget == 0)
			return GT_ELIMIT;
		(*budget)--;
		switch (tag & 7u) {
		case 0:
			if (!read_varint(buf, len, &pos, &n))
				return GT_EINVAL;
			break;
		case 1:
			if (len - pos < 8)
				return GT_EINVAL;
			pos += 8;
			break;
		case 5:
			if (len - pos < 4)
				return GT_EINVAL;
			pos += 4;
			break;
		case 2: {
			if (!read_varint(buf, len, &pos, &n) || n > len - pos)
				return GT_EINVAL;
			const ProtobufCFieldDescriptor *f =
			    tag >> 3 <= GT_PROTO_MAX_FIELD
			        ? protobuf_c_message_descriptor_get_field(d, (unsigned)(tag >> 3))
			        : NULL;
			if (f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE) {
				if (depth >= GT_WIRE_MAX_DEPTH)
					return GT_ELIMIT;
				int rc = shape_walk(f->descriptor, buf + pos, (size_t)n, depth + 1,
				                    budget);
				if (rc != GT_OK)
					return rc;
			}
			pos += (size_t)n;
			break;
		}
		default:
			return GT_EINVAL; /* groups are not part of proto3 */
		}
	}
	return GT_OK;
}

int gt_wire_envelope_shape(const uint8_t *buf, size_t len, size_t max_fields)
{
	size_t budget = max_fields;

	if (buf == NULL && len > 0)
		return GT_EINVAL;
	return shape_walk(&gtsync__v1__envelope__descriptor, buf, len, 0, &budget);
}

int gt_wire_envelope_is_push(const uint8_t *prefix, size_t len)
{
	size_t pos = 0;
	uint64_t tag, v;

	for (int field = 0; field < 2; field++) {
		size_t start = pos;
		if (!read_varint(prefix, len, &pos, &tag))
			return len - start < 10 ? GT_EAGAIN : GT_EPROTO;
		if (tag == ((uint64_t)GTSYNC__V1__ENVELOPE__BODY_PUSH << 3 | 2u))
			return GT_OK;
		if (field > 0 || tag != (1u << 3 | 0u))
			return GT_EPROTO;
		/* The request id, a varint. */
		start = pos;
		if (!read_varint(prefix, len, &pos, &v))
			return len - start < 10 ? GT_EAGAIN : GT_EPROTO;
	}
	return GT_EPROTO;
}

int gt_wire_batch_shape(const uint8_t *buf, size_t len, size_t max_fields)
{
	size_t budget = max_fields;

	if (buf == NULL && len > 0)
		return GT_EINVAL;
	return shape_walk(&gtsync__v1__batch__descriptor, buf, len, 0, &budget);
}

static size_t effective_frame_limit(size_t max_len)
{
	return max_len == 0 ? GT_DEFAULT_MAX_FRAME : max_len;
}

int gt_wire_envelope_decode(const uint8_t *buf, size_t len, size_t max_len, gt_envelope **out)
{
	gt_envelope *env;

	*out = NULL;
	if (buf == NULL && len > 0)
		return GT_EINVAL;
	if (len > effective_frame_limit(max_len))
		return GT_ETOOBIG;
	env = gtsync__v1__envelope__unpack(NULL, len, buf);
	if (env == NULL)
		return GT_EINVAL;
	if (!unknown_fields_ok(&env->base)) {
		gtsync__v1__envelope__free_unpacked(env, NULL);
		return GT_EINVAL;
	}
	if (env->body_case == GTSYNC__V1__ENVELOPE__BODY__NOT_SET) {
		gtsync__v1__envelope__free_unpacked(env, NULL);
		return GT_EPROTO;
	}
	*out = env;
	return GT_OK;
}

void gt_wire_envelope_free(gt_envelope *env)
{
	if (env != NULL)
		gtsync__v1__envelope__free_unpacked(env, NULL);
}

int gt_wire_envelope_pack(const gt_envelope *env, size_t max_len, uint8_t **out, size_t *len)
{
	size_t n;
	uint8_t *p;

	*out = NULL;
	*len = 0;
	n = gtsync__v1__envelope__get_packed_size(env);
	if (n > effective_frame_limit(max_len))
		return GT_ETOOBIG;
	p = malloc(n > 0 ? n : 1);
	if (p == NULL)
		return GT_ENOMEM;
	if (gtsync__v1__envelope__pack(env, p) != n) {
		free(p);
		return GT_EINVAL;
	}
	*out = p;
	*len = n;
	return GT_OK;
}

static int str_ok(const char *s, size_t max, int required)
{
	size_t n;

	if (s == NULL)
		return !required;
	n = strnlen(s, max + 1);
	if (n > max)
		return 0;
	return n > 0 || !required;
}

/* Checks each value, completion and workflow action of b: key fields present, every field
 * within its limit, known actions, digests of 32 bytes. GT_OK, or GT_EINVAL or GT_ETOOBIG with
 * *why set. */
static int batch_items_check(const gt_batch *b, const char **why)
{
	for (size_t i = 0; i < b->n_values; i++) {
		const Gtsync__V1__DataValue *v = b->values[i];
		if (!str_ok(v->data_element, GT_MAX_CODE_LEN, 1) ||
		    !str_ok(v->period, GT_MAX_CODE_LEN, 1) ||
		    !str_ok(v->org_unit, GT_MAX_CODE_LEN, 1) ||
		    !str_ok(v->category_option_combo, GT_MAX_CODE_LEN, 0) ||
		    !str_ok(v->dataset, GT_MAX_CODE_LEN, 0)) {
			*why = "a value's key field is missing or too long";
			return GT_EINVAL;
		}
		if (!str_ok(v->value, GT_MAX_VALUE_LEN, 0) ||
		    !str_ok(v->comment, GT_MAX_COMMENT_LEN, 0)) {
			*why = "a value or comment is too long";
			return GT_ETOOBIG;
		}
	}
	for (size_t i = 0; i < b->n_completions; i++) {
		const Gtsync__V1__CompleteRegistration *c = b->completions[i];
		if (!str_ok(c->dataset, GT_MAX_CODE_LEN, 1) ||
		    !str_ok(c->period, GT_MAX_CODE_LEN, 1) ||
		    !str_ok(c->org_unit, GT_MAX_CODE_LEN, 1)) {
			*why = "a completion's key field is missing or too long";
			return GT_EINVAL;
		}
	}
	for (size_t i = 0; i < b->n_actions; i++) {
		const Gtsync__V1__WorkflowAction *a = b->actions[i];
		if (a->kind < GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT ||
		    a->kind > GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE) {
			*why = "unknown workflow action";
			return GT_EINVAL;
		}
		if (!str_ok(a->dataset, GT_MAX_CODE_LEN, 1) ||
		    !str_ok(a->period, GT_MAX_CODE_LEN, 1) ||
		    !str_ok(a->org_unit, GT_MAX_CODE_LEN, 1) ||
		    !str_ok(a->reason, GT_MAX_COMMENT_LEN, 0)) {
			*why = "a workflow action's field is missing or too long";
			return GT_EINVAL;
		}
		if (a->data_digest.len != 0 && a->data_digest.len != GT_SHA256_LEN) {
			*why = "a workflow digest is not 32 bytes";
			return GT_EINVAL;
		}
	}
	return GT_OK;
}

int gt_wire_batch_check(const gt_batch *b, const struct gt_limits *lim, const char **why)
{
	uint32_t max_values = GT_DEFAULT_MAX_VALUES_PER_BATCH;
	const char *dummy;
	int rc = GT_EINVAL;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (lim != NULL && lim->max_values_per_batch != 0)
		max_values = lim->max_values_per_batch;

	if (b->format_version != 1) {
		*why = "unsupported batch format version";
		goto out;
	}
	if (b->batch_id.len != GT_BATCH_ID_LEN) {
		*why = "batch id is not 16 bytes";
		goto out;
	}
	if (!str_ok(b->key_id, GT_MAX_CODE_LEN, 1) || !str_ok(b->org_unit, GT_MAX_CODE_LEN, 1)) {
		*why = "key id or org unit missing or too long";
		goto out;
	}
	if (b->sequence == 0) {
		*why = "sequence number is zero";
		goto out;
	}
	if (b->n_values > max_values || b->n_completions > max_values ||
	    b->n_actions > GT_MAX_ACTIONS_PER_BATCH) {
		*why = "too many items in one batch";
		rc = GT_ETOOBIG;
		goto out;
	}
	if (b->n_values + b->n_completions + b->n_actions == 0) {
		*why = "batch is empty";
		goto out;
	}
	rc = batch_items_check(b, why);
out:
	return rc;
}

int gt_wire_batch_decode(const uint8_t *buf, size_t len, const struct gt_limits *lim,
                         gt_batch **out)
{
	gt_batch *b;
	int rc;

	*out = NULL;
	if (buf == NULL && len > 0)
		return GT_EINVAL;
	if (len > GT_MAX_FRAME_CEILING)
		return GT_ETOOBIG;
	b = gtsync__v1__batch__unpack(NULL, len, buf);
	if (b == NULL)
		return GT_EINVAL;
	if (!unknown_fields_ok(&b->base)) {
		gtsync__v1__batch__free_unpacked(b, NULL);
		return GT_EINVAL;
	}
	rc = gt_wire_batch_check(b, lim, NULL);
	if (rc != GT_OK) {
		gtsync__v1__batch__free_unpacked(b, NULL);
		return rc;
	}
	*out = b;
	return GT_OK;
}

int gt_wire_batch_header(const uint8_t *buf, size_t len, uint8_t id[GT_BATCH_ID_LEN],
                         size_t *id_len, uint64_t *sequence)
{
	gt_batch *b;

	*id_len = 0;
	*sequence = 0;
	if ((buf == NULL && len > 0) || len > GT_MAX_FRAME_CEILING)
		return GT_EINVAL;
	if ((b = gtsync__v1__batch__unpack(NULL, len, buf)) == NULL)
		return GT_EINVAL;
	*id_len = b->batch_id.len <= GT_BATCH_ID_LEN ? b->batch_id.len : GT_BATCH_ID_LEN;
	if (*id_len > 0)
		memcpy(id, b->batch_id.data, *id_len);
	*sequence = b->sequence;
	gtsync__v1__batch__free_unpacked(b, NULL);
	return GT_OK;
}

void gt_wire_batch_free(gt_batch *b)
{
	if (b != NULL)
		gtsync__v1__batch__free_unpacked(b, NULL);
}

int gt_wire_batch_pack(const gt_batch *b, uint8_t **out, size_t *len)
{
	size_t n;
	uint8_t *p;

	*out = NULL;
	*len = 0;
	n = gtsync__v1__batch__get_packed_size(b);
	if (n > GT_MAX_FRAME_CEILING)
		return GT_ETOOBIG;
	p = malloc(n > 0 ? n : 1);
	if (p == NULL)
		return GT_ENOMEM;
	if (gtsync__v1__batch__pack(b, p) != n) {
		free(p);
		return GT_EINVAL;
	}
	*out = p;
	*len = n;
	return GT_OK;
}
