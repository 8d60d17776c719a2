// SPDX-License-Identifier: MIT
/*
 * vplanectl: list vplaned's vGPUs and heads, attach and detach heads,
 * show their statistics, record heads, send them input, over the zvplane_manager_v1 protocol on
 * vplaned's control socket. See --help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/input-event-codes.h>

#include "args.h"
#include "client.h"
#include "keys.h"
#include "vplane-manager-unstable-v1-client-protocol.h"

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case ZVPLANE_VGPU_V1_SOURCE_KIND_DISPLAY_NODE:
		return "display node";
	case ZVPLANE_VGPU_V1_SOURCE_KIND_UPSTREAM:
		return "upstream GFX plane API";
	default:
		return "unknown source";
	}
}

static void print_fourcc(uint32_t f)
{
	int i;

	for (i = 0; i < 4; i++) {
		char c = (char)(f >> (8 * i));

		putchar(c >= 0x20 && c < 0x7f ? c : '?');
	}
}

static int cmd_list(struct vpctl_client *client)
{
	struct vpctl_vgpu *vgpu;
	struct vpctl_head *head;

	if (wl_list_empty(&client->vgpus))
		printf("no vGPUs\n");
	wl_list_for_each(vgpu, &client->vgpus, link) {
		printf("vGPU %s: %s, %s, %d head(s)\n", vgpu->name,
		       vgpu->type[0] ? vgpu->type : "type unknown",
		       kind_name(vgpu->kind), wl_list_length(&vgpu->heads));
		wl_list_for_each(head, &vgpu->heads, link) {
			printf("  %s/%u: ", vgpu->name, head->index);
			if (head->width)
				printf("%ux%u@%u.%03uHz ", head->width,
				       head->height, head->refresh_mhz / 1000,
				       head->refresh_mhz % 1000);
			else
				printf("no mode ");
			if (head->enabled) {
				print_fourcc(head->format);
				printf(" enabled");
			} else {
				printf("disabled");
			}
			if (head->gone)
				printf(" (vGPU gone)");
			if (head->shown)
				printf(", on %s at %d,%d scale %g\n",
				       head->output, head->x, head->y,
				       head->scale);
			else
				printf(", on no output\n");
		}
	}
	return 0;
}

/*
 * The outcome of a request answered by a result object (attach and
 * detach: zvplane_layout_result_v1; record start and stop:
 * zvplane_record_result_v1). Both send exactly one of succeeded or
 * failed, so one record and one wait serve both; only the listeners
 * differ: by the proxy type, and the record result's message on success.
 */
struct result {
	bool arrived, ok;
	char message[2048];
};

static void result_arrived(struct result *r, bool ok, const char *message)
{
	r->arrived = true;
	r->ok = ok;
	snprintf(r->message, sizeof(r->message), "%s", message ? message : "");
}

/*
 * Dispatch until the result arrives; 0 if it says succeeded, else 1 after
 * printing why (or the connection's error) on stderr.
 */
static int wait_result(struct vpctl_client *client, struct result *r,
		       const char *what)
{
	while (!r->arrived) {
		if (!vpctl_client_dispatch(client))
			return 1;
	}
	if (!r->ok) {
		fprintf(stderr, "vplanectl: %s refused: %s\n", what,
			r->message);
		return 1;
	}
	return 0;
}

static void handle_layout_succeeded(void *data,
				    struct zvplane_layout_result_v1 *proxy)
{
	result_arrived(data, true, NULL);
}

static void handle_layout_failed(void *data,
				 struct zvplane_layout_result_v1 *proxy,
				 uint32_t reason, const char *message)
{
	result_arrived(data, false, message);
}

static const struct zvplane_layout_result_v1_listener layout_listener = {
	.succeeded = handle_layout_succeeded,
	.failed = handle_layout_failed,
};

static int wait_layout(struct vpctl_client *client,
		       struct zvplane_layout_result_v1 *proxy, const char *what)
{
	struct result r = { 0 };
	int ret;

	zvplane_layout_result_v1_add_listener(proxy, &layout_listener, &r);
	ret = wait_result(client, &r, what);
	zvplane_layout_result_v1_destroy(proxy);
	return ret;
}

static int cmd_attach(struct vpctl_client *client,
		      const struct vpctl_args *args, struct vpctl_head *head)
{
	struct zvplane_layout_result_v1 *proxy = zvplane_manager_v1_attach(
		client->manager, head->proxy, args->output, args->x, args->y,
		wl_fixed_from_double(args->scale));
	int ret = wait_layout(client, proxy, "attach");

	if (!ret)
		printf("%s/%u on %s at %d,%d scale %g\n", head->vgpu->name,
		       head->index, args->output, args->x, args->y,
		       args->scale);
	return ret;
}

static int cmd_detach(struct vpctl_client *client, struct vpctl_head *head)
{
	struct zvplane_layout_result_v1 *proxy =
		zvplane_manager_v1_detach(client->manager, head->proxy);
	int ret = wait_layout(client, proxy, "detach");

	if (!ret)
		printf("%s/%u on no output\n", head->vgpu->name, head->index);
	return ret;
}

static void handle_record_succeeded(void *data,
				    struct zvplane_record_result_v1 *proxy,
				    const char *message)
{
	result_arrived(data, true, message);
}

static void handle_record_failed(void *data,
				 struct zvplane_record_result_v1 *proxy,
				 uint32_t reason, const char *message)
{
	result_arrived(data, false, message);
}

static const struct zvplane_record_result_v1_listener record_listener = {
	.succeeded = handle_record_succeeded,
	.failed = handle_record_failed,
};

/* As wait_layout; on success the message (the file, what was written)
 * goes to stdout. */
static int wait_record(struct vpctl_client *client,
		       struct zvplane_record_result_v1 *proxy, const char *what)
{
	struct result r = { 0 };
	int ret;

	zvplane_record_result_v1_add_listener(proxy, &record_listener, &r);
	ret = wait_result(client, &r, what);
	zvplane_record_result_v1_destroy(proxy);
	if (!ret)
		printf("%s\n", r.message);
	return ret;
}

/* FILE goes as given: a name in vplaned's record directory (or an
 * absolute path directly in it); vplaned refuses anything else. */
static int cmd_record_start(struct vpctl_client *client,
			    const struct vpctl_args *args,
			    struct vpctl_head *head)
{
	if (zvplane_manager_v1_get_version(client->manager) <
	    ZVPLANE_MANAGER_V1_RECORD_START_SINCE_VERSION) {
		fprintf(stderr,
			"vplanectl: this vplaned cannot record on "
			"request (control protocol version 3 needed)\n");
		return 1;
	}
	return wait_record(client,
			   zvplane_manager_v1_record_start(
				   client->manager, head->proxy, args->file),
			   "record start");
}

static int cmd_record_stop(struct vpctl_client *client, struct vpctl_head *head)
{
	if (zvplane_manager_v1_get_version(client->manager) <
	    ZVPLANE_MANAGER_V1_RECORD_STOP_SINCE_VERSION) {
		fprintf(stderr,
			"vplanectl: this vplaned cannot record on "
			"request (control protocol version 3 needed)\n");
		return 1;
	}
	return wait_record(
		client,
		zvplane_manager_v1_record_stop(client->manager, head->proxy),
		"record stop");
}

static const char *const counter_names[] = {
	[ZVPLANE_HEAD_STATS_V1_COUNTER_FLIPS] = "flips",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_FLIPS_DROPPED] = "flips_dropped",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_FRAMES_PRESENTED] = "frames_presented",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_ACKS] = "acks",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_ACK_FAILURES] = "ack_failures",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_LAST_LATENCY_NS] = "last_latency_ns",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_OUTPUT_FRAMES_DIRECT] =
		"output_frames_direct",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_OUTPUT_FRAMES_COMPOSITED] =
		"output_frames_composited",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_FLIPS] = "vgpu_flips",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_EVENTS] = "vgpu_events",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_COALESCED] = "vgpu_coalesced",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_OVERFLOWS] = "vgpu_overflows",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_ACKS] = "vgpu_acks",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_VGPU_ACK_TIMEOUTS] = "vgpu_ack_timeouts",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_FRAMES_ENCODED] =
		"stream_frames_encoded",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_KEYFRAMES] = "stream_keyframes",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_BYTES] = "stream_bytes",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_VIEWERS] = "stream_viewers",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_LATE_ACKS] = "stream_late_acks",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_KEYFRAME_REQUESTS] =
		"stream_keyframe_requests",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_KEYFRAMES_FORCED] =
		"stream_keyframes_forced",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_FRAMES_DROPPED] =
		"stream_frames_dropped",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_ENCODE_US] = "stream_encode_us",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_ENCODE_US_MAX] =
		"stream_encode_us_max",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_FRAMES_SENT] =
		"stream_frames_sent",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_QUEUE_US] = "stream_queue_us",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_QUEUE_US_MAX] =
		"stream_queue_us_max",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_FRAMES_TO_SINK] =
		"stream_frames_to_sink",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_SINK_US] = "stream_sink_us",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_STREAM_SINK_US_MAX] =
		"stream_sink_us_max",
	[ZVPLANE_HEAD_STATS_V1_COUNTER_CPU_MAPS] = "cpu_maps",
};

struct stats {
	const char *head_name;
	uint32_t batches;
	bool removed;
	char line[2048]; /* the batch being received */
	size_t len;
};

static void handle_stats_counter(void *data,
				 struct zvplane_head_stats_v1 *proxy,
				 uint32_t counter, uint32_t hi, uint32_t lo)
{
	struct stats *st = data;
	unsigned long long v = (unsigned long long)hi << 32 | lo;
	int n;

	/* a newer server's counters are skipped, as the protocol asks */
	if (counter >= sizeof(counter_names) / sizeof(counter_names[0]) ||
	    !counter_names[counter])
		return;
	n = snprintf(st->line + st->len, sizeof(st->line) - st->len, " %s=%llu",
		     counter_names[counter], v);
	if (n > 0 && (size_t)n < sizeof(st->line) - st->len)
		st->len += (size_t)n;
}

static void handle_stats_encoder(void *data,
				 struct zvplane_head_stats_v1 *proxy,
				 const char *name, uint32_t hardware)
{
	struct stats *st = data;
	int n;

	n = snprintf(st->line + st->len, sizeof(st->line) - st->len,
		     " encoder=%s(%s)", name,
		     hardware ? "hardware" : "software");
	if (n > 0 && (size_t)n < sizeof(st->line) - st->len)
		st->len += (size_t)n;
}

static void handle_stats_done(void *data, struct zvplane_head_stats_v1 *proxy,
			      uint32_t time_ms)
{
	struct stats *st = data;

	printf("%s time_ms=%u%s\n", st->head_name, time_ms, st->line);
	fflush(stdout);
	st->len = 0;
	st->line[0] = 0;
	st->batches++;
}

static void handle_stats_removed(void *data,
				 struct zvplane_head_stats_v1 *proxy)
{
	struct stats *st = data;

	st->removed = true;
}

static const struct zvplane_head_stats_v1_listener stats_listener = {
	.counter = handle_stats_counter,
	.encoder = handle_stats_encoder,
	.done = handle_stats_done,
	.removed = handle_stats_removed,
};

static int cmd_stats(struct vpctl_client *client, const struct vpctl_args *args,
		     struct vpctl_head *head)
{
	struct zvplane_head_stats_v1 *proxy;
	char name[VPCTL_NAME_MAX + 16];
	struct stats st = { .head_name = name };
	uint32_t want = args->watch ? args->count : 1;
	int ret = 0;

	snprintf(name, sizeof(name), "%s/%u", head->vgpu->name, head->index);
	proxy = zvplane_manager_v1_get_stats(client->manager, head->proxy,
					     args->watch ? args->interval_ms
							 : 0);
	zvplane_head_stats_v1_add_listener(proxy, &stats_listener, &st);
	while (!want || st.batches < want) {
		if (st.removed) {
			fprintf(stderr, "vplanectl: head %s was removed\n",
				name);
			ret = 1;
			break;
		}
		if (!vpctl_client_dispatch(client)) {
			ret = 1;
			break;
		}
	}
	zvplane_head_stats_v1_destroy(proxy);
	return ret;
}

/* ---- input (control protocol version 6) ---- */

struct input {
	struct vpctl_client *client;
	struct zvplane_input_v1 *proxy;
	unsigned int refused;
};

static void handle_input_refused(void *data, struct zvplane_input_v1 *proxy,
				 uint32_t reason, const char *message)
{
	struct input *in = data;

	/* one line per kind of refusal is enough for a person */
	if (!in->refused++)
		fprintf(stderr, "vplanectl: input refused: %s\n", message);
}

static void handle_input_control_lost(void *data,
				      struct zvplane_input_v1 *proxy)
{
	fprintf(stderr, "vplanectl: another input source took the head over\n");
}

static const struct zvplane_input_v1_listener input_listener = {
	.refused = handle_input_refused,
	.control_lost = handle_input_control_lost,
};

static void send_key(struct input *in, uint16_t code, bool pressed)
{
	zvplane_input_v1_key(in->proxy, code, pressed);
}

/* Each chord: its keys pressed in order, released in reverse (hold:
 * never released here). */
static bool send_chords(struct input *in, const struct vpctl_args *args,
			bool release)
{
	uint16_t codes[VPCTL_CHORD_MAX];
	size_t n, k;
	uint32_t i;

	for (i = 0; i < args->nr_keys; i++) {
		if (!vpctl_parse_chord(args->keys[i], codes, &n)) {
			fprintf(stderr,
				"vplanectl: unknown key '%s' (names as in "
				"linux/input-event-codes.h without KEY_, "
				"joined by +)\n",
				args->keys[i]);
			return false;
		}
		for (k = 0; k < n; k++)
			send_key(in, codes[k], true);
		while (release && n--)
			send_key(in, codes[n], false);
	}
	return true;
}

static bool send_text(struct input *in, const char *text)
{
	uint16_t code;
	bool shift;
	const char *c;

	for (c = text; *c; c++) {
		if (!vpctl_key_for_char(*c, &code, &shift)) {
			fprintf(stderr,
				"vplanectl: no US key types character 0x%02x\n",
				(unsigned char)*c);
			return false;
		}
	}
	for (c = text; *c; c++) {
		vpctl_key_for_char(*c, &code, &shift);
		if (shift)
			send_key(in, KEY_LEFTSHIFT, true);
		send_key(in, code, true);
		send_key(in, code, false);
		if (shift)
			send_key(in, KEY_LEFTSHIFT, false);
	}
	return true;
}

/*
 * key, type, click, move, wheel: one input origin, asking for control
 * first (which under vplaned's input-control "last" takes the head
 * over), the events, then a roundtrip: every refusal has arrived by then.
 */
static int cmd_input(struct vpctl_client *client, const struct vpctl_args *args,
		     struct vpctl_head *head)
{
	struct input in = { .client = client };
	bool sent = true;

	if (zvplane_manager_v1_get_version(client->manager) <
	    ZVPLANE_MANAGER_V1_GET_INPUT_SINCE_VERSION) {
		fprintf(stderr, "vplanectl: this vplaned takes no input "
				"(control protocol version 6 needed)\n");
		return 1;
	}
	in.proxy = zvplane_manager_v1_get_input(client->manager, head->proxy);
	zvplane_input_v1_add_listener(in.proxy, &input_listener, &in);
	zvplane_input_v1_take_control(in.proxy);
	switch (args->command) {
	case VPCTL_KEY:
	case VPCTL_HOLD:
		sent = send_chords(&in, args, args->command == VPCTL_KEY);
		break;
	case VPCTL_TYPE:
		sent = send_text(&in, args->text);
		break;
	case VPCTL_CLICK:
	case VPCTL_MOVE:
		zvplane_input_v1_motion(in.proxy, args->x, args->y);
		if (args->command == VPCTL_MOVE)
			break;
		/* no click where the pointer did not go */
		if (wl_display_roundtrip(client->display) < 0 || in.refused)
			break;
		zvplane_input_v1_button(in.proxy, args->button, 1);
		zvplane_input_v1_button(in.proxy, args->button, 0);
		break;
	default:
		zvplane_input_v1_wheel(in.proxy, args->wheel * 120, 0);
		break;
	}
	if (wl_display_roundtrip(client->display) < 0) {
		fprintf(stderr, "vplanectl: lost the connection to vplaned\n");
		sent = false;
	}
	if (sent && !in.refused && args->command == VPCTL_HOLD) {
		/* until a signal ends us, or vplaned goes: either way the
		 * keys are released (by vplaned, or by the driver) */
		printf("held\n");
		fflush(stdout);
		while (vpctl_client_dispatch(client))
			;
		sent = false;
	}
	zvplane_input_v1_destroy(in.proxy);
	return sent && !in.refused ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct vpctl_client client;
	struct vpctl_args args;
	struct vpctl_head *head = NULL;
	char err[256], path[256];
	int ret = 1;

	if (!vpctl_parse_args(&args, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "vplanectl: %s (see vplanectl --help)\n", err);
		return 2;
	}
	if (args.command == VPCTL_HELP) {
		vpctl_print_usage(stdout);
		return 0;
	}
	if (!vpctl_control_path(path, sizeof(path), args.socket,
				getenv("WAYLAND_DISPLAY"),
				getenv("XDG_RUNTIME_DIR"))) {
		fprintf(stderr, "vplanectl: no control socket path: "
				"XDG_RUNTIME_DIR is unset (or give --socket "
				"an absolute path)\n");
		return 1;
	}
	if (!vpctl_client_connect(&client, path))
		goto out;
	if (args.command != VPCTL_LIST) {
		head = vpctl_client_find_head(&client, args.vgpu, args.head);
		if (!head)
			goto out;
	}
	switch (args.command) {
	case VPCTL_LIST:
		ret = cmd_list(&client);
		break;
	case VPCTL_ATTACH:
		ret = cmd_attach(&client, &args, head);
		break;
	case VPCTL_DETACH:
		ret = cmd_detach(&client, head);
		break;
	case VPCTL_STATS:
		ret = cmd_stats(&client, &args, head);
		break;
	case VPCTL_RECORD_START:
		ret = cmd_record_start(&client, &args, head);
		break;
	case VPCTL_RECORD_STOP:
		ret = cmd_record_stop(&client, head);
		break;
	case VPCTL_KEY:
	case VPCTL_HOLD:
	case VPCTL_TYPE:
	case VPCTL_CLICK:
	case VPCTL_MOVE:
	case VPCTL_WHEEL:
		ret = cmd_input(&client, &args, head);
		break;
	case VPCTL_HELP:
		break;
	}
out:
	vpctl_client_finish(&client);
	return ret;
}
