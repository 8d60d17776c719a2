// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane: interrupts, virtual vblank and flip completion.
 *
 * One MSI vector, delivered through the eventfd the VMM hands over with
 * VFIO_DEVICE_SET_IRQS.  INT_STATUS bits are set by events and cleared by
 * the guest (write one to clear); an MSI is sent whenever a status bit
 * becomes set while enabled, or becomes enabled while set.  A guest that
 * does not clear its status gets no further interrupts, which bounds the
 * interrupt rate by the guest's own acknowledgements.
 *
 * Each enabled head runs an hrtimer at its refresh rate: the virtual
 * vblank.  A latched flip completes at the next vblank (immediately when
 * the head is not scanning out).  While a display-node consumer holds the
 * ack role, a flip of a scanning-out head completes only when the consumer
 * acknowledges it (at once, not at the next vblank), or at the first
 * vblank after vplane_ack_timeout_ms without an ack: flip_may_complete()
 * is that gate.  A dead or stuck consumer therefore delays the guest by at
 * most the timeout, never stalls it.
 */

#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/uaccess.h>

#include "vplane.h"

/* irq_lock held */
static void __irq_raise(struct vplane_vgpu *vgpu, u32 bits)
{
	u32 fresh = bits & ~vgpu->int_status;

	lockdep_assert_held(&vgpu->irq_lock);
	vgpu->int_status |= bits;
	if ((fresh & vgpu->int_enable) && vgpu->msi_trigger) {
		vgpu->nr_irqs++;
		eventfd_signal(vgpu->msi_trigger, 1);
	}
}

/* Set status bits and send an MSI if that is news to the guest. */
void vplane_irq_raise(struct vplane_vgpu *vgpu, u32 bits)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	__irq_raise(vgpu, bits);
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
			eventfd_signal(vgpu->msi_trigger, 1);
		}
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

static bool seq_after_eq(u32 a, u32 b)
{
	return (s32)(a - b) >= 0;
}

/*
 * Gate between a latched flip and its completion at a vblank; irq_lock.
 * The deadline was fixed when the oldest waiting flip latched: nothing a
 * consumer does (taking the role again, closing, reopening) moves it.
 */
static bool flip_may_complete(struct vplane_head *head)
{
	struct vplane_vgpu *vgpu = head->vgpu;

	lockdep_assert_held(&vgpu->irq_lock);
	if (!head->ack_gated ||
	    seq_after_eq(head->acked_seq, head->flip_pending_seq))
		return true;
	if (ktime_before(ktime_get(), head->ack_deadline))
		return false;
	vgpu->nr_ack_timeouts++;
	return true;
}

/*
 * Complete the flip with sequence @seq on @head: record it and raise
 * flip-done.  Called with irq_lock held (vblank timer, latch path).
 */
void vplane_flip_complete(struct vplane_head *head, u32 seq)
{
	struct vplane_vgpu *vgpu = head->vgpu;

	lockdep_assert_held(&vgpu->irq_lock);
	head->flip_done_seq = seq;
	if (head->flip_pending && head->flip_pending_seq == seq)
		head->flip_pending = false;
	__irq_raise(vgpu, VPLANE_INT_FLIP_DONE(head->index));
}

static enum hrtimer_restart vblank_fn(struct hrtimer *timer)
{
	struct vplane_head *head =
		container_of(timer, struct vplane_head, vblank);
	struct vplane_vgpu *vgpu = head->vgpu;
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	head->vblank_count++;
	if (head->flip_pending && flip_may_complete(head))
		vplane_flip_complete(head, head->flip_pending_seq);
	__irq_raise(vgpu, VPLANE_INT_VBLANK(head->index));
	hrtimer_forward_now(timer, head->period);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return HRTIMER_RESTART;
}

/*
 * Called with vgpu->lock held after FLIP latched @plane_mask on @head as
 * flip number @seq.  This is the hook a flip event for the display node
 * goes into; the planes' objects (dmabuf ids) are already resolved.  A
 * newer flip while one is pending replaces it: flip-done reports the
 * newest sequence.
 */
void __vplane_flip_latched(struct vplane_vgpu *vgpu, unsigned int head,
			   u32 plane_mask, u32 seq)
{
	struct vplane_head *h = &vgpu->heads[head];
	unsigned long flags;

	lockdep_assert_held(&vgpu->lock);
	vgpu->nr_flips++;
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	h->flip_seq = seq;
	/*
	 * The ack deadline runs from the oldest flip still waiting and is
	 * fixed here, at the latch: a consumer can only shorten the wait
	 * (ack, drop the role, close), never extend it.
	 */
	if (!h->flip_pending)
		h->ack_deadline = ktime_add_ms(
			ktime_get(), READ_ONCE(vplane_ack_timeout_ms));
	h->flip_pending = true;
	h->flip_pending_seq = seq;
	/* no scanout: nothing is on screen to protect, nothing to wait for */
	if (!h->timer_running)
		vplane_flip_complete(h, seq);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	__vplane_display_flip(vgpu, head, plane_mask, seq);
}

/*
 * The display node's ack-role consumer appeared (@on) or went away.  When
 * it goes, flips waiting for its ack complete now.  A flip already
 * waiting keeps the deadline it got when it latched.
 */
void vplane_irq_set_ack_gate(struct vplane_vgpu *vgpu, bool on)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	for (i = 0; i < vgpu->nr_heads; i++) {
		struct vplane_head *h = &vgpu->heads[i];

		if (h->ack_gated == on)
			continue;
		h->ack_gated = on;
		h->acked_seq = h->flip_done_seq;
		if (!on && h->flip_pending)
			vplane_flip_complete(h, h->flip_pending_seq);
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/*
 * The ack-role consumer shows flip @seq of @head: complete it (and any
 * older pending one) now.  A sequence the guest never latched is -EINVAL.
 */
int vplane_irq_ack(struct vplane_vgpu *vgpu, unsigned int head, u32 seq)
{
	struct vplane_head *h = &vgpu->heads[head];
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (!seq_after_eq(h->flip_seq, seq)) {
		ret = -EINVAL;
	} else {
		if (seq_after_eq(seq, h->acked_seq))
			h->acked_seq = seq;
		if (h->flip_pending && seq_after_eq(seq, h->flip_pending_seq))
			vplane_flip_complete(h, h->flip_pending_seq);
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return ret;
}

void vplane_irq_stats(struct vplane_vgpu *vgpu, u64 *ack_timeouts, u64 *flips)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	*ack_timeouts = vgpu->nr_ack_timeouts;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	*flips = READ_ONCE(vgpu->nr_flips);
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
	unsigned long flags;

	lockdep_assert_held(&vgpu->lock);
	if (!h->timer_running)
		return;
	hrtimer_cancel(&h->vblank);
	h->timer_running = false;
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (h->flip_pending)
		vplane_flip_complete(h, h->flip_pending_seq);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

void vplane_irq_init(struct vplane_vgpu *vgpu)
{
	unsigned int i;

	spin_lock_init(&vgpu->irq_lock);
	for (i = 0; i < vgpu->nr_heads; i++) {
		struct vplane_head *h = &vgpu->heads[i];

		hrtimer_init(&h->vblank, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		h->vblank.function = vblank_fn;
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

		h->flip_seq = 0;
		h->flip_done_seq = 0;
		h->vblank_count = 0;
		h->flip_pending = false;
		h->flip_pending_seq = 0;
		h->acked_seq = 0;
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
		eventfd_signal(ctx, 1);
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
