/* Times the DHIS2 export's writer on a national year of values (552 units x 12 months x the
 * KK form) streamed chunk by chunk, against a baseline that builds the same document whole in
 * memory first, in the same invocation; prints time and the peak resident memory of each. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchdata.h"
#include "dhis2export.h"
#include "error.h"
#include "jsonout.h"

#define UNITS    552
#define MONTHS   12
#define PER_FORM 40 /* values of one unit and month: the KK form's elements and options */
#define CHUNK    5000

/* Fills value number i of the national year into the chunk's slot. */
static void make_value(size_t i, Gtsync__V1__ExportedValue *ev, Gtsync__V1__DataValue *dv,
                       char (*s)[32])
{
	size_t unit = i / (MONTHS * PER_FORM), month = (i / PER_FORM) % MONTHS, k = i % PER_FORM;

	snprintf(s[0], 32, "KK_E%02zu", k / 4);
	snprintf(s[1], 32, "2024%02zu", month + 1);
	snprintf(s[2], 32, "%02zu.%02zu", 11 + unit / 30, 1 + unit % 30);
	snprintf(s[3], 32, "%s", (const char *[]){"PD", "AP", "LD", "AL"}[k % 4]);
	snprintf(s[4], 32, "%zu", (i * 7919) % 97);
	dv->data_element = s[0];
	dv->period = s[1];
	dv->org_unit = s[2];
	dv->category_option_combo = s[3];
	dv->value = s[4];
	dv->comment = (char *)(k == 0 ? "dilaporkan oleh sekretariat kabupaten" : "");
	ev->value = dv;
	ev->stored_by = (char *)"0123456789abcdef";
	ev->created_at_ms = 1717200000000 + (int64_t)i;
	ev->updated_at_ms = ev->created_at_ms;
}

static long peak_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* The streamed writer: chunks of CHUNK values, each dropped after writing. */
static int streamed(FILE *out, size_t total)
{
	static Gtsync__V1__ExportedValue ev[CHUNK];
	static Gtsync__V1__ExportedValue *evp[CHUNK];
	static Gtsync__V1__DataValue dv[CHUNK];
	static char strs[CHUNK][5][32];
	struct gt_dhis2w *w;
	int rc = gt_dhis2w_open(out, GT_DHIS2_SCHEME_CODE, &w);

	for (size_t at = 0; rc == GT_OK && at < total; at += CHUNK) {
		Gtsync__V1__ExportChunk c = GTSYNC__V1__EXPORT_CHUNK__INIT;
		size_t n = total - at < CHUNK ? total - at : CHUNK;
		for (size_t i = 0; i < n; i++) {
			gtsync__v1__exported_value__init(&ev[i]);
			gtsync__v1__data_value__init(&dv[i]);
			make_value(at + i, &ev[i], &dv[i], strs[i]);
			evp[i] = &ev[i];
		}
		c.values = evp;
		c.n_values = n;
		rc = gt_dhis2w_chunk(w, &c);
	}
	int crc = gt_dhis2w_close(w);
	return rc != GT_OK ? rc : crc;
}

/* The baseline: every value an object of one jansson document, written at the end. */
static int whole(FILE *out, size_t total)
{
	json_t *doc = json_object(), *arr = json_array();
	int rc = doc && arr ? GT_OK : GT_ENOMEM;

	for (size_t i = 0; i < total && rc == GT_OK; i++) {
		Gtsync__V1__ExportedValue ev = GTSYNC__V1__EXPORTED_VALUE__INIT;
		Gtsync__V1__DataValue dv = GTSYNC__V1__DATA_VALUE__INIT;
		char s[5][32];
		json_t *o = json_object();
		make_value(i, &ev, &dv, s);
		if (o == NULL)
			rc = GT_ENOMEM;
		if (rc == GT_OK)
			rc = gt_jsonout_set(o, "dataElement", gt_jsonout_string(dv.data_element));
		if (rc == GT_OK)
			rc = gt_jsonout_set(o, "period", gt_jsonout_string(dv.period));
		if (rc == GT_OK)
			rc = gt_jsonout_set(o, "orgUnit", gt_jsonout_string(dv.org_unit));
		if (rc == GT_OK)
			rc = gt_jsonout_set(o, "categoryOptionCombo",
			                    gt_jsonout_string(dv.category_option_combo));
		if (rc == GT_OK)
			rc = gt_jsonout_set(o, "value", gt_jsonout_string(dv.value));
		if (rc == GT_OK)
			rc = gt_jsonout_set(o, "storedBy", gt_jsonout_string(ev.stored_by));
		if (rc == GT_OK)
			rc = gt_jsonout_set(o, "comment", gt_jsonout_string(dv.comment));
		if (rc == GT_OK)
			rc = gt_jsonout_append(arr, o);
		else
			json_decref(o);
	}
	if (rc == GT_OK)
		rc = gt_jsonout_set(doc, "dataValues", arr);
	else
		json_decref(arr);
	if (rc == GT_OK)
		rc = gt_jsonout_dump(out, doc, 0);
	json_decref(doc);
	return rc;
}

/* Runs one way in a child process (so each has its own peak) and prints its figures. */
static int measure(const char *name, int (*fn)(FILE *, size_t), size_t total, double *ms, long *kib)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds) != 0)
		return GT_EIO;
	pid = fork();
	if (pid < 0)
		return GT_EIO;
	if (pid == 0) {
		FILE *out = fopen("/dev/null", "w");
		uint64_t t0 = gt_bench_now_us();
		int rc = out ? fn(out, total) : GT_EIO;
		double took = (double)(gt_bench_now_us() - t0) / 1000.0;
		long peak = peak_rss_kib();
		if (out)
			fclose(out);
		if (write(fds[1], &took, sizeof(took)) != sizeof(took) ||
		    write(fds[1], &peak, sizeof(peak)) != sizeof(peak))
			_exit(2);
		_exit(rc == GT_OK ? 0 : 1);
	}
	close(fds[1]);
	int status = 0, ok = read(fds[0], ms, sizeof(*ms)) == sizeof(*ms) &&
	                     read(fds[0], kib, sizeof(*kib)) == sizeof(*kib);
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "export_bench: %s failed\n", name);
		return GT_EIO;
	}
	return GT_OK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	size_t total = (size_t)UNITS * MONTHS * PER_FORM;
	int reps = argc > 1 ? atoi(argv[1]) : 3;
	double ms_s[16], ms_w[16];
	long kib_s = 0, kib_w = 0;

	if (reps < 1 || reps > 16) {
		fprintf(stderr, "usage: export_bench [REPEATS 1..16]\n");
		return 2;
	}
	for (int r = 0; r < reps; r++) {
		long k;
		if (measure("streamed", streamed, total, &ms_s[r], &k) != GT_OK)
			return 1;
		kib_s = k > kib_s ? k : kib_s;
		if (measure("whole", whole, total, &ms_w[r], &k) != GT_OK)
			return 1;
		kib_w = k > kib_w ? k : kib_w;
	}
	qsort(ms_s, (size_t)reps, sizeof(double), cmp_double);
	qsort(ms_w, (size_t)reps, sizeof(double), cmp_double);
	printf("values=%zu repeats=%d\n", total, reps);
	printf("streamed_median_ms=%.1f streamed_peak_rss_kib=%ld\n", ms_s[reps / 2], kib_s);
	printf("whole_median_ms=%.1f whole_peak_rss_kib=%ld\n", ms_w[reps / 2], kib_w);
	printf("time_ratio_streamed_vs_whole=%.2f rss_ratio_streamed_vs_whole=%.3f\n",
	       ms_s[reps / 2] / ms_w[reps / 2], (double)kib_s / (double)kib_w);
	return 0;
}
