/* Tests for the action-plan catalogues (metadata/ran2020.gtm, rad-*.gtm, achievement.gtm). */
/*
 * The catalogues are read twice: by a small scanner written here, independent of the loader,
 * which checks their structure and compares them with the source documents in ../shared/seeds
 * (skipped when ../shared is absent); and by the loader in common/meta/, which must load them with
 * no error. The seed checks count the RAN's indicators per block straight from the seed text.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "metadata.h"
#include "testutil.h"

#define META_DIR    GT_SOURCE_DIR "/metadata"
#define RAN_FILE    META_DIR "/ran2020.gtm"
#define NTT_FILE    META_DIR "/rad-ntt-2020.gtm"
#define BANTEN_FILE META_DIR "/rad-banten-2017.gtm"
#define ACH_FILE    META_DIR "/achievement.gtm"
#define SEED_RAN    GT_SHARED_DIR "/seeds/000_fe3e0be7774a62bf.txt"
#define SEED_NTT    GT_SHARED_DIR "/seeds/002_5c50fb4b2897c9ac.txt"
#define SEED_BANTEN GT_SHARED_DIR "/seeds/004_861539b47a742229.txt"

/* ---- A small .gtm scanner: records with their attributes, no semantics. ---- */

struct attr {
	char *key;
	char **args;
	size_t nargs;
	unsigned line;
};

struct rec {
	char *kind;
	char *code;
	char *name; /* NULL when absent */
	unsigned line;
	struct attr *attrs;
	size_t nattrs;
};

struct cat {
	struct rec *recs;
	size_t nrecs;
	char err[160]; /* the first syntax error */
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		abort();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (d == NULL)
		abort();
	return d;
}

static void free_tokens(char **toks, int *quoted, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(toks[i]);
	free(toks);
	free(quoted);
}

/* Splits one line into tokens (bare words and quoted strings); returns -1 on a syntax error
 * with a message in err and no tokens. quoted[i] says whether token i was a quoted string. */
static int tokenize(const char *s, size_t n, char ***toks, int **quoted, size_t *ntoks, char *err,
                    size_t errlen)
{
	const char *why = NULL;
	char *t = NULL;
	size_t i = 0;

	*toks = NULL;
	*quoted = NULL;
	*ntoks = 0;
	while (i < n) {
		size_t len = 0;
		int q = 0;

		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= n || s[i] == '#')
			break;
		t = xrealloc(NULL, n + 1);
		if (s[i] == '"') {
			q = 1;
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\') {
					if (i + 1 >= n || (s[i + 1] != '"' && s[i + 1] != '\\')) {
						why = "bad escape";
						goto fail;
					}
					i++;
				}
				t[len++] = s[i];
			}
			if (i >= n) {
				why = "unterminated string";
				goto fail;
			}
			i++;
			if (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '#') {
				why = "text after closing quote";
				goto fail;
			}
		} else {
			while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '#') {
				if (s[i] == '"') {
					why = "quote inside a word";
					goto fail;
				}
				t[len++] = s[i++];
			}
		}
		t[len] = '\0';
		*toks = xrealloc(*toks, (*ntoks + 1) * sizeof(**toks));
		*quoted = xrealloc(*quoted, (*ntoks + 1) * sizeof(**quoted));
		(*toks)[*ntoks] = t;
		(*quoted)[*ntoks] = q;
		(*ntoks)++;
		t = NULL;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s", why);
	free(t);
	free_tokens(*toks, *quoted, *ntoks);
	*toks = NULL;
	*quoted = NULL;
	*ntoks = 0;
	return -1;
}

static void cat_free(struct cat *c)
{
	for (size_t i = 0; i < c->nrecs; i++) {
		struct rec *r = &c->recs[i];

		for (size_t j = 0; j < r->nattrs; j++) {
			for (size_t k = 0; k < r->attrs[j].nargs; k++)
				free(r->attrs[j].args[k]);
			free(r->attrs[j].args);
			free(r->attrs[j].key);
		}
		free(r->attrs);
		free(r->kind);
		free(r->code);
		free(r->name);
	}
	free(c->recs);
	memset(c, 0, sizeof(*c));
}

/* Scans a whole file's text. Returns 0, or -1 with c->err set ("LINE: message"). */
static int cat_scan(struct cat *c, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	unsigned lineno = 0;
	int header = 0;

	memset(c, 0, sizeof(*c));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char **toks, msg[100];
		int *quoted;
		size_t ntoks;

		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (tokenize(p, n, &toks, &quoted, &ntoks, msg, sizeof(msg)) != 0) {
			snprintf(c->err, sizeof(c->err), "%u: %s", lineno, msg);
			return -1;
		}
		if (ntoks == 0) {
			/* blank or comment */
		} else if (!header) {
			if (ntoks != 2 || strcmp(toks[0], "gtsync-metadata") != 0 ||
			    strcmp(toks[1], "1") != 0) {
				snprintf(c->err, sizeof(c->err), "%u: no header", lineno);
				free_tokens(toks, quoted, ntoks);
				return -1;
			}
			header = 1;
		} else if (p[0] != ' ' && p[0] != '\t') {
			struct rec *r;

			if (ntoks < 2 || ntoks > 3 || (ntoks == 3 && !quoted[2])) {
				snprintf(c->err, sizeof(c->err), "%u: bad record line", lineno);
				free_tokens(toks, quoted, ntoks);
				return -1;
			}
			c->recs = xrealloc(c->recs, (c->nrecs + 1) * sizeof(*c->recs));
			r = &c->recs[c->nrecs++];
			memset(r, 0, sizeof(*r));
			r->kind = xstrndup(toks[0], strlen(toks[0]));
			r->code = xstrndup(toks[1], strlen(toks[1]));
			r->name = ntoks == 3 ? xstrndup(toks[2], strlen(toks[2])) : NULL;
			r->line = lineno;
		} else {
			struct rec *r;
			struct attr *a;

			if (c->nrecs == 0) {
				snprintf(c->err, sizeof(c->err), "%u: attribute before any record",
				         lineno);
				free_tokens(toks, quoted, ntoks);
				return -1;
			}
			r = &c->recs[c->nrecs - 1];
			r->attrs = xrealloc(r->attrs, (r->nattrs + 1) * sizeof(*r->attrs));
			a = &r->attrs[r->nattrs++];
			a->key = xstrndup(toks[0], strlen(toks[0]));
			a->nargs = ntoks - 1;
			a->args = xrealloc(NULL, (ntoks) * sizeof(*a->args));
			for (size_t k = 1; k < ntoks; k++)
				a->args[k - 1] = xstrndup(toks[k], strlen(toks[k]));
			a->line = lineno;
		}
		free_tokens(toks, quoted, ntoks);
		p = nl ? nl + 1 : end;
	}
	if (!header) {
		snprintf(c->err, sizeof(c->err), "0: no header");
		return -1;
	}
	return 0;
}

static void cat_load(struct cat *c, const char *path)
{
	size_t len;
	uint8_t *buf = gt_test_read_file(path, &len);

	assert_non_null(buf);
	if (cat_scan(c, (const char *)buf, len) != 0)
		fail_msg("%s:%s", path, c->err);
	free(buf);
}

static const struct rec *cat_find(const struct cat *c, const char *kind, const char *code)
{
	for (size_t i = 0; i < c->nrecs; i++)
		if (strcmp(c->recs[i].kind, kind) == 0 && strcmp(c->recs[i].code, code) == 0)
			return &c->recs[i];
	return NULL;
}

static size_t cat_count(const struct cat *c, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nrecs; i++)
		n += strcmp(c->recs[i].kind, kind) == 0;
	return n;
}

/* The first attribute key of r, or NULL. */
static const struct attr *rec_attr(const struct rec *r, const char *key)
{
	for (size_t i = 0; i < r->nattrs; i++)
		if (strcmp(r->attrs[i].key, key) == 0)
			return &r->attrs[i];
	return NULL;
}

/* The single argument of attribute key, or NULL. */
static const char *rec_arg(const struct rec *r, const char *key)
{
	const struct attr *a = rec_attr(r, key);

	return a != NULL && a->nargs == 1 ? a->args[0] : NULL;
}

static int is_uint(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* A target quantity: "-" or digits with an optional "." and digits. A "." followed by
 * exactly three digits is refused: it is the source's thousands separator ("1.000") left in
 * place; the catalogues hold no quantity with three decimals. */
static int is_qty(const char *s)
{
	const char *dot;

	if (strcmp(s, "-") == 0)
		return 1;
	dot = strchr(s, '.');
	if (dot == NULL)
		return is_uint(s) && (s[0] != '0' || s[1] == '\0');
	if (dot == s || dot[1] == '\0' || strchr(dot + 1, '.') != NULL || strlen(dot + 1) == 3)
		return 0;
	for (const char *q = s; *q; q++)
		if (q != dot && (*q < '0' || *q > '9'))
			return 0;
	return 1;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

#define PROBLEM(...)                                                                               \
	do {                                                                                       \
		if (problems++ == 0)                                                               \
			snprintf(why, whylen, __VA_ARGS__);                                        \
	} while (0)

/*
 * Checks a catalogue's structure: one plan with years and scope; unique codes; blocks of that
 * plan; indicators in existing blocks, coded under their block; actions of existing
 * indicators, coded under their indicator's block; targets with a year in the plan's years, a
 * quantity without thousands separators, a unit and a raw text; schedule years in range;
 * positive source lines; known indicator kinds. Returns the number of problems; the first is
 * described in why.
 */
static size_t check_structure(const struct cat *c, const char *plan, char *why, size_t whylen)
{
	const struct rec *p = cat_find(c, "plan", plan);
	const struct attr *years;
	unsigned first = 0, last = 0;
	size_t problems = 0;

	why[0] = '\0';
	if (p == NULL || cat_count(c, "plan") != 1) {
		PROBLEM("expected exactly one plan %s", plan);
		return problems;
	}
	years = rec_attr(p, "years");
	if (years == NULL || years->nargs != 2 || !is_uint(years->args[0]) ||
	    !is_uint(years->args[1])) {
		PROBLEM("plan %s: bad years", plan);
		return problems;
	}
	first = (unsigned)atoi(years->args[0]);
	last = (unsigned)atoi(years->args[1]);
	if (first > last)
		PROBLEM("plan %s: years reversed", plan);
	if (rec_attr(p, "scope") == NULL)
		PROBLEM("plan %s: no scope", plan);

	for (size_t i = 0; i < c->nrecs; i++) {
		const struct rec *r = &c->recs[i];
		const char *parent_code = NULL;

		for (size_t j = 0; j < i; j++)
			if (strcmp(c->recs[j].kind, r->kind) == 0 &&
			    strcmp(c->recs[j].code, r->code) == 0)
				PROBLEM("%u: duplicate %s %s", r->line, r->kind, r->code);
		if (strcmp(r->kind, "plan") != 0 && r->name == NULL)
			PROBLEM("%u: %s %s has no name", r->line, r->kind, r->code);
		for (size_t j = 0; j < r->nattrs; j++) {
			const struct attr *a = &r->attrs[j];

			if (strcmp(a->key, "line") == 0 &&
			    (a->nargs != 1 || !is_uint(a->args[0]) || atoi(a->args[0]) <= 0))
				PROBLEM("%u: bad line", a->line);
			if (strcmp(a->key, "schedule") == 0)
				for (size_t k = 0; k < a->nargs; k++)
					if (!is_uint(a->args[k]) ||
					    (unsigned)atoi(a->args[k]) < first ||
					    (unsigned)atoi(a->args[k]) > last)
						PROBLEM("%u: schedule year %s outside the plan",
						        a->line, a->args[k]);
			if (strcmp(a->key, "target") == 0) {
				if (a->nargs != 4 || !is_uint(a->args[0]))
					PROBLEM("%u: target needs YEAR QTY UNIT RAW", a->line);
				else if ((unsigned)atoi(a->args[0]) < first ||
				         (unsigned)atoi(a->args[0]) > last)
					PROBLEM("%u: target year %s outside the plan", a->line,
					        a->args[0]);
				else if (!is_qty(a->args[1]))
					PROBLEM("%u: bad quantity \"%s\"", a->line, a->args[1]);
				else if (a->args[3][0] == '\0')
					PROBLEM("%u: empty raw text", a->line);
			}
			if (strcmp(a->key, "kind") == 0 &&
			    (a->nargs != 1 || (strcmp(a->args[0], "process") != 0 &&
			                       strcmp(a->args[0], "result") != 0 &&
			                       strcmp(a->args[0], "output") != 0 &&
			                       strcmp(a->args[0], "outcome") != 0)))
				PROBLEM("%u: bad kind", a->line);
		}
		if (strcmp(r->kind, "block") == 0) {
			const char *bp = rec_arg(r, "plan");

			if (bp == NULL || strcmp(bp, plan) != 0)
				PROBLEM("%u: block %s not in plan %s", r->line, r->code, plan);
			if (!starts_with(r->code, plan) || r->code[strlen(plan)] != '.')
				PROBLEM("%u: block code %s not under %s", r->line, r->code, plan);
		} else if (strcmp(r->kind, "indicator") == 0) {
			parent_code = rec_arg(r, "block");
			if (parent_code == NULL || cat_find(c, "block", parent_code) == NULL)
				PROBLEM("%u: indicator %s: unknown block", r->line, r->code);
			else if (!starts_with(r->code, parent_code) ||
			         r->code[strlen(parent_code)] != '.')
				PROBLEM("%u: indicator %s not coded under %s", r->line, r->code,
				        parent_code);
		} else if (strcmp(r->kind, "action") == 0) {
			const struct rec *ind;

			parent_code = rec_arg(r, "indicator");
			ind = parent_code ? cat_find(c, "indicator", parent_code) : NULL;
			if (ind == NULL) {
				PROBLEM("%u: action %s: unknown indicator", r->line, r->code);
			} else {
				const char *blk = rec_arg(ind, "block");

				if (blk == NULL || !starts_with(r->code, blk) ||
				    r->code[strlen(blk)] != '.')
					PROBLEM("%u: action %s not coded under its block", r->line,
					        r->code);
			}
		} else if (strcmp(r->kind, "plan") != 0) {
			PROBLEM("%u: unexpected record kind %s", r->line, r->kind);
		}
	}
	return problems;
}

/* Counts the indicators of one block. */
static size_t count_in_block(const struct cat *c, const char *block)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nrecs; i++) {
		const char *b;

		if (strcmp(c->recs[i].kind, "indicator") != 0)
			continue;
		b = rec_arg(&c->recs[i], "block");
		n += b != NULL && strcmp(b, block) == 0;
	}
	return n;
}

/* Finds the target of indicator r for year with quantity qty; NULL when there is none. */
static const struct attr *find_target(const struct rec *r, unsigned year, const char *qty)
{
	for (size_t i = 0; i < r->nattrs; i++) {
		const struct attr *a = &r->attrs[i];

		if (strcmp(a->key, "target") == 0 && a->nargs == 4 &&
		    (unsigned)atoi(a->args[0]) == year && strcmp(a->args[1], qty) == 0)
			return a;
	}
	return NULL;
}

static size_t count_attr(const struct rec *r, const char *key)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nattrs; i++)
		n += strcmp(r->attrs[i].key, key) == 0;
	return n;
}

/* The raw text of a target without the "A3 [agency]: " prefix that names its action. */
static const char *raw_cell(const char *raw)
{
	const char *colon;

	if (raw[0] != 'A' || raw[1] < '0' || raw[1] > '9')
		return raw;
	colon = strstr(raw, ": ");
	return colon ? colon + 2 : raw;
}

/* ---- The source documents. ---- */

struct seed {
	char *buf;
	char **lines; /* lines[i] is line i + 1, NUL-terminated */
	size_t n;
};

static void seed_load(struct seed *s, const char *path)
{
	size_t len;
	char *p;

	s->buf = (char *)gt_test_read_file(path, &len);
	assert_non_null(s->buf);
	s->lines = NULL;
	s->n = 0;
	for (p = s->buf; p < s->buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(s->buf + len - p));

		s->lines = xrealloc(s->lines, (s->n + 1) * sizeof(*s->lines));
		s->lines[s->n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
}

static void seed_free(struct seed *s)
{
	free(s->lines);
	free(s->buf);
}

static const char *seed_line(const struct seed *s, unsigned line)
{
	assert_true(line >= 1 && line <= s->n);
	return s->lines[line - 1];
}

/* Copies s without HTML tags, white space and bullets, for comparing texts whose spacing the
 * PDF conversion changed. Caller frees. */
static char *squash(const char *s)
{
	char *d = xrealloc(NULL, strlen(s) + 1), *o = d;

	while (*s) {
		if (*s == '<') {
			const char *gt = strchr(s, '>');

			if (gt != NULL) {
				s = gt + 1;
				continue;
			}
		}
		if (strncmp(s, "\xe2\x80\xa2", 3) == 0) { /* U+2022 bullet */
			s += 3;
			continue;
		}
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			*o++ = *s;
		s++;
	}
	*o = '\0';
	return d;
}

/* Returns 1 if text occurs on seed line `line`, comparing without spaces and markup. */
static int on_line(const struct seed *s, unsigned line, const char *text)
{
	char *l = squash(seed_line(s, line)), *t = squash(text);
	int found = strstr(l, t) != NULL;

	free(l);
	free(t);
	return found;
}

/* Finds "k) " at the start of a cell or after a space, followed by a capital or markup. */
static int has_numbered(const char *from, const char *to, int k)
{
	char pat[16];
	size_t plen = (size_t)snprintf(pat, sizeof(pat), "%d) ", k);

	for (const char *p = from; p + plen < to; p++) {
		if (memcmp(p, pat, plen) != 0)
			continue;
		if (p != from && p[-1] != '\0' && p[-1] != '\t' && p[-1] != ' ')
			continue;
		if ((p[plen] >= 'A' && p[plen] <= 'Z') || p[plen] == '<')
			return 1;
	}
	return 0;
}

/*
 * The RAN matrix in seed 000: blocks start at "Sub Gugus Tugas : ..." lines and at the line
 * "Sekretariat"; the matrix ends at "BAB III". In the six sub task forces the indicators are
 * numbered "1)", "2)", ...: a block's count is how many of 1, 2, 3, ... occur, and they must
 * be consecutive. The secretariat's indicators are unnumbered cells starting with "Jumlah ".
 */
static void count_seed_indicators(const struct seed *s, size_t counts[7], unsigned first_line[7])
{
	size_t nb = 0, end = 0;
	size_t start[8];

	for (size_t i = 0; i < s->n; i++) {
		if (nb < 7 && (starts_with(s->lines[i], "Sub Gugus Tugas : ") ||
		               strcmp(s->lines[i], "Sekretariat") == 0))
			start[nb++] = i;
		if (nb == 7 && starts_with(s->lines[i], "BAB III")) {
			end = i;
			break;
		}
	}
	assert_int_equal(nb, 7);
	assert_true(end > start[6]);
	start[7] = end;
	for (size_t b = 0; b < 7; b++) {
		const char *from = s->lines[start[b]];
		const char *to = s->lines[start[b + 1]];
		size_t found = 0;
		int max = 0;

		first_line[b] = (unsigned)start[b] + 1;
		if (b < 6) {
			for (int k = 1; k < 200; k++) {
				if (has_numbered(from, to, k)) {
					found++;
					max = k;
				}
			}
			assert_int_equal(found, (size_t)max); /* no gaps in the numbering */
		} else {
			for (size_t i = start[b]; i < start[b + 1]; i++) {
				const char *cell = s->lines[i];

				while (cell != NULL) {
					if (starts_with(cell, "Jumlah "))
						found++;
					cell = strchr(cell, '\t');
					if (cell != NULL)
						cell++;
				}
			}
		}
		counts[b] = found;
	}
}

/* ---- Tests ---- */

static const char *const ran_blocks[7] = {
    "RAN2020.PENCEGAHAN", "RAN2020.REHKES",    "RAN2020.REHSOS",      "RAN2020.NORMA",
    "RAN2020.GAKKUM",     "RAN2020.KERJASAMA", "RAN2020.SEKRETARIAT",
};

static void assert_structure(const struct cat *c, const char *plan)
{
	char why[200];
	size_t n = check_structure(c, plan, why, sizeof(why));

	if (n != 0)
		fail_msg("%s: %zu problems, first: %s", plan, n, why);
}

static void ran_structure(void **state)
{
	struct cat c;
	const struct rec *p, *r;
	size_t nblocks = 0, ind_in_order = 0;

	(void)state;
	cat_load(&c, RAN_FILE);
	assert_structure(&c, "RAN2020");
	p = cat_find(&c, "plan", "RAN2020");
	assert_string_equal(rec_attr(p, "years")->args[0], "2020");
	assert_string_equal(rec_attr(p, "years")->args[1], "2024");
	assert_string_equal(rec_arg(p, "scope"), "national");

	/* The seven blocks in the document's order, each with its coordinating ministry. */
	for (size_t i = 0; i < c.nrecs; i++) {
		if (strcmp(c.recs[i].kind, "block") != 0)
			continue;
		assert_true(nblocks < 7);
		assert_string_equal(c.recs[i].code, ran_blocks[nblocks]);
		assert_non_null(rec_arg(&c.recs[i], "lead"));
		nblocks++;
	}
	assert_int_equal(nblocks, 7);
	assert_int_equal(cat_count(&c, "indicator"), 96);
	assert_int_equal(cat_count(&c, "action"), 175);

	/* Indicators are numbered 01, 02, ... within their block, in file order. */
	for (size_t b = 0; b < 7; b++) {
		size_t k = 0;

		for (size_t i = 0; i < c.nrecs; i++) {
			char want[80];
			const char *blk;

			if (strcmp(c.recs[i].kind, "indicator") != 0)
				continue;
			blk = rec_arg(&c.recs[i], "block");
			if (strcmp(blk, ran_blocks[b]) != 0)
				continue;
			snprintf(want, sizeof(want), "%s.%02zu", ran_blocks[b], ++k);
			assert_string_equal(c.recs[i].code, want);
			assert_non_null(rec_arg(&c.recs[i], "line"));
			ind_in_order++;
		}
	}
	assert_int_equal(ind_in_order, 96);

	/* Line 781 of the source: four Puskesmas per kabupaten/kota. */
	r = cat_find(&c, "indicator", "RAN2020.REHKES.01");
	assert_non_null(r);
	assert_int_equal(count_attr(r, "target"), 5);
	assert_non_null(find_target(r, 2020, "230"));
	assert_non_null(find_target(r, 2024, "390"));
	assert_string_equal(find_target(r, 2022, "310")->args[2], "kabupaten/kota");
	assert_string_equal(rec_arg(r, "line"), "781");
	cat_free(&c);
}

static void rad_structure(void **state)
{
	struct cat n, b;
	const struct rec *p, *r;
	size_t kinds[2] = {0, 0};

	(void)state;
	cat_load(&n, NTT_FILE);
	assert_structure(&n, "RADNTT2020");
	p = cat_find(&n, "plan", "RADNTT2020");
	assert_string_equal(rec_attr(p, "scope")->args[0], "province");
	assert_string_equal(rec_attr(p, "scope")->args[1], "53");
	assert_int_equal(cat_count(&n, "block"), 7);
	assert_non_null(cat_find(&n, "block", "RADNTT2020.A1"));
	assert_non_null(cat_find(&n, "block", "RADNTT2020.B4"));
	assert_int_equal(cat_count(&n, "indicator"), 72);
	/* Every action is the activity of one indicator, coded IND.A1. */
	for (size_t i = 0; i < n.nrecs; i++) {
		char want[80];

		if (strcmp(n.recs[i].kind, "action") != 0)
			continue;
		snprintf(want, sizeof(want), "%s.A1", rec_arg(&n.recs[i], "indicator"));
		assert_string_equal(n.recs[i].code, want);
	}
	r = cat_find(&n, "indicator", "RADNTT2020.B3.B.01");
	assert_non_null(find_target(r, 2020, "10"));
	assert_non_null(find_target(r, 2024, "50"));
	assert_string_equal(find_target(r, 2022, "30")->args[2], "ORANG");
	cat_free(&n);

	cat_load(&b, BANTEN_FILE);
	assert_structure(&b, "RADBANTEN2017");
	p = cat_find(&b, "plan", "RADBANTEN2017");
	assert_string_equal(rec_attr(p, "scope")->args[1], "36");
	assert_int_equal(cat_count(&b, "block"), 38);
	assert_int_equal(cat_count(&b, "indicator"), 76);
	assert_int_equal(cat_count(&b, "action"), 38);
	for (size_t i = 0; i < b.nrecs; i++) {
		const char *kind;

		if (strcmp(b.recs[i].kind, "indicator") != 0)
			continue;
		kind = rec_arg(&b.recs[i], "kind");
		assert_non_null(kind);
		kinds[strcmp(kind, "process") == 0 ? 0 : 1]++;
		assert_non_null(rec_attr(&b.recs[i], "schedule"));
	}
	assert_int_equal(kinds[0], 38);
	assert_int_equal(kinds[1], 38);
	r = cat_find(&b, "indicator", "RADBANTEN2017.GAKKUM.03.H");
	assert_non_null(r);
	assert_int_equal(count_attr(r, "target"), 5);
	assert_string_equal(find_target(r, 2019, "6")->args[2], "kab/kota");
	cat_free(&b);
}

static void achievement_structure(void **state)
{
	static const char *const sets[3][3] = {
	    {"ACH_RAN2020", "RAN2020", "national province"},
	    {"ACH_RADNTT2020", "RADNTT2020", "province district"},
	    {"ACH_RADBANTEN2017", "RADBANTEN2017", "province district"},
	};
	struct cat c;

	(void)state;
	cat_load(&c, ACH_FILE);
	assert_int_equal(cat_count(&c, "dataset"), 3);
	assert_int_equal(cat_count(&c, "element"), 0); /* ACH is built in, and reserved */
	for (size_t i = 0; i < 3; i++) {
		const struct rec *r = cat_find(&c, "dataset", sets[i][0]);
		const struct attr *lv;
		char levels[64] = "";

		assert_non_null(r);
		assert_string_equal(rec_arg(r, "period"), "yearly");
		assert_string_equal(rec_arg(r, "plan"), sets[i][1]);
		lv = rec_attr(r, "levels");
		assert_non_null(lv);
		for (size_t k = 0; k < lv->nargs; k++) {
			if (k > 0)
				strcat(levels, " ");
			strcat(levels, lv->args[k]);
		}
		assert_string_equal(levels, sets[i][2]);
	}
	cat_free(&c);
}

/* The scanner and the structure check refuse what they should: the checks can fail. */
static void checker_catches_breakage(void **state)
{
	static const char *const bad[] = {
	    /* action naming a missing indicator */
	    "gtsync-metadata 1\nplan P \"p\"\n  years 2020 2021\n  scope national\n"
	    "block P.B \"b\"\n  plan P\nindicator P.B.01 \"i\"\n  block P.B\n"
	    "action P.B.01.A1 \"a\"\n  indicator P.B.02\n",
	    /* target outside the plan's years */
	    "gtsync-metadata 1\nplan P \"p\"\n  years 2020 2021\n  scope national\n"
	    "block P.B \"b\"\n  plan P\nindicator P.B.01 \"i\"\n  block P.B\n"
	    "  target 2025 1 \"kali\" \"1 kali\"\n",
	    /* the source's thousands separator left in a quantity */
	    "gtsync-metadata 1\nplan P \"p\"\n  years 2020 2021\n  scope national\n"
	    "block P.B \"b\"\n  plan P\nindicator P.B.01 \"i\"\n  block P.B\n"
	    "  target 2020 1.000 \"orang\" \"1.000 orang\"\n",
	    /* duplicate indicator code */
	    "gtsync-metadata 1\nplan P \"p\"\n  years 2020 2021\n  scope national\n"
	    "block P.B \"b\"\n  plan P\nindicator P.B.01 \"i\"\n  block P.B\n"
	    "indicator P.B.01 \"j\"\n  block P.B\n",
	    /* indicator coded outside its block */
	    "gtsync-metadata 1\nplan P \"p\"\n  years 2020 2021\n  scope national\n"
	    "block P.B \"b\"\n  plan P\nindicator P.C.01 \"i\"\n  block P.B\n",
	};
	static const char *const unreadable[] = {
	    "plan P \"p\"\n",                                       /* no header */
	    "gtsync-metadata 1\nplan P \"p\n",                      /* unterminated string */
	    "gtsync-metadata 1\n  years 2020 2021\n",               /* attribute first */
	    "gtsync-metadata 1\nplan P \"p\"\n  source \"a\\q\"\n", /* bad escape */
	};
	char why[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cat c;

		assert_int_equal(cat_scan(&c, bad[i], strlen(bad[i])), 0);
		assert_true(check_structure(&c, "P", why, sizeof(why)) > 0);
		assert_true(why[0] != '\0');
		cat_free(&c);
	}
	for (size_t i = 0; i < sizeof(unreadable) / sizeof(unreadable[0]); i++) {
		struct cat c;

		assert_int_equal(cat_scan(&c, unreadable[i], strlen(unreadable[i])), -1);
		assert_true(c.err[0] != '\0');
		cat_free(&c);
	}
}

static void dump_errors(const struct gt_meta_errors *errs)
{
	for (size_t i = 0; i < errs->count; i++)
		fprintf(stderr, "%s\n", errs->items[i].text);
}

/* The catalogues load through the loader (common/meta/), and both readers agree on them. */
static void catalogues_load(void **state)
{
	static const char *const files[] = {RAN_FILE, NTT_FILE, BANTEN_FILE};
	struct gt_meta_errors errs;
	struct gt_meta *m = NULL;
	const struct gt_meta_indicator *ind;
	const struct gt_meta_dataset *ds;
	struct gt_meta_key key;
	const char *why = NULL;
	static const double want[5] = {230, 270, 310, 350, 390};
	int rc;

	(void)state;
	rc = gt_meta_load_dir(META_DIR, &m, &errs);
	dump_errors(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(errs.count, 0);
	assert_int_equal(m->nplans, 3);
	assert_int_equal(m->nindicators, 96 + 72 + 76);
	assert_null(gt_meta_plan_find(m, "RAN2020")->scope_province);
	assert_string_equal(gt_meta_plan_find(m, "RADNTT2020")->scope_province, "53");
	assert_string_equal(gt_meta_plan_find(m, "RADBANTEN2017")->scope_province, "36");

	ind = gt_meta_indicator_find(m, "RAN2020.REHKES.01");
	assert_non_null(ind);
	assert_int_equal(ind->source_line, 781);
	assert_int_equal(ind->ntargets, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(ind->targets[i].year, 2020 + i);
		assert_true(ind->targets[i].has_quantity);
		assert_true(ind->targets[i].quantity == want[i]);
		assert_string_equal(ind->targets[i].unit, "kabupaten/kota");
	}

	/* Achievement is entered per indicator of the data set's own plan only. */
	assert_int_equal(
	    gt_meta_resolve(m, "ACH_RAN2020", GT_META_ACH_CODE, "RAN2020.REHKES.01", &key, &why),
	    0);
	assert_ptr_equal(key.dataset, gt_meta_dataset_find(m, "ACH_RAN2020"));
	assert_int_equal(
	    gt_meta_resolve(m, "ACH_RAN2020", GT_META_ACH_CODE, "RADNTT2020.B3.B.01", &key, &why),
	    GT_EINVAL);
	assert_int_equal(gt_meta_resolve(m, "ACH_RADNTT2020", GT_META_ACH_CODE,
	                                 "RADNTT2020.B3.B.01", &key, &why),
	                 0);
	assert_int_not_equal(gt_meta_resolve(m, "ACH_RADBANTEN2017", GT_META_ACH_CODE,
	                                     "RADBANTEN2017.NOPE.01.H", &key, &why),
	                     0);
	ds = gt_meta_dataset_find(m, "ACH_RADBANTEN2017");
	assert_non_null(ds);
	assert_true(gt_meta_dataset_reports_at(ds, GT_META_LEVEL_DISTRICT));
	assert_false(gt_meta_dataset_reports_at(ds, GT_META_LEVEL_NATIONAL));
	assert_true(gt_meta_dataset_reports_at(gt_meta_dataset_find(m, "ACH_RAN2020"),
	                                       GT_META_LEVEL_NATIONAL));

	/* The scanner here and the loader see the same indicators, targets and actions. */
	for (size_t f = 0; f < 3; f++) {
		struct cat c;

		cat_load(&c, files[f]);
		for (size_t i = 0; i < c.nrecs; i++) {
			const struct rec *r = &c.recs[i];

			if (strcmp(r->kind, "indicator") == 0) {
				ind = gt_meta_indicator_find(m, r->code);
				assert_non_null(ind);
				assert_int_equal(ind->ntargets, count_attr(r, "target"));
				assert_string_equal(ind->name, r->name);
			} else if (strcmp(r->kind, "action") == 0) {
				assert_non_null(gt_meta_action_find(m, r->code));
			} else if (strcmp(r->kind, "block") == 0) {
				assert_non_null(gt_meta_block_find(m, r->code));
			}
		}
		cat_free(&c);
	}
	gt_meta_errors_clear(&errs);
	gt_meta_free(m);
}

/* A broken copy of the RAN catalogue is refused by the loader with its file and line. */
static void broken_catalogue_refused(void **state)
{
	size_t len;
	char *buf = (char *)gt_test_read_file(RAN_FILE, &len), *at;
	const char *name = "ran2020.gtm";
	const uint8_t *bufs[1];
	struct gt_meta_errors errs;
	struct gt_meta *m = NULL;
	unsigned line = 1;
	char want[64];
	int rc, found = 0;

	(void)state;
	assert_non_null(buf);
	at = strstr(buf, "  target 2024 390 ");
	assert_non_null(at);
	memcpy(at + strlen("  target "), "2025", 4); /* a year outside 2020-2024 */
	for (const char *p = buf; p < at; p++)
		line += *p == '\n';
	bufs[0] = (const uint8_t *)buf;
	rc = gt_meta_load_buffers(&name, bufs, &len, 1, &m, &errs);
	assert_int_not_equal(rc, 0);
	assert_null(m);
	snprintf(want, sizeof(want), "ran2020.gtm:%u:", line);
	for (size_t i = 0; i < errs.count; i++)
		found |= starts_with(errs.items[i].text, want);
	if (!found)
		dump_errors(&errs);
	assert_true(found);
	gt_meta_errors_clear(&errs);
	free(buf);
}

/* One indicator's expected targets, and the seed line that prints them. */
struct spot {
	const char *code;
	unsigned ind_line; /* the indicator's "line" */
	unsigned val_line; /* the seed line holding the values */
	unsigned year[5];
	const char *qty[5];
	const char *unit[5];
};

static void check_spot(const struct cat *c, const struct seed *s, const struct spot *sp)
{
	const struct rec *r = cat_find(c, "indicator", sp->code);
	char line[16];

	if (r == NULL)
		fail_msg("no indicator %s", sp->code);
	snprintf(line, sizeof(line), "%u", sp->ind_line);
	assert_string_equal(rec_arg(r, "line"), line);
	for (size_t i = 0; i < 5 && sp->year[i] != 0; i++) {
		const struct attr *t = find_target(r, sp->year[i], sp->qty[i]);

		if (t == NULL)
			fail_msg("%s: no target %u %s", sp->code, sp->year[i], sp->qty[i]);
		assert_string_equal(t->args[2], sp->unit[i]);
		if (!on_line(s, sp->val_line, raw_cell(t->args[3])))
			fail_msg("%s: \"%s\" is not on seed line %u", sp->code, t->args[3],
			         sp->val_line);
	}
}

#define Y5                                                                                         \
	{                                                                                          \
		2020, 2021, 2022, 2023, 2024                                                       \
	}

static void ran_matches_seed(void **state)
{
	static const struct spot spots[] = {
	    {"RAN2020.REHKES.01",
	     781,
	     781,
	     Y5,
	     {"230", "270", "310", "350", "390"},
	     {"kabupaten/kota", "kabupaten/kota", "kabupaten/kota", "kabupaten/kota",
	      "kabupaten/kota"}},
	    {"RAN2020.PENCEGAHAN.28",
	     720,
	     720,
	     Y5,
	     {"5900", "5800", "5700", "5600", "5500"},
	     {"paspor", "paspor", "paspor", "paspor", "paspor"}},
	    {"RAN2020.PENCEGAHAN.17",
	     537,
	     537,
	     {2020, 2020, 2022, 2022},
	     {"49061", "16679", "10000", "7164"},
	     {"orang (PKK)", "orang (PKW)", "orang (PKK)", "orang (PKW)"}},
	    {"RAN2020.REHSOS.05",
	     925,
	     925,
	     Y5,
	     {"3", "5", "6", "6", "6"},
	     {"lembaga layanan", "lembaga layanan", "lembaga layanan", "lembaga layanan",
	      "lembaga layanan"}},
	    {"RAN2020.REHSOS.12",
	     1012,
	     1026,
	     Y5,
	     {"17382", "18000", "14000", "13000", "10500"},
	     {"orang", "orang", "orang", "orang", "orang"}},
	    {"RAN2020.NORMA.02",
	     1118,
	     1118,
	     Y5,
	     {"-", "1", "-", "1", "1"},
	     {"", "dokumen", "", "dokumen", "dokumen"}},
	    {"RAN2020.GAKKUM.10",
	     1316,
	     1316,
	     Y5,
	     {"150", "175", "200", "225", "250"},
	     {"korban", "korban", "korban", "korban", "korban"}},
	    {"RAN2020.KERJASAMA.03",
	     1364,
	     1364,
	     Y5,
	     {"1", "2", "3", "4", "5"},
	     {"MoU", "MoU", "MoU", "MoU", "MoU"}},
	    {"RAN2020.SEKRETARIAT.03",
	     1495,
	     1495,
	     Y5,
	     {"3", "4", "4", "5", "5"},
	     {"paket", "paket", "paket", "paket", "paket"}},
	};
	struct seed s;
	struct cat c;
	size_t counts[7];
	unsigned first_line[7];
	char *region;

	(void)state;
	if (!gt_test_have_shared())
		skip();
	seed_load(&s, SEED_RAN);
	cat_load(&c, RAN_FILE);

	/* Indicators per block: the catalogue against a count straight from the seed text. */
	count_seed_indicators(&s, counts, first_line);
	for (size_t b = 0; b < 7; b++) {
		char line[16];

		if (count_in_block(&c, ran_blocks[b]) != counts[b])
			fail_msg("%s: catalogue has %zu indicators, the seed %zu", ran_blocks[b],
			         count_in_block(&c, ran_blocks[b]), counts[b]);
		snprintf(line, sizeof(line), "%u", first_line[b]);
		assert_string_equal(rec_arg(cat_find(&c, "block", ran_blocks[b]), "line"), line);
	}
	assert_int_equal(
	    counts[0] + counts[1] + counts[2] + counts[3] + counts[4] + counts[5] + counts[6], 96);

	/* The line 781 row, cell by cell. */
	{
		const char *l = seed_line(&s, 781);

		assert_non_null(strstr(l,
		                       "\t230 kabupaten/kota\t270 kabupaten/kota\t310 "
		                       "kabupaten/kota\t350 kabupaten/kota\t390 kabupaten/kota\t"));
		assert_non_null(strstr(l, "minimal 4 (empat) Puskesmas mampu tatalaksana KTP/A"));
	}
	for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++)
		check_spot(&c, &s, &spots[i]);

	/*
	 * Nothing invented: every action's name starts on the seed line it cites, and every
	 * target's raw text occurs in the matrix (both compared without spaces and markup).
	 */
	{
		size_t total = 0, off = 0;
		char *sq;

		for (unsigned l = first_line[0]; l <= s.n; l++) {
			if (starts_with(s.lines[l - 1], "BAB III"))
				break;
			total += strlen(s.lines[l - 1]) + 1;
		}
		region = xrealloc(NULL, total + 1);
		for (unsigned l = first_line[0]; l <= s.n; l++) {
			size_t n = strlen(s.lines[l - 1]);

			if (starts_with(s.lines[l - 1], "BAB III"))
				break;
			memcpy(region + off, s.lines[l - 1], n);
			off += n;
			region[off++] = '\n';
		}
		region[off] = '\0';
		sq = squash(region);
		free(region);
		region = sq;
	}
	for (size_t i = 0; i < c.nrecs; i++) {
		const struct rec *r = &c.recs[i];

		if (strcmp(r->kind, "action") == 0) {
			char *name = squash(r->name);
			char *l = squash(seed_line(&s, (unsigned)atoi(rec_arg(r, "line"))));

			if (strlen(name) > 24)
				name[24] = '\0';
			if (strstr(l, name) == NULL)
				fail_msg("%s: \"%s\" not on seed line %s", r->code, name,
				         rec_arg(r, "line"));
			free(name);
			free(l);
		}
		for (size_t j = 0; j < r->nattrs; j++) {
			const struct attr *a = &r->attrs[j];
			char *raw;

			if (strcmp(a->key, "target") != 0)
				continue;
			raw = squash(raw_cell(a->args[3]));
			if (strstr(region, raw) == NULL)
				fail_msg("%s: target \"%s\" not in the seed", r->code, a->args[3]);
			free(raw);
		}
	}
	free(region);
	cat_free(&c);
	seed_free(&s);
}

/* Splits seed line `line` of the Banten matrix at "|" and returns the years whose schedule
 * cell (columns 7 to 11 of the table) holds an X. */
static size_t banten_flags(const struct seed *s, unsigned line, unsigned years[5])
{
	char *l = strdup(seed_line(s, line)), *cell;
	size_t col = 0, n = 0;

	assert_non_null(l);
	/* strtok would merge empty cells: walk the separators by hand. */
	cell = l;
	while (cell != NULL) {
		char *bar = strchr(cell, '|');
		char *b, *e;

		if (bar != NULL)
			*bar = '\0';
		for (b = cell; *b == ' '; b++)
			;
		for (e = b + strlen(b); e > b && e[-1] == ' '; e--)
			;
		*e = '\0';
		/* col 0 is before the leading "|"; the flags are table columns 7..11 */
		if (col >= 7 && col <= 11 && (strcmp(b, "X") == 0 || strcmp(b, "x") == 0))
			years[n++] = 2017 + (unsigned)(col - 7);
		col++;
		cell = bar != NULL ? bar + 1 : NULL;
	}
	free(l);
	return n;
}

static void rad_matches_seed(void **state)
{
	static const struct spot ntt_spots[] = {
	    {"RADNTT2020.B3.B.01",
	     191,
	     191,
	     Y5,
	     {"10", "20", "30", "40", "50"},
	     {"ORANG", "ORANG", "ORANG", "ORANG", "ORANG"}},
	    {"RADNTT2020.A1.F.04",
	     126,
	     126,
	     Y5,
	     {"0", "10", "10", "10", "10"},
	     {"", "PAKET", "PAKET", "PAKET", "PAKET"}},
	    {"RADNTT2020.A1.B.01", 102, 102, {2022}, {"1"}, {"KEGIATAN"}},
	    {"RADNTT2020.A2.D.01",
	     132,
	     132,
	     Y5,
	     {"50", "50", "50", "50", "50"},
	     {"PERUSAHAAN", "PERUSAHAAN", "PERUSAHAAN", "PERUSAHAAN", "PERUSAHAAN"}},
	};
	static const struct spot banten_spots[] = {
	    {"RADBANTEN2017.GAKKUM.03.H",
	     136,
	     136,
	     {2017, 2018, 2019, 2020, 2021},
	     {"6", "6", "6", "6", "6"},
	     {"kab/kota", "kab/kota", "kab/kota", "kab/kota", "kab/kota"}},
	    {"RADBANTEN2017.REHSOS.07.H",
	     39,
	     39,
	     {2017, 2021},
	     {"100", "100"},
	     {"% TKI memahami TPPO", "% TKI memahami TPPO"}},
	};
	struct seed s;
	struct cat c;
	const struct rec *r;
	size_t checked = 0;

	(void)state;
	if (!gt_test_have_shared())
		skip();

	seed_load(&s, SEED_NTT);
	cat_load(&c, NTT_FILE);
	for (size_t i = 0; i < sizeof(ntt_spots) / sizeof(ntt_spots[0]); i++)
		check_spot(&c, &s, &ntt_spots[i]);
	r = cat_find(&c, "indicator", "RADNTT2020.A1.B.01");
	assert_int_equal(count_attr(r, "target"), 1); /* only 2022 is filled in the source */
	/* Every NTT target's raw text is printed on the indicator's own row. */
	for (size_t i = 0; i < c.nrecs; i++) {
		r = &c.recs[i];
		if (strcmp(r->kind, "indicator") != 0)
			continue;
		for (size_t j = 0; j < r->nattrs; j++) {
			const struct attr *a = &r->attrs[j];

			if (strcmp(a->key, "target") != 0)
				continue;
			if (!on_line(&s, (unsigned)atoi(rec_arg(r, "line")), a->args[3]))
				fail_msg("%s: \"%s\" not on seed line %s", r->code, a->args[3],
				         rec_arg(r, "line"));
			checked++;
		}
	}
	assert_true(checked > 300);
	cat_free(&c);
	seed_free(&s);

	seed_load(&s, SEED_BANTEN);
	cat_load(&c, BANTEN_FILE);
	for (size_t i = 0; i < sizeof(banten_spots) / sizeof(banten_spots[0]); i++)
		check_spot(&c, &s, &banten_spots[i]);
	/* Every block's schedule is the row's X flags in the source. */
	checked = 0;
	for (size_t i = 0; i < c.nrecs; i++) {
		char code[80];
		unsigned years[5];
		size_t n;
		const struct attr *sch;

		r = &c.recs[i];
		if (strcmp(r->kind, "block") != 0)
			continue;
		n = banten_flags(&s, (unsigned)atoi(rec_arg(r, "line")), years);
		assert_true(n > 0);
		snprintf(code, sizeof(code), "%s.P", r->code);
		sch = rec_attr(cat_find(&c, "indicator", code), "schedule");
		assert_non_null(sch);
		assert_int_equal(sch->nargs, n);
		for (size_t k = 0; k < n; k++)
			assert_int_equal((unsigned)atoi(sch->args[k]), years[k]);
		checked++;
	}
	assert_int_equal(checked, 38);
	/* Row 17: shelters, flagged 2018 and 2019 only. */
	r = cat_find(&c, "indicator", "RADBANTEN2017.REHSOS.01.H");
	assert_string_equal(rec_attr(r, "schedule")->args[0], "2018");
	assert_string_equal(rec_attr(r, "schedule")->args[1], "2019");
	assert_int_equal(rec_attr(r, "schedule")->nargs, 2);
	cat_free(&c);
	seed_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ran_structure),         cmocka_unit_test(rad_structure),
	    cmocka_unit_test(achievement_structure), cmocka_unit_test(checker_catches_breakage),
	    cmocka_unit_test(catalogues_load),       cmocka_unit_test(broken_catalogue_refused),
	    cmocka_unit_test(ran_matches_seed),      cmocka_unit_test(rad_matches_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
