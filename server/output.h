/* SPDX-License-Identifier: MIT */
/*
 * An output showing one vGPU head (a vpd_head) or black.
 *
 * On each frame with something new it first tries direct scanout: the
 * head's dma-buf buffer is attached to the output as is
 * (wlr_output_attach_buffer + wlr_output_test). wlroots refuses that when
 * sizes differ, while a capture (screencopy) holds the render lock, or
 * while a software cursor or a client window is on the output; then the
 * frame is composited with the renderer (the only path that reads the
 * pixels). The output tells the head's frame_ack (head->frame_ack,
 * frame_ack.h) of each commit showing a flip and of each present event (a
 * page flip for DRM, inside the commit for headless), and whether it
 * shows the head at all: it acks the flip once the frame is on screen,
 * so the guest's flip-done means "on screen".
 */
#ifndef VPD_OUTPUT_H
#define VPD_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include <wayland-server-core.h>

struct vpd_server;
struct vpd_head;
struct wlr_output;
struct wlr_output_cursor;
struct wlr_box;
struct vpd_output_stream;

struct vpd_output {
	struct vpd_server *server;
	struct wlr_output *wlr_output;
	struct vpd_head *head; /* shown, or NULL */
	struct wlr_output_cursor *cursor;
	const void *cursor_image; /* the vpd_dmabuf_buffer it shows */
	int cursor_hot_x, cursor_hot_y;
	bool cursor_on_plane; /* cursor_image is on the KMS cursor plane */

	bool dirty; /* something to commit */
	bool direct_failed_logged;
	bool direct_toggled; /* went back to direct once: log at debug */

	struct vpd_output_stream *stream; /* owned; NULL unless streamed */

	uint64_t frames_direct;
	uint64_t frames_composited;
	/* the runs of direct scanout of the shown head's buffer and of its
	 * refusals (where the log says "direct scanout of" and "refused"),
	 * and which came last: what tests see through vplanectl stats */
	uint64_t direct_starts, direct_refusals;
	bool direct_tried, direct_now;

	struct wl_listener frame;
	struct wl_listener present;
	struct wl_listener destroy;
	struct wl_listener head_frame;
	struct wl_listener head_destroy;

	struct wl_list link; /* vpd_server.outputs */
};

/* Take over a new wlr_output (borrowed; its destroy event frees the
 * vpd_output): set its mode, enable it, add it to the layout. */
struct vpd_output *vpd_output_create(struct vpd_server *server,
				     struct wlr_output *wlr_output);

/* Show @head (borrowed, may be NULL for black). */
void vpd_output_set_head(struct vpd_output *output, struct vpd_head *head);

/*
 * Where @output draws its head now, in output pixels (the head's buffer
 * fitted into the output, centred, aspect kept: the letterbox); false
 * if it shows no head or the head has no buffer.
 */
bool vpd_output_head_box(const struct vpd_output *output, struct wlr_box *box);

/* Something changed (e.g. a client window): commit at the next frame. */
void vpd_output_damage(struct vpd_output *output);

#endif /* VPD_OUTPUT_H */
