// SPDX-License-Identifier: MIT
/*
 * The input core (server/input.c) against a fake vGPU whose input op
 * checks every batch the way VPLANE_DISPLAY_INPUT does (driver/ABI.md:
 * count, declared codes, ranges, SYN_REPORT last) and keeps the devices'
 * key state, as the input core of the kernel would: so "nothing stuck"
 * is read off the device, not off the core. The VM tests drive the real
 * driver; this covers what the VM cannot make happen on demand: the
 * pixel mapping of every pixel of many widths, arbitration orders,
 * refusals, the rate limit and release on every path.
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/input-event-codes.h>
#include <vplane_display.h>

#include "../libvplane/tests/check.h"
#include "head.h"
#include "input.h"
#include "vgpu.h"

#define NR_HEADS 2

/* The fake vGPU: its heads and what its devices have down. */
struct fake {
	struct vpd_vgpu base;
	struct vpd_head heads[NR_HEADS];
	bool key_down[VPLANE_INPUT_KEY_MAX + 1];
	bool button_down[NR_HEADS][BTN_EXTRA - BTN_LEFT + 1];
	int32_t abs_x[NR_HEADS], abs_y[NR_HEADS];
	int32_t wheel[NR_HEADS], wheel_hi[NR_HEADS];
	unsigned int batches, records;
	unsigned int wheel_reports; /* reports with a REL_WHEEL */
	int fail_errno; /* the next injections fail with this, 0: work */
};

static bool batch_valid(uint32_t device, uint32_t head,
			const struct vplane_input_event *ev, uint32_t count)
{
	uint32_t i;

	if (!count || count > VPLANE_INPUT_MAX_EVENTS)
		return false;
	if (device == VPLANE_INPUT_KEYBOARD ? head != 0 : head >= NR_HEADS)
		return false;
	if (ev[count - 1].type != EV_SYN)
		return false;
	for (i = 0; i < count; i++) {
		switch (ev[i].type) {
		case EV_SYN:
			if (ev[i].code != SYN_REPORT || ev[i].value)
				return false;
			break;
		case EV_KEY:
			if (device == VPLANE_INPUT_KEYBOARD
				    ? ev[i].code < KEY_ESC ||
					      ev[i].code > VPLANE_INPUT_KEY_MAX
				    : ev[i].code < BTN_LEFT ||
					      ev[i].code > BTN_EXTRA)
				return false;
			if (ev[i].value != 0 && ev[i].value != 1)
				return false;
			break;
		case EV_ABS:
			if (device != VPLANE_INPUT_POINTER ||
			    (ev[i].code != ABS_X && ev[i].code != ABS_Y) ||
			    ev[i].value < 0 ||
			    ev[i].value > VPLANE_INPUT_ABS_MAX)
				return false;
			break;
		case EV_REL:
			if (device != VPLANE_INPUT_POINTER ||
			    ev[i].value < -VPLANE_INPUT_REL_MAX ||
			    ev[i].value > VPLANE_INPUT_REL_MAX)
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}

static void apply(struct fake *f, uint32_t device, uint32_t head,
		  const struct vplane_input_event *ev)
{
	if (ev->type == EV_KEY && device == VPLANE_INPUT_KEYBOARD)
		f->key_down[ev->code] = ev->value;
	else if (ev->type == EV_KEY)
		f->button_down[head][ev->code - BTN_LEFT] = ev->value;
	else if (ev->type == EV_ABS && ev->code == ABS_X)
		f->abs_x[head] = ev->value;
	else if (ev->type == EV_ABS)
		f->abs_y[head] = ev->value;
	else if (ev->type == EV_REL && ev->code == REL_WHEEL) {
		/* one step per report: what QEMU's input-linux passes on */
		CHECK(ev->value == 1 || ev->value == -1);
		f->wheel[head] += ev->value;
		f->wheel_reports++;
	} else if (ev->type == EV_REL && ev->code == REL_WHEEL_HI_RES)
		f->wheel_hi[head] += ev->value;
}

static bool fake_input(struct vpd_vgpu *vgpu, uint32_t device, uint32_t head,
		       const struct vplane_input_event *events, uint32_t count)
{
	struct fake *f = wl_container_of(vgpu, f, base);
	uint32_t i;

	CHECK(batch_valid(device, head, events, count));
	if (f->fail_errno) {
		errno = f->fail_errno;
		return false;
	}
	for (i = 0; i < count; i++)
		apply(f, device, head, &events[i]);
	f->batches++;
	f->records += count;
	return true;
}

static const struct vpd_vgpu_impl fake_impl = { .input = fake_input };

static struct fake *fake_create(uint32_t width, uint32_t height)
{
	struct fake *f = calloc(1, sizeof(*f));
	uint32_t h;

	f->base.impl = &fake_impl;
	snprintf(f->base.name, sizeof(f->base.name), "fake");
	f->base.heads = f->heads;
	f->base.nr_heads = NR_HEADS;
	for (h = 0; h < NR_HEADS; h++) {
		f->heads[h].vgpu = &f->base;
		f->heads[h].index = h;
		f->heads[h].width = width;
		f->heads[h].height = height;
		snprintf(f->heads[h].name, sizeof(f->heads[h].name), "fake/%u",
			 h);
		wl_signal_init(&f->heads[h].events.destroy);
	}
	return f;
}

/* What vpd_vgpu_destroy() does to the heads, then free. */
static void fake_destroy(struct fake *f)
{
	uint32_t h;

	for (h = 0; h < NR_HEADS; h++)
		wl_signal_emit(&f->heads[h].events.destroy, &f->heads[h]);
	free(f);
}

static bool nothing_down(const struct fake *f)
{
	uint32_t i, h;

	for (i = 0; i <= VPLANE_INPUT_KEY_MAX; i++)
		if (f->key_down[i])
			return false;
	for (h = 0; h < NR_HEADS; h++)
		for (i = 0; i <= BTN_EXTRA - BTN_LEFT; i++)
			if (f->button_down[h][i])
				return false;
	return true;
}

static enum vpd_input_result key(struct vpd_input_origin *o,
				 struct vpd_head *head, uint32_t code,
				 bool pressed)
{
	struct vpd_input_event ev = {
		.kind = code >= BTN_LEFT ? VPD_INPUT_BUTTON : VPD_INPUT_KEY,
		.code = code,
		.pressed = pressed,
	};

	return vpd_input_send(o, head, &ev);
}

static enum vpd_input_result motion(struct vpd_input_origin *o,
				    struct vpd_head *head, int32_t x, int32_t y)
{
	struct vpd_input_event ev = { .kind = VPD_INPUT_MOTION,
				      .x = x,
				      .y = y };

	return vpd_input_send(o, head, &ev);
}

/* Every pixel of many widths lands back on itself in the guest's
 * mapping (floor(v * size / 32768): libinput's, and QEMU's own windows'),
 * strictly increasing, within the device's range. */
static void test_mapping(void)
{
	static const uint32_t sizes[] = { 1,	2,    3,    7,	  240,	320,
					  480,	768,  1023, 1024, 1080, 1920,
					  2560, 3840, 4096, 8191, 8192 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t size = sizes[i], x, prev = 0;
		unsigned int bad = 0;

		for (x = 0; x < size; x++) {
			uint32_t v = vpd_input_abs_from_pixel(x, size);

			if (v > VPLANE_INPUT_ABS_MAX ||
			    (uint64_t)v * size / 32768 != x || (x && v <= prev))
				bad++;
			prev = v;
		}
		if (bad)
			fprintf(stderr, "size %u: %u pixels map wrong\n", size,
				bad);
		CHECK(!bad);
	}
	CHECK(vpd_input_abs_from_pixel(0, 1) == 16384);
	CHECK(vpd_input_abs_from_pixel(0, 8192) == 2);
	CHECK(vpd_input_abs_from_pixel(8191, 8192) == 32766);
	CHECK(vpd_input_abs_from_pixel(160, 320) == 16435);
}

static void test_keys_and_release(void)
{
	struct vpd_input *input = vpd_input_create(VPD_INPUT_POLICY_FIRST);
	struct fake *f = fake_create(320, 240);
	struct vpd_input_origin *o =
		vpd_input_origin_create(input, VPD_INPUT_ORIGIN_CONTROL, "a");
	struct vpd_head *h0 = &f->heads[0], *h1 = &f->heads[1];
	unsigned int batches;

	CHECK(key(o, h0, KEY_A, true) == VPD_INPUT_OK);
	CHECK(f->key_down[KEY_A]);
	CHECK(vpd_input_has_control(o, h0));
	batches = f->batches;
	/* a second press and a release of what is not held: nothing sent */
	CHECK(key(o, h0, KEY_A, true) == VPD_INPUT_OK);
	CHECK(key(o, h0, KEY_B, false) == VPD_INPUT_OK);
	CHECK(f->batches == batches);
	CHECK(key(o, h0, KEY_A, false) == VPD_INPUT_OK);
	CHECK(!f->key_down[KEY_A]);

	/* release_all: keys and buttons on both heads, control kept */
	CHECK(key(o, h0, KEY_LEFTCTRL, true) == VPD_INPUT_OK);
	CHECK(key(o, h1, BTN_RIGHT, true) == VPD_INPUT_OK);
	CHECK(key(o, h0, BTN_LEFT, true) == VPD_INPUT_OK);
	CHECK(f->button_down[1][1] && f->button_down[0][0]);
	CHECK(vpd_input_holds_any(o));
	vpd_input_release_all(o);
	CHECK(nothing_down(f));
	CHECK(!vpd_input_holds_any(o));
	/* a button alone, then a key alone, count as held */
	CHECK(key(o, h1, BTN_LEFT, true) == VPD_INPUT_OK);
	CHECK(vpd_input_holds_any(o));
	CHECK(key(o, h1, BTN_LEFT, false) == VPD_INPUT_OK);
	CHECK(!vpd_input_holds_any(o));
	CHECK(key(o, h0, VPLANE_INPUT_KEY_MAX, true) == VPD_INPUT_OK);
	CHECK(vpd_input_holds_any(o));
	CHECK(key(o, h0, VPLANE_INPUT_KEY_MAX, false) == VPD_INPUT_OK);
	CHECK(!vpd_input_holds_any(o));
	CHECK(vpd_input_has_control(o, h0) && vpd_input_has_control(o, h1));

	/* more keys than one batch holds: released in batches the ABI takes */
	for (uint32_t c = KEY_ESC; c <= VPLANE_INPUT_KEY_MAX; c++)
		CHECK(key(o, h0, c, true) == VPD_INPUT_OK);
	vpd_input_origin_destroy(o); /* the disconnect */
	CHECK(nothing_down(f));

	/* the head goes with a key held: released, and the origin outlives
	 * it without touching it again */
	o = vpd_input_origin_create(input, VPD_INPUT_ORIGIN_VIEWER, "b");
	CHECK(key(o, h1, KEY_Z, true) == VPD_INPUT_OK);
	CHECK(key(o, h1, BTN_MIDDLE, true) == VPD_INPUT_OK);
	fake_destroy(f);
	f = fake_create(320, 240);
	CHECK(key(o, &f->heads[0], KEY_Q, true) == VPD_INPUT_OK);
	vpd_input_origin_destroy(o);
	CHECK(nothing_down(f));
	fake_destroy(f);
	vpd_input_destroy(input);
}

struct lost_watch {
	struct wl_listener listener;
	struct vpd_head *head; /* the head control_lost named */
};

static void handle_lost(struct wl_listener *listener, void *data)
{
	struct lost_watch *watch = wl_container_of(listener, watch, listener);

	watch->head = data;
}

static void test_arbitration(enum vpd_input_policy policy)
{
	struct vpd_input *input = vpd_input_create(policy);
	struct fake *f = fake_create(1024, 768);
	struct vpd_input_origin *a =
		vpd_input_origin_create(input, VPD_INPUT_ORIGIN_VIEWER, "a");
	struct vpd_input_origin *b =
		vpd_input_origin_create(input, VPD_INPUT_ORIGIN_VNC, "b");
	struct vpd_head *h0 = &f->heads[0];
	struct lost_watch lost = { .listener.notify = handle_lost };
	unsigned int batches;

	wl_signal_add(&a->events.control_lost, &lost.listener);
	CHECK(key(a, h0, KEY_A, true) == VPD_INPUT_OK);
	batches = f->batches;
	/* b may not send while a controls, under either policy */
	CHECK(key(b, h0, KEY_B, true) == VPD_INPUT_NOT_CONTROLLER);
	CHECK(motion(b, h0, 1, 1) == VPD_INPUT_NOT_CONTROLLER);
	CHECK(f->batches == batches);
	/* the other head is free */
	CHECK(key(b, &f->heads[1], BTN_LEFT, true) == VPD_INPUT_OK);
	CHECK(key(b, &f->heads[1], BTN_LEFT, false) == VPD_INPUT_OK);

	if (policy == VPD_INPUT_POLICY_FIRST) {
		CHECK(vpd_input_take_control(b, h0) ==
		      VPD_INPUT_NOT_CONTROLLER);
		CHECK(f->key_down[KEY_A] && !lost.head);
		/* a leaves: its key goes up, b may take the head */
		vpd_input_drop_control(a, h0);
		CHECK(!f->key_down[KEY_A]);
		CHECK(key(b, h0, KEY_B, true) == VPD_INPUT_OK);
		CHECK(key(a, h0, KEY_A, true) == VPD_INPUT_NOT_CONTROLLER);
	} else {
		CHECK(vpd_input_take_control(b, h0) == VPD_INPUT_OK);
		CHECK(!f->key_down[KEY_A] && lost.head == h0);
		CHECK(!vpd_input_has_control(a, h0));
		CHECK(vpd_input_has_control(b, h0));
		CHECK(key(a, h0, KEY_A, true) == VPD_INPUT_NOT_CONTROLLER);
		CHECK(key(b, h0, KEY_B, true) == VPD_INPUT_OK);
		/* a takes it back: b's key goes up */
		CHECK(vpd_input_take_control(a, h0) == VPD_INPUT_OK);
		CHECK(!f->key_down[KEY_B]);
		CHECK(key(a, h0, KEY_B, true) == VPD_INPUT_OK);
	}
	wl_list_remove(&lost.listener.link);
	vpd_input_origin_destroy(a);
	vpd_input_origin_destroy(b);
	CHECK(nothing_down(f));
	fake_destroy(f);
	vpd_input_destroy(input);
}

static void test_refusals(void)
{
	struct vpd_input *input = vpd_input_create(VPD_INPUT_POLICY_FIRST);
	struct fake *f = fake_create(320, 240);
	struct vpd_input_origin *o =
		vpd_input_origin_create(input, VPD_INPUT_ORIGIN_VIEWER, "x");
	struct vpd_head *h0 = &f->heads[0];
	struct vpd_input_event ev = { .kind = VPD_INPUT_KEY };
	unsigned int batches, records;

	CHECK(key(o, h0, 0, true) == VPD_INPUT_INVALID);
	CHECK(key(o, h0, VPLANE_INPUT_KEY_MAX + 1, true) == VPD_INPUT_INVALID);
	ev.code = BTN_LEFT; /* a button as a key */
	CHECK(vpd_input_send(o, h0, &ev) == VPD_INPUT_INVALID);
	ev = (struct vpd_input_event){ .kind = VPD_INPUT_BUTTON,
				       .code = KEY_A };
	CHECK(vpd_input_send(o, h0, &ev) == VPD_INPUT_INVALID);
	ev.code = BTN_EXTRA + 1;
	CHECK(vpd_input_send(o, h0, &ev) == VPD_INPUT_INVALID);
	ev = (struct vpd_input_event){ .kind = 99 };
	CHECK(vpd_input_send(o, h0, &ev) == VPD_INPUT_INVALID);
	CHECK(motion(o, h0, 320, 0) == VPD_INPUT_INVALID);
	CHECK(motion(o, h0, 0, 240) == VPD_INPUT_INVALID);
	CHECK(motion(o, h0, -1, 0) == VPD_INPUT_INVALID);
	CHECK(motion(o, h0, INT32_MIN, INT32_MAX) == VPD_INPUT_INVALID);
	ev = (struct vpd_input_event){ .kind = VPD_INPUT_WHEEL,
				       .wheel_v = VPLANE_INPUT_REL_MAX + 1 };
	CHECK(vpd_input_send(o, h0, &ev) == VPD_INPUT_INVALID);
	CHECK(f->batches == 0);

	/* exact corners */
	CHECK(motion(o, h0, 319, 239) == VPD_INPUT_OK);
	CHECK(f->abs_x[0] == (int32_t)vpd_input_abs_from_pixel(319, 320));
	CHECK(f->abs_y[0] == (int32_t)vpd_input_abs_from_pixel(239, 240));
	CHECK(motion(o, h0, 0, 0) == VPD_INPUT_OK);
	CHECK(f->abs_x[0] == 51 && f->abs_y[0] == 68);

	/* wheel: hi-res always, a detent once 120ths add up to one */
	ev = (struct vpd_input_event){ .kind = VPD_INPUT_WHEEL, .wheel_v = 60 };
	CHECK(vpd_input_send(o, h0, &ev) == VPD_INPUT_OK);
	CHECK(f->wheel_hi[0] == 60 && f->wheel[0] == 0);
	CHECK(vpd_input_send(o, h0, &ev) == VPD_INPUT_OK);
	CHECK(f->wheel_hi[0] == 120 && f->wheel[0] == 1);
	ev.wheel_v = -360;
	CHECK(vpd_input_send(o, h0, &ev) == VPD_INPUT_OK);
	CHECK(f->wheel[0] == -2 && f->wheel_reports == 4);
	/* the largest turn: 273 detents, one report each, in full batches */
	f->wheel[0] = 0;
	f->wheel_reports = 0;
	batches = f->batches;
	records = f->records;
	ev.wheel_v = VPLANE_INPUT_REL_MAX;
	CHECK(vpd_input_send(o, h0, &ev) == VPD_INPUT_OK);
	CHECK(f->wheel[0] == VPLANE_INPUT_REL_MAX / 120);
	CHECK(f->wheel_reports == VPLANE_INPUT_REL_MAX / 120);
	/* the hi-res value, then REL_WHEEL and SYN_REPORT per detent, in
	 * batches of at most 64 records that end on a report */
	CHECK(f->records - records == 1 + 2 * (VPLANE_INPUT_REL_MAX / 120));
	CHECK(f->batches - batches <= (f->records - records + 61) / 62);

	/* a head that is off, or gone, has nothing to point at */
	h0->width = h0->height = 0;
	CHECK(motion(o, h0, 0, 0) == VPD_INPUT_NO_HEAD);
	h0->width = 320, h0->height = 240;

	/* no VMM attached: refused, and the key is not counted as down */
	batches = f->batches;
	f->fail_errno = ENOTCONN;
	CHECK(key(o, h0, KEY_A, true) == VPD_INPUT_NOT_ATTACHED);
	CHECK(f->base.input_unattached);
	f->fail_errno = EIO; /* any other error */
	CHECK(key(o, h0, KEY_A, true) == VPD_INPUT_FAILED);
	f->fail_errno = 0;
	CHECK(key(o, h0, KEY_A, false) == VPD_INPUT_OK);
	CHECK(f->batches == batches); /* the release of an unsent press */
	CHECK(key(o, h0, KEY_A, true) == VPD_INPUT_OK);
	CHECK(!f->base.input_unattached);
	/* a kind without input devices (upstream) */
	f->fail_errno = EOPNOTSUPP;
	CHECK(key(o, h0, KEY_B, true) == VPD_INPUT_UNSUPPORTED);
	f->fail_errno = 0;

	/* a vGPU that went away (closed): nothing is sent */
	f->base.closed = true;
	CHECK(key(o, h0, KEY_C, true) == VPD_INPUT_NO_HEAD);
	CHECK(vpd_input_take_control(o, &f->heads[1]) == VPD_INPUT_NO_HEAD);
	f->base.closed = false;

	vpd_input_origin_destroy(o);
	CHECK(nothing_down(f));
	fake_destroy(f);
	vpd_input_destroy(input);
}

/* A flood is cut at the burst; a release still goes through. */
static void test_rate_limit(void)
{
	struct vpd_input *input = vpd_input_create(VPD_INPUT_POLICY_FIRST);
	struct fake *f = fake_create(320, 240);
	struct vpd_input_origin *o = vpd_input_origin_create(
		input, VPD_INPUT_ORIGIN_VIEWER, "flood");
	struct vpd_input_origin *other =
		vpd_input_origin_create(input, VPD_INPUT_ORIGIN_VIEWER, "calm");
	unsigned int ok = 0, limited = 0, i;

	CHECK(key(o, &f->heads[0], KEY_A, true) == VPD_INPUT_OK);
	for (i = 0; i < 3 * VPD_INPUT_RATE_BURST; i++) {
		enum vpd_input_result r = motion(o, &f->heads[0], i % 320, 0);

		ok += r == VPD_INPUT_OK;
		limited += r == VPD_INPUT_RATE_LIMITED;
	}
	fprintf(stderr, "flood of %u: %u sent, %u refused\n",
		3 * VPD_INPUT_RATE_BURST, ok, limited);
	CHECK(ok + limited == 3 * VPD_INPUT_RATE_BURST);
	CHECK(ok >= VPD_INPUT_RATE_BURST - 1);
	CHECK(limited >= VPD_INPUT_RATE_BURST / 2);
	CHECK(key(o, &f->heads[0], KEY_A, false) == VPD_INPUT_OK);
	CHECK(!f->key_down[KEY_A]);
	/* the budget is per origin */
	CHECK(key(other, &f->heads[1], KEY_B, true) == VPD_INPUT_OK);
	vpd_input_origin_destroy(other);
	vpd_input_origin_destroy(o);
	CHECK(nothing_down(f));
	fake_destroy(f);
	vpd_input_destroy(input);
}

int main(void)
{
	enum vpd_input_policy policy;

	test_mapping();
	test_keys_and_release();
	test_arbitration(VPD_INPUT_POLICY_FIRST);
	test_arbitration(VPD_INPUT_POLICY_LAST);
	test_refusals();
	test_rate_limit();
	CHECK(vpd_input_policy_parse("last", &policy) &&
	      policy == VPD_INPUT_POLICY_LAST);
	CHECK(vpd_input_policy_parse("first", &policy) &&
	      policy == VPD_INPUT_POLICY_FIRST);
	CHECK(!vpd_input_policy_parse("newest", &policy));
	return check_result("test-input");
}
