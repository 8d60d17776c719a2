// SPDX-License-Identifier: MIT
/*
 * The first WebRTC viewer of a head gets its offer: a peer attached to a
 * stream that has encoded nothing yet (vplaned starts the head's encoder
 * for its first viewer, seconds later under load) is offered once the
 * first frames are encoded, however late; and a viewer of a stream
 * already flowing is offered too. The real x264 encoder and webrtcbin;
 * skips (77) if x264enc is not installed.
 */
#include <string.h>

#include "../../server/libvplane/tests/check.h"
#include "encoder_select.h"
#include "stream_consumer.h"
#include "stream_fixture.h"
#include "webrtc_peer.h"

#define W 160
#define H 120

struct viewer {
	bool offered;
	bool ended;
	char reason[128];
};

static void handle_send(void *data, const char *json)
{
	struct viewer *v = data;

	if (strstr(json, "\"offer\""))
		v->offered = true;
}

static void handle_ended(void *data, const char *reason)
{
	struct viewer *v = data;

	v->ended = true;
	g_strlcpy(v->reason, reason, sizeof(v->reason));
}

static const struct enc_webrtc_peer_callbacks callbacks = {
	.send = handle_send,
	.ended = handle_ended,
};

/* @ms of the main context's and the stream's events, with a frame every
 * 40 ms if @frames; stops early once @v is offered or ended. */
static void run(struct enc_stream *stream, struct fixture_frame *f, bool frames,
		struct viewer *v, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	bool key = false;
	int i = 0;

	while (g_get_monotonic_time() < end &&
	       !(v && (v->offered || v->ended))) {
		while (g_main_context_iteration(NULL, FALSE))
			;
		key |= fixture_pump(stream, 0);
		if (frames && !f->held) {
			f->px[i++ % (W * 4 * H)] ^= 0xff;
			f->held = enc_stream_push(stream, &f->frame, key);
			key = false;
		}
		key |= fixture_pump(stream, 40);
	}
}

/* A viewer attached now: offered within @ms, frames flowing from @late_ms
 * on (0: at once). */
static bool offered(struct enc_stream *stream, struct fixture_frame *f,
		    const char *name, int late_ms, int ms)
{
	struct viewer v = { 0 };
	struct enc_webrtc_peer *peer = enc_webrtc_peer_create(
		name, stream, "127.0.0.1", g_main_context_default(), &callbacks,
		&v);
	gint64 start = g_get_monotonic_time();

	if (!peer)
		return false;
	if (late_ms)
		run(stream, f, false, &v, late_ms);
	run(stream, f, true, &v, ms);
	fprintf(stderr, "%s: %s after %lld ms%s%s\n", name,
		v.offered ? "offered" : "no offer",
		(long long)(g_get_monotonic_time() - start) / 1000,
		v.ended ? ", ended: " : "", v.ended ? v.reason : "");
	enc_webrtc_peer_destroy(peer);
	while (g_main_context_iteration(NULL, FALSE))
		;
	return v.offered;
}

int main(void)
{
	const struct enc_encoder_candidate *x264 = enc_encoder_find("x264enc");
	struct enc_stream *stream;
	struct fixture_frame f;
	gint64 start;

	gst_init(NULL, NULL);
	if (fixture_x264_missing())
		return 77;
	CHECK(fixture_frame_init(&f, W, H, 0x20));
	stream = enc_stream_create("first-offer", x264, NULL);
	CHECK(stream);
	if (!stream)
		return check_result("webrtc-first-offer");
	/* as vplaned does at start-up: the first offer costs no key */
	start = g_get_monotonic_time();
	enc_webrtc_peer_warm_up();
	fprintf(stderr, "warm-up: %lld ms\n",
		(long long)(g_get_monotonic_time() - start) / 1000);
	/* the first viewer of a head whose encoder starts 3 s later */
	CHECK(offered(stream, &f, "first", 3000, 15000));
	/* a later one, frames flowing */
	CHECK(offered(stream, &f, "second", 0, 15000));
	while (f.held)
		fixture_pump(stream, 100);
	enc_stream_destroy(stream);
	return check_result("webrtc-first-offer");
}
