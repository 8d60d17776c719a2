/* SPDX-License-Identifier: MIT */
/*
 * The consumer side of a enc_stream, for the transports in encoders/
 * (rtsp.c, recording.c). Thread-safe: RTSP attaches and detaches from
 * its own thread. A consumer is an appsrc in the transport's pipeline;
 * it receives the encoded stream from its next keyframe on (earlier
 * delta frames are useless to it), re-timestamped by its own appsrc
 * (do-timestamp: its pipeline has its own clock base), without a copy
 * of the payload (a shallow buffer copy shares the memory). Frames go to
 * it only while its appsrc is PLAYING (before, its base time may not be
 * set and the stamp would be the clock's absolute time); when it starts
 * playing, a keyframe is asked for.
 */
#ifndef ENC_STREAM_CONSUMER_H
#define ENC_STREAM_CONSUMER_H

#include <gst/app/gstappsrc.h>

#include "stream.h"

struct enc_stream_consumer;

/* References for the transports that outlive a request. */
struct enc_stream *enc_stream_ref(struct enc_stream *stream);
void enc_stream_unref(struct enc_stream *stream);

/* Caps the consumer's appsrc must carry (caller unrefs). */
GstCaps *enc_stream_get_caps(struct enc_stream *stream);

/*
 * Configure @src (a new reference is taken) as a live, non-blocking,
 * leaky source, attach it and ask for a keyframe. NULL once the stream
 * is being destroyed.
 */
struct enc_stream_consumer *enc_stream_attach(struct enc_stream *stream,
					      GstAppSrc *src);

/* Detach and free @consumer (NULL is a no-op; one that
 * enc_stream_destroy() already ended and freed is only compared, never
 * touched). */
void enc_stream_detach(struct enc_stream *stream,
		       struct enc_stream_consumer *consumer);

/*
 * Count the frames reaching @sink (a transport's sink in a consumer's
 * pipeline: RTSP's TCP appsink) and the time since the consumer's appsrc
 * took each (enc_stream_stats.sink_*). Watch each sink once; a sink whose
 * first buffer is not RTP (RTCP's) is left alone from then on.
 */
void enc_stream_watch_sink(struct enc_stream *stream, GstElement *sink);

/* Ask for a keyframe (a client joined a shared media, a PLI or FIR).
 * Throttled: requests coalesce into at most one forced keyframe per
 * ENC_STREAM_KEYFRAME_MIN_MS (stream.h). */
void enc_stream_request_keyframe(struct enc_stream *stream);

/*
 * Whether the stream has a picture to describe: a frame was offered and
 * the encoder has not failed (it restarts with the next mode). A
 * transport answers a viewer of a stream that is not ready at once
 * instead of waiting for a first frame that may never come.
 */
bool enc_stream_is_ready(struct enc_stream *stream);

#endif /* ENC_STREAM_CONSUMER_H */
