/* SPDX-License-Identifier: MIT */
/*
 * vplaned's streaming: the encoder chosen once at start (probed, see
 * encoders/encoder_probe.h), the RTSP server, and one vpd_output_stream
 * per headless output showing a vGPU head, served at
 * rtsp://ADDRESS:PORT/<vgpu>/<head> and, with --webrtc, to browsers at
 * http://ADDRESS:PORT/?token=TOKEN#<vgpu>/<head>. Only this file,
 * output_stream.c and viewer_input.c (control viewers' input) talk to
 * encoders/.
 */
#ifndef VPD_STREAMING_H
#define VPD_STREAMING_H

struct vpd_server;
struct vpd_output;
struct enc_rtsp;
struct enc_webrtc;
struct enc_encoder_candidate;
struct enc_record_dir;
struct vpd_viewer_input;

struct vpd_streaming {
	struct vpd_server *server;
	const struct enc_encoder_candidate *encoder; /* static */
	struct enc_rtsp *rtsp;			     /* owned */
	struct enc_webrtc *webrtc; /* owned; NULL without --webrtc */
	/* owned; NULL without --webrtc: control viewers' input */
	struct vpd_viewer_input *viewer_input;
	/* owned; NULL without --record-dir: nothing is recorded */
	struct enc_record_dir *record_dir;
};

/*
 * Choose the encoder and start the RTSP server as the server's config
 * says (headless backend only). NULL after logging why: no working
 * encoder, credentials refused, address in use.
 */
struct vpd_streaming *vpd_streaming_create(struct vpd_server *server);

/* After every streamed output is gone. NULL is a no-op. */
void vpd_streaming_destroy(struct vpd_streaming *streaming);

/* Stream @output as the head it shows, "/<vgpu>/<head>": called again
 * whenever the output's head changes, the stream of a head no longer
 * shown there ends (a path always names the head it shows). Logged if
 * that fails; the output works on without. */
void vpd_streaming_add_output(struct vpd_streaming *streaming,
			      struct vpd_output *output);

#endif /* VPD_STREAMING_H */
