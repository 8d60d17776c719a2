/* SPDX-License-Identifier: MIT */
/*
 * libvplane: a consumer of a vplane display node (/dev/vplane/<uuid>).
 * See driver/uapi/vplane_display.h for the kernel contract.
 *
 * Ownership: a struct vp_display owns its fd and closes it in
 * vp_display_destroy(). Functions say whether they borrow or take the fds
 * and pointers they are given. Every function that can fail returns false,
 * NULL or -1, logs once where it failed (see vplane/log.h) and leaves
 * errno set: ENOENT or EACCES at open, ENODEV once the vGPU is gone,
 * EBUSY or EPERM for the ack role, EPROTO for a driver this library does
 * not understand.
 *
 * Not thread-safe: use a display from one thread, or lock around it.
 */
#ifndef VPLANE_DISPLAY_H
#define VPLANE_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include <vplane_display.h>

#include "vplane/event.h"

struct vp_display;

/*
 * Open /dev/vplane/@uuid read-write. @uuid (borrowed) must look like an
 * mdev UUID (hex digits and dashes). Fails with ENOENT when there is no
 * such node and EACCES when the caller is neither root nor in the node's
 * group (the module parameter display_gid).
 */
struct vp_display *vp_display_create_from_uuid(const char *uuid);

/* Like vp_display_create_from_uuid() for an explicit node @path
 * (borrowed). */
struct vp_display *vp_display_create_from_path(const char *path);

/*
 * Take ownership of the display fd @fd, e.g. one received over
 * SCM_RIGHTS or from VPLANE_VFIO_GET_DISPLAY_FD. The fd is closed if
 * this fails. It is made close-on-exec and non-blocking (both are flags
 * of the open file description, shared with any other copy of it).
 */
struct vp_display *vp_display_create_from_fd(int fd);

/* Close the display fd (which releases the ack role) and free. NULL is
 * a no-op. dma-buf fds handed out earlier stay valid. */
void vp_display_destroy(struct vp_display *display);

/*
 * The display fd, borrowed: poll it for POLLIN (and POLLHUP) in an event
 * loop, level-triggered, and call vp_display_dispatch() when it is
 * readable. Do not read from or close it.
 */
int vp_display_get_fd(const struct vp_display *display);

/* Device info read at creation, borrowed until vp_display_destroy(). */
const struct vplane_display_info *
vp_display_get_info(const struct vp_display *display);

/*
 * Read every queued event without blocking and call @listener (borrowed)
 * with @data; see struct vp_display_listener. Returns false on a read
 * error or a malformed record; the vGPU going away is not an error: it
 * calls listener->gone once (then remove the fd from the event loop) and
 * later calls return true without reading.
 */
bool vp_display_dispatch(struct vp_display *display,
			 const struct vp_display_listener *listener,
			 void *data);

/* True once the gone callback was called. */
bool vp_display_is_gone(const struct vp_display *display);

/* Records of an unknown type skipped by dispatch so far (a newer driver). */
uint64_t vp_display_get_unknown_events(const struct vp_display *display);

/*
 * Describe plane @plane (VPLANE_DISPLAY_PLANE_*) of head @head into
 * @out (borrowed, fully overwritten). A disabled or invalid plane
 * succeeds with everything zero; check VPLANE_DISPLAY_PLANE_ENABLED.
 */
bool vp_display_query_plane(struct vp_display *display, uint32_t head,
			    uint32_t plane, struct vplane_display_plane *out);

/*
 * A new dma-buf fd for @dmabuf_id (nonzero), owned by the caller, or -1.
 * The fd is O_RDWR | O_CLOEXEC; honour VPLANE_DISPLAY_PLANE_NEEDS_SYNC
 * for CPU access.
 */
int vp_display_get_dmabuf(struct vp_display *display, uint32_t dmabuf_id);

/*
 * vp_display_get_dmabuf() with the vp_dmabuf_fetch_fn signature: pass it
 * and the display to vp_dmabuf_cache_create().
 */
int vp_display_fetch_dmabuf(void *display, uint32_t dmabuf_id);

/*
 * Take the ack role: from now on the guest's flip-done for a flip waits
 * for vp_display_ack_flip() (or the driver's ack timeout). Fails with
 * EBUSY while another fd holds it (logged at info level: falling back to
 * observer is normal) and EPERM on a read-only fd.
 */
bool vp_display_take_ack_role(struct vp_display *display);

/* Give the ack role back; pending flips complete. A no-op without it. */
bool vp_display_drop_ack_role(struct vp_display *display);

bool vp_display_has_ack_role(const struct vp_display *display);

/* Flip @seq (or any earlier one) of @head is on screen. EPERM without
 * the ack role. */
bool vp_display_ack_flip(struct vp_display *display, uint32_t head,
			 uint32_t seq);

/* Counters of this fd and the vGPU into @out (borrowed, overwritten). */
bool vp_display_get_stats(struct vp_display *display,
			  struct vplane_display_stats *out);

/*
 * Inject @count (1..VPLANE_INPUT_MAX_EVENTS) evdev events, @events
 * (borrowed), into the vGPU's keyboard (@device VPLANE_INPUT_KEYBOARD,
 * @head 0) or head @head's absolute pointer (VPLANE_INPUT_POINTER); see
 * VPLANE_DISPLAY_INPUT in vplane_display.h for what each device accepts.
 * All or nothing. Fails with EPERM without the ack role, EINVAL for an
 * event the device does not declare or a value out of range, ENOTCONN
 * while no VMM holds the device (logged at debug level only), ENOTTY on
 * a driver without input. Dropping the role or destroying the display
 * releases every key and button still down.
 */
bool vp_display_send_input(struct vp_display *display, uint32_t device,
			   uint32_t head,
			   const struct vplane_input_event *events,
			   uint32_t count);

#endif /* VPLANE_DISPLAY_H */
