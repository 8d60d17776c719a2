/* SPDX-License-Identifier: MIT */
/*
 * The VMM's side of vplaned's --vfio-socket (server/vfio_socket.h has the
 * protocol): one SOCK_SEQPACKET message carrying a name and one fd (the
 * display node's, or a VFIO device fd for a vGPU with only the upstream
 * GFX plane API) as SCM_RIGHTS, answered "ok" or with the reason. The
 * connection stays open while the VM runs; closing it tells vplaned the
 * VM is gone. Used by vplane-handover and vplane-sim --share-*; the code
 * a VMM copies.
 */
#ifndef VPLANE_HANDOVER_SEND_H
#define VPLANE_HANDOVER_SEND_H

/* Connect to @path, send @name and @fd (borrowed: vplaned gets its own
 * reference), wait for the answer. Returns the connection (keep it open),
 * or -1 after printing why, each message starting with @who. */
int vplane_handover_send(const char *who, const char *path, const char *name,
			 int fd);

#endif
