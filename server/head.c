// SPDX-License-Identifier: MIT
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vplane/event.h>
#include <vplane_display.h>

#include "log_sink.h"
#include "dmabuf_buffer.h"
#include "head.h"

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

void vpd_head_set_buffer(struct vpd_dmabuf_buffer **slot,
			 struct vpd_dmabuf_buffer *buffer)
{
	if (*slot == buffer)
		return;
	if (buffer)
		wlr_buffer_lock(&buffer->base);
	if (*slot)
		wlr_buffer_unlock(&(*slot)->base);
	*slot = buffer;
}

static void read_head_state(const struct vpd_head *head,
			    struct vpd_head_state *st)
{
	*st = (struct vpd_head_state){
		.width = head->width,
		.height = head->height,
		.refresh_mhz = head->refresh_mhz,
		.enabled = head->primary && !head->gone,
		.gone = head->gone,
		.output = head->output,
	};
	if (st->enabled)
		st->format = head->primary->format;
}

static bool head_state_equal(const struct vpd_head_state *a,
			     const struct vpd_head_state *b)
{
	return a->width == b->width && a->height == b->height &&
	       a->refresh_mhz == b->refresh_mhz && a->format == b->format &&
	       a->enabled == b->enabled && a->gone == b->gone &&
	       a->output == b->output;
}

void vpd_head_check_state(struct vpd_head *head)
{
	struct vpd_head_state now;

	read_head_state(head, &now);
	if (head_state_equal(&now, &head->announced))
		return;
	head->announced = now;
	wl_signal_emit(&head->events.state, head);
}

void vpd_head_changed(struct vpd_head *head)
{
	wl_signal_emit(&head->events.frame, head);
	vpd_head_check_state(head);
}

static void note_seq(struct vpd_head *head, uint32_t seq)
{
	if (!head->has_seq || vp_seq_after(seq, head->seq)) {
		head->seq = seq;
		head->has_seq = true;
	}
}

/* Show @plane (borrowed) as @head's plane @plane_idx, its dma-buf
 * @buffer (NULL if disabled or unusable). */
static void show_plane(struct vpd_head *head, uint32_t plane_idx,
		       const struct vplane_display_plane *plane,
		       struct vpd_dmabuf_buffer *buffer)
{
	bool enabled =
		plane->flags & VPLANE_DISPLAY_PLANE_ENABLED && plane->dmabuf_id;

	if (plane_idx == VPLANE_DISPLAY_PLANE_PRIMARY) {
		head->unusable = enabled && !buffer;
		head->has_reason =
			plane->argsz >=
			offsetofend(struct vplane_display_plane, req_height);
		head->reason = plane->reason;
		head->status = plane->status;
		head->req_width = plane->req_width;
		head->req_height = plane->req_height;
		vpd_head_set_buffer(&head->primary, buffer);
		if (enabled) {
			head->width = plane->head_width;
			head->height = plane->head_height;
			head->refresh_mhz = plane->refresh_mhz;
		}
	} else {
		vpd_head_set_buffer(&head->cursor, buffer);
		head->cursor_x = plane->x;
		head->cursor_y = plane->y;
		head->cursor_hot_x =
			plane->x_hot == 0xffffffffu ? 0 : plane->x_hot;
		head->cursor_hot_y =
			plane->y_hot == 0xffffffffu ? 0 : plane->y_hot;
	}
	if (enabled)
		note_seq(head, plane->flip_seq);
}

/* Re-read one plane of @head. */
static void head_query_plane(struct vpd_head *head, uint32_t plane_idx)
{
	struct vpd_vgpu *vgpu = head->vgpu;
	struct vplane_display_plane plane;
	struct vpd_dmabuf_buffer *buffer = NULL;

	if (!vpd_vgpu_query_plane(vgpu, head->index, plane_idx, &plane))
		return; /* logged; the vGPU may be going away */
	if (plane.flags & VPLANE_DISPLAY_PLANE_ENABLED && plane.dmabuf_id)
		buffer = vpd_vgpu_buffer_for(vgpu, &plane);
	show_plane(head, plane_idx, &plane, buffer);
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
static bool show_cached(struct vpd_head *head,
			const struct vplane_display_event *event)
{
	const struct vplane_display_plane *cached;
	struct vplane_display_plane plane;
	struct vpd_dmabuf_buffer *buffer;

	if (event->plane != VPLANE_DISPLAY_PLANE_PRIMARY || !event->dmabuf_id)
		return false;
	buffer = vpd_buffer_cache_find(&head->vgpu->buffers, event->dmabuf_id,
				       &cached);
	if (!buffer)
		return false;
	plane = *cached;
	plane.x = event->x;
	plane.y = event->y;
	plane.flip_seq = event->seq;
	show_plane(head, event->plane, &plane, buffer);
	return true;
}

void vpd_head_read_planes(struct vpd_head *head)
{
	head_query_plane(head, VPLANE_DISPLAY_PLANE_PRIMARY);
	head_query_plane(head, VPLANE_DISPLAY_PLANE_CURSOR);
}

void vpd_head_flip(struct vpd_head *head,
		   const struct vplane_display_event *event)
{
	if (event->plane > VPLANE_DISPLAY_PLANE_CURSOR)
		return;
	head->flips++;
	head->flips_dropped += event->dropped;
	if (event->plane == VPLANE_DISPLAY_PLANE_PRIMARY)
		head->last_flip_ns = event->timestamp_ns;
	note_seq(head, event->seq);
	if (!show_cached(head, event))
		head_query_plane(head, event->plane);
	vpd_head_changed(head);
	/* shown nowhere (no free output, or detached by the operator), the
	 * head's acks go out at once: a guest waiting out the driver's ack
	 * timeout on every flip would crawl */
	vpd_frame_ack_flip(&head->frame_ack, head->seq);
}

void vpd_head_cursor_move(struct vpd_head *head,
			  const struct vplane_display_event *event)
{
	head->cursor_x = event->x;
	head->cursor_y = event->y;
	note_seq(head, event->seq);
	vpd_head_changed(head);
}

void vpd_vgpu_start_over(struct vpd_vgpu *vgpu,
			 const struct vplane_display_event *event)
{
	uint32_t h;

	log_info("vGPU %s: %s event, re-reading every plane", vgpu->name,
		 event->type == VPLANE_EVENT_MODE    ? "mode"
		 : event->type == VPLANE_EVENT_RESET ? "reset"
						     : "overflow");
	vpd_buffer_cache_flush(&vgpu->buffers);
	for (h = 0; h < vgpu->nr_heads; h++) {
		struct vpd_head *head = &vgpu->heads[h];

		if (event->type == VPLANE_EVENT_MODE && event->head == h) {
			head->mode_events++;
			head->width = event->width;
			head->height = event->height;
		}
		vpd_head_read_planes(head);
		vpd_head_changed(head);
	}
}

void vpd_head_ack(struct vpd_head *head, uint32_t seq)
{
	struct vpd_vgpu *vgpu = head->vgpu;

	if (head->gone || !vgpu->ack_role)
		return;
	if (vgpu->impl->ack(vgpu, head->index, seq))
		head->acks++;
	else
		head->ack_failures++; /* logged by the impl */
}
