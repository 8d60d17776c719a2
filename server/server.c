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

#include "log_sink.h"
#include "control.h"
#include "dmabuf_buffer.h"
#include "hotplug.h"
#include "manager.h"
#include "frame_trace.h"
#include "input.h"
#include "output_config.h"
#include "vfio_socket.h"
#include "output.h"
#include "server.h"
#include "head.h"
#include "seat.h"
#include "streaming.h"
#include "vgpu_node.h"
#include "vnc_input.h"

/* Used until the head's first mode is known. */
#define HEADLESS_DEFAULT_WIDTH	640
#define HEADLESS_DEFAULT_HEIGHT 480

struct vpd_head *vpd_server_unplaced_head(struct vpd_server *server)
{
	struct vpd_vgpu *vgpu;

	wl_list_for_each(vgpu, &server->vgpus, link) {
		uint32_t h;

		for (h = 0; h < vpd_vgpu_nr_heads(vgpu); h++) {
			struct vpd_head *head = vpd_vgpu_get_head(vgpu, h);

			/* a head the operator took off stays off */
			if (!head->output && !head->held)
				return head;
		}
	}
	return NULL;
}

void vpd_server_place_head(struct vpd_server *server, struct vpd_head *head)
{
	struct vpd_output *output;

	if (server->nested) {
		/* a window; new_output gives it this head, the first
		 * unplaced one, and apply_mode sizes it to the head */
		if (!wlr_wl_output_create(server->backend))
			log_error("cannot open a window for %s", head->name);
		return;
	}
	if (server->headless) {
		/* new_output gives it the first unplaced head: this one */
		if (!wlr_headless_add_output(
			    server->backend,
			    head->width ? head->width : HEADLESS_DEFAULT_WIDTH,
			    head->height ? head->height
					 : HEADLESS_DEFAULT_HEIGHT))
			log_error("cannot add a headless output for %s",
				  head->name);
		return;
	}
	wl_list_for_each(output, &server->outputs, link) {
		if (!output->head) {
			vpd_output_set_head(output, head);
			return;
		}
	}
	log_info("no free output for vGPU head %s; not shown", head->name);
}

/* The name a vGPU is served under (its RTSP path): a node path's file
 * name, else the name itself. */
static const char *served_name(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? slash + 1 : name;
}

struct vpd_vgpu *vpd_server_add_vgpu(struct vpd_server *server,
				     const char *uuid, const char *path)
{
	const char *name = uuid ? uuid : path;
	struct vpd_vgpu *vgpu = vpd_server_find_vgpu(server, name);
	char node[64];
	struct stat st;
	uint32_t h;

	/* one vGPU is shown and served once: by name, then by device
	 * (another path of an open node), before it is opened (an open
	 * takes the ack role from the first) */
	snprintf(node, sizeof(node), "/dev/vplane/%s", uuid ? uuid : "");
	if (!vgpu && !stat(uuid ? node : path, &st) && S_ISCHR(st.st_mode))
		vgpu = vpd_server_find_node(server, st.st_rdev);
	if (vgpu) {
		log_error("vGPU %s: shown already as %s; not twice", name,
			  vgpu->name);
		return NULL;
	}
	vgpu = vpd_node_vgpu_create(server, uuid, path);
	if (!vgpu)
		return NULL; /* logged */
	for (h = 0; h < vpd_vgpu_nr_heads(vgpu); h++)
		vpd_server_place_head(server, vpd_vgpu_get_head(vgpu, h));
	wl_signal_emit(&server->events.new_vgpu, vgpu);
	return vgpu;
}

struct vpd_vgpu *vpd_server_find_vgpu(struct vpd_server *server,
				      const char *name)
{
	struct vpd_vgpu *vgpu;

	wl_list_for_each(vgpu, &server->vgpus, link) {
		if (!strcasecmp(served_name(vgpu->name), served_name(name)))
			return vgpu;
	}
	return NULL;
}

struct vpd_vgpu *vpd_server_find_node(struct vpd_server *server, dev_t rdev)
{
	struct vpd_vgpu *vgpu;

	wl_list_for_each(vgpu, &server->vgpus, link) {
		if (vpd_vgpu_is_node_of(vgpu, rdev))
			return vgpu;
	}
	return NULL;
}

void vpd_server_drop_vgpu(struct vpd_server *server, struct vpd_vgpu *vgpu)
{
	uint32_t h;

	for (h = 0; server->headless && h < vpd_vgpu_nr_heads(vgpu); h++) {
		struct vpd_head *head = vpd_vgpu_get_head(vgpu, h);

		/* its destroy handler unlinks it from the head */
		if (head->output)
			wlr_output_destroy(head->output->wlr_output);
	}
	vpd_vgpu_destroy(vgpu);
}

static void handle_backend_new_output(struct wl_listener *listener, void *data)
{
	struct vpd_server *server =
		wl_container_of(listener, server, new_output);
	struct vpd_output *output = vpd_output_create(server, data);
	struct vpd_head *head;

	if (!output)
		return;
	head = vpd_server_unplaced_head(server);
	if (head)
		vpd_output_set_head(output, head);
	if (server->streaming)
		vpd_streaming_add_output(server->streaming, output);
}

static struct wlr_backend *create_backend(struct vpd_server *server)
{
	switch (server->config->backend) {
	case VPD_BACKEND_HEADLESS:
		server->headless = true;
		return wlr_headless_backend_create(server->display);
	case VPD_BACKEND_WAYLAND:
		/* nested in the compositor of $WAYLAND_DISPLAY (a desktop),
		 * one window per head, like headless outputs */
		server->headless = server->nested = true;
		return wlr_wl_backend_create(server->display, NULL);
	case VPD_BACKEND_DRM:
		/* wlroots 0.15 has no public "DRM with a session" constructor
		 * besides autocreate; restrict autocreate to DRM and the
		 * seat's keyboards and pointers (libinput, on the same
		 * session: seat.h). */
		setenv("WLR_BACKENDS", "drm,libinput", 1);
		return wlr_backend_autocreate(server->display);
	default:
		return wlr_backend_autocreate(server->display);
	}
}

bool vpd_server_init(struct vpd_server *server, const struct vpd_config *config)
{
	*server = (struct vpd_server){ .config = config };
	wl_list_init(&server->outputs);
	wl_list_init(&server->vgpus);
	wl_signal_init(&server->events.new_vgpu);

	server->display = wl_display_create();
	if (!server->display) {
		log_error("cannot create the Wayland display");
		return false;
	}
	server->backend = create_backend(server);
	if (!server->backend) {
		log_error("cannot create the %s backend%s",
			  vpd_backend_kind_name(config->backend),
			  config->backend == VPD_BACKEND_HEADLESS
				  ? ""
				  : " (a DRM device and a seat are needed: "
				    "seatd, LIBSEAT_BACKEND, WLR_DRM_DEVICES)");
		goto err_display;
	}
	server->renderer = wlr_renderer_autocreate(server->backend);
	if (!server->renderer) {
		log_error("cannot create a renderer (try WLR_RENDERER=pixman)");
		goto err_backend;
	}
	wlr_renderer_init_wl_display(server->renderer, server->display);
	server->allocator =
		wlr_allocator_autocreate(server->backend, server->renderer);
	if (!server->allocator) {
		log_error("cannot create an allocator");
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
		log_error("cannot create the Wayland globals");
		goto err_backend;
	}
	server->new_output.notify = handle_backend_new_output;
	wl_signal_add(&server->backend->events.new_output, &server->new_output);

	if (config->socket) {
		if (wl_display_add_socket(server->display, config->socket)) {
			log_error("cannot listen on socket %s (in use, or "
				  "XDG_RUNTIME_DIR unset?)",
				  config->socket);
			goto err_listener;
		}
		server->socket = config->socket;
	} else {
		server->socket = wl_display_add_socket_auto(server->display);
		if (!server->socket) {
			log_error("cannot open a Wayland socket "
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
static bool start_control(struct vpd_server *server)
{
	server->control = vpd_control_create(server, server->socket);
	if (!server->control)
		return false;
	server->manager = vpd_manager_create(server, server->control);
	server->output_config =
		vpd_output_config_create(server, server->control);
	server->vnc_input = vpd_vnc_input_create(server);
	return server->manager && server->output_config && server->vnc_input;
}

bool vpd_server_start(struct vpd_server *server)
{
	const struct vpd_config *config = server->config;
	size_t i;

	server->input = vpd_input_create(config->input_control_last
						 ? VPD_INPUT_POLICY_LAST
						 : VPD_INPUT_POLICY_FIRST);
	if (!server->input || !start_control(server))
		return false;
	/* before any output exists: each is traced as it appears */
	if (!vpd_frame_trace_create(server, &server->frame_trace))
		return false;
	/* before any output exists: each is streamed as it appears */
	if (config->stream) {
		server->streaming = vpd_streaming_create(server);
		if (!server->streaming)
			return false;
	}
	/* before the backend starts: its input devices appear then */
	if (config->backend == VPD_BACKEND_DRM) {
		server->seat = vpd_seat_create(server);
		if (!server->seat)
			return false;
	}
	if (!wlr_backend_start(server->backend)) {
		log_error("cannot start the %s backend",
			  vpd_backend_kind_name(config->backend));
		return false;
	}
	/* one that cannot be opened is logged; the others still run */
	for (i = 0; i < config->nr_vgpus; i++)
		vpd_server_add_vgpu(server, config->vgpus[i].uuid,
				    config->vgpus[i].path);
	if (config->nr_vgpus && wl_list_empty(&server->vgpus))
		log_error("none of the %zu vGPU(s) could be opened; running "
			  "without",
			  config->nr_vgpus);
	if (config->all_vgpus) {
		server->hotplug = vpd_hotplug_create(server);
		if (!server->hotplug)
			return false;
	}
	if (config->vfio_socket) {
		server->vfio_socket =
			vpd_vfio_socket_create(server, config->vfio_socket);
		if (!server->vfio_socket)
			return false;
	}
	return true;
}

void vpd_server_finish(struct vpd_server *server)
{
	struct vpd_vgpu *vgpu, *tmp;

	wl_display_destroy_clients(server->display);
	/* first: what the seat holds is released while the vGPUs are open */
	vpd_seat_destroy(server->seat);
	vpd_manager_destroy(server->manager);
	vpd_output_config_destroy(server->output_config);
	vpd_vnc_input_destroy(server->vnc_input);
	vpd_control_destroy(server->control);
	vpd_hotplug_destroy(server->hotplug);
	vpd_vfio_socket_destroy(server->vfio_socket);
	wl_list_for_each_safe(vgpu, tmp, &server->vgpus, link)
		vpd_vgpu_destroy(vgpu);
	wl_list_remove(&server->new_output.link);
	/* while the backend and its outputs, whose signals it left, live */
	vpd_frame_trace_destroy(server->frame_trace);
	wlr_backend_destroy(server->backend);
	/* after the outputs, which end their streams */
	vpd_streaming_destroy(server->streaming);
	/* after every input source; the vGPUs released what was held */
	vpd_input_destroy(server->input);
	wl_display_destroy(server->display);
	wlr_output_layout_destroy(server->layout);
	wlr_allocator_destroy(server->allocator);
	wlr_renderer_destroy(server->renderer);
	log_info("vplaned: %llu CPU mapping(s) of vGPU buffers",
		 (unsigned long long)vpd_dmabuf_buffer_get_map_count());
}
