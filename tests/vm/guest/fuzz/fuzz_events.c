// SPDX-License-Identifier: MIT
/*
 * vplane-fuzz: the display node's event stream.  read() with random counts
 * (0, 1, part of a record, several, a page, huge, past the address space)
 * into good buffers, buffers a guard page cuts, read-only pages, NULL and
 * PROT_NONE; poll with timeout 0.  Every record is checked (known type,
 * fields of its type only, timestamps in order and not in the future, at
 * most one unread flip per plane and cursor move per head, flip sequences
 * that only grow between resets), and a drained queue must account for
 * every event GET_STATS counted: read, coalesced into a newer one, or
 * dropped for a full queue and announced by an OVERFLOW record.
 */
#include "monotonic.h"
#include "fuzz.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define EVSZ sizeof(struct vplane_display_event)

static unsigned int slot_of(struct fuzz *f, const struct fz_disp *d)
{
	return (unsigned int)(d - f->disp.fds);
}

void fz_display_device_closed(struct fuzz *f)
{
	f->disp.close_ns[f->disp.next_close++ % FZ_CLOSE_RING] = monotonic_ns();
}

/* Was the device closed (registers reset, no event) in (@a, @b]? */
static bool closed_between(struct fuzz *f, uint64_t a, uint64_t b)
{
	unsigned int i, n = f->disp.next_close;
	uint64_t oldest = ~0ull;

	for (i = 0; i < FZ_CLOSE_RING && i < n; i++) {
		uint64_t t = f->disp.close_ns[i];

		if (t > a && t <= b)
			return true;
		if (t < oldest)
			oldest = t;
	}
	/* closes older than the ring remembers may lie in between */
	return n > FZ_CLOSE_RING && oldest > a;
}

/* ---- events ------------------------------------------------------------- */

/* A record may have been lost (a RESET among them): forget flip seqs. */
static void maybe_lost(struct fz_disp *d, bool counted)
{
	if (counted)
		d->lost_max++;
	d->lossy = true;
	memset(d->seq_ns, 0, sizeof(d->seq_ns));
}

/*
 * Check records just read from @d.  @flips and @cursors collect which
 * (head, plane) flips and which heads' cursor moves one queue snapshot
 * held: a newer one supersedes its unread predecessor, so never two.
 */
static void check_records(struct fuzz *f, struct fz_disp *d, const uint8_t *buf,
			  size_t n, uint32_t *flips, uint32_t *cursors)
{
	uint64_t now = monotonic_ns();
	size_t i;

	for (i = 0; i + EVSZ <= n; i += EVSZ) {
		struct vplane_display_event ev;
		bool plane_ev, zero_pos;

		memcpy(&ev, buf + i, EVSZ);
		fz_trace(f,
			 "event type %u h%u p%u seq %u id %u dropped %u "
			 "%d,%d %ux%u t %llu",
			 ev.type, ev.head, ev.plane, ev.seq, ev.dmabuf_id,
			 ev.dropped, ev.x, ev.y, ev.width, ev.height,
			 (unsigned long long)ev.timestamp_ns);
		FZ_CHECK(f,
			 ev.type >= VPLANE_EVENT_FLIP &&
				 ev.type <= VPLANE_EVENT_OVERFLOW,
			 "event of unknown type %u", ev.type);
		FZ_CHECK(f,
			 ev.timestamp_ns && ev.timestamp_ns >= d->last_ns &&
				 ev.timestamp_ns <= now,
			 "event type %u at %llu ns: previous %llu, now %llu",
			 ev.type, (unsigned long long)ev.timestamp_ns,
			 (unsigned long long)d->last_ns,
			 (unsigned long long)now);
		d->last_ns = ev.timestamp_ns;
		plane_ev = ev.type == VPLANE_EVENT_FLIP ||
			   ev.type == VPLANE_EVENT_CURSOR_MOVE;
		zero_pos = !ev.plane && !ev.seq && !ev.dmabuf_id &&
			   !ev.dropped && !ev.x && !ev.y;
		if (ev.type == VPLANE_EVENT_OVERFLOW) {
			d->overflow_records++;
			maybe_lost(d, false);
		} else {
			d->records++;
		}
		f->disp.records++;
		if (ev.type == VPLANE_EVENT_RESET ||
		    ev.type == VPLANE_EVENT_OVERFLOW) {
			FZ_CHECK(f,
				 zero_pos && !ev.head && !ev.width &&
					 !ev.height,
				 "event type %u carries fields", ev.type);
			if (ev.type == VPLANE_EVENT_RESET)
				memset(d->seq_ns, 0, sizeof(d->seq_ns));
			continue;
		}
		FZ_CHECK(f, ev.head < f->nr_heads, "event type %u on head %u",
			 ev.type, ev.head);
		if (ev.type == VPLANE_EVENT_MODE) {
			FZ_CHECK(f,
				 zero_pos && (!ev.width == !ev.height) &&
					 ev.width <= f->max_width &&
					 ev.height <= f->max_height,
				 "MODE event h%u %ux%u plane %u seq %u id %u",
				 ev.head, ev.width, ev.height, ev.plane, ev.seq,
				 ev.dmabuf_id);
			continue;
		}
		FZ_CHECK(f,
			 plane_ev && ev.plane < VPLANE_NUM_PLANES &&
				 !ev.width && !ev.height,
			 "event type %u plane %u %ux%u", ev.type, ev.plane,
			 ev.width, ev.height);
		if (ev.type == VPLANE_EVENT_CURSOR_MOVE) {
			FZ_CHECK(f,
				 ev.plane == VPLANE_DISPLAY_PLANE_CURSOR &&
					 ev.dmabuf_id,
				 "CURSOR_MOVE on plane %u with id %u", ev.plane,
				 ev.dmabuf_id);
			FZ_CHECK(f, !(*cursors & 1u << ev.head),
				 "two unread cursor moves of head %u", ev.head);
			*cursors |= 1u << ev.head;
		} else {
			uint32_t bit =
				1u << (ev.head * VPLANE_NUM_PLANES + ev.plane);

			FZ_CHECK(f, !(*flips & bit),
				 "two unread flips of head %u plane %u",
				 ev.head, ev.plane);
			*flips |= bit;
		}
		/*
		 * Flip sequences only grow, until a reset or device close.
		 * After an OVERFLOW, until the queue was drained, a RESET may
		 * have been dropped after any record: neither check nor keep
		 * a sequence then.
		 */
		if (d->seq_ns[ev.head] &&
		    !closed_between(f, d->seq_ns[ev.head], ev.timestamp_ns))
			FZ_CHECK(f, (int32_t)(ev.seq - d->seq[ev.head]) >= 0,
				 "head %u: event seq %u after seq %u", ev.head,
				 ev.seq, d->seq[ev.head]);
		d->seq[ev.head] = ev.seq;
		d->seq_ns[ev.head] = d->lossy ? 0 : ev.timestamp_ns;
		if (ev.dmabuf_id)
			f->disp.event_id = ev.dmabuf_id;
	}
}

short fz_disp_poll(struct fuzz *f, struct fz_disp *d)
{
	struct pollfd pfd = { .fd = d->fd, .events = POLLIN };
	int n = poll(&pfd, 1, 0);

	FZ_CHECK(f, n >= 0, "poll display fd: %s", strerror(errno));
	FZ_CHECK(f, !(pfd.revents & (POLLERR | POLLNVAL)),
		 "poll display fd: revents 0x%x", pfd.revents);
	FZ_CHECK(f, !!(pfd.revents & POLLHUP) == fz_disp_gone(f, d),
		 "poll display fd: revents 0x%x, vGPU %s", pfd.revents,
		 fz_disp_gone(f, d) ? "gone (no POLLHUP)" : "alive (POLLHUP)");
	return pfd.revents;
}

/* Sanity of a GET_STATS answer on @d; updates the model's figures. */
void fz_disp_check_stats(struct fuzz *f, struct fz_disp *d,
			 const struct vplane_display_stats *st)
{
	FZ_CHECK(f, st->argsz == sizeof(*st), "GET_STATS argsz %u", st->argsz);
	FZ_CHECK(f,
		 st->events >= d->events_seen &&
			 st->events >= st->coalesced + st->overflows,
		 "GET_STATS: %llu events (was %llu), %llu coalesced, %llu "
		 "overflows",
		 (unsigned long long)st->events,
		 (unsigned long long)d->events_seen,
		 (unsigned long long)st->coalesced,
		 (unsigned long long)st->overflows);
	FZ_CHECK(f, st->acks == f->disp.acks,
		 "GET_STATS: %llu acks, the holder made %llu",
		 (unsigned long long)st->acks,
		 (unsigned long long)f->disp.acks);
	FZ_CHECK(f,
		 st->flips >= f->disp.flips &&
			 st->ack_timeouts >= f->disp.ack_timeouts,
		 "GET_STATS: flips %llu (was %llu), ack timeouts %llu (was "
		 "%llu)",
		 (unsigned long long)st->flips,
		 (unsigned long long)f->disp.flips,
		 (unsigned long long)st->ack_timeouts,
		 (unsigned long long)f->disp.ack_timeouts);
	d->events_seen = st->events;
	f->disp.flips = st->flips;
	f->disp.ack_timeouts = st->ack_timeouts;
}

bool fz_disp_get_stats(struct fuzz *f, struct fz_disp *d,
		       struct vplane_display_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->argsz = sizeof(*st);
	if (ioctl(d->fd, VPLANE_DISPLAY_GET_STATS, st)) {
		FZ_CHECK(f, fz_disp_gone(f, d) && errno == ENODEV,
			 "GET_STATS: %s", strerror(errno));
		return false;
	}
	FZ_CHECK(f, !fz_disp_gone(f, d),
		 "GET_STATS on a removed vGPU succeeded");
	fz_disp_check_stats(f, d, st);
	return true;
}

/*
 * Read @d until its queue is empty, then hold the driver to its
 * accounting: every event it counted was read, coalesced into a newer
 * one, or dropped for a full queue (announced by an OVERFLOW record),
 * give or take the records reads into bad buffers may have lost.
 */
void fz_disp_drain(struct fuzz *f, struct fz_disp *d)
{
	uint8_t *buf = fz_disp_pages(f);
	uint32_t flips = 0, cursors = 0;
	struct vplane_display_stats st;
	uint64_t drops, delta;
	unsigned int i;
	ssize_t n;

	if (!d->readable)
		return;
	for (i = 0; i <= FZ_DISP_QUEUE_LEN + 1; i++) {
		if (!(fz_disp_poll(f, d) & POLLIN))
			break;
		n = read(d->fd, buf, FZ_DISP_QUEUE_LEN * EVSZ);
		FZ_CHECK(f, n > 0 && n % EVSZ == 0,
			 "read with POLLIN set: %zd (%s)", n,
			 n < 0 ? strerror(errno) : "");
		check_records(f, d, buf, n, &flips, &cursors);
	}
	FZ_CHECK(f, i <= FZ_DISP_QUEUE_LEN, "queue never drains");
	d->lossy = false; /* empty: whatever comes next is in order */
	if (fz_disp_gone(f, d)) {
		n = read(d->fd, buf, EVSZ);
		FZ_CHECK(f, n < 0 && errno == ENODEV,
			 "read of a drained fd of a removed vGPU: %zd %s", n,
			 n < 0 ? strerror(errno) : "");
		return;
	}
	if (!fz_disp_get_stats(f, d, &st))
		return;
	delta = st.events - st.coalesced - st.overflows - d->records;
	drops = st.overflows - d->overflows_at_check;
	fz_trace(f,
		 "drained slot %u: %llu events, %llu coalesced, %llu "
		 "overflows, %llu read, <= %llu lost",
		 slot_of(f, d), (unsigned long long)st.events,
		 (unsigned long long)st.coalesced,
		 (unsigned long long)st.overflows,
		 (unsigned long long)d->records,
		 (unsigned long long)d->lost_max);
	FZ_CHECK(f, (int64_t)delta >= 0 && delta <= d->lost_max,
		 "queue drained: %llu events - %llu coalesced - %llu "
		 "overflows, but %llu records read (<= %llu lost)",
		 (unsigned long long)st.events,
		 (unsigned long long)st.coalesced,
		 (unsigned long long)st.overflows,
		 (unsigned long long)d->records,
		 (unsigned long long)d->lost_max);
	FZ_CHECK(f, !d->overflow_records || drops,
		 "%llu OVERFLOW records but no event was dropped",
		 (unsigned long long)d->overflow_records);
	FZ_CHECK(f,
		 !drops || d->overflow_records ||
			 d->lost_max > d->lost_at_check,
		 "%llu events dropped without an OVERFLOW record",
		 (unsigned long long)drops);
	f->disp.drains++;
	if (drops)
		f->disp.drains_dropped++;
	d->overflow_records = 0;
	d->overflows_at_check = st.overflows;
	d->lost_at_check = d->lost_max;
}

static size_t pick_count(struct fuzz *f)
{
	unsigned int r = fz_below(f, 100);

	if (r < 6)
		return 0;
	if (r < 11)
		return 1;
	if (r < 18)
		return 2 + fz_below(f, EVSZ - 2);
	if (r < 28) /* whole records and part of one more */
		return EVSZ * (1 + fz_below(f, 3)) + 1 + fz_below(f, EVSZ - 1);
	if (r < 58)
		return EVSZ * (1 + fz_below(f, 4));
	if (r < 68)
		return EVSZ * FZ_DISP_QUEUE_LEN;
	if (r < 76)
		return FZ_PAGE;
	if (r < 84)
		return 1u << 20;
	if (r < 90)
		return 1u << 30;
	if (r < 93)
		return SIZE_MAX;
	return fz_below(f, 1u << 16);
}

void fz_op_disp_read(struct fuzz *f)
{
	struct fz_disp *d = fz_disp_pick(f, false);
	uint8_t *pg = fz_disp_pages(f), *buf;
	uint32_t flips = 0, cursors = 0;
	size_t count, room;
	unsigned int r;
	bool pending;
	ssize_t n;
	int err, want;

	if (fz_one_in(f, 4)) {
		fz_disp_drain(f, d);
		return;
	}
	count = pick_count(f);
	r = fz_below(f, 100);
	if (r < 70) {
		buf = pg;
		room = FZ_PAGE;
	} else if (r < 82) { /* the guard page cuts a record */
		room = EVSZ * fz_below(f, 4) + 8 * fz_below(f, 3);
		buf = pg + FZ_PAGE - room;
	} else if (r < 88) {
		buf = pg + 2 * FZ_PAGE; /* read-only */
		room = 0;
	} else if (r < 94) {
		buf = NULL;
		room = 0;
	} else {
		buf = pg + FZ_PAGE;
		room = 0;
	}
	pending = fz_disp_poll(f, d) & POLLIN;
	if (!d->readable)
		want = EBADF;
	else if (count == SIZE_MAX)
		want = EFAULT; /* the VFS refuses the range */
	else if (count < EVSZ)
		want = EINVAL;
	else if (!pending && !fz_disp_gone(f, d) && !d->nonblock)
		return; /* it would block: nothing to learn */
	else if (!pending)
		want = fz_disp_gone(f, d) ? ENODEV : EAGAIN;
	else if (room < EVSZ)
		want = EFAULT;
	else
		want = 0;
	n = read(d->fd, buf, count);
	err = n < 0 ? errno : 0;
	fz_trace(f, "read slot %u count %zu room %zu pending %d: %zd %s",
		 slot_of(f, d), count, room, pending, n,
		 n < 0 ? strerror(err) : "");
	if (want == EFAULT && count != SIZE_MAX)
		maybe_lost(d, true); /* the first record popped, then lost */
	FZ_EXPECT(f, n, err, want, "read(%zu) slot %u, buffer room %zu", count,
		  slot_of(f, d), room);
	if (n <= 0)
		return;
	FZ_CHECK(f,
		 n % EVSZ == 0 && (size_t)n <= count && (size_t)n <= room &&
			 (size_t)n <= FZ_DISP_QUEUE_LEN * EVSZ,
		 "read(%zu) into %zu bytes returned %zd", count, room, n);
	/* a record that hit the guard page was popped and lost */
	if (count > room && (size_t)n == room / EVSZ * EVSZ)
		maybe_lost(d, true);
	check_records(f, d, buf, n, &flips, &cursors);
}
