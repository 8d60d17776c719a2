// SPDX-License-Identifier: MIT
#include <stdatomic.h>

#include "enc_log.h"
#include "recording.h"
#include "stream_consumer.h"

/* How long the end of a recording may take (muxer index, file close). */
#define FINISH_TIMEOUT (5 * GST_SECOND)

struct vp_recording {
	struct vp_stream *stream; /* a reference */
	struct vp_stream_consumer *consumer;
	GstElement *pipeline; /* owned */
	GstAppSrc *src;	      /* in the pipeline */
	char *file;
	atomic_uint_fast64_t frames; /* access units into the muxer */
};

/* Streaming thread: count what reaches the muxer. */
static GstPadProbeReturn handle_parse_buffer(GstPad *pad, GstPadProbeInfo *info,
					     gpointer data)
{
	struct vp_recording *rec = data;

	atomic_fetch_add(&rec->frames, 1);
	return GST_PAD_PROBE_OK;
}

static GstElement *add(GstBin *bin, const char *factory)
{
	GstElement *e = gst_element_factory_make(factory, NULL);

	if (!e) {
		enc_log(ERROR, "GStreamer element %s is missing", factory);
		return NULL;
	}
	gst_bin_add(bin, e);
	return e;
}

static bool build(struct vp_recording *rec)
{
	GstElement *src, *parse, *mux, *sink;
	GstPad *pad;

	rec->pipeline = gst_pipeline_new("recording");
	src = add(GST_BIN(rec->pipeline), "appsrc");
	parse = add(GST_BIN(rec->pipeline), "h264parse");
	mux = add(GST_BIN(rec->pipeline), "matroskamux");
	sink = add(GST_BIN(rec->pipeline), "filesink");
	if (!src || !parse || !mux || !sink)
		return false;
	g_object_set(sink, "location", rec->file, "sync", FALSE, "async", FALSE,
		     NULL);
	if (!gst_element_link_many(src, parse, mux, sink, NULL)) {
		enc_log(ERROR, "recording %s: cannot link the pipeline",
			rec->file);
		return false;
	}
	rec->src = GST_APP_SRC(src);
	pad = gst_element_get_static_pad(parse, "src");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, handle_parse_buffer,
			  rec, NULL);
	gst_object_unref(pad);
	return true;
}

struct vp_recording *vp_recording_create(struct vp_stream *stream,
					 const char *file)
{
	struct vp_recording *rec = g_new0(struct vp_recording, 1);
	GstCaps *caps = vp_stream_get_caps(stream);
	bool h264 = gst_structure_has_name(gst_caps_get_structure(caps, 0),
					   "video/x-h264");

	gst_caps_unref(caps);
	rec->stream = vp_stream_ref(stream);
	rec->file = g_strdup(file);
	if (!h264) {
		enc_log(ERROR, "recording %s: only H.264 streams are recorded",
			file);
		goto err;
	}
	if (!build(rec))
		goto err;
	/* live and leaky before it plays; frames wait in it meanwhile */
	rec->consumer = vp_stream_attach(stream, rec->src);
	if (!rec->consumer)
		goto err;
	if (gst_element_set_state(rec->pipeline, GST_STATE_PLAYING) ==
	    GST_STATE_CHANGE_FAILURE) {
		enc_log(ERROR,
			"recording %s: cannot start (can the file be "
			"written?)",
			file);
		goto err;
	}
	enc_log(INFO, "recording to %s (Matroska)", file);
	return rec;
err:
	vp_recording_destroy(rec);
	return NULL;
}

void vp_recording_destroy(struct vp_recording *rec)
{
	GstMessage *msg = NULL;
	GstBus *bus;

	if (!rec)
		return;
	vp_stream_detach(rec->stream, rec->consumer);
	if (rec->pipeline && rec->consumer) {
		/* end of stream through the muxer: it writes the index and
		 * the duration, then the sink posts EOS */
		gst_app_src_end_of_stream(rec->src);
		bus = gst_element_get_bus(rec->pipeline);
		msg = gst_bus_timed_pop_filtered(bus, FINISH_TIMEOUT,
						 GST_MESSAGE_EOS |
							 GST_MESSAGE_ERROR);
		gst_object_unref(bus);
		if (!msg || GST_MESSAGE_TYPE(msg) != GST_MESSAGE_EOS)
			enc_log(ERROR, "recording %s: not finished cleanly",
				rec->file);
		else
			enc_log(INFO, "recording %s: %llu frames", rec->file,
				(unsigned long long)atomic_load(&rec->frames));
		if (msg)
			gst_message_unref(msg);
	}
	if (rec->pipeline) {
		gst_element_set_state(rec->pipeline, GST_STATE_NULL);
		gst_object_unref(rec->pipeline);
	}
	vp_stream_unref(rec->stream);
	g_free(rec->file);
	g_free(rec);
}
