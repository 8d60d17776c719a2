// SPDX-License-Identifier: MIT
/* The dma-buf cache: an LRU list of owned fds plus a list of detached,
 * pinned ones. Capacities are small (a few buffers per head), so lookups
 * walk the list. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "vplane/dmabuf_cache.h"

struct entry {
	struct entry *prev, *next; /* vp_dmabuf_cache.lru or .detached */
	uint32_t id;
	int fd; /* owned */
	unsigned int pins;
};

struct vp_dmabuf_cache {
	size_t capacity;
	size_t count;	       /* entries in lru and detached */
	struct entry lru;      /* sentinel; next is most recent */
	struct entry detached; /* sentinel; pinned, flushed */
	vp_dmabuf_fetch_fn fetch;
	void *fetch_data; /* borrowed */
	struct vp_dmabuf_cache_stats stats;
};

static void list_init(struct entry *head)
{
	head->prev = head;
	head->next = head;
}

static void list_remove(struct entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->prev = e->next = NULL;
}

static void list_add_front(struct entry *head, struct entry *e)
{
	e->prev = head;
	e->next = head->next;
	head->next->prev = e;
	head->next = e;
}

struct vp_dmabuf_cache *
vp_dmabuf_cache_create(size_t capacity, vp_dmabuf_fetch_fn fetch, void *data)
{
	struct vp_dmabuf_cache *cache;

	if (capacity == 0 || !fetch) {
		errno = EINVAL;
		vp_log(VP_LOG_ERROR, "dma-buf cache: capacity %zu, fetch %s",
		       capacity, fetch ? "set" : "NULL");
		return NULL;
	}
	cache = calloc(1, sizeof(*cache));
	if (!cache) {
		vp_log_errno(VP_LOG_ERROR, "dma-buf cache");
		return NULL;
	}
	cache->capacity = capacity;
	cache->fetch = fetch;
	cache->fetch_data = data;
	list_init(&cache->lru);
	list_init(&cache->detached);
	return cache;
}

static void entry_destroy(struct vp_dmabuf_cache *cache, struct entry *e)
{
	list_remove(e);
	close(e->fd);
	cache->count--;
	free(e);
}

void vp_dmabuf_cache_destroy(struct vp_dmabuf_cache *cache)
{
	if (!cache)
		return;
	while (cache->lru.next != &cache->lru)
		entry_destroy(cache, cache->lru.next);
	while (cache->detached.next != &cache->detached)
		entry_destroy(cache, cache->detached.next);
	assert(cache->count == 0);
	free(cache);
}

static struct entry *find(const struct vp_dmabuf_cache *cache, uint32_t id)
{
	struct entry *e;

	for (e = cache->lru.next; e != &cache->lru; e = e->next)
		if (e->id == id)
			return e;
	return NULL;
}

/* The least recently used unpinned entry, or NULL. */
static struct entry *find_victim(struct vp_dmabuf_cache *cache)
{
	struct entry *e;

	for (e = cache->lru.prev; e != &cache->lru; e = e->prev)
		if (e->pins == 0)
			return e;
	return NULL;
}

/* The entry for @id, fetched on a miss, moved to the front. */
static struct entry *acquire(struct vp_dmabuf_cache *cache, uint32_t id)
{
	struct entry *e = find(cache, id), *victim = NULL;
	int fd;

	if (e) {
		cache->stats.hits++;
		list_remove(e);
		list_add_front(&cache->lru, e);
		return e;
	}
	if (cache->count >= cache->capacity) {
		victim = find_victim(cache);
		if (!victim) {
			errno = ENOSPC;
			vp_log(VP_LOG_ERROR,
			       "dma-buf cache: all %zu entries pinned, cannot "
			       "fetch id %u",
			       cache->capacity, id);
			return NULL;
		}
	}

	e = calloc(1, sizeof(*e));
	if (!e) {
		vp_log_errno(VP_LOG_ERROR, "dma-buf cache entry");
		return NULL;
	}
	cache->stats.misses++;
	/* the fetch logs its own failure */
	fd = cache->fetch(cache->fetch_data, id);
	if (fd < 0) {
		cache->stats.fetch_failures++;
		free(e);
		return NULL;
	}
	/* evict only now, so a failed fetch costs no entry */
	if (victim) {
		entry_destroy(cache, victim);
		cache->stats.evictions++;
	}
	e->id = id;
	e->fd = fd;
	list_add_front(&cache->lru, e);
	cache->count++;
	return e;
}

int vp_dmabuf_cache_lookup(struct vp_dmabuf_cache *cache, uint32_t dmabuf_id)
{
	struct entry *e = acquire(cache, dmabuf_id);

	return e ? e->fd : -1;
}

int vp_dmabuf_cache_dup(struct vp_dmabuf_cache *cache, uint32_t dmabuf_id)
{
	struct entry *e = acquire(cache, dmabuf_id);
	int fd;

	if (!e)
		return -1;
	fd = fcntl(e->fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		vp_log_errno(VP_LOG_ERROR, "dup of dma-buf id %u", dmabuf_id);
	return fd;
}

int vp_dmabuf_cache_pin(struct vp_dmabuf_cache *cache, uint32_t dmabuf_id)
{
	struct entry *e = acquire(cache, dmabuf_id);

	if (!e)
		return -1;
	if (e->pins == 0)
		cache->stats.pinned++;
	e->pins++;
	return e->fd;
}

static struct entry *find_fd(struct entry *head, int fd)
{
	struct entry *e;

	for (e = head->next; e != head; e = e->next)
		if (e->fd == fd)
			return e;
	return NULL;
}

bool vp_dmabuf_cache_unpin(struct vp_dmabuf_cache *cache, int fd)
{
	struct entry *e = find_fd(&cache->lru, fd);
	bool detached = false;

	if (!e) {
		e = find_fd(&cache->detached, fd);
		detached = true;
	}
	if (!e || e->pins == 0) {
		errno = EINVAL;
		vp_log(VP_LOG_ERROR, "dma-buf cache: fd %d is not pinned", fd);
		return false;
	}
	if (--e->pins > 0)
		return true;
	cache->stats.pinned--;
	if (detached)
		entry_destroy(cache, e);
	return true;
}

bool vp_dmabuf_cache_contains(const struct vp_dmabuf_cache *cache,
			      uint32_t dmabuf_id)
{
	return find(cache, dmabuf_id) != NULL;
}

void vp_dmabuf_cache_flush(struct vp_dmabuf_cache *cache)
{
	struct entry *e, *next;

	for (e = cache->lru.next; e != &cache->lru; e = next) {
		next = e->next;
		if (e->pins == 0) {
			entry_destroy(cache, e);
		} else {
			list_remove(e);
			list_add_front(&cache->detached, e);
		}
	}
	cache->stats.flushes++;
}

bool vp_dmabuf_cache_handle_event(struct vp_dmabuf_cache *cache,
				  const struct vplane_display_event *event)
{
	switch (event->type) {
	case VPLANE_EVENT_RESET:
	case VPLANE_EVENT_OVERFLOW:
	case VPLANE_EVENT_MODE:
		vp_dmabuf_cache_flush(cache);
		return true;
	default:
		return false;
	}
}

void vp_dmabuf_cache_get_stats(const struct vp_dmabuf_cache *cache,
			       struct vp_dmabuf_cache_stats *out)
{
	*out = cache->stats;
	out->entries = cache->count;
}
