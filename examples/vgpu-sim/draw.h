/* SPDX-License-Identifier: MIT */
/*
 * The guest half's drawing: an animated test pattern whose first row
 * carries a machine-readable stamp, and a cursor image.
 *
 * Stamp (first 32 bytes of row 0, little-endian u32/u64, any format):
 *   u32 magic SIM_STAMP_MAGIC, u32 frame, u64 CLOCK_MONOTONIC ns at draw,
 *   u32 head, u32 width, u32 height, u32 ~frame.
 * For eyes and lossy encoders the frame counter is also drawn as 32
 * 16x16 blocks (bit 0 leftmost, white = 1) at y 16..31, and the low 32
 * bits of the timestamp in milliseconds the same way at y 32..47.
 */
#ifndef VPLANE_SIM_DRAW_H
#define VPLANE_SIM_DRAW_H

#include <stdint.h>

#define SIM_STAMP_MAGIC 0x504d5453u /* "STMP" */
#define SIM_CURSOR_SIZE 64

struct sim_fb {
	uint8_t *data;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint32_t format; /* DRM fourcc */
};

/* Bytes per pixel of a supported format, 0 if unsupported. */
uint32_t sim_format_cpp(uint32_t format);
/* Parse "xrgb8888" etc.; 0 if unknown. */
uint32_t sim_format_parse(const char *name);

void sim_draw_frame(const struct sim_fb *fb, uint32_t frame, uint64_t ts_ns,
		    uint32_t head);
/* A 64x64 ARGB8888 ring with a dot at the hotspot (@hot, @hot). */
void sim_draw_cursor(uint8_t *data, uint32_t stride, uint32_t hot);

#endif
