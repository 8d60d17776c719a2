// SPDX-License-Identifier: MIT
/*
 * vp-evdev-grab PHYS...: stand in for the VMM's end of vplane's input
 * devices. Opens the event nodes whose phys is one of PHYS (e.g.
 * vplane/<uuid>/kbd, vplane/<uuid>/head0), grabs each with EVIOCGRAB as
 * QEMU's input-linux and virtio-input-host-pci do (the driver injects
 * only into a grabbed device), prints "ready" and then one line per
 * event other than SYN_REPORT:
 *   PHYS TYPE CODE VALUE SEC.USEC
 * (decimal; the time is the kernel's event timestamp, CLOCK_REALTIME as
 * `date +%s.%N`), flushed at once. Runs until SIGTERM; exits 1 if a node
 * is missing or cannot be grabbed, 2 when a device goes away.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/input.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_NODES 8

static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	buf[ok ? strcspn(buf, "\n") : 0] = '\0';
	return ok;
}

/* The open, grabbed event node whose phys is @phys; -1 after saying why. */
static int open_phys(const char *phys)
{
	char path[PATH_MAX], buf[256];
	struct dirent *de;
	DIR *dir = opendir("/sys/class/input");
	int fd = -1;

	while (dir && (de = readdir(dir))) {
		if (strncmp(de->d_name, "event", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/class/input/%s/device/phys",
			 de->d_name);
		if (!read_line(path, buf, sizeof(buf)) || strcmp(buf, phys))
			continue;
		snprintf(path, sizeof(path), "/dev/input/%s", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, EVIOCGRAB, 1)) {
			fprintf(stderr, "%s (%s): %s\n", path, phys,
				strerror(errno));
			if (fd >= 0)
				close(fd);
			fd = -1;
		}
		break;
	}
	if (dir)
		closedir(dir);
	if (fd < 0 && !dir)
		fprintf(stderr, "/sys/class/input: %s\n", strerror(errno));
	else if (fd < 0)
		fprintf(stderr, "no event node with phys %s\n", phys);
	return fd;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[MAX_NODES];
	struct input_event ev[64];
	int n = argc - 1, i, j;

	if (n < 1 || n > MAX_NODES) {
		fprintf(stderr, "usage: vp-evdev-grab PHYS... (up to %d)\n",
			MAX_NODES);
		return 1;
	}
	for (i = 0; i < n; i++) {
		pfd[i].fd = open_phys(argv[i + 1]);
		pfd[i].events = POLLIN;
		if (pfd[i].fd < 0)
			return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		for (i = 0; i < n; i++) {
			ssize_t got;

			if (!pfd[i].revents)
				continue;
			got = read(pfd[i].fd, ev, sizeof(ev));
			if (got < 0 && errno == EAGAIN)
				continue;
			if (got <= 0) {
				fprintf(stderr, "%s: %s\n", argv[i + 1],
					got ? strerror(errno) : "end of file");
				return 2;
			}
			for (j = 0; j < (int)(got / (ssize_t)sizeof(ev[0]));
			     j++) {
				if (ev[j].type == EV_SYN)
					continue;
				printf("%s %u %u %d %ld.%06ld\n", argv[i + 1],
				       ev[j].type, ev[j].code, ev[j].value,
				       (long)ev[j].input_event_sec,
				       (long)ev[j].input_event_usec);
			}
			fflush(stdout);
		}
	}
}
