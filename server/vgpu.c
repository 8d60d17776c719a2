// SPDX-License-Identifier: MIT
/* What every kind of vGPU shares: its heads, its dma-buf cache and its
 * lifetime; the kind-specific work goes through vgpu->impl. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <vplane_display.h>
#include <wlr/util/log.h>

#include "source.h"
#include "vgpu.h"

/* wlr_buffers kept by id: two of each head's buffers (double buffering)
 * plus cursors, with room for a guest that cycles through a few more. */
#define MAX_BUFFERS 16

uint32_t vp_vgpu_nr_heads(const struct vp_vgpu *vgpu)
{
	return vgpu->nr_heads;
}

struct vp_source *vp_vgpu_get_source(struct vp_vgpu *vgpu, uint32_t head)
{
	return head < vgpu->nr_heads ? &vgpu->sources[head] : NULL;
}

static int fetch_dmabuf(void *data, uint32_t dmabuf_id)
{
	struct vp_vgpu *vgpu = data;

	if (vgpu->closed) {
		errno = ENODEV;
		return -1;
	}
	return vgpu->impl->get_dmabuf(vgpu, dmabuf_id);
}

/* the head's frame_ack decides when; this sends (frame_ack.h) */
static void send_ack(void *data, uint32_t seq)
{
	vp_source_ack(data, seq);
}

bool vp_vgpu_init(struct vp_vgpu *vgpu, const struct vp_vgpu_impl *impl,
		  struct vp_server *server, const char *name, uint32_t nr_heads)
{
	uint32_t h;

	vgpu->sources = calloc(nr_heads ? nr_heads : 1, sizeof(*vgpu->sources));
	if (!vgpu->sources) {
		wlr_log_errno(WLR_ERROR, "calloc");
		return false;
	}
	vgpu->impl = impl;
	vgpu->server = server;
	wl_list_init(&vgpu->link);
	snprintf(vgpu->name, sizeof(vgpu->name), "%s", name);
	vp_buffer_cache_init(&vgpu->buffers, MAX_BUFFERS, fetch_dmabuf, vgpu,
			     vgpu->name);
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
	return true;
}

bool vp_vgpu_query_plane(struct vp_vgpu *vgpu, uint32_t head, uint32_t plane,
			 struct vplane_display_plane *out)
{
	if (vgpu->closed) {
		errno = ENODEV;
		return false;
	}
	return vgpu->impl->query_plane(vgpu, head, plane, out);
}

bool vp_vgpu_get_stats(struct vp_vgpu *vgpu, struct vplane_display_stats *out)
{
	return !vgpu->closed && vgpu->impl->get_stats &&
	       vgpu->impl->get_stats(vgpu, out);
}

struct vp_dmabuf_buffer *
vp_vgpu_buffer_for(struct vp_vgpu *vgpu,
		   const struct vplane_display_plane *plane)
{
	return vp_buffer_cache_get(&vgpu->buffers, plane);
}

static void log_stats(struct vp_vgpu *vgpu)
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
	wlr_log(WLR_DEBUG, "vGPU %s: dma-buf cache: %llu hits, %llu fetches",
		vgpu->name, (unsigned long long)vgpu->buffers.hits,
		(unsigned long long)vgpu->buffers.fetches);
	if (!vp_vgpu_get_stats(vgpu, &st))
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

/* Stop reading, show nothing, keep the sources. */
static void vgpu_close(struct vp_vgpu *vgpu)
{
	uint32_t h;

	if (!vgpu->closed) {
		vgpu->impl->close(vgpu);
		vgpu->closed = true;
		vgpu->ack_role = false;
	}
	for (h = 0; h < vgpu->nr_heads; h++) {
		vp_source_set_buffer(&vgpu->sources[h].primary, NULL);
		vp_source_set_buffer(&vgpu->sources[h].cursor, NULL);
	}
	vp_buffer_cache_flush(&vgpu->buffers);
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

void vp_vgpu_discard(struct vp_vgpu *vgpu)
{
	vgpu_close(vgpu);
	vp_buffer_cache_finish(&vgpu->buffers);
	wl_list_remove(&vgpu->link);
	free(vgpu->sources);
	vgpu->impl->destroy(vgpu);
}

void vp_vgpu_destroy(struct vp_vgpu *vgpu)
{
	uint32_t h;

	if (!vgpu)
		return;
	log_stats(vgpu);
	/* their outputs let go, and their streams' ack holds with them */
	for (h = 0; h < vgpu->nr_heads; h++) {
		wl_signal_emit(&vgpu->sources[h].events.destroy,
			       &vgpu->sources[h]);
		vp_frame_ack_finish(&vgpu->sources[h].frame_ack);
	}
	vp_vgpu_discard(vgpu);
}
