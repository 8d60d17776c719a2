// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <wayland-server-core.h>

#include "log_sink.h"
#include "accept_guard.h"
#include "control.h"
#include "fd_limit.h"
#include "server.h"

#define MAX_RESTRICTED 8

struct vpd_control {
	struct vpd_server *server;
	int fd; /* listening, owned */
	struct wl_event_source *fd_source;
	struct vpd_accept_guard guard;
	struct wl_listener client_created; /* every client, public ones too */
	bool public_limited;		   /* logged, refusing public clients */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct wl_global *restricted[MAX_RESTRICTED];
	size_t nr_restricted;
	struct wl_list clients; /* control_client.link */
};

/* One client that came in through the control socket. */
struct control_client {
	struct wl_client *client;
	struct wl_listener destroy;
	struct wl_list link; /* vpd_control.clients */
};

static bool is_control_client(const struct vpd_control *control,
			      const struct wl_client *client)
{
	const struct control_client *cc;

	wl_list_for_each(cc, &control->clients, link) {
		if (cc->client == client)
			return true;
	}
	return false;
}

static bool filter_global(const struct wl_client *client,
			  const struct wl_global *global, void *data)
{
	const struct vpd_control *control = data;
	size_t i;

	for (i = 0; i < control->nr_restricted; i++) {
		if (control->restricted[i] == global)
			return is_control_client(control, client);
	}
	return true;
}

static void handle_client_destroy(struct wl_listener *listener, void *data)
{
	struct control_client *cc = wl_container_of(listener, cc, destroy);

	wl_list_remove(&cc->destroy.link);
	wl_list_remove(&cc->link);
	free(cc);
}

static int handle_control_fd(int fd, uint32_t mask, void *data)
{
	struct vpd_control *control = data;
	struct control_client *cc;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	int cfd;

	cfd = vpd_accept_guard_accept(&control->guard, fd, SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	cc = calloc(1, sizeof(*cc));
	if (!cc) {
		log_errno("calloc");
		close(cfd);
		return 0;
	}
	cc->client = wl_client_create(control->server->display, cfd);
	if (!cc->client) {
		/* libwayland leaves the fd to us on failure */
		log_error("control socket: cannot create a client");
		close(cfd);
		free(cc);
		return 0;
	}
	cc->destroy.notify = handle_client_destroy;
	wl_client_add_destroy_listener(cc->client, &cc->destroy);
	wl_list_insert(&control->clients, &cc->link);
	wl_client_get_credentials(cc->client, &pid, &uid, &gid);
	log_info("control client connected: pid %d uid %u", (int)pid,
		 (unsigned int)uid);
	return 0;
}

/* A public client refused at the descriptor limit, destroyed from the
 * loop (not inside libwayland's wl_client_create). */
struct doomed_client {
	struct wl_client *client;
	struct wl_listener destroy;
	struct wl_event_source *idle;
};

static void doomed_free(struct doomed_client *d)
{
	wl_list_remove(&d->destroy.link);
	free(d);
}

static void handle_doomed_destroy(struct wl_listener *listener, void *data)
{
	struct doomed_client *d = wl_container_of(listener, d, destroy);

	wl_event_source_remove(d->idle);
	doomed_free(d);
}

static void handle_doomed_idle(void *data)
{
	struct doomed_client *d = data;
	struct wl_client *client = d->client;

	doomed_free(d);
	wl_client_destroy(client);
}

/*
 * libwayland accepts the public socket's clients itself: one that got a
 * descriptor from the compositor's reserve (fd_limit.h) is closed at
 * once, so clients never hold the reserve and the listener never finds
 * the process at EMFILE (where libwayland's accept would spin).
 */
static void handle_client_created(struct wl_listener *listener, void *data)
{
	struct vpd_control *control =
		wl_container_of(listener, control, client_created);
	struct wl_client *client = data;
	struct doomed_client *d;

	if (enc_fd_client_ok(wl_client_get_fd(client))) {
		if (control->public_limited)
			log_info("Wayland socket: accepting clients "
				 "again");
		control->public_limited = false;
		return;
	}
	if (!control->public_limited)
		log_error("Wayland socket: out of descriptors (clients may use "
			  "%d): closing new clients until some leave",
			  enc_fd_client_limit());
	control->public_limited = true;
	d = calloc(1, sizeof(*d));
	if (!d)
		return;
	d->client = client;
	d->idle = wl_event_loop_add_idle(
		wl_display_get_event_loop(control->server->display),
		handle_doomed_idle, d);
	if (!d->idle) {
		free(d);
		return;
	}
	d->destroy.notify = handle_doomed_destroy;
	wl_client_add_destroy_listener(client, &d->destroy);
}

static bool control_path(char *out, size_t size, const char *socket_name)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	int n;

	if (socket_name[0] == '/')
		n = snprintf(out, size, "%s-control", socket_name);
	else if (dir)
		n = snprintf(out, size, "%s/%s-control", dir, socket_name);
	else
		return false;
	return n > 0 && (size_t)n < size;
}

struct vpd_control *vpd_control_create(struct vpd_server *server,
				       const char *socket_name)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct vpd_control *control = calloc(1, sizeof(*control));
	mode_t old_umask;
	int ret;

	if (!control) {
		log_errno("calloc");
		return NULL;
	}
	control->server = server;
	control->fd = -1;
	wl_list_init(&control->clients);
	if (!control_path(control->path, sizeof(control->path), socket_name)) {
		log_error(
			"no path for the control socket of %s (XDG_RUNTIME_DIR "
			"unset or the name too long)",
			socket_name);
		goto err_free;
	}
	control->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (control->fd < 0) {
		log_errno("control socket");
		goto err_free;
	}
	memcpy(addr.sun_path, control->path, sizeof(control->path));
	/* the Wayland socket's lock is ours, so a file here is stale */
	unlink(control->path);
	/* 0600 from the start: no window in which others could connect */
	old_umask = umask(0177);
	ret = bind(control->fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_umask);
	if (ret < 0 || listen(control->fd, 16) < 0) {
		log_error("cannot listen on control socket %s: %s",
			  control->path, strerror(errno));
		goto err_close;
	}
	control->fd_source = wl_event_loop_add_fd(
		wl_display_get_event_loop(server->display), control->fd,
		WL_EVENT_READABLE, handle_control_fd, control);
	if (!control->fd_source ||
	    !vpd_accept_guard_init(&control->guard,
				   wl_display_get_event_loop(server->display),
				   control->fd_source, "control socket")) {
		log_error("cannot add the control socket to the loop");
		if (control->fd_source)
			wl_event_source_remove(control->fd_source);
		goto err_unlink;
	}
	control->client_created.notify = handle_client_created;
	wl_display_add_client_created_listener(server->display,
					       &control->client_created);
	wl_display_set_global_filter(server->display, filter_global, control);
	log_info("control socket: %s", control->path);
	return control;

err_unlink:
	unlink(control->path);
err_close:
	close(control->fd);
err_free:
	free(control);
	return NULL;
}

void vpd_control_destroy(struct vpd_control *control)
{
	struct control_client *cc, *tmp;

	if (!control)
		return;
	wl_display_set_global_filter(control->server->display, NULL, NULL);
	wl_list_remove(&control->client_created.link);
	vpd_accept_guard_finish(&control->guard);
	wl_list_for_each_safe(cc, tmp, &control->clients, link) {
		wl_list_remove(&cc->destroy.link);
		wl_list_remove(&cc->link);
		free(cc);
	}
	wl_event_source_remove(control->fd_source);
	unlink(control->path);
	close(control->fd);
	free(control);
}

bool vpd_control_restrict_global(struct vpd_control *control,
				 const struct wl_global *global)
{
	if (control->nr_restricted == MAX_RESTRICTED) {
		log_error("too many restricted globals");
		return false;
	}
	control->restricted[control->nr_restricted++] = global;
	return true;
}
