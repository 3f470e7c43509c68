/* A client home in a temporary directory for the import and form tests (homefx.h). */
#include "homefx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cstore.h"
#include "error.h"
#include "fileio.h"
#include "testutil.h"
#include "tlscert.h"

void gt_homefx_metadata_files(const char *const *names, size_t n, Gtsync__V1__MetadataFile *mf,
                              Gtsync__V1__MetadataFile **mfp, uint8_t **data)
{
	char path[1024];

	for (size_t i = 0; i < n; i++) {
		size_t len = 0;

		snprintf(path, sizeof(path), "%s/metadata/%s", GT_SOURCE_DIR, names[i]);
		assert_int_equal(gt_file_read(path, 1 << 22, &data[i], &len), GT_OK);
		gtsync__v1__metadata_file__init(&mf[i]);
		mf[i].name = (char *)names[i];
		mf[i].content.data = data[i];
		mf[i].content.len = len;
		mfp[i] = &mf[i];
	}
}

void gt_homefx_store_metadata(struct gt_home *h)
{
	static const char *const names[] = {"combos.gtm", "kasus.gtm", "kelembagaan.gtm",
	                                    "layanan.gtm"};
	Gtsync__V1__MetadataFile mf[4], *mfp[4];
	Gtsync__V1__OrgUnit ou[3], *oup[3];
	uint8_t *data[4];

	gt_homefx_metadata_files(names, 4, mf, mfp, data);
	const char *codes[3] = {"ID", "53", "53.71"};
	for (int i = 0; i < 3; i++) {
		gtsync__v1__org_unit__init(&ou[i]);
		ou[i].code = (char *)codes[i];
		ou[i].name = (char *)codes[i];
		ou[i].level = (uint32_t)i + 1;
		oup[i] = &ou[i];
	}
	Gtsync__V1__MetadataReply rep = GTSYNC__V1__METADATA_REPLY__INIT;
	rep.version = 1;
	rep.files = mfp;
	rep.n_files = 4;
	rep.org_units = oup;
	rep.n_org_units = 3;
	assert_int_equal(gt_cstore_metadata_save(h->st, &rep), GT_OK);
	for (int i = 0; i < 4; i++)
		free(data[i]);
}

int gt_homefx_open(const char *name, struct gt_homefx **out)
{
	struct gt_homefx *f = calloc(1, sizeof(*f));
	struct gt_home_init_info info;
	char cert[1100], key[1100];

	*out = NULL;
	if (f == NULL)
		return -1;
	f->dir = gt_test_tmpdir(name);
	snprintf(cert, sizeof(cert), "%s/cert.pem", f->dir);
	snprintf(key, sizeof(key), "%s/key.pem", f->dir);
	snprintf(f->home, sizeof(f->home), "%s/home", f->dir);
	if (gt_tlscert_make_self_signed(cert, key, "localhost", 30) != GT_OK ||
	    gt_home_init(f->home, "127.0.0.1:7443", "53.71", cert, &info, stderr) != GT_OK ||
	    (f->errf = open_memstream(&f->err, &f->err_len)) == NULL ||
	    gt_home_open(f->home, f->errf, &f->h) != GT_OK) {
		gt_homefx_close(f);
		return -1;
	}
	gt_homefx_store_metadata(f->h);
	*out = f;
	return 0;
}

void gt_homefx_close(struct gt_homefx *f)
{
	if (f == NULL)
		return;
	gt_home_close(f->h);
	if (f->errf != NULL)
		fclose(f->errf);
	free(f->err);
	gt_test_rmtree(f->dir);
	free(f->dir);
	free(f);
}
