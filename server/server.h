/* SPDX-License-Identifier: MIT */
/*
 * The compositor: display, backend, renderer, the Wayland globals, and
 * the lists of outputs and vGPU heads.
 */
#ifndef VPD_SERVER_H
#define VPD_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

#include <wayland-server-core.h>

#include "config.h"

struct vpd_head;
struct vpd_vgpu;
struct vpd_hotplug;
struct vpd_streaming;
struct vpd_control;
struct vpd_manager;
struct vpd_output_config;
struct wlr_presentation;
struct vpd_vfio_socket;
struct vpd_frame_trace;
struct vpd_input;
struct vpd_vnc_input;
struct vpd_seat;

struct vpd_server {
	const struct vpd_config *config; /* borrowed */
	struct wl_display *display;
	struct wlr_backend *backend;
	struct wlr_renderer *renderer;
	struct wlr_allocator *allocator;
	struct wlr_output_layout *layout;
	struct vpd_hotplug *hotplug;	     /* NULL unless config->all_vgpus */
	struct vpd_streaming *streaming;     /* NULL unless config->stream */
	struct vpd_vfio_socket *vfio_socket; /* NULL unless --vfio-socket */
	struct vpd_frame_trace *frame_trace; /* NULL unless asked for */
	/* the input core every input source goes through (input.h) */
	struct vpd_input *input;
	struct vpd_seat *seat; /* the kiosk's (seat.h); NULL but on drm */
	/* VNC clients' virtual keyboards and pointers (vnc_input.h) */
	struct vpd_vnc_input *vnc_input;
	/* the control socket and its privileged globals (control.h) */
	struct vpd_control *control;
	struct vpd_manager *manager;
	struct vpd_output_config *output_config;
	struct wlr_presentation *presentation;
	const char *socket; /* owned by the display */
	bool headless;	    /* outputs are made per head */
	bool nested;	    /* ... as windows (wayland backend) */

	struct wl_list outputs; /* vpd_output.link */
	struct wl_list vgpus;	/* vpd_vgpu.link */

	struct wl_listener new_output;

	struct {
		/* a vGPU was opened and its heads placed (data: vpd_vgpu) */
		struct wl_signal new_vgpu;
	} events;
};

/* Everything up to a listening socket; false after logging why. */
bool vpd_server_init(struct vpd_server *server,
		     const struct vpd_config *config);

/* Start the backend (outputs appear) and open the configured vGPUs; a
 * vGPU that cannot be opened is logged and skipped. With
 * config->all_vgpus, also watch /dev/vplane (false if that fails). */
bool vpd_server_start(struct vpd_server *server);

/* Reverse of init and start. */
void vpd_server_finish(struct vpd_server *server);

/*
 * Give @head (borrowed) an output: headless makes one sized to the
 * head; otherwise the first output without a head takes it.
 */
void vpd_server_place_head(struct vpd_server *server, struct vpd_head *head);

/* Open a vGPU (by @uuid or @path, borrowed; see vpd_node_vgpu_create()) and
 * place its heads. NULL after logging why. */
struct vpd_vgpu *vpd_server_add_vgpu(struct vpd_server *server,
				     const char *uuid, const char *path);

/* The open vGPU served under @name's file name (a UUID, or a node
 * path's last component; any case), or NULL. */
struct vpd_vgpu *vpd_server_find_vgpu(struct vpd_server *server,
				      const char *name);

/* The open vGPU whose display node is the character device @rdev (an
 * fstat's st_rdev), or NULL: the same vGPU under another path or name. */
struct vpd_vgpu *vpd_server_find_node(struct vpd_server *server, dev_t rdev);

/* Close @vgpu for good: headless outputs showing its heads are destroyed
 * (other backends' outputs show black), then the vGPU. */
void vpd_server_drop_vgpu(struct vpd_server *server, struct vpd_vgpu *vgpu);

/* The first head without an output, or NULL. */
struct vpd_head *vpd_server_unplaced_head(struct vpd_server *server);

#endif /* VPD_SERVER_H */
