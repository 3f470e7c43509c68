/* docs/PROTOCOL.md against the code (issue 10 item 15): the conflict reasons, error codes and
 * workflow kinds it lists are the schema's and common/error.h's, with their numbers, and the
 * strings a client must reproduce byte for byte (the handshake's domain, the exporter label,
 * the digest's header) are the ones the code uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"
#include "crypto.h"
#include "error.h"
#include "key.h"
#include "logleaf.h"
#include "protonames.h"
#include "testutil.h"
#include "tls.h"
#include "treehead.h"
#include "wire.h"

static char *doc;

static int setup(void **state)
{
	size_t len;
	(void)state;
	doc = (char *)gt_test_read_file(GT_SOURCE_DIR "/docs/PROTOCOL.md", &len);
	return doc == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	free(doc);
	return 0;
}

static void has_row(const char *row)
{
	if (strstr(doc, row) == NULL)
		fail_msg("docs/PROTOCOL.md lacks the row \"%s\"", row);
}

static void every_conflict_reason(void **state)
{
	const ProtobufCEnumDescriptor *d = &gtsync__v1__conflict_reason__descriptor;
	char row[128];
	(void)state;

	for (unsigned i = 0; i < d->n_values; i++) {
		if (d->values[i].value == 0)
			continue;
		/* CONFLICT_LOCKED_PERIOD is listed as | 7 | `LOCKED_PERIOD` | */
		snprintf(row, sizeof(row), "| %d | `%s` |", d->values[i].value,
		         d->values[i].name + strlen("CONFLICT_"));
		has_row(row);
	}
}

static void every_error_code(void **state)
{
	char row[128];
	(void)state;

	for (int c = -1; c >= GT_ERR_MIN; c--) {
		snprintf(row, sizeof(row), "| \xe2\x88\x92%d | `%s` |", -c, gt_errname(c));
		has_row(row);
	}
}

static void every_workflow_kind(void **state)
{
	char row[128];
	(void)state;

	for (int k = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT;
	     k <= GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE; k++) {
		snprintf(row, sizeof(row), "| %s | %d |", gt_protonames_kind(k), k);
		has_row(row);
	}
}

static void exact_strings(void **state)
{
	(void)state;
	has_row("\"" GT_AUTH_DOMAIN "\" (14 bytes) || 0x00 || nonce (32 bytes) || exporter");
	assert_int_equal(strlen(GT_AUTH_DOMAIN), 14);
	has_row("label `" GT_TLS_EXPORTER_LABEL "`");
	has_row("\"gtsync-approval-v1\\n\" DATASET \"\\t\" PERIOD \"\\t\" ORGUNIT \"\\n\"");
	has_row("the first 8 bytes of\n  SHA-256(raw 32-byte Ed25519 public key), as 16 lower-case "
	        "hex");
	/* Issue 14: the signed tree head's bytes, and the batch leaf's kind. */
	has_row("\"" GT_TREEHEAD_DOMAIN "\" (19 bytes) || 0x00 || tree_size (8 bytes, big-endian)");
	assert_int_equal(strlen(GT_TREEHEAD_DOMAIN), 19);
	assert_int_equal(GT_TREEHEAD_MSG_LEN, 68);
	assert_int_equal(GT_LOGLEAF_BATCH, 1);
	has_row("| 1, a signed batch | 0x01 \\|\\| SHA-256(batch bytes as signed) (32 bytes)");
	has_row("covers \"" GT_LOGLEAF_KEY_DOMAIN
	        "\" (20 bytes) \\|\\| 0x00 \\|\\| the packed record");
	assert_int_equal(strlen(GT_LOGLEAF_KEY_DOMAIN), 20);
	assert_int_equal(GT_LOGLEAF_KEY, 2);
	/* The batch leaf with its receive time, and the key record of a label change. */
	assert_int_equal(GT_LOGLEAF_TIMED, 3);
	assert_int_equal(GT_LOGLEAF_BATCH_MAX, 1 + 32 + 8 + 64);
	has_row("| 3, a signed batch with its receive time | 0x03 \\|\\| SHA-256(batch bytes as "
	        "signed) (32 bytes) \\|\\| received_at_ms (8 bytes, big-endian two's complement");
	has_row("(41 bytes) |");
	assert_int_equal(GTSYNC__V1__KEY_ACTION__KEY_LABEL_CHANGED, 4);
	has_row("(`KEY_LABEL_CHANGED`, 4, with `gtsync-server key label`");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_conflict_reason),
	    cmocka_unit_test(every_error_code),
	    cmocka_unit_test(every_workflow_kind),
	    cmocka_unit_test(exact_strings),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
