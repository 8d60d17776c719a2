// SPDX-License-Identifier: MIT
/*
 * vp-stream-feed: vplaned's streaming path on the host, without a vGPU.
 * Draws the simulator's stamped test pattern (examples/vgpu-sim/draw.c)
 * into two memfds and hands them to a enc_stream served over RTSP
 * exactly as vplaned hands the guest's dma-bufs (a memfd takes the same
 * GstFdMemory path), playing the guest: a buffer is drawn again only
 * after GStreamer released it. Pull it with any RTSP client:
 *
 *   vp-stream-feed --size 320x240 --rate 10 --no-auth &
 *   ffmpeg -rtsp_transport tcp -i rtsp://127.0.0.1:8554/feed/0 ...
 *
 * --webrtc-token FILE also serves it to browsers as vplaned --webrtc does
 * (http://127.0.0.1:8080/?token=TOKEN#feed/0; --webrtc-port N).
 * --dump FILE writes the encoded stream as the consumers get it,
 * --record FILE records it as vplaned's --record does. Runs
 * until interrupted (or --seconds); prints frames drawn, pushed and
 * encoded.
 */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "../../examples/vgpu-sim/draw.h"
#include "encoder_probe.h"
#include "monotonic.h"
#include "recording.h"
#include "rtsp.h"
#include "webrtc.h"
#include "stream_consumer.h"

#define PATH "/feed/0"

struct buf {
	int fd;
	struct sim_fb fb;
	bool held; /* GStreamer has it */
};

static volatile sig_atomic_t stop;

static void handle_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void release(void *data)
{
	((struct buf *)data)->held = false;
}

static bool buf_init(struct buf *b, uint32_t w, uint32_t h)
{
	size_t size = (size_t)w * 4 * h;

	/* every field set here: the buffers live on main's stack, and a
	 * stale .held would make the loop wait for a release that never
	 * comes */
	*b = (struct buf){ .fd = memfd_create("frame", MFD_CLOEXEC) };
	if (b->fd < 0 || ftruncate(b->fd, (off_t)size) < 0) {
		perror("memfd");
		return false;
	}
	b->fb = (struct sim_fb){ .width = w,
				 .height = h,
				 .stride = w * 4,
				 .format = DRM_FORMAT_XRGB8888 };
	b->fb.data =
		mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	if (b->fb.data == MAP_FAILED) {
		perror("mmap");
		return false;
	}
	return true;
}

static struct enc_recording *recording;
static struct enc_record_dir *record_dir;

/* Dispatch the stream's releases (and the recording's work) for up to
 * @ms; true if a keyframe was asked for. */
static bool pump(struct enc_stream *stream, int ms)
{
	struct pollfd pfd[2] = {
		{ .fd = enc_stream_get_fd(stream), .events = POLLIN },
		{ .fd = recording ? enc_recording_get_fd(recording) : -1,
		  .events = POLLIN },
	};

	if (poll(pfd, 2, ms) <= 0)
		return false;
	if (pfd[1].revents & POLLIN)
		enc_recording_dispatch(recording);
	if (pfd[0].revents & POLLIN)
		return enc_stream_dispatch(stream);
	return false;
}

static void buf_finish(struct buf *b)
{
	munmap(b->fb.data, (size_t)b->fb.stride * b->fb.height);
	close(b->fd);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vp-stream-feed [--size WxH] [--rate FPS] [--port N] "
		"[--seconds S] [--encoder NAME]\n"
		"                      [--chroma444] [--dump FILE.h264] "
		"[--record FILE.mkv]\n"
		"                      [--resize-at FRAME:WxH] "
		"[--webrtc-token FILE [--webrtc-port N]]\n"
		"                      [--tls-cert FILE --tls-key FILE] "
		"[--idle-timeout S] [--max-clients N]\n"
		"                      (--no-auth | --credentials FILE)\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 't' },
		{ "encoder", required_argument, NULL, 'e' },
		{ "credentials", required_argument, NULL, 'c' },
		{ "no-auth", no_argument, NULL, 'n' },
		{ "dump", required_argument, NULL, 'd' },
		{ "chroma444", no_argument, NULL, '4' },
		{ "record", required_argument, NULL, 'R' },
		{ "resize-at", required_argument, NULL, 'z' },
		{ "webrtc-token", required_argument, NULL, 'W' },
		{ "webrtc-port", required_argument, NULL, 'P' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "idle-timeout", required_argument, NULL, 'I' },
		{ "max-clients", required_argument, NULL, 'M' },
		{ 0 },
	};
	struct enc_rtsp_options ro = { .address = ENC_RTSP_DEFAULT_ADDRESS,
				       .port = ENC_RTSP_DEFAULT_PORT };
	struct enc_stream_options so = { 0 };
	struct enc_webrtc_options wo = { .address = ENC_WEBRTC_DEFAULT_ADDRESS,
					 .port = ENC_WEBRTC_DEFAULT_PORT };
	struct enc_webrtc *webrtc = NULL;
	const char *forced = NULL, *dump = NULL, *record = NULL;
	unsigned int resize_at = 0, w2 = 0, h2 = 0;
	GstElement *dump_pipe = NULL;
	unsigned int w = 320, h = 240, seconds = 0;
	double rate = 10;
	const struct enc_encoder_candidate *enc;
	struct sigaction sa = { .sa_handler = handle_signal };
	struct enc_stream_stats stats;
	struct enc_stream *stream;
	struct enc_rtsp *rtsp;
	struct buf bufs[2] = { 0 };
	unsigned long drawn = 0, pushed = 0, waits = 0;
	unsigned int back = 0;
	bool key = false; /* a consumer asked for one */
	uint64_t start, period, end;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (sscanf(optarg, "%ux%u", &w, &h) != 2 || w < 64 ||
			    h < 64 || w > 8192 || h > 8192) {
				usage();
				return 2;
			}
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 'p':
			ro.port = (unsigned int)atoi(optarg);
			break;
		case 't':
			seconds = (unsigned int)atoi(optarg);
			break;
		case 'e':
			forced = optarg;
			break;
		case 'c':
			ro.credentials_file = optarg;
			break;
		case 'n':
			ro.no_auth = true;
			break;
		case 'd':
			dump = optarg;
			break;
		case '4':
			so.chroma444 = true;
			break;
		case 'R':
			record = optarg;
			break;
		case 'W':
			wo.token_file = optarg;
			break;
		case 'P':
			wo.port = (unsigned int)atoi(optarg);
			break;
		case 'C': /* RTSPS and HTTPS, as vplaned's --*-tls-cert */
			ro.tls_cert_file = optarg;
			wo.tls_cert_file = optarg;
			break;
		case 'K':
			ro.tls_key_file = optarg;
			wo.tls_key_file = optarg;
			break;
		case 'I': /* the listeners' idle timeouts (tests) */
			ro.limits.idle_timeout_s = (unsigned int)atoi(optarg);
			wo.limits.idle_timeout_s = ro.limits.idle_timeout_s;
			break;
		case 'M': /* the listeners' connection caps (tests) */
			ro.limits.max_clients = (unsigned int)atoi(optarg);
			wo.limits.max_clients = ro.limits.max_clients;
			break;
		case 'z':
			/* the guest sets another mode at that frame */
			if (sscanf(optarg, "%u:%ux%u", &resize_at, &w2, &h2) !=
				    3 ||
			    w2 < 64 || h2 < 64 || w2 > 8192 || h2 > 8192) {
				usage();
				return 2;
			}
			break;
		default:
			usage();
			return 2;
		}
	}
	if (rate <= 0 || rate > 1000) {
		usage();
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* as vplaned: a viewer gone mid-write costs its connection only */
	signal(SIGPIPE, SIG_IGN);

	enc = enc_encoder_choose(ENC_CODEC_H264, forced);
	if (!enc)
		return 1;
	rtsp = enc_rtsp_create(&ro);
	if (!rtsp)
		return 1;
	stream = enc_stream_create(PATH, enc, &so);
	if (!stream)
		return 1;
	enc_rtsp_add(rtsp, PATH, stream);
	if (wo.token_file) {
		webrtc = enc_webrtc_create(&wo);
		if (!webrtc)
			return 1;
		enc_webrtc_add(webrtc, PATH, stream);
	}
	if (dump) {
		/* the encoded stream as the consumers get it, to a file */
		GstElement *src = gst_element_factory_make("appsrc", NULL);
		GstElement *sink = gst_element_factory_make("filesink", NULL);

		dump_pipe = gst_pipeline_new("dump");
		gst_bin_add_many(GST_BIN(dump_pipe), src, sink, NULL);
		gst_element_link(src, sink);
		g_object_set(sink, "location", dump, "sync", FALSE, NULL);
		enc_stream_attach(stream, GST_APP_SRC(src));
		gst_element_set_state(dump_pipe, GST_STATE_PLAYING);
	}
	if (record) {
		/* the file's directory as the record directory, as
		 * vplaned's --record-dir (default bounds) */
		gchar *dir_path = g_path_get_dirname(record);
		gchar *name = g_path_get_basename(record);
		char why[320];

		record_dir = enc_record_dir_create(
			dir_path, &(struct enc_record_limits){ 0 });
		if (record_dir)
			recording = enc_recording_create(stream, record_dir,
							 name, NULL, NULL, why,
							 sizeof(why));
		g_free(dir_path);
		g_free(name);
		if (!recording)
			return 1;
	}
	if (!buf_init(&bufs[0], w, h) || !buf_init(&bufs[1], w, h))
		return 1;
	printf("vp-stream-feed: rtsp://%s:%u%s\n", ro.address,
	       enc_rtsp_get_port(rtsp), PATH);
	fflush(stdout);

	period = (uint64_t)(1e9 / rate);
	start = monotonic_ns();
	end = seconds ? start + seconds * 1000000000ull : 0;
	for (uint32_t frame = 0; !stop; frame++) {
		uint64_t next = start + (frame + 1) * period, now;
		struct buf *b = &bufs[back];

		if (resize_at && frame == resize_at) {
			while ((bufs[0].held || bufs[1].held) && !stop)
				key |= pump(stream, 100);
			buf_finish(&bufs[0]);
			buf_finish(&bufs[1]);
			w = w2;
			h = h2;
			if (!buf_init(&bufs[0], w, h) ||
			    !buf_init(&bufs[1], w, h))
				return 1;
		}
		/* the guest draws into a buffer only once it is free */
		while (b->held && !stop) {
			key |= pump(stream, 100);
			waits++;
		}
		sim_draw_frame(&b->fb, frame, monotonic_ns(), 0);
		drawn++;
		struct enc_frame f = {
			.fd = b->fd,
			.memory = ENC_FRAME_MEMFD,
			.drm_format = b->fb.format,
			.width = w,
			.height = h,
			.stride = b->fb.stride,
			.size = (size_t)b->fb.stride * h,
			.release = release,
			.data = b,
		};
		if (enc_stream_push(stream, &f, key)) {
			b->held = true;
			pushed++;
			key = false;
		}
		back ^= 1;
		/* a keyframe asked for meanwhile goes with the next frame */
		while ((now = monotonic_ns()) < next && !stop)
			key |= pump(stream, (int)((next - now) / 1000000) + 1);
		if (end && now >= end)
			break;
	}
	enc_stream_get_stats(stream, &stats);
	printf("vp-stream-feed: %lu frames drawn, %lu pushed, %llu encoded, "
	       "%lu waits for a buffer\n",
	       drawn, pushed, (unsigned long long)stats.frames_out, waits);
	enc_recording_destroy(recording);
	enc_record_dir_destroy(record_dir);
	enc_rtsp_remove(rtsp, PATH);
	if (webrtc)
		enc_webrtc_remove(webrtc, PATH);
	enc_stream_destroy(stream);
	if (dump_pipe) {
		/* the stream's end reached the dump (its appsrc got EOS):
		 * only then is the file whole; closing it flushes the
		 * last frames filesink still buffers */
		GstBus *bus = gst_element_get_bus(dump_pipe);
		GstMessage *msg = gst_bus_timed_pop_filtered(
			bus, 10 * GST_SECOND,
			(GstMessageType)(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));

		if (!msg || GST_MESSAGE_TYPE(msg) != GST_MESSAGE_EOS)
			fprintf(stderr,
				"vp-stream-feed: the dump %s may "
				"be incomplete (no end of stream)\n",
				dump);
		if (msg)
			gst_message_unref(msg);
		gst_object_unref(bus);
		gst_element_set_state(dump_pipe, GST_STATE_NULL);
		gst_object_unref(dump_pipe);
	}
	enc_webrtc_destroy(webrtc);
	enc_rtsp_destroy(rtsp);
	return 0;
}
