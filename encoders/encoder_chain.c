// SPDX-License-Identifier: MIT
#include <stdarg.h>

#include <gst/allocators/gstdmabuf.h>

#include "log_sink.h"
#include "encoder_chain.h"

static GstElement *add(GstBin *bin, const char *factory)
{
	GstElement *e = gst_element_factory_make(factory, NULL);

	if (!e) {
		log_error("GStreamer element %s is missing", factory);
		return NULL;
	}
	if (!gst_bin_add(bin, e)) {
		log_error("cannot add %s to the pipeline", factory);
		gst_object_unref(e);
		return NULL;
	}
	return e;
}

/* Set "name", "value" string pairs (NULL-terminated) through GStreamer's
 * string deserialisers, so enums and flags are set by nick. A property
 * this element version lacks is logged and skipped: tuning, not
 * correctness. */
static void set_props(GstElement *e, ...)
{
	const char *name;
	va_list args;

	va_start(args, e);
	while ((name = va_arg(args, const char *))) {
		const char *value = va_arg(args, const char *);

		if (!g_object_class_find_property(G_OBJECT_GET_CLASS(e),
						  name)) {
			log_debug("%s has no property %s", GST_ELEMENT_NAME(e),
				  name);
			continue;
		}
		gst_util_set_object_arg(G_OBJECT(e), name, value);
	}
	va_end(args);
}

static GstElement *add_capsfilter(GstBin *bin, const char *caps_string)
{
	GstElement *e = add(bin, "capsfilter");
	GstCaps *caps;

	if (!e)
		return NULL;
	caps = gst_caps_from_string(caps_string);
	g_object_set(e, "caps", caps, NULL);
	gst_caps_unref(caps);
	return e;
}

/*
 * The padding to the even size 4:2:0 encoders need: x264 refuses an odd
 * width or height (321x241, 1x1), and a guest may set any mode up to
 * its type's limit. The caps event (in the stream, between the last
 * frame of the old mode and the first of the new) sets videobox's
 * borders before videobox sees those caps, so no frame is ever padded
 * for another mode. A border column or row of black, right and bottom:
 * the picture keeps its pixels and its origin.
 */
static GstPadProbeReturn handle_pad_caps(GstPad *pad, GstPadProbeInfo *info,
					 gpointer data)
{
	GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
	GstStructure *s;
	GstCaps *caps;
	gint w = 0, h = 0;

	if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS)
		return GST_PAD_PROBE_OK;
	gst_event_parse_caps(event, &caps);
	s = gst_caps_get_structure(caps, 0);
	if (!gst_structure_get_int(s, "width", &w) ||
	    !gst_structure_get_int(s, "height", &h))
		return GST_PAD_PROBE_OK;
	g_object_set(data, "right", -(w & 1), "bottom", -(h & 1), NULL);
	return GST_PAD_PROBE_OK;
}

static GstElement *add_even_padding(GstBin *bin)
{
	GstElement *box = add(bin, "videobox");
	GstPad *pad;

	if (!box)
		return NULL;
	g_object_set(box, "fill", 0 /* black */, NULL);
	pad = gst_element_get_static_pad(box, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
			  handle_pad_caps, box, NULL);
	gst_object_unref(pad);
	return box;
}

/*
 * The leaky hand-off queue between conversion and encoding: bounded in
 * time (frames are stamped when pushed), so an encoder slower than the
 * flips never works through a backlog: the oldest frames go, and the
 * next one encoded is the newest. One frame at any rate: a frame
 * queued behind another waits for that one's encoding too, which on a
 * loaded host is the stream's largest delay (the time it holds is the
 * encoder's, not the flips' interval the time bound sees).
 */
#define HANDOFF_QUEUE_TIME "100000000" /* ns: 100 ms */

static GstElement *add_leaky_queue(GstBin *bin)
{
	GstElement *q = add(bin, "queue");

	if (q)
		set_props(q, "leaky", "downstream", "max-size-buffers", "1",
			  "max-size-bytes", "0", "max-size-time",
			  HANDOFF_QUEUE_TIME, NULL);
	return q;
}

static void tune_encoder(GstElement *enc, enum enc_encoder_kind kind)
{
	char gop[16], kbps[16];

	g_snprintf(gop, sizeof(gop), "%d", ENC_ENCODER_GOP);
	g_snprintf(kbps, sizeof(kbps), "%d", ENC_ENCODER_KBPS);
	switch (kind) {
	case ENC_ENCODER_VA:
		set_props(enc, "b-frames", "0", "key-int-max", gop, "bitrate",
			  kbps, NULL);
		break;
	case ENC_ENCODER_VAAPI:
		set_props(enc, "max-bframes", "0", "keyframe-period", gop,
			  "bitrate", kbps, NULL);
		break;
	case ENC_ENCODER_NVENC:
		set_props(enc, "zerolatency", "true", "bframes", "0",
			  "gop-size", gop, "bitrate", kbps, NULL);
		break;
	case ENC_ENCODER_V4L2:
		/* v4l2 encoders take their GOP from extra-controls */
		break;
	case ENC_ENCODER_X264:
		/* x264enc's own defaults override the zerolatency tune
		 * (frame threads, lookahead): each adds a frame of delay.
		 * Constant quality (CRF 20): bits follow the content, not a
		 * frame rate the flips do not have. */
		set_props(enc, "tune", "zerolatency", "speed-preset",
			  "ultrafast", "bframes", "0", "key-int-max", gop,
			  "pass", "qual", "quantizer", "20", "sliced-threads",
			  "true", "rc-lookahead", "0", "sync-lookahead", "0",
			  NULL);
		break;
	case ENC_ENCODER_OPENH264:
		set_props(enc, "gop-size", gop, "bitrate", "4000000",
			  "complexity", "low", NULL);
		break;
	case ENC_ENCODER_VP8:
		set_props(enc, "deadline", "1", "keyframe-max-dist", gop,
			  "target-bitrate", "4000000", "cpu-used", "8", NULL);
		break;
	}
}

/* Link @n elements in order. */
static bool link_all(GstElement **e, int n)
{
	int i;

	for (i = 0; i + 1 < n; i++) {
		if (!gst_element_link(e[i], e[i + 1])) {
			log_error("cannot link %s to %s",
				  GST_ELEMENT_NAME(e[i]),
				  GST_ELEMENT_NAME(e[i + 1]));
			return false;
		}
	}
	return true;
}

bool enc_encoder_chain_has_444(const struct enc_encoder_candidate *candidate)
{
	return candidate->kind == ENC_ENCODER_X264;
}

bool enc_encoder_chain_build(GstBin *bin,
			     const struct enc_encoder_candidate *candidate,
			     bool chroma444, struct enc_encoder_chain *chain)
{
	GstElement *e[8];
	int n = 0;

	switch (candidate->kind) {
	case ENC_ENCODER_VA:
		e[n++] = add(bin, "vapostproc");
		e[n++] = add_capsfilter(
			bin, "video/x-raw(memory:VAMemory),format=NV12");
		break;
	case ENC_ENCODER_VAAPI:
		e[n++] = add(bin, "vaapipostproc");
		e[n++] = add_capsfilter(
			bin, "video/x-raw(memory:VASurface),format=NV12");
		break;
	case ENC_ENCODER_NVENC:
		e[n++] = add(bin, "glupload");
		e[n++] = add(bin, "glcolorconvert");
		e[n++] = add_capsfilter(
			bin, "video/x-raw(memory:GLMemory),format=NV12");
		break;
	case ENC_ENCODER_V4L2:
		e[n++] = add(bin, "v4l2convert");
		if (e[n - 1])
			set_props(e[n - 1], "output-io-mode", "dmabuf-import",
				  NULL);
		e[n++] = add_capsfilter(bin, "video/x-raw,format=NV12");
		break;
	default:
		/* 4:2:0 halves the chroma resolution: a colour edge at an
		 * odd pixel smears over its neighbour (an orange box edge
		 * on black: ~35 dB PSNR even with no coding loss), which
		 * is what chroma444 avoids for those who can decode it */
		e[n++] = add(bin, "videoconvert");
		e[n++] = add_capsfilter(
			bin, chroma444 && enc_encoder_chain_has_444(candidate)
				     ? "video/x-raw,format=Y444"
				     : "video/x-raw,format=I420");
		e[n++] = add_even_padding(bin);
		break;
	}
	e[n++] = add_leaky_queue(bin);
	chain->encoder = e[n++] = add(bin, candidate->name);
	if (candidate->codec == ENC_CODEC_H264) {
		e[n++] = add(bin, "h264parse");
		if (e[n - 1])
			set_props(e[n - 1], "config-interval", "-1", NULL);
		e[n++] = add_capsfilter(bin, "video/x-h264,stream-format=byte-"
					     "stream,alignment=au");
	}
	for (int i = 0; i < n; i++)
		if (!e[i])
			return false; /* logged */
	tune_encoder(chain->encoder, candidate->kind);
	if (!link_all(e, n))
		return false;
	chain->first = e[0];
	chain->last = e[n - 1];
	return true;
}

GstCaps *enc_encoder_chain_input_caps(const struct enc_encoder_candidate *c,
				      const char *format, int width, int height)
{
	GstCaps *caps = gst_caps_new_simple(
		"video/x-raw", "format", G_TYPE_STRING, format, "width",
		G_TYPE_INT, width, "height", G_TYPE_INT, height, "framerate",
		GST_TYPE_FRACTION, ENC_ENCODER_NOMINAL_FPS, 1, NULL);

	if (c->kind == ENC_ENCODER_VA || c->kind == ENC_ENCODER_VAAPI)
		gst_caps_set_features(
			caps, 0,
			gst_caps_features_new(GST_CAPS_FEATURE_MEMORY_DMABUF,
					      NULL));
	return caps;
}

GstCaps *enc_encoder_chain_output_caps(const struct enc_encoder_candidate *c)
{
	if (c->codec == ENC_CODEC_VP8)
		return gst_caps_from_string("video/x-vp8");
	return gst_caps_from_string(
		"video/x-h264,stream-format=byte-stream,alignment=au");
}
