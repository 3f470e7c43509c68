/* A pool of read-only store handles for work in libuv's thread pool (auth, pull, reports). */
#include "readpool.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "error.h"
#include "store.h"

struct gt_readpool {
	uv_mutex_t mu;
	char *path;
	size_t keep, nidle;
	struct gt_store **idle;
};

int gt_readpool_new(const char *db_path, size_t keep, struct gt_readpool **out)
{
	struct gt_readpool *p;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return GT_ENOMEM;
	p->keep = keep ? keep : 1;
	p->path = strdup(db_path);
	p->idle = calloc(p->keep, sizeof(*p->idle));
	if (p->path == NULL || p->idle == NULL || uv_mutex_init(&p->mu) != 0) {
		free(p->path);
		free(p->idle);
		free(p);
		return GT_ENOMEM;
	}
	*out = p;
	return GT_OK;
}

int gt_readpool_get(struct gt_readpool *pool, struct gt_store **out)
{
	*out = NULL;
	uv_mutex_lock(&pool->mu);
	if (pool->nidle > 0)
		*out = pool->idle[--pool->nidle];
	uv_mutex_unlock(&pool->mu);
	if (*out != NULL)
		return GT_OK;
	return gt_store_open_readonly(pool->path, out);
}

void gt_readpool_put(struct gt_readpool *pool, struct gt_store *st)
{
	if (st == NULL)
		return;
	uv_mutex_lock(&pool->mu);
	if (pool->nidle < pool->keep) {
		pool->idle[pool->nidle++] = st;
		st = NULL;
	}
	uv_mutex_unlock(&pool->mu);
	gt_store_close(st);
}

void gt_readpool_free(struct gt_readpool *pool)
{
	if (pool == NULL)
		return;
	for (size_t i = 0; i < pool->nidle; i++)
		gt_store_close(pool->idle[i]);
	uv_mutex_destroy(&pool->mu);
	free(pool->idle);
	free(pool->path);
	free(pool);
}
