/* SPDX-License-Identifier: MIT */
/*
 * vGPUs that speak only the upstream VFIO GFX plane API
 * (VFIO_DEVICE_QUERY_GFX_PLANE / VFIO_DEVICE_GET_GFX_DMABUF): the
 * kernel's mbochs sample, Intel GVT-g, or a vplane device handed over as
 * a plain VFIO device.
 *
 * struct vpd_vgpu_impl for them (vgpu.h). That API has no events: the plane is re-queried once per refresh of the
 * output showing the head (60 Hz until one does), which is what a VMM's
 * own display does with it. A new dmabuf_id becomes a new buffer through
 * the same dma-buf cache and wlr_buffer as display-node vGPUs, so direct
 * scanout and zero copies hold here too. Nothing is acknowledged: the
 * upstream API has no flip acks. One head (plane type bits above 0..7
 * are vplane's own head selector and mean nothing to other drivers).
 *
 * The device fd comes from a VMM that owns the VFIO group (a group opens
 * only once), over vplaned's --vfio-socket (see vfio_socket.h).
 */
#ifndef VPD_UPSTREAM_H
#define VPD_UPSTREAM_H

#include <stdbool.h>

struct vpd_server;
struct vpd_vgpu;

/*
 * Show the VFIO device @device_fd (taken: closed here on failure too),
 * called @name in logs and lists. NULL after logging why: not a VFIO
 * device, or no dma-buf GFX plane support.
 */
struct vpd_vgpu *vpd_upstream_vgpu_create(struct vpd_server *server,
					  int device_fd, const char *name);

/* True if @vgpu is of this kind (the other kind is vgpu_node.h). */
bool vpd_vgpu_is_upstream(const struct vpd_vgpu *vgpu);

#endif /* VPD_UPSTREAM_H */
