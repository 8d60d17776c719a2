/* SPDX-License-Identifier: MIT */
/*
 * The descriptor reserve: network and socket clients never get the
 * process's last descriptors. enc_fd_limit_init() raises the soft
 * RLIMIT_NOFILE to the hard limit and keeps a reserve below it (an
 * eighth of the limit, 16 to 256 descriptors) that only the compositor's
 * own work (dma-bufs, encoders, files) may take: every listener asks
 * enc_fd_room() before it accepts and backs off (stops accepting for a
 * moment, logs once) while there is no room, and accepts again when
 * descriptors free up. Linux hands out the lowest free descriptor, so
 * "the next descriptor would be numbered at or above the soft limit"
 * means at most the reserve is free.
 *
 * No GLib here: vplaned's wl_event_loop listeners and the GLib ones
 * (RTSP, WebRTC) share it.
 */
#ifndef ENC_FD_LIMIT_H
#define ENC_FD_LIMIT_H

#include <stdbool.h>

/* How long a listener at the limit waits before it tries again. */
#define ENC_FD_BACKOFF_MS 250

/* Raise the soft limit, compute the clients' share. Idempotent. */
void enc_fd_limit_init(void);

/* The first descriptor number clients may not get. */
int enc_fd_client_limit(void);

/*
 * Is there room for one more client descriptor? @fd is any open
 * descriptor (the listener's). False with errno EMFILE (or what
 * fcntl failed with) when not.
 */
bool enc_fd_room(int fd);

/* An accepted client descriptor is within the clients' share. */
bool enc_fd_client_ok(int fd);

/* accept(2) errors that mean "out of descriptors or memory": back off. */
bool enc_fd_exhausted_errno(int err);

#endif /* ENC_FD_LIMIT_H */
