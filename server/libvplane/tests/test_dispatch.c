// SPDX-License-Identifier: MIT
/*
 * Event dispatch on a socketpair standing in for the display node: the
 * test writes records into one end and dispatches from the other. A peer
 * hang-up must end in exactly one gone callback, after the queued events.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "event_reader.h"

#define EVSZ	 sizeof(struct vplane_display_event)
#define MAX_SEEN 512

struct seen {
	struct vplane_display_event ev[MAX_SEEN];
	size_t n;
	unsigned int gone;
	size_t events_before_gone;
};

static void record(void *data, const struct vplane_display_event *ev)
{
	struct seen *s = data;

	if (s->n < MAX_SEEN)
		s->ev[s->n] = *ev;
	s->n++;
}

static void handle_gone(void *data)
{
	struct seen *s = data;

	s->gone++;
	s->events_before_gone = s->n;
}

static const struct vp_display_listener all = {
	.flip = record,
	.cursor_move = record,
	.mode = record,
	.reset = record,
	.overflow = record,
	.gone = handle_gone,
};

/* A blocking socketpair: dispatch must still never block. */
static bool pair(int sv[2], int type)
{
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0) {
		CHECK(!"socketpair");
		return false;
	}
	return true;
}

static bool put(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len) == (ssize_t)len;
}

static void test_events_in_order(int type)
{
	struct vplane_display_event in[4] = {
		{ .type = VPLANE_EVENT_FLIP,
		  .head = 0,
		  .seq = 7,
		  .dmabuf_id = 3,
		  .timestamp_ns = 99 },
		{ .type = VPLANE_EVENT_CURSOR_MOVE,
		  .head = 1,
		  .plane = 1,
		  .x = -5,
		  .y = 6 },
		{ .type = 1234 }, /* unknown: skipped, counted */
		{ .type = VPLANE_EVENT_MODE,
		  .head = 1,
		  .width = 800,
		  .height = 600 },
	};
	struct vplane_display_event tail[2] = {
		{ .type = VPLANE_EVENT_RESET },
		{ .type = VPLANE_EVENT_OVERFLOW },
	};
	struct vp_event_reader reader;
	struct seen *s = calloc(1, sizeof(*s));
	int sv[2];

	if (!s || !pair(sv, type)) {
		free(s);
		return;
	}
	vp_event_reader_init(&reader, sv[0], EVSZ);
	CHECK(put(sv[1], in, sizeof(in)));
	CHECK(vp_event_reader_dispatch(&reader, &all, s));
	CHECK(s->n == 3 && s->gone == 0);
	CHECK(memcmp(&s->ev[0], &in[0], EVSZ) == 0);
	CHECK(memcmp(&s->ev[1], &in[1], EVSZ) == 0);
	CHECK(memcmp(&s->ev[2], &in[3], EVSZ) == 0);
	CHECK(reader.unknown == 1 && reader.events == 3);

	/* nothing queued: returns at once, calls nothing */
	CHECK(vp_event_reader_dispatch(&reader, &all, s));
	CHECK(s->n == 3 && s->gone == 0);

	CHECK(put(sv[1], &tail[0], EVSZ));
	CHECK(put(sv[1], &tail[1], EVSZ));
	CHECK(vp_event_reader_dispatch(&reader, &all, s));
	CHECK(s->n == 5);
	CHECK(s->ev[3].type == VPLANE_EVENT_RESET);
	CHECK(s->ev[4].type == VPLANE_EVENT_OVERFLOW);
	CHECK(s->gone == 0 && !reader.gone);

	close(sv[0]);
	close(sv[1]);
	free(s);
}

/* More than one read's worth (4096 bytes = 85 records). */
static void test_many(void)
{
	const size_t count = 300;
	struct vplane_display_event *in = calloc(count, EVSZ);
	struct vp_event_reader reader;
	struct seen *s = calloc(1, sizeof(*s));
	size_t i;
	bool in_order = true;
	int sv[2];

	if (!in || !s || !pair(sv, SOCK_STREAM)) {
		free(in);
		free(s);
		return;
	}
	for (i = 0; i < count; i++)
		in[i] = (struct vplane_display_event){
			.type = VPLANE_EVENT_FLIP, .seq = (uint32_t)i
		};
	CHECK(put(sv[1], in, count * EVSZ));
	vp_event_reader_init(&reader, sv[0], EVSZ);
	CHECK(vp_event_reader_dispatch(&reader, &all, s));
	CHECK(s->n == count);
	for (i = 0; i < s->n && i < MAX_SEEN; i++)
		if (s->ev[i].seq != i)
			in_order = false;
	CHECK(in_order);
	close(sv[0]);
	close(sv[1]);
	free(in);
	free(s);
}

/* NULL callbacks drop their events; the others still run. */
static void test_partial_listener(void)
{
	static const struct vp_display_listener flips_only = {
		.flip = record,
	};
	struct vplane_display_event in[3] = {
		{ .type = VPLANE_EVENT_MODE },
		{ .type = VPLANE_EVENT_FLIP, .seq = 9 },
		{ .type = VPLANE_EVENT_RESET },
	};
	struct vp_event_reader reader;
	struct seen *s = calloc(1, sizeof(*s));
	int sv[2];

	if (!s || !pair(sv, SOCK_STREAM)) {
		free(s);
		return;
	}
	vp_event_reader_init(&reader, sv[0], EVSZ);
	CHECK(put(sv[1], in, sizeof(in)));
	close(sv[1]);
	CHECK(vp_event_reader_dispatch(&reader, &flips_only, s));
	CHECK(s->n == 1 && s->ev[0].seq == 9);
	CHECK(reader.gone); /* no gone callback, still noted */
	close(sv[0]);
	free(s);
}

static void test_partial_record(void)
{
	unsigned char buf[EVSZ + 10];
	struct vplane_display_event ev = { .type = VPLANE_EVENT_FLIP };
	struct vp_event_reader reader;
	struct seen *s = calloc(1, sizeof(*s));
	int sv[2];

	if (!s || !pair(sv, SOCK_STREAM)) {
		free(s);
		return;
	}
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &ev, EVSZ);
	vp_event_reader_init(&reader, sv[0], EVSZ);
	CHECK(put(sv[1], buf, sizeof(buf)));
	errno = 0;
	CHECK(!vp_event_reader_dispatch(&reader, &all, s));
	CHECK(errno == EPROTO);
	CHECK(s->n == 0 && s->gone == 0);
	close(sv[0]);
	close(sv[1]);
	free(s);
}

/* Records longer than v1 (a newer driver): decoded by their stride. */
static void test_stride(void)
{
	const size_t stride = EVSZ + 16;
	unsigned char buf[3 * (EVSZ + 16)];
	struct vp_event_reader reader;
	struct seen *s = calloc(1, sizeof(*s));
	size_t i;
	int sv[2];

	if (!s || !pair(sv, SOCK_SEQPACKET)) {
		free(s);
		return;
	}
	memset(buf, 0xab, sizeof(buf));
	for (i = 0; i < 3; i++) {
		struct vplane_display_event ev = {
			.type = VPLANE_EVENT_FLIP,
			.seq = (uint32_t)(50 + i),
		};

		memcpy(buf + i * stride, &ev, EVSZ);
	}
	vp_event_reader_init(&reader, sv[0], stride);
	CHECK(put(sv[1], buf, sizeof(buf)));
	CHECK(vp_event_reader_dispatch(&reader, &all, s));
	CHECK(s->n == 3 && s->ev[0].seq == 50 && s->ev[2].seq == 52);
	CHECK(s->ev[1].width == 0 && s->ev[1].height == 0);
	close(sv[0]);
	close(sv[1]);
	free(s);
}

static void test_hangup(int type)
{
	struct vplane_display_event in[2] = {
		{ .type = VPLANE_EVENT_FLIP, .seq = 1 },
		{ .type = VPLANE_EVENT_FLIP, .seq = 2 },
	};
	struct vp_event_reader reader;
	struct seen *s = calloc(1, sizeof(*s));
	int sv[2];

	if (!s || !pair(sv, type)) {
		free(s);
		return;
	}
	vp_event_reader_init(&reader, sv[0], EVSZ);
	CHECK(put(sv[1], in, sizeof(in)));
	close(sv[1]);
	CHECK(vp_event_reader_dispatch(&reader, &all, s));
	CHECK(s->n == 2);
	CHECK(s->gone == 1 && s->events_before_gone == 2);
	CHECK(reader.gone);
	/* once: later dispatches neither read nor call gone again */
	CHECK(vp_event_reader_dispatch(&reader, &all, s));
	CHECK(vp_event_reader_dispatch(&reader, &all, s));
	CHECK(s->gone == 1 && s->n == 2);
	close(sv[0]);
	free(s);
}

/* The gone callback may free what holds the reader (valgrind checks that
 * dispatch touches nothing afterwards). */
struct owner {
	struct vp_event_reader reader;
	int fd;
	unsigned int *gone_calls;
};

static void owner_gone(void *data)
{
	struct owner *o = data;

	(*o->gone_calls)++;
	close(o->fd);
	free(o);
}

static void test_destroy_in_gone(void)
{
	static const struct vp_display_listener l = { .gone = owner_gone };
	struct owner *o = calloc(1, sizeof(*o));
	unsigned int gone_calls = 0;
	int sv[2];

	if (!o || !pair(sv, SOCK_STREAM)) {
		free(o);
		return;
	}
	o->fd = sv[0];
	o->gone_calls = &gone_calls;
	vp_event_reader_init(&o->reader, sv[0], EVSZ);
	close(sv[1]);
	CHECK(vp_event_reader_dispatch(&o->reader, &l, o));
	CHECK(gone_calls == 1);
	CHECK(!fd_is_open(sv[0]));
}

static void test_bad_fd(void)
{
	struct vp_event_reader reader;
	struct seen s = { .n = 0 };
	int sv[2];

	if (!pair(sv, SOCK_STREAM))
		return;
	close(sv[0]);
	close(sv[1]);
	vp_event_reader_init(&reader, sv[0], EVSZ);
	errno = 0;
	CHECK(!vp_event_reader_dispatch(&reader, &all, &s));
	CHECK(errno == EBADF);
	CHECK(s.gone == 0 && s.n == 0);
}

int main(void)
{
	/* a dispatch that blocks fails the test instead of hanging it */
	alarm(20);
	test_events_in_order(SOCK_STREAM);
	test_events_in_order(SOCK_SEQPACKET);
	test_many();
	test_partial_listener();
	test_partial_record();
	test_stride();
	test_hangup(SOCK_STREAM);
	test_hangup(SOCK_SEQPACKET);
	test_destroy_in_gone();
	test_bad_fd();
	return check_result("dispatch");
}
