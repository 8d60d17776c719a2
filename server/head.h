/* SPDX-License-Identifier: MIT */
/*
 * The heads of a vGPU (struct vpd_head, what an output shows) and what
 * happens to them on the vGPU's events. A flip event whose dmabuf_id is
 * in the vGPU's dma-buf cache is shown from the cache; any other re-reads
 * the plane through the vGPU's interface (vgpu.h) and turns its dma-buf
 * into a vpd_dmabuf_buffer (one per dmabuf_id, kept while the id is
 * live). Then vpd_head.events.frame fires, and events.state when what a
 * control client sees of the head changed (vpd_head_changed()). When a
 * flip is acked is decided by the head's frame_ack (frame_ack.h):
 * head.c tells it of flips, the output showing the head of commits and
 * presents, the head's stream of encoder holds; it sends each ack with
 * vpd_head_ack().
 *
 * A vGPU that goes away (POLLHUP) leaves its heads in place, empty and
 * marked gone: the output shows the placeholder and the server keeps
 * running.
 */
#ifndef VPD_HEAD_H
#define VPD_HEAD_H

#include <stdbool.h>
#include <stdint.h>

#include <wayland-server-core.h>

#include "frame_ack.h"
#include "vgpu.h"

struct vpd_output;
struct vpd_dmabuf_buffer;
struct vplane_display_event;

/* What a control client sees of a head (manager.c), apart from the
 * layout: events.state fires when it changes. */
struct vpd_head_state {
	uint32_t width, height, refresh_mhz;
	uint32_t format; /* the primary plane's; 0 when off */
	bool enabled, gone;
	const struct vpd_output *output;
};

struct vpd_head {
	struct vpd_vgpu *vgpu;
	uint32_t index; /* its number on the vGPU */
	char name[64];	/* "<uuid>/<head>" */

	/* what the guest shows now; locked by the head, NULL if none */
	struct vpd_dmabuf_buffer *primary;
	struct vpd_dmabuf_buffer *cursor;
	int32_t cursor_x, cursor_y; /* top-left on the head */
	uint32_t cursor_hot_x, cursor_hot_y;
	uint32_t width, height; /* the head's mode, 0x0 if off */
	uint32_t refresh_mhz;
	uint32_t seq; /* newest flip latched */
	bool has_seq;
	bool gone;
	bool unusable; /* enabled, but no buffer vplaned can show */
	/*
	 * Why the driver shows nothing (VPLANE_DISPLAY_REASON_*, the plane
	 * status and the refused mode), from the last primary query;
	 * has_reason is false for drivers that do not say (and upstream).
	 */
	bool has_reason;
	uint32_t reason, status;
	uint32_t req_width, req_height;

	struct vpd_output *output; /* showing it, or NULL */

	uint64_t flips; /* flip events seen */
	uint64_t acks;	/* acks sent */
	uint64_t ack_failures;
	/* for the control protocol's statistics (manager.c) */
	uint64_t flips_dropped; /* superseded before we read them */
	uint64_t mode_events;	/* MODE events naming this head */
	uint64_t last_flip_ns;	/* CLOCK_MONOTONIC latch of the newest flip
				   * (upstream vGPUs: the re-read that found
				   * it; seq then counts those reads) */
	/* when its flips are acked; also frames presented and latency */
	struct vpd_frame_ack frame_ack;
	bool held; /* taken off its output by the operator (layout.c): not
		    * given an output automatically */

	struct {
		/* anything to redraw: a new frame, the cursor, the mode */
		struct wl_signal frame;
		/* struct vpd_head_state changed (not on every flip) */
		struct wl_signal state;
		struct wl_signal destroy;
	} events;
	struct vpd_head_state announced; /* as of the last events.state */
};

/*
 * @head's picture or state changed: emit events.frame, then
 * events.state if vpd_head_state differs from the last announced.
 */
void vpd_head_changed(struct vpd_head *head);

/* Only the state may have changed (say, the output showing @head):
 * emit events.state if it did. */
void vpd_head_check_state(struct vpd_head *head);

/* Re-read both planes of @head (a vGPU's first read). */
void vpd_head_read_planes(struct vpd_head *head);

/* A FLIP event (borrowed) for @head: show the plane it names,
 * from the cache if its dmabuf_id is there, then vpd_head_changed(). */
void vpd_head_flip(struct vpd_head *head,
		   const struct vplane_display_event *event);

/* A CURSOR_MOVE event (borrowed): the same image at a new place. */
void vpd_head_cursor_move(struct vpd_head *head,
			  const struct vplane_display_event *event);

/* A MODE, RESET or OVERFLOW event (borrowed): ids may name other buffers
 * now. Empty @vgpu's cache and re-read every plane of every head. */
void vpd_vgpu_start_over(struct vpd_vgpu *vgpu,
			 const struct vplane_display_event *event);

/* Lock @buffer (may be NULL) into @slot, unlocking what was there. */
void vpd_head_set_buffer(struct vpd_dmabuf_buffer **slot,
			 struct vpd_dmabuf_buffer *buffer);

/* Send the ack of flip @seq of @head (a no-op as observer or
 * once the vGPU is gone). Only head->frame_ack calls it: it decides
 * when. */
void vpd_head_ack(struct vpd_head *head, uint32_t seq);

#endif /* VPD_HEAD_H */
