/* SPDX-License-Identifier: MIT */
/*
 * A wlr_buffer over one vGPU plane's dma-buf: the guest's pages
 * themselves, handed to wlroots without a copy.
 *
 * get_dmabuf describes it as one linear plane (fd, offset 0, stride), so
 * the DRM backend imports it as a KMS framebuffer (direct scanout) and
 * export-dmabuf hands it to clients as is. begin_data_ptr_access maps it
 * read-only, once, on first use: only a CPU consumer asks for that (the
 * pixman renderer when it must composite or serve a screencopy); the
 * direct scanout and headless hand-off paths never map.
 *
 * Lifetime is wlroots' producer/consumer rule: the creator holds the
 * producer reference and gives it up with wlr_buffer_drop(); the buffer
 * (and its fd and mapping) is freed when the last lock is released.
 */
#ifndef VPD_DMABUF_BUFFER_H
#define VPD_DMABUF_BUFFER_H

#include <stdbool.h>
#include <stdint.h>

#include <wayland-server-core.h>
#include <wlr/types/wlr_buffer.h>

struct vplane_display_plane;

struct vpd_dmabuf_buffer {
	struct wlr_buffer base;
	uint32_t dmabuf_id; /* the driver's id, for lookups */
	uint32_t format;    /* DRM fourcc */
	uint32_t stride;
	uint32_t size;	 /* bytes of the dma-buf */
	bool needs_sync; /* VPLANE_DISPLAY_PLANE_NEEDS_SYNC */
	int fd;		 /* owned */
	void *map;	 /* read-only mapping or NULL */
};

/*
 * Wrap @fd (taken: closed here on failure too), the dma-buf of @plane
 * (borrowed; its drm_format, width, height, stride, size and dmabuf_id
 * describe the buffer). NULL for an unusable plane description.
 */
struct vpd_dmabuf_buffer *
vpd_dmabuf_buffer_create(int fd, const struct vplane_display_plane *plane);

/* True if @buffer was made for exactly this plane state (same id and
 * layout). @plane is borrowed. */
bool vpd_dmabuf_buffer_matches(const struct vpd_dmabuf_buffer *buffer,
			       const struct vplane_display_plane *plane);

/* CPU mappings made by all buffers so far (a figure for tests: zero on
 * a pure direct scanout path). */
uint64_t vpd_dmabuf_buffer_get_map_count(void);

#endif /* VPD_DMABUF_BUFFER_H */
