// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <drm_fourcc.h>

#include "draw.h"

static const struct {
	const char *name;
	uint32_t fourcc;
	uint32_t cpp;
} formats[] = {
	{ "xrgb8888", DRM_FORMAT_XRGB8888, 4 },
	{ "argb8888", DRM_FORMAT_ARGB8888, 4 },
	{ "xbgr8888", DRM_FORMAT_XBGR8888, 4 },
	{ "abgr8888", DRM_FORMAT_ABGR8888, 4 },
	{ "rgb565", DRM_FORMAT_RGB565, 2 },
};

uint32_t sim_format_cpp(uint32_t format)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fourcc == format)
			return formats[i].cpp;
	return 0;
}

uint32_t sim_format_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcasecmp(formats[i].name, name))
			return formats[i].fourcc;
	return 0;
}

static uint32_t pack(uint32_t format, uint8_t r, uint8_t g, uint8_t b)
{
	switch (format) {
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		return 0xffu << 24 | (uint32_t)b << 16 | (uint32_t)g << 8 | r;
	case DRM_FORMAT_RGB565:
		return (uint32_t)(r >> 3) << 11 | (uint32_t)(g >> 2) << 5 |
		       b >> 3;
	default:
		return 0xffu << 24 | (uint32_t)r << 16 | (uint32_t)g << 8 | b;
	}
}

static void put(uint8_t *p, uint32_t cpp, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	if (cpp == 4) {
		p[2] = v >> 16;
		p[3] = v >> 24;
	}
}

static void fill_rect(const struct sim_fb *fb, uint32_t x, uint32_t y,
		      uint32_t w, uint32_t h, uint32_t pixel)
{
	uint32_t cpp = sim_format_cpp(fb->format), i, j;

	if (x >= fb->width || y >= fb->height)
		return;
	if (w > fb->width - x)
		w = fb->width - x;
	if (h > fb->height - y)
		h = fb->height - y;
	for (j = 0; j < h; j++) {
		uint8_t *row = fb->data + (size_t)(y + j) * fb->stride +
			       (size_t)x * cpp;

		for (i = 0; i < w; i++)
			put(row + (size_t)i * cpp, cpp, pixel);
	}
}

static void draw_bits(const struct sim_fb *fb, uint32_t y, uint32_t value)
{
	uint32_t white = pack(fb->format, 255, 255, 255);
	uint32_t black = pack(fb->format, 0, 0, 0);
	unsigned int i;

	for (i = 0; i < 32; i++)
		fill_rect(fb, i * 16, y, 16, 16,
			  value >> i & 1 ? white : black);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

void sim_draw_frame(const struct sim_fb *fb, uint32_t frame, uint64_t ts_ns,
		    uint32_t head)
{
	static const uint8_t bars[8][3] = {
		{ 255, 255, 255 }, { 255, 255, 0 }, { 0, 255, 255 },
		{ 0, 255, 0 },	   { 255, 0, 255 }, { 255, 0, 0 },
		{ 0, 0, 255 },	   { 32, 32, 32 },
	};
	uint32_t cpp = sim_format_cpp(fb->format);
	uint32_t bar_w = fb->width / 8 ? fb->width / 8 : 1;
	uint32_t x, y, box = 64, bx, by, span;
	uint8_t *row0 = fb->data;

	/* scrolling colour bars: draw one row, copy it down */
	for (x = 0; x < fb->width; x++) {
		const uint8_t *c = bars[((x + frame * 4) / bar_w) % 8];

		put(row0 + (size_t)x * cpp, cpp,
		    pack(fb->format, c[0], c[1] >> (head & 1), c[2]));
	}
	for (y = 1; y < fb->height; y++)
		memcpy(fb->data + (size_t)y * fb->stride, row0,
		       (size_t)fb->width * cpp);

	/* a bouncing box */
	span = fb->width > box ? fb->width - box : 1;
	bx = frame * 7 % (2 * span);
	bx = bx < span ? bx : 2 * span - bx;
	span = fb->height > box + 48 ? fb->height - box - 48 : 1;
	by = frame * 5 % (2 * span);
	by = 48 + (by < span ? by : 2 * span - by);
	fill_rect(fb, bx, by, box, box, pack(fb->format, 0, 0, 0));
	fill_rect(fb, bx + 8, by + 8, box - 16, box - 16,
		  pack(fb->format, 255, 128, 0));

	draw_bits(fb, 16, frame);
	draw_bits(fb, 32, (uint32_t)(ts_ns / 1000000));

	/* the stamp, raw bytes at the start of row 0 */
	if ((size_t)fb->width * cpp >= 32) {
		put_le32(row0 + 0, SIM_STAMP_MAGIC);
		put_le32(row0 + 4, frame);
		put_le32(row0 + 8, (uint32_t)ts_ns);
		put_le32(row0 + 12, (uint32_t)(ts_ns >> 32));
		put_le32(row0 + 16, head);
		put_le32(row0 + 20, fb->width);
		put_le32(row0 + 24, fb->height);
		put_le32(row0 + 28, ~frame);
	}
}

void sim_draw_cursor(uint8_t *data, uint32_t stride, uint32_t hot)
{
	int x, y, c = SIM_CURSOR_SIZE / 2;

	for (y = 0; y < SIM_CURSOR_SIZE; y++) {
		for (x = 0; x < SIM_CURSOR_SIZE; x++) {
			int dx = x - c, dy = y - c, r2 = dx * dx + dy * dy;
			int hx = x - (int)hot, hy = y - (int)hot;
			uint32_t px = 0;

			if (r2 < 30 * 30 && r2 > 24 * 24)
				px = 0xffffffffu; /* white ring */
			else if (r2 <= 24 * 24)
				px = 0x80ff0000u; /* translucent red */
			if (hx * hx + hy * hy <= 4)
				px = 0xff000000u; /* hotspot dot */
			put_le32(data + (size_t)y * stride + (size_t)x * 4, px);
		}
	}
}
