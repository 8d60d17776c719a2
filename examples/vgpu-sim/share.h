/* SPDX-License-Identifier: MIT */
/*
 * Hand the VFIO device fd to vplaned's --vfio-socket, as a VMM does for
 * a vGPU that speaks only the upstream GFX plane API (server/vfio_socket.h
 * has the protocol). The connection stays open while the simulator runs;
 * closing it tells vplaned the VM is gone.
 */
#ifndef VPLANE_SIM_SHARE_H
#define VPLANE_SIM_SHARE_H

/* Connect to @path, send @name and @device_fd, wait for the answer.
 * Returns the connection fd (keep it open), or -1 after printing why. */
int sim_share_device(const char *path, const char *name, int device_fd);

#endif
