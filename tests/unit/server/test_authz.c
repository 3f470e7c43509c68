/* Tests for server/authz.c: each role may do exactly what DESIGN.md's table says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"
#include "error.h"
#include "protonames.h"
#include "roleset.h"

#define OPERATOR    GTSYNC__V1__ROLE__ROLE_OPERATOR
#define APPROVER    GTSYNC__V1__ROLE__ROLE_APPROVER
#define AGGREGATOR  GTSYNC__V1__ROLE__ROLE_AGGREGATOR
#define SECRETARIAT GTSYNC__V1__ROLE__ROLE_SECRETARIAT
#define READER      GTSYNC__V1__ROLE__ROLE_READER

#define SUBMIT    GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT
#define APPROVE   GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE
#define ACCEPT    GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT
#define RETURN    GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN
#define UNAPPROVE GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_UNAPPROVE

struct fixture {
	gt_batch b;
	Gtsync__V1__DataValue v[2];
	Gtsync__V1__DataValue *vp[2];
	Gtsync__V1__WorkflowAction a;
	Gtsync__V1__WorkflowAction *ap[1];
};

static void make_batch(struct fixture *f, const char *key, const char *org, const char *vorg)
{
	gtsync__v1__batch__init(&f->b);
	f->b.key_id = (char *)key;
	f->b.org_unit = (char *)org;
	for (int i = 0; i < 2; i++) {
		gtsync__v1__data_value__init(&f->v[i]);
		f->v[i].org_unit = (char *)(i == 1 ? vorg : org);
		f->vp[i] = &f->v[i];
	}
	f->b.n_values = 2;
	f->b.values = f->vp;
}

static void operator_writes_own_unit_only(void **state)
{
	struct gt_principal p = {"k1", "53.71", GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_OPERATOR)};
	struct fixture f;
	const char *why;
	int item;
	(void)state;

	make_batch(&f, "k1", "53.71", "53.71");
	assert_int_equal(gt_authz_batch(&p, &f.b, &why, &item), 0);

	make_batch(&f, "k1", "53.71", "53.72");
	assert_int_equal(gt_authz_batch(&p, &f.b, &why, &item), GT_EPERM);
	assert_int_equal(item, 1);
	assert_non_null(strstr(why, "own org unit"));

	/* Not even the province above it. */
	make_batch(&f, "k1", "53.71", "53");
	assert_int_equal(gt_authz_batch(&p, &f.b, &why, &item), GT_EPERM);

	/* A batch naming another key or org is refused whole. */
	make_batch(&f, "k2", "53.71", "53.71");
	assert_int_equal(gt_authz_batch(&p, &f.b, &why, &item), GT_EPERM);
	assert_int_equal(item, -1);
	make_batch(&f, "k1", "53.72", "53.72");
	assert_int_equal(gt_authz_batch(&p, &f.b, &why, &item), GT_EPERM);
}

static void other_roles_write_no_values(void **state)
{
	const int roles[] = {APPROVER, AGGREGATOR, SECRETARIAT, READER};
	struct fixture f;
	const char *why;
	int item;
	(void)state;

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		struct gt_principal p = {"k1", "53", GT_ROLE_BIT(roles[i])};
		make_batch(&f, "k1", "53", "53");
		assert_int_equal(gt_authz_batch(&p, &f.b, &why, &item), GT_EPERM);
		assert_int_equal(item, 0);
	}
}

static void workflow_rules(void **state)
{
	struct gt_principal dist_appr = {"k", "53.71",
	                                 GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_APPROVER)};
	struct gt_principal dist_op = {"k", "53.71", GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_OPERATOR)};
	struct gt_principal prov_aggr = {"k", "53", GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_AGGREGATOR)};
	struct gt_principal other_aggr = {"k", "36",
	                                  GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_AGGREGATOR)};
	struct gt_principal prov_appr = {"k", "53", GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_APPROVER)};
	struct gt_principal centre = {"k", "ID", GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_SECRETARIAT)};
	struct gt_principal centre_aggr = {"k", "ID",
	                                   GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_AGGREGATOR)};
	const char *why;
	(void)state;

	assert_int_equal(gt_authz_action(&dist_appr, SUBMIT, "53.71", &why), 0);
	assert_int_equal(gt_authz_action(&dist_appr, APPROVE, "53.71", &why), 0);
	assert_int_equal(gt_authz_action(&dist_appr, UNAPPROVE, "53.71", &why), 0);
	/* Approving a province with a district key is refused. */
	assert_int_equal(gt_authz_action(&dist_appr, APPROVE, "53", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&dist_appr, APPROVE, "53.72", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&dist_op, APPROVE, "53.71", &why), GT_EPERM);
	assert_non_null(strstr(why, "approver"));
	/* Accept and return only by the parent's aggregator. */
	assert_int_equal(gt_authz_action(&prov_aggr, ACCEPT, "53.71", &why), 0);
	assert_int_equal(gt_authz_action(&prov_aggr, RETURN, "53.71", &why), 0);
	assert_int_equal(gt_authz_action(&other_aggr, ACCEPT, "53.71", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&prov_appr, ACCEPT, "53.71", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&dist_appr, ACCEPT, "53.71", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&prov_aggr, ACCEPT, "53", &why), GT_EPERM);
	/* Provinces are accepted by the central secretariat. */
	assert_int_equal(gt_authz_action(&centre, ACCEPT, "53", &why), 0);
	assert_int_equal(gt_authz_action(&centre, RETURN, "36", &why), 0);
	assert_int_equal(gt_authz_action(&centre_aggr, ACCEPT, "53", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&centre, ACCEPT, "53.71", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&centre, ACCEPT, "ID", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&centre, ACCEPT, "5x", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&dist_appr, 99, "53.71", &why), GT_EPERM);
}

/* issue 10 items 13, 17, 18: who declares a nil report, who opens late entry, who approves
 * the national report. */
static void chain_ends_and_exceptions(void **state)
{
	struct gt_principal dist_appr = {"k", "53.71",
	                                 GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_APPROVER)};
	struct gt_principal dist_op = {"k", "53.71", GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_OPERATOR)};
	struct gt_principal prov_aggr = {"k", "53", GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_AGGREGATOR)};
	struct gt_principal other_aggr = {"k", "36",
	                                  GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_AGGREGATOR)};
	struct gt_principal centre = {"k", "ID", GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_SECRETARIAT)};
	const int NIL = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_NIL_REPORT;
	const int LATE = GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE;
	const char *why;
	(void)state;

	assert_int_equal(gt_authz_action(&dist_appr, NIL, "53.71", &why), 0);
	assert_int_equal(gt_authz_action(&dist_op, NIL, "53.71", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&dist_appr, NIL, "53.72", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&prov_aggr, LATE, "53.71", &why), 0);
	assert_int_equal(gt_authz_action(&prov_aggr, LATE, "53", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&other_aggr, LATE, "53.71", &why), GT_EPERM);
	assert_non_null(strstr(why, "late entry"));
	assert_int_equal(gt_authz_action(&dist_appr, LATE, "53.71", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&centre, LATE, "53.71", &why), 0);
	assert_int_equal(gt_authz_action(&centre, LATE, "53", &why), 0);
	assert_int_equal(gt_authz_action(&centre, LATE, "ID", &why), 0);
	/* The secretariat approves the national report, and only that one. */
	assert_int_equal(gt_authz_action(&centre, APPROVE, "ID", &why), 0);
	assert_int_equal(gt_authz_action(&centre, APPROVE, "53", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&prov_aggr, APPROVE, "ID", &why), GT_EPERM);
}

static void reading_scope(void **state)
{
	struct gt_principal prov = {"k", "53", GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_AGGREGATOR)};
	struct gt_principal centre = {"k", "ID", GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_READER)};
	const char *why;
	(void)state;

	assert_int_equal(gt_authz_read(&prov, "53.71", &why), 0);
	assert_int_equal(gt_authz_read(&prov, "53", &why), 0);
	assert_int_equal(gt_authz_read(&prov, "36.01", &why), GT_EPERM);
	assert_int_equal(gt_authz_read(&prov, "ID", &why), GT_EPERM);
	assert_int_equal(gt_authz_read(&centre, "36.01", &why), 0);
	assert_int_equal(gt_authz_read(&centre, "bogus", &why), GT_EPERM);
}

static void role_names(void **state)
{
	int r;
	(void)state;
	assert_int_equal(gt_protonames_role_parse("aggregator", &r), 0);
	assert_int_equal(r, AGGREGATOR);
	assert_string_equal(gt_protonames_role(r), "aggregator");
	assert_int_equal(gt_protonames_role_parse("admin", &r), GT_EINVAL);
	assert_string_equal(gt_protonames_role(0), "unknown");
}

/* Issue 13 (keys and offices): a key of several roles may do what each of them allows, on its
 * own org unit only, and nothing a role it lacks allows. */
static void role_sets(void **state)
{
	const unsigned op_appr = GT_ROLE_BIT(OPERATOR) | GT_ROLE_BIT(APPROVER);
	const unsigned op_aggr = GT_ROLE_BIT(OPERATOR) | GT_ROLE_BIT(AGGREGATOR);
	struct gt_principal dist = {"k1", "53.71", op_appr};
	struct gt_principal prov = {"k2", "53", op_aggr};
	struct fixture f;
	const char *why;
	int item;
	(void)state;

	/* One district machine both writes its values and approves its report. */
	make_batch(&f, "k1", "53.71", "53.71");
	assert_int_equal(gt_authz_batch(&dist, &f.b, &why, &item), 0);
	assert_int_equal(gt_authz_action(&dist, APPROVE, "53.71", &why), 0);
	assert_int_equal(gt_authz_action(&dist, SUBMIT, "53.71", &why), 0);
	/* Still its own unit only, and not a parent's action. */
	assert_int_equal(gt_authz_action(&dist, APPROVE, "53.72", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&dist, ACCEPT, "53.71", &why), GT_EPERM);
	make_batch(&f, "k1", "53.71", "53.72");
	assert_int_equal(gt_authz_batch(&dist, &f.b, &why, &item), GT_EPERM);

	/* A province's operator and aggregator: its own values, its districts' acceptance, but
	 * not the approval of its own report (no approver role). */
	make_batch(&f, "k2", "53", "53");
	assert_int_equal(gt_authz_batch(&prov, &f.b, &why, &item), 0);
	assert_int_equal(gt_authz_action(&prov, ACCEPT, "53.71", &why), 0);
	assert_int_equal(gt_authz_action(&prov, ACCEPT, "36.01", &why), GT_EPERM);
	assert_int_equal(gt_authz_action(&prov, APPROVE, "53", &why), GT_EPERM);
	assert_non_null(strstr(why, "approver"));

	/* The role taken away is refused again: the approver alone writes no values. */
	dist.roles = GT_ROLE_BIT(APPROVER);
	make_batch(&f, "k1", "53.71", "53.71");
	assert_int_equal(gt_authz_batch(&dist, &f.b, &why, &item), GT_EPERM);
	assert_non_null(strstr(why, "operator"));
	/* An empty set may do nothing at all. */
	dist.roles = 0;
	assert_int_equal(gt_authz_action(&dist, APPROVE, "53.71", &why), GT_EPERM);
}

/* Issue 13, enrolment over the wire: a province's aggregator enrols its own districts'
 * operator and approver keys, nobody else's. */
static void enrol_authority(void **state)
{
	const unsigned office = GT_ROLE_BIT(OPERATOR) | GT_ROLE_BIT(APPROVER);
	struct gt_principal aggr = {"k", "53", GT_ROLE_BIT(AGGREGATOR)};
	struct gt_principal aggr_op = {"k", "53", GT_ROLE_BIT(AGGREGATOR) | GT_ROLE_BIT(OPERATOR)};
	struct gt_principal centre = {"k", "ID",
	                              GT_ROLE_BIT(SECRETARIAT) | GT_ROLE_BIT(AGGREGATOR)};
	struct gt_principal dist = {"k", "53.71", office};
	const char *why;
	(void)state;

	assert_int_equal(gt_authz_enrol(&aggr, "53.71", office, &why), 0);
	assert_int_equal(gt_authz_enrol(&aggr_op, "53.72", GT_ROLE_BIT(APPROVER), &why), 0);
	assert_int_equal(gt_authz_enrol(&aggr, "36.01", office, &why), GT_EPERM);
	assert_non_null(strstr(why, "own province"));
	assert_int_equal(gt_authz_enrol(&aggr, "53", office, &why), GT_EPERM);
	assert_int_equal(gt_authz_enrol(&aggr, "bogus", office, &why), GT_EPERM);
	assert_int_equal(gt_authz_enrol(&aggr, "53.71", GT_ROLE_BIT(AGGREGATOR), &why), GT_EPERM);
	assert_non_null(strstr(why, "operator and approver"));
	assert_int_equal(gt_authz_enrol(&aggr, "53.71", office | GT_ROLE_BIT(READER), &why),
	                 GT_EPERM);
	assert_int_equal(gt_authz_enrol(&aggr, "53.71", 0, &why), GT_EPERM);
	assert_int_equal(gt_authz_enrol(&dist, "53.71", office, &why), GT_EPERM);
	assert_int_equal(gt_authz_enrol(&centre, "53.71", office, &why), GT_EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(operator_writes_own_unit_only),
	    cmocka_unit_test(other_roles_write_no_values),
	    cmocka_unit_test(workflow_rules),
	    cmocka_unit_test(chain_ends_and_exceptions),
	    cmocka_unit_test(reading_scope),
	    cmocka_unit_test(role_names),
	    cmocka_unit_test(role_sets),
	    cmocka_unit_test(enrol_authority),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
