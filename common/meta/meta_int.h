/* Private to common/meta/: the metadata loader's arena, code tables, records while loading,
 * loader state, and the functions its files share. Callers use metadata.h. */
#ifndef GT_META_INT_H
#define GT_META_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metadata.h"

/* ------------------------------------------------------------------------------------------ */
/* Arena (arena.c). */

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
};

/* Returns n zeroed bytes from a, or NULL when out of memory. */
void *gt__meta_arena_alloc(struct arena *a, size_t n);

/* Frees every block of a at once. */
void gt__meta_arena_free(struct arena *a);

/* Returns a NUL-terminated copy of s[0..len) in a, or NULL when out of memory. */
char *gt__meta_arena_strndup(struct arena *a, const char *s, size_t len);

/* Returns arr if it has room for one more element, else a copy twice as large; NULL when out
 * of memory. The old block stays in the arena. */
void *gt__meta_vec_grow(struct arena *a, void *arr, uint32_t n, uint32_t *cap, size_t elem);

/* Makes room for one more element in arr (n used, cap allocated); false when out of memory. */
#define VEC_ROOM(L, arr, n, cap)                                                                   \
	(((n) < (cap)) ||                                                                          \
	 ((arr) = gt__meta_vec_grow(&(L)->ix->arena, (arr), (n), &(cap), sizeof(*(arr)))) != NULL)

/* ------------------------------------------------------------------------------------------ */
/* Record kinds and their code tables (table.c). */

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

/* The keyword of each kind, and its name in messages. */
extern const char *const gt__meta_kind_words[K_COUNT];
extern const char *const gt__meta_kind_text[K_COUNT];

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

/* Returns the index of code in t, or UINT32_MAX. */
uint32_t gt__meta_ktab_find(const struct ktab *t, const char *code);

/* Appends rec with code to t (the caller has checked that code is new). */
int gt__meta_ktab_add(struct arena *a, struct ktab *t, const char *code, void *rec);

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
	unsigned victims_line;
	unsigned disclosure_line;
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

/* Attribute indexes of each kind, in the order of its keyword table in attr.c. */
enum { A_OPTION };
enum {
	A_TYPE,
	A_AGGREGATION,
	A_COMBO,
	A_EDESCRIPTION,
	A_MAXLENGTH,
	A_VICTIMS,
	A_COMMENTS,
	A_EDISCLOSURE,
};
enum {
	A_PERIOD,
	A_LEVELS,
	A_TIMELY,
	A_EXPIRY,
	A_ELEMENTS,
	A_DPLAN,
	A_DDESCRIPTION,
	A_DDISCLOSURE,
};
enum { A_RDATASET, A_LEFT, A_OP, A_RIGHT, A_MISSING, A_RDESCRIPTION, A_SEVERITY };
enum { A_YEARS, A_SCOPE, A_SOURCE };
enum { A_BPLAN, A_LEAD, A_BCOORDINATOR, A_BLINE };
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
enum {
	A_AINDICATOR,
	A_ARESPONSIBLE,
	A_ACOORDINATOR,
	A_AIMPLEMENTER,
	A_ASCHEDULE,
	A_AGROUP,
	A_ALINE,
};

/* The attribute keywords of each kind (attr.c). */
extern const struct kwdef *const gt__meta_kw_tables[K_COUNT];

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

/* ------------------------------------------------------------------------------------------ */
/* Errors (errors.c). */

/* Records an error at file fidx (UINT32_MAX: the set) and line (0: none). */
__attribute__((format(printf, 4, 5))) void gt__meta_err_at(struct ld *L, uint32_t fidx,
                                                           unsigned line, const char *fmt, ...);

/* An error at the current file and line. */
#define ERR(L, ...) gt__meta_err_at((L), (L)->fidx, (L)->line, __VA_ARGS__)

/* Keeps rc as the load's result unless one is set already. */
void gt__meta_set_rc(struct ld *L, int rc);

/* Marks the load out of memory and stopped; returns GT_ENOMEM. */
int gt__meta_nomem(struct ld *L);

/* A short printable form of s for messages (at most SHOW_LEN bytes, cut at a character). */
const char *gt__meta_show(struct ld *L, const char *s);

/* ------------------------------------------------------------------------------------------ */
/* Lexical checks and tokens (lex.c). */

/* Decodes one UTF-8 character at s[*i]; returns the code point or -1 if malformed. */
long gt__meta_utf8_next(const unsigned char *s, size_t len, size_t *i);

/* True for C0 and C1 control characters. */
bool gt__meta_is_control(long cp);

/* True for a record code: 1 to GT_META_MAX_CODE of A-Z 0-9 _ . -, starting with A-Z or 0-9. */
bool gt__meta_code_ok(const char *s);

/* Checks a decimal: optional "-" (when neg_ok), "0" or digits not starting with 0, then an
 * optional "." and digits; at most GT_META_MAX_NUMBER_LEN bytes. Sets *out (optional). */
bool gt__meta_decimal_parse(const char *s, bool neg_ok, double *out);

/* Parses digits only (no sign) into *out, refusing values above max. */
bool gt__meta_uint_parse(const char *s, unsigned long max, unsigned long *out);

/* Splits line[0..len) (no control characters but tabs, valid UTF-8) into L->toks. Returns 0,
 * or -1 after reporting an error. */
int gt__meta_tokenize(struct ld *L, const char *line, size_t len);

/* ------------------------------------------------------------------------------------------ */
/* Attribute lines (attr.c). */

/* Copies a token into the arena; NULL (the load marked out of memory) on failure. */
const char *gt__meta_tok_dup(struct ld *L, const struct tok *t);

/* Copies a code argument after checking its syntax; NULL after an error. */
const char *gt__meta_code_arg(struct ld *L, const struct tok *t, const char *what);

/* Applies the indented line in L->toks to the current record. */
void gt__meta_attribute_line(struct ld *L);

/* ------------------------------------------------------------------------------------------ */
/* Parsing, resolution and the digest (parse.c, resolve.c, digest.c). */

/* Parses source fidx line by line into records. */
void gt__meta_parse_file(struct ld *L, uint32_t fidx);

/* Resolves every record of a parsed set, in the order the kinds depend on each other. */
void gt__meta_resolve_all(struct ld *L);

/* Computes the set's digest over files[0..n) (names and SHA-256 of each) into out. */
int gt__meta_digest_set(struct ld *L, struct gt_meta_file *files, size_t n, uint8_t *out);

#endif
