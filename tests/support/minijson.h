/* The documents gtsync writes, parsed by jansson into a small tree the tests walk. */
#ifndef GT_MINIJSON_H
#define GT_MINIJSON_H

#include <stddef.h>

enum mj_type { MJ_NULL, MJ_BOOL, MJ_NUM, MJ_STR, MJ_ARR, MJ_OBJ };

/* A parsed value. Strings are decoded (escapes resolved to UTF-8). */
struct mj {
	enum mj_type t;
	char *str;         /* MJ_STR */
	double num;        /* MJ_NUM */
	int b;             /* MJ_BOOL */
	struct mj **items; /* MJ_ARR elements, MJ_OBJ values */
	char **keys;       /* MJ_OBJ keys, in document order */
	size_t n;
	size_t cap_items, cap_keys;
};

/* Parses s[0..len) as one JSON document; NULL if it is not valid JSON. Caller frees. */
struct mj *mj_parse(const char *s, size_t len);

/* Frees a parsed value; accepts NULL. */
void mj_free(struct mj *v);

/* The member key of an object, or NULL. */
const struct mj *mj_get(const struct mj *obj, const char *key);

/* Whether obj is an object whose keys are exactly those listed (NULL-terminated), each once. */
int mj_keys_are(const struct mj *obj, const char *const *keys);

#endif
