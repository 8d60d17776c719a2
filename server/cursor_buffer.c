// SPDX-License-Identifier: MIT
#include <assert.h>
#include <drm_fourcc.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include <wlr/backend/drm.h>
#include <wlr/render/dmabuf.h>

#include "log_sink.h"
#include "cursor_buffer.h"

static const struct wlr_buffer_impl cursor_buffer_impl;

static struct vpd_cursor_buffer *cursor_buffer_from_buffer(struct wlr_buffer *b)
{
	struct vpd_cursor_buffer *buffer;

	assert(b->impl == &cursor_buffer_impl);
	return wl_container_of(b, buffer, base);
}

static void buffer_destroy(struct wlr_buffer *wlr_buffer)
{
	struct vpd_cursor_buffer *buffer =
		cursor_buffer_from_buffer(wlr_buffer);

	munmap(buffer->map, buffer->size);
	close(buffer->dmabuf_fd);
	close(buffer->drm_fd); /* frees the GEM handle */
	free(buffer);
}

static bool buffer_get_dmabuf(struct wlr_buffer *wlr_buffer,
			      struct wlr_dmabuf_attributes *attribs)
{
	struct vpd_cursor_buffer *buffer =
		cursor_buffer_from_buffer(wlr_buffer);

	*attribs = (struct wlr_dmabuf_attributes){
		.width = buffer->base.width,
		.height = buffer->base.height,
		.format = DRM_FORMAT_ARGB8888,
		/* a dumb buffer's layout is linear by definition */
		.modifier = DRM_FORMAT_MOD_LINEAR,
		.n_planes = 1,
		.stride = { buffer->stride },
		.fd = { buffer->dmabuf_fd, -1, -1, -1 },
	};
	return true;
}

static const struct wlr_buffer_impl cursor_buffer_impl = {
	.destroy = buffer_destroy,
	.get_dmabuf = buffer_get_dmabuf,
};

struct vpd_cursor_buffer *
vpd_cursor_buffer_create(struct wlr_backend *drm_backend, uint32_t width,
			 uint32_t height)
{
	struct drm_mode_create_dumb create = { .width = width,
					       .height = height,
					       .bpp = 32 };
	struct drm_mode_map_dumb map = { 0 };
	struct vpd_cursor_buffer *buffer = calloc(1, sizeof(*buffer));

	int drm_fd;

	if (!buffer) {
		log_errno("calloc");
		return NULL;
	}
	drm_fd = wlr_drm_backend_get_non_master_fd(drm_backend);
	if (drm_fd < 0) {
		log_error("cannot open the DRM device for a cursor");
		goto err_free;
	}
	if (drmIoctl(drm_fd, DRM_IOCTL_MODE_CREATE_DUMB, &create)) {
		log_errno("cannot create a %ux%u dumb buffer", width, height);
		goto err_close;
	}
	map.handle = create.handle;
	if (drmIoctl(drm_fd, DRM_IOCTL_MODE_MAP_DUMB, &map)) {
		log_errno("DRM_IOCTL_MODE_MAP_DUMB");
		goto err_close;
	}
	buffer->map = mmap(NULL, create.size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, drm_fd, (off_t)map.offset);
	if (buffer->map == MAP_FAILED) {
		log_errno("mmap of a dumb buffer");
		goto err_close;
	}
	if (drmPrimeHandleToFD(drm_fd, create.handle, DRM_CLOEXEC,
			       &buffer->dmabuf_fd)) {
		log_errno("cannot export a dumb buffer");
		goto err_unmap;
	}
	memset(buffer->map, 0, create.size);
	wlr_buffer_init(&buffer->base, &cursor_buffer_impl, (int)width,
			(int)height);
	buffer->drm_fd = drm_fd;
	buffer->stride = create.pitch;
	buffer->size = create.size;
	return buffer;

err_unmap:
	munmap(buffer->map, create.size);
err_close:
	close(drm_fd); /* frees the dumb buffer if there is one */
err_free:
	free(buffer);
	return NULL;
}
