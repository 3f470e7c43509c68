/* The layout of a data set's spreadsheet form: its sections (one sheet each), rows, columns. */
#include "formlayout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "i18n.h"

size_t gt_form_rows(const struct gt_form_section *s)
{
	return s->transposed ? s->noptions : s->nelements;
}

size_t gt_form_cols(const struct gt_form_section *s)
{
	return s->transposed ? s->nelements : s->noptions;
}

void gt_form_cell(const struct gt_form_section *s, size_t r, size_t c,
                  const struct gt_meta_element **e, uint32_t *option)
{
	*e = s->elements[s->transposed ? c : r];
	*option = s->options[s->transposed ? r : c];
}

static void element_label(const struct gt_meta_element *e, const char **code, const char **name)
{
	*code = e->code;
	*name = e->name;
}

static void option_label(const struct gt_form_section *s, uint32_t opt, const char **code,
                         const char **name)
{
	const struct gt_meta_option *o = &s->combo->options[opt];

	*code = o->code[0] ? o->code : "default";
	*name = o->name ? o->name : "";
}

void gt_form_row_label(const struct gt_form_section *s, size_t r, const char **code,
                       const char **name)
{
	if (s->transposed)
		option_label(s, s->options[r], code, name);
	else
		element_label(s->elements[r], code, name);
}

void gt_form_col_label(const struct gt_form_section *s, size_t c, const char **code,
                       const char **name)
{
	if (s->transposed)
		element_label(s->elements[c], code, name);
	else
		option_label(s, s->options[c], code, name);
}

void gt_form_free(struct gt_form *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nsec; i++) {
		free(f->sec[i].elements);
		free(f->sec[i].options);
	}
	free(f->sec);
	memset(f, 0, sizeof(*f));
}

/* Copies name into out as a sheet name: the characters Excel refuses in one ([]:*?/\) become
 * '-', a leading or trailing apostrophe is dropped, and it is cut to GT_FORM_SHEET_CHARS
 * characters (at a space when one is near the end). */
static void sheet_name(const char *name, char *out)
{
	size_t used = 0, chars = 0, last_space = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		unsigned char ch = *p;
		if ((ch & 0xC0) != 0x80) {
			if (chars == GT_FORM_SHEET_CHARS)
				break;
			chars++;
		}
		if (strchr("[]:*?/\\", ch) != NULL)
			ch = '-';
		if (ch == '\'' && used == 0)
			continue;
		if (ch == ' ')
			last_space = used;
		out[used++] = (char)ch;
	}
	/* A name cut short ends at a word when one ends in its last third. */
	if (name[used] != '\0' && last_space > used * 2 / 3)
		used = last_space;
	while (used > 0 && (out[used - 1] == ' ' || out[used - 1] == '\''))
		used--;
	out[used] = '\0';
	if (used == 0)
		strcpy(out, "Data");
}

static int sheet_taken(const struct gt_form *f, const char *name)
{
	if (strcasecmp(name, _("Instructions")) == 0)
		return 1;
	for (size_t i = 0; i < f->nsec; i++)
		if (strcasecmp(f->sec[i].sheet, name) == 0)
			return 1;
	return 0;
}

/* Names section s after its breakdown, unique within f. */
static void name_section(const struct gt_form *f, struct gt_form_section *s)
{
	char base[GT_FORM_SHEET_BYTES];

	sheet_name(s->combo->is_default ? _("Totals") : s->combo->name, base);
	strcpy(s->sheet, base);
	for (unsigned n = 2; sheet_taken(f, s->sheet) && n < 1000; n++) {
		char suffix[8];
		size_t keep = strlen(base);
		snprintf(suffix, sizeof(suffix), " %u", n);
		/* Room for the suffix within the character limit: cut bytes (ASCII names). */
		if (keep + strlen(suffix) > GT_FORM_SHEET_CHARS)
			keep = GT_FORM_SHEET_CHARS - strlen(suffix);
		while (keep > 0 && ((unsigned char)base[keep] & 0xC0) == 0x80)
			keep--;
		memcpy(s->sheet, base, keep);
		strcpy(s->sheet + keep, suffix);
	}
}

/* Whether option i of e's combo belongs on ds's form. */
static int option_shown(const struct gt_meta *meta, const struct gt_meta_dataset *ds,
                        const struct gt_meta_element *e, uint32_t i)
{
	if (!e->builtin || ds->plan == NULL)
		return 1;
	return i < meta->nindicators && meta->indicators[i]->plan == ds->plan;
}

/* Fills section s for the elements of ds that have combo. */
static int fill_section(const struct gt_meta *meta, const struct gt_meta_dataset *ds,
                        const struct gt_meta_combo *combo, struct gt_form_section *s)
{
	s->combo = combo;
	s->elements = calloc(ds->nelements, sizeof(*s->elements));
	s->options = calloc(combo->noptions ? combo->noptions : 1, sizeof(*s->options));
	if (s->elements == NULL || s->options == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < ds->nelements; i++)
		if (ds->elements[i]->combo == combo)
			s->elements[s->nelements++] = ds->elements[i];
	for (uint32_t i = 0; i < combo->noptions; i++)
		if (option_shown(meta, ds, s->elements[0], i))
			s->options[s->noptions++] = i;
	s->transposed = s->noptions > GT_FORM_MAX_ACROSS;
	return GT_OK;
}

int gt_form_layout(const struct gt_meta *meta, const struct gt_meta_dataset *ds, struct gt_form *f)
{
	int rc = GT_OK;

	memset(f, 0, sizeof(*f));
	f->ds = ds;
	f->sec = calloc(GT_FORM_MAX_SECTIONS, sizeof(*f->sec));
	if (f->sec == NULL)
		return GT_ENOMEM;
	/* Sections in the order their first element appears; the totals first. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ds->nelements; i++) {
			const struct gt_meta_combo *combo = ds->elements[i]->combo;
			size_t k;
			if ((pass == 0) != (combo->is_default != 0))
				continue;
			for (k = 0; k < f->nsec; k++)
				if (f->sec[k].combo == combo)
					break;
			if (k < f->nsec)
				continue;
			if (f->nsec == GT_FORM_MAX_SECTIONS) {
				rc = GT_ETOOBIG;
				goto out;
			}
			if ((rc = fill_section(meta, ds, combo, &f->sec[f->nsec])) != GT_OK) {
				f->nsec++; /* freed below */
				goto out;
			}
			name_section(f, &f->sec[f->nsec]);
			f->nsec++;
		}
	}
out:
	if (rc != GT_OK)
		gt_form_free(f);
	return rc;
}
