/* The layout of a data set's spreadsheet form: its sections (one sheet each), rows, columns. */
#ifndef GT_FORMLAYOUT_H
#define GT_FORMLAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "metadata.h"

/*
 * A form has one section per breakdown: the data set's elements that share a category combo
 * form one grid, the elements down the rows and the combo's options across the columns (the
 * elements without a breakdown form one section with a single column). A breakdown with more
 * than GT_FORM_MAX_ACROSS options runs down the rows instead (the options down, the elements
 * across), so an achievement form lists its indicators as rows. An achievement data set's
 * form lists only its own plan's indicators.
 *
 * Every sheet of a written form carries its codes in hidden cells (see template.h), so the
 * reader needs no layout: this module serves the writer and the tests.
 */

/* Most options across the columns before a section runs its options down the rows. */
#define GT_FORM_MAX_ACROSS 12u
/* Sections in one form (a data set's distinct breakdowns). */
#define GT_FORM_MAX_SECTIONS 64u
/* Characters in a sheet name (Excel's limit), and the bytes that hold one in UTF-8. */
#define GT_FORM_SHEET_CHARS 31u
#define GT_FORM_SHEET_BYTES (GT_FORM_SHEET_CHARS * 4u + 1u)

struct gt_form_section {
	char sheet[GT_FORM_SHEET_BYTES];         /* unique (ignoring ASCII case) sheet name */
	const struct gt_meta_combo *combo;       /* the breakdown shared by the elements */
	const struct gt_meta_element **elements; /* owned array of borrowed elements */
	size_t nelements;
	uint32_t *options; /* owned: the option indexes shown, in order */
	size_t noptions;
	int transposed; /* rows are the options, columns the elements */
};

struct gt_form {
	const struct gt_meta_dataset *ds; /* borrowed */
	struct gt_form_section *sec;      /* owned */
	size_t nsec;
};

/* Lays out ds (borrowed from meta, which must outlive f) into *f, cleared first. Returns 0,
 * GT_ETOOBIG past GT_FORM_MAX_SECTIONS, GT_ENOMEM. Free with gt_form_free(). */
int gt_form_layout(const struct gt_meta *meta, const struct gt_meta_dataset *ds, struct gt_form *f);

/* Rows and columns of the section's grid. */
size_t gt_form_rows(const struct gt_form_section *s);
size_t gt_form_cols(const struct gt_form_section *s);

/* The element and option index at row r, column c of the grid (both in range). */
void gt_form_cell(const struct gt_form_section *s, size_t r, size_t c,
                  const struct gt_meta_element **e, uint32_t *option);

/* The code and name of row r / column c (borrowed): an element's, or an option's (the default
 * option's code is "default"; its name the empty string, which the writer replaces). */
void gt_form_row_label(const struct gt_form_section *s, size_t r, const char **code,
                       const char **name);
void gt_form_col_label(const struct gt_form_section *s, size_t c, const char **code,
                       const char **name);

/* Releases what f holds and clears it; accepts NULL. */
void gt_form_free(struct gt_form *f);

#endif
