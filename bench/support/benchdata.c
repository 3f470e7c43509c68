/* What the benchmarks share: deterministic keys, the units clients act for, value workloads. */
#define _GNU_SOURCE
#include "benchdata.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "error.h"
#include "fileio.h"
#include "orgcsv.h"
#include "period.h"
#include "vec.h"
#include "wire.h"

int gt_bench_key(const char *seed, const char *kind, uint32_t index, struct gt_key **out)
{
	struct gt_crypto_sha256 *h = NULL;
	uint8_t raw[GT_SHA256_LEN], be[4];
	int rc;

	*out = NULL;
	be[0] = (uint8_t)(index >> 24);
	be[1] = (uint8_t)(index >> 16);
	be[2] = (uint8_t)(index >> 8);
	be[3] = (uint8_t)index;
	if ((rc = gt_crypto_sha256_init(&h)) != GT_OK)
		return rc;
	rc = gt_crypto_sha256_update(h, "gtsync-bench-key", sizeof("gtsync-bench-key"));
	if (rc == GT_OK)
		rc = gt_crypto_sha256_update(h, seed, strlen(seed) + 1);
	if (rc == GT_OK)
		rc = gt_crypto_sha256_update(h, kind, strlen(kind) + 1);
	if (rc == GT_OK)
		rc = gt_crypto_sha256_update(h, be, sizeof(be));
	if (rc == GT_OK)
		rc = gt_crypto_sha256_final(h, raw);
	gt_crypto_sha256_free(h);
	if (rc == GT_OK)
		rc = gt_key_from_private_raw(raw, out);
	gt_crypto_wipe(raw, sizeof(raw));
	return rc;
}

/* ---- Org units ---- */

static int read_csv(const char *path, struct gt_orgcsv *csv)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	memset(csv, 0, sizeof(*csv));
	rc = gt_file_read(path, GT_ORGCSV_MAX_INPUT, &buf, &len);
	if (rc != GT_OK) {
		fprintf(stderr, "%s: %s\n", path, gt_strerror(rc));
		return rc;
	}
	rc = gt_orgcsv_parse(buf, len, csv);
	free(buf);
	if (rc != GT_OK && csv->n_errors > 0)
		fprintf(stderr, "%s:%lu: %s\n", path, csv->errors[0].line, csv->errors[0].msg);
	else if (rc != GT_OK)
		fprintf(stderr, "%s: %s\n", path, gt_strerror(rc));
	return rc;
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

int gt_bench_units_read(const char *csv_path, enum gt_bench_which which, struct gt_bench_units *out)
{
	struct gt_orgcsv csv;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = read_csv(csv_path, &csv);
	if (rc != GT_OK)
		goto out;
	out->codes = calloc(csv.n_rows ? csv.n_rows : 1, sizeof(*out->codes));
	if (out->codes == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < csv.n_rows; i++) {
		const struct gt_orgcsv_row *r = &csv.rows[i];
		if (which == GT_BENCH_DISTRICTS && r->level != GT_ORGUNIT_LEVEL_DISTRICT)
			continue;
		memcpy(out->codes[out->n++], r->code, GT_ORGUNIT_MAX_LEN);
	}
	qsort(out->codes, out->n, sizeof(*out->codes), cmp_code);
out:
	gt_orgcsv_free(&csv);
	if (rc != GT_OK)
		gt_bench_units_free(out);
	return rc;
}

void gt_bench_units_free(struct gt_bench_units *u)
{
	if (u == NULL)
		return;
	free(u->codes);
	memset(u, 0, sizeof(*u));
}

/* Writes one CSV field, quoted when it holds a comma, quote or line break. */
static void put_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int gt_bench_units_write(const char *real_path, size_t min_districts, const char *out_path,
                         size_t *districts)
{
	struct gt_orgcsv csv;
	char provinces[100][GT_ORGUNIT_MAX_LEN];
	size_t nprov = 0, ndist = 0;
	FILE *f = NULL;
	int fd = -1, rc;

	if (districts != NULL)
		*districts = 0;
	rc = read_csv(real_path, &csv);
	if (rc != GT_OK)
		goto out;
	fd = open(out_path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = fd < 0 ? GT_EEXIST : GT_EIO;
		fprintf(stderr, "%s: cannot create (it must not exist)\n", out_path);
		goto out;
	}
	fd = -1;
	fputs("code,name,level\n", f);
	for (size_t i = 0; i < csv.n_rows; i++) {
		const struct gt_orgcsv_row *r = &csv.rows[i];
		int prov = r->level == GT_ORGUNIT_LEVEL_PROVINCE;

		fprintf(f, "%s,", r->code);
		put_field(f, r->name);
		fprintf(f, ",%s\n", prov ? "province" : "district");
		if (prov && nprov < 100)
			memcpy(provinces[nprov++], r->code, GT_ORGUNIT_MAX_LEN);
		ndist += !prov;
	}
	/* Synthetic districts: PP.41..PP.69 are unused by the real list. */
	for (int dd = 41; dd <= 69 && ndist < min_districts; dd++) {
		for (size_t p = 0; p < nprov && ndist < min_districts; p++) {
			char code[16];
			snprintf(code, sizeof(code), "%s.%02d", provinces[p], dd);
			if (gt_orgcsv_find(&csv, code) != NULL)
				continue;
			fprintf(f, "%s,Kabupaten Sintetis %s,district\n", code, code);
			ndist++;
		}
	}
	if (ndist < min_districts) {
		fprintf(stderr, "at most %zu districts can be made\n", ndist);
		rc = GT_ETOOBIG;
	}
	if (districts != NULL)
		*districts = ndist;
out:
	if (f != NULL && fclose(f) != 0 && rc == GT_OK)
		rc = GT_EIO;
	if (fd >= 0)
		close(fd);
	if (rc != GT_OK && f != NULL)
		unlink(out_path);
	gt_orgcsv_free(&csv);
	return rc;
}

/* ---- Workloads ---- */

static int add_slot(struct gt_bench_work *w, size_t *cap, const struct gt_meta_dataset *ds,
                    const struct gt_meta_element *e, const struct gt_meta_option *o,
                    const char *period)
{
	struct gt_bench_slot *s;

	if (GT_VEC_RESERVE(w->slots, *cap, w->nslots + 1) != 0)
		return GT_ENOMEM;
	s = &w->slots[w->nslots++];
	memset(s, 0, sizeof(*s));
	s->dataset = ds->code;
	s->element = e->code;
	s->coc = o->code;
	snprintf(s->period, sizeof(s->period), "%s", period);
	s->type = e->type;
	s->max_length = e->max_length;
	return GT_OK;
}

/* Adds the slots of data set ds whose period ends in month m of year y. */
static int add_month(struct gt_bench_work *w, size_t *cap, const struct gt_meta_dataset *ds, int y,
                     int m)
{
	struct gt_date d = {y, m, 1}, end;
	struct gt_period p;
	char id[GT_PERIOD_MAX_LEN + 1];
	int rc;

	if (gt_period_from_date(ds->period_type, &d, &p) != GT_OK ||
	    gt_period_end(&p, &end) != GT_OK || gt_period_format(&p, id, sizeof(id)) != GT_OK)
		return GT_EINVAL;
	if (end.month != m)
		return GT_OK;
	for (size_t i = 0; i < ds->nelements; i++) {
		const struct gt_meta_element *e = ds->elements[i];
		for (size_t k = 0; k < e->combo->noptions; k++)
			if ((rc = add_slot(w, cap, ds, e, &e->combo->options[k], id)) != GT_OK)
				return rc;
	}
	return GT_OK;
}

int gt_bench_work_new(const char *metadata_dir, const char *datasets, int last_year, int years,
                      struct gt_bench_work **out)
{
	const struct gt_meta_dataset *sets[32];
	struct gt_meta_errors errs;
	struct gt_bench_work *w;
	size_t nsets = 0, cap = 0;
	char *list = NULL, *save = NULL;
	int rc;

	*out = NULL;
	if (years < 1 || last_year - years + 1 < GT_PERIOD_YEAR_MIN || last_year > 9999)
		return GT_EINVAL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return GT_ENOMEM;
	rc = gt_meta_load_dir(metadata_dir, &w->meta, &errs);
	if (rc != GT_OK) {
		fprintf(stderr, "%s: %s\n", metadata_dir,
		        errs.count ? errs.items[0].text : gt_strerror(rc));
		gt_meta_errors_clear(&errs);
		goto fail;
	}
	list = strdup(datasets);
	if (list == NULL) {
		rc = GT_ENOMEM;
		goto fail;
	}
	for (char *t = strtok_r(list, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		const struct gt_meta_dataset *ds = gt_meta_dataset_find(w->meta, t);
		if (ds == NULL || nsets == 32) {
			fprintf(stderr, "data set '%s' is not in %s\n", t, metadata_dir);
			rc = GT_EINVAL;
			goto fail;
		}
		sets[nsets++] = ds;
	}
	if (nsets == 0) {
		rc = GT_EINVAL;
		goto fail;
	}
	for (int y = last_year; y > last_year - years; y--)
		for (int m = 1; m <= 12; m++)
			for (size_t i = 0; i < nsets; i++)
				if ((rc = add_month(w, &cap, sets[i], y, m)) != GT_OK)
					goto fail;
	if (w->nslots == 0) {
		rc = GT_EINVAL;
		goto fail;
	}
	w->per_month = w->nslots / ((size_t)years * 12);
	if (w->per_month == 0)
		w->per_month = 1;
	free(list);
	*out = w;
	return GT_OK;
fail:
	free(list);
	gt_bench_work_free(w);
	return rc;
}

void gt_bench_work_free(struct gt_bench_work *w)
{
	if (w == NULL)
		return;
	gt_meta_free(w->meta);
	free(w->slots);
	free(w);
}

void gt_bench_value(const struct gt_bench_slot *s, size_t idx, uint64_t seq, char *buf, size_t len)
{
	uint64_t x = (seq * 2654435761u + idx * 40503u) >> 4;

	switch (s->type) {
	case GT_META_TYPE_BOOL:
		snprintf(buf, len, "%s", (x & 1) ? "true" : "false");
		break;
	case GT_META_TYPE_TEXT:
		snprintf(buf, len, "%.*s", s->max_length < 24 ? (int)s->max_length : 24,
		         (x & 1) ? "rapat tertunda" : "tidak ada kendala");
		break;
	case GT_META_TYPE_NUMBER:
		snprintf(buf, len, "%llu.5", (unsigned long long)(x % 1000));
		break;
	default:
		snprintf(buf, len, "%llu", (unsigned long long)(x % 20));
		break;
	}
}

/* ---- Batches ---- */

int gt_bench_batch_build(const struct gt_bench_work *w, const struct gt_key *k, const char *key_id,
                         const char *org, uint64_t seq, size_t first, size_t count,
                         struct gt_bench_batch *out)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue *dv = NULL, **dvp = NULL;
	char(*vals)[32] = NULL;
	uint8_t id[GT_BATCH_ID_LEN];
	int rc;

	memset(out, 0, sizeof(*out));
	if (count == 0 || count > GT_DEFAULT_MAX_VALUES_PER_BATCH)
		return GT_EINVAL;
	dv = calloc(count, sizeof(*dv));
	dvp = calloc(count, sizeof(*dvp));
	vals = calloc(count, sizeof(*vals));
	if (dv == NULL || dvp == NULL || vals == NULL) {
		rc = GT_ENOMEM;
		goto out;
	}
	if ((rc = gt_crypto_random(id, sizeof(id))) != GT_OK)
		goto out;
	b.format_version = 1;
	b.batch_id.data = id;
	b.batch_id.len = sizeof(id);
	b.key_id = (char *)key_id;
	b.org_unit = (char *)org;
	b.sequence = seq;
	b.created_at_ms = (int64_t)time(NULL) * 1000;
	b.software = "gtsync-loadgen/0.1.0";
	for (size_t i = 0; i < count; i++) {
		size_t idx = (first + i) % w->nslots;
		const struct gt_bench_slot *s = &w->slots[idx];

		gtsync__v1__data_value__init(&dv[i]);
		gt_bench_value(s, idx, seq, vals[i], sizeof(vals[i]));
		dv[i].data_element = (char *)s->element;
		dv[i].period = (char *)s->period;
		dv[i].org_unit = (char *)org;
		dv[i].category_option_combo = (char *)s->coc;
		dv[i].value = vals[i];
		dv[i].revision = seq;
		dv[i].dataset = (char *)s->dataset;
		dvp[i] = &dv[i];
	}
	b.values = dvp;
	b.n_values = count;
	if ((rc = gt_wire_batch_pack(&b, &out->bytes, &out->len)) != GT_OK)
		goto out;
	if ((rc = gt_key_sign(k, out->bytes, out->len, out->sig)) != GT_OK) {
		free(out->bytes);
		memset(out, 0, sizeof(*out));
		goto out;
	}
	out->seq = seq;
	out->nvalues = (uint32_t)count;
out:
	free(dv);
	free(dvp);
	free(vals);
	return rc;
}

/* ---- Statistics ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void gt_bench_sort_u64(uint64_t *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t gt_bench_percentile(const uint64_t *sorted, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	/* Nearest rank: the smallest value with at least p% of the values at or below it. */
	rank = (size_t)((p / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

uint64_t gt_bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
