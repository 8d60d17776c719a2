// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include <gst/gst.h>

#include "chain_describe.h"
#include "encoder_chain.h"

/* Properties every element has, or that only name the object. */
static bool skipped(GstElement *e, const GParamSpec *spec)
{
	const char *factory = GST_OBJECT_NAME(gst_element_get_factory(e));

	if (!strcmp(spec->name, "name") || !strcmp(spec->name, "parent"))
		return true;
	/* a capsfilter is written as its caps */
	if (!strcmp(factory, "capsfilter"))
		return true;
	/* not live here: see the header */
	return !strcmp(factory, "queue") && !strcmp(spec->name, "leaky");
}

/* Shown for the encoder even at their defaults: the settings a reader
 * compares between the two sides. */
static const char *const encoder_always[] = {
	"threads", "tune", "speed-preset", "key-int-max", "bframes", NULL,
};

static bool always_shown(const char *name)
{
	for (const char *const *p = encoder_always; *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

/* Enums and flags by nick (gst_value_serialize() gives flags' long
 * names, which gst-launch would split at the spaces). */
static gchar *serialize(const GValue *value)
{
	if (G_VALUE_HOLDS_ENUM(value)) {
		GEnumClass *klass = g_type_class_ref(G_VALUE_TYPE(value));
		GEnumValue *v =
			g_enum_get_value(klass, g_value_get_enum(value));
		gchar *s = v ? g_strdup(v->value_nick) : NULL;

		g_type_class_unref(klass);
		return s;
	}
	if (G_VALUE_HOLDS_FLAGS(value)) {
		GFlagsClass *klass = g_type_class_ref(G_VALUE_TYPE(value));
		guint flags = g_value_get_flags(value);
		GString *s = g_string_new(NULL);
		GFlagsValue *v;

		while (flags && (v = g_flags_get_first_value(klass, flags))) {
			g_string_append_printf(s, "%s%s", s->len ? "+" : "",
					       v->value_nick);
			flags &= ~v->value;
		}
		if (!s->len)
			g_string_append(s, "0");
		g_type_class_unref(klass);
		return g_string_free(s, FALSE);
	}
	return gst_value_serialize(value);
}

static void describe_element(GstElement *e, bool encoder, GString *out)
{
	const char *factory = GST_OBJECT_NAME(gst_element_get_factory(e));
	GParamSpec **specs;
	guint n;

	if (!strcmp(factory, "capsfilter")) {
		GstCaps *caps;
		gchar *s;

		g_object_get(e, "caps", &caps, NULL);
		s = gst_caps_to_string(caps);
		g_string_append_printf(out, "\"%s\"", s);
		g_free(s);
		gst_caps_unref(caps);
		return;
	}
	g_string_append(out, factory);
	specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(e), &n);
	for (guint i = 0; i < n; i++) {
		GParamSpec *spec = specs[i];
		GValue value = G_VALUE_INIT;
		gchar *s;

		if ((spec->flags & (G_PARAM_READABLE | G_PARAM_WRITABLE)) !=
			    (G_PARAM_READABLE | G_PARAM_WRITABLE) ||
		    skipped(e, spec))
			continue;
		g_value_init(&value, spec->value_type);
		g_object_get_property(G_OBJECT(e), spec->name, &value);
		if ((!g_param_value_defaults(spec, &value) ||
		     (encoder && always_shown(spec->name))) &&
		    (s = serialize(&value))) {
			g_string_append_printf(out, " %s=%s", spec->name, s);
			g_free(s);
		}
		g_value_unset(&value);
	}
	g_free(specs);
}

char *enc_bench_describe_chain(const struct enc_encoder_candidate *candidate,
			       bool chroma444)
{
	GstElement *bin = gst_bin_new(NULL);
	struct enc_encoder_chain chain;
	GString *out = g_string_new(NULL);
	GstElement *e;

	if (!enc_encoder_chain_build(GST_BIN(bin), candidate, chroma444,
				     &chain)) {
		gst_object_unref(bin);
		g_string_free(out, TRUE);
		return NULL; /* logged */
	}
	/* follow the links: the bin's own order is not the chain's */
	for (e = gst_object_ref(chain.first); e;) {
		GstPad *src = gst_element_get_static_pad(e, "src");
		GstPad *peer = src ? gst_pad_get_peer(src) : NULL;

		if (out->len)
			g_string_append(out, " ! ");
		describe_element(e, e == chain.encoder, out);
		gst_object_unref(e);
		e = NULL;
		if (peer) {
			e = gst_pad_get_parent_element(peer);
			gst_object_unref(peer);
		}
		if (src)
			gst_object_unref(src);
	}
	gst_object_unref(bin);
	return g_string_free(out, FALSE);
}
