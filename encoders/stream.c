// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <gst/allocators/gstdmabuf.h>
#include <gst/allocators/gstfdmemory.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include "log_sink.h"
#include "monotonic.h"
#include "encoder_chain.h"
#include "frame_layout.h"
#include "mailbox.h"
#include "stream_consumer.h"

/* Raw frames waiting in the appsrc for the converter: the newest only.
 * A second would wait a whole conversion more when the converter is the
 * bottleneck (a loaded host) and hold the guest's buffer that long; the
 * older one is dropped (and released). */
#define RAW_QUEUE_FRAMES      1
/*
 * Encoded frames waiting for a consumer's pipeline, bounded in time: a
 * frame that waited longer than this means the client (its network,
 * its decoder) is behind. A live display never shows a backlog: the
 * consumer then skips frames until the next keyframe, which replaces
 * everything still queued for it (the oldest go, and with them the
 * delay), and the stream asks for that keyframe. The frame count is
 * only a hard cap (at 60 fps it is the same half second).
 */
#define CONSUMER_QUEUE_MS     500
#define CONSUMER_QUEUE_FRAMES 32
/*
 * A failed encoder (a mode it refused, an internal error) is rebuilt for
 * the next frame of another mode at once; for the same mode after this
 * long, doubling up to the maximum while it keeps failing.
 */
#define RETRY_MIN_MS	      2000
#define RETRY_MAX_MS	      60000

/* A frame GStreamer holds; lives on the caller's thread except for the
 * weak-ref callback, which only reads @orphaned under the stream lock
 * and posts @mail. */
struct frame_note {
	struct enc_mail mail; /* first: notes are found from their mail */
	struct enc_stream *stream;
	void (*release)(void *data);
	void *data;
	bool orphaned; /* under stream->lock: the stream was destroyed */
	struct frame_note *prev, *next; /* enc_stream.in_flight */
};

struct enc_stream_consumer {
	GstAppSrc *src; /* a reference */
	bool need_keyframe;
	bool held_back; /* frames were skipped while it was not playing */
	bool behind;	/* its queue outgrew CONSUMER_QUEUE_MS */
	/* when each of the last CONSUMER_QUEUE_FRAMES frames was queued
	 * (monotonic us), by push count: the oldest queued frame's age */
	gint64 queued_at[CONSUMER_QUEUE_FRAMES];
	uint64_t pushed;
	struct enc_stream_consumer *next; /* enc_stream.consumers */
};

struct enc_stream {
	atomic_int refs;
	char name[64];
	const struct enc_encoder_candidate *encoder;
	bool chroma444;

	GstElement *pipeline; /* owned; NULL once destroyed */
	GstAppSrc *src;	      /* in the pipeline (borrowed) */
	GstElement *enc;      /* in the pipeline (borrowed) */
	GstAllocator *dmabuf_allocator, *fd_allocator;
	GstCaps *out_caps;

	/* the caller's thread only */
	struct frame_note *in_flight;
	unsigned int nr_in_flight;
	uint32_t format, width, height; /* of the caps set on the appsrc */
	uint64_t frames_in;
	bool chroma444_asked;
	/* the encoder failed (@failed) and the caller's thread saw it at
	 * @failed_ms; it is rebuilt for another mode, or after @retry_ms */
	bool failure_seen;
	int64_t failed_ms;
	unsigned int retry_ms;
	/* the throttle: the last forced keyframe, and a request waiting for
	 * the interval to pass (the timer fd wakes the caller then) */
	bool forced_any, keyframe_deferred;
	int64_t forced_ms;
	uint64_t keyframes_forced, keyframe_requests_deferred;

	int fd; /* epoll: the mailbox and the timer; the caller polls it */
	int timer_fd; /* the deferred keyframe's time */
	struct enc_mailbox box;
	struct enc_mail wake; /* "a keyframe was asked for" */
	atomic_bool keyframe_wanted;
	atomic_bool failed;
	atomic_bool offered; /* a frame was offered: there is a picture */

	pthread_mutex_t lock;
	struct enc_stream_consumer *consumers; /* under lock */
	bool stopping;			       /* under lock */
	atomic_uint nr_consumers;

	atomic_uint_fast64_t frames_out, bytes_out, keyframes;
	atomic_uint_fast64_t keyframe_requests, consumer_drops;
	/* where a frame's time goes (enc_stream_stats), us */
	atomic_uint_fast64_t encode_us_sum, encode_us_max;
	atomic_uint_fast64_t consumer_frames, consumer_us_sum, consumer_us_max;
	atomic_uint_fast64_t sink_frames, sink_us_sum, sink_us_max;
	atomic_uint_fast64_t webrtc_viewers, webrtc_connected;
};

/* *@max = MAX(*@max, @v), any thread. */
static void store_max(atomic_uint_fast64_t *max, uint64_t v)
{
	uint_fast64_t old = atomic_load(max);

	while (v > old && !atomic_compare_exchange_weak(max, &old, v))
		;
}

/*
 * How long @buffer waited since @element's pipeline stamped it (appsrc's
 * do-timestamp: the running time it was pushed at; @segment maps its
 * time to running time, NULL if it is one already), in us; 0 if either
 * time is unknown. A clock read: cheap enough for every frame.
 */
static uint64_t waited_us(GstElement *element, GstBuffer *buffer,
			  const GstSegment *segment)
{
	GstClockTime now = gst_element_get_current_running_time(element);
	GstClockTime then = GST_BUFFER_PTS(buffer);

	/* encoders shift their output's times (x264enc: by 1000 hours, so
	 * that no DTS is negative) and the segment with them */
	if (segment && segment->format == GST_FORMAT_TIME)
		then = gst_segment_to_running_time(segment, GST_FORMAT_TIME,
						   then);

	if (!GST_CLOCK_TIME_IS_VALID(now) || !GST_CLOCK_TIME_IS_VALID(then) ||
	    now < then)
		return 0;
	return (now - then) / GST_USECOND;
}

struct enc_stream *enc_stream_ref(struct enc_stream *stream)
{
	atomic_fetch_add(&stream->refs, 1);
	return stream;
}

void enc_stream_unref(struct enc_stream *stream)
{
	if (atomic_fetch_sub(&stream->refs, 1) != 1)
		return;
	enc_mailbox_finish(&stream->box);
	if (stream->fd >= 0)
		close(stream->fd);
	if (stream->timer_fd >= 0)
		close(stream->timer_fd);
	pthread_mutex_destroy(&stream->lock);
	gst_caps_unref(stream->out_caps);
	free(stream);
}

static const char *video_format(uint32_t drm_format)
{
	/* DRM names bytes little-endian, GStreamer in memory order */
	switch (drm_format) {
	case DRM_FORMAT_XRGB8888:
		return "BGRx";
	case DRM_FORMAT_ARGB8888:
		return "BGRA";
	case DRM_FORMAT_XBGR8888:
		return "RGBx";
	case DRM_FORMAT_ABGR8888:
		return "RGBA";
	case DRM_FORMAT_RGB565:
		return "RGB16";
	default:
		return NULL;
	}
}

/* GStreamer thread: the frame's memory is gone. Posted under the stream
 * lock so enc_stream_destroy() sees every note either posted or still
 * held, never in between. */
static void handle_memory_gone(gpointer data, GstMiniObject *where_it_was)
{
	struct frame_note *note = data;
	struct enc_stream *stream = note->stream;
	bool orphaned;

	pthread_mutex_lock(&stream->lock);
	orphaned = note->orphaned;
	if (!orphaned)
		enc_mailbox_post(&stream->box, &note->mail);
	pthread_mutex_unlock(&stream->lock);
	if (orphaned) {
		/* its release already ran in enc_stream_destroy() */
		free(note);
		enc_stream_unref(stream);
	}
}

static void unlink_note(struct enc_stream *stream, struct frame_note *note)
{
	if (note->prev)
		note->prev->next = note->next;
	else
		stream->in_flight = note->next;
	if (note->next)
		note->next->prev = note->prev;
	stream->nr_in_flight--;
}

static void arm_timer(struct enc_stream *stream, int64_t ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000 },
	};

	if (timerfd_settime(stream->timer_fd, 0, &its, NULL) < 0)
		log_error("stream %s: timerfd: %s", stream->name,
			  strerror(errno));
}

/*
 * Whether a keyframe may be forced now (@asked: a request came): at most
 * one per ENC_STREAM_KEYFRAME_MIN_MS. Requests within the interval are
 * coalesced into one, served when it ends (the timer wakes the caller).
 */
static bool keyframe_due(struct enc_stream *stream, bool asked)
{
	int64_t wait;

	if (!asked && !stream->keyframe_deferred)
		return false;
	wait = stream->forced_any
		       ? stream->forced_ms + ENC_STREAM_KEYFRAME_MIN_MS -
				 (int64_t)monotonic_ms()
		       : 0;
	if (wait <= 0) {
		stream->keyframe_deferred = false;
		stream->forced_any = true;
		stream->forced_ms = (int64_t)monotonic_ms();
		return true;
	}
	if (!stream->keyframe_deferred) {
		stream->keyframe_deferred = true;
		stream->keyframe_requests_deferred++;
		arm_timer(stream, wait);
	}
	return false;
}

bool enc_stream_dispatch(struct enc_stream *stream)
{
	struct enc_mail *mail = enc_mailbox_take(&stream->box), *next;
	bool keyframe = false;
	uint64_t expired;

	/* the deferred keyframe's time came */
	if (read(stream->timer_fd, &expired, sizeof(expired)) < 0 &&
	    errno != EAGAIN)
		log_error("stream %s: timerfd read: %s", stream->name,
			  strerror(errno));

	for (; mail; mail = next) {
		struct frame_note *note;

		next = mail->next; /* before the wake mail can be reposted */
		if (mail == &stream->wake) {
			keyframe = atomic_exchange(&stream->keyframe_wanted,
						   false) ||
				   keyframe;
			continue;
		}
		note = (struct frame_note *)mail;
		unlink_note(stream, note);
		note->release(note->data);
		free(note);
		enc_stream_unref(stream);
	}
	return keyframe_due(stream, keyframe);
}

void enc_stream_request_keyframe(struct enc_stream *stream)
{
	atomic_fetch_add(&stream->keyframe_requests, 1);
	if (!atomic_exchange(&stream->keyframe_wanted, true))
		enc_mailbox_post(&stream->box, &stream->wake);
}

static bool set_input_caps(struct enc_stream *stream,
			   const struct enc_frame *frame, const char *format)
{
	GstCaps *caps;

	if (stream->format == frame->drm_format &&
	    stream->width == frame->width && stream->height == frame->height)
		return true;
	caps = enc_encoder_chain_input_caps(
		stream->encoder, format, (int)frame->width, (int)frame->height);
	gst_app_src_set_caps(stream->src, caps);
	gst_caps_unref(caps);
	stream->format = frame->drm_format;
	stream->width = frame->width;
	stream->height = frame->height;
	log_info("stream %s: %ux%u %s frames into %s (chroma %s)", stream->name,
		 frame->width, frame->height, format, stream->encoder->name,
		 stream->chroma444 ? "4:4:4" : "4:2:0");
	return true;
}

/* The frame as GStreamer memory over the caller's fd, no copy. */
static GstBuffer *wrap_frame(struct enc_stream *stream,
			     const struct enc_frame *frame, const char *format,
			     struct frame_note *note)
{
	gsize offset[GST_VIDEO_MAX_PLANES] = { frame->offset };
	gint stride[GST_VIDEO_MAX_PLANES] = { (gint)frame->stride };
	GstMemory *mem;
	GstBuffer *buffer;

	if (frame->memory == ENC_FRAME_DMABUF)
		mem = gst_dmabuf_allocator_alloc_with_flags(
			stream->dmabuf_allocator, frame->fd, frame->size,
			GST_FD_MEMORY_FLAG_DONT_CLOSE);
	else
		mem = gst_fd_allocator_alloc(stream->fd_allocator, frame->fd,
					     frame->size,
					     GST_FD_MEMORY_FLAG_DONT_CLOSE);
	if (!mem) {
		log_error("stream %s: cannot wrap fd %d", stream->name,
			  frame->fd);
		return NULL;
	}
	gst_mini_object_weak_ref(GST_MINI_OBJECT(mem), handle_memory_gone,
				 note);
	buffer = gst_buffer_new();
	gst_buffer_append_memory(buffer, mem);
	gst_buffer_add_video_meta_full(buffer, GST_VIDEO_FRAME_FLAG_NONE,
				       gst_video_format_from_string(format),
				       frame->width, frame->height, 1, offset,
				       stride);
	return buffer;
}

static bool build_pipeline(struct enc_stream *stream, bool chroma444);

/* Stop the pipeline and build it anew (the consumers stay attached: the
 * new encoder starts with a keyframe). Frames the old one held are
 * released through the mailbox as usual. */
static bool restart_pipeline(struct enc_stream *stream)
{
	if (stream->pipeline) {
		gst_element_set_state(stream->pipeline, GST_STATE_NULL);
		gst_object_unref(stream->pipeline);
		stream->pipeline = NULL;
	}
	stream->src = NULL;
	stream->enc = NULL;
	stream->format = stream->width = stream->height = 0;
	atomic_store(&stream->failed, false);
	if (!build_pipeline(stream, stream->chroma444_asked)) {
		atomic_store(&stream->failed, true);
		return false;
	}
	return true;
}

/*
 * The encoder failed: a mode it cannot take, or an internal error. The
 * stream is not dead for it: a frame of another mode rebuilds the
 * pipeline at once, one of the same mode after a back-off (doubling
 * while it keeps failing). True if the pipeline takes frames again.
 */
static bool recover(struct enc_stream *stream, const struct enc_frame *frame)
{
	bool same_mode = frame->drm_format == stream->format &&
			 frame->width == stream->width &&
			 frame->height == stream->height;
	int64_t now = (int64_t)monotonic_ms();

	if (!stream->failure_seen) {
		stream->failure_seen = true;
		stream->failed_ms = now;
		if (!stream->retry_ms)
			stream->retry_ms = RETRY_MIN_MS;
	}
	if (same_mode && now - stream->failed_ms < stream->retry_ms)
		return false;
	if (same_mode)
		stream->retry_ms = MIN(stream->retry_ms * 2, RETRY_MAX_MS);
	else
		stream->retry_ms = RETRY_MIN_MS;
	stream->failure_seen = false;
	log_info("stream %s: restarting the encoder for %ux%u", stream->name,
		 frame->width, frame->height);
	return restart_pipeline(stream);
}

/* Every byte of the frame in its fd (frame_layout.h): the size the
 * caller gives is checked against the fd's real one. */
static bool frame_fits(const struct enc_frame *frame, char *why, size_t size)
{
	const struct enc_plane_layout layout = {
		.drm_format = frame->drm_format,
		.width = frame->width,
		.height = frame->height,
		.stride = frame->stride,
		.offset = frame->offset,
	};
	int64_t real = enc_fd_size(frame->fd);

	if (real < 0 || (uint64_t)real < frame->size) {
		snprintf(why, size, "the fd holds %lld bytes, not %zu",
			 (long long)real, frame->size);
		return false;
	}
	return enc_plane_layout_check(&layout, frame->size, why, size);
}

bool enc_stream_push(struct enc_stream *stream, const struct enc_frame *frame,
		     bool keyframe)
{
	const char *format = video_format(frame->drm_format);
	struct frame_note *note;
	GstBuffer *buffer;
	GstFlowReturn ret;
	char why[160];

	atomic_store(&stream->offered, true);
	/* before the consumers' check: a stream that failed with viewers
	 * recovers for the next ones too */
	if (atomic_load(&stream->failed) && !recover(stream, frame))
		return false;
	if (!stream->pipeline || !enc_stream_has_consumers(stream))
		return false;
	if (!format || !frame_fits(frame, why, sizeof(why))) {
		log_error("stream %s: frame refused: %s", stream->name,
			  format ? why : "format not streamed");
		return false;
	}
	note = calloc(1, sizeof(*note));
	if (!note) {
		log_error("out of memory");
		return false;
	}
	*note = (struct frame_note){ .stream = enc_stream_ref(stream),
				     .release = frame->release,
				     .data = frame->data };
	buffer = wrap_frame(stream, frame, format, note);
	if (!buffer) {
		enc_stream_unref(stream);
		free(note);
		return false;
	}
	note->next = stream->in_flight;
	if (note->next)
		note->next->prev = note;
	stream->in_flight = note;
	stream->nr_in_flight++;
	stream->frames_in++;

	set_input_caps(stream, frame, format);
	/* a request deferred by the throttle goes with this frame once the
	 * interval passed (the timer need not wake the caller for it) */
	if (!keyframe && stream->keyframe_deferred)
		keyframe = keyframe_due(stream, false);
	if (keyframe) {
		stream->keyframes_forced++;
		stream->forced_any = true;
		stream->forced_ms = (int64_t)monotonic_ms();
		stream->keyframe_deferred = false;
		GstPad *pad = gst_element_get_static_pad(stream->enc, "src");

		gst_pad_send_event(pad,
				   gst_video_event_new_upstream_force_key_unit(
					   GST_CLOCK_TIME_NONE, TRUE, 0));
		gst_object_unref(pad);
	}
	/* takes the buffer; on failure it is freed and the note posted,
	 * so the release still runs from dispatch */
	ret = gst_app_src_push_buffer(stream->src, buffer);
	if (ret != GST_FLOW_OK)
		log_debug("stream %s: push: %s", stream->name,
			  gst_flow_get_name(ret));
	return true;
}

bool enc_stream_has_consumers(struct enc_stream *stream)
{
	return atomic_load(&stream->nr_consumers) > 0;
}

int enc_stream_get_fd(struct enc_stream *stream)
{
	return stream->fd;
}

void enc_stream_get_stats(struct enc_stream *stream,
			  struct enc_stream_stats *stats)
{
	*stats = (struct enc_stream_stats){
		.frames_in = stream->frames_in,
		.frames_out = atomic_load(&stream->frames_out),
		.bytes_out = atomic_load(&stream->bytes_out),
		.keyframes = atomic_load(&stream->keyframes),
		.consumers = atomic_load(&stream->nr_consumers),
		.in_flight = stream->nr_in_flight,
		.keyframe_requests = atomic_load(&stream->keyframe_requests),
		.keyframes_forced = stream->keyframes_forced,
		.keyframe_requests_deferred =
			stream->keyframe_requests_deferred,
		.consumer_drops = atomic_load(&stream->consumer_drops),
		.encode_us_sum = atomic_load(&stream->encode_us_sum),
		.encode_us_max = atomic_load(&stream->encode_us_max),
		.consumer_frames = atomic_load(&stream->consumer_frames),
		.consumer_us_sum = atomic_load(&stream->consumer_us_sum),
		.consumer_us_max = atomic_load(&stream->consumer_us_max),
		.sink_frames = atomic_load(&stream->sink_frames),
		.sink_us_sum = atomic_load(&stream->sink_us_sum),
		.sink_us_max = atomic_load(&stream->sink_us_max),
		.failed = atomic_load(&stream->failed),
		.input_width = stream->width,
		.input_height = stream->height,
		.input_format = stream->format,
		.webrtc_viewers = atomic_load(&stream->webrtc_viewers),
		.webrtc_connected = atomic_load(&stream->webrtc_connected),
	};
}

void enc_stream_count_webrtc(struct enc_stream *stream,
			     enum enc_stream_webrtc_event event)
{
	atomic_fetch_add(event == ENC_STREAM_WEBRTC_VIEWER
				 ? &stream->webrtc_viewers
				 : &stream->webrtc_connected,
			 1);
}

bool enc_stream_is_ready(struct enc_stream *stream)
{
	return atomic_load(&stream->offered) && !atomic_load(&stream->failed);
}

GstCaps *enc_stream_get_caps(struct enc_stream *stream)
{
	return gst_caps_ref(stream->out_caps);
}

/*
 * A consumer's appsrc hands a frame on (to its payloader or muxer): the
 * time it waited in the consumer's queue since the encoder's thread
 * pushed it (the appsrc stamped it then, do-timestamp).
 */
static GstPadProbeReturn
handle_consumer_output(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	struct enc_stream *stream = data;
	GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
	GstElement *src = GST_PAD_PARENT(pad);
	uint64_t waited;

	if (!buffer || !src)
		return GST_PAD_PROBE_OK;
	waited = waited_us(src, buffer, NULL);
	atomic_fetch_add(&stream->consumer_frames, 1);
	atomic_fetch_add(&stream->consumer_us_sum, waited);
	store_max(&stream->consumer_us_max, waited);
	return GST_PAD_PROBE_OK;
}

static void unref_stream(gpointer data)
{
	enc_stream_unref(data);
}

/* A transport's sink watched by enc_stream_watch_sink(). */
struct sink_watch {
	struct enc_stream *stream; /* a reference */
	GstClockTime last;	   /* the last frame's time: one per frame */
	bool checked;		   /* its caps were seen to be RTP's */
};

static void free_sink_watch(gpointer data)
{
	struct sink_watch *w = data;

	enc_stream_unref(w->stream);
	g_free(w);
}

/* A packet reaches the transport's sink (its streaming thread only):
 * the first of each frame counts the time since the consumer took it. */
static GstPadProbeReturn handle_sink_input(GstPad *pad, GstPadProbeInfo *info,
					   gpointer data)
{
	struct sink_watch *w = data;
	GstBuffer *buffer = NULL;
	GstElement *sink = GST_PAD_PARENT(pad);
	uint64_t waited;

	if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
		buffer = GST_PAD_PROBE_INFO_BUFFER(info);
	else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST &&
		 gst_buffer_list_length(GST_PAD_PROBE_INFO_BUFFER_LIST(info)))
		buffer = gst_buffer_list_get(
			GST_PAD_PROBE_INFO_BUFFER_LIST(info), 0);
	if (!buffer || !sink || GST_BUFFER_PTS(buffer) == w->last)
		return GST_PAD_PROBE_OK;
	if (!w->checked) {
		/* the caps are set before the first buffer: RTCP's sink
		 * (its packets have no frame's time) is not watched */
		GstCaps *caps = gst_pad_get_current_caps(pad);
		bool rtp = caps && gst_structure_has_name(
					   gst_caps_get_structure(caps, 0),
					   "application/x-rtp");

		if (caps)
			gst_caps_unref(caps);
		if (!rtp)
			return GST_PAD_PROBE_REMOVE;
		w->checked = true;
	}
	w->last = GST_BUFFER_PTS(buffer);
	waited = waited_us(sink, buffer, NULL);
	atomic_fetch_add(&w->stream->sink_frames, 1);
	atomic_fetch_add(&w->stream->sink_us_sum, waited);
	store_max(&w->stream->sink_us_max, waited);
	return GST_PAD_PROBE_OK;
}

void enc_stream_watch_sink(struct enc_stream *stream, GstElement *sink)
{
	GstPad *pad = gst_element_get_static_pad(sink, "sink");
	struct sink_watch *w;

	if (!pad)
		return;
	w = g_new0(struct sink_watch, 1);
	w->stream = enc_stream_ref(stream);
	w->last = GST_CLOCK_TIME_NONE;
	gst_pad_add_probe(
		pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
		handle_sink_input, w, free_sink_watch);
	gst_object_unref(pad);
}

struct enc_stream_consumer *enc_stream_attach(struct enc_stream *stream,
					      GstAppSrc *src)
{
	struct enc_stream_consumer *c = calloc(1, sizeof(*c));
	GstPad *pad;

	if (!c) {
		log_error("out of memory");
		return NULL;
	}
	gst_app_src_set_caps(src, stream->out_caps);
	gst_app_src_set_stream_type(src, GST_APP_STREAM_TYPE_STREAM);
	gst_app_src_set_max_buffers(src, CONSUMER_QUEUE_FRAMES);
	gst_app_src_set_max_bytes(src, 0);
	gst_app_src_set_leaky_type(src, GST_APP_LEAKY_TYPE_DOWNSTREAM);
	g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME,
		     "do-timestamp", TRUE, "block", FALSE, NULL);
	c->src = gst_object_ref(src);
	c->need_keyframe = true;
	/* the probe's reference: the appsrc may outlive the stream */
	pad = gst_element_get_static_pad(GST_ELEMENT(src), "src");
	if (pad) {
		gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER,
				  handle_consumer_output,
				  enc_stream_ref(stream), unref_stream);
		gst_object_unref(pad);
	}

	pthread_mutex_lock(&stream->lock);
	if (stream->stopping) {
		pthread_mutex_unlock(&stream->lock);
		gst_object_unref(c->src);
		free(c);
		return NULL;
	}
	c->next = stream->consumers;
	stream->consumers = c;
	atomic_fetch_add(&stream->nr_consumers, 1);
	pthread_mutex_unlock(&stream->lock);
	enc_stream_request_keyframe(stream);
	return c;
}

void enc_stream_detach(struct enc_stream *stream,
		       struct enc_stream_consumer *consumer)
{
	struct enc_stream_consumer **p;
	bool found = false;

	if (!consumer)
		return;
	pthread_mutex_lock(&stream->lock);
	for (p = &stream->consumers; *p; p = &(*p)->next) {
		if (*p == consumer) {
			*p = consumer->next;
			atomic_fetch_sub(&stream->nr_consumers, 1);
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&stream->lock);
	/* not found: enc_stream_destroy() ended and freed it already */
	if (found) {
		gst_object_unref(consumer->src);
		free(consumer);
	}
}

/*
 * The consumer's appsrc stamps each frame at push time with its running
 * time, clock time minus the element's base time (do-timestamp). Its
 * parent sets the clock before the base time: pushed in between (while
 * the RTSP media prerolls, or at PLAY), a frame's time is the clock's
 * absolute time, minutes ahead, and RTSP's TCP sink (it syncs to the
 * clock) holds it, and every frame behind it, that long: the client
 * sees a described, playing session with no frame. In PLAYING, with no
 * state change pending, the base time is set.
 */
static bool consumer_playing(struct enc_stream_consumer *c)
{
	bool playing;

	GST_OBJECT_LOCK(c->src);
	playing = GST_STATE(c->src) == GST_STATE_PLAYING &&
		  GST_STATE_PENDING(c->src) == GST_STATE_VOID_PENDING;
	GST_OBJECT_UNLOCK(c->src);
	return playing;
}

/*
 * Whether the oldest frame still queued for @c waited longer than
 * CONSUMER_QUEUE_MS: its client takes frames slower than they come.
 */
static bool consumer_behind(struct enc_stream_consumer *c)
{
	guint64 level = gst_app_src_get_current_level_buffers(c->src);
	gint64 oldest;

	if (!level)
		return false;
	if (level >= CONSUMER_QUEUE_FRAMES || level > c->pushed)
		return true;
	oldest = c->queued_at[(c->pushed - level) % CONSUMER_QUEUE_FRAMES];
	return g_get_monotonic_time() - oldest > CONSUMER_QUEUE_MS * 1000;
}

/*
 * Push keyframe @out to a consumer that was behind, dropping every frame
 * still queued for it (the oldest; useless without the frames it
 * skipped): for the push, its queue holds one frame and leaks the rest.
 */
static void push_replacing_queue(struct enc_stream *stream,
				 struct enc_stream_consumer *c, GstBuffer *out)
{
	guint64 level = gst_app_src_get_current_level_buffers(c->src);

	atomic_fetch_add(&stream->consumer_drops, level);
	gst_app_src_set_max_buffers(c->src, 1);
	gst_app_src_push_buffer(c->src, out);
	gst_app_src_set_max_buffers(c->src, CONSUMER_QUEUE_FRAMES);
}

/* The encoder's streaming thread: fan one encoded frame out. Pushing
 * into a consumer's appsrc never blocks (leaky, block=false). */
static GstFlowReturn handle_sink_new_sample(GstAppSink *sink, gpointer data)
{
	struct enc_stream *stream = data;
	GstSample *sample = gst_app_sink_pull_sample(sink);
	struct enc_stream_consumer *c;
	bool want_keyframe = false;
	GstBuffer *buffer;
	uint64_t waited;
	bool delta;

	if (!sample)
		return GST_FLOW_FLUSHING;
	buffer = gst_sample_get_buffer(sample);
	delta = GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
	/* pushed (the raw appsrc's stamp) to encoded */
	waited = waited_us(GST_ELEMENT(sink), buffer,
			   gst_sample_get_segment(sample));
	atomic_fetch_add(&stream->encode_us_sum, waited);
	store_max(&stream->encode_us_max, waited);
	atomic_fetch_add(&stream->frames_out, 1);
	atomic_fetch_add(&stream->bytes_out, gst_buffer_get_size(buffer));
	if (!delta)
		atomic_fetch_add(&stream->keyframes, 1);

	pthread_mutex_lock(&stream->lock);
	for (c = stream->consumers; c; c = c->next) {
		GstBuffer *out;

		if (!consumer_playing(c)) {
			/* its decoder will miss this frame's references */
			c->need_keyframe = true;
			c->held_back = true;
			continue;
		}
		if (c->held_back) {
			/* playing now: a keyframe at once, not at the GOP's
			 * end */
			c->held_back = false;
			want_keyframe = want_keyframe || c->need_keyframe;
		}
		if (!c->behind && consumer_behind(c)) {
			/* skip to the next keyframe, which replaces what
			 * is queued */
			c->behind = true;
			c->need_keyframe = true;
			want_keyframe = true;
		}
		if (c->need_keyframe && delta) {
			if (c->behind)
				atomic_fetch_add(&stream->consumer_drops, 1);
			continue;
		}
		c->need_keyframe = false;
		/* shallow: shares the encoded memory */
		out = gst_buffer_copy(buffer);
		GST_BUFFER_PTS(out) = GST_CLOCK_TIME_NONE;
		GST_BUFFER_DTS(out) = GST_CLOCK_TIME_NONE;
		GST_BUFFER_DURATION(out) = GST_CLOCK_TIME_NONE;
		if (c->behind) {
			push_replacing_queue(stream, c, out);
			c->behind = false;
		} else {
			gst_app_src_push_buffer(c->src, out);
		}
		c->queued_at[c->pushed++ % CONSUMER_QUEUE_FRAMES] =
			g_get_monotonic_time();
	}
	pthread_mutex_unlock(&stream->lock);
	gst_sample_unref(sample);
	if (want_keyframe)
		enc_stream_request_keyframe(stream);
	return GST_FLOW_OK;
}

/* Any thread: errors and warnings are logged where GStreamer raises
 * them; an error stops the stream taking frames. */
static GstBusSyncReply handle_bus_message(GstBus *bus, GstMessage *msg,
					  gpointer data)
{
	struct enc_stream *stream = data;
	GError *err = NULL;
	gchar *debug = NULL;

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ERROR:
		gst_message_parse_error(msg, &err, &debug);
		log_error("stream %s: %s: %s (%s)", stream->name,
			  GST_OBJECT_NAME(msg->src), err->message,
			  debug ? debug : "");
		atomic_store(&stream->failed, true);
		break;
	case GST_MESSAGE_WARNING:
		gst_message_parse_warning(msg, &err, &debug);
		log_info("stream %s: %s: %s", stream->name,
			 GST_OBJECT_NAME(msg->src), err->message);
		break;
	default:
		break;
	}
	g_clear_error(&err);
	g_free(debug);
	return GST_BUS_DROP;
}

static bool build_pipeline(struct enc_stream *stream, bool chroma444)
{
	GstAppSinkCallbacks callbacks = { .new_sample =
						  handle_sink_new_sample };
	struct enc_encoder_chain chain;
	GstElement *src, *sink;
	GstBus *bus;

	stream->pipeline = gst_pipeline_new(stream->name);
	src = gst_element_factory_make("appsrc", NULL);
	sink = gst_element_factory_make("appsink", NULL);
	if (!stream->pipeline || !src || !sink) {
		log_error("appsrc or appsink missing");
		if (src)
			gst_object_unref(src);
		if (sink)
			gst_object_unref(sink);
		return false;
	}
	gst_bin_add_many(GST_BIN(stream->pipeline), src, sink, NULL);
	stream->src = GST_APP_SRC(src);
	gst_app_src_set_stream_type(stream->src, GST_APP_STREAM_TYPE_STREAM);
	gst_app_src_set_max_buffers(stream->src, RAW_QUEUE_FRAMES);
	gst_app_src_set_max_bytes(stream->src, 0);
	gst_app_src_set_leaky_type(stream->src, GST_APP_LEAKY_TYPE_DOWNSTREAM);
	g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME,
		     "do-timestamp", TRUE, "block", FALSE, NULL);
	g_object_set(sink, "sync", FALSE, "max-buffers", 4, "drop", TRUE,
		     "caps", stream->out_caps, NULL);
	gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, stream,
				   NULL);

	if (chroma444 && !enc_encoder_chain_has_444(stream->encoder)) {
		log_info("stream %s: %s encodes 4:2:0 only", stream->name,
			 stream->encoder->name);
		chroma444 = false;
	}
	if (!enc_encoder_chain_build(GST_BIN(stream->pipeline), stream->encoder,
				     chroma444, &chain))
		return false;
	stream->chroma444 = chroma444;
	if (!gst_element_link(src, chain.first) ||
	    !gst_element_link(chain.last, sink)) {
		log_error("cannot link the %s chain", stream->encoder->name);
		return false;
	}
	stream->enc = chain.encoder;

	bus = gst_element_get_bus(stream->pipeline);
	gst_bus_set_sync_handler(bus, handle_bus_message, stream, NULL);
	gst_object_unref(bus);
	if (gst_element_set_state(stream->pipeline, GST_STATE_PLAYING) ==
	    GST_STATE_CHANGE_FAILURE) {
		log_error("stream %s: the pipeline does not start",
			  stream->name);
		return false;
	}
	return true;
}

struct enc_stream *
enc_stream_create(const char *name, const struct enc_encoder_candidate *encoder,
		  const struct enc_stream_options *options)
{
	struct enc_stream *stream = calloc(1, sizeof(*stream));

	if (!stream) {
		log_error("out of memory");
		return NULL;
	}
	atomic_init(&stream->refs, 1);
	stream->fd = stream->timer_fd = -1;
	g_strlcpy(stream->name, name, sizeof(stream->name));
	stream->encoder = encoder;
	stream->out_caps = enc_encoder_chain_output_caps(encoder);
	pthread_mutex_init(&stream->lock, NULL);
	if (!enc_mailbox_init(&stream->box)) {
		pthread_mutex_destroy(&stream->lock);
		gst_caps_unref(stream->out_caps);
		free(stream);
		return NULL;
	}
	stream->timer_fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	stream->fd = epoll_create1(EPOLL_CLOEXEC);
	if (stream->timer_fd < 0 || stream->fd < 0 ||
	    epoll_ctl(stream->fd, EPOLL_CTL_ADD, stream->box.fd,
		      &(struct epoll_event){ .events = EPOLLIN }) < 0 ||
	    epoll_ctl(stream->fd, EPOLL_CTL_ADD, stream->timer_fd,
		      &(struct epoll_event){ .events = EPOLLIN }) < 0) {
		log_error("stream %s: epoll or timerfd: %s", name,
			  strerror(errno));
		enc_stream_unref(stream);
		return NULL;
	}
	stream->chroma444_asked = options && options->chroma444;
	stream->dmabuf_allocator = gst_dmabuf_allocator_new();
	stream->fd_allocator = gst_fd_allocator_new();
	if (!build_pipeline(stream, stream->chroma444_asked)) {
		enc_stream_destroy(stream);
		return NULL;
	}
	return stream;
}

/*
 * After the pipeline stopped: a frame still held is held outside it (a
 * leak elsewhere). Release it to the caller anyway; its note is freed
 * when GStreamer lets go. Notes posted meanwhile are released normally.
 */
static void release_orphans(struct enc_stream *stream)
{
	struct enc_mail *posted, *next;
	struct frame_note *note;
	struct {
		void (*release)(void *data);
		void *data;
	} *orphans = NULL;
	unsigned int n = 0, i;

	pthread_mutex_lock(&stream->lock);
	posted = enc_mailbox_take(&stream->box);
	for (struct enc_mail *m = posted; m; m = m->next)
		if (m != &stream->wake)
			unlink_note(stream, (struct frame_note *)m);
	if (stream->nr_in_flight)
		orphans = calloc(stream->nr_in_flight, sizeof(*orphans));
	for (note = stream->in_flight; note; note = note->next) {
		note->orphaned = true;
		if (orphans) {
			orphans[n].release = note->release;
			orphans[n++].data = note->data;
		}
	}
	stream->in_flight = NULL;
	stream->nr_in_flight = 0;
	pthread_mutex_unlock(&stream->lock);

	for (; posted; posted = next) {
		next = posted->next;
		if (posted == &stream->wake)
			continue;
		note = (struct frame_note *)posted;
		note->release(note->data);
		free(note);
		enc_stream_unref(stream);
	}
	if (n)
		log_error("stream %s: %u frame(s) still held after stop",
			  stream->name, n);
	for (i = 0; i < n; i++)
		orphans[i].release(orphans[i].data);
	free(orphans);
}

void enc_stream_destroy(struct enc_stream *stream)
{
	struct enc_stream_consumer *c, *consumers;

	if (!stream)
		return;
	pthread_mutex_lock(&stream->lock);
	stream->stopping = true;
	consumers = stream->consumers;
	stream->consumers = NULL;
	atomic_store(&stream->nr_consumers, 0);
	pthread_mutex_unlock(&stream->lock);
	if (stream->pipeline) {
		gst_element_set_state(stream->pipeline, GST_STATE_NULL);
		gst_object_unref(stream->pipeline);
		stream->pipeline = NULL;
	}
	/* the consumers' pipelines end; their transports detach nothing
	 * more (the list is empty) and free their own state */
	for (c = consumers; c; c = consumers) {
		consumers = c->next;
		gst_app_src_end_of_stream(c->src);
		gst_object_unref(c->src);
		free(c);
	}
	enc_stream_dispatch(stream);
	release_orphans(stream);
	if (stream->dmabuf_allocator)
		gst_object_unref(stream->dmabuf_allocator);
	if (stream->fd_allocator)
		gst_object_unref(stream->fd_allocator);
	enc_stream_unref(stream);
}
