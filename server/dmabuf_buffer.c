// SPDX-License-Identifier: MIT
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <vplane_display.h>
#include <wlr/render/dmabuf.h>

#include "log_sink.h"
#include "dmabuf_buffer.h"
#include "frame_layout.h"

static uint64_t map_count;
static uint64_t refused; /* planes that did not fit their dma-buf */

static const struct wlr_buffer_impl buffer_impl;

static struct vpd_dmabuf_buffer *
dmabuf_buffer_from_buffer(struct wlr_buffer *buffer)
{
	struct vpd_dmabuf_buffer *dmabuf_buffer;

	assert(buffer->impl == &buffer_impl);
	return wl_container_of(buffer, dmabuf_buffer, base);
}

static void buffer_destroy(struct wlr_buffer *wlr_buffer)
{
	struct vpd_dmabuf_buffer *buffer =
		dmabuf_buffer_from_buffer(wlr_buffer);

	if (buffer->map)
		munmap(buffer->map, buffer->size);
	close(buffer->fd);
	free(buffer);
}

/* The attributes lend our fd: wlroots dups what it keeps. */
static bool buffer_get_dmabuf(struct wlr_buffer *wlr_buffer,
			      struct wlr_dmabuf_attributes *attribs)
{
	struct vpd_dmabuf_buffer *buffer =
		dmabuf_buffer_from_buffer(wlr_buffer);

	*attribs = (struct wlr_dmabuf_attributes){
		.width = wlr_buffer->width,
		.height = wlr_buffer->height,
		.format = buffer->format,
		.modifier = DRM_FORMAT_MOD_LINEAR,
		.n_planes = 1,
		.offset = { 0 },
		.stride = { buffer->stride },
		.fd = { buffer->fd },
	};
	return true;
}

static bool dma_sync(struct vpd_dmabuf_buffer *buffer, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags | DMA_BUF_SYNC_READ };

	if (!buffer->needs_sync)
		return true;
	while (ioctl(buffer->fd, DMA_BUF_IOCTL_SYNC, &sync) < 0) {
		if (errno != EINTR && errno != EAGAIN) {
			log_errno("DMA_BUF_IOCTL_SYNC");
			return false;
		}
	}
	return true;
}

/*
 * Read access only: the guest owns the pixels. The mapping is made once
 * and kept until destroy, because wlroots' pixman renderer keeps using
 * the pointer after end_data_ptr_access (0.15 wraps it in a pixman image
 * for the texture's lifetime).
 */
static bool buffer_begin_data_ptr_access(struct wlr_buffer *wlr_buffer,
					 uint32_t flags, void **data,
					 uint32_t *format, size_t *stride)
{
	struct vpd_dmabuf_buffer *buffer =
		dmabuf_buffer_from_buffer(wlr_buffer);

	if (flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE)
		return false;
	if (!buffer->map) {
		void *map = mmap(NULL, buffer->size, PROT_READ, MAP_SHARED,
				 buffer->fd, 0);

		if (map == MAP_FAILED) {
			log_errno("mmap of dma-buf %u", buffer->dmabuf_id);
			return false;
		}
		buffer->map = map;
		map_count++;
	}
	if (!dma_sync(buffer, DMA_BUF_SYNC_START))
		return false;
	*data = buffer->map;
	*format = buffer->format;
	*stride = buffer->stride;
	return true;
}

static void buffer_end_data_ptr_access(struct wlr_buffer *wlr_buffer)
{
	dma_sync(dmabuf_buffer_from_buffer(wlr_buffer), DMA_BUF_SYNC_END);
}

static const struct wlr_buffer_impl buffer_impl = {
	.destroy = buffer_destroy,
	.get_dmabuf = buffer_get_dmabuf,
	.begin_data_ptr_access = buffer_begin_data_ptr_access,
	.end_data_ptr_access = buffer_end_data_ptr_access,
};

struct vpd_dmabuf_buffer *
vpd_dmabuf_buffer_create(int fd, const struct vplane_display_plane *plane)
{
	const struct enc_plane_layout layout = {
		.drm_format = plane->drm_format,
		.width = plane->width,
		.height = plane->height,
		.stride = plane->stride,
	};
	int64_t real = enc_fd_size(fd);
	struct vpd_dmabuf_buffer *buffer;
	char why[160];
	bool ok;

	/* the exporter's word is not enough: every byte of the plane in
	 * the dma-buf as it really is (lseek SEEK_END), before any use */
	if (real < 0 || (uint64_t)real < plane->size) {
		snprintf(why, sizeof(why),
			 "the plane claims %u bytes, the dma-buf holds %lld",
			 plane->size, (long long)real);
		ok = false;
	} else {
		ok = enc_plane_layout_check(&layout, plane->size, why,
					    sizeof(why));
	}
	if (!ok) {
		/* an exporter can do it every flip: logged at 1, 2, 4, ... */
		if (!refused++ || !(refused & (refused - 1)))
			log_error("dma-buf %u: unusable plane: %s (%llu "
				  "refused so far)",
				  plane->dmabuf_id, why,
				  (unsigned long long)refused);
		close(fd);
		return NULL;
	}
	buffer = calloc(1, sizeof(*buffer));
	if (!buffer) {
		log_errno("calloc");
		close(fd);
		return NULL;
	}
	wlr_buffer_init(&buffer->base, &buffer_impl, (int)plane->width,
			(int)plane->height);
	buffer->dmabuf_id = plane->dmabuf_id;
	buffer->format = plane->drm_format;
	buffer->stride = plane->stride;
	buffer->size = plane->size;
	buffer->needs_sync = plane->flags & VPLANE_DISPLAY_PLANE_NEEDS_SYNC;
	buffer->fd = fd;
	return buffer;
}

bool vpd_dmabuf_buffer_matches(const struct vpd_dmabuf_buffer *buffer,
			       const struct vplane_display_plane *plane)
{
	return buffer->dmabuf_id == plane->dmabuf_id &&
	       buffer->format == plane->drm_format &&
	       (uint32_t)buffer->base.width == plane->width &&
	       (uint32_t)buffer->base.height == plane->height &&
	       buffer->stride == plane->stride;
}

uint64_t vpd_dmabuf_buffer_get_map_count(void)
{
	return map_count;
}
