/* SPDX-License-Identifier: MIT */
/*
 * vplaned's one userspace dma-buf cache, one per vGPU: a wlr_buffer
 * (vpd_dmabuf_buffer) per dmabuf_id, with the plane description it was
 * last read with. Below it only the driver's own plane objects cache by
 * the same id. Keeping the wlr_buffer (not just its fd) keeps what
 * wlroots made of it (the KMS framebuffer of a direct scanout), so a
 * buffer the guest flips back to is neither fetched nor imported again;
 * keeping the plane lets a flip event that names a cached id be shown
 * without re-reading the plane (vpd_buffer_cache_find()).
 *
 * Ownership: the cache holds the producer reference of each buffer
 * (wlr_buffer_drop() on eviction, flush and finish); whoever shows one
 * locks it. Bound: @capacity buffers, least recently used evicted first.
 * An id the driver reuses for another layout replaces its entry.
 */
#ifndef VPD_BUFFER_CACHE_H
#define VPD_BUFFER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <wayland-server-core.h>

struct vpd_dmabuf_buffer;
struct vplane_display_plane;

/* A new dma-buf fd (O_CLOEXEC) for @dmabuf_id, owned by the caller; -1
 * with errno set (the fetch logs nothing: the cache does). */
typedef int (*vpd_buffer_fetch_fn)(void *data, uint32_t dmabuf_id);

struct vpd_buffer_cache {
	struct wl_list entries; /* cache_entry.link, most recent first */
	size_t count, capacity;
	vpd_buffer_fetch_fn fetch;
	void *fetch_data; /* borrowed */
	const char *name; /* borrowed, for logs: the vGPU's */
	uint64_t hits, fetches;
};

/* Empty, for at most @capacity >= 1 buffers, fetching misses with
 * @fetch(@data, id). @name and @data are borrowed and must outlive it. */
void vpd_buffer_cache_init(struct vpd_buffer_cache *cache, size_t capacity,
			   vpd_buffer_fetch_fn fetch, void *data,
			   const char *name);

/* Drop every buffer (vpd_buffer_cache_flush()); init may follow. */
void vpd_buffer_cache_finish(struct vpd_buffer_cache *cache);

/*
 * The buffer for @plane (borrowed; enabled, dmabuf_id set): the cached
 * one if its id and layout match, else fetched and made now. It becomes
 * the most recent and remembers @plane. Borrowed from the cache (lock it
 * to keep it); NULL after logging.
 */
struct vpd_dmabuf_buffer *
vpd_buffer_cache_get(struct vpd_buffer_cache *cache,
		     const struct vplane_display_plane *plane);

/*
 * The cached buffer of @dmabuf_id, now the most recent, and in *@plane
 * the plane it was last read with (borrowed, valid until the next call
 * on the cache); NULL on a miss. Never fetches.
 */
struct vpd_dmabuf_buffer *
vpd_buffer_cache_find(struct vpd_buffer_cache *cache, uint32_t dmabuf_id,
		      const struct vplane_display_plane **plane);

/* Forget every id (mode, reset, overflow: ids may name other buffers
 * now). Buffers locked elsewhere live on until unlocked. */
void vpd_buffer_cache_flush(struct vpd_buffer_cache *cache);

#endif /* VPD_BUFFER_CACHE_H */
