/* SPDX-License-Identifier: MIT */
/*
 * vplaned's input core: the one path every input source (the kiosk's
 * seat, a WebRTC viewer, a VNC client through wayvnc, vplanectl) takes
 * into a VM. A source describes what happened in a head's own terms
 * (struct vpd_input_event) on behalf of an input origin it created; the
 * core checks it, arbitrates who controls the head, remembers what the
 * origin holds down, and sends it through the vGPU's interface
 * (vgpu.h: impl->input) to the vGPU's evdev devices (driver/ABI.md,
 * "Input devices"): keys to the vGPU's one keyboard, buttons, motion
 * and wheel to the head's own absolute pointer.
 *
 * Thread: everything here runs on the Wayland event loop only. Other
 * threads (a WebRTC data channel's, GStreamer's) post to the loop
 * (an eventfd or pipe source) and call these from there.
 *
 * Ownership: struct vpd_input belongs to the server (server.h); an
 * origin belongs to the source that created it, which destroys it when
 * it leaves (a viewer disconnects, a control client goes, the seat is
 * finished). Destroying an origin releases everything it holds and
 * gives up its control of every head.
 *
 * Nothing is left stuck. What an origin holds down is tracked per
 * origin per head (keys: on the head's vGPU keyboard; buttons: on the
 * head's pointer) and released (key or button up, then SYN_REPORT):
 * - on vpd_input_release_all() (a source's focus loss),
 * - when the origin is destroyed (disconnect),
 * - when the head goes away (its vpd_head.events.destroy: the vGPU is
 *   removed or closed by the operator),
 * - when another origin takes the head over (policy "last"),
 * - at vplaned's exit (the server destroys its vGPUs, hence their heads).
 * The driver also releases every key and button when vplaned's display
 * fd closes or drops the ack role (a crash, a SIGKILL), so a vplaned
 * that dies without running any of this leaves nothing down either.
 */
#ifndef VPD_INPUT_H
#define VPD_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include <wayland-server-core.h>

struct vpd_head;
struct vpd_input;
struct vpd_input_origin;

enum vpd_input_event_kind {
	VPD_INPUT_KEY,	  /* a keyboard key: code KEY_ESC..KEY_MICMUTE */
	VPD_INPUT_BUTTON, /* a pointer button: BTN_LEFT..BTN_EXTRA */
	VPD_INPUT_MOTION, /* absolute pointer position */
	VPD_INPUT_WHEEL,  /* wheel steps */
};

/* One input event, in the head's own terms. */
struct vpd_input_event {
	enum vpd_input_event_kind kind;
	/* KEY, BUTTON: the Linux code (linux/input-event-codes.h) */
	uint32_t code;
	bool pressed; /* KEY, BUTTON: down (true) or up */
	/*
	 * MOTION: the pixel of the head's current mode (0 <= x < width,
	 * 0 <= y < height), the guest's own pixels; the core maps it into
	 * the pointer's 0..VPLANE_INPUT_ABS_MAX so that the guest's pixel
	 * (x, y) is hit (vpd_input_abs_from_pixel()). A position outside
	 * the mode is refused, not clamped: a source that maps from
	 * something else (an output with a letterbox) clamps to the head
	 * itself, so a far-off position is always a bug or an attack.
	 */
	int32_t x, y;
	/* WHEEL: steps in 120ths of a detent (REL_WHEEL_HI_RES units),
	 * positive is up / right, within +-VPLANE_INPUT_REL_MAX */
	int32_t wheel_v, wheel_h;
};

/* Who sends: for logs, and to tell a source what kind it is. */
enum vpd_input_origin_kind {
	VPD_INPUT_ORIGIN_SEAT,	  /* the kiosk's keyboards and pointers */
	VPD_INPUT_ORIGIN_VIEWER,  /* a WebRTC viewer */
	VPD_INPUT_ORIGIN_VNC,	  /* a VNC client through wayvnc */
	VPD_INPUT_ORIGIN_CONTROL, /* vplanectl (a control client) */
};

/*
 * Who controls a head when two origins want it ("input-control" in the
 * config file, --input-control on the command line). A head has at most
 * one controller at a time, whatever the policy.
 */
enum vpd_input_policy {
	/* the first origin keeps the head until it leaves or gives it up
	 * (the default: nobody's typing is taken over mid-word) */
	VPD_INPUT_POLICY_FIRST,
	/* the newest origin that asks takes the head over; the one before
	 * has what it held released and gets events.control_lost */
	VPD_INPUT_POLICY_LAST,
};

/* What became of an event or a request for control. */
enum vpd_input_result {
	VPD_INPUT_OK,
	/* another origin controls the head (policy first) */
	VPD_INPUT_NOT_CONTROLLER,
	/* a code the device does not have, a kind and code that do not
	 * match, a position outside the head's mode, a wheel out of range;
	 * logged at debug level (the source logs once per client if it
	 * wants a line: refusing a hostile peer must not flood the log) */
	VPD_INPUT_INVALID,
	/* the head has no mode (off) or is gone: nothing to point at */
	VPD_INPUT_NO_HEAD,
	/* over the origin's budget (VPD_INPUT_RATE_* below); logged once
	 * per burst */
	VPD_INPUT_RATE_LIMITED,
	/* the vGPU has no vplane input devices (an upstream VFIO vGPU);
	 * logged once per vGPU */
	VPD_INPUT_UNSUPPORTED,
	/* the device refused it (logged) */
	VPD_INPUT_FAILED,
	/* no VMM holds the vGPU's input devices (ENOTCONN): nothing reaches
	 * the guest; logged once per vGPU until injection works again */
	VPD_INPUT_NOT_ATTACHED,
};

/* Each origin may send this many events per second on average, in
 * bursts of up to VPD_INPUT_RATE_BURST; releases are never counted. */
#define VPD_INPUT_RATE_PER_SECOND 2000
#define VPD_INPUT_RATE_BURST	  1000

struct vpd_input_origin {
	enum vpd_input_origin_kind kind;
	char name[64]; /* for logs: "viewer 10.0.0.3:51234", "vplanectl" */
	struct {
		/* another origin took head (data: struct vpd_head) over; what
		 * this origin held there is released already */
		struct wl_signal control_lost;
		struct wl_signal destroy;
	} events;
	/* the rest is the core's */
	struct vpd_input *input;
	struct wl_list holds; /* struct hold.link (input.c) */
	uint64_t budget_ns;   /* rate limit (input.c) */
	bool limited;	      /* refusing: logged this burst already */
	struct wl_list link;  /* vpd_input.origins */
};

/* The server's input core with @policy; NULL after logging. */
struct vpd_input *vpd_input_create(enum vpd_input_policy policy);

/* Free @input; NULL is a no-op. Every origin is destroyed already (by
 * its source; asserted): the server calls it after all its sources. */
void vpd_input_destroy(struct vpd_input *input);

/* "first" or "last" into @out; false for anything else. */
bool vpd_input_policy_parse(const char *text, enum vpd_input_policy *out);
const char *vpd_input_result_str(enum vpd_input_result result);

/* A new origin of @kind named @name (copied, truncated); NULL after
 * logging. Owned by the caller. */
struct vpd_input_origin *
vpd_input_origin_create(struct vpd_input *input,
			enum vpd_input_origin_kind kind, const char *name);

/* Release everything @origin holds, give up its control of every head,
 * emit events.destroy, free. NULL is a no-op. */
void vpd_input_origin_destroy(struct vpd_input_origin *origin);

/*
 * Send @event (borrowed) to @head (borrowed) from @origin. If nobody
 * controls the head, @origin takes control first (so a lone source
 * needs no vpd_input_take_control()). Refused (nothing sent, nothing
 * recorded) with the result saying why. A press of what @origin holds
 * down already, or a release of what it does not hold, sends nothing and
 * is VPD_INPUT_OK: an origin never releases another origin's key.
 */
enum vpd_input_result vpd_input_send(struct vpd_input_origin *origin,
				     struct vpd_head *head,
				     const struct vpd_input_event *event);

/* Release every key and button @origin holds, on every head (focus loss,
 * a viewer's page hidden). It keeps its control. */
void vpd_input_release_all(struct vpd_input_origin *origin);

/*
 * Ask for control of @head. OK if @origin has it now: nobody had it, or
 * @origin had it, or the policy is "last" (the previous controller loses
 * it, see VPD_INPUT_POLICY_LAST); NOT_CONTROLLER under "first" while
 * another origin has it; NO_HEAD for a gone head.
 */
enum vpd_input_result vpd_input_take_control(struct vpd_input_origin *origin,
					     struct vpd_head *head);

/* True if @origin holds a key or button down on any head. */
bool vpd_input_holds_any(const struct vpd_input_origin *origin);

/* True if @origin controls @head now. */
bool vpd_input_has_control(const struct vpd_input_origin *origin,
			   const struct vpd_head *head);

/* Release what @origin holds on @head and give its control up. */
void vpd_input_drop_control(struct vpd_input_origin *origin,
			    struct vpd_head *head);

/*
 * The pointer value (0..VPLANE_INPUT_ABS_MAX) for pixel @pixel
 * (0 <= pixel < @size) of a @size-pixel wide (or high) mode: the middle
 * of the pixel's share of the range, floor((2 * pixel + 1) * 32768 /
 * (2 * size)). The guest (QEMU's input-linux passes 0..32767 through
 * unscaled, virtio-input-host-pci raw; the guest's libinput or X maps
 * v to floor(v * size / 32768)) lands on @pixel.
 */
uint32_t vpd_input_abs_from_pixel(uint32_t pixel, uint32_t size);

#endif /* VPD_INPUT_H */
