/* Recognizes, by their form, what identifies a person in free text: a NIK, a passport number,
 * a phone number, an e-mail address. */
#include "piiscreen.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "i18n.h"

/* The NIK's first two digits: the province codes of Indonesia's population registry. */
static const char *const provinces[] = {
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33",
    "34", "35", "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72",
    "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96", "97",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

/* Letters, digits and the bytes of non-ASCII UTF-8 letters: what continues a word. */
static int is_word(unsigned char c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z') || c >= 0x80 || c == '_';
}

static int is_sep(unsigned char c)
{
	return c == ' ' || c == '-' || c == '.';
}

/* Whether position i starts a word: the text's start or a byte that is not part of one. */
static int starts_word(const unsigned char *s, size_t i)
{
	return i == 0 || !is_word(s[i - 1]);
}

/* Whether the word that ends before position i really ends there: no letter or digit follows,
 * nor a separator and a digit (which would make it part of a longer number). */
static int ends_number(const unsigned char *s, size_t len, size_t i)
{
	if (i >= len)
		return 1;
	if (is_word(s[i]))
		return 0;
	return !(is_sep(s[i]) && i + 1 < len && is_digit(s[i + 1]));
}

static int two(const char *d)
{
	return (d[0] - '0') * 10 + (d[1] - '0');
}

/* Whether 16 digits have a NIK's structure: province, regency and district codes, the day of
 * birth (plus 40 for women), the month, the year and a serial number that is not 0000. */
static int nik_plausible(const char *d)
{
	int known = 0, day = two(d + 6), month = two(d + 8);

	for (size_t i = 0; i < N(provinces); i++)
		if (memcmp(d, provinces[i], 2) == 0)
			known = 1;
	if (!known || two(d + 2) == 0 || two(d + 4) == 0)
		return 0;
	if (day > 40)
		day -= 40;
	if (day < 1 || day > 31 || month < 1 || month > 12)
		return 0;
	return memcmp(d + 12, "0000", 4) != 0;
}

/* Reads a number at i in groups of the given sizes, joined by one separator (the same each
 * time) or by none at all; returns the length read or 0, with the digits in d. */
static size_t read_groups(const unsigned char *s, size_t len, size_t i, const int *groups,
                          size_t ngroups, int joined, char *d)
{
	size_t p = i, nd = 0;
	unsigned char sep = 0;

	for (size_t g = 0; g < ngroups; g++) {
		if (g > 0 && joined) {
			if (p >= len || !is_sep(s[p]) || (sep != 0 && s[p] != sep))
				return 0;
			sep = s[p++];
		}
		for (int k = 0; k < groups[g]; k++, p++) {
			if (p >= len || !is_digit(s[p]))
				return 0;
			d[nd++] = (char)s[p];
		}
	}
	return p - i;
}

static size_t find_nik(const unsigned char *s, size_t len, size_t i)
{
	static const int plain[] = {16}, fours[] = {4, 4, 4, 4}, sixes[] = {6, 6, 4},
	                 parts[] = {2, 2, 2, 6, 4};
	static const struct {
		const int *g;
		size_t n;
	} shapes[] = {{plain, 1}, {fours, 4}, {sixes, 3}, {parts, 5}};
	char d[16];

	if (!is_digit(s[i]))
		return 0;
	for (size_t k = 0; k < N(shapes); k++) {
		size_t n = read_groups(s, len, i, shapes[k].g, shapes[k].n, shapes[k].n > 1, d);
		if (n > 0 && ends_number(s, len, i + n) && nik_plausible(d))
			return n;
	}
	return 0;
}

/* A passport number: one or two capital letters (one may be followed by a space) and seven
 * digits, as a word of its own. "RP" and "NO" before seven digits are an amount and a
 * number, not a passport. */
static size_t find_passport(const unsigned char *s, size_t len, size_t i)
{
	size_t p = i, letters = 0;

	while (p < len && is_upper(s[p]) && letters < 2)
		p++, letters++;
	if (letters == 0)
		return 0;
	if (letters == 2 && (memcmp(s + i, "RP", 2) == 0 || memcmp(s + i, "NO", 2) == 0))
		return 0;
	if (letters == 1 && p < len && s[p] == ' ')
		p++;
	for (int k = 0; k < 7; k++, p++)
		if (p >= len || !is_digit(s[p]))
			return 0;
	return ends_number(s, len, p) ? p - i : 0;
}

/* Reads digits from p on, with at most one separator (space, '-', '.') between two digits
 * and one pair of parentheses around the first group; returns the end, with the count of
 * digits in *nd and of the digits before the first separator in *first. */
static size_t read_phone_digits(const unsigned char *s, size_t len, size_t p, size_t *nd,
                                size_t *first)
{
	int paren = 0, in_first = 1;

	*nd = 0;
	*first = 0;
	if (p < len && s[p] == '(') {
		paren = 1;
		p++;
	}
	while (p < len) {
		if (is_digit(s[p])) {
			(*nd)++;
			if (in_first)
				(*first)++;
			p++;
		} else if (paren == 1 && s[p] == ')' && *nd > 0) {
			paren = 2;
			in_first = 0;
			p++;
			if (p < len && s[p] == ' ')
				p++;
		} else if (is_sep(s[p]) && p + 1 < len && is_digit(s[p + 1]) && *nd > 0 &&
		           paren != 1) {
			in_first = 0;
			p++;
		} else {
			break;
		}
	}
	return paren == 1 ? 0 : p;
}

/* Whether a subscriber number starts at p, after an area code and its ')' or separator and
 * any space: its first digit is not 0 ("0361 0003 0001" is not a phone number). */
static int subscriber_starts(const unsigned char *s, size_t len, size_t p)
{
	while (p < len && !is_digit(s[p]))
		p++;
	return p < len && s[p] != '0';
}

/*
 * A phone number: +62 and 8 to 12 digits; 62 and a mobile number (8...) of 9 to 12 digits;
 * a mobile number 08... of 10 to 13 digits; an area code in parentheses, "(021) 555 1234", or
 * of three or four digits and a separator, "021-5551234", with 9 to 12 digits in all and a
 * subscriber number that does not start with 0. Dates
 * ("08-12-2023": eight digits), years and amounts are shorter or do not start so.
 */
static size_t find_phone(const unsigned char *s, size_t len, size_t i)
{
	size_t p = i, end, nd, first;

	if (s[i] == '+') {
		if (i + 2 >= len || s[i + 1] != '6' || s[i + 2] != '2')
			return 0;
		p = i + 3;
		if (p < len && is_sep(s[p]))
			p++;
		end = read_phone_digits(s, len, p, &nd, &first);
		return end > 0 && nd >= 8 && nd <= 12 && ends_number(s, len, end) ? end - i : 0;
	}
	if (s[i] == '(') {
		end = read_phone_digits(s, len, i, &nd, &first);
		if (end == 0 || i + 1 >= len || s[i + 1] != '0' || first < 3 || first > 4 ||
		    !subscriber_starts(s, len, i + 2 + first))
			return 0;
		return nd >= 9 && nd <= 12 && ends_number(s, len, end) ? end - i : 0;
	}
	if (!is_digit(s[i]))
		return 0;
	end = read_phone_digits(s, len, i, &nd, &first);
	if (end == 0 || !ends_number(s, len, end))
		return 0;
	if (s[i] == '6' && i + 2 < len && s[i + 1] == '2' && s[i + 2] == '8' && first >= 3)
		return nd >= 11 && nd <= 14 ? end - i : 0;
	if (s[i] != '0' || i + 1 >= len)
		return 0;
	if (s[i + 1] == '8')
		return nd >= 10 && nd <= 13 && first >= 3 ? end - i : 0;
	if (s[i + 1] >= '2' && s[i + 1] <= '9' && first >= 3 && first <= 4 && nd > first &&
	    subscriber_starts(s, len, i + first))
		return nd >= 9 && nd <= 12 ? end - i : 0;
	return 0;
}

static int is_local(unsigned char c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z') || c == '.' || c == '_' ||
	       c == '%' || c == '+' || c == '-';
}

static int is_label(unsigned char c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z') || c == '-';
}

/* An e-mail address around the '@' at position at: a local part, and a domain of two or
 * more labels whose last is two or more letters. Sets *start. */
static size_t find_email(const unsigned char *s, size_t len, size_t at, size_t *start)
{
	size_t b = at, p = at + 1, label = 0, labels = 0, tld_letters = 0, end = 0;

	while (b > 0 && is_local(s[b - 1]))
		b--;
	if (b == at)
		return 0;
	while (p < len && (is_label(s[p]) || s[p] == '.')) {
		if (s[p] == '.') {
			if (label == 0)
				break;
			labels++;
			label = 0;
			tld_letters = 0;
		} else {
			label++;
			tld_letters = (is_digit(s[p]) || s[p] == '-') ? 0 : tld_letters + 1;
			if (tld_letters == label && label >= 2 && labels >= 1)
				end = p + 1;
		}
		p++;
	}
	if (end == 0)
		return 0;
	*start = b;
	return end - b;
}

int gt_piiscreen_find(const char *text, size_t len, struct gt_pii_hit *hit)
{
	const unsigned char *s = (const unsigned char *)text;

	memset(hit, 0, sizeof(*hit));
	if (text == NULL)
		return 0;
	for (size_t i = 0; i < len; i++) {
		size_t n = 0, start = i;
		enum gt_pii_kind kind = GT_PII_NONE;

		if (s[i] == '@') {
			/* The local part starts before i, after any earlier hit (which was checked
			 * at its own start): the first hit in text order is kept. */
			if ((n = find_email(s, len, i, &start)) > 0)
				kind = GT_PII_EMAIL;
		} else if (starts_word(s, i) || s[i] == '+' || s[i] == '(') {
			if ((n = find_nik(s, len, i)) > 0)
				kind = GT_PII_NIK;
			else if ((n = find_phone(s, len, i)) > 0)
				kind = GT_PII_PHONE;
			else if ((n = find_passport(s, len, i)) > 0)
				kind = GT_PII_PASSPORT;
		}
		if (kind != GT_PII_NONE) {
			hit->kind = kind;
			hit->offset = start;
			hit->length = n;
			return 1;
		}
	}
	return 0;
}

const char *gt_piiscreen_kind_en(enum gt_pii_kind kind)
{
	switch (kind) {
	case GT_PII_NIK:
		return "a NIK (a 16-digit identity number)";
	case GT_PII_PASSPORT:
		return "a passport number";
	case GT_PII_PHONE:
		return "a phone number";
	case GT_PII_EMAIL:
		return "an e-mail address";
	case GT_PII_NONE:
		break;
	}
	return "nothing identifying";
}

const char *gt_piiscreen_kind_text(enum gt_pii_kind kind)
{
	switch (kind) {
	case GT_PII_NIK:
		return _("a NIK (a 16-digit identity number)");
	case GT_PII_PASSPORT:
		return _("a passport number");
	case GT_PII_PHONE:
		return _("a phone number");
	case GT_PII_EMAIL:
		return _("an e-mail address");
	case GT_PII_NONE:
		break;
	}
	return _("nothing identifying");
}

/* The character (not byte) position of byte offset off in UTF-8 text, from 1. */
static size_t char_pos(const char *text, size_t off)
{
	size_t n = 1;

	for (size_t i = 0; i < off; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			n++;
	return n;
}

int gt_piiscreen_check(const char *what, const char *text, char *why, size_t len)
{
	struct gt_pii_hit hit;

	if (why != NULL && len > 0)
		why[0] = '\0';
	if (text == NULL || !gt_piiscreen_find(text, strlen(text), &hit))
		return GT_OK;
	if (why != NULL && len > 0)
		snprintf(why, len,
		         _("the %s holds what looks like %s (at character %zu): gtsync keeps no "
		           "detail that identifies a person (NIK, passport, phone, e-mail); "
		           "describe the case without it"),
		         what, gt_piiscreen_kind_text(hit.kind), char_pos(text, hit.offset));
	return GT_EINVAL;
}
