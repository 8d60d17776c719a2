// SPDX-License-Identifier: MIT
/*
 * Keyframe requests are throttled per stream: a storm of them (a viewer
 * sending a PLI with every packet, PLAYs in a loop) forces at most one
 * keyframe per VP_STREAM_KEYFRAME_MIN_MS, however many come, and one
 * asked for in the quiet time after a forced keyframe is served when it
 * ends, even with no new frame (the stream's fd wakes the caller). The
 * real x264 encoder, fed as vplaned feeds it: a frame at every flip,
 * with a keyframe when vp_stream_dispatch() says so. Skips (77) if
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

#define W	 160
#define H	 120
#define STRIDE	 (W * 4)
/* the storm: a request before every frame, at 25 frames/s, for 3 s */
#define FPS	 25
#define SECONDS	 3
/* the throttle's interval (VP_STREAM_KEYFRAME_MIN_MS) */
#define INTERVAL 1000

static bool held;

static void release(void *data)
{
	held = false;
}

static bool pump(struct vp_stream *stream, int ms)
{
	struct pollfd pfd = { .fd = vp_stream_get_fd(stream),
			      .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return false;
	return vp_stream_dispatch(stream);
}

int main(void)
{
	const struct vp_encoder_candidate *x264 = vp_encoder_find("x264enc");
	GstElementFactory *factory;
	struct vp_stream_stats stats;
	struct vp_stream *stream;
	GstElement *pipe, *src, *sink;
	uint8_t *px;
	int fd, i;
	bool key = false;
	gint64 start, t0;
	uint64_t keyframes;

	gst_init(NULL, NULL);
	factory = gst_element_factory_find("x264enc");
	if (!factory) {
		fprintf(stderr, "x264enc not installed: skip\n");
		return 77;
	}
	gst_object_unref(factory);

	fd = memfd_create("frame", MFD_CLOEXEC);
	CHECK(fd >= 0 && ftruncate(fd, STRIDE * H) == 0);
	px = mmap(NULL, STRIDE * H, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(px != MAP_FAILED);
	memset(px, 0x20, STRIDE * H);

	stream = vp_stream_create("keyframes", x264, NULL);
	CHECK(stream);
	if (!stream)
		return check_result("stream-keyframes");
	pipe = gst_pipeline_new("consumer");
	src = gst_element_factory_make("appsrc", NULL);
	sink = gst_element_factory_make("appsink", NULL);
	gst_bin_add_many(GST_BIN(pipe), src, sink, NULL);
	CHECK(gst_element_link(src, sink));
	g_object_set(sink, "sync", FALSE, "max-buffers", 10, "drop", TRUE,
		     NULL);
	CHECK(vp_stream_attach(stream, GST_APP_SRC(src)));
	gst_element_set_state(pipe, GST_STATE_PLAYING);

	struct vp_frame frame = {
		.fd = fd,
		.memory = VP_FRAME_MEMFD,
		.drm_format = DRM_FORMAT_XRGB8888,
		.width = W,
		.height = H,
		.stride = STRIDE,
		.size = STRIDE * H,
		.release = release,
	};

	/* the storm */
	start = g_get_monotonic_time();
	for (i = 0; i < FPS * SECONDS; i++) {
		gint64 next = start + (gint64)(i + 1) * G_USEC_PER_SEC / FPS;

		vp_stream_request_keyframe(stream);
		key |= pump(stream, 0);
		px[i % (STRIDE * H)] ^= 0xff;
		held = vp_stream_push(stream, &frame, key);
		key = false;
		while (held)
			key |= pump(stream, 100);
		while (g_get_monotonic_time() < next)
			key |= pump(
				stream,
				(int)((next - g_get_monotonic_time()) / 1000) +
					1);
	}
	for (int t = 0; t < 50; t++)
		pump(stream, 20);
	vp_stream_get_stats(stream, &stats);
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
	vp_stream_request_keyframe(stream);
	t0 = g_get_monotonic_time();
	key = false;
	while (!key && g_get_monotonic_time() - t0 < 3 * INTERVAL * 1000)
		key = pump(stream, 100);
	CHECK(key);
	held = vp_stream_push(stream, &frame, true);
	while (held)
		pump(stream, 100);
	vp_stream_request_keyframe(stream);
	t0 = g_get_monotonic_time();
	key = false;
	while (!key && g_get_monotonic_time() - t0 < 3 * INTERVAL * 1000)
		key = pump(stream, 100);
	fprintf(stderr, "a request right after a keyframe served in %lld ms\n",
		(long long)(g_get_monotonic_time() - t0) / 1000);
	CHECK(key);
	CHECK(g_get_monotonic_time() - t0 >= (INTERVAL - 100) * 1000);

	vp_stream_destroy(stream);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
	munmap(px, STRIDE * H);
	close(fd);
	return check_result("stream-keyframes");
}
