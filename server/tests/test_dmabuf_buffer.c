// SPDX-License-Identifier: MIT
/*
 * vpd_dmabuf_buffer_create(), the importer of every vGPU plane (display
 * node and upstream VFIO, primary and cursor), against planes that do
 * not fit their dma-buf: memfds of chosen sizes stand in for dma-bufs on
 * the host (lseek SEEK_END answers the real size for both). A plane that
 * claims more bytes than the buffer holds, a stride short of a row or a
 * last row past the end is refused (its fd closed); a plane that fits is
 * taken and every byte of it reads through the CPU mapping.
 */
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <vplane_display.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/util/log.h>

#include "../libvplane/tests/check.h"
#include "dmabuf_buffer.h"

static int memfd_of(uint32_t size)
{
	int fd = memfd_create("plane", MFD_CLOEXEC);

	CHECK(fd >= 0 && ftruncate(fd, size) == 0);
	return fd;
}

/* Import; if taken, read the plane's last byte and drop it. */
static bool import(const char *what, uint32_t fd_size,
		   struct vplane_display_plane plane)
{
	int fd = memfd_of(fd_size);
	struct vpd_dmabuf_buffer *b = vpd_dmabuf_buffer_create(fd, &plane);

	fprintf(stderr, "%-40s %s\n", what, b ? "taken" : "refused");
	if (!b) {
		CHECK(!fd_is_open(fd)); /* closed on refusal */
		return false;
	}
	{
		void *data;
		uint32_t format;
		size_t stride;
		uint32_t bpp = plane.drm_format == DRM_FORMAT_RGB565 ? 2 : 4;

		CHECK(wlr_buffer_begin_data_ptr_access(
			&b->base, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
			&format, &stride));
		/* a plane past the buffer would SIGBUS here */
		CHECK(((volatile uint8_t *)
			       data)[(size_t)(plane.height - 1) * stride +
				     plane.width * bpp - 1] == 0);
		wlr_buffer_end_data_ptr_access(&b->base);
	}
	wlr_buffer_drop(&b->base);
	return true;
}

static struct vplane_display_plane plane_of(uint32_t format, uint32_t w,
					    uint32_t h, uint32_t stride,
					    uint32_t size)
{
	return (struct vplane_display_plane){
		.flags = VPLANE_DISPLAY_PLANE_ENABLED,
		.drm_format = format,
		.dmabuf_id = 1,
		.width = w,
		.height = h,
		.stride = stride,
		.size = size,
	};
}

int main(void)
{
	const uint32_t X = DRM_FORMAT_XRGB8888, A = DRM_FORMAT_ARGB8888;

	wlr_log_init(WLR_ERROR, NULL);
	CHECK(import("fits", 640 * 4 * 480,
		     plane_of(X, 640, 480, 2560, 640 * 4 * 480)));
	CHECK(import("cursor 64x64 fits", 16384,
		     plane_of(A, 64, 64, 256, 16384)));
	CHECK(import("RGB565 fits", 640 * 2 * 480,
		     plane_of(DRM_FORMAT_RGB565, 640, 480, 1280, 614400)));
	CHECK(!import("claims a page more than the dma-buf", 640 * 4 * 480,
		      plane_of(X, 640, 480, 2560, 640 * 4 * 480 + 4096)));
	CHECK(!import("claims 4x the dma-buf", 4096 * 4,
		      plane_of(X, 640, 480, 2560, 640 * 4 * 480)));
	CHECK(!import("cursor claims more than its dma-buf", 4096,
		      plane_of(A, 64, 64, 256, 16384)));
	CHECK(!import("stride short of a row", 640 * 4 * 480,
		      plane_of(X, 640, 480, 2556, 640 * 4 * 480)));
	CHECK(!import("last row past the size", 2560 * 480,
		      plane_of(X, 640, 480, 2560, 2560 * 479 + 2559)));
	CHECK(!import("height past the bound", 1u << 30,
		      plane_of(X, 1, 0x100000, 4, 1u << 30)));
	CHECK(!import("unknown format", 640 * 480 * 2,
		      plane_of(DRM_FORMAT_NV12, 640, 480, 640, 640 * 480 * 2)));
	CHECK(!import("empty dma-buf", 0, plane_of(X, 1, 1, 4, 4)));
	return check_result("dmabuf-buffer");
}
