// SPDX-License-Identifier: MIT
#include <drm_fourcc.h>
#include <string.h>

#include <wlr/backend/drm.h>
#include <wlr/interfaces/wlr_output.h>
#include <wlr/types/wlr_output.h>
#include <wlr/util/box.h>

#include "log_sink.h"
#include "cursor_buffer.h"
#include "dmabuf_buffer.h"
#include "output.h"
#include "output_cursor.h"
#include "head.h"

/*
 * Why not wlr_output_cursor on the kiosk: in wlroots 0.15.1 the pixman
 * renderer lists its formats with the implicit modifier only
 * (DRM_FORMAT_MOD_INVALID, render/pixman/renderer.c), while the DRM
 * backend gives a cursor plane LINEAR only (add_plane() in
 * backend/drm/drm.c keeps implicit layouts off cursor planes). The two
 * sets do not intersect, so output_pick_format() finds no cursor format
 * ("Failed to pick cursor format") and wlroots falls back to a software
 * cursor. No environment variable changes either set
 * (WLR_DRM_NO_MODIFIERS only skips IN_FORMATS; the cursor plane stays
 * LINEAR-only), and 0.15's DRM dumb allocator labels its buffers INVALID,
 * which drm_fb_import() would refuse for the cursor plane anyway. (0.16's
 * pixman renderer also lists LINEAR.)
 *
 * So the image goes to the backend's set_cursor (wlr_output_impl) in a
 * LINEAR ARGB8888 dumb buffer of our own (cursor_buffer.c). The backend
 * takes only buffers of exactly the driver's cursor size (vkms: 512x512),
 * so the guest's cursor dma-buf cannot go there itself: its pixels are
 * copied into the top-left corner, once per cursor image (at most
 * 256x256, never the primary plane's pixels).
 */

/* Put @cur (NULL: nothing) on the output's KMS cursor plane. */
static bool set_plane_cursor(struct vpd_output *output,
			     struct vpd_dmabuf_buffer *cur, int hot_x,
			     int hot_y)
{
	struct wlr_output *wo = output->wlr_output;
	struct vpd_cursor_buffer *plane_buf;
	int width = 0, height = 0;
	void *data;
	uint32_t format;
	size_t stride;
	bool ok;

	if (!wlr_output_is_drm(wo) || !wo->impl->set_cursor ||
	    !wo->impl->move_cursor || !wo->impl->get_cursor_size)
		return false;
	if (!cur)
		return wo->impl->set_cursor(wo, NULL, 0, 0);
	wo->impl->get_cursor_size(wo, &width, &height);
	if (cur->format != DRM_FORMAT_ARGB8888 || cur->base.width > width ||
	    cur->base.height > height)
		return false;
	plane_buf = vpd_cursor_buffer_create(wo->backend, (uint32_t)width,
					     (uint32_t)height);
	if (!plane_buf)
		return false;
	ok = wlr_buffer_begin_data_ptr_access(&cur->base,
					      WLR_BUFFER_DATA_PTR_ACCESS_READ,
					      &data, &format, &stride);
	if (ok) {
		for (int y = 0; y < cur->base.height; y++)
			memcpy(plane_buf->map + (size_t)y * plane_buf->stride,
			       (const uint8_t *)data + (size_t)y * stride,
			       (size_t)cur->base.width * 4);
		wlr_buffer_end_data_ptr_access(&cur->base);
		ok = wo->impl->set_cursor(wo, &plane_buf->base, hot_x, hot_y);
	}
	/* the backend holds its own lock while the plane shows it */
	wlr_buffer_drop(&plane_buf->base);
	return ok;
}

/* Hand @cur's pixels (at most 256x256) to wlr_output_cursor. */
static void set_image_cursor(struct vpd_output *output,
			     struct vpd_dmabuf_buffer *cur, int hot_x,
			     int hot_y)
{
	void *data;
	uint32_t format;
	size_t stride;

	/* wlr_output_cursor_set_image() takes ARGB8888 rows of whole
	 * pixels: any other cursor is not shown (the layout itself was
	 * checked against the dma-buf when it was imported) */
	if (cur && (cur->format != DRM_FORMAT_ARGB8888 || cur->stride % 4)) {
		static uint32_t logged; /* the last format logged */

		if (logged != cur->format)
			log_info("%s: the guest's cursor format 0x%08x (stride "
				 "%u) is not shown (ARGB8888 only)",
				 output->wlr_output->name, cur->format,
				 cur->stride);
		logged = cur->format;
		cur = NULL;
	}
	if (cur && wlr_buffer_begin_data_ptr_access(
			   &cur->base, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
			   &format, &stride)) {
		wlr_output_cursor_set_image(
			output->cursor, data, (int32_t)(stride / 4),
			(uint32_t)cur->base.width, (uint32_t)cur->base.height,
			hot_x, hot_y);
		wlr_buffer_end_data_ptr_access(&cur->base);
	} else {
		wlr_output_cursor_set_image(output->cursor, NULL, 0, 0, 0, 0,
					    0);
	}
}

static void show_image(struct vpd_output *output, struct vpd_dmabuf_buffer *cur,
		       int hot_x, int hot_y)
{
	struct wlr_output *wo = output->wlr_output;

	if (cur) {
		/* wlr_output_cursor off first: if it held the plane, clearing
		 * it later would clear ours */
		wlr_output_cursor_set_image(output->cursor, NULL, 0, 0, 0, 0,
					    0);
		if (set_plane_cursor(output, cur, hot_x, hot_y)) {
			if (!output->cursor_on_plane)
				log_info("%s: the guest cursor is on the KMS "
					 "cursor plane",
					 wo->name);
			output->cursor_on_plane = true;
			return;
		}
		if (wlr_output_is_drm(wo))
			log_info("%s: the KMS cursor plane cannot show the "
				 "guest's %dx%d cursor (format 0x%08x); "
				 "wlroots shows it",
				 wo->name, cur->base.width, cur->base.height,
				 cur->format);
	}
	if (output->cursor_on_plane)
		set_plane_cursor(output, NULL, 0, 0);
	output->cursor_on_plane = false;
	set_image_cursor(output, cur, hot_x, hot_y);
}

void vpd_output_cursor_update(struct vpd_output *output,
			      const struct wlr_box *box, int head_w)
{
	struct vpd_head *src = output->head;
	struct vpd_dmabuf_buffer *cur = src && !src->gone ? src->cursor : NULL;
	int hot_x = cur ? (int)src->cursor_hot_x : 0;
	int hot_y = cur ? (int)src->cursor_hot_y : 0;
	double scale, x, y;

	if (!output->cursor)
		return;
	if (cur != output->cursor_image || hot_x != output->cursor_hot_x ||
	    hot_y != output->cursor_hot_y) {
		output->cursor_image = cur;
		output->cursor_hot_x = hot_x;
		output->cursor_hot_y = hot_y;
		show_image(output, cur, hot_x, hot_y);
	}
	if (!cur || head_w <= 0)
		return;
	/* the hotspot's place in output pixels; the image is not scaled */
	scale = (double)box->width / head_w;
	x = box->x + (src->cursor_x + (double)hot_x) * scale;
	y = box->y + (src->cursor_y + (double)hot_y) * scale;
	if (output->cursor_on_plane)
		output->wlr_output->impl->move_cursor(output->wlr_output,
						      (int)x, (int)y);
	else
		wlr_output_cursor_move(output->cursor, x, y);
}
