/* Writes the seed corpora for the envelope, batch and frame fuzz targets: valid messages
 * packed through common/wire.c, and malformed variants derived from them. Deterministic, so
 * regenerating gives the same files. Usage: gen_corpus tests/fuzz/corpus */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "error.h"
#include "frame.h"
#include "logleaf.h"
#include "wire.h"

static const char *out_dir;

static void die(const char *what)
{
	fprintf(stderr, "gen_corpus: %s\n", what);
	exit(1);
}

static void put(const char *target, const char *name, const uint8_t *p, size_t n)
{
	char path[GT_PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die("cannot create a corpus directory");
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
	f = fopen(path, "wb");
	if (f == NULL || (n > 0 && fwrite(p, 1, n, f) != n) || fclose(f) != 0)
		die("cannot write a corpus file");
}

static uint8_t bytes16[16] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
                              0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
static uint8_t bytes64[64];

static ProtobufCBinaryData bin(uint8_t *p, size_t n)
{
	ProtobufCBinaryData b = {n, p};
	return b;
}

/* Packs a batch, which must pass the shape check unless bad is set. */
static void put_batch(const char *name, const gt_batch *b, int bad, uint8_t **keep,
                      size_t *keep_len)
{
	uint8_t *p;
	size_t n;
	if (!bad && gt_wire_batch_check(b, NULL, NULL) != GT_OK)
		die(name);
	if (gt_wire_batch_pack(b, &p, &n) != GT_OK)
		die("batch pack failed");
	put("batch", name, p, n);
	if (keep != NULL) {
		*keep = p;
		*keep_len = n;
	} else {
		free(p);
	}
}

static void put_envelope(const char *name, gt_envelope *env, struct gt_buf *frames)
{
	uint8_t *p;
	size_t n;
	if (gt_wire_envelope_pack(env, 0, &p, &n) != GT_OK)
		die("envelope pack failed");
	put("envelope", name, p, n);
	if (frames != NULL && n <= 1024 && gt_frame_encode(frames, p, n, 1024) != GT_OK)
		die("frame encode failed");
	free(p);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		die("usage: gen_corpus CORPUS_DIR");
	out_dir = argv[1];
	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
		die("cannot create the corpus directory");
	for (size_t i = 0; i < sizeof(bytes64); i++)
		bytes64[i] = (uint8_t)(i * 7 + 1);

	/* ---- Batches. */
	Gtsync__V1__DataValue v[3] = {GTSYNC__V1__DATA_VALUE__INIT, GTSYNC__V1__DATA_VALUE__INIT,
	                              GTSYNC__V1__DATA_VALUE__INIT};
	Gtsync__V1__DataValue *vp[9] = {&v[0], &v[1], &v[2], &v[0], &v[1],
	                                &v[2], &v[0], &v[1], &v[2]};
	v[0].data_element = "KASUS_TPPO";
	v[0].period = "2024Q3";
	v[0].org_unit = "53.71";
	v[0].category_option_combo = "PEREMPUAN_DEWASA";
	v[0].value = "12";
	v[0].revision = 1;
	v[0].dataset = "GT_TRIWULAN";
	v[1] = v[0];
	v[1].category_option_combo = "ANAK_LAKI_LAKI";
	v[1].value = "3";
	v[1].comment = "Termasuk 2 korban dipulangkan dari Malaysia";
	v[2] = v[0];
	v[2].data_element = "LAYANAN_REHAB";
	v[2].period = "202408";
	v[2].value = "";
	v[2].deleted = 1;
	v[2].revision = 7;

	Gtsync__V1__CompleteRegistration c = GTSYNC__V1__COMPLETE_REGISTRATION__INIT;
	Gtsync__V1__CompleteRegistration *cp[1] = {&c};
	c.dataset = "GT_TRIWULAN";
	c.period = "2024Q3";
	c.org_unit = "53.71";
	c.completed = 1;

	Gtsync__V1__WorkflowAction a[2] = {GTSYNC__V1__WORKFLOW_ACTION__INIT,
	                                   GTSYNC__V1__WORKFLOW_ACTION__INIT};
	Gtsync__V1__WorkflowAction *ap[2] = {&a[0], &a[1]};
	a[0].kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE;
	a[0].dataset = "GT_TRIWULAN";
	a[0].period = "2024Q3";
	a[0].org_unit = "53.71";
	a[0].data_digest = bin(bytes64, 32);
	a[1] = a[0];
	a[1].kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN;
	a[1].org_unit = "53.72";
	a[1].reason = "Angka korban anak tidak sesuai laporan Polres";
	a[1].data_digest = bin(NULL, 0);

	gt_batch b = GTSYNC__V1__BATCH__INIT;
	b.format_version = 1;
	b.batch_id = bin(bytes16, 16);
	b.key_id = "kupang-operator-1";
	b.org_unit = "53.71";
	b.sequence = 42;
	b.created_at_ms = 1764000000123;
	b.software = "gtsync/0.1.0";
	b.n_values = 3;
	b.values = vp;
	b.n_completions = 1;
	b.completions = cp;
	b.n_actions = 1;
	b.actions = ap;
	uint8_t *full;
	size_t full_len;
	put_batch("valid-full", &b, 0, &full, &full_len);

	gt_batch one = b;
	one.n_values = 1;
	one.n_completions = 0;
	one.n_actions = 0;
	one.sequence = 1;
	put_batch("valid-one-value", &one, 0, NULL, NULL);

	gt_batch acts = b;
	acts.n_values = 0;
	acts.n_completions = 0;
	acts.n_actions = 2;
	acts.org_unit = "53";
	acts.key_id = "ntt-aggregator";
	put_batch("valid-actions", &acts, 0, NULL, NULL);

	gt_batch bad = b;
	bad.format_version = 2;
	put_batch("bad-version", &bad, 1, NULL, NULL);
	bad = b;
	bad.batch_id = bin(bytes16, 15);
	put_batch("bad-id-length", &bad, 1, NULL, NULL);
	bad = b;
	bad.sequence = 0;
	put_batch("bad-sequence-zero", &bad, 1, NULL, NULL);
	bad = b;
	bad.n_values = bad.n_completions = bad.n_actions = 0;
	put_batch("bad-empty", &bad, 1, NULL, NULL);
	/* Valid by default, but over the 8 values the batch fuzz target allows. */
	bad = b;
	bad.n_values = 9;
	put_batch("bad-nine-values", &bad, 1, NULL, NULL);
	bad = acts;
	a[1].kind = 9;
	put_batch("bad-action-kind", &bad, 1, NULL, NULL);
	a[1].kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN;
	a[0].data_digest = bin(bytes64, 31);
	put_batch("bad-digest-length", &acts, 1, NULL, NULL);
	a[0].data_digest = bin(bytes64, 32);
	bad = b;
	bad.org_unit = "";
	put_batch("bad-no-org", &bad, 1, NULL, NULL);
	put("batch", "bad-truncated", full, full_len / 2);
	uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x08};
	put("batch", "bad-junk", junk, sizeof(junk));

	/* ---- Envelopes, each also framed into the frame corpus. */
	struct gt_buf frames;
	gt_buf_init(&frames, 1u << 20);
	uint8_t cut = 7;
	gt_buf_append(&frames, &cut, 1);

	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT;
	env.request_id = 1;

	Gtsync__V1__Hello hello = GTSYNC__V1__HELLO__INIT;
	hello.protocol_version = 1;
	hello.software = "gtsync/0.1.0";
	hello.key_id = "kupang-operator-1";
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_HELLO;
	env.hello = &hello;
	put_envelope("valid-hello", &env, &frames);

	Gtsync__V1__AuthChallenge ch = GTSYNC__V1__AUTH_CHALLENGE__INIT;
	ch.protocol_version = 1;
	ch.nonce = bin(bytes64, 32);
	ch.server_name = "gtsync-pusat";
	ch.server_public_key = bin(bytes64 + 32, 32);
	env.request_id = 0;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_AUTH_CHALLENGE;
	env.auth_challenge = &ch;
	put_envelope("valid-auth-challenge", &env, &frames);

	Gtsync__V1__AuthProof proof = GTSYNC__V1__AUTH_PROOF__INIT;
	proof.public_key = bin(bytes64, 32);
	proof.signature = bin(bytes64, 64);
	env.request_id = 2;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_AUTH_PROOF;
	env.auth_proof = &proof;
	put_envelope("valid-auth-proof", &env, &frames);

	Gtsync__V1__AuthResult res = GTSYNC__V1__AUTH_RESULT__INIT;
	res.key_id = "kupang-operator-1";
	res.org_unit = "53.71";
	res.role = GTSYNC__V1__ROLE__ROLE_OPERATOR;
	res.last_sequence = 41;
	res.max_frame_bytes = 4194304;
	res.max_values_per_batch = 20000;
	res.max_in_flight = 4;
	res.server_time_ms = 1764000000000;
	res.metadata_version = 3;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_AUTH_RESULT;
	env.auth_result = &res;
	put_envelope("valid-auth-result", &env, &frames);

	Gtsync__V1__PushRequest push = GTSYNC__V1__PUSH_REQUEST__INIT;
	push.batch = bin(full, full_len);
	push.signature = bin(bytes64, 64);
	env.request_id = 3;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PUSH;
	env.push = &push;
	put_envelope("valid-push", &env, &frames);

	Gtsync__V1__ImportCount counts = GTSYNC__V1__IMPORT_COUNT__INIT;
	counts.imported = 2;
	counts.ignored = 1;
	uint32_t idx[2] = {0, 2};
	Gtsync__V1__Conflict conflict = GTSYNC__V1__CONFLICT__INIT;
	Gtsync__V1__Conflict *conflicts[1] = {&conflict};
	conflict.reason = GTSYNC__V1__CONFLICT_REASON__CONFLICT_LOCKED_PERIOD;
	conflict.kind = GTSYNC__V1__ITEM_KIND__ITEM_VALUE;
	conflict.n_indexes = 2;
	conflict.indexes = idx;
	conflict.message = "period 2024Q3 is approved for 53.71";
	Gtsync__V1__PushAck ack = GTSYNC__V1__PUSH_ACK__INIT;
	ack.status = GTSYNC__V1__PUSH_STATUS__PUSH_WARNING;
	ack.batch_id = bin(bytes16, 16);
	ack.sequence = 42;
	ack.counts = &counts;
	ack.n_conflicts = 1;
	ack.conflicts = conflicts;
	ack.log_index = 1234;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PUSH_ACK;
	env.push_ack = &ack;
	put_envelope("valid-push-ack", &env, &frames);
	ack.status = GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED;
	ack.refuse_code = GT_EBADSIG;
	ack.message = "signature does not verify";
	ack.n_conflicts = 0;
	put_envelope("valid-push-refused", &env, NULL);

	Gtsync__V1__PullRequest pull = GTSYNC__V1__PULL_REQUEST__INIT;
	pull.org_unit = "53";
	pull.cursor = 1000;
	pull.max_items = 500;
	pull.dataset = "GT_TRIWULAN";
	pull.include_batches = 1;
	env.request_id = 4;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PULL;
	env.pull = &pull;
	put_envelope("valid-pull", &env, &frames);

	Gtsync__V1__PulledValue pv = GTSYNC__V1__PULLED_VALUE__INIT;
	Gtsync__V1__PulledValue *pvs[1] = {&pv};
	pv.value = &v[1];
	pv.origin_batch = bin(bytes64, 32);
	pv.updated_at_ms = 1764000000999;
	pv.change_seq = 1001;
	Gtsync__V1__WorkflowEvent ev = GTSYNC__V1__WORKFLOW_EVENT__INIT;
	Gtsync__V1__WorkflowEvent *evs[1] = {&ev};
	ev.kind = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT;
	ev.key_id = "kupang-ketua";
	ev.at_ms = 1764000000500;
	ev.origin_batch = bin(bytes64, 32);
	Gtsync__V1__WorkflowState ws = GTSYNC__V1__WORKFLOW_STATE__INIT;
	Gtsync__V1__WorkflowState *wss[1] = {&ws};
	ws.dataset = "GT_TRIWULAN";
	ws.period = "2024Q3";
	ws.org_unit = "53.71";
	ws.state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED;
	ws.n_history = 1;
	ws.history = evs;
	ws.change_seq = 1002;
	Gtsync__V1__SignedBatch sb = GTSYNC__V1__SIGNED_BATCH__INIT;
	Gtsync__V1__SignedBatch *sbs[1] = {&sb};
	sb.batch = bin(full, full_len);
	sb.signature = bin(bytes64, 64);
	sb.public_key = bin(bytes64, 32);
	sb.log_index = 77;
	sb.received_at_ms = 1764000000000; /* its leaf is of kind 3 (issue 14) */
	Gtsync__V1__PullChunk chunk = GTSYNC__V1__PULL_CHUNK__INIT;
	chunk.n_values = 1;
	chunk.values = pvs;
	chunk.n_states = 1;
	chunk.states = wss;
	chunk.next_cursor = 1003;
	chunk.more = 1;
	chunk.n_batches = 1;
	chunk.batches = sbs;
	chunk.total_estimate = 10;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PULL_CHUNK;
	env.pull_chunk = &chunk;
	put_envelope("valid-pull-chunk", &env, &frames);

	Gtsync__V1__MetadataRequest mreq = GTSYNC__V1__METADATA_REQUEST__INIT;
	mreq.known_version = 2;
	env.request_id = 5;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_METADATA_REQUEST;
	env.metadata_request = &mreq;
	put_envelope("valid-metadata-request", &env, &frames);

	static const char ds[] = "dataset GT_TRIWULAN quarterly\n";
	Gtsync__V1__MetadataFile mf = GTSYNC__V1__METADATA_FILE__INIT;
	Gtsync__V1__MetadataFile *mfs[1] = {&mf};
	mf.name = "datasets.txt";
	mf.content = bin((uint8_t *)ds, sizeof(ds) - 1);
	mf.sha256 = bin(bytes64, 32);
	Gtsync__V1__OrgUnit ou[2] = {GTSYNC__V1__ORG_UNIT__INIT, GTSYNC__V1__ORG_UNIT__INIT};
	Gtsync__V1__OrgUnit *ous[2] = {&ou[0], &ou[1]};
	ou[0].code = "53";
	ou[0].name = "Nusa Tenggara Timur";
	ou[0].level = 2;
	ou[0].parent = "ID";
	ou[1].code = "53.71";
	ou[1].name = "Kota Kupang";
	ou[1].level = 3;
	ou[1].parent = "53";
	Gtsync__V1__MetadataReply mrep = GTSYNC__V1__METADATA_REPLY__INIT;
	mrep.version = 3;
	mrep.n_files = 1;
	mrep.files = mfs;
	mrep.n_org_units = 2;
	mrep.org_units = ous;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_METADATA_REPLY;
	env.metadata_reply = &mrep;
	put_envelope("valid-metadata-reply", &env, &frames);

	Gtsync__V1__ReportRequest rreq = GTSYNC__V1__REPORT_REQUEST__INIT;
	rreq.org_unit = "53";
	rreq.dataset = "GT_TRIWULAN";
	rreq.period = "2024";
	rreq.per_child = 1;
	env.request_id = 6;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST;
	env.report_request = &rreq;
	put_envelope("valid-report-request", &env, &frames);
	/* A refresh with a cursor, for the public view (issues 11 and 14). */
	static uint8_t cursor[17] = {0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 3, 1};
	rreq.since.data = cursor;
	rreq.since.len = sizeof(cursor);
	rreq.public_view = 1;
	put_envelope("valid-report-request-since", &env, &frames);

	Gtsync__V1__ReportValue rv = GTSYNC__V1__REPORT_VALUE__INIT;
	Gtsync__V1__ReportValue *rvs[1] = {&rv};
	rv.data_element = "KASUS_TPPO";
	rv.category_option_combo = "PEREMPUAN_DEWASA";
	rv.value = 15.5;
	rv.count = 4;
	Gtsync__V1__ChildReport child = GTSYNC__V1__CHILD_REPORT__INIT;
	Gtsync__V1__ChildReport *children[1] = {&child};
	child.org_unit = "53.71";
	child.name = "Kota Kupang";
	child.n_values = 1;
	child.values = rvs;
	child.state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED;
	child.reported = 1;
	child.on_time = 1;
	child.expected = 1;
	child.reported_units = 1;
	child.on_time_units = 1;
	child.first_arrival_ms = 1764000000000;
	char *missing[2] = {"53.01", "53.02"};
	Gtsync__V1__Completeness comp = GTSYNC__V1__COMPLETENESS__INIT;
	comp.expected = 23;
	comp.reported = 21;
	comp.on_time = 19;
	comp.n_missing = 2;
	comp.missing = missing;
	Gtsync__V1__TargetRow tr = GTSYNC__V1__TARGET_ROW__INIT;
	Gtsync__V1__TargetRow *trs[1] = {&tr};
	tr.indicator = "RAN-1.1";
	tr.name = "Jumlah daerah yang melaporkan pelaksanaan gugus tugas";
	tr.year = "2024";
	tr.target = 32;
	tr.achieved = 30;
	tr.gap = 2;
	tr.unit = "provinsi";
	tr.target_raw = "32 provinsi";
	tr.has_target = 1;
	Gtsync__V1__ReportReply rrep = GTSYNC__V1__REPORT_REPLY__INIT;
	rrep.org_unit = "53";
	rrep.org_name = "Nusa Tenggara Timur";
	rrep.dataset = "GT_TRIWULAN";
	rrep.period = "2024";
	rrep.n_totals = 1;
	rrep.totals = rvs;
	rrep.n_children = 1;
	rrep.children = children;
	rrep.completeness = &comp;
	rrep.state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN;
	rrep.n_targets = 1;
	rrep.targets = trs;
	rrep.generated_at_ms = 1764000001000;
	rrep.n_history = 1;
	rrep.history = evs;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY;
	env.report_reply = &rrep;
	rrep.cursor.data = cursor;
	rrep.cursor.len = sizeof(cursor);
	put_envelope("valid-report-reply", &env, &frames);
	/* An unchanged reply: the names and the cursor only. */
	Gtsync__V1__ReportReply same = GTSYNC__V1__REPORT_REPLY__INIT;
	same.org_unit = "53";
	same.dataset = "GT_TRIWULAN";
	same.period = "2024";
	same.generated_at_ms = 1764000002000;
	same.cursor.data = cursor;
	same.cursor.len = sizeof(cursor);
	same.unchanged = 1;
	env.report_reply = &same;
	put_envelope("valid-report-reply-unchanged", &env, &frames);

	Gtsync__V1__Error err = GTSYNC__V1__ERROR__INIT;
	err.code = GT_EKEY;
	err.message = "key not registered or revoked";
	err.key_id = "unknown-key";
	env.request_id = 0;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_ERROR;
	env.error = &err;
	put_envelope("valid-error", &env, &frames);

	Gtsync__V1__Ping ping = GTSYNC__V1__PING__INIT;
	ping.sent_at_ms = 1764000002000;
	env.request_id = 7;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PING;
	env.ping = &ping;
	put_envelope("valid-ping", &env, &frames);
	Gtsync__V1__Pong pong = GTSYNC__V1__PONG__INIT;
	pong.sent_at_ms = 1764000002000;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PONG;
	env.pong = &pong;
	put_envelope("valid-pong", &env, &frames);

	/* A raw export (issue 15) and an enrolment over the wire (issue 13). */
	Gtsync__V1__ExportRequest exr = GTSYNC__V1__EXPORT_REQUEST__INIT;
	static char *after[] = {"KK_KORBAN", "202501", "53.71", "PD"};
	exr.org_unit = "53";
	exr.dataset = "KK";
	exr.start_period = "202501";
	exr.end_period = "202512";
	exr.scope = GTSYNC__V1__EXPORT_SCOPE__EXPORT_DESCENDANTS;
	exr.n_after = 4;
	exr.after = after;
	exr.max_items = 1000;
	env.request_id = 8;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_EXPORT_REQUEST;
	env.export_request = &exr;
	put_envelope("valid-export-request", &env, &frames);
	exr.public_view = 1; /* for publishing (issue 14) */
	put_envelope("valid-export-request-public", &env, &frames);
	exr.public_view = 0;
	Gtsync__V1__DataValue exdv = GTSYNC__V1__DATA_VALUE__INIT;
	exdv.data_element = "KK_KORBAN";
	exdv.period = "202501";
	exdv.org_unit = "53.71";
	exdv.category_option_combo = "PD";
	exdv.value = "2";
	exdv.revision = 1;
	Gtsync__V1__ExportedValue exv = GTSYNC__V1__EXPORTED_VALUE__INIT;
	Gtsync__V1__ExportedValue *exvs[] = {&exv};
	static uint8_t origin[32] = {7};
	exv.value = &exdv;
	exv.stored_by = "8c731c199b130cb0";
	exv.created_at_ms = 1764000000000;
	exv.updated_at_ms = 1764000001000;
	exv.origin_batch.data = origin;
	exv.origin_batch.len = sizeof(origin);
	Gtsync__V1__ExportChunk exc = GTSYNC__V1__EXPORT_CHUNK__INIT;
	exc.n_values = 1;
	exc.values = exvs;
	exc.n_next_after = 4;
	exc.next_after = after;
	exc.more = 1;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_EXPORT_CHUNK;
	env.export_chunk = &exc;
	put_envelope("valid-export-chunk", &env, &frames);
	Gtsync__V1__EnrolRequest enr = GTSYNC__V1__ENROL_REQUEST__INIT;
	enr.request = "gtsync-enrol-1 8c731c199b130cb0 53.71 operator,approver "
	              "AQgPAQgPAQgPAQgPAQgPAQgPAQgPAQgPAQgPAQgPAQg= 2569-7435-2737";
	enr.label = "Sekretariat GT Kota Kupang - operator 1";
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_ENROL_REQUEST;
	env.enrol_request = &enr;
	put_envelope("valid-enrol-request", &env, &frames);
	Gtsync__V1__EnrolReply enp = GTSYNC__V1__ENROL_REPLY__INIT;
	Gtsync__V1__Role enroles[] = {GTSYNC__V1__ROLE__ROLE_OPERATOR,
	                              GTSYNC__V1__ROLE__ROLE_APPROVER};
	enp.key_id = "8c731c199b130cb0";
	enp.org_unit = "53.71";
	enp.n_roles = 2;
	enp.roles = enroles;
	enp.check = "2569-7435-2737";
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_ENROL_REPLY;
	env.enrol_reply = &enp;
	put_envelope("valid-enrol-reply", &env, &frames);

	/* The transparency log (issue 14): head and proof requests and replies. */
	Gtsync__V1__TreeHeadRequest thr = GTSYNC__V1__TREE_HEAD_REQUEST__INIT;
	thr.tree_size = 1204;
	env.request_id = 10;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_TREE_HEAD_REQUEST;
	env.tree_head_request = &thr;
	put_envelope("valid-tree-head-request", &env, NULL);
	Gtsync__V1__TreeHead th = GTSYNC__V1__TREE_HEAD__INIT;
	th.tree_size = 1204;
	th.root_hash.data = bytes64;
	th.root_hash.len = 32;
	th.timestamp_ms = 1764000003000;
	th.signature.data = bytes64;
	th.signature.len = 64;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_TREE_HEAD;
	env.tree_head = &th;
	put_envelope("valid-tree-head", &env, NULL);
	Gtsync__V1__ProofRequest prq = GTSYNC__V1__PROOF_REQUEST__INIT;
	uint64_t leaves[2] = {0, 1203};
	ProtobufCBinaryData hashes[1] = {{32, bytes64}};
	prq.tree_size = 1204;
	prq.old_size = 1000;
	prq.leaf_indexes = leaves;
	prq.n_leaf_indexes = 2;
	prq.batch_hashes = hashes;
	prq.n_batch_hashes = 1;
	env.request_id = 11;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PROOF_REQUEST;
	env.proof_request = &prq;
	put_envelope("valid-proof-request", &env, NULL);
	Gtsync__V1__ProofReply prp = GTSYNC__V1__PROOF_REPLY__INIT;
	Gtsync__V1__InclusionProof ip = GTSYNC__V1__INCLUSION_PROOF__INIT, *ipp = &ip;
	ProtobufCBinaryData nodes[3] = {{32, bytes64}, {32, bytes64 + 16}, {32, bytes64 + 32}};
	ip.leaf_index = 1203;
	ip.batch_hash.data = bytes64;
	ip.batch_hash.len = 32;
	ip.path = nodes;
	ip.n_path = 3;
	ip.leaf_entry.data = bytes64;
	ip.leaf_entry.len = 64;
	prp.head = &th;
	prp.consistency = nodes;
	prp.n_consistency = 3;
	prp.inclusions = &ipp;
	prp.n_inclusions = 1;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PROOF_REPLY;
	env.proof_reply = &prp;
	put_envelope("valid-proof-reply", &env, NULL);

	/* The log entries behind a report (issue 14, gtsync verify): request and reply, a batch's
	 * entry with its bytes and skip lists, a key record's, a lost batch's. */
	Gtsync__V1__LogEntriesRequest lrq = GTSYNC__V1__LOG_ENTRIES_REQUEST__INIT;
	lrq.org_unit = "53";
	lrq.dataset = "KK";
	lrq.period = "2025";
	lrq.tree_size = 1204;
	lrq.start_leaf = 256;
	lrq.max_entries = 256;
	env.request_id = 12;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_LOG_ENTRIES_REQUEST;
	env.log_entries_request = &lrq;
	put_envelope("valid-log-entries-request", &env, &frames);
	Gtsync__V1__LogEntriesReply lrp = GTSYNC__V1__LOG_ENTRIES_REPLY__INIT;
	Gtsync__V1__LogEntry le[3], *lep[3] = {&le[0], &le[1], &le[2]};
	uint32_t skipped[3] = {0, 2, 5};
	for (int i = 0; i < 3; i++)
		gtsync__v1__log_entry__init(&le[i]);
	le[0].leaf_index = 300;
	le[0].leaf_entry = bin(bytes64, 64);
	le[0].batch = bin(full, full_len < 200 ? full_len : 200);
	le[0].skipped_values = skipped;
	le[0].n_skipped_values = 2;
	le[0].skipped_actions = skipped + 2;
	le[0].n_skipped_actions = 1;
	le[1].leaf_index = 301;
	le[1].leaf_entry = bin(bytes64 + 8, 56);
	le[2].leaf_index = 302;
	lrp.tree_size = 1204;
	lrp.entries = lep;
	lrp.n_entries = 3;
	lrp.next_leaf = 512;
	lrp.more = 1;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_LOG_ENTRIES_REPLY;
	env.log_entries_reply = &lrp;
	put_envelope("valid-log-entries-reply", &env, &frames);

	/* Key record entries of the transparency log (fuzz_logleaf). */
	{
		struct gt_logleaf_keyrec kr = {
		    GTSYNC__V1__KEY_ACTION__KEY_REGISTERED, "0123456789abcdef", bytes64, "53.71",
		    1u << GTSYNC__V1__ROLE__ROLE_OPERATOR,  1764000000000,      NULL};
		uint8_t *entry = NULL;
		size_t elen = 0;

		if (gt_logleaf_key(&kr, NULL, &entry, &elen) != GT_OK)
			die("key record failed");
		put("logleaf", "valid-key-registered", entry, elen);
		put("logleaf", "bad-truncated", entry, elen - 3);
		entry[0] = GT_LOGLEAF_BATCH;
		put("logleaf", "bad-batch-kind", entry, elen);
		free(entry);
		kr.action = GTSYNC__V1__KEY_ACTION__KEY_REVOKED;
		kr.org_unit = "ID";
		if (gt_logleaf_key(&kr, NULL, &entry, &elen) != GT_OK)
			die("key record failed");
		put("logleaf", "valid-key-revoked", entry, elen);
		free(entry);
		/* A record with the key's label (field 7). */
		kr.action = GTSYNC__V1__KEY_ACTION__KEY_ROLES_CHANGED;
		kr.label = "Sekretariat GT Kota Kupang \xe2\x80\x94 operator 1";
		if (gt_logleaf_key(&kr, NULL, &entry, &elen) == GT_OK)
			put("logleaf", "valid-key-labelled", entry, elen);
		else
			die("key record failed");
		free(entry);
		/* A label change of its own (KEY_LABEL_CHANGED). */
		kr.action = GTSYNC__V1__KEY_ACTION__KEY_LABEL_CHANGED;
		if (gt_logleaf_key(&kr, NULL, &entry, &elen) == GT_OK)
			put("logleaf", "valid-key-label-changed", entry, elen);
		else
			die("key record failed");
		free(entry);
	}
	/* Batch entries of both kinds: 1 (hash, signature), 3 (hash, time received, signature). */
	{
		uint8_t be[GT_LOGLEAF_BATCH_MAX];
		int64_t at = 1764000000000;
		size_t blen = 0;

		if (gt_logleaf_batch(bytes64, NULL, bytes64, 64, be, &blen) != GT_OK)
			die("batch entry failed");
		put("logleaf", "valid-batch-kind1", be, blen);
		if (gt_logleaf_batch(bytes64, &at, bytes64, 64, be, &blen) != GT_OK)
			die("batch entry failed");
		put("logleaf", "valid-batch-timed", be, blen);
		put("logleaf", "bad-batch-timed-short", be, blen - 1);
		if (gt_logleaf_batch(bytes64, &at, NULL, 0, be, &blen) != GT_OK)
			die("batch entry failed");
		put("logleaf", "valid-batch-timed-unsigned", be, blen);
	}

	/* Malformed envelopes: no body, truncated, a bad tag, an over-long varint. */
	env.body_case = GTSYNC__V1__ENVELOPE__BODY__NOT_SET;
	env.request_id = 9;
	put_envelope("bad-no-body", &env, NULL);
	static const uint8_t trunc[] = {0x08, 0x03, 0xa2, 0x01, 0x40, 0x0a};
	put("envelope", "bad-truncated", trunc, sizeof(trunc));
	static const uint8_t badtag[] = {0x00, 0x01};
	put("envelope", "bad-tag-zero", badtag, sizeof(badtag));
	static const uint8_t varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	put("envelope", "bad-long-varint", varint, sizeof(varint));

	/* ---- Frame streams: the first byte chooses how the fuzzer cuts the rest. */
	put("frame", "valid-envelopes", frames.data, frames.len);
	gt_buf_reset(&frames);
	gt_buf_append(&frames, &cut, 1);
	for (int i = 0; i < 3; i++)
		gt_frame_encode(&frames, NULL, 0, 1024);
	put("frame", "valid-zero-length", frames.data, frames.len);
	gt_buf_reset(&frames);
	cut = 0;
	gt_buf_append(&frames, &cut, 1);
	uint8_t max_payload[1024];
	memset(max_payload, 'm', sizeof(max_payload));
	gt_frame_encode(&frames, max_payload, sizeof(max_payload), 1024);
	gt_frame_encode(&frames, max_payload, 1, 1024);
	put("frame", "valid-max-payload", frames.data, frames.len);
	put("frame", "bad-truncated-body", frames.data, 300);
	static const uint8_t huge[] = {3, 0xff, 0xff, 0xff, 0xff, 'x'};
	put("frame", "bad-declares-4gib", huge, sizeof(huge));
	static const uint8_t over[] = {1, 0, 0, 4, 1, 'a', 'b', 'c'};
	put("frame", "bad-over-limit", over, sizeof(over));
	static const uint8_t half[] = {9, 0, 0};
	put("frame", "bad-half-header", half, sizeof(half));
	gt_buf_reset(&frames);
	gt_buf_append(&frames, &cut, 1);
	gt_frame_encode(&frames, (const uint8_t *)"ok", 2, 1024);
	gt_buf_append(&frames, huge + 1, 4);
	put("frame", "bad-good-then-huge", frames.data, frames.len);

	gt_buf_free(&frames);
	free(full);
	return 0;
}
