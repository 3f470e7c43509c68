/* The report formats: a table of {name, renderer}, above the renderers and the report model. */
#include "render.h"

#include <string.h>

#include "csvreport.h"
#include "error.h"
#include "html.h"
#include "i18n.h"
#include "jsonreport.h"
#include "tablereport.h"
#include "textreport.h"

/* The formats, the default first. */
static const struct gt_render_format formats[] = {
    {"table", N_("a table for the terminal: a row per element and option, a column per child"),
     gt_table_report},
    {"text", N_("the chair's report for a terminal or a printer"), gt_text_report},
    {"html", N_("the chair's report as one page to open and print"), gt_html_report},
    {"csv", N_("one line per value, for spreadsheets"), gt_csv_report},
    {"json", N_("the whole report"), gt_json_report},
    {"dhis2", N_("a DHIS2 dataValueSets document of the totals"), gt_dhis2_report},
};

#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

const struct gt_render_format *gt_render_format_find(const char *name)
{
	if (name == NULL)
		return &formats[0];
	for (size_t i = 0; i < N_FORMATS; i++)
		if (strcmp(name, formats[i].name) == 0)
			return &formats[i];
	return NULL;
}

const struct gt_render_format *gt_render_format_at(size_t i)
{
	return i < N_FORMATS ? &formats[i] : NULL;
}

void gt_render_format_list(char *buf, size_t len, int with_help)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < N_FORMATS && used < len; i++) {
		const char *sep = i == 0 ? "" : i + 1 == N_FORMATS ? _(" or ") : ", ";
		int n = with_help ? snprintf(buf + used, len - used, "%s%s (%s)", sep,
		                             formats[i].name, _(formats[i].help))
		                  : snprintf(buf + used, len - used, "%s%s", sep, formats[i].name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int gt_render_report(FILE *out, const Gtsync__V1__ReportReply *rep, const struct gt_meta *meta,
                     const struct gt_rmodel_names *names, const struct gt_render_format *f)
{
	int rc;

	if (f == NULL || f->render == NULL)
		return GT_EINVAL;
	rc = f->render(out, rep, meta, names);
	if (rc == GT_OK && (fflush(out) != 0 || ferror(out)))
		rc = GT_EIO;
	return rc;
}
