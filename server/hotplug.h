/* SPDX-License-Identifier: MIT */
/*
 * vGPUs appearing and disappearing at run time (--all-vgpus): an inotify
 * watch on /dev/vplane/ opens every display node created there (and those
 * present at start) as a vp_vgpu marked hotplugged, placed like a
 * configured one (headless: an output per head). When a hotplugged
 * vGPU's node is deleted the vGPU is dropped: its headless outputs are
 * destroyed, its buffers released.
 *
 * devtmpfs removes /dev/vplane/ with its last node and makes it again
 * with the next one, so /dev itself is watched for the directory coming
 * back; nodes made before the new directory watch is in place are found
 * by rescanning it.
 */
#ifndef VP_HOTPLUG_H
#define VP_HOTPLUG_H

struct vp_server;
struct vp_hotplug;

/*
 * Watch for vGPUs and open those already present. NULL after logging why
 * (no inotify, /dev not watchable).
 */
struct vp_hotplug *vp_hotplug_create(struct vp_server *server);

/* Stop watching; the vGPUs it opened stay with the server. NULL is a
 * no-op. */
void vp_hotplug_destroy(struct vp_hotplug *hotplug);

#endif /* VP_HOTPLUG_H */
