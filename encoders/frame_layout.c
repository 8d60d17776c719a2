// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "frame_layout.h"

uint32_t enc_format_bpp(uint32_t drm_format)
{
	switch (drm_format) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		return 4;
	case DRM_FORMAT_RGB565:
		return 2;
	default:
		return 0;
	}
}

#define WHY(...)                                          \
	do {                                              \
		if (why)                                  \
			snprintf(why, size, __VA_ARGS__); \
	} while (0)

bool enc_plane_layout_check(const struct enc_plane_layout *l,
			    uint64_t buffer_size, char *why, size_t size)
{
	uint32_t bpp = enc_format_bpp(l->drm_format);
	uint64_t row, last, end;

	if (!bpp) {
		WHY("format 0x%08x is not one vplaned knows", l->drm_format);
		return false;
	}
	if (!l->width || !l->height || l->width > ENC_PLANE_MAX_DIM ||
	    l->height > ENC_PLANE_MAX_DIM) {
		WHY("size %ux%u is not 1..%u", l->width, l->height,
		    ENC_PLANE_MAX_DIM);
		return false;
	}
	row = (uint64_t)l->width * bpp;
	if (l->stride < row) {
		WHY("stride %u < %ux%u bytes of a row", l->stride, l->width,
		    bpp);
		return false;
	}
	/* offset + (height - 1) * stride + row, each step checked */
	if (__builtin_mul_overflow((uint64_t)(l->height - 1), l->stride,
				   &last) ||
	    __builtin_add_overflow(last, l->offset, &end) ||
	    __builtin_add_overflow(end, row, &end) || end > buffer_size) {
		WHY("%ux%u stride %u at offset %llu ends past the buffer's "
		    "%llu bytes",
		    l->width, l->height, l->stride,
		    (unsigned long long)l->offset,
		    (unsigned long long)buffer_size);
		return false;
	}
	return true;
}

int64_t enc_fd_size(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);

	if (size < 0)
		return -1;
	/* a dma-buf answers SEEK_SET 0 only; the offset is not used for
	 * mmap, put it back for anyone who reads */
	lseek(fd, 0, SEEK_SET);
	return (int64_t)size;
}
