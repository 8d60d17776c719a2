/* SPDX-License-Identifier: MIT */
/*
 * The kiosk's seat (--backend drm): the keyboards and pointers of the
 * machine vplaned runs on, through wlroots' libinput backend (the DRM
 * backend's session, from seatd or logind, opens their event nodes), sent
 * into the VM whose head is under the pointer through the input core
 * (input.h) as one origin, "seat".
 *
 * - The pointer (a wlr_cursor) moves over the whole output layout. Over a
 *   head, its position is turned into the head's own pixel through where
 *   the output draws the head (the output's scale, then the letterbox box
 *   of vpd_output_head_box()), clamped to the head.
 * - Keyboard focus follows the head under the pointer (seat-focus
 *   pointer, the default), or moves only with a click on another head
 *   (seat-focus click). Keys, buttons, motion and wheel all go to the
 *   focused head; in "pointer" mode, the pointer over no head (a black
 *   output, a letterbox bar) means no focus.
 * - Focus loss releases everything the seat holds (vpd_input_release_all):
 *   the focus moving to another head or to none, the focused head going
 *   away or leaving its output, a keyboard unplugged, the release
 *   combination, vplaned's exit (the origin is destroyed).
 * - Two key combinations are vplaned's own and never reach a VM
 *   (seat-release and seat-next, config.h): "release" lets go of
 *   everything and forwards nothing until the next click (which is
 *   forwarded); "next" shows the next head on the output under the
 *   pointer (vpd_layout_attach(), so a single-output kiosk cycles
 *   through its VMs; heads other outputs show are skipped). A combination is modifiers plus one key named by
 *   its unshifted keysym, e.g. "ctrl+alt+shift+Escape"; the combination's
 *   key is swallowed (press and release), the modifiers pressed before it
 *   reached the VM already and are released by the focus loss.
 * - No host cursor image is set: the guest draws its own (the guest
 *   cursor plane, output_cursor.h), and a host image over a head would
 *   make wlroots composite instead of scanning the head out directly.
 * - Input devices present at start and plugged in later come the same
 *   way (the backend's new_input); devices vplane.ko makes for the VMs
 *   are not the seat's (its udev rule sets LIBINPUT_IGNORE_DEVICE).
 * - A touchscreen is a pointer with one button: the first finger down
 *   moves the pointer and presses BTN_LEFT, lifting it releases it; the
 *   other fingers are ignored (a head's pointer is one point). Tablet
 *   tools are not taken.
 */
#ifndef VPD_SEAT_H
#define VPD_SEAT_H

struct vpd_server;
struct vpd_seat;

/* The seat of @server (borrowed; its backend, layout and input core
 * exist): listens to the backend's new_input. NULL after logging. */
struct vpd_seat *vpd_seat_create(struct vpd_server *server);

/* Release everything the seat holds and free it; NULL is a no-op.
 * Call before the backend (and its input devices) is destroyed. */
void vpd_seat_destroy(struct vpd_seat *seat);

#endif /* VPD_SEAT_H */
