/* SPDX-License-Identifier: MIT */
/*
 * The heads of a vGPU (struct vp_source, what an output shows) and what
 * happens to them on the vGPU's events. A flip event whose dmabuf_id is
 * in the vGPU's dma-buf cache is shown from the cache; any other re-reads
 * the plane through the vGPU's interface (vgpu.h) and turns its dma-buf
 * into a vp_dmabuf_buffer (one per dmabuf_id, kept while the id is
 * live). Then vp_source.events.frame fires, and events.state when what a
 * control client sees of the head changed (vp_source_changed()). When a
 * flip is acked is decided by the head's frame_ack (frame_ack.h):
 * source.c tells it of flips, the output showing the head of commits and
 * presents, the head's stream of encoder holds; it sends each ack with
 * vp_source_ack().
 *
 * A vGPU that goes away (POLLHUP) leaves its sources in place, empty and
 * marked gone: the output shows the placeholder and the server keeps
 * running.
 */
#ifndef VP_SOURCE_H
#define VP_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include <wayland-server-core.h>

#include "frame_ack.h"
#include "vgpu.h"

struct vp_output;
struct vp_dmabuf_buffer;
struct vplane_display_event;

/* What a control client sees of a head (manager.c), apart from the
 * layout: events.state fires when it changes. */
struct vp_source_state {
	uint32_t width, height, refresh_mhz;
	uint32_t format; /* the primary plane's; 0 when off */
	bool enabled, gone;
	const struct vp_output *output;
};

struct vp_source {
	struct vp_vgpu *vgpu;
	uint32_t head;
	char name[64]; /* "<uuid>/<head>" */

	/* what the guest shows now; locked by the source, NULL if none */
	struct vp_dmabuf_buffer *primary;
	struct vp_dmabuf_buffer *cursor;
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

	struct vp_output *output; /* showing it, or NULL */

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
	struct vp_frame_ack frame_ack;
	bool held; /* taken off its output by the operator (layout.c): not
		    * given an output automatically */

	struct {
		/* anything to redraw: a new frame, the cursor, the mode */
		struct wl_signal frame;
		/* struct vp_source_state changed (not on every flip) */
		struct wl_signal state;
		struct wl_signal destroy;
	} events;
	struct vp_source_state announced; /* as of the last events.state */
};

/*
 * @source's picture or state changed: emit events.frame, then
 * events.state if vp_source_state differs from the last announced.
 */
void vp_source_changed(struct vp_source *source);

/* Only the state may have changed (say, the output showing @source):
 * emit events.state if it did. */
void vp_source_check_state(struct vp_source *source);

/* Re-read both planes of @source's head (a vGPU's first read). */
void vp_source_read_planes(struct vp_source *source);

/* A FLIP event (borrowed) for @source's head: show the plane it names,
 * from the cache if its dmabuf_id is there, then vp_source_changed(). */
void vp_source_flip(struct vp_source *source,
		    const struct vplane_display_event *event);

/* A CURSOR_MOVE event (borrowed): the same image at a new place. */
void vp_source_cursor_move(struct vp_source *source,
			   const struct vplane_display_event *event);

/* A MODE, RESET or OVERFLOW event (borrowed): ids may name other buffers
 * now. Empty @vgpu's cache and re-read every plane of every head. */
void vp_vgpu_start_over(struct vp_vgpu *vgpu,
			const struct vplane_display_event *event);

/* Lock @buffer (may be NULL) into @slot, unlocking what was there. */
void vp_source_set_buffer(struct vp_dmabuf_buffer **slot,
			  struct vp_dmabuf_buffer *buffer);

/* Send the ack of flip @seq of @source's head (a no-op as observer or
 * once the vGPU is gone). Only source->frame_ack calls it: it decides
 * when. */
void vp_source_ack(struct vp_source *source, uint32_t seq);

#endif /* VP_SOURCE_H */
