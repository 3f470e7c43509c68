/* Import: checks a data-value CSV file (or one value) against the metadata and queues it. */
#include "import.h"
#include "clock.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "csvimport.h"
#include "error.h"
#include "fileio.h"
#include "formimport.h"
#include "humanfmt.h"
#include "i18n.h"
#include "period.h"
#include "progress.h"
#include "roleset.h"
#include "ruletext.h"
#include "termtext.h"
#include "valcheck.h"
#include "xlsxread.h"

/* Errors printed for one file; the rest are counted. */
#define IMPORT_MAX_PRINTED GT_CSVIMPORT_MAX_ERRORS

/* A row's key after defaults: where its period and org unit come from. */
struct resolved {
	const char *period;
	const char *org_unit;
	const char *value; /* the value as entered, or its normal form (owned) */
	char *owned;       /* the normal form, when the value was rewritten */
};

/* Open addressing over row indexes, keyed by (element, period, org unit, option). */
struct keymap {
	size_t *slot; /* row index + 1; 0 is empty */
	size_t cap;   /* a power of two */
};

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	h ^= 0x1f; /* a separator no field holds */
	h *= 1099511628211ull;
	return h;
}

static uint64_t key_hash(const char *de, const char *period, const char *ou, const char *coc)
{
	return fnv(fnv(fnv(fnv(14695981039346656037ull, de), period), ou), coc);
}

static int keymap_init(struct keymap *m, size_t n)
{
	m->cap = 16;
	while (m->cap < n * 2 + 1)
		m->cap *= 2;
	m->slot = calloc(m->cap, sizeof(*m->slot));
	return m->slot ? GT_OK : GT_ENOMEM;
}

/* Inserts row i, or returns the earlier row with the same key (index + 1). */
static size_t keymap_put(struct keymap *m, const struct gt_csvimport *c, const struct resolved *res,
                         size_t i)
{
	const char *const *f = c->rows[i].field;
	size_t k =
	    (size_t)key_hash(f[GT_CSV_DATAELEMENT], res[i].period, res[i].org_unit, f[GT_CSV_COC]) &
	    (m->cap - 1);

	while (m->slot[k] != 0) {
		size_t j = m->slot[k] - 1;
		const char *const *g = c->rows[j].field;
		if (strcmp(f[GT_CSV_DATAELEMENT], g[GT_CSV_DATAELEMENT]) == 0 &&
		    strcmp(res[i].period, res[j].period) == 0 &&
		    strcmp(res[i].org_unit, res[j].org_unit) == 0 &&
		    strcmp(f[GT_CSV_COC], g[GT_CSV_COC]) == 0)
			return j + 1;
		k = (k + 1) & (m->cap - 1);
	}
	m->slot[k] = i + 1;
	return 0;
}

/* ---- Validation rules ---- */

struct rule_ctx {
	struct gt_home *h;
	const char *period;
};

static int rule_get(void *arg, const struct gt_meta_element *e, int option, double *value)
{
	struct rule_ctx *x = arg;
	return gt_cstore_latest_number(x->h->st, e->code, x->period, x->h->org,
	                               e->combo->options[option].code, value);
}

static int rule_mentions(const struct gt_meta_rule *r, const unsigned char *present)
{
	for (size_t i = 0; i < r->nleft; i++)
		if (r->left[i].element != NULL && present[r->left[i].element->index])
			return 1;
	for (size_t i = 0; i < r->nright; i++)
		if (r->right[i].element != NULL && present[r->right[i].element->index])
			return 1;
	return 0;
}

/* An import of one file: its rows, their keys after defaults, what they are checked against. */
struct import {
	struct gt_home *h;
	const char *name; /* the file, for messages */
	const struct gt_import_opts *o;
	struct gt_meta *meta;
	struct gt_csvimport *c;
	struct resolved *res; /* per row */
	struct keymap km;
	struct gt_valcheck vc;
};

/* Says that rule r does not hold for period in the values entered. */
static void warn_rule(struct import *im, const char *period, const struct gt_meta_rule *r,
                      const struct gt_meta_rule_result *out)
{
	char words[512], human[GT_HUMAN_MAX];

	gt_ruletext_violation(r, out, words, sizeof(words));
	gt_human_period(period, human, sizeof(human));
	gt_home_say(im->h,
	            _("%s: warning: %s: rule %s \"%s\" does not hold: %s; the values are queued, "
	              "check them"),
	            im->name, human, r->code, r->name, words);
}

/* Evaluates for period the rules that involve the elements the file enters for it; returns the
 * number that fail. present has room for every element of the metadata. */
static size_t check_period_rules(struct import *im, const char *period, unsigned char *present)
{
	const struct gt_meta *meta = im->meta;
	struct rule_ctx x = {im->h, period};
	size_t warnings = 0;

	memset(present, 0, meta->nelements ? meta->nelements : 1);
	for (size_t i = 0; i < im->c->n_rows; i++) {
		const struct gt_meta_element *e;
		if (strcmp(im->res[i].period, period) != 0)
			continue;
		e = gt_meta_element_find(meta, im->c->rows[i].field[GT_CSV_DATAELEMENT]);
		if (e != NULL)
			present[e->index] = 1;
	}
	for (size_t ri = 0; ri < meta->nrules; ri++) {
		const struct gt_meta_rule *r = meta->rules[ri];
		struct gt_meta_rule_result out;
		if (!rule_mentions(r, present))
			continue;
		if (gt_meta_rule_eval(r, rule_get, &x, &out) != GT_OK || out.skipped ||
		    !out.violated)
			continue;
		warnings++;
		warn_rule(im, period, r, &out);
	}
	return warnings;
}

/* Evaluates the rules that involve the file's elements, for each period of the file. */
static size_t check_rules(struct import *im)
{
	const struct gt_csvimport *c = im->c;
	unsigned char *present = calloc(im->meta->nelements ? im->meta->nelements : 1, 1);
	const char **periods = calloc(c->n_rows ? c->n_rows : 1, sizeof(*periods));
	size_t np = 0, warnings = 0;

	if (present == NULL || periods == NULL)
		goto out;
	for (size_t i = 0; i < c->n_rows; i++) {
		size_t k;
		for (k = 0; k < np; k++)
			if (strcmp(periods[k], im->res[i].period) == 0)
				break;
		if (k == np)
			periods[np++] = im->res[i].period;
	}
	for (size_t k = 0; k < np; k++)
		warnings += check_period_rules(im, periods[k], present);
out:
	free(present);
	free(periods);
	return warnings;
}

/* ---- Import ---- */

static int org_check(struct gt_home *h, const char *what)
{
	struct gt_cstore_orgunit ou;
	int rc;

	if (h->role[0] != '\0' && !gt_roleset_text_has(h->role, GTSYNC__V1__ROLE__ROLE_OPERATOR)) {
		gt_home_say(
		    h,
		    _("%s: this key is registered as %s; only an operator key may write data "
		      "values. Nothing was queued."),
		    what, h->role);
		return GT_EPERM;
	}
	rc = gt_cstore_orgunit_get(h->st, h->org, &ou);
	if (rc == GT_ENOENT) {
		gt_home_say(
		    h,
		    _("%s: org unit %s is not among the org units the server sent; check the "
		      "home's --org and run 'gtsync metadata pull'"),
		    what, h->org);
		return GT_EINVAL;
	}
	return rc;
}

/* Checks --period and --dataset against the metadata. */
static int check_options(struct gt_home *h, const struct gt_meta *meta,
                         const struct gt_import_opts *o)
{
	struct gt_period per;

	if (o->period != NULL && o->period[0] != '\0' &&
	    gt_period_parse(o->period, &per) != GT_OK) {
		gt_home_say(h,
		            _("gtsync import: --period %s is not a DHIS2 period id (2024, 2024S1, "
		              "2024Q1, 202401)"),
		            o->period);
		return GT_EINVAL;
	}
	if (o->dataset != NULL && o->dataset[0] != '\0' &&
	    gt_meta_dataset_find(meta, o->dataset) == NULL) {
		gt_home_say(h, _("gtsync import: --dataset %s is not a data set of the metadata"),
		            o->dataset);
		return GT_EINVAL;
	}
	return GT_OK;
}

/* ---- Values as spreadsheets write them ---- */

/* Whether s[0..n) is digit groups separated by sep: 1-3 digits, then groups of exactly 3. */
static int grouped(const char *s, size_t n, char sep)
{
	size_t group = 0, groups = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == sep) {
			if (group == 0 || group > 3 || (groups > 0 && group != 3))
				return 0;
			groups++;
			group = 0;
		} else if (s[i] >= '0' && s[i] <= '9') {
			group++;
		} else {
			return 0;
		}
	}
	return 1;
}

/* Copies s[0..n) without the bytes sep to out (room checked by the caller). */
static size_t strip(char *out, const char *s, size_t n, char sep)
{
	size_t used = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != sep)
			out[used++] = s[i];
	return used;
}

/* Bytes of a number the rewriting looks at. */
#define NUMBER_MAX 40u

/*
 * Rewrites a number written with thousands separators or a decimal comma, in either convention,
 * into the plain form ("4.330" -> "4330" for a whole number, "1.234,5" -> "1234.5"). Returns 1
 * with out set when rewritten, 0 when v is left as it is (plain, or not a number: the value
 * check says what is wrong), -1 when it cannot be told (why set): "1.234" for a decimal element
 * is 1234 in Indonesian and 1.234 in English.
 */
static int normal_number(const char *v, int whole, char out[NUMBER_MAX + 2],
                         char why[GT_VALCHECK_MAX_WHY])
{
	const char *body = v + (v[0] == '-' ? 1 : 0);
	size_t n = strlen(body), used = 0, ndot = 0, ncomma = 0, last = 0;

	if (n == 0 || n > NUMBER_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (body[i] == '.' || body[i] == ',') {
			ndot += body[i] == '.';
			ncomma += body[i] == ',';
			last = i;
		} else if (body[i] < '0' || body[i] > '9') {
			return 0;
		}
	}
	if (ndot + ncomma == 0)
		return 0;
	if (v[0] == '-')
		out[used++] = '-';
	if (ndot > 0 && ncomma > 0) {
		/* Both: the last one is the decimal mark, the other groups thousands. */
		char dec = body[last], group = dec == '.' ? ',' : '.';
		if ((dec == '.' ? ndot : ncomma) != 1 || !grouped(body, last, group))
			return 0;
		used += strip(out + used, body, last, group);
		out[used++] = '.';
		memcpy(out + used, body + last + 1, n - last - 1);
		used += n - last - 1;
		out[used] = '\0';
		return 1;
	}
	char sep = ndot ? '.' : ',';
	if (ndot + ncomma > 1) {
		if (!grouped(body, n, sep))
			return 0;
		used += strip(out + used, body, n, sep);
		out[used] = '\0';
		return 1;
	}
	/* One mark: three digits after it may group thousands, or be decimals. */
	if (n - last - 1 == 3 && last >= 1 && last <= 3 && !(last == 1 && body[0] == '0')) {
		if (whole) {
			used += strip(out + used, body, n, sep);
			out[used] = '\0';
			return 1;
		}
		char plain[NUMBER_MAX + 2], dec[NUMBER_MAX + 2];
		plain[strip(plain, body, n, sep)] = '\0';
		memcpy(dec, body, n + 1);
		dec[last] = '.';
		snprintf(why, GT_VALCHECK_MAX_WHY,
		         _("\"%s\" can be read two ways: 1.234 or 1,234? Write %s for the whole "
		           "number, or %s for the decimal, without a thousands separator"),
		         v, plain, dec);
		return -1;
	}
	if (sep == ',' && !whole) {
		memcpy(out + used, body, n + 1);
		out[used + last] = '.';
		return 1;
	}
	return 0;
}

/* The normal form of a yes/no answer as people write it, or NULL. */
static const char *normal_bool(const char *v)
{
	static const char *const yes[] = {"ya", "y", "yes", "benar", "true", "1"};
	static const char *const no[] = {"tidak", "t", "no", "n", "salah", "false", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(v, yes[i]) == 0)
			return "true";
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(v, no[i]) == 0)
			return "false";
	return NULL;
}

/* Sets r->value to the value of row f in the form its element takes. Returns 0, GT_EINVAL
 * with why set when the value cannot be told, GT_ENOMEM. */
static int normal_value(struct import *im, const char *const *f, struct resolved *r,
                        char why[GT_VALCHECK_MAX_WHY])
{
	const struct gt_meta_element *e = gt_meta_element_find(im->meta, f[GT_CSV_DATAELEMENT]);
	const char *v = f[GT_CSV_VALUE];
	char num[NUMBER_MAX + 2];
	int k;

	r->value = v;
	if (e == NULL)
		return GT_OK;
	if (e->type == GT_META_TYPE_BOOL) {
		const char *b = normal_bool(v);
		if (b != NULL)
			r->value = b;
		return GT_OK;
	}
	if (e->type != GT_META_TYPE_INT0 && e->type != GT_META_TYPE_NUMBER)
		return GT_OK;
	k = normal_number(v, e->type == GT_META_TYPE_INT0, num, why);
	if (k < 0)
		return GT_EINVAL;
	if (k == 0)
		return GT_OK;
	if ((r->owned = strdup(num)) == NULL)
		return GT_ENOMEM;
	r->value = r->owned;
	return GT_OK;
}

/* Resolves row i's period and org unit and checks it: against the metadata, the import's
 * period, and the rows before it (a key entered twice). Errors are recorded in im->c. */
static void check_row(struct import *im, size_t i)
{
	const struct gt_csvimport_row *row = &im->c->rows[i];
	const char *const *f = row->field;
	const char *want = im->o->period;
	struct resolved *r = &im->res[i];
	struct gt_valcheck_value v;
	char why[GT_VALCHECK_MAX_WHY];
	size_t dup;

	r->period = f[GT_CSV_PERIOD][0] ? f[GT_CSV_PERIOD] : (want ? want : "");
	r->org_unit = f[GT_CSV_ORGUNIT][0] ? f[GT_CSV_ORGUNIT] : im->h->org;
	if (r->period[0] == '\0') {
		gt_csvimport_error(im->c, row->line,
		                   _("no period: add a period column or give --period"));
		return;
	}
	if (want && want[0] && strcmp(r->period, want) != 0) {
		gt_csvimport_error(im->c, row->line,
		                   _("period %s, but the import is for --period %s"), r->period,
		                   want);
		return;
	}
	if (normal_value(im, f, r, why) != GT_OK) {
		gt_csvimport_error(im->c, row->line, "%s", why);
		return;
	}
	v.data_element = f[GT_CSV_DATAELEMENT];
	v.period = r->period;
	v.org_unit = r->org_unit;
	v.coc = f[GT_CSV_COC];
	v.value = r->value;
	v.deleted = 0;
	v.comment = f[GT_CSV_COMMENT];
	if (gt_valcheck_run(&im->vc, &v, NULL, why) != GT_OK) {
		gt_csvimport_error(im->c, row->line, "%s", why);
		return;
	}
	if ((dup = keymap_put(&im->km, im->c, im->res, i)) != 0)
		gt_csvimport_error(im->c, row->line,
		                   _("%s %s%s%s is entered twice: also on line %lu"),
		                   v.data_element, v.period, v.coc[0] ? " " : "", v.coc,
		                   im->c->rows[dup - 1].line);
}

/* Names every error found, with its line, and says nothing was queued. */
static void print_errors(struct import *im)
{
	struct gt_csvimport *c = im->c;

	gt_csvimport_sort_errors(c);
	for (size_t i = 0; i < c->n_errors; i++) {
		const char *where = gt_csvimport_where(c, c->errors[i].line);
		if (where != NULL)
			gt_home_say(im->h, "%s: %s: %s", im->name, where, c->errors[i].msg);
		else if (c->errors[i].line)
			gt_home_say(im->h, "%s:%lu: %s", im->name, c->errors[i].line,
			            c->errors[i].msg);
		else
			gt_home_say(im->h, "%s: %s", im->name, c->errors[i].msg);
	}
	if (c->errors_total > c->n_errors)
		gt_home_say(im->h, _("%s: ... and %zu more errors"), im->name,
		            c->errors_total - c->n_errors);
	gt_home_say(im->h,
	            P_("gtsync import: %s: %zu error; nothing from this file was queued. Fix the "
	               "lines above and import the file again.",
	               "gtsync import: %s: %zu errors; nothing from this file was queued. Fix the "
	               "lines above and import the file again.",
	               c->errors_total),
	            im->name, c->errors_total);
}

/* Queues row i (in the caller's transaction); *what says how (GT_CSTORE_NEW...). */
static int queue_row(struct import *im, size_t i, int *what)
{
	const char *const *f = im->c->rows[i].field;
	char source[300];

	snprintf(source, sizeof(source), "%s:%lu", im->name, im->c->rows[i].line);
	struct gt_cstore_value v = {
	    .data_element = f[GT_CSV_DATAELEMENT],
	    .period = im->res[i].period,
	    .org_unit = im->res[i].org_unit,
	    .coc = f[GT_CSV_COC],
	    .value = im->res[i].value,
	    .comment = f[GT_CSV_COMMENT],
	    .dataset = im->o->dataset ? im->o->dataset : "",
	    .source = source,
	};
	return gt_cstore_queue(im->h->st, &v, gt_clock_wall_ms(), what);
}

/* Queues every row in one transaction, counting in r, with a progress bar: all or none. */
static int queue_all(struct import *im, struct gt_import_result *r)
{
	struct gt_progress bar;
	int rc, what = 0;

	if ((rc = gt_cstore_begin(im->h->st)) != GT_OK)
		return rc;
	gt_progress_start(&bar, im->o->progress, 0, C_("progress", "queue"), _("values"),
	                  im->c->n_rows);
	for (size_t i = 0; i < im->c->n_rows && rc == GT_OK; i++) {
		if ((rc = queue_row(im, i, &what)) != GT_OK)
			break;
		if (what == GT_CSTORE_UNCHANGED)
			r->unchanged++;
		else if (what == GT_CSTORE_REPLACED)
			r->replaced++;
		else
			r->queued++;
		gt_progress_set(&bar, i + 1, 0);
	}
	gt_progress_end(&bar);
	if (rc == GT_OK)
		rc = gt_cstore_commit(im->h->st);
	else
		gt_cstore_rollback(im->h->st);
	if (rc != GT_OK)
		r->queued = r->replaced = r->unchanged = 0;
	return rc;
}

static void print_summary(FILE *out, const char *name, const struct gt_import_result *r)
{
	char more[256] = "", n[4][GT_HUMAN_MAX];
	size_t used = 0;

	if (out == NULL)
		return;
	/* The counts grouped as the language writes them ("1.200" in Indonesian). */
	gt_human_number((double)r->rows, n[0], sizeof(n[0]));
	gt_human_number((double)r->queued, n[1], sizeof(n[1]));
	gt_human_number((double)r->replaced, n[2], sizeof(n[2]));
	gt_human_number((double)r->unchanged, n[3], sizeof(n[3]));
	if (r->replaced)
		used += (size_t)snprintf(more + used, sizeof(more) - used,
		                         _(", %s replacing values still queued"), n[2]);
	if (r->unchanged && used < sizeof(more))
		used += (size_t)snprintf(more + used, sizeof(more) - used,
		                         _(", %s unchanged (already entered)"), n[3]);
	if (r->warnings && used < sizeof(more))
		snprintf(more + used, sizeof(more) - used,
		         P_("; %zu validation rule warning (see above)",
		            "; %zu validation rule warnings (see above)", r->warnings),
		         r->warnings);
	gt_termtext_line(out, _("import %s: %s values: %s queued%s"), name, n[0], n[1], more);
}

/* Sets up a value checker for the home's org unit and the import's data set. */
static void checker(struct gt_valcheck *vc, const struct gt_meta *meta, const struct gt_home *h,
                    const struct gt_import_opts *o)
{
	vc->meta = meta;
	vc->own_org = h->org;
	vc->dataset = o->dataset;
	vc->now_ms = gt_clock_wall_ms();
}

/* Sets up im for the rows of c: their keys, the duplicate map, the value checker. */
static int import_init(struct import *im, struct gt_csvimport *c)
{
	im->c = c;
	im->res = calloc(c->n_rows ? c->n_rows : 1, sizeof(*im->res));
	if (im->res == NULL || keymap_init(&im->km, c->n_rows) != GT_OK)
		return GT_ENOMEM;
	checker(&im->vc, im->meta, im->h, im->o);
	return GT_OK;
}

/* ---- Formats ---- */

enum gt_import_format gt_import_detect(const uint8_t *buf, size_t len)
{
	return gt_xlsx_is_zip(buf, len) ? GT_IMPORT_XLSX : GT_IMPORT_CSV;
}

/* Converts buf[0..len) from the character set from to UTF-8 into *out (caller frees). Returns
 * 0, GT_EINVAL for a byte the set does not have, GT_ETOOBIG past the import's limit. */
static int to_utf8(const char *from, const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len)
{
	iconv_t cd = iconv_open("UTF-8", from);
	size_t cap, left, room;
	char *in = (char *)buf, *o;
	int rc = GT_OK;

	*out = NULL;
	*out_len = 0;
	if (cd == (iconv_t)-1)
		return GT_ENOTSUP;
	cap = len < GT_CSVIMPORT_MAX_INPUT / 3 ? len * 3 + 4 : GT_CSVIMPORT_MAX_INPUT;
	if ((*out = malloc(cap)) == NULL) {
		iconv_close(cd);
		return GT_ENOMEM;
	}
	o = (char *)*out;
	left = len;
	room = cap;
	if (iconv(cd, &in, &left, &o, &room) == (size_t)-1)
		rc = errno == E2BIG ? GT_ETOOBIG : GT_EINVAL;
	iconv_close(cd);
	if (rc != GT_OK) {
		free(*out);
		*out = NULL;
		return rc;
	}
	*out_len = cap - room;
	return GT_OK;
}

/* Says what a file that is not CSV is, or NULL. */
static const char *not_csv(const uint8_t *buf, size_t len)
{
	static const uint8_t ole[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};

	if (len >= sizeof(ole) && memcmp(buf, ole, sizeof(ole)) == 0)
		return _(
		    "this is an Excel 97-2003 workbook (.xls), which gtsync does not read: open "
		    "it in Excel or LibreOffice and save it as an Excel workbook (.xlsx) or as "
		    "CSV UTF-8, then import that file");
	if (len >= 5 && memcmp(buf, "%PDF-", 5) == 0)
		return _("this is a PDF document, not a table gtsync can read: import the "
		         "spreadsheet the figures come from (.xlsx or .csv)");
	return NULL;
}

/* Decodes a CSV file: a template's grid or DHIS2's columns, converted to UTF-8 first when it
 * is in UTF-16 or Windows-1252 (with a note). */
static int decode_csv(const uint8_t *buf, size_t len, struct gt_csvimport *c)
{
	uint8_t *conv = NULL;
	size_t conv_len = 0;
	const char *from = NULL, *note = NULL, *what = not_csv(buf, len);
	int rc;

	if (what != NULL) {
		gt_csvimport_begin(c);
		gt_csvimport_error(c, 0, "%s", what);
		return GT_EINVAL;
	}
	if (len >= 2 &&
	    ((buf[0] == 0xff && buf[1] == 0xfe) || (buf[0] == 0xfe && buf[1] == 0xff))) {
		from = "UTF-16";
		note = _("the file is in UTF-16 (Excel's \"Unicode text\"); it was read as such");
	} else if (len <= GT_CSVIMPORT_MAX_INPUT &&
	           gt_csv_check_text((const char *)buf, len, GT_CSV_TEXT_BREAKS, NULL) ==
	               GT_CSV_TEXT_BAD_UTF8) {
		from = "CP1252";
		note = _("the file is not UTF-8; it was read as Windows-1252 (Excel's \"CSV\"): "
		         "check the names above, or save it as \"CSV UTF-8\"");
	}
	if (from != NULL) {
		rc = to_utf8(from, buf, len, &conv, &conv_len);
		if (rc == GT_ENOMEM)
			return rc;
		if (rc != GT_OK) {
			gt_csvimport_begin(c);
			gt_csvimport_error(
			    c, 0, "%s",
			    rc == GT_ETOOBIG
			        ? _("the file is larger than the import limit once "
			            "converted to UTF-8")
			        : _("the file is neither UTF-8 nor Windows-1252: save it "
			            "as \"CSV UTF-8\" and import it again"));
			return rc == GT_ETOOBIG ? GT_ETOOBIG : GT_EINVAL;
		}
		buf = conv;
		len = conv_len;
	}
	if (gt_formimport_is_grid(buf, len))
		rc = gt_formimport_grid(buf, len, c);
	else
		rc = gt_csvimport_parse(buf, len, c);
	if (note != NULL)
		snprintf(c->note, sizeof(c->note), "%s", note);
	free(conv);
	return rc;
}

/* The decoders by format. */
static const struct {
	enum gt_import_format format;
	int (*decode)(const uint8_t *buf, size_t len, struct gt_csvimport *c);
} decoders[] = {
    {GT_IMPORT_CSV, decode_csv},
    {GT_IMPORT_XLSX, gt_formimport_xlsx},
};

static int decode(enum gt_import_format f, const uint8_t *buf, size_t len, struct gt_csvimport *c)
{
	if (f == GT_IMPORT_AUTO)
		f = gt_import_detect(buf, len);
	for (size_t i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++)
		if (decoders[i].format == f)
			return decoders[i].decode(buf, len, c);
	return GT_ENOTSUP;
}

int gt_import_buffer(struct gt_home *h, const char *name, const uint8_t *buf, size_t len,
                     const struct gt_import_opts *o, struct gt_import_result *r)
{
	struct gt_import_result local;
	struct import im = {.h = h, .name = name, .o = o};
	struct gt_csvimport *c = calloc(1, sizeof(*c));
	struct gt_progress bar;
	int rc, prc;

	if (r == NULL)
		r = &local;
	memset(r, 0, sizeof(*r));
	if (c == NULL)
		return GT_ENOMEM;
	if ((rc = gt_home_meta(h, "gtsync import", &im.meta)) != GT_OK ||
	    (rc = org_check(h, "gtsync import")) != GT_OK ||
	    (rc = check_options(h, im.meta, o)) != GT_OK)
		goto out;
	/* Decode and check every row; nothing is queued unless every one is good. */
	if ((prc = decode(o->format, buf, len, c)) == GT_ENOMEM || prc == GT_ENOTSUP) {
		rc = prc;
		goto out;
	}
	if (c->note[0] != '\0')
		gt_home_say(h, _("%s: warning: %s"), name, c->note);
	r->rows = c->n_rows;
	if ((rc = import_init(&im, c)) != GT_OK)
		goto out;
	gt_progress_start(&bar, o->progress, 0, C_("progress", "check"), _("rows"), c->n_rows);
	for (size_t i = 0; i < c->n_rows; i++) {
		gt_progress_set(&bar, i + 1, 0);
		check_row(&im, i);
	}
	gt_progress_end(&bar);
	r->errors = c->errors_total;
	if (c->errors_total > 0 || prc != GT_OK) {
		print_errors(&im);
		rc = prc == GT_ETOOBIG ? GT_ETOOBIG : GT_EINVAL;
		goto out;
	}
	if ((rc = queue_all(&im, r)) != GT_OK) {
		gt_home_say(
		    h,
		    _("gtsync import: %s: cannot queue the values: %s. Nothing from this file "
		      "was queued; the outbox is unchanged."),
		    name, gt_cstore_errmsg(h->st));
		goto out;
	}
	r->warnings = check_rules(&im);
	print_summary(o->out, name, r);
out:
	free(im.km.slot);
	for (size_t i = 0; im.res != NULL && i < c->n_rows; i++)
		free(im.res[i].owned);
	free(im.res);
	gt_csvimport_free(c);
	free(c);
	gt_meta_free(im.meta);
	return rc;
}

int gt_import_file(struct gt_home *h, const char *path, const struct gt_import_opts *o,
                   struct gt_import_result *r)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (r != NULL)
		memset(r, 0, sizeof(*r));
	rc = gt_file_read(path, GT_CSVIMPORT_MAX_INPUT, &buf, &len);
	if (rc != GT_OK) {
		gt_home_say(h, _("gtsync import: cannot read %s: %s"), path,
		            rc == GT_ETOOBIG ? _("the file is larger than the import limit")
		                             : gt_error_text(rc));
		return rc;
	}
	rc = gt_import_buffer(h, path, buf, len, o, r);
	free(buf);
	return rc;
}

int gt_import_one(struct gt_home *h, const char *data_element, const char *period, const char *coc,
                  const char *value, const char *comment, int deleted,
                  const struct gt_import_opts *o)
{
	struct gt_meta *meta = NULL;
	struct gt_valcheck vc;
	struct gt_valcheck_value v;
	char why[GT_VALCHECK_MAX_WHY];
	int rc, what = 0;

	if (strcmp(coc, "default") == 0)
		coc = "";
	if ((rc = gt_home_meta(h, "gtsync set", &meta)) != GT_OK)
		return rc;
	if ((rc = org_check(h, "gtsync set")) != GT_OK)
		goto out;
	checker(&vc, meta, h, o);
	v.data_element = data_element;
	v.period = period;
	v.org_unit = h->org;
	v.coc = coc;
	v.value = value ? value : "";
	v.deleted = deleted;
	v.comment = comment;
	if (!deleted && (value == NULL || value[0] == '\0')) {
		gt_home_say(h, _("gtsync set: give a VALUE, or --delete to delete the value"));
		rc = GT_EINVAL;
		goto out;
	}
	if (gt_valcheck_run(&vc, &v, NULL, why) != GT_OK) {
		gt_home_say(h, _("gtsync set: %s; nothing was queued"), why);
		rc = GT_EINVAL;
		goto out;
	}
	struct gt_cstore_value cv = {
	    .data_element = data_element,
	    .period = period,
	    .org_unit = h->org,
	    .coc = coc,
	    .value = deleted ? "" : value,
	    .comment = comment ? comment : "",
	    .dataset = o->dataset ? o->dataset : "",
	    .source = "set",
	    .deleted = deleted,
	};
	rc = gt_cstore_queue(h->st, &cv, gt_clock_wall_ms(), &what);
	if (rc != GT_OK) {
		gt_home_say(h,
		            _("gtsync set: cannot queue the value: %s; the outbox is "
		              "unchanged"),
		            gt_cstore_errmsg(h->st));
		goto out;
	}
	gt_termtext_line(o->out, "set %s %s %s %s: %s", data_element, period, coc[0] ? coc : "-",
	                 deleted ? _("(delete)") : value,
	                 what == GT_CSTORE_UNCHANGED  ? _("unchanged (already entered)")
	                 : what == GT_CSTORE_REPLACED ? _("queued (replacing a queued value)")
	                                              : _("queued"));
out:
	gt_meta_free(meta);
	return rc;
}
