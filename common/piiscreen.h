/* Recognizes, by their form, what identifies a person in free text: a NIK, a passport number,
 * a phone number, an e-mail address. */
#ifndef GT_PIISCREEN_H
#define GT_PIISCREEN_H

#include <stddef.h>

/* What was recognized; GT_PII_NONE when nothing. */
enum gt_pii_kind {
	GT_PII_NONE = 0,
	GT_PII_NIK,      /* a 16-digit Indonesian identity number with a plausible structure */
	GT_PII_PASSPORT, /* a passport number: one or two letters and seven digits */
	GT_PII_PHONE,    /* an Indonesian phone number: +62, 62 or 0 followed by its digits */
	GT_PII_EMAIL,    /* an e-mail address */
};

/* One recognized piece of text: its kind and where it lies, in bytes. */
struct gt_pii_hit {
	enum gt_pii_kind kind;
	size_t offset;
	size_t length;
};

/*
 * Looks for identifying details in text[0..len) (any bytes; UTF-8 letters count as letters).
 * Returns 1 with *hit set to the first one, in text order, or 0 with hit->kind GT_PII_NONE.
 * Text that only looks like numbers of other kinds passes: a regulation number ("PP No. 22
 * Tahun 2021", "Perpres 49/2023"), a year, an amount ("Rp 1.500.000"), a date, a code.
 */
int gt_piiscreen_find(const char *text, size_t len, struct gt_pii_hit *hit);

/* The kind in English words for the server's messages ("a phone number"); static. */
const char *gt_piiscreen_kind_en(enum gt_pii_kind kind);

/* The kind in words for a person, translated with gettext ("nomor telepon"); static. */
const char *gt_piiscreen_kind_text(enum gt_pii_kind kind);

/*
 * Checks free text named what ("comment", "reason") and says why it is refused: returns 0
 * when text (NULL counts as empty) holds nothing identifying, else GT_EINVAL with a sentence
 * for a person, translated, in why[0..len) (which never repeats the identifying text).
 */
int gt_piiscreen_check(const char *what, const char *text, char *why, size_t len);

#endif
