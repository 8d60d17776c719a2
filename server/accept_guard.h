/* SPDX-License-Identifier: MIT */
/*
 * vplaned's unix-socket accept loops (the control socket, the VFIO
 * hand-over socket) at the descriptor limit: instead of spinning on a
 * listening socket that stays readable while accept(2) fails with
 * EMFILE, the listener stops watching for ENC_FD_BACKOFF_MS, logs once,
 * and accepts again by itself when descriptors free up. Clients never
 * get the compositor's reserve (fd_limit.h): an accept that would take
 * it is not made.
 */
#ifndef VPD_ACCEPT_GUARD_H
#define VPD_ACCEPT_GUARD_H

#include <stdbool.h>

struct wl_event_loop;
struct wl_event_source;

struct vpd_accept_guard {
	const char *what; /* names the listener in the log (static) */
	struct wl_event_source *source; /* the listening fd's (borrowed) */
	struct wl_event_source *timer;	/* owned */
	bool limited;			/* logged, backing off */
};

/* Set up @guard for @source (a WL_EVENT_READABLE fd source). */
bool vpd_accept_guard_init(struct vpd_accept_guard *guard,
			   struct wl_event_loop *loop,
			   struct wl_event_source *source, const char *what);
void vpd_accept_guard_finish(struct vpd_accept_guard *guard);

/*
 * accept4(@fd, @flags) once there is room: a client fd, or -1 (nothing
 * to accept, an error logged, or backing off).
 */
int vpd_accept_guard_accept(struct vpd_accept_guard *guard, int fd, int flags);

#endif /* VPD_ACCEPT_GUARD_H */
