/* SPDX-License-Identifier: MIT */
/*
 * A vGPU (one display node, struct vp_vgpu) and its heads (struct
 * vp_source, what an output shows). The display fd is a wl_event_loop
 * source; each flip, cursor move, mode change, reset or overflow event
 * re-queries the plane and turns its dma-buf into a vp_dmabuf_buffer
 * (one per dmabuf_id, kept while the id is live), then emits
 * vp_source.events.frame, and events.state when what a control client
 * sees of the head changed (vp_source_changed()). When a flip is acked
 * is decided by the head's frame_ack (frame_ack.h): source.c tells it of
 * flips, the output showing the head of commits and presents, the
 * head's stream of encoder holds; it sends each ack with vp_source_ack().
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

struct vp_server;
struct vp_vgpu;
struct vp_output;
struct vp_dmabuf_buffer;
struct vp_display;
struct vp_dmabuf_cache;
struct vp_source;
struct vplane_display_plane;

/* One vGPU: a display node, or a VFIO device (upstream.h). */
struct vp_vgpu {
	struct vp_server *server;
	char name[40];		       /* the UUID, or the node's path */
	struct vp_display *display;    /* owned; NULL once gone */
	struct vp_dmabuf_cache *cache; /* owned; NULL once gone */
	struct wl_event_source *fd_source;
	bool ack_role;
	bool hotplugged; /* found by the /dev/vplane watch: dropped with
			  * its node (configured vGPUs stay, shown black) */

	/* upstream-only vGPUs (upstream.h); display stays NULL for them */
	int vfio_fd; /* owned VFIO device, -1 for display-node vGPUs */
	struct wl_event_source *refresh_timer;
	bool no_cursor_plane; /* the driver refused a cursor query */

	struct wl_list buffers; /* vp_dmabuf_buffer.link, MRU first */
	size_t nr_buffers;

	struct vp_source *sources; /* nr_heads, owned */
	uint32_t nr_heads;

	struct wl_list link; /* vp_server.vgpus */
};

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

/*
 * Open the display node (by @uuid or @path, one of them NULL; borrowed),
 * take the ack role (observer if another consumer has it), add the fd to
 * the event loop and read the current planes. NULL after logging why
 * (no such node, permission denied, unsupported driver).
 */
struct vp_vgpu *vp_vgpu_create(struct vp_server *server, const char *uuid,
			       const char *path);

/*
 * Like vp_vgpu_create() for a display fd @fd (taken; closed on failure)
 * that a VMM handed over (vfio_socket.h), e.g. from
 * VPLANE_VFIO_GET_DISPLAY_FD: named by the node's UUID, else @name.
 */
struct vp_vgpu *vp_vgpu_create_from_fd(struct vp_server *server, int fd,
				       const char *name);

/* Remove from the event loop, destroy the sources (emitting destroy),
 * drop buffers, close. NULL is a no-op. */
void vp_vgpu_destroy(struct vp_vgpu *vgpu);

uint32_t vp_vgpu_nr_heads(const struct vp_vgpu *vgpu);
struct vp_source *vp_vgpu_get_source(struct vp_vgpu *vgpu, uint32_t head);

/*
 * For backends (upstream.c): a vGPU of @nr_heads heads named @name, with
 * its sources initialised and nothing open; NULL after logging.
 */
struct vp_vgpu *vp_vgpu_alloc(struct vp_server *server, const char *name,
			      uint32_t nr_heads);

/* The wlr_buffer for @plane's dma-buf (from vgpu->cache), made once per
 * dmabuf_id; NULL after logging. */
struct vp_dmabuf_buffer *
vp_vgpu_buffer_for(struct vp_vgpu *vgpu,
		   const struct vplane_display_plane *plane);

/* Lock @buffer (may be NULL) into @slot, unlocking what was there. */
void vp_source_set_buffer(struct vp_dmabuf_buffer **slot,
			  struct vp_dmabuf_buffer *buffer);

/* The vGPU went away: close it, keep its sources empty and marked gone
 * (their outputs show black), tell the outputs. */
void vp_vgpu_mark_gone(struct vp_vgpu *vgpu);

/* Send the ack of flip @seq of @source's head (a no-op as observer or
 * once the vGPU is gone). Only source->frame_ack calls it: it decides when. */
void vp_source_ack(struct vp_source *source, uint32_t seq);

#endif /* VP_SOURCE_H */
