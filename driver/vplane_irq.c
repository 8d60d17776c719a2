// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane: interrupts and virtual vblank.
 *
 * One MSI vector, delivered through the eventfd the VMM hands over with
 * VFIO_DEVICE_SET_IRQS.  INT_STATUS bits are set by events and cleared by
 * the guest (write one to clear); an MSI is sent whenever a status bit
 * becomes set while enabled, or becomes enabled while set.  A guest that
 * does not clear its status gets no further interrupts, which bounds the
 * interrupt rate by the guest's own acknowledgements.
 *
 * Each enabled head runs an hrtimer at its refresh rate: the virtual
 * vblank.  Each vblank lets vplane_flip.c complete the head's waiting
 * flip; stopping the timer completes it at once.  vplane_flip.c raises
 * FLIP_DONE through vplane_irq_raise_locked().
 */

#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/uaccess.h>

#include "vplane.h"

/* Set status bits and send an MSI if that is news to the guest; irq_lock. */
void vplane_irq_raise_locked(struct vplane_vgpu *vgpu, u32 bits)
{
	u32 fresh = bits & ~vgpu->int_status;

	lockdep_assert_held(&vgpu->irq_lock);
	vgpu->int_status |= bits;
	if ((fresh & vgpu->int_enable) && vgpu->msi_trigger) {
		vgpu->nr_irqs++;
		vplane_eventfd_signal(vgpu->msi_trigger);
	}
}

/* Set status bits and send an MSI if that is news to the guest. */
void vplane_irq_raise(struct vplane_vgpu *vgpu, u32 bits)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vplane_irq_raise_locked(vgpu, bits);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

u32 vplane_irq_read(struct vplane_vgpu *vgpu, u32 reg)
{
	unsigned long flags;
	u32 val = 0;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (reg == VPLANE_REG_INT_STATUS)
		val = vgpu->int_status;
	else if (reg == VPLANE_REG_INT_ENABLE)
		val = vgpu->int_enable;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return val;
}

void vplane_irq_write(struct vplane_vgpu *vgpu, u32 reg, u32 val)
{
	unsigned long flags;
	u32 valid = 0;
	unsigned int h;

	for (h = 0; h < vgpu->nr_heads; h++)
		valid |= VPLANE_INT_FLIP_DONE(h) | VPLANE_INT_VBLANK(h) |
			 VPLANE_INT_HOTPLUG(h);

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (reg == VPLANE_REG_INT_STATUS) {
		vgpu->int_status &= ~val;
	} else if (reg == VPLANE_REG_INT_ENABLE) {
		u32 newly = val & valid & ~vgpu->int_enable;

		vgpu->int_enable = val & valid;
		if ((newly & vgpu->int_status) && vgpu->msi_trigger) {
			vgpu->nr_irqs++;
			vplane_eventfd_signal(vgpu->msi_trigger);
		}
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

static enum hrtimer_restart vblank_fn(struct hrtimer *timer)
{
	struct vplane_head *head =
		container_of(timer, struct vplane_head, vblank);
	struct vplane_vgpu *vgpu = head->vgpu;
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	head->vblank_count++;
	vplane_flip_vblank(head);
	vplane_irq_raise_locked(vgpu, VPLANE_INT_VBLANK(head->index));
	hrtimer_forward_now(timer, head->period);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return HRTIMER_RESTART;
}

/* VBLANK_COUNT of @head; any context. */
u32 vplane_irq_vblank_count(struct vplane_vgpu *vgpu, unsigned int head)
{
	unsigned long flags;
	u32 count;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	count = vgpu->heads[head].vblank_count;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return count;
}

static ktime_t refresh_period(u32 mhz)
{
	if (mhz < VPLANE_REFRESH_MIN || mhz > VPLANE_REFRESH_MAX)
		mhz = VPLANE_REFRESH_DEFAULT;
	/* 1e12 / mHz = ns per frame */
	return ns_to_ktime(div_u64(1000000000000ULL, mhz));
}

/* Start, stop or retime the vblank timer after a head register changed. */
void __vplane_head_update_timer(struct vplane_vgpu *vgpu, unsigned int head)
{
	struct vplane_head *h = &vgpu->heads[head];
	bool run = vgpu->open && __vplane_head_active(vgpu, head);
	ktime_t period = refresh_period(h->refresh);
	unsigned long flags;

	lockdep_assert_held(&vgpu->lock);
	if (!run) {
		__vplane_head_stop_timer(vgpu, head);
		return;
	}

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	h->period = period;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	if (!h->timer_running) {
		h->timer_running = true;
		hrtimer_start(&h->vblank, period, HRTIMER_MODE_REL);
	}
}

/* Stop the head's vblank; a pending flip completes now. */
void __vplane_head_stop_timer(struct vplane_vgpu *vgpu, unsigned int head)
{
	struct vplane_head *h = &vgpu->heads[head];

	lockdep_assert_held(&vgpu->lock);
	if (!h->timer_running)
		return;
	hrtimer_cancel(&h->vblank);
	h->timer_running = false;
	__vplane_flip_flush(vgpu, head);
}

void vplane_irq_init(struct vplane_vgpu *vgpu)
{
	unsigned int i;

	spin_lock_init(&vgpu->irq_lock);
	for (i = 0; i < vgpu->nr_heads; i++) {
		struct vplane_head *h = &vgpu->heads[i];

		vplane_hrtimer_setup(&h->vblank, vblank_fn, CLOCK_MONOTONIC,
				     HRTIMER_MODE_REL);
		h->period = refresh_period(VPLANE_REFRESH_DEFAULT);
	}
}

/* Device reset: timers must already be stopped. */
void vplane_irq_reset(struct vplane_vgpu *vgpu)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->int_status = 0;
	vgpu->int_enable = 0;
	for (i = 0; i < vgpu->nr_heads; i++) {
		struct vplane_head *h = &vgpu->heads[i];

		h->vblank_count = 0;
		vplane_flip_reset(h);
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/* The eventfd slot of an IRQ index: the MSI vector or the request IRQ. */
static struct eventfd_ctx **trigger_slot(struct vplane_vgpu *vgpu, u32 index)
{
	return index == VFIO_PCI_REQ_IRQ_INDEX ? &vgpu->req_trigger
					       : &vgpu->msi_trigger;
}

static void set_trigger(struct vplane_vgpu *vgpu, u32 index,
			struct eventfd_ctx *ctx)
{
	struct eventfd_ctx *old;
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	old = *trigger_slot(vgpu, index);
	*trigger_slot(vgpu, index) = ctx;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	if (old)
		eventfd_ctx_put(old);
}

void vplane_irq_release_trigger(struct vplane_vgpu *vgpu)
{
	set_trigger(vgpu, VFIO_PCI_MSI_IRQ_INDEX, NULL);
	set_trigger(vgpu, VFIO_PCI_REQ_IRQ_INDEX, NULL);
}

static void signal_trigger(struct vplane_vgpu *vgpu, u32 index)
{
	struct eventfd_ctx *ctx;
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	ctx = *trigger_slot(vgpu, index);
	if (ctx)
		vplane_eventfd_signal(ctx);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/*
 * vfio_device_ops.request: the mdev is being removed while the VMM holds
 * the device. Ask the VMM to let go through the request IRQ (QEMU unplugs
 * the device); without one, say once why removal waits.
 */
void vplane_irq_request(struct vplane_vgpu *vgpu, unsigned int count)
{
	unsigned long flags;
	bool have;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	have = vgpu->req_trigger;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	if (have)
		signal_trigger(vgpu, VFIO_PCI_REQ_IRQ_INDEX);
	else if (count == 0)
		dev_notice(
			vgpu_dev(vgpu),
			"removal waits until the VMM closes the device (it set no request IRQ)\n");
}

/*
 * VFIO_DEVICE_SET_IRQS after vfio_set_irqs_validate_and_prepare(): only
 * ACTION_TRIGGER, on the single MSI vector or the request IRQ.
 */
int vplane_irq_set(struct vplane_vgpu *vgpu, struct vfio_irq_set *hdr,
		   void __user *data)
{
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	struct eventfd_ctx *ctx;
	s32 fd;
	u8 b;

	u32 index = hdr->index;

	if ((index != VFIO_PCI_MSI_IRQ_INDEX &&
	     index != VFIO_PCI_REQ_IRQ_INDEX) ||
	    action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;

	switch (type) {
	case VFIO_IRQ_SET_DATA_NONE:
		if (hdr->count == 0)
			set_trigger(vgpu, index, NULL);
		else
			signal_trigger(vgpu, index);
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL:
		if (hdr->count == 0)
			return -EINVAL;
		if (copy_from_user(&b, data, sizeof(b)))
			return -EFAULT;
		if (b)
			signal_trigger(vgpu, index);
		return 0;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		if (hdr->count == 0) {
			set_trigger(vgpu, index, NULL);
			return 0;
		}
		if (copy_from_user(&fd, data, sizeof(fd)))
			return -EFAULT;
		if (fd < 0) {
			set_trigger(vgpu, index, NULL);
			return 0;
		}
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
		set_trigger(vgpu, index, ctx);
		return 0;
	}
	return -EINVAL;
}
