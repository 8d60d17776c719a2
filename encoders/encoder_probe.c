// SPDX-License-Identifier: MIT
#include <gst/gst.h>

#include "log_sink.h"
#include "encoder_chain.h"
#include "encoder_probe.h"

/* Under TCG a software encoder's first frame takes a while. */
#define PROBE_TIMEOUT (20 * GST_SECOND)

static bool registry_exists(const struct enc_element_table *table,
			    const char *factory)
{
	GstElementFactory *f = gst_element_factory_find(factory);

	if (!f)
		return false;
	gst_object_unref(f);
	return true;
}

static GstElement *make_source(GstBin *bin)
{
	GstElement *src = gst_element_factory_make("videotestsrc", NULL);
	GstElement *filter = gst_element_factory_make("capsfilter", NULL);
	GstCaps *caps;

	if (!src || !filter) {
		log_error("videotestsrc or capsfilter missing");
		if (src)
			gst_object_unref(src);
		if (filter)
			gst_object_unref(filter);
		return NULL;
	}
	g_object_set(src, "num-buffers", 2, NULL);
	caps = gst_caps_from_string("video/x-raw,format=BGRx,width=320,"
				    "height=240,framerate=30/1");
	g_object_set(filter, "caps", caps, NULL);
	gst_caps_unref(caps);
	gst_bin_add_many(bin, src, filter, NULL);
	if (!gst_element_link(src, filter)) {
		log_error("cannot link videotestsrc to its capsfilter");
		return NULL;
	}
	return filter;
}

static bool registry_works(const struct enc_element_table *table,
			   const struct enc_encoder_candidate *candidate)
{
	GstElement *pipeline = gst_pipeline_new("vplane-probe");
	GstBin *bin = GST_BIN(pipeline);
	struct enc_encoder_chain chain;
	GstElement *source, *sink;
	GstMessage *msg = NULL;
	GstBus *bus = NULL;
	bool ok = false;

	source = make_source(bin);
	sink = gst_element_factory_make("fakesink", NULL);
	if (!source || !sink) {
		if (sink)
			gst_object_unref(sink);
		goto out;
	}
	gst_bin_add(bin, sink);
	if (!enc_encoder_chain_build(bin, candidate, false, &chain) ||
	    !gst_element_link(source, chain.first) ||
	    !gst_element_link(chain.last, sink))
		goto out;
	bus = gst_element_get_bus(pipeline);
	if (gst_element_set_state(pipeline, GST_STATE_PLAYING) ==
	    GST_STATE_CHANGE_FAILURE) {
		log_info("probe: %s does not start", candidate->name);
		goto out;
	}
	msg = gst_bus_timed_pop_filtered(bus, PROBE_TIMEOUT,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	if (!msg) {
		log_info("probe: %s encoded nothing in %llu s", candidate->name,
			 (unsigned long long)(PROBE_TIMEOUT / GST_SECOND));
	} else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		GError *err = NULL;

		gst_message_parse_error(msg, &err, NULL);
		log_info("probe: %s fails: %s", candidate->name,
			 err ? err->message : "?");
		g_clear_error(&err);
	} else {
		ok = true;
	}
out:
	if (msg)
		gst_message_unref(msg);
	gst_element_set_state(pipeline, GST_STATE_NULL);
	if (bus)
		gst_object_unref(bus);
	gst_object_unref(pipeline);
	return ok;
}

static const struct enc_element_table registry_table = {
	.exists = registry_exists,
	.works = registry_works,
};

const struct enc_encoder_candidate *enc_encoder_choose(enum enc_codec codec,
						       const char *forced)
{
	enum enc_encoder_verdict verdicts[16];
	const struct enc_encoder_candidate *all, *chosen;
	size_t n, i;

	gst_init(NULL, NULL);
	all = enc_encoder_candidates(&n);
	g_assert(n <= G_N_ELEMENTS(verdicts));
	if (forced && !enc_encoder_find(forced)) {
		log_error("unknown encoder '%s'", forced);
		return NULL;
	}
	chosen = enc_encoder_select(&registry_table, codec, forced, verdicts);
	for (i = 0; i < n; i++)
		if (verdicts[i] != ENC_ENCODER_NOT_WANTED &&
		    verdicts[i] != ENC_ENCODER_NOT_CONSIDERED)
			log_info("encoder %s (%s): %s", all[i].name,
				 all[i].hardware ? "hardware" : "software",
				 enc_encoder_verdict_name(verdicts[i]));
	if (!chosen)
		log_error("no %s encoder works%s%s", enc_codec_name(codec),
			  forced ? " among: " : "", forced ? forced : "");
	else
		log_info("%s streams use %s (%s)", enc_codec_name(codec),
			 chosen->name,
			 chosen->hardware ? "hardware" : "software");
	return chosen;
}
