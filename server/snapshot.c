/* An immutable view of metadata and org units, shared by the loop and the thread pool. */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "metadata.h"
#include "store.h"
#include "timezone.h"
#include "vec.h"

struct ou_load {
	struct gt_snap_ou *ous;
	size_t n, cap;
};

static int add_ou(void *arg, const struct gt_store_orgunit *u)
{
	struct ou_load *l = arg;

	if (GT_VEC_RESERVE(l->ous, l->cap, l->n + 1) != GT_OK)
		return GT_ENOMEM;
	struct gt_snap_ou *o = &l->ous[l->n];
	memcpy(o->code, u->code, sizeof(o->code));
	o->level = u->level;
	o->tz = u->tz;
	o->name = strdup(u->name);
	if (o->name == NULL)
		return GT_ENOMEM;
	l->n++;
	return 0;
}

static int cmp_ou(const void *a, const void *b)
{
	return strcmp(((const struct gt_snap_ou *)a)->code, ((const struct gt_snap_ou *)b)->code);
}

static void snapshot_free(struct gt_snapshot *s)
{
	for (size_t i = 0; i < s->nous; i++)
		free(s->ous[i].name);
	free(s->ous);
	for (size_t i = 0; i < s->nfiles; i++) {
		free(s->file_names[i]);
		free(s->file_data[i]);
	}
	free(s->file_names);
	free(s->file_data);
	free(s->file_lens);
	free(s->file_sha);
	gt_meta_free(s->meta);
	free(s);
}

static int load_files(struct gt_snapshot *s, struct gt_store *st)
{
	struct gt_store_metadata md = {0};
	struct gt_meta_errors errs;
	int rc = gt_store_metadata_get(st, &md);

	if (rc != GT_OK)
		return rc;
	s->md_version = md.version;
	if (md.n_files == 0)
		goto out;
	s->file_names = calloc(md.n_files, sizeof(*s->file_names));
	s->file_data = calloc(md.n_files, sizeof(*s->file_data));
	s->file_lens = calloc(md.n_files, sizeof(*s->file_lens));
	s->file_sha = calloc(md.n_files, sizeof(*s->file_sha));
	if (!s->file_names || !s->file_data || !s->file_lens || !s->file_sha) {
		rc = GT_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < md.n_files; i++) {
		s->file_names[i] = strdup(md.files[i].name);
		s->file_data[i] = malloc(md.files[i].len ? md.files[i].len : 1);
		if (s->file_names[i] == NULL || s->file_data[i] == NULL) {
			s->nfiles = i + 1;
			rc = GT_ENOMEM;
			goto out;
		}
		memcpy(s->file_data[i], md.files[i].content, md.files[i].len);
		s->file_lens[i] = md.files[i].len;
		memcpy(s->file_sha[i], md.files[i].sha256, GT_SHA256_LEN);
	}
	s->nfiles = md.n_files;
	gt_meta_errors_init(&errs);
	rc = gt_meta_load_buffers((const char *const *)s->file_names,
	                          (const uint8_t *const *)s->file_data, s->file_lens, s->nfiles,
	                          &s->meta, &errs);
	gt_meta_errors_clear(&errs);
	if (rc != GT_OK)
		rc = GT_ECORRUPT;
out:
	gt_store_metadata_free(&md);
	return rc;
}

/* A district without a zone of its own takes its province's (no province spans two). */
static void inherit_zones(struct gt_snapshot *s)
{
	for (size_t i = 0; i < s->nous; i++) {
		struct gt_snap_ou *u = &s->ous[i];
		char parent[GT_ORGUNIT_MAX_LEN];
		const struct gt_snap_ou *p;

		if (u->tz != GT_TZ_NONE || u->level != GT_ORGUNIT_LEVEL_DISTRICT ||
		    gt_orgunit_parent(u->code, parent, sizeof(parent)) != GT_OK)
			continue;
		p = gt_snapshot_orgunit(s, parent);
		if (p != NULL)
			u->tz = p->tz;
	}
}

int gt_snapshot_load(struct gt_store *st, struct gt_snapshot **out)
{
	struct gt_snapshot *s;
	struct ou_load l = {0};
	uint64_t after = 0;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return GT_ENOMEM;
	s->refs = 1;
	if ((rc = gt_store_admin_seq(st, &s->admin_seq)) != GT_OK)
		goto fail;
	rc = gt_store_orgunit_foreach(st, add_ou, &l);
	s->ous = l.ous;
	s->nous = l.n;
	if (rc != GT_OK)
		goto fail;
	qsort(s->ous, s->nous, sizeof(*s->ous), cmp_ou);
	inherit_zones(s);
	if ((rc = load_files(s, st)) != GT_OK || (rc = gt_store_admin_seq(st, &after)) != GT_OK)
		goto fail;
	s->admin_known = after == s->admin_seq;
	*out = s;
	return GT_OK;
fail:
	snapshot_free(s);
	return rc;
}

struct gt_snapshot *gt_snapshot_ref(struct gt_snapshot *s)
{
	s->refs++;
	return s;
}

void gt_snapshot_unref(struct gt_snapshot *s)
{
	if (s != NULL && --s->refs == 0)
		snapshot_free(s);
}

const struct gt_snap_ou *gt_snapshot_orgunit(const struct gt_snapshot *s, const char *code)
{
	struct gt_snap_ou key;

	if (strlen(code) >= sizeof(key.code))
		return NULL;
	strcpy(key.code, code);
	return bsearch(&key, s->ous, s->nous, sizeof(*s->ous), cmp_ou);
}

int gt_snapshot_subtree(const struct gt_snapshot *s, const char *root, unsigned levels,
                        int (*cb)(void *arg, const struct gt_snap_ou *u), void *arg)
{
	for (size_t i = 0; i < s->nous; i++) {
		const struct gt_snap_ou *u = &s->ous[i];
		if (levels != 0 && !(levels & (1u << u->level)))
			continue;
		if (gt_orgunit_contains(root, u->code) != 1)
			continue;
		int rc = cb(arg, u);
		if (rc != 0)
			return rc;
	}
	return GT_OK;
}
