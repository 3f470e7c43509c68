/* Times the dashboard's pages (server side: cache read, unpack, render) on a client store that
 * caches the reports of all 552 units (38 provinces, 514 districts) for a year of KK and LY. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "benchdata.h"
#include "cstore.h"
#include "cstore_dash.h"
#include "dashpage.h"
#include "error.h"
#include "i18n.h"
#include "metadata.h"
#include "vec.h"
#include "verify.h"

#define PROVINCES 38
#define DISTRICTS 514
/* Timed renders of each page. */
#define RUNS 60

struct bench {
	struct gt_cstore *st;
	struct gt_meta *meta;
	uint64_t cache_us; /* time in the cache (read and unpack), for the baseline */
	/* The provenance page: a verification of the national report kept in memory, and the
	 * figure the timed page asks for (NULL: every figure). */
	struct gt_verify_result prov;
	const char *element, *unit;
};

/* The provenance page's way to its verification, as the dashboard's once one has run. */
static int prov(void *arg, const struct gt_cstore_dash_key *k, struct gt_dashpage_prov *out)
{
	struct bench *b = arg;
	(void)k;

	memset(out, 0, sizeof(*out));
	out->res = &b->prov;
	out->verified = 1;
	out->done_ms = 1764800000000;
	out->said = "";
	out->failed_why = "";
	return GT_OK;
}

/* A verification of KK for 2025 at ID as the dashboard keeps it: every district's twelve
 * monthly batches, each with one value per (element, option) of the data set, all counting. */
static int make_prov(struct bench *b, const struct gt_meta_dataset *ds, char (*dist)[16],
                     size_t ndist)
{
	struct gt_verify_result *r = &b->prov;
	size_t per = 0, capl = 0, capv = 0;

	for (size_t e = 0; e < ds->nelements; e++)
		if (ds->elements[e]->aggregation == GT_META_AGG_SUM)
			per += ds->elements[e]->combo->noptions;
	if (GT_VEC_RESERVE(r->list, capl, ndist * 12) != GT_OK ||
	    GT_VEC_RESERVE(r->values, capv, ndist * 12 * per) != GT_OK)
		return GT_ENOMEM;
	for (size_t d = 0; d < ndist; d++)
		for (int m = 0; m < 12; m++) {
			struct gt_verify_batch *bt = &r->list[r->nlist];
			memset(bt, 0, sizeof(*bt));
			bt->leaf = r->nlist * 2 + 1;
			bt->sequence = (uint64_t)m + 1;
			bt->created_ms = 1735689600000 + (int64_t)m * 2592000000;
			snprintf(bt->org, sizeof(bt->org), "%s", dist[d]);
			snprintf(bt->key_id, sizeof(bt->key_id), "%016zx", d);
			bt->roles = 1u << GTSYNC__V1__ROLE__ROLE_OPERATOR;
			bt->signature_ok = bt->included = 1;
			for (size_t e = 0; e < ds->nelements; e++) {
				const struct gt_meta_element *el = ds->elements[e];
				if (el->aggregation != GT_META_AGG_SUM)
					continue;
				for (size_t o = 0; o < el->combo->noptions; o++) {
					struct gt_verify_value *v = &r->values[r->nvalues++];
					v->element = strdup(el->code);
					v->coc = strdup(el->combo->options[o].code);
					if (v->element == NULL || v->coc == NULL)
						return GT_ENOMEM;
					snprintf(v->org, sizeof(v->org), "%s", dist[d]);
					v->number = (double)((d + e + o) % 7);
					v->batch = r->nlist;
					v->won = 1;
				}
			}
			bt->nvalues = bt->nwon = per;
			r->nlist++;
		}
	r->batches = r->nlist;
	r->units = ndist;
	r->tree_size = r->nlist * 2 + 1;
	r->victims_found = 1;
	return GT_OK;
}

/* The page's way to a report, as the dashboard's (without asking the server). */
static int get(void *arg, const struct gt_cstore_dash_key *k, int wait,
               Gtsync__V1__ReportReply **rep, int64_t *at, char *err, size_t err_len)
{
	struct bench *b = arg;
	uint8_t *bytes = NULL;
	size_t len = 0;
	uint64_t t0 = gt_bench_now_us();
	int rc = gt_cstore_dash_get(b->st, k, &bytes, &len, at, err, err_len);
	(void)wait;

	*rep = NULL;
	if (rc == GT_OK && bytes == NULL)
		rc = GT_ENOENT;
	if (rc == GT_OK && (*rep = gtsync__v1__report_reply__unpack(NULL, len, bytes)) == NULL)
		rc = GT_ECORRUPT;
	free(bytes);
	b->cache_us += gt_bench_now_us() - t0;
	return rc;
}

/* One value per (element, option) of ds, scaled by seed. */
static Gtsync__V1__ReportValue **values(const struct gt_meta_dataset *ds, unsigned seed, size_t *n)
{
	size_t cap = 0, used = 0;
	Gtsync__V1__ReportValue **v;

	for (size_t e = 0; e < ds->nelements; e++)
		cap += ds->elements[e]->combo->noptions;
	v = calloc(cap ? cap : 1, sizeof(*v));
	for (size_t e = 0; v != NULL && e < ds->nelements; e++) {
		const struct gt_meta_element *el = ds->elements[e];
		if (el->aggregation != GT_META_AGG_SUM)
			continue;
		for (size_t o = 0; o < el->combo->noptions; o++) {
			Gtsync__V1__ReportValue *x = calloc(1, sizeof(*x));
			gtsync__v1__report_value__init(x);
			x->data_element = (char *)el->code;
			x->category_option_combo = (char *)el->combo->options[o].code;
			x->value = (double)((seed * 7 + e * 3 + o) % 50 + 1);
			x->count = 12;
			v[used++] = x;
		}
	}
	*n = used;
	return v;
}

static void free_values(Gtsync__V1__ReportValue **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Caches a report of org with children codes[0..nc) (names as codes), as the server sends it. */
static int cache(struct bench *b, const struct gt_meta_dataset *ds, const char *org,
                 const char *period, char (*codes)[16], size_t nc, unsigned seed)
{
	Gtsync__V1__ReportReply rep = GTSYNC__V1__REPORT_REPLY__INIT;
	Gtsync__V1__Completeness cp = GTSYNC__V1__COMPLETENESS__INIT;
	Gtsync__V1__ChildReport *ch = calloc(nc ? nc : 1, sizeof(*ch));
	Gtsync__V1__ChildReport **chp = calloc(nc ? nc : 1, sizeof(*chp));
	struct gt_cstore_dash_key k = {0};
	uint8_t *buf;
	size_t len, nt;
	int rc;

	rep.org_unit = (char *)org;
	rep.org_name = (char *)org;
	rep.dataset = (char *)ds->code;
	rep.period = (char *)period;
	rep.totals = values(ds, seed, &nt);
	rep.n_totals = nt;
	rep.completeness = &cp;
	cp.expected = (uint32_t)(nc ? nc : 1);
	cp.reported = cp.expected - (seed % 3);
	rep.state = GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED;
	for (size_t i = 0; i < nc; i++) {
		size_t nv;
		gtsync__v1__child_report__init(&ch[i]);
		ch[i].org_unit = codes[i];
		ch[i].name = codes[i];
		ch[i].values = values(ds, seed + (unsigned)i, &nv);
		ch[i].n_values = nv;
		ch[i].expected = 14;
		ch[i].reported_units = (uint32_t)(14 - i % 4);
		ch[i].on_time_units = (uint32_t)(12 - i % 4);
		ch[i].reported = 1;
		ch[i].state = (Gtsync__V1__ApprovalState)(1 + i % 5);
		chp[i] = &ch[i];
	}
	rep.children = chp;
	rep.n_children = nc;
	len = gtsync__v1__report_reply__get_packed_size(&rep);
	buf = malloc(len ? len : 1);
	gtsync__v1__report_reply__pack(&rep, buf);
	snprintf(k.org, sizeof(k.org), "%s", org);
	snprintf(k.dataset, sizeof(k.dataset), "%s", ds->code);
	snprintf(k.period, sizeof(k.period), "%s", period);
	rc = gt_cstore_dash_put(b->st, &k, buf, len, 1764800000000);
	free(buf);
	for (size_t i = 0; i < nc; i++)
		free_values(ch[i].values, ch[i].n_values);
	free_values(rep.totals, nt);
	free(ch);
	free(chp);
	return rc;
}

/* The org units: ID, 38 provinces (11..48), 514 districts (PP.01..). */
static int units(const char *db, char (*prov)[16], char (*dist)[16], size_t *per_prov)
{
	sqlite3 *s;
	size_t d = 0;
	int rc = sqlite3_open(db, &s) == SQLITE_OK ? GT_OK : GT_ESTORE;

	sqlite3_exec(s, "BEGIN", NULL, NULL, NULL);
	sqlite3_exec(s,
	             "INSERT INTO orgunit(code, name, level, parent) VALUES('ID','Indonesia',1,'')",
	             NULL, NULL, NULL);
	for (size_t p = 0; p < PROVINCES && rc == GT_OK; p++) {
		char sql[256];
		size_t n = DISTRICTS / PROVINCES + (p < DISTRICTS % PROVINCES);
		snprintf(prov[p], 16, "%zu", 11 + p);
		snprintf(sql, sizeof(sql),
		         "INSERT INTO orgunit(code, name, level, parent) VALUES('%s','Provinsi "
		         "%s',2,'ID')",
		         prov[p], prov[p]);
		sqlite3_exec(s, sql, NULL, NULL, NULL);
		per_prov[p] = n;
		for (size_t i = 0; i < n; i++, d++) {
			snprintf(dist[d], 16, "%.2s.%02u", prov[p], (unsigned)(i + 1) % 100u);
			snprintf(sql, sizeof(sql),
			         "INSERT INTO orgunit(code, name, level, parent) "
			         "VALUES('%s','Kabupaten %s',3,'%s')",
			         dist[d], dist[d], prov[p]);
			sqlite3_exec(s, sql, NULL, NULL, NULL);
		}
	}
	if (sqlite3_exec(s, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = GT_ESTORE;
	sqlite3_close(s);
	return rc;
}

/* Renders path with org, ds, period RUNS times (after one untimed run); prints the figures. */
static int time_page(struct bench *b, const char *path, const char *org, const char *ds,
                     const char *pe, const char *name)
{
	struct gt_dashpage_env env = {.st = b->st,
	                              .meta = b->meta,
	                              .home_org = "ID",
	                              .zone = "WIB",
	                              .csrf = "00112233445566778899aabbccddeeff",
	                              .role = "secretariat",
	                              .default_ds = ds,
	                              .default_pe = pe,
	                              .get = get,
	                              .get_arg = b,
	                              .prov = prov,
	                              .prov_arg = b};
	struct gt_dashpage_req req = {.path = path,
	                              .org = org,
	                              .ds = ds,
	                              .pe = pe,
	                              .self = path,
	                              .element = b->element,
	                              .unit = b->unit};
	uint64_t lat[RUNS], cache[RUNS];
	size_t bytes = 0;

	if (strstr(name, "csv") != NULL)
		req.format = "csv";
	for (int i = 0; i <= RUNS; i++) {
		struct gt_dashpage_out out;
		uint64_t t0;
		b->cache_us = 0;
		t0 = gt_bench_now_us();
		if (gt_dashpage_render(&env, &req, &out) != GT_OK || out.status != 200) {
			fprintf(stderr, "dashboard_bench: %s?org=%s: status %u\n", path, org,
			        out.status);
			free(out.body);
			return GT_EIO;
		}
		if (i > 0) {
			lat[i - 1] = gt_bench_now_us() - t0;
			cache[i - 1] = b->cache_us;
		}
		bytes = out.len;
		free(out.body);
	}
	gt_bench_sort_u64(lat, RUNS);
	gt_bench_sort_u64(cache, RUNS);
	printf("RESULT page=%s dataset=%s p50_ms=%.2f p99_ms=%.2f cache_p50_ms=%.2f "
	       "render_over_cache=%.1f bytes=%zu\n",
	       name, ds, (double)gt_bench_percentile(lat, RUNS, 50) / 1000.0,
	       (double)gt_bench_percentile(lat, RUNS, 99) / 1000.0,
	       (double)gt_bench_percentile(cache, RUNS, 50) / 1000.0,
	       (double)gt_bench_percentile(lat, RUNS, 50) /
	           fmax(1.0, (double)gt_bench_percentile(cache, RUNS, 50)),
	       bytes);
	return GT_OK;
}

int main(int argc, char **argv)
{
	static char prov[PROVINCES][16], dist[DISTRICTS][16];
	size_t per_prov[PROVINCES];
	const char *mdir = argc > 1 ? argv[1] : "metadata";
	char dir[] = "/tmp/gtsync-dashbench-XXXXXX", db[64];
	static const char *const dsets[] = {"KK", "LY"};
	struct gt_meta_errors errs;
	struct bench b = {0};
	int rc = 1;

	gt_i18n_setup();
	gt_i18n_use(GT_LANG_ID);
	gt_meta_errors_init(&errs);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof(db), "%s/client.db", dir);
	if (gt_meta_load_dir(mdir, &b.meta, &errs) != GT_OK) {
		fprintf(stderr,
		        "dashboard_bench: cannot load the metadata in %s (give its folder)\n",
		        mdir);
		goto out;
	}
	if (gt_cstore_create(db, &b.st) != GT_OK || units(db, prov, dist, per_prov) != GT_OK)
		goto out;
	printf("dashboard_bench: %d provinces, %d districts, a year of monthly KK and LY\n",
	       PROVINCES, DISTRICTS);
	for (size_t s = 0; s < 2; s++) {
		const struct gt_meta_dataset *ds = gt_meta_dataset_find(b.meta, dsets[s]);
		size_t d = 0;
		if (ds == NULL)
			goto out;
		gt_cstore_begin(b.st);
		cache(&b, ds, "ID", "2025", prov, PROVINCES, 1);
		cache(&b, ds, "ID", "2024", prov, PROVINCES, 2);
		for (int m = 1; m <= 12; m++) {
			char pe[16];
			snprintf(pe, sizeof(pe), "2025%02d", m);
			cache(&b, ds, "ID", pe, prov, PROVINCES, (unsigned)m);
		}
		for (size_t p = 0; p < PROVINCES; p++) {
			cache(&b, ds, prov[p], "2025", dist + d, per_prov[p], (unsigned)p);
			for (int m = 1; m <= 12; m++) {
				char pe[16];
				snprintf(pe, sizeof(pe), "2025%02d", m);
				cache(&b, ds, prov[p], pe, dist + d, per_prov[p],
				      (unsigned)(p + m));
			}
			d += per_prov[p];
		}
		if (gt_cstore_commit(b.st) != GT_OK)
			goto out;
	}
	for (size_t s = 0; s < 2; s++) {
		if (time_page(&b, "/ringkasan", "ID", dsets[s], "2025", "overview") != GT_OK ||
		    time_page(&b, "/wilayah", "ID", dsets[s], "2025", "region-national") != GT_OK ||
		    time_page(&b, "/wilayah", "31", dsets[s], "2025", "region-province") != GT_OK ||
		    time_page(&b, "/kelengkapan", "ID", dsets[s], "2025", "completeness") !=
		        GT_OK ||
		    time_page(&b, "/tren", "ID", dsets[s], "2025", "trend-national") != GT_OK ||
		    time_page(&b, "/tren", "31", dsets[s], "2025", "trend-province") != GT_OK ||
		    time_page(&b, "/ringkasan", "ID", dsets[s], "2025", "overview-csv") != GT_OK)
			goto out;
	}
	/* Asal angka: the national KK verification (514 districts x 12 batches), whole, for
	 * one element of the nation, of a province and of a district. */
	if (make_prov(&b, gt_meta_dataset_find(b.meta, "KK"), dist, DISTRICTS) != GT_OK ||
	    time_page(&b, "/asal", "ID", "KK", "2025", "provenance-all") != GT_OK)
		goto out;
	b.element = "KK_KORBAN_TOTAL";
	if (time_page(&b, "/asal", "ID", "KK", "2025", "provenance-element") != GT_OK)
		goto out;
	b.unit = prov[0];
	if (time_page(&b, "/asal", "ID", "KK", "2025", "provenance-province") != GT_OK)
		goto out;
	b.unit = dist[0];
	if (time_page(&b, "/asal", "ID", "KK", "2025", "provenance-district") != GT_OK ||
	    time_page(&b, "/asal", "ID", "KK", "2025", "provenance-district-csv") != GT_OK)
		goto out;
	rc = 0;
out:
	gt_meta_errors_clear(&errs);
	gt_verify_result_free(&b.prov);
	gt_cstore_close(b.st);
	gt_meta_free(b.meta);
	unlink(db);
	{
		char p[80];
		snprintf(p, sizeof(p), "%s-wal", db);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", db);
		unlink(p);
	}
	rmdir(dir);
	return rc;
}
