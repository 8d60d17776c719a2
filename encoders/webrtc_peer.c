// SPDX-License-Identifier: MIT
#include <stdatomic.h>
#include <string.h>

#define GST_USE_UNSTABLE_API /* GstWebRTC's headers ask for it */
#include <agent.h>	     /* libnice: the ICE agent's local addresses */
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <json-glib/json-glib.h>

#include "log_sink.h"
#include "stream_consumer.h"
#include "webrtc_peer.h"

/* RTP packets may wait here for the network (~1 s at 30 fps of one
 * slice each); beyond that the oldest go: a slow viewer drops its own
 * frames and never stalls the shared encoder. */
#define QUEUE_BUFFERS 256
#define PAYLOAD_TYPE  96
/* the control viewer's data channel (input_message.h) */
#define INPUT_CHANNEL "input"

struct enc_webrtc_peer {
	atomic_int refs;
	char name[96];
	GMainContext *context;		     /* a reference */
	struct enc_webrtc_peer_callbacks cb; /* cb.input: under input_lock */
	void *data;
	bool channel_wanted; /* cb.input was given: a control viewer */
	bool live;	     /* context thread: callbacks may still run */
	bool answered;	     /* context thread: an answer came */
	/* webrtcbin's thread: ICE reached connected or completed (a
	 * controlled agent may go from checking straight to completed) */
	atomic_bool media_up;

	GstElement *pipeline; /* owned */
	GstElement *webrtc;   /* a reference */
	GSource *bus_source;
	struct enc_stream *stream; /* a reference */
	struct enc_stream_consumer *consumer;

	/* the input channel (a reference; NULL: view only) and what its
	 * viewer holds and may send; messages arrive on webrtcbin's
	 * threads, so under input_lock */
	GstWebRTCDataChannel *channel;
	GMutex input_lock;
	struct enc_input_viewer input;
	gint64 input_logged_us; /* last refusal logged */
	unsigned long input_refused_logged, input_over_logged;
};

/* An outgoing message or the end, on its way to the context's thread. */
struct note {
	struct enc_webrtc_peer *peer; /* a reference */
	char *json;		      /* NULL: the end */
	char *reason;
	bool offer; /* json is the offer */
};

static struct enc_webrtc_peer *peer_ref(struct enc_webrtc_peer *peer)
{
	atomic_fetch_add(&peer->refs, 1);
	return peer;
}

static void peer_unref(gpointer data)
{
	struct enc_webrtc_peer *peer = data;

	if (atomic_fetch_sub(&peer->refs, 1) != 1)
		return;
	if (peer->channel)
		g_object_unref(peer->channel);
	if (peer->webrtc)
		gst_object_unref(peer->webrtc);
	g_mutex_clear(&peer->input_lock);
	enc_stream_unref(peer->stream);
	g_main_context_unref(peer->context);
	g_free(peer);
}

static gboolean deliver(gpointer data)
{
	struct note *note = data;
	struct enc_webrtc_peer *peer = note->peer;

	if (!peer->live)
		return G_SOURCE_REMOVE;
	if (note->json) {
		peer->cb.send(peer->data, note->json);
		if (note->offer && peer->cb.offered)
			peer->cb.offered(peer->data);
	} else {
		peer->live = false; /* one end only */
		peer->cb.ended(peer->data, note->reason);
	}
	return G_SOURCE_REMOVE;
}

static void free_note(gpointer data)
{
	struct note *note = data;

	peer_unref(note->peer);
	g_free(note->json);
	g_free(note->reason);
	g_free(note);
}

/* Any thread: queue @json (taken) or, if NULL, the end with @reason for
 * the context's thread; never run in place, so no callback re-enters
 * its caller. */
static void post_note(struct enc_webrtc_peer *peer, char *json,
		      const char *reason, bool offer)
{
	struct note *note = g_new0(struct note, 1);
	GSource *source = g_idle_source_new();

	note->peer = peer_ref(peer);
	note->json = json;
	note->reason = g_strdup(reason);
	note->offer = offer;
	g_source_set_callback(source, deliver, note, free_note);
	g_source_attach(source, peer->context);
	g_source_unref(source);
}

static void post(struct enc_webrtc_peer *peer, char *json, const char *reason)
{
	post_note(peer, json, reason, false);
}

static char *to_json(JsonBuilder *builder)
{
	JsonGenerator *gen = json_generator_new();
	JsonNode *root = json_builder_get_root(builder);
	char *text;

	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(builder);
	return text;
}

/* --- webrtcbin's side (its threads) ---------------------------------- */

static void handle_offer_created(GstPromise *promise, gpointer data)
{
	struct enc_webrtc_peer *peer = data;
	GstWebRTCSessionDescription *offer = NULL;
	const GstStructure *reply;
	JsonBuilder *b;
	char *sdp;

	if (gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED) {
		reply = gst_promise_get_reply(promise);
		if (reply && gst_structure_has_field(reply, "offer"))
			gst_structure_get(reply, "offer",
					  GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
					  &offer, NULL);
	}
	gst_promise_unref(promise);
	if (!offer) {
		post(peer, NULL, "webrtcbin made no offer");
		return;
	}
	g_signal_emit_by_name(peer->webrtc, "set-local-description", offer,
			      NULL);
	sdp = gst_sdp_message_as_text(offer->sdp);
	gst_webrtc_session_description_free(offer);
	b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "offer");
	json_builder_set_member_name(b, "sdp");
	json_builder_add_string_value(b, sdp);
	json_builder_end_object(b);
	g_free(sdp);
	log_info("WebRTC %s: offer made", peer->name);
	post_note(peer, to_json(b), NULL, true);
}

static void handle_webrtc_negotiation_needed(GstElement *webrtc, gpointer data)
{
	struct enc_webrtc_peer *peer = data;
	GstPromise *promise = gst_promise_new_with_change_func(
		handle_offer_created, peer_ref(peer), peer_unref);

	/* the steps to an offer, logged: a viewer left without one must
	 * show which step never came (first frame, this, the offer) */
	log_info("WebRTC %s: negotiation needed: making the offer", peer->name);
	g_signal_emit_by_name(webrtc, "create-offer", NULL, promise);
}

static void handle_webrtc_ice_candidate(GstElement *webrtc, guint mline,
					gchar *candidate, gpointer data)
{
	struct enc_webrtc_peer *peer = data;
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "candidate");
	json_builder_set_member_name(b, "candidate");
	json_builder_add_string_value(b, candidate);
	json_builder_set_member_name(b, "sdpMLineIndex");
	json_builder_add_int_value(b, mline);
	json_builder_end_object(b);
	post(peer, to_json(b), NULL);
}

/* Connected or completed: the media path is up, so a keyframe now is one
 * the viewer decodes (the one asked for at attach may have gone out
 * before). */
static void handle_webrtc_ice_state(GObject *webrtc, GParamSpec *pspec,
				    gpointer data)
{
	struct enc_webrtc_peer *peer = data;
	GstWebRTCICEConnectionState state;

	g_object_get(webrtc, "ice-connection-state", &state, NULL);
	log_info("WebRTC %s: ICE %s", peer->name,
		 state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED
			 ? "connected"
		 : state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED
			 ? "completed"
		 : state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED ? "failed"
		 : state == GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED
			 ? "disconnected"
			 : "checking");
	switch (state) {
	case GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED:
	case GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED:
		/* once per connection, whichever of the two comes first */
		if (!atomic_exchange(&peer->media_up, true)) {
			enc_stream_request_keyframe(peer->stream);
			enc_stream_count_webrtc(peer->stream,
						ENC_STREAM_WEBRTC_CONNECTED);
		}
		break;
	case GST_WEBRTC_ICE_CONNECTION_STATE_FAILED:
		atomic_store(&peer->media_up, false);
		post(peer, NULL, "ICE failed: no candidate pair works");
		break;
	case GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED:
		atomic_store(&peer->media_up, false);
		break;
	default:
		break;
	}
}

/* The first frame reaches the payloader: its caps reach webrtcbin,
 * which makes no offer before that. Logged once. */
static GstPadProbeReturn handle_first_frame(GstPad *pad, GstPadProbeInfo *info,
					    gpointer data)
{
	struct enc_webrtc_peer *peer = data;

	log_info("WebRTC %s: first frame in its pipeline", peer->name);
	return GST_PAD_PROBE_REMOVE;
}

/* The viewer asks for a keyframe (RTCP PLI/FIR, which webrtcbin turns
 * into a force-key-unit event upstream): the shared encoder makes one. */
static GstPadProbeReturn
handle_pay_upstream_event(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	struct enc_webrtc_peer *peer = data;

	if (gst_video_event_is_force_key_unit(GST_PAD_PROBE_INFO_EVENT(info)))
		enc_stream_request_keyframe(peer->stream);
	return GST_PAD_PROBE_OK;
}

/*
 * The picture's size now, as the page sees it (0x0 before the first
 * frame). From the frames going into the encoder: the stream's output
 * caps are the codec's alone, with no size, so reading a size there
 * refused every pointer motion. A 4:2:0 encoder pads an odd mode to the
 * next even size, which the page's video then has; the pad column or
 * row passes here and vplaned maps it to the head's last pixel.
 */
static void frame_size(struct enc_webrtc_peer *peer, unsigned int *width,
		       unsigned int *height)
{
	struct enc_stream_stats stats;

	enc_stream_get_stats(peer->stream, &stats);
	*width = stats.input_width ? (stats.input_width + 1) & ~1u : 0;
	*height = stats.input_height ? (stats.input_height + 1) & ~1u : 0;
}

/* Refusals and drops over budget: a line a second at most per viewer,
 * with the counts since the last (a hostile peer must not flood the
 * log). Under input_lock. */
static void log_input_trouble(struct enc_webrtc_peer *peer, gint64 now)
{
	const struct enc_input_viewer *in = &peer->input;

	if (now - peer->input_logged_us < G_USEC_PER_SEC &&
	    peer->input_logged_us)
		return;
	peer->input_logged_us = now;
	log_info("WebRTC %s: input refused: %lu malformed, %lu over the "
		 "budget of %d/s (since the last line)",
		 peer->name, in->refused - peer->input_refused_logged,
		 in->over_budget - peer->input_over_logged, ENC_INPUT_RATE);
	peer->input_refused_logged = in->refused;
	peer->input_over_logged = in->over_budget;
}

static void handle_input(struct enc_webrtc_peer *peer, const void *bytes,
			 gsize size)
{
	struct enc_input_event event;
	enum enc_input_verdict verdict;
	unsigned int width = 0, height = 0;
	gint64 now = g_get_monotonic_time();

	if (size == 6 && ((const guint8 *)bytes)[1] == ENC_INPUT_MOTION)
		frame_size(peer, &width, &height);
	g_mutex_lock(&peer->input_lock);
	verdict = enc_input_parse(&peer->input, bytes, size, width, height, now,
				  &event);
	if (verdict == ENC_INPUT_REFUSED ||
	    (verdict == ENC_INPUT_DROPPED &&
	     peer->input.over_budget != peer->input_over_logged))
		log_input_trouble(peer, now);
	/* under the lock: events reach vplaned in the order they came */
	if (verdict == ENC_INPUT_OK && peer->cb.input)
		peer->cb.input(peer->data, &event);
	g_mutex_unlock(&peer->input_lock);
}

static void handle_channel_message_data(GstWebRTCDataChannel *channel,
					GBytes *data, gpointer user)
{
	gsize size = 0;
	const void *bytes = data ? g_bytes_get_data(data, &size) : NULL;

	handle_input(user, bytes ? bytes : "", size);
}

static void handle_channel_message_string(GstWebRTCDataChannel *channel,
					  gchar *text, gpointer user)
{
	/* not the format: refused like any malformed message */
	handle_input(user, "", 0);
}

/* The viewer opened a channel of its own: only ours carries input. */
static void handle_webrtc_data_channel(GstElement *webrtc,
				       GstWebRTCDataChannel *channel,
				       gpointer data)
{
	struct enc_webrtc_peer *peer = data;

	log_info("WebRTC %s: a data channel the viewer opened is closed "
		 "(input goes on vplaned's own)",
		 peer->name);
	gst_webrtc_data_channel_close(channel);
}

/* Before negotiation (webrtcbin in READY): the offer then has it. */
static bool open_input_channel(struct enc_webrtc_peer *peer)
{
	GstStructure *opts = gst_structure_new("options", "ordered",
					       G_TYPE_BOOLEAN, TRUE, NULL);

	g_signal_emit_by_name(peer->webrtc, "create-data-channel",
			      INPUT_CHANNEL, opts, &peer->channel);
	gst_structure_free(opts);
	if (!peer->channel) {
		log_error("WebRTC %s: cannot create the input data channel "
			  "(gstreamer1.0-plugins-bad's sctp)",
			  peer->name);
		return false;
	}
	g_signal_connect(peer->channel, "on-message-data",
			 G_CALLBACK(handle_channel_message_data), peer);
	g_signal_connect(peer->channel, "on-message-string",
			 G_CALLBACK(handle_channel_message_string), peer);
	return true;
}

/* --- the context's thread -------------------------------------------- */

static gboolean handle_bus_message(GstBus *bus, GstMessage *msg, gpointer data)
{
	struct enc_webrtc_peer *peer = data;
	GError *err = NULL;
	gchar *debug = NULL;
	char reason[256];

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ERROR:
		gst_message_parse_error(msg, &err, &debug);
		log_error("WebRTC %s: %s: %s (%s)", peer->name,
			  GST_OBJECT_NAME(msg->src), err->message,
			  debug ? debug : "");
		g_snprintf(reason, sizeof(reason), "pipeline error: %s",
			   err->message);
		post(peer, NULL, reason);
		break;
	case GST_MESSAGE_WARNING:
		gst_message_parse_warning(msg, &err, &debug);
		log_debug("WebRTC %s: %s: %s", peer->name,
			  GST_OBJECT_NAME(msg->src), err->message);
		break;
	case GST_MESSAGE_EOS:
		post(peer, NULL, "the head's stream ended");
		break;
	default:
		break;
	}
	g_clear_error(&err);
	g_free(debug);
	return G_SOURCE_CONTINUE;
}

/* Media candidates on @address only: libnice otherwise offers every
 * interface but loopback, which leaves nothing on a loopback-only
 * setup and too much on a host bound to one LAN address. */
static void restrict_ice(struct enc_webrtc_peer *peer, const char *address)
{
	GstWebRTCICE *ice = NULL;
	NiceAgent *agent = NULL;
	NiceAddress addr;

	if (!address || !strcmp(address, "0.0.0.0") || !strcmp(address, "::"))
		return;
	g_object_get(peer->webrtc, "ice-agent", &ice, NULL);
	if (ice &&
	    g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent"))
		g_object_get(ice, "agent", &agent, NULL);
	nice_address_init(&addr);
	if (!agent || !nice_address_set_from_string(&addr, address) ||
	    !nice_agent_add_local_address(agent, &addr))
		log_error("WebRTC %s: cannot offer media on %s only "
			  "(libnice): viewers may not connect",
			  peer->name, address);
	if (agent)
		g_object_unref(agent);
	if (ice)
		gst_object_unref(ice);
}

static bool build_pipeline(struct enc_webrtc_peer *peer, const char *address)
{
	GstCaps *caps = enc_stream_get_caps(peer->stream);
	bool h264 = gst_structure_has_name(gst_caps_get_structure(caps, 0),
					   "video/x-h264");
	GstElement *src, *queue, *pay, *filter;
	GstWebRTCRTPTransceiver *trans = NULL;
	GstPad *sink, *pad;
	GstBus *bus;
	bool ok;

	gst_caps_unref(caps);
	peer->pipeline = gst_pipeline_new(peer->name);
	src = gst_element_factory_make("appsrc", "src");
	queue = gst_element_factory_make("queue", NULL);
	pay = gst_element_factory_make(h264 ? "rtph264pay" : "rtpvp8pay", NULL);
	filter = gst_element_factory_make("capsfilter", NULL);
	peer->webrtc = gst_element_factory_make("webrtcbin", NULL);
	if (!src || !queue || !pay || !filter || !peer->webrtc) {
		log_error("WebRTC: %s is missing (gstreamer1.0-nice, "
			  "gstreamer1.0-plugins-bad/-good)",
			  !src	    ? "appsrc"
			  : !queue  ? "queue"
			  : !pay    ? "the RTP payloader"
			  : !filter ? "capsfilter"
				    : "webrtcbin");
		g_clear_object(&src);
		g_clear_object(&queue);
		g_clear_object(&pay);
		g_clear_object(&filter);
		g_clear_object(&peer->webrtc);
		return false;
	}
	gst_object_ref_sink(peer->webrtc); /* ours, beside the bin's */
	g_object_set(queue, "leaky", 2 /* downstream: drop the oldest */,
		     "max-size-buffers", QUEUE_BUFFERS, "max-size-bytes", 0,
		     "max-size-time", (guint64)0, NULL);
	/* parameter sets: in the stream already (see rtsp.c) */
	g_object_set(pay, "pt", PAYLOAD_TYPE, NULL);
	if (h264)
		g_object_set(pay, "config-interval", 0, NULL);
	caps = gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING,
				   "video", "encoding-name", G_TYPE_STRING,
				   h264 ? "H264" : "VP8", "payload", G_TYPE_INT,
				   PAYLOAD_TYPE, "clock-rate", G_TYPE_INT,
				   90000, NULL);
	g_object_set(filter, "caps", caps, NULL);
	gst_caps_unref(caps);
	g_object_set(peer->webrtc, "bundle-policy",
		     GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
	restrict_ice(peer, address);
	g_signal_connect(peer->webrtc, "on-negotiation-needed",
			 G_CALLBACK(handle_webrtc_negotiation_needed), peer);
	g_signal_connect(peer->webrtc, "on-ice-candidate",
			 G_CALLBACK(handle_webrtc_ice_candidate), peer);
	g_signal_connect(peer->webrtc, "notify::ice-connection-state",
			 G_CALLBACK(handle_webrtc_ice_state), peer);
	g_signal_connect(peer->webrtc, "on-data-channel",
			 G_CALLBACK(handle_webrtc_data_channel), peer);

	gst_bin_add_many(GST_BIN(peer->pipeline), src, queue, pay, filter,
			 peer->webrtc, NULL);
	if (!gst_element_link_many(src, queue, pay, filter, NULL)) {
		log_error("WebRTC %s: cannot link the payloader", peer->name);
		return false;
	}
	sink = gst_element_request_pad_simple(peer->webrtc, "sink_%u");
	pad = gst_element_get_static_pad(filter, "src");
	ok = sink && gst_pad_link(pad, sink) == GST_PAD_LINK_OK;
	gst_object_unref(pad);
	if (ok) {
		g_object_get(sink, "transceiver", &trans, NULL);
		if (trans) {
			g_object_set(
				trans, "direction",
				GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
				NULL);
			gst_object_unref(trans);
		}
	}
	if (sink)
		gst_object_unref(sink);
	if (!ok) {
		log_error("WebRTC %s: cannot link into webrtcbin", peer->name);
		return false;
	}
	pad = gst_element_get_static_pad(pay, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
			  handle_pay_upstream_event, peer, NULL);
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, handle_first_frame,
			  peer, NULL);
	gst_object_unref(pad);

	bus = gst_element_get_bus(peer->pipeline);
	peer->bus_source = gst_bus_create_watch(bus);
	gst_object_unref(bus);
	g_source_set_callback(peer->bus_source,
			      G_SOURCE_FUNC(handle_bus_message), peer, NULL);
	g_source_attach(peer->bus_source, peer->context);
	/* before the state change: the appsrc's live/time settings apply
	 * when it starts */
	peer->consumer = enc_stream_attach(peer->stream, GST_APP_SRC(src));
	if (!peer->consumer) {
		log_error("WebRTC %s: the head's stream is ending", peer->name);
		return false;
	}
	if (peer->channel_wanted &&
	    (gst_element_set_state(peer->pipeline, GST_STATE_READY) ==
		     GST_STATE_CHANGE_FAILURE ||
	     !open_input_channel(peer)))
		return false;
	if (gst_element_set_state(peer->pipeline, GST_STATE_PLAYING) ==
	    GST_STATE_CHANGE_FAILURE) {
		log_error("WebRTC %s: the pipeline does not start", peer->name);
		return false;
	}
	return true;
}

void enc_webrtc_peer_warm_up(void)
{
	GstElement *webrtc = gst_element_factory_make("webrtcbin", NULL);
	GstCaps *caps = gst_caps_from_string(
		"application/x-rtp,media=video,encoding-name=H264,"
		"payload=96,clock-rate=90000");
	GstWebRTCRTPTransceiver *trans = NULL;
	GstPromise *promise;
	gint64 start = g_get_monotonic_time();

	if (!webrtc) {
		log_error("WebRTC: webrtcbin is missing "
			  "(gstreamer1.0-plugins-bad)");
		gst_caps_unref(caps);
		return;
	}
	gst_object_ref_sink(webrtc);
	/* an offer of a throwaway peer: its transport (libnice, DTLS,
	 * SRTP) loads what the first viewer's would, and makes the key */
	g_signal_emit_by_name(webrtc, "add-transceiver",
			      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
			      caps, &trans);
	gst_caps_unref(caps);
	if (trans)
		gst_object_unref(trans);
	if (gst_element_set_state(webrtc, GST_STATE_READY) !=
	    GST_STATE_CHANGE_FAILURE) {
		promise = gst_promise_new();
		g_signal_emit_by_name(webrtc, "create-offer", NULL, promise);
		gst_promise_wait(promise);
		gst_promise_unref(promise);
	}
	gst_element_set_state(webrtc, GST_STATE_NULL);
	gst_object_unref(webrtc);
	log_info("WebRTC: ready for viewers (DTLS key and transport made "
		 "in %lld ms)",
		 (long long)(g_get_monotonic_time() - start) / 1000);
}

struct enc_webrtc_peer *
enc_webrtc_peer_create(const char *name, struct enc_stream *stream,
		       const char *ice_address, GMainContext *context,
		       const struct enc_webrtc_peer_callbacks *callbacks,
		       void *data)
{
	struct enc_webrtc_peer *peer = g_new0(struct enc_webrtc_peer, 1);

	atomic_init(&peer->refs, 1);
	g_strlcpy(peer->name, name, sizeof(peer->name));
	peer->context = g_main_context_ref(context);
	peer->cb = *callbacks;
	peer->channel_wanted = callbacks->input;
	peer->data = data;
	peer->live = true;
	peer->stream = enc_stream_ref(stream);
	g_mutex_init(&peer->input_lock);
	enc_input_viewer_init(&peer->input, g_get_monotonic_time());
	if (!build_pipeline(peer, ice_address)) {
		enc_webrtc_peer_destroy(peer);
		return NULL;
	}
	return peer;
}

static bool handle_answer(struct enc_webrtc_peer *peer, const char *text)
{
	GstWebRTCSessionDescription *answer;
	GstSDPMessage *sdp;

	if (!text || gst_sdp_message_new_from_text(text, &sdp) != GST_SDP_OK) {
		log_error("WebRTC %s: the answer has no valid SDP", peer->name);
		return false;
	}
	answer = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER,
						    sdp);
	g_signal_emit_by_name(peer->webrtc, "set-remote-description", answer,
			      NULL);
	gst_webrtc_session_description_free(answer);
	peer->answered = true;
	return true;
}

bool enc_webrtc_peer_handle_message(struct enc_webrtc_peer *peer,
				    const char *json)
{
	JsonParser *parser = json_parser_new();
	JsonObject *msg = NULL;
	const char *type = NULL;
	bool ok = false;

	if (json_parser_load_from_data(parser, json, -1, NULL) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		msg = json_node_get_object(json_parser_get_root(parser));
		type = json_object_get_string_member_with_default(msg, "type",
								  NULL);
	}
	if (type && !strcmp(type, "answer")) {
		ok = handle_answer(peer,
				   json_object_get_string_member_with_default(
					   msg, "sdp", NULL));
	} else if (type && !strcmp(type, "candidate")) {
		const char *c = json_object_get_string_member_with_default(
			msg, "candidate", NULL);
		gint64 mline = json_object_get_int_member_with_default(
			msg, "sdpMLineIndex", -1);

		ok = c && mline >= 0 && mline < 16;
		if (ok && *c)
			g_signal_emit_by_name(peer->webrtc, "add-ice-candidate",
					      (guint)mline, c);
		else if (!ok)
			log_error("WebRTC %s: malformed candidate", peer->name);
	} else {
		log_error("WebRTC %s: not a message of the protocol "
			  "(answer or candidate): %.80s",
			  peer->name, json);
	}
	g_object_unref(parser);
	return ok;
}

bool enc_webrtc_peer_answered(const struct enc_webrtc_peer *peer)
{
	return peer->answered;
}

void enc_webrtc_peer_destroy(struct enc_webrtc_peer *peer)
{
	if (!peer)
		return;
	peer->live = false;
	if (peer->bus_source) {
		g_source_destroy(peer->bus_source);
		g_source_unref(peer->bus_source);
	}
	enc_stream_detach(peer->stream, peer->consumer);
	if (peer->channel)
		g_signal_handlers_disconnect_by_data(peer->channel, peer);
	if (peer->pipeline) {
		gst_element_set_state(peer->pipeline, GST_STATE_NULL);
		gst_object_unref(peer->pipeline);
	}
	/* no input callback from here on: the channel's signals are
	 * disconnected, and one in progress finished under the lock */
	g_mutex_lock(&peer->input_lock);
	peer->cb.input = NULL;
	g_mutex_unlock(&peer->input_lock);
	peer_unref(peer);
}
