// SPDX-License-Identifier: MIT
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vplane/display.h>
#include <vplane/dmabuf_cache.h>
#include <wlr/util/log.h>

#include "dmabuf_buffer.h"
#include "server.h"
#include "source.h"
#include "upstream.h"

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/* dma-buf fds the libvplane cache holds, and wlr_buffers we keep by id:
 * two of each head's buffers (double buffering) plus cursors, with room
 * for a guest that cycles through a few more. */
#define CACHE_CAPACITY 16
#define MAX_BUFFERS    16

uint32_t vp_vgpu_nr_heads(const struct vp_vgpu *vgpu)
{
	return vgpu->nr_heads;
}

struct vp_source *vp_vgpu_get_source(struct vp_vgpu *vgpu, uint32_t head)
{
	return head < vgpu->nr_heads ? &vgpu->sources[head] : NULL;
}

/* Give up the producer reference; outputs keep theirs by lock. */
static void forget_buffer(struct vp_vgpu *vgpu, struct vp_dmabuf_buffer *buffer)
{
	wl_list_remove(&buffer->link);
	wl_list_init(&buffer->link);
	vgpu->nr_buffers--;
	wlr_buffer_drop(&buffer->base);
}

static void forget_all_buffers(struct vp_vgpu *vgpu)
{
	struct vp_dmabuf_buffer *buffer, *tmp;

	wl_list_for_each_safe(buffer, tmp, &vgpu->buffers, link)
		forget_buffer(vgpu, buffer);
}

struct vp_dmabuf_buffer *
vp_vgpu_buffer_for(struct vp_vgpu *vgpu,
		   const struct vplane_display_plane *plane)
{
	struct vp_dmabuf_buffer *buffer;
	int fd;

	wl_list_for_each(buffer, &vgpu->buffers, link) {
		if (buffer->dmabuf_id != plane->dmabuf_id)
			continue;
		if (vp_dmabuf_buffer_matches(buffer, plane)) {
			wl_list_remove(&buffer->link);
			wl_list_insert(&vgpu->buffers, &buffer->link);
			return buffer;
		}
		forget_buffer(vgpu, buffer); /* an id reused for a new layout */
		break;
	}

	fd = vp_dmabuf_cache_dup(vgpu->cache, plane->dmabuf_id);
	if (fd < 0) {
		wlr_log(WLR_ERROR, "vGPU %s: no dma-buf for id %u: %s",
			vgpu->name, plane->dmabuf_id, strerror(errno));
		return NULL;
	}
	buffer = vp_dmabuf_buffer_create(fd, plane);
	if (!buffer)
		return NULL;
	wl_list_insert(&vgpu->buffers, &buffer->link);
	if (++vgpu->nr_buffers > MAX_BUFFERS)
		forget_buffer(vgpu, wl_container_of(vgpu->buffers.prev, buffer,
						    link));
	return buffer;
}

void vp_source_set_buffer(struct vp_dmabuf_buffer **slot,
			  struct vp_dmabuf_buffer *buffer)
{
	if (*slot == buffer)
		return;
	if (buffer)
		wlr_buffer_lock(&buffer->base);
	if (*slot)
		wlr_buffer_unlock(&(*slot)->base);
	*slot = buffer;
}

static void read_source_state(const struct vp_source *source,
			      struct vp_source_state *st)
{
	*st = (struct vp_source_state){
		.width = source->width,
		.height = source->height,
		.refresh_mhz = source->refresh_mhz,
		.enabled = source->primary && !source->gone,
		.gone = source->gone,
		.output = source->output,
	};
	if (st->enabled)
		st->format = source->primary->format;
}

static bool source_state_equal(const struct vp_source_state *a,
			       const struct vp_source_state *b)
{
	return a->width == b->width && a->height == b->height &&
	       a->refresh_mhz == b->refresh_mhz && a->format == b->format &&
	       a->enabled == b->enabled && a->gone == b->gone &&
	       a->output == b->output;
}

void vp_source_check_state(struct vp_source *source)
{
	struct vp_source_state now;

	read_source_state(source, &now);
	if (source_state_equal(&now, &source->announced))
		return;
	source->announced = now;
	wl_signal_emit(&source->events.state, source);
}

void vp_source_changed(struct vp_source *source)
{
	wl_signal_emit(&source->events.frame, source);
	vp_source_check_state(source);
}

static void note_seq(struct vp_source *source, uint32_t seq)
{
	if (!source->has_seq || vp_seq_after(seq, source->seq)) {
		source->seq = seq;
		source->has_seq = true;
	}
}

/* Re-read one plane of @source's head. */
static void source_query_plane(struct vp_source *source, uint32_t plane_idx)
{
	struct vp_vgpu *vgpu = source->vgpu;
	struct vplane_display_plane plane;
	struct vp_dmabuf_buffer *buffer = NULL;
	bool enabled;

	if (!vp_display_query_plane(vgpu->display, source->head, plane_idx,
				    &plane))
		return; /* logged; the vGPU may be going away */
	enabled = plane.flags & VPLANE_DISPLAY_PLANE_ENABLED && plane.dmabuf_id;
	if (enabled)
		buffer = vp_vgpu_buffer_for(vgpu, &plane);

	if (plane_idx == VPLANE_DISPLAY_PLANE_PRIMARY) {
		source->unusable = enabled && !buffer;
		source->has_reason =
			plane.argsz >=
			offsetofend(struct vplane_display_plane, req_height);
		source->reason = plane.reason;
		source->status = plane.status;
		source->req_width = plane.req_width;
		source->req_height = plane.req_height;
		vp_source_set_buffer(&source->primary, buffer);
		if (enabled) {
			source->width = plane.head_width;
			source->height = plane.head_height;
			source->refresh_mhz = plane.refresh_mhz;
		}
	} else {
		vp_source_set_buffer(&source->cursor, buffer);
		source->cursor_x = plane.x;
		source->cursor_y = plane.y;
		source->cursor_hot_x =
			plane.x_hot == 0xffffffffu ? 0 : plane.x_hot;
		source->cursor_hot_y =
			plane.y_hot == 0xffffffffu ? 0 : plane.y_hot;
	}
	if (enabled)
		note_seq(source, plane.flip_seq);
}

static void source_query_all(struct vp_source *source)
{
	source_query_plane(source, VPLANE_DISPLAY_PLANE_PRIMARY);
	source_query_plane(source, VPLANE_DISPLAY_PLANE_CURSOR);
}

static struct vp_source *event_source(struct vp_vgpu *vgpu,
				      const struct vplane_display_event *event)
{
	if (event->head >= vgpu->nr_heads) {
		wlr_log(WLR_ERROR, "vGPU %s: event for head %u of %u",
			vgpu->name, event->head, vgpu->nr_heads);
		return NULL;
	}
	return &vgpu->sources[event->head];
}

static void handle_display_flip(void *data,
				const struct vplane_display_event *event)
{
	struct vp_source *source = event_source(data, event);

	if (!source || event->plane > VPLANE_DISPLAY_PLANE_CURSOR)
		return;
	source->flips++;
	source->flips_dropped += event->dropped;
	if (event->plane == VPLANE_DISPLAY_PLANE_PRIMARY)
		source->last_flip_ns = event->timestamp_ns;
	note_seq(source, event->seq);
	source_query_plane(source, event->plane);
	vp_source_changed(source);
	/* shown nowhere (no free output, or detached by the operator), the
	 * head's acks go out at once: a guest waiting out the driver's ack
	 * timeout on every flip would crawl */
	vp_frame_ack_flip(&source->frame_ack, source->seq);
}

static void handle_display_cursor_move(void *data,
				       const struct vplane_display_event *event)
{
	struct vp_source *source = event_source(data, event);

	if (!source)
		return;
	source->cursor_x = event->x;
	source->cursor_y = event->y;
	note_seq(source, event->seq);
	vp_source_changed(source);
}

/* Mode, reset, overflow: ids may name other buffers now; start over. */
static void handle_display_requery(void *data,
				   const struct vplane_display_event *event)
{
	struct vp_vgpu *vgpu = data;
	uint32_t h;

	wlr_log(WLR_INFO, "vGPU %s: %s event, re-reading every plane",
		vgpu->name,
		event->type == VPLANE_EVENT_MODE    ? "mode"
		: event->type == VPLANE_EVENT_RESET ? "reset"
						    : "overflow");
	vp_dmabuf_cache_handle_event(vgpu->cache, event);
	forget_all_buffers(vgpu);
	for (h = 0; h < vgpu->nr_heads; h++) {
		struct vp_source *source = &vgpu->sources[h];

		if (event->type == VPLANE_EVENT_MODE && event->head == h) {
			source->width = event->width;
			source->height = event->height;
		}
		source_query_all(source);
		vp_source_changed(source);
	}
}

static void vgpu_log_stats(struct vp_vgpu *vgpu)
{
	struct vplane_display_stats st;
	uint32_t h;

	for (h = 0; h < vgpu->nr_heads; h++) {
		const struct vp_source *s = &vgpu->sources[h];

		wlr_log(WLR_INFO,
			"source %s: %llu flip events, %llu acks sent, %llu ack "
			"failures",
			s->name, (unsigned long long)s->flips,
			(unsigned long long)s->acks,
			(unsigned long long)s->ack_failures);
	}
	if (!vgpu->display || !vp_display_get_stats(vgpu->display, &st))
		return;
	wlr_log(WLR_INFO,
		"vGPU %s: events %llu coalesced %llu overflows %llu "
		"acks %llu ack_timeouts %llu flips %llu",
		vgpu->name, (unsigned long long)st.events,
		(unsigned long long)st.coalesced,
		(unsigned long long)st.overflows, (unsigned long long)st.acks,
		(unsigned long long)st.ack_timeouts,
		(unsigned long long)st.flips);
}

/* The vGPU is gone: stop reading, show nothing, keep the sources. */
static void vgpu_close(struct vp_vgpu *vgpu)
{
	uint32_t h;

	if (vgpu->fd_source) {
		wl_event_source_remove(vgpu->fd_source);
		vgpu->fd_source = NULL;
	}
	vp_upstream_vgpu_close(vgpu);
	for (h = 0; h < vgpu->nr_heads; h++) {
		vp_source_set_buffer(&vgpu->sources[h].primary, NULL);
		vp_source_set_buffer(&vgpu->sources[h].cursor, NULL);
	}
	forget_all_buffers(vgpu);
	vp_dmabuf_cache_destroy(vgpu->cache);
	vgpu->cache = NULL;
	vp_display_destroy(vgpu->display);
	vgpu->display = NULL;
}

void vp_vgpu_mark_gone(struct vp_vgpu *vgpu)
{
	uint32_t h;

	wlr_log(WLR_ERROR,
		"vGPU %s was removed; its outputs now show the placeholder",
		vgpu->name);
	vgpu_close(vgpu);
	for (h = 0; h < vgpu->nr_heads; h++) {
		vgpu->sources[h].gone = true;
		vgpu->sources[h].width = vgpu->sources[h].height = 0;
		vp_source_changed(&vgpu->sources[h]);
	}
}

static void handle_display_gone(void *data)
{
	vp_vgpu_mark_gone(data);
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
	struct vp_vgpu *vgpu = data;

	if (!vp_display_dispatch(vgpu->display, &display_listener, vgpu)) {
		/* logged by libvplane; a level-triggered fd that keeps
		 * failing would spin, so treat it like removal */
		wlr_log(WLR_ERROR, "vGPU %s: reading events failed; closing it",
			vgpu->name);
		handle_display_gone(vgpu);
	}
	return 0;
}

static void send_ack(void *data, uint32_t seq)
{
	vp_source_ack(data, seq);
}

struct vp_vgpu *vp_vgpu_alloc(struct vp_server *server, const char *name,
			      uint32_t nr_heads)
{
	struct vp_vgpu *vgpu;
	uint32_t h;

	vgpu = calloc(1, sizeof(*vgpu));
	if (vgpu)
		vgpu->sources =
			calloc(nr_heads ? nr_heads : 1, sizeof(*vgpu->sources));
	if (!vgpu || !vgpu->sources) {
		wlr_log_errno(WLR_ERROR, "calloc");
		free(vgpu);
		return NULL;
	}
	vgpu->server = server;
	vgpu->vfio_fd = -1;
	wl_list_init(&vgpu->buffers);
	wl_list_init(&vgpu->link);
	snprintf(vgpu->name, sizeof(vgpu->name), "%s", name);
	vgpu->nr_heads = nr_heads;
	for (h = 0; h < nr_heads; h++) {
		struct vp_source *source = &vgpu->sources[h];

		source->vgpu = vgpu;
		source->head = h;
		snprintf(source->name, sizeof(source->name), "%s/%u",
			 vgpu->name, h);
		wl_signal_init(&source->events.frame);
		wl_signal_init(&source->events.state);
		wl_signal_init(&source->events.destroy);
		vp_frame_ack_init(&source->frame_ack, send_ack, source);
	}
	return vgpu;
}

/* The vGPU of an open @display (taken): named by its UUID, or @name. */
static struct vp_vgpu *vgpu_from_display(struct vp_server *server,
					 struct vp_display *display,
					 const char *name)
{
	struct wl_event_loop *loop = wl_display_get_event_loop(server->display);
	const struct vplane_display_info *info;
	struct vp_vgpu *vgpu;
	uint32_t h;

	info = vp_display_get_info(display);
	vgpu = vp_vgpu_alloc(server, info->uuid[0] ? info->uuid : name,
			     info->nr_heads);
	if (!vgpu) {
		vp_display_destroy(display);
		return NULL;
	}
	vgpu->display = display;
	vgpu->cache = vp_dmabuf_cache_create(
		CACHE_CAPACITY, vp_display_fetch_dmabuf, vgpu->display);
	if (!vgpu->cache)
		goto err;

	vgpu->ack_role = vp_display_take_ack_role(vgpu->display);
	if (!vgpu->ack_role)
		wlr_log(WLR_INFO,
			"vGPU %s: another consumer holds the ack role (%s); "
			"observing only",
			vgpu->name, strerror(errno));

	for (h = 0; h < vgpu->nr_heads; h++)
		source_query_all(&vgpu->sources[h]);

	vgpu->fd_source = wl_event_loop_add_fd(
		loop, vp_display_get_fd(vgpu->display), WL_EVENT_READABLE,
		handle_display_fd, vgpu);
	if (!vgpu->fd_source) {
		wlr_log(WLR_ERROR,
			"vGPU %s: cannot add its fd to the event loop",
			vgpu->name);
		goto err;
	}
	wl_list_insert(server->vgpus.prev, &vgpu->link);
	wlr_log(WLR_INFO, "vGPU %s (%s): %u head(s), %s", vgpu->name,
		info->type, vgpu->nr_heads,
		vgpu->ack_role ? "ack role" : "observer");
	return vgpu;

err:
	/* its buffers, cache and display; nothing listens to it yet */
	vgpu_close(vgpu);
	free(vgpu->sources);
	free(vgpu);
	return NULL;
}

struct vp_vgpu *vp_vgpu_create(struct vp_server *server, const char *uuid,
			       const char *path)
{
	const char *name = uuid ? uuid : path;
	struct vp_display *display;

	display = uuid ? vp_display_create_from_uuid(uuid)
		       : vp_display_create_from_path(path);
	if (!display) {
		int err = errno;

		wlr_log(WLR_ERROR,
			"vGPU %s: cannot open its display node %s%s: %s%s",
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

struct vp_vgpu *vp_vgpu_create_from_fd(struct vp_server *server, int fd,
				       const char *name)
{
	struct vp_display *display = vp_display_create_from_fd(fd);

	if (!display) {
		wlr_log(WLR_ERROR, "vGPU %s: not a usable display fd: %s", name,
			strerror(errno));
		return NULL;
	}
	return vgpu_from_display(server, display, name);
}

void vp_vgpu_destroy(struct vp_vgpu *vgpu)
{
	uint32_t h;

	if (!vgpu)
		return;
	vgpu_log_stats(vgpu);
	/* their outputs let go, and their streams' ack holds with them */
	for (h = 0; h < vgpu->nr_heads; h++) {
		wl_signal_emit(&vgpu->sources[h].events.destroy,
			       &vgpu->sources[h]);
		vp_frame_ack_finish(&vgpu->sources[h].frame_ack);
	}
	vgpu_close(vgpu);
	wl_list_remove(&vgpu->link);
	free(vgpu->sources);
	free(vgpu);
}

void vp_source_ack(struct vp_source *source, uint32_t seq)
{
	struct vp_vgpu *vgpu = source->vgpu;

	if (source->gone || !vgpu->display || !vgpu->ack_role)
		return;
	if (vp_display_ack_flip(vgpu->display, source->head, seq))
		source->acks++;
	else
		source->ack_failures++; /* logged by libvplane */
}
