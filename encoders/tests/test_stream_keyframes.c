// SPDX-License-Identifier: MIT
/*
 * Keyframe requests are throttled per stream: a storm of them (a viewer
 * sending a PLI with every packet, PLAYs in a loop) forces at most one
 * keyframe per ENC_STREAM_KEYFRAME_MIN_MS, however many come, and one
 * asked for in the quiet time after a forced keyframe is served when it
 * ends, even with no new frame (the stream's fd wakes the caller). The
 * real x264 encoder, fed as vplaned feeds it: a frame at every flip,
 * with a keyframe when enc_stream_dispatch() says so. Skips (77) if
 * x264enc is not installed.
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

#define W	 160
#define H	 120
#define STRIDE	 (W * 4)
/* the storm: a request before every frame, at 25 frames/s, for 3 s */
#define FPS	 25
#define SECONDS	 3
/* the throttle's interval (ENC_STREAM_KEYFRAME_MIN_MS) */
#define INTERVAL 1000

int main(void)
{
	const struct enc_encoder_candidate *x264 = enc_encoder_find("x264enc");
	struct enc_stream_stats stats;
	struct enc_stream *stream;
	struct fixture_frame f;
	GstElement *pipe, *sink;
	int i;
	bool key = false;
	gint64 start, t0;
	uint64_t keyframes;

	gst_init(NULL, NULL);
	if (fixture_x264_missing())
		return 77;
	CHECK(fixture_frame_init(&f, W, H, 0x20));
	stream = enc_stream_create("keyframes", x264, NULL);
	CHECK(stream);
	if (!stream)
		return check_result("stream-keyframes");
	pipe = fixture_viewer(stream, 10, TRUE, &sink);
	CHECK(pipe);
	if (!pipe)
		return check_result("stream-keyframes");

	/* the storm */
	start = g_get_monotonic_time();
	for (i = 0; i < FPS * SECONDS; i++) {
		gint64 next = start + (gint64)(i + 1) * G_USEC_PER_SEC / FPS;

		enc_stream_request_keyframe(stream);
		key |= fixture_pump(stream, 0);
		f.px[i % (STRIDE * H)] ^= 0xff;
		f.held = enc_stream_push(stream, &f.frame, key);
		key = false;
		while (f.held)
			key |= fixture_pump(stream, 100);
		while (g_get_monotonic_time() < next)
			key |= fixture_pump(
				stream,
				(int)((next - g_get_monotonic_time()) / 1000) +
					1);
	}
	for (int t = 0; t < 50; t++)
		fixture_pump(stream, 20);
	enc_stream_get_stats(stream, &stats);
	keyframes = stats.keyframes;
	fprintf(stderr,
		"%d requests in %d s: %llu keyframes encoded of %llu frames\n",
		FPS * SECONDS, SECONDS, (unsigned long long)stats.keyframes,
		(unsigned long long)stats.frames_out);
	/* one per interval (and the first), plus the GOP's own */
	CHECK(stats.frames_out >= FPS * SECONDS / 2);
	CHECK(keyframes <= SECONDS * 1000 / INTERVAL + 1 +
				   (uint64_t)(FPS * SECONDS / 30) + 1);

	/* right after a forced keyframe, a request waits for the quiet
	 * time's end, then the fd wakes the caller: no frame needed */
	enc_stream_request_keyframe(stream);
	t0 = g_get_monotonic_time();
	key = false;
	while (!key && g_get_monotonic_time() - t0 < 3 * INTERVAL * 1000)
		key = fixture_pump(stream, 100);
	CHECK(key);
	f.held = enc_stream_push(stream, &f.frame, true);
	while (f.held)
		fixture_pump(stream, 100);
	enc_stream_request_keyframe(stream);
	t0 = g_get_monotonic_time();
	key = false;
	while (!key && g_get_monotonic_time() - t0 < 3 * INTERVAL * 1000)
		key = fixture_pump(stream, 100);
	fprintf(stderr, "a request right after a keyframe served in %lld ms\n",
		(long long)(g_get_monotonic_time() - t0) / 1000);
	CHECK(key);
	CHECK(g_get_monotonic_time() - t0 >= (INTERVAL - 100) * 1000);

	enc_stream_destroy(stream);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
	munmap(f.px, STRIDE * H);
	close(f.frame.fd);
	return check_result("stream-keyframes");
}
