/* SPDX-License-Identifier: MIT */
/*
 * Who may manage vplaned: the control socket.
 *
 * Next to its Wayland socket NAME vplaned listens on a second one,
 * NAME-control (in $XDG_RUNTIME_DIR unless NAME is a path), made with
 * mode 0600. Clients that connect there are ordinary Wayland clients of
 * the same display, and only they see the privileged globals (the
 * vplane manager and wlr-output-management); clients of the main socket
 * (viewers, grim, wayvnc, the encoders) never see them, even when they
 * run as the same user.
 *
 * Why a socket and not a uid check: on a VDI host the capture clients
 * often run as the same service user as vplaned, so "same uid" would
 * hand layout control to every viewer. A socket file is the access
 * control operators already know (libvirt, docker): chgrp/chmod it, or
 * place it with a bind mount, to delegate management to a group,
 * without giving that group the right to capture screens or the other
 * way round. Each control client is logged with its pid and uid.
 */
#ifndef VPD_CONTROL_H
#define VPD_CONTROL_H

#include <stdbool.h>

struct vpd_server;
struct vpd_control;
struct wl_global;

/*
 * Listen on @socket_name (borrowed; vplaned's Wayland socket name) plus
 * "-control" and install the display's global filter (the only one: no
 * other code may call wl_display_set_global_filter). NULL after logging
 * why.
 */
struct vpd_control *vpd_control_create(struct vpd_server *server,
				       const char *socket_name);

/* Close the socket, remove its file and the global filter (call it
 * after wl_display_destroy_clients(): nothing is filtered afterwards).
 * NULL is a no-op. */
void vpd_control_destroy(struct vpd_control *control);

/* From now on only control clients see and may bind @global
 * (borrowed; compared by address only, so it may die first). False on
 * allocation failure (logged). */
bool vpd_control_restrict_global(struct vpd_control *control,
				 const struct wl_global *global);

#endif /* VPD_CONTROL_H */
