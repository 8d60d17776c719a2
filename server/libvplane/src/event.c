// SPDX-License-Identifier: MIT
/* Pure event helpers: record decoding and sequence comparison. */
#include <string.h>

#include "vplane/event.h"

bool vp_seq_after(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;

	return d != 0 && d < UINT32_C(0x80000000);
}

bool vp_event_record_size_valid(size_t record_size)
{
	return record_size >= sizeof(struct vplane_display_event) &&
	       record_size <= VP_EVENT_RECORD_MAX && record_size % 8 == 0;
}

bool vp_event_type_known(uint32_t type)
{
	switch (type) {
	case VPLANE_EVENT_FLIP:
	case VPLANE_EVENT_CURSOR_MOVE:
	case VPLANE_EVENT_MODE:
	case VPLANE_EVENT_RESET:
	case VPLANE_EVENT_OVERFLOW:
		return true;
	default:
		return false;
	}
}

bool vp_event_decode(const void *buf, size_t len, size_t record_size,
		     struct vplane_display_event *events, size_t cap,
		     size_t *n_events, size_t *unknown)
{
	const unsigned char *p = buf;
	size_t n = 0, skipped = 0, off;

	*n_events = 0;
	if (!vp_event_record_size_valid(record_size) ||
	    len % record_size != 0 || len / record_size > cap)
		return false;
	for (off = 0; off < len; off += record_size) {
		struct vplane_display_event ev;

		/* records in a byte buffer need not be aligned */
		memcpy(&ev, p + off, sizeof(ev));
		if (!vp_event_type_known(ev.type)) {
			skipped++;
			continue;
		}
		events[n++] = ev;
	}
	*n_events = n;
	if (unknown)
		*unknown += skipped;
	return true;
}
