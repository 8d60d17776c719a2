// SPDX-License-Identifier: MIT
/*
 * vp-evdev-grab UUID HEAD: stand in for the VMM on a vGPU's input
 * devices (driver/ABI.md, "Input devices"). Finds the vGPU's keyboard
 * (phys vplane/UUID/kbd) and head HEAD's pointer (vplane/UUID/headN) in
 * /sys/class/input, opens their event nodes and grabs them (EVIOCGRAB,
 * as QEMU's input-linux does: vplane.ko passes injected events only
 * while a reader holds the grab), prints "ready", then one line per
 * event until SIGTERM or SIGINT:
 *
 *   T_US kbd|ptr TYPE CODE VALUE
 *
 * T_US is the event's own timestamp (CLOCK_MONOTONIC, set with
 * EVIOCSCLOCKID), so a test can compare it with its own monotonic
 * clock. Lines are flushed as they come. Exit 1 if a device is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void handle_signal(int sig)
{
	stop = 1;
}

/* The event node whose device's phys is @phys: opened and grabbed, or
 * -1. */
static int open_by_phys(const char *phys)
{
	char path[300], buf[128];
	int clock = CLOCK_MONOTONIC;
	int fd;
	FILE *f;

	for (int i = 0; i < 1024; i++) {
		snprintf(path, sizeof(path),
			 "/sys/class/input/event%d/device/phys", i);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		buf[strcspn(buf, "\n")] = 0;
		if (strcmp(buf, phys))
			continue;
		snprintf(path, sizeof(path), "/dev/input/event%d", i);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			return -1;
		}
		if (ioctl(fd, EVIOCSCLOCKID, &clock) < 0 ||
		    ioctl(fd, EVIOCGRAB, 1) < 0) {
			fprintf(stderr, "%s: grab: %s\n", path,
				strerror(errno));
			close(fd);
			return -1;
		}
		return fd;
	}
	fprintf(stderr, "no input device with phys %s\n", phys);
	return -1;
}

int main(int argc, char **argv)
{
	static const char *const names[2] = { "kbd", "ptr" };
	struct pollfd pfd[2];
	struct input_event ev[64];
	char phys[128];
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: %s UUID HEAD\n", argv[0]);
		return 2;
	}
	snprintf(phys, sizeof(phys), "vplane/%s/kbd", argv[1]);
	pfd[0] = (struct pollfd){ .fd = open_by_phys(phys), .events = POLLIN };
	snprintf(phys, sizeof(phys), "vplane/%s/head%s", argv[1], argv[2]);
	pfd[1] = (struct pollfd){ .fd = open_by_phys(phys), .events = POLLIN };
	if (pfd[0].fd < 0 || pfd[1].fd < 0)
		return 1;
	signal(SIGTERM, handle_signal);
	signal(SIGINT, handle_signal);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		if (poll(pfd, 2, 200) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		for (int d = 0; d < 2; d++) {
			if (!(pfd[d].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			n = read(pfd[d].fd, ev, sizeof(ev));
			if (n < 0 && errno == EAGAIN)
				continue;
			if (n <= 0) {
				fprintf(stderr, "%s: read: %s\n", names[d],
					n ? strerror(errno) : "end");
				return 1;
			}
			for (size_t i = 0; i < (size_t)n / sizeof(ev[0]); i++)
				printf("%lld %s %u %u %d\n",
				       (long long)ev[i].input_event_sec *
						       1000000 +
					       ev[i].input_event_usec,
				       names[d], ev[i].type, ev[i].code,
				       ev[i].value);
			fflush(stdout);
		}
	}
	return 0;
}
