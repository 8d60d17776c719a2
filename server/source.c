// SPDX-License-Identifier: MIT
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vplane/event.h>
#include <vplane_display.h>
#include <wlr/util/log.h>

#include "dmabuf_buffer.h"
#include "source.h"

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

void vp_source_set_buffer(struct vp_dmabuf_buffer **slot,
			  struct vp_dmabuf_buffer *buffer)
{
	if (*slot == buffer)
		return;
	if (buffer)
		wlr_buffer_lock(&buffer->base);
	if (*slot)
		wlr_buffer_unlock(&(*slot)->base);
	*slot = buffer;
}

static void read_source_state(const struct vp_source *source,
			      struct vp_source_state *st)
{
	*st = (struct vp_source_state){
		.width = source->width,
		.height = source->height,
		.refresh_mhz = source->refresh_mhz,
		.enabled = source->primary && !source->gone,
		.gone = source->gone,
		.output = source->output,
	};
	if (st->enabled)
		st->format = source->primary->format;
}

static bool source_state_equal(const struct vp_source_state *a,
			       const struct vp_source_state *b)
{
	return a->width == b->width && a->height == b->height &&
	       a->refresh_mhz == b->refresh_mhz && a->format == b->format &&
	       a->enabled == b->enabled && a->gone == b->gone &&
	       a->output == b->output;
}

void vp_source_check_state(struct vp_source *source)
{
	struct vp_source_state now;

	read_source_state(source, &now);
	if (source_state_equal(&now, &source->announced))
		return;
	source->announced = now;
	wl_signal_emit(&source->events.state, source);
}

void vp_source_changed(struct vp_source *source)
{
	wl_signal_emit(&source->events.frame, source);
	vp_source_check_state(source);
}

static void note_seq(struct vp_source *source, uint32_t seq)
{
	if (!source->has_seq || vp_seq_after(seq, source->seq)) {
		source->seq = seq;
		source->has_seq = true;
	}
}

/* Show @plane (borrowed) as @source's plane @plane_idx, its dma-buf
 * @buffer (NULL if disabled or unusable). */
static void show_plane(struct vp_source *source, uint32_t plane_idx,
		       const struct vplane_display_plane *plane,
		       struct vp_dmabuf_buffer *buffer)
{
	bool enabled =
		plane->flags & VPLANE_DISPLAY_PLANE_ENABLED && plane->dmabuf_id;

	if (plane_idx == VPLANE_DISPLAY_PLANE_PRIMARY) {
		source->unusable = enabled && !buffer;
		source->has_reason =
			plane->argsz >=
			offsetofend(struct vplane_display_plane, req_height);
		source->reason = plane->reason;
		source->status = plane->status;
		source->req_width = plane->req_width;
		source->req_height = plane->req_height;
		vp_source_set_buffer(&source->primary, buffer);
		if (enabled) {
			source->width = plane->head_width;
			source->height = plane->head_height;
			source->refresh_mhz = plane->refresh_mhz;
		}
	} else {
		vp_source_set_buffer(&source->cursor, buffer);
		source->cursor_x = plane->x;
		source->cursor_y = plane->y;
		source->cursor_hot_x =
			plane->x_hot == 0xffffffffu ? 0 : plane->x_hot;
		source->cursor_hot_y =
			plane->y_hot == 0xffffffffu ? 0 : plane->y_hot;
	}
	if (enabled)
		note_seq(source, plane->flip_seq);
}

/* Re-read one plane of @source's head. */
static void source_query_plane(struct vp_source *source, uint32_t plane_idx)
{
	struct vp_vgpu *vgpu = source->vgpu;
	struct vplane_display_plane plane;
	struct vp_dmabuf_buffer *buffer = NULL;

	if (!vp_vgpu_query_plane(vgpu, source->head, plane_idx, &plane))
		return; /* logged; the vGPU may be going away */
	if (plane.flags & VPLANE_DISPLAY_PLANE_ENABLED && plane.dmabuf_id)
		buffer = vp_vgpu_buffer_for(vgpu, &plane);
	show_plane(source, plane_idx, &plane, buffer);
}

/*
 * A primary flip naming a buffer the cache holds: show it without a
 * query. The id still names the same framebuffer (the driver never gives
 * an id out again while we hold its dma-buf), and what else the query
 * would say holds since the cached read: the head's mode changes only
 * with a MODE event, which empties the cache, and a bochs head's mode is
 * its framebuffer's. The cursor is always re-read: its hotspot is not in
 * the event. False if the plane must be queried.
 */
static bool show_cached(struct vp_source *source,
			const struct vplane_display_event *event)
{
	const struct vplane_display_plane *cached;
	struct vplane_display_plane plane;
	struct vp_dmabuf_buffer *buffer;

	if (event->plane != VPLANE_DISPLAY_PLANE_PRIMARY || !event->dmabuf_id)
		return false;
	buffer = vp_buffer_cache_find(&source->vgpu->buffers, event->dmabuf_id,
				      &cached);
	if (!buffer)
		return false;
	plane = *cached;
	plane.x = event->x;
	plane.y = event->y;
	plane.flip_seq = event->seq;
	show_plane(source, event->plane, &plane, buffer);
	return true;
}

void vp_source_read_planes(struct vp_source *source)
{
	source_query_plane(source, VPLANE_DISPLAY_PLANE_PRIMARY);
	source_query_plane(source, VPLANE_DISPLAY_PLANE_CURSOR);
}

void vp_source_flip(struct vp_source *source,
		    const struct vplane_display_event *event)
{
	if (event->plane > VPLANE_DISPLAY_PLANE_CURSOR)
		return;
	source->flips++;
	source->flips_dropped += event->dropped;
	if (event->plane == VPLANE_DISPLAY_PLANE_PRIMARY)
		source->last_flip_ns = event->timestamp_ns;
	note_seq(source, event->seq);
	if (!show_cached(source, event))
		source_query_plane(source, event->plane);
	vp_source_changed(source);
	/* shown nowhere (no free output, or detached by the operator), the
	 * head's acks go out at once: a guest waiting out the driver's ack
	 * timeout on every flip would crawl */
	vp_frame_ack_flip(&source->frame_ack, source->seq);
}

void vp_source_cursor_move(struct vp_source *source,
			   const struct vplane_display_event *event)
{
	source->cursor_x = event->x;
	source->cursor_y = event->y;
	note_seq(source, event->seq);
	vp_source_changed(source);
}

void vp_vgpu_start_over(struct vp_vgpu *vgpu,
			const struct vplane_display_event *event)
{
	uint32_t h;

	wlr_log(WLR_INFO, "vGPU %s: %s event, re-reading every plane",
		vgpu->name,
		event->type == VPLANE_EVENT_MODE    ? "mode"
		: event->type == VPLANE_EVENT_RESET ? "reset"
						    : "overflow");
	vp_buffer_cache_flush(&vgpu->buffers);
	for (h = 0; h < vgpu->nr_heads; h++) {
		struct vp_source *source = &vgpu->sources[h];

		if (event->type == VPLANE_EVENT_MODE && event->head == h) {
			source->mode_events++;
			source->width = event->width;
			source->height = event->height;
		}
		vp_source_read_planes(source);
		vp_source_changed(source);
	}
}

void vp_source_ack(struct vp_source *source, uint32_t seq)
{
	struct vp_vgpu *vgpu = source->vgpu;

	if (source->gone || !vgpu->ack_role)
		return;
	if (vgpu->impl->ack(vgpu, source->head, seq))
		source->acks++;
	else
		source->ack_failures++; /* logged by the impl */
}
