// SPDX-License-Identifier: MIT
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "event_reader.h"
#include "log.h"

#define READ_BUF_SIZE 4096
#define MAX_EVENTS    (READ_BUF_SIZE / sizeof(struct vplane_display_event))
/*
 * Reads per dispatch: far more than a driver queue holds, but a producer
 * that outruns the consumer cannot keep dispatch from returning. The fd is
 * level-triggered, so what is left wakes the loop again.
 */
#define MAX_READS     64

void vp_event_reader_init(struct vp_event_reader *reader, int fd,
			  size_t record_size)
{
	assert(vp_event_record_size_valid(record_size));
	*reader = (struct vp_event_reader){
		.fd = fd,
		.record_size = record_size,
	};
}

static void emit(const struct vp_display_listener *listener, void *data,
		 const struct vplane_display_event *ev)
{
	void (*cb)(void *data, const struct vplane_display_event *ev) = NULL;

	switch (ev->type) {
	case VPLANE_EVENT_FLIP:
		cb = listener->flip;
		break;
	case VPLANE_EVENT_CURSOR_MOVE:
		cb = listener->cursor_move;
		break;
	case VPLANE_EVENT_MODE:
		cb = listener->mode;
		break;
	case VPLANE_EVENT_RESET:
		cb = listener->reset;
		break;
	case VPLANE_EVENT_OVERFLOW:
		cb = listener->overflow;
		break;
	}
	if (cb)
		cb(data, ev);
}

static bool is_gone_errno(int err)
{
	return err == ENODEV || err == ECONNRESET || err == EPIPE;
}

/*
 * One poll(0) per read: the loop never blocks even on a blocking fd, and
 * a hang-up is seen once the queue is drained.
 */
bool vp_event_reader_dispatch(struct vp_event_reader *reader,
			      const struct vp_display_listener *listener,
			      void *data)
{
	_Alignas(8) unsigned char buf[READ_BUF_SIZE];
	struct vplane_display_event events[MAX_EVENTS];
	size_t len = READ_BUF_SIZE / reader->record_size * reader->record_size;
	unsigned int reads;

	assert(listener);
	if (reader->gone)
		return true;
	for (reads = 0; reads < MAX_READS; reads++) {
		struct pollfd pfd = { .fd = reader->fd, .events = POLLIN };
		size_t n_events, unknown = 0, i;
		ssize_t n;

		if (poll(&pfd, 1, 0) < 0) {
			if (errno == EINTR)
				continue; /* counts as a read: bounded */
			vp_log_errno(VP_LOG_ERROR, "poll on event fd %d",
				     reader->fd);
			return false;
		}
		if (pfd.revents & POLLNVAL) {
			errno = EBADF;
			vp_log(VP_LOG_ERROR, "event fd %d is not open",
			       reader->fd);
			return false;
		}
		if (!(pfd.revents & (POLLIN | POLLERR))) {
			if (pfd.revents & POLLHUP)
				goto gone;
			return true; /* drained */
		}

		n = read(reader->fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue; /* counts as a read: bounded */
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (pfd.revents & POLLHUP)
					goto gone;
				return true;
			}
			if (is_gone_errno(errno))
				goto gone;
			vp_log_errno(VP_LOG_ERROR, "read from event fd %d",
				     reader->fd);
			return false;
		}
		if (n == 0)
			goto gone;
		if (!vp_event_decode(buf, (size_t)n, reader->record_size,
				     events, MAX_EVENTS, &n_events, &unknown)) {
			vp_log(VP_LOG_ERROR,
			       "event fd %d: read %zd bytes, not a whole "
			       "number of %zu-byte records",
			       reader->fd, n, reader->record_size);
			errno = EPROTO;
			return false;
		}
		reader->unknown += unknown;
		reader->events += n_events;
		for (i = 0; i < n_events; i++)
			emit(listener, data, &events[i]);
	}
	return true; /* more queued: the next dispatch reads it */

gone:
	reader->gone = true;
	/* last: the callback may free the reader */
	if (listener->gone)
		listener->gone(data);
	return true;
}
