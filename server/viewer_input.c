// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include <linux/input-event-codes.h>

#include "head.h"
#include "input.h"
#include "log_sink.h"
#include "mailbox.h"
#include "output.h"
#include "output_stream.h"
#include "server.h"
#include "viewer_input.h"

/* One event (or a viewer's end) on its way to the loop. */
struct note {
	struct enc_mail mail; /* first: the mailbox hands back this */
	unsigned int viewer;
	char path[96], name[96];
	bool gone; /* the viewer is gone: no event */
	struct enc_input_event event;
};

/* A viewer that sent something, on the loop. */
struct viewer {
	unsigned int id;
	struct vpd_input_origin *origin; /* owned */
	unsigned int logged;		 /* results logged: 1 << result */
	struct wl_list link;		 /* vpd_viewer_input.viewers */
};

struct vpd_viewer_input {
	struct vpd_server *server;
	struct enc_mailbox mailbox;
	struct wl_event_source *source;
	struct wl_list viewers; /* struct viewer.link */
};

static const uint32_t button_code[] = {
	[ENC_INPUT_BUTTON_LEFT] = BTN_LEFT,
	[ENC_INPUT_BUTTON_MIDDLE] = BTN_MIDDLE,
	[ENC_INPUT_BUTTON_RIGHT] = BTN_RIGHT,
	[ENC_INPUT_BUTTON_BACK] = BTN_SIDE,
	[ENC_INPUT_BUTTON_FORWARD] = BTN_EXTRA,
};

/* The transport's threads: copy and post. */
static void handle_transport_event(void *data, unsigned int viewer,
				   const char *path, const char *name,
				   const struct enc_input_event *event)
{
	struct vpd_viewer_input *vi = data;
	struct note *note = calloc(1, sizeof(*note));

	if (!note) {
		log_errno("calloc");
		return;
	}
	note->viewer = viewer;
	snprintf(note->path, sizeof(note->path), "%s", path);
	snprintf(note->name, sizeof(note->name), "%s", name);
	note->gone = !event;
	if (event)
		note->event = *event;
	enc_mailbox_post(&vi->mailbox, &note->mail);
}

static struct viewer *find_viewer(struct vpd_viewer_input *vi, unsigned int id)
{
	struct viewer *v;

	wl_list_for_each(v, &vi->viewers, link)
		if (v->id == id)
			return v;
	return NULL;
}

static struct viewer *add_viewer(struct vpd_viewer_input *vi,
				 const struct note *note)
{
	struct viewer *v = calloc(1, sizeof(*v));
	char name[sizeof(note->name) + 8];

	if (!v) {
		log_errno("calloc");
		return NULL;
	}
	snprintf(name, sizeof(name), "viewer %s", note->name);
	v->id = note->viewer;
	v->origin = vpd_input_origin_create(vi->server->input,
					    VPD_INPUT_ORIGIN_VIEWER, name);
	if (!v->origin) {
		free(v);
		return NULL;
	}
	wl_list_insert(&vi->viewers, &v->link);
	return v;
}

static void remove_viewer(struct viewer *v)
{
	wl_list_remove(&v->link);
	vpd_input_origin_destroy(v->origin); /* releases what it holds */
	free(v);
}

/* The head the output streamed at @path shows now, or NULL. */
static struct vpd_head *head_at(struct vpd_server *server, const char *path)
{
	struct vpd_output *output;

	wl_list_for_each(output, &server->outputs, link)
		if (output->stream && !strcmp(output->stream->path, path))
			return output->stream->head;
	return NULL;
}

/* The page's event in the core's terms; false if the head cannot take
 * it (off: no mode to point into). */
static bool convert(const struct enc_input_event *in,
		    const struct vpd_head *head, struct vpd_input_event *out)
{
	*out = (struct vpd_input_event){ .pressed = in->down };
	switch (in->type) {
	case ENC_INPUT_KEY:
		out->kind = VPD_INPUT_KEY;
		out->code = in->code;
		return true;
	case ENC_INPUT_BUTTON:
		out->kind = VPD_INPUT_BUTTON;
		out->code = button_code[in->code]; /* < ENC_INPUT_BUTTONS */
		return true;
	case ENC_INPUT_MOTION:
		if (!head->width || !head->height)
			return false;
		out->kind = VPD_INPUT_MOTION;
		/* the stream pads an odd mode by one column or row */
		out->x = (int32_t)(in->x < head->width ? in->x
						       : head->width - 1);
		out->y = (int32_t)(in->y < head->height ? in->y
							: head->height - 1);
		return true;
	case ENC_INPUT_WHEEL:
		out->kind = VPD_INPUT_WHEEL;
		out->wheel_v = -in->dy; /* the DOM's down is the core's -up */
		out->wheel_h = in->dx;
		return true;
	case ENC_INPUT_RELEASE:
		break;
	}
	return false;
}

static bool press(const struct vpd_input_event *event)
{
	return (event->kind == VPD_INPUT_KEY ||
		event->kind == VPD_INPUT_BUTTON) &&
	       event->pressed;
}

static void deliver(struct vpd_viewer_input *vi, const struct note *note)
{
	struct viewer *v = find_viewer(vi, note->viewer);
	struct vpd_input_event event;
	enum vpd_input_result result;
	struct vpd_head *head;

	if (note->gone) {
		if (v)
			remove_viewer(v);
		return;
	}
	if (!v && !(v = add_viewer(vi, note)))
		return;
	if (note->event.type == ENC_INPUT_RELEASE) {
		vpd_input_release_all(v->origin);
		return;
	}
	head = head_at(vi->server, note->path);
	if (!head || !convert(&note->event, head, &event)) {
		result = VPD_INPUT_NO_HEAD;
	} else {
		/* A press is a viewer asking for the head: under policy last
		 * it takes the head over from whoever has it; under first
		 * the core refuses while another keeps it. Motion alone never
		 * takes over (a pointer passing over a second viewer's
		 * window is nobody asking). */
		if (press(&event) && !vpd_input_has_control(v->origin, head))
			vpd_input_take_control(v->origin, head);
		result = vpd_input_send(v->origin, head, &event);
	}
	if (result == VPD_INPUT_OK || (v->logged & (1u << result)))
		return;
	v->logged |= 1u << result;
	log_info("WebRTC %s: input not taken: %s (logged once per viewer)",
		 note->name, vpd_input_result_str(result));
}

static int handle_mailbox_readable(int fd, uint32_t mask, void *data)
{
	struct vpd_viewer_input *vi = data;
	struct enc_mail *mail = enc_mailbox_take(&vi->mailbox), *next;

	for (; mail; mail = next) {
		next = mail->next;
		deliver(vi, (struct note *)mail);
		free(mail);
	}
	return 0;
}

struct vpd_viewer_input *vpd_viewer_input_create(struct vpd_server *server)
{
	struct vpd_viewer_input *vi = calloc(1, sizeof(*vi));

	if (!vi) {
		log_errno("calloc");
		return NULL;
	}
	vi->server = server;
	wl_list_init(&vi->viewers);
	if (!enc_mailbox_init(&vi->mailbox)) {
		free(vi);
		return NULL;
	}
	vi->source = wl_event_loop_add_fd(
		wl_display_get_event_loop(server->display), vi->mailbox.fd,
		WL_EVENT_READABLE, handle_mailbox_readable, vi);
	if (!vi->source) {
		log_error("cannot watch the viewers' input mailbox");
		enc_mailbox_finish(&vi->mailbox);
		free(vi);
		return NULL;
	}
	return vi;
}

void vpd_viewer_input_destroy(struct vpd_viewer_input *vi)
{
	struct enc_mail *mail, *next;
	struct viewer *v, *tmp;

	if (!vi)
		return;
	wl_event_source_remove(vi->source);
	for (mail = enc_mailbox_take(&vi->mailbox); mail; mail = next) {
		next = mail->next;
		free(mail);
	}
	wl_list_for_each_safe(v, tmp, &vi->viewers, link)
		remove_viewer(v);
	enc_mailbox_finish(&vi->mailbox);
	free(vi);
}

struct enc_webrtc_input vpd_viewer_input_sink(struct vpd_viewer_input *vi)
{
	return (struct enc_webrtc_input){
		.event = handle_transport_event,
		.data = vi,
	};
}
