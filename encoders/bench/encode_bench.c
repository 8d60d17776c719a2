// SPDX-License-Identifier: MIT
/*
 * vp-encode-bench: one side of the encoder overhead benchmark
 * (encoder_overhead.py runs it). Encodes --frames N frames of the
 * simulator's pattern (examples/vgpu-sim/draw.c) through enc_stream, the
 * code vplaned streams with, fed from memfds (a memfd takes the same
 * GstFdMemory path as a dma-buf: mapped by the converter, never copied
 * by us), into one consumer that counts the encoded frames and writes
 * them to --output. The --pool distinct frames are drawn once, before
 * encoding, and pushed in turn.
 *
 * Frames are pushed as the encoder takes them: at most WINDOW pushed
 * and not yet encoded, so no queue of the chain (all leaky, as a live
 * source needs) ever drops one, and exactly N are encoded or it fails.
 *
 *   vp-encode-bench --size WxH --frames N [--pool K] [--output FILE]
 *   vp-encode-bench --size WxH --pool K --write-frames DIR
 *       the same K frames as raw files DIR/frame-00.raw ... for the
 *       gst-launch-1.0 side
 *   vp-encode-bench --size WxH --describe
 *       the chain as a gst-launch-1.0 fragment, then the input caps
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <gst/app/gstappsink.h>

#include "../../examples/vgpu-sim/draw.h"
#include "chain_describe.h"
#include "encoder_chain.h"
#include "encoder_probe.h"
#include "stream_consumer.h"

/* Frames pushed and not yet encoded: one converting, one encoding. The
 * chain's queues hold two each, so none ever drops one. */
#define WINDOW	   2
/* No encoded frame for this long: the chain is stuck. */
#define STALL_MS   30000
/* The simulator's frame period: the stamp's time, fixed so both sides
 * of the benchmark encode the very same pixels. */
#define FRAME_NS   33333333ull
#define RAW_FORMAT "BGRx" /* DRM_FORMAT_XRGB8888 */

struct pool_frame {
	int fd;
	size_t size;
};

/* The consumer's pipeline thread hands over through these. */
struct sink {
	int eventfd; /* one count per encoded frame */
	FILE *out;   /* NULL: counted only */
	bool write_failed;
};

static GstFlowReturn handle_sink_new_sample(GstAppSink *appsink, gpointer data)
{
	struct sink *sink = data;
	GstSample *sample = gst_app_sink_pull_sample(appsink);
	GstMapInfo map;

	if (!sample)
		return GST_FLOW_FLUSHING;
	if (sink->out &&
	    gst_buffer_map(gst_sample_get_buffer(sample), &map, GST_MAP_READ)) {
		if (fwrite(map.data, 1, map.size, sink->out) != map.size)
			sink->write_failed = true;
		gst_buffer_unmap(gst_sample_get_buffer(sample), &map);
	}
	gst_sample_unref(sample);
	if (eventfd_write(sink->eventfd, 1) < 0)
		return GST_FLOW_ERROR;
	return GST_FLOW_OK;
}

static bool draw_pool(struct pool_frame *pool, unsigned int k, uint32_t w,
		      uint32_t h)
{
	for (unsigned int i = 0; i < k; i++) {
		struct sim_fb fb = { .width = w,
				     .height = h,
				     .stride = w * 4,
				     .format = DRM_FORMAT_XRGB8888 };

		pool[i].size = (size_t)fb.stride * h;
		pool[i].fd = memfd_create("bench-frame", MFD_CLOEXEC);
		if (pool[i].fd < 0 ||
		    ftruncate(pool[i].fd, (off_t)pool[i].size) < 0) {
			perror("vp-encode-bench: memfd");
			return false;
		}
		fb.data = mmap(NULL, pool[i].size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, pool[i].fd, 0);
		if (fb.data == MAP_FAILED) {
			perror("vp-encode-bench: mmap");
			return false;
		}
		sim_draw_frame(&fb, i, i * FRAME_NS, 0);
		munmap(fb.data, pool[i].size);
	}
	return true;
}

static bool write_frames(const struct pool_frame *pool, unsigned int k,
			 const char *dir)
{
	for (unsigned int i = 0; i < k; i++) {
		char path[4096];
		void *data;
		FILE *f;
		bool ok;

		snprintf(path, sizeof(path), "%s/frame-%02u.raw", dir, i);
		f = fopen(path, "wb");
		if (!f) {
			fprintf(stderr, "vp-encode-bench: %s: %s\n", path,
				strerror(errno));
			return false;
		}
		data = mmap(NULL, pool[i].size, PROT_READ, MAP_SHARED,
			    pool[i].fd, 0);
		ok = data != MAP_FAILED &&
		     fwrite(data, 1, pool[i].size, f) == pool[i].size;
		if (data != MAP_FAILED)
			munmap(data, pool[i].size);
		if (fclose(f) != 0 || !ok) {
			fprintf(stderr, "vp-encode-bench: cannot write %s\n",
				path);
			return false;
		}
	}
	return true;
}

/* The consumer: appsrc (enc_stream_attach configures it) ! appsink. */
static GstElement *consumer_create(struct enc_stream *stream, struct sink *sink)
{
	GstAppSinkCallbacks callbacks = { .new_sample =
						  handle_sink_new_sample };
	GstElement *pipe = gst_pipeline_new("bench-consumer");
	GstElement *src = gst_element_factory_make("appsrc", NULL);
	GstElement *out = gst_element_factory_make("appsink", NULL);

	if (!pipe || !src || !out) {
		fprintf(stderr, "vp-encode-bench: appsrc or appsink missing\n");
		return NULL;
	}
	gst_bin_add_many(GST_BIN(pipe), src, out, NULL);
	if (!gst_element_link(src, out)) {
		fprintf(stderr, "vp-encode-bench: cannot link the consumer\n");
		return NULL;
	}
	g_object_set(out, "sync", FALSE, NULL);
	gst_app_sink_set_callbacks(GST_APP_SINK(out), &callbacks, sink, NULL);
	if (!enc_stream_attach(stream, GST_APP_SRC(src)) ||
	    gst_element_set_state(pipe, GST_STATE_PLAYING) ==
		    GST_STATE_CHANGE_FAILURE) {
		fprintf(stderr,
			"vp-encode-bench: the consumer does not start\n");
		return NULL;
	}
	return pipe;
}

static void release(void *data)
{
	(void)data; /* the pool is read-only: nothing waits for it */
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Push @n frames of @pool, each as the encoder takes them; true once
 * all @n are encoded. */
static bool encode(struct enc_stream *stream, struct sink *sink,
		   const struct pool_frame *pool, unsigned int k, uint32_t w,
		   uint32_t h, unsigned long n)
{
	unsigned long pushed = 0, encoded = 0;

	while (encoded < n) {
		struct pollfd pfd[2] = {
			{ .fd = enc_stream_get_fd(stream), .events = POLLIN },
			{ .fd = sink->eventfd, .events = POLLIN },
		};
		int ret;

		while (pushed < n && pushed - encoded < WINDOW) {
			const struct pool_frame *p = &pool[pushed % k];
			struct enc_frame f = {
				.fd = p->fd,
				.memory = ENC_FRAME_MEMFD,
				.drm_format = DRM_FORMAT_XRGB8888,
				.width = w,
				.height = h,
				.stride = w * 4,
				.size = p->size,
				.release = release,
			};

			if (!enc_stream_push(stream, &f, pushed == 0)) {
				fprintf(stderr,
					"vp-encode-bench: frame %lu refused\n",
					pushed);
				return false;
			}
			pushed++;
		}
		ret = poll(pfd, 2, STALL_MS);
		if (ret < 0 && errno != EINTR) {
			perror("vp-encode-bench: poll");
			return false;
		}
		if (ret == 0) {
			fprintf(stderr,
				"vp-encode-bench: %lu of %lu frames encoded, "
				"none in %d ms: dropped or stuck\n",
				encoded, pushed, STALL_MS);
			return false;
		}
		if (pfd[0].revents & POLLIN)
			enc_stream_dispatch(stream);
		if (pfd[1].revents & POLLIN) {
			eventfd_t count;

			if (eventfd_read(sink->eventfd, &count) == 0)
				encoded += count;
		}
	}
	return true;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vp-encode-bench --size WxH --frames N [--pool K] "
		"[--output FILE]\n"
		"       vp-encode-bench --size WxH [--pool K] --write-frames "
		"DIR\n"
		"       vp-encode-bench --size WxH --describe\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "frames", required_argument, NULL, 'n' },
		{ "pool", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "write-frames", required_argument, NULL, 'w' },
		{ "describe", no_argument, NULL, 'd' },
		{ 0 },
	};
	unsigned int w = 0, h = 0, k = 8;
	unsigned long n = 0;
	const char *output = NULL, *frames_dir = NULL;
	bool describe = false;
	const struct enc_encoder_candidate *enc;
	struct pool_frame *pool;
	struct sink sink = { .eventfd = -1 };
	struct enc_stream_stats stats;
	struct enc_stream *stream;
	GstElement *consumer;
	double cpu0;
	bool ok;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (sscanf(optarg, "%ux%u", &w, &h) != 2 || w < 64 ||
			    h < 64 || w > 8192 || h > 8192) {
				fprintf(stderr,
					"vp-encode-bench: size '%s' is not "
					"WxH within 64..8192\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'k':
			k = (unsigned int)atoi(optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'w':
			frames_dir = optarg;
			break;
		case 'd':
			describe = true;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!w || k < 1 || k > 100 ||
	    (!describe && !frames_dir && (n < 1 || n > 1000000))) {
		usage();
		return 2;
	}

	/* vplaned's choice, forced to the software encoder the baseline
	 * runs */
	enc = enc_encoder_choose(ENC_CODEC_H264, "x264enc");
	if (!enc)
		return 1;
	if (describe) {
		char *chain = enc_bench_describe_chain(enc, false);
		GstCaps *caps = enc_encoder_chain_input_caps(enc, RAW_FORMAT,
							     (int)w, (int)h);
		char *caps_s = gst_caps_to_string(caps);

		if (!chain)
			return 1;
		printf("%s\n%s\n", chain, caps_s);
		g_free(chain);
		g_free(caps_s);
		gst_caps_unref(caps);
		return 0;
	}

	pool = calloc(k, sizeof(*pool));
	if (!pool || !draw_pool(pool, k, w, h))
		return 1;
	if (frames_dir)
		return write_frames(pool, k, frames_dir) ? 0 : 1;

	sink.eventfd = eventfd(0, EFD_CLOEXEC);
	if (sink.eventfd < 0) {
		perror("vp-encode-bench: eventfd");
		return 1;
	}
	if (output && !(sink.out = fopen(output, "wb"))) {
		fprintf(stderr, "vp-encode-bench: %s: %s\n", output,
			strerror(errno));
		return 1;
	}
	stream = enc_stream_create("bench", enc, NULL);
	if (!stream)
		return 1;
	consumer = consumer_create(stream, &sink);
	if (!consumer)
		return 1;
	/* the keyframe the new consumer asked for goes with frame 0 */
	enc_stream_dispatch(stream);

	cpu0 = cpu_s();
	ok = encode(stream, &sink, pool, k, w, h, n);
	enc_stream_get_stats(stream, &stats);
	printf("vp-encode-bench: %ux%u: %llu frames in, %llu encoded "
	       "(%llu keyframes, %llu bytes); %.1f us CPU a frame while "
	       "encoding\n",
	       w, h, (unsigned long long)stats.frames_in,
	       (unsigned long long)stats.frames_out,
	       (unsigned long long)stats.keyframes,
	       (unsigned long long)stats.bytes_out,
	       (cpu_s() - cpu0) * 1e6 / (double)n);

	enc_stream_destroy(stream);
	gst_element_set_state(consumer, GST_STATE_NULL);
	gst_object_unref(consumer);
	if (sink.out && (fclose(sink.out) != 0 || sink.write_failed)) {
		fprintf(stderr, "vp-encode-bench: cannot write %s\n", output);
		ok = false;
	}
	close(sink.eventfd);
	for (unsigned int i = 0; i < k; i++)
		close(pool[i].fd);
	free(pool);
	if (ok && stats.frames_out != n) {
		fprintf(stderr,
			"vp-encode-bench: %llu frames encoded, not %lu\n",
			(unsigned long long)stats.frames_out, n);
		ok = false;
	}
	return ok ? 0 : 1;
}
