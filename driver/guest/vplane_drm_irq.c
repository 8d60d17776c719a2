// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane-drm interrupts: one MSI vector carrying FLIP_DONE, VBLANK and
 * HOTPLUG of every head (8 status bits per head). The device raises the
 * MSI only when an enabled bit becomes set, so the handler clears exactly
 * what it read and reads again until nothing enabled is left.
 */
#include <drm/drm_drv.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_vblank.h>
#include <linux/interrupt.h>
#include <linux/pci.h>

#include "vplane_drm.h"

/*
 * Rounds of read-and-clear per interrupt; a device that keeps setting
 * bits faster than this gets its next round from its next MSI.
 */
#define VPLANE_DRM_IRQ_ROUNDS 4

void vplane_drm_irq_set(struct vplane_drm *vdrm, u32 bits, bool on)
{
	unsigned long flags;

	spin_lock_irqsave(&vdrm->int_lock, flags);
	if (on) {
		/* a stale bit would interrupt at once: drop it first */
		vplane_drm_write(vdrm, VPLANE_REG_INT_STATUS,
				 bits & ~vdrm->int_enable);
		vdrm->int_enable |= bits;
	} else {
		vdrm->int_enable &= ~bits;
	}
	vplane_drm_write(vdrm, VPLANE_REG_INT_ENABLE, vdrm->int_enable);
	spin_unlock_irqrestore(&vdrm->int_lock, flags);
}

void vplane_drm_flip(struct vplane_drm_head *head,
		     struct drm_pending_vblank_event *event)
{
	struct vplane_drm *vdrm = head->vdrm;
	u32 base = VPLANE_MMIO_HEAD(head->index);
	unsigned long flags;

	/*
	 * Doorbell and sequence under the lock the handler takes, so a
	 * flip-done arriving at once finds the event armed.
	 */
	spin_lock_irqsave(&vdrm->drm.event_lock, flags);
	vplane_drm_write(vdrm, base + VPLANE_HEAD_FLIP,
			 VPLANE_FLIP_PLANE(VPLANE_PLANE_PRIMARY) |
				 VPLANE_FLIP_PLANE(VPLANE_PLANE_CURSOR));
	if (event) {
		/* the atomic helpers wait for each flip before the next */
		if (WARN_ON(head->event))
			drm_crtc_send_vblank_event(&head->crtc, head->event);
		head->event = event;
		head->event_seq =
			vplane_drm_read(vdrm, base + VPLANE_HEAD_FLIP_SEQ);
	}
	spin_unlock_irqrestore(&vdrm->drm.event_lock, flags);
}

void vplane_drm_flip_cancel(struct vplane_drm_head *head)
{
	struct drm_device *dev = &head->vdrm->drm;
	unsigned long flags;

	spin_lock_irqsave(&dev->event_lock, flags);
	if (head->event) {
		drm_crtc_send_vblank_event(&head->crtc, head->event);
		head->event = NULL;
	}
	spin_unlock_irqrestore(&dev->event_lock, flags);
}

static void vplane_drm_flip_done(struct vplane_drm_head *head)
{
	struct vplane_drm *vdrm = head->vdrm;
	u32 done;

	spin_lock(&vdrm->drm.event_lock);
	if (head->event) {
		done = vplane_drm_read(vdrm, VPLANE_MMIO_HEAD(head->index) +
						     VPLANE_HEAD_FLIP_DONE_SEQ);
		/* sequences wrap; "done at or after ours" is a signed test */
		if ((s32)(done - head->event_seq) >= 0) {
			drm_crtc_send_vblank_event(&head->crtc, head->event);
			head->event = NULL;
		}
	}
	spin_unlock(&vdrm->drm.event_lock);
}

static irqreturn_t vplane_drm_irq_handler(int irq, void *arg)
{
	struct vplane_drm *vdrm = arg;
	struct vplane_drm_head *head;
	bool handled = false, hotplug = false;
	unsigned int round, h;
	u32 status;

	for (round = 0; round < VPLANE_DRM_IRQ_ROUNDS; round++) {
		status = vplane_drm_read(vdrm, VPLANE_REG_INT_STATUS) &
			 READ_ONCE(vdrm->int_enable);
		if (!status)
			break;
		vplane_drm_write(vdrm, VPLANE_REG_INT_STATUS, status);
		handled = true;
		for (h = 0; h < vdrm->num_heads; h++) {
			head = &vdrm->heads[h];
			if (status & VPLANE_INT_VBLANK(h))
				drm_crtc_handle_vblank(&head->crtc);
			if (status & VPLANE_INT_FLIP_DONE(h))
				vplane_drm_flip_done(head);
			if (status & VPLANE_INT_HOTPLUG(h))
				hotplug = true;
		}
	}
	if (hotplug)
		schedule_work(&vdrm->hotplug_work);
	return handled ? IRQ_HANDLED : IRQ_NONE;
}

static void vplane_drm_hotplug_work(struct work_struct *work)
{
	struct vplane_drm *vdrm =
		container_of(work, struct vplane_drm, hotplug_work);
	int idx;

	/* not once the device is unplugged (its minors are gone) */
	if (!drm_dev_enter(&vdrm->drm, &idx))
		return;
	/*
	 * Always a uevent: an EDID change keeps the connector connected,
	 * and the compositor must still re-read the modes.
	 */
	drm_kms_helper_hotplug_event(&vdrm->drm);
	drm_dev_exit(idx);
}

int vplane_drm_irq_init(struct vplane_drm *vdrm)
{
	struct pci_dev *pdev = to_pci_dev(vdrm->drm.dev);
	unsigned int h;
	u32 bits = 0;
	int ret;

	spin_lock_init(&vdrm->int_lock);
	INIT_WORK(&vdrm->hotplug_work, vplane_drm_hotplug_work);
	vplane_drm_write(vdrm, VPLANE_REG_INT_ENABLE, 0);
	vplane_drm_write(vdrm, VPLANE_REG_INT_STATUS, ~0u);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		return ret;
	vdrm->irq = pci_irq_vector(pdev, 0);
	ret = request_irq(vdrm->irq, vplane_drm_irq_handler, 0, VPLANE_DRM_NAME,
			  vdrm);
	if (ret) {
		pci_free_irq_vectors(pdev);
		return ret;
	}
	for (h = 0; h < vdrm->num_heads; h++)
		bits |= VPLANE_INT_FLIP_DONE(h) | VPLANE_INT_HOTPLUG(h);
	vplane_drm_irq_set(vdrm, bits, true);
	return 0;
}

void vplane_drm_irq_fini(struct vplane_drm *vdrm)
{
	struct pci_dev *pdev = to_pci_dev(vdrm->drm.dev);

	vplane_drm_irq_set(vdrm, ~0u, false);
	free_irq(vdrm->irq, vdrm);
	pci_free_irq_vectors(pdev);
	cancel_work_sync(&vdrm->hotplug_work);
}
