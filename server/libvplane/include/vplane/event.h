/* SPDX-License-Identifier: MIT */
/*
 * Display node events: pure helpers (no I/O) and the listener that
 * vp_display_dispatch() calls.
 *
 * read() on a display fd returns whole records of info.event_size bytes
 * each; the first sizeof(struct vplane_display_event) bytes of a record
 * are the version-1 event, anything after it belongs to a newer driver
 * and is ignored.
 */
#ifndef VPLANE_EVENT_H
#define VPLANE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vplane_display.h>

/* Largest record size libvplane accepts from a driver (info.event_size). */
#define VP_EVENT_RECORD_MAX 256u

/*
 * Flip sequences are u32 and wrap. True if @a is later than @b in serial
 * number arithmetic (RFC 1982): 0 after 0xffffffff is true. Two sequences
 * exactly 2^31 apart are unordered: false both ways. Equal is false.
 */
bool vp_seq_after(uint32_t a, uint32_t b);

/* A valid record size: at least the version-1 event, at most
 * VP_EVENT_RECORD_MAX, a multiple of 8. */
bool vp_event_record_size_valid(size_t record_size);

/*
 * Decode @len bytes from read() (borrowed) into @events (borrowed, room
 * for @cap events). Records are @record_size bytes. Records of a type
 * this library does not know are skipped and their number is added to
 * *@unknown (may be NULL). Stores the number of decoded events in
 * *@n_events (0 on failure).
 *
 * Returns false and decodes nothing if @record_size is invalid, if @len is
 * not a whole number of records (a partial record), or if @cap is smaller
 * than @len / @record_size.
 */
bool vp_event_decode(const void *buf, size_t len, size_t record_size,
		     struct vplane_display_event *events, size_t cap,
		     size_t *n_events, size_t *unknown);

/* True for the VPLANE_EVENT_* types this library knows. */
bool vp_event_type_known(uint32_t type);

/*
 * Callbacks of vp_display_dispatch(). Any may be NULL (the event is then
 * dropped). @event is borrowed for the duration of the call. The
 * callbacks must not destroy the display, except from @gone, which is
 * always the last call of a dispatch.
 */
struct vp_display_listener {
	/* A plane latched flip event->seq; event->dmabuf_id is 0 when the
	 * plane is disabled; event->dropped older flips were merged here. */
	void (*flip)(void *data, const struct vplane_display_event *event);
	/* The cursor of event->head moved to (x, y), same image. */
	void (*cursor_move)(void *data,
			    const struct vplane_display_event *event);
	/* event->head has a new mode (width x height) or EDID: re-query. */
	void (*mode)(void *data, const struct vplane_display_event *event);
	/* The device was reset: every plane and dma-buf id may have
	 * changed; re-query all. */
	void (*reset)(void *data, const struct vplane_display_event *event);
	/* Events were lost: re-query all. */
	void (*overflow)(void *data, const struct vplane_display_event *event);
	/* The vGPU is gone (POLLHUP, ENODEV or end of file). Called once;
	 * the display only fails from now on and may be destroyed here.
	 * dma-buf fds already handed out stay valid. */
	void (*gone)(void *data);
};

#endif /* VPLANE_EVENT_H */
