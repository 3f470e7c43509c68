/* A strict, small JSON parser (RFC 8259) for checking the documents gtsync writes. */
#include "minijson.h"

#include <stdlib.h>
#include <string.h>

#include "vec.h"

struct p {
	const char *s, *end;
	int depth;
};

static void ws(struct p *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\n' || *p->s == '\r' || *p->s == '\t'))
		p->s++;
}

static struct mj *node(enum mj_type t)
{
	struct mj *v = calloc(1, sizeof(*v));
	if (v)
		v->t = t;
	return v;
}

static int hex4(const char *s, unsigned *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return 0;
		*out = *out * 16 + d;
	}
	return 1;
}

static void put_utf8(char *out, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xC0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xE0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*n)++] = (char)(0xF0 | (cp >> 18));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	}
}

static char *string(struct p *p)
{
	char *out;
	size_t n = 0;
	const char *start;

	if (p->s >= p->end || *p->s != '"')
		return NULL;
	start = ++p->s;
	out = malloc((size_t)(p->end - start) * 2 + 8);
	if (out == NULL)
		return NULL;
	while (p->s < p->end && *p->s != '"') {
		unsigned char c = (unsigned char)*p->s;
		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			out[n++] = (char)c;
			p->s++;
			continue;
		}
		if (++p->s >= p->end)
			goto bad;
		switch (*p->s) {
		case '"':
			out[n++] = '"';
			break;
		case '\\':
			out[n++] = '\\';
			break;
		case '/':
			out[n++] = '/';
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'u': {
			unsigned cp;
			if (p->end - p->s < 5 || !hex4(p->s + 1, &cp))
				goto bad;
			p->s += 4;
			put_utf8(out, &n, cp);
			break;
		}
		default:
			goto bad;
		}
		p->s++;
	}
	if (p->s >= p->end)
		goto bad;
	p->s++;
	out[n] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static struct mj *value(struct p *p);

static int push(struct mj *v, struct mj *item, char *key)
{
	if (GT_VEC_RESERVE(v->items, v->cap_items, v->n + 1) != 0)
		return 0;
	if (v->t == MJ_OBJ) {
		if (GT_VEC_RESERVE(v->keys, v->cap_keys, v->n + 1) != 0)
			return 0;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = item;
	return 1;
}

static struct mj *container(struct p *p, int obj)
{
	struct mj *v = node(obj ? MJ_OBJ : MJ_ARR);
	char close = obj ? '}' : ']';

	if (v == NULL)
		return NULL;
	p->s++;
	ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct mj *item;
		ws(p);
		if (obj) {
			if ((key = string(p)) == NULL)
				goto bad;
			ws(p);
			if (p->s >= p->end || *p->s++ != ':') {
				free(key);
				goto bad;
			}
		}
		item = value(p);
		if (item == NULL || !push(v, item, key)) {
			free(key);
			mj_free(item);
			goto bad;
		}
		ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			return v;
		}
		goto bad;
	}
bad:
	mj_free(v);
	return NULL;
}

static struct mj *number(struct p *p)
{
	const char *s = p->s;
	char *end;
	struct mj *v;

	if (p->s < p->end && *p->s == '-')
		p->s++;
	if (p->s >= p->end || *p->s < '0' || *p->s > '9')
		return NULL;
	if (*p->s == '0' && p->s + 1 < p->end && p->s[1] >= '0' && p->s[1] <= '9')
		return NULL;
	while (p->s < p->end && strchr("0123456789.eE+-", *p->s))
		p->s++;
	v = node(MJ_NUM);
	if (v == NULL)
		return NULL;
	v->num = strtod(s, &end);
	if (end != p->s) {
		free(v);
		return NULL;
	}
	return v;
}

static struct mj *value(struct p *p)
{
	struct mj *v = NULL;

	if (++p->depth > 64)
		return NULL;
	ws(p);
	if (p->s >= p->end)
		return NULL;
	switch (*p->s) {
	case '{':
		v = container(p, 1);
		break;
	case '[':
		v = container(p, 0);
		break;
	case '"': {
		char *s = string(p);
		if (s != NULL && (v = node(MJ_STR)) != NULL)
			v->str = s;
		else
			free(s);
		break;
	}
	case 't':
	case 'f':
	case 'n': {
		const char *w = *p->s == 't' ? "true" : *p->s == 'f' ? "false" : "null";
		size_t n = strlen(w);
		if ((size_t)(p->end - p->s) >= n && memcmp(p->s, w, n) == 0) {
			p->s += n;
			v = node(*w == 'n' ? MJ_NULL : MJ_BOOL);
			if (v != NULL)
				v->b = *w == 't';
		}
		break;
	}
	default:
		v = number(p);
		break;
	}
	p->depth--;
	return v;
}

struct mj *mj_parse(const char *s, size_t len)
{
	struct p p = {s, s + len, 0};
	struct mj *v = value(&p);

	ws(&p);
	if (v != NULL && p.s != p.end) {
		mj_free(v);
		return NULL;
	}
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
