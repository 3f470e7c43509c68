/* Record kinds and their code tables (open addressing, FNV-1a). */
#include "meta_int.h"

#include <string.h>

#include "error.h"

const char *const gt__meta_kind_words[K_COUNT] = {
    "categorycombo", "element", "dataset", "rule", "plan", "block", "indicator", "action",
};

const char *const gt__meta_kind_text[K_COUNT] = {
    "category combo", "element", "data set", "rule", "plan", "block", "indicator", "action",
};

static uint32_t hash_code(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

uint32_t gt__meta_ktab_find(const struct ktab *t, const char *code)
{
	uint32_t mask, i;

	if (t->nslots == 0)
		return UINT32_MAX;
	mask = t->nslots - 1;
	i = hash_code(code) & mask;
	for (;;) {
		uint32_t s = t->slots[i];
		if (s == 0)
			return UINT32_MAX;
		if (strcmp(t->codes[s - 1], code) == 0)
			return s - 1;
		i = (i + 1) & mask;
	}
}

static void ktab_insert_slot(struct ktab *t, uint32_t idx)
{
	uint32_t mask = t->nslots - 1;
	uint32_t i = hash_code(t->codes[idx]) & mask;

	while (t->slots[i] != 0)
		i = (i + 1) & mask;
	t->slots[i] = idx + 1;
}

/* Appends rec with code to t (the caller has checked that code is new). */
int gt__meta_ktab_add(struct arena *a, struct ktab *t, const char *code, void *rec)
{
	if (t->n == t->cap) {
		uint32_t cap = t->cap;
		void **recs = gt__meta_vec_grow(a, t->recs, t->n, &cap, sizeof(*recs));
		const char **codes;
		if (recs == NULL)
			return GT_ENOMEM;
		cap = t->cap;
		codes = gt__meta_vec_grow(a, t->codes, t->n, &cap, sizeof(*codes));
		if (codes == NULL)
			return GT_ENOMEM;
		t->recs = recs;
		t->codes = codes;
		t->cap = cap;
	}
	t->recs[t->n] = rec;
	t->codes[t->n] = code;
	t->n++;
	if ((uint64_t)t->n * 2 > t->nslots) {
		uint32_t nslots = t->nslots ? t->nslots * 2 : 16;
		uint32_t *slots = gt__meta_arena_alloc(a, (size_t)nslots * sizeof(*slots));
		if (slots == NULL)
			return GT_ENOMEM;
		t->slots = slots;
		t->nslots = nslots;
		for (uint32_t i = 0; i < t->n; i++)
			ktab_insert_slot(t, i);
	} else {
		ktab_insert_slot(t, t->n - 1);
	}
	return 0;
}
