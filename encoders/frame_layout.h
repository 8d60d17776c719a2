/* SPDX-License-Identifier: MIT */
/*
 * The one check every importer of a pixel buffer runs before any use
 * (vplaned's dma-buf buffers of both kinds of vGPU and their cursors,
 * the upstream VFIO plane query, the stream encoder's frames): the
 * format is one vplaned knows, and the plane's every byte lies inside
 * the buffer:
 *   stride >= width * bpp, and
 *   offset + (height - 1) * stride + width * bpp <= buffer size,
 * in 64-bit arithmetic with every overflow refused. The buffer's size
 * is the fd's real size (enc_fd_size(): lseek SEEK_END, which dma-bufs,
 * memfds and files all answer), never a size an exporter claims.
 * No GStreamer or wlroots here: both sides link it.
 */
#ifndef ENC_FRAME_LAYOUT_H
#define ENC_FRAME_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest width or height of a plane vplaned takes. */
#define ENC_PLANE_MAX_DIM 16384

struct enc_plane_layout {
	uint32_t drm_format; /* DRM fourcc, single plane, linear */
	uint32_t width, height, stride;
	uint64_t offset; /* of the first pixel */
};

/* Bytes per pixel of a format vplaned handles; 0 for any other. */
uint32_t enc_format_bpp(uint32_t drm_format);

/*
 * True if @layout's pixels all lie in @buffer_size bytes (see above).
 * Else false with @why (@size bytes; may be NULL) saying what is wrong.
 */
bool enc_plane_layout_check(const struct enc_plane_layout *layout,
			    uint64_t buffer_size, char *why, size_t size);

/* The real size of @fd's buffer (borrowed), or -1 (errno set). */
int64_t enc_fd_size(int fd);

#endif /* ENC_FRAME_LAYOUT_H */
