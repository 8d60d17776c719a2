// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane input: the evdev devices through which a display server's input
 * reaches the guest. Each vGPU has, for its whole lifetime, one keyboard
 * and one absolute pointer per head, registered with the kernel's input
 * core as children of the mdev. The VMM attaches their event nodes
 * (QEMU input-linux or virtio-input-host-pci); the display server
 * injects through the display node (VPLANE_DISPLAY_INPUT). Because the
 * kernel owns the devices, a display server that restarts or crashes
 * leaves the VMM attached to the same nodes.
 *
 * Events are delivered only while a reader holds the device grabbed
 * (EVIOCGRAB, which both QEMU paths do): the input core then hands them
 * to that reader alone, so the host's own handlers (the VT keyboard,
 * SysRq, /dev/input/mice) never see what a remote user types into a VM.
 * Releases are the exception (see release_dev()).
 *
 * Lifetime: created in probe before the display node, destroyed in
 * remove after it. Injection runs under disp->lock with the vGPU attached,
 * and the display node detaches before the devices go, so an injection
 * never meets an unregistered device. The guest's paths (head off,
 * reset, close) reach the devices through vgpu->input under vgpu->lock,
 * which destroy clears first.
 *
 * Locking: disp->lock -> input_dev->mutex (held across the grab check and
 * the injection, so a grab cannot end in between); releases take only the
 * input core's event_lock, so they may run under vgpu->lock.
 */
#include <linux/input.h>
#include <linux/slab.h>

#include "vplane.h"

#define NAME_LEN 80

struct vplane_input {
	unsigned int nr_heads;
	struct input_dev *kbd;
	struct input_dev *ptr[VPLANE_MAX_HEADS];
	/* input_dev keeps pointers to these */
	char names[1 + VPLANE_MAX_HEADS][NAME_LEN];
	char phys[1 + VPLANE_MAX_HEADS][NAME_LEN];
	char uniq[40];
};

static const unsigned int ptr_buttons[] = {
	BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_SIDE, BTN_EXTRA,
};

static const unsigned int ptr_wheels[] = {
	REL_WHEEL,
	REL_HWHEEL,
	REL_WHEEL_HI_RES,
	REL_HWHEEL_HI_RES,
};

/* Name, phys, uniq and ids every vplane input device shares. */
static struct input_dev *alloc_dev(struct vplane_vgpu *vgpu,
				   struct vplane_input *in, unsigned int slot,
				   const char *what)
{
	struct input_dev *dev = input_allocate_device();
	const char *uuid = dev_name(vgpu_dev(vgpu));

	if (!dev)
		return NULL;
	snprintf(in->names[slot], NAME_LEN, "vplane %s %s", uuid, what);
	/* the udev rule names /dev/input/by-vplane/ links after these */
	if (slot)
		snprintf(in->phys[slot], NAME_LEN, "vplane/%s/head%u", uuid,
			 slot - 1);
	else
		snprintf(in->phys[slot], NAME_LEN, "vplane/%s/kbd", uuid);
	dev->name = in->names[slot];
	dev->phys = in->phys[slot];
	dev->uniq = in->uniq;
	dev->id.bustype = BUS_VIRTUAL;
	dev->id.vendor = VPLANE_PCI_SUBVENDOR_ID;
	dev->id.product = VPLANE_PCI_SUBDEVICE_ID;
	dev->id.version = slot;
	dev->dev.parent = vgpu_dev(vgpu);
	/*
	 * A whole batch of VPLANE_DISPLAY_INPUT plus its report is one
	 * packet: the input core does not split it with a report of its
	 * own, and evdev sizes each reader's buffer from this, so a reader
	 * a little late (QEMU) sees no SYN_DROPPED within one batch.
	 */
	dev->hint_events_per_packet = VPLANE_INPUT_MAX_EVENTS + 1;
	return dev;
}

/* Every key of a PC keyboard: KEY_ESC up to KEY_MICMUTE. */
static struct input_dev *alloc_keyboard(struct vplane_vgpu *vgpu,
					struct vplane_input *in)
{
	struct input_dev *dev = alloc_dev(vgpu, in, 0, "keyboard");
	unsigned int code;

	if (!dev)
		return NULL;
	__set_bit(EV_KEY, dev->evbit);
	/*
	 * Declares autorepeat without the input core's repeat timer (rep
	 * set before registering): repeats come from the injector alone
	 * (value 2) and the guest's own autorepeat, so a key held down on
	 * the host is never repeated twice.
	 */
	__set_bit(EV_REP, dev->evbit);
	dev->rep[REP_DELAY] = 250;
	dev->rep[REP_PERIOD] = 33;
	for (code = KEY_ESC; code <= VPLANE_INPUT_KEY_MAX; code++)
		__set_bit(code, dev->keybit);
	return dev;
}

/* An absolute pointer (a tablet) with five buttons and wheels. */
static struct input_dev *alloc_pointer(struct vplane_vgpu *vgpu,
				       struct vplane_input *in,
				       unsigned int head)
{
	char what[24];
	struct input_dev *dev;
	unsigned int i;

	snprintf(what, sizeof(what), "head %u pointer", head);
	dev = alloc_dev(vgpu, in, 1 + head, what);
	if (!dev)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(ptr_buttons); i++)
		input_set_capability(dev, EV_KEY, ptr_buttons[i]);
	for (i = 0; i < ARRAY_SIZE(ptr_wheels); i++)
		input_set_capability(dev, EV_REL, ptr_wheels[i]);
	input_set_abs_params(dev, ABS_X, 0, VPLANE_INPUT_ABS_MAX, 0, 0);
	input_set_abs_params(dev, ABS_Y, 0, VPLANE_INPUT_ABS_MAX, 0, 0);
	return dev;
}

static void unregister_all(struct vplane_input *in)
{
	unsigned int h;

	/* the input core releases what is pressed and wakes the readers */
	for (h = 0; h < in->nr_heads; h++)
		if (in->ptr[h])
			input_unregister_device(in->ptr[h]);
	if (in->kbd)
		input_unregister_device(in->kbd);
}

/*
 * Registers the keyboard and one pointer per head. Called from probe
 * before the display node exists; on failure nothing is left registered.
 */
int vplane_input_create(struct vplane_vgpu *vgpu)
{
	struct vplane_input *in = kzalloc(sizeof(*in), GFP_KERNEL);
	struct input_dev *dev;
	unsigned int h;
	int ret;

	if (!in)
		return -ENOMEM;
	in->nr_heads = vgpu->nr_heads;
	strscpy(in->uniq, dev_name(vgpu_dev(vgpu)), sizeof(in->uniq));
	for (h = 0; h <= in->nr_heads; h++) {
		dev = h ? alloc_pointer(vgpu, in, h - 1)
			: alloc_keyboard(vgpu, in);
		ret = -ENOMEM;
		if (!dev)
			goto err;
		ret = input_register_device(dev);
		if (ret) {
			input_free_device(dev);
			goto err;
		}
		if (h)
			in->ptr[h - 1] = dev;
		else
			in->kbd = dev;
	}
	mutex_lock(&vgpu->lock);
	vgpu->input = in;
	mutex_unlock(&vgpu->lock);
	return 0;

err:
	unregister_all(in);
	kfree(in);
	return ret;
}

/*
 * Unregisters the devices; called from remove after the display node has
 * detached, so no injection runs. Readers of the event nodes get the
 * release of everything pressed, then ENODEV.
 */
void vplane_input_destroy(struct vplane_vgpu *vgpu)
{
	struct vplane_input *in;

	mutex_lock(&vgpu->lock);
	in = vgpu->input;
	vgpu->input = NULL;
	mutex_unlock(&vgpu->lock);
	if (!in)
		return;
	unregister_all(in);
	kfree(in);
}

/*
 * Key-up for every key or button the input core has down, then a report.
 * Not gated on a grab: when the VMM has let go, a release reaching the
 * host's handlers is harmless (a key-up of a key they never saw pressed),
 * while a key left down in the input core would stay stuck in the guest
 * once the VMM attaches again. Only event_lock is taken: any context.
 */
static void release_dev(struct input_dev *dev)
{
	unsigned long keys[BITS_TO_LONGS(KEY_CNT)];
	unsigned long flags;
	unsigned int code;

	spin_lock_irqsave(&dev->event_lock, flags);
	bitmap_copy(keys, dev->key, KEY_CNT);
	spin_unlock_irqrestore(&dev->event_lock, flags);
	if (bitmap_empty(keys, KEY_CNT))
		return;
	for_each_set_bit(code, keys, KEY_CNT) input_event(dev, EV_KEY, code, 0);
	input_sync(dev);
}

static void release_all(struct vplane_input *in)
{
	unsigned int h;

	release_dev(in->kbd);
	for (h = 0; h < in->nr_heads; h++)
		release_dev(in->ptr[h]);
}

/* The guest turned @head off: its pointer's buttons come up. */
void __vplane_input_head_off(struct vplane_vgpu *vgpu, unsigned int head)
{
	lockdep_assert_held(&vgpu->lock);
	if (vgpu->input && head < vgpu->input->nr_heads)
		release_dev(vgpu->input->ptr[head]);
}

/* Reset or the VMM's close: the guest starts over with nothing pressed. */
void __vplane_input_release_all(struct vplane_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	if (vgpu->input)
		release_all(vgpu->input);
}

/*
 * The injector's fd closes or drops the role: nothing it pressed stays
 * down. Display node, disp->lock held, the vGPU attached.
 */
void vplane_input_release_all(struct vplane_vgpu *vgpu)
{
	struct vplane_input *in;

	mutex_lock(&vgpu->lock);
	in = vgpu->input;
	if (in)
		release_all(in);
	mutex_unlock(&vgpu->lock);
}

/*
 * Whether @ev is one @dev declares with a value in range. Keyboard:
 * EV_KEY (0 up, 1 down, 2 autorepeat). Pointer: EV_KEY (0 or 1) of its
 * buttons, EV_ABS X/Y within 0..VPLANE_INPUT_ABS_MAX, EV_REL of its
 * wheels within +-VPLANE_INPUT_REL_MAX. Both: EV_SYN SYN_REPORT 0.
 */
static bool event_valid(struct input_dev *dev, bool keyboard,
			const struct vplane_input_event *ev)
{
	switch (ev->type) {
	case EV_SYN:
		return ev->code == SYN_REPORT && ev->value == 0;
	case EV_KEY:
		if (ev->code > KEY_MAX || !test_bit(ev->code, dev->keybit))
			return false;
		return ev->value == 0 || ev->value == 1 ||
		       (keyboard && ev->value == 2);
	case EV_REL:
		if (keyboard || ev->code > REL_MAX ||
		    !test_bit(ev->code, dev->relbit))
			return false;
		return ev->value >= -VPLANE_INPUT_REL_MAX &&
		       ev->value <= VPLANE_INPUT_REL_MAX;
	case EV_ABS:
		if (keyboard || (ev->code != ABS_X && ev->code != ABS_Y))
			return false;
		return ev->value >= 0 && ev->value <= VPLANE_INPUT_ABS_MAX;
	default:
		return false;
	}
}

/*
 * Inject @count (1..VPLANE_INPUT_MAX_EVENTS) events, already copied in,
 * into @device (VPLANE_INPUT_*) of @head. Every event is checked before
 * any is sent: EINVAL for a device, head or event the device does not
 * declare, nothing sent. ENOTCONN while nobody holds the device grabbed
 * (no VMM attached): nothing sent. A batch not ending in SYN_REPORT gets
 * one, so no half frame is left for the next caller.
 * Display node, disp->lock held, the vGPU attached.
 */
int vplane_input_inject(struct vplane_vgpu *vgpu, u32 device, u32 head,
			const struct vplane_input_event *evs, u32 count)
{
	struct vplane_input *in = vgpu->input;
	struct input_dev *dev;
	bool keyboard;
	u32 i;
	int ret = 0;

	if (!in)
		return -ENODEV;
	if (device == VPLANE_INPUT_KEYBOARD && head == 0)
		dev = in->kbd;
	else if (device == VPLANE_INPUT_POINTER && head < in->nr_heads)
		dev = in->ptr[head];
	else
		return -EINVAL;
	keyboard = dev == in->kbd;
	if (!count || count > VPLANE_INPUT_MAX_EVENTS)
		return -EINVAL;
	for (i = 0; i < count; i++)
		if (!event_valid(dev, keyboard, &evs[i]))
			return -EINVAL;

	mutex_lock(&dev->mutex);
	if (!rcu_access_pointer(dev->grab)) {
		ret = -ENOTCONN;
		goto out;
	}
	for (i = 0; i < count; i++)
		input_event(dev, evs[i].type, evs[i].code, evs[i].value);
	if (evs[count - 1].type != EV_SYN)
		input_sync(dev);
out:
	mutex_unlock(&dev->mutex);
	return ret;
}
