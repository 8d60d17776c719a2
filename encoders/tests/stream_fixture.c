// SPDX-License-Identifier: MIT
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <gst/app/gstappsrc.h>

#include "stream_consumer.h"
#include "stream_fixture.h"

bool fixture_x264_missing(void)
{
	GstElementFactory *factory = gst_element_factory_find("x264enc");

	if (!factory) {
		fprintf(stderr, "x264enc not installed: skip\n");
		return true;
	}
	gst_object_unref(factory);
	return false;
}

static void release(void *data)
{
	*(bool *)data = false;
}

bool fixture_frame_init(struct fixture_frame *f, uint32_t width,
			uint32_t height, uint8_t fill)
{
	size_t size = (size_t)width * 4 * height;
	int fd = memfd_create("frame", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		perror("memfd");
		if (fd >= 0)
			close(fd);
		return false;
	}
	f->px = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (f->px == MAP_FAILED) {
		perror("mmap");
		close(fd);
		return false;
	}
	memset(f->px, fill, size);
	f->held = false;
	f->frame = (struct enc_frame){
		.fd = fd,
		.memory = ENC_FRAME_MEMFD,
		.drm_format = DRM_FORMAT_XRGB8888,
		.width = width,
		.height = height,
		.stride = width * 4,
		.size = size,
		.release = release,
		.data = &f->held,
	};
	return true;
}

bool fixture_pump(struct enc_stream *stream, int ms)
{
	struct pollfd pfd = { .fd = enc_stream_get_fd(stream),
			      .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return false;
	return enc_stream_dispatch(stream);
}

GstElement *fixture_viewer(struct enc_stream *stream, guint max_buffers,
			   gboolean drop, GstElement **sink)
{
	GstElement *pipe = gst_pipeline_new("viewer");
	GstElement *src = gst_element_factory_make("appsrc", NULL);

	*sink = gst_element_factory_make("appsink", NULL);
	if (!src || !*sink) {
		fprintf(stderr, "appsrc or appsink missing\n");
		gst_object_unref(pipe);
		return NULL;
	}
	gst_bin_add_many(GST_BIN(pipe), src, *sink, NULL);
	g_object_set(*sink, "sync", FALSE, "max-buffers", max_buffers, "drop",
		     drop, NULL);
	if (!gst_element_link(src, *sink) ||
	    !enc_stream_attach(stream, GST_APP_SRC(src))) {
		fprintf(stderr, "viewer: cannot link or attach\n");
		gst_object_unref(pipe);
		return NULL;
	}
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	return pipe;
}
