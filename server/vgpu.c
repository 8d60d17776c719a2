// SPDX-License-Identifier: MIT
/* What every kind of vGPU shares: its heads, its dma-buf cache and its
 * lifetime; the kind-specific work goes through vgpu->impl. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <vplane_display.h>

#include "log_sink.h"
#include "head.h"
#include "vgpu.h"

/* wlr_buffers kept by id: two of each head's buffers (double buffering)
 * plus cursors, with room for a guest that cycles through a few more. */
#define MAX_BUFFERS 16

uint32_t vpd_vgpu_nr_heads(const struct vpd_vgpu *vgpu)
{
	return vgpu->nr_heads;
}

struct vpd_head *vpd_vgpu_get_head(struct vpd_vgpu *vgpu, uint32_t head)
{
	return head < vgpu->nr_heads ? &vgpu->heads[head] : NULL;
}

static int fetch_dmabuf(void *data, uint32_t dmabuf_id)
{
	struct vpd_vgpu *vgpu = data;

	if (vgpu->closed) {
		errno = ENODEV;
		return -1;
	}
	return vgpu->impl->get_dmabuf(vgpu, dmabuf_id);
}

/* the head's frame_ack decides when; this sends (frame_ack.h) */
static void send_ack(void *data, uint32_t seq)
{
	vpd_head_ack(data, seq);
}

bool vpd_vgpu_init(struct vpd_vgpu *vgpu, const struct vpd_vgpu_impl *impl,
		   struct vpd_server *server, const char *name,
		   uint32_t nr_heads)
{
	uint32_t h;

	vgpu->heads = calloc(nr_heads ? nr_heads : 1, sizeof(*vgpu->heads));
	if (!vgpu->heads) {
		log_errno("calloc");
		return false;
	}
	vgpu->impl = impl;
	vgpu->server = server;
	wl_list_init(&vgpu->link);
	snprintf(vgpu->name, sizeof(vgpu->name), "%s", name);
	vpd_buffer_cache_init(&vgpu->buffers, MAX_BUFFERS, fetch_dmabuf, vgpu,
			      vgpu->name);
	vgpu->nr_heads = nr_heads;
	for (h = 0; h < nr_heads; h++) {
		struct vpd_head *head = &vgpu->heads[h];

		head->vgpu = vgpu;
		head->index = h;
		snprintf(head->name, sizeof(head->name), "%s/%u", vgpu->name,
			 h);
		wl_signal_init(&head->events.frame);
		wl_signal_init(&head->events.state);
		wl_signal_init(&head->events.destroy);
		vpd_frame_ack_init(&head->frame_ack, send_ack, head);
	}
	return true;
}

bool vpd_vgpu_query_plane(struct vpd_vgpu *vgpu, uint32_t head, uint32_t plane,
			  struct vplane_display_plane *out)
{
	if (vgpu->closed) {
		errno = ENODEV;
		return false;
	}
	return vgpu->impl->query_plane(vgpu, head, plane, out);
}

bool vpd_vgpu_get_stats(struct vpd_vgpu *vgpu, struct vplane_display_stats *out)
{
	return !vgpu->closed && vgpu->impl->get_stats &&
	       vgpu->impl->get_stats(vgpu, out);
}

struct vpd_dmabuf_buffer *
vpd_vgpu_buffer_for(struct vpd_vgpu *vgpu,
		    const struct vplane_display_plane *plane)
{
	return vpd_buffer_cache_get(&vgpu->buffers, plane);
}

static void log_stats(struct vpd_vgpu *vgpu)
{
	struct vplane_display_stats st;
	uint32_t h;

	for (h = 0; h < vgpu->nr_heads; h++) {
		const struct vpd_head *s = &vgpu->heads[h];

		log_info("head %s: %llu flip events, %llu acks sent, %llu ack "
			 "failures",
			 s->name, (unsigned long long)s->flips,
			 (unsigned long long)s->acks,
			 (unsigned long long)s->ack_failures);
	}
	log_debug("vGPU %s: dma-buf cache: %llu hits, %llu fetches", vgpu->name,
		  (unsigned long long)vgpu->buffers.hits,
		  (unsigned long long)vgpu->buffers.fetches);
	if (!vpd_vgpu_get_stats(vgpu, &st))
		return;
	log_info("vGPU %s: events %llu coalesced %llu overflows %llu "
		 "acks %llu ack_timeouts %llu flips %llu",
		 vgpu->name, (unsigned long long)st.events,
		 (unsigned long long)st.coalesced,
		 (unsigned long long)st.overflows, (unsigned long long)st.acks,
		 (unsigned long long)st.ack_timeouts,
		 (unsigned long long)st.flips);
}

/* Stop reading, show nothing, keep the heads. */
static void vgpu_close(struct vpd_vgpu *vgpu)
{
	uint32_t h;

	if (!vgpu->closed) {
		vgpu->impl->close(vgpu);
		vgpu->closed = true;
		vgpu->ack_role = false;
	}
	for (h = 0; h < vgpu->nr_heads; h++) {
		vpd_head_set_buffer(&vgpu->heads[h].primary, NULL);
		vpd_head_set_buffer(&vgpu->heads[h].cursor, NULL);
	}
	vpd_buffer_cache_flush(&vgpu->buffers);
}

void vpd_vgpu_mark_gone(struct vpd_vgpu *vgpu)
{
	uint32_t h;

	log_error("vGPU %s was removed; its outputs now show the placeholder",
		  vgpu->name);
	vgpu_close(vgpu);
	for (h = 0; h < vgpu->nr_heads; h++) {
		vgpu->heads[h].gone = true;
		vgpu->heads[h].width = vgpu->heads[h].height = 0;
		vpd_head_changed(&vgpu->heads[h]);
	}
}

void vpd_vgpu_discard(struct vpd_vgpu *vgpu)
{
	vgpu_close(vgpu);
	vpd_buffer_cache_finish(&vgpu->buffers);
	wl_list_remove(&vgpu->link);
	free(vgpu->heads);
	vgpu->impl->destroy(vgpu);
}

void vpd_vgpu_destroy(struct vpd_vgpu *vgpu)
{
	uint32_t h;

	if (!vgpu)
		return;
	log_stats(vgpu);
	/* their outputs let go, and their streams' ack holds with them */
	for (h = 0; h < vgpu->nr_heads; h++) {
		wl_signal_emit(&vgpu->heads[h].events.destroy, &vgpu->heads[h]);
		vpd_frame_ack_finish(&vgpu->heads[h].frame_ack);
	}
	vpd_vgpu_discard(vgpu);
}
