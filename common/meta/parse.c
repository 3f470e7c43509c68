/* The parser: record lines, attribute lines and the files they stand in. */
#include "meta_int.h"

#include <string.h>

#include "error.h"

/* ------------------------------------------------------------------------------------------ */
/* Records. */

static const size_t wrapper_size[K_COUNT] = {
    sizeof(struct w_combo),     sizeof(struct w_element), sizeof(struct w_dataset),
    sizeof(struct w_rule),      sizeof(struct w_plan),    sizeof(struct w_block),
    sizeof(struct w_indicator), sizeof(struct w_action),
};

/* Sets the fields every record has; the public structs share no common prefix, so each
 * kind is handled by name. */
static struct w_head *init_record(struct ld *L, enum kind k, void *rec, const char *code,
                                  const char *name)
{
	const char *file = L->fnames[L->fidx];
	unsigned line = L->line;

#define INIT(type, extra)                                                                          \
	do {                                                                                       \
		type *w = rec;                                                                     \
		w->pub.code = code;                                                                \
		w->pub.name = name;                                                                \
		w->pub.file = file;                                                                \
		w->pub.line = line;                                                                \
		extra;                                                                             \
		return &w->h;                                                                      \
	} while (0)

	switch (k) {
	case K_COMBO:
		INIT(struct w_combo, (void)0);
	case K_ELEMENT:
		INIT(struct w_element, {
			w->pub.description = "";
			w->pub.max_length = GT_META_MAX_TEXT;
		});
	case K_DATASET:
		INIT(struct w_dataset, {
			w->pub.description = "";
			w->pub.timely_days = GT_META_DEFAULT_TIMELY;
			w->pub.expiry_days = GT_META_DEFAULT_EXPIRY;
		});
	case K_RULE:
		INIT(struct w_rule, w->pub.description = "");
	case K_PLAN:
		INIT(struct w_plan, w->pub.source = "");
	case K_BLOCK:
		INIT(struct w_block, w->pub.lead = "");
	case K_INDICATOR:
		INIT(struct w_indicator, {
			w->pub.group = "";
			w->pub.challenge = "";
			w->pub.objective = "";
		});
	case K_ACTION:
		INIT(struct w_action, w->pub.group = "");
	case K_COUNT:
		break;
	}
#undef INIT
	return NULL;
}

/* The kind of the record a line starts, after checking the line's shape (a code, a quoted
 * name, nothing after) and the number of records; -1 after an error. */
static int record_kind(struct ld *L)
{
	const struct tok *t = L->toks;
	int k = -1;

	if (!t[0].quoted)
		for (int i = 0; i < K_COUNT; i++)
			if (strcmp(gt__meta_kind_words[i], t[0].s) == 0)
				k = i;
	if (k < 0) {
		ERR(L,
		    "unknown record kind \"%s\" (categorycombo, element, dataset, rule, plan, "
		    "block, indicator or action; attribute lines are indented)",
		    gt__meta_show(L, t[0].s));
		return -1;
	}
	if (L->ntoks < 2) {
		ERR(L, "%s without a code", gt__meta_kind_words[k]);
		return -1;
	}
	if (L->ntoks > 2 && !t[2].quoted) {
		ERR(L, "the name of %s %s must be in double quotes", gt__meta_kind_words[k],
		    gt__meta_show(L, t[1].s));
		return -1;
	}
	if (L->ntoks > 3) {
		ERR(L, "unexpected \"%s\" after the name", gt__meta_show(L, t[3].s));
		return -1;
	}
	if (L->nrecords >= GT_META_MAX_RECORDS) {
		ERR(L, "more than %u records", GT_META_MAX_RECORDS);
		gt__meta_set_rc(L, GT_ETOOBIG);
		L->stop = true;
		return -1;
	}
	return k;
}

/* Where record number first of kind k's table was defined. */
static void record_defined_at(const struct ktab *tab, enum kind k, uint32_t first,
                              const char **file, unsigned *line)
{
	*file = NULL;
	*line = 0;
	switch (k) {
#define FIRST(type)                                                                                \
	do {                                                                                       \
		const type *f = tab->recs[first];                                                  \
		*file = f->pub.file;                                                               \
		*line = f->pub.line;                                                               \
	} while (0)
	case K_COMBO:
		FIRST(struct w_combo);
		break;
	case K_ELEMENT:
		FIRST(struct w_element);
		break;
	case K_DATASET:
		FIRST(struct w_dataset);
		break;
	case K_RULE:
		FIRST(struct w_rule);
		break;
	case K_PLAN:
		FIRST(struct w_plan);
		break;
	case K_BLOCK:
		FIRST(struct w_block);
		break;
	case K_INDICATOR:
		FIRST(struct w_indicator);
		break;
	case K_ACTION:
		FIRST(struct w_action);
		break;
	case K_COUNT:
		break;
#undef FIRST
	}
}

static void record_line(struct ld *L)
{
	const struct tok *t = L->toks;
	struct ktab *tab;
	const char *code, *name;
	uint32_t first;
	int k;
	void *rec;

	L->cur_state = 2;
	if ((k = record_kind(L)) < 0)
		return;
	code = gt__meta_code_arg(L, &t[1], gt__meta_kind_text[k]);
	if (code == NULL)
		return;
	name = L->ntoks > 2 ? gt__meta_tok_dup(L, &t[2]) : code;
	rec = gt__meta_arena_alloc(&L->ix->arena, wrapper_size[k]);
	if (name == NULL || rec == NULL) {
		gt__meta_nomem(L);
		return;
	}
	L->nrecords++;
	L->cur_head = init_record(L, (enum kind)k, rec, code, name);
	L->cur_head->fidx = L->fidx;
	L->cur = rec;
	L->cur_kind = (enum kind)k;
	L->cur_state = 1;
	tab = &L->ix->tabs[k];
	if ((k == K_ELEMENT || k == K_COMBO) && strcmp(code, GT_META_ACH_CODE) == 0) {
		ERR(L, "%s code %s is reserved for plan achievement", gt__meta_kind_text[k], code);
		return;
	}
	first = gt__meta_ktab_find(tab, code);
	if (first != UINT32_MAX) {
		/* Parse its attributes for errors, but keep the first definition. */
		const char *ffile;
		unsigned fline;

		record_defined_at(tab, (enum kind)k, first, &ffile, &fline);
		if (strcmp(ffile, L->fnames[L->fidx]) == 0)
			ERR(L, "duplicate %s code \"%s\" (first defined at line %u)",
			    gt__meta_kind_text[k], code, fline);
		else
			ERR(L, "duplicate %s code \"%s\" (first defined at %s:%u)",
			    gt__meta_kind_text[k], code, ffile, fline);
		return;
	}
	if (gt__meta_ktab_add(&L->ix->arena, tab, code, rec) != 0)
		gt__meta_nomem(L);
}

/* ------------------------------------------------------------------------------------------ */
/* Files and lines. */

/* Checks a line for control characters and invalid UTF-8; reports and returns false. */
static bool line_chars_ok(struct ld *L, const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		long cp = gt__meta_utf8_next(s, len, &i);
		if (cp < 0) {
			ERR(L, "invalid UTF-8 (save the file as UTF-8)");
			return false;
		}
		if (cp != '\t' && gt__meta_is_control(cp)) {
			ERR(L, "control character U+%04lX", (unsigned long)cp);
			return false;
		}
	}
	return true;
}

/* Returns false when the rest of the file must be skipped. */
static bool parse_line(struct ld *L, const char *line, size_t len)
{
	bool indented = len > 0 && (line[0] == ' ' || line[0] == '\t');
	bool ok = true;

	if (len > 0 && line[len - 1] == '\r')
		len--; /* CRLF line ends */
	if (len > GT_META_MAX_LINE) {
		ERR(L, "line longer than %u bytes", GT_META_MAX_LINE);
		ok = false;
	} else if (!line_chars_ok(L, (const unsigned char *)line, len) ||
	           gt__meta_tokenize(L, line, len) != 0) {
		ok = false;
	}
	if (!ok) {
		/* A broken record line still opens a record (skipped); a broken attribute line
		 * marks its record. */
		if (L->have_header && !indented)
			L->cur_state = 2;
		else if (L->have_header && L->cur_state == 1)
			L->cur_head->broken = true;
		return true;
	}
	if (L->ntoks == 0)
		return true;
	if (!L->have_header) {
		const struct tok *t = L->toks;
		if (line[0] != ' ' && line[0] != '\t' && !t[0].quoted &&
		    strcmp(t[0].s, "gtsync-metadata") == 0) {
			if (L->ntoks == 2 && strcmp(t[1].s, "1") == 0 && !t[1].quoted) {
				L->have_header = true;
				return true;
			}
			if (L->ntoks == 2) {
				ERR(L, "unsupported format version \"%s\" (this loader reads %d)",
				    gt__meta_show(L, t[1].s), GT_META_FORMAT_VERSION);
				return false;
			}
		}
		ERR(L, "missing header: the first line must be \"gtsync-metadata %d\"",
		    GT_META_FORMAT_VERSION);
		return false;
	}
	if (indented)
		gt__meta_attribute_line(L);
	else
		record_line(L);
	return true;
}

void gt__meta_parse_file(struct ld *L, uint32_t fidx)
{
	const struct src *s = &L->srcs[fidx];
	const char *p = (const char *)s->buf;
	size_t len = s->len;

	L->fidx = fidx;
	L->line = 0;
	L->have_header = false;
	L->cur_state = 0;
	L->cur = NULL;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		len -= 3;
	}
	while (len > 0 && !L->stop) {
		const char *nl = memchr(p, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - p) : len;
		L->line++;
		if (!parse_line(L, p, n))
			return;
		if (nl == NULL)
			break;
		p = nl + 1;
		len -= n + 1;
	}
	if (!L->have_header && !L->stop) {
		L->line = 1;
		ERR(L, "missing header: the first line must be \"gtsync-metadata %d\"",
		    GT_META_FORMAT_VERSION);
	}
}
