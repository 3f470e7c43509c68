/* The documents gtsync writes, parsed by jansson into a small tree the tests walk. */
#include "minijson.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Converts a jansson value into a struct mj tree; NULL when out of memory. */
static struct mj *convert(const json_t *j)
{
	struct mj *v = calloc(1, sizeof(*v));
	const char *key;
	json_t *item;
	size_t i;

	if (v == NULL)
		return NULL;
	switch (json_typeof(j)) {
	case JSON_NULL:
		v->t = MJ_NULL;
		return v;
	case JSON_TRUE:
	case JSON_FALSE:
		v->t = MJ_BOOL;
		v->b = json_is_true(j);
		return v;
	case JSON_INTEGER:
	case JSON_REAL:
		v->t = MJ_NUM;
		v->num = json_number_value(j);
		return v;
	case JSON_STRING:
		v->t = MJ_STR;
		v->str = strndup(json_string_value(j), json_string_length(j));
		if (v->str == NULL) {
			free(v);
			return NULL;
		}
		return v;
	case JSON_ARRAY:
		v->t = MJ_ARR;
		v->n = json_array_size(j);
		v->items = calloc(v->n + 1, sizeof(*v->items));
		if (v->items == NULL)
			goto fail;
		json_array_foreach(j, i, item)
		{
			if ((v->items[i] = convert(item)) == NULL)
				goto fail;
		}
		return v;
	case JSON_OBJECT:
		v->t = MJ_OBJ;
		v->items = calloc(json_object_size(j) + 1, sizeof(*v->items));
		v->keys = calloc(json_object_size(j) + 1, sizeof(*v->keys));
		if (v->items == NULL || v->keys == NULL)
			goto fail;
		json_object_foreach((json_t *)j, key, item)
		{
			v->keys[v->n] = strdup(key);
			v->items[v->n] = convert(item);
			v->n++;
			if (v->keys[v->n - 1] == NULL || v->items[v->n - 1] == NULL)
				goto fail;
		}
		return v;
	}
fail:
	mj_free(v);
	return NULL;
}

struct mj *mj_parse(const char *s, size_t len)
{
	json_error_t e;
	/* Strict RFC 8259 (any value at the top) and no member twice, by jansson. */
	json_t *j = json_loadb(s, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
	struct mj *v;

	if (j == NULL)
		return NULL;
	v = convert(j);
	json_decref(j);
	return v;
}

void mj_free(struct mj *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		mj_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

const struct mj *mj_get(const struct mj *obj, const char *key)
{
	if (obj == NULL || obj->t != MJ_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

int mj_keys_are(const struct mj *obj, const char *const *keys)
{
	size_t n = 0;

	if (obj == NULL || obj->t != MJ_OBJ)
		return 0;
	for (; keys[n] != NULL; n++) {
		size_t seen = 0;
		for (size_t i = 0; i < obj->n; i++)
			seen += strcmp(obj->keys[i], keys[n]) == 0;
		if (seen != 1)
			return 0;
	}
	return n == obj->n;
}
