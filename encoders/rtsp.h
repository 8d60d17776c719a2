/* SPDX-License-Identifier: MIT */
/*
 * The RTSP server (gst-rtsp-server): one mount per streamed head,
 * rtsp://ADDRESS:PORT/<vgpu>/<head>, each a shared media fed by that
 * head's enc_stream (one encoder however many viewers). Digest
 * authentication is required unless explicitly turned off; each viewer
 * watches the vGPUs its credentials line names, and a path it may not
 * watch is answered as a missing one (404) before any lookup. Wrong
 * credentials are slowed down per address (throttle.h). With a
 * certificate and key the same URLs are rtsps:// (TLS) and nothing else:
 * a plain RTSP client's connection fails its handshake, and media go
 * only interleaved in the TLS connection (a SETUP for UDP gets 461).
 * Plain RTSP offers UDP unicast and interleaved TCP. Connections are
 * bounded and time out (net_limits.h).
 *
 * Threading: the server runs on its own GMainContext in its own thread.
 * Integrating the GMainContext's fds into vplaned's wl_event_loop would
 * need a prepare/query/check/dispatch cycle around every wl_event_loop
 * wait, which wl_event_loop has no hook for, and it would put RTSP
 * request handling (digest checks, SDP, socket writes to slow clients)
 * on the compositor's thread. On its own thread nothing RTSP does can
 * delay a frame; the only crossings are thread-safe by construction:
 * the enc_stream consumer API (mutex + mailbox) and GstRTSPMountPoints
 * (internally locked).
 *
 * No GStreamer types here: vplaned's server files include it.
 */
#ifndef ENC_RTSP_H
#define ENC_RTSP_H

#include <stdbool.h>

#include "net_limits.h"

struct enc_rtsp;
struct enc_stream;

#define ENC_RTSP_DEFAULT_ADDRESS "127.0.0.1"
#define ENC_RTSP_DEFAULT_PORT	 8554

struct enc_rtsp_options {
	const char *address; /* bind address (borrowed) */
	unsigned int port;   /* 0: any free port */
	/* viewers, "[VGPUS ]user:password" or htdigest lines
	 * (credentials.h; borrowed) */
	const char *credentials_file;
	bool no_auth; /* anyone may watch (explicit only) */
	/* PEM certificate and private key (borrowed): both or neither;
	 * with them the server speaks RTSPS (RTSP over TLS) only */
	const char *tls_cert_file, *tls_key_file;
	struct enc_net_limits limits; /* zeros: the defaults */
};

/*
 * Load the credentials (and the TLS identity), bind, start the thread.
 * NULL after logging a one-line reason (credentials refused, a key not
 * the certificate's, address in use, ...).
 */
struct enc_rtsp *enc_rtsp_create(const struct enc_rtsp_options *options);

/* Close every client, stop the thread. NULL is a no-op. */
void enc_rtsp_destroy(struct enc_rtsp *rtsp);

/* The port actually bound (useful with port 0). */
unsigned int enc_rtsp_get_port(struct enc_rtsp *rtsp);

/*
 * Serve @stream (a reference is taken) at @path ("/<vgpu>/<head>",
 * borrowed), in place of what was served there.
 */
void enc_rtsp_add(struct enc_rtsp *rtsp, const char *path,
		  struct enc_stream *stream);

/* Stop serving @path: new requests get 404; media already playing ends
 * when its stream is destroyed. */
void enc_rtsp_remove(struct enc_rtsp *rtsp, const char *path);

#endif /* ENC_RTSP_H */
