/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vplane: the flip lifecycle, owned by vplane_flip.c.
 *
 * A flip is born when the guest writes a head's FLIP doorbell: its planes
 * latch, it gets the head's next sequence number (FLIP_SEQ) and the
 * display node gets a FLIP event. It ends when FLIP_DONE is raised for it
 * (FLIP_DONE_SEQ): at the head's next vblank, at once when the head does
 * not scan out, or, while a display-node consumer holds the ack role,
 * when that holder acks it, gives up the role, or at the first vblank
 * after ack_timeout_ms without an ack. A newer flip latched while one
 * waits replaces it: FLIP_DONE reports the newest sequence, and the
 * ack deadline stays the one the oldest waiting flip got at its latch.
 * Nothing a consumer does moves that deadline (taking the role again,
 * closing, reopening): a flip is never delayed past ack_timeout_ms plus
 * one vblank.
 *
 * Every field below is vplane_flip.c's: other files call the functions
 * declared here. The state is under vgpu->irq_lock; the sequence number
 * is also only written with vgpu->lock held, so it is stable under
 * either. The callers:
 *   vplane_regs.c    the guest's MMIO path (process context, vgpu->lock):
 *                    the FLIP doorbell, FLIP_SEQ and FLIP_DONE_SEQ reads
 *   vplane_irq.c     the vblank hrtimer (irq_lock held), the timer's stop
 *                    and the device reset (vgpu->lock)
 *   vplane_display.c the display node's ioctls and release (process
 *                    context, disp->lock held, the vGPU attached): the ack
 *                    role, acks, statistics
 *   vplane_plane.c, vplane_display.c  the sequence a QUERY_PLANE or a
 *                    bochs FLIP event reports (vgpu->lock)
 */
#ifndef VPLANE_FLIP_H
#define VPLANE_FLIP_H

#include <linux/ktime.h>
#include <linux/types.h>

struct vplane_vgpu;
struct vplane_head;

/* One head's flips; struct vplane_head.flip, under vgpu->irq_lock. */
struct vplane_flip {
	u32 seq;	      /* last latched: FLIP_SEQ */
	u32 done_seq;	      /* last completed: FLIP_DONE_SEQ */
	bool pending;	      /* latched, FLIP_DONE not raised yet */
	u32 pending_seq;      /* the newest waiting flip */
	u32 acked_seq;	      /* the newest flip the ack-role holder acked */
	ktime_t ack_deadline; /* the oldest waiting flip's, fixed at its latch */
};

/* module parameter: how long a flip waits for its ack */
extern unsigned int vplane_ack_timeout_ms;

/*
 * The guest wrote @mask to @head's FLIP doorbell; vgpu->lock held, the
 * guest's MMIO path. Latches the planes in @mask, numbers the flip, starts
 * its wait (completes it at once when the head does not scan out) and
 * stages its FLIP events for the display node. A mask naming no plane
 * does nothing.
 */
void __vplane_flip(struct vplane_vgpu *vgpu, unsigned int head, u32 mask);

/*
 * @head's last latched sequence number (FLIP_SEQ); vgpu->lock held,
 * which keeps it stable without irq_lock.
 */
u32 __vplane_flip_seq(struct vplane_vgpu *vgpu, unsigned int head);

/* @head's last completed sequence number (FLIP_DONE_SEQ); any context. */
u32 vplane_flip_done_seq(struct vplane_vgpu *vgpu, unsigned int head);

/*
 * A vblank of @head; irq_lock held, from the vblank hrtimer. Completes the
 * waiting flip unless the ack gate holds it back; a flip completed past
 * its deadline without an ack counts as an ack timeout.
 */
void vplane_flip_vblank(struct vplane_head *head);

/*
 * @head stopped scanning out (its vblank timer is cancelled); vgpu->lock
 * held. A waiting flip completes now: there is no vblank left to wait for.
 */
void __vplane_flip_flush(struct vplane_vgpu *vgpu, unsigned int head);

/*
 * Device reset; irq_lock held, from vplane_irq_reset() with every vblank
 * timer stopped. Sequence numbers restart at 0; the ack role survives.
 */
void vplane_flip_reset(struct vplane_head *head);

/*
 * The ack role: at most one display-node consumer, @client (an opaque
 * token, the display node's client), holds back FLIP_DONE of scanning-out
 * heads until it acks. Called from the display node with disp->lock held
 * and its vGPU attached; each takes irq_lock.
 *
 * take: 0 when @client holds the role now; for its holder a no-op that
 * moves no deadline; -EBUSY while another client holds it.
 * drop: 0, and flips waiting for @client's ack complete now; -EPERM if
 * @client does not hold it.
 * clear: the display node goes away: whoever held the role loses it, and
 * waiting flips complete now.
 * is_ack_holder: whether @client holds it (the holder may inject input).
 */
int vplane_flip_take_ack_role(struct vplane_vgpu *vgpu, const void *client);
int vplane_flip_drop_ack_role(struct vplane_vgpu *vgpu, const void *client);
bool vplane_flip_is_ack_holder(struct vplane_vgpu *vgpu, const void *client);
void vplane_flip_clear_ack_role(struct vplane_vgpu *vgpu);

/*
 * @client, the holder, shows flip @seq of @head: it and any older waiting
 * flip complete now. -EPERM if @client does not hold the role, -EINVAL for
 * a head out of range or a sequence the guest never latched. Display node,
 * disp->lock held; takes irq_lock.
 */
int vplane_flip_ack(struct vplane_vgpu *vgpu, const void *client,
		    unsigned int head, u32 seq);

/* Flips latched and ack timeouts so far, for GET_STATS; any context. */
void vplane_flip_stats(struct vplane_vgpu *vgpu, u64 *ack_timeouts, u64 *flips);

#endif /* VPLANE_FLIP_H */
