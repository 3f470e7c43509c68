/* Decoders of spreadsheet forms into import rows: an Excel workbook (gtsync's template or any
 * sheet in DHIS2's long layout) and the CSV grid of a template; no store, no metadata. */
#ifndef GT_FORMIMPORT_H
#define GT_FORMIMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "csvimport.h"

/*
 * Both fill a struct gt_csvimport as gt_csvimport_parse() does, with every row and error
 * placed by its sheet and cell (gt_csvimport_where(): "Sheet 'Korban', cell D7", or "cell D7"
 * in a grid), and return as it does. A template's cells become rows with the data element and
 * option from the hidden codes (template.h) and the period and org unit of its first row; an
 * empty input cell is no value. A workbook's other sheets are read in DHIS2's long layout
 * when their first non-empty row names the columns dataelement and value (as a CSV header);
 * sheets with neither (the instructions) are skipped, and a workbook with no sheet to read is
 * an error.
 */
int gt_formimport_xlsx(const uint8_t *buf, size_t len, struct gt_csvimport *c);
int gt_formimport_grid(const uint8_t *buf, size_t len, struct gt_csvimport *c);

/* Whether buf[0..len) is a template's CSV grid: its first record starts with "gtsync-form"
 * (after an optional byte-order mark). */
int gt_formimport_is_grid(const uint8_t *buf, size_t len);

#endif
