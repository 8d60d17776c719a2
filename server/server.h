/* SPDX-License-Identifier: MIT */
/*
 * The compositor: display, backend, renderer, the Wayland globals, and
 * the lists of outputs and vGPU sources.
 */
#ifndef VP_SERVER_H
#define VP_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

#include <wayland-server-core.h>

#include "config.h"

struct vp_source;
struct vp_vgpu;
struct vp_hotplug;
struct vp_streaming;
struct vp_control;
struct vp_manager;
struct vp_output_config;
struct wlr_presentation;
struct vp_vfio_socket;
struct vp_frame_trace;

struct vp_server {
	const struct vp_config *config; /* borrowed */
	struct wl_display *display;
	struct wlr_backend *backend;
	struct wlr_renderer *renderer;
	struct wlr_allocator *allocator;
	struct wlr_output_layout *layout;
	struct vp_hotplug *hotplug;	    /* NULL unless config->all_vgpus */
	struct vp_streaming *streaming;	    /* NULL unless config->stream */
	struct vp_vfio_socket *vfio_socket; /* NULL unless --vfio-socket */
	struct vp_frame_trace *frame_trace; /* NULL unless asked for */
	/* the control socket and its privileged globals (control.h) */
	struct vp_control *control;
	struct vp_manager *manager;
	struct vp_output_config *output_config;
	struct wlr_presentation *presentation;
	const char *socket; /* owned by the display */
	bool headless;	    /* outputs are made per head */
	bool nested;	    /* ... as windows (wayland backend) */

	struct wl_list outputs; /* vp_output.link */
	struct wl_list vgpus;	/* vp_vgpu.link */

	struct wl_listener new_output;

	struct {
		/* a vGPU was opened and its heads placed (data: vp_vgpu) */
		struct wl_signal new_vgpu;
	} events;
};

/* Everything up to a listening socket; false after logging why. */
bool vp_server_init(struct vp_server *server, const struct vp_config *config);

/* Start the backend (outputs appear) and open the configured vGPUs; a
 * vGPU that cannot be opened is logged and skipped. With
 * config->all_vgpus, also watch /dev/vplane (false if that fails). */
bool vp_server_start(struct vp_server *server);

/* Reverse of init and start. */
void vp_server_finish(struct vp_server *server);

/*
 * Give @source (borrowed) an output: headless makes one sized to the
 * head; otherwise the first output without a source takes it.
 */
void vp_server_place_source(struct vp_server *server, struct vp_source *source);

/* Open a vGPU (by @uuid or @path, borrowed; see vp_node_vgpu_create()) and
 * place its heads. NULL after logging why. */
struct vp_vgpu *vp_server_add_vgpu(struct vp_server *server, const char *uuid,
				   const char *path);

/* The open vGPU served under @name's file name (a UUID, or a node
 * path's last component; any case), or NULL. */
struct vp_vgpu *vp_server_find_vgpu(struct vp_server *server, const char *name);

/* The open vGPU whose display node is the character device @rdev (an
 * fstat's st_rdev), or NULL: the same vGPU under another path or name. */
struct vp_vgpu *vp_server_find_node(struct vp_server *server, dev_t rdev);

/* Close @vgpu for good: headless outputs showing its heads are destroyed
 * (other backends' outputs show black), then the vGPU. */
void vp_server_drop_vgpu(struct vp_server *server, struct vp_vgpu *vgpu);

/* The first source without an output, or NULL. */
struct vp_source *vp_server_unplaced_source(struct vp_server *server);

#endif /* VP_SERVER_H */
