/* SPDX-License-Identifier: MIT */
/*
 * Internal: reads whole event records from an fd and calls a
 * vp_display_listener. Works on any fd that yields whole records (the
 * display node, or a socketpair in the unit tests).
 */
#ifndef VP_EVENT_READER_H
#define VP_EVENT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vplane/event.h"

struct vp_event_reader {
	int fd; /* borrowed */
	size_t record_size;
	bool gone;	  /* gone was reported */
	uint64_t events;  /* dispatched */
	uint64_t unknown; /* records of unknown type skipped */
};

/* Borrows @fd; @record_size must satisfy vp_event_record_size_valid(). */
void vp_event_reader_init(struct vp_event_reader *reader, int fd,
			  size_t record_size);

/*
 * Read every queued record without blocking and call @listener (borrowed)
 * for each; EINTR is retried. At most 64 reads per call, so a producer
 * faster than the consumer cannot pin it here: watch the fd
 * level-triggered. End of file, ENODEV, ECONNRESET or POLLHUP
 * with nothing left to read call listener->gone once, as the last thing
 * this function does. Returns false (logged, errno set) on a read error or
 * a partial record (EPROTO); true otherwise, also after gone.
 */
bool vp_event_reader_dispatch(struct vp_event_reader *reader,
			      const struct vp_display_listener *listener,
			      void *data);

#endif /* VP_EVENT_READER_H */
