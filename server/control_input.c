// SPDX-License-Identifier: MIT
/* zvplane_input_v1: a control client's input origin (control_input.h). */
#include <stdio.h>
#include <stdlib.h>

#include "control_input.h"
#include "head.h"
#include "input.h"
#include "log_sink.h"
#include "vplane-manager-unstable-v1-protocol.h"

struct control_input {
	struct wl_resource *resource;
	struct vpd_input_origin *origin; /* owned */
	struct vpd_head *head;		 /* borrowed; NULL once gone */
	struct wl_listener head_destroy;
	struct wl_listener control_lost;
};

static uint32_t reason_of(enum vpd_input_result result)
{
	switch (result) {
	case VPD_INPUT_NOT_CONTROLLER:
		return ZVPLANE_INPUT_V1_REASON_NOT_CONTROLLER;
	case VPD_INPUT_INVALID:
		return ZVPLANE_INPUT_V1_REASON_INVALID;
	case VPD_INPUT_NO_HEAD:
		return ZVPLANE_INPUT_V1_REASON_NO_HEAD;
	case VPD_INPUT_RATE_LIMITED:
		return ZVPLANE_INPUT_V1_REASON_RATE_LIMITED;
	case VPD_INPUT_UNSUPPORTED:
		return ZVPLANE_INPUT_V1_REASON_UNSUPPORTED;
	case VPD_INPUT_NOT_ATTACHED:
		return ZVPLANE_INPUT_V1_REASON_NOT_ATTACHED;
	case VPD_INPUT_OK:
	case VPD_INPUT_FAILED:
		break;
	}
	return ZVPLANE_INPUT_V1_REASON_FAILED;
}

static void answer(struct control_input *ci, enum vpd_input_result result)
{
	if (result != VPD_INPUT_OK)
		zvplane_input_v1_send_refused(ci->resource, reason_of(result),
					      vpd_input_result_str(result));
}

static void send_event(struct wl_resource *res,
		       const struct vpd_input_event *event)
{
	struct control_input *ci = wl_resource_get_user_data(res);

	answer(ci, ci->head ? vpd_input_send(ci->origin, ci->head, event)
			    : VPD_INPUT_NO_HEAD);
}

/* pressed other than 0 or 1 is invalid, not "anything non-zero" */
static void send_key(struct wl_resource *res, enum vpd_input_event_kind kind,
		     uint32_t code, uint32_t pressed)
{
	struct vpd_input_event event = { .kind = kind,
					 .code = code,
					 .pressed = pressed == 1 };

	if (pressed > 1) {
		answer(wl_resource_get_user_data(res), VPD_INPUT_INVALID);
		return;
	}
	send_event(res, &event);
}

static void handle_key(struct wl_client *client, struct wl_resource *res,
		       uint32_t code, uint32_t pressed)
{
	send_key(res, VPD_INPUT_KEY, code, pressed);
}

static void handle_button(struct wl_client *client, struct wl_resource *res,
			  uint32_t code, uint32_t pressed)
{
	send_key(res, VPD_INPUT_BUTTON, code, pressed);
}

static void handle_motion(struct wl_client *client, struct wl_resource *res,
			  int32_t x, int32_t y)
{
	struct vpd_input_event event = { .kind = VPD_INPUT_MOTION,
					 .x = x,
					 .y = y };

	send_event(res, &event);
}

static void handle_wheel(struct wl_client *client, struct wl_resource *res,
			 int32_t vertical, int32_t horizontal)
{
	struct vpd_input_event event = { .kind = VPD_INPUT_WHEEL,
					 .wheel_v = vertical,
					 .wheel_h = horizontal };

	send_event(res, &event);
}

static void handle_take_control(struct wl_client *client,
				struct wl_resource *res)
{
	struct control_input *ci = wl_resource_get_user_data(res);

	answer(ci, ci->head ? vpd_input_take_control(ci->origin, ci->head)
			    : VPD_INPUT_NO_HEAD);
}

static void handle_release_all(struct wl_client *client,
			       struct wl_resource *res)
{
	struct control_input *ci = wl_resource_get_user_data(res);

	vpd_input_release_all(ci->origin);
}

static void handle_destroy(struct wl_client *client, struct wl_resource *res)
{
	wl_resource_destroy(res);
}

static const struct zvplane_input_v1_interface input_impl = {
	.key = handle_key,
	.button = handle_button,
	.motion = handle_motion,
	.wheel = handle_wheel,
	.take_control = handle_take_control,
	.release_all = handle_release_all,
	.destroy = handle_destroy,
};

/* The core released what this origin held there already. */
static void handle_head_destroy(struct wl_listener *listener, void *data)
{
	struct control_input *ci = wl_container_of(listener, ci, head_destroy);

	wl_list_remove(&ci->head_destroy.link);
	wl_list_init(&ci->head_destroy.link);
	ci->head = NULL;
}

static void handle_origin_control_lost(struct wl_listener *listener, void *data)
{
	struct control_input *ci = wl_container_of(listener, ci, control_lost);

	zvplane_input_v1_send_control_lost(ci->resource);
}

/* The client destroyed it or went: the origin's destroy releases all. */
static void handle_resource_destroy(struct wl_resource *res)
{
	struct control_input *ci = wl_resource_get_user_data(res);

	wl_list_remove(&ci->head_destroy.link);
	wl_list_remove(&ci->control_lost.link);
	vpd_input_origin_destroy(ci->origin);
	free(ci);
}

void vpd_control_input_create(struct vpd_input *input, struct wl_client *client,
			      uint32_t version, uint32_t id,
			      struct vpd_head *head)
{
	struct control_input *ci = calloc(1, sizeof(*ci));
	char name[64];
	pid_t pid;

	if (!ci)
		goto err_no_memory;
	wl_client_get_credentials(client, &pid, NULL, NULL);
	snprintf(name, sizeof(name), "control client pid %d", (int)pid);
	ci->origin =
		vpd_input_origin_create(input, VPD_INPUT_ORIGIN_CONTROL, name);
	if (!ci->origin)
		goto err_free;
	ci->resource = wl_resource_create(client, &zvplane_input_v1_interface,
					  (int)version, id);
	if (!ci->resource)
		goto err_origin;
	ci->head = head;
	wl_list_init(&ci->head_destroy.link);
	if (head) {
		ci->head_destroy.notify = handle_head_destroy;
		wl_signal_add(&head->events.destroy, &ci->head_destroy);
	}
	ci->control_lost.notify = handle_origin_control_lost;
	wl_signal_add(&ci->origin->events.control_lost, &ci->control_lost);
	wl_resource_set_implementation(ci->resource, &input_impl, ci,
				       handle_resource_destroy);
	return;

err_origin:
	vpd_input_origin_destroy(ci->origin);
err_free:
	free(ci);
err_no_memory:
	wl_client_post_no_memory(client);
}
