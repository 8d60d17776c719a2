// SPDX-License-Identifier: MIT
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/vfio.h>
#include <vplane_display.h>
#include <wlr/types/wlr_output.h>

#include "log_sink.h"
#include "monotonic.h"
#include "frame_layout.h"
#include "output.h"
#include "server.h"
#include "head.h"
#include "upstream.h"
#include "vgpu.h"

#define DEFAULT_MHZ	  60000
#define NOT_SHOWN_PERIOD  1000 /* ms: nothing shows it, just notice modes */
#define DRM_PLANE_PRIMARY 1    /* enum drm_plane_type, uapi-less */
#define DRM_PLANE_CURSOR  2

struct upstream_vgpu {
	struct vpd_vgpu base;
	int vfio_fd; /* owned VFIO device; -1 once closed */
	struct wl_event_source *refresh_timer;
	bool no_cursor_plane; /* the driver refused a cursor query */
	bool input_refused;   /* said once that it has no input devices */
};

static const struct vpd_vgpu_impl upstream_impl;

static struct upstream_vgpu *upstream_from_vgpu(struct vpd_vgpu *vgpu)
{
	struct upstream_vgpu *up;

	assert(vgpu->impl == &upstream_impl);
	return wl_container_of(vgpu, up, base);
}

bool vpd_vgpu_is_upstream(const struct vpd_vgpu *vgpu)
{
	return vgpu->impl == &upstream_impl;
}

/* VFIO_DEVICE_GET_GFX_DMABUF: a new dma-buf fd for @dmabuf_id. */
static int upstream_get_dmabuf(struct vpd_vgpu *vgpu, uint32_t dmabuf_id)
{
	uint32_t id = dmabuf_id;

	return ioctl(upstream_from_vgpu(vgpu)->vfio_fd,
		     VFIO_DEVICE_GET_GFX_DMABUF, &id);
}

/* One plane as the display-node ABI describes it, so the dma-buf cache
 * and vpd_dmabuf_buffer serve both kinds of vGPU. False if the query
 * failed (errno set); a disabled plane is true with dmabuf_id 0. */
static bool query_plane(struct upstream_vgpu *up, uint32_t type,
			struct vplane_display_plane *out)
{
	struct vpd_vgpu *vgpu = &up->base;
	struct vfio_device_gfx_plane_info info = {
		.argsz = sizeof(info),
		.flags = VFIO_GFX_PLANE_TYPE_DMABUF,
		.drm_plane_type = type,
	};
	char why[160] = "";

	memset(out, 0, sizeof(*out));
	if (ioctl(up->vfio_fd, VFIO_DEVICE_QUERY_GFX_PLANE, &info))
		return false;
	if (!info.dmabuf_id || !info.drm_format)
		return true;
	if (info.drm_format_mod != DRM_FORMAT_MOD_LINEAR ||
	    info.size > UINT32_MAX ||
	    !enc_plane_layout_check(
		    &(struct enc_plane_layout){ .drm_format = info.drm_format,
						.width = info.width,
						.height = info.height,
						.stride = info.stride },
		    info.size, why, sizeof(why))) {
		log_debug("vGPU %s: plane %u: modifier 0x%llx size "
			  "%llu not shown%s%s",
			  vgpu->name, type,
			  (unsigned long long)info.drm_format_mod,
			  (unsigned long long)info.size, why[0] ? ": " : "",
			  why);
		return true;
	}
	out->flags = VPLANE_DISPLAY_PLANE_ENABLED |
		     /* nothing says the pages are coherent: sync CPU reads */
		     VPLANE_DISPLAY_PLANE_NEEDS_SYNC;
	out->plane = type == DRM_PLANE_CURSOR ? VPLANE_DISPLAY_PLANE_CURSOR
					      : VPLANE_DISPLAY_PLANE_PRIMARY;
	out->drm_format = info.drm_format;
	out->dmabuf_id = info.dmabuf_id;
	out->width = info.width;
	out->height = info.height;
	out->stride = info.stride;
	out->size = (uint32_t)info.size;
	out->x = (int32_t)info.x_pos;
	out->y = (int32_t)info.y_pos;
	out->x_hot = info.x_hot;
	out->y_hot = info.y_hot;
	out->head_width = info.width;
	out->head_height = info.height;
	out->refresh_mhz = DEFAULT_MHZ;
	return true;
}

/* The impl's query: head 0 only (see upstream.h). */
static bool upstream_query_plane(struct vpd_vgpu *vgpu, uint32_t head,
				 uint32_t plane,
				 struct vplane_display_plane *out)
{
	if (head != 0) {
		errno = EINVAL;
		return false;
	}
	return query_plane(upstream_from_vgpu(vgpu),
			   plane == VPLANE_DISPLAY_PLANE_CURSOR
				   ? DRM_PLANE_CURSOR
				   : DRM_PLANE_PRIMARY,
			   out);
}

/* A query error that means the device will not answer again. */
static bool device_gone(int err)
{
	return err == ENODEV || err == EIO || err == EBADF || err == ENOTTY ||
	       err == ENXIO;
}

/* Re-read one plane; true if what the head shows changed. */
static bool refresh_plane(struct upstream_vgpu *up, uint32_t type)
{
	struct vpd_vgpu *vgpu = &up->base;
	struct vpd_head *head = &vgpu->heads[0];
	bool cursor = type == DRM_PLANE_CURSOR;
	struct vpd_dmabuf_buffer **slot =
		cursor ? &head->cursor : &head->primary;
	struct vpd_dmabuf_buffer *old = *slot, *buffer = NULL;
	struct vplane_display_plane plane;

	if (!query_plane(up, type, &plane)) {
		if (cursor && errno == EINVAL) {
			/* e.g. mbochs: primary only; stop asking */
			up->no_cursor_plane = true;
			return false;
		}
		if (device_gone(errno)) {
			log_error("vGPU %s: plane query failed: %s", vgpu->name,
				  strerror(errno));
			vpd_vgpu_mark_gone(vgpu);
			return false;
		}
		/* transient (mbochs answers its first query of a new mode
		 * with ENOMEM): keep what is shown, ask again next refresh */
		log_debug("vGPU %s: plane query: %s; retrying", vgpu->name,
			  strerror(errno));
		return false;
	}
	if (plane.dmabuf_id)
		buffer = vpd_vgpu_buffer_for(vgpu, &plane);
	vpd_head_set_buffer(slot, buffer);
	if (cursor) {
		bool moved =
			head->cursor_x != plane.x || head->cursor_y != plane.y;

		head->cursor_x = plane.x;
		head->cursor_y = plane.y;
		head->cursor_hot_x =
			plane.x_hot == 0xffffffffu ? 0 : plane.x_hot;
		head->cursor_hot_y =
			plane.y_hot == 0xffffffffu ? 0 : plane.y_hot;
		return moved || buffer != old;
	}
	head->unusable = plane.dmabuf_id && !buffer;
	if (buffer) {
		head->width = plane.head_width;
		head->height = plane.head_height;
	}
	if (buffer && buffer != old) {
		/* a new dmabuf_id: the guest flipped. It gets a sequence of
		 * our own so the output counts it as a new frame presented;
		 * the VFIO API has no flip time, so the latch is this read
		 * (the statistics' latency is read to present) */
		head->flips++;
		head->seq++;
		head->has_seq = true;
		head->last_flip_ns = monotonic_ns();
	}
	/* a single-buffered guest draws into the same buffer: a new frame
	 * may be there even with the same id, so an enabled plane always
	 * counts as changed (the output commits it again) */
	return buffer || buffer != old;
}

static uint32_t refresh_period_ms(const struct vpd_head *head)
{
	int mhz;

	if (!head->output || !head->output->wlr_output)
		return NOT_SHOWN_PERIOD;
	mhz = head->output->wlr_output->refresh;
	if (mhz <= 0)
		mhz = DEFAULT_MHZ;
	return (uint32_t)((1000000 + mhz - 1) / mhz);
}

static int handle_refresh(void *data)
{
	struct upstream_vgpu *up = data;
	struct vpd_head *head = &up->base.heads[0];
	bool changed;

	changed = refresh_plane(up, DRM_PLANE_PRIMARY);
	if (up->base.closed)
		return 0; /* gone: vpd_vgpu_mark_gone() emitted already */
	if (!up->no_cursor_plane)
		changed |= refresh_plane(up, DRM_PLANE_CURSOR);
	if (up->base.closed)
		return 0;
	if (changed)
		vpd_head_changed(head);
	wl_event_source_timer_update(up->refresh_timer,
				     (int)refresh_period_ms(head));
	return 0;
}

/* The upstream VFIO API has no input: the VMM's own devices (its
 * monitor, its display window) are the only way into this VM. */
static bool upstream_input(struct vpd_vgpu *vgpu, uint32_t device,
			   uint32_t head,
			   const struct vplane_input_event *events,
			   uint32_t count)
{
	struct upstream_vgpu *up = upstream_from_vgpu(vgpu);

	(void)device, (void)head, (void)events, (void)count;
	if (!up->input_refused)
		log_error("vGPU %s: input refused: an upstream VFIO vGPU has "
			  "no vplane input devices (use the VMM's own input)",
			  vgpu->name);
	up->input_refused = true;
	errno = EOPNOTSUPP;
	return false;
}

static void upstream_close(struct vpd_vgpu *vgpu)
{
	struct upstream_vgpu *up = upstream_from_vgpu(vgpu);

	if (up->refresh_timer) {
		wl_event_source_remove(up->refresh_timer);
		up->refresh_timer = NULL;
	}
	if (up->vfio_fd >= 0) {
		close(up->vfio_fd);
		up->vfio_fd = -1;
	}
}

static void upstream_destroy(struct vpd_vgpu *vgpu)
{
	free(upstream_from_vgpu(vgpu));
}

/* No acks, no counters, no input: the upstream API has none. */
static const struct vpd_vgpu_impl upstream_impl = {
	.query_plane = upstream_query_plane,
	.get_dmabuf = upstream_get_dmabuf,
	.input = upstream_input,
	.close = upstream_close,
	.destroy = upstream_destroy,
};

struct vpd_vgpu *vpd_upstream_vgpu_create(struct vpd_server *server,
					  int device_fd, const char *name)
{
	struct wl_event_loop *loop = wl_display_get_event_loop(server->display);
	struct vfio_device_info dev = { .argsz = sizeof(dev) };
	struct vfio_device_gfx_plane_info probe = {
		.argsz = sizeof(probe),
		.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF,
		.drm_plane_type = DRM_PLANE_PRIMARY,
	};
	struct upstream_vgpu *up;
	struct vpd_vgpu *vgpu;

	if (ioctl(device_fd, VFIO_DEVICE_GET_INFO, &dev)) {
		log_error("%s: not a VFIO device fd: %s", name,
			  strerror(errno));
		goto err_fd;
	}
	if (ioctl(device_fd, VFIO_DEVICE_QUERY_GFX_PLANE, &probe)) {
		log_error("%s: the VFIO device has no dma-buf display planes "
			  "(VFIO_DEVICE_QUERY_GFX_PLANE probe: %s)",
			  name, strerror(errno));
		goto err_fd;
	}
	up = calloc(1, sizeof(*up));
	if (!up) {
		log_errno("calloc");
		goto err_fd;
	}
	if (!vpd_vgpu_init(&up->base, &upstream_impl, server, name, 1)) {
		free(up);
		goto err_fd;
	}
	vgpu = &up->base;
	up->vfio_fd = device_fd;
	up->refresh_timer = wl_event_loop_add_timer(loop, handle_refresh, up);
	if (!up->refresh_timer) {
		log_error("%s: out of memory", name);
		vpd_vgpu_destroy(vgpu);
		return NULL;
	}
	wl_list_insert(server->vgpus.prev, &vgpu->link);
	refresh_plane(up, DRM_PLANE_PRIMARY);
	if (vgpu->closed) { /* logged */
		vpd_vgpu_destroy(vgpu);
		return NULL;
	}
	wl_event_source_timer_update(up->refresh_timer, 1);
	log_info("vGPU %s: upstream VFIO GFX planes (no events: re-read at "
		 "the output's refresh)",
		 vgpu->name);
	return vgpu;

err_fd:
	close(device_fd);
	return NULL;
}
