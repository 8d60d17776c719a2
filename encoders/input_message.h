/* SPDX-License-Identifier: MIT */
/*
 * A browser viewer's input, as it arrives on its WebRTC data channel
 * ("input", created by vplaned in its offer, only for a viewer whose
 * token allows control): one binary message per event, little-endian,
 * each type exactly its size (a small fixed format rather than JSON: no
 * allocation, no parser with its own corner cases, a message's length
 * alone tells whether it is well formed, and 4-6 bytes a key):
 *
 *   byte 0      version, ENC_INPUT_VERSION
 *   byte 1      type
 *   key     1   u16 Linux key code (1..ENC_INPUT_KEY_MAX), u8 0 up/1 down
 *   button  2   u8 button (0 left, 1 middle, 2 right, 3 back, 4
 *               forward: DOM MouseEvent.button order), u8 0 up/1 down
 *   motion  3   u16 x, u16 y: the head's pixel under the pointer
 *   wheel   4   s16 dx, s16 dy in 120ths of a notch (+dy: down, as
 *               the DOM's deltaY; +dx: right)
 *   release 5   nothing: let go of everything this viewer holds
 *               (the page sends it on blur and when hidden)
 *
 * Refused (and counted; the caller logs): a message not exactly its
 * type's size or over ENC_INPUT_MAX_MESSAGE, another version, an
 * unknown type, a key code outside 1..ENC_INPUT_KEY_MAX (the keys the
 * vGPU's keyboard has), a button over 4, a state other than 0/1, a
 * position outside the frame (0..width-1, 0..height-1: the page clamps
 * to the picture, so a position beyond it is not a pointer's), a wheel
 * step past one ENC_INPUT_WHEEL_MAX. A key-up or button-up of something
 * this viewer does not hold is dropped (nothing to release), a key-down
 * of a key it holds too (no repeats from the viewer: the guest repeats).
 *
 * Flooding: each viewer has a budget of ENC_INPUT_RATE events a second
 * with bursts up to ENC_INPUT_BURST; past it events are dropped, except
 * the release of something the viewer holds, which always passes (a
 * flood never leaves a key down).
 *
 * No GStreamer here: the unit suite tests it directly. Not thread-safe:
 * one viewer's state is used by one thread.
 */
#ifndef ENC_INPUT_MESSAGE_H
#define ENC_INPUT_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENC_INPUT_VERSION     1
#define ENC_INPUT_MAX_MESSAGE 16
/* KEY_MICMUTE: the vGPU keyboard's last key (driver/ABI.md) */
#define ENC_INPUT_KEY_MAX     248
#define ENC_INPUT_BUTTONS     5
/* one notch is 120; a browser's largest line or page step fits */
#define ENC_INPUT_WHEEL_MAX   (120 * 32)
#define ENC_INPUT_RATE	      250 /* events a second, per viewer */
#define ENC_INPUT_BURST	      500

enum enc_input_type {
	ENC_INPUT_KEY = 1,
	ENC_INPUT_BUTTON = 2,
	ENC_INPUT_MOTION = 3,
	ENC_INPUT_WHEEL = 4,
	ENC_INPUT_RELEASE = 5,
};

/* Buttons in the DOM's order; the glue maps them to BTN_*. */
enum enc_input_button {
	ENC_INPUT_BUTTON_LEFT,
	ENC_INPUT_BUTTON_MIDDLE,
	ENC_INPUT_BUTTON_RIGHT,
	ENC_INPUT_BUTTON_BACK,
	ENC_INPUT_BUTTON_FORWARD,
};

/* One validated event, what vplaned is handed. */
struct enc_input_event {
	enum enc_input_type type;
	unsigned int code; /* key: Linux key code; button: enum above */
	bool down;	   /* key, button */
	unsigned int x, y; /* motion: head pixels, inside the frame */
	int dx, dy;	   /* wheel: 120ths of a notch */
};

enum enc_input_verdict {
	ENC_INPUT_OK,	   /* @event is filled: hand it on */
	ENC_INPUT_DROPPED, /* well formed, nothing to do or over budget */
	ENC_INPUT_REFUSED, /* malformed: see the header comment */
};

/* One viewer's input state: what it holds, its budget, its counts. */
struct enc_input_viewer {
	uint8_t keys[(ENC_INPUT_KEY_MAX + 8) / 8]; /* held, by key code */
	uint8_t buttons;			   /* held, bit per button */
	double budget;				   /* events allowed now */
	int64_t budget_at_us;			   /* when last refilled */
	unsigned long accepted, dropped, refused;  /* since init */
	unsigned long over_budget;		   /* of dropped */
};

void enc_input_viewer_init(struct enc_input_viewer *viewer, int64_t now_us);

/*
 * Parse @size bytes at @bytes (borrowed) from @viewer, received at
 * @now_us (monotonic) for a frame of @width x @height pixels (0: none
 * yet, every motion refused). On ENC_INPUT_OK @event holds the event
 * and @viewer's held state is updated; the counts are updated always.
 * A release event clears the held state (the caller releases in
 * vplaned).
 */
enum enc_input_verdict enc_input_parse(struct enc_input_viewer *viewer,
				       const void *bytes, size_t size,
				       unsigned int width, unsigned int height,
				       int64_t now_us,
				       struct enc_input_event *event);

/* @viewer holds some key or button. */
bool enc_input_viewer_holds(const struct enc_input_viewer *viewer);

#endif /* ENC_INPUT_MESSAGE_H */
