// SPDX-License-Identifier: MIT
/*
 * One head's trouble never delays another head's RTSP clients. Three
 * heads on one real RTSP server (encoders/rtsp.c, gst-rtsp-server, x264):
 * /a/0 streams 320x240, /odd/0 streams an odd mode (321x241, which x264
 * refuses as such), /idle/0 never gets a frame (a head with nothing to
 * show). A client DESCRIBEs /idle/0 first, then others DESCRIBE /a/0 and
 * /odd/0 over their own connections, on the wire (plain sockets, as any
 * RTSP client). Every answer must come promptly: the idle head's
 * with 503 (nothing to describe yet), the streaming heads' with
 * an SDP. Skips (77) if x264enc is not installed.
 */
#include <netinet/in.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <gst/gst.h>

#include "../../server/libvplane/tests/check.h"
#include "encoder_select.h"
#include "rtsp.h"
#include "stream.h"

/* the streaming heads' first answer: an encoded keyframe under load */
#define STREAM_ANSWER_MS 6000
/* the idle head's answer: nothing to wait for */
#define IDLE_ANSWER_MS	 3000

struct head {
	const char *path;
	uint32_t w, h;
	struct enc_stream *stream;
	int fd;
	uint8_t *px;
	size_t size;
	bool held;
};

struct client {
	const char *path;
	int sock;
	gint64 sent_us, answered_us;
	int status;
	char reply[4096];
	size_t len;
};

static void release(void *data)
{
	((struct head *)data)->held = false;
}

static bool head_init(struct head *h, const char *path, uint32_t w, uint32_t hh,
		      const struct enc_encoder_candidate *enc)
{
	h->path = path;
	h->w = w;
	h->h = hh;
	h->size = (size_t)w * 4 * hh;
	h->fd = memfd_create("frame", MFD_CLOEXEC);
	if (h->fd < 0 || ftruncate(h->fd, (off_t)h->size) < 0)
		return false;
	h->px = mmap(NULL, h->size, PROT_READ | PROT_WRITE, MAP_SHARED, h->fd,
		     0);
	if (h->px == MAP_FAILED)
		return false;
	memset(h->px, 0x80, h->size);
	h->stream = enc_stream_create(path, enc, NULL);
	return h->stream != NULL;
}

/* The guest flips: push the frame unless GStreamer still has it. */
static void head_flip(struct head *h, bool key, unsigned int n)
{
	struct enc_frame f = {
		.fd = h->fd,
		.memory = ENC_FRAME_MEMFD,
		.drm_format = DRM_FORMAT_XRGB8888,
		.width = h->w,
		.height = h->h,
		.stride = h->w * 4,
		.size = h->size,
		.release = release,
		.data = h,
	};

	if (h->held)
		return;
	h->px[n % h->size] ^= 0xff;
	h->held = enc_stream_push(h->stream, &f, key);
}

static void client_send(struct client *c, unsigned int port, const char *path)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char req[512];
	int n;

	c->path = path;
	c->sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(c->sock >= 0);
	CHECK(connect(c->sock, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	n = snprintf(req, sizeof(req),
		     "DESCRIBE rtsp://127.0.0.1:%u%s RTSP/1.0\r\n"
		     "CSeq: 1\r\nAccept: application/sdp\r\n\r\n",
		     port, path);
	CHECK(write(c->sock, req, (size_t)n) == n);
	c->sent_us = g_get_monotonic_time();
}

/* Read what is there; the status once the header is complete. */
static void client_read(struct client *c)
{
	ssize_t n =
		read(c->sock, c->reply + c->len, sizeof(c->reply) - 1 - c->len);

	if (n <= 0) {
		if (!c->answered_us) {
			c->answered_us = g_get_monotonic_time();
			c->status = -1; /* closed */
		}
		return;
	}
	c->len += (size_t)n;
	c->reply[c->len] = 0;
	if (!c->answered_us && strstr(c->reply, "\r\n\r\n")) {
		c->answered_us = g_get_monotonic_time();
		if (sscanf(c->reply, "RTSP/1.0 %d", &c->status) != 1)
			c->status = -2;
	}
}

static long answer_ms(const struct client *c)
{
	return c->answered_us ? (long)((c->answered_us - c->sent_us) / 1000)
			      : -1;
}

int main(void)
{
	const struct enc_encoder_candidate *x264 = enc_encoder_find("x264enc");
	struct enc_rtsp_options ro = { .address = "127.0.0.1",
				       .port = 0,
				       .no_auth = true };
	struct head heads[3] = { 0 }, *a = &heads[0], *odd = &heads[1],
		    *idle = &heads[2];
	struct client clients[3] = { 0 }, *ci = &clients[0], *ca = &clients[1],
		      *co = &clients[2];
	GstElementFactory *factory;
	struct enc_rtsp *rtsp;
	unsigned int port, tick = 0;
	gint64 start, next_flip;
	bool key[3] = { false };

	gst_init(NULL, NULL);
	factory = gst_element_factory_find("x264enc");
	if (!factory) {
		fprintf(stderr, "x264enc not installed: skip\n");
		return 77;
	}
	gst_object_unref(factory);

	rtsp = enc_rtsp_create(&ro);
	CHECK(rtsp);
	if (!rtsp)
		return check_result("rtsp-describe");
	port = enc_rtsp_get_port(rtsp);
	CHECK(head_init(a, "/a/0", 320, 240, x264));
	CHECK(head_init(odd, "/odd/0", 321, 241, x264));
	CHECK(head_init(idle, "/idle/0", 320, 240, x264));
	if (check_failures)
		return check_result("rtsp-describe");
	for (int i = 0; i < 3; i++)
		enc_rtsp_add(rtsp, heads[i].path, heads[i].stream);

	start = g_get_monotonic_time();
	next_flip = start;
	while (g_get_monotonic_time() - start < 25 * G_USEC_PER_SEC) {
		struct pollfd pfd[6];
		gint64 now = g_get_monotonic_time();
		int n = 0;

		/* the idle head's viewer first, the others right after */
		if (!ci->sock && now - start > 300 * 1000)
			client_send(ci, port, idle->path);
		if (!ca->sock && now - start > 600 * 1000) {
			client_send(ca, port, a->path);
			client_send(co, port, odd->path);
		}
		if (ca->answered_us && co->answered_us && ci->answered_us)
			break;
		/* the streaming heads flip at 10 Hz; the idle one never */
		if (now >= next_flip) {
			head_flip(a, key[0], tick);
			head_flip(odd, key[1], tick);
			key[0] = key[1] = false;
			tick++;
			next_flip += 100 * 1000;
		}
		for (int i = 0; i < 3; i++)
			pfd[n++] = (struct pollfd){ .fd = enc_stream_get_fd(
							    heads[i].stream),
						    .events = POLLIN };
		for (int i = 0; i < 3; i++)
			pfd[n++] = (struct pollfd){
				.fd = clients[i].sock > 0 &&
						      !clients[i].answered_us
					      ? clients[i].sock
					      : -1,
				.events = POLLIN
			};
		if (poll(pfd, (nfds_t)n, 20) <= 0)
			continue;
		for (int i = 0; i < 3; i++)
			if (pfd[i].revents & POLLIN)
				key[i] |= enc_stream_dispatch(heads[i].stream);
		for (int i = 0; i < 3; i++)
			if (pfd[3 + i].revents & (POLLIN | POLLHUP | POLLERR))
				client_read(&clients[i]);
	}
	for (int i = 0; i < 3; i++)
		fprintf(stderr, "DESCRIBE %s: status %d after %ld ms\n",
			clients[i].path, clients[i].status,
			answer_ms(&clients[i]));
	/* nothing to show: an error at once, not a wait for a frame */
	CHECK(ci->answered_us && answer_ms(ci) < IDLE_ANSWER_MS);
	CHECK(ci->status == 503);
	/* not delayed by it; the odd mode streams too */
	CHECK(ca->answered_us && answer_ms(ca) < STREAM_ANSWER_MS);
	CHECK(ca->status == 200);
	CHECK(co->answered_us && answer_ms(co) < STREAM_ANSWER_MS);
	CHECK(co->status == 200);

	for (int i = 0; i < 3; i++)
		close(clients[i].sock);
	for (int i = 0; i < 3; i++)
		enc_rtsp_remove(rtsp, heads[i].path);
	enc_rtsp_destroy(rtsp);
	for (int i = 0; i < 3; i++) {
		enc_stream_destroy(heads[i].stream);
		munmap(heads[i].px, heads[i].size);
		close(heads[i].fd);
	}
	return check_result("rtsp-describe");
}
