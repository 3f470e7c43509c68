/* Spreadsheet forms of a data set for one org unit and period: Excel (.xlsx) and a CSV grid. */
#ifndef GT_TEMPLATE_H
#define GT_TEMPLATE_H

#include <stdio.h>

#include "home.h"

/*
 * The Excel form: a first sheet of instructions, then one sheet per section (formlayout.h).
 * Each section's sheet is protected: only the input cells are unlocked, each validated
 * (whole numbers >= 0, decimals, a Ya/Tidak list, text up to the element's length). Row 1
 * and column A are hidden and carry the codes the reader needs (0-based rows and columns):
 *
 *   row 0:  A "gtsync-form", B version, C data set, D period, E org unit
 *   row 1:  B "elements" (rows are elements, columns options) or "options"; C.. column codes
 *   row 2:  the title; row 3: what to fill in; row 4: the column names
 *   row 5+: A the row's code, B its name, C.. the input cells
 *
 * The CSV grid has the same cells without the title lines: a first record
 * "gtsync-form,1,DS,PERIOD,ORG,TITLE", then per section a header record whose first field is
 * "elements" or "options" and whose third field on are the column codes, a record starting
 * "#" with the column names, the data records (code, name, values) and a blank line. Option
 * codes are "default" for an element without a breakdown.
 */

#define GT_FORM_MARK    "gtsync-form"
#define GT_FORM_VERSION "1"
/* Hidden row and column, and where the grid starts (0-based). */
#define GT_FORM_ROW_META  0u
#define GT_FORM_ROW_CODES 1u
#define GT_FORM_ROW_TITLE 2u
#define GT_FORM_ROW_HINT  3u
#define GT_FORM_ROW_HEAD  4u
#define GT_FORM_ROW_FIRST 5u
#define GT_FORM_COL_CODE  0u
#define GT_FORM_COL_NAME  1u
#define GT_FORM_COL_FIRST 2u
/* What the second field of a section header says the rows are. */
#define GT_FORM_ROWS_ELEMENTS "elements"
#define GT_FORM_ROWS_OPTIONS  "options"

enum gt_template_format {
	GT_TEMPLATE_XLSX,
	GT_TEMPLATE_CSV,
};

struct gt_template_opts {
	const char *dataset; /* required */
	const char *period;  /* required: a period of the data set's type */
	const char *output;  /* the file to write (NULL: DS-PERIOD-ORG.xlsx / .csv here) */
	/* A period of the data set's type whose values the home knows (the latest entered, from
	 * the outbox, else the pulled replica) fill the input cells: period itself to correct
	 * what was entered, or an earlier one to start from its figures. NULL: blank cells. */
	const char *prefill;
	enum gt_template_format format;
	FILE *out; /* the line saying what was written (NULL: none) */
};

/* Writes the form of o->dataset for the home's org unit and o->period, from the metadata
 * pulled into h, its cells filled from o->prefill's values when given. Errors are said to h->err:
 * an unknown data set, a period that does not parse or is not of the data set's type, a data set
 * not reported at the home's level (GT_EINVAL); a file that cannot be written (GT_EIO; no partial
 * file is left). */
int gt_template_write(struct gt_home *h, const struct gt_template_opts *o);

/* Parses a --format value ("xlsx", "csv"); GT_EINVAL for any other. */
int gt_template_format_parse(const char *s, enum gt_template_format *out);

#endif
