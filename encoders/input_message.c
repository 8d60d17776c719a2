// SPDX-License-Identifier: MIT
#include <string.h>

#include "input_message.h"

/* each type's exact size, version and type bytes included */
static const size_t message_size[] = {
	[ENC_INPUT_KEY] = 5,   [ENC_INPUT_BUTTON] = 4,	[ENC_INPUT_MOTION] = 6,
	[ENC_INPUT_WHEEL] = 6, [ENC_INPUT_RELEASE] = 2,
};

void enc_input_viewer_init(struct enc_input_viewer *viewer, int64_t now_us)
{
	*viewer = (struct enc_input_viewer){ 0 };
	viewer->budget = ENC_INPUT_BURST;
	viewer->budget_at_us = now_us;
}

static unsigned int u16_at(const uint8_t *b)
{
	return (unsigned int)b[0] | (unsigned int)b[1] << 8;
}

static int s16_at(const uint8_t *b)
{
	return (int16_t)(uint16_t)u16_at(b);
}

static bool key_held(const struct enc_input_viewer *viewer, unsigned int code)
{
	return viewer->keys[code / 8] & (1u << (code % 8));
}

static void set_key(struct enc_input_viewer *viewer, unsigned int code,
		    bool down)
{
	if (down)
		viewer->keys[code / 8] |= (uint8_t)(1u << (code % 8));
	else
		viewer->keys[code / 8] &= (uint8_t) ~(1u << (code % 8));
}

/* Refill at ENC_INPUT_RATE a second up to ENC_INPUT_BURST, then take one
 * event's worth if there is one. A clock that goes back refills
 * nothing. */
static bool take_budget(struct enc_input_viewer *viewer, int64_t now_us)
{
	if (now_us > viewer->budget_at_us) {
		viewer->budget += (double)(now_us - viewer->budget_at_us) *
				  ENC_INPUT_RATE / 1e6;
		if (viewer->budget > ENC_INPUT_BURST)
			viewer->budget = ENC_INPUT_BURST;
		viewer->budget_at_us = now_us;
	}
	if (viewer->budget < 1)
		return false;
	viewer->budget -= 1;
	return true;
}

/* Decode without judging the viewer's state: false if malformed. */
static bool decode(const uint8_t *b, size_t size, unsigned int width,
		   unsigned int height, struct enc_input_event *event)
{
	*event = (struct enc_input_event){ 0 };
	if (size < 2 || size > ENC_INPUT_MAX_MESSAGE ||
	    b[0] != ENC_INPUT_VERSION || b[1] < ENC_INPUT_KEY ||
	    b[1] > ENC_INPUT_RELEASE || size != message_size[b[1]])
		return false;
	event->type = b[1];
	switch (event->type) {
	case ENC_INPUT_KEY:
		event->code = u16_at(b + 2);
		event->down = b[4];
		return event->code >= 1 && event->code <= ENC_INPUT_KEY_MAX &&
		       b[4] <= 1;
	case ENC_INPUT_BUTTON:
		event->code = b[2];
		event->down = b[3];
		return b[2] < ENC_INPUT_BUTTONS && b[3] <= 1;
	case ENC_INPUT_MOTION:
		event->x = u16_at(b + 2);
		event->y = u16_at(b + 4);
		return event->x < width && event->y < height;
	case ENC_INPUT_WHEEL:
		event->dx = s16_at(b + 2);
		event->dy = s16_at(b + 4);
		return event->dx >= -ENC_INPUT_WHEEL_MAX &&
		       event->dx <= ENC_INPUT_WHEEL_MAX &&
		       event->dy >= -ENC_INPUT_WHEEL_MAX &&
		       event->dy <= ENC_INPUT_WHEEL_MAX &&
		       (event->dx || event->dy);
	case ENC_INPUT_RELEASE:
		return true;
	}
	return false;
}

/* A release of something held passes whatever the budget; a press of
 * something held, or a release of something not, has nothing to do. */
static enum enc_input_verdict judge(struct enc_input_viewer *viewer,
				    const struct enc_input_event *event,
				    int64_t now_us)
{
	bool held = false, release_of_held = false;

	if (event->type == ENC_INPUT_KEY)
		held = key_held(viewer, event->code);
	else if (event->type == ENC_INPUT_BUTTON)
		held = viewer->buttons & (1u << event->code);
	if (event->type == ENC_INPUT_KEY || event->type == ENC_INPUT_BUTTON) {
		if (held == event->down)
			return ENC_INPUT_DROPPED;
		release_of_held = held;
	}
	if (event->type == ENC_INPUT_RELEASE)
		release_of_held = enc_input_viewer_holds(viewer);
	if (!take_budget(viewer, now_us) && !release_of_held) {
		viewer->over_budget++;
		return ENC_INPUT_DROPPED;
	}
	return ENC_INPUT_OK;
}

enum enc_input_verdict enc_input_parse(struct enc_input_viewer *viewer,
				       const void *bytes, size_t size,
				       unsigned int width, unsigned int height,
				       int64_t now_us,
				       struct enc_input_event *event)
{
	enum enc_input_verdict verdict;

	if (!decode(bytes, size, width, height, event)) {
		viewer->refused++;
		return ENC_INPUT_REFUSED;
	}
	verdict = judge(viewer, event, now_us);
	if (verdict != ENC_INPUT_OK) {
		viewer->dropped++;
		return verdict;
	}
	viewer->accepted++;
	if (event->type == ENC_INPUT_KEY) {
		set_key(viewer, event->code, event->down);
	} else if (event->type == ENC_INPUT_BUTTON) {
		if (event->down)
			viewer->buttons |= (uint8_t)(1u << event->code);
		else
			viewer->buttons &= (uint8_t) ~(1u << event->code);
	} else if (event->type == ENC_INPUT_RELEASE) {
		memset(viewer->keys, 0, sizeof(viewer->keys));
		viewer->buttons = 0;
	}
	return ENC_INPUT_OK;
}

bool enc_input_viewer_holds(const struct enc_input_viewer *viewer)
{
	size_t i;

	for (i = 0; i < sizeof(viewer->keys); i++)
		if (viewer->keys[i])
			return true;
	return viewer->buttons != 0;
}
