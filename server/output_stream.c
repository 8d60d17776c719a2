// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <vplane/display.h>
#include <wlr/render/dmabuf.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_output.h>

#include "log_sink.h"
#include "monotonic.h"
#include "config.h"
#include "config_stream.h"
#include "encoder_select.h"
#include "frame_ack.h"
#include "output.h"
#include "output_stream.h"
#include "recording.h"
#include "rtsp.h"
#include "webrtc.h"
#include "server.h"
#include "head.h"
#include "stream.h"
#include "streaming.h"

/* An idle head repeats its frame this often, so viewers and RTSP
 * keep-alive see a live stream. */
#define KEEPALIVE_MS 1000

/* A committed buffer GStreamer holds. */
struct stream_frame {
	struct vpd_output_stream *os;
	struct wlr_buffer *buffer; /* locked; NULL until pushed */
	/* on os->head->frame_ack while the encoder reads, if anyone watches */
	struct vpd_frame_ack_hold hold;
	struct wl_list link; /* vpd_output_stream.frames, once pushed */
};

/* The buffer as fd, format and layout; false if it has no fd. */
static bool describe(struct wlr_buffer *buffer, struct enc_frame *f)
{
	struct wlr_dmabuf_attributes dmabuf;
	struct wlr_shm_attributes shm;
	struct stat st;

	if (wlr_buffer_get_dmabuf(buffer, &dmabuf)) {
		off_t size;

		if (dmabuf.n_planes != 1 ||
		    (dmabuf.modifier != DRM_FORMAT_MOD_LINEAR &&
		     dmabuf.modifier != DRM_FORMAT_MOD_INVALID))
			return false;
		size = lseek(dmabuf.fd[0], 0, SEEK_END);
		if (size <= 0)
			return false;
		*f = (struct enc_frame){
			.fd = dmabuf.fd[0],
			.memory = ENC_FRAME_DMABUF,
			.drm_format = dmabuf.format,
			.width = (uint32_t)dmabuf.width,
			.height = (uint32_t)dmabuf.height,
			.stride = dmabuf.stride[0],
			.offset = dmabuf.offset[0],
			.size = (size_t)size,
		};
		return true;
	}
	if (wlr_buffer_get_shm(buffer, &shm) && fstat(shm.fd, &st) == 0) {
		*f = (struct enc_frame){
			.fd = shm.fd,
			.memory = ENC_FRAME_MEMFD,
			.drm_format = shm.format,
			.width = (uint32_t)shm.width,
			.height = (uint32_t)shm.height,
			.stride = (uint32_t)shm.stride,
			.offset = (uint32_t)shm.offset,
			.size = (size_t)st.st_size,
		};
		return true;
	}
	return false;
}

/* The earliest hold on the head's acks decides when the timer fires. */
static void arm_hold_timer(struct vpd_output_stream *os)
{
	uint64_t deadline, now = monotonic_ns();
	int ms = 0;

	if (vpd_frame_ack_next_deadline(&os->head->frame_ack, &deadline))
		ms = deadline > now ? (int)((deadline - now + 999999) / 1000000)
				    : 1;
	wl_event_source_timer_update(os->hold_timer, ms);
}

/* A frame for the encoder. @hold: the head's acks wait until the encoder
 * has read it (at most the bound). NULL after logging. */
static struct stream_frame *frame_create(struct vpd_output_stream *os,
					 bool hold)
{
	struct stream_frame *frame = calloc(1, sizeof(*frame));
	uint64_t now = monotonic_ns();

	if (!frame) {
		log_errno("calloc");
		return NULL;
	}
	frame->os = os;
	wl_list_init(&frame->link);
	if (hold) {
		vpd_frame_ack_hold(&os->head->frame_ack, &frame->hold, now,
				   now + (uint64_t)os->ack_hold_max_ms *
						   1000000u);
		arm_hold_timer(os);
	}
	return frame;
}

/* @frame's buffer and hold go (a stale hold timer only re-arms). */
static void frame_destroy(struct vpd_output_stream *os,
			  struct stream_frame *frame)
{
	wl_list_remove(&frame->link);
	if (frame->buffer)
		wlr_buffer_unlock(frame->buffer);
	vpd_frame_ack_release(&os->head->frame_ack, &frame->hold);
	free(frame);
}

/* Forget what precommit noted: the buffer and any hold not handed on. */
static void drop_pending(struct vpd_output_stream *os)
{
	if (os->pending) {
		wlr_buffer_unlock(os->pending);
		os->pending = NULL;
	}
	if (os->held) {
		frame_destroy(os, os->held);
		os->held = NULL;
	}
}

/* From enc_stream_dispatch(): GStreamer is done with the frame. */
static void release_frame(void *data)
{
	struct stream_frame *frame = data;
	struct vpd_output_stream *os = frame->os;
	bool held = frame->hold.active; /* not expired */
	uint64_t held_ms = (monotonic_ns() - frame->hold.taken_ns) / 1000000u;

	frame_destroy(os, frame);
	if (!held)
		return;
	os->held_acks++;
	os->held_ms_sum += held_ms;
	if (held_ms > os->held_ms_max)
		os->held_ms_max = held_ms;
	arm_hold_timer(os);
}

/* Hand @buffer to the encoder as @frame (taken; NULL: a frame that holds
 * nothing). False if not taken: @frame and its hold are gone. */
static bool push(struct vpd_output_stream *os, struct stream_frame *frame,
		 struct wlr_buffer *buffer, bool keyframe)
{
	struct enc_frame desc;

	if (!frame)
		frame = frame_create(os, false);
	if (!frame)
		return false;
	if (!describe(buffer, &desc)) {
		log_debug("%s: committed buffer has no fd to stream", os->path);
		frame_destroy(os, frame);
		return false;
	}
	frame->buffer = wlr_buffer_lock(buffer);
	desc.release = release_frame;
	desc.data = frame;
	wl_list_insert(os->frames.prev, &frame->link);
	if (!enc_stream_push(os->stream, &desc, keyframe)) {
		frame_destroy(os, frame);
		return false;
	}
	os->frames_pushed++;
	wl_event_source_timer_update(os->keepalive, KEEPALIVE_MS);
	return true;
}

/* Before the backend commits (and, headless, presents): hold the head's
 * acks with the frame to come, and note the buffer. */
static void handle_output_precommit(struct wl_listener *listener, void *data)
{
	struct vpd_output_stream *os = wl_container_of(listener, os, precommit);
	struct wlr_output *wo = os->output->wlr_output;

	drop_pending(os); /* the last commit failed */
	if (!(wo->pending.committed & WLR_OUTPUT_STATE_BUFFER))
		return;
	/* wlroots 0.15's commit event names only a rendered buffer; a
	 * direct-scanout buffer is known here only */
	if (wo->pending.buffer)
		os->pending = wlr_buffer_lock(wo->pending.buffer);
	if (enc_stream_has_consumers(os->stream))
		os->held = frame_create(os, true);
}

static void handle_output_commit(struct wl_listener *listener, void *data)
{
	struct vpd_output_stream *os = wl_container_of(listener, os, commit);
	struct wlr_output_event_commit *event = data;
	struct wlr_buffer *buffer = event->buffer ? event->buffer : os->pending;
	struct stream_frame *frame = os->held;

	if (!(event->committed & WLR_OUTPUT_STATE_BUFFER) || !buffer) {
		drop_pending(os);
		return;
	}
	if (os->last != buffer) {
		if (os->last)
			wlr_buffer_unlock(os->last);
		os->last = wlr_buffer_lock(buffer);
	}
	os->held = NULL;
	push(os, frame, buffer, false);
	drop_pending(os);
}

/*
 * The frame on the output again (keep-alive, or a keyframe for a viewer
 * who joined). It is the guest's front buffer: the guest draws into it
 * again after its next flip is acked, so this push holds acks too (an
 * ack due meanwhile waits until the encoder has read it).
 */
static bool push_repeat(struct vpd_output_stream *os, bool keyframe)
{
	struct stream_frame *frame;

	if (!os->last)
		return false;
	frame = frame_create(os, true);
	return frame && push(os, frame, os->last, keyframe);
}

static int handle_stream_fd(int fd, uint32_t mask, void *data)
{
	struct vpd_output_stream *os = data;

	/* a viewer joined: the current frame now, as a keyframe */
	if (enc_stream_dispatch(os->stream))
		push_repeat(os, true);
	return 0;
}

static int handle_keepalive(void *data)
{
	struct vpd_output_stream *os = data;

	if (push_repeat(os, false))
		os->repeats++;
	return 0;
}

/* Holds older than the bound: ack anyway, the encoder is stuck or far
 * too slow; the guest must not wait for it. The buffer stays locked
 * (GStreamer still has it) but the guest may draw into it now: counted
 * as a late ack, and logged at 1, 2, 4, 8, ... */
static int handle_hold_timer(void *data)
{
	struct vpd_output_stream *os = data;
	unsigned int expired =
		vpd_frame_ack_expire(&os->head->frame_ack, monotonic_ns());

	while (expired--) {
		if (!os->late_acks++ || !(os->late_acks & (os->late_acks - 1)))
			log_info("%s: the encoder held a frame over %u ms; "
				 "acked without it (%llu times so far; see "
				 "--stream-ack-hold-ms)",
				 os->path, os->ack_hold_max_ms,
				 (unsigned long long)os->late_acks);
	}
	arm_hold_timer(os);
	return 0;
}

/* The hold bound, and a warning if the driver's own ack timeout is not
 * above it: then the driver completes the flip first and the guest may
 * overwrite a buffer the encoder is reading. */
static void set_hold_bound(struct vpd_output_stream *os)
{
	const struct vpd_config *config = os->output->server->config;
	struct vpd_head *head = os->head;
	uint32_t ack_timeout_ms = head ? head->vgpu->ack_timeout_ms : 0;

	os->ack_hold_max_ms = config->stream_ack_hold_ms
				      ? config->stream_ack_hold_ms
				      : VPD_STREAM_ACK_HOLD_DEFAULT_MS;
	if (ack_timeout_ms && os->ack_hold_max_ms >= ack_timeout_ms)
		log_error(
			"%s: the encoder may hold acks %u ms but vplane.ko "
			"completes flips after %u ms without one: the guest "
			"may draw into frames being encoded (raise vplane.ko's "
			"ack_timeout_ms or lower --stream-ack-hold-ms)",
			os->path, os->ack_hold_max_ms, ack_timeout_ms);
}

static int handle_recording_fd(int fd, uint32_t mask, void *data)
{
	struct vpd_output_stream *os = data;

	/* may run handle_recording_ended(), which frees the recording */
	enc_recording_dispatch(os->recording);
	return 0;
}

/* The recording and its eventsource go; a pending record stop gets
 * its answer. */
static void end_recording(struct vpd_output_stream *os, bool clean,
			  const char *summary)
{
	vpd_output_stream_record_done_fn done = os->record_done;
	char msg[1600];

	if (os->recording_fd)
		wl_event_source_remove(os->recording_fd);
	os->recording_fd = NULL;
	enc_recording_destroy(os->recording);
	os->recording = NULL;
	os->record_done = NULL;
	snprintf(msg, sizeof(msg), "%s recorded: %s", os->path + 1, summary);
	log_at(clean ? LOG_LEVEL_INFO : LOG_LEVEL_ERROR, "%s", msg);
	if (done) {
		done(os->record_done_data,
		     clean ? VPD_RECORD_OK : VPD_RECORD_FAILED, msg);
		return;
	}
	/* stopped by itself: the next record stop (or start) says why */
	if (!clean)
		snprintf(os->record_note, sizeof(os->record_note), "%s", msg);
}

/* From enc_recording_dispatch(): every file is closed. */
static void handle_recording_ended(void *data, bool clean, const char *summary)
{
	end_recording(data, clean, summary);
}

/* Record the head to @name in the record directory. False with @msg. */
static bool attach_recording(struct vpd_output_stream *os, const char *name,
			     char *msg, size_t size)
{
	struct wl_event_loop *loop =
		wl_display_get_event_loop(os->output->server->display);

	os->recording = enc_recording_create(
		os->stream, os->streaming->record_dir, name,
		handle_recording_ended, os, msg, size);
	if (!os->recording)
		return false;
	os->recording_fd = wl_event_loop_add_fd(
		loop, enc_recording_get_fd(os->recording), WL_EVENT_READABLE,
		handle_recording_fd, os);
	if (!os->recording_fd) {
		snprintf(msg, size, "%s: cannot add eventsources", os->path);
		log_error("%s", msg);
		enc_recording_destroy(os->recording);
		os->recording = NULL;
		return false;
	}
	os->record_note[0] = 0;
	return true;
}

/* --record VGPU/HEAD=FILE naming this head: record it until exit. A
 * recording that cannot start is logged; the head is still streamed. */
static void start_recording(struct vpd_output_stream *os)
{
	const struct vpd_config *config = os->output->server->config;
	size_t len = strlen(os->path + 1);

	for (unsigned int i = 0; i < config->nr_stream_record; i++) {
		const char *r = config->stream_record[i];

		if (strncmp(r, os->path + 1, len) || r[len] != '=')
			continue;
		vpd_output_stream_record_start(os, r + len + 1, os->record_note,
					       sizeof(os->record_note));
		return;
	}
}

enum vpd_record_result
vpd_output_stream_record_start(struct vpd_output_stream *os, const char *file,
			       char *msg, size_t size)
{
	const char *name;
	char why[1400];

	if (os->recording) {
		snprintf(msg, size, "%s is being recorded already%s",
			 os->path + 1,
			 os->record_done ? " (its files are being finished)"
					 : "");
		return VPD_RECORD_ALREADY;
	}
	if (!os->streaming->record_dir) {
		snprintf(msg, size,
			 "vplaned records nothing: it has no record directory "
			 "(--record-dir)");
		return VPD_RECORD_BAD_PATH;
	}
	name = enc_record_dir_name(os->streaming->record_dir, file, why,
				   sizeof(why));
	if (!name) {
		snprintf(msg, size, "%s", why);
		return VPD_RECORD_BAD_PATH;
	}
	if (!attach_recording(os, name, why, sizeof(why))) {
		snprintf(msg, size, "cannot record %s: %s", os->path + 1, why);
		return VPD_RECORD_FAILED;
	}
	snprintf(msg, size, "recording %s to %s/%s", os->path + 1,
		 enc_record_dir_get_path(os->streaming->record_dir), name);
	log_info("control: %s", msg);
	return VPD_RECORD_OK;
}

enum vpd_record_result
vpd_output_stream_record_stop(struct vpd_output_stream *os,
			      vpd_output_stream_record_done_fn done, void *data,
			      char *msg, size_t size)
{
	if (!os->recording) {
		snprintf(msg, size, "%s is not being recorded%s%s",
			 os->path + 1,
			 os->record_note[0] ? "; its last recording: " : "",
			 os->record_note);
		/* said once */
		os->record_note[0] = 0;
		return VPD_RECORD_NOT_RECORDING;
	}
	if (os->record_done) {
		snprintf(msg, size, "%s: a record stop is under way already",
			 os->path + 1);
		return VPD_RECORD_ALREADY;
	}
	/* the answer when the files are complete: the loop goes on */
	os->record_done = done;
	os->record_done_data = data;
	enc_recording_stop(os->recording);
	return VPD_RECORD_PENDING;
}

struct vpd_output_stream *
vpd_output_stream_create(struct vpd_streaming *streaming,
			 struct vpd_output *output, const char *path)
{
	struct wl_event_loop *loop =
		wl_display_get_event_loop(output->server->display);
	struct vpd_output_stream *os = calloc(1, sizeof(*os));

	if (!os) {
		log_errno("calloc");
		return NULL;
	}
	os->output = output;
	os->head = output->head;
	os->streaming = streaming;
	snprintf(os->path, sizeof(os->path), "%s", path);
	wl_list_init(&os->frames);
	set_hold_bound(os);
	os->stream = enc_stream_create(
		path, streaming->encoder,
		&(struct enc_stream_options){
			.chroma444 =
				output->server->config->stream_chroma444 });
	if (!os->stream)
		goto err;
	os->stream_fd =
		wl_event_loop_add_fd(loop, enc_stream_get_fd(os->stream),
				     WL_EVENT_READABLE, handle_stream_fd, os);
	os->keepalive = wl_event_loop_add_timer(loop, handle_keepalive, os);
	os->hold_timer = wl_event_loop_add_timer(loop, handle_hold_timer, os);
	if (!os->stream_fd || !os->keepalive || !os->hold_timer) {
		log_error("%s: cannot add eventsources", path);
		goto err;
	}
	enc_rtsp_add(streaming->rtsp, path, os->stream);
	if (streaming->webrtc)
		enc_webrtc_add(streaming->webrtc, path, os->stream);
	start_recording(os);
	os->precommit.notify = handle_output_precommit;
	wl_signal_add(&output->wlr_output->events.precommit, &os->precommit);
	os->commit.notify = handle_output_commit;
	wl_signal_add(&output->wlr_output->events.commit, &os->commit);
	output->stream = os;
	return os;
err:
	if (os->hold_timer)
		wl_event_source_remove(os->hold_timer);
	if (os->keepalive)
		wl_event_source_remove(os->keepalive);
	if (os->stream_fd)
		wl_event_source_remove(os->stream_fd);
	enc_stream_destroy(os->stream);
	free(os);
	return NULL;
}

void vpd_output_stream_destroy(struct vpd_output_stream *os)
{
	struct enc_stream_stats stats;

	if (!os)
		return;
	enc_stream_get_stats(os->stream, &stats);
	log_info("stream %s: %llu frames pushed (%llu repeats), %llu encoded "
		 "(%llu keyframes, %llu bytes), %llu late acks; %llu keyframe "
		 "requests, %llu forced; %llu frames dropped for viewers "
		 "behind",
		 os->path, (unsigned long long)os->frames_pushed,
		 (unsigned long long)os->repeats,
		 (unsigned long long)stats.frames_out,
		 (unsigned long long)stats.keyframes,
		 (unsigned long long)stats.bytes_out,
		 (unsigned long long)os->late_acks,
		 (unsigned long long)stats.keyframe_requests,
		 (unsigned long long)stats.keyframes_forced,
		 (unsigned long long)stats.consumer_drops);
	log_info("stream %s: %llu acks held for the encoder, mean %.1f ms, "
		 "max %llu ms (bound %u ms)",
		 os->path, (unsigned long long)os->held_acks,
		 os->held_acks ? (double)os->held_ms_sum / (double)os->held_acks
			       : 0.0,
		 (unsigned long long)os->held_ms_max, os->ack_hold_max_ms);
	log_info("stream %s: encoding took mean %.1f ms, max %.1f ms; frames "
		 "waited in viewers' and recordings' queues mean %.1f ms, max "
		 "%.1f ms",
		 os->path,
		 stats.frames_out ? (double)stats.encode_us_sum /
					    (double)stats.frames_out / 1000.0
				  : 0.0,
		 (double)stats.encode_us_max / 1000.0,
		 stats.consumer_frames
			 ? (double)stats.consumer_us_sum /
				   (double)stats.consumer_frames / 1000.0
			 : 0.0,
		 (double)stats.consumer_us_max / 1000.0);
	wl_list_remove(&os->precommit.link);
	wl_list_remove(&os->commit.link);
	enc_rtsp_remove(os->streaming->rtsp, os->path);
	if (os->streaming->webrtc)
		enc_webrtc_remove(os->streaming->webrtc, os->path);
	/* first: it waits for its files to be finished (teardown only) */
	if (os->recording)
		end_recording(os, false, "the head's stream ended");
	wl_event_source_remove(os->stream_fd);
	/* runs release_frame() for every frame: buffers unlocked, holds
	 * released into the head's acks (the timers are still there) */
	enc_stream_destroy(os->stream);
	wl_event_source_remove(os->hold_timer);
	wl_event_source_remove(os->keepalive);
	drop_pending(os);
	if (os->last)
		wlr_buffer_unlock(os->last);
	os->output->stream = NULL;
	free(os);
}

bool vpd_output_stream_get_record_file(const struct vpd_output_stream *os,
				       char *path, size_t size)
{
	return os->recording &&
	       enc_recording_get_file(os->recording, path, size);
}

void vpd_output_stream_get_stats(const struct vpd_output_stream *os,
				 struct vpd_output_stream_stats *stats)
{
	const struct enc_encoder_candidate *enc = os->streaming->encoder;
	struct enc_stream_stats ss;

	enc_stream_get_stats(os->stream, &ss);
	*stats = (struct vpd_output_stream_stats){
		.encoder = enc->name,
		.encoder_hardware = enc->hardware,
		.frames_encoded = ss.frames_out,
		.keyframes = ss.keyframes,
		.bytes = ss.bytes_out,
		.viewers = ss.consumers,
		.late_acks = os->late_acks,
		.keyframe_requests = ss.keyframe_requests,
		.keyframes_forced = ss.keyframes_forced,
		.frames_dropped = ss.consumer_drops,
		.encode_us = ss.encode_us_sum,
		.encode_us_max = ss.encode_us_max,
		.frames_sent = ss.consumer_frames,
		.queue_us = ss.consumer_us_sum,
		.queue_us_max = ss.consumer_us_max,
		.frames_to_sink = ss.sink_frames,
		.sink_us = ss.sink_us_sum,
		.sink_us_max = ss.sink_us_max,
		.input_width = ss.input_width,
		.input_height = ss.input_height,
		.input_format = ss.input_format,
		.webrtc_viewers = ss.webrtc_viewers,
		.webrtc_connected = ss.webrtc_connected,
	};
}
