/* SPDX-License-Identifier: MIT */
/*
 * One WebRTC viewer: a pipeline of its own,
 *
 *   appsrc (a consumer of the head's enc_stream) ! queue (leaky) !
 *   rtph264pay ! webrtcbin (sendonly, max-bundle, DTLS-SRTP)
 *
 * and its side of the negotiation: webrtcbin offers, the viewer
 * answers, both trickle ICE candidates. Messages are JSON objects:
 *   {"type":"offer"|"answer","sdp":"..."}
 *   {"type":"candidate","candidate":"...","sdpMLineIndex":N}
 *   {"type":"error","message":"..."}   (server to viewer only)
 *
 * A viewer that may control gets, in the same offer, a data channel
 * "input" (ordered, reliable) that vplaned creates: the server decides
 * who may send input, and a view-only viewer's offer has no data
 * channel (no SCTP association at all), so its page has no way to send
 * any. Its binary messages are input_message.h's; anything else on it
 * (text, a malformed message) is refused, and a data channel the viewer
 * opens itself is closed.
 *
 * webrtcbin calls back from its own threads; the peer hands every
 * outgoing message and its end to @context's thread (the signalling
 * server's), so send and ended never run anywhere else. Input is
 * parsed where it arrives (so a flood is cut before it costs a thread
 * hop) and handed on from there.
 */
#ifndef ENC_WEBRTC_PEER_H
#define ENC_WEBRTC_PEER_H

#include <stdbool.h>

#include <glib.h>

#include "input_message.h"

struct enc_stream;
struct enc_webrtc_peer;

struct enc_webrtc_peer_callbacks {
	/* send @json (borrowed) to the viewer */
	void (*send)(void *data, const char *json);
	/* the peer is over (@reason borrowed): stream ended, pipeline
	 * error, negotiation failed. Destroy it (not from this call). */
	void (*ended)(void *data, const char *reason);
	/* a validated input event (borrowed) from the viewer's data
	 * channel, in order, on a thread of webrtcbin's (never after
	 * enc_webrtc_peer_destroy() returns). NULL: view only, no data
	 * channel is offered. */
	void (*input)(void *data, const struct enc_input_event *event);
	/* the offer was just sent (after send), on the context's thread:
	 * the viewer's time to answer starts now. May be NULL. */
	void (*offered)(void *data);
};

/*
 * Make what every peer shares and the first would otherwise pay for
 * inside its offer: the process's DTLS certificate (an RSA key) and
 * the transport's plugins (libnice, DTLS, SRTP), by an offer of a
 * throwaway webrtcbin. On a host the first viewer's offer took 740 ms
 * without this, 4 ms after; under emulation the cost is tens of seconds
 * while the first viewer's deadline runs. Blocks that long: call from a
 * thread of its own, once, at start-up.
 */
void enc_webrtc_peer_warm_up(void);

/*
 * A viewer of @stream (a reference is taken) named @name (for logs),
 * offering media candidates on @ice_address only (NULL: every
 * interface). Starts negotiating at once. Call from @context's thread.
 * NULL after logging.
 */
struct enc_webrtc_peer *
enc_webrtc_peer_create(const char *name, struct enc_stream *stream,
		       const char *ice_address, GMainContext *context,
		       const struct enc_webrtc_peer_callbacks *callbacks,
		       void *data);

/* A message from the viewer (@json borrowed). False after logging when
 * it is not one the peer understands (the caller may close). */
bool enc_webrtc_peer_handle_message(struct enc_webrtc_peer *peer,
				    const char *json);

/* An answer to the offer came (on the context's thread). */
bool enc_webrtc_peer_answered(const struct enc_webrtc_peer *peer);

/* Stop, detach from the stream; no callback runs after. NULL is a
 * no-op. On @context's thread. */
void enc_webrtc_peer_destroy(struct enc_webrtc_peer *peer);

#endif /* ENC_WEBRTC_PEER_H */
