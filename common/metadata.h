/* The metadata model: combos, elements, data sets, rules and plan catalogues from .gtm files. */
#ifndef GT_METADATA_H
#define GT_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"
#include "orgunit.h"
#include "period.h"

/*
 * The format is specified in metadata/FORMAT.md. A loaded set is immutable: every pointer
 * below is borrowed from the struct gt_meta that holds it and lives until gt_meta_free().
 * A loaded set may be shared by several threads for reading.
 */

/* Format version this loader reads (the header line "gtsync-metadata 1"). */
#define GT_META_FORMAT_VERSION 1
/* Longest line in bytes, not counting the line terminator. */
#define GT_META_MAX_LINE 4096u
/* Largest file, and largest sum of all files loaded together, in bytes. */
#define GT_META_MAX_FILE  (4u * 1024u * 1024u)
#define GT_META_MAX_TOTAL (64u * 1024u * 1024u)
/* Most files loaded together, and longest file name (without directory) in bytes. */
#define GT_META_MAX_FILES     256u
#define GT_META_MAX_FILE_NAME 255u
/* Most records of all kinds in all files loaded together. */
#define GT_META_MAX_RECORDS 100000u
/* Longest code (element, data set, option, ...), in bytes. */
#define GT_META_MAX_CODE GT_MAX_CODE_LEN
/* Most errors kept in a struct gt_meta_errors; the rest are only counted. */
#define GT_META_MAX_ERRORS 100u
/* Longest error message kept, in bytes including the terminating NUL. */
#define GT_META_MAX_ERROR_LEN 512u
/* Largest timely/expiry day count, a year range bound and the largest source line number. */
#define GT_META_MAX_DAYS        3660u
#define GT_META_YEAR_MIN        1900u
#define GT_META_YEAR_MAX        2999u
#define GT_META_MAX_SOURCE_LINE 10000000u
/* Longest value of type number, in bytes. */
#define GT_META_MAX_NUMBER_LEN 40u
/* Default and largest length of a text value, in bytes. */
#define GT_META_MAX_TEXT GT_MAX_VALUE_LEN

/* Defaults for a data set that does not say. */
#define GT_META_DEFAULT_TIMELY 15u
#define GT_META_DEFAULT_EXPIRY 0u
/* The disclosure threshold of a count of victims that does not give one: published cells
 * from 1 to 4 are suppressed (docs/PRIVACY.md). */
#define GT_META_DEFAULT_DISCLOSURE 5u
/* The largest disclosure threshold a data set or element may give. */
#define GT_META_MAX_DISCLOSURE 1000u

/* The reserved element and combo through which plan achievement is reported: the element
 * ACH, whose options are the indicators of every loaded plan (see FORMAT.md). */
#define GT_META_ACH_CODE "ACH"

/* Org-unit levels a data set is reported at: the org-unit module's, under the names the
 * metadata files use (national, province, district). */
#define GT_META_LEVEL_NATIONAL GT_ORGUNIT_LEVEL_NATIONAL
#define GT_META_LEVEL_PROVINCE GT_ORGUNIT_LEVEL_PROVINCE
#define GT_META_LEVEL_DISTRICT GT_ORGUNIT_LEVEL_DISTRICT
/* The bit of gt_meta_dataset.levels for a level. */
#define GT_META_LEVEL_BIT(level) (1u << (level))

enum gt_meta_value_type {
	GT_META_TYPE_INT0,   /* a non-negative integer that fits in int64 */
	GT_META_TYPE_NUMBER, /* a finite decimal number */
	GT_META_TYPE_TEXT,   /* UTF-8 text up to the element's max_length */
	GT_META_TYPE_BOOL,   /* "true" or "false" */
};

enum gt_meta_aggregation {
	GT_META_AGG_SUM,
	GT_META_AGG_NONE,
};

enum gt_meta_op {
	GT_META_OP_EQ,
	GT_META_OP_NE,
	GT_META_OP_LE,
	GT_META_OP_LT,
	GT_META_OP_GE,
	GT_META_OP_GT,
};

/* What a rule does when values are missing (DHIS2's missing value strategies). */
enum gt_meta_missing {
	GT_META_MISSING_SKIP_ALL, /* skip when no value of the rule is present (default) */
	GT_META_MISSING_SKIP_ANY, /* skip when any value of the rule is missing */
	GT_META_MISSING_NEVER,    /* never skip; a missing value counts as 0 */
};

enum gt_meta_indicator_kind {
	GT_META_KIND_NONE,
	GT_META_KIND_PROCESS,
	GT_META_KIND_RESULT,
	GT_META_KIND_OUTPUT,
	GT_META_KIND_OUTCOME,
};

/* A list of texts, e.g. responsible agencies. */
struct gt_meta_texts {
	const char *const *items;
	size_t n;
};

/* A list of years (schedule flags). */
struct gt_meta_years {
	const uint16_t *items;
	size_t n;
};

/* Every record names the file (as given to the loader) and line it was defined on. */
struct gt_meta_option {
	const char *code; /* "" for the default combo's single option */
	const char *name;
	uint32_t index; /* position in its combo */
};

struct gt_meta_combo {
	const char *code;
	const char *name;
	const char *file;
	unsigned line;
	uint32_t index; /* position in gt_meta.combos; UINT32_MAX for the default combo */
	int is_default; /* the default combo: one option with code "" */
	int builtin;    /* made by the loader (the default combo, the ACH combo) */
	const struct gt_meta_option *options;
	size_t noptions;
	const uint32_t *sorted; /* option indexes in code order (internal, for lookups) */
};

struct gt_meta_element {
	const char *code;
	const char *name;
	const char *description; /* "" when absent */
	const char *file;
	unsigned line;
	uint32_t index; /* position in gt_meta.elements */
	int builtin;    /* the ACH element */
	enum gt_meta_value_type type;
	enum gt_meta_aggregation aggregation;
	uint32_t max_length; /* text only: largest value in bytes */
	int victims;         /* counts victims ("victims yes") */
	int comments;        /* comments allowed (default: unless victims) */
	unsigned disclosure; /* published cells 1..disclosure-1 are suppressed; 0: none */
	const struct gt_meta_combo *combo; /* never NULL: the default combo when none given */
	const struct gt_meta_dataset *const *datasets; /* the data sets that contain it */
	size_t ndatasets;
};

struct gt_meta_dataset {
	const char *code;
	const char *name;
	const char *description;
	const char *file;
	unsigned line;
	uint32_t index;
	enum gt_period_type period_type;
	unsigned levels;      /* GT_META_LEVEL_BIT() of each reporting level */
	unsigned timely_days; /* days after the period's end a report counts as on time */
	unsigned expiry_days; /* days after the period's end values can be entered; 0: never */
	const struct gt_meta_plan *plan; /* an achievement data set's plan, or NULL */
	unsigned disclosure; /* the threshold of its elements that give none ("disclosure N") */
	const struct gt_meta_element *const *elements;
	size_t nelements;
	const uint32_t *sorted; /* element indexes in ascending order (internal, for lookups) */
};

/* One term of a rule side: a number, an element's total, or one option of an element. */
struct gt_meta_operand {
	int sign;                              /* +1 or -1 */
	const struct gt_meta_element *element; /* NULL for a number */
	int option;                            /* option index, or -1 for the element's total */
	double number;                         /* the literal when element is NULL */
};

/* Whether a failing rule refuses a submission or approval, or needs an acknowledgement. */
enum gt_meta_severity {
	GT_META_SEVERITY_ERROR, /* the default */
	GT_META_SEVERITY_WARNING,
};

struct gt_meta_rule {
	const char *code;
	const char *name;
	const char *description;
	const char *file;
	unsigned line;
	uint32_t index;
	const struct gt_meta_dataset *dataset; /* the form it belongs to, or NULL */
	enum gt_meta_op op;
	enum gt_meta_missing missing;
	enum gt_meta_severity severity;
	const struct gt_meta_operand *left;
	size_t nleft;
	const struct gt_meta_operand *right;
	size_t nright;
};

struct gt_meta_plan {
	const char *code;
	const char *name;
	const char *file;
	unsigned line;
	uint32_t index;
	unsigned first_year;
	unsigned last_year;
	const char *scope_province; /* Kemendagri province code, or NULL for a national plan */
	const char *source;         /* "" when absent */
};

struct gt_meta_block {
	const char *code;
	const char *name;
	const char *file;
	unsigned line;
	uint32_t index;
	const struct gt_meta_plan *plan;
	const char *lead; /* "" when absent */
	struct gt_meta_texts coordinators;
	unsigned source_line; /* line in the source document, 0 when absent */
};

/* A yearly target: the quantity (if any), its unit and the source's raw text. */
struct gt_meta_target {
	unsigned year;
	int has_quantity;          /* 0 when the quantity was "-" */
	double quantity;           /* as a number */
	const char *quantity_text; /* as written, "-" when absent */
	const char *unit;
	const char *raw;
};

struct gt_meta_indicator {
	const char *code;
	const char *name;
	const char *file;
	unsigned line;
	uint32_t index; /* also its option index in the ACH combo */
	const struct gt_meta_block *block;
	const struct gt_meta_plan *plan; /* the block's plan */
	const struct gt_meta_target *targets;
	size_t ntargets;
	struct gt_meta_years schedule;
	struct gt_meta_texts responsible;
	struct gt_meta_texts coordinators;
	struct gt_meta_texts implementers;
	const char *group; /* "" when absent, as are the next two */
	const char *challenge;
	const char *objective;
	enum gt_meta_indicator_kind kind;
	unsigned source_line;
};

struct gt_meta_action {
	const char *code;
	const char *name;
	const char *file;
	unsigned line;
	uint32_t index;
	const struct gt_meta_indicator *indicator;
	struct gt_meta_texts responsible;
	struct gt_meta_texts coordinators;
	struct gt_meta_texts implementers;
	struct gt_meta_years schedule;
	const char *group;
	unsigned source_line;
};

/* One loaded file, kept verbatim so the server can serve it to clients. */
struct gt_meta_file {
	const char *name; /* the base name, e.g. "kasus.gtm" */
	const uint8_t *content;
	size_t len;
	uint8_t sha256[GT_SHA256_LEN];
};

struct gt_meta__index;

/* A loaded metadata set. All fields are read-only; arrays are in load order (files by name,
 * then line), and the builtin combo/element ACH come last. */
struct gt_meta {
	const struct gt_meta_file *files; /* sorted by name */
	size_t nfiles;
	const struct gt_meta_combo *const *combos; /* not including the default combo */
	size_t ncombos;
	const struct gt_meta_element *const *elements;
	size_t nelements;
	const struct gt_meta_dataset *const *datasets;
	size_t ndatasets;
	const struct gt_meta_rule *const *rules;
	size_t nrules;
	const struct gt_meta_plan *const *plans;
	size_t nplans;
	const struct gt_meta_block *const *blocks;
	size_t nblocks;
	const struct gt_meta_indicator *const *indicators;
	size_t nindicators;
	const struct gt_meta_action *const *actions;
	size_t nactions;
	const struct gt_meta_combo *default_combo;
	/* SHA-256 over "gtsync-metadata-1", NUL, then for each file in name order: its name's
	 * length (4 bytes, big-endian), its name, its content's SHA-256. */
	uint8_t digest[GT_SHA256_LEN];
	struct gt_meta__index *index; /* internal: lookup tables and storage */
};

/* One load error: "file:line: message" (or "file: message" when no line applies). */
struct gt_meta_error {
	char *text; /* owned by the struct gt_meta_errors */
	unsigned line;
};

/* The errors of a load, in file then line order; at most GT_META_MAX_ERRORS are kept. */
struct gt_meta_errors {
	struct gt_meta_error items[GT_META_MAX_ERRORS];
	size_t count;   /* entries in items */
	size_t dropped; /* further errors that were found but not kept */
};

/* Prepares errs for a load; a load also does this itself. */
void gt_meta_errors_init(struct gt_meta_errors *errs);

/* Frees the texts held by errs and empties it; accepts NULL. */
void gt_meta_errors_clear(struct gt_meta_errors *errs);

/*
 * Loads every regular file named *.gtm (not starting with ".") in dir, in name order.
 * On success *out is set (caller frees with gt_meta_free()). On any error *out is NULL,
 * nothing is loaded, and errs (optional; cleared first, caller clears after) holds every
 * error up to the cap. Returns GT_EINVAL for content errors, GT_ENOENT when dir holds no
 * .gtm file, GT_ETOOBIG when too many or too large files, GT_EIO/GT_ENOMEM/... otherwise.
 */
int gt_meta_load_dir(const char *dir, struct gt_meta **out, struct gt_meta_errors *errs);

/* Loads the files at paths[0..n) as one set, as gt_meta_load_dir() does. Error messages name
 * each file by its path as given; files are loaded and digested in base-name order. */
int gt_meta_load_files(const char *const *paths, size_t n, struct gt_meta **out,
                       struct gt_meta_errors *errs);

/* Loads n files given as bytes (borrowed; copied): names[i] (a name or path; the base name
 * is what orders and digests the set) with content bufs[i][0..lens[i]). As
 * gt_meta_load_dir() otherwise. */
int gt_meta_load_buffers(const char *const *names, const uint8_t *const *bufs, const size_t *lens,
                         size_t n, struct gt_meta **out, struct gt_meta_errors *errs);

/* Frees a loaded set; accepts NULL. */
void gt_meta_free(struct gt_meta *m);

/* The first 8 bytes of m's digest as a big-endian number: a version that changes whenever
 * any file's name or content changes. */
uint64_t gt_meta_version(const struct gt_meta *m);

/* Lookups by code: O(1), no allocation. Return NULL when absent. Borrowed. */
const struct gt_meta_combo *gt_meta_combo_find(const struct gt_meta *m, const char *code);
const struct gt_meta_element *gt_meta_element_find(const struct gt_meta *m, const char *code);
const struct gt_meta_dataset *gt_meta_dataset_find(const struct gt_meta *m, const char *code);
const struct gt_meta_rule *gt_meta_rule_find(const struct gt_meta *m, const char *code);
const struct gt_meta_plan *gt_meta_plan_find(const struct gt_meta *m, const char *code);
const struct gt_meta_block *gt_meta_block_find(const struct gt_meta *m, const char *code);
const struct gt_meta_indicator *gt_meta_indicator_find(const struct gt_meta *m, const char *code);
const struct gt_meta_action *gt_meta_action_find(const struct gt_meta *m, const char *code);

/* Returns the index of the option coc (a category option combo code; "" for an element with
 * the default combo) in e's combo, or GT_ENOENT. O(log n), no allocation. */
int gt_meta_element_option_index(const struct gt_meta_element *e, const char *coc);

/* Checks value (NUL-terminated) against e's type: int0 is "0" or digits without a leading
 * zero or sign that fit in int64; number is an optional "-", digits without a leading zero,
 * and an optional "." with digits, at most GT_META_MAX_NUMBER_LEN bytes; bool is "true" or
 * "false"; text is non-empty valid UTF-8 of at most e->max_length bytes. Returns 0,
 * GT_EINVAL, or GT_ETOOBIG for text over the limit. */
int gt_meta_value_check(const struct gt_meta_element *e, const char *value);

/* Returns 1 if ds contains e, 0 if not. O(log n). */
int gt_meta_dataset_has_element(const struct gt_meta_dataset *ds, const struct gt_meta_element *e);

/* Returns 1 if ds contains an element whose code is code (NULL: 0), 0 if not. O(n), for
 * callers that hold a code from outside input rather than a resolved element. */
int gt_meta_dataset_has_code(const struct gt_meta_dataset *ds, const char *code);

/* Returns the one data set that contains e, or NULL when none or several do (a value of such
 * an element must name its data set). */
const struct gt_meta_dataset *gt_meta_dataset_for_element(const struct gt_meta_element *e);

/* Returns 1 if ds is reported at level (GT_META_LEVEL_*), 0 otherwise. */
int gt_meta_dataset_reports_at(const struct gt_meta_dataset *ds, int level);

/* A value's key resolved against a metadata set. */
struct gt_meta_key {
	const struct gt_meta_dataset *dataset;
	const struct gt_meta_element *element;
	int option; /* index in element->combo */
};

/*
 * Resolves a value's (dataset, element, category option combo) as carried on the wire:
 * dataset may be NULL or "" when the element belongs to exactly one data set. Checks that
 * the element exists, the option belongs to its combo, the data set exists and contains the
 * element, and for an achievement data set that the indicator belongs to its plan. Returns
 * 0 and fills *out, or GT_ENOENT (unknown code) / GT_EINVAL (mismatch); *why (optional)
 * then points to a static sentence. No allocation.
 */
int gt_meta_resolve(const struct gt_meta *m, const char *dataset, const char *element,
                    const char *coc, struct gt_meta_key *out, const char **why);

/* Fetches the value of element e, option index option, for the org unit and period the
 * caller has in mind (in ctx). Returns 0 and sets *value, GT_ENOENT when no value is
 * recorded, or another negative code to abort the evaluation. */
typedef int (*gt_meta_value_fn)(void *ctx, const struct gt_meta_element *e, int option,
                                double *value);

/* The outcome of one rule evaluation. */
struct gt_meta_rule_result {
	double left; /* the sides' values, missing values counted as 0 */
	double right;
	int skipped;  /* 1 when the missing-value strategy skipped the rule */
	int violated; /* 1 when evaluated and the comparison failed */
};

/*
 * Evaluates rule r with values from get(ctx, ...): an element's total is the sum over its
 * options. Comparison allows a relative difference of 1e-9 (decimal numbers). Returns 0 and
 * fills *res, or the first error get returned other than GT_ENOENT.
 */
int gt_meta_rule_eval(const struct gt_meta_rule *r, gt_meta_value_fn get, void *ctx,
                      struct gt_meta_rule_result *res);

/* Names of the enums, as written in the files; static strings. */
const char *gt_meta_type_name(enum gt_meta_value_type t);
const char *gt_meta_op_name(enum gt_meta_op op);

#endif
