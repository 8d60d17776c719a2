/* SPDX-License-Identifier: MIT */
#ifndef ENC_STREAM_FIXTURE_H
#define ENC_STREAM_FIXTURE_H
/*
 * What the stream tests that feed the real x264 encoder share: one
 * XRGB8888 frame in a memfd (as vplaned hands over a dma-buf), a pump of
 * the stream's fd, and a viewer pipeline (appsrc ! appsink) attached to
 * the stream.
 */
#include <stdbool.h>
#include <stdint.h>

#include <gst/gst.h>

#include "stream.h"

struct fixture_frame {
	struct enc_frame frame; /* its data is &held */
	uint8_t *px;		/* the frame's pixels, mapped read-write */
	bool held;		/* pushed and not yet released */
};

/* x264enc is not installed: says so (the caller skips with 77). */
bool fixture_x264_missing(void);

/* @f: a @width x @height frame filled with @fill. False on failure. */
bool fixture_frame_init(struct fixture_frame *f, uint32_t width,
			uint32_t height, uint8_t fill);

/* Wait up to @ms for the stream's fd, then dispatch: true if the stream
 * asks for a keyframe. */
bool fixture_pump(struct enc_stream *stream, int ms);

/* A viewer of @stream whose appsink (in *sink) holds @max_buffers,
 * dropping the oldest if @drop; PLAYING. NULL on failure. */
GstElement *fixture_viewer(struct enc_stream *stream, guint max_buffers,
			   gboolean drop, GstElement **sink);

#endif /* ENC_STREAM_FIXTURE_H */
