/* Spreadsheet forms of a data set for one org unit and period: Excel (.xlsx) and a CSV grid. */
#include "template.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "buf.h"
#include "cstore.h"
#include "error.h"
#include "fileio.h"
#include "formlayout.h"
#include "humanfmt.h"
#include "i18n.h"
#include "orgunit.h"
#include "period.h"
#include "termtext.h"

/* Bytes of a written form we read back to place it (an xlsx of the largest plan is ~100 KiB). */
#define TEMPLATE_MAX_FILE (16u * 1024u * 1024u)

int gt_template_format_parse(const char *s, enum gt_template_format *out)
{
	if (s == NULL || strcmp(s, "xlsx") == 0)
		*out = GT_TEMPLATE_XLSX;
	else if (strcmp(s, "csv") == 0)
		*out = GT_TEMPLATE_CSV;
	else
		return GT_EINVAL;
	return GT_OK;
}

/* What one form is about. */
struct form_ctx {
	struct gt_home *h;
	const struct gt_meta *meta;
	const struct gt_meta_dataset *ds;
	const char *period;
	const char *prefill; /* the period whose values fill the cells; NULL: blank cells */
	size_t prefilled;    /* cells filled */
	struct gt_form form;
	char title[512];
	char org_name[300];
};

/* The value the home knows for the cell of element e, option opt, in x->prefill (the latest
 * entered and not deleted: the outbox's, else the replica's), as the form shows it (Ya/Tidak
 * for yes/no) into buf. Returns 1 when there is one, else 0 (buf ""). */
static int prefill_value(struct form_ctx *x, const struct gt_meta_element *e, uint32_t opt,
                         char *buf, size_t len)
{
	const char *coc = e->combo->is_default ? "" : e->combo->options[opt].code;

	buf[0] = '\0';
	if (x->prefill == NULL || gt_cstore_latest_text(x->h->st, e->code, x->prefill, x->h->org,
	                                                coc, buf, len) != GT_OK) {
		buf[0] = '\0';
		return 0;
	}
	if (e->type == GT_META_TYPE_BOOL)
		snprintf(buf, len, "%s", strcmp(buf, "true") == 0 ? "Ya" : "Tidak");
	x->prefilled++;
	return 1;
}

/* The hint under the title of a section: what its cells take. */
static const char *section_hint(const struct gt_form_section *s)
{
	int ints = 1;

	for (size_t i = 0; i < s->nelements; i++)
		if (s->elements[i]->type != GT_META_TYPE_INT0)
			ints = 0;
	return ints ? _("Fill in the white cells with whole numbers (0 or more); leave a cell "
	                "empty when the figure is not known.")
	            : _("Fill in the white cells; a yes/no cell takes Ya or Tidak from its list.");
}

/* ---- Excel ---- */

struct xlsx_fmt {
	lxw_format *title, *head, *name, *input, *text;
};

static void xlsx_validate(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
                          const struct gt_meta_element *e)
{
	static const char *yes_no[] = {"Ya", "Tidak", NULL};
	lxw_data_validation v = {0};

	v.error_title = (char *)_("Not accepted");
	switch (e->type) {
	case GT_META_TYPE_INT0:
		v.validate = LXW_VALIDATION_TYPE_INTEGER;
		v.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
		v.value_number = 0;
		v.error_message = (char *)_("Enter a whole number, 0 or more.");
		break;
	case GT_META_TYPE_NUMBER:
		v.validate = LXW_VALIDATION_TYPE_DECIMAL;
		v.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
		v.value_number = -1e15;
		v.error_message = (char *)_("Enter a number.");
		break;
	case GT_META_TYPE_BOOL:
		v.validate = LXW_VALIDATION_TYPE_LIST;
		v.value_list = (char **)yes_no;
		v.error_message = (char *)_("Choose Ya or Tidak from the list.");
		break;
	default:
		v.validate = LXW_VALIDATION_TYPE_LENGTH;
		v.criteria = LXW_VALIDATION_CRITERIA_LESS_THAN_OR_EQUAL_TO;
		v.value_number = e->max_length ? e->max_length : 255;
		v.error_message = (char *)_("The text is too long.");
		break;
	}
	v.show_error = LXW_VALIDATION_ON;
	worksheet_data_validation_cell(ws, r, c, &v);
}

static void xlsx_instructions(lxw_workbook *wb, struct form_ctx *x, const struct xlsx_fmt *f)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, _("Instructions"));
	char line[600];
	lxw_row_t r = 0;

	if (ws == NULL)
		return;
	worksheet_set_column(ws, 0, 0, 110, NULL);
	worksheet_write_string(ws, r++, 0, x->title, f->title);
	r++;
	snprintf(line, sizeof(line), _("Data set: %s (%s)"), x->ds->name, x->ds->code);
	worksheet_write_string(ws, r++, 0, line, NULL);
	snprintf(line, sizeof(line), _("Org unit: %s (%s)"), x->org_name, x->h->org);
	worksheet_write_string(ws, r++, 0, line, NULL);
	gt_human_period(x->period, line, sizeof(line));
	{
		char l2[640];
		snprintf(l2, sizeof(l2), _("Period: %s"), line);
		worksheet_write_string(ws, r++, 0, l2, NULL);
	}
	r++;
	worksheet_write_string(
	    ws, r++, 0,
	    _("1. Each following sheet is one part of the form. Fill in the white "
	      "cells; the other cells are locked."),
	    NULL);
	worksheet_write_string(
	    ws, r++, 0,
	    _("2. Numbers are whole numbers of 0 or more; leave a cell empty when "
	      "the figure is not known, write 0 when there were none."),
	    NULL);
	worksheet_write_string(ws, r++, 0,
	                       _("3. Do not rename, move or delete sheets, rows or columns: hidden "
	                         "codes tie each cell to its data element."),
	                       NULL);
	snprintf(
	    line, sizeof(line),
	    _("4. Save the file as .xlsx, then run: gtsync import FILE.xlsx (then gtsync push)."));
	worksheet_write_string(ws, r++, 0, line, NULL);
	worksheet_write_string(
	    ws, r++, 0,
	    _("5. If any cell is wrong, nothing is queued and every wrong cell is "
	      "named by its sheet and cell; correct them and import again."),
	    NULL);
	worksheet_protect(ws, NULL, NULL);
	worksheet_activate(ws);
}

static void xlsx_section(lxw_workbook *wb, struct form_ctx *x, const struct gt_form_section *s,
                         const struct xlsx_fmt *f)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, s->sheet);
	lxw_row_col_options hidden = {.hidden = 1};
	lxw_protection prot = {0};
	size_t rows = gt_form_rows(s), cols = gt_form_cols(s);
	const char *code, *name;

	if (ws == NULL)
		return;
	/* The hidden cells that tie the form to its codes. */
	worksheet_write_string(ws, GT_FORM_ROW_META, 0, GT_FORM_MARK, NULL);
	worksheet_write_string(ws, GT_FORM_ROW_META, 1, GT_FORM_VERSION, NULL);
	worksheet_write_string(ws, GT_FORM_ROW_META, 2, x->ds->code, NULL);
	worksheet_write_string(ws, GT_FORM_ROW_META, 3, x->period, NULL);
	worksheet_write_string(ws, GT_FORM_ROW_META, 4, x->h->org, NULL);
	worksheet_write_string(ws, GT_FORM_ROW_CODES, 1,
	                       s->transposed ? GT_FORM_ROWS_OPTIONS : GT_FORM_ROWS_ELEMENTS, NULL);
	worksheet_set_row_opt(ws, GT_FORM_ROW_META, LXW_DEF_ROW_HEIGHT, NULL, &hidden);
	worksheet_set_row_opt(ws, GT_FORM_ROW_CODES, LXW_DEF_ROW_HEIGHT, NULL, &hidden);
	worksheet_set_column_opt(ws, GT_FORM_COL_CODE, GT_FORM_COL_CODE, 12, NULL, &hidden);
	worksheet_set_column(ws, GT_FORM_COL_NAME, GT_FORM_COL_NAME, 55, NULL);
	worksheet_set_column(ws, GT_FORM_COL_FIRST, (lxw_col_t)(GT_FORM_COL_FIRST + cols), 18,
	                     NULL);
	worksheet_write_string(ws, GT_FORM_ROW_TITLE, GT_FORM_COL_NAME, x->title, f->title);
	worksheet_write_string(ws, GT_FORM_ROW_HINT, GT_FORM_COL_NAME, section_hint(s), NULL);
	worksheet_write_string(ws, GT_FORM_ROW_HEAD, GT_FORM_COL_NAME,
	                       s->combo->is_default ? _("Data element")
	                       : s->transposed      ? s->combo->name
	                                            : _("Data element / breakdown"),
	                       f->head);
	for (size_t c = 0; c < cols; c++) {
		lxw_col_t col = (lxw_col_t)(GT_FORM_COL_FIRST + c);
		gt_form_col_label(s, c, &code, &name);
		worksheet_write_string(ws, GT_FORM_ROW_CODES, col, code, NULL);
		worksheet_write_string(ws, GT_FORM_ROW_HEAD, col, name[0] ? name : _("Value"),
		                       f->head);
	}
	for (size_t r = 0; r < rows; r++) {
		lxw_row_t row = (lxw_row_t)(GT_FORM_ROW_FIRST + r);
		gt_form_row_label(s, r, &code, &name);
		worksheet_write_string(ws, row, GT_FORM_COL_CODE, code, NULL);
		worksheet_write_string(ws, row, GT_FORM_COL_NAME, name, f->name);
		for (size_t c = 0; c < cols; c++) {
			const struct gt_meta_element *e;
			uint32_t opt;
			lxw_col_t col = (lxw_col_t)(GT_FORM_COL_FIRST + c);
			lxw_format *fmt;
			char v[GT_MAX_VALUE_LEN + 1];
			gt_form_cell(s, r, c, &e, &opt);
			fmt = e->type == GT_META_TYPE_TEXT ? f->text : f->input;
			if (!prefill_value(x, e, opt, v, sizeof(v)))
				worksheet_write_blank(ws, row, col, fmt);
			else if (e->type == GT_META_TYPE_INT0 || e->type == GT_META_TYPE_NUMBER)
				worksheet_write_number(ws, row, col, strtod(v, NULL), fmt);
			else
				worksheet_write_string(ws, row, col, v, fmt);
			xlsx_validate(ws, row, col, e);
		}
	}
	worksheet_freeze_panes(ws, GT_FORM_ROW_FIRST, GT_FORM_COL_FIRST);
	worksheet_protect(ws, NULL, &prot);
}

/* Writes the Excel form to the file at path (replaced). */
static int write_xlsx(struct form_ctx *x, const char *path)
{
	lxw_workbook *wb = workbook_new(path);
	struct xlsx_fmt f;
	lxw_error err;

	if (wb == NULL)
		return GT_EIO;
	f.title = workbook_add_format(wb);
	format_set_bold(f.title);
	format_set_font_size(f.title, 13);
	f.head = workbook_add_format(wb);
	format_set_bold(f.head);
	format_set_text_wrap(f.head);
	format_set_bg_color(f.head, 0xD9E1F2);
	format_set_border(f.head, LXW_BORDER_THIN);
	f.name = workbook_add_format(wb);
	format_set_text_wrap(f.name);
	format_set_border(f.name, LXW_BORDER_THIN);
	f.input = workbook_add_format(wb);
	format_set_unlocked(f.input);
	format_set_border(f.input, LXW_BORDER_THIN);
	format_set_num_format(f.input, "0");
	f.text = workbook_add_format(wb);
	format_set_unlocked(f.text);
	format_set_border(f.text, LXW_BORDER_THIN);
	format_set_num_format(f.text, "@");
	xlsx_instructions(wb, x, &f);
	for (size_t i = 0; i < x->form.nsec; i++)
		xlsx_section(wb, x, &x->form.sec[i], &f);
	err = workbook_close(wb);
	return err == LXW_NO_ERROR ? GT_OK : GT_EIO;
}

/* Writes the Excel form into a temporary file in the home and returns its bytes. */
static int xlsx_bytes(struct form_ctx *x, uint8_t **out, size_t *len)
{
	char tmp[GT_PATH_MAX + 32];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s/.template-XXXXXX", x->h->dir);
	if ((fd = mkstemp(tmp)) < 0)
		return GT_EIO;
	close(fd);
	rc = write_xlsx(x, tmp);
	if (rc == GT_OK)
		rc = gt_file_read(tmp, TEMPLATE_MAX_FILE, out, len);
	unlink(tmp);
	return rc;
}

/* ---- CSV grid ---- */

/* Appends s as one CSV field (quoted when it needs to be), after a comma unless first. */
static int csv_field(struct gt_buf *b, const char *s, int first)
{
	int rc = first ? GT_OK : gt_buf_append(b, ",", 1);

	if (rc != GT_OK)
		return rc;
	if (strpbrk(s, ",\"\r\n;") == NULL)
		return gt_buf_append(b, s, strlen(s));
	rc = gt_buf_append(b, "\"", 1);
	for (const char *p = s; *p && rc == GT_OK; p++)
		rc = *p == '"' ? gt_buf_append(b, "\"\"", 2) : gt_buf_append(b, p, 1);
	return rc == GT_OK ? gt_buf_append(b, "\"", 1) : rc;
}

static int csv_grid(struct form_ctx *x, struct gt_buf *b)
{
	const char *code, *name;
	int rc;

	rc = csv_field(b, GT_FORM_MARK, 1);
	const char *head[] = {GT_FORM_VERSION, x->ds->code, x->period, x->h->org, x->title};
	for (size_t i = 0; i < 5 && rc == GT_OK; i++)
		rc = csv_field(b, head[i], 0);
	rc = rc == GT_OK ? gt_buf_append(b, "\r\n\r\n", 4) : rc;
	for (size_t si = 0; si < x->form.nsec && rc == GT_OK; si++) {
		const struct gt_form_section *s = &x->form.sec[si];
		size_t rows = gt_form_rows(s), cols = gt_form_cols(s);

		rc = csv_field(b, s->transposed ? GT_FORM_ROWS_OPTIONS : GT_FORM_ROWS_ELEMENTS, 1);
		rc = rc == GT_OK ? csv_field(b, s->sheet, 0) : rc;
		for (size_t c = 0; c < cols && rc == GT_OK; c++) {
			gt_form_col_label(s, c, &code, &name);
			rc = csv_field(b, code, 0);
		}
		rc = rc == GT_OK ? gt_buf_append(b, "\r\n#,", 4) : rc;
		rc = rc == GT_OK ? csv_field(b, section_hint(s), 1) : rc;
		for (size_t c = 0; c < cols && rc == GT_OK; c++) {
			gt_form_col_label(s, c, &code, &name);
			rc = csv_field(b, name[0] ? name : _("Value"), 0);
		}
		rc = rc == GT_OK ? gt_buf_append(b, "\r\n", 2) : rc;
		for (size_t r = 0; r < rows && rc == GT_OK; r++) {
			gt_form_row_label(s, r, &code, &name);
			rc = csv_field(b, code, 1);
			rc = rc == GT_OK ? csv_field(b, name, 0) : rc;
			for (size_t c = 0; c < cols && rc == GT_OK; c++) {
				const struct gt_meta_element *e;
				uint32_t opt;
				char v[GT_MAX_VALUE_LEN + 1];
				gt_form_cell(s, r, c, &e, &opt);
				prefill_value(x, e, opt, v, sizeof(v));
				rc = csv_field(b, v, 0);
			}
			rc = rc == GT_OK ? gt_buf_append(b, "\r\n", 2) : rc;
		}
		rc = rc == GT_OK ? gt_buf_append(b, "\r\n", 2) : rc;
	}
	return rc;
}

/* ---- The command ---- */

/* Checks the options against the metadata and the home; says what is wrong. */
static int check_form(struct form_ctx *x, const struct gt_template_opts *o)
{
	struct gt_period per;
	struct gt_cstore_orgunit ou;
	char human[GT_HUMAN_MAX];
	int level = gt_orgunit_level(x->h->org);

	x->ds = o->dataset ? gt_meta_dataset_find(x->meta, o->dataset) : NULL;
	if (x->ds == NULL) {
		gt_home_say(x->h,
		            _("gtsync template: --dataset %s is not a data set of the metadata"),
		            o->dataset ? o->dataset : "");
		return GT_EINVAL;
	}
	if (o->period == NULL || gt_period_parse(o->period, &per) != GT_OK) {
		gt_home_say(
		    x->h,
		    _("gtsync template: --period %s is not a DHIS2 period id (2026, 2026S1, "
		      "2026Q1, 202611)"),
		    o->period ? o->period : "");
		return GT_EINVAL;
	}
	if (per.type != x->ds->period_type) {
		gt_home_say(x->h, _("gtsync template: %s is reported %s; --period %s is not"),
		            x->ds->code, gt_period_type_text(x->ds->period_type), o->period);
		return GT_EINVAL;
	}
	if (level > 0 && !gt_meta_dataset_reports_at(x->ds, level)) {
		gt_home_say(x->h, _("gtsync template: %s is not reported by org unit %s"),
		            x->ds->code, x->h->org);
		return GT_EINVAL;
	}
	if (o->prefill != NULL &&
	    (gt_period_parse(o->prefill, &per) != GT_OK || per.type != x->ds->period_type)) {
		gt_home_say(x->h,
		            _("gtsync template: --prefill-from %s is not a period of %s (it is "
		              "reported %s)"),
		            o->prefill, x->ds->code, gt_period_type_text(x->ds->period_type));
		return GT_EINVAL;
	}
	x->period = o->period;
	x->prefill = o->prefill;
	snprintf(x->org_name, sizeof(x->org_name), "%s", x->h->org);
	if (gt_cstore_orgunit_get(x->h->st, x->h->org, &ou) == GT_OK)
		snprintf(x->org_name, sizeof(x->org_name), "%s", ou.name);
	gt_human_period(o->period, human, sizeof(human));
	snprintf(x->title, sizeof(x->title), "%s — %s — %s", x->ds->name, x->org_name, human);
	return GT_OK;
}

int gt_template_write(struct gt_home *h, const struct gt_template_opts *o)
{
	struct form_ctx x = {.h = h};
	struct gt_meta *meta = NULL;
	struct gt_buf b;
	uint8_t *bytes = NULL;
	size_t len = 0;
	char path[GT_PATH_MAX];
	int rc;

	gt_buf_init(&b, TEMPLATE_MAX_FILE);
	if ((rc = gt_home_meta(h, "gtsync template", &meta)) != GT_OK)
		goto out;
	x.meta = meta;
	if ((rc = check_form(&x, o)) != GT_OK)
		goto out;
	if ((rc = gt_form_layout(meta, x.ds, &x.form)) != GT_OK)
		goto out;
	if (o->output != NULL)
		snprintf(path, sizeof(path), "%s", o->output);
	else
		snprintf(path, sizeof(path), "%s-%s-%s.%s", x.ds->code, o->period, h->org,
		         o->format == GT_TEMPLATE_CSV ? "csv" : "xlsx");
	if (o->format == GT_TEMPLATE_CSV) {
		/* A byte-order mark, so that Excel reads the names as UTF-8. */
		rc = gt_buf_append(&b, "\xef\xbb\xbf", 3);
		if (rc == GT_OK)
			rc = csv_grid(&x, &b);
		if (rc == GT_OK)
			rc = gt_file_write(path, b.data, b.len, 0644, 0);
	} else {
		rc = xlsx_bytes(&x, &bytes, &len);
		if (rc == GT_OK)
			rc = gt_file_write(path, bytes, len, 0644, 0);
	}
	if (rc == GT_EEXIST) {
		gt_home_say(h,
		            _("gtsync template: %s already exists (it may hold figures): give "
		              "another --output, or move it away"),
		            path);
	} else if (rc != GT_OK) {
		gt_home_say(h, _("gtsync template: cannot write %s: %s"), path, gt_error_text(rc));
	} else if (o->out != NULL) {
		gt_termtext_line(o->out, _("template %s: %s, %zu sheets to fill in"), path, x.title,
		                 x.form.nsec);
		if (x.prefill != NULL) {
			char n[GT_HUMAN_MAX], pe[GT_HUMAN_MAX];
			gt_human_number((double)x.prefilled, n, sizeof(n));
			gt_human_period(x.prefill, pe, sizeof(pe));
			gt_termtext_line(o->out,
			                 _("template %s: %s cells filled with the values of %s"),
			                 path, n, pe);
		}
	}
out:
	free(bytes);
	gt_buf_free(&b);
	gt_form_free(&x.form);
	gt_meta_free(meta);
	return rc;
}
