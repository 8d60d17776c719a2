// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <wlr/render/wlr_renderer.h>
#include <wlr/util/box.h>

#include <vplane.h>
#include <vplane_display.h>

#include "placeholder.h"
#include "head.h"

#define GLYPH_W	  5
#define GLYPH_H	  7
#define CELL_W	  (GLYPH_W + 1)
#define LINE_H	  (GLYPH_H + 4)
#define MAX_SCALE 6

const float vpd_placeholder_background[4] = { 0.12f, 0.16f, 0.24f, 1.0f };
const float vpd_placeholder_text[4] = { 0.90f, 0.90f, 0.90f, 1.0f };

/* Rows top to bottom, bit 4 the leftmost column; what labels need. */
static const uint8_t font[128][GLYPH_H] = {
	['('] = { 0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02 },
	[')'] = { 0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08 },
	['-'] = { 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00 },
	['.'] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c },
	['/'] = { 0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00 },
	['0'] = { 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e },
	['1'] = { 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e },
	['2'] = { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f },
	['3'] = { 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e },
	['4'] = { 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 },
	['5'] = { 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e },
	['6'] = { 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e },
	['7'] = { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 },
	['8'] = { 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e },
	['9'] = { 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c },
	[':'] = { 0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00 },
	['A'] = { 0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 },
	['B'] = { 0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e },
	['C'] = { 0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e },
	['D'] = { 0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c },
	['E'] = { 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f },
	['F'] = { 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10 },
	['G'] = { 0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f },
	['H'] = { 0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 },
	['I'] = { 0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e },
	['J'] = { 0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c },
	['K'] = { 0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11 },
	['L'] = { 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f },
	['M'] = { 0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11 },
	['N'] = { 0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11 },
	['O'] = { 0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e },
	['P'] = { 0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10 },
	['Q'] = { 0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d },
	['R'] = { 0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11 },
	['S'] = { 0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e },
	['T'] = { 0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 },
	['U'] = { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e },
	['V'] = { 0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04 },
	['W'] = { 0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a },
	['X'] = { 0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11 },
	['Y'] = { 0x11, 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04 },
	['Z'] = { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f },
};

/* What went wrong with a plane the guest enabled (VPLANE_PLANE_STATUS_*). */
static const char *status_text(uint32_t status)
{
	switch (status) {
	case VPLANE_PLANE_STATUS_BAD_FORMAT:
		return "FORMAT";
	case VPLANE_PLANE_STATUS_BAD_SIZE:
		return "SIZE";
	case VPLANE_PLANE_STATUS_BAD_STRIDE:
		return "STRIDE";
	case VPLANE_PLANE_STATUS_BAD_ALIGN:
		return "ALIGNMENT";
	case VPLANE_PLANE_STATUS_BAD_RANGE:
		return "RANGE";
	case VPLANE_PLANE_STATUS_BAD_DOMAIN:
		return "DOMAIN";
	case VPLANE_PLANE_STATUS_BAD_POS:
		return "POSITION";
	case VPLANE_PLANE_STATUS_BAD_HOT:
		return "HOTSPOT";
	}
	return "SETTINGS";
}

static const char *host_text(uint32_t status)
{
	switch (status) {
	case VPLANE_PLANE_STATUS_PIN_FAILED:
		return "GUEST MEMORY NOT MAPPED BY THE VMM";
	case VPLANE_PLANE_STATUS_UNMAPPED:
		return "GUEST MEMORY UNMAPPED BY THE VMM";
	}
	return "HOST OUT OF PLANE RESOURCES";
}

/* The driver's reason (head->has_reason) in words. */
static const char *driver_reason(const struct vpd_head *head, char *buf,
				 size_t size)
{
	switch (head->reason) {
	case VPLANE_DISPLAY_REASON_OFF:
		return "DISABLED BY THE GUEST";
	case VPLANE_DISPLAY_REASON_WAITING:
		return "WAITING FOR THE GUEST";
	case VPLANE_DISPLAY_REASON_CLOSED:
		return "VM NOT RUNNING: DEVICE CLOSED";
	case VPLANE_DISPLAY_REASON_RESET:
		return "DEVICE RESET BY THE VMM";
	case VPLANE_DISPLAY_REASON_LIMIT:
		snprintf(buf, size, "MODE %uX%u OVER THE VGPU LIMIT",
			 head->req_width, head->req_height);
		return buf;
	case VPLANE_DISPLAY_REASON_INVALID:
		snprintf(buf, size, "INVALID PLANE FROM THE GUEST: %s",
			 status_text(head->status));
		return buf;
	case VPLANE_DISPLAY_REASON_HOST:
		return host_text(head->status);
	}
	return "NO PICTURE FROM THE GUEST";
}

const char *vpd_placeholder_reason(const struct vpd_head *head, char *buf,
				   size_t size)
{
	if (!head)
		return "NO VGPU ATTACHED";
	if (head->gone)
		return "VGPU REMOVED";
	if (head->unusable)
		return "PLANE FORMAT OR LAYOUT NOT SUPPORTED";
	if (!head->has_reason)
		return "NO PICTURE FROM THE GUEST"; /* the driver does not say */
	return driver_reason(head, buf, size);
}

/* One line of text at (@x, @y), @scale pixels per font pixel; runs of
 * lit pixels in a glyph row become one rectangle. */
static void draw_text(struct wlr_renderer *renderer, const float proj[9],
		      const char *text, int x, int y, int scale)
{
	for (; *text; text++, x += CELL_W * scale) {
		unsigned char c = (unsigned char)toupper((unsigned char)*text);
		int row, col;

		if (c >= 128)
			continue;
		for (row = 0; row < GLYPH_H; row++) {
			uint8_t bits = font[c][row];

			for (col = 0; col < GLYPH_W; col++) {
				struct wlr_box box;
				int run = 0;

				while (col + run < GLYPH_W &&
				       bits & (0x10 >> (col + run)))
					run++;
				if (!run)
					continue;
				box = (struct wlr_box){
					.x = x + col * scale,
					.y = y + row * scale,
					.width = run * scale,
					.height = scale,
				};
				wlr_render_rect(renderer, &box,
						vpd_placeholder_text, proj);
				col += run;
			}
		}
	}
}

void vpd_placeholder_render(struct wlr_renderer *renderer, const float proj[9],
			    int width, int height, const struct vpd_head *head)
{
	char title[96], reason[64];
	const char *lines[2];
	size_t longest;
	int scale, i, y;

	if (head)
		snprintf(title, sizeof(title), "VGPU %s HEAD %u",
			 head->vgpu->name, head->index);
	else
		snprintf(title, sizeof(title), "VPLANE");
	lines[0] = title;
	lines[1] = vpd_placeholder_reason(head, reason, sizeof(reason));
	longest = strlen(lines[0]) > strlen(lines[1]) ? strlen(lines[0])
						      : strlen(lines[1]);

	wlr_renderer_clear(renderer, vpd_placeholder_background);
	/* as large as fits in 90% of the width, whole pixels only */
	scale = (int)((size_t)width * 9 / 10 / (longest * CELL_W));
	if (scale > MAX_SCALE)
		scale = MAX_SCALE;
	if (scale < 1 || height < 2 * LINE_H)
		return; /* too small for text: the colour says enough */
	y = (height - 2 * LINE_H * scale) / 2;
	for (i = 0; i < 2; i++, y += LINE_H * scale)
		draw_text(renderer, proj, lines[i],
			  (width - (int)strlen(lines[i]) * CELL_W * scale) / 2,
			  y, scale);
}
