// SPDX-License-Identifier: MIT
/*
 * vp-input-inject UUID CODE N: the latency baseline of the WebRTC input
 * test. The shortest path into a vGPU's keyboard: this process opens
 * /dev/vplane/UUID, takes the ack role (only its holder may inject, so
 * vplaned must not be running) and presses and releases key CODE N
 * times with VPLANE_DISPLAY_INPUT (libvplane's vp_display_send_input),
 * each press one batch (key, SYN_REPORT). Before each press it prints
 *
 *   T_US
 *
 * (CLOCK_MONOTONIC, as vp-evdev-grab's timestamps), and it waits
 * PAUSE_MS (20) between a press and its release and between presses,
 * so each press is one reading. Exit 1 on any failure (logged).
 */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vplane/display.h"

#define PAUSE_MS 20

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void pause_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static bool key(struct vp_display *display, unsigned int code, int value)
{
	const struct vplane_input_event events[] = {
		{ .type = EV_KEY, .code = (__u16)code, .value = value },
		{ .type = EV_SYN, .code = SYN_REPORT, .value = 0 },
	};

	return vp_display_send_input(display, VPLANE_INPUT_KEYBOARD, 0, events,
				     2);
}

int main(int argc, char **argv)
{
	struct vp_display *display;
	char *end;
	unsigned long code, n, i;

	if (argc != 4) {
		fprintf(stderr, "usage: vp-input-inject UUID CODE N\n");
		return 2;
	}
	code = strtoul(argv[2], &end, 10);
	if (*end || code < 1 || code > KEY_MICMUTE) {
		fprintf(stderr, "vp-input-inject: bad key code %s\n", argv[2]);
		return 2;
	}
	n = strtoul(argv[3], &end, 10);
	if (*end || n < 1 || n > 100000) {
		fprintf(stderr, "vp-input-inject: bad count %s\n", argv[3]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	display = vp_display_create_from_uuid(argv[1]);
	if (!display || !vp_display_take_ack_role(display)) {
		fprintf(stderr, "vp-input-inject: %s: %s\n", argv[1],
			strerror(errno));
		vp_display_destroy(display);
		return 1;
	}
	for (i = 0; i < n; i++) {
		printf("%lld\n", now_us());
		if (!key(display, (unsigned int)code, 1)) {
			fprintf(stderr, "vp-input-inject: press %lu: %s\n", i,
				strerror(errno));
			vp_display_destroy(display);
			return 1;
		}
		pause_ms(PAUSE_MS);
		if (!key(display, (unsigned int)code, 0)) {
			fprintf(stderr, "vp-input-inject: release %lu: %s\n", i,
				strerror(errno));
			vp_display_destroy(display);
			return 1;
		}
		pause_ms(PAUSE_MS);
	}
	vp_display_destroy(display);
	return 0;
}
