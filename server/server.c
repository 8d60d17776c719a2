// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <vplane/display.h>
#include <wlr/backend.h>
#include <wlr/backend/headless.h>
#include <wlr/backend/wayland.h>
#include <wlr/render/allocator.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_export_dmabuf_v1.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/types/wlr_screencopy_v1.h>
#include <wlr/types/wlr_xdg_output_v1.h>
#include <wlr/util/log.h>

#include "control.h"
#include "dmabuf_buffer.h"
#include "hotplug.h"
#include "manager.h"
#include "frame_trace.h"
#include "output_config.h"
#include "vfio_socket.h"
#include "output.h"
#include "server.h"
#include "source.h"
#include "streaming.h"
#include "vgpu_node.h"

/* Used until the head's first mode is known. */
#define HEADLESS_DEFAULT_WIDTH	640
#define HEADLESS_DEFAULT_HEIGHT 480

struct vp_source *vp_server_unplaced_source(struct vp_server *server)
{
	struct vp_vgpu *vgpu;

	wl_list_for_each(vgpu, &server->vgpus, link) {
		uint32_t h;

		for (h = 0; h < vp_vgpu_nr_heads(vgpu); h++) {
			struct vp_source *source = vp_vgpu_get_source(vgpu, h);

			/* a head the operator took off stays off */
			if (!source->output && !source->held)
				return source;
		}
	}
	return NULL;
}

void vp_server_place_source(struct vp_server *server, struct vp_source *source)
{
	struct vp_output *output;

	if (server->nested) {
		/* a window; new_output gives it this source, the first
		 * unplaced one, and apply_mode sizes it to the head */
		if (!wlr_wl_output_create(server->backend))
			wlr_log(WLR_ERROR, "cannot open a window for %s",
				source->name);
		return;
	}
	if (server->headless) {
		/* new_output gives it the first unplaced source: this one */
		if (!wlr_headless_add_output(
			    server->backend,
			    source->width ? source->width
					  : HEADLESS_DEFAULT_WIDTH,
			    source->height ? source->height
					   : HEADLESS_DEFAULT_HEIGHT))
			wlr_log(WLR_ERROR,
				"cannot add a headless output for %s",
				source->name);
		return;
	}
	wl_list_for_each(output, &server->outputs, link) {
		if (!output->source) {
			vp_output_set_source(output, source);
			return;
		}
	}
	wlr_log(WLR_INFO, "no free output for vGPU head %s; not shown",
		source->name);
}

/* The name a vGPU is served under (its RTSP path): a node path's file
 * name, else the name itself. */
static const char *served_name(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? slash + 1 : name;
}

struct vp_vgpu *vp_server_add_vgpu(struct vp_server *server, const char *uuid,
				   const char *path)
{
	const char *name = uuid ? uuid : path;
	struct vp_vgpu *vgpu = vp_server_find_vgpu(server, name);
	char node[64];
	struct stat st;
	uint32_t h;

	/* one vGPU is shown and served once: by name, then by device
	 * (another path of an open node), before it is opened (an open
	 * takes the ack role from the first) */
	snprintf(node, sizeof(node), "/dev/vplane/%s", uuid ? uuid : "");
	if (!vgpu && !stat(uuid ? node : path, &st) && S_ISCHR(st.st_mode))
		vgpu = vp_server_find_node(server, st.st_rdev);
	if (vgpu) {
		wlr_log(WLR_ERROR, "vGPU %s: shown already as %s; not twice",
			name, vgpu->name);
		return NULL;
	}
	vgpu = vp_node_vgpu_create(server, uuid, path);
	if (!vgpu)
		return NULL; /* logged */
	for (h = 0; h < vp_vgpu_nr_heads(vgpu); h++)
		vp_server_place_source(server, vp_vgpu_get_source(vgpu, h));
	wl_signal_emit(&server->events.new_vgpu, vgpu);
	return vgpu;
}

struct vp_vgpu *vp_server_find_vgpu(struct vp_server *server, const char *name)
{
	struct vp_vgpu *vgpu;

	wl_list_for_each(vgpu, &server->vgpus, link) {
		if (!strcasecmp(served_name(vgpu->name), served_name(name)))
			return vgpu;
	}
	return NULL;
}

struct vp_vgpu *vp_server_find_node(struct vp_server *server, dev_t rdev)
{
	struct vp_vgpu *vgpu;

	wl_list_for_each(vgpu, &server->vgpus, link) {
		if (vp_vgpu_is_node_of(vgpu, rdev))
			return vgpu;
	}
	return NULL;
}

void vp_server_drop_vgpu(struct vp_server *server, struct vp_vgpu *vgpu)
{
	uint32_t h;

	for (h = 0; server->headless && h < vp_vgpu_nr_heads(vgpu); h++) {
		struct vp_source *source = vp_vgpu_get_source(vgpu, h);

		/* its destroy handler unlinks it from the source */
		if (source->output)
			wlr_output_destroy(source->output->wlr_output);
	}
	vp_vgpu_destroy(vgpu);
}

static void handle_backend_new_output(struct wl_listener *listener, void *data)
{
	struct vp_server *server =
		wl_container_of(listener, server, new_output);
	struct vp_output *output = vp_output_create(server, data);
	struct vp_source *source;

	if (!output)
		return;
	source = vp_server_unplaced_source(server);
	if (source)
		vp_output_set_source(output, source);
	if (server->streaming)
		vp_streaming_add_output(server->streaming, output);
}

static struct wlr_backend *create_backend(struct vp_server *server)
{
	switch (server->config->backend) {
	case VP_BACKEND_HEADLESS:
		server->headless = true;
		return wlr_headless_backend_create(server->display);
	case VP_BACKEND_WAYLAND:
		/* nested in the compositor of $WAYLAND_DISPLAY (a desktop),
		 * one window per head, like headless outputs */
		server->headless = server->nested = true;
		return wlr_wl_backend_create(server->display, NULL);
	case VP_BACKEND_DRM:
		/* wlroots 0.15 has no public "DRM with a session" constructor
		 * besides autocreate; restrict autocreate to DRM. */
		setenv("WLR_BACKENDS", "drm", 1);
		return wlr_backend_autocreate(server->display);
	default:
		return wlr_backend_autocreate(server->display);
	}
}

bool vp_server_init(struct vp_server *server, const struct vp_config *config)
{
	*server = (struct vp_server){ .config = config };
	wl_list_init(&server->outputs);
	wl_list_init(&server->vgpus);
	wl_signal_init(&server->events.new_vgpu);

	server->display = wl_display_create();
	if (!server->display) {
		wlr_log(WLR_ERROR, "cannot create the Wayland display");
		return false;
	}
	server->backend = create_backend(server);
	if (!server->backend) {
		wlr_log(WLR_ERROR, "cannot create the %s backend%s",
			vp_backend_kind_name(config->backend),
			config->backend == VP_BACKEND_HEADLESS
				? ""
				: " (a DRM device and a seat are needed: "
				  "seatd, LIBSEAT_BACKEND, WLR_DRM_DEVICES)");
		goto err_display;
	}
	server->renderer = wlr_renderer_autocreate(server->backend);
	if (!server->renderer) {
		wlr_log(WLR_ERROR,
			"cannot create a renderer (try WLR_RENDERER=pixman)");
		goto err_backend;
	}
	wlr_renderer_init_wl_display(server->renderer, server->display);
	server->allocator =
		wlr_allocator_autocreate(server->backend, server->renderer);
	if (!server->allocator) {
		wlr_log(WLR_ERROR, "cannot create an allocator");
		goto err_backend;
	}

	/*
	 * The public socket's globals are what capture clients need (grim,
	 * wayvnc --disable-input, export-dmabuf recorders): outputs, their
	 * xdg-output, screencopy, export-dmabuf, wl_shm and linux-dmabuf
	 * (the renderer's), presentation-time. No wl_compositor, hence no
	 * surfaces, shells or layers: a client can read the outputs but
	 * never put pixels on a head's output, stream or recording.
	 */
	server->layout = wlr_output_layout_create();
	if (!server->layout ||
	    !wlr_xdg_output_manager_v1_create(server->display,
					      server->layout) ||
	    !wlr_screencopy_manager_v1_create(server->display) ||
	    !wlr_export_dmabuf_manager_v1_create(server->display) ||
	    !(server->presentation = wlr_presentation_create(
		      server->display, server->backend))) {
		wlr_log(WLR_ERROR, "cannot create the Wayland globals");
		goto err_backend;
	}
	server->new_output.notify = handle_backend_new_output;
	wl_signal_add(&server->backend->events.new_output, &server->new_output);

	if (config->socket) {
		if (wl_display_add_socket(server->display, config->socket)) {
			wlr_log(WLR_ERROR,
				"cannot listen on socket %s (in use, or "
				"XDG_RUNTIME_DIR unset?)",
				config->socket);
			goto err_listener;
		}
		server->socket = config->socket;
	} else {
		server->socket = wl_display_add_socket_auto(server->display);
		if (!server->socket) {
			wlr_log(WLR_ERROR, "cannot open a Wayland socket "
					   "(XDG_RUNTIME_DIR unset?)");
			goto err_listener;
		}
	}
	return true;

err_listener:
	wl_list_remove(&server->new_output.link);
err_backend:
	wlr_backend_destroy(server->backend);
	if (server->layout)
		wlr_output_layout_destroy(server->layout);
	wlr_allocator_destroy(server->allocator);
	wlr_renderer_destroy(server->renderer);
err_display:
	wl_display_destroy(server->display);
	return false;
}

/* The control socket and the privileged globals behind it. */
static bool start_control(struct vp_server *server)
{
	server->control = vp_control_create(server, server->socket);
	if (!server->control)
		return false;
	server->manager = vp_manager_create(server, server->control);
	server->output_config =
		vp_output_config_create(server, server->control);
	return server->manager && server->output_config;
}

bool vp_server_start(struct vp_server *server)
{
	const struct vp_config *config = server->config;
	size_t i;

	if (!start_control(server))
		return false;
	/* before any output exists: each is traced as it appears */
	if (!vp_frame_trace_create(server, &server->frame_trace))
		return false;
	/* before any output exists: each is streamed as it appears */
	if (config->stream) {
		server->streaming = vp_streaming_create(server);
		if (!server->streaming)
			return false;
	}
	if (!wlr_backend_start(server->backend)) {
		wlr_log(WLR_ERROR, "cannot start the %s backend",
			vp_backend_kind_name(config->backend));
		return false;
	}
	/* one that cannot be opened is logged; the others still run */
	for (i = 0; i < config->nr_vgpus; i++)
		vp_server_add_vgpu(server, config->vgpus[i].uuid,
				   config->vgpus[i].path);
	if (config->nr_vgpus && wl_list_empty(&server->vgpus))
		wlr_log(WLR_ERROR,
			"none of the %zu vGPU(s) could be opened; running "
			"without",
			config->nr_vgpus);
	if (config->all_vgpus) {
		server->hotplug = vp_hotplug_create(server);
		if (!server->hotplug)
			return false;
	}
	if (config->vfio_socket) {
		server->vfio_socket =
			vp_vfio_socket_create(server, config->vfio_socket);
		if (!server->vfio_socket)
			return false;
	}
	return true;
}

void vp_server_finish(struct vp_server *server)
{
	struct vp_vgpu *vgpu, *tmp;

	wl_display_destroy_clients(server->display);
	vp_manager_destroy(server->manager);
	vp_output_config_destroy(server->output_config);
	vp_control_destroy(server->control);
	vp_hotplug_destroy(server->hotplug);
	vp_vfio_socket_destroy(server->vfio_socket);
	wl_list_for_each_safe(vgpu, tmp, &server->vgpus, link)
		vp_vgpu_destroy(vgpu);
	wl_list_remove(&server->new_output.link);
	/* while the backend and its outputs, whose signals it left, live */
	vp_frame_trace_destroy(server->frame_trace);
	wlr_backend_destroy(server->backend);
	/* after the outputs, which end their streams */
	vp_streaming_destroy(server->streaming);
	wl_display_destroy(server->display);
	wlr_output_layout_destroy(server->layout);
	wlr_allocator_destroy(server->allocator);
	wlr_renderer_destroy(server->renderer);
	wlr_log(WLR_INFO, "vplaned: %llu CPU mapping(s) of vGPU buffers",
		(unsigned long long)vp_dmabuf_buffer_get_map_count());
}
