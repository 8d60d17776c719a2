// SPDX-License-Identifier: MIT
/*
 * vp-input-send: the direct path into a vGPU's input devices, the
 * same-run latency baseline of the nested guest's test
 * (tests/vm/guest/l2/l2_e2e.py) and of the WebRTC input test
 * (tests/vm/guest/stream/webrtc_input.sh). It opens
 * /dev/vplane/UUID, takes the ack role (so vplaned must not run) and,
 * per line read from stdin, injects one batch with
 * vp_display_send_input(), the call vplaned's input core ends in:
 *
 *   kbd TYPE CODE VALUE [TYPE CODE VALUE]...
 *   headN TYPE CODE VALUE [TYPE CODE VALUE]...
 *
 * It prints "ready" once it holds the role, then per line "ok T" (T:
 * CLOCK_MONOTONIC seconds just before the ioctl, the clock Python's
 * time.monotonic() reads, so the caller can time from the write itself)
 * or "err REASON". At EOF it closes the display, which releases whatever
 * is still down, and exits 0; 1 if it cannot open the node or take the
 * role.
 *
 *   vp-input-send --uuid UUID
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vplane/display.h>

/* One line: the device word, then at most VPLANE_INPUT_MAX_EVENTS
 * triples; anything longer is refused before parsing. */
#define LINE_MAX_CHARS 4096

static double monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "kbd" or "headN" (N < 64) into device and head; false otherwise. */
static bool parse_device(const char *word, uint32_t *device, uint32_t *head)
{
	char *end;
	unsigned long n;

	if (strcmp(word, "kbd") == 0) {
		*device = VPLANE_INPUT_KEYBOARD;
		*head = 0;
		return true;
	}
	if (strncmp(word, "head", 4) != 0 || word[4] < '0' || word[4] > '9')
		return false;
	errno = 0;
	n = strtoul(word + 4, &end, 10);
	if (errno || *end || n >= 64)
		return false;
	*device = VPLANE_INPUT_POINTER;
	*head = (uint32_t)n;
	return true;
}

/* The triples after the device word into events; their count, or -1. */
static int parse_events(char *rest, struct vplane_input_event *events)
{
	int count = 0;
	long v[3];

	for (;;) {
		for (int i = 0; i < 3; i++) {
			char *tok = strtok(rest, " \t\n"), *end;

			rest = NULL;
			if (!tok)
				return i == 0 && count > 0 ? count : -1;
			errno = 0;
			v[i] = strtol(tok, &end, 10);
			if (errno || *end)
				return -1;
		}
		if (count == VPLANE_INPUT_MAX_EVENTS || v[0] < 0 ||
		    v[0] > UINT16_MAX || v[1] < 0 || v[1] > UINT16_MAX ||
		    v[2] < INT32_MIN || v[2] > INT32_MAX)
			return -1;
		events[count].type = (uint16_t)v[0];
		events[count].code = (uint16_t)v[1];
		events[count].value = (int32_t)v[2];
		count++;
	}
}

static void send_line(struct vp_display *display, char *line)
{
	struct vplane_input_event events[VPLANE_INPUT_MAX_EVENTS];
	uint32_t device, head;
	char *word = strtok(line, " \t\n");
	int count;
	double t;

	if (!word || !parse_device(word, &device, &head)) {
		printf("err bad device\n");
		return;
	}
	count = parse_events(NULL, events);
	if (count < 0) {
		printf("err bad events\n");
		return;
	}
	t = monotonic_seconds();
	if (!vp_display_send_input(display, device, head, events,
				   (uint32_t)count)) {
		printf("err %s\n", strerror(errno));
		return;
	}
	printf("ok %.6f\n", t);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "uuid", required_argument, NULL, 'u' },
		{ 0 },
	};
	const char *uuid = NULL;
	struct vp_display *display;
	char line[LINE_MAX_CHARS];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'u') {
			fprintf(stderr, "usage: vp-input-send --uuid UUID\n");
			return 2;
		}
		uuid = optarg;
	}
	if (!uuid) {
		fprintf(stderr, "usage: vp-input-send --uuid UUID\n");
		return 2;
	}
	display = vp_display_create_from_uuid(uuid);
	if (!display) {
		fprintf(stderr, "cannot open /dev/vplane/%s: %s\n", uuid,
			strerror(errno));
		return 1;
	}
	if (!vp_display_take_ack_role(display)) {
		fprintf(stderr, "cannot take the ack role: %s\n",
			strerror(errno));
		vp_display_destroy(display);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while (fgets(line, sizeof(line), stdin)) {
		if (!strchr(line, '\n') && !feof(stdin)) {
			printf("err line too long\n");
			while ((c = getchar()) != EOF && c != '\n')
				;
			continue;
		}
		send_line(display, line);
	}
	vp_display_destroy(display);
	return 0;
}
