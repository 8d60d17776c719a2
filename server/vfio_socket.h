/* SPDX-License-Identifier: MIT */
/*
 * --vfio-socket: where a VMM hands vplaned the VFIO device fd of an
 * upstream-only vGPU (upstream.h). A VFIO group opens only once, so the
 * VMM that owns it shares its device fd instead. For a vplane vGPU the
 * VMM (or a root helper, examples/vmm/vplane-handover.c) hands over a
 * display fd instead (VPLANE_VFIO_GET_DISPLAY_FD, or /dev/vplane/<uuid>
 * opened): vplaned then gets flip events and the ack role as if it had
 * opened the node, and needs no access to /dev/vplane or /dev/vfio.
 *
 * Protocol (SOCK_SEQPACKET, one connection per device): the client sends
 * one message whose payload is the device's name (1-39 characters of
 * [A-Za-z0-9._:-], e.g. the mdev UUID) with exactly one fd in
 * SCM_RIGHTS, a VFIO device fd or a vplane display fd; vplaned answers
 * "ok" or "error: <reason>" and shows the device. The client keeps the
 * connection open while its VM runs: hang-up means the VMM let go, and
 * the vGPU is dropped. The socket is made 0600, so only vplaned's own
 * user (and root) can hand it devices.
 */
#ifndef VPD_VFIO_SOCKET_H
#define VPD_VFIO_SOCKET_H

struct vpd_server;
struct vpd_vfio_socket;

/* Listen at @path (borrowed; a stale socket file there is replaced).
 * NULL after logging why. */
struct vpd_vfio_socket *vpd_vfio_socket_create(struct vpd_server *server,
					       const char *path);

/* Close the listener and every connection (their vGPUs stay until the
 * server drops them). NULL is a no-op. */
void vpd_vfio_socket_destroy(struct vpd_vfio_socket *sock);

#endif /* VPD_VFIO_SOCKET_H */
