// SPDX-License-Identifier: MIT
/*
 * A viewer that stops taking frames never gets a backlog: while its
 * pipeline is stuck (an appsink nobody pulls: a client that does not
 * read, a full socket), the stream keeps encoding at 20 frames/s for
 * 3 s; when the viewer reads again, what waits for it is at most about
 * the queue's time bound (500 ms: 10 frames), starting with a keyframe
 * (it decodes), not 3 s of old frames. The skipped frames are counted.
 * The real x264 encoder. Skips (77) if x264enc is not installed.
 */
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <gst/app/gstappsink.h>

#include "../../server/libvplane/tests/check.h"
#include "encoder_select.h"
#include "stream_consumer.h"
#include "stream_fixture.h"

#define W      160
#define H      120
#define STRIDE (W * 4)
#define FPS    20

/* Flip at FPS for @seconds: a frame, a keyframe when the stream asks. */
static void flip_for(struct enc_stream *stream, struct fixture_frame *f,
		     double seconds)
{
	gint64 start = g_get_monotonic_time();
	bool key = false;

	for (int i = 0; i < (int)(seconds * FPS); i++) {
		gint64 next = start + (gint64)(i + 1) * G_USEC_PER_SEC / FPS;

		f->px[i % (STRIDE * H)] ^= 0xff;
		f->held = enc_stream_push(stream, &f->frame, key);
		key = false;
		while (f->held)
			key |= fixture_pump(stream, 100);
		while (g_get_monotonic_time() < next)
			key |= fixture_pump(
				stream,
				(int)((next - g_get_monotonic_time()) / 1000) +
					1);
	}
}

int main(void)
{
	const struct enc_encoder_candidate *x264 = enc_encoder_find("x264enc");
	struct enc_stream_stats stats;
	struct enc_stream *stream;
	struct fixture_frame f;
	GstElement *pipe, *sink;
	GstSample *sample;
	int backlog = 0, first_after = -1;

	gst_init(NULL, NULL);
	if (fixture_x264_missing())
		return 77;
	CHECK(fixture_frame_init(&f, W, H, 0x20));
	stream = enc_stream_create("backlog", x264, NULL);
	CHECK(stream);
	if (!stream)
		return check_result("stream-backlog");
	/* a viewer whose pipeline blocks once one frame waits in it */
	pipe = fixture_viewer(stream, 1, FALSE, &sink);
	CHECK(pipe);
	if (!pipe)
		return check_result("stream-backlog");

	/* the viewer reads nothing for 3 s */
	flip_for(stream, &f, 3.0);
	/* now it reads what waits for it: the one in the sink, the one
	 * the appsrc's thread is stuck pushing, then its queue */
	while ((sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink),
						      200 * GST_MSECOND))) {
		GstBuffer *b = gst_sample_get_buffer(sample);

		if (backlog == 2)
			first_after = !GST_BUFFER_FLAG_IS_SET(
				b, GST_BUFFER_FLAG_DELTA_UNIT);
		backlog++;
		gst_sample_unref(sample);
	}
	enc_stream_get_stats(stream, &stats);
	fprintf(stderr,
		"after 3 s unread at %d frames/s: %d frames waited "
		"(%llu encoded); the first queued one %s\n",
		FPS, backlog, (unsigned long long)stats.frames_out,
		first_after == 1   ? "a keyframe"
		: first_after == 0 ? "a delta frame"
				   : "none");
	CHECK(stats.frames_out >= FPS * 2);
	CHECK(stats.consumer_drops > 0);
	/* 500 ms at 20 frames/s, the two outside the queue, the keyframe
	 * and a margin for a loaded host: 1 s; 3 s of frames without it */
	CHECK(backlog <= 20);
	CHECK(first_after != 0);
	/* where the time went (vplanectl stats' stream_encode_us and
	 * stream_queue_us): every encoded frame timed, the encoder quick
	 * (160x120), frames waited in the stuck viewer's queue a good part
	 * of the bound but never the 3 s it was stuck (each left by
	 * then, or was dropped) */
	fprintf(stderr,
		"encoding: mean %.1f ms, max %.1f ms; the viewer's queue: "
		"%llu frames left it, mean %.1f ms, max %.1f ms\n",
		stats.frames_out ? (double)stats.encode_us_sum /
					   (double)stats.frames_out / 1000.0
				 : 0.0,
		(double)stats.encode_us_max / 1000.0,
		(unsigned long long)stats.consumer_frames,
		stats.consumer_frames
			? (double)stats.consumer_us_sum /
				  (double)stats.consumer_frames / 1000.0
			: 0.0,
		(double)stats.consumer_us_max / 1000.0);
	CHECK(stats.encode_us_sum > 0);
	CHECK(stats.encode_us_max >= stats.encode_us_sum / stats.frames_out);
	CHECK(stats.encode_us_max < 2 * G_USEC_PER_SEC);
	CHECK(stats.consumer_frames >= (uint64_t)backlog);
	CHECK(stats.consumer_us_max >= 250 * 1000);
	CHECK(stats.consumer_us_max < 2500 * 1000);

	/* reading again: frames flow, from a keyframe */
	flip_for(stream, &f, 1.5);
	sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), GST_SECOND);
	CHECK(sample);
	if (sample)
		gst_sample_unref(sample);

	enc_stream_destroy(stream);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
	munmap(f.px, STRIDE * H);
	close(f.frame.fd);
	return check_result("stream-backlog");
}
