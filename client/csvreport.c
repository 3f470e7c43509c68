/* The report as CSV: one line per value of the totals and of each child, for spreadsheets. */
#include "csvreport.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Whether s is a plain decimal number: an optional sign, digits with an optional fraction, an
 * optional exponent, nothing else. A spreadsheet reads it as a number, never as a formula. */
static int plain_number(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int digits = 0;

	if (*p == '-' || *p == '+')
		p++;
	for (; isdigit(*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit(*p); p++)
			digits++;
	if (digits == 0)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit(*p))
			return 0;
		while (isdigit(*p))
			p++;
	}
	return *p == '\0';
}

/* Whether a spreadsheet would take s as a formula (or a DDE call) when it opens the file. */
static int formula_start(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL && !plain_number(s);
}

void gt_csvreport_field(FILE *out, const char *s)
{
	size_t n;
	int formula;

	if (s == NULL)
		return;
	n = strlen(s);
	formula = formula_start(s);
	if (!formula && strpbrk(s, ",\"\r\n") == NULL &&
	    !(n > 0 && (s[0] == ' ' || s[n - 1] == ' ' || s[0] == '\t' || s[n - 1] == '\t'))) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

/* One line per value of vals, for org unit org. */
static void values(FILE *out, const Gtsync__V1__ReportReply *rep, const char *org,
                   Gtsync__V1__ReportValue *const *vals, size_t n, const struct gt_rmodel_row *rows,
                   size_t nrows)
{
	char num[GT_RMODEL_NUM_LEN];

	for (size_t i = 0; i < nrows; i++) {
		const Gtsync__V1__ReportValue *v = gt_rmodel_value(vals, n, &rows[i]);
		if (v == NULL)
			continue;
		gt_csvreport_field(out, rows[i].element);
		fputc(',', out);
		gt_csvreport_field(out, gt_rmodel_str(rep->period));
		fputc(',', out);
		gt_csvreport_field(out, org);
		fputc(',', out);
		gt_csvreport_field(out, rows[i].coc);
		fputc(',', out);
		gt_csvreport_field(out, gt_rmodel_value_text(v, num));
		fprintf(out, ",%" PRIu32 ",", v->count);
		gt_csvreport_field(out, gt_rmodel_str(v->comment));
		fputc('\n', out);
	}
}

int gt_csv_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                  const struct gt_rmodel_names *names)
{
	struct gt_rmodel_row *rows = NULL;
	size_t nrows = 0;
	int rc;
	(void)names;

	if ((rc = gt_rmodel_rows(rep, meta, &rows, &nrows)) != GT_OK)
		return rc;
	fprintf(out, "dataelement,period,orgunit,categoryoptioncombo,value,count,comment\n");
	values(out, rep, gt_rmodel_str(rep->org_unit), rep->totals, rep->n_totals, rows, nrows);
	for (size_t c = 0; c < rep->n_children; c++)
		values(out, rep, gt_rmodel_str(rep->children[c]->org_unit),
		       rep->children[c]->values, rep->children[c]->n_values, rows, nrows);
	free(rows);
	return GT_OK;
}
