/* SPDX-License-Identifier: MIT */
/*
 * VNC clients' keyboard and pointer (wayvnc without --disable-input)
 * into the input core (input.h).
 *
 * vplaned offers zwp_virtual_keyboard_manager_v1 and
 * zwlr_virtual_pointer_manager_v1 (v2: pointers bound to an output),
 * and a wl_seat named "vnc" to name in their requests, to clients of
 * the control socket only (control.h): a virtual keyboard types into a
 * VM, so it needs the same grant as managing vplaned. wayvnc on the
 * public socket sees none of them and must run with --disable-input.
 *
 * Each Wayland client with a virtual device is one input origin
 * (VPD_INPUT_ORIGIN_VNC): the core's rate limit and input-control
 * arbitration apply per client, and everything it holds is released
 * when it disconnects (its wl_client is destroyed), when one of its
 * devices goes, and when its events start going to another head.
 *
 * wayvnc 0.5 (Debian 12) shares one virtual keyboard and pointer among
 * all its VNC clients, keeps them when a VNC client disconnects and
 * swallows a VNC client's repeated presses: a VNC client that goes
 * mid-keypress leaves the key down in wayvnc, and nothing on the
 * Wayland side says so. So a client whose last event was (or followed)
 * a press and that sends nothing for VPD_VNC_IDLE_RELEASE_MS has
 * everything it holds released: a stuck key would make the VM unusable,
 * while a key held that long without any other input (a long
 * auto-repeat in the guest) merely stops. Its next press of that key is
 * then lost in wayvnc (it still thinks the key is down) until released.
 * A wayvnc that destroys its devices when a VNC client goes gets the
 * release at once.
 *
 * Routing: a pointer created with an output (wayvnc 0.5 binds its
 * pointer to the output it captures) sends to the head that output
 * shows; keys go to the head of the output the client's latest
 * output-bound pointer names (wayvnc: the output it captures). A
 * pointer without an output, or keys of a client without a bound
 * pointer, go to the only output if there is exactly one; otherwise
 * they are refused (logged once per client).
 *
 * Keys: the virtual keyboard's key is already a Linux evdev code; the
 * client's keymap is compiled by wlroots and otherwise unused, and its
 * modifier state is not forwarded: the guest derives its modifiers from
 * the modifier keys it receives, under its own layout (so wayvnc's
 * --keyboard should name the guest's layout). Absolute motion maps
 * through the output's letterbox to the head's pixel (vnc_map.h) and
 * then like every source (input.c). Relative motion and continuous
 * scrolling without wheel steps are refused, logged once per client.
 */
#ifndef VPD_VNC_INPUT_H
#define VPD_VNC_INPUT_H

struct vpd_server;
struct vpd_vnc_input;

/* Quiet time after a press before what a client holds is released. */
#define VPD_VNC_IDLE_RELEASE_MS 5000

/* Create the two managers and the seat, restricted to control clients
 * (after the control socket exists). NULL after logging. */
struct vpd_vnc_input *vpd_vnc_input_create(struct vpd_server *server);

/* After wl_display_destroy_clients() (every client's origin is gone
 * then) and before the input core. NULL is a no-op. */
void vpd_vnc_input_destroy(struct vpd_vnc_input *vnc_input);

#endif /* VPD_VNC_INPUT_H */
