/* SPDX-License-Identifier: MIT */
/*
 * A buffer for a KMS cursor plane: an ARGB8888 dumb buffer of the DRM
 * device, mapped for writing, exported as a dma-buf that says what a dumb
 * buffer is (LINEAR). It is made on its own DRM fd, as wlroots' allocator
 * does: the backend closes the GEM handles of the buffers it imports on
 * its fd, and on a shared fd that would be this buffer's handle. wlroots 0.15's own dumb allocator labels its buffers
 * with the implicit modifier, which its DRM backend refuses for a cursor
 * plane (output_cursor.c says more).
 */
#ifndef VPD_CURSOR_BUFFER_H
#define VPD_CURSOR_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include <wlr/types/wlr_buffer.h>

struct vpd_cursor_buffer {
	struct wlr_buffer base;
	int drm_fd; /* owned: holds the dumb buffer's GEM handle */
	uint32_t stride;
	uint64_t size;
	uint8_t *map;  /* writable, zeroed at creation */
	int dmabuf_fd; /* owned */
};

struct wlr_backend;

/*
 * A @width x @height buffer on the device of @drm_backend (borrowed; a
 * DRM backend). Drop it with wlr_buffer_drop(); NULL (logged) on failure.
 */
struct vpd_cursor_buffer *
vpd_cursor_buffer_create(struct wlr_backend *drm_backend, uint32_t width,
			 uint32_t height);

#endif
