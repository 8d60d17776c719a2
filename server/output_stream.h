/* SPDX-License-Identifier: MIT */
/*
 * Streaming one headless output (encoders/stream.h): each committed
 * buffer (on a direct-scanout frame: the guest's own dma-buf) goes to
 * the head's encoder without a copy, locked until GStreamer lets go.
 *
 * Ack gating: at precommit of a frame that will be streamed the head's
 * acks are held (vpd_frame_ack_hold() on head->frame_ack, frame_ack.h);
 * the commit hands the buffer to the encoder; the hold is released when
 * the encoder's converter has read the frame (or a queue dropped it). So
 * the guest's flip-done means "the encoder has it", and the guest never
 * overwrites a buffer being read. A stuck encoder cannot freeze the
 * guest: a hold older than the bound (--stream-ack-hold-ms, default 50
 * ms: below vplane.ko's default ack_timeout_ms of 100, past which the
 * driver completes the flip by itself) expires (vpd_frame_ack_expire())
 * and is counted as a late ack. Repeats of the frame on the output
 * (keep-alive, a keyframe for a new viewer) hold acks the same way: it is
 * the guest's next back buffer.
 *
 * Frames go out on commits (flips). With nobody watching nothing is
 * pushed and acks are not held. An idle head repeats its frame every
 * KEEPALIVE_MS, and a viewer that joins gets the current frame as a
 * keyframe at once.
 */
#ifndef VPD_OUTPUT_STREAM_H
#define VPD_OUTPUT_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include <wayland-server-core.h>

struct stream_frame;
struct vpd_output;
struct vpd_head;
struct enc_stream;
struct vpd_streaming;
struct wlr_buffer;

enum vpd_record_result {
	VPD_RECORD_OK,
	VPD_RECORD_ALREADY,	  /* start: recording already */
	VPD_RECORD_NOT_RECORDING, /* stop: nothing to stop */
	VPD_RECORD_BAD_PATH,	  /* start: see the message */
	VPD_RECORD_FAILED,	  /* see the message and vplaned's log */
	VPD_RECORD_PENDING,	  /* stop: the answer comes to @done */
};

/* The outcome of a record stop, when the files are complete; @msg for
 * people. */
typedef void (*vpd_output_stream_record_done_fn)(void *data,
						 enum vpd_record_result result,
						 const char *msg);

struct vpd_output_stream {
	struct vpd_output *output; /* owns this */
	/* the head it streams (the output's; the path names it): its acks
	 * are what the encoder holds */
	struct vpd_head *head;
	struct vpd_streaming *streaming;
	struct enc_stream *stream; /* owned */
	/* owned; NULL: not recording. Stays until its files are closed
	 * (a stop is pending meanwhile) */
	struct enc_recording *recording;
	/* the record stop waiting for the files' end; NULL: none */
	vpd_output_stream_record_done_fn record_done;
	void *record_done_data;
	/* why the last recording stopped by itself; "" if it did not */
	char record_note[1600];
	char path[96]; /* "/<vgpu>/<head>" */

	struct wl_event_source *stream_fd;    /* the stream's mailbox */
	struct wl_event_source *recording_fd; /* the recording's; or NULL */
	struct wl_event_source *keepalive;    /* repeat when idle */
	struct wl_event_source *hold_timer;
	struct wlr_buffer *last; /* locked: the frame on the output now */
	/* noted at precommit, for the commit to come */
	struct wlr_buffer *pending; /* locked */
	struct stream_frame *held;  /* its frame, holding acks; or NULL */

	struct wl_list frames; /* stream_frame.link, oldest first */

	unsigned int ack_hold_max_ms; /* the bound */
	uint64_t frames_pushed, repeats, late_acks;
	uint64_t held_acks, held_ms_sum, held_ms_max; /* released in time */

	struct wl_listener precommit;
	struct wl_listener commit;
};

/*
 * Stream @output (borrowed; output->stream is set) as @path (borrowed),
 * served by @streaming's RTSP server. NULL after logging why.
 */
struct vpd_output_stream *
vpd_output_stream_create(struct vpd_streaming *streaming,
			 struct vpd_output *output, const char *path);

/*
 * Start recording the head to @file (borrowed: a file name in the
 * record directory, --record-dir, or an absolute path directly in it),
 * as --record does. @msg (@size bytes) says what happened, for people.
 */
enum vpd_record_result
vpd_output_stream_record_start(struct vpd_output_stream *os, const char *file,
			       char *msg, size_t size);

/*
 * Stop the recording without waiting: VPD_RECORD_PENDING, and @done runs
 * (from the event loop) once its files are complete and closed (the
 * muxer writes the index: a few seconds at most), or at the latest when
 * the output stream is destroyed. Any other result is the answer now
 * (@msg, @size bytes), and @done does not run.
 */
enum vpd_record_result
vpd_output_stream_record_stop(struct vpd_output_stream *os,
			      vpd_output_stream_record_done_fn done, void *data,
			      char *msg, size_t size);

/*
 * What a control client is told of a streamed head (manager.c), so that
 * only streaming.c and this file know the encoders' types: the counters
 * are the stream's (encoders/stream.h) and this output's.
 */
struct vpd_output_stream_stats {
	const char *encoder; /* the element, e.g. "x264enc"; static */
	bool encoder_hardware;
	uint64_t frames_encoded, keyframes, bytes, viewers, late_acks;
	uint64_t keyframe_requests, keyframes_forced, frames_dropped;
	/* where a frame's time went (sums and maxima, us; see stream.h) */
	uint64_t encode_us, encode_us_max;
	uint64_t frames_sent, queue_us, queue_us_max;
	uint64_t frames_to_sink, sink_us, sink_us_max;
	/* the encoder's input now (0x0 before its first frame) */
	uint32_t input_width, input_height, input_format;
	uint64_t webrtc_viewers, webrtc_connected;
};

void vpd_output_stream_get_stats(const struct vpd_output_stream *os,
				 struct vpd_output_stream_stats *stats);

/* The file the head is recorded to now (a path, into @path of @size
 * bytes); false while it is not recorded or its recording stopped. */
bool vpd_output_stream_get_record_file(const struct vpd_output_stream *os,
				       char *path, size_t size);

/* Stop serving, end the encoder (releasing every frame and ack hold),
 * free. Called by the output's destroy handler; NULL is a no-op. */
void vpd_output_stream_destroy(struct vpd_output_stream *os);

#endif /* VPD_OUTPUT_STREAM_H */
