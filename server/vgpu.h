/* SPDX-License-Identifier: MIT */
/*
 * A vGPU: the device one VM's heads come from. Two kinds sit behind
 * struct vpd_vgpu_impl, the way wlroots puts its backends behind
 * wlr_backend_impl: a vplane display node (vgpu_node.c: flip events,
 * acks) and a device with only the upstream VFIO GFX plane API
 * (upstream.c: re-read at the output's refresh, no acks). Each kind
 * embeds struct vpd_vgpu as its `base` and gets back to itself with
 * wl_container_of() in its impl functions; the rest of vplaned (the
 * heads in head.c, the server, the manager) calls only what is here.
 *
 * Each vGPU keeps the one userspace dma-buf cache (buffer_cache.h) its
 * heads take their buffers from; a miss asks impl->get_dmabuf.
 *
 * A vGPU that goes away is closed (vpd_vgpu_mark_gone()) but stays, its
 * heads empty and marked gone, until vpd_vgpu_destroy().
 */
#ifndef VPD_VGPU_H
#define VPD_VGPU_H

#include <stdbool.h>
#include <stdint.h>

#include <wayland-server-core.h>

#include "buffer_cache.h"

struct vpd_server;
struct vpd_head;
struct vpd_vgpu;
struct vplane_display_plane;
struct vplane_display_stats;
struct vplane_input_event;

struct vpd_vgpu_impl {
	/*
	 * Read plane @plane (VPLANE_DISPLAY_PLANE_*) of @head into @out, in
	 * the display node's terms (vplane_display.h); a disabled plane is
	 * true with dmabuf_id 0. False with errno set if the device did not
	 * answer (logged by the impl if it is worth a line).
	 */
	bool (*query_plane)(struct vpd_vgpu *vgpu, uint32_t head,
			    uint32_t plane, struct vplane_display_plane *out);
	/* A new dma-buf fd (O_CLOEXEC) for @dmabuf_id, owned by the caller;
	 * -1 with errno set. */
	int (*get_dmabuf)(struct vpd_vgpu *vgpu, uint32_t dmabuf_id);
	/* Flip @seq of @head is on screen. Called only while
	 * vgpu->ack_role; false if the device refused it (logged). */
	bool (*ack)(struct vpd_vgpu *vgpu, uint32_t head, uint32_t seq);
	/* The device's counters into @out; NULL if it keeps none. */
	bool (*get_stats)(struct vpd_vgpu *vgpu,
			  struct vplane_display_stats *out);
	/*
	 * Inject @count (1..VPLANE_INPUT_MAX_EVENTS) evdev records (borrowed)
	 * into @device (VPLANE_INPUT_KEYBOARD, or VPLANE_INPUT_POINTER of
	 * @head), all or nothing, as VPLANE_DISPLAY_INPUT does. False with
	 * errno set: EOPNOTSUPP for a kind without vplane input devices
	 * (the impl logs that once), ENOTCONN while no VMM holds the
	 * device, others from the device. Only input.c calls it.
	 */
	bool (*input)(struct vpd_vgpu *vgpu, uint32_t device, uint32_t head,
		      const struct vplane_input_event *events, uint32_t count);
	/* Stop reading the device and close it; called once, on removal
	 * or before destroy. */
	void (*close)(struct vpd_vgpu *vgpu);
	/* Free the concrete vGPU; the base is finished already. */
	void (*destroy)(struct vpd_vgpu *vgpu);
};

struct vpd_vgpu {
	const struct vpd_vgpu_impl *impl;
	struct vpd_server *server;
	char name[40]; /* the UUID, or the node's path */
	char type[32]; /* the driver's type name, "" if it says none */
	/* the driver completes an unacked flip after this, 0 if it never
	 * waits for an ack */
	uint32_t ack_timeout_ms;
	bool ack_role;	 /* our acks gate the guest's flips (set by the impl) */
	bool closed;	 /* gone: nothing is asked of the impl any more */
	bool hotplugged; /* found by the /dev/vplane watch: dropped with
			  * its node (configured vGPUs stay, shown black) */
	/* input.c logged that no VMM holds its input devices; cleared
	 * when an injection works again */
	bool input_unattached;

	struct vpd_buffer_cache buffers;

	struct vpd_head *heads; /* nr_heads, owned */
	uint32_t nr_heads;

	struct wl_list link; /* vpd_server.vgpus */
};

/*
 * For the impls: set up @vgpu (embedded in the impl's struct) with
 * @nr_heads heads named after @name and an empty cache; not listed
 * in the server yet. False after logging (nothing to undo then).
 */
bool vpd_vgpu_init(struct vpd_vgpu *vgpu, const struct vpd_vgpu_impl *impl,
		   struct vpd_server *server, const char *name,
		   uint32_t nr_heads);

/* For the impls, when create fails after init: close and free @vgpu
 * without logging its counters or emitting anything. */
void vpd_vgpu_discard(struct vpd_vgpu *vgpu);

/* Log the counters, destroy the heads (emitting their destroy), close,
 * unlist and free (impl->destroy). NULL is a no-op. */
void vpd_vgpu_destroy(struct vpd_vgpu *vgpu);

/* The vGPU went away: close it, keep its heads empty and marked gone
 * (their outputs show the placeholder), tell the outputs. */
void vpd_vgpu_mark_gone(struct vpd_vgpu *vgpu);

uint32_t vpd_vgpu_nr_heads(const struct vpd_vgpu *vgpu);
struct vpd_head *vpd_vgpu_get_head(struct vpd_vgpu *vgpu, uint32_t head);

/* impl->query_plane, false with ENODEV once closed. */
bool vpd_vgpu_query_plane(struct vpd_vgpu *vgpu, uint32_t head, uint32_t plane,
			  struct vplane_display_plane *out);

/* The device's counters; false if it keeps none or is closed. */
bool vpd_vgpu_get_stats(struct vpd_vgpu *vgpu,
			struct vplane_display_stats *out);

/* The wlr_buffer for @plane's dma-buf, from the vGPU's cache (fetched
 * with impl->get_dmabuf on a miss); borrowed; NULL after logging. */
struct vpd_dmabuf_buffer *
vpd_vgpu_buffer_for(struct vpd_vgpu *vgpu,
		    const struct vplane_display_plane *plane);

#endif /* VPD_VGPU_H */
