// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <wayland-server-core.h>

#include "log_sink.h"
#include "accept_guard.h"
#include "fd_limit.h"

static int handle_timer(void *data)
{
	struct vpd_accept_guard *guard = data;

	wl_event_source_fd_update(guard->source, WL_EVENT_READABLE);
	return 0;
}

bool vpd_accept_guard_init(struct vpd_accept_guard *guard,
			   struct wl_event_loop *loop,
			   struct wl_event_source *source, const char *what)
{
	enc_fd_limit_init();
	guard->what = what;
	guard->source = source;
	guard->limited = false;
	guard->timer = wl_event_loop_add_timer(loop, handle_timer, guard);
	return guard->timer;
}

void vpd_accept_guard_finish(struct vpd_accept_guard *guard)
{
	if (guard->timer)
		wl_event_source_remove(guard->timer);
	guard->timer = NULL;
}

static void back_off(struct vpd_accept_guard *guard, int err)
{
	if (!guard->limited)
		log_error(
			"%s: out of descriptors (%s; clients may use %d): not "
			"accepting connections until some close",
			guard->what, strerror(err), enc_fd_client_limit());
	guard->limited = true;
	wl_event_source_fd_update(guard->source, 0);
	wl_event_source_timer_update(guard->timer, ENC_FD_BACKOFF_MS);
}

int vpd_accept_guard_accept(struct vpd_accept_guard *guard, int fd, int flags)
{
	int cfd;

	if (!enc_fd_room(fd)) {
		back_off(guard, errno);
		return -1;
	}
	cfd = accept4(fd, NULL, NULL, flags);
	if (cfd < 0) {
		if (enc_fd_exhausted_errno(errno))
			back_off(guard, errno);
		else if (errno != EAGAIN && errno != EINTR &&
			 errno != ECONNABORTED)
			log_errno("%s: accept", guard->what);
		return -1;
	}
	if (!enc_fd_client_ok(cfd)) {
		close(cfd);
		back_off(guard, EMFILE);
		return -1;
	}
	if (guard->limited) {
		log_info("%s: accepting connections again", guard->what);
		guard->limited = false;
	}
	return cfd;
}
