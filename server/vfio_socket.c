// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <vplane/display.h>

#include "log_sink.h"
#include "accept_guard.h"
#include "server.h"
#include "head.h"
#include "upstream.h"
#include "vgpu_node.h"
#include "vfio_socket.h"

#define NAME_MAX_LEN 39

struct vpd_vfio_socket {
	struct vpd_server *server;
	char *path;
	int fd;
	struct wl_event_source *source;
	struct vpd_accept_guard guard; /* backs off at the descriptor limit */
	struct wl_list conns;	       /* conn.link */
};

/* One VMM's connection and the vGPU it handed over. */
struct conn {
	struct vpd_vfio_socket *sock;
	int fd;
	struct wl_event_source *source;
	struct vpd_vgpu *vgpu; /* NULL until a device came, or once dropped */
	struct wl_listener vgpu_destroy;
	struct wl_list link;
};

static void reply(struct conn *conn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reply(struct conn *conn, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* a client that stopped reading loses its answer, not our time */
	if (send(conn->fd, msg, strnlen(msg, sizeof(msg)),
		 MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("vfio-socket: reply lost: %s", strerror(errno));
}

static void conn_destroy(struct conn *conn)
{
	if (conn->vgpu)
		wl_list_remove(&conn->vgpu_destroy.link);
	wl_event_source_remove(conn->source);
	close(conn->fd);
	wl_list_remove(&conn->link);
	free(conn);
}

static void handle_vgpu_destroy(struct wl_listener *listener, void *data)
{
	struct conn *conn = wl_container_of(listener, conn, vgpu_destroy);

	wl_list_remove(&conn->vgpu_destroy.link);
	conn->vgpu = NULL;
}

static bool name_valid(const char *s, size_t n)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-";

	return n >= 1 && n <= NAME_MAX_LEN && strspn(s, ok) == n;
}

/* Read the one message: name + fd. Returns the fd (or -1 after
 * replying why), the name in @name. */
static int receive_device(struct conn *conn, char *name, size_t len)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} control;
	struct iovec iov = { .iov_base = name, .iov_len = len - 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	int fd = -1, extra = 0;
	ssize_t n;

	n = recvmsg(conn->fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return -1;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		size_t i, nfds;
		int *fds = (int *)CMSG_DATA(cmsg);

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfds; i++) {
			if (fd < 0) {
				fd = fds[i];
			} else {
				close(fds[i]);
				extra++;
			}
		}
	}
	name[n > 0 ? n : 0] = 0;
	if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC) || extra ||
	    !name_valid(name, (size_t)n) || fd < 0) {
		reply(conn,
		      "error: expected one message: a name (1-%d of "
		      "[A-Za-z0-9._:-]) and exactly one fd",
		      NAME_MAX_LEN);
		log_error(
			"vfio-socket: malformed hand-over (%zd bytes, %s fd%s)",
			n, fd < 0 ? "no" : "one", extra ? " and more" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * A vplane display fd (VPLANE_VFIO_GET_DISPLAY_FD on the VMM's device, or
 * an open /dev/vplane node) answers the display node's GET_INFO; a VFIO
 * device fd refuses it (ENOTTY), so it takes the upstream path.
 */
static bool is_display_fd(int fd)
{
	struct vplane_display_info info = { .argsz = sizeof(info) };

	return ioctl(fd, VPLANE_DISPLAY_GET_INFO, &info) == 0;
}

static int handle_conn(int fd, uint32_t mask, void *data)
{
	struct conn *conn = data;
	struct vpd_server *server = conn->sock->server;
	char name[NAME_MAX_LEN + 2];
	struct vpd_vgpu *vgpu, *shown;
	struct stat st;
	uint32_t h;
	int dev;

	if (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR) || conn->vgpu) {
		/* the VMM let go (or talks after the hand-over): drop it */
		if (conn->vgpu) {
			log_info("vfio-socket: %s: the VMM closed its "
				 "connection; dropping the vGPU",
				 conn->vgpu->name);
			vgpu = conn->vgpu;
			wl_list_remove(&conn->vgpu_destroy.link);
			conn->vgpu = NULL;
			vpd_server_drop_vgpu(server, vgpu);
		}
		conn_destroy(conn);
		return 0;
	}
	dev = receive_device(conn, name, sizeof(name));
	if (dev < 0) {
		conn_destroy(conn);
		return 0;
	}
	/* one vGPU is shown once: not under a name in use, nor a display
	 * node already open under another name */
	shown = vpd_server_find_vgpu(server, name);
	if (!shown && !fstat(dev, &st) && S_ISCHR(st.st_mode))
		shown = vpd_server_find_node(server, st.st_rdev);
	if (shown) {
		reply(conn, "error: %s: this vGPU is shown already as %s", name,
		      shown->name);
		log_error("vfio-socket: %s: shown already as %s", name,
			  shown->name);
		close(dev);
		conn_destroy(conn);
		return 0;
	}
	vgpu = is_display_fd(dev)
		       ? vpd_node_vgpu_create_from_fd(server, dev, name)
		       : vpd_upstream_vgpu_create(server, dev, name);
	if (!vgpu) {
		reply(conn,
		      "error: %s: neither a vplane display fd nor a VFIO "
		      "device with dma-buf display planes (see vplaned's log)",
		      name);
		conn_destroy(conn);
		return 0;
	}

	conn->vgpu = vgpu;
	conn->vgpu_destroy.notify = handle_vgpu_destroy;
	wl_signal_add(&vgpu->heads[0].events.destroy, &conn->vgpu_destroy);
	for (h = 0; h < vpd_vgpu_nr_heads(vgpu); h++)
		vpd_server_place_head(server, vpd_vgpu_get_head(vgpu, h));
	reply(conn, "ok");
	return 0;
}

static int handle_listen(int fd, uint32_t mask, void *data)
{
	struct vpd_vfio_socket *sock = data;
	struct wl_event_loop *loop =
		wl_display_get_event_loop(sock->server->display);
	struct conn *conn;
	int cfd;

	cfd = vpd_accept_guard_accept(&sock->guard, fd,
				      SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return 0;
	conn = calloc(1, sizeof(*conn));
	if (!conn) {
		close(cfd);
		return 0;
	}
	conn->sock = sock;
	conn->fd = cfd;
	conn->source = wl_event_loop_add_fd(loop, cfd, WL_EVENT_READABLE,
					    handle_conn, conn);
	if (!conn->source) {
		close(cfd);
		free(conn);
		return 0;
	}
	wl_list_insert(&sock->conns, &conn->link);
	return 0;
}

struct vpd_vfio_socket *vpd_vfio_socket_create(struct vpd_server *server,
					       const char *path)
{
	struct wl_event_loop *loop = wl_display_get_event_loop(server->display);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct vpd_vfio_socket *sock;
	struct stat st;
	mode_t old_umask;
	int ret;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		log_error("--vfio-socket %s: path too long", path);
		return NULL;
	}
	if (!lstat(path, &st) && !S_ISSOCK(st.st_mode)) {
		log_error("--vfio-socket %s: exists and is not a socket; not "
			  "replacing it",
			  path);
		return NULL;
	}
	sock = calloc(1, sizeof(*sock));
	if (!sock)
		return NULL;
	sock->server = server;
	sock->fd = -1;
	wl_list_init(&sock->conns);
	sock->path = strdup(path);
	sock->fd = socket(AF_UNIX,
			  SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (!sock->path || sock->fd < 0)
		goto err;
	strcpy(addr.sun_path, path);
	unlink(path);
	/* 0600 from the start, as the control socket: a chmod after bind
	 * would leave a window in which others could connect */
	old_umask = umask(0177);
	ret = bind(sock->fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_umask);
	if (ret || listen(sock->fd, 8))
		goto err;
	sock->source = wl_event_loop_add_fd(loop, sock->fd, WL_EVENT_READABLE,
					    handle_listen, sock);
	if (!sock->source)
		goto err;
	if (!vpd_accept_guard_init(&sock->guard, loop, sock->source,
				   "vfio-socket")) {
		wl_event_source_remove(sock->source);
		goto err;
	}
	log_info("accepting VFIO device fds on %s", path);
	return sock;

err:
	log_error("--vfio-socket %s: %s", path, strerror(errno));
	if (sock->fd >= 0)
		close(sock->fd);
	free(sock->path);
	free(sock);
	return NULL;
}

void vpd_vfio_socket_destroy(struct vpd_vfio_socket *sock)
{
	struct conn *conn, *tmp;

	if (!sock)
		return;
	wl_list_for_each_safe(conn, tmp, &sock->conns, link)
		conn_destroy(conn);
	vpd_accept_guard_finish(&sock->guard);
	wl_event_source_remove(sock->source);
	close(sock->fd);
	unlink(sock->path);
	free(sock->path);
	free(sock);
}
