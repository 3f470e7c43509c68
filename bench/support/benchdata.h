/* What the benchmarks share: deterministic keys, the units clients act for, value workloads. */
#ifndef GT_BENCHDATA_H
#define GT_BENCHDATA_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "gtlimits.h"
#include "key.h"
#include "metadata.h"
#include "orgunit.h"

/*
 * Every benchmark program derives the same rows from the same options, so that the load
 * generator, the PostgreSQL client and the set-up commands agree without sharing files:
 *  - key number i of a kind ("client", "reader") is derived from a seed text;
 *  - client i acts for unit i of an org-unit CSV, in code order (districts only, or
 *    provinces and districts);
 *  - a unit's workload is a list of value slots (data set, element, option, period) over
 *    whole years, month by month; batch b of a client takes the K slots after b * K,
 *    wrapping around, and its values depend only on the slot and the batch's sequence.
 */

/* Defaults of the options the benchmark programs share, as plain literals so that each
 * program's --help shows them (GT_CLI_STR): the workload, its pace, and the report asked for. */
#define GT_BENCH_DEF_METADATA  "metadata"
#define GT_BENCH_DEF_DATASETS  "KK,LY"
#define GT_BENCH_DEF_LAST_YEAR 2024
#define GT_BENCH_DEF_YEARS     10
#define GT_BENCH_DEF_BATCHES   10
#define GT_BENCH_DEF_INFLIGHT  8
#define GT_BENCH_DEF_TIMEOUT_S 300
#define GT_BENCH_DEF_ORG       "ID"
#define GT_BENCH_DEF_DATASET   "KK"
#define GT_BENCH_DEF_PERIOD    "2024"

/* The options of the workload, in the option tables of loadgen and pg_load. */
/* clang-format off */
#define GT_BENCH_WORKLOAD_OPTS                                                                     \
	{"metadata", "DIR", "the metadata directory (default " GT_BENCH_DEF_METADATA ")", NULL},   \
	{"datasets", "LIST", "comma-separated data sets (default " GT_BENCH_DEF_DATASETS ")",      \
	 NULL},                                                                                    \
	{"last-year", "YEAR",                                                                      \
	 "the workload's latest year (default " GT_CLI_STR(GT_BENCH_DEF_LAST_YEAR) ")", NULL},     \
	{"years", "N",                                                                             \
	 "years in the workload, latest first (default " GT_CLI_STR(GT_BENCH_DEF_YEARS) ")", NULL}
/* clang-format on */

/* Derives key number index of kind (e.g. "client") from seed: SHA-256 of the three, used as
 * an Ed25519 private key. The same inputs always give the same key. Caller frees *out with
 * gt_key_free(). */
int gt_bench_key(const char *seed, const char *kind, uint32_t index, struct gt_key **out);

/* Which units of a CSV clients act for. */
enum gt_bench_which {
	GT_BENCH_DISTRICTS, /* districts only */
	GT_BENCH_UNITS,     /* provinces and districts */
};

/* Org-unit codes in code order; caller frees with gt_bench_units_free(). */
struct gt_bench_units {
	char (*codes)[GT_ORGUNIT_MAX_LEN];
	size_t n;
};

/* Reads the units of which kind from an org-unit CSV (header code,name,level) into out, in
 * code order. Returns GT_EINVAL (with the first error printed to stderr) for a bad file. */
int gt_bench_units_read(const char *csv_path, enum gt_bench_which which,
                        struct gt_bench_units *out);

/* Frees the codes and resets u; accepts NULL. */
void gt_bench_units_free(struct gt_bench_units *u);

/*
 * Writes an org-unit CSV to out_path: every row of the real CSV at real_path, then synthetic
 * districts (codes PP.41 to PP.69, round robin over the real provinces, named "Kabupaten
 * Sintetis PP.DD") until the file holds at least min_districts districts. Refuses an
 * existing out_path with GT_EEXIST. *districts (optional) is the number written.
 */
int gt_bench_units_write(const char *real_path, size_t min_districts, const char *out_path,
                         size_t *districts);

/* One value slot of a unit's workload; strings borrowed from the metadata. */
struct gt_bench_slot {
	const char *dataset;
	const char *element;
	const char *coc;
	char period[16];
	enum gt_meta_value_type type;
	uint32_t max_length;
};

/* The workload every unit reports: slots over whole years, the latest year first. */
struct gt_bench_work {
	struct gt_meta *meta;
	struct gt_bench_slot *slots;
	size_t nslots;
	size_t per_month; /* slots per year / 12: one month of the data sets, the default K */
};

/* Loads the metadata in metadata_dir and lays out the slots of the data sets named in
 * datasets (comma-separated codes, e.g. "KK,LY") for the years last_year, last_year - 1, ...
 * (years of them): month by month, each data set's periods that end in that month, each
 * element in data-set order, each option of its combo. Caller frees *out with
 * gt_bench_work_free(). Prints what is wrong to stderr on failure. */
int gt_bench_work_new(const char *metadata_dir, const char *datasets, int last_year, int years,
                      struct gt_bench_work **out);

/* Frees a workload; accepts NULL. */
void gt_bench_work_free(struct gt_bench_work *w);

/* Writes the value slot number idx takes in the batch with sequence seq into buf (len >= 32):
 * a small integer, "true"/"false", or a short text, valid for the slot's type. */
void gt_bench_value(const struct gt_bench_slot *s, size_t idx, uint64_t seq, char *buf, size_t len);

/* A signed batch ready to push. */
struct gt_bench_batch {
	uint8_t *bytes; /* the serialized Batch; free() */
	size_t len;
	uint8_t sig[GT_ED25519_SIG_LEN];
	uint64_t seq;
	uint32_t nvalues;
};

/* Builds and signs the batch with sequence seq of key k (whose id is key_id) for org: the
 * count slots of w starting at first (wrapping around), each with revision seq. Caller frees
 * out->bytes. */
int gt_bench_batch_build(const struct gt_bench_work *w, const struct gt_key *k, const char *key_id,
                         const char *org, uint64_t seq, size_t first, size_t count,
                         struct gt_bench_batch *out);

/* Sorts v[0..n) ascending. */
void gt_bench_sort_u64(uint64_t *v, size_t n);

/* Returns the p-th percentile (0..100, nearest rank) of sorted v[0..n); 0 when n is 0. */
uint64_t gt_bench_percentile(const uint64_t *sorted, size_t n, double p);

/* Monotonic time in microseconds. */
uint64_t gt_bench_now_us(void);

#endif
