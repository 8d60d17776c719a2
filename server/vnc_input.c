// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include <wayland-server-core.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include <wlr/types/wlr_virtual_pointer_v1.h>
#include <wlr/util/box.h>
#include <vplane_display.h>

#include "log_sink.h"
#include "control.h"
#include "head.h"
#include "input.h"
#include "output.h"
#include "server.h"
#include "vnc_input.h"
#include "vnc_map.h"

/* Virtual devices followed per client; more are ignored (logged once):
 * wayvnc makes one keyboard and one pointer. */
#define VNC_MAX_DEVICES 8

/* Refusals and releases logged once per client, besides the core's
 * results. */
enum vnc_refusal {
	VNC_NO_TARGET = VPD_INPUT_NOT_ATTACHED + 1,
	VNC_RELATIVE,
	VNC_CONTINUOUS_AXIS,
	VNC_TOO_MANY_DEVICES,
	VNC_IDLE_RELEASE,
};

struct vpd_vnc_input {
	struct vpd_server *server;
	struct wlr_virtual_keyboard_manager_v1 *keyboards;
	struct wlr_virtual_pointer_manager_v1 *pointers;
	struct wlr_seat *seat;
	struct wl_list clients; /* vnc_client.link */
	struct wl_listener new_keyboard;
	struct wl_listener new_pointer;
};

/* A Wayland client with virtual devices: one input origin. */
struct vnc_client {
	struct vpd_vnc_input *vi;
	struct wl_client *wl_client;
	struct vpd_input_origin *origin; /* owned */
	/* where its keys go: its latest output-bound pointer's output */
	struct wlr_output *output;
	struct wl_listener output_destroy;
	/* the head its last event went to: a new one releases first */
	struct vpd_head *last_head;
	struct wl_listener last_head_destroy;
	unsigned int logged; /* 1 << result or refusal, logged already */
	/* after a press: fires once the client has been quiet for
	 * VPD_VNC_IDLE_RELEASE_MS (vnc_input.h) */
	struct wl_event_source *idle;
	bool idle_armed;
	struct wl_list devices; /* vnc_device.link */
	unsigned int nr_devices;
	struct wl_listener destroy;
	struct wl_list link; /* vpd_vnc_input.clients */
};

/* A virtual keyboard or pointer of a client. */
struct vnc_device {
	struct vnc_client *client;
	struct wlr_input_device *device;
	struct wlr_output *output; /* pointers: bound to it, or NULL */
	struct wl_listener output_destroy;
	struct wl_listener key; /* keyboards */
	struct wl_listener motion, motion_absolute, button, axis; /* pointers */
	struct wl_listener destroy;
	struct wl_list link; /* vnc_client.devices */
};

static void log_once(struct vnc_client *client, unsigned int what,
		     const char *why)
{
	if (client->logged & (1u << what))
		return;
	client->logged |= 1u << what;
	log_info("%s: %s (logged once per client)", client->origin->name, why);
}

/* Listen to @signal with @listener, or only make @listener removable. */
static void listen_to(struct wl_signal *signal, struct wl_listener *listener,
		      wl_notify_func_t notify)
{
	listener->notify = notify;
	if (signal)
		wl_signal_add(signal, listener);
	else
		wl_list_init(&listener->link);
}

static struct vpd_output *find_output(struct vpd_server *server,
				      const struct wlr_output *wo)
{
	struct vpd_output *output;

	wl_list_for_each(output, &server->outputs, link)
		if (output->wlr_output == wo)
			return output;
	return NULL;
}

/* The output @client's events go to: @bound, else the only output. */
static struct vpd_output *target_output(struct vnc_client *client,
					struct wlr_output *bound)
{
	struct wl_list *outputs = &client->vi->server->outputs;
	struct vpd_output *only;

	if (bound)
		return find_output(client->vi->server, bound);
	if (wl_list_length(outputs) != 1) {
		log_once(client, VNC_NO_TARGET,
			 "input not taken: no output-bound virtual pointer "
			 "names an output, and vplaned has more than one");
		return NULL;
	}
	only = wl_container_of(outputs->next, only, link);
	return only;
}

static void handle_last_head_destroy(struct wl_listener *listener, void *data)
{
	struct vnc_client *client =
		wl_container_of(listener, client, last_head_destroy);

	(void)data;
	wl_list_remove(&client->last_head_destroy.link);
	wl_list_init(&client->last_head_destroy.link);
	client->last_head = NULL; /* the core released what was held */
}

/* Send @event to @head (NULL: nothing there), logging a refusal once. */
static void deliver(struct vnc_client *client, struct vpd_head *head,
		    const struct vpd_input_event *event)
{
	enum vpd_input_result result = VPD_INPUT_NO_HEAD;
	char why[96];

	if (head && head != client->last_head) {
		/* its keys were on another head: none stays down there */
		vpd_input_release_all(client->origin);
		wl_list_remove(&client->last_head_destroy.link);
		wl_signal_add(&head->events.destroy,
			      &client->last_head_destroy);
		client->last_head = head;
	}
	if (head)
		result = vpd_input_send(client->origin, head, event);
	/* a press arms the idle release; anything later pushes it back */
	if (result == VPD_INPUT_OK && (client->idle_armed || event->pressed) &&
	    !wl_event_source_timer_update(client->idle,
					  VPD_VNC_IDLE_RELEASE_MS))
		client->idle_armed = true;
	if (result == VPD_INPUT_OK)
		return;
	snprintf(why, sizeof(why), "input not taken: %s",
		 vpd_input_result_str(result));
	log_once(client, result, why);
}

static int handle_idle(void *data)
{
	struct vnc_client *client = data;

	client->idle_armed = false;
	if (!vpd_input_holds_any(client->origin))
		return 0;
	log_once(client, VNC_IDLE_RELEASE,
		 "quiet with keys or buttons down: released them "
		 "(wayvnc 0.5 does not tell when a VNC client goes)");
	vpd_input_release_all(client->origin);
	return 0;
}

static void set_client_output(struct vnc_client *client, struct wlr_output *wo)
{
	wl_list_remove(&client->output_destroy.link);
	wl_list_init(&client->output_destroy.link);
	client->output = wo;
	if (wo)
		wl_signal_add(&wo->events.destroy, &client->output_destroy);
}

static void handle_client_output_destroy(struct wl_listener *listener,
					 void *data)
{
	struct vnc_client *client =
		wl_container_of(listener, client, output_destroy);

	(void)data;
	set_client_output(client, NULL);
}

static void handle_key(struct wl_listener *listener, void *data)
{
	struct vnc_device *dev = wl_container_of(listener, dev, key);
	struct wlr_event_keyboard_key *key = data;
	struct vpd_output *output =
		target_output(dev->client, dev->client->output);
	struct vpd_input_event event = {
		.kind = VPD_INPUT_KEY,
		.code = key->keycode, /* evdev already; the core checks it */
		.pressed = key->state == WL_KEYBOARD_KEY_STATE_PRESSED,
	};

	if (output)
		deliver(dev->client, output->head, &event);
}

static void handle_motion(struct wl_listener *listener, void *data)
{
	struct vnc_device *dev = wl_container_of(listener, dev, motion);

	(void)data;
	log_once(dev->client, VNC_RELATIVE,
		 "input not taken: relative motion (only absolute "
		 "positions map to a head)");
}

static void handle_motion_absolute(struct wl_listener *listener, void *data)
{
	struct vnc_device *dev =
		wl_container_of(listener, dev, motion_absolute);
	struct wlr_event_pointer_motion_absolute *motion = data;
	struct vpd_output *output = target_output(dev->client, dev->output);
	struct vpd_input_event event = { .kind = VPD_INPUT_MOTION };
	struct vpd_head *head = output ? output->head : NULL;
	struct wlr_box box;

	if (!output)
		return;
	if (!head || head->gone || !head->width || !head->height ||
	    !vpd_output_head_box(output, &box) || box.width <= 0 ||
	    box.height <= 0) {
		deliver(dev->client, NULL, &event); /* logged: no head */
		return;
	}
	event.x =
		vpd_vnc_map_axis(motion->x, (uint32_t)output->wlr_output->width,
				 box.x, (uint32_t)box.width, head->width);
	event.y = vpd_vnc_map_axis(motion->y,
				   (uint32_t)output->wlr_output->height, box.y,
				   (uint32_t)box.height, head->height);
	deliver(dev->client, head, &event);
}

static void handle_button(struct wl_listener *listener, void *data)
{
	struct vnc_device *dev = wl_container_of(listener, dev, button);
	struct wlr_event_pointer_button *button = data;
	struct vpd_output *output = target_output(dev->client, dev->output);
	struct vpd_input_event event = {
		.kind = VPD_INPUT_BUTTON,
		.code = button->button, /* the core refuses a non-button */
		.pressed = button->state == WLR_BUTTON_PRESSED,
	};

	if (output)
		deliver(dev->client, output->head, &event);
}

static void handle_axis(struct wl_listener *listener, void *data)
{
	struct vnc_device *dev = wl_container_of(listener, dev, axis);
	struct wlr_event_pointer_axis *axis = data;
	struct vpd_output *output;
	struct vpd_input_event event = { .kind = VPD_INPUT_WHEEL };
	/* wayvnc: one wheel step per event in delta_discrete, positive
	 * down / right; the core: 120ths of a detent, positive up */
	int64_t steps = (int64_t)axis->delta_discrete * 120;

	if (!axis->delta_discrete) {
		if (axis->delta != 0.0)
			log_once(dev->client, VNC_CONTINUOUS_AXIS,
				 "input not taken: scrolling without wheel "
				 "steps");
		return; /* also an axis stop */
	}
	/* out of range: the core refuses it (logged) */
	if (steps > VPLANE_INPUT_REL_MAX || steps < -VPLANE_INPUT_REL_MAX)
		steps = (int64_t)VPLANE_INPUT_REL_MAX + 1;
	if (axis->orientation == WLR_AXIS_ORIENTATION_VERTICAL)
		event.wheel_v = (int32_t)-steps;
	else
		event.wheel_h = (int32_t)steps;
	output = target_output(dev->client, dev->output);
	if (output)
		deliver(dev->client, output->head, &event);
}

static void remove_device(struct vnc_device *dev)
{
	wl_list_remove(&dev->output_destroy.link);
	wl_list_remove(&dev->key.link);
	wl_list_remove(&dev->motion.link);
	wl_list_remove(&dev->motion_absolute.link);
	wl_list_remove(&dev->button.link);
	wl_list_remove(&dev->axis.link);
	wl_list_remove(&dev->destroy.link);
	wl_list_remove(&dev->link);
	dev->client->nr_devices--;
	free(dev);
}

static void handle_device_destroy(struct wl_listener *listener, void *data)
{
	struct vnc_device *dev = wl_container_of(listener, dev, destroy);
	struct vnc_client *client = dev->client;

	(void)data;
	remove_device(dev);
	/* nothing it pressed stays down (wlroots releases a virtual
	 * keyboard's keys first; a pointer's buttons it does not) */
	vpd_input_release_all(client->origin);
}

static void handle_device_output_destroy(struct wl_listener *listener,
					 void *data)
{
	struct vnc_device *dev = wl_container_of(listener, dev, output_destroy);

	(void)data;
	wl_list_remove(&dev->output_destroy.link);
	wl_list_init(&dev->output_destroy.link);
	dev->output = NULL; /* now: the only output, if one */
}

static void remove_client(struct vnc_client *client)
{
	struct vnc_device *dev, *tmp;

	wl_list_for_each_safe(dev, tmp, &client->devices, link)
		remove_device(dev);
	wl_list_remove(&client->output_destroy.link);
	wl_list_remove(&client->last_head_destroy.link);
	wl_list_remove(&client->destroy.link);
	wl_list_remove(&client->link);
	wl_event_source_remove(client->idle);
	vpd_input_origin_destroy(client->origin); /* releases its keys */
	free(client);
}

static void handle_client_destroy(struct wl_listener *listener, void *data)
{
	struct vnc_client *client = wl_container_of(listener, client, destroy);

	(void)data;
	log_info("%s: gone; what it held is released", client->origin->name);
	remove_client(client);
}

static struct vnc_client *get_client(struct vpd_vnc_input *vi,
				     struct wl_client *wl_client)
{
	struct vnc_client *client;
	char name[64];
	pid_t pid;
	uid_t uid;
	gid_t gid;

	wl_list_for_each(client, &vi->clients, link)
		if (client->wl_client == wl_client)
			return client;
	client = calloc(1, sizeof(*client));
	if (!client) {
		log_errno("calloc");
		return NULL;
	}
	wl_client_get_credentials(wl_client, &pid, &uid, &gid);
	snprintf(name, sizeof(name), "VNC client pid %d", (int)pid);
	client->origin = vpd_input_origin_create(vi->server->input,
						 VPD_INPUT_ORIGIN_VNC, name);
	client->idle = wl_event_loop_add_timer(
		wl_display_get_event_loop(vi->server->display), handle_idle,
		client);
	if (!client->origin || !client->idle) {
		log_error("%s: cannot follow its input", name);
		if (client->idle)
			wl_event_source_remove(client->idle);
		vpd_input_origin_destroy(client->origin);
		free(client);
		return NULL;
	}
	client->vi = vi;
	client->wl_client = wl_client;
	wl_list_init(&client->devices);
	listen_to(NULL, &client->output_destroy, handle_client_output_destroy);
	listen_to(NULL, &client->last_head_destroy, handle_last_head_destroy);
	client->destroy.notify = handle_client_destroy;
	wl_client_add_destroy_listener(wl_client, &client->destroy);
	wl_list_insert(&vi->clients, &client->link);
	log_info("%s (uid %d): virtual input devices", name, (int)uid);
	return client;
}

/* A new device of the client owning @resource; NULL: not followed. */
static struct vnc_device *add_device(struct vpd_vnc_input *vi,
				     struct wl_resource *resource,
				     struct wlr_input_device *device)
{
	struct vnc_client *client =
		get_client(vi, wl_resource_get_client(resource));
	struct vnc_device *dev;

	if (!client)
		return NULL;
	if (client->nr_devices >= VNC_MAX_DEVICES) {
		log_once(client, VNC_TOO_MANY_DEVICES,
			 "input not taken: more virtual devices than vplaned "
			 "follows");
		return NULL;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		log_errno("calloc");
		return NULL;
	}
	dev->client = client;
	dev->device = device;
	listen_to(NULL, &dev->output_destroy, handle_device_output_destroy);
	listen_to(NULL, &dev->key, handle_key);
	listen_to(NULL, &dev->motion, handle_motion);
	listen_to(NULL, &dev->motion_absolute, handle_motion_absolute);
	listen_to(NULL, &dev->button, handle_button);
	listen_to(NULL, &dev->axis, handle_axis);
	listen_to(&device->events.destroy, &dev->destroy,
		  handle_device_destroy);
	wl_list_insert(&client->devices, &dev->link);
	client->nr_devices++;
	return dev;
}

static void handle_new_keyboard(struct wl_listener *listener, void *data)
{
	struct vpd_vnc_input *vi = wl_container_of(listener, vi, new_keyboard);
	struct wlr_virtual_keyboard_v1 *kbd = data;
	struct vnc_device *dev =
		add_device(vi, kbd->resource, &kbd->input_device);

	if (!dev)
		return;
	wl_list_remove(&dev->key.link);
	wl_signal_add(&kbd->input_device.keyboard->events.key, &dev->key);
}

static void handle_new_pointer(struct wl_listener *listener, void *data)
{
	struct vpd_vnc_input *vi = wl_container_of(listener, vi, new_pointer);
	struct wlr_virtual_pointer_v1_new_pointer_event *event = data;
	struct wlr_virtual_pointer_v1 *vp = event->new_pointer;
	struct wlr_pointer *pointer = vp->input_device.pointer;
	struct vnc_device *dev =
		add_device(vi, vp->resource, &vp->input_device);

	if (!dev)
		return;
	wl_list_remove(&dev->motion.link);
	wl_signal_add(&pointer->events.motion, &dev->motion);
	wl_list_remove(&dev->motion_absolute.link);
	wl_signal_add(&pointer->events.motion_absolute, &dev->motion_absolute);
	wl_list_remove(&dev->button.link);
	wl_signal_add(&pointer->events.button, &dev->button);
	wl_list_remove(&dev->axis.link);
	wl_signal_add(&pointer->events.axis, &dev->axis);
	if (event->suggested_output) {
		dev->output = event->suggested_output;
		wl_list_remove(&dev->output_destroy.link);
		wl_signal_add(&dev->output->events.destroy,
			      &dev->output_destroy);
		/* its keys follow: the output it captures */
		set_client_output(dev->client, dev->output);
	}
	log_info("%s: virtual pointer on %s", dev->client->origin->name,
		 dev->output ? dev->output->name : "no output");
}

struct vpd_vnc_input *vpd_vnc_input_create(struct vpd_server *server)
{
	struct vpd_vnc_input *vi = calloc(1, sizeof(*vi));

	if (!vi) {
		log_errno("calloc");
		return NULL;
	}
	vi->server = server;
	wl_list_init(&vi->clients);
	vi->keyboards = wlr_virtual_keyboard_manager_v1_create(server->display);
	vi->pointers = wlr_virtual_pointer_manager_v1_create(server->display);
	vi->seat = wlr_seat_create(server->display, "vnc");
	/* the display owns all three: they go with it, even on failure */
	if (!vi->keyboards || !vi->pointers || !vi->seat ||
	    !vpd_control_restrict_global(server->control,
					 vi->keyboards->global) ||
	    !vpd_control_restrict_global(server->control,
					 vi->pointers->global) ||
	    !vpd_control_restrict_global(server->control, vi->seat->global)) {
		log_error("cannot offer VNC input (virtual keyboard and "
			  "pointer)");
		if (vi->seat)
			wlr_seat_destroy(vi->seat);
		free(vi);
		return NULL;
	}
	vi->new_keyboard.notify = handle_new_keyboard;
	wl_signal_add(&vi->keyboards->events.new_virtual_keyboard,
		      &vi->new_keyboard);
	vi->new_pointer.notify = handle_new_pointer;
	wl_signal_add(&vi->pointers->events.new_virtual_pointer,
		      &vi->new_pointer);
	return vi;
}

void vpd_vnc_input_destroy(struct vpd_vnc_input *vi)
{
	struct vnc_client *client, *tmp;

	if (!vi)
		return;
	wl_list_for_each_safe(client, tmp, &vi->clients, link)
		remove_client(client);
	wl_list_remove(&vi->new_keyboard.link);
	wl_list_remove(&vi->new_pointer.link);
	wlr_seat_destroy(vi->seat);
	free(vi);
}
