/* SPDX-License-Identifier: MIT */
/*
 * One encoded stream per streamed head: raw frames in (fd-backed, no
 * copy), one encoder, the encoded stream fanned out to any number of
 * consumers (RTSP media, recordings: stream_consumer.h).
 *
 * Frames enter as GStreamer memory over the caller's fd (dma-buf memory
 * for a dma-buf, fd memory for a memfd; both with DONT_CLOSE: the fd
 * stays the caller's) with a video meta for stride and offset, pushed
 * into an appsrc whose queue drops the oldest frame when full. When
 * GStreamer frees the memory (the converter has read it, or a queue
 * dropped it), a weak-ref callback on GStreamer's thread posts a note
 * to the stream's mailbox; enc_stream_dispatch(), on the caller's
 * thread, then runs the frame's release callback. So the caller's
 * buffer stays locked exactly as long as GStreamer reads it, and the
 * caller never sees a GStreamer thread.
 *
 * Push frames on flips. Nothing is pushed or encoded while no consumer
 * is attached; a consumer that joins asks for a keyframe, which the
 * next dispatch reports (enc_stream_dispatch() returns true) so the
 * caller pushes the current frame at once instead of waiting for the
 * guest's next flip.
 *
 * No GStreamer types here: vplaned's server files include it.
 */
#ifndef ENC_STREAM_H
#define ENC_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct enc_stream;
struct enc_encoder_candidate;

enum enc_frame_memory {
	ENC_FRAME_DMABUF,
	ENC_FRAME_MEMFD, /* any mmap-able fd: wlroots' shm buffers */
};

struct enc_frame {
	int fd; /* borrowed until @release runs */
	enum enc_frame_memory memory;
	uint32_t drm_format; /* DRM fourcc */
	uint32_t width, height, stride;
	uint32_t offset; /* of the first pixel in the fd */
	size_t size;	 /* bytes of the fd to map */
	/* runs from enc_stream_dispatch() (or enc_stream_destroy()) once
	 * GStreamer is done with the frame */
	void (*release)(void *data);
	void *data;
};

struct enc_stream_stats {
	uint64_t frames_in;	/* pushed */
	uint64_t frames_out;	/* encoded */
	uint64_t bytes_out;	/* encoded bytes */
	uint64_t keyframes;	/* encoded keyframes */
	unsigned int consumers; /* attached now */
	unsigned int in_flight; /* frames GStreamer still holds */
	/* keyframes asked for (viewers joining, PLI/FIR, PLAY), forced
	 * (at most one per ENC_STREAM_KEYFRAME_MIN_MS), and requests that
	 * waited for that interval (coalesced) */
	uint64_t keyframe_requests, keyframes_forced;
	uint64_t keyframe_requests_deferred;
	/* encoded frames not sent to a consumer that fell behind (its
	 * queue held frames older than the bound) */
	uint64_t consumer_drops;
	/*
	 * Where a frame's time goes, in microseconds (sums over frames, and
	 * the largest): from enc_stream_push() to the encoder's output
	 * (frames_out of them), and from there to leaving a consumer's
	 * queue for its transport (consumer_frames: every frame each
	 * consumer took). Two clock reads per frame and stage.
	 */
	uint64_t encode_us_sum, encode_us_max;
	uint64_t consumer_frames, consumer_us_sum, consumer_us_max;
	/* ... and from there to the transport's sink (RTSP's TCP sink,
	 * whose sender writes to the viewer's socket): payloading, RTP
	 * session (sink_frames, per frame; see enc_stream_watch_sink()) */
	uint64_t sink_frames, sink_us_sum, sink_us_max;
	bool failed; /* the encoder failed; the next mode restarts it */
	/* the frames the encoder takes now (its input caps): size and DRM
	 * fourcc; 0 before its first frame and after a restart */
	uint32_t input_width, input_height, input_format;
	/* WebRTC viewers that came, and the times one's ICE connection
	 * came up (enc_stream_count_webrtc()) */
	uint64_t webrtc_viewers, webrtc_connected;
};

/*
 * Forced keyframes of one stream: at most one per this interval, however
 * many are asked for. Every keyframe goes to every consumer and holds
 * the guest's ack while the encoder reads it; a viewer waiting for one
 * gets the next.
 */
#define ENC_STREAM_KEYFRAME_MIN_MS 1000

struct enc_stream_options {
	/* full-resolution chroma (H.264 High 4:4:4 profile) where the
	 * encoder has it (x264): sharp coloured edges and text, but not
	 * every decoder plays it (browsers, most hardware) */
	bool chroma444;
};

/*
 * A stream named @name (borrowed, for logs) encoding with @encoder
 * (borrowed, static: see enc_encoder_choose()), @options (borrowed; NULL
 * for the defaults). Its pipeline is playing but idle. NULL after
 * logging why.
 */
struct enc_stream *
enc_stream_create(const char *name, const struct enc_encoder_candidate *encoder,
		  const struct enc_stream_options *options);

/*
 * Stop the pipeline, end every consumer's stream, run the release
 * callback of every frame GStreamer gave back, and drop the caller's
 * reference (consumers may keep the object alive, idle, a little
 * longer). NULL is a no-op.
 */
void enc_stream_destroy(struct enc_stream *stream);

/*
 * Hand @frame (borrowed; its fd until its release runs) to the encoder.
 * @keyframe forces a keyframe. False if the frame was not taken (no
 * consumer, a format the stream cannot describe, the pipeline failed):
 * then @frame->release is never called.
 */
bool enc_stream_push(struct enc_stream *stream, const struct enc_frame *frame,
		     bool keyframe);

/* Any consumer attached (safe to call often: an atomic read). */
bool enc_stream_has_consumers(struct enc_stream *stream);

/* Readable when enc_stream_dispatch() has work; owned by the stream. */
int enc_stream_get_fd(struct enc_stream *stream);

/*
 * Run release callbacks of frames GStreamer let go of. True if a
 * consumer asked for a keyframe since the last call: push the current
 * frame with @keyframe set.
 */
bool enc_stream_dispatch(struct enc_stream *stream);

void enc_stream_get_stats(struct enc_stream *stream,
			  struct enc_stream_stats *stats);

/* What a WebRTC viewer of the stream did, for enc_stream_stats. */
enum enc_stream_webrtc_event {
	ENC_STREAM_WEBRTC_VIEWER,    /* came (its WebSocket accepted) */
	ENC_STREAM_WEBRTC_CONNECTED, /* its ICE connection came up */
};

/* Count @event (any thread: an atomic add). */
void enc_stream_count_webrtc(struct enc_stream *stream,
			     enum enc_stream_webrtc_event event);

#endif /* ENC_STREAM_H */
