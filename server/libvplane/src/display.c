// SPDX-License-Identifier: MIT
/* The display node: open, GET_INFO, ioctls, event dispatch. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event_reader.h"
#include "info.h"
#include "log.h"
#include "vplane/display.h"

#define NODE_DIR "/dev/vplane"

struct vp_display {
	int fd;	       /* owned */
	char name[64]; /* for log messages */
	bool ack_role;
	struct vplane_display_info info;
	struct vp_event_reader reader; /* borrows fd */
};

static bool display_ioctl(struct vp_display *display, unsigned long request,
			  void *arg, const char *what)
{
	int ret;

	do {
		ret = ioctl(display->fd, request, arg);
	} while (ret < 0 && errno == EINTR);
	if (ret >= 0)
		return true;
	if (errno == ENODEV)
		vp_log_errno(VP_LOG_INFO, "%s: %s: the vGPU is gone",
			     display->name, what);
	else if (errno == EBUSY) /* falling back to observer is normal */
		vp_log_errno(VP_LOG_INFO, "%s: %s", display->name, what);
	else
		vp_log_errno(VP_LOG_ERROR, "%s: %s", display->name, what);
	return false;
}

static void close_keep_errno(int fd)
{
	int saved_errno = errno;

	close(fd);
	errno = saved_errno;
}

static bool set_fd_flags(int fd)
{
	int fdflags = fcntl(fd, F_GETFD);
	int flflags = fcntl(fd, F_GETFL);

	if (fdflags < 0 || flflags < 0) {
		vp_log_errno(VP_LOG_ERROR, "display fd %d", fd);
		return false;
	}
	if (!(fdflags & FD_CLOEXEC) &&
	    fcntl(fd, F_SETFD, fdflags | FD_CLOEXEC) < 0) {
		vp_log_errno(VP_LOG_ERROR, "display fd %d: FD_CLOEXEC", fd);
		return false;
	}
	if (!(flflags & O_NONBLOCK) &&
	    fcntl(fd, F_SETFL, flflags | O_NONBLOCK) < 0) {
		vp_log_errno(VP_LOG_ERROR, "display fd %d: O_NONBLOCK", fd);
		return false;
	}
	return true;
}

/* Takes @fd: closed on failure. @name (borrowed) is for logs. */
static struct vp_display *display_create(int fd, const char *name)
{
	struct vp_display *display;

	display = calloc(1, sizeof(*display));
	if (!display) {
		vp_log_errno(VP_LOG_ERROR, "%s", name);
		goto err_close;
	}
	display->fd = fd;
	snprintf(display->name, sizeof(display->name), "%s", name);

	display->info.argsz = sizeof(display->info);
	if (ioctl(fd, VPLANE_DISPLAY_GET_INFO, &display->info) < 0) {
		if (errno == ENOTTY)
			vp_log_errno(
				VP_LOG_ERROR,
				"%s: GET_INFO (not a vplane display node?)",
				name);
		else
			vp_log_errno(VP_LOG_ERROR, "%s: GET_INFO", name);
		goto err_free;
	}
	if (!vp_info_check(&display->info))
		goto err_free;
	vp_event_reader_init(&display->reader, fd, display->info.event_size);
	return display;

err_free:
	free(display);
err_close:
	close_keep_errno(fd);
	return NULL;
}

struct vp_display *vp_display_create_from_fd(int fd)
{
	char name[32];

	if (fd < 0) {
		errno = EBADF;
		vp_log(VP_LOG_ERROR, "display fd %d: not an fd", fd);
		return NULL;
	}
	snprintf(name, sizeof(name), "display fd %d", fd);
	if (!set_fd_flags(fd)) {
		close_keep_errno(fd);
		return NULL;
	}
	return display_create(fd, name);
}

struct vp_display *vp_display_create_from_path(const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			vp_log_errno(VP_LOG_ERROR,
				     "%s: no display node (vplane.ko loaded, "
				     "mdev created, right UUID?)",
				     path);
		else if (errno == EACCES || errno == EPERM)
			vp_log_errno(
				VP_LOG_ERROR,
				"%s: the node is mode 0660 root:<display_gid>; "
				"run as root or in that group",
				path);
		else
			vp_log_errno(VP_LOG_ERROR, "open %s", path);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		vp_log_errno(VP_LOG_ERROR, "fstat %s", path);
		goto err_close;
	}
	if (!S_ISCHR(st.st_mode)) {
		errno = ENOTTY;
		vp_log(VP_LOG_ERROR, "%s: not a character device", path);
		goto err_close;
	}
	return display_create(fd, path);

err_close:
	close_keep_errno(fd);
	return NULL;
}

static bool uuid_valid(const char *uuid)
{
	size_t len = strlen(uuid), i;

	if (len == 0 || len >= sizeof(((struct vplane_display_info *)0)->uuid))
		return false;
	for (i = 0; i < len; i++) {
		char c = uuid[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F') || c == '-'))
			return false;
	}
	return true;
}

struct vp_display *vp_display_create_from_uuid(const char *uuid)
{
	char path[PATH_MAX];

	if (!uuid_valid(uuid)) {
		errno = EINVAL;
		vp_log(VP_LOG_ERROR, "\"%s\" is not an mdev UUID", uuid);
		return NULL;
	}
	snprintf(path, sizeof(path), NODE_DIR "/%s", uuid);
	return vp_display_create_from_path(path);
}

void vp_display_destroy(struct vp_display *display)
{
	if (!display)
		return;
	close(display->fd);
	free(display);
}

int vp_display_get_fd(const struct vp_display *display)
{
	return display->fd;
}

const struct vplane_display_info *
vp_display_get_info(const struct vp_display *display)
{
	return &display->info;
}

bool vp_display_dispatch(struct vp_display *display,
			 const struct vp_display_listener *listener, void *data)
{
	return vp_event_reader_dispatch(&display->reader, listener, data);
}

bool vp_display_is_gone(const struct vp_display *display)
{
	return display->reader.gone;
}

uint64_t vp_display_get_unknown_events(const struct vp_display *display)
{
	return display->reader.unknown;
}

bool vp_display_query_plane(struct vp_display *display, uint32_t head,
			    uint32_t plane, struct vplane_display_plane *out)
{
	*out = (struct vplane_display_plane){
		.argsz = sizeof(*out),
		.head = head,
		.plane = plane,
	};
	return display_ioctl(display, VPLANE_DISPLAY_QUERY_PLANE, out,
			     "QUERY_PLANE");
}

int vp_display_get_dmabuf(struct vp_display *display, uint32_t dmabuf_id)
{
	struct vplane_display_dmabuf db = {
		.argsz = sizeof(db),
		.dmabuf_id = dmabuf_id,
	};
	int flags;

	if (dmabuf_id == 0) {
		errno = EINVAL;
		vp_log(VP_LOG_ERROR, "%s: dma-buf id 0 means no buffer",
		       display->name);
		return -1;
	}
	if (!display_ioctl(display, VPLANE_DISPLAY_GET_DMABUF, &db,
			   "GET_DMABUF"))
		return -1;
	if (db.fd < 0) {
		errno = EPROTO;
		vp_log(VP_LOG_ERROR, "%s: GET_DMABUF returned fd %d",
		       display->name, db.fd);
		return -1;
	}
	/* the uapi promises O_CLOEXEC; never leak one into a child */
	flags = fcntl(db.fd, F_GETFD);
	if (flags >= 0 && !(flags & FD_CLOEXEC))
		fcntl(db.fd, F_SETFD, flags | FD_CLOEXEC);
	return db.fd;
}

int vp_display_fetch_dmabuf(void *display, uint32_t dmabuf_id)
{
	return vp_display_get_dmabuf(display, dmabuf_id);
}

bool vp_display_take_ack_role(struct vp_display *display)
{
	if (display->ack_role)
		return true;
	if (!display_ioctl(display, VPLANE_DISPLAY_TAKE_ACK_ROLE, NULL,
			   "TAKE_ACK_ROLE"))
		return false;
	display->ack_role = true;
	return true;
}

bool vp_display_drop_ack_role(struct vp_display *display)
{
	if (!display->ack_role)
		return true;
	/* the role is gone whatever the driver says: it is per fd */
	display->ack_role = false;
	return display_ioctl(display, VPLANE_DISPLAY_DROP_ACK_ROLE, NULL,
			     "DROP_ACK_ROLE");
}

bool vp_display_has_ack_role(const struct vp_display *display)
{
	return display->ack_role;
}

bool vp_display_ack_flip(struct vp_display *display, uint32_t head,
			 uint32_t seq)
{
	struct vplane_display_ack ack = {
		.argsz = sizeof(ack),
		.head = head,
		.seq = seq,
	};

	return display_ioctl(display, VPLANE_DISPLAY_ACK_FLIP, &ack,
			     "ACK_FLIP");
}

bool vp_display_get_stats(struct vp_display *display,
			  struct vplane_display_stats *out)
{
	*out = (struct vplane_display_stats){ .argsz = sizeof(*out) };
	return display_ioctl(display, VPLANE_DISPLAY_GET_STATS, out,
			     "GET_STATS");
}

bool vp_display_send_input(struct vp_display *display, uint32_t device,
			   uint32_t head,
			   const struct vplane_input_event *events,
			   uint32_t count)
{
	struct vplane_display_input in = {
		.argsz = sizeof(in),
		.device = device,
		.head = head,
		.count = count,
		.events = (uint64_t)(uintptr_t)events,
	};
	int ret;

	do {
		ret = ioctl(display->fd, VPLANE_DISPLAY_INPUT, &in);
	} while (ret < 0 && errno == EINTR);
	if (ret >= 0)
		return true;
	/* no VMM attached is a state the caller handles, not an error */
	vp_log_errno(errno == ENOTCONN || errno == ENODEV ? VP_LOG_DEBUG
							  : VP_LOG_ERROR,
		     "%s: INPUT (device %u head %u, %u events)", display->name,
		     device, head, count);
	return false;
}
