// SPDX-License-Identifier: MIT
/*
 * enc_stream with the real x264 encoder, fed memfd frames (the same
 * GstFdMemory path a dma-buf takes): nothing is taken without a
 * consumer; a consumer's attach asks for a keyframe; every pushed frame
 * is released exactly once, on the dispatching thread, through the
 * stream's fd; the consumer receives H.264 starting with a keyframe
 * that carries SPS/PPS; destroy ends the consumer. Skips (77) if
 * x264enc is not installed.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <gst/app/gstappsink.h>

#include "../../server/libvplane/tests/check.h"
#include "encoder_select.h"
#include "stream_consumer.h"

#define W      320
#define H      240
#define STRIDE (W * 4)
#define FRAMES 10

static int released[FRAMES + 1];
static pthread_t main_thread;
static int wrong_thread;

static void release(void *data)
{
	released[(intptr_t)data]++;
	if (!pthread_equal(pthread_self(), main_thread))
		wrong_thread++;
}

/* Wait for the stream's fd, then dispatch; returns its result. */
static bool wait_dispatch(struct enc_stream *stream, int timeout_ms)
{
	struct pollfd pfd = { .fd = enc_stream_get_fd(stream),
			      .events = POLLIN };

	if (poll(&pfd, 1, timeout_ms) != 1)
		return false;
	return enc_stream_dispatch(stream);
}

static int total_released(void)
{
	int i, n = 0;

	for (i = 0; i <= FRAMES; i++)
		n += released[i];
	return n;
}

static void draw(uint8_t *px, int frame)
{
	int x, y;

	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			uint8_t *p = px + y * STRIDE + x * 4;

			p[0] = (uint8_t)(x + frame * 8);
			p[1] = (uint8_t)y;
			p[2] = (uint8_t)(x ^ y);
			p[3] = 0xff;
		}
}

static bool has_sps(GstBuffer *buffer)
{
	GstMapInfo map;
	bool found = false;
	gsize i;

	if (!gst_buffer_map(buffer, &map, GST_MAP_READ))
		return false;
	for (i = 0; i + 4 < map.size; i++)
		if (map.data[i] == 0 && map.data[i + 1] == 0 &&
		    map.data[i + 2] == 1 && (map.data[i + 3] & 0x1f) == 7)
			found = true;
	gst_buffer_unmap(buffer, &map);
	return found;
}

int main(void)
{
	const struct enc_encoder_candidate *x264 = enc_encoder_find("x264enc");
	GstElementFactory *factory;
	struct enc_stream_consumer *consumer;
	struct enc_stream_stats stats;
	struct enc_stream *stream;
	GstElement *pipe, *src, *sink;
	GstSample *sample;
	uint8_t *px;
	int fd, i, samples = 0, keyframes = 0;
	bool first_is_key = false, sps = false;

	main_thread = pthread_self();
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
	draw(px, 0);

	stream = enc_stream_create("test", x264, NULL);
	CHECK(stream);
	if (!stream)
		return check_result("stream");

	struct enc_frame frame = {
		.fd = fd,
		.memory = ENC_FRAME_MEMFD,
		.drm_format = DRM_FORMAT_XRGB8888,
		.width = W,
		.height = H,
		.stride = STRIDE,
		.size = STRIDE * H,
		.release = release,
		.data = (void *)(intptr_t)FRAMES,
	};

	/* nobody watching: not taken, never released */
	CHECK(!enc_stream_has_consumers(stream));
	CHECK(!enc_stream_push(stream, &frame, false));
	CHECK(!wait_dispatch(stream, 50) && released[FRAMES] == 0);

	/* a consumer pipeline: appsrc ! appsink */
	pipe = gst_pipeline_new("consumer");
	src = gst_element_factory_make("appsrc", NULL);
	sink = gst_element_factory_make("appsink", NULL);
	gst_bin_add_many(GST_BIN(pipe), src, sink, NULL);
	CHECK(gst_element_link(src, sink));
	g_object_set(sink, "sync", FALSE, NULL);
	consumer = enc_stream_attach(stream, GST_APP_SRC(src));
	CHECK(consumer && enc_stream_has_consumers(stream));
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	/* the attach asked for a keyframe */
	CHECK(wait_dispatch(stream, 1000));

	/* a bad layout is refused without a release */
	frame.stride = STRIDE * 2;
	CHECK(!enc_stream_push(stream, &frame, false));
	frame.stride = STRIDE;

	for (i = 0; i < FRAMES; i++) {
		frame.data = (void *)(intptr_t)i;
		draw(px, i);
		CHECK(enc_stream_push(stream, &frame, i == 0));
		/* held until GStreamer let go, released once */
		for (int t = 0; t < 100 && !released[i]; t++)
			wait_dispatch(stream, 100);
		CHECK(released[i] == 1);
		/* paced by the encoder, so no frame is dropped */
		for (int t = 0; t < 500; t++) {
			enc_stream_get_stats(stream, &stats);
			if (stats.frames_out > (uint64_t)i)
				break;
			g_usleep(10000);
		}
	}
	enc_stream_get_stats(stream, &stats);
	CHECK(stats.frames_in == FRAMES && stats.in_flight == 0);
	CHECK(stats.consumers == 1);
	CHECK(wrong_thread == 0);

	/* the consumer gets H.264, from a keyframe with SPS/PPS */
	while ((sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink),
						      5 * GST_SECOND))) {
		GstBuffer *b = gst_sample_get_buffer(sample);
		bool key =
			!GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT);

		if (samples == 0) {
			first_is_key = key;
			sps = has_sps(b);
		}
		keyframes += key;
		samples++;
		gst_sample_unref(sample);
		if (samples == FRAMES)
			break;
	}
	fprintf(stderr, "consumer got %d frames, %d keyframes\n", samples,
		keyframes);
	CHECK(samples == FRAMES);
	CHECK(first_is_key && sps);
	enc_stream_get_stats(stream, &stats);
	CHECK(stats.frames_out == FRAMES && stats.bytes_out > 0);

	/* a burst faster than the encoder: pushing never waits for it, the
	 * leaky queues drop, and every frame is still released once */
	gint64 t0 = g_get_monotonic_time();
	memset(released, 0, sizeof(released));
	for (i = 0; i < FRAMES; i++) {
		frame.data = (void *)(intptr_t)i;
		CHECK(enc_stream_push(stream, &frame, false));
	}
	gint64 burst_us = g_get_monotonic_time() - t0;
	for (int t = 0; t < 100 && total_released() < FRAMES; t++)
		wait_dispatch(stream, 100);
	for (i = 0; i < FRAMES; i++)
		CHECK(released[i] == 1);
	fprintf(stderr, "burst of %d pushes took %lld us\n", FRAMES,
		(long long)burst_us);
	CHECK(burst_us < 200000);

	/* destroy ends the consumer's stream */
	enc_stream_destroy(stream);
	sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink),
					      5 * GST_SECOND);
	while (sample) { /* anything still queued, then EOS */
		gst_sample_unref(sample);
		sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink),
						      5 * GST_SECOND);
	}
	CHECK(gst_app_sink_is_eos(GST_APP_SINK(sink)));
	/* the transport's late detach of an ended consumer is harmless */
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
	CHECK(total_released() == FRAMES);
	CHECK(wrong_thread == 0);
	munmap(px, STRIDE * H);
	close(fd);
	return check_result("stream");
}
