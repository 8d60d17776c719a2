/* SPDX-License-Identifier: MIT */
/*
 * The zvplane_manager_v1 global (protocols/vplane-manager-unstable-v1.xml):
 * vGPUs and heads with their state, attach/detach (layout.h), per-head
 * statistics. Only control-socket clients see it (control.h).
 *
 * State changes are noticed through events, never by polling: a head's
 * update and destroy signals, the server's new_vgpu signal and the
 * output layout's change signal (outputs added, removed, moved,
 * resized) schedule one idle check, which compares every head with what
 * was last sent and sends the differences followed by done.
 */
#ifndef VPD_MANAGER_H
#define VPD_MANAGER_H

struct vpd_server;
struct vpd_control;
struct vpd_manager;

/* Create the global, restricted to @control's clients. NULL after
 * logging why. */
struct vpd_manager *vpd_manager_create(struct vpd_server *server,
				       struct vpd_control *control);

/* Destroy the global and forget every resource (they go inert). NULL is
 * a no-op. */
void vpd_manager_destroy(struct vpd_manager *manager);

#endif /* VPD_MANAGER_H */
