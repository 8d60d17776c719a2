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
#ifndef VP_MANAGER_H
#define VP_MANAGER_H

struct vp_server;
struct vp_control;
struct vp_manager;

/* Create the global, restricted to @control's clients. NULL after
 * logging why. */
struct vp_manager *vp_manager_create(struct vp_server *server,
				     struct vp_control *control);

/* Destroy the global and forget every resource (they go inert). NULL is
 * a no-op. */
void vp_manager_destroy(struct vp_manager *manager);

#endif /* VP_MANAGER_H */
