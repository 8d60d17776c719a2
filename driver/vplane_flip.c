// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane: the flip lifecycle of each head, from the FLIP doorbell to
 * FLIP_DONE: the sequence number, the ack gate and its timeout, and the
 * acks the display node's ack-role holder sends. vplane_flip.h has the
 * lifecycle and the callers' contracts.
 *
 * A latched flip completes at the head's next vblank (immediately when
 * the head is not scanning out). While a display-node consumer holds the
 * ack role, a flip of a scanning-out head completes only when the
 * consumer acknowledges it (at once, not at the next vblank), or at the
 * first vblank after vplane_ack_timeout_ms without an ack:
 * flip_may_complete() is that gate. A dead or stuck consumer therefore
 * delays the guest by at most the timeout, never stalls it.
 */

#include <linux/module.h>

#include "vplane.h"

unsigned int vplane_ack_timeout_ms = 100;
module_param_named(ack_timeout_ms, vplane_ack_timeout_ms, uint, 0644);
MODULE_PARM_DESC(
	ack_timeout_ms,
	"complete a flip without its ack after this long (default 100)");

static bool seq_after_eq(u32 a, u32 b)
{
	return (s32)(a - b) >= 0;
}

/*
 * Complete the flip with sequence @seq on @head: record it and raise
 * FLIP_DONE. irq_lock held.
 */
static void flip_complete(struct vplane_head *head, u32 seq)
{
	struct vplane_flip *f = &head->flip;

	lockdep_assert_held(&head->vgpu->irq_lock);
	f->done_seq = seq;
	if (f->pending && f->pending_seq == seq)
		f->pending = false;
	vplane_irq_raise_locked(head->vgpu, VPLANE_INT_FLIP_DONE(head->index));
}

/* Complete @head's waiting flip, if any; irq_lock held. */
static void flip_complete_pending(struct vplane_head *head)
{
	if (head->flip.pending)
		flip_complete(head, head->flip.pending_seq);
}

/*
 * Gate between a latched flip and its completion at a vblank; irq_lock.
 * The deadline was fixed when the oldest waiting flip latched: nothing a
 * consumer does (taking the role again, closing, reopening) moves it.
 */
static bool flip_may_complete(struct vplane_head *head)
{
	struct vplane_vgpu *vgpu = head->vgpu;
	struct vplane_flip *f = &head->flip;

	lockdep_assert_held(&vgpu->irq_lock);
	if (!vgpu->ack_holder || seq_after_eq(f->acked_seq, f->pending_seq))
		return true;
	if (ktime_before(ktime_get(), f->ack_deadline))
		return false;
	vgpu->nr_ack_timeouts++;
	return true;
}

/*
 * Number the flip and start its wait; vgpu->lock held, takes irq_lock.
 * A newer flip while one is pending replaces it: FLIP_DONE reports the
 * newest sequence. Returns the flip's sequence number.
 */
static u32 __flip_latched(struct vplane_vgpu *vgpu, struct vplane_head *h)
{
	unsigned int timeout_ms = READ_ONCE(vplane_ack_timeout_ms);
	struct vplane_flip *f = &h->flip;
	unsigned long flags;
	u32 seq;

	lockdep_assert_held(&vgpu->lock);
	vgpu->nr_flips++;
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	seq = f->seq + 1;
	f->seq = seq;
	/*
	 * The ack deadline runs from the oldest flip still waiting and is
	 * fixed here, at the latch: a consumer can only shorten the wait
	 * (ack, drop the role, close), never extend it.
	 */
	if (!f->pending)
		f->ack_deadline = ktime_add_ms(ktime_get(), timeout_ms);
	f->pending = true;
	f->pending_seq = seq;
	/* no scanout: nothing is on screen to protect, nothing to wait for */
	if (!h->timer_running)
		flip_complete(h, seq);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return seq;
}

void __vplane_flip(struct vplane_vgpu *vgpu, unsigned int head, u32 mask)
{
	struct vplane_head *h = &vgpu->heads[head];
	unsigned int p;
	u32 seq;

	lockdep_assert_held(&vgpu->lock);
	mask &= VPLANE_FLIP_PLANE(VPLANE_PLANE_PRIMARY) |
		VPLANE_FLIP_PLANE(VPLANE_PLANE_CURSOR);
	if (!mask)
		return;

	for (p = 0; p < VPLANE_NUM_PLANES; p++)
		if (mask & VPLANE_FLIP_PLANE(p))
			__vplane_plane_latch(vgpu, &h->planes[p], p);

	seq = __flip_latched(vgpu, h);
	/*
	 * the planes' objects (dmabuf ids) are resolved; events are pushed
	 * under vgpu->lock, never under irq_lock
	 */
	__vplane_display_flip(vgpu, head, mask, seq);
}

u32 __vplane_flip_seq(struct vplane_vgpu *vgpu, unsigned int head)
{
	lockdep_assert_held(&vgpu->lock);
	return READ_ONCE(vgpu->heads[head].flip.seq);
}

u32 vplane_flip_done_seq(struct vplane_vgpu *vgpu, unsigned int head)
{
	unsigned long flags;
	u32 seq;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	seq = vgpu->heads[head].flip.done_seq;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return seq;
}

void vplane_flip_vblank(struct vplane_head *head)
{
	lockdep_assert_held(&head->vgpu->irq_lock);
	if (head->flip.pending && flip_may_complete(head))
		flip_complete(head, head->flip.pending_seq);
}

void __vplane_flip_flush(struct vplane_vgpu *vgpu, unsigned int head)
{
	unsigned long flags;

	lockdep_assert_held(&vgpu->lock);
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	flip_complete_pending(&vgpu->heads[head]);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

void vplane_flip_reset(struct vplane_head *head)
{
	struct vplane_flip *f = &head->flip;

	lockdep_assert_held(&head->vgpu->irq_lock);
	f->seq = 0;
	f->done_seq = 0;
	f->pending = false;
	f->pending_seq = 0;
	f->acked_seq = 0;
}

/*
 * The ack role changes hands to @client (NULL: nobody); irq_lock held.
 * Acks count from what is done now. When the gate opens, flips waiting for
 * an ack complete now; a flip already waiting keeps the deadline it got
 * when it latched.
 */
static void set_ack_holder(struct vplane_vgpu *vgpu, const void *client)
{
	unsigned int i;

	lockdep_assert_held(&vgpu->irq_lock);
	vgpu->ack_holder = client;
	for (i = 0; i < vgpu->nr_heads; i++) {
		struct vplane_head *h = &vgpu->heads[i];

		h->flip.acked_seq = h->flip.done_seq;
		if (!client)
			flip_complete_pending(h);
	}
}

/*
 * The holder taking the role again changes nothing: a waiting flip keeps
 * the deadline it got at its latch.
 */
int vplane_flip_take_ack_role(struct vplane_vgpu *vgpu, const void *client)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (vgpu->ack_holder == client)
		ret = 0;
	else if (vgpu->ack_holder)
		ret = -EBUSY;
	else
		set_ack_holder(vgpu, client);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return ret;
}

int vplane_flip_drop_ack_role(struct vplane_vgpu *vgpu, const void *client)
{
	unsigned long flags;
	int ret = -EPERM;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (client && vgpu->ack_holder == client) {
		set_ack_holder(vgpu, NULL);
		ret = 0;
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return ret;
}

bool vplane_flip_is_ack_holder(struct vplane_vgpu *vgpu, const void *client)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	ret = client && vgpu->ack_holder == client;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return ret;
}

void vplane_flip_clear_ack_role(struct vplane_vgpu *vgpu)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (vgpu->ack_holder)
		set_ack_holder(vgpu, NULL);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/* The holder shows flip @seq of @h; irq_lock held. */
static int ack_locked(struct vplane_head *h, u32 seq)
{
	struct vplane_flip *f = &h->flip;

	lockdep_assert_held(&h->vgpu->irq_lock);
	if (!seq_after_eq(f->seq, seq))
		return -EINVAL;
	if (seq_after_eq(seq, f->acked_seq))
		f->acked_seq = seq;
	if (f->pending && seq_after_eq(seq, f->pending_seq))
		flip_complete(h, f->pending_seq);
	return 0;
}

int vplane_flip_ack(struct vplane_vgpu *vgpu, const void *client,
		    unsigned int head, u32 seq)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (!client || vgpu->ack_holder != client)
		ret = -EPERM;
	else if (head >= vgpu->nr_heads)
		ret = -EINVAL;
	else
		ret = ack_locked(&vgpu->heads[head], seq);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return ret;
}

void vplane_flip_stats(struct vplane_vgpu *vgpu, u64 *ack_timeouts, u64 *flips)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	*ack_timeouts = vgpu->nr_ack_timeouts;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	*flips = READ_ONCE(vgpu->nr_flips);
}
