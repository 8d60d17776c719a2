/* SPDX-License-Identifier: MIT */
/*
 * The WebRTC transport: an HTTP server (libsoup 3) that serves a small
 * viewer page at /, and a WebSocket at /ws/<vgpu>/<head> over which
 * each viewer negotiates its own webrtcbin (DTLS-SRTP) fed from that
 * head's vp_stream: one encoder however many viewers, one leaky
 * consumer per viewer, so a slow viewer drops its own frames and stalls
 * no one else. Open http://ADDRESS:PORT/?token=TOKEN#<vgpu>/<head>.
 *
 * Access: a token from a file (mode 0600/0640, see token.h) must come
 * in the query of the page and of the WebSocket; without it both get
 * 401 and no media is ever negotiated. Each token watches the vGPUs of
 * its line (token.h); a head it may not watch is refused exactly as a
 * head that does not exist. Wrong tokens are slowed down per address
 * (throttle.h).
 *
 * ICE: host candidates only, no STUN/TURN. A specific bind address
 * (the default 127.0.0.1) is also the only media address offered, so
 * loopback works on a machine with no other interface; 0.0.0.0 offers
 * every interface's address.
 *
 * Threading as in rtsp.h: the HTTP server, signalling and every
 * viewer's pipeline bus run on the transport's own GMainContext in its
 * own thread; the crossings are the vp_stream consumer API and the
 * path table (under a mutex).
 *
 * No GStreamer types here: vplaned's server files include it.
 */
#ifndef VP_WEBRTC_H
#define VP_WEBRTC_H

#include <stdbool.h>

struct vp_webrtc;
struct vp_stream;

#define VP_WEBRTC_DEFAULT_ADDRESS "127.0.0.1"
#define VP_WEBRTC_DEFAULT_PORT	  8080

struct vp_webrtc_options {
	const char *address;	/* bind address (borrowed) */
	unsigned int port;	/* 0: any free port */
	const char *token_file; /* the viewers' token (borrowed) */
};

/*
 * Load the token, bind, start the thread. NULL after logging a
 * one-line reason (no token file, token refused, address in use, ...).
 */
struct vp_webrtc *vp_webrtc_create(const struct vp_webrtc_options *options);

/* Close every viewer, stop the thread. NULL is a no-op. */
void vp_webrtc_destroy(struct vp_webrtc *webrtc);

/* The port actually bound (useful with port 0). */
unsigned int vp_webrtc_get_port(struct vp_webrtc *webrtc);

/*
 * Serve @stream (a reference is taken) at @path ("/<vgpu>/<head>",
 * borrowed). False after logging.
 */
bool vp_webrtc_add(struct vp_webrtc *webrtc, const char *path,
		   struct vp_stream *stream);

/* Stop serving @path: new viewers get 404; viewers already watching end
 * when the stream is destroyed. */
void vp_webrtc_remove(struct vp_webrtc *webrtc, const char *path);

#endif /* VP_WEBRTC_H */
