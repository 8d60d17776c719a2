// SPDX-License-Identifier: MIT
/* The vGPU's dma-buf cache: an MRU list of small entries; capacities are
 * a few buffers per head, so lookups walk the list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vplane_display.h>
#include <wlr/types/wlr_buffer.h>

#include "log_sink.h"
#include "buffer_cache.h"
#include "dmabuf_buffer.h"

struct cache_entry {
	struct wl_list link;		   /* vpd_buffer_cache.entries */
	struct vpd_dmabuf_buffer *buffer;  /* producer reference */
	struct vplane_display_plane plane; /* as last read */
};

void vpd_buffer_cache_init(struct vpd_buffer_cache *cache, size_t capacity,
			   vpd_buffer_fetch_fn fetch, void *data,
			   const char *name)
{
	*cache = (struct vpd_buffer_cache){
		.capacity = capacity ? capacity : 1,
		.fetch = fetch,
		.fetch_data = data,
		.name = name,
	};
	wl_list_init(&cache->entries);
}

/* Give up the producer reference; whoever shows it keeps theirs. */
static void entry_destroy(struct vpd_buffer_cache *cache,
			  struct cache_entry *entry)
{
	wl_list_remove(&entry->link);
	cache->count--;
	wlr_buffer_drop(&entry->buffer->base);
	free(entry);
}

void vpd_buffer_cache_flush(struct vpd_buffer_cache *cache)
{
	struct cache_entry *entry, *tmp;

	wl_list_for_each_safe(entry, tmp, &cache->entries, link)
		entry_destroy(cache, entry);
}

void vpd_buffer_cache_finish(struct vpd_buffer_cache *cache)
{
	vpd_buffer_cache_flush(cache);
}

static struct cache_entry *find(struct vpd_buffer_cache *cache, uint32_t id)
{
	struct cache_entry *entry;

	wl_list_for_each(entry, &cache->entries, link) {
		if (entry->buffer->dmabuf_id == id)
			return entry;
	}
	return NULL;
}

static void make_recent(struct vpd_buffer_cache *cache,
			struct cache_entry *entry)
{
	wl_list_remove(&entry->link);
	wl_list_insert(&cache->entries, &entry->link);
}

struct vpd_dmabuf_buffer *
vpd_buffer_cache_find(struct vpd_buffer_cache *cache, uint32_t dmabuf_id,
		      const struct vplane_display_plane **plane)
{
	struct cache_entry *entry = dmabuf_id ? find(cache, dmabuf_id) : NULL;

	if (!entry)
		return NULL;
	cache->hits++;
	make_recent(cache, entry);
	*plane = &entry->plane;
	return entry->buffer;
}

/* A new entry for @plane, its dma-buf fetched; NULL after logging. */
static struct cache_entry *
entry_create(struct vpd_buffer_cache *cache,
	     const struct vplane_display_plane *plane)
{
	struct cache_entry *entry = calloc(1, sizeof(*entry));
	int fd;

	if (!entry) {
		log_errno("calloc");
		return NULL;
	}
	cache->fetches++;
	fd = cache->fetch(cache->fetch_data, plane->dmabuf_id);
	if (fd < 0) {
		log_error("vGPU %s: no dma-buf for id %u: %s", cache->name,
			  plane->dmabuf_id, strerror(errno));
		free(entry);
		return NULL;
	}
	entry->buffer = vpd_dmabuf_buffer_create(fd, plane); /* logs */
	if (!entry->buffer) {
		free(entry);
		return NULL;
	}
	return entry;
}

struct vpd_dmabuf_buffer *
vpd_buffer_cache_get(struct vpd_buffer_cache *cache,
		     const struct vplane_display_plane *plane)
{
	struct cache_entry *entry = find(cache, plane->dmabuf_id);

	if (entry && vpd_dmabuf_buffer_matches(entry->buffer, plane)) {
		cache->hits++;
		make_recent(cache, entry);
		entry->plane = *plane;
		return entry->buffer;
	}
	if (entry)
		entry_destroy(cache, entry); /* an id reused for a new layout */

	entry = entry_create(cache, plane);
	if (!entry)
		return NULL;
	entry->plane = *plane;
	wl_list_insert(&cache->entries, &entry->link);
	if (++cache->count > cache->capacity)
		entry_destroy(cache, wl_container_of(cache->entries.prev, entry,
						     link));
	return entry->buffer;
}
