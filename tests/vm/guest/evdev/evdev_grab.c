// SPDX-License-Identifier: MIT
/*
 * vp-evdev-grab: stand in for the VMM's end of a vGPU's input devices
 * (driver/ABI.md, "Input devices"), the one evdev reader of the in-guest
 * tests. Opens the event nodes by their phys (evdev_node.h), grabs each
 * with EVIOCGRAB as QEMU's input-linux and virtio-input-host-pci do (the
 * driver injects only into a grabbed device), prints "ready", then one
 * line per event, flushed at once, until SIGTERM or SIGINT (exit 0).
 * Exit 1 if a node is missing or cannot be grabbed, 2 when a device goes
 * away. Two command lines, each with its own line format, which tests
 * parse:
 *
 * vp-evdev-grab PHYS...  (up to 8; each PHYS has a '/', e.g.
 *   vplane/<uuid>/kbd, vplane/<uuid>/head0): every event but SYN_REPORT,
 *     PHYS TYPE CODE VALUE SEC.USEC
 *   (decimal; the kernel's event time, CLOCK_REALTIME as `date +%s.%N`).
 *
 * vp-evdev-grab UUID HEAD: the vGPU's keyboard and head HEAD's pointer,
 *   every event, SYN included,
 *     T_US kbd|ptr TYPE CODE VALUE
 *   (T_US: the event time in microseconds of CLOCK_MONOTONIC, set with
 *   EVIOCSCLOCKID, so a test can compare it with its own monotonic clock).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "evdev_node.h"

#define MAX_NODES 8

struct node {
	char label[128]; /* the PHYS, or "kbd"/"ptr" */
	int fd;
};

static volatile sig_atomic_t stop;

static void handle_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The UUID HEAD form: monotonic timestamps in microseconds, SYN kept. */
static bool by_uuid;

static void print_event(const struct node *n, const struct input_event *ev)
{
	if (by_uuid)
		printf("%lld %s %u %u %d\n",
		       (long long)ev->input_event_sec * 1000000 +
			       ev->input_event_usec,
		       n->label, ev->type, ev->code, ev->value);
	else if (ev->type != EV_SYN)
		printf("%s %u %u %d %ld.%06ld\n", n->label, ev->type, ev->code,
		       ev->value, (long)ev->input_event_sec,
		       (long)ev->input_event_usec);
}

/* Opens and grabs @phys into @n, labelled @label; false after saying why. */
static bool open_node(struct node *n, const char *phys, const char *label)
{
	int clock = CLOCK_MONOTONIC;

	snprintf(n->label, sizeof(n->label), "%s", label);
	n->fd = evdev_node_open(phys, O_NONBLOCK, true);
	if (n->fd < 0)
		return false;
	if (by_uuid && ioctl(n->fd, EVIOCSCLOCKID, &clock)) {
		fprintf(stderr, "%s: EVIOCSCLOCKID: %s\n", phys,
			strerror(errno));
		return false;
	}
	return true;
}

/* Prints what @n has; false when its device is gone. */
static bool drain(const struct node *n)
{
	struct input_event ev[64];
	ssize_t got = read(n->fd, ev, sizeof(ev));

	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (got <= 0) {
		fprintf(stderr, "%s: %s\n", n->label,
			got ? strerror(errno) : "end of file");
		return false;
	}
	for (size_t i = 0; i < (size_t)got / sizeof(ev[0]); i++)
		print_event(n, &ev[i]);
	fflush(stdout);
	return true;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: vp-evdev-grab PHYS... (up to %d, e.g. "
		"vplane/UUID/kbd)\n"
		"       vp-evdev-grab UUID HEAD\n",
		MAX_NODES);
	return 1;
}

int main(int argc, char **argv)
{
	struct node nodes[MAX_NODES];
	struct pollfd pfd[MAX_NODES];
	char phys[128];
	int n = 0;

	if (argc < 2)
		return usage();
	/* a phys always has a '/'; a UUID never */
	by_uuid = argc == 3 && !strchr(argv[1], '/');
	if (by_uuid) {
		snprintf(phys, sizeof(phys), "vplane/%s/kbd", argv[1]);
		if (!open_node(&nodes[n++], phys, "kbd"))
			return 1;
		snprintf(phys, sizeof(phys), "vplane/%s/head%s", argv[1],
			 argv[2]);
		if (!open_node(&nodes[n++], phys, "ptr"))
			return 1;
	} else {
		if (argc - 1 > MAX_NODES)
			return usage();
		for (; n < argc - 1; n++)
			if (!open_node(&nodes[n], argv[n + 1], argv[n + 1]))
				return 1;
	}
	for (int i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = nodes[i].fd, .events = POLLIN };
	signal(SIGTERM, handle_signal);
	signal(SIGINT, handle_signal);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		if (poll(pfd, (nfds_t)n, 200) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		for (int i = 0; i < n; i++)
			if (pfd[i].revents && !drain(&nodes[i]))
				return 2;
	}
	return 0;
}
