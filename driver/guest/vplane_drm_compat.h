/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vplane-drm: every kernel-version difference the guest driver builds
 * across, in one place (Debian 12's 6.1 up to the newest kernel Debian
 * ships), as driver/vplane_compat.h does for the host driver.
 *
 * Each entry names the kernel version (and change) that made it necessary.
 * The driver's files call the helpers below and carry no version checks of
 * their own.
 */
#ifndef VPLANE_DRM_COMPAT_H
#define VPLANE_DRM_COMPAT_H

#include <drm/drm_connector.h>
#include <drm/drm_device.h>
#include <drm/drm_edid.h>
#include <drm/drm_plane.h>
#include <linux/version.h>

/*
 * fbdev emulation over the VRAM helper's TTM buffers. 6.1: the generic
 * fbdev client; 6.11 "drm/fbdev-generic: Rename to fbdev-ttm"; 6.13
 * "drm/client: Add client-lib module": drm_client_setup() picks the
 * client, the driver only names its fbdev probe (DRM_FBDEV_TTM_DRIVER_OPS),
 * and a later series moved the header to drm/clients/ (Kbuild looks:
 * VPLANE_DRM_HAS_CLIENTS_DIR).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#ifdef VPLANE_DRM_HAS_CLIENTS_DIR
#include <drm/clients/drm_client_setup.h>
#else
#include <drm/drm_client_setup.h>
#endif
#include <drm/drm_fbdev_ttm.h>
#define VPLANE_DRM_FBDEV_DRIVER_OPS DRM_FBDEV_TTM_DRIVER_OPS,
static inline void vplane_drm_fbdev_setup(struct drm_device *dev)
{
	drm_client_setup(dev, NULL);
}
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#include <drm/drm_fbdev_ttm.h>
#define VPLANE_DRM_FBDEV_DRIVER_OPS
static inline void vplane_drm_fbdev_setup(struct drm_device *dev)
{
	drm_fbdev_ttm_setup(dev, 32);
}
#else
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#include <drm/drm_fbdev_generic.h>
#else
#include <drm/drm_fb_helper.h>
#endif
#define VPLANE_DRM_FBDEV_DRIVER_OPS
static inline void vplane_drm_fbdev_setup(struct drm_device *dev)
{
	drm_fbdev_generic_setup(dev, 32);
}
#endif

/*
 * The state a commit carries, which atomic hooks take: struct
 * drm_atomic_state until a 7.x series renamed it struct drm_atomic_commit.
 * Kbuild probes the header for it (VPLANE_DRM_HAS_ATOMIC_COMMIT): the
 * release that renamed it is not known here, the header is.
 */
#ifdef VPLANE_DRM_HAS_ATOMIC_COMMIT
#define vplane_drm_atomic drm_atomic_commit
#else
#define vplane_drm_atomic drm_atomic_state
#endif

/* 6.14 "drm: remove driver date from struct drm_driver". */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
#define VPLANE_DRM_DRIVER_DATE
#else
#define VPLANE_DRM_DRIVER_DATE .date = "20261207",
#endif

/*
 * 6.8 "drm: introduce DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT": a driver with
 * DRIVER_CURSOR_HOTSPOT gets the HOTSPOT_X/Y properties on its cursor
 * planes and hides them from atomic clients that do not set the cap (a
 * client unaware of hotspots would misplace the pointer). Before 6.8 there
 * is no hotspot in the plane state and the device is told "none".
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define VPLANE_DRM_CURSOR_HOTSPOT DRIVER_CURSOR_HOTSPOT
static inline bool vplane_drm_plane_hotspot(const struct drm_plane_state *ps,
					    s32 *x, s32 *y)
{
	*x = ps->hotspot_x;
	*y = ps->hotspot_y;
	return true;
}
#else
#define VPLANE_DRM_CURSOR_HOTSPOT 0
static inline bool vplane_drm_plane_hotspot(const struct drm_plane_state *ps,
					    s32 *x, s32 *y)
{
	return false;
}
#endif

/*
 * Updates the connector from @edid (NULL: none) and adds its modes;
 * returns how many. 6.3 "drm/edid: split adding modes from
 * drm_edid_connector_update()": before, the update added them itself.
 */
static inline int vplane_drm_edid_update(struct drm_connector *connector,
					 const struct drm_edid *edid)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	drm_edid_connector_update(connector, edid);
	return drm_edid_connector_add_modes(connector);
#else
	return drm_edid_connector_update(connector, edid);
#endif
}

#endif /* VPLANE_DRM_COMPAT_H */
