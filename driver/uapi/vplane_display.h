/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * vplane display node: the per-vGPU fd a display server opens beside the
 * VMM to get plane events, dma-bufs and to acknowledge flips.
 *
 * Two ways to a display fd:
 *  - open("/dev/vplane/<mdev uuid>"): mode 0660, owner root, group the
 *    module parameter display_gid (default 0);
 *  - VPLANE_VFIO_GET_DISPLAY_FD on the VMM's VFIO device fd, so the VMM can
 *    pass it to a display server over SCM_RIGHTS.
 *
 * Versioning is by argsz, as in VFIO: every argument starts with argsz
 * (bytes the caller provides) and flags. The driver reads and writes at
 * most argsz bytes, rejects an argsz smaller than the version-1 size and
 * unknown flags with EINVAL, and on return sets argsz to the size of the
 * struct it knows (the caller sees which fields were filled). Fields are
 * only ever appended. The driver dispatches on the ioctl number alone and
 * ignores the size encoded in the command, so a grown struct keeps its
 * command working. api_version changes only for an incompatible change; a
 * consumer should refuse a version it does not know.
 *
 * read() returns whole event records of info.event_size bytes (48 in
 * version 1, the struct below; a longer record starts with it); a buffer
 * smaller than one record gets EINVAL. Events come in the order they
 * happened: a flip or cursor move that supersedes an unread one of the
 * same head and plane moves to the end and counts the superseded ones in
 * `dropped`. poll() reports POLLIN while events are queued and POLLHUP once
 * the vGPU is gone (its mdev is being removed): read() then returns what
 * was queued and then fails with ENODEV, every ioctl fails with ENODEV, and
 * dma-bufs already handed out stay valid.
 *
 * Flip sequences are u32 and wrap: "a after b" means (__s32)(a - b) > 0.
 *
 * The ack role: one display fd per vGPU at a time may take it
 * (VPLANE_DISPLAY_TAKE_ACK_ROLE, EBUSY while another fd holds it; the fd
 * must be open for writing). While it is held, the guest's flip-done
 * interrupt for flip N of a scanning-out head is raised only when the
 * holder acknowledges N (or a later flip) with VPLANE_DISPLAY_ACK_FLIP, or
 * at the first vblank after ack_timeout_ms without an ack (counted as a
 * timeout). That deadline is fixed when the flip latches; no ioctl moves
 * it (TAKE_ACK_ROLE by the holder is a no-op). Acking a sequence the guest
 * has not latched yet is EINVAL. Closing the fd, or DROP_ACK_ROLE,
 * releases the role and completes pending flips.
 *
 * Limits: at most max_display_clients (module parameter, default 16)
 * display fds per vGPU, GET_DISPLAY_FD's included (EBUSY beyond); each fd
 * may hold max_dmabufs live dma-bufs (ENOSPC beyond), apart from the
 * VMM's and every other fd's. QUERY_PLANE has no effect the guest or the
 * VMM can see.
 * Every other fd is an observer: it sees the same events and gets dma-bufs,
 * and ACK_FLIP fails with EPERM.
 */
#ifndef _UAPI_VPLANE_DISPLAY_H
#define _UAPI_VPLANE_DISPLAY_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VPLANE_DISPLAY_API_VERSION 1
#define VPLANE_DISPLAY_IOCTL_MAGIC 0xb6

/* Planes of a head. */
#define VPLANE_DISPLAY_PLANE_PRIMARY 0
#define VPLANE_DISPLAY_PLANE_CURSOR  1

struct vplane_display_info {
	__u32 argsz;
	__u32 flags;	   /* in: 0 */
	__u32 api_version; /* VPLANE_DISPLAY_API_VERSION */
	__u32 nr_heads;
	__u32 max_width; /* per head, primary plane */
	__u32 max_height;
	__u32 cursor_max; /* cursor width and height limit */
	__u32 ack_timeout_ms;
	__u64 vram_size;
	__u32 event_size; /* sizeof(struct vplane_display_event) */
	__u32 queue_len;  /* events a consumer's queue holds */
	char uuid[40];	  /* the mdev's UUID, NUL-terminated */
	char type[32];	  /* the mdev type's sysfs name */
};

/* out flags of vplane_display_plane */
#define VPLANE_DISPLAY_PLANE_ENABLED	(1u << 0)
/*
 * CPU reads of the dma-buf must be bracketed by DMA_BUF_IOCTL_SYNC: the
 * pages may be written by a device or mapped write-combined. vplane's
 * planes live in ordinary cached RAM, so the flag is clear today; a
 * consumer that honours it stays correct on other backends.
 */
#define VPLANE_DISPLAY_PLANE_NEEDS_SYNC (1u << 1)

struct vplane_display_plane {
	__u32 argsz;
	__u32 flags; /* in: 0; out: VPLANE_DISPLAY_PLANE_* */
	__u32 head;  /* in */
	__u32 plane; /* in: VPLANE_DISPLAY_PLANE_* */
	/* out, all zero for a disabled or invalid plane */
	__u32 drm_format; /* DRM fourcc */
	__u32 dmabuf_id;  /* for VPLANE_DISPLAY_GET_DMABUF */
	__u64 drm_format_mod;
	__u32 width;
	__u32 height;
	__u32 stride;
	__u32 size; /* bytes of the dma-buf */
	__s32 x;    /* position on the head (cursor) */
	__s32 y;
	__u32 x_hot; /* cursor hotspot, 0xffffffff if none */
	__u32 y_hot;
	__u32 flip_seq;	  /* the flip that latched this state */
	__u32 head_width; /* scanout rectangle: the head's mode */
	__u32 head_height;
	__u32 refresh_mhz;
	/* since argsz 96: why nothing is shown, 0 (NONE) when shown */
	__u32 reason;	 /* VPLANE_DISPLAY_REASON_* */
	__u32 status;	 /* VPLANE_PLANE_STATUS_* of the guest's programming */
	__u32 req_width; /* REASON_LIMIT: the mode the guest asked for */
	__u32 req_height;
};

/*
 * vplane_display_plane.reason: why a plane is not shown. A consumer
 * whose argsz comes back smaller than offsetofend(reason) talks to an
 * older driver that does not say.
 */
#define VPLANE_DISPLAY_REASON_NONE    0 /* shown */
#define VPLANE_DISPLAY_REASON_OFF     1 /* the guest turned it off */
#define VPLANE_DISPLAY_REASON_WAITING 2 /* device open, nothing set yet */
#define VPLANE_DISPLAY_REASON_CLOSED  3 /* the VMM has the device closed */
#define VPLANE_DISPLAY_REASON_RESET   4 /* reset by the VMM, not set since */
#define VPLANE_DISPLAY_REASON_LIMIT   5 /* mode over the type's limit */
#define VPLANE_DISPLAY_REASON_INVALID 6 /* bad programming: see status */
#define VPLANE_DISPLAY_REASON_HOST    7 /* pin, unmap or budget: status */

/*
 * VPLANE_DISPLAY_GET_DMABUF returns a new read-only dma-buf fd
 * (O_RDONLY | O_CLOEXEC; mmap PROT_READ, SYNC_READ, see ABI.md)
 * as the ioctl's value and also stores it in fd. Each call makes a new fd
 * with its own reference; the caller owns it. An id that is not (or no
 * longer) cached, 0 included, is ENOENT: query the plane again.
 */
struct vplane_display_dmabuf {
	__u32 argsz;
	__u32 flags;	 /* in: 0 */
	__u32 dmabuf_id; /* in */
	__s32 fd;	 /* out */
};

struct vplane_display_ack {
	__u32 argsz;
	__u32 flags; /* in: 0 */
	__u32 head;
	__u32 seq; /* flip sequence now on screen */
};

/* Per-consumer and per-vGPU counters, for tools and tests. */
struct vplane_display_stats {
	__u32 argsz;
	__u32 flags;	    /* in: 0 */
	__u64 events;	    /* queued to this fd */
	__u64 coalesced;    /* flips/cursor moves merged into newer */
	__u64 overflows;    /* events lost to a full queue */
	__u64 acks;	    /* acks by the role holder, all fds */
	__u64 ack_timeouts; /* flips completed without an ack */
	__u64 flips;	    /* flips latched by the guest */
};

#define VPLANE_DISPLAY_GET_INFO \
	_IOWR(VPLANE_DISPLAY_IOCTL_MAGIC, 0x00, struct vplane_display_info)
#define VPLANE_DISPLAY_QUERY_PLANE \
	_IOWR(VPLANE_DISPLAY_IOCTL_MAGIC, 0x01, struct vplane_display_plane)
#define VPLANE_DISPLAY_GET_DMABUF \
	_IOWR(VPLANE_DISPLAY_IOCTL_MAGIC, 0x02, struct vplane_display_dmabuf)
#define VPLANE_DISPLAY_TAKE_ACK_ROLE _IO(VPLANE_DISPLAY_IOCTL_MAGIC, 0x03)
#define VPLANE_DISPLAY_DROP_ACK_ROLE _IO(VPLANE_DISPLAY_IOCTL_MAGIC, 0x04)
#define VPLANE_DISPLAY_ACK_FLIP \
	_IOW(VPLANE_DISPLAY_IOCTL_MAGIC, 0x05, struct vplane_display_ack)
#define VPLANE_DISPLAY_GET_STATS \
	_IOWR(VPLANE_DISPLAY_IOCTL_MAGIC, 0x06, struct vplane_display_stats)

/*
 * VPLANE_DISPLAY_INPUT: inject input into the guest. Each vGPU has, for
 * its lifetime, evdev input devices the VMM attaches (QEMU input-linux or
 * virtio-input-host-pci): one keyboard, named "vplane <uuid> keyboard"
 * with phys "vplane/<uuid>/kbd", and one absolute pointer per head, named
 * "vplane <uuid> head <n> pointer" with phys "vplane/<uuid>/head<n>"; uniq
 * is the UUID, the bus BUS_VIRTUAL. The keyboard declares EV_KEY
 * KEY_ESC..VPLANE_INPUT_KEY_MAX and EV_REP; a pointer BTN_LEFT, RIGHT,
 * MIDDLE, SIDE and EXTRA, EV_ABS ABS_X/ABS_Y over 0..VPLANE_INPUT_ABS_MAX
 * (the whole head, whatever its mode), EV_REL REL_WHEEL, REL_HWHEEL and
 * their _HI_RES codes.
 *
 * @events points to @count (1..VPLANE_INPUT_MAX_EVENTS) records for one
 * device: @device VPLANE_INPUT_KEYBOARD (@head 0) or VPLANE_INPUT_POINTER
 * of @head. Accepted records: EV_SYN SYN_REPORT 0; EV_KEY of a declared
 * code, value 0 or 1 (2, autorepeat, on the keyboard only); EV_ABS X/Y
 * within 0..VPLANE_INPUT_ABS_MAX; EV_REL of a declared wheel within
 * +-VPLANE_INPUT_REL_MAX. Any other record, device, head or count fails
 * the whole call with EINVAL and sends nothing. A batch not ending in
 * SYN_REPORT gets one.
 *
 * Only the fd holding the ack role may inject (EPERM otherwise), and only
 * while a reader holds the device grabbed (EVIOCGRAB, as both QEMU paths
 * do): ENOTCONN otherwise, so nothing typed for a VM reaches the host's
 * own console. When the injecting fd closes or drops the role, every key
 * and button still down is released; so they are when the guest turns a
 * head off (that head's pointer), resets or the VMM closes the device, and
 * when the vGPU is removed (the devices go away).
 */
#define VPLANE_INPUT_KEYBOARD	0
#define VPLANE_INPUT_POINTER	1
#define VPLANE_INPUT_MAX_EVENTS 64
#define VPLANE_INPUT_KEY_MAX	248 /* KEY_MICMUTE */
#define VPLANE_INPUT_ABS_MAX	32767
#define VPLANE_INPUT_REL_MAX	32767

/* One evdev event: the type, code and value of struct input_event. */
struct vplane_input_event {
	__u16 type;
	__u16 code;
	__s32 value;
};

struct vplane_display_input {
	__u32 argsz;
	__u32 flags;  /* in: 0 */
	__u32 device; /* VPLANE_INPUT_KEYBOARD or VPLANE_INPUT_POINTER */
	__u32 head;   /* the pointer's head; 0 for the keyboard */
	__u32 count;  /* records at events */
	__u32 pad;    /* 0 */
	__u64 events; /* user pointer to struct vplane_input_event[count] */
};

#define VPLANE_DISPLAY_INPUT \
	_IOW(VPLANE_DISPLAY_IOCTL_MAGIC, 0x07, struct vplane_display_input)

/*
 * On the VFIO device fd: a new display fd (O_RDWR | O_CLOEXEC) for this
 * vGPU, returned as the ioctl's value.
 */
#define VPLANE_VFIO_GET_DISPLAY_FD _IO(VPLANE_DISPLAY_IOCTL_MAGIC, 0x40)

/* Event types */
#define VPLANE_EVENT_FLIP	 1 /* a plane latched a flip */
#define VPLANE_EVENT_CURSOR_MOVE 2 /* cursor position only */
#define VPLANE_EVENT_MODE	 3 /* head mode or EDID changed */
#define VPLANE_EVENT_RESET	 4 /* device reset: re-query all */
#define VPLANE_EVENT_OVERFLOW	 5 /* events lost: re-query all */

/*
 * Fields valid per type: all carry type and timestamp_ns. FLIP and
 * CURSOR_MOVE: head, plane, seq, dmabuf_id, dropped, x, y. MODE: head,
 * width, height. RESET and OVERFLOW: nothing else (re-query every plane).
 */
struct vplane_display_event {
	__u32 type; /* VPLANE_EVENT_* */
	__u32 head;
	__u32 plane;	    /* VPLANE_DISPLAY_PLANE_* */
	__u32 seq;	    /* the flip that latched it */
	__u32 dmabuf_id;    /* 0 if the plane is disabled */
	__u32 dropped;	    /* superseded unread ones of this plane */
	__u64 timestamp_ns; /* CLOCK_MONOTONIC when latched */
	__s32 x;	    /* plane position on the head */
	__s32 y;
	__u32 width;  /* MODE: the head's new mode, 0x0 if */
	__u32 height; /* the head is off */
};

#endif /* _UAPI_VPLANE_DISPLAY_H */
