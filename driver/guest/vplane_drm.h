/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vplane-drm: the guest's DRM/KMS driver for a vplane vGPU (driver/ABI.md
 * is the device; uapi/vplane.h its registers).
 *
 * Per head one CRTC, one encoder and one connector, and per CRTC a
 * primary and a cursor plane. Buffers are VRAM (BAR0) objects of the GEM
 * VRAM helper, pinned while a plane shows them. A commit programs the
 * planes' pending registers and rings the head's FLIP doorbell once; the
 * commit's event is sent when the device reports that flip done, so a
 * compositor's frames follow the host's acknowledgements and a buffer is
 * unpinned only after the device has moved off it.
 */
#ifndef VPLANE_DRM_H
#define VPLANE_DRM_H

#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_plane.h>
#include <drm/drm_vblank.h>
#include <linux/io.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "uapi/vplane.h"

#define VPLANE_DRM_NAME "vplane-drm"

struct vplane_drm;

struct vplane_drm_head {
	struct vplane_drm *vdrm;
	unsigned int index;
	struct drm_plane primary;
	struct drm_plane cursor;
	struct drm_crtc crtc;
	struct drm_encoder encoder;
	struct drm_connector connector;
	/*
	 * The commit event waiting for FLIP_DONE_SEQ to reach event_seq;
	 * both under drm.event_lock (the interrupt handler takes it too).
	 */
	struct drm_pending_vblank_event *event;
	u32 event_seq;
};

struct vplane_drm {
	struct drm_device drm;
	void __iomem *mmio;
	/* device limits, read once at probe and checked against the ABI */
	unsigned int num_heads;
	u32 max_width;
	u32 max_height;
	u32 cursor_max;
	resource_size_t vram_base;
	resource_size_t vram_size;
	int irq;
	/* INT_ENABLE as written; int_lock orders its read-modify-writes */
	spinlock_t int_lock;
	u32 int_enable;
	/* HOTPLUG is taken in the interrupt, the uevent sent from here */
	struct work_struct hotplug_work;
	struct vplane_drm_head heads[VPLANE_MAX_HEADS];
};

static inline struct vplane_drm *to_vplane_drm(struct drm_device *dev)
{
	return container_of(dev, struct vplane_drm, drm);
}

static inline struct vplane_drm_head *crtc_to_head(struct drm_crtc *crtc)
{
	return container_of(crtc, struct vplane_drm_head, crtc);
}

static inline u32 vplane_drm_read(struct vplane_drm *vdrm, u32 off)
{
	return readl(vdrm->mmio + off);
}

static inline void vplane_drm_write(struct vplane_drm *vdrm, u32 off, u32 val)
{
	writel(val, vdrm->mmio + off);
}

/* vplane_drm_kms.c: the mode-setting objects of every head */
int vplane_drm_kms_init(struct vplane_drm *vdrm);

/*
 * vplane_drm_irq.c: the MSI. init enables FLIP_DONE and HOTPLUG of every
 * head; VBLANK follows the vblank core's enable/disable. fini turns all
 * off, frees the vector and waits for the hotplug work.
 */
int vplane_drm_irq_init(struct vplane_drm *vdrm);
void vplane_drm_irq_fini(struct vplane_drm *vdrm);
void vplane_drm_irq_set(struct vplane_drm *vdrm, u32 bits, bool on);

/*
 * Rings @head's FLIP doorbell for both planes and, if @event, arms it for
 * that flip's completion (sent from the FLIP_DONE interrupt). Caller holds
 * nothing; takes drm.event_lock.
 */
void vplane_drm_flip(struct vplane_drm_head *head,
		     struct drm_pending_vblank_event *event);
/* Sends @head's armed event now (the head is going off). */
void vplane_drm_flip_cancel(struct vplane_drm_head *head);

#endif /* VPLANE_DRM_H */
