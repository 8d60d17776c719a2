// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "log_sink.h"
#include "hotplug.h"
#include "server.h"
#include "head.h"

#define DEV_DIR	 "/dev"
#define NODE_DIR "/dev/vplane"

struct vpd_hotplug {
	struct vpd_server *server;
	int fd; /* owned inotify fd */
	int dev_wd;
	int dir_wd; /* -1 while /dev/vplane does not exist */
	struct wl_event_source *fd_source;
};

/* Display nodes are named by the mdev's UUID. */
static bool node_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n < 40 && strspn(name, "0123456789abcdefABCDEF-") == n;
}

static void node_added(struct vpd_hotplug *hotplug, const char *name)
{
	struct vpd_vgpu *vgpu;

	if (!node_name_valid(name) ||
	    vpd_server_find_vgpu(hotplug->server, name))
		return;
	log_info("vGPU %s appeared", name);
	vgpu = vpd_server_add_vgpu(hotplug->server, name, NULL);
	if (vgpu)
		vgpu->hotplugged = true;
}

static void node_removed(struct vpd_hotplug *hotplug, const char *name)
{
	struct vpd_vgpu *vgpu = vpd_server_find_vgpu(hotplug->server, name);

	if (!vgpu || !vgpu->hotplugged)
		return; /* configured ones stay, shown black once gone */
	log_info("vGPU %s disappeared; dropping it", name);
	vpd_server_drop_vgpu(hotplug->server, vgpu);
}

/* Open every node in the directory that is not open yet. */
static void scan_dir(struct vpd_hotplug *hotplug)
{
	DIR *dir = opendir(NODE_DIR);
	struct dirent *ent;

	if (!dir) {
		if (errno != ENOENT)
			log_errno("cannot list " NODE_DIR);
		return;
	}
	while ((ent = readdir(dir)))
		node_added(hotplug, ent->d_name);
	closedir(dir);
}

/* (Re)watch /dev/vplane if it exists; then pick up what is in it. */
static void watch_dir(struct vpd_hotplug *hotplug)
{
	if (hotplug->dir_wd >= 0)
		return;
	hotplug->dir_wd =
		inotify_add_watch(hotplug->fd, NODE_DIR,
				  IN_CREATE | IN_DELETE | IN_MOVED_TO |
					  IN_MOVED_FROM | IN_ONLYDIR);
	if (hotplug->dir_wd < 0) {
		if (errno != ENOENT)
			log_errno("cannot watch " NODE_DIR);
		return;
	}
	scan_dir(hotplug);
}

static void handle_event(struct vpd_hotplug *hotplug,
			 const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		log_info("inotify queue overflow: rescanning " NODE_DIR);
		scan_dir(hotplug);
		return;
	}
	if (ev->wd == hotplug->dev_wd) {
		if (ev->len && !strcmp(ev->name, "vplane"))
			watch_dir(hotplug);
		return;
	}
	if (ev->wd != hotplug->dir_wd)
		return;
	if (ev->mask & IN_IGNORED) {
		hotplug->dir_wd =
			-1; /* the directory went with its last node */
		return;
	}
	if (!ev->len)
		return;
	if (ev->mask & (IN_CREATE | IN_MOVED_TO))
		node_added(hotplug, ev->name);
	else if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
		node_removed(hotplug, ev->name);
}

static int handle_inotify_fd(int fd, uint32_t mask, void *data)
{
	struct vpd_hotplug *hotplug = data;
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		ssize_t len = read(fd, buf, sizeof(buf));
		ssize_t off = 0;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_errno("inotify read");
			break;
		}
		while (off + (ssize_t)sizeof(struct inotify_event) <= len) {
			const struct inotify_event *ev =
				(const struct inotify_event *)(buf + off);

			handle_event(hotplug, ev);
			off += (ssize_t)sizeof(*ev) + ev->len;
		}
	}
	return 0;
}

struct vpd_hotplug *vpd_hotplug_create(struct vpd_server *server)
{
	struct wl_event_loop *loop = wl_display_get_event_loop(server->display);
	struct vpd_hotplug *hotplug = calloc(1, sizeof(*hotplug));

	if (!hotplug) {
		log_errno("calloc");
		return NULL;
	}
	hotplug->server = server;
	hotplug->dir_wd = -1;
	hotplug->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (hotplug->fd < 0) {
		log_errno("inotify_init1");
		goto err_free;
	}
	hotplug->dev_wd = inotify_add_watch(
		hotplug->fd, DEV_DIR, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
	if (hotplug->dev_wd < 0) {
		log_errno("cannot watch " DEV_DIR " for vGPU display nodes");
		goto err_close;
	}
	hotplug->fd_source =
		wl_event_loop_add_fd(loop, hotplug->fd, WL_EVENT_READABLE,
				     handle_inotify_fd, hotplug);
	if (!hotplug->fd_source) {
		log_error("cannot add the inotify fd to the event "
			  "loop");
		goto err_close;
	}
	watch_dir(hotplug);
	log_info("watching " NODE_DIR " for vGPUs%s",
		 hotplug->dir_wd < 0 ? " (not there yet)" : "");
	return hotplug;

err_close:
	close(hotplug->fd);
err_free:
	free(hotplug);
	return NULL;
}

void vpd_hotplug_destroy(struct vpd_hotplug *hotplug)
{
	if (!hotplug)
		return;
	wl_event_source_remove(hotplug->fd_source);
	close(hotplug->fd);
	free(hotplug);
}
