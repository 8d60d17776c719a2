/* SPDX-License-Identifier: MIT */
/*
 * WebRTC viewers' keyboard and pointer into the input core (input.h):
 * the glue between encoders/webrtc.h's input sink, called on the
 * transport's threads, and vpd_input_send() on the Wayland event loop.
 * Each event is posted through a mailbox (encoders/mailbox.h: a list
 * under a mutex and an eventfd the loop watches), so no transport
 * thread ever touches compositor state.
 *
 * On the loop, each viewer that sends becomes an input origin
 * (VPD_INPUT_ORIGIN_VIEWER, created at its first event), destroyed
 * when the transport says it is gone, which releases everything it
 * held. An event names its head by stream path; the head is the one
 * the output streamed at that path shows now (none: dropped). What
 * the viewer page sends is in the stream's pixels: a position on the
 * pad column or row of an odd mode (docs/streaming.md, "Modes") is
 * clamped to the head's last pixel; the wheel's sign is turned from
 * the DOM's (down positive) into the core's (up positive). A refusal
 * by the core (another controller, no VMM attached, ...) is logged
 * once per viewer and kind.
 */
#ifndef VPD_VIEWER_INPUT_H
#define VPD_VIEWER_INPUT_H

#include "webrtc.h"

struct vpd_server;
struct vpd_viewer_input;

/* NULL after logging (no eventfd). */
struct vpd_viewer_input *vpd_viewer_input_create(struct vpd_server *server);

/* After the transport is destroyed (no more events): events still
 * posted are dropped, every viewer's origin destroyed (releasing what
 * it holds). NULL is a no-op. */
void vpd_viewer_input_destroy(struct vpd_viewer_input *viewer_input);

/* The sink to give the transport (enc_webrtc_options.input). */
struct enc_webrtc_input vpd_viewer_input_sink(struct vpd_viewer_input *vi);

#endif /* VPD_VIEWER_INPUT_H */
