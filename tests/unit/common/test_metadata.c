/* Tests for the metadata loader (common/metadata.h, common/meta/): the real data sets, bad files,
 * lookups, values, rules, fixture. */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto.h"
#include "error.h"
#include "metadata.h"
#include "testutil.h"
#include <cmocka.h>

#define META_DIR    GT_SOURCE_DIR "/metadata"
#define BAD_DIR     GT_SOURCE_DIR "/tests/data/metadata-bad"
#define SAMPLES_DIR GT_SOURCE_DIR "/tests/data/samples"
#define FIXTURE_DIR GT_SOURCE_DIR "/tests/data/fixture-seed000"

static const char *const own_files[] = {
    META_DIR "/combos.gtm",
    META_DIR "/kasus.gtm",
    META_DIR "/kelembagaan.gtm",
    META_DIR "/layanan.gtm",
};

/* Loads this project's own data set files (not the catalogues). */
static struct gt_meta *load_own(void)
{
	struct gt_meta_errors errs;
	struct gt_meta *m = NULL;
	int rc = gt_meta_load_files(own_files, 4, &m, &errs);

	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.items[i].text);
	gt_meta_errors_clear(&errs);
	assert_int_equal(rc, 0);
	assert_non_null(m);
	return m;
}

/* Loads one file given as text. */
static int load_text(const char *name, const char *text, struct gt_meta **m,
                     struct gt_meta_errors *errs)
{
	const uint8_t *buf = (const uint8_t *)text;
	size_t len = strlen(text);

	return gt_meta_load_buffers(&name, &buf, &len, 1, m, errs);
}

static int has_error(const struct gt_meta_errors *errs, const char *text)
{
	for (size_t i = 0; i < errs->count; i++)
		if (strcmp(errs->items[i].text, text) == 0)
			return 1;
	return 0;
}

static void dump_errors(const struct gt_meta_errors *errs)
{
	for (size_t i = 0; i < errs->count; i++)
		fprintf(stderr, "  %s\n", errs->items[i].text);
}

/* ------------------------------------------------------------------------------------------ */
/* A small CSV reader (RFC 4180 quoting) for the sample and fixture files. */

#define CSV_COLS 6

struct csv_row {
	char *f[CSV_COLS];
};

struct csv {
	struct csv_row *rows;
	size_t n;
};

static void csv_free(struct csv *c)
{
	for (size_t i = 0; i < c->n; i++)
		for (int k = 0; k < CSV_COLS; k++)
			free(c->rows[i].f[k]);
	free(c->rows);
	c->rows = NULL;
	c->n = 0;
}

/* Reads path; the header must be the DHIS2 column names. Appends rows to c. */
static void csv_read(const char *path, struct csv *c)
{
	size_t len, i = 0;
	uint8_t *buf = gt_test_read_file(path, &len);
	const char *s = (const char *)buf;
	int rowno = 0;

	assert_non_null(buf);
	while (i < len) {
		char *fields[CSV_COLS] = {0};
		int nf = 0;
		for (;;) {
			char *out = malloc(len + 1);
			size_t o = 0;
			assert_non_null(out);
			if (i < len && s[i] == '"') {
				i++;
				for (;;) {
					assert_true(i < len); /* unterminated quote */
					if (s[i] == '"' && i + 1 < len && s[i + 1] == '"') {
						out[o++] = '"';
						i += 2;
					} else if (s[i] == '"') {
						i++;
						break;
					} else {
						out[o++] = s[i++];
					}
				}
			} else {
				while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
					out[o++] = s[i++];
			}
			out[o] = '\0';
			assert_true(nf < CSV_COLS);
			fields[nf++] = out;
			if (i < len && s[i] == ',') {
				i++;
				continue;
			}
			if (i < len && s[i] == '\r')
				i++;
			if (i < len) {
				assert_int_equal(s[i], '\n');
				i++;
			}
			break;
		}
		assert_int_equal(nf, CSV_COLS);
		if (rowno++ == 0) {
			static const char *const hdr[CSV_COLS] = {
			    "dataelement",         "period", "orgunit",
			    "categoryoptioncombo", "value",  "comment"};
			for (int k = 0; k < CSV_COLS; k++) {
				assert_string_equal(fields[k], hdr[k]);
				free(fields[k]);
			}
			continue;
		}
		c->rows = realloc(c->rows, (c->n + 1) * sizeof(*c->rows));
		assert_non_null(c->rows);
		memcpy(c->rows[c->n].f, fields, sizeof(fields));
		c->n++;
	}
	free(buf);
}

/* Reads every *.csv in dir, in name order. Returns the number of files. */
static int csv_read_dir(const char *dir, struct csv *c)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), files = 0;

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);
		if (l > 4 && strcmp(names[i]->d_name + l - 4, ".csv") == 0) {
			char *p;
			assert_true(asprintf(&p, "%s/%s", dir, names[i]->d_name) > 0);
			csv_read(p, c);
			free(p);
			files++;
		}
		free(names[i]);
	}
	free(names);
	return files;
}

/* ------------------------------------------------------------------------------------------ */
/* A value store for rule evaluation: rows of a CSV looked up by org unit and period. */

struct lookup_ctx {
	const struct gt_meta *m;
	const struct csv *c;
	const char *org;
	const char *period;
	int fail; /* return this error from the callback when non-zero */
	int calls;
};

static int lookup_value(void *ctx, const struct gt_meta_element *e, int option, double *value)
{
	struct lookup_ctx *lc = ctx;
	const char *coc = e->combo->options[option].code;

	lc->calls++;
	if (lc->fail)
		return lc->fail;
	for (size_t i = 0; i < lc->c->n; i++) {
		char *const *f = lc->c->rows[i].f;
		if (strcmp(f[0], e->code) == 0 && strcmp(f[1], lc->period) == 0 &&
		    strcmp(f[2], lc->org) == 0 && strcmp(f[3], coc) == 0) {
			*value = strtod(f[4], NULL);
			return 0;
		}
	}
	return GT_ENOENT;
}

/* Evaluates rule code for (org, period) over c. */
static struct gt_meta_rule_result eval_rule(const struct gt_meta *m, const char *code,
                                            const struct csv *c, const char *org,
                                            const char *period)
{
	const struct gt_meta_rule *r = gt_meta_rule_find(m, code);
	struct lookup_ctx lc = {m, c, org, period, 0, 0};
	struct gt_meta_rule_result res;

	assert_non_null(r);
	assert_int_equal(gt_meta_rule_eval(r, lookup_value, &lc, &res), 0);
	return res;
}

/* Appends a row (strings copied). */
static void csv_add(struct csv *c, const char *de, const char *pe, const char *ou, const char *coc,
                    const char *value)
{
	const char *f[CSV_COLS] = {de, pe, ou, coc, value, ""};

	c->rows = realloc(c->rows, (c->n + 1) * sizeof(*c->rows));
	assert_non_null(c->rows);
	for (int k = 0; k < CSV_COLS; k++)
		c->rows[c->n].f[k] = strdup(f[k]);
	c->n++;
}

/* ------------------------------------------------------------------------------------------ */

/* issue 14: elements say whether they count victims, whether comments are allowed and their
 * disclosure threshold; data sets give a threshold to their elements that give none. */
static void privacy_attributes(void **state)
{
	struct gt_meta *m = NULL;
	struct gt_meta_errors errs = {0};
	const struct gt_meta_element *e;
	(void)state;

	assert_int_equal(load_text("p.gtm",
	                           "gtsync-metadata 1\n"
	                           "dataset A \"A\"\n  period yearly\n  levels district\n"
	                           "  elements V W C T N\n"
	                           "dataset B \"B\"\n  period yearly\n  levels district\n"
	                           "  disclosure 3\n  elements N\n"
	                           "element V \"V\"\n  type int0\n  victims yes\n"
	                           "element W \"W\"\n  type int0\n  victims yes\n"
	                           "  comments yes\n  disclosure 10\n"
	                           "element C \"C\"\n  type int0\n  comments no\n"
	                           "element T \"T\"\n  type text\n"
	                           "element N \"N\"\n  type number\n",
	                           &m, &errs),
	                 0);
	e = gt_meta_element_find(m, "V");
	assert_true(e->victims && !e->comments && e->disclosure == GT_META_DEFAULT_DISCLOSURE);
	e = gt_meta_element_find(m, "W");
	assert_true(e->victims && e->comments && e->disclosure == 10);
	e = gt_meta_element_find(m, "C");
	assert_true(!e->victims && !e->comments && e->disclosure == 0);
	e = gt_meta_element_find(m, "T");
	assert_true(!e->victims && e->comments && e->disclosure == 0);
	e = gt_meta_element_find(m, "N");
	assert_int_equal(e->disclosure, 3);
	gt_meta_free(m);

	/* The shipped metadata: victims are counted with suppression and without comments. */
	m = load_own();
	e = gt_meta_element_find(m, "KK_KORBAN");
	assert_true(e->victims && !e->comments && e->disclosure == 5);
	e = gt_meta_element_find(m, "KK_LP");
	assert_true(!e->victims && e->comments && e->disclosure == 0);
	gt_meta_free(m);

	assert_int_equal(load_text("q.gtm",
	                           "gtsync-metadata 1\n"
	                           "element T \"T\"\n  type text\n  victims yes\n"
	                           "element U \"U\"\n  type int0\n  disclosure 1001\n"
	                           "element X \"X\"\n  type int0\n  comments maybe\n",
	                           &m, &errs),
	                 GT_EINVAL);
	assert_true(has_error(&errs, "q.gtm:4: element T: victims yes needs type int0 or number "
	                             "(a count)"));
	assert_true(has_error(&errs, "q.gtm:7: invalid disclosure \"1001\" (a threshold from 0, "
	                             "none, to 1000)"));
	assert_true(has_error(&errs, "q.gtm:10: comments takes yes or no, not \"maybe\""));
	gt_meta_errors_clear(&errs);
}

static void own_set_loads(void **state)
{
	struct gt_meta *m = load_own();
	const struct gt_meta_dataset *kk, *ly, *gt;

	(void)state;
	assert_int_equal(m->nfiles, 4);
	assert_string_equal(m->files[0].name, "combos.gtm");
	assert_string_equal(m->files[3].name, "layanan.gtm");
	assert_int_equal(m->ncombos, 4);
	assert_int_equal(m->nelements, 6 + 9 + 10);
	assert_int_equal(m->ndatasets, 3);
	assert_int_equal(m->nrules, 2 + 9 + 2);
	assert_int_equal(m->nplans, 0);
	assert_null(gt_meta_element_find(m, GT_META_ACH_CODE));

	kk = gt_meta_dataset_find(m, "KK");
	ly = gt_meta_dataset_find(m, "LY");
	gt = gt_meta_dataset_find(m, "GT");
	assert_non_null(kk);
	assert_non_null(ly);
	assert_non_null(gt);
	assert_string_equal(kk->name, "Kasus dan korban TPPO");
	assert_string_equal(ly->name, "Layanan bagi saksi dan/atau korban");
	assert_string_equal(gt->name, "Kelembagaan dan koordinasi GT");
	assert_int_equal(kk->nelements, 6);
	assert_int_equal(ly->nelements, 9);
	assert_int_equal(gt->nelements, 10);
	assert_int_equal(kk->period_type, GT_PERIOD_MONTHLY);
	assert_int_equal(ly->period_type, GT_PERIOD_MONTHLY);
	assert_int_equal(gt->period_type, GT_PERIOD_SIXMONTHLY);
	assert_int_equal(kk->timely_days, 15);
	assert_int_equal(kk->expiry_days, 90);
	assert_int_equal(gt->timely_days, 30);
	assert_int_equal(gt->expiry_days, 180);
	assert_false(gt_meta_dataset_reports_at(kk, GT_ORGUNIT_LEVEL_NATIONAL));
	assert_true(gt_meta_dataset_reports_at(kk, GT_ORGUNIT_LEVEL_PROVINCE));
	assert_true(gt_meta_dataset_reports_at(kk, GT_ORGUNIT_LEVEL_DISTRICT));
	assert_true(gt_meta_dataset_reports_at(gt, GT_ORGUNIT_LEVEL_NATIONAL));
	assert_false(gt_meta_dataset_reports_at(gt, 4));
	assert_string_equal(kk->file, META_DIR "/kasus.gtm");
	assert_int_equal(kk->line, 7);
	gt_meta_free(m);
}

/* The whole metadata/ directory, including the catalogues once they are merged. */
static void metadata_dir_loads(void **state)
{
	struct gt_meta_errors errs;
	struct gt_meta *m = NULL;
	int rc;

	(void)state;
	rc = gt_meta_load_dir(META_DIR, &m, &errs);
	dump_errors(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(errs.count, 0);
	assert_true(m->nfiles >= 4);
	assert_true(m->ndatasets >= 3);
	assert_non_null(gt_meta_dataset_find(m, "KK"));
	if (m->nplans > 0) {
		const struct gt_meta_element *ach = gt_meta_element_find(m, GT_META_ACH_CODE);
		assert_non_null(ach);
		assert_int_equal(ach->combo->noptions, m->nindicators);
	}
	gt_meta_errors_clear(&errs);
	gt_meta_free(m);
}

/* Each bad file lists the errors it must produce as "# expect: LINE: message". */
static void bad_files_refused(void **state)
{
	struct dirent **names;
	int n = scandir(BAD_DIR, &names, NULL, alphasort), files = 0;

	(void)state;
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		size_t l = strlen(name), len, expected = 0;
		struct gt_meta_errors errs;
		struct gt_meta *m = (struct gt_meta *)1;
		char *path, *text, *line, *save = NULL;
		int rc;

		if (l < 5 || strcmp(name + l - 4, ".gtm") != 0) {
			free(names[i]);
			continue;
		}
		assert_true(asprintf(&path, "%s/%s", BAD_DIR, name) > 0);
		rc = gt_meta_load_files((const char *const *)&path, 1, &m, &errs);
		if (rc != GT_EINVAL)
			fprintf(stderr, "%s: rc %d\n", name, rc);
		assert_int_equal(rc, GT_EINVAL);
		assert_null(m);
		text = (char *)gt_test_read_file(path, &len);
		assert_non_null(text);
		for (line = strtok_r(text, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save)) {
			char *want;
			if (strncmp(line, "# expect: ", 10) != 0)
				continue;
			assert_true(asprintf(&want, "%s:%s", path, line + 10) > 0);
			if (!has_error(&errs, want)) {
				fprintf(stderr, "%s: missing error\n  %s\ngot:\n", name, want);
				dump_errors(&errs);
			}
			assert_true(has_error(&errs, want));
			free(want);
			expected++;
		}
		if (errs.count != expected) {
			fprintf(stderr, "%s: %zu errors, expected %zu\n", name, errs.count,
			        expected);
			dump_errors(&errs);
		}
		assert_true(expected > 0);
		assert_int_equal(errs.count, expected);
		assert_int_equal(errs.dropped, 0);
		/* Errors come in line order. */
		for (size_t k = 1; k < errs.count; k++)
			assert_true(errs.items[k - 1].line <= errs.items[k].line);
		gt_meta_errors_clear(&errs);
		free(text);
		free(path);
		free(names[i]);
		files++;
	}
	free(names);
	assert_true(files >= 30);
}

static void copy_file(const char *from, const char *dir, const char *name)
{
	size_t len;
	uint8_t *buf = gt_test_read_file(from, &len);
	char *to;
	FILE *f;

	assert_non_null(buf);
	assert_true(asprintf(&to, "%s/%s", dir, name) > 0);
	f = fopen(to, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(to);
	free(buf);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *to;
	FILE *f;

	assert_true(asprintf(&to, "%s/%s", dir, name) > 0);
	f = fopen(to, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	free(to);
}

static void good_and_bad_dir_loads_nothing(void **state)
{
	char *dir = gt_test_tmpdir("meta");
	struct gt_meta_errors errs;
	struct gt_meta *m = NULL;
	char *want;
	int rc;

	(void)state;
	copy_file(META_DIR "/combos.gtm", dir, "combos.gtm");
	copy_file(META_DIR "/kasus.gtm", dir, "kasus.gtm");
	write_file(dir, "zz-bad.gtm",
	           "gtsync-metadata 1\n"
	           "# A new element for data set KK, with a typo in its combo.\n"
	           "\n"
	           "element KK_KORBAN_ANAK \"Korban anak\"\n"
	           "  type int0\n"
	           "  combo SEXAGE2\n");
	/* Ignored: not .gtm, hidden (an editor's lock file), a directory. */
	write_file(dir, "notes.txt", "not metadata\n");
	write_file(dir, ".#kasus.gtm", "garbage\n");
	rc = gt_meta_load_dir(dir, &m, &errs);
	assert_int_equal(rc, GT_EINVAL);
	assert_null(m);
	assert_int_equal(errs.count, 1);
	assert_true(asprintf(&want,
	                     "%s/zz-bad.gtm:6: element KK_KORBAN_ANAK names unknown category combo "
	                     "\"SEXAGE2\"",
	                     dir) > 0);
	assert_string_equal(errs.items[0].text, want);
	assert_int_equal(errs.items[0].line, 6);
	free(want);
	gt_meta_errors_clear(&errs);

	/* Without the bad file the same directory loads, and ignores the others. */
	{
		char *bad;
		assert_true(asprintf(&bad, "%s/zz-bad.gtm", dir) > 0);
		assert_int_equal(remove(bad), 0);
		free(bad);
	}
	rc = gt_meta_load_dir(dir, &m, &errs);
	assert_int_equal(rc, 0);
	assert_int_equal(m->nfiles, 2);
	assert_int_equal(m->ndatasets, 1);
	gt_meta_free(m);
	gt_meta_errors_clear(&errs);
	gt_test_rmtree(dir);
	free(dir);
}

static void load_dir_errors(void **state)
{
	char *dir = gt_test_tmpdir("meta-empty");
	struct gt_meta_errors errs;
	struct gt_meta *m = (struct gt_meta *)1;
	char *want;

	(void)state;
	assert_int_equal(gt_meta_load_dir(dir, &m, &errs), GT_ENOENT);
	assert_null(m);
	assert_int_equal(errs.count, 1);
	assert_true(asprintf(&want, "%s: no metadata files (*.gtm) to load", dir) > 0);
	assert_string_equal(errs.items[0].text, want);
	free(want);
	gt_meta_errors_clear(&errs);

	assert_true(asprintf(&want, "%s/nope", dir) > 0);
	assert_int_equal(gt_meta_load_dir(want, &m, &errs), GT_ENOENT);
	assert_int_equal(errs.count, 1);
	assert_non_null(strstr(errs.items[0].text, "cannot open the directory"));
	gt_meta_errors_clear(&errs);
	free(want);

	/* A path that does not exist, among good ones. */
	{
		const char *paths[2] = {META_DIR "/combos.gtm", "/nonexistent/x.gtm"};
		assert_int_equal(gt_meta_load_files(paths, 2, &m, &errs), GT_ENOENT);
		assert_null(m);
		assert_int_equal(errs.count, 1);
		assert_string_equal(errs.items[0].text,
		                    "/nonexistent/x.gtm: cannot open: not found");
		gt_meta_errors_clear(&errs);
	}
	/* errs is optional. */
	assert_int_equal(gt_meta_load_dir(dir, &m, NULL), GT_ENOENT);
	assert_int_equal(gt_meta_load_files(NULL, 0, &m, NULL), GT_ENOENT);
	gt_meta_free(NULL);
	gt_meta_errors_clear(NULL);
	gt_test_rmtree(dir);
	free(dir);
}

static void lookups(void **state)
{
	struct gt_meta *m = load_own();
	const struct gt_meta_element *korban, *lp, *catatan;
	const struct gt_meta_dataset *kk, *ly;
	const struct gt_meta_combo *sexage;

	(void)state;
	korban = gt_meta_element_find(m, "KK_KORBAN");
	lp = gt_meta_element_find(m, "KK_LP");
	catatan = gt_meta_element_find(m, "GT_CATATAN");
	assert_non_null(korban);
	assert_non_null(lp);
	assert_non_null(catatan);
	assert_null(gt_meta_element_find(m, "KK_NOPE"));
	assert_null(gt_meta_element_find(m, ""));
	assert_null(gt_meta_element_find(m, NULL));
	assert_null(gt_meta_element_find(m, "kk_korban"));
	assert_ptr_equal(m->elements[korban->index], korban);

	sexage = gt_meta_combo_find(m, "SEXAGE");
	assert_ptr_equal(korban->combo, sexage);
	assert_int_equal(sexage->noptions, 4);
	assert_string_equal(sexage->options[0].code, "PD");
	assert_string_equal(sexage->options[0].name, "Perempuan dewasa");
	assert_int_equal(gt_meta_element_option_index(korban, "PD"), 0);
	assert_int_equal(gt_meta_element_option_index(korban, "AP"), 1);
	assert_int_equal(gt_meta_element_option_index(korban, "LD"), 2);
	assert_int_equal(gt_meta_element_option_index(korban, "AL"), 3);
	assert_int_equal(gt_meta_element_option_index(korban, ""), GT_ENOENT);
	assert_int_equal(gt_meta_element_option_index(korban, "pd"), GT_ENOENT);
	assert_int_equal(gt_meta_element_option_index(korban, "ZZ"), GT_ENOENT);
	/* The default combo: one option "". */
	assert_ptr_equal(lp->combo, m->default_combo);
	assert_true(lp->combo->is_default);
	assert_int_equal(gt_meta_element_option_index(lp, ""), 0);
	assert_int_equal(gt_meta_element_option_index(lp, "PD"), GT_ENOENT);
	assert_int_equal(gt_meta_element_option_index(NULL, ""), GT_ENOENT);

	assert_int_equal(korban->type, GT_META_TYPE_INT0);
	assert_int_equal(korban->aggregation, GT_META_AGG_SUM);
	assert_int_equal(catatan->type, GT_META_TYPE_TEXT);
	assert_int_equal(catatan->aggregation, GT_META_AGG_NONE);
	assert_int_equal(catatan->max_length, 2000);
	assert_int_equal(gt_meta_element_find(m, "GT_SK")->aggregation, GT_META_AGG_NONE);

	kk = gt_meta_dataset_find(m, "KK");
	ly = gt_meta_dataset_find(m, "LY");
	assert_true(gt_meta_dataset_has_element(kk, korban));
	assert_false(gt_meta_dataset_has_element(ly, korban));
	assert_false(gt_meta_dataset_has_element(kk, catatan));
	assert_ptr_equal(gt_meta_dataset_for_element(korban), kk);
	assert_ptr_equal(gt_meta_dataset_for_element(catatan), gt_meta_dataset_find(m, "GT"));
	for (size_t i = 0; i < m->ndatasets; i++)
		for (size_t k = 0; k < m->datasets[i]->nelements; k++)
			assert_true(gt_meta_dataset_has_element(m->datasets[i],
			                                        m->datasets[i]->elements[k]));

	assert_non_null(gt_meta_rule_find(m, "KK_R_TOTAL"));
	assert_ptr_equal(gt_meta_rule_find(m, "LY_R_KORBAN")->dataset, ly);
	assert_null(gt_meta_plan_find(m, "RAN2020"));
	assert_null(gt_meta_block_find(m, "X"));
	assert_null(gt_meta_indicator_find(m, "X"));
	assert_null(gt_meta_action_find(m, "X"));
	assert_string_equal(gt_meta_type_name(GT_META_TYPE_BOOL), "bool");
	assert_string_equal(gt_meta_op_name(GT_META_OP_LE), "le");
	gt_meta_free(m);
}

static void resolve_keys(void **state)
{
	struct gt_meta *m = load_own();
	struct gt_meta_key k;
	const char *why = NULL;

	(void)state;
	assert_int_equal(gt_meta_resolve(m, NULL, "KK_KORBAN", "AP", &k, &why), 0);
	assert_null(why);
	assert_string_equal(k.dataset->code, "KK");
	assert_string_equal(k.element->code, "KK_KORBAN");
	assert_int_equal(k.option, 1);
	assert_int_equal(gt_meta_resolve(m, "KK", "KK_LP", "", &k, &why), 0);
	assert_int_equal(gt_meta_resolve(m, "", "KK_LP", NULL, &k, &why), 0);
	assert_int_equal(k.option, 0);
	assert_int_equal(gt_meta_resolve(m, NULL, "KK_NOPE", "", &k, &why), GT_ENOENT);
	assert_string_equal(why, "unknown data element");
	assert_null(k.element);
	assert_int_equal(gt_meta_resolve(m, NULL, "KK_KORBAN", "", &k, &why), GT_ENOENT);
	assert_string_equal(why, "unknown category option combo for the data element");
	assert_int_equal(gt_meta_resolve(m, "LY", "KK_KORBAN", "PD", &k, &why), GT_EINVAL);
	assert_string_equal(why, "the data element is not in the data set");
	assert_int_equal(gt_meta_resolve(m, "NOPE", "KK_KORBAN", "PD", &k, NULL), GT_ENOENT);
	gt_meta_free(m);
}

static void value_checks(void **state)
{
	struct gt_meta *m = load_own();
	const struct gt_meta_element *i0 = gt_meta_element_find(m, "KK_LP");
	const struct gt_meta_element *num = gt_meta_element_find(m, "GT_ANGGARAN_JUMLAH");
	const struct gt_meta_element *b = gt_meta_element_find(m, "GT_SK");
	const struct gt_meta_element *txt = gt_meta_element_find(m, "GT_CATATAN");
	static const char *const int0_bad[] = {
	    "-1",
	    "1.5",
	    "",
	    "1e3",
	    " 1",
	    "1 ",
	    "99999999999999999999",
	    "+1",
	    "01",
	    "00",
	    "9223372036854775808",
	    "0x10",
	    "1,000",
	    "1.000",
	    "١",
	    "true",
	};
	static const char *const num_bad[] = {
	    "",      "1e3", ".5",  "5.",   "+1",
	    "1,5",   "--1", "00",  "01.5", "-",
	    "1.2.3", " 1",  "NaN", "inf",  "1234567890123456789012345678901234567890.5",
	};
	char *big;

	(void)state;
	for (size_t i = 0; i < sizeof(int0_bad) / sizeof(int0_bad[0]); i++) {
		if (gt_meta_value_check(i0, int0_bad[i]) != GT_EINVAL)
			fprintf(stderr, "int0 accepted \"%s\"\n", int0_bad[i]);
		assert_int_equal(gt_meta_value_check(i0, int0_bad[i]), GT_EINVAL);
	}
	assert_int_equal(gt_meta_value_check(i0, "0"), 0);
	assert_int_equal(gt_meta_value_check(i0, "7"), 0);
	assert_int_equal(gt_meta_value_check(i0, "2648"), 0);
	assert_int_equal(gt_meta_value_check(i0, "9223372036854775807"), 0);
	assert_int_equal(gt_meta_value_check(i0, NULL), GT_EINVAL);
	assert_int_equal(gt_meta_value_check(NULL, "1"), GT_EINVAL);

	for (size_t i = 0; i < sizeof(num_bad) / sizeof(num_bad[0]); i++) {
		if (gt_meta_value_check(num, num_bad[i]) != GT_EINVAL)
			fprintf(stderr, "number accepted \"%s\"\n", num_bad[i]);
		assert_int_equal(gt_meta_value_check(num, num_bad[i]), GT_EINVAL);
	}
	assert_int_equal(gt_meta_value_check(num, "0"), 0);
	assert_int_equal(gt_meta_value_check(num, "-3.5"), 0);
	assert_int_equal(gt_meta_value_check(num, "0.25"), 0);
	assert_int_equal(gt_meta_value_check(num, "150000000"), 0);
	assert_int_equal(gt_meta_value_check(num, "-0"), 0);

	assert_int_equal(gt_meta_value_check(b, "true"), 0);
	assert_int_equal(gt_meta_value_check(b, "false"), 0);
	assert_int_equal(gt_meta_value_check(b, "TRUE"), GT_EINVAL);
	assert_int_equal(gt_meta_value_check(b, "1"), GT_EINVAL);
	assert_int_equal(gt_meta_value_check(b, "ya"), GT_EINVAL);
	assert_int_equal(gt_meta_value_check(b, ""), GT_EINVAL);

	big = malloc(2002);
	assert_non_null(big);
	memset(big, 'a', 2001);
	big[2001] = '\0';
	assert_int_equal(gt_meta_value_check(txt, big), GT_ETOOBIG);
	big[2000] = '\0';
	assert_int_equal(gt_meta_value_check(txt, big), 0);
	free(big);
	assert_int_equal(
	    gt_meta_value_check(txt, "Rapat pleno belum terlaksana.\nAnggaran terbatas."), 0);
	assert_int_equal(gt_meta_value_check(txt, "Kendala: café, naïve, 日本"), 0);
	assert_int_equal(gt_meta_value_check(txt, "bad \xff utf-8"), GT_EINVAL);
	assert_int_equal(gt_meta_value_check(txt, "overlong \xc0\xaf"), GT_EINVAL);
	assert_int_equal(gt_meta_value_check(txt, "bell \x07"), GT_EINVAL);
	assert_int_equal(gt_meta_value_check(txt, ""), GT_EINVAL);
	gt_meta_free(m);
}

static const char tiny[] = "gtsync-metadata 1\n"
                           "element KK_LP \"Laporan polisi\"\n"
                           "  type int0\n";

static void bom_crlf_and_comments(void **state)
{
	struct gt_meta_errors errs;
	struct gt_meta *m = NULL;
	char *t;

	(void)state;
	assert_true(asprintf(&t, "\xEF\xBB\xBF%s", tiny) > 0);
	assert_int_equal(load_text("bom.gtm", t, &m, &errs), 0);
	assert_non_null(gt_meta_element_find(m, "KK_LP"));
	gt_meta_free(m);
	free(t);

	/* CRLF, comments and blank lines before the header, a name with escapes. */
	assert_int_equal(
	    load_text("crlf.gtm",
	              "# Data set KK\r\n\r\n"
	              "gtsync-metadata 1\r\n"
	              "element KK_LP \"Laporan \\\"polisi\\\" \\\\ LP\"   # trailing\r\n"
	              "\ttype int0\r\n",
	              &m, &errs),
	    0);
	assert_string_equal(gt_meta_element_find(m, "KK_LP")->name, "Laporan \"polisi\" \\ LP");
	assert_string_equal(gt_meta_element_find(m, "KK_LP")->file, "crlf.gtm");
	assert_int_equal(gt_meta_element_find(m, "KK_LP")->line, 4);
	gt_meta_free(m);

	/* A BOM anywhere but at the start is an error outside quotes. */
	assert_true(asprintf(&t,
	                     "%s\xEF\xBB\xBF"
	                     "element KK_X\n  type int0\n",
	                     tiny) > 0);
	assert_int_equal(load_text("bom2.gtm", t, &m, &errs), GT_EINVAL);
	assert_null(m);
	assert_true(has_error(&errs, "bom2.gtm:4: unexpected non-ASCII character outside quotes"));
	gt_meta_errors_clear(&errs);
	free(t);

	/* Empty file, and a file of comments only. */
	assert_int_equal(load_text("empty.gtm", "", &m, &errs), GT_EINVAL);
	assert_true(has_error(&errs, "empty.gtm:1: missing header: the first line must be "
	                             "\"gtsync-metadata 1\""));
	gt_meta_errors_clear(&errs);
	assert_int_equal(load_text("c.gtm", "# only\n\n# comments", &m, &errs), GT_EINVAL);
	assert_int_equal(errs.count, 1);
	gt_meta_errors_clear(&errs);
	/* A lone CR is a control character; a NUL byte too. */
	assert_int_equal(load_text("cr.gtm", "gtsync-metadata 1\relement X\n", &m, &errs),
	                 GT_EINVAL);
	assert_true(has_error(&errs, "cr.gtm:1: control character U+000D"));
	gt_meta_errors_clear(&errs);
	{
		static const uint8_t nul[] = "gtsync-metadata 1\nelement X\0\n  type int0\n";
		const char *name = "nul.gtm";
		const uint8_t *buf = nul;
		size_t len = sizeof(nul) - 1;
		assert_int_equal(gt_meta_load_buffers(&name, &buf, &len, 1, &m, &errs), GT_EINVAL);
		assert_true(has_error(&errs, "nul.gtm:2: control character U+0000"));
		gt_meta_errors_clear(&errs);
	}
}

static void duplicates_across_files(void **state)
{
	const char *names[2] = {"dir/b.gtm", "dir/a.gtm"};
	const char *texts[2] = {tiny,
	                        "gtsync-metadata 1\n"
	                        "# second definition\n"
	                        "element KK_LP \"Laporan polisi (lagi)\"\n"
	                        "  type int0\n"
	                        "categorycombo KK_LP \"A combo may share an element's code\"\n"
	                        "  option X\n"};
	const uint8_t *bufs[2] = {(const uint8_t *)texts[0], (const uint8_t *)texts[1]};
	size_t lens[2] = {strlen(texts[0]), strlen(texts[1])};
	struct gt_meta_errors errs;
	struct gt_meta *m = NULL;

	(void)state;
	/* Files load in name order whatever order they are given in: a.gtm defines first. */
	assert_int_equal(gt_meta_load_buffers(names, bufs, lens, 2, &m, &errs), GT_EINVAL);
	assert_null(m);
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.items[0].text,
	                    "dir/b.gtm:2: duplicate element code \"KK_LP\" (first defined at "
	                    "dir/a.gtm:3)");
	gt_meta_errors_clear(&errs);

	/* Two files of the same base name. */
	names[1] = "other/b.gtm";
	assert_int_equal(gt_meta_load_buffers(names, bufs, lens, 2, &m, &errs), GT_EINVAL);
	assert_int_equal(errs.count, 1);
	assert_non_null(strstr(errs.items[0].text, ": two files named b.gtm"));
	gt_meta_errors_clear(&errs);
}

static void sha256_of(const void *d, size_t n, uint8_t out[32])
{
	assert_int_equal(gt_crypto_sha256(d, n, out), 0);
}

static void digest_and_order(void **state)
{
	const char *paths[4] = {own_files[3], own_files[1], own_files[0], own_files[2]};
	struct gt_meta *a = load_own(), *b = NULL, *c = NULL;
	struct gt_meta_errors errs;
	uint8_t buf[256], want[32], fh[32];
	size_t off = 0;
	const char *name = "x.gtm", *name2 = "y.gtm";
	const uint8_t *tb = (const uint8_t *)tiny;
	size_t tl = strlen(tiny);

	(void)state;
	/* Given in another order, the set is the same. */
	assert_int_equal(gt_meta_load_files(paths, 4, &b, &errs), 0);
	assert_memory_equal(a->digest, b->digest, 32);
	assert_int_equal(gt_meta_version(a), gt_meta_version(b));
	assert_true(gt_meta_version(a) != 0);
	for (size_t i = 0; i < a->nfiles; i++) {
		sha256_of(a->files[i].content, a->files[i].len, fh);
		assert_memory_equal(a->files[i].sha256, fh, 32);
	}
	gt_meta_free(b);

	/* The documented construction, on a one-file set. */
	assert_int_equal(gt_meta_load_buffers(&name, &tb, &tl, 1, &c, &errs), 0);
	memcpy(buf, "gtsync-metadata-1", 18);
	off = 18;
	buf[off++] = 0;
	buf[off++] = 0;
	buf[off++] = 0;
	buf[off++] = 5;
	memcpy(buf + off, "x.gtm", 5);
	off += 5;
	sha256_of(tiny, tl, buf + off);
	off += 32;
	sha256_of(buf, off, want);
	assert_memory_equal(c->digest, want, 32);
	assert_int_equal(gt_meta_version(c),
	                 ((uint64_t)want[0] << 56) | ((uint64_t)want[1] << 48) |
	                     ((uint64_t)want[2] << 40) | ((uint64_t)want[3] << 32) |
	                     ((uint64_t)want[4] << 24) | ((uint64_t)want[5] << 16) |
	                     ((uint64_t)want[6] << 8) | want[7]);
	assert_int_equal(c->files[0].len, tl);
	assert_memory_equal(c->files[0].content, tiny, tl);
	/* Another name: another digest. */
	assert_int_equal(gt_meta_load_buffers(&name2, &tb, &tl, 1, &b, &errs), 0);
	assert_memory_not_equal(b->digest, c->digest, 32);
	gt_meta_free(b);
	gt_meta_free(c);
	gt_meta_free(a);
}

static void error_cap_and_limits(void **state)
{
	struct gt_meta_errors errs;
	struct gt_meta *m = NULL;
	size_t cap = 64 * 1024, len = 0;
	char *t = malloc(cap);
	uint8_t *big;
	const char *name = "big.gtm";
	const uint8_t *buf;

	(void)state;
	assert_non_null(t);
	len += (size_t)snprintf(t, cap, "gtsync-metadata 1\n");
	for (int i = 0; i < 150; i++)
		len += (size_t)snprintf(t + len, cap - len, "bogus R%d\n", i);
	assert_int_equal(load_text("many.gtm", t, &m, &errs), GT_EINVAL);
	assert_int_equal(errs.count, GT_META_MAX_ERRORS);
	assert_int_equal(errs.dropped, 50);
	assert_non_null(strstr(errs.items[0].text, "many.gtm:2: unknown record kind \"bogus\""));
	assert_non_null(strstr(errs.items[99].text, "many.gtm:101: "));
	gt_meta_errors_clear(&errs);
	free(t);

	/* A file over the limit is refused before parsing. */
	big = malloc(GT_META_MAX_FILE + 1);
	assert_non_null(big);
	memset(big, '#', GT_META_MAX_FILE + 1);
	buf = big;
	len = GT_META_MAX_FILE + 1;
	assert_int_equal(gt_meta_load_buffers(&name, &buf, &len, 1, &m, &errs), GT_ETOOBIG);
	assert_null(m);
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.items[0].text, "big.gtm: file larger than 4194304 bytes");
	gt_meta_errors_clear(&errs);

	/* More records than the limit: an error at the first one over. */
	{
		size_t bcap = GT_META_MAX_FILE, n = 0;
		n += (size_t)snprintf((char *)big, bcap, "gtsync-metadata 1\n");
		for (unsigned i = 0; i <= GT_META_MAX_RECORDS; i++)
			n += (size_t)snprintf((char *)big + n, bcap - n, "plan P%u\n", i);
		len = n;
		assert_int_equal(gt_meta_load_buffers(&name, &buf, &len, 1, &m, &errs), GT_ETOOBIG);
		assert_null(m);
		assert_int_equal(errs.count, 1);
		assert_string_equal(errs.items[0].text, "big.gtm:100002: more than 100000 records");
		gt_meta_errors_clear(&errs);
	}
	free(big);

	/* A file name over the limit; the message is cut at a character boundary. */
	{
		char lname[700] = "dir/";
		const char *np = lname;
		const uint8_t *tb = (const uint8_t *)"gtsync-metadata 1\n";
		size_t tl = 18, el;
		for (int i = 0; i < 300; i++)
			strcat(lname, "\xc3\xa9"); /* é */
		strcat(lname, ".gtm");
		assert_int_equal(gt_meta_load_buffers(&np, &tb, &tl, 1, &m, &errs), GT_EINVAL);
		assert_int_equal(errs.count, 1);
		el = strlen(errs.items[0].text);
		assert_true(el <= GT_META_MAX_ERROR_LEN - 1);
		assert_true(el >= GT_META_MAX_ERROR_LEN - 4);
		assert_int_equal(strncmp(errs.items[0].text, "dir/\xc3\xa9", 6), 0);
		assert_int_equal((unsigned char)errs.items[0].text[el - 1], 0xa9);
		gt_meta_errors_clear(&errs);
	}

	/* Too many files. */
	{
		const char **names = calloc(GT_META_MAX_FILES + 1, sizeof(*names));
		const uint8_t **bufs = calloc(GT_META_MAX_FILES + 1, sizeof(*bufs));
		size_t *lens = calloc(GT_META_MAX_FILES + 1, sizeof(*lens));
		assert_non_null(names);
		assert_non_null(bufs);
		assert_non_null(lens);
		for (size_t i = 0; i <= GT_META_MAX_FILES; i++)
			names[i] = "f.gtm";
		assert_int_equal(
		    gt_meta_load_buffers(names, bufs, lens, GT_META_MAX_FILES + 1, &m, &errs),
		    GT_ETOOBIG);
		assert_string_equal(errs.items[0].text, "metadata: more than 256 files");
		gt_meta_errors_clear(&errs);
		free(names);
		free(bufs);
		free(lens);
	}
}

static const char catalogue[] = "gtsync-metadata 1\n"
                                "plan RAN2020 \"Rencana Aksi Nasional PP TPPO 2020-2024\"\n"
                                "  years 2020 2024\n"
                                "  scope national\n"
                                "  source \"Lampiran Perpres 19/2023\"\n"
                                "plan RAD53 \"RAD PP TPPO NTT 2020-2023\"\n"
                                "  years 2020 2023\n"
                                "  scope province 53\n"
                                "block RAN2020.PENCEGAHAN \"Sub Gugus Tugas Pencegahan\"\n"
                                "  plan RAN2020\n"
                                "  lead \"Kemendikbud\"\n"
                                "  coordinator \"Kemendikbud\" \"KemenPPPA\"\n"
                                "  line 700\n"
                                "indicator RAN2020.P.01 \"Jumlah kabupaten/kota yang ...\"\n"
                                "  block RAN2020.PENCEGAHAN\n"
                                "  target 2020 230 \"kabupaten/kota\" \"230 Kab/Kota\"\n"
                                "  target 2021 270 \"kabupaten/kota\" \"270 Kab/Kota\"\n"
                                "  target 2022 - \"\" \"-\"\n"
                                "  target 2022 2.5 persen \"2,5%\"\n"
                                "  responsible \"Kemendagri\" \"Pemda\"\n"
                                "  responsible Kemenag\n"
                                "  coordinator \"KemenPPPA\"\n"
                                "  implementer \"Dinas P3A\"\n"
                                "  group \"Masyarakat\"\n"
                                "  challenge \"Tantangan\"\n"
                                "  objective \"Sasaran\"\n"
                                "  kind output\n"
                                "  schedule 2020 2021\n"
                                "  line 781\n"
                                "action RAN2020.P.01.A1 \"Sosialisasi ...\"\n"
                                "  indicator RAN2020.P.01\n"
                                "  responsible \"KemenPPPA\"\n"
                                "  coordinator \"KemenPPPA\"\n"
                                "  implementer \"Dinas\" \"LSM\"\n"
                                "  schedule 2020 2021 2022\n"
                                "  group \"Masyarakat\"\n"
                                "  line 782\n"
                                "block RAD53.P1 \"Program pencegahan\"\n"
                                "  plan RAD53\n"
                                "indicator RAD53.P1.1 \"Indikator RAD\"\n"
                                "  block RAD53.P1\n"
                                "  kind process\n"
                                "dataset RAN2020_CAPAIAN \"Capaian RAN PP TPPO\"\n"
                                "  period yearly\n"
                                "  levels national\n"
                                "  plan RAN2020\n"
                                "dataset RAD53_CAPAIAN \"Capaian RAD NTT\"\n"
                                "  period yearly\n"
                                "  levels province district\n"
                                "  plan RAD53\n"
                                "  elements ACH KK_LP\n"
                                "element KK_LP \"Laporan polisi\"\n"
                                "  type int0\n";

static void catalogue_and_achievement(void **state)
{
	struct gt_meta_errors errs;
	struct gt_meta *m = NULL;
	const struct gt_meta_indicator *ind;
	const struct gt_meta_action *act;
	const struct gt_meta_element *ach;
	const struct gt_meta_dataset *ran, *rad;
	struct gt_meta_key k;
	const char *why;
	int rc;

	(void)state;
	rc = load_text("ran.gtm", catalogue, &m, &errs);
	dump_errors(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(m->nplans, 2);
	assert_int_equal(m->nblocks, 2);
	assert_int_equal(m->nindicators, 2);
	assert_int_equal(m->nactions, 1);
	assert_int_equal(gt_meta_plan_find(m, "RAN2020")->first_year, 2020);
	assert_int_equal(gt_meta_plan_find(m, "RAN2020")->last_year, 2024);
	assert_null(gt_meta_plan_find(m, "RAN2020")->scope_province);
	assert_string_equal(gt_meta_plan_find(m, "RAD53")->scope_province, "53");
	assert_string_equal(gt_meta_plan_find(m, "RAN2020")->source, "Lampiran Perpres 19/2023");
	assert_int_equal(gt_meta_block_find(m, "RAN2020.PENCEGAHAN")->coordinators.n, 2);
	assert_int_equal(gt_meta_block_find(m, "RAN2020.PENCEGAHAN")->source_line, 700);

	ind = gt_meta_indicator_find(m, "RAN2020.P.01");
	assert_non_null(ind);
	assert_ptr_equal(ind->plan, gt_meta_plan_find(m, "RAN2020"));
	assert_int_equal(ind->ntargets, 4);
	assert_int_equal(ind->targets[0].year, 2020);
	assert_true(ind->targets[0].has_quantity);
	assert_true(ind->targets[0].quantity == 230.0);
	assert_string_equal(ind->targets[0].unit, "kabupaten/kota");
	assert_string_equal(ind->targets[0].raw, "230 Kab/Kota");
	assert_false(ind->targets[2].has_quantity);
	assert_string_equal(ind->targets[2].quantity_text, "-");
	assert_true(ind->targets[3].quantity == 2.5);
	assert_int_equal(ind->responsible.n, 3);
	assert_string_equal(ind->responsible.items[2], "Kemenag");
	assert_int_equal(ind->implementers.n, 1);
	assert_int_equal(ind->kind, GT_META_KIND_OUTPUT);
	assert_int_equal(ind->schedule.n, 2);
	assert_int_equal(ind->source_line, 781);
	assert_string_equal(ind->group, "Masyarakat");
	act = gt_meta_action_find(m, "RAN2020.P.01.A1");
	assert_ptr_equal(act->indicator, ind);
	assert_int_equal(act->schedule.n, 3);
	assert_int_equal(act->schedule.items[2], 2022);
	assert_int_equal(act->implementers.n, 2);
	assert_int_equal(act->source_line, 782);

	/* ACH: builtin element whose options are the indicators. */
	ach = gt_meta_element_find(m, GT_META_ACH_CODE);
	assert_non_null(ach);
	assert_true(ach->builtin);
	assert_int_equal(ach->type, GT_META_TYPE_NUMBER);
	assert_int_equal(ach->combo->noptions, 2);
	assert_ptr_equal(gt_meta_combo_find(m, GT_META_ACH_CODE), ach->combo);
	assert_int_equal(gt_meta_element_option_index(ach, "RAN2020.P.01"), (int)ind->index);
	ran = gt_meta_dataset_find(m, "RAN2020_CAPAIAN");
	rad = gt_meta_dataset_find(m, "RAD53_CAPAIAN");
	assert_int_equal(ran->nelements, 1);
	assert_int_equal(rad->nelements, 2);
	assert_true(gt_meta_dataset_has_element(ran, ach));
	assert_int_equal(ach->ndatasets, 2);
	assert_null(gt_meta_dataset_for_element(ach));
	assert_int_equal(gt_meta_resolve(m, "RAN2020_CAPAIAN", "ACH", "RAN2020.P.01", &k, &why), 0);
	assert_ptr_equal(k.dataset, ran);
	assert_int_equal(gt_meta_resolve(m, "RAN2020_CAPAIAN", "ACH", "RAD53.P1.1", &k, &why),
	                 GT_EINVAL);
	assert_string_equal(why, "the indicator is not in the data set's plan");
	assert_int_equal(gt_meta_resolve(m, NULL, "ACH", "RAN2020.P.01", &k, &why), GT_EINVAL);
	assert_int_equal(gt_meta_resolve(m, "RAD53_CAPAIAN", "ACH", "RAD53.P1.1", &k, &why), 0);
	assert_int_equal(gt_meta_value_check(ach, "12.5"), 0);
	gt_meta_free(m);
}

/* ------------------------------------------------------------------------------------------ */
/* Rules. */

static void rules_evaluate(void **state)
{
	struct gt_meta *m = load_own();
	struct csv c = {0};
	struct gt_meta_rule_result res;

	(void)state;
	/* The sum of the options equals the total. */
	csv_add(&c, "KK_KORBAN", "202401", "53.71", "PD", "4");
	csv_add(&c, "KK_KORBAN", "202401", "53.71", "AP", "2");
	csv_add(&c, "KK_KORBAN", "202401", "53.71", "LD", "1");
	csv_add(&c, "KK_KORBAN_TOTAL", "202401", "53.71", "", "7");
	res = eval_rule(m, "KK_R_TOTAL", &c, "53.71", "202401");
	assert_false(res.skipped);
	assert_false(res.violated);
	assert_true(res.left == 7 && res.right == 7);
	csv_add(&c, "KK_KORBAN", "202401", "53.71", "AL", "1");
	res = eval_rule(m, "KK_R_TOTAL", &c, "53.71", "202401");
	assert_true(res.violated);
	assert_true(res.left == 8 && res.right == 7);
	/* Nothing reported: skipped. A total without a breakdown: violated. */
	res = eval_rule(m, "KK_R_TOTAL", &c, "53.71", "202402");
	assert_true(res.skipped);
	assert_false(res.violated);
	csv_add(&c, "KK_KORBAN_TOTAL", "202402", "53.71", "", "3");
	res = eval_rule(m, "KK_R_TOTAL", &c, "53.71", "202402");
	assert_false(res.skipped);
	assert_true(res.violated);

	/* Victims served <= victims identified, in total and for children (ELEMENT.OPTION). */
	csv_add(&c, "LY_KORBAN", "202401", "53.71", "PD", "5");
	csv_add(&c, "LY_KORBAN", "202401", "53.71", "AP", "2");
	res = eval_rule(m, "LY_R_KORBAN", &c, "53.71", "202401");
	assert_false(res.violated);
	assert_true(res.left == 7 && res.right == 7);
	csv_add(&c, "LY_KORBAN", "202401", "53.71", "AL", "2");
	res = eval_rule(m, "LY_R_KORBAN", &c, "53.71", "202401");
	assert_true(res.violated);
	res = eval_rule(m, "LY_R_ANAK", &c, "53.71", "202401");
	assert_true(res.violated); /* 2 + 2 served children > 2 + 1 identified */
	assert_true(res.left == 4 && res.right == 3);

	/* A number literal on the right. */
	csv_add(&c, "GT_RAPAT_SUBGT", "2024S1", "53", "", "2");
	res = eval_rule(m, "GT_R_SUBGT", &c, "53", "2024S1");
	assert_true(res.violated);
	assert_true(res.right == 3);
	res = eval_rule(m, "GT_R_SUBGT", &c, "53.71", "2024S1");
	assert_true(res.skipped);

	/* A failing lookup aborts the evaluation. */
	{
		struct lookup_ctx lc = {m, &c, "53.71", "202401", GT_ESTORE, 0};
		assert_int_equal(
		    gt_meta_rule_eval(gt_meta_rule_find(m, "KK_R_TOTAL"), lookup_value, &lc, &res),
		    GT_ESTORE);
		assert_int_equal(lc.calls, 1);
	}
	csv_free(&c);
	gt_meta_free(m);
}

static void rule_operators_and_missing(void **state)
{
	static const char text[] = "gtsync-metadata 1\n"
	                           "categorycombo AB \"A dan B\"\n"
	                           "  option A\n"
	                           "  option B\n"
	                           "element X \"X\"\n"
	                           "  type number\n"
	                           "  combo AB\n"
	                           "element Y \"Y\"\n"
	                           "  type int0\n"
	                           "rule ANY \"skip-any\"\n"
	                           "  left X\n"
	                           "  op le\n"
	                           "  right Y + 0.5\n"
	                           "  missing skip-any\n"
	                           "rule NEVER \"never\"\n"
	                           "  left X.A - X.B\n"
	                           "  op gt\n"
	                           "  right -1\n"
	                           "  missing never\n"
	                           "rule DEC \"decimals\"\n"
	                           "  left X.A + X.B\n"
	                           "  op eq\n"
	                           "  right 0.3\n";
	static const struct {
		const char *rule;
		enum gt_meta_op op;
	} ops[] = {{"ANY", GT_META_OP_LE}, {"NEVER", GT_META_OP_GT}, {"DEC", GT_META_OP_EQ}};
	struct gt_meta_errors errs;
	struct gt_meta *m = NULL;
	struct csv c = {0};
	struct gt_meta_rule_result res;

	(void)state;
	assert_int_equal(load_text("r.gtm", text, &m, &errs), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(gt_meta_rule_find(m, ops[i].rule)->op, ops[i].op);
	assert_int_equal(gt_meta_rule_find(m, "NEVER")->nleft, 2);
	assert_int_equal(gt_meta_rule_find(m, "NEVER")->left[1].sign, -1);
	assert_int_equal(gt_meta_rule_find(m, "NEVER")->left[1].option, 1);
	assert_null(gt_meta_rule_find(m, "NEVER")->dataset);

	/* never: evaluated with nothing present (0 - 0 > -1). */
	res = eval_rule(m, "NEVER", &c, "53", "2024");
	assert_false(res.skipped);
	assert_false(res.violated);
	csv_add(&c, "X", "2024", "53", "A", "0.1");
	csv_add(&c, "X", "2024", "53", "B", "2");
	res = eval_rule(m, "NEVER", &c, "53", "2024");
	assert_true(res.violated); /* 0.1 - 2 = -1.9 */
	/* skip-any: Y is missing. */
	res = eval_rule(m, "ANY", &c, "53", "2024");
	assert_true(res.skipped);
	csv_add(&c, "Y", "2024", "53", "", "2");
	res = eval_rule(m, "ANY", &c, "53", "2024");
	assert_false(res.skipped);
	assert_false(res.violated); /* 2.1 <= 2.5 */
	/* 0.1 + 0.2 equals 0.3 within the tolerance. */
	free(c.rows[1].f[4]);
	c.rows[1].f[4] = strdup("0.2");
	res = eval_rule(m, "DEC", &c, "53", "2024");
	assert_false(res.violated);
	csv_free(&c);
	gt_meta_free(m);
}

/* ------------------------------------------------------------------------------------------ */
/* Sample CSVs and the seed-000 fixture. */

/* Every row names an existing element and option, a valid value, and a period and org unit
 * its data set accepts. Returns the data sets seen as a bit set. */
static unsigned check_rows(const struct gt_meta *m, const struct csv *c)
{
	unsigned seen = 0;

	for (size_t i = 0; i < c->n; i++) {
		char *const *f = c->rows[i].f;
		struct gt_meta_key k;
		struct gt_period pe;
		const char *why = NULL;
		int rc = gt_meta_resolve(m, NULL, f[0], f[3], &k, &why);
		if (rc != 0)
			fprintf(stderr, "row %zu: %s %s: %s\n", i, f[0], f[3], why);
		assert_int_equal(rc, 0);
		assert_int_equal(gt_meta_value_check(k.element, f[4]), 0);
		assert_int_equal(gt_period_parse(f[1], &pe), 0);
		assert_int_equal(pe.type, k.dataset->period_type);
		assert_true(gt_meta_dataset_reports_at(k.dataset, gt_orgunit_level(f[2])));
		seen |= 1u << k.dataset->index;
	}
	return seen;
}

static void samples_match_metadata(void **state)
{
	struct gt_meta *m = load_own();
	struct csv c = {0};
	static const char *const orgs[] = {"53.71", "53", "ID"};
	static const char *const periods[] = {"202401", "202402", "2024S1"};

	(void)state;
	assert_int_equal(csv_read_dir(SAMPLES_DIR, &c), 3);
	assert_true(c.n > 40);
	/* All three data sets have samples. */
	assert_int_equal(check_rows(m, &c), 7u);
	/* And the samples satisfy every rule. */
	for (size_t r = 0; r < m->nrules; r++)
		for (size_t o = 0; o < 3; o++)
			for (size_t p = 0; p < 3; p++) {
				struct gt_meta_rule_result res;
				res = eval_rule(m, m->rules[r]->code, &c, orgs[o], periods[p]);
				if (res.violated)
					fprintf(stderr, "%s %s %s: %g vs %g\n", m->rules[r]->code,
					        orgs[o], periods[p], res.left, res.right);
				assert_false(res.violated);
			}
	csv_free(&c);
	gt_meta_free(m);
}

static void fixture_seed000(void **state)
{
	struct gt_meta *m = load_own();
	const struct gt_meta_rule *total = gt_meta_rule_find(m, "KK_R_TOTAL");
	struct csv c = {0};
	long long pd = 0, ap = 0, ld = 0, al = 0, tot = 0, lp = 0, tuntut[5] = {0};
	size_t checked = 0, first_pd = SIZE_MAX;

	(void)state;
	assert_int_equal(csv_read_dir(FIXTURE_DIR, &c), 20);
	assert_int_equal(check_rows(m, &c), 1u); /* only data set KK */
	for (size_t i = 0; i < c.n; i++) {
		char *const *f = c.rows[i].f;
		long long v = strtoll(f[4], NULL, 10);
		if (strcmp(f[0], "KK_KORBAN") == 0) {
			if (strcmp(f[3], "PD") == 0) {
				pd += v;
				if (first_pd == SIZE_MAX)
					first_pd = i;
			}
			ap += strcmp(f[3], "AP") == 0 ? v : 0;
			ld += strcmp(f[3], "LD") == 0 ? v : 0;
			al += strcmp(f[3], "AL") == 0 ? v : 0;
		} else if (strcmp(f[0], "KK_KORBAN_TOTAL") == 0) {
			tot += v;
		} else if (strcmp(f[0], "KK_LP") == 0) {
			lp += v;
		} else if (strcmp(f[0], "KK_PERKARA") == 0) {
			int y = atoi(f[1]) / 100;
			assert_string_equal(f[3], "PENUNTUTAN");
			assert_true(y >= 2015 && y <= 2019);
			tuntut[y - 2015] += v;
		}
	}
	/* RAN PP TPPO 2020-2024, section 1.2 (seed 000 lines 55 and 66). */
	assert_int_equal(pd, 2047);
	assert_int_equal(ap, 272);
	assert_int_equal(ld, 318);
	assert_int_equal(al, 11);
	assert_int_equal(pd + ap + ld + al, 2648);
	assert_int_equal(tot, 2648);
	assert_int_equal(lp, 554);
	assert_int_equal(tuntut[0], 69);
	assert_int_equal(tuntut[1], 147);
	assert_int_equal(tuntut[2], 77);
	assert_int_equal(tuntut[3], 98);
	assert_int_equal(tuntut[4], 22);
	assert_int_equal(tuntut[0] + tuntut[1] + tuntut[2] + tuntut[3] + tuntut[4], 413);

	/* The breakdown sums to the total in every (district, month) that has a total. */
	for (size_t i = 0; i < c.n; i++) {
		char *const *f = c.rows[i].f;
		struct lookup_ctx lc = {m, &c, f[2], f[1], 0, 0};
		struct gt_meta_rule_result res;
		if (strcmp(f[0], "KK_KORBAN_TOTAL") != 0)
			continue;
		assert_int_equal(gt_meta_rule_eval(total, lookup_value, &lc, &res), 0);
		assert_false(res.skipped);
		assert_false(res.violated);
		checked++;
	}
	assert_true(checked > 500);

	/* Change one adult woman's count: the rule catches the breakdown that no longer sums. */
	{
		char *const *f;
		struct gt_meta_rule_result res;
		assert_true(first_pd != SIZE_MAX);
		f = c.rows[first_pd].f;
		{
			struct lookup_ctx lc = {m, &c, f[2], f[1], 0, 0};
			char *old = c.rows[first_pd].f[4], buf[32];
			snprintf(buf, sizeof(buf), "%lld", strtoll(old, NULL, 10) + 1);
			c.rows[first_pd].f[4] = strdup(buf);
			free(old);
			assert_int_equal(gt_meta_rule_eval(total, lookup_value, &lc, &res), 0);
			assert_true(res.violated);
			assert_true(res.left == res.right + 1);
		}
	}
	csv_free(&c);
	gt_meta_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(own_set_loads),
	    cmocka_unit_test(privacy_attributes),
	    cmocka_unit_test(metadata_dir_loads),
	    cmocka_unit_test(bad_files_refused),
	    cmocka_unit_test(good_and_bad_dir_loads_nothing),
	    cmocka_unit_test(load_dir_errors),
	    cmocka_unit_test(lookups),
	    cmocka_unit_test(resolve_keys),
	    cmocka_unit_test(value_checks),
	    cmocka_unit_test(bom_crlf_and_comments),
	    cmocka_unit_test(duplicates_across_files),
	    cmocka_unit_test(digest_and_order),
	    cmocka_unit_test(error_cap_and_limits),
	    cmocka_unit_test(catalogue_and_achievement),
	    cmocka_unit_test(rules_evaluate),
	    cmocka_unit_test(rule_operators_and_missing),
	    cmocka_unit_test(samples_match_metadata),
	    cmocka_unit_test(fixture_seed000),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
