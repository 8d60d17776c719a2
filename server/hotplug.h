/* SPDX-License-Identifier: MIT */
/*
 * vGPUs appearing and disappearing at run time (--all-vgpus): an inotify
 * watch on /dev/vplane/ opens every display node created there (and those
 * present at start) as a vpd_vgpu marked hotplugged, placed like a
 * configured one (headless: an output per head). When a hotplugged
 * vGPU's node is deleted the vGPU is dropped: its headless outputs are
 * destroyed, its buffers released.
 *
 * devtmpfs removes /dev/vplane/ with its last node and makes it again
 * with the next one, so /dev itself is watched for the directory coming
 * back; nodes made before the new directory watch is in place are found
 * by rescanning it.
 */
#ifndef VPD_HOTPLUG_H
#define VPD_HOTPLUG_H

struct vpd_server;
struct vpd_hotplug;

/*
 * Watch for vGPUs and open those already present. NULL after logging why
 * (no inotify, /dev not watchable).
 */
struct vpd_hotplug *vpd_hotplug_create(struct vpd_server *server);

/* Stop watching; the vGPUs it opened stay with the server. NULL is a
 * no-op. */
void vpd_hotplug_destroy(struct vpd_hotplug *hotplug);

#endif /* VPD_HOTPLUG_H */
