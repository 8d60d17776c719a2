// SPDX-License-Identifier: MIT
/*
 * driver-input: the evdev devices vplane.ko registers per vGPU and the
 * display node's VPLANE_DISPLAY_INPUT, through libvplane. A 2-head vGPU's
 * keyboard and two pointers are found in /sys/class/input by name and
 * phys, their event nodes opened and grabbed (as QEMU does), and what is
 * injected is read back exactly: keys, buttons, wheels, absolute corners
 * and middle, each pointer on its own node. Refusals with their errno:
 * no ack role, no grab, unknown type, undeclared code, value out of
 * range, count, device, head, bad pointer, and a bad batch sends nothing.
 * Release of what is down when the injector drops the role, closes its fd,
 * when the guest turns a head off, resets and the VMM closes the device.
 * Last, the mdev is removed while a thread injects and the event nodes are
 * held open and grabbed: injection ends with ENODEV, readers with ENODEV
 * (the harness checks dmesg for WARN/BUG).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/input.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <vplane/display.h>
#include <vplane/log.h>

#include "evdev_node.h"
#include "vp_dev.h"

#define NR_DEVS 3 /* keyboard, head 0 pointer, head 1 pointer */
#define KBD	0
#define PTR0	1
#define PTR1	2

struct node {
	char name[128];
	char phys[128];
	char event[256]; /* eventN */
	int fd;
};

static struct node nodes[NR_DEVS];
static char uuid[40];

/* Finds the three devices by their phys and checks what sysfs says. */
static bool find_nodes(void)
{
	static const char *const suffix[NR_DEVS] = { "kbd", "head0", "head1" };
	char path[PATH_MAX], buf[128], want[128];
	int i, found = 0;

	for (i = 0; i < NR_DEVS; i++) {
		snprintf(nodes[i].phys, sizeof(nodes[i].phys), "vplane/%s/%s",
			 uuid, suffix[i]);
		if (evdev_node_find(nodes[i].phys, nodes[i].event,
				    sizeof(nodes[i].event)))
			found++;
	}
	VP_CHECK(found == NR_DEVS, "found %d of 3 input devices of %s", found,
		 uuid);
	if (found != NR_DEVS)
		return false;
	for (i = 0; i < NR_DEVS; i++) {
		char real[PATH_MAX];

		snprintf(path, sizeof(path), "/sys/class/input/%s/device/name",
			 nodes[i].event);
		evdev_sysfs_line(path, nodes[i].name, sizeof(nodes[i].name));
		if (i == KBD)
			snprintf(want, sizeof(want), "vplane %s keyboard",
				 uuid);
		else
			snprintf(want, sizeof(want),
				 "vplane %s head %d pointer", uuid, i - 1);
		VP_CHECK(!strcmp(nodes[i].name, want), "name '%s', want '%s'",
			 nodes[i].name, want);
		snprintf(path, sizeof(path), "/sys/class/input/%s/device/uniq",
			 nodes[i].event);
		VP_CHECK(evdev_sysfs_line(path, buf, sizeof(buf)) &&
				 !strcmp(buf, uuid),
			 "uniq '%s'", buf);
		snprintf(path, sizeof(path),
			 "/sys/class/input/%s/device/id/bustype",
			 nodes[i].event);
		VP_CHECK(evdev_sysfs_line(path, buf, sizeof(buf)) &&
				 strtoul(buf, NULL, 16) == BUS_VIRTUAL,
			 "bustype %s", buf);
		/* the owner: the input device's parent is the mdev */
		snprintf(path, sizeof(path),
			 "/sys/class/input/%s/device/device", nodes[i].event);
		VP_CHECK(realpath(path, real) && strstr(real, uuid),
			 "%s's parent is %s, not the mdev", nodes[i].event,
			 real);
		printf("# %s: %s (%s)\n", nodes[i].event, nodes[i].name,
		       nodes[i].phys);
	}
	return true;
}

static bool open_nodes(void)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < NR_DEVS; i++) {
		snprintf(path, sizeof(path), "/dev/input/%s", nodes[i].event);
		nodes[i].fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		VP_CHECK(nodes[i].fd >= 0, "open %s: %s", path,
			 strerror(errno));
		if (nodes[i].fd < 0)
			return false;
	}
	return true;
}

static void grab(bool on)
{
	int i;

	for (i = 0; i < NR_DEVS; i++)
		VP_CHECK(!ioctl(nodes[i].fd, EVIOCGRAB, on ? 1 : 0),
			 "EVIOCGRAB %d on %s: %s", on, nodes[i].event,
			 strerror(errno));
}

#define EV(t, c, v) ((struct vplane_input_event){ (t), (c), (v) })
#define SYN	    EV(EV_SYN, SYN_REPORT, 0)

/*
 * Reads @n events from @dev (waiting up to 5 s for each) and compares them
 * with @want, in order; then the node must have nothing more.
 */
static void expect(int dev, const struct vplane_input_event *want, int n,
		   const char *what)
{
	struct input_event ev;
	int i;

	for (i = 0; i < n; i++) {
		struct pollfd p = { .fd = nodes[dev].fd, .events = POLLIN };

		if (poll(&p, 1, 5000) != 1 ||
		    read(nodes[dev].fd, &ev, sizeof(ev)) != sizeof(ev)) {
			VP_FAIL("%s: event %d of %d did not come (%s)", what,
				i + 1, n, strerror(errno));
			return;
		}
		if (ev.type != want[i].type || ev.code != want[i].code ||
		    ev.value != want[i].value) {
			VP_FAIL("%s: event %d is %u/%u/%d, want %u/%u/%d", what,
				i + 1, ev.type, ev.code, ev.value, want[i].type,
				want[i].code, want[i].value);
			return;
		}
	}
	if (read(nodes[dev].fd, &ev, sizeof(ev)) == sizeof(ev))
		VP_FAIL("%s: one more event %u/%u/%d", what, ev.type, ev.code,
			ev.value);
}

static void expect_none(const char *what)
{
	struct input_event ev;
	int i;

	usleep(100 * 1000);
	for (i = 0; i < NR_DEVS; i++)
		if (read(nodes[i].fd, &ev, sizeof(ev)) == sizeof(ev))
			VP_FAIL("%s: %s got %u/%u/%d", what, nodes[i].event,
				ev.type, ev.code, ev.value);
}

static bool send(struct vp_display *d, uint32_t dev, uint32_t head,
		 const struct vplane_input_event *evs, uint32_t n)
{
	return vp_display_send_input(d, dev, head, evs, n);
}

/* The call fails with @err and nothing reaches any node. */
static void refused(struct vp_display *d, uint32_t dev, uint32_t head,
		    const struct vplane_input_event *evs, uint32_t n, int err,
		    const char *what)
{
	errno = 0;
	if (send(d, dev, head, evs, n))
		VP_FAIL("%s: accepted", what);
	else
		VP_CHECK(errno == err, "%s: errno %s, want %s", what,
			 strerror(errno), strerror(err));
	expect_none(what);
}

static void test_keys(struct vp_display *d)
{
	const struct vplane_input_event in[] = {
		EV(EV_KEY, KEY_A, 1),
		SYN,
		EV(EV_KEY, KEY_A, 0),
		SYN,
		EV(EV_KEY, KEY_LEFTSHIFT, 1),
		EV(EV_KEY, KEY_Z, 1),
		SYN,
		EV(EV_KEY, KEY_Z, 0),
		EV(EV_KEY, KEY_LEFTSHIFT, 0),
		SYN,
		EV(EV_KEY, KEY_MICMUTE, 1), /* the last declared key */
		EV(EV_KEY, KEY_ESC, 1),
		EV(EV_KEY, KEY_ESC, 2),
		EV(EV_KEY, KEY_ESC, 0),
		EV(EV_KEY, KEY_MICMUTE, 0),
	};
	const struct vplane_input_event out[] = {
		EV(EV_KEY, KEY_A, 1),
		SYN,
		EV(EV_KEY, KEY_A, 0),
		SYN,
		EV(EV_KEY, KEY_LEFTSHIFT, 1),
		EV(EV_KEY, KEY_Z, 1),
		SYN,
		EV(EV_KEY, KEY_Z, 0),
		EV(EV_KEY, KEY_LEFTSHIFT, 0),
		SYN,
		EV(EV_KEY, KEY_MICMUTE, 1),
		EV(EV_KEY, KEY_ESC, 1),
		EV(EV_KEY, KEY_ESC, 2),
		EV(EV_KEY, KEY_ESC, 0),
		EV(EV_KEY, KEY_MICMUTE, 0),
		SYN, /* added by the driver */
	};

	/* the first batch ends in a report, the second gets one */
	VP_CHECK(send(d, VPLANE_INPUT_KEYBOARD, 0, in, 7), "keys 1: %s",
		 strerror(errno));
	VP_CHECK(send(d, VPLANE_INPUT_KEYBOARD, 0, in + 7,
		      sizeof(in) / sizeof(in[0]) - 7),
		 "keys 2: %s", strerror(errno));
	expect(KBD, out, sizeof(out) / sizeof(out[0]), "keyboard");
	expect_none("keyboard, other nodes");
}

static void test_pointer(struct vp_display *d, uint32_t head, int dev)
{
	const struct vplane_input_event in[] = {
		EV(EV_ABS, ABS_X, 100),
		EV(EV_ABS, ABS_Y, 200),
		SYN,
		EV(EV_ABS, ABS_X, 0),
		EV(EV_ABS, ABS_Y, 0),
		SYN,
		EV(EV_ABS, ABS_X, VPLANE_INPUT_ABS_MAX),
		EV(EV_ABS, ABS_Y, VPLANE_INPUT_ABS_MAX),
		SYN,
		EV(EV_ABS, ABS_X, 0),
		SYN,
		EV(EV_ABS, ABS_X, VPLANE_INPUT_ABS_MAX / 2),
		EV(EV_ABS, ABS_Y, VPLANE_INPUT_ABS_MAX / 2),
		SYN,
		EV(EV_KEY, BTN_LEFT, 1),
		SYN,
		EV(EV_KEY, BTN_LEFT, 0),
		SYN,
		EV(EV_KEY, BTN_RIGHT, 1),
		EV(EV_KEY, BTN_MIDDLE, 1),
		EV(EV_KEY, BTN_SIDE, 1),
		EV(EV_KEY, BTN_EXTRA, 1),
		SYN,
		EV(EV_KEY, BTN_RIGHT, 0),
		EV(EV_KEY, BTN_MIDDLE, 0),
		EV(EV_KEY, BTN_SIDE, 0),
		EV(EV_KEY, BTN_EXTRA, 0),
		SYN,
		EV(EV_REL, REL_WHEEL, 1),
		EV(EV_REL, REL_WHEEL_HI_RES, 120),
		SYN,
		EV(EV_REL, REL_WHEEL, -3),
		EV(EV_REL, REL_WHEEL_HI_RES, -360),
		SYN,
		EV(EV_REL, REL_HWHEEL, 2),
		EV(EV_REL, REL_HWHEEL_HI_RES, 240),
		SYN,
		EV(EV_REL, REL_HWHEEL_HI_RES, -VPLANE_INPUT_REL_MAX),
		SYN,
	};
	const size_t n = sizeof(in) / sizeof(in[0]);
	char what[32];

	snprintf(what, sizeof(what), "head %u pointer", head);
	/* in two batches, the second starting mid-way */
	VP_CHECK(send(d, VPLANE_INPUT_POINTER, head, in, 14), "%s 1: %s", what,
		 strerror(errno));
	VP_CHECK(send(d, VPLANE_INPUT_POINTER, head, in + 14, n - 14),
		 "%s 2: %s", what, strerror(errno));
	expect(dev, in, (int)n, what);
	expect_none(what);
}

static void test_refusals(struct vp_display *d)
{
	const struct vplane_input_event key = EV(EV_KEY, KEY_A, 1);
	const struct vplane_input_event many[VPLANE_INPUT_MAX_EVENTS + 1] = {
		{ 0 },
	};
	const struct vplane_input_event bad_last[] = {
		EV(EV_KEY, KEY_Q, 1),
		SYN,
		EV(EV_KEY, KEY_Q, 0),
		EV(EV_MSC, MSC_SCAN, 4),
	};
	struct {
		uint32_t dev, head;
		struct vplane_input_event ev;
		const char *what;
	} bad[] = {
		{ 0, 0, EV(EV_MSC, MSC_SCAN, 30), "EV_MSC" },
		{ 0, 0, EV(EV_LED, LED_CAPSL, 1), "EV_LED" },
		{ 0, 0, EV(EV_FF, 0, 1), "EV_FF" },
		{ 0, 0, EV(0x1f, 0, 0), "type 0x1f" },
		{ 0, 0, EV(0xffff, 0, 0), "type 0xffff" },
		{ 0, 0, EV(EV_KEY, KEY_RESERVED, 1), "KEY_RESERVED" },
		{ 0, 0, EV(EV_KEY, KEY_MICMUTE + 1, 1), "key past MICMUTE" },
		{ 0, 0, EV(EV_KEY, BTN_LEFT, 1), "BTN_LEFT on keyboard" },
		{ 0, 0, EV(EV_KEY, KEY_MAX + 1, 1), "KEY_MAX+1" },
		{ 0, 0, EV(EV_KEY, 0xffff, 1), "key 0xffff" },
		{ 0, 0, EV(EV_KEY, KEY_A, 3), "key value 3" },
		{ 0, 0, EV(EV_KEY, KEY_A, -1), "key value -1" },
		{ 0, 0, EV(EV_REL, REL_WHEEL, 1), "REL on keyboard" },
		{ 0, 0, EV(EV_ABS, ABS_X, 1), "ABS on keyboard" },
		{ 0, 0, EV(EV_SYN, SYN_DROPPED, 0), "SYN_DROPPED" },
		{ 0, 0, EV(EV_SYN, SYN_REPORT, 1), "SYN_REPORT 1" },
		{ 1, 0, EV(EV_KEY, KEY_A, 1), "KEY_A on pointer" },
		{ 1, 0, EV(EV_KEY, BTN_TOUCH, 1), "BTN_TOUCH" },
		{ 1, 0, EV(EV_KEY, BTN_LEFT, 2), "button value 2" },
		{ 1, 0, EV(EV_ABS, ABS_X, -1), "ABS_X -1" },
		{ 1, 0, EV(EV_ABS, ABS_Y, VPLANE_INPUT_ABS_MAX + 1),
		  "ABS_Y max+1" },
		{ 1, 0, EV(EV_ABS, ABS_X, INT32_MIN), "ABS_X INT32_MIN" },
		{ 1, 0, EV(EV_ABS, ABS_Z, 1), "ABS_Z" },
		{ 1, 0, EV(EV_ABS, ABS_MT_POSITION_X, 1), "ABS_MT" },
		{ 1, 0, EV(EV_ABS, 0xffff, 1), "abs 0xffff" },
		{ 1, 0, EV(EV_REL, REL_X, 1), "REL_X" },
		{ 1, 0, EV(EV_REL, REL_MAX + 1, 1), "REL_MAX+1" },
		{ 1, 0, EV(EV_REL, REL_WHEEL, VPLANE_INPUT_REL_MAX + 1),
		  "wheel past max" },
		{ 1, 0, EV(EV_REL, REL_WHEEL, INT32_MIN), "wheel INT32_MIN" },
		{ 1, 2, EV(EV_KEY, BTN_LEFT, 1), "head 2 of 2" },
		{ 1, 0xffffffffu, EV(EV_KEY, BTN_LEFT, 1), "head ~0" },
		{ 0, 1, EV(EV_KEY, KEY_A, 1), "keyboard head 1" },
		{ 2, 0, EV(EV_KEY, KEY_A, 1), "device 2" },
		{ 0xffffffffu, 0, EV(EV_KEY, KEY_A, 1), "device ~0" },
	};
	struct vplane_display_input raw = {
		.argsz = sizeof(raw),
		.count = 1,
		.events = (uint64_t)(uintptr_t)&key,
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(d, bad[i].dev, bad[i].head, &bad[i].ev, 1, EINVAL,
			bad[i].what);
	refused(d, 0, 0, &key, 0, EINVAL, "count 0");
	refused(d, 0, 0, many, VPLANE_INPUT_MAX_EVENTS + 1, EINVAL, "count 65");
	refused(d, 0, 0, many, 0x80000000u, EINVAL, "count 2^31");
	refused(d, 0, 0, many, UINT32_MAX, EINVAL, "count 2^32-1");
	refused(d, 0, 0, bad_last, 4, EINVAL, "bad last of a batch");
	refused(d, 0, 0, (const void *)8, 1, EFAULT, "events at 8");

	/* argument checks the library cannot make: raw ioctls */
	raw.flags = 1;
	errno = 0;
	VP_CHECK(ioctl(vp_display_get_fd(d), VPLANE_DISPLAY_INPUT, &raw) < 0 &&
			 errno == EINVAL,
		 "flags 1: %s", strerror(errno));
	raw.flags = 0;
	raw.pad = 1;
	errno = 0;
	VP_CHECK(ioctl(vp_display_get_fd(d), VPLANE_DISPLAY_INPUT, &raw) < 0 &&
			 errno == EINVAL,
		 "pad 1: %s", strerror(errno));
	raw.pad = 0;
	raw.argsz = sizeof(raw) - 8;
	errno = 0;
	VP_CHECK(ioctl(vp_display_get_fd(d), VPLANE_DISPLAY_INPUT, &raw) < 0 &&
			 errno == EINVAL,
		 "argsz short: %s", strerror(errno));
	expect_none("raw refusals");
	/* a full batch of 64 is fine; the driver ends it with a report */
	{
		struct vplane_input_event full[VPLANE_INPUT_MAX_EVENTS];
		struct vplane_input_event want[VPLANE_INPUT_MAX_EVENTS + 1];

		for (i = 0; i < VPLANE_INPUT_MAX_EVENTS; i++) {
			full[i] = EV(EV_KEY, KEY_1 + (i / 2) % 9, !(i % 2));
			want[i] = full[i];
		}
		want[VPLANE_INPUT_MAX_EVENTS] = SYN;
		VP_CHECK(send(d, 0, 0, full, VPLANE_INPUT_MAX_EVENTS),
			 "batch of 64: %s", strerror(errno));
		expect(KBD, want, VPLANE_INPUT_MAX_EVENTS + 1, "batch of 64");
	}
}

/* What only the ack-role holder may do, and only with a reader grabbing. */
static void test_access(struct vp_display *d)
{
	const struct vplane_input_event key = EV(EV_KEY, KEY_A, 1);
	struct vp_display *other = vp_display_create_from_uuid(uuid);

	refused(d, 0, 0, &key, 1, EPERM, "before TAKE_ACK_ROLE");
	VP_CHECK(vp_display_take_ack_role(d), "take role: %s", strerror(errno));
	VP_CHECK(other, "second display: %s", strerror(errno));
	if (other) {
		refused(other, 0, 0, &key, 1, EPERM, "not the role holder");
		vp_display_destroy(other);
	}
	refused(d, 0, 0, &key, 1, ENOTCONN, "nobody grabs");
	grab(true);
}

/* Press @code on @device/@head and read it on node @dev. */
static void press(struct vp_display *d, uint32_t device, uint32_t head, int dev,
		  uint16_t code)
{
	const struct vplane_input_event down[] = { EV(EV_KEY, code, 1), SYN };

	VP_CHECK(send(d, device, head, down, 2), "press %u: %s", code,
		 strerror(errno));
	expect(dev, down, 2, "press");
}

static void expect_up(int dev, uint16_t code, const char *what)
{
	const struct vplane_input_event up[] = { EV(EV_KEY, code, 0), SYN };

	expect(dev, up, 2, what);
}

static void test_release(struct vp_display **dp)
{
	struct vp_display *d = *dp;
	struct vmm_vgpu dev = VMM_VGPU_INIT;

	/* drop the role */
	press(d, 0, 0, KBD, KEY_C);
	press(d, 1, 1, PTR1, BTN_MIDDLE);
	VP_CHECK(vp_display_drop_ack_role(d), "drop: %s", strerror(errno));
	expect_up(KBD, KEY_C, "release on DROP_ACK_ROLE");
	expect_up(PTR1, BTN_MIDDLE, "release on DROP_ACK_ROLE");
	expect_none("after DROP_ACK_ROLE");

	/* close the fd (vplaned exits or crashes) */
	VP_CHECK(vp_display_take_ack_role(d), "take again: %s",
		 strerror(errno));
	press(d, 0, 0, KBD, KEY_B);
	press(d, 1, 1, PTR1, BTN_LEFT);
	vp_display_destroy(d);
	expect_up(KBD, KEY_B, "release on close");
	expect_up(PTR1, BTN_LEFT, "release on close");
	expect_none("after close");
	d = *dp = vp_display_create_from_uuid(uuid);
	VP_CHECK(d && vp_display_take_ack_role(d), "reopen: %s",
		 strerror(errno));
	if (!d)
		return;

	/* the guest turns head 0 off: its pointer's buttons come up */
	if (!vp_dev_open(&dev, uuid)) {
		VP_FAIL("vp_dev_open");
		return;
	}
	vp_head_enable(&dev, 0, 640, 480);
	vp_head_enable(&dev, 1, 640, 480);
	press(d, 1, 0, PTR0, BTN_RIGHT);
	press(d, 1, 1, PTR1, BTN_SIDE);
	vp_mmio_write(&dev, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_CTRL, 0);
	expect_up(PTR0, BTN_RIGHT, "release on head 0 off");
	expect_none("head 0 off: head 1 keeps its button");

	/* reset: everything */
	press(d, 0, 0, KBD, KEY_R);
	VP_CHECK(!ioctl(dev.device, VFIO_DEVICE_RESET), "reset: %s",
		 strerror(errno));
	expect_up(KBD, KEY_R, "release on reset");
	expect_up(PTR1, BTN_SIDE, "release on reset");
	expect_none("after reset");

	/* the VMM closes the device */
	press(d, 0, 0, KBD, KEY_D);
	vp_dev_close(&dev);
	expect_up(KBD, KEY_D, "release on VMM close");
	expect_none("after VMM close");
}

struct injector {
	struct vp_display *d;
	int sent;
	int err;
};

static void *inject_loop(void *arg)
{
	struct injector *inj = arg;
	const struct vplane_input_event ev[] = {
		EV(EV_KEY, KEY_E, 1),
		SYN,
		EV(EV_KEY, KEY_E, 0),
		SYN,
	};

	for (;;) {
		if (!send(inj->d, 0, 0, ev + (inj->sent % 2) * 2, 2)) {
			inj->err = errno;
			return NULL;
		}
		inj->sent++;
	}
}

/*
 * Reads @dev until ENODEV. Whether the release the input core sends at
 * unregistration is still read depends on the race with evdev, which
 * answers ENODEV from then on whatever is queued: not checked.
 */
static void drain_until_gone(int dev)
{
	struct input_event ev;
	int events = 0;

	for (;;) {
		struct pollfd p = { .fd = nodes[dev].fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10000) != 1) {
			VP_FAIL("%s: no ENODEV after removal",
				nodes[dev].event);
			return;
		}
		n = read(nodes[dev].fd, &ev, sizeof(ev));
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n < 0) {
			VP_CHECK(errno == ENODEV, "%s: read: %s",
				 nodes[dev].event, strerror(errno));
			break;
		}
		events++;
	}
	printf("# %s: %d events read, then ENODEV\n", nodes[dev].event, events);
}

static void test_removal(struct vp_display *d)
{
	struct injector inj = { .d = d };
	pthread_t t;
	int i;

	VP_CHECK(!pthread_create(&t, NULL, inject_loop, &inj), "thread");
	usleep(200 * 1000);
	VP_CHECK(vp_mdev_remove(uuid), "remove %s while injecting", uuid);
	pthread_join(t, NULL);
	VP_CHECK(inj.err == ENODEV, "injection ended with %s after %d calls",
		 strerror(inj.err), inj.sent);
	VP_CHECK(inj.sent > 0, "no injection before removal");
	printf("# %d injections, then %s\n", inj.sent, strerror(inj.err));
	for (i = 0; i < NR_DEVS; i++)
		drain_until_gone(i);
	for (i = 0; i < NR_DEVS; i++) {
		VP_CHECK(ioctl(nodes[i].fd, EVIOCGRAB, 0) < 0 &&
				 errno == ENODEV,
			 "%s: ioctl after removal: %s", nodes[i].event,
			 strerror(errno));
		close(nodes[i].fd);
	}
}

int main(void)
{
	struct vp_display *d;

	setvbuf(stdout, NULL, _IOLBF, 0);
	vp_log_init(VP_LOG_INFO, NULL);
	if (!vp_mdev_create("vplane", "vplane-2head", uuid)) {
		VP_FAIL("mdev create");
		return 1;
	}
	if (!find_nodes() || !open_nodes())
		return 1;
	/* the driver runs no repeat timer: a held key stays one event */
	d = vp_display_create_from_uuid(uuid);
	if (!d) {
		VP_FAIL("display: %s", strerror(errno));
		return 1;
	}
	test_access(d);
	test_keys(d);
	test_pointer(d, 0, PTR0);
	test_pointer(d, 1, PTR1);
	test_refusals(d);
	test_release(&d);
	if (d)
		test_removal(d);
	vp_display_destroy(d);
	if (vp_failures) {
		printf("FAIL: %d checks failed\n", vp_failures);
		return 1;
	}
	printf("PASS: driver-input\n");
	return 0;
}
