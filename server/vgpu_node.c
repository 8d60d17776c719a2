// SPDX-License-Identifier: MIT
/* struct vpd_vgpu_impl for a vplane display node (libvplane). */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <vplane/display.h>

#include "log_sink.h"
#include "server.h"
#include "head.h"
#include "vgpu.h"
#include "vgpu_node.h"

struct node_vgpu {
	struct vpd_vgpu base;
	struct vp_display *display; /* owned; NULL once closed */
	struct wl_event_source *fd_source;
};

static const struct vpd_vgpu_impl node_impl;

static struct node_vgpu *node_from_vgpu(struct vpd_vgpu *vgpu)
{
	struct node_vgpu *node;

	assert(vgpu->impl == &node_impl);
	return wl_container_of(vgpu, node, base);
}

static bool node_query_plane(struct vpd_vgpu *vgpu, uint32_t head,
			     uint32_t plane, struct vplane_display_plane *out)
{
	return vp_display_query_plane(node_from_vgpu(vgpu)->display, head,
				      plane, out);
}

static int node_get_dmabuf(struct vpd_vgpu *vgpu, uint32_t dmabuf_id)
{
	return vp_display_get_dmabuf(node_from_vgpu(vgpu)->display, dmabuf_id);
}

static bool node_ack(struct vpd_vgpu *vgpu, uint32_t head, uint32_t seq)
{
	return vp_display_ack_flip(node_from_vgpu(vgpu)->display, head, seq);
}

static bool node_get_stats(struct vpd_vgpu *vgpu,
			   struct vplane_display_stats *out)
{
	return vp_display_get_stats(node_from_vgpu(vgpu)->display, out);
}

static bool node_input(struct vpd_vgpu *vgpu, uint32_t device, uint32_t head,
		       const struct vplane_input_event *events, uint32_t count)
{
	return vp_display_send_input(node_from_vgpu(vgpu)->display, device,
				     head, events, count);
}

static void node_close(struct vpd_vgpu *vgpu)
{
	struct node_vgpu *node = node_from_vgpu(vgpu);

	if (node->fd_source) {
		wl_event_source_remove(node->fd_source);
		node->fd_source = NULL;
	}
	vp_display_destroy(node->display);
	node->display = NULL;
}

static void node_destroy(struct vpd_vgpu *vgpu)
{
	free(node_from_vgpu(vgpu));
}

static const struct vpd_vgpu_impl node_impl = {
	.query_plane = node_query_plane,
	.get_dmabuf = node_get_dmabuf,
	.ack = node_ack,
	.get_stats = node_get_stats,
	.input = node_input,
	.close = node_close,
	.destroy = node_destroy,
};

bool vpd_vgpu_is_node_of(struct vpd_vgpu *vgpu, dev_t rdev)
{
	struct stat st;

	return vgpu->impl == &node_impl && !vgpu->closed &&
	       !fstat(vp_display_get_fd(node_from_vgpu(vgpu)->display), &st) &&
	       S_ISCHR(st.st_mode) && st.st_rdev == rdev;
}

static struct vpd_head *event_source(struct vpd_vgpu *vgpu,
				     const struct vplane_display_event *event)
{
	if (event->head >= vgpu->nr_heads) {
		log_error("vGPU %s: event for head %u of %u", vgpu->name,
			  event->head, vgpu->nr_heads);
		return NULL;
	}
	return &vgpu->heads[event->head];
}

static void handle_display_flip(void *data,
				const struct vplane_display_event *event)
{
	struct vpd_head *head = event_source(data, event);

	if (head)
		vpd_head_flip(head, event);
}

static void handle_display_cursor_move(void *data,
				       const struct vplane_display_event *event)
{
	struct vpd_head *head = event_source(data, event);

	if (head)
		vpd_head_cursor_move(head, event);
}

/* Mode, reset, overflow: ids may name other buffers now; start over. */
static void handle_display_requery(void *data,
				   const struct vplane_display_event *event)
{
	vpd_vgpu_start_over(data, event);
}

static void handle_display_gone(void *data)
{
	vpd_vgpu_mark_gone(data);
}

static const struct vp_display_listener display_listener = {
	.flip = handle_display_flip,
	.cursor_move = handle_display_cursor_move,
	.mode = handle_display_requery,
	.reset = handle_display_requery,
	.overflow = handle_display_requery,
	.gone = handle_display_gone,
};

static int handle_display_fd(int fd, uint32_t mask, void *data)
{
	struct node_vgpu *node = data;

	if (!vp_display_dispatch(node->display, &display_listener,
				 &node->base)) {
		/* logged by libvplane; a level-triggered fd that keeps
		 * failing would spin, so treat it like removal */
		log_error("vGPU %s: reading events failed; closing it",
			  node->base.name);
		handle_display_gone(&node->base);
	}
	return 0;
}

/* The vGPU of an open @display (taken): named by its UUID, or @name. */
static struct vpd_vgpu *vgpu_from_display(struct vpd_server *server,
					  struct vp_display *display,
					  const char *name)
{
	struct wl_event_loop *loop = wl_display_get_event_loop(server->display);
	const struct vplane_display_info *info = vp_display_get_info(display);
	struct node_vgpu *node = calloc(1, sizeof(*node));
	struct vpd_vgpu *vgpu;
	uint32_t h;

	if (!node)
		log_errno("calloc");
	if (!node ||
	    !vpd_vgpu_init(&node->base, &node_impl, server,
			   info->uuid[0] ? info->uuid : name, info->nr_heads)) {
		free(node);
		vp_display_destroy(display);
		return NULL;
	}
	vgpu = &node->base;
	node->display = display;
	snprintf(vgpu->type, sizeof(vgpu->type), "%s", info->type);
	vgpu->ack_timeout_ms = info->ack_timeout_ms;

	vgpu->ack_role = vp_display_take_ack_role(node->display);
	if (!vgpu->ack_role)
		log_info("vGPU %s: another consumer holds the ack role (%s); "
			 "observing only",
			 vgpu->name, strerror(errno));

	for (h = 0; h < vgpu->nr_heads; h++)
		vpd_head_read_planes(&vgpu->heads[h]);

	node->fd_source = wl_event_loop_add_fd(
		loop, vp_display_get_fd(node->display), WL_EVENT_READABLE,
		handle_display_fd, node);
	if (!node->fd_source) {
		log_error("vGPU %s: cannot add its fd to the event loop",
			  vgpu->name);
		/* its buffers, cache and display; nothing listens to it yet */
		vpd_vgpu_discard(vgpu);
		return NULL;
	}
	wl_list_insert(server->vgpus.prev, &vgpu->link);
	log_info("vGPU %s (%s): %u head(s), %s", vgpu->name, info->type,
		 vgpu->nr_heads, vgpu->ack_role ? "ack role" : "observer");
	return vgpu;
}

struct vpd_vgpu *vpd_node_vgpu_create(struct vpd_server *server,
				      const char *uuid, const char *path)
{
	const char *name = uuid ? uuid : path;
	struct vp_display *display;

	display = uuid ? vp_display_create_from_uuid(uuid)
		       : vp_display_create_from_path(path);
	if (!display) {
		int err = errno;

		log_error("vGPU %s: cannot open its display node %s%s: %s%s",
			  name, uuid ? "/dev/vplane/" : "", name, strerror(err),
			  err == EACCES ? " (run as root or in the group of "
					  "vplane's display_gid)"
			  : err == ENOENT
				  ? " (no such vGPU, or vplane.ko not loaded)"
				  : "");
		return NULL;
	}
	return vgpu_from_display(server, display, name);
}

struct vpd_vgpu *vpd_node_vgpu_create_from_fd(struct vpd_server *server, int fd,
					      const char *name)
{
	struct vp_display *display = vp_display_create_from_fd(fd);

	if (!display) {
		log_error("vGPU %s: not a usable display fd: %s", name,
			  strerror(errno));
		return NULL;
	}
	return vgpu_from_display(server, display, name);
}
