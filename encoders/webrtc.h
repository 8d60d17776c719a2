/* SPDX-License-Identifier: MIT */
/*
 * The WebRTC transport: an HTTP server (libsoup 3) that serves a small
 * viewer page at /, and a WebSocket at /ws/<vgpu>/<head> over which
 * each viewer negotiates its own webrtcbin (DTLS-SRTP) fed from that
 * head's enc_stream: one encoder however many viewers, one leaky
 * consumer per viewer, so a slow viewer drops its own frames and stalls
 * no one else. Open http://ADDRESS:PORT/?token=TOKEN#<vgpu>/<head>
 * (https:// with a certificate: the page and its WebSocket are then
 * TLS only, the same certificate options as RTSPS).
 *
 * Access: a token from a file (mode 0600/0640, see token.h) opens the
 * page (query or "Authorization: Bearer"); the page drops it from the
 * address bar, and its WebSocket authenticates with the HttpOnly,
 * SameSite=Strict cookie the page set (or the Bearer header), so no
 * token travels in a WebSocket URL; without it both get 401 and no
 * media is ever negotiated. A WebSocket whose Origin is not this
 * server's gets 403; every response says Referrer-Policy: no-referrer;
 * the token is never logged. Each token watches the vGPUs of its line
 * (token.h); a head it may not watch is refused exactly as a head that
 * does not exist. Wrong tokens are slowed down per address
 * (throttle.h).
 *
 * Bounds (net_limits.h): HTTP connections in total and per address,
 * idle and half-sent ones time out, an unanswered offer ends its
 * viewer, viewers per head and in total; the accept loop backs off at
 * the descriptor limit.
 *
 * ICE: host candidates only, no STUN/TURN. A specific bind address
 * (the default 127.0.0.1) is also the only media address offered, so
 * loopback works on a machine with no other interface; 0.0.0.0 offers
 * every interface's address.
 *
 * Input: a viewer whose token says "control" (token.h) is offered a
 * data channel for its keyboard and pointer (webrtc_peer.h,
 * input_message.h); its validated events go to options->input. A
 * view-only viewer is offered none, and is logged as such once.
 *
 * Threading as in rtsp.h: the HTTP server, signalling and every
 * viewer's pipeline bus run on the transport's own GMainContext in its
 * own thread; the crossings are the enc_stream consumer API and the
 * path table (under a mutex).
 *
 * No GStreamer types here: vplaned's server files include it.
 */
#ifndef ENC_WEBRTC_H
#define ENC_WEBRTC_H

#include <stdbool.h>

#include "input_message.h"
#include "net_limits.h"

struct enc_webrtc;
struct enc_stream;

#define ENC_WEBRTC_DEFAULT_ADDRESS		"127.0.0.1"
#define ENC_WEBRTC_DEFAULT_PORT			8080
/* each viewer is a webrtcbin pipeline (about 8 threads and 20 fds) */
#define ENC_WEBRTC_DEFAULT_MAX_VIEWERS		16
#define ENC_WEBRTC_DEFAULT_MAX_VIEWERS_PER_HEAD 8

/*
 * Where control viewers' input goes. @event runs on the transport's
 * threads (any), one viewer's events in the order they came, and must
 * not block (post to your own loop). @viewer is a number unique for
 * the transport's life, @path the head's "/<vgpu>/<head>", @name the
 * viewer for logs (both borrowed for the call). @event NULL: the
 * viewer is gone (its WebSocket or channel closed, the stream ended):
 * release what it holds and forget it; nothing of it comes after.
 */
struct enc_webrtc_input {
	void (*event)(void *data, unsigned int viewer, const char *path,
		      const char *name, const struct enc_input_event *event);
	void *data;
};

struct enc_webrtc_options {
	const char *address;	/* bind address (borrowed) */
	unsigned int port;	/* 0: any free port */
	const char *token_file; /* the viewers' token (borrowed) */
	/* PEM certificate and key (borrowed), both or neither: with them
	 * the page and its WebSocket are https:// and wss:// only */
	const char *tls_cert_file, *tls_key_file;
	struct enc_net_limits limits; /* HTTP connections; zeros: defaults */
	/* viewers (WebSockets with a pipeline) in all and of one head;
	 * 0: the defaults; more are closed with code 4404 */
	unsigned int max_viewers, max_viewers_per_head;
	/* NULL event: nobody may control (every viewer is view only) */
	struct enc_webrtc_input input;
};

/*
 * Load the token, bind, start the thread. NULL after logging a
 * one-line reason (no token file, token refused, address in use, ...).
 */
struct enc_webrtc *enc_webrtc_create(const struct enc_webrtc_options *options);

/* Close every viewer, stop the thread. NULL is a no-op. */
void enc_webrtc_destroy(struct enc_webrtc *webrtc);

/*
 * Serve @stream (a reference is taken) at @path ("/<vgpu>/<head>",
 * borrowed), in place of what was served there.
 */
void enc_webrtc_add(struct enc_webrtc *webrtc, const char *path,
		    struct enc_stream *stream);

/* Stop serving @path: new viewers get 404; viewers already watching end
 * when the stream is destroyed. */
void enc_webrtc_remove(struct enc_webrtc *webrtc, const char *path);

#endif /* ENC_WEBRTC_H */
