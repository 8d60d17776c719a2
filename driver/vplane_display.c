// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane display node: a per-vGPU fd for a display server running beside
 * the VMM. It delivers flip, cursor, mode and reset events, hands out the
 * planes' dma-bufs, and lets one consumer (the ack role) hold back the
 * guest's flip-done until the frame is on screen. See uapi/vplane_display.h
 * for the contract and ABI.md for the prose.
 *
 * Lifetime: the display object is a struct device (/dev/vplane/<uuid>); its
 * refcount keeps it alive for every open fd and for the vGPU. When the vGPU
 * goes away it detaches under disp->lock, so an ioctl either runs entirely
 * before that with a live vGPU or sees NULL and fails with ENODEV.
 *
 * Locking: disp->lock (mutex) -> vgpu->lock -> vgpu->irq_lock; and
 * disp->events_lock (spinlock) for the clients list and their queues,
 * then disp->stage_lock (spinlock, innermost) for the staging queue. No
 * user memory is touched with any of them held: ioctl arguments are
 * copied in before disp->lock and out after it, events are copied out
 * of the queue before they go to the reader's buffer.
 *
 * The guest's side is O(1) in the number of consumers: the MMIO path
 * (vgpu->lock held) only appends an event to the staging queue, which
 * coalesces like a consumer's, and queues fanout_work; the work (or a
 * reader, first) moves staged events to every client. Events are pushed
 * with vgpu->lock held and never under irq_lock.
 */
#include <linux/anon_inodes.h>
#include <linux/cdev.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "vplane.h"
#include "uapi/vplane_display.h"

#define QUEUE_LEN    64 /* events per consumer; flips coalesce */
#define MAX_DISPLAYS 256

static unsigned int display_gid;
module_param(display_gid, uint, 0444);
MODULE_PARM_DESC(display_gid,
		 "group owning /dev/vplane/<uuid> (mode 0660, default 0)");

static unsigned int max_clients = 16;
module_param_named(max_display_clients, max_clients, uint, 0444);
MODULE_PARM_DESC(
	max_display_clients,
	"open display-node fds per vGPU, the VMM's included (default 16)");

static dev_t display_devt;
static struct class *display_class;
static DEFINE_IDA(display_minors);

/* An event queue that coalesces flips and cursor moves per plane. */
struct vplane_queue {
	struct vplane_display_event queue[QUEUE_LEN];
	u64 rd, wr; /* absolute queue positions */
	/* position + 1 of an unread flip/cursor event, 0 for none */
	u64 unread_flip[VPLANE_MAX_HEADS][VPLANE_NUM_PLANES];
	u64 unread_cursor[VPLANE_MAX_HEADS];
	bool overflowed;
	u64 events, coalesced, overflows;
};

struct vplane_client {
	struct vplane_display *disp; /* holds a device reference */
	struct list_head link;	     /* vplane_display.clients */
	bool writable;
	struct vplane_quota *quota; /* this opener's dma-buf bound */

	struct vplane_queue q; /* disp->events_lock */
};

struct vplane_display {
	struct device dev; /* refcount owns the object */
	struct cdev cdev;
	int minor;

	struct mutex lock;
	struct vplane_vgpu *vgpu; /* NULL once the vGPU is gone */
	atomic64_t acks;

	spinlock_t events_lock;
	struct list_head clients; /* vplane_client.link */
	unsigned int nr_clients;
	bool gone;
	wait_queue_head_t wait;
	struct vplane_display_event batch[QUEUE_LEN]; /* fan-out scratch */
	/* last cursor state per head, to tell a move from a new image */
	u32 cursor_id[VPLANE_MAX_HEADS];

	/* the guest's side: events not yet fanned out to the clients */
	spinlock_t stage_lock;
	struct vplane_queue stage;
	struct work_struct fanout_work;
};

static struct vplane_display *display_from_dev(struct device *dev)
{
	return container_of(dev, struct vplane_display, dev);
}

/* A queue slot a newer event superseded; read() skips it. */
#define EVENT_DEAD 0

static u64 *unread_slot(struct vplane_queue *c,
			const struct vplane_display_event *ev)
{
	if (ev->type == VPLANE_EVENT_FLIP)
		return &c->unread_flip[ev->head][ev->plane];
	if (ev->type == VPLANE_EVENT_CURSOR_MOVE)
		return &c->unread_cursor[ev->head];
	return NULL;
}

/* Drops dead slots from a full queue and re-indexes the unread events. */
static void queue_compact(struct vplane_queue *c)
{
	u64 pos, out = c->rd;

	memset(c->unread_flip, 0, sizeof(c->unread_flip));
	memset(c->unread_cursor, 0, sizeof(c->unread_cursor));
	for (pos = c->rd; pos < c->wr; pos++) {
		struct vplane_display_event *ev = &c->queue[pos % QUEUE_LEN];
		u64 *unread;

		if (ev->type == EVENT_DEAD)
			continue;
		c->queue[out % QUEUE_LEN] = *ev;
		unread = unread_slot(c, ev);
		out++;
		if (unread)
			*unread = out;
	}
	c->wr = out;
}

/* Skips superseded slots at the head; true if a live event is queued. */
static bool queue_has_events(struct vplane_queue *c)
{
	while (c->rd < c->wr && c->queue[c->rd % QUEUE_LEN].type == EVENT_DEAD)
		c->rd++;
	return c->rd < c->wr;
}

/* Takes the oldest live event into @ev; false if none is queued. */
static bool queue_pop(struct vplane_queue *c, struct vplane_display_event *ev)
{
	if (!queue_has_events(c))
		return false;
	*ev = c->queue[c->rd % QUEUE_LEN];
	c->rd++;
	if (ev->type == VPLANE_EVENT_OVERFLOW)
		c->overflowed = false;
	return true;
}

/*
 * Push @ev to one client. A flip or cursor move supersedes the client's
 * unread one for the same head and plane (its `dropped` counts them), so a
 * consumer that does not keep up loses only stale frames and flips never
 * fill its queue. The newest event always goes to the end, so the order of
 * events across types is kept: a flip is never read before a MODE or RESET
 * that came first. A queue full of other events drops further ones and
 * queues one OVERFLOW instead; an OVERFLOW that comes in (from the
 * staging queue) while one is unread adds nothing.
 */
static void queue_push(struct vplane_queue *c,
		       const struct vplane_display_event *ev)
{
	u64 *unread = unread_slot(c, ev);
	u32 dropped = ev->dropped;

	c->events++;
	if (ev->type == VPLANE_EVENT_OVERFLOW) {
		/* events lost before they reached this queue */
		c->overflows++;
		if (c->overflowed)
			return;
	}
	if (unread && *unread && *unread - 1 >= c->rd) {
		struct vplane_display_event *old =
			&c->queue[(*unread - 1) % QUEUE_LEN];

		dropped += old->dropped + 1;
		c->coalesced++;
		if (*unread == c->wr) {
			/* the newest already: replace it in place */
			*old = *ev;
			old->dropped = dropped;
			return;
		}
		old->type = EVENT_DEAD;
		*unread = 0;
	}
	if (c->wr - c->rd >= QUEUE_LEN - 1)
		queue_compact(c);
	if (c->wr - c->rd >= QUEUE_LEN - 1) {
		if (ev->type != VPLANE_EVENT_OVERFLOW)
			c->overflows++;
		if (!c->overflowed) {
			c->queue[c->wr % QUEUE_LEN] =
				(struct vplane_display_event){
					.type = VPLANE_EVENT_OVERFLOW,
					.timestamp_ns = ev->timestamp_ns,
				};
			c->wr++;
			c->overflowed = true;
		}
		return;
	}
	c->queue[c->wr % QUEUE_LEN] = *ev;
	c->queue[c->wr % QUEUE_LEN].dropped = dropped;
	c->wr++;
	if (unread)
		*unread = c->wr;
	if (ev->type == VPLANE_EVENT_OVERFLOW)
		c->overflowed = true;
}

/*
 * Moves the staged events to every client, in order, and wakes readers.
 * The staging queue holds fewer than QUEUE_LEN events, so one batch
 * drains it; events staged meanwhile re-queue the work.
 */
static void display_fanout(struct vplane_display *disp)
{
	struct vplane_client *c;
	unsigned int n = 0, i;

	spin_lock(&disp->events_lock);
	spin_lock(&disp->stage_lock);
	while (n < QUEUE_LEN && queue_pop(&disp->stage, &disp->batch[n]))
		n++;
	spin_unlock(&disp->stage_lock);
	list_for_each_entry(c, &disp->clients, link) {
		for (i = 0; i < n; i++)
			queue_push(&c->q, &disp->batch[i]);
	}
	spin_unlock(&disp->events_lock);
	if (n)
		wake_up_interruptible_all(&disp->wait);
}

static void fanout_work_fn(struct work_struct *work)
{
	display_fanout(container_of(work, struct vplane_display, fanout_work));
}

/*
 * The guest's MMIO path (vgpu->lock held): stage @ev for the clients.
 * O(1) whatever the number of clients: the fan-out runs in a work item.
 */
static void display_push(struct vplane_display *disp,
			 const struct vplane_display_event *ev)
{
	spin_lock(&disp->stage_lock);
	queue_push(&disp->stage, ev);
	spin_unlock(&disp->stage_lock);
	queue_work(system_highpri_wq, &disp->fanout_work);
}

/*
 * Called by the vGPU, vgpu->lock held, after a flip latched @plane_mask on
 * @head as flip @seq. The planes' objects are resolved, so the events carry
 * the dmabuf_id a consumer asks for next.
 */
void __vplane_display_flip(struct vplane_vgpu *vgpu, unsigned int head,
			   u32 plane_mask, u32 seq)
{
	struct vplane_display *disp = vgpu->display;
	u64 now = ktime_get_ns();
	unsigned int p;

	lockdep_assert_held(&vgpu->lock);
	if (!disp || head >= vgpu->nr_heads)
		return;
	for (p = 0; p < VPLANE_NUM_PLANES; p++) {
		struct vplane_plane *pl = &vgpu->heads[head].planes[p];
		struct vplane_display_event ev = {
			.type = VPLANE_EVENT_FLIP,
			.head = head,
			.plane = p,
			.seq = seq,
			.timestamp_ns = now,
		};

		if (!(plane_mask & BIT(p)))
			continue;
		ev.dmabuf_id = pl->obj ? pl->obj->id : 0;
		ev.x = pl->active.pos_x;
		ev.y = pl->active.pos_y;
		if (p == VPLANE_PLANE_CURSOR) {
			/* same image, new place: a move, not a new frame */
			if (ev.dmabuf_id &&
			    ev.dmabuf_id == disp->cursor_id[head])
				ev.type = VPLANE_EVENT_CURSOR_MOVE;
			disp->cursor_id[head] = ev.dmabuf_id;
		}
		display_push(disp, &ev);
	}
}

/*
 * The vGPU, vgpu->lock held: a bochs DISPI register changed. bochs guests
 * flip by moving the Y offset and have no doorbell, so any change is a
 * FLIP of head 0's primary plane with the framebuffer's current id. The id
 * costs a plane-object lookup: only done when someone listens.
 */
void __vplane_display_bochs(struct vplane_vgpu *vgpu)
{
	struct vplane_display *disp = vgpu->display;
	struct vplane_display_event ev = {
		.type = VPLANE_EVENT_FLIP,
		.head = 0,
		.plane = VPLANE_DISPLAY_PLANE_PRIMARY,
	};

	lockdep_assert_held(&vgpu->lock);
	if (!disp || __vplane_head_active(vgpu, 0))
		return;
	if (!READ_ONCE(disp->nr_clients))
		return;
	ev.dmabuf_id = __vplane_bochs_plane_id(vgpu);
	ev.seq = __vplane_flip_seq(vgpu, 0);
	ev.timestamp_ns = ktime_get_ns();
	display_push(disp, &ev);
}

/*
 * The vGPU, vgpu->lock held: @head's mode or EDID changed. The event
 * carries the mode now scanned out, 0x0 when the head is off.
 */
void __vplane_display_mode(struct vplane_vgpu *vgpu, unsigned int head)
{
	struct vplane_display_event ev = {
		.type = VPLANE_EVENT_MODE,
		.head = head,
		.timestamp_ns = ktime_get_ns(),
	};

	lockdep_assert_held(&vgpu->lock);
	if (!vgpu->display || head >= vgpu->nr_heads)
		return;
	if (__vplane_head_active(vgpu, head)) {
		ev.width = vgpu->heads[head].width;
		ev.height = vgpu->heads[head].height;
	}
	display_push(vgpu->display, &ev);
}

/* The vGPU, vgpu->lock held: the device was reset. */
void __vplane_display_reset(struct vplane_vgpu *vgpu)
{
	struct vplane_display_event ev = {
		.type = VPLANE_EVENT_RESET,
		.timestamp_ns = ktime_get_ns(),
	};

	lockdep_assert_held(&vgpu->lock);
	if (!vgpu->display)
		return;
	memset(vgpu->display->cursor_id, 0, sizeof(vgpu->display->cursor_id));
	display_push(vgpu->display, &ev);
}

/*
 * Copy in an argsz-versioned argument: at least @min bytes, flags 0. The
 * caller's argsz goes to *@argsz, for arg_out. Never under a lock: the
 * page may never resolve (userfaultfd, FUSE).
 */
static int arg_in(void *arg, size_t size, size_t min, void __user *uarg,
		  u32 *argsz)
{
	u32 flags;

	/*
	 * every struct starts with argsz and flags (min >= 8): read no
	 * further than argsz says
	 */
	if (get_user(*argsz, (u32 __user *)uarg))
		return -EFAULT;
	if (*argsz < min)
		return -EINVAL;
	if (get_user(flags, (u32 __user *)uarg + 1))
		return -EFAULT;
	if (flags)
		return -EINVAL;
	memset(arg, 0, size);
	if (copy_from_user(arg, uarg, min_t(size_t, size, *argsz)))
		return -EFAULT;
	return 0;
}

/* Copy out at most the caller's @argsz bytes; never under a lock. */
static int arg_out(void __user *uarg, const void *arg, size_t size, u32 argsz)
{
	return copy_to_user(uarg, arg, min_t(size_t, size, argsz)) ? -EFAULT
								   : 0;
}

/* Every ioctl argument; copied in before disp->lock, out after it. */
union display_arg {
	struct vplane_display_info info;
	struct vplane_display_plane pl;
	struct vplane_display_dmabuf db;
	struct vplane_display_ack ack;
	struct vplane_display_stats st;
};

static int ioctl_info(struct vplane_display *disp,
		      struct vplane_display_info *info)
{
	struct vplane_vgpu *vgpu = disp->vgpu;

	info->argsz = sizeof(*info);
	info->api_version = VPLANE_DISPLAY_API_VERSION;
	info->nr_heads = vgpu->nr_heads;
	info->max_width = vgpu->type->max_width;
	info->max_height = vgpu->type->max_height;
	info->cursor_max = VPLANE_CURSOR_MAX;
	info->ack_timeout_ms = READ_ONCE(vplane_ack_timeout_ms);
	info->vram_size = vgpu->vram_size;
	info->event_size = sizeof(struct vplane_display_event);
	info->queue_len = QUEUE_LEN;
	strscpy(info->uuid, dev_name(&disp->dev), sizeof(info->uuid));
	strscpy(info->type, vgpu->type->type.sysfs_name, sizeof(info->type));
	return 0;
}

static int ioctl_query(struct vplane_display *disp,
		       struct vplane_display_plane *pl)
{
	int ret;

	/*
	 * head and plane are the only inputs: every other field is output
	 * and must not echo the caller's bytes back for a disabled plane
	 */
	*pl = (struct vplane_display_plane){ .head = pl->head,
					     .plane = pl->plane };
	ret = vplane_describe_plane(disp->vgpu, pl);
	if (ret)
		return ret;
	pl->argsz = sizeof(*pl);
	return 0;
}

/* The new fd is the return value: a failed copy-out cannot leak it. */
static int ioctl_dmabuf(struct vplane_client *c,
			struct vplane_display_dmabuf *db)
{
	db->fd = vplane_get_dmabuf(c->disp->vgpu, db->dmabuf_id, c->quota);
	db->argsz = sizeof(*db);
	return db->fd;
}

/* The role itself (one holder, its gate and deadlines) is vplane_flip.c's. */
static int ioctl_take_role(struct vplane_client *c)
{
	if (!c->writable)
		return -EPERM;
	return vplane_flip_take_ack_role(c->disp->vgpu, c);
}

/*
 * disp->lock held; the vGPU may already be gone, and its role with it.
 * The holder is the one that injects input: nothing it pressed stays
 * down once it lets go of the role.
 */
static int drop_role(struct vplane_client *c)
{
	struct vplane_display *disp = c->disp;
	int ret;

	lockdep_assert_held(&disp->lock);
	if (!disp->vgpu)
		return -EPERM;
	ret = vplane_flip_drop_ack_role(disp->vgpu, c);
	if (!ret)
		vplane_input_release_all(disp->vgpu);
	return ret;
}

static int ioctl_ack(struct vplane_client *c, struct vplane_display_ack *ack)
{
	struct vplane_display *disp = c->disp;
	int ret;

	ret = vplane_flip_ack(disp->vgpu, c, ack->head, ack->seq);
	if (!ret)
		atomic64_inc(&disp->acks);
	return ret;
}

static int ioctl_stats(struct vplane_client *c, struct vplane_display_stats *st)
{
	struct vplane_display *disp = c->disp;

	spin_lock(&disp->events_lock);
	st->events = c->q.events;
	st->coalesced = c->q.coalesced;
	st->overflows = c->q.overflows;
	spin_unlock(&disp->events_lock);
	st->acks = atomic64_read(&disp->acks);
	vplane_flip_stats(disp->vgpu, &st->ack_timeouts, &st->flips);
	st->argsz = sizeof(*st);
	return 0;
}

/*
 * VPLANE_DISPLAY_INPUT. The records are copied in before disp->lock, at
 * most VPLANE_INPUT_MAX_EVENTS of them (the count is checked before the
 * size is computed). Only the ack-role holder injects.
 */
static long ioctl_input(struct vplane_client *c, void __user *uarg)
{
	struct vplane_input_event evs[VPLANE_INPUT_MAX_EVENTS];
	struct vplane_display *disp = c->disp;
	struct vplane_display_input in;
	u32 argsz;
	int ret;

	ret = arg_in(&in, sizeof(in), sizeof(in), uarg, &argsz);
	if (ret)
		return ret;
	if (in.pad || !in.count || in.count > VPLANE_INPUT_MAX_EVENTS)
		return -EINVAL;
	if (copy_from_user(evs, u64_to_user_ptr(in.events),
			   in.count * sizeof(evs[0])))
		return -EFAULT;

	mutex_lock(&disp->lock);
	if (!disp->vgpu)
		ret = -ENODEV;
	else if (!vplane_flip_is_ack_holder(disp->vgpu, c))
		ret = -EPERM;
	else
		ret = vplane_input_inject(disp->vgpu, in.device, in.head, evs,
					  in.count);
	mutex_unlock(&disp->lock);
	return ret;
}

static long display_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct vplane_client *c = file->private_data;
	struct vplane_display *disp = c->disp;
	void __user *uarg = (void __user *)arg;
	unsigned int nr = _IOC_NR(cmd);
	union display_arg a;
	size_t size, min;
	u32 argsz = 0;
	long ret;

	/*
	 * Dispatch on the number alone: argsz, not the size encoded in the
	 * command, versions an argument, so a struct that grows keeps its
	 * ioctl number working for old and new callers alike.
	 */
	if (_IOC_TYPE(cmd) != VPLANE_DISPLAY_IOCTL_MAGIC)
		return -ENOTTY;
	/* a vGPU already gone answers ENODEV whatever the number or argument */
	if (!READ_ONCE(disp->vgpu))
		return -ENODEV;
	switch (nr) {
	case _IOC_NR(VPLANE_DISPLAY_INPUT):
		return ioctl_input(c, uarg);
	case _IOC_NR(VPLANE_DISPLAY_GET_INFO):
		size = sizeof(a.info);
		min = offsetofend(struct vplane_display_info, type);
		break;
	case _IOC_NR(VPLANE_DISPLAY_QUERY_PLANE):
		size = sizeof(a.pl);
		min = offsetofend(struct vplane_display_plane, refresh_mhz);
		break;
	case _IOC_NR(VPLANE_DISPLAY_GET_DMABUF):
		size = sizeof(a.db);
		min = offsetofend(struct vplane_display_dmabuf, fd);
		break;
	case _IOC_NR(VPLANE_DISPLAY_ACK_FLIP):
		size = sizeof(a.ack);
		min = offsetofend(struct vplane_display_ack, seq);
		break;
	case _IOC_NR(VPLANE_DISPLAY_GET_STATS):
		size = sizeof(a.st);
		min = offsetofend(struct vplane_display_stats, flips);
		/* count what the guest staged before this call */
		display_fanout(disp);
		break;
	case _IOC_NR(VPLANE_DISPLAY_TAKE_ACK_ROLE):
	case _IOC_NR(VPLANE_DISPLAY_DROP_ACK_ROLE):
		size = 0;
		min = 0;
		break;
	default:
		return -ENOTTY;
	}
	if (size) {
		ret = arg_in(&a, size, min, uarg, &argsz);
		if (ret)
			return ret;
	}

	mutex_lock(&disp->lock);
	if (!disp->vgpu) {
		mutex_unlock(&disp->lock);
		return -ENODEV;
	}
	switch (nr) {
	case _IOC_NR(VPLANE_DISPLAY_GET_INFO):
		ret = ioctl_info(disp, &a.info);
		break;
	case _IOC_NR(VPLANE_DISPLAY_QUERY_PLANE):
		ret = ioctl_query(disp, &a.pl);
		break;
	case _IOC_NR(VPLANE_DISPLAY_GET_DMABUF):
		ret = ioctl_dmabuf(c, &a.db);
		break;
	case _IOC_NR(VPLANE_DISPLAY_TAKE_ACK_ROLE):
		ret = ioctl_take_role(c);
		break;
	case _IOC_NR(VPLANE_DISPLAY_DROP_ACK_ROLE):
		ret = drop_role(c);
		break;
	case _IOC_NR(VPLANE_DISPLAY_ACK_FLIP):
		ret = ioctl_ack(c, &a.ack);
		break;
	default: /* GET_STATS */
		ret = ioctl_stats(c, &a.st);
		break;
	}
	mutex_unlock(&disp->lock);

	if (ret < 0 || !size || nr == _IOC_NR(VPLANE_DISPLAY_ACK_FLIP))
		return ret;
	if (nr == _IOC_NR(VPLANE_DISPLAY_GET_DMABUF)) {
		/* the fd is installed and returned whatever the copy does */
		arg_out(uarg, &a, size, argsz);
		return ret;
	}
	return arg_out(uarg, &a, size, argsz);
}

static bool client_ready(struct vplane_client *c)
{
	bool ready;

	display_fanout(c->disp);
	spin_lock(&c->disp->events_lock);
	ready = queue_has_events(&c->q) || c->disp->gone;
	spin_unlock(&c->disp->events_lock);
	return ready;
}

/*
 * Each event is taken from the queue under events_lock and copied to the
 * reader's buffer with no lock held: a buffer on a page that never
 * resolves blocks only this reader.
 */
static ssize_t display_read(struct file *file, char __user *buf, size_t count,
			    loff_t *ppos)
{
	struct vplane_client *c = file->private_data;
	struct vplane_display *disp = c->disp;
	const size_t evsz = sizeof(struct vplane_display_event);
	struct vplane_display_event ev;
	size_t done = 0;
	bool have;
	int ret;

	if (count < evsz)
		return -EINVAL;
	for (;;) {
		display_fanout(disp);
		while (done + evsz <= count) {
			spin_lock(&disp->events_lock);
			have = queue_pop(&c->q, &ev);
			spin_unlock(&disp->events_lock);
			if (!have)
				break;
			if (copy_to_user(buf + done, &ev, evsz))
				return done ? done : -EFAULT;
			done += evsz;
		}
		spin_lock(&disp->events_lock);
		ret = disp->gone ? -ENODEV : 0;
		spin_unlock(&disp->events_lock);
		if (done)
			return done;
		if (ret)
			return ret;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(disp->wait, client_ready(c));
		if (ret)
			return ret;
	}
}

static __poll_t display_poll(struct file *file, poll_table *wait)
{
	struct vplane_client *c = file->private_data;
	struct vplane_display *disp = c->disp;
	__poll_t mask = 0;

	poll_wait(file, &disp->wait, wait);
	display_fanout(disp);
	spin_lock(&disp->events_lock);
	if (queue_has_events(&c->q))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (disp->gone)
		mask |= EPOLLHUP;
	spin_unlock(&disp->events_lock);
	return mask;
}

static void client_free(struct vplane_client *c)
{
	struct vplane_display *disp = c->disp;

	spin_lock(&disp->events_lock);
	list_del(&c->link);
	disp->nr_clients--;
	spin_unlock(&disp->events_lock);
	vplane_quota_put(c->quota);
	kfree(c);
	atomic_dec(&vplane_global.display_clients);
	put_device(&disp->dev);
}

static int display_release(struct inode *inode, struct file *file)
{
	struct vplane_client *c = file->private_data;
	struct vplane_display *disp = c->disp;

	mutex_lock(&disp->lock);
	drop_role(c);
	mutex_unlock(&disp->lock);
	client_free(c);
	return 0;
}

/*
 * Takes the device reference the caller holds on @disp, also on failure.
 * At most max_display_clients per vGPU (EBUSY beyond), charged to the
 * opener's memory cgroup.
 */
static struct vplane_client *client_create(struct vplane_display *disp,
					   bool writable)
{
	struct vplane_client *c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	int ret = -ENOMEM;

	if (!c)
		goto err_put;
	c->quota = vplane_quota_new();
	if (!c->quota)
		goto err_free;
	c->disp = disp;
	c->writable = writable;
	spin_lock(&disp->events_lock);
	if (disp->nr_clients >= READ_ONCE(max_clients)) {
		spin_unlock(&disp->events_lock);
		ret = -EBUSY;
		goto err_quota;
	}
	disp->nr_clients++;
	list_add_tail(&c->link, &disp->clients);
	spin_unlock(&disp->events_lock);
	atomic_inc(&vplane_global.display_clients);
	return c;

err_quota:
	vplane_quota_put(c->quota);
err_free:
	kfree(c);
err_put:
	put_device(&disp->dev);
	return ERR_PTR(ret);
}

static int display_open(struct inode *inode, struct file *file)
{
	struct vplane_display *disp =
		container_of(inode->i_cdev, struct vplane_display, cdev);
	struct vplane_client *c;

	/* the open cdev pins the device; the client keeps its own ref */
	get_device(&disp->dev);
	c = client_create(disp, file->f_mode & FMODE_WRITE);
	if (IS_ERR(c))
		return PTR_ERR(c);
	file->private_data = c;
	return stream_open(inode, file);
}

static const struct file_operations display_fops = {
	.owner = THIS_MODULE,
	.open = display_open,
	.release = display_release,
	.read = display_read,
	.poll = display_poll,
	.unlocked_ioctl = display_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

/* VPLANE_VFIO_GET_DISPLAY_FD: a new O_RDWR display fd for the VMM. */
int vplane_display_open_fd(struct vplane_vgpu *vgpu)
{
	struct vplane_display *disp;
	struct vplane_client *c;
	int fd;

	/* removal clears vgpu->display under vgpu->lock before its put */
	mutex_lock(&vgpu->lock);
	disp = vgpu->display;
	if (disp)
		get_device(&disp->dev);
	mutex_unlock(&vgpu->lock);
	if (!disp)
		return -ENODEV;
	c = client_create(disp, true);
	if (IS_ERR(c))
		return PTR_ERR(c);
	fd = anon_inode_getfd("vplane-display", &display_fops, c,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		client_free(c);
	return fd; /* anon_inode_getfd took the module reference */
}

static void display_dev_release(struct device *dev)
{
	struct vplane_display *disp = display_from_dev(dev);

	ida_free(&display_minors, disp->minor);
	atomic_dec(&vplane_global.displays);
	kfree(disp);
}

/*
 * 6.1 signature; from 6.2 on the device argument is const (commit
 * "driver core: make struct device_type.devnode() take a const *").
 */
static char *display_devnode(struct device *dev, umode_t *mode, kuid_t *uid,
			     kgid_t *gid)
{
	if (mode)
		*mode = 0660;
	if (gid)
		*gid = KGIDT_INIT(display_gid);
	return kasprintf(GFP_KERNEL, "vplane/%s", dev_name(dev));
}

static const struct device_type display_type = {
	.name = "vplane-display",
	.devnode = display_devnode,
	.release = display_dev_release,
};

/*
 * Creates /dev/vplane/<uuid> for @vgpu. Called from probe before the VFIO
 * device is registered, so a VMM never finds the device without its
 * display; vgpu->display is stored under vgpu->lock, where it is read.
 */
int vplane_display_create(struct vplane_vgpu *vgpu)
{
	struct vplane_display *disp;
	int ret;

	disp = kzalloc(sizeof(*disp), GFP_KERNEL);
	if (!disp)
		return -ENOMEM;
	disp->minor =
		ida_alloc_max(&display_minors, MAX_DISPLAYS - 1, GFP_KERNEL);
	if (disp->minor < 0) {
		ret = disp->minor;
		kfree(disp);
		return ret;
	}
	atomic_inc(&vplane_global.displays);
	mutex_init(&disp->lock);
	spin_lock_init(&disp->events_lock);
	spin_lock_init(&disp->stage_lock);
	INIT_WORK(&disp->fanout_work, fanout_work_fn);
	INIT_LIST_HEAD(&disp->clients);
	init_waitqueue_head(&disp->wait);
	disp->vgpu = vgpu;

	device_initialize(&disp->dev);
	disp->dev.class = display_class;
	disp->dev.type = &display_type;
	disp->dev.parent = vgpu_dev(vgpu);
	disp->dev.devt = MKDEV(MAJOR(display_devt), disp->minor);
	ret = dev_set_name(&disp->dev, "%s", dev_name(vgpu_dev(vgpu)));
	if (ret)
		goto err_put;
	cdev_init(&disp->cdev, &display_fops);
	disp->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&disp->cdev, &disp->dev);
	if (ret)
		goto err_put;
	mutex_lock(&vgpu->lock);
	vgpu->display = disp;
	mutex_unlock(&vgpu->lock);
	return 0;

err_put:
	put_device(&disp->dev); /* frees through display_dev_release */
	return ret;
}

/*
 * Detaches the vGPU: no new opens, every ioctl fails with ENODEV from now
 * on, pollers see POLLHUP. Open fds keep the object until they close.
 */
void vplane_display_destroy(struct vplane_vgpu *vgpu)
{
	struct vplane_display *disp = vgpu->display;

	if (!disp)
		return;
	cdev_device_del(&disp->cdev, &disp->dev);
	mutex_lock(&disp->lock);
	mutex_lock(&vgpu->lock);
	vgpu->display = NULL;
	mutex_unlock(&vgpu->lock);
	/* a VMM still running must not wait for acks nobody will send */
	vplane_flip_clear_ack_role(vgpu);
	WRITE_ONCE(disp->vgpu, NULL);
	mutex_unlock(&disp->lock);
	/* nothing stages events any more: deliver what is staged, then HUP */
	flush_work(&disp->fanout_work);
	display_fanout(disp);
	spin_lock(&disp->events_lock);
	disp->gone = true;
	spin_unlock(&disp->events_lock);
	wake_up_interruptible_all(&disp->wait);
	put_device(&disp->dev);
}

int vplane_display_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&display_devt, 0, MAX_DISPLAYS,
				  "vplane-display");
	if (ret)
		return ret;
	/* 6.4+: class_create() lost its owner argument */
	display_class = class_create(THIS_MODULE, "vplane-display");
	if (IS_ERR(display_class)) {
		unregister_chrdev_region(display_devt, MAX_DISPLAYS);
		return PTR_ERR(display_class);
	}
	return 0;
}

void vplane_display_exit(void)
{
	class_destroy(display_class);
	unregister_chrdev_region(display_devt, MAX_DISPLAYS);
}
