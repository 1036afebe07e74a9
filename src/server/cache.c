/* A small cache of report answers: dashboards ask the same questions over
 * and over, and a report over a million cases takes a tenth of a second.
 * Every ingest empties it, so an answer never outlives the data it was
 * computed from. */
#include <stdlib.h>
#include <string.h>

#include "server_impl.h"

int srv_cache_init(srv_cache *c)
{
    memset(c, 0, sizeof *c);
    return pthread_mutex_init(&c->mu, NULL) == 0;
}

static void drop(srv_cache_entry *e)
{
    free(e->key);
    free(e->body);
    memset(e, 0, sizeof *e);
}

void srv_cache_cleanup(srv_cache *c)
{
    for (size_t i = 0; i < SRV_CACHE_ENTRIES; i++)
        drop(&c->entries[i]);
    pthread_mutex_destroy(&c->mu);
}

void srv_cache_clear(srv_cache *c)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < SRV_CACHE_ENTRIES; i++)
        drop(&c->entries[i]);
    pthread_mutex_unlock(&c->mu);
}

char *srv_cache_get(srv_cache *c, const char *key, size_t *len)
{
    char *copy = NULL;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < SRV_CACHE_ENTRIES; i++) {
        srv_cache_entry *e = &c->entries[i];
        if (!e->key || strcmp(e->key, key) != 0)
            continue;
        copy = malloc(e->len ? e->len : 1);
        if (copy) {
            memcpy(copy, e->body, e->len);
            *len = e->len;
            e->used = ++c->tick;
        }
        break;
    }
    pthread_mutex_unlock(&c->mu);
    return copy;
}

void srv_cache_put(srv_cache *c, const char *key, const char *body, size_t len)
{
    char *k = strdup(key), *b = malloc(len ? len : 1);
    if (!k || !b) {
        free(k);
        free(b);
        return; /* not cached: the next request computes again */
    }
    memcpy(b, body, len);
    pthread_mutex_lock(&c->mu);
    /* The least recently used entry (or a free one) makes room. */
    srv_cache_entry *victim = &c->entries[0];
    for (size_t i = 0; i < SRV_CACHE_ENTRIES; i++) {
        srv_cache_entry *e = &c->entries[i];
        if (e->key && strcmp(e->key, key) == 0) {
            victim = e;
            break;
        }
        if (!e->key || e->used < victim->used)
            victim = e;
        if (!e->key)
            break;
    }
    drop(victim);
    victim->key = k;
    victim->body = b;
    victim->len = len;
    victim->used = ++c->tick;
    pthread_mutex_unlock(&c->mu);
}

char *srv_cache_key(const srv_request *req)
{
    /* The path and the parameters sorted by key, so that the order they
     * came in does not matter. */
    const srv_param *order[SRV_PARAMS_MAX];
    size_t n =
        req->param_count < SRV_PARAMS_MAX ? req->param_count : SRV_PARAMS_MAX;
    for (size_t i = 0; i < n; i++)
        order[i] = &req->params[i];
    for (size_t i = 1; i < n; i++)
        for (size_t j = i;
             j > 0 && strcmp(order[j - 1]->key, order[j]->key) > 0; j--) {
            const srv_param *t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    char *key = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&key, &len);
    if (!f)
        return NULL;
    fputs(req->path, f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%c%s=%s", i ? '&' : '?', order[i]->key, order[i]->value);
    if (fclose(f) != 0) {
        free(key);
        return NULL;
    }
    return key;
}
