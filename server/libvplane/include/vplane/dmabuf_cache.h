/* SPDX-License-Identifier: MIT */
/*
 * A bounded cache of dma-buf fds by dmabuf_id, so a consumer asks the
 * driver for each buffer once rather than once per flip.
 *
 * Ownership: the cache owns every fd it holds and closes it on eviction,
 * flush or destroy. vp_dmabuf_cache_lookup() lends an fd until the next
 * call that may evict (lookup, dup or pin of another id, flush,
 * handle_event, destroy); pin an entry to keep its fd across those;
 * vp_dmabuf_cache_dup() gives the caller a new fd of its own.
 *
 * Bound: the cache holds at most @capacity fds, pinned ones and those a
 * flush detached included. A miss evicts the least recently used unpinned
 * entry; when every entry is pinned it fails with ENOSPC.
 *
 * Flush (a reset, overflow or mode event: ids may now name other
 * buffers): unpinned entries are closed; pinned ones are detached, no
 * lookup finds them, and their fd is closed by the last unpin.
 */
#ifndef VPLANE_DMABUF_CACHE_H
#define VPLANE_DMABUF_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vplane_display.h>

/*
 * Fetch a missing id: return a new fd for @dmabuf_id that the cache then
 * owns (O_CLOEXEC), or -1 with errno set. vp_display_fetch_dmabuf() is
 * one; unit tests use memfds.
 */
typedef int (*vp_dmabuf_fetch_fn)(void *data, uint32_t dmabuf_id);

struct vp_dmabuf_cache_stats {
	uint64_t hits;
	uint64_t misses; /* fetches attempted */
	uint64_t fetch_failures;
	uint64_t evictions;
	uint64_t flushes;
	size_t entries; /* fds held, detached included */
	size_t pinned;	/* entries with a pin */
};

struct vp_dmabuf_cache;

/* @capacity >= 1 fds; @fetch is required, @data is passed to it
 * (borrowed: it must outlive the cache). */
struct vp_dmabuf_cache *
vp_dmabuf_cache_create(size_t capacity, vp_dmabuf_fetch_fn fetch, void *data);

/* Close every fd, pinned ones too, and free. NULL is a no-op. */
void vp_dmabuf_cache_destroy(struct vp_dmabuf_cache *cache);

/* Borrowed fd for @dmabuf_id, fetched on a miss, now most recently
 * used; -1 on failure. See the lending rule above. */
int vp_dmabuf_cache_lookup(struct vp_dmabuf_cache *cache, uint32_t dmabuf_id);

/* A new fd (O_CLOEXEC) of the buffer, owned by the caller; -1 on
 * failure. */
int vp_dmabuf_cache_dup(struct vp_dmabuf_cache *cache, uint32_t dmabuf_id);

/*
 * Like lookup, and pin the entry: its fd stays open and borrowed until
 * the matching vp_dmabuf_cache_unpin(). Pins nest.
 */
int vp_dmabuf_cache_pin(struct vp_dmabuf_cache *cache, uint32_t dmabuf_id);

/*
 * Drop one pin of the entry whose fd is @fd, as returned by pin (the fd
 * names the entry even after a flush detached it). False with EINVAL if
 * no pinned entry has that fd.
 */
bool vp_dmabuf_cache_unpin(struct vp_dmabuf_cache *cache, int fd);

/* True if @dmabuf_id is cached (not detached). No fetch, no LRU change. */
bool vp_dmabuf_cache_contains(const struct vp_dmabuf_cache *cache,
			      uint32_t dmabuf_id);

/* Forget every id; see Flush above. */
void vp_dmabuf_cache_flush(struct vp_dmabuf_cache *cache);

/* Flush on VPLANE_EVENT_RESET, _OVERFLOW and _MODE; true if it did.
 * @event is borrowed. */
bool vp_dmabuf_cache_handle_event(struct vp_dmabuf_cache *cache,
				  const struct vplane_display_event *event);

/* Counters into @out (borrowed, overwritten). */
void vp_dmabuf_cache_get_stats(const struct vp_dmabuf_cache *cache,
			       struct vp_dmabuf_cache_stats *out);

#endif /* VPLANE_DMABUF_CACHE_H */
