/* Tests for common/wire.c: envelope and batch round trips, size limits, the shape checks of a
 * batch, and the unknown fields protobuf-c keeps but cannot pack again (field number 0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "gtlimits.h"
#include "wire.h"

/* Packs env with no limit beyond the default; fails the test on error. Caller frees. */
static uint8_t *pack_env(const gt_envelope *env, size_t *len)
{
	uint8_t *p = NULL;

	assert_int_equal(gt_wire_envelope_pack(env, 0, &p, len), GT_OK);
	assert_non_null(p);
	return p;
}

static void envelope_round_trip(void **state)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *back = NULL;
	Gtsync__V1__Hello hello = GTSYNC__V1__HELLO__INIT;
	uint8_t *bytes;
	size_t len;

	(void)state;
	hello.protocol_version = 1;
	hello.software = "gtsync/test";
	hello.key_id = "0123456789abcdef";
	env.request_id = 77;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_HELLO;
	env.hello = &hello;
	bytes = pack_env(&env, &len);
	assert_int_equal(len, gtsync__v1__envelope__get_packed_size(&env));
	assert_int_equal(gt_wire_envelope_decode(bytes, len, 0, &back), GT_OK);
	assert_int_equal(back->request_id, 77);
	assert_int_equal(back->body_case, GTSYNC__V1__ENVELOPE__BODY_HELLO);
	assert_int_equal(back->hello->protocol_version, 1);
	assert_string_equal(back->hello->software, "gtsync/test");
	assert_string_equal(back->hello->key_id, "0123456789abcdef");
	gt_wire_envelope_free(back);
	gt_wire_envelope_free(NULL);
	free(bytes);
}

static void envelope_limits(void **state)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *back = (gt_envelope *)&env;
	Gtsync__V1__Hello hello = GTSYNC__V1__HELLO__INIT;
	uint8_t *bytes, *out = (uint8_t *)&env;
	size_t len, olen = 99;
	char big[300];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hello.software = big;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_HELLO;
	env.hello = &hello;
	bytes = pack_env(&env, &len);
	/* Packing: exactly the limit passes, one byte less is refused with nothing allocated. */
	assert_int_equal(gt_wire_envelope_pack(&env, len, &out, &olen), GT_OK);
	free(out);
	assert_int_equal(gt_wire_envelope_pack(&env, len - 1, &out, &olen), GT_ETOOBIG);
	assert_null(out);
	assert_int_equal(olen, 0);
	/* Decoding: the limit is checked before a byte is read. */
	assert_int_equal(gt_wire_envelope_decode(bytes, len, len - 1, &back), GT_ETOOBIG);
	assert_null(back);
	assert_int_equal(gt_wire_envelope_decode(bytes, len, len, &back), GT_OK);
	gt_wire_envelope_free(back);
	assert_int_equal(gt_wire_envelope_decode(bytes, (size_t)GT_DEFAULT_MAX_FRAME + 1, 0, &back),
	                 GT_ETOOBIG);
	assert_null(back);
	free(bytes);
}

static void envelope_refusals(void **state)
{
	static const uint8_t garbage[] = {0x0a, 0xff, 0xff, 0xff};    /* truncated length */
	static const uint8_t no_body[] = {0x08, 0x05};                /* request_id 5 only */
	static const uint8_t ping[] = {0x08, 0x05, 0xb2, 0x04, 0x00}; /* + empty ping (70) */
	gt_envelope *back = NULL;

	(void)state;
	assert_int_equal(gt_wire_envelope_decode(NULL, 4, 0, &back), GT_EINVAL);
	assert_int_equal(gt_wire_envelope_decode(garbage, sizeof(garbage), 0, &back), GT_EINVAL);
	assert_null(back);
	assert_int_equal(gt_wire_envelope_decode(no_body, sizeof(no_body), 0, &back), GT_EPROTO);
	assert_null(back);
	assert_int_equal(gt_wire_envelope_decode(NULL, 0, 0, &back), GT_EPROTO);
	assert_int_equal(gt_wire_envelope_decode(ping, sizeof(ping), 0, &back), GT_OK);
	assert_int_equal(back->body_case, GTSYNC__V1__ENVELOPE__BODY_PING);
	gt_wire_envelope_free(back);
}

/*
 * protobuf-c refuses a tag byte 0x00, but keeps as an unknown field numbered 0 a tag written
 * over-long (0x80 0x00), and one above the largest field number (a five-byte tag varint),
 * though no encoder writes either and packing them again gives bytes it refuses (found by
 * fuzz_envelope). The decoder refuses both, at the top and inside a nested message; a
 * well-numbered unknown field (a newer peer's) is kept and packs again.
 */
static void unknown_fields(void **state)
{
	/* field 0, plainly, beside a ping (70): protobuf-c itself refuses it. */
	static const uint8_t plain0[] = {0x00, 0x01, 0xb2, 0x04, 0x00};
	/* field 0 with an over-long tag, beside the ping. */
	static const uint8_t top0[] = {0x80, 0x00, 0x01, 0xb2, 0x04, 0x00};
	/* the ping holding it. */
	static const uint8_t nested0[] = {0x08, 0x05, 0xb2, 0x04, 0x03, 0x80, 0x00, 0x01};
	/* a field number above 2^29 - 1, beside the ping. */
	static const uint8_t over_max[] = {0xf8, 0xff, 0xff, 0xff, 0x7f, 0x00, 0xb2, 0x04, 0x00};
	/* field 1000 (varint 7) beside the ping. */
	static const uint8_t newer[] = {0xc0, 0x3e, 0x07, 0xb2, 0x04, 0x00};
	gt_envelope *back = NULL;
	uint8_t *bytes;
	size_t len;

	(void)state;
	assert_int_equal(gt_wire_envelope_decode(plain0, sizeof(plain0), 0, &back), GT_EINVAL);
	assert_int_equal(gt_wire_envelope_decode(top0, sizeof(top0), 0, &back), GT_EINVAL);
	assert_null(back);
	assert_int_equal(gt_wire_envelope_decode(nested0, sizeof(nested0), 0, &back), GT_EINVAL);
	assert_null(back);
	assert_int_equal(gt_wire_envelope_decode(over_max, sizeof(over_max), 0, &back), GT_EINVAL);
	assert_null(back);
	assert_int_equal(gt_wire_envelope_decode(newer, sizeof(newer), 0, &back), GT_OK);
	assert_int_equal(back->base.n_unknown_fields, 1);
	assert_int_equal(back->base.unknown_fields[0].tag, 1000);
	bytes = pack_env(back, &len);
	gt_wire_envelope_free(back);
	assert_int_equal(gt_wire_envelope_decode(bytes, len, 0, &back), GT_OK);
	assert_int_equal(back->base.n_unknown_fields, 1);
	gt_wire_envelope_free(back);
	free(bytes);
}

/* A batch of one value, one completion and one approve action, all valid. */
struct fixture {
	gt_batch b;
	Gtsync__V1__DataValue v, *vp[1];
	Gtsync__V1__CompleteRegistration c, *cp[1];
	Gtsync__V1__WorkflowAction a, *ap[1];
	uint8_t id[GT_BATCH_ID_LEN];
	uint8_t digest[GT_SHA256_LEN];
};

static void fixture_init(struct fixture *f)
{
	gtsync__v1__batch__init(&f->b);
	gtsync__v1__data_value__init(&f->v);
	gtsync__v1__complete_registration__init(&f->c);
	gtsync__v1__workflow_action__init(&f->a);
	memset(f->id, 0xab, sizeof(f->id));
	memset(f->digest, 0x5a, sizeof(f->digest));
	f->b.format_version = 1;
	f->b.batch_id.data = f->id;
	f->b.batch_id.len = sizeof(f->id);
	f->b.key_id = "0123456789abcdef";
	f->b.org_unit = "53.71";
	f->b.sequence = 9;
	f->v.data_element = "KK_KORBAN";
	f->v.period = "202401";
	f->v.org_unit = "53.71";
	f->v.value = "12";
	f->v.comment = "dari laporan bulanan";
	f->v.revision = 3;
	f->vp[0] = &f->v;
	f->b.values = f->vp;
	f->b.n_values = 1;
	f->c.dataset = "KK";
	f->c.period = "202401";
	f->c.org_unit = "53.71";
	f->c.completed = 1;
	f->cp[0] = &f->c;
	f->b.completions = f->cp;
	f->b.n_completions = 1;
	f->a.kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE;
	f->a.dataset = "KK";
	f->a.period = "2024";
	f->a.org_unit = "53.71";
	f->a.data_digest.data = f->digest;
	f->a.data_digest.len = sizeof(f->digest);
	f->ap[0] = &f->a;
	f->b.actions = f->ap;
	f->b.n_actions = 1;
}

static void batch_round_trip(void **state)
{
	struct fixture f;
	gt_batch *back = NULL;
	uint8_t *bytes = NULL;
	size_t len = 0;

	(void)state;
	fixture_init(&f);
	assert_int_equal(gt_wire_batch_check(&f.b, NULL, NULL), GT_OK);
	assert_int_equal(gt_wire_batch_pack(&f.b, &bytes, &len), GT_OK);
	assert_int_equal(gt_wire_batch_decode(bytes, len, NULL, &back), GT_OK);
	assert_int_equal(back->sequence, 9);
	assert_memory_equal(back->batch_id.data, f.id, sizeof(f.id));
	assert_string_equal(back->key_id, "0123456789abcdef");
	assert_int_equal(back->n_values, 1);
	assert_string_equal(back->values[0]->data_element, "KK_KORBAN");
	assert_string_equal(back->values[0]->comment, "dari laporan bulanan");
	assert_int_equal(back->values[0]->revision, 3);
	assert_int_equal(back->n_completions, 1);
	assert_true(back->completions[0]->completed);
	assert_int_equal(back->n_actions, 1);
	assert_int_equal(back->actions[0]->kind, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE);
	assert_memory_equal(back->actions[0]->data_digest.data, f.digest, sizeof(f.digest));
	gt_wire_batch_free(back);
	gt_wire_batch_free(NULL);
	free(bytes);
}

/* Checks one broken fixture: the code and the sentence. */
static void expect(struct fixture *f, const struct gt_limits *lim, int rc, const char *why)
{
	const char *got = NULL;

	assert_int_equal(gt_wire_batch_check(&f->b, lim, &got), rc);
	assert_non_null(got);
	assert_string_equal(got, why);
	fixture_init(f);
}

static void batch_shape(void **state)
{
	struct gt_limits two = {0, 2};
	Gtsync__V1__DataValue *three[3];
	struct fixture f;
	char *code, *text;

	(void)state;
	code = malloc(GT_MAX_CODE_LEN + 2);
	text = malloc(GT_MAX_VALUE_LEN + 2);
	assert_non_null(code);
	assert_non_null(text);
	memset(code, 'A', GT_MAX_CODE_LEN + 1);
	code[GT_MAX_CODE_LEN + 1] = '\0';
	memset(text, 'v', GT_MAX_VALUE_LEN + 1);
	text[GT_MAX_VALUE_LEN + 1] = '\0';
	fixture_init(&f);

	f.b.format_version = 2;
	expect(&f, NULL, GT_EINVAL, "unsupported batch format version");
	f.b.batch_id.len = GT_BATCH_ID_LEN - 1;
	expect(&f, NULL, GT_EINVAL, "batch id is not 16 bytes");
	f.b.key_id = "";
	expect(&f, NULL, GT_EINVAL, "key id or org unit missing or too long");
	f.b.org_unit = code;
	expect(&f, NULL, GT_EINVAL, "key id or org unit missing or too long");
	f.b.sequence = 0;
	expect(&f, NULL, GT_EINVAL, "sequence number is zero");
	f.b.n_values = f.b.n_completions = f.b.n_actions = 0;
	expect(&f, NULL, GT_EINVAL, "batch is empty");
	f.v.period = "";
	expect(&f, NULL, GT_EINVAL, "a value's key field is missing or too long");
	f.v.data_element = code;
	expect(&f, NULL, GT_EINVAL, "a value's key field is missing or too long");
	f.v.value = text;
	expect(&f, NULL, GT_ETOOBIG, "a value or comment is too long");
	f.c.org_unit = "";
	expect(&f, NULL, GT_EINVAL, "a completion's key field is missing or too long");
	f.a.kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_KIND_UNSPECIFIED;
	expect(&f, NULL, GT_EINVAL, "unknown workflow action");
	f.a.kind = (Gtsync__V1__WorkflowKind)(GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE + 1);
	expect(&f, NULL, GT_EINVAL, "unknown workflow action");
	f.a.data_digest.len = GT_SHA256_LEN - 1;
	expect(&f, NULL, GT_EINVAL, "a workflow digest is not 32 bytes");
	f.a.dataset = "";
	expect(&f, NULL, GT_EINVAL, "a workflow action's field is missing or too long");

	/* Counts: exactly the limit passes, one more is GT_ETOOBIG. */
	for (int i = 0; i < 3; i++)
		three[i] = &f.v;
	f.b.values = three;
	f.b.n_values = 2;
	assert_int_equal(gt_wire_batch_check(&f.b, &two, NULL), GT_OK);
	f.b.n_values = 3;
	expect(&f, &two, GT_ETOOBIG, "too many items in one batch");
	f.b.n_actions = GT_MAX_ACTIONS_PER_BATCH + 1;
	expect(&f, NULL, GT_ETOOBIG, "too many items in one batch");
	/* A value exactly as long as allowed passes. */
	text[GT_MAX_VALUE_LEN] = '\0';
	f.v.value = text;
	assert_int_equal(gt_wire_batch_check(&f.b, NULL, NULL), GT_OK);
	free(code);
	free(text);
}

static void batch_decode_refusals(void **state)
{
	static const uint8_t garbage[] = {0x12, 0x10, 0x01};
	struct fixture f;
	gt_batch *back = NULL;
	uint8_t *bytes = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(gt_wire_batch_decode(NULL, 1, NULL, &back), GT_EINVAL);
	assert_int_equal(gt_wire_batch_decode(garbage, sizeof(garbage), NULL, &back), GT_EINVAL);
	assert_null(back);
	/* The ceiling is checked before a byte is read. */
	assert_int_equal(
	    gt_wire_batch_decode(garbage, (size_t)GT_MAX_FRAME_CEILING + 1, NULL, &back),
	    GT_ETOOBIG);
	/* A packed batch whose shape is wrong is refused by the decoder too. */
	fixture_init(&f);
	f.b.sequence = 0;
	assert_int_equal(gt_wire_batch_pack(&f.b, &bytes, &len), GT_OK);
	assert_int_equal(gt_wire_batch_decode(bytes, len, NULL, &back), GT_EINVAL);
	assert_null(back);
	free(bytes);
}

/* A valid batch with a field numbered 0 (over-long tag) at the top, or inside its value. */
static void batch_unknown_fields(void **state)
{
	static const uint8_t field0[] = {0x80, 0x00, 0x01};
	uint8_t *bytes = NULL, buf[512], value[256];
	struct fixture f;
	gt_batch *back = NULL;
	size_t len = 0, vlen;

	(void)state;
	fixture_init(&f);
	assert_int_equal(gt_wire_batch_pack(&f.b, &bytes, &len), GT_OK);
	assert_true(len + sizeof(field0) <= sizeof(buf));
	memcpy(buf, bytes, len);
	free(bytes);
	assert_int_equal(gt_wire_batch_decode(buf, len, NULL, &back), GT_OK);
	gt_wire_batch_free(back);
	memcpy(buf + len, field0, sizeof(field0));
	assert_int_equal(gt_wire_batch_decode(buf, len + sizeof(field0), NULL, &back), GT_EINVAL);
	assert_null(back);

	/* The batch without its value, then the value (field 7) with field 0 inside. */
	vlen = gtsync__v1__data_value__get_packed_size(&f.v);
	assert_true(vlen + sizeof(field0) < 128);
	assert_int_equal(gtsync__v1__data_value__pack(&f.v, value), vlen);
	memcpy(value + vlen, field0, sizeof(field0));
	f.b.n_values = 0;
	assert_int_equal(gt_wire_batch_pack(&f.b, &bytes, &len), GT_OK);
	assert_true(len + 2 + vlen + sizeof(field0) <= sizeof(buf));
	memcpy(buf, bytes, len);
	free(bytes);
	buf[len++] = 0x3a;
	buf[len++] = (uint8_t)vlen;
	memcpy(buf + len, value, vlen);
	assert_int_equal(gt_wire_batch_decode(buf, len + vlen, NULL, &back), GT_OK);
	assert_int_equal(back->n_values, 1);
	gt_wire_batch_free(back);
	buf[len - 1] = (uint8_t)(vlen + sizeof(field0));
	memcpy(buf + len, value, vlen + sizeof(field0));
	assert_int_equal(gt_wire_batch_decode(buf, len + vlen + sizeof(field0), NULL, &back),
	                 GT_EINVAL);
	assert_null(back);
}

/* Issue 10, item 2: the field count of an envelope is bounded before anything is decoded. */
static void envelope_shape(void **state)
{
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__Hello hello = GTSYNC__V1__HELLO__INIT;
	uint8_t *p = NULL, bomb[64 + 2 * 1000];
	size_t n = 0, pos = 0;
	(void)state;

	hello.protocol_version = 1;
	hello.key_id = "abc";
	hello.software = "gtsync/test";
	env.request_id = 7;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_HELLO;
	env.hello = &hello;
	assert_int_equal(gt_wire_envelope_pack(&env, 0, &p, &n), GT_OK);
	/* request_id, hello, and hello's three fields. */
	assert_int_equal(gt_wire_envelope_shape(p, n, 5), GT_OK);
	assert_int_equal(gt_wire_envelope_shape(p, n, 4), GT_ELIMIT);
	assert_int_equal(gt_wire_envelope_shape(p, n - 1, 100), GT_EINVAL);
	free(p);

	/* A pull_chunk of a thousand empty values: each counts, and unknown fields too. */
	bomb[pos++] = 0xfa;
	bomb[pos++] = 0x01;
	bomb[pos++] = 0xd0; /* length 2000 as a varint */
	bomb[pos++] = 0x0f;
	for (int i = 0; i < 1000; i++) {
		bomb[pos++] = 0x0a;
		bomb[pos++] = 0x00;
	}
	assert_int_equal(gt_wire_envelope_shape(bomb, pos, 1001), GT_OK);
	assert_int_equal(gt_wire_envelope_shape(bomb, pos, 1000), GT_ELIMIT);
	for (size_t i = 0; i < 2000; i += 2)
		bomb[4 + i] = 0x78; /* field 15, a varint: unknown to Envelope */
	/* A length past the end is malformed. */
	assert_int_equal(gt_wire_envelope_shape(bomb, 40, 10000), GT_EINVAL);
	assert_int_equal(gt_wire_envelope_shape(bomb + 4, pos - 4, 1000), GT_OK);
	assert_int_equal(gt_wire_envelope_shape(bomb + 4, pos - 4, 999), GT_ELIMIT);
	/* A large frame must start as a push: after at most the request id. */
	static const uint8_t push[] = {0x08, 0x96, 0x01, 0xa2, 0x01, 0x05};
	static const uint8_t pull[] = {0x08, 0x01, 0xf2, 0x01, 0x05};
	assert_int_equal(gt_wire_envelope_is_push(push, sizeof(push)), GT_OK);
	assert_int_equal(gt_wire_envelope_is_push(push + 3, 2), GT_OK);
	assert_int_equal(gt_wire_envelope_is_push(push, 2), GT_EAGAIN);
	assert_int_equal(gt_wire_envelope_is_push(push, 4), GT_EAGAIN);
	assert_int_equal(gt_wire_envelope_is_push(pull, sizeof(pull)), GT_EPROTO);
	assert_int_equal(gt_wire_envelope_is_push(bomb, 4), GT_EPROTO);
	/* Group wire types are refused. */
	bomb[0] = 0x0b;
	assert_int_equal(gt_wire_envelope_shape(bomb, 1, 10), GT_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(envelope_round_trip),   cmocka_unit_test(envelope_limits),
	    cmocka_unit_test(envelope_refusals),     cmocka_unit_test(unknown_fields),
	    cmocka_unit_test(batch_round_trip),      cmocka_unit_test(batch_shape),
	    cmocka_unit_test(batch_decode_refusals), cmocka_unit_test(batch_unknown_fields),
	    cmocka_unit_test(envelope_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
