/* ADX (IHE Aggregate Data Exchange) documents: a streamed writer of exported values, and a
 * decoder for import. XML is written and read by libxml2. */
#ifndef GT_ADX_H
#define GT_ADX_H

#include <stdint.h>
#include <stdio.h>

#include "dhis2import.h"
#include "metadata.h"
#include "wire.h"

/* The ADX namespace. */
#define GT_ADX_NS "urn:ihe:qrph:adx:2015"

/* A document being written. */
struct gt_adxw;

/* Starts a document on out (borrowed). meta (borrowed) names each value's category by its
 * element's combo. Caller finishes with gt_adxw_close(). */
int gt_adxw_open(FILE *out, const struct gt_meta *meta, struct gt_adxw **w);

/* Writes the values of c (borrowed): a group per run of values of one org unit, period and
 * data set. Returns 0, GT_EINVAL (a value of an element meta does not know), GT_ENOMEM or
 * GT_EIO. */
int gt_adxw_chunk(struct gt_adxw *w, const char *dataset, const Gtsync__V1__ExportChunk *c);

/* Values written so far. */
uint64_t gt_adxw_count(const struct gt_adxw *w);

/* Ends the document and frees w; accepts NULL. Returns 0 or GT_EIO. */
int gt_adxw_close(struct gt_adxw *w);

/* Writes the ADX period of a DHIS2 period id ("202607" -> "2026-07-01/P1M", "2026Q3" ->
 * "2026-07-01/P3M", "2026S2" -> "2026-07-01/P6M", "2026" -> "2026-01-01/P1Y") into buf (at
 * least 20 bytes). GT_EINVAL for a bad id. */
int gt_adx_period(const char *dhis2, char *buf, size_t len);

/* The DHIS2 period id of an ADX period (the inverse of gt_adx_period()); GT_EINVAL for
 * anything else. buf holds at least GT_PERIOD_MAX_LEN bytes. */
int gt_adx_period_parse(const char *adx, char *buf, size_t len);

/*
 * Decodes buf[0..len) (borrowed) as an ADX document into out (gt_dhis2import_free() frees it):
 * every group's orgUnit, period (ADX form) and dataValues with dataElement, value, the
 * category attribute (any attribute other than dataElement and value names the option) and
 * annotation (the comment). Identifiers are codes or derived UIDs, mapped with meta (borrowed;
 * NULL: codes only). Errors name the place: "group[2]/dataValue[5]@value". Returns 0 (check
 * out->errors_total) or GT_ENOMEM.
 */
int gt_adx_decode(const uint8_t *buf, size_t len, const struct gt_meta *meta, const char *own_org,
                  struct gt_dhis2import *out);

#endif
