/* Loads .gtm metadata files (metadata/FORMAT.md) into an immutable, validated model. */
#define _GNU_SOURCE
#include "metadata.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "error.h"

/* ------------------------------------------------------------------------------------------ */
/* Arena: every string and array of a loaded set lives here and is freed at once. */

#define ARENA_CHUNK (64u * 1024u)
#define ARENA_ALIGN 16u

struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *head;
};

/* Returns n zeroed bytes from a, or NULL when out of memory. */
static void *gt__meta_arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t size;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (n == 0)
		n = ARENA_ALIGN;
	if (c != NULL && c->cap - c->used >= n) {
		void *p = (unsigned char *)c->data + c->used;
		c->used += n;
		return p;
	}
	size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
	c = calloc(1, sizeof(*c) + size);
	if (c == NULL)
		return NULL;
	c->cap = size;
	c->used = n;
	if (a->head != NULL && n > ARENA_CHUNK / 2) {
		/* A big block gets its own chunk behind the current one, which stays in use. */
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = a->head;
		a->head = c;
	}
	return c->data;
}

static void gt__meta_arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;

	while (c != NULL) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

static char *gt__meta_arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = gt__meta_arena_alloc(a, len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* Returns arr if it has room for one more element, else a copy twice as large; NULL when out
 * of memory. The old block stays in the arena. */
static void *gt__meta_vec_grow(struct arena *a, void *arr, uint32_t n, uint32_t *cap, size_t elem)
{
	uint32_t ncap;
	void *p;

	if (n < *cap)
		return arr;
	if (*cap > UINT32_MAX / 2)
		return NULL;
	ncap = *cap ? *cap * 2 : 4;
	p = gt__meta_arena_alloc(a, (size_t)ncap * elem);
	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, arr, (size_t)n * elem);
	*cap = ncap;
	return p;
}

/* Makes room for one more element in arr (n used, cap allocated); false when out of memory. */
#define VEC_ROOM(L, arr, n, cap)                                                                   \
	(((n) < (cap)) ||                                                                          \
	 ((arr) = gt__meta_vec_grow(&(L)->ix->arena, (arr), (n), &(cap), sizeof(*(arr)))) != NULL)

/* ------------------------------------------------------------------------------------------ */
/* Record kinds and their code tables (open addressing, FNV-1a). */

enum kind {
	K_COMBO,
	K_ELEMENT,
	K_DATASET,
	K_RULE,
	K_PLAN,
	K_BLOCK,
	K_INDICATOR,
	K_ACTION,
	K_COUNT,
};

static const char *const gt__meta_kind_words[K_COUNT] = {
    "categorycombo", "element", "dataset", "rule", "plan", "block", "indicator", "action",
};

static const char *const gt__meta_kind_text[K_COUNT] = {
    "category combo", "element", "data set", "rule", "plan", "block", "indicator", "action",
};

struct ktab {
	void **recs;        /* wrapper records, load order */
	const char **codes; /* their codes */
	uint32_t n;
	uint32_t cap;
	uint32_t *slots; /* record index + 1; 0 is empty */
	uint32_t nslots; /* a power of two, or 0 */
};

struct gt_meta__index {
	struct arena arena;
	struct ktab tabs[K_COUNT];
	struct gt_meta_combo default_combo;
	struct gt_meta_option default_option;
	uint32_t default_sorted;
};

static uint32_t hash_code(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

static uint32_t gt__meta_ktab_find(const struct ktab *t, const char *code)
{
	uint32_t mask, i;

	if (t->nslots == 0)
		return UINT32_MAX;
	mask = t->nslots - 1;
	i = hash_code(code) & mask;
	for (;;) {
		uint32_t s = t->slots[i];
		if (s == 0)
			return UINT32_MAX;
		if (strcmp(t->codes[s - 1], code) == 0)
			return s - 1;
		i = (i + 1) & mask;
	}
}

static void ktab_insert_slot(struct ktab *t, uint32_t idx)
{
	uint32_t mask = t->nslots - 1;
	uint32_t i = hash_code(t->codes[idx]) & mask;

	while (t->slots[i] != 0)
		i = (i + 1) & mask;
	t->slots[i] = idx + 1;
}

/* Appends rec with code to t (the caller has checked that code is new). */
static int gt__meta_ktab_add(struct arena *a, struct ktab *t, const char *code, void *rec)
{
	if (t->n == t->cap) {
		uint32_t cap = t->cap;
		void **recs = gt__meta_vec_grow(a, t->recs, t->n, &cap, sizeof(*recs));
		const char **codes;
		if (recs == NULL)
			return GT_ENOMEM;
		cap = t->cap;
		codes = gt__meta_vec_grow(a, t->codes, t->n, &cap, sizeof(*codes));
		if (codes == NULL)
			return GT_ENOMEM;
		t->recs = recs;
		t->codes = codes;
		t->cap = cap;
	}
	t->recs[t->n] = rec;
	t->codes[t->n] = code;
	t->n++;
	if ((uint64_t)t->n * 2 > t->nslots) {
		uint32_t nslots = t->nslots ? t->nslots * 2 : 16;
		uint32_t *slots = gt__meta_arena_alloc(a, (size_t)nslots * sizeof(*slots));
		if (slots == NULL)
			return GT_ENOMEM;
		t->slots = slots;
		t->nslots = nslots;
		for (uint32_t i = 0; i < t->n; i++)
			ktab_insert_slot(t, i);
	} else {
		ktab_insert_slot(t, t->n - 1);
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Records while loading: the public struct first, then what resolution needs. */

struct ref {
	const char *code; /* NULL when the attribute was absent */
	unsigned line;
};

struct w_head {
	uint32_t fidx;
	uint32_t seen; /* bit i: attribute i of the kind's table given */
	bool broken;   /* an attribute line had an error: skip "has no ..." checks */
};

struct w_option {
	struct gt_meta_option pub;
	unsigned line;
};

struct w_combo {
	struct gt_meta_combo pub;
	struct w_head h;
	struct w_option *opts;
	uint32_t nopts, capopts;
};

struct w_element {
	struct gt_meta_element pub;
	struct w_head h;
	struct ref combo;
	unsigned type_line;
	unsigned agg_line;
	unsigned maxlen_line;
};

struct w_dataset {
	struct gt_meta_dataset pub;
	struct w_head h;
	struct ref *elems;
	uint32_t nelems, capelems;
	struct ref plan;
};

struct w_operand {
	int sign;
	const char *text;
	unsigned line;
};

struct w_rule {
	struct gt_meta_rule pub;
	struct w_head h;
	struct ref dataset;
	struct w_operand *side[2];
	uint32_t nside[2], capside[2];
};

struct w_plan {
	struct gt_meta_plan pub;
	struct w_head h;
};

struct tlist {
	const char **items;
	uint32_t n, cap;
};

struct w_year {
	uint16_t year;
	unsigned line;
};

struct ylist {
	struct w_year *items;
	uint32_t n, cap;
};

struct w_block {
	struct gt_meta_block pub;
	struct w_head h;
	struct ref plan;
	struct tlist coord;
};

struct w_target {
	struct gt_meta_target pub;
	unsigned line;
};

struct w_indicator {
	struct gt_meta_indicator pub;
	struct w_head h;
	struct ref block;
	struct w_target *targets;
	uint32_t ntargets, captargets;
	struct ylist sched;
	struct tlist resp, coord, impl;
};

struct w_action {
	struct gt_meta_action pub;
	struct w_head h;
	struct ref indicator;
	struct ylist sched;
	struct tlist resp, coord, impl;
};

/* Attribute keywords per kind; the index is the bit in w_head.seen. */
struct kwdef {
	const char *word;
	unsigned char min; /* arguments */
	unsigned char max; /* 0: any number */
	bool repeat;
};

enum { A_OPTION };
static const struct kwdef kw_combo[] = {{"option", 1, 2, true}, {NULL, 0, 0, false}};

enum { A_TYPE, A_AGGREGATION, A_COMBO, A_EDESCRIPTION, A_MAXLENGTH };
static const struct kwdef kw_element[] = {
    {"type", 1, 1, false},        {"aggregation", 1, 1, false}, {"combo", 1, 1, false},
    {"description", 1, 1, false}, {"maxlength", 1, 1, false},   {NULL, 0, 0, false},
};

enum { A_PERIOD, A_LEVELS, A_TIMELY, A_EXPIRY, A_ELEMENTS, A_DPLAN, A_DDESCRIPTION };
static const struct kwdef kw_dataset[] = {
    {"period", 1, 1, false},      {"levels", 1, 0, false},  {"timely", 1, 1, false},
    {"expiry", 1, 1, false},      {"elements", 1, 0, true}, {"plan", 1, 1, false},
    {"description", 1, 1, false}, {NULL, 0, 0, false},
};

enum { A_RDATASET, A_LEFT, A_OP, A_RIGHT, A_MISSING, A_RDESCRIPTION };
static const struct kwdef kw_rule[] = {
    {"dataset", 1, 1, false}, {"left", 1, 0, false},    {"op", 1, 1, false},
    {"right", 1, 0, false},   {"missing", 1, 1, false}, {"description", 1, 1, false},
    {NULL, 0, 0, false},
};

enum { A_YEARS, A_SCOPE, A_SOURCE };
static const struct kwdef kw_plan[] = {
    {"years", 2, 2, false},
    {"scope", 1, 2, false},
    {"source", 1, 1, false},
    {NULL, 0, 0, false},
};

enum { A_BPLAN, A_LEAD, A_BCOORDINATOR, A_BLINE };
static const struct kwdef kw_block[] = {
    {"plan", 1, 1, false}, {"lead", 1, 1, false}, {"coordinator", 1, 0, true},
    {"line", 1, 1, false}, {NULL, 0, 0, false},
};

enum {
	A_IBLOCK,
	A_TARGET,
	A_ISCHEDULE,
	A_IRESPONSIBLE,
	A_ICOORDINATOR,
	A_IIMPLEMENTER,
	A_IGROUP,
	A_CHALLENGE,
	A_OBJECTIVE,
	A_KIND,
	A_ILINE,
};
static const struct kwdef kw_indicator[] = {
    {"block", 1, 1, false},      {"target", 4, 4, true},      {"schedule", 1, 0, true},
    {"responsible", 1, 0, true}, {"coordinator", 1, 0, true}, {"implementer", 1, 0, true},
    {"group", 1, 1, false},      {"challenge", 1, 1, false},  {"objective", 1, 1, false},
    {"kind", 1, 1, false},       {"line", 1, 1, false},       {NULL, 0, 0, false},
};

enum {
	A_AINDICATOR,
	A_ARESPONSIBLE,
	A_ACOORDINATOR,
	A_AIMPLEMENTER,
	A_ASCHEDULE,
	A_AGROUP,
	A_ALINE,
};
static const struct kwdef kw_action[] = {
    {"indicator", 1, 1, false},  {"responsible", 1, 0, true}, {"coordinator", 1, 0, true},
    {"implementer", 1, 0, true}, {"schedule", 1, 0, true},    {"group", 1, 1, false},
    {"line", 1, 1, false},       {NULL, 0, 0, false},
};

static const struct kwdef *const gt__meta_kw_tables[K_COUNT] = {
    kw_combo, kw_element, kw_dataset, kw_rule, kw_plan, kw_block, kw_indicator, kw_action,
};

/* ------------------------------------------------------------------------------------------ */
/* The loader's state. */

struct src {
	const char *name; /* as given: used in messages */
	const char *base; /* after the last '/': orders and digests the set */
	const uint8_t *buf;
	size_t len;
	uint8_t *owned;   /* read from disk: freed by the loader */
	char *owned_name; /* a path the loader built: freed by the loader */
	bool bad;         /* could not be read */
};

struct tok {
	const char *s; /* NUL-terminated, in the scratch buffer */
	size_t len;
	bool quoted;
};

struct err_item {
	char *text;
	unsigned line;
	uint32_t fidx;
	uint32_t seq;
};

#define MAX_TOKENS (GT_META_MAX_LINE / 2 + 2)
#define SHOW_LEN   64

struct ld {
	struct gt_meta *m;
	struct gt_meta__index *ix;
	struct src *srcs;
	size_t nsrcs;
	const char **fnames; /* arena copies of the names, by file index */
	const char *setname; /* names errors that concern no one file */
	/* Position. */
	uint32_t fidx;
	unsigned line;
	bool have_header;
	/* The record attribute lines apply to. */
	int cur_state; /* 0: none yet, 1: cur is a record, 2: skipping a bad record */
	enum kind cur_kind;
	void *cur;
	struct w_head *cur_head;
	/* Tokens of the current line. */
	struct tok toks[MAX_TOKENS];
	size_t ntoks;
	char scratch[2 * GT_META_MAX_LINE + 16];
	char show[2][SHOW_LEN + 4];
	int show_next;
	/* Totals. */
	uint32_t nrecords;
	bool stop; /* a fatal condition: stop parsing */
	bool nomem;
	int rc; /* first error code other than GT_EINVAL */
	/* Errors. */
	struct err_item errs[GT_META_MAX_ERRORS];
	size_t nerrs;
	size_t dropped;
	uint32_t seq;
};

/* Ends s (at least len bytes long) at len bytes or less, at a character boundary. */
static void cut_utf8(char *s, size_t len)
{
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	s[len] = '\0';
}

__attribute__((format(printf, 4, 5))) static void
gt__meta_err_at(struct ld *L, uint32_t fidx, unsigned line, const char *fmt, ...)
{
	char msg[GT_META_MAX_ERROR_LEN];
	const char *fname =
	    fidx < L->nsrcs ? L->srcs[fidx].name : (L->setname != NULL ? L->setname : "metadata");
	struct err_item *e;
	va_list ap;
	int n;

	if (L->nerrs >= GT_META_MAX_ERRORS) {
		L->dropped++;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
	else if ((size_t)n >= sizeof(msg))
		cut_utf8(msg, sizeof(msg) - 1);
	e = &L->errs[L->nerrs];
	if (line > 0)
		n = asprintf(&e->text, "%s:%u: %s", fname, line, msg);
	else
		n = asprintf(&e->text, "%s: %s", fname, msg);
	if (n < 0) {
		e->text = NULL;
		L->nomem = true;
		L->stop = true;
		L->dropped++;
		return;
	}
	if ((size_t)n >= GT_META_MAX_ERROR_LEN)
		cut_utf8(e->text, GT_META_MAX_ERROR_LEN - 1);
	e->line = line;
	e->fidx = fidx;
	e->seq = L->seq++;
	L->nerrs++;
}

/* An error at the current file and line. */
#define ERR(L, ...) gt__meta_err_at((L), (L)->fidx, (L)->line, __VA_ARGS__)

static void gt__meta_set_rc(struct ld *L, int rc)
{
	if (L->rc == 0)
		L->rc = rc;
}

static int gt__meta_nomem(struct ld *L)
{
	L->nomem = true;
	L->stop = true;
	return GT_ENOMEM;
}

/* A short printable form of s for messages (at most SHOW_LEN bytes, cut at a character). */
static const char *gt__meta_show(struct ld *L, const char *s)
{
	char *buf = L->show[L->show_next];
	size_t n = strlen(s);

	L->show_next ^= 1;
	if (n <= SHOW_LEN)
		return s;
	n = SHOW_LEN;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(buf, s, n);
	memcpy(buf + n, "...", 4);
	return buf;
}

/* ------------------------------------------------------------------------------------------ */
/* Lexical checks shared by the parser and the value checks. */

/* Decodes one UTF-8 character at s[*i]; returns the code point or -1 if malformed. */
static long gt__meta_utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	size_t k = *i;
	unsigned b0 = s[k], need;
	unsigned long cp;

	if (b0 < 0x80) {
		*i = k + 1;
		return b0;
	}
	if (b0 < 0xC2)
		return -1;
	if (b0 < 0xE0) {
		need = 1;
		cp = b0 & 0x1F;
	} else if (b0 < 0xF0) {
		need = 2;
		cp = b0 & 0x0F;
	} else if (b0 < 0xF5) {
		need = 3;
		cp = b0 & 0x07;
	} else {
		return -1;
	}
	if (len - k <= need)
		return -1;
	for (unsigned j = 1; j <= need; j++) {
		unsigned b = s[k + j];
		if ((b & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (b & 0x3F);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*i = k + need + 1;
	return (long)cp;
}

static bool gt__meta_is_control(long cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

static bool is_bare(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == '/' || c == ':' || c == '+' || c == '%';
}

static bool gt__meta_code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > GT_META_MAX_CODE)
		return false;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* Checks a decimal: optional "-" (when neg_ok), "0" or digits not starting with 0, then an
 * optional "." and digits; at most GT_META_MAX_NUMBER_LEN bytes. Sets *out (optional). */
static bool gt__meta_decimal_parse(const char *s, bool neg_ok, double *out)
{
	const char *p = s;
	double v = 0, scale = 1;
	bool neg = false;

	if (strlen(s) > GT_META_MAX_NUMBER_LEN)
		return false;
	if (*p == '-' && neg_ok) {
		neg = true;
		p++;
	}
	if (*p < '0' || *p > '9')
		return false;
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return false;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p++ - '0');
			scale *= 10;
		}
	}
	if (*p != '\0')
		return false;
	if (out != NULL)
		*out = (neg ? -v : v) / scale;
	return true;
}

/* Parses digits only (no sign) into *out, refusing values above max. */
static bool gt__meta_uint_parse(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Tokens. */

/* Splits line[0..len) (no control characters but tabs, valid UTF-8) into L->toks. Returns 0,
 * or -1 after reporting an error. */
static int gt__meta_tokenize(struct ld *L, const char *line, size_t len)
{
	char *out = L->scratch;
	size_t i = 0;

	L->ntoks = 0;
	for (;;) {
		struct tok *t;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			return 0;
		if (L->ntoks == MAX_TOKENS) {
			ERR(L, "too many words on one line");
			return -1;
		}
		t = &L->toks[L->ntoks];
		t->s = out;
		if (line[i] == '"') {
			t->quoted = true;
			i++;
			for (;;) {
				if (i == len) {
					ERR(L, "unterminated string");
					return -1;
				}
				if (line[i] == '"') {
					i++;
					break;
				}
				if (line[i] == '\\') {
					if (i + 1 < len &&
					    (line[i + 1] == '"' || line[i + 1] == '\\')) {
						*out++ = line[i + 1];
						i += 2;
						continue;
					}
					ERR(L, "unknown escape in string (only \\\" and \\\\ are "
					       "allowed)");
					return -1;
				}
				*out++ = line[i++];
			}
			if (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#') {
				ERR(L, "expected a space after the closing quote");
				return -1;
			}
		} else if (is_bare((unsigned char)line[i])) {
			t->quoted = false;
			while (i < len && is_bare((unsigned char)line[i]))
				*out++ = line[i++];
			if (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#') {
				if ((unsigned char)line[i] < 0x80)
					ERR(L,
					    "unexpected character '%c' (quote text that holds it)",
					    line[i]);
				else
					ERR(L, "unexpected non-ASCII character outside quotes");
				return -1;
			}
		} else {
			if ((unsigned char)line[i] < 0x80)
				ERR(L, "unexpected character '%c' (quote text that holds it)",
				    line[i]);
			else
				ERR(L, "unexpected non-ASCII character outside quotes");
			return -1;
		}
		t->len = (size_t)(out - t->s);
		*out++ = '\0';
		L->ntoks++;
	}
}

static const char *gt__meta_tok_dup(struct ld *L, const struct tok *t)
{
	const char *p = gt__meta_arena_strndup(&L->ix->arena, t->s, t->len);

	if (p == NULL)
		gt__meta_nomem(L);
	return p;
}

/* Copies a code argument after checking its syntax; NULL after an error. */
static const char *gt__meta_code_arg(struct ld *L, const struct tok *t, const char *what)
{
	if (!gt__meta_code_ok(t->s)) {
		ERR(L,
		    "invalid %s code \"%s\" (1 to 64 of A-Z 0-9 _ . -, starting with a letter "
		    "or digit)",
		    what, gt__meta_show(L, t->s));
		return NULL;
	}
	return gt__meta_tok_dup(L, t);
}

static int ref_arg(struct ld *L, const struct tok *t, const char *what, struct ref *r)
{
	r->code = gt__meta_code_arg(L, t, what);
	r->line = L->line;
	return r->code != NULL ? 0 : -1;
}

static int text_arg(struct ld *L, const struct tok *t, const char **out)
{
	*out = gt__meta_tok_dup(L, t);
	return *out != NULL ? 0 : -1;
}

static int tlist_add(struct ld *L, struct tlist *tl, const struct tok *a, size_t na)
{
	for (size_t i = 0; i < na; i++) {
		const char *s = gt__meta_tok_dup(L, &a[i]);
		if (s == NULL || !VEC_ROOM(L, tl->items, tl->n, tl->cap))
			return gt__meta_nomem(L);
		tl->items[tl->n++] = s;
	}
	return 0;
}

static bool year_parse(const char *s, unsigned *out)
{
	unsigned long v;

	if (!gt__meta_uint_parse(s, GT_META_YEAR_MAX, &v) || v < GT_META_YEAR_MIN)
		return false;
	*out = (unsigned)v;
	return true;
}

static int ylist_add(struct ld *L, struct ylist *yl, const struct tok *a, size_t na)
{
	for (size_t i = 0; i < na; i++) {
		unsigned y;
		if (!year_parse(a[i].s, &y)) {
			ERR(L, "invalid year \"%s\" (%u to %u)", gt__meta_show(L, a[i].s),
			    GT_META_YEAR_MIN, GT_META_YEAR_MAX);
			return -1;
		}
		if (!VEC_ROOM(L, yl->items, yl->n, yl->cap))
			return gt__meta_nomem(L);
		yl->items[yl->n].year = (uint16_t)y;
		yl->items[yl->n].line = L->line;
		yl->n++;
	}
	return 0;
}

static int source_line_arg(struct ld *L, const struct tok *t, unsigned *out)
{
	unsigned long v;

	if (!gt__meta_uint_parse(t->s, GT_META_MAX_SOURCE_LINE, &v) || v == 0) {
		ERR(L, "invalid line number \"%s\" (1 to %u)", gt__meta_show(L, t->s),
		    GT_META_MAX_SOURCE_LINE);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* Finds word in a NULL-terminated list of names; returns its index or -1. */
static int word_index(const char *const *words, const char *w)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], w) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Attributes of each kind. a[0..na) are the arguments after the keyword. */

static const char *const type_words[] = {"int0", "number", "text", "bool", NULL};
static const char *const agg_words[] = {"sum", "none", NULL};
static const char *const level_words[] = {"national", "province", "district", NULL};
static const char *const op_words[] = {"eq", "ne", "le", "lt", "ge", "gt", NULL};
static const char *const missing_words[] = {"skip-all", "skip-any", "never", NULL};
static const char *const kind_ind_words[] = {"", "process", "result", "output", "outcome", NULL};

static int attr_combo(struct ld *L, struct w_combo *w, int kw, const struct tok *a, size_t na)
{
	struct w_option *o;
	const char *code;

	(void)kw;
	code = gt__meta_code_arg(L, &a[0], "option");
	if (code == NULL)
		return -1;
	if (!VEC_ROOM(L, w->opts, w->nopts, w->capopts))
		return gt__meta_nomem(L);
	o = &w->opts[w->nopts];
	o->pub.code = code;
	o->pub.name = code;
	o->line = L->line;
	if (na == 2 && text_arg(L, &a[1], &o->pub.name) != 0)
		return -1;
	o->pub.index = w->nopts++;
	return 0;
}

static int attr_element(struct ld *L, struct w_element *w, int kw, const struct tok *a, size_t na)
{
	unsigned long v;
	int i;

	(void)na;
	switch (kw) {
	case A_TYPE:
		i = word_index(type_words, a[0].s);
		if (i < 0) {
			ERR(L, "unknown value type \"%s\" (int0, number, text or bool)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		w->pub.type = (enum gt_meta_value_type)i;
		w->type_line = L->line;
		return 0;
	case A_AGGREGATION:
		i = word_index(agg_words, a[0].s);
		if (i < 0) {
			ERR(L, "unknown aggregation \"%s\" (sum or none)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		w->pub.aggregation = (enum gt_meta_aggregation)i;
		w->agg_line = L->line;
		return 0;
	case A_COMBO:
		return ref_arg(L, &a[0], "category combo", &w->combo);
	case A_EDESCRIPTION:
		return text_arg(L, &a[0], &w->pub.description);
	case A_MAXLENGTH:
		if (!gt__meta_uint_parse(a[0].s, GT_META_MAX_TEXT, &v) || v == 0) {
			ERR(L, "invalid maxlength \"%s\" (1 to %u bytes)", gt__meta_show(L, a[0].s),
			    GT_META_MAX_TEXT);
			return -1;
		}
		w->pub.max_length = (uint32_t)v;
		w->maxlen_line = L->line;
		return 0;
	}
	return 0;
}

static int attr_dataset(struct ld *L, struct w_dataset *w, int kw, const struct tok *a, size_t na)
{
	unsigned long v;
	int i;

	switch (kw) {
	case A_PERIOD:
		if (gt_period_type_parse(a[0].s, &w->pub.period_type) != 0) {
			ERR(L,
			    "unknown period type \"%s\" (yearly, sixmonthly, quarterly or monthly)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		return 0;
	case A_LEVELS:
		for (size_t k = 0; k < na; k++) {
			unsigned bit;
			i = word_index(level_words, a[k].s);
			if (i < 0) {
				ERR(L, "unknown level \"%s\" (national, province or district)",
				    gt__meta_show(L, a[k].s));
				return -1;
			}
			bit = GT_META_LEVEL_BIT(i + GT_ORGUNIT_LEVEL_NATIONAL);
			if (w->pub.levels & bit) {
				ERR(L, "level \"%s\" listed twice", a[k].s);
				return -1;
			}
			w->pub.levels |= bit;
		}
		return 0;
	case A_TIMELY:
	case A_EXPIRY:
		if (!gt__meta_uint_parse(a[0].s, GT_META_MAX_DAYS, &v)) {
			ERR(L, "invalid %s \"%s\" (a whole number of days from 0 to %u)",
			    kw == A_TIMELY ? "timely" : "expiry", gt__meta_show(L, a[0].s),
			    GT_META_MAX_DAYS);
			return -1;
		}
		if (kw == A_TIMELY)
			w->pub.timely_days = (unsigned)v;
		else
			w->pub.expiry_days = (unsigned)v;
		return 0;
	case A_ELEMENTS:
		for (size_t k = 0; k < na; k++) {
			struct ref r;
			if (ref_arg(L, &a[k], "element", &r) != 0)
				return -1;
			if (!VEC_ROOM(L, w->elems, w->nelems, w->capelems))
				return gt__meta_nomem(L);
			w->elems[w->nelems++] = r;
		}
		return 0;
	case A_DPLAN:
		return ref_arg(L, &a[0], "plan", &w->plan);
	case A_DDESCRIPTION:
		return text_arg(L, &a[0], &w->pub.description);
	}
	return 0;
}

/* Parses "OPERAND (+|- OPERAND)*" into one side of a rule. */
static int rule_side(struct ld *L, struct w_rule *w, int side, const struct tok *a, size_t na)
{
	int sign = 1;

	for (size_t k = 0; k < na; k++) {
		bool is_op = !a[k].quoted && (strcmp(a[k].s, "+") == 0 || strcmp(a[k].s, "-") == 0);
		if (k % 2 == 1) {
			if (!is_op) {
				ERR(L, "expected + or - between operands, found \"%s\"",
				    gt__meta_show(L, a[k].s));
				return -1;
			}
			sign = a[k].s[0] == '-' ? -1 : 1;
			continue;
		}
		if (is_op || a[k].quoted) {
			ERR(L,
			    "expected an operand (ELEMENT, ELEMENT.OPTION or a number), found "
			    "\"%s\"",
			    gt__meta_show(L, a[k].s));
			return -1;
		}
		if (!VEC_ROOM(L, w->side[side], w->nside[side], w->capside[side]))
			return gt__meta_nomem(L);
		w->side[side][w->nside[side]].sign = sign;
		w->side[side][w->nside[side]].line = L->line;
		if ((w->side[side][w->nside[side]].text = gt__meta_tok_dup(L, &a[k])) == NULL)
			return GT_ENOMEM;
		w->nside[side]++;
	}
	if (na % 2 == 0) {
		ERR(L, "expected an operand after the last + or -");
		return -1;
	}
	return 0;
}

static int attr_rule(struct ld *L, struct w_rule *w, int kw, const struct tok *a, size_t na)
{
	int i;

	switch (kw) {
	case A_RDATASET:
		return ref_arg(L, &a[0], "data set", &w->dataset);
	case A_LEFT:
		return rule_side(L, w, 0, a, na);
	case A_RIGHT:
		return rule_side(L, w, 1, a, na);
	case A_OP:
		i = word_index(op_words, a[0].s);
		if (i < 0) {
			ERR(L, "unknown operator \"%s\" (eq, ne, le, lt, ge or gt)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		w->pub.op = (enum gt_meta_op)i;
		return 0;
	case A_MISSING:
		i = word_index(missing_words, a[0].s);
		if (i < 0) {
			ERR(L,
			    "unknown missing-value strategy \"%s\" (skip-all, skip-any or never)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		w->pub.missing = (enum gt_meta_missing)i;
		return 0;
	case A_RDESCRIPTION:
		return text_arg(L, &a[0], &w->pub.description);
	}
	return 0;
}

static int attr_plan(struct ld *L, struct w_plan *w, int kw, const struct tok *a, size_t na)
{
	unsigned y0, y1;

	switch (kw) {
	case A_YEARS:
		if (!year_parse(a[0].s, &y0) || !year_parse(a[1].s, &y1)) {
			ERR(L, "invalid plan years \"%s %s\" (two years from %u to %u)",
			    gt__meta_show(L, a[0].s), gt__meta_show(L, a[1].s), GT_META_YEAR_MIN,
			    GT_META_YEAR_MAX);
			return -1;
		}
		if (y0 > y1) {
			ERR(L, "plan years run backwards: %u is after %u", y0, y1);
			return -1;
		}
		w->pub.first_year = y0;
		w->pub.last_year = y1;
		return 0;
	case A_SCOPE:
		if (na == 1 && strcmp(a[0].s, "national") == 0) {
			w->pub.scope_province = NULL;
			return 0;
		}
		if (na == 2 && strcmp(a[0].s, "province") == 0) {
			if (gt_orgunit_level(a[1].s) != GT_ORGUNIT_LEVEL_PROVINCE) {
				ERR(L, "invalid province code \"%s\" (two digits, 11 to 99)",
				    gt__meta_show(L, a[1].s));
				return -1;
			}
			return text_arg(L, &a[1], &w->pub.scope_province);
		}
		ERR(L, "scope is \"national\" or \"province CODE\"");
		return -1;
	case A_SOURCE:
		return text_arg(L, &a[0], &w->pub.source);
	}
	return 0;
}

static int attr_block(struct ld *L, struct w_block *w, int kw, const struct tok *a, size_t na)
{
	switch (kw) {
	case A_BPLAN:
		return ref_arg(L, &a[0], "plan", &w->plan);
	case A_LEAD:
		return text_arg(L, &a[0], &w->pub.lead);
	case A_BCOORDINATOR:
		return tlist_add(L, &w->coord, a, na);
	case A_BLINE:
		return source_line_arg(L, &a[0], &w->pub.source_line);
	}
	return 0;
}

static int attr_target(struct ld *L, struct w_indicator *w, const struct tok *a)
{
	struct w_target *t;
	unsigned y;
	double q = 0;
	bool has_q;

	if (!year_parse(a[0].s, &y)) {
		ERR(L, "invalid target year \"%s\" (%u to %u)", gt__meta_show(L, a[0].s),
		    GT_META_YEAR_MIN, GT_META_YEAR_MAX);
		return -1;
	}
	has_q = !(strcmp(a[1].s, "-") == 0 && !a[1].quoted);
	if (has_q && !gt__meta_decimal_parse(a[1].s, false, &q)) {
		ERR(L, "invalid target quantity \"%s\" (a number such as 230 or 2.5, or -)",
		    gt__meta_show(L, a[1].s));
		return -1;
	}
	if (!VEC_ROOM(L, w->targets, w->ntargets, w->captargets))
		return gt__meta_nomem(L);
	t = &w->targets[w->ntargets];
	t->pub.year = y;
	t->pub.has_quantity = has_q;
	t->pub.quantity = q;
	t->line = L->line;
	if (text_arg(L, &a[1], &t->pub.quantity_text) != 0 ||
	    text_arg(L, &a[2], &t->pub.unit) != 0 || text_arg(L, &a[3], &t->pub.raw) != 0)
		return GT_ENOMEM;
	w->ntargets++;
	return 0;
}

static int attr_indicator(struct ld *L, struct w_indicator *w, int kw, const struct tok *a,
                          size_t na)
{
	int i;

	switch (kw) {
	case A_IBLOCK:
		return ref_arg(L, &a[0], "block", &w->block);
	case A_TARGET:
		return attr_target(L, w, a);
	case A_ISCHEDULE:
		return ylist_add(L, &w->sched, a, na);
	case A_IRESPONSIBLE:
		return tlist_add(L, &w->resp, a, na);
	case A_ICOORDINATOR:
		return tlist_add(L, &w->coord, a, na);
	case A_IIMPLEMENTER:
		return tlist_add(L, &w->impl, a, na);
	case A_IGROUP:
		return text_arg(L, &a[0], &w->pub.group);
	case A_CHALLENGE:
		return text_arg(L, &a[0], &w->pub.challenge);
	case A_OBJECTIVE:
		return text_arg(L, &a[0], &w->pub.objective);
	case A_KIND:
		i = word_index(kind_ind_words, a[0].s);
		if (i <= 0) {
			ERR(L, "unknown indicator kind \"%s\" (process, result, output or outcome)",
			    gt__meta_show(L, a[0].s));
			return -1;
		}
		w->pub.kind = (enum gt_meta_indicator_kind)i;
		return 0;
	case A_ILINE:
		return source_line_arg(L, &a[0], &w->pub.source_line);
	}
	return 0;
}

static int attr_action(struct ld *L, struct w_action *w, int kw, const struct tok *a, size_t na)
{
	switch (kw) {
	case A_AINDICATOR:
		return ref_arg(L, &a[0], "indicator", &w->indicator);
	case A_ARESPONSIBLE:
		return tlist_add(L, &w->resp, a, na);
	case A_ACOORDINATOR:
		return tlist_add(L, &w->coord, a, na);
	case A_AIMPLEMENTER:
		return tlist_add(L, &w->impl, a, na);
	case A_ASCHEDULE:
		return ylist_add(L, &w->sched, a, na);
	case A_AGROUP:
		return text_arg(L, &a[0], &w->pub.group);
	case A_ALINE:
		return source_line_arg(L, &a[0], &w->pub.source_line);
	}
	return 0;
}

/* Lists the keywords of a kind for an error message. */
static void kw_list(const struct kwdef *defs, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; defs[i].word != NULL && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", defs[i].word);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static void gt__meta_attribute_line(struct ld *L)
{
	const struct kwdef *defs;
	const struct tok *kwt = &L->toks[0];
	size_t na = L->ntoks - 1;
	int kw, rc = -1;
	bool was_broken;

	if (L->cur_state == 2)
		return;
	if (L->cur_state == 0) {
		ERR(L, "indented attribute line before any record");
		return;
	}
	defs = gt__meta_kw_tables[L->cur_kind];
	was_broken = L->cur_head->broken;
	L->cur_head->broken = true; /* until the attribute is taken */
	if (kwt->quoted) {
		ERR(L, "expected an attribute keyword, found a quoted string");
		return;
	}
	kw = -1;
	for (int i = 0; defs[i].word != NULL; i++)
		if (strcmp(defs[i].word, kwt->s) == 0)
			kw = i;
	if (kw < 0) {
		char list[256];
		kw_list(defs, list, sizeof(list));
		ERR(L, "unknown attribute \"%s\" for %s (expected %s)", gt__meta_show(L, kwt->s),
		    gt__meta_kind_text[L->cur_kind], list);
		return;
	}
	if (na < defs[kw].min || (defs[kw].max != 0 && na > defs[kw].max)) {
		if (defs[kw].max == 0)
			ERR(L, "\"%s\" takes at least %u argument%s", defs[kw].word, defs[kw].min,
			    defs[kw].min == 1 ? "" : "s");
		else if (defs[kw].min == defs[kw].max)
			ERR(L, "\"%s\" takes %u argument%s", defs[kw].word, defs[kw].min,
			    defs[kw].min == 1 ? "" : "s");
		else
			ERR(L, "\"%s\" takes %u to %u arguments", defs[kw].word, defs[kw].min,
			    defs[kw].max);
		return;
	}
	if (!defs[kw].repeat) {
		if (L->cur_head->seen & (1u << kw)) {
			ERR(L, "attribute \"%s\" given twice", defs[kw].word);
			return;
		}
	}
	L->cur_head->seen |= 1u << kw;
	switch (L->cur_kind) {
	case K_COMBO:
		rc = attr_combo(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_ELEMENT:
		rc = attr_element(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_DATASET:
		rc = attr_dataset(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_RULE:
		rc = attr_rule(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_PLAN:
		rc = attr_plan(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_BLOCK:
		rc = attr_block(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_INDICATOR:
		rc = attr_indicator(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_ACTION:
		rc = attr_action(L, L->cur, kw, L->toks + 1, na);
		break;
	case K_COUNT:
		break;
	}
	if (rc == 0)
		L->cur_head->broken = was_broken;
}

/* ------------------------------------------------------------------------------------------ */
/* Records. */

static const size_t wrapper_size[K_COUNT] = {
    sizeof(struct w_combo),     sizeof(struct w_element), sizeof(struct w_dataset),
    sizeof(struct w_rule),      sizeof(struct w_plan),    sizeof(struct w_block),
    sizeof(struct w_indicator), sizeof(struct w_action),
};

/* Sets the fields every record has; the public structs share no common prefix, so each
 * kind is handled by name. */
static struct w_head *init_record(struct ld *L, enum kind k, void *rec, const char *code,
                                  const char *name)
{
	const char *file = L->fnames[L->fidx];
	unsigned line = L->line;

#define INIT(type, extra)                                                                          \
	do {                                                                                       \
		type *w = rec;                                                                     \
		w->pub.code = code;                                                                \
		w->pub.name = name;                                                                \
		w->pub.file = file;                                                                \
		w->pub.line = line;                                                                \
		extra;                                                                             \
		return &w->h;                                                                      \
	} while (0)

	switch (k) {
	case K_COMBO:
		INIT(struct w_combo, (void)0);
	case K_ELEMENT:
		INIT(struct w_element, {
			w->pub.description = "";
			w->pub.max_length = GT_META_MAX_TEXT;
		});
	case K_DATASET:
		INIT(struct w_dataset, {
			w->pub.description = "";
			w->pub.timely_days = GT_META_DEFAULT_TIMELY;
			w->pub.expiry_days = GT_META_DEFAULT_EXPIRY;
		});
	case K_RULE:
		INIT(struct w_rule, w->pub.description = "");
	case K_PLAN:
		INIT(struct w_plan, w->pub.source = "");
	case K_BLOCK:
		INIT(struct w_block, w->pub.lead = "");
	case K_INDICATOR:
		INIT(struct w_indicator, {
			w->pub.group = "";
			w->pub.challenge = "";
			w->pub.objective = "";
		});
	case K_ACTION:
		INIT(struct w_action, w->pub.group = "");
	case K_COUNT:
		break;
	}
#undef INIT
	return NULL;
}

static void record_line(struct ld *L)
{
	const struct tok *t = L->toks;
	struct ktab *tab;
	const char *code, *name;
	uint32_t first;
	int k = -1;
	void *rec;

	L->cur_state = 2;
	if (!t[0].quoted)
		for (int i = 0; i < K_COUNT; i++)
			if (strcmp(gt__meta_kind_words[i], t[0].s) == 0)
				k = i;
	if (k < 0) {
		ERR(L,
		    "unknown record kind \"%s\" (categorycombo, element, dataset, rule, plan, "
		    "block, indicator or action; attribute lines are indented)",
		    gt__meta_show(L, t[0].s));
		return;
	}
	if (L->ntoks < 2) {
		ERR(L, "%s without a code", gt__meta_kind_words[k]);
		return;
	}
	if (L->ntoks > 2 && !t[2].quoted) {
		ERR(L, "the name of %s %s must be in double quotes", gt__meta_kind_words[k],
		    gt__meta_show(L, t[1].s));
		return;
	}
	if (L->ntoks > 3) {
		ERR(L, "unexpected \"%s\" after the name", gt__meta_show(L, t[3].s));
		return;
	}
	if (L->nrecords >= GT_META_MAX_RECORDS) {
		ERR(L, "more than %u records", GT_META_MAX_RECORDS);
		gt__meta_set_rc(L, GT_ETOOBIG);
		L->stop = true;
		return;
	}
	code = gt__meta_code_arg(L, &t[1], gt__meta_kind_text[k]);
	if (code == NULL)
		return;
	name = L->ntoks > 2 ? gt__meta_tok_dup(L, &t[2]) : code;
	rec = gt__meta_arena_alloc(&L->ix->arena, wrapper_size[k]);
	if (name == NULL || rec == NULL) {
		gt__meta_nomem(L);
		return;
	}
	L->nrecords++;
	L->cur_head = init_record(L, (enum kind)k, rec, code, name);
	L->cur_head->fidx = L->fidx;
	L->cur = rec;
	L->cur_kind = (enum kind)k;
	L->cur_state = 1;
	tab = &L->ix->tabs[k];
	if ((k == K_ELEMENT || k == K_COMBO) && strcmp(code, GT_META_ACH_CODE) == 0) {
		ERR(L, "%s code %s is reserved for plan achievement", gt__meta_kind_text[k], code);
		return;
	}
	first = gt__meta_ktab_find(tab, code);
	if (first != UINT32_MAX) {
		/* Parse its attributes for errors, but keep the first definition. */
		const char *ffile = NULL;
		unsigned fline = 0;
		switch ((enum kind)k) {
#define FIRST(type)                                                                                \
	do {                                                                                       \
		const type *f = tab->recs[first];                                                  \
		ffile = f->pub.file;                                                               \
		fline = f->pub.line;                                                               \
	} while (0)
		case K_COMBO:
			FIRST(struct w_combo);
			break;
		case K_ELEMENT:
			FIRST(struct w_element);
			break;
		case K_DATASET:
			FIRST(struct w_dataset);
			break;
		case K_RULE:
			FIRST(struct w_rule);
			break;
		case K_PLAN:
			FIRST(struct w_plan);
			break;
		case K_BLOCK:
			FIRST(struct w_block);
			break;
		case K_INDICATOR:
			FIRST(struct w_indicator);
			break;
		case K_ACTION:
			FIRST(struct w_action);
			break;
		case K_COUNT:
			break;
#undef FIRST
		}
		if (strcmp(ffile, L->fnames[L->fidx]) == 0)
			ERR(L, "duplicate %s code \"%s\" (first defined at line %u)",
			    gt__meta_kind_text[k], code, fline);
		else
			ERR(L, "duplicate %s code \"%s\" (first defined at %s:%u)",
			    gt__meta_kind_text[k], code, ffile, fline);
		return;
	}
	if (gt__meta_ktab_add(&L->ix->arena, tab, code, rec) != 0)
		gt__meta_nomem(L);
}

/* ------------------------------------------------------------------------------------------ */
/* Files and lines. */

/* Checks a line for control characters and invalid UTF-8; reports and returns false. */
static bool line_chars_ok(struct ld *L, const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		long cp = gt__meta_utf8_next(s, len, &i);
		if (cp < 0) {
			ERR(L, "invalid UTF-8 (save the file as UTF-8)");
			return false;
		}
		if (cp != '\t' && gt__meta_is_control(cp)) {
			ERR(L, "control character U+%04lX", (unsigned long)cp);
			return false;
		}
	}
	return true;
}

/* Returns false when the rest of the file must be skipped. */
static bool parse_line(struct ld *L, const char *line, size_t len)
{
	bool indented = len > 0 && (line[0] == ' ' || line[0] == '\t');
	bool ok = true;

	if (len > 0 && line[len - 1] == '\r')
		len--; /* CRLF line ends */
	if (len > GT_META_MAX_LINE) {
		ERR(L, "line longer than %u bytes", GT_META_MAX_LINE);
		ok = false;
	} else if (!line_chars_ok(L, (const unsigned char *)line, len) ||
	           gt__meta_tokenize(L, line, len) != 0) {
		ok = false;
	}
	if (!ok) {
		/* A broken record line still opens a record (skipped); a broken attribute line
		 * marks its record. */
		if (L->have_header && !indented)
			L->cur_state = 2;
		else if (L->have_header && L->cur_state == 1)
			L->cur_head->broken = true;
		return true;
	}
	if (L->ntoks == 0)
		return true;
	if (!L->have_header) {
		const struct tok *t = L->toks;
		if (line[0] != ' ' && line[0] != '\t' && !t[0].quoted &&
		    strcmp(t[0].s, "gtsync-metadata") == 0) {
			if (L->ntoks == 2 && strcmp(t[1].s, "1") == 0 && !t[1].quoted) {
				L->have_header = true;
				return true;
			}
			if (L->ntoks == 2) {
				ERR(L, "unsupported format version \"%s\" (this loader reads %d)",
				    gt__meta_show(L, t[1].s), GT_META_FORMAT_VERSION);
				return false;
			}
		}
		ERR(L, "missing header: the first line must be \"gtsync-metadata %d\"",
		    GT_META_FORMAT_VERSION);
		return false;
	}
	if (indented)
		gt__meta_attribute_line(L);
	else
		record_line(L);
	return true;
}

static void gt__meta_parse_file(struct ld *L, uint32_t fidx)
{
	const struct src *s = &L->srcs[fidx];
	const char *p = (const char *)s->buf;
	size_t len = s->len;

	L->fidx = fidx;
	L->line = 0;
	L->have_header = false;
	L->cur_state = 0;
	L->cur = NULL;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		len -= 3;
	}
	while (len > 0 && !L->stop) {
		const char *nl = memchr(p, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - p) : len;
		L->line++;
		if (!parse_line(L, p, n))
			return;
		if (nl == NULL)
			break;
		p = nl + 1;
		len -= n + 1;
	}
	if (!L->have_header && !L->stop) {
		L->line = 1;
		ERR(L, "missing header: the first line must be \"gtsync-metadata %d\"",
		    GT_META_FORMAT_VERSION);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Resolution: references, required attributes and cross-record checks. */

#define ERR_REC(L, w, line, ...) gt__meta_err_at((L), (w)->h.fidx, (line), __VA_ARGS__)

static void *find_rec(struct ld *L, enum kind k, const char *code)
{
	uint32_t i = gt__meta_ktab_find(&L->ix->tabs[k], code);

	return i == UINT32_MAX ? NULL : L->ix->tabs[k].recs[i];
}

static void texts_final(const struct tlist *tl, struct gt_meta_texts *out)
{
	out->items = tl->items;
	out->n = tl->n;
}

static int years_final(struct ld *L, const struct ylist *yl, struct gt_meta_years *out,
                       uint32_t fidx, const struct gt_meta_plan *plan)
{
	uint16_t *ys = gt__meta_arena_alloc(&L->ix->arena, (size_t)yl->n * sizeof(*ys));

	if (ys == NULL)
		return gt__meta_nomem(L);
	for (uint32_t i = 0; i < yl->n; i++) {
		ys[i] = yl->items[i].year;
		if (plan != NULL && (ys[i] < plan->first_year || ys[i] > plan->last_year))
			gt__meta_err_at(L, fidx, yl->items[i].line,
			                "schedule year %u is outside plan %s's years %u-%u", ys[i],
			                plan->code, plan->first_year, plan->last_year);
	}
	out->items = ys;
	out->n = yl->n;
	return 0;
}

struct code_idx {
	const char *code;
	uint32_t idx;
};

static int code_idx_cmp(const void *a, const void *b)
{
	const struct code_idx *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void resolve_combos(struct ld *L)
{
	struct ktab *t = &L->ix->tabs[K_COMBO];

	for (uint32_t i = 0; i < t->n && !L->stop; i++) {
		struct w_combo *w = t->recs[i];
		struct gt_meta_option *opts;
		struct code_idx *ci;
		uint32_t *sorted;

		w->pub.index = i;
		if (w->nopts == 0 && !w->h.broken) {
			ERR_REC(L, w, w->pub.line, "category combo %s has no options", w->pub.code);
			continue;
		}
		opts = gt__meta_arena_alloc(&L->ix->arena, (size_t)w->nopts * sizeof(*opts));
		ci = gt__meta_arena_alloc(&L->ix->arena, (size_t)w->nopts * sizeof(*ci));
		sorted = gt__meta_arena_alloc(&L->ix->arena, (size_t)w->nopts * sizeof(*sorted));
		if (opts == NULL || ci == NULL || sorted == NULL) {
			gt__meta_nomem(L);
			return;
		}
		for (uint32_t o = 0; o < w->nopts; o++) {
			opts[o] = w->opts[o].pub;
			ci[o].code = opts[o].code;
			ci[o].idx = o;
		}
		qsort(ci, w->nopts, sizeof(*ci), code_idx_cmp);
		for (uint32_t o = 0; o < w->nopts; o++) {
			sorted[o] = ci[o].idx;
			if (o > 0 && strcmp(ci[o].code, ci[o - 1].code) == 0)
				ERR_REC(
				    L, w, w->opts[ci[o].idx].line,
				    "option %s listed twice in category combo %s (first at line "
				    "%u)",
				    ci[o].code, w->pub.code, w->opts[ci[o - 1].idx].line);
		}
		w->pub.options = opts;
		w->pub.noptions = w->nopts;
		w->pub.sorted = sorted;
	}
}

static void resolve_catalogue(struct ld *L)
{
	struct ktab *tp = &L->ix->tabs[K_PLAN], *tb = &L->ix->tabs[K_BLOCK];
	struct ktab *ti = &L->ix->tabs[K_INDICATOR], *ta = &L->ix->tabs[K_ACTION];

	for (uint32_t i = 0; i < tp->n; i++) {
		struct w_plan *w = tp->recs[i];
		w->pub.index = i;
		if (!(w->h.seen & (1u << A_YEARS)) && !w->h.broken)
			ERR_REC(L, w, w->pub.line, "plan %s has no years", w->pub.code);
		if (!(w->h.seen & (1u << A_SCOPE)) && !w->h.broken)
			ERR_REC(L, w, w->pub.line, "plan %s has no scope", w->pub.code);
	}
	for (uint32_t i = 0; i < tb->n && !L->stop; i++) {
		struct w_block *w = tb->recs[i];
		struct w_plan *p;
		w->pub.index = i;
		texts_final(&w->coord, &w->pub.coordinators);
		if (w->plan.code == NULL) {
			if (!w->h.broken)
				ERR_REC(L, w, w->pub.line, "block %s has no plan", w->pub.code);
			continue;
		}
		p = find_rec(L, K_PLAN, w->plan.code);
		if (p == NULL)
			ERR_REC(L, w, w->plan.line, "block %s names unknown plan \"%s\"",
			        w->pub.code, w->plan.code);
		else
			w->pub.plan = &p->pub;
	}
	for (uint32_t i = 0; i < ti->n && !L->stop; i++) {
		struct w_indicator *w = ti->recs[i];
		const struct gt_meta_plan *plan = NULL;
		struct gt_meta_target *tg;
		struct w_block *b;

		w->pub.index = i;
		texts_final(&w->resp, &w->pub.responsible);
		texts_final(&w->coord, &w->pub.coordinators);
		texts_final(&w->impl, &w->pub.implementers);
		if (w->block.code == NULL) {
			if (!w->h.broken)
				ERR_REC(L, w, w->pub.line, "indicator %s has no block",
				        w->pub.code);
		} else if ((b = find_rec(L, K_BLOCK, w->block.code)) == NULL) {
			ERR_REC(L, w, w->block.line, "indicator %s names unknown block \"%s\"",
			        w->pub.code, w->block.code);
		} else {
			w->pub.block = &b->pub;
			w->pub.plan = plan = b->pub.plan;
		}
		tg = gt__meta_arena_alloc(&L->ix->arena, (size_t)w->ntargets * sizeof(*tg));
		if (tg == NULL) {
			gt__meta_nomem(L);
			return;
		}
		for (uint32_t k = 0; k < w->ntargets; k++) {
			tg[k] = w->targets[k].pub;
			if (plan != NULL && (w->targets[k].pub.year < plan->first_year ||
			                     w->targets[k].pub.year > plan->last_year))
				ERR_REC(L, w, w->targets[k].line,
				        "target year %u is outside plan %s's years %u-%u",
				        w->targets[k].pub.year, plan->code, plan->first_year,
				        plan->last_year);
		}
		w->pub.targets = tg;
		w->pub.ntargets = w->ntargets;
		if (years_final(L, &w->sched, &w->pub.schedule, w->h.fidx, plan) != 0)
			return;
	}
	for (uint32_t i = 0; i < ta->n && !L->stop; i++) {
		struct w_action *w = ta->recs[i];
		const struct gt_meta_plan *plan = NULL;
		struct w_indicator *ind;

		w->pub.index = i;
		texts_final(&w->resp, &w->pub.responsible);
		texts_final(&w->coord, &w->pub.coordinators);
		texts_final(&w->impl, &w->pub.implementers);
		if (w->indicator.code == NULL) {
			if (!w->h.broken)
				ERR_REC(L, w, w->pub.line, "action %s has no indicator",
				        w->pub.code);
		} else if ((ind = find_rec(L, K_INDICATOR, w->indicator.code)) == NULL) {
			ERR_REC(L, w, w->indicator.line, "action %s names unknown indicator \"%s\"",
			        w->pub.code, w->indicator.code);
		} else {
			w->pub.indicator = &ind->pub;
			plan = ind->pub.plan;
		}
		if (years_final(L, &w->sched, &w->pub.schedule, w->h.fidx, plan) != 0)
			return;
	}
}

/* Adds the builtin ACH combo (options: every indicator) and element when plans exist. */
static void add_achievement(struct ld *L)
{
	struct ktab *ti = &L->ix->tabs[K_INDICATOR];
	struct w_combo *c;
	struct w_element *e;
	struct gt_meta_option *opts;
	struct code_idx *ci;
	uint32_t *sorted;
	uint32_t n = ti->n;

	if (L->ix->tabs[K_PLAN].n == 0 || L->stop)
		return;
	c = gt__meta_arena_alloc(&L->ix->arena, sizeof(*c));
	e = gt__meta_arena_alloc(&L->ix->arena, sizeof(*e));
	opts = gt__meta_arena_alloc(&L->ix->arena, (size_t)n * sizeof(*opts));
	ci = gt__meta_arena_alloc(&L->ix->arena, (size_t)n * sizeof(*ci));
	sorted = gt__meta_arena_alloc(&L->ix->arena, (size_t)n * sizeof(*sorted));
	if (c == NULL || e == NULL || opts == NULL || ci == NULL || sorted == NULL) {
		gt__meta_nomem(L);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct w_indicator *ind = ti->recs[i];
		opts[i].code = ind->pub.code;
		opts[i].name = ind->pub.name;
		opts[i].index = i;
		ci[i].code = ind->pub.code;
		ci[i].idx = i;
	}
	qsort(ci, n, sizeof(*ci), code_idx_cmp);
	for (uint32_t i = 0; i < n; i++)
		sorted[i] = ci[i].idx;
	c->pub.code = GT_META_ACH_CODE;
	c->pub.name = "Indikator rencana aksi";
	c->pub.file = "";
	c->pub.builtin = 1;
	c->pub.options = opts;
	c->pub.noptions = n;
	c->pub.sorted = sorted;
	c->pub.index = L->ix->tabs[K_COMBO].n;
	e->pub.code = GT_META_ACH_CODE;
	e->pub.name = "Capaian rencana aksi";
	e->pub.description = "Capaian per indikator rencana aksi; opsi: kode indikator";
	e->pub.file = "";
	e->pub.builtin = 1;
	e->pub.type = GT_META_TYPE_NUMBER;
	e->pub.aggregation = GT_META_AGG_SUM;
	e->pub.max_length = GT_META_MAX_TEXT;
	e->pub.combo = &c->pub;
	e->h.seen = (1u << A_TYPE);
	if (gt__meta_ktab_add(&L->ix->arena, &L->ix->tabs[K_COMBO], c->pub.code, c) != 0 ||
	    gt__meta_ktab_add(&L->ix->arena, &L->ix->tabs[K_ELEMENT], e->pub.code, e) != 0)
		gt__meta_nomem(L);
}

static void resolve_elements(struct ld *L)
{
	struct ktab *t = &L->ix->tabs[K_ELEMENT];

	for (uint32_t i = 0; i < t->n && !L->stop; i++) {
		struct w_element *w = t->recs[i];
		bool numeric;

		w->pub.index = i;
		if (w->pub.builtin)
			continue;
		if (!(w->h.seen & (1u << A_TYPE)) && !w->h.broken)
			ERR_REC(L, w, w->pub.line, "element %s has no type", w->pub.code);
		numeric = w->pub.type == GT_META_TYPE_INT0 || w->pub.type == GT_META_TYPE_NUMBER;
		if (!(w->h.seen & (1u << A_AGGREGATION)))
			w->pub.aggregation = numeric ? GT_META_AGG_SUM : GT_META_AGG_NONE;
		else if (!numeric && w->pub.aggregation == GT_META_AGG_SUM)
			ERR_REC(L, w, w->agg_line,
			        "element %s: aggregation sum needs type int0 or number",
			        w->pub.code);
		if ((w->h.seen & (1u << A_MAXLENGTH)) && w->pub.type != GT_META_TYPE_TEXT)
			ERR_REC(L, w, w->maxlen_line, "element %s: maxlength needs type text",
			        w->pub.code);
		if (w->combo.code == NULL) {
			w->pub.combo = &L->ix->default_combo;
		} else {
			struct w_combo *c = find_rec(L, K_COMBO, w->combo.code);
			if (c == NULL || c->pub.builtin) {
				ERR_REC(L, w, w->combo.line,
				        "element %s names unknown category combo \"%s\"",
				        w->pub.code, w->combo.code);
				w->pub.combo = &L->ix->default_combo;
			} else {
				w->pub.combo = &c->pub;
			}
		}
	}
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void resolve_datasets(struct ld *L)
{
	struct ktab *t = &L->ix->tabs[K_DATASET], *te = &L->ix->tabs[K_ELEMENT];
	uint32_t *counts;
	struct w_element *ach = find_rec(L, K_ELEMENT, GT_META_ACH_CODE);

	for (uint32_t i = 0; i < t->n && !L->stop; i++) {
		struct w_dataset *w = t->recs[i];
		const struct gt_meta_element **els;
		uint32_t *sorted, n = 0;
		struct w_plan *p = NULL;
		bool has_ach = false;

		w->pub.index = i;
		if (!(w->h.seen & (1u << A_PERIOD)) && !w->h.broken)
			ERR_REC(L, w, w->pub.line, "data set %s has no period type", w->pub.code);
		if (!(w->h.seen & (1u << A_LEVELS)) && !w->h.broken)
			ERR_REC(L, w, w->pub.line, "data set %s has no levels", w->pub.code);
		if (w->plan.code != NULL) {
			p = find_rec(L, K_PLAN, w->plan.code);
			if (p == NULL)
				ERR_REC(L, w, w->plan.line, "data set %s names unknown plan \"%s\"",
				        w->pub.code, w->plan.code);
			else
				w->pub.plan = &p->pub;
			if ((w->h.seen & (1u << A_PERIOD)) &&
			    w->pub.period_type != GT_PERIOD_YEARLY)
				ERR_REC(L, w, w->plan.line,
				        "data set %s reports plan achievement and must be yearly",
				        w->pub.code);
		} else if (w->nelems == 0 && !w->h.broken) {
			ERR_REC(L, w, w->pub.line, "data set %s has no elements", w->pub.code);
		}
		els = gt__meta_arena_alloc(&L->ix->arena, ((size_t)w->nelems + 1) * sizeof(*els));
		sorted =
		    gt__meta_arena_alloc(&L->ix->arena, ((size_t)w->nelems + 1) * sizeof(*sorted));
		if (els == NULL || sorted == NULL) {
			gt__meta_nomem(L);
			return;
		}
		for (uint32_t k = 0; k < w->nelems; k++) {
			const struct ref *r = &w->elems[k];
			struct w_element *e = find_rec(L, K_ELEMENT, r->code);
			if (e == NULL) {
				ERR_REC(L, w, r->line, "data set %s names unknown element \"%s\"",
				        w->pub.code, r->code);
				continue;
			}
			if (e->pub.builtin) {
				if (w->pub.plan == NULL && w->plan.code == NULL) {
					ERR_REC(
					    L, w, r->line,
					    "element %s belongs only in a plan's achievement data "
					    "set (add \"plan CODE\")",
					    r->code);
					continue;
				}
				has_ach = true;
			}
			els[n] = &e->pub;
			sorted[n] = e->pub.index;
			n++;
		}
		if (w->pub.plan != NULL && !has_ach && ach != NULL) {
			els[n] = &ach->pub;
			sorted[n] = ach->pub.index;
			n++;
		}
		qsort(sorted, n, sizeof(*sorted), u32_cmp);
		for (uint32_t k = 1; k < n; k++)
			if (sorted[k] == sorted[k - 1])
				ERR_REC(L, w, w->pub.line, "data set %s lists element %s twice",
				        w->pub.code,
				        ((struct w_element *)te->recs[sorted[k]])->pub.code);
		w->pub.elements = els;
		w->pub.nelements = n;
		w->pub.sorted = sorted;
	}
	if (L->stop)
		return;
	/* Each element's data sets. */
	counts = gt__meta_arena_alloc(&L->ix->arena, ((size_t)te->n + 1) * sizeof(*counts));
	if (counts == NULL) {
		gt__meta_nomem(L);
		return;
	}
	for (uint32_t i = 0; i < t->n; i++) {
		const struct w_dataset *w = t->recs[i];
		for (size_t k = 0; k < w->pub.nelements; k++)
			counts[w->pub.elements[k]->index]++;
	}
	for (uint32_t i = 0; i < te->n; i++) {
		struct w_element *e = te->recs[i];
		const struct gt_meta_dataset **ds;
		ds = gt__meta_arena_alloc(&L->ix->arena, ((size_t)counts[i] + 1) * sizeof(*ds));
		if (ds == NULL) {
			gt__meta_nomem(L);
			return;
		}
		e->pub.datasets = ds;
	}
	for (uint32_t i = 0; i < t->n; i++) {
		const struct w_dataset *w = t->recs[i];
		for (size_t k = 0; k < w->pub.nelements; k++) {
			struct w_element *e = te->recs[w->pub.elements[k]->index];
			((const struct gt_meta_dataset **)e->pub.datasets)[e->pub.ndatasets++] =
			    &w->pub;
		}
	}
}

/* Resolves one operand text: a number, ELEMENT, or ELEMENT.OPTION. */
static int resolve_operand(struct ld *L, struct w_rule *w, const struct w_operand *o,
                           struct gt_meta_operand *out)
{
	char buf[2 * GT_META_MAX_CODE + 2];
	size_t len = strlen(o->text);
	struct w_element *e;

	out->sign = o->sign;
	out->option = -1;
	if (gt__meta_decimal_parse(o->text, true, &out->number))
		return 0;
	e = find_rec(L, K_ELEMENT, o->text);
	if (e == NULL && len < sizeof(buf)) {
		memcpy(buf, o->text, len + 1);
		for (size_t k = 0; k < len && e == NULL; k++) {
			int opt;
			struct w_element *pe;
			if (buf[k] != '.')
				continue;
			buf[k] = '\0';
			pe = find_rec(L, K_ELEMENT, buf);
			buf[k] = '.';
			if (pe == NULL || pe->pub.combo == NULL)
				continue;
			opt = gt_meta_element_option_index(&pe->pub, buf + k + 1);
			if (opt >= 0) {
				e = pe;
				out->option = opt;
			}
		}
	}
	if (e == NULL) {
		ERR_REC(L, w, o->line, "rule %s names unknown element or option \"%s\"",
		        w->pub.code, gt__meta_show(L, o->text));
		return -1;
	}
	if (e->pub.type != GT_META_TYPE_INT0 && e->pub.type != GT_META_TYPE_NUMBER) {
		ERR_REC(L, w, o->line, "rule %s: element %s is not a number (type %s)", w->pub.code,
		        e->pub.code, gt_meta_type_name(e->pub.type));
		return -1;
	}
	out->element = &e->pub;
	return 0;
}

static void resolve_rules(struct ld *L)
{
	struct ktab *t = &L->ix->tabs[K_RULE];

	for (uint32_t i = 0; i < t->n && !L->stop; i++) {
		struct w_rule *w = t->recs[i];
		static const unsigned need[3] = {A_LEFT, A_OP, A_RIGHT};

		w->pub.index = i;
		for (int k = 0; k < 3; k++)
			if (!(w->h.seen & (1u << need[k])) && !w->h.broken)
				ERR_REC(L, w, w->pub.line, "rule %s has no \"%s\"", w->pub.code,
				        gt__meta_kw_tables[K_RULE][need[k]].word);
		if (w->dataset.code != NULL) {
			struct w_dataset *d = find_rec(L, K_DATASET, w->dataset.code);
			if (d == NULL)
				ERR_REC(L, w, w->dataset.line,
				        "rule %s names unknown data set \"%s\"", w->pub.code,
				        w->dataset.code);
			else
				w->pub.dataset = &d->pub;
		}
		for (int s = 0; s < 2; s++) {
			struct gt_meta_operand *ops;
			ops = gt__meta_arena_alloc(&L->ix->arena,
			                           ((size_t)w->nside[s] + 1) * sizeof(*ops));
			if (ops == NULL) {
				gt__meta_nomem(L);
				return;
			}
			for (uint32_t k = 0; k < w->nside[s]; k++)
				resolve_operand(L, w, &w->side[s][k], &ops[k]);
			if (s == 0) {
				w->pub.left = ops;
				w->pub.nleft = w->nside[s];
			} else {
				w->pub.right = ops;
				w->pub.nright = w->nside[s];
			}
		}
	}
}

/* Resolves every record of a parsed set, in the order the kinds depend on each other. */
static void gt__meta_resolve_all(struct ld *L)
{
	resolve_combos(L);
	resolve_catalogue(L);
	add_achievement(L);
	resolve_elements(L);
	resolve_datasets(L);
	resolve_rules(L);
}

/* ------------------------------------------------------------------------------------------ */
/* Digests. */

static int gt__meta_digest_set(struct ld *L, struct gt_meta_file *files, size_t n, uint8_t *out)
{
	static const char tag[] = "gtsync-metadata-1";
	size_t size = sizeof(tag), off = 0;
	uint8_t *buf;
	int rc;

	for (size_t i = 0; i < n; i++)
		size += 4 + strlen(files[i].name) + GT_SHA256_LEN;
	buf = gt__meta_arena_alloc(&L->ix->arena, size);
	if (buf == NULL)
		return gt__meta_nomem(L);
	memcpy(buf, tag, sizeof(tag));
	off = sizeof(tag);
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(files[i].name);
		buf[off++] = (uint8_t)(nl >> 24);
		buf[off++] = (uint8_t)(nl >> 16);
		buf[off++] = (uint8_t)(nl >> 8);
		buf[off++] = (uint8_t)nl;
		memcpy(buf + off, files[i].name, nl);
		off += nl;
		memcpy(buf + off, files[i].sha256, GT_SHA256_LEN);
		off += GT_SHA256_LEN;
	}
	rc = gt_crypto_sha256(buf, size, out);
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Loading. */

void gt_meta_errors_init(struct gt_meta_errors *errs)
{
	if (errs != NULL)
		memset(errs, 0, sizeof(*errs));
}

void gt_meta_errors_clear(struct gt_meta_errors *errs)
{
	if (errs == NULL)
		return;
	for (size_t i = 0; i < errs->count && i < GT_META_MAX_ERRORS; i++)
		free(errs->items[i].text);
	memset(errs, 0, sizeof(*errs));
}

void gt_meta_free(struct gt_meta *m)
{
	struct gt_meta__index *ix;

	if (m == NULL)
		return;
	ix = m->index;
	gt__meta_arena_free(&ix->arena);
	free(ix);
	free(m);
}

static int err_cmp(const void *a, const void *b)
{
	const struct err_item *x = a, *y = b;

	if (x->fidx != y->fidx)
		return x->fidx < y->fidx ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int src_cmp(const void *a, const void *b)
{
	const struct src *x = a, *y = b;

	return strcmp(x->base, y->base);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static struct ld *ld_new(void)
{
	struct ld *L = calloc(1, sizeof(*L));

	if (L == NULL)
		return NULL;
	L->m = calloc(1, sizeof(*L->m));
	L->ix = calloc(1, sizeof(*L->ix));
	if (L->m == NULL || L->ix == NULL) {
		free(L->m);
		free(L->ix);
		free(L);
		return NULL;
	}
	L->m->index = L->ix;
	return L;
}

/* Moves the collected errors into errs (or frees them) and frees the loader, and the set
 * unless it was handed out. */
static void ld_finish(struct ld *L, struct gt_meta_errors *errs, bool keep_set)
{
	qsort(L->errs, L->nerrs, sizeof(L->errs[0]), err_cmp);
	if (errs != NULL) {
		for (size_t i = 0; i < L->nerrs; i++) {
			errs->items[i].text = L->errs[i].text;
			errs->items[i].line = L->errs[i].line;
		}
		errs->count = L->nerrs;
		errs->dropped = L->dropped;
	} else {
		for (size_t i = 0; i < L->nerrs; i++)
			free(L->errs[i].text);
	}
	for (size_t i = 0; L->srcs != NULL && i < L->nsrcs; i++) {
		free(L->srcs[i].owned);
		free(L->srcs[i].owned_name);
	}
	free(L->srcs);
	if (!keep_set)
		gt_meta_free(L->m);
	free(L);
}

/* Builds the public arrays of kind k from its table. */
#define PUBLISH(L, k, type, wtype, field, count)                                                   \
	do {                                                                                       \
		struct ktab *t_ = &(L)->ix->tabs[k];                                               \
		const type **a_ =                                                                  \
		    gt__meta_arena_alloc(&(L)->ix->arena, ((size_t)t_->n + 1) * sizeof(*a_));      \
		if (a_ == NULL)                                                                    \
			return gt__meta_nomem(L);                                                  \
		for (uint32_t i_ = 0; i_ < t_->n; i_++)                                            \
			a_[i_] = &((wtype *)t_->recs[i_])->pub;                                    \
		(L)->m->field = a_;                                                                \
		(L)->m->count = t_->n;                                                             \
	} while (0)

static int publish(struct ld *L)
{
	PUBLISH(L, K_COMBO, struct gt_meta_combo, struct w_combo, combos, ncombos);
	PUBLISH(L, K_ELEMENT, struct gt_meta_element, struct w_element, elements, nelements);
	PUBLISH(L, K_DATASET, struct gt_meta_dataset, struct w_dataset, datasets, ndatasets);
	PUBLISH(L, K_RULE, struct gt_meta_rule, struct w_rule, rules, nrules);
	PUBLISH(L, K_PLAN, struct gt_meta_plan, struct w_plan, plans, nplans);
	PUBLISH(L, K_BLOCK, struct gt_meta_block, struct w_block, blocks, nblocks);
	PUBLISH(L, K_INDICATOR, struct gt_meta_indicator, struct w_indicator, indicators,
	        nindicators);
	PUBLISH(L, K_ACTION, struct gt_meta_action, struct w_action, actions, nactions);
	return 0;
}

/* Loads L->srcs[0..nsrcs) (read already, or marked bad). */
static int ld_run(struct ld *L, struct gt_meta **out, struct gt_meta_errors *errs)
{
	struct gt_meta__index *ix = L->ix;
	struct gt_meta_file *files;
	uint64_t total = 0;
	int rc = 0;

	ix->default_option.code = "";
	ix->default_option.name = "default";
	ix->default_combo.code = "";
	ix->default_combo.name = "default";
	ix->default_combo.file = "";
	ix->default_combo.index = UINT32_MAX;
	ix->default_combo.is_default = 1;
	ix->default_combo.builtin = 1;
	ix->default_combo.options = &ix->default_option;
	ix->default_combo.noptions = 1;
	ix->default_combo.sorted = &ix->default_sorted;
	L->m->default_combo = &ix->default_combo;

	if (L->nsrcs == 0) {
		gt__meta_err_at(L, UINT32_MAX, 0, "no metadata files (*.gtm) to load");
		gt__meta_set_rc(L, GT_ENOENT);
		goto out;
	}
	L->fnames = gt__meta_arena_alloc(&ix->arena, L->nsrcs * sizeof(*L->fnames));
	files = gt__meta_arena_alloc(&ix->arena, L->nsrcs * sizeof(*files));
	if (L->fnames == NULL || files == NULL) {
		gt__meta_nomem(L);
		goto out;
	}
	for (size_t i = 0; i < L->nsrcs; i++) {
		struct src *s = &L->srcs[i];
		size_t bl = strlen(s->base);
		if (bl == 0 || bl > GT_META_MAX_FILE_NAME) {
			gt__meta_err_at(L, (uint32_t)i, 0,
			                "file name empty or longer than %u bytes",
			                GT_META_MAX_FILE_NAME);
			s->bad = true;
		} else if (i > 0 && strcmp(s->base, L->srcs[i - 1].base) == 0) {
			gt__meta_err_at(L, (uint32_t)i, 0, "two files named %s", s->base);
			s->bad = true;
		}
		if (!s->bad && s->len > GT_META_MAX_FILE) {
			gt__meta_err_at(L, (uint32_t)i, 0, "file larger than %u bytes",
			                GT_META_MAX_FILE);
			gt__meta_set_rc(L, GT_ETOOBIG);
			s->bad = true;
		}
		if (!s->bad)
			total += s->len;
		L->fnames[i] = gt__meta_arena_strndup(&ix->arena, s->name, strlen(s->name));
		files[i].name = gt__meta_arena_strndup(&ix->arena, s->base, bl);
		if (L->fnames[i] == NULL || files[i].name == NULL) {
			gt__meta_nomem(L);
			goto out;
		}
	}
	if (total > GT_META_MAX_TOTAL) {
		gt__meta_err_at(L, UINT32_MAX, 0, "files larger than %u bytes together",
		                GT_META_MAX_TOTAL);
		gt__meta_set_rc(L, GT_ETOOBIG);
		goto out;
	}
	for (size_t i = 0; i < L->nsrcs && !L->stop; i++) {
		struct src *s = &L->srcs[i];
		uint8_t *copy;
		if (s->bad)
			continue;
		copy = gt__meta_arena_alloc(&ix->arena, s->len);
		if (copy == NULL) {
			gt__meta_nomem(L);
			goto out;
		}
		if (s->len > 0)
			memcpy(copy, s->buf, s->len);
		files[i].content = copy;
		files[i].len = s->len;
		if ((rc = gt_crypto_sha256(copy, s->len, files[i].sha256)) != 0) {
			gt__meta_set_rc(L, rc);
			gt__meta_err_at(L, (uint32_t)i, 0, "cannot compute the file's digest");
			goto out;
		}
		gt__meta_parse_file(L, (uint32_t)i);
	}
	if (L->stop)
		goto out;
	gt__meta_resolve_all(L);
	if (L->stop || L->nerrs > 0 || L->dropped > 0)
		goto out;
	if (publish(L) != 0)
		goto out;
	L->m->files = files;
	L->m->nfiles = L->nsrcs;
	if ((rc = gt__meta_digest_set(L, files, L->nsrcs, L->m->digest)) != 0) {
		gt__meta_set_rc(L, rc);
		gt__meta_err_at(L, UINT32_MAX, 0, "cannot compute the set's digest");
		goto out;
	}
out:
	if (L->nomem)
		rc = GT_ENOMEM;
	else if (L->rc != 0)
		rc = L->rc;
	else if (L->nerrs > 0 || L->dropped > 0)
		rc = GT_EINVAL;
	else
		rc = 0;
	if (rc == 0)
		*out = L->m;
	ld_finish(L, errs, rc == 0);
	return rc;
}

/* Refuses a load before parsing: frees the loader and reports its errors. */
static int ld_refuse(struct ld *L, struct gt_meta_errors *errs, int rc)
{
	if (L->nomem)
		rc = GT_ENOMEM;
	ld_finish(L, errs, false);
	return rc;
}

/* Creates a loader with room for n sources; NULL when out of memory. */
static struct ld *ld_with_srcs(size_t n)
{
	struct ld *L = ld_new();

	if (L == NULL)
		return NULL;
	L->srcs = calloc(n ? n : 1, sizeof(*L->srcs));
	if (L->srcs == NULL) {
		ld_finish(L, NULL, false);
		return NULL;
	}
	return L;
}

int gt_meta_load_buffers(const char *const *names, const uint8_t *const *bufs, const size_t *lens,
                         size_t n, struct gt_meta **out, struct gt_meta_errors *errs)
{
	struct ld *L;

	*out = NULL;
	gt_meta_errors_init(errs);
	if (n > 0 && (names == NULL || bufs == NULL || lens == NULL))
		return GT_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (names[i] == NULL || (bufs[i] == NULL && lens[i] > 0))
			return GT_EINVAL;
	L = ld_with_srcs(n > GT_META_MAX_FILES ? 0 : n);
	if (L == NULL)
		return GT_ENOMEM;
	if (n > GT_META_MAX_FILES) {
		gt__meta_err_at(L, UINT32_MAX, 0, "more than %u files", GT_META_MAX_FILES);
		return ld_refuse(L, errs, GT_ETOOBIG);
	}
	for (size_t i = 0; i < n; i++) {
		L->srcs[i].name = names[i];
		L->srcs[i].base = base_name(names[i]);
		L->srcs[i].buf = bufs[i] != NULL ? bufs[i] : (const uint8_t *)"";
		L->srcs[i].len = lens[i];
	}
	L->nsrcs = n;
	qsort(L->srcs, L->nsrcs, sizeof(*L->srcs), src_cmp);
	return ld_run(L, out, errs);
}

/* Reads s->name into s->owned; records an error and marks s bad on failure. */
static void read_src(struct ld *L, uint32_t fidx)
{
	struct src *s = &L->srcs[fidx];
	struct stat st;
	size_t got = 0;
	int fd, rc = 0;

	s->bad = true;
	fd = open(s->name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = gt_err_from_errno(errno);
		gt__meta_err_at(L, fidx, 0, "cannot open: %s", gt_strerror(rc));
		gt__meta_set_rc(L, rc);
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		gt__meta_err_at(L, fidx, 0, "not a regular file");
		gt__meta_set_rc(L, GT_EIO);
		goto out;
	}
	if ((uint64_t)st.st_size > GT_META_MAX_FILE) {
		gt__meta_err_at(L, fidx, 0, "file larger than %u bytes", GT_META_MAX_FILE);
		gt__meta_set_rc(L, GT_ETOOBIG);
		goto out;
	}
	/* One byte more than the size, to notice a file that grows while it is read. */
	s->owned = malloc((size_t)st.st_size + 1);
	if (s->owned == NULL) {
		gt__meta_nomem(L);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, s->owned + got, (size_t)st.st_size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = gt_err_from_errno(errno);
			gt__meta_err_at(L, fidx, 0, "cannot read: %s", gt_strerror(rc));
			gt__meta_set_rc(L, rc);
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > (size_t)st.st_size) {
			gt__meta_err_at(L, fidx, 0, "file changed while being read");
			gt__meta_set_rc(L, GT_EIO);
			goto out;
		}
	}
	s->buf = s->owned;
	s->len = got;
	s->bad = false;
out:
	close(fd);
}

/* Sorts the sources named by path, reads them and loads them. */
static int load_paths(struct ld *L, struct gt_meta **out, struct gt_meta_errors *errs)
{
	qsort(L->srcs, L->nsrcs, sizeof(*L->srcs), src_cmp);
	for (size_t i = 0; i < L->nsrcs && !L->stop; i++)
		read_src(L, (uint32_t)i);
	if (L->stop)
		return ld_refuse(L, errs, GT_ENOMEM);
	return ld_run(L, out, errs);
}

int gt_meta_load_files(const char *const *paths, size_t n, struct gt_meta **out,
                       struct gt_meta_errors *errs)
{
	struct ld *L;

	*out = NULL;
	gt_meta_errors_init(errs);
	if (n > 0 && paths == NULL)
		return GT_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (paths[i] == NULL)
			return GT_EINVAL;
	L = ld_with_srcs(n > GT_META_MAX_FILES ? 0 : n);
	if (L == NULL)
		return GT_ENOMEM;
	if (n > GT_META_MAX_FILES) {
		gt__meta_err_at(L, UINT32_MAX, 0, "more than %u files", GT_META_MAX_FILES);
		return ld_refuse(L, errs, GT_ETOOBIG);
	}
	for (size_t i = 0; i < n; i++) {
		L->srcs[i].name = paths[i];
		L->srcs[i].base = base_name(paths[i]);
	}
	L->nsrcs = n;
	return load_paths(L, out, errs);
}

static bool gtm_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".gtm") == 0;
}

int gt_meta_load_dir(const char *dir, struct gt_meta **out, struct gt_meta_errors *errs)
{
	struct dirent *de;
	struct ld *L;
	DIR *d;
	int rc;

	*out = NULL;
	gt_meta_errors_init(errs);
	if (dir == NULL)
		return GT_EINVAL;
	L = ld_with_srcs(GT_META_MAX_FILES);
	if (L == NULL)
		return GT_ENOMEM;
	L->setname = dir;
	d = opendir(dir);
	if (d == NULL) {
		rc = gt_err_from_errno(errno);
		gt__meta_err_at(L, UINT32_MAX, 0, "cannot open the directory: %s", gt_strerror(rc));
		return ld_refuse(L, errs, rc);
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *p;
		if (!gtm_name(de->d_name))
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0) {
			gt__meta_nomem(L);
			break;
		}
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (L->nsrcs == GT_META_MAX_FILES) {
			free(p);
			gt__meta_err_at(L, UINT32_MAX, 0, "more than %u .gtm files",
			                GT_META_MAX_FILES);
			gt__meta_set_rc(L, GT_ETOOBIG);
			break;
		}
		L->srcs[L->nsrcs].owned_name = p;
		L->srcs[L->nsrcs].name = p;
		L->srcs[L->nsrcs].base = base_name(p);
		L->nsrcs++;
	}
	closedir(d);
	if (L->stop || L->rc != 0)
		return ld_refuse(L, errs, L->rc);
	return load_paths(L, out, errs);
}

/* ------------------------------------------------------------------------------------------ */
/* Lookups. */

uint64_t gt_meta_version(const struct gt_meta *m)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | m->digest[i];
	return v;
}

#define FIND(kind, type, arr)                                                                      \
	do {                                                                                       \
		uint32_t i_;                                                                       \
		if (m == NULL || code == NULL)                                                     \
			return NULL;                                                               \
		i_ = gt__meta_ktab_find(&m->index->tabs[kind], code);                              \
		return i_ == UINT32_MAX ? NULL : m->arr[i_];                                       \
	} while (0)

const struct gt_meta_combo *gt_meta_combo_find(const struct gt_meta *m, const char *code)
{
	FIND(K_COMBO, struct gt_meta_combo, combos);
}

const struct gt_meta_element *gt_meta_element_find(const struct gt_meta *m, const char *code)
{
	FIND(K_ELEMENT, struct gt_meta_element, elements);
}

const struct gt_meta_dataset *gt_meta_dataset_find(const struct gt_meta *m, const char *code)
{
	FIND(K_DATASET, struct gt_meta_dataset, datasets);
}

const struct gt_meta_rule *gt_meta_rule_find(const struct gt_meta *m, const char *code)
{
	FIND(K_RULE, struct gt_meta_rule, rules);
}

const struct gt_meta_plan *gt_meta_plan_find(const struct gt_meta *m, const char *code)
{
	FIND(K_PLAN, struct gt_meta_plan, plans);
}

const struct gt_meta_block *gt_meta_block_find(const struct gt_meta *m, const char *code)
{
	FIND(K_BLOCK, struct gt_meta_block, blocks);
}

const struct gt_meta_indicator *gt_meta_indicator_find(const struct gt_meta *m, const char *code)
{
	FIND(K_INDICATOR, struct gt_meta_indicator, indicators);
}

const struct gt_meta_action *gt_meta_action_find(const struct gt_meta *m, const char *code)
{
	FIND(K_ACTION, struct gt_meta_action, actions);
}

int gt_meta_element_option_index(const struct gt_meta_element *e, const char *coc)
{
	const struct gt_meta_combo *c;
	size_t lo = 0, hi;

	if (e == NULL || coc == NULL || e->combo == NULL)
		return GT_ENOENT;
	c = e->combo;
	hi = c->noptions;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t o = c->sorted[mid];
		int cmp = strcmp(coc, c->options[o].code);
		if (cmp == 0)
			return (int)o;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return GT_ENOENT;
}

int gt_meta_value_check(const struct gt_meta_element *e, const char *value)
{
	size_t len, i = 0;
	unsigned long long v = 0;

	if (e == NULL || value == NULL || value[0] == '\0')
		return GT_EINVAL;
	len = strlen(value);
	switch (e->type) {
	case GT_META_TYPE_INT0:
		if (len > 1 && value[0] == '0')
			return GT_EINVAL;
		for (const char *p = value; *p != '\0'; p++) {
			unsigned d = (unsigned)(*p - '0');
			if (*p < '0' || *p > '9')
				return GT_EINVAL;
			if (v > ((unsigned long long)INT64_MAX - d) / 10)
				return GT_EINVAL;
			v = v * 10 + d;
		}
		return 0;
	case GT_META_TYPE_NUMBER:
		return gt__meta_decimal_parse(value, true, NULL) ? 0 : GT_EINVAL;
	case GT_META_TYPE_BOOL:
		return strcmp(value, "true") == 0 || strcmp(value, "false") == 0 ? 0 : GT_EINVAL;
	case GT_META_TYPE_TEXT:
		if (len > e->max_length)
			return GT_ETOOBIG;
		while (i < len) {
			long cp = gt__meta_utf8_next((const unsigned char *)value, len, &i);
			if (cp < 0 ||
			    (gt__meta_is_control(cp) && cp != '\t' && cp != '\n' && cp != '\r'))
				return GT_EINVAL;
		}
		return 0;
	}
	return GT_EINVAL;
}

int gt_meta_dataset_has_element(const struct gt_meta_dataset *ds, const struct gt_meta_element *e)
{
	size_t lo = 0, hi;

	if (ds == NULL || e == NULL)
		return 0;
	hi = ds->nelements;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t x = ds->sorted[mid];
		if (x == e->index)
			return 1;
		if (e->index < x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

const struct gt_meta_dataset *gt_meta_dataset_for_element(const struct gt_meta_element *e)
{
	if (e == NULL || e->ndatasets != 1)
		return NULL;
	return e->datasets[0];
}

int gt_meta_dataset_reports_at(const struct gt_meta_dataset *ds, int level)
{
	if (ds == NULL || level < GT_ORGUNIT_LEVEL_NATIONAL || level > GT_ORGUNIT_LEVEL_DISTRICT)
		return 0;
	return (ds->levels & GT_META_LEVEL_BIT(level)) != 0;
}

int gt_meta_resolve(const struct gt_meta *m, const char *dataset, const char *element,
                    const char *coc, struct gt_meta_key *out, const char **why)
{
	const struct gt_meta_element *e;
	const struct gt_meta_dataset *ds;
	const char *reason = NULL;
	int opt, rc = 0;

	memset(out, 0, sizeof(*out));
	out->option = -1;
	e = gt_meta_element_find(m, element);
	if (e == NULL) {
		reason = "unknown data element";
		rc = GT_ENOENT;
		goto out;
	}
	opt = gt_meta_element_option_index(e, coc != NULL ? coc : "");
	if (opt < 0) {
		reason = "unknown category option combo for the data element";
		rc = GT_ENOENT;
		goto out;
	}
	if (dataset != NULL && dataset[0] != '\0') {
		ds = gt_meta_dataset_find(m, dataset);
		if (ds == NULL) {
			reason = "unknown data set";
			rc = GT_ENOENT;
			goto out;
		}
		if (!gt_meta_dataset_has_element(ds, e)) {
			reason = "the data element is not in the data set";
			rc = GT_EINVAL;
			goto out;
		}
	} else {
		ds = gt_meta_dataset_for_element(e);
		if (ds == NULL) {
			reason = e->ndatasets == 0 ? "the data element belongs to no data set"
			                           : "the data element belongs to several data "
			                             "sets; the value must name one";
			rc = GT_EINVAL;
			goto out;
		}
	}
	if (e->builtin && ds->plan != NULL && m->indicators[opt]->plan != ds->plan) {
		reason = "the indicator is not in the data set's plan";
		rc = GT_EINVAL;
		goto out;
	}
	out->dataset = ds;
	out->element = e;
	out->option = opt;
out:
	if (why != NULL)
		*why = reason;
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Validation rules. */

struct side_sum {
	double value;
	size_t present;
	size_t missing;
};

static int side_eval(const struct gt_meta_operand *ops, size_t n, gt_meta_value_fn get, void *ctx,
                     struct side_sum *s)
{
	for (size_t i = 0; i < n; i++) {
		const struct gt_meta_operand *o = &ops[i];
		size_t first, last;
		if (o->element == NULL) {
			s->value += o->sign * o->number;
			continue;
		}
		first = o->option >= 0 ? (size_t)o->option : 0;
		last = o->option >= 0 ? (size_t)o->option + 1 : o->element->combo->noptions;
		for (size_t k = first; k < last; k++) {
			double v = 0;
			int rc = get(ctx, o->element, (int)k, &v);
			if (rc == GT_ENOENT) {
				s->missing++;
				continue;
			}
			if (rc != 0)
				return rc;
			s->present++;
			s->value += o->sign * v;
		}
	}
	return 0;
}

static double absd(double x)
{
	return x < 0 ? -x : x;
}

int gt_meta_rule_eval(const struct gt_meta_rule *r, gt_meta_value_fn get, void *ctx,
                      struct gt_meta_rule_result *res)
{
	struct side_sum l = {0, 0, 0}, rt = {0, 0, 0};
	double d, tol, big;
	int rc, ok = 1;

	memset(res, 0, sizeof(*res));
	if (r == NULL || get == NULL)
		return GT_EINVAL;
	if ((rc = side_eval(r->left, r->nleft, get, ctx, &l)) != 0)
		return rc;
	if ((rc = side_eval(r->right, r->nright, get, ctx, &rt)) != 0)
		return rc;
	res->left = l.value;
	res->right = rt.value;
	if (r->missing == GT_META_MISSING_SKIP_ALL && l.present + rt.present == 0 &&
	    l.missing + rt.missing > 0) {
		res->skipped = 1;
		return 0;
	}
	if (r->missing == GT_META_MISSING_SKIP_ANY && l.missing + rt.missing > 0) {
		res->skipped = 1;
		return 0;
	}
	d = l.value - rt.value;
	big = absd(l.value) > absd(rt.value) ? absd(l.value) : absd(rt.value);
	tol = 1e-9 * (big > 1 ? big : 1);
	switch (r->op) {
	case GT_META_OP_EQ:
		ok = absd(d) <= tol;
		break;
	case GT_META_OP_NE:
		ok = absd(d) > tol;
		break;
	case GT_META_OP_LE:
		ok = d <= tol;
		break;
	case GT_META_OP_LT:
		ok = d < -tol;
		break;
	case GT_META_OP_GE:
		ok = d >= -tol;
		break;
	case GT_META_OP_GT:
		ok = d > tol;
		break;
	}
	res->violated = !ok;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Names. */

const char *gt_meta_type_name(enum gt_meta_value_type t)
{
	return (unsigned)t < 4 ? type_words[t] : "?";
}

const char *gt_meta_op_name(enum gt_meta_op op)
{
	return (unsigned)op < 6 ? op_words[op] : "?";
}
