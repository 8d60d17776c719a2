// SPDX-License-Identifier: MIT
/*
 * The vGPU's one dma-buf cache (buffer_cache.c) with memfds standing in
 * for dma-bufs: a hit fetches nothing, find never fetches (a flip event
 * naming a cached id is shown without a query), an id reused for another
 * layout is fetched again, the bound evicts the least recently used,
 * flush forgets every id while a buffer locked elsewhere stays usable
 * until its unlock, and a failed fetch caches nothing.
 */
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <vplane_display.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/util/log.h>

#include "../libvplane/tests/check.h"
#include "buffer_cache.h"
#include "dmabuf_buffer.h"

#define W 64
#define H 32

struct fetcher {
	unsigned int calls;
	bool fail;
	int last_fd;
};

static int fetch(void *data, uint32_t dmabuf_id)
{
	struct fetcher *f = data;
	int fd;

	f->calls++;
	if (f->fail) {
		errno = ENOENT;
		return -1;
	}
	fd = memfd_create("plane", MFD_CLOEXEC);
	CHECK(fd >= 0 && ftruncate(fd, W * H * 4) == 0);
	f->last_fd = fd;
	return fd;
}

static struct vplane_display_plane plane_of(uint32_t id, uint32_t width)
{
	return (struct vplane_display_plane){
		.argsz = sizeof(struct vplane_display_plane),
		.flags = VPLANE_DISPLAY_PLANE_ENABLED,
		.drm_format = DRM_FORMAT_XRGB8888,
		.dmabuf_id = id,
		.width = width,
		.height = H,
		.stride = W * 4,
		.size = W * H * 4,
		.head_width = width,
		.head_height = H,
		.refresh_mhz = 60000 + id,
	};
}

static void test_hit_and_find(void)
{
	struct fetcher f = { 0 };
	struct vpd_buffer_cache cache;
	struct vplane_display_plane a = plane_of(7, W);
	const struct vplane_display_plane *seen = NULL;
	struct vpd_dmabuf_buffer *b1, *b2;

	vpd_buffer_cache_init(&cache, 4, fetch, &f, "test");
	CHECK(!vpd_buffer_cache_find(&cache, 7, &seen) && f.calls == 0);
	b1 = vpd_buffer_cache_get(&cache, &a);
	CHECK(b1 && f.calls == 1 && b1->dmabuf_id == 7);
	b2 = vpd_buffer_cache_get(&cache, &a);
	CHECK(b2 == b1 && f.calls == 1); /* a hit fetches nothing */
	CHECK(vpd_buffer_cache_find(&cache, 7, &seen) == b1 && f.calls == 1);
	CHECK(seen && seen->refresh_mhz == 60007 && seen->head_width == W);
	CHECK(!vpd_buffer_cache_find(&cache, 0, &seen)); /* 0: disabled */
	CHECK(cache.hits == 2 && cache.fetches == 1);
	vpd_buffer_cache_finish(&cache);
}

static void test_new_layout(void)
{
	struct fetcher f = { 0 };
	struct vpd_buffer_cache cache;
	struct vplane_display_plane a = plane_of(3, W),
				    narrow = plane_of(3, 32);
	const struct vplane_display_plane *seen;
	struct vpd_dmabuf_buffer *b1, *b2;
	int fd1;

	vpd_buffer_cache_init(&cache, 4, fetch, &f, "test");
	b1 = vpd_buffer_cache_get(&cache, &a);
	fd1 = f.last_fd;
	CHECK(b1);
	wlr_buffer_lock(&b1->base); /* shown while the guest changes layout */
	b2 = vpd_buffer_cache_get(&cache, &narrow);
	CHECK(b2 && b2 != b1 && f.calls == 2 && cache.count == 1);
	CHECK(fd_is_open(fd1) && f.last_fd != fd1);
	wlr_buffer_unlock(&b1->base); /* dropped by the cache: now freed */
	CHECK(!fd_is_open(fd1));
	CHECK(vpd_buffer_cache_find(&cache, 3, &seen) == b2 &&
	      seen->width == 32);
	vpd_buffer_cache_finish(&cache);
}

static void test_bound(void)
{
	struct fetcher f = { 0 };
	struct vpd_buffer_cache cache;
	struct vplane_display_plane a = plane_of(1, W), b = plane_of(2, W),
				    c = plane_of(3, W);
	const struct vplane_display_plane *seen;

	vpd_buffer_cache_init(&cache, 2, fetch, &f, "test");
	CHECK(vpd_buffer_cache_get(&cache, &a));
	CHECK(vpd_buffer_cache_get(&cache, &b));
	CHECK(vpd_buffer_cache_find(&cache, 1, &seen)); /* a most recent */
	CHECK(vpd_buffer_cache_get(&cache, &c));	/* evicts b */
	CHECK(cache.count == 2 && f.calls == 3);
	CHECK(vpd_buffer_cache_find(&cache, 1, &seen));
	CHECK(vpd_buffer_cache_find(&cache, 3, &seen));
	CHECK(!vpd_buffer_cache_find(&cache, 2, &seen));
	vpd_buffer_cache_finish(&cache);
	CHECK(cache.count == 0);
}

static void test_flush_keeps_locked(void)
{
	struct fetcher f = { 0 };
	struct vpd_buffer_cache cache;
	struct vplane_display_plane a = plane_of(5, W);
	const struct vplane_display_plane *seen;
	struct vpd_dmabuf_buffer *b;
	int fd;

	vpd_buffer_cache_init(&cache, 4, fetch, &f, "test");
	b = vpd_buffer_cache_get(&cache, &a);
	fd = f.last_fd;
	CHECK(b);
	wlr_buffer_lock(&b->base); /* an output shows it */
	vpd_buffer_cache_flush(&cache);
	CHECK(!vpd_buffer_cache_find(&cache, 5, &seen) && cache.count == 0);
	CHECK(fd_is_open(fd));
	wlr_buffer_unlock(&b->base);
	CHECK(!fd_is_open(fd));
	CHECK(vpd_buffer_cache_get(&cache, &a) && f.calls == 2);
	vpd_buffer_cache_finish(&cache);
}

static void test_fetch_failure(void)
{
	struct fetcher f = { .fail = true };
	struct vpd_buffer_cache cache;
	struct vplane_display_plane a = plane_of(9, W);
	const struct vplane_display_plane *seen;

	vpd_buffer_cache_init(&cache, 4, fetch, &f, "test");
	CHECK(!vpd_buffer_cache_get(&cache, &a) && f.calls == 1);
	CHECK(cache.count == 0 && !vpd_buffer_cache_find(&cache, 9, &seen));
	vpd_buffer_cache_finish(&cache);
}

int main(void)
{
	wlr_log_init(WLR_ERROR, NULL);
	test_hit_and_find();
	test_new_layout();
	test_bound();
	test_flush_keeps_locked();
	test_fetch_failure();
	return check_result("server-buffer-cache");
}
