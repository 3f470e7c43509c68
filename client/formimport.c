/* Decoders of spreadsheet forms into import rows: an Excel workbook (gtsync's template or any
 * sheet in DHIS2's long layout) and the CSV grid of a template; no store, no metadata. */
#include "formimport.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "error.h"
#include "i18n.h"
#include "template.h"
#include "xlsxread.h"

/* A template's identity, from its first row. */
struct form_head {
	const char *period, *org;
};

static int add_value(struct gt_csvimport *c, unsigned long line, int rows_are_elements,
                     const char *row_code, const char *col_code, const char *value,
                     const struct form_head *fh)
{
	const char *de = rows_are_elements ? row_code : col_code;
	const char *coc = rows_are_elements ? col_code : row_code;
	const char *f[GT_CSV_NCOLS] = {0};
	size_t n[GT_CSV_NCOLS] = {0};

	if (strcmp(coc, "default") == 0)
		coc = "";
	f[GT_CSV_DATAELEMENT] = de;
	f[GT_CSV_COC] = coc;
	f[GT_CSV_VALUE] = value;
	f[GT_CSV_PERIOD] = fh->period;
	f[GT_CSV_ORGUNIT] = fh->org;
	for (int k = 0; k < GT_CSV_NCOLS; k++)
		n[k] = f[k] ? strlen(f[k]) : 0;
	return gt_csvimport_add(c, line, f, n);
}

/* Carries on after a row's own errors; stops on a resource error. */
static int go_on(int rc)
{
	return rc == GT_OK || rc == GT_EINVAL ? GT_OK : rc;
}

/* ---- Excel ---- */

static const char *get(const struct gt_xlsx_sheet *s, uint32_t r, uint32_t c)
{
	const char *t = gt_xlsx_get(s, r, c);
	return t ? t : "";
}

static int place(struct gt_csvimport *c, unsigned long *line, const char *sheet, uint32_t r,
                 uint32_t col)
{
	char ref[GT_XLSX_REF_LEN];

	gt_xlsx_ref(r, col, ref);
	return gt_csvimport_place(c, line, _("Sheet '%s', cell %s"), sheet, ref);
}

/* Reads a sheet of a template. */
static int xlsx_template(const struct gt_xlsx_sheet *s, struct gt_csvimport *c)
{
	struct form_head fh = {get(s, GT_FORM_ROW_META, 3), get(s, GT_FORM_ROW_META, 4)};
	const char *rows = get(s, GT_FORM_ROW_CODES, 1);
	int by_elements = strcmp(rows, GT_FORM_ROWS_OPTIONS) != 0;
	unsigned long line;
	int rc;

	if (strcmp(get(s, GT_FORM_ROW_META, 1), GT_FORM_VERSION) != 0) {
		if ((rc = place(c, &line, s->name, GT_FORM_ROW_META, 1)) != GT_OK)
			return rc;
		gt_csvimport_error(
		    c, line,
		    _("this form was written by another version of gtsync; write a new "
		      "one with 'gtsync template'"));
		return GT_OK;
	}
	for (size_t i = 0; i < s->ncells; i++) {
		const struct gt_xlsx_cell *cell = &s->cells[i];
		const char *row_code, *col_code;

		if (cell->row < GT_FORM_ROW_FIRST || cell->col < GT_FORM_COL_FIRST)
			continue;
		row_code = get(s, cell->row, GT_FORM_COL_CODE);
		col_code = get(s, GT_FORM_ROW_CODES, cell->col);
		if ((rc = place(c, &line, s->name, cell->row, cell->col)) != GT_OK)
			return rc;
		if (row_code[0] == '\0' || col_code[0] == '\0') {
			gt_csvimport_error(
			    c, line,
			    _("a figure outside the form's cells (rows or columns were "
			      "added or moved?)"));
			continue;
		}
		if ((rc = go_on(add_value(c, line, by_elements, row_code, col_code, cell->text,
		                          &fh))) != GT_OK)
			return rc;
	}
	return GT_OK;
}

/* Reads a sheet in DHIS2's long layout whose header is on row head. */
static int xlsx_long(const struct gt_xlsx_sheet *s, uint32_t head, const int *col,
                     struct gt_csvimport *c)
{
	size_t i = 0;
	int rc;

	while (i < s->ncells && s->cells[i].row <= head)
		i++;
	while (i < s->ncells) {
		uint32_t r = s->cells[i].row;
		const char *f[GT_CSV_NCOLS] = {0};
		size_t n[GT_CSV_NCOLS] = {0};
		unsigned long line;

		for (int k = 0; k < GT_CSV_NCOLS; k++) {
			if (col[k] < 0)
				continue;
			f[k] = get(s, r, (uint32_t)col[k]);
			n[k] = strlen(f[k]);
		}
		if ((rc = place(c, &line, s->name, r, (uint32_t)col[GT_CSV_VALUE])) != GT_OK)
			return rc;
		if ((rc = go_on(gt_csvimport_add(c, line, f, n))) != GT_OK)
			return rc;
		while (i < s->ncells && s->cells[i].row == r)
			i++;
	}
	return GT_OK;
}

/* Finds a long-layout header on the sheet's first non-empty row; 1 when found. */
static int long_header(const struct gt_xlsx_sheet *s, uint32_t *head, int *col)
{
	if (s->ncells == 0)
		return 0;
	*head = s->cells[0].row;
	for (int k = 0; k < GT_CSV_NCOLS; k++)
		col[k] = -1;
	for (size_t i = 0; i < s->ncells && s->cells[i].row == *head; i++) {
		size_t n = strlen(s->cells[i].text);
		const char *t = gt_csv_trim(s->cells[i].text, &n);
		for (int k = 0; k < GT_CSV_NCOLS; k++)
			if (strlen(gt_csvimport_col_name(k)) == n &&
			    strncasecmp(t, gt_csvimport_col_name(k), n) == 0)
				col[k] = (int)s->cells[i].col;
	}
	return col[GT_CSV_DATAELEMENT] >= 0 && col[GT_CSV_VALUE] >= 0;
}

int gt_formimport_xlsx(const uint8_t *buf, size_t len, struct gt_csvimport *c)
{
	struct gt_xlsx x;
	size_t used = 0;
	int rc;

	gt_csvimport_begin(c);
	rc = gt_xlsx_read(buf, len, &x);
	if (rc == GT_ENOMEM)
		goto out;
	if (rc != GT_OK) {
		gt_csvimport_error(c, 0, "%s", x.err);
		goto out;
	}
	for (size_t i = 0; i < x.nsheets && rc == GT_OK; i++) {
		const struct gt_xlsx_sheet *s = &x.sheets[i];
		int col[GT_CSV_NCOLS];
		uint32_t head;

		if (strcmp(get(s, GT_FORM_ROW_META, 0), GT_FORM_MARK) == 0) {
			rc = xlsx_template(s, c);
			used++;
		} else if (long_header(s, &head, col)) {
			rc = xlsx_long(s, head, col, c);
			used++;
		}
	}
	if (rc == GT_OK && used == 0)
		gt_csvimport_error(c, 0,
		                   _("no sheet of this workbook is a gtsync form or has the "
		                     "columns dataelement and value on its first row"));
out:
	gt_xlsx_free(&x);
	gt_csvimport_end(c);
	if (rc == GT_OK && c->errors_total > 0)
		rc = GT_EINVAL;
	return rc;
}

/* ---- CSV grid ---- */

int gt_formimport_is_grid(const uint8_t *buf, size_t len)
{
	static const char mark[] = GT_FORM_MARK;
	size_t skip = len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf ? 3 : 0;

	if (len > skip && buf[skip] == '"')
		skip++;
	return len - skip >= sizeof(mark) - 1 && memcmp(buf + skip, mark, sizeof(mark) - 1) == 0;
}

/* The codes of the current section's columns, copied from its header record. */
struct grid_section {
	char **codes;
	size_t n;
	int by_elements;
	int open;
};

static void section_clear(struct grid_section *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->codes[i]);
	free(g->codes);
	memset(g, 0, sizeof(*g));
}

static int section_start(struct grid_section *g, const struct gt_csv_reader *rd)
{
	size_t nf = gt_csv_nfields(rd);

	section_clear(g);
	g->by_elements = strcmp(gt_csv_field(rd, 0, NULL), GT_FORM_ROWS_OPTIONS) != 0;
	g->open = 1;
	if (nf <= GT_FORM_COL_FIRST)
		return GT_OK;
	if ((g->codes = calloc(nf - GT_FORM_COL_FIRST, sizeof(*g->codes))) == NULL)
		return GT_ENOMEM;
	for (size_t i = GT_FORM_COL_FIRST; i < nf; i++) {
		size_t n;
		const char *t = gt_csv_trim(gt_csv_field(rd, i, &n), &n);
		if ((g->codes[g->n] = strndup(t, n)) == NULL)
			return GT_ENOMEM;
		g->n++;
	}
	return GT_OK;
}

static int grid_row(struct grid_section *g, const struct gt_csv_reader *rd,
                    const struct form_head *fh, struct gt_csvimport *c)
{
	size_t nf = gt_csv_nfields(rd), n;
	const char *row_code;
	char code[GT_CSVIMPORT_MAX_CODE + 1];
	int rc;

	n = strlen(gt_csv_field(rd, 0, NULL));
	row_code = gt_csv_trim(gt_csv_field(rd, 0, NULL), &n);
	snprintf(code, sizeof(code), "%.*s", (int)(n < sizeof(code) ? n : sizeof(code) - 1),
	         row_code);
	for (size_t i = GT_FORM_COL_FIRST; i < nf; i++) {
		char ref[GT_XLSX_REF_LEN];
		unsigned long line;
		size_t vn;
		const char *v = gt_csv_trim(gt_csv_field(rd, i, &vn), &vn);
		char value[GT_CSVIMPORT_MAX_VALUE + 2];

		if (vn == 0)
			continue;
		gt_xlsx_ref((uint32_t)(gt_csv_line(rd) - 1), (uint32_t)i, ref);
		if ((rc = gt_csvimport_place(c, &line, _("cell %s (line %lu)"), ref,
		                             gt_csv_line(rd))) != GT_OK)
			return rc;
		if (!g->open || i - GT_FORM_COL_FIRST >= g->n ||
		    g->codes[i - GT_FORM_COL_FIRST][0] == '\0' || code[0] == '\0') {
			gt_csvimport_error(
			    c, line,
			    _("a figure outside the form's cells (rows or columns were "
			      "added or moved?)"));
			continue;
		}
		if (vn > GT_CSVIMPORT_MAX_VALUE)
			vn = GT_CSVIMPORT_MAX_VALUE + 1; /* refused as too long */
		memcpy(value, v, vn);
		value[vn] = '\0';
		if ((rc = go_on(add_value(c, line, g->by_elements, code,
		                          g->codes[i - GT_FORM_COL_FIRST], value, fh))) != GT_OK)
			return rc;
	}
	return GT_OK;
}

int gt_formimport_grid(const uint8_t *buf, size_t len, struct gt_csvimport *c)
{
	struct gt_csv_limits lim = {
	    .max_input = GT_CSVIMPORT_MAX_INPUT,
	    .max_record = GT_CSVIMPORT_MAX_RECORD,
	    .max_fields = GT_CSVIMPORT_MAX_FIELDS * 4,
	    .max_rows = GT_CSVIMPORT_MAX_ROWS,
	    .raw = 1,
	};
	struct gt_csv_errors errs;
	struct gt_csv_reader *rd = NULL;
	struct grid_section g = {0};
	char period[GT_CSVIMPORT_MAX_CODE + 1] = "", org[GT_CSVIMPORT_MAX_CODE + 1] = "";
	struct form_head fh = {period, org};
	int rc, r, first = 1;

	gt_csvimport_begin(c);
	errs = (struct gt_csv_errors)GT_CSV_ERRORS(c->errors, &c->n_errors, &c->errors_total);
	/* An input over the limit is refused by gt_csv_open() before any byte is read. */
	lim.sep = len <= lim.max_input ? gt_csv_sniff_sep(buf, len) : ',';
	if ((rc = gt_csv_open(&rd, buf, len, &lim, NULL, 0, &errs)) != GT_OK)
		goto out;
	while ((r = gt_csv_next(rd)) == 1) {
		const char *f0 = gt_csv_field(rd, 0, NULL);
		if (first) {
			first = 0;
			if (strcmp(gt_csv_field(rd, 1, NULL), GT_FORM_VERSION) != 0) {
				gt_csvimport_error(
				    c, gt_csv_line(rd),
				    _("this form was written by another version of gtsync; "
				      "write a new one with 'gtsync template'"));
				break;
			}
			snprintf(period, sizeof(period), "%s", gt_csv_field(rd, 3, NULL));
			snprintf(org, sizeof(org), "%s", gt_csv_field(rd, 4, NULL));
			continue;
		}
		if (f0[0] == '#')
			continue;
		if (strcmp(f0, GT_FORM_ROWS_ELEMENTS) == 0 || strcmp(f0, GT_FORM_ROWS_OPTIONS) == 0)
			r = section_start(&g, rd);
		else
			r = grid_row(&g, rd, &fh, c);
		if (r != GT_OK) {
			rc = r;
			goto out;
		}
	}
	rc = r < 0 ? r : GT_OK; /* 1 after a stop on a form of another version */
out:
	section_clear(&g);
	gt_csv_close(rd);
	gt_csvimport_end(c);
	if (rc == GT_OK && c->errors_total > 0)
		rc = GT_EINVAL;
	return rc;
}
