/* Fuzzes the shared CSV reader (common/csv.c): invariants of its results, and a round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "error.h"
#include "vec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct elist {
	struct {
		unsigned long line;
		char msg[100];
	} errors[16];
	size_t n, total;
};

/* The rows read, as the cells of the known columns the header names, quoted for CSV. */
struct out {
	char *p;
	size_t used, cap;
};

static const struct gt_csv_column org_columns[] = {{"code", 1}, {"name", 1}, {"level", 1}};
static const struct gt_csv_column dv_columns[] = {{"dataelement", 1}, {"period", 0},
                                                  {"orgunit", 0},     {"categoryoptioncombo", 0},
                                                  {"value", 1},       {"comment", 0}};

static void put(struct out *o, const char *s, size_t n)
{
	if (GT_VEC_RESERVE(o->p, o->cap, o->used + n) != 0)
		abort();
	memcpy(o->p + o->used, s, n);
	o->used += n;
}

static void put_quoted(struct out *o, const char *s, size_t n)
{
	put(o, "\"", 1);
	for (size_t i = 0; i < n; i++)
		put(o, s[i] == '"' ? "\"\"" : s + i, s[i] == '"' ? 2 : 1);
	put(o, "\"", 1);
}

/* Reads data with the columns and limits; checks the invariants; writes the known cells of
 * every row to *o (with a header) when o is not NULL. Returns the number of rows. */
static size_t run(const uint8_t *data, size_t size, const struct gt_csv_column *cols, size_t n_cols,
                  const struct gt_csv_limits *lim, struct out *o)
{
	struct elist el = {0};
	struct gt_csv_errors errs = GT_CSV_ERRORS(el.errors, &el.n, &el.total);
	struct gt_csv_reader *rd;
	unsigned long lines = 1, prev = 0;
	size_t rows = 0;
	int rc;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	rc = gt_csv_open(&rd, data, size, lim, cols, n_cols, &errs);
	if (rc == GT_ETOOBIG && size > lim->max_input && el.total == 1 && el.errors[0].line == 0)
		return 0;
	if (rc != 0 || rd == NULL)
		abort();
	while ((rc = gt_csv_next(rd)) == 1) {
		unsigned long line = gt_csv_line(rd);
		int first = 1;

		if (line < 2 || line > lines || line <= prev)
			abort();
		prev = line;
		rows++;
		for (size_t k = 0; k < n_cols; k++) {
			size_t n = 99;
			const char *s = gt_csv_cell(rd, k, &n);

			if (gt_csv_column(rd, k) < 0) {
				if (cols[k].required || n != 0 || s[0] != '\0')
					abort();
				continue;
			}
			if (strlen(s) != n || n > lim->max_record || n > size)
				abort();
			gt_csv_check_text(s, n, GT_CSV_TEXT_BREAKS, NULL);
			if (o != NULL) {
				if (!first)
					put(o, ",", 1);
				put_quoted(o, s, n);
				first = 0;
			}
		}
		if (o != NULL)
			put(o, "\n", 1);
	}
	if ((rc != 0 && rc != GT_ETOOBIG) || gt_csv_next(rd) != 0)
		abort();
	if (rows > lim->max_rows || el.n > el.total || el.n > 16)
		abort();
	for (size_t i = 0; i < el.n; i++) {
		if (el.errors[i].line > lines ||
		    (i > 0 && el.errors[i - 1].line > el.errors[i].line))
			abort();
		if (memchr(el.errors[i].msg, '\0', sizeof(el.errors[i].msg)) == NULL)
			abort();
	}
	/* An input without errors has a header. */
	if (el.total == 0 && gt_csv_column(rd, 0) < 0 && cols[0].required)
		abort();
	gt_csv_close(rd);
	return rows;
}

/* Writes the header of the known columns the input's header names. */
static void put_header(struct out *o, const uint8_t *data, size_t size,
                       const struct gt_csv_column *cols, size_t n_cols,
                       const struct gt_csv_limits *lim)
{
	struct elist el = {0};
	struct gt_csv_errors errs = GT_CSV_ERRORS(el.errors, &el.n, &el.total);
	struct gt_csv_reader *rd;
	int first = 1;

	if (gt_csv_open(&rd, data, size, lim, cols, n_cols, &errs) != 0)
		abort();
	gt_csv_next(rd);
	for (size_t k = 0; k < n_cols; k++) {
		if (gt_csv_column(rd, k) < 0)
			continue;
		if (!first)
			put(o, ",", 1);
		put(o, cols[k].name, strlen(cols[k].name));
		first = 0;
	}
	put(o, "\n", 1);
	gt_csv_close(rd);
}

/* The rows read back from their own quoted copy are the same rows. */
static void round_trip(const uint8_t *data, size_t size, const struct gt_csv_column *cols,
                       size_t n_cols, const struct gt_csv_limits *lim)
{
	struct out first = {0}, header = {0}, again = {0};
	size_t rows;

	rows = run(data, size, cols, n_cols, lim, &first);
	if (rows == 0) {
		free(first.p);
		return;
	}
	put_header(&header, data, size, cols, n_cols, lim);
	put(&header, first.p, first.used);
	if (header.used > lim->max_input)
		goto out; /* the quoted copy is over the input limit */
	if (run((const uint8_t *)header.p, header.used, cols, n_cols, lim, &again) != rows ||
	    again.used != first.used || memcmp(again.p, first.p, first.used) != 0)
		abort();
out:
	free(first.p);
	free(header.p);
	free(again.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct gt_csv_limits roomy = {
	    .max_input = 1u << 20, .max_record = 4096, .max_fields = 64, .max_rows = 10000};
	/* Tight limits that vary with the input, to reach every limit. */
	const struct gt_csv_limits tight = {
	    .max_input = size > 0 ? size - (size & 1) : 0,
	    .max_record = 1 + size % 61,
	    .max_fields = 1 + size % 7,
	    .max_rows = size % 5,
	};

	round_trip(data, size, org_columns, 3, &roomy);
	round_trip(data, size, dv_columns, 6, &roomy);
	run(data, size, org_columns, 3, &tight, NULL);
	run(data, size, dv_columns, 6, &tight, NULL);
	return 0;
}
