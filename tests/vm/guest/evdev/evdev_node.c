// SPDX-License-Identifier: MIT
/* Event nodes by phys: see evdev_node.h. */
#include "evdev_node.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/input.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

bool evdev_sysfs_line(const char *path, char *buf, size_t len)
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

bool evdev_node_find(const char *phys, char *event, size_t len)
{
	char path[PATH_MAX], buf[256];
	struct dirent *de;
	DIR *dir = opendir("/sys/class/input");
	bool found = false;

	while (dir && !found && (de = readdir(dir))) {
		if (strncmp(de->d_name, "event", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/class/input/%s/device/phys",
			 de->d_name);
		if (!evdev_sysfs_line(path, buf, sizeof(buf)) ||
		    strcmp(buf, phys))
			continue;
		found = (size_t)snprintf(event, len, "%s", de->d_name) < len;
	}
	if (dir)
		closedir(dir);
	return found;
}

int evdev_node_open(const char *phys, int flags, bool grab)
{
	char event[NAME_MAX + 1], path[PATH_MAX];
	int fd;

	if (!evdev_node_find(phys, event, sizeof(event))) {
		fprintf(stderr, "no event node with phys %s\n", phys);
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/input/%s", event);
	fd = open(path, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0) {
		fprintf(stderr, "%s (%s): %s\n", path, phys, strerror(errno));
		return -1;
	}
	if (grab && ioctl(fd, EVIOCGRAB, 1)) {
		fprintf(stderr, "%s (%s): grab: %s\n", path, phys,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
