/* Loading: sources read from buffers, files or a directory, parsed, resolved, published. */
#define _GNU_SOURCE
#include "meta_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "error.h"

void gt_meta_errors_init(struct gt_meta_errors *errs)
{
	if (errs != NULL)
		memset(errs, 0, sizeof(*errs));
}

void gt_meta_errors_clear(struct gt_meta_errors *errs)
{
	if (errs == NULL)
		return;
	for (size_t i = 0; i < errs->count && i < GT_META_MAX_ERRORS; i++)
		free(errs->items[i].text);
	memset(errs, 0, sizeof(*errs));
}

void gt_meta_free(struct gt_meta *m)
{
	struct gt_meta__index *ix;

	if (m == NULL)
		return;
	ix = m->index;
	gt__meta_arena_free(&ix->arena);
	free(ix);
	free(m);
}

static int err_cmp(const void *a, const void *b)
{
	const struct err_item *x = a, *y = b;

	if (x->fidx != y->fidx)
		return x->fidx < y->fidx ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int src_cmp(const void *a, const void *b)
{
	const struct src *x = a, *y = b;

	return strcmp(x->base, y->base);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static struct ld *ld_new(void)
{
	struct ld *L = calloc(1, sizeof(*L));

	if (L == NULL)
		return NULL;
	L->m = calloc(1, sizeof(*L->m));
	L->ix = calloc(1, sizeof(*L->ix));
	if (L->m == NULL || L->ix == NULL) {
		free(L->m);
		free(L->ix);
		free(L);
		return NULL;
	}
	L->m->index = L->ix;
	return L;
}

/* Moves the collected errors into errs (or frees them) and frees the loader, and the set
 * unless it was handed out. */
static void ld_finish(struct ld *L, struct gt_meta_errors *errs, bool keep_set)
{
	qsort(L->errs, L->nerrs, sizeof(L->errs[0]), err_cmp);
	if (errs != NULL) {
		for (size_t i = 0; i < L->nerrs; i++) {
			errs->items[i].text = L->errs[i].text;
			errs->items[i].line = L->errs[i].line;
		}
		errs->count = L->nerrs;
		errs->dropped = L->dropped;
	} else {
		for (size_t i = 0; i < L->nerrs; i++)
			free(L->errs[i].text);
	}
	for (size_t i = 0; L->srcs != NULL && i < L->nsrcs; i++) {
		free(L->srcs[i].owned);
		free(L->srcs[i].owned_name);
	}
	free(L->srcs);
	if (!keep_set)
		gt_meta_free(L->m);
	free(L);
}

/* Builds the public arrays of kind k from its table. */
#define PUBLISH(L, k, type, wtype, field, count)                                                   \
	do {                                                                                       \
		struct ktab *t_ = &(L)->ix->tabs[k];                                               \
		const type **a_ =                                                                  \
		    gt__meta_arena_alloc(&(L)->ix->arena, ((size_t)t_->n + 1) * sizeof(*a_));      \
		if (a_ == NULL)                                                                    \
			return gt__meta_nomem(L);                                                  \
		for (uint32_t i_ = 0; i_ < t_->n; i_++)                                            \
			a_[i_] = &((wtype *)t_->recs[i_])->pub;                                    \
		(L)->m->field = a_;                                                                \
		(L)->m->count = t_->n;                                                             \
	} while (0)

static int publish(struct ld *L)
{
	PUBLISH(L, K_COMBO, struct gt_meta_combo, struct w_combo, combos, ncombos);
	PUBLISH(L, K_ELEMENT, struct gt_meta_element, struct w_element, elements, nelements);
	PUBLISH(L, K_DATASET, struct gt_meta_dataset, struct w_dataset, datasets, ndatasets);
	PUBLISH(L, K_RULE, struct gt_meta_rule, struct w_rule, rules, nrules);
	PUBLISH(L, K_PLAN, struct gt_meta_plan, struct w_plan, plans, nplans);
	PUBLISH(L, K_BLOCK, struct gt_meta_block, struct w_block, blocks, nblocks);
	PUBLISH(L, K_INDICATOR, struct gt_meta_indicator, struct w_indicator, indicators,
	        nindicators);
	PUBLISH(L, K_ACTION, struct gt_meta_action, struct w_action, actions, nactions);
	return 0;
}

/* The built-in default combination (one option, "default") every element without one uses. */
static void ld_defaults(struct ld *L)
{
	struct gt_meta__index *ix = L->ix;

	ix->default_option.code = "";
	ix->default_option.name = "default";
	ix->default_combo.code = "";
	ix->default_combo.name = "default";
	ix->default_combo.file = "";
	ix->default_combo.index = UINT32_MAX;
	ix->default_combo.is_default = 1;
	ix->default_combo.builtin = 1;
	ix->default_combo.options = &ix->default_option;
	ix->default_combo.noptions = 1;
	ix->default_combo.sorted = &ix->default_sorted;
	L->m->default_combo = &ix->default_combo;
}

/* Checks each file's name (not empty, not too long, not twice) and size, marking bad ones, and
 * the files' total size; names them in L->fnames and files. Non-zero when the load stops. */
static int ld_check_files(struct ld *L, struct gt_meta_file *files)
{
	struct gt_meta__index *ix = L->ix;
	uint64_t total = 0;

	for (size_t i = 0; i < L->nsrcs; i++) {
		struct src *s = &L->srcs[i];
		size_t bl = strlen(s->base);
		if (bl == 0 || bl > GT_META_MAX_FILE_NAME) {
			gt__meta_err_at(L, (uint32_t)i, 0,
			                "file name empty or longer than %u bytes",
			                GT_META_MAX_FILE_NAME);
			s->bad = true;
		} else if (i > 0 && strcmp(s->base, L->srcs[i - 1].base) == 0) {
			gt__meta_err_at(L, (uint32_t)i, 0, "two files named %s", s->base);
			s->bad = true;
		}
		if (!s->bad && s->len > GT_META_MAX_FILE) {
			gt__meta_err_at(L, (uint32_t)i, 0, "file larger than %u bytes",
			                GT_META_MAX_FILE);
			gt__meta_set_rc(L, GT_ETOOBIG);
			s->bad = true;
		}
		if (!s->bad)
			total += s->len;
		L->fnames[i] = gt__meta_arena_strndup(&ix->arena, s->name, strlen(s->name));
		files[i].name = gt__meta_arena_strndup(&ix->arena, s->base, bl);
		if (L->fnames[i] == NULL || files[i].name == NULL) {
			gt__meta_nomem(L);
			return 1;
		}
	}
	if (total > GT_META_MAX_TOTAL) {
		gt__meta_err_at(L, UINT32_MAX, 0, "files larger than %u bytes together",
		                GT_META_MAX_TOTAL);
		gt__meta_set_rc(L, GT_ETOOBIG);
		return 1;
	}
	return 0;
}

/* Copies each good file into the arena, with its digest, and parses it. Non-zero when the
 * load stops. */
static int ld_parse_files(struct ld *L, struct gt_meta_file *files)
{
	int rc;

	for (size_t i = 0; i < L->nsrcs && !L->stop; i++) {
		struct src *s = &L->srcs[i];
		uint8_t *copy;
		if (s->bad)
			continue;
		copy = gt__meta_arena_alloc(&L->ix->arena, s->len);
		if (copy == NULL) {
			gt__meta_nomem(L);
			return 1;
		}
		if (s->len > 0)
			memcpy(copy, s->buf, s->len);
		files[i].content = copy;
		files[i].len = s->len;
		if ((rc = gt_crypto_sha256(copy, s->len, files[i].sha256)) != 0) {
			gt__meta_set_rc(L, rc);
			gt__meta_err_at(L, (uint32_t)i, 0, "cannot compute the file's digest");
			return 1;
		}
		gt__meta_parse_file(L, (uint32_t)i);
	}
	return L->stop ? 1 : 0;
}

/* Loads L->srcs[0..nsrcs) (read already, or marked bad). */
static int ld_run(struct ld *L, struct gt_meta **out, struct gt_meta_errors *errs)
{
	struct gt_meta__index *ix = L->ix;
	struct gt_meta_file *files;
	int rc = 0;

	ld_defaults(L);
	if (L->nsrcs == 0) {
		gt__meta_err_at(L, UINT32_MAX, 0, "no metadata files (*.gtm) to load");
		gt__meta_set_rc(L, GT_ENOENT);
		goto out;
	}
	L->fnames = gt__meta_arena_alloc(&ix->arena, L->nsrcs * sizeof(*L->fnames));
	files = gt__meta_arena_alloc(&ix->arena, L->nsrcs * sizeof(*files));
	if (L->fnames == NULL || files == NULL) {
		gt__meta_nomem(L);
		goto out;
	}
	if (ld_check_files(L, files) != 0 || ld_parse_files(L, files) != 0)
		goto out;
	gt__meta_resolve_all(L);
	if (L->stop || L->nerrs > 0 || L->dropped > 0)
		goto out;
	if (publish(L) != 0)
		goto out;
	L->m->files = files;
	L->m->nfiles = L->nsrcs;
	if ((rc = gt__meta_digest_set(L, files, L->nsrcs, L->m->digest)) != 0) {
		gt__meta_set_rc(L, rc);
		gt__meta_err_at(L, UINT32_MAX, 0, "cannot compute the set's digest");
		goto out;
	}
out:
	if (L->nomem)
		rc = GT_ENOMEM;
	else if (L->rc != 0)
		rc = L->rc;
	else if (L->nerrs > 0 || L->dropped > 0)
		rc = GT_EINVAL;
	else
		rc = 0;
	if (rc == 0)
		*out = L->m;
	ld_finish(L, errs, rc == 0);
	return rc;
}

/* Refuses a load before parsing: frees the loader and reports its errors. */
static int ld_refuse(struct ld *L, struct gt_meta_errors *errs, int rc)
{
	if (L->nomem)
		rc = GT_ENOMEM;
	ld_finish(L, errs, false);
	return rc;
}

/* Creates a loader with room for n sources; NULL when out of memory. */
static struct ld *ld_with_srcs(size_t n)
{
	struct ld *L = ld_new();

	if (L == NULL)
		return NULL;
	L->srcs = calloc(n ? n : 1, sizeof(*L->srcs));
	if (L->srcs == NULL) {
		ld_finish(L, NULL, false);
		return NULL;
	}
	return L;
}

/* Creates a loader for n files given by the caller; more than GT_META_MAX_FILES is refused
 * with the error reported in errs. */
static int ld_for_files(size_t n, struct gt_meta_errors *errs, struct ld **out)
{
	struct ld *L = ld_with_srcs(n > GT_META_MAX_FILES ? 0 : n);

	*out = NULL;
	if (L == NULL)
		return GT_ENOMEM;
	if (n > GT_META_MAX_FILES) {
		gt__meta_err_at(L, UINT32_MAX, 0, "more than %u files", GT_META_MAX_FILES);
		return ld_refuse(L, errs, GT_ETOOBIG);
	}
	*out = L;
	return GT_OK;
}

int gt_meta_load_buffers(const char *const *names, const uint8_t *const *bufs, const size_t *lens,
                         size_t n, struct gt_meta **out, struct gt_meta_errors *errs)
{
	struct ld *L;
	int rc;

	*out = NULL;
	gt_meta_errors_init(errs);
	if (n > 0 && (names == NULL || bufs == NULL || lens == NULL))
		return GT_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (names[i] == NULL || (bufs[i] == NULL && lens[i] > 0))
			return GT_EINVAL;
	if ((rc = ld_for_files(n, errs, &L)) != GT_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		L->srcs[i].name = names[i];
		L->srcs[i].base = base_name(names[i]);
		L->srcs[i].buf = bufs[i] != NULL ? bufs[i] : (const uint8_t *)"";
		L->srcs[i].len = lens[i];
	}
	L->nsrcs = n;
	qsort(L->srcs, L->nsrcs, sizeof(*L->srcs), src_cmp);
	return ld_run(L, out, errs);
}

/* Reads s->name into s->owned; records an error and marks s bad on failure. */
static void read_src(struct ld *L, uint32_t fidx)
{
	struct src *s = &L->srcs[fidx];
	struct stat st;
	size_t got = 0;
	int fd, rc = 0;

	s->bad = true;
	fd = open(s->name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = gt_err_from_errno(errno);
		gt__meta_err_at(L, fidx, 0, "cannot open: %s", gt_strerror(rc));
		gt__meta_set_rc(L, rc);
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		gt__meta_err_at(L, fidx, 0, "not a regular file");
		gt__meta_set_rc(L, GT_EIO);
		goto out;
	}
	if ((uint64_t)st.st_size > GT_META_MAX_FILE) {
		gt__meta_err_at(L, fidx, 0, "file larger than %u bytes", GT_META_MAX_FILE);
		gt__meta_set_rc(L, GT_ETOOBIG);
		goto out;
	}
	/* One byte more than the size, to notice a file that grows while it is read. */
	s->owned = malloc((size_t)st.st_size + 1);
	if (s->owned == NULL) {
		gt__meta_nomem(L);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, s->owned + got, (size_t)st.st_size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = gt_err_from_errno(errno);
			gt__meta_err_at(L, fidx, 0, "cannot read: %s", gt_strerror(rc));
			gt__meta_set_rc(L, rc);
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > (size_t)st.st_size) {
			gt__meta_err_at(L, fidx, 0, "file changed while being read");
			gt__meta_set_rc(L, GT_EIO);
			goto out;
		}
	}
	s->buf = s->owned;
	s->len = got;
	s->bad = false;
out:
	close(fd);
}

/* Sorts the sources named by path, reads them and loads them. */
static int load_paths(struct ld *L, struct gt_meta **out, struct gt_meta_errors *errs)
{
	qsort(L->srcs, L->nsrcs, sizeof(*L->srcs), src_cmp);
	for (size_t i = 0; i < L->nsrcs && !L->stop; i++)
		read_src(L, (uint32_t)i);
	if (L->stop)
		return ld_refuse(L, errs, GT_ENOMEM);
	return ld_run(L, out, errs);
}

int gt_meta_load_files(const char *const *paths, size_t n, struct gt_meta **out,
                       struct gt_meta_errors *errs)
{
	struct ld *L;
	int rc;

	*out = NULL;
	gt_meta_errors_init(errs);
	if (n > 0 && paths == NULL)
		return GT_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (paths[i] == NULL)
			return GT_EINVAL;
	if ((rc = ld_for_files(n, errs, &L)) != GT_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		L->srcs[i].name = paths[i];
		L->srcs[i].base = base_name(paths[i]);
	}
	L->nsrcs = n;
	return load_paths(L, out, errs);
}

static bool gtm_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".gtm") == 0;
}

int gt_meta_load_dir(const char *dir, struct gt_meta **out, struct gt_meta_errors *errs)
{
	struct dirent *de;
	struct ld *L;
	DIR *d;
	int rc;

	*out = NULL;
	gt_meta_errors_init(errs);
	if (dir == NULL)
		return GT_EINVAL;
	L = ld_with_srcs(GT_META_MAX_FILES);
	if (L == NULL)
		return GT_ENOMEM;
	L->setname = dir;
	d = opendir(dir);
	if (d == NULL) {
		rc = gt_err_from_errno(errno);
		gt__meta_err_at(L, UINT32_MAX, 0, "cannot open the directory: %s", gt_strerror(rc));
		return ld_refuse(L, errs, rc);
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *p;
		if (!gtm_name(de->d_name))
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0) {
			gt__meta_nomem(L);
			break;
		}
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (L->nsrcs == GT_META_MAX_FILES) {
			free(p);
			gt__meta_err_at(L, UINT32_MAX, 0, "more than %u .gtm files",
			                GT_META_MAX_FILES);
			gt__meta_set_rc(L, GT_ETOOBIG);
			break;
		}
		L->srcs[L->nsrcs].owned_name = p;
		L->srcs[L->nsrcs].name = p;
		L->srcs[L->nsrcs].base = base_name(p);
		L->nsrcs++;
	}
	closedir(d);
	if (L->stop || L->rc != 0)
		return ld_refuse(L, errs, L->rc);
	return load_paths(L, out, errs);
}
