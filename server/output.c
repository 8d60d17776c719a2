// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <time.h>

#include <wlr/render/allocator.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_matrix.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/util/box.h>

#include "log_sink.h"
#include "dmabuf_buffer.h"
#include "output.h"
#include "output_cursor.h"
#include "output_stream.h"
#include "placeholder.h"
#include "server.h"
#include "head.h"
#include "streaming.h"

/*
 * wlroots 0.16+ would simplify this file: wlr_output_state lets a commit
 * be built and tested without touching the output's pending state (no
 * rollback and mode re-apply between the direct and composited tries),
 * and wlr_scene_buffer with wlr_scene_output_commit() does the
 * direct-scanout-or-composite choice and damage tracking itself.
 */

/* The resolution the next commit will have. */
static void pending_size(struct vpd_output *output, int *width, int *height)
{
	struct wlr_output *wo = output->wlr_output;

	if (wo->pending.committed & WLR_OUTPUT_STATE_MODE &&
	    wo->pending.mode_type == WLR_OUTPUT_STATE_MODE_CUSTOM) {
		*width = wo->pending.custom_mode.width;
		*height = wo->pending.custom_mode.height;
	} else {
		*width = wo->width;
		*height = wo->height;
	}
}

/* Headless outputs follow the head's mode. */
static void apply_mode(struct vpd_output *output)
{
	struct wlr_output *wo = output->wlr_output;
	struct vpd_head *src = output->head;

	if (!output->server->headless || !src || !src->width || !src->height)
		return;
	if ((uint32_t)wo->width == src->width &&
	    (uint32_t)wo->height == src->height)
		return;
	wlr_output_set_custom_mode(wo, (int32_t)src->width,
				   (int32_t)src->height,
				   (int32_t)src->refresh_mhz);
}

/* Fit @buffer's size into the output, centred, aspect kept. */
static struct wlr_box fit_box(int out_w, int out_h, int w, int h)
{
	struct wlr_box box = { 0, 0, w, h };

	if (w == out_w && h == out_h)
		return box;
	if ((int64_t)out_w * h <= (int64_t)out_h * w) {
		box.width = out_w;
		box.height = (int)((int64_t)h * out_w / w);
	} else {
		box.height = out_h;
		box.width = (int)((int64_t)w * out_h / h);
	}
	box.x = (out_w - box.width) / 2;
	box.y = (out_h - box.height) / 2;
	return box;
}

/* Draw @texture (may be NULL) into @box. */
static void render_texture(struct wlr_renderer *renderer, const float proj[9],
			   struct wlr_texture *texture,
			   const struct wlr_box *box)
{
	float mat[9];

	if (!texture)
		return;
	wlr_matrix_project_box(mat, box, WL_OUTPUT_TRANSFORM_NORMAL, 0, proj);
	wlr_render_texture_with_matrix(renderer, texture, mat, 1.0f);
}

static bool composite(struct vpd_output *output, struct wlr_buffer *primary,
		      const struct wlr_box *box)
{
	static const float black[4] = { 0.0f, 0.0f, 0.0f, 1.0f };
	struct wlr_output *wo = output->wlr_output;
	struct wlr_renderer *renderer = output->server->renderer;
	struct wlr_texture *texture = NULL;
	float proj[9];
	int w, h;

	/* before rendering: 0.15 asserts no texture is made while rendering */
	if (primary) {
		texture = wlr_texture_from_buffer(renderer, primary);
		if (!texture)
			log_error("%s: the renderer cannot read the %dx%d vGPU "
				  "buffer",
				  wo->name, primary->width, primary->height);
	}
	if (!wlr_output_attach_render(wo, NULL)) {
		log_error("%s: cannot get a buffer to render into", wo->name);
		if (texture)
			wlr_texture_destroy(texture);
		return false;
	}
	pending_size(output, &w, &h);
	/* output pixels to render target: the output transform, which is
	 * NORMAL here (wlroots 0.15 renderers add their own projection in
	 * begin; this is wlr_output.transform_matrix for NORMAL) */
	wlr_matrix_identity(proj);
	wlr_renderer_begin(renderer, (uint32_t)w, (uint32_t)h);
	if (texture) {
		wlr_renderer_clear(renderer, black);
		render_texture(renderer, proj, texture, box);
	} else {
		/* nothing to show, or nothing we can read: say why */
		if (primary && output->head)
			output->head->unusable = true;
		vpd_placeholder_render(renderer, proj, w, h, output->head);
	}
	wlr_output_render_software_cursors(wo, NULL);
	wlr_renderer_end(renderer);
	if (texture)
		wlr_texture_destroy(texture);
	return true;
}

static void commit_frame(struct vpd_output *output)
{
	struct wlr_output *wo = output->wlr_output;
	struct vpd_head *src = output->head;
	struct wlr_buffer *primary =
		src && src->primary ? &src->primary->base : NULL;
	struct wlr_box box = { 0 };
	bool direct = false;
	int w, h;

	output->dirty = false;
	apply_mode(output);
	pending_size(output, &w, &h);
	if (primary)
		box = fit_box(w, h, primary->width, primary->height);
	vpd_output_cursor_update(output, &box, primary ? primary->width : 0);

	if (primary) {
		wlr_output_attach_buffer(wo, primary);
		direct = wlr_output_test(wo);
		if (!direct) {
			/* a capture client (wayvnc) toggles this every
			 * frame: say it once at info level */
			if (!output->direct_failed_logged)
				log_at(output->direct_toggled ? LOG_LEVEL_DEBUG
							      : LOG_LEVEL_INFO,
				       "%s: direct scanout of %s refused "
				       "(size, format, capture or cursor); "
				       "compositing",
				       wo->name, src->name);
			if (!output->direct_failed_logged)
				output->direct_refusals++;
			output->direct_failed_logged = true;
			output->direct_tried = true;
			output->direct_now = false;
			wlr_output_rollback(wo);
			apply_mode(output);
		}
	}
	if (!direct && !composite(output, primary, &box)) {
		wlr_output_rollback(wo);
		return;
	}

	if (!wlr_output_commit(wo)) {
		log_error("%s: commit failed (%s)", wo->name,
			  direct ? "direct scanout" : "composited");
		return;
	}
	/* the frame shows the head's newest flip: acked once presented
	 * (headless has presented it already, inside the commit) */
	if (src && src->has_seq && !src->gone)
		vpd_frame_ack_commit(&src->frame_ack, wo->commit_seq, src->seq,
				     src->last_flip_ns);
	if (direct) {
		if (!output->frames_direct || output->direct_failed_logged) {
			log_at(output->direct_toggled ? LOG_LEVEL_DEBUG
						      : LOG_LEVEL_INFO,
			       "%s: direct scanout of %s", wo->name, src->name);
			output->direct_starts++;
		}
		output->direct_tried = true;
		output->direct_now = true;
		if (output->direct_failed_logged)
			output->direct_toggled = true;
		output->direct_failed_logged = false;
		output->frames_direct++;
	} else {
		output->frames_composited++;
	}
}

static void handle_output_frame(struct wl_listener *listener, void *data)
{
	struct vpd_output *output = wl_container_of(listener, output, frame);

	if (!output->dirty && output->wlr_output->attach_render_locks == 0)
		return;
	commit_frame(output);
}

static void handle_output_present(struct wl_listener *listener, void *data)
{
	struct vpd_output *output = wl_container_of(listener, output, present);
	struct wlr_output_event_present *event = data;
	uint64_t when_ns = 0;

	if (!output->head)
		return;
	if (event->when)
		when_ns = (uint64_t)event->when->tv_sec * 1000000000u +
			  (uint64_t)event->when->tv_nsec;
	vpd_frame_ack_present(&output->head->frame_ack, event->commit_seq,
			      event->presented, when_ns);
}

static void handle_head_frame(struct wl_listener *listener, void *data)
{
	struct vpd_output *output =
		wl_container_of(listener, output, head_frame);

	vpd_output_damage(output);
}

static void handle_head_destroy(struct wl_listener *listener, void *data)
{
	struct vpd_output *output =
		wl_container_of(listener, output, head_destroy);

	vpd_output_set_head(output, NULL);
}

static void handle_output_destroy(struct wl_listener *listener, void *data)
{
	struct vpd_output *output = wl_container_of(listener, output, destroy);

	log_info("%s: gone after %llu direct and %llu composited frames",
		 output->wlr_output->name,
		 (unsigned long long)output->frames_direct,
		 (unsigned long long)output->frames_composited);
	/* first: it releases its ack holds into the head's frame_ack */
	vpd_output_stream_destroy(output->stream);
	vpd_output_set_head(output, NULL);
	wl_list_remove(&output->frame.link);
	wl_list_remove(&output->present.link);
	wl_list_remove(&output->destroy.link);
	wl_list_remove(&output->head_frame.link);
	wl_list_remove(&output->head_destroy.link);
	wl_list_remove(&output->link);
	/* the output's cursors are destroyed with it */
	free(output);
}

bool vpd_output_head_box(const struct vpd_output *output, struct wlr_box *box)
{
	const struct vpd_head *head = output->head;
	const struct wlr_buffer *primary;

	if (!head || !head->primary)
		return false;
	primary = &head->primary->base;
	*box = fit_box(output->wlr_output->width, output->wlr_output->height,
		       primary->width, primary->height);
	return box->width > 0 && box->height > 0;
}

void vpd_output_damage(struct vpd_output *output)
{
	output->dirty = true;
	wlr_output_schedule_frame(output->wlr_output);
}

void vpd_output_set_head(struct vpd_output *output, struct vpd_head *head)
{
	struct vpd_head *old = output->head;

	if (old == head)
		return;
	if (old) {
		wl_list_remove(&output->head_frame.link);
		wl_list_remove(&output->head_destroy.link);
		wl_list_init(&output->head_frame.link);
		wl_list_init(&output->head_destroy.link);
		old->output = NULL;
		vpd_frame_ack_hide(&old->frame_ack);
	}
	output->head = head;
	if (head) {
		vpd_frame_ack_show(&head->frame_ack);
		wl_signal_add(&head->events.frame, &output->head_frame);
		wl_signal_add(&head->events.destroy, &output->head_destroy);
		head->output = output;
		log_info("%s shows vGPU head %s", output->wlr_output->name,
			 head->name);
	}
	/* its stream follows the head: a path names the head it shows */
	if (output->server->streaming)
		vpd_streaming_add_output(output->server->streaming, output);
	vpd_output_damage(output);
	/* where each head is shown is part of its state */
	if (old)
		vpd_head_check_state(old);
	if (head)
		vpd_head_check_state(head);
}

struct vpd_output *vpd_output_create(struct vpd_server *server,
				     struct wlr_output *wlr_output)
{
	struct vpd_output *output = calloc(1, sizeof(*output));

	if (!output) {
		log_errno("calloc");
		return NULL;
	}
	if (!wlr_output_init_render(wlr_output, server->allocator,
				    server->renderer)) {
		log_error("%s: cannot set up rendering", wlr_output->name);
		free(output);
		return NULL;
	}
	output->server = server;
	output->wlr_output = wlr_output;

	if (!wl_list_empty(&wlr_output->modes)) {
		struct wlr_output_mode *mode =
			wlr_output_preferred_mode(wlr_output);

		if (mode)
			wlr_output_set_mode(wlr_output, mode);
	}
	wlr_output_enable(wlr_output, true);
	if (!wlr_output_commit(wlr_output)) {
		log_error("%s: cannot enable it", wlr_output->name);
		free(output);
		return NULL;
	}

	output->frame.notify = handle_output_frame;
	wl_signal_add(&wlr_output->events.frame, &output->frame);
	output->present.notify = handle_output_present;
	wl_signal_add(&wlr_output->events.present, &output->present);
	output->destroy.notify = handle_output_destroy;
	wl_signal_add(&wlr_output->events.destroy, &output->destroy);
	output->head_frame.notify = handle_head_frame;
	wl_list_init(&output->head_frame.link);
	output->head_destroy.notify = handle_head_destroy;
	wl_list_init(&output->head_destroy.link);
	wl_list_insert(server->outputs.prev, &output->link);

	output->cursor = wlr_output_cursor_create(wlr_output);
	wlr_output_layout_add_auto(server->layout, wlr_output);
	log_info("output %s: %dx%d", wlr_output->name, wlr_output->width,
		 wlr_output->height);
	vpd_output_damage(output);
	return output;
}
