// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "accept_guard.h"
#include "fd_limit.h"

static int handle_timer(void *data)
{
	struct vp_accept_guard *guard = data;

	wl_event_source_fd_update(guard->source, WL_EVENT_READABLE);
	return 0;
}

bool vp_accept_guard_init(struct vp_accept_guard *guard,
			  struct wl_event_loop *loop,
			  struct wl_event_source *source, const char *what)
{
	vp_fd_limit_init();
	guard->what = what;
	guard->source = source;
	guard->limited = false;
	guard->timer = wl_event_loop_add_timer(loop, handle_timer, guard);
	return guard->timer;
}

void vp_accept_guard_finish(struct vp_accept_guard *guard)
{
	if (guard->timer)
		wl_event_source_remove(guard->timer);
	guard->timer = NULL;
}

static void back_off(struct vp_accept_guard *guard, int err)
{
	if (!guard->limited)
		wlr_log(WLR_ERROR,
			"%s: out of descriptors (%s; clients may use %d): not "
			"accepting connections until some close",
			guard->what, strerror(err), vp_fd_client_limit());
	guard->limited = true;
	wl_event_source_fd_update(guard->source, 0);
	wl_event_source_timer_update(guard->timer, VP_FD_BACKOFF_MS);
}

int vp_accept_guard_accept(struct vp_accept_guard *guard, int fd, int flags)
{
	int cfd;

	if (!vp_fd_room(fd)) {
		back_off(guard, errno);
		return -1;
	}
	cfd = accept4(fd, NULL, NULL, flags);
	if (cfd < 0) {
		if (vp_fd_exhausted_errno(errno))
			back_off(guard, errno);
		else if (errno != EAGAIN && errno != EINTR &&
			 errno != ECONNABORTED)
			wlr_log_errno(WLR_ERROR, "%s: accept", guard->what);
		return -1;
	}
	if (!vp_fd_client_ok(cfd)) {
		close(cfd);
		back_off(guard, EMFILE);
		return -1;
	}
	if (guard->limited) {
		wlr_log(WLR_INFO, "%s: accepting connections again",
			guard->what);
		guard->limited = false;
	}
	return cfd;
}
