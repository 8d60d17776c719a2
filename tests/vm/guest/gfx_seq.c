// SPDX-License-Identifier: MIT
/*
 * gfx-seq: plays QEMU's hw/vfio/display.c against an mdev vGPU through the
 * upstream GFX plane API, and measures it.
 *
 * The sequence: probe PROBE|DMABUF once; then on every refresh query the
 * primary and the cursor plane, GET_GFX_DMABUF only for a dmabuf_id not in
 * the cache, and keep at most five unused dma-bufs besides the ones on
 * screen. The guest side programs a bochs DISPI mode and draws into VRAM
 * through the BAR0 mapping, as a guest does.
 *
 * Asserts: the plane appears within a few refreshes with the mode the guest
 * set, its id is stable while the plane is unchanged, the dma-buf's bytes are
 * the guest's pixels (and follow a redraw: the same pages, no copy), a mode
 * change gives a new id, and the cache never grows past its bound. Then
 * prints p50/p99 of QUERY_GFX_PLANE and GET_GFX_DMABUF.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>

#include "guest.h"
#include "monotonic.h"
#include "percentile.h"
#include "vmm.h"
#include "vplane.h"

#define PLANE_PRIMARY 1 /* DRM_PLANE_TYPE_PRIMARY */
#define PLANE_CURSOR  2 /* DRM_PLANE_TYPE_CURSOR */
#define CACHE_KEEP    5 /* unused dma-bufs QEMU keeps */
#define CACHE_MAX     16

struct cached {
	uint32_t id;
	int fd; /* owned */
	struct vfio_device_gfx_plane_info info;
	unsigned long used;
};

struct seq {
	struct vmm_vgpu dev;
	struct cached cache[CACHE_MAX];
	int ncache;
	unsigned long tick;
	unsigned long gets, query_errors, max_cache;
	const char *label;
	bool peer; /* a reference device: tolerate its known gaps */
	int failures;
};

#define CHECK(s, cond, ...)                                                  \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			(s)->failures++;                                     \
		}                                                            \
	} while (0)

/* Keeps the planes on screen and the CACHE_KEEP most recently used. */
static void cache_trim(struct seq *s, const struct cached *primary,
		       const struct cached *cursor)
{
	for (;;) {
		int unused = 0, oldest = -1;

		for (int i = 0; i < s->ncache; i++) {
			if (&s->cache[i] == primary || &s->cache[i] == cursor)
				continue;
			unused++;
			if (oldest < 0 ||
			    s->cache[i].used < s->cache[oldest].used)
				oldest = i;
		}
		if (unused <= CACHE_KEEP)
			return;
		close(s->cache[oldest].fd);
		s->cache[oldest] = s->cache[--s->ncache];
	}
}

/* One QEMU refresh for one plane type: the cached dma-buf on screen. */
static struct cached *refresh_plane(struct seq *s, uint32_t type)
{
	struct vfio_device_gfx_plane_info info;
	struct cached *c;
	int fd;

	if (vmm_query_plane(&s->dev, type, &info)) {
		s->query_errors++;
		return NULL;
	}
	if (!info.drm_format)
		return NULL;
	for (int i = 0; i < s->ncache; i++) {
		if (s->cache[i].id == info.dmabuf_id) {
			s->cache[i].used = ++s->tick;
			s->cache[i].info = info;
			return &s->cache[i];
		}
	}
	fd = vmm_get_dmabuf(&s->dev, info.dmabuf_id);
	if (fd < 0) {
		CHECK(s, 0, "GET_GFX_DMABUF(%u): %s", info.dmabuf_id,
		      strerror(errno));
		return NULL;
	}
	s->gets++;
	if (s->ncache == CACHE_MAX) {
		CHECK(s, 0, "cache overflow");
		close(fd);
		return NULL;
	}
	c = &s->cache[s->ncache++];
	*c = (struct cached){
		.id = info.dmabuf_id, .fd = fd, .info = info, .used = ++s->tick
	};
	return c;
}

/* Returns the primary plane after one refresh (cursor refreshed too). */
static struct cached *refresh(struct seq *s)
{
	/* the cache is a fixed array: entries move only when trimmed */
	struct cached *primary = refresh_plane(s, PLANE_PRIMARY);
	struct cached *cursor = refresh_plane(s, PLANE_CURSOR);
	uint32_t primary_id = primary ? primary->id : 0;

	cache_trim(s, primary, cursor);
	if ((unsigned long)s->ncache > s->max_cache)
		s->max_cache = s->ncache;
	for (int i = 0; i < s->ncache && primary_id; i++)
		if (s->cache[i].id == primary_id)
			return &s->cache[i];
	return NULL;
}

static struct cached *refresh_until_shown(struct seq *s, int tries)
{
	for (int i = 0; i < tries; i++) {
		struct cached *c = refresh(s);

		if (c)
			return c;
		usleep(1000);
	}
	return NULL;
}

static uint32_t pattern(uint32_t x, uint32_t y, uint32_t seed)
{
	return ((x * 7 + seed) & 0xff) << 16 | ((y * 3) & 0xff) << 8 |
	       ((x ^ y ^ seed) & 0xff);
}

static void draw(struct seq *s, uint32_t w, uint32_t h, uint32_t seed)
{
	for (uint32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(s->dev.vram + (size_t)y * w * 4);

		for (uint32_t x = 0; x < w; x++)
			row[x] = pattern(x, y, seed);
	}
}

/* Compares the dma-buf's pixels with the pattern; returns mismatches. */
static long verify(struct seq *s, const struct cached *c, uint32_t seed)
{
	const struct vfio_device_gfx_plane_info *in = &c->info;
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START |
					      DMA_BUF_SYNC_READ };
	size_t len = (size_t)in->stride * in->height;
	long bad = 0;
	uint8_t *map;

	map = mmap(NULL, len, PROT_READ, MAP_SHARED, c->fd, 0);
	if (map == MAP_FAILED && s->peer) {
		/* mbochs hands out O_RDONLY fds yet demands VM_SHARED */
		printf("%s: dma-buf mmap unsupported (%s): pixel check "
		       "skipped for this peer\n",
		       s->label, strerror(errno));
		return 0;
	}
	if (map == MAP_FAILED) {
		CHECK(s, 0, "mmap dma-buf %u: %s", c->id, strerror(errno));
		return -1;
	}
	ioctl(c->fd, DMA_BUF_IOCTL_SYNC, &sync);
	for (uint32_t y = 0; y < in->height; y++) {
		const uint32_t *row =
			(const uint32_t *)(map + (size_t)y * in->stride);

		for (uint32_t x = 0; x < in->width; x++)
			bad += (row[x] & 0xffffff) != pattern(x, y, seed);
	}
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	ioctl(c->fd, DMA_BUF_IOCTL_SYNC, &sync);
	munmap(map, len);
	return bad;
}

/*
 * QUERY_GFX_PLANE of an unchanged plane, and GET_GFX_DMABUF of a new id
 * (what QEMU does: it never asks twice for one id; mbochs would even drop a
 * reference too many if it did). Each GET follows a mode change of its own.
 */
static void bench(struct seq *s, int n)
{
	struct vfio_device_gfx_plane_info info;
	double *q = calloc(n, sizeof(*q)), *g = calloc(n, sizeof(*g));
	double q50, q99, g50, g99;
	int ng = n < 200 ? n : 200;

	if (!q || !g)
		goto out;
	for (int i = 0; i < n; i++) {
		double t0 = monotonic_ns() / 1e3;

		vmm_query_plane(&s->dev, PLANE_PRIMARY, &info);
		q[i] = monotonic_ns() / 1e3 - t0;
	}
	for (int i = 0; i < ng; i++) {
		int fd = -1;
		double t0;

		/* a mode nobody used before: a plane with a new id */
		if (!guest_bochs_mode(&s->dev, 64 + 4 * (i % 100),
				      64 + 2 * (i / 100)))
			goto out;
		for (int tries = 0; tries < 3; tries++)
			if (!vmm_query_plane(&s->dev, PLANE_PRIMARY, &info) &&
			    info.drm_format)
				break;
		t0 = monotonic_ns() / 1e3;
		fd = vmm_get_dmabuf(&s->dev, info.dmabuf_id);
		g[i] = monotonic_ns() / 1e3 - t0;
		if (fd < 0) {
			CHECK(s, 0, "bench GET(%u): %s", info.dmabuf_id,
			      strerror(errno));
			goto out;
		}
		close(fd);
	}
	vp_percentiles(q, n, &q50, &q99);
	vp_percentiles(g, ng, &g50, &g99);
	printf("# bench %s: QUERY_GFX_PLANE p50 %.1f us p99 %.1f us (n=%d); "
	       "GET_GFX_DMABUF of a new id p50 %.1f us p99 %.1f us (n=%d); "
	       "TCG\n",
	       s->label, q50, q99, n, g50, g99, ng);
out:
	free(q);
	free(g);
}

int main(int argc, char **argv)
{
	struct seq s = { .label = "device" };
	struct vfio_device_gfx_plane_info info;
	const char *uuid = NULL;
	int refreshes = 60, bench_n = 0, opt;
	struct cached *c;
	uint32_t first_id;

	while ((opt = getopt(argc, argv, "u:l:r:b:p")) != -1) {
		switch (opt) {
		case 'p':
			s.peer = true;
			break;
		case 'u':
			uuid = optarg;
			break;
		case 'l':
			s.label = optarg;
			break;
		case 'r':
			refreshes = atoi(optarg);
			break;
		case 'b':
			bench_n = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: gfx-seq -u UUID [-l LABEL] "
					"[-r REFRESHES] [-b BENCH_N] [-p]\n"
					"  -p: a peer device (mbochs): "
					"tolerate a dma-buf "
					"without mmap\n");
			return 2;
		}
	}
	if (!uuid || !vmm_open(&s.dev, uuid, VFIO_TYPE1_IOMMU))
		return 1;
	if (!vmm_map_vram(&s.dev)) {
		fprintf(stderr, "FAIL: BAR0 (VRAM) is not mappable\n");
		return 1;
	}

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	info.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF;
	CHECK(&s, ioctl(s.dev.device, VFIO_DEVICE_QUERY_GFX_PLANE, &info) == 0,
	      "probe PROBE|DMABUF: %s", strerror(errno));
	info.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION;
	printf("%s: probe PROBE|REGION answers %s\n", s.label,
	       ioctl(s.dev.device, VFIO_DEVICE_QUERY_GFX_PLANE, &info)
		       ? strerror(errno)
		       : "supported");

	if (!guest_dispi_write(&s.dev, VPLANE_DISPI_ENABLE, 0))
		return 1;
	CHECK(&s,
	      vmm_query_plane(&s.dev, PLANE_PRIMARY, &info) == 0 &&
		      !info.drm_format && !info.dmabuf_id,
	      "disabled primary: format 0x%x id %u", info.drm_format,
	      info.dmabuf_id);

	/* the guest sets 640x480 and draws */
	if (!guest_bochs_mode(&s.dev, 640, 480))
		return 1;
	draw(&s, 640, 480, 1);
	c = refresh_until_shown(&s, 3);
	if (!c) {
		fprintf(stderr, "FAIL: no primary plane within 3 refreshes\n");
		return 1;
	}
	CHECK(&s,
	      c->info.drm_format == DRM_FORMAT_XRGB8888 &&
		      c->info.width == 640 && c->info.height == 480 &&
		      c->info.stride >= 640 * 4 &&
		      c->info.size >= (uint64_t)c->info.stride * 480,
	      "plane %ux%u fmt 0x%x stride %u size %u", c->info.width,
	      c->info.height, c->info.drm_format, c->info.stride, c->info.size);
	first_id = c->id;
	CHECK(&s, verify(&s, c, 1) == 0, "dma-buf pixels differ from VRAM");

	unsigned long gets_before = s.gets;
	double t0 = monotonic_ns() / 1e3;

	for (int i = 0; i < refreshes; i++) {
		c = refresh(&s);
		CHECK(&s, c && c->id == first_id, "refresh %d: id %u, want %u",
		      i, c ? c->id : 0, first_id);
	}
	double per_refresh = (monotonic_ns() / 1e3 - t0) / refreshes;

	CHECK(&s, s.gets == gets_before, "%lu GETs for an unchanged plane",
	      s.gets - gets_before);

	/* a redraw reaches the same dma-buf: the pages are the guest's */
	draw(&s, 640, 480, 2);
	c = refresh(&s);
	CHECK(&s, c && c->id == first_id, "id changed on redraw");
	if (c)
		CHECK(&s, verify(&s, c, 2) == 0, "dma-buf misses a redraw");

	/* a mode change is a new plane */
	if (!guest_bochs_mode(&s.dev, 800, 600))
		return 1;
	c = refresh_until_shown(&s, 3);
	CHECK(&s,
	      c && c->id != first_id && c->info.width == 800 &&
		      c->info.height == 600,
	      "mode change: id %u (old %u) %ux%u", c ? c->id : 0, first_id,
	      c ? c->info.width : 0, c ? c->info.height : 0);

	/* many mode changes: the consumer's cache stays bounded */
	for (int i = 0; i < 12; i++) {
		if (!guest_bochs_mode(&s.dev, 640 + 16 * i, 480))
			return 1;
		c = refresh_until_shown(&s, 3);
		CHECK(&s, c && c->info.width == 640u + 16 * i,
		      "mode %d not shown", i);
	}
	CHECK(&s, s.max_cache <= CACHE_KEEP + 2, "cache grew to %lu",
	      s.max_cache);

	vmm_query_plane(&s.dev, PLANE_CURSOR, &info);
	printf("%s: cursor plane format 0x%x hotspot %u,%u\n", s.label,
	       info.drm_format, info.x_hot, info.y_hot);
	printf("# gfx-seq %s: %d refreshes of an unchanged plane, %lu GETs in "
	       "all, %lu failed queries, cache max %lu, %.1f us per refresh "
	       "(TCG)\n",
	       s.label, refreshes, s.gets, s.query_errors, s.max_cache,
	       per_refresh);

	if (bench_n > 0)
		bench(&s, bench_n);

	for (int i = 0; i < s.ncache; i++)
		close(s.cache[i].fd);
	vmm_close(&s.dev);
	return s.failures ? 1 : 0;
}
