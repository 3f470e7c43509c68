/* Reads the cells of an Excel workbook (.xlsx): the zip container through libzip, the XML
 * parts through libxml2; no store, no metadata. */
#ifndef GT_XLSXREAD_H
#define GT_XLSXREAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads xl/workbook.xml (the sheets' names and order), its relationships (each sheet's part),
 * xl/sharedStrings.xml and each worksheet's <sheetData>. A cell's text is what a person sees
 * stored: a shared or inline string, a formula's cached string, a number as written in the
 * file ("12", "2.5", "1E-3"), a boolean as "TRUE" or "FALSE", an error as its code ("#N/A").
 * Empty cells are not kept. A document type declaration is refused (no entities are ever
 * expanded), as are parts, cells, strings and sheets past the limits below, checked before the
 * bytes are kept.
 */

/* Bytes of the workbook file. */
#define GT_XLSX_MAX_INPUT (64u * 1024u * 1024u)
/* Bytes of one part once decompressed (a zip bomb stops here). */
#define GT_XLSX_MAX_PART (64u * 1024u * 1024u)
/* Sheets in a workbook. */
#define GT_XLSX_MAX_SHEETS 256u
/* Non-empty cells in the whole workbook. */
#define GT_XLSX_MAX_CELLS 2000000u
/* Shared strings. */
#define GT_XLSX_MAX_STRINGS 2000000u
/* Bytes of one cell's (or shared string's) text. */
#define GT_XLSX_MAX_TEXT 32768u
/* Rows and columns of a sheet (Excel's own limits). */
#define GT_XLSX_MAX_ROWS 1048576u
#define GT_XLSX_MAX_COLS 16384u
/* Bytes of the error message, with its NUL. */
#define GT_XLSX_MAX_ERR 240u
/* Bytes of a cell reference ("XFD1048576") with its NUL. */
#define GT_XLSX_REF_LEN 12u

struct gt_xlsx_cell {
	uint32_t row, col; /* 0-based */
	char *text;        /* owned, NUL-terminated, never empty */
};

struct gt_xlsx_sheet {
	char *name;                 /* owned */
	struct gt_xlsx_cell *cells; /* owned; sorted by row, then column */
	size_t ncells;
};

struct gt_xlsx {
	struct gt_xlsx_sheet *sheets; /* owned; in the workbook's order */
	size_t nsheets;
	char err[GT_XLSX_MAX_ERR]; /* why the file could not be read */
};

/* Reads the workbook buf[0..len) (borrowed) into *x, cleared first. Returns 0; GT_EINVAL for a
 * file that is not a readable workbook, GT_ETOOBIG past a limit (x->err says why in both);
 * GT_ENOMEM. In every case free x with gt_xlsx_free(). */
int gt_xlsx_read(const uint8_t *buf, size_t len, struct gt_xlsx *x);

/* The text of the cell at row, col (0-based) of s, or NULL when it is empty. Borrowed. */
const char *gt_xlsx_get(const struct gt_xlsx_sheet *s, uint32_t row, uint32_t col);

/* Writes the reference of row, col (0-based) as Excel shows it ("D7"). */
void gt_xlsx_ref(uint32_t row, uint32_t col, char out[GT_XLSX_REF_LEN]);

/* Whether buf starts like a zip file (an .xlsx, .ods or .docx). */
int gt_xlsx_is_zip(const uint8_t *buf, size_t len);

/* Releases what x holds and clears it; accepts NULL. */
void gt_xlsx_free(struct gt_xlsx *x);

#endif
