// SPDX-License-Identifier: MIT
#include <stdlib.h>

#include <linux/input-event-codes.h>
#include <wlr/backend.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_touch.h>
#include <wlr/util/box.h>
#include <xkbcommon/xkbcommon.h>

#include "log_sink.h"
#include "control.h"
#include "head.h"
#include "input.h"
#include "layout.h"
#include "output.h"
#include "seat.h"
#include "seat_combo.h"
#include "server.h"

struct vpd_seat {
	struct vpd_server *server;
	struct vpd_input_origin *origin; /* owned */
	struct wlr_seat *wlr_seat;
	struct wlr_cursor *cursor;
	struct xkb_context *xkb;

	/* where keys, buttons, motion and wheel go; NULL: nowhere */
	struct vpd_head *focus;
	/* after the release combination: nothing forwarded until a click */
	bool suspended;
	/* the combination key swallowed: its release is swallowed too */
	uint32_t swallowed_key; /* 0: none */

	struct wl_list keyboards; /* keyboard.link */
	struct wl_list pointers;  /* pointer.link */

	bool listening; /* the listeners below are added */
	struct wl_listener new_input;
	struct wl_listener layout_change;
	struct wl_listener focus_destroy;
	struct wl_listener focus_state;
	struct wl_listener cursor_motion;
	struct wl_listener cursor_motion_absolute;
	struct wl_listener cursor_button;
	struct wl_listener cursor_axis;
	struct wl_listener touch_down;
	struct wl_listener touch_motion;
	struct wl_listener touch_up;
	struct wl_listener touch_cancel;

	/* the touch point that acts as the pointer (the first finger
	 * down); the others are ignored. Valid while touching. */
	bool touching;
	int32_t touch_id;
};

struct keyboard {
	struct vpd_seat *seat;
	struct wlr_input_device *device;
	struct wl_listener key;
	struct wl_listener destroy;
	struct wl_list link; /* vpd_seat.keyboards */
};

struct pointer {
	struct vpd_seat *seat;
	struct wlr_input_device *device;
	struct wl_listener destroy;
	struct wl_list link; /* vpd_seat.pointers */
};

/* Send @event to the focused head; refusals the core logs already. */
static void forward(struct vpd_seat *seat, const struct vpd_input_event *event)
{
	enum vpd_input_result result;

	if (!seat->focus || seat->suspended)
		return;
	result = vpd_input_send(seat->origin, seat->focus, event);
	if (result != VPD_INPUT_OK)
		log_debug("seat: %s to %s: %s",
			  event->kind == VPD_INPUT_KEY ? "key" : "pointer",
			  seat->focus->name, vpd_input_result_str(result));
}

/* Focus on @head (may be NULL); what the seat held is released first. */
static void set_focus(struct vpd_seat *seat, struct vpd_head *head)
{
	if (seat->focus == head)
		return;
	vpd_input_release_all(seat->origin);
	wl_list_remove(&seat->focus_destroy.link);
	wl_list_init(&seat->focus_destroy.link);
	wl_list_remove(&seat->focus_state.link);
	wl_list_init(&seat->focus_state.link);
	seat->focus = head;
	if (head) {
		wl_signal_add(&head->events.destroy, &seat->focus_destroy);
		wl_signal_add(&head->events.state, &seat->focus_state);
		/* a click on a head another source controls is this
		 * person's: ask (the core's policy decides) */
		vpd_input_take_control(seat->origin, head);
	}
	log_info("seat: focus on %s", head ? head->name : "no head");
}

/*
 * The head under layout point @lx, @ly and its pixel there (@x, @y,
 * clamped to the head), or NULL over a black output, a letterbox bar or
 * nothing. The output's pixel is the layout offset times its scale; the
 * head's pixel is that pixel's place in the box the output draws it in.
 */
static struct vpd_head *head_at(struct vpd_seat *seat, double lx, double ly,
				int32_t *x, int32_t *y)
{
	struct wlr_output_layout *layout = seat->server->layout;
	struct wlr_output *wo = wlr_output_layout_output_at(layout, lx, ly);
	struct vpd_output *output;
	struct vpd_head *head;
	struct wlr_box box;
	double ox = lx, oy = ly, px, py;

	if (!wo)
		return NULL;
	wl_list_for_each(output, &seat->server->outputs, link) {
		if (output->wlr_output == wo)
			break;
	}
	if (&output->link == &seat->server->outputs)
		return NULL;
	head = output->head;
	if (!head || head->gone || !head->width || !head->height ||
	    !vpd_output_head_box(output, &box))
		return NULL;
	wlr_output_layout_output_coords(layout, wo, &ox, &oy);
	px = ox * wo->scale - box.x;
	py = oy * wo->scale - box.y;
	if (px < 0 || py < 0 || px >= box.width || py >= box.height)
		return NULL;
	/* non-negative here: truncation is the floor */
	*x = (int32_t)(px * head->width / box.width);
	*y = (int32_t)(py * head->height / box.height);
	if (*x >= (int32_t)head->width)
		*x = (int32_t)head->width - 1;
	if (*y >= (int32_t)head->height)
		*y = (int32_t)head->height - 1;
	return head;
}

/* The pointer moved (or the layout under it changed): follow it. */
static void pointer_moved(struct vpd_seat *seat)
{
	struct vpd_input_event motion = { .kind = VPD_INPUT_MOTION };
	struct vpd_head *head = head_at(seat, seat->cursor->x, seat->cursor->y,
					&motion.x, &motion.y);

	if (!seat->server->config->seat_click_focus)
		set_focus(seat, head);
	if (head && head == seat->focus)
		forward(seat, &motion);
}

static void handle_cursor_motion(struct wl_listener *listener, void *data)
{
	struct vpd_seat *seat = wl_container_of(listener, seat, cursor_motion);
	struct wlr_event_pointer_motion *event = data;

	wlr_cursor_move(seat->cursor, event->device, event->delta_x,
			event->delta_y);
	pointer_moved(seat);
}

static void handle_cursor_motion_absolute(struct wl_listener *listener,
					  void *data)
{
	struct vpd_seat *seat =
		wl_container_of(listener, seat, cursor_motion_absolute);
	struct wlr_event_pointer_motion_absolute *event = data;

	wlr_cursor_warp_absolute(seat->cursor, event->device, event->x,
				 event->y);
	pointer_moved(seat);
}

/* A button (@code, evdev) went down or up where the pointer is. */
static void press_button(struct vpd_seat *seat, uint32_t code, bool pressed)
{
	struct vpd_input_event button = {
		.kind = VPD_INPUT_BUTTON,
		.code = code,
		.pressed = pressed,
	};
	struct vpd_input_event motion = { .kind = VPD_INPUT_MOTION };
	struct vpd_head *head;

	if (!button.pressed) {
		forward(seat, &button);
		return;
	}
	/* a click ends a release and (click focus) moves the focus */
	head = head_at(seat, seat->cursor->x, seat->cursor->y, &motion.x,
		       &motion.y);
	if (seat->suspended)
		log_info("seat: forwarding again after a click");
	seat->suspended = false;
	if (seat->server->config->seat_click_focus && head)
		set_focus(seat, head);
	if (head && head == seat->focus)
		forward(seat, &motion);
	forward(seat, &button);
}

static void handle_cursor_button(struct wl_listener *listener, void *data)
{
	struct vpd_seat *seat = wl_container_of(listener, seat, cursor_button);
	struct wlr_event_pointer_button *event = data;

	press_button(seat, event->button, event->state == WLR_BUTTON_PRESSED);
}

/*
 * A touchscreen is an absolute pointer with one button: the first finger
 * down moves the pointer there and presses BTN_LEFT, its motion moves the
 * pointer, lifting it releases the button. What a VM's head pointer can
 * say (driver/ABI.md: absolute, no multi-touch) is one point.
 */
static void handle_touch_down(struct wl_listener *listener, void *data)
{
	struct vpd_seat *seat = wl_container_of(listener, seat, touch_down);
	struct wlr_event_touch_down *event = data;

	if (seat->touching)
		return;
	seat->touching = true;
	seat->touch_id = event->touch_id;
	wlr_cursor_warp_absolute(seat->cursor, event->device, event->x,
				 event->y);
	pointer_moved(seat);
	press_button(seat, BTN_LEFT, true);
}

static void handle_touch_motion(struct wl_listener *listener, void *data)
{
	struct vpd_seat *seat = wl_container_of(listener, seat, touch_motion);
	struct wlr_event_touch_motion *event = data;

	if (!seat->touching || event->touch_id != seat->touch_id)
		return;
	wlr_cursor_warp_absolute(seat->cursor, event->device, event->x,
				 event->y);
	pointer_moved(seat);
}

/* The finger lifted (@touch_id) or all touches cancelled (-1). */
static void touch_ended(struct vpd_seat *seat, int32_t touch_id)
{
	if (!seat->touching || (touch_id >= 0 && touch_id != seat->touch_id))
		return;
	seat->touching = false;
	press_button(seat, BTN_LEFT, false);
}

static void handle_touch_up(struct wl_listener *listener, void *data)
{
	struct vpd_seat *seat = wl_container_of(listener, seat, touch_up);
	struct wlr_event_touch_up *event = data;

	touch_ended(seat, event->touch_id);
}

static void handle_touch_cancel(struct wl_listener *listener, void *data)
{
	struct vpd_seat *seat = wl_container_of(listener, seat, touch_cancel);

	touch_ended(seat, -1);
}

static void handle_cursor_axis(struct wl_listener *listener, void *data)
{
	struct vpd_seat *seat = wl_container_of(listener, seat, cursor_axis);
	struct wlr_event_pointer_axis *event = data;
	struct vpd_input_event wheel = { .kind = VPD_INPUT_WHEEL };
	/* libinput: positive is down / right in 15-degree "clicks" of
	 * delta_discrete; the core: 120ths of a detent, positive up */
	int32_t steps = event->delta_discrete
				? event->delta_discrete * 120
				: (int32_t)(event->delta * 120 / 15);

	if (event->orientation == WLR_AXIS_ORIENTATION_VERTICAL)
		wheel.wheel_v = -steps;
	else
		wheel.wheel_h = steps;
	if (steps)
		forward(seat, &wheel);
}

/* What is under the pointer may have changed: an output added, moved
 * or removed, the focused head off its output, gone or in a new mode. */
static void recheck_focus(struct vpd_seat *seat)
{
	struct vpd_head *focus = seat->focus;

	/* a focused head that is no longer shown loses the focus */
	if (focus && (!focus->output || focus->gone || !focus->width))
		set_focus(seat, NULL);
	else if (!seat->server->config->seat_click_focus)
		pointer_moved(seat);
}

static void handle_layout_change(struct wl_listener *listener, void *data)
{
	struct vpd_seat *seat = wl_container_of(listener, seat, layout_change);

	recheck_focus(seat);
}

static void handle_focus_state(struct wl_listener *listener, void *data)
{
	struct vpd_seat *seat = wl_container_of(listener, seat, focus_state);

	recheck_focus(seat);
}

static void handle_focus_destroy(struct wl_listener *listener, void *data)
{
	struct vpd_seat *seat = wl_container_of(listener, seat, focus_destroy);

	/* the core released what the seat held there (input.h) */
	set_focus(seat, NULL);
}

/* "next": the output under the pointer shows the head after its own. */
static void show_next_head(struct vpd_seat *seat)
{
	struct vpd_server *server = seat->server;
	struct wlr_output *wo = wlr_output_layout_output_at(
		server->layout, seat->cursor->x, seat->cursor->y);
	struct wlr_output_layout_output *lo;
	struct vpd_head *first = NULL, *next = NULL, *shown = NULL;
	bool past = false;
	struct vpd_output *output;
	struct vpd_vgpu *vgpu;
	char msg[256];

	/* the output under the pointer, else the first */
	wl_list_for_each(output, &server->outputs, link) {
		if (output->wlr_output == wo)
			break;
	}
	if (&output->link == &server->outputs) {
		if (wl_list_empty(&server->outputs))
			return;
		output = wl_container_of(server->outputs.next, output, link);
	}
	wo = output->wlr_output;
	shown = output->head;
	/* the next head in vGPU order, wrapping; gone heads and heads
	 * another output shows are skipped */
	wl_list_for_each(vgpu, &server->vgpus, link) {
		for (uint32_t h = 0; h < vpd_vgpu_nr_heads(vgpu); h++) {
			struct vpd_head *head = vpd_vgpu_get_head(vgpu, h);

			if (head == shown) {
				past = true;
				continue;
			}
			if (head->gone ||
			    (head->output && head->output != output))
				continue;
			if (!first)
				first = head;
			if (past && !next)
				next = head;
		}
	}
	if (!next)
		next = first;
	if (!next)
		return;
	set_focus(seat, NULL);
	lo = wlr_output_layout_get(server->layout, wo);
	if (vpd_layout_attach(server, next, wo->name, lo ? lo->x : 0,
			      lo ? lo->y : 0, wo->scale, msg,
			      sizeof(msg)) != VPD_LAYOUT_OK)
		log_error("seat: cannot show %s on %s: %s", next->name,
			  wo->name, msg);
	pointer_moved(seat);
}

/* True if @event is a reserved combination (acted on here, not sent). */
static bool reserved_key(struct keyboard *keyboard,
			 const struct wlr_event_keyboard_key *event)
{
	struct vpd_seat *seat = keyboard->seat;
	const struct vpd_config *config = seat->server->config;
	struct wlr_keyboard *kb = keyboard->device->keyboard;
	const xkb_keysym_t *syms;
	uint32_t mods = wlr_keyboard_get_modifiers(kb);
	int n;

	if (event->state != WL_KEYBOARD_KEY_STATE_PRESSED) {
		if (event->keycode != seat->swallowed_key)
			return false;
		seat->swallowed_key = 0;
		return true;
	}
	/* the key's unshifted symbol (seat_combo.h) */
	n = xkb_keymap_key_get_syms_by_level(
		kb->keymap, event->keycode + 8,
		xkb_state_key_get_layout(kb->xkb_state, event->keycode + 8), 0,
		&syms);
	for (int i = 0; i < n; i++) {
		if (vpd_seat_combo_matches(&config->seat_release, mods,
					   syms[i])) {
			seat->swallowed_key = event->keycode;
			log_info("seat: release combination: nothing "
				 "forwarded until a click");
			vpd_input_release_all(seat->origin);
			seat->suspended = true;
			return true;
		}
		if (vpd_seat_combo_matches(&config->seat_next, mods, syms[i])) {
			seat->swallowed_key = event->keycode;
			log_info("seat: next-head combination");
			show_next_head(seat);
			return true;
		}
	}
	return false;
}

static void handle_keyboard_key(struct wl_listener *listener, void *data)
{
	struct keyboard *keyboard = wl_container_of(listener, keyboard, key);
	struct wlr_event_keyboard_key *event = data;
	struct vpd_input_event key = {
		.kind = VPD_INPUT_KEY,
		.code = event->keycode,
		.pressed = event->state == WL_KEYBOARD_KEY_STATE_PRESSED,
	};

	if (reserved_key(keyboard, event))
		return;
	forward(keyboard->seat, &key);
}

static void update_capabilities(struct vpd_seat *seat)
{
	uint32_t caps = 0;

	if (!wl_list_empty(&seat->keyboards))
		caps |= WL_SEAT_CAPABILITY_KEYBOARD;
	if (!wl_list_empty(&seat->pointers))
		caps |= WL_SEAT_CAPABILITY_POINTER;
	wlr_seat_set_capabilities(seat->wlr_seat, caps);
}

static void handle_keyboard_destroy(struct wl_listener *listener, void *data)
{
	struct keyboard *keyboard =
		wl_container_of(listener, keyboard, destroy);
	struct vpd_seat *seat = keyboard->seat;

	log_info("seat: keyboard %s unplugged", keyboard->device->name);
	/* whatever it held down stays down nowhere */
	vpd_input_release_all(seat->origin);
	seat->swallowed_key = 0;
	wl_list_remove(&keyboard->key.link);
	wl_list_remove(&keyboard->destroy.link);
	wl_list_remove(&keyboard->link);
	free(keyboard);
	update_capabilities(seat);
}

static void handle_pointer_destroy(struct wl_listener *listener, void *data)
{
	struct pointer *pointer = wl_container_of(listener, pointer, destroy);
	struct vpd_seat *seat = pointer->seat;

	log_info("seat: pointer %s unplugged", pointer->device->name);
	vpd_input_release_all(seat->origin);
	/* a touchscreen unplugged mid-touch: the button is released */
	seat->touching = false;
	/* wlr_cursor detaches it itself on its destroy */
	wl_list_remove(&pointer->destroy.link);
	wl_list_remove(&pointer->link);
	free(pointer);
	update_capabilities(seat);
}

static void add_keyboard(struct vpd_seat *seat, struct wlr_input_device *device)
{
	struct keyboard *keyboard = calloc(1, sizeof(*keyboard));
	struct xkb_keymap *keymap;

	if (!keyboard) {
		log_errno("calloc");
		return;
	}
	/* the keymap only tells the modifiers and the combinations' keys;
	 * what reaches a VM is the key code, whatever the layout */
	keymap = xkb_keymap_new_from_names(seat->xkb, NULL,
					   XKB_KEYMAP_COMPILE_NO_FLAGS);
	if (!keymap || !wlr_keyboard_set_keymap(device->keyboard, keymap)) {
		log_error("seat: no keymap for keyboard %s", device->name);
		xkb_keymap_unref(keymap);
		free(keyboard);
		return;
	}
	xkb_keymap_unref(keymap);
	keyboard->seat = seat;
	keyboard->device = device;
	keyboard->key.notify = handle_keyboard_key;
	wl_signal_add(&device->keyboard->events.key, &keyboard->key);
	keyboard->destroy.notify = handle_keyboard_destroy;
	wl_signal_add(&device->events.destroy, &keyboard->destroy);
	wl_list_insert(&seat->keyboards, &keyboard->link);
	wlr_seat_set_keyboard(seat->wlr_seat, device);
	log_info("seat: keyboard %s", device->name);
}

static void add_pointer(struct vpd_seat *seat, struct wlr_input_device *device)
{
	struct pointer *pointer = calloc(1, sizeof(*pointer));

	if (!pointer) {
		log_errno("calloc");
		return;
	}
	pointer->seat = seat;
	pointer->device = device;
	pointer->destroy.notify = handle_pointer_destroy;
	wl_signal_add(&device->events.destroy, &pointer->destroy);
	wl_list_insert(&seat->pointers, &pointer->link);
	wlr_cursor_attach_input_device(seat->cursor, device);
	log_info("seat: pointer %s", device->name);
}

static void handle_backend_new_input(struct wl_listener *listener, void *data)
{
	struct vpd_seat *seat = wl_container_of(listener, seat, new_input);
	struct wlr_input_device *device = data;

	switch (device->type) {
	case WLR_INPUT_DEVICE_KEYBOARD:
		add_keyboard(seat, device);
		break;
	case WLR_INPUT_DEVICE_POINTER:
	case WLR_INPUT_DEVICE_TOUCH: /* a pointer with one button */
		add_pointer(seat, device);
		break;
	default:
		log_debug("seat: %s is neither keyboard nor pointer; unused",
			  device->name);
		return;
	}
	update_capabilities(seat);
}

struct vpd_seat *vpd_seat_create(struct vpd_server *server)
{
	struct vpd_seat *seat = calloc(1, sizeof(*seat));

	if (!seat) {
		log_errno("calloc");
		return NULL;
	}
	seat->server = server;
	wl_list_init(&seat->keyboards);
	wl_list_init(&seat->pointers);
	wl_list_init(&seat->focus_destroy.link);
	wl_list_init(&seat->focus_state.link);
	seat->xkb = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	seat->origin = vpd_input_origin_create(server->input,
					       VPD_INPUT_ORIGIN_SEAT, "seat");
	seat->wlr_seat = wlr_seat_create(server->display, "seat0");
	seat->cursor = wlr_cursor_create();
	/* the public socket is for capture only (server.c): its clients
	 * have no surfaces to focus, and see no seat */
	if (!seat->xkb || !seat->origin || !seat->wlr_seat || !seat->cursor ||
	    !vpd_control_restrict_global(server->control,
					 seat->wlr_seat->global)) {
		log_error("cannot set up the seat");
		vpd_seat_destroy(seat);
		return NULL;
	}
	/* no image: the guest draws its cursor (seat.h) */
	wlr_cursor_attach_output_layout(seat->cursor, server->layout);

	seat->listening = true;
	seat->focus_destroy.notify = handle_focus_destroy;
	seat->focus_state.notify = handle_focus_state;
	seat->cursor_motion.notify = handle_cursor_motion;
	wl_signal_add(&seat->cursor->events.motion, &seat->cursor_motion);
	seat->cursor_motion_absolute.notify = handle_cursor_motion_absolute;
	wl_signal_add(&seat->cursor->events.motion_absolute,
		      &seat->cursor_motion_absolute);
	seat->cursor_button.notify = handle_cursor_button;
	wl_signal_add(&seat->cursor->events.button, &seat->cursor_button);
	seat->cursor_axis.notify = handle_cursor_axis;
	wl_signal_add(&seat->cursor->events.axis, &seat->cursor_axis);
	seat->touch_down.notify = handle_touch_down;
	wl_signal_add(&seat->cursor->events.touch_down, &seat->touch_down);
	seat->touch_motion.notify = handle_touch_motion;
	wl_signal_add(&seat->cursor->events.touch_motion, &seat->touch_motion);
	seat->touch_up.notify = handle_touch_up;
	wl_signal_add(&seat->cursor->events.touch_up, &seat->touch_up);
	seat->touch_cancel.notify = handle_touch_cancel;
	wl_signal_add(&seat->cursor->events.touch_cancel, &seat->touch_cancel);
	seat->layout_change.notify = handle_layout_change;
	wl_signal_add(&server->layout->events.change, &seat->layout_change);
	seat->new_input.notify = handle_backend_new_input;
	wl_signal_add(&server->backend->events.new_input, &seat->new_input);
	log_info("seat: focus follows the %s",
		 server->config->seat_click_focus ? "click" : "pointer");
	return seat;
}

void vpd_seat_destroy(struct vpd_seat *seat)
{
	struct keyboard *keyboard, *ktmp;
	struct pointer *pointer, *ptmp;

	if (!seat)
		return;
	if (seat->listening) {
		wl_list_remove(&seat->cursor_motion.link);
		wl_list_remove(&seat->cursor_motion_absolute.link);
		wl_list_remove(&seat->cursor_button.link);
		wl_list_remove(&seat->cursor_axis.link);
		wl_list_remove(&seat->touch_down.link);
		wl_list_remove(&seat->touch_motion.link);
		wl_list_remove(&seat->touch_up.link);
		wl_list_remove(&seat->touch_cancel.link);
		wl_list_remove(&seat->layout_change.link);
		wl_list_remove(&seat->new_input.link);
	}
	wl_list_remove(&seat->focus_destroy.link);
	wl_list_remove(&seat->focus_state.link);
	wl_list_for_each_safe(keyboard, ktmp, &seat->keyboards, link) {
		wl_list_remove(&keyboard->key.link);
		wl_list_remove(&keyboard->destroy.link);
		free(keyboard);
	}
	wl_list_for_each_safe(pointer, ptmp, &seat->pointers, link) {
		wl_list_remove(&pointer->destroy.link);
		free(pointer);
	}
	/* releases everything the seat holds (input.h) */
	vpd_input_origin_destroy(seat->origin);
	if (seat->cursor)
		wlr_cursor_destroy(seat->cursor);
	if (seat->wlr_seat)
		wlr_seat_destroy(seat->wlr_seat);
	xkb_context_unref(seat->xkb);
	free(seat);
}
