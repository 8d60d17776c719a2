// SPDX-License-Identifier: MIT
/* The input core (input.h): checks, control, held state, release. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/input-event-codes.h>
#include <vplane_display.h>

#include "head.h"
#include "input.h"
#include "log_sink.h"
#include "monotonic.h"
#include "vgpu.h"

#define NR_BUTTONS	 (BTN_EXTRA - BTN_LEFT + 1)
#define KEY_WORDS	 ((VPLANE_INPUT_KEY_MAX + 64) / 64)
#define RATE_INTERVAL_NS (1000000000ull / VPD_INPUT_RATE_PER_SECOND)
#define WHEEL_DETENT	 120

struct vpd_input {
	enum vpd_input_policy policy;
	struct wl_list origins; /* vpd_input_origin.link */
};

/* What one origin has to do with one head: its control, what it holds
 * down there. Made on first use, freed with the origin or the head. */
struct hold {
	struct vpd_input_origin *origin;
	struct vpd_head *head;
	bool control;
	uint64_t keys[KEY_WORDS]; /* down on the vGPU's keyboard, by code */
	uint8_t buttons;	  /* down on the head's pointer, bit 0 LEFT */
	/* hi-res wheel steps not yet a whole detent (REL_WHEEL) */
	int32_t wheel_rest_v, wheel_rest_h;
	struct wl_listener head_destroy;
	struct wl_list link; /* vpd_input_origin.holds */
};

/* Codes are checked before they get here (event_valid()); the bound
 * keeps the index in the array for the compiler and any future caller. */
static bool key_is_down(const struct hold *hold, uint32_t code)
{
	if (code > VPLANE_INPUT_KEY_MAX)
		return false;
	return hold->keys[code / 64] & (1ull << (code % 64));
}

static void key_set(struct hold *hold, uint32_t code, bool down)
{
	if (code > VPLANE_INPUT_KEY_MAX)
		return;
	if (down)
		hold->keys[code / 64] |= 1ull << (code % 64);
	else
		hold->keys[code / 64] &= ~(1ull << (code % 64));
}

uint32_t vpd_input_abs_from_pixel(uint32_t pixel, uint32_t size)
{
	uint64_t range = (uint64_t)VPLANE_INPUT_ABS_MAX + 1;

	if (!size)
		return 0;
	if (pixel >= size)
		pixel = size - 1;
	return (uint32_t)(((2 * (uint64_t)pixel + 1) * range) / (2 * size));
}

bool vpd_input_policy_parse(const char *text, enum vpd_input_policy *out)
{
	if (!strcmp(text, "first"))
		*out = VPD_INPUT_POLICY_FIRST;
	else if (!strcmp(text, "last"))
		*out = VPD_INPUT_POLICY_LAST;
	else
		return false;
	return true;
}

const char *vpd_input_result_str(enum vpd_input_result result)
{
	switch (result) {
	case VPD_INPUT_OK:
		return "ok";
	case VPD_INPUT_NOT_CONTROLLER:
		return "another origin controls the head";
	case VPD_INPUT_INVALID:
		return "invalid event";
	case VPD_INPUT_NO_HEAD:
		return "the head is off or gone";
	case VPD_INPUT_RATE_LIMITED:
		return "rate limited";
	case VPD_INPUT_UNSUPPORTED:
		return "the vGPU has no input devices";
	case VPD_INPUT_NOT_ATTACHED:
		return "no VMM holds the vGPU's input devices";
	case VPD_INPUT_FAILED:
		break;
	}
	return "the device refused it";
}

/* The one place records reach a vGPU: impl->input with the result
 * told apart for the callers. */
static enum vpd_input_result inject(struct vpd_head *head, uint32_t device,
				    const struct vplane_input_event *events,
				    uint32_t count)
{
	struct vpd_vgpu *vgpu = head->vgpu;
	uint32_t index = device == VPLANE_INPUT_KEYBOARD ? 0 : head->index;

	if (vgpu->closed || head->gone)
		return VPD_INPUT_NO_HEAD;
	if (!vgpu->impl->input) {
		errno = EOPNOTSUPP;
	} else if (vgpu->impl->input(vgpu, device, index, events, count)) {
		if (vgpu->input_unattached)
			log_info("vGPU %s: input reaches the VMM again",
				 vgpu->name);
		vgpu->input_unattached = false;
		return VPD_INPUT_OK;
	}
	if (errno == EOPNOTSUPP || errno == ENOTTY)
		return VPD_INPUT_UNSUPPORTED;
	if (errno == ENOTCONN) {
		if (!vgpu->input_unattached)
			log_error("vGPU %s: input dropped: no VMM holds its "
				  "input devices (attach them with input-linux "
				  "or virtio-input-host-pci)",
				  vgpu->name);
		vgpu->input_unattached = true;
		return VPD_INPUT_NOT_ATTACHED;
	} else {
		log_errno("vGPU %s: input to head %u", vgpu->name, head->index);
	}
	return VPD_INPUT_FAILED;
}

/* Up-events for everything @hold has down, in batches the ABI takes;
 * forgotten whether or not they got through (a closed vGPU's driver
 * released them already). */
static void release_hold(struct hold *hold)
{
	struct vplane_input_event batch[VPLANE_INPUT_MAX_EVENTS];
	uint32_t n = 0, code, b;

	for (code = 1; code <= VPLANE_INPUT_KEY_MAX; code++) {
		if (!key_is_down(hold, code))
			continue;
		batch[n++] = (struct vplane_input_event){ EV_KEY, code, 0 };
		if (n == VPLANE_INPUT_MAX_EVENTS - 1) {
			batch[n++] =
				(struct vplane_input_event){ EV_SYN, SYN_REPORT,
							     0 };
			inject(hold->head, VPLANE_INPUT_KEYBOARD, batch, n);
			n = 0;
		}
	}
	if (n) {
		batch[n++] =
			(struct vplane_input_event){ EV_SYN, SYN_REPORT, 0 };
		inject(hold->head, VPLANE_INPUT_KEYBOARD, batch, n);
		n = 0;
	}
	for (b = 0; b < NR_BUTTONS; b++)
		if (hold->buttons & (1u << b))
			batch[n++] =
				(struct vplane_input_event){ EV_KEY,
							     BTN_LEFT + b, 0 };
	if (n) {
		batch[n++] =
			(struct vplane_input_event){ EV_SYN, SYN_REPORT, 0 };
		inject(hold->head, VPLANE_INPUT_POINTER, batch, n);
	}
	memset(hold->keys, 0, sizeof(hold->keys));
	hold->buttons = 0;
	hold->wheel_rest_v = hold->wheel_rest_h = 0;
}

static void hold_destroy(struct hold *hold)
{
	release_hold(hold);
	wl_list_remove(&hold->head_destroy.link);
	wl_list_remove(&hold->link);
	free(hold);
}

/* The head goes (its vGPU is destroyed; the device is still open):
 * release there and forget it. */
static void handle_head_destroy(struct wl_listener *listener, void *data)
{
	struct hold *hold = wl_container_of(listener, hold, head_destroy);

	(void)data;
	hold_destroy(hold);
}

static struct hold *find_hold(const struct vpd_input_origin *origin,
			      const struct vpd_head *head)
{
	struct hold *hold;

	wl_list_for_each(hold, &origin->holds, link)
		if (hold->head == head)
			return hold;
	return NULL;
}

static struct hold *get_hold(struct vpd_input_origin *origin,
			     struct vpd_head *head)
{
	struct hold *hold = find_hold(origin, head);

	if (hold)
		return hold;
	hold = calloc(1, sizeof(*hold));
	if (!hold) {
		log_errno("calloc");
		return NULL;
	}
	hold->origin = origin;
	hold->head = head;
	hold->head_destroy.notify = handle_head_destroy;
	wl_signal_add(&head->events.destroy, &hold->head_destroy);
	wl_list_insert(&origin->holds, &hold->link);
	return hold;
}

/* The hold of whoever controls @head, or NULL. */
static struct hold *controller_of(struct vpd_input *input,
				  const struct vpd_head *head)
{
	struct vpd_input_origin *origin;
	struct hold *hold;

	wl_list_for_each(origin, &input->origins, link) {
		hold = find_hold(origin, head);
		if (hold && hold->control)
			return hold;
	}
	return NULL;
}

struct vpd_input *vpd_input_create(enum vpd_input_policy policy)
{
	struct vpd_input *input = calloc(1, sizeof(*input));

	if (!input) {
		log_errno("calloc");
		return NULL;
	}
	input->policy = policy;
	wl_list_init(&input->origins);
	return input;
}

void vpd_input_destroy(struct vpd_input *input)
{
	if (!input)
		return;
	assert(wl_list_empty(&input->origins));
	free(input);
}

struct vpd_input_origin *
vpd_input_origin_create(struct vpd_input *input,
			enum vpd_input_origin_kind kind, const char *name)
{
	struct vpd_input_origin *origin = calloc(1, sizeof(*origin));

	if (!origin) {
		log_errno("calloc");
		return NULL;
	}
	origin->kind = kind;
	snprintf(origin->name, sizeof(origin->name), "%s", name);
	wl_signal_init(&origin->events.control_lost);
	wl_signal_init(&origin->events.destroy);
	origin->input = input;
	wl_list_init(&origin->holds);
	wl_list_insert(input->origins.prev, &origin->link);
	return origin;
}

void vpd_input_origin_destroy(struct vpd_input_origin *origin)
{
	struct hold *hold, *tmp;

	if (!origin)
		return;
	wl_list_for_each_safe(hold, tmp, &origin->holds, link)
		hold_destroy(hold);
	wl_signal_emit(&origin->events.destroy, origin);
	wl_list_remove(&origin->link);
	free(origin);
}

void vpd_input_release_all(struct vpd_input_origin *origin)
{
	struct hold *hold;

	wl_list_for_each(hold, &origin->holds, link)
		release_hold(hold);
}

bool vpd_input_holds_any(const struct vpd_input_origin *origin)
{
	const struct hold *hold;
	size_t i;

	wl_list_for_each(hold, &origin->holds, link) {
		if (hold->buttons)
			return true;
		for (i = 0; i < KEY_WORDS; i++)
			if (hold->keys[i])
				return true;
	}
	return false;
}

bool vpd_input_has_control(const struct vpd_input_origin *origin,
			   const struct vpd_head *head)
{
	const struct hold *hold = find_hold(origin, head);

	return hold && hold->control;
}

void vpd_input_drop_control(struct vpd_input_origin *origin,
			    struct vpd_head *head)
{
	struct hold *hold = find_hold(origin, head);

	if (hold)
		hold_destroy(hold);
}

enum vpd_input_result vpd_input_take_control(struct vpd_input_origin *origin,
					     struct vpd_head *head)
{
	struct hold *current, *hold;

	if (head->gone || head->vgpu->closed)
		return VPD_INPUT_NO_HEAD;
	current = controller_of(origin->input, head);
	if (current && current->origin == origin)
		return VPD_INPUT_OK;
	if (current && origin->input->policy == VPD_INPUT_POLICY_FIRST)
		return VPD_INPUT_NOT_CONTROLLER;
	hold = get_hold(origin, head);
	if (!hold)
		return VPD_INPUT_FAILED;
	if (current) {
		struct vpd_input_origin *loser = current->origin;

		log_info("head %s: %s takes input control from %s", head->name,
			 origin->name, loser->name);
		hold_destroy(current);
		wl_signal_emit(&loser->events.control_lost, head);
	} else {
		log_debug("head %s: %s has input control", head->name,
			  origin->name);
	}
	hold->control = true;
	return VPD_INPUT_OK;
}

/* Generic cell rate: the budget is a theoretical arrival time that each
 * event pushes one interval on; more than a burst ahead of now refuses. */
static bool within_budget(struct vpd_input_origin *origin)
{
	uint64_t now = monotonic_ns();
	uint64_t limit = (uint64_t)VPD_INPUT_RATE_BURST * RATE_INTERVAL_NS;

	if (origin->budget_ns < now)
		origin->budget_ns = now;
	if (origin->budget_ns + RATE_INTERVAL_NS - now > limit) {
		if (!origin->limited)
			log_error("%s: input over %u events/s, refusing the "
				  "rest of this burst",
				  origin->name, VPD_INPUT_RATE_PER_SECOND);
		origin->limited = true;
		return false;
	}
	origin->budget_ns += RATE_INTERVAL_NS;
	origin->limited = false;
	return true;
}

static bool event_valid(const struct vpd_input_event *event)
{
	switch (event->kind) {
	case VPD_INPUT_KEY:
		return event->code >= KEY_ESC &&
		       event->code <= VPLANE_INPUT_KEY_MAX;
	case VPD_INPUT_BUTTON:
		return event->code >= BTN_LEFT && event->code <= BTN_EXTRA;
	case VPD_INPUT_MOTION:
		return true; /* against the mode, in send_motion() */
	case VPD_INPUT_WHEEL:
		return event->wheel_v >= -VPLANE_INPUT_REL_MAX &&
		       event->wheel_v <= VPLANE_INPUT_REL_MAX &&
		       event->wheel_h >= -VPLANE_INPUT_REL_MAX &&
		       event->wheel_h <= VPLANE_INPUT_REL_MAX;
	}
	return false;
}

static enum vpd_input_result send_key(struct hold *hold,
				      const struct vpd_input_event *event)
{
	bool button = event->kind == VPD_INPUT_BUTTON;
	/* a button's bit in hold->buttons; keys have none (their codes are
	 * below BTN_LEFT, and shifting by the difference is undefined) */
	uint32_t bit = button ? 1u << (event->code - BTN_LEFT) : 0;
	bool down =
		button ? hold->buttons & bit : key_is_down(hold, event->code);
	struct vplane_input_event records[] = {
		{ EV_KEY, event->code, event->pressed },
		{ EV_SYN, SYN_REPORT, 0 },
	};
	enum vpd_input_result result;

	if (down == event->pressed)
		return VPD_INPUT_OK; /* nothing changes: never another's key */
	result = inject(hold->head,
			button ? VPLANE_INPUT_POINTER : VPLANE_INPUT_KEYBOARD,
			records, 2);
	if (result != VPD_INPUT_OK)
		return result;
	if (!button)
		key_set(hold, event->code, event->pressed);
	else if (event->pressed)
		hold->buttons |= bit;
	else
		hold->buttons &= ~bit;
	return VPD_INPUT_OK;
}

static enum vpd_input_result send_motion(struct hold *hold,
					 const struct vpd_input_event *event)
{
	const struct vpd_head *head = hold->head;
	struct vplane_input_event records[3];

	if (!head->width || !head->height)
		return VPD_INPUT_NO_HEAD;
	if (event->x < 0 || event->y < 0 || (uint32_t)event->x >= head->width ||
	    (uint32_t)event->y >= head->height) {
		log_debug("%s: position %d,%d outside head %s (%ux%u)",
			  hold->origin->name, event->x, event->y, head->name,
			  head->width, head->height);
		return VPD_INPUT_INVALID;
	}
	records[0] = (struct vplane_input_event){
		EV_ABS, ABS_X,
		(int32_t)vpd_input_abs_from_pixel(event->x, head->width)
	};
	records[1] = (struct vplane_input_event){
		EV_ABS, ABS_Y,
		(int32_t)vpd_input_abs_from_pixel(event->y, head->height)
	};
	records[2] = (struct vplane_input_event){ EV_SYN, SYN_REPORT, 0 };
	return inject(hold->head, VPLANE_INPUT_POINTER, records, 3);
}

/* Whole detents out of @rest (120ths), keeping what is left over. */
static int32_t take_detents(int32_t *rest)
{
	int32_t detents = *rest / WHEEL_DETENT;

	*rest -= detents * WHEEL_DETENT;
	return detents;
}

static int32_t sign_of(int32_t v)
{
	return v < 0 ? -1 : 1;
}

/*
 * The hi-res 120ths as they come, in the first report, and one report per
 * whole detent: QEMU's input-linux turns each report that has a REL_WHEEL
 * into one wheel step, whatever its value (QEMU 7.2, ui/input-linux.c),
 * so "-2" in one report would scroll the guest once. Reports go in as few
 * batches as VPLANE_INPUT_MAX_EVENTS allows (a report is at most five
 * records, the first; the others three).
 */
static enum vpd_input_result send_wheel(struct hold *hold,
					const struct vpd_input_event *event)
{
	struct vplane_input_event records[VPLANE_INPUT_MAX_EVENTS];
	int32_t rest_v = hold->wheel_rest_v + event->wheel_v;
	int32_t rest_h = hold->wheel_rest_h + event->wheel_h;
	int32_t detents_v = take_detents(&rest_v);
	int32_t detents_h = take_detents(&rest_h);
	enum vpd_input_result result;
	uint32_t n = 0;

	if (event->wheel_v)
		records[n++] =
			(struct vplane_input_event){ EV_REL, REL_WHEEL_HI_RES,
						     event->wheel_v };
	if (event->wheel_h)
		records[n++] =
			(struct vplane_input_event){ EV_REL, REL_HWHEEL_HI_RES,
						     event->wheel_h };
	if (!n && !detents_v && !detents_h)
		return VPD_INPUT_OK;
	do {
		if (detents_v) {
			records[n++] = (struct vplane_input_event){
				EV_REL, REL_WHEEL, sign_of(detents_v)
			};
			detents_v -= sign_of(detents_v);
		}
		if (detents_h) {
			records[n++] = (struct vplane_input_event){
				EV_REL, REL_HWHEEL, sign_of(detents_h)
			};
			detents_h -= sign_of(detents_h);
		}
		records[n++] =
			(struct vplane_input_event){ EV_SYN, SYN_REPORT, 0 };
		if (n + 3 > VPLANE_INPUT_MAX_EVENTS ||
		    (!detents_v && !detents_h)) {
			result = inject(hold->head, VPLANE_INPUT_POINTER,
					records, n);
			if (result != VPD_INPUT_OK)
				return result;
			n = 0;
		}
	} while (detents_v || detents_h);
	hold->wheel_rest_v = rest_v;
	hold->wheel_rest_h = rest_h;
	return VPD_INPUT_OK;
}

enum vpd_input_result vpd_input_send(struct vpd_input_origin *origin,
				     struct vpd_head *head,
				     const struct vpd_input_event *event)
{
	struct hold *controller, *hold;

	if (!event_valid(event)) {
		log_debug("%s: invalid input event (kind %d code %u) for %s",
			  origin->name, (int)event->kind, event->code,
			  head->name);
		return VPD_INPUT_INVALID;
	}
	if (head->gone || head->vgpu->closed)
		return VPD_INPUT_NO_HEAD;
	controller = controller_of(origin->input, head);
	if (controller && controller->origin != origin)
		return VPD_INPUT_NOT_CONTROLLER;
	/* a release is never refused for the rate: nothing stays down */
	if (!(event->kind <= VPD_INPUT_BUTTON && !event->pressed) &&
	    !within_budget(origin))
		return VPD_INPUT_RATE_LIMITED;
	if (!controller && vpd_input_take_control(origin, head) != VPD_INPUT_OK)
		return VPD_INPUT_FAILED;
	hold = find_hold(origin, head);
	switch (event->kind) {
	case VPD_INPUT_KEY:
	case VPD_INPUT_BUTTON:
		return send_key(hold, event);
	case VPD_INPUT_MOTION:
		return send_motion(hold, event);
	case VPD_INPUT_WHEEL:
		return send_wheel(hold, event);
	}
	return VPD_INPUT_INVALID;
}
