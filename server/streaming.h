/* SPDX-License-Identifier: MIT */
/*
 * vplaned's streaming: the encoder chosen once at start (probed, see
 * encoders/encoder_probe.h), the RTSP server, and one vp_output_stream
 * per headless output showing a vGPU head, served at
 * rtsp://ADDRESS:PORT/<vgpu>/<head> and, with --webrtc, to browsers at
 * http://ADDRESS:PORT/?token=TOKEN#<vgpu>/<head>. Only this file and
 * output_stream.c talk to encoders/.
 */
#ifndef VP_STREAMING_H
#define VP_STREAMING_H

struct vp_server;
struct vp_output;
struct vp_rtsp;
struct vp_webrtc;
struct vp_encoder_candidate;
struct vp_record_dir;

struct vp_streaming {
	struct vp_server *server;
	const struct vp_encoder_candidate *encoder; /* static */
	struct vp_rtsp *rtsp;			    /* owned */
	struct vp_webrtc *webrtc; /* owned; NULL without --webrtc */
	/* owned; NULL without --record-dir: nothing is recorded */
	struct vp_record_dir *record_dir;
};

/*
 * Choose the encoder and start the RTSP server as the server's config
 * says (headless backend only). NULL after logging why: no working
 * encoder, credentials refused, address in use.
 */
struct vp_streaming *vp_streaming_create(struct vp_server *server);

/* After every streamed output is gone. NULL is a no-op. */
void vp_streaming_destroy(struct vp_streaming *streaming);

/* Stream @output as the head it shows, "/<vgpu>/<head>": called again
 * whenever the output's head changes, the stream of a head no longer
 * shown there ends (a path always names the head it shows). Logged if
 * that fails; the output works on without. */
void vp_streaming_add_output(struct vp_streaming *streaming,
			     struct vp_output *output);

#endif /* VP_STREAMING_H */
