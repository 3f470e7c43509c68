/* Reads the cells of an Excel workbook (.xlsx): the zip container through libzip, the XML
 * parts through libxml2's streaming (SAX2 push) parser, the same XML library that reads and
 * writes ADX; no store, no metadata. */
#include "xlsxread.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "error.h"
#include "i18n.h"
#include "vec.h"

/* Bytes read from a part at a time. */
#define XLSX_CHUNK 65536u

int gt_xlsx_is_zip(const uint8_t *buf, size_t len)
{
	return len >= 4 && buf[0] == 'P' && buf[1] == 'K' && buf[2] == 3 && buf[3] == 4;
}

void gt_xlsx_ref(uint32_t row, uint32_t col, char out[GT_XLSX_REF_LEN])
{
	char letters[8];
	size_t n = 0;
	uint32_t c = col + 1;

	while (c > 0 && n < sizeof(letters)) {
		letters[n++] = (char)('A' + (c - 1) % 26);
		c = (c - 1) / 26;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = letters[n - 1 - i];
	snprintf(out + n, GT_XLSX_REF_LEN - n, "%lu", (unsigned long)row + 1);
}

const char *gt_xlsx_get(const struct gt_xlsx_sheet *s, uint32_t row, uint32_t col)
{
	size_t lo = 0, hi = s->ncells;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gt_xlsx_cell *c = &s->cells[mid];
		if (c->row < row || (c->row == row && c->col < col))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->ncells && s->cells[lo].row == row && s->cells[lo].col == col)
		return s->cells[lo].text;
	return NULL;
}

void gt_xlsx_free(struct gt_xlsx *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->nsheets; i++) {
		for (size_t k = 0; k < x->sheets[i].ncells; k++)
			free(x->sheets[i].cells[k].text);
		free(x->sheets[i].cells);
		free(x->sheets[i].name);
	}
	free(x->sheets);
	memset(x, 0, sizeof(*x));
}

/* ---- Parsing state ---- */

enum part_kind { PART_WORKBOOK, PART_RELS, PART_STRINGS, PART_SHEET };

/* A sheet as the workbook names it, before its part is read. */
struct sheet_ref {
	char *name;
	char *rid;
	char *target; /* the part's name in the zip */
};

struct rd {
	struct gt_xlsx *x;
	xmlParserCtxtPtr p;
	enum part_kind kind;
	int rc; /* the first failure: stops the parse */
	/* The workbook's sheets, then their parts. */
	struct sheet_ref *refs;
	size_t nrefs;
	/* Shared strings. */
	char **sst;
	size_t nsst, sst_cap;
	int in_si, in_t, in_rph;
	/* Text being gathered (a <t>, a <v>). */
	char text[GT_XLSX_MAX_TEXT + 1];
	size_t text_len;
	int gather;
	/* The sheet being read. */
	struct gt_xlsx_sheet *sheet;
	size_t cells_cap, total_cells;
	uint32_t row, col; /* the current row (0-based), the last cell's column + 1 */
	int have_row;
	char ctype[16];
	int in_cell, in_v, in_is;
	uint32_t cell_row, cell_col;
};

static void fail(struct rd *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct rd *r, int rc, const char *fmt, ...)
{
	va_list ap;

	if (r->rc != GT_OK)
		return;
	r->rc = rc;
	va_start(ap, fmt);
	vsnprintf(r->x->err, sizeof(r->x->err), fmt, ap);
	va_end(ap);
	if (r->p != NULL)
		xmlStopParser(r->p);
}

/* Longest attribute value kept (references, names, relationship targets). */
#define XLSX_MAX_ATTR 512u

/* An element's attributes as libxml2's SAX2 hands them over: five pointers each (local name,
 * prefix, namespace, value start, value end), values not NUL-terminated. */
struct atts {
	const xmlChar **a;
	int n;
	char buf[4][XLSX_MAX_ATTR + 1];
	int used;
};

/* The value of attribute name (any namespace), copied into one of the slots of at; NULL when
 * absent or longer than XLSX_MAX_ATTR. */
static const char *attr(struct atts *at, const char *name)
{
	for (int i = 0; i < at->n; i++) {
		const xmlChar **e = at->a + 5 * i;
		size_t len;
		char *out;
		if (strcmp((const char *)e[0], name) != 0)
			continue;
		len = (size_t)(e[4] - e[3]);
		if (len > XLSX_MAX_ATTR || at->used == 4)
			return NULL;
		out = at->buf[at->used++];
		memcpy(out, e[3], len);
		out[len] = '\0';
		return out;
	}
	return NULL;
}

static char *dup(struct rd *r, const char *s)
{
	char *d = strdup(s ? s : "");
	if (d == NULL)
		fail(r, GT_ENOMEM, _("out of memory"));
	return d;
}

static void on_text(void *arg, const xmlChar *s, int len)
{
	struct rd *r = arg;

	if (!r->gather || len <= 0)
		return;
	if ((size_t)len > GT_XLSX_MAX_TEXT - r->text_len) {
		fail(r, GT_ETOOBIG, _("a cell holds more than %u bytes of text"), GT_XLSX_MAX_TEXT);
		return;
	}
	memcpy(r->text + r->text_len, s, (size_t)len);
	r->text_len += (size_t)len;
}

/* Parses a reference such as "D7" into row and column (0-based). */
static int parse_ref(const char *s, uint32_t *row, uint32_t *col)
{
	uint32_t c = 0, rw = 0;
	size_t letters = 0, digits = 0;

	for (; *s >= 'A' && *s <= 'Z'; s++, letters++) {
		if (letters == 3)
			return GT_EINVAL;
		c = c * 26 + (uint32_t)(*s - 'A' + 1);
	}
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (digits == 7)
			return GT_EINVAL;
		rw = rw * 10 + (uint32_t)(*s - '0');
	}
	if (*s != '\0' || letters == 0 || digits == 0 || rw == 0 || rw > GT_XLSX_MAX_ROWS ||
	    c > GT_XLSX_MAX_COLS)
		return GT_EINVAL;
	*row = rw - 1;
	*col = c - 1;
	return GT_OK;
}

static void add_cell(struct rd *r, const char *text)
{
	struct gt_xlsx_sheet *s = r->sheet;

	if (text == NULL || text[0] == '\0')
		return;
	if (r->total_cells == GT_XLSX_MAX_CELLS) {
		fail(r, GT_ETOOBIG, _("the workbook holds more than %u cells"), GT_XLSX_MAX_CELLS);
		return;
	}
	if (GT_VEC_RESERVE(s->cells, r->cells_cap, s->ncells + 1) != GT_OK) {
		fail(r, GT_ENOMEM, _("out of memory"));
		return;
	}
	s->cells[s->ncells].row = r->cell_row;
	s->cells[s->ncells].col = r->cell_col;
	if ((s->cells[s->ncells].text = dup(r, text)) == NULL)
		return;
	s->ncells++;
	r->total_cells++;
}

/* Ends a cell: its text from its type and gathered value. */
static void end_cell(struct rd *r)
{
	const char *t = r->ctype;

	r->text[r->text_len] = '\0';
	if (strcmp(t, "s") == 0) {
		char *end;
		unsigned long i;
		if (r->text_len == 0)
			return;
		i = strtoul(r->text, &end, 10);
		if (*end != '\0' || i >= r->nsst) {
			fail(r, GT_EINVAL, _("a cell names shared string %s, which the file lacks"),
			     r->text);
			return;
		}
		add_cell(r, r->sst[i]);
	} else if (strcmp(t, "b") == 0) {
		add_cell(r, strcmp(r->text, "1") == 0 ? "TRUE" : r->text_len ? "FALSE" : "");
	} else {
		add_cell(r, r->text);
	}
}

static void sheet_start(struct rd *r, const char *name, struct atts *atts)
{
	if (strcmp(name, "row") == 0) {
		const char *n = attr(atts, "r");
		uint32_t rw = r->have_row ? r->row + 1 : 0;
		if (n != NULL) {
			char *end;
			unsigned long v = strtoul(n, &end, 10);
			if (*end != '\0' || v == 0 || v > GT_XLSX_MAX_ROWS) {
				fail(r, GT_EINVAL, _("a row has a bad number \"%.20s\""), n);
				return;
			}
			rw = (uint32_t)(v - 1);
		}
		if (rw >= GT_XLSX_MAX_ROWS) {
			fail(r, GT_ETOOBIG, _("a sheet has more than %u rows"), GT_XLSX_MAX_ROWS);
			return;
		}
		r->row = rw;
		r->have_row = 1;
		r->col = 0;
	} else if (strcmp(name, "c") == 0) {
		const char *ref = attr(atts, "r"), *t = attr(atts, "t");
		r->cell_row = r->row;
		r->cell_col = r->col;
		if (ref != NULL && parse_ref(ref, &r->cell_row, &r->cell_col) != GT_OK) {
			fail(r, GT_EINVAL, _("a cell has a bad reference \"%.20s\""), ref);
			return;
		}
		if (r->cell_col >= GT_XLSX_MAX_COLS) {
			fail(r, GT_ETOOBIG, _("a row has more than %u columns"), GT_XLSX_MAX_COLS);
			return;
		}
		r->col = r->cell_col + 1;
		snprintf(r->ctype, sizeof(r->ctype), "%s", t ? t : "n");
		r->in_cell = 1;
		r->text_len = 0;
	} else if (r->in_cell && strcmp(name, "v") == 0) {
		r->in_v = 1;
		r->gather = 1;
	} else if (r->in_cell && strcmp(name, "is") == 0) {
		r->in_is = 1;
	} else if (r->in_is && strcmp(name, "rPh") == 0) {
		r->in_rph = 1;
	} else if (r->in_is && !r->in_rph && strcmp(name, "t") == 0) {
		r->gather = 1;
	}
}

static void sheet_end(struct rd *r, const char *name)
{
	if (strcmp(name, "c") == 0 && r->in_cell) {
		end_cell(r);
		r->in_cell = r->in_v = r->in_is = r->gather = 0;
	} else if (strcmp(name, "v") == 0 || strcmp(name, "t") == 0) {
		r->gather = 0;
	} else if (strcmp(name, "rPh") == 0) {
		r->in_rph = 0;
	} else if (strcmp(name, "is") == 0) {
		r->in_is = 0;
	}
}

static void strings_start(struct rd *r, const char *name)
{
	if (strcmp(name, "si") == 0) {
		r->in_si = 1;
		r->text_len = 0;
	} else if (strcmp(name, "rPh") == 0) {
		r->in_rph = 1;
	} else if (r->in_si && !r->in_rph && strcmp(name, "t") == 0) {
		r->gather = 1;
	}
}

static void strings_end(struct rd *r, const char *name)
{
	if (strcmp(name, "t") == 0) {
		r->gather = 0;
	} else if (strcmp(name, "rPh") == 0) {
		r->in_rph = 0;
	} else if (strcmp(name, "si") == 0 && r->in_si) {
		r->in_si = 0;
		if (r->nsst == GT_XLSX_MAX_STRINGS) {
			fail(r, GT_ETOOBIG, _("the workbook holds more than %u strings"),
			     GT_XLSX_MAX_STRINGS);
			return;
		}
		if (GT_VEC_RESERVE(r->sst, r->sst_cap, r->nsst + 1) != GT_OK) {
			fail(r, GT_ENOMEM, _("out of memory"));
			return;
		}
		r->text[r->text_len] = '\0';
		if ((r->sst[r->nsst] = dup(r, r->text)) != NULL)
			r->nsst++;
	}
}

static void workbook_start(struct rd *r, const char *name, struct atts *atts)
{
	const char *sname, *rid;

	if (strcmp(name, "sheet") != 0)
		return;
	sname = attr(atts, "name");
	rid = attr(atts, "id");
	if (sname == NULL || rid == NULL) {
		fail(r, GT_EINVAL, _("a sheet of the workbook has no name or part"));
		return;
	}
	if (r->nrefs == GT_XLSX_MAX_SHEETS) {
		fail(r, GT_ETOOBIG, _("the workbook has more than %u sheets"), GT_XLSX_MAX_SHEETS);
		return;
	}
	r->refs[r->nrefs].name = dup(r, sname);
	r->refs[r->nrefs].rid = dup(r, rid);
	r->nrefs++;
}

static void rels_start(struct rd *r, const char *name, struct atts *atts)
{
	const char *id, *target;

	if (strcmp(name, "Relationship") != 0)
		return;
	id = attr(atts, "Id");
	target = attr(atts, "Target");
	if (id == NULL || target == NULL)
		return;
	for (size_t i = 0; i < r->nrefs; i++) {
		size_t n;
		if (r->refs[i].rid == NULL || strcmp(r->refs[i].rid, id) != 0 ||
		    r->refs[i].target != NULL)
			continue;
		/* Targets are relative to xl/, or absolute within the package. */
		n = strlen(target) + 4;
		if ((r->refs[i].target = malloc(n)) == NULL) {
			fail(r, GT_ENOMEM, _("out of memory"));
			return;
		}
		if (target[0] == '/')
			snprintf(r->refs[i].target, n, "%s", target + 1);
		else
			snprintf(r->refs[i].target, n, "xl/%s", target);
	}
}

static void on_start(void *arg, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes)
{
	struct rd *r = arg;
	const char *n = (const char *)localname;
	struct atts at = {.a = attributes, .n = nb_attributes};
	struct atts *atts = &at;

	(void)prefix, (void)uri, (void)nb_namespaces, (void)namespaces, (void)nb_defaulted;
	if (r->rc != GT_OK)
		return;

	switch (r->kind) {
	case PART_WORKBOOK:
		workbook_start(r, n, atts);
		break;
	case PART_RELS:
		rels_start(r, n, atts);
		break;
	case PART_STRINGS:
		strings_start(r, n);
		break;
	case PART_SHEET:
		sheet_start(r, n, atts);
		break;
	}
}

static void on_end(void *arg, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct rd *r = arg;
	const char *n = (const char *)localname;

	(void)prefix, (void)uri;
	if (r->rc != GT_OK)
		return;
	if (r->kind == PART_STRINGS)
		strings_end(r, n);
	else if (r->kind == PART_SHEET)
		sheet_end(r, n);
}

static void on_doctype(void *arg, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
	(void)name, (void)external_id, (void)system_id;
	fail(arg, GT_EINVAL, "%s",
	     _("a part of the file declares a document type, which a workbook never does"));
}

/* Records a well-formedness failure of part name with libxml2's line and message. */
static void xml_failed(struct rd *r, const char *name)
{
	const xmlError *e = xmlCtxtGetLastError(r->p);
	char msg[160] = "";

	if (r->rc != GT_OK)
		return;
	if (e != NULL && e->message != NULL) {
		snprintf(msg, sizeof(msg), "%s", e->message);
		msg[strcspn(msg, "\n")] = '\0';
	}
	fail(r, GT_EINVAL, _("%s is not well-formed XML (line %lu): %s"), name,
	     (unsigned long)(e != NULL && e->line > 0 ? e->line : 0), msg);
}

/* Reads the part name of zip z through libxml2 as kind. A missing part is GT_ENOENT (no error
 * set) when optional. */
static int read_part(struct rd *r, zip_t *z, const char *name, enum part_kind kind, int optional)
{
	zip_file_t *zf = NULL;
	xmlSAXHandler sax;
	char *chunk = NULL;
	size_t total = 0;
	zip_int64_t n = 0;

	r->kind = kind;
	if (zip_name_locate(z, name, 0) < 0) {
		if (optional)
			return GT_ENOENT;
		fail(r, GT_EINVAL, _("the file has no %s: it is not an Excel workbook"), name);
		return r->rc;
	}
	chunk = malloc(XLSX_CHUNK);
	if (chunk == NULL) {
		fail(r, GT_ENOMEM, _("out of memory"));
		goto out;
	}
	if ((zf = zip_fopen(z, name, 0)) == NULL) {
		fail(r, GT_EINVAL, _("cannot open %s inside the file: %s"), name, zip_strerror(z));
		goto out;
	}
	/* The SAX2 callbacks only: no tree is built, nothing is fetched from the network, a
	 * document type declaration stops the parse before any entity can be declared (so
	 * XML_PARSE_NOENT, which attribute values need to arrive decoded, only ever replaces the
	 * five predefined entities and character references), and errors are read from the
	 * context after each chunk rather than printed (XML_PARSE_NOERROR). */
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	sax.cdataBlock = on_text;
	sax.internalSubset = on_doctype;
	r->p = xmlCreatePushParserCtxt(&sax, r, NULL, 0, name);
	if (r->p == NULL) {
		fail(r, GT_ENOMEM, _("out of memory"));
		goto out;
	}
	xmlCtxtUseOptions(r->p, XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_NOERROR |
	                            XML_PARSE_NOWARNING);
	while (r->rc == GT_OK && (n = zip_fread(zf, chunk, XLSX_CHUNK)) > 0) {
		if ((size_t)n > GT_XLSX_MAX_PART - total) {
			fail(r, GT_ETOOBIG, _("%s is larger than %u bytes once unpacked"), name,
			     GT_XLSX_MAX_PART);
			break;
		}
		total += (size_t)n;
		if (xmlParseChunk(r->p, chunk, (int)n, 0) != 0)
			xml_failed(r, name);
	}
	if (r->rc == GT_OK && n < 0)
		fail(r, GT_EINVAL, _("cannot unpack %s: %s"), name, zip_file_strerror(zf));
	if (r->rc == GT_OK && (xmlParseChunk(r->p, chunk, 0, 1) != 0 || !r->p->wellFormed))
		xml_failed(r, name);
out:
	if (zf != NULL)
		zip_fclose(zf);
	if (r->p != NULL)
		xmlFreeParserCtxt(r->p);
	r->p = NULL;
	free(chunk);
	return r->rc;
}

static int cell_order(const void *a, const void *b)
{
	const struct gt_xlsx_cell *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

/* Sorts the sheet's cells and keeps the last of cells written twice at one place. */
static void tidy_sheet(struct gt_xlsx_sheet *s)
{
	size_t out = 0;

	qsort(s->cells, s->ncells, sizeof(*s->cells), cell_order);
	for (size_t i = 0; i < s->ncells; i++) {
		if (out > 0 && s->cells[out - 1].row == s->cells[i].row &&
		    s->cells[out - 1].col == s->cells[i].col) {
			free(s->cells[out - 1].text);
			s->cells[out - 1] = s->cells[i];
			continue;
		}
		s->cells[out++] = s->cells[i];
	}
	s->ncells = out;
}

/* Whether the zip container is an OpenDocument spreadsheet (LibreOffice's .ods): its first
 * entry "mimetype" names the type. */
static int is_ods(zip_t *z)
{
	static const char ods[] = "application/vnd.oasis.opendocument.spreadsheet";
	char type[sizeof(ods)] = "";
	zip_file_t *f;
	zip_int64_t n;

	if (zip_name_locate(z, "mimetype", 0) < 0 || (f = zip_fopen(z, "mimetype", 0)) == NULL)
		return 0;
	n = zip_fread(f, type, sizeof(type) - 1);
	zip_fclose(f);
	return n == (zip_int64_t)(sizeof(ods) - 1) && memcmp(type, ods, sizeof(ods) - 1) == 0;
}

/* Opens buf as a zip container into *z, refusing what is not one and an OpenDocument
 * spreadsheet with a sentence. */
static int open_zip(struct rd *r, const uint8_t *buf, size_t len, zip_t **z)
{
	zip_source_t *src = NULL;
	zip_error_t ze;

	*z = NULL;
	zip_error_init(&ze);
	if (!gt_xlsx_is_zip(buf, len) ||
	    (src = zip_source_buffer_create(buf, len, 0, &ze)) == NULL ||
	    (*z = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL) {
		fail(r, GT_EINVAL, _("the file is not a zip container, so not an .xlsx workbook"));
		zip_error_fini(&ze);
		if (src != NULL)
			zip_source_free(src);
		return r->rc;
	}
	zip_error_fini(&ze);
	if (is_ods(*z)) {
		fail(
		    r, GT_EINVAL, "%s",
		    _("this is an OpenDocument spreadsheet (.ods, LibreOffice's own format), which "
		      "gtsync does not read: in LibreOffice choose File > Save As and save it as "
		      "an "
		      "Excel workbook (.xlsx) or as CSV (UTF-8), then import that file"));
		return r->rc;
	}
	return GT_OK;
}

/* Reads every sheet the workbook lists, in its order, into x->sheets. */
static int read_sheets(struct rd *r, zip_t *z)
{
	struct gt_xlsx *x = r->x;
	int rc;

	x->sheets = calloc(r->nrefs ? r->nrefs : 1, sizeof(*x->sheets));
	if (x->sheets == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < r->nrefs; i++) {
		struct gt_xlsx_sheet *s = &x->sheets[x->nsheets++];
		s->name = r->refs[i].name;
		r->refs[i].name = NULL;
		if (r->refs[i].target == NULL) {
			fail(r, GT_EINVAL, _("sheet '%s' has no part in the file"), s->name);
			return r->rc;
		}
		r->sheet = s;
		r->cells_cap = 0;
		r->have_row = 0;
		r->in_cell = r->in_v = r->in_is = r->in_rph = r->gather = 0;
		if ((rc = read_part(r, z, r->refs[i].target, PART_SHEET, 0)) != GT_OK)
			return rc;
		tidy_sheet(s);
	}
	return GT_OK;
}

/* Frees the reader (not what it read into x). Accepts NULL. */
static void rd_free(struct rd *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nsst; i++)
		free(r->sst[i]);
	free(r->sst);
	for (size_t i = 0; r->refs != NULL && i < r->nrefs; i++) {
		free(r->refs[i].name);
		free(r->refs[i].rid);
		free(r->refs[i].target);
	}
	free(r->refs);
	free(r);
}

int gt_xlsx_read(const uint8_t *buf, size_t len, struct gt_xlsx *x)
{
	struct rd *r = NULL;
	zip_t *z = NULL;
	int rc;

	memset(x, 0, sizeof(*x));
	if (len > GT_XLSX_MAX_INPUT) {
		snprintf(x->err, sizeof(x->err), "the file is larger than %u bytes",
		         GT_XLSX_MAX_INPUT);
		return GT_ETOOBIG;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return GT_ENOMEM;
	r->x = x;
	r->refs = calloc(GT_XLSX_MAX_SHEETS, sizeof(*r->refs));
	if (r->refs == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	if ((rc = open_zip(r, buf, len, &z)) != GT_OK)
		goto out;
	if ((rc = read_part(r, z, "xl/workbook.xml", PART_WORKBOOK, 0)) != GT_OK)
		goto out;
	if ((rc = read_part(r, z, "xl/_rels/workbook.xml.rels", PART_RELS, 0)) != GT_OK)
		goto out;
	rc = read_part(r, z, "xl/sharedStrings.xml", PART_STRINGS, 1);
	if (rc != GT_OK && rc != GT_ENOENT)
		goto out;
	rc = read_sheets(r, z);
out:
	if (z != NULL)
		zip_discard(z);
	if (rc == GT_OK && r != NULL)
		rc = r->rc;
	rd_free(r);
	return rc;
}
