/* Integration (issue 15, DHIS2 export): districts push, the province exports the raw values of
 * its subtree through the signed protocol as a DHIS2 dataValueSets document; the document is
 * checked against the fields DHIS2's documentation lists; scopes, id schemes and refusals. */
#define _GNU_SOURCE
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "dhis2uid.h"
#include "testserver.h"

/*
 * The fields of a data value in DHIS2's dataValueSets, from the DHIS2 developer manual, "Data
 * values" > "Sending bulks of data values" and "Reading data values" (docs.dhis2.org, Web API,
 * data.md): dataElement, period, orgUnit, categoryOptionCombo, attributeOptionCombo, value,
 * storedBy, created, lastUpdated, comment, followup (deleted only with includeDeleted). Every
 * one is a string except followup (boolean).
 */
static const char *const DV_FIELDS[] = {
    "dataElement",          "period",  "orgUnit",  "categoryOptionCombo",
    "attributeOptionCombo", "value",   "storedBy", "created",
    "lastUpdated",          "comment", "followup", NULL};
/* A complete data set registration, from the same manual, "Data set completeness" >
 * "Completing data sets" (completeDataSetRegistrations): dataSet, period, organisationUnit,
 * attributeOptionCombo, date, completed (storedBy is optional and not known here). */
static const char *const CDR_FIELDS[] = {
    "dataSet", "period", "organisationUnit", "attributeOptionCombo", "date", "completed", NULL};
/* An approval as GET /api/dataApprovals/multiple answers ("Data approval" > "Bulk get
 * approval status"): wf, pe, ou, aoc, state; gtsync adds gtsyncState and lastUpdated. */
static const char *const APPROVAL_FIELDS[] = {"wf",    "pe",          "ou",          "aoc",
                                              "state", "gtsyncState", "lastUpdated", NULL};
/* DHIS2's approval states (DataApprovalState). */
static const char *const DHIS2_STATES[] = {
    "UNAPPROVABLE",   "UNAPPROVED_WAITING", "UNAPPROVED_ELSEWHERE", "UNAPPROVED_READY",
    "APPROVED_ABOVE", "APPROVED_HERE",      "ACCEPTED_HERE",        NULL};

static const char d1_csv[] = "dataelement,period,orgunit,categoryoptioncombo,value,comment\n"
                             "KK_KORBAN,202607,53.71,PD,4,\n"
                             "KK_KORBAN,202607,53.71,AP,2,\n"
                             "KK_KORBAN_TOTAL,202607,53.71,,6,\n"
                             "KK_LP,202607,53.71,,3,\"dua anak, satu kasus\"\n"
                             "KK_LP,202608,53.71,,2,\n"
                             "GT_SK,2026S1,53.71,,true,\n";
static const char d2_csv[] = "dataelement,period,orgunit,categoryoptioncombo,value,comment\n"
                             "KK_KORBAN,202608,53.72,PD,5,\n"
                             "KK_KORBAN_TOTAL,202608,53.72,,5,\n"
                             "KK_LP,202608,53.72,,4,\n"
                             "KK_LP,202512,53.72,,9,\n";

static void import_push(struct gt_testserver *ts, const char *home, const char *name,
                        const char *csv)
{
	struct gt_clirun r;
	char path[4300];

	snprintf(path, sizeof(path), "%s/%s.csv", ts->dir, name);
	gt_clirun_write(path, csv);
	const char *imp[] = {"import", path, NULL};
	gt_clirun_ok(&r, home, imp, 60);
	gt_clirun_free(&r);
	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun_ok(&r, home, push, 60);
	gt_clirun_free(&r);
}

/* Checks obj has exactly the fields listed, each once. */
static void expect_fields(const json_t *obj, const char *const *fields)
{
	size_t n = 0;

	assert_true(json_is_object(obj));
	for (; fields[n] != NULL; n++)
		if (json_object_get(obj, fields[n]) == NULL)
			fail_msg("field %s missing", fields[n]);
	assert_int_equal(json_object_size(obj), n);
}

static const char *str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

/* Runs an export and parses its output. */
static json_t *export_doc(const char *home, const char *const *args)
{
	struct gt_clirun r;
	json_error_t e;
	json_t *doc;

	gt_clirun_ok(&r, home, args, 60);
	doc = json_loads(r.out, 0, &e);
	if (doc == NULL)
		fail_msg("not JSON (%s at line %d):\n%s", e.text, e.line, r.out);
	gt_clirun_free(&r);
	return doc;
}

/* The value of (element, org, coc, period) in the document, or NULL. */
static const json_t *find(const json_t *dvs, const char *de, const char *ou, const char *coc,
                          const char *pe)
{
	size_t i;
	const json_t *dv;

	json_array_foreach(dvs, i, dv)
	{
		if (strcmp(str(dv, "dataElement"), de) == 0 &&
		    strcmp(str(dv, "orgUnit"), ou) == 0 &&
		    strcmp(str(dv, "categoryOptionCombo"), coc) == 0 &&
		    strcmp(str(dv, "period"), pe) == 0)
			return dv;
	}
	return NULL;
}

/*
 * The metadata objects' fields, from the DHIS2 developer manual, "Metadata" > "Metadata
 * import" and the schema endpoint (/api/schemas/<type>): every identifiable object has id,
 * code, name (and shortName for the nameable ones); dataElement: valueType, aggregationType,
 * domainType, categoryCombo; dataSet: periodType, expiryDays, timelyDays, categoryCombo,
 * dataSetElements [{dataElement}], organisationUnits; organisationUnit: openingDate, parent;
 * categoryCombo: dataDimensionType, categories; category: dataDimensionType, categoryOptions;
 * categoryOptionCombo: categoryCombo, categoryOptions.
 */
static const char *const PKG_ARRAYS[] = {
    "categoryOptions", "categories", "categoryCombos",    "categoryOptionCombos",
    "dataElements",    "dataSets",   "organisationUnits", NULL};
static const char *const DE_FIELDS[] = {"valueType", "aggregationType", "domainType",
                                        "categoryCombo", NULL};
static const char *const DS_FIELDS[] = {
    "periodType",      "expiryDays",        "timelyDays", "categoryCombo",
    "dataSetElements", "organisationUnits", NULL};

/* The object of array name in pkg whose id is id, or NULL. */
static const json_t *by_id(const json_t *pkg, const char *name, const char *id)
{
	size_t i;
	const json_t *o;

	json_array_foreach(json_object_get(pkg, name), i, o)
	{
		if (strcmp(str(o, "id"), id) == 0)
			return o;
	}
	return NULL;
}

static const char *ref_id(const json_t *o, const char *key)
{
	return str(json_object_get(o, key), "id");
}

static void check_package(const json_t *pkg, const json_t *uid_values)
{
	size_t i, j, total = 0;
	const json_t *o, *x;

	expect_fields(pkg, PKG_ARRAYS);
	for (int a = 0; PKG_ARRAYS[a] != NULL; a++) {
		json_array_foreach(json_object_get(pkg, PKG_ARRAYS[a]), i, o)
		{
			assert_true(gt_dhis2uid_valid(str(o, "id")));
			assert_true(strlen(str(o, "code")) > 0);
			assert_true(strlen(str(o, "name")) > 0);
			assert_true(strlen(str(o, "shortName")) <= 50);
			total++;
		}
	}
	assert_true(total > 50);
	json_array_foreach(json_object_get(pkg, "dataElements"), i, o)
	{
		for (int k = 0; DE_FIELDS[k] != NULL; k++)
			assert_non_null(json_object_get(o, DE_FIELDS[k]));
		const char *cc = ref_id(o, "categoryCombo");
		assert_true(strcmp(cc, "bjDvmb4bfuf") == 0 || by_id(pkg, "categoryCombos", cc));
	}
	json_array_foreach(json_object_get(pkg, "dataSets"), i, o)
	{
		for (int k = 0; DS_FIELDS[k] != NULL; k++)
			assert_non_null(json_object_get(o, DS_FIELDS[k]));
		json_array_foreach(json_object_get(o, "dataSetElements"), j, x)
		    assert_non_null(by_id(pkg, "dataElements", ref_id(x, "dataElement")));
		json_array_foreach(json_object_get(o, "organisationUnits"), j, x)
		    assert_non_null(by_id(pkg, "organisationUnits", str(x, "id")));
	}
	json_array_foreach(json_object_get(pkg, "organisationUnits"), i, o)
	{
		if (json_object_get(o, "parent") != NULL)
			assert_non_null(by_id(pkg, "organisationUnits", ref_id(o, "parent")));
	}
	json_array_foreach(json_object_get(pkg, "categoryOptionCombos"), i, o)
	{
		assert_non_null(by_id(pkg, "categoryCombos", ref_id(o, "categoryCombo")));
		json_array_foreach(json_object_get(o, "categoryOptions"), j, x)
		    assert_non_null(by_id(pkg, "categoryOptions", str(x, "id")));
	}
	json_array_foreach(uid_values, i, o)
	{
		const json_t *de = by_id(pkg, "dataElements", str(o, "dataElement"));
		const char *coc = str(o, "categoryOptionCombo");
		assert_non_null(de);
		assert_non_null(by_id(pkg, "organisationUnits", str(o, "orgUnit")));
		if (strcmp(coc, "HllvX50cXC0") == 0) {
			assert_string_equal(ref_id(de, "categoryCombo"), "bjDvmb4bfuf");
		} else {
			const json_t *c = by_id(pkg, "categoryOptionCombos", coc);
			assert_non_null(c);
			assert_string_equal(ref_id(c, "categoryCombo"),
			                    ref_id(de, "categoryCombo"));
		}
	}
}

static void test_export(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char d1[4200], d2[4200], prov[4200], reader[4200], d1_key[64], path[4300];
	static char comment[2001];

	gt_clirun_client(ts, "d1", "53.71", "operator", d1, sizeof(d1));
	gt_clirun_client(ts, "d2", "53.72", "operator", d2, sizeof(d2));
	gt_clirun_client(ts, "prov", "53", "aggregator", prov, sizeof(prov));
	gt_clirun_client(ts, "reader", "53", "reader", reader, sizeof(reader));
	gt_clirun_key_id(d1, d1_key, sizeof(d1_key));
	/* storedBy names the key as people know it (issue 15): its label. */
	static const char d1_label[] = "Sekretariat GT Kota Kupang - operator 1";
	const char *label[] = {"key", "label", d1_key, d1_label, NULL};
	assert_int_equal(gt_testserver_admin(ts, label), 0);
	import_push(ts, d1, "d1", d1_csv);
	import_push(ts, d2, "d2", d2_csv);
	/* A 2,000-byte comment with quotes, a line feed and non-ASCII text comes out whole. */
	memset(comment, 'x', 2000);
	memcpy(comment, "\"kutip\" \\ baris\nbaru é ", 24);
	const char *set[] = {"set", "KK_LP", "202609", "", "7", "--comment", comment, NULL};
	gt_clirun_ok(&r, d1, set, 60);
	gt_clirun_free(&r);
	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun_ok(&r, d1, push, 60);
	gt_clirun_free(&r);

	/* The district's approver approves July: the export carries the state as DHIS2 names it. */
	char a1[4200];
	gt_clirun_client(ts, "a1", "53.71", "approver", a1, sizeof(a1));
	const char *approve[] = {"approve", "--dataset", "KK", "--period", "202607", NULL};
	gt_clirun_ok(&r, a1, approve, 60);
	gt_clirun_free(&r);
	/* 53.72 had nothing to report in October: its nil report is a complete registration. */
	char a2[4200];
	gt_clirun_client(ts, "a2", "53.72", "approver", a2, sizeof(a2));
	const char *nil[] = {"nil-report", "--dataset", "KK", "--period", "202610", NULL};
	gt_clirun_ok(&r, a2, nil, 60);
	gt_clirun_free(&r);

	/* The province's subtree, a year of the monthly data set: every district value as
	 * entered, nothing on 53 itself (never consolidated totals), nothing of 2025 or of GT. */
	const char *all[] = {"export",  "--format", "dhis2",  "--org", "53",     "--dataset",
	                     "KK",      "--start",  "202601", "--end", "202612", "--descendants",
	                     "--chunk", "3",        NULL};
	json_t *doc = export_doc(prov, all);
	const json_t *dvs = json_object_get(doc, "dataValues");
	assert_true(json_is_array(dvs));
	assert_int_equal(json_array_size(dvs), 9); /* 5 + 3 + the commented one; chunks of 3 */
	size_t i;
	const json_t *dv;
	json_array_foreach(dvs, i, dv)
	{
		expect_fields(dv, DV_FIELDS);
		for (int k = 0; DV_FIELDS[k] != NULL; k++)
			if (strcmp(DV_FIELDS[k], "followup") != 0)
				assert_true(json_is_string(json_object_get(dv, DV_FIELDS[k])));
		assert_true(json_is_false(json_object_get(dv, "followup")));
		assert_string_not_equal(str(dv, "orgUnit"), "53");
		assert_string_equal(str(dv, "attributeOptionCombo"), "default");
		assert_int_equal(strlen(str(dv, "created")), 20); /* 2026-07-01T00:00:00Z */
	}
	dv = find(dvs, "KK_KORBAN", "53.71", "AP", "202607");
	assert_non_null(dv);
	assert_string_equal(str(dv, "value"), "2");
	assert_string_equal(str(dv, "storedBy"), d1_label);
	assert_string_equal(str(find(dvs, "KK_LP", "53.71", "default", "202607"), "comment"),
	                    "dua anak, satu kasus");
	dv = find(dvs, "KK_LP", "53.71", "default", "202608");
	assert_non_null(dv);
	assert_string_equal(str(dv, "value"), "2");
	dv = find(dvs, "KK_LP", "53.71", "default", "202609");
	assert_non_null(dv);
	assert_string_equal(str(dv, "comment"), comment);
	assert_null(find(dvs, "KK_LP", "53.72", "default", "202512"));
	expect_fields(doc, (const char *const[]){"dataValues", "completeDataSetRegistrations",
	                                         "dataApprovals", NULL});
	const json_t *aps = json_object_get(doc, "dataApprovals");
	assert_int_equal(json_array_size(aps), 1);
	const json_t *ap = json_array_get(aps, 0);
	expect_fields(ap, APPROVAL_FIELDS);
	assert_string_equal(str(ap, "wf"), "KK");
	assert_string_equal(str(ap, "pe"), "202607");
	assert_string_equal(str(ap, "ou"), "53.71");
	assert_string_equal(str(ap, "state"), "APPROVED_HERE");
	assert_string_equal(str(ap, "gtsyncState"), "approved");
	int known = 0;
	for (int k = 0; DHIS2_STATES[k] != NULL; k++)
		known |= strcmp(DHIS2_STATES[k], str(ap, "state")) == 0;
	assert_true(known);
	const json_t *cdrs = json_object_get(doc, "completeDataSetRegistrations");
	assert_true(json_is_array(cdrs));
	json_array_foreach(cdrs, i, dv) expect_fields(dv, CDR_FIELDS);
	const json_t *nilreg = NULL;
	json_array_foreach(cdrs, i, dv) if (strcmp(str(dv, "organisationUnit"), "53.72") == 0 &&
	                                    strcmp(str(dv, "period"), "202610") == 0) nilreg = dv;
	assert_non_null(nilreg);
	assert_true(json_is_true(json_object_get(nilreg, "completed")));
	json_decref(doc);

	/* Only the unit itself: a province without values of its own exports none. */
	const char *self[] = {"export", "--format", "dhis2",  "--org", "53",     "--dataset",
	                      "KK",     "--start",  "202601", "--end", "202612", NULL};
	doc = export_doc(prov, self);
	assert_int_equal(json_array_size(json_object_get(doc, "dataValues")), 0);
	json_decref(doc);
	/* --children of 53 are its districts; a district's own export by its own key. */
	const char *kids[] = {"export",    "--format",   "dhis2",   "--org",  "53",
	                      "--dataset", "KK",         "--start", "202608", "--end",
	                      "202608",    "--children", NULL};
	doc = export_doc(prov, kids);
	assert_int_equal(json_array_size(json_object_get(doc, "dataValues")), 4);
	json_decref(doc);

	/* The uid scheme: every identifier a well-formed UID, the same one the code derives. */
	const char *uid[] = {"export",      "--format",  "dhis2",  "--org",
	                     "53",          "--dataset", "KK",     "--start",
	                     "202601",      "--end",     "202612", "--descendants",
	                     "--id-scheme", "uid",       NULL};
	doc = export_doc(prov, uid);
	dvs = json_object_get(doc, "dataValues");
	assert_int_equal(json_array_size(dvs), 9);
	char want[GT_DHIS2UID_LEN];
	json_array_foreach(dvs, i, dv)
	{
		assert_true(gt_dhis2uid_valid(str(dv, "dataElement")));
		assert_true(gt_dhis2uid_valid(str(dv, "orgUnit")));
		assert_true(gt_dhis2uid_valid(str(dv, "categoryOptionCombo")));
		assert_string_equal(str(dv, "attributeOptionCombo"), "HllvX50cXC0");
	}
	gt_dhis2uid(GT_DHIS2_DATAELEMENT, "KK_LP", want);
	int seen = 0;
	json_array_foreach(dvs, i, dv)
	{
		if (strcmp(str(dv, "dataElement"), want) == 0)
			seen++;
	}
	assert_int_equal(seen, 4); /* KK_LP: 202607, 202608 twice, 202609 */

	/* The metadata package: every object named by a well-formed, unique UID; every reference
	 * resolves inside the package (or to DHIS2's default combo); and every identifier of the
	 * uid-scheme data export is an object of it, each value's option combo one of its
	 * element's combo. */
	const char *md[] = {"export", "--format", "dhis2-metadata", NULL};
	json_t *pkg = export_doc(prov, md);
	check_package(pkg, dvs);
	json_decref(pkg);
	json_decref(doc);

	/* To a file: written whole, and the line says how many values. */
	snprintf(path, sizeof(path), "%s/kk.json", ts->dir);
	const char *file[] = {"export",   "--format", "dhis2",  "--org", "53",     "--dataset",
	                      "KK",       "--start",  "202601", "--end", "202612", "--descendants",
	                      "--output", path,       NULL};
	gt_clirun_ok(&r, prov, file, 60);
	assert_non_null(strstr(r.out, "9 values written to"));
	gt_clirun_free(&r);
	json_error_t e;
	doc = json_load_file(path, 0, &e);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "dataValues")), 9);
	json_decref(doc);

	/* Round trip (issue 15, import): the district's year exported with UIDs goes into a
	 * second home of the same district, all or nothing; pushed, the server holds the same
	 * values and comments. */
	snprintf(path, sizeof(path), "%s/d1.json", ts->dir);
	const char *d1_uid[] = {"export", "--format", "dhis2",  "--org", "53.71",  "--dataset",
	                        "KK",     "--start",  "202601", "--end", "202612", "--id-scheme",
	                        "uid",    "--output", path,     NULL};
	gt_clirun_ok(&r, prov, d1_uid, 60);
	assert_non_null(strstr(r.out, "6 values written"));
	gt_clirun_free(&r);
	char d1b[4200];
	gt_clirun_client(ts, "d1b", "53.71", "operator", d1b, sizeof(d1b));
	const char *imp[] = {"import", "--format", "dhis2", path, NULL};
	gt_clirun_ok(&r, d1b, imp, 60);
	assert_non_null(strstr(r.out, "6 values: 6 queued"));
	gt_clirun_free(&r);
	gt_clirun_ok(&r, d1b, push, 60);
	gt_clirun_free(&r);
	const char *d1_code[] = {"export", "--format", "dhis2",  "--org", "53.71",  "--dataset",
	                         "KK",     "--start",  "202601", "--end", "202612", NULL};
	doc = export_doc(prov, d1_code);
	dvs = json_object_get(doc, "dataValues");
	assert_int_equal(json_array_size(dvs), 6);
	char d1b_key[64];
	gt_clirun_key_id(d1b, d1b_key, sizeof(d1b_key));
	/* July is approved, so locked: those values stay the first key's. */
	json_array_foreach(dvs, i, dv) assert_string_equal(
	    str(dv, "storedBy"), strcmp(str(dv, "period"), "202607") == 0 ? d1_label : d1b_key);
	dv = find(dvs, "KK_LP", "53.71", "default", "202609");
	assert_non_null(dv);
	assert_string_equal(str(dv, "value"), "7");
	assert_string_equal(str(dv, "comment"), comment);
	assert_string_equal(str(find(dvs, "KK_LP", "53.71", "default", "202607"), "comment"),
	                    "dua anak, satu kasus");
	json_decref(doc);

	/* A document with bad values queues nothing and names each bad value's JSON path. */
	snprintf(path, sizeof(path), "%s/bad.json", ts->dir);
	gt_clirun_write(path, "{\"orgUnit\": \"53.71\", \"dataValues\": ["
	                      "{\"dataElement\": \"KK_LP\", \"period\": \"202610\", "
	                      "\"value\": \"1\"},"
	                      "{\"dataElement\": \"KK_LP\", \"period\": \"202611\", "
	                      "\"value\": \"abc\"},"
	                      "{\"dataElement\": \"NOPE\", \"period\": \"202611\", "
	                      "\"value\": \"1\"},"
	                      "{\"dataElement\": \"KK_LP\", \"period\": \"202611\", "
	                      "\"value\": 2.5}]}");
	const char *imp_bad[] = {"import", "--format", "dhis2", path, NULL};
	gt_clirun(&r, d1b, NULL, 60, imp_bad);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "dataValues[3].value: must be a string"));
	assert_non_null(strstr(r.err, "dataValues[2].dataElement: \"NOPE\""));
	assert_non_null(strstr(r.err, "nothing from this file was queued"));
	gt_clirun_free(&r);
	/* Structure first: with those fixed, the value check names dataValues[1]. */
	gt_clirun_write(path, "{\"orgUnit\": \"53.71\", \"dataValues\": ["
	                      "{\"dataElement\": \"KK_LP\", \"period\": \"202610\", "
	                      "\"value\": \"1\"},"
	                      "{\"dataElement\": \"KK_LP\", \"period\": \"202611\", "
	                      "\"value\": \"abc\"}]}");
	gt_clirun(&r, d1b, NULL, 60, imp_bad);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "dataValues[1]: "));
	assert_null(strstr(r.err, "dataValues[0]"));
	gt_clirun_free(&r);
	const char *status[] = {"status", "--format", "plain", NULL};
	gt_clirun_ok(&r, d1b, status, 60);
	assert_int_equal(gt_clirun_kv_num(r.out, "queued"), 0);
	gt_clirun_free(&r);

	/* ADX (issue 15): the district's year as an ADX document, checked against the IHE ADX
	 * profile's structure (adx in urn:ihe:qrph:adx:2015 with exported; group with orgUnit,
	 * period as an ISO 8601 start/duration and dataSet; dataValue with dataElement, value and
	 * a category attribute named by its combo; annotation for a comment), then imported into
	 * another home of the district: the same values, comments whole. */
	snprintf(path, sizeof(path), "%s/d1.adx", ts->dir);
	const char *adx[] = {"export",    "--format", "adx",     "--org",  "53.71",
	                     "--dataset", "KK",       "--start", "202601", "--end",
	                     "202612",    "--output", path,      NULL};
	gt_clirun_ok(&r, prov, adx, 60);
	assert_non_null(strstr(r.out, "6 values written"));
	gt_clirun_free(&r);
	xmlDocPtr x = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(x);
	xmlNodePtr root = xmlDocGetRootElement(x);
	assert_string_equal((const char *)root->name, "adx");
	assert_string_equal((const char *)root->ns->href, "urn:ihe:qrph:adx:2015");
	assert_non_null(xmlHasProp(root, BAD_CAST "exported"));
	size_t groups = 0, values = 0, sexage = 0;
	for (xmlNodePtr g = root->children; g != NULL; g = g->next) {
		if (g->type != XML_ELEMENT_NODE)
			continue;
		assert_string_equal((const char *)g->name, "group");
		assert_non_null(xmlHasProp(g, BAD_CAST "orgUnit"));
		assert_non_null(xmlHasProp(g, BAD_CAST "dataSet"));
		xmlChar *pe = xmlGetProp(g, BAD_CAST "period");
		assert_true(strcmp((const char *)pe, "2026-07-01/P1M") == 0 ||
		            strcmp((const char *)pe, "2026-08-01/P1M") == 0 ||
		            strcmp((const char *)pe, "2026-09-01/P1M") == 0);
		xmlFree(pe);
		groups++;
		for (xmlNodePtr v = g->children; v != NULL; v = v->next) {
			if (v->type != XML_ELEMENT_NODE)
				continue;
			assert_string_equal((const char *)v->name, "dataValue");
			assert_non_null(xmlHasProp(v, BAD_CAST "dataElement"));
			assert_non_null(xmlHasProp(v, BAD_CAST "value"));
			sexage += xmlHasProp(v, BAD_CAST "SEXAGE") != NULL;
			values++;
		}
	}
	assert_true(groups >= 3);
	assert_int_equal(values, 6);
	assert_int_equal(sexage, 2); /* KK_KORBAN PD and AP */
	xmlFreeDoc(x);
	char d1c[4200];
	gt_clirun_client(ts, "d1c", "53.71", "operator", d1c, sizeof(d1c));
	const char *imp_adx[] = {"import", "--format", "adx", path, NULL};
	gt_clirun_ok(&r, d1c, imp_adx, 60);
	assert_non_null(strstr(r.out, "6 values: 6 queued"));
	gt_clirun_free(&r);
	gt_clirun_ok(&r, d1c, push, 60);
	gt_clirun_free(&r);
	doc = export_doc(prov, d1_code);
	dvs = json_object_get(doc, "dataValues");
	char d1c_key[64];
	gt_clirun_key_id(d1c, d1c_key, sizeof(d1c_key));
	dv = find(dvs, "KK_LP", "53.71", "default", "202609");
	assert_string_equal(str(dv, "storedBy"), d1c_key);
	assert_string_equal(str(dv, "comment"), comment);
	json_decref(doc);
	/* A bad ADX document names the place of each problem and queues nothing. */
	snprintf(path, sizeof(path), "%s/bad.adx", ts->dir);
	gt_clirun_write(path, "<adx xmlns=\"urn:ihe:qrph:adx:2015\"><group orgUnit=\"53.71\" "
	                      "period=\"2026-08-02/P1M\"/><group orgUnit=\"53.71\" "
	                      "period=\"2026-08-01/P1M\"><dataValue dataElement=\"KK_LP\" "
	                      "value=\"x\"/></group></adx>");
	gt_clirun(&r, d1c, NULL, 60, imp_adx);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "group[1]@period: \"2026-08-02/P1M\""));
	gt_clirun_free(&r);

	/* A reader key's export is the public one without --public: no comment, no signer, no
	 * count of victims of a month (issue 14). */
	doc = export_doc(reader, all);
	dvs = json_object_get(doc, "dataValues");
	assert_true(json_array_size(dvs) > 0);
	for (size_t k = 0; k < json_array_size(dvs); k++) {
		const json_t *v = json_array_get(dvs, k);
		const json_t *by = json_object_get(v, "storedBy"),
		             *c = json_object_get(v, "comment");
		double n = atof(str(v, "value"));
		assert_true(by == NULL || json_string_length(by) == 0);
		assert_true(c == NULL || json_string_length(c) == 0);
		if (strstr(str(v, "dataElement"), "KORBAN") != NULL) {
			assert_string_equal(str(v, "period"), "2026");
			assert_false(n >= 1 && n <= 4);
		}
	}
	json_decref(doc);
	/* Refusals: a district cannot export its province. */
	gt_clirun(&r, d1, NULL, 60, all);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "outside the key's scope"));
	gt_clirun_free(&r);
	const char *bad[] = {"export",  "--format", "dhis2", "--dataset", "KK",
	                     "--start", "202612",   "--end", "202601",    NULL};
	gt_clirun(&r, d1, NULL, 60, bad);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "the start not after the end"));
	gt_clirun_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_export, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
