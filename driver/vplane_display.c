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
 * disp->events_lock (spinlock, innermost) for the clients list and queues.
 * Events are pushed from the vGPU with vgpu->lock held and never under
 * irq_lock.
 */
#include <linux/anon_inodes.h>
#include <linux/cdev.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vplane.h"
#include "uapi/vplane_display.h"

#define QUEUE_LEN    64 /* events per consumer; flips coalesce */
#define MAX_DISPLAYS 256

static unsigned int display_gid;
module_param(display_gid, uint, 0444);
MODULE_PARM_DESC(display_gid,
		 "group owning /dev/vplane/<uuid> (mode 0660, default 0)");

unsigned int vplane_ack_timeout_ms = 100;
module_param_named(ack_timeout_ms, vplane_ack_timeout_ms, uint, 0644);
MODULE_PARM_DESC(
	ack_timeout_ms,
	"complete a flip without its ack after this long (default 100)");

static dev_t display_devt;
static struct class *display_class;
static DEFINE_IDA(display_minors);

struct vplane_client {
	struct vplane_display *disp; /* holds a device reference */
	struct list_head link;	     /* vplane_display.clients */
	bool writable;

	/* disp->events_lock */
	struct vplane_display_event queue[QUEUE_LEN];
	u64 rd, wr; /* absolute queue positions */
	/* position + 1 of an unread flip/cursor event, 0 for none */
	u64 unread_flip[VPLANE_MAX_HEADS][VPLANE_NUM_PLANES];
	u64 unread_cursor[VPLANE_MAX_HEADS];
	bool overflowed;
	u64 events, coalesced, overflows;
};

struct vplane_display {
	struct device dev; /* refcount owns the object */
	struct cdev cdev;
	int minor;

	struct mutex lock;
	struct vplane_vgpu *vgpu; /* NULL once the vGPU is gone */
	struct vplane_client *ack_owner;
	atomic64_t acks;

	spinlock_t events_lock;
	struct list_head clients; /* vplane_client.link */
	bool gone;
	wait_queue_head_t wait;
	/* last cursor state per head, to tell a move from a new image */
	u32 cursor_id[VPLANE_MAX_HEADS];
};

static struct vplane_display *display_from_dev(struct device *dev)
{
	return container_of(dev, struct vplane_display, dev);
}

/* A queue slot a newer event superseded; read() skips it. */
#define EVENT_DEAD 0

static u64 *unread_slot(struct vplane_client *c,
			const struct vplane_display_event *ev)
{
	if (ev->type == VPLANE_EVENT_FLIP)
		return &c->unread_flip[ev->head][ev->plane];
	if (ev->type == VPLANE_EVENT_CURSOR_MOVE)
		return &c->unread_cursor[ev->head];
	return NULL;
}

/* Drops dead slots from a full queue and re-indexes the unread events. */
static void client_compact(struct vplane_client *c)
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
static bool client_has_events(struct vplane_client *c)
{
	lockdep_assert_held(&c->disp->events_lock);
	while (c->rd < c->wr && c->queue[c->rd % QUEUE_LEN].type == EVENT_DEAD)
		c->rd++;
	return c->rd < c->wr;
}

/*
 * Push @ev to one client. A flip or cursor move supersedes the client's
 * unread one for the same head and plane (its `dropped` counts them), so a
 * consumer that does not keep up loses only stale frames and flips never
 * fill its queue. The newest event always goes to the end, so the order of
 * events across types is kept: a flip is never read before a MODE or RESET
 * that came first. A queue full of other events drops further ones and
 * queues one OVERFLOW instead.
 */
static void client_push(struct vplane_client *c,
			const struct vplane_display_event *ev)
{
	u64 *unread = unread_slot(c, ev);
	u32 dropped = ev->dropped;

	lockdep_assert_held(&c->disp->events_lock);
	c->events++;
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
		client_compact(c);
	if (c->wr - c->rd >= QUEUE_LEN - 1) {
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
}

static void display_push(struct vplane_display *disp,
			 const struct vplane_display_event *ev)
{
	struct vplane_client *c;
	unsigned long flags;

	spin_lock_irqsave(&disp->events_lock, flags);
	list_for_each_entry(c, &disp->clients, link) client_push(c, ev);
	spin_unlock_irqrestore(&disp->events_lock, flags);
	wake_up_interruptible_all(&disp->wait);
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
	bool listening;

	lockdep_assert_held(&vgpu->lock);
	if (!disp || __vplane_head_active(vgpu, 0))
		return;
	spin_lock_irq(&disp->events_lock);
	listening = !list_empty(&disp->clients);
	spin_unlock_irq(&disp->events_lock);
	if (!listening)
		return;
	ev.dmabuf_id = __vplane_bochs_plane_id(vgpu);
	ev.seq = READ_ONCE(vgpu->heads[0].flip_seq);
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

/* Copy in an argsz-versioned argument: at least @min bytes, flags 0. */
static int arg_in(void *arg, size_t size, size_t min, void __user *uarg)
{
	u32 argsz, flags;

	/* every struct starts with argsz and flags (min >= 8): read no
	 * further than argsz says */
	if (get_user(argsz, (u32 __user *)uarg))
		return -EFAULT;
	if (argsz < min)
		return -EINVAL;
	if (get_user(flags, (u32 __user *)uarg + 1))
		return -EFAULT;
	if (flags)
		return -EINVAL;
	memset(arg, 0, size);
	if (copy_from_user(arg, uarg, min_t(size_t, size, argsz)))
		return -EFAULT;
	return 0;
}

static int arg_out(void __user *uarg, const void *arg, size_t size)
{
	u32 argsz;

	if (get_user(argsz, (u32 __user *)uarg))
		return -EFAULT;
	return copy_to_user(uarg, arg, min_t(size_t, size, argsz)) ? -EFAULT
								   : 0;
}

static int ioctl_info(struct vplane_display *disp, void __user *uarg)
{
	struct vplane_vgpu *vgpu = disp->vgpu;
	struct vplane_display_info info;
	int ret;

	ret = arg_in(&info, sizeof(info),
		     offsetofend(struct vplane_display_info, type), uarg);
	if (ret)
		return ret;
	info.argsz = sizeof(info);
	info.api_version = VPLANE_DISPLAY_API_VERSION;
	info.nr_heads = vgpu->nr_heads;
	info.max_width = vgpu->type->max_width;
	info.max_height = vgpu->type->max_height;
	info.cursor_max = VPLANE_CURSOR_MAX;
	info.ack_timeout_ms = READ_ONCE(vplane_ack_timeout_ms);
	info.vram_size = vgpu->vram_size;
	info.event_size = sizeof(struct vplane_display_event);
	info.queue_len = QUEUE_LEN;
	strscpy(info.uuid, dev_name(&disp->dev), sizeof(info.uuid));
	strscpy(info.type, vgpu->type->type.sysfs_name, sizeof(info.type));
	return arg_out(uarg, &info, sizeof(info));
}

static int ioctl_query(struct vplane_display *disp, void __user *uarg)
{
	struct vplane_display_plane pl;
	int ret;

	ret = arg_in(&pl, sizeof(pl),
		     offsetofend(struct vplane_display_plane, refresh_mhz),
		     uarg);
	if (ret)
		return ret;
	/* head and plane are the only inputs: every other field is output
	 * and must not echo the caller's bytes back for a disabled plane */
	pl = (struct vplane_display_plane){ .head = pl.head,
					    .plane = pl.plane };
	ret = vplane_describe_plane(disp->vgpu, &pl);
	if (ret)
		return ret;
	pl.argsz = sizeof(pl);
	return arg_out(uarg, &pl, sizeof(pl));
}

static int ioctl_dmabuf(struct vplane_display *disp, void __user *uarg)
{
	struct vplane_display_dmabuf db;
	int ret;

	ret = arg_in(&db, sizeof(db),
		     offsetofend(struct vplane_display_dmabuf, fd), uarg);
	if (ret)
		return ret;
	db.fd = vplane_get_dmabuf(disp->vgpu, db.dmabuf_id);
	if (db.fd < 0)
		return db.fd;
	db.argsz = sizeof(db);
	/* the fd is also the return value: a failed copy cannot leak it */
	arg_out(uarg, &db, sizeof(db));
	return db.fd;
}

static int ioctl_take_role(struct vplane_client *c)
{
	struct vplane_display *disp = c->disp;

	if (!c->writable)
		return -EPERM;
	if (disp->ack_owner && disp->ack_owner != c)
		return -EBUSY;
	disp->ack_owner = c;
	vplane_irq_set_ack_gate(disp->vgpu, true);
	return 0;
}

/* disp->lock held; the vGPU may already be gone. */
static void drop_role(struct vplane_client *c)
{
	struct vplane_display *disp = c->disp;

	lockdep_assert_held(&disp->lock);
	if (disp->ack_owner != c)
		return;
	disp->ack_owner = NULL;
	if (disp->vgpu)
		vplane_irq_set_ack_gate(disp->vgpu, false);
}

static int ioctl_ack(struct vplane_client *c, void __user *uarg)
{
	struct vplane_display *disp = c->disp;
	struct vplane_display_ack ack;
	int ret;

	ret = arg_in(&ack, sizeof(ack),
		     offsetofend(struct vplane_display_ack, seq), uarg);
	if (ret)
		return ret;
	if (disp->ack_owner != c)
		return -EPERM;
	if (ack.head >= disp->vgpu->nr_heads)
		return -EINVAL;
	ret = vplane_irq_ack(disp->vgpu, ack.head, ack.seq);
	if (!ret)
		atomic64_inc(&disp->acks);
	return ret;
}

static int ioctl_stats(struct vplane_client *c, void __user *uarg)
{
	struct vplane_display *disp = c->disp;
	struct vplane_display_stats st;
	unsigned long flags;
	int ret;

	ret = arg_in(&st, sizeof(st),
		     offsetofend(struct vplane_display_stats, flips), uarg);
	if (ret)
		return ret;
	spin_lock_irqsave(&disp->events_lock, flags);
	st.events = c->events;
	st.coalesced = c->coalesced;
	st.overflows = c->overflows;
	spin_unlock_irqrestore(&disp->events_lock, flags);
	st.acks = atomic64_read(&disp->acks);
	vplane_irq_stats(disp->vgpu, &st.ack_timeouts, &st.flips);
	st.argsz = sizeof(st);
	return arg_out(uarg, &st, sizeof(st));
}

static long display_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct vplane_client *c = file->private_data;
	struct vplane_display *disp = c->disp;
	void __user *uarg = (void __user *)arg;
	long ret;

	/*
	 * Dispatch on the number alone: argsz, not the size encoded in the
	 * command, versions an argument, so a struct that grows keeps its
	 * ioctl number working for old and new callers alike.
	 */
	if (_IOC_TYPE(cmd) != VPLANE_DISPLAY_IOCTL_MAGIC)
		return -ENOTTY;
	mutex_lock(&disp->lock);
	if (!disp->vgpu) {
		mutex_unlock(&disp->lock);
		return -ENODEV;
	}
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(VPLANE_DISPLAY_GET_INFO):
		ret = ioctl_info(disp, uarg);
		break;
	case _IOC_NR(VPLANE_DISPLAY_QUERY_PLANE):
		ret = ioctl_query(disp, uarg);
		break;
	case _IOC_NR(VPLANE_DISPLAY_GET_DMABUF):
		ret = ioctl_dmabuf(disp, uarg);
		break;
	case _IOC_NR(VPLANE_DISPLAY_TAKE_ACK_ROLE):
		ret = ioctl_take_role(c);
		break;
	case _IOC_NR(VPLANE_DISPLAY_DROP_ACK_ROLE):
		ret = disp->ack_owner == c ? 0 : -EPERM;
		drop_role(c);
		break;
	case _IOC_NR(VPLANE_DISPLAY_ACK_FLIP):
		ret = ioctl_ack(c, uarg);
		break;
	case _IOC_NR(VPLANE_DISPLAY_GET_STATS):
		ret = ioctl_stats(c, uarg);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&disp->lock);
	return ret;
}

static bool client_ready(struct vplane_client *c)
{
	bool ready;

	spin_lock_irq(&c->disp->events_lock);
	ready = client_has_events(c) || c->disp->gone;
	spin_unlock_irq(&c->disp->events_lock);
	return ready;
}

static ssize_t display_read(struct file *file, char __user *buf, size_t count,
			    loff_t *ppos)
{
	struct vplane_client *c = file->private_data;
	struct vplane_display *disp = c->disp;
	const size_t evsz = sizeof(struct vplane_display_event);
	size_t done = 0;
	int ret;

	if (count < evsz)
		return -EINVAL;
	for (;;) {
		spin_lock_irq(&disp->events_lock);
		while (c->rd < c->wr && done + evsz <= count) {
			struct vplane_display_event ev =
				c->queue[c->rd % QUEUE_LEN];

			if (ev.type == VPLANE_EVENT_OVERFLOW)
				c->overflowed = false;
			c->rd++;
			if (ev.type == EVENT_DEAD)
				continue;
			spin_unlock_irq(&disp->events_lock);
			if (copy_to_user(buf + done, &ev, evsz))
				return done ? done : -EFAULT;
			done += evsz;
			spin_lock_irq(&disp->events_lock);
		}
		ret = disp->gone ? -ENODEV : 0;
		spin_unlock_irq(&disp->events_lock);
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
	spin_lock_irq(&disp->events_lock);
	if (client_has_events(c))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (disp->gone)
		mask |= EPOLLHUP;
	spin_unlock_irq(&disp->events_lock);
	return mask;
}

static int display_release(struct inode *inode, struct file *file)
{
	struct vplane_client *c = file->private_data;
	struct vplane_display *disp = c->disp;

	mutex_lock(&disp->lock);
	drop_role(c);
	mutex_unlock(&disp->lock);
	spin_lock_irq(&disp->events_lock);
	list_del(&c->link);
	spin_unlock_irq(&disp->events_lock);
	kfree(c);
	atomic_dec(&vplane_global.display_clients);
	put_device(&disp->dev);
	return 0;
}

/* Takes the device reference the caller holds on @disp, also on failure. */
static struct vplane_client *client_create(struct vplane_display *disp,
					   bool writable)
{
	struct vplane_client *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c) {
		put_device(&disp->dev);
		return NULL;
	}
	c->disp = disp;
	c->writable = writable;
	atomic_inc(&vplane_global.display_clients);
	spin_lock_irq(&disp->events_lock);
	list_add_tail(&c->link, &disp->clients);
	spin_unlock_irq(&disp->events_lock);
	return c;
}

static int display_open(struct inode *inode, struct file *file)
{
	struct vplane_display *disp =
		container_of(inode->i_cdev, struct vplane_display, cdev);
	struct vplane_client *c;

	/* the open cdev pins the device; the client keeps its own ref */
	get_device(&disp->dev);
	c = client_create(disp, file->f_mode & FMODE_WRITE);
	if (!c)
		return -ENOMEM;
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
	if (!c)
		return -ENOMEM;
	fd = anon_inode_getfd("vplane-display", &display_fops, c,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		spin_lock_irq(&c->disp->events_lock);
		list_del(&c->link);
		spin_unlock_irq(&c->disp->events_lock);
		put_device(&c->disp->dev);
		kfree(c);
		atomic_dec(&vplane_global.display_clients);
		return fd;
	}
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

/* Creates /dev/vplane/<uuid> for @vgpu; called once the vGPU exists. */
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
	vgpu->display = disp;
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
	if (disp->ack_owner)
		vplane_irq_set_ack_gate(vgpu, false);
	disp->vgpu = NULL;
	disp->ack_owner = NULL;
	mutex_unlock(&disp->lock);
	spin_lock_irq(&disp->events_lock);
	disp->gone = true;
	spin_unlock_irq(&disp->events_lock);
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
