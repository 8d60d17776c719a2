// SPDX-License-Identifier: MIT
/*
 * enc_stream_push() against hostile frame geometry: a memfd of a chosen
 * size stands in for the dma-buf (lseek SEEK_END answers the real size
 * for both, and both take the same GstFdMemory path). A frame is taken
 * only if every byte of it lies in the fd: the stride covers a row, the
 * last row ends inside, the claimed size is the fd's, no overflow;
 * frames that fit exactly are still taken. Skips (77) without x264enc.
 */
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "../../server/libvplane/tests/check.h"
#include "encoder_select.h"
#include "stream_consumer.h"

#define W 64
#define H 48

struct geometry {
	const char *what;
	uint32_t format, width, height, stride, offset;
	uint64_t fd_size; /* the memfd's real size */
	uint64_t claimed; /* enc_frame.size (0: the real size) */
	bool taken;
};

static void release(void *data)
{
}

static int memfd_of(uint64_t size)
{
	int fd = memfd_create("frame", MFD_CLOEXEC);

	CHECK(fd >= 0 && ftruncate(fd, (off_t)size) == 0);
	return fd;
}

int main(void)
{
	const struct enc_encoder_candidate *x264 = enc_encoder_find("x264enc");
	const struct geometry cases[] = {
		{ "fits", DRM_FORMAT_XRGB8888, W, H, W * 4, 0, W * 4 * H, 0,
		  true },
		{ "last row exactly, wide stride", DRM_FORMAT_XRGB8888, W, H,
		  W * 4 + 64, 0, (W * 4 + 64) * (H - 1) + W * 4, 0, true },
		{ "RGB565 fits", DRM_FORMAT_RGB565, W, H, W * 2, 0, W * 2 * H,
		  0, true },
		{ "stride below a row", DRM_FORMAT_XRGB8888, W, H, W * 4 - 4, 0,
		  W * 4 * H, 0, false },
		{ "RGB565 stride below a row", DRM_FORMAT_RGB565, W, H,
		  W * 2 - 2, 0, W * 2 * H, 0, false },
		{ "last row one byte short", DRM_FORMAT_XRGB8888, W, H,
		  W * 4 + 64, 0, (W * 4 + 64) * (H - 1) + W * 4 - 1, 0, false },
		{ "offset pushes the last row out", DRM_FORMAT_XRGB8888, W, H,
		  W * 4, 4096, W * 4 * H + 4095, 0, false },
		{ "size claimed beyond the fd", DRM_FORMAT_XRGB8888, W, H,
		  W * 4, 0, W * 4 * (H / 2), W * 4 * H, false },
		{ "stride * height overflows 32 bits", DRM_FORMAT_XRGB8888, W,
		  0x10000, 0x10000, 0, 65536, 0, false },
		{ "offset near 4 GiB", DRM_FORMAT_XRGB8888, W, H, W * 4,
		  0xfffff000u, W * 4 * H, 0, false },
		{ "zero stride", DRM_FORMAT_XRGB8888, W, H, 0, 0, W * 4 * H, 0,
		  false },
		{ "unknown format", DRM_FORMAT_NV12, W, H, W, 0, W * H * 2, 0,
		  false },
	};
	GstElementFactory *factory;
	struct enc_stream_consumer *consumer;
	struct enc_stream *stream;
	GstElement *pipe, *src, *sink;

	gst_init(NULL, NULL);
	factory = gst_element_factory_find("x264enc");
	if (!factory) {
		fprintf(stderr, "x264enc not installed: skip\n");
		return 77;
	}
	gst_object_unref(factory);
	stream = enc_stream_create("bounds", x264, NULL);
	CHECK(stream);
	if (!stream)
		return check_result("frame-bounds");
	/* a consumer, so frames are taken at all */
	pipe = gst_pipeline_new("consumer");
	src = gst_element_factory_make("appsrc", NULL);
	sink = gst_element_factory_make("fakesink", NULL);
	gst_bin_add_many(GST_BIN(pipe), src, sink, NULL);
	CHECK(gst_element_link(src, sink));
	consumer = enc_stream_attach(stream, GST_APP_SRC(src));
	CHECK(consumer);
	gst_element_set_state(pipe, GST_STATE_PLAYING);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct geometry *g = &cases[i];
		int fd = memfd_of(g->fd_size);
		struct enc_frame frame = {
			.fd = fd,
			.memory = ENC_FRAME_MEMFD,
			.drm_format = g->format,
			.width = g->width,
			.height = g->height,
			.stride = g->stride,
			.offset = g->offset,
			.size = g->claimed ? g->claimed : g->fd_size,
			.release = release,
		};
		bool taken = enc_stream_push(stream, &frame, false);

		fprintf(stderr, "%-36s %s (want %s)\n", g->what,
			taken ? "taken" : "refused",
			g->taken ? "taken" : "refused");
		CHECK(taken == g->taken);
		/* let GStreamer read what was taken before the next */
		for (int t = 0; t < 50; t++) {
			struct enc_stream_stats st;

			enc_stream_dispatch(stream);
			enc_stream_get_stats(stream, &st);
			if (!st.in_flight)
				break;
			g_usleep(20000);
		}
		close(fd);
	}
	enc_stream_destroy(stream);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
	return check_result("frame-bounds");
}
