/* SPDX-License-Identifier: MIT */
/*
 * A vGPU on its vplane display node (/dev/vplane/<uuid>, or a display fd
 * a VMM handed over), through libvplane: the node's fd is a
 * wl_event_loop source, and its events (flip, cursor move, mode, reset,
 * overflow, gone) go to the heads (head.h). vplaned takes the ack role
 * if no other consumer holds it, else observes.
 */
#ifndef VPD_VGPU_NODE_H
#define VPD_VGPU_NODE_H

#include <stdbool.h>
#include <sys/types.h>

struct vpd_server;
struct vpd_vgpu;

/*
 * Open the display node (by @uuid or @path, one of them NULL; borrowed),
 * take the ack role (observer if another consumer has it), add the fd to
 * the event loop, read the current planes and list the vGPU in the
 * server. NULL after logging why (no such node, permission denied,
 * unsupported driver).
 */
struct vpd_vgpu *vpd_node_vgpu_create(struct vpd_server *server,
				      const char *uuid, const char *path);

/*
 * Like vpd_node_vgpu_create() for a display fd @fd (taken; closed on
 * failure) that a VMM handed over (vfio_socket.h), e.g. from
 * VPLANE_VFIO_GET_DISPLAY_FD: named by the node's UUID, else @name.
 */
struct vpd_vgpu *vpd_node_vgpu_create_from_fd(struct vpd_server *server, int fd,
					      const char *name);

/* True if @vgpu is a display-node vGPU, still open, on the character
 * device @rdev. */
bool vpd_vgpu_is_node_of(struct vpd_vgpu *vgpu, dev_t rdev);

#endif /* VPD_VGPU_NODE_H */
